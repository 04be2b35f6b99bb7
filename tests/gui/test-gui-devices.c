/* test-gui-devices.c — the "Devices" pane of the real app: add, rename, move and delete
 * devices as a user would, then 2,000 more devices: scrolling, server-side sorting, search and
 * the fleet filter. Part of test-gui (see test-gui.c). */
#include "config.h"

#include "fd-device-model.h"
#include "fd-devices-page.h"
#include "fd-gui-util.h"
#include "test-gui.h"

static gboolean
model_has_cb (gpointer data)
{
  FdDeviceModel *model = fd_devices_page_get_model (fd_test_devices_page ());

  return !fd_device_model_get_loading (model)
         && g_list_model_get_n_items (G_LIST_MODEL (model)) == GPOINTER_TO_UINT (data);
}

static void
wait_rows (guint n)
{
  g_autofree char *what = g_strdup_printf ("the device list to have %u rows", n);

  fd_gui_wait (model_has_cb, GUINT_TO_POINTER (n), 30, what);
}

/* Selects the row showing @name, as a click on it would. */
static void
select_device (const char *name)
{
  GtkColumnView *view = fd_devices_page_get_column_view (fd_test_devices_page ());
  GtkWidget *label = fd_gui_wait_for (GTK_WIDGET (view), GTK_TYPE_LABEL, name);
  GtkSelectionModel *selection = gtk_column_view_get_model (view);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (selection));

  g_assert_nonnull (label);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdDevice) device = g_list_model_get_item (G_LIST_MODEL (selection), i);
      if (g_strcmp0 (fd_device_get_name (device), name) == 0)
        {
          gtk_selection_model_select_item (selection, i, TRUE);
          fd_gui_settle (100);
          return;
        }
    }
  g_error ("no row %s", name);
}

void
fd_test_devices (void)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  g_autoptr (JsonNode) holder = NULL;
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *devices_path = g_strdup_printf ("/workspaces/%s/devices", lab_id);
  g_autofree char *sensors_id = NULL;
  g_autofree char *fleets_path = g_strdup_printf ("/workspaces/%s/fleets", lab_id);
  g_autoptr (FdProvisionWindow) window = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *fleet_row;
  JsonObject *device;
  GListModel *fleets;

  fd_test_show_pane ("Devices");
  fd_gui_wait_for (win, ADW_TYPE_STATUS_PAGE, "No Devices");
  g_free (fd_test_shot ("05-devices-empty"));

  /* Add a device into the Sensors fleet: the provisioning window's fleets are the lab's. */
  fd_gui_click (win, "_Add Device");
  g_clear_object (&window);
  window = FD_PROVISION_WINDOW (fd_gui_wait_for_window (FD_TYPE_PROVISION_WINDOW));
  fleet_row = fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_COMBO_ROW, "_Fleet");
  fleets = adw_combo_row_get_model (ADW_COMBO_ROW (fleet_row));
  g_assert_cmpuint (g_list_model_get_n_items (fleets), ==, 2);
  gtk_window_close (GTK_WINDOW (window)); /* nothing made yet: it closes at once */
  fd_gui_wait_window_closed (GTK_WINDOW (window));
  fd_test_add_device ("sensor-01", 1, "06-add-device-dialog"); /* default first, then Sensors */
  fd_test_api_wait (devices_path, "sensor-01", TRUE);
  device = fd_test_api_find (&holder, devices_path, "sensor-01");
  g_assert_cmpstr (json_object_get_string_member (device, "fleet_name"), ==, "Sensors");
  sensors_id = g_strdup (json_object_get_string_member (device, "fleet_id"));

  /* Ctrl+N does the same as the button (fd_test_add_device uses it). */
  fd_test_add_device ("sensor-02", 0, NULL);
  fd_test_api_wait (devices_path, "sensor-02", TRUE);
  device = fd_test_api_find (&holder, devices_path, "sensor-02");
  g_assert_cmpstr (json_object_get_string_member (device, "fleet_name"), ==, "default");
  wait_rows (2);

  /* Rename it. */
  select_device ("sensor-02");
  fd_gui_click (win, "_Rename…");
  fd_test_answer_name_dialog ("sensor-02b", "_Rename", NULL);
  fd_test_api_wait (devices_path, "sensor-02b", TRUE);
  fd_gui_wait_for (win, GTK_TYPE_LABEL, "sensor-02b");

  /* Move it to Sensors. */
  select_device ("sensor-02b");
  fd_gui_click (win, "_Move to Fleet…");
  dialog = fd_gui_wait_for_dialog ();
  fleet_row = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, "Fleet");
  adw_combo_row_set_selected (ADW_COMBO_ROW (fleet_row), 1);
  fd_gui_click (GTK_WIDGET (dialog), "_Move");
  fd_gui_wait_dialogs_closed ();
  fd_gui_settle (500);
  device = fd_test_api_find (&holder, devices_path, "sensor-02b");
  g_assert_cmpstr (json_object_get_string_member (device, "fleet_id"), ==, sensors_id);

  /* Delete sensor-01, after the dialog named it. */
  select_device ("sensor-01");
  fd_gui_click (win, "_Delete…");
  dialog = fd_gui_wait_for_dialog ();
  fd_gui_wait_for (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "Delete Device “sensor-01”?");
  g_free (fd_test_shot ("07-delete-device-dialog"));
  fd_gui_click (GTK_WIDGET (dialog), "_Delete");
  fd_gui_wait_dialogs_closed ();
  fd_test_api_wait (devices_path, "sensor-01", FALSE);
  wait_rows (1);

  select_device ("sensor-02b");
  g_free (fd_test_shot ("08-devices"));
  g_assert_nonnull (fd_test_api_find (&holder, fleets_path, "Sensors"));
}

