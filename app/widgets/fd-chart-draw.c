/* fd-chart-draw.c — the chart's layout and drawing.
 *
 * The lines and bands are rasterised into a texture once per change of data, range, size or
 * style; hovering and selecting redraw only the guide and the rectangle over it, so a chart of
 * 200 series × 2000 points follows the pointer without drawing them again. Only the points
 * inside the range (and one either side) are walked, and nothing is allocated per point.
 * Labels are Pango layouts kept in a cache by text.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fd-chart-private.h"

#define FD_CHART_PAD 8
#define FD_CHART_TICK 4
#define FD_CHART_SWATCH 12
/* Beyond this many cached label layouts the cache starts again. */
#define FD_CHART_MAX_LAYOUTS 512

PangoLayout *
fd_chart_layout (FdChart *self, const char *text)
{
  PangoLayout *layout = g_hash_table_lookup (self->layouts, text);

  if (layout == NULL)
    {
      if (g_hash_table_size (self->layouts) >= FD_CHART_MAX_LAYOUTS)
        g_hash_table_remove_all (self->layouts);
      layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
      g_hash_table_insert (self->layouts, g_strdup (text), layout);
    }
  return layout;
}

static void
fd_chart_text_size (PangoLayout *layout, int *width, int *height)
{
  pango_layout_get_pixel_size (layout, width, height);
}

static void
fd_chart_foreground (FdChart *self, double alpha, GdkRGBA *rgba)
{
  double v = self->dark ? 1.0 : 0.0;

  *rgba = (GdkRGBA){ v, v, v, (self->dark ? 1.0 : 0.8) * alpha };
}

/* Widens [*min, *max] to the value the line between @a and @b has at @t, if they are joined
 * and @t is between them: a line that crosses the edge of the range is drawn, so it counts. */
static void
fd_chart_include_crossing (FdChartSeries *series, const FdChartPoint *a, const FdChartPoint *b,
                           gint64 t, double *min, double *max)
{
  double f;

  if (a->t >= t || b->t < t || fd_chart_is_gap (series, a, b))
    return;
  f = (double)(t - a->t) / (double)(b->t - a->t);
  if (series->spread)
    {
      *min = MIN (*min, a->min + (b->min - a->min) * f);
      *max = MAX (*max, a->max + (b->max - a->max) * f);
    }
  *min = MIN (*min, a->avg + (b->avg - a->avg) * f);
  *max = MAX (*max, a->avg + (b->avg - a->avg) * f);
}

static void
fd_chart_value_range (FdChart *self, double *lo, double *hi)
{
  double min = G_MAXDOUBLE, max = -G_MAXDOUBLE;

  for (guint i = 0; i < self->series->len; i++)
    {
      FdChartSeries *series = g_ptr_array_index (self->series, i);
      guint first, last;

      if (!fd_chart_visible (self, series, &first, &last))
        continue;
      for (guint j = first; j <= last; j++)
        {
          const FdChartPoint *p = &g_array_index (series->points, FdChartPoint, j);

          if (j > first)
            {
              fd_chart_include_crossing (series, p - 1, p, self->start, &min, &max);
              fd_chart_include_crossing (series, p - 1, p, self->end, &min, &max);
            }
          if (p->count == 0 || p->t < self->start || p->t >= self->end)
            continue;
          min = MIN (min, series->spread ? MIN (p->min, p->avg) : p->avg);
          max = MAX (max, series->spread ? MAX (p->max, p->avg) : p->avg);
        }
    }
  if (min > max)
    min = 0, max = 1;
  else if (min == max)
    {
      double pad = fabs (min) > 1 ? fabs (min) * 0.05 : 1;
      min -= pad;
      max += pad;
    }
  *lo = min;
  *hi = max;
}

static double
fd_chart_first_value_tick (FdChart *self)
{
  return ceil (self->vmin / self->vstep - 1e-6) * self->vstep;
}

