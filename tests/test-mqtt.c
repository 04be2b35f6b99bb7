/* test-mqtt.c — the MQTT endpoint of a real fleetdesk-server: connecting (certificate, JWT,
 * cloud token, each refusal with its CONNACK code), publishing data, subscribing, and every way a
 * connection is closed (another device's topic, oversized and malformed packets, a CONNECT that
 * never comes, keep-alive, revocation, take-over), each followed by a device that is still
 * served. Peers: mosquitto_pub / mosquitto_sub, paho-mqtt (tests/mqtt-client.py), raw bytes. */
#include "fd-test-mqtt.h"

#include <string.h>

/* A device that is served: another connection works while refused ones are closed. */
static FdTdDevice *witness;

static void
assert_still_serving (void)
{
  g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (witness, witness->id, NULL, 60, 0);
  fd_tm_ping (r);
}

/* Tests. */

/* mosquitto_pub with a client certificate, QoS 1: PUBACK, and the reading is stored. paho sends
 * QoS 0 and QoS 1 on one connection: both stored. */
static void
test_certificate_publish (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-cert");
  g_autofree char *topic = g_strdup_printf ("j/data/%s/temp", d->id);
  g_autofree char *out = NULL;
  const char *extra[]
      = { "--publish", topic, "{\"t\": 1}", "0", "--publish", topic, "{\"t\": 2}", "1", NULL };
  g_autoptr (GPtrArray) events = NULL;

  g_assert_cmpint (fd_tm_mosquitto_pub (d, d->id, NULL, topic, "{\"t\": 21.5}", "1", &out), ==, 0);
  g_assert_nonnull (strstr (out, "received CONNACK (0)"));
  g_assert_nonnull (strstr (out, "received PUBACK"));
  g_assert_cmpint (fd_tm_readings (d, "temp"), ==, 1);

  events = fd_tm_paho (d, NULL, FALSE, extra);
  g_assert_cmpint (json_node_get_int (fd_tm_event (events, "connack", 0)), ==, 0);
  g_assert_nonnull (fd_tm_event (events, "puback", 0));
  g_assert_cmpint (fd_tm_readings (d, "temp"), ==, 3);
}

