/* test-retention.c — retention end to end: per-workspace settings (API and CLI), a pass through
 * POST /server/retention over readings posted to the HTTPS device endpoint with device times
 * spread over 40 days, what is left in the store (samples, sample_ts, point blocks, rollups),
 * the tags API afterwards, the database sizes of GET /server, and incremental auto_vacuum for
 * new and converted databases. */
#include "fd-test-cli.h"
#include "fd-test-device.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#define DAY_MS G_GINT64_CONSTANT (86400000)
#define HOUR_MS G_GINT64_CONSTANT (3600000)
/* One reading every two hours over 40 days, the newest an hour before the test starts: with a
 * 7-day retention, readings 0..83 (device time within the last 7 days) stay, 84..479 go,
 * whatever the few seconds between now and the pass. */
#define READINGS 480
#define KEPT 84
/* With a 30-day rollup retention, the rollups of readings 360..479 go (an hour bucket each:
 * two hours apart, no two share one; there are no minute rollups). */
#define ROLLUPS_GONE 120
#define BATCH 60

static FdTdServer *server;

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static gint64
reading_ts (gint64 t0, guint i)
{
  return t0 - HOUR_MS - (gint64)i * 2 * HOUR_MS;
}

static sqlite3 *
open_db (FdTdServer *s)
{
  g_autofree char *path = g_build_filename (s->srv->data_dir, "fleetdesk.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  return db;
}

/* The single integer @sql answers, with ?1 bound to @text (may be NULL) and ?2 to @number. */
static gint64
db_int (FdTdServer *s, const char *sql, const char *text, gint64 number)
{
  sqlite3 *db = open_db (s);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, number);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Point pairs of the workspace's series in point_block: how many, and how many older than
 * @cutoff, decoded from the blobs; each block's n, t_first and t_last are checked against its
 * pairs. */
static void
count_pairs (FdTdServer *s, const char *workspace, gint64 cutoff, gint64 *pairs, gint64 *older)
{
  sqlite3 *db = open_db (s);
  sqlite3_stmt *stmt = NULL;

  *pairs = *older = 0;
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT b.t_first, b.t_last, b.n, b.data FROM point_block b"
                                       " JOIN series se ON se.id = b.series"
                                       " JOIN stream st ON st.id = se.stream"
                                       " WHERE st.workspace_id = ?1",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, workspace, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const guint8 *data = sqlite3_column_blob (stmt, 3);
      gsize len = (gsize)sqlite3_column_bytes (stmt, 3);
      gint64 lo = G_MAXINT64, hi = G_MININT64, n = 0;

      g_assert_cmpuint (len, >=, 1);
      g_assert_cmpuint (data[0], ==, 1);
      g_assert_cmpuint ((len - 1) % 16, ==, 0);
      for (gsize off = 1; off < len; off += 16)
        {
          guint64 raw;
          gint64 ts;

          memcpy (&raw, data + off, 8);
          ts = (gint64)GUINT64_FROM_LE (raw);
          lo = MIN (lo, ts);
          hi = MAX (hi, ts);
          n++;
          if (ts < cutoff)
            (*older)++;
        }
      g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, lo);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, hi);
      g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, n);
      *pairs += n;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
post (FdTdRaw *r, const char *tag, const char *body)
{
  g_autofree char *path = g_strdup_printf ("/v1/data/%s", tag);
  g_autofree char *request = fd_td_request ("POST", path, NULL, body);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (r, request);
  g_assert_true (fd_td_raw_response (r, &resp));
  if (resp.status != 202)
    g_error ("POST %s: %u %s", path, resp.status, resp.body);
}

/* Posts readings @first..@last (inclusive, in that order) as batches. */
static void
post_readings (FdTdRaw *r, gint64 t0, guint first, guint last)
{
  g_autofree char *note = g_strnfill (100, 'n');

  for (guint i = first; i <= last;)
    {
      g_autoptr (GString) batch = g_string_new ("[");

      for (guint k = 0; k < BATCH && i <= last; k++, i++)
        g_string_append_printf (batch,
                                "%s{\"ts\": %" G_GINT64_FORMAT
                                ", \"payload\": {\"temp\": %u, \"note\": \"%s\"}}",
                                k ? "," : "", reading_ts (t0, i), i, note);
      g_string_append_c (batch, ']');
      post (r, "env", batch->str);
    }
}

