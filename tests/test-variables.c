/* test-variables.c — a device's variables against a real server and a raw MQTT device: a value
 * set while the device is offline reaches it in the #status answer's expected map and is
 * applied when the device reports the key; one set while it is online is delivered on j/dn at
 * once; a set for a fleet reaches all its devices in one request and the pending list shrinks
 * as they report; bad keys and bodies are 400s naming the field. */
#include "fd-test-events.h"
#include "fd-test-jobs.h"

#include <string.h>

static JsonObject *
obj (JsonNode *node)
{
  return json_node_get_object (node);
}

static JsonNode *
get_variable (const FdTdDevice *d, const char *key, guint status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/variables/%s", d->id, key);
  return fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, status);
}

static JsonNode *
put_variable (const FdTdDevice *d, const char *key, const char *body, guint status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/variables/%s", d->id, key);
  return fd_test_api_expect (fd_tm_srv->srv, "PUT", path, body, status);
}

static void
test_offline_then_status (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "var-offline");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, NULL);
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *list_path = g_strdup_printf ("/api/v1/devices/%s/variables", d->id);
  g_autoptr (FdTeListener) l = fd_te_listener_open (fd_tm_srv, query, fd_tm_srv->srv->token);
  g_autoptr (JsonNode) set = NULL, pending = NULL, list = NULL, applied = NULL, status = NULL;
  g_autoptr (FdTdRaw) r = NULL;
  JsonObject *expected, *event;
  JsonArray *items;
  guint16 id;
  guint at;

  set = put_variable (d, "temp_limit", "{\"value\": {\"max\": 30, \"unit\": \"C\"}}", 202);
  g_assert_cmpstr (fd_test_str (set, "key"), ==, "temp_limit");
  g_assert_cmpstr (fd_test_str (set, "state"), ==, "pending");
  g_assert_false (json_object_get_boolean_member (obj (set), "delivered"));
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (obj (set), "value"), "max"), ==,
      30);
  at = fd_te_wait_event (l, 0, "variable.updated", d->id);
  event = fd_te_event_data (fd_te_event_at (l, at));
  g_assert_cmpstr (json_object_get_string_member (event, "key"), ==, "temp_limit");
  g_assert_cmpstr (json_object_get_string_member (event, "state"), ==, "pending");

  pending = get_variable (d, "temp_limit", 200);
  g_assert_cmpstr (fd_test_str (pending, "state"), ==, "pending");
  g_assert_true (json_object_get_null_member (obj (pending), "reported"));
  expected = json_object_get_object_member (obj (pending), "expected");
  g_assert_cmpstr (json_object_get_string_member (expected, "set_at"), ==,
                   fd_test_str (set, "set_at"));

  /* The device connects: #status carries the value in its expected map. */
  r = fd_tj_subscribed (d);
  fd_tj_up (r, d->id, 2, "{\"key\":\"#status\",\"value\":{}}");
  status = fd_tm_expect_publish (r, dn, &id, NULL);
  fd_tm_puback (r, id);
  g_assert_cmpstr (fd_tm_envelope_key (status), ==, "#status");
  expected = json_object_get_object_member (
      json_object_get_object_member (json_object_get_object_member (obj (status), "value"),
                                     "expected"),
      "temp_limit");
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (expected, "v"), "max"), ==, 30);

  /* It takes the value and reports it back under the same key: applied. */
  fd_tj_up (r, d->id, 3, "{\"key\":\"temp_limit\",\"value\":{\"max\":30,\"unit\":\"C\"}}");
  at = fd_te_wait_event (l, at + 1, "variable.updated", d->id);
  event = fd_te_event_data (fd_te_event_at (l, at));
  g_assert_cmpstr (json_object_get_string_member (event, "state"), ==, "applied");
  applied = get_variable (d, "temp_limit", 200);
  g_assert_cmpstr (fd_test_str (applied, "state"), ==, "applied");
  g_assert_cmpint (json_object_get_int_member (
                       json_object_get_object_member (
                           json_object_get_object_member (obj (applied), "reported"), "value"),
                       "max"),
                   ==, 30);

  /* A plain key reported on its own is listed too, as "reported"; '_' keys are not. */
  fd_tj_up (r, d->id, 4, "{\"key\":\"mode\",\"value\":\"eco\"}");
  fd_tj_up (r, d->id, 5, "{\"key\":\"__info\",\"value\":{\"fw\":\"1.0\"}}");
  list = fd_test_api_expect (fd_tm_srv->srv, "GET", list_path, NULL, 200);
  items = json_object_get_array_member (obj (list), "items");
  g_assert_cmpint (fd_test_int (list, "total"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "key"),
                   ==, "mode");
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (items, 0), "state"), ==,
      "reported");
  g_assert_true (
      json_object_get_null_member (json_array_get_object_element (items, 0), "expected"));
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (items, 1), "state"), ==,
      "applied");

  /* Unset: the record and the expected entry go; a second unset is a 404. */
  {
    g_autofree char *path = g_strdup_printf ("%s/temp_limit", list_path);
    g_autoptr (JsonNode) gone = NULL;
    g_autoptr (JsonNode) again = NULL;
    g_autoptr (JsonNode) after = NULL;

    put_variable (d, "temp_limit", "{\"value\": 25}", 202);
    fd_tm_expect_publish (r, dn, &id, NULL); /* delivered now: the device is subscribed */
    fd_tm_puback (r, id);
    gone = fd_test_api_expect (fd_tm_srv->srv, "DELETE", path, NULL, 204);
    again = fd_test_api_expect (fd_tm_srv->srv, "DELETE", path, NULL, 404);
    g_assert_cmpstr (fd_test_error_code (again), ==, "not_found");
    fd_tj_up (r, d->id, 6, "{\"key\":\"#status\",\"value\":{}}");
    after = fd_tm_expect_publish (r, dn, &id, NULL);
    fd_tm_puback (r, id);
    g_assert_false (json_object_has_member (
        json_object_get_object_member (json_object_get_object_member (obj (after), "value"),
                                       "expected"),
        "temp_limit"));
  }
}

