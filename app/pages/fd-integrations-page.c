/* fd-integrations-page.c — the "Integrations" pane.
 *
 * The workspace's integrations, read when the workspace changes or the pane is reloaded,
 * then kept current by integration.updated events: the events client hands out at most the
 * newest health per integration every FD_EVENTS_CLIENT_FLUSH_MS, so a busy integration costs
 * at most ~10 redraws of its row per second. An integration this list does not have (made by
 * the CLI) makes it read the list again, at most every FD_INTEGRATIONS_PAGE_RELOAD_MS.
 * "Add Integration" opens the form (fd-integration-dialog.c); the secret of a new webhook is
 * shown once, in a dialog with Copy. Opening a row pushes its page on the pane's leaflet.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-integration-dialog.h"
#include "fd-integrations-page-private.h"
#include "fd-json-item.h"
#include "fd-json.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdIntegrationsPage, fd_integrations_page, FD_TYPE_PANE)

static void
fd_integrations_page_update_view (FdIntegrationsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  gboolean on = self->client != NULL && self->workspace != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.primary", on);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.add-alert-rule", on);
  if (self->workspace == NULL)
    gtk_stack_set_visible_child_name (self->stack, "no-workspace");
  else if (n == 0 && !self->loaded)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else if (n == 0)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (shown == 0)
    gtk_stack_set_visible_child_name (self->stack, "no-results");
  else
    gtk_stack_set_visible_child_name (self->stack, "list");
}

/* Loading */

static void
fd_integrations_page_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *list = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (node != NULL)
    list = fd_json_get_list (node, NULL, &error);
  self->loaded = TRUE;
  if (list == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      fd_integrations_page_update_view (self);
      return;
    }
  /* Rows already shown are updated in place (a reload keeps the scroll). */
  fd_json_item_store_set (self->store, list, "id");
  fd_integrations_page_update_view (self);
}

void
fd_integrations_page_reload (FdIntegrationsPage *self)
{
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;
  g_autofree char *size = g_strdup_printf ("%d", FD_INTEGRATIONS_PAGE_MAX);

  g_return_if_fail (FD_IS_INTEGRATIONS_PAGE (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  fd_integrations_page_update_view (self);
  fd_integrations_page_reload_alerts (self, FALSE);
  if (self->client == NULL || self->workspace == NULL)
    return;

  base = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "integrations", NULL);
  path = g_string_new (base);
  fd_api_path_add_query (path, "size", size);
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->cancellable,
                               fd_integrations_page_loaded_cb, g_object_ref (self));
}

static gboolean
fd_integrations_page_reload_cb (gpointer data)
{
  FdIntegrationsPage *self = data;

  self->reload_source = 0;
  fd_integrations_page_reload (self);
  return G_SOURCE_REMOVE;
}

/* Events and the integration page */

static void
fd_integrations_page_event_cb (FdIntegrationsPage *self, const char *workspace_id, JsonObject *data)
{
  const char *id = fd_json_get_string (data, "id");
  g_autoptr (JsonObject) changes = NULL;
  JsonObject *health;
  g_autoptr (GList) members = NULL;
  guint position;

  if (self->workspace == NULL || id == NULL)
    return;
  if (!fd_json_item_find (G_LIST_MODEL (self->store), id, &position))
    {
      /* One of this workspace made elsewhere (events of others name their workspace). */
      if ((workspace_id == NULL
           || g_strcmp0 (workspace_id, fd_workspace_get_id (self->workspace)) == 0)
          && self->reload_source == 0)
        self->reload_source
            = g_timeout_add (FD_INTEGRATIONS_PAGE_RELOAD_MS, fd_integrations_page_reload_cb, self);
      return;
    }

  /* The event's data is the health object plus "id" and "name". */
  changes = json_object_new ();
  health = json_object_new ();
  members = json_object_get_members (data);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "id") && !g_str_equal (l->data, "name"))
      json_object_set_member (health, l->data,
                              json_node_copy (json_object_get_member (data, l->data)));
  json_object_set_boolean_member (changes, "paused",
                                  g_strcmp0 (fd_json_get_string (health, "state"), "paused") == 0);
  json_object_set_object_member (changes, "health", health);
  if (fd_json_get_string (data, "name") != NULL)
    json_object_set_string_member (changes, "name", fd_json_get_string (data, "name"));
  {
    g_autoptr (FdJsonItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

    fd_json_item_merge (item, changes);
  }
}

