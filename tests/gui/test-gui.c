/* test-gui.c — the real Fleetdesk app, against a real engine, driven as a user would drive it.
 *
 * The test runs the real FdApplication (local mode, in a temporary --data-dir) under Xvfb,
 * clicks its buttons and fills its dialogs, then checks through the operator API, with its
 * own libsoup client, that what the user did happened on the server. It takes a screenshot of
 * every pane and dialog into $FD_BUILD_DIR/tests/gui-shots/ so a person can look.
 * The Devices pane's tests are in test-gui-devices.c.
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
#include "test-gui.h"

FdApplication *fd_test_app;
char *fd_test_data_dir;
char *fd_test_files_dir;
const char *fd_test_base_url;
const char *fd_test_token;

FdWindow *
fd_test_window (void)
{
  return fd_gui_window (G_APPLICATION (fd_test_app));
}

FdDevicesPage *
fd_test_devices_page (void)
{
  return FD_DEVICES_PAGE (fd_window_get_pane (fd_test_window (), "devices"));
}

FdWorkspacesPage *
fd_test_workspaces_page (void)
{
  return FD_WORKSPACES_PAGE (fd_window_get_pane (fd_test_window (), "workspaces"));
}

char *
fd_test_shot (const char *name)
{
  return fd_gui_screenshot (GTK_WIDGET (fd_test_window ()), name);
}

static gboolean
sidebar_shown_cb (gpointer data)
{
  *(GtkWidget **)data
      = fd_test_find_by_class (GTK_WIDGET (fd_test_window ()), "navigation-sidebar");
  return *(GtkWidget **)data != NULL;
}

/* Clicks the sidebar row of pane @title. */
void
fd_test_show_pane (const char *title)
{
  GtkWidget *sidebar = NULL;
  GtkWidget *label;
  GtkWidget *row;

  /* The sidebar's own labels: the panes' header bars have the same titles. */
  fd_gui_wait (sidebar_shown_cb, &sidebar, 10, "the sidebar");
  label = fd_gui_wait_for (sidebar, GTK_TYPE_LABEL, title);
  row = gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW);
  g_assert_nonnull (row);
  g_test_message ("sidebar: %s", title);
  gtk_widget_activate (row);
  fd_gui_settle (300);
}

/* Types @name into the dialog's name row and clicks @button. */
void
fd_test_answer_name_dialog (const char *name, const char *button, const char *screenshot)
{
  AdwMessageDialog *dialog = fd_gui_wait_for_dialog ();
  GtkWidget *row = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Name");

  gtk_editable_set_text (GTK_EDITABLE (row), name);
  if (screenshot != NULL)
    g_free (fd_test_shot (screenshot));
  fd_gui_click (GTK_WIDGET (dialog), button);
  fd_gui_wait_dialogs_closed ();
}

