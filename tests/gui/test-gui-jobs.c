/* test-gui-jobs.c — the Jobs pane and the device page's Variables in the real app, against its
 * real engine, with a real MQTT device (tests/gui/jobs-device.py, paho-mqtt, with a cloud_token
 * credential made through the API) that declares the jobs "echo" and "sleep", answers echo and
 * applies variables when told to.
 *
 * A user schedules "echo" on the device from "New Job" (after the dialog refused arguments
 * that are not JSON, saying why, with Schedule off), sees its row turn Succeeded with the
 * device's result, cancels a "sleep" the device never answers, and sets a variable on the
 * device page: it reads "Not Applied Yet" until the device reports it, then "Applied". A
 * program of its own (the main GUI test already takes minutes); screenshots into
 * $FD_BUILD_DIR/tests/gui-shots/jobs-*.png.
 */
#include "config.h"

#include "fd-api-client.h"
#include "fd-application.h"
#include "fd-device-detail-page.h"
#include "fd-devices-page.h"
#include "fd-gui-util.h"
#include "fd-job-dialog.h"
#include "fd-jobs-page.h"
#include "fd-json-item.h"
#include "fd-multi-picker.h"
#include "fd-window.h"
#include "test-gui-jobs.h"

FdApplication *fd_tj_app;
const char *fd_tj_base_url;
const char *fd_tj_token;
char *fd_tj_workspace_id;
char *fd_tj_device_id;
static char *data_dir;
static char *files_dir;
static int test_status;
static FdTjDevice device;

FdWindow *
fd_tj_window (void)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (fd_tj_app));

  g_assert_true (FD_IS_WINDOW (active));
  return FD_WINDOW (active);
}

JsonNode *
fd_tj_api (const char *method, const char *path, const char *body, guint expected)
{
  guint status = 0;
  JsonNode *node = fd_gui_api (fd_tj_base_url, fd_tj_token, method, path, body, &status);

  if (status != expected)
    g_error ("%s %s: %u, not %u", method, path, status, expected);
  return node;
}

const char *
fd_tj_string (JsonNode *node, const char *member)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member (json_node_get_object (node), member);
}

static FdJobsPage *
jobs_page (void)
{
  return FD_JOBS_PAGE (fd_window_get_pane (fd_tj_window (), "jobs"));
}

static GtkWidget *
find_by_class (GtkWidget *root, const char *css_class)
{
  if (gtk_widget_has_css_class (root, css_class) && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_class (child, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
fd_tj_show_pane (const char *title)
{
  /* The sidebar's label, not the pane's header bar title of the same text. */
  GtkWidget *sidebar = find_by_class (GTK_WIDGET (fd_tj_window ()), "navigation-sidebar");
  GtkWidget *label;
  GtkWidget *row;

  g_assert_nonnull (sidebar);
  label = fd_gui_wait_for (sidebar, GTK_TYPE_LABEL, title);
  row = gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW);
  g_assert_nonnull (row);
  gtk_widget_activate (row);
  fd_gui_settle (300);
}

/* The device's output, read as it comes */

static void read_device_line (void);

static void
device_line_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &error);

  if (line == NULL)
    return; /* the end, or the stream closed */
  g_test_message ("device: %s", line);
  g_ptr_array_add (device.lines, line);
  read_device_line ();
}

static void
read_device_line (void)
{
  g_data_input_stream_read_line_async (device.out, G_PRIORITY_DEFAULT, NULL, device_line_cb, NULL);
}

static gboolean
device_said_cb (gpointer data)
{
  for (guint i = 0; i < device.lines->len; i++)
    if (strstr (g_ptr_array_index (device.lines, i), data) != NULL)
      return TRUE;
  return FALSE;
}

void
fd_tj_device_wait (const char *text)
{
  g_autofree char *what = g_strdup_printf ("the device to print %s", text);

  fd_gui_wait (device_said_cb, (gpointer)text, 20, what);
}

void
fd_tj_device_send (const char *command)
{
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (device.in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (device.in, NULL, &error);
  g_assert_no_error (error);
}

/* Setup: a workspace, the device and its credential, as a user of the API makes them */

static gboolean
main_shown_cb (gpointer data)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (fd_tj_app));

  return FD_IS_WINDOW (active) && g_strcmp0 (fd_window_get_state (FD_WINDOW (active)), "main") == 0;
}

