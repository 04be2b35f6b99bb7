/* fd-gui-util.c — driving the real app in a GUI test as a user would. */
#include "config.h"

#include <libsoup/soup.h>

#include "fd-gui-util.h"

static GLogFunc fd_gui_default_log_handler;

static void
fd_gui_log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if ((level & G_LOG_LEVEL_DEBUG) == 0)
    fd_gui_default_log_handler (domain, level, message, data);
}

void
fd_gui_init (int *argc, char ***argv, const char *name, char **data_dir, char **files_dir)
{
  g_autofree char *data_template = g_strdup_printf ("%s-XXXXXX", name);
  g_autofree char *files_template = g_strdup_printf ("%s-files-XXXXXX", name);
  g_autoptr (GError) error = NULL;

  g_test_init (argc, argv, NULL);
  fd_gui_default_log_handler = g_log_set_default_handler (fd_gui_log_handler, NULL);
  *data_dir = g_dir_make_tmp (data_template, &error);
  g_assert_no_error (error);
  *files_dir = g_dir_make_tmp (files_template, &error);
  g_assert_no_error (error);
}

FdWindow *
fd_gui_window (GApplication *app)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (FD_IS_WINDOW (active));
  return FD_WINDOW (active);
}

typedef struct
{
  GApplication *app;
  void (*after) (void);
  gboolean started;
  int status;
} FdGuiRun;

static gboolean
fd_gui_run_tests_cb (gpointer data)
{
  FdGuiRun *run = data;

  run->status = g_test_run ();
  if (run->after != NULL)
    run->after ();
  g_application_quit (run->app);
  return G_SOURCE_REMOVE;
}

/* "activate" can come more than once (each activation of the running instance): the tests
 * start at the first. */
static void
fd_gui_activated_cb (GApplication *application, FdGuiRun *run)
{
  if (!run->started)
    g_idle_add (fd_gui_run_tests_cb, run);
  run->started = TRUE;
}

int
fd_gui_run_tests (GApplication *app, const char *data_dir, const char *files_dir,
                  void (*after) (void))
{
  FdGuiRun run = { app, after, FALSE, 0 };
  char *app_argv[] = { (char *)"fleetdesk", (char *)"--data-dir", (char *)data_dir, NULL };
  const char *rm_argv[] = { "rm", "-rf", data_dir, files_dir, NULL };
  gulong handler = g_signal_connect_after (app, "activate", G_CALLBACK (fd_gui_activated_cb), &run);
  int status = g_application_run (app, 3, app_argv);

  g_signal_handler_disconnect (app, handler);
  g_spawn_sync (NULL, (char **)rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                NULL);
  return status != 0 ? status : run.status;
}

void
fd_gui_wait (gboolean (*check) (gpointer data), gpointer data, double seconds, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)(seconds * G_USEC_PER_SEC);

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          /* Show what the user would have seen. */
          GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */
          g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, 0);

          if (window != NULL)
            g_free (fd_gui_screenshot (window, "timeout"));
          g_error ("timed out after %.0f s waiting for %s", seconds, what);
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gboolean
fd_gui_time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *)data;
}

void
fd_gui_settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  fd_gui_wait (fd_gui_time_passed, &until, ms / 1000.0 + 5, "time to pass");
}

static const char *
fd_gui_label_of (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL)
    return gtk_button_get_label (GTK_BUTTON (widget));
  if (GTK_IS_BUTTON (widget) && ADW_IS_BUTTON_CONTENT (gtk_button_get_child (GTK_BUTTON (widget))))
    return adw_button_content_get_label (
        ADW_BUTTON_CONTENT (gtk_button_get_child (GTK_BUTTON (widget))));
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_label (GTK_LABEL (widget));
  if (ADW_IS_PREFERENCES_ROW (widget))
    return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  if (ADW_IS_STATUS_PAGE (widget))
    return adw_status_page_get_title (ADW_STATUS_PAGE (widget));
  if (ADW_IS_PREFERENCES_GROUP (widget))
    return adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget));
  if (ADW_IS_WINDOW_TITLE (widget))
    return adw_window_title_get_title (ADW_WINDOW_TITLE (widget));
  return gtk_widget_get_tooltip_text (widget); /* icon buttons, drop-downs */
}

GtkWidget *
fd_gui_find (GtkWidget *root, GType type, const char *label)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;

  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)
      && (label == NULL || g_strcmp0 (fd_gui_label_of (root), label) == 0))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = fd_gui_find (child, type, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  GtkWidget *root;
  GType type;
  const char *label;
  GtkWidget *found;
} FdGuiSearch;

static gboolean
fd_gui_search_cb (gpointer data)
{
  FdGuiSearch *search = data;

  search->found = fd_gui_find (search->root, search->type, search->label);
  return search->found != NULL
         && (!GTK_IS_BUTTON (search->found) || gtk_widget_is_sensitive (search->found));
}

