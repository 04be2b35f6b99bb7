/* bench-devices.c — the Devices pane of the real app with 100,000 devices.
 *
 * Starts the real application (local mode, temporary data folder) under Xvfb, creates
 * FD_BENCH_DEVICES devices (default 100,000) through the operator API, then measures what a
 * user feels: how long until the first rows show, how long until the last row shows after a
 * jump to the end, the frame times while scrolling through the list, how many pages were
 * fetched, and the memory used. Run with `meson test --benchmark gui-devices-100k`; with
 * FLEETDESK_URL and FLEETDESK_TOKEN set, it measures the biggest workspace of that server
 * instead (remote mode, nothing created).
 */
#include "config.h"

#include <stdio.h>

#include "fd-api-client.h"
#include "fd-application.h"
#include "fd-device-model.h"
#include "fd-devices-page.h"
#include "fd-gui-util.h"
#include "fd-window.h"
#include "fd-workspaces-page.h"

static FdApplication *app;
static GArray *frame_times; /* gint64 microseconds between painted frames */
static gint64 last_frame;
static int status;

static FdWindow *
bench_window (void)
{
  return FD_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static gboolean
bench_main_shown_cb (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  return FD_IS_WINDOW (window) && g_strcmp0 (fd_window_get_state (FD_WINDOW (window)), "main") == 0;
}

static gboolean
bench_rows_cb (gpointer data)
{
  FdDeviceModel *model = data;

  return !fd_device_model_get_loading (model)
         && g_list_model_get_n_items (G_LIST_MODEL (model)) > 0;
}

typedef struct
{
  GtkWidget *view;
  const char *name;
} BenchLabel;

static gboolean
bench_label_cb (gpointer data)
{
  BenchLabel *label = data;
  return fd_gui_find (label->view, GTK_TYPE_LABEL, label->name) != NULL;
}

static double
bench_wait_label (GtkWidget *view, const char *name)
{
  BenchLabel label = { view, name };
  gint64 start = g_get_monotonic_time ();

  fd_gui_wait (bench_label_cb, &label, 60, name);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
bench_after_paint_cb (GdkFrameClock *clock)
{
  gint64 now = g_get_monotonic_time ();

  if (last_frame != 0)
    g_array_append_val (frame_times, (gint64){ now - last_frame });
  last_frame = now;
}

static int
bench_compare (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return (x > y) - (x < y);
}

static long
bench_rss_kib (void)
{
  g_autofree char *status_text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status_text, NULL, NULL))
    return -1;
  line = strstr (status_text, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

#define BENCH_SCROLL_STEPS 600

/* The id of the workspace with the most devices on the server. */
static char *
bench_biggest_workspace (FdApiClient *client)
{
  guint http_status = 0;
  g_autoptr (JsonNode) list
      = fd_gui_api (fd_api_client_get_base_url (client), fd_api_client_get_token (client), "GET",
                    "/workspaces?size=1000", NULL, &http_status);
  JsonArray *items = json_object_get_array_member (json_node_get_object (list), "items");
  JsonObject *biggest = NULL;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *workspace = json_array_get_object_element (items, i);
      if (biggest == NULL
          || json_object_get_int_member (workspace, "device_count")
                 > json_object_get_int_member (biggest, "device_count"))
        biggest = workspace;
    }
  g_assert_nonnull (biggest);
  return g_strdup (json_object_get_string_member (biggest, "id"));
}

/* The name of the first device of @workspace_id in the order @sort. */
static char *
bench_device_name (FdApiClient *client, const char *workspace_id, const char *sort)
{
  g_autofree char *path
      = g_strdup_printf ("/workspaces/%s/devices?size=1&sort=%s", workspace_id, sort);
  guint http_status = 0;
  g_autoptr (JsonNode) list
      = fd_gui_api (fd_api_client_get_base_url (client), fd_api_client_get_token (client), "GET",
                    path, NULL, &http_status);
  JsonArray *items = json_object_get_array_member (json_node_get_object (list), "items");

  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  return g_strdup (
      json_object_get_string_member (json_array_get_object_element (items, 0), "name"));
}

typedef struct
{
  FdWorkspacesPage *page;
  const char *id;
} BenchSelect;

static gboolean
bench_select_cb (gpointer data)
{
  BenchSelect *select = data;
  GListModel *workspaces = fd_workspaces_page_get_workspaces (select->page);

  for (guint i = 0; i < g_list_model_get_n_items (workspaces); i++)
    {
      g_autoptr (FdWorkspace) workspace = g_list_model_get_item (workspaces, i);
      if (g_strcmp0 (fd_workspace_get_id (workspace), select->id) == 0)
        {
          fd_workspaces_page_set_workspace (select->page, workspace);
          return TRUE;
        }
    }
  return FALSE;
}

/* Makes @id the current workspace, as choosing it in the switcher does. */
static void
bench_select_workspace (FdWindow *window, const char *id)
{
  BenchSelect select = { FD_WORKSPACES_PAGE (fd_window_get_pane (window, "workspaces")), id };

  fd_gui_wait (bench_select_cb, &select, 30, "the workspace");
}

static void
bench_scroll (GtkAdjustment *adjustment, FdDeviceModel *model, gboolean up)
{
  guint fetched = fd_device_model_get_pages_fetched (model);
  gint64 start = g_get_monotonic_time ();

  g_array_set_size (frame_times, 0);
  last_frame = 0;
  for (guint step = 1; step <= BENCH_SCROLL_STEPS; step++)
    {
      double end
          = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
      double at = end * step / BENCH_SCROLL_STEPS;

      gtk_adjustment_set_value (adjustment, up ? end - at : at);
      fd_gui_settle (16);
    }

  g_array_sort (frame_times, bench_compare);
  if (frame_times->len == 0)
    return;
  printf ("scroll %s in %u steps: %.1f s, %u frames, frame interval median %.1f ms, p95 %.1f ms, "
          "max %.1f ms; %u pages fetched\n",
          up ? "back to the top (rows fetched)" : "to the bottom (rows not fetched)",
          BENCH_SCROLL_STEPS, (g_get_monotonic_time () - start) / 1e6, frame_times->len,
          g_array_index (frame_times, gint64, frame_times->len / 2) / 1000.0,
          g_array_index (frame_times, gint64, frame_times->len * 95 / 100) / 1000.0,
          g_array_index (frame_times, gint64, frame_times->len - 1) / 1000.0,
          fd_device_model_get_pages_fetched (model) - fetched);
}

static void
bench_run (void)
{
  const char *env_n = g_getenv ("FD_BENCH_DEVICES");
  guint n = env_n != NULL ? (guint)g_ascii_strtoull (env_n, NULL, 10) : 100000;
  FdApiClient *client;
  FdWindow *window;
  FdDevicesPage *page;
  FdDeviceModel *model;
  GtkWidget *view;
  GtkAdjustment *adjustment;
  GdkFrameClock *clock;
  const char *base_url;
  const char *token;
  g_autofree char *workspace_id = NULL;
  g_autofree char *first_name = NULL;
  g_autofree char *last_name = NULL;
  guint http_status = 0;
  gint64 start;
  double ms;
  guint fetched;

  fd_gui_wait (bench_main_shown_cb, NULL, 60, "the window");
  window = bench_window ();
  client = fd_application_get_client (app);
  base_url = fd_api_client_get_base_url (client);
  token = fd_api_client_get_token (client);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);

  if (g_getenv ("FLEETDESK_URL") != NULL)
    workspace_id = bench_biggest_workspace (client);
  else
    {
      g_autoptr (JsonNode) created = NULL;

      created = fd_gui_api (base_url, token, "POST", "/workspaces", "{\"name\": \"Bench\"}",
                            &http_status);
      g_assert_cmpuint (http_status, ==, 201);
      workspace_id
          = g_strdup (json_object_get_string_member (json_node_get_object (created), "id"));

      start = g_get_monotonic_time ();
      fd_gui_api_create_devices (base_url, token, workspace_id, "dev", n, 16);
      printf ("create %u devices through the API: %.1f s\n", n,
              (g_get_monotonic_time () - start) / 1e6);
    }
  first_name = bench_device_name (client, workspace_id, "name");
  last_name = bench_device_name (client, workspace_id, "-name");

  page = FD_DEVICES_PAGE (fd_window_get_pane (window, "devices"));
  model = fd_devices_page_get_model (page);
  view = GTK_WIDGET (fd_devices_page_get_column_view (page));
  fd_window_show_pane (window, "devices");

  start = g_get_monotonic_time ();
  gtk_widget_activate_action (GTK_WIDGET (window), "win.reload", NULL);
  bench_select_workspace (window, workspace_id);
  fd_gui_settle (50);
  fd_gui_wait (bench_rows_cb, model, 60, "the rows");
  ms = bench_wait_label (view, first_name);
  printf ("reload until the first rows show: %.0f ms (%u rows)\n",
          (g_get_monotonic_time () - start) / 1000.0,
          g_list_model_get_n_items (G_LIST_MODEL (model)));

  adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  fd_gui_settle (500);
  fetched = fd_device_model_get_pages_fetched (model);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                            - gtk_adjustment_get_page_size (adjustment));
  ms = bench_wait_label (view, last_name);
  printf ("jump to the end until the last row shows: %.0f ms, %u pages fetched\n", ms,
          fd_device_model_get_pages_fetched (model) - fetched);

  /* Scroll through the list as a dragged scrollbar would: one step a frame, down over rows
   * never fetched, then back up, where the rows whose pages arrived need no fetch. */
  frame_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  clock = gtk_widget_get_frame_clock (view);
  g_signal_connect (clock, "after-paint", G_CALLBACK (bench_after_paint_cb), NULL);
  gtk_adjustment_set_value (adjustment, 0);
  fd_gui_settle (500);
  bench_scroll (adjustment, model, FALSE);
  bench_scroll (adjustment, model, TRUE);
  g_signal_handlers_disconnect_by_func (clock, bench_after_paint_cb, NULL);
  g_array_unref (frame_times);
  printf ("memory (RSS) of app and engine: %ld MiB\n", bench_rss_kib () / 1024);
}

static gboolean
bench_run_cb (gpointer data)
{
  bench_run ();
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
bench_activated_cb (GApplication *application)
{
  static gboolean started;

  if (!started)
    g_idle_add (bench_run_cb, NULL);
  started = TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data_dir = g_dir_make_tmp ("fleetdesk-bench-XXXXXX", &error);
  char *app_argv[] = { (char *)"fleetdesk", (char *)"--data-dir", data_dir, NULL };
  const char *rm_argv[] = { "rm", "-rf", data_dir, NULL };
  /* With FLEETDESK_URL and FLEETDESK_TOKEN set, the app manages that server (remote mode) and
   * the bench measures its biggest workspace as it is. */
  int app_argc = g_getenv ("FLEETDESK_URL") != NULL ? 1 : 3;

  g_assert_no_error (error);
  setvbuf (stdout, NULL, _IOLBF, 0);

  app = fd_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (bench_activated_cb), NULL);
  status = g_application_run (G_APPLICATION (app), app_argc, app_argv);
  g_clear_object (&app);

  g_spawn_sync (NULL, (char **)rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                NULL);
  return status;
}
