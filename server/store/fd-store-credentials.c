/* fd-store-credentials.c — device credentials: certificates bound by fingerprint, device keys. */
#include "fd-store-provision.h"
#include "fd-util.h"

#include <string.h>

static const char *const kind_names[] = {
  [FD_CREDENTIAL_GENERATED] = "generated",
  [FD_CREDENTIAL_CSR] = "csr",
  [FD_CREDENTIAL_CERTIFICATE] = "certificate",
  [FD_CREDENTIAL_KEY] = "key",
};

const char *
fd_credential_kind_name (FdCredentialKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (kind_names), "key");
  return kind_names[kind];
}

int
fd_credential_kind_from_name (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (kind_names[i], name))
      return (int)i;
  return -1;
}

void
fd_credential_free (FdCredential *c)
{
  if (c == NULL)
    return;
  g_free (c->id);
  g_free (c->device_id);
  g_free (c->fingerprint);
  g_free (c->certificate);
  g_free (c->subject);
  g_free (c->issuer);
  g_free (c->mode);
  g_free (c);
}

void
fd_credential_match_free (FdCredentialMatch *m)
{
  if (m == NULL)
    return;
  g_free (m->credential_id);
  g_free (m->device_id);
  g_free (m->workspace_id);
  g_clear_pointer (&m->secret, g_bytes_unref);
  g_free (m);
}

#define CREDENTIAL_COLUMNS                                                                         \
  "SELECT id, device_id, kind, fingerprint, certificate, subject, issuer, key_id, mode,"           \
  " created_at, expires_at, revoked_at FROM credential"

static gpointer
credential_from_row (sqlite3_stmt *stmt)
{
  FdCredential *c = g_new0 (FdCredential, 1);
  int kind = fd_credential_kind_from_name ((const char *)sqlite3_column_text (stmt, 2));

  c->id = fd_db_column_dup (stmt, 0);
  c->device_id = fd_db_column_dup (stmt, 1);
  c->kind = kind < 0 ? FD_CREDENTIAL_KEY : (FdCredentialKind)kind;
  c->fingerprint = fd_db_column_dup (stmt, 3);
  c->certificate = fd_db_column_dup (stmt, 4);
  c->subject = fd_db_column_dup (stmt, 5);
  c->issuer = fd_db_column_dup (stmt, 6);
  c->key_id = sqlite3_column_int64 (stmt, 7);
  c->mode = fd_db_column_dup (stmt, 8);
  c->created_at = sqlite3_column_int64 (stmt, 9);
  c->expires_at = sqlite3_column_int64 (stmt, 10);
  c->revoked_at = sqlite3_column_int64 (stmt, 11);
  return c;
}

FdCredential *
fd_store_credential_get (FdDb *db, const char *device_id, const char *id, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, CREDENTIAL_COLUMNS " WHERE id = ?1 AND device_id = ?2", error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, device_id);
  return fd_db_fetch_one (db, stmt, credential_from_row, "credential", id, error);
}

FdCredential *
fd_store_credential_create (FdDb *db, const FdCredential *tmpl, GBytes *secret,
                            const char *secret_hash, GError **error)
{
  g_autofree char *id = fd_id_new ("crd");
  g_autofree char *conflict = NULL;
  sqlite3_stmt *stmt;
  gint64 key_id = 0;

  if (!fd_store_device_exists (db, tmpl->device_id, error))
    return NULL;
  if (tmpl->kind == FD_CREDENTIAL_KEY)
    {
      stmt = fd_db_prepare (
          db, "SELECT coalesce(max(key_id), 0) + 1 FROM credential WHERE device_id = ?1", error);
      if (stmt == NULL)
        return NULL;
      fd_db_bind_text (stmt, 1, tmpl->device_id);
      if (!fd_db_fetch_count (db, stmt, &key_id, error))
        return NULL;
    }

  stmt = fd_db_prepare (db,
                        "INSERT INTO credential (id, device_id, kind, fingerprint, certificate,"
                        " subject, issuer, key_id, mode, secret, secret_hash, created_at,"
                        " expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                        " ?13)",
                        error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, tmpl->device_id);
  fd_db_bind_text (stmt, 3, fd_credential_kind_name (tmpl->kind));
  fd_db_bind_text (stmt, 4, tmpl->fingerprint);
  fd_db_bind_text (stmt, 5, tmpl->certificate);
  fd_db_bind_text (stmt, 6, tmpl->subject);
  fd_db_bind_text (stmt, 7, tmpl->issuer);
  if (key_id > 0)
    sqlite3_bind_int64 (stmt, 8, key_id);
  fd_db_bind_text (stmt, 9, tmpl->mode);
  if (secret != NULL)
    {
      gsize len;
      const void *data = g_bytes_get_data (secret, &len);
      sqlite3_bind_blob (stmt, 10, data, (int)len, SQLITE_TRANSIENT);
    }
  fd_db_bind_text (stmt, 11, secret_hash);
  sqlite3_bind_int64 (stmt, 12, fd_now_ms ());
  if (tmpl->expires_at > 0)
    sqlite3_bind_int64 (stmt, 13, tmpl->expires_at);
  conflict = g_strdup_printf ("the certificate with SHA-256 fingerprint %s is already bound to a "
                              "live credential; revoke that one first",
                              tmpl->fingerprint ? tmpl->fingerprint : "(none)");
  if (!fd_db_step_done (db, stmt, conflict, error))
    return NULL;
  return fd_store_credential_get (db, tmpl->device_id, id, error);
}

