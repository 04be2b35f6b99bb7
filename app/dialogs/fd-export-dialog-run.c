/* fd-export-dialog-run.c — one export, from the POST that starts it to the downloaded file,
 * followed in a toast of the main window: "Exporting… 42 %" with Cancel, then "Exported 12,345
 * rows" with Open, or the server's error.
 *
 * The run outlives the dialog that started it. It holds itself alive (a reference per step in
 * flight) and polls the export about twice a second, one request at a time.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-export-dialog.h"
#include "fd-json.h"
#include "fd-ui.h"

#define FD_EXPORT_POLL_MS 500
/* How long the final toast stays: long enough to reach its Open button. */
#define FD_EXPORT_RESULT_SECONDS 10

typedef enum
{
  FD_RUN_STARTING,
  FD_RUN_EXPORTING,
  FD_RUN_DOWNLOADING,
  FD_RUN_FINISHED,
} FdRunStep;

typedef struct
{
  GtkWidget *overlay; /* AdwToastOverlay of the window */
  FdApiClient *client;
  GFile *destination;
  GCancellable *cancellable;
  char *export_id;
  char *export_path; /* "/exports/exp-…" */
  AdwToast *toast;
  guint dismiss_id;
  FdRunStep step;
  gint64 rows;
} FdExportRun;

static void
fd_export_run_clear (FdExportRun *run)
{
  g_clear_handle_id (&run->dismiss_id, g_source_remove);
  if (run->toast != NULL)
    g_signal_handlers_disconnect_by_data (run->toast, run);
  g_clear_object (&run->toast);
  g_clear_object (&run->overlay);
  g_clear_object (&run->client);
  g_clear_object (&run->destination);
  g_clear_object (&run->cancellable);
  g_free (run->export_id);
  g_free (run->export_path);
}

static FdExportRun *
fd_export_run_ref (FdExportRun *run)
{
  return g_rc_box_acquire (run);
}

static void
fd_export_run_unref (FdExportRun *run)
{
  g_rc_box_release_full (run, (GDestroyNotify)fd_export_run_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdExportRun, fd_export_run_unref)

static void fd_export_run_button_cb (AdwToast *toast, FdExportRun *run);

static void
fd_export_run_toast_dismissed_cb (AdwToast *toast, FdExportRun *run)
{
  if (run->toast == toast)
    {
      g_signal_handlers_disconnect_by_data (toast, run);
      g_clear_object (&run->toast);
    }
}

/* Shows @title (plain text) with a button @button_label (NULL: none) in the run's toast. The one
 * toast is retitled as the export goes on: replacing it several times a second would only
 * animate. */
static void
fd_export_run_show (FdExportRun *run, const char *title, const char *button_label)
{
  g_autofree char *markup = g_markup_escape_text (title, -1);

  if (run->toast == NULL)
    {
      run->toast = adw_toast_new (markup);
      adw_toast_set_timeout (run->toast, 0);
      adw_toast_set_priority (run->toast, ADW_TOAST_PRIORITY_HIGH);
      g_signal_connect (run->toast, "button-clicked", G_CALLBACK (fd_export_run_button_cb), run);
      g_signal_connect (run->toast, "dismissed", G_CALLBACK (fd_export_run_toast_dismissed_cb),
                        run);
      adw_toast_set_button_label (run->toast, button_label);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (run->overlay), g_object_ref (run->toast));
      return;
    }
  adw_toast_set_title (run->toast, markup);
  adw_toast_set_button_label (run->toast, button_label);
}

static gboolean
fd_export_run_dismiss_cb (gpointer data)
{
  FdExportRun *run = data;

  run->dismiss_id = 0;
  if (run->toast != NULL)
    adw_toast_dismiss (run->toast);
  return G_SOURCE_REMOVE;
}

/* The last word of the run: its toast goes after a while, and then the run. */
static void
fd_export_run_finish (FdExportRun *run, const char *title, const char *button_label)
{
  run->step = FD_RUN_FINISHED;
  fd_export_run_show (run, title, button_label);
  g_clear_handle_id (&run->dismiss_id, g_source_remove);
  run->dismiss_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, FD_EXPORT_RESULT_SECONDS,
                                                fd_export_run_dismiss_cb, fd_export_run_ref (run),
                                                (GDestroyNotify)fd_export_run_unref);
}

static void
fd_export_run_fail (FdExportRun *run, const GError *error)
{
  g_autofree char *title = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fd_export_run_finish (run, _ ("Export canceled"), NULL);
      return;
    }
  title = g_strdup_printf (_ ("Export failed: %s"), error->message);
  fd_export_run_finish (run, title, NULL);
}

static void
fd_export_run_open (FdExportRun *run)
{
  g_autofree char *uri = g_file_get_uri (run->destination);
  g_autoptr (GError) error = NULL;

  /* GtkFileLauncher is GTK 4.10. */
  if (!g_app_info_launch_default_for_uri (uri, NULL, &error))
    fd_ui_toast_error (run->overlay, error);
}

static void
fd_export_run_cancel_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportRun) run = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (node == NULL && error != NULL && run->step != FD_RUN_FINISHED)
    fd_export_run_fail (run, error);
  /* Otherwise the next poll sees it canceled. */
}

