/* fd-device-mqtt-codec.c — MQTT 3.1.1 packets a device sends and receives, as bytes. */
#include "fd-device-mqtt-codec.h"

#include <string.h>

/* Not G_DEFINE_QUARK: clang-format would put spaces into the quark's name. */
GQuark
fd_device_mqtt_error_quark (void)
{
  return g_quark_from_static_string ("fd-device-mqtt-error-quark");
}

/* ---- writing ------------------------------------------------------------------------------- */

static void
append_u16 (GString *out, guint v)
{
  g_string_append_c (out, (char)((v >> 8) & 0xff));
  g_string_append_c (out, (char)(v & 0xff));
}

/* A UTF-8 string field: two bytes of length, then the bytes. Callers give at most 65,535. */
static void
append_str (GString *out, const char *s, gsize len)
{
  g_assert (len <= 0xffff);
  append_u16 (out, (guint)len);
  g_string_append_len (out, s, (gssize)len);
}

/* The fixed header: the first byte and the remaining length in 1–4 bytes of seven bits. */
static void
append_fixed (GString *out, guint8 first, gsize remaining)
{
  g_assert (remaining <= FD_DEVICE_MQTT_MAX_REMAINING);
  g_string_append_c (out, (char)first);
  do
    {
      guint8 b = remaining & 0x7f;
      remaining >>= 7;
      if (remaining > 0)
        b |= 0x80;
      g_string_append_c (out, (char)b);
    }
  while (remaining > 0);
}

void
fd_device_mqtt_append_connect (GString *out, const char *client_id, const char *username,
                               const char *password, guint16 keepalive_s)
{
  gsize id_len = strlen (client_id);
  gsize user_len = username ? strlen (username) : 0;
  gsize pass_len = password ? strlen (password) : 0;
  /* "MQTT", level, flags, keep-alive; then the payload's strings. */
  gsize remaining = 2 + 4 + 1 + 1 + 2 + 2 + id_len;
  guint8 flags = 0x02; /* clean session: Zerynth's clients connect so */

  g_return_if_fail (password == NULL || username != NULL);
  if (username != NULL)
    {
      flags |= 0x80;
      remaining += 2 + user_len;
    }
  if (password != NULL)
    {
      flags |= 0x40;
      remaining += 2 + pass_len;
    }
  append_fixed (out, FD_DEVICE_MQTT_CONNECT << 4, remaining);
  append_str (out, "MQTT", 4);
  g_string_append_c (out, 4); /* 3.1.1 */
  g_string_append_c (out, (char)flags);
  append_u16 (out, keepalive_s);
  append_str (out, client_id, id_len);
  if (username != NULL)
    append_str (out, username, user_len);
  if (password != NULL)
    append_str (out, password, pass_len);
}

void
fd_device_mqtt_append_publish (GString *out, const char *topic, const void *payload,
                               gsize payload_len, guint qos, guint16 packet_id)
{
  gsize topic_len = strlen (topic);
  gsize remaining = 2 + topic_len + (qos > 0 ? 2 : 0) + payload_len;

  g_return_if_fail (qos <= 1 && (qos == 0 || packet_id != 0));
  append_fixed (out, (guint8)(FD_DEVICE_MQTT_PUBLISH << 4 | qos << 1), remaining);
  append_str (out, topic, topic_len);
  if (qos > 0)
    append_u16 (out, packet_id);
  g_string_append_len (out, payload, (gssize)payload_len);
}

void
fd_device_mqtt_append_puback (GString *out, guint16 packet_id)
{
  append_fixed (out, FD_DEVICE_MQTT_PUBACK << 4, 2);
  append_u16 (out, packet_id);
}

void
fd_device_mqtt_append_subscribe (GString *out, guint16 packet_id, const char *filter, guint qos)
{
  gsize filter_len = strlen (filter);

  /* SUBSCRIBE's reserved flags are 0010 (§3.8.1). */
  append_fixed (out, FD_DEVICE_MQTT_SUBSCRIBE << 4 | 0x02, 2 + 2 + filter_len + 1);
  append_u16 (out, packet_id);
  append_str (out, filter, filter_len);
  g_string_append_c (out, (char)qos);
}

void
fd_device_mqtt_append_pingreq (GString *out)
{
  append_fixed (out, FD_DEVICE_MQTT_PINGREQ << 4, 0);
}

void
fd_device_mqtt_append_disconnect (GString *out)
{
  append_fixed (out, FD_DEVICE_MQTT_DISCONNECT << 4, 0);
}

/* ---- reading ------------------------------------------------------------------------------- */

static gboolean
protocol_error (GError **error, const char *what)
{
  g_set_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL,
               "the server sent a malformed packet: %s", what);
  return FALSE;
}

