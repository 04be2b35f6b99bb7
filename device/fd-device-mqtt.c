/* fd-device-mqtt.c — one device's MQTT session: the object, the packets it sends and the ones
 * it receives, keep-alive. The transports are in fd-device-mqtt-tls.c and fd-device-mqtt-ws.c.
 */
#include "fd-device-mqtt-private.h"

#include <string.h>

#include "fd-device-client.h"
#include "fd-device-tls.h"

G_DEFINE_FINAL_TYPE (FdDeviceMqtt, fd_device_mqtt, G_TYPE_OBJECT)

gboolean
fd_device_transport_parse (const char *name, FdDeviceTransport *out)
{
  if (g_str_equal (name, "https"))
    *out = FD_DEVICE_TRANSPORT_HTTPS;
  else if (g_str_equal (name, "mqtt"))
    *out = FD_DEVICE_TRANSPORT_MQTT;
  else if (g_str_equal (name, "mqtt-ws"))
    *out = FD_DEVICE_TRANSPORT_MQTT_WS;
  else
    return FALSE;
  return TRUE;
}

const char *
fd_device_transport_name (FdDeviceTransport transport)
{
  switch (transport)
    {
    case FD_DEVICE_TRANSPORT_HTTPS:
      return "https";
    case FD_DEVICE_TRANSPORT_MQTT:
      return "mqtt";
    case FD_DEVICE_TRANSPORT_MQTT_WS:
      return "mqtt-ws";
    }
  return "?";
}

/* Closes whatever transport is open; no callback. */
static void
close_transport (FdDeviceMqtt *self)
{
  if (self->op != NULL)
    g_cancellable_cancel (self->op);
  g_clear_object (&self->op);
  if (self->transport == FD_DEVICE_TRANSPORT_MQTT_WS)
    fd_device_mqtt_ws_close (self);
  else
    fd_device_mqtt_tls_close (self);
  g_string_truncate (self->wbuf, 0);
  self->woff = 0;
  self->rlen = 0;
  self->state = FD_DEVICE_MQTT_STATE_IDLE;
  self->ping_out = FALSE;
}

static void
fd_device_mqtt_dispose (GObject *object)
{
  FdDeviceMqtt *self = FD_DEVICE_MQTT (object);

  close_transport (self);
  G_OBJECT_CLASS (fd_device_mqtt_parent_class)->dispose (object);
}

static void
fd_device_mqtt_finalize (GObject *object)
{
  FdDeviceMqtt *self = FD_DEVICE_MQTT (object);

  g_clear_object (&self->trust);
  g_clear_object (&self->certificate);
  g_clear_object (&self->identity);
  g_clear_object (&self->address);
  g_clear_object (&self->local);
  g_clear_object (&self->socket_client);
  g_clear_object (&self->session);
  g_string_free (self->wbuf, TRUE);
  g_free (self->rbuf);
  g_free (self->up_topic);
  g_free (self->dn_topic);
  g_free (self->data_prefix);
  fd_device_config_free (self->config);
  G_OBJECT_CLASS (fd_device_mqtt_parent_class)->finalize (object);
}

static void
fd_device_mqtt_class_init (FdDeviceMqttClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fd_device_mqtt_dispose;
  object_class->finalize = fd_device_mqtt_finalize;
}

static void
fd_device_mqtt_init (FdDeviceMqtt *self)
{
  self->wbuf = g_string_sized_new (256);
  self->next_id = 1;
  self->fd = -1;
}

