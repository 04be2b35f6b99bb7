/* test-jobs.c — jobs with a real fleetdesk-server and raw MQTT devices: delivered at once to a
 * subscribed device and to one that connects later (#status), results that succeed and fail,
 * rejection by the manifest, timeouts with retries, cancel, replacement, a restart. */
#include "fd-test-jobs.h"

#include <string.h>

#define WS (fd_tm_srv->workspace)

static char *
job_body (const char *name, const char *args, const char *device_id, const char *extra)
{
  return g_strdup_printf ("{\"name\": \"%s\", \"args\": %s, \"devices\": [\"%s\"]%s}", name, args,
                          device_id, extra ? extra : "");
}

/* A subscribed device gets @echo on j/dn at once (the job says sent); its answer is the result
 * and the job is done. */
static void
test_online (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "job-online");
  g_autoptr (FdTdRaw) r = fd_tj_subscribed (d);
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *body = job_body ("echo", "{\"x\": 1}", d->id, NULL);
  g_autoptr (JsonNode) job = fd_tj_post (WS, body, 201);
  const char *id = fd_test_str (job, "id");
  g_autoptr (JsonNode) msg = NULL;
  g_autoptr (JsonNode) done = NULL;
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/jobs", d->id);
  g_autoptr (JsonNode) mine = NULL;
  JsonObject *value, *e;
  guint16 pid;

  g_assert_true (g_str_has_prefix (id, "job-"));
  g_assert_cmpstr (fd_test_str (job, "state"), ==, "active");
  /* The 201 names the new job in its Location, as every create does (to another device, which
   * is offline, so that nothing more comes on this one's j/dn). */
  {
    g_autoptr (FdTdDevice) other_device = fd_td_cert_device (fd_tm_srv, "job-location");
    g_autofree char *jobs = g_strdup_printf ("/api/v1/workspaces/%s/jobs", WS);
    g_autofree char *again = job_body ("ping", "{}", other_device->id, NULL);
    g_autofree char *want = NULL;
    g_autoptr (SoupMessageHeaders) headers = NULL;
    g_autoptr (JsonNode) other = NULL;
    guint status = 0;

    other = fd_test_api_full (fd_tm_srv->srv, "POST", jobs, "application/json", again,
                              strlen (again), fd_tm_srv->srv->token, &status, &headers);
    g_assert_cmpuint (status, ==, 201);
    want = g_strdup_printf ("/api/v1/jobs/%s", fd_test_str (other, "id"));
    g_assert_cmpstr (soup_message_headers_get_one (headers, "Location"), ==, want);
  }
  g_assert_cmpint (fd_test_int (job, "total"), ==, 1);
  g_assert_cmpint (fd_tj_count (job, "sent"), ==, 1);
  g_assert_cmpint (fd_test_int (job, "timeout_s"), ==, 300);

  msg = fd_tm_expect_publish (r, dn, &pid, NULL);
  g_assert_cmpstr (fd_tm_envelope_key (msg), ==, "@echo");
  value = json_object_get_object_member (json_node_get_object (msg), "value");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (value, "args"), "x"),
                   ==, 1);
  g_assert_cmpstr (json_object_get_string_member (value, "on_schedule"), ==, "");
  fd_tm_puback (r, pid);

  fd_tj_up (r, d->id, 20, "{\"key\": \"@echo\", \"value\": {\"x\": 1}}");
  done = fd_tj_wait (id, d->id, "succeeded");
  e = fd_tj_execution (done, d->id);
  g_assert_cmpstr (fd_test_str (done, "state"), ==, "done");
  g_assert_nonnull (fd_test_str (done, "finished_at"));
  g_assert_cmpint (json_object_get_int_member (e, "attempts"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (e, "status"), ==, "done");
  g_assert_cmpstr (json_object_get_string_member (e, "device_name"), ==, "job-online");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (e, "result"), "x"),
                   ==, 1);
  g_assert_nonnull (json_object_get_string_member (e, "sent_at"));
  g_assert_false (fd_tj_expected_has (d->id, "@echo"));

  mine = fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
  g_assert_cmpint (fd_test_int (mine, "total"), ==, 1);
  e = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (mine), "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (e, "job_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (e, "state"), ==, "succeeded");
}

