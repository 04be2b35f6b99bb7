/* fd-exports-page.c — the "Exports" pane: the workspace's schedules (periodic exports into a
 * folder on the server) and its recent one-off exports.
 *
 * Both lists are short (a few schedules, the newest FD_EXPORTS_RECENT exports), so they are
 * boxed lists of rows built from the API's objects. While an export runs and the pane is
 * shown, the exports are read again every second so that its progress bar moves.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-exports-page-private.h"
#include "fd-json.h"
#include "fd-schedule-dialog.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdExportsPage, fd_exports_page, FD_TYPE_PANE)

#define FD_EXPORTS_POLL_MS 1000

static void fd_exports_page_load_exports (FdExportsPage *self);

static gboolean
fd_exports_page_poll_cb (gpointer data)
{
  FdExportsPage *self = data;

  self->poll_id = 0;
  fd_exports_page_load_exports (self);
  return G_SOURCE_REMOVE;
}

static void
fd_exports_page_exports_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *items = NULL;
  gboolean running = FALSE;

  self->polling = FALSE;
  if (node != NULL)
    items = fd_json_get_list (node, NULL, &error);
  if (items == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  fd_ui_list_box_remove_all (self->export_list);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *export;
      const char *state;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        continue;
      export = json_node_get_object (item);
      /* The runs of schedules are listed under their schedule. */
      if (fd_json_get_string (export, "schedule_id") != NULL)
        continue;
      state = fd_json_get_string (export, "state");
      running |= g_strcmp0 (state, "queued") == 0 || g_strcmp0 (state, "running") == 0;
      gtk_list_box_append (self->export_list, fd_exports_page_export_row_new (self, export));
    }

  if (running && self->poll_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->poll_id = g_timeout_add (FD_EXPORTS_POLL_MS, fd_exports_page_poll_cb, self);
}

static void
fd_exports_page_load_exports (FdExportsPage *self)
{
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;
  g_autofree char *size = g_strdup_printf ("%d", FD_EXPORTS_RECENT);

  if (self->client == NULL || self->workspace == NULL || self->polling)
    return;
  base = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "exports", NULL);
  path = g_string_new (base);
  fd_api_path_add_query (path, "size", size);
  self->polling = TRUE;
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->cancellable,
                               fd_exports_page_exports_cb, g_object_ref (self));
}

static void
fd_exports_page_schedules_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdExportsPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items
      = fd_api_client_list_all_finish (FD_API_CLIENT (source), result, &error);

  if (items == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_ui_list_box_remove_all (self->schedule_list);
  for (guint i = 0; i < items->len; i++)
    gtk_list_box_append (self->schedule_list, fd_exports_page_schedule_row_new (
                                                  self, g_ptr_array_index (items, i), FALSE));
}

void
fd_exports_page_reload (FdExportsPage *self)
{
  g_autofree char *path = NULL;

  g_return_if_fail (FD_IS_EXPORTS_PAGE (self));

  gtk_stack_set_visible_child_name (self->stack, self->workspace != NULL ? "list" : "none");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.primary",
                                 self->client != NULL && self->workspace != NULL);
  if (self->client == NULL || self->workspace == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->polling = FALSE;
  g_clear_handle_id (&self->poll_id, g_source_remove);

  path
      = fd_api_path ("workspaces", fd_workspace_get_id (self->workspace), "export-schedules", NULL);
  fd_api_client_list_all_async (self->client, path, self->cancellable, fd_exports_page_schedules_cb,
                                g_object_ref (self));
  fd_exports_page_load_exports (self);
}

void
fd_exports_page_set_client (FdExportsPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_EXPORTS_PAGE (self));

  g_set_object (&self->client, client);
  fd_exports_page_reload (self);
}

void
fd_exports_page_set_workspace (FdExportsPage *self, FdWorkspace *workspace)
{
  g_return_if_fail (FD_IS_EXPORTS_PAGE (self));

  if (self->workspace == workspace)
    return;
  g_set_object (&self->workspace, workspace);
  fd_ui_list_box_remove_all (self->schedule_list);
  fd_ui_list_box_remove_all (self->export_list);
  fd_exports_page_reload (self);
}

/* Actions */

static void
fd_exports_page_created_cb (FdExportsPage *self, JsonObject *schedule)
{
  g_autofree char *message
      = g_strdup_printf (_ ("Schedule “%s” created"), fd_json_get_string (schedule, "name"));

  fd_ui_toast (GTK_WIDGET (self), message);
  /* From the answer itself: a list read at once may not have it yet. */
  gtk_list_box_append (self->schedule_list,
                       fd_exports_page_schedule_row_new (self, schedule, TRUE));
}

static void
fd_exports_page_primary (GtkWidget *widget, const char *action, GVariant *param)
{
  FdExportsPage *self = FD_EXPORTS_PAGE (widget);
  FdScheduleDialog *dialog;

  if (self->client == NULL || self->workspace == NULL)
    return;
  dialog = fd_schedule_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->client,
                                   fd_workspace_get_id (self->workspace));
  g_signal_connect_object (dialog, "created", G_CALLBACK (fd_exports_page_created_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fd_exports_page_reload_action (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_exports_page_reload (FD_EXPORTS_PAGE (widget));
}

/* GObject */

static void
fd_exports_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (fd_exports_page_parent_class)->map (widget);
  fd_exports_page_reload (FD_EXPORTS_PAGE (widget));
}

static void
fd_exports_page_unmap (GtkWidget *widget)
{
  g_clear_handle_id (&FD_EXPORTS_PAGE (widget)->poll_id, g_source_remove);
  GTK_WIDGET_CLASS (fd_exports_page_parent_class)->unmap (widget);
}

static void
fd_exports_page_dispose (GObject *object)
{
  FdExportsPage *self = FD_EXPORTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_EXPORTS_PAGE);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->workspace);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (fd_exports_page_parent_class)->dispose (object);
}

static void
fd_exports_page_class_init (FdExportsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_exports_page_dispose;
  widget_class->map = fd_exports_page_map;
  widget_class->unmap = fd_exports_page_unmap;

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/fleetdesk/Fleetdesk/ui/fd-exports-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FdExportsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, FdExportsPage, schedule_list);
  gtk_widget_class_bind_template_child (widget_class, FdExportsPage, export_list);

  gtk_widget_class_install_action (widget_class, "pane.primary", NULL, fd_exports_page_primary);
  gtk_widget_class_install_action (widget_class, "pane.reload", NULL,
                                   fd_exports_page_reload_action);
}

static void
fd_exports_page_init (FdExportsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.primary", FALSE);
}