static JsonNode *
server_database (FdTdServer *s)
{
  g_autoptr (JsonNode) info = fd_test_api_expect (s->srv, "GET", "/api/v1/server", NULL, 200);
  JsonObject *db = json_object_get_object_member (json_node_get_object (info), "database");

  return json_node_init_object (json_node_alloc (), db);
}

static void
test_retention_pass (void)
{
  FdTdServer *s = server;
  gint64 t0 = now_ms ();
  g_autofree char *keep_ws = fd_test_make_workspace (s->srv, "kept-for-ever");
  g_autofree char *retained_ws = g_strdup (s->workspace);
  g_autoptr (FdTdDevice) a = fd_td_cert_device (s, "retained-device");
  g_autoptr (FdTdDevice) b = NULL;
  g_autoptr (FdTdRaw) ra = NULL, rb = NULL;
  g_autoptr (JsonNode) ws = NULL, result = NULL, before = NULL, after = NULL, tags = NULL;
  g_autofree char *patch = g_strdup_printf ("/api/v1/workspaces/%s", retained_ws);
  g_autofree char *tags_path = g_strdup_printf ("/api/v1/devices/%s/tags", a->id);
  g_autofree char *ws_tags_path = g_strdup_printf ("/api/v1/workspaces/%s/tags", retained_ws);
  const char *in_ws = "SELECT count(*) FROM sample x JOIN stream st ON st.id = x.stream"
                      " WHERE st.workspace_id = ?1 AND x.ts_device < ?2";
  const char *ts_in_ws = "SELECT count(*) FROM sample_ts x JOIN stream st ON st.id = x.stream"
                         " WHERE st.workspace_id = ?1 AND x.ts_device < ?2";
  const char *rollups_before
      = "SELECT count(*) FROM rollup_1h r JOIN series se ON se.id = r.series"
        " JOIN stream st ON st.id = se.stream WHERE st.workspace_id = ?1 AND r.bucket < ?2";
  gint64 cutoff, pairs, older;

  g_free (s->workspace);
  s->workspace = g_strdup (keep_ws);
  b = fd_td_cert_device (s, "kept-device");
  g_free (s->workspace);
  s->workspace = g_strdup (retained_ws);

  ws = fd_test_api_expect (s->srv, "PATCH", patch,
                           "{\"retention_days\": 7, \"rollup_retention_days\": 30}", 200);
  g_assert_cmpint (fd_test_int (ws, "retention_days"), ==, 7);
  g_assert_cmpint (fd_test_int (ws, "rollup_retention_days"), ==, 30);

  ra = fd_td_raw_open (s, a, NULL);
  rb = fd_td_raw_open (s, b, NULL);
  g_assert_nonnull (ra);
  g_assert_nonnull (rb);
  /* The server compacts after every commit (--compact-rows=1): a block per batch of BATCH
   * readings. The oldest half first (blocks all older than the cutoff: deleted whole); then
   * the rest, newest first, so that one block straddles the cutoff (rewritten) and the
   * stream's latest sample (the highest id, which the tags API shows) is an old one:
   * retention must find the newest one left. */
  post_readings (ra, t0, READINGS / 2, READINGS - 1);
  post_readings (rb, t0, READINGS / 2, READINGS - 1);
  post_readings (ra, t0, 0, READINGS / 2 - 1);
  post_readings (rb, t0, 0, READINGS / 2 - 1);

  g_assert_cmpint (db_int (s, in_ws, retained_ws, G_MAXINT64), ==, READINGS);
  g_assert_cmpint (db_int (s, "SELECT value FROM data_state WHERE key = 'sample_indexed'", NULL, 0),
                   >=,
                   db_int (s,
                           "SELECT max (x.id) FROM sample x JOIN stream st ON st.id = x.stream"
                           " WHERE st.workspace_id = ?1",
                           retained_ws, 0));
  count_pairs (s, retained_ws, 0, &pairs, &older);
  g_assert_cmpint (pairs, ==, READINGS);
  /* Compaction wrote an hour rollup per reading. */
  g_assert_cmpint (db_int (s, rollups_before, retained_ws, G_MAXINT64), ==, READINGS);
  g_assert_cmpint (db_int (s, rollups_before, keep_ws, G_MAXINT64), ==, READINGS);

  before = server_database (s);
  g_assert_cmpstr (fd_test_str (before, "path"), ==,
                   g_build_filename (s->srv->data_dir, "fleetdesk.db", NULL));
  g_assert_cmpint (fd_test_int (before, "size_bytes"), >, 0);
  g_assert_cmpint (fd_test_int (before, "wal_bytes"), >=, 0);

  result = fd_test_api_expect (s->srv, "POST", "/api/v1/server/retention", NULL, 200);
  cutoff = now_ms () - 7 * DAY_MS;
  g_assert_cmpint (fd_test_int (result, "samples_deleted"), ==, READINGS - KEPT);
  g_assert_cmpint (fd_test_int (result, "points_deleted"), ==, READINGS - KEPT);
  g_assert_cmpint (fd_test_int (result, "rollups_deleted"), ==, ROLLUPS_GONE);

  /* Exactly the old readings of the retained workspace are gone. */
  g_assert_cmpint (db_int (s, in_ws, retained_ws, cutoff), ==, 0);
  g_assert_cmpint (db_int (s, in_ws, retained_ws, G_MAXINT64), ==, KEPT);
  g_assert_cmpint (db_int (s, ts_in_ws, retained_ws, G_MAXINT64), ==, KEPT);
  count_pairs (s, retained_ws, cutoff, &pairs, &older);
  g_assert_cmpint (pairs, ==, KEPT);
  g_assert_cmpint (older, ==, 0);
  /* Everything of the other workspace stays. */
  g_assert_cmpint (db_int (s, in_ws, keep_ws, cutoff), ==, READINGS - KEPT);
  count_pairs (s, keep_ws, cutoff, &pairs, &older);
  g_assert_cmpint (older, ==, READINGS - KEPT);
  /* Rollups: the retained workspace's older than 30 days are gone, the rest stays (also
   * where its raw points are gone); the other workspace keeps all of them. */
  g_assert_cmpint (db_int (s, rollups_before, retained_ws, now_ms () - 30 * DAY_MS), ==, 0);
  g_assert_cmpint (db_int (s, rollups_before, retained_ws, G_MAXINT64), ==,
                   READINGS - ROLLUPS_GONE);
  g_assert_cmpint (db_int (s, rollups_before, retained_ws, cutoff - HOUR_MS), ==,
                   (READINGS - KEPT) - ROLLUPS_GONE);
  g_assert_cmpint (db_int (s, rollups_before, keep_ws, G_MAXINT64), ==, READINGS);

  /* The tags API counts what is left and shows the newest reading left. */
  tags = fd_test_api_expect (s->srv, "GET", tags_path, NULL, 200);
  {
    JsonObject *item = json_array_get_object_element (
        json_object_get_array_member (json_node_get_object (tags), "items"), 0);
    JsonObject *last = json_object_get_object_member (item, "last");
    g_autoptr (GDateTime) when = g_date_time_new_from_iso8601 (
        json_object_get_string_member (last, "timestamp_device"), NULL);

    g_assert_cmpstr (json_object_get_string_member (item, "tag"), ==, "env");
    g_assert_cmpint (json_object_get_int_member (item, "readings"), ==, KEPT);
    g_assert_cmpint (g_date_time_to_unix (when) * 1000 + g_date_time_get_microsecond (when) / 1000,
                     ==, reading_ts (t0, KEPT - 1));
  }
  g_clear_pointer (&tags, json_node_unref);
  tags = fd_test_api_expect (s->srv, "GET", ws_tags_path, NULL, 200);
  g_assert_cmpint (json_object_get_int_member (
                       json_array_get_object_element (
                           json_object_get_array_member (json_node_get_object (tags), "items"), 0),
                       "readings"),
                   ==, KEPT);

  /* The freed pages went back to the file system. */
  after = server_database (s);
  g_assert_cmpint (fd_test_int (after, "free_bytes"), ==, 0);
  g_assert_cmpint (fd_test_int (after, "size_bytes"), <, fd_test_int (before, "size_bytes"));

  /* A second pass finds nothing more. */
  g_clear_pointer (&result, json_node_unref);
  result = fd_test_api_expect (s->srv, "POST", "/api/v1/server/retention", NULL, 200);
  g_assert_cmpint (fd_test_int (result, "samples_deleted"), ==, 0);
  g_assert_cmpint (fd_test_int (result, "points_deleted"), ==, 0);
  g_assert_cmpint (fd_test_int (result, "rollups_deleted"), ==, 0);

  /* The pass is in the audit log. */
  {
    g_autoptr (JsonNode) audit
        = fd_test_api_expect (s->srv, "GET", "/api/v1/audit?action=server.retention", NULL, 200);
    g_assert_cmpint (fd_test_int (audit, "total"), ==, 2);
  }
}