/* A device that is not connected: queued; it finds @ping in its #status after connecting,
 * which makes the execution sent; then its answer. An {"error"} answer fails. */
static void
test_offline_then_failed (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "job-offline");
  g_autofree char *body = job_body ("ping", "{}", d->id, NULL);
  g_autoptr (JsonNode) job = fd_tj_post (WS, body, 201);
  const char *id = fd_test_str (job, "id");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autoptr (FdTdRaw) r = NULL;
  g_autoptr (JsonNode) status = NULL;
  g_autoptr (JsonNode) sent = NULL;
  g_autoptr (JsonNode) done = NULL;
  g_autoptr (JsonNode) failing = NULL;
  g_autoptr (JsonNode) failed = NULL;
  g_autoptr (JsonNode) msg = NULL;
  JsonObject *expected, *e;
  guint16 pid;

  g_assert_cmpint (fd_tj_count (job, "queued"), ==, 1);
  {
    g_autoptr (JsonNode) now = fd_tj_get (id);
    g_assert_cmpstr (json_object_get_string_member (fd_tj_execution (now, d->id), "status"), ==,
                     "pending");
  }
  g_assert_true (fd_tj_expected_has (d->id, "@ping"));

  r = fd_tj_subscribed (d);
  fd_tj_up (r, d->id, 2, "{\"key\": \"#status\", \"value\": {}}");
  status = fd_tm_expect_publish (r, dn, &pid, NULL);
  fd_tm_puback (r, pid);
  g_assert_cmpstr (fd_tm_envelope_key (status), ==, "#status");
  expected = json_object_get_object_member (
      json_object_get_object_member (json_node_get_object (status), "value"), "expected");
  g_assert_true (json_object_has_member (expected, "@ping"));
  sent = fd_tj_wait (id, d->id, "sent");
  g_assert_cmpint (json_object_get_int_member (fd_tj_execution (sent, d->id), "attempts"), ==, 1);

  fd_tj_up (r, d->id, 3, "{\"key\": \"@ping\", \"value\": \"pong\"}");
  done = fd_tj_wait (id, d->id, "succeeded");
  g_assert_cmpstr (json_object_get_string_member (fd_tj_execution (done, d->id), "result"), ==,
                   "pong");

  /* a failure */
  g_free (body);
  body = job_body ("fail", "{}", d->id, NULL);
  failing = fd_tj_post (WS, body, 201);
  msg = fd_tm_expect_publish (r, dn, &pid, NULL);
  fd_tm_puback (r, pid);
  fd_tj_up (r, d->id, 4, "{\"key\": \"@fail\", \"value\": {\"error\": \"failed on request\"}}");
  failed = fd_tj_wait (fd_test_str (failing, "id"), d->id, "failed");
  e = fd_tj_execution (failed, d->id);
  g_assert_cmpstr (json_object_get_string_member (e, "message"), ==, "failed on request");
  g_assert_cmpstr (fd_test_str (failed, "state"), ==, "done");
  g_assert_cmpint (fd_tj_count (failed, "failed"), ==, 1);
}

