/* test-gui-ota.c — the "Firmware & OTA" pane of the real app against a real engine, as a user
 * drives it: a firmware file dropped on the window (and one chosen with "Upload Firmware…")
 * appears in the list with its size; a campaign started through the wizard to two devices;
 * pause and resume; the live view following devices that report over HTTPS
 * (tests/gui/https-device.py with each device's generated certificate) until the campaign
 * completes and a desktop notification is sent; and the table with 2,000 targets.
 * A separate program from test-gui (whose run is long already); screenshots go to
 * $FD_BUILD_DIR/tests/gui-shots/ as ota-*.png.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <time.h>

#include "fd-api-client.h"
#include "fd-application.h"
#include "fd-campaign-page-private.h"
#include "fd-campaign-wizard-private.h"
#include "fd-firmware-page-private.h"
#include "fd-format.h"
#include "fd-gui-util.h"
#include "fd-window.h"
#include "fd-workspaces-page.h"

#define OTA_MANY_DEVICES 2000

static FdApplication *app;
static char *data_dir;
static char *files_dir;
static const char *base_url;
static const char *token;
static char *workspace_id;
static char *device_ids[2];
static char *campaign_id;
static int test_status;

static FdWindow *
window (void)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (app));

  g_assert_true (FD_IS_WINDOW (active));
  return FD_WINDOW (active);
}

static FdFirmwarePage *
pane (void)
{
  return FD_FIRMWARE_PAGE (fd_window_get_pane (window (), "firmware"));
}

/* A button's "clicked" comes a moment after it is activated (its pressed look). */
static void
click (GtkWidget *root, const char *label)
{
  fd_gui_click (root, label);
  fd_gui_settle (400);
}

static void
shot (const char *name)
{
  g_autofree char *file = g_strconcat ("ota-", name, NULL);
  g_free (fd_gui_screenshot (GTK_WIDGET (window ()), file));
}

static JsonNode *
api (const char *method, const char *path, const char *body, guint expected)
{
  guint status = 0;
  JsonNode *node = fd_gui_api (base_url, token, method, path, body, &status);

  if (status != expected)
    g_error ("%s %s: %u (expected %u)", method, path, status, expected);
  return node;
}

static const char *
member (JsonNode *node, const char *name)
{
  g_assert_true (node != NULL && JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member (json_node_get_object (node), name);
}

static GtkWidget *
find_by_class (GtkWidget *root, const char *css_class)
{
  if (gtk_widget_get_mapped (root) && gtk_widget_has_css_class (root, css_class))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_class (child, css_class);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
sidebar_shown_cb (gpointer data)
{
  *(GtkWidget **)data = find_by_class (GTK_WIDGET (window ()), "navigation-sidebar");
  return *(GtkWidget **)data != NULL;
}

static void
show_pane (void)
{
  GtkWidget *sidebar = NULL;
  GtkWidget *label;

  fd_gui_wait (sidebar_shown_cb, &sidebar, 10, "the sidebar");
  label = fd_gui_wait_for (sidebar, GTK_TYPE_LABEL, "Firmware & OTA");
  gtk_widget_activate (gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW));
  fd_gui_settle (300);
}

/* A firmware image of @size bytes in the user's files. */
static char *
write_firmware (const char *name, gsize size)
{
  g_autofree guchar *bytes = g_malloc (size);
  char *path = g_build_filename (files_dir, name, NULL);

  for (gsize i = 0; i < size; i++)
    bytes[i] = (guchar)g_random_int ();
  g_assert_true (g_file_set_contents (path, (const char *)bytes, size, NULL));
  return path;
}

typedef struct
{
  GtkWidget *root;
  const char *text;
} LabelWait;

static gboolean
label_shown_cb (gpointer data)
{
  LabelWait *wait = data;
  return fd_gui_find (wait->root, GTK_TYPE_LABEL, wait->text) != NULL;
}

static void
wait_label (GtkWidget *root, const char *text)
{
  LabelWait wait = { root, text };
  g_autofree char *what = g_strdup_printf ("“%s” to show", text);

  fd_gui_wait (label_shown_cb, &wait, 20, what);
}

/* Answers the version dialog: asserts the version guessed from the file's name. */
static void
answer_version_dialog (const char *expected_version, const char *screenshot)
{
  AdwMessageDialog *dialog = fd_gui_wait_for_dialog ();
  GtkWidget *version = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Version");

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (version)), ==, expected_version);
  if (screenshot != NULL)
    {
      g_autofree char *file = g_strconcat ("ota-", screenshot, NULL);
      g_free (fd_gui_screenshot (GTK_WIDGET (window ()), file));
    }
  fd_gui_click (GTK_WIDGET (dialog), "_Upload");
  fd_gui_wait_dialogs_closed ();
}

