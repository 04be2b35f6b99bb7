/* fd-chart-raster.c — the chart's lines and min..max bands, rasterised into a texture. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fd-chart-private.h"

/* Each series is a function of time, so it is rasterised a pixel column at a time: in each
 * column the part of the line (or band) that crosses it is one vertical span, from the lowest
 * to the highest value it reaches there, which is painted once with fractional coverage at
 * its two ends. That costs one span per column and series whatever the number of points, and
 * no column is painted twice by the same series (no darker joints where segments meet).
 */

typedef struct
{
  guchar *data; /* premultiplied, B G R A in memory */
  int width, height, stride;
  double scale;
  double half;      /* half the line width, in device pixels */
  guint8 colour[4]; /* premultiplied, in memory order */
  double alpha;
} FdChartCanvas;

typedef struct
{
  int column; /* G_MININT: none yet */
  double lo, hi;
} FdChartColumn;

static void
fd_chart_paint_span (FdChartCanvas *canvas, int x, double top, double bottom)
{
  guchar *p;
  int first, last;

  if (x < 0 || x >= canvas->width || bottom <= 0 || top >= canvas->height)
    return;
  top = MAX (top, 0);
  bottom = MIN (bottom, canvas->height);
  first = (int)floor (top);
  last = (int)ceil (bottom) - 1;
  p = canvas->data + (gsize)first * canvas->stride + (gsize)x * 4;
  for (int y = first; y <= last; y++, p += canvas->stride)
    {
      double cover = MIN (bottom, y + 1) - MAX (top, y);
      int a = (int)(cover * canvas->alpha * 255 + 0.5);

      if (a <= 0)
        continue;
      if (a >= 255)
        {
          memcpy (p, canvas->colour, 4); /* the inside of an opaque line */
          continue;
        }
      for (int k = 0; k < 4; k++)
        p[k] = (guchar)((canvas->colour[k] * a + p[k] * (255 - a) + 127) / 255);
    }
}

static void
fd_chart_column_flush (FdChartCanvas *canvas, FdChartColumn *column, double pad)
{
  if (column->column != G_MININT)
    fd_chart_paint_span (canvas, column->column, column->lo - pad, column->hi + pad);
  column->column = G_MININT;
}

/* Adds the part of [x0, x1] × [lo, hi] in each column, interpolated linearly. */
static void
fd_chart_column_add (FdChartCanvas *canvas, FdChartColumn *column, double x0, double lo0,
                     double hi0, double x1, double lo1, double hi1, double pad)
{
  int c0 = (int)floor (x0), c1 = (int)floor (x1);

  /* Only the columns on the texture (and one either side) matter. */
  c0 = MAX (c0, -1);
  c1 = MIN (c1, canvas->width);
  for (int c = c0; c <= c1; c++)
    {
      double a = MAX (x0, c), b = MIN (x1, c + 1);
      double fa = x1 > x0 ? (a - x0) / (x1 - x0) : 0, fb = x1 > x0 ? (b - x0) / (x1 - x0) : 1;
      double la = lo0 + (lo1 - lo0) * fa, lb = lo0 + (lo1 - lo0) * fb;
      double ha = hi0 + (hi1 - hi0) * fa, hb = hi0 + (hi1 - hi0) * fb;
      double lo = MIN (MIN (la, lb), MIN (ha, hb)), hi = MAX (MAX (la, lb), MAX (ha, hb));

      if (column->column != c)
        {
          fd_chart_column_flush (canvas, column, pad);
          column->column = c;
          column->lo = lo;
          column->hi = hi;
        }
      else
        {
          column->lo = MIN (column->lo, lo);
          column->hi = MAX (column->hi, hi);
        }
    }
}

typedef enum
{
  FD_CHART_BAND,
  FD_CHART_LINE,
} FdChartPass;

static void
fd_chart_draw_series (FdChart *self, FdChartCanvas *canvas, FdChartSeries *series, FdChartPass pass)
{
  gboolean band = pass == FD_CHART_BAND;
  double pad = band ? 0 : canvas->half;
  FdChartColumn column = { G_MININT, 0, 0 };
  GdkRGBA colour;
  guint first, last;
  gboolean open = FALSE;
  double px = 0, plo = 0, phi = 0;

  if (!fd_chart_visible (self, series, &first, &last) || (band && !series->spread))
    return;
  fd_chart_colour (self, series->colour, &colour);
  canvas->alpha = band ? FD_CHART_BAND_ALPHA : 1;
  canvas->colour[0] = (guint8)(colour.blue * 255 + 0.5);
  canvas->colour[1] = (guint8)(colour.green * 255 + 0.5);
  canvas->colour[2] = (guint8)(colour.red * 255 + 0.5);
  canvas->colour[3] = 255;

  for (guint i = first; i <= last; i++)
    {
      const FdChartPoint *p = &g_array_index (series->points, FdChartPoint, i);
      double x, lo, hi;

      if (p->count == 0)
        {
          fd_chart_column_flush (canvas, &column, pad);
          open = FALSE;
          continue;
        }
      x = (fd_chart_x_of (self, p->t) - self->plot.x) * canvas->scale;
      lo = (fd_chart_y_of (self, band ? p->max : p->avg) - self->plot.y) * canvas->scale;
      hi = (fd_chart_y_of (self, band ? p->min : p->avg) - self->plot.y) * canvas->scale;

      if (open && !fd_chart_is_gap (series, p - 1, p))
        fd_chart_column_add (canvas, &column, px, plo, phi, x, lo, hi, pad);
      else
        {
          /* A run starts: a lone point shows as a dot (its band as a bar) until joined. */
          fd_chart_column_flush (canvas, &column, pad);
          if (i == last || p[1].count == 0 || fd_chart_is_gap (series, p, p + 1))
            {
              double r = band ? 0 : canvas->half + 0.5 * canvas->scale;
              for (int c = (int)floor (x - r); c <= (int)floor (x + r); c++)
                fd_chart_paint_span (canvas, c, lo - r, hi + r);
            }
        }
      open = TRUE;
      px = x;
      plo = lo;
      phi = hi;
    }
  fd_chart_column_flush (canvas, &column, pad);
}

GdkTexture *
fd_chart_render_plot (FdChart *self)
{
  FdChartCanvas canvas = { 0 };
  GBytes *bytes;
  GdkTexture *texture;

  canvas.scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  canvas.half = FD_CHART_LINE_WIDTH * canvas.scale / 2;
  canvas.width = MAX (1, (int)ceil (self->plot.width * canvas.scale));
  canvas.height = MAX (1, (int)ceil (self->plot.height * canvas.scale));
  canvas.stride = canvas.width * 4;
  canvas.data = g_malloc0 ((gsize)canvas.stride * canvas.height);

  /* Every band under every line, so no band hides another series' line. */
  for (guint i = 0; i < self->series->len; i++)
    fd_chart_draw_series (self, &canvas, g_ptr_array_index (self->series, i), FD_CHART_BAND);
  for (guint i = 0; i < self->series->len; i++)
    fd_chart_draw_series (self, &canvas, g_ptr_array_index (self->series, i), FD_CHART_LINE);

  bytes = g_bytes_new_take (canvas.data, (gsize)canvas.stride * canvas.height);
  texture = gdk_memory_texture_new (canvas.width, canvas.height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                    bytes, canvas.stride);
  g_bytes_unref (bytes);
  return texture;
}
