/* fd-import-window.c — "Import Devices".
 *
 * The file is read once (at most FD_IMPORT_MAX_BYTES: a bigger one is refused before anything
 * is sent) and checked with ?dry_run=true, which creates nothing and can be cancelled. A good
 * file shows its rows; a bad one lists every problem by line. "Import N Devices" then sends
 * the same bytes for real: the server answers once, when every device exists or none does,
 * so progress is a pulsing bar, and the request is not cancelled once sent (closing waits).
 * The answer holds every new secret, shown this once: fd-import-window-save.c writes them
 * into a folder, and closing without saving asks first.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-files.h"
#include "fd-import-row.h"
#include "fd-import-window-private.h"
#include "fd-json.h"
#include "fd-ui.h"

#define FD_IMPORT_PULSE_MS 100

G_DEFINE_FINAL_TYPE (FdImportWindow, fd_import_window, ADW_TYPE_WINDOW)

enum
{
  IMPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
fd_import_window_get_state (FdImportWindow *self)
{
  g_return_val_if_fail (FD_IS_IMPORT_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

GListModel *
fd_import_window_get_rows (FdImportWindow *self)
{
  g_return_val_if_fail (FD_IS_IMPORT_WINDOW (self), NULL);
  return G_LIST_MODEL (self->rows);
}

GListModel *
fd_import_window_get_errors (FdImportWindow *self)
{
  g_return_val_if_fail (FD_IS_IMPORT_WINDOW (self), NULL);
  return G_LIST_MODEL (self->errors);
}

void
fd_import_window_update (FdImportWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean importing = g_strcmp0 (page, "importing") == 0;
  g_autofree char *label = NULL;

  gtk_widget_set_visible (self->cancel_button, g_strcmp0 (page, "checking") == 0
                                                   || g_strcmp0 (page, "preview") == 0
                                                   || importing);
  gtk_widget_set_sensitive (self->cancel_button, !importing);
  gtk_widget_set_tooltip_text (self->cancel_button,
                               importing ? _ ("The import cannot be cancelled once sent") : NULL);

  if (g_strcmp0 (page, "preview") == 0 || g_strcmp0 (page, "checking") == 0 || importing)
    label = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "_Import %'u Device", "_Import %'u Devices", self->n_rows),
        self->n_rows);
  else if (g_strcmp0 (page, "done") == 0)
    label = g_strdup (_ ("_Done"));
  else
    label = g_strdup (_ ("_Close"));
  gtk_button_set_label (self->accept_button, label);
  gtk_widget_set_sensitive (GTK_WIDGET (self->accept_button),
                            g_strcmp0 (page, "checking") != 0 && !importing);

  /* One suggested action at a time: while secrets wait to be saved, that is saving them. */
  if (g_strcmp0 (page, "done") == 0 && !self->saved && self->n_secrets > 0)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->accept_button), "suggested-action");
      gtk_widget_add_css_class (self->save_button, "suggested-action");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->accept_button), "suggested-action");
      gtk_widget_remove_css_class (self->save_button, "suggested-action");
    }
}

void
fd_import_window_show (FdImportWindow *self, const char *page)
{
  if (g_strcmp0 (page, "importing") != 0)
    g_clear_handle_id (&self->pulse_source, g_source_remove);
  gtk_stack_set_visible_child_name (self->stack, page);
  fd_import_window_update (self);
}

void
fd_import_window_show_failed (FdImportWindow *self, const char *title, const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  adw_status_page_set_title (self->failed_page, title);
  adw_status_page_set_description (self->failed_page, escaped);
  fd_import_window_show (self, "failed");
}

/* The dry run */

static void
fd_import_window_checked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdImportWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_error_matches (error, FD_API_ERROR, FD_API_ERROR_INVALID_CSV))
    fd_import_window_show_errors (self, fd_api_client_get_error_details (result), error->message);
  else if (error != NULL && error->domain == FD_API_ERROR)
    /* A file-wide problem (too large, not CSV): listed as the one thing to fix. */
    fd_import_window_show_errors (self, NULL, error->message);
  else if (error != NULL)
    fd_import_window_show_failed (self, _ ("The File Could Not Be Checked"), error->message);
  else
    fd_import_window_show_preview (self, node);
}

static void
fd_import_window_send (FdImportWindow *self, gboolean dry_run, GAsyncReadyCallback callback)
{
  g_autoptr (GString) path = NULL;
  g_autofree char *base = fd_api_path ("workspaces", self->workspace_id, "devices", "import", NULL);

  path = g_string_new (base);
  if (dry_run)
    fd_api_path_add_query (path, "dry_run", "true");
  fd_api_client_send_async (self->client, "POST", path->str, "text/csv", self->csv,
                            dry_run ? self->cancellable : NULL, callback, g_object_ref (self));
}