typedef struct
{
  GtkWidget *view;
  const char *name;
} LabelWait;

static gboolean
label_shown_cb (gpointer data)
{
  LabelWait *wait = data;
  return fd_gui_find (wait->view, GTK_TYPE_LABEL, wait->name) != NULL;
}

/* Waits until the column view shows a row named @name; returns how long that took. */
static double
wait_label (const char *name)
{
  LabelWait wait = { GTK_WIDGET (fd_devices_page_get_column_view (fd_test_devices_page ())), name };
  g_autofree char *what = g_strdup_printf ("the device list to show %s", name);
  gint64 start = g_get_monotonic_time ();

  fd_gui_wait (label_shown_cb, &wait, 15, what);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static GtkAdjustment *
list_adjustment (void)
{
  GtkWidget *view = GTK_WIDGET (fd_devices_page_get_column_view (fd_test_devices_page ()));
  GtkWidget *scrolled = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);

  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
}

static gboolean
scrollable_cb (gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_upper (adjustment) > 10 * gtk_adjustment_get_page_size (adjustment);
}

/* The name of the first device of the lab in @sort order, as the server sorts. */
static const char *
first_by_name (const char *lab_id, const char *sort)
{
  static char *name;
  g_autofree char *path = g_strdup_printf ("/workspaces/%s/devices?sort=%s&size=1", lab_id, sort);
  g_autoptr (JsonNode) first = fd_test_api_get (path, 200);

  g_free (name);
  name = g_strdup (json_object_get_string_member (
      json_array_get_object_element (
          json_object_get_array_member (fd_test_api_object (first), "items"), 0),
      "name"));
  return name;
}

void
fd_test_many_devices (void)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  FdDeviceModel *model = fd_devices_page_get_model (fd_test_devices_page ());
  g_autoptr (GtkColumnViewColumn) name_column = NULL;
  GtkColumnView *view;
  GtkAdjustment *adjustment;
  GtkWidget *search;
  gint64 start = g_get_monotonic_time ();
  guint before, fetched, n_pages, n_rows;
  double ms;

  fd_gui_api_create_devices (fd_test_base_url, fd_test_token, lab_id, "node", FD_GUI_MANY_DEVICES,
                             8);
  g_test_message ("created %u devices through the API in %.1f s", FD_GUI_MANY_DEVICES,
                  (g_get_monotonic_time () - start) / 1e6);

  /* Ctrl+R: the list learns about devices added elsewhere. */
  n_rows = fd_test_lab_device_count (NULL);
  g_assert_cmpuint (n_rows, >, FD_GUI_MANY_DEVICES);
  before = fd_device_model_get_pages_fetched (model);
  gtk_widget_activate_action (win, "win.reload", NULL);
  wait_rows (n_rows);
  wait_label (first_by_name (lab_id, "name"));
  fetched = fd_device_model_get_pages_fetched (model);

  /* Drag the scrollbar to the end: the last page is fetched, and only the pages near what is
   * shown (GtkListView binds a few rows beyond the visible ones). */
  adjustment = list_adjustment ();
  fd_gui_wait (scrollable_cb, adjustment, 10, "the list to be laid out for 2001 rows");
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                            - gtk_adjustment_get_page_size (adjustment));
  ms = wait_label ("valve-01"); /* the last by name */
  g_test_message ("the last row showed %.0f ms after scrolling to the end", ms);
  wait_label ("sensor-02b");
  wait_label ("node-02000");
  n_pages = (n_rows + FD_DEVICE_MODEL_PAGE_SIZE - 1) / FD_DEVICE_MODEL_PAGE_SIZE;
  g_test_message ("pages fetched: %u at the top, %u more at the end, of %u", fetched - before,
                  fd_device_model_get_pages_fetched (model) - fetched, n_pages);
  g_assert_cmpuint (fd_device_model_get_pages_fetched (model) - fetched, <=, 4);
  g_free (fd_test_shot ("09-devices-scrolled-to-end"));

  /* Sort by name, descending, as a second click on its header does: the server sorts. */
  view = fd_devices_page_get_column_view (fd_test_devices_page ());
  name_column = g_list_model_get_item (gtk_column_view_get_columns (view), 0);
  gtk_column_view_sort_by_column (view, name_column, GTK_SORT_DESCENDING);
  wait_rows (n_rows);
  gtk_adjustment_set_value (list_adjustment (), 0);
  wait_label (first_by_name (lab_id, "-name"));

  /* Search, as typed: the server filters after the typing pauses. */
  gtk_widget_activate_action (win, "win.search", NULL);
  search = fd_gui_wait_for (win, GTK_TYPE_SEARCH_ENTRY, NULL);
  gtk_editable_set_text (GTK_EDITABLE (search), "node-0199");
  wait_rows (10);
  wait_label ("node-01999");
  g_free (fd_test_shot ("10-devices-search"));
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  wait_rows (n_rows);
}

void
fd_test_fleet_filter (void)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  GtkDropDown *filter
      = GTK_DROP_DOWN (fd_gui_wait_for (win, GTK_TYPE_DROP_DOWN, "Show the Devices of One Fleet"));
  GListModel *items = gtk_drop_down_get_model (filter);

  /* "All Fleets", "default", "Sensors" */
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 3);
  gtk_drop_down_set_selected (filter, 2);
  wait_rows (fd_test_lab_device_count ("Sensors"));
  wait_label ("sensor-02b");
  gtk_drop_down_set_selected (filter, 0);
  wait_rows (fd_test_lab_device_count (NULL));
}
