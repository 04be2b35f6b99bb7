/* fd-export-schedule.c — when periodic exports run, and the scheduler that starts them.
 *
 * Schedules are in server local time: "daily at 02:00" follows the wall clock across DST
 * changes. The scheduler sleeps until the soonest next_run (at most a minute, or the clock's
 * max_sleep_ms, so that a changed clock is noticed), then starts every schedule that is due:
 * its run covers [last_end, or one period before the run time, run time) and writes
 * FOLDER/<name>-<YYYYMMDD-HHMM of the run time, local>.<ext>. next_run moves on when the run
 * starts; last_end only when it succeeds, so that a failed period is covered by the next run.
 */
#include "fd-export-private.h"
#include "fd-util.h"

#include <errno.h>
#include <glib/gstdio.h>

#define DEFAULT_MAX_SLEEP_MS (60 * 1000)
#define EXPIRE_INTERVAL_MS (3600 * 1000)

/* ---- times ---------------------------------------------------------------------------------- */

/* The first moment the wall clock of @tz shows @minutes after midnight on that day. GLib
 * gives the later of two (a DST fall-back repeats an hour): the hour before is checked too, so
 * that a day has one run, at the first of them. A time in a DST gap is the first after it. */
static gint64
local_ms (GTimeZone *tz, int year, int month, int day, int minutes)
{
  g_autoptr (GDateTime) dt = g_date_time_new (tz, year, month, day, minutes / 60, minutes % 60, 0);
  g_autoptr (GDateTime) earlier = NULL;

  if (dt == NULL)
    return G_MAXINT64;
  earlier = g_date_time_add_hours (dt, -1);
  if (earlier != NULL && g_date_time_get_day_of_month (earlier) == day
      && g_date_time_get_hour (earlier) == minutes / 60
      && g_date_time_get_minute (earlier) == minutes % 60)
    return g_date_time_to_unix (earlier) * 1000;
  return g_date_time_to_unix (dt) * 1000;
}

gint64
fd_export_next_run (FdExportPeriod period, int time_of_day, int weekday, gint64 after_ms,
                    GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (after_ms / 1000);
  g_autoptr (GDateTime) now = g_date_time_to_timezone (utc, tz);
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay)g_date_time_get_day_of_month (now),
                  (GDateMonth)g_date_time_get_month (now), (GDateYear)g_date_time_get_year (now));
  /* Yesterday's occurrence can still lie ahead in UTC terms only by a DST hour; starting a day
   * before makes the search exact, and 9 days reach any weekday. */
  g_date_subtract_days (&date, 1);
  for (int i = 0; i < 10; i++, g_date_add_days (&date, 1))
    {
      gint64 t;

      if (period == FD_EXPORT_PERIOD_WEEKLY && (int)g_date_get_weekday (&date) != weekday)
        continue;
      t = local_ms (tz, g_date_get_year (&date), g_date_get_month (&date), g_date_get_day (&date),
                    time_of_day);
      if (t > after_ms)
        return t;
    }
  return G_MAXINT64;
}

gint64
fd_export_period_before (FdExportPeriod period, gint64 run_ms, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (run_ms / 1000);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
  g_autoptr (GDateTime) before
      = g_date_time_add_days (local, period == FD_EXPORT_PERIOD_WEEKLY ? -7 : -1);

  return g_date_time_to_unix (before) * 1000 + run_ms % 1000;
}

/* ---- the test clock ------------------------------------------------------------------------- */

typedef struct
{
  FdClock clock;
  char *path;
  GMutex lock;
  gint64 mtime;
  gint64 offset;
} OffsetClock;

static gint64
offset_now (gpointer data)
{
  OffsetClock *c = data;
  GStatBuf st;
  gint64 offset;

  g_mutex_lock (&c->lock);
  if (g_stat (c->path, &st) < 0)
    c->offset = 0, c->mtime = 0;
  else if ((gint64)st.st_mtime * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000 != c->mtime)
    {
      g_autofree char *text = NULL;
      gint64 value;
      if (g_file_get_contents (c->path, &text, NULL, NULL)
          && g_ascii_string_to_signed (g_strstrip (text), 10, G_MININT64 / 2, G_MAXINT64 / 2,
                                       &value, NULL))
        c->offset = value;
      c->mtime = (gint64)st.st_mtime * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
    }
  offset = c->offset;
  g_mutex_unlock (&c->lock);
  return fd_now_ms () + offset;
}

