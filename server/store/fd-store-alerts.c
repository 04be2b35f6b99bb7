/* fd-store-alerts.c — alert rules and alerts: CRUD, the list, and the check that raises and
 * resolves alerts together with their outbox events. */
#include "fd-store-alerts.h"

#include "fd-util.h"
#include "store/fd-store-integrations.h"

void
fd_alert_rule_free (FdAlertRule *rule)
{
  if (rule == NULL)
    return;
  g_free (rule->id);
  g_free (rule->workspace_id);
  g_free (rule->name);
  g_strfreev (rule->tags);
  g_free (rule);
}

void
fd_alert_free (FdAlert *a)
{
  if (a == NULL)
    return;
  g_free (a->rule_id);
  g_free (a->rule_name);
  g_free (a->workspace_id);
  g_free (a->device_id);
  g_free (a->device_name);
  g_free (a->fleet_id);
  g_free (a->tag);
  g_free (a->condition_uuid);
  g_free (a);
}

void
fd_alert_build (JsonBuilder *b, const FdAlert *a)
{
  json_builder_begin_object (b);
  fd_json_member_string (b, "rule_id", a->rule_id);
  fd_json_member_string (b, "rule_name", a->rule_name);
  fd_json_member_string (b, "device_id", a->device_id);
  fd_json_member_string (b, "device_name", a->device_name);
  fd_json_member_string (b, "tag", a->tag);
  fd_json_member_string (b, "condition_uuid", a->condition_uuid);
  fd_json_member_time (b, "condition_start", a->condition_start);
  fd_json_member_time (b, "triggered_at", a->triggered_at);
  fd_json_member_time (b, "resolved_at", a->resolved_at);
  fd_json_member_string (b, "state", a->resolved_at > 0 ? "resolved" : "active");
  json_builder_end_object (b);
}

static char *
builder_text (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

char *
fd_alert_to_json (const FdAlert *a)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  fd_alert_build (b, a);
  return builder_text (b);
}

/* Rules: tags are kept as a JSON array of strings. */

static char *
tags_json (char *const *tags)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    json_builder_add_string_value (b, tags[i]);
  json_builder_end_array (b);
  return builder_text (b);
}

static char **
tags_parse (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GStrvBuilder) out = g_strv_builder_new ();
  JsonArray *array;

  if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL)
      && JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    {
      array = json_node_get_array (json_parser_get_root (parser));
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *tag = json_array_get_string_element (array, i);
          if (tag != NULL)
            g_strv_builder_add (out, tag);
        }
    }
  return g_strv_builder_end (out);
}

#define RULE_COLUMNS                                                                               \
  "r.id, r.workspace_id, r.name, r.tags, r.threshold_ms, r.created_at, r.updated_at,"              \
  " (SELECT count(*) FROM alert a WHERE a.rule_id = r.id AND a.resolved_at IS NULL)"

static gpointer
rule_from_row (sqlite3_stmt *stmt)
{
  FdAlertRule *r = g_new0 (FdAlertRule, 1);
  g_autofree char *tags = fd_db_column_dup (stmt, 3);

  r->id = fd_db_column_dup (stmt, 0);
  r->workspace_id = fd_db_column_dup (stmt, 1);
  r->name = fd_db_column_dup (stmt, 2);
  r->tags = tags_parse (tags);
  r->threshold_ms = sqlite3_column_int64 (stmt, 4);
  r->created_at = sqlite3_column_int64 (stmt, 5);
  r->updated_at = sqlite3_column_int64 (stmt, 6);
  r->active = sqlite3_column_int64 (stmt, 7);
  return r;
}

gboolean
fd_store_alert_rule_create (FdDb *db, FdAlertRule *rule, gint64 now, GError **error)
{
  g_autofree char *tags = tags_json (rule->tags);
  sqlite3_stmt *stmt;

  if (!fd_store_workspace_exists (db, rule->workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "INSERT INTO alert_rule (id, workspace_id, name, tags, threshold_ms,"
                        " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                        error);
  if (stmt == NULL)
    return FALSE;
  if (rule->id == NULL)
    rule->id = fd_id_new ("alr");
  rule->created_at = rule->updated_at = now;
  rule->active = 0;
  fd_db_bind_text (stmt, 1, rule->id);
  fd_db_bind_text (stmt, 2, rule->workspace_id);
  fd_db_bind_text (stmt, 3, rule->name);
  fd_db_bind_text (stmt, 4, tags);
  sqlite3_bind_int64 (stmt, 5, rule->threshold_ms);
  sqlite3_bind_int64 (stmt, 6, now);
  return fd_db_step_done (db, stmt, NULL, error);
}

FdAlertRule *
fd_store_alert_rule_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT " RULE_COLUMNS " FROM alert_rule r WHERE r.id = ?1", error);

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  return fd_db_fetch_one (db, stmt, rule_from_row, "alert rule", id, error);
}

gboolean
fd_store_alert_rule_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size,
                          FdPage *page, GError **error)
{
  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  return fd_store_fetch_page (db, "SELECT count(*) FROM alert_rule WHERE workspace_id = ?1",
                              "SELECT " RULE_COLUMNS " FROM alert_rule r WHERE r.workspace_id = ?1"
                              " ORDER BY r.created_at, r.id LIMIT ?2 OFFSET ?3",
                              workspace_id, from, size, rule_from_row,
                              (GDestroyNotify)fd_alert_rule_free, page, error);
}