static void
fd_chart_layout_legend (FdChart *self, int width, int height)
{
  double x = FD_CHART_PAD, row = 0;
  int line_height = 0;
  double room;
  guint rows_allowed;

  fd_chart_text_size (fd_chart_layout (self, "0"), NULL, &line_height);
  room = line_height + 6;
  /* The legend takes at most a third of the height; the rest is counted. */
  rows_allowed = MAX (1, (guint)((height / 3.0) / room));
  self->legend_hidden = 0;

  for (guint i = 0; i < self->series->len; i++)
    {
      FdChartSeries *series = g_ptr_array_index (self->series, i);
      int w;

      if (series->legend_layout == NULL)
        {
          series->legend_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), series->label);
          pango_layout_set_ellipsize (series->legend_layout, PANGO_ELLIPSIZE_END);
        }
      pango_layout_set_width (series->legend_layout, MAX (40, width / 2) * PANGO_SCALE);
      fd_chart_text_size (series->legend_layout, &w, NULL);
      if (x > FD_CHART_PAD && x + FD_CHART_SWATCH + 6 + w > width - FD_CHART_PAD)
        {
          x = FD_CHART_PAD;
          row++;
        }
      if (row >= rows_allowed)
        {
          self->legend_hidden = self->series->len - i;
          series->legend_box = GRAPHENE_RECT_INIT (0, 0, 0, 0);
          for (guint j = i + 1; j < self->series->len; j++)
            ((FdChartSeries *)g_ptr_array_index (self->series, j))->legend_box
                = GRAPHENE_RECT_INIT (0, 0, 0, 0);
          break;
        }
      series->legend_box = GRAPHENE_RECT_INIT (x, row * room, FD_CHART_SWATCH + 6 + w, line_height);
      x += FD_CHART_SWATCH + 6 + w + 16;
    }
  self->legend_height = self->series->len > 0 ? (MIN (row + 1, rows_allowed)) * room : 0;

  g_clear_object (&self->more_layout);
  if (self->legend_hidden > 0)
    {
      g_autofree char *more = g_strdup_printf ("+%u", self->legend_hidden);
      self->more_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), more);
    }
}

void
fd_chart_update_layout (FdChart *self, int width, int height)
{
  int line_height = 0, label_width = 0, w;
  double lo, hi, axis_width = 0;
  guint max_ticks;
  FdChartTimeUnit unit;
  g_autoptr (GTimeZone) tz = g_time_zone_new_local ();

  self->layout_dirty = FALSE;
  fd_chart_text_size (fd_chart_layout (self, "0"), NULL, &line_height);
  fd_chart_layout_legend (self, width, height);

  /* Top to bottom: padding, plot, ticks, time labels, their context, legend. */
  self->plot.y = FD_CHART_PAD + line_height / 2.0;
  self->plot.height = height - self->plot.y - FD_CHART_TICK - 2 * line_height - FD_CHART_PAD
                      - (self->legend_height > 0 ? self->legend_height + FD_CHART_PAD : 0);
  self->plot.height = MAX (self->plot.height, 10);

  fd_chart_value_range (self, &lo, &hi);
  max_ticks = MAX (2, (guint)(self->plot.height / (2.5 * line_height)));
  self->vstep = fd_chart_nice_step (hi - lo, max_ticks);
  /* The axis ends on ticks unless that would leave much of the height empty. */
  self->vmin = floor (lo / self->vstep) * self->vstep;
  self->vmax = ceil (hi / self->vstep) * self->vstep;
  if (lo - self->vmin > 0.15 * (hi - lo))
    self->vmin = lo - 0.04 * (hi - lo);
  if (self->vmax - hi > 0.15 * (hi - lo))
    self->vmax = hi + 0.04 * (hi - lo);
  if (self->vmax <= self->vmin)
    self->vmax = self->vmin + self->vstep;

  for (double v = fd_chart_first_value_tick (self); v <= self->vmax + self->vstep * 1e-6;
       v += self->vstep)
    {
      g_autofree char *text = fd_chart_format_value (v, self->vstep, self->unit);
      fd_chart_text_size (fd_chart_layout (self, text), &w, NULL);
      axis_width = MAX (axis_width, w);
    }
  self->plot.x = FD_CHART_PAD + axis_width + FD_CHART_TICK + 2;
  self->plot.width = MAX (width - self->plot.x - 2 * FD_CHART_PAD - 8, 10);

  /* As many time ticks as their labels leave room for; seconds' labels are wider. */
  fd_chart_text_size (fd_chart_layout (self, "00:00"), &label_width, NULL);
  max_ticks = MAX (2, (guint)(self->plot.width / (label_width + 3 * FD_CHART_PAD)));
  self->n_time_ticks
      = fd_chart_time_ticks (self->start, self->end, max_ticks, tz, self->time_ticks, &unit);
  if (unit <= FD_CHART_TIME_SECOND)
    {
      fd_chart_text_size (
          fd_chart_layout (self, unit == FD_CHART_TIME_MS ? "00:00:00.000" : "00:00:00"),
          &label_width, NULL);
      max_ticks = MAX (2, (guint)(self->plot.width / (label_width + 3 * FD_CHART_PAD)));
      self->n_time_ticks
          = fd_chart_time_ticks (self->start, self->end, max_ticks, tz, self->time_ticks, &unit);
    }
  for (guint i = 0; i < self->n_time_ticks; i++)
    {
      fd_chart_layout (self, self->time_ticks[i].label);
      if (self->time_ticks[i].context[0] != '\0')
        fd_chart_layout (self, self->time_ticks[i].context);
    }
}

