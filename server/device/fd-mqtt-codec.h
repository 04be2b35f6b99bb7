/* fd-mqtt-codec.h — the bytes of MQTT 3.1.1: framing (fixed header, remaining length), reading
 * the fields of a packet with bounds checks, and writing the packets the server sends.
 *
 * Nothing here knows of connections: bytes in, packets out, so every rule can be tested on
 * plain memory.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FD_MQTT_CONNECT = 1,
  FD_MQTT_CONNACK = 2,
  FD_MQTT_PUBLISH = 3,
  FD_MQTT_PUBACK = 4,
  FD_MQTT_PUBREC = 5,
  FD_MQTT_PUBREL = 6,
  FD_MQTT_PUBCOMP = 7,
  FD_MQTT_SUBSCRIBE = 8,
  FD_MQTT_SUBACK = 9,
  FD_MQTT_UNSUBSCRIBE = 10,
  FD_MQTT_UNSUBACK = 11,
  FD_MQTT_PINGREQ = 12,
  FD_MQTT_PINGRESP = 13,
  FD_MQTT_DISCONNECT = 14,
} FdMqttType;

/* CONNACK return codes (MQTT 3.1.1 §3.2.2.3). */
typedef enum
{
  FD_MQTT_ACCEPTED = 0,
  FD_MQTT_REFUSED_PROTOCOL = 1,
  FD_MQTT_REFUSED_CLIENT_ID = 2,
  FD_MQTT_REFUSED_UNAVAILABLE = 3,
  FD_MQTT_REFUSED_CREDENTIALS = 4,
  FD_MQTT_REFUSED_NOT_AUTHORISED = 5,
} FdMqttConnack;

#define FD_MQTT_SUBACK_FAILURE 0x80

/* One packet framed in a buffer. */
typedef struct
{
  guint8 type;        /* FdMqttType */
  guint8 flags;       /* the low four bits of the first byte */
  const guint8 *body; /* variable header and payload: the remaining length */
  gsize len;
  gsize total; /* the whole packet, fixed header included */
} FdMqttPacket;

typedef enum
{
  FD_MQTT_FRAME_NEED_MORE, /* not all of the packet is here yet */
  FD_MQTT_FRAME_OK,
  FD_MQTT_FRAME_MALFORMED, /* a remaining length of more than four bytes */
  FD_MQTT_FRAME_TOO_LARGE, /* over @max_packet: known from the fixed header alone */
} FdMqttFrame;

/* Frames the packet at the start of @data (@len bytes). @max_packet bounds the whole packet.
 * TOO_LARGE is decided as soon as the remaining length is read, before its bytes arrive. */
FdMqttFrame fd_mqtt_frame (const guint8 *data, gsize len, gsize max_packet, FdMqttPacket *packet);

/* Reading the fields of a packet's body: every read checks what is left; after a failed read
 * the reader stays failed and later reads fail too. */
typedef struct
{
  const guint8 *p;
  const guint8 *end;
  gboolean bad;
} FdMqttReader;

void fd_mqtt_reader_init (FdMqttReader *r, const FdMqttPacket *packet);
gboolean fd_mqtt_read_u8 (FdMqttReader *r, guint8 *v);
gboolean fd_mqtt_read_u16 (FdMqttReader *r, guint16 *v);
/* A length-prefixed field: *@data points into the packet. */
gboolean fd_mqtt_read_binary (FdMqttReader *r, const guint8 **data, gsize *len);
/* A UTF-8 string (§1.5.3): valid UTF-8, no U+0000, no surrogates; not NUL-terminated. */
gboolean fd_mqtt_read_string (FdMqttReader *r, const char **s, gsize *len);
/* What is left of the body (a PUBLISH's application message). */
gsize fd_mqtt_reader_left (const FdMqttReader *r);
gboolean fd_mqtt_reader_done (const FdMqttReader *r);

/* Writing: each appends one complete packet to @out. */
void fd_mqtt_put_connack (GByteArray *out, gboolean session_present, FdMqttConnack code);
void fd_mqtt_put_puback (GByteArray *out, guint16 packet_id);
void fd_mqtt_put_suback (GByteArray *out, guint16 packet_id, const guint8 *codes, guint n);
void fd_mqtt_put_unsuback (GByteArray *out, guint16 packet_id);
void fd_mqtt_put_pingresp (GByteArray *out);
/* @qos 0 or 1 (@packet_id unused for 0). */
void fd_mqtt_put_publish (GByteArray *out, const char *topic, guint qos, gboolean dup,
                          guint16 packet_id, const void *payload, gsize len);

G_END_DECLS
