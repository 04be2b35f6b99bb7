/* test-pg-sink.c — the PostgreSQL sink against a real PostgreSQL (fd-test-pg.h): batches built
 * by hand are delivered and read back with libpq; replays are idempotent; conditions upsert;
 * bad data is rejected; connection failures retry, name the problem and never the password.
 */
#include <string.h>

#include "fd-test-pg.h"
#include "integrations/fd-sink.h"

#define WS "wks-test"

/* Through the vtable: fd-sink.c (fd_sink_deliver) belongs to the delivery service. */
static void
deliver (FdSink *sink, const FdOutboxBatch *batch, GCancellable *cancellable, FdSinkResult *result)
{
  memset (result, 0, sizeof *result);
  sink->klass->deliver (sink, batch, cancellable, result);
}

static void
result_clear (FdSinkResult *result)
{
  g_clear_pointer (&result->error, g_free);
}

static void
sink_free (FdSink *sink)
{
  sink->klass->free (sink);
}

static FdOutboxBatch *
batch_new (const char *batch_id, FdOutboxKind kind)
{
  FdOutboxBatch *batch = g_new0 (FdOutboxBatch, 1);

  batch->batch_id = g_strdup (batch_id);
  batch->kind = kind;
  batch->items = g_array_new (FALSE, TRUE, sizeof (FdOutboxItem));
  batch->strings = g_string_chunk_new (1024);
  return batch;
}

static void
batch_add (FdOutboxBatch *batch, gint64 id, const char *fleet_id, const char *device_id,
           const char *tag, gint64 ts_device, const char *payload)
{
  FdOutboxItem item = {
    .id = id,
    .kind = batch->kind,
    .workspace_id = g_string_chunk_insert_const (batch->strings, WS),
    .fleet_id = fleet_id != NULL ? g_string_chunk_insert (batch->strings, fleet_id) : NULL,
    .device_id = g_string_chunk_insert (batch->strings, device_id),
    .tag = tag != NULL ? g_string_chunk_insert (batch->strings, tag) : NULL,
    .ts_device = ts_device,
    .ts_in = ts_device + 7,
    .payload = g_string_chunk_insert (batch->strings, payload),
    .payload_len = strlen (payload),
  };

  if (batch->items->len == 0)
    batch->first_id = id;
  batch->last_id = batch->scanned_to = id;
  g_array_append_val (batch->items, item);
}

/* Payloads whose text COPY must escape: quotes, backslashes, unicode, and raw tabs, newlines
 * and carriage returns between the JSON tokens. */
static const char *const tricky_payloads[] = {
  "{\"q\": \"he said \\\"hi\\\"\", \"n\": 1}",
  "{\"path\": \"C:\\\\dir\\\\file\", \"re\": \"\\\\d+\\\\t\"}",
  "{\"u\": \"ünïcødé ☃ 😀 \\u00e9\"}",
  "{\n\t\"multi\": \"line\\nvalue\",\r\n\t\"tab\": \"a\\tb\"\n}",
  "{\"copy_terminator\": \"\\\\.\", \"nul_ok\": \"\\\\N\"}",
  "[1, 2.5, true, null, {\"deep\": [\"x\"]}]",
};

static FdOutboxBatch *
tricky_batch (const char *batch_id, const char *device_id, gint64 t0)
{
  FdOutboxBatch *batch = batch_new (batch_id, FD_OUTBOX_KIND_DATA);

  for (guint i = 0; i < G_N_ELEMENTS (tricky_payloads); i++)
    batch_add (batch, 100 + i, i == 2 ? NULL : "flt-1", device_id, "weather", t0 + i * 1000,
               tricky_payloads[i]);
  return batch;
}

