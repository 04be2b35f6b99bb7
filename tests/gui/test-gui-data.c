/* test-gui-data.c — the Data pane in the real app: two devices of a new workspace post
 * readings of three hours through the HTTPS device endpoint (key credentials, curl); the pane
 * lists their tags and numeric fields, charts "weather"/"temp" as one series per device (and
 * two of three devices picked in the device picker),
 * shows the newest reading first in the raw table, follows the presets and rejects a custom
 * range that ends before it starts; a workspace without data shows "No Data Yet". Part of
 * test-gui; needs only /gui/start before it (it makes its own workspaces and restores the
 * current one). */
#include "config.h"

#include "fd-chart.h"
#include "fd-data-page.h"
#include "fd-data-row.h"
#include "fd-data-rows.h"
#include "fd-export-dialog-data.h"
#include "fd-gui-util.h"
#include "fd-multi-picker.h"
#include "test-gui.h"

#if defined(FD_HAVE_DEVICE_SERVER) && defined(FD_HAVE_DATA_QUERY)
/* Readings every 10 minutes over the last three hours (and one a minute ago). */
#define FD_TEST_DATA_STEP_MS (10 * 60 * 1000)
#define FD_TEST_DATA_READINGS 18
/* And older readings of probe-b, every 10 s before them: the table has more than a page. */
#define FD_TEST_DATA_OLDER 300
#define FD_TEST_DATA_ROWS (2 * FD_TEST_DATA_READINGS + 1 + FD_TEST_DATA_OLDER)
/* probe-c's readings, posted once the table's paging is checked. */
#define FD_TEST_DATA_C_READINGS 3

/* Devices with "weather" readings in the range: the chart's series when all are chosen. */
static guint data_series = 2;

static FdDataPage *
data_page (void)
{
  return FD_DATA_PAGE (fd_window_get_pane (fd_test_window (), "data"));
}

static GtkWidget *
page_child (const char *name)
{
  GtkWidget *child = GTK_WIDGET (
      gtk_widget_get_template_child (GTK_WIDGET (data_page ()), FD_TYPE_DATA_PAGE, name));

  g_assert_nonnull (child);
  return child;
}

static JsonNode *
api (const char *method, const char *path, const char *body, guint expected)
{
  return fd_gui_api_expect (fd_test_base_url, fd_test_token, method, path, body, expected);
}

static char *
make_workspace (const char *name)
{
  g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\"}", name);
  g_autoptr (JsonNode) node = api ("POST", "/workspaces", body, 201);

  return g_strdup (json_object_get_string_member (fd_test_api_object (node), "id"));
}

typedef struct
{
  char *id;
  char *token; /* a cloud token: the device's bearer token */
} DataDevice;

static void
make_device (const char *workspace_id, const char *name, DataDevice *device)
{
  g_autofree char *path = g_strdup_printf ("/workspaces/%s/devices", workspace_id);
  g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\"}", name);
  g_autoptr (JsonNode) made = api ("POST", path, body, 201);
  g_autofree char *credentials = NULL;
  g_autoptr (JsonNode) credential = NULL;

  device->id = g_strdup (json_object_get_string_member (fd_test_api_object (made), "id"));
  credentials = g_strdup_printf ("/devices/%s/credentials", device->id);
  credential = api ("POST", credentials, "{\"kind\": \"key\", \"mode\": \"cloud_token\"}", 201);
  device->token
      = g_strdup (json_object_get_string_member (fd_test_api_object (credential), "secret"));
}

