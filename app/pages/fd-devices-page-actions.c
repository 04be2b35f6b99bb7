/* fd-devices-page-actions.c — what the user can do on the "Devices" pane: add a device (the
 * provisioning window), import devices from a CSV file, and rename, move or delete the
 * selected one, each through a dialog and one API call. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-devices-page-private.h"
#include "fd-files.h"
#include "fd-fleet.h"
#include "fd-import-window.h"
#include "fd-json.h"
#include "fd-provision-window.h"
#include "fd-ui.h"

typedef enum
{
  FD_DEVICE_EDIT_RENAME,
  FD_DEVICE_EDIT_MOVE,
  FD_DEVICE_EDIT_DELETE,
} FdDeviceEditKind;

typedef struct
{
  FdDevicesPage *self;
  FdDeviceEditKind kind;
  FdDevice *device;
  char *name;
  char *workspace_id;
  AdwEntryRow *name_row;
  AdwComboRow *fleet_row;
} FdDeviceEdit;

static void
fd_device_edit_free (FdDeviceEdit *edit)
{
  g_object_unref (edit->self);
  g_clear_object (&edit->device);
  g_free (edit->name);
  g_free (edit->workspace_id);
  g_free (edit);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDeviceEdit, fd_device_edit_free)

static FdDeviceEdit *
fd_device_edit_new (FdDevicesPage *self, FdDeviceEditKind kind, FdDevice *device)
{
  FdDeviceEdit *edit = g_new0 (FdDeviceEdit, 1);

  edit->self = g_object_ref (self);
  edit->kind = kind;
  edit->device = device != NULL ? g_object_ref (device) : NULL;
  edit->name = g_strdup (device != NULL ? fd_device_get_name (device) : NULL);
  edit->workspace_id
      = g_strdup (self->workspace != NULL ? fd_workspace_get_id (self->workspace) : NULL);
  return edit;
}

/* A "Fleet" row choosing among the workspace's fleets, showing @fleet_id first. */
static AdwComboRow *
fd_devices_page_fleet_row_new (FdDevicesPage *self, const char *fleet_id)
{
  AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
  g_autoptr (GtkExpression) expression = gtk_property_expression_new (FD_TYPE_FLEET, NULL, "name");
  guint n = g_list_model_get_n_items (self->fleets);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), C_ ("dialog field", "Fleet"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_combo_row_set_expression (row, expression); /* which takes a reference of its own */
  adw_combo_row_set_model (row, self->fleets);
  for (guint i = 0; fleet_id != NULL && i < n; i++)
    {
      g_autoptr (FdFleet) fleet = g_list_model_get_item (self->fleets, i);

      if (g_strcmp0 (fd_fleet_get_id (fleet), fleet_id) == 0)
        adw_combo_row_set_selected (row, i);
    }
  return row;
}

static const char *
fd_device_edit_get_fleet_id (FdDeviceEdit *edit)
{
  gpointer fleet
      = edit->fleet_row != NULL ? adw_combo_row_get_selected_item (edit->fleet_row) : NULL;

  return FD_IS_FLEET (fleet) ? fd_fleet_get_id (fleet) : NULL;
}

static void
fd_device_edit_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDeviceEdit) edit = user_data;
  FdDevicesPage *self = edit->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *message = NULL;
  JsonObject *object = NULL;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (error == NULL && edit->kind != FD_DEVICE_EDIT_DELETE)
    object = fd_json_get_object (node, &error);
  if (error != NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  /* The user may have switched workspace meanwhile; then the list is another one now. */
  if (self->workspace == NULL
      || g_strcmp0 (fd_workspace_get_id (self->workspace), edit->workspace_id) != 0)
    return;

  switch (edit->kind)
    {
    case FD_DEVICE_EDIT_RENAME:
      message = g_strdup_printf (_ ("Device renamed to “%s”"), fd_json_get_string (object, "name"));
      fd_device_update_from_json (edit->device, object);
      break;
    case FD_DEVICE_EDIT_MOVE:
      message = g_strdup_printf (_ ("Device “%s” moved to fleet “%s”"),
                                 fd_json_get_string (object, "name"),
                                 fd_json_get_string (object, "fleet_name"));
      fd_device_update_from_json (edit->device, object);
      if (fd_device_model_get_fleet_id (self->model) != NULL)
        fd_device_model_remove (self->model, edit->device); /* it left the filtered fleet */
      fd_devices_page_emit_changed (self);
      break;
    case FD_DEVICE_EDIT_DELETE:
      message = g_strdup_printf (_ ("Device “%s” deleted"), edit->name);
      fd_device_model_remove (self->model, edit->device);
      fd_devices_page_emit_changed (self);
      break;
    default:
      g_assert_not_reached ();
    }

  fd_ui_toast (GTK_WIDGET (self), message);
}

