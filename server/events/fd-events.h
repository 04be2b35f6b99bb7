/* fd-events.h — the live events of the server, for GET /api/v1/events (a WebSocket) and
 * anything else in the engine that follows them.
 *
 * An event is one JSON object (docs/rest-api.md, "Events"):
 *   {"type": "device.online", "time": "<RFC 3339 ms>", "workspace_id", "device_id",
 *    "data": {...}}
 * types: device.online, device.offline, data (coalesced per device and tag: at most
 * FD_EVENTS_DATA_PER_S per second each, with how many readings since the last one and the
 * latest payload), condition.opened, condition.updated, condition.closed.
 *
 * Publishing never blocks and never waits for a subscriber: each subscriber has a bounded
 * queue, and one that falls FD_EVENTS_MAX_QUEUED behind is dropped (its WebSocket closed with
 * 1008 "too slow"), so a slow consumer cannot slow ingestion.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FD_EVENTS_DATA_PER_S 4
#define FD_EVENTS_MAX_QUEUED 1024

typedef struct _FdEvents FdEvents;

/* Runs on the thread-default main context of the caller (the engine thread). */
FdEvents *fd_events_new (void);
void fd_events_free (FdEvents *events);

/* Publishes an event; @data_json is the "data" object's text (compact JSON). Engine thread. */
void fd_events_publish (FdEvents *events, const char *type, const char *workspace_id,
                        const char *device_id, const char *data_json);

/* Readings of @device_id under @tag committed: coalesced into "data" events. Any thread (the
 * ingest writer calls it after each commit); @payload_json is the newest reading's payload. */
void fd_events_data (FdEvents *events, const char *workspace_id, const char *device_id,
                     const char *fleet_id, const char *tag, guint count,
                     const char *payload_json, gint64 timestamp_in_ms);

/* A subscriber gets each event's complete JSON text, on the engine thread, one at a time: the
 * next comes after fd_events_subscriber_drained() (which may be called from the callback). It
 * is called with NULL once when it is dropped for being too slow, and must still be
 * unsubscribed then. Filters: NULL = any. */
typedef void (*FdEventFunc) (const char *event_json, gpointer user_data);
typedef struct _FdEventSubscriber FdEventSubscriber;
FdEventSubscriber *fd_events_subscribe (FdEvents *events, const char *workspace_id,
                                        const char *const *types, FdEventFunc func,
                                        gpointer user_data);
/* The subscriber took its events: it may be handed more (flow control for WebSocket sends). */
void fd_events_subscriber_drained (FdEventSubscriber *subscriber);
void fd_events_unsubscribe (FdEventSubscriber *subscriber);

G_END_DECLS
