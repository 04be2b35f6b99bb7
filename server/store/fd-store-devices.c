/* fd-store-devices.c — devices, listed by workspace with fleet filter, search and sort. */
#include "fd-store-entities.h"
#include "fd-util.h"

#define DEVICE_COLUMNS                                                                             \
  "SELECT d.id, d.workspace_id, d.fleet_id, f.name, d.name, d.firmware_version, d.online,"         \
  " d.created_at, d.updated_at, d.last_seen, d.transport, d.remote_address, d.connected_at,"       \
  " d.disconnected_at,"                                                                            \
  " (SELECT r.value FROM device_report r WHERE r.device_id = d.id AND r.key = '__info')"

/* The fleet filter is one bound JSON array, so one prepared statement serves any number of
 * fleets. Search compares with name_fold, kept at write time, so a search of 100,000 devices
 * reads the covering index device_search and calls no function per row. */
#define DEVICE_MATCH                                                                               \
  " AND (?2 IS NULL OR d.fleet_id IN (SELECT value FROM json_each(?2)))"                           \
  " AND (?3 IS NULL OR instr (d.name_fold, ?3) > 0)"                                               \
  " AND (?6 IS NULL OR d.online = ?6)"

#define DEVICE_FILTER " WHERE d.workspace_id = ?1" DEVICE_MATCH

/* A page deep into the list costs what its OFFSET costs: walk the index for rowids only, then
 * read the page's rows. The order is repeated outside, on just the page. */
#define DEVICE_PAGE_BY(order)                                                                      \
  DEVICE_COLUMNS " FROM (SELECT d.rowid AS r FROM device d" DEVICE_FILTER " ORDER BY " order       \
                 " LIMIT ?4 OFFSET ?5) p JOIN device d ON d.rowid = p.r"                           \
                 " JOIN fleet f ON f.id = d.fleet_id ORDER BY " order

/* By fleet name: start from the workspace's fleets in name order, then each fleet's devices by
 * name (index device_fleet), so no sort of the whole workspace is needed. The composite foreign
 * key guarantees a fleet's devices are in the fleet's workspace. */
#define DEVICE_PAGE_BY_FLEET(order)                                                                \
  DEVICE_COLUMNS " FROM fleet f CROSS JOIN device d ON d.fleet_id = f.id"                          \
                 " WHERE f.workspace_id = ?1" DEVICE_MATCH " ORDER BY " order                      \
                 " LIMIT ?4 OFFSET ?5"

/* One statement per sort order; the rowid breaks ties so paging is stable. */
static const char *const device_list_sql[] = {
  [FD_DEVICE_SORT_NAME] = DEVICE_PAGE_BY ("d.name"),
  [FD_DEVICE_SORT_NAME_DESC] = DEVICE_PAGE_BY ("d.name DESC"),
  [FD_DEVICE_SORT_CREATED] = DEVICE_PAGE_BY ("d.created_at, d.rowid"),
  [FD_DEVICE_SORT_CREATED_DESC] = DEVICE_PAGE_BY ("d.created_at DESC, d.rowid DESC"),
  [FD_DEVICE_SORT_LAST_SEEN] = DEVICE_PAGE_BY ("d.last_seen, d.rowid"),
  [FD_DEVICE_SORT_LAST_SEEN_DESC] = DEVICE_PAGE_BY ("d.last_seen DESC, d.rowid DESC"),
  [FD_DEVICE_SORT_FLEET] = DEVICE_PAGE_BY_FLEET ("f.name, d.name"),
  [FD_DEVICE_SORT_FLEET_DESC] = DEVICE_PAGE_BY_FLEET ("f.name DESC, d.name DESC"),
  [FD_DEVICE_SORT_ONLINE] = DEVICE_PAGE_BY ("d.online, d.name, d.rowid"),
  [FD_DEVICE_SORT_ONLINE_DESC] = DEVICE_PAGE_BY ("d.online DESC, d.name, d.rowid"),
};

