/* test-gui-ota-many.c — the Firmware & OTA pane with a campaign of 2,000 devices: the live
 * view's table loads every target, its state filter and search, a batch of 2,000 target
 * events (a figure), a firmware in use that cannot be deleted, and an abort after its
 * confirmation. */
#include "config.h"

#include <time.h>

#include "fd-campaign-page-private.h"
#include "fd-firmware-page-private.h"
#include "fd-gui-util.h"
#include "test-gui-ota.h"

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
void
fd_test_ota_many_targets (void)
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
                          "\"fleets\": [\"%s\"], "
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
  fd_gui_wait (filtered_count_cb, GUINT_TO_POINTER (OTA_MANY_DEVICES - 2), 10,
               "every notified one");
  gtk_drop_down_set_selected (page->state_dropdown, 8); /* "Succeeded": none yet */
  fd_gui_wait (filtered_count_cb, GUINT_TO_POINTER (0), 10, "no succeeded one");
  fd_gui_wait_for (GTK_WIDGET (page), ADW_TYPE_STATUS_PAGE, "No Devices");
  /* The valves already run 1.2.0: skipped, and the table says why. */
  gtk_drop_down_set_selected (page->state_dropdown, 12); /* "Skipped" */
  fd_gui_wait (filtered_count_cb, GUINT_TO_POINTER (2), 10, "the two skipped valves");
  wait_label (GTK_WIDGET (page->target_view), "already runs 1.2.0");
  wait_label (GTK_WIDGET (page->target_view), "valve-01");
  shot ("15b-skipped");
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