static void
test_online_delivered (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "var-online");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autoptr (FdTdRaw) r = fd_tj_subscribed (d);
  g_autoptr (JsonNode) set = NULL, msg = NULL, before = NULL, after = NULL;
  guint16 id;

  set = put_variable (d, "interval", "{\"value\": 60}", 202);
  g_assert_true (json_object_get_boolean_member (obj (set), "delivered"));
  msg = fd_tm_expect_publish (r, dn, &id, NULL);
  fd_tm_puback (r, id);
  g_assert_cmpstr (fd_tm_envelope_key (msg), ==, "interval");
  g_assert_cmpint (json_object_get_int_member (obj (msg), "value"), ==, 60);
  before = get_variable (d, "interval", 200);
  g_assert_cmpstr (fd_test_str (before, "state"), ==, "pending");
  fd_tj_up (r, d->id, 2, "{\"key\":\"interval\",\"value\":60}");
  after = get_variable (d, "interval", 200);
  g_assert_cmpstr (fd_test_str (after, "state"), ==, "applied");
  g_assert_nonnull (json_object_get_string_member (
      json_object_get_object_member (obj (after), "expected"), "applied_at"));
}

static gint64
pending_total (const char *ws, const char *key, const char *state)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/variables?key=%s%s%s", ws, key,
                                           state ? "&state=" : "", state ? state : "");
  g_autoptr (JsonNode) list = fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
  return fd_test_int (list, "total");
}

static void
test_bulk_fleet (void)
{
  FdTestServer *srv = fd_tm_srv->srv;
  g_autofree char *fleets_path
      = g_strdup_printf ("/api/v1/workspaces/%s/fleets", fd_tm_srv->workspace);
  g_autofree char *bulk_path
      = g_strdup_printf ("/api/v1/workspaces/%s/variables", fd_tm_srv->workspace);
  g_autoptr (JsonNode) fleet
      = fd_test_api_expect (srv, "POST", fleets_path, "{\"name\": \"var-fleet\"}", 201);
  FdTdDevice *devs[3];
  g_autoptr (JsonNode) sent = NULL, list = NULL;
  g_autofree char *body = NULL;
  g_autoptr (FdTdRaw) r = NULL;
  g_autoptr (FdTdDevice) outside = fd_td_cert_device (fd_tm_srv, "var-outside");

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("var-bulk-%u", i);
      g_autofree char *path = NULL, *patch = NULL;
      g_autoptr (JsonNode) moved = NULL;

      devs[i] = fd_td_cert_device (fd_tm_srv, name);
      path = g_strdup_printf ("/api/v1/devices/%s", devs[i]->id);
      patch = g_strdup_printf ("{\"fleet_id\": \"%s\"}", fd_test_str (fleet, "id"));
      moved = fd_test_api_expect (srv, "PATCH", path, patch, 200);
    }
  /* The fleet and one of its devices named again: each device once. */
  body = g_strdup_printf ("{\"key\": \"profile\", \"value\": \"eco\", \"fleets\": [\"%s\"],"
                          " \"devices\": [\"%s\"]}",
                          fd_test_str (fleet, "id"), devs[0]->id);
  sent = fd_test_api_expect (srv, "POST", bulk_path, body, 202);
  g_assert_cmpint (fd_test_int (sent, "total"), ==, 3);
  g_assert_cmpint (fd_test_int (sent, "delivered"), ==, 0);
  g_assert_cmpint (pending_total (fd_tm_srv->workspace, "profile", "pending"), ==, 3);

  r = fd_tj_subscribed (devs[1]);
  fd_tj_up (r, devs[1]->id, 2, "{\"key\":\"profile\",\"value\":\"eco\"}");
  g_assert_cmpint (pending_total (fd_tm_srv->workspace, "profile", "pending"), ==, 2);
  g_assert_cmpint (pending_total (fd_tm_srv->workspace, "profile", "applied"), ==, 1);
  /* A device outside the fleet that reports the key on its own. */
  {
    g_autoptr (FdTdRaw) o = fd_tj_subscribed (outside);
    fd_tj_up (o, outside->id, 2, "{\"key\":\"profile\",\"value\":\"turbo\"}");
  }
  g_assert_cmpint (pending_total (fd_tm_srv->workspace, "profile", "reported"), ==, 1);
  g_assert_cmpint (pending_total (fd_tm_srv->workspace, "profile", NULL), ==, 4);
  {
    g_autofree char *path = g_strdup_printf (
        "/api/v1/workspaces/%s/variables?key=profile&state=pending", fd_tm_srv->workspace);
    JsonObject *item;

    list = fd_test_api_expect (srv, "GET", path, NULL, 200);
    item = json_array_get_object_element (json_object_get_array_member (obj (list), "items"), 0);
    g_assert_cmpstr (json_object_get_string_member (item, "device_name"), ==, "var-bulk-0");
    g_assert_cmpstr (json_object_get_string_member (item, "device_id"), ==, devs[0]->id);
    g_assert_cmpstr (json_object_get_string_member (item, "state"), ==, "pending");
    g_assert_cmpstr (
        json_object_get_string_member (json_object_get_object_member (item, "expected"), "value"),
        ==, "eco");
  }
  for (guint i = 0; i < 3; i++)
    fd_td_device_free (devs[i]);
}

