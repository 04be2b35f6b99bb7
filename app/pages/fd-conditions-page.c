/* fd-conditions-page.c — the "Conditions" pane.
 *
 * Two lists of FdConditionItem: "Open" (every open condition of the workspace, read once and
 * then kept up to date by condition.* events) and "History" (the newest
 * FD_CONDITIONS_HISTORY_SIZE that match its filters, read again when a filter changes). Both
 * are sorted in the view (they are bounded), and searched by device or tag. One timer,
 * running only while the pane is shown, advances the durations of open conditions each
 * second. Events are applied in fd-conditions-page-events.c, the filters are in
 * fd-conditions-page-filters.c, notifications in fd-conditions-page-notify.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-conditions-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdConditionsPage, fd_conditions_page, FD_TYPE_PANE)

enum
{
  OPEN_DEVICE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The view */

void
fd_conditions_page_update_view (FdConditionsPage *self)
{
  guint n_open = g_list_model_get_n_items (G_LIST_MODEL (self->open_store));
  guint shown_open = g_list_model_get_n_items (G_LIST_MODEL (self->open_filtered));
  guint n_history = g_list_model_get_n_items (G_LIST_MODEL (self->history_store));
  guint shown_history = g_list_model_get_n_items (G_LIST_MODEL (self->history_filtered));
  AdwViewStackPage *open_page
      = adw_view_stack_get_page (self->view_stack, GTK_WIDGET (self->open_stack));
  g_autofree char *count = NULL;

  if (self->open_loading && n_open == 0)
    gtk_stack_set_visible_child_name (self->open_stack, "loading");
  else if (n_open == 0)
    gtk_stack_set_visible_child_name (self->open_stack, "empty");
  else if (shown_open == 0)
    gtk_stack_set_visible_child_name (self->open_stack, "no-results");
  else
    gtk_stack_set_visible_child_name (self->open_stack, "list");

  if (self->history_loading && n_history == 0)
    gtk_stack_set_visible_child_name (self->history_stack, "loading");
  else if (shown_history == 0)
    gtk_stack_set_visible_child_name (self->history_stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->history_stack, "list");

  if (open_page != NULL)
    {
      adw_view_stack_page_set_badge_number (open_page, n_open);
      adw_view_stack_page_set_needs_attention (open_page, n_open > 0);
    }

  if (self->history_total > n_history)
    /* TRANSLATORS: how many of the matching conditions the history shows */
    count = g_strdup_printf (_ ("The newest %'u of %'u"), n_history, self->history_total);
  else
    count = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%'u condition", "%'u conditions", shown_history),
        shown_history);
  gtk_label_set_label (self->history_count_label, self->history_loading ? "" : count);
}

/* Items of a list answer, learnt by the filters. */
static GPtrArray *
fd_conditions_page_items (FdConditionsPage *self, JsonObject *const *objects, guint n)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      FdConditionItem *item = fd_condition_item_new (objects[i], now);

      if (item == NULL)
        continue;
      fd_conditions_page_remember_name (self, fd_json_get_string (objects[i], "device_id"),
                                        fd_json_get_string (objects[i], "device_name"));
      fd_conditions_page_learn (self, item);
      g_ptr_array_add (items, item);
    }
  return items;
}

/* Loading */

static void
fd_conditions_page_open_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdConditionsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) objects = NULL;
  g_autoptr (GPtrArray) items = NULL;

  objects = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->open_loading = FALSE;
  if (objects == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      fd_conditions_page_update_view (self);
      return;
    }
  items = fd_conditions_page_items (self, (JsonObject *const *)objects->pdata, objects->len);
  g_list_store_splice (self->open_store, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->open_store)), items->pdata,
                       items->len);
  fd_conditions_page_update_view (self);
}

static void
fd_conditions_page_load_open (FdConditionsPage *self)
{
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;

  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  if (self->client == NULL || self->workspace == NULL)
    return;

  self->open_cancellable = g_cancellable_new ();
  self->open_loading = TRUE;
  base = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "conditions", NULL);
  path = g_string_new (base);
  fd_api_path_add_query (path, "status", "open");
  fd_api_client_list_all_async (self->client, path->str, self->open_cancellable,
                                fd_conditions_page_open_loaded_cb, g_object_ref (self));
}

static void
fd_conditions_page_history_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdConditionsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GPtrArray) objects = g_ptr_array_new ();
  g_autoptr (GPtrArray) items = NULL;
  JsonArray *list = NULL;
  guint total = 0;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node != NULL)
    list = fd_json_get_list (node, &total, &error);
  self->history_loading = FALSE;
  if (list == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      fd_conditions_page_update_view (self);
      return;
    }

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        g_ptr_array_add (objects, json_node_get_object (element));
    }
  items = fd_conditions_page_items (self, (JsonObject *const *)objects->pdata, objects->len);
  self->history_total = MAX (total, items->len);
  g_list_store_splice (self->history_store, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->history_store)), items->pdata,
                       items->len);
  fd_conditions_page_update_view (self);
}

