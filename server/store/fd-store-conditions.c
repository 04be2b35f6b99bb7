/* fd-store-conditions.c — condition rows, and the expected and current maps of a device. */
#include "fd-store-conditions.h"

void
fd_condition_free (FdCondition *c)
{
  if (c == NULL)
    return;
  g_free (c->device_id);
  g_free (c->workspace_id);
  g_free (c->fleet_id);
  g_free (c->uuid);
  g_free (c->tag);
  g_free (c->payload);
  g_free (c->payloadf);
  g_free (c);
}

void
fd_condition_item_free (FdConditionItem *item)
{
  if (item == NULL)
    return;
  g_free (item->condition.device_id);
  g_free (item->condition.workspace_id);
  g_free (item->condition.fleet_id);
  g_free (item->condition.uuid);
  g_free (item->condition.tag);
  g_free (item->condition.payload);
  g_free (item->condition.payloadf);
  g_free (item->device_name);
  g_free (item);
}

void
fd_status_entry_free (FdStatusEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->key);
  g_free (e->value);
  g_free (e);
}

#define CONDITION_COLUMNS                                                                          \
  "c.device_id, c.workspace_id, c.fleet_id, c.uuid, c.tag, c.payload, c.payloadf, c.start,"        \
  " c.finish"

static void
fill_condition (FdCondition *c, sqlite3_stmt *stmt)
{
  c->device_id = fd_db_column_dup (stmt, 0);
  c->workspace_id = fd_db_column_dup (stmt, 1);
  c->fleet_id = fd_db_column_dup (stmt, 2);
  c->uuid = fd_db_column_dup (stmt, 3);
  c->tag = fd_db_column_dup (stmt, 4);
  c->payload = fd_db_column_dup (stmt, 5);
  c->payloadf = fd_db_column_dup (stmt, 6);
  c->start = sqlite3_column_int64 (stmt, 7);
  c->open = sqlite3_column_type (stmt, 8) == SQLITE_NULL;
  c->finish = c->open ? 0 : sqlite3_column_int64 (stmt, 8);
}

static gpointer
condition_from_row (sqlite3_stmt *stmt)
{
  FdCondition *c = g_new0 (FdCondition, 1);
  fill_condition (c, stmt);
  return c;
}

static gpointer
item_from_row (sqlite3_stmt *stmt)
{
  FdConditionItem *item = g_new0 (FdConditionItem, 1);

  fill_condition (&item->condition, stmt);
  item->device_name = fd_db_column_dup (stmt, 9);
  return item;
}

FdCondition *
fd_store_condition_get (FdDb *db, const char *device_id, const char *uuid, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT " CONDITION_COLUMNS " FROM condition c WHERE c.device_id = ?1 AND c.uuid = ?2",
      error);
  g_autoptr (GPtrArray) rows = NULL;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, uuid);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_condition_free);
  if (!fd_db_fetch_all (db, stmt, condition_from_row, rows, error) || rows->len == 0)
    return NULL;
  return g_ptr_array_steal_index (rows, 0);
}

static void
bind_optional_time (sqlite3_stmt *stmt, int index, const FdCondition *c)
{
  if (c->open)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, c->finish);
}

gboolean
fd_store_condition_insert (FdDb *db, const FdCondition *c, gint64 now, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "INSERT INTO condition (device_id, uuid, workspace_id, fleet_id, tag,"
                       " payload, payloadf, start, finish, opened_at, updated_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                       error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, c->device_id);
  fd_db_bind_text (stmt, 2, c->uuid);
  fd_db_bind_text (stmt, 3, c->workspace_id);
  fd_db_bind_text (stmt, 4, c->fleet_id);
  fd_db_bind_text (stmt, 5, c->tag);
  fd_db_bind_text (stmt, 6, c->payload);
  fd_db_bind_text (stmt, 7, c->payloadf);
  sqlite3_bind_int64 (stmt, 8, c->start);
  bind_optional_time (stmt, 9, c);
  sqlite3_bind_int64 (stmt, 10, now);
  return fd_db_step_done (db, stmt, "the condition exists already", error);
}

gboolean
fd_store_condition_update (FdDb *db, const FdCondition *c, gint64 now, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE condition SET payload = ?3, payloadf = ?4,"
                                      " finish = ?5, updated_at = ?6"
                                      " WHERE device_id = ?1 AND uuid = ?2",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, c->device_id);
  fd_db_bind_text (stmt, 2, c->uuid);
  fd_db_bind_text (stmt, 3, c->payload);
  fd_db_bind_text (stmt, 4, c->payloadf);
  bind_optional_time (stmt, 5, c);
  sqlite3_bind_int64 (stmt, 6, now);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_condition_count_open (FdDb *db, const char *device_id, gint64 *count, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT count(*) FROM condition WHERE device_id = ?1 AND finish IS NULL", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  return fd_db_fetch_count (db, stmt, count, error);
}

gboolean
fd_store_condition_open_list (FdDb *db, const char *device_id, GPtrArray *into, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT " CONDITION_COLUMNS " FROM condition c"
                                      " WHERE c.device_id = ?1 AND c.finish IS NULL"
                                      " ORDER BY c.start, c.uuid",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  return fd_db_fetch_all (db, stmt, condition_from_row, into, error);
}

