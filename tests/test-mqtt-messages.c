/* test-mqtt-messages.c — messages over MQTT with a real fleetdesk-server: MQTT over WebSocket,
 * refused payloads answered with #error, j/up requests answered on j/dn in order, and
 * down-messages from the API within the inflight window. */
#include "fd-test-mqtt.h"

#include <string.h>

/* MQTT over WebSocket (wss://…:device-port/mqtt), with the certificate of the HTTPS handshake
 * and with a password. */
static void
test_websocket (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-ws");
  g_autoptr (FdTdDevice) k = fd_td_key_device (fd_tm_srv, "mq-ws-key", "device_token");
  g_autofree char *jwt = fd_td_jwt (k, g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *topic = g_strdup_printf ("j/data/%s/ws", d->id);
  g_autofree char *ktopic = g_strdup_printf ("j/data/%s/ws", k->id);
  const char *extra[] = { "--subscribe", dn,  "--subscribe", "j/dn/dev-other", "--publish", topic,
                          "{\"v\": 1}",  "1", NULL };
  const char *kextra[] = { "--publish", ktopic, "{\"v\": 2}", "1", NULL };
  g_autoptr (GPtrArray) events = fd_tm_paho (d, NULL, TRUE, extra);
  g_autoptr (GPtrArray) kevents = NULL;

  g_assert_cmpint (json_node_get_int (fd_tm_event (events, "connack", 0)), ==, 0);
  g_assert_cmpint (
      json_array_get_int_element (json_node_get_array (fd_tm_event (events, "suback", 0)), 0), ==,
      1);
  g_assert_cmpint (
      json_array_get_int_element (json_node_get_array (fd_tm_event (events, "suback", 1)), 0), ==,
      0x80);
  g_assert_nonnull (fd_tm_event (events, "puback", 0));
  g_assert_cmpint (fd_tm_readings (d, "ws"), ==, 1);

  kevents = fd_tm_paho (k, jwt, TRUE, kextra);
  g_assert_cmpint (json_node_get_int (fd_tm_event (kevents, "connack", 0)), ==, 0);
  g_assert_nonnull (fd_tm_event (kevents, "puback", 0));
  g_assert_cmpint (fd_tm_readings (k, "ws"), ==, 1);

  /* a refusal over WebSocket: the CONNACK arrives before the close */
  {
    FdTdDevice wrong = { .id = (char *)"dev-notthisone", .cert = d->cert, .key = d->key };
    const char *none[] = { NULL };
    g_autoptr (GPtrArray) refused = fd_tm_paho (&wrong, NULL, TRUE, none);
    g_assert_cmpint (json_node_get_int (fd_tm_event (refused, "connack", 0)), ==, 2);
  }
}

/* A well-formed PUBLISH whose payload is refused is acknowledged, nothing is stored, and the
 * device is told on j/dn with an #error message. */
static void
test_refused_payload (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-payload");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *topic = g_strdup_printf ("j/data/%s/p", d->id);
  const char *extra[]
      = { "--subscribe", dn, "--publish", topic, "{\"a\": tru", "1", "--messages", "1", NULL };
  g_autoptr (GPtrArray) events = fd_tm_paho (d, NULL, FALSE, extra);
  JsonNode *msg = fd_tm_event (events, "message", 0);
  JsonObject *payload;

  g_assert_nonnull (fd_tm_event (events, "puback", 0));
  g_assert_nonnull (msg);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (msg), "topic"), ==, dn);
  payload = json_object_get_object_member (json_node_get_object (msg), "payload");
  g_assert_cmpstr (json_object_get_string_member (payload, "key"), ==, "#error");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (payload, "value"), "topic"), ==,
      topic);
  g_assert_cmpint (json_object_get_int_member (payload, "version"), >, 0);
  g_assert_cmpint (fd_tm_readings (d, "p"), ==, 0);
}

/* What ZDM clients do right after CONNACK, in one write: SUBSCRIBE, then #status, #now, a
 * bad message and a report on j/up. Each is acknowledged in order; the replies (QoS 1 on j/dn)
 * follow their PUBACK, #status already seeing the subscription; the bad one gets #error. */