GtkWidget *
fd_gui_wait_for (GtkWidget *root, GType type, const char *label)
{
  FdGuiSearch search = { root, type, label, NULL };
  g_autofree char *what = g_strdup_printf ("a %s “%s”", g_type_name (type), label ? label : "*");

  fd_gui_wait (fd_gui_search_cb, &search, 10, what);
  return search.found;
}

GtkWidget *
fd_gui_find_label_prefix (GtkWidget *root, const char *prefix)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (GTK_IS_LABEL (root) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), prefix))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = fd_gui_find_label_prefix (child, prefix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
fd_gui_label_prefix_cb (gpointer data)
{
  FdGuiSearch *search = data;

  search->found = fd_gui_find_label_prefix (search->root, search->label);
  return search->found != NULL;
}

GtkWidget *
fd_gui_wait_for_label_prefix (GtkWidget *root, const char *prefix, double seconds, const char *what)
{
  FdGuiSearch search = { root, GTK_TYPE_LABEL, prefix, NULL };

  fd_gui_wait (fd_gui_label_prefix_cb, &search, seconds, what);
  return search.found;
}

void
fd_gui_click (GtkWidget *root, const char *label)
{
  GtkWidget *button = fd_gui_wait_for (root, GTK_TYPE_BUTTON, label);

  g_test_message ("click “%s”", label);
  gtk_widget_activate (button);
}

static AdwMessageDialog *
fd_gui_shown_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels (); /* owned by GTK */
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_mapped (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static gboolean
fd_gui_dialog_shown_cb (gpointer data)
{
  return fd_gui_shown_dialog () != NULL;
}

static gboolean
fd_gui_dialog_closed_cb (gpointer data)
{
  return fd_gui_shown_dialog () == NULL;
}

AdwMessageDialog *
fd_gui_wait_for_dialog (void)
{
  fd_gui_wait (fd_gui_dialog_shown_cb, NULL, 10, "a dialog");
  fd_gui_settle (300); /* its opening animation */
  return fd_gui_shown_dialog ();
}

void
fd_gui_wait_dialogs_closed (void)
{
  fd_gui_wait (fd_gui_dialog_closed_cb, NULL, 10, "the dialog to close");
}

static GtkWindow *
fd_gui_shown_window (GType type)
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
fd_gui_window_shown_cb (gpointer data)
{
  return fd_gui_shown_window ((GType)GPOINTER_TO_SIZE (data)) != NULL;
}

GtkWindow *
fd_gui_wait_for_window (GType type)
{
  g_autofree char *what = g_strdup_printf ("a %s window", g_type_name (type));

  fd_gui_wait (fd_gui_window_shown_cb, GSIZE_TO_POINTER (type), 10, what);
  fd_gui_settle (300); /* its opening */
  return g_object_ref (fd_gui_shown_window (type));
}

static gboolean
fd_gui_window_closed_cb (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

void
fd_gui_wait_window_closed (GtkWindow *window)
{
  fd_gui_wait (fd_gui_window_closed_cb, window, 10, "the window to close");
}

void
fd_gui_answer_file_chooser (const char *folder, const char *name, const char *expected_name,
                            const char *screenshot)
{
  g_autoptr (GtkWindow) dialog = fd_gui_wait_for_window (GTK_TYPE_FILE_CHOOSER_DIALOG);
  GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
  g_autoptr (GFile) dir = g_file_new_for_path (folder);
  g_autoptr (GError) error = NULL;

  switch (gtk_file_chooser_get_action (chooser))
    {
    case GTK_FILE_CHOOSER_ACTION_SAVE:
      {
        g_autofree char *suggested = gtk_file_chooser_get_current_name (chooser);

        if (expected_name != NULL)
          g_assert_cmpstr (suggested, ==, expected_name);
        gtk_file_chooser_set_current_folder (chooser, dir, &error);
        g_assert_no_error (error);
        gtk_file_chooser_set_current_name (chooser, name);
      }
      break;
    case GTK_FILE_CHOOSER_ACTION_OPEN:
      {
        g_autoptr (GFile) file = g_file_get_child (dir, name);

        gtk_file_chooser_set_file (chooser, file, &error);
        g_assert_no_error (error);
      }
      break;
    case GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER:
      gtk_file_chooser_set_file (chooser, dir, &error);
      g_assert_no_error (error);
      break;
    default:
      g_assert_not_reached ();
    }

  fd_gui_settle (600); /* the folder is listed asynchronously */
  if (screenshot != NULL)
    g_free (fd_gui_screenshot (GTK_WIDGET (dialog), screenshot));
  g_test_message ("file chooser: %s/%s", folder, name != NULL ? name : "");
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  fd_gui_wait_window_closed (dialog);
}

gboolean
fd_gui_drop_file (GtkWidget *widget, const char *path)
{
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GSList) files = g_slist_prepend (NULL, file);
  g_auto (GValue) value = G_VALUE_INIT;
  gboolean handled = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        {
          g_test_message ("drop %s", path);
          g_signal_emit_by_name (controller, "drop", &value, 10.0, 10.0, &handled);
          return handled;
        }
    }
  g_error ("no drop target on %s", G_OBJECT_TYPE_NAME (widget));
  return FALSE;
}

char *
fd_gui_run (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", argv[0], error->message, err != NULL ? err : "");
  return out;
}

static char *fd_gui_take_screenshot (GtkWidget *window, const char *name, guint settle_ms);

char *
fd_gui_screenshot (GtkWidget *window, const char *name)
{
  return fd_gui_take_screenshot (window, name, 400);
}

char *
fd_gui_screenshot_now (GtkWidget *window, const char *name)
{
  /* What is drawn already: one frame. */
  return fd_gui_take_screenshot (window, name, 50);
}

static char *
fd_gui_take_screenshot (GtkWidget *window, const char *name, guint settle_ms)
{
  const char *build_dir = g_getenv ("FD_BUILD_DIR");
  g_autofree char *dir = g_build_filename (build_dir ? build_dir : ".", "tests", "gui-shots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);
  g_autofree char *crop = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  fd_gui_settle (settle_ms);
  g_mkdir_with_parents (dir, 0755);
  /* Without a window manager the window sits at the top left corner of the screen. */
  crop = g_strdup_printf ("%dx%d+0+0", gtk_widget_get_width (window),
                          gtk_widget_get_height (window));
  const char *argv[] = { "import", "-window", "root", "-crop", crop, "+repage", path, NULL };
  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    g_test_message ("no screenshot %s: %s", path, error->message);
  else
    g_test_message ("screenshot: %s", path);
  return path;
}

JsonNode *
fd_gui_api (const char *base_url, const char *token, const char *method, const char *path,
            const char *body, guint *status)
{
  static SoupSession *session;
  g_autofree char *url = g_strconcat (base_url, "/api/v1", path, NULL);
  g_autofree char *authorization = g_strdup_printf ("Bearer %s", token);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;
  gsize size = 0;
  const char *data;

  if (session == NULL)
    session = soup_session_new ();

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                authorization);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  answer = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (message);
  data = g_bytes_get_data (answer, &size);
  if (size == 0)
    return NULL;

  g_autoptr (JsonParser) parser = json_parser_new ();
  json_parser_load_from_data (parser, data, size, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

JsonNode *
fd_gui_api_expect (const char *base_url, const char *token, const char *method, const char *path,
                   const char *body, guint expected)
{
  guint status = 0;
  JsonNode *node = fd_gui_api (base_url, token, method, path, body, &status);

  if (status != expected)
    g_error ("%s %s: %u, not %u", method, path, status, expected);
  return node;
}

typedef struct
{
  SoupSession *session;
  const char *url;
  const char *authorization;
  const char *prefix;
  guint next;
  guint n;
  guint done;
} FdGuiBulk;

static void fd_gui_bulk_send (FdGuiBulk *bulk);

static void
fd_gui_bulk_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdGuiBulk *bulk = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) answer
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (
                        soup_session_get_async_result_message (SOUP_SESSION (source), result)),
                    ==, 201);
  bulk->done++;
  if (bulk->done % 10000 == 0)
    g_printerr ("# %u devices created\n", bulk->done);
  fd_gui_bulk_send (bulk);
}

