/* test-gui.c — the real Fleetdesk app, against a real engine, driven as a user would drive it.
 *
 * The test runs the real FdApplication (local mode, in a temporary --data-dir) under Xvfb,
 * clicks its buttons and fills its dialogs, then checks through the operator API, with its
 * own libsoup client, that what the user did happened on the server. It takes a screenshot of
 * every pane and dialog into $FD_BUILD_DIR/tests/gui-shots/ so a person can look.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "fd-api-client.h"
#include "fd-application.h"
#include "fd-device-model.h"
#include "fd-devices-page.h"
#include "fd-gui-util.h"
#include "fd-window.h"
#include "fd-workspaces-page.h"

#define FD_GUI_MANY_DEVICES 2000

static FdApplication *app;
static char *data_dir;
static const char *base_url;
static const char *token;
static int test_status;

static FdWindow *
window (void)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (FD_IS_WINDOW (active));
  return FD_WINDOW (active);
}

static FdDevicesPage *
devices_page (void)
{
  return FD_DEVICES_PAGE (fd_window_get_pane (window (), "devices"));
}

static FdWorkspacesPage *
workspaces_page (void)
{
  return FD_WORKSPACES_PAGE (fd_window_get_pane (window (), "workspaces"));
}

static char *
shot (const char *name)
{
  return fd_gui_screenshot (GTK_WIDGET (window ()), name);
}

/* Clicks the sidebar row of pane @title. */
static void
show_pane (const char *title)
{
  GtkWidget *label = fd_gui_wait_for (GTK_WIDGET (window ()), GTK_TYPE_LABEL, title);
  GtkWidget *row = gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW);

  g_assert_nonnull (row);
  g_test_message ("sidebar: %s", title);
  gtk_widget_activate (row);
  fd_gui_settle (300);
}

/* Types @name into the dialog's name row and clicks @button. */
static void
answer_name_dialog (const char *name, const char *button, const char *screenshot)
{
  AdwMessageDialog *dialog = fd_gui_wait_for_dialog ();
  GtkWidget *row = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Name");

  gtk_editable_set_text (GTK_EDITABLE (row), name);
  if (screenshot != NULL)
    g_free (shot (screenshot));
  fd_gui_click (GTK_WIDGET (dialog), button);
  fd_gui_wait_dialogs_closed ();
}

static JsonObject *
api_object (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* GET @path and return the answer, asserting status @expected. */
static JsonNode *
api_get (const char *path, guint expected)
{
  guint status = 0;
  JsonNode *node = fd_gui_api (base_url, token, "GET", path, NULL, &status);

  g_assert_cmpuint (status, ==, expected);
  return node;
}

/* The object named @name among the items of the list at @path, or NULL. */
static JsonObject *
api_find (JsonNode **holder, const char *path, const char *name)
{
  JsonArray *items;

  g_clear_pointer (holder, json_node_unref);
  *holder = api_get (path, 200);
  items = json_object_get_array_member (api_object (*holder), "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      if (g_strcmp0 (json_object_get_string_member (item, "name"), name) == 0)
        return item;
    }
  return NULL;
}

typedef struct
{
  const char *path;
  const char *name;
  gboolean present;
} ApiWait;

static gboolean
api_has_cb (gpointer data)
{
  ApiWait *wait = data;
  g_autoptr (JsonNode) holder = NULL;

  /* Poll gently: each check is a request to the engine. */
  fd_gui_settle (50);
  return (api_find (&holder, wait->path, wait->name) != NULL) == wait->present;
}

/* Waits until the list at @path has (or no longer has) an item named @name. */
static void
api_wait (const char *path, const char *name, gboolean present)
{
  ApiWait wait = { path, name, present };
  g_autofree char *what = g_strdup_printf ("%s %s in %s", name, present ? "to appear" : "to go",
                                           path);

  fd_gui_wait (api_has_cb, &wait, 15, what);
}

static char *
workspace_id (const char *name)
{
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *workspace = api_find (&holder, "/workspaces?size=1000", name);

  g_assert_nonnull (workspace);
  return g_strdup (json_object_get_string_member (workspace, "id"));
}

static gboolean
main_shown_cb (gpointer data)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  return FD_IS_WINDOW (active) && g_strcmp0 (fd_window_get_state (FD_WINDOW (active)), "main") == 0;
}

