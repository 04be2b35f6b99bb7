/* test-presence.c — presence as the operator API shows it: a device with an open HTTPS
 * connection is online, and offline once the connection ends, also after the server was
 * killed while the device was connected. */
#include "fd-test-device.h"

static FdTdServer *shared;

/* Polls the device until its "online" is @online: the presence write is not waited for by
 * anybody, so it lands a moment after the connection changed. */
static JsonNode *
wait_online (const char *device_id, gboolean online)
{
  g_autofree char *path = g_strconcat ("/api/v1/devices/", device_id, NULL);

  for (int i = 0; i < 400; i++)
    {
      g_autoptr (JsonNode) device = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
      if (json_object_get_boolean_member (json_node_get_object (device), "online") == online)
        return g_steal_pointer (&device);
      g_usleep (25000);
    }
  g_error ("device %s never became %s", device_id, online ? "online" : "offline");
}

static FdTdRaw *
connect_and_ask (const FdTdDevice *d)
{
  g_autoptr (GError) error = NULL;
  FdTdRaw *raw = fd_td_raw_open (shared, d, &error);
  FdTdResponse resp = { 0 };

  g_assert_no_error (error);
  fd_td_raw_send (raw, "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\n\r\n");
  g_assert_true (fd_td_raw_response (raw, &resp));
  g_assert_cmpuint (resp.status, ==, 200);
  fd_td_response_clear (&resp);
  return raw;
}

static void
test_https_connection (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "presence-1");
  g_autoptr (JsonNode) before = wait_online (d->id, FALSE);
  g_autoptr (JsonNode) during = NULL, after = NULL;
  FdTdRaw *raw, *second;

  raw = connect_and_ask (d);
  during = wait_online (d->id, TRUE);
  g_assert_false (json_object_get_null_member (json_node_get_object (during), "last_seen"));

  /* A second connection of the same device, closed first, leaves it online. */
  second = connect_and_ask (d);
  fd_td_raw_free (second);
  fd_td_raw_free (raw);
  after = wait_online (d->id, FALSE);
  g_assert_false (json_object_get_null_member (json_node_get_object (after), "last_seen"));
}

static void
test_killed_while_connected (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "presence-2");
  g_autoptr (JsonNode) node = NULL;
  FdTdRaw *raw = connect_and_ask (d);

  node = wait_online (d->id, TRUE);
  g_clear_pointer (&node, json_node_unref);
  fd_test_server_kill (shared->srv, SIGKILL);
  fd_td_raw_free (raw);
  fd_test_server_restart (shared->srv);
  shared->port = shared->srv->device_port;
  node = wait_online (d->id, FALSE);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  shared = fd_td_server_start (NULL);
  g_test_add_func ("/presence/https-connection", test_https_connection);
  g_test_add_func ("/presence/killed-while-connected", test_killed_while_connected);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
