/* fd-device-detail-page-live.c — what the events stream changes on the device page: the
 * "Connection" group (online or offline, since when, transport, address, what the device
 * reported about itself) and the latest reading of each tag as "data" events bring them.
 *
 * The page still polls (fd-device-detail-page.c): that keeps "12 s ago" current and fills in
 * anything an event did not carry. A poll and an event can cross, so each update is applied
 * only if it is not older than what is shown (reading rows compare timestamp_in; presence
 * compares the connect/disconnect times).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-device-detail-page-private.h"
#include "fd-format.h"
#include "fd-json.h"
#include "fd-reading-row.h"

/* Fields of the reported info shown on its row. */
#define FD_DEVICE_INFO_MAX_FIELDS 8

static const char *
fd_device_detail_page_transport_label (const char *transport)
{
  if (g_strcmp0 (transport, "mqtt") == 0)
    return _ ("MQTT over TLS");
  if (g_strcmp0 (transport, "mqtt-ws") == 0)
    return _ ("MQTT over WebSocket");
  if (g_strcmp0 (transport, "https") == 0)
    return _ ("HTTPS");
  return transport;
}

static void
fd_device_detail_page_set_row (AdwActionRow *row, const char *subtitle)
{
  gtk_widget_set_visible (GTK_WIDGET (row), subtitle != NULL && *subtitle != '\0');
  if (g_strcmp0 (adw_action_row_get_subtitle (row), subtitle) != 0)
    adw_action_row_set_subtitle (row, subtitle != NULL ? subtitle : "");
}

void
fd_device_detail_page_show_presence (FdDeviceDetailPage *self, GDateTime *now)
{
  FdPresence *presence = &self->presence;
  const char *since = presence->online ? presence->connected_at : presence->disconnected_at;
  g_autofree char *ago = fd_format_ago_rfc3339 (since, now);
  g_autofree char *local = fd_json_format_time (since);
  g_autofree char *exact = fd_format_exact_time (since);
  g_autofree char *subtitle = NULL;
  const char *title = presence->online ? C_ ("device", "Online") : C_ ("device", "Offline");

  if (ago != NULL && presence->online)
    /* TRANSLATORS: under "Online": since when, as "5 min ago", then the exact time */
    subtitle = g_strdup_printf (_ ("Connected %s (%s)"), ago, local);
  else if (ago != NULL)
    /* TRANSLATORS: under "Offline": when it disconnected, as "5 min ago", then the exact time */
    subtitle = g_strdup_printf (_ ("Disconnected %s (%s)"), ago, local);
  else if (!presence->online && presence->reported)
    subtitle = g_strdup (_ ("Not connected since it was added"));

  if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->status_row)), title)
      != 0)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), title);
  if (g_strcmp0 (adw_action_row_get_subtitle (self->status_row), subtitle) != 0)
    adw_action_row_set_subtitle (self->status_row, subtitle != NULL ? subtitle : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_row), exact);
  if (presence->online)
    gtk_widget_add_css_class (self->status_dot, "fd-online");
  else
    gtk_widget_remove_css_class (self->status_dot, "fd-online");

  fd_device_detail_page_set_row (self->transport_row,
                                 fd_device_detail_page_transport_label (presence->transport));
  fd_device_detail_page_set_row (self->address_row, presence->address);
  fd_device_detail_page_set_row (self->info_row, presence->info);
}

void
fd_device_detail_page_clear_presence (FdDeviceDetailPage *self)
{
  FdPresence *presence = &self->presence;

  g_clear_pointer (&presence->transport, g_free);
  g_clear_pointer (&presence->address, g_free);
  g_clear_pointer (&presence->connected_at, g_free);
  g_clear_pointer (&presence->disconnected_at, g_free);
  g_clear_pointer (&presence->info, g_free);
  presence->online = FALSE;
  presence->reported = FALSE;
}

/* The later of the times an update carries, to tell an older one from a newer one. */
static const char *
fd_presence_stamp (const char *connected_at, const char *disconnected_at)
{
  return g_strcmp0 (connected_at, disconnected_at) > 0 ? connected_at : disconnected_at;
}

static gboolean
fd_presence_is_older (FdPresence *presence, const char *connected_at, const char *disconnected_at)
{
  return g_strcmp0 (fd_presence_stamp (connected_at, disconnected_at),
                    fd_presence_stamp (presence->connected_at, presence->disconnected_at))
         < 0;
}