FdDeviceMqtt *
fd_device_mqtt_new (FdDeviceConfig *config, GTlsDatabase *trust, FdDeviceTransport transport,
                    GError **error)
{
  g_autoptr (FdDeviceMqtt) self = g_object_new (FD_TYPE_DEVICE_MQTT, NULL);
  guint port;

  g_return_val_if_fail (transport != FD_DEVICE_TRANSPORT_HTTPS, NULL);
  self->config = config;
  self->transport = transport;
  if (transport == FD_DEVICE_TRANSPORT_MQTT && config->mqtt_port == 0)
    {
      g_set_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_CONFIG,
                   "%s: endpoint.port (the MQTT port) is missing", config->source);
      return NULL;
    }
  if (trust != NULL)
    self->trust = g_object_ref (trust);
  else if ((self->trust = fd_device_trust_new (config->cacert_pem, error)) == NULL)
    return NULL;
  if (config->mode == FD_DEVICE_MODE_CERTIFICATE
      && (self->certificate = fd_device_certificate_new (config, error)) == NULL)
    return NULL;
  port = transport == FD_DEVICE_TRANSPORT_MQTT ? config->mqtt_port : config->https_port;
  self->identity = g_network_address_new (config->host, (guint16)port);
  self->up_topic = g_strconcat ("j/up/", config->device_id, NULL);
  self->dn_topic = g_strconcat ("j/dn/", config->device_id, NULL);
  self->data_prefix = g_strconcat ("j/data/", config->device_id, "/", NULL);
  return g_steal_pointer (&self);
}

const FdDeviceConfig *
fd_device_mqtt_get_config (FdDeviceMqtt *self)
{
  return self->config;
}

FdDeviceTransport
fd_device_mqtt_get_transport (FdDeviceMqtt *self)
{
  return self->transport;
}

void
fd_device_mqtt_set_callbacks (FdDeviceMqtt *self, const FdDeviceMqttCallbacks *callbacks,
                              gpointer user_data)
{
  self->cb = *callbacks;
  self->cb_data = user_data;
}

void
fd_device_mqtt_set_addresses (FdDeviceMqtt *self, GSocketAddress *address, GSocketAddress *local)
{
  g_set_object (&self->address, address);
  g_set_object (&self->local, local);
}

void
fd_device_mqtt_set_poller (FdDeviceMqtt *self, FdDevicePoller *poller)
{
  g_return_if_fail (self->state == FD_DEVICE_MQTT_STATE_IDLE);
  self->poller = poller;
}

gboolean
fd_device_mqtt_is_connected (FdDeviceMqtt *self)
{
  return self->state == FD_DEVICE_MQTT_STATE_UP;
}

char *
fd_device_mqtt_data_topic (FdDeviceMqtt *self, const char *tag)
{
  return g_strconcat (self->data_prefix, tag, NULL);
}

const char *
fd_device_mqtt_up_topic (FdDeviceMqtt *self)
{
  return self->up_topic;
}

const char *
fd_device_mqtt_dn_topic (FdDeviceMqtt *self)
{
  return self->dn_topic;
}

/* ---- the connection ------------------------------------------------------------------------ */

void
fd_device_mqtt_start (FdDeviceMqtt *self)
{
  g_return_if_fail (self->state == FD_DEVICE_MQTT_STATE_IDLE);
  self->state = FD_DEVICE_MQTT_STATE_CONNECTING;
  self->op = g_cancellable_new ();
  self->started_us = g_get_monotonic_time ();
  self->rlen = 0;
  if (self->transport == FD_DEVICE_TRANSPORT_MQTT_WS)
    fd_device_mqtt_ws_open (self);
  else
    fd_device_mqtt_tls_open (self);
}

void
fd_device_mqtt_fail (FdDeviceMqtt *self, GError *error)
{
  g_autoptr (GError) owned = error;

  if (self->state == FD_DEVICE_MQTT_STATE_IDLE)
    return;
  close_transport (self);
  if (self->cb.closed != NULL)
    self->cb.closed (self, owned, self->cb_data);
}

void
fd_device_mqtt_disconnect (FdDeviceMqtt *self)
{
  if (self->state == FD_DEVICE_MQTT_STATE_UP)
    {
      self->hold_writes = FALSE;
      fd_device_mqtt_append_disconnect (self->wbuf);
      fd_device_mqtt_flush (self);
    }
  close_transport (self);
}

void
fd_device_mqtt_flush (FdDeviceMqtt *self)
{
  if (self->hold_writes || self->woff >= self->wbuf->len)
    return;
  self->last_sent_us = g_get_monotonic_time ();
  if (self->transport == FD_DEVICE_TRANSPORT_MQTT_WS)
    fd_device_mqtt_ws_flush (self);
  else
    fd_device_mqtt_tls_flush (self);
}