FdClock *
fd_clock_new_offset_file (const char *path)
{
  OffsetClock *c = g_new0 (OffsetClock, 1);

  c->clock.now_ms = offset_now;
  c->clock.data = c;
  c->clock.max_sleep_ms = 200;
  c->path = g_strdup (path);
  g_mutex_init (&c->lock);
  return &c->clock;
}

void
fd_clock_free (FdClock *clock)
{
  OffsetClock *c = (OffsetClock *)clock;

  if (clock == NULL)
    return;
  g_mutex_clear (&c->lock);
  g_free (c->path);
  g_free (c);
}

/* ---- the scheduler -------------------------------------------------------------------------- */

/* What a store callback on its way holds: the scheduler, or NULL once it was freed. */
typedef struct
{
  FdExportScheduler *s;
} Guard;

struct _FdExportScheduler
{
  FdExports *exports;
  FdStore *store;
  const FdClock *clock;
  GTimeZone *tz;
  GPtrArray *schedules; /* FdExportSchedule*, enabled ones */
  GHashTable *starting; /* schedule ids whose run is being recorded */
  GSource *timer;
  gint64 last_expire;
  gboolean loading;
  gboolean reload_again;
  Guard *guard;
};

static void arm (FdExportScheduler *s);

static void
guard_release (Guard *guard)
{
  g_atomic_rc_box_release (guard);
}

typedef struct
{
  Guard *guard;
  GPtrArray *schedules;
} LoadRead;

static gboolean
load_job (FdDb *db, gpointer data, GError **error)
{
  LoadRead *r = data;
  return fd_store_export_schedule_all (db, r->schedules, error);
}

static void
load_read_free (gpointer data)
{
  LoadRead *r = data;
  g_ptr_array_unref (r->schedules);
  guard_release (r->guard);
  g_free (r);
}

static void
loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LoadRead *r = fd_store_run_get_data (result);
  FdExportScheduler *s = r->guard->s;
  g_autoptr (GError) error = NULL;

  if (s == NULL)
    return;
  s->loading = FALSE;
  if (!fd_store_run_finish (result, &error))
    g_warning ("could not read the export schedules: %s", error->message);
  else
    {
      g_ptr_array_unref (s->schedules);
      s->schedules = g_ptr_array_ref (r->schedules);
    }
  if (s->reload_again)
    {
      s->reload_again = FALSE;
      fd_export_scheduler_reload (s);
      return;
    }
  arm (s);
}

void
fd_export_scheduler_reload (FdExportScheduler *s)
{
  LoadRead *r;

  if (s->loading)
    {
      s->reload_again = TRUE;
      return;
    }
  s->loading = TRUE;
  r = g_new0 (LoadRead, 1);
  r->guard = g_atomic_rc_box_acquire (s->guard);
  r->schedules = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_export_schedule_free);
  fd_store_read_async (s->store, load_job, r, load_read_free, loaded, NULL);
}

typedef struct
{
  Guard *guard;
  FdExport *run;
  char *schedule_id;
  gint64 next_run;
} RunWrite;

static gboolean
record_run_job (FdDb *db, gpointer data, GError **error)
{
  RunWrite *w = data;
  return fd_store_export_insert (db, w->run, error)
         && fd_store_export_schedule_advance (db, w->schedule_id, w->next_run, error);
}

static void
run_write_free (gpointer data)
{
  RunWrite *w = data;
  fd_export_free (w->run);
  g_free (w->schedule_id);
  guard_release (w->guard);
  g_free (w);
}

static void
run_recorded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RunWrite *w = fd_store_run_get_data (result);
  FdExportScheduler *s = w->guard->s;
  g_autoptr (GError) error = NULL;

  if (s == NULL)
    return;
  g_hash_table_remove (s->starting, w->schedule_id);
  if (fd_store_run_finish (result, &error))
    fd_exports_submit (s->exports, w->run);
  else
    g_warning ("could not start the periodic export %s: %s", w->schedule_id, error->message);
  fd_export_scheduler_reload (s);
}

/* "name-20261127-0200.csv" in the schedule's folder. */
static char *
run_file (const FdExportSchedule *sc, gint64 run_ms, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (run_ms / 1000);
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
  g_autofree char *stamp = g_date_time_format (local, "%Y%m%d-%H%M");
  g_autofree char *name = g_strdup_printf ("%s-%s.%s", sc->name, stamp, sc->format);

  return g_build_filename (sc->folder, name, NULL);
}