/* Posts @batch (a JSON array of {"ts", "payload"}) under @tag as @device, with curl. */
static void
post_batch (DataDevice *device, const char *tag, const char *batch)
{
  g_autoptr (JsonNode) server = fd_test_api_get ("/server", 200);
  JsonObject *object = fd_test_api_object (server);
  g_autofree char *ca = g_build_filename (fd_test_files_dir, "data-ca.pem", NULL);
  g_autofree char *url = g_strdup_printf ("https://localhost:%" G_GINT64_FORMAT "/v1/data/%s",
                                          json_object_get_int_member (object, "device_port"), tag);
  g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", device->token);
  const char *argv[] = { "curl",
                         "--silent",
                         "--show-error",
                         "--fail",
                         "--cacert",
                         ca,
                         "-H",
                         auth,
                         "-H",
                         "Content-Type: application/json",
                         "-d",
                         batch,
                         url,
                         NULL };

  g_assert_true (g_file_set_contents (
      ca,
      json_object_get_string_member (json_object_get_object_member (object, "ca"), "certificate"),
      -1, NULL));
  g_free (fd_gui_run (argv));
}

/* Readings of the last three hours: probe-a's temp 20, 20.5, …; probe-b's 10, 11, …, and its
 * newest one a minute ago (the table's first row). */
static gint64
post_readings (DataDevice *a, DataDevice *b)
{
  gint64 now = g_get_real_time () / 1000;
  gint64 first = now - FD_TEST_DATA_READINGS * FD_TEST_DATA_STEP_MS;
  g_autoptr (GString) batch_a = g_string_new ("[");
  g_autoptr (GString) batch_b = g_string_new ("[");
  g_autoptr (GString) older = g_string_new ("[");
  gint64 newest = now - 60 * 1000;

  for (guint i = 0; i < FD_TEST_DATA_OLDER; i++)
    g_string_append_printf (older, "%s{\"ts\": %" G_GINT64_FORMAT ", \"payload\": {\"temp\": 5}}",
                            i > 0 ? ", " : "", first - (FD_TEST_DATA_OLDER - i) * 10000);
  g_string_append (older, "]");
  post_batch (b, "weather", older->str);

  for (guint i = 0; i < FD_TEST_DATA_READINGS; i++)
    {
      gint64 t = first + i * FD_TEST_DATA_STEP_MS;

      g_string_append_printf (batch_a,
                              "%s{\"ts\": %" G_GINT64_FORMAT
                              ", \"payload\": {\"temp\": %g, \"hum\": 40, \"name\": \"a\"}}",
                              i > 0 ? ", " : "", t, 20 + i * 0.5);
      g_string_append_printf (batch_b,
                              "%s{\"ts\": %" G_GINT64_FORMAT ", \"payload\": {\"temp\": %u}}",
                              i > 0 ? ", " : "", t + 1000, 10 + i);
    }
  g_string_append_printf (batch_b, ", {\"ts\": %" G_GINT64_FORMAT ", \"payload\": {\"temp\": 42}}]",
                          newest);
  g_string_append (batch_a, "]");
  post_batch (a, "weather", batch_a->str);
  post_batch (b, "weather", batch_b->str);
  post_batch (a, "power", "{\"volts\": 3.3}");
  return newest;
}

/* Chooses the workspace @name in the app, as the sidebar's switcher would. */
static void
choose_workspace (const char *name)
{
  FdWorkspacesPage *page = fd_test_workspaces_page ();
  GListModel *workspaces = fd_workspaces_page_get_workspaces (page);

  fd_workspaces_page_reload (page, NULL);
  for (guint tries = 0; tries < 100; tries++)
    {
      for (guint i = 0; i < g_list_model_get_n_items (workspaces); i++)
        {
          g_autoptr (FdWorkspace) workspace = g_list_model_get_item (workspaces, i);

          if (g_strcmp0 (fd_workspace_get_name (workspace), name) == 0)
            {
              fd_workspaces_page_set_workspace (page, workspace);
              fd_gui_settle (100);
              return;
            }
        }
      fd_gui_settle (50);
    }
  g_error ("workspace %s not in the app's list", name);
}

static gboolean
strings_have_cb (gpointer data)
{
  const char *const *want = data;
  GtkDropDown *dropdown = GTK_DROP_DOWN (page_child (want[0]));
  GListModel *model = gtk_drop_down_get_model (dropdown);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), want[1]) == 0)
      return TRUE;
  return FALSE;
}

