/* fd-mqtt-subscribe.c — SUBSCRIBE / SUBACK and UNSUBSCRIBE / UNSUBACK. A device may subscribe to
 * its own j/dn/<device> only, at QoS 0 or 1 (granted as asked, at most 1); any other filter gets
 * the failure code 0x80 and changes nothing.
 */
#include "config.h"

#include "fd-mqtt-private.h"

#include <string.h>

/* Filters in one SUBSCRIBE or UNSUBSCRIBE: a bound on the answer we build. */
#define MAX_FILTERS 64

static gboolean
is_own_dn (FdMqttConn *conn, const char *filter, gsize len)
{
  return len == strlen (conn->dn_topic) && memcmp (filter, conn->dn_topic, len) == 0;
}

gboolean
fd_mqtt_handle_subscribe (FdMqttConn *conn, const FdMqttPacket *packet)
{
  FdMqttReader r;
  guint8 codes[MAX_FILTERS];
  guint n = 0;
  guint16 id = 0;

  fd_mqtt_reader_init (&r, packet);
  /* §3.8.1: the fixed header's flags are 0010. */
  if (packet->flags != 0x2 || !fd_mqtt_read_u16 (&r, &id) || id == 0)
    goto malformed;
  while (fd_mqtt_reader_left (&r) > 0)
    {
      const char *filter;
      gsize len;
      guint8 qos;

      if (!fd_mqtt_read_string (&r, &filter, &len) || len == 0 || !fd_mqtt_read_u8 (&r, &qos)
          || qos > 2)
        goto malformed;
      if (n == MAX_FILTERS)
        {
          fd_mqtt_conn_protocol_error (conn, "a SUBSCRIBE with too many filters");
          return FALSE;
        }
      if (is_own_dn (conn, filter, len))
        {
          codes[n] = MIN (qos, 1);
          conn->session.subscribed = TRUE;
        }
      else
        {
          codes[n] = FD_MQTT_SUBACK_FAILURE;
          conn->server->stats.refused_subscriptions++;
          g_debug ("MQTT device %s: subscription to \"%.*s\" refused", conn->session.who->device_id,
                   (int)MIN (len, 200), filter);
        }
      n++;
    }
  if (n == 0 || !fd_mqtt_reader_done (&r))
    goto malformed;
  fd_mqtt_put_suback (conn->out, id, codes, n);
  return TRUE;

malformed:
  fd_mqtt_conn_protocol_error (conn, "a malformed SUBSCRIBE");
  return FALSE;
}

gboolean
fd_mqtt_handle_unsubscribe (FdMqttConn *conn, const FdMqttPacket *packet)
{
  FdMqttReader r;
  guint16 id = 0;
  guint n = 0;

  fd_mqtt_reader_init (&r, packet);
  if (packet->flags != 0x2 || !fd_mqtt_read_u16 (&r, &id) || id == 0)
    goto malformed;
  while (fd_mqtt_reader_left (&r) > 0)
    {
      const char *filter;
      gsize len;

      if (!fd_mqtt_read_string (&r, &filter, &len) || len == 0)
        goto malformed;
      /* Down-messages already sent are still resent until acknowledged (§4.3.2). */
      if (is_own_dn (conn, filter, len))
        conn->session.subscribed = FALSE;
      n++;
    }
  if (n == 0 || !fd_mqtt_reader_done (&r))
    goto malformed;
  fd_mqtt_put_unsuback (conn->out, id);
  return TRUE;

malformed:
  fd_mqtt_conn_protocol_error (conn, "a malformed UNSUBSCRIBE");
  return FALSE;
}