/* The password of the CONNECT: a fresh JWT (its exp is checked at CONNECT only), the cloud
 * token, or none with a client certificate. */
static char *
password (FdDeviceMqtt *self)
{
  switch (self->config->mode)
    {
    case FD_DEVICE_MODE_DEVICE_TOKEN:
      return fd_device_config_mint_jwt (self->config, g_get_real_time () / G_USEC_PER_SEC,
                                        FD_DEVICE_JWT_LIFETIME_S);
    case FD_DEVICE_MODE_CLOUD_TOKEN:
      return g_strdup (self->config->token);
    case FD_DEVICE_MODE_CERTIFICATE:
      return NULL;
    }
  return NULL;
}

void
fd_device_mqtt_transport_up (FdDeviceMqtt *self)
{
  g_autofree char *pass = password (self);
  const char *id = self->config->device_id;

  g_clear_object (&self->op);
  self->state = FD_DEVICE_MQTT_STATE_CONNACK;
  self->last_heard_us = g_get_monotonic_time ();
  fd_device_mqtt_append_connect (self->wbuf, id, pass ? id : NULL, pass,
                                 FD_DEVICE_MQTT_KEEPALIVE_S);
  if (pass != NULL)
    explicit_bzero (pass, strlen (pass));
  fd_device_mqtt_flush (self);
}

static guint16
take_id (FdDeviceMqtt *self)
{
  guint16 id = self->next_id++;

  if (self->next_id == 0)
    self->next_id = 1;
  return id;
}

guint16
fd_device_mqtt_publish (FdDeviceMqtt *self, const char *topic, const void *payload,
                        gsize payload_len, guint qos)
{
  guint16 id = qos > 0 ? take_id (self) : 0;

  if (self->state != FD_DEVICE_MQTT_STATE_UP)
    return 0;
  fd_device_mqtt_append_publish (self->wbuf, topic, payload, payload_len, qos, id);
  fd_device_mqtt_flush (self);
  return id;
}

guint16
fd_device_mqtt_subscribe (FdDeviceMqtt *self, const char *filter)
{
  guint16 id = take_id (self);

  if (self->state != FD_DEVICE_MQTT_STATE_UP)
    return 0;
  fd_device_mqtt_append_subscribe (self->wbuf, id, filter, 1);
  fd_device_mqtt_flush (self);
  return id;
}

void
fd_device_mqtt_tick (FdDeviceMqtt *self, gint64 now_us)
{
  gint64 period = FD_DEVICE_MQTT_KEEPALIVE_S * G_USEC_PER_SEC;

  if (self->state == FD_DEVICE_MQTT_STATE_IDLE)
    return;
  if (self->state != FD_DEVICE_MQTT_STATE_UP)
    {
      if (now_us - self->started_us > FD_DEVICE_MQTT_CONNECT_TIMEOUT_S * G_USEC_PER_SEC)
        fd_device_mqtt_fail (self, g_error_new (FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_TIMEOUT,
                                                "%s: no CONNACK within %d s", self->config->host,
                                                FD_DEVICE_MQTT_CONNECT_TIMEOUT_S));
      return;
    }
  if (now_us - self->last_heard_us > period * 3 / 2)
    {
      fd_device_mqtt_fail (self, g_error_new (FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_TIMEOUT,
                                              "%s: the server was silent for 1.5 keep-alive "
                                              "periods",
                                              self->config->host));
      return;
    }
  if (now_us - self->last_sent_us >= period - G_USEC_PER_SEC && !self->ping_out)
    {
      self->ping_out = TRUE;
      fd_device_mqtt_append_pingreq (self->wbuf);
      fd_device_mqtt_flush (self);
    }
}

/* ---- packets from the server --------------------------------------------------------------- */

