/* fd-device-detail-page-credentials.c — the device page's "Credentials": the list, "Add
 * Credential…", "Revoke…" and "Download zdevice.json" (which cannot hold the secret: that was
 * shown once, when the credential was made). */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-credential-row.h"
#include "fd-device-detail-page-private.h"
#include "fd-files.h"
#include "fd-json.h"
#include "fd-provision-window.h"
#include "fd-ui.h"
#include "fd-zdevice.h"

/* One action on one credential of the device shown when it began. */
typedef struct
{
  FdDeviceDetailPage *self;
  GCancellable *cancellable; /* the page's, for this device */
  char *device_id;
  char *device_name;
  char *credential_id;
  char *described;
  GFile *file;
} FdCredentialAction;

static FdCredentialAction *
fd_credential_action_new (FdDeviceDetailPage *self, FdCredentialRow *row)
{
  FdCredentialAction *action = g_new0 (FdCredentialAction, 1);

  action->self = g_object_ref (self);
  action->cancellable = g_object_ref (self->cancellable);
  action->device_id = g_strdup (fd_device_get_id (self->device));
  action->device_name = g_strdup (fd_device_get_name (self->device));
  if (row != NULL)
    {
      action->credential_id = g_strdup (fd_credential_row_get_id (row));
      action->described = fd_credential_describe (fd_credential_row_get_credential (row));
    }
  return action;
}

static void
fd_credential_action_free (FdCredentialAction *action)
{
  g_object_unref (action->self);
  g_object_unref (action->cancellable);
  g_free (action->device_id);
  g_free (action->device_name);
  g_free (action->credential_id);
  g_free (action->described);
  g_clear_object (&action->file);
  g_free (action);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCredentialAction, fd_credential_action_free)

/* The list */

void
fd_device_detail_page_clear_credentials (FdDeviceDetailPage *self)
{
  GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->credentials_list));

  /* Every row, not the placeholder (a child of the list too). */
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (FD_IS_CREDENTIAL_ROW (child))
        gtk_list_box_remove (self->credentials_list, child);
      child = next;
    }
}

static void
fd_device_detail_page_credentials_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdCredentialAction) action = user_data;
  FdDeviceDetailPage *self = action->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *items = error == NULL ? fd_json_get_list (node, NULL, &error) : NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  if (g_cancellable_is_cancelled (action->cancellable))
    return;
  if (items == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  fd_device_detail_page_clear_credentials (self);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);

      if (JSON_NODE_HOLDS_OBJECT (item))
        gtk_list_box_append (self->credentials_list,
                             fd_credential_row_new (json_node_get_object (item), now));
    }
}

void
fd_device_detail_page_load_credentials (FdDeviceDetailPage *self)
{
  g_autofree char *path = NULL;

  if (self->client == NULL || self->device == NULL)
    return;
  /* One list, not paged: a device has a handful of credentials (revoked ones too). */
  path = fd_api_path ("devices", fd_device_get_id (self->device), "credentials", NULL);
  fd_api_client_request_async (self->client, "GET", path, NULL, self->cancellable,
                               fd_device_detail_page_credentials_cb,
                               fd_credential_action_new (self, NULL));
}

static FdCredentialRow *
fd_device_detail_page_find_credential (FdDeviceDetailPage *self, GVariant *param)
{
  const char *id = param != NULL ? g_variant_get_string (param, NULL) : NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->credentials_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (FD_IS_CREDENTIAL_ROW (child)
        && g_strcmp0 (fd_credential_row_get_id (FD_CREDENTIAL_ROW (child)), id) == 0)
      return FD_CREDENTIAL_ROW (child);
  return NULL;
}

/* Add */

static void
fd_device_detail_page_credential_added_cb (FdDeviceDetailPage *self)
{
  fd_device_detail_page_load_credentials (self);
}

static void
fd_device_detail_page_add_credential (GtkWidget *widget, const char *action_name, GVariant *param)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  FdProvisionWindow *window;

  if (self->client == NULL || self->device == NULL)
    return;
  window = fd_provision_window_new_credential (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               self->client, fd_device_get_id (self->device),
                                               fd_device_get_name (self->device));
  g_signal_connect_object (window, "credential-added",
                           G_CALLBACK (fd_device_detail_page_credential_added_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

/* Revoke */

static void
fd_device_detail_page_revoked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdCredentialAction) action = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  g_autofree char *message = NULL;

  if (g_cancellable_is_cancelled (action->cancellable))
    return;
  if (error != NULL)
    {
      message = g_strdup_printf (_ ("Could not revoke the credential: %s"), error->message);
      fd_ui_toast (GTK_WIDGET (action->self), message);
      return;
    }
  /* TRANSLATORS: "Generated certificate 3F:9A:…:C2 of “sensor-01” revoked" */
  message = g_strdup_printf (_ ("%s of “%s” revoked"), action->described, action->device_name);
  fd_ui_toast (GTK_WIDGET (action->self), message);
  fd_device_detail_page_load_credentials (action->self);
}

static void
fd_device_detail_page_revoke_response_cb (AdwMessageDialog *dialog, const char *response,
                                          FdCredentialAction *action)
{
  FdDeviceDetailPage *self = action->self;
  g_autofree char *path = NULL;

  if (g_strcmp0 (response, "accept") != 0 || g_cancellable_is_cancelled (action->cancellable))
    {
      fd_credential_action_free (action);
      return;
    }
  path = fd_api_path ("devices", action->device_id, "credentials", action->credential_id, NULL);
  fd_api_client_request_async (self->client, "DELETE", path, NULL, action->cancellable,
                               fd_device_detail_page_revoked_cb, action);
}