static void
fd_device_edit_response_cb (AdwMessageDialog *dialog, const char *response, FdDeviceEdit *edit)
{
  FdDevicesPage *self = edit->self;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;
  const char *method = "PATCH";
  const char *fleet_id = fd_device_edit_get_fleet_id (edit);

  if (g_strcmp0 (response, "accept") != 0 || self->client == NULL)
    {
      fd_device_edit_free (edit);
      return;
    }

  if (edit->name_row != NULL)
    {
      g_free (edit->name);
      edit->name = fd_ui_dup_trimmed_text (GTK_EDITABLE (edit->name_row));
    }

  json_builder_begin_object (builder);
  if (edit->kind == FD_DEVICE_EDIT_RENAME)
    {
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, edit->name);
    }
  if (edit->kind == FD_DEVICE_EDIT_MOVE && fleet_id != NULL)
    {
      json_builder_set_member_name (builder, "fleet_id");
      json_builder_add_string_value (builder, fleet_id);
    }
  json_builder_end_object (builder);

  path = fd_api_path ("devices", fd_device_get_id (edit->device), NULL);

  if (edit->kind == FD_DEVICE_EDIT_DELETE)
    method = "DELETE";
  else
    body = json_builder_get_root (builder);

  fd_api_client_request_async (self->client, method, path, body, self->cancellable,
                               fd_device_edit_done_cb, edit);
}

static void
fd_device_edit_ask (FdDeviceEdit *edit, AdwMessageDialog *dialog)
{
  g_signal_connect (dialog, "response", G_CALLBACK (fd_device_edit_response_cb), edit);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Add */

static void
fd_devices_page_device_added_cb (FdDevicesPage *self, JsonObject *device)
{
  g_autofree char *message
      = g_strdup_printf (_ ("Device “%s” added"), fd_json_get_string (device, "name"));

  /* Where it sorts is the server's business: list again. */
  fd_device_model_reload (self->model);
  fd_devices_page_emit_changed (self);
  fd_ui_toast (GTK_WIDGET (self), message);
}

static GtkWindow *
fd_devices_page_window (FdDevicesPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

void
fd_devices_page_open_provision (FdDevicesPage *self, GFile *pem_file)
{
  const char *fleet_id = fd_device_model_get_fleet_id (self->model);
  FdProvisionWindow *window;

  if (self->workspace == NULL || self->client == NULL)
    return;
  if (fleet_id == NULL)
    fleet_id = fd_workspace_get_default_fleet_id (self->workspace);
  window = fd_provision_window_new_device (
      fd_devices_page_window (self), self->client, fd_workspace_get_id (self->workspace),
      fd_workspace_get_name (self->workspace), self->fleets, fleet_id);
  g_signal_connect_object (window, "device-added", G_CALLBACK (fd_devices_page_device_added_cb),
                           self, G_CONNECT_SWAPPED);
  if (pem_file != NULL)
    fd_provision_window_set_pem_file (window, pem_file);
  gtk_window_present (GTK_WINDOW (window));
}

static void
fd_devices_page_add (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_devices_page_open_provision (FD_DEVICES_PAGE (widget), NULL);
}

/* Import */

static void
fd_devices_page_imported_cb (FdDevicesPage *self)
{
  fd_device_model_reload (self->model);
  fd_devices_page_emit_changed (self);
}

void
fd_devices_page_open_import (FdDevicesPage *self, GFile *csv_file)
{
  FdImportWindow *window;

  if (self->workspace == NULL || self->client == NULL)
    return;
  window = fd_import_window_new (fd_devices_page_window (self), self->client,
                                 fd_workspace_get_id (self->workspace),
                                 fd_workspace_get_name (self->workspace), self->fleets);
  g_signal_connect_object (window, "imported", G_CALLBACK (fd_devices_page_imported_cb), self,
                           G_CONNECT_SWAPPED);
  fd_import_window_open_file (window, csv_file);
  gtk_window_present (GTK_WINDOW (window));
}

static void
fd_devices_page_import_chosen_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDevicesPage) self = user_data;
  g_autoptr (GFile) file = fd_files_choose_finish (result, NULL);

  if (file != NULL)
    fd_devices_page_open_import (self, file);
}

