/* test-gui-chart.c — the chart widget (FdChart) in a real window under Xvfb.
 *
 * Three series over two hours: sensor-a with a hole in its data and an empty bucket,
 * sensor-b whose buckets have a min..max spread, sensor-c a ramp. The test takes screenshots
 * (light and dark style, hover, selection, focus, the time axis at 1 min … 3 years) into
 * $FD_BUILD_DIR/tests/gui-shots/ and checks the pixels of the first two: the line's colour
 * where the line runs, none of it in the hole, the band's tint. It checks what the tooltip says
 * over a known point; that a drag (through the gesture's own handlers), the keys and panning
 * emit "range-changed" once, at the end of the gesture, with the expected range; live mode; and
 * reports the CPU cost of drawing 200 series × 2000 points.
 * Times are checked in Europe/Rome (TZ is set below) to see that labels are in local time.
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <time.h>

#include "fd-chart-private.h"
#include "fd-gui-util.h"

#define T0 G_GINT64_CONSTANT (1796126400000) /* 2026-12-01T12:00:00Z, 13:00 in Rome */
#define MIN_MS 60000

static GtkWidget *window;
static FdChart *chart;

typedef struct
{
  guint emitted;
  gint64 start, end;
  guint live_stopped;
} Signals;

static Signals signals;

static void
range_changed_cb (FdChart *c, gint64 start, gint64 end, gpointer data)
{
  signals.emitted++;
  signals.start = start;
  signals.end = end;
}

static void
live_stopped_cb (FdChart *c, gpointer data)
{
  signals.live_stopped++;
}

static double
value_a (int minute)
{
  return 22 + 2 * sin (minute / 10.0);
}

static void
fill_chart (void)
{
  FdChartPoint a[120], b[120], c[120];
  guint na = 0;

  for (int m = 0; m < 120; m++)
    {
      /* sensor-a: nothing from 12:40 to 12:59, an empty bucket at 13:30 */
      if (m < 40 || m >= 60)
        a[na++] = (FdChartPoint){ T0 + m * MIN_MS, value_a (m), value_a (m), value_a (m),
                                  m == 90 ? 0 : 1 };
      b[m] = (FdChartPoint){ T0 + m * MIN_MS, 8, 12, 10, 30 };
      c[m] = (FdChartPoint){ T0 + m * MIN_MS, m / 4.0, m / 4.0, m / 4.0, 1 };
    }
  fd_chart_set_series (chart, "dev-a", "sensor-a", a, na);
  fd_chart_set_series (chart, "dev-b", "sensor-b", b, 120);
  fd_chart_set_series (chart, "dev-c", "sensor-c", c, 120);
  fd_chart_set_unit (chart, "°C");
  fd_chart_set_range (chart, T0, T0 + 120 * MIN_MS);
}

/* The screenshot's pixels */
typedef struct
{
  int width, height;
  guchar *data; /* RGBA */
} Shot;

static Shot
load_shot (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = gdk_texture_new_from_filename (path, &error);
  Shot shot;

  g_assert_no_error (error);
  shot.width = gdk_texture_get_width (texture);
  shot.height = gdk_texture_get_height (texture);
  shot.data = g_malloc ((gsize)shot.width * shot.height * 4);
  /* GDK_MEMORY_DEFAULT is B8G8R8A8 premultiplied; the screenshot is opaque. */
  gdk_texture_download (texture, shot.data, shot.width * 4);
  return shot;
}

static void
pixel (const Shot *shot, int x, int y, int rgb[3])
{
  const guchar *p = shot->data + ((gsize)y * shot->width + x) * 4;

  rgb[0] = p[2];
  rgb[1] = p[1];
  rgb[2] = p[0];
}

/* Whether a pixel within @radius of (@x, @y) (widget coordinates: the window's child sits
 * at the top left corner) is close to @hex. */
static gboolean
colour_near (const Shot *shot, double x, double y, int radius, const char *hex)
{
  GdkRGBA want;
  graphene_point_t at;

  gdk_rgba_parse (&want, hex);
  g_assert_true (
      gtk_widget_compute_point (GTK_WIDGET (chart), window, &GRAPHENE_POINT_INIT (x, y), &at));
  for (int dy = -radius; dy <= radius; dy++)
    for (int dx = -radius; dx <= radius; dx++)
      {
        int px = (int)at.x + dx, py = (int)at.y + dy, rgb[3];
        if (px < 0 || py < 0 || px >= shot->width || py >= shot->height)
          continue;
        pixel (shot, px, py, rgb);
        if (abs (rgb[0] - (int)(want.red * 255)) < 40 && abs (rgb[1] - (int)(want.green * 255)) < 40
            && abs (rgb[2] - (int)(want.blue * 255)) < 40)
          return TRUE;
      }
  return FALSE;
}

