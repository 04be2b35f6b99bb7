/* fd-firmware-page-upload.c — a firmware file into the workspace: dropped on the window while
 * the pane is shown, or chosen with "Upload Firmware…"; a dialog asks for its version
 * (guessed from the file's name) and an optional target, then the file is streamed to the
 * server with its progress in place and a Cancel button. Deleting a firmware is here too.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-api-upload.h"
#include "fd-files.h"
#include "fd-firmware-page-private.h"
#include "fd-format.h"
#include "fd-json.h"
#include "fd-ui.h"

/* The API's bound on a version and a target (docs/rest-api.md). */
#define FD_FIRMWARE_VERSION_MAX_CHARS 64
#define FD_FIRMWARE_TARGET_MAX_CHARS 64

char *
fd_firmware_guess_version (const char *file_name)
{
  static GRegex *regex;
  g_autoptr (GMatchInfo) match = NULL;

  if (file_name == NULL)
    return NULL;
  if (g_once_init_enter (&regex))
    g_once_init_leave (
        &regex, g_regex_new ("(?<![0-9A-Za-z])v?[0-9]+(\\.[0-9]+)+(-[0-9A-Za-z]+(\\.[0-9]+)*)?",
                             G_REGEX_OPTIMIZE, 0, NULL));
  if (!g_regex_match (regex, file_name, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 0);
}

/* The upload */

typedef struct
{
  FdFirmwarePage *self;
  char *name;      /* the file's name, for the progress and the toasts */
  char *version;   /* as asked for */
  gint64 shown_us; /* when the progress was last shown (monotonic) */
} FdUploadJob;

static void
fd_upload_job_free (FdUploadJob *job)
{
  g_object_unref (job->self);
  g_free (job->name);
  g_free (job->version);
  g_free (job);
}

static void
fd_firmware_page_upload_progress_cb (goffset sent, goffset total, gpointer data)
{
  FdUploadJob *job = data;
  g_autofree char *done = NULL;
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;
  gint64 now = g_get_monotonic_time ();

  /* libsoup reports every chunk written: the bar moves at most 10 times a second. */
  if (sent > 0 && sent < total && now - job->shown_us < G_USEC_PER_SEC / 10)
    return;
  job->shown_us = now;
  done = fd_format_size ((guint64)sent);
  size = fd_format_size ((guint64)total);

  /* TRANSLATORS: the upload in progress: file name, version, bytes sent and the file's size */
  text = g_strdup_printf (_ ("Uploading “%s” as %s · %s of %s"), job->name, job->version, done,
                          size);
  gtk_label_set_text (job->self->upload_label, text);
  gtk_progress_bar_set_fraction (job->self->upload_bar, total > 0 ? (double)sent / total : 0.0);
}

static void
fd_firmware_page_upload_done (FdFirmwarePage *self)
{
  g_clear_object (&self->upload_cancellable);
  gtk_revealer_set_reveal_child (self->upload_revealer, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.cancel-upload", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.upload", TRUE);
}

static void
fd_firmware_page_uploaded_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  FdUploadJob *job = data;
  FdFirmwarePage *self = job->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) details = NULL;
  g_autoptr (JsonNode) node
      = fd_api_client_upload_finish (FD_API_CLIENT (source), result, &details, &error);
  JsonObject *firmware = node != NULL ? fd_json_get_object (node, &error) : NULL;
  g_autofree char *message = NULL;

  fd_firmware_page_upload_done (self);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      message = g_strdup_printf (_ ("Upload of “%s” canceled"), job->name);
      fd_ui_toast (GTK_WIDGET (self), message);
    }
  else if (firmware == NULL)
    {
      /* TRANSLATORS: the file's name, then the server's reason */
      message = g_strdup_printf (_ ("Could not upload “%s”: %s"), job->name, error->message);
      fd_ui_toast (GTK_WIDGET (self), message);
    }
  else
    {
      message = g_strdup_printf (_ ("Firmware %s uploaded"), job->version);
      fd_ui_toast (GTK_WIDGET (self), message);
      /* From the answer itself, then the list as the server has it. */
      if (fd_json_store_find (self->firmware, fd_json_get_string (firmware, "id"), NULL) == NULL)
        {
          g_autoptr (FdJsonItem) item = fd_json_item_new (firmware, "id");
          if (item != NULL)
            g_list_store_insert (self->firmware, 0, item);
        }
      gtk_stack_set_visible_child_name (self->firmware_stack, "list");
      fd_firmware_page_load_firmware (self);
    }
  fd_upload_job_free (job);
}

