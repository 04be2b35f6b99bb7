/* test-alerts.c — alert rules against a real server (--alert-tick-ms 100) and a real HTTPS
 * device: a condition of a rule's tag open longer than the threshold raises an alert (listed,
 * and alert.triggered on the events stream); closing it resolves it (alert.resolved); a
 * condition of another tag raises nothing until the rule names its tag; deleting the rule
 * takes its alerts; bad input is refused with the field named and nothing created. */
#include "fd-test-api-util.h"
#include "fd-test-events.h"

#include <string.h>

static FdTdServer *shared;

#define THRESHOLD_S 2

static JsonNode *
alerts (const char *workspace_id, const char *state)
{
  g_autofree char *path
      = g_strdup_printf ("/api/v1/workspaces/%s/alerts?state=%s", workspace_id, state);
  return fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
}

static gint64
total (JsonNode *list)
{
  return fd_t_int (list, "total");
}

static void
assert_same_json (JsonNode *a, JsonNode *b)
{
  g_autofree char *ta = json_to_string (a, FALSE);
  g_autofree char *tb = json_to_string (b, FALSE);
  g_assert_cmpstr (ta, ==, tb);
}

static void
open_condition (FdTdRaw *raw, const char *uuid, const char *tag)
{
  /* A start far in the past: the threshold counts from when the server heard of it, not from
   * the device's clock. */
  g_autofree char *body
      = g_strdup_printf ("{\"key\": \"condition\", \"value\": {\"uuid\": \"%s\", \"tag\": \"%s\","
                         " \"payload\": {\"lvl\": 5}, \"start\": \"2020-01-01T00:00:00Z\"}}",
                         uuid, tag);
  fd_te_post_up (raw, body, 202);
}

static void
close_condition (FdTdRaw *raw, const char *uuid)
{
  g_autofree char *body = g_strdup_printf ("{\"key\": \"condition\", \"value\": {\"uuid\": \"%s\", "
                                           "\"finish\": \"2020-01-01T01:00:00Z\"}}",
                                           uuid);
  fd_te_post_up (raw, body, 202);
}

static guint
count_events (FdTeListener *l, const char *type)
{
  guint n = 0;

  for (guint i = 0; i < l->events->len; i++)
    if (g_strcmp0 (json_object_get_string_member (fd_te_event_at (l, i), "type"), type) == 0)
      n++;
  return n;
}