static gboolean
upload_done_cb (gpointer data)
{
  return pane ()->upload_cancellable == NULL;
}

static void
test_upload (void)
{
  g_autofree char *path = write_firmware ("valve-fw-1.2.0.bin", 300 * 1024);
  g_autofree char *size = fd_format_size (300 * 1024);
  g_autofree char *list_path = g_strdup_printf ("/workspaces/%s/firmware", workspace_id);
  g_autoptr (JsonNode) list = NULL;
  JsonObject *firmware;

  show_pane ();
  fd_gui_wait_for (GTK_WIDGET (pane ()), GTK_TYPE_LABEL,
                   "No firmware yet: drop a file above to upload one.");
  shot ("01-empty");

  /* Dropped anywhere on the window while the pane is shown. */
  g_assert_true (fd_gui_drop_file (GTK_WIDGET (window ()), path));
  answer_version_dialog ("1.2.0", "02-version-dialog");
  fd_gui_wait (upload_done_cb, NULL, 30, "the upload to end");
  wait_label (GTK_WIDGET (pane ()->firmware_view), "1.2.0");
  wait_label (GTK_WIDGET (pane ()->firmware_view), size);
  shot ("03-uploaded");

  list = api ("GET", list_path, NULL, 200);
  firmware = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (list), "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (firmware, "version"), ==, "1.2.0");
  g_assert_cmpint (json_object_get_int_member (firmware, "size"), ==, 300 * 1024);
}

static void
test_upload_chooser_and_delete (void)
{
  g_autofree char *path = write_firmware ("valve-fw-1.3.0-rc1.bin", 4096);
  g_autofree char *size = fd_format_size (4096);
  g_autofree char *list_path = g_strdup_printf ("/workspaces/%s/firmware", workspace_id);
  g_autoptr (JsonNode) list = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *version;
  GtkWidget *row;

  fd_gui_click (GTK_WIDGET (pane ()), "_Upload Firmware…");
  fd_gui_answer_file_chooser (files_dir, "valve-fw-1.3.0-rc1.bin", NULL, NULL);
  answer_version_dialog ("1.3.0-rc1", NULL);
  fd_gui_wait (upload_done_cb, NULL, 30, "the upload to end");
  wait_label (GTK_WIDGET (pane ()->firmware_view), "1.3.0-rc1");
  wait_label (GTK_WIDGET (pane ()->firmware_view), size);

  /* Its row's Delete asks first, naming the version. */
  version = fd_gui_find (GTK_WIDGET (pane ()->firmware_view), GTK_TYPE_LABEL, "1.3.0-rc1");
  row = gtk_widget_get_parent (gtk_widget_get_parent (version)); /* cell, then row */
  fd_gui_click (row, "Delete Firmware");
  dialog = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Delete Firmware 1.3.0-rc1?");
  shot ("04-delete-dialog");
  fd_gui_click (GTK_WIDGET (dialog), "_Delete");
  fd_gui_wait_dialogs_closed ();
  wait_label (GTK_WIDGET (window ()), "Firmware 1.3.0-rc1 deleted");
  list = api ("GET", list_path, NULL, 200);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (list), "total"), ==, 1);
}

static gboolean
check_row_shown_cb (gpointer data)
{
  FdCampaignWizard *wizard = data;
  return fd_gui_find (GTK_WIDGET (wizard->device_list), ADW_TYPE_ACTION_ROW, "valve-02") != NULL;
}

