/* fd-api-events.c — GET /api/v1/events: the live events (fd-events.h) as a WebSocket.
 *
 * The route goes through the API's usual path (token, query parameters), then answers the
 * WebSocket handshake itself rather than through soup_server_add_websocket_handler(): the
 * connection is then made over an FdCountedStream, which is how this file knows how much of
 * what it sent is still waiting in libsoup. An event is handed to libsoup only while less than
 * FD_API_EVENTS_LOW_WATER bytes wait there; the rest waits in the subscriber's bounded queue in
 * FdEvents, which drops a consumer that falls too far behind (closed here with 1008).
 */
#include "fd-api-events-private.h"
#include "fd-api-private.h"
#include "fd-util.h"

#include <string.h>

/* Bytes handed to libsoup and not yet written to the socket, above which no more are handed. */
#define FD_API_EVENTS_LOW_WATER (64 * 1024)
#define FD_API_EVENTS_KEEPALIVE_S 30

static const char *const params[] = { "workspace", "type", NULL };
static const char *const event_types[] = {
  "device.online",     "device.offline",   "data",          "condition.opened",
  "condition.updated", "condition.closed", "job.execution", "job.updated",
  "variable.updated",  "campaign.updated", "campaign.target", "integration.updated",
  "alert.triggered",   "alert.resolved",   NULL,
};

struct _FdApiEventStream
{
  FdApi *api;
  char *token_id; /* closed when it is revoked; NULL for the local app's token */
  char *workspace_id;
  char **types;
  SoupWebsocketConnection *conn;
  FdCountedStream *stream;
  FdEventSubscriber *sub;
  guint64 queued;        /* bytes of the frames handed to libsoup */
  guint64 written;       /* of those, written to the socket */
  gboolean waiting;      /* holding an event back until the backlog is written */
  GMainContext *context; /* the engine's, where the stream was upgraded */
  GSource *drain_idle;
};

static void
event_stream_free (FdApiEventStream *es)
{
  fd_events_unsubscribe (es->sub);
  if (es->drain_idle != NULL)
    {
      g_source_destroy (es->drain_idle);
      g_clear_pointer (&es->drain_idle, g_source_unref);
    }
  g_clear_pointer (&es->context, g_main_context_unref);
  if (es->stream != NULL)
    fd_counted_stream_forget (es->stream);
  if (es->conn != NULL)
    g_signal_handlers_disconnect_by_data (es->conn, es);
  g_clear_object (&es->conn);
  g_clear_object (&es->stream);
  g_free (es->token_id);
  g_free (es->workspace_id);
  g_strfreev (es->types);
  g_free (es);
}

/* The size of a server (unmasked) text frame carrying @len bytes (RFC 6455 §5.2). */
static guint64
frame_size (gsize len)
{
  return len + (len < 126 ? 2 : len < 65536 ? 4 : 10);
}

static gboolean
drain_later (gpointer data)
{
  FdApiEventStream *es = data;

  g_clear_pointer (&es->drain_idle, g_source_unref);
  es->waiting = FALSE;
  fd_events_subscriber_drained (es->sub);
  return G_SOURCE_REMOVE;
}

/* Control frames (pings, pongs, the close) are written too but were never counted as queued:
 * written is kept at most queued, so they never make the backlog look negative. */
static void
on_written (gsize n, gpointer user_data)
{
  FdApiEventStream *es = user_data;

  es->written = MIN (es->written + n, es->queued);
  /* Not from here: this runs inside libsoup's write loop, which sending would re-enter. */
  if (es->waiting && es->queued - es->written <= FD_API_EVENTS_LOW_WATER && es->drain_idle == NULL)
    {
      /* On the engine's context, not g_idle_add()'s global default one: in the app that is
       * the UI thread's, and the bus is not thread-safe. */
      es->drain_idle = g_idle_source_new ();
      g_source_set_callback (es->drain_idle, drain_later, es, NULL);
      g_source_set_static_name (es->drain_idle, "fd-api-events drain");
      g_source_attach (es->drain_idle, es->context);
    }
}