/* Waits for @string in the picker @dropdown and chooses it. */
static void
choose (const char *dropdown, const char *string)
{
  const char *want[] = { dropdown, string };
  GtkDropDown *widget = GTK_DROP_DOWN (page_child (dropdown));
  GtkStringList *list = GTK_STRING_LIST (gtk_drop_down_get_model (widget));
  g_autofree char *what = g_strdup_printf ("“%s” in the %s", string, dropdown);

  fd_gui_wait (strings_have_cb, want, 10, what);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (list, i), string) == 0)
      gtk_drop_down_set_selected (widget, i);
  g_test_message ("%s: %s", dropdown, string);
}

static gboolean
series_cb (gpointer data)
{
  return fd_chart_get_n_series (FD_CHART (page_child ("chart"))) == GPOINTER_TO_UINT (data);
}

static gboolean
requests_past_cb (gpointer data)
{
  return fd_data_page_get_series_requests (data_page ()) > GPOINTER_TO_UINT (data);
}

/* The raw table's first row once its page arrived. */
static gboolean
first_row_cb (gpointer data)
{
  GListModel *rows = fd_data_page_get_rows (data_page ());
  g_autoptr (FdDataRow) row
      = g_list_model_get_n_items (rows) > 0 ? g_list_model_get_item (rows, 0) : NULL;

  if (row == NULL || fd_data_row_get_loading (row))
    return FALSE;
  *(FdDataRow **)data = g_steal_pointer (&row);
  return TRUE;
}

static gboolean
all_fetched_cb (gpointer data)
{
  GListModel *rows = fd_data_page_get_rows (data_page ());

  fd_gui_settle (50);
  return fd_data_rows_get_n_fetched (FD_DATA_ROWS (rows)) == FD_TEST_DATA_ROWS
         && g_list_model_get_n_items (rows) == FD_TEST_DATA_ROWS;
}

/* One page at first, then "Loading…" rows; scrolling down to them fetches the rest. */
static void
check_paging (void)
{
  GListModel *rows = fd_data_page_get_rows (data_page ());
  GtkWidget *scrolled = gtk_widget_get_ancestor (page_child ("table"), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  g_autoptr (FdDataRow) loading = NULL;

  g_assert_cmpuint (fd_data_rows_get_n_fetched (FD_DATA_ROWS (rows)), ==, FD_DATA_PAGE_PAGE_SIZE);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 2 * FD_DATA_PAGE_PAGE_SIZE);
  g_assert_cmpuint (fd_data_rows_get_requests (FD_DATA_ROWS (rows)), >=, 1);
  g_free (fd_test_shot ("54-data-table-first-page"));

  /* As a user scrolls: the view asks for the rows it shows. */
  for (guint i = 0; i < 50 && !all_fetched_cb (NULL); i++)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  fd_gui_wait (all_fetched_cb, NULL, 10, "the table's second page");
  loading = g_list_model_get_item (rows, FD_TEST_DATA_ROWS - 1);
  g_assert_false (fd_data_row_get_loading (loading));
  g_assert_cmpstr (fd_data_row_get_payload (loading), ==, "temp 5");
  gtk_adjustment_set_value (adjustment, 0);
}

static gboolean
row_filtered_cb (gpointer row)
{
  return !gtk_widget_get_child_visible (row);
}

static gboolean
row_unfiltered_cb (gpointer row)
{
  return gtk_widget_get_child_visible (row);
}

static gboolean shown_cb (gpointer data);
static gboolean hidden_cb (gpointer data);