static void
choose_device (FdCampaignWizard *wizard, const char *name)
{
  GtkWidget *row = fd_gui_find (GTK_WIDGET (wizard->device_list), ADW_TYPE_ACTION_ROW, name);
  GtkWidget *check = fd_gui_find (row, GTK_TYPE_CHECK_BUTTON, NULL);

  g_assert_nonnull (check);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
}

static gboolean
live_view_shown_cb (gpointer data)
{
  FdFirmwarePage *page = pane ();
  return adw_leaflet_get_visible_child (page->leaflet) == GTK_WIDGET (page->campaign_page)
         && !adw_leaflet_get_child_transition_running (page->leaflet)
         && page->campaign_page->campaign != NULL;
}

typedef struct
{
  const char *device_id;
  const char *state;
} TargetWait;

/* The state the live view's table shows for a device. */
static const char *
shown_state (const char *device_id)
{
  FdJsonItem *item = g_hash_table_lookup (pane ()->campaign_page->by_device, device_id);

  return item != NULL ? json_object_get_string_member (fd_json_item_get_object (item), "state")
                      : NULL;
}

static gboolean
target_shown_cb (gpointer data)
{
  TargetWait *wait = data;
  return g_strcmp0 (shown_state (wait->device_id), wait->state) == 0;
}

static void
wait_target (const char *device_id, const char *state)
{
  TargetWait wait = { device_id, state };
  g_autofree char *what = g_strdup_printf ("%s to show %s", device_id, state);

  fd_gui_wait (target_shown_cb, &wait, 30, what);
}

static void
test_wizard (void)
{
  g_autoptr (GtkWindow) shown = NULL;
  FdCampaignWizard *wizard;
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) campaign = NULL;
  guint notified = 0;

  fd_gui_click (GTK_WIDGET (pane ()), "_New Campaign");
  shown = fd_gui_wait_for_window (FD_TYPE_CAMPAIGN_WIZARD);
  wizard = FD_CAMPAIGN_WIZARD (shown);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (wizard->name_row)), ==, "Update to 1.2.0");
  gtk_editable_set_text (GTK_EDITABLE (wizard->name_row), "Valves to 1.2.0");
  g_free (fd_gui_screenshot (GTK_WIDGET (wizard), "ota-05-wizard-firmware"));
  click (GTK_WIDGET (wizard), "_Next");

  /* No target yet: Next is off and the step says why. */
  g_assert_false (gtk_widget_get_sensitive (wizard->next_button));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (wizard->targets_error)));
  fd_gui_wait (check_row_shown_cb, wizard, 10, "the devices to be listed");
  choose_device (wizard, "valve-01");
  choose_device (wizard, "valve-02");
  g_assert_true (gtk_widget_get_sensitive (wizard->next_button));
  g_assert_cmpstr (gtk_label_get_text (wizard->chosen_label), ==, "0 fleets and 2 devices chosen");
  g_free (fd_gui_screenshot (GTK_WIDGET (wizard), "ota-06-wizard-targets"));
  click (GTK_WIDGET (wizard), "_Next");

  /* A custom rollout that goes down is refused under the entry, at once. */
  adw_combo_row_set_selected (wizard->preset_row, 2);
  gtk_editable_set_text (GTK_EDITABLE (wizard->stages_row), "50%, 40%");
  g_assert_false (gtk_widget_get_sensitive (wizard->start_button));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (wizard->stages_error)));
  g_assert_cmpstr (gtk_label_get_text (wizard->stages_error), ==,
                   "Stages count the devices reached so far: they cannot go down");
  g_free (fd_gui_screenshot (GTK_WIDGET (wizard), "ota-07-wizard-invalid-stages"));
  gtk_editable_set_text (GTK_EDITABLE (wizard->stages_row), "50%, 100%");
  g_assert_true (gtk_widget_get_sensitive (wizard->start_button));
  g_free (fd_gui_screenshot (GTK_WIDGET (wizard), "ota-08-wizard-rollout"));
  fd_gui_click (GTK_WIDGET (wizard), "_Start");
  fd_gui_wait_window_closed (shown);

  /* The live view opens on the new campaign; no device has answered: stage 1's is notified. */
  fd_gui_wait (live_view_shown_cb, NULL, 20, "the campaign's live view");
  campaign_id = g_strdup (pane ()->campaign_page->campaign_id);
  path = g_strdup_printf ("/campaigns/%s", campaign_id);
  campaign = api ("GET", path, NULL, 200);
  g_assert_cmpstr (member (campaign, "name"), ==, "Valves to 1.2.0");
  g_assert_cmpstr (member (campaign, "state"), ==, "running");
  for (guint i = 0; i < 2; i++)
    {
      wait_label (GTK_WIDGET (pane ()->campaign_page->target_view),
                  i == 0 ? "valve-01" : "valve-02");
      notified += g_strcmp0 (shown_state (device_ids[i]), "notified") == 0;
    }
  g_assert_cmpuint (notified, ==, 1);
  wait_label (GTK_WIDGET (pane ()->campaign_page->target_view), "Notified");
  wait_label (GTK_WIDGET (pane ()->campaign_page->target_view), "Queued");
  shot ("09-live-view");
}

