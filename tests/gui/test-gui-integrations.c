/* test-gui-integrations.c — the Integrations pane in the real fd_ti_app, against its real engine,
 * with a real webhook receiver (a libsoup server in this process) and a device posting with
 * curl (a cloud_token credential made through the API).
 *
 * A user opens "Add Integration", is told which field the server refuses (a PostgreSQL DSN
 * nothing answers, without its password; a URL that is not http(s)), fills the form in, presses
 * "Send Test Event" (the receiver gets integration.test with the form's header, and the form says
 * it was delivered; nothing is made), creates it and sees its secret once; the device's reading
 * reaches the receiver signed with that very secret, and the integration's page lists the delivery
 * and sends a test event of its own; Pause shows Paused in the list and Resume delivers what came
 * meanwhile; Replay From… 1 hour ago delivers both readings again; Edit renames it keeping the
 * rest; Ctrl+F finds it; Delete asks, naming it, and it is gone. In the Alerts view an alert rule
 * is added from its dialog, and a condition open longer than a rule allows becomes an active alert
 * and a desktop notification (dunst on the test's session bus), withdrawn when the condition
 * closes. Screenshots into $FD_BUILD_DIR/tests/gui-shots/integrations-*.png.
 */
#include "config.h"

#include <libsoup/soup.h>

#include "fd-api-client.h"
#include "fd-application.h"
#include "fd-gui-util.h"
#include "fd-integration-detail-page.h"
#include "fd-integration-dialog.h"
#include "fd-integrations-page.h"
#include "fd-json-item.h"
#include "fd-window.h"
#include "test-gui-integrations.h"

FdApplication *fd_ti_app;
static const char *base_url;
static const char *token;
char *fd_ti_workspace_id;
static char *data_dir;
char *fd_ti_files_dir;
static char *integration_id;
static char *secret; /* as the fd_ti_app showed it */
static char *device_token;

/* The receiver: every request it got, answered with receiver_status. */
typedef struct
{
  char *path;
  char *body;
  char *timestamp;
  char *signature;
  char *authorization;
} Received;

static SoupServer *receiver;
static char *receiver_url;
static GPtrArray *received;
static guint receiver_status = 200;

static void
received_free (gpointer data)
{
  Received *r = data;

  g_free (r->path);
  g_free (r->body);
  g_free (r->timestamp);
  g_free (r->signature);
  g_free (r->authorization);
  g_free (r);
}

static void
receiver_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
             gpointer data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  Received *r = g_new0 (Received, 1);

  r->path = g_strdup (path);
  r->body = g_strndup (body->data, body->length);
  r->timestamp = g_strdup (soup_message_headers_get_one (headers, "X-Fleetdesk-Timestamp"));
  r->signature = g_strdup (soup_message_headers_get_one (headers, "X-Fleetdesk-Signature"));
  r->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_test_message ("receiver: %s %.200s", path, r->body);
  g_ptr_array_add (received, r);
  soup_server_message_set_status (msg, receiver_status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static void
start_receiver (void)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  received = g_ptr_array_new_with_free_func (received_free);
  receiver = soup_server_new (NULL, NULL);
  soup_server_add_handler (receiver, NULL, receiver_cb, NULL, NULL);
  soup_server_listen_local (receiver, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (receiver);
  receiver_url = g_strdup_printf ("http://127.0.0.1:%d/hook", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
}

/* The first request received whose body holds @text (NULL if none yet). */
static Received *
received_with (const char *text)
{
  for (guint i = 0; i < received->len; i++)
    {
      Received *r = g_ptr_array_index (received, i);

      if (strstr (r->body, text) != NULL)
        return r;
    }
  return NULL;
}

static gboolean
received_cb (gpointer data)
{
  return received_with (data) != NULL;
}

/* How many requests received hold @text. */
static guint
received_count (const char *text)
{
  guint n = 0;

  for (guint i = 0; i < received->len; i++)
    n += strstr (((Received *)g_ptr_array_index (received, i))->body, text) != NULL;
  return n;
}

typedef struct
{
  const char *text;
  guint n;
} Count;

static gboolean
received_count_cb (gpointer data)
{
  Count *count = data;

  return received_count (count->text) >= count->n;
}

/* Helpers */

FdWindow *
fd_ti_window (void)
{
  return fd_gui_window (G_APPLICATION (fd_ti_app));
}

FdIntegrationsPage *
fd_ti_page (void)
{
  return FD_INTEGRATIONS_PAGE (fd_window_get_pane (fd_ti_window (), "integrations"));
}

JsonNode *
fd_ti_api (const char *method, const char *path, const char *body, guint expected)
{
  return fd_gui_api_expect (base_url, token, method, path, body, expected);
}

JsonObject *
fd_ti_object (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static GtkWidget *
find_by_class (GtkWidget *root, GType type, const char *css_class)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && gtk_widget_has_css_class (root, css_class)
      && gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_class (child, type, css_class);

      if (found != NULL)
        return found;
    }
  return NULL;
}

void
fd_ti_show_pane (const char *title)
{
  /* The sidebar's label, not the pane's header bar title of the same text. */
  GtkWidget *sidebar
      = find_by_class (GTK_WIDGET (fd_ti_window ()), GTK_TYPE_WIDGET, "navigation-sidebar");
  GtkWidget *label;

  g_assert_nonnull (sidebar);
  label = fd_gui_wait_for (sidebar, GTK_TYPE_LABEL, title);
  gtk_widget_activate (gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW));
  fd_gui_settle (300);
}

