/* fd-test-events.c — the events tests' WebSocket client and device posts (fd-test-events.h). */
#include "fd-test-events.h"

static void
on_message (SoupWebsocketConnection *conn, gint type, GBytes *message, gpointer user_data)
{
  FdTeListener *l = user_data;
  g_autoptr (GError) error = NULL;
  JsonNode *node;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  node = json_from_string (g_bytes_get_data (message, NULL), &error);
  g_assert_no_error (error);
  g_ptr_array_add (l->events, node);
}

static void
on_closed (SoupWebsocketConnection *conn, gpointer user_data)
{
  FdTeListener *l = user_data;

  l->closed = TRUE;
  l->close_code = soup_websocket_connection_get_close_code (conn);
}

static void
connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdTeListener *l = user_data;

  l->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);
  l->done = TRUE;
}

/* Only there to end the iteration. */
static gboolean
tick (gpointer data)
{
  return G_SOURCE_REMOVE;
}

void
fd_te_iterate (void)
{
  GSource *source = g_timeout_source_new (FD_TE_TICK_MS);

  g_source_set_callback (source, tick, NULL, NULL);
  g_source_attach (source, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
}

void
fd_te_iterate_until (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + FD_TE_WAIT_LIMIT_US;

  while (!*flag)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      fd_te_iterate ();
    }
}

FdTeListener *
fd_te_listener_open (FdTdServer *s, const char *query, const char *token)
{
  FdTeListener *l = g_new0 (FdTeListener, 1);
  g_autofree char *url = g_strconcat (s->srv->url, "/api/v1/events", query, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

  l->session = soup_session_new ();
  l->events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  if (token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  soup_session_websocket_connect_async (l->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connected, l);
  fd_te_iterate_until (&l->done);
  l->status = soup_message_get_status (msg);
  if (l->conn != NULL)
    {
      g_signal_connect (l->conn, "message", G_CALLBACK (on_message), l);
      g_signal_connect (l->conn, "closed", G_CALLBACK (on_closed), l);
    }
  return l;
}

void
fd_te_listener_free (FdTeListener *l)
{
  if (l->conn != NULL)
    {
      g_signal_handlers_disconnect_by_data (l->conn, l);
      if (soup_websocket_connection_get_state (l->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (l->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (l->conn);
    }
  g_ptr_array_unref (l->events);
  g_object_unref (l->session);
  g_free (l);
}

JsonObject *
fd_te_event_at (FdTeListener *l, guint i)
{
  return json_node_get_object (g_ptr_array_index (l->events, i));
}

JsonObject *
fd_te_event_data (JsonObject *event)
{
  return json_object_get_object_member (event, "data");
}

gboolean
fd_te_event_is (JsonObject *e, const char *type, const char *device_id)
{
  return g_str_equal (json_object_get_string_member (e, "type"), type)
         && g_strcmp0 (json_object_get_string_member (e, "device_id"), device_id) == 0;
}

/* Waits for the first event of @type from @device_id after index @from; returns its index. */
guint
fd_te_wait_event (FdTeListener *l, guint from, const char *type, const char *device_id)
{
  gint64 deadline = g_get_monotonic_time () + FD_TE_WAIT_LIMIT_US;

  for (guint i = from;; i++)
    {
      while (i >= l->events->len)
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("no %s event from %s", type, device_id);
          fd_te_iterate ();
        }
      if (fd_te_event_is (fd_te_event_at (l, i), type, device_id))
        return i;
    }
}

/* Sums the counts of @device_id's data events of @tag. */
gint64
fd_te_data_count (FdTeListener *l, const char *device_id, const char *tag, guint *n_events)
{
  gint64 sum = 0;

  *n_events = 0;
  for (guint i = 0; i < l->events->len; i++)
    {
      JsonObject *e = fd_te_event_at (l, i);
      if (!fd_te_event_is (e, "data", device_id)
          || !g_str_equal (json_object_get_string_member (fd_te_event_data (e), "tag"), tag))
        continue;
      sum += json_object_get_int_member (fd_te_event_data (e), "count");
      (*n_events)++;
    }
  return sum;
}

/* Posts @body to /v1/data/@tag on an open connection of the device. */
void
fd_te_post_data (FdTdRaw *raw, const char *tag, const char *body)
{
  g_autofree char *path = g_strconcat ("/v1/data/", tag, NULL);
  g_autofree char *req = fd_td_request ("POST", path, NULL, body);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (raw, req);
  g_assert_true (fd_td_raw_response (raw, &resp));
  g_assert_cmpuint (resp.status, ==, 202);
}

FdTdRaw *
fd_te_device_connect (FdTdServer *s, const FdTdDevice *d)
{
  g_autoptr (GError) error = NULL;
  FdTdRaw *raw = fd_td_raw_open (s, d, &error);

  g_assert_no_error (error);
  return raw;
}

void
fd_te_post_up (FdTdRaw *raw, const char *body, guint status)
{
  fd_td_raw_up (raw, body, status);
}