static void
test_start (void)
{
  FdApiClient *client;

  fd_gui_wait (main_shown_cb, NULL, 60, "the window to show its panes");
  client = fd_application_get_client (app);
  base_url = fd_api_client_get_base_url (client);
  token = fd_api_client_get_token (client);
  g_assert_true (g_str_has_prefix (base_url, "http://127.0.0.1:"));
  g_assert_nonnull (token);

  /* A new data folder: no workspace, so the app opens on the pane that makes one. */
  fd_gui_wait_for (GTK_WIDGET (window ()), ADW_TYPE_STATUS_PAGE, "No Workspaces");
  g_free (shot ("01-first-start"));

  show_pane ("Devices");
  fd_gui_wait_for (GTK_WIDGET (window ()), ADW_TYPE_STATUS_PAGE, "No Workspace");
  g_free (shot ("02-devices-without-workspace"));
}

static void
test_workspaces (void)
{
  GtkWidget *win = GTK_WIDGET (window ());
  g_autoptr (JsonNode) holder = NULL;
  g_autofree char *lab_id = NULL;
  g_autofree char *fleets_path = NULL;
  JsonObject *fleet;
  GtkWidget *row;

  /* From the Devices pane's empty state, as a new user would. */
  fd_gui_click (win, "_New Workspace");
  answer_name_dialog ("Greenhouse Lab", "C_reate", "03-new-workspace-dialog");
  api_wait ("/workspaces", "Greenhouse Lab", TRUE);
  fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Greenhouse Lab");

  fd_gui_click (win, "_New Workspace");
  answer_name_dialog ("Spare Parts", "C_reate", NULL);
  api_wait ("/workspaces", "Spare Parts", TRUE);

  /* Rename it with the row's Rename button. */
  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Spare Parts");
  fd_gui_click (row, "Rename");
  answer_name_dialog ("Spares", "_Rename", NULL);
  api_wait ("/workspaces", "Spares", TRUE);
  api_wait ("/workspaces", "Spare Parts", FALSE);

  /* Work on the lab: its fleets. */
  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Greenhouse Lab");
  gtk_widget_activate (row);
  fd_gui_wait_for (win, GTK_TYPE_LABEL, "Fleets of “Greenhouse Lab”");
  lab_id = workspace_id ("Greenhouse Lab");
  fleets_path = g_strdup_printf ("/workspaces/%s/fleets", lab_id);

  fd_gui_click (win, "New _Fleet");
  answer_name_dialog ("Sensors", "C_reate", NULL);
  api_wait (fleets_path, "Sensors", TRUE);

  fd_gui_click (win, "New _Fleet");
  answer_name_dialog ("Valves", "C_reate", NULL);
  api_wait (fleets_path, "Valves", TRUE);

  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Valves");
  fd_gui_click (row, "Rename");
  answer_name_dialog ("Actuators", "_Rename", NULL);
  api_wait (fleets_path, "Actuators", TRUE);

  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Actuators");
  fd_gui_click (row, "Delete");
  fd_gui_wait_for_dialog ();
  fd_gui_wait_for (GTK_WIDGET (fd_gui_wait_for_dialog ()), GTK_TYPE_LABEL,
                   "Delete Fleet “Actuators”?");
  fd_gui_click (GTK_WIDGET (fd_gui_wait_for_dialog ()), "_Delete");
  fd_gui_wait_dialogs_closed ();
  api_wait (fleets_path, "Actuators", FALSE);

  /* The default fleet cannot be deleted: its Delete button is off. */
  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "default");
  g_assert_false (gtk_widget_is_sensitive (fd_gui_find (row, GTK_TYPE_BUTTON, "Delete")));
  fleet = api_find (&holder, fleets_path, "default");
  g_assert_nonnull (fleet);
  g_assert_true (json_object_get_boolean_member (fleet, "is_default"));

  fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Sensors");
  g_free (shot ("04-workspaces-and-fleets"));
  g_assert_cmpstr (fd_workspace_get_name (fd_workspaces_page_get_workspace (workspaces_page ())),
                   ==, "Greenhouse Lab");
}

