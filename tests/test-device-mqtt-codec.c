/* test-device-mqtt-codec.c — the device's MQTT 3.1.1 packets, byte for byte against the
 * specification's examples and layout (OASIS MQTT 3.1.1 §2.2.3, §3.1, §3.3, §3.8), and the
 * reader's answers to split, oversized and malformed input. */
#include <string.h>

#include "fd-device-mqtt-codec.h"

static void
assert_bytes (GString *got, const guint8 *want, gsize len)
{
  if (got->len != len || memcmp (got->str, want, len) != 0)
    {
      g_autoptr (GString) hex = g_string_new (NULL);
      for (gsize i = 0; i < got->len; i++)
        g_string_append_printf (hex, "%02x ", (guint8)got->str[i]);
      g_error ("packet bytes differ; got %s", hex->str);
    }
}

static void
test_connect (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  /* Fixed header, "MQTT", level 4, flags user+password+clean session, keep-alive 60, then
   * client id "dev-1", user name "dev-1", password "tok". */
  static const guint8 want[]
      = { 0x10, 29,  0,   4, 'M', 'Q', 'T', 'T', 4,   0xc2, 0, 60, 0,   5,   'd', 'e',
          'v',  '-', '1', 0, 5,   'd', 'e', 'v', '-', '1',  0, 3,  't', 'o', 'k' };
  static const guint8 want_cert[]
      = { 0x10, 17, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 5, 'd', 'e', 'v', '-', '1' };

  fd_device_mqtt_append_connect (out, "dev-1", "dev-1", "tok", 60);
  assert_bytes (out, want, sizeof want);
  g_string_truncate (out, 0);
  fd_device_mqtt_append_connect (out, "dev-1", NULL, NULL, 60);
  assert_bytes (out, want_cert, sizeof want_cert);
}

static void
test_publish_subscribe (void)
{
  g_autoptr (GString) out = g_string_new (NULL);
  static const guint8 want_pub[]
      = { 0x32, 11, 0, 3, 'a', '/', 'b', 0x12, 0x34, '{', 'x', '}', '!' };
  static const guint8 want_sub[] = { 0x82, 8, 0, 7, 0, 3, 'j', '/', 'd', 1 };
  static const guint8 want_small[] = { 0xc0, 0, 0xe0, 0, 0x40, 2, 0xbe, 0xef };

  fd_device_mqtt_append_publish (out, "a/b", "{x}!", 4, 1, 0x1234);
  assert_bytes (out, want_pub, sizeof want_pub);
  g_string_truncate (out, 0);
  fd_device_mqtt_append_subscribe (out, 7, "j/d", 1);
  assert_bytes (out, want_sub, sizeof want_sub);
  g_string_truncate (out, 0);
  fd_device_mqtt_append_pingreq (out);
  fd_device_mqtt_append_disconnect (out);
  fd_device_mqtt_append_puback (out, 0xbeef);
  assert_bytes (out, want_small, sizeof want_small);
}

/* The remaining length's boundaries (§2.2.3): 127 in one byte, 128 in two, 16,383 in two,
 * 16,384 in three, 2,097,152 in four. */
static void
test_remaining_length (void)
{
  static const struct
  {
    gsize payload;
    guint header;
  } cases[] = { { 127 - 4, 2 },   { 128 - 4, 3 },     { 16383 - 4, 3 },
                { 16384 - 4, 4 }, { 2097151 - 4, 4 }, { 2097152 - 4, 5 } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GString) out = g_string_new (NULL);
      g_autofree char *payload = g_malloc0 (cases[i].payload);
      FdDeviceMqttPacket p;
      FdDeviceMqttPublish pub;
      gsize consumed = 0;

      /* QoS 0, topic "tt": its length and two bytes come before the payload. */
      fd_device_mqtt_append_publish (out, "tt", payload, cases[i].payload, 0, 0);
      g_assert_cmpuint (out->len, ==, cases[i].header + 4 + cases[i].payload);
      g_assert_cmpint (
          fd_device_mqtt_parse ((const guint8 *)out->str, out->len, G_MAXSIZE, &p, &consumed, NULL),
          ==, 1);
      g_assert_cmpuint (consumed, ==, out->len);
      g_assert_true (fd_device_mqtt_read_publish (&p, &pub, NULL));
      g_assert_cmpuint (pub.payload_len, ==, cases[i].payload);
      g_assert_cmpuint (pub.topic_len, ==, 2);
      /* Every shorter prefix asks for more. */
      for (gsize cut = 0; cut < MIN (out->len, 8); cut++)
        g_assert_cmpint (
            fd_device_mqtt_parse ((const guint8 *)out->str, cut, G_MAXSIZE, &p, &consumed, NULL),
            ==, 0);
      g_assert_cmpint (fd_device_mqtt_parse ((const guint8 *)out->str, out->len - 1, G_MAXSIZE, &p,
                                             &consumed, NULL),
                       ==, 0);
    }
}