/* Lists are bound as JSON arrays, so one prepared statement serves any filter. The page is read
 * in the order of condition_workspace (start, then rowid, which the index holds), newest first,
 * so a page never sorts the workspace's conditions. ?1 workspace, ?2 status (0 any, 1 open,
 * 2 closed), ?3 tags, ?4 devices, ?5 fleets, ?6 threshold, ?7 now, ?8 start from, ?9 start to. */
#define CONDITION_FILTER                                                                           \
  " WHERE c.workspace_id = ?1"                                                                     \
  " AND (?2 = 0 OR (?2 = 1 AND c.finish IS NULL) OR (?2 = 2 AND c.finish IS NOT NULL))"            \
  " AND (?3 IS NULL OR c.tag IN (SELECT value FROM json_each(?3)))"                                \
  " AND (?4 IS NULL OR c.device_id IN (SELECT value FROM json_each(?4)))"                          \
  " AND (?5 IS NULL OR c.fleet_id IN (SELECT value FROM json_each(?5)))"                           \
  " AND (?6 = 0 OR coalesce (c.finish, ?7) - c.start >= ?6)"                                       \
  " AND c.start >= ?8 AND c.start < ?9"

static char *
json_list (const char *const *values)
{
  g_autoptr (GString) text = NULL;

  if (values == NULL || values[0] == NULL)
    return NULL;
  text = g_string_new ("[");
  for (guint i = 0; values[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append_c (text, '"');
      for (const char *p = values[i]; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (text, '\\');
          if ((guchar)*p < 0x20)
            g_string_append_printf (text, "\\u%04x", (guchar)*p);
          else
            g_string_append_c (text, *p);
        }
      g_string_append_c (text, '"');
    }
  g_string_append_c (text, ']');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
bind_filter (sqlite3_stmt *stmt, const char *workspace_id, const FdConditionFilter *f,
             char *const *lists)
{
  fd_db_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int (stmt, 2, (int)f->status);
  fd_db_bind_text (stmt, 3, lists[0]);
  fd_db_bind_text (stmt, 4, lists[1]);
  fd_db_bind_text (stmt, 5, lists[2]);
  sqlite3_bind_int64 (stmt, 6, f->threshold_ms);
  sqlite3_bind_int64 (stmt, 7, f->now);
  sqlite3_bind_int64 (stmt, 8, f->start_from);
  sqlite3_bind_int64 (stmt, 9, f->start_to);
}

gboolean
fd_store_condition_list (FdDb *db, const char *workspace_id, const FdConditionFilter *filter,
                         gint64 from, gint64 size, FdPage *page, GError **error)
{
  g_autofree char *tags = json_list (filter->tags);
  g_autofree char *devices = json_list (filter->devices);
  g_autofree char *fleets = json_list (filter->fleets);
  char *const lists[] = { tags, devices, fleets };
  sqlite3_stmt *stmt;

  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db, "SELECT count(*) FROM condition c" CONDITION_FILTER, error);
  if (stmt == NULL)
    return FALSE;
  bind_filter (stmt, workspace_id, filter, lists);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;

  stmt = fd_db_prepare (db,
                        "SELECT " CONDITION_COLUMNS ", d.name FROM condition c"
                        " LEFT JOIN device d ON d.id = c.device_id" CONDITION_FILTER
                        " ORDER BY c.start DESC, c.rowid DESC"
                        " LIMIT ?10 OFFSET ?11",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_filter (stmt, workspace_id, filter, lists);
  sqlite3_bind_int64 (stmt, 10, size);
  sqlite3_bind_int64 (stmt, 11, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_condition_item_free);
  return fd_db_fetch_all (db, stmt, item_from_row, page->items, error);
}

gboolean
fd_store_expected_set (FdDb *db, const char *device_id, const char *key, const char *value_json,
                       gint64 t, GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_device_exists (db, device_id, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "INSERT INTO device_expected (device_id, key, value, t)"
                        " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (device_id, key)"
                        " DO UPDATE SET value = excluded.value, t = excluded.t",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, key);
  fd_db_bind_text (stmt, 3, value_json);
  sqlite3_bind_int64 (stmt, 4, t);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_expected_count_others (FdDb *db, const char *device_id, const char *key, gint64 *count,
                                GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT count(*) FROM device_expected WHERE device_id = ?1 AND key != ?2", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, key);
  return fd_db_fetch_count (db, stmt, count, error);
}

static gpointer
entry_from_row (sqlite3_stmt *stmt)
{
  FdStatusEntry *e = g_new0 (FdStatusEntry, 1);

  e->key = fd_db_column_dup (stmt, 0);
  e->value = fd_db_column_dup (stmt, 1);
  e->t = sqlite3_column_int64 (stmt, 2);
  return e;
}

gboolean
fd_store_device_status (FdDb *db, const char *device_id, GPtrArray *expected, GPtrArray *current,
                        GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_device_exists (db, device_id, error))
    return FALSE;
  stmt = fd_db_prepare (
      db, "SELECT key, value, t FROM device_expected WHERE device_id = ?1 ORDER BY key", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  if (!fd_db_fetch_all (db, stmt, entry_from_row, expected, error))
    return FALSE;
  stmt = fd_db_prepare (
      db, "SELECT key, value, t FROM device_report WHERE device_id = ?1 ORDER BY key", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  return fd_db_fetch_all (db, stmt, entry_from_row, current, error);
}
