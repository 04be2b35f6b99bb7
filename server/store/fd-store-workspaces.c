/* fd-store-workspaces.c — workspaces, each with its default fleet. */
#include "fd-store-entities.h"
#include "fd-util.h"

#define WORKSPACE_COLUMNS                                                                          \
  "SELECT w.id, w.name, w.description, w.created_at, w.updated_at,"                                \
  " (SELECT id FROM fleet WHERE workspace_id = w.id AND is_default),"                              \
  " (SELECT count(*) FROM fleet WHERE workspace_id = w.id),"                                       \
  " (SELECT count(*) FROM device WHERE workspace_id = w.id),"                                      \
  " w.retention_days, w.rollup_retention_days"                                                     \
  " FROM workspace w"

static gpointer
workspace_from_row (sqlite3_stmt *stmt)
{
  FdWorkspace *w = g_new0 (FdWorkspace, 1);

  w->id = fd_db_column_dup (stmt, 0);
  w->name = fd_db_column_dup (stmt, 1);
  w->description = fd_db_column_dup (stmt, 2);
  w->created_at = sqlite3_column_int64 (stmt, 3);
  w->updated_at = sqlite3_column_int64 (stmt, 4);
  w->default_fleet_id = fd_db_column_dup (stmt, 5);
  w->fleet_count = sqlite3_column_int64 (stmt, 6);
  w->device_count = sqlite3_column_int64 (stmt, 7);
  w->retention_days = sqlite3_column_int64 (stmt, 8);
  w->rollup_retention_days = sqlite3_column_int64 (stmt, 9);
  return w;
}

FdWorkspace *
fd_store_workspace_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, WORKSPACE_COLUMNS " WHERE w.id = ?1", error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, workspace_from_row, "workspace", id, error);
}

gboolean
fd_store_workspace_exists (FdDb *db, const char *id, GError **error)
{
  return fd_db_exists (db, "SELECT 1 FROM workspace WHERE id = ?1", "workspace", id, error);
}

static gpointer
id_from_row (sqlite3_stmt *stmt)
{
  return fd_db_column_dup (stmt, 0);
}

char *
fd_store_workspace_default_fleet (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT id FROM fleet WHERE workspace_id = ?1 AND is_default", error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, id_from_row, "workspace", id, error);
}

FdWorkspace *
fd_store_workspace_create (FdDb *db, const char *name, const char *description, GError **error)
{
  g_autofree char *id = fd_id_new ("wks");
  g_autofree char *fleet_id = fd_id_new ("flt");
  g_autofree char *conflict = g_strdup_printf ("a workspace named \"%s\" already exists", name);
  gint64 now = fd_now_ms ();
  sqlite3_stmt *stmt;

  stmt = fd_db_prepare (db,
                        "INSERT INTO workspace (id, name, description, created_at, updated_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?4)",
                        error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, name);
  fd_db_bind_text (stmt, 3, description ? description : "");
  sqlite3_bind_int64 (stmt, 4, now);
  if (!fd_db_step_done (db, stmt, conflict, error))
    return NULL;

  stmt = fd_db_prepare (db,
                        "INSERT INTO fleet (id, workspace_id, name, is_default, created_at,"
                        " updated_at) VALUES (?1, ?2, 'default', 1, ?3, ?3)",
                        error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, fleet_id);
  fd_db_bind_text (stmt, 2, id);
  sqlite3_bind_int64 (stmt, 3, now);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return NULL;

  return fd_store_workspace_get (db, id, error);
}