static gboolean
model_has_cb (gpointer data)
{
  FdDeviceModel *model = fd_devices_page_get_model (devices_page ());

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
  GtkColumnView *view = fd_devices_page_get_column_view (devices_page ());
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

static void
test_devices (void)
{
  GtkWidget *win = GTK_WIDGET (window ());
  g_autoptr (JsonNode) holder = NULL;
  g_autofree char *lab_id = workspace_id ("Greenhouse Lab");
  g_autofree char *devices_path = g_strdup_printf ("/workspaces/%s/devices", lab_id);
  g_autofree char *sensors_id = NULL;
  g_autofree char *fleets_path = g_strdup_printf ("/workspaces/%s/fleets", lab_id);
  AdwMessageDialog *dialog;
  GtkWidget *fleet_row;
  JsonObject *device;
  GListModel *fleets;

  show_pane ("Devices");
  fd_gui_wait_for (win, ADW_TYPE_STATUS_PAGE, "No Devices");
  g_free (shot ("05-devices-empty"));

  /* Add a device into the Sensors fleet. */
  fd_gui_click (win, "_Add Device");
  dialog = fd_gui_wait_for_dialog ();
  fleet_row = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, "Fleet");
  fleets = adw_combo_row_get_model (ADW_COMBO_ROW (fleet_row));
  g_assert_cmpuint (g_list_model_get_n_items (fleets), ==, 2);
  adw_combo_row_set_selected (ADW_COMBO_ROW (fleet_row), 1); /* default first, then Sensors */
  answer_name_dialog ("sensor-01", "_Add", "06-add-device-dialog");
  api_wait (devices_path, "sensor-01", TRUE);
  device = api_find (&holder, devices_path, "sensor-01");
  g_assert_cmpstr (json_object_get_string_member (device, "fleet_name"), ==, "Sensors");
  sensors_id = g_strdup (json_object_get_string_member (device, "fleet_id"));

  /* Ctrl+N does the same as the button. */
  gtk_widget_activate_action (win, "win.primary", NULL);
  answer_name_dialog ("sensor-02", "_Add", NULL);
  api_wait (devices_path, "sensor-02", TRUE);
  device = api_find (&holder, devices_path, "sensor-02");
  g_assert_cmpstr (json_object_get_string_member (device, "fleet_name"), ==, "default");
  wait_rows (2);

  /* Rename it. */
  select_device ("sensor-02");
  fd_gui_click (win, "_Rename…");
  answer_name_dialog ("sensor-02b", "_Rename", NULL);
  api_wait (devices_path, "sensor-02b", TRUE);
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
  device = api_find (&holder, devices_path, "sensor-02b");
  g_assert_cmpstr (json_object_get_string_member (device, "fleet_id"), ==, sensors_id);

  /* Delete sensor-01, after the dialog named it. */
  select_device ("sensor-01");
  fd_gui_click (win, "_Delete…");
  dialog = fd_gui_wait_for_dialog ();
  fd_gui_wait_for (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "Delete Device “sensor-01”?");
  g_free (shot ("07-delete-device-dialog"));
  fd_gui_click (GTK_WIDGET (dialog), "_Delete");
  fd_gui_wait_dialogs_closed ();
  api_wait (devices_path, "sensor-01", FALSE);
  wait_rows (1);

  select_device ("sensor-02b");
  g_free (shot ("08-devices"));
  g_assert_nonnull (api_find (&holder, fleets_path, "Sensors"));
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
  LabelWait wait = { GTK_WIDGET (fd_devices_page_get_column_view (devices_page ())), name };
  g_autofree char *what = g_strdup_printf ("the device list to show %s", name);
  gint64 start = g_get_monotonic_time ();

  fd_gui_wait (label_shown_cb, &wait, 15, what);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static GtkAdjustment *
list_adjustment (void)
{
  GtkWidget *view = GTK_WIDGET (fd_devices_page_get_column_view (devices_page ()));
  GtkWidget *scrolled = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);

  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
}