char *
fd_ti_shot (const char *name)
{
  return fd_gui_screenshot (GTK_WIDGET (fd_ti_window ()), name);
}

/* The first integration listed, or NULL. */
static JsonObject *
listed (void)
{
  GListModel *model = fd_integrations_page_get_integrations (fd_ti_page ());
  g_autoptr (FdJsonItem) item = g_list_model_get_item (model, 0);

  return item != NULL ? fd_json_item_get_object (item) : NULL;
}

static const char *
listed_state (void)
{
  JsonObject *integration = listed ();
  JsonNode *health = integration != NULL ? json_object_get_member (integration, "health") : NULL;

  if (health == NULL || !JSON_NODE_HOLDS_OBJECT (health))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (health), "state", NULL);
}

/* Runs curl as the device: POST @body to /v1/@path of the device endpoint. */
void
fd_ti_device_post (const char *path, const char *body)
{
  g_autoptr (JsonNode) server = fd_ti_api ("GET", "/server", NULL, 200);
  JsonObject *object = fd_ti_object (server);
  g_autofree char *ca = g_build_filename (fd_ti_files_dir, "ca.pem", NULL);
  g_autofree char *url = g_strdup_printf ("https://localhost:%" G_GINT64_FORMAT "/v1/%s",
                                          json_object_get_int_member (object, "device_port"), path);
  g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", device_token);
  const char *argv[] = { "curl",
                         "--silent",
                         "--show-error",
                         "--fail",
                         "--cacert",
                         ca,
                         "-H",
                         auth,
                         "-H",
                         "Content-Type: application/json",
                         "-d",
                         body,
                         url,
                         NULL };

  g_assert_true (g_file_set_contents (
      ca,
      json_object_get_string_member (json_object_get_object_member (object, "ca"), "certificate"),
      -1, NULL));
  g_free (fd_gui_run (argv));
}

char *
fd_ti_iso_time (int seconds_from_now)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) then = g_date_time_add_seconds (now, seconds_from_now);

  return g_date_time_format (then, "%Y-%m-%dT%H:%M:%S.000Z");
}

/* The tests */

static gboolean
main_shown_cb (gpointer data)
{
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (fd_ti_app));

  return FD_IS_WINDOW (active) && g_strcmp0 (fd_window_get_state (FD_WINDOW (active)), "main") == 0;
}

static gboolean
workspace_shown_cb (gpointer data)
{
  return fd_gui_find (GTK_WIDGET (fd_ti_window ()), GTK_TYPE_LABEL, "Hooks Lab") != NULL;
}

