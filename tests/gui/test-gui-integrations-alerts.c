/* test-gui-integrations-alerts.c — the Integrations pane's Alerts view in the GUI test: an
 * alert rule added from its dialog and deleted, and a condition open longer than a rule allows
 * listed as an active alert and shown as a desktop notification (dunst on the test's session
 * bus), withdrawn when the condition closes. */
#include "config.h"

#include "fd-gui-util.h"
#include "fd-integrations-page.h"
#include "test-gui-integrations.h"

static GSubprocess *notifications_server;

static gboolean
rule_listed_cb (gpointer data)
{
  GPtrArray *rules = fd_integrations_page_get_alert_rules (fd_ti_page ());

  for (guint i = 0; i < rules->len; i++)
    if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index (rules, i), "name"), data) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
rules_count_cb (gpointer data)
{
  return fd_integrations_page_get_alert_rules (fd_ti_page ())->len == GPOINTER_TO_UINT (data);
}

/* "Add Alert Rule…" in the Alerts view, and its Delete. */
void
fd_ti_alert_rule (void)
{
  AdwMessageDialog *dialog;
  GtkWidget *spin;
  g_autofree char *path = g_strdup_printf ("/workspaces/%s/alert-rules", fd_ti_workspace_id);
  g_autoptr (JsonNode) rules = NULL;
  JsonObject *rule;

  fd_ti_show_pane ("Integrations");
  fd_integrations_page_show_view (fd_ti_page (), "alerts");
  fd_gui_settle (300);
  fd_gui_click (GTK_WIDGET (fd_ti_page ()), "Add Alert _Rule…");
  dialog = fd_gui_wait_for_dialog ();
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "Name")), "Door Open");
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "Condition Tags")),
                         "door_open");
  spin = fd_gui_wait_for (GTK_WIDGET (dialog), GTK_TYPE_SPIN_BUTTON, NULL);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 15);
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "integrations-07-add-rule"));
  fd_gui_click (GTK_WIDGET (dialog), "_Add");
  fd_gui_wait_dialogs_closed ();
  fd_gui_wait (rule_listed_cb, "Door Open", 10, "the rule in the Alerts view");
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), ADW_TYPE_ACTION_ROW, "Door Open");
  rules = fd_ti_api ("GET", path, NULL, 200);
  g_assert_cmpint (json_object_get_int_member (fd_ti_object (rules), "total"), ==, 1);
  rule = json_array_get_object_element (
      json_object_get_array_member (fd_ti_object (rules), "items"), 0);
  g_assert_cmpint (json_object_get_int_member (rule, "open_longer_than_s"), ==, 15 * 60);
  g_free (fd_ti_shot ("integrations-08-alerts"));

  /* Its trash button asks, naming it; then it is gone here and from the API. */
  fd_gui_click (GTK_WIDGET (fd_ti_page ()), "Delete Alert Rule…");
  dialog = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete Alert Rule “Door Open”?");
  fd_gui_click (GTK_WIDGET (dialog), "_Delete");
  fd_gui_wait_dialogs_closed ();
  fd_gui_wait (rules_count_cb, GUINT_TO_POINTER (0), 10, "no rule listed");
  g_clear_pointer (&rules, json_node_unref);
  rules = fd_ti_api ("GET", path, NULL, 200);
  g_assert_cmpint (json_object_get_int_member (fd_ti_object (rules), "total"), ==, 0);
}

static gboolean
notified_cb (gpointer data)
{
  return fd_integrations_page_get_notifications (fd_ti_page (), NULL) >= GPOINTER_TO_UINT (data);
}

static gboolean
withdrawn_cb (gpointer data)
{
  guint withdrawn = 0;

  fd_integrations_page_get_notifications (fd_ti_page (), &withdrawn);
  return withdrawn >= GPOINTER_TO_UINT (data);
}

