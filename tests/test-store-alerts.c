/* test-store-alerts.c — the alerts check on a real store, with the clock in the test's hands:
 * the threshold counts from when the server heard of the condition (opened_at), an alert is
 * raised once, its outbox event (kind alerts, the event object) is written in the same job
 * only when an integration of the workspace forwards alerts, closing the condition resolves
 * it, and a rule's deletion takes its alerts. */
#include "fd-test-server.h"
#include "fd-test-store.h"

#include <string.h>

#include "store/fd-store-alerts.h"
#include "store/fd-store-conditions.h"
#include "store/fd-store-integrations.h"
#include "fd-util.h"

#define T0 G_GINT64_CONSTANT (1800000000000) /* when the server heard of the condition */
#define THRESHOLD_MS 60000

typedef struct
{
  char *dir;
  FdStore *store;
  FdWorkspace *workspace; /* an integration forwards its alerts */
  FdWorkspace *quiet;     /* none does */
  FdDevice *device;
  FdDevice *quiet_device;
  FdAlertRule *rule;
} Fixture;

static gboolean
add_integration (FdDb *db, const char *workspace_id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "INSERT INTO integration (id, workspace_id, type, name, config, kinds, batch_max,"
      " batch_delay_ms, max_queued, max_age_s, data_cursor, event_cursor, created_at, updated_at)"
      " VALUES ('int-aaaaaaaaaaaaaaaaaaaa', ?1, 'webhook', 'hook', '{}', ?2, 500, 1000, 1000,"
      " 1000, 0, 0, 1, 1)",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int (stmt, 2, FD_OUTBOX_KIND_ALERTS);
  return fd_db_step_done (db, stmt, NULL, error);
}

static gboolean
open_condition (FdDb *db, const FdDevice *d, const char *uuid, const char *tag, GError **error)
{
  FdCondition c = { .device_id = d->id,
                    .workspace_id = d->workspace_id,
                    .fleet_id = d->fleet_id,
                    .uuid = (char *)uuid,
                    .tag = (char *)tag,
                    .start = 1000, /* the device's clock says 1970 */
                    .open = TRUE };
  return fd_store_condition_insert (db, &c, T0, error);
}

static gboolean
make_rows (FdDb *db, gpointer data, GError **error)
{
  Fixture *f = data;

  f->workspace = fd_store_workspace_create (db, "Plant", NULL, error);
  f->quiet = f->workspace ? fd_store_workspace_create (db, "Quiet", NULL, error) : NULL;
  if (f->quiet == NULL)
    return FALSE;
  f->device = fd_store_device_create (db, f->workspace->id, NULL, "pump-1", error);
  f->quiet_device
      = f->device ? fd_store_device_create (db, f->quiet->id, NULL, "pump-2", error) : NULL;
  if (f->quiet_device == NULL || !add_integration (db, f->workspace->id, error))
    return FALSE;
  f->rule = g_new0 (FdAlertRule, 1);
  f->rule->workspace_id = g_strdup (f->workspace->id);
  f->rule->name = g_strdup ("Battery");
  f->rule->tags = g_strsplit ("battery power", " ", -1);
  f->rule->threshold_ms = THRESHOLD_MS;
  {
    FdAlertRule quiet_rule = { .workspace_id = f->quiet->id,
                               .name = "Battery",
                               .tags = f->rule->tags,
                               .threshold_ms = THRESHOLD_MS };
    if (!fd_store_alert_rule_create (db, &quiet_rule, T0, error))
      return FALSE;
    g_free (quiet_rule.id);
  }
  return fd_store_alert_rule_create (db, f->rule, T0, error)
         && open_condition (db, f->device, "c-bat", "battery", error)
         && open_condition (db, f->device, "c-temp", "temp", error)
         && open_condition (db, f->quiet_device, "c-q", "power", error);
}

static void
set_up (Fixture *f, gconstpointer data)
{
  f->store = fd_test_store_open ("fd-store-alerts-XXXXXX", make_rows, f, &f->dir);
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  fd_test_store_close (f->store, &f->dir);
  fd_workspace_free (f->workspace);
  fd_workspace_free (f->quiet);
  fd_device_free (f->device);
  fd_device_free (f->quiet_device);
  fd_alert_rule_free (f->rule);
}

typedef struct
{
  gint64 now;
  GPtrArray *triggered;
  GPtrArray *resolved;
} Check;

static gboolean
check_job (FdDb *db, gpointer data, GError **error)
{
  Check *c = data;
  return fd_store_alerts_check (db, c->now, c->triggered, c->resolved, error);
}

