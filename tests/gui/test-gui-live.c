/* test-gui-live.c — live connectivity in the real app: a device on a kept-open HTTPS
 * connection (tests/gui/https-device.py, with the certificate saved when sensor-01 was added)
 * goes online, sends readings and opens and closes a "battery_low" condition; the device
 * list, the device page and the Conditions pane follow from the events stream, without a
 * reload, and a notification is sent because the user asked for one. Part of test-gui; runs
 * after the device page's tests, which saved sensor-01's zdevice.json. */
#include "config.h"

#include "fd-condition-item.h"
#include "fd-conditions-page.h"
#include "fd-device-detail-page.h"
#include "fd-events-client.h"
#include "fd-gui-util.h"
#include "fd-reading-row.h"
#include "test-gui.h"

#if defined(FD_HAVE_EVENTS) && defined(FD_HAVE_CONDITIONS)
static FdConditionsPage *
conditions_page (void)
{
  return FD_CONDITIONS_PAGE (fd_window_get_pane (fd_test_window (), "conditions"));
}

static FdDeviceDetailPage *
detail_page (void)
{
  return fd_devices_page_get_detail_page (fd_test_devices_page ());
}

/* The row of sensor-01 in the device list. */
static FdDevice *
device_row (void)
{
  GListModel *model = G_LIST_MODEL (fd_devices_page_get_model (fd_test_devices_page ()));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FdDevice) device = g_list_model_get_item (model, i);

      if (g_strcmp0 (fd_device_get_name (device), "sensor-01") == 0)
        return device; /* the model keeps it */
    }
  return NULL;
}

static gboolean
row_online_cb (gpointer data)
{
  FdDevice *device = device_row ();

  return device != NULL && fd_device_get_online (device) == GPOINTER_TO_INT (data);
}

/* When sensor-01's newest "weather" reading arrived, as the API says. */
static char *
last_reading_time (void)
{
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *device = fd_test_lab_device (&holder, "sensor-01");
  g_autofree char *path
      = g_strdup_printf ("/devices/%s/tags", json_object_get_string_member (device, "id"));
  g_autoptr (JsonNode) tags = fd_test_api_get (path, 200);
  JsonArray *items = json_object_get_array_member (fd_test_api_object (tags), "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *tag = json_array_get_object_element (items, i);

      if (g_strcmp0 (json_object_get_string_member (tag, "tag"), "weather") == 0)
        return g_strdup (json_object_get_string_member (json_object_get_object_member (tag, "last"),
                                                        "timestamp_in"));
    }
  g_error ("sensor-01 has no weather reading");
}

static gboolean
row_last_seen_cb (gpointer data)
{
  FdDevice *device = device_row ();

  return device != NULL && g_strcmp0 (fd_device_get_last_seen (device), data) == 0;
}

static gboolean
api_online_cb (gpointer data)
{
  g_autoptr (JsonNode) holder = NULL;
  JsonObject *device = fd_test_lab_device (&holder, "sensor-01");

  fd_gui_settle (100);
  return device != NULL && json_object_get_boolean_member (device, "online");
}

static gboolean
events_connected_cb (gpointer data)
{
  return fd_events_client_get_connected (fd_window_get_events (fd_test_window ()));
}

/* The items of @model whose tag is @tag. */
static guint
count_tag (GListModel *model, const char *tag, gboolean open)
{
  guint count = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FdConditionItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (fd_condition_item_get_tag (item), tag) == 0
          && fd_condition_item_get_open (item) == open)
        count++;
    }
  return count;
}

typedef struct
{
  gboolean history;
  const char *tag;
  gboolean open;
  guint count;
} ListWait;

static gboolean
list_has_cb (gpointer data)
{
  ListWait *wait = data;
  GListModel *model = wait->history ? fd_conditions_page_get_history (conditions_page ())
                                    : fd_conditions_page_get_open (conditions_page ());

  return count_tag (model, wait->tag, wait->open) == wait->count;
}