static void
fd_device_detail_page_revoke_credential (GtkWidget *widget, const char *action_name,
                                         GVariant *param)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (widget);
  FdCredentialRow *row = fd_device_detail_page_find_credential (self, param);
  FdCredentialAction *action;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (row == NULL || fd_credential_row_get_revoked (row))
    return;
  action = fd_credential_action_new (self, row);
  /* TRANSLATORS: %s names the credential: "Generated certificate 3F:9A:…:C2" */
  heading = g_strdup_printf (_ ("Revoke %s?"), action->described);
  body = g_strdup_printf (_ ("“%s” can no longer authenticate with this credential. "
                             "Connections using it stop at once, and it cannot be used again. "
                             "This cannot be undone."),
                          action->device_name);
  dialog = fd_ui_confirm_dialog_new (widget, heading, body, _ ("_Revoke"));
  g_signal_connect (dialog, "response", G_CALLBACK (fd_device_detail_page_revoke_response_cb),
                    action);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Download zdevice.json */

static void
fd_device_detail_page_downloaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdCredentialAction) action = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *where = fd_files_describe (G_FILE (source));

  if (g_cancellable_is_cancelled (action->cancellable))
    return;
  if (!fd_files_write_private_finish (result, &error))
    message = g_strdup_printf (_ ("Could not save zdevice.json: %s"), error->message);
  else
    /* TRANSLATORS: %s is where the file is */
    message = g_strdup_printf (_ ("Saved %s, without the secret"), where);
  fd_ui_toast (GTK_WIDGET (action->self), message);
}

static void
fd_device_detail_page_zdevice_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdCredentialAction) action = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  g_autoptr (GBytes) bytes = NULL;
  GCancellable *cancellable;
  GFile *file;

  if (g_cancellable_is_cancelled (action->cancellable))
    return;
  if (error == NULL)
    fd_json_get_object (node, &error);
  if (error != NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (action->self), error);
      return;
    }
  bytes = fd_zdevice_to_bytes (node);
  file = action->file;
  cancellable = action->cancellable;
  /* The arguments are evaluated in any order: nothing may read @action after it is stolen. */
  fd_files_write_private_async (file, bytes, cancellable, fd_device_detail_page_downloaded_cb,
                                g_steal_pointer (&action));
}

static void
fd_device_detail_page_download_chosen_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdCredentialAction) action = user_data;
  g_autofree char *path = NULL;
  GCancellable *cancellable;
  FdApiClient *client;

  action->file = fd_files_choose_finish (result, NULL);
  if (action->file == NULL || g_cancellable_is_cancelled (action->cancellable))
    return;
  path = fd_api_path ("devices", action->device_id, "credentials", action->credential_id,
                      "zdevice.json", NULL);
  client = action->self->client;
  cancellable = action->cancellable;
  fd_api_client_request_async (client, "GET", path, NULL, cancellable,
                               fd_device_detail_page_zdevice_cb, g_steal_pointer (&action));
}

static void
fd_device_detail_page_download_response_cb (AdwMessageDialog *dialog, const char *response,
                                            FdCredentialAction *action)
{
  g_autofree char *name = NULL;
  g_autoptr (GtkFileFilter) filter = NULL;
  GtkRoot *root;

  if (g_strcmp0 (response, "accept") != 0 || g_cancellable_is_cancelled (action->cancellable))
    {
      fd_credential_action_free (action);
      return;
    }
  name = fd_zdevice_file_name (action->device_name);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _ ("Device Credentials (zdevice.json)"));
  gtk_file_filter_add_pattern (filter, "*.json");
  root = gtk_widget_get_root (GTK_WIDGET (action->self));
  fd_files_choose_async (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                         GTK_FILE_CHOOSER_ACTION_SAVE, _ ("Save zdevice.json"), _ ("_Save"), name,
                         filter, action->cancellable, fd_device_detail_page_download_chosen_cb,
                         action);
}

static void
fd_device_detail_page_download_credential (GtkWidget *widget, const char *action_name,
                                           GVariant *param)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (widget);
  FdCredentialRow *row = fd_device_detail_page_find_credential (self, param);
  gboolean key;
  FdCredentialAction *action;
  AdwMessageDialog *dialog;
  GtkRoot *root;

  if (row == NULL)
    return;
  action = fd_credential_action_new (self, row);
  key = g_strcmp0 (fd_json_get_string (fd_credential_row_get_credential (row), "kind"), "key") == 0;
  root = gtk_widget_get_root (widget);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
      GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
      _ ("Download zdevice.json Without the Secret?"),
      key ? _ ("The file says where to connect and which key the device uses, but not the "
               "secret: Fleetdesk showed it only once, when the credential was made, and does "
               "not keep it. Use it to point a device that still has its secret at this server.")
          : _ ("The file says where to connect and holds the device’s certificate, but not its "
               "private key: that was shown only once, when the credential was made, or never "
               "left the device. Use it to point a device that still has its key at this "
               "server.")));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "accept", _ ("_Save As…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "accept");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (fd_device_detail_page_download_response_cb),
                    action);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
fd_device_detail_page_class_init_credentials (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "detail.add-credential", NULL,
                                   fd_device_detail_page_add_credential);
  gtk_widget_class_install_action (widget_class, "detail.revoke-credential", "s",
                                   fd_device_detail_page_revoke_credential);
  gtk_widget_class_install_action (widget_class, "detail.download-credential", "s",
                                   fd_device_detail_page_download_credential);
}

void
fd_device_detail_page_init_credentials (FdDeviceDetailPage *self)
{
  gtk_list_box_set_placeholder (
      self->credentials_list, fd_ui_list_placeholder_new (_ (
                                  "No credentials: the device cannot connect until it has one.")));
}
