/* test-events-mqtt.c — the events of an MQTT device (TLS, client certificate): device.online
 * with transport "mqtt" at CONNECT, a data event for a QoS 1 PUBLISH on j/data/<id>/<tag>, the
 * device JSON's presence while connected, and device.offline when the connection ends. */
#include "fd-test-events.h"
#include "fd-test-mqtt.h"

#include <string.h>

static void
test_mqtt_device (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (fd_tm_srv, "events-mqtt");
  g_autofree char *query = g_strconcat ("?workspace=", d->workspace_id, NULL);
  g_autofree char *topic = g_strdup_printf ("j/data/%s/climate", d->id);
  g_autofree char *path = g_strconcat ("/api/v1/devices/", d->id, NULL);
  g_autoptr (FdTeListener) l = fd_te_listener_open (fd_tm_srv, query, fd_tm_srv->srv->token);
  GByteArray *publish; /* taken by fd_tm_raw_send_packet */
  g_autoptr (JsonNode) device = NULL;
  FdTdRaw *r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
  JsonObject *online, *data, *offline;
  guint at;

  at = fd_te_wait_event (l, 0, "device.online", d->id);
  online = fd_te_event_data (fd_te_event_at (l, at));
  g_assert_cmpstr (json_object_get_string_member (online, "transport"), ==, "mqtt");
  g_assert_nonnull (strstr (json_object_get_string_member (online, "address"), "127.0.0.1"));

  publish = fd_tm_publish_packet (topic, 7, "{\"t\": 19.5}", strlen ("{\"t\": 19.5}"));
  fd_tm_raw_send_packet (r, publish);
  fd_tm_expect_puback (r, 7);
  data = fd_te_event_data (fd_te_event_at (l, fd_te_wait_event (l, at, "data", d->id)));
  g_assert_cmpstr (json_object_get_string_member (data, "tag"), ==, "climate");
  g_assert_cmpint (json_object_get_int_member (data, "count"), ==, 1);
  g_assert_cmpfloat (
      json_object_get_double_member (json_object_get_object_member (data, "payload"), "t"), ==,
      19.5);

  device = fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (device), "online"));

  fd_td_raw_free (r);
  offline
      = fd_te_event_data (fd_te_event_at (l, fd_te_wait_event (l, at, "device.offline", d->id)));
  g_assert_cmpstr (json_object_get_string_member (offline, "transport"), ==, "mqtt");
  g_assert_nonnull (json_object_get_string_member (offline, "reason"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_tm_srv = fd_td_server_start (NULL);
  g_test_add_func ("/events-mqtt/device", test_mqtt_device);
  status = g_test_run ();
  fd_td_server_stop (fd_tm_srv);
  return status;
}