JsonObject *
fd_test_api_object (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* GET @path and return the answer, asserting status @expected. */
JsonNode *
fd_test_api_get (const char *path, guint expected)
{
  guint status = 0;
  JsonNode *node = fd_gui_api (fd_test_base_url, fd_test_token, "GET", path, NULL, &status);

  g_assert_cmpuint (status, ==, expected);
  return node;
}

/* The object named @name among the items of the list at @path, or NULL. */
JsonObject *
fd_test_api_find (JsonNode **holder, const char *path, const char *name)
{
  JsonArray *items;

  g_clear_pointer (holder, json_node_unref);
  *holder = fd_test_api_get (path, 200);
  items = json_object_get_array_member (fd_test_api_object (*holder), "items");
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
  return (fd_test_api_find (&holder, wait->path, wait->name) != NULL) == wait->present;
}

/* Waits until the list at @path has (or no longer has) an item named @name. */
void
fd_test_api_wait (const char *path, const char *name, gboolean present)
{
  ApiWait wait = { path, name, present };
  g_autofree char *what
      = g_strdup_printf ("%s %s in %s", name, present ? "to appear" : "to go", path);

  fd_gui_wait (api_has_cb, &wait, 15, what);
}

guint
fd_test_lab_device_count (const char *fleet_name)
{
  g_autoptr (JsonNode) holder = NULL;
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *path = NULL;
  JsonObject *found;

  if (fleet_name == NULL)
    {
      path = g_strdup_printf ("/workspaces/%s", lab_id);
      holder = fd_test_api_get (path, 200);
      return json_object_get_int_member (fd_test_api_object (holder), "device_count");
    }
  path = g_strdup_printf ("/workspaces/%s/fleets", lab_id);
  found = fd_test_api_find (&holder, path, fleet_name);
  g_assert_nonnull (found);
  return json_object_get_int_member (found, "device_count");
}

char *
fd_test_workspace_id (const char *name)
{
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *workspace = fd_test_api_find (&holder, "/workspaces?size=1000", name);

  g_assert_nonnull (workspace);
  return g_strdup (json_object_get_string_member (workspace, "id"));
}

static gboolean
main_shown_cb (gpointer data)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (fd_test_app));

  return FD_IS_WINDOW (active) && g_strcmp0 (fd_window_get_state (FD_WINDOW (active)), "main") == 0;
}

static void
test_start (void)
{
  FdApiClient *client;

  fd_gui_wait (main_shown_cb, NULL, 60, "the window to show its panes");
  client = fd_application_get_client (fd_test_app);
  fd_test_base_url = fd_api_client_get_base_url (client);
  fd_test_token = fd_api_client_get_token (client);
  g_assert_true (g_str_has_prefix (fd_test_base_url, "http://127.0.0.1:"));
  g_assert_nonnull (fd_test_token);

  /* A new data folder: no workspace, so the app opens on the pane that makes one. */
  fd_gui_wait_for (GTK_WIDGET (fd_test_window ()), ADW_TYPE_STATUS_PAGE, "No Workspaces");
  g_free (fd_test_shot ("01-first-start"));

  fd_test_show_pane ("Devices");
  fd_gui_wait_for (GTK_WIDGET (fd_test_window ()), ADW_TYPE_STATUS_PAGE, "No Workspace");
  g_free (fd_test_shot ("02-devices-without-workspace"));
}

