/* fd-store-firmware.h — firmware files of a workspace, the workspace's signing key, and whether
 * a device may download a firmware now (it is a target of a live campaign of it). The campaign
 * tables are the campaigns module's; this only reads them.
 *
 * Every function here runs inside a store job (fd-store.h): on the writer for changes, on a
 * reader for queries. Times are epoch milliseconds.
 */
#pragma once

#include "fd-store-entities.h"

G_BEGIN_DECLS

#define FD_FIRMWARE_MAX_VERSION 64
#define FD_FIRMWARE_MAX_TARGET 64

typedef struct
{
  char *id;
  char *workspace_id;
  char *version;
  char *target; /* "" when none */
  char *description;
  gint64 size;
  char *sha256;    /* lowercase hex */
  char *manifest;  /* the signed JSON text (docs/protocol.md) */
  char *signature; /* base64 */
  char *file;      /* the file's name in DATA/firmware ("fw-….bin") */
  char *algorithm; /* the workspace key's ("ecdsa-p256", "ed25519") */
  gint64 created_at;
  /* the running or paused campaign that uses it, or NULL (filled by _get and _list) */
  char *in_use_by;
  char *in_use_state;
} FdFirmwareRecord;

void fd_firmware_record_free (FdFirmwareRecord *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdFirmwareRecord, fd_firmware_record_free)

typedef struct
{
  char *workspace_id;
  char *algorithm;  /* "ecdsa-p256" or "ed25519" */
  char *public_key; /* SubjectPublicKeyInfo PEM */
  char *key_file;   /* the private key's file name in DATA/firmware/keys */
  gint64 created_at;
} FdSigningKey;

void fd_signing_key_free (FdSigningKey *k);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdSigningKey, fd_signing_key_free)

/* The firmware @id: TRUE with *@out, or FALSE with NOT_FOUND "firmware … does not exist". */
gboolean fd_store_firmware_get (FdDb *db, const char *id, FdFirmwareRecord **out, GError **error);
/* TRUE when @device_id may download @firmware_id now: it is a target, not in a final state
 * (succeeded, failed, reverted, timed_out, skipped), of a running or paused campaign of that
 * firmware. */
gboolean fd_store_firmware_assigned (FdDb *db, const char *firmware_id, const char *device_id,
                                     gboolean *assigned, GError **error);
/* Inserts @r (every member but in_use_*); CONFLICT when the workspace has its version and
 * target already, NOT_FOUND when the workspace does not exist. */
gboolean fd_store_firmware_insert (FdDb *db, const FdFirmwareRecord *r, const char *actor,
                                   GError **error);
/* The page of @workspace_id's firmware (FdFirmwareRecord *), newest first. */
gboolean fd_store_firmware_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size,
                                 FdPage *page, GError **error);
/* Deletes the row; CONFLICT naming the campaign when a running or paused one uses it. */
gboolean fd_store_firmware_delete (FdDb *db, const char *id, GError **error);
/* How many firmware files @workspace_id has. */
gboolean fd_store_firmware_count (FdDb *db, const char *workspace_id, gint64 *count,
                                  GError **error);
/* Adds the file names of @workspace_id's firmware (char *) to @into. */
gboolean fd_store_firmware_files (FdDb *db, const char *workspace_id, GPtrArray *into,
                                  GError **error);

/* The workspace's key, or NULL (no error) when it has none yet. */
FdSigningKey *fd_store_signing_key_get (FdDb *db, const char *workspace_id, GError **error);
/* Inserts or replaces the workspace's key row. */
gboolean fd_store_signing_key_put (FdDb *db, const FdSigningKey *k, GError **error);

G_END_DECLS
