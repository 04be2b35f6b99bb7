/* test-webhook.c — webhook integrations of a real fleetdesk-server, delivering to a real libsoup
 * receiver in this process: 100,000 readings ingested over HTTPS while the receiver answers
 * 503, then all of them delivered in per-device order once it is back, signed; a kill -9 in the
 * middle of the drain loses nothing; a 4xx fails a batch without retrying it; 429 Retry-After
 * is honoured; pause (across a restart), resume and replay; the limits dropping, counted, and a
 * paused integration's health and limits kept up to date;
 * condition changes in the ZDM condition-stream shape, device events in the events envelope;
 * the test send, the delivery log and the health through the API, and /metrics; consecutive
 * batches over one keep-alive connection, to the libsoup receiver and to Python's http.server.
 */
#include "config.h"

#include "fd-test-api-util.h"
#include "fd-test-device.h"
#include "fd-test-events.h"
#include "fd-test-receiver.h"

#include "fd-util.h"
#include "store/fd-store-integrations.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#define DEVICES 4
#define READINGS 100000
#define PER_POST 500
#define SECRET "whsec-test-0123456789"

static const char *const server_args[] = { "--device-rate=0", "--integration-backoff-ms=50",
                                           "--integration-backoff-max-ms=2000", NULL };

static FdTestReceiver *rx;

/* The server, its devices and their connections. */

static FdTdServer *server;
static FdTdDevice *devices[DEVICES];
static FdTdRaw *conns[DEVICES];

/* Readings @first .. @first + @n - 1 of every device, {"d": device, "i": index}, posted in
 * rounds of PER_POST per device. */
static void
ingest (guint first, guint n)
{
  fd_td_ingest_env (conns, DEVICES, first, n, PER_POST, "");
}

static void
stop_server (void)
{
  int wstatus = fd_test_server_kill (server->srv, SIGTERM);
  g_assert_true (WIFEXITED (wstatus));
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 0);
}

static void
start_server (void)
{
  fd_test_server_restart_with_args (server->srv, server_args);
  fd_td_raw_connect_all (server, devices, conns, DEVICES);
}

/* Makes a webhook integration to the receiver through the API; its id. */
static char *
make_integration_at (guint port, guint kinds, gint64 batch_max, gint64 batch_delay_ms,
                     gint64 max_queued)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/integrations", server->workspace);
  g_autoptr (GString) body = g_string_new (NULL);
  g_autoptr (JsonNode) made = NULL;

  g_string_append_printf (body,
                          "{\"type\": \"webhook\", \"name\": \"receiver\","
                          " \"url\": \"http://127.0.0.1:%u/hook\", \"secret\": \"%s\","
                          " \"headers\": {\"Authorization\": \"Bearer rx-token\"},"
                          " \"batch_max\": %" G_GINT64_FORMAT
                          ", \"batch_delay_ms\": %" G_GINT64_FORMAT
                          ", \"max_queued\": %" G_GINT64_FORMAT ", \"kinds\": [",
                          port, SECRET, batch_max, batch_delay_ms, max_queued);
  for (guint bit = 1, n = 0; bit <= FD_OUTBOX_KIND_ALERTS; bit <<= 1)
    if (kinds & bit)
      g_string_append_printf (body, "%s\"%s\"", n++ ? ", " : "", fd_outbox_kind_name (bit));
  g_string_append (body, "]}");
  made = fd_test_api_expect (server->srv, "POST", path, body->str, 201);
  g_assert_cmpstr (fd_test_str (made, "secret"), ==, SECRET);
  return g_strdup (fd_test_str (made, "id"));
}

static char *
make_integration_kinds (guint kinds, gint64 batch_max, gint64 batch_delay_ms, gint64 max_queued)
{
  return make_integration_at (rx->port, kinds, batch_max, batch_delay_ms, max_queued);
}

static char *
make_integration (gint64 batch_max, gint64 batch_delay_ms, gint64 max_queued)
{
  return make_integration_kinds (FD_OUTBOX_KINDS_DEFAULT, batch_max, batch_delay_ms, max_queued);
}

/* POST /integrations/@id/@verb with @body; the integration. */
static JsonNode *
integration_post (const char *id, const char *verb, const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/integrations/%s/%s", id, verb);
  return fd_test_api_expect (server->srv, "POST", path, body, 200);
}