static gboolean
state_is_cb (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/campaigns/%s", campaign_id);
  g_autoptr (JsonNode) campaign = api ("GET", path, NULL, 200);

  fd_gui_settle (50);
  return g_strcmp0 (member (campaign, "state"), data) == 0;
}

static void
test_pause_resume (void)
{
  FdCampaignPage *page = pane ()->campaign_page;

  click (GTK_WIDGET (page), "_Pause");
  fd_gui_wait (state_is_cb, "paused", 10, "the campaign to be paused");
  wait_label (GTK_WIDGET (page->state_label), "Paused");
  fd_gui_wait_for (GTK_WIDGET (page), GTK_TYPE_BUTTON, "_Resume");
  g_assert_false (gtk_widget_get_visible (page->pause_button));
  shot ("10-paused");
  click (GTK_WIDGET (page), "_Resume");
  fd_gui_wait (state_is_cb, "running", 10, "the campaign to run again");
  wait_label (GTK_WIDGET (page->state_label), "Running");
}

/* A device on one HTTPS connection with its generated certificate (https-device.py). */
typedef struct
{
  GSubprocess *process;
  GOutputStream *in;
  GDataInputStream *out;
} Device;

static void
device_connect (Device *device, const char *device_id)
{
  const char *source = g_getenv ("FD_SOURCE_DIR");
  g_autofree char *script = g_build_filename (source, "tests", "gui", "https-device.py", NULL);
  g_autofree char *path = g_strdup_printf ("/devices/%s/credentials", device_id);
  g_autoptr (JsonNode) credential = api ("POST", path, "{\"kind\": \"generated\"}", 201);
  JsonObject *zdevice
      = json_object_get_object_member (json_node_get_object (credential), "zdevice");
  g_autofree char *ca = g_strdup_printf ("%s/%s-ca.pem", files_dir, device_id);
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", files_dir, device_id);
  g_autofree char *key = g_strdup_printf ("%s/%s.key", files_dir, device_id);
  g_autofree char *port = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GError) error = NULL;

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

/* Sends an up message; the server accepts it (202). */
static void
device_up (Device *device, const char *key, const char *value)
{
  g_autofree char *request
      = g_strdup_printf ("POST /v1/up {\"key\": \"%s\", \"value\": %s}\n", key, value);
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;

  g_test_message ("device: %s %s", key, value);
  g_output_stream_write_all (device->in, request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_flush (device->in, NULL, &error);
  g_assert_no_error (error);
  line = g_data_input_stream_read_line (device->out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "202");
}

static void
device_disconnect (Device *device)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_close (device->in, NULL, &error);
  g_subprocess_wait_check (device->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&device->out);
  g_clear_object (&device->process);
}

static gboolean
notified_cb (gpointer data)
{
  return fd_firmware_page_get_notifications (pane ()) >= GPOINTER_TO_UINT (data);
}

