/* fd-store-tokens.c — API tokens, kept as SHA-256 hashes of their secrets. */
#include "fd-store-entities.h"
#include "fd-util.h"

#define TOKEN_COLUMNS "SELECT id, name, created_at, last_used_at, revoked_at FROM api_token"

static gpointer
token_from_row (sqlite3_stmt *stmt)
{
  FdToken *t = g_new0 (FdToken, 1);

  t->id = fd_db_column_dup (stmt, 0);
  t->name = fd_db_column_dup (stmt, 1);
  t->created_at = sqlite3_column_int64 (stmt, 2);
  t->last_used_at = sqlite3_column_int64 (stmt, 3);
  t->revoked_at = sqlite3_column_int64 (stmt, 4);
  return t;
}

static FdToken *
token_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, TOKEN_COLUMNS " WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, token_from_row, "token", id, error);
}

FdToken *
fd_store_token_create (FdDb *db, const char *name, const char *secret_hash, GError **error)
{
  g_autofree char *id = fd_id_new ("tok");
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "INSERT INTO api_token (id, name, hash, created_at)"
                                      " VALUES (?1, ?2, ?3, ?4)",
                                      error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, name);
  fd_db_bind_text (stmt, 3, secret_hash);
  sqlite3_bind_int64 (stmt, 4, fd_now_ms ());
  if (!fd_db_step_done (db, stmt, NULL, error))
    return NULL;
  return token_get (db, id, error);
}

FdToken *
fd_store_token_lookup (FdDb *db, const char *secret_hash, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, TOKEN_COLUMNS " WHERE hash = ?1 AND revoked_at IS NULL", error);
  FdToken *t = NULL;
  int rc;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, secret_hash);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    t = token_from_row (stmt);
  else if (rc != SQLITE_DONE)
    fd_db_set_error (db, error, "looking up a token");
  sqlite3_reset (stmt);
  return t;
}

gboolean
fd_store_token_list (FdDb *db, gint64 from, gint64 size, FdPage *page, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT count(*) FROM api_token", error);

  if (stmt == NULL)
    return FALSE;
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;

  stmt = fd_db_prepare (db, TOKEN_COLUMNS " ORDER BY created_at, rowid LIMIT ?1 OFFSET ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, size);
  sqlite3_bind_int64 (stmt, 2, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_token_free);
  return fd_db_fetch_all (db, stmt, token_from_row, page->items, error);
}

gboolean
fd_store_token_revoke (FdDb *db, const char *id, GError **error)
{
  g_autoptr (FdToken) t = token_get (db, id, error);
  sqlite3_stmt *stmt;

  if (t == NULL)
    return FALSE;
  if (t->revoked_at != 0)
    return TRUE;
  stmt = fd_db_prepare (db, "UPDATE api_token SET revoked_at = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, fd_now_ms ());
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_token_touch (FdDb *db, const char *id, gint64 when, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "UPDATE api_token SET last_used_at = ?2 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, when);
  return fd_db_step_done (db, stmt, NULL, error);
}
