/* test-gui-provision.c — "Add Device" the three ways, as a user would: a generated certificate
 * saved as zdevice.json (mode 0600, with the device's id and its private key), a certtool-made
 * self-signed certificate dropped on the pane (then the same certificate again: the device is
 * made, its credential refused, and a CSR chosen on the spot fixes it), and a device key whose
 * secret is shown once and copied. Part of test-gui (see test-gui.c). */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "fd-gui-util.h"
#include "fd-provision-window.h"
#include "test-gui.h"

typedef struct
{
  FdProvisionWindow *window;
  const char *state;
} StateWait;

static gboolean
state_is_cb (gpointer data)
{
  StateWait *wait = data;

  return g_strcmp0 (fd_provision_window_get_state (wait->window), wait->state) == 0;
}

void
fd_test_wait_provision_state (FdProvisionWindow *window, const char *state)
{
  StateWait wait = { window, state };
  g_autofree char *what = g_strdup_printf ("the provisioning window to show “%s”", state);

  fd_gui_wait (state_is_cb, &wait, 30, what);
  fd_gui_settle (300);
}

GtkWidget *
fd_test_find_by_class (GtkWidget *root, const char *css_class)
{
  if (!gtk_widget_get_mapped (root))
    return NULL;
  if (gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = fd_test_find_by_class (child, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

FdProvisionWindow *
fd_test_open_add_device (const char *name, guint fleet)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  g_autoptr (FdProvisionWindow) window = NULL;
  GtkWidget *row;

  gtk_widget_activate_action (win, "win.primary", NULL); /* Ctrl+N */
  window = FD_PROVISION_WINDOW (fd_gui_wait_for_window (FD_TYPE_PROVISION_WINDOW));
  row = fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, "_Name");
  gtk_editable_set_text (GTK_EDITABLE (row), name);
  row = fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_COMBO_ROW, "_Fleet");
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), fleet);
  return g_steal_pointer (&window);
}

void
fd_test_choose_method (FdProvisionWindow *window, const char *title)
{
  GtkWidget *row = fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, title);

  adw_action_row_activate (ADW_ACTION_ROW (row));
  fd_gui_settle (100);
}

/* Closes a window whose secret was not saved: it asks first. */
void
fd_test_close_discarding (FdProvisionWindow *window, const char *screenshot)
{
  AdwMessageDialog *dialog;

  gtk_window_close (GTK_WINDOW (window));
  dialog = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Discard the Credentials?");
  if (screenshot != NULL)
    g_free (fd_gui_screenshot (GTK_WIDGET (dialog), screenshot));
  fd_gui_click (GTK_WIDGET (dialog), "_Discard");
  fd_gui_wait_window_closed (GTK_WINDOW (window));
}

void
fd_test_add_device (const char *name, guint fleet, const char *screenshot)
{
  g_autoptr (FdProvisionWindow) window = fd_test_open_add_device (name, fleet);

  if (screenshot != NULL)
    g_free (fd_gui_screenshot (GTK_WIDGET (window), screenshot));
  fd_gui_click (GTK_WIDGET (window), "_Add");
  fd_test_wait_provision_state (window, "done");
  fd_test_close_discarding (window, NULL);
}