static void
test_start (void)
{
  FdApiClient *client;
  g_autoptr (JsonNode) workspace = NULL;
  g_autoptr (JsonNode) device = NULL;
  g_autoptr (JsonNode) credential = NULL;
  g_autofree char *path = NULL;

  fd_gui_wait (main_shown_cb, NULL, 60, "the window to show its panes");
  client = fd_application_get_client (fd_ti_app);
  base_url = fd_api_client_get_base_url (client);
  token = fd_api_client_get_token (client);
  start_receiver ();

  workspace = fd_ti_api ("POST", "/workspaces", "{\"name\": \"Hooks Lab\"}", 201);
  fd_ti_workspace_id = g_strdup (json_object_get_string_member (fd_ti_object (workspace), "id"));
  path = g_strdup_printf ("/workspaces/%s/devices", fd_ti_workspace_id);
  device = fd_ti_api ("POST", path, "{\"name\": \"door-01\"}", 201);
  g_free (path);
  path = g_strdup_printf ("/devices/%s/credentials",
                          json_object_get_string_member (fd_ti_object (device), "id"));
  credential = fd_ti_api ("POST", path, "{\"kind\": \"key\", \"mode\": \"cloud_token\"}", 201);
  device_token = g_strdup (json_object_get_string_member (fd_ti_object (credential), "secret"));

  gtk_widget_activate_action (GTK_WIDGET (fd_ti_window ()), "win.reload", NULL);
  fd_gui_wait (workspace_shown_cb, NULL, 10, "the workspace in the switcher");
}

static void
test_empty (void)
{
  fd_ti_show_pane ("Integrations");
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), ADW_TYPE_STATUS_PAGE, "No Integrations Yet");
  g_free (fd_ti_shot ("integrations-01-empty"));
}

static gboolean
field_error_cb (gpointer data)
{
  return fd_integration_dialog_get_field_error (data, "url") != NULL;
}

static gboolean
dsn_error_cb (gpointer data)
{
  return fd_integration_dialog_get_field_error (data, "dsn") != NULL;
}

static gboolean
tested_cb (gpointer data)
{
  return fd_integration_dialog_get_test_result (data) != NULL;
}

GtkWidget *
fd_ti_entry_row (GtkWidget *root, const char *title)
{
  return fd_gui_wait_for (root, ADW_TYPE_ENTRY_ROW, title);
}

static gboolean
integration_listed_cb (gpointer data)
{
  return fd_integrations_page_get_integrations (fd_ti_page ()) != NULL && listed () != NULL;
}

