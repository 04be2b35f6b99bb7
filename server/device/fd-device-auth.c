/* fd-device-auth.c — device identity from certificates and tokens, and its revocation.
 *
 * Lookups read the database directly (one indexed query on a read-only connection of the
 * engine thread), so a credential the API just made works at once. Revocations and deletions
 * are also kept in memory from the moment the API committed them: an identity made before
 * (a TLS connection that is still open) is then refused on its next request, without a query.
 */
#include "fd-device-auth.h"

#include "fd-util.h"
#include "pki/fd-jwt.h"
#include "store/fd-store-provision.h"

#include <string.h>

G_DEFINE_QUARK (fd - device - auth - error - quark, fd_device_auth_error)

typedef struct
{
  FdDeviceAuthRevokedFunc func;
  gpointer user_data;
} Watch;

struct _FdDeviceAuth
{
  FdDb *db;
  GHashTable *revoked; /* credential ids revoked while running */
  GHashTable *deleted; /* device ids deleted while running */
  GArray *watches;     /* Watch */
};

static const char *const kind_names[] = {
  [FD_DEVICE_AUTH_CERTIFICATE] = "certificate",
  [FD_DEVICE_AUTH_JWT] = "jwt",
  [FD_DEVICE_AUTH_CLOUD_TOKEN] = "cloud_token",
};

const char *
fd_device_auth_kind_name (FdDeviceAuthKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (kind_names), "");
  return kind_names[kind];
}

FdDeviceIdentity *
fd_device_identity_new (const char *device_id, const char *workspace_id, const char *credential_id,
                        FdDeviceAuthKind kind)
{
  FdDeviceIdentity *id = g_atomic_rc_box_new0 (FdDeviceIdentity);

  id->device_id = g_strdup (device_id);
  id->workspace_id = g_strdup (workspace_id);
  id->credential_id = g_strdup (credential_id);
  id->kind = kind;
  return id;
}

/* The earlier of two expiry times, 0 meaning never. */
static gint64
earliest (gint64 a, gint64 b)
{
  if (a <= 0)
    return b;
  if (b <= 0)
    return a;
  return MIN (a, b);
}

/* @expires_at: when what was presented (certificate, token) stops being good, 0: never; the
 * credential's own expiry counts too. */
static FdDeviceIdentity *
identity_new (const FdCredentialMatch *m, FdDeviceAuthKind kind, gint64 expires_at)
{
  FdDeviceIdentity *id
      = fd_device_identity_new (m->device_id, m->workspace_id, m->credential_id, kind);

  id->expires_at = earliest (m->expires_at, expires_at);
  return id;
}

gboolean
fd_device_identity_matches (const FdDeviceIdentity *id, const char *credential_id,
                            const char *device_id)
{
  if (id == NULL)
    return FALSE;
  return (credential_id != NULL && g_str_equal (id->credential_id, credential_id))
         || (device_id != NULL && g_str_equal (id->device_id, device_id));
}

char *
fd_device_peer_address (GSocketConnection *connection)
{
  g_autoptr (GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("?");
  return g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

FdDeviceIdentity *
fd_device_identity_ref (FdDeviceIdentity *id)
{
  return g_atomic_rc_box_acquire (id);
}

static void
identity_clear (gpointer data)
{
  FdDeviceIdentity *id = data;

  g_free (id->device_id);
  g_free (id->workspace_id);
  g_free (id->credential_id);
}

void
fd_device_identity_unref (FdDeviceIdentity *id)
{
  if (id != NULL)
    g_atomic_rc_box_release_full (id, identity_clear);
}

FdDeviceAuth *
fd_device_auth_new (const char *db_path, GError **error)
{
  FdDb *db = fd_db_open (db_path, TRUE, error);
  FdDeviceAuth *auth;

  if (db == NULL)
    return NULL;
  auth = g_new0 (FdDeviceAuth, 1);
  auth->db = db;
  auth->revoked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  auth->deleted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  auth->watches = g_array_new (FALSE, FALSE, sizeof (Watch));
  return auth;
}

void
fd_device_auth_free (FdDeviceAuth *auth)
{
  if (auth == NULL)
    return;
  fd_db_close (auth->db);
  g_hash_table_destroy (auth->revoked);
  g_hash_table_destroy (auth->deleted);
  g_array_unref (auth->watches);
  g_free (auth);
}

static gboolean
lookup_failed (GError *local_error, GError **error)
{
  g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_FAILED,
               "the credentials could not be read: %s", local_error->message);
  g_error_free (local_error);
  return FALSE;
}

/* Refuses a match whose device or credential went away while running, or that expired. */
static gboolean
match_usable (FdDeviceAuth *auth, const FdCredentialMatch *m, GError **error)
{
  if (g_hash_table_contains (auth->revoked, m->credential_id)
      || g_hash_table_contains (auth->deleted, m->device_id))
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_UNKNOWN,
                   "the credential was revoked");
      return FALSE;
    }
  if (m->expires_at > 0 && m->expires_at <= fd_now_ms ())
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_EXPIRED,
                   "credential %s expired", m->credential_id);
      return FALSE;
    }
  return TRUE;
}