gboolean
fd_store_alert_rule_update (FdDb *db, FdAlertRule *rule, gint64 now, GError **error)
{
  g_autofree char *tags = tags_json (rule->tags);
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE alert_rule SET name = ?2, tags = ?3,"
                                      " threshold_ms = ?4, updated_at = ?5 WHERE id = ?1",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, rule->id);
  fd_db_bind_text (stmt, 2, rule->name);
  fd_db_bind_text (stmt, 3, tags);
  sqlite3_bind_int64 (stmt, 4, rule->threshold_ms);
  sqlite3_bind_int64 (stmt, 5, now);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  if (sqlite3_changes (fd_db_handle (db)) == 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "alert rule %s does not exist",
                   rule->id);
      return FALSE;
    }
  rule->updated_at = now;
  return TRUE;
}

gboolean
fd_store_alert_rule_delete (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "DELETE FROM alert_rule WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  if (sqlite3_changes (fd_db_handle (db)) == 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "alert rule %s does not exist",
                   id);
      return FALSE;
    }
  return TRUE;
}

/* Alerts. Every query reads the same columns, in this order. */
#define ALERT_COLUMNS                                                                              \
  "a.rule_id, r.name, a.workspace_id, a.device_id, d.name, d.fleet_id, a.tag,"                     \
  " a.condition_uuid, a.condition_start, a.triggered_at, a.resolved_at"

static gpointer
alert_from_row (sqlite3_stmt *stmt)
{
  FdAlert *a = g_new0 (FdAlert, 1);

  a->rule_id = fd_db_column_dup (stmt, 0);
  a->rule_name = fd_db_column_dup (stmt, 1);
  a->workspace_id = fd_db_column_dup (stmt, 2);
  a->device_id = fd_db_column_dup (stmt, 3);
  a->device_name = fd_db_column_dup (stmt, 4);
  a->fleet_id = fd_db_column_dup (stmt, 5);
  a->tag = fd_db_column_dup (stmt, 6);
  a->condition_uuid = fd_db_column_dup (stmt, 7);
  a->condition_start = sqlite3_column_int64 (stmt, 8);
  a->triggered_at = sqlite3_column_int64 (stmt, 9);
  a->resolved_at = fd_db_column_time (stmt, 10);
  return a;
}

#define ALERT_FILTER                                                                               \
  " WHERE a.workspace_id = ?1"                                                                     \
  " AND (?2 = 0 OR (?2 = 1 AND a.resolved_at IS NULL) OR (?2 = 2 AND a.resolved_at IS NOT NULL))"

gboolean
fd_store_alert_list (FdDb *db, const char *workspace_id, FdAlertState state, gint64 from,
                     gint64 size, FdPage *page, GError **error)
{
  sqlite3_stmt *stmt;

  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  stmt = fd_db_prepare (db, "SELECT count(*) FROM alert a" ALERT_FILTER, error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int (stmt, 2, (int)state);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT " ALERT_COLUMNS " FROM alert a"
                        " JOIN alert_rule r ON r.id = a.rule_id"
                        " LEFT JOIN device d ON d.id = a.device_id" ALERT_FILTER
                        " ORDER BY a.triggered_at DESC, a.rowid DESC LIMIT ?3 OFFSET ?4",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int (stmt, 2, (int)state);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, from);
  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_alert_free);
  return fd_db_fetch_all (db, stmt, alert_from_row, page->items, error);
}

/* The outbox event of @a: {"type","time","workspace_id","device_id","data": the alert}. */
static gboolean
queue_event (FdDb *db, const FdAlert *a, const char *type, gint64 now, GError **error)
{
  g_autoptr (JsonBuilder) b = NULL;
  g_autofree char *body = NULL;
  gboolean wanted = FALSE;

  if (!fd_store_outbox_wanted (db, a->workspace_id, FD_OUTBOX_KIND_ALERTS, &wanted, error))
    return FALSE;
  if (!wanted)
    return TRUE;
  b = json_builder_new ();
  json_builder_begin_object (b);
  fd_json_member_string (b, "type", type);
  fd_json_member_time (b, "time", now);
  fd_json_member_string (b, "workspace_id", a->workspace_id);
  fd_json_member_string (b, "device_id", a->device_id);
  json_builder_set_member_name (b, "data");
  fd_alert_build (b, a);
  json_builder_end_object (b);
  body = builder_text (b);
  return fd_store_outbox_event_add (db, a->workspace_id, FD_OUTBOX_KIND_ALERTS, a->fleet_id,
                                    a->device_id, a->tag, now, body, error);
}