typedef struct
{
  guint status;
  gboolean done;
  JsonNode *body;
} AsyncReply;

static void
retention_replied (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncReply *reply = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  reply->status = soup_message_get_status (msg);
  if (body != NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      reply->body = json_from_string (text, NULL);
    }
  reply->done = TRUE;
}

/* Devices keep posting while a pass runs: nothing of theirs is refused or waits for it. Two
 * passes asked for at once both answer, one after the other: what the first deleted, the
 * second finds gone. */
static void
test_ingest_during_pass (void)
{
  FdTdServer *s = server;
  g_autoptr (FdTdDevice) d = fd_td_cert_device (s, "busy-device");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (s, d, NULL);
  g_autofree char *url = g_strdup_printf ("%s/api/v1/server/retention", s->srv->url);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", s->srv->token);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (SoupMessage) msg2 = soup_message_new ("POST", url);
  AsyncReply reply = { 0 }, reply2 = { 0 };
  guint posted = 0;

  g_assert_nonnull (r);
  /* Old readings for the pass to delete while this device posts. */
  post_readings (r, now_ms (), READINGS / 2, READINGS - 1);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg2), "Authorization", auth);
  soup_session_send_and_read_async (s->srv->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    retention_replied, &reply);
  soup_session_send_and_read_async (s->srv->session, msg2, G_PRIORITY_DEFAULT, NULL,
                                    retention_replied, &reply2);
  while (!reply.done || !reply2.done || posted < 50)
    {
      post (r, "live", "{\"v\": 1}");
      posted++;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (posted, <, 100000);
    }
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpuint (reply2.status, ==, 200);
  /* They did delete while the device posted: the busy device's old readings. */
  g_assert_nonnull (reply.body);
  g_assert_nonnull (reply2.body);
  g_assert_cmpint (fd_test_int (reply.body, "points_deleted")
                       + fd_test_int (reply2.body, "points_deleted"),
                   ==, READINGS / 2);
  g_assert_cmpint (fd_test_int (reply.body, "samples_deleted")
                       + fd_test_int (reply2.body, "samples_deleted"),
                   ==, READINGS / 2);
  g_assert_cmpint (fd_test_int (reply.body, "rollups_deleted")
                       + fd_test_int (reply2.body, "rollups_deleted"),
                   ==, ROLLUPS_GONE);
  g_assert_true (fd_test_int (reply.body, "samples_deleted") == 0
                 || fd_test_int (reply2.body, "samples_deleted") == 0);
  json_node_unref (reply.body);
  json_node_unref (reply2.body);
}

