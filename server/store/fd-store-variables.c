/* fd-store-variables.c — the variable table beside device_report: what the operator set for a
 * device's key, what the device last said under it, and whether it has taken the value. */
#include "config.h"

#include "fd-db.h"
#include "fd-store-variables.h"

void
fd_variable_free (FdVariable *v)
{
  if (v == NULL)
    return;
  g_free (v->device_id);
  g_free (v->device_name);
  g_free (v->key);
  g_free (v->value);
  g_free (v->reported);
  g_free (v);
}

FdVariableState
fd_variable_state (const FdVariable *v)
{
  if (v->value == NULL)
    return FD_VARIABLE_STATE_REPORTED;
  return v->applied_at > 0 ? FD_VARIABLE_STATE_APPLIED : FD_VARIABLE_STATE_PENDING;
}

const char *
fd_variable_state_name (FdVariableState state)
{
  switch (state)
    {
    case FD_VARIABLE_STATE_PENDING:
      return "pending";
    case FD_VARIABLE_STATE_APPLIED:
      return "applied";
    case FD_VARIABLE_STATE_REPORTED:
      return "reported";
    case FD_VARIABLE_STATE_ANY:
    default:
      return NULL;
    }
}

gboolean
fd_store_variable_set (FdDb *db, const char *device_id, const char *key, const char *value_json,
                       gint64 set_at, const char *actor, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "INSERT INTO variable (device_id, key, value, set_at, applied_at, actor)"
                       " VALUES (?1, ?2, ?3, ?4, NULL, ?5) ON CONFLICT (device_id, key)"
                       " DO UPDATE SET value = excluded.value, set_at = excluded.set_at,"
                       " applied_at = NULL, actor = excluded.actor",
                       error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, key);
  fd_db_bind_text (stmt, 3, value_json);
  sqlite3_bind_int64 (stmt, 4, set_at);
  fd_db_bind_text (stmt, 5, actor);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_variable_delete (FdDb *db, const char *device_id, const char *key, gboolean *existed,
                          GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "DELETE FROM variable WHERE device_id = ?1 AND key = ?2", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, key);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  *existed = sqlite3_changes (fd_db_handle (db)) > 0;
  return TRUE;
}

gboolean
fd_store_variable_applied (FdDb *db, const char *device_id, const char *key, gint64 ts,
                           gboolean *applied, GError **error)
{
  /* By the primary key: one row looked at, whatever the device reports. */
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE variable SET applied_at = ?3"
                                      " WHERE device_id = ?1 AND key = ?2"
                                      " AND applied_at IS NULL AND set_at <= ?3",
                                      error);

  *applied = FALSE;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, key);
  sqlite3_bind_int64 (stmt, 3, ts);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  *applied = sqlite3_changes (fd_db_handle (db)) > 0;
  return TRUE;
}

/* Columns: device id, device name, key, value, set_at, applied_at, reported, reported t. */
static gpointer
variable_from_row (sqlite3_stmt *stmt)
{
  FdVariable *v = g_new0 (FdVariable, 1);

  v->device_id = fd_db_column_dup (stmt, 0);
  v->device_name = fd_db_column_dup (stmt, 1);
  v->key = fd_db_column_dup (stmt, 2);
  v->value = fd_db_column_dup (stmt, 3);
  v->set_at = sqlite3_column_int64 (stmt, 4);
  v->applied_at = sqlite3_column_int64 (stmt, 5);
  v->reported = fd_db_column_dup (stmt, 6);
  v->reported_t = sqlite3_column_int64 (stmt, 7);
  return v;
}

/* The keys of device ?1 (?2: one key, or NULL for all): set, or reported and plain. */
#define DEVICE_KEYS                                                                                \
  "SELECT d.id, d.name, k.key, v.value, v.set_at, v.applied_at, r.value, r.t FROM device d"        \
  " JOIN (SELECT key FROM variable WHERE device_id = ?1 AND (?2 IS NULL OR key = ?2)"              \
  "  UNION SELECT key FROM device_report WHERE device_id = ?1 AND (?2 IS NULL OR key = ?2)"        \
  "  AND substr (key, 1, 1) NOT IN ('@', '#', '_')) k"                                             \
  " LEFT JOIN variable v ON v.device_id = d.id AND v.key = k.key"                                  \
  " LEFT JOIN device_report r ON r.device_id = d.id AND r.key = k.key"                             \
  " WHERE d.id = ?1"

gboolean
fd_store_variable_list_device (FdDb *db, const char *device_id, GPtrArray *into, GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_device_exists (db, device_id, error))
    return FALSE;
  stmt = fd_db_prepare (db, DEVICE_KEYS " ORDER BY k.key", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, NULL);
  return fd_db_fetch_all (db, stmt, variable_from_row, into, error);
}

FdVariable *
fd_store_variable_get (FdDb *db, const char *device_id, const char *key, GError **error)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_variable_free);
  sqlite3_stmt *stmt;

  if (!fd_store_device_exists (db, device_id, error))
    return NULL;
  stmt = fd_db_prepare (db, DEVICE_KEYS, error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, key);
  if (!fd_db_fetch_all (db, stmt, variable_from_row, found, error))
    return NULL;
  if (found->len == 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND,
                   "device %s has no variable %s and never reported it", device_id, key);
      return NULL;
    }
  return g_ptr_array_steal_index (found, 0);
}

/* The devices of workspace ?1 with key ?2 set or reported, in state ?3 (FdVariableState). */
#define KEY_FROM                                                                                   \
  " FROM device d"                                                                                 \
  " LEFT JOIN variable v ON v.device_id = d.id AND v.key = ?2"                                     \
  " LEFT JOIN device_report r ON r.device_id = d.id AND r.key = ?2"                                \
  " WHERE d.workspace_id = ?1 AND (v.device_id IS NOT NULL OR r.device_id IS NOT NULL)"            \
  " AND (?3 = 0 OR (?3 = 1 AND v.device_id IS NOT NULL AND v.applied_at IS NULL)"                  \
  "  OR (?3 = 2 AND v.applied_at IS NOT NULL) OR (?3 = 3 AND v.device_id IS NULL))"

gboolean
fd_store_variable_list_key (FdDb *db, const char *workspace_id, const char *key,
                            FdVariableState state, gint64 from, gint64 size, FdPage *page,
                            GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db, "SELECT count(*)" KEY_FROM, error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, key);
  sqlite3_bind_int (stmt, 3, (int)state);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (
      db,
      "SELECT d.id, d.name, ?2, v.value, v.set_at, v.applied_at, r.value, r.t" KEY_FROM
      " ORDER BY d.name LIMIT ?4 OFFSET ?5",
      error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, key);
  sqlite3_bind_int (stmt, 3, (int)state);
  sqlite3_bind_int64 (stmt, 4, size);
  sqlite3_bind_int64 (stmt, 5, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_variable_free);
  return fd_db_fetch_all (db, stmt, variable_from_row, page->items, error);
}
