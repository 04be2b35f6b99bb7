/* test-exports-big.c — exports of a big store (samples seeded straight into the database):
 * progress while running and cancel, a server killed (-9) in the middle of an export, and a
 * workspace deleted under one. The servers throttle exports (--export-max-rows-per-second) so
 * that an export of BIG_ROWS lasts BIG_ROWS / RATE seconds however fast the machine: the
 * running state is there to be seen. */
#include "fd-test-exports.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#define BIG_ROWS 200000
#define RATE 50000 /* rows per second: 4 s for BIG_ROWS */
#define RATE_TEXT "50000"
/* Rows the worker writes between looks at the throttle (CHECK_EVERY of fd-export-run.c). */
#define CHECK_EVERY 1024

static const char *const throttled[] = { "--export-max-rows-per-second", RATE_TEXT, NULL };

/* Files of DATA/exports whose name starts with @id. */
static guint
count_files (FdTestServer *srv, const char *id)
{
  g_autofree char *dir_path = g_build_filename (srv->data_dir, "exports", NULL);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, id))
      n++;
  return n;
}

/* Polls the export until it is running with rows written and progress reported twice. The export
 * was asked for at @asked_us (monotonic): by the throttle it cannot have more rows than RATE
 * per second since then, plus one check's worth. */
static JsonNode *
wait_running (FdTestServer *srv, const char *id, gint64 asked_us)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/exports/%s", id);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (;;)
    {
      JsonNode *node = fd_test_api_expect (srv, "GET", path, NULL, 200);
      double progress = json_object_get_double_member (json_node_get_object (node), "progress");
      gint64 elapsed = g_get_monotonic_time () - asked_us;

      g_assert_cmpstr (fd_test_str (node, "state"), !=, "done");
      g_assert_cmpstr (fd_test_str (node, "state"), !=, "failed");
      g_assert_cmpint (fd_test_int (node, "rows"), <=,
                       RATE * elapsed / G_USEC_PER_SEC + 2 * CHECK_EVERY);
      /* Past the first progress write (at the first check): a second one, ~0.5 s later, that
       * the throttle bounds. */
      if (g_str_equal (fd_test_str (node, "state"), "running")
          && fd_test_int (node, "rows") > CHECK_EVERY && progress > 0)
        return node;
      json_node_unref (node);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
}

/* Starts an export of @body and waits until it is seen running. */
static char *
start_running (FdTestServer *srv, const char *workspace, const char *body, JsonNode **running)
{
  gint64 asked = g_get_monotonic_time ();
  char *id = fd_tx_start (srv, workspace, body);

  *running = wait_running (srv, id, asked);
  return id;
}

/* A throttled export is seen running: progress between 0 and 1, rows and bytes written;
 * cancel answers canceled and leaves no file. A whole export of the same store then holds
 * every row. */
static void
test_progress_cancel (void)
{
  FdTdServer *s = fd_td_server_start (throttled);
  FdTestServer *srv = s->srv;
  g_autofree char *body = NULL, *id = NULL, *cancel = NULL, *all = NULL;
  g_autoptr (JsonNode) running = NULL, canceled = NULL, done = NULL;
  double progress;

  fd_tx_seed_samples (srv, s->workspace, "dev-bigbigbigbigbigbigbi", "big", BIG_ROWS,
                      1764000000000);
  body = g_strdup ("{\"format\":\"json\",\"columns\":\"fields\"}");
  id = start_running (srv, s->workspace, body, &running);
  progress = json_object_get_double_member (json_node_get_object (running), "progress");
  g_assert_cmpfloat (progress, >, 0);
  g_assert_cmpfloat (progress, <, 1);
  g_assert_cmpint (fd_test_int (running, "bytes"), >, 0);
  g_assert_cmpint (fd_test_int (running, "rows"), <, BIG_ROWS);

  cancel = g_strdup_printf ("/api/v1/exports/%s/cancel", id);
  canceled = fd_test_api_expect (srv, "POST", cancel, NULL, 200);
  g_assert_cmpstr (fd_test_str (canceled, "state"), ==, "canceled");
  g_assert_true (
      JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (canceled), "file_name")));
  g_assert_cmpuint (count_files (srv, id), ==, 0);

  all = fd_tx_start (srv, s->workspace, "{\"format\":\"csv\"}");
  done = fd_tx_wait (srv, all);
  g_assert_cmpstr (fd_test_str (done, "state"), ==, "done");
  g_assert_cmpint (fd_test_int (done, "rows"), ==, BIG_ROWS);
  g_assert_cmpuint (count_files (srv, all), ==, 1);
  fd_td_server_stop (s);
}

