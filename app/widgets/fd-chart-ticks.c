/* fd-chart-ticks.c — tick steps and labels for the chart's two axes.
 *
 * The time axis picks the roundest step that keeps the labels apart (1, 2, 5, 10, 15, 30 s;
 * the same in minutes; 1, 2, 3, 6, 12 h; days; weeks from Monday; 1, 2, 3, 6 months; years),
 * aligned to the local wall clock, so that ticks fall on 14:00 and on midnight, not on the
 * instant the range happened to start. Each tick's label names the step's own unit; the
 * larger unit (the day under hours, the month under days, the year under months) is given as
 * the tick's context once, on the first tick and where it changes.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fd-chart-ticks.h"

#define FD_MS_PER_S 1000
#define FD_MS_PER_MIN (60 * FD_MS_PER_S)
#define FD_MS_PER_H (60 * FD_MS_PER_MIN)
#define FD_MS_PER_DAY (24 * (gint64)FD_MS_PER_H)

typedef struct
{
  FdChartTimeUnit unit;
  int count;
  gint64 approx_ms; /* of one step, to compare with the range */
} FdChartStep;

static const FdChartStep fd_chart_steps[] = {
  { FD_CHART_TIME_MS, 1, 1 },
  { FD_CHART_TIME_MS, 2, 2 },
  { FD_CHART_TIME_MS, 5, 5 },
  { FD_CHART_TIME_MS, 10, 10 },
  { FD_CHART_TIME_MS, 20, 20 },
  { FD_CHART_TIME_MS, 50, 50 },
  { FD_CHART_TIME_MS, 100, 100 },
  { FD_CHART_TIME_MS, 200, 200 },
  { FD_CHART_TIME_MS, 500, 500 },
  { FD_CHART_TIME_SECOND, 1, FD_MS_PER_S },
  { FD_CHART_TIME_SECOND, 2, 2 * FD_MS_PER_S },
  { FD_CHART_TIME_SECOND, 5, 5 * FD_MS_PER_S },
  { FD_CHART_TIME_SECOND, 10, 10 * FD_MS_PER_S },
  { FD_CHART_TIME_SECOND, 15, 15 * FD_MS_PER_S },
  { FD_CHART_TIME_SECOND, 30, 30 * FD_MS_PER_S },
  { FD_CHART_TIME_MINUTE, 1, FD_MS_PER_MIN },
  { FD_CHART_TIME_MINUTE, 2, 2 * FD_MS_PER_MIN },
  { FD_CHART_TIME_MINUTE, 5, 5 * FD_MS_PER_MIN },
  { FD_CHART_TIME_MINUTE, 10, 10 * FD_MS_PER_MIN },
  { FD_CHART_TIME_MINUTE, 15, 15 * FD_MS_PER_MIN },
  { FD_CHART_TIME_MINUTE, 30, 30 * FD_MS_PER_MIN },
  { FD_CHART_TIME_HOUR, 1, FD_MS_PER_H },
  { FD_CHART_TIME_HOUR, 2, 2 * FD_MS_PER_H },
  { FD_CHART_TIME_HOUR, 3, 3 * FD_MS_PER_H },
  { FD_CHART_TIME_HOUR, 6, 6 * FD_MS_PER_H },
  { FD_CHART_TIME_HOUR, 12, 12 * FD_MS_PER_H },
  { FD_CHART_TIME_DAY, 1, FD_MS_PER_DAY },
  { FD_CHART_TIME_DAY, 2, 2 * FD_MS_PER_DAY },
  { FD_CHART_TIME_WEEK, 1, 7 * FD_MS_PER_DAY },
  { FD_CHART_TIME_DAY, 15, 15 * FD_MS_PER_DAY }, /* the 1st and the 16th */
  { FD_CHART_TIME_MONTH, 1, 30 * FD_MS_PER_DAY },
  { FD_CHART_TIME_MONTH, 2, 61 * FD_MS_PER_DAY },
  { FD_CHART_TIME_MONTH, 3, 91 * FD_MS_PER_DAY },
  { FD_CHART_TIME_MONTH, 6, 182 * FD_MS_PER_DAY },
};

#define FD_MS_PER_YEAR (365 * FD_MS_PER_DAY + FD_MS_PER_DAY / 4)

double
fd_chart_nice_step (double span, guint max_ticks)
{
  double raw, magnitude, fraction;

  if (max_ticks < 1)
    max_ticks = 1;
  if (!(span > 0) || !isfinite (span))
    return 1;

  raw = span / max_ticks;
  magnitude = pow (10, floor (log10 (raw)));
  fraction = raw / magnitude;
  /* The smallest of 1, 2, 5, 10 that is at least the raw step (with room for rounding). */
  if (fraction <= 1 + 1e-9)
    return magnitude;
  if (fraction <= 2 + 1e-9)
    return 2 * magnitude;
  if (fraction <= 5 + 1e-9)
    return 5 * magnitude;
  return 10 * magnitude;
}