/* The plot texture: fd-chart-raster.c */

/* The frame */

static void
fd_chart_append_text (GtkSnapshot *snapshot, PangoLayout *layout, double x, double y,
                      const GdkRGBA *colour)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (floor (x), floor (y)));
  gtk_snapshot_append_layout (snapshot, layout, colour);
  gtk_snapshot_restore (snapshot);
}

static void
fd_chart_draw_axes (FdChart *self, GtkSnapshot *snapshot, int width, gboolean values)
{
  GdkRGBA text, grid, axis;
  double bottom = self->plot.y + self->plot.height;
  double context_end = -G_MAXDOUBLE;
  int w, h;

  fd_chart_foreground (self, 0.7, &text);
  fd_chart_foreground (self, 0.1, &grid);
  fd_chart_foreground (self, 0.35, &axis);

  /* With nothing to show, a value scale would only be made up. */
  for (double v = fd_chart_first_value_tick (self); values && v <= self->vmax + self->vstep * 1e-6;
       v += self->vstep)
    {
      g_autofree char *label = fd_chart_format_value (v, self->vstep, self->unit);
      PangoLayout *layout = fd_chart_layout (self, label);
      double y = round (fd_chart_y_of (self, v));

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (self->plot.x, y, self->plot.width, 1));
      fd_chart_text_size (layout, &w, &h);
      fd_chart_append_text (snapshot, layout, self->plot.x - FD_CHART_TICK - 2 - w, y - h / 2.0,
                            &text);
    }

  for (guint i = 0; i < self->n_time_ticks; i++)
    {
      const FdChartTimeTick *tick = &self->time_ticks[i];
      PangoLayout *layout = fd_chart_layout (self, tick->label);
      double x = round (fd_chart_x_of (self, tick->t));
      double left;

      gtk_snapshot_append_color (snapshot, &grid,
                                 &GRAPHENE_RECT_INIT (x, self->plot.y, 1, self->plot.height));
      gtk_snapshot_append_color (snapshot, &axis,
                                 &GRAPHENE_RECT_INIT (x, bottom, 1, FD_CHART_TICK));
      fd_chart_text_size (layout, &w, &h);
      left = CLAMP (x - w / 2.0, 0, width - w);
      fd_chart_append_text (snapshot, layout, left, bottom + FD_CHART_TICK, &text);

      if (tick->context[0] != '\0')
        {
          PangoLayout *context = fd_chart_layout (self, tick->context);
          int cw;

          fd_chart_text_size (context, &cw, NULL);
          left = CLAMP (x - w / 2.0, 0, width - cw);
          /* Where two would overlap (the first tick just before a change), the later wins
           * only if there is room after the earlier. */
          if (left > context_end + FD_CHART_PAD)
            {
              fd_chart_append_text (snapshot, context, left, bottom + FD_CHART_TICK + h, &axis);
              context_end = left + cw;
            }
        }
    }

  gtk_snapshot_append_color (snapshot, &axis,
                             &GRAPHENE_RECT_INIT (self->plot.x, bottom, self->plot.width, 1));
}

