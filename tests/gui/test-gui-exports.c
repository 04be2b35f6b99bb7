/* test-gui-exports.c — the Server pane (addresses, database size, retention per workspace saved
 * through the API, "Clean Up Now"), "Export…" of what the Data pane shows into a CSV file
 * followed in a toast, and a periodic export created with the New Schedule dialog, whose
 * folder error the API pins on the folder row, then disabled and deleted. Part of test-gui
 * (see test-gui.c); runs after the readings and Data pane tests, in the Greenhouse Lab.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "fd-data-page.h"
#include "fd-export-dialog-data.h"
#include "fd-export-dialog.h"
#include "fd-exports-page.h"
#include "fd-gui-util.h"
#include "fd-schedule-dialog.h"
#include "fd-server-page.h"
#include "test-gui.h"

/* Server pane */

typedef struct
{
  const char *path;
  const char *member;
  gint64 expected; /* -1: null */
} MemberWait;

static gboolean
member_is_cb (gpointer data)
{
  MemberWait *wait = data;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;
  JsonNode *member;

  fd_gui_settle (50);
  node = fd_test_api_get (wait->path, 200);
  object = fd_test_api_object (node);
  member = json_object_get_member (object, wait->member);
  if (wait->expected < 0)
    return member == NULL || JSON_NODE_HOLDS_NULL (member);
  return member != NULL && JSON_NODE_HOLDS_VALUE (member)
         && json_node_get_int (member) == wait->expected;
}

static void
wait_member (const char *path, const char *member, gint64 expected)
{
  MemberWait wait = { path, member, expected };
  g_autofree char *what
      = g_strdup_printf ("%s of %s to be %" G_GINT64_FORMAT, member, path, expected);

  fd_gui_wait (member_is_cb, &wait, 15, what);
}

static gboolean
subtitle_set_cb (gpointer data)
{
  const char *subtitle = adw_action_row_get_subtitle (data);

  return subtitle != NULL && *subtitle != '\0' && !g_str_equal (subtitle, "Unknown");
}

static gboolean
loaded_cb (gpointer data)
{
  return !fd_server_page_is_loading (data);
}

/* The spin button of row @title of @workspace's retention, once the pane has read it all (a
 * reload may replace the rows). */
static GtkWidget *
retention_spin (GtkWidget *page, const char *workspace, const char *title, GtkWidget **row)
{
  GtkWidget *group;

  fd_gui_wait (loaded_cb, page, 10, "the Server pane to load");
  group = fd_gui_wait_for (page, ADW_TYPE_PREFERENCES_GROUP, workspace);

  *row = fd_gui_wait_for (group, ADW_TYPE_ACTION_ROW, title);
  return fd_gui_wait_for (*row, GTK_TYPE_SPIN_BUTTON, NULL);
}

static gboolean
has_error_class_cb (gpointer data)
{
  return gtk_widget_has_css_class (data, "error");
}