FdDeviceIdentity *
fd_device_auth_certificate (FdDeviceAuth *auth, GTlsCertificate *cert, GError **error)
{
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (FdCertInfo) info = NULL;
  g_autoptr (FdCredentialMatch) m = NULL;
  g_autofree char *fingerprint = NULL;
  GError *local_error = NULL;
  gint64 now = fd_now_ms ();

  g_object_get (cert, "certificate", &der, NULL);
  if (der == NULL || der->len == 0)
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_INVALID,
                   "the client certificate could not be read");
      return NULL;
    }
  info = fd_pki_parse_der (NULL, der->data, der->len, &local_error);
  if (info == NULL)
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_INVALID,
                   "the client certificate is not valid: %s", local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  if (now < info->not_before)
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_INVALID,
                   "the client certificate is not valid yet");
      return NULL;
    }
  if (now >= info->not_after)
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_EXPIRED,
                   "the client certificate expired");
      return NULL;
    }
  m = fd_store_credential_by_fingerprint (auth->db, info->fingerprint, &local_error);
  if (local_error != NULL)
    {
      lookup_failed (local_error, error);
      return NULL;
    }
  if (m == NULL)
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_UNKNOWN,
                   "the client certificate (SHA-256 %.16s…) is not a credential of any device",
                   info->fingerprint);
      return NULL;
    }
  if (!match_usable (auth, m, error))
    return NULL;
  return identity_new (m, FD_DEVICE_AUTH_CERTIFICATE, info->not_after);
}

static FdDeviceIdentity *
auth_jwt (FdDeviceAuth *auth, const char *username, const char *token, GError **error)
{
  FdJwtClaims claims;
  g_autoptr (FdCredentialMatch) m = NULL;
  GError *local_error = NULL;
  gsize key_len = 0;
  const guint8 *key;

  if (!fd_jwt_peek (token, &claims, &local_error))
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_INVALID, "%s",
                   local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  if (username != NULL && !g_str_equal (username, claims.sub))
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_INVALID,
                   "the token belongs to another device than the user name");
      return NULL;
    }
  if (!fd_id_is_valid (claims.sub, "dev"))
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_UNKNOWN,
                   "the token's subject is not a device id");
      return NULL;
    }
  m = fd_store_credential_by_key (auth->db, claims.sub, claims.key, &local_error);
  if (local_error != NULL)
    {
      lookup_failed (local_error, error);
      return NULL;
    }
  if (m == NULL || m->secret == NULL)
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_UNKNOWN,
                   "device %s has no live key %" G_GINT64_FORMAT, claims.sub, claims.key);
      return NULL;
    }
  key = g_bytes_get_data (m->secret, &key_len);
  if (!fd_jwt_verify (token, key, key_len, fd_now_ms () / 1000, &claims, &local_error))
    {
      gboolean expired = g_error_matches (local_error, FD_JWT_ERROR, FD_JWT_ERROR_EXPIRED);
      g_set_error (error, FD_DEVICE_AUTH_ERROR,
                   expired ? FD_DEVICE_AUTH_ERROR_EXPIRED : FD_DEVICE_AUTH_ERROR_INVALID, "%s",
                   local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  if (!match_usable (auth, m, error))
    return NULL;
  /* exp is in seconds; fd_jwt_verify() found it in the future, so it is positive. */
  return identity_new (m, FD_DEVICE_AUTH_JWT,
                       claims.exp < G_MAXINT64 / 1000 ? claims.exp * 1000 : G_MAXINT64);
}

FdDeviceIdentity *
fd_device_auth_token (FdDeviceAuth *auth, const char *username, const char *token, GError **error)
{
  g_autoptr (FdCredentialMatch) m = NULL;
  g_autofree char *hash = NULL;
  GError *local_error = NULL;

  if (token == NULL || *token == '\0' || strlen (token) > FD_JWT_MAX_BYTES)
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_INVALID,
                   "the token is empty or too long");
      return NULL;
    }
  if (fd_jwt_looks_like (token))
    return auth_jwt (auth, username, token, error);

  hash = fd_token_hash (token);
  m = fd_store_credential_by_token_hash (auth->db, hash, &local_error);
  if (local_error != NULL)
    {
      lookup_failed (local_error, error);
      return NULL;
    }
  if (m == NULL || (username != NULL && !g_str_equal (username, m->device_id)))
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_UNKNOWN,
                   "the token is not a credential of any device");
      return NULL;
    }
  if (!match_usable (auth, m, error))
    return NULL;
  return identity_new (m, FD_DEVICE_AUTH_CLOUD_TOKEN, 0);
}

