/* fd-integration-detail-page.c — one integration, live.
 *
 * The integration is read when it is opened and after each change made here; its health then
 * follows integration.updated events (at most one per integration per events batch, ~10/s),
 * and each of them asks for the delivery log again, read at most every
 * FD_INTEGRATION_DETAIL_REFRESH_MS (one read in flight at a time, FdUiRead). Pause/Resume,
 * Replay, Send Test Event and Delete are the API's, their answers shown at once; Edit opens
 * the same form as "Add Integration" (fd-integration-dialog.c).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-integration-detail-page-private.h"
#include "fd-integration-dialog.h"
#include "fd-integrations-format.h"
#include "fd-json-item.h"
#include "fd-json.h"

G_DEFINE_FINAL_TYPE (FdIntegrationDetailPage, fd_integration_detail_page, ADW_TYPE_BIN)

enum
{
  CHANGED,
  DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The member a delivery's item is keyed by (its id as a string). */
#define FD_INTEGRATION_DETAIL_KEY "fd-key"

static void fd_integration_detail_page_read (FdIntegrationDetailPage *self);
static void fd_integration_detail_page_read_log (FdIntegrationDetailPage *self);

static void
fd_integration_detail_page_update_actions (FdIntegrationDetailPage *self)
{
  gboolean on = self->client != NULL && self->integration != NULL;

  for (const char *const *a
       = (const char *const[]){ "detail.pause", "detail.test", "detail.edit", "detail.delete",
                                "detail.replay-hours", "detail.replay-entry", NULL };
       *a != NULL; a++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), *a, on);
  gtk_widget_set_sensitive (GTK_WIDGET (self->replay_button), on);
}

static void
fd_integration_detail_page_set_object (FdIntegrationDetailPage *self, JsonObject *integration,
                                       gboolean announce)
{
  if (integration != self->integration)
    {
      json_object_ref (integration);
      g_clear_pointer (&self->integration, json_object_unref);
      self->integration = integration;
    }
  fd_integration_detail_page_show (self);
  fd_integration_detail_page_update_actions (self);
  if (announce)
    g_signal_emit (self, signals[CHANGED], 0, self->integration);
}

/* Reading the integration */

static void
fd_integration_detail_page_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationDetailPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *integration = node != NULL ? fd_json_get_object (node, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (integration == NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  else
    fd_integration_detail_page_set_object (self, integration, TRUE);
  if (fd_ui_read_end (&self->read))
    fd_integration_detail_page_read (self);
}

static void
fd_integration_detail_page_read (FdIntegrationDetailPage *self)
{
  g_autofree char *path = NULL;

  if (self->client == NULL || self->integration_id == NULL || !fd_ui_read_begin (&self->read))
    return;
  path = fd_api_path ("integrations", self->integration_id, NULL);
  fd_api_client_request_async (self->client, "GET", path, NULL, self->cancellable,
                               fd_integration_detail_page_read_cb, g_object_ref (self));
}

/* The delivery log */

static void
fd_integration_detail_page_log_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationDetailPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *list = node != NULL ? fd_json_get_list (node, NULL, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (list == NULL)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      JsonObject *delivery = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element)
                                                              : NULL;
      g_autofree char *key = NULL;
      FdJsonItem *item;

      if (delivery == NULL)
        continue;
      /* A row's id is a number: the item's key is its text. */
      key = fd_json_get_string (delivery, "id") != NULL
                ? g_strdup (fd_json_get_string (delivery, "id"))
                : g_strdup_printf ("%" G_GINT64_FORMAT, fd_json_get_int (delivery, "id", i));
      json_object_set_string_member (delivery, FD_INTEGRATION_DETAIL_KEY, key);
      item = fd_json_item_new (delivery, FD_INTEGRATION_DETAIL_KEY);
      if (item != NULL)
        g_ptr_array_add (items, item);
    }
  if (list != NULL)
    g_list_store_splice (self->deliveries, 0,
                         g_list_model_get_n_items (G_LIST_MODEL (self->deliveries)), items->pdata,
                         items->len);
  self->log_loaded = TRUE;
  gtk_stack_set_visible_child_name (self->log_stack, items->len > 0 ? "list" : "empty");
  if (fd_ui_read_end (&self->log_read))
    fd_integration_detail_page_read_log (self);
}

