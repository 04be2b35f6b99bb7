/* fd-window.c — the main window: a sidebar of panes and the current pane.
 *
 * An AdwLeaflet holds the sidebar (the workspace switcher, then one row per pane) and the
 * panes; folded on a narrow window, each pane's back button returns to the sidebar. The
 * workspace switcher, the "Workspaces & Fleets" pane and the "Devices" pane share one current
 * workspace, kept by the workspaces pane and remembered in GSettings.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-window.h"
#include "fd-workspace.h"
#include "pages/fd-conditions-page.h"
#include "pages/fd-data-page.h"
#include "pages/fd-devices-page.h"
#include "pages/fd-exports-page.h"
#include "pages/fd-firmware-page.h"
#include "pages/fd-integrations-page.h"
#include "pages/fd-jobs-page.h"
#include "pages/fd-server-page.h"
#ifdef FD_HAVE_DATA_PAGE
#include "dialogs/fd-export-dialog-data.h"
#endif
#include "pages/fd-workspaces-page.h"

struct _FdWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings; /* NULL when the schema is not installed */
  FdApiClient *client;
  FdEventsClient *events;
  gboolean switching; /* the workspace list is being replaced, not chosen by the user */
  gboolean shown_main;

  GtkStack *main_stack;
  AdwStatusPage *starting_page;
  AdwStatusPage *failed_page;
  GtkWidget *retry_button;
  AdwLeaflet *leaflet;
  GtkStack *sidebar_title;
  GtkDropDown *workspace_dropdown;
  GtkListBox *sidebar_list;
  GtkStack *pane_stack;
  FdDevicesPage *devices_page;
  FdConditionsPage *conditions_page;
  FdDataPage *data_page;
  FdWorkspacesPage *workspaces_page;
};

G_DEFINE_FINAL_TYPE (FdWindow, fd_window, ADW_TYPE_APPLICATION_WINDOW)

/* Panes in sidebar order; the sidebar rows are named after them in the .ui file. */
static const char *const fd_window_panes[]
    = { "devices",      "conditions", "data",       "jobs",  "firmware",
        "integrations", "exports",    "workspaces", "server" };

GtkWidget *
fd_window_get_pane (FdWindow *self, const char *name)
{
  g_return_val_if_fail (FD_IS_WINDOW (self), NULL);
  return gtk_stack_get_child_by_name (self->pane_stack, name);
}

FdEventsClient *
fd_window_get_events (FdWindow *self)
{
  g_return_val_if_fail (FD_IS_WINDOW (self), NULL);
  return self->events;
}