/* The device picker's row titled @name, NULL while it is not listed. */
static GtkWidget *
picker_row (GtkWidget *widget, const char *name)
{
  if (ADW_IS_ACTION_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = picker_row (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
picker_lists_cb (gpointer data)
{
  GtkPopover *popover
      = fd_multi_picker_get_popover (FD_MULTI_PICKER (page_child ("device_picker")));

  return picker_row (GTK_WIDGET (popover), data) != NULL;
}

static gboolean
row_checked (GtkWidget *row)
{
  return gtk_check_button_get_active (
      GTK_CHECK_BUTTON (adw_action_row_get_activatable_widget (ADW_ACTION_ROW (row))));
}

typedef struct
{
  const char *first; /* device names */
  const char *second;
  guint rows;
} RowsOf;

/* The raw table holds @rows rows, all fetched, every one of the two devices. */
static gboolean
rows_of_cb (gpointer data)
{
  const RowsOf *want = data;
  GListModel *rows = fd_data_page_get_rows (data_page ());
  guint n = g_list_model_get_n_items (rows);

  if (n != want->rows || fd_data_rows_get_n_fetched (FD_DATA_ROWS (rows)) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdDataRow) row = g_list_model_get_item (rows, i);
      const char *device = fd_data_row_get_device (row);

      if (fd_data_row_get_loading (row)
          || (g_strcmp0 (device, want->first) != 0 && g_strcmp0 (device, want->second) != 0))
        return FALSE;
    }
  return TRUE;
}

/* Two devices of three through the picker, as with the keyboard: the search and Enter for
 * probe-c, then probe-a's row activated (Space), Escape. The chart shows their two series
 * only, the table only their rows, and "Export…" takes both. */
static void
check_device_picker (DataDevice *a, DataDevice *c)
{
  GtkWidget *picker = page_child ("device_picker");
  GtkPopover *popover = fd_multi_picker_get_popover (FD_MULTI_PICKER (picker));
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  GtkWidget *focus, *row_a, *row_c, *row_b;
  guint before = fd_data_page_get_series_requests (data_page ());
  g_autoptr (FdDataSelection) selection = NULL;
  g_autoptr (FdExportSelection) export = NULL;
  RowsOf want = { "probe-a", "probe-c", FD_TEST_DATA_READINGS + FD_TEST_DATA_C_READINGS };

  fd_gui_wait (picker_lists_cb, (gpointer) "probe-c", 10, "probe-c in the device picker");
  g_assert_cmpstr (fd_multi_picker_get_summary (FD_MULTI_PICKER (picker)), ==, "All Devices");
  gtk_menu_button_popup (GTK_MENU_BUTTON (adw_bin_get_child (ADW_BIN (picker))));
  fd_gui_wait (shown_cb, popover, 10, "the device picker's popover");
  focus = gtk_root_get_focus (GTK_ROOT (win));
  g_assert_nonnull (focus);
  g_assert_nonnull (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY));
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (popover)));

  row_a = picker_row (GTK_WIDGET (popover), "probe-a");
  row_b = picker_row (GTK_WIDGET (popover), "probe-b");
  row_c = picker_row (GTK_WIDGET (popover), "probe-c");
  g_assert_true (row_checked (picker_row (GTK_WIDGET (popover), "All Devices")));

  /* Searching "-C" leaves probe-c (and "All"); Enter ticks it. */
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY)),
                         "-C");
  /* The search runs after the entry's delay: wait for it, not for a fixed time (a busy
   * machine can run the delay's timer late). */
  fd_gui_wait (row_filtered_cb, row_a, 10, "probe-a to be filtered out");
  g_assert_true (gtk_widget_get_child_visible (row_c));
  g_signal_emit_by_name (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY), "activate");
  g_assert_true (row_checked (row_c));
  g_assert_cmpstr (fd_multi_picker_get_summary (FD_MULTI_PICKER (picker)), ==, "probe-c");
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY)), "");
  fd_gui_wait (row_unfiltered_cb, row_a, 10, "probe-a to be listed again");
  gtk_widget_grab_focus (row_a);
  gtk_widget_activate (row_a);
  g_assert_true (row_checked (row_a));
  g_assert_false (row_checked (row_b));
  g_assert_false (row_checked (picker_row (GTK_WIDGET (popover), "All Devices")));
  g_assert_cmpstr (fd_multi_picker_get_summary (FD_MULTI_PICKER (picker)), ==, "2 Devices");
  g_free (fd_test_shot ("55-data-device-picker"));

  /* The chart and the table fetch again once the ticks settled. */
  fd_gui_wait (requests_past_cb, GUINT_TO_POINTER (before), 10, "the chart to fetch two devices");
  fd_gui_wait (series_cb, GUINT_TO_POINTER (2), 10, "two series in the chart");
  fd_gui_wait (rows_of_cb, &want, 10, "only probe-a's and probe-c's rows in the table");
  g_signal_emit_by_name (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY), "stop-search");
  fd_gui_wait (hidden_cb, popover, 10, "the device picker to close");

  selection = fd_data_page_get_selection (data_page ());
  g_assert_cmpuint (g_strv_length (selection->devices), ==, 2);
  g_assert_cmpstr (selection->devices[0], ==, a->id);
  g_assert_cmpstr (selection->devices[1], ==, c->id);
  g_assert_cmpstr (selection->fleets[0], ==, NULL);
  export = fd_export_selection_new_from_data (selection);
  g_assert_nonnull (export->devices);
  g_assert_cmpuint (g_strv_length (export->devices), ==, 2);
  g_assert_cmpstr (export->devices[0], ==, a->id);
  g_assert_cmpstr (export->devices[1], ==, c->id);
  g_assert_null (export->fleets);

  /* "All" again: every device's series. */
  gtk_menu_button_popup (GTK_MENU_BUTTON (adw_bin_get_child (ADW_BIN (picker))));
  fd_gui_wait (shown_cb, popover, 10, "the device picker's popover");
  gtk_widget_activate (picker_row (GTK_WIDGET (popover), "All Devices"));
  g_assert_false (row_checked (row_a));
  g_assert_false (row_checked (row_c));
  g_assert_cmpstr (fd_multi_picker_get_summary (FD_MULTI_PICKER (picker)), ==, "All Devices");
  gtk_popover_popdown (popover);
  fd_gui_wait (series_cb, GUINT_TO_POINTER (data_series), 10, "every device's series");
}

