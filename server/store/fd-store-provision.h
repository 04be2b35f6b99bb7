/* fd-store-provision.h — device credentials, and the read side of what devices sent: tags,
 * fields per tag, the latest reading per device and tag. (The write side is the ingest
 * service's, server/ingest/.) Every function runs inside a store job, as in
 * fd-store-entities.h.
 */
#pragma once

#include "fd-store-entities.h"

G_BEGIN_DECLS

typedef enum
{
  FD_CREDENTIAL_GENERATED,
  FD_CREDENTIAL_CSR,
  FD_CREDENTIAL_CERTIFICATE,
  FD_CREDENTIAL_KEY,
} FdCredentialKind;

/* "generated", "csr", "certificate", "key"; and back (-1 when unknown). */
const char *fd_credential_kind_name (FdCredentialKind kind);
int fd_credential_kind_from_name (const char *name);

typedef struct
{
  char *id;
  char *device_id;
  FdCredentialKind kind;
  /* certificate kinds */
  char *fingerprint;
  char *certificate;
  char *subject;
  char *issuer;
  /* keys */
  gint64 key_id; /* 0 for certificates */
  char *mode;    /* "device_token" or "cloud_token"; NULL for certificates */
  gint64 created_at;
  gint64 expires_at; /* 0: never */
  gint64 revoked_at; /* 0: live */
} FdCredential;

void fd_credential_free (FdCredential *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCredential, fd_credential_free)

/* Adds a credential to @device_id from @tmpl (its id, key_id and created_at are made here: a
 * key gets the next key id of the device, from 1). A device-token key stores @secret (the HMAC
 * key); a cloud-token key stores only @secret_hash (SHA-256 hex of the token). A certificate
 * whose fingerprint a live credential already has is CONFLICT. The device must exist
 * (NOT_FOUND). */
FdCredential *fd_store_credential_create (FdDb *db, const FdCredential *tmpl, GBytes *secret,
                                          const char *secret_hash, GError **error);
/* The credential @id of @device_id (NOT_FOUND when it is not that device's). */
FdCredential *fd_store_credential_get (FdDb *db, const char *device_id, const char *id,
                                       GError **error);
/* Every credential of @device_id, oldest first. NOT_FOUND when the device does not exist. */
gboolean fd_store_credential_list (FdDb *db, const char *device_id, FdPage *page, GError **error);
/* Marks it revoked (the record stays). Revoking twice is not an error. */
gboolean fd_store_credential_revoke (FdDb *db, const char *device_id, const char *id,
                                     GError **error);

/* What device authentication needs of a live credential. */
typedef struct
{
  char *credential_id;
  char *device_id;
  char *workspace_id;
  FdCredentialKind kind;
  gint64 expires_at;
  GBytes *secret; /* device-token keys only */
} FdCredentialMatch;

void fd_credential_match_free (FdCredentialMatch *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCredentialMatch, fd_credential_match_free)

/* The live (not revoked) credential with this certificate fingerprint / key id of the device /
 * cloud-token hash, or NULL without an error when there is none. */
FdCredentialMatch *fd_store_credential_by_fingerprint (FdDb *db, const char *fingerprint,
                                                       GError **error);
FdCredentialMatch *fd_store_credential_by_key (FdDb *db, const char *device_id, gint64 key_id,
                                               GError **error);
FdCredentialMatch *fd_store_credential_by_token_hash (FdDb *db, const char *hash, GError **error);

/* Tags of a workspace. */
typedef struct
{
  char *tag;
  gint64 devices;
  gint64 fields;
  gint64 readings;
  gint64 first_seen;
  gint64 last_seen;
} FdTagInfo;

typedef struct
{
  char *path;
  char *type;
  gint64 first_seen;
} FdFieldInfo;

/* The latest reading of one tag of a device. */
typedef struct
{
  char *tag;
  gint64 readings;
  gint64 first_seen;
  gint64 last_seen;
  gint64 ts_device;
  gint64 ts_in;
  char *payload; /* JSON text; NULL when the sample is gone */
} FdDeviceTag;

void fd_tag_info_free (FdTagInfo *t);
void fd_field_info_free (FdFieldInfo *f);
void fd_device_tag_free (FdDeviceTag *t);

/* Tags by name; @search as for devices (case-insensitive substring). NOT_FOUND when the
 * workspace does not exist. */
gboolean fd_store_tag_list (FdDb *db, const char *workspace_id, const char *search, gint64 from,
                            gint64 size, FdPage *page, GError **error);
/* Fields of @tag by path, then type. An unknown tag is an empty list. */
gboolean fd_store_tag_fields (FdDb *db, const char *workspace_id, const char *tag, gint64 from,
                              gint64 size, FdPage *page, GError **error);
/* The device's tags by name, each with its latest reading. NOT_FOUND when the device does not
 * exist. */
gboolean fd_store_device_tags (FdDb *db, const char *device_id, FdPage *page, GError **error);

G_END_DECLS
