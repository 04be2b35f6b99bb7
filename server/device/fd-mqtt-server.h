/* fd-mqtt-server.h — the MQTT 3.1.1 device endpoint (docs/protocol.md "MQTT"): over TLS on
 * --mqtt-port, and over WebSocket (subprotocol "mqtt") on the HTTPS device port at /mqtt, both
 * with the Zerynth topic scheme (j/data/<device>/<tag>, j/up/<device>, j/dn/<device>).
 *
 * Runs on the engine's main context. One file per packet kind (fd-mqtt-connect.c,
 * fd-mqtt-publish.c, fd-mqtt-subscribe.c, …) as mosquitto does; fd-mqtt-session.c owns a
 * connection's state and fd-mqtt-codec.c the bytes.
 */
#pragma once

#include <gio/gio.h>

#include "device/fd-device-auth.h"
#include "device/fd-device-sessions.h"
#include "device/fd-device-up.h"
#include "ingest/fd-ingest.h"
#include "pki/fd-pki.h"

G_BEGIN_DECLS

typedef struct
{
  const char *address;         /* NULL: every interface */
  guint port;                  /* 0: any free port */
  gsize max_packet_bytes;      /* 0: FD_MQTT_DEFAULT_MAX_PACKET */
  gsize max_payload_bytes;     /* one data payload; 0: FD_PAYLOAD_DEFAULT_MAX_BYTES */
  guint max_inflight;          /* unacknowledged QoS 1 down-messages; 0: default */
  guint max_topic_chars;       /* 0: default */
  guint max_conns_per_address; /* 0: default */
  guint max_conns;             /* 0: default */
  guint connect_timeout_s;     /* for the CONNECT after TCP accept (TLS included); 0: default */
} FdMqttConfig;

#define FD_MQTT_DEFAULT_MAX_PACKET (256 * 1024)
#define FD_MQTT_DEFAULT_INFLIGHT 20
#define FD_MQTT_DEFAULT_TOPIC_CHARS 256
#define FD_MQTT_DEFAULT_CONNS_PER_ADDRESS 2048
#define FD_MQTT_DEFAULT_CONNS 20000
#define FD_MQTT_DEFAULT_CONNECT_S 10

typedef struct _FdMqttServer FdMqttServer;

FdMqttServer *fd_mqtt_server_new (const FdMqttConfig *config, FdPki *pki, FdDeviceAuth *auth,
                                  FdIngest *ingest, FdDeviceUp *up, FdSessions *sessions);
gboolean fd_mqtt_server_listen (FdMqttServer *server, GError **error);
guint fd_mqtt_server_get_port (FdMqttServer *server);

/* An HTTPS device connection upgraded to WebSocket at /mqtt (subprotocol "mqtt") is handed
 * over: @stream is the TLS stream, @peer its address, @cert_id the identity of its client
 * certificate or NULL. The MQTT session runs over it from here, framed by libsoup's
 * SoupWebsocketConnection. */
void fd_mqtt_server_take_websocket (FdMqttServer *server, GIOStream *stream, const char *peer,
                                    FdDeviceIdentity *cert_id);

/* Stops accepting, PUBACKs what is committed within @timeout_ms, closes every connection. */
void fd_mqtt_server_shutdown (FdMqttServer *server, guint timeout_ms);
void fd_mqtt_server_free (FdMqttServer *server);

G_END_DECLS