static void
fd_firmware_page_start_upload (FdFirmwarePage *self, GFile *file, const char *version,
                               const char *target)
{
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;
  FdUploadJob *job;

  if (self->client == NULL || self->workspace == NULL)
    return;
  base = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "firmware", NULL);
  path = g_string_new (base);
  fd_api_path_add_query (path, "version", version);
  if (target != NULL && *target != '\0')
    fd_api_path_add_query (path, "target", target);

  job = g_new0 (FdUploadJob, 1);
  job->self = g_object_ref (self);
  job->name = fd_files_describe (file);
  job->version = g_strdup (version);
  self->upload_cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.cancel-upload", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.upload", FALSE);
  gtk_progress_bar_set_fraction (self->upload_bar, 0.0);
  fd_firmware_page_upload_progress_cb (0, 0, job);
  gtk_revealer_set_reveal_child (self->upload_revealer, TRUE);
  fd_api_client_upload_async (self->client, path->str, file, fd_firmware_page_upload_progress_cb,
                              job, self->upload_cancellable, fd_firmware_page_uploaded_cb, job);
}

/* The dialog asking for the version */

static void
fd_firmware_page_version_changed_cb (GtkEditable *editable, AdwMessageDialog *dialog)
{
  g_autofree char *version = fd_ui_dup_trimmed_text (editable);
  glong chars = g_utf8_strlen (version, -1);
  gboolean valid = chars > 0 && chars <= FD_FIRMWARE_VERSION_MAX_CHARS;

  adw_message_dialog_set_response_enabled (dialog, "upload", valid);
  if (valid || chars == 0)
    gtk_widget_remove_css_class (GTK_WIDGET (editable), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (editable), "error");
}

static void
fd_firmware_page_version_response_cb (AdwMessageDialog *dialog, const char *response,
                                      FdFirmwarePage *self)
{
  GFile *file = g_object_get_data (G_OBJECT (dialog), "fd-file");
  GtkEditable *version_row = g_object_get_data (G_OBJECT (dialog), "fd-version");
  GtkEditable *target_row = g_object_get_data (G_OBJECT (dialog), "fd-target");
  g_autofree char *version = fd_ui_dup_trimmed_text (version_row);
  g_autofree char *target = fd_ui_dup_trimmed_text (target_row);

  if (g_str_equal (response, "upload") && *version != '\0')
    fd_firmware_page_start_upload (self, file, version, target);
}

