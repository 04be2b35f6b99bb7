/* test-mqtt.c — the MQTT endpoint of a real fleetdesk-server, with real peers: Debian's
 * mosquitto_pub / mosquitto_sub, a paho-mqtt 1.6 client (tests/mqtt-client.py, over TLS and over
 * WebSocket), and raw MQTT bytes over a GIO TLS connection for what clients never send
 * (malformed and oversized packets, silence, take-over). Every refusal is followed by a device
 * that is still served. */
#include "fd-test-device.h"

#include <string.h>
#include <sys/wait.h>

static FdTdServer *srv; /* --mqtt-max-packet=4096 --mqtt-connect-timeout=1 --mqtt-inflight=3 */

/* Peers. */

static int
run (const char *const *argv, char **out)
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
static int
mosquitto_pub (const FdTdDevice *d, const char *client_id, const char *password, const char *topic,
               const char *message, const char *qos, char **out)
{
  g_autofree char *port = g_strdup_printf ("%u", srv->srv->mqtt_port);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *base[] = { "timeout", "20",        "mosquitto_pub",
                         "-d",      "-V",        "mqttv311",
                         "-h",      "localhost", "-p",
                         port,      "--cafile",  srv->ca,
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
  return run ((const char *const *)argv->pdata, out);
}

/* tests/mqtt-client.py (paho) with @d's certificate or password, and @extra arguments; returns
 * its output lines parsed, one JSON node each. */
static GPtrArray *
paho (const FdTdDevice *d, const char *password, gboolean ws, const char *const *extra)
{
  g_autofree char *script
      = g_build_filename (g_getenv ("FD_SOURCE_DIR"), "tests", "mqtt-client.py", NULL);
  g_autofree char *port = g_strdup_printf ("%u", ws ? srv->srv->device_port : srv->srv->mqtt_port);
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
  g_ptr_array_add (argv, srv->ca);
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
static JsonNode *
event (GPtrArray *events, const char *name, guint nth)
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
static gint64
readings (const FdTdDevice *d, const char *tag)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/tags", d->id);
  g_autoptr (JsonNode) body = fd_test_api_expect (srv->srv, "GET", path, NULL, 200);
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

static void
put_string (GByteArray *b, const char *s, gssize len)
{
  gsize n = len < 0 ? strlen (s) : (gsize)len;
  guint8 h[2] = { n >> 8, n & 0xff };
  g_byte_array_append (b, h, 2);
  g_byte_array_append (b, (const guint8 *)s, (guint)n);
}

/* A packet of @type/@flags around @body (remaining length encoded). */
static GByteArray *
packet (guint8 first, const GByteArray *body)
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

static GByteArray *
connect_packet (const char *client_id, const char *user, const char *password, guint16 keepalive)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  guint8 flags = 0x02 | (user ? 0x80 : 0) | (password ? 0x40 : 0);
  guint8 v[4] = { 4, flags, keepalive >> 8, keepalive & 0xff };

  put_string (body, "MQTT", -1);
  g_byte_array_append (body, v, 4);
  put_string (body, client_id, -1);
  if (user)
    put_string (body, user, -1);
  if (password)
    put_string (body, password, -1);
  return packet (0x10, body);
}

static GByteArray *
publish_packet (const char *topic, guint16 id, const char *payload, gsize len)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  guint8 pid[2] = { id >> 8, id & 0xff };

  put_string (body, topic, -1);
  if (id != 0)
    g_byte_array_append (body, pid, 2);
  g_byte_array_append (body, (const guint8 *)payload, (guint)len);
  return packet (id != 0 ? 0x32 : 0x30, body);
}