static gboolean
scrollable_cb (gpointer data)
{
  GtkAdjustment *adjustment = data;

  return gtk_adjustment_get_upper (adjustment) > 10 * gtk_adjustment_get_page_size (adjustment);
}

static void
test_many_devices (void)
{
  GtkWidget *win = GTK_WIDGET (window ());
  g_autofree char *lab_id = workspace_id ("Greenhouse Lab");
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) first = NULL;
  FdDeviceModel *model = fd_devices_page_get_model (devices_page ());
  g_autoptr (GtkColumnViewColumn) name_column = NULL;
  GtkColumnView *view;
  GtkAdjustment *adjustment;
  GtkWidget *search;
  gint64 start = g_get_monotonic_time ();
  guint before, fetched, n_pages;
  double ms;

  fd_gui_api_create_devices (base_url, token, lab_id, "node", FD_GUI_MANY_DEVICES, 8);
  g_test_message ("created %u devices through the API in %.1f s", FD_GUI_MANY_DEVICES,
                  (g_get_monotonic_time () - start) / 1e6);

  /* Ctrl+R: the list learns about devices added elsewhere. */
  before = fd_device_model_get_pages_fetched (model);
  gtk_widget_activate_action (win, "win.reload", NULL);
  wait_rows (FD_GUI_MANY_DEVICES + 1);
  wait_label ("node-00001");
  fetched = fd_device_model_get_pages_fetched (model);

  /* Drag the scrollbar to the end: the last page is fetched, and only the pages near what is
   * shown (GtkListView binds a few rows beyond the visible ones). */
  adjustment = list_adjustment ();
  fd_gui_wait (scrollable_cb, adjustment, 10, "the list to be laid out for 2001 rows");
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                            - gtk_adjustment_get_page_size (adjustment));
  ms = wait_label ("sensor-02b");
  g_test_message ("the last row showed %.0f ms after scrolling to the end", ms);
  wait_label ("node-02000");
  n_pages = (FD_GUI_MANY_DEVICES + 1 + FD_DEVICE_MODEL_PAGE_SIZE - 1) / FD_DEVICE_MODEL_PAGE_SIZE;
  g_test_message ("pages fetched: %u at the top, %u more at the end, of %u",
                  fetched - before, fd_device_model_get_pages_fetched (model) - fetched, n_pages);
  g_assert_cmpuint (fd_device_model_get_pages_fetched (model) - fetched, <=, 4);
  g_free (shot ("09-devices-scrolled-to-end"));

  /* Sort by name, descending, as a second click on its header does: the server sorts. */
  view = fd_devices_page_get_column_view (devices_page ());
  name_column = g_list_model_get_item (gtk_column_view_get_columns (view), 0);
  gtk_column_view_sort_by_column (view, name_column, GTK_SORT_DESCENDING);
  path = g_strdup_printf ("/workspaces/%s/devices?sort=-name&size=1", lab_id);
  first = api_get (path, 200);
  wait_rows (FD_GUI_MANY_DEVICES + 1);
  gtk_adjustment_set_value (list_adjustment (), 0);
  wait_label (json_object_get_string_member (
      json_array_get_object_element (
          json_object_get_array_member (api_object (first), "items"), 0),
      "name"));

  /* Search, as typed: the server filters after the typing pauses. */
  gtk_widget_activate_action (win, "win.search", NULL);
  search = fd_gui_wait_for (win, GTK_TYPE_SEARCH_ENTRY, NULL);
  gtk_editable_set_text (GTK_EDITABLE (search), "node-0199");
  wait_rows (10);
  wait_label ("node-01999");
  g_free (shot ("10-devices-search"));
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  wait_rows (FD_GUI_MANY_DEVICES + 1);
}