static void
start_run (FdExportScheduler *s, FdExportSchedule *sc, gint64 now)
{
  RunWrite *w = g_new0 (RunWrite, 1);
  FdExport *e = g_new0 (FdExport, 1);
  gint64 run_ms = sc->next_run;

  e->id = fd_id_new ("exp");
  e->workspace_id = g_strdup (sc->workspace_id);
  e->schedule_id = g_strdup (sc->id);
  e->format = g_strdup (sc->format);
  e->selection = g_strdup (sc->selection);
  e->has_start = e->has_end = TRUE;
  e->start = sc->last_end > 0 ? sc->last_end : fd_export_period_before (sc->period, run_ms, s->tz);
  e->end = run_ms;
  e->state = g_strdup ("queued");
  e->file = run_file (sc, run_ms, s->tz);
  e->actor = g_strdup_printf ("schedule %s", sc->id);
  e->created_at = fd_now_ms ();
  w->guard = g_atomic_rc_box_acquire (s->guard);
  w->run = e;
  w->schedule_id = g_strdup (sc->id);
  /* After a long stop, one run catches up with everything since last_end; the next is the
   * first occurrence after now. */
  w->next_run
      = fd_export_next_run (sc->period, sc->time_of_day, sc->weekday, MAX (now, run_ms), s->tz);
  sc->next_run = w->next_run;
  g_hash_table_add (s->starting, g_strdup (sc->id));
  fd_store_write_async (s->store, record_run_job, w, run_write_free, run_recorded, NULL);
}

static gboolean
tick (gpointer data)
{
  FdExportScheduler *s = data;
  gint64 now = fd_clock_now (s->clock);

  g_clear_pointer (&s->timer, g_source_unref);
  for (guint i = 0; i < s->schedules->len; i++)
    {
      FdExportSchedule *sc = g_ptr_array_index (s->schedules, i);
      if (sc->next_run <= now && !g_hash_table_contains (s->starting, sc->id))
        start_run (s, sc, now);
    }
  if (now - s->last_expire >= EXPIRE_INTERVAL_MS)
    {
      s->last_expire = now;
      fd_exports_expire (s->exports, now);
    }
  arm (s);
  return G_SOURCE_REMOVE;
}

static void
arm (FdExportScheduler *s)
{
  gint64 now = fd_clock_now (s->clock);
  gint64 wait = s->clock && s->clock->max_sleep_ms ? s->clock->max_sleep_ms : DEFAULT_MAX_SLEEP_MS;

  if (s->timer != NULL)
    {
      g_source_destroy (s->timer);
      g_clear_pointer (&s->timer, g_source_unref);
    }
  for (guint i = 0; i < s->schedules->len; i++)
    {
      FdExportSchedule *sc = g_ptr_array_index (s->schedules, i);
      if (!g_hash_table_contains (s->starting, sc->id))
        wait = MIN (wait, MAX (sc->next_run - now, 0));
    }
  s->timer = g_timeout_source_new ((guint)wait);
  g_source_set_callback (s->timer, tick, s, NULL);
  g_source_attach (s->timer, g_main_context_get_thread_default ());
}

FdExportScheduler *
fd_export_scheduler_new (FdExports *exports, FdStore *store, const FdClock *clock)
{
  FdExportScheduler *s = g_new0 (FdExportScheduler, 1);

  s->exports = exports;
  s->store = store;
  s->clock = clock;
  s->tz = g_time_zone_new_local ();
  s->schedules = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_export_schedule_free);
  s->starting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s->last_expire = fd_clock_now (clock);
  s->guard = g_atomic_rc_box_new0 (Guard);
  s->guard->s = s;
  fd_export_scheduler_reload (s);
  return s;
}

void
fd_export_scheduler_free (FdExportScheduler *s)
{
  if (s == NULL)
    return;
  if (s->timer != NULL)
    {
      g_source_destroy (s->timer);
      g_source_unref (s->timer);
    }
  s->guard->s = NULL;
  guard_release (s->guard);
  g_ptr_array_unref (s->schedules);
  g_hash_table_unref (s->starting);
  g_time_zone_unref (s->tz);
  g_free (s);
}