static void
remove_integration (const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/integrations/%s", id);
  g_autoptr (JsonNode) none = fd_test_api_expect (server->srv, "DELETE", path, NULL, 204);
}

/* GET /metrics, the value of @metric for @id (-1 when absent). */
static double
metric (const char *name, const char *id)
{
  g_autofree char *url = g_strconcat (server->srv->url, "/metrics", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", server->srv->token);
  g_autofree char *prefix
      = g_strdup_printf ("fleetdesk_integration_%s{integration=\"%s\"", name, id);
  g_autoptr (GBytes) body = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  body = soup_session_send_and_read (server->srv->session, msg, NULL, NULL);
  g_assert_nonnull (body);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (g_str_has_prefix (
      soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
      "text/plain"));
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_ascii_strtod (strrchr (lines[i], ' ') + 1, NULL);
  return -1;
}

static gboolean
wait_metric (const char *name, const char *id, double at_least, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (metric (name, id) < at_least)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
  return TRUE;
}

/* Every device's readings @first .. @first + @n - 1 arrived exactly once, in order. */
static void
assert_all_in_order (guint first, guint n)
{
  g_mutex_lock (&rx->lock);
  g_assert_cmpuint (g_hash_table_size (rx->devices), ==, DEVICES);
  for (guint d = 0; d < DEVICES; d++)
    {
      GArray *seq = g_hash_table_lookup (rx->devices, devices[d]->id);
      g_assert_nonnull (seq);
      g_assert_cmpuint (seq->len, ==, n);
      for (guint k = 0; k < n; k++)
        if (g_array_index (seq, gint64, k) != first + k)
          g_error ("device %u: reading %u is %" G_GINT64_FORMAT ", expected %u", d, k,
                   g_array_index (seq, gint64, k), first + k);
    }
  g_assert_cmpuint (rx->bad_signatures, ==, 0);
  g_assert_cmpuint (rx->bad_headers, ==, 0);
  g_assert_cmpuint (rx->dup_mismatch, ==, 0);
  g_mutex_unlock (&rx->lock);
}

/* The tests. */

static void
test_backlog_and_kill (void)
{
  g_autofree char *id = NULL;
  guint before_kill;
  gint64 drain_start;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_503);
  id = make_integration (2000, 200, FD_INTEGRATION_MAX_QUEUED_DEFAULT);

  ingest (0, READINGS / DEVICES);
  /* all queued, the first batch retried against the 503s */
  g_assert_true (fd_test_receiver_wait (rx, &rx->failed_answers, 3, 20));
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->items), ==, 0);
  g_assert_true (wait_metric ("queue_depth", id, READINGS, 10));
  g_assert_cmpfloat (metric ("up", id), ==, 0);

  /* back, but slow: the server is killed in the middle of the drain */
  fd_test_receiver_set (rx, FD_TEST_RECEIVER_OK, 30);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, READINGS / 5, 60));
  fd_test_server_kill (server->srv, SIGKILL);
  before_kill = fd_test_receiver_count (rx, &rx->items);
  g_assert_cmpuint (before_kill, <, READINGS);
  fd_test_receiver_set (rx, FD_TEST_RECEIVER_OK, 0);
  start_server ();
  drain_start = g_get_monotonic_time ();
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, READINGS, 60));
  g_test_message ("the %u readings left drained in %.2f s", READINGS - before_kill,
                  (g_get_monotonic_time () - drain_start) / 1e6);
  g_usleep (300 * 1000);
  assert_all_in_order (0, READINGS / DEVICES);
  g_test_message ("%u readings before the kill, %u resent batches", before_kill,
                  fd_test_receiver_count (rx, &rx->dup_batches));
  g_assert_true (wait_metric ("delivered_total", id, READINGS, 10));
  g_assert_cmpfloat (metric ("up", id), ==, 1);
  remove_integration (id);
}

/* Consecutive batches share one keep-alive connection (a TLS handshake per batch limited the
 * deliveries/s); an answer longer than the sink reads costs that connection only. */
