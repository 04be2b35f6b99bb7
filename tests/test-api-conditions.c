/* test-api-conditions.c — what the operator API shows of what devices said on POST /v1/up of
 * a real fleetdesk-server: the conditions list with every filter, and a device's down
 * channel (a message sent while it is offline, found in its #status, gone once answered). */
#include "fd-test-device.h"

#include <string.h>

static FdTdServer *shared;

static JsonNode *
up_expect (FdTdRaw *r, const char *body, guint expected)
{
  g_autofree char *text = fd_td_request ("POST", "/v1/up", NULL, body);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (r, text);
  g_assert_true (fd_td_raw_response (r, &resp));
  if (resp.status != expected)
    g_error ("POST /v1/up %s: expected %u, got %u %s", body, expected, resp.status, resp.body);
  return json_from_string (resp.body, NULL);
}

/* RFC 3339 UTC with ms, as the API writes times. */
static char *
iso (gint64 ms)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int)(ms % 1000));
}

static void
open_condition (FdTdRaw *r, const char *uuid, const char *tag, gint64 start)
{
  g_autofree char *start_text = iso (start);
  g_autofree char *body = g_strdup_printf (
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"%s\", \"tag\": \"%s\", \"payload\": "
      "{\"n\": 1}, \"start\": \"%s\"}}",
      uuid, tag, start_text);
  g_autoptr (JsonNode) node = up_expect (r, body, 202);
}

static void
close_condition (FdTdRaw *r, const char *uuid, gint64 finish)
{
  g_autofree char *body = g_strdup_printf (
      "{\"key\": \"condition\", \"value\": {\"uuid\": \"%s\", \"payloadf\": {\"n\": 2}, "
      "\"finish\": %" G_GINT64_FORMAT "}}",
      uuid, finish);
  g_autoptr (JsonNode) node = up_expect (r, body, 202);
}

