/* fd-device-auth.h — who a device is: its identity from a TLS client certificate or a bearer
 * token (device-token JWT or cloud token), and whether that identity is still good.
 *
 * Lookups run on the engine thread against a read-only connection (indexed, tens of
 * microseconds) behind a small cache, so a credential made by the API is usable at once and a
 * revoked one stops at once. Revocation (and device deletion) is pushed here by the operator
 * API, and watchers (the transports) are told so they can close live sessions.
 */
#pragma once

#include <gio/gio.h>

#include "pki/fd-pki.h"
#include "store/fd-store.h"

G_BEGIN_DECLS

#define FD_DEVICE_AUTH_ERROR (fd_device_auth_error_quark ())
GQuark fd_device_auth_error_quark (void);

typedef enum
{
  FD_DEVICE_AUTH_ERROR_UNKNOWN, /* no live credential matches (unknown, revoked, device gone) */
  FD_DEVICE_AUTH_ERROR_EXPIRED, /* the certificate, key or token is past its expiry */
  FD_DEVICE_AUTH_ERROR_INVALID, /* malformed token, bad signature, a certificate not yet valid */
  FD_DEVICE_AUTH_ERROR_FAILED,  /* the store could not be read */
} FdDeviceAuthError;

typedef enum
{
  FD_DEVICE_AUTH_CERTIFICATE,
  FD_DEVICE_AUTH_JWT,
  FD_DEVICE_AUTH_CLOUD_TOKEN,
} FdDeviceAuthKind;

/* An authenticated device. Reference-counted; immutable once made. */
typedef struct
{
  char *device_id;
  char *workspace_id;
  char *credential_id;
  FdDeviceAuthKind kind;
  /* Epoch ms from which the identity is no longer good (0: never): the earliest of the
   * credential's expiry, the certificate's notAfter and the JWT's exp. */
  gint64 expires_at;
} FdDeviceIdentity;

/* A new identity (for transports that authenticated otherwise, and tests). */
FdDeviceIdentity *fd_device_identity_new (const char *device_id, const char *workspace_id,
                                          const char *credential_id, FdDeviceAuthKind kind);
FdDeviceIdentity *fd_device_identity_ref (FdDeviceIdentity *id);
void fd_device_identity_unref (FdDeviceIdentity *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDeviceIdentity, fd_device_identity_unref)
/* TRUE when @id (may be NULL) is of @credential_id or of @device_id (either may be NULL): what
 * a revocation watcher asks of each live connection. */
gboolean fd_device_identity_matches (const FdDeviceIdentity *id, const char *credential_id,
                                     const char *device_id);
/* The remote IP address of @connection as text ("?" when it has none): what per-address
 * connection limits count and presence shows. */
char *fd_device_peer_address (GSocketConnection *connection);
/* "certificate", "jwt", "cloud_token". */
const char *fd_device_auth_kind_name (FdDeviceAuthKind kind);

typedef struct _FdDeviceAuth FdDeviceAuth;

/* @db_path is opened read-only on the calling (engine) thread. */
FdDeviceAuth *fd_device_auth_new (const char *db_path, GError **error);
void fd_device_auth_free (FdDeviceAuth *auth);

/* The device whose live credential is the certificate @cert (a TLS peer certificate): its
 * SHA-256 fingerprint bound to a credential that is not revoked, of a device that exists, and
 * now within the certificate's validity. */
FdDeviceIdentity *fd_device_auth_certificate (FdDeviceAuth *auth, GTlsCertificate *cert,
                                              GError **error);

/* The device whose credential @token is: a device-token JWT (verified with its key, exp in the
 * future, key neither revoked nor expired) or a cloud token (looked up by its hash). When
 * @username is not NULL (MQTT) it must be the device id the token belongs to. */
FdDeviceIdentity *fd_device_auth_token (FdDeviceAuth *auth, const char *username, const char *token,
                                        GError **error);

/* TRUE while @id's credential has not been revoked, its device not deleted since @id was made,
 * and @id has not expired (UNKNOWN or EXPIRED otherwise): a hash lookup and a clock reading, for
 * every request on a live connection. */
gboolean fd_device_auth_still_valid (FdDeviceAuth *auth, const FdDeviceIdentity *id,
                                     GError **error);

/* Called by the operator API after it committed a revocation / a device deletion. */
void fd_device_auth_credential_revoked (FdDeviceAuth *auth, const char *credential_id);
void fd_device_auth_device_deleted (FdDeviceAuth *auth, const char *device_id);
/* Many at once (a forced delete of a fleet or workspace): watchers are told once. */
void fd_device_auth_devices_deleted (FdDeviceAuth *auth, GPtrArray *device_ids);

/* Watchers are told (on the engine thread) that identities of @credential_id, or of every
 * credential of @device_id (one of the two is NULL), are no longer good; both NULL means "many
 * changed at once: check every identity with fd_device_auth_still_valid()". */
typedef void (*FdDeviceAuthRevokedFunc) (const char *credential_id, const char *device_id,
                                         gpointer user_data);
void fd_device_auth_add_watch (FdDeviceAuth *auth, FdDeviceAuthRevokedFunc func,
                               gpointer user_data);
void fd_device_auth_remove_watch (FdDeviceAuth *auth, FdDeviceAuthRevokedFunc func,
                                  gpointer user_data);

G_END_DECLS
