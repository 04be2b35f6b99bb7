/* fd-provision-window-result.c — the end of "Add Device" and "Add Credential": the credential
 * made, its secret shown this once, "Save Credentials…" (the answer's zdevice.json, written with
 * mode 0600), a device made without its credential, and closing, which asks before a secret that
 * was not saved is lost (Fleetdesk keeps none).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-credential-row.h"
#include "fd-files.h"
#include "fd-format.h"
#include "fd-json.h"
#include "fd-provision-window-private.h"
#include "fd-zdevice.h"

static void
fd_provision_window_set_row (AdwActionRow *row, const char *value)
{
  gtk_widget_set_visible (GTK_WIDGET (row), value != NULL && *value != '\0');
  adw_action_row_set_subtitle (row, value != NULL ? value : "");
}

void
fd_provision_window_show_done (FdProvisionWindow *self)
{
  JsonObject *credential = self->credential;
  const char *kind = fd_json_get_string (credential, "kind");
  const char *mode = fd_json_get_string (credential, "mode");
  const char *secret = fd_json_get_string (credential, "secret");
  gboolean key = g_strcmp0 (kind, "key") == 0;
  gboolean has_secret = key || g_strcmp0 (kind, "generated") == 0;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *title = NULL;
  g_autofree char *key_name = NULL;
  g_autofree char *fingerprint
      = fd_format_fingerprint (fd_json_get_string (credential, "fingerprint"), TRUE);
  g_autofree char *expiry
      = fd_format_expiry (fd_json_get_string (credential, "expires_at"), now, NULL);
  g_autofree char *expires_at = fd_json_format_time (fd_json_get_string (credential, "expires_at"));
  g_autofree char *expires = NULL;
  const char *body;

  if (self->workspace_id != NULL)
    title = g_strdup_printf (_ ("“%s” Was Added"), self->device_name);
  else
    title = g_strdup_printf (_ ("New Credential for “%s”"), self->device_name);
  gtk_label_set_label (self->done_title, title);

  if (g_strcmp0 (kind, "generated") == 0)
    body = _ ("Save the credentials and copy the file onto the device: it holds the device’s "
              "private key and certificate, where to connect, and the certificate of the "
              "server’s authority.");
  else if (!key)
    body = _ ("The device connects with its own private key, which never left it. The "
              "credentials file holds its certificate, where to connect, and the certificate of "
              "the server’s authority.");
  else if (g_strcmp0 (mode, "cloud_token") == 0)
    body = _ ("The device sends this token as its password. The credentials file holds it and "
              "where to connect.");
  else
    body = _ ("The device signs short-lived tokens (JWT, HS256) with this secret and sends them "
              "as bearer tokens. The credentials file holds the secret and where to connect.");
  gtk_label_set_label (self->done_body, body);

  gtk_widget_set_visible (self->secret_warning, has_secret);
  gtk_label_set_label (
      self->secret_warning_label,
      key ? _ ("The secret is shown only now. Fleetdesk does not keep it: save the credentials "
               "before you close this window. If they are lost, revoke this credential and add "
               "a new one.")
          : _ ("The private key is shown only now. Fleetdesk does not keep it: save the "
               "credentials before you close this window. If they are lost, revoke this "
               "credential and add a new one."));
  gtk_widget_set_visible (self->secret_group, key && secret != NULL);
  adw_button_content_set_label (self->copy_content, _ ("Cop_y"));
  adw_button_content_set_icon_name (self->copy_content, "edit-copy-symbolic");
  gtk_label_set_label (self->secret_label, secret != NULL ? secret : "");

  /* The fingerprint has its own row: the kind row names a key by its id only. */
  key_name = key ? fd_credential_describe (credential)
                 : g_strdup (fd_format_credential_kind (kind, mode));
  fd_provision_window_set_row (self->kind_row, key_name);
  fd_provision_window_set_row (self->subject_row, fd_json_get_string (credential, "subject"));
  fd_provision_window_set_row (self->fingerprint_row, key ? NULL : fingerprint);
  expires = expires_at != NULL ? g_strdup_printf ("%s (%s)", expiry, expires_at)
                               : g_strdup (C_ ("expires", "Never"));
  fd_provision_window_set_row (self->expires_row, expires);

  self->saved = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->saved_label), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "done");
  fd_provision_window_update (self);
  gtk_widget_grab_focus (self->save_button);
}

