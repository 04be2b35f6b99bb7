/* test-gui-import.c — "Import Devices…": a good CSV file (every credential kind, a certtool
 * certificate among them) is previewed by a dry run that creates nothing, imported, and its
 * credentials saved into a folder, one zdevice.json each with mode 0600; a bad file dropped on
 * the pane lists every bad row and creates nothing; a file over 16 MiB is refused before
 * anything is sent. Part of test-gui (see test-gui.c). */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "fd-gui-util.h"
#include "fd-import-row.h"
#include "fd-import-window.h"
#include "test-gui.h"

typedef struct
{
  FdImportWindow *window;
  const char *state;
} StateWait;

static gboolean
state_is_cb (gpointer data)
{
  StateWait *wait = data;

  return g_strcmp0 (fd_import_window_get_state (wait->window), wait->state) == 0;
}

static void
wait_state (FdImportWindow *window, const char *state)
{
  StateWait wait = { window, state };
  g_autofree char *what = g_strdup_printf ("the import window to show “%s”", state);

  fd_gui_wait (state_is_cb, &wait, 60, what);
  fd_gui_settle (300);
}

static char *
write_file (const char *name, const char *text)
{
  char *path = g_build_filename (fd_test_files_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* The JSON of a saved credentials file, checking it is private. */
static JsonNode *
read_private (const char *folder, const char *name)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  guint mode = 0;
  JsonNode *node = fd_test_read_json (path, &mode);

  g_assert_cmpuint (mode, ==, 0600);
  return node;
}

static gboolean
saved_cb (gpointer data)
{
  GtkWidget *label = fd_test_find_by_class (data, "fd-saved");

  return label != NULL && g_str_has_prefix (gtk_label_get_label (GTK_LABEL (label)), "Saved ");
}

static void
check_member_names (JsonObject *a, JsonObject *b)
{
  g_autoptr (GList) names_a = json_object_get_members (a);
  g_autoptr (GList) names_b = json_object_get_members (b);

  g_assert_cmpuint (g_list_length (names_a), ==, g_list_length (names_b));
  for (GList *l = names_a; l != NULL; l = l->next)
    g_assert_true (json_object_has_member (b, l->data));
}

void
fd_test_import_good (void)
{
  g_autofree char *cert = fd_test_certtool ("--generate-self-signed", "imp-cert", "imp-05");
  g_autofree char *pem = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *folder = g_build_filename (fd_test_files_dir, "imported", NULL);
  g_autofree char *single = g_build_filename (fd_test_files_dir, "sensor-01.zdevice.json", NULL);
  g_autoptr (JsonNode) holder = NULL;
  g_autoptr (JsonNode) reference = NULL;
  GListModel *rows;
  g_autoptr (FdImportWindow) window = NULL;
  guint mode = 0;
  static const struct
  {
    const char *name;
    const char *mode;
    gboolean secret;
  } expected[] = {
    { "imp-01", "certificate", TRUE },
    { "imp-02", "device_token", TRUE },
    { "imp-03", "cloud_token", TRUE },
    { "imp-05", "certificate", FALSE },
  };

  g_assert_true (g_file_get_contents (cert, &pem, NULL, NULL));
  csv = g_strdup_printf ("name,fleet,credential,certificate\n"
                         "imp-01,Sensors,generate,\n"
                         "imp-02,,key,\n"
                         "imp-03,,cloud_token,\n"
                         "imp-04,Sensors,none,\n"
                         "imp-05,,,\"%s\"\n",
                         pem);
  csv_path = write_file ("devices.csv", csv);
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  /* A file of that name is already in the folder: it must not be replaced. */
  g_free (write_file ("imported/imp-02.zdevice.json", "keep me\n"));

  /* The pane's menu: Import Devices… */
  fd_test_show_pane ("Devices");
  gtk_widget_activate_action (GTK_WIDGET (fd_test_devices_page ()), "pane.import", NULL);
  fd_gui_answer_file_chooser (fd_test_files_dir, "devices.csv", NULL, "38-import-choose-file");
  g_clear_object (&window);
  window = FD_IMPORT_WINDOW (fd_gui_wait_for_window (FD_TYPE_IMPORT_WINDOW));
  wait_state (window, "preview");

  rows = fd_import_window_get_rows (window);
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 5);
  {
    g_autoptr (FdImportRow) row = g_list_model_get_item (rows, 4);

    g_assert_cmpstr (fd_import_row_get_name (row), ==, "imp-05");
    g_assert_cmpuint (fd_import_row_get_line (row), ==, 6);
  }
  fd_gui_wait_for (GTK_WIDGET (window), GTK_TYPE_LABEL, "Own certificate");
  fd_gui_wait_for (GTK_WIDGET (window), GTK_TYPE_LABEL, "Sensors");
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "39-import-preview"));
  /* The dry run made nothing. */
  g_assert_null (fd_test_lab_device (&holder, "imp-01"));

  fd_gui_click (GTK_WIDGET (window), "_Import 5 Devices");
  wait_state (window, "done");
  fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, "5 Devices Imported");
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "40-import-done"));

  fd_gui_click (GTK_WIDGET (window), "_Save Credentials to a Folder…");
  fd_gui_answer_file_chooser (folder, NULL, NULL, NULL);
  fd_gui_wait (saved_cb, window, 10, "the credentials to be saved");
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "41-import-saved"));

  /* One file per credential, laid out as a single creation's zdevice.json. */
  reference = fd_test_read_json (single, &mode);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.zdevice.json", expected[i].name);
      g_autoptr (JsonNode) saved = NULL;
      JsonObject *device = fd_test_lab_device (&holder, expected[i].name);
      JsonObject *zdevice, *devinfo;
      const char *id;

      g_assert_nonnull (device);
      id = json_object_get_string_member (device, "id");
      if (g_str_equal (expected[i].name, "imp-02"))
        {
          g_autofree char *kept = NULL;
          g_autofree char *old = g_build_filename (folder, name, NULL);

          g_assert_true (g_file_get_contents (old, &kept, NULL, NULL));
          g_assert_cmpstr (kept, ==, "keep me\n");
          g_free (name);
          name = g_strdup_printf ("imp-02-%s.zdevice.json", id);
        }
      saved = read_private (folder, name);
      zdevice = fd_test_api_object (saved);
      devinfo = json_object_get_object_member (zdevice, "devinfo");
      g_assert_cmpstr (json_object_get_string_member (devinfo, "device_id"), ==, id);
      g_assert_cmpstr (json_object_get_string_member (devinfo, "mode"), ==, expected[i].mode);
      g_assert_cmpint (*json_object_get_string_member (zdevice, "prvkey") != '\0', ==,
                       expected[i].secret);
      check_member_names (
          json_object_get_object_member (zdevice, "endpoint"),
          json_object_get_object_member (fd_test_api_object (reference), "endpoint"));
      g_assert_cmpstr (json_object_get_string_member (zdevice, "cacert"), ==,
                       json_object_get_string_member (fd_test_api_object (reference), "cacert"));
      if (g_str_equal (expected[i].mode, "certificate"))
        {
          check_member_names (zdevice, fd_test_api_object (reference));
          g_assert_nonnull (
              strstr (json_object_get_string_member (zdevice, "clicert"), "CERTIFICATE"));
        }
      else
        g_assert_cmpint (json_object_get_int_member (devinfo, "key_id"), ==, 1);
    }
  {
    g_autofree char *none = g_build_filename (folder, "imp-04.zdevice.json", NULL);
    g_assert_false (g_file_test (none, G_FILE_TEST_EXISTS));
  }

  fd_gui_click (GTK_WIDGET (window), "_Done");
  fd_gui_wait_window_closed (GTK_WINDOW (window));
  fd_gui_wait_for (GTK_WIDGET (fd_devices_page_get_column_view (fd_test_devices_page ())),
                   GTK_TYPE_LABEL, "imp-05");
  g_free (fd_test_shot ("42-devices-after-import"));
}

