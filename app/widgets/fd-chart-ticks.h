/* fd-chart-ticks.h — where the chart puts its ticks and what they read: round value steps
 * (1, 2 or 5 × 10^k) and time ticks whose step and label format suit the range, from
 * milliseconds to years, in a given time zone. Pure functions: no widget, no display. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest number of time ticks one call returns. */
#define FD_CHART_MAX_TIME_TICKS 64

typedef enum
{
  FD_CHART_TIME_MS,
  FD_CHART_TIME_SECOND,
  FD_CHART_TIME_MINUTE,
  FD_CHART_TIME_HOUR,
  FD_CHART_TIME_DAY,
  FD_CHART_TIME_WEEK,
  FD_CHART_TIME_MONTH,
  FD_CHART_TIME_YEAR,
} FdChartTimeUnit;

typedef struct
{
  gint64 t;         /* epoch ms */
  char label[32];   /* "14:03:20", "14:05", "Tue 1", "Dec", "2026" */
  char context[48]; /* the day, month or year, on the first tick and where it changes; else "" */
} FdChartTimeTick;

/* A round step (1, 2 or 5 × 10^k) that cuts @span into at most @max_ticks intervals. */
double fd_chart_nice_step (double span, guint max_ticks);

/* @value with as many decimals as a tick @step needs, then @unit (may be NULL). */
char *fd_chart_format_value (double value, double step, const char *unit);

/* Fills @ticks with at most @max_ticks (≤ FD_CHART_MAX_TIME_TICKS) ticks inside
 * [@start, @end] (epoch ms), at the roundest step in @tz that gives no more than that, and
 * returns how many; @unit (may be NULL) receives the step's unit. */
guint fd_chart_time_ticks (gint64 start, gint64 end, guint max_ticks, GTimeZone *tz,
                           FdChartTimeTick *ticks, FdChartTimeUnit *unit);

G_END_DECLS
