/* test-engine-ports.c — the desktop app's engine starts when other programs hold its device
 * ports (another Fleetdesk on 7443, a mosquitto broker on 8883): it serves on free ports and
 * says which; fleetdesk-server, without the fallback, refuses to start instead. */
#include "fd-engine.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

/* A TCP listener on a free loopback port: the "other program". */
static GSocket *
hold_port (guint *port)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (any, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  GSocket *socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return socket;
}

static void
rm_rf (const char *path)
{
  g_autoptr (GFile) dir = g_file_new_for_path (path);
  g_autoptr (GFileEnumerator) e = g_file_enumerate_children (
      dir, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (e != NULL && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        rm_rf (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static void
run (gboolean fallback)
{
  g_autofree char *dir = g_dir_make_tmp ("fd-engine-ports-XXXXXX", NULL);
  g_autoptr (GSocket) device_holder = NULL, mqtt_holder = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdEngine) engine = NULL;
  guint device_port, mqtt_port;
  FdEngineConfig config = { 0 };

  device_holder = hold_port (&device_port);
  mqtt_holder = hold_port (&mqtt_port);
  config.data_dir = dir;
  config.api_port = 0;
  config.device_port = (int)device_port;
  config.mqtt_port = (int)mqtt_port;
  config.device_address = (char *)"0.0.0.0";
  config.device_rate = -1;
  config.device_port_fallback = fallback;
  config.quiet = TRUE;

  engine = fd_engine_new (&config, &error);
  g_assert_no_error (error);
  if (fallback)
    {
      g_test_expect_message (NULL, G_LOG_LEVEL_MESSAGE, "*device port*in use*");
      g_test_expect_message (NULL, G_LOG_LEVEL_MESSAGE, "*MQTT port*in use*");
      g_assert_true (fd_engine_start (engine, &error));
      g_assert_no_error (error);
      g_test_assert_expected_messages ();
      g_assert_cmpuint (fd_engine_get_device_port (engine), !=, device_port);
      g_assert_cmpuint (fd_engine_get_device_port (engine), >, 0);
      g_assert_cmpuint (fd_engine_get_mqtt_port (engine), !=, mqtt_port);
      g_assert_cmpuint (fd_engine_get_mqtt_port (engine), >, 0);
    }
  else
    {
      g_assert_false (fd_engine_start (engine, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
    }
  fd_engine_shutdown (engine);
  g_clear_object (&engine);
  rm_rf (dir);
}

static void
test_fallback (void)
{
  run (TRUE);
}

static void
test_no_fallback (void)
{
  run (FALSE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine-ports/fallback", test_fallback);
  g_test_add_func ("/engine-ports/no-fallback", test_no_fallback);
  return g_test_run ();
}