static void
on_event (const char *event_json, gpointer user_data)
{
  FdApiEventStream *es = user_data;
  gsize len;

  if (soup_websocket_connection_get_state (es->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (event_json == NULL)
    {
      soup_websocket_connection_close (es->conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                       "too slow: events were dropped");
      return;
    }
  len = strlen (event_json);
  es->queued += frame_size (len);
  soup_websocket_connection_send_text (es->conn, event_json);
  if (es->queued - es->written <= FD_API_EVENTS_LOW_WATER)
    fd_events_subscriber_drained (es->sub);
  else
    es->waiting = TRUE;
}

static void
on_closed (SoupWebsocketConnection *conn, gpointer user_data)
{
  FdApiEventStream *es = user_data;

  g_hash_table_remove (es->api->event_streams, es); /* frees it */
}

/* The client went away before the 101 was written. */
static void
never_upgraded (SoupServerMessage *msg, gpointer user_data)
{
  g_signal_handlers_disconnect_by_data (msg, user_data);
  event_stream_free (user_data);
}

/* The 101 answer is written: the connection is ours now. */
static void
upgraded (SoupServerMessage *msg, gpointer user_data)
{
  FdApiEventStream *es = user_data;
  FdApi *api = es->api;
  g_autoptr (GIOStream) base = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  g_signal_handlers_disconnect_by_data (msg, es);
  if (api->shutting_down || api->context.events == NULL)
    {
      event_stream_free (es);
      return;
    }
  base = soup_server_message_steal_connection (msg);
  if (base == NULL)
    {
      event_stream_free (es);
      return;
    }
  es->context = g_main_context_ref_thread_default ();
  es->stream = fd_counted_stream_new (base, on_written, es);
  es->conn = soup_websocket_connection_new (
      G_IO_STREAM (es->stream), soup_server_message_get_uri (msg), SOUP_WEBSOCKET_CONNECTION_SERVER,
      soup_message_headers_get_one (headers, "Origin"), NULL, NULL);
  soup_websocket_connection_set_keepalive_interval (es->conn, FD_API_EVENTS_KEEPALIVE_S);
  /* Clients send nothing but control frames; a big message is refused by libsoup. */
  soup_websocket_connection_set_max_incoming_payload_size (es->conn, 4096);
  g_signal_connect (es->conn, "closed", G_CALLBACK (on_closed), es);
  g_hash_table_add (api->event_streams, es);
  es->sub = fd_events_subscribe (api->context.events, es->workspace_id,
                                 (const char *const *)es->types, on_event, es);
}

static gboolean
valid_types (FdApiRequest *req, char **types)
{
  for (guint i = 0; types[i] != NULL; i++)
    if (!g_strv_contains (event_types, types[i]))
      {
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "type",
                            "type must be one of device.online, device.offline, data, "
                            "condition.opened, condition.updated, condition.closed, "
                            "job.execution, job.updated, variable.updated, "
                            "campaign.updated, campaign.target, alert.triggered, "
                            "alert.resolved");
        return FALSE;
      }
  return TRUE;
}

static gboolean
known_workspace (FdApiRequest *req, const char *id)
{
  g_autoptr (GError) error = NULL;

  if (id == NULL)
    return TRUE;
  if (!fd_id_is_valid (id, "wks"))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "workspace",
                          "workspace must be a workspace ID like wks-…");
      return FALSE;
    }
  /* A primary-key lookup on the engine thread's read-only handle, as the token check does. */
  if (!fd_store_workspace_exists (req->api->auth_db, id, &error))
    {
      fd_api_reply_gerror (req, error);
      return FALSE;
    }
  return TRUE;
}

static void
events_get (FdApiRequest *req)
{
  FdApi *api = req->api;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) types = NULL;
  const char *workspace;
  FdApiEventStream *es;

  if (!fd_api_check_params (req, params) || !fd_api_param (req, "workspace", &workspace))
    return;
  types = fd_api_param_all (req, "type");
  if (!valid_types (req, types) || !known_workspace (req, workspace))
    return;
  if (api->context.events == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                          "this server has no events stream");
      return;
    }
  if (!soup_websocket_server_check_handshake (req->msg, NULL, NULL, NULL, &error))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Upgrade",
                                    "websocket");
      fd_api_reply_error (req, 426, "upgrade_required", NULL,
                          "/api/v1/events is a WebSocket: connect with a WebSocket client (%s)",
                          error->message);
      return;
    }
  soup_websocket_server_process_handshake (req->msg, NULL, NULL, NULL, NULL);

  es = g_new0 (FdApiEventStream, 1);
  es->api = api;
  es->token_id = g_strdup (req->token_id);
  es->workspace_id = g_strdup (workspace);
  es->types = types[0] != NULL ? g_steal_pointer (&types) : NULL;
  g_signal_connect (req->msg, "wrote-informational", G_CALLBACK (upgraded), es);
  g_signal_connect (req->msg, "finished", G_CALLBACK (never_upgraded), es);
  fd_api_request_done (req);
}

const FdApiRoute fd_api_event_routes[] = {
  { "GET", "/events", events_get, FALSE },
  { NULL, NULL, NULL, FALSE },
};

void
fd_api_events_init (FdApi *api)
{
  api->event_streams = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                              (GDestroyNotify)event_stream_free, NULL);
}

/* Every stream is told the server is going away and unsubscribed, so the bus can be freed. */
void
fd_api_events_shutdown (FdApi *api)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, api->event_streams);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FdApiEventStream *es = key;

      g_clear_pointer (&es->sub, fd_events_unsubscribe);
      if (soup_websocket_connection_get_state (es->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (es->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                         "the server is shutting down");
    }
}

void
fd_api_events_token_revoked (FdApi *api, const char *token_id)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, api->event_streams);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FdApiEventStream *es = key;

      if (g_strcmp0 (es->token_id, token_id) != 0)
        continue;
      g_clear_pointer (&es->sub, fd_events_unsubscribe);
      if (soup_websocket_connection_get_state (es->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (es->conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                         "the API token was revoked");
    }
}

void
fd_api_events_free (FdApi *api)
{
  g_clear_pointer (&api->event_streams, g_hash_table_destroy);
}
