/* fd-devices-page.c — the "Devices" pane: every device of the current workspace.
 *
 * The column view shows an FdDeviceModel, which fetches pages of rows from the server as they
 * scroll into view; sorting, searching and the fleet filter are done by the server, so the
 * view never holds more than the rows it was shown.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-devices-page-private.h"
#include "fd-fleet.h"
#include "fd-json.h"
#include "fd-server-sorter.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdDevicesPage, fd_devices_page, FD_TYPE_PANE)

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
fd_devices_page_update_view (FdDevicesPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  const char *page;

  if (self->client == NULL)
    page = "loading";
  else if (self->workspace == NULL)
    page = "no-workspace";
  else if (n == 0 && fd_device_model_get_loading (self->model))
    page = "loading";
  else if (n == 0
           && (fd_device_model_get_search (self->model) != NULL
               || fd_device_model_get_fleet_id (self->model) != NULL))
    page = "no-results";
  else if (n == 0)
    page = "empty";
  else
    page = "list";

  gtk_stack_set_visible_child_name (self->stack, page);

  if (self->workspace != NULL && !fd_device_model_get_loading (self->model))
    {
      g_autofree char *count
          = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u device", "%'u devices", n), n);
      adw_window_title_set_subtitle (self->window_title, count);
    }
  else if (self->workspace == NULL)
    adw_window_title_set_subtitle (self->window_title, NULL);
}

FdDevice *
fd_devices_page_get_selected (FdDevicesPage *self)
{
  gpointer item = gtk_single_selection_get_selected_item (self->selection);

  return FD_IS_DEVICE (item) ? item : NULL;
}

void
fd_devices_page_update_actions (FdDevicesPage *self)
{
  FdDevice *device = fd_devices_page_get_selected (self);
  /* F2 and Delete act on the list's selection: not while a device's page covers the list. */
  gboolean listed = adw_leaflet_get_visible_child (self->leaflet) == self->list_page;
  gboolean ready = device != NULL && fd_device_get_loaded (device) && listed;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.rename", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.move", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.delete", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.open", ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.primary", self->workspace != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.import", self->workspace != NULL);
  gtk_action_bar_set_revealed (self->action_bar, device != NULL);
  gtk_label_set_label (self->selection_label, ready            ? fd_device_get_name (device)
                                              : device != NULL ? _ ("Loading…")
                                                               : "");
}

static void
fd_devices_page_selection_changed_cb (FdDevicesPage *self)
{
  FdDevice *device = fd_devices_page_get_selected (self);

  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_func (self->selected, fd_devices_page_update_actions, self);
  g_set_object (&self->selected, device);
  if (device != NULL)
    {
      g_signal_connect_object (device, "notify::loaded",
                               G_CALLBACK (fd_devices_page_update_actions), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (device, "notify::name", G_CALLBACK (fd_devices_page_update_actions),
                               self, G_CONNECT_SWAPPED);
    }
  fd_devices_page_update_actions (self);
}

static void
fd_devices_page_sorter_changed_cb (FdDevicesPage *self, GtkSorterChange change, GtkSorter *sorter)
{
  g_autofree char *sort = fd_server_sorter_dup_sort_param (sorter);

  fd_device_model_set_sort (self->model, sort);
}

static void
fd_devices_page_search_changed_cb (FdDevicesPage *self, GtkSearchEntry *entry)
{
  g_autofree char *search = fd_ui_dup_trimmed_text (GTK_EDITABLE (entry));

  fd_device_model_set_search (self->model, search);
  fd_devices_page_update_view (self);
}

static void
fd_devices_page_stop_search_cb (FdDevicesPage *self, GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
}

static void
fd_devices_page_load_failed_cb (FdDevicesPage *self, GError *error)
{
  fd_ui_toast_error (GTK_WIDGET (self), error);
  fd_devices_page_update_view (self);
}

/* The device page */

void
fd_devices_page_open_device (FdDevicesPage *self, FdDevice *device)
{
  g_return_if_fail (FD_IS_DEVICES_PAGE (self));
  g_return_if_fail (FD_IS_DEVICE (device));

  if (!fd_device_get_loaded (device))
    return;
  fd_device_detail_page_set_device (self->detail_page, device);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->detail_page));
}

static void
fd_devices_page_device_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDevicesPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *object = error == NULL ? fd_json_get_object (node, &error) : NULL;
  g_autoptr (FdDevice) device = NULL;

  if (object == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  device = fd_device_new_from_json (object);
  fd_devices_page_open_device (self, device);
}

void
fd_devices_page_open_device_id (FdDevicesPage *self, const char *device_id)
{
  FdDevice *listed;
  g_autofree char *path = NULL;

  g_return_if_fail (FD_IS_DEVICES_PAGE (self));
  g_return_if_fail (device_id != NULL);

  listed = fd_device_model_lookup (self->model, device_id);
  if (listed != NULL)
    {
      fd_devices_page_open_device (self, listed);
      return;
    }
  if (self->client == NULL)
    return;
  path = fd_api_path ("devices", device_id, NULL);
  fd_api_client_request_async (self->client, "GET", path, NULL, self->cancellable,
                               fd_devices_page_device_read_cb, g_object_ref (self));
}

