/* fd-test-mqtt.c — what the MQTT tests share (fd-test-mqtt.h). */
#include "fd-test-mqtt.h"

#include <string.h>

FdTdServer *fd_tm_srv;

/* Peers. */

int
fd_tm_run (const char *const *argv, char **out)
{
  g_autofree char *err = NULL;
  int status = fd_test_run (argv, out, &err);
  /* mosquitto_pub -d writes its trace to stdout, errors to stderr: one text for assertions */
  if (out != NULL)
    {
      char *both = g_strconcat (*out ? *out : "", err ? err : "", NULL);
      g_free (*out);
      *out = both;
    }
  return status;
}

/* mosquitto_pub with @d's credential (certificate, or @password as device id + password). */
int
fd_tm_mosquitto_pub (const FdTdDevice *d, const char *client_id, const char *password,
                     const char *topic, const char *message, const char *qos, char **out)
{
  g_autofree char *port = g_strdup_printf ("%u", fd_tm_srv->srv->mqtt_port);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *base[] = { "timeout", "20",        "mosquitto_pub",
                         "-d",      "-V",        "mqttv311",
                         "-h",      "localhost", "-p",
                         port,      "--cafile",  fd_tm_srv->ca,
                         "-i",      client_id,   "-t",
                         topic,     "-m",        message,
                         "-q",      qos,         NULL };

  for (guint i = 0; base[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)base[i]);
  if (password != NULL)
    {
      g_ptr_array_add (argv, (char *)"-u");
      g_ptr_array_add (argv, d->id);
      g_ptr_array_add (argv, (char *)"-P");
      g_ptr_array_add (argv, (char *)password);
    }
  else if (d != NULL && d->cert != NULL)
    {
      g_ptr_array_add (argv, (char *)"--cert");
      g_ptr_array_add (argv, d->cert);
      g_ptr_array_add (argv, (char *)"--key");
      g_ptr_array_add (argv, d->key);
    }
  g_ptr_array_add (argv, NULL);
  return fd_tm_run ((const char *const *)argv->pdata, out);
}

/* tests/mqtt-client.py (paho) with @d's certificate or password, and @extra arguments; returns
 * its output lines parsed, one JSON node each. */
GPtrArray *
fd_tm_paho (const FdTdDevice *d, const char *password, gboolean ws, const char *const *extra)
{
  g_autofree char *script
      = g_build_filename (g_getenv ("FD_SOURCE_DIR"), "tests", "mqtt-client.py", NULL);
  g_autofree char *port
      = g_strdup_printf ("%u", ws ? fd_tm_srv->srv->device_port : fd_tm_srv->srv->mqtt_port);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);

  /* Debian's python3, where python3-paho-mqtt is */
  g_ptr_array_add (argv, (char *)"/usr/bin/python3");
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, (char *)"--port");
  g_ptr_array_add (argv, port);
  g_ptr_array_add (argv, (char *)"--ca");
  g_ptr_array_add (argv, fd_tm_srv->ca);
  g_ptr_array_add (argv, (char *)"--id");
  g_ptr_array_add (argv, d->id);
  if (ws)
    g_ptr_array_add (argv, (char *)"--ws");
  if (password != NULL)
    {
      g_ptr_array_add (argv, (char *)"--user");
      g_ptr_array_add (argv, d->id);
      g_ptr_array_add (argv, (char *)"--password");
      g_ptr_array_add (argv, (char *)password);
    }
  else if (d->cert != NULL)
    {
      g_ptr_array_add (argv, (char *)"--cert");
      g_ptr_array_add (argv, d->cert);
      g_ptr_array_add (argv, (char *)"--key");
      g_ptr_array_add (argv, d->key);
    }
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)extra[i]);
  g_ptr_array_add (argv, NULL);
  fd_test_run ((const char *const *)argv->pdata, &out, &err);
  if (err != NULL && *err != '\0')
    g_test_message ("mqtt-client.py: %s", err);
  lines = g_strsplit (out ? out : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      {
        JsonNode *node = json_from_string (lines[i], NULL);
        g_assert_nonnull (node);
        g_ptr_array_add (events, node);
      }
  return events;
}