char *
fd_chart_format_value (double value, double step, const char *unit)
{
  int decimals = 0;

  if (step > 0 && step < 1)
    decimals = (int)ceil (-log10 (step) - 1e-9);
  decimals = CLAMP (decimals, 0, 12);
  /* No "-0" for a tick at zero reached by adding steps. */
  if (step > 0 && fabs (value) < step * 1e-6)
    value = 0;

  if (unit != NULL && unit[0] != '\0')
    return g_strdup_printf ("%.*f %s", decimals, value, unit);
  return g_strdup_printf ("%.*f", decimals, value);
}

static gint64
fd_floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;

  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static gint64
fd_offset_ms (GTimeZone *tz, gint64 t)
{
  int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, fd_floor_div (t, 1000));

  return (gint64)g_time_zone_get_offset (tz, MAX (interval, 0)) * 1000;
}

/* The first instant at or after @t whose local wall-clock time is a multiple of @step. */
static gint64
fd_align_up (GTimeZone *tz, gint64 t, gint64 step)
{
  gint64 offset = fd_offset_ms (tz, t);
  gint64 aligned = -fd_floor_div (-(t + offset), step) * step - offset;
  gint64 offset2 = fd_offset_ms (tz, aligned);

  if (offset2 != offset) /* across a daylight-saving change */
    aligned = -fd_floor_div (-(t + offset2), step) * step - offset2;
  return aligned;
}

static void
fd_chart_label (FdChartTimeTick *tick, GDateTime *dt, FdChartTimeUnit unit, char *key,
                gsize key_size)
{
  g_autofree char *label = NULL;
  g_autofree char *context = NULL;
  g_autofree char *k = NULL;

  switch (unit)
    {
    case FD_CHART_TIME_MS:
      {
        g_autofree char *hms = g_date_time_format (dt, "%H:%M:%S");
        label = g_strdup_printf ("%s.%03d", hms, g_date_time_get_microsecond (dt) / 1000);
      }
      context = g_date_time_format (dt, "%a %-d %b");
      k = g_date_time_format (dt, "%Y-%m-%d");
      break;
    case FD_CHART_TIME_SECOND:
      label = g_date_time_format (dt, "%H:%M:%S");
      context = g_date_time_format (dt, "%a %-d %b");
      k = g_date_time_format (dt, "%Y-%m-%d");
      break;
    case FD_CHART_TIME_MINUTE:
    case FD_CHART_TIME_HOUR:
      label = g_date_time_format (dt, "%H:%M");
      context = g_date_time_format (dt, "%a %-d %b");
      k = g_date_time_format (dt, "%Y-%m-%d");
      break;
    case FD_CHART_TIME_DAY:
    case FD_CHART_TIME_WEEK:
      label = g_date_time_format (dt, "%a %-d");
      context = g_date_time_format (dt, "%B %Y");
      k = g_date_time_format (dt, "%Y-%m");
      break;
    case FD_CHART_TIME_MONTH:
      label = g_date_time_format (dt, "%b");
      context = g_date_time_format (dt, "%Y");
      k = g_strdup (context);
      break;
    case FD_CHART_TIME_YEAR:
    default:
      label = g_date_time_format (dt, "%Y");
      break;
    }

  g_strlcpy (tick->label, label != NULL ? label : "", sizeof tick->label);
  tick->context[0] = '\0';
  if (k != NULL && strcmp (k, key) != 0)
    {
      g_strlcpy (tick->context, context != NULL ? context : "", sizeof tick->context);
      g_strlcpy (key, k, key_size);
    }
}

/* Whether a calendar tick at @dt is one of the step's. */
static gboolean
fd_chart_calendar_keeps (GDateTime *dt, FdChartTimeUnit unit, int count)
{
  switch (unit)
    {
    case FD_CHART_TIME_DAY:
      /* Every other day from the 1st; the 31st would sit next to the 1st. */
      return count == 1
             || ((g_date_time_get_day_of_month (dt) - 1) % count == 0
                 && g_date_time_get_day_of_month (dt) < 31);
    case FD_CHART_TIME_WEEK:
      return g_date_time_get_day_of_week (dt) == 1;
    case FD_CHART_TIME_MONTH:
      return (g_date_time_get_month (dt) - 1) % count == 0;
    case FD_CHART_TIME_YEAR:
      return g_date_time_get_year (dt) % count == 0;
    default:
      return TRUE;
    }
}

