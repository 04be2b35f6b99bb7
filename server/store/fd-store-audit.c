/* fd-store-audit.c — the audit log: who changed what, and when. */
#include "fd-store-entities.h"
#include "fd-util.h"

gboolean
fd_store_audit_add (FdDb *db, const char *actor, const char *action, const char *target,
                    const char *detail, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "INSERT INTO audit (at, actor, action, target, detail)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5)",
                                      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, fd_now_ms ());
  fd_db_bind_text (stmt, 2, actor);
  fd_db_bind_text (stmt, 3, action);
  fd_db_bind_text (stmt, 4, target);
  fd_db_bind_text (stmt, 5, detail ? detail : "{}");
  return fd_db_step_done (db, stmt, NULL, error);
}

#define AUDIT_FILTER " WHERE (?1 IS NULL OR action = ?1) AND (?2 IS NULL OR target = ?2)"

static gpointer
audit_from_row (sqlite3_stmt *stmt)
{
  FdAuditEntry *e = g_new0 (FdAuditEntry, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->at = sqlite3_column_int64 (stmt, 1);
  e->actor = fd_db_column_dup (stmt, 2);
  e->action = fd_db_column_dup (stmt, 3);
  e->target = fd_db_column_dup (stmt, 4);
  e->detail = fd_db_column_dup (stmt, 5);
  return e;
}

gboolean
fd_store_audit_list (FdDb *db, const char *action, const char *target, gint64 from, gint64 size,
                     FdPage *page, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT count(*) FROM audit" AUDIT_FILTER, error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, action);
  fd_db_bind_text (stmt, 2, target);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;

  stmt = fd_db_prepare (db,
                        "SELECT id, at, actor, action, target, detail FROM audit" AUDIT_FILTER
                        " ORDER BY id DESC LIMIT ?3 OFFSET ?4",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, action);
  fd_db_bind_text (stmt, 2, target);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_audit_entry_free);
  return fd_db_fetch_all (db, stmt, audit_from_row, page->items, error);
}
