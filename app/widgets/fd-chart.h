/* fd-chart.h — a time-series chart drawn with GtkSnapshot: one line per series (a device),
 * with a legend, a time axis whose labels fit the zoom (seconds … years), a value axis, drag
 * to zoom into a range, scroll (and Shift+scroll, arrow keys) to pan, Ctrl+scroll / +/- to
 * zoom around the pointer, and a hover tooltip naming the series, the time and the value.
 *
 * Each point of a series is a bucket of the API's /data/series answer: a time and the min,
 * max and average of the readings in it (a raw reading is a bucket whose three are equal).
 * The chart draws the average as the line and the min..max band behind it, so a downsampled
 * series keeps its spikes. The widget never asks the server for anything: the page listens
 * to "range-changed" and feeds it new points.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FD_TYPE_CHART (fd_chart_get_type ())
G_DECLARE_FINAL_TYPE (FdChart, fd_chart, FD, CHART, GtkWidget)

typedef struct
{
  gint64 t; /* epoch ms */
  double min;
  double max;
  double avg;
  gint64 count; /* readings in the bucket; 0 is drawn as a gap */
} FdChartPoint;

GtkWidget *fd_chart_new (void);

/* Removes every series (the legend empties; the range is kept). */
void fd_chart_clear (FdChart *self);
/* Sets (adding or replacing) the series @id, shown as @label, with @n_points points copied
 * from @points in time order. Colours are given in order of first appearance. */
void fd_chart_set_series (FdChart *self, const char *id, const char *label,
                          const FdChartPoint *points, guint n_points);
/* Appends points newer than the series' last one (live mode); older ones are ignored. */
void fd_chart_append_points (FdChart *self, const char *id, const FdChartPoint *points,
                             guint n_points);
void fd_chart_remove_series (FdChart *self, const char *id);
guint fd_chart_get_n_series (FdChart *self);

/* The time range shown, [@start, @end) in epoch ms. Setting it does not emit
 * "range-changed"; the user's zoom and pan do. Home (the key) returns to the range last set
 * here, so a page need not set the range it is told of by "range-changed". */
void fd_chart_set_range (FdChart *self, gint64 start, gint64 end);
void fd_chart_get_range (FdChart *self, gint64 *start, gint64 *end);

/* The unit shown after values on the axis and in the tooltip ("°C"); NULL for none. */
void fd_chart_set_unit (FdChart *self, const char *unit);
/* Text drawn in the middle when there is nothing to show ("No readings in this range"). */
void fd_chart_set_empty_text (FdChart *self, const char *text);

/* How many buckets a series should have for the current width (about one per two pixels):
 * the page asks the API for that many points. */
guint fd_chart_get_wanted_points (FdChart *self);

/* Signals:
 *   "range-changed" (gint64 start, gint64 end): the user zoomed or panned; the page fetches.
 *   "live-stopped": the user zoomed or panned away from "now" while following live data. */

/* In live mode the range's end follows "now" as points are appended; zooming or panning
 * leaves it (and emits "live-stopped"). */
void fd_chart_set_live (FdChart *self, gboolean live);
gboolean fd_chart_get_live (FdChart *self);

/* For tests and the tooltip: the text the tooltip would show at widget coordinates (@x, @y),
 * or NULL when no point is near. Free with g_free(). */
char *fd_chart_describe_at (FdChart *self, double x, double y);

G_END_DECLS