static void
raw_write (FdTdRaw *r, const guint8 *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_output_stream_write_all (g_io_stream_get_output_stream (r->tls), data, len, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
raw_send_packet (FdTdRaw *r, GByteArray *p)
{
  raw_write (r, p->data, p->len);
  g_byte_array_unref (p);
}

/* Reads one packet: its first byte, and its body into @body. FALSE when the connection ended. */
static gboolean
raw_packet (FdTdRaw *r, guint8 *first, GByteArray *body)
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
static GByteArray *
expect_packet (FdTdRaw *r, guint8 first, gsize len)
{
  GByteArray *body = g_byte_array_new ();
  guint8 got = 0;

  g_assert_true (raw_packet (r, &got, body));
  g_assert_cmphex (got, ==, first);
  g_assert_cmpuint (body->len, ==, len);
  return body;
}

/* A TLS connection to the MQTT port with @d's certificate (if any) and a CONNECT; asserts the
 * CONNACK's return code @rc. */
static FdTdRaw *
mqtt_open (const FdTdDevice *d, const char *client_id, const char *password, guint16 keepalive,
           guint8 rc)
{
  g_autoptr (GError) error = NULL;
  FdTdRaw *r = fd_td_raw_open_port (srv, srv->srv->mqtt_port, password ? NULL : d, &error);
  g_autoptr (GByteArray) ack = NULL;

  g_assert_no_error (error);
  raw_send_packet (r, connect_packet (client_id, password ? d->id : NULL, password, keepalive));
  ack = expect_packet (r, 0x20, 2);
  g_assert_cmpuint (ack->data[0], ==, 0);
  g_assert_cmpuint (ack->data[1], ==, rc);
  return r;
}

static void
ping (FdTdRaw *r)
{
  static const guint8 pingreq[] = { 0xc0, 0 };
  g_autoptr (GByteArray) resp = NULL;

  raw_write (r, pingreq, sizeof pingreq);
  resp = expect_packet (r, 0xd0, 0);
}

static GByteArray *
subscribe_packet (guint16 id, const char *filter)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  guint8 pid[2] = { id >> 8, id & 0xff }, qos = 1;

  g_byte_array_append (body, pid, 2);
  put_string (body, filter, -1);
  g_byte_array_append (body, &qos, 1);
  return packet (0x82, body);
}

static void
puback (FdTdRaw *r, guint16 id)
{
  guint8 p[4] = { 0x40, 2, id >> 8, id & 0xff };
  raw_write (r, p, sizeof p);
}

/* Reads a QoS 1 PUBLISH on @topic; returns its payload parsed, its packet id in *@id. */
static JsonNode *
expect_publish (FdTdRaw *r, const char *topic, guint16 *id, gboolean *dup)
{
  g_autoptr (GByteArray) body = g_byte_array_new ();
  guint8 first = 0;
  gsize tlen;
  JsonNode *node;

  g_assert_true (raw_packet (r, &first, body));
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

static void
expect_puback (FdTdRaw *r, guint16 id)
{
  g_autoptr (GByteArray) b = expect_packet (r, 0x40, 2);
  g_assert_cmpuint ((b->data[0] << 8) | b->data[1], ==, id);
}

static const char *
envelope_key (JsonNode *node)
{
  return json_object_get_string_member (json_node_get_object (node), "key");
}

/* A device that is served: another connection works while refused ones are closed. */
static FdTdDevice *witness;

static void
assert_still_serving (void)
{
  g_autoptr (FdTdRaw) r = mqtt_open (witness, witness->id, NULL, 60, 0);
  ping (r);
}

/* Tests. */

/* mosquitto_pub with a client certificate, QoS 1: PUBACK, and the reading is stored. paho sends
 * QoS 0 and QoS 1 on one connection: both stored. */
static void
test_certificate_publish (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-cert");
  g_autofree char *topic = g_strdup_printf ("j/data/%s/temp", d->id);
  g_autofree char *out = NULL;
  const char *extra[]
      = { "--publish", topic, "{\"t\": 1}", "0", "--publish", topic, "{\"t\": 2}", "1", NULL };
  g_autoptr (GPtrArray) events = NULL;

  g_assert_cmpint (mosquitto_pub (d, d->id, NULL, topic, "{\"t\": 21.5}", "1", &out), ==, 0);
  g_assert_nonnull (strstr (out, "received CONNACK (0)"));
  g_assert_nonnull (strstr (out, "received PUBACK"));
  g_assert_cmpint (readings (d, "temp"), ==, 1);

  events = paho (d, NULL, FALSE, extra);
  g_assert_cmpint (json_node_get_int (event (events, "connack", 0)), ==, 0);
  g_assert_nonnull (event (events, "puback", 0));
  g_assert_cmpint (readings (d, "temp"), ==, 3);
}

/* A device-token JWT and a cloud token as the password (user name = device id). */
static void
test_token_publish (void)
{
  g_autoptr (FdTdDevice) jwt_dev = fd_td_key_device (srv, "mq-jwt", "device_token");
  g_autoptr (FdTdDevice) cloud = fd_td_key_device (srv, "mq-cloud", "cloud_token");
  g_autofree char *jwt = fd_td_jwt (jwt_dev, g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autofree char *t1 = g_strdup_printf ("j/data/%s/power", jwt_dev->id);
  g_autofree char *t2 = g_strdup_printf ("j/data/%s/power", cloud->id);
  g_autofree char *out = NULL;
  const char *extra[] = { "--publish", t2, "{\"w\": 3}", "1", NULL };
  g_autoptr (GPtrArray) events = NULL;

  g_assert_cmpint (mosquitto_pub (jwt_dev, jwt_dev->id, jwt, t1, "{\"w\": 5}", "1", &out), ==, 0);
  g_assert_nonnull (strstr (out, "received PUBACK"));
  g_assert_cmpint (readings (jwt_dev, "power"), ==, 1);

  events = paho (cloud, cloud->secret, FALSE, extra);
  g_assert_cmpint (json_node_get_int (event (events, "connack", 0)), ==, 0);
  g_assert_nonnull (event (events, "puback", 0));
  g_assert_cmpint (readings (cloud, "power"), ==, 1);
}

/* Its own j/dn is granted (QoS 1), anything else gets 0x80: mosquitto_sub sends both in one
 * SUBSCRIBE. */
static void
test_subscribe (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-sub");
  g_autofree char *port = g_strdup_printf ("%u", srv->srv->mqtt_port);
  g_autofree char *own = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *out = NULL;
  const char *argv[] = { "timeout", "20",        "mosquitto_sub",
                         "-d",      "-V",        "mqttv311",
                         "-h",      "localhost", "-p",
                         port,      "--cafile",  srv->ca,
                         "--cert",  d->cert,     "--key",
                         d->key,    "-i",        d->id,
                         "-q",      "1",         "-t",
                         own,       "-t",        "j/dn/dev-other",
                         "-W",      "1",         NULL };

  run (argv, &out);
  g_assert_nonnull (strstr (out, "Subscribed (mid: 1): 1, 128"));
}

/* CONNACK 5 for a certificate that is no credential, 2 for a client id that is not the device,
 * 4 for a bad password, 5 for no credential at all. */
static void
test_refused_connect (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-refused");
  g_autoptr (FdTdDevice) k = fd_td_key_device (srv, "mq-refused-key", "device_token");
  g_autofree char *topic = g_strdup_printf ("j/data/%s/x", d->id);
  g_autofree char *crt = NULL, *key = NULL, *pem = NULL;
  g_autofree char *jwt = fd_td_jwt (k, g_get_real_time () / G_USEC_PER_SEC + 3600);
  FdTdDevice stranger = { .id = d->id };
  g_autofree char *out1 = NULL, *out2 = NULL, *out3 = NULL, *out4 = NULL;
  FdTdRaw *r;

  pem = fd_test_certtool (srv->dir, "mq-stranger", "--generate-self-signed",
                          "cn = \"stranger\"\nexpiration_days = 30\ntls_www_client\n", &crt, &key);
  stranger.cert = crt;
  stranger.key = key;
  g_assert_cmpint (mosquitto_pub (&stranger, d->id, NULL, topic, "{}", "1", &out1), !=, 0);
  g_assert_nonnull (strstr (out1, "received CONNACK (5)"));

  g_assert_cmpint (mosquitto_pub (d, "dev-notthisone", NULL, topic, "{}", "1", &out2), !=, 0);
  g_assert_nonnull (strstr (out2, "received CONNACK (2)"));

  jwt[strlen (jwt) - 2] = jwt[strlen (jwt) - 2] == 'A' ? 'B' : 'A'; /* a bad signature */
  g_assert_cmpint (mosquitto_pub (k, k->id, jwt, topic, "{}", "1", &out3), !=, 0);
  g_assert_nonnull (strstr (out3, "received CONNACK (4)"));
  g_assert_cmpint (mosquitto_pub (k, k->id, "not-a-token", topic, "{}", "1", &out4), !=, 0);
  g_assert_nonnull (strstr (out4, "received CONNACK (4)"));

  r = mqtt_open (NULL, d->id, NULL, 60, 5); /* no certificate, no password */
  g_assert_true (fd_td_closed_by_server (r));
  fd_td_raw_free (r);
  /* MQTT 3.1 is told its protocol level is not spoken */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FdTdRaw) old = fd_td_raw_open_port (srv, srv->srv->mqtt_port, d, &error);
    g_autoptr (GByteArray) ack = NULL;
    g_autoptr (GByteArray) p = connect_packet (d->id, NULL, NULL, 60);
    p->data[8] = 3;
    raw_write (old, p->data, p->len);
    ack = expect_packet (old, 0x20, 2);
    g_assert_cmpuint (ack->data[1], ==, 1);
    g_assert_true (fd_td_closed_by_server (old));
  }
  g_assert_cmpint (readings (d, "x"), ==, 0);
  assert_still_serving ();
}

/* A PUBLISH to another device's topic, or to any other topic, closes the connection; nothing of
 * it is stored. */
static void
test_other_topic (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-topic");
  g_autoptr (FdTdDevice) other = fd_td_cert_device (srv, "mq-topic-other");
  g_autofree char *theirs = g_strdup_printf ("j/data/%s/t", other->id);
  g_autofree char *out = NULL;
  const char *topics[] = { theirs, "j/up/dev-someoneelse", "foo/bar", NULL };

  for (guint i = 0; topics[i] != NULL; i++)
    {
      g_autoptr (FdTdRaw) r = mqtt_open (d, d->id, NULL, 60, 0);
      raw_send_packet (r, publish_packet (topics[i], 7, "{\"a\":1}", 7));
      g_assert_true (fd_td_closed_by_server (r));
    }
  g_assert_cmpint (mosquitto_pub (d, d->id, NULL, theirs, "{\"a\":1}", "1", &out), !=, 0);
  g_assert_null (strstr (out, "received PUBACK"));
  g_assert_cmpint (readings (other, "t"), ==, 0);
  assert_still_serving ();
}

/* A packet over --mqtt-max-packet closes the connection from its fixed header on; malformed
 * packets and a first packet that is not CONNECT close it too. */
static void
test_oversized_and_malformed (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-bad");
  g_autofree char *topic = g_strdup_printf ("j/data/%s/big", d->id);
  g_autofree char *big = g_strnfill (5000, ' ');

  memcpy (big, "{\"a\":1}", 7);
  {
    g_autoptr (FdTdRaw) r = mqtt_open (d, d->id, NULL, 60, 0);
    raw_send_packet (r, publish_packet (topic, 1, big, 5000));
    g_assert_true (fd_td_closed_by_server (r));
  }
  {
    /* mosquitto_pub itself: its PUBLISH is over the limit */
    g_autofree char *out = NULL;
    g_assert_cmpint (mosquitto_pub (d, d->id, NULL, topic, big, "1", &out), !=, 0);
    g_assert_null (strstr (out, "received PUBACK"));
  }
  g_assert_cmpint (readings (d, "big"), ==, 0);

  {
    /* PINGREQ before CONNECT */
    static const guint8 pingreq[] = { 0xc0, 0 };
    g_autoptr (GError) error = NULL;
    g_autoptr (FdTdRaw) r = fd_td_raw_open_port (srv, srv->srv->mqtt_port, d, &error);
    raw_write (r, pingreq, sizeof pingreq);
    g_assert_true (fd_td_closed_by_server (r));
  }
  {
    /* a remaining length of five bytes */
    static const guint8 bad[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x01 };
    g_autoptr (FdTdRaw) r = mqtt_open (d, d->id, NULL, 60, 0);
    raw_write (r, bad, sizeof bad);
    g_assert_true (fd_td_closed_by_server (r));
  }
  {
    /* a SUBSCRIBE with the wrong fixed-header flags, a topic that is not UTF-8 */
    static const guint8 sub[] = { 0x80, 8, 0, 1, 0, 3, 'a', '/', 'b', 1 };
    static const guint8 utf8[] = { 0x30, 6, 0, 4, 'j', 0xff, '/', 'x' };
    g_autoptr (FdTdRaw) r1 = mqtt_open (d, d->id, NULL, 60, 0);
    g_autoptr (FdTdRaw) r2 = mqtt_open (d, d->id, NULL, 60, 0);
    raw_write (r1, sub, sizeof sub);
    g_assert_true (fd_td_closed_by_server (r1));
    raw_write (r2, utf8, sizeof utf8);
    g_assert_true (fd_td_closed_by_server (r2));
  }
  assert_still_serving ();
}

/* Packets that share a write and a PUBLISH that spans two are all answered, in order. */
static void
test_framing (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-framing");
  g_autofree char *topic = g_strdup_printf ("j/data/%s/f", d->id);
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open_port (srv, srv->srv->mqtt_port, d, &error);
  g_autoptr (GByteArray) all = connect_packet (d->id, NULL, NULL, 60);
  g_autoptr (GByteArray) sub_body = g_byte_array_new ();
  g_autoptr (GByteArray) sub = NULL;
  g_autoptr (GByteArray) p1 = publish_packet (topic, 11, "{\"n\":1}", 7);
  g_autoptr (GByteArray) p2 = publish_packet (topic, 12, "{\"n\":2}", 7);
  static const guint8 pingreq[] = { 0xc0, 0 };
  guint8 id[2] = { 0, 5 }, qos = 1;
  GByteArray *b;

  g_assert_no_error (error);
  g_byte_array_append (sub_body, id, 2);
  put_string (sub_body, dn, -1);
  g_byte_array_append (sub_body, &qos, 1);
  sub = packet (0x82, sub_body);
  g_byte_array_append (all, sub->data, sub->len);
  g_byte_array_append (all, p1->data, p1->len);
  g_byte_array_append (all, p2->data, 5); /* the rest comes in a second write */
  raw_write (r, all->data, all->len);
  g_usleep (50 * 1000);
  raw_write (r, p2->data + 5, p2->len - 5);
  raw_write (r, pingreq, sizeof pingreq);

  b = expect_packet (r, 0x20, 2);
  g_assert_cmpuint (b->data[1], ==, 0);
  g_byte_array_unref (b);
  b = expect_packet (r, 0x90, 3);
  g_assert_cmpuint (b->data[2], ==, 1);
  g_byte_array_unref (b);
  b = expect_packet (r, 0x40, 2);
  g_assert_cmpuint (b->data[1], ==, 11);
  g_byte_array_unref (b);
  b = expect_packet (r, 0x40, 2);
  g_assert_cmpuint (b->data[1], ==, 12);
  g_byte_array_unref (b);
  g_byte_array_unref (expect_packet (r, 0xd0, 0));
  g_assert_cmpint (readings (d, "f"), ==, 2);
}

/* A connection that never sends CONNECT (TLS done or not) is closed after
 * --mqtt-connect-timeout; one whose keep-alive lapses after 1.5 x the keep-alive. */
static void
test_timeouts (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-silent");
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open_port (srv, srv->srv->mqtt_port, d, &error);
  g_autoptr (GSocketConnection) tcp = fd_td_tcp_connect_port (srv->srv->mqtt_port);
  char byte;

  g_assert_no_error (error);
  g_assert_true (fd_td_closed_by_server (r));
  /* no TLS at all: the server ends it (EOF) before the client's 10 s socket timeout */
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (tcp)), &byte, 1,
                                        NULL, &error),
                   ==, 0);
  g_assert_no_error (error);

  {
    g_autoptr (FdTdRaw) k = mqtt_open (d, d->id, NULL, 1, 0);
    ping (k);
    g_assert_true (fd_td_closed_by_server (k));
  }
  assert_still_serving ();
}

