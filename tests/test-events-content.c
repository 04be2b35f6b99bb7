/* test-events-content.c — what the events say, against a real server with HTTPS devices: a
 * data event per post with its count and payload, coalesced when readings come fast, presence
 * (device.online / device.offline, and the device JSON's online, presence and info), and
 * condition.opened / updated / closed with the condition as the conditions list shows it. */
#include "fd-test-events.h"

#include <string.h>

static FdTdServer *shared;

/* One HTTPS post: one data event with its count, payload, tag, fleet and arrival time. */
static void
test_data_event (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-data");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, "&type=data", NULL);
  g_autoptr (FdTeListener) l = fd_te_listener_open (shared, query, shared->srv->token);
  g_autoptr (FdTdRaw) raw = NULL;
  JsonObject *e, *data;

  g_assert_nonnull (l->conn);
  raw = fd_te_device_connect (shared, d);
  fd_te_post_data (raw, "temp", "{\"celsius\": 21.5, \"ok\": true}");
  e = fd_te_event_at (l, fd_te_wait_event (l, 0, "data", d->id));
  data = fd_te_event_data (e);
  g_assert_cmpstr (json_object_get_string_member (e, "workspace_id"), ==, d->workspace_id);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (e, "time"), "Z"));
  g_assert_cmpstr (json_object_get_string_member (data, "tag"), ==, "temp");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (data, "fleet_id"), "flt-"));
  g_assert_cmpint (json_object_get_int_member (data, "count"), ==, 1);
  g_assert_cmpfloat (
      json_object_get_double_member (json_object_get_object_member (data, "payload"), "celsius"),
      ==, 21.5);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (data, "timestamp_in"), "Z"));
}

/* 50 readings posted one after the other, each answered (so each its own commit) before the
 * next and 20 ms apart, so that they span several flushes: fewer events than readings but more
 * than one, their counts adding up to 50, the newest payload in the last. Events of a series
 * are at least 1/4 s apart, so their number is bounded by the time the posts took, however
 * loaded the machine. */
static void
test_coalesced (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-burst");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, NULL);
  g_autoptr (FdTeListener) l = fd_te_listener_open (shared, query, shared->srv->token);
  g_autoptr (FdTdRaw) raw = fd_te_device_connect (shared, d);
  gint64 start = g_get_monotonic_time (), deadline = start + FD_TE_WAIT_LIMIT_US, elapsed_ms;
  guint n_events = 0;
  JsonObject *last = NULL;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"i\": %u}", i);
      fd_te_post_data (raw, "burst", body);
      g_usleep (20 * 1000);
    }
  while (fd_te_data_count (l, d->id, "burst", &n_events) < 50)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_cmpint (fd_te_data_count (l, d->id, "burst", &n_events), ==, 50);
  g_assert_cmpuint (n_events, <=, 2 + elapsed_ms * 4 / 1000);
  g_assert_cmpuint (n_events, >=, 2);
  if (elapsed_ms < 10000)
    g_assert_cmpuint (n_events, <, 50);
  for (guint i = 0; i < l->events->len; i++)
    if (fd_te_event_is (fd_te_event_at (l, i), "data", d->id))
      last = fd_te_event_at (l, i);
  g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (fd_te_event_data (last), "payload"), "i"),
                   ==, 49);
  g_test_message ("50 readings in %" G_GINT64_FORMAT " ms gave %u data events", elapsed_ms,
                  n_events);
}

/* An HTTPS connection: device.online when it opens, device.offline when it ends, and the device
 * JSON says so, with its presence and the __info it reported. */