static void
start_device (void)
{
  const char *source = g_getenv ("FD_SOURCE_DIR");
  g_autofree char *script = g_build_filename (source, "tests", "gui", "jobs-device.py", NULL);
  g_autofree char *path = g_strdup_printf ("/devices/%s/credentials", fd_tj_device_id);
  g_autoptr (JsonNode) credential
      = fd_tj_api ("POST", path, "{\"kind\": \"key\", \"mode\": \"cloud_token\"}", 201);
  JsonObject *zdevice
      = json_object_get_object_member (json_node_get_object (credential), "zdevice");
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), zdevice);
  g_autofree char *text = json_to_string (node, TRUE);
  g_autofree char *file = g_build_filename (files_dir, "pump-01.zdevice.json", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (file, text, -1, NULL));
  /* Debian's python3, where python3-paho-mqtt is. */
  device.process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                     &error, "/usr/bin/python3", script, file, NULL);
  g_assert_no_error (error);
  device.in = g_subprocess_get_stdin_pipe (device.process);
  device.out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (device.process));
  device.lines = g_ptr_array_new_with_free_func (g_free);
  read_device_line ();
  fd_tj_device_wait ("{\"connected\": 0}");
}

static gboolean
manifest_stored_cb (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/devices/%s/status", fd_tj_device_id);
  g_autoptr (JsonNode) status = fd_tj_api ("GET", path, NULL, 200);
  JsonObject *current = json_object_get_object_member (json_node_get_object (status), "current");

  fd_gui_settle (100);
  return json_object_has_member (current, "__manifest");
}

static gboolean
workspace_shown_cb (gpointer data)
{
  GtkWidget *label = fd_gui_find (GTK_WIDGET (fd_tj_window ()), GTK_TYPE_LABEL, "Jobs Lab");

  return label != NULL;
}

static void
test_start (void)
{
  FdApiClient *client;
  g_autoptr (JsonNode) workspace = NULL;
  g_autoptr (JsonNode) created = NULL;
  g_autofree char *path = NULL;

  fd_gui_wait (main_shown_cb, NULL, 60, "the window to show its panes");
  client = fd_application_get_client (fd_tj_app);
  fd_tj_base_url = fd_api_client_get_base_url (client);
  fd_tj_token = fd_api_client_get_token (client);

  workspace = fd_tj_api ("POST", "/workspaces", "{\"name\": \"Jobs Lab\"}", 201);
  fd_tj_workspace_id = g_strdup (fd_tj_string (workspace, "id"));
  path = g_strdup_printf ("/workspaces/%s/devices", fd_tj_workspace_id);
  created = fd_tj_api ("POST", path, "{\"name\": \"pump-01\"}", 201);
  fd_tj_device_id = g_strdup (fd_tj_string (created, "id"));
  g_clear_pointer (&created, json_node_unref);
  created = fd_tj_api ("POST", path, "{\"name\": \"pump-02\"}", 201);

  start_device ();
  fd_gui_wait (manifest_stored_cb, NULL, 20, "the device's manifest");

  /* The app learns of the workspace as after any change elsewhere: Reload. */
  gtk_widget_activate_action (GTK_WIDGET (fd_tj_window ()), "win.reload", NULL);
  fd_gui_wait (workspace_shown_cb, NULL, 10, "the workspace in the switcher");
}

static void
test_empty (void)
{
  fd_tj_show_pane ("Jobs");
  fd_gui_wait_for (GTK_WIDGET (jobs_page ()), ADW_TYPE_STATUS_PAGE, "No Jobs Yet");
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-01-empty"));
}

static gboolean
jobs_listed_cb (gpointer data)
{
  return g_list_model_get_n_items (fd_jobs_page_get_jobs (jobs_page ())) == GPOINTER_TO_UINT (data);
}