static gboolean
active_alerts_cb (gpointer data)
{
  return fd_integrations_page_get_alerts (fd_ti_page ())->len == GPOINTER_TO_UINT (data);
}

static gboolean
dunst_shows_cb (gpointer data)
{
  const char *argv[] = { "dunstctl", "count", "displayed", NULL };
  g_autofree char *count = fd_gui_run (argv);

  fd_gui_settle (100);
  return g_ascii_strtoull (count, NULL, 10) >= 1;
}

/* A condition open longer than a rule allows: an active alert and a notification, withdrawn
 * when the condition closes. The rule (1 s) is made through the API: the dialog's threshold
 * is in minutes. */
void
fd_ti_alert_notification (void)
{
  g_autofree char *path = g_strdup_printf ("/workspaces/%s/alert-rules", fd_ti_workspace_id);
  g_autoptr (JsonNode) rule = NULL;
  g_autofree char *start = fd_ti_iso_time (-30);
  g_autofree char *finish = NULL;
  g_autofree char *open = NULL;
  g_autofree char *close = NULL;
  const char *history[] = { "dunstctl", "history", NULL };
  const char *close_all[] = { "dunstctl", "close-all", NULL };
  g_autofree char *shown = NULL;

  rule = fd_ti_api (
      "POST", path,
      "{\"name\": \"Door Left Open\", \"tags\": [\"door_open\"], \"open_longer_than_s\": 1}", 201);
  open = g_strdup_printf ("{\"key\": \"condition\", \"value\": {\"uuid\": \"c-door-1\", \"tag\": "
                          "\"door_open\", \"payload\": {\"door\": \"north\"}, \"start\": \"%s\"}}",
                          start);
  fd_ti_device_post ("up", open);
  fd_gui_wait (notified_cb, GUINT_TO_POINTER (1), 30, "the alert's notification");
  fd_gui_wait (active_alerts_cb, GUINT_TO_POINTER (1), 10, "the active alert listed");
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), ADW_TYPE_ACTION_ROW,
                   "Condition open too long: door_open on door-01");
  if (notifications_server != NULL)
    {
      fd_gui_wait (dunst_shows_cb, NULL, 10, "the notification on screen");
      g_free (fd_gui_run (close_all));
      fd_gui_settle (300);
      shown = fd_gui_run (history);
      g_assert_nonnull (strstr (shown, "Condition open too long: door_open on door-01"));
    }
  g_free (fd_ti_shot ("integrations-09-alert-active"));

  finish = fd_ti_iso_time (0);
  close = g_strdup_printf ("{\"key\": \"condition\", \"value\": {\"uuid\": \"c-door-1\", "
                           "\"finish\": \"%s\"}}",
                           finish);
  fd_ti_device_post ("up", close);
  fd_gui_wait (withdrawn_cb, GUINT_TO_POINTER (1), 30, "the notification withdrawn");
  fd_gui_wait (active_alerts_cb, GUINT_TO_POINTER (0), 10, "no active alert listed");
}

/* A real notification server (dunst) on the fd_ti_app's session bus. */
static void
start_notification_server (void)
{
  GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (fd_ti_app));
  g_autofree char *conf = g_build_filename (fd_ti_files_dir, "dunstrc", NULL);
  g_autoptr (GError) error = NULL;

  if (bus == NULL)
    return;
  g_assert_true (g_file_set_contents (conf, "", 0, NULL));
  notifications_server
      = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                          &error, "dunst", "-conf", conf, NULL);
  g_assert_no_error (error);
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
        return;
      fd_gui_settle (100);
    }
  g_error ("dunst did not take org.freedesktop.Notifications");
}

void
fd_ti_notifications_start (void)
{
  start_notification_server ();
}

void
fd_ti_alerts_after (void)
{
  if (notifications_server == NULL)
    return;
  g_subprocess_force_exit (notifications_server);
  g_subprocess_wait (notifications_server, NULL, NULL);
  g_clear_object (&notifications_server);
}
