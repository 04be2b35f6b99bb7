/* fd-jobs-page.c — the "Jobs" pane.
 *
 * The newest FD_JOBS_PAGE_MAX_JOBS jobs of the workspace, read when the workspace changes or
 * the pane is reloaded, then kept current by job.updated events (state and counts in place).
 * A job this list does not have (made by the CLI, another app) makes it read the list again,
 * at most every FD_JOBS_PAGE_RELOAD_MS. Opening a row pushes the job's page on the pane's
 * leaflet (fd-job-detail-page.c); "New Job" opens the compose dialog (fd-job-dialog.c).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-job-dialog.h"
#include "fd-jobs-page-private.h"
#include "fd-json-item.h"
#include "fd-json.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdJobsPage, fd_jobs_page, FD_TYPE_PANE)

static void
fd_jobs_page_update_view (FdJobsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.primary",
                                 self->client != NULL && self->workspace != NULL);
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
fd_jobs_page_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdJobsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *list = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  if (node != NULL)
    list = fd_json_get_list (node, NULL, &error);
  if (list == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      self->loaded = TRUE;
      fd_jobs_page_update_view (self);
      return;
    }

  self->loaded = TRUE;
  /* Rows already shown are updated in place (a reload keeps the selection and scroll). */
  fd_json_item_store_set (self->store, list, "id");
  fd_jobs_page_update_view (self);
}

void
fd_jobs_page_reload (FdJobsPage *self)
{
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;
  g_autofree char *size = g_strdup_printf ("%d", FD_JOBS_PAGE_MAX_JOBS);

  g_return_if_fail (FD_IS_JOBS_PAGE (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  fd_jobs_page_update_view (self);
  if (self->client == NULL || self->workspace == NULL)
    return;

  self->loading = TRUE;
  base = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "jobs", NULL);
  path = g_string_new (base);
  fd_api_path_add_query (path, "size", size);
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->cancellable,
                               fd_jobs_page_loaded_cb, g_object_ref (self));
}

static gboolean
fd_jobs_page_reload_cb (gpointer data)
{
  FdJobsPage *self = data;

  self->reload_source = 0;
  fd_jobs_page_reload (self);
  return G_SOURCE_REMOVE;
}

/* Events and the job page */

static void
fd_jobs_page_update_job (FdJobsPage *self, JsonObject *update)
{
  const char *id = fd_json_get_string (update, "id");
  guint position;

  if (id == NULL)
    id = fd_json_get_string (update, "job_id");
  if (id != NULL && fd_json_item_find (G_LIST_MODEL (self->store), id, &position))
    {
      g_autoptr (FdJsonItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);
      g_autoptr (JsonObject) changes = json_object_new ();

      if (json_object_has_member (update, "state"))
        json_object_set_member (changes, "state",
                                json_node_copy (json_object_get_member (update, "state")));
      if (json_object_has_member (update, "counts"))
        json_object_set_member (changes, "counts",
                                json_node_copy (json_object_get_member (update, "counts")));
      fd_json_item_merge (item, changes);
    }
  else if (self->reload_source == 0 && self->workspace != NULL)
    self->reload_source = g_timeout_add (FD_JOBS_PAGE_RELOAD_MS, fd_jobs_page_reload_cb, self);
}

static void
fd_jobs_page_job_event_cb (FdJobsPage *self, const char *type, const char *workspace_id,
                           const char *device_id, JsonObject *data)
{
  if (self->workspace == NULL || !g_str_equal (type, "job.updated")
      || g_strcmp0 (workspace_id, fd_workspace_get_id (self->workspace)) != 0)
    return;
  fd_jobs_page_update_job (self, data);
}

static void
fd_jobs_page_detail_changed_cb (FdJobsPage *self, JsonObject *job)
{
  fd_jobs_page_update_job (self, job);
}

void
fd_jobs_page_open_job (FdJobsPage *self, const char *job_id)
{
  guint position;
  g_autoptr (FdJsonItem) item = NULL;

  g_return_if_fail (FD_IS_JOBS_PAGE (self));

  if (fd_json_item_find (G_LIST_MODEL (self->store), job_id, &position))
    item = g_list_model_get_item (G_LIST_MODEL (self->store), position);
  fd_job_detail_page_set_job (self->detail_page, job_id,
                              item != NULL ? fd_json_item_get_object (item) : NULL);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->detail_page));
}

void
fd_jobs_page_activate_cb (FdJobsPage *self, guint position, GtkColumnView *view)
{
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));
  g_autoptr (FdJsonItem) item = g_list_model_get_item (model, position);

  if (item != NULL)
    fd_jobs_page_open_job (self, fd_json_item_get_key (item));
}

static void
fd_jobs_page_leaflet_child_cb (FdJobsPage *self)
{
  /* Back on the list: the job page stops following its job. */
  if (adw_leaflet_get_visible_child (self->leaflet) == self->list_page
      && !adw_leaflet_get_child_transition_running (self->leaflet))
    fd_job_detail_page_set_job (self->detail_page, NULL, NULL);
}

/* Search */

static gboolean
fd_jobs_page_filter_cb (gpointer item, gpointer data)
{
  FdJobsPage *self = data;

  return self->search == NULL
         || fd_ui_text_matches (fd_json_get_string (fd_json_item_get_object (item), "name"),
                                self->search);
}

void
fd_jobs_page_search_changed_cb (FdJobsPage *self, GtkSearchEntry *entry)
{
  g_free (self->search);
  self->search = fd_ui_dup_search_key (GTK_EDITABLE (entry));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  fd_jobs_page_update_view (self);
}