static void
fd_devices_page_import (GtkWidget *widget, const char *action, GVariant *param)
{
  FdDevicesPage *self = FD_DEVICES_PAGE (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->workspace == NULL)
    return;
  gtk_file_filter_set_name (filter, _ ("CSV Files"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  fd_files_choose_async (fd_devices_page_window (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                         _ ("Import Devices from a CSV File"), _ ("_Open"), NULL, filter,
                         self->cancellable, fd_devices_page_import_chosen_cb, g_object_ref (self));
}

static void
fd_devices_page_rename (GtkWidget *widget, const char *action, GVariant *param)
{
  FdDevicesPage *self = FD_DEVICES_PAGE (widget);
  FdDevice *device = fd_devices_page_get_selected (self);
  FdDeviceEdit *edit;

  if (device == NULL || !fd_device_get_loaded (device))
    return;

  edit = fd_device_edit_new (self, FD_DEVICE_EDIT_RENAME, device);
  fd_device_edit_ask (edit, fd_ui_name_dialog_new (widget, _ ("Rename Device"), NULL,
                                                   fd_device_get_name (device), _ ("_Rename"), NULL,
                                                   &edit->name_row));
}

static void
fd_devices_page_move (GtkWidget *widget, const char *action, GVariant *param)
{
  FdDevicesPage *self = FD_DEVICES_PAGE (widget);
  FdDevice *device = fd_devices_page_get_selected (self);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *list;
  FdDeviceEdit *edit;

  if (device == NULL || !fd_device_get_loaded (device))
    return;

  edit = fd_device_edit_new (self, FD_DEVICE_EDIT_MOVE, device);
  edit->fleet_row = fd_devices_page_fleet_row_new (self, fd_device_get_fleet_id (device));

  heading = g_strdup_printf (_ ("Move “%s”"), fd_device_get_name (device));
  dialog = ADW_MESSAGE_DIALOG (
      adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                              _ ("Jobs and updates sent to the new fleet will reach the device.")));
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "accept", _ ("_Move"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "accept");
  adw_message_dialog_set_close_response (dialog, "cancel");

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (edit->fleet_row));
  adw_message_dialog_set_extra_child (dialog, list);

  fd_device_edit_ask (edit, dialog);
}

static void
fd_devices_page_delete (GtkWidget *widget, const char *action, GVariant *param)
{
  FdDevicesPage *self = FD_DEVICES_PAGE (widget);
  FdDevice *device = fd_devices_page_get_selected (self);
  g_autofree char *heading = NULL;

  if (device == NULL || !fd_device_get_loaded (device))
    return;

  heading = g_strdup_printf (_ ("Delete Device “%s”?"), fd_device_get_name (device));
  fd_device_edit_ask (fd_device_edit_new (self, FD_DEVICE_EDIT_DELETE, device),
                      fd_ui_confirm_dialog_new (widget, heading,
                                                _ ("Its credentials and its stored data will be "
                                                   "deleted, and it will no longer be able to "
                                                   "connect. This cannot be undone."),
                                                _ ("_Delete")));
}

static void
fd_devices_page_open (GtkWidget *widget, const char *action, GVariant *param)
{
  FdDevicesPage *self = FD_DEVICES_PAGE (widget);
  FdDevice *device = fd_devices_page_get_selected (self);

  if (device != NULL)
    fd_devices_page_open_device (self, device);
}

static void
fd_devices_page_back_to_list (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_devices_page_show_list (FD_DEVICES_PAGE (widget));
}

static void
fd_devices_page_toggle_search (GtkWidget *widget, const char *action, GVariant *param)
{
  FdDevicesPage *self = FD_DEVICES_PAGE (widget);
  gboolean enabled = !gtk_search_bar_get_search_mode (self->search_bar);

  gtk_search_bar_set_search_mode (self->search_bar, enabled);
  if (enabled)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
fd_devices_page_class_init_actions (GtkWidgetClass *widget_class)
{
  /* "pane.primary" and "pane.search" are what the window's Ctrl+N and Ctrl+F activate. */
  gtk_widget_class_install_action (widget_class, "pane.primary", NULL, fd_devices_page_add);
  gtk_widget_class_install_action (widget_class, "pane.import", NULL, fd_devices_page_import);
  gtk_widget_class_install_action (widget_class, "pane.search", NULL,
                                   fd_devices_page_toggle_search);
  gtk_widget_class_install_action (widget_class, "pane.rename", NULL, fd_devices_page_rename);
  gtk_widget_class_install_action (widget_class, "pane.move", NULL, fd_devices_page_move);
  gtk_widget_class_install_action (widget_class, "pane.delete", NULL, fd_devices_page_delete);
  gtk_widget_class_install_action (widget_class, "pane.open", NULL, fd_devices_page_open);
  gtk_widget_class_install_action (widget_class, "pane.show-list", NULL,
                                   fd_devices_page_back_to_list);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "pane.rename", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "pane.delete", NULL);
}