/* The first event with member @name, or NULL. */
JsonNode *
fd_tm_event (GPtrArray *events, const char *name, guint nth)
{
  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *obj = json_node_get_object (events->pdata[i]);
      if (json_object_has_member (obj, name) && nth-- == 0)
        return json_object_get_member (obj, name);
    }
  return NULL;
}

/* Readings stored under @tag for @d (GET /api/v1/devices/{id}/tags). */
gint64
fd_tm_readings (const FdTdDevice *d, const char *tag)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/tags", d->id);
  g_autoptr (JsonNode) body = fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
  JsonArray *items = json_object_get_array_member (json_node_get_object (body), "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      if (g_str_equal (json_object_get_string_member (item, "tag"), tag))
        return json_object_get_int_member (item, "readings");
    }
  return 0;
}

/* Raw MQTT. */

void
fd_tm_put_string (GByteArray *b, const char *s, gssize len)
{
  gsize n = len < 0 ? strlen (s) : (gsize)len;
  guint8 h[2] = { n >> 8, n & 0xff };
  g_byte_array_append (b, h, 2);
  g_byte_array_append (b, (const guint8 *)s, (guint)n);
}

/* A packet of @type/@flags around @body (remaining length encoded). */
GByteArray *
fd_tm_packet (guint8 first, const GByteArray *body)
{
  GByteArray *p = g_byte_array_new ();
  gsize n = body ? body->len : 0;

  g_byte_array_append (p, &first, 1);
  do
    {
      guint8 b = n & 0x7f;
      n >>= 7;
      if (n > 0)
        b |= 0x80;
      g_byte_array_append (p, &b, 1);
    }
  while (n > 0);
  if (body != NULL)
    g_byte_array_append (p, body->data, body->len);
  return p;
}

GByteArray *
fd_tm_connect_packet (const char *client_id, const char *user, const char *password,
                      guint16 keepalive)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  guint8 flags = 0x02 | (user ? 0x80 : 0) | (password ? 0x40 : 0);
  guint8 v[4] = { 4, flags, keepalive >> 8, keepalive & 0xff };

  fd_tm_put_string (body, "MQTT", -1);
  g_byte_array_append (body, v, 4);
  fd_tm_put_string (body, client_id, -1);
  if (user)
    fd_tm_put_string (body, user, -1);
  if (password)
    fd_tm_put_string (body, password, -1);
  return fd_tm_packet (0x10, body);
}

GByteArray *
fd_tm_publish_packet (const char *topic, guint16 id, const char *payload, gsize len)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  guint8 pid[2] = { id >> 8, id & 0xff };

  fd_tm_put_string (body, topic, -1);
  if (id != 0)
    g_byte_array_append (body, pid, 2);
  g_byte_array_append (body, (const guint8 *)payload, (guint)len);
  return fd_tm_packet (id != 0 ? 0x32 : 0x30, body);
}

void
fd_tm_raw_write (FdTdRaw *r, const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_output_stream_write_all (g_io_stream_get_output_stream (r->tls), data, len, NULL, NULL, &error);
  g_assert_no_error (error);
}

void
fd_tm_raw_send_packet (FdTdRaw *r, GByteArray *p)
{
  fd_tm_raw_write (r, p->data, p->len);
  g_byte_array_unref (p);
}

/* Reads one packet: its first byte, and its body into @body. FALSE when the connection ended. */
gboolean
fd_tm_raw_packet (FdTdRaw *r, guint8 *first, GByteArray *body)
{
  for (;;)
    {
      gsize n = 0, i = 1;
      guint shift = 0;
      gboolean whole = FALSE;

      while (i < r->in->len)
        {
          guint8 b = (guint8)r->in->str[i++];
          n |= (gsize)(b & 0x7f) << shift;
          shift += 7;
          if ((b & 0x80) == 0)
            {
              whole = r->in->len >= i + n;
              break;
            }
        }
      if (whole)
        {
          *first = (guint8)r->in->str[0];
          g_byte_array_set_size (body, 0);
          g_byte_array_append (body, (const guint8 *)r->in->str + i, (guint)n);
          g_string_erase (r->in, 0, (gssize)(i + n));
          return TRUE;
        }
      if (!fd_td_raw_fill (r))
        return FALSE;
    }
}