static void
test_live_updates (void)
{
  FdCampaignPage *page = pane ()->campaign_page;
  const char *first
      = g_strcmp0 (shown_state (device_ids[0]), "notified") == 0 ? device_ids[0] : device_ids[1];
  const char *second = first == device_ids[0] ? device_ids[1] : device_ids[0];
  const char *success = "{\"fw_version\": \"1.2.0\", \"result\": \"success\", \"msg\": \"\"}";
  Device devices[2] = { 0 };

  device_connect (&devices[0], first);
  device_up (&devices[0], "_fota_status",
             "{\"state\": \"downloading\", \"progress\": 40, \"fw_version\": \"1.2.0\"}");
  wait_target (first, "downloading");
  wait_label (GTK_WIDGET (page->target_view), "Downloading");
  shot ("11-downloading");
  device_up (&devices[0], "_fota_status",
             "{\"state\": \"installing\", \"progress\": 100, \"fw_version\": \"1.2.0\"}");
  wait_target (first, "installing");
  device_up (&devices[0], "@fota", success);
  wait_target (first, "succeeded");

  /* Stage 1 passed (1 of 1 succeeded): stage 2 notifies the other device. */
  wait_target (second, "notified");
  wait_label (GTK_WIDGET (page->target_view), "Succeeded");
  shot ("12-stage-2");

  /* The state filter shows only the devices in that state. */
  gtk_drop_down_set_selected (page->state_dropdown, 8); /* "Succeeded" */
  g_assert_cmpuint (g_list_model_get_n_items (fd_campaign_page_get_shown_targets (page)), ==, 1);
  gtk_drop_down_set_selected (page->state_dropdown, 0);
  g_assert_cmpuint (g_list_model_get_n_items (fd_campaign_page_get_shown_targets (page)), ==, 2);

  device_connect (&devices[1], second);
  device_up (&devices[1], "@fota", success);
  wait_target (second, "succeeded");
  wait_label (GTK_WIDGET (page->state_label), "Completed");
  fd_gui_wait (notified_cb, GUINT_TO_POINTER (1), 20, "the campaign's notification");
  g_assert_false (gtk_widget_get_visible (page->abort_button));
  shot ("13-completed");
  device_disconnect (&devices[0]);
  device_disconnect (&devices[1]);

  /* Back on the pane, the campaign's row says so too. */
  fd_gui_click (GTK_WIDGET (page), "Back to Firmware & OTA");
  wait_label (GTK_WIDGET (pane ()->campaign_view), "Completed");
  wait_label (GTK_WIDGET (pane ()->campaign_view), "2 of 2");
  shot ("14-campaigns");
}

static gboolean
targets_loaded_cb (gpointer data)
{
  return g_hash_table_size (pane ()->campaign_page->by_device) == OTA_MANY_DEVICES;
}

static gboolean
campaign_row_shown_cb (gpointer data)
{
  return fd_json_store_find (pane ()->campaigns, data, NULL) != NULL;
}

static gboolean
filtered_count_cb (gpointer data)
{
  return g_list_model_get_n_items (fd_campaign_page_get_shown_targets (pane ()->campaign_page))
         == GPOINTER_TO_UINT (data);
}

/* The main thread's CPU time: the machine may be busy with other work. */
static gint64
thread_cpu_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &now);
  return (gint64)now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000;
}

/* A figure for the report, not an assertion: one batch of OTA_MANY_DEVICES campaign.target
 * events through the pane's handler (as the events client hands a batch out), and the frame
 * that shows them. The server does not send these (no device downloads here); the targets are
 * read again from it after the abort below. */
static void
measure_event_batch (FdCampaignPage *page)
{
  GHashTableIter iter;
  gpointer key;
  gint64 start, applied, cpu;
  guint n = 0;

  cpu = thread_cpu_us ();
  start = g_get_monotonic_time ();
  g_hash_table_iter_init (&iter, page->by_device);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autoptr (JsonObject) data = json_object_new ();

      json_object_set_string_member (data, "campaign_id", page->campaign_id);
      json_object_set_string_member (data, "state", "downloading");
      json_object_set_int_member (data, "progress", (n++ * 10) % 100);
      fd_firmware_page_campaign_event_cb (pane (), "campaign.target", workspace_id, key, data);
    }
  applied = g_get_monotonic_time ();
  cpu = thread_cpu_us () - cpu;
  wait_label (GTK_WIDGET (page->target_view), "Downloading");
  g_test_message ("figure: %u campaign.target events applied (rows on screen redrawn) in %.1f ms, "
                  "%.1f ms of CPU",
                  n, (applied - start) / 1000.0, cpu / 1000.0);
  shot ("16b-event-batch");
}