static void
wait_list (gboolean history, const char *tag, gboolean open, guint count)
{
  ListWait wait = { history, tag, open, count };
  g_autofree char *what = g_strdup_printf ("%u %s “%s” in %s", count, open ? "open" : "closed", tag,
                                           history ? "History" : "Open");

  fd_gui_wait (list_has_cb, &wait, 15, what);
}

static gboolean
reading_cb (gpointer data)
{
  GtkWidget *row = fd_gui_find (GTK_WIDGET (detail_page ()), FD_TYPE_READING_ROW, "weather");

  return row != NULL && g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), data) == 0;
}

static gboolean
info_shown_cb (gpointer data)
{
  GtkWidget *row = fd_gui_find (GTK_WIDGET (detail_page ()), ADW_TYPE_ACTION_ROW, "Reported Info");

  return row != NULL && g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), data) == 0;
}

static gboolean
live_readings_cb (gpointer data)
{
  return fd_device_detail_page_get_live_readings (detail_page ()) > GPOINTER_TO_UINT (data);
}

static gboolean
duration_changed_cb (gpointer data)
{
  g_autoptr (FdConditionItem) item
      = g_list_model_get_item (fd_conditions_page_get_open (conditions_page ()), 0);
  g_autofree char *label = NULL;

  if (item == NULL)
    return FALSE;
  g_object_get (item, "duration-label", &label, NULL);
  return g_strcmp0 (label, data) != 0;
}

static char *
iso_time (int seconds_from_now)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) then = g_date_time_add_seconds (now, seconds_from_now);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%S.000Z");
}

static gboolean
first_row_online_cb (gpointer data)
{
  GListModel *model = G_LIST_MODEL (fd_devices_page_get_model (fd_test_devices_page ()));
  g_autoptr (FdDevice) first = g_list_model_get_item (model, 0);

  return first != NULL && fd_device_get_loaded (first)
         && g_strcmp0 (fd_device_get_name (first), "sensor-01") == 0;
}

/* Sorts the list by the Status column, online first (the server sorts), as a click on its
 * header twice does; then back by name. */
static void
sort_by_status (void)
{
  GtkColumnView *view = fd_devices_page_get_column_view (fd_test_devices_page ());
  GListModel *columns = gtk_column_view_get_columns (view);

  g_autoptr (GtkColumnViewColumn) status = NULL;
  g_autoptr (GtkColumnViewColumn) name = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
      const char *title = gtk_column_view_column_get_title (column);

      if (g_strcmp0 (title, "Status") == 0)
        g_set_object (&status, column);
      else if (g_strcmp0 (title, "Name") == 0)
        g_set_object (&name, column);
    }
  g_assert_nonnull (status);
  g_assert_nonnull (gtk_column_view_column_get_sorter (status));
  gtk_column_view_sort_by_column (view, status, GTK_SORT_DESCENDING);
  fd_gui_wait (first_row_online_cb, NULL, 10, "sensor-01 first, sorted online first");
  fd_gui_settle (300);
  g_free (fd_test_shot ("50-devices-online"));
  gtk_column_view_sort_by_column (view, name, GTK_SORT_ASCENDING);
}

static void
open_device_page (void)
{
  GtkColumnView *view = fd_devices_page_get_column_view (fd_test_devices_page ());
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FdDevice) device = g_list_model_get_item (model, i);

      if (g_strcmp0 (fd_device_get_name (device), "sensor-01") == 0)
        {
          g_signal_emit_by_name (view, "activate", i);
          fd_gui_wait_for (GTK_WIDGET (detail_page ()), GTK_TYPE_LABEL, "sensor-01");
          fd_gui_settle (400);
          return;
        }
    }
  g_error ("no row sensor-01");
}

static gboolean
conditions_shown_cb (gpointer data)
{
  GtkWidget *pane = fd_window_get_pane (fd_test_window (), "conditions");

  return gtk_widget_get_mapped (pane);
}

/* The notification of the open condition is on screen; clicking it shows the Conditions
 * pane; it reads what happened. */