/* The device named @name in the lab, through the API. */
JsonObject *
fd_test_lab_device (JsonNode **holder, const char *name)
{
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *escaped = g_uri_escape_string (name, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/workspaces/%s/devices?search=%s", lab_id, escaped);

  return fd_test_api_find (holder, path, name);
}

JsonNode *
fd_test_read_json (const char *path, guint *mode)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  *mode = st.st_mode & 07777;
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
file_exists_cb (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

void
fd_test_wait_file (const char *path)
{
  g_autofree char *what = g_strdup_printf ("%s to be written", path);

  fd_gui_wait (file_exists_cb, (gpointer)path, 10, what);
  fd_gui_settle (200);
}

/* A certificate or CSR made by certtool with its own key; returns the PEM file's path. */
char *
fd_test_certtool (const char *what, const char *name, const char *cn)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", fd_test_files_dir, name);
  g_autofree char *tmpl = g_strdup_printf ("%s/%s.cfg", fd_test_files_dir, name);
  g_autofree char *tmpl_text = g_strdup_printf ("cn = \"%s\"\nexpiration_days = 30\n", cn);
  char *pem = g_strdup_printf ("%s/%s.pem", fd_test_files_dir, name);
  const char *genkey[] = {
    "certtool", "--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1", "--outfile", key,
    NULL
  };
  const char *make[]
      = { "certtool", what, "--load-privkey", key, "--template", tmpl, "--outfile", pem, NULL };

  g_assert_true (g_file_set_contents (tmpl, tmpl_text, -1, NULL));
  g_free (fd_gui_run (genkey));
  g_free (fd_gui_run (make));
  return pem;
}

/* A generated certificate, saved with "Save Credentials…" */
void
fd_test_add_generated (void)
{
  g_autoptr (FdProvisionWindow) window = NULL;
  g_autoptr (JsonNode) holder = NULL;
  g_autoptr (JsonNode) saved = NULL;
  g_autofree char *path = g_build_filename (fd_test_files_dir, "sensor-01.zdevice.json", NULL);
  JsonObject *zdevice;
  JsonObject *device;
  guint mode = 0;

  fd_test_show_pane ("Devices");
  g_clear_object (&window);
  window = fd_test_open_add_device ("sensor-01", 1); /* default first, then Sensors */
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "21-add-device"));
  fd_gui_click (GTK_WIDGET (window), "_Add");
  fd_test_wait_provision_state (window, "done");
  fd_gui_wait_for (GTK_WIDGET (window), GTK_TYPE_LABEL, "“sensor-01” Was Added");
  g_assert_nonnull (fd_test_find_by_class (GTK_WIDGET (window), "fd-secret-warning"));
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "22-device-added-generated"));

  /* The device exists, in the fleet chosen. */
  device = fd_test_lab_device (&holder, "sensor-01");
  g_assert_nonnull (device);
  g_assert_cmpstr (json_object_get_string_member (device, "fleet_name"), ==, "Sensors");

  fd_gui_click (GTK_WIDGET (window), "_Save Credentials…");
  fd_gui_answer_file_chooser (fd_test_files_dir, "sensor-01.zdevice.json", "sensor-01.zdevice.json",
                              "23-save-credentials");
  fd_test_wait_file (path);
  fd_gui_wait_for (GTK_WIDGET (window), GTK_TYPE_LABEL, NULL);

  saved = fd_test_read_json (path, &mode);
  g_assert_cmpuint (mode, ==, 0600);
  zdevice = fd_test_api_object (saved);
  g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (zdevice, "devinfo"), "device_id"),
                   ==, json_object_get_string_member (device, "id"));
  g_assert_nonnull (strstr (json_object_get_string_member (zdevice, "prvkey"), "PRIVATE KEY"));
  g_assert_nonnull (strstr (json_object_get_string_member (zdevice, "clicert"), "CERTIFICATE"));
  g_assert_nonnull (strstr (json_object_get_string_member (zdevice, "cacert"), "CERTIFICATE"));

  /* Saved: "Done" closes without asking. */
  fd_gui_click (GTK_WIDGET (window), "_Done");
  fd_gui_wait_window_closed (GTK_WINDOW (window));
}

/* The device's own certificate, dropped on the pane; then the same one again (refused, the
 * device made without a credential) fixed with a CSR chosen on the spot. */
