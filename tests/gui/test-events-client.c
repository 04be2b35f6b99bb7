/* test-events-client.c — the app's events client against a WebSocket server on loopback
 * (libsoup's own server, sending the documented event messages): it authenticates with the
 * bearer token, hands events out in batches (the newest presence per device, the newest data
 * per device and tag with the counts summed, every condition), ignores what is not an event,
 * and reconnects after the server drops it, saying "resync"; integration.updated comes as the
 * newest health per integration of a batch, alert.* every one in order. No display needed. */
#include "config.h"

#include <libsoup/soup.h>

#include "fd-api-client.h"
#include "fd-events-client.h"
#include "fd-json.h"

typedef struct
{
  SoupServer *server;
  GPtrArray *connections; /* SoupWebsocketConnection on the server side */
  char *authorization;    /* of the last handshake */
  char *url;

  GPtrArray *seen; /* "presence dev-1 online", "data dev-1 weather 3", "condition …" */
  guint resyncs;
} Fixture;

static void
websocket_cb (SoupServer *server, SoupServerMessage *message, const char *path,
              SoupWebsocketConnection *connection, gpointer user_data)
{
  Fixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);

  g_free (fixture->authorization);
  fixture->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_ptr_array_add (fixture->connections, g_object_ref (connection));
}

static void
presence_cb (FdEventsClient *client, const char *workspace, const char *device, gboolean online,
             JsonObject *data, Fixture *fixture)
{
  g_ptr_array_add (fixture->seen,
                   g_strdup_printf ("presence %s %s %s", device, online ? "online" : "offline",
                                    fd_json_get_string (data, "transport")));
}

static void
data_cb (FdEventsClient *client, const char *workspace, const char *device, JsonObject *data,
         Fixture *fixture)
{
  g_autofree char *payload = json_to_string (json_object_get_member (data, "payload"), FALSE);
  guint count = 0;

  fd_json_update_uint (data, "count", &count);
  g_ptr_array_add (fixture->seen,
                   g_strdup_printf ("data %s %s %u %s", device, fd_json_get_string (data, "tag"),
                                    count, payload));
}

static void
condition_cb (FdEventsClient *client, const char *type, JsonObject *condition, Fixture *fixture)
{
  g_ptr_array_add (fixture->seen,
                   g_strdup_printf ("%s %s", type, fd_json_get_string (condition, "uuid")));
}

static void
integration_cb (FdEventsClient *client, const char *workspace, JsonObject *data, Fixture *fixture)
{
  g_ptr_array_add (fixture->seen, g_strdup_printf ("integration %s %s %s %" G_GINT64_FORMAT,
                                                   workspace, fd_json_get_string (data, "id"),
                                                   fd_json_get_string (data, "state"),
                                                   fd_json_get_int (data, "queue_depth", -1)));
}

static void
alert_cb (FdEventsClient *client, const char *type, const char *workspace, JsonObject *alert,
          Fixture *fixture)
{
  g_ptr_array_add (fixture->seen, g_strdup_printf ("%s %s %s", type, workspace,
                                                   fd_json_get_string (alert, "condition_uuid")));
}

static void
resync_cb (FdEventsClient *client, Fixture *fixture)
{
  fixture->resyncs++;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoslist (GUri) uris = NULL;
  g_autofree char *uri = NULL;

  fixture->connections = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->seen = g_ptr_array_new_with_free_func (g_free);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (fixture->server, "/api/v1/events", NULL, NULL, websocket_cb,
                                     fixture, NULL);
  g_assert_true (
      soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  uri = g_uri_to_string (uris->data);
  fixture->url = g_strndup (uri, strlen (uri) - (g_str_has_suffix (uri, "/") ? 1 : 0));
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_ptr_array_unref (fixture->connections);
  g_ptr_array_unref (fixture->seen);
  soup_server_disconnect (fixture->server);
  g_object_unref (fixture->server);
  g_free (fixture->authorization);
  g_free (fixture->url);
}

static void
run_until (gboolean (*check) (Fixture *), Fixture *fixture, const char *what)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!check (fixture))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
one_connection (Fixture *fixture)
{
  return fixture->connections->len == 1;
}

static gboolean
two_connections (Fixture *fixture)
{
  return fixture->connections->len == 2;
}

static gboolean
seen_five (Fixture *fixture)
{
  return fixture->seen->len >= 5;
}

static gboolean
resynced (Fixture *fixture)
{
  return fixture->resyncs > 0;
}

static void
send (SoupWebsocketConnection *connection, const char *type, const char *device, const char *data)
{
  g_autofree char *text = g_strdup_printf (
      "{\"type\": \"%s\", \"time\": \"2026-12-01T12:00:00.000Z\", \"workspace_id\": \"wks-1\","
      " \"device_id\": \"%s\", \"data\": %s}",
      type, device, data);

  soup_websocket_connection_send_text (connection, text);
}