static void
shot_pixel (const Shot *shot, double x, double y, int rgb[3])
{
  graphene_point_t at;

  g_assert_true (
      gtk_widget_compute_point (GTK_WIDGET (chart), window, &GRAPHENE_POINT_INIT (x, y), &at));
  pixel (shot, (int)at.x, (int)at.y, rgb);
}

static gboolean
drawn_cb (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (chart)) && chart->plot_texture != NULL;
}

static void
check_lines (const char *name, const char *colour_a, const char *colour_b)
{
  g_autofree char *path = NULL;
  Shot shot;
  int band[3], outside[3];
  gboolean in_hole = FALSE;

  /* The lines are drawn (into their texture) at the next frame after a change. */
  fd_gui_wait (drawn_cb, NULL, 20, "the chart to draw its lines");
  path = fd_gui_screenshot (window, name);
  shot = load_shot (path);

  /* sensor-a's line where it has data, at 12:20 and 13:10 */
  g_assert_true (colour_near (&shot, fd_chart_x_of (chart, T0 + 20 * MIN_MS),
                              fd_chart_y_of (chart, value_a (20)), 2, colour_a));
  g_assert_true (colour_near (&shot, fd_chart_x_of (chart, T0 + 70 * MIN_MS),
                              fd_chart_y_of (chart, value_a (70)), 2, colour_a));
  /* and nowhere in the column of 12:50, inside its hole */
  for (double y = chart->plot.y; y < chart->plot.y + chart->plot.height; y += 1)
    in_hole |= colour_near (&shot, fd_chart_x_of (chart, T0 + 50 * MIN_MS), y, 0, colour_a);
  g_assert_false (in_hole);
  /* sensor-b's line at 10, its band tinting 11.3 but not 13.3 */
  g_assert_true (colour_near (&shot, fd_chart_x_of (chart, T0 + 25 * MIN_MS),
                              fd_chart_y_of (chart, 10), 2, colour_b));
  shot_pixel (&shot, fd_chart_x_of (chart, T0 + 25 * MIN_MS) + 3, fd_chart_y_of (chart, 11.3),
              band);
  shot_pixel (&shot, fd_chart_x_of (chart, T0 + 25 * MIN_MS) + 3, fd_chart_y_of (chart, 13.3),
              outside);
  g_test_message ("band %d,%d,%d outside %d,%d,%d", band[0], band[1], band[2], outside[0],
                  outside[1], outside[2]);
  g_assert_cmpint (abs (band[0] - band[1]), >, abs (outside[0] - outside[1]) + 15);
  g_free (shot.data);
}

static void
test_draw (void)
{
  check_lines ("chart", "#1c71d8", "#e01b24");
}

static void
test_draw_dark (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  fd_gui_settle (200);
  check_lines ("chart-dark", "#62a0ea", "#f66151");
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  fd_gui_settle (200);
}

static void
test_describe (void)
{
  g_autofree char *at_a = NULL;
  g_autofree char *at_b = NULL;
  g_autofree char *in_hole = NULL;
  g_autofree char *outside = NULL;

  at_a = fd_chart_describe_at (chart, fd_chart_x_of (chart, T0 + 20 * MIN_MS),
                               fd_chart_y_of (chart, value_a (20)));
  g_test_message ("at sensor-a 12:20Z: %s", at_a);
  g_assert_nonnull (at_a);
  /* The nearest series first; 12:20Z is 13:20 in Rome. */
  g_assert_true (g_str_has_prefix (at_a, "sensor-a — Tue 1 Dec 2026 13:20:00 — 23.819 °C\n"));
  g_assert_nonnull (strstr (at_a, "sensor-b — Tue 1 Dec 2026 13:20:00 — 10 °C (8–12 °C)"));
  g_assert_nonnull (strstr (at_a, "sensor-c — Tue 1 Dec 2026 13:20:00 — 5 °C"));

  at_b = fd_chart_describe_at (chart, fd_chart_x_of (chart, T0 + 25 * MIN_MS) + 1,
                               fd_chart_y_of (chart, 10));
  g_assert_true (g_str_has_prefix (at_b, "sensor-b — Tue 1 Dec 2026 13:25:00 — 10 °C (8–12 °C)"));

  /* In sensor-a's hole it is not named; the others are. */
  in_hole = fd_chart_describe_at (chart, fd_chart_x_of (chart, T0 + 50 * MIN_MS),
                                  fd_chart_y_of (chart, 22));
  g_assert_null (strstr (in_hole, "sensor-a"));
  g_assert_nonnull (strstr (in_hole, "sensor-b"));

  /* Outside the plot: nothing */
  outside = fd_chart_describe_at (chart, 1, 1);
  g_assert_null (outside);
}

