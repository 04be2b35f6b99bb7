/* fd-chart-describe.c — what the chart's tooltip says at a point: the nearest point of each
 * series near the pointer (the closest in value first), with its local time, its average and,
 * for a bucket of several readings, their min–max. */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "fd-chart-private.h"

/* A value as the tooltip gives it: up to three decimals, no trailing zeros. */
static void
fd_chart_append_value (GString *text, double value, const char *unit)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  gsize len;

  if (fabs (value) >= 1e9)
    g_snprintf (buffer, sizeof buffer, "%.6g", value);
  else
    {
      g_snprintf (buffer, sizeof buffer, "%.3f", value);
      len = strlen (buffer);
      while (len > 0 && buffer[len - 1] == '0')
        buffer[--len] = '\0';
      if (len > 0 && (buffer[len - 1] == '.' || buffer[len - 1] == ','))
        buffer[--len] = '\0';
      if (strcmp (buffer, "-0") == 0)
        strcpy (buffer, "0");
    }
  g_string_append (text, buffer);
  if (unit != NULL)
    g_string_append_printf (text, " %s", unit);
}

typedef struct
{
  FdChartSeries *series;
  const FdChartPoint *point;
  double distance; /* vertical, in pixels, to the pointer */
} FdChartNear;

static int
fd_chart_near_compare (gconstpointer a, gconstpointer b)
{
  const FdChartNear *x = a, *y = b;

  return (x->distance > y->distance) - (x->distance < y->distance);
}

char *
fd_chart_describe_at (FdChart *self, double x, double y)
{
  g_autoptr (GArray) near = NULL;
  g_autoptr (GString) text = NULL;
  double reach;
  gint64 t;

  g_return_val_if_fail (FD_IS_CHART (self), NULL);

  if (self->layout_dirty && gtk_widget_get_width (GTK_WIDGET (self)) > 0)
    fd_chart_update_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                            gtk_widget_get_height (GTK_WIDGET (self)));
  if (self->plot.width <= 0 || x < self->plot.x - 1 || x > self->plot.x + self->plot.width + 1
      || y < self->plot.y - 1 || y > self->plot.y + self->plot.height + 1)
    return NULL;

  /* A point counts as near within a few pixels, or within its own spacing when wider. */
  t = fd_chart_t_of (self, x);
  near = g_array_new (FALSE, FALSE, sizeof (FdChartNear));
  for (guint i = 0; i < self->series->len; i++)
    {
      FdChartSeries *series = g_ptr_array_index (self->series, i);
      guint k = fd_chart_series_find (series, t);
      const FdChartPoint *best = NULL;
      double best_dx = G_MAXDOUBLE;

      for (guint j = k > 0 ? k - 1 : 0; j <= k && j < series->points->len; j++)
        {
          const FdChartPoint *p = &g_array_index (series->points, FdChartPoint, j);
          double dx = fabs (fd_chart_x_of (self, p->t) - x);
          if (p->count > 0 && dx < best_dx)
            {
              best = p;
              best_dx = dx;
            }
        }
      reach = MAX (8, series->spacing * self->plot.width / (self->end - self->start));
      if (best != NULL && best_dx <= reach && best->t >= self->start && best->t < self->end)
        {
          FdChartNear item = { series, best, fabs (fd_chart_y_of (self, best->avg) - y) };
          g_array_append_val (near, item);
        }
    }
  if (near->len == 0)
    return NULL;

  g_array_sort (near, fd_chart_near_compare);
  text = g_string_new (NULL);
  for (guint i = 0; i < near->len && i < FD_CHART_TOOLTIP_SERIES; i++)
    {
      const FdChartNear *item = &g_array_index (near, FdChartNear, i);
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (item->point->t / 1000);
      g_autoptr (GDateTime) at = g_date_time_add (utc, (item->point->t % 1000) * 1000);
      g_autoptr (GDateTime) local = g_date_time_to_local (at);
      g_autofree char *when = g_date_time_format (local, "%a %-d %b %Y %H:%M:%S");

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, "%s — %s — ", item->series->label, when);
      fd_chart_append_value (text, item->point->avg, self->unit);
      if (item->point->min != item->point->max)
        {
          g_string_append (text, " (");
          fd_chart_append_value (text, item->point->min, NULL);
          g_string_append (text, "–");
          fd_chart_append_value (text, item->point->max, self->unit);
          g_string_append (text, ")");
        }
    }
  if (near->len > FD_CHART_TOOLTIP_SERIES)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _ ("and %u more"), near->len - FD_CHART_TOOLTIP_SERIES);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
