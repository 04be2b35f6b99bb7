/* fd-mqtt-ws.c — MQTT over WebSocket: an HTTPS device connection upgraded at GET /mqtt
 * (fd-device-routes.c answers the handshake) is framed by libsoup's SoupWebsocketConnection,
 * and its binary messages feed the same session code as TLS. MQTT packets may span messages or
 * share one (MQTT 3.1.1 §6): the session's buffer does not care where a message ended.
 */
#include "config.h"

#include "fd-mqtt-private.h"

static void
ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  FdMqttConn *conn = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_BINARY)
    {
      fd_mqtt_conn_protocol_error (conn, "a text WebSocket message (MQTT needs binary ones)");
      return;
    }
  fd_mqtt_conn_feed (conn, data, len);
}

static void
ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  FdMqttConn *conn = user_data;

  fd_mqtt_conn_close (conn, conn->closing ? conn->close_reason : "connection closed");
}

static void
ws_error (SoupWebsocketConnection *ws, GError *error, gpointer user_data)
{
  FdMqttConn *conn = user_data;

  g_debug ("MQTT WebSocket from %s: %s", conn->peer, error->message);
}

void
fd_mqtt_server_take_websocket (FdMqttServer *server, GIOStream *stream, const char *peer,
                               FdDeviceIdentity *cert_id)
{
  g_autoptr (GUri) uri = g_uri_parse ("wss://localhost/mqtt", G_URI_FLAGS_NONE, NULL);
  GIOStream *base = stream;
  FdMqttConn *conn;

  if (G_IS_TLS_CONNECTION (stream))
    g_object_get (stream, "base-io-stream", &base, NULL);
  else
    g_object_ref (base);
  if (!fd_mqtt_server_admit (server, peer))
    {
      server->stats.connections++;
      if (G_IS_SOCKET_CONNECTION (base))
        g_socket_close (g_socket_connection_get_socket (G_SOCKET_CONNECTION (base)), NULL);
      g_object_unref (base);
      return;
    }
  conn = fd_mqtt_conn_new (server, FD_TRANSPORT_MQTT_WS, g_strdup (peer));
  conn->per_address_counted = TRUE;
  if (G_IS_SOCKET_CONNECTION (base))
    conn->socket = G_SOCKET_CONNECTION (base);
  else
    g_object_unref (base);
  if (cert_id != NULL)
    conn->cert_id = fd_device_identity_ref (cert_id);
  conn->state = FD_MQTT_CONN_WAIT_CONNECT;
  conn->ws = soup_websocket_connection_new (stream, uri, SOUP_WEBSOCKET_CONNECTION_SERVER, NULL,
                                            "mqtt", NULL);
  /* A message is at most one packet's worth; packets larger than the limit are refused by the
   * session code before this matters. */
  soup_websocket_connection_set_max_incoming_payload_size (conn->ws,
                                                           server->config.max_packet_bytes + 16);
  soup_websocket_connection_set_keepalive_interval (conn->ws, 0);
  g_signal_connect (conn->ws, "message", G_CALLBACK (ws_message), conn);
  g_signal_connect (conn->ws, "closed", G_CALLBACK (ws_closed), conn);
  g_signal_connect (conn->ws, "error", G_CALLBACK (ws_error), conn);
  fd_mqtt_conn_arm (conn, server->config.connect_timeout_s);
}

/* libsoup queues what it is given: one message per wakeup, whatever it holds. */
void
fd_mqtt_ws_write (FdMqttConn *conn)
{
  if (soup_websocket_connection_get_state (conn->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (conn->out->len > 0)
    {
      soup_websocket_connection_send_binary (conn->ws, conn->out->data, conn->out->len);
      g_byte_array_set_size (conn->out, 0);
    }
  /* After the last answer, a close frame; "closed" (or the deadline) ends the connection. */
  if (conn->closing)
    soup_websocket_connection_close (conn->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

/* Closes at once: the socket under the TLS stream, so that nothing is written any more. */
void
fd_mqtt_ws_close (FdMqttConn *conn)
{
  g_signal_handlers_disconnect_by_data (conn->ws, conn);
  if (conn->socket != NULL)
    {
      GSocket *socket = g_socket_connection_get_socket (conn->socket);
      if (!g_socket_is_closed (socket))
        g_socket_close (socket, NULL);
    }
}