static void
fd_integrations_page_put (FdIntegrationsPage *self, JsonObject *integration)
{
  const char *id = fd_json_get_string (integration, "id");
  guint position;

  if (id == NULL)
    return;
  if (fd_json_item_find (G_LIST_MODEL (self->store), id, &position))
    {
      g_autoptr (FdJsonItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

      if (fd_json_item_get_object (item) != integration)
        fd_json_item_replace (item, integration);
    }
  else
    {
      g_autoptr (FdJsonItem) item = fd_json_item_new (integration, "id");

      g_list_store_append (self->store, item);
    }
  self->loaded = TRUE;
  fd_integrations_page_update_view (self);
}

static void
fd_integrations_page_detail_changed_cb (FdIntegrationsPage *self, JsonObject *integration)
{
  fd_integrations_page_put (self, integration);
}

static void
fd_integrations_page_detail_deleted_cb (FdIntegrationsPage *self, const char *id)
{
  guint position;

  if (fd_json_item_find (G_LIST_MODEL (self->store), id, &position))
    g_list_store_remove (self->store, position);
  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  fd_integrations_page_update_view (self);
}

void
fd_integrations_page_open_integration (FdIntegrationsPage *self, const char *id)
{
  guint position;
  g_autoptr (FdJsonItem) item = NULL;

  g_return_if_fail (FD_IS_INTEGRATIONS_PAGE (self));

  if (fd_json_item_find (G_LIST_MODEL (self->store), id, &position))
    item = g_list_model_get_item (G_LIST_MODEL (self->store), position);
  /* The page first: showing it stops a transition back to the list still running, whose end
   * would otherwise clear the page (leaflet_child_cb) after it was set. */
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->detail_page));
  fd_integration_detail_page_set_integration (self->detail_page, id,
                                              item != NULL ? fd_json_item_get_object (item) : NULL);
}

void
fd_integrations_page_activate_cb (FdIntegrationsPage *self, guint position, GtkColumnView *view)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  g_autoptr (FdJsonItem) item = g_list_model_get_item (model, position);

  if (item != NULL)
    fd_integrations_page_open_integration (self, fd_json_item_get_key (item));
}

static void
fd_integrations_page_leaflet_child_cb (FdIntegrationsPage *self)
{
  /* Back on the list: the integration page stops following its integration. */
  if (adw_leaflet_get_visible_child (self->leaflet) == self->list_page
      && !adw_leaflet_get_child_transition_running (self->leaflet))
    fd_integration_detail_page_set_integration (self->detail_page, NULL, NULL);
}

/* Search */

static gboolean
fd_integrations_page_filter_cb (gpointer item, gpointer data)
{
  FdIntegrationsPage *self = data;

  return self->search == NULL
         || fd_ui_text_matches (fd_json_get_string (fd_json_item_get_object (item), "name"),
                                self->search);
}

void
fd_integrations_page_search_changed_cb (FdIntegrationsPage *self, GtkSearchEntry *entry)
{
  g_free (self->search);
  self->search = fd_ui_dup_search_key (GTK_EDITABLE (entry));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  fd_integrations_page_update_view (self);
}

/* "Add Integration" and the secret, shown once */

static void
fd_integrations_page_copy_secret_cb (GtkButton *button, const char *secret)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), secret);
  gtk_button_set_label (button, _ ("Copied"));
}

static void
fd_integrations_page_show_secret (FdIntegrationsPage *self, JsonObject *integration)
{
  const char *secret = fd_json_get_string (integration, "secret");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label;
  GtkWidget *copy;
  AdwMessageDialog *dialog;

  if (secret == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
      GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _ ("Webhook Secret"),
      _ ("Your application verifies each request with this secret (X-Fleetdesk-Signature). "
         "Copy it now: you will not see it again.")));
  label = gtk_label_new (secret);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_set_hexpand (label, TRUE);
  copy = gtk_button_new_with_mnemonic (_ ("_Copy"));
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (copy, _ ("Copy the Secret"));
  /* The dialog keeps its own copy: the answer is freed when this returns. */
  g_signal_connect_data (copy, "clicked", G_CALLBACK (fd_integrations_page_copy_secret_cb),
                         g_strdup (secret), (GClosureNotify)(void (*) (void))g_free, 0);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), copy);
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_response (dialog, "close", _ ("_Done"));
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fd_integrations_page_saved_cb (FdIntegrationsPage *self, JsonObject *integration, gboolean created)
{
  g_autofree char *message = NULL;
  g_autoptr (JsonObject) shown = json_object_new ();
  g_autoptr (GList) members = json_object_get_members (integration);

  /* The list keeps the integration without its secret. */
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "secret"))
      json_object_set_member (shown, l->data,
                              json_node_copy (json_object_get_member (integration, l->data)));
  fd_integrations_page_put (self, shown);
  message = g_strdup_printf (created ? _ ("Integration “%s” added") : _ ("Integration “%s” saved"),
                             fd_json_get_string (integration, "name"));
  fd_ui_toast (GTK_WIDGET (self), message);
  fd_integrations_page_open_integration (self, fd_json_get_string (integration, "id"));
  if (created)
    fd_integrations_page_show_secret (self, integration);
}