static void
assert_tricky_rows (FdTestPg *pg, const char *batch_id, const char *device_id, gint64 t0)
{
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM fleetdesk_readings "
                                     "WHERE batch_id = $1",
                                     batch_id, NULL),
                   ==, G_N_ELEMENTS (tricky_payloads));
  for (guint i = 0; i < G_N_ELEMENTS (tricky_payloads); i++)
    {
      g_autofree char *seq = g_strdup_printf ("%u", i);
      g_autofree char *ts = g_strdup_printf ("%" G_GINT64_FORMAT, t0 + i * 1000);
      g_autofree char *ts_in = g_strdup_printf ("%" G_GINT64_FORMAT, t0 + i * 1000 + 7);
      const char *fleet = i == 2 ? "" : "flt-1";

      /* Equal as jsonb to the text we sent: nothing lost or added by the escaping. */
      g_assert_cmpint (
          fd_test_pg_count (
              pg,
              "SELECT count(*) FROM fleetdesk_readings WHERE batch_id = $1 AND seq = $2::int "
              "AND payload = $3::jsonb AND workspace_id = '" WS "' AND device_id = $4 "
              "AND coalesce(fleet_id, '') = $5 AND tag = 'weather' "
              "AND timestamp_device = to_timestamp($6::double precision / 1000) "
              "AND timestamp_in = to_timestamp($7::double precision / 1000)",
              batch_id, seq, tricky_payloads[i], device_id, fleet, ts, ts_in, NULL),
          ==, 1);
    }
}

static FdSink *
sink_new (FdTestPg *pg)
{
  g_autoptr (GError) error = NULL;
  FdSink *sink = fd_sink_postgres_new ("int-test", pg->dsn, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sink);
  return sink;
}

static void
test_data (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  FdSink *sink = sink_new (pg);
  g_autoptr (FdOutboxBatch) one = tricky_batch ("int-test-1", "dev-a", 1700000000123);
  g_autoptr (FdOutboxBatch) two = tricky_batch ("int-test-2", "dev-b", 1700000100456);
  FdSinkResult result;

  deliver (sink, one, NULL, &result);
  g_assert_cmpstr (result.error, ==, NULL);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  g_assert_cmpint (result.latency_ms, >=, 0);
  g_assert_cmpint (result.latency_ms, <, 10000);
  assert_tricky_rows (pg, "int-test-1", "dev-a", 1700000000123);
  /* The sink's connection stays open between batches, named for the database's admin. */
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM pg_stat_activity WHERE "
                                     "application_name = 'fleetdesk' AND usename = current_user",
                                     NULL),
                   >=, 1);

  /* Sent again (a crash before the worker recorded it): delivered, nothing written twice. */
  deliver (sink, one, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  g_assert_null (result.error);
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL), ==,
                   G_N_ELEMENTS (tricky_payloads));

  deliver (sink, two, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  assert_tricky_rows (pg, "int-test-2", "dev-b", 1700000100456);
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL), ==,
                   2 * G_N_ELEMENTS (tricky_payloads));

  /* The batch log: one row per batch, whatever the replays. */
  g_assert_cmpint (
      fd_test_pg_count (pg,
                        "SELECT count(*) FROM fleetdesk_batches WHERE "
                        "integration_id = 'int-test' AND kind = 'data' AND items = $1::int",
                        "6", NULL),
      ==, 2);
  /* A second sink (another worker after a restart) sees the same batch as applied. */
  {
    FdSink *again = sink_new (pg);
    deliver (again, two, NULL, &result);
    g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
    sink_free (again);
  }
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL), ==,
                   2 * G_N_ELEMENTS (tricky_payloads));
  sink_free (sink);
}

static char *
condition_body (const char *uuid, const char *tag, const char *payload, const char *start,
                const char *payloadf, const char *finish, const char *duration)
{
  return g_strdup_printf ("{\"uuid\":\"%s\",\"tag\":%s,\"workspace_id\":\"" WS "\","
                          "\"device_id\":\"dev-c\",\"fleet_id\":\"flt-1\",\"device_name\":\"pump\","
                          "\"payload\":%s,\"payloadf\":%s,\"start\":%s,\"finish\":%s,"
                          "\"duration\":%s}",
                          uuid, tag, payload, payloadf, start, finish, duration);
}

