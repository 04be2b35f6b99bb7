/* fd-mqtt-connect.c — CONNECT and CONNACK: who the device is (its TLS client certificate, or
 * username = device id and password = a device-token JWT or a cloud token), that its client id
 * is its device id, and the return code when it may not connect (docs/protocol.md "MQTT").
 */
#include "config.h"

#include "fd-mqtt-private.h"

#include <string.h>

static gboolean
refuse (FdMqttConn *conn, FdMqttConnack code, const char *why)
{
  conn->server->stats.refused_connect++;
  g_debug ("MQTT connection from %s refused (CONNACK %d): %s", conn->peer, code, why);
  fd_mqtt_put_connack (conn->out, FALSE, code);
  fd_mqtt_conn_finish (conn, "refused");
  return FALSE;
}

static gboolean
str_is (const char *s, gsize len, const char *want)
{
  return strlen (want) == len && memcmp (s, want, len) == 0;
}

/* The identity a password authenticates, or NULL with the CONNACK code in *@code. */
static FdDeviceIdentity *
password_identity (FdMqttConn *conn, const char *user, gsize user_len, const guint8 *pass,
                   gsize pass_len, FdMqttConnack *code)
{
  g_autofree char *username = g_strndup (user, user_len);
  g_autofree char *password = NULL;
  g_autoptr (GError) error = NULL;
  FdDeviceIdentity *who;

  *code = FD_MQTT_REFUSED_CREDENTIALS;
  if (pass_len == 0 || memchr (pass, '\0', pass_len) != NULL)
    return NULL;
  password = g_strndup ((const char *)pass, pass_len);
  who = fd_device_auth_token (conn->server->auth, username, password, &error);
  explicit_bzero (password, pass_len);
  if (who == NULL)
    {
      if (g_error_matches (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_FAILED))
        *code = FD_MQTT_REFUSED_UNAVAILABLE;
      g_debug ("MQTT connection from %s: the password is not good: %s", conn->peer, error->message);
    }
  return who;
}

gboolean
fd_mqtt_handle_connect (FdMqttConn *conn, const FdMqttPacket *packet)
{
  FdMqttServer *server = conn->server;
  FdMqttReader r;
  const char *proto, *client_id, *user = NULL, *s;
  const guint8 *pass = NULL, *b;
  gsize proto_len, client_len, user_len = 0, pass_len = 0, len;
  guint8 level = 0, flags = 0;
  guint16 keepalive = 0;
  g_autoptr (FdDeviceIdentity) who = NULL;
  FdMqttConnack code;

  if (packet->type != FD_MQTT_CONNECT)
    {
      fd_mqtt_conn_protocol_error (conn, "the first packet is not CONNECT");
      return FALSE;
    }
  fd_mqtt_reader_init (&r, packet);
  if (packet->flags != 0 || !fd_mqtt_read_string (&r, &proto, &proto_len)
      || !fd_mqtt_read_u8 (&r, &level) || !fd_mqtt_read_u8 (&r, &flags)
      || !fd_mqtt_read_u16 (&r, &keepalive))
    {
      fd_mqtt_conn_protocol_error (conn, "a malformed CONNECT");
      return FALSE;
    }
  /* §3.1.2.1: another protocol name is not MQTT at all: no CONNACK. MQTT 3.1 ("MQIsdp") is
   * told it has the wrong level. */
  if (!str_is (proto, proto_len, "MQTT") && !str_is (proto, proto_len, "MQIsdp"))
    {
      fd_mqtt_conn_protocol_error (conn, "CONNECT of another protocol than MQTT");
      return FALSE;
    }
  if (level != 4 || !str_is (proto, proto_len, "MQTT"))
    return refuse (conn, FD_MQTT_REFUSED_PROTOCOL, "only MQTT 3.1.1 (level 4) is spoken here");

  {
    gboolean will = flags & 0x04, has_pass = flags & 0x40, has_user = flags & 0x80;
    guint will_qos = (flags >> 3) & 3;

    if ((flags & 0x01) || will_qos == 3 || (!will && (will_qos != 0 || (flags & 0x20)))
        || (has_pass && !has_user))
      {
        fd_mqtt_conn_protocol_error (conn, "CONNECT flags that MQTT 3.1.1 does not allow");
        return FALSE;
      }
    if (!fd_mqtt_read_string (&r, &client_id, &client_len))
      {
        fd_mqtt_conn_protocol_error (conn, "a malformed client id");
        return FALSE;
      }
    /* A will is read and dropped: nobody else subscribes to a device's topics. */
    if (will && (!fd_mqtt_read_string (&r, &s, &len) || !fd_mqtt_read_binary (&r, &b, &len)))
      {
        fd_mqtt_conn_protocol_error (conn, "a malformed will");
        return FALSE;
      }
    if ((has_user && !fd_mqtt_read_string (&r, &user, &user_len))
        || (has_pass && !fd_mqtt_read_binary (&r, &pass, &pass_len)) || !fd_mqtt_reader_done (&r))
      {
        fd_mqtt_conn_protocol_error (conn, "a malformed CONNECT payload");
        return FALSE;
      }
    if (has_user && !has_pass)
      return refuse (conn, FD_MQTT_REFUSED_CREDENTIALS, "a user name without a password");
  }

  if (server->shutting_down)
    return refuse (conn, FD_MQTT_REFUSED_UNAVAILABLE, "the server is shutting down");
  if (client_len == 0)
    return refuse (conn, FD_MQTT_REFUSED_CLIENT_ID, "an empty client id");

  if (conn->cert_refused)
    return refuse (conn, FD_MQTT_REFUSED_NOT_AUTHORISED,
                   "the client certificate is not a live credential");
  if (user != NULL)
    {
      who = password_identity (conn, user, user_len, pass, pass_len, &code);
      if (who == NULL)
        return refuse (conn, code, "the user name and password are not good");
      if (conn->cert_id != NULL && !g_str_equal (conn->cert_id->device_id, who->device_id))
        return refuse (conn, FD_MQTT_REFUSED_NOT_AUTHORISED,
                       "the client certificate and the password are of two devices");
    }
  else if (conn->cert_id != NULL)
    who = fd_device_identity_ref (conn->cert_id);
  else
    return refuse (conn, FD_MQTT_REFUSED_NOT_AUTHORISED,
                   "neither a client certificate nor a user name and password");
  if (!fd_device_auth_still_valid (server->auth, who, NULL))
    return refuse (conn, FD_MQTT_REFUSED_NOT_AUTHORISED, "the credential was revoked");
  if (!str_is (client_id, client_len, who->device_id))
    return refuse (conn, FD_MQTT_REFUSED_CLIENT_ID, "the client id is not the device id");

  /* No session state is kept between connections (clean session or not): the device's
   * pending down-messages reach it through the #status reply's expected map, so "session
   * present" is always 0. */
  conn->session.who = g_steal_pointer (&who);
  conn->keepalive_s = keepalive;
  fd_mqtt_conn_attach (conn);
  fd_mqtt_put_connack (conn->out, FALSE, FD_MQTT_ACCEPTED);
  fd_mqtt_conn_arm (conn, keepalive == 0 ? 0 : keepalive + (keepalive + 1u) / 2);
  return TRUE;
}