/* Revoking the credential ends the live session at once. */
static void
test_revoked_while_connected (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-revoke");
  g_autoptr (FdTdRaw) r = mqtt_open (d, d->id, NULL, 60, 0);

  ping (r);
  fd_td_revoke (srv, d);
  g_assert_true (fd_td_closed_by_server (r));
  {
    g_autoptr (FdTdRaw) again = mqtt_open (d, d->id, NULL, 60, 5);
  }
  assert_still_serving ();
}

/* A second connection of the device takes the session over: the first is closed. */
static void
test_take_over (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-takeover");
  g_autoptr (FdTdRaw) first = mqtt_open (d, d->id, NULL, 60, 0);
  g_autoptr (FdTdRaw) second = NULL;

  ping (first);
  second = mqtt_open (d, d->id, NULL, 60, 0);
  g_assert_true (fd_td_closed_by_server (first));
  ping (second);
}

/* MQTT over WebSocket (wss://…:device-port/mqtt), with the certificate of the HTTPS handshake
 * and with a password. */
static void
test_websocket (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-ws");
  g_autoptr (FdTdDevice) k = fd_td_key_device (srv, "mq-ws-key", "device_token");
  g_autofree char *jwt = fd_td_jwt (k, g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *topic = g_strdup_printf ("j/data/%s/ws", d->id);
  g_autofree char *ktopic = g_strdup_printf ("j/data/%s/ws", k->id);
  const char *extra[] = { "--subscribe", dn,  "--subscribe", "j/dn/dev-other", "--publish", topic,
                          "{\"v\": 1}",  "1", NULL };
  const char *kextra[] = { "--publish", ktopic, "{\"v\": 2}", "1", NULL };
  g_autoptr (GPtrArray) events = paho (d, NULL, TRUE, extra);
  g_autoptr (GPtrArray) kevents = NULL;

  g_assert_cmpint (json_node_get_int (event (events, "connack", 0)), ==, 0);
  g_assert_cmpint (
      json_array_get_int_element (json_node_get_array (event (events, "suback", 0)), 0), ==, 1);
  g_assert_cmpint (
      json_array_get_int_element (json_node_get_array (event (events, "suback", 1)), 0), ==, 0x80);
  g_assert_nonnull (event (events, "puback", 0));
  g_assert_cmpint (readings (d, "ws"), ==, 1);

  kevents = paho (k, jwt, TRUE, kextra);
  g_assert_cmpint (json_node_get_int (event (kevents, "connack", 0)), ==, 0);
  g_assert_nonnull (event (kevents, "puback", 0));
  g_assert_cmpint (readings (k, "ws"), ==, 1);
}

/* A well-formed PUBLISH whose payload is refused is acknowledged, nothing is stored, and the
 * device is told on j/dn with an #error message. */
static void
test_refused_payload (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-payload");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *topic = g_strdup_printf ("j/data/%s/p", d->id);
  const char *extra[]
      = { "--subscribe", dn, "--publish", topic, "{\"a\": tru", "1", "--messages", "1", NULL };
  g_autoptr (GPtrArray) events = paho (d, NULL, FALSE, extra);
  JsonNode *msg = event (events, "message", 0);
  JsonObject *payload;

  g_assert_nonnull (event (events, "puback", 0));
  g_assert_nonnull (msg);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (msg), "topic"), ==, dn);
  payload = json_object_get_object_member (json_node_get_object (msg), "payload");
  g_assert_cmpstr (json_object_get_string_member (payload, "key"), ==, "#error");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (payload, "value"), "topic"), ==,
      topic);
  g_assert_cmpint (json_object_get_int_member (payload, "version"), >, 0);
  g_assert_cmpint (readings (d, "p"), ==, 0);
}