void
fd_conditions_page_load_history (FdConditionsPage *self)
{
  g_autofree char *base = NULL;
  g_autofree char *query = NULL;
  g_autofree char *path = NULL;

  g_cancellable_cancel (self->history_cancellable);
  g_clear_object (&self->history_cancellable);
  if (self->client == NULL || self->workspace == NULL)
    return;

  self->history_cancellable = g_cancellable_new ();
  self->history_loading = TRUE;
  base = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "conditions", NULL);
  query = fd_conditions_page_dup_history_query (self);
  path = g_strconcat (base, query, NULL);
  fd_api_client_request_async (self->client, "GET", path, NULL, self->history_cancellable,
                               fd_conditions_page_history_loaded_cb, g_object_ref (self));
  fd_conditions_page_update_view (self);
}

void
fd_conditions_page_reload (FdConditionsPage *self)
{
  g_return_if_fail (FD_IS_CONDITIONS_PAGE (self));

  fd_conditions_page_load_open (self);
  fd_conditions_page_load_history (self);
  fd_conditions_page_update_view (self);
}

/* The durations' timer */

static void
fd_conditions_page_tick_store (GListStore *store, GDateTime *now)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdConditionItem) item = g_list_model_get_item (G_LIST_MODEL (store), i);

      if (fd_condition_item_get_open (item))
        fd_condition_item_tick (item, now);
    }
}

static gboolean
fd_conditions_page_tick_cb (gpointer user_data)
{
  FdConditionsPage *self = user_data;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  self->ticks++;
  fd_conditions_page_tick_store (self->open_store, now);
  fd_conditions_page_tick_store (self->history_store, now);
  return G_SOURCE_CONTINUE;
}

static void
fd_conditions_page_map (GtkWidget *widget)
{
  FdConditionsPage *self = FD_CONDITIONS_PAGE (widget);

  GTK_WIDGET_CLASS (fd_conditions_page_parent_class)->map (widget);
  if (self->tick_source == 0)
    {
      fd_conditions_page_tick_cb (self);
      self->tick_source = g_timeout_add_seconds (1, fd_conditions_page_tick_cb, self);
    }
}

static void
fd_conditions_page_unmap (GtkWidget *widget)
{
  FdConditionsPage *self = FD_CONDITIONS_PAGE (widget);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  GTK_WIDGET_CLASS (fd_conditions_page_parent_class)->unmap (widget);
}

/* Enter or a double click on a row: that device's page. */
static void
fd_conditions_page_activate_cb (FdConditionsPage *self, guint position, GtkColumnView *view)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  g_autoptr (FdConditionItem) item = g_list_model_get_item (model, position);

  if (item != NULL)
    g_signal_emit (self, signals[OPEN_DEVICE], 0, fd_condition_item_get_device_id (item));
}

/* Actions */

static void
fd_conditions_page_toggle_search (GtkWidget *widget, const char *action, GVariant *param)
{
  FdConditionsPage *self = FD_CONDITIONS_PAGE (widget);
  gboolean enabled = !gtk_search_bar_get_search_mode (self->search_bar);

  gtk_search_bar_set_search_mode (self->search_bar, enabled);
  if (enabled)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
fd_conditions_page_show_history (GtkWidget *widget, const char *action, GVariant *param)
{
  adw_view_stack_set_visible_child_name (FD_CONDITIONS_PAGE (widget)->view_stack, "history");
}

/* Public API */

void
fd_conditions_page_set_client (FdConditionsPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_CONDITIONS_PAGE (self));

  if (g_set_object (&self->client, client))
    fd_conditions_page_reload (self);
}