/* The form: a refused URL, a test event, then Create and the secret. */
static void
test_create (void)
{
  g_autoptr (GtkWindow) dialog = NULL;
  FdIntegrationDialog *form;
  AdwComboRow *type;
  Received *test;
  g_autofree char *list_path = NULL;
  g_autoptr (JsonNode) list = NULL;
  AdwMessageDialog *shown;
  GtkWidget *secret_label;
  g_autoptr (JsonNode) saved = NULL;
  g_autofree char *saved_path = NULL;

  fd_ti_show_pane ("Integrations");
  /* Ctrl+N: the pane's primary action. */
  gtk_widget_activate_action (GTK_WIDGET (fd_ti_window ()), "win.primary", NULL);
  dialog = fd_gui_wait_for_window (FD_TYPE_INTEGRATION_DIALOG);
  form = FD_INTEGRATION_DIALOG (dialog);
  g_assert_false (fd_integration_dialog_can_save (form));
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "Name")), "Lab Hook");

  /* PostgreSQL that is not there: said under the DSN, without its password. */
  type = ADW_COMBO_ROW (fd_gui_wait_for (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, "Type"));
  adw_combo_row_set_selected (type, 1);
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "Connection (DSN)")),
                         "host=127.0.0.1 port=1 dbname=nothing user=nobody password=hunter2-pw "
                         "connect_timeout=2");
  fd_gui_click (GTK_WIDGET (dialog), "C_reate");
  fd_gui_wait (dsn_error_cb, form, 20, "the DSN's error in the form");
  g_test_message ("dsn error: %s", fd_integration_dialog_get_field_error (form, "dsn"));
  g_assert_null (strstr (fd_integration_dialog_get_field_error (form, "dsn"), "hunter2-pw"));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "integrations-02-form-postgres-error"));
  adw_combo_row_set_selected (type, 0);
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "URL")),
                         "ftp://127.0.0.1/hook");
  fd_integration_dialog_add_header (form, "Authorization", "Bearer lab-receiver");
  g_assert_true (fd_integration_dialog_can_save (form));

  /* The server refuses the URL: said under the Webhook group, nothing made. */
  fd_gui_click (GTK_WIDGET (dialog), "C_reate");
  fd_gui_wait (field_error_cb, form, 10, "the URL's error in the form");
  g_test_message ("url error: %s", fd_integration_dialog_get_field_error (form, "url"));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "integrations-02-form-url-error"));

  /* Send Test Event with the form as it is: the receiver gets integration.test. */
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "URL")), receiver_url);
  fd_gui_click (GTK_WIDGET (dialog), "Send _Test Event");
  fd_gui_wait (received_cb, "integration.test", 20, "the receiver to get the test event");
  fd_gui_wait (tested_cb, form, 20, "the form to show the test's result");
  g_test_message ("test: %s", fd_integration_dialog_get_test_result (form));
  g_assert_true (
      g_str_has_prefix (fd_integration_dialog_get_test_result (form), "Test event delivered"));
  test = received_with ("integration.test");
  g_assert_cmpstr (test->authorization, ==, "Bearer lab-receiver");
  g_assert_nonnull (test->signature);
  g_assert_true (g_str_has_prefix (test->signature, "sha256="));
  fd_gui_wait_for (GTK_WIDGET (dialog), GTK_TYPE_LABEL,
                   fd_integration_dialog_get_test_result (form));
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "integrations-03-form-tested"));
  list_path = g_strdup_printf ("/workspaces/%s/integrations", fd_ti_workspace_id);
  list = fd_ti_api ("GET", list_path, NULL, 200);
  g_assert_cmpint (json_object_get_int_member (fd_ti_object (list), "total"), ==, 0);

  /* Create: the secret, shown once. */
  fd_gui_click (GTK_WIDGET (dialog), "C_reate");
  shown = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (shown), ==, "Webhook Secret");
  secret_label = find_by_class (GTK_WIDGET (shown), GTK_TYPE_LABEL, "monospace");
  g_assert_nonnull (secret_label);
  secret = g_strdup (gtk_label_get_label (GTK_LABEL (secret_label)));
  g_assert_cmpuint (strlen (secret), >=, 16);
  fd_gui_wait_for (GTK_WIDGET (shown), GTK_TYPE_BUTTON, "_Copy");
  g_free (fd_gui_screenshot (GTK_WIDGET (shown), "integrations-04-secret"));
  fd_gui_click (GTK_WIDGET (shown), "_Done");
  fd_gui_wait_dialogs_closed ();
  fd_gui_wait_window_closed (dialog);

  fd_gui_wait (integration_listed_cb, NULL, 10, "the integration listed");
  integration_id = g_strdup (json_object_get_string_member (listed (), "id"));
  g_assert_false (json_object_has_member (listed (), "secret"));
  saved_path = g_strdup_printf ("/integrations/%s", integration_id);
  saved = fd_ti_api ("GET", saved_path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (fd_ti_object (saved), "url"), ==, receiver_url);
  g_assert_true (json_object_get_boolean_member (fd_ti_object (saved), "has_secret"));
  g_assert_false (json_object_has_member (fd_ti_object (saved), "secret"));
}

static gboolean
deliveries_cb (gpointer data)
{
  FdIntegrationDetailPage *detail = fd_integrations_page_get_detail_page (fd_ti_page ());

  return g_list_model_get_n_items (fd_integration_detail_page_get_deliveries (detail)) > 0;
}