static void
click_preset (const char *name, gint64 length_ms)
{
  guint before = fd_data_page_get_series_requests (data_page ());
  g_autoptr (FdDataSelection) selection = NULL;

  gtk_widget_activate (page_child (name));
  fd_gui_wait (requests_past_cb, GUINT_TO_POINTER (before), 10, "the chart to fetch the range");
  fd_gui_wait (series_cb, GUINT_TO_POINTER (data_series), 10, "a series per device in the chart");
  selection = fd_data_page_get_selection (data_page ());
  g_assert_cmpint (selection->end - selection->start, ==, length_ms);
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child (name))));
}

#ifdef FD_HAVE_EVENTS
static gboolean
range_end_past_cb (gpointer data)
{
  gint64 start, end;

  fd_chart_get_range (FD_CHART (page_child ("chart")), &start, &end);
  return end >= *(gint64 *)data;
}

/* Whether the API's series of @device since @since has a point at or after it. */
static gboolean
api_has_point_since (DataDevice *device, gint64 since)
{
  g_autoptr (FdDataSelection) selection = fd_data_page_get_selection (data_page ());
  g_autofree char *path = g_strdup_printf (
      "/workspaces/%s/data/series?tag=weather&field=temp&device=%s&start=%" G_GINT64_FORMAT
      "&end=%" G_GINT64_FORMAT "&points=10",
      selection->workspace_id, device->id, since - 60000, since + 120000);
  g_autoptr (JsonNode) node = fd_test_api_get (path, 200);
  JsonArray *series = json_object_get_array_member (fd_test_api_object (node), "series");

  for (guint i = 0; i < json_array_get_length (series); i++)
    {
      JsonArray *points
          = json_object_get_array_member (json_array_get_object_element (series, i), "points");

      for (guint j = 0; j < json_array_get_length (points); j++)
        if (json_array_get_int_element (json_array_get_array_element (points, j), 0)
            >= since - 1000)
          return TRUE;
    }
  return FALSE;
}