static void
test_up_messages (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-up");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *up = g_strdup_printf ("j/up/%s", d->id);
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/status", d->id);
  g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
  g_autoptr (GByteArray) all = fd_tm_subscribe_packet (1, dn);
  const char *msgs[] = { "{\"key\":\"#status\",\"value\":{}}", "{\"key\":\"#now\",\"value\":{}}",
                         "{\"key\":1,\"value\":2}", "{\"key\":\"temp_limit\",\"value\":30}" };
  const char *replies[] = { "#status", "#now", "#error", NULL };
  g_autoptr (GByteArray) ack = NULL;
  g_autoptr (JsonNode) status = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      g_autoptr (GByteArray) p
          = fd_tm_publish_packet (up, (guint16)(10 + i), msgs[i], strlen (msgs[i]));
      g_byte_array_append (all, p->data, p->len);
    }
  fd_tm_raw_write (r, all->data, all->len);

  ack = fd_tm_expect_packet (r, 0x90, 3);
  g_assert_cmpuint (ack->data[2], ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (msgs); i++)
    {
      fd_tm_expect_puback (r, (guint16)(10 + i));
      if (replies[i] != NULL)
        {
          guint16 id;
          g_autoptr (JsonNode) reply = fd_tm_expect_publish (r, dn, &id, NULL);
          JsonObject *obj = json_node_get_object (reply);
          g_assert_cmpstr (fd_tm_envelope_key (reply), ==, replies[i]);
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
          fd_tm_puback (r, id);
        }
    }
  fd_tm_ping (r); /* everything above was handled before this */
  status = fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
  g_assert_true (json_object_has_member (
      json_object_get_object_member (json_node_get_object (status), "current"), "temp_limit"));
}

/* A down-message posted through the API reaches the subscribed session as a QoS 1 PUBLISH;
 * with --mqtt-inflight=3, the fourth and fifth wait for PUBACKs. A device that is not
 * subscribed gets nothing now (the message waits in its expected map). */
static void
test_down_messages (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-down");
  g_autoptr (FdTdDevice) quiet = fd_td_cert_device (fd_tm_srv, "mq-down-quiet");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/messages", d->id);
  g_autofree char *qpath = g_strdup_printf ("/api/v1/devices/%s/messages", quiet->id);
  g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
  g_autoptr (FdTdRaw) q = fd_tm_mqtt_open (quiet, quiet->id, NULL, 60, 0);
  g_autoptr (GByteArray) ack = NULL;
  guint16 ids[5];

  fd_tm_raw_send_packet (r, fd_tm_subscribe_packet (1, dn));
  ack = fd_tm_expect_packet (r, 0x90, 3);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *body
          = g_strdup_printf ("{\"key\": \"@job%u\", \"value\": {\"args\": {}}}", i);
      g_autoptr (JsonNode) sent = fd_test_api_expect (fd_tm_srv->srv, "POST", path, body, 202);
      g_assert_true (json_object_get_boolean_member (json_node_get_object (sent), "delivered"));
    }
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonNode) msg = fd_tm_expect_publish (r, dn, &ids[i], NULL);
      g_autofree char *want = g_strdup_printf ("@job%u", i);
      g_assert_cmpstr (fd_tm_envelope_key (msg), ==, want);
    }
  fd_tm_ping (r); /* the window is full: nothing came before the PINGRESP */
  for (guint i = 3; i < 5; i++)
    {
      g_autoptr (JsonNode) msg = NULL;
      g_autofree char *want = g_strdup_printf ("@job%u", i);
      fd_tm_puback (r, ids[i - 3]);
      msg = fd_tm_expect_publish (r, dn, &ids[i], NULL);
      g_assert_cmpstr (fd_tm_envelope_key (msg), ==, want);
    }
  for (guint i = 2; i < 5; i++)
    fd_tm_puback (r, ids[i]);
  fd_tm_ping (r);

  {
    g_autoptr (JsonNode) sent = fd_test_api_expect (fd_tm_srv->srv, "POST", qpath,
                                                    "{\"key\": \"@x\", \"value\": {}}", 202);
    g_assert_false (json_object_get_boolean_member (json_node_get_object (sent), "delivered"));
    fd_tm_ping (q);
  }
}

/* GET /mqtt on the HTTPS port: the WebSocket handshake's refusals, and its 101 with the
 * Sec-WebSocket-Accept of RFC 6455's own example. */