static gpointer
device_from_row (sqlite3_stmt *stmt)
{
  FdDevice *d = g_new0 (FdDevice, 1);

  d->id = fd_db_column_dup (stmt, 0);
  d->workspace_id = fd_db_column_dup (stmt, 1);
  d->fleet_id = fd_db_column_dup (stmt, 2);
  d->fleet_name = fd_db_column_dup (stmt, 3);
  d->name = fd_db_column_dup (stmt, 4);
  d->firmware_version = fd_db_column_dup (stmt, 5);
  d->online = sqlite3_column_int (stmt, 6) != 0;
  d->created_at = sqlite3_column_int64 (stmt, 7);
  d->updated_at = sqlite3_column_int64 (stmt, 8);
  d->last_seen = sqlite3_column_int64 (stmt, 9);
  d->transport = fd_db_column_dup (stmt, 10);
  d->remote_address = fd_db_column_dup (stmt, 11);
  d->connected_at = sqlite3_column_int64 (stmt, 12);
  d->disconnected_at = sqlite3_column_int64 (stmt, 13);
  d->info = fd_db_column_dup (stmt, 14);
  return d;
}

FdDevice *
fd_store_device_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, DEVICE_COLUMNS " FROM device d JOIN fleet f ON f.id = d.fleet_id WHERE d.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, device_from_row, "device", id, error);
}

gboolean
fd_store_device_exists (FdDb *db, const char *id, GError **error)
{
  return fd_db_exists (db, "SELECT 1 FROM device WHERE id = ?1", "device", id, error);
}

/* Checks that @fleet_id is a fleet of @workspace_id, with an error naming what is wrong. */
static gboolean
check_fleet_in_workspace (FdDb *db, const char *fleet_id, const char *workspace_id, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (FdFleet) fleet = fd_store_fleet_get (db, fleet_id, &local_error);

  if (fleet == NULL)
    {
      if (g_error_matches (local_error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID, "fleet %s does not exist",
                     fleet_id);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (g_strcmp0 (fleet->workspace_id, workspace_id) != 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID, "fleet %s is not in workspace %s",
                   fleet_id, workspace_id);
      return FALSE;
    }
  return TRUE;
}

FdDevice *
fd_store_device_create (FdDb *db, const char *workspace_id, const char *fleet_id, const char *name,
                        GError **error)
{
  g_autofree char *id = fd_id_new ("dev");

  return fd_store_device_create_with_id (db, id, workspace_id, fleet_id, name, error);
}

FdDevice *
fd_store_device_create_with_id (FdDb *db, const char *id, const char *workspace_id,
                                const char *fleet_id, const char *name, GError **error)
{
  g_autofree char *conflict = NULL;
  g_autofree char *default_fleet = NULL;
  sqlite3_stmt *stmt;

  if (fleet_id == NULL)
    {
      default_fleet = fd_store_workspace_default_fleet (db, workspace_id, error);
      if (default_fleet == NULL)
        return NULL;
      fleet_id = default_fleet;
    }
  else if (!fd_store_workspace_exists (db, workspace_id, error)
           || !check_fleet_in_workspace (db, fleet_id, workspace_id, error))
    return NULL;

  conflict = g_strdup_printf ("workspace %s already has a device named \"%s\"", workspace_id, name);
  stmt = fd_db_prepare (db,
                        "INSERT INTO device (id, workspace_id, fleet_id, name, name_fold,"
                        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, fd_fold (?4), ?5, ?5)",
                        error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, workspace_id);
  fd_db_bind_text (stmt, 3, fleet_id);
  fd_db_bind_text (stmt, 4, name);
  sqlite3_bind_int64 (stmt, 5, fd_now_ms ());
  if (!fd_db_step_done (db, stmt, conflict, error))
    return NULL;
  return fd_store_device_get (db, id, error);
}