static void
test_keep_alive (void)
{
  g_autofree char *id = NULL;
  guint requests, connections;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_OK);
  id = make_integration (100, 50, FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  ingest (0, 2000);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 2000 * DEVICES, 60));
  requests = fd_test_receiver_count (rx, &rx->requests);
  connections = fd_test_receiver_count (rx, &rx->connections);
  g_test_message ("%u requests over %u connections", requests, connections);
  g_assert_cmpuint (requests, >=, 2000 * DEVICES / 100);
  g_assert_cmpuint (connections, <=, 2);

  /* three 1 MB answers: each drops its connection, the deliveries go on */
  g_mutex_lock (&rx->lock);
  rx->long_answer_next = 3;
  g_mutex_unlock (&rx->lock);
  ingest (2000, 1000);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 3000 * DEVICES, 60));
  g_usleep (200 * 1000);
  assert_all_in_order (0, 3000);
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->long_answer_next), ==, 0);
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->connections), <=, connections + 3 + 1);
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->dup_batches), ==, 0);
  remove_integration (id);
}

/* GET http://127.0.0.1:@port/count of tests/webhook-receiver.py. */
static guint
python_receiver_count (guint port)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/count", port);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GBytes) body = soup_session_send_and_read (server->srv->session, msg, NULL, NULL);
  g_autofree char *text = NULL;

  g_assert_nonnull (body);
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  return (guint)g_ascii_strtoull (text, NULL, 10);
}

/* The same against Python's http.server, which writes an answer's headers and body apart: on a
 * reused connection that waited 40 ms per batch for our delayed ACK (80 batches took 3.7 s)
 * until the sink asked for quick ACKs (0.3 s). 80 batches cannot take less than 3.2 s so. */
static void
test_keep_alive_python (void)
{
  const char *argv[] = { "/usr/bin/python3", NULL, NULL };
  g_autofree char *script
      = g_build_filename (g_getenv ("FD_SOURCE_DIR"), "tests", "webhook-receiver.py", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) py = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *id = NULL;
  guint port;
  gint64 start;
  double seconds;

  argv[1] = script;
  /* it ends when its stdin closes: with this process, whatever happens */
  py = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                          &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (py));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  port = (guint)g_ascii_strtoull (line, NULL, 10);
  g_assert_cmpuint (port, >, 0);

  id = make_integration_at (port, FD_OUTBOX_KINDS_DEFAULT, 100, 50,
                            FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  ingest (0, 500);
  g_assert_true (wait_metric ("delivered_total", id, 500 * DEVICES, 60));
  start = g_get_monotonic_time ();
  ingest (500, 2000);
  g_assert_true (wait_metric ("delivered_total", id, 2500 * DEVICES, 60));
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("80 batches to Python's http.server in %.2f s over %u connections", seconds,
                  python_receiver_count (port));
  g_assert_cmpuint (python_receiver_count (port), <=, 2);
  g_assert_cmpfloat (seconds, <, 3.0);
  remove_integration (id);
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (py), NULL, NULL));
  g_assert_true (g_subprocess_wait_check (py, NULL, NULL));
}

static void
test_rejected_not_retried (void)
{
  g_autofree char *id = NULL;
  g_autofree char *rejected = NULL;
  guint sent = 0;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_OK);
  id = make_integration (1000, 1000, FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  g_mutex_lock (&rx->lock);
  rx->reject_next = 1;
  g_mutex_unlock (&rx->lock);
  ingest (0, 10);
  g_assert_true (fd_test_receiver_wait (rx, &rx->failed_answers, 1, 20));
  g_assert_true (wait_metric ("failed_total", id, 10 * DEVICES, 10));
  ingest (10, 10);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 10 * DEVICES, 20));
  g_usleep (500 * 1000);
  /* the rejected batch was sent once, never again; the next one went on */
  g_mutex_lock (&rx->lock);
  rejected = g_strdup (rx->rejected->pdata[0]);
  for (guint i = 0; i < rx->request_batches->len; i++)
    sent += g_str_equal (rx->request_batches->pdata[i], rejected);
  g_mutex_unlock (&rx->lock);
  g_assert_cmpuint (sent, ==, 1);
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->failed_answers), ==, 1);
  assert_all_in_order (10, 10);
  g_assert_cmpfloat (metric ("failed_total", id), ==, 10 * DEVICES);
  g_assert_cmpfloat (metric ("delivered_total", id), ==, 10 * DEVICES);
  remove_integration (id);
}