/* Readings that arrived after the last compaction (the tail, not yet in sample_ts) are left
 * for the next pass, however old their device time: they are found once indexed. */
static void
test_tail_left_for_next_pass (void)
{
  /* Its own server, which indexes samples once 50 wait: a batch of 2 stays in the tail. */
  FdTdServer *s = fd_td_server_start (
      (const char *const[]){ "--device-rate=0", "--compact-rows=1", "--compact-points=50", NULL });
  g_autoptr (FdTdDevice) d = fd_td_cert_device (s, "tail-device");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (s, d, NULL);
  g_autoptr (JsonNode) first = NULL, second = NULL;
  g_autofree char *old
      = g_strdup_printf ("[{\"ts\": %" G_GINT64_FORMAT ", \"payload\": {\"s\": \"a\"}},"
                         " {\"ts\": %" G_GINT64_FORMAT ", \"payload\": {\"s\": \"b\"}}]",
                         now_ms () - 20 * DAY_MS, now_ms () - 21 * DAY_MS);
  const char *of_device = "SELECT count(*) FROM sample x JOIN stream st ON st.id = x.stream"
                          " WHERE st.device_id = ?1";
  const char *tail = "SELECT count(*) FROM sample x JOIN stream st ON st.id = x.stream"
                     " WHERE st.device_id = ?1"
                     " AND x.id > (SELECT value FROM data_state WHERE key = 'sample_indexed')";

  g_autofree char *patch = g_strdup_printf ("/api/v1/workspaces/%s", s->workspace);
  g_autoptr (JsonNode) ws
      = fd_test_api_expect (s->srv, "PATCH", patch, "{\"retention_days\": 7}", 200);

  g_assert_nonnull (r);
  post (r, "text", old);
  g_assert_cmpint (db_int (s, tail, d->id, 0), ==, 2);

  first = fd_test_api_expect (s->srv, "POST", "/api/v1/server/retention", NULL, 200);
  g_assert_cmpint (fd_test_int (first, "samples_deleted"), ==, 0);
  g_assert_cmpint (db_int (s, of_device, d->id, 0), ==, 2);

  /* 50 new readings reach the threshold, which indexes the tail. */
  post_readings (r, now_ms () - 3600 * 1000, 0, 49);
  g_assert_cmpint (db_int (s, tail, d->id, 0), ==, 0);
  second = fd_test_api_expect (s->srv, "POST", "/api/v1/server/retention", NULL, 200);
  g_assert_cmpint (fd_test_int (second, "samples_deleted"), ==, 2);
  g_assert_cmpint (db_int (s, of_device, d->id, 0), ==, 50);
  g_clear_pointer (&r, fd_td_raw_free);
  fd_td_server_stop (s);
}

