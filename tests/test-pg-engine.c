/* test-pg-engine.c — a postgresql integration of a real fleetdesk-server, made through the API,
 * filling a real PostgreSQL (fd-test-pg.h): readings ingested over HTTPS by real devices end up
 * in fleetdesk_readings exactly once each, every device's in order, payloads intact — also when
 * the server is killed with SIGKILL in the middle of the drain and restarted; an unsaved form's
 * test event is written too.
 */
#include "config.h"

#include "fd-test-api-util.h"
#include "fd-test-device.h"
#include "fd-test-pg.h"

#include <signal.h>
#include <string.h>

#define DEVICES 4
#define PER_DEVICE 5000
#define PER_POST 500

static const char *const server_args[] = { "--device-rate=0", "--integration-backoff-ms=50",
                                           "--integration-backoff-max-ms=1000", NULL };

static FdTdServer *server;
static FdTdDevice *devices[DEVICES];
static FdTdRaw *conns[DEVICES];

/* Readings @first .. @first + @n - 1 of every device: {"d": device, "i": index, "s": text COPY
 * must escape}, posted PER_POST at a time, devices taking turns. */
static void
ingest (guint first, guint n)
{
  fd_td_ingest_env (conns, DEVICES, first, n, PER_POST,
                    ", \"s\": \"tab\\t nl\\n back\\\\ \\\"q\\\" ü\"");
}

/* Waits until fleetdesk_readings holds @n rows (FALSE after @timeout_s). */
static gboolean
wait_rows (FdTestPg *pg, gint64 n, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      if (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL) >= n)
        return TRUE;
      g_usleep (5 * 1000);
    }
  return FALSE;
}

/* Small batches: the kill lands mid-drain. */
static char *
create_body (const char *dsn)
{
  return fd_test_pg_integration_body (dsn, 250, 20);
}

static void
test_readings_exactly_once (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  g_autofree char *body = create_body (pg->dsn);
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/workspaces/%s/integrations", server->workspace);
  g_autofree char *self = NULL;
  g_autoptr (JsonNode) created = NULL;
  g_autoptr (JsonNode) shown = NULL;
  const gint64 total = DEVICES * PER_DEVICE;
  gint64 before_kill;
  guint status = 0;

  created = fd_test_api (server->srv, "POST", path, body, &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpstr (fd_test_str (created, "type"), ==, "postgresql");
  /* The DSN is shown without its password. */
  g_assert_null (strstr (fd_test_str (created, "database"), "password"));
  self = g_strdup_printf (FD_T_API "/integrations/%s", fd_test_str (created, "id"));
  /* The create made the tables, before any reading. */
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL), ==, 0);

  /* Half, then SIGKILL while the drain is under way, a restart, the other half. */
  ingest (0, PER_DEVICE / 2);
  g_assert_true (wait_rows (pg, total / 8, 30));
  fd_test_server_kill (server->srv, SIGKILL);
  before_kill = fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL);
  g_test_message ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " readings in PostgreSQL at the "
                  "kill",
                  before_kill, total / 2);
  fd_test_server_restart_with_args (server->srv, server_args);
  fd_td_raw_connect_all (server, devices, conns, DEVICES);
  ingest (PER_DEVICE / 2, PER_DEVICE - PER_DEVICE / 2);
  g_assert_true (wait_rows (pg, total, 90));
  g_usleep (500 * 1000); /* a duplicate would come now */

  /* Exactly the readings ingested: none twice, none missing, payloads intact. */
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL), ==,
                   total);
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(DISTINCT (device_id, payload->>'i')) FROM "
                                     "fleetdesk_readings",
                                     NULL),
                   ==, total);
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM fleetdesk_readings WHERE payload->>'s' "
                                     "= E'tab\\t nl\\n back\\\\ \"q\" ü' AND tag = 'env' AND "
                                     "workspace_id = $1 AND fleet_id IS NOT NULL",
                                     server->workspace, NULL),
                   ==, total);
  for (guint d = 0; d < DEVICES; d++)
    {
      g_autofree char *index = g_strdup_printf ("%u", d);
      g_autofree char *count = g_strdup_printf ("%u", PER_DEVICE);

      /* Device d's rows are d's, numbered 0 .. PER_DEVICE - 1 ... */
      g_assert_cmpint (fd_test_pg_count (pg,
                                         "SELECT count(*) FROM fleetdesk_readings WHERE "
                                         "device_id = $1 AND payload->>'d' = $2 AND "
                                         "(payload->>'i')::int BETWEEN 0 AND $3::int - 1",
                                         devices[d]->id, index, count, NULL),
                       ==, PER_DEVICE);
      /* ... and in order: by batch (the number after the last dash) and position, each
       * reading is the one after the previous. */
      g_assert_cmpint (
          fd_test_pg_count (pg,
                            "SELECT count(*) FROM (SELECT (payload->>'i')::int AS i, "
                            "lag((payload->>'i')::int) OVER (ORDER BY substring(batch_id FROM "
                            "'-([0-9]+)$')::bigint, seq) AS prev FROM fleetdesk_readings WHERE "
                            "device_id = $1) AS r WHERE prev IS NOT NULL AND i <> prev + 1",
                            devices[d]->id, NULL),
          ==, 0);
    }
  /* Every batch once, and what the API says was delivered is what is there. */
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT sum(items) FROM fleetdesk_batches", NULL), ==,
                   total);
  shown = fd_test_api_expect (server->srv, "GET", self, NULL, 200);
  {
    JsonObject *health = json_object_get_object_member (json_node_get_object (shown), "health");
    g_assert_cmpint (json_object_get_int_member (health, "delivered"), ==, total);
    g_assert_cmpint (json_object_get_int_member (health, "failed"), ==, 0);
  }
  /* "Send test event": written straight away, an integration.test row. */
  {
    g_autofree char *test = g_strdup_printf ("%s/test", self);
    g_autoptr (JsonNode) tested = fd_test_api_expect (server->srv, "POST", test, NULL, 200);
    JsonObject *o = json_node_get_object (tested);

    g_assert_true (json_object_get_boolean_member (o, "delivered"));
    g_assert_true (json_object_get_null_member (o, "error"));
    g_assert_cmpint (fd_test_pg_count (pg,
                                       "SELECT count(*) FROM fleetdesk_events WHERE type = "
                                       "'integration.test' AND workspace_id = $1",
                                       server->workspace, NULL),
                     ==, 1);
  }
  g_clear_pointer (&shown, json_node_unref);
  shown = fd_test_api_expect (server->srv, "DELETE", self, NULL, 204);
}

