/* fd-mqtt-poller.h — the sockets of every MQTT/TLS connection in one epoll set, watched by one
 * GSource. With a GSource per connection, every iteration of GLib's main loop prepared, polled
 * and checked all of them, so the cost of a packet grew with the number of idle connections
 * (bench/README.md, bench-mqtt-idle).
 *
 * Level-triggered: a watch's callback is called on every dispatch while its socket is ready for
 * what the watch asks, so it may read as little or as much as it likes. A dispatch hands out
 * every ready socket, then calls the round function: what the callbacks gathered (readings of
 * many connections) can go on together.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FdMqttPoller FdMqttPoller;
typedef struct _FdMqttWatch FdMqttWatch;

/* @readable: input (when the watch asks for it), or a hang-up or an error (always: while a
 * watch does not ask for input, @readable means its peer is gone); @writable: room to write. */
typedef void (*FdMqttPollerFunc) (gpointer data, gboolean readable, gboolean writable);

/* Called with @starting TRUE before a dispatch's callbacks, FALSE after them. */
typedef void (*FdMqttPollerRoundFunc) (gpointer data, gboolean starting);

/* Attached to @context; @round (may be NULL) brackets each dispatch. */
FdMqttPoller *fd_mqtt_poller_new (GMainContext *context, FdMqttPollerRoundFunc round,
                                  gpointer round_data, GError **error);
void fd_mqtt_poller_free (FdMqttPoller *poller);

/* Watches @fd, for input when @want_read, output when @want_write. NULL (errno set) when epoll
 * refuses. */
FdMqttWatch *fd_mqtt_poller_add (FdMqttPoller *poller, int fd, gboolean want_read,
                                 gboolean want_write, FdMqttPollerFunc func, gpointer data);
/* Changes what @watch waits for (one epoll_ctl, only when it changes). Waiting for neither
 * still reports a hang-up or an error. */
void fd_mqtt_watch_set (FdMqttWatch *watch, gboolean want_read, gboolean want_write);
/* Before its descriptor is closed. Events already collected for it are dropped. */
void fd_mqtt_watch_remove (FdMqttWatch *watch);

G_END_DECLS