/* A bigger file: the import takes a moment, shown in place, and cannot be cancelled. */
void
fd_test_import_progress (void)
{
  g_autoptr (GString) csv = g_string_new ("name,credential\n");
  g_autofree char *path = NULL;
  g_autoptr (FdImportWindow) window = NULL;
  g_autoptr (JsonNode) holder = NULL;
  /* As the locale groups thousands. */
  g_autofree char *button = g_strdup_printf ("_Import %'u Devices", FD_TEST_BULK_IMPORT);
  g_autofree char *lost = g_strdup_printf ("of %'u imported devices", FD_TEST_BULK_IMPORT);
  g_autofree char *last = g_strdup_printf ("bulk-%04u", FD_TEST_BULK_IMPORT);
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *bulk_path = NULL;
  g_autofree char *shot = NULL;
  GtkWidget *cancel;
  JsonArray *items;

  for (guint i = 1; i <= FD_TEST_BULK_IMPORT; i++)
    g_string_append_printf (csv, "bulk-%04u,generate\n", i);
  path = write_file ("bulk.csv", csv->str);
  g_assert_true (fd_gui_drop_file (
      gtk_widget_get_ancestor (
          GTK_WIDGET (fd_devices_page_get_column_view (fd_test_devices_page ())), GTK_TYPE_BOX),
      path));
  window = FD_IMPORT_WINDOW (fd_gui_wait_for_window (FD_TYPE_IMPORT_WINDOW));
  wait_state (window, "preview");
  g_assert_cmpuint (g_list_model_get_n_items (fd_import_window_get_rows (window)), ==,
                    FD_TEST_BULK_IMPORT);

  fd_gui_click (GTK_WIDGET (window), button);
  fd_gui_settle (300); /* the click lands after 250 ms */
  if (g_strcmp0 (fd_import_window_get_state (window), "importing") == 0)
    {
      /* Cancel is off, and says why; closing the window waits for the answer. */
      cancel = fd_gui_find (GTK_WIDGET (window), GTK_TYPE_BUTTON, "_Cancel");
      g_assert_nonnull (cancel);
      g_assert_false (gtk_widget_is_sensitive (cancel));
      g_assert_nonnull (fd_gui_find (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR, NULL));
      gtk_window_close (GTK_WINDOW (window));
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
      shot = fd_gui_screenshot (GTK_WIDGET (window), "45-import-in-progress");
      /* Only if it still shows what its name says. */
      if (g_strcmp0 (fd_import_window_get_state (window), "importing") != 0)
        {
          g_test_message ("the import ended while the screenshot was taken");
          g_unlink (shot);
        }
    }
  else
    g_test_message ("the import was over before it could be shown in progress");
  wait_state (window, "done");
  g_assert_nonnull (fd_test_lab_device (&holder, last));

  /* Not saved: closing asks first. */
  gtk_window_close (GTK_WINDOW (window));
  {
    AdwMessageDialog *dialog = fd_gui_wait_for_dialog ();

    g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), lost));
    g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "46-import-discard"));
    fd_gui_click (GTK_WIDGET (dialog), "_Discard");
  }
  fd_gui_wait_window_closed (GTK_WINDOW (window));

  /* The later tests count on the lab as it was. */
  bulk_path = g_strdup_printf ("/workspaces/%s/devices?search=bulk-&size=1000", lab_id);
  g_clear_pointer (&holder, json_node_unref);
  holder = fd_test_api_get (bulk_path, 200);
  items = json_object_get_array_member (fd_test_api_object (holder), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, FD_TEST_BULK_IMPORT);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      g_autofree char *device_path = g_strdup_printf (
          "/devices/%s",
          json_object_get_string_member (json_array_get_object_element (items, i), "id"));
      guint status = 0;
      g_autoptr (JsonNode) none
          = fd_gui_api (fd_test_base_url, fd_test_token, "DELETE", device_path, NULL, &status);

      g_assert_cmpuint (status, ==, 204);
    }
  gtk_widget_activate_action (GTK_WIDGET (fd_test_window ()), "win.reload", NULL);
}