/* What ZDM clients do right after CONNACK, in one write: SUBSCRIBE, then #status, #now, a
 * bad message and a report on j/up. Each is acknowledged in order; the replies (QoS 1 on j/dn)
 * follow their PUBACK, #status already seeing the subscription; the bad one gets #error. */
static void
test_up_messages (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-up");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *up = g_strdup_printf ("j/up/%s", d->id);
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/status", d->id);
  g_autoptr (FdTdRaw) r = mqtt_open (d, d->id, NULL, 60, 0);
  g_autoptr (GByteArray) all = subscribe_packet (1, dn);
  const char *msgs[] = { "{\"key\":\"#status\",\"value\":{}}", "{\"key\":\"#now\",\"value\":{}}",
                         "{\"key\":1,\"value\":2}", "{\"key\":\"temp_limit\",\"value\":30}" };
  const char *replies[] = { "#status", "#now", "#error", NULL };
  g_autoptr (GByteArray) ack = NULL;
  g_autoptr (JsonNode) status = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      g_autoptr (GByteArray) p = publish_packet (up, (guint16)(10 + i), msgs[i], strlen (msgs[i]));
      g_byte_array_append (all, p->data, p->len);
    }
  raw_write (r, all->data, all->len);

  ack = expect_packet (r, 0x90, 3);
  g_assert_cmpuint (ack->data[2], ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      expect_puback (r, (guint16)(10 + i));
      if (replies[i] != NULL)
        {
          guint16 id;
          g_autoptr (JsonNode) reply = expect_publish (r, dn, &id, NULL);
          JsonObject *obj = json_node_get_object (reply);
          g_assert_cmpstr (envelope_key (reply), ==, replies[i]);
          g_assert_cmpint (json_object_get_int_member (obj, "version"), >, 0);
          if (i == 0)
            g_assert_true (
                json_object_has_member (json_object_get_object_member (obj, "value"), "expected"));
          if (i == 1)
            g_assert_cmpint (
                json_object_get_int_member (json_object_get_object_member (obj, "value"), "s"), >,
                1700000000);
          if (i == 2)
            g_assert_cmpstr (json_object_get_string_member (
                                 json_object_get_object_member (obj, "value"), "topic"),
                             ==, up);
          puback (r, id);
        }
    }
  ping (r); /* everything above was handled before this */
  status = fd_test_api_expect (srv->srv, "GET", path, NULL, 200);
  g_assert_true (json_object_has_member (
      json_object_get_object_member (json_node_get_object (status), "current"), "temp_limit"));
}

