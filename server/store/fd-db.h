/* fd-db.h — one SQLite connection with a cache of prepared statements.
 *
 * A connection belongs to one thread at a time (the writer, or a reader while it runs a query).
 * Statements are prepared once per connection (keyed by the address of their SQL text, which is
 * always a string literal) and reset before reuse. No SQL is ever formatted with user text.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define FD_STORE_ERROR (fd_store_error_quark ())

typedef enum
{
  FD_STORE_ERROR_NOT_FOUND,    /* the object does not exist */
  FD_STORE_ERROR_CONFLICT,     /* a name is taken, or the object is not empty */
  FD_STORE_ERROR_INVALID,      /* a reference to something that may not be used here */
  FD_STORE_ERROR_FAILED,       /* SQLite failed (disk full, I/O error, corrupt file) */
  FD_STORE_ERROR_SCHEMA_NEWER, /* the database was made by a newer Fleetdesk */
  FD_STORE_ERROR_CLOSED,       /* the store is shutting down */
} FdStoreError;

GQuark fd_store_error_quark (void);

typedef struct _FdDb FdDb;

/* Opens @path (read-write and created, or read-only) with WAL, foreign keys and a busy timeout. */
FdDb *fd_db_open (const char *path, gboolean read_only, GError **error);
void fd_db_close (FdDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDb, fd_db_close)

sqlite3 *fd_db_handle (FdDb *db);

/* Returns the cached statement for @sql (a string literal), reset and with bindings cleared. */
sqlite3_stmt *fd_db_prepare (FdDb *db, const char *sql, GError **error);

/* Runs SQL without parameters (schema, transactions). */
gboolean fd_db_exec (FdDb *db, const char *sql, GError **error);

/* Sets @error from the connection's last error, with @what naming the operation. */
void fd_db_set_error (FdDb *db, GError **error, const char *what);

/* Steps @stmt expecting SQLITE_DONE; a UNIQUE/FOREIGN KEY violation becomes CONFLICT with
 * @conflict_message (if not NULL). */
gboolean fd_db_step_done (FdDb *db, sqlite3_stmt *stmt, const char *conflict_message,
                          GError **error);

/* Turns the current row of a statement into a newly allocated record. */
typedef gpointer (*FdDbRowFunc) (sqlite3_stmt *stmt);

/* Steps @stmt (parameters bound) for one row and returns @row of it. When there is no row,
 * fails with NOT_FOUND "@what @id does not exist". Resets @stmt. */
gpointer fd_db_fetch_one (FdDb *db, sqlite3_stmt *stmt, FdDbRowFunc row, const char *what,
                          const char *id, GError **error);

/* Steps @stmt for its single integer result (a count). Resets @stmt. */
gboolean fd_db_fetch_count (FdDb *db, sqlite3_stmt *stmt, gint64 *count, GError **error);

/* Steps @stmt to its end, adding @row of each row to @into. Resets @stmt. */
gboolean fd_db_fetch_all (FdDb *db, sqlite3_stmt *stmt, FdDbRowFunc row, GPtrArray *into,
                          GError **error);

/* Binds a UTF-8 string (NULL binds SQL NULL). */
void fd_db_bind_text (sqlite3_stmt *stmt, int index, const char *text);

/* Column as a newly allocated string (NULL for SQL NULL). */
char *fd_db_column_dup (sqlite3_stmt *stmt, int column);
/* TRUE when @sql (a static "SELECT 1 FROM … WHERE id = ?1") finds @id, else FALSE with a
 * NOT_FOUND error "@what @id does not exist". */
gboolean fd_db_exists (FdDb *db, const char *sql, const char *what, const char *id, GError **error);
/* Column 0 of @stmt's first row (a new string) in *@value, NULL when there is no row; FALSE
 * with @error set (fd_db_set_error with @what) on an error. Resets @stmt. */
gboolean fd_db_fetch_string (FdDb *db, sqlite3_stmt *stmt, char **value, const char *what,
                             GError **error);
/* Steps @stmt to its end, adding column 0 of each row (a new string) to @into; on an error
 * sets @error (fd_db_set_error with @what) and returns FALSE. Resets @stmt. */
gboolean fd_db_fetch_strings (FdDb *db, sqlite3_stmt *stmt, GPtrArray *into, const char *what,
                              GError **error);
/* A time in ms where 0 is "none": bound as NULL, and a NULL column read as 0. */
void fd_db_bind_time (sqlite3_stmt *stmt, int index, gint64 ms);
gint64 fd_db_column_time (sqlite3_stmt *stmt, int column);

/* Case-folds @text the way the SQL function fd_fold() does: search is
 * "instr (fd_fold (name), fd_db_fold (search)) > 0", a literal, case-insensitive substring match
 * in any script. */
char *fd_db_fold (const char *text);

G_END_DECLS