/* A device-token JWT and a cloud token as the password (user name = device id). */
static void
test_token_publish (void)
{
  g_autoptr (FdTdDevice) jwt_dev = fd_td_key_device (fd_tm_srv, "mq-jwt", "device_token");
  g_autoptr (FdTdDevice) cloud = fd_td_key_device (fd_tm_srv, "mq-cloud", "cloud_token");
  g_autofree char *jwt = fd_td_jwt (jwt_dev, g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autofree char *t1 = g_strdup_printf ("j/data/%s/power", jwt_dev->id);
  g_autofree char *t2 = g_strdup_printf ("j/data/%s/power", cloud->id);
  g_autofree char *out = NULL;
  const char *extra[] = { "--publish", t2, "{\"w\": 3}", "1", NULL };
  g_autoptr (GPtrArray) events = NULL;

  g_assert_cmpint (fd_tm_mosquitto_pub (jwt_dev, jwt_dev->id, jwt, t1, "{\"w\": 5}", "1", &out), ==,
                   0);
  g_assert_nonnull (strstr (out, "received PUBACK"));
  g_assert_cmpint (fd_tm_readings (jwt_dev, "power"), ==, 1);

  events = fd_tm_paho (cloud, cloud->secret, FALSE, extra);
  g_assert_cmpint (json_node_get_int (fd_tm_event (events, "connack", 0)), ==, 0);
  g_assert_nonnull (fd_tm_event (events, "puback", 0));
  g_assert_cmpint (fd_tm_readings (cloud, "power"), ==, 1);
}

/* Its own j/dn is granted (QoS 1), anything else gets 0x80: mosquitto_sub sends both in one
 * SUBSCRIBE. */
static void
test_subscribe (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-sub");
  g_autofree char *port = g_strdup_printf ("%u", fd_tm_srv->srv->mqtt_port);
  g_autofree char *own = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *out = NULL;
  const char *argv[] = { "timeout", "20",        "mosquitto_sub",
                         "-d",      "-V",        "mqttv311",
                         "-h",      "localhost", "-p",
                         port,      "--cafile",  fd_tm_srv->ca,
                         "--cert",  d->cert,     "--key",
                         d->key,    "-i",        d->id,
                         "-q",      "1",         "-t",
                         own,       "-t",        "j/dn/dev-other",
                         "-W",      "1",         NULL };

  fd_tm_run (argv, &out);
  g_assert_nonnull (strstr (out, "Subscribed (mid: 1): 1, 128"));
}

/* CONNACK 5 for a certificate that is no credential, 2 for a client id that is not the device,
 * 4 for a bad password, 5 for no credential at all. */
static void
test_refused_connect (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-refused");
  g_autoptr (FdTdDevice) k = fd_td_key_device (fd_tm_srv, "mq-refused-key", "device_token");
  g_autofree char *topic = g_strdup_printf ("j/data/%s/x", d->id);
  g_autofree char *crt = NULL, *key = NULL, *pem = NULL;
  g_autofree char *jwt = fd_td_jwt (k, g_get_real_time () / G_USEC_PER_SEC + 3600);
  FdTdDevice stranger = { .id = d->id };
  g_autofree char *out1 = NULL, *out2 = NULL, *out3 = NULL, *out4 = NULL;
  FdTdRaw *r;

  pem = fd_test_certtool (fd_tm_srv->dir, "mq-stranger", "--generate-self-signed",
                          "cn = \"stranger\"\nexpiration_days = 30\ntls_www_client\n", &crt, &key);
  stranger.cert = crt;
  stranger.key = key;
  g_assert_cmpint (fd_tm_mosquitto_pub (&stranger, d->id, NULL, topic, "{}", "1", &out1), !=, 0);
  g_assert_nonnull (strstr (out1, "received CONNACK (5)"));

  g_assert_cmpint (fd_tm_mosquitto_pub (d, "dev-notthisone", NULL, topic, "{}", "1", &out2), !=, 0);
  g_assert_nonnull (strstr (out2, "received CONNACK (2)"));

  jwt[strlen (jwt) - 2] = jwt[strlen (jwt) - 2] == 'A' ? 'B' : 'A'; /* a bad signature */
  g_assert_cmpint (fd_tm_mosquitto_pub (k, k->id, jwt, topic, "{}", "1", &out3), !=, 0);
  g_assert_nonnull (strstr (out3, "received CONNACK (4)"));
  g_assert_cmpint (fd_tm_mosquitto_pub (k, k->id, "not-a-token", topic, "{}", "1", &out4), !=, 0);
  g_assert_nonnull (strstr (out4, "received CONNACK (4)"));

  r = fd_tm_mqtt_open (NULL, d->id, NULL, 60, 5); /* no certificate, no password */
  g_assert_true (fd_td_closed_by_server (r));
  fd_td_raw_free (r);
  /* MQTT 3.1 is told its protocol level is not spoken */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FdTdRaw) old = fd_td_raw_open_port (fd_tm_srv, fd_tm_srv->srv->mqtt_port, d, &error);
    g_autoptr (GByteArray) ack = NULL;
    g_autoptr (GByteArray) p = fd_tm_connect_packet (d->id, NULL, NULL, 60);
    p->data[8] = 3;
    fd_tm_raw_write (old, p->data, p->len);
    ack = fd_tm_expect_packet (old, 0x20, 2);
    g_assert_cmpuint (ack->data[1], ==, 1);
    g_assert_true (fd_td_closed_by_server (old));
  }
  g_assert_cmpint (fd_tm_readings (d, "x"), ==, 0);
  assert_still_serving ();
}

/* A PUBLISH to another device's topic, or to any other topic, closes the connection; nothing of
 * it is stored. */
static void
test_other_topic (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-topic");
  g_autoptr (FdTdDevice) other = fd_td_cert_device (fd_tm_srv, "mq-topic-other");
  g_autofree char *theirs = g_strdup_printf ("j/data/%s/t", other->id);
  g_autofree char *out = NULL;
  const char *topics[] = { theirs, "j/up/dev-someoneelse", "foo/bar", NULL };

  for (guint i = 0; topics[i] != NULL; i++)
    {
      g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
      fd_tm_raw_send_packet (r, fd_tm_publish_packet (topics[i], 7, "{\"a\":1}", 7));
      g_assert_true (fd_td_closed_by_server (r));
    }
  g_assert_cmpint (fd_tm_mosquitto_pub (d, d->id, NULL, theirs, "{\"a\":1}", "1", &out), !=, 0);
  g_assert_null (strstr (out, "received PUBACK"));
  g_assert_cmpint (fd_tm_readings (other, "t"), ==, 0);
  assert_still_serving ();
}