/* A down-message posted through the API reaches the subscribed session as a QoS 1 PUBLISH;
 * with --mqtt-inflight=3, the fourth and fifth wait for PUBACKs. A device that is not
 * subscribed gets nothing now (the message waits in its expected map). */
static void
test_down_messages (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (srv, "mq-down");
  g_autoptr (FdTdDevice) quiet = fd_td_cert_device (srv, "mq-down-quiet");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/messages", d->id);
  g_autofree char *qpath = g_strdup_printf ("/api/v1/devices/%s/messages", quiet->id);
  g_autoptr (FdTdRaw) r = mqtt_open (d, d->id, NULL, 60, 0);
  g_autoptr (FdTdRaw) q = mqtt_open (quiet, quiet->id, NULL, 60, 0);
  g_autoptr (GByteArray) ack = NULL;
  guint16 ids[5];

  raw_send_packet (r, subscribe_packet (1, dn));
  ack = expect_packet (r, 0x90, 3);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *body
          = g_strdup_printf ("{\"key\": \"@job%u\", \"value\": {\"args\": {}}}", i);
      g_autoptr (JsonNode) sent = fd_test_api_expect (srv->srv, "POST", path, body, 202);
      g_assert_true (json_object_get_boolean_member (json_node_get_object (sent), "delivered"));
    }
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonNode) msg = expect_publish (r, dn, &ids[i], NULL);
      g_autofree char *want = g_strdup_printf ("@job%u", i);
      g_assert_cmpstr (envelope_key (msg), ==, want);
    }
  ping (r); /* the window is full: nothing came before the PINGRESP */
  for (guint i = 3; i < 5; i++)
    {
      g_autoptr (JsonNode) msg = NULL;
      g_autofree char *want = g_strdup_printf ("@job%u", i);
      puback (r, ids[i - 3]);
      msg = expect_publish (r, dn, &ids[i], NULL);
      g_assert_cmpstr (envelope_key (msg), ==, want);
    }
  for (guint i = 2; i < 5; i++)
    puback (r, ids[i]);
  ping (r);

  {
    g_autoptr (JsonNode) sent
        = fd_test_api_expect (srv->srv, "POST", qpath, "{\"key\": \"@x\", \"value\": {}}", 202);
    g_assert_false (json_object_get_boolean_member (json_node_get_object (sent), "delivered"));
    ping (q);
  }
}