static void
test_retry_after (void)
{
  g_autofree char *id = NULL;
  gint64 first, second;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_OK);
  id = make_integration (1000, 500, FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  g_mutex_lock (&rx->lock);
  rx->retry_after_next = 1;
  g_mutex_unlock (&rx->lock);
  ingest (0, 5);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 5 * DEVICES, 20));
  g_mutex_lock (&rx->lock);
  g_assert_cmpuint (rx->times->len, >=, 2);
  /* the batch answered 429 was sent again, Retry-After: 1 later rather than the 50 ms
   * backoff */
  g_assert_cmpstr (rx->request_batches->pdata[0], ==, rx->request_batches->pdata[1]);
  first = g_array_index (rx->times, gint64, 0);
  second = g_array_index (rx->times, gint64, 1);
  g_mutex_unlock (&rx->lock);
  g_assert_cmpint (second - first, >=, 950 * 1000);
  g_assert_cmpint (second - first, <, 2500 * 1000);
  assert_all_in_order (0, 5);
  remove_integration (id);
}

static void
test_pause_resume_replay (void)
{
  g_autofree char *id = NULL;
  g_autofree char *from_text = fd_time_format_ms (fd_now_ms () - 1);
  g_autofree char *replay = g_strdup_printf ("{\"from\": \"%s\"}", from_text);
  g_autoptr (JsonNode) paused = NULL, resumed = NULL, replayed = NULL;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_OK);
  id = make_integration (1000, 50, FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  paused = integration_post (id, "pause", NULL);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (paused), "paused"));
  /* paused it stays, across a restart too */
  stop_server ();
  start_server ();
  ingest (0, 20);
  g_usleep (700 * 1000);
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->requests), ==, 0);

  resumed = integration_post (id, "resume", NULL);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 20 * DEVICES, 20));
  assert_all_in_order (0, 20);

  /* replay from before the readings arrived: all of them again, in new batches */
  replayed = integration_post (id, "replay", replay);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 40 * DEVICES, 20));
  g_mutex_lock (&rx->lock);
  for (guint d = 0; d < DEVICES; d++)
    {
      GArray *seq = g_hash_table_lookup (rx->devices, devices[d]->id);
      g_assert_cmpuint (seq->len, ==, 40);
      for (guint k = 0; k < 40; k++)
        g_assert_cmpint (g_array_index (seq, gint64, k), ==, k % 20);
    }
  g_mutex_unlock (&rx->lock);
  remove_integration (id);
}

static void
test_conditions_zdm_shape (void)
{
  g_autofree char *id = NULL;
  g_autofree char *open = NULL;
  g_autofree char *close = NULL;
  g_autoptr (JsonNode) a = NULL, b = NULL;
  g_autofree char *start = fd_time_format_ms (fd_now_ms () - 60000);

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_OK);
  id = make_integration (100, 50, FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  open = g_strdup_printf ("{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", \"tag\": "
                          "\"battery\", \"payload\": {\"level\": 9}, \"start\": \"%s\"}}",
                          start);
  fd_td_raw_post (conns[0], "/v1/up", open, 202);
  close = g_strdup_printf ("{\"key\": \"condition\", \"value\": {\"uuid\": \"c-1\", "
                           "\"payloadf\": {\"level\": 50}, \"finish\": %" G_GINT64_FORMAT "}}",
                           fd_now_ms ());
  fd_td_raw_post (conns[0], "/v1/up", close, 202);
  g_assert_true (fd_test_receiver_wait (rx, &rx->answered_ok, 1, 20));
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (TRUE)
      {
        g_mutex_lock (&rx->lock);
        if (rx->conditions->len >= 2)
          break;
        g_mutex_unlock (&rx->lock);
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
      }
    a = json_from_string (rx->conditions->pdata[0], NULL);
    b = json_from_string (rx->conditions->pdata[1], NULL);
    g_assert_cmpuint (rx->conditions->len, ==, 2);
    g_assert_cmpuint (rx->bad_signatures, ==, 0);
    g_mutex_unlock (&rx->lock);
  }
  g_assert_cmpstr (fd_test_str (a, "uuid"), ==, "c-1");
  g_assert_cmpstr (fd_test_str (a, "tag"), ==, "battery");
  g_assert_cmpstr (fd_test_str (a, "device_id"), ==, devices[0]->id);
  g_assert_cmpstr (fd_test_str (a, "device_name"), ==, "dev-0");
  g_assert_cmpstr (fd_test_str (a, "workspace_id"), ==, server->workspace);
  g_assert_nonnull (fd_test_str (a, "fleet_id"));
  g_assert_cmpstr (fd_test_str (a, "start"), ==, start);
  g_assert_true (json_node_is_null (json_object_get_member (json_node_get_object (a), "finish")));
  g_assert_cmpint (
      json_object_get_int_member (
          json_object_get_object_member (json_node_get_object (a), "payload"), "level"),
      ==, 9);
  g_assert_nonnull (fd_test_str (b, "finish"));
  g_assert_cmpint (
      json_object_get_int_member (
          json_object_get_object_member (json_node_get_object (b), "payloadf"), "level"),
      ==, 50);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (b), "duration"), >=,
                     59.0);
  remove_integration (id);
}