/* Runs the check at @now; the alerts it raised and resolved. */
static void
check (Fixture *f, gint64 now, GPtrArray **triggered, GPtrArray **resolved)
{
  g_autoptr (GError) error = NULL;
  Check c = { now, g_ptr_array_new_with_free_func ((GDestroyNotify)fd_alert_free),
              g_ptr_array_new_with_free_func ((GDestroyNotify)fd_alert_free) };

  g_assert_true (fd_store_write_sync (f->store, check_job, &c, &error));
  g_assert_no_error (error);
  *triggered = c.triggered;
  *resolved = c.resolved;
}

typedef struct
{
  GPtrArray *rows; /* "kind|fleet|device|tag|t|body" */
} Outbox;

static gboolean
outbox_job (FdDb *db, gpointer data, GError **error)
{
  Outbox *o = data;
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "SELECT kind || '|' || fleet_id || '|' || device_id || '|' || tag || '|' || t || '|' || body,"
      " workspace_id FROM outbox_event ORDER BY id",
      error);

  return stmt != NULL && fd_db_fetch_strings (db, stmt, o->rows, "outbox", error);
}

static GPtrArray *
outbox (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  Outbox o = { g_ptr_array_new_with_free_func (g_free) };

  g_assert_true (fd_store_read_sync (f->store, outbox_job, &o, &error));
  return o.rows;
}

/* The body of outbox row @row, its prefix checked against @kind, @f's device and @tag, @t. */
static JsonNode *
outbox_body (Fixture *f, const char *row, const char *tag, gint64 t)
{
  g_autofree char *prefix
      = g_strdup_printf ("%d|%s|%s|%s|%" G_GINT64_FORMAT "|", FD_OUTBOX_KIND_ALERTS,
                         f->device->fleet_id, f->device->id, tag, t);
  JsonNode *body;

  g_assert_true (g_str_has_prefix (row, prefix));
  body = json_from_string (row + strlen (prefix), NULL);
  g_assert_nonnull (body);
  return body;
}

static gboolean
close_job (FdDb *db, gpointer data, GError **error)
{
  Fixture *f = data;
  FdCondition c = { .device_id = f->device->id, .uuid = "c-bat", .open = FALSE, .finish = 5000 };

  return fd_store_condition_update (db, &c, T0 + 11 * THRESHOLD_MS - 10, error);
}

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  Fixture *f = data;
  return fd_store_alert_rule_delete (db, f->rule->id, error);
}

typedef struct
{
  const char *workspace_id;
  FdAlertState state;
  FdPage page;
} Count;

static gboolean
count_job (FdDb *db, gpointer data, GError **error)
{
  Count *c = data;
  return fd_store_alert_list (db, c->workspace_id, c->state, 0, 100, &c->page, error);
}

static gint64
count_alerts (Fixture *f, const char *workspace_id, FdAlertState state)
{
  g_autoptr (GError) error = NULL;
  Count c = { workspace_id, state, { 0 } };
  gint64 n;

  g_assert_true (fd_store_read_sync (f->store, count_job, &c, &error));
  g_assert_cmpuint (c.page.items->len, ==, (guint)c.page.total);
  n = c.page.total;
  fd_page_clear (&c.page);
  return n;
}

static gboolean
update_job (FdDb *db, gpointer data, GError **error)
{
  Fixture *f = data;
  return fd_store_alert_rule_update (db, f->rule, T0, error);
}

static void
set_tags (Fixture *f, const char *tags)
{
  g_autoptr (GError) error = NULL;

  g_strfreev (f->rule->tags);
  f->rule->tags = g_strsplit (tags, " ", -1);
  g_assert_true (fd_store_write_sync (f->store, update_job, f, &error));
}