int
main (int argc, char **argv)
{
  const char *args[]
      = { "--mqtt-max-packet=4096", "--mqtt-connect-timeout=1", "--mqtt-inflight=3", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  srv = fd_td_server_start (args);
  witness = fd_td_cert_device (srv, "mq-witness");

  g_test_add_func ("/mqtt/certificate-publish", test_certificate_publish);
  g_test_add_func ("/mqtt/token-publish", test_token_publish);
  g_test_add_func ("/mqtt/subscribe", test_subscribe);
  g_test_add_func ("/mqtt/refused-connect", test_refused_connect);
  g_test_add_func ("/mqtt/other-topic", test_other_topic);
  g_test_add_func ("/mqtt/oversized-and-malformed", test_oversized_and_malformed);
  g_test_add_func ("/mqtt/framing", test_framing);
  g_test_add_func ("/mqtt/timeouts", test_timeouts);
  g_test_add_func ("/mqtt/revoked-while-connected", test_revoked_while_connected);
  g_test_add_func ("/mqtt/take-over", test_take_over);
  g_test_add_func ("/mqtt/websocket", test_websocket);
  g_test_add_func ("/mqtt/refused-payload", test_refused_payload);
  g_test_add_func ("/mqtt/up-messages", test_up_messages);
  g_test_add_func ("/mqtt/down-messages", test_down_messages);
  status = g_test_run ();

  fd_td_device_free (witness);
  fd_td_server_stop (srv);
  return status;
}