static void
test_read_packets (void)
{
  /* CONNACK 0, SUBACK id 1 granted QoS 1, PUBLISH QoS 1 id 9 on j/dn/x, PINGRESP: one buffer,
   * as they may arrive in one read. */
  static const guint8 in[] = { 0x20, 2,   0,   0,   0x90, 3,   0, 1, 1,   0x32, 12,   0, 6,
                               'j',  '/', 'd', 'n', '/',  'x', 0, 9, '{', '}',  0xd0, 0 };
  g_autoptr (GError) error = NULL;
  FdDeviceMqttPacket p;
  FdDeviceMqttPublish pub;
  gsize at = 0, consumed = 0;
  guint8 rc = 99, code = 99;
  guint16 id = 0;

  g_assert_cmpint (fd_device_mqtt_parse (in + at, sizeof in - at, 1024, &p, &consumed, &error), ==,
                   1);
  g_assert_true (fd_device_mqtt_read_connack (&p, &rc, &error));
  g_assert_cmpuint (rc, ==, 0);
  at += consumed;
  g_assert_cmpint (fd_device_mqtt_parse (in + at, sizeof in - at, 1024, &p, &consumed, &error), ==,
                   1);
  g_assert_true (fd_device_mqtt_read_suback (&p, &id, &code, &error));
  g_assert_cmpuint (id, ==, 1);
  g_assert_cmpuint (code, ==, 1);
  at += consumed;
  g_assert_cmpint (fd_device_mqtt_parse (in + at, sizeof in - at, 1024, &p, &consumed, &error), ==,
                   1);
  g_assert_true (fd_device_mqtt_read_publish (&p, &pub, &error));
  g_assert_cmpuint (pub.qos, ==, 1);
  g_assert_cmpuint (pub.packet_id, ==, 9);
  g_assert_cmpmem (pub.topic, pub.topic_len, "j/dn/x", 6);
  g_assert_cmpmem (pub.payload, pub.payload_len, "{}", 2);
  at += consumed;
  g_assert_cmpint (fd_device_mqtt_parse (in + at, sizeof in - at, 1024, &p, &consumed, &error), ==,
                   1);
  g_assert_cmpuint (p.type, ==, FD_DEVICE_MQTT_PINGRESP);
  at += consumed;
  g_assert_cmpuint (at, ==, sizeof in);
}

static void
test_refused_input (void)
{
  static const guint8 five_bytes[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x01 };
  static const guint8 big[] = { 0x30, 0x80, 0x80, 0x01 }; /* 16,384 bytes announced */
  static const guint8 bad_connack[] = { 0x20, 3, 0, 0, 0 };
  static const guint8 long_topic[] = { 0x30, 4, 0, 9, 'a', 'b' };
  static const guint8 zero_id[] = { 0x32, 5, 0, 1, 'a', 0, 0 };
  FdDeviceMqttPacket p;
  FdDeviceMqttPublish pub;
  gsize consumed;
  guint8 rc;

  {
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (
        fd_device_mqtt_parse (five_bytes, sizeof five_bytes, G_MAXSIZE, &p, &consumed, &error), ==,
        -1);
    g_assert_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL);
  }
  {
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (fd_device_mqtt_parse (big, sizeof big, 16384, &p, &consumed, &error), ==, -1);
    g_assert_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_TOO_LARGE);
  }
  {
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (
        fd_device_mqtt_parse (bad_connack, sizeof bad_connack, 64, &p, &consumed, NULL), ==, 1);
    g_assert_false (fd_device_mqtt_read_connack (&p, &rc, &error));
    g_assert_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL);
  }
  {
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (fd_device_mqtt_parse (long_topic, sizeof long_topic, 64, &p, &consumed, NULL),
                     ==, 1);
    g_assert_false (fd_device_mqtt_read_publish (&p, &pub, &error));
    g_assert_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL);
  }
  {
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (fd_device_mqtt_parse (zero_id, sizeof zero_id, 64, &p, &consumed, NULL), ==,
                     1);
    g_assert_false (fd_device_mqtt_read_publish (&p, &pub, &error));
    g_assert_error (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_PROTOCOL);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-mqtt-codec/connect", test_connect);
  g_test_add_func ("/device-mqtt-codec/publish-subscribe", test_publish_subscribe);
  g_test_add_func ("/device-mqtt-codec/remaining-length", test_remaining_length);
  g_test_add_func ("/device-mqtt-codec/read-packets", test_read_packets);
  g_test_add_func ("/device-mqtt-codec/refused-input", test_refused_input);
  return g_test_run ();
}