static void
test_presence (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-presence");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, NULL);
  g_autofree char *path = g_strconcat ("/api/v1/devices/", d->id, NULL);
  g_autoptr (FdTeListener) l = fd_te_listener_open (shared, query, shared->srv->token);
  g_autoptr (JsonNode) during = NULL, after = NULL;
  FdTdRaw *raw = fd_te_device_connect (shared, d);
  JsonObject *e, *dev, *presence, *info;
  guint online_at;

  {
    g_autofree char *req = fd_td_request ("POST", "/v1/up", NULL,
                                          "{\"key\": \"__info\", \"value\": {\"fw\": \"1.2.3\"}}");
    g_auto (FdTdResponse) resp = { 0 };
    fd_td_raw_send (raw, req);
    g_assert_true (fd_td_raw_response (raw, &resp));
    g_assert_cmpuint (resp.status, ==, 202);
  }
  online_at = fd_te_wait_event (l, 0, "device.online", d->id);
  e = fd_te_event_data (fd_te_event_at (l, online_at));
  g_assert_cmpstr (json_object_get_string_member (e, "transport"), ==, "https");
  g_assert_nonnull (strstr (json_object_get_string_member (e, "address"), "127.0.0.1"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (e, "connected_at"), "Z"));

  /* Online is live: no waiting for the presence write. */
  during = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  dev = json_node_get_object (during);
  g_assert_true (json_object_get_boolean_member (dev, "online"));
  g_assert_false (json_object_get_null_member (dev, "last_seen"));
  info = json_object_get_object_member (dev, "info");
  g_assert_nonnull (info);
  g_assert_cmpstr (json_object_get_string_member (info, "fw"), ==, "1.2.3");
  presence = json_object_get_object_member (dev, "presence");
  g_assert_nonnull (presence);
  g_assert_true (json_object_has_member (presence, "transport"));
  g_assert_true (json_object_has_member (presence, "disconnected_at"));

  {
    g_autofree char *list_path
        = g_strdup_printf ("/api/v1/workspaces/%s/devices?online=true", d->workspace_id);
    g_autoptr (JsonNode) list = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
    g_autoptr (JsonNode) bad = NULL;
    g_autofree char *bad_path
        = g_strdup_printf ("/api/v1/workspaces/%s/devices?online=maybe", d->workspace_id);
    guint status = 0;
    JsonArray *items = json_object_get_array_member (json_node_get_object (list), "items");
    gboolean found = FALSE;

    /* The stored row follows the registry a moment later; poll it, then it is listed. */
    for (int tries = 0; !found && tries < 400; tries++)
      {
        items = json_object_get_array_member (json_node_get_object (list), "items");
        for (guint i = 0; i < json_array_get_length (items); i++)
          found |= g_str_equal (
              json_object_get_string_member (json_array_get_object_element (items, i), "id"),
              d->id);
        if (!found)
          {
            g_usleep (25000);
            g_clear_pointer (&list, json_node_unref);
            list = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
          }
      }
    g_assert_true (found);

    /* The row is written now: the presence it records. */
    {
      g_autoptr (JsonNode) now = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
      JsonObject *p = json_object_get_object_member (json_node_get_object (now), "presence");

      g_assert_cmpstr (json_object_get_string_member (p, "transport"), ==, "https");
      g_assert_nonnull (strstr (json_object_get_string_member (p, "address"), "127.0.0.1"));
      g_assert_false (json_object_get_null_member (p, "connected_at"));
    }
    bad = fd_test_api (shared->srv, "GET", bad_path, NULL, &status);
    g_assert_cmpuint (status, ==, 400);
  }

  fd_td_raw_free (raw);
  e = fd_te_event_at (l, fd_te_wait_event (l, online_at, "device.offline", d->id));
  g_assert_cmpstr (json_object_get_string_member (fd_te_event_data (e), "transport"), ==, "https");
  g_assert_cmpstr (json_object_get_string_member (fd_te_event_data (e), "reason"), ==,
                   "disconnected");
  g_assert_true (g_str_has_suffix (
      json_object_get_string_member (fd_te_event_data (e), "disconnected_at"), "Z"));

  after = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (after), "online"));
}

/* A condition opened, opened again (an update) and closed over HTTPS: three events whose data
 * is the condition as the conditions list shows it; a second close is no news. */
