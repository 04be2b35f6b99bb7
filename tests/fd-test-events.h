/* fd-test-events.h — what the events tests share: a libsoup WebSocket client on
 * /api/v1/events that keeps every event it gets, and HTTPS device posts that make events. */
#pragma once

#include "fd-test-device.h"

G_BEGIN_DECLS

/* Long enough for a loaded machine; only a guard against hanging. */
#define FD_TE_WAIT_LIMIT_US (30 * G_USEC_PER_SEC)

typedef struct
{
  SoupSession *session;
  SoupWebsocketConnection *conn;
  GPtrArray *events; /* JsonNode*, in arrival order */
  gboolean closed;
  gushort close_code;
  guint status; /* of a refused handshake */
  gboolean done;
} FdTeListener;

/* Connects to /api/v1/events@query with @token (NULL: none). A refused handshake leaves
 * l->conn NULL and its HTTP status in l->status. */
FdTeListener *fd_te_listener_open (FdTdServer *s, const char *query, const char *token);
void fd_te_listener_free (FdTeListener *l);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdTeListener, fd_te_listener_free)

/* One iteration of the default main context that waits at most FD_TE_TICK_MS for something
 * to happen, so a caller's deadline is checked even when nothing comes. */
#define FD_TE_TICK_MS 100
void fd_te_iterate (void);
/* Iterates the default main context until *@flag (the test fails past the wait limit). */
void fd_te_iterate_until (gboolean *flag);

JsonObject *fd_te_event_at (FdTeListener *l, guint i);
JsonObject *fd_te_event_data (JsonObject *event);
gboolean fd_te_event_is (JsonObject *event, const char *type, const char *device_id);
/* Waits for the first event of @type from @device_id at index @from or later; its index. */
guint fd_te_wait_event (FdTeListener *l, guint from, const char *type, const char *device_id);
/* The sum of the counts of @device_id's data events of @tag, and how many there are. */
gint64 fd_te_data_count (FdTeListener *l, const char *device_id, const char *tag, guint *n_events);

/* A TLS connection of @d to the device endpoint. */
FdTdRaw *fd_te_device_connect (FdTdServer *s, const FdTdDevice *d);
/* POST /v1/data/@tag with @body, answered 202. */
void fd_te_post_data (FdTdRaw *raw, const char *tag, const char *body);
/* POST /v1/up with @body, answered @status. */
void fd_te_post_up (FdTdRaw *raw, const char *body, guint status);

G_END_DECLS