/* A DSN the server cannot reach: a 400 naming the dsn, libpq's reason, never the password,
 * and nothing created. */
static void
test_unreachable_refused (void)
{
  g_autofree char *body
      = create_body ("host=127.0.0.1 port=1 dbname=x user=y password=NeverShown77");
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/workspaces/%s/integrations", server->workspace);
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *text = NULL;
  guint status = 0;

  answer = fd_test_api (server->srv, "POST", path, body, &status);
  g_assert_cmpuint (status, ==, 400);
  text = json_to_string (answer, FALSE);
  g_test_message ("%s", text);
  g_assert_cmpstr (fd_test_error_code (answer), ==, "unreachable");
  g_assert_nonnull (strstr (text, "\"field\":\"dsn\""));
  g_assert_nonnull (strstr (text, "cannot connect to PostgreSQL"));
  g_assert_null (strstr (text, "NeverShown77"));
  list = fd_test_api_expect (server->srv, "GET", path, NULL, 200);
  g_assert_cmpint (fd_test_int (list, "total"), ==, 0);
}

/* "Send test event" of an unsaved form (nothing created yet): delivered means the database
 * took the event — a row of fleetdesk_events in a batch of its own, with no integration id —
 * and a second test does not collide with the first. */
static void
test_unsaved_test_event (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  g_autofree char *body = create_body (pg->dsn);
  g_autofree char *list
      = g_strdup_printf (FD_T_API "/workspaces/%s/integrations", server->workspace);
  g_autofree char *path = g_strconcat (list, "/test", NULL);
  g_autoptr (JsonNode) listed = NULL;

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonNode) result = fd_test_api_expect (server->srv, "POST", path, body, 200);
      JsonObject *o = json_node_get_object (result);
      if (!json_object_get_boolean_member (o, "delivered"))
        g_error ("unsaved test %u not delivered: %s", i,
                 json_object_get_string_member (o, "error"));
      g_assert_true (json_node_is_null (json_object_get_member (o, "error")));
    }
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM fleetdesk_events"
                                     " WHERE type = 'integration.test'",
                                     NULL),
                   ==, 2);
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM fleetdesk_batches"
                                     " WHERE integration_id = '' AND kind = 'test'",
                                     NULL),
                   ==, 2);
  listed = fd_test_api_expect (server->srv, "GET", list, NULL, 200);
  g_assert_cmpint (fd_test_int (listed, "total"), ==, 0);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  server = fd_td_server_start (server_args);
  fd_t_kill_server_on_abort (server->srv);
  fd_td_cert_devices (server, devices, DEVICES);
  fd_td_raw_connect_all (server, devices, conns, DEVICES);

  g_test_add_func ("/pg-engine/unreachable-refused", test_unreachable_refused);
  g_test_add_func ("/pg-engine/unsaved-test-event", test_unsaved_test_event);
  g_test_add_func ("/pg-engine/readings-exactly-once", test_readings_exactly_once);
  ret = g_test_run ();

  fd_td_devices_free (devices, conns, DEVICES);
  fd_td_server_stop (server);
  return ret;
}