/* The uuids of the list at @query, in order, space-separated; *@total its total. */
static char *
list (const char *workspace, const char *query, gint64 *total)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/conditions%s%s", workspace,
                                           *query ? "?" : "", query);
  g_autoptr (JsonNode) node = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  JsonArray *items = json_object_get_array_member (json_node_get_object (node), "items");
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (items); i++)
    g_string_append_printf (
        out, "%s%s", i ? " " : "",
        json_object_get_string_member (json_array_get_object_element (items, i), "uuid"));
  if (total != NULL)
    *total = fd_test_int (node, "total");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_list (void)
{
  g_autofree char *workspace = fd_test_make_workspace (shared->srv, "conditions");
  g_autofree char *saved = shared->workspace;
  g_autoptr (FdTdDevice) a = NULL;
  g_autoptr (FdTdDevice) b = NULL;
  g_autoptr (FdTdRaw) ra = NULL;
  g_autoptr (FdTdRaw) rb = NULL;
  g_autoptr (JsonNode) fleet = NULL;
  g_autoptr (JsonNode) moved = NULL;
  g_autoptr (JsonNode) page = NULL;
  g_autofree char *fleet_path = g_strdup_printf ("/api/v1/workspaces/%s/fleets", workspace);
  g_autofree char *move_path = NULL, *move_body = NULL, *default_fleet = NULL;
  gint64 now = g_get_real_time () / 1000, total = 0;
  const char *f2;

  /* Devices of this test live in a workspace of their own. */
  shared->workspace = workspace;
  a = fd_td_cert_device (shared, "cond-a");
  b = fd_td_cert_device (shared, "cond-b");
  shared->workspace = g_steal_pointer (&saved);
  fleet = fd_test_api_expect (shared->srv, "POST", fleet_path, "{\"name\": \"second\"}", 201);
  f2 = fd_test_str (fleet, "id");
  move_path = g_strdup_printf ("/api/v1/devices/%s", b->id);
  move_body = g_strdup_printf ("{\"fleet_id\": \"%s\"}", f2);
  moved = fd_test_api_expect (shared->srv, "PATCH", move_path, move_body, 200);
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s", a->id);
    g_autoptr (JsonNode) dev = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
    default_fleet = g_strdup (fd_test_str (dev, "fleet_id"));
  }

  /* Start times in the past, far enough apart that no threshold below is near a boundary. */
  ra = fd_td_raw_open (shared, a, NULL);
  rb = fd_td_raw_open (shared, b, NULL);
  open_condition (ra, "c1", "battery", now - 10 * 3600 * 1000);
  close_condition (ra, "c1", now - 9 * 3600 * 1000);        /* closed, 3600 s */
  open_condition (ra, "c2", "door", now - 5 * 3600 * 1000); /* open, 18000 s and more */
  open_condition (rb, "c3", "battery", now - 60 * 1000);    /* open, 60 s and more */
  open_condition (rb, "c4", "battery", 1699991200000);
  close_condition (rb, "c4", 1699991210000); /* closed, 10 s */

  {
    g_autofree char *from6h = iso (now - 6 * 3600 * 1000);
    g_autofree char *by_device = g_strdup_printf ("device=%s", b->id);
    g_autofree char *by_fleet = g_strdup_printf ("fleet=%s", f2);
    g_autofree char *by_default = g_strdup_printf ("fleet=%s", default_fleet);
    g_autofree char *by_both = g_strdup_printf ("fleet=%s&fleet=%s", f2, default_fleet);
    g_autofree char *since = g_strdup_printf ("start=%s", from6h);
    g_autofree char *until = g_strdup_printf ("end=%s", from6h);
    g_autofree char *since_ms = g_strdup_printf ("start=%" G_GINT64_FORMAT, now - 6 * 3600000);
    g_autofree char *combined = g_strdup_printf ("status=open&tag=battery&device=%s", b->id);
    const struct
    {
      const char *query;
      const char *uuids;
    } cases[] = {
      { "", "c3 c2 c1 c4" }, /* newest start first */
      { "status=open", "c3 c2" },
      { "status=closed", "c1 c4" },
      { "tag=door", "c2" },
      { "tag=battery", "c3 c1 c4" },
      { "tag=battery&tag=door", "c3 c2 c1 c4" },
      { "tag=nothing", "" },
      { by_device, "c3 c4" },
      { by_fleet, "c3 c4" },
      { by_default, "c2 c1" },
      { by_both, "c3 c2 c1 c4" },
      { "threshold=1800", "c2 c1" },
      { "threshold=7200", "c2" },
      { "threshold=5", "c3 c2 c1 c4" },
      { "threshold=10.5", "c3 c2 c1" },
      { "threshold=0", "c3 c2 c1 c4" },
      { "status=closed&threshold=1800", "c1" },
      { since, "c3 c2" },
      { since_ms, "c3 c2" },
      { until, "c1 c4" },
      { "start=2023-01-01T00:00:00Z&end=2024-01-01T00:00:00%2B01:00", "c4" },
      { combined, "c3" },
      { "from=1&size=2", "c2 c1" },
      { "from=4", "" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *got = list (workspace, cases[i].query, &total);
        g_test_message ("case %u: ?%s", i, cases[i].query);
        g_assert_cmpstr (got, ==, cases[i].uuids);
      }
  }
  g_free (list (workspace, "from=1&size=2", &total));
  g_assert_cmpint (total, ==, 4);

  /* The item as documented. */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/conditions?tag=battery"
                                             "&status=closed&device=%s",
                                             workspace, a->id);
    g_autofree char *start = iso (now - 10 * 3600 * 1000);
    g_autofree char *finish = iso (now - 9 * 3600 * 1000);
    JsonObject *c;

    page = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
    g_assert_cmpint (fd_test_int (page, "total"), ==, 1);
    c = json_array_get_object_element (
        json_object_get_array_member (json_node_get_object (page), "items"), 0);
    g_assert_cmpuint (json_object_get_size (c), ==, 12);
    g_assert_cmpstr (json_object_get_string_member (c, "uuid"), ==, "c1");
    g_assert_cmpstr (json_object_get_string_member (c, "device_id"), ==, a->id);
    g_assert_cmpstr (json_object_get_string_member (c, "device_name"), ==, "cond-a");
    g_assert_cmpstr (json_object_get_string_member (c, "workspace_id"), ==, workspace);
    g_assert_cmpstr (json_object_get_string_member (c, "fleet_id"), ==, default_fleet);
    g_assert_cmpstr (json_object_get_string_member (c, "tag"), ==, "battery");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (c, "payload"), "n"),
                     ==, 1);
    g_assert_cmpint (
        json_object_get_int_member (json_object_get_object_member (c, "payloadf"), "n"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (c, "start"), ==, start);
    g_assert_cmpstr (json_object_get_string_member (c, "finish"), ==, finish);
    g_assert_cmpfloat (json_object_get_double_member (c, "duration"), ==, 3600.0);
    g_assert_cmpstr (json_object_get_string_member (c, "status"), ==, "closed");
  }
  /* An open one: finish null, duration counting. */
  {
    g_autofree char *path
        = g_strdup_printf ("/api/v1/workspaces/%s/conditions?tag=door", workspace);
    g_autoptr (JsonNode) open = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
    JsonObject *c = json_array_get_object_element (
        json_object_get_array_member (json_node_get_object (open), "items"), 0);

    g_assert_true (json_object_get_null_member (c, "finish"));
    g_assert_cmpstr (json_object_get_string_member (c, "status"), ==, "open");
    g_assert_cmpfloat (json_object_get_double_member (c, "duration"), >=, 5.0 * 3600);
  }
}