static void
test_limits_drop (void)
{
  g_autofree char *id = NULL;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_503);
  id = make_integration (50, 50, 100);
  ingest (0, 100);
  /* 400 queued, at most 100 kept: the oldest dropped, counted, never silent */
  g_assert_true (wait_metric ("dropped_total", id, 300, 20));
  fd_test_receiver_set (rx, FD_TEST_RECEIVER_OK, 0);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 1, 20));
  g_usleep (1000 * 1000);
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->items), <=, 100 + 50);
  g_assert_cmpfloat (metric ("dropped_total", id) + metric ("delivered_total", id), ==,
                     100 * DEVICES);
  remove_integration (id);
}

/* GET /integrations/@id's health, until @member is @value (at most @timeout_s). */
static JsonObject *
wait_health (const char *id, const char *member, gint64 value, guint timeout_s, JsonNode **shown)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/integrations/%s", id);
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  for (;;)
    {
      JsonObject *health;
      g_clear_pointer (shown, json_node_unref);
      *shown = fd_test_api_expect (server->srv, "GET", path, NULL, 200);
      health = json_object_get_object_member (json_node_get_object (*shown), "health");
      if (json_object_get_int_member (health, member) == value
          || g_get_monotonic_time () > deadline)
        return health;
      g_usleep (100 * 1000);
    }
}

/* A paused integration delivers nothing, yet its health tells what waits (queue depth, oldest,
 * on the events stream too) and its limits still drop, counted and logged. */
static void
test_paused_health_and_limits (void)
{
  g_autofree char *id = NULL;
  g_autofree char *path = NULL, *dropped_log = NULL;
  g_autoptr (JsonNode) paused = NULL, shown = NULL, patched = NULL, log = NULL, item = NULL;
  g_autoptr (FdTeListener) l = NULL;
  JsonObject *health;
  guint at = 0;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_OK);
  id = make_integration (1000, 50, FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  path = g_strdup_printf ("/api/v1/integrations/%s", id);
  dropped_log = g_strdup_printf ("%s/deliveries?outcome=dropped", path);
  paused = integration_post (id, "pause", NULL);
  l = fd_te_listener_open (server, "?type=integration.updated", server->srv->token);
  g_assert_nonnull (l->conn);
  ingest (0, 10);

  health = wait_health (id, "queue_depth", 10 * DEVICES, 10, &shown);
  g_assert_cmpint (json_object_get_int_member (health, "queue_depth"), ==, 10 * DEVICES);
  g_assert_cmpstr (json_object_get_string_member (health, "state"), ==, "paused");
  g_assert_nonnull (json_object_get_string_member (health, "oldest_queued"));
  /* the app's list learns it from the events stream */
  for (;;)
    {
      JsonObject *data;
      at = fd_te_wait_event (l, at, "integration.updated", NULL);
      data = fd_te_event_data (fd_te_event_at (l, at));
      if (g_str_equal (json_object_get_string_member (data, "id"), id)
          && json_object_get_int_member (data, "queue_depth") == 10 * DEVICES)
        {
          g_assert_cmpstr (json_object_get_string_member (data, "state"), ==, "paused");
          break;
        }
      at++;
    }

  /* a smaller max_queued applies while paused: the oldest dropped, counted and logged */
  patched = fd_test_api_expect (server->srv, "PATCH", path, "{\"max_queued\": 8}", 200);
  health = wait_health (id, "dropped", 10 * DEVICES - 8, 15, &shown);
  g_assert_cmpint (json_object_get_int_member (health, "dropped"), ==, 10 * DEVICES - 8);
  health = wait_health (id, "queue_depth", 8, 10, &shown);
  g_assert_cmpint (json_object_get_int_member (health, "queue_depth"), ==, 8);
  g_assert_cmpstr (json_object_get_string_member (health, "state"), ==, "paused");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (shown), "paused"));
  log = fd_test_api_expect (server->srv, "GET", dropped_log, NULL, 200);
  g_assert_cmpint (fd_test_int (log, "total"), ==, 1);
  item = json_node_copy (json_array_get_element (
      json_object_get_array_member (json_node_get_object (log), "items"), 0));
  g_assert_cmpstr (fd_test_str (item, "outcome"), ==, "dropped");
  g_assert_cmpint (fd_test_int (item, "items"), ==, 10 * DEVICES - 8);
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->requests), ==, 0);

  /* resumed: the 8 kept are delivered, the newest ones */
  g_clear_pointer (&paused, json_node_unref);
  paused = integration_post (id, "resume", NULL);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 8, 20));
  g_usleep (300 * 1000);
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->items), ==, 8);
  remove_integration (id);
}