/* A device whose manifest lists its jobs: another name is rejected, nothing is stored for it. */
static void
test_rejected (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "job-manifest");
  g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) job = NULL;
  g_autoptr (JsonNode) listed = NULL;
  JsonObject *e;

  fd_tj_up (r, d->id, 5, "{\"key\": \"__manifest\", \"value\": {\"jobs\": [\"echo\", \"reset\"]}}");
  body = job_body ("diagnostics", "{}", d->id, NULL);
  job = fd_tj_post (WS, body, 201);
  g_assert_cmpint (fd_tj_count (job, "rejected"), ==, 1);
  g_assert_cmpstr (fd_test_str (job, "state"), ==, "done");
  {
    g_autoptr (JsonNode) now = fd_tj_get (fd_test_str (job, "id"));
    e = fd_tj_execution (now, d->id);
    g_assert_cmpstr (json_object_get_string_member (e, "state"), ==, "rejected");
    g_assert_cmpstr (json_object_get_string_member (e, "message"), ==,
                     "the device's manifest does not list diagnostics");
  }
  g_assert_false (fd_tj_expected_has (d->id, "@diagnostics"));

  g_free (body);
  body = job_body ("reset", "{}", d->id, NULL);
  listed = fd_tj_post (WS, body, 201);
  g_assert_cmpint (fd_tj_count (listed, "queued"), ==, 1); /* connected, not subscribed */
}

/* timeout_s 1 and retries 1: the entry comes again with a later version, then the execution
 * times out after two attempts and @sleep leaves the expected map. */
static void
test_timeout_retries (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "job-timeout");
  g_autoptr (FdTdRaw) r = fd_tj_subscribed (d);
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *body
      = job_body ("sleep", "{\"s\": 60}", d->id, ", \"timeout_s\": 1, \"retries\": 1");
  g_autoptr (JsonNode) job = fd_tj_post (WS, body, 201);
  g_autoptr (JsonNode) first = NULL;
  g_autoptr (JsonNode) second = NULL;
  g_autoptr (JsonNode) out = NULL;
  JsonObject *e;
  guint16 pid;

  g_assert_cmpint (fd_test_int (job, "retries"), ==, 1);
  first = fd_tm_expect_publish (r, dn, &pid, NULL);
  fd_tm_puback (r, pid);
  second = fd_tm_expect_publish (r, dn, &pid, NULL);
  fd_tm_puback (r, pid);
  g_assert_cmpstr (fd_tm_envelope_key (second), ==, "@sleep");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (second), "version"), >,
                   json_object_get_int_member (json_node_get_object (first), "version"));
  out = fd_tj_wait (fd_test_str (job, "id"), d->id, "timed_out");
  e = fd_tj_execution (out, d->id);
  g_assert_cmpint (json_object_get_int_member (e, "attempts"), ==, 2);
  g_assert_cmpstr (fd_test_str (out, "state"), ==, "done");
  g_assert_false (fd_tj_expected_has (d->id, "@sleep"));
}

/* Cancel drops the entries; a second cancel is 409. A newer job of the same name replaces the
 * older one's open execution. */
static void
test_cancel_replace (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "job-cancel");
  g_autofree char *body = job_body ("cfg", "{\"v\": 1}", d->id, NULL);
  g_autoptr (JsonNode) older = fd_tj_post (WS, body, 201);
  g_autoptr (JsonNode) newer = fd_tj_post (WS, body, 201);
  g_autoptr (JsonNode) older_now = fd_tj_get (fd_test_str (older, "id"));
  g_autofree char *cancel = g_strdup_printf ("/api/v1/jobs/%s/cancel", fd_test_str (newer, "id"));
  g_autofree char *message = g_strdup_printf ("replaced by %s", fd_test_str (newer, "id"));
  g_autoptr (JsonNode) canceled = NULL;
  g_autoptr (JsonNode) again = NULL;
  g_autoptr (JsonNode) after = NULL;
  JsonObject *e = fd_tj_execution (older_now, d->id);

  g_assert_cmpstr (json_object_get_string_member (e, "state"), ==, "canceled");
  g_assert_cmpstr (json_object_get_string_member (e, "message"), ==, message);
  g_assert_cmpstr (fd_test_str (older_now, "state"), ==, "done");
  g_assert_true (fd_tj_expected_has (d->id, "@cfg"));

  canceled = fd_test_api_expect (fd_tm_srv->srv, "POST", cancel, NULL, 200);
  g_assert_cmpstr (fd_test_str (canceled, "state"), ==, "canceled");
  g_assert_cmpint (fd_tj_count (canceled, "canceled"), ==, 1);
  g_assert_false (fd_tj_expected_has (d->id, "@cfg"));
  again = fd_test_api_expect (fd_tm_srv->srv, "POST", cancel, NULL, 409);
  g_assert_cmpstr (fd_test_error_code (again), ==, "conflict");
  after = fd_tj_get (fd_test_str (newer, "id"));
  g_assert_cmpstr (json_object_get_string_member (fd_tj_execution (after, d->id), "state"), ==,
                   "canceled");

  /* both are in the audit log */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *audit
          = g_strdup_printf ("/api/v1/audit?action=%s&target=%s", i ? "job.cancel" : "job.create",
                             fd_test_str (newer, "id"));
      g_autoptr (JsonNode) entries = fd_test_api_expect (fd_tm_srv->srv, "GET", audit, NULL, 200);
      g_assert_cmpint (fd_test_int (entries, "total"), ==, 1);
    }
}