static void
test_patch_validation (void)
{
  FdTestServer *srv = server->srv;
  g_autofree char *ws = fd_test_make_workspace (srv, "validation");
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s", ws);
  const struct
  {
    const char *body;
    const char *field;
  } bad[] = {
    { "{\"retention_days\": 0}", "retention_days" },
    { "{\"retention_days\": 36501}", "retention_days" },
    { "{\"retention_days\": -3}", "retention_days" },
    { "{\"retention_days\": 1.5}", "retention_days" },
    { "{\"retention_days\": \"7\"}", "retention_days" },
    { "{\"retention_days\": true}", "retention_days" },
    { "{\"rollup_retention_days\": []}", "rollup_retention_days" },
    /* rollups kept shorter than raw data, or raw data for ever but not rollups */
    { "{\"rollup_retention_days\": 30}", "rollup_retention_days" },
    { "{\"retention_days\": 30, \"rollup_retention_days\": 7}", "rollup_retention_days" },
    { "{\"retention_dayz\": 7}", "retention_dayz" },
  };
  g_autoptr (JsonNode) ok = NULL, got = NULL, again = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint status = 0;
      g_autoptr (JsonNode) error = fd_test_api (srv, "PATCH", path, bad[i].body, &status);
      JsonObject *e = json_object_get_object_member (json_node_get_object (error), "error");

      g_test_message ("%s", bad[i].body);
      g_assert_cmpuint (status, ==, 400);
      g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, "invalid_field");
      g_assert_cmpstr (json_object_get_string_member (e, "field"), ==, bad[i].field);
    }
  /* Nothing of the refused changes was stored. */
  got = fd_test_api_expect (srv, "GET", path, NULL, 200);
  g_assert_true (json_object_get_null_member (json_node_get_object (got), "retention_days"));
  g_assert_true (json_object_get_null_member (json_node_get_object (got), "rollup_retention_days"));

  ok = fd_test_api_expect (srv, "PATCH", path,
                           "{\"retention_days\": 36500, \"rollup_retention_days\": 36500}", 200);
  g_assert_cmpint (fd_test_int (ok, "retention_days"), ==, 36500);
  /* Raising raw retention above the stored rollup retention is refused too. */
  g_clear_pointer (&ok, json_node_unref);
  ok = fd_test_api_expect (srv, "PATCH", path, "{\"rollup_retention_days\": null}", 200);
  g_assert_true (json_object_get_null_member (json_node_get_object (ok), "rollup_retention_days"));
  g_clear_pointer (&ok, json_node_unref);
  ok = fd_test_api_expect (srv, "PATCH", path,
                           "{\"retention_days\": 10, \"rollup_retention_days\": 20}", 200);
  {
    guint status = 0;
    g_autoptr (JsonNode) error
        = fd_test_api (srv, "PATCH", path, "{\"retention_days\": 21}", &status);
    g_assert_cmpuint (status, ==, 400);
  }
  g_clear_pointer (&ok, json_node_unref);
  ok = fd_test_api_expect (srv, "PATCH", path,
                           "{\"retention_days\": null, \"rollup_retention_days\": null}", 200);
  g_assert_true (json_object_get_null_member (json_node_get_object (ok), "retention_days"));
  /* A rename leaves the retention as it is. */
  g_clear_pointer (&ok, json_node_unref);
  ok = fd_test_api_expect (srv, "PATCH", path, "{\"retention_days\": 3}", 200);
  again = fd_test_api_expect (srv, "PATCH", path, "{\"name\": \"validation-2\"}", 200);
  g_assert_cmpint (fd_test_int (again, "retention_days"), ==, 3);
}

