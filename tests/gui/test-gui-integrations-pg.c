/* test-gui-integrations-pg.c — a PostgreSQL integration made in the Integrations pane against a
 * real PostgreSQL (tests/fd-test-pg: $FLEETDESK_TEST_PG_DSN or script/postgres-test-server, a
 * schema of its own): the form's test is delivered (written to the database), Create shows no
 * secret, the page shows the database without its password, its "Send Test Event" writes a row
 * of fleetdesk_events, and a reading of the device lands in fleetdesk_readings. */
#include "config.h"

#include "fd-gui-util.h"
#include "fd-integration-detail-page.h"
#include "fd-integration-dialog.h"
#include "fd-json-item.h"
#include "fd-test-pg.h"
#include "test-gui-integrations.h"

static gboolean
tested_cb (gpointer data)
{
  return fd_integration_dialog_get_test_result (data) != NULL;
}

static gboolean
listed_cb (gpointer data)
{
  GListModel *model = fd_integrations_page_get_integrations (fd_ti_page ());

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FdJsonItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (json_object_get_string_member (fd_json_item_get_object (item), "name"), data)
          == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
logged_cb (gpointer data)
{
  FdIntegrationDetailPage *detail = fd_integrations_page_get_detail_page (fd_ti_page ());

  return g_list_model_get_n_items (fd_integration_detail_page_get_deliveries (detail))
         >= GPOINTER_TO_UINT (data);
}

static gboolean
reading_stored_cb (gpointer data)
{
  fd_gui_settle (200);
  return fd_test_pg_count (data, "SELECT count(*) FROM fleetdesk_readings WHERE tag = 'door'", NULL)
         >= 1;
}

void
fd_ti_postgres (void)
{
  g_autoptr (FdTestPg) pg = fd_test_pg_new ();
  g_autoptr (GtkWindow) dialog = NULL;
  FdIntegrationDialog *form;
  FdIntegrationDetailPage *detail = fd_integrations_page_get_detail_page (fd_ti_page ());
  JsonObject *shown;
  g_autofree char *batch = g_strdup_printf ("[{\"ts\": %" G_GINT64_FORMAT
                                            ", \"payload\": {\"open\": 1, \"mark\": 4800}}]",
                                            g_get_real_time () / 1000);
  const char *password = strstr (pg->dsn, "password=");

  fd_ti_show_pane ("Integrations");
  fd_integrations_page_show_view (fd_ti_page (), "integrations");
  gtk_widget_activate_action (GTK_WIDGET (fd_ti_page ()), "pane.primary", NULL);
  dialog = fd_gui_wait_for_window (FD_TYPE_INTEGRATION_DIALOG);
  form = FD_INTEGRATION_DIALOG (dialog);
  adw_combo_row_set_selected (
      ADW_COMBO_ROW (fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, "Type")), 1);
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "Name")), "Warehouse");
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "Connection (DSN)")),
                         pg->dsn);

  /* The unsaved form's test: delivered (the database is writable), said in place, and its
   * event is in fleetdesk_events. */
  fd_gui_click (GTK_WIDGET (dialog), "Send _Test Event");
  fd_gui_wait (tested_cb, form, 30, "the PostgreSQL test's result");
  g_test_message ("unsaved form's test: %s", fd_integration_dialog_get_test_result (form));
  g_assert_true (
      g_str_has_prefix (fd_integration_dialog_get_test_result (form), "Test event delivered"));
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM fleetdesk_events"
                                     " WHERE type = 'integration.test'",
                                     NULL),
                   ==, 1);
  fd_gui_wait_for (GTK_WIDGET (dialog), GTK_TYPE_LABEL,
                   fd_integration_dialog_get_test_result (form));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "integrations-14-postgres-form"));

  /* No secret to show: the form closes onto the integration's page. */
  fd_gui_click (GTK_WIDGET (dialog), "C_reate");
  fd_gui_wait_window_closed (dialog);
  fd_gui_wait (listed_cb, "Warehouse", 10, "the PostgreSQL integration listed");
  g_assert_null (fd_gui_find (GTK_WIDGET (fd_ti_window ()), ADW_TYPE_MESSAGE_DIALOG, NULL));
  fd_gui_wait_for (GTK_WIDGET (detail), GTK_TYPE_LABEL, "PostgreSQL");
  shown = fd_integration_detail_page_get_integration (detail);
  g_assert_nonnull (shown);
  g_assert_false (json_object_has_member (shown, "dsn"));
  if (password != NULL)
    g_assert_null (strstr (json_object_get_string_member (shown, "database"), "password"));

  /* The saved integration's test event is a row of fleetdesk_events too. */
  fd_gui_click (GTK_WIDGET (detail), "Send _Test Event");
  fd_gui_wait_for_label_prefix (GTK_WIDGET (fd_ti_window ()), "Test event delivered", 30,
                                "the test's toast on the page");
  g_assert_cmpint (fd_test_pg_count (pg,
                                     "SELECT count(*) FROM fleetdesk_events"
                                     " WHERE type = 'integration.test'",
                                     NULL),
                   ==, 2);

  fd_ti_device_post ("data/door", batch);
  fd_gui_wait (reading_stored_cb, pg, 30, "the reading in fleetdesk_readings");
  fd_gui_wait (logged_cb, GUINT_TO_POINTER (2), 10, "the test and the reading in the log");
  g_free (fd_ti_shot ("integrations-15-postgres"));
}