void
fd_test_server_pane (void)
{
  GtkWidget *page = fd_window_get_pane (fd_test_window (), "server");
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *lab_path = g_strdup_printf ("/workspaces/%s", lab_id);
  g_autoptr (JsonNode) server = fd_test_api_get ("/server", 200);
  JsonObject *database = json_object_get_object_member (fd_test_api_object (server), "database");
  g_autofree char *size = g_format_size (json_object_get_int_member (database, "size_bytes"));
  GtkWidget *size_row, *raw_row, *rollup_row, *raw, *rollup;

  fd_test_show_pane ("Server");
  size_row = fd_gui_wait_for (page, ADW_TYPE_ACTION_ROW, "Size");
  fd_gui_wait (subtitle_set_cb, size_row, 10, "the database size");
  /* The size the API gives, as GLib writes sizes ("1.2 MB", with a no-break space): the file
   * grows meanwhile, so only its unit is compared. */
  {
    const char *shown = adw_action_row_get_subtitle (ADW_ACTION_ROW (size_row));

    g_assert_nonnull (g_utf8_strrchr (shown, -1, 0x00A0));
    g_assert_cmpstr (g_utf8_strrchr (shown, -1, 0x00A0), ==, g_utf8_strrchr (size, -1, 0x00A0));
  }
  fd_gui_wait (subtitle_set_cb,
               fd_gui_wait_for (page, ADW_TYPE_ACTION_ROW, "Unused space in the file"), 10,
               "the unused space");
  fd_gui_wait (subtitle_set_cb,
               fd_gui_wait_for (page, ADW_TYPE_ACTION_ROW, "Fingerprint (SHA-256)"), 10,
               "the CA fingerprint");

  /* Keep the lab's raw readings 30 days and its summaries a year, as a user types them. */
  raw = retention_spin (page, "Greenhouse Lab", "Keep raw readings", &raw_row);
  rollup = retention_spin (page, "Greenhouse Lab", "Keep hourly and minute summaries", &rollup_row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (raw)), ==, "Forever");
  g_free (fd_test_shot ("60-server-pane"));

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (raw), 30);
  wait_member (lab_path, "retention_days", 30);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (rollup), 365);
  wait_member (lab_path, "rollup_retention_days", 365);

  /* Summaries cannot go before raw readings do: the server says so on the row. */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (rollup), 10);
  fd_gui_wait (has_error_class_cb, rollup_row, 10, "the rollup row to show the error");
  wait_member (lab_path, "rollup_retention_days", 365);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (rollup)), ==, 365);
  gtk_widget_grab_focus (rollup); /* scrolls the retention rows into view */
  fd_gui_settle (300);
  g_free (fd_test_shot ("61-server-retention-error"));

  /* A new look reads them back from the server. */
  fd_server_page_reload (FD_SERVER_PAGE (page));
  fd_gui_settle (500);
  raw = retention_spin (page, "Greenhouse Lab", "Keep raw readings", &raw_row);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (raw)), ==, "30");

  fd_gui_click (page, "_Clean Up Now");
  fd_gui_wait_for_label_prefix (GTK_WIDGET (fd_test_window ()), "Deleted ", 30,
                                "the clean-up toast");
  g_free (fd_test_shot ("62-server-cleaned-up"));

  /* Back to keeping everything, for the tests that follow: summaries first, as they may not
   * be kept shorter than raw readings. (The pane rebuilt its rows after the clean-up.) */
  raw = retention_spin (page, "Greenhouse Lab", "Keep raw readings", &raw_row);
  rollup = retention_spin (page, "Greenhouse Lab", "Keep hourly and minute summaries", &rollup_row);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (rollup), 0);
  wait_member (lab_path, "rollup_retention_days", -1);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (raw), 0);
  wait_member (lab_path, "retention_days", -1);
}

/* Export */

static char *
local_stamp_ms (gint64 ms)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%Y%m%d-%H%M");
}

/* The raw rows of @selection, through the API's raw query. */
static guint
count_rows (const FdDataSelection *selection)
{
  g_autoptr (GString) path = g_string_new (NULL);
  g_autoptr (JsonNode) node = NULL;

  g_string_printf (path,
                   "/workspaces/%s/data?tag=%s&start=%" G_GINT64_FORMAT "&end=%" G_GINT64_FORMAT
                   "&size=175000",
                   selection->workspace_id, selection->tag, selection->start, selection->end);
  for (guint i = 0; selection->devices != NULL && selection->devices[i] != NULL; i++)
    g_string_append_printf (path, "&device=%s", selection->devices[i]);
  for (guint i = 0; selection->fleets != NULL && selection->fleets[i] != NULL; i++)
    g_string_append_printf (path, "&fleet=%s", selection->fleets[i]);
  node = fd_test_api_get (path->str, 200);
  return json_array_get_length (json_object_get_array_member (fd_test_api_object (node), "result"));
}

/* Whether @folder holds anything but @name (a partial download left behind). */
static gboolean
folder_has_other (const char *folder, const char *name)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (entry, name))
      return TRUE;
  return FALSE;
}

static gboolean
tag_chosen_cb (gpointer data)
{
  g_autoptr (FdDataSelection) selection = fd_data_page_get_selection (data);

  return selection != NULL && selection->tag != NULL && selection->end > selection->start;
}