void
fd_devices_page_show_list (FdDevicesPage *self)
{
  g_return_if_fail (FD_IS_DEVICES_PAGE (self));
  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
}

FdDeviceDetailPage *
fd_devices_page_get_detail_page (FdDevicesPage *self)
{
  g_return_val_if_fail (FD_IS_DEVICES_PAGE (self), NULL);
  return self->detail_page;
}

/* Enter or a double click on a row. */
static void
fd_devices_page_activate_cb (FdDevicesPage *self, guint position)
{
  g_autoptr (FdDevice) device = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (device != NULL)
    fd_devices_page_open_device (self, device);
}

/* Back on the list (button, Alt+Left, swipe): the device page stops and lets its device go
 * once the transition is over. */
static void
fd_devices_page_leaflet_child_cb (FdDevicesPage *self)
{
  if (self->selection == NULL)
    return; /* still being built */
  if (adw_leaflet_get_visible_child (self->leaflet) == self->list_page
      && !adw_leaflet_get_child_transition_running (self->leaflet))
    fd_device_detail_page_set_device (self->detail_page, NULL);
  fd_devices_page_update_actions (self);
}

static void
fd_devices_page_transition_cb (FdDevicesPage *self)
{
  fd_devices_page_leaflet_child_cb (self);
}

/* Fleet filter */

static void
fd_devices_page_filter_selected_cb (FdDevicesPage *self)
{
  gpointer item = gtk_drop_down_get_selected_item (self->fleet_filter);

  if (self->fleets_changing)
    return;
  fd_device_model_set_fleet_id (self->model, FD_IS_FLEET (item) ? fd_fleet_get_id (item) : NULL);
  fd_devices_page_update_view (self);
}

static void
fd_devices_page_fleets_changing_cb (FdDevicesPage *self)
{
  self->fleets_changing = TRUE;
}

/* After the fleets were fetched again, filters by the same fleet if it still exists. */
static void
fd_devices_page_fleets_changed_cb (FdDevicesPage *self)
{
  GListModel *items = gtk_drop_down_get_model (self->fleet_filter);
  const char *fleet_id = fd_device_model_get_fleet_id (self->model);
  guint position = 0;

  for (guint i = 0; fleet_id != NULL && i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr (FdFleet) fleet = g_list_model_get_item (items, i);

      if (g_strcmp0 (fd_fleet_get_id (fleet), fleet_id) == 0)
        position = i;
    }

  gtk_drop_down_set_selected (self->fleet_filter, position);
  self->fleets_changing = FALSE;
  fd_devices_page_filter_selected_cb (self);
}

void
fd_devices_page_set_fleets (FdDevicesPage *self, GListModel *fleets)
{
  g_autoptr (GListStore) any = g_list_store_new (FD_TYPE_FLEET);
  g_autoptr (FdFleet) any_fleet = fd_fleet_new_any (_ ("All Fleets"));

  g_return_if_fail (FD_IS_DEVICES_PAGE (self));

  if (self->fleets != NULL)
    g_signal_handlers_disconnect_by_data (self->fleets, self);
  if (!g_set_object (&self->fleets, fleets))
    return;

  /* Connected before the flattened model is, so that the drop-down's reaction to the change
   * is known to be one and not taken for the user's choice. */
  g_signal_connect_swapped (fleets, "items-changed",
                            G_CALLBACK (fd_devices_page_fleets_changing_cb), self);
  g_signal_connect_data (fleets, "items-changed", G_CALLBACK (fd_devices_page_fleets_changed_cb),
                         self, NULL, G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  g_list_store_append (any, any_fleet);
  g_list_store_remove_all (self->filter_items);
  g_list_store_append (self->filter_items, any);
  g_list_store_append (self->filter_items, fleets);
}

/* Properties */

void
fd_devices_page_set_client (FdDevicesPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_DEVICES_PAGE (self));

  if (!g_set_object (&self->client, client))
    return;

  fd_device_model_set_client (self->model, client);
  fd_device_detail_page_set_client (self->detail_page, client);
  fd_devices_page_update_view (self);
}

void
fd_devices_page_set_workspace (FdDevicesPage *self, FdWorkspace *workspace)
{
  g_return_if_fail (FD_IS_DEVICES_PAGE (self));

  if (!g_set_object (&self->workspace, workspace))
    return;

  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  fd_devices_page_show_list (self);
  fd_device_detail_page_set_device (self->detail_page, NULL);
  gtk_drop_down_set_selected (self->fleet_filter, 0);
  fd_device_model_set_fleet_id (self->model, NULL);
  fd_device_model_set_workspace_id (self->model,
                                    workspace != NULL ? fd_workspace_get_id (workspace) : NULL);
  fd_devices_page_update_actions (self);
  fd_devices_page_update_view (self);
}