/* The raw table's first row is a reading of @data's device at or after its time. */
static gboolean
first_row_since_cb (gpointer data)
{
  const gint64 *since = data;
  GListModel *rows = fd_data_page_get_rows (data_page ());
  g_autoptr (FdDataRow) row
      = g_list_model_get_n_items (rows) > 0 ? g_list_model_get_item (rows, 0) : NULL;

  return row != NULL && !fd_data_row_get_loading (row)
         && g_strcmp0 (fd_data_row_get_device (row), "probe-a") == 0
         && fd_data_row_get_timestamp (row) >= *since - 1000;
}

/* Live: a new reading of probe-a comes as an event; the chart fetches only the tail and
 * follows it, and the raw table shows it on top. */
static void
check_live (DataDevice *a)
{
  GtkToggleButton *live = GTK_TOGGLE_BUTTON (page_child ("live_button"));
  guint before;
  gint64 posted;

  before = fd_data_page_get_series_requests (data_page ());
  gtk_widget_activate (GTK_WIDGET (live));
  fd_gui_wait (requests_past_cb, GUINT_TO_POINTER (before), 10, "the chart to fetch up to now");
  fd_gui_wait (series_cb, GUINT_TO_POINTER (data_series), 10, "a series per device, live");
  g_assert_true (fd_chart_get_live (FD_CHART (page_child ("chart"))));
  fd_gui_settle (300);
  before = fd_data_page_get_series_requests (data_page ());
  posted = g_get_real_time () / 1000;
  post_batch (a, "weather", "{\"temp\": 30, \"hum\": 41, \"name\": \"a\"}");
  fd_gui_wait (requests_past_cb, GUINT_TO_POINTER (before), 10, "the live tail to be fetched");
  fd_gui_wait (range_end_past_cb, &posted, 10, "the chart to follow the new reading");
  g_assert_true (api_has_point_since (a, posted));
  fd_gui_wait (first_row_since_cb, &posted, 10, "the new reading on top of the raw table");
  g_assert_cmpuint (fd_chart_get_n_series (FD_CHART (page_child ("chart"))), ==, data_series);
}
#endif

static gboolean
shown_cb (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
hidden_cb (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static void
check_custom_range (void)
{
  GtkWidget *popover = page_child ("custom_popover");
  GtkWidget *error = page_child ("custom_error");
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) yesterday = g_date_time_add_days (now, -1);

  gtk_menu_button_popup (GTK_MENU_BUTTON (page_child ("custom_button")));
  fd_gui_settle (200);
  g_assert_true (gtk_widget_get_visible (popover));
  gtk_calendar_select_day (GTK_CALENDAR (page_child ("start_calendar")), now);
  gtk_calendar_select_day (GTK_CALENDAR (page_child ("end_calendar")), yesterday);
  gtk_editable_set_text (GTK_EDITABLE (page_child ("start_time")), "10:00");
  gtk_editable_set_text (GTK_EDITABLE (page_child ("end_time")), "10:00");
  g_assert_true (gtk_widget_get_visible (error));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error)), ==, "The end must be after the start.");
  g_assert_false (gtk_widget_get_sensitive (page_child ("custom_apply")));
  g_free (fd_test_shot ("51-data-custom-range-error"));

  gtk_editable_set_text (GTK_EDITABLE (page_child ("end_time")), "25:00");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (error)), ==,
                   "The end time is not a time of day (HH:MM).");

  /* A good one: from yesterday 10:00 to today 10:00. */
  gtk_calendar_select_day (GTK_CALENDAR (page_child ("start_calendar")), yesterday);
  gtk_calendar_select_day (GTK_CALENDAR (page_child ("end_calendar")), now);
  gtk_editable_set_text (GTK_EDITABLE (page_child ("end_time")), "10:00");
  g_assert_false (gtk_widget_get_visible (error));
  g_assert_true (gtk_widget_get_sensitive (page_child ("custom_apply")));
  gtk_widget_activate (page_child ("custom_apply"));
  fd_gui_wait (hidden_cb, popover, 10, "the custom range's popover to close");
  /* A range in the past does not follow live data. */
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child ("live_button"))));
  {
    g_autoptr (FdDataSelection) selection = fd_data_page_get_selection (data_page ());

    g_assert_cmpint (selection->end - selection->start, ==, 24 * 3600 * 1000);
    g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (page_child ("preset_24h"))));
  }
}