/* A packet over --mqtt-max-packet closes the connection from its fixed header on; malformed
 * packets and a first packet that is not CONNECT close it too. */
static void
test_oversized_and_malformed (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-bad");
  g_autofree char *topic = g_strdup_printf ("j/data/%s/big", d->id);
  g_autofree char *big = g_strnfill (5000, ' ');

  memcpy (big, "{\"a\":1}", 7);
  {
    g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
    fd_tm_raw_send_packet (r, fd_tm_publish_packet (topic, 1, big, 5000));
    g_assert_true (fd_td_closed_by_server (r));
  }
  {
    /* mosquitto_pub itself: its PUBLISH is over the limit */
    g_autofree char *out = NULL;
    g_assert_cmpint (fd_tm_mosquitto_pub (d, d->id, NULL, topic, big, "1", &out), !=, 0);
    g_assert_null (strstr (out, "received PUBACK"));
  }
  g_assert_cmpint (fd_tm_readings (d, "big"), ==, 0);

  {
    /* PINGREQ before CONNECT */
    static const guint8 pingreq[] = { 0xc0, 0 };
    g_autoptr (GError) error = NULL;
    g_autoptr (FdTdRaw) r = fd_td_raw_open_port (fd_tm_srv, fd_tm_srv->srv->mqtt_port, d, &error);
    fd_tm_raw_write (r, pingreq, sizeof pingreq);
    g_assert_true (fd_td_closed_by_server (r));
  }
  {
    /* a remaining length of five bytes */
    static const guint8 bad[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x01 };
    g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
    fd_tm_raw_write (r, bad, sizeof bad);
    g_assert_true (fd_td_closed_by_server (r));
  }
  {
    /* a SUBSCRIBE with the wrong fixed-header flags, a topic that is not UTF-8 */
    static const guint8 sub[] = { 0x80, 8, 0, 1, 0, 3, 'a', '/', 'b', 1 };
    static const guint8 utf8[] = { 0x30, 6, 0, 4, 'j', 0xff, '/', 'x' };
    g_autoptr (FdTdRaw) r1 = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
    g_autoptr (FdTdRaw) r2 = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
    fd_tm_raw_write (r1, sub, sizeof sub);
    g_assert_true (fd_td_closed_by_server (r1));
    fd_tm_raw_write (r2, utf8, sizeof utf8);
    g_assert_true (fd_td_closed_by_server (r2));
  }
  assert_still_serving ();
}

/* Packets that share a write and a PUBLISH that spans two are all answered, in order. */
static void
test_framing (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-framing");
  g_autofree char *topic = g_strdup_printf ("j/data/%s/f", d->id);
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open_port (fd_tm_srv, fd_tm_srv->srv->mqtt_port, d, &error);
  g_autoptr (GByteArray) all = fd_tm_connect_packet (d->id, NULL, NULL, 60);
  g_autoptr (GByteArray) sub_body = g_byte_array_new ();
  g_autoptr (GByteArray) sub = NULL;
  g_autoptr (GByteArray) p1 = fd_tm_publish_packet (topic, 11, "{\"n\":1}", 7);
  g_autoptr (GByteArray) p2 = fd_tm_publish_packet (topic, 12, "{\"n\":2}", 7);
  static const guint8 pingreq[] = { 0xc0, 0 };
  guint8 id[2] = { 0, 5 }, qos = 1;
  GByteArray *b;

  g_assert_no_error (error);
  g_byte_array_append (sub_body, id, 2);
  fd_tm_put_string (sub_body, dn, -1);
  g_byte_array_append (sub_body, &qos, 1);
  sub = fd_tm_packet (0x82, sub_body);
  g_byte_array_append (all, sub->data, sub->len);
  g_byte_array_append (all, p1->data, p1->len);
  g_byte_array_append (all, p2->data, 5); /* the rest comes in a second write */
  fd_tm_raw_write (r, all->data, all->len);
  g_usleep (50 * 1000);
  fd_tm_raw_write (r, p2->data + 5, p2->len - 5);
  fd_tm_raw_write (r, pingreq, sizeof pingreq);

  b = fd_tm_expect_packet (r, 0x20, 2);
  g_assert_cmpuint (b->data[1], ==, 0);
  g_byte_array_unref (b);
  b = fd_tm_expect_packet (r, 0x90, 3);
  g_assert_cmpuint (b->data[2], ==, 1);
  g_byte_array_unref (b);
  b = fd_tm_expect_packet (r, 0x40, 2);
  g_assert_cmpuint (b->data[1], ==, 11);
  g_byte_array_unref (b);
  b = fd_tm_expect_packet (r, 0x40, 2);
  g_assert_cmpuint (b->data[1], ==, 12);
  g_byte_array_unref (b);
  g_byte_array_unref (fd_tm_expect_packet (r, 0xd0, 0));
  g_assert_cmpint (fd_tm_readings (d, "f"), ==, 2);
}