const char *
fd_window_get_state (FdWindow *self)
{
  g_return_val_if_fail (FD_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}

void
fd_window_show_pane (FdWindow *self, const char *name)
{
  g_return_if_fail (FD_IS_WINDOW (self));

  for (guint i = 0; i < G_N_ELEMENTS (fd_window_panes); i++)
    if (g_str_equal (name, fd_window_panes[i]))
      gtk_list_box_select_row (self->sidebar_list,
                               gtk_list_box_get_row_at_index (self->sidebar_list, i));
  gtk_stack_set_visible_child_name (self->pane_stack, name);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
fd_window_sidebar_activated_cb (FdWindow *self, GtkListBoxRow *row)
{
  int index = gtk_list_box_row_get_index (row);

  if (index >= 0 && (guint)index < G_N_ELEMENTS (fd_window_panes))
    fd_window_show_pane (self, fd_window_panes[index]);
}

/* The current workspace */

static guint
fd_window_workspace_position (FdWindow *self, FdWorkspace *workspace)
{
  GListModel *workspaces = fd_workspaces_page_get_workspaces (self->workspaces_page);
  guint n = g_list_model_get_n_items (workspaces);

  for (guint i = 0; workspace != NULL && i < n; i++)
    {
      g_autoptr (FdWorkspace) item = g_list_model_get_item (workspaces, i);
      if (item == workspace)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
fd_window_workspace_changed_cb (FdWindow *self)
{
  FdWorkspace *workspace = fd_workspaces_page_get_workspace (self->workspaces_page);

  self->switching = TRUE;
  gtk_drop_down_set_selected (self->workspace_dropdown,
                              fd_window_workspace_position (self, workspace));
  self->switching = FALSE;

  fd_devices_page_set_workspace (self->devices_page, workspace);
  fd_conditions_page_set_workspace (self->conditions_page, workspace);
  fd_exports_page_set_workspace (FD_EXPORTS_PAGE (fd_window_get_pane (self, "exports")), workspace);
  fd_data_page_set_workspace (self->data_page, workspace);
  fd_firmware_page_set_workspace (FD_FIRMWARE_PAGE (fd_window_get_pane (self, "firmware")),
                                  workspace);
  fd_jobs_page_set_workspace (FD_JOBS_PAGE (fd_window_get_pane (self, "jobs")), workspace);
  fd_integrations_page_set_workspace (
      FD_INTEGRATIONS_PAGE (fd_window_get_pane (self, "integrations")), workspace);
  if (self->settings != NULL && workspace != NULL)
    g_settings_set_string (self->settings, "last-workspace", fd_workspace_get_id (workspace));
}

static void
fd_window_dropdown_selected_cb (FdWindow *self)
{
  gpointer item = gtk_drop_down_get_selected_item (self->workspace_dropdown);

  if (!self->switching && FD_IS_WORKSPACE (item))
    fd_workspaces_page_set_workspace (self->workspaces_page, item);
}

static void
fd_window_workspaces_changing_cb (FdWindow *self)
{
  self->switching = TRUE;
}

static void
fd_window_workspaces_changed_cb (FdWindow *self)
{
  GListModel *workspaces = fd_workspaces_page_get_workspaces (self->workspaces_page);

  self->switching = FALSE;
  fd_window_workspace_changed_cb (self);
  /* No switcher with nothing to switch to: the sidebar then shows the app's name. */
  gtk_stack_set_visible_child_name (
      self->sidebar_title, g_list_model_get_n_items (workspaces) > 0 ? "workspaces" : "title");
}

/* What happened in one pane that another shows */

static void
fd_window_devices_changed_cb (FdWindow *self)
{
  fd_workspaces_page_reload (self->workspaces_page, NULL);
}

static void
fd_window_open_device_cb (FdWindow *self, const char *device_id)
{
  fd_window_show_pane (self, "devices");
  fd_devices_page_open_device_id (self->devices_page, device_id);
}

static void
fd_window_workspaces_edited_cb (FdWindow *self)
{
  fd_devices_page_reload (self->devices_page);
}

static void
fd_window_workspaces_loaded_cb (FdWindow *self, const GError *error)
{
  if (self->shown_main)
    return;

  if (error != NULL)
    {
      fd_window_show_failure (self, "network-offline-symbolic", _ ("Cannot Connect to the Server"),
                              error->message);
      gtk_widget_set_visible (self->retry_button, TRUE);
      return;
    }

  self->shown_main = TRUE;
  gtk_stack_set_visible_child_name (self->main_stack, "main");
  if (fd_workspaces_page_get_workspace (self->workspaces_page) == NULL)
    fd_window_show_pane (self, "workspaces");
}

/* Public API */

void
fd_window_show_starting (FdWindow *self, const char *message)
{
  g_return_if_fail (FD_IS_WINDOW (self));

  adw_status_page_set_description (self->starting_page, message);
  gtk_stack_set_visible_child_name (self->main_stack, "starting");
}

void
fd_window_set_client (FdWindow *self, FdApiClient *client)
{
  g_autofree char *last = NULL;
  g_autofree char *message = NULL;

  g_return_if_fail (FD_IS_WINDOW (self));
  g_return_if_fail (FD_IS_API_CLIENT (client));

  g_set_object (&self->client, client);
  fd_workspaces_page_set_client (self->workspaces_page, client);
  fd_devices_page_set_client (self->devices_page, client);
  fd_conditions_page_set_client (self->conditions_page, client);
  fd_exports_page_set_client (FD_EXPORTS_PAGE (fd_window_get_pane (self, "exports")), client);
  fd_server_page_set_client (FD_SERVER_PAGE (fd_window_get_pane (self, "server")), client);
  fd_data_page_set_client (self->data_page, client);
  fd_firmware_page_set_client (FD_FIRMWARE_PAGE (fd_window_get_pane (self, "firmware")), client);
  fd_jobs_page_set_client (FD_JOBS_PAGE (fd_window_get_pane (self, "jobs")), client);
  fd_integrations_page_set_client (FD_INTEGRATIONS_PAGE (fd_window_get_pane (self, "integrations")),
                                   client);

  /* One events stream for every pane, from the server the panes talk to. */
  if (self->events != NULL)
    fd_events_client_stop (self->events);
  g_clear_object (&self->events);
  self->events = fd_events_client_new (client);
  fd_devices_page_set_events (self->devices_page, self->events);
  fd_conditions_page_set_events (self->conditions_page, self->events);
  fd_data_page_set_events (self->data_page, self->events);
  fd_firmware_page_set_events (FD_FIRMWARE_PAGE (fd_window_get_pane (self, "firmware")),
                               self->events);
  fd_jobs_page_set_events (FD_JOBS_PAGE (fd_window_get_pane (self, "jobs")), self->events);
  fd_integrations_page_set_events (FD_INTEGRATIONS_PAGE (fd_window_get_pane (self, "integrations")),
                                   self->events);
  fd_events_client_start (self->events);

  message = g_strdup_printf (_ ("Connecting to %s"), fd_api_client_get_base_url (client));
  fd_window_show_starting (self, message);

  if (self->settings != NULL)
    last = g_settings_get_string (self->settings, "last-workspace");
  fd_workspaces_page_reload (self->workspaces_page, last);
}

void
fd_window_show_failure (FdWindow *self, const char *icon_name, const char *title,
                        const char *message)
{
  g_return_if_fail (FD_IS_WINDOW (self));

  adw_status_page_set_icon_name (self->failed_page, icon_name);
  adw_status_page_set_title (self->failed_page, title);
  adw_status_page_set_description (self->failed_page, message);
  gtk_widget_set_visible (self->retry_button, FALSE);
  gtk_stack_set_visible_child_name (self->main_stack, "failed");
}

/* Actions */

static void
fd_window_activate_on_pane (FdWindow *self, const char *action)
{
  GtkWidget *pane = gtk_stack_get_visible_child (self->pane_stack);

  if (self->shown_main && pane != NULL)
    gtk_widget_activate_action (pane, action, NULL);
}

static void
fd_window_primary (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_window_activate_on_pane (FD_WINDOW (widget), "pane.primary");
}

static void
fd_window_search (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWindow *self = FD_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  fd_window_activate_on_pane (self, "pane.search");
}

static void
fd_window_new_workspace (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWindow *self = FD_WINDOW (widget);

  fd_window_show_pane (self, "workspaces");
  gtk_widget_activate_action (GTK_WIDGET (self->workspaces_page), "pane.primary", NULL);
}

static void
fd_window_reload (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWindow *self = FD_WINDOW (widget);

  if (!self->shown_main)
    return;
  fd_workspaces_page_reload (self->workspaces_page, NULL);
  fd_devices_page_reload (self->devices_page);
  fd_conditions_page_reload (self->conditions_page);
  fd_exports_page_reload (FD_EXPORTS_PAGE (fd_window_get_pane (self, "exports")));
  fd_server_page_reload (FD_SERVER_PAGE (fd_window_get_pane (self, "server")));
  fd_data_page_reload (self->data_page);
  fd_firmware_page_reload (FD_FIRMWARE_PAGE (fd_window_get_pane (self, "firmware")));
  fd_jobs_page_reload (FD_JOBS_PAGE (fd_window_get_pane (self, "jobs")));
  fd_integrations_page_reload (FD_INTEGRATIONS_PAGE (fd_window_get_pane (self, "integrations")));
}

static void
fd_window_back (GtkWidget *widget, const char *action, GVariant *param)
{
  adw_leaflet_navigate (FD_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
fd_window_retry (GtkWidget *widget, const char *action, GVariant *param)
{
  FdWindow *self = FD_WINDOW (widget);

  if (self->client != NULL)
    fd_window_set_client (self, self->client);
}

/* Window state */

static void
fd_window_load_state (FdWindow *self)
{
  if (self->settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
fd_window_close_request (GtkWindow *window)
{
  FdWindow *self = FD_WINDOW (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (self->settings);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window))
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
      g_settings_apply (self->settings);
    }

  return GTK_WINDOW_CLASS (fd_window_parent_class)->close_request (window);
}

static void
fd_window_dispose (GObject *object)
{
  FdWindow *self = FD_WINDOW (object);

  if (self->events != NULL)
    fd_events_client_stop (self->events);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_WINDOW);
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (fd_window_parent_class)->dispose (object);
}

static void
fd_window_class_init (FdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = fd_window_dispose;
  window_class->close_request = fd_window_close_request;

  g_type_ensure (FD_TYPE_DEVICES_PAGE);
  g_type_ensure (FD_TYPE_CONDITIONS_PAGE);
  g_type_ensure (FD_TYPE_DATA_PAGE);
  g_type_ensure (FD_TYPE_JOBS_PAGE);
  g_type_ensure (FD_TYPE_WORKSPACES_PAGE);
  g_type_ensure (FD_TYPE_EXPORTS_PAGE);
  g_type_ensure (FD_TYPE_SERVER_PAGE);
  g_type_ensure (FD_TYPE_FIRMWARE_PAGE);
  g_type_ensure (FD_TYPE_INTEGRATIONS_PAGE);
  g_type_ensure (FD_TYPE_WORKSPACE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/fleetdesk/Fleetdesk/ui/fd-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FdWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, starting_page);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, failed_page);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, workspace_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, pane_stack);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, devices_page);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, conditions_page);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, data_page);
  gtk_widget_class_bind_template_child (widget_class, FdWindow, workspaces_page);
  gtk_widget_class_bind_template_callback (widget_class, fd_window_sidebar_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.primary", NULL, fd_window_primary);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, fd_window_search);
  gtk_widget_class_install_action (widget_class, "win.new-workspace", NULL,
                                   fd_window_new_workspace);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, fd_window_reload);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, fd_window_back);
  gtk_widget_class_install_action (widget_class, "win.retry", NULL, fd_window_retry);
}