static void
test_workspaces (void)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  g_autoptr (JsonNode) holder = NULL;
  g_autofree char *lab_id = NULL;
  g_autofree char *fleets_path = NULL;
  JsonObject *fleet;
  GtkWidget *row;

  /* From the Devices pane's empty state, as a new user would. */
  fd_gui_click (win, "_New Workspace");
  fd_test_answer_name_dialog ("Greenhouse Lab", "C_reate", "03-new-workspace-dialog");
  fd_test_api_wait ("/workspaces", "Greenhouse Lab", TRUE);
  fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Greenhouse Lab");

  fd_gui_click (win, "_New Workspace");
  fd_test_answer_name_dialog ("Spare Parts", "C_reate", NULL);
  fd_test_api_wait ("/workspaces", "Spare Parts", TRUE);

  /* Rename it with the row's Rename button. */
  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Spare Parts");
  fd_gui_click (row, "Rename");
  fd_test_answer_name_dialog ("Spares", "_Rename", NULL);
  fd_test_api_wait ("/workspaces", "Spares", TRUE);
  fd_test_api_wait ("/workspaces", "Spare Parts", FALSE);

  /* Work on the lab: its fleets. */
  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Greenhouse Lab");
  gtk_widget_activate (row);
  fd_gui_wait_for (win, GTK_TYPE_LABEL, "Fleets of “Greenhouse Lab”");
  lab_id = fd_test_workspace_id ("Greenhouse Lab");
  fleets_path = g_strdup_printf ("/workspaces/%s/fleets", lab_id);

  fd_gui_click (win, "New _Fleet");
  fd_test_answer_name_dialog ("Sensors", "C_reate", NULL);
  fd_test_api_wait (fleets_path, "Sensors", TRUE);

  fd_gui_click (win, "New _Fleet");
  fd_test_answer_name_dialog ("Valves", "C_reate", NULL);
  fd_test_api_wait (fleets_path, "Valves", TRUE);

  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Valves");
  fd_gui_click (row, "Rename");
  fd_test_answer_name_dialog ("Actuators", "_Rename", NULL);
  fd_test_api_wait (fleets_path, "Actuators", TRUE);

  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Actuators");
  fd_gui_click (row, "Delete");
  fd_gui_wait_for_dialog ();
  fd_gui_wait_for (GTK_WIDGET (fd_gui_wait_for_dialog ()), GTK_TYPE_LABEL,
                   "Delete Fleet “Actuators”?");
  fd_gui_click (GTK_WIDGET (fd_gui_wait_for_dialog ()), "_Delete");
  fd_gui_wait_dialogs_closed ();
  fd_test_api_wait (fleets_path, "Actuators", FALSE);

  /* The default fleet cannot be deleted: its Delete button is off. */
  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "default");
  g_assert_false (gtk_widget_is_sensitive (fd_gui_find (row, GTK_TYPE_BUTTON, "Delete")));
  fleet = fd_test_api_find (&holder, fleets_path, "default");
  g_assert_nonnull (fleet);
  g_assert_true (json_object_get_boolean_member (fleet, "is_default"));

  fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Sensors");
  g_free (fd_test_shot ("04-workspaces-and-fleets"));
  g_assert_cmpstr (
      fd_workspace_get_name (fd_workspaces_page_get_workspace (fd_test_workspaces_page ())), ==,
      "Greenhouse Lab");
}

static void
test_delete_workspace (void)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *path = g_strdup_printf ("/workspaces/%s", lab_id);
  g_autofree char *body = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (JsonNode) gone = NULL;
  guint n_devices = fd_test_lab_device_count (NULL);
  AdwMessageDialog *dialog;
  GtkWidget *row;

  g_assert_cmpuint (n_devices, >, FD_GUI_MANY_DEVICES);
  fd_test_show_pane ("Workspaces & Fleets");
  row = fd_gui_wait_for (win, ADW_TYPE_ACTION_ROW, "Greenhouse Lab");
  fd_gui_click (row, "Delete");
  dialog = fd_gui_wait_for_dialog ();
  /* It says what is lost: the devices go with it (so the app asks the server to force it).
   */
  body = g_strdup (adw_message_dialog_get_body (dialog));
  expected = g_strdup_printf ("%'u devices", n_devices); /* as the locale groups */
  g_assert_nonnull (strstr (body, expected));
  g_free (fd_test_shot ("11-delete-workspace-dialog"));
  fd_gui_click (GTK_WIDGET (dialog), "_Delete");
  fd_gui_wait_dialogs_closed ();
  fd_test_api_wait ("/workspaces", "Greenhouse Lab", FALSE);
  gone = fd_test_api_get (path, 404);

  /* The first remaining workspace (by name) becomes the current one: "Spares", or one the
   * Data pane test made. */
  {
    g_autoptr (JsonNode) left = fd_test_api_get ("/workspaces?size=1000", 200);
    JsonArray *items = json_object_get_array_member (fd_test_api_object (left), "items");
    g_autofree char *first = NULL;
    g_autofree char *label = NULL;

    for (guint i = 0; i < json_array_get_length (items); i++)
      {
        const char *name
            = json_object_get_string_member (json_array_get_object_element (items, i), "name");
        if (first == NULL || g_utf8_collate (name, first) < 0)
          {
            g_free (first);
            first = g_strdup (name);
          }
      }
    g_assert_nonnull (first);
    label = g_strdup_printf ("Fleets of “%s”", first);
    fd_gui_wait_for (win, GTK_TYPE_LABEL, label);
  }
  g_free (fd_test_shot ("12-after-delete"));
}