static void
test_lifecycle (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "alerts-pump");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id,
                                        "&type=alert.triggered&type=alert.resolved", NULL);
  g_autoptr (FdTeListener) l = fd_te_listener_open (shared, query, shared->srv->token);
  g_autoptr (FdTdRaw) raw = fd_te_device_connect (shared, d);
  g_autofree char *rules_path
      = g_strdup_printf ("/api/v1/workspaces/%s/alert-rules", d->workspace_id);
  g_autofree char *body = g_strdup_printf (
      "{\"name\": \"Battery low too long\", \"tags\": [\"battery\"], \"open_longer_than_s\": %d}",
      THRESHOLD_S);
  g_autoptr (JsonNode) rule = NULL, before = NULL, active = NULL, got = NULL, resolved = NULL;
  g_autoptr (JsonNode) now_active = NULL, patched = NULL, other = NULL, gone = NULL, audit = NULL;
  g_autoptr (JsonNode) after_delete = NULL;
  g_autofree char *rule_path = NULL, *audit_path = NULL;
  JsonObject *data;
  const char *rule_id;
  gint64 opened_us;
  guint at;

  rule = fd_test_api_expect (shared->srv, "POST", rules_path, body, 201);
  rule_id = fd_t_str (rule, "id");
  fd_t_assert_id (rule_id, "alr");
  g_assert_cmpstr (fd_t_str (rule, "workspace_id"), ==, d->workspace_id);
  g_assert_cmpstr (fd_t_str (rule, "name"), ==, "Battery low too long");
  g_assert_cmpint (fd_t_int (rule, "open_longer_than_s"), ==, THRESHOLD_S);
  g_assert_cmpint (fd_t_int (rule, "active"), ==, 0);
  fd_t_assert_time (fd_t_str (rule, "created_at"));
  rule_path = g_strdup_printf ("/api/v1/alert-rules/%s", rule_id);

  /* One condition of the rule's tag, one of another tag. */
  opened_us = g_get_monotonic_time ();
  open_condition (raw, "c-bat", "battery");
  open_condition (raw, "c-temp", "temp");

  /* Before the threshold: nothing, although the device says it started in 2020. */
  before = alerts (d->workspace_id, "any");
  if (g_get_monotonic_time () - opened_us < (THRESHOLD_S - 1) * G_USEC_PER_SEC)
    g_assert_cmpint (total (before), ==, 0);

  at = fd_te_wait_event (l, 0, "alert.triggered", d->id);
  g_assert_cmpint (g_get_monotonic_time () - opened_us, >=, THRESHOLD_S * G_USEC_PER_SEC - 150000);
  data = fd_te_event_data (fd_te_event_at (l, at));
  g_assert_cmpstr (json_object_get_string_member (data, "rule_id"), ==, rule_id);
  g_assert_cmpstr (json_object_get_string_member (data, "rule_name"), ==, "Battery low too long");
  g_assert_cmpstr (json_object_get_string_member (data, "device_name"), ==, "alerts-pump");
  g_assert_cmpstr (json_object_get_string_member (data, "tag"), ==, "battery");
  g_assert_cmpstr (json_object_get_string_member (data, "condition_uuid"), ==, "c-bat");
  g_assert_cmpstr (json_object_get_string_member (data, "condition_start"), ==,
                   "2020-01-01T00:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (data, "state"), ==, "active");
  g_assert_true (json_object_get_null_member (data, "resolved_at"));
  fd_t_assert_time (json_object_get_string_member (data, "triggered_at"));

  /* The list shows the same object; the rule counts it. */
  active = alerts (d->workspace_id, "active");
  g_assert_cmpint (total (active), ==, 1);
  assert_same_json (json_object_get_member (fd_te_event_at (l, at), "data"),
                    json_array_get_element (fd_t_items (active), 0));
  got = fd_test_api_expect (shared->srv, "GET", rule_path, NULL, 200);
  g_assert_cmpint (fd_t_int (got, "active"), ==, 1);

  /* A few ticks later: still one alert (not raised again), none for the other tag. */
  g_usleep (500 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&active, json_node_unref);
  active = alerts (d->workspace_id, "any");
  g_assert_cmpint (total (active), ==, 1);
  g_assert_cmpuint (count_events (l, "alert.triggered"), ==, 1);

  /* Closing the condition resolves the alert within a tick. */
  close_condition (raw, "c-bat");
  at = fd_te_wait_event (l, at + 1, "alert.resolved", d->id);
  data = fd_te_event_data (fd_te_event_at (l, at));
  g_assert_cmpstr (json_object_get_string_member (data, "condition_uuid"), ==, "c-bat");
  g_assert_cmpstr (json_object_get_string_member (data, "state"), ==, "resolved");
  fd_t_assert_time (json_object_get_string_member (data, "resolved_at"));
  now_active = alerts (d->workspace_id, "active");
  g_assert_cmpint (total (now_active), ==, 0);
  resolved = alerts (d->workspace_id, "resolved");
  g_assert_cmpint (total (resolved), ==, 1);
  assert_same_json (json_object_get_member (fd_te_event_at (l, at), "data"),
                    json_array_get_element (fd_t_items (resolved), 0));

  /* The rule now names the other tag: its condition, open long enough, alerts at once. */
  g_clear_pointer (&patched, json_node_unref);
  patched = fd_test_api_expect (shared->srv, "PATCH", rule_path, "{\"tags\": [\"temp\"]}", 200);
  g_assert_cmpstr (
      json_array_get_string_element (json_object_get_array_member (fd_t_obj (patched), "tags"), 0),
      ==, "temp");
  g_assert_cmpstr (fd_t_str (patched, "name"), ==, "Battery low too long");
  g_assert_cmpint (fd_t_int (patched, "open_longer_than_s"), ==, THRESHOLD_S);
  at = fd_te_wait_event (l, at + 1, "alert.triggered", d->id);
  data = fd_te_event_data (fd_te_event_at (l, at));
  g_assert_cmpstr (json_object_get_string_member (data, "tag"), ==, "temp");
  g_assert_cmpstr (json_object_get_string_member (data, "condition_uuid"), ==, "c-temp");
  other = alerts (d->workspace_id, "any");
  g_assert_cmpint (total (other), ==, 2);

  /* The changes are in the audit log. */
  audit_path = g_strdup_printf ("/api/v1/audit?target=%s", rule_id);
  audit = fd_test_api_expect (shared->srv, "GET", audit_path, NULL, 200);
  g_assert_cmpint (total (audit), ==, 2);

  /* Deleting the rule takes its alerts. */
  g_clear_pointer (&gone, json_node_unref);
  gone = fd_test_api_expect (shared->srv, "DELETE", rule_path, NULL, 204);
  after_delete = alerts (d->workspace_id, "any");
  g_assert_cmpint (total (after_delete), ==, 0);
  g_clear_pointer (&gone, json_node_unref);
  gone = fd_test_api_expect (shared->srv, "GET", rule_path, NULL, 404);
  g_assert_cmpstr (fd_test_error_code (gone), ==, "not_found");
  close_condition (raw, "c-temp");
}