static gboolean
emitted_cb (gpointer data)
{
  return signals.emitted > 0;
}

static void
test_zoom (void)
{
  gint64 start, end;

  fill_chart ();
  fd_gui_settle (100);
  signals = (Signals){ 0 };

  /* A drag from 12:30 to 13:30 ends: the chart shows that hour and says so once. */
  fd_chart_zoom_to_selection (chart, fd_chart_x_of (chart, T0 + 30 * MIN_MS),
                              fd_chart_x_of (chart, T0 + 90 * MIN_MS));
  g_assert_cmpuint (signals.emitted, ==, 1);
  g_assert_cmpint (llabs (signals.start - (T0 + 30 * MIN_MS)), <=, 1);
  g_assert_cmpint (llabs (signals.end - (T0 + 90 * MIN_MS)), <=, 1);
  fd_chart_get_range (chart, &start, &end);
  g_assert_cmpint (start, ==, signals.start);
  g_assert_cmpint (end, ==, signals.end);
  g_free (fd_gui_screenshot (window, "chart-zoomed"));

  /* Three scroll steps of a tenth each: one signal, after the last, with the final range. */
  signals = (Signals){ 0 };
  fd_chart_user_pan (chart, 0.1, FALSE);
  fd_chart_user_pan (chart, 0.1, FALSE);
  fd_chart_user_pan (chart, 0.1, FALSE);
  g_assert_cmpuint (signals.emitted, ==, 0);
  fd_gui_wait (emitted_cb, NULL, 5, "range-changed after panning");
  fd_gui_settle (400);
  g_assert_cmpuint (signals.emitted, ==, 1);
  g_assert_cmpint (signals.start, ==, T0 + 30 * MIN_MS + 18 * MIN_MS);
  g_assert_cmpint (signals.end, ==, T0 + 90 * MIN_MS + 18 * MIN_MS);

  /* The program's range does not emit. */
  signals = (Signals){ 0 };
  fd_chart_set_range (chart, T0, T0 + 120 * MIN_MS);
  fd_gui_settle (400);
  g_assert_cmpuint (signals.emitted, ==, 0);
}

/* The chart's controller of @type (its drag gesture, its motion controller). */
static GtkEventController *
controller_of (GType type)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (chart));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller; /* the widget keeps it */
    }
  g_error ("no %s on the chart", g_type_name (type));
  return NULL;
}

static void
test_drag (void)
{
  GtkEventController *drag = controller_of (GTK_TYPE_GESTURE_DRAG);
  GtkEventController *motion = controller_of (GTK_TYPE_EVENT_CONTROLLER_MOTION);
  double x0 = fd_chart_x_of (chart, T0 + 20 * MIN_MS), x1 = fd_chart_x_of (chart, T0 + 50 * MIN_MS);
  double y = chart->plot.y + chart->plot.height / 2;

  fill_chart ();
  fd_gui_settle (100);
  signals = (Signals){ 0 };

  /* The pointer over 12:20: the guide and a dot on each series there. */
  g_signal_emit_by_name (motion, "motion", x0, fd_chart_y_of (chart, value_a (20)));
  g_free (fd_gui_screenshot (window, "chart-hover"));

  /* Dragging from 12:20 to 12:50 shows the selection, and nothing changes until it ends. */
  g_signal_emit_by_name (drag, "drag-begin", x0, y);
  g_signal_emit_by_name (drag, "drag-update", (x1 - x0) / 2, 3.0);
  g_signal_emit_by_name (drag, "drag-update", x1 - x0, 5.0);
  g_free (fd_gui_screenshot_now (window, "chart-selecting"));
  g_assert_cmpuint (signals.emitted, ==, 0);
  g_signal_emit_by_name (drag, "drag-end", x1 - x0, 5.0);
  g_assert_cmpuint (signals.emitted, ==, 1);
  g_assert_cmpint (llabs (signals.start - (T0 + 20 * MIN_MS)), <=, 1);
  g_assert_cmpint (llabs (signals.end - (T0 + 50 * MIN_MS)), <=, 1);
  g_signal_emit_by_name (motion, "leave");
  g_free (fd_gui_screenshot (window, "chart-dragged"));

  /* A click (a drag of a pixel) does not zoom. */
  signals = (Signals){ 0 };
  g_signal_emit_by_name (drag, "drag-begin", x0, y);
  g_signal_emit_by_name (drag, "drag-end", 1.0, 0.0);
  g_assert_cmpuint (signals.emitted, ==, 0);
  fill_chart ();
}

