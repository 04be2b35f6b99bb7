/* test-export-schedules.c — periodic exports against a real server whose clock the test moves
 * (fleetdesk-server --test-clock-offset-file): the run at the scheduled time with its file, a
 * run whose folder went away recorded with its error, one-off files deleted after 7 days (the
 * row kept), and the 400s of a bad schedule. */
#include "fd-test-exports.h"

#include <glib/gstdio.h>
#include <string.h>

static char *offset_path;

static void
set_offset (gint64 ms)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", ms);
  g_assert_true (g_file_set_contents (offset_path, text, -1, NULL));
}

static gint64
parse_time (const char *text)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);
  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
}

/* Polls the runs of @schedule until @n of them ended; returns the newest. */
static JsonNode *
wait_runs (FdTestServer *srv, const char *schedule, guint n)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/export-schedules/%s/runs", schedule);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (JsonNode) page = fd_test_api_expect (srv, "GET", path, NULL, 200);
      JsonArray *items = json_object_get_array_member (json_node_get_object (page), "items");
      guint ended = 0;

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          const char *state = fd_test_str (json_array_get_element (items, i), "state");
          if (!g_str_equal (state, "queued") && !g_str_equal (state, "running"))
            ended++;
        }
      if (ended >= n)
        return json_node_copy (json_array_get_element (items, 0));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

static void
expect_400 (FdTestServer *srv, const char *path, const char *method, const char *body,
            const char *field)
{
  g_autoptr (JsonNode) node = fd_test_api_expect (srv, method, path, body, 400);
  JsonObject *error = json_object_get_object_member (json_node_get_object (node), "error");
  g_assert_cmpstr (json_object_get_string_member_with_default (error, "field", ""), ==, field);
}

