/* test-gui-jobs-vars.c — the device page's Variables, driven as a user would: a value that is
 * not JSON is refused in the dialog; "setpoint" set to 21.5 reads "Not Applied Yet" until the
 * device reports it back, then "Applied"; removed, it stays listed as what the device reports. */
#include "config.h"

#include "fd-device-detail-page.h"
#include "fd-devices-page.h"
#include "fd-gui-util.h"
#include "test-gui-jobs.h"

static FdDevicesPage *
devices_page (void)
{
  return FD_DEVICES_PAGE (fd_window_get_pane (fd_tj_window (), "devices"));
}

static FdDeviceDetailPage *
detail_page (void)
{
  return fd_devices_page_get_detail_page (devices_page ());
}

typedef struct
{
  const char *key;
  const char *state;
} VariableWait;

static gboolean
variable_state_cb (gpointer data)
{
  VariableWait *wait = data;

  return g_strcmp0 (fd_device_detail_page_get_variable_state (detail_page (), wait->key),
                    wait->state)
         == 0;
}

static void
wait_variable (const char *key, const char *state, const char *label)
{
  VariableWait wait = { key, state };
  g_autofree char *what = g_strdup_printf ("%s to be %s", key, state);
  GtkWidget *row;

  fd_gui_wait (variable_state_cb, &wait, 20, what);
  /* What the user reads on the row. */
  row = fd_gui_wait_for (GTK_WIDGET (detail_page ()), ADW_TYPE_ACTION_ROW, key);
  fd_gui_wait_for (row, GTK_TYPE_LABEL, label);
}

static GtkWidget *
find_error_label (GtkWidget *root)
{
  if (GTK_IS_LABEL (root) && gtk_widget_has_css_class (root, "error")
      && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_error_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Scrolls the device page so that @widget is at the top, as a user scrolls to it. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  graphene_point_t point;

  g_assert_nonnull (scrolled);
  g_assert_true (gtk_widget_compute_point (
      widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)),
      &GRAPHENE_POINT_INIT (0, 0), &point));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adjustment, point.y - 12);
  fd_gui_settle (100);
}

void
fd_tj_variables (void)
{
  g_autofree char *path = g_strdup_printf ("/devices/%s/variables/setpoint", fd_tj_device_id);
  g_autoptr (JsonNode) variable = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *key, *value, *error, *row, *group;

  fd_tj_show_pane ("Devices");
  fd_devices_page_open_device_id (devices_page (), fd_tj_device_id);
  group = fd_gui_wait_for (GTK_WIDGET (detail_page ()), ADW_TYPE_PREFERENCES_GROUP, "Variables");

  fd_gui_click (GTK_WIDGET (detail_page ()), "Set _Variable…");
  dialog = fd_gui_wait_for_dialog ();
  key = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Key");
  value = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Value (JSON)");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "set"));

  /* A key of the protocol's own, then a value that is not JSON: said in place, Set off. */
  gtk_editable_set_text (GTK_EDITABLE (key), "_fota_status");
  fd_gui_settle (50);
  error = find_error_label (GTK_WIDGET (dialog));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (error)), "protocol"));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "set"));

  gtk_editable_set_text (GTK_EDITABLE (key), "setpoint");
  gtk_editable_set_text (GTK_EDITABLE (value), "warm");
  fd_gui_settle (50);
  error = find_error_label (GTK_WIDGET (dialog));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (error)), "Not JSON."));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "set"));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "jobs-10-variable-bad-value"));

  gtk_editable_set_text (GTK_EDITABLE (value), "21.5");
  fd_gui_settle (50);
  g_assert_null (find_error_label (GTK_WIDGET (dialog)));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "set"));
  fd_gui_click (GTK_WIDGET (dialog), "_Set");
  fd_gui_wait_dialogs_closed ();

  /* Sent to the device, which holds it without applying it yet. */
  fd_tj_device_wait ("{\"variable\": \"setpoint\"}");
  wait_variable ("setpoint", "pending", "Not Applied Yet");
  scroll_to (group);
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-11-variable-pending"));

  fd_tj_device_send ("apply");
  fd_tj_device_wait ("{\"applied\": [\"setpoint\"]}");
  wait_variable ("setpoint", "applied", "Applied");
  row = fd_gui_wait_for (GTK_WIDGET (detail_page ()), ADW_TYPE_ACTION_ROW, "setpoint");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                   "Set to 21.5 · the device reported 21.5");
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-12-variable-applied"));
  variable = fd_tj_api ("GET", path, NULL, 200);
  g_assert_cmpstr (fd_tj_string (variable, "state"), ==, "applied");

  /* Removed: the server stops asking; the device still reports its value. */
  fd_gui_click (row, "Remove Variable");
  dialog = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Remove Variable “setpoint”?");
  fd_gui_click (GTK_WIDGET (dialog), "_Remove");
  fd_gui_wait_dialogs_closed ();
  wait_variable ("setpoint", "reported", "Reported");
  g_free (fd_gui_screenshot (GTK_WIDGET (fd_tj_window ()), "jobs-13-variable-removed"));
}