static void
fd_chart_draw_legend (FdChart *self, GtkSnapshot *snapshot, int height)
{
  double top = height - FD_CHART_PAD - self->legend_height;
  GdkRGBA text;
  double right = 0, row = 0;

  fd_chart_foreground (self, 1, &text);
  for (guint i = 0; i < self->series->len; i++)
    {
      FdChartSeries *series = g_ptr_array_index (self->series, i);
      const graphene_rect_t *box = &series->legend_box;
      GdkRGBA colour;

      if (box->size.width == 0)
        break;
      fd_chart_colour (self, series->colour, &colour);
      gtk_snapshot_append_color (
          snapshot, &colour,
          &GRAPHENE_RECT_INIT (box->origin.x,
                               top + box->origin.y + (box->size.height - FD_CHART_SWATCH) / 2.0,
                               FD_CHART_SWATCH, FD_CHART_SWATCH));
      fd_chart_append_text (snapshot, series->legend_layout, box->origin.x + FD_CHART_SWATCH + 6,
                            top + box->origin.y, &text);
      right = box->origin.x + box->size.width;
      row = box->origin.y;
    }
  if (self->more_layout != NULL)
    {
      fd_chart_foreground (self, 0.6, &text);
      fd_chart_append_text (snapshot, self->more_layout, right + 16, top + row, &text);
    }
}

static gboolean
fd_chart_has_visible_points (FdChart *self)
{
  for (guint i = 0; i < self->series->len; i++)
    {
      FdChartSeries *series = g_ptr_array_index (self->series, i);
      guint k = fd_chart_series_find (series, self->start);
      FdChartPoint *points = (FdChartPoint *)series->points->data;

      /* A line drawn across the start (maybe across the whole range) counts. */
      if (k > 0 && k < series->points->len && !fd_chart_is_gap (series, &points[k - 1], &points[k]))
        return TRUE;
      for (; k < series->points->len; k++)
        {
          const FdChartPoint *p = &g_array_index (series->points, FdChartPoint, k);
          if (p->t >= self->end)
            break;
          if (p->count > 0)
            return TRUE;
        }
    }
  return FALSE;
}

