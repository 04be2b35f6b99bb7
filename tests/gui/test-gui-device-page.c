/* test-gui-device-page.c — a device's page, opened from its row: the empty "Latest Readings"
 * with an example for the device's own address, credentials (add one, revoke it, download a
 * zdevice.json without its secret), polling only while shown; then readings posted by curl to
 * the HTTPS device endpoint with the saved credentials, updating live. Part of test-gui. */
#include "config.h"

#include "fd-credential-row.h"
#include "fd-device-detail-page.h"
#include "fd-gui-device.h"
#include "fd-gui-util.h"
#include "fd-provision-window.h"
#include "fd-reading-row.h"
#include "test-gui.h"

static FdDeviceDetailPage *
detail_page (void)
{
  return fd_devices_page_get_detail_page (fd_test_devices_page ());
}

/* Selects the row of @name, as a click on it does. */
static void
select_row (const char *name)
{
  GtkSelectionModel *selection
      = gtk_column_view_get_model (fd_devices_page_get_column_view (fd_test_devices_page ()));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (selection));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdDevice) device = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_strcmp0 (fd_device_get_name (device), name) == 0)
        gtk_selection_model_select_item (selection, i, TRUE);
    }
}

/* Opens @name's page as Enter or a double click on its row does. */
static void
open_device (const char *name)
{
  GtkColumnView *view = fd_devices_page_get_column_view (fd_test_devices_page ());
  GtkSelectionModel *selection = gtk_column_view_get_model (view);
  guint n;

  fd_test_show_pane ("Devices");
  fd_devices_page_show_list (fd_test_devices_page ());
  fd_gui_settle (400);
  fd_gui_wait_for (GTK_WIDGET (view), GTK_TYPE_LABEL, name);
  n = g_list_model_get_n_items (G_LIST_MODEL (selection));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdDevice) device = g_list_model_get_item (G_LIST_MODEL (selection), i);

      if (g_strcmp0 (fd_device_get_name (device), name) == 0)
        {
          g_signal_emit_by_name (view, "activate", i);
          fd_gui_wait_for (GTK_WIDGET (detail_page ()), GTK_TYPE_LABEL, name);
          fd_gui_settle (400); /* the leaflet's transition */
          return;
        }
    }
  g_error ("no row %s", name);
}

static FdCredentialRow *
find_credential_row (const char *title)
{
  return FD_CREDENTIAL_ROW (
      fd_gui_wait_for (GTK_WIDGET (detail_page ()), FD_TYPE_CREDENTIAL_ROW, title));
}

static gboolean
revoked_shown_cb (gpointer data)
{
  GtkWidget *row = fd_gui_find (GTK_WIDGET (detail_page ()), FD_TYPE_CREDENTIAL_ROW, data);

  return row != NULL && fd_credential_row_get_revoked (FD_CREDENTIAL_ROW (row))
         && fd_gui_find (row, GTK_TYPE_LABEL, "Revoked") != NULL;
}

static gboolean
polled_cb (gpointer data)
{
  return fd_device_detail_page_get_polls (detail_page ()) >= GPOINTER_TO_UINT (data);
}