static void
fd_import_window_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdImportWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = fd_files_read_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_error_matches (error, FD_FILES_ERROR, FD_FILES_ERROR_TOO_LARGE))
    {
      g_autofree char *message = g_strdup_printf (
          _ ("%s Nothing was sent. Split the file into smaller ones (each at most 10,000 "
             "devices)."),
          error->message);
      fd_import_window_show_failed (self, _ ("The File Is Too Large"), message);
      return;
    }
  if (bytes == NULL)
    {
      fd_import_window_show_failed (self, _ ("The File Could Not Be Read"), error->message);
      return;
    }

  g_clear_pointer (&self->csv, g_bytes_unref);
  self->csv = g_steal_pointer (&bytes);
  fd_import_window_send (self, TRUE, fd_import_window_checked_cb);
}

void
fd_import_window_open_file (FdImportWindow *self, GFile *file)
{
  g_autofree char *title = NULL;

  g_return_if_fail (FD_IS_IMPORT_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_free (self->file_name);
  self->file_name = g_file_get_basename (file);
  self->n_rows = 0;
  /* TRANSLATORS: %s is the file's name */
  title = g_strdup_printf (_ ("Checking “%s”…"), self->file_name);
  adw_status_page_set_title (self->checking_page, title);
  fd_import_window_show (self, "checking");
  fd_files_read_async (file, FD_IMPORT_MAX_BYTES, self->cancellable, fd_import_window_read_cb,
                       g_object_ref (self));
}

static void
fd_import_window_chosen_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdImportWindow) self = user_data;
  g_autoptr (GFile) file = fd_files_choose_finish (result, NULL);

  if (file != NULL)
    fd_import_window_open_file (self, file);
}

static void
fd_import_window_choose_cb (FdImportWindow *self)
{
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _ ("CSV Files"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  fd_files_choose_async (GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN, _ ("Choose a CSV File"),
                         _ ("_Open"), NULL, filter, self->cancellable, fd_import_window_chosen_cb,
                         g_object_ref (self));
}

/* The import */

static void
fd_import_window_imported_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdImportWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  g_autofree char *title = NULL;
  g_autofree char *warning = NULL;
  guint total = 0;

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  if (g_error_matches (error, FD_API_ERROR, FD_API_ERROR_INVALID_CSV))
    {
      /* Certificates and CSRs are judged only now, when they are signed: still all or none. */
      fd_import_window_show_errors (self, fd_api_client_get_error_details (result), error->message);
      return;
    }
  if (error != NULL)
    {
      g_autofree char *message = NULL;

      if (error->domain == FD_API_ERROR)
        message = g_strdup_printf (_ ("%s\n\nNothing was created."), error->message);
      else
        /* No answer: the server may have finished without being able to say so. */
        message = g_strdup_printf (_ ("%s\n\nWhether the devices were created is not known: "
                                      "look at the device list before importing the file "
                                      "again."),
                                   error->message);
      fd_import_window_show_failed (self, _ ("The Import Failed"), message);
      return;
    }
  if (fd_json_get_list (node, &total, &error) == NULL)
    {
      fd_import_window_show_failed (self, _ ("The Import Failed"), error->message);
      return;
    }

  self->answer = g_steal_pointer (&node);
  fd_import_window_count_files (self->answer, &self->n_files, &self->n_secrets);
  title = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "%'u Device Imported", "%'u Devices Imported", total), total);
  adw_status_page_set_title (self->done_page, title);
  if (self->n_files == 0)
    adw_status_page_set_description (self->done_page,
                                     _ ("None of them has a credential yet: add one on each "
                                        "device’s page."));
  else
    adw_status_page_set_description (
        self->done_page,
        _ ("Save their credentials into a folder: one <b>name.zdevice.json</b> per device, to "
           "copy onto it."));
  gtk_widget_set_visible (self->save_button, self->n_files > 0);
  gtk_widget_set_visible (self->secret_warning, self->n_secrets > 0);
  warning = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE,
                   "The private key or secret of %'u device is shown only now. Fleetdesk does "
                   "not keep it: save the credentials before you close this window.",
                   "The private keys and secrets of %'u devices are shown only now. Fleetdesk "
                   "does not keep them: save the credentials before you close this window.",
                   self->n_secrets),
      self->n_secrets);
  gtk_label_set_label (self->secret_warning_label, warning);
  fd_import_window_show (self, "done");
  if (self->n_files > 0)
    gtk_widget_grab_focus (self->save_button);
  g_signal_emit (self, signals[IMPORTED], 0);
}

static gboolean
fd_import_window_pulse_cb (gpointer data)
{
  gtk_progress_bar_pulse (GTK_PROGRESS_BAR (data));
  return G_SOURCE_CONTINUE;
}

static void
fd_import_window_import (FdImportWindow *self)
{
  g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Importing %'u Device…",
                                                         "Importing %'u Devices…", self->n_rows),
                                            self->n_rows);

  adw_status_page_set_title (self->importing_page, title);
  fd_import_window_show (self, "importing");
  self->pulse_source
      = g_timeout_add (FD_IMPORT_PULSE_MS, fd_import_window_pulse_cb, self->progress_bar);
  /* Not cancellable: the server may already be creating the devices. */
  fd_import_window_send (self, FALSE, fd_import_window_imported_cb);
}

