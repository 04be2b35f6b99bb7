/* fd-device.h — a device row: a loading row until its page of the list arrives, then the
 * device as the API describes it. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_DEVICE (fd_device_get_type ())
G_DECLARE_FINAL_TYPE (FdDevice, fd_device, FD, DEVICE, GObject)

/* A row whose data has not arrived yet: every property is empty and "loaded" is FALSE. */
FdDevice *fd_device_new_loading (void);
FdDevice *fd_device_new_from_json (JsonObject *object);
/* Fills the row from @object (notifying what changed) and marks it loaded. */
void fd_device_update_from_json (FdDevice *self, JsonObject *object);

gboolean fd_device_get_loaded (FdDevice *self);
const char *fd_device_get_id (FdDevice *self);
const char *fd_device_get_name (FdDevice *self);
const char *fd_device_get_fleet_id (FdDevice *self);
const char *fd_device_get_fleet_name (FdDevice *self);
/* Whether the device is connected now; set from device.online/offline events. */
gboolean fd_device_get_online (FdDevice *self);
void fd_device_set_online (FdDevice *self, gboolean online);
/* A reading arrived at @rfc3339 (from a "data" event): "Last Seen" moves on, never back. */
void fd_device_set_last_seen (FdDevice *self, const char *rfc3339);
/* RFC 3339 times as the API sent them; last-seen is NULL for a device never seen. */
const char *fd_device_get_created_at (FdDevice *self);
const char *fd_device_get_last_seen (FdDevice *self);

G_END_DECLS
