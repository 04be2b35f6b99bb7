/* fd-devices-page-live.c — what the events stream changes in the device list: a row's online
 * state (device.online/offline) and its "Last Seen" (data events), in place, without a reload.
 * Rows not fetched yet arrive with their state as of then; after events may have been missed
 * (a reconnect), the list is read again. The device page follows the same stream
 * (fd-device-detail-page-live.c).
 */
#include "config.h"

#include "fd-devices-page-private.h"
#include "fd-json.h"

static void
fd_devices_page_presence_cb (FdDevicesPage *self, const char *workspace_id, const char *device_id,
                             gboolean online, JsonObject *data)
{
  FdDevice *device = fd_device_model_lookup (self->model, device_id);

  /* A row not fetched yet arrives with its state as of then. */
  if (device != NULL)
    fd_device_set_online (device, online);
}

static void
fd_devices_page_data_cb (FdDevicesPage *self, const char *workspace_id, const char *device_id,
                         JsonObject *data)
{
  FdDevice *device = fd_device_model_lookup (self->model, device_id);

  if (device != NULL)
    fd_device_set_last_seen (device, fd_json_get_string (data, "timestamp_in"));
}

static void
fd_devices_page_resync_cb (FdDevicesPage *self)
{
  fd_device_model_reload (self->model);
}

void
fd_devices_page_set_events (FdDevicesPage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_DEVICES_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  if (!g_set_object (&self->events, events))
    return;
  if (events != NULL)
    {
      g_signal_connect_object (events, "presence", G_CALLBACK (fd_devices_page_presence_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (events, "data", G_CALLBACK (fd_devices_page_data_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (events, "resync", G_CALLBACK (fd_devices_page_resync_cb), self,
                               G_CONNECT_SWAPPED);
    }
  fd_device_detail_page_set_events (self->detail_page, events);
}