static void
fd_gui_bulk_send (FdGuiBulk *bulk)
{
  g_autoptr (SoupMessage) message = NULL;
  g_autofree char *body = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (bulk->next >= bulk->n)
    return;

  body = g_strdup_printf ("{\"name\": \"%s-%05u\"}", bulk->prefix, ++bulk->next);
  bytes = g_bytes_new_take (body, strlen (body));
  body = NULL;
  message = soup_message_new ("POST", bulk->url);
  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                bulk->authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  /* A connection per request, closed by the server: libsoup 3.2's server never frees a
   * keep-alive connection that the client closes (fixed upstream in libsoup 3.3), and creating
   * 100,000 devices would open that many. */
  soup_message_headers_replace (soup_message_get_request_headers (message), "Connection", "close");
  soup_session_send_and_read_async (bulk->session, message, G_PRIORITY_DEFAULT, NULL,
                                    fd_gui_bulk_sent_cb, bulk);
}

static gboolean
fd_gui_bulk_done_cb (gpointer data)
{
  FdGuiBulk *bulk = data;
  return bulk->done == bulk->n;
}

void
fd_gui_api_create_devices (const char *base_url, const char *token, const char *workspace_id,
                           const char *prefix, guint n, guint concurrency)
{
  g_autofree char *url
      = g_strdup_printf ("%s/api/v1/workspaces/%s/devices", base_url, workspace_id);
  g_autofree char *authorization = g_strdup_printf ("Bearer %s", token);
  g_autoptr (SoupSession) session = g_object_new (SOUP_TYPE_SESSION, "max-conns", concurrency,
                                                  "max-conns-per-host", concurrency, NULL);
  FdGuiBulk bulk = { session, url, authorization, prefix, 0, n, 0 };

  for (guint i = 0; i < concurrency; i++)
    fd_gui_bulk_send (&bulk);
  fd_gui_wait (fd_gui_bulk_done_cb, &bulk, 300, "devices to be created");
}