/* kill -9 during an export: no file under the final name; after the restart the export is
 * failed ("interrupted by a server restart") and its .part is gone. Then a clean stop during
 * another. */
static void
test_crash (void)
{
  FdTdServer *s = fd_td_server_start (throttled);
  FdTestServer *srv = s->srv;
  g_autofree char *id = NULL, *path = NULL, *final = NULL, *part = NULL;
  g_autoptr (JsonNode) running = NULL, after = NULL;
  int wstatus;

  fd_tx_seed_samples (srv, s->workspace, "dev-crashcrashcrashcras", "crash", BIG_ROWS,
                      1764000000000);
  id = start_running (srv, s->workspace, "{\"format\":\"json\",\"columns\":\"fields\"}", &running);
  {
    g_autofree char *name = g_strconcat (id, ".json", NULL);
    g_autofree char *part_name = g_strconcat (id, ".json.part", NULL);
    final = g_build_filename (srv->data_dir, "exports", name, NULL);
    part = g_build_filename (srv->data_dir, "exports", part_name, NULL);
  }
  g_assert_true (g_file_test (part, G_FILE_TEST_EXISTS));

  wstatus = fd_test_server_kill (srv, SIGKILL);
  g_assert_true (WIFSIGNALED (wstatus));
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));

  fd_test_server_restart_with_args (srv, throttled);
  path = g_strdup_printf ("/api/v1/exports/%s", id);
  after = fd_test_api_expect (srv, "GET", path, NULL, 200);
  g_assert_cmpstr (fd_test_str (after, "state"), ==, "failed");
  g_assert_cmpstr (fd_test_str (after, "error"), ==, "interrupted by a server restart");
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (final, G_FILE_TEST_EXISTS));

  /* A clean stop (SIGTERM) during an export exits cleanly (fd_test_server_restart asserts it):
   * the export is failed, its .part removed. */
  {
    g_autoptr (JsonNode) second_running = NULL;
    g_autofree char *second = start_running (
        srv, s->workspace, "{\"format\":\"json\",\"columns\":\"fields\"}", &second_running);
    g_autofree char *second_path = g_strdup_printf ("/api/v1/exports/%s", second);
    g_autoptr (JsonNode) stopped = NULL;

    fd_test_server_restart_with_args (srv, throttled);
    stopped = fd_test_api_expect (srv, "GET", second_path, NULL, 200);
    g_assert_cmpstr (fd_test_str (stopped, "state"), ==, "failed");
    g_assert_cmpstr (fd_test_str (stopped, "error"), ==, "interrupted by a server shutdown");
    g_assert_cmpuint (count_files (srv, second), ==, 0);
  }
  fd_td_server_stop (s);
}

/* A small selection of a big store is read through sample_ts (compacted at every commit here)
 * plus the tail: exactly its rows of the range, in arrival order. */
static void
test_small_selection (void)
{
  FdTdServer *s = fd_td_server_start (
      (const char *const[]){ "--compact-rows", "1", "--compact-points", "1", NULL });
  FdTestServer *srv = s->srv;
  g_autoptr (FdTdDevice) d = fd_td_cert_device (s, "small");
  g_autoptr (FdTdRaw) raw = NULL;
  g_autoptr (GString) batch = g_string_new ("[");
  g_autofree char *body = NULL, *id = NULL;
  g_autoptr (JsonNode) done = NULL;
  gint64 t0 = 1764500000000;

  fd_tx_seed_samples (srv, s->workspace, "dev-bulkbulkbulkbulkbulkb", "small", BIG_ROWS, t0);
  /* Device times out of arrival order: 9, 8, … 0 seconds after t0. */
  for (guint i = 0; i < 10; i++)
    g_string_append_printf (batch, "%s{\"ts\":%" G_GINT64_FORMAT ",\"payload\":{\"k\":%u}}",
                            i ? "," : "", t0 + (gint64)(9 - i) * 1000, i);
  g_string_append_c (batch, ']');
  raw = fd_te_device_connect (s, d);
  fd_te_post_data (raw, "small", batch->str);
  fd_te_post_data (raw, "small", "[{\"ts\":1764500002500,\"payload\":{\"k\":10}}]");

  /* Every sample but the last commit's is in sample_ts now: the index has rows to give. */
  {
    g_autofree char *db_path = g_build_filename (srv->data_dir, "fleetdesk.db", NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db,
                                         "SELECT value FROM data_state"
                                         " WHERE key = 'sample_indexed'",
                                         -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int64 (stmt, 0), >=, BIG_ROWS);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  body = g_strdup_printf ("{\"format\":\"ndjson\",\"devices\":[\"%s\"],\"start\":%" G_GINT64_FORMAT
                          ",\"end\":%" G_GINT64_FORMAT "}",
                          d->id, t0 + 2000, t0 + 7000);
  id = fd_tx_start (srv, s->workspace, body);
  done = fd_tx_wait (srv, id);
  g_assert_cmpstr (fd_test_str (done, "state"), ==, "done");
  {
    g_autofree char *content_type = NULL;
    guint status = 0;
    g_autoptr (GBytes) bytes = fd_tx_download (srv, id, &content_type, &status);
    g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    /* k 3..7 have device times 6..2 s (in range), then k 10 at 2.5 s. */
    const int expected[] = { 3, 4, 5, 6, 7, 10 };

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected) + 1);
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        g_autoptr (JsonNode) row = json_from_string (lines[i], NULL);
        JsonObject *payload = json_object_get_object_member (json_node_get_object (row), "payload");
        g_assert_cmpint (json_object_get_int_member (payload, "k"), ==, expected[i]);
      }
  }
  fd_td_server_stop (s);
}