/* Bad requests: a 400 naming the field, nothing created. */
static void
test_bad_requests (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "job-bad");
  g_autofree char *other_ws = fd_test_make_workspace (fd_tm_srv->srv, "jobs-other");
  g_autofree char *stranger = fd_test_make_device (fd_tm_srv->srv, other_ws, "stranger");
  g_autofree char *list = g_strdup_printf ("/api/v1/workspaces/%s/jobs?size=1000", WS);
  g_autoptr (JsonNode) before = fd_test_api_expect (fd_tm_srv->srv, "GET", list, NULL, 200);
  g_autoptr (JsonNode) after = NULL;
  g_autofree char *long_name = g_strnfill (64, 'a');
  struct
  {
    const char *body;
    const char *field;
  } cases[] = {
    { "{\"name\": \"1abc\", \"devices\": [\"%s\"]}", "name" },
    { "{\"name\": \"fota\", \"devices\": [\"%s\"]}", "name" },
    { "{\"name\": \"a b\", \"devices\": [\"%s\"]}", "name" },
    { "{\"name\": \"\", \"devices\": [\"%s\"]}", "name" },
    { "{\"devices\": [\"%s\"]}", "name" },
    { "{\"name\": \"x\", \"args\": \"{not json\", \"devices\": [\"%s\"]}", "args" },
    { "{\"name\": \"x\", \"args\": [1], \"devices\": [\"%s\"]}", "args" },
    { "{\"name\": \"x\", \"timeout_s\": 0, \"devices\": [\"%s\"]}", "timeout_s" },
    { "{\"name\": \"x\", \"timeout_s\": 604801, \"devices\": [\"%s\"]}", "timeout_s" },
    { "{\"name\": \"x\", \"retries\": 11, \"devices\": [\"%s\"]}", "retries" },
    { "{\"name\": \"x\", \"retries\": \"1\", \"devices\": [\"%s\"]}", "retries" },
    { "{\"name\": \"x\", \"devices\": [], \"fleets\": [], \"d\": \"%s\"}", NULL },
    { "{\"name\": \"x\", \"devices\": [\"not-an-id\"], \"x\": \"%s\"}", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GString *text = g_string_new (cases[i].body);
      g_autofree char *body = NULL;
      g_string_replace (text, "%s", d->id, 0);
      body = g_string_free (text, FALSE);
      g_autoptr (JsonNode) err = fd_tj_post (WS, body, 400);
      g_test_message ("case %u: %s", i, body);
      if (cases[i].field != NULL)
        g_assert_cmpstr (
            json_object_get_string_member (
                json_object_get_object_member (json_node_get_object (err), "error"), "field"),
            ==, cases[i].field);
    }
  {
    g_autofree char *body
        = g_strdup_printf ("{\"name\": \"%s\", \"devices\": [\"%s\"]}", long_name, d->id);
    g_autoptr (JsonNode) err = fd_tj_post (WS, body, 400);
  }
  {
    g_autoptr (JsonNode) err = fd_tj_post (WS, "{\"name\": \"x\", \"devices\": [}", 400);
  }
  {
    g_autofree char *big = g_strnfill (16 * 1024, 'a');
    g_autofree char *body = g_strdup_printf (
        "{\"name\": \"x\", \"args\": {\"s\": \"%s\"}, \"devices\": [\"%s\"]}", big, d->id);
    g_autoptr (JsonNode) err = fd_tj_post (WS, body, 400);
    g_assert_cmpstr (
        json_object_get_string_member (
            json_object_get_object_member (json_node_get_object (err), "error"), "field"),
        ==, "args");
  }
  {
    g_autoptr (JsonNode) err = fd_tj_post (WS, "{\"name\": \"x\"}", 400);
    g_assert_cmpstr (
        json_object_get_string_member (
            json_object_get_object_member (json_node_get_object (err), "error"), "field"),
        ==, "targets");
  }
  /* a device of another workspace, an unknown one, an unknown fleet: named */
  {
    g_autofree char *body = g_strdup_printf (
        "{\"name\": \"x\", \"devices\": [\"%s\", \"%s\", \"dev-aaaaaaaaaaaaaaaaaaaa\"]}", d->id,
        stranger);
    g_autoptr (JsonNode) err = fd_tj_post (WS, body, 400);
    const char *message = json_object_get_string_member (
        json_object_get_object_member (json_node_get_object (err), "error"), "message");
    g_assert_nonnull (strstr (message, stranger));
    g_assert_nonnull (strstr (message, "dev-aaaaaaaaaaaaaaaaaaaa"));
    g_assert_null (strstr (message, d->id));
  }
  {
    g_autofree char *body
        = g_strdup_printf ("{\"name\": \"x\", \"fleets\": [\"flt-aaaaaaaaaaaaaaaaaaaa\"]}");
    g_autoptr (JsonNode) err = fd_tj_post (WS, body, 400);
    g_assert_cmpstr (
        json_object_get_string_member (
            json_object_get_object_member (json_node_get_object (err), "error"), "field"),
        ==, "fleets");
  }
  after = fd_test_api_expect (fd_tm_srv->srv, "GET", list, NULL, 200);
  g_assert_cmpint (fd_test_int (after, "total"), ==, fd_test_int (before, "total"));
  fd_test_api_expect (fd_tm_srv->srv, "GET", "/api/v1/jobs/job-aaaaaaaaaaaaaaaaaaaa", NULL, 404);
}