static void
test_fleet_filter (void)
{
  GtkWidget *win = GTK_WIDGET (window ());
  GtkDropDown *filter = GTK_DROP_DOWN (fd_gui_wait_for (win, GTK_TYPE_DROP_DOWN,
                                                        "Show the Devices of One Fleet"));
  GListModel *items = gtk_drop_down_get_model (filter);

  /* "All Fleets", "default", "Sensors" */
  g_assert_cmpuint (g_list_model_get_n_items (items), ==, 3);
  gtk_drop_down_set_selected (filter, 2);
  wait_rows (1);
  wait_label ("sensor-02b");
  gtk_drop_down_set_selected (filter, 0);
  wait_rows (FD_GUI_MANY_DEVICES + 1);
}

static void
test_delete_workspace (void)
{
  GtkWidget *win = GTK_WIDGET (window ());
  g_autofree char *lab_id = workspace_id ("Greenhouse Lab");
  g_autofree char *path = g_strdup_printf ("/workspaces/%s", lab_id);
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) gone = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *row;

  show_pane ("Workspaces & Fleets");
  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Greenhouse Lab");
  fd_gui_click (row, "Delete");
  dialog = fd_gui_wait_for_dialog ();
  /* It says what is lost: the devices go with it (so the app asks the server to force it). */
  body = g_strdup (adw_message_dialog_get_body (dialog));
  g_assert_nonnull (strstr (body, "2001 devices"));
  g_free (shot ("11-delete-workspace-dialog"));
  fd_gui_click (GTK_WIDGET (dialog), "_Delete");
  fd_gui_wait_dialogs_closed ();
  api_wait ("/workspaces", "Greenhouse Lab", FALSE);
  gone = api_get (path, 404);

  /* The remaining workspace becomes the current one. */
  fd_gui_wait_for (win, GTK_TYPE_LABEL, "Fleets of “Spares”");
  g_free (shot ("12-after-delete"));
}

static void
test_narrow_window (void)
{
  GtkWindow *win = GTK_WINDOW (window ());

  /* A phone-sized window: the sidebar folds away behind a back button. */
  gtk_window_set_default_size (win, 360, 700);
  fd_gui_settle (600);
  g_free (shot ("13-narrow-window"));
  fd_gui_click (GTK_WIDGET (win), "Back");
  fd_gui_settle (600);
  g_free (shot ("14-narrow-sidebar"));
  show_pane ("Devices");
  fd_gui_wait_for (GTK_WIDGET (win), GTK_TYPE_BUTTON, "Back");
  fd_gui_settle (600);
  g_free (shot ("15-narrow-devices"));

  gtk_window_set_default_size (win, 1100, 720);
  fd_gui_settle (600);
}

static GtkWindow *
shown_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type) && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        return toplevel;
    }
  return NULL;
}

static gboolean
window_shown_cb (gpointer data)
{
  return shown_window ((GType) GPOINTER_TO_SIZE (data)) != NULL;
}

static void
test_shortcuts_and_about (void)
{
  static const char *const expected[][2] = {
    { "win.primary", "<Control>n" },     { "win.search", "<Control>f" },
    { "window.close", "<Control>w" },    { "app.quit", "<Control>q" },
    { "win.show-help-overlay", "<Control>question" }, { "win.reload", "<Control>r" },
  };
  GtkWindow *shown;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto (GStrv) accels
          = gtk_application_get_accels_for_action (GTK_APPLICATION (app), expected[i][0]);
      g_assert_true (g_strv_contains ((const char *const *) accels, expected[i][1]));
    }

  gtk_widget_activate_action (GTK_WIDGET (window ()), "win.show-help-overlay", NULL);
  fd_gui_wait (window_shown_cb, GSIZE_TO_POINTER (GTK_TYPE_SHORTCUTS_WINDOW), 10,
               "the shortcuts window");
  shown = shown_window (GTK_TYPE_SHORTCUTS_WINDOW);
  g_free (fd_gui_screenshot (GTK_WIDGET (shown), "16-shortcuts"));
  gtk_window_close (shown);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  fd_gui_wait (window_shown_cb, GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW), 10,
               "the about window");
  shown = shown_window (ADW_TYPE_ABOUT_WINDOW);
  g_free (fd_gui_screenshot (GTK_WIDGET (shown), "17-about"));
  gtk_window_close (shown);
  fd_gui_settle (300);
}