static void
test_conditions (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  FdSink *sink = sink_new (pg);
  g_autoptr (FdOutboxBatch) opens = batch_new ("int-test-1", FD_OUTBOX_KIND_CONDITIONS);
  g_autoptr (FdOutboxBatch) closes = batch_new ("int-test-2", FD_OUTBOX_KIND_CONDITIONS);
  g_autofree char *open1
      = condition_body ("1699990000123.456", "\"battery\"", "{\"lvl\":15}",
                        "\"2023-11-14T19:46:40.123456Z\"", "null", "null", "null");
  g_autofree char *open2 = condition_body ("1699990000999.1", "\"door\"", "null",
                                           "\"2023-11-14T19:50:00Z\"", "null", "null", "null");
  /* A close in the ZDM shape carries no tag and no start: they stay from the open. */
  g_autofree char *close2
      = condition_body ("1699990000999.1", "null", "null", "null", "{\"open\":false}",
                        "\"2023-11-14T19:51:00.5Z\"", "60.5");
  g_autofree char *close1
      = condition_body ("1699990000123.456", "null", "null", "null", "{\"lvl\":45}",
                        "\"2023-11-14T20:10:02.000001Z\"", "1401.877545");
  FdSinkResult result;

  /* The same condition opened and closed within one batch: two upserts of one row. */
  batch_add (opens, 1, "flt-1", "dev-c", "battery", 1700000000000, open1);
  batch_add (opens, 2, "flt-1", "dev-c", "door", 1700000001000, open2);
  batch_add (opens, 3, "flt-1", "dev-c", "door", 1700000002000, close2);
  deliver (sink, opens, NULL, &result);
  g_assert_cmpstr (result.error, ==, NULL);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_conditions", NULL), ==, 2);
  g_assert_cmpint (
      fd_test_pg_count (pg,
                        "SELECT count(*) FROM fleetdesk_conditions WHERE uuid = "
                        "'1699990000123.456' AND tag = 'battery' AND payload = '{\"lvl\":15}' "
                        "AND payloadf IS NULL AND finish IS NULL AND device_name = 'pump' AND "
                        "start = '2023-11-14T19:46:40.123456Z' AND workspace_id = '" WS "'",
                        NULL),
      ==, 1);
  g_assert_cmpint (
      fd_test_pg_count (pg,
                        "SELECT count(*) FROM fleetdesk_conditions WHERE uuid = "
                        "'1699990000999.1' AND tag = 'door' AND payload IS NULL AND "
                        "payloadf = '{\"open\":false}' AND start = '2023-11-14T19:50:00Z' AND "
                        "finish = '2023-11-14T19:51:00.5Z' AND duration = 60.5",
                        NULL),
      ==, 1);

  batch_add (closes, 4, "flt-1", "dev-c", "battery", 1700000003000, close1);
  deliver (sink, closes, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  g_assert_cmpint (
      fd_test_pg_count (pg,
                        "SELECT count(*) FROM fleetdesk_conditions WHERE uuid = "
                        "'1699990000123.456' AND tag = 'battery' AND payload = '{\"lvl\":15}' "
                        "AND payloadf = '{\"lvl\":45}' AND start = '2023-11-14T19:46:40.123456Z' "
                        "AND finish = '2023-11-14T20:10:02.000001Z' AND duration = 1401.877545 "
                        "AND batch_id = 'int-test-2'",
                        NULL),
      ==, 1);
  /* Replaying the first batch now is a no-op: the close is not undone. */
  deliver (sink, opens, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM fleetdesk_conditions WHERE finish IS "
                                     "NOT NULL",
                                     NULL),
                   ==, 2);
  sink_free (sink);
}

