/* test-gui-peers.c — the real peers of the GUI test's live part: a device on one HTTPS
 * connection kept open (tests/gui/https-device.py, with the certificate saved when sensor-01
 * was added), and a notification server (dunst) on the test's session bus. */
#include "config.h"

#include "fd-gui-device.h"
#include "fd-gui-util.h"
#include "test-gui.h"

/* sensor-01, connected over HTTPS with its saved certificate; the connection stays open. */
void
fd_test_device_connect (FdGuiDevice *device)
{
  g_autofree char *path = g_build_filename (fd_test_files_dir, "sensor-01.zdevice.json", NULL);
  g_autofree char *prefix = g_build_filename (fd_test_files_dir, "live-device", NULL);
  g_autoptr (JsonNode) saved = NULL;
  guint mode = 0;

  saved = fd_test_read_json (path, &mode);
  fd_gui_device_connect (device, fd_test_api_object (saved), prefix);
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
