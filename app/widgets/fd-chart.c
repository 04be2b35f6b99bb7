/* fd-chart.c — the chart's state: its series, its range, live mode and the user's range
 * changes (signals). The layout and frame are in fd-chart-draw.c, the lines and bands in
 * fd-chart-raster.c, the input controllers in fd-chart-input.c, the tooltip's text in
 * fd-chart-describe.c, the axes' ticks in fd-chart-ticks.c.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fd-chart-private.h"

/* A scroll or key-repeat gesture has ended when nothing followed for this long. */
#define FD_CHART_GESTURE_END_MS 300

enum
{
  SIGNAL_RANGE_CHANGED,
  SIGNAL_LIVE_STOPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FdChart, fd_chart, GTK_TYPE_WIDGET)

/* The GNOME palette (HIG colours): a darker shade on the light style, a lighter one on the
 * dark style, then a second round in the other shade. */
static const char *const fd_chart_light[] = {
  "#1c71d8", "#e01b24", "#26a269", "#e66100", "#813d9c", "#986a44", "#c64600",
  "#62a0ea", "#f66151", "#2ec27e", "#ffa348", "#c061cb", "#cdab8f", "#a51d2d",
};
static const char *const fd_chart_dark[] = {
  "#62a0ea", "#f66151", "#57e389", "#ffa348", "#c061cb", "#cdab8f", "#f8e45c",
  "#3584e4", "#ed333b", "#33d17a", "#ff7800", "#9141ac", "#b5835a", "#f6d32d",
};

void
fd_chart_colour (FdChart *self, guint index, GdkRGBA *rgba)
{
  const char *const *palette = self->dark ? fd_chart_dark : fd_chart_light;

  gdk_rgba_parse (rgba, palette[index % G_N_ELEMENTS (fd_chart_light)]);
}

static void
fd_chart_series_free (gpointer data)
{
  FdChartSeries *series = data;

  g_free (series->id);
  g_free (series->label);
  g_array_unref (series->points);
  g_clear_object (&series->legend_layout);
  g_free (series);
}

static FdChartSeries *
fd_chart_lookup (FdChart *self, const char *id)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      FdChartSeries *series = g_ptr_array_index (self->series, i);
      if (strcmp (series->id, id) == 0)
        return series;
    }
  return NULL;
}

static int
fd_compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

/* The typical distance between neighbours (the bucket width, or a raw series' period), and
 * whether a band is needed. */
static void
fd_chart_series_measure (FdChartSeries *series)
{
  guint n = series->points->len;
  g_autofree gint64 *deltas = NULL;
  guint n_deltas = 0;

  series->spread = FALSE;
  for (guint i = 0; i < n; i++)
    {
      const FdChartPoint *p = &g_array_index (series->points, FdChartPoint, i);
      if (p->count > 0 && p->min < p->max)
        {
          series->spread = TRUE;
          break;
        }
    }

  series->spacing = 0;
  if (n < 2)
    return;
  deltas = g_new (gint64, n - 1);
  for (guint i = 1; i < n; i++)
    {
      gint64 d = g_array_index (series->points, FdChartPoint, i).t
                 - g_array_index (series->points, FdChartPoint, i - 1).t;
      if (d > 0)
        deltas[n_deltas++] = d;
    }
  if (n_deltas == 0)
    return;
  qsort (deltas, n_deltas, sizeof *deltas, fd_compare_gint64);
  series->spacing = deltas[n_deltas / 2];
}