/* 2,000 targets: a campaign "all at once" to the default fleet; the table, its filter and its
 * search; a firmware in use cannot be deleted, and the pane says why; abort asks first. */
static void
test_many_targets (void)
{
  g_autofree char *fw_path = g_strdup_printf ("/workspaces/%s/firmware", workspace_id);
  g_autofree char *ws_path = g_strdup_printf ("/workspaces/%s", workspace_id);
  g_autofree char *cmp_path = g_strdup_printf ("/workspaces/%s/campaigns", workspace_id);
  g_autoptr (JsonNode) firmware = api ("GET", fw_path, NULL, 200);
  g_autoptr (JsonNode) workspace = api ("GET", ws_path, NULL, 200);
  g_autoptr (JsonNode) campaign = NULL;
  g_autofree char *body = NULL;
  FdCampaignPage *page = pane ()->campaign_page;
  const char *firmware_id = json_object_get_string_member (
      json_array_get_object_element (
          json_object_get_array_member (json_node_get_object (firmware), "items"), 0),
      "id");
  AdwMessageDialog *dialog;
  GtkWidget *version, *row;
  guint position = 0;

  fd_gui_api_create_devices (base_url, token, workspace_id, "bulk", OTA_MANY_DEVICES - 2, 4);
  body = g_strdup_printf ("{\"name\": \"Everything\", \"firmware_id\": \"%s\", "
                          "\"fleets\": [\"%s\"], \"only_outdated\": false, "
                          "\"stages\": [{\"percent\": 100}]}",
                          firmware_id, member (workspace, "default_fleet_id"));
  campaign = api ("POST", cmp_path, body, 201);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (campaign), "total"), ==,
                   OTA_MANY_DEVICES);

  /* It appears in the pane's list (from its events); its row opens the live view. */
  fd_gui_wait (campaign_row_shown_cb, (gpointer)member (campaign, "id"), 20,
               "the new campaign's row");
  g_assert_nonnull (fd_json_store_find (pane ()->campaigns, member (campaign, "id"), &position));
  g_signal_emit_by_name (pane ()->campaign_view, "activate", position);
  fd_gui_wait (targets_loaded_cb, NULL, 30, "2,000 targets in the table");
  wait_label (GTK_WIDGET (page->target_view), "Notified");
  shot ("15-many-targets");

  gtk_drop_down_set_selected (page->state_dropdown, 2); /* "Notified" */
  fd_gui_wait (filtered_count_cb, GUINT_TO_POINTER (OTA_MANY_DEVICES), 10, "every notified one");
  gtk_drop_down_set_selected (page->state_dropdown, 8); /* "Succeeded": none yet */
  fd_gui_wait (filtered_count_cb, GUINT_TO_POINTER (0), 10, "no succeeded one");
  fd_gui_wait_for (GTK_WIDGET (page), ADW_TYPE_STATUS_PAGE, "No Devices");
  gtk_drop_down_set_selected (page->state_dropdown, 0);
  gtk_editable_set_text (GTK_EDITABLE (page->search_entry), "bulk-00042");
  fd_gui_wait (filtered_count_cb, GUINT_TO_POINTER (1), 10, "the device searched for");
  wait_label (GTK_WIDGET (page->target_view), "bulk-00042");
  shot ("16-search");
  gtk_editable_set_text (GTK_EDITABLE (page->search_entry), "");
  measure_event_batch (page);

  /* Its firmware is in use now: deleting it says by what. */
  fd_gui_click (GTK_WIDGET (page), "Back to Firmware & OTA");
  fd_gui_settle (400);
  version = fd_gui_wait_for (GTK_WIDGET (pane ()->firmware_view), GTK_TYPE_LABEL, "1.2.0");
  row = gtk_widget_get_parent (gtk_widget_get_parent (version));
  fd_gui_click (row, "Delete Firmware");
  dialog = fd_gui_wait_for_dialog ();
  fd_gui_click (GTK_WIDGET (dialog), "_Delete");
  fd_gui_wait_dialogs_closed ();
  dialog = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Firmware 1.2.0 Is in Use");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "“Everything” (running)"));
  shot ("17-in-use");
  fd_gui_click (GTK_WIDGET (dialog), "_Close");
  fd_gui_wait_dialogs_closed ();

  /* Abort, after a confirmation. */
  g_signal_emit_by_name (pane ()->campaign_view, "activate", position);
  fd_gui_wait (live_view_shown_cb, NULL, 20, "the campaign's live view");
  fd_gui_click (GTK_WIDGET (page), "_Abort…");
  dialog = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Abort Campaign “Everything”?");
  shot ("18-abort-dialog");
  fd_gui_click (GTK_WIDGET (dialog), "_Abort Campaign");
  fd_gui_wait_dialogs_closed ();
  wait_label (GTK_WIDGET (page->state_label), "Aborted");
  fd_gui_wait (notified_cb, GUINT_TO_POINTER (2), 20, "the abort's notification");
  shot ("19-aborted");
}