static void
test_trigger_and_resolve (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) t1 = NULL, r1 = NULL, t2 = NULL, r2 = NULL, t3 = NULL, r3 = NULL;
  g_autoptr (GPtrArray) t4 = NULL, r4 = NULL, t5 = NULL, r5 = NULL, t6 = NULL, r6 = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (JsonNode) body = NULL, resolved_body = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;
  JsonObject *event, *alert;
  FdAlert *a;

  /* A millisecond before the threshold (the device's 1970 start does not count): nothing. */
  check (f, T0 + THRESHOLD_MS - 1, &t1, &r1);
  g_assert_cmpuint (t1->len, ==, 0);
  g_assert_cmpuint (r1->len, ==, 0);

  /* At it: the condition of the rule's tags in each workspace (battery, power), not temp. */
  check (f, T0 + THRESHOLD_MS, &t2, &r2);
  g_assert_cmpuint (t2->len, ==, 2);
  g_assert_cmpuint (r2->len, ==, 0);
  for (guint i = 0; i < t2->len; i++)
    {
      a = g_ptr_array_index (t2, i);
      g_assert_cmpstr (a->tag, !=, "temp");
      g_assert_cmpint (a->triggered_at, ==, T0 + THRESHOLD_MS);
      g_assert_cmpint (a->condition_start, ==, 1000);
      g_assert_cmpint (a->resolved_at, ==, 0);
    }

  /* One outbox event: the quiet workspace has no integration that wants alerts. */
  rows = outbox (f);
  g_assert_cmpuint (rows->len, ==, 1);
  body = outbox_body (f, g_ptr_array_index (rows, 0), "battery", T0 + THRESHOLD_MS);
  event = json_node_get_object (body);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "alert.triggered");
  g_assert_cmpstr (json_object_get_string_member (event, "workspace_id"), ==, f->workspace->id);
  g_assert_cmpstr (json_object_get_string_member (event, "device_id"), ==, f->device->id);
  g_assert_cmpstr (json_object_get_string_member (event, "time"), ==, "2027-01-15T08:01:00.000Z");
  alert = json_object_get_object_member (event, "data");
  g_assert_cmpstr (json_object_get_string_member (alert, "rule_id"), ==, f->rule->id);
  g_assert_cmpstr (json_object_get_string_member (alert, "rule_name"), ==, "Battery");
  g_assert_cmpstr (json_object_get_string_member (alert, "device_name"), ==, "pump-1");
  g_assert_cmpstr (json_object_get_string_member (alert, "condition_uuid"), ==, "c-bat");
  g_assert_cmpstr (json_object_get_string_member (alert, "condition_start"), ==,
                   "1970-01-01T00:00:01.000Z");
  g_assert_cmpstr (json_object_get_string_member (alert, "state"), ==, "active");
  g_assert_true (json_object_get_null_member (alert, "resolved_at"));
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* Later ticks raise nothing more. */
  check (f, T0 + 10 * THRESHOLD_MS, &t3, &r3);
  g_assert_cmpuint (t3->len, ==, 0);
  g_assert_cmpuint (r3->len, ==, 0);

  /* The condition closes: resolved at the next check, with its event. */
  g_assert_true (fd_store_write_sync (f->store, close_job, f, &error));
  check (f, T0 + 11 * THRESHOLD_MS, &t4, &r4);
  g_assert_cmpuint (t4->len, ==, 0);
  g_assert_cmpuint (r4->len, ==, 1);
  a = g_ptr_array_index (r4, 0);
  g_assert_cmpstr (a->condition_uuid, ==, "c-bat");
  g_assert_cmpint (a->resolved_at, ==, T0 + 11 * THRESHOLD_MS);
  rows = outbox (f);
  g_assert_cmpuint (rows->len, ==, 2);
  resolved_body = outbox_body (f, g_ptr_array_index (rows, 1), "battery", T0 + 11 * THRESHOLD_MS);
  event = json_node_get_object (resolved_body);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "alert.resolved");
  alert = json_object_get_object_member (event, "data");
  g_assert_cmpstr (json_object_get_string_member (alert, "state"), ==, "resolved");
  expected = fd_time_format_ms (T0 + 11 * THRESHOLD_MS);
  g_assert_cmpstr (json_object_get_string_member (alert, "resolved_at"), ==, expected);

  /* The lists: one resolved, the quiet workspace's one still active; the rule counts 0. */
  g_assert_cmpint (count_alerts (f, f->workspace->id, FD_ALERT_STATE_ACTIVE), ==, 0);
  g_assert_cmpint (count_alerts (f, f->workspace->id, FD_ALERT_STATE_RESOLVED), ==, 1);
  g_assert_cmpint (count_alerts (f, f->quiet->id, FD_ALERT_STATE_ACTIVE), ==, 1);

  /* The rule names temp instead: its condition alerts; naming battery again resolves that. */
  set_tags (f, "temp");
  check (f, T0 + 12 * THRESHOLD_MS, &t5, &r5);
  g_assert_cmpuint (t5->len, ==, 1);
  g_assert_cmpstr (((FdAlert *)g_ptr_array_index (t5, 0))->condition_uuid, ==, "c-temp");
  g_assert_cmpuint (r5->len, ==, 0);
  set_tags (f, "battery");
  check (f, T0 + 13 * THRESHOLD_MS, &t6, &r6);
  g_assert_cmpuint (t6->len, ==, 0);
  g_assert_cmpuint (r6->len, ==, 1);
  g_assert_cmpstr (((FdAlert *)g_ptr_array_index (r6, 0))->condition_uuid, ==, "c-temp");

  /* Deleting the rule takes its alerts. */
  g_assert_true (fd_store_write_sync (f->store, delete_job, f, &error));
  g_assert_cmpint (count_alerts (f, f->workspace->id, FD_ALERT_STATE_ANY), ==, 0);
  g_assert_cmpint (count_alerts (f, f->quiet->id, FD_ALERT_STATE_ANY), ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store-alerts/trigger-and-resolve", Fixture, NULL, set_up, test_trigger_and_resolve,
              tear_down);
  return g_test_run ();
}