void
fd_test_add_own_certificate (void)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  GtkWidget *list = GTK_WIDGET (fd_devices_page_get_column_view (fd_test_devices_page ()));
  g_autofree char *cert = fd_test_certtool ("--generate-self-signed", "own-cert", "sensor-own");
  g_autofree char *csr = fd_test_certtool ("--generate-request", "own-csr", "sensor-csr");
  g_autofree char *key = g_build_filename (fd_test_files_dir, "own-cert.key", NULL);
  const char *fingerprint_argv[]
      = { "certtool", "--fingerprint", "--hash=sha256", "--infile", cert, NULL };
  g_autofree char *fingerprint = g_strstrip (fd_gui_run (fingerprint_argv));
  g_autoptr (JsonNode) holder = NULL;
  g_autoptr (JsonNode) credentials = NULL;
  g_autofree char *path = NULL;
  g_autoptr (FdProvisionWindow) window = NULL;
  AdwStatusPage *failed;
  GtkWidget *row;
  JsonObject *device;
  JsonArray *items;

  /* Dropped on the Devices pane: "Add Device" opens with the file read. */
  g_assert_true (fd_gui_drop_file (gtk_widget_get_ancestor (list, GTK_TYPE_BOX), cert));
  g_clear_object (&window);
  window = FD_PROVISION_WINDOW (fd_gui_wait_for_window (FD_TYPE_PROVISION_WINDOW));
  row = fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "own-cert.pem");
  g_assert_true (
      g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Certificate · "));

  /* A private key dropped on the window instead is refused, in words. */
  g_assert_true (fd_gui_drop_file (fd_gui_find (GTK_WIDGET (window), GTK_TYPE_STACK, NULL), key));
  fd_gui_settle (500);
  gtk_editable_set_text (
      GTK_EDITABLE (fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, "_Name")),
      "sensor-own");
  fd_gui_wait_for (GTK_WIDGET (window), GTK_TYPE_LABEL,
                   "This is a private key. It must stay on the device: choose the device’s "
                   "certificate or its certificate signing request instead.");
  g_assert_false (
      gtk_widget_is_sensitive (fd_gui_find (GTK_WIDGET (window), GTK_TYPE_BUTTON, "_Add")));
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "24-add-device-private-key-refused"));

  /* The certificate, through the file chooser. */
  fd_gui_click (GTK_WIDGET (window), "C_hoose File…");
  fd_gui_answer_file_chooser (fd_test_files_dir, "own-cert.pem", NULL, NULL);
  fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "own-cert.pem");
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "25-add-device-own-certificate"));
  fd_gui_click (GTK_WIDGET (window), "_Add");
  fd_test_wait_provision_state (window, "done");

  /* What the API read from it: the fingerprint certtool computes. */
  device = fd_test_lab_device (&holder, "sensor-own");
  g_assert_nonnull (device);
  path = g_strdup_printf ("/devices/%s/credentials", json_object_get_string_member (device, "id"));
  credentials = fd_test_api_get (path, 200);
  items = json_object_get_array_member (fd_test_api_object (credentials), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "kind"),
                   ==, "certificate");
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (items, 0), "fingerprint"), ==,
      fingerprint);
  row = fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "SHA-256 Fingerprint");
  {
    g_autofree char *shown = g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
    g_autofree char *hex = NULL;
    GString *plain = g_string_new (NULL);

    for (const char *p = shown; *p; p++)
      if (*p != ':')
        g_string_append_c (plain, g_ascii_tolower (*p));
    hex = g_string_free (plain, FALSE);
    g_assert_cmpstr (hex, ==, fingerprint);
  }
  /* No secret was made: nothing is lost by closing. */
  g_assert_null (fd_test_find_by_class (GTK_WIDGET (window), "fd-secret-warning"));
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "26-device-added-own-certificate"));
  fd_gui_click (GTK_WIDGET (window), "_Done");
  fd_gui_wait_window_closed (GTK_WINDOW (window));

  /* The same certificate for another device: the device is made, its credential refused. */
  gtk_widget_activate_action (win, "win.primary", NULL);
  g_clear_object (&window);
  window = FD_PROVISION_WINDOW (fd_gui_wait_for_window (FD_TYPE_PROVISION_WINDOW));
  gtk_editable_set_text (
      GTK_EDITABLE (fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ENTRY_ROW, "_Name")),
      "sensor-twin");
  g_assert_true (fd_gui_drop_file (fd_gui_find (GTK_WIDGET (window), GTK_TYPE_STACK, NULL), cert));
  fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "own-cert.pem");
  fd_gui_click (GTK_WIDGET (window), "_Add");
  fd_test_wait_provision_state (window, "failed");
  failed = ADW_STATUS_PAGE (fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE,
                                             "“sensor-twin” Was Added Without a Credential"));
  g_assert_nonnull (strstr (adw_status_page_get_description (failed), "already identifies"));
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "27-credential-refused"));
  g_assert_nonnull (fd_test_lab_device (&holder, "sensor-twin"));

  /* Another file, chosen on the spot, is sent for the device that exists. */
  fd_gui_click (GTK_WIDGET (window), "Choose Another _File…");
  fd_gui_answer_file_chooser (fd_test_files_dir, "own-csr.pem", NULL, NULL);
  fd_test_wait_provision_state (window, "done");
  row = fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "Kind");
  g_assert_true (
      g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Signed CSR"));
  row = fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, "Subject");
  device = fd_test_lab_device (&holder, "sensor-twin");
  /* The CA forced the CN to the device's id. */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            json_object_get_string_member (device, "id")));
  fd_gui_click (GTK_WIDGET (window), "_Done");
  fd_gui_wait_window_closed (GTK_WINDOW (window));
}