/* A long backoff does not freeze the health: while the worker waits to retry, the queue is
 * still counted (what the list, /metrics and the app show). */
static void
test_depth_during_backoff (void)
{
  static const char *const slow_args[] = { "--device-rate=0", "--integration-backoff-ms=20000",
                                           "--integration-backoff-max-ms=20000", NULL };
  g_autofree char *id = NULL;
  g_autoptr (JsonNode) shown = NULL;
  JsonObject *health;

  stop_server ();
  fd_test_server_restart_with_args (server->srv, slow_args);
  fd_td_raw_connect_all (server, devices, conns, DEVICES);
  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_503);
  id = make_integration (1000, 50, FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  ingest (0, 1);
  g_assert_true (fd_test_receiver_wait (rx, &rx->requests, 1, 10));
  /* the first attempt failed: the next is 10 to 20 s away */
  ingest (1, 10);
  health = wait_health (id, "queue_depth", 11 * DEVICES, 8, &shown);
  g_assert_cmpint (json_object_get_int_member (health, "queue_depth"), ==, 11 * DEVICES);
  g_assert_cmpstr (json_object_get_string_member (health, "state"), ==, "retrying");
  g_assert_nonnull (json_object_get_string_member (health, "next_attempt_at"));
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->requests), ==, 1);
  remove_integration (id);
  stop_server ();
  start_server ();
}

static gboolean
has_event (const char *type)
{
  gboolean found = FALSE;

  g_mutex_lock (&rx->lock);
  for (guint i = 0; i < rx->events->len; i++)
    found = found || g_str_equal (rx->events->pdata[i], type);
  g_mutex_unlock (&rx->lock);
  return found;
}

/* device.online / device.offline reach the webhook in the events envelope; the live events
 * stream tells how the integration is doing. */
static void
test_device_events_and_health (void)
{
  g_autofree char *id = NULL;
  g_autoptr (FdTdDevice) extra = NULL;
  g_autoptr (FdTdRaw) conn = NULL;
  g_autoptr (FdTeListener) l = NULL;
  gint64 deadline;
  guint at;
  JsonObject *health;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_OK);
  id = make_integration_kinds (FD_OUTBOX_KIND_DATA | FD_OUTBOX_KIND_DEVICES, 100, 50,
                               FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  l = fd_te_listener_open (server, "?type=integration.updated", server->srv->token);
  g_assert_nonnull (l->conn);
  extra = fd_td_cert_device (server, "dev-extra");
  conn = fd_td_raw_open (server, extra, NULL);
  fd_td_raw_post (conn, "/v1/data/env",
                  "[{\"ts\": 1700000000000, \"payload\": {\"d\": 9, \"i\": 0}}]", 202);
  g_clear_pointer (&conn, fd_td_raw_free);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!has_event ("device.online") || !has_event ("device.offline"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      fd_te_iterate ();
    }
  g_assert_cmpuint (fd_test_receiver_count (rx, &rx->bad_signatures), ==, 0);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 1, 20));

  /* the delivery of the reading was on the events stream */
  at = 0;
  for (;;)
    {
      at = fd_te_wait_event (l, at, "integration.updated", NULL);
      health = fd_te_event_data (fd_te_event_at (l, at));
      if (g_str_equal (json_object_get_string_member (health, "id"), id)
          && json_object_get_int_member (health, "delivered") >= 1)
        break;
      at++;
    }
  g_assert_cmpstr (json_object_get_string_member (health, "name"), ==, "receiver");
  g_assert_true (json_object_has_member (health, "queue_depth"));
  g_assert_true (json_object_has_member (health, "rate_per_s"));
  g_assert_true (json_object_has_member (health, "last_success_at"));
  g_assert_nonnull (json_object_get_string_member (health, "state"));
  remove_integration (id);
}