/* A connection that never sends CONNECT (TLS done or not) is closed after
 * --mqtt-connect-timeout; one whose keep-alive lapses after 1.5 x the keep-alive. */
static void
test_timeouts (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-silent");
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) r = fd_td_raw_open_port (fd_tm_srv, fd_tm_srv->srv->mqtt_port, d, &error);
  g_autoptr (GSocketConnection) tcp = fd_td_tcp_connect_port (fd_tm_srv->srv->mqtt_port);
  char byte;

  g_assert_no_error (error);
  g_assert_true (fd_td_closed_by_server (r));
  /* no TLS at all: the server ends it (EOF) before the client's 10 s socket timeout */
  g_assert_cmpint (g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (tcp)), &byte, 1,
                                        NULL, &error),
                   ==, 0);
  g_assert_no_error (error);

  {
    g_autoptr (FdTdRaw) k = fd_tm_mqtt_open (d, d->id, NULL, 1, 0);
    fd_tm_ping (k);
    g_assert_true (fd_td_closed_by_server (k));
  }
  assert_still_serving ();
}

/* Revoking the credential ends the live session at once. */
static void
test_revoked_while_connected (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-revoke");
  g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);

  fd_tm_ping (r);
  fd_td_revoke (fd_tm_srv, d);
  g_assert_true (fd_td_closed_by_server (r));
  {
    g_autoptr (FdTdRaw) again = fd_tm_mqtt_open (d, d->id, NULL, 60, 5);
  }
  assert_still_serving ();
}

/* A second connection of the device takes the session over: the first is closed. */
static void
test_take_over (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-takeover");
  g_autoptr (FdTdRaw) first = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
  g_autoptr (FdTdRaw) second = NULL;

  fd_tm_ping (first);
  second = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
  g_assert_true (fd_td_closed_by_server (first));
  fd_tm_ping (second);
}
/* The MQTT limits are checked before the server starts. */
static void
test_options (void)
{
  const char *bad[][2]
      = { { "--mqtt-max-packet=10", "--mqtt-max-packet must be" },
          { "--mqtt-inflight=0", "--mqtt-inflight must be" },
          { "--mqtt-max-conns-per-address=0", "--mqtt-max-conns-per-address must be" },
          { "--mqtt-connect-timeout=0", "--mqtt-connect-timeout must be" },
          { "--mqtt-max-topic=8", "--mqtt-max-topic must be" } };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *argv[] = { g_getenv ("FD_SERVER_BIN"), bad[i][0], NULL };
      g_autofree char *out = NULL, *err = NULL;
      g_assert_cmpint (fd_test_run (argv, &out, &err), ==, 2);
      g_assert_nonnull (strstr (err, bad[i][1]));
    }
}

/* --mqtt-max-topic: a PUBLISH whose topic is one character longer closes the connection and
 * stores nothing; one at the limit is taken. Device ids are "dev-" and 20 characters, so
 * "j/data/<id>/" is 32 characters and a tag of 16 reaches the limit of 48. */
static void
test_topic_limit (void)
{
  const char *args[] = { "--mqtt-max-topic=48", NULL };
  FdTdServer *shared = fd_tm_srv;
  FdTdServer *small = fd_td_server_start (args);
  g_autoptr (FdTdDevice) d = NULL;
  g_autofree char *at_limit = NULL, *over = NULL;

  fd_tm_srv = small;
  d = fd_td_cert_device (small, "mq-topic-limit");
  at_limit = g_strdup_printf ("j/data/%s/%s", d->id, "abcdefghijklmnop");
  over = g_strdup_printf ("j/data/%s/%s", d->id, "abcdefghijklmnopq");
  g_assert_cmpuint (g_utf8_strlen (at_limit, -1), ==, 48);
  {
    g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
    fd_tm_raw_send_packet (r, fd_tm_publish_packet (at_limit, 3, "{\"a\":1}", 7));
    fd_tm_expect_puback (r, 3);
  }
  {
    g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
    fd_tm_raw_send_packet (r, fd_tm_publish_packet (over, 4, "{\"a\":1}", 7));
    g_assert_true (fd_td_closed_by_server (r));
  }
  g_assert_cmpint (fd_tm_readings (d, "abcdefghijklmnop"), ==, 1);
  g_assert_cmpint (fd_tm_readings (d, "abcdefghijklmnopq"), ==, 0);
  fd_tm_srv = shared;
  fd_td_server_stop (small);
}