void
fd_test_device_page (void)
{
  GtkWidget *page;
  g_autoptr (JsonNode) server = fd_test_api_get ("/server", 200);
  g_autoptr (JsonNode) holder = NULL;
  g_autoptr (JsonNode) credentials = NULL;
  g_autoptr (JsonNode) saved = NULL;
  g_autofree char *port
      = g_strdup_printf (":%" G_GINT64_FORMAT "/v1/data/weather",
                         json_object_get_int_member (fd_test_api_object (server), "device_port"));
  g_autofree char *path = NULL;
  g_autofree char *file
      = g_build_filename (fd_test_files_dir, "sensor-01-again.zdevice.json", NULL);
  g_autoptr (FdProvisionWindow) window = NULL;
  FdCredentialRow *row;
  AdwMessageDialog *dialog;
  GtkWidget *example;
  JsonObject *device;
  JsonArray *items;
  guint polls, mode = 0;

  open_device ("sensor-01");
  page = GTK_WIDGET (detail_page ());
  fd_gui_wait_for (page, GTK_TYPE_LABEL, "No Readings Yet");
  example = fd_test_find_by_class (page, "fd-example");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (example)), port));
  fd_gui_wait_for (page, FD_TYPE_CREDENTIAL_ROW, "Generated certificate");
  fd_gui_wait_for (page, GTK_TYPE_LABEL, "Fleet “Sensors” · Never seen");
  g_free (fd_test_shot ("31-device-page"));

  /* Delete (the key) acts on the list's selection: not while this page covers the list. */
  select_row ("sensor-01");
  gtk_widget_activate_action (GTK_WIDGET (fd_test_devices_page ()), "pane.delete", NULL);
  fd_gui_settle (500);
  fd_gui_wait_dialogs_closed ();

  /* It polls while shown. */
  polls = fd_device_detail_page_get_polls (detail_page ());
  fd_gui_wait (polled_cb, GUINT_TO_POINTER (polls + 2), 10, "two more polls");

  /* Add Credential…: a device key for this device. */
  fd_gui_click (page, "Add _Credential…");
  g_clear_object (&window);
  window = FD_PROVISION_WINDOW (fd_gui_wait_for_window (FD_TYPE_PROVISION_WINDOW));
  fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE, "Add Credential");
  g_assert_null (fd_gui_find (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, "_Name"));
  fd_test_choose_method (window, "Create a Device _Key");
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "32-add-credential"));
  fd_gui_click (GTK_WIDGET (window), "C_reate");
  fd_test_wait_provision_state (window, "done");
  fd_gui_wait_for (GTK_WIDGET (window), GTK_TYPE_LABEL, "New Credential for “sensor-01”");
  fd_test_close_discarding (window, NULL);
  row = find_credential_row ("Device key");

  /* Revoke it: the dialog names the device and the credential. */
  fd_gui_click (GTK_WIDGET (row), "Revoke…");
  dialog = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Revoke Device key 1?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“sensor-01”"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "stop at once"));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "33-revoke-credential"));
  fd_gui_click (GTK_WIDGET (dialog), "_Revoke");
  fd_gui_wait_dialogs_closed ();
  fd_gui_wait (revoked_shown_cb, (gpointer) "Device key", 10, "the key to show as revoked");

  device = fd_test_lab_device (&holder, "sensor-01");
  path = g_strdup_printf ("/devices/%s/credentials", json_object_get_string_member (device, "id"));
  credentials = fd_test_api_get (path, 200);
  items = json_object_get_array_member (fd_test_api_object (credentials), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_false (
      json_object_get_boolean_member (json_array_get_object_element (items, 0), "revoked"));
  g_assert_true (
      json_object_get_boolean_member (json_array_get_object_element (items, 1), "revoked"));
  /* Below the readings: scrolled to, as a user would. */
  {
    GtkWidget *scrolled = fd_gui_find (page, GTK_TYPE_SCROLLED_WINDOW, NULL);
    GtkAdjustment *adjustment
        = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  }
  fd_gui_settle (5500); /* the toast "… revoked" covers the rows until it times out */
  g_free (fd_test_shot ("34-device-page-credentials"));

  /* Download the certificate's zdevice.json: it says the secret is not in it. */
  row = find_credential_row ("Generated certificate");
  fd_gui_click (GTK_WIDGET (row), "Download zdevice.json (Without the Secret)");
  dialog = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==,
                   "Download zdevice.json Without the Secret?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "shown only once"));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "35-download-zdevice"));
  fd_gui_click (GTK_WIDGET (dialog), "_Save As…");
  fd_gui_answer_file_chooser (fd_test_files_dir, "sensor-01-again.zdevice.json",
                              "sensor-01.zdevice.json", NULL);
  fd_test_wait_file (file);
  saved = fd_test_read_json (file, &mode);
  g_assert_cmpuint (mode, ==, 0600);
  g_assert_cmpstr (json_object_get_string_member (fd_test_api_object (saved), "prvkey"), ==, "");
  g_assert_cmpstr (
      json_object_get_string_member (
          json_object_get_object_member (fd_test_api_object (saved), "devinfo"), "device_id"),
      ==, json_object_get_string_member (device, "id"));

  /* Back on the list, it stops polling. */
  fd_gui_click (page, "Back to Devices (Alt+Left)");
  fd_gui_settle (1000);
  polls = fd_device_detail_page_get_polls (detail_page ());
  fd_gui_settle (FD_DEVICE_DETAIL_POLL_MS * 2 + 500);
  g_assert_cmpuint (fd_device_detail_page_get_polls (detail_page ()), ==, polls);
}

typedef struct
{
  const char *tag;
  const char *fields;
} ReadingWait;

