/* fd-device-mqtt-private.h — what the files of FdDeviceMqtt share: fd-device-mqtt.c (the
 * object, packets in and out, keep-alive), fd-device-mqtt-tls.c (TCP + TLS and its streams)
 * and fd-device-mqtt-ws.c (the WebSocket transport through libsoup). */
#pragma once

#include <libsoup/soup.h>

#include "fd-device-mqtt.h"
#include "fd-device-poller.h"

G_BEGIN_DECLS

#define FD_DEVICE_MQTT_READ_CHUNK 16384

typedef enum
{
  FD_DEVICE_MQTT_STATE_IDLE,
  FD_DEVICE_MQTT_STATE_CONNECTING, /* TCP, TLS or the WebSocket upgrade */
  FD_DEVICE_MQTT_STATE_CONNACK,    /* CONNECT sent */
  FD_DEVICE_MQTT_STATE_UP,
} FdDeviceMqttState;

struct _FdDeviceMqtt
{
  GObject parent_instance;

  FdDeviceConfig *config;
  FdDeviceTransport transport;
  FdDeviceMqttCallbacks cb;
  gpointer cb_data;
  GTlsDatabase *trust;
  GTlsCertificate *certificate;
  GSocketConnectable *identity; /* endpoint.host:port: what the server must prove */
  GSocketAddress *address;
  GSocketAddress *local;
  char *up_topic, *dn_topic, *data_prefix;

  FdDeviceMqttState state;
  GCancellable *op; /* of the connection being made; cancelled by disconnect */
  guint16 next_id;
  gint64 started_us, last_sent_us, last_heard_us;
  gboolean ping_out;

  /* TLS transport. */
  GSocketClient *socket_client;
  GIOStream *tls;
  GPollableInputStream *in;
  GPollableOutputStream *out;
  GSource *read_source, *write_source;
  FdDevicePoller *poller; /* not owned; NULL: the pollable sources above */
  int fd;                 /* the socket, while it is in the poller; else -1 */
  int socket_fd;          /* the socket of the connection being made */
  gboolean want_write;
  GString *wbuf;
  gsize woff;
  gboolean hold_writes; /* while a read is dispatched: its answers go out in one write */

  /* WebSocket transport. */
  SoupSession *session;
  SoupWebsocketConnection *ws;

  guint8 *rbuf;
  gsize rlen, rcap;
};

/* fd-device-mqtt.c: bytes from the server (any transport); FALSE when the connection was
 * closed while they were handled. */
gboolean fd_device_mqtt_feed (FdDeviceMqtt *self, const guint8 *data, gsize len);
/* The transport is up: sends CONNECT. */
void fd_device_mqtt_transport_up (FdDeviceMqtt *self);
/* Closes the connection and reports @error (taken) through the closed callback. */
void fd_device_mqtt_fail (FdDeviceMqtt *self, GError *error);
/* Sends self->wbuf from self->woff. */
void fd_device_mqtt_flush (FdDeviceMqtt *self);

/* fd-device-mqtt-tls.c */
void fd_device_mqtt_tls_open (FdDeviceMqtt *self);
void fd_device_mqtt_tls_flush (FdDeviceMqtt *self);
void fd_device_mqtt_tls_close (FdDeviceMqtt *self);

/* fd-device-mqtt-ws.c */
void fd_device_mqtt_ws_open (FdDeviceMqtt *self);
void fd_device_mqtt_ws_flush (FdDeviceMqtt *self);
void fd_device_mqtt_ws_close (FdDeviceMqtt *self);

G_END_DECLS
