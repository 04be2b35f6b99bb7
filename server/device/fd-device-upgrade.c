/* fd-device-upgrade.c — GET /mqtt on the HTTPS device endpoint: the WebSocket handshake
 * (RFC 6455 §4.2) for MQTT over WebSocket, subprotocol "mqtt". The request is judged from its
 * head; the 101 answer carries Sec-WebSocket-Accept, and once it is written the TLS stream
 * belongs to the MQTT server (fd_mqtt_server_take_websocket), which authenticates the device
 * at CONNECT — with the client certificate of this TLS connection, or a password.
 */
#include "config.h"

#include "fd-device-private.h"

#include <string.h>

/* RFC 6455 §1.3 */
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* TRUE when the comma-separated @list holds @token (case-insensitive, as subprotocol tokens
 * are compared by clients in practice). */
static gboolean
list_has (const char *list, const char *token)
{
  g_auto (GStrv) parts = g_strsplit (list, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (parts[i]), token) == 0)
      return TRUE;
  return FALSE;
}

/* A Sec-WebSocket-Key is the base64 of 16 bytes: 24 characters. */
static gboolean
key_ok (const char *key)
{
  gsize n = 0;
  g_autofree guchar *raw = NULL;

  if (key == NULL || strlen (key) != 24)
    return FALSE;
  for (const char *p = key; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;
  raw = g_base64_decode (key, &n);
  return n == 16;
}

gboolean
fd_device_upgrade_head (FdDeviceConn *conn, const FdHttpRequest *req)
{
  if (conn->server->mqtt == NULL)
    return fd_device_refuse (conn, 404, "not_found", NULL, FALSE,
                             "MQTT over WebSocket is not served here");
  if (!req->upgrade_websocket)
    return fd_device_refuse (conn, 426, "upgrade_required", "Upgrade: websocket", FALSE,
                             "/mqtt is MQTT over WebSocket: send \"Upgrade: websocket\" and "
                             "\"Connection: Upgrade\"");
  if (req->ws_version == NULL || !g_str_equal (req->ws_version, "13"))
    return fd_device_refuse (conn, 426, "upgrade_required", "Sec-WebSocket-Version: 13", FALSE,
                             "only WebSocket version 13 is spoken here");
  if (!key_ok (req->ws_key))
    return fd_device_refuse (conn, 400, "bad_request", NULL, FALSE,
                             "the Sec-WebSocket-Key must be the base64 of 16 bytes");
  if (req->ws_protocol == NULL || !list_has (req->ws_protocol, "mqtt"))
    return fd_device_refuse (conn, 400, "bad_request", NULL, FALSE,
                             "/mqtt needs the WebSocket subprotocol \"mqtt\" "
                             "(Sec-WebSocket-Protocol: mqtt)");
  if (req->content_length > 0)
    return fd_device_refuse (conn, 400, "bad_request", NULL, TRUE,
                             "a WebSocket handshake has no body");
  return TRUE;
}

/* Sec-WebSocket-Accept: base64 (SHA-1 (key + GUID)). */
static char *
accept_value (const char *key)
{
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_checksum_update (sha1, (const guchar *)key, -1);
  g_checksum_update (sha1, (const guchar *)WS_GUID, -1);
  g_checksum_get_digest (sha1, digest, &len);
  return g_base64_encode (digest, len);
}

void
fd_device_upgrade_handle (FdDeviceConn *conn, const FdHttpRequest *req)
{
  g_autofree char *accept = accept_value (req->ws_key);
  char *answer = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                                  "Upgrade: websocket\r\n"
                                  "Connection: Upgrade\r\n"
                                  "Sec-WebSocket-Accept: %s\r\n"
                                  "Sec-WebSocket-Protocol: mqtt\r\n"
                                  "\r\n",
                                  accept);

  fd_device_conn_switch_to_mqtt (conn, g_bytes_new_take (answer, strlen (answer)));
}

/* The 101 is written: the MQTT server takes the TLS stream (and the client certificate's
 * identity), and this connection ends without closing it. A client must wait for the 101
 * before it sends frames (RFC 6455 §4.1): bytes already here are a violation, and close. */
void
fd_device_upgrade_hand_over (FdDeviceConn *conn)
{
  FdDeviceServer *server = conn->server;
  g_autoptr (GIOStream) stream = G_IO_STREAM (g_object_ref (conn->tls));
  g_autofree char *peer = g_strdup (conn->peer);
  g_autoptr (FdDeviceIdentity) cert_id
      = conn->cert_id ? fd_device_identity_ref (conn->cert_id) : NULL;

  fd_http_parser_next (conn->parser);
  if (fd_http_parser_pending (conn->parser) > 0 || server->mqtt == NULL)
    {
      fd_device_conn_close (conn);
      return;
    }
  g_signal_handlers_disconnect_by_data (conn->tls, conn);
  conn->handed_over = TRUE;
  fd_device_conn_close (conn);
  fd_mqtt_server_take_websocket (server->mqtt, stream, peer, cert_id);
}