static void
fd_chart_draw_hover (FdChart *self, GtkSnapshot *snapshot)
{
  GdkRGBA guide;
  gint64 t;
  guint dots = 0;

  if (self->hover_x < self->plot.x || self->hover_x > self->plot.x + self->plot.width
      || self->hover_y < self->plot.y || self->hover_y > self->plot.y + self->plot.height)
    return;

  fd_chart_foreground (self, 0.45, &guide);
  gtk_snapshot_append_color (
      snapshot, &guide,
      &GRAPHENE_RECT_INIT (round (self->hover_x), self->plot.y, 1, self->plot.height));

  /* A dot on the nearest point of each series (as many as the tooltip names). */
  t = fd_chart_t_of (self, self->hover_x);
  for (guint i = 0; i < self->series->len && dots < FD_CHART_TOOLTIP_SERIES * 4; i++)
    {
      FdChartSeries *series = g_ptr_array_index (self->series, i);
      guint k = fd_chart_series_find (series, t);
      const FdChartPoint *best = NULL;
      GdkRGBA colour;

      for (guint j = k > 0 ? k - 1 : 0; j <= k && j < series->points->len; j++)
        {
          const FdChartPoint *p = &g_array_index (series->points, FdChartPoint, j);
          if (p->count > 0 && (best == NULL || llabs (p->t - t) < llabs (best->t - t)))
            best = p;
        }
      if (best == NULL || best->t < self->start || best->t >= self->end
          || fabs (fd_chart_x_of (self, best->t) - self->hover_x)
                 > MAX (8, series->spacing * self->plot.width / (self->end - self->start)))
        continue;

      fd_chart_colour (self, series->colour, &colour);
      {
        double x = fd_chart_x_of (self, best->t), y = fd_chart_y_of (self, best->avg);
        GskRoundedRect dot;

        gsk_rounded_rect_init_from_rect (&dot, &GRAPHENE_RECT_INIT (x - 4, y - 4, 8, 8), 4);
        gtk_snapshot_push_rounded_clip (snapshot, &dot);
        gtk_snapshot_append_color (snapshot, &colour, &dot.bounds);
        gtk_snapshot_pop (snapshot);
      }
      dots++;
    }
}

void
fd_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  FdChart *self = FD_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean has_points;

  if (width <= 0 || height <= 0)
    return;
  if (self->layout_dirty)
    fd_chart_update_layout (self, width, height);

  has_points = fd_chart_has_visible_points (self);
  fd_chart_draw_axes (self, snapshot, width, has_points);
  if (self->series->len > 0)
    fd_chart_draw_legend (self, snapshot, height);

  if (!has_points)
    {
      GdkRGBA dim;
      int w, h;

      if (self->empty_text != NULL && self->empty_layout == NULL)
        self->empty_layout = gtk_widget_create_pango_layout (widget, self->empty_text);
      if (self->empty_layout != NULL)
        {
          fd_chart_foreground (self, 0.55, &dim);
          fd_chart_text_size (self->empty_layout, &w, &h);
          fd_chart_append_text (snapshot, self->empty_layout,
                                self->plot.x + (self->plot.width - w) / 2,
                                self->plot.y + (self->plot.height - h) / 2, &dim);
        }
    }
  else
    {
      if (self->plot_texture == NULL)
        self->plot_texture = fd_chart_render_plot (self);
      gtk_snapshot_append_texture (
          snapshot, self->plot_texture,
          &GRAPHENE_RECT_INIT (self->plot.x, self->plot.y, self->plot.width, self->plot.height));
    }

  if (self->selecting)
    {
      GdkRGBA fill = { 0.21, 0.52, 0.89, 0.18 }, edge = { 0.21, 0.52, 0.89, 0.7 };
      double left = CLAMP (MIN (self->select_x0, self->select_x1), self->plot.x,
                           self->plot.x + self->plot.width);
      double right = CLAMP (MAX (self->select_x0, self->select_x1), self->plot.x,
                            self->plot.x + self->plot.width);

      gtk_snapshot_append_color (
          snapshot, &fill,
          &GRAPHENE_RECT_INIT (left, self->plot.y, right - left, self->plot.height));
      gtk_snapshot_append_color (snapshot, &edge,
                                 &GRAPHENE_RECT_INIT (left, self->plot.y, 1, self->plot.height));
      gtk_snapshot_append_color (
          snapshot, &edge, &GRAPHENE_RECT_INIT (right - 1, self->plot.y, 1, self->plot.height));
    }
  else if (self->hovering)
    fd_chart_draw_hover (self, snapshot);

  if (gtk_widget_has_visible_focus (widget))
    {
      GdkRGBA accent = { 0.21, 0.52, 0.89, 0.5 };
      GskRoundedRect outline;
      float widths[4] = { 2, 2, 2, 2 };
      GdkRGBA colours[4] = { accent, accent, accent, accent };

      gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (1, 1, width - 2, height - 2),
                                       6);
      gtk_snapshot_append_border (snapshot, &outline, widths, colours);
    }
}