/* Ctrl+F on the Jobs pane searches the jobs by name. */
static void
test_search (void)
{
  GtkWidget *entry;

  fd_tj_show_pane ("Jobs");
  gtk_widget_activate_action (GTK_WIDGET (jobs_page ()), "pane.show-list", NULL);
  fd_gui_wait (jobs_listed_cb, GUINT_TO_POINTER (2), 10, "both jobs listed");
  gtk_widget_activate_action (GTK_WIDGET (fd_tj_window ()), "win.search", NULL);
  entry = fd_gui_wait_for (GTK_WIDGET (jobs_page ()), GTK_TYPE_SEARCH_ENTRY, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), "SLE");
  fd_gui_wait (jobs_listed_cb, GUINT_TO_POINTER (1), 10, "only “sleep” listed");
  gtk_editable_set_text (GTK_EDITABLE (entry), "nothing-like-it");
  fd_gui_wait_for (GTK_WIDGET (jobs_page ()), ADW_TYPE_STATUS_PAGE, "No Results Found");
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-14-no-results"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  fd_gui_wait (jobs_listed_cb, GUINT_TO_POINTER (2), 10, "both jobs listed again");
  gtk_widget_activate_action (GTK_WIDGET (fd_tj_window ()), "win.search", NULL);
}

/* A phone-sized window: the Jobs pane behind a back button, its list still reachable. */
static void
test_narrow (void)
{
  GtkWindow *win = GTK_WINDOW (fd_tj_window ());
  GtkWidget *back;

  fd_tj_show_pane ("Jobs");
  gtk_widget_activate_action (GTK_WIDGET (jobs_page ()), "pane.show-list", NULL);
  gtk_window_set_default_size (win, 360, 700);
  fd_gui_settle (600);
  back = fd_gui_wait_for (GTK_WIDGET (jobs_page ()), GTK_TYPE_BUTTON, "Back");
  g_assert_true (gtk_widget_get_mapped (back));
  fd_gui_wait_for (GTK_WIDGET (jobs_page ()), GTK_TYPE_BUTTON, "_New Job");
  g_free (fd_gui_screenshot (GTK_WIDGET (win), "jobs-15-narrow"));
  gtk_window_set_default_size (win, 1100, 720);
  fd_gui_settle (600);
}

static void
stop_device (void)
{
  g_autoptr (GError) error = NULL;

  fd_tj_device_send ("quit");
  g_output_stream_close (device.in, NULL, NULL);
  g_subprocess_wait_check (device.process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&device.out);
  g_clear_object (&device.process);
  g_clear_pointer (&device.lines, g_ptr_array_unref);
}

static GLogFunc default_log_handler;

/* GLib 2.74's test log handler prints every debug message: they would drown the test's. */
static void
log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if ((level & G_LOG_LEVEL_DEBUG) == 0)
    default_log_handler (domain, level, message, data);
}

static gboolean
run_tests_cb (gpointer data)
{
  test_status = g_test_run ();
  if (device.process != NULL)
    stop_device ();
  g_application_quit (G_APPLICATION (fd_tj_app));
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
  default_log_handler = g_log_set_default_handler (log_handler, NULL);
  data_dir = g_dir_make_tmp ("fleetdesk-gui-jobs-XXXXXX", &error);
  g_assert_no_error (error);
  files_dir = g_dir_make_tmp ("fleetdesk-gui-jobs-files-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/gui-jobs/start", test_start);
  g_test_add_func ("/gui-jobs/empty", test_empty);
  g_test_add_func ("/gui-jobs/bad-args", fd_tj_bad_args);
  g_test_add_func ("/gui-jobs/schedule", fd_tj_schedule);
  g_test_add_func ("/gui-jobs/cancel", fd_tj_cancel);
  g_test_add_func ("/gui-jobs/variables", fd_tj_variables);
  g_test_add_func ("/gui-jobs/search", test_search);
  g_test_add_func ("/gui-jobs/narrow", test_narrow);

  fd_tj_app = fd_application_new ();
  g_signal_connect_after (fd_tj_app, "activate", G_CALLBACK (activated_cb), NULL);
  app_argv[0] = (char *)"fleetdesk";
  app_argv[1] = (char *)"--data-dir";
  app_argv[2] = data_dir;
  app_argv[3] = NULL;
  status = g_application_run (G_APPLICATION (fd_tj_app), 3, app_argv);
  g_clear_object (&fd_tj_app);

  {
    const char *rm_argv[] = { "rm", "-rf", data_dir, files_dir, NULL };
    g_spawn_sync (NULL, (char **)rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  g_free (data_dir);
  g_free (files_dir);
  return status != 0 ? status : test_status;
}