static void
test_conditions (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-condition");
  g_autofree char *query
      = g_strconcat ("?workspace=", d->workspace_id,
                     "&type=condition.opened&type=condition.updated&type=condition.closed", NULL);
  g_autofree char *list_path
      = g_strdup_printf ("/api/v1/workspaces/%s/conditions?device=%s", d->workspace_id, d->id);
  g_autoptr (FdTeListener) l = fd_te_listener_open (shared, query, shared->srv->token);
  g_autoptr (FdTdRaw) raw = fd_te_device_connect (shared, d);
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (GList) members = NULL;
  JsonObject *opened, *updated, *closed, *listed;
  guint at;

  fd_te_post_up (raw,
                 "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"tag\": \"battery\","
                 " \"payload\": {\"lvl\": 15}, \"start\": \"2026-01-01T10:00:00Z\"}}",
                 202);
  at = fd_te_wait_event (l, 0, "condition.opened", d->id);
  opened = fd_te_event_data (fd_te_event_at (l, at));
  fd_te_post_up (raw,
                 "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"tag\": \"battery\","
                 " \"payload\": {\"lvl\": 12}, \"start\": \"2026-01-01T10:00:00Z\"}}",
                 202);
  at = fd_te_wait_event (l, at + 1, "condition.updated", d->id);
  updated = fd_te_event_data (fd_te_event_at (l, at));
  fd_te_post_up (
      raw,
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"payloadf\": {\"lvl\": 45},"
      " \"finish\": \"2026-01-01T10:30:00Z\"}}",
      202);
  at = fd_te_wait_event (l, at + 1, "condition.closed", d->id);
  closed = fd_te_event_data (fd_te_event_at (l, at));

  g_assert_cmpstr (json_object_get_string_member (opened, "uuid"), ==, "c-1");
  g_assert_cmpstr (json_object_get_string_member (opened, "tag"), ==, "battery");
  g_assert_cmpstr (json_object_get_string_member (opened, "status"), ==, "open");
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (opened, "payload"), "lvl"), ==,
      15);
  g_assert_true (json_object_get_null_member (opened, "finish"));
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (updated, "payload"), "lvl"), ==,
      12);
  g_assert_cmpstr (json_object_get_string_member (closed, "status"), ==, "closed");
  g_assert_cmpstr (json_object_get_string_member (closed, "finish"), ==,
                   "2026-01-01T10:30:00.000Z");
  g_assert_cmpfloat (json_object_get_double_member (closed, "duration"), ==, 1800.0);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (closed, "payloadf"), "lvl"), ==,
      45);

  /* The same object as the conditions list (which may add the device's name). */
  list = fd_test_api_expect (shared->srv, "GET", list_path, NULL, 200);
  listed = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (list), "items"), 0);
  members = json_object_get_members (closed);
  for (GList *it = members; it != NULL; it = it->next)
    {
      g_autofree char *a = json_to_string (json_object_get_member (closed, it->data), FALSE);
      g_autofree char *b = json_to_string (json_object_get_member (listed, it->data), FALSE);
      g_assert_cmpstr (a, ==, b);
    }

  /* A second close changes nothing and says nothing; the marker after it is the next event. */
  fd_te_post_up (raw,
                 "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"finish\": "
                 "\"2026-01-01T10:31:00Z\"}}",
                 202);
  fd_te_post_up (raw,
                 "{\"key\": \"condition\", \"value\": {\"uuid\": \"c-2\", \"tag\": \"marker\","
                 " \"start\": \"2026-01-01T11:00:00Z\"}}",
                 202);
  g_assert_cmpuint (fd_te_wait_event (l, at + 1, "condition.opened", d->id), ==, at + 1);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  shared = fd_td_server_start (NULL);
  g_test_add_func ("/events-content/data-event", test_data_event);
  g_test_add_func ("/events-content/coalesced", test_coalesced);
  g_test_add_func ("/events-content/presence", test_presence);
  g_test_add_func ("/events-content/conditions", test_conditions);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