static void
check_notification (void)
{
  const char *click[] = { "dunstctl", "action", "0", NULL };
  const char *close_all[] = { "dunstctl", "close-all", NULL };
  const char *history[] = { "dunstctl", "history", NULL };
  g_autofree char *shown = NULL;

  fd_gui_wait (fd_test_notification_shown_cb, NULL, 10, "the notification to be shown");
  fd_test_show_pane ("Devices");
  fd_test_shot_screen ("57-condition-notification");
  g_free (fd_gui_run (click));
  fd_gui_wait (conditions_shown_cb, NULL, 10, "the notification's click to show the pane");
  g_free (fd_gui_run (close_all));
  fd_gui_settle (300);
  shown = fd_gui_run (history);
  g_assert_nonnull (strstr (shown, "battery_low"));
  g_assert_nonnull (strstr (shown, "opened on sensor-01"));
  g_assert_nonnull (strstr (shown, "level 12"));
}

/* Chooses "Notify When Opened" for @tag in the pane's popover, as a user types it there. */
static void
choose_notify (const char *tag)
{
  GtkWidget *page = GTK_WIDGET (conditions_page ());
  GtkMenuButton *button = GTK_MENU_BUTTON (
      fd_gui_wait_for (page, GTK_TYPE_MENU_BUTTON, "Notify Me When a Condition Opens"));
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (button));
  GtkWidget *entry;
  GtkWidget *row;
  GtkWidget *toggle;

  gtk_menu_button_popup (button);
  fd_gui_settle (300);
  entry = fd_gui_wait_for (popover, GTK_TYPE_ENTRY, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), tag);
  fd_gui_click (popover, "_Add");
  row = fd_gui_wait_for (popover, ADW_TYPE_ACTION_ROW, tag);
  toggle = fd_gui_find (row, GTK_TYPE_SWITCH, NULL);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
  fd_test_shot_screen ("53-conditions-notify");
  gtk_menu_button_popdown (button);
  fd_gui_settle (300);
}

