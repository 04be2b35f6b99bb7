/* test-gui-peers.c — the real peers of the GUI test's live part: a device on one HTTPS
 * connection kept open (tests/gui/https-device.py, with the certificate saved when sensor-01
 * was added), and a notification server (dunst) on the test's session bus. */
#include "config.h"

#include "fd-gui-util.h"
#include "test-gui.h"

/* sensor-01, connected over HTTPS with its saved certificate; the connection stays open. */
void
fd_test_device_connect (FdTestDevice *device)
{
  const char *source = g_getenv ("FD_SOURCE_DIR");
  g_autofree char *script = g_build_filename (source, "tests", "gui", "https-device.py", NULL);
  g_autofree char *path = g_build_filename (fd_test_files_dir, "sensor-01.zdevice.json", NULL);
  g_autofree char *ca = g_build_filename (fd_test_files_dir, "live-ca.pem", NULL);
  g_autofree char *cert = g_build_filename (fd_test_files_dir, "live-device.pem", NULL);
  g_autofree char *key = g_build_filename (fd_test_files_dir, "live-device.key", NULL);
  g_autoptr (JsonNode) saved = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *line = NULL;
  JsonObject *zdevice;
  guint mode = 0;

  saved = fd_test_read_json (path, &mode);
  zdevice = fd_test_api_object (saved);
  g_assert_true (
      g_file_set_contents (ca, json_object_get_string_member (zdevice, "cacert"), -1, NULL));
  g_assert_true (
      g_file_set_contents (cert, json_object_get_string_member (zdevice, "clicert"), -1, NULL));
  g_assert_true (
      g_file_set_contents (key, json_object_get_string_member (zdevice, "prvkey"), -1, NULL));
  port = g_strdup_printf ("%" G_GINT64_FORMAT,
                          json_object_get_int_member (
                              json_object_get_object_member (zdevice, "endpoint"), "https_port"));

  device->process
      = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                          "python3", script, "localhost", port, ca, cert, key, NULL);
  g_assert_no_error (error);
  device->in = g_subprocess_get_stdin_pipe (device->process);
  device->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (device->process));
  line = g_data_input_stream_read_line (device->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "connected");
}

/* Sends @body to @path on the device's connection; asserts the answer is @status. */
void
fd_test_device_post (FdTestDevice *device, const char *path, const char *body, const char *status)
{
  g_autofree char *request = g_strdup_printf ("POST %s %s\n", path, body);
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  g_test_message ("device: POST %s %s", path, body);
  g_output_stream_write_all (device->in, request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (device->in, NULL, &error);
  g_assert_no_error (error);
  line = g_data_input_stream_read_line (device->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, status);
}

void
fd_test_device_disconnect (FdTestDevice *device)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_close (device->in, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (device->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&device->out);
  g_clear_object (&device->process);
}

/* A real notification server (dunst) on the test's session bus, so that the app's
 * notifications are shown, and can be read back and clicked with dunstctl. */
GSubprocess *
fd_test_start_notification_server (void)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (fd_test_app));
  g_autofree char *conf = g_build_filename (fd_test_files_dir, "dunstrc", NULL);
  g_autoptr (GError) error = NULL;
  GSubprocess *process;

  g_assert_nonnull (bus);
  g_assert_true (g_file_set_contents (conf, "", 0, NULL));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "dunst", "-conf", conf, NULL);
  if (process == NULL)
    g_error ("dunst (a notification server, installed by script/bootstrap) is needed: %s",
             error->message);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr (GVariant) owned = g_dbus_connection_call_sync (
          bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
          "NameHasOwner", g_variant_new ("(s)", "org.freedesktop.Notifications"),
          G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean has_owner = FALSE;

      if (owned != NULL)
        g_variant_get (owned, "(b)", &has_owner);
      if (has_owner)
        return process;
      fd_gui_settle (100);
    }
  g_error ("dunst did not take org.freedesktop.Notifications");
}

gboolean
fd_test_notification_shown_cb (gpointer data)
{
  const char *argv[] = { "dunstctl", "count", "displayed", NULL };
  g_autofree char *count = fd_gui_run (argv);

  fd_gui_settle (100);
  return g_ascii_strtoull (count, NULL, 10) >= 1;
}

/* A screenshot of the whole screen: the popover reaches past the window's right edge. */
void
fd_test_shot_screen (const char *name)
{
  const char *build_dir = g_getenv ("FD_BUILD_DIR");
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path
      = g_build_filename (build_dir ? build_dir : ".", "tests", "gui-shots", file, NULL);
  const char *argv[] = { "import", "-window", "root", path, NULL };

  fd_gui_settle (400);
  g_free (fd_gui_run (argv));
  g_test_message ("screenshot: %s", path);
}