static void
fd_presence_set (char **field, const char *value)
{
  if (value == NULL || g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

void
fd_device_detail_page_update_presence (FdDeviceDetailPage *self, JsonObject *device)
{
  FdPresence *presence = &self->presence;
  JsonObject *state = fd_json_get_member_object (device, "presence");
  JsonNode *info = json_object_get_member (device, "info");
  const char *connected_at = fd_json_get_string (state, "connected_at");
  const char *disconnected_at = fd_json_get_string (state, "disconnected_at");

  /* What the device reported about itself is not a presence change: always the newest. */
  g_clear_pointer (&presence->info, g_free);
  if (info != NULL && !JSON_NODE_HOLDS_NULL (info))
    presence->info = fd_format_payload (info, FD_DEVICE_INFO_MAX_FIELDS);

  if (state == NULL)
    {
      /* A server without presence details still says whether the device is online. */
      fd_json_update_boolean (device, "online", &presence->online);
      return;
    }
  if (fd_presence_is_older (presence, connected_at, disconnected_at))
    return;
  presence->reported = TRUE;
  fd_json_update_boolean (device, "online", &presence->online);
  fd_presence_set (&presence->transport, fd_json_get_string (state, "transport"));
  fd_presence_set (&presence->address, fd_json_get_string (state, "address"));
  fd_presence_set (&presence->connected_at, connected_at);
  fd_presence_set (&presence->disconnected_at, disconnected_at);
}

/* Events */

static gboolean
fd_device_detail_page_is_shown_device (FdDeviceDetailPage *self, const char *device_id)
{
  return self->device != NULL && g_strcmp0 (fd_device_get_id (self->device), device_id) == 0
         && g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "device") == 0;
}

static void
fd_device_detail_page_presence_cb (FdDeviceDetailPage *self, const char *workspace_id,
                                   const char *device_id, gboolean online, JsonObject *data)
{
  FdPresence *presence = &self->presence;
  const char *connected_at = online ? fd_json_get_string (data, "connected_at") : NULL;
  const char *disconnected_at = online ? NULL : fd_json_get_string (data, "disconnected_at");
  g_autoptr (GDateTime) now = NULL;

  if (!fd_device_detail_page_is_shown_device (self, device_id)
      || fd_presence_is_older (presence, connected_at, disconnected_at))
    return;

  presence->online = online;
  presence->reported = TRUE;
  fd_presence_set (&presence->transport, fd_json_get_string (data, "transport"));
  fd_presence_set (&presence->connected_at, connected_at);
  fd_presence_set (&presence->disconnected_at, disconnected_at);
  if (online)
    fd_presence_set (&presence->address, fd_json_get_string (data, "address"));
  now = g_date_time_new_now_utc ();
  fd_device_detail_page_show_presence (self, now);
}

static void
fd_device_detail_page_data_cb (FdDeviceDetailPage *self, const char *workspace_id,
                               const char *device_id, JsonObject *data)
{
  const char *tag = fd_json_get_string (data, "tag");
  g_autoptr (GDateTime) now = NULL;
  GtkWidget *row;

  if (tag == NULL || !fd_device_detail_page_is_shown_device (self, device_id))
    return;

  now = g_date_time_new_now_utc ();
  row = g_hash_table_lookup (self->reading_rows, tag);
  if (row == NULL)
    {
      row = fd_reading_row_new (tag);
      g_hash_table_insert (self->reading_rows, g_strdup (tag), row);
      gtk_list_box_append (self->readings_list, row);
    }
  fd_reading_row_add_live (FD_READING_ROW (row), data, now);
  self->live_readings++;
  fd_device_detail_page_show_readings_state (self, "list");
}

static void
fd_device_detail_page_resync_cb (FdDeviceDetailPage *self)
{
  fd_device_detail_page_poll_now (self);
  fd_device_detail_page_load_variables (self);
}

void
fd_device_detail_page_set_events (FdDeviceDetailPage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_DEVICE_DETAIL_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  if (!g_set_object (&self->events, events) || events == NULL)
    return;
  g_signal_connect_object (events, "presence", G_CALLBACK (fd_device_detail_page_presence_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "data", G_CALLBACK (fd_device_detail_page_data_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "resync", G_CALLBACK (fd_device_detail_page_resync_cb), self,
                           G_CONNECT_SWAPPED);
  fd_device_detail_page_connect_variables (self, events);
}

guint
fd_device_detail_page_get_live_readings (FdDeviceDetailPage *self)
{
  g_return_val_if_fail (FD_IS_DEVICE_DETAIL_PAGE (self), 0);
  return self->live_readings;
}