void
fd_test_live (void)
{
  GtkWidget *win = GTK_WIDGET (fd_test_window ());
  g_autofree char *lab_id = fd_test_workspace_id ("Greenhouse Lab");
  g_autofree char *conditions_path
      = g_strdup_printf ("/workspaces/%s/conditions?status=closed&tag=battery_low", lab_id);
  g_autofree char *start = iso_time (-90);
  g_autofree char *finish = NULL;
  g_autofree char *open_body = NULL;
  g_autofree char *close_body = NULL;
  g_autofree char *duration = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_auto (GStrv) notify_tags = NULL;
  g_autoptr (FdConditionItem) open_item = NULL;
  g_autoptr (JsonNode) closed = NULL;
  FdGuiDevice device = { 0 };
  guint live, notifications;
  g_autoptr (GSubprocess) notifications_server = fd_test_start_notification_server ();

  /* The stream must be there: this test is about what it brings. */
  fd_gui_wait (events_connected_cb, NULL, 15, "the events stream to connect");
  json_node_unref (fd_test_api_get (conditions_path, 200));

  /* Online: an HTTPS connection counts as online while it is open. */
  fd_test_show_pane ("Devices");
  fd_devices_page_show_list (fd_test_devices_page ());
  fd_gui_wait_for (win, GTK_TYPE_LABEL, "sensor-01");
  fd_test_device_connect (&device);
  fd_gui_device_post (&device, "/v1/data/weather", "{\"temp\": 23.5, \"hum\": 38}", "202");
  /* "Last Seen" follows the reading without a reload. */
  {
    g_autofree char *arrived = last_reading_time ();

    fd_gui_wait (row_last_seen_cb, arrived, 10, "the row's Last Seen to follow the reading");
  }
  fd_gui_wait (row_online_cb, GINT_TO_POINTER (TRUE), 15, "sensor-01 to show as online");
  fd_gui_wait (api_online_cb, NULL, 5, "the API to say sensor-01 is online");
  sort_by_status ();

  /* The device page: a reading arrives by event, not by the 2 s poll. */
  /* What the device says about itself shows on its page. */
  fd_gui_device_post (&device, "/v1/up",
                      "{\"key\": \"__info\", \"value\": {\"fw\": \"1.2.3\", "
                      "\"board\": \"esp32\"}}",
                      "202");
  open_device_page ();
  fd_gui_wait (info_shown_cb, (gpointer) "fw 1.2.3 · board esp32", 10, "the reported info");
  live = fd_device_detail_page_get_live_readings (detail_page ());
  fd_gui_device_post (&device, "/v1/data/weather", "{\"temp\": 24, \"hum\": 37}", "202");
  fd_gui_wait (live_readings_cb, GUINT_TO_POINTER (live), 10, "a reading from the stream");
  fd_gui_wait (reading_cb, (gpointer) "temp 24 · hum 37", 5, "the new reading shown");
  fd_gui_wait_for (GTK_WIDGET (detail_page ()), ADW_TYPE_ACTION_ROW, "Online");
  {
    GtkWidget *row
        = fd_gui_wait_for (GTK_WIDGET (detail_page ()), ADW_TYPE_ACTION_ROW, "Transport");
    const char *address;

    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "HTTPS");
    row = fd_gui_wait_for (GTK_WIDGET (detail_page ()), ADW_TYPE_ACTION_ROW, "Address");
    address = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
    g_assert_true (g_strcmp0 (address, "127.0.0.1") == 0 || g_strcmp0 (address, "::1") == 0);
  }
  g_free (fd_test_shot ("51-device-page-live"));
  fd_devices_page_show_list (fd_test_devices_page ());

  /* The Conditions pane, empty, and a notification asked for. */
  fd_test_show_pane ("Conditions");
  fd_gui_wait_for (win, ADW_TYPE_STATUS_PAGE, "No Open Conditions");
  g_free (fd_test_shot ("52-conditions-empty"));
  choose_notify ("battery_low");
  notify_tags = g_settings_get_strv (settings, "notify-condition-tags");
  g_assert_true (g_strv_contains ((const char *const *)notify_tags, "battery_low"));

  /* The device opens a condition 90 s old: listed at once, its duration ticking. */
  notifications = fd_conditions_page_get_notifications (conditions_page ());
  open_body = g_strdup_printf ("{\"key\": \"condition\", \"value\": {\"uuid\": \"c-live-1\", "
                               "\"tag\": \"battery_low\", \"payload\": {\"level\": 12}, "
                               "\"start\": \"%s\"}}",
                               start);
  fd_gui_device_post (&device, "/v1/up", open_body, "202");
  wait_list (FALSE, "battery_low", TRUE, 1);
  g_assert_cmpuint (fd_conditions_page_get_notifications (conditions_page ()), ==,
                    notifications + 1);
  check_notification ();
  open_item = g_list_model_get_item (fd_conditions_page_get_open (conditions_page ()), 0);
  g_assert_cmpstr (fd_condition_item_get_device_name (open_item), ==, "sensor-01");
  g_assert_cmpfloat (fd_condition_item_get_duration (open_item), >=, 89);
  g_object_get (open_item, "duration-label", &duration, NULL);
  g_assert_true (g_str_has_prefix (duration, "1 min"));
  fd_gui_wait (duration_changed_cb, duration, 3, "the duration to tick");
  fd_gui_wait_for (win, GTK_TYPE_LABEL, "level 12");
  g_free (fd_test_shot ("54-conditions-open"));

  /* Opened again with a new payload: updated in place, not notified again. */
  {
    g_autoptr (GString) again = g_string_new (open_body);

    g_string_replace (again, "\"level\": 12", "\"level\": 9", 1);
    fd_gui_device_post (&device, "/v1/up", again->str, "202");
    fd_gui_wait_for (win, GTK_TYPE_LABEL, "level 9");
    wait_list (FALSE, "battery_low", TRUE, 1);
    g_assert_cmpuint (fd_conditions_page_get_notifications (conditions_page ()), ==,
                      notifications + 1);
  }

  /* Closed: it leaves "Open" and is in History, as the API says. */
  finish = iso_time (0);
  close_body = g_strdup_printf ("{\"key\": \"condition\", \"value\": {\"uuid\": \"c-live-1\", "
                                "\"finish\": \"%s\"}}",
                                finish);
  fd_gui_device_post (&device, "/v1/up", close_body, "202");
  wait_list (FALSE, "battery_low", TRUE, 0);
  wait_list (TRUE, "battery_low", FALSE, 1);
  closed = fd_test_api_get (conditions_path, 200);
  g_assert_cmpuint (json_object_get_int_member (fd_test_api_object (closed), "total"), ==, 1);
  gtk_widget_activate_action (GTK_WIDGET (conditions_page ()), "pane.show-history", NULL);
  fd_gui_settle (400);
  g_free (fd_test_shot ("55-conditions-history"));

  /* Filters: at least an hour open hides it (the server filters); Ctrl+F searches. */
  {
    GtkDropDown *threshold = GTK_DROP_DOWN (
        fd_gui_wait_for (win, GTK_TYPE_DROP_DOWN, "Only Conditions Open at Least This Long"));

    gtk_drop_down_set_selected (threshold, 3);
    wait_list (TRUE, "battery_low", FALSE, 0);
    fd_gui_wait_for (win, ADW_TYPE_STATUS_PAGE, "No Conditions Found");
    gtk_drop_down_set_selected (threshold, 0);
    wait_list (TRUE, "battery_low", FALSE, 1);
  }
  gtk_widget_activate_action (win, "win.search", NULL);
  {
    GtkWidget *bar = fd_gui_find (GTK_WIDGET (conditions_page ()), GTK_TYPE_SEARCH_BAR, NULL);
    GtkWidget *entry = fd_gui_wait_for (bar, GTK_TYPE_SEARCH_ENTRY, NULL);

    g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (bar)));
    gtk_editable_set_text (GTK_EDITABLE (entry), "no such device");
    wait_list (TRUE, "battery_low", FALSE, 0);
    gtk_editable_set_text (GTK_EDITABLE (entry), "SENSOR-01");
    wait_list (TRUE, "battery_low", FALSE, 1);
    gtk_editable_set_text (GTK_EDITABLE (entry), "");
  }

  /* Enter on the condition opens its device's page. */
  {
    GtkColumnView *view = GTK_COLUMN_VIEW (
        fd_gui_find (GTK_WIDGET (conditions_page ()), GTK_TYPE_COLUMN_VIEW, NULL));

    g_assert_nonnull (view);
    g_signal_emit_by_name (view, "activate", 0);
    fd_gui_wait_for (GTK_WIDGET (detail_page ()), GTK_TYPE_LABEL, "sensor-01");
    g_assert_cmpstr (fd_device_get_name (fd_device_detail_page_get_device (detail_page ())), ==,
                     "sensor-01");
    fd_devices_page_show_list (fd_test_devices_page ());
    fd_test_show_pane ("Conditions");
  }

  /* Narrow: the view switcher moves to the bottom of the pane. */
  gtk_window_set_default_size (GTK_WINDOW (win), 360, 700);
  fd_gui_settle (600);
  g_free (fd_test_shot ("56-conditions-narrow"));
  gtk_window_set_default_size (GTK_WINDOW (win), 1100, 720);
  fd_gui_settle (600);

  g_subprocess_force_exit (notifications_server);
  g_subprocess_wait (notifications_server, NULL, NULL);

  /* Offline when the connection closes. */
  fd_gui_device_disconnect (&device);
  fd_gui_wait (row_online_cb, GINT_TO_POINTER (FALSE), 15, "sensor-01 to show as offline");
  fd_test_show_pane ("Devices");
  fd_devices_page_show_list (fd_test_devices_page ());
}
#else
void
fd_test_live (void)
{
  g_test_skip ("the events stream (server/events/fd-events.c) or the conditions API "
               "(server/conditions/fd-conditions.c) is not in this tree yet");
}
#endif