static void
expect_400 (const char *method, const char *path, const char *body, const char *field)
{
  guint status = 0;
  g_autoptr (JsonNode) answer = fd_test_api (fd_tm_srv->srv, method, path, body, &status);
  JsonObject *error;

  g_assert_cmpuint (status, ==, 400);
  error = json_object_get_object_member (obj (answer), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "field"), ==, field);
}

static void
test_bad_requests (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "var-bad");
  const char *ws = fd_tm_srv->workspace;
  g_autofree char *bulk = g_strdup_printf ("/api/v1/workspaces/%s/variables", ws);
  const char *keys[] = { "@reset", "%23status", "_fota_status", "condition", "event", "k%01ey" };
  g_autofree char *long_key = g_strnfill (65, 'k');
  g_autofree char *long_path = g_strdup_printf ("/api/v1/devices/%s/variables/%s", d->id, long_key);
  g_autofree char *body = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/variables/%s", d->id, keys[i]);
      expect_400 ("PUT", path, "{\"value\": 1}", "key");
    }
  expect_400 ("PUT", long_path, "{\"value\": 1}", "key");
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/variables/ok", d->id);
    expect_400 ("PUT", path, "{}", "value");
    expect_400 ("PUT", path, "{\"value\": 1, \"ttl\": 3}", "ttl");
    g_autoptr (JsonNode) none = get_variable (d, "ok", 404);
  }
  {
    g_autoptr (JsonNode) missing = NULL;
    guint status = 0;
    missing = fd_test_api (fd_tm_srv->srv, "PUT", "/api/v1/devices/dev-nosuchdevice/variables/x",
                           "{\"value\": 1}", &status);
    g_assert_cmpuint (status, ==, 404);
  }
  expect_400 ("POST", bulk, "{\"key\": \"x\", \"value\": 1}", "devices");
  expect_400 ("POST", bulk, "{\"key\": \"@x\", \"value\": 1, \"devices\": []}", "key");
  expect_400 ("POST", bulk, "{\"value\": 1, \"devices\": []}", "key");
  body = g_strdup_printf ("{\"key\": \"x\", \"devices\": [\"%s\"]}", d->id);
  expect_400 ("POST", bulk, body, "value");
  expect_400 ("POST", bulk, "{\"key\": \"x\", \"value\": 1, \"devices\": [\"dev-nosuch\"]}",
              "devices");
  expect_400 ("POST", bulk, "{\"key\": \"x\", \"value\": 1, \"fleets\": [\"flt-nosuch\"]}",
              "fleets");
  expect_400 ("POST", bulk, "{\"key\": \"x\", \"value\": 1, \"devices\": \"dev-a\"}", "devices");
  {
    g_autofree char *path = g_strdup_printf ("%s?key=x&state=late", bulk);
    expect_400 ("GET", path, NULL, "state");
    expect_400 ("GET", bulk, NULL, "key");
  }
  /* None of the refused sets left anything behind. */
  g_assert_cmpint (pending_total (ws, "x", NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_tm_srv = fd_td_server_start (NULL);
  g_test_add_func ("/variables/offline-then-status", test_offline_then_status);
  g_test_add_func ("/variables/online-delivered", test_online_delivered);
  g_test_add_func ("/variables/bulk-fleet", test_bulk_fleet);
  g_test_add_func ("/variables/bad-requests", test_bad_requests);
  status = g_test_run ();
  fd_td_server_stop (fd_tm_srv);
  return status;
}