static gboolean
reading_shown_cb (gpointer data)
{
  ReadingWait *wait = data;
  GtkWidget *row = fd_gui_find (GTK_WIDGET (detail_page ()), FD_TYPE_READING_ROW, wait->tag);

  return row != NULL
         && g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), wait->fields) == 0;
}

static void
wait_reading (const char *tag, const char *fields)
{
  ReadingWait wait = { tag, fields };
  g_autofree char *what = g_strdup_printf ("the reading “%s: %s”", tag, fields);

  fd_gui_wait (reading_shown_cb, &wait, 10, what);
}

/* Whether a label under @root says "just now" or "N s ago". */
static gboolean
recent_shown_cb (gpointer root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text = GTK_IS_LABEL (child) ? gtk_label_get_label (GTK_LABEL (child)) : NULL;

      if (g_strcmp0 (text, "just now") == 0
          || (text != NULL && g_str_has_suffix (text, " s ago") && g_ascii_isdigit (text[0])))
        return TRUE;
      if (recent_shown_cb (child))
        return TRUE;
    }
  return FALSE;
}

#ifdef FD_HAVE_DEVICE_SERVER
/* Posts @json under @tag as the device of @zdevice would, with curl and its certificate. */
static void
post_reading (JsonObject *zdevice, const char *tag, const char *json)
{
  g_autofree char *prefix = g_build_filename (fd_test_files_dir, "device", NULL);
  g_autofree char *ca = g_strdup_printf ("%s-ca.pem", prefix);
  g_autofree char *cert = g_strdup_printf ("%s.pem", prefix);
  g_autofree char *key = g_strdup_printf ("%s.key", prefix);
  JsonObject *endpoint = json_object_get_object_member (zdevice, "endpoint");
  g_autofree char *url = g_strdup_printf ("https://localhost:%" G_GINT64_FORMAT "/v1/data/%s",
                                          json_object_get_int_member (endpoint, "https_port"), tag);
  const char *argv[] = { "curl",   "--silent", "--show-error",
                         "--fail", "--cacert", ca,
                         "--cert", cert,       "--key",
                         key,      "-H",       "Content-Type: application/json",
                         "-d",     json,       url,
                         NULL };

  fd_gui_device_save_files (zdevice, prefix);
  g_test_message ("curl %s %s", url, json);
  g_free (fd_gui_run (argv));
}
#endif

void
fd_test_readings (void)
{
#ifndef FD_HAVE_DEVICE_SERVER
  g_test_skip ("the HTTPS device endpoint (server/device/fd-device-server.c, docs/protocol.md) "
               "is not in this tree yet: no device can post readings to show");
  (void)wait_reading;
  (void)recent_shown_cb;
#else
  g_autofree char *path = g_build_filename (fd_test_files_dir, "sensor-01.zdevice.json", NULL);
  g_autoptr (JsonNode) saved = NULL;
  JsonObject *zdevice;
  guint mode = 0;

  /* The credentials saved when the device was added, as the device would hold them. */
  saved = fd_test_read_json (path, &mode);
  zdevice = fd_test_api_object (saved);
  post_reading (zdevice, "weather", "{\"temp\": 21.5, \"hum\": 40, \"env\": {\"co2\": 412}}");

  open_device ("sensor-01");
  wait_reading ("weather", "temp 21.5 · hum 40 · env.co2 412");
  /* "just now" only if the page's first poll came within a second of the post (not on a
   * loaded machine): "12 s ago" is as right. */
  fd_gui_wait (recent_shown_cb,
               fd_gui_find (GTK_WIDGET (detail_page ()), FD_TYPE_READING_ROW, "weather"), 10,
               "the reading's time, a few seconds ago at most");
  g_free (fd_test_shot ("36-device-page-readings"));

  /* Live: a new reading and a new tag show up while the page is open. */
  post_reading (zdevice, "weather", "{\"temp\": 22, \"hum\": 41, \"env\": {\"co2\": 415}}");
  post_reading (zdevice, "power", "{\"volts\": 3.3, \"charging\": true}");
  wait_reading ("weather", "temp 22 · hum 41 · env.co2 415");
  wait_reading ("power", "volts 3.3 · charging true");
  fd_gui_wait_for (GTK_WIDGET (detail_page ()), GTK_TYPE_LABEL, NULL);
  g_free (fd_test_shot ("37-device-page-readings-live"));
  fd_devices_page_show_list (fd_test_devices_page ());
#endif
}