static void
test_list_refusals (void)
{
  const char *const queries[] = {
    "colour=red",
    "status=maybe",
    "status=open&status=closed",
    "threshold=-1",
    "threshold=soon",
    "threshold=1e99",
    "tag=a%2Fb",
    "device=dev-1",
    "fleet=wks-aaaaaaaaaaaaaaaaaaaa",
    "start=tomorrow",
    "end=2026-13-01T00:00:00Z",
    "size=0",
    "from=-1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *path
          = g_strdup_printf ("/api/v1/workspaces/%s/conditions?%s", shared->workspace, queries[i]);
      g_autoptr (JsonNode) node = fd_test_api_expect (shared->srv, "GET", path, NULL, 400);
      g_test_message ("case %u: ?%s", i, queries[i]);
      g_assert_cmpstr (fd_test_error_code (node), ==, "invalid_parameter");
    }
  {
    g_autoptr (JsonNode) node = fd_test_api_expect (
        shared->srv, "GET", "/api/v1/workspaces/wks-aaaaaaaaaaaaaaaaaaaa/conditions", NULL, 404);
    g_assert_cmpstr (fd_test_error_code (node), ==, "not_found");
  }
}

/* The member @key of the map @map of @status, or NULL. */
static JsonObject *
entry (JsonObject *status, const char *map, const char *key)
{
  JsonObject *m = json_object_get_object_member (status, map);
  return json_object_has_member (m, key) ? json_object_get_object_member (m, key) : NULL;
}

static JsonObject *
api_status (const FdTdDevice *d, JsonNode **keep)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/status", d->id);
  *keep = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  return json_node_get_object (*keep);
}

static JsonObject *
device_status (FdTdRaw *r, JsonNode **keep)
{
  *keep = up_expect (r, "{\"key\": \"#status\", \"value\": {}}", 200);
  return json_object_get_object_member (json_node_get_object (*keep), "value");
}

