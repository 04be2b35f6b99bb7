/* fd-device-detail-page.c — one device: its name, fleet and last contact, its latest readings,
 * live, and its credentials (fd-device-detail-page-credentials.c).
 *
 * Live readings and presence come from the events stream (fd-device-detail-page-live.c); the
 * page also asks for the device and its tags every FD_DEVICE_DETAIL_POLL_MS while it is mapped
 * (shown, in a window that is mapped) and the window is not minimized; one poll at a time,
 * cancelled when the page is hidden or shows another device. Rows are updated in place and only
 * where their text changed, so a poll that brings nothing new redraws nothing.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-device-detail-page-private.h"
#include "fd-format.h"
#include "fd-json.h"
#include "fd-reading-row.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdDeviceDetailPage, fd_device_detail_page, FD_TYPE_PANE)

/* A poll's answers carry the poll's cancellable: an answer of a cancelled poll is dropped even
 * if it was already on its way. */
typedef struct
{
  FdDeviceDetailPage *self;
  GCancellable *cancellable;
} FdPoll;

static FdPoll *
fd_poll_new (FdDeviceDetailPage *self, GCancellable *cancellable)
{
  FdPoll *poll = g_new0 (FdPoll, 1);

  poll->self = g_object_ref (self);
  poll->cancellable = g_object_ref (cancellable);
  return poll;
}

static void
fd_poll_free (FdPoll *poll)
{
  g_object_unref (poll->self);
  g_object_unref (poll->cancellable);
  g_free (poll);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdPoll, fd_poll_free)

/* The header */

static void
fd_device_detail_page_update_header (FdDeviceDetailPage *self, GDateTime *now)
{
  JsonObject *device = self->last_device;
  const char *name
      = device != NULL ? fd_json_get_string (device, "name") : fd_device_get_name (self->device);
  const char *fleet = device != NULL ? fd_json_get_string (device, "fleet_name")
                                     : fd_device_get_fleet_name (self->device);
  const char *last_seen = device != NULL ? fd_json_get_string (device, "last_seen")
                                         : fd_device_get_last_seen (self->device);
  g_autofree char *ago = fd_format_ago_rfc3339 (last_seen, now);
  g_autofree char *exact = fd_format_exact_time (last_seen);
  g_autofree char *fleet_text = NULL;
  g_autofree char *info = NULL;

  /* TRANSLATORS: under the device's name: the fleet it is in */
  fleet_text = g_strdup_printf (_ ("Fleet “%s”"), fleet != NULL ? fleet : "");
  if (ago != NULL)
    /* TRANSLATORS: the fleet, then when the device last sent something ("12 s ago") */
    info = g_strdup_printf (_ ("%s · Last seen %s"), fleet_text, ago);
  else
    info = g_strdup_printf (_ ("%s · Never seen"), fleet_text);

  adw_window_title_set_title (self->window_title, name != NULL ? name : "");
  adw_window_title_set_subtitle (self->window_title, fleet_text);
  if (g_strcmp0 (gtk_label_get_label (self->name_label), name) != 0)
    gtk_label_set_label (self->name_label, name != NULL ? name : "");
  if (g_strcmp0 (gtk_label_get_label (self->info_label), info) != 0)
    gtk_label_set_label (self->info_label, info);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->info_label), exact);
}

/* Readings */

void
fd_device_detail_page_show_readings_state (FdDeviceDetailPage *self, const char *state)
{
  gtk_widget_set_visible (self->readings_spinner, g_str_equal (state, "loading"));
  gtk_widget_set_visible (GTK_WIDGET (self->readings_list), g_str_equal (state, "list"));
  gtk_widget_set_visible (self->readings_empty, g_str_equal (state, "empty"));
}

static int
fd_device_detail_page_sort_readings (GtkListBoxRow *a, GtkListBoxRow *b, gpointer data)
{
  return g_utf8_collate (fd_reading_row_get_tag (FD_READING_ROW (a)),
                         fd_reading_row_get_tag (FD_READING_ROW (b)));
}

static void
fd_device_detail_page_clear_readings (FdDeviceDetailPage *self)
{
  GtkWidget *child;

  g_hash_table_remove_all (self->reading_rows);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->readings_list))) != NULL)
    gtk_list_box_remove (self->readings_list, child);
  self->readings_loaded = FALSE;
  fd_device_detail_page_show_readings_state (self, "loading");
}