void
fd_test_export (void)
{
  GtkWidget *page = fd_window_get_pane (fd_test_window (), "data");
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *folder = g_build_filename (fd_test_files_dir, "exports", NULL);
  g_autofree char *file = g_build_filename (folder, "readings.csv", NULL);
  g_autofree char *expected_name = NULL;
  g_autofree char *expected_toast = NULL;
  g_autofree char *content = NULL;
  g_autofree char *subtitle_tag = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (FdDataSelection) shown = NULL;
  g_autoptr (GtkWindow) dialog = NULL;
  g_autoptr (FdExportDialog) wide = NULL;
  char *tags[] = { (char *)"weather", NULL };
  /* Every reading of the tag: the readings tests' device times are not all in the last day. */
  FdDataSelection selection = {
    .workspace_id = lab_id,
    .tag = (char *)"weather",
    .devices = tags + 1,
    .fleets = tags + 1,
    .start = 1767225600000, /* 2026-01-01 */
    .end = 4102444800000,   /* 2100-01-01 */
  };
  g_autoptr (FdExportSelection) export_selection = NULL;
  AdwComboRow *columns;
  guint rows;

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);

  /* The Data pane's "Export…" (data.export) opens the dialog on what the pane shows. */
  fd_test_show_pane ("Data");
  /* Its tags were read before the readings tests posted any: Reload, as a user would. */
  gtk_widget_activate_action (GTK_WIDGET (fd_test_window ()), "win.reload", NULL);
  fd_gui_wait (tag_chosen_cb, page, 15, "the Data pane to show a tag");
  shown = fd_data_page_get_selection (FD_DATA_PAGE (page));
  g_assert_true (gtk_widget_activate_action (page, "data.export", NULL));
  dialog = fd_gui_wait_for_window (FD_TYPE_EXPORT_DIALOG);
  subtitle_tag = g_strconcat (shown->tag, " · ", NULL);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (fd_gui_wait_for (
                                       GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, "Selection"))),
                                   subtitle_tag));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "63-export-dialog"));
  gtk_window_close (dialog);
  fd_gui_wait_window_closed (dialog);

  /* The same dialog on a selection of all the lab's "weather" readings, exported for real. */
  rows = count_rows (&selection);
  g_assert_cmpuint (rows, >, 0);
  export_selection = fd_export_selection_new_from_data (&selection);
  start = local_stamp_ms (selection.start);
  end = local_stamp_ms (selection.end);
  expected_name = g_strdup_printf ("weather-%s-%s.csv", start, end);
  wide = g_object_ref (fd_export_dialog_new (
      GTK_WINDOW (fd_test_window ()), fd_application_get_client (fd_test_app), export_selection));
  gtk_window_present (GTK_WINDOW (wide));
  columns = ADW_COMBO_ROW (fd_gui_wait_for (GTK_WIDGET (wide), ADW_TYPE_COMBO_ROW, "Columns"));
  adw_combo_row_set_selected (columns, 1); /* Payload as JSON */
  fd_gui_settle (300);
  fd_gui_click (GTK_WIDGET (wide), "_Export…");
  fd_gui_answer_file_chooser (folder, "readings.csv", expected_name, "64-export-choose-file");
  fd_gui_wait_window_closed (GTK_WINDOW (wide));

  expected_toast = g_strdup_printf (rows == 1 ? "Exported %'u row" : "Exported %'u rows", rows);
  fd_gui_wait_for (GTK_WIDGET (fd_test_window ()), GTK_TYPE_LABEL, expected_toast);
  g_free (fd_test_shot ("65-export-done"));

  /* The header of columns=payload and one CRLF line per reading; nothing else in the folder. */
  g_assert_true (g_file_get_contents (file, &content, NULL, NULL));
  g_assert_true (g_str_has_prefix (
      content, "timestamp_device,timestamp_in,fleet_id,device_id,tag,payload\r\n"));
  g_assert_true (g_str_has_suffix (content, "\r\n"));
  lines = g_strsplit (content, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, rows + 2); /* header, rows, "" after the last */
  g_assert_nonnull (strstr (lines[1], ",weather,"));
  g_assert_false (folder_has_other (folder, "readings.csv"));
}

/* Periodic exports */

static gboolean
has_class_cb (gpointer data)
{
  return gtk_widget_has_css_class (data, "error");
}

static gboolean
disabled_cb (gpointer data)
{
  g_autoptr (JsonNode) node = NULL;

  fd_gui_settle (50);
  node = fd_test_api_get (data, 200);
  return !json_object_get_boolean_member (fd_test_api_object (node), "enabled");
}

