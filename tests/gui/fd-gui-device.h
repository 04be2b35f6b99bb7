/* fd-gui-device.h — a device on one HTTPS connection (tests/gui/https-device.py) with the
 * certificate of its zdevice.json: the peer the GUI tests' live parts watch the app follow. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  GOutputStream *in;
  GDataInputStream *out;
} FdGuiDevice;

/* Saves @zdevice's CA certificate, certificate and key as PREFIX-ca.pem, PREFIX.pem and
 * PREFIX.key. */
void fd_gui_device_save_files (JsonObject *zdevice, const char *prefix);
/* Saves @zdevice's files (fd_gui_device_save_files()) and connects with them to the endpoint
 * it names; returns once the device is connected. */
void fd_gui_device_connect (FdGuiDevice *device, JsonObject *zdevice, const char *prefix);
/* Sends @body to @path on the connection; asserts the answer's status is @status. */
void fd_gui_device_post (FdGuiDevice *device, const char *path, const char *body,
                         const char *status);
/* Closes the connection; asserts the device exited cleanly. */
void fd_gui_device_disconnect (FdGuiDevice *device);

G_END_DECLS