static void
fd_import_window_accept_cb (FdImportWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (page, "preview") == 0)
    fd_import_window_import (self);
  else if (g_strcmp0 (page, "checking") != 0 && g_strcmp0 (page, "importing") != 0)
    gtk_window_close (GTK_WINDOW (self));
}

static void
fd_import_window_save_cb (FdImportWindow *self)
{
  fd_import_window_save_to_folder (self);
}

/* Closing */

static void
fd_import_window_discard_cb (AdwMessageDialog *dialog, const char *response, FdImportWindow *self)
{
  if (g_strcmp0 (response, "discard") != 0)
    return;
  self->discarding = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
fd_import_window_close_request (GtkWindow *window)
{
  FdImportWindow *self = FD_IMPORT_WINDOW (window);
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (g_strcmp0 (page, "importing") == 0)
    return TRUE; /* the answer will carry secrets shown once: wait for it */

  if (self->discarding || g_strcmp0 (page, "done") != 0 || self->saved || self->n_secrets == 0)
    return GTK_WINDOW_CLASS (fd_import_window_parent_class)->close_request (window);

  body = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE,
                   "The private key or secret of %'u imported device is shown only now and "
                   "Fleetdesk does not keep it. Without it the device cannot connect: you would "
                   "have to revoke its credential and add a new one.",
                   "The private keys and secrets of %'u imported devices are shown only now and "
                   "Fleetdesk does not keep them. Without them those devices cannot connect: you "
                   "would have to revoke their credentials and add new ones.",
                   self->n_secrets),
      self->n_secrets);
  dialog
      = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _ ("Discard the Credentials?"), body));
  adw_message_dialog_add_responses (dialog, "back", _ ("_Back"), "discard", _ ("_Discard"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "back");
  adw_message_dialog_set_close_response (dialog, "back");
  g_signal_connect_object (dialog, "response", G_CALLBACK (fd_import_window_discard_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

/* GObject */

static void
fd_import_window_dispose (GObject *object)
{
  FdImportWindow *self = FD_IMPORT_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pulse_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_IMPORT_WINDOW);
  g_clear_object (&self->client);
  g_clear_object (&self->fleets);

  G_OBJECT_CLASS (fd_import_window_parent_class)->dispose (object);
}

static void
fd_import_window_finalize (GObject *object)
{
  FdImportWindow *self = FD_IMPORT_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_free (self->workspace_id);
  g_free (self->workspace_name);
  g_free (self->file_name);
  g_clear_pointer (&self->csv, g_bytes_unref);
  g_clear_pointer (&self->answer, json_node_unref);
  g_clear_object (&self->rows);
  g_clear_object (&self->errors);

  G_OBJECT_CLASS (fd_import_window_parent_class)->finalize (object);
}

static void
fd_import_window_class_init (FdImportWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_import_window_dispose;
  object_class->finalize = fd_import_window_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = fd_import_window_close_request;

  /* Devices were created. */
  signals[IMPORTED] = g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (FD_TYPE_IMPORT_ROW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-import-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, accept_button);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, checking_page);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, preview_title);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, preview_view);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, errors_title);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, errors_body);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, errors_view);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, importing_page);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, done_page);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, secret_warning);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, secret_warning_label);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, saved_label);
  gtk_widget_class_bind_template_child (widget_class, FdImportWindow, failed_page);
  gtk_widget_class_bind_template_callback (widget_class, fd_import_window_accept_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_import_window_choose_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_import_window_save_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fd_import_window_init (FdImportWindow *self)
{
  g_autoptr (GtkNoSelection) rows_selection = NULL;
  g_autoptr (GtkNoSelection) errors_selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->rows = g_list_store_new (FD_TYPE_IMPORT_ROW);
  self->errors = gtk_string_list_new (NULL);
  rows_selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  errors_selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->errors)));
  gtk_column_view_set_model (self->preview_view, GTK_SELECTION_MODEL (rows_selection));
  gtk_list_view_set_model (self->errors_view, GTK_SELECTION_MODEL (errors_selection));
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->accept_button));
  fd_import_window_update (self);
}

FdImportWindow *
fd_import_window_new (GtkWindow *parent, FdApiClient *client, const char *workspace_id,
                      const char *workspace_name, GListModel *fleets)
{
  FdImportWindow *self = g_object_new (FD_TYPE_IMPORT_WINDOW, "transient-for", parent, NULL);
  g_autofree char *subtitle = NULL;

  self->client = g_object_ref (client);
  self->workspace_id = g_strdup (workspace_id);
  self->workspace_name = g_strdup (workspace_name);
  self->fleets = fleets != NULL ? g_object_ref (fleets) : NULL;
  /* TRANSLATORS: under "Import Devices": where they go */
  subtitle = g_strdup_printf (_ ("To workspace “%s”"), workspace_name);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  return self;
}