static void
fd_device_detail_page_show_readings (FdDeviceDetailPage *self, GPtrArray *tags, GDateTime *now)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < tags->len; i++)
    {
      JsonObject *tag = g_ptr_array_index (tags, i);
      const char *name = fd_json_get_string (tag, "tag");
      GtkWidget *row;

      if (name == NULL)
        continue;
      row = g_hash_table_lookup (self->reading_rows, name);
      if (row == NULL)
        {
          row = fd_reading_row_new (name);
          g_hash_table_insert (self->reading_rows, g_strdup (name), row);
          gtk_list_box_append (self->readings_list, row);
        }
      g_hash_table_add (seen, (gpointer)fd_reading_row_get_tag (FD_READING_ROW (row)));
      fd_reading_row_update (FD_READING_ROW (row), tag, now);
    }

  g_hash_table_iter_init (&iter, self->reading_rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        gtk_list_box_remove (self->readings_list, value);
        g_hash_table_iter_remove (&iter);
      }

  self->readings_loaded = TRUE;
  fd_device_detail_page_show_readings_state (
      self, g_hash_table_size (self->reading_rows) > 0 ? "list" : "empty");
}

/* Polling */

static void
fd_device_detail_page_poll_done (FdDeviceDetailPage *self)
{
  g_autoptr (GDateTime) now = NULL;

  if (--self->poll_pending > 0)
    return;

  g_clear_object (&self->poll_cancellable);
  if (self->poll_error)
    {
      g_clear_pointer (&self->poll_tags, g_ptr_array_unref);
      return;
    }
  self->failing = FALSE;
  now = g_date_time_new_now_utc ();
  fd_device_detail_page_update_header (self, now);
  fd_device_detail_page_show_presence (self, now);
  if (self->poll_tags != NULL)
    fd_device_detail_page_show_readings (self, self->poll_tags, now);
  g_clear_pointer (&self->poll_tags, g_ptr_array_unref);
}

/* Shows a failed poll once, not every 2 seconds while the server is away. */
static void
fd_device_detail_page_poll_failed (FdDeviceDetailPage *self, GError *error)
{
  if (g_error_matches (error, FD_API_ERROR, FD_API_ERROR_NOT_FOUND))
    {
      gtk_stack_set_visible_child_name (self->stack, "gone");
      adw_window_title_set_subtitle (self->window_title, NULL);
    }
  else if (!self->failing && !self->poll_error)
    fd_ui_toast_error (GTK_WIDGET (self), error);
  self->poll_error = TRUE;
  self->failing = TRUE;
}

static void
fd_device_detail_page_tags_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdPoll) poll = user_data;
  FdDeviceDetailPage *self = poll->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonArray *items = error == NULL ? fd_json_get_list (node, NULL, &error) : NULL;

  if (g_cancellable_is_cancelled (poll->cancellable))
    return;
  if (items == NULL)
    fd_device_detail_page_poll_failed (self, error);
  else
    {
      g_clear_pointer (&self->poll_tags, g_ptr_array_unref);
      self->poll_tags = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonNode *item = json_array_get_element (items, i);

          if (JSON_NODE_HOLDS_OBJECT (item))
            g_ptr_array_add (self->poll_tags, json_object_ref (json_node_get_object (item)));
        }
    }
  fd_device_detail_page_poll_done (self);
}

static void
fd_device_detail_page_device_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdPoll) poll = user_data;
  FdDeviceDetailPage *self = poll->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *device = error == NULL ? fd_json_get_object (node, &error) : NULL;

  if (g_cancellable_is_cancelled (poll->cancellable))
    return;
  if (device == NULL)
    fd_device_detail_page_poll_failed (self, error);
  else
    {
      g_clear_pointer (&self->last_device, json_object_unref);
      self->last_device = json_object_ref (device);
      /* The list row shows the same device: keep it in step (name, last seen). */
      fd_device_update_from_json (self->device, device);
      fd_device_detail_page_update_presence (self, device);
    }
  fd_device_detail_page_poll_done (self);
}

static gboolean
fd_device_detail_page_minimized (FdDeviceDetailPage *self)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;

  return GDK_IS_TOPLEVEL (surface)
         && (gdk_toplevel_get_state (GDK_TOPLEVEL (surface)) & GDK_TOPLEVEL_STATE_MINIMIZED) != 0;
}