static void
fd_integrations_page_primary (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationsPage *self = FD_INTEGRATIONS_PAGE (widget);
  FdIntegrationDialog *dialog;

  if (self->client == NULL || self->workspace == NULL)
    return;
  dialog = fd_integration_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->client,
                                      fd_workspace_get_id (self->workspace), NULL);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (fd_integrations_page_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fd_integrations_page_toggle_search (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationsPage *self = FD_INTEGRATIONS_PAGE (widget);
  gboolean enabled = !gtk_search_bar_get_search_mode (self->search_bar);

  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  adw_view_stack_set_visible_child_name (self->views, "integrations");
  gtk_search_bar_set_search_mode (self->search_bar, enabled);
  if (enabled)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
fd_integrations_page_show_list (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationsPage *self = FD_INTEGRATIONS_PAGE (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
}

/* Public API */

void
fd_integrations_page_show_view (FdIntegrationsPage *self, const char *name)
{
  g_return_if_fail (FD_IS_INTEGRATIONS_PAGE (self));

  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  adw_view_stack_set_visible_child_name (self->views, name);
}

void
fd_integrations_page_set_client (FdIntegrationsPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_INTEGRATIONS_PAGE (self));

  if (!g_set_object (&self->client, client))
    return;
  fd_integration_detail_page_set_client (self->detail_page, client);
  fd_integrations_page_reload (self);
}

void
fd_integrations_page_set_events (FdIntegrationsPage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_INTEGRATIONS_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  fd_integration_detail_page_set_events (self->detail_page, events);
  if (!g_set_object (&self->events, events) || events == NULL)
    return;
  g_signal_connect_object (events, "integration", G_CALLBACK (fd_integrations_page_event_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "alert", G_CALLBACK (fd_integrations_page_alert_event_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "resync", G_CALLBACK (fd_integrations_page_reload), self,
                           G_CONNECT_SWAPPED);
}

void
fd_integrations_page_set_workspace (FdIntegrationsPage *self, FdWorkspace *workspace)
{
  g_return_if_fail (FD_IS_INTEGRATIONS_PAGE (self));

  if (!g_set_object (&self->workspace, workspace))
    return;
  g_list_store_remove_all (self->store);
  self->loaded = FALSE;
  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  fd_integration_detail_page_set_integration (self->detail_page, NULL, NULL);
  fd_integrations_page_reload (self);
}

GListModel *
fd_integrations_page_get_integrations (FdIntegrationsPage *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATIONS_PAGE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

FdIntegrationDetailPage *
fd_integrations_page_get_detail_page (FdIntegrationsPage *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATIONS_PAGE (self), NULL);
  return self->detail_page;
}

/* GObject */

static void
fd_integrations_page_dispose (GObject *object)
{
  FdIntegrationsPage *self = FD_INTEGRATIONS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  fd_integrations_page_alerts_dispose (self);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  g_clear_object (&self->workspace);
  g_clear_object (&self->cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (fd_integrations_page_parent_class)->dispose (object);
}

static void
fd_integrations_page_finalize (GObject *object)
{
  g_free (FD_INTEGRATIONS_PAGE (object)->search);
  G_OBJECT_CLASS (fd_integrations_page_parent_class)->finalize (object);
}

static void
fd_integrations_page_class_init (FdIntegrationsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_integrations_page_dispose;
  object_class->finalize = fd_integrations_page_finalize;

  /* "pane.primary" and "pane.search" are what the window's Ctrl+N and Ctrl+F activate. */
  gtk_widget_class_install_action (widget_class, "pane.primary", NULL,
                                   fd_integrations_page_primary);
  gtk_widget_class_install_action (widget_class, "pane.search", NULL,
                                   fd_integrations_page_toggle_search);
  gtk_widget_class_install_action (widget_class, "pane.show-list", NULL,
                                   fd_integrations_page_show_list);
  gtk_widget_class_install_action (widget_class, "pane.add-alert-rule", NULL,
                                   fd_integrations_page_add_rule);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "pane.show-list",
                                       NULL);
}

static void
fd_integrations_page_init (FdIntegrationsPage *self)
{
  GtkNoSelection *selection;

  self->cancellable = g_cancellable_new ();
  self->store = g_list_store_new (FD_TYPE_JSON_ITEM);
  self->rules = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  self->alerts = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  fd_integrations_page_build (self);

  self->filter = gtk_custom_filter_new (fd_integrations_page_filter_cb, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)),
                                          g_object_ref (gtk_column_view_get_sorter (self->view)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  gtk_column_view_sort_by_column (self->view, self->name_column, GTK_SORT_ASCENDING);

  g_signal_connect_object (self->filtered, "items-changed",
                           G_CALLBACK (fd_integrations_page_update_view), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->detail_page, "changed",
                           G_CALLBACK (fd_integrations_page_detail_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->detail_page, "deleted",
                           G_CALLBACK (fd_integrations_page_detail_deleted_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::visible-child",
                           G_CALLBACK (fd_integrations_page_leaflet_child_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::child-transition-running",
                           G_CALLBACK (fd_integrations_page_leaflet_child_cb), self,
                           G_CONNECT_SWAPPED);
  fd_integrations_page_update_view (self);
}
