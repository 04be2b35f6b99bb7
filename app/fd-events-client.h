/* fd-events-client.h — the server's live events (GET /api/v1/events, a WebSocket) as GObject
 * signals, so that panes update without polling (docs/rest-api.md, "Events"). */
#pragma once

#include <json-glib/json-glib.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

/* Events are handed out in batches at most this often: at most ~10 redraws per second. */
#define FD_EVENTS_CLIENT_FLUSH_MS 100
/* Reconnecting after a drop waits 1 s, then twice as long each time, up to this. */
#define FD_EVENTS_CLIENT_MAX_BACKOFF_S 30
/* One event message larger than this closes the connection (the server's are < 64 KiB). */
#define FD_EVENTS_CLIENT_MAX_MESSAGE 1048576
/* Events kept for one batch; past this the batch is dropped and "resync" is emitted. */
#define FD_EVENTS_CLIENT_MAX_QUEUED 20000

#define FD_EVENTS_CLIENT_ERROR (fd_events_client_error_quark ())
GQuark fd_events_client_error_quark (void);

typedef enum
{
  FD_EVENTS_CLIENT_ERROR_INVALID, /* a message that is not an event */
} FdEventsClientError;

#define FD_TYPE_EVENTS_CLIENT (fd_events_client_get_type ())
G_DECLARE_FINAL_TYPE (FdEventsClient, fd_events_client, FD, EVENTS_CLIENT, GObject)

/* Follows the events of the server behind @api (its address and token). Nothing is sent or
 * emitted before fd_events_client_start(). */
FdEventsClient *fd_events_client_new (FdApiClient *api);
/* Connects, and reconnects with backoff whenever the connection drops, until stopped. */
void fd_events_client_start (FdEventsClient *self);
void fd_events_client_stop (FdEventsClient *self);
gboolean fd_events_client_get_connected (FdEventsClient *self);
/* How many connections were made (for tests: a reconnect counts). */
guint fd_events_client_get_connections (FdEventsClient *self);

/* Parses one event message; NULL with @error if it is not an event (an object with a string
 * "type" and an object "data"). Exposed for tests. */
JsonObject *fd_events_client_parse (const char *text, gsize length, GError **error);

/* Signals (all on the main context the client was made on, in batches):
 *   "presence" (const char *workspace_id, const char *device_id, gboolean online,
 *               JsonObject *data)   device.online / device.offline; only the latest per device
 *                                   of a batch
 *   "data"     (const char *workspace_id, const char *device_id, JsonObject *data)
 *                                   the latest per device and tag of a batch, "count" summed
 *   "condition" (const char *type, JsonObject *condition)  condition.opened|updated|closed,
 *                                   every one, in order
 *   "campaign" (const char *type, const char *workspace_id, const char *device_id,
 *               JsonObject *data)
 *                                   campaign.updated (device_id NULL; the newest per campaign
 *                                   of a batch) and campaign.target (the newest per campaign
 *                                   and device of a batch)
 *   "job"      (const char *type, const char *workspace_id, const char *device_id,
 *               JsonObject *data)
 *                                   job.execution (device_id set) | job.updated (device_id
 *                                   NULL), every one, in order
 *   "variable" (const char *device_id, JsonObject *data)  variable.updated, every one
 *   "integration" (const char *workspace_id, JsonObject *data)
 *                                   integration.updated (data: the health object plus "id"
 *                                   and "name"); only the newest per integration of a batch
 *   "alert"    (const char *type, const char *workspace_id, JsonObject *alert)
 *                                   alert.triggered | alert.resolved, every one, in order
 *   "resync"   ()                   events may have been missed (a reconnect, an overflow):
 *                                   what was shown should be read again
 */

G_END_DECLS
