/* fd-mqtt-ping.c — PINGREQ / PINGRESP and DISCONNECT. Any packet moves the keep-alive deadline
 * (fd-mqtt-session.c); a PINGREQ is how an idle device does it. */
#include "config.h"

#include "fd-mqtt-private.h"

gboolean
fd_mqtt_handle_pingreq (FdMqttConn *conn, const FdMqttPacket *packet)
{
  if (packet->flags != 0 || packet->len != 0)
    {
      fd_mqtt_conn_protocol_error (conn, "a malformed PINGREQ");
      return FALSE;
    }
  fd_mqtt_put_pingresp (conn->out);
  return TRUE;
}

gboolean
fd_mqtt_handle_disconnect (FdMqttConn *conn, const FdMqttPacket *packet)
{
  if (packet->flags != 0 || packet->len != 0)
    {
      fd_mqtt_conn_protocol_error (conn, "a malformed DISCONNECT");
      return FALSE;
    }
  /* What is still unwritten (acknowledgements) goes first; the device closes its side. */
  fd_mqtt_conn_finish (conn, "disconnected");
  return FALSE;
}