/* A second fleetdesk on the same data folder cannot start its engine: it must say so. */
static void
test_data_dir_in_use (void)
{
  const char *build_dir = g_getenv ("FD_BUILD_DIR");
  g_autofree char *program = g_build_filename (build_dir ? build_dir : ".", "app", "fleetdesk",
                                               NULL);
  const char *argv[] = { program, "--data-dir", data_dir, NULL };
  g_autoptr (GSubprocess) second = NULL;
  g_autoptr (GError) error = NULL;
  const char *build_shots = build_dir ? build_dir : ".";
  g_autofree char *dir = g_build_filename (build_shots, "tests", "gui-shots", NULL);
  g_autofree char *path = g_build_filename (dir, "18-data-dir-in-use.png", NULL);

  second = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  fd_gui_settle (3000);
  g_assert_false (g_subprocess_get_if_exited (second)); /* no crash, no silent exit */

  {
    const char *import_argv[] = { "import", "-window", "root", "-crop", "1100x720+0+0", "+repage",
                                  path, NULL };
    g_autoptr (GSubprocess) import = g_subprocess_newv (import_argv, G_SUBPROCESS_FLAGS_NONE,
                                                       &error);
    g_assert_no_error (error);
    g_subprocess_wait (import, NULL, NULL);
    g_test_message ("screenshot: %s", path);
  }

  g_subprocess_send_signal (second, SIGTERM);
  g_subprocess_wait (second, NULL, NULL);
}

static GLogFunc fd_gui_default_log_handler;

/* GLib 2.74's test log handler prints every debug message (GIO's, libsoup's): they would drown
 * the test's own messages. */
static void
fd_gui_log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if ((level & G_LOG_LEVEL_DEBUG) == 0)
    fd_gui_default_log_handler (domain, level, message, data);
}

static gboolean
run_tests_cb (gpointer data)
{
  test_status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
activated_cb (GApplication *application)
{
  static gboolean started;

  if (!started)
    g_idle_add (run_tests_cb, NULL);
  started = TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  char *app_argv[4];
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_gui_default_log_handler = g_log_set_default_handler (fd_gui_log_handler, NULL);

  data_dir = g_dir_make_tmp ("fleetdesk-gui-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/gui/start", test_start);
  g_test_add_func ("/gui/workspaces", test_workspaces);
  g_test_add_func ("/gui/devices", test_devices);
  g_test_add_func ("/gui/many-devices", test_many_devices);
  g_test_add_func ("/gui/fleet-filter", test_fleet_filter);
  g_test_add_func ("/gui/delete-workspace", test_delete_workspace);
  g_test_add_func ("/gui/narrow-window", test_narrow_window);
  g_test_add_func ("/gui/shortcuts-and-about", test_shortcuts_and_about);
  g_test_add_func ("/gui/data-dir-in-use", test_data_dir_in_use);

  /* The real application, with the real command line of local mode. */
  app = fd_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (activated_cb), NULL);
  app_argv[0] = (char *) "fleetdesk";
  app_argv[1] = (char *) "--data-dir";
  app_argv[2] = data_dir;
  app_argv[3] = NULL;
  status = g_application_run (G_APPLICATION (app), 3, app_argv);
  g_clear_object (&app);

  {
    const char *rm_argv[] = { "rm", "-rf", data_dir, NULL };
    g_spawn_sync (NULL, (char **) rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  g_free (data_dir);
  return status != 0 ? status : test_status;
}
