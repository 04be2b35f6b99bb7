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

#include "fd-api-client.h"
#include "fd-application.h"
#include "fd-campaign-page-private.h"
#include "fd-campaign-wizard-private.h"
#include "fd-firmware-page-private.h"
#include "fd-format.h"
#include "fd-gui-device.h"
#include "fd-gui-util.h"
#include "fd-window.h"
#include "fd-workspaces-page.h"
#include "test-gui-ota.h"

FdApplication *app;
static char *data_dir;
static char *files_dir;
const char *base_url;
const char *token;
char *workspace_id;
static char *device_ids[2];
static char *campaign_id;

FdWindow *
window (void)
{
  return fd_gui_window (G_APPLICATION (app));
}

FdFirmwarePage *
pane (void)
{
  return FD_FIRMWARE_PAGE (fd_window_get_pane (window (), "firmware"));
}

/* A button's "clicked" comes a moment after it is activated (its pressed look). */
void
click (GtkWidget *root, const char *label)
{
  fd_gui_click (root, label);
  fd_gui_settle (400);
}

void
shot (const char *name)
{
  g_autofree char *file = g_strconcat ("ota-", name, NULL);
  g_free (fd_gui_screenshot (GTK_WIDGET (window ()), file));
}

JsonNode *
api (const char *method, const char *path, const char *body, guint expected)
{
  return fd_gui_api_expect (base_url, token, method, path, body, expected);
}

const char *
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

void
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

gboolean
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

/* A device on one HTTPS connection with its generated certificate. */
static void
device_connect (FdGuiDevice *device, const char *device_id)
{
  g_autofree char *path = g_strdup_printf ("/devices/%s/credentials", device_id);
  g_autoptr (JsonNode) credential = api ("POST", path, "{\"kind\": \"generated\"}", 201);
  g_autofree char *prefix = g_build_filename (files_dir, device_id, NULL);

  fd_gui_device_connect (
      device, json_object_get_object_member (json_node_get_object (credential), "zdevice"), prefix);
}

/* Sends an up message; the server accepts it (202). */
static void
device_up (FdGuiDevice *device, const char *key, const char *value)
{
  g_autofree char *body = g_strdup_printf ("{\"key\": \"%s\", \"value\": %s}", key, value);

  fd_gui_device_post (device, "/v1/up", body, "202");
}

gboolean
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
  FdGuiDevice devices[2] = { 0 };

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
  /* Both say they run it now (a later campaign skips them). */
  device_up (&devices[0], "__info", "{\"fw\": \"1.2.0\"}");
  device_up (&devices[1], "__info", "{\"fw\": \"1.2.0\"}");
  wait_label (GTK_WIDGET (page->state_label), "Completed");
  fd_gui_wait (notified_cb, GUINT_TO_POINTER (1), 20, "the campaign's notification");
  g_assert_false (gtk_widget_get_visible (page->abort_button));
  shot ("13-completed");
  fd_gui_device_disconnect (&devices[0]);
  fd_gui_device_disconnect (&devices[1]);

  /* Back on the pane, the campaign's row says so too. */
  fd_gui_click (GTK_WIDGET (page), "Back to Firmware & OTA");
  wait_label (GTK_WIDGET (pane ()->campaign_view), "Completed");
  wait_label (GTK_WIDGET (pane ()->campaign_view), "2 of 2");
  shot ("14-campaigns");
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

int
main (int argc, char *argv[])
{
  int status;

  fd_gui_init (&argc, &argv, "fleetdesk-gui-ota", &data_dir, &files_dir);

  g_test_add_func ("/gui-ota/start", test_start);
  g_test_add_func ("/gui-ota/upload-drop", test_upload);
  g_test_add_func ("/gui-ota/upload-chooser-delete", test_upload_chooser_and_delete);
  g_test_add_func ("/gui-ota/wizard", test_wizard);
  g_test_add_func ("/gui-ota/pause-resume", test_pause_resume);
  g_test_add_func ("/gui-ota/live-updates", test_live_updates);
  g_test_add_func ("/gui-ota/many-targets", fd_test_ota_many_targets);

  app = fd_application_new ();
  status = fd_gui_run_tests (G_APPLICATION (app), data_dir, files_dir, NULL);
  g_clear_object (&app);
  return status;
}