static void
test_expected (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "expected");
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/messages", d->id);
  g_autofree char *audit = g_strdup_printf ("/api/v1/audit?action=device.message&target=%s", d->id);
  g_autoptr (JsonNode) sent
      = fd_test_api_expect (shared->srv, "POST", path,
                            "{\"key\": \"@reset\", \"value\": {\"args\": {\"hard\": true}}}", 202);
  g_autoptr (JsonNode) var = fd_test_api_expect (shared->srv, "POST", path,
                                                 "{\"key\": \"temp_limit\", \"value\": 30}", 202);
  g_autoptr (JsonNode) k1 = NULL, k2 = NULL, k3 = NULL, k4 = NULL, answered = NULL;
  g_autoptr (JsonNode) log = NULL;
  g_autoptr (FdTdRaw) r = NULL;
  JsonObject *status, *e;

  /* Nobody is connected: kept for the device, not delivered. */
  g_assert_cmpstr (fd_test_str (sent, "key"), ==, "@reset");
  g_assert_false (json_object_get_boolean_member (json_node_get_object (sent), "delivered"));
  g_assert_true (g_str_has_suffix (fd_test_str (sent, "t"), "Z"));

  status = api_status (d, &k1);
  e = entry (status, "expected", "@reset");
  g_assert_nonnull (e);
  g_assert_true (json_object_get_boolean_member (
      json_object_get_object_member (json_object_get_object_member (e, "v"), "args"), "hard"));
  g_assert_cmpint (json_object_get_int_member (e, "t"), >, G_GINT64_CONSTANT (1600000000000));
  g_assert_cmpint (json_object_get_int_member (entry (status, "expected", "temp_limit"), "v"), ==,
                   30);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (status, "current")), ==,
                    0);

  /* The device connects later and finds both in its #status, the same maps. */
  r = fd_td_raw_open (shared, d, NULL);
  status = device_status (r, &k2);
  g_assert_nonnull (entry (status, "expected", "@reset"));
  g_assert_nonnull (entry (status, "expected", "temp_limit"));

  /* Answering a key takes it out of expected and into current, in one transaction. */
  answered = up_expect (r, "{\"key\": \"@reset\", \"value\": {\"done\": 1}}", 202);
  status = device_status (r, &k3);
  g_assert_null (entry (status, "expected", "@reset"));
  g_assert_nonnull (entry (status, "expected", "temp_limit"));
  g_assert_cmpint (
      json_object_get_int_member (
          json_object_get_object_member (entry (status, "current", "@reset"), "v"), "done"),
      ==, 1);
  status = api_status (d, &k4);
  g_assert_null (entry (status, "expected", "@reset"));
  g_assert_nonnull (entry (status, "current", "@reset"));

  /* Each message sent is in the audit log. */
  log = fd_test_api_expect (shared->srv, "GET", audit, NULL, 200);
  g_assert_cmpint (fd_test_int (log, "total"), ==, 2);
}

static void
test_message_refusals (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "message-refusals");
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/messages", d->id);
  g_autofree char *long_key
      = g_strdup_printf ("{\"key\": \"%s\", \"value\": 1}",
                         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  const struct
  {
    const char *path;
    const char *body;
    guint status;
    const char *code;
  } cases[] = {
    { path, "{\"key\": \"#status\", \"value\": {}}", 400, "invalid_field" },
    { path, "{\"key\": \"condition\", \"value\": {}}", 400, "invalid_field" },
    { path, "{\"key\": \"\", \"value\": 1}", 400, "invalid_field" },
    { path, long_key, 400, "invalid_field" },
    { path, "{\"key\": 5, \"value\": 1}", 400, "invalid_field" },
    { path, "{\"key\": \"a\"}", 400, "invalid_field" },
    { path, "{\"key\": \"a\", \"value\": 1, \"when\": 2}", 400, "invalid_field" },
    { path, "[1]", 400, "malformed_json" },
    { "/api/v1/devices/dev-aaaaaaaaaaaaaaaaaaaa/messages", "{\"key\": \"a\", \"value\": 1}", 404,
      "not_found" },
    { "/api/v1/devices/dev-aaaaaaaaaaaaaaaaaaaa/status", NULL, 404, "not_found" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) node
          = fd_test_api_expect (shared->srv, cases[i].body ? "POST" : "GET", cases[i].path,
                                cases[i].body, cases[i].status);
      g_test_message ("case %u: %s", i, cases[i].body);
      g_assert_cmpstr (fd_test_error_code (node), ==, cases[i].code);
    }
  {
    g_autofree char *status_path = g_strdup_printf ("/api/v1/devices/%s/status", d->id);
    g_autoptr (JsonNode) node = fd_test_api_expect (shared->srv, "GET", status_path, NULL, 200);
    g_assert_cmpuint (json_object_get_size (
                          json_object_get_object_member (json_node_get_object (node), "expected")),
                      ==, 0);
  }
}

int
main (int argc, char **argv)
{
  const char *args[] = { "--device-rate=0", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/api-conditions/list", test_list);
  g_test_add_func ("/api-conditions/list-refusals", test_list_refusals);
  g_test_add_func ("/api-conditions/expected", test_expected);
  g_test_add_func ("/api-conditions/message-refusals", test_message_refusals);

  shared = fd_td_server_start (args);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