void
fd_test_import_bad (void)
{
  GtkWidget *list = GTK_WIDGET (fd_devices_page_get_column_view (fd_test_devices_page ()));
  GtkWidget *pane = gtk_widget_get_ancestor (list, GTK_TYPE_BOX);
  g_autofree char *bad = write_file ("bad.csv", "name,fleet\n"
                                                "bad-01,\n"
                                                "bad-02,Nowhere\n"
                                                "bad-01,\n"
                                                "bad-03,Sensors\n");
  g_autofree char *big = g_build_filename (fd_test_files_dir, "big.csv", NULL);
  g_autoptr (JsonNode) holder = NULL;
  const char *lines[] = { "line 3 · fleet · the workspace has no fleet \"Nowhere\"",
                          "line 4 · name · the name \"bad-01\" is also on line 2" };
  g_autoptr (FdImportWindow) window = NULL;
  GListModel *errors;
  FILE *file;

  /* Dropped on the pane. */
  g_assert_true (fd_gui_drop_file (pane, bad));
  g_clear_object (&window);
  window = FD_IMPORT_WINDOW (fd_gui_wait_for_window (FD_TYPE_IMPORT_WINDOW));
  wait_state (window, "errors");
  errors = fd_import_window_get_errors (window);
  g_assert_cmpuint (g_list_model_get_n_items (errors), ==, G_N_ELEMENTS (lines));
  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (errors), i), ==, lines[i]);
  fd_gui_wait_for (GTK_WIDGET (window), GTK_TYPE_LABEL, "2 Rows Need Fixing");
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "43-import-errors"));
  /* Nothing was created, not even the good rows. */
  g_assert_null (fd_test_lab_device (&holder, "bad-01"));
  g_assert_null (fd_test_lab_device (&holder, "bad-03"));
  fd_gui_click (GTK_WIDGET (window), "_Close");
  fd_gui_wait_window_closed (GTK_WINDOW (window));

  /* Over 16 MiB: refused before it is sent. */
  file = g_fopen (big, "w");
  g_assert_nonnull (file);
  fputs ("name\n", file);
  g_assert_cmpint (ftruncate (fileno (file), 16 * 1024 * 1024 + 1), ==, 0);
  fclose (file);
  g_assert_true (fd_gui_drop_file (pane, big));
  g_clear_object (&window);
  window = FD_IMPORT_WINDOW (fd_gui_wait_for_window (FD_TYPE_IMPORT_WINDOW));
  wait_state (window, "failed");
  fd_gui_wait_for (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE, "The File Is Too Large");
  g_free (fd_gui_screenshot (GTK_WIDGET (window), "44-import-too-large"));
  gtk_window_close (GTK_WINDOW (window));
  fd_gui_wait_window_closed (GTK_WINDOW (window));
}
