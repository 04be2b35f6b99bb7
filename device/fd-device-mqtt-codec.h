/* fd-device-mqtt-codec.h — the bytes of the MQTT 3.1.1 packets a device sends and receives
 * (OASIS MQTT 3.1.1, §2–§3): CONNECT, PUBLISH, PUBACK, SUBSCRIBE, PINGREQ and DISCONNECT out;
 * CONNACK, PUBLISH, PUBACK, SUBACK and PINGRESP in.
 *
 * Pure functions on buffers, no I/O: the client (fd-device-mqtt.c) and the unit test share
 * them, and a simulator can build a packet once and send it many times.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_DEVICE_MQTT_ERROR (fd_device_mqtt_error_quark ())
GQuark fd_device_mqtt_error_quark (void);

typedef enum
{
  FD_DEVICE_MQTT_ERROR_PROTOCOL,  /* a malformed packet, or one a client never gets */
  FD_DEVICE_MQTT_ERROR_TOO_LARGE, /* over the client's packet limit */
  FD_DEVICE_MQTT_ERROR_REFUSED,   /* CONNACK with a return code other than 0 (the code) */
  FD_DEVICE_MQTT_ERROR_CLOSED,    /* the server closed the connection */
  FD_DEVICE_MQTT_ERROR_TIMEOUT,   /* no CONNACK, PUBACK or PINGRESP in time */
  FD_DEVICE_MQTT_ERROR_CONFIG,    /* the zdevice.json lacks what MQTT needs (endpoint.port) */
} FdDeviceMqttError;

typedef enum
{
  FD_DEVICE_MQTT_CONNECT = 1,
  FD_DEVICE_MQTT_CONNACK = 2,
  FD_DEVICE_MQTT_PUBLISH = 3,
  FD_DEVICE_MQTT_PUBACK = 4,
  FD_DEVICE_MQTT_SUBSCRIBE = 8,
  FD_DEVICE_MQTT_SUBACK = 9,
  FD_DEVICE_MQTT_PINGREQ = 12,
  FD_DEVICE_MQTT_PINGRESP = 13,
  FD_DEVICE_MQTT_DISCONNECT = 14,
} FdDeviceMqttType;

/* The largest packet a device accepts from the server (a down-message). */
#define FD_DEVICE_MQTT_MAX_PACKET (1024 * 1024)
/* The remaining length's encoding tops out at 268,435,455 (four bytes of seven bits). */
#define FD_DEVICE_MQTT_MAX_REMAINING 268435455

/* One packet as received: its type, the flags of the first byte and the variable header with
 * the payload (pointing into the caller's buffer). */
typedef struct
{
  FdDeviceMqttType type;
  guint8 flags;
  const guint8 *body;
  gsize len;
} FdDeviceMqttPacket;

/* A PUBLISH as received; the topic is not NUL-terminated. */
typedef struct
{
  const char *topic;
  gsize topic_len;
  guint qos;
  gboolean retain;
  gboolean dup;
  guint16 packet_id; /* 0 for QoS 0 */
  const guint8 *payload;
  gsize payload_len;
} FdDeviceMqttPublish;

/* CONNECT with clean session, MQTT 3.1.1 (protocol level 4). @username and @password may be
 * NULL (a password needs a username). */
void fd_device_mqtt_append_connect (GString *out, const char *client_id, const char *username,
                                    const char *password, guint16 keepalive_s);
/* PUBLISH of @payload on @topic; @packet_id is used for QoS 1 (it must not be 0 then). */
void fd_device_mqtt_append_publish (GString *out, const char *topic, const void *payload,
                                    gsize payload_len, guint qos, guint16 packet_id);
void fd_device_mqtt_append_puback (GString *out, guint16 packet_id);
/* SUBSCRIBE to one topic filter at @qos. */
void fd_device_mqtt_append_subscribe (GString *out, guint16 packet_id, const char *filter,
                                      guint qos);
void fd_device_mqtt_append_pingreq (GString *out);
void fd_device_mqtt_append_disconnect (GString *out);

/* Finds the first whole packet in @buf. Returns 1 with *@packet and *@consumed set, 0 when
 * more bytes are needed, -1 (with @error) when the bytes cannot be MQTT or the packet is over
 * @max_packet bytes. Only the fixed header is checked here. */
int fd_device_mqtt_parse (const guint8 *buf, gsize len, gsize max_packet,
                          FdDeviceMqttPacket *packet, gsize *consumed, GError **error);

/* The variable headers of the packets a client receives; FALSE (with @error) when malformed. */
gboolean fd_device_mqtt_read_connack (const FdDeviceMqttPacket *packet, guint8 *return_code,
                                      GError **error);
gboolean fd_device_mqtt_read_publish (const FdDeviceMqttPacket *packet, FdDeviceMqttPublish *out,
                                      GError **error);
/* PUBACK (and the packet id of a SUBACK with its first return code in *@code). */
gboolean fd_device_mqtt_read_puback (const FdDeviceMqttPacket *packet, guint16 *packet_id,
                                     GError **error);
gboolean fd_device_mqtt_read_suback (const FdDeviceMqttPacket *packet, guint16 *packet_id,
                                     guint8 *code, GError **error);

/* What a CONNACK return code means, for messages. */
const char *fd_device_mqtt_connack_text (guint8 return_code);

G_END_DECLS