/* The test send, the delivery log and the health in the API; a deleted integration's worker
 * goes at once. */
static void
test_api_test_and_log (void)
{
  g_autofree char *id = NULL;
  g_autofree char *base = NULL, *deliveries = NULL;
  g_autoptr (JsonNode) tested = NULL, log = NULL, shown = NULL;
  JsonObject *health;

  fd_test_receiver_reset (rx, FD_TEST_RECEIVER_OK);
  id = make_integration (1000, 50, FD_INTEGRATION_MAX_QUEUED_DEFAULT);
  base = g_strdup_printf ("/api/v1/integrations/%s", id);
  deliveries = g_strconcat (base, "/deliveries", NULL);
  ingest (0, 5);
  g_assert_true (fd_test_receiver_wait (rx, &rx->items, 5 * DEVICES, 20));

  tested = integration_post (id, "test", NULL);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (tested), "delivered"));
  g_assert_cmpint (fd_test_int (tested, "status"), ==, 200);
  g_mutex_lock (&rx->lock);
  g_assert_cmpuint (rx->events->len, ==, 1);
  g_assert_cmpstr (rx->events->pdata[0], ==, "integration.test");
  g_assert_cmpuint (rx->bad_signatures, ==, 0);
  g_mutex_unlock (&rx->lock);

  log = fd_test_api_expect (server->srv, "GET", deliveries, NULL, 200);
  g_assert_cmpint (fd_test_int (log, "total"), >=, 2);
  shown = fd_test_api_expect (server->srv, "GET", base, NULL, 200);
  health = json_object_get_object_member (json_node_get_object (shown), "health");
  g_assert_cmpint (json_object_get_int_member (health, "delivered"), ==, 5 * DEVICES);
  g_assert_nonnull (json_object_get_string_member (health, "last_success_at"));
  g_assert_cmpfloat (metric ("delivered_total", id), ==, 5 * DEVICES);

  remove_integration (id);
  g_assert_cmpfloat (metric ("delivered_total", id), ==, -1);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  rx = fd_test_receiver_start (SECRET);
  server = fd_td_server_start (server_args);
  fd_t_kill_server_on_abort (server->srv);
  fd_td_cert_devices (server, devices, DEVICES);
  fd_td_raw_connect_all (server, devices, conns, DEVICES);

  g_test_add_func ("/webhook/backlog-and-kill", test_backlog_and_kill);
  g_test_add_func ("/webhook/keep-alive", test_keep_alive);
  g_test_add_func ("/webhook/keep-alive-python", test_keep_alive_python);
  g_test_add_func ("/webhook/rejected-not-retried", test_rejected_not_retried);
  g_test_add_func ("/webhook/retry-after", test_retry_after);
  g_test_add_func ("/webhook/pause-resume-replay", test_pause_resume_replay);
  g_test_add_func ("/webhook/conditions-zdm-shape", test_conditions_zdm_shape);
  g_test_add_func ("/webhook/limits-drop", test_limits_drop);
  g_test_add_func ("/webhook/paused-health-and-limits", test_paused_health_and_limits);
  g_test_add_func ("/webhook/depth-during-backoff", test_depth_during_backoff);
  g_test_add_func ("/webhook/device-events-and-health", test_device_events_and_health);
  g_test_add_func ("/webhook/api-test-and-log", test_api_test_and_log);
  ret = g_test_run ();

  fd_td_devices_free (devices, conns, DEVICES);
  fd_td_server_stop (server);
  return ret;
}
