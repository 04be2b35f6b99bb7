/* fd-test-mqtt.h — what the MQTT tests share: the server under test (fd_tm_srv), the real
 * peers (mosquitto_pub, tests/mqtt-client.py on paho-mqtt 1.6), and raw MQTT bytes over a GIO
 * TLS connection for what clients never send. */
#pragma once

#include "fd-test-device.h"

G_BEGIN_DECLS

extern FdTdServer *fd_tm_srv;

int fd_tm_run (const char *const *argv, char **out);

/* mosquitto_pub with @d's credential (certificate, or @password as device id + password). */
int fd_tm_mosquitto_pub (const FdTdDevice *d, const char *client_id, const char *password,
                         const char *topic, const char *message, const char *qos, char **out);

/* tests/mqtt-client.py (paho) with @d's certificate or password, and @extra arguments; returns
 * its output lines parsed, one JSON node each. */
GPtrArray *fd_tm_paho (const FdTdDevice *d, const char *password, gboolean ws,
                       const char *const *extra);

/* The first event with member @name, or NULL. */
JsonNode *fd_tm_event (GPtrArray *events, const char *name, guint nth);

/* Readings stored under @tag for @d (GET /api/v1/devices/{id}/tags). */
gint64 fd_tm_readings (const FdTdDevice *d, const char *tag);

void fd_tm_put_string (GByteArray *b, const char *s, gssize len);

/* A packet of @type/@flags around @body (remaining length encoded). */
GByteArray *fd_tm_packet (guint8 first, const GByteArray *body);

GByteArray *fd_tm_connect_packet (const char *client_id, const char *user, const char *password,
                                  guint16 keepalive);

GByteArray *fd_tm_publish_packet (const char *topic, guint16 id, const char *payload, gsize len);

void fd_tm_raw_write (FdTdRaw *r, const guint8 *data, gsize len);

void fd_tm_raw_send_packet (FdTdRaw *r, GByteArray *p);

/* Reads one packet: its first byte, and its body into @body. FALSE when the connection ended. */
gboolean fd_tm_raw_packet (FdTdRaw *r, guint8 *first, GByteArray *body);

/* Asserts the next packet is @first with @len body bytes; returns the body. */
GByteArray *fd_tm_expect_packet (FdTdRaw *r, guint8 first, gsize len);

/* A TLS connection to the MQTT port with @d's certificate (if any) and a CONNECT; asserts the
 * CONNACK's return code @rc. */
FdTdRaw *fd_tm_mqtt_open (const FdTdDevice *d, const char *client_id, const char *password,
                          guint16 keepalive, guint8 rc);

void fd_tm_ping (FdTdRaw *r);

GByteArray *fd_tm_subscribe_packet (guint16 id, const char *filter);

void fd_tm_puback (FdTdRaw *r, guint16 id);

/* Reads a QoS 1 PUBLISH on @topic; returns its payload parsed, its packet id in *@id. */
JsonNode *fd_tm_expect_publish (FdTdRaw *r, const char *topic, guint16 *id, gboolean *dup);

void fd_tm_expect_puback (FdTdRaw *r, guint16 id);

const char *fd_tm_envelope_key (JsonNode *node);

G_END_DECLS