/* A job to a fleet of 10,000 devices is one transaction; one device more is a 400. */
static void
test_ten_thousand (void)
{
  g_autofree char *ws = fd_test_make_workspace (fd_tm_srv->srv, "jobs-10k");
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/fleets", ws);
  g_autoptr (JsonNode) fleets = NULL;
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) job = NULL;
  g_autoptr (JsonNode) page = NULL;
  g_autoptr (JsonNode) over = NULL;
  gint64 t0;

  fd_test_server_seed_devices (fd_tm_srv->srv, ws, "bulk", 10000);
  fleets = fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
  body = g_strdup_printf (
      "{\"name\": \"reset\", \"fleets\": [\"%s\"]}",
      json_object_get_string_member (
          json_array_get_object_element (
              json_object_get_array_member (json_node_get_object (fleets), "items"), 0),
          "id"));
  t0 = g_get_monotonic_time ();
  job = fd_tj_post (ws, body, 201);
  g_test_message ("a job to 10,000 devices: %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpint (fd_test_int (job, "total"), ==, 10000);
  g_assert_cmpint (fd_tj_count (job, "queued"), ==, 10000);
  page = fd_tj_get (fd_test_str (job, "id"));
  g_assert_cmpint (
      json_object_get_int_member (
          json_object_get_object_member (json_node_get_object (page), "executions"), "total"),
      ==, 10000);
  g_assert_cmpuint (
      json_array_get_length (json_object_get_array_member (
          json_object_get_object_member (json_node_get_object (page), "executions"), "items")),
      ==, 1000);

  fd_test_server_seed_devices (fd_tm_srv->srv, ws, "more", 1);
  over = fd_tj_post (ws, body, 400);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_object_get_object_member (json_node_get_object (over), "error"), "field"),
      ==, "fleets");
}