gboolean
fd_store_credential_list (FdDb *db, const char *device_id, FdPage *page, GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_device_exists (db, device_id, error))
    return FALSE;
  stmt = fd_db_prepare (db, CREDENTIAL_COLUMNS " WHERE device_id = ?1 ORDER BY created_at, rowid",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_credential_free);
  if (!fd_db_fetch_all (db, stmt, credential_from_row, page->items, error))
    return FALSE;
  page->total = page->items->len;
  return TRUE;
}

gboolean
fd_store_credential_revoke (FdDb *db, const char *device_id, const char *id, GError **error)
{
  g_autoptr (FdCredential) c = fd_store_credential_get (db, device_id, id, error);
  sqlite3_stmt *stmt;

  if (c == NULL)
    return FALSE;
  if (c->revoked_at != 0)
    return TRUE;
  /* The secret of a revoked key is of no further use: it is wiped with the revocation. */
  stmt = fd_db_prepare (db, "UPDATE credential SET revoked_at = ?2, secret = NULL WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, fd_now_ms ());
  return fd_db_step_done (db, stmt, NULL, error);
}

#define MATCH_COLUMNS                                                                              \
  "SELECT c.id, c.device_id, d.workspace_id, c.kind, c.expires_at, c.secret"                       \
  " FROM credential c JOIN device d ON d.id = c.device_id"

static gpointer
match_from_row (sqlite3_stmt *stmt)
{
  FdCredentialMatch *m = g_new0 (FdCredentialMatch, 1);
  int kind = fd_credential_kind_from_name ((const char *)sqlite3_column_text (stmt, 3));

  m->credential_id = fd_db_column_dup (stmt, 0);
  m->device_id = fd_db_column_dup (stmt, 1);
  m->workspace_id = fd_db_column_dup (stmt, 2);
  m->kind = kind < 0 ? FD_CREDENTIAL_KEY : (FdCredentialKind)kind;
  m->expires_at = sqlite3_column_int64 (stmt, 4);
  if (sqlite3_column_type (stmt, 5) == SQLITE_BLOB)
    m->secret = fd_secret_bytes_new (sqlite3_column_blob (stmt, 5),
                                     (gsize)sqlite3_column_bytes (stmt, 5));
  return m;
}

static FdCredentialMatch *
fetch_match (FdDb *db, sqlite3_stmt *stmt, GError **error)
{
  FdCredentialMatch *m = NULL;
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    m = match_from_row (stmt);
  else if (rc != SQLITE_DONE)
    fd_db_set_error (db, error, "looking up a device credential");
  sqlite3_reset (stmt);
  return m;
}

FdCredentialMatch *
fd_store_credential_by_fingerprint (FdDb *db, const char *fingerprint, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, MATCH_COLUMNS " WHERE c.fingerprint = ?1 AND c.revoked_at IS NULL", error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, fingerprint);
  return fetch_match (db, stmt, error);
}

FdCredentialMatch *
fd_store_credential_by_key (FdDb *db, const char *device_id, gint64 key_id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      MATCH_COLUMNS " WHERE c.device_id = ?1 AND c.key_id = ?2"
                                                    " AND c.mode = 'device_token'"
                                                    " AND c.revoked_at IS NULL",
                                      error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, key_id);
  return fetch_match (db, stmt, error);
}

FdCredentialMatch *
fd_store_credential_by_token_hash (FdDb *db, const char *hash, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, MATCH_COLUMNS " WHERE c.secret_hash = ?1 AND c.revoked_at IS NULL", error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, hash);
  return fetch_match (db, stmt, error);
}
