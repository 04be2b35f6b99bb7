/* test-jobs-https.c — the HTTPS devices' down channel, GET /v1/dn?since=&wait=, with a real
 * fleetdesk-server whose idle timeout (1 s) is shorter than the polls: a job delivered to a
 * waiting poll, queued entries taken by a poll (the execution becomes sent), since, bad
 * parameters, and a shutdown that answers a waiting poll. */
#include "fd-test-events.h"
#include "fd-test-jobs.h"

#include <signal.h>
#include <string.h>

static JsonNode *
poll_once (FdTdRaw *r, const char *query, guint *status)
{
  g_autofree char *path = g_strdup_printf ("/v1/dn%s", query);
  g_autofree char *request = fd_td_request ("GET", path, NULL, NULL);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (r, request);
  g_assert_true (fd_td_raw_response (r, &resp));
  *status = resp.status;
  return json_from_string (resp.body, NULL);
}

/* Nothing to take: [] after the wait, which is longer than the idle timeout; the connection is
 * still good for the next request. */
static void
test_empty_wait (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "poll-empty");
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open (fd_tm_srv, d, &error);
  g_autoptr (JsonNode) first = NULL;
  g_autoptr (JsonNode) second = NULL;
  guint status = 0;

  g_assert_no_error (error);
  first = poll_once (r, "?wait=2", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (first));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (first)), ==, 0);
  second = poll_once (r, "?wait=0", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (second)), ==, 0);
}

/* A job posted while the device polls reaches it in the poll's answer (whether the poll was
 * waiting already or read the entry); the answer on POST /v1/up is the result. */
static void
test_job_through_poll (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "poll-job");
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open (fd_tm_srv, d, &error);
  g_autofree char *request = fd_td_request ("GET", "/v1/dn?since=0&wait=8", NULL, NULL);
  g_autofree char *body = g_strdup_printf (
      "{\"name\": \"echo\", \"args\": {\"n\": 7}, \"devices\": [\"%s\"]}", d->id);
  g_auto (FdTdResponse) resp = { 0 };
  g_auto (FdTdResponse) up_resp = { 0 };
  g_autoptr (JsonNode) job = NULL;
  g_autoptr (JsonNode) got = NULL;
  g_autoptr (JsonNode) sent = NULL;
  g_autoptr (JsonNode) done = NULL;
  g_autoptr (JsonNode) after = NULL;
  g_autofree char *up = NULL;
  g_autofree char *since = NULL;
  JsonObject *msg;
  guint status = 0;

  g_assert_no_error (error);
  fd_td_raw_send (r, request);
  job = fd_tj_post (fd_tm_srv->workspace, body, 201);
  g_assert_true (fd_td_raw_response (r, &resp));
  g_assert_cmpuint (resp.status, ==, 200);
  got = json_from_string (resp.body, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (got)), ==, 1);
  msg = json_array_get_object_element (json_node_get_array (got), 0);
  g_assert_cmpstr (json_object_get_string_member (msg, "key"), ==, "@echo");
  g_assert_cmpint (
      json_object_get_int_member (
          json_object_get_object_member (json_object_get_object_member (msg, "value"), "args"),
          "n"),
      ==, 7);
  sent = fd_tj_wait (fd_test_str (job, "id"), d->id, "sent");

  /* nothing newer than what it took */
  since = g_strdup_printf ("?since=%" G_GINT64_FORMAT "&wait=0",
                           json_object_get_int_member (msg, "version"));
  after = poll_once (r, since, &status);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after)), ==, 0);

  up = fd_td_request ("POST", "/v1/up", "Content-Type: application/json\r\n",
                      "{\"key\": \"@echo\", \"value\": {\"n\": 7}}");
  fd_td_raw_send (r, up);
  g_assert_true (fd_td_raw_response (r, &up_resp));
  g_assert_cmpuint (up_resp.status, ==, 202);
  done = fd_tj_wait (fd_test_str (job, "id"), d->id, "succeeded");
  g_assert_false (fd_tj_expected_has (d->id, "@echo"));
}

/* A job queued for a device that polls later: the poll answers at once with the entry, and the
 * execution becomes sent as after a #status. Bad parameters are 400. */