static gboolean
status_page_cb (gpointer data)
{
  GtkStack *stack = GTK_STACK (page_child ("stack"));

  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), data) == 0;
}

void
fd_test_data (void)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  FdWorkspace *previous = fd_workspaces_page_get_workspace (fd_test_workspaces_page ());
  g_autofree char *previous_name
      = previous != NULL ? g_strdup (fd_workspace_get_name (previous)) : NULL;
  g_autofree char *workspace_id = make_workspace ("Weather Station");
  g_autofree char *empty_id = make_workspace ("Quiet Corner");
  DataDevice a = { 0 }, b = { 0 }, c = { 0 };
  g_autoptr (FdDataRow) first = NULL;
  g_autoptr (FdDataSelection) selection = NULL;
  g_autoptr (GDateTime) newest_utc = NULL;
  g_autoptr (GDateTime) newest_local = NULL;
  g_autofree char *newest_text = NULL;
  g_autofree char *newest_seconds = NULL;
  gint64 newest;

  make_device (workspace_id, "probe-a", &a);
  make_device (workspace_id, "probe-b", &b);
  make_device (workspace_id, "probe-c", &c);
  newest = post_readings (&a, &b);

  /* The empty state first: a workspace whose devices never sent anything. */
  choose_workspace ("Quiet Corner");
  fd_test_show_pane ("Data");
  fd_gui_wait (status_page_cb, (gpointer) "empty", 10, "the Data pane's empty state");
  fd_gui_wait_for (win, ADW_TYPE_STATUS_PAGE, "No Data Yet");
  g_free (fd_test_shot ("52-data-empty"));

  choose_workspace ("Weather Station");
  fd_gui_wait (status_page_cb, (gpointer) "data", 10, "the Data pane's chart");
  choose ("tag_dropdown", "weather");
  choose ("field_dropdown", "temp");
  fd_gui_wait (series_cb, GUINT_TO_POINTER (2), 10, "two series in the chart");
  /* "name" is a string: not offered for the chart. */
  {
    const char *want[] = { "field_dropdown", "name" };

    g_assert_false (strings_have_cb (want));
  }

  /* The raw table: newest first, probe-b's last reading. */
  fd_gui_wait (first_row_cb, &first, 10, "the raw table's first page");
  g_assert_cmpstr (fd_data_row_get_device (first), ==, "probe-b");
  g_assert_cmpstr (fd_data_row_get_payload (first), ==, "temp 42");
  newest_utc = g_date_time_new_from_unix_utc (newest / 1000);
  newest_local = g_date_time_to_local (newest_utc);
  newest_seconds = g_date_time_format (newest_local, "%Y-%m-%d %H:%M:%S");
  newest_text = g_strdup_printf ("%s.%03d", newest_seconds, (int)(newest % 1000));
  g_assert_cmpstr (fd_data_row_get_time (first), ==, newest_text);
  fd_gui_wait_for (page_child ("table"), GTK_TYPE_LABEL, newest_text);
  check_paging ();

  selection = fd_data_page_get_selection (data_page ());
  g_assert_cmpstr (selection->workspace_id, ==, workspace_id);
  g_assert_cmpstr (selection->tag, ==, "weather");
  g_assert_cmpstr (selection->field, ==, "temp");
  g_assert_cmpstr (selection->devices[0], ==, NULL);
  g_assert_cmpint (selection->end - selection->start, ==, 24 * 3600 * 1000);
  g_free (fd_test_shot ("50-data-pane"));

  /* probe-c's readings of the last half hour: a third series. */
  {
    gint64 now = g_get_real_time () / 1000;
    g_autofree char *batch = g_strdup_printf (
        "[{\"ts\": %" G_GINT64_FORMAT ", \"payload\": {\"temp\": 30}}, {\"ts\": %" G_GINT64_FORMAT
        ", \"payload\": {\"temp\": 31}}, {\"ts\": %" G_GINT64_FORMAT
        ", \"payload\": {\"temp\": 32}}]",
        now - 30 * 60000, now - 20 * 60000, now - 10 * 60000);

    post_batch (&c, "weather", batch);
    data_series = 3;
  }
  check_device_picker (&a, &c);

  click_preset ("preset_1h", 3600 * 1000);
  click_preset ("preset_7d", 7 * 24 * 3600 * 1000);
  click_preset ("preset_30d", (gint64)30 * 24 * 3600 * 1000);
  click_preset ("preset_24h", 24 * 3600 * 1000);