static void
fd_window_init (FdWindow *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;
  GListModel *workspaces;

  gtk_widget_init_template (GTK_WIDGET (self));

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    self->settings = g_settings_new_full (schema, NULL, NULL);
  else
    g_warning ("GSettings schema %s is not installed: window size and the last workspace will "
               "not be remembered",
               APP_ID);
  fd_window_load_state (self);

  /* Connected before the drop-down gets the model, so they run around its own reaction. */
  workspaces = fd_workspaces_page_get_workspaces (self->workspaces_page);
  g_signal_connect_object (workspaces, "items-changed",
                           G_CALLBACK (fd_window_workspaces_changing_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (workspaces, "items-changed",
                           G_CALLBACK (fd_window_workspaces_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  gtk_drop_down_set_model (self->workspace_dropdown, workspaces);
  g_signal_connect_object (self->workspace_dropdown, "notify::selected",
                           G_CALLBACK (fd_window_dropdown_selected_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->workspaces_page, "notify::workspace",
                           G_CALLBACK (fd_window_workspace_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->conditions_page, "open-device",
                           G_CALLBACK (fd_window_open_device_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workspaces_page, "changed",
                           G_CALLBACK (fd_window_workspaces_edited_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->workspaces_page, "loaded",
                           G_CALLBACK (fd_window_workspaces_loaded_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->devices_page, "changed", G_CALLBACK (fd_window_devices_changed_cb),
                           self, G_CONNECT_SWAPPED);
  fd_devices_page_set_fleets (self->devices_page,
                              fd_workspaces_page_get_fleets (self->workspaces_page));

  gtk_list_box_select_row (self->sidebar_list,
                           gtk_list_box_get_row_at_index (self->sidebar_list, 0));
#ifdef FD_HAVE_DATA_PAGE
  if (fd_window_get_pane (self, "data") != NULL)
    fd_export_dialog_attach (fd_window_get_pane (self, "data"));
#endif
}

FdWindow *
fd_window_new (GtkApplication *application)
{
  return g_object_new (FD_TYPE_WINDOW, "application", application, NULL);
}