/* Runs fleetdesk-cli against the test's server with the NULL-terminated arguments. */
static FdTestCliResult *
cli (const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_auto (GStrv) env = g_get_environ ();
  va_list ap;

  /* --server and --token say everything: nothing else may steer it. */
  env = g_environ_unsetenv (env, "FLEETDESK_URL");
  env = g_environ_unsetenv (env, "FLEETDESK_TOKEN");
  env = g_environ_unsetenv (env, "LANGUAGE");
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);

  g_ptr_array_add (args, (char *)"--server");
  g_ptr_array_add (args, server->srv->url);
  g_ptr_array_add (args, (char *)"--token");
  g_ptr_array_add (args, server->srv->token);
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *)a);
  va_end (ap);
  return fd_test_cli_run_argv (env, args);
}

static void
test_cli_update (void)
{
  g_autofree char *ws = fd_test_make_workspace (server->srv, "cli-retention");
  g_autoptr (FdTestCliResult) set = NULL, shorter = NULL, zero = NULL, none = NULL, got = NULL;
  g_autoptr (JsonNode) node = NULL;

  set = cli ("workspace", "update", ws, "--retention-days", "14", "--rollup-retention-days", "400",
             NULL);
  fd_test_cli_assert_ok (set);
  g_assert_nonnull (strstr (set->out, "retention_days:        14\n"));
  g_assert_nonnull (strstr (set->out, "rollup_retention_days: 400\n"));

  shorter = cli ("workspace", "update", ws, "--rollup-retention-days", "7", NULL);
  fd_test_cli_assert_fails (shorter, "at least retention_days");

  zero = cli ("workspace", "update", ws, "--retention-days", "0", NULL);
  g_assert_cmpint (zero->status, ==, 2);
  g_assert_nonnull (strstr (zero->err, "--retention-days"));

  none = cli ("workspace", "update", ws, "--retention-days", "none", "--rollup-retention-days",
              "none", NULL);
  fd_test_cli_assert_ok (none);

  got = cli ("workspace", "get", ws, "--json", NULL);
  node = fd_test_cli_assert_json (got, NULL);
  g_assert_true (json_object_get_null_member (json_node_get_object (node), "retention_days"));
  g_assert_true (
      json_object_get_null_member (json_node_get_object (node), "rollup_retention_days"));
}

/* A database made before incremental vacuum became the default is converted once, when the
 * server opens it, and keeps everything in it; a new one is made with it. */
static void
test_auto_vacuum (void)
{
  FdTdServer *s = server;
  g_autofree char *ws = fd_test_make_workspace (s->srv, "survives-vacuum");
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s", ws);
  g_autoptr (JsonNode) got = NULL;
  sqlite3 *db;

  g_assert_cmpint (db_int (s, "PRAGMA auto_vacuum", NULL, 0), ==, 2);

  g_assert_cmpint (fd_test_server_kill (s->srv, SIGTERM), ==, 0);
  db = open_db (s);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA auto_vacuum = NONE; VACUUM", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
  g_assert_cmpint (db_int (s, "PRAGMA auto_vacuum", NULL, 0), ==, 0);

  fd_test_server_restart (s->srv);
  g_assert_cmpint (db_int (s, "PRAGMA auto_vacuum", NULL, 0), ==, 2);
  got = fd_test_api_expect (s->srv, "GET", path, NULL, 200);
  g_assert_cmpstr (fd_test_str (got, "name"), ==, "survives-vacuum");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  server = fd_td_server_start (
      (const char *const[]){ "--device-rate=0", "--compact-rows=1", "--compact-points=1", NULL });
  g_test_add_func ("/retention/pass", test_retention_pass);
  g_test_add_func ("/retention/ingest-during-pass", test_ingest_during_pass);
  g_test_add_func ("/retention/tail-left-for-next-pass", test_tail_left_for_next_pass);
  g_test_add_func ("/retention/patch-validation", test_patch_validation);
  g_test_add_func ("/retention/cli-update", test_cli_update);
  g_test_add_func ("/retention/auto-vacuum", test_auto_vacuum);
  status = g_test_run ();
  fd_td_server_stop (server);
  return status;
}