/* Presses @keyval as the chart's key bindings see it: activates the widget class's shortcut
 * for it (GTK 4 has no public way to synthesise a key event). */
static void
press_key (guint keyval)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (chart));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);
      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (GTK_IS_KEYVAL_TRIGGER (trigger)
              && gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) == keyval
              && gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) == 0)
            {
              g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0,
                                                           GTK_WIDGET (chart),
                                                           gtk_shortcut_get_arguments (shortcut)));
              return;
            }
        }
    }
  g_error ("no key binding for %s", gdk_keyval_name (keyval));
}

static void
test_keys (void)
{
  gint64 start, end;

  fill_chart ();
  signals = (Signals){ 0 };
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (chart)));
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (chart)));
  gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
  g_free (fd_gui_screenshot (window, "chart-focus"));

  /* + zooms in around the middle; held down (repeated), one signal at the end. */
  press_key (GDK_KEY_plus);
  press_key (GDK_KEY_plus);
  fd_chart_get_range (chart, &start, &end);
  g_assert_cmpint (end - start, ==, (gint64)llround (120 * MIN_MS / 1.25 / 1.25));
  g_assert_cmpint (llabs ((start + end) / 2 - (T0 + 60 * MIN_MS)), <=, 1);
  g_assert_cmpuint (signals.emitted, ==, 0);
  fd_gui_wait (emitted_cb, NULL, 5, "range-changed after the keys");
  g_assert_cmpint (signals.start, ==, start);

  /* Left goes back a tenth of the range, minus zooms out again. */
  signals = (Signals){ 0 };
  press_key (GDK_KEY_Left);
  fd_chart_get_range (chart, &start, &end);
  g_assert_cmpint (end, <, T0 + 60 * MIN_MS + (end - start) / 2);
  press_key (GDK_KEY_minus);
  fd_gui_wait (emitted_cb, NULL, 5, "range-changed after Left and minus");

  /* Home: back to the range the program set, at once. */
  signals = (Signals){ 0 };
  press_key (GDK_KEY_Home);
  g_assert_cmpuint (signals.emitted, ==, 1);
  g_assert_cmpint (signals.start, ==, T0);
  g_assert_cmpint (signals.end, ==, T0 + 120 * MIN_MS);
}

/* The time axis at other zooms, for a person to look at: a daily series over three years. */
static void
test_scales (void)
{
  static const struct
  {
    const char *name;
    gint64 span, before_end;
  } scales[] = {
    { "chart-1min", 60000, 70 * MIN_MS },
    { "chart-3days", 3 * 86400000LL, 0 },
    { "chart-2months", 61 * 86400000LL, 0 },
    { "chart-3years", 1096 * 86400000LL, 0 },
  };
  g_autofree FdChartPoint *points = g_new (FdChartPoint, 1096 * 24);
  gint64 end = T0 + 120 * MIN_MS;

  for (guint i = 0; i < 1096 * 24; i++)
    {
      double v = 15 + 10 * sin (i / (24 * 58.0)) + 3 * sin (i / 3.8);
      points[i] = (FdChartPoint){ end - (1096 * 24 - (gint64)i) * 3600000, v - 1, v + 1, v, 60 };
    }
  fd_chart_set_series (chart, "dev-d", "outdoor", points, 1096 * 24);
  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      gint64 last = end - scales[i].before_end;

      fd_chart_set_range (chart, last - scales[i].span, last);
      g_free (fd_gui_screenshot (window, scales[i].name));
    }
  fd_chart_remove_series (chart, "dev-d");
  g_assert_cmpuint (fd_chart_get_n_series (chart), ==, 3);
  fill_chart ();
}