/* --mqtt-max-conns-per-address: a connection beyond it is closed at once, and there is room
 * again once one has gone. */
static void
test_connection_limit (void)
{
  const char *args[] = { "--mqtt-max-conns-per-address=2", NULL };
  FdTdServer *shared = fd_tm_srv;
  FdTdServer *small = fd_td_server_start (args);
  g_autoptr (FdTdDevice) a = NULL, b = NULL;
  FdTdRaw *first, *second;
  gboolean room = FALSE;

  fd_tm_srv = small;
  a = fd_td_cert_device (small, "limit-a");
  b = fd_td_cert_device (small, "limit-b");
  first = fd_tm_mqtt_open (a, a->id, NULL, 60, 0);
  second = fd_tm_mqtt_open (b, b->id, NULL, 60, 0);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FdTdRaw) third = fd_td_raw_open_port (small, small->srv->mqtt_port, a, &error);
    if (third != NULL)
      {
        g_autoptr (GByteArray) p = fd_tm_connect_packet (a->id, NULL, NULL, 60);
        g_output_stream_write_all (g_io_stream_get_output_stream (third->tls), p->data, p->len,
                                   NULL, NULL, NULL);
        g_assert_true (fd_td_closed_by_server (third));
      }
  }
  fd_tm_ping (first);
  fd_tm_ping (second);
  fd_td_raw_free (second);
  /* the server sees the hang-up when it reads; a new connection finds room then */
  for (guint i = 0; i < 100 && !room; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FdTdRaw) r = fd_td_raw_open_port (small, small->srv->mqtt_port, b, &error);
      g_autoptr (GByteArray) p = fd_tm_connect_packet (b->id, NULL, NULL, 60);
      g_autoptr (GByteArray) body = g_byte_array_new ();
      guint8 first_byte = 0;

      if (r != NULL
          && g_output_stream_write_all (g_io_stream_get_output_stream (r->tls), p->data, p->len,
                                        NULL, NULL, NULL)
          && fd_tm_raw_packet (r, &first_byte, body))
        room = first_byte == 0x20 && body->len == 2 && body->data[1] == 0;
      if (!room)
        g_usleep (100 * 1000);
    }
  g_assert_true (room);
  fd_td_raw_free (first);
  fd_tm_srv = shared;
  fd_td_server_stop (small);
}

int
main (int argc, char **argv)
{
  const char *args[]
      = { "--mqtt-max-packet=4096", "--mqtt-connect-timeout=1", "--mqtt-inflight=3", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_tm_srv = fd_td_server_start (args);
  witness = fd_td_cert_device (fd_tm_srv, "mq-witness");

  g_test_add_func ("/mqtt/certificate-publish", test_certificate_publish);
  g_test_add_func ("/mqtt/token-publish", test_token_publish);
  g_test_add_func ("/mqtt/subscribe", test_subscribe);
  g_test_add_func ("/mqtt/refused-connect", test_refused_connect);
  g_test_add_func ("/mqtt/other-topic", test_other_topic);
  g_test_add_func ("/mqtt/topic-limit", test_topic_limit);
  g_test_add_func ("/mqtt/oversized-and-malformed", test_oversized_and_malformed);
  g_test_add_func ("/mqtt/framing", test_framing);
  g_test_add_func ("/mqtt/timeouts", test_timeouts);
  g_test_add_func ("/mqtt/revoked-while-connected", test_revoked_while_connected);
  g_test_add_func ("/mqtt/take-over", test_take_over);
  g_test_add_func ("/mqtt/options", test_options);
  g_test_add_func ("/mqtt/connection-limit", test_connection_limit);
  status = g_test_run ();

  fd_td_device_free (witness);
  fd_td_server_stop (fd_tm_srv);
  return status;
}