static char *
fleet_ids_json (const char *const *fleet_ids)
{
  GString *out;

  if (fleet_ids == NULL || fleet_ids[0] == NULL)
    return NULL;
  /* IDs were validated as prefix + base32 at the edge, so no escaping is needed; escape the
   * two JSON-special characters anyway so this never depends on that. */
  out = g_string_new ("[");
  for (guint i = 0; fleet_ids[i] != NULL; i++)
    {
      g_string_append (out, i ? ",\"" : "\"");
      for (const char *p = fleet_ids[i]; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

gboolean
fd_store_device_list (FdDb *db, const char *workspace_id, const char *const *fleet_ids,
                      const char *search, int online, FdDeviceSort sort, gint64 from, gint64 size,
                      FdPage *page, GError **error)
{
  g_autofree char *pattern = search ? fd_db_fold (search) : NULL;
  g_autofree char *fleets = fleet_ids_json (fleet_ids);
  sqlite3_stmt *stmt;

  g_return_val_if_fail (sort < G_N_ELEMENTS (device_list_sql), FALSE);
  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;

  stmt = fd_db_prepare (db, "SELECT count(*) FROM device d" DEVICE_FILTER, error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, fleets);
  fd_db_bind_text (stmt, 3, pattern);
  if (online >= 0)
    sqlite3_bind_int (stmt, 6, online);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;

  stmt = fd_db_prepare (db, device_list_sql[sort], error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, fleets);
  fd_db_bind_text (stmt, 3, pattern);
  sqlite3_bind_int64 (stmt, 4, size);
  sqlite3_bind_int64 (stmt, 5, from);
  if (online >= 0)
    sqlite3_bind_int (stmt, 6, online);
  else
    sqlite3_bind_null (stmt, 6);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_device_free);
  return fd_db_fetch_all (db, stmt, device_from_row, page->items, error);
}

FdDevice *
fd_store_device_update (FdDb *db, const char *id, const char *name, const char *fleet_id,
                        GError **error)
{
  g_autoptr (FdDevice) old = fd_store_device_get (db, id, error);
  g_autofree char *conflict = NULL;
  sqlite3_stmt *stmt;

  if (old == NULL)
    return NULL;
  if (fleet_id != NULL && !check_fleet_in_workspace (db, fleet_id, old->workspace_id, error))
    return NULL;
  conflict = g_strdup_printf ("workspace %s already has a device named \"%s\"", old->workspace_id,
                              name ? name : "");
  stmt = fd_db_prepare (
      db,
      "UPDATE device SET name = coalesce(?2, name), name_fold = fd_fold (coalesce(?2, name)),"
      " fleet_id = coalesce(?3, fleet_id), updated_at = ?4 WHERE id = ?1",
      error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, name);
  fd_db_bind_text (stmt, 3, fleet_id);
  sqlite3_bind_int64 (stmt, 4, fd_now_ms ());
  if (!fd_db_step_done (db, stmt, conflict, error))
    return NULL;
  return fd_store_device_get (db, id, error);
}

gboolean
fd_store_device_ids (FdDb *db, const char *workspace_id, const char *fleet_id, GPtrArray *into,
                     GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "SELECT id FROM device WHERE (?1 IS NULL OR workspace_id = ?1)"
                       " AND (?2 IS NULL OR fleet_id = ?2)",
                       error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, fleet_id);
  return fd_db_fetch_strings (db, stmt, into, "listing devices", error);
}

gboolean
fd_store_device_names_taken (FdDb *db, const char *workspace_id, const char *names_json,
                             GHashTable *taken, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT d.name FROM json_each (?2) j JOIN device d"
                                      " ON d.workspace_id = ?1 AND d.name = j.value",
                                      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, names_json);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (taken, fd_db_column_dup (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "checking device names");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_store_device_delete (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "DELETE FROM device WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  if (sqlite3_changes (fd_db_handle (db)) == 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "device %s does not exist", id);
      return FALSE;
    }
  return TRUE;
}