void
fd_test_schedules (void)
{
  GtkWidget *page = fd_window_get_pane (fd_test_window (), "exports");
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *schedules = g_strdup_printf ("/workspaces/%s/export-schedules", lab_id);
  g_autofree char *folder = g_build_filename (fd_test_files_dir, "nightly", NULL);
  g_autoptr (FdScheduleDialog) dialog = NULL;
  g_autoptr (JsonNode) holder = NULL;
  g_autofree char *schedule_path = NULL;
  GtkWidget *row, *folder_row;
  JsonObject *schedule;

  fd_test_show_pane ("Exports");
  fd_gui_wait_for (page, GTK_TYPE_LABEL, "No periodic exports yet");
  g_free (fd_test_shot ("66-exports-pane"));

  /* Ctrl+N: the pane's primary action. */
  gtk_widget_activate_action (GTK_WIDGET (fd_test_window ()), "win.primary", NULL);
  dialog = FD_SCHEDULE_DIALOG (fd_gui_wait_for_window (FD_TYPE_SCHEDULE_DIALOG));
  gtk_editable_set_text (
      GTK_EDITABLE (fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Name")),
      "Nightly weather");
  gtk_editable_set_text (
      GTK_EDITABLE (fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW,
                                     "Tags, separated by commas (none: every tag)")),
      "weather");
  gtk_editable_set_text (GTK_EDITABLE (fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW,
                                                        "At (HH:MM, the server’s time)")),
                         "03:30");

  /* A folder that is gone by the time the server checks it: the error is on the folder row. */
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  fd_gui_click (GTK_WIDGET (dialog), "C_hoose…");
  fd_gui_answer_file_chooser (folder, NULL, NULL, NULL);
  g_assert_cmpint (g_rmdir (folder), ==, 0);
  fd_gui_click (GTK_WIDGET (dialog), "C_reate");
  folder_row = fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, "Folder on the server");
  fd_gui_wait (has_class_cb, folder_row, 10, "the folder row to show the API's error");
  g_assert_null (fd_test_api_find (&holder, schedules, "Nightly weather"));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "67-schedule-folder-error"));

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  fd_gui_click (GTK_WIDGET (dialog), "C_reate");
  fd_gui_wait_window_closed (GTK_WINDOW (dialog));

  fd_test_api_wait (schedules, "Nightly weather", TRUE);
  schedule = fd_test_api_find (&holder, schedules, "Nightly weather");
  g_assert_cmpstr (json_object_get_string_member (schedule, "time"), ==, "03:30");
  g_assert_cmpstr (json_object_get_string_member (schedule, "period"), ==, "daily");
  g_assert_cmpstr (json_object_get_string_member (schedule, "folder"), ==, folder);
  g_assert_true (json_object_get_boolean_member (schedule, "enabled"));
  schedule_path
      = g_strdup_printf ("/export-schedules/%s", json_object_get_string_member (schedule, "id"));

  row = fd_gui_wait_for (page, ADW_TYPE_EXPANDER_ROW, "Nightly weather");
  g_assert_true (g_str_has_prefix (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)),
                                   "Every day at 03:30, CSV"));
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (row), TRUE);
  fd_gui_wait_for (row, ADW_TYPE_ACTION_ROW, "Not run yet");
  g_free (fd_test_shot ("68-exports-schedule"));

  /* Off, then deleted after the confirmation. */
  gtk_switch_set_active (GTK_SWITCH (fd_gui_wait_for (row, GTK_TYPE_SWITCH, "Run This Schedule")),
                         FALSE);
  fd_gui_wait (disabled_cb, schedule_path, 10, "the schedule to be disabled");
  fd_gui_click (row, "Delete");
  fd_gui_wait_for (GTK_WIDGET (fd_gui_wait_for_dialog ()), GTK_TYPE_LABEL,
                   "Delete Schedule “Nightly weather”?");
  g_free (fd_test_shot ("69-delete-schedule"));
  fd_gui_click (GTK_WIDGET (fd_gui_wait_for_dialog ()), "_Delete");
  fd_gui_wait_dialogs_closed ();
  fd_test_api_wait (schedules, "Nightly weather", FALSE);
  fd_gui_wait_for (page, GTK_TYPE_LABEL, "No periodic exports yet");
}