static void
fd_device_detail_page_poll (FdDeviceDetailPage *self)
{
  g_autofree char *tags_path = NULL;
  g_autofree char *device_path = NULL;

  if (self->client == NULL || self->device == NULL || self->poll_pending > 0
      || !gtk_widget_get_mapped (GTK_WIDGET (self)) || fd_device_detail_page_minimized (self)
      || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "gone") == 0)
    return;

  self->polls++;
  self->poll_pending = 2;
  self->poll_cancellable = g_cancellable_new ();
  self->poll_error = FALSE;
  tags_path = fd_api_path ("devices", fd_device_get_id (self->device), "tags", NULL);
  device_path = fd_api_path ("devices", fd_device_get_id (self->device), NULL);
  /* Not paged: one row per tag the device ever sent. */
  fd_api_client_request_async (self->client, "GET", tags_path, NULL, self->poll_cancellable,
                               fd_device_detail_page_tags_cb,
                               fd_poll_new (self, self->poll_cancellable));
  fd_api_client_request_async (self->client, "GET", device_path, NULL, self->poll_cancellable,
                               fd_device_detail_page_device_cb,
                               fd_poll_new (self, self->poll_cancellable));
}

void
fd_device_detail_page_poll_now (FdDeviceDetailPage *self)
{
  fd_device_detail_page_poll (self);
}

static gboolean
fd_device_detail_page_tick_cb (gpointer data)
{
  fd_device_detail_page_poll (FD_DEVICE_DETAIL_PAGE (data));
  return G_SOURCE_CONTINUE;
}

static void
fd_device_detail_page_stop_polling (FdDeviceDetailPage *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->poll_cancellable != NULL)
    g_cancellable_cancel (self->poll_cancellable);
  g_clear_object (&self->poll_cancellable);
  g_clear_pointer (&self->poll_tags, g_ptr_array_unref);
  self->poll_pending = 0;
}

static void
fd_device_detail_page_start_polling (FdDeviceDetailPage *self)
{
  if (self->poll_source != 0 || self->device == NULL)
    return;
  fd_device_detail_page_poll (self);
  self->poll_source = g_timeout_add (FD_DEVICE_DETAIL_POLL_MS, fd_device_detail_page_tick_cb, self);
}

static void
fd_device_detail_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (fd_device_detail_page_parent_class)->map (widget);
  fd_device_detail_page_start_polling (FD_DEVICE_DETAIL_PAGE (widget));
}

static void
fd_device_detail_page_unmap (GtkWidget *widget)
{
  fd_device_detail_page_stop_polling (FD_DEVICE_DETAIL_PAGE (widget));
  GTK_WIDGET_CLASS (fd_device_detail_page_parent_class)->unmap (widget);
}

/* Where devices send data: for the empty state's example */

static void
fd_device_detail_page_set_example (FdDeviceDetailPage *self, const char *host, gint64 port)
{
  g_free (self->example);
  self->example = g_strdup_printf ("curl --cacert ca.pem --cert device.pem --key device.key \\\n"
                                   "     -H 'Content-Type: application/json' \\\n"
                                   "     -d '{\"temp\": 21.5, \"hum\": 40}' \\\n"
                                   "     https://%s:%" G_GINT64_FORMAT "/v1/data/weather",
                                   host, port);
  gtk_label_set_label (self->example_label, self->example);
}

static void
fd_device_detail_page_server_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdDeviceDetailPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *server = error == NULL ? fd_json_get_object (node, &error) : NULL;
  const char *host = fd_json_get_string (server, "public_name");
  JsonNode *port = server != NULL ? json_object_get_member (server, "device_port") : NULL;

  if (server == NULL)
    return; /* the example keeps its placeholder address; the next device asks again */
  self->have_server = TRUE;
  fd_device_detail_page_set_example (self, host != NULL && *host != '\0' ? host : "localhost",
                                     port != NULL && json_node_get_value_type (port) == G_TYPE_INT64
                                         ? json_node_get_int (port)
                                         : 7443);
}

static void
fd_device_detail_page_copy_example (GtkWidget *widget, const char *action, GVariant *param)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (widget);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->example);
  fd_ui_toast (widget, _ ("Command copied"));
}

/* Public API */

void
fd_device_detail_page_set_client (FdDeviceDetailPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_DEVICE_DETAIL_PAGE (self));

  if (g_set_object (&self->client, client))
    self->have_server = FALSE;
}