gboolean
fd_store_workspace_list (FdDb *db, const char *search, gint64 from, gint64 size, FdPage *page,
                         GError **error)
{
  g_autofree char *pattern = search ? fd_db_fold (search) : NULL;
  sqlite3_stmt *stmt;

  stmt = fd_db_prepare (db,
                        "SELECT count(*) FROM workspace"
                        " WHERE ?1 IS NULL OR instr (fd_fold (name), ?1) > 0",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, pattern);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;

  stmt = fd_db_prepare (db,
                        WORKSPACE_COLUMNS " WHERE ?1 IS NULL OR instr (fd_fold (w.name), ?1) > 0"
                                          " ORDER BY w.name LIMIT ?2 OFFSET ?3",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, pattern);
  sqlite3_bind_int64 (stmt, 2, size);
  sqlite3_bind_int64 (stmt, 3, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_workspace_free);
  return fd_db_fetch_all (db, stmt, workspace_from_row, page->items, error);
}

FdWorkspace *
fd_store_workspace_update (FdDb *db, const char *id, const char *name, const char *description,
                           GError **error)
{
  g_autofree char *conflict
      = g_strdup_printf ("a workspace named \"%s\" already exists", name ? name : "");
  sqlite3_stmt *stmt;

  stmt = fd_db_prepare (db,
                        "UPDATE workspace SET name = coalesce(?2, name),"
                        " description = coalesce(?3, description), updated_at = ?4"
                        " WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, name);
  fd_db_bind_text (stmt, 3, description);
  sqlite3_bind_int64 (stmt, 4, fd_now_ms ());
  if (!fd_db_step_done (db, stmt, conflict, error))
    return NULL;
  if (sqlite3_changes (fd_db_handle (db)) == 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "workspace %s does not exist",
                   id);
      return NULL;
    }
  return fd_store_workspace_get (db, id, error);
}

FdWorkspace *
fd_store_workspace_set_retention (FdDb *db, const char *id, gboolean set_raw, gint64 raw_days,
                                  gboolean set_rollup, gint64 rollup_days, GError **error)
{
  g_autoptr (FdWorkspace) w = fd_store_workspace_get (db, id, error);
  sqlite3_stmt *stmt;

  if (w == NULL)
    return NULL;
  if (set_raw)
    w->retention_days = raw_days;
  if (set_rollup)
    w->rollup_retention_days = rollup_days;
  /* Aggregates read rollups where raw points are gone: rollups deleted before the points they
   * sum would make every aggregate over that time wrong. */
  if (w->rollup_retention_days != 0
      && (w->retention_days == 0 || w->rollup_retention_days < w->retention_days))
    {
      if (w->retention_days == 0)
        g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID,
                     "rollup_retention_days must be null (kept for ever) while retention_days is "
                     "null: rollups are kept at least as long as raw data");
      else
        g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID,
                     "rollup_retention_days (%" G_GINT64_FORMAT ") must be at least "
                     "retention_days (%" G_GINT64_FORMAT "): rollups are kept at least as long as "
                     "raw data",
                     w->rollup_retention_days, w->retention_days);
      return NULL;
    }
  stmt = fd_db_prepare (db,
                        "UPDATE workspace SET retention_days = nullif (?2, 0),"
                        " rollup_retention_days = nullif (?3, 0), updated_at = ?4 WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, w->retention_days);
  sqlite3_bind_int64 (stmt, 3, w->rollup_retention_days);
  sqlite3_bind_int64 (stmt, 4, fd_now_ms ());
  if (!fd_db_step_done (db, stmt, NULL, error))
    return NULL;
  return fd_store_workspace_get (db, id, error);
}

gboolean
fd_store_workspace_delete (FdDb *db, const char *id, gboolean force, GError **error)
{
  g_autoptr (FdWorkspace) w = fd_store_workspace_get (db, id, error);
  sqlite3_stmt *stmt;

  if (w == NULL)
    return FALSE;
  if (w->device_count > 0 && !force)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT,
                   "workspace %s still has %" G_GINT64_FORMAT " device(s); delete them first or "
                   "use force=true",
                   id, w->device_count);
      return FALSE;
    }
  stmt = fd_db_prepare (db, "DELETE FROM workspace WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_step_done (db, stmt, NULL, error);
}