static void
test_periodic (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("fd-sched-XXXXXX", &error);
  g_autofree char *folder = g_build_filename (tmp, "out", NULL);
  g_autofree char *gone = g_build_filename (tmp, "out-moved", NULL);
  g_autofree char *a_file = g_build_filename (tmp, "a-file", NULL);
  FdTdServer *s;
  FdTestServer *srv;
  g_autoptr (FdTdDevice) d = NULL;
  g_autoptr (FdTdRaw) raw = NULL;
  g_autoptr (GString) batch = g_string_new ("[");
  g_autoptr (GDateTime) soon = NULL;
  g_autofree char *hhmm = NULL, *body = NULL, *list = NULL, *path = NULL, *one_off = NULL;
  g_autoptr (JsonNode) created = NULL, run = NULL, after = NULL, failed = NULL;
  gint64 now = g_get_real_time () / 1000, next_run, next2;

  g_assert_no_error (error);
  offset_path = g_build_filename (tmp, "clock-offset", NULL);
  set_offset (0);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (a_file, "x", -1, NULL));
  s = fd_td_server_start (
      (const char *const[]){ "--test-clock-offset-file", offset_path, "--device-rate", "0", NULL });
  srv = s->srv;
  d = fd_td_cert_device (s, "periodic");
  raw = fd_te_device_connect (s, d);
  for (guint i = 0; i < 5; i++)
    g_string_append_printf (batch, "%s{\"ts\":%" G_GINT64_FORMAT ",\"payload\":{\"i\":%u}}",
                            i ? "," : "", now - 60000 + i, i);
  g_string_append_c (batch, ']');
  fd_te_post_data (raw, "periodic", batch->str);

  /* A one-off export now, for the 7-day expiry below. */
  {
    g_autofree char *id = fd_tx_start (srv, s->workspace, "{\"tags\":[\"periodic\"]}");
    g_autoptr (JsonNode) done = fd_tx_wait (srv, id);
    g_assert_cmpstr (fd_test_str (done, "state"), ==, "done");
    one_off = g_strdup (id);
  }

  list = g_strdup_printf ("/api/v1/workspaces/%s/export-schedules", s->workspace);
  soon = g_date_time_add_minutes (g_date_time_new_now_local (), 3);
  hhmm = g_date_time_format (soon, "%H:%M");
  body = g_strdup_printf ("{\"name\":\"daily-test\",\"format\":\"csv\",\"tags\":[\"periodic\"],"
                          "\"period\":\"daily\",\"time\":\"%s\",\"folder\":\"%s\"}",
                          hhmm, folder);
  created = fd_test_api_expect (srv, "POST", list, body, 201);
  g_assert_true (g_str_has_prefix (fd_test_str (created, "id"), "exs-"));
  g_assert_cmpstr (fd_test_str (created, "time"), ==, hhmm);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (created), "enabled"));
  g_assert_true (
      JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (created), "last_end")));
  next_run = parse_time (fd_test_str (created, "next_run"));
  g_assert_cmpint (next_run, >, now);
  g_assert_cmpint (next_run, <=, now + 25 * 3600 * 1000);

  /* Nothing yet; then the server's clock is moved past the time. */
  {
    g_autofree char *runs
        = g_strdup_printf ("/api/v1/export-schedules/%s/runs", fd_test_str (created, "id"));
    g_autoptr (JsonNode) none = fd_test_api_expect (srv, "GET", runs, NULL, 200);
    g_assert_cmpint (fd_test_int (none, "total"), ==, 0);
  }
  set_offset (next_run - g_get_real_time () / 1000 + 1000);
  run = wait_runs (srv, fd_test_str (created, "id"), 1);
  g_assert_cmpstr (fd_test_str (run, "state"), ==, "done");
  g_assert_cmpstr (fd_test_str (run, "schedule_id"), ==, fd_test_str (created, "id"));
  g_assert_cmpint (fd_test_int (run, "rows"), ==, 5);
  g_assert_cmpint (parse_time (fd_test_str (run, "end")), ==, next_run);
  g_assert_cmpint (parse_time (fd_test_str (run, "start")), <=, next_run - 23 * 3600 * 1000);
  {
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (next_run / 1000);
    g_autoptr (GDateTime) local = g_date_time_to_local (utc);
    g_autofree char *name = g_date_time_format (local, "daily-test-%Y%m%d-%H%M.csv");
    g_autofree char *file = g_build_filename (folder, name, NULL);
    g_autofree char *part = g_strconcat (file, ".part", NULL);
    g_autofree char *contents = NULL;
    g_auto (GStrv) lines = NULL;
    GStatBuf st;

    g_assert_cmpstr (fd_test_str (run, "file_name"), ==, name);
    g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
    g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
    /* the user's readings: nobody but the owner and its group reads them */
    g_assert_cmpint (g_stat (file, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0007, ==, 0);
    lines = g_strsplit (contents, "\r\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 7); /* header, 5 rows, the empty end */
  }
  path = g_strdup_printf ("/api/v1/export-schedules/%s", fd_test_str (created, "id"));
  after = fd_test_api_expect (srv, "GET", path, NULL, 200);
  g_assert_cmpint (parse_time (fd_test_str (after, "last_end")), ==, next_run);
  next2 = parse_time (fd_test_str (after, "next_run"));
  g_assert_cmpint (next2, >=, next_run + 23 * 3600 * 1000);
  g_assert_cmpint (next2, <=, next_run + 25 * 3600 * 1000);

  /* The folder goes away: the next run is recorded failed, with why. */
  g_assert_cmpint (g_rename (folder, gone), ==, 0);
  set_offset (next2 - g_get_real_time () / 1000 + 1000);
  failed = wait_runs (srv, fd_test_str (created, "id"), 2);
  g_assert_cmpstr (fd_test_str (failed, "state"), ==, "failed");
  g_assert_nonnull (strstr (fd_test_str (failed, "error"), folder));

  /* Eight days on, the one-off export's file is gone and its row stays, done. */
  set_offset (8 * 24 * 3600 * (gint64)1000 + (next2 - now));
  {
    g_autofree char *one = g_strdup_printf ("/api/v1/exports/%s", one_off);
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
    g_autoptr (GBytes) bytes = NULL;
    guint status = 0;

    for (;;)
      {
        g_autoptr (JsonNode) e = fd_test_api_expect (srv, "GET", one, NULL, 200);
        g_assert_cmpstr (fd_test_str (e, "state"), ==, "done");
        if (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (e), "file_name")))
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
      }
    bytes = fd_tx_download (srv, one_off, NULL, &status);
    g_assert_cmpuint (status, ==, 404);
  }

  /* Bad schedules. */
  {
    g_autofree char *relative = g_strdup_printf (
        "{\"name\":\"x\",\"period\":\"daily\",\"time\":\"01:00\",\"folder\":\"out\"}");
    g_autofree char *missing = g_strdup_printf (
        "{\"name\":\"x\",\"period\":\"daily\",\"time\":\"01:00\",\"folder\":\"%s\"}", folder);
    g_autofree char *file = g_strdup_printf (
        "{\"name\":\"x\",\"period\":\"daily\",\"time\":\"01:00\",\"folder\":\"%s\"}", a_file);
    g_autofree char *unwritable = g_strdup (
        "{\"name\":\"x\",\"period\":\"daily\",\"time\":\"01:00\",\"folder\":\"/proc/self\"}");
    g_autofree char *weekly = g_strdup_printf (
        "{\"name\":\"x\",\"period\":\"weekly\",\"time\":\"01:00\",\"folder\":\"%s\"}", gone);
    g_autofree char *bad_time = g_strdup_printf (
        "{\"name\":\"x\",\"period\":\"daily\",\"time\":\"25:00\",\"folder\":\"%s\"}", gone);
    g_autofree char *bad_period = g_strdup_printf (
        "{\"name\":\"x\",\"period\":\"hourly\",\"time\":\"01:00\",\"folder\":\"%s\"}", gone);
    g_autofree char *bad_name = g_strdup_printf (
        "{\"name\":\"a/b\",\"period\":\"daily\",\"time\":\"01:00\",\"folder\":\"%s\"}", gone);
    g_autofree char *bad_format = g_strdup_printf (
        "{\"name\":\"x\",\"format\":\"xls\",\"period\":\"daily\",\"time\":\"01:00\","
        "\"folder\":\"%s\"}",
        gone);

    expect_400 (srv, list, "POST", relative, "folder");
    expect_400 (srv, list, "POST", missing, "folder");
    expect_400 (srv, list, "POST", file, "folder");
    expect_400 (srv, list, "POST", unwritable, "folder");
    expect_400 (srv, list, "POST", weekly, "weekday");
    expect_400 (srv, list, "POST", bad_time, "time");
    expect_400 (srv, list, "POST", bad_period, "period");
    expect_400 (srv, list, "POST", bad_name, "name");
    expect_400 (srv, list, "POST", bad_format, "format");
    expect_400 (srv, path, "PATCH", "{\"folder\":\"/proc/self\"}", "folder");
  }

  /* PATCH moves it to weekly; DELETE removes it (its runs stay). */
  {
    g_autofree char *patch = g_strdup_printf (
        "{\"period\":\"weekly\",\"weekday\":\"friday\",\"folder\":\"%s\"}", gone);
    g_autoptr (JsonNode) patched = fd_test_api_expect (srv, "PATCH", path, patch, 200);
    g_autoptr (JsonNode) deleted = NULL;
    g_autoptr (GDateTime) next_dt = NULL;

    g_assert_cmpstr (fd_test_str (patched, "weekday"), ==, "friday");
    g_assert_cmpstr (fd_test_str (patched, "folder"), ==, gone);
    next_dt = g_date_time_new_from_iso8601 (fd_test_str (patched, "next_run"), NULL);
    {
      g_autoptr (GDateTime) local = g_date_time_to_local (next_dt);
      g_assert_cmpint (g_date_time_get_day_of_week (local), ==, 5);
    }
    fd_test_api_expect (srv, "DELETE", path, NULL, 204);
    deleted = fd_test_api_expect (srv, "GET", path, NULL, 404);
  }

  fd_td_server_stop (s);
  fd_test_rm_rf (tmp);
  g_clear_pointer (&offset_path, g_free);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/export-schedules/periodic", test_periodic);
  return g_test_run ();
}