void
fd_firmware_page_open_upload (FdFirmwarePage *self, GFile *file)
{
  g_autofree char *name = NULL;
  g_autofree char *guess = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *size = NULL;
  g_autoptr (GFileInfo) info = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *list, *version, *target;

  g_return_if_fail (FD_IS_FIRMWARE_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->workspace == NULL)
    return;
  if (self->upload_cancellable != NULL)
    {
      fd_ui_toast (GTK_WIDGET (self), _ ("Another firmware is being uploaded: wait for it"));
      return;
    }
  name = g_file_get_basename (file);
  guess = fd_firmware_guess_version (name);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL,
                            NULL);
  if (info != NULL)
    size = fd_format_size ((guint64)g_file_info_get_size (info));

  /* TRANSLATORS: the dialog after a firmware file was dropped or chosen */
  heading = g_strdup_printf (_ ("Upload “%s”?"), name);
  if (size != NULL)
    /* TRANSLATORS: the file's size, then the workspace's name */
    body = g_strdup_printf (_ ("%s into “%s”. Devices check its size, SHA-256 and the server’s "
                               "signature before they install it."),
                            size, fd_workspace_get_name (self->workspace));
  dialog = ADW_MESSAGE_DIALOG (
      adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "upload", _ ("_Upload"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "upload", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "upload");
  adw_message_dialog_set_close_response (dialog, "cancel");

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  version = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (version), _ ("Version"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (version), TRUE);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (version), FD_FIRMWARE_VERSION_MAX_CHARS);
  gtk_editable_set_text (GTK_EDITABLE (version), guess != NULL ? guess : "");
  g_signal_connect_object (version, "changed", G_CALLBACK (fd_firmware_page_version_changed_cb),
                           dialog, 0);
  fd_firmware_page_version_changed_cb (GTK_EDITABLE (version), dialog);
  gtk_list_box_append (GTK_LIST_BOX (list), version);
  target = adw_entry_row_new ();
  /* TRANSLATORS: the hardware a firmware is for; may be left empty */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (target), _ ("Target (optional)"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (target), TRUE);
  gtk_list_box_append (GTK_LIST_BOX (list), target);
  adw_message_dialog_set_extra_child (dialog, list);

  g_object_set_data_full (G_OBJECT (dialog), "fd-file", g_object_ref (file), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "fd-version", version);
  g_object_set_data (G_OBJECT (dialog), "fd-target", target);
  g_signal_connect_object (dialog, "response", G_CALLBACK (fd_firmware_page_version_response_cb),
                           self, 0);
  gtk_window_set_focus (GTK_WINDOW (dialog), version);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Choosing and dropping */

static void
fd_firmware_page_chosen_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (FdFirmwarePage) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = fd_files_choose_finish (result, &error);

  if (file != NULL)
    fd_firmware_page_open_upload (self, file);
  else if (error != NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);
}

void
fd_firmware_page_choose_file (FdFirmwarePage *self)
{
  if (self->workspace == NULL)
    return;
  fd_files_choose_async (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                         GTK_FILE_CHOOSER_ACTION_OPEN, _ ("Upload Firmware"), _ ("_Open"), NULL,
                         NULL, self->cancellable, fd_firmware_page_chosen_cb, g_object_ref (self));
}

static gboolean
fd_firmware_page_drop_cb (GtkDropTarget *target, const GValue *value, double x, double y,
                          FdFirmwarePage *self)
{
  GSList *files = gdk_file_list_get_files (g_value_get_boxed (value));
  GFile *file = files != NULL ? files->data : NULL;
  gboolean taken = file != NULL && self->workspace != NULL;

  if (taken)
    fd_firmware_page_open_upload (self, file);
  g_slist_free (files);
  gtk_widget_remove_css_class (self->drop_zone, "fd-drop-hover");
  return taken;
}

static GdkDragAction
fd_firmware_page_drag_enter_cb (GtkDropTarget *target, double x, double y, FdFirmwarePage *self)
{
  gtk_widget_add_css_class (self->drop_zone, "fd-drop-hover");
  return GDK_ACTION_COPY;
}

static void
fd_firmware_page_drag_leave_cb (GtkDropTarget *target, FdFirmwarePage *self)
{
  gtk_widget_remove_css_class (self->drop_zone, "fd-drop-hover");
}

/* The whole window takes a dropped file while the pane is shown. */
void
fd_firmware_page_attach_drop (FdFirmwarePage *self)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));

  if (self->window == window || window == NULL)
    return;
  fd_firmware_page_detach_drop (self);
  self->window = window;
  gtk_widget_add_controller (window, GTK_EVENT_CONTROLLER (g_object_ref (self->drop_target)));
}

void
fd_firmware_page_detach_drop (FdFirmwarePage *self)
{
  if (self->window == NULL || self->drop_target == NULL)
    return;
  gtk_widget_remove_controller (self->window, GTK_EVENT_CONTROLLER (self->drop_target));
  self->window = NULL;
}