static void
test_narrow_window (void)
{
  GtkWindow *win = GTK_WINDOW (fd_test_window ());

  /* A phone-sized window: the sidebar folds away behind a back button. */
  gtk_window_set_default_size (win, 360, 700);
  fd_gui_settle (600);
  g_free (fd_test_shot ("13-narrow-window"));
  fd_gui_click (GTK_WIDGET (win), "Back");
  fd_gui_settle (600);
  g_free (fd_test_shot ("14-narrow-sidebar"));
  fd_test_show_pane ("Devices");
  fd_gui_wait_for (GTK_WIDGET (win), GTK_TYPE_BUTTON, "Back");
  fd_gui_settle (600);
  g_free (fd_test_shot ("15-narrow-devices"));

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
      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type)
          && gtk_widget_get_mapped (GTK_WIDGET (toplevel)))
        return toplevel;
    }
  return NULL;
}

static gboolean
window_shown_cb (gpointer data)
{
  return shown_window ((GType)GPOINTER_TO_SIZE (data)) != NULL;
}

static void
test_shortcuts_and_about (void)
{
  static const char *const expected[][2] = {
    { "win.primary", "<Control>n" },
    { "win.search", "<Control>f" },
    { "window.close", "<Control>w" },
    { "app.quit", "<Control>q" },
    { "win.show-help-overlay", "<Control>question" },
    { "win.reload", "<Control>r" },
  };
  GtkWindow *shown;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto (GStrv) accels
          = gtk_application_get_accels_for_action (GTK_APPLICATION (fd_test_app), expected[i][0]);
      g_assert_true (g_strv_contains ((const char *const *)accels, expected[i][1]));
    }

  gtk_widget_activate_action (GTK_WIDGET (fd_test_window ()), "win.show-help-overlay", NULL);
  fd_gui_wait (window_shown_cb, GSIZE_TO_POINTER (GTK_TYPE_SHORTCUTS_WINDOW), 10,
               "the shortcuts window");
  shown = shown_window (GTK_TYPE_SHORTCUTS_WINDOW);
  g_free (fd_gui_screenshot (GTK_WIDGET (shown), "16-shortcuts"));
  gtk_window_close (shown);

  g_action_group_activate_action (G_ACTION_GROUP (fd_test_app), "about", NULL);
  fd_gui_wait (window_shown_cb, GSIZE_TO_POINTER (ADW_TYPE_ABOUT_WINDOW), 10, "the about window");
  shown = shown_window (ADW_TYPE_ABOUT_WINDOW);
  g_free (fd_gui_screenshot (GTK_WIDGET (shown), "17-about"));
  gtk_window_close (shown);
  fd_gui_settle (300);
}

/* Runs the real fleetdesk program with @args for a few seconds, checks it is still running (no
 * crash, no silent exit) and takes a screenshot of what it shows. */
static void
run_program (const char *const *args, const char *screenshot)
{
  const char *build_dir = g_getenv ("FD_BUILD_DIR") ? g_getenv ("FD_BUILD_DIR") : ".";
  g_autofree char *program = g_build_filename (build_dir, "app", "fleetdesk", NULL);
  g_autofree char *file = g_strconcat (screenshot, ".png", NULL);
  g_autofree char *path = g_build_filename (build_dir, "tests", "gui-shots", file, NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) second = NULL;
  g_autoptr (GSubprocess) import = NULL;
  g_autoptr (GError) error = NULL;

  g_ptr_array_add (argv, program);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);

  second = g_subprocess_newv ((const char *const *)argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  fd_gui_settle (3000);
  g_assert_nonnull (g_subprocess_get_identifier (second));

  /* Its window is the newest, on top of the test's at the top left corner. */
  import = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "import", "-window", "root", "-crop",
                             "1100x720+0+0", "+repage", path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait (import, NULL, NULL);
  g_test_message ("screenshot: %s", path);

  g_subprocess_send_signal (second, SIGTERM);
  g_subprocess_wait (second, NULL, NULL);
}