static void
test_start (void)
{
  FdApiClient *client;
  g_autoptr (JsonNode) workspace = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!(FD_IS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)))
           && g_strcmp0 (fd_window_get_state (window ()), "main") == 0))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      fd_gui_settle (50);
    }
  client = fd_application_get_client (app);
  base_url = fd_api_client_get_base_url (client);
  token = fd_api_client_get_token (client);

  workspace = api ("POST", "/workspaces", "{\"name\": \"Valve Works\"}", 201);
  workspace_id = g_strdup (member (workspace, "id"));
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_strdup_printf ("/workspaces/%s/devices", workspace_id);
      g_autofree char *body = g_strdup_printf ("{\"name\": \"valve-%02u\"}", i + 1);
      g_autoptr (JsonNode) device = api ("POST", path, body, 201);
      device_ids[i] = g_strdup (member (device, "id"));
    }
  fd_workspaces_page_reload (FD_WORKSPACES_PAGE (fd_window_get_pane (window (), "workspaces")),
                             workspace_id);
  fd_gui_settle (500);
}

static GLogFunc default_log_handler;

static void
log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  if ((level & G_LOG_LEVEL_DEBUG) == 0)
    default_log_handler (domain, level, message, data);
}

static gboolean
run_tests_cb (gpointer data)
{
  test_status = g_test_run ();
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

static void
activated_cb (GApplication *application)
{
  static gboolean started;

  if (!started)
    g_idle_add (run_tests_cb, NULL);
  started = TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  char *app_argv[4];
  int status;

  g_test_init (&argc, &argv, NULL);
  default_log_handler = g_log_set_default_handler (log_handler, NULL);
  data_dir = g_dir_make_tmp ("fleetdesk-gui-ota-XXXXXX", &error);
  g_assert_no_error (error);
  files_dir = g_dir_make_tmp ("fleetdesk-gui-ota-files-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/gui-ota/start", test_start);
  g_test_add_func ("/gui-ota/upload-drop", test_upload);
  g_test_add_func ("/gui-ota/upload-chooser-delete", test_upload_chooser_and_delete);
  g_test_add_func ("/gui-ota/wizard", test_wizard);
  g_test_add_func ("/gui-ota/pause-resume", test_pause_resume);
  g_test_add_func ("/gui-ota/live-updates", test_live_updates);
  g_test_add_func ("/gui-ota/many-targets", test_many_targets);

  app = fd_application_new ();
  g_signal_connect_after (app, "activate", G_CALLBACK (activated_cb), NULL);
  app_argv[0] = (char *)"fleetdesk";
  app_argv[1] = (char *)"--data-dir";
  app_argv[2] = data_dir;
  app_argv[3] = NULL;
  status = g_application_run (G_APPLICATION (app), 3, app_argv);
  g_clear_object (&app);

  {
    const char *rm_argv[] = { "rm", "-rf", data_dir, files_dir, NULL };
    g_spawn_sync (NULL, (char **)rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  return status != 0 ? status : test_status;
}