/* Asserts the next packet is @first with @len body bytes; returns the body. */
GByteArray *
fd_tm_expect_packet (FdTdRaw *r, guint8 first, gsize len)
{
  GByteArray *body = g_byte_array_new ();
  guint8 got = 0;

  g_assert_true (fd_tm_raw_packet (r, &got, body));
  g_assert_cmphex (got, ==, first);
  g_assert_cmpuint (body->len, ==, len);
  return body;
}

/* A TLS connection to the MQTT port with @d's certificate (if any) and a CONNECT; asserts the
 * CONNACK's return code @rc. */
FdTdRaw *
fd_tm_mqtt_open (const FdTdDevice *d, const char *client_id, const char *password,
                 guint16 keepalive, guint8 rc)
{
  g_autoptr (GError) error = NULL;
  FdTdRaw *r
      = fd_td_raw_open_port (fd_tm_srv, fd_tm_srv->srv->mqtt_port, password ? NULL : d, &error);
  g_autoptr (GByteArray) ack = NULL;

  g_assert_no_error (error);
  fd_tm_raw_send_packet (
      r, fd_tm_connect_packet (client_id, password ? d->id : NULL, password, keepalive));
  ack = fd_tm_expect_packet (r, 0x20, 2);
  g_assert_cmpuint (ack->data[0], ==, 0);
  g_assert_cmpuint (ack->data[1], ==, rc);
  return r;
}

void
fd_tm_ping (FdTdRaw *r)
{
  static const guint8 pingreq[] = { 0xc0, 0 };
  g_autoptr (GByteArray) resp = NULL;

  fd_tm_raw_write (r, pingreq, sizeof pingreq);
  resp = fd_tm_expect_packet (r, 0xd0, 0);
}

GByteArray *
fd_tm_subscribe_packet (guint16 id, const char *filter)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  guint8 pid[2] = { id >> 8, id & 0xff }, qos = 1;

  g_byte_array_append (body, pid, 2);
  fd_tm_put_string (body, filter, -1);
  g_byte_array_append (body, &qos, 1);
  return fd_tm_packet (0x82, body);
}

void
fd_tm_puback (FdTdRaw *r, guint16 id)
{
  guint8 p[4] = { 0x40, 2, id >> 8, id & 0xff };
  fd_tm_raw_write (r, p, sizeof p);
}

/* Reads a QoS 1 PUBLISH on @topic; returns its payload parsed, its packet id in *@id. */
JsonNode *
fd_tm_expect_publish (FdTdRaw *r, const char *topic, guint16 *id, gboolean *dup)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  guint8 first = 0;
  gsize tlen;
  JsonNode *node;

  g_assert_true (fd_tm_raw_packet (r, &first, body));
  g_assert_cmphex (first & 0xf6, ==, 0x32); /* PUBLISH, QoS 1, not retained */
  if (dup != NULL)
    *dup = (first & 0x08) != 0;
  tlen = ((gsize)body->data[0] << 8) | body->data[1];
  g_assert_cmpmem (body->data + 2, tlen, topic, strlen (topic));
  *id = (guint16)((body->data[2 + tlen] << 8) | body->data[3 + tlen]);
  g_assert_cmpuint (*id, !=, 0);
  {
    g_autofree char *text = g_strndup ((const char *)body->data + 4 + tlen, body->len - 4 - tlen);
    node = json_from_string (text, NULL);
  }
  g_assert_nonnull (node);
  return node;
}

void
fd_tm_expect_puback (FdTdRaw *r, guint16 id)
{
  g_autoptr (GByteArray) b = fd_tm_expect_packet (r, 0x40, 2);
  g_assert_cmpuint ((b->data[0] << 8) | b->data[1], ==, id);
}

const char *
fd_tm_envelope_key (JsonNode *node)
{
  return json_object_get_string_member (json_node_get_object (node), "key");
}