void
fd_device_detail_page_set_device (FdDeviceDetailPage *self, FdDevice *device)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  g_return_if_fail (FD_IS_DEVICE_DETAIL_PAGE (self));
  g_return_if_fail (device == NULL || FD_IS_DEVICE (device));

  if (device == self->device)
    return;

  /* Nothing asked for the previous device may land on this one. */
  fd_device_detail_page_stop_polling (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->last_device, json_object_unref);
  g_set_object (&self->device, device);
  self->failing = FALSE;
  fd_device_detail_page_clear_readings (self);
  fd_device_detail_page_clear_credentials (self);
  fd_device_detail_page_clear_variables (self);
  fd_device_detail_page_clear_presence (self);

  if (device == NULL)
    return;

  gtk_stack_set_visible_child_name (self->stack, "device");
  self->presence.online = fd_device_get_online (device);
  fd_device_detail_page_update_header (self, now);
  fd_device_detail_page_show_presence (self, now);
  fd_device_detail_page_load_credentials (self);
  fd_device_detail_page_load_variables (self);
  /* Where devices send data, for the example, once per server. */
  if (!self->have_server && self->client != NULL)
    fd_api_client_request_async (self->client, "GET", "/server", NULL, self->cancellable,
                                 fd_device_detail_page_server_cb, g_object_ref (self));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    fd_device_detail_page_start_polling (self);
}

FdDevice *
fd_device_detail_page_get_device (FdDeviceDetailPage *self)
{
  g_return_val_if_fail (FD_IS_DEVICE_DETAIL_PAGE (self), NULL);
  return self->device;
}

guint
fd_device_detail_page_get_polls (FdDeviceDetailPage *self)
{
  g_return_val_if_fail (FD_IS_DEVICE_DETAIL_PAGE (self), 0);
  return self->polls;
}

/* GObject */

static void
fd_device_detail_page_dispose (GObject *object)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (object);

  fd_device_detail_page_stop_polling (self);
  g_cancellable_cancel (self->cancellable);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  g_clear_object (&self->events);
  fd_device_detail_page_clear_presence (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), FD_TYPE_DEVICE_DETAIL_PAGE);
  g_clear_pointer (&self->reading_rows, g_hash_table_unref);
  g_clear_handle_id (&self->variables_source, g_source_remove);
  g_clear_pointer (&self->variable_rows, g_hash_table_unref);
  g_clear_object (&self->device);
  g_clear_object (&self->client);
  g_clear_pointer (&self->last_device, json_object_unref);

  G_OBJECT_CLASS (fd_device_detail_page_parent_class)->dispose (object);
}

static void
fd_device_detail_page_finalize (GObject *object)
{
  FdDeviceDetailPage *self = FD_DEVICE_DETAIL_PAGE (object);

  g_clear_object (&self->cancellable);
  g_free (self->example);

  G_OBJECT_CLASS (fd_device_detail_page_parent_class)->finalize (object);
}

static void
fd_device_detail_page_class_init (FdDeviceDetailPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_device_detail_page_dispose;
  object_class->finalize = fd_device_detail_page_finalize;
  widget_class->map = fd_device_detail_page_map;
  widget_class->unmap = fd_device_detail_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/fleetdesk/Fleetdesk/ui/"
                                                             "fd-device-detail-page.ui");
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, stack);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, info_label);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, status_dot);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, transport_row);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, info_row);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, readings_spinner);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, readings_list);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, readings_empty);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, example_label);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, credentials_list);
  gtk_widget_class_bind_template_child (widget_class, FdDeviceDetailPage, variables_list);

  gtk_widget_class_install_action (widget_class, "detail.copy-example", NULL,
                                   fd_device_detail_page_copy_example);
  fd_device_detail_page_class_init_credentials (widget_class);
  fd_device_detail_page_class_init_variables (widget_class);
}

static void
fd_device_detail_page_init (FdDeviceDetailPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->reading_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_list_box_set_sort_func (self->readings_list, fd_device_detail_page_sort_readings, NULL, NULL);
  fd_device_detail_page_set_example (self, "localhost", 7443);
  fd_device_detail_page_show_readings_state (self, "loading");
  fd_device_detail_page_init_credentials (self);
  fd_device_detail_page_init_variables (self);
}