static void
fd_integration_detail_page_read_log (FdIntegrationDetailPage *self)
{
  g_autofree char *base = NULL;
  g_autoptr (GString) path = NULL;
  g_autofree char *size = g_strdup_printf ("%d", FD_INTEGRATION_DETAIL_MAX_DELIVERIES);

  if (self->client == NULL || self->integration_id == NULL || !fd_ui_read_begin (&self->log_read))
    return;
  base = fd_api_path ("integrations", self->integration_id, "deliveries", NULL);
  path = g_string_new (base);
  fd_api_path_add_query (path, "size", size);
  fd_api_client_request_async (self->client, "GET", path->str, NULL, self->cancellable,
                               fd_integration_detail_page_log_cb, g_object_ref (self));
}

static gboolean
fd_integration_detail_page_log_timeout_cb (gpointer data)
{
  FdIntegrationDetailPage *self = data;

  self->log_source = 0;
  fd_integration_detail_page_read_log (self);
  return G_SOURCE_REMOVE;
}

/* The log soon, at most every FD_INTEGRATION_DETAIL_REFRESH_MS. */
static void
fd_integration_detail_page_queue_log (FdIntegrationDetailPage *self)
{
  if (self->log_source == 0 && self->integration_id != NULL)
    self->log_source = g_timeout_add (FD_INTEGRATION_DETAIL_REFRESH_MS,
                                      fd_integration_detail_page_log_timeout_cb, self);
}

/* Events */

static void
fd_integration_detail_page_event_cb (FdIntegrationDetailPage *self, const char *workspace_id,
                                     JsonObject *data)
{
  JsonObject *health;
  g_autoptr (GList) members = NULL;

  if (self->integration == NULL
      || g_strcmp0 (fd_json_get_string (data, "id"), self->integration_id) != 0)
    return;
  /* The event's data is the health object plus "id" and "name". */
  health = json_object_new ();
  members = json_object_get_members (data);
  for (GList *l = members; l != NULL; l = l->next)
    if (!g_str_equal (l->data, "id") && !g_str_equal (l->data, "name"))
      json_object_set_member (health, l->data,
                              json_node_copy (json_object_get_member (data, l->data)));
  json_object_set_object_member (self->integration, "health", health);
  if (fd_json_get_string (data, "name") != NULL)
    json_object_set_string_member (self->integration, "name", fd_json_get_string (data, "name"));
  fd_integration_detail_page_show (self);
  fd_integration_detail_page_queue_log (self);
}

static void
fd_integration_detail_page_resync_cb (FdIntegrationDetailPage *self)
{
  fd_integration_detail_page_read (self);
  fd_integration_detail_page_read_log (self);
}

/* Actions */

/* An action's answer (the integration as it is now) shown; FALSE when it failed (said in a
 * toast) or was cancelled. */
static gboolean
fd_integration_detail_page_take_answer (FdIntegrationDetailPage *self, GObject *source,
                                        GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *integration = node != NULL ? fd_json_get_object (node, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  if (integration == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return FALSE;
    }
  fd_integration_detail_page_set_object (self, integration, TRUE);
  fd_integration_detail_page_queue_log (self);
  return TRUE;
}

static void
fd_integration_detail_page_changed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationDetailPage) self = user_data;

  fd_integration_detail_page_take_answer (self, source, result);
}

static void
fd_integration_detail_page_replayed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationDetailPage) self = user_data;

  if (fd_integration_detail_page_take_answer (self, source, result))
    fd_ui_toast (GTK_WIDGET (self),
                 _ ("Replay started: what was delivered since then is sent again"));
}

static void
fd_integration_detail_page_post (FdIntegrationDetailPage *self, const char *what, JsonNode *body)
{
  g_autofree char *path = fd_api_path ("integrations", self->integration_id, what, NULL);

  fd_api_client_request_async (self->client, "POST", path, body, self->cancellable,
                               fd_integration_detail_page_changed_cb, g_object_ref (self));
}

static void
fd_integration_detail_page_pause (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationDetailPage *self = FD_INTEGRATION_DETAIL_PAGE (widget);
  JsonObject *health = fd_json_get_member_object (self->integration, "health");
  gboolean paused = g_strcmp0 (fd_json_get_string (health, "state"), "paused") == 0;

  fd_json_update_boolean (self->integration, "paused", &paused);
  fd_integration_detail_page_post (self, paused ? "resume" : "pause", NULL);
}