static void
test_live (void)
{
  gint64 now = g_get_real_time () / 1000;
  FdChartPoint point = { now - 1000, 3, 3, 3, 1 };
  gint64 start, end;

  signals = (Signals){ 0 };
  fd_chart_set_range (chart, now - 3600000 - 600000, now - 600000);
  fd_chart_set_live (chart, TRUE);
  fd_chart_append_points (chart, "dev-c", &point, 1);
  fd_chart_get_range (chart, &start, &end);
  /* The end follows now, the span stays an hour. */
  g_assert_cmpint (end, >=, now);
  g_assert_cmpint (end - start, ==, 3600000);
  g_assert_true (fd_chart_get_live (chart));

  fd_chart_user_zoom (chart, 0.5, chart->plot.x, TRUE);
  g_assert_false (fd_chart_get_live (chart));
  g_assert_cmpuint (signals.live_stopped, ==, 1);
  g_assert_cmpuint (signals.emitted, ==, 1);
}

static void
test_empty (void)
{
  fd_chart_clear (chart);
  fd_chart_set_empty_text (chart, "No readings in this range");
  g_assert_cmpuint (fd_chart_get_n_series (chart), ==, 0);
  g_free (fd_gui_screenshot (window, "chart-empty"));
  fill_chart ();
}

/* CPU time of this thread, in ms: the machine is shared, wall time says little. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
frame_ms (gboolean invalidate)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  double begin = cpu_ms ();
  GskRenderNode *node;

  if (invalidate)
    fd_chart_invalidate (chart);
  fd_chart_snapshot (GTK_WIDGET (chart), snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_clear_pointer (&node, gsk_render_node_unref);
  return cpu_ms () - begin;
}

/* 200 series of 2000 points: figures for the report (no timed assertion: shared cores). */
static void
test_many (void)
{
  g_autofree FdChartPoint *points = g_new (FdChartPoint, 2000);
  double begin = cpu_ms ();
  double full = 0, hover = 0;
  g_autofree char *text = NULL;

  fd_chart_clear (chart);
  for (guint s = 0; s < 200; s++)
    {
      g_autofree char *id = g_strdup_printf ("dev-%03u", s);
      g_autofree char *label = g_strdup_printf ("device %03u", s);

      for (guint i = 0; i < 2000; i++)
        {
          double v = s + 10 * sin (i / 50.0 + s);
          points[i] = (FdChartPoint){ T0 + i * 3600, v - 2, v + 2, v, 5 };
        }
      fd_chart_set_series (chart, id, label, points, 2000);
    }
  g_test_message ("200 series × 2000 points set in %.1f ms (CPU)", cpu_ms () - begin);
  fd_chart_set_range (chart, T0, T0 + 2000 * 3600);
  fd_gui_settle (200);

  for (guint i = 0; i < 5; i++)
    full += frame_ms (TRUE) / 5;
  chart->hovering = TRUE;
  chart->hover_x = chart->plot.x + chart->plot.width / 2;
  chart->hover_y = chart->plot.y + chart->plot.height / 2;
  for (guint i = 0; i < 5; i++)
    hover += frame_ms (FALSE) / 5;
  chart->hovering = FALSE;
  g_test_message (
      "CPU per frame after a change (lines drawn again): %.1f ms; per hover frame: %.2f ms", full,
      hover);

  text = fd_chart_describe_at (chart, chart->plot.x + chart->plot.width / 2,
                               chart->plot.y + chart->plot.height / 2);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "and 188 more"));
  g_free (fd_gui_screenshot (window, "chart-many"));
  fd_chart_clear (chart);
  fill_chart ();
}

int
main (int argc, char *argv[])
{
  g_setenv ("TZ", "Europe/Rome", TRUE);
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_LIGHT);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 560);
  chart = FD_CHART (fd_chart_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (chart));
  g_signal_connect (chart, "range-changed", G_CALLBACK (range_changed_cb), NULL);
  g_signal_connect (chart, "live-stopped", G_CALLBACK (live_stopped_cb), NULL);
  fill_chart ();
  gtk_window_present (GTK_WINDOW (window));
  fd_gui_settle (500);

  g_test_add_func ("/chart/draw", test_draw);
  g_test_add_func ("/chart/draw-dark", test_draw_dark);
  g_test_add_func ("/chart/describe", test_describe);
  g_test_add_func ("/chart/zoom", test_zoom);
  g_test_add_func ("/chart/drag", test_drag);
  g_test_add_func ("/chart/keys", test_keys);
  g_test_add_func ("/chart/scales", test_scales);
  g_test_add_func ("/chart/live", test_live);
  g_test_add_func ("/chart/empty", test_empty);
  g_test_add_func ("/chart/many", test_many);
  return g_test_run ();
}
