/* fd-device-mqtt-ws.c — MQTT over a WebSocket (wss://endpoint.host:https_port/mqtt,
 * subprotocol "mqtt"), framed by libsoup's SoupWebsocketConnection: every packet goes out as one
 * binary message; what comes in is fed to the same packet reader as TLS bytes (a message may
 * hold part of a packet, or several).
 *
 * Every client has its own SoupSession: a shared one would pool connections by host, and a
 * connection made with device A's certificate could carry device B's session.
 */
#include "fd-device-mqtt-private.h"

static void
on_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer data)
{
  FdDeviceMqtt *self = data;
  gsize len = 0;
  const guint8 *bytes = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_BINARY)
    {
      fd_device_mqtt_fail (self, g_error_new (FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL,
                                              "%s: the server sent a text WebSocket message; "
                                              "MQTT goes in binary ones",
                                              self->config->host));
      return;
    }
  if (len > 0)
    fd_device_mqtt_feed (self, bytes, len);
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer data)
{
  FdDeviceMqtt *self = data;
  gushort code = soup_websocket_connection_get_close_code (ws);

  fd_device_mqtt_fail (
      self,
      g_error_new (FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_CLOSED,
                   "%s: the server closed the WebSocket (code %u)%s", self->config->host, code,
                   self->state == FD_DEVICE_MQTT_STATE_CONNACK ? " without a CONNACK" : ""));
}

static void
on_error (SoupWebsocketConnection *ws, GError *error, gpointer data)
{
  FdDeviceMqtt *self = data;

  fd_device_mqtt_fail (self, g_error_new (error->domain, error->code, "%s: WebSocket: %s",
                                          self->config->host, error->message));
}

typedef struct
{
  FdDeviceMqtt *self;
  GCancellable *op;
  SoupMessage *msg;
} Step;

static void
step_free (Step *step)
{
  g_object_unref (step->self);
  g_object_unref (step->op);
  g_object_unref (step->msg);
  g_free (step);
}

static void
ws_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Step *step = data;
  FdDeviceMqtt *self = step->self;
  GError *error = NULL;
  SoupWebsocketConnection *ws
      = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  if (self->op != step->op || g_cancellable_is_cancelled (step->op))
    {
      g_clear_error (&error);
      g_clear_object (&ws);
      step_free (step);
      return;
    }
  if (ws == NULL)
    {
      guint status = soup_message_get_status (step->msg);
      GError *wrapped = g_error_new (error->domain, error->code, "%s:%u: WebSocket to /mqtt: %s%s",
                                     self->config->host, self->config->https_port, error->message,
                                     status >= 400 ? " (HTTP status in the answer)" : "");
      g_error_free (error);
      fd_device_mqtt_fail (self, wrapped);
      step_free (step);
      return;
    }
  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, FD_DEVICE_MQTT_MAX_PACKET);
  /* Keep-alive is MQTT's PINGREQ; WebSocket pings would be a second one. */
  soup_websocket_connection_set_keepalive_interval (ws, 0);
  g_signal_connect (ws, "message", G_CALLBACK (on_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (ws, "error", G_CALLBACK (on_error), self);
  fd_device_mqtt_transport_up (self);
  step_free (step);
}

void
fd_device_mqtt_ws_open (FdDeviceMqtt *self)
{
  static const char *protocols[] = { "mqtt", NULL };
  g_autofree char *url = NULL;
  g_autoptr (GUri) uri = NULL;
  Step *step;

  if (self->session == NULL)
    {
      self->session
          = g_object_new (SOUP_TYPE_SESSION, "tls-database", self->trust, "timeout",
                          FD_DEVICE_MQTT_CONNECT_TIMEOUT_S, "local-address", self->local,
                          "remote-connectable", self->address, "proxy-resolver", NULL, NULL);
    }
  uri = g_uri_build (G_URI_FLAGS_NONE, "wss", NULL, self->config->host,
                     (gint)self->config->https_port, "/mqtt", NULL, NULL);
  step = g_new0 (Step, 1);
  step->self = g_object_ref (self);
  step->op = g_object_ref (self->op);
  step->msg = soup_message_new_from_uri ("GET", uri);
  if (self->certificate != NULL)
    soup_message_set_tls_client_certificate (step->msg, self->certificate);
  soup_session_websocket_connect_async (self->session, step->msg, NULL, (char **)protocols,
                                        G_PRIORITY_DEFAULT, self->op, ws_connected, step);
}

void
fd_device_mqtt_ws_flush (FdDeviceMqtt *self)
{
  if (self->ws == NULL)
    return;
  /* libsoup queues what the socket does not take at once. */
  soup_websocket_connection_send_binary (self->ws, self->wbuf->str, self->wbuf->len);
  g_string_truncate (self->wbuf, 0);
  self->woff = 0;
}

void
fd_device_mqtt_ws_close (FdDeviceMqtt *self)
{
  if (self->ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->ws, self);
  if (soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->ws);
}