static void
fd_integration_detail_page_tested_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationDetailPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *answer = node != NULL ? fd_json_get_object (node, &error) : NULL;
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_sensitive (self->test_button, TRUE);
  if (answer == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  text = fd_integrations_format_test (answer, NULL);
  fd_ui_toast (GTK_WIDGET (self), text);
  fd_integration_detail_page_queue_log (self);
}

static void
fd_integration_detail_page_test (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationDetailPage *self = FD_INTEGRATION_DETAIL_PAGE (widget);
  g_autofree char *path = fd_api_path ("integrations", self->integration_id, "test", NULL);

  gtk_widget_set_sensitive (self->test_button, FALSE);
  fd_api_client_request_async (self->client, "POST", path, NULL, self->cancellable,
                               fd_integration_detail_page_tested_cb, g_object_ref (self));
}

void
fd_integration_detail_page_replay (FdIntegrationDetailPage *self, const char *from)
{
  JsonObject *body;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FD_IS_INTEGRATION_DETAIL_PAGE (self));
  if (self->client == NULL || self->integration_id == NULL)
    return;
  body = json_object_new ();
  json_object_set_string_member (body, "from", from);
  node = json_node_init_object (json_node_alloc (), body);
  json_object_unref (body);
  path = fd_api_path ("integrations", self->integration_id, "replay", NULL);
  fd_api_client_request_async (self->client, "POST", path, node, self->cancellable,
                               fd_integration_detail_page_replayed_cb, g_object_ref (self));
}

static void
fd_integration_detail_page_replay_hours (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationDetailPage *self = FD_INTEGRATION_DETAIL_PAGE (widget);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) from = g_date_time_add_hours (now, -(int)g_variant_get_uint32 (param));
  g_autofree char *text = g_date_time_format_iso8601 (from);

  gtk_menu_button_popdown (self->replay_button);
  fd_integration_detail_page_replay (self, text);
}

static void
fd_integration_detail_page_replay_entry (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationDetailPage *self = FD_INTEGRATION_DETAIL_PAGE (widget);
  g_autofree char *text = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->replay_entry));
  g_autoptr (GDateTime) time = g_date_time_new_from_iso8601 (text, NULL);

  /* Checked here so that a typo is said at once, next to where it was typed. */
  if (time == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->replay_entry), "error");
      fd_ui_toast (GTK_WIDGET (self),
                   _ ("Replay From: not a time; write it as 2026-12-01T08:00:00Z"));
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->replay_entry), "error");
  gtk_menu_button_popdown (self->replay_button);
  fd_integration_detail_page_replay (self, text);
}

static void
fd_integration_detail_page_saved_cb (FdIntegrationDetailPage *self, JsonObject *integration)
{
  fd_integration_detail_page_set_object (self, integration, TRUE);
  fd_ui_toast (GTK_WIDGET (self), _ ("Integration saved"));
}