/* The open conditions that are due and have no alert of the rule yet: the condition_open
 * index (open conditions only) keeps this small however many closed conditions there are. */
static gboolean
trigger_due (FdDb *db, gint64 now, GPtrArray *triggered, GError **error)
{
  g_autoptr (GPtrArray) due = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_alert_free);
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "SELECT r.id, r.name, c.workspace_id, c.device_id, d.name, c.fleet_id,"
                       " c.tag, c.uuid, c.start, ?1, NULL"
                       " FROM alert_rule r JOIN condition c"
                       "   ON c.workspace_id = r.workspace_id AND c.finish IS NULL"
                       " LEFT JOIN device d ON d.id = c.device_id"
                       " WHERE c.tag IN (SELECT value FROM json_each (r.tags))"
                       " AND c.opened_at <= ?1 - r.threshold_ms"
                       " AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.rule_id = r.id"
                       "   AND a.device_id = c.device_id AND a.condition_uuid = c.uuid)"
                       " ORDER BY c.opened_at, r.id",
                       error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  if (!fd_db_fetch_all (db, stmt, alert_from_row, due, error))
    return FALSE;
  for (guint i = 0; i < due->len; i++)
    {
      FdAlert *a = g_ptr_array_index (due, i);

      stmt = fd_db_prepare (db,
                            "INSERT INTO alert (rule_id, device_id, condition_uuid, workspace_id,"
                            " tag, condition_start, triggered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                            " ?7)",
                            error);
      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, a->rule_id);
      fd_db_bind_text (stmt, 2, a->device_id);
      fd_db_bind_text (stmt, 3, a->condition_uuid);
      fd_db_bind_text (stmt, 4, a->workspace_id);
      fd_db_bind_text (stmt, 5, a->tag);
      sqlite3_bind_int64 (stmt, 6, a->condition_start);
      sqlite3_bind_int64 (stmt, 7, now);
      if (!fd_db_step_done (db, stmt, NULL, error)
          || !queue_event (db, a, "alert.triggered", now, error))
        return FALSE;
    }
  g_ptr_array_extend_and_steal (triggered, g_steal_pointer (&due));
  return TRUE;
}

/* Active alerts whose condition closed, was deleted, or whose tag the rule dropped. */
static gboolean
resolve_done (FdDb *db, gint64 now, GPtrArray *resolved, GError **error)
{
  g_autoptr (GPtrArray) done = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_alert_free);
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT " ALERT_COLUMNS " FROM alert a"
                                      " JOIN alert_rule r ON r.id = a.rule_id"
                                      " LEFT JOIN device d ON d.id = a.device_id"
                                      " LEFT JOIN condition c ON c.device_id = a.device_id"
                                      "   AND c.uuid = a.condition_uuid"
                                      " WHERE a.resolved_at IS NULL AND (c.uuid IS NULL"
                                      "   OR c.finish IS NOT NULL"
                                      "   OR a.tag NOT IN (SELECT value FROM json_each (r.tags)))"
                                      " ORDER BY a.triggered_at, a.rowid",
                                      error);

  if (stmt == NULL)
    return FALSE;
  if (!fd_db_fetch_all (db, stmt, alert_from_row, done, error))
    return FALSE;
  for (guint i = 0; i < done->len; i++)
    {
      FdAlert *a = g_ptr_array_index (done, i);

      stmt = fd_db_prepare (db,
                            "UPDATE alert SET resolved_at = ?4 WHERE rule_id = ?1"
                            " AND device_id = ?2 AND condition_uuid = ?3",
                            error);
      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, a->rule_id);
      fd_db_bind_text (stmt, 2, a->device_id);
      fd_db_bind_text (stmt, 3, a->condition_uuid);
      sqlite3_bind_int64 (stmt, 4, now);
      a->resolved_at = now;
      if (!fd_db_step_done (db, stmt, NULL, error)
          || !queue_event (db, a, "alert.resolved", now, error))
        return FALSE;
    }
  g_ptr_array_extend_and_steal (resolved, g_steal_pointer (&done));
  return TRUE;
}

gboolean
fd_store_alerts_check (FdDb *db, gint64 now, GPtrArray *triggered, GPtrArray *resolved,
                       GError **error)
{
  /* Resolved first: a condition that closed does not raise an alert in the same pass (it is
   * not open), and one whose alert resolved is not raised again (its row stays). */
  return resolve_done (db, now, resolved, error) && trigger_due (db, now, triggered, error);
}