static void
test_batches_and_reconnect (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FdApiClient) api = fd_api_client_new (fixture->url, "secret-token");
  g_autoptr (FdEventsClient) client = fd_events_client_new (api);
  SoupWebsocketConnection *connection;

  g_signal_connect (client, "presence", G_CALLBACK (presence_cb), fixture);
  g_signal_connect (client, "data", G_CALLBACK (data_cb), fixture);
  g_signal_connect (client, "condition", G_CALLBACK (condition_cb), fixture);
  g_signal_connect (client, "resync", G_CALLBACK (resync_cb), fixture);
  fd_events_client_start (client);
  run_until (one_connection, fixture, "the client to connect");
  g_assert_cmpstr (fixture->authorization, ==, "Bearer secret-token");

  /* One burst, well within one batch. */
  connection = g_ptr_array_index (fixture->connections, 0);
  send (connection, "device.online", "dev-1", "{\"transport\": \"mqtt\"}");
  send (connection, "device.offline", "dev-1", "{\"transport\": \"mqtt\"}");
  send (connection, "device.online", "dev-1", "{\"transport\": \"https\"}");
  send (connection, "data", "dev-1",
        "{\"tag\": \"weather\", \"count\": 2, \"payload\": {\"t\": 1}}");
  send (connection, "data", "dev-2",
        "{\"tag\": \"weather\", \"count\": 1, \"payload\": {\"t\": 7}}");
  send (connection, "data", "dev-1",
        "{\"tag\": \"weather\", \"count\": 3, \"payload\": {\"t\": 2}}");
  soup_websocket_connection_send_text (connection, "not json");
  soup_websocket_connection_send_text (connection, "{\"type\": \"data\"}");
  send (connection, "condition.opened", "dev-1", "{\"uuid\": \"c-1\"}");
  send (connection, "condition.closed", "dev-1", "{\"uuid\": \"c-1\"}");
  run_until (seen_five, fixture, "the batch");
  g_assert_true (fd_events_client_get_connected (client));

  {
    const char *expected[] = {
      "presence dev-1 online https",    "data dev-2 weather 1 {\"t\":7}",
      "data dev-1 weather 5 {\"t\":2}", "condition.opened c-1",
      "condition.closed c-1",
    };

    /* Wait one more batch period: nothing else may come of the burst. */
    g_usleep (FD_EVENTS_CLIENT_FLUSH_MS * 2 * 1000);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_cmpuint (fixture->seen->len, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      g_assert_cmpstr (g_ptr_array_index (fixture->seen, i), ==, expected[i]);
  }

  /* The server drops it (a restart): it connects again by itself and says to resync. */
  g_assert_cmpuint (fixture->resyncs, ==, 0);
  soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  run_until (two_connections, fixture, "the client to reconnect");
  run_until (resynced, fixture, "resync");
  g_assert_cmpuint (fd_events_client_get_connections (client), ==, 2);

  fd_events_client_stop (client);
  g_assert_false (fd_events_client_get_connected (client));
}

static gboolean
seen_four (Fixture *fixture)
{
  return fixture->seen->len >= 4;
}

/* A busy integration's health, a burst a batch: its newest only; alerts every one. */
static void
test_integrations_and_alerts (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FdApiClient) api = fd_api_client_new (fixture->url, "secret-token");
  g_autoptr (FdEventsClient) client = fd_events_client_new (api);
  SoupWebsocketConnection *connection;
  const char *expected[] = {
    "alert.triggered wks-1 c-1",
    "integration wks-1 int-2 retrying 7",
    "integration wks-1 int-1 delivering 3",
    "alert.resolved wks-1 c-1",
  };

  g_signal_connect (client, "integration", G_CALLBACK (integration_cb), fixture);
  g_signal_connect (client, "alert", G_CALLBACK (alert_cb), fixture);
  fd_events_client_start (client);
  run_until (one_connection, fixture, "the client to connect");
  connection = g_ptr_array_index (fixture->connections, 0);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *health
          = g_strdup_printf ("{\"id\": \"int-1\", \"name\": \"Hook\", \"state\": \"delivering\", "
                             "\"queue_depth\": %u}",
                             i);

      if (i == 2)
        send (connection, "alert.triggered", "dev-1",
              "{\"rule_id\": \"alr-1\", \"condition_uuid\": \"c-1\", \"state\": \"active\"}");
      send (connection, "integration.updated", "", health);
      if (i == 2)
        send (connection, "integration.updated", "",
              "{\"id\": \"int-2\", \"state\": \"retrying\", \"queue_depth\": 7}");
    }
  send (connection, "alert.resolved", "dev-1",
        "{\"rule_id\": \"alr-1\", \"condition_uuid\": \"c-1\", \"state\": \"resolved\"}");
  run_until (seen_four, fixture, "the batch");
  g_usleep (FD_EVENTS_CLIENT_FLUSH_MS * 2 * 1000);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* Kept in the place of the newest of each: int-2's came before int-1's last. */
  g_assert_cmpuint (fixture->seen->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (g_ptr_array_index (fixture->seen, i), ==, expected[i]);
  fd_events_client_stop (client);
}

static void
test_parse (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) event = NULL;
  const char *good = "{\"type\": \"data\", \"device_id\": \"d\", \"data\": {\"tag\": \"t\"}}";
  const char *bad[] = { "",
                        "[]",
                        "{\"type\": 1, \"data\": {}}",
                        "{\"type\": \"data\"}",
                        "{\"type\": \"data\", \"data\": []}",
                        "{\"data\": {}}" };

  event = fd_events_client_parse (good, strlen (good), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fd_json_get_string (event, "type"), ==, "data");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) refused = NULL;

      g_assert_null (fd_events_client_parse (bad[i], strlen (bad[i]), &refused));
      g_assert_nonnull (refused);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/events-client/parse", test_parse);
  g_test_add ("/events-client/batches-and-reconnect", Fixture, NULL, fixture_set_up,
              test_batches_and_reconnect, fixture_tear_down);
  g_test_add ("/events-client/integrations-and-alerts", Fixture, NULL, fixture_set_up,
              test_integrations_and_alerts, fixture_tear_down);
  return g_test_run ();
}