static void
fd_integration_detail_page_edit (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationDetailPage *self = FD_INTEGRATION_DETAIL_PAGE (widget);
  const char *workspace_id = fd_json_get_string (self->integration, "workspace_id");
  FdIntegrationDialog *dialog;

  if (workspace_id == NULL)
    return;
  dialog = fd_integration_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), self->client,
                                      workspace_id, self->integration);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (fd_integration_detail_page_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fd_integration_detail_page_deleted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationDetailPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  g_autofree char *id = g_strdup (self->integration_id);

  if (error != NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_ui_toast (GTK_WIDGET (self), _ ("Integration deleted"));
  g_signal_emit (self, signals[DELETED], 0, id);
}

static void
fd_integration_detail_page_delete_response_cb (AdwMessageDialog *dialog, const char *response,
                                               FdIntegrationDetailPage *self)
{
  g_autofree char *path = NULL;

  if (!g_str_equal (response, "accept") || self->integration_id == NULL)
    return;
  path = fd_api_path ("integrations", self->integration_id, NULL);
  fd_api_client_request_async (self->client, "DELETE", path, NULL, self->cancellable,
                               fd_integration_detail_page_deleted_cb, g_object_ref (self));
}

static void
fd_integration_detail_page_delete (GtkWidget *widget, const char *action, GVariant *param)
{
  FdIntegrationDetailPage *self = FD_INTEGRATION_DETAIL_PAGE (widget);
  g_autofree char *heading
      = g_strdup_printf (_ ("Delete “%s”?"), fd_json_get_string (self->integration, "name"));
  AdwMessageDialog *dialog = fd_ui_confirm_dialog_new (
      widget, heading,
      _ ("Nothing more is forwarded to it, and what it still has queued is not delivered. Its "
         "delivery log is deleted too."),
      _ ("_Delete"));

  g_signal_connect_object (dialog, "response",
                           G_CALLBACK (fd_integration_detail_page_delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Public API */

void
fd_integration_detail_page_set_client (FdIntegrationDetailPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_INTEGRATION_DETAIL_PAGE (self));
  g_set_object (&self->client, client);
}

void
fd_integration_detail_page_set_events (FdIntegrationDetailPage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_INTEGRATION_DETAIL_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  if (!g_set_object (&self->events, events) || events == NULL)
    return;
  g_signal_connect_object (events, "integration", G_CALLBACK (fd_integration_detail_page_event_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "resync", G_CALLBACK (fd_integration_detail_page_resync_cb),
                           self, G_CONNECT_SWAPPED);
}

void
fd_integration_detail_page_set_integration (FdIntegrationDetailPage *self,
                                            const char *integration_id, JsonObject *integration)
{
  g_return_if_fail (FD_IS_INTEGRATION_DETAIL_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->read = (FdUiRead){ 0 };
  self->log_read = (FdUiRead){ 0 };
  g_clear_handle_id (&self->log_source, g_source_remove);
  g_free (self->integration_id);
  self->integration_id = g_strdup (integration_id);
  g_clear_pointer (&self->integration, json_object_unref);
  g_list_store_remove_all (self->deliveries);
  self->log_loaded = FALSE;
  gtk_stack_set_visible_child_name (self->log_stack, "loading");
  if (integration != NULL)
    fd_integration_detail_page_set_object (self, integration, FALSE);
  else
    {
      adw_window_title_set_title (self->title, integration_id != NULL ? integration_id : "");
      adw_window_title_set_subtitle (self->title, NULL);
    }
  fd_integration_detail_page_update_actions (self);
  fd_integration_detail_page_read (self);
  fd_integration_detail_page_read_log (self);
}

const char *
fd_integration_detail_page_get_integration_id (FdIntegrationDetailPage *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATION_DETAIL_PAGE (self), NULL);
  return self->integration_id;
}

JsonObject *
fd_integration_detail_page_get_integration (FdIntegrationDetailPage *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATION_DETAIL_PAGE (self), NULL);
  return self->integration;
}

GListModel *
fd_integration_detail_page_get_deliveries (FdIntegrationDetailPage *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATION_DETAIL_PAGE (self), NULL);
  return G_LIST_MODEL (self->deliveries);
}

/* GObject */

static void
fd_integration_detail_page_dispose (GObject *object)
{
  FdIntegrationDetailPage *self = FD_INTEGRATION_DETAIL_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->log_source, g_source_remove);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  g_clear_object (&self->events);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->deliveries);
  g_clear_pointer (&self->integration, json_object_unref);
  G_OBJECT_CLASS (fd_integration_detail_page_parent_class)->dispose (object);
}

static void
fd_integration_detail_page_finalize (GObject *object)
{
  g_free (FD_INTEGRATION_DETAIL_PAGE (object)->integration_id);
  G_OBJECT_CLASS (fd_integration_detail_page_parent_class)->finalize (object);
}

static void
fd_integration_detail_page_class_init (FdIntegrationDetailPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_integration_detail_page_dispose;
  object_class->finalize = fd_integration_detail_page_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  signals[DELETED] = g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "detail.pause", NULL,
                                   fd_integration_detail_page_pause);
  gtk_widget_class_install_action (widget_class, "detail.test", NULL,
                                   fd_integration_detail_page_test);
  gtk_widget_class_install_action (widget_class, "detail.edit", NULL,
                                   fd_integration_detail_page_edit);
  gtk_widget_class_install_action (widget_class, "detail.delete", NULL,
                                   fd_integration_detail_page_delete);
  gtk_widget_class_install_action (widget_class, "detail.replay-hours", "u",
                                   fd_integration_detail_page_replay_hours);
  gtk_widget_class_install_action (widget_class, "detail.replay-entry", NULL,
                                   fd_integration_detail_page_replay_entry);
}

static void
fd_integration_detail_page_init (FdIntegrationDetailPage *self)
{
  GtkNoSelection *selection;

  self->cancellable = g_cancellable_new ();
  self->deliveries = g_list_store_new (FD_TYPE_JSON_ITEM);
  fd_integration_detail_page_build (self);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->deliveries)));
  gtk_column_view_set_model (self->log_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  fd_integration_detail_page_update_actions (self);
}
