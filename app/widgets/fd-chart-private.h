/* fd-chart-private.h — what the chart's files share: its state, the drawing entry points and
 * the range changes that user input makes (which the GUI test calls as the gestures do). */
#pragma once

#include <adwaita.h>

#include "fd-chart-ticks.h"
#include "fd-chart.h"

G_BEGIN_DECLS

/* Tooltip lines: the nearest series to the pointer first; the rest are counted. */
#define FD_CHART_TOOLTIP_SERIES 12
/* A gap is drawn where neighbours are further apart than this many typical spacings. */
#define FD_CHART_GAP_FACTOR 3.0
#define FD_CHART_LINE_WIDTH 1.5
#define FD_CHART_BAND_ALPHA 0.22
/* The shortest range the user can zoom into, in ms. */
#define FD_CHART_MIN_SPAN 10
/* and the longest it can zoom out to: a century */
#define FD_CHART_MAX_SPAN (G_GINT64_CONSTANT (100) * 366 * 24 * 3600 * 1000)

typedef struct
{
  char *id;
  char *label;
  GArray *points;  /* FdChartPoint, in time order */
  gint64 spacing;  /* the median distance between neighbours, for gaps */
  gboolean spread; /* some point has min < max: a band to draw */
  guint colour;
  PangoLayout *legend_layout;
  graphene_rect_t legend_box; /* swatch and label, in widget coordinates */
} FdChartSeries;

typedef struct
{
  double x, y, width, height;
} FdChartRect;

struct _FdChart
{
  GtkWidget parent_instance;

  GPtrArray *series; /* FdChartSeries, in order of appearance */
  guint next_colour;

  gint64 start, end;
  gint64 home_start, home_end; /* the range the program last set */
  char *unit;
  char *empty_text;
  gboolean live;
  gboolean dark;

  /* Layout, recomputed when the size, the range or the data change */
  gboolean layout_dirty;
  int alloc_width, alloc_height;
  FdChartRect plot;
  double legend_height;
  guint legend_hidden; /* series the legend had no room for */
  PangoLayout *more_layout;
  double vmin, vmax, vstep;
  FdChartTimeTick time_ticks[FD_CHART_MAX_TIME_TICKS];
  guint n_time_ticks;
  GHashTable *layouts; /* label text → PangoLayout, reused across frames */
  PangoLayout *empty_layout;

  /* The lines and bands, drawn once per change and reused while hovering or selecting */
  GdkTexture *plot_texture;

  /* Input */
  gboolean selecting;
  double select_x0, select_x1;
  gboolean hovering;
  double hover_x, hover_y;
  guint range_changed_source; /* the end of a scroll or key-repeat gesture */
};

/* fd-chart.c */
void fd_chart_invalidate (FdChart *self);
/* The range the user chose by zooming or panning: leaves live mode, and emits
 * "range-changed" now (@now) or once the gesture has ended. */
void fd_chart_user_set_range (FdChart *self, gint64 start, gint64 end, gboolean now);
/* Zooms by @factor (< 1 in) keeping the time under widget @x in place. */
void fd_chart_user_zoom (FdChart *self, double factor, double x, gboolean now);
/* Pans by @fraction of the range (negative: back in time). */
void fd_chart_user_pan (FdChart *self, double fraction, gboolean now);
/* The drag ended between widget x coordinates @x0 and @x1: zoom into that range. */
void fd_chart_zoom_to_selection (FdChart *self, double x0, double x1);

double fd_chart_x_of (FdChart *self, gint64 t);
gint64 fd_chart_t_of (FdChart *self, double x);
double fd_chart_y_of (FdChart *self, double value);
/* The index of the first point at or after @t (n when none). */
guint fd_chart_series_find (FdChartSeries *series, gint64 t);
/* Whether the line breaks between neighbours @a and @b. */
gboolean fd_chart_is_gap (FdChartSeries *series, const FdChartPoint *a, const FdChartPoint *b);
/* The points of @series to draw: [*first, *last], one beyond the range either side. */
gboolean fd_chart_visible (FdChart *self, FdChartSeries *series, guint *first, guint *last);
/* The colour of series @index for the current style. */
void fd_chart_colour (FdChart *self, guint index, GdkRGBA *rgba);

/* fd-chart-draw.c */
void fd_chart_update_layout (FdChart *self, int width, int height);
void fd_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot);
PangoLayout *fd_chart_layout (FdChart *self, const char *text);

/* fd-chart-raster.c: the lines and bands of the range, at the widget's scale */
GdkTexture *fd_chart_render_plot (FdChart *self);

/* fd-chart-input.c */
void fd_chart_install_input (FdChart *self);
void fd_chart_class_install_keys (GtkWidgetClass *widget_class);
gboolean fd_chart_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard,
                                 GtkTooltip *tooltip);

G_END_DECLS
