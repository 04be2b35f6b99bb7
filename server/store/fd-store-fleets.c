/* fd-store-fleets.c — fleets: groups of devices inside a workspace. */
#include "fd-store-entities.h"
#include "fd-util.h"

#define FLEET_COLUMNS                                                                              \
  "SELECT f.id, f.workspace_id, f.name, f.description, f.is_default, f.created_at,"                \
  " f.updated_at, (SELECT count(*) FROM device WHERE fleet_id = f.id) FROM fleet f"

static gpointer
fleet_from_row (sqlite3_stmt *stmt)
{
  FdFleet *f = g_new0 (FdFleet, 1);

  f->id = fd_db_column_dup (stmt, 0);
  f->workspace_id = fd_db_column_dup (stmt, 1);
  f->name = fd_db_column_dup (stmt, 2);
  f->description = fd_db_column_dup (stmt, 3);
  f->is_default = sqlite3_column_int (stmt, 4) != 0;
  f->created_at = sqlite3_column_int64 (stmt, 5);
  f->updated_at = sqlite3_column_int64 (stmt, 6);
  f->device_count = sqlite3_column_int64 (stmt, 7);
  return f;
}

FdFleet *
fd_store_fleet_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, FLEET_COLUMNS " WHERE f.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, fleet_from_row, "fleet", id, error);
}

FdFleet *
fd_store_fleet_create (FdDb *db, const char *workspace_id, const char *name,
                       const char *description, GError **error)
{
  g_autofree char *id = fd_id_new ("flt");
  g_autofree char *conflict = NULL;
  sqlite3_stmt *stmt;
  gint64 now = fd_now_ms ();

  if (!fd_store_workspace_exists (db, workspace_id, error))
    return NULL;
  conflict = g_strdup_printf ("workspace %s already has a fleet named \"%s\"", workspace_id, name);
  stmt = fd_db_prepare (db,
                        "INSERT INTO fleet (id, workspace_id, name, description, created_at,"
                        " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                        error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, workspace_id);
  fd_db_bind_text (stmt, 3, name);
  fd_db_bind_text (stmt, 4, description ? description : "");
  sqlite3_bind_int64 (stmt, 5, now);
  if (!fd_db_step_done (db, stmt, conflict, error))
    return NULL;
  return fd_store_fleet_get (db, id, error);
}

gboolean
fd_store_fleet_list (FdDb *db, const char *workspace_id, const char *search, gint64 from,
                     gint64 size, FdPage *page, GError **error)
{
  g_autofree char *pattern = search ? fd_db_fold (search) : NULL;
  sqlite3_stmt *stmt;

  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT count(*) FROM fleet WHERE workspace_id = ?1"
                        " AND (?2 IS NULL OR instr (fd_fold (name), ?2) > 0)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, pattern);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;

  stmt = fd_db_prepare (db,
                        FLEET_COLUMNS " WHERE f.workspace_id = ?1"
                                      " AND (?2 IS NULL OR instr (fd_fold (f.name), ?2) > 0)"
                                      " ORDER BY f.is_default DESC, f.name LIMIT ?3 OFFSET ?4",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, pattern);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_fleet_free);
  return fd_db_fetch_all (db, stmt, fleet_from_row, page->items, error);
}

FdFleet *
fd_store_fleet_update (FdDb *db, const char *id, const char *name, const char *description,
                       GError **error)
{
  g_autoptr (FdFleet) old = fd_store_fleet_get (db, id, error);
  g_autofree char *conflict = NULL;
  sqlite3_stmt *stmt;

  if (old == NULL)
    return NULL;
  conflict = g_strdup_printf ("workspace %s already has a fleet named \"%s\"", old->workspace_id,
                              name ? name : "");
  stmt = fd_db_prepare (db,
                        "UPDATE fleet SET name = coalesce(?2, name),"
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
  return fd_store_fleet_get (db, id, error);
}

gboolean
fd_store_fleet_delete (FdDb *db, const char *id, gboolean force, GError **error)
{
  g_autoptr (FdFleet) f = fd_store_fleet_get (db, id, error);
  sqlite3_stmt *stmt;

  if (f == NULL)
    return FALSE;
  if (f->is_default)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT,
                   "fleet %s is the default fleet of workspace %s and cannot be deleted", id,
                   f->workspace_id);
      return FALSE;
    }
  if (f->device_count > 0 && !force)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT,
                   "fleet %s still has %" G_GINT64_FORMAT " device(s); move or delete them "
                   "first, or use force=true",
                   id, f->device_count);
      return FALSE;
    }
  stmt = fd_db_prepare (db, "DELETE FROM fleet WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_step_done (db, stmt, NULL, error);
}