guint
fd_chart_series_find (FdChartSeries *series, gint64 t)
{
  guint lo = 0, hi = series->points->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (series->points, FdChartPoint, mid).t < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gboolean
fd_chart_is_gap (FdChartSeries *series, const FdChartPoint *a, const FdChartPoint *b)
{
  return a->count == 0 || b->count == 0
         || (series->spacing > 0 && (double)(b->t - a->t) > FD_CHART_GAP_FACTOR * series->spacing);
}

/* The visible points of @series: [*first, *last], one beyond the range either side. */
gboolean
fd_chart_visible (FdChart *self, FdChartSeries *series, guint *first, guint *last)
{
  guint n = series->points->len;
  guint a, b;

  if (n == 0)
    return FALSE;
  a = fd_chart_series_find (series, self->start);
  b = fd_chart_series_find (series, self->end);
  *first = a > 0 ? a - 1 : 0;
  *last = b < n ? b : n - 1;
  return *first <= *last;
}

/* What a screen reader says: the series (the first few by name), the unit and the range. */
static void
fd_chart_update_accessible (FdChart *self)
{
  g_autoptr (GDateTime) from = g_date_time_new_from_unix_local (self->start / 1000);
  g_autoptr (GDateTime) to = g_date_time_new_from_unix_local (self->end / 1000);
  g_autofree char *from_text = from ? g_date_time_format (from, "%c") : g_strdup ("?");
  g_autofree char *to_text = to ? g_date_time_format (to, "%c") : g_strdup ("?");
  g_autoptr (GString) label = g_string_new (NULL);

  if (self->series->len == 0)
    g_string_printf (label, _ ("Chart from %s to %s: %s"), from_text, to_text,
                     self->empty_text ? self->empty_text : _ ("no data"));
  else
    {
      g_string_printf (
          label, g_dngettext (NULL, "Chart of %u series", "Chart of %u series", self->series->len),
          self->series->len);
      for (guint i = 0; i < self->series->len && i < 5; i++)
        g_string_append_printf (label, "%s%s", i == 0 ? " (" : ", ",
                                ((FdChartSeries *)g_ptr_array_index (self->series, i))->label);
      g_string_append (label, self->series->len > 5 ? ", …)" : ")");
      if (self->unit != NULL)
        g_string_append_printf (label, _ (" in %s"), self->unit);
      g_string_append_printf (label, _ (" from %s to %s"), from_text, to_text);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label->str,
                                  -1);
}

void
fd_chart_invalidate (FdChart *self)
{
  self->layout_dirty = TRUE;
  g_clear_object (&self->plot_texture);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
fd_chart_changed (FdChart *self)
{
  fd_chart_invalidate (self);
  fd_chart_update_accessible (self);
}

double
fd_chart_x_of (FdChart *self, gint64 t)
{
  return self->plot.x + (double)(t - self->start) * self->plot.width / (self->end - self->start);
}

gint64
fd_chart_t_of (FdChart *self, double x)
{
  if (self->plot.width <= 0)
    return self->start;
  return self->start
         + (gint64)llround ((x - self->plot.x) / self->plot.width
                            * (double)(self->end - self->start));
}

double
fd_chart_y_of (FdChart *self, double value)
{
  return self->plot.y + self->plot.height
         - (value - self->vmin) * self->plot.height / (self->vmax - self->vmin);
}

/* Range changes by the user */

static void
fd_chart_emit_range_changed (FdChart *self)
{
  g_clear_handle_id (&self->range_changed_source, g_source_remove);
  g_signal_emit (self, signals[SIGNAL_RANGE_CHANGED], 0, self->start, self->end);
}

static gboolean
fd_chart_gesture_ended_cb (gpointer data)
{
  FdChart *self = data;

  self->range_changed_source = 0;
  g_signal_emit (self, signals[SIGNAL_RANGE_CHANGED], 0, self->start, self->end);
  return G_SOURCE_REMOVE;
}

void
fd_chart_user_set_range (FdChart *self, gint64 start, gint64 end, gboolean now)
{
  if (end - start < FD_CHART_MIN_SPAN)
    {
      gint64 middle = start + (end - start) / 2;
      start = middle - FD_CHART_MIN_SPAN / 2;
      end = start + FD_CHART_MIN_SPAN;
    }
  if (start == self->start && end == self->end)
    return;

  self->start = start;
  self->end = end;
  fd_chart_changed (self);

  if (self->live)
    {
      self->live = FALSE;
      g_signal_emit (self, signals[SIGNAL_LIVE_STOPPED], 0);
    }

  if (now)
    fd_chart_emit_range_changed (self);
  else
    {
      g_clear_handle_id (&self->range_changed_source, g_source_remove);
      self->range_changed_source
          = g_timeout_add (FD_CHART_GESTURE_END_MS, fd_chart_gesture_ended_cb, self);
    }
}

void
fd_chart_user_zoom (FdChart *self, double factor, double x, gboolean now)
{
  double span = (double)(self->end - self->start);
  double anchor;
  double fraction = 0.5;

  if (self->plot.width > 0)
    fraction = CLAMP ((x - self->plot.x) / self->plot.width, 0, 1);
  anchor = self->start + fraction * span;
  span = CLAMP (span * factor, FD_CHART_MIN_SPAN, FD_CHART_MAX_SPAN);
  fd_chart_user_set_range (self, (gint64)llround (anchor - fraction * span),
                           (gint64)llround (anchor + (1 - fraction) * span), now);
}

void
fd_chart_user_pan (FdChart *self, double fraction, gboolean now)
{
  gint64 shift = (gint64)llround ((double)(self->end - self->start) * fraction);

  if (shift == 0)
    shift = fraction < 0 ? -1 : 1;
  fd_chart_user_set_range (self, self->start + shift, self->end + shift, now);
}

void
fd_chart_zoom_to_selection (FdChart *self, double x0, double x1)
{
  double left = MAX (MIN (x0, x1), self->plot.x);
  double right = MIN (MAX (x0, x1), self->plot.x + self->plot.width);

  if (right - left < 1)
    return;
  fd_chart_user_set_range (self, fd_chart_t_of (self, left), fd_chart_t_of (self, right), TRUE);
}

/* The public API */

GtkWidget *
fd_chart_new (void)
{
  return g_object_new (FD_TYPE_CHART, NULL);
}

void
fd_chart_clear (FdChart *self)
{
  g_return_if_fail (FD_IS_CHART (self));

  g_ptr_array_set_size (self->series, 0);
  self->next_colour = 0;
  fd_chart_changed (self);
}

void
fd_chart_set_series (FdChart *self, const char *id, const char *label, const FdChartPoint *points,
                     guint n_points)
{
  FdChartSeries *series;

  g_return_if_fail (FD_IS_CHART (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (points != NULL || n_points == 0);

  series = fd_chart_lookup (self, id);
  if (series == NULL)
    {
      series = g_new0 (FdChartSeries, 1);
      series->id = g_strdup (id);
      series->points = g_array_new (FALSE, FALSE, sizeof (FdChartPoint));
      series->colour = self->next_colour++;
      g_ptr_array_add (self->series, series);
    }
  if (g_strcmp0 (series->label, label) != 0 || series->label == NULL)
    {
      g_free (series->label);
      series->label = g_strdup (label != NULL ? label : id);
      g_clear_object (&series->legend_layout);
    }
  g_array_set_size (series->points, 0);
  g_array_append_vals (series->points, points, n_points);
  fd_chart_series_measure (series);
  fd_chart_changed (self);
}

void
fd_chart_append_points (FdChart *self, const char *id, const FdChartPoint *points, guint n_points)
{
  FdChartSeries *series;
  guint added = 0;

  g_return_if_fail (FD_IS_CHART (self));
  g_return_if_fail (points != NULL || n_points == 0);

  series = fd_chart_lookup (self, id);
  if (series == NULL)
    {
      fd_chart_set_series (self, id, id, NULL, 0);
      series = fd_chart_lookup (self, id);
    }

  for (guint i = 0; i < n_points; i++)
    {
      guint n = series->points->len;
      if (n > 0 && points[i].t <= g_array_index (series->points, FdChartPoint, n - 1).t)
        continue;
      g_array_append_val (series->points, points[i]);
      added++;
    }
  if (added == 0)
    return;
  if (series->spacing == 0 || !series->spread)
    fd_chart_series_measure (series);

  if (self->live)
    {
      gint64 span = self->end - self->start;
      gint64 newest = g_array_index (series->points, FdChartPoint, series->points->len - 1).t;
      gint64 end = MAX (g_get_real_time () / 1000, newest + 1);
      guint old;

      self->end = end;
      self->start = end - span;
      /* Live data would grow for ever: keep one more range's worth before the start. */
      old = fd_chart_series_find (series, self->start - span);
      if (old > 0)
        g_array_remove_range (series->points, 0, old);
    }
  fd_chart_changed (self);
}

void
fd_chart_remove_series (FdChart *self, const char *id)
{
  g_return_if_fail (FD_IS_CHART (self));

  for (guint i = 0; i < self->series->len; i++)
    if (strcmp (((FdChartSeries *)g_ptr_array_index (self->series, i))->id, id) == 0)
      {
        g_ptr_array_remove_index (self->series, i);
        fd_chart_changed (self);
        return;
      }
}

guint
fd_chart_get_n_series (FdChart *self)
{
  g_return_val_if_fail (FD_IS_CHART (self), 0);
  return self->series->len;
}

void
fd_chart_set_range (FdChart *self, gint64 start, gint64 end)
{
  g_return_if_fail (FD_IS_CHART (self));
  g_return_if_fail (end > start);

  /* A scroll that has not ended yet must not report a range the page has replaced. */
  g_clear_handle_id (&self->range_changed_source, g_source_remove);
  self->start = self->home_start = start;
  self->end = self->home_end = end;
  fd_chart_changed (self);
}

void
fd_chart_get_range (FdChart *self, gint64 *start, gint64 *end)
{
  g_return_if_fail (FD_IS_CHART (self));

  if (start != NULL)
    *start = self->start;
  if (end != NULL)
    *end = self->end;
}

void
fd_chart_set_unit (FdChart *self, const char *unit)
{
  g_return_if_fail (FD_IS_CHART (self));

  g_free (self->unit);
  self->unit = (unit != NULL && unit[0] != '\0') ? g_strdup (unit) : NULL;
  fd_chart_changed (self);
}

void
fd_chart_set_empty_text (FdChart *self, const char *text)
{
  g_return_if_fail (FD_IS_CHART (self));

  g_free (self->empty_text);
  self->empty_text = g_strdup (text);
  g_clear_object (&self->empty_layout);
  fd_chart_changed (self);
}

guint
fd_chart_get_wanted_points (FdChart *self)
{
  int width;

  g_return_val_if_fail (FD_IS_CHART (self), 2);

  if (self->layout_dirty && gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    fd_chart_update_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                            gtk_widget_get_height (GTK_WIDGET (self)));
  width = self->plot.width > 0 ? (int)self->plot.width : 1000;
  return CLAMP (width / 2, 2, 10000);
}

void
fd_chart_set_live (FdChart *self, gboolean live)
{
  g_return_if_fail (FD_IS_CHART (self));

  live = !!live;
  if (self->live == live)
    return;
  self->live = live;
  if (live)
    {
      gint64 span = self->end - self->start;
      self->end = g_get_real_time () / 1000;
      self->start = self->end - span;
      fd_chart_changed (self);
    }
}

gboolean
fd_chart_get_live (FdChart *self)
{
  g_return_val_if_fail (FD_IS_CHART (self), FALSE);
  return self->live;
}

/* The object */

static void
fd_chart_dark_changed_cb (AdwStyleManager *manager, GParamSpec *pspec, gpointer data)
{
  FdChart *self = data;

  self->dark = adw_style_manager_get_dark (manager);
  fd_chart_invalidate (self);
}

static void
fd_chart_scale_changed_cb (FdChart *self, GParamSpec *pspec, gpointer data)
{
  fd_chart_invalidate (self);
}

static void
fd_chart_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  FdChart *self = FD_CHART (widget);

  if (width == self->alloc_width && height == self->alloc_height && !self->layout_dirty)
    return;
  self->alloc_width = width;
  self->alloc_height = height;
  fd_chart_invalidate (self);
  fd_chart_update_layout (self, width, height);
}

static void
fd_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                  int *natural, int *minimum_baseline, int *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 640;
    }
  else
    {
      *minimum = 180;
      *natural = 360;
    }
}

static void
fd_chart_system_setting_changed (GtkWidget *widget, GtkSystemSetting setting)
{
  FdChart *self = FD_CHART (widget);

  /* Fonts may have changed: every cached layout is stale. */
  g_hash_table_remove_all (self->layouts);
  g_clear_object (&self->empty_layout);
  g_clear_object (&self->more_layout);
  for (guint i = 0; i < self->series->len; i++)
    g_clear_object (&((FdChartSeries *)g_ptr_array_index (self->series, i))->legend_layout);
  fd_chart_invalidate (self);
  GTK_WIDGET_CLASS (fd_chart_parent_class)->system_setting_changed (widget, setting);
}

static void
fd_chart_dispose (GObject *object)
{
  FdChart *self = FD_CHART (object);

  g_clear_handle_id (&self->range_changed_source, g_source_remove);
  G_OBJECT_CLASS (fd_chart_parent_class)->dispose (object);
}

static void
fd_chart_finalize (GObject *object)
{
  FdChart *self = FD_CHART (object);

  g_ptr_array_unref (self->series);
  g_hash_table_unref (self->layouts);
  g_clear_object (&self->empty_layout);
  g_clear_object (&self->more_layout);
  g_clear_object (&self->plot_texture);
  g_free (self->unit);
  g_free (self->empty_text);
  G_OBJECT_CLASS (fd_chart_parent_class)->finalize (object);
}

static void
fd_chart_class_init (FdChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_chart_dispose;
  object_class->finalize = fd_chart_finalize;
  widget_class->measure = fd_chart_measure;
  widget_class->size_allocate = fd_chart_size_allocate;
  widget_class->snapshot = fd_chart_snapshot;
  widget_class->query_tooltip = fd_chart_query_tooltip;
  widget_class->system_setting_changed = fd_chart_system_setting_changed;

  signals[SIGNAL_RANGE_CHANGED]
      = g_signal_new ("range-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
  signals[SIGNAL_LIVE_STOPPED]
      = g_signal_new ("live-stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                      NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "fdchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  fd_chart_class_install_keys (widget_class);
}

static void
fd_chart_init (FdChart *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  gint64 now = g_get_real_time () / 1000;

  self->series = g_ptr_array_new_with_free_func (fd_chart_series_free);
  self->layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->end = self->home_end = now;
  self->start = self->home_start = now - 24 * 3600 * 1000;
  self->vmin = 0;
  self->vmax = 1;
  self->vstep = 0.2;
  self->layout_dirty = TRUE;
  self->dark = adw_style_manager_get_dark (manager);
  g_signal_connect_object (manager, "notify::dark", G_CALLBACK (fd_chart_dark_changed_cb), self, 0);
  /* The lines' texture is drawn at the scale of the monitor the window is on. */
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (fd_chart_scale_changed_cb), NULL);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  fd_chart_install_input (self);
  fd_chart_update_accessible (self);
}