#ifdef FD_HAVE_EVENTS
  check_live (&a);
#endif
  check_custom_range ();

  /* Ctrl+F: the tag picker's list, with its search entry focused. */
  gtk_widget_activate_action (win, "win.search", NULL);
  {
    GtkWidget *dropdown = page_child ("tag_dropdown");
    GtkWidget *popover = NULL;
    GtkWidget *focus;

    for (GtkWidget *child = gtk_widget_get_first_child (dropdown); child != NULL;
         child = gtk_widget_get_next_sibling (child))
      if (GTK_IS_POPOVER (child))
        popover = child;
    g_assert_nonnull (popover);
    fd_gui_wait (shown_cb, popover, 10, "the tag picker's list");
    focus = gtk_root_get_focus (GTK_ROOT (win));
    g_assert_nonnull (focus);
    g_assert_true (gtk_widget_is_ancestor (focus, popover));
    g_assert_nonnull (gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY));
    gtk_popover_popdown (GTK_POPOVER (popover));
    fd_gui_wait (hidden_cb, popover, 10, "the tag picker's list to close");
  }

  /* "Export…" is enabled by the exporter (fd_export_dialog_attach()). */
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (page_child ("export_button"))),
                   ==, "data.export");
  g_assert_true (gtk_widget_get_sensitive (page_child ("export_button")));

  /* A phone-sized window: the toolbar wraps, nothing is cut off. */
  gtk_window_set_default_size (GTK_WINDOW (win), 360, 700);
  fd_gui_settle (1000);
  g_free (fd_test_shot ("53-data-narrow"));
  g_assert_cmpint (gtk_widget_get_width (page_child ("tag_dropdown")), >, 0);
  gtk_window_set_default_size (GTK_WINDOW (win), 1100, 720);
  fd_gui_settle (600);

  /* Leave the app as it was for the tests after this one: its workspaces only. */
  if (previous_name != NULL)
    choose_workspace (previous_name);
  {
    g_autofree char *path = g_strdup_printf ("/workspaces/%s?force=true", workspace_id);
    g_autofree char *empty_path = g_strdup_printf ("/workspaces/%s", empty_id);
    g_autoptr (JsonNode) deleted = api ("DELETE", path, NULL, 204);
    g_autoptr (JsonNode) deleted_empty = api ("DELETE", empty_path, NULL, 204);

    fd_test_api_wait ("/workspaces", "Weather Station", FALSE);
    fd_test_api_wait ("/workspaces", "Quiet Corner", FALSE);
    fd_workspaces_page_reload (fd_test_workspaces_page (), NULL);
    fd_gui_settle (300);
  }
  g_free (a.id);
  g_free (a.token);
  g_free (b.id);
  g_free (b.token);
  g_free (c.id);
  g_free (c.token);
}
#else
void
fd_test_data (void)
{
  g_test_skip ("the device endpoint or the data query API is not in this tree yet");
}
#endif