static void
test_websocket_handshake (void)
{
  const char *ok
      = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mqtt\r\n";
  struct
  {
    const char *headers;
    guint status;
  } refused[] = {
    { "", 426 },
    { "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: mqtt\r\n",
      426 },
    { "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: chat\r\n",
      400 },
    { "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Key: short\r\nSec-WebSocket-Protocol: mqtt\r\n",
      400 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FdTdRaw) r = fd_td_raw_open (fd_tm_srv, NULL, &error);
      g_autofree char *req
          = g_strdup_printf ("GET /mqtt HTTP/1.1\r\nHost: x\r\n%s\r\n", refused[i].headers);
      g_auto (FdTdResponse) resp = { 0 };

      g_assert_no_error (error);
      fd_td_raw_send (r, req);
      g_assert_true (fd_td_raw_response (r, &resp));
      g_assert_cmpuint (resp.status, ==, refused[i].status);
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FdTdRaw) r = fd_td_raw_open (fd_tm_srv, NULL, &error);
    g_autofree char *req = g_strdup_printf ("GET /mqtt HTTP/1.1\r\nHost: x\r\n%s\r\n", ok);

    fd_td_raw_send (r, req);
    while (strstr (r->in->str, "\r\n\r\n") == NULL)
      g_assert_true (fd_td_raw_fill (r));
    g_assert_true (g_str_has_prefix (r->in->str, "HTTP/1.1 101 "));
    g_assert_nonnull (
        strstr (r->in->str, "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    g_assert_nonnull (strstr (r->in->str, "\r\nSec-WebSocket-Protocol: mqtt\r\n"));
  }
}

/* A down-message that is not acknowledged is sent again, flagged DUP, while the connection
 * lasts (every 20 s: this test takes that long). */
static void
test_resend (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "mq-resend");
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/messages", d->id);
  g_autoptr (FdTdRaw) r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
  g_autoptr (GByteArray) ack = NULL;
  g_autoptr (JsonNode) sent = NULL;
  g_autoptr (JsonNode) msg = NULL;
  gboolean dup = TRUE, resent = FALSE;
  guint16 id = 0;

  fd_tm_raw_send_packet (r, fd_tm_subscribe_packet (1, dn));
  ack = fd_tm_expect_packet (r, 0x90, 3);
  sent = fd_test_api_expect (fd_tm_srv->srv, "POST", path,
                             "{\"key\": \"@again\", \"value\": {\"args\": {}}}", 202);
  msg = fd_tm_expect_publish (r, dn, &id, &dup);
  g_assert_false (dup);
  /* Pings keep the connection (and the reads within their 10 s socket timeout) going until the
   * copy comes; a minute is a bound, not a measurement. */
  for (guint round = 0; round < 12 && !resent; round++)
    {
      static const guint8 pingreq[] = { 0xc0, 0 };
      g_autoptr (GByteArray) body = g_byte_array_new ();
      guint8 first = 0;

      g_usleep (5 * G_USEC_PER_SEC);
      fd_tm_raw_write (r, pingreq, sizeof pingreq);
      while (fd_tm_raw_packet (r, &first, body) && first != 0xd0)
        {
          gsize tlen = ((gsize)body->data[0] << 8) | body->data[1];
          g_assert_cmphex (first, ==, 0x3a); /* PUBLISH, QoS 1, DUP */
          g_assert_cmpuint ((body->data[2 + tlen] << 8) | body->data[3 + tlen], ==, id);
          resent = TRUE;
        }
      g_assert_cmphex (first, ==, 0xd0);
    }
  g_assert_true (resent);
  fd_tm_puback (r, id);
  fd_tm_ping (r);
}

int
main (int argc, char **argv)
{
  const char *args[]
      = { "--mqtt-max-packet=4096", "--mqtt-connect-timeout=1", "--mqtt-inflight=3", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_tm_srv = fd_td_server_start (args);

  g_test_add_func ("/mqtt/websocket", test_websocket);
  g_test_add_func ("/mqtt/websocket-handshake", test_websocket_handshake);
  g_test_add_func ("/mqtt/refused-payload", test_refused_payload);
  g_test_add_func ("/mqtt/up-messages", test_up_messages);
  g_test_add_func ("/mqtt/down-messages", test_down_messages);
  g_test_add_func ("/mqtt/resend", test_resend);
  status = g_test_run ();

  fd_td_server_stop (fd_tm_srv);
  return status;
}