void
fd_provision_window_show_failed (FdProvisionWindow *self, const char *message)
{
  g_autofree char *title
      = g_strdup_printf (_ ("“%s” Was Added Without a Credential"), self->device_name);
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  g_autofree char *description = g_strdup_printf (
      /* TRANSLATORS: %s says why the credential could not be made */
      _ ("%s\n\nThe device exists. Try again now, or later with “Add Credential…” on its page."),
      escaped);

  adw_status_page_set_title (self->failed_page, title);
  adw_status_page_set_description (self->failed_page, description);
  gtk_stack_set_visible_child_name (self->stack, "failed");
  fd_provision_window_update (self);
  gtk_widget_grab_focus (self->retry_button);
}

void
fd_provision_window_copy_cb (FdProvisionWindow *self)
{
  const char *secret = fd_json_get_string (self->credential, "secret");

  if (secret == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), secret);
  /* Said on the button, not in a toast: libadwaita 1.2 crashes when a window is closed while
   * its toast overlay still animates a toast. */
  adw_button_content_set_label (self->copy_content, _ ("Copied"));
  adw_button_content_set_icon_name (self->copy_content, "object-select-symbolic");
}

static void
fd_provision_window_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdProvisionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *where = fd_files_describe (G_FILE (source));
  g_autofree char *message = NULL;

  if (!fd_files_write_private_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          message = g_strdup_printf (_ ("Could not save the credentials: %s"), error->message);
          gtk_label_set_label (self->saved_label, message);
          gtk_widget_add_css_class (GTK_WIDGET (self->saved_label), "error");
          gtk_widget_set_visible (GTK_WIDGET (self->saved_label), TRUE);
        }
      return;
    }

  self->saved = TRUE;
  /* TRANSLATORS: %s is where the file is */
  message = g_strdup_printf (_ ("Saved as %s, readable only by you."), where);
  gtk_label_set_label (self->saved_label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->saved_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->saved_label), TRUE);
  fd_provision_window_update (self);
}

static void
fd_provision_window_save_chosen_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdProvisionWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = fd_files_choose_finish (result, &error);
  JsonObject *zdevice = fd_json_get_member_object (self->credential, "zdevice");
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (file == NULL || zdevice == NULL)
    return;
  node = json_node_init_object (json_node_alloc (), zdevice);
  bytes = fd_zdevice_to_bytes (node);
  fd_files_write_private_async (file, bytes, self->cancellable, fd_provision_window_written_cb,
                                g_object_ref (self));
}

void
fd_provision_window_save_cb (FdProvisionWindow *self)
{
  g_autofree char *name = fd_zdevice_file_name (self->device_name);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (fd_json_get_member_object (self->credential, "zdevice") == NULL)
    return;
  gtk_file_filter_set_name (filter, _ ("Device Credentials (zdevice.json)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  fd_files_choose_async (GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, _ ("Save Credentials"),
                         _ ("_Save"), name, filter, self->cancellable,
                         fd_provision_window_save_chosen_cb, g_object_ref (self));
}

/* Closing */

gboolean
fd_provision_window_unsaved_secret (FdProvisionWindow *self)
{
  const char *kind = fd_json_get_string (self->credential, "kind");

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "done") == 0 && !self->saved
         && (g_strcmp0 (kind, "generated") == 0 || g_strcmp0 (kind, "key") == 0);
}

static void
fd_provision_window_discard_cb (AdwMessageDialog *dialog, const char *response,
                                FdProvisionWindow *self)
{
  if (g_strcmp0 (response, "discard") != 0)
    return;
  self->discarding = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

gboolean
fd_provision_window_close_request (GtkWindow *window)
{
  FdProvisionWindow *self = FD_PROVISION_WINDOW (window);
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  gboolean key;

  /* The answer in flight may carry a secret shown only once: wait for it. */
  if (g_strcmp0 (page, "working") == 0)
    return TRUE;

  if (self->discarding || !fd_provision_window_unsaved_secret (self))
    return FALSE; /* GtkWindow's own answer: close */

  key = g_strcmp0 (fd_json_get_string (self->credential, "kind"), "key") == 0;
  body = g_strdup_printf (
      key ? _ ("The secret of “%s” is shown only now and Fleetdesk does not keep it. Without "
               "it the device cannot use this credential: you would have to revoke it and add "
               "a new one.")
          : _ ("The private key of “%s” is shown only now and Fleetdesk does not keep it. "
               "Without it the device cannot use this certificate: you would have to revoke it "
               "and add a new one."),
      self->device_name);
  dialog
      = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _ ("Discard the Credentials?"), body));
  adw_message_dialog_add_responses (dialog, "back", _ ("_Back"), "discard", _ ("_Discard"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "back");
  adw_message_dialog_set_close_response (dialog, "back");
  g_signal_connect_object (dialog, "response", G_CALLBACK (fd_provision_window_discard_cb), self,
                           0);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}