/* A reading reaches the receiver, signed with the secret shown; the page logs it. */
static void
test_delivery (void)
{
  FdIntegrationDetailPage *detail = fd_integrations_page_get_detail_page (fd_ti_page ());
  g_autofree char *batch = g_strdup_printf ("[{\"ts\": %" G_GINT64_FORMAT
                                            ", \"payload\": {\"open\": 1, \"mark\": 4711}}]",
                                            g_get_real_time () / 1000);
  Received *data;
  g_autofree char *signed_text = NULL;
  g_autofree char *hmac = NULL;
  g_autofree char *expected = NULL;

  fd_integrations_page_open_integration (fd_ti_page (), integration_id);
  g_assert_cmpstr (fd_integration_detail_page_get_integration_id (detail), ==, integration_id);
  fd_ti_device_post ("data/door", batch);
  fd_gui_wait (received_cb, "\"mark\":4711", 30, "the reading at the receiver");
  data = received_with ("\"mark\":4711");
  g_assert_nonnull (strstr (data->body, "\"result\""));
  g_assert_cmpstr (data->authorization, ==, "Bearer lab-receiver");
  signed_text = g_strconcat (data->timestamp, ".", data->body, NULL);
  hmac = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *)secret, strlen (secret),
                                    signed_text, -1);
  expected = g_strconcat ("sha256=", hmac, NULL);
  g_assert_cmpstr (data->signature, ==, expected);

  fd_gui_wait (deliveries_cb, NULL, 20, "the delivery in the page's log");
  fd_gui_wait_for (GTK_WIDGET (detail), GTK_TYPE_LABEL, "Delivered");
  g_free (fd_ti_shot ("integrations-05-detail"));

  /* Send Test Event on the saved integration: a second integration.test, said in a toast. */
  {
    Count second = { "integration.test", 2 };

    fd_gui_click (GTK_WIDGET (detail), "Send _Test Event");
    fd_gui_wait (received_count_cb, &second, 20, "the saved integration's test event");
    fd_gui_wait_for_label_prefix (GTK_WIDGET (fd_gui_window (G_APPLICATION (fd_ti_app))),
                                  "Test event delivered: HTTP 200", 10,
                                  "the test's toast on the page");
  }
}

static gboolean
listed_state_cb (gpointer data)
{
  return g_strcmp0 (listed_state (), data) == 0;
}

static gboolean
listed_not_paused_cb (gpointer data)
{
  return listed_state () != NULL && g_strcmp0 (listed_state (), "paused") != 0;
}

/* Pause from the page: the list says Paused; Resume delivers what came meanwhile. */
static void
test_pause (void)
{
  FdIntegrationDetailPage *detail = fd_integrations_page_get_detail_page (fd_ti_page ());
  g_autofree char *path = g_strdup_printf ("/integrations/%s", integration_id);
  g_autoptr (JsonNode) saved = NULL;
  g_autofree char *batch = g_strdup_printf ("[{\"ts\": %" G_GINT64_FORMAT
                                            ", \"payload\": {\"open\": 0, \"mark\": 4712}}]",
                                            g_get_real_time () / 1000);

  fd_integrations_page_open_integration (fd_ti_page (), integration_id);
  fd_gui_click (GTK_WIDGET (detail), "_Pause");
  fd_gui_wait_for (GTK_WIDGET (detail), GTK_TYPE_BUTTON, "_Resume");
  fd_gui_wait (listed_state_cb, "paused", 10, "the list to say paused");
  saved = fd_ti_api ("GET", path, NULL, 200);
  g_assert_true (json_object_get_boolean_member (fd_ti_object (saved), "paused"));

  fd_ti_device_post ("data/door", batch);
  gtk_widget_activate_action (GTK_WIDGET (fd_ti_page ()), "pane.show-list", NULL);
  fd_gui_settle (1500);
  g_assert_null (received_with ("\"mark\":4712"));
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), GTK_TYPE_LABEL, "Paused");
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), GTK_TYPE_LABEL, "Lab Hook");
  g_free (fd_ti_shot ("integrations-06-list-paused"));

  fd_integrations_page_open_integration (fd_ti_page (), integration_id);
  fd_gui_click (GTK_WIDGET (detail), "_Resume");
  fd_gui_wait_for (GTK_WIDGET (detail), GTK_TYPE_BUTTON, "_Pause");
  fd_gui_wait (received_cb, "\"mark\":4712", 30, "the reading queued while paused");
  fd_gui_wait (listed_not_paused_cb, NULL, 10, "the list to leave paused");
  gtk_widget_activate_action (GTK_WIDGET (fd_ti_page ()), "pane.show-list", NULL);
}