static void
test_events (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  FdSink *sink = sink_new (pg);
  g_autoptr (FdOutboxBatch) batch = batch_new ("int-test-7", FD_OUTBOX_KIND_DEVICES);
  FdSinkResult result;

  batch_add (batch, 41, "flt-1", "dev-e", NULL, 1700000000250,
             "{\"type\":\"device.online\",\"time\":\"2023-11-14T22:13:20.250Z\","
             "\"workspace_id\":\"" WS "\",\"device_id\":\"dev-e\",\"data\":{\"ip\":\"10.0.0.1\"}}");
  batch_add (batch, 42, "flt-1", "dev-e", NULL, 1700000009000,
             "{\"type\":\"device.offline\",\"time\":\"2023-11-14T22:13:29Z\","
             "\"workspace_id\":\"" WS "\",\"device_id\":\"dev-e\",\"data\":{}}");
  deliver (sink, batch, NULL, &result);
  g_assert_cmpstr (result.error, ==, NULL);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  deliver (sink, batch, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_events", NULL), ==, 2);
  g_assert_cmpint (
      fd_test_pg_count (pg,
                        "SELECT count(*) FROM fleetdesk_events WHERE batch_id = 'int-test-7' AND "
                        "id = 41 AND type = 'device.online' AND device_id = 'dev-e' AND "
                        "time = '2023-11-14T22:13:20.250Z' AND data = '{\"ip\":\"10.0.0.1\"}'",
                        NULL),
      ==, 1);
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM fleetdesk_batches WHERE kind = "
                                     "'devices' AND items = 2",
                                     NULL),
                   ==, 1);
  sink_free (sink);
}

/* Data PostgreSQL refuses every time (jsonb has no \u0000): the batch is rejected with the
 * server's reason, nothing of it is written, and the sink goes on with the next batch. */
static void
test_rejected (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  FdSink *sink = sink_new (pg);
  g_autoptr (FdOutboxBatch) bad = batch_new ("int-test-1", FD_OUTBOX_KIND_DATA);
  g_autoptr (FdOutboxBatch) good = tricky_batch ("int-test-2", "dev-a", 1700000000000);
  FdSinkResult result;

  batch_add (bad, 1, "flt-1", "dev-a", "t", 1700000000000, "{\"fine\":1}");
  batch_add (bad, 2, "flt-1", "dev-a", "t", 1700000001000, "{\"nul\":\"a\\u0000b\"}");
  deliver (sink, bad, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_REJECTED);
  g_assert_nonnull (result.error);
  g_test_message ("rejected: %s", result.error);
  g_assert_nonnull (strstr (result.error, "cannot write the readings"));
  g_assert_nonnull (strstr (result.error, "\\u0000"));
  g_assert_null (strchr (result.error, '\n'));
  result_clear (&result);
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL), ==, 0);
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_batches", NULL), ==, 0);

  deliver (sink, good, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  assert_tricky_rows (pg, "int-test-2", "dev-a", 1700000000000);
  sink_free (sink);
}

static char *
dsn_with_password (const char *dsn, const char *password)
{
  g_autoptr (GRegex) re = g_regex_new ("password=\\S+", 0, 0, NULL);
  g_autofree char *stripped = g_regex_replace_literal (re, dsn, -1, 0, "", 0, NULL);

  return g_strdup_printf ("%s password=%s", stripped, password);
}

