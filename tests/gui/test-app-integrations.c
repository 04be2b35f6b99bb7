/* test-app-integrations.c — what the Integrations pane shows without a display: the health
 * states with their styles, queue and rate cells, the last error cut for a cell, the delivery
 * log's cells, a test event's answer as a sentence, alert rules' thresholds and lines, an
 * alert's notification title and id. */
#include "config.h"

#include <locale.h>

#include "fd-integrations-format.h"

static JsonObject *
object_of (const char *text)
{
  g_autoptr (JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static void
test_health (void)
{
  const struct
  {
    const char *state, *label, *css;
  } states[] = {
    { "delivering", "Delivering", "success" }, { "retrying", "Retrying", "warning" },
    { "failing", "Failing", "error" },         { "dropping", "Dropping", "error" },
    { "paused", "Paused", "dim-label" },       { "idle", "Idle", NULL },
    { "exploding", "Unknown", "dim-label" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *text
          = g_strdup_printf ("{\"name\": \"n\", \"health\": {\"state\": \"%s\"}}", states[i].state);
      g_autoptr (JsonObject) integration = object_of (text);
      const char *css = "unset";
      g_autofree char *label = fd_integrations_format_health (integration, &css);

      g_assert_cmpstr (label, ==, states[i].label);
      g_assert_cmpstr (css, ==, states[i].css);
    }
}

static void
test_cells (void)
{
  g_autoptr (JsonObject) busy = object_of (
      "{\"type\": \"postgresql\", \"health\": {\"queue_depth\": 1234567, \"rate_per_s\": 41.25, "
      "\"last_error\": \"connection refused\"}}");
  g_autoptr (JsonObject) quiet
      = object_of ("{\"type\": \"webhook\", \"health\": {\"queue_depth\": 0, \"rate_per_s\": 0, "
                   "\"last_error\": null}}");
  g_autofree char *long_error = g_strnfill (400, 'x');
  g_autofree char *long_text
      = g_strdup_printf ("{\"health\": {\"last_error\": \"%s\"}}", long_error);
  g_autoptr (JsonObject) chatty = object_of (long_text);
  const char *css = NULL;
  g_autofree char *type = fd_integrations_format_type (busy, &css);
  g_autofree char *queued = fd_integrations_format_queued (busy, &css);
  g_autofree char *rate = fd_integrations_format_rate (busy, &css);
  g_autofree char *error = fd_integrations_format_last_error (busy, &css);
  g_autofree char *none = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *zero = NULL;

  g_assert_cmpstr (type, ==, "PostgreSQL");
  g_assert_cmpstr (queued, ==, "1234567");
  g_assert_cmpstr (rate, ==, "41.2/s");
  g_assert_cmpstr (error, ==, "connection refused");
  g_assert_cmpstr (css, ==, "error");
  none = fd_integrations_format_last_error (quiet, &css);
  g_assert_cmpstr (none, ==, "None");
  g_assert_cmpstr (css, ==, "dim-label");
  zero = fd_integrations_format_queued (quiet, &css);
  g_assert_cmpstr (zero, ==, "0");
  g_assert_cmpstr (css, ==, "dim-label");
  cut = fd_integrations_format_last_error (chatty, NULL);
  g_assert_cmpuint (g_utf8_strlen (cut, -1), ==, 161);
  g_assert_true (g_str_has_suffix (cut, "…"));
}

static void
test_deliveries (void)
{
  g_autoptr (JsonObject) retry = object_of (
      "{\"id\": \"7\", \"batch_id\": \"int-1-7\", \"kind\": \"conditions\", \"items\": 3, "
      "\"attempt\": 2, \"time\": \"2026-12-01T10:00:00.250Z\", \"latency_ms\": 1500, "
      "\"status\": 503, \"outcome\": \"retry\", \"error\": \"HTTP 503\"}");
  g_autoptr (JsonObject) network = object_of (
      "{\"kind\": \"devices\", \"status\": null, \"outcome\": \"failed\", \"error\": null}");
  const char *css = NULL;
  g_autofree char *kind = fd_deliveries_format_kind (retry, &css);
  g_autofree char *status = fd_deliveries_format_status (retry, &css);
  g_autofree char *latency = fd_deliveries_format_latency (retry, &css);
  g_autofree char *outcome = fd_deliveries_format_outcome (retry, &css);
  g_autofree char *time = fd_deliveries_format_time (retry, NULL);
  g_autofree char *no_status = NULL;
  g_autofree char *failed = NULL;
  g_autofree char *devices = NULL;

  g_assert_cmpstr (kind, ==, "Conditions");
  g_assert_cmpstr (status, ==, "503");
  g_assert_cmpstr (latency, ==, "1500 ms");
  g_assert_cmpstr (outcome, ==, "Will Retry");
  g_assert_cmpstr (css, ==, "warning");
  g_assert_cmpuint (strlen (time), ==, strlen ("2026-12-01 10:00:00"));
  no_status = fd_deliveries_format_status (network, &css);
  g_assert_cmpstr (no_status, ==, "—");
  failed = fd_deliveries_format_outcome (network, &css);
  g_assert_cmpstr (failed, ==, "Failed");
  g_assert_cmpstr (css, ==, "error");
  devices = fd_deliveries_format_kind (network, NULL);
  g_assert_cmpstr (devices, ==, "Device online/offline");
}

static void
test_test_result (void)
{
  g_autoptr (JsonObject) ok
      = object_of ("{\"delivered\": true, \"status\": 200, \"latency_ms\": 12, \"error\": null}");
  g_autoptr (JsonObject) refused = object_of (
      "{\"delivered\": false, \"status\": 401, \"latency_ms\": 3, \"error\": \"bad token\"}");
  g_autoptr (JsonObject) down = object_of (
      "{\"delivered\": false, \"status\": null, \"latency_ms\": 0, \"error\": \"connection "
      "refused\"}");
  gboolean delivered = FALSE;
  g_autofree char *a = fd_integrations_format_test (ok, &delivered);
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  g_assert_true (delivered);
  g_assert_cmpstr (a, ==, "Test event delivered: HTTP 200 in 12 ms");
  b = fd_integrations_format_test (refused, &delivered);
  g_assert_false (delivered);
  g_assert_cmpstr (b, ==, "Test event not delivered: HTTP 401 — bad token");
  c = fd_integrations_format_test (down, &delivered);
  g_assert_cmpstr (c, ==, "Test event not delivered: connection refused");
}

static void
test_alerts (void)
{
  g_autoptr (JsonObject) rule = object_of ("{\"name\": \"Doors\", \"tags\": [\"door_open\", "
                                           "\"door_ajar\"], \"open_longer_than_s\": 600}");
  g_autoptr (JsonObject) any = object_of ("{\"tags\": [], \"open_longer_than_s\": 90}");
  g_autoptr (JsonObject) alert = object_of (
      "{\"rule_id\": \"alr-1\", \"device_id\": \"dev-9\", \"device_name\": \"door-01\", "
      "\"tag\": \"door_open\", \"condition_uuid\": \"c-1\"}");
  g_autoptr (JsonObject) partial = object_of ("{\"rule_id\": \"alr-1\", \"tag\": \"x\"}");
  g_autofree char *line = fd_alerts_format_rule (rule);
  g_autofree char *any_line = fd_alerts_format_rule (any);
  g_autofree char *title = fd_alerts_format_title (alert);
  g_autofree char *id = fd_alerts_notification_id (alert);
  g_autofree char *hours = fd_alerts_format_threshold (7200);

  g_assert_cmpstr (line, ==, "door_open, door_ajar · open longer than 10 min");
  g_assert_cmpstr (any_line, ==, "any tag · open longer than 1 min 30 s");
  g_assert_cmpstr (hours, ==, "2 h");
  g_assert_cmpstr (title, ==, "Condition open too long: door_open on door-01");
  g_assert_cmpstr (id, ==, "alert-alr-1-dev-9-c-1");
  g_assert_null (fd_alerts_notification_id (partial));
}

int
main (int argc, char *argv[])
{
  /* The strings as written (English), with the C locale's digit grouping. */
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app-integrations/health", test_health);
  g_test_add_func ("/app-integrations/cells", test_cells);
  g_test_add_func ("/app-integrations/deliveries", test_deliveries);
  g_test_add_func ("/app-integrations/test-result", test_test_result);
  g_test_add_func ("/app-integrations/alerts", test_alerts);
  return g_test_run ();
}