/* Replay From… 1 hour ago: both readings are delivered again. */
static void
test_replay (void)
{
  FdIntegrationDetailPage *detail = fd_integrations_page_get_detail_page (fd_ti_page ());
  Count again = { "\"mark\":4711", 2 };
  Count again_too = { "\"mark\":4712", 2 };
  GtkWidget *replay;

  fd_integrations_page_open_integration (fd_ti_page (), integration_id);
  replay
      = fd_gui_wait_for (GTK_WIDGET (detail), GTK_TYPE_MENU_BUTTON, "Deliver a past period again");
  /* The page's slide in over: a popover placed while its button moves finds no monitor. */
  fd_gui_settle (600);
  gtk_menu_button_popup (GTK_MENU_BUTTON (replay));
  fd_gui_settle (300);
  g_free (fd_ti_shot ("integrations-10-replay"));
  fd_gui_click (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (replay))), "1 Hour Ago");
  fd_gui_wait (received_count_cb, &again, 30, "the first reading delivered again");
  fd_gui_wait (received_count_cb, &again_too, 30, "the second reading delivered again");
}

static gboolean
listed_name_cb (gpointer data)
{
  return listed () != NULL
         && g_strcmp0 (json_object_get_string_member (listed (), "name"), data) == 0;
}

/* Edit…: the same form with the settings; Save renames it everywhere. */
static void
test_edit (void)
{
  FdIntegrationDetailPage *detail = fd_integrations_page_get_detail_page (fd_ti_page ());
  g_autoptr (GtkWindow) dialog = NULL;
  g_autofree char *path = g_strdup_printf ("/integrations/%s", integration_id);
  g_autoptr (JsonNode) saved = NULL;
  JsonObject *headers;

  fd_integrations_page_open_integration (fd_ti_page (), integration_id);
  fd_gui_click (GTK_WIDGET (detail), "_Edit…");
  dialog = fd_gui_wait_for_window (FD_TYPE_INTEGRATION_DIALOG);
  g_assert_cmpstr (
      gtk_editable_get_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "URL"))), ==,
      receiver_url);
  gtk_editable_set_text (GTK_EDITABLE (fd_ti_entry_row (GTK_WIDGET (dialog), "Name")),
                         "Lab Receiver");
  g_free (fd_gui_screenshot (GTK_WIDGET (dialog), "integrations-11-edit"));
  fd_gui_click (GTK_WIDGET (dialog), "_Save");
  fd_gui_wait_window_closed (dialog);
  fd_gui_wait (listed_name_cb, "Lab Receiver", 10, "the new name listed");
  saved = fd_ti_api ("GET", path, NULL, 200);
  g_assert_cmpstr (json_object_get_string_member (fd_ti_object (saved), "name"), ==,
                   "Lab Receiver");
  /* Untouched settings stay: the header and the secret (a delivery still verifies). */
  headers = json_object_get_object_member (fd_ti_object (saved), "headers");
  g_assert_cmpstr (json_object_get_string_member (headers, "Authorization"), ==,
                   "Bearer lab-receiver");
  g_assert_true (json_object_get_boolean_member (fd_ti_object (saved), "has_secret"));
}

static gboolean
listed_count_cb (gpointer data)
{
  return g_list_model_get_n_items (fd_integrations_page_get_integrations (fd_ti_page ()))
         == GPOINTER_TO_UINT (data);
}

/* Ctrl+F searches by name. */
static void
test_search (void)
{
  GtkWidget *entry;

  fd_ti_show_pane ("Integrations");
  gtk_widget_activate_action (GTK_WIDGET (fd_ti_page ()), "pane.show-list", NULL);
  gtk_widget_activate_action (GTK_WIDGET (fd_ti_window ()), "win.search", NULL);
  entry = fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), GTK_TYPE_SEARCH_ENTRY, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), "RECEIV");
  fd_gui_wait (listed_count_cb, GUINT_TO_POINTER (1), 10, "the integration found");
  gtk_editable_set_text (GTK_EDITABLE (entry), "nothing-like-it");
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), ADW_TYPE_STATUS_PAGE, "No Results Found");
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  fd_gui_wait (listed_count_cb, GUINT_TO_POINTER (1), 10, "the integration listed again");
  gtk_widget_activate_action (GTK_WIDGET (fd_ti_window ()), "win.search", NULL);
}

