/* test-mqtt-codec.c — MQTT 3.1.1 framing and fields on plain memory (fd-mqtt-codec.h): the
 * remaining length at its boundaries, partial packets, limits, and strings that are not UTF-8. */
#include "config.h"

#include "device/fd-mqtt-codec.h"

#include <string.h>

/* Every boundary of the remaining length: what put_publish writes, frame reads back. */
static void
test_remaining_length (void)
{
  const gsize sizes[] = { 0, 1, 127, 128, 16383, 16384, 2097151, 2097152 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr (GByteArray) out = g_byte_array_new ();
      g_autofree guint8 *payload = g_malloc0 (sizes[i] + 1);
      FdMqttPacket p;
      gsize header;

      fd_mqtt_put_publish (out, "t", 0, FALSE, 0, payload, sizes[i]);
      header = out->len - (3 + sizes[i]);
      g_assert_cmpuint (header, ==,
                        sizes[i] + 3 < 128       ? 2
                        : sizes[i] + 3 < 16384   ? 3
                        : sizes[i] + 3 < 2097152 ? 4
                                                 : 5);
      g_assert_cmpint (fd_mqtt_frame (out->data, out->len, G_MAXSIZE, &p), ==, FD_MQTT_FRAME_OK);
      g_assert_cmpuint (p.type, ==, FD_MQTT_PUBLISH);
      g_assert_cmpuint (p.len, ==, sizes[i] + 3);
      g_assert_cmpuint (p.total, ==, out->len);
      /* one byte short is not a packet yet */
      g_assert_cmpint (fd_mqtt_frame (out->data, out->len - 1, G_MAXSIZE, &p), ==,
                       FD_MQTT_FRAME_NEED_MORE);
    }
}

static void
test_frame_limits (void)
{
  static const guint8 five[] = { 0x30, 0xff, 0xff, 0xff, 0xff, 0x01 };
  static const guint8 big[] = { 0x30, 0x80, 0x80, 0x01 }; /* 16384 bytes follow */
  static const guint8 partial_length[] = { 0x30, 0x80 };
  FdMqttPacket p;

  g_assert_cmpint (fd_mqtt_frame (five, sizeof five, G_MAXSIZE, &p), ==, FD_MQTT_FRAME_MALFORMED);
  /* too large is known from the fixed header, before the body arrives */
  g_assert_cmpint (fd_mqtt_frame (big, sizeof big, 4096, &p), ==, FD_MQTT_FRAME_TOO_LARGE);
  g_assert_cmpint (fd_mqtt_frame (big, sizeof big, 20000, &p), ==, FD_MQTT_FRAME_NEED_MORE);
  g_assert_cmpint (fd_mqtt_frame (partial_length, sizeof partial_length, 4096, &p), ==,
                   FD_MQTT_FRAME_NEED_MORE);
  g_assert_cmpint (fd_mqtt_frame (big, 1, 4096, &p), ==, FD_MQTT_FRAME_NEED_MORE);
}

static void
reader_on (FdMqttReader *r, FdMqttPacket *p, const guint8 *body, gsize len)
{
  p->body = body;
  p->len = len;
  fd_mqtt_reader_init (r, p);
}

static void
test_fields (void)
{
  static const guint8 good[] = { 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60 };
  static const guint8 overrun[] = { 0, 9, 'M', 'Q' };
  static const guint8 not_utf8[] = { 0, 2, 0xc3, 0x28 };
  static const guint8 nul[] = { 0, 3, 'a', 0, 'b' };
  static const guint8 surrogate[] = { 0, 3, 0xed, 0xa0, 0x80 };
  FdMqttPacket p = { 0 };
  FdMqttReader r;
  const char *s;
  gsize len;
  guint8 b;
  guint16 v;

  reader_on (&r, &p, good, sizeof good);
  g_assert_true (fd_mqtt_read_string (&r, &s, &len));
  g_assert_cmpmem (s, len, "MQTT", 4);
  g_assert_true (fd_mqtt_read_u8 (&r, &b) && b == 4);
  g_assert_true (fd_mqtt_read_u8 (&r, &b) && b == 2);
  g_assert_true (fd_mqtt_read_u16 (&r, &v) && v == 60);
  g_assert_true (fd_mqtt_reader_done (&r));
  /* past the end: fails, and stays failed */
  g_assert_false (fd_mqtt_read_u8 (&r, &b));
  g_assert_false (fd_mqtt_reader_done (&r));

  reader_on (&r, &p, overrun, sizeof overrun);
  g_assert_false (fd_mqtt_read_string (&r, &s, &len));
  g_assert_cmpuint (fd_mqtt_reader_left (&r), ==, 0);
  reader_on (&r, &p, not_utf8, sizeof not_utf8);
  g_assert_false (fd_mqtt_read_string (&r, &s, &len));
  reader_on (&r, &p, nul, sizeof nul);
  g_assert_false (fd_mqtt_read_string (&r, &s, &len));
  reader_on (&r, &p, surrogate, sizeof surrogate);
  g_assert_false (fd_mqtt_read_string (&r, &s, &len));
}

static void
test_answers (void)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  static const guint8 codes[] = { 1, 0x80 };
  static const guint8 want[]
      = { 0x20, 2, 0,    5,                                 /* CONNACK 5 */
          0x40, 2, 0x12, 0x34,                              /* PUBACK 0x1234 */
          0x90, 4, 0,    7,    1,   0x80,                   /* SUBACK */
          0xb0, 2, 0,    9,                                 /* UNSUBACK */
          0xd0, 0,                                          /* PINGRESP */
          0x3a, 8, 0,    3,    'j', '/',  'd', 0, 1, 'x' }; /* PUBLISH q1 dup */

  fd_mqtt_put_connack (out, FALSE, FD_MQTT_REFUSED_NOT_AUTHORISED);
  fd_mqtt_put_puback (out, 0x1234);
  fd_mqtt_put_suback (out, 7, codes, 2);
  fd_mqtt_put_unsuback (out, 9);
  fd_mqtt_put_pingresp (out);
  fd_mqtt_put_publish (out, "j/d", 1, TRUE, 1, "x", 1);
  g_assert_cmpmem (out->data, out->len, want, sizeof want);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mqtt-codec/remaining-length", test_remaining_length);
  g_test_add_func ("/mqtt-codec/frame-limits", test_frame_limits);
  g_test_add_func ("/mqtt-codec/fields", test_fields);
  g_test_add_func ("/mqtt-codec/answers", test_answers);
  return g_test_run ();
}