static void
fd_export_run_button_cb (AdwToast *toast, FdExportRun *run)
{
  if (run->step == FD_RUN_FINISHED)
    {
      fd_export_run_open (run);
      return;
    }

  if (run->step == FD_RUN_DOWNLOADING)
    {
      g_cancellable_cancel (run->cancellable); /* the download fails as canceled */
      return;
    }
  if (run->export_path != NULL)
    {
      g_autofree char *path = g_strconcat (run->export_path, "/cancel", NULL);

      fd_export_run_show (run, _ ("Canceling the export…"), NULL);
      fd_api_client_request_async (run->client, "POST", path, NULL, NULL, fd_export_run_cancel_cb,
                                   fd_export_run_ref (run));
    }
}

static void
fd_export_run_downloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportRun) run = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;

  if (fd_api_client_download_finish (FD_API_CLIENT (source), result, &error) < 0)
    {
      fd_export_run_fail (run, error);
      return;
    }
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %'" G_GINT64_FORMAT " row",
                                        "Exported %'" G_GINT64_FORMAT " rows", run->rows),
                           run->rows);
  fd_export_run_finish (run, title, _ ("Open"));
}

static void fd_export_run_poll (FdExportRun *run);

static gboolean
fd_export_run_poll_cb (gpointer data)
{
  fd_export_run_poll (data);
  return G_SOURCE_REMOVE;
}

/* What an export object says: progress, the next step or the end. */
static void
fd_export_run_update (FdExportRun *run, JsonObject *object)
{
  const char *state = fd_json_get_string (object, "state");
  double progress = 0;

  if (json_object_has_member (object, "progress"))
    progress = json_object_get_double_member_with_default (object, "progress", 0);
  run->rows = json_object_get_int_member_with_default (object, "rows", 0);

  if (g_strcmp0 (state, "done") == 0)
    {
      g_autofree char *path = g_strconcat (run->export_path, "/file", NULL);

      run->step = FD_RUN_DOWNLOADING;
      fd_export_run_show (run, _ ("Downloading the export…"), _ ("Cancel"));
      fd_api_client_download_async (run->client, path, run->destination, run->cancellable,
                                    fd_export_run_downloaded_cb, fd_export_run_ref (run));
    }
  else if (g_strcmp0 (state, "failed") == 0)
    {
      g_autofree char *title
          = g_strdup_printf (_ ("Export failed: %s"), fd_json_get_string (object, "error")
                                                          ? fd_json_get_string (object, "error")
                                                          : _ ("the server did not say why"));
      fd_export_run_finish (run, title, NULL);
    }
  else if (g_strcmp0 (state, "canceled") == 0)
    fd_export_run_finish (run, _ ("Export canceled"), NULL);
  else
    {
      /* TRANSLATORS: the progress of an export, in percent */
      g_autofree char *title
          = g_strdup_printf (_ ("Exporting… %d %%"), (int)(CLAMP (progress, 0, 1) * 100));

      run->step = FD_RUN_EXPORTING;
      fd_export_run_show (run, title, _ ("Cancel"));
      g_timeout_add_full (G_PRIORITY_DEFAULT, FD_EXPORT_POLL_MS, fd_export_run_poll_cb,
                          fd_export_run_ref (run), (GDestroyNotify)fd_export_run_unref);
    }
}

static void
fd_export_run_polled_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportRun) run = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;

  if (run->step == FD_RUN_FINISHED)
    return;
  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  object = node != NULL ? fd_json_get_object (node, &error) : NULL;
  if (object == NULL)
    {
      fd_export_run_fail (run, error);
      return;
    }
  fd_export_run_update (run, object);
}

static void
fd_export_run_poll (FdExportRun *run)
{
  if (run->step == FD_RUN_FINISHED)
    return;
  fd_api_client_request_async (run->client, "GET", run->export_path, NULL, run->cancellable,
                               fd_export_run_polled_cb, fd_export_run_ref (run));
}

static void
fd_export_run_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportRun) run = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;
  const char *id;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  object = node != NULL ? fd_json_get_object (node, &error) : NULL;
  if (object == NULL)
    {
      fd_export_run_fail (run, error);
      return;
    }
  id = fd_json_get_string (object, "id");
  if (id == NULL)
    {
      fd_export_run_finish (run, _ ("Export failed: the server did not name the export"), NULL);
      return;
    }
  run->export_id = g_strdup (id);
  run->export_path = fd_api_path ("exports", id, NULL);
  fd_export_run_update (run, object);
}

/* The toast overlay of @widget: its ancestor, or for a window the first one inside it. */
static GtkWidget *
fd_export_run_find_overlay (GtkWidget *widget)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); overlay == NULL && child != NULL;
       child = gtk_widget_get_next_sibling (child))
    overlay = ADW_IS_TOAST_OVERLAY (child) ? child : fd_export_run_find_overlay (child);
  return overlay;
}

void
fd_export_run_start (GtkWidget *widget, FdApiClient *client, const char *workspace_id,
                     JsonNode *body, GFile *destination)
{
  GtkWidget *overlay = fd_export_run_find_overlay (widget);
  g_autoptr (FdExportRun) run = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FD_IS_API_CLIENT (client));
  g_return_if_fail (workspace_id != NULL && G_IS_FILE (destination));
  g_return_if_fail (overlay != NULL);

  run = g_rc_box_new0 (FdExportRun);
  run->overlay = g_object_ref (overlay);
  run->client = g_object_ref (client);
  run->destination = g_object_ref (destination);
  run->cancellable = g_cancellable_new ();
  run->step = FD_RUN_STARTING;

  fd_export_run_show (run, _ ("Starting the export…"), NULL);
  path = fd_api_path ("workspaces", workspace_id, "exports", NULL);
  fd_api_client_request_async (client, "POST", path, body, run->cancellable,
                               fd_export_run_created_cb, fd_export_run_ref (run));
}
