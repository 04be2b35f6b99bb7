/* test-export-schedule.c — when periodic exports run: fd_export_next_run() across DST changes
 * (Europe/Rome) and month and year ends, the period before a run, and the scheduler driven by
 * a fake clock against a real store: nothing before the time, one run at it, its file, and the
 * schedule moved on. */
#include "export/fd-export.h"
#include "fd-util.h"
#include "store/fd-store-entities.h"

#include <glib/gstdio.h>

static GTimeZone *rome;

static gint64
utc_ms (const char *iso)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);
  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * 1000;
}

static void
assert_next (FdExportPeriod period, int hh, int mm, int weekday, const char *after,
             const char *expected)
{
  gint64 got = fd_export_next_run (period, hh * 60 + mm, weekday, utc_ms (after), rome);
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (got / 1000);
  g_autofree char *text = g_date_time_format_iso8601 (dt);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_next_run (void)
{
  /* Winter (CET, +01:00), later the same day and the next day. */
  assert_next (FD_EXPORT_PERIOD_DAILY, 2, 0, 0, "2026-01-10T00:30:00+01:00",
               "2026-01-10T01:00:00Z");
  assert_next (FD_EXPORT_PERIOD_DAILY, 2, 0, 0, "2026-01-10T02:00:00+01:00",
               "2026-01-11T01:00:00Z");
  /* Spring forward (29 March 2026, 02:00 -> 03:00): 09:00 stays 09:00 local, 23 h apart. */
  assert_next (FD_EXPORT_PERIOD_DAILY, 9, 0, 0, "2026-03-28T09:00:00+01:00",
               "2026-03-29T07:00:00Z");
  /* 02:30 does not exist that day: the first existing time after it. */
  assert_next (FD_EXPORT_PERIOD_DAILY, 2, 30, 0, "2026-03-28T12:00:00+01:00",
               "2026-03-29T01:00:00Z");
  /* Fall back (25 October 2026, 03:00 -> 02:00): 02:30 happens twice; one run, the first. */
  assert_next (FD_EXPORT_PERIOD_DAILY, 2, 30, 0, "2026-10-24T12:00:00+02:00",
               "2026-10-25T00:30:00Z");
  assert_next (FD_EXPORT_PERIOD_DAILY, 2, 30, 0, "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z");
  assert_next (FD_EXPORT_PERIOD_DAILY, 9, 0, 0, "2026-10-24T09:30:00+02:00",
               "2026-10-25T08:00:00Z");
  /* Month, leap-day and year ends. */
  assert_next (FD_EXPORT_PERIOD_DAILY, 23, 59, 0, "2026-01-31T23:59:30+01:00",
               "2026-02-01T22:59:00Z");
  assert_next (FD_EXPORT_PERIOD_DAILY, 0, 0, 0, "2028-02-28T12:00:00+01:00",
               "2028-02-28T23:00:00Z");
  assert_next (FD_EXPORT_PERIOD_DAILY, 0, 0, 0, "2026-12-31T23:00:00Z", "2027-01-01T23:00:00Z");
  /* Weekly: Monday 08:00 from a Sunday, from that Monday 08:00 (a week on), across DST. */
  assert_next (FD_EXPORT_PERIOD_WEEKLY, 8, 0, G_DATE_MONDAY, "2026-11-29T12:00:00+01:00",
               "2026-11-30T07:00:00Z");
  assert_next (FD_EXPORT_PERIOD_WEEKLY, 8, 0, G_DATE_MONDAY, "2026-11-30T07:00:00Z",
               "2026-12-07T07:00:00Z");
  assert_next (FD_EXPORT_PERIOD_WEEKLY, 8, 0, G_DATE_MONDAY, "2026-03-23T08:00:00+01:00",
               "2026-03-30T06:00:00Z");
  assert_next (FD_EXPORT_PERIOD_WEEKLY, 23, 0, G_DATE_SUNDAY, "2026-02-26T10:00:00+01:00",
               "2026-03-01T22:00:00Z");
}

static void
test_period_before (void)
{
  /* One day before a run just after spring forward is 23 hours before, same wall clock. */
  g_assert_cmpint (
      fd_export_period_before (FD_EXPORT_PERIOD_DAILY, utc_ms ("2026-03-29T07:00:00Z"), rome), ==,
      utc_ms ("2026-03-28T08:00:00Z"));
  g_assert_cmpint (
      fd_export_period_before (FD_EXPORT_PERIOD_WEEKLY, utc_ms ("2026-11-30T07:00:00Z"), rome), ==,
      utc_ms ("2026-11-23T07:00:00Z"));
}

/* ---- the scheduler with a fake clock ---- */

static gint64 fake_now;

static gint64
fake_clock (gpointer data)
{
  return fake_now;
}

typedef struct
{
  FdExportSchedule *schedule;
  char *workspace;
  FdPage page;
} Setup;

static gboolean
setup_job (FdDb *db, gpointer data, GError **error)
{
  Setup *s = data;
  g_autoptr (FdWorkspace) w = fd_store_workspace_create (db, "Sched", NULL, error);

  if (w == NULL)
    return FALSE;
  s->workspace = g_strdup (w->id);
  s->schedule->workspace_id = g_strdup (w->id);
  return fd_store_export_schedule_insert (db, s->schedule, error);
}

static gboolean
runs_job (FdDb *db, gpointer data, GError **error)
{
  Setup *s = data;
  fd_page_clear (&s->page);
  return fd_store_export_runs (db, s->schedule->id, 0, 10, &s->page, error);
}

static gboolean
schedule_job (FdDb *db, gpointer data, GError **error)
{
  FdExportSchedule **out = data;
  FdExportSchedule *s = fd_store_export_schedule_get (db, (*out)->id, error);

  if (s == NULL)
    return FALSE;
  fd_export_schedule_free (*out);
  *out = s;
  return TRUE;
}

static guint
count_runs (FdStore *store, Setup *s, const char *state)
{
  g_autoptr (GError) error = NULL;
  guint n = 0;

  g_assert_true (fd_store_read_sync (store, runs_job, s, &error));
  for (guint i = 0; i < s->page.items->len; i++)
    {
      FdExport *e = g_ptr_array_index (s->page.items, i);
      if (state == NULL || g_str_equal (e->state, state))
        n++;
    }
  return n;
}

static void
test_scheduler (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fd-sched-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "fleetdesk.db", NULL);
  g_autofree char *exports_dir = g_build_filename (dir, "exports", NULL);
  g_autofree char *folder = g_build_filename (dir, "out", NULL);
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();
  FdClock clock = { .now_ms = fake_clock, .max_sleep_ms = 10 };
  FdStore *store;
  FdExports *exports;
  Setup setup = { 0 };
  FdExportSchedule *s = g_new0 (FdExportSchedule, 1);
  gint64 run_at, deadline;

  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  store = fd_store_open (db_path, 2, &error);
  g_assert_no_error (error);

  fake_now = utc_ms ("2026-06-15T10:00:00Z");
  s->id = fd_id_new ("exs");
  s->name = g_strdup ("nightly");
  s->format = g_strdup ("csv");
  s->selection = g_strdup ("{\"tags\":[],\"fleets\":[],\"devices\":[],\"columns\":\"payload\"}");
  s->period = FD_EXPORT_PERIOD_DAILY;
  s->time_of_day = 2 * 60;
  s->folder = g_strdup (folder);
  s->enabled = TRUE;
  s->next_run = run_at = fd_export_next_run (s->period, s->time_of_day, 0, fake_now, local);
  s->created_at = s->updated_at = fake_now;
  setup.schedule = s;
  g_assert_true (fd_store_write_sync (store, setup_job, &setup, &error));

  exports = fd_exports_new (store, db_path, exports_dir, &clock);
  g_assert_true (fd_exports_start (exports, &error));

  /* A second before the time: nothing runs, however long the loop spins. */
  fake_now = run_at - 1000;
  deadline = g_get_monotonic_time () + 300 * 1000;
  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (count_runs (store, &setup, NULL), ==, 0);

  /* At the time: one run, done, its file named by the run time in local time. */
  fake_now = run_at;
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (count_runs (store, &setup, "done") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (count_runs (store, &setup, NULL), ==, 1);
  {
    FdExport *e = g_ptr_array_index (setup.page.items, 0);
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (run_at / 1000);
    g_autoptr (GDateTime) dt = g_date_time_to_timezone (utc, local);
    g_autofree char *stamp = g_date_time_format (dt, "nightly-%Y%m%d-%H%M.csv");
    g_autofree char *file = g_build_filename (folder, stamp, NULL);
    g_autofree char *contents = NULL;

    g_assert_cmpstr (e->file, ==, file);
    g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==,
                     "timestamp_device,timestamp_in,fleet_id,device_id,tag,payload\r\n");
    g_assert_cmpint (e->end, ==, run_at);
    g_assert_cmpint (e->start, ==, fd_export_period_before (s->period, run_at, local));
  }
  g_assert_true (fd_store_read_sync (store, schedule_job, &setup.schedule, &error));
  g_assert_cmpint (setup.schedule->next_run, ==,
                   fd_export_next_run (FD_EXPORT_PERIOD_DAILY, 120, 0, run_at, local));
  g_assert_cmpint (setup.schedule->last_end, ==, run_at);

  fd_exports_free (exports);
  fd_store_close (store);
  fd_page_clear (&setup.page);
  fd_export_schedule_free (setup.schedule);
  g_free (setup.workspace);
  {
    const char *argv[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  rome = g_time_zone_new_identifier ("Europe/Rome");
  g_assert_nonnull (rome);
  g_test_add_func ("/export-schedule/next-run", test_next_run);
  g_test_add_func ("/export-schedule/period-before", test_period_before);
  g_test_add_func ("/export-schedule/scheduler", test_scheduler);
  return g_test_run ();
}