static void
test_queued_then_poll (void)
{
  g_autoptr (FdTdDevice) d = fd_td_key_device (fd_tm_srv, "poll-queued", "cloud_token");
  g_autofree char *bearer = g_strdup_printf ("Authorization: Bearer %s\r\n", d->secret);
  g_autofree char *body = g_strdup_printf ("{\"name\": \"reset\", \"devices\": [\"%s\"]}", d->id);
  g_autoptr (JsonNode) job = fd_tj_post (fd_tm_srv->workspace, body, 201);
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open (fd_tm_srv, NULL, &error);
  g_autofree char *request = fd_td_request ("GET", "/v1/dn?wait=5", bearer, NULL);
  g_autofree char *bad_wait = fd_td_request ("GET", "/v1/dn?wait=31", bearer, NULL);
  g_autofree char *bad_since = fd_td_request ("GET", "/v1/dn?since=x", bearer, NULL);
  g_auto (FdTdResponse) resp = { 0 };
  g_auto (FdTdResponse) bad1 = { 0 };
  g_auto (FdTdResponse) bad2 = { 0 };
  g_autoptr (JsonNode) got = NULL;
  g_autoptr (JsonNode) sent = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (fd_tj_count (job, "queued"), ==, 1);
  fd_td_raw_send (r, request);
  g_assert_true (fd_td_raw_response (r, &resp));
  g_assert_cmpuint (resp.status, ==, 200);
  got = json_from_string (resp.body, NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (got)), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (json_node_get_array (got), 0), "key"),
                   ==, "@reset");
  sent = fd_tj_wait (fd_test_str (job, "id"), d->id, "sent");

  fd_td_raw_send (r, bad_wait);
  g_assert_true (fd_td_raw_response (r, &bad1));
  g_assert_cmpuint (bad1.status, ==, 400);
  fd_td_raw_send (r, bad_since);
  g_assert_true (fd_td_raw_response (r, &bad2));
  g_assert_cmpuint (bad2.status, ==, 400);
}

/* The events of a job: job.execution at each state of the device's execution (queued, then sent
 * by the poll, then succeeded with the result), job.updated with the job's counts. */
static void
test_events (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "poll-events");
  g_autoptr (FdTeListener) l = fd_te_listener_open (
      fd_tm_srv, "?type=job.execution&type=job.updated", fd_tm_srv->srv->token);
  g_autofree char *body
      = g_strdup_printf ("{\"name\": \"echo\", \"args\": {}, \"devices\": [\"%s\"]}", d->id);
  g_autoptr (JsonNode) job = fd_tj_post (fd_tm_srv->workspace, body, 201);
  const char *id = fd_test_str (job, "id");
  g_autoptr (FdTdRaw) r = fd_te_device_connect (fd_tm_srv, d);
  g_autoptr (JsonNode) got = NULL;
  const char *states[] = { "queued", "sent", "succeeded" };
  guint status = 0, at = 0;
  JsonObject *data;

  got = poll_once (r, "?wait=0", &status);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (got)), ==, 1);
  fd_te_post_up (r, "{\"key\": \"@echo\", \"value\": \"hi\"}", 202);
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      at = fd_te_wait_event (l, at, "job.execution", d->id);
      data = fd_te_event_data (fd_te_event_at (l, at));
      g_assert_cmpstr (json_object_get_string_member (data, "job_id"), ==, id);
      g_assert_cmpstr (json_object_get_string_member (data, "name"), ==, "echo");
      g_assert_cmpstr (json_object_get_string_member (data, "state"), ==, states[i]);
      at++;
    }
  g_assert_cmpstr (json_object_get_string_member (data, "result"), ==, "hi");
  g_assert_cmpint (json_object_get_int_member (data, "attempts"), ==, 1);
  /* the last job.updated says done */
  for (at = 0;;)
    {
      at = fd_te_wait_event (l, at, "job.updated", NULL);
      data = fd_te_event_data (fd_te_event_at (l, at));
      at++;
      if (g_str_equal (json_object_get_string_member (data, "job_id"), id)
          && g_str_equal (json_object_get_string_member (data, "state"), "done"))
        break;
    }
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (data, "counts"), "succeeded"), ==,
      1);
}

/* A second poll of a device makes the first answer [] (it would wait 25 s, longer than the
 * client's read timeout); the message that comes next goes to the second. */