static gboolean
handle_packet (FdDeviceMqtt *self, const FdDeviceMqttPacket *p, GError **error)
{
  if (self->state == FD_DEVICE_MQTT_STATE_CONNACK)
    {
      guint8 rc;
      if (p->type != FD_DEVICE_MQTT_CONNACK)
        {
          g_set_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL,
                       "the server sent packet type %u before CONNACK", p->type);
          return FALSE;
        }
      if (!fd_device_mqtt_read_connack (p, &rc, error))
        return FALSE;
      if (rc != 0)
        {
          g_set_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_REFUSED,
                       "%s: CONNACK %u: %s", self->config->device_id, rc,
                       fd_device_mqtt_connack_text (rc));
          return FALSE;
        }
      self->state = FD_DEVICE_MQTT_STATE_UP;
      if (self->cb.connected != NULL)
        self->cb.connected (self, self->cb_data);
      return TRUE;
    }
  switch (p->type)
    {
    case FD_DEVICE_MQTT_PUBACK:
      {
        guint16 id;
        if (!fd_device_mqtt_read_puback (p, &id, error))
          return FALSE;
        if (self->cb.puback != NULL)
          self->cb.puback (self, id, self->cb_data);
        return TRUE;
      }
    case FD_DEVICE_MQTT_SUBACK:
      {
        guint16 id;
        guint8 code;
        if (!fd_device_mqtt_read_suback (p, &id, &code, error))
          return FALSE;
        if (self->cb.suback != NULL)
          self->cb.suback (self, id, code, self->cb_data);
        return TRUE;
      }
    case FD_DEVICE_MQTT_PUBLISH:
      {
        FdDeviceMqttPublish pub;
        if (!fd_device_mqtt_read_publish (p, &pub, error))
          return FALSE;
        if (pub.qos == 2)
          {
            g_set_error_literal (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL,
                                 "the server sent a QoS 2 PUBLISH to a QoS 1 subscription");
            return FALSE;
          }
        if (self->cb.message != NULL)
          self->cb.message (self, &pub, self->cb_data);
        if (pub.qos == 1 && self->state == FD_DEVICE_MQTT_STATE_UP)
          {
            fd_device_mqtt_append_puback (self->wbuf, pub.packet_id);
            fd_device_mqtt_flush (self);
          }
        return TRUE;
      }
    case FD_DEVICE_MQTT_PINGRESP:
      self->ping_out = FALSE;
      return TRUE;
    default:
      g_set_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL,
                   "the server sent packet type %u, which no client receives", p->type);
      return FALSE;
    }
}

gboolean
fd_device_mqtt_feed (FdDeviceMqtt *self, const guint8 *data, gsize len)
{
  g_autoptr (FdDeviceMqtt) keep = g_object_ref (self);
  gsize at = 0;

  if (self->rcap - self->rlen < len)
    {
      self->rcap = MAX (self->rcap * 2, self->rlen + len);
      self->rbuf = g_realloc (self->rbuf, self->rcap);
    }
  memcpy (self->rbuf + self->rlen, data, len);
  self->rlen += len;
  self->last_heard_us = g_get_monotonic_time ();

  /* Answers to what arrives here (PUBACKs, the next publish of a closed loop) go out together
   * after the last packet, in one TLS record instead of one each. */
  self->hold_writes = TRUE;
  while (self->state != FD_DEVICE_MQTT_STATE_IDLE)
    {
      FdDeviceMqttPacket p;
      gsize consumed = 0;
      GError *error = NULL;
      int rc = fd_device_mqtt_parse (self->rbuf + at, self->rlen - at, FD_DEVICE_MQTT_MAX_PACKET,
                                     &p, &consumed, &error);
      if (rc == 0)
        break;
      if (rc < 0 || !handle_packet (self, &p, &error))
        {
          self->hold_writes = FALSE;
          fd_device_mqtt_fail (self, error);
          return FALSE;
        }
      at += consumed;
    }
  self->hold_writes = FALSE;
  if (self->state == FD_DEVICE_MQTT_STATE_IDLE)
    return FALSE;
  memmove (self->rbuf, self->rbuf + at, self->rlen - at);
  self->rlen -= at;
  fd_device_mqtt_flush (self);
  return self->state != FD_DEVICE_MQTT_STATE_IDLE;
}
