/* fd-gui-device.c — a device on one HTTPS connection kept open, as https-device.py runs it. */
#include "config.h"

#include <string.h>

#include "fd-gui-device.h"

void
fd_gui_device_save_files (JsonObject *zdevice, const char *prefix)
{
  g_autofree char *ca = g_strdup_printf ("%s-ca.pem", prefix);
  g_autofree char *cert = g_strdup_printf ("%s.pem", prefix);
  g_autofree char *key = g_strdup_printf ("%s.key", prefix);

  g_assert_true (
      g_file_set_contents (ca, json_object_get_string_member (zdevice, "cacert"), -1, NULL));
  g_assert_true (
      g_file_set_contents (cert, json_object_get_string_member (zdevice, "clicert"), -1, NULL));
  g_assert_true (
      g_file_set_contents (key, json_object_get_string_member (zdevice, "prvkey"), -1, NULL));
}

void
fd_gui_device_connect (FdGuiDevice *device, JsonObject *zdevice, const char *prefix)
{
  const char *source = g_getenv ("FD_SOURCE_DIR");
  g_autofree char *script = g_build_filename (source, "tests", "gui", "https-device.py", NULL);
  g_autofree char *ca = g_strdup_printf ("%s-ca.pem", prefix);
  g_autofree char *cert = g_strdup_printf ("%s.pem", prefix);
  g_autofree char *key = g_strdup_printf ("%s.key", prefix);
  g_autofree char *port = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GError) error = NULL;

  fd_gui_device_save_files (zdevice, prefix);
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

void
fd_gui_device_post (FdGuiDevice *device, const char *path, const char *body, const char *status)
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
fd_gui_device_disconnect (FdGuiDevice *device)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_close (device->in, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check (device->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&device->out);
  g_clear_object (&device->process);
}
