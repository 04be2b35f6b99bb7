/* fd-device-mqtt.h — one device's MQTT 3.1.1 session with the server (docs/protocol.md "MQTT",
 * the Zerynth topic scheme): over TLS to endpoint.host:endpoint.port, or over a WebSocket at
 * wss://endpoint.host:endpoint.https_port/mqtt (subprotocol "mqtt"), trusting only the
 * zdevice.json's CA, authenticated by the device's client certificate or by username = device
 * id and password = its JWT or cloud token. Client id = device id, clean session.
 *
 * One connection per client, non-blocking on the thread-default main context (one pollable
 * source per connection, no thread, no GTask per packet), so that one thread holds thousands.
 * What happens on the connection is reported through callbacks. Keep-alive is driven by the
 * owner calling fd_device_mqtt_tick() about once a second, so that a fleet needs one timer,
 * not one per connection.
 */
#pragma once

#include <gio/gio.h>

#include "fd-device-config.h"
#include "fd-device-mqtt-codec.h"

G_BEGIN_DECLS

typedef enum
{
  FD_DEVICE_TRANSPORT_HTTPS,
  FD_DEVICE_TRANSPORT_MQTT,    /* MQTT over TLS on endpoint.port */
  FD_DEVICE_TRANSPORT_MQTT_WS, /* MQTT over a WebSocket on endpoint.https_port, at /mqtt */
} FdDeviceTransport;

/* "https", "mqtt", "mqtt-ws"; FALSE for anything else. */
gboolean fd_device_transport_parse (const char *name, FdDeviceTransport *out);
const char *fd_device_transport_name (FdDeviceTransport transport);

#define FD_DEVICE_MQTT_KEEPALIVE_S 60
#define FD_DEVICE_MQTT_CONNECT_TIMEOUT_S 30

#define FD_TYPE_DEVICE_MQTT (fd_device_mqtt_get_type ())
G_DECLARE_FINAL_TYPE (FdDeviceMqtt, fd_device_mqtt, FD, DEVICE_MQTT, GObject)

typedef struct
{
  /* CONNACK 0 arrived: the session is up. */
  void (*connected) (FdDeviceMqtt *mqtt, gpointer user_data);
  /* The connection ended, or could not be made: @error says why (a refusing CONNACK is
   * FD_DEVICE_MQTT_ERROR_REFUSED with the return code in the message). Not called after
   * fd_device_mqtt_disconnect(). */
  void (*closed) (FdDeviceMqtt *mqtt, const GError *error, gpointer user_data);
  void (*puback) (FdDeviceMqtt *mqtt, guint16 packet_id, gpointer user_data);
  void (*suback) (FdDeviceMqtt *mqtt, guint16 packet_id, guint8 code, gpointer user_data);
  /* A PUBLISH from the server (a QoS 1 one is PUBACK'd after this returns). */
  void (*message) (FdDeviceMqtt *mqtt, const FdDeviceMqttPublish *publish, gpointer user_data);
} FdDeviceMqttCallbacks;

/* Takes @config. @trust as for fd_device_client_new (NULL: made from the config's cacert).
 * Fails when the TLS material is unusable or, for @transport MQTT, endpoint.port is absent. */
FdDeviceMqtt *fd_device_mqtt_new (FdDeviceConfig *config, GTlsDatabase *trust,
                                  FdDeviceTransport transport, GError **error);

const FdDeviceConfig *fd_device_mqtt_get_config (FdDeviceMqtt *self);
FdDeviceTransport fd_device_mqtt_get_transport (FdDeviceMqtt *self);

void fd_device_mqtt_set_callbacks (FdDeviceMqtt *self, const FdDeviceMqttCallbacks *callbacks,
                                   gpointer user_data);
/* As fd_device_client_set_addresses: connect to @address instead of resolving endpoint.host,
 * and/or from @local. */
void fd_device_mqtt_set_addresses (FdDeviceMqtt *self, GSocketAddress *address,
                                   GSocketAddress *local);

typedef struct _FdDevicePoller FdDevicePoller;
/* MQTT over TLS: watch the socket through @poller (shared by a fleet, not owned; it must
 * outlive the connection) instead of a GSource of its own. */
void fd_device_mqtt_set_poller (FdDeviceMqtt *self, FdDevicePoller *poller);

/* Connects (TCP, TLS or the WebSocket upgrade, CONNECT); ends in connected or closed. */
void fd_device_mqtt_start (FdDeviceMqtt *self);
gboolean fd_device_mqtt_is_connected (FdDeviceMqtt *self);

/* Sends a PUBLISH; returns its packet id (0 for QoS 0), or 0 when not connected. */
guint16 fd_device_mqtt_publish (FdDeviceMqtt *self, const char *topic, const void *payload,
                                gsize payload_len, guint qos);
/* Sends a SUBSCRIBE of @filter at QoS 1; returns its packet id, 0 when not connected. */
guint16 fd_device_mqtt_subscribe (FdDeviceMqtt *self, const char *filter);

/* Keep-alive and time-outs: a PINGREQ when nothing was sent for the keep-alive period; the
 * connection is closed (closed callback, FD_DEVICE_MQTT_ERROR_TIMEOUT) when the CONNACK has not
 * come within FD_DEVICE_MQTT_CONNECT_TIMEOUT_S or the server was silent for 1.5 periods. */
void fd_device_mqtt_tick (FdDeviceMqtt *self, gint64 now_us);

/* Sends DISCONNECT (when connected) and closes, without a closed callback. */
void fd_device_mqtt_disconnect (FdDeviceMqtt *self);

/* The Zerynth topics of this device: j/data/<id>/<tag>, j/up/<id>, j/dn/<id>. */
char *fd_device_mqtt_data_topic (FdDeviceMqtt *self, const char *tag);
const char *fd_device_mqtt_up_topic (FdDeviceMqtt *self);
const char *fd_device_mqtt_dn_topic (FdDeviceMqtt *self);

G_END_DECLS