gboolean
fd_device_auth_still_valid (FdDeviceAuth *auth, const FdDeviceIdentity *id, GError **error)
{
  if (g_hash_table_contains (auth->revoked, id->credential_id)
      || g_hash_table_contains (auth->deleted, id->device_id))
    {
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_UNKNOWN,
                   "the credential was revoked or the device deleted");
      return FALSE;
    }
  /* A connection may outlive what authenticated it (a certificate, a key, a JWT): expired is
   * expired, also on a connection that was authenticated before. */
  if (id->expires_at > 0 && fd_now_ms () >= id->expires_at)
    {
      g_autofree char *when = fd_time_format_ms (id->expires_at);
      g_set_error (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_EXPIRED,
                   "the %s of credential %s expired at %s",
                   id->kind == FD_DEVICE_AUTH_CERTIFICATE ? "certificate"
                   : id->kind == FD_DEVICE_AUTH_JWT       ? "token"
                                                          : "key",
                   id->credential_id, when);
      return FALSE;
    }
  return TRUE;
}

static void
notify (FdDeviceAuth *auth, const char *credential_id, const char *device_id)
{
  /* A watcher may remove itself while being told: walk a copy. */
  g_autoptr (GArray) watches = g_array_copy (auth->watches);

  for (guint i = 0; i < watches->len; i++)
    {
      Watch *w = &g_array_index (watches, Watch, i);
      w->func (credential_id, device_id, w->user_data);
    }
}

void
fd_device_auth_credential_revoked (FdDeviceAuth *auth, const char *credential_id)
{
  g_hash_table_add (auth->revoked, g_strdup (credential_id));
  notify (auth, credential_id, NULL);
}

void
fd_device_auth_device_deleted (FdDeviceAuth *auth, const char *device_id)
{
  g_hash_table_add (auth->deleted, g_strdup (device_id));
  notify (auth, NULL, device_id);
}

void
fd_device_auth_devices_deleted (FdDeviceAuth *auth, GPtrArray *device_ids)
{
  for (guint i = 0; i < device_ids->len; i++)
    g_hash_table_add (auth->deleted, g_strdup (g_ptr_array_index (device_ids, i)));
  if (device_ids->len > 0)
    notify (auth, NULL, NULL);
}

void
fd_device_auth_add_watch (FdDeviceAuth *auth, FdDeviceAuthRevokedFunc func, gpointer user_data)
{
  Watch w = { func, user_data };
  g_array_append_val (auth->watches, w);
}

void
fd_device_auth_remove_watch (FdDeviceAuth *auth, FdDeviceAuthRevokedFunc func, gpointer user_data)
{
  for (guint i = 0; i < auth->watches->len; i++)
    {
      Watch *w = &g_array_index (auth->watches, Watch, i);
      if (w->func == func && w->user_data == user_data)
        {
          g_array_remove_index (auth->watches, i);
          return;
        }
    }
}