/* A second fleetdesk on the same data folder cannot start its engine: it must say so. */
static void
test_data_dir_in_use (void)
{
  const char *args[] = { "--data-dir", fd_test_data_dir, NULL };

  run_program (args, "18-data-dir-in-use");
}

/* Remote mode: another fleetdesk manages this test's engine as a server, with its token. */
static void
test_remote_server (void)
{
  const char *args[] = { "--server", fd_test_base_url, "--token", fd_test_token, NULL };

  run_program (args, "19-remote-server");
}

/* Remote mode with a server that does not answer: it must say so, and offer to retry. */
static void
test_server_unreachable (void)
{
  const char *args[] = { "--server", "http://127.0.0.1:9", "--token", "unused", NULL };

  run_program (args, "20-server-unreachable");
}

/* The app's icons are SVG: without an SVG loader for gdk-pixbuf (Debian: librsvg2-common, only
 * recommended by GTK) every icon in the app is drawn as a "broken image" sign, while all else
 * still works. Draw the app icon as GTK does. */
static void
test_icons_render (void)
{
  const char *source = g_getenv ("FD_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  g_assert_nonnull (source);
  path = g_build_filename (source, "data", "icons", "hicolor", "scalable", "apps",
                           "io.github.fleetdesk.Fleetdesk.svg", NULL);
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >, 0);
}

int
main (int argc, char *argv[])
{
  int status;

  fd_gui_init (&argc, &argv, "fleetdesk-gui", &fd_test_data_dir, &fd_test_files_dir);

  g_test_add_func ("/gui/icons-render", test_icons_render);
  g_test_add_func ("/gui/start", test_start);
  g_test_add_func ("/gui/workspaces", test_workspaces);
  g_test_add_func ("/gui/devices", fd_test_devices);
  g_test_add_func ("/gui/add-generated", fd_test_add_generated);
  g_test_add_func ("/gui/add-own-certificate", fd_test_add_own_certificate);
  g_test_add_func ("/gui/add-key", fd_test_add_key);
  g_test_add_func ("/gui/device-page", fd_test_device_page);
  g_test_add_func ("/gui/device-readings", fd_test_readings);
  g_test_add_func ("/gui/live", fd_test_live);
  g_test_add_func ("/gui/data", fd_test_data);
  g_test_add_func ("/gui/server-pane", fd_test_server_pane);
  g_test_add_func ("/gui/export", fd_test_export);
  g_test_add_func ("/gui/schedules", fd_test_schedules);
  g_test_add_func ("/gui/import-good", fd_test_import_good);
  g_test_add_func ("/gui/import-progress", fd_test_import_progress);
  g_test_add_func ("/gui/import-bad", fd_test_import_bad);
  g_test_add_func ("/gui/many-devices", fd_test_many_devices);
  g_test_add_func ("/gui/fleet-filter", fd_test_fleet_filter);
  g_test_add_func ("/gui/delete-workspace", test_delete_workspace);
  g_test_add_func ("/gui/narrow-window", test_narrow_window);
  g_test_add_func ("/gui/shortcuts-and-about", test_shortcuts_and_about);
  g_test_add_func ("/gui/data-dir-in-use", test_data_dir_in_use);
  g_test_add_func ("/gui/remote-server", test_remote_server);
  g_test_add_func ("/gui/server-unreachable", test_server_unreachable);

  /* The real application, with the real command line of local mode. */
  fd_test_app = fd_application_new ();
  status
      = fd_gui_run_tests (G_APPLICATION (fd_test_app), fd_test_data_dir, fd_test_files_dir, NULL);
  g_clear_object (&fd_test_app);
  g_free (fd_test_data_dir);
  g_free (fd_test_files_dir);
  return status;
}
