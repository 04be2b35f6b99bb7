/* fd-db.c — SQLite connection, statement cache, error mapping. */
#include "fd-db.h"

struct _FdDb
{
  sqlite3 *handle;
  GHashTable *statements; /* const char *sql (by address) -> sqlite3_stmt* */
};

G_DEFINE_QUARK (fd - store - error - quark, fd_store_error)

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

char *
fd_db_fold (const char *text)
{
  for (const char *p = text; *p; p++)
    if ((guchar)*p >= 0x80)
      return g_utf8_casefold (text, -1);
  return g_ascii_strdown (text, -1);
}

/* fd_fold(text): the case-folded text, for case-insensitive search in any script (SQLite's own
 * LIKE folds ASCII only). ASCII, the common case, is folded without a heap allocation. */
static void
sql_fold (sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
  const unsigned char *text = sqlite3_value_text (argv[0]);
  int len = sqlite3_value_bytes (argv[0]);
  char small[256];

  if (text == NULL)
    {
      sqlite3_result_null (ctx);
      return;
    }
  if (len < (int)sizeof small)
    {
      gboolean ascii = TRUE;
      for (int i = 0; i < len; i++)
        {
          if (text[i] >= 0x80)
            {
              ascii = FALSE;
              break;
            }
          small[i] = g_ascii_tolower (text[i]);
        }
      if (ascii)
        {
          sqlite3_result_text (ctx, small, len, SQLITE_TRANSIENT);
          return;
        }
    }
  sqlite3_result_text (ctx, fd_db_fold ((const char *)text), -1, g_free);
}

FdDb *
fd_db_open (const char *path, gboolean read_only, GError **error)
{
  int flags = SQLITE_OPEN_NOMUTEX
              | (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  g_autoptr (FdDb) db = g_new0 (FdDb, 1);
  int rc;

  db->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_statement);
  rc = sqlite3_open_v2 (path, &db->handle, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED, "cannot open database %s: %s",
                   path, db->handle ? sqlite3_errmsg (db->handle) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (db->handle, 1);
  sqlite3_busy_timeout (db->handle, 10000);

  if (!fd_db_exec (db, "PRAGMA foreign_keys = ON", error))
    return NULL;
  if (sqlite3_create_function_v2 (db->handle, "fd_fold", 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                  sql_fold, NULL, NULL, NULL)
      != SQLITE_OK)
    {
      fd_db_set_error (db, error, "registering fd_fold");
      return NULL;
    }
  if (!read_only)
    {
      /* WAL lets readers run beside the one writer; NORMAL sync is durable against a crash of
       * the process (the WAL is written before a commit returns), which is what an
       * acknowledgement promises. */
      /* Set before anything writes the file: a new database is made with it (retention then
       * gives the pages it frees back to the file system, fd-store-retention.c); switching to
       * WAL below writes the header, after which only a VACUUM could change it. On an
       * existing database it does nothing (fd_store_open() converts one made without). */
      if (!fd_db_exec (db, "PRAGMA auto_vacuum = INCREMENTAL", error))
        return NULL;
      if (!fd_db_exec (db, "PRAGMA journal_mode = WAL", error)
          || !fd_db_exec (db, "PRAGMA synchronous = NORMAL", error))
        return NULL;
    }
  return g_steal_pointer (&db);
}

void
fd_db_close (FdDb *db)
{
  if (db == NULL)
    return;
  g_hash_table_destroy (db->statements);
  if (db->handle != NULL)
    sqlite3_close_v2 (db->handle);
  g_free (db);
}

sqlite3 *
fd_db_handle (FdDb *db)
{
  return db->handle;
}

void
fd_db_set_error (FdDb *db, GError **error, const char *what)
{
  int code = sqlite3_extended_errcode (db->handle);
  int primary = code & 0xff;

  if (primary == SQLITE_CONSTRAINT)
    g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT, "%s: %s", what,
                 sqlite3_errmsg (db->handle));
  else
    g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED, "%s: %s (SQLite error %d)", what,
                 sqlite3_errmsg (db->handle), code);
}

sqlite3_stmt *
fd_db_prepare (FdDb *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (db->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      fd_db_set_error (db, error, "preparing a statement");
      return NULL;
    }
  g_hash_table_insert (db->statements, (gpointer)sql, stmt);
  return stmt;
}

gboolean
fd_db_exec (FdDb *db, const char *sql, GError **error)
{
  char *message = NULL;

  if (sqlite3_exec (db->handle, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED, "%s", message ? message : sql);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_db_step_done (FdDb *db, sqlite3_stmt *stmt, const char *conflict_message, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      return TRUE;
    }
  if ((rc & 0xff) == SQLITE_CONSTRAINT && conflict_message != NULL)
    g_set_error_literal (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT, conflict_message);
  else
    fd_db_set_error (db, error, "writing to the database");
  sqlite3_reset (stmt);
  return FALSE;
}

static gpointer
true_from_row (sqlite3_stmt *stmt)
{
  return GINT_TO_POINTER (TRUE);
}

gboolean
fd_db_exists (FdDb *db, const char *sql, const char *what, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, true_from_row, what, id, error) != NULL;
}

gboolean
fd_db_fetch_string (FdDb *db, sqlite3_stmt *stmt, char **value, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  *value = rc == SQLITE_ROW ? fd_db_column_dup (stmt, 0) : NULL;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_db_fetch_strings (FdDb *db, sqlite3_stmt *stmt, GPtrArray *into, const char *what,
                     GError **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (into, fd_db_column_dup (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, what);
      return FALSE;
    }
  return TRUE;
}

void
fd_db_bind_time (sqlite3_stmt *stmt, int index, gint64 ms)
{
  if (ms == 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, ms);
}

gint64
fd_db_column_time (sqlite3_stmt *stmt, int column)
{
  return sqlite3_column_type (stmt, column) == SQLITE_NULL ? 0
                                                           : sqlite3_column_int64 (stmt, column);
}

void
fd_db_bind_text (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

char *
fd_db_column_dup (sqlite3_stmt *stmt, int column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);
  return text ? g_strdup ((const char *)text) : NULL;
}

gpointer
fd_db_fetch_one (FdDb *db, sqlite3_stmt *stmt, FdDbRowFunc row, const char *what, const char *id,
                 GError **error)
{
  gpointer record = NULL;
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    record = row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "%s %s does not exist", what, id);
  else
    fd_db_set_error (db, error, "reading from the database");
  sqlite3_reset (stmt);
  return record;
}

gboolean
fd_db_fetch_count (FdDb *db, sqlite3_stmt *stmt, gint64 *count, GError **error)
{
  gboolean ok = sqlite3_step (stmt) == SQLITE_ROW;

  if (ok)
    *count = sqlite3_column_int64 (stmt, 0);
  else
    fd_db_set_error (db, error, "counting in the database");
  sqlite3_reset (stmt);
  return ok;
}

gboolean
fd_db_fetch_all (FdDb *db, sqlite3_stmt *stmt, FdDbRowFunc row, GPtrArray *into, GError **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (into, row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading from the database");
      return FALSE;
    }
  return TRUE;
}