void
fd_devices_page_reload (FdDevicesPage *self)
{
  g_return_if_fail (FD_IS_DEVICES_PAGE (self));
  fd_device_model_reload (self->model);
}

void
fd_devices_page_emit_changed (FdDevicesPage *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

FdDeviceModel *
fd_devices_page_get_model (FdDevicesPage *self)
{
  g_return_val_if_fail (FD_IS_DEVICES_PAGE (self), NULL);
  return self->model;
}

GtkColumnView *
fd_devices_page_get_column_view (FdDevicesPage *self)
{
  g_return_val_if_fail (FD_IS_DEVICES_PAGE (self), NULL);
  return self->column_view;
}

static void
fd_devices_page_dispose (GObject *object)
{
  FdDevicesPage *self = FD_DEVICES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->fleets != NULL)
    g_signal_handlers_disconnect_by_data (self->fleets, self);
  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  /* Page fetches in flight hold the model: stop them, and let no answer reach this page. */
  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->model, self);
      g_object_run_dispose (G_OBJECT (self->model));
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_DEVICES_PAGE);
  g_clear_object (&self->selected);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->fleets);
  g_clear_object (&self->filter_items);
  g_clear_object (&self->workspace);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  g_clear_object (&self->events);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (fd_devices_page_parent_class)->dispose (object);
}

static void
fd_devices_page_finalize (GObject *object)
{
  FdDevicesPage *self = FD_DEVICES_PAGE (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (fd_devices_page_parent_class)->finalize (object);
}

static void
fd_devices_page_class_init (FdDevicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_devices_page_dispose;
  object_class->finalize = fd_devices_page_finalize;

  /* Devices were added, moved or deleted here: counts elsewhere are stale. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (FD_TYPE_DEVICE);
  g_type_ensure (FD_TYPE_DEVICE_DETAIL_PAGE);
  g_type_ensure (FD_TYPE_FLEET);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-devices-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, list_page);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, detail_page);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, fleet_filter);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, primary_button);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, name_column);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, status_column);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, fleet_column);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, created_column);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, last_seen_column);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, action_bar);
  gtk_widget_class_bind_template_child (widget_class, FdDevicesPage, selection_label);
  gtk_widget_class_bind_template_callback (widget_class, fd_devices_page_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_devices_page_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_devices_page_filter_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_devices_page_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_devices_page_leaflet_child_cb);

  fd_devices_page_class_init_actions (widget_class);
}

static void
fd_devices_page_init (FdDevicesPage *self)
{
  g_autoptr (GtkFlattenListModel) filter_model = NULL;
  GtkSorter *sorter;

  gtk_widget_init_template (GTK_WIDGET (self));

  const struct
  {
    GtkColumnViewColumn *column;
    const char *key;
  } columns[] = {
    { self->name_column, "name" },           { self->status_column, "online" },
    { self->fleet_column, "fleet" },         { self->created_column, "created_at" },
    { self->last_seen_column, "last_seen" },
  };

  self->cancellable = g_cancellable_new ();
  self->model = fd_device_model_new ();
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      g_autoptr (GtkSorter) column_sorter = fd_server_sorter_new (columns[i].key);
      gtk_column_view_column_set_sorter (columns[i].column, column_sorter);
    }
  gtk_column_view_sort_by_column (self->column_view, self->name_column, GTK_SORT_ASCENDING);
  sorter = gtk_column_view_get_sorter (self->column_view);
  g_signal_connect_object (sorter, "changed", G_CALLBACK (fd_devices_page_sorter_changed_cb), self,
                           G_CONNECT_SWAPPED);
  fd_devices_page_sorter_changed_cb (self, GTK_SORTER_CHANGE_DIFFERENT, sorter);

  self->filter_items = g_list_store_new (G_TYPE_LIST_MODEL);
  filter_model = gtk_flatten_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_items)));
  gtk_drop_down_set_model (self->fleet_filter, G_LIST_MODEL (filter_model));

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (fd_devices_page_selection_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::loading", G_CALLBACK (fd_devices_page_update_view),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::n-items", G_CALLBACK (fd_devices_page_update_view),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "load-failed", G_CALLBACK (fd_devices_page_load_failed_cb),
                           self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->leaflet, "notify::child-transition-running",
                           G_CALLBACK (fd_devices_page_transition_cb), self, G_CONNECT_SWAPPED);
  /* Typing on the device page must not search the list hidden behind it. */
  gtk_search_bar_set_key_capture_widget (self->search_bar, self->list_page);
  fd_devices_page_init_dnd (self);
  /* Folded, the header bar is narrow: the primary action is an icon button then. */
  g_object_bind_property (self, "folded", self->primary_button, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  fd_devices_page_update_actions (self);
  fd_devices_page_update_view (self);
}