/* Failures to connect name the problem (libpq's words) and never the password. */
static void
test_unreachable (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  const char *down = "host=127.0.0.1 port=1 dbname=x user=fleetdesk password=Sekr1tPassw0rd";
  g_autofree char *wrong = dsn_with_password (pg->dsn, "Wr0ngPassw0rdXyz");
  g_autoptr (GError) error = NULL;
  g_autoptr (FdOutboxBatch) batch = tricky_batch ("int-test-1", "dev-a", 1700000000000);
  FdSink *sink;
  FdSinkResult result;

  g_assert_false (fd_sink_postgres_check (down, &error));
  g_assert_nonnull (error);
  g_test_message ("port 1: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "cannot connect to PostgreSQL: "));
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_null (strstr (error->message, "Sekr1tPassw0rd"));
  g_clear_error (&error);

  g_assert_false (fd_sink_postgres_check (wrong, &error));
  g_test_message ("wrong password: %s", error->message);
  g_assert_nonnull (strstr (error->message, "password authentication failed"));
  g_assert_null (strstr (error->message, "Wr0ngPassw0rdXyz"));
  g_clear_error (&error);

  g_assert_false (fd_sink_postgres_check ("postgresql://fd:UriSecret99@127.0.0.1:1/db", &error));
  g_assert_null (strstr (error->message, "UriSecret99"));
  g_clear_error (&error);

  g_assert_false (fd_sink_postgres_check ("host=127.0.0.1 password=BadSecret42 nonsense", &error));
  g_test_message ("malformed: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "not a PostgreSQL connection string: "));
  g_assert_null (strstr (error->message, "BadSecret42"));
  g_clear_error (&error);

  g_assert_false (fd_sink_postgres_check ("  ", &error));
  g_assert_nonnull (strstr (error->message, "empty"));
  g_clear_error (&error);

  /* A sink on a server that is down: RETRY, the same kind of message, the time it took. */
  sink = fd_sink_postgres_new ("int-test", down, &error);
  g_assert_no_error (error);
  deliver (sink, batch, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_RETRY);
  g_assert_true (g_str_has_prefix (result.error, "cannot connect to PostgreSQL: "));
  g_assert_null (strstr (result.error, "Sekr1tPassw0rd"));
  g_assert_cmpint (result.latency_ms, <, 6000);
  result_clear (&result);
  sink_free (sink);

  /* The real server, right password: the check passes and makes the tables. */
  g_assert_true (fd_sink_postgres_check (pg->dsn, &error));
  g_assert_no_error (error);
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND "
                                     "tablename LIKE 'fleetdesk\\_%'",
                                     pg->schema, NULL),
                   ==, 4);
  /* Made when missing only: a second check keeps the rows. */
  PQclear (fd_test_pg_query (pg,
                             "INSERT INTO fleetdesk_batches (batch_id, integration_id, kind, "
                             "items) VALUES ('x-1', 'x', 'data', 0)",
                             NULL, 0));
  g_assert_true (fd_sink_postgres_check (pg->dsn, &error));
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_batches", NULL), ==, 1);
  if (fd_test_pg_count (pg, "SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'", NULL)
      == 0)
    g_test_message ("TimescaleDB is not installed in the test database: no hypertable check");
  else
    g_assert_cmpint (fd_test_pg_count (pg,
                                       "SELECT count(*) FROM timescaledb_information.hypertables "
                                       "WHERE hypertable_schema = $1 AND hypertable_name = "
                                       "'fleetdesk_readings'",
                                       pg->schema, NULL),
                     ==, 1);
}

static void
test_display (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *kv = fd_sink_postgres_display (
      "password=pw1 user=u dbname=d port=5433 host=db.example sslmode=require", &error);
  g_autofree char *uri = NULL;
  g_autofree char *quoted = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (kv, ==, "host=db.example port=5433 dbname=d user=u sslmode=require");
  uri = fd_sink_postgres_display ("postgresql://ann:UriPw@10.1.2.3:6543/metrics", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, "host=10.1.2.3 port=6543 dbname=metrics user=ann");
  quoted = fd_sink_postgres_display ("host=h dbname='my db' options='-csearch_path=a'", &error);
  g_assert_cmpstr (quoted, ==, "host=h dbname='my db' options=-csearch_path=a");
  g_assert_null (fd_sink_postgres_display ("host=h password='Unterminated", &error));
  g_assert_nonnull (error);
  g_assert_null (strstr (error->message, "Unterminated"));
  g_clear_error (&error);
  g_assert_null (fd_sink_postgres_new ("int-x", "just words", &error));
  g_assert_nonnull (error);
}

/* The server drops the sink's idle connection (a restart, an admin): the next batch is still
 * delivered, on a new connection. */
static void
test_reconnect (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  /* A DSN's application_name wins over ours: it names this run's sink among the others. */
  g_autofree char *dsn = g_strdup_printf ("%s application_name=%s", pg->dsn, pg->schema);
  g_autoptr (GError) error = NULL;
  FdSink *sink = fd_sink_postgres_new ("int-test", dsn, &error);
  g_autoptr (FdOutboxBatch) one = tricky_batch ("int-test-1", "dev-a", 1700000000000);
  g_autoptr (FdOutboxBatch) two = tricky_batch ("int-test-2", "dev-a", 1700000100000);
  const char *kill = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                     "application_name = $1";
  FdSinkResult result;

  g_assert_no_error (error);
  deliver (sink, one, NULL, &result);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  g_assert_cmpint (fd_test_pg_count (pg, kill, pg->schema, NULL), ==, 1);
  g_usleep (100 * 1000);
  deliver (sink, two, NULL, &result);
  g_assert_cmpstr (result.error, ==, NULL);
  g_assert_cmpint (result.outcome, ==, FD_SINK_DELIVERED);
  assert_tricky_rows (pg, "int-test-2", "dev-a", 1700000100000);
  /* Freeing a sink whose connection the server closed is fine too. */
  g_assert_cmpint (fd_test_pg_count (pg, kill, pg->schema, NULL), ==, 1);
  sink_free (sink);
}