/* Actions */

static void
fd_jobs_page_created_cb (FdJobsPage *self, JsonObject *job)
{
  g_autofree char *message = NULL;
  FdJsonItem *item = fd_json_item_new (job, "id");
  guint total = 0;

  if (item == NULL)
    return;
  fd_json_update_uint (job, "total", &total);
  message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Job “%s” scheduled on %'u device",
                                          "Job “%s” scheduled on %'u devices", total),
                             fd_json_get_string (job, "name"), total);
  fd_ui_toast (GTK_WIDGET (self), message);
  /* From the answer itself: its events may come before a list read would have it. */
  if (!fd_json_item_find (G_LIST_MODEL (self->store), fd_json_item_get_key (item), NULL))
    g_list_store_insert (self->store, 0, item);
  g_object_unref (item);
  self->loaded = TRUE;
  fd_jobs_page_update_view (self);
  fd_jobs_page_open_job (self, fd_json_get_string (job, "id"));
}

static void
fd_jobs_page_primary (GtkWidget *widget, const char *action, GVariant *param)
{
  FdJobsPage *self = FD_JOBS_PAGE (widget);
  FdJobDialog *dialog;

  if (self->client == NULL || self->workspace == NULL)
    return;
  dialog = fd_job_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->client,
                              fd_workspace_get_id (self->workspace));
  g_signal_connect_object (dialog, "created", G_CALLBACK (fd_jobs_page_created_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fd_jobs_page_toggle_search (GtkWidget *widget, const char *action, GVariant *param)
{
  FdJobsPage *self = FD_JOBS_PAGE (widget);
  gboolean enabled = !gtk_search_bar_get_search_mode (self->search_bar);

  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  gtk_search_bar_set_search_mode (self->search_bar, enabled);
  if (enabled)
    gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
fd_jobs_page_show_list (GtkWidget *widget, const char *action, GVariant *param)
{
  FdJobsPage *self = FD_JOBS_PAGE (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
}

/* Public API */

void
fd_jobs_page_set_client (FdJobsPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_JOBS_PAGE (self));

  if (!g_set_object (&self->client, client))
    return;
  fd_job_detail_page_set_client (self->detail_page, client);
  fd_jobs_page_reload (self);
}

void
fd_jobs_page_set_events (FdJobsPage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_JOBS_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  fd_job_detail_page_set_events (self->detail_page, events);
  if (!g_set_object (&self->events, events) || events == NULL)
    return;
  g_signal_connect_object (events, "job", G_CALLBACK (fd_jobs_page_job_event_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "resync", G_CALLBACK (fd_jobs_page_reload), self,
                           G_CONNECT_SWAPPED);
}

void
fd_jobs_page_set_workspace (FdJobsPage *self, FdWorkspace *workspace)
{
  g_return_if_fail (FD_IS_JOBS_PAGE (self));

  if (!g_set_object (&self->workspace, workspace))
    return;
  g_list_store_remove_all (self->store);
  self->loaded = FALSE;
  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  fd_job_detail_page_set_job (self->detail_page, NULL, NULL);
  fd_jobs_page_reload (self);
}

GListModel *
fd_jobs_page_get_jobs (FdJobsPage *self)
{
  g_return_val_if_fail (FD_IS_JOBS_PAGE (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

FdJobDetailPage *
fd_jobs_page_get_detail_page (FdJobsPage *self)
{
  g_return_val_if_fail (FD_IS_JOBS_PAGE (self), NULL);
  return self->detail_page;
}

/* GObject */

static void
fd_jobs_page_dispose (GObject *object)
{
  FdJobsPage *self = FD_JOBS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
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
  G_OBJECT_CLASS (fd_jobs_page_parent_class)->dispose (object);
}

static void
fd_jobs_page_finalize (GObject *object)
{
  g_free (FD_JOBS_PAGE (object)->search);
  G_OBJECT_CLASS (fd_jobs_page_parent_class)->finalize (object);
}

static void
fd_jobs_page_class_init (FdJobsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_jobs_page_dispose;
  object_class->finalize = fd_jobs_page_finalize;

  /* "pane.primary" and "pane.search" are what the window's Ctrl+N and Ctrl+F activate. */
  gtk_widget_class_install_action (widget_class, "pane.primary", NULL, fd_jobs_page_primary);
  gtk_widget_class_install_action (widget_class, "pane.search", NULL, fd_jobs_page_toggle_search);
  gtk_widget_class_install_action (widget_class, "pane.show-list", NULL, fd_jobs_page_show_list);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "pane.show-list",
                                       NULL);
}

static void
fd_jobs_page_init (FdJobsPage *self)
{
  GtkNoSelection *selection;

  self->cancellable = g_cancellable_new ();
  self->store = g_list_store_new (FD_TYPE_JSON_ITEM);
  fd_jobs_page_build (self);

  self->filter = gtk_custom_filter_new (fd_jobs_page_filter_cb, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)),
                                          g_object_ref (gtk_column_view_get_sorter (self->view)));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sorted)));
  gtk_column_view_set_model (self->view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  /* Newest first. */
  gtk_column_view_sort_by_column (self->view, self->created_column, GTK_SORT_DESCENDING);

  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (fd_jobs_page_update_view),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->detail_page, "job-changed",
                           G_CALLBACK (fd_jobs_page_detail_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::visible-child",
                           G_CALLBACK (fd_jobs_page_leaflet_child_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->leaflet, "notify::child-transition-running",
                           G_CALLBACK (fd_jobs_page_leaflet_child_cb), self, G_CONNECT_SWAPPED);
  fd_jobs_page_update_view (self);
}