/* A workspace deleted while one of its exports runs: the export is canceled and its .part
 * removed; the file of a finished export of the workspace goes too (its row went with the
 * workspace). Another workspace's export is untouched. */
static void
test_workspace_deleted (void)
{
  FdTdServer *s = fd_td_server_start (throttled);
  FdTestServer *srv = s->srv;
  g_autofree char *other_ws = NULL;
  g_autoptr (JsonNode) running = NULL, done = NULL, other_done = NULL;
  g_autofree char *finished = NULL, *id = NULL, *other = NULL, *ws_path = NULL, *get = NULL;
  g_autofree char *other_get = NULL, *part = NULL;
  gint64 deadline;

  fd_tx_seed_samples (srv, s->workspace, "dev-gonegonegonegonegone", "gone", BIG_ROWS,
                      1764000000000);
  other_ws = fd_test_make_workspace (srv, "kept");
  fd_tx_seed_samples (srv, other_ws, "dev-keptkeptkeptkeptkept", "kept", 100, 1764000000000);
  other = fd_tx_start (srv, other_ws, "{\"format\":\"csv\"}");
  other_done = fd_tx_wait (srv, other);
  g_assert_cmpstr (fd_test_str (other_done, "state"), ==, "done");
  finished = fd_tx_start (srv, s->workspace, "{\"format\":\"csv\",\"end\":1764000001000}");
  done = fd_tx_wait (srv, finished);
  g_assert_cmpstr (fd_test_str (done, "state"), ==, "done");
  g_assert_cmpuint (count_files (srv, finished), ==, 1);

  id = start_running (srv, s->workspace, "{\"format\":\"csv\"}", &running);
  {
    g_autofree char *name = g_strconcat (id, ".csv.part", NULL);
    part = g_build_filename (srv->data_dir, "exports", name, NULL);
  }
  g_assert_true (g_file_test (part, G_FILE_TEST_EXISTS));

  ws_path = g_strdup_printf ("/api/v1/workspaces/%s?force=true", s->workspace);
  fd_test_api_expect (srv, "DELETE", ws_path, NULL, 204);
  get = g_strdup_printf ("/api/v1/exports/%s", id);
  json_node_unref (fd_test_api_expect (srv, "GET", get, NULL, 404));
  g_assert_cmpuint (count_files (srv, finished), ==, 0);
  /* The worker sees the cancel within a throttle slice and ends; nothing of it is left. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (count_files (srv, id) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
  /* A clean restart waits for every worker: still nothing, and the other workspace's file. */
  fd_test_server_restart_with_args (srv, throttled);
  g_assert_cmpuint (count_files (srv, id), ==, 0);
  g_assert_cmpuint (count_files (srv, finished), ==, 0);
  g_assert_cmpuint (count_files (srv, other), ==, 1);
  other_get = g_strdup_printf ("/api/v1/exports/%s", other);
  json_node_unref (fd_test_api_expect (srv, "GET", other_get, NULL, 200));
  fd_td_server_stop (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/exports-big/progress-cancel", test_progress_cancel);
  g_test_add_func ("/exports-big/crash", test_crash);
  g_test_add_func ("/exports-big/small-selection", test_small_selection);
  g_test_add_func ("/exports-big/workspace-deleted", test_workspace_deleted);
  return g_test_run ();
}
