/* fd-device-poller.h — one GSource for the sockets of many connections (an epoll set), for the
 * simulator: with a pollable GSource per connection, every main-loop iteration walks thousands
 * of sources, and a fleet of a thousand busy MQTT sessions spent most of its CPU there.
 *
 * Level-triggered: a callback is called while its socket is readable (or writable, when asked
 * for), so it may read as little or as much as it likes.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FdDevicePoller FdDevicePoller;

/* @readable / @writable: what is ready. */
typedef void (*FdDevicePollerFunc) (gpointer data, gboolean readable, gboolean writable);

/* Attached to @context (NULL: the thread-default one). */
FdDevicePoller *fd_device_poller_new (GMainContext *context, GError **error);
void fd_device_poller_free (FdDevicePoller *poller);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDevicePoller, fd_device_poller_free)

/* Watches @fd for input, and for output too when @want_write. */
gboolean fd_device_poller_add (FdDevicePoller *poller, int fd, gboolean want_write,
                               FdDevicePollerFunc func, gpointer data);
void fd_device_poller_want_write (FdDevicePoller *poller, int fd, gboolean want_write,
                                  gpointer data);
/* Before @fd is closed. Events of this round already collected for it are dropped (or, when a
 * new connection got the same number meanwhile, go to it as a spurious wake-up). */
void fd_device_poller_remove (FdDevicePoller *poller, int fd);

G_END_DECLS