int
fd_device_mqtt_parse (const guint8 *buf, gsize len, gsize max_packet, FdDeviceMqttPacket *packet,
                      gsize *consumed, GError **error)
{
  gsize remaining = 0;
  guint shift = 0;
  gsize i = 1;

  if (len < 2)
    return 0;
  for (;; i++)
    {
      if (i > 4)
        {
          protocol_error (error, "a remaining length of more than four bytes");
          return -1;
        }
      if (i >= len)
        return 0;
      remaining |= (gsize)(buf[i] & 0x7f) << shift;
      shift += 7;
      if ((buf[i] & 0x80) == 0)
        break;
    }
  if (remaining + i + 1 > max_packet)
    {
      g_set_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_TOO_LARGE,
                   "the server sent a packet of %" G_GSIZE_FORMAT " bytes (at most %" G_GSIZE_FORMAT
                   " are taken)",
                   remaining + i + 1, max_packet);
      return -1;
    }
  if (len < i + 1 + remaining)
    return 0;
  packet->type = buf[0] >> 4;
  packet->flags = buf[0] & 0x0f;
  packet->body = buf + i + 1;
  packet->len = remaining;
  *consumed = i + 1 + remaining;
  return 1;
}

static guint16
get_u16 (const guint8 *p)
{
  return (guint16)(p[0] << 8 | p[1]);
}

gboolean
fd_device_mqtt_read_connack (const FdDeviceMqttPacket *packet, guint8 *return_code, GError **error)
{
  if (packet->type != FD_DEVICE_MQTT_CONNACK || packet->len != 2 || packet->flags != 0)
    return protocol_error (error, "a CONNACK that is not 2 bytes");
  if (packet->body[0] & 0xfe)
    return protocol_error (error, "CONNACK flags other than session-present");
  *return_code = packet->body[1];
  return TRUE;
}

gboolean
fd_device_mqtt_read_publish (const FdDeviceMqttPacket *packet, FdDeviceMqttPublish *out,
                             GError **error)
{
  gsize at;

  memset (out, 0, sizeof *out);
  out->qos = (packet->flags >> 1) & 0x03;
  out->retain = packet->flags & 0x01;
  out->dup = (packet->flags & 0x08) != 0;
  if (out->qos > 2)
    return protocol_error (error, "a PUBLISH with QoS 3");
  if (packet->len < 2)
    return protocol_error (error, "a PUBLISH without a topic");
  out->topic_len = get_u16 (packet->body);
  at = 2 + out->topic_len;
  if (at > packet->len)
    return protocol_error (error, "a PUBLISH topic longer than the packet");
  out->topic = (const char *)packet->body + 2;
  if (!g_utf8_validate (out->topic, (gssize)out->topic_len, NULL)
      || memchr (out->topic, '\0', out->topic_len) != NULL)
    return protocol_error (error, "a PUBLISH topic that is not UTF-8");
  if (out->qos > 0)
    {
      if (at + 2 > packet->len)
        return protocol_error (error, "a PUBLISH without its packet identifier");
      out->packet_id = get_u16 (packet->body + at);
      at += 2;
      if (out->packet_id == 0)
        return protocol_error (error, "a PUBLISH with packet identifier 0");
    }
  out->payload = packet->body + at;
  out->payload_len = packet->len - at;
  return TRUE;
}

gboolean
fd_device_mqtt_read_puback (const FdDeviceMqttPacket *packet, guint16 *packet_id, GError **error)
{
  if (packet->type != FD_DEVICE_MQTT_PUBACK || packet->len != 2)
    return protocol_error (error, "a PUBACK that is not 2 bytes");
  *packet_id = get_u16 (packet->body);
  return TRUE;
}

gboolean
fd_device_mqtt_read_suback (const FdDeviceMqttPacket *packet, guint16 *packet_id, guint8 *code,
                            GError **error)
{
  if (packet->type != FD_DEVICE_MQTT_SUBACK || packet->len < 3)
    return protocol_error (error, "a SUBACK without a return code");
  *packet_id = get_u16 (packet->body);
  *code = packet->body[2];
  return TRUE;
}

const char *
fd_device_mqtt_connack_text (guint8 return_code)
{
  switch (return_code)
    {
    case 0:
      return "accepted";
    case 1:
      return "unacceptable protocol version";
    case 2:
      return "client identifier rejected (it must be the device id)";
    case 3:
      return "server unavailable";
    case 4:
      return "bad user name or password (token)";
    case 5:
      return "not authorised (revoked, unknown or no credential)";
    default:
      return "an unknown return code";
    }
}