typedef struct
{
  FdSink *sink;
  FdOutboxBatch *batch;
  GCancellable *cancellable;
  FdSinkResult result;
} DeliverJob;

static gpointer
deliver_thread (gpointer data)
{
  DeliverJob *job = data;

  deliver (job->sink, job->batch, job->cancellable, &job->result);
  return NULL;
}

/* Delivers @batch in a thread while another session holds @table locked, and cancels
 * @cancellable half a second on: the delivery ends within 3 s, RETRY "cancelled". The lock is
 * let go after. */
static void
cancel_while_locked (FdTestPg *pg, DeliverJob *job, FdOutboxBatch *batch, GCancellable *cancellable,
                     const char *table)
{
  g_autofree char *lock = g_strdup_printf ("LOCK TABLE %s IN ACCESS EXCLUSIVE MODE", table);
  GThread *thread;
  gint64 start;

  PQclear (fd_test_pg_query (pg, "BEGIN", NULL, 0));
  PQclear (fd_test_pg_query (pg, lock, NULL, 0));
  job->batch = batch;
  job->cancellable = cancellable;
  thread = g_thread_new ("deliver", deliver_thread, job);
  g_usleep (500 * 1000);
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_test_message ("cancelled: %s", job->result.error);
  g_assert_cmpint (job->result.outcome, ==, FD_SINK_RETRY);
  g_assert_cmpstr (job->result.error, ==, "cancelled");
  result_clear (&job->result);
  PQclear (fd_test_pg_query (pg, "ROLLBACK", NULL, 0));
}

/* A batch waiting on a lock is stopped by its cancellable (shutdown, pause): RETRY, soon, and
 * nothing written. */
static void
test_cancel (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  g_autoptr (FdOutboxBatch) batch = tricky_batch ("int-test-1", "dev-a", 1700000000000);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  DeliverJob job = { .sink = sink_new (pg) };

  g_assert_true (fd_sink_postgres_check (pg->dsn, &error));
  cancel_while_locked (pg, &job, batch, cancellable, "fleetdesk_batches");
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_readings", NULL), ==, 0);
  g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_batches", NULL), ==, 0);

  /* The same on a connection made before: a COPY waiting for the readings table. */
  {
    g_autoptr (GCancellable) again = g_cancellable_new ();
    g_autoptr (FdOutboxBatch) other = tricky_batch ("int-test-2", "dev-a", 1700000100000);

    deliver (job.sink, batch, NULL, &job.result);
    g_assert_cmpint (job.result.outcome, ==, FD_SINK_DELIVERED);
    cancel_while_locked (pg, &job, other, again, "fleetdesk_readings");
    g_assert_cmpint (fd_test_pg_count (pg, "SELECT count(*) FROM fleetdesk_batches", NULL), ==, 1);
  }

  /* Cancelled before it starts: not even a connection. */
  deliver (job.sink, batch, cancellable, &job.result);
  g_assert_cmpint (job.result.outcome, ==, FD_SINK_RETRY);
  g_assert_cmpstr (job.result.error, ==, "cancelled");
  result_clear (&job.result);
  sink_free (job.sink);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pg-sink/data", test_data);
  g_test_add_func ("/pg-sink/conditions", test_conditions);
  g_test_add_func ("/pg-sink/events", test_events);
  g_test_add_func ("/pg-sink/rejected", test_rejected);
  g_test_add_func ("/pg-sink/unreachable", test_unreachable);
  g_test_add_func ("/pg-sink/display", test_display);
  g_test_add_func ("/pg-sink/reconnect", test_reconnect);
  g_test_add_func ("/pg-sink/cancel", test_cancel);
  return g_test_run ();
}