void
fd_conditions_page_set_events (FdConditionsPage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_CONDITIONS_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  if (!g_set_object (&self->events, events) || events == NULL)
    return;
  g_signal_connect_object (events, "condition", G_CALLBACK (fd_conditions_page_condition_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "resync", G_CALLBACK (fd_conditions_page_reload), self,
                           G_CONNECT_SWAPPED);
}

void
fd_conditions_page_set_workspace (FdConditionsPage *self, FdWorkspace *workspace)
{
  g_return_if_fail (FD_IS_CONDITIONS_PAGE (self));

  if (!g_set_object (&self->workspace, workspace))
    return;
  g_list_store_remove_all (self->open_store);
  g_list_store_remove_all (self->history_store);
  self->history_total = 0;
  fd_conditions_page_forget_choices (self);
  fd_conditions_page_reload (self);
}

GListModel *
fd_conditions_page_get_open (FdConditionsPage *self)
{
  g_return_val_if_fail (FD_IS_CONDITIONS_PAGE (self), NULL);
  return G_LIST_MODEL (self->open_sorted);
}

GListModel *
fd_conditions_page_get_history (FdConditionsPage *self)
{
  g_return_val_if_fail (FD_IS_CONDITIONS_PAGE (self), NULL);
  return G_LIST_MODEL (self->history_sorted);
}

guint
fd_conditions_page_get_ticks (FdConditionsPage *self)
{
  g_return_val_if_fail (FD_IS_CONDITIONS_PAGE (self), 0);
  return self->ticks;
}

guint
fd_conditions_page_get_notifications (FdConditionsPage *self)
{
  g_return_val_if_fail (FD_IS_CONDITIONS_PAGE (self), 0);
  return self->notifications;
}

/* GObject */

static void
fd_conditions_page_dispose (GObject *object)
{
  FdConditionsPage *self = FD_CONDITIONS_PAGE (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  fd_conditions_page_dispose_events (self);
  g_cancellable_cancel (self->open_cancellable);
  g_cancellable_cancel (self->history_cancellable);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_CONDITIONS_PAGE);
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  g_clear_object (&self->workspace);
  g_clear_object (&self->settings);
  g_clear_object (&self->open_sorted);
  g_clear_object (&self->history_sorted);
  g_clear_object (&self->open_filtered);
  g_clear_object (&self->history_filtered);
  g_clear_object (&self->search_filter);
  g_clear_object (&self->open_store);
  g_clear_object (&self->history_store);

  G_OBJECT_CLASS (fd_conditions_page_parent_class)->dispose (object);
}

static void
fd_conditions_page_finalize (GObject *object)
{
  FdConditionsPage *self = FD_CONDITIONS_PAGE (object);

  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->history_cancellable);
  fd_conditions_page_finalize_filters (self);

  G_OBJECT_CLASS (fd_conditions_page_parent_class)->finalize (object);
}

static void
fd_conditions_page_class_init (FdConditionsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_conditions_page_dispose;
  object_class->finalize = fd_conditions_page_finalize;
  widget_class->map = fd_conditions_page_map;
  widget_class->unmap = fd_conditions_page_unmap;

  /* A row was activated: show the page of its device (the id). */
  signals[OPEN_DEVICE] = g_signal_new ("open-device", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (FD_TYPE_CONDITION_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-conditions-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, open_stack);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, history_stack);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, open_view);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, history_view);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, open_start_column);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, history_start_column);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, status_filter);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, tag_filter);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, device_filter);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, threshold_filter);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, history_count_label);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, notify_button);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, notify_popover);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, notify_list);
  gtk_widget_class_bind_template_child (widget_class, FdConditionsPage, notify_entry);
  gtk_widget_class_bind_template_callback (widget_class, fd_conditions_page_filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_conditions_page_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_conditions_page_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_conditions_page_notify_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_conditions_page_notify_add_cb);
  gtk_widget_class_bind_template_callback (widget_class, fd_conditions_page_activate_cb);

  /* "pane.search" is what the window's Ctrl+F activates. */
  gtk_widget_class_install_action (widget_class, "pane.search", NULL,
                                   fd_conditions_page_toggle_search);
  gtk_widget_class_install_action (widget_class, "pane.show-history", NULL,
                                   fd_conditions_page_show_history);
}

static GtkSortListModel *
fd_conditions_page_sorted (GtkFilterListModel *filtered, GtkColumnView *view,
                           GtkColumnViewColumn *column)
{
  GtkSortListModel *sorted = gtk_sort_list_model_new (
      g_object_ref (G_LIST_MODEL (filtered)), g_object_ref (gtk_column_view_get_sorter (view)));
  GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (sorted)));

  gtk_column_view_set_model (view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  /* Newest first. */
  gtk_column_view_sort_by_column (view, column, GTK_SORT_DESCENDING);
  return sorted;
}

static void
fd_conditions_page_init (FdConditionsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->open_store = g_list_store_new (FD_TYPE_CONDITION_ITEM);
  self->history_store = g_list_store_new (FD_TYPE_CONDITION_ITEM);
  fd_conditions_page_init_events (self);
  fd_conditions_page_init_filters (self);
  self->open_filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->open_store)),
                                                   g_object_ref (self->search_filter));
  self->history_filtered = gtk_filter_list_model_new (
      g_object_ref (G_LIST_MODEL (self->history_store)), g_object_ref (self->search_filter));
  self->open_sorted
      = fd_conditions_page_sorted (self->open_filtered, self->open_view, self->open_start_column);
  self->history_sorted = fd_conditions_page_sorted (self->history_filtered, self->history_view,
                                                    self->history_start_column);
  g_signal_connect_object (self->open_filtered, "items-changed",
                           G_CALLBACK (fd_conditions_page_update_view), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_filtered, "items-changed",
                           G_CALLBACK (fd_conditions_page_update_view), self, G_CONNECT_SWAPPED);

  /* Typing on the pane searches it. */
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  fd_conditions_page_init_notify (self);
  fd_conditions_page_update_view (self);
}
