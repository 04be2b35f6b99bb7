/* fd-mqtt-codec.c — framing, field reading and packet writing for MQTT 3.1.1
 * (fd-mqtt-codec.h). */
#include "config.h"

#include "fd-mqtt-codec.h"

#include <string.h>

/* The remaining length is at most four bytes of seven bits each (§2.2.3). */
#define MAX_LENGTH_BYTES 4

FdMqttFrame
fd_mqtt_frame (const guint8 *data, gsize len, gsize max_packet, FdMqttPacket *packet)
{
  gsize remaining = 0, i = 1;
  guint shift = 0;

  if (len < 2)
    return FD_MQTT_FRAME_NEED_MORE;
  for (;;)
    {
      guint8 b;

      if (i > MAX_LENGTH_BYTES)
        return FD_MQTT_FRAME_MALFORMED;
      if (i >= len)
        return FD_MQTT_FRAME_NEED_MORE;
      b = data[i++];
      remaining |= (gsize)(b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0)
        break;
    }
  if (remaining + i > max_packet)
    return FD_MQTT_FRAME_TOO_LARGE;
  if (len - i < remaining)
    return FD_MQTT_FRAME_NEED_MORE;
  packet->type = data[0] >> 4;
  packet->flags = data[0] & 0x0f;
  packet->body = data + i;
  packet->len = remaining;
  packet->total = i + remaining;
  return FD_MQTT_FRAME_OK;
}

/* Reading. */

void
fd_mqtt_reader_init (FdMqttReader *r, const FdMqttPacket *packet)
{
  r->p = packet->body;
  r->end = packet->body + packet->len;
  r->bad = FALSE;
}

static gboolean
need (FdMqttReader *r, gsize n)
{
  if (r->bad || (gsize)(r->end - r->p) < n)
    {
      r->bad = TRUE;
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_mqtt_read_u8 (FdMqttReader *r, guint8 *v)
{
  if (!need (r, 1))
    return FALSE;
  *v = *r->p++;
  return TRUE;
}

gboolean
fd_mqtt_read_u16 (FdMqttReader *r, guint16 *v)
{
  if (!need (r, 2))
    return FALSE;
  *v = (guint16)((r->p[0] << 8) | r->p[1]);
  r->p += 2;
  return TRUE;
}

gboolean
fd_mqtt_read_binary (FdMqttReader *r, const guint8 **data, gsize *len)
{
  guint16 n;

  if (!fd_mqtt_read_u16 (r, &n) || !need (r, n))
    return FALSE;
  *data = r->p;
  *len = n;
  r->p += n;
  return TRUE;
}

gboolean
fd_mqtt_read_string (FdMqttReader *r, const char **s, gsize *len)
{
  const guint8 *data;

  if (!fd_mqtt_read_binary (r, &data, len))
    return FALSE;
  /* g_utf8_validate_len() refuses NUL bytes and surrogate code points, as §1.5.3 does. */
  if (!g_utf8_validate_len ((const char *)data, *len, NULL))
    {
      r->bad = TRUE;
      return FALSE;
    }
  *s = (const char *)data;
  return TRUE;
}

gsize
fd_mqtt_reader_left (const FdMqttReader *r)
{
  return r->bad ? 0 : (gsize)(r->end - r->p);
}

gboolean
fd_mqtt_reader_done (const FdMqttReader *r)
{
  return !r->bad && r->p == r->end;
}

/* Writing. */

static void
put_header (GByteArray *out, guint8 first, gsize remaining)
{
  guint8 buf[1 + MAX_LENGTH_BYTES];
  guint n = 0;

  g_assert (remaining < 268435456); /* what four bytes of remaining length can say */
  buf[n++] = first;
  do
    {
      guint8 b = remaining & 0x7f;
      remaining >>= 7;
      if (remaining > 0)
        b |= 0x80;
      buf[n++] = b;
    }
  while (remaining > 0);
  g_byte_array_append (out, buf, n);
}

static void
put_u16 (GByteArray *out, guint16 v)
{
  guint8 b[2] = { v >> 8, v & 0xff };
  g_byte_array_append (out, b, 2);
}

void
fd_mqtt_put_connack (GByteArray *out, gboolean session_present, FdMqttConnack code)
{
  guint8 b[4] = { FD_MQTT_CONNACK << 4, 2, session_present ? 1 : 0, (guint8)code };
  g_byte_array_append (out, b, sizeof b);
}

void
fd_mqtt_put_puback (GByteArray *out, guint16 packet_id)
{
  guint8 b[4] = { FD_MQTT_PUBACK << 4, 2, packet_id >> 8, packet_id & 0xff };
  g_byte_array_append (out, b, sizeof b);
}

void
fd_mqtt_put_suback (GByteArray *out, guint16 packet_id, const guint8 *codes, guint n)
{
  put_header (out, FD_MQTT_SUBACK << 4, 2 + (gsize)n);
  put_u16 (out, packet_id);
  g_byte_array_append (out, codes, n);
}

void
fd_mqtt_put_unsuback (GByteArray *out, guint16 packet_id)
{
  guint8 b[4] = { FD_MQTT_UNSUBACK << 4, 2, packet_id >> 8, packet_id & 0xff };
  g_byte_array_append (out, b, sizeof b);
}

void
fd_mqtt_put_pingresp (GByteArray *out)
{
  guint8 b[2] = { FD_MQTT_PINGRESP << 4, 0 };
  g_byte_array_append (out, b, sizeof b);
}

void
fd_mqtt_put_publish (GByteArray *out, const char *topic, guint qos, gboolean dup, guint16 packet_id,
                     const void *payload, gsize len)
{
  gsize topic_len = strlen (topic);
  guint8 first = (FD_MQTT_PUBLISH << 4) | (dup ? 0x08 : 0) | ((qos & 3) << 1);

  g_assert (topic_len <= G_MAXUINT16 && qos <= 1);
  put_header (out, first, 2 + topic_len + (qos > 0 ? 2 : 0) + len);
  put_u16 (out, (guint16)topic_len);
  g_byte_array_append (out, (const guint8 *)topic, (guint)topic_len);
  if (qos > 0)
    put_u16 (out, packet_id);
  g_byte_array_append (out, payload, (guint)len);
}