/* A phone-sized window: the pane behind a back button, its views switched at the bottom. */
static void
test_narrow (void)
{
  GtkWindow *win = GTK_WINDOW (fd_ti_window ());
  int width, height;

  fd_ti_show_pane ("Integrations");
  gtk_widget_activate_action (GTK_WIDGET (fd_ti_page ()), "pane.show-list", NULL);
  gtk_window_get_default_size (win, &width, &height);
  gtk_window_set_default_size (win, 360, 700);
  fd_gui_settle (600);
  g_assert_true (gtk_widget_get_mapped (
      fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), GTK_TYPE_BUTTON, "Back")));
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), GTK_TYPE_BUTTON, "_Add Integration");
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), ADW_TYPE_VIEW_SWITCHER_BAR, NULL);
  g_free (fd_ti_shot ("integrations-13-narrow"));
  gtk_window_set_default_size (win, width, height);
  fd_gui_settle (600);
}

/* Delete…: the dialog names it; afterwards the list is empty, and so is the API's. */
static void
test_delete (void)
{
  FdIntegrationDetailPage *detail = fd_integrations_page_get_detail_page (fd_ti_page ());
  g_autofree char *path = g_strdup_printf ("/integrations/%s", integration_id);
  g_autoptr (JsonNode) gone = NULL;
  AdwMessageDialog *confirm;

  fd_ti_show_pane ("Integrations");
  fd_integrations_page_show_view (fd_ti_page (), "integrations");
  fd_integrations_page_open_integration (fd_ti_page (), integration_id);
  fd_gui_click (GTK_WIDGET (detail), "Delete Integration…");
  confirm = fd_gui_wait_for_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (confirm), ==, "Delete “Lab Receiver”?");
  g_free (fd_gui_screenshot (GTK_WIDGET (confirm), "integrations-12-delete"));
  fd_gui_click (GTK_WIDGET (confirm), "_Delete");
  fd_gui_wait_dialogs_closed ();
  fd_gui_wait_for (GTK_WIDGET (fd_ti_page ()), ADW_TYPE_STATUS_PAGE, "No Integrations Yet");
  gone = fd_ti_api ("GET", path, NULL, 404);
}

static void
after_tests (void)
{
  fd_ti_alerts_after ();
  g_clear_object (&receiver);
  g_clear_pointer (&received, g_ptr_array_unref);
}

int
main (int argc, char *argv[])
{
  int status;

  fd_gui_init (&argc, &argv, "fleetdesk-gui-integrations", &data_dir, &fd_ti_files_dir);

  g_test_add_func ("/gui-integrations/start", test_start);
  g_test_add_func ("/gui-integrations/empty", test_empty);
  g_test_add_func ("/gui-integrations/create", test_create);
  g_test_add_func ("/gui-integrations/delivery", test_delivery);
  g_test_add_func ("/gui-integrations/pause", test_pause);
  g_test_add_func ("/gui-integrations/replay", test_replay);
  g_test_add_func ("/gui-integrations/edit", test_edit);
  g_test_add_func ("/gui-integrations/search", test_search);
  g_test_add_func ("/gui-integrations/narrow", test_narrow);
  g_test_add_func ("/gui-integrations/alert-rule", fd_ti_alert_rule);
  g_test_add_func ("/gui-integrations/notifications", fd_ti_notifications_start);
  g_test_add_func ("/gui-integrations/alert-notification", fd_ti_alert_notification);
  g_test_add_func ("/gui-integrations/delete", test_delete);
  g_test_add_func ("/gui-integrations/postgres", fd_ti_postgres);

  fd_ti_app = fd_application_new ();
  status = fd_gui_run_tests (G_APPLICATION (fd_ti_app), data_dir, fd_ti_files_dir, after_tests);
  g_clear_object (&fd_ti_app);
  g_free (data_dir);
  g_free (fd_ti_files_dir);
  g_free (fd_ti_workspace_id);
  g_free (integration_id);
  g_free (secret);
  g_free (device_token);
  g_free (receiver_url);
  return status;
}