static void
test_second_poll (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "poll-second");
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r1 = fd_td_raw_open (fd_tm_srv, d, &error);
  g_autoptr (FdTdRaw) r2 = fd_td_raw_open (fd_tm_srv, d, &error);
  g_autofree char *long_poll = fd_td_request ("GET", "/v1/dn?wait=25", NULL, NULL);
  g_autofree char *poll = fd_td_request ("GET", "/v1/dn?wait=8", NULL, NULL);
  g_autofree char *whoami = fd_td_request ("GET", "/v1/whoami", NULL, NULL);
  g_autofree char *body = g_strdup_printf ("{\"name\": \"ping\", \"devices\": [\"%s\"]}", d->id);
  g_auto (FdTdResponse) who = { 0 };
  g_auto (FdTdResponse) who1 = { 0 };
  g_auto (FdTdResponse) first = { 0 };
  g_auto (FdTdResponse) second = { 0 };
  g_autoptr (JsonNode) job = NULL;
  g_autoptr (JsonNode) got = NULL;

  g_assert_no_error (error);
  /* Both connections are set up (TLS, the device known) before the polls, so the server reads
   * them in the order they are sent: under load a first request of a fresh connection could
   * otherwise be read after the other connection's. */
  fd_td_raw_send (r1, whoami);
  g_assert_true (fd_td_raw_response (r1, &who1));
  fd_td_raw_send (r1, long_poll);
  fd_td_raw_send (r2, whoami);
  g_assert_true (fd_td_raw_response (r2, &who));
  fd_td_raw_send (r2, poll);
  g_assert_true (fd_td_raw_response (r1, &first));
  g_assert_cmpuint (first.status, ==, 200);
  g_assert_cmpstr (first.body, ==, "[]");
  job = fd_tj_post (fd_tm_srv->workspace, body, 201);
  g_assert_cmpint (fd_tj_count (job, "sent"), ==, 1);
  g_assert_true (fd_td_raw_response (r2, &second));
  got = json_from_string (second.body, NULL);
  g_assert_cmpstr (json_object_get_string_member (
                       json_array_get_object_element (json_node_get_array (got), 0), "key"),
                   ==, "@ping");
}

/* Stopping the server answers a waiting poll at once with []. */
static void
test_shutdown (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "poll-shutdown");
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open (fd_tm_srv, d, &error);
  g_autoptr (FdTdRaw) r2 = fd_td_raw_open (fd_tm_srv, d, &error);
  g_autofree char *request = fd_td_request ("GET", "/v1/dn?wait=30", NULL, NULL);
  g_autofree char *whoami = fd_td_request ("GET", "/v1/whoami", NULL, NULL);
  g_auto (FdTdResponse) who = { 0 };
  g_auto (FdTdResponse) resp = { 0 };
  int wstatus;

  g_assert_no_error (error);
  fd_td_raw_send (r, request);
  /* a request after it on another connection is answered: the poll is in the server's hands */
  fd_td_raw_send (r2, whoami);
  g_assert_true (fd_td_raw_response (r2, &who));
  g_usleep (100 * 1000);
  wstatus = fd_test_server_kill (fd_tm_srv->srv, SIGTERM);
  g_assert_true (WIFEXITED (wstatus));
  g_assert_cmpint (WEXITSTATUS (wstatus), ==, 0);
  g_assert_true (fd_td_raw_response (r, &resp));
  g_assert_cmpuint (resp.status, ==, 200);
  g_assert_cmpstr (resp.body, ==, "[]");
  fd_test_server_restart (fd_tm_srv->srv);
}

int
main (int argc, char **argv)
{
  const char *args[] = { "--device-idle-timeout=1", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_tm_srv = fd_td_server_start (args);

  g_test_add_func ("/jobs-https/empty-wait", test_empty_wait);
  g_test_add_func ("/jobs-https/job-through-poll", test_job_through_poll);
  g_test_add_func ("/jobs-https/queued-then-poll", test_queued_then_poll);
  g_test_add_func ("/jobs-https/events", test_events);
  g_test_add_func ("/jobs-https/second-poll", test_second_poll);
  g_test_add_func ("/jobs-https/shutdown", test_shutdown);
  status = g_test_run ();

  fd_td_server_stop (fd_tm_srv);
  return status;
}