/* The next candidate after @dt: the next day, month or year at local midnight. */
static GDateTime *
fd_chart_calendar_next (GTimeZone *tz, GDateTime *dt, FdChartTimeUnit unit, int count)
{
  int y = g_date_time_get_year (dt);
  int m = g_date_time_get_month (dt);
  int d = g_date_time_get_day_of_month (dt);

  switch (unit)
    {
    case FD_CHART_TIME_DAY:
    case FD_CHART_TIME_WEEK:
      {
        g_autoptr (GDateTime) noon = g_date_time_new (tz, y, m, d, 12, 0, 0);
        g_autoptr (GDateTime) next = g_date_time_add_days (noon, 1);
        return g_date_time_new (tz, g_date_time_get_year (next), g_date_time_get_month (next),
                                g_date_time_get_day_of_month (next), 0, 0, 0);
      }
    case FD_CHART_TIME_MONTH:
      return m == 12 ? g_date_time_new (tz, y + 1, 1, 1, 0, 0, 0)
                     : g_date_time_new (tz, y, m + 1, 1, 0, 0, 0);
    case FD_CHART_TIME_YEAR:
    default:
      return g_date_time_new (tz, (y / count + 1) * count, 1, 1, 0, 0, 0);
    }
}

static gint64
fd_chart_ms_of (GDateTime *dt)
{
  return g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
}

guint
fd_chart_time_ticks (gint64 start, gint64 end, guint max_ticks, GTimeZone *tz,
                     FdChartTimeTick *ticks, FdChartTimeUnit *unit_out)
{
  FdChartStep step = { FD_CHART_TIME_YEAR, 1, FD_MS_PER_YEAR };
  gint64 span = end - start;
  char key[48] = "";
  guint n = 0;

  max_ticks = CLAMP (max_ticks, 2, FD_CHART_MAX_TIME_TICKS);
  if (span <= 0)
    return 0;

  for (guint i = 0;; i++)
    {
      if (i == G_N_ELEMENTS (fd_chart_steps))
        {
          /* Years: a round number of them. Months and years vary in length: 3 years of
           * 1096 days still fit 4 ticks. */
          step.count
              = MAX (1, (int)fd_chart_nice_step (0.97 * span / FD_MS_PER_YEAR, max_ticks - 1));
          step.approx_ms = step.count * FD_MS_PER_YEAR;
          break;
        }
      double slack = fd_chart_steps[i].unit >= FD_CHART_TIME_MONTH ? 1.03 : 1;
      if (span <= slack * fd_chart_steps[i].approx_ms * (max_ticks - 1))
        {
          step = fd_chart_steps[i];
          break;
        }
    }
  if (unit_out != NULL)
    *unit_out = step.unit;

  if (step.unit <= FD_CHART_TIME_HOUR)
    {
      for (gint64 t = fd_align_up (tz, start, step.approx_ms); t <= end && n < max_ticks;
           t = fd_align_up (tz, t + 1, step.approx_ms))
        {
          g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (fd_floor_div (t, 1000));
          g_autoptr (GDateTime) at
              = g_date_time_add (dt, (t - fd_floor_div (t, 1000) * 1000) * 1000);
          g_autoptr (GDateTime) local = g_date_time_to_timezone (at, tz);

          ticks[n].t = t;
          fd_chart_label (&ticks[n], local, step.unit, key, sizeof key);
          /* When the clocks go back an hour repeats: label it once. */
          if (n == 0 || strcmp (ticks[n].label, ticks[n - 1].label) != 0)
            n++;
        }
      return n;
    }

  {
    g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (fd_floor_div (start, 1000));
    g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
    int y = g_date_time_get_year (local);
    g_autoptr (GDateTime) dt = NULL;

    /* The candidate at or before start: its midnight, month or year. */
    if (step.unit == FD_CHART_TIME_YEAR)
      dt = g_date_time_new (tz, y - ((y % step.count) + step.count) % step.count, 1, 1, 0, 0, 0);
    else if (step.unit == FD_CHART_TIME_MONTH)
      dt = g_date_time_new (tz, y, g_date_time_get_month (local), 1, 0, 0, 0);
    else
      dt = g_date_time_new (tz, y, g_date_time_get_month (local),
                            g_date_time_get_day_of_month (local), 0, 0, 0);

    /* Bounded: a tick every few candidates at most (weeks: 7, 2 days: 2 or 3). */
    for (guint guard = 0; dt != NULL && n < max_ticks && guard < 8 * FD_CHART_MAX_TIME_TICKS;
         guard++)
      {
        gint64 t = fd_chart_ms_of (dt);
        GDateTime *next;

        if (t > end)
          break;
        if (t >= start && fd_chart_calendar_keeps (dt, step.unit, step.count))
          {
            ticks[n].t = t;
            fd_chart_label (&ticks[n], dt, step.unit, key, sizeof key);
            n++;
          }
        next = fd_chart_calendar_next (tz, dt, step.unit, step.count);
        g_date_time_unref (dt);
        dt = next;
      }
  }
  return n;
}