/* Jobs to a fleet; the list; and a restart: executions are kept, and a sent execution whose
 * deadline passed while the server was down times out when it starts. */
static void
test_fleet_and_restart (void)
{
  g_autofree char *fleets = g_strdup_printf ("/api/v1/workspaces/%s/fleets", WS);
  g_autoptr (JsonNode) fleet
      = fd_test_api_expect (fd_tm_srv->srv, "POST", fleets, "{\"name\": \"jobs-fleet\"}", 201);
  const char *fleet_id = fd_test_str (fleet, "id");
  g_autofree char *devs = g_strdup_printf ("/api/v1/workspaces/%s/devices", WS);
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "job-restart");
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) job = NULL;
  g_autoptr (JsonNode) timed = NULL;
  g_autoptr (JsonNode) later = NULL;
  g_autoptr (JsonNode) out = NULL;
  g_autofree char *list = g_strdup_printf ("/api/v1/workspaces/%s/jobs?state=active", WS);
  g_autoptr (JsonNode) active = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *b
          = g_strdup_printf ("{\"name\": \"fleet-dev-%u\", \"fleet_id\": \"%s\"}", i, fleet_id);
      g_autoptr (JsonNode) made = fd_test_api_expect (fd_tm_srv->srv, "POST", devs, b, 201);
    }
  body = g_strdup_printf ("{\"name\": \"reset\", \"fleets\": [\"%s\"]}", fleet_id);
  job = fd_tj_post (WS, body, 201);
  g_assert_cmpint (fd_test_int (job, "total"), ==, 3);
  g_assert_cmpint (fd_tj_count (job, "queued"), ==, 3);
  active = fd_test_api_expect (fd_tm_srv->srv, "GET", list, NULL, 200);
  g_assert_cmpint (fd_test_int (active, "total"), >=, 1);

  {
    g_autoptr (FdTdRaw) r = fd_tj_subscribed (d);
    g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
    g_autofree char *b = job_body ("sleep", "{}", d->id, ", \"timeout_s\": 1");
    g_autoptr (JsonNode) msg = NULL;
    guint16 pid;

    timed = fd_tj_post (WS, b, 201);
    g_assert_cmpint (fd_tj_count (timed, "sent"), ==, 1);
    msg = fd_tm_expect_publish (r, dn, &pid, NULL);
    fd_tm_puback (r, pid);
    /* stopped before the deadline passes (SIGTERM is answered at once) */
    fd_test_server_kill (fd_tm_srv->srv, SIGTERM);
  }
  g_usleep (1100 * 1000);
  fd_test_server_restart (fd_tm_srv->srv);
  later = fd_tj_get (fd_test_str (job, "id"));
  g_assert_cmpint (fd_test_int (later, "total"), ==, 3);
  g_assert_cmpint (fd_tj_count (later, "queued"), ==, 3);
  out = fd_tj_wait (fd_test_str (timed, "id"), d->id, "timed_out");
  g_assert_cmpint (json_object_get_int_member (fd_tj_execution (out, d->id), "attempts"), ==, 1);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_tm_srv = fd_td_server_start (NULL);

  g_test_add_func ("/jobs/online", test_online);
  g_test_add_func ("/jobs/offline-then-failed", test_offline_then_failed);
  g_test_add_func ("/jobs/rejected", test_rejected);
  g_test_add_func ("/jobs/timeout-retries", test_timeout_retries);
  g_test_add_func ("/jobs/cancel-replace", test_cancel_replace);
  g_test_add_func ("/jobs/bad-requests", test_bad_requests);
  g_test_add_func ("/jobs/ten-thousand", test_ten_thousand);
  g_test_add_func ("/jobs/fleet-and-restart", test_fleet_and_restart);
  status = g_test_run ();

  fd_td_server_stop (fd_tm_srv);
  return status;
}