void
fd_firmware_page_init_upload (FdFirmwarePage *self)
{
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (self->drop_target, "drop", G_CALLBACK (fd_firmware_page_drop_cb), self);
  g_signal_connect (self->drop_target, "enter", G_CALLBACK (fd_firmware_page_drag_enter_cb), self);
  g_signal_connect (self->drop_target, "leave", G_CALLBACK (fd_firmware_page_drag_leave_cb), self);
}

/* Deleting */

typedef struct
{
  FdFirmwarePage *self;
  JsonObject *firmware;
} FdDeleteJob;

static void
fd_firmware_page_deleted_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  FdDeleteJob *job = data;
  g_autoptr (FdFirmwarePage) self = job->self;
  g_autoptr (JsonObject) firmware = job->firmware;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  const char *id = fd_json_get_string (firmware, "id");
  const char *version = fd_json_get_string (firmware, "version");
  g_autofree char *message = NULL;
  guint position;

  g_free (job);
  if (g_error_matches (error, FD_API_ERROR, FD_API_ERROR_CONFLICT))
    {
      JsonObject *campaign = fd_firmware_page_find_user (self, id);
      g_autofree char *heading = g_strdup_printf (_ ("Firmware %s Is in Use"), version);
      g_autofree char *body = NULL;
      AdwMessageDialog *dialog;

      if (campaign != NULL)
        /* TRANSLATORS: a campaign's name, then its state ("running", "paused") */
        body = g_strdup_printf (_ ("Campaign “%s” (%s) is rolling it out. Abort the campaign or "
                                   "wait for it to end, then delete the firmware."),
                                fd_json_get_string (campaign, "name"),
                                fd_json_get_string (campaign, "state"));
      dialog = ADW_MESSAGE_DIALOG (
          adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading,
                                  body != NULL ? body : error->message));
      adw_message_dialog_add_response (dialog, "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  if (error != NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  if (fd_json_store_find (self->firmware, id, &position) != NULL)
    g_list_store_remove (self->firmware, position);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->firmware)) == 0)
    gtk_stack_set_visible_child_name (self->firmware_stack, "empty");
  message = g_strdup_printf (_ ("Firmware %s deleted"), version);
  fd_ui_toast (GTK_WIDGET (self), message);
}

static void
fd_firmware_page_delete_response_cb (AdwMessageDialog *dialog, const char *response,
                                     FdFirmwarePage *self)
{
  JsonObject *firmware = g_object_get_data (G_OBJECT (dialog), "fd-firmware");
  g_autofree char *path = NULL;
  FdDeleteJob *job;

  if (!g_str_equal (response, "accept") || self->client == NULL)
    return;
  path = fd_api_path ("firmware", fd_json_get_string (firmware, "id"), NULL);
  job = g_new0 (FdDeleteJob, 1);
  job->self = g_object_ref (self);
  job->firmware = json_object_ref (firmware);
  fd_api_client_request_async (self->client, "DELETE", path, NULL, self->cancellable,
                               fd_firmware_page_deleted_cb, job);
}

void
fd_firmware_page_confirm_delete (FdFirmwarePage *self, JsonObject *firmware)
{
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  g_autofree char *size = fd_format_size ((guint64)MAX (fd_json_get_int (firmware, "size", 0), 0));
  AdwMessageDialog *dialog;

  heading = g_strdup_printf (_ ("Delete Firmware %s?"), fd_json_get_string (firmware, "version"));
  body = g_strdup_printf (_ ("Its file (%s) is removed from the server. Campaigns that used it "
                             "keep their history, but no device can download it any more."),
                          size);
  dialog = fd_ui_confirm_dialog_new (GTK_WIDGET (self), heading, body, _ ("_Delete"));
  g_object_set_data_full (G_OBJECT (dialog), "fd-firmware", json_object_ref (firmware),
                          (GDestroyNotify)json_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (fd_firmware_page_delete_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