/* What the app put on the clipboard (it owns it: no round trip through the X server). */
static char *
clipboard_text (GtkWidget *widget)
{
  GdkContentProvider *content = gdk_clipboard_get_content (gtk_widget_get_clipboard (widget));
  g_auto (GValue) value = G_VALUE_INIT;
  g_autoptr (GError) error = NULL;

  if (content == NULL)
    g_error ("nothing on the clipboard (local: %d, formats: %s)",
             gdk_clipboard_is_local (gtk_widget_get_clipboard (widget)),
             gdk_content_formats_to_string (
                 gdk_clipboard_get_formats (gtk_widget_get_clipboard (widget))));
  g_value_init (&value, G_TYPE_STRING);
  gdk_content_provider_get_value (content, &value, &error);
  g_assert_no_error (error);
  return g_value_dup_string (&value);
}

/* A device key: its secret is shown once, copied, and closing without saving asks. */
void
fd_test_add_key (void)
{
  g_autoptr (FdProvisionWindow) window = fd_test_open_add_device ("valve-01", 0);
  g_autofree char *copied = NULL;
  g_autoptr (JsonNode) holder = NULL;
  g_autoptr (JsonNode) credentials = NULL;
  g_autofree char *path = NULL;
  g_autofree char *secret = NULL;
  g_autofree guchar *raw = NULL;
  GtkWidget *label;
  JsonObject *device;
  JsonObject *credential;
  gsize raw_len = 0;

  fd_test_choose_method (window, "Create a Device _Key");
  fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_COMBO_ROW, "_Used As");
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "28-add-device-key"));
  fd_gui_click (GTK_WIDGET (window), "_Add");
  fd_test_wait_provision_state (window, "done");

  /* The secret: base64 of 32 bytes, shown in full. */
  label = fd_test_find_by_class (GTK_WIDGET (window), "fd-secret");
  g_assert_nonnull (label);
  secret = g_strdup (gtk_label_get_label (GTK_LABEL (label)));
  raw = g_base64_decode (secret, &raw_len);
  g_assert_cmpuint (raw_len, ==, 32);
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "29-device-key-secret"));

  /* Copy puts exactly it on the clipboard. */
  fd_gui_click (GTK_WIDGET (window), "Cop_y");
  fd_gui_settle (500); /* a button activated from the keyboard clicks after 250 ms */
  copied = clipboard_text (GTK_WIDGET (window));
  g_assert_cmpstr (copied, ==, secret);

  /* Closing without saving asks, naming what is lost. */
  gtk_window_close (GTK_WINDOW (window));
  {
    AdwMessageDialog *dialog = fd_gui_wait_for_dialog ();

    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "secret of “valve-01”"));
    g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "30-discard-credentials"));
    /* "Back" keeps the window and its secret. */
    fd_gui_click (GTK_WIDGET (dialog), "_Back");
    fd_gui_wait_dialogs_closed ();
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  }
  fd_test_close_discarding (window, NULL);

  /* The API never shows the secret again. */
  device = fd_test_lab_device (&holder, "valve-01");
  path = g_strdup_printf ("/devices/%s/credentials", json_object_get_string_member (device, "id"));
  credentials = fd_test_api_get (path, 200);
  credential = json_array_get_object_element (
      json_object_get_array_member (fd_test_api_object (credentials), "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (credential, "kind"), ==, "key");
  g_assert_cmpstr (json_object_get_string_member (credential, "mode"), ==, "device_token");
  g_assert_false (json_object_has_member (credential, "secret"));
}