static void
expect_400 (const char *method, const char *path, const char *body, const char *field)
{
  g_autoptr (JsonNode) answer = fd_test_api_expect (shared->srv, method, path, body, 400);
  JsonObject *error = json_object_get_object_member (fd_t_obj (answer), "error");

  g_assert_cmpstr (json_object_get_string_member_with_default (error, "field", NULL), ==, field);
}

/* The message names the item and says what is wrong with it. */
static void
expect_400_message (const char *path, const char *body, const char *message)
{
  g_autoptr (JsonNode) answer = fd_test_api_expect (shared->srv, "POST", path, body, 400);
  JsonObject *error = json_object_get_object_member (fd_t_obj (answer), "error");

  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, message);
}

static void
test_bad_input (void)
{
  g_autofree char *ws = fd_test_make_workspace (shared->srv, "alerts-bad");
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/alert-rules", ws);
  g_autofree char *long_name = g_strnfill (129, 'n');
  g_autofree char *long_body = g_strdup_printf (
      "{\"name\": \"%s\", \"tags\": [\"t\"], \"open_longer_than_s\": 60}", long_name);
  g_autoptr (GString) many
      = g_string_new ("{\"name\": \"n\", \"open_longer_than_s\": 60, \"tags\": [");
  g_autoptr (JsonNode) list = NULL, rule = NULL, missing = NULL, none = NULL;
  g_autofree char *rule_path = NULL, *alerts_path = NULL, *no_ws = NULL;

  for (int i = 0; i < 33; i++)
    g_string_append_printf (many, "%s\"t%d\"", i ? ", " : "", i);
  g_string_append (many, "]}");

  expect_400 ("POST", path, "{\"tags\": [\"t\"], \"open_longer_than_s\": 60}", "name");
  expect_400 ("POST", path, "{\"name\": \" \", \"tags\": [\"t\"], \"open_longer_than_s\": 60}",
              "name");
  expect_400 ("POST", path, long_body, "name");
  expect_400 ("POST", path, "{\"name\": \"n\", \"open_longer_than_s\": 60}", "tags");
  expect_400 ("POST", path, "{\"name\": \"n\", \"tags\": [], \"open_longer_than_s\": 60}", "tags");
  expect_400 ("POST", path, "{\"name\": \"n\", \"tags\": \"t\", \"open_longer_than_s\": 60}",
              "tags");
  expect_400 ("POST", path, "{\"name\": \"n\", \"tags\": [\"a/b\"], \"open_longer_than_s\": 60}",
              "tags");
  expect_400 ("POST", path, "{\"name\": \"n\", \"tags\": [7], \"open_longer_than_s\": 60}", "tags");
  expect_400_message (path,
                      "{\"name\": \"n\", \"tags\": [\"t\", \"a/b\"], \"open_longer_than_s\": 60}",
                      "tags[1]: the tag contains '/', '#' or '+'");
  expect_400_message (path, "{\"name\": \"n\", \"tags\": [7], \"open_longer_than_s\": 60}",
                      "tags[0]: is not a string");
  expect_400 ("POST", path, many->str, "tags");
  expect_400 ("POST", path, "{\"name\": \"n\", \"tags\": [\"t\"]}", "open_longer_than_s");
  expect_400 ("POST", path, "{\"name\": \"n\", \"tags\": [\"t\"], \"open_longer_than_s\": 0}",
              "open_longer_than_s");
  expect_400 ("POST", path, "{\"name\": \"n\", \"tags\": [\"t\"], \"open_longer_than_s\": 2592001}",
              "open_longer_than_s");
  expect_400 ("POST", path, "{\"name\": \"n\", \"tags\": [\"t\"], \"open_longer_than_s\": \"60\"}",
              "open_longer_than_s");
  expect_400 ("POST", path,
              "{\"name\": \"n\", \"tags\": [\"t\"], \"open_longer_than_s\": 60, \"kinds\": []}",
              "kinds");
  list = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  g_assert_cmpint (total (list), ==, 0);

  /* 30 days is the longest accepted. */
  rule = fd_test_api_expect (
      shared->srv, "POST", path,
      "{\"name\": \"n\", \"tags\": [\"t\"], \"open_longer_than_s\": 2592000}", 201);
  rule_path = g_strdup_printf ("/api/v1/alert-rules/%s", fd_t_str (rule, "id"));
  expect_400 ("PATCH", rule_path, "{\"tags\": []}", "tags");
  expect_400 ("PATCH", rule_path, "{\"open_longer_than_s\": -1}", "open_longer_than_s");
  expect_400 ("PATCH", rule_path, "{\"threshold\": 5}", "threshold");

  alerts_path = g_strdup_printf ("/api/v1/workspaces/%s/alerts?state=open", ws);
  expect_400 ("GET", alerts_path, NULL, "state");
  g_free (alerts_path);
  alerts_path = g_strdup_printf ("/api/v1/workspaces/%s/alerts?sort=x", ws);
  expect_400 ("GET", alerts_path, NULL, "sort");

  no_ws = g_strdup_printf ("/api/v1/workspaces/%s/alert-rules", FD_T_NO_WKS);
  missing = fd_test_api_expect (shared->srv, "POST", no_ws,
                                "{\"name\": \"n\", \"tags\": [\"t\"], \"open_longer_than_s\": 60}",
                                404);
  g_assert_cmpstr (fd_test_error_code (missing), ==, "not_found");
  none = fd_test_api_expect (shared->srv, "DELETE", "/api/v1/alert-rules/alr-aaaaaaaaaaaaaaaaaaaa",
                             NULL, 404);
  g_clear_pointer (&none, json_node_unref);
  none = fd_test_api_expect (shared->srv, "PATCH", "/api/v1/alert-rules/alr-aaaaaaaaaaaaaaaaaaaa",
                             "{\"name\": \"x\"}", 404);
  g_clear_pointer (&none, json_node_unref);
  none = fd_test_api_expect (shared->srv, "GET", "/api/v1/alert-rules/wks-aaaaaaaaaaaaaaaaaaaa",
                             NULL, 404);
}

int
main (int argc, char **argv)
{
  static const char *const args[] = { "--alert-tick-ms=100", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  shared = fd_td_server_start (args);
  g_test_add_func ("/alerts/lifecycle", test_lifecycle);
  g_test_add_func ("/alerts/bad-input", test_bad_input);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
