/* test-device-mqtt.c — fleetdesk-device on MQTT against a real fleetdesk-server: a reading
 * published over MQTT/TLS (device token) and over the WebSocket (client certificate) is
 * stored and shown by the API; `run` answers a job sent through POST /devices/{id}/messages and
 * the API shows the result in the device's status (and the job no longer expected); 200
 * simulated MQTT devices are all connected and every acknowledged reading is stored; the
 * simulator's batteries open and close conditions the conditions API lists.
 *
 * Skipped while fleetdesk-server has no MQTT listener (ports.json "mqtt").
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <gio/gunixinputstream.h>

#include "fd-test-api-util.h"
#include "fd-test-devices.h"

static FdTestServer *srv;
static char *workspace, *tmp, *tokens_dir, *certs_dir;
static GPtrArray *token_ids, *cert_ids;
static guint mqtt_port;

/* srv->mqtt_port (DATA/ports.json "mqtt") when something listens there, else 0. */
static guint
server_mqtt_port (void)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;

  if (srv->mqtt_port == 0)
    return 0;
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16)srv->mqtt_port, NULL, NULL);
  return conn != NULL ? srv->mqtt_port : 0;
}

/* The import's zdevice.json files, with endpoint.port the port the server listens on. */
static void
set_port (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL, *out = NULL;
      g_autoptr (JsonNode) node = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      node = json_from_string (text, NULL);
      json_object_set_int_member (
          json_object_get_object_member (json_node_get_object (node), "endpoint"), "port",
          mqtt_port);
      out = json_to_string (node, FALSE);
      g_assert_true (g_file_set_contents (path, out, -1, NULL));
    }
}

static char *
zdevice (const char *dir, const char *id)
{
  g_autofree char *name = g_strdup_printf ("%s.json", id);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *file;

  /* The import names the files after the devices' names; find the one with this id. */
  while ((file = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autofree char *text = NULL;
      if (g_file_get_contents (path, &text, NULL, NULL) && strstr (text, id) != NULL)
        return g_steal_pointer (&path);
    }
  g_error ("no zdevice.json for %s in %s", id, dir);
  return NULL;
}

static int
device (char **out, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, (char *)g_getenv ("FD_DEVICE_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);
  status = fd_test_run ((const char *const *)argv->pdata, out, &err);
  if (err != NULL && *err != '\0')
    g_test_message ("fleetdesk-device stderr: %s", err);
  return status;
}

#define DEVICE(out, ...) device (out, (const char *const[]){ __VA_ARGS__, NULL })

static gint64
tag_readings (const char *device_id, const char *tag)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/tags", device_id);
  g_autoptr (JsonNode) list = fd_t_call (srv, "GET", path, NULL, 200);
  JsonArray *items = fd_t_items (list);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *t = json_array_get_object_element (items, i);
      if (g_str_equal (json_object_get_string_member (t, "tag"), tag))
        return json_object_get_int_member (t, "readings");
    }
  return 0;
}

static gboolean
need_mqtt (void)
{
  if (mqtt_port != 0)
    return TRUE;
  g_test_skip ("fleetdesk-server has no MQTT listener in this build (ports.json \"mqtt\")");
  return FALSE;
}

static void
test_publish (void)
{
  const char *tok = token_ids->pdata[0], *cert = cert_ids->pdata[0];
  g_autofree char *tok_json = NULL, *cert_json = NULL, *o1 = NULL, *o2 = NULL;

  if (!need_mqtt ())
    return;
  tok_json = zdevice (tokens_dir, tok);
  cert_json = zdevice (certs_dir, cert);
  g_assert_cmpint (
      DEVICE (&o1, "-c", tok_json, "publish", "--transport", "mqtt", "weather", "{\"temp\": 21.5}"),
      ==, 0);
  g_assert_cmpstr (o1, ==, "{\"acknowledged\":1}\n");
  /* PUBACK comes after the commit: the reading is there now. */
  g_assert_cmpint (tag_readings (tok, "weather"), ==, 1);
  g_assert_cmpint (
      DEVICE (&o2, "-c", cert_json, "publish", "--transport", "mqtt-ws", "power", "{\"w\": 3}"), ==,
      0);
  g_assert_cmpint (tag_readings (cert, "power"), ==, 1);
}

/* current["@echo"] of the device's status, as JSON text, or NULL; *@expected whether the job is
 * still in the expected map. */
static char *
echo_result (const char *device_id, gboolean *expected)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/status", device_id);
  g_autoptr (JsonNode) status = fd_t_call (srv, "GET", path, NULL, 200);
  JsonObject *current = json_object_get_object_member (fd_t_obj (status), "current");
  JsonObject *exp = json_object_get_object_member (fd_t_obj (status), "expected");
  JsonObject *entry;

  *expected = exp != NULL && json_object_has_member (exp, "@echo");
  if (current == NULL || !json_object_has_member (current, "@echo"))
    return NULL;
  entry = json_object_get_object_member (current, "@echo");
  return json_to_string (json_object_get_member (entry, "v"), FALSE);
}

static void
test_run_answers_message (void)
{
  const char *id = token_ids->pdata[1];
  g_autofree char *json = NULL, *path = NULL, *line = NULL, *result = NULL;
  g_autoptr (GInputStream) out_stream = NULL, err_stream = NULL;
  g_autoptr (GDataInputStream) out_lines = NULL, err_lines = NULL;
  g_autoptr (JsonNode) sent = NULL;
  gboolean expected = TRUE;
  gint64 deadline;
  GPid run;
  int out_fd, err_fd, status;
  guint code = 0;

  if (!need_mqtt ())
    return;
  json = zdevice (tokens_dir, id);
  {
    const char *argv[]
        = { g_getenv ("FD_DEVICE_BIN"), "-c", json, "run", "--duration", "30", NULL };
    g_assert_true (g_spawn_async_with_pipes (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                             NULL, NULL, &run, NULL, &out_fd, &err_fd, NULL));
  }
  err_stream = g_unix_input_stream_new (err_fd, TRUE);
  err_lines = g_data_input_stream_new (err_stream);
  line = g_data_input_stream_read_line (err_lines, NULL, NULL, NULL);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "connected over mqtt"));

  path = g_strdup_printf (FD_T_API "/devices/%s/messages", id);
  sent = fd_test_api (srv, "POST", path, "{\"key\": \"@echo\", \"value\": {\"args\": {\"n\": 7}}}",
                      &code);
  g_assert_cmpuint (code, >=, 200);
  g_assert_cmpuint (code, <, 300);

  /* The job arrives on j/dn (at once, or in the #status reply's expected map). */
  out_stream = g_unix_input_stream_new (out_fd, TRUE);
  out_lines = g_data_input_stream_new (out_stream);
  for (;;)
    {
      g_autofree char *dn = g_data_input_stream_read_line (out_lines, NULL, NULL, NULL);
      g_assert_nonnull (dn);
      if (strstr (dn, "\"@echo\"") != NULL)
        break;
    }
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((result = echo_result (id, &expected)) == NULL || expected)
    {
      g_clear_pointer (&result, g_free);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
  g_assert_cmpstr (result, ==, "{\"n\":7}");
  kill (run, SIGTERM);
  waitpid (run, &status, 0);
  g_spawn_close_pid (run);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

static void
test_simulate (void)
{
  g_autofree char *wks = NULL, *dir = NULL, *out = NULL, *tags_path = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (JsonNode) summary = NULL, tags = NULL;
  static const char *const keys[] = { "key", NULL };
  JsonArray *items;
  gint64 stored = 0;
  JsonObject *o;

  if (!need_mqtt ())
    return;
  wks = fd_test_make_workspace (srv, "mqtt fleet");
  dir = g_build_filename (tmp, "fleet", NULL);
  ids = fd_test_import_devices (srv, wks, "sim", 200, keys, dir, NULL);
  set_port (dir);
  g_assert_cmpint (DEVICE (&out, "simulate", "--credentials-dir", dir, "--devices", "200",
                           "--transport", "mqtt", "--rate", "0", "--window", "2", "--tags",
                           "weather,power", "--duration", "2", "--battery-low", "0", "--quiet",
                           "--json"),
                   ==, 0);
  summary = json_from_string (out, NULL);
  g_assert_nonnull (summary);
  o = fd_t_obj (summary);
  g_assert_cmpint (json_object_get_int_member (o, "connected"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (o, "errors"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "acknowledged"), ==,
                   json_object_get_int_member (o, "sent"));
  g_assert_cmpint (json_object_get_int_member (o, "acknowledged"), >=, 400);
  /* Every device answered #status was answered: one reply per device. */
  g_assert_cmpint (json_object_get_int_member (o, "status_replies"), ==, 200);

  tags_path = g_strdup_printf (FD_T_API "/workspaces/%s/tags", wks);
  tags = fd_t_call (srv, "GET", tags_path, NULL, 200);
  items = fd_t_items (tags);
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *t = json_array_get_object_element (items, i);
      stored += json_object_get_int_member (t, "readings");
      g_assert_cmpint (json_object_get_int_member (t, "devices"), ==, 200);
    }
  g_assert_cmpint (stored, ==, json_object_get_int_member (o, "acknowledged"));
}

static gint64
conditions_total (const char *wks, const char *status)
{
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/workspaces/%s/conditions?status=%s&tag=battery", wks, status);
  return fd_t_total (srv, path);
}

/* The simulator's batteries open and close the "battery" condition over MQTT; the conditions
 * API lists as many open and closed ones as it sent. */
static void
test_simulated_conditions (void)
{
  static const char *const keys[] = { "key", NULL };
  g_autofree char *wks = NULL, *dir = NULL, *out = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (JsonNode) summary = NULL;
  gint64 opened, closed, deadline;

  if (!need_mqtt ())
    return;
  wks = fd_test_make_workspace (srv, "battery fleet");
  dir = g_build_filename (tmp, "batteries", NULL);
  ids = fd_test_import_devices (srv, wks, "bat", 20, keys, dir, NULL);
  set_port (dir);
  /* Levels start between 95 and 100 and fall 0.5-2 a second: most open within the run, and
   * charging at 4 a second closes them at 100. */
  g_assert_cmpint (DEVICE (&out, "simulate", "--credentials-dir", dir, "--devices", "20",
                           "--transport", "mqtt", "--rate", "2", "--battery-low", "95",
                           "--duration", "6", "--quiet", "--json"),
                   ==, 0);
  summary = json_from_string (out, NULL);
  opened = fd_t_int (summary, "conditions_opened");
  closed = fd_t_int (summary, "conditions_closed");
  g_assert_cmpint (opened, >, 0);
  g_assert_cmpint (closed, >, 0);
  g_assert_cmpint (fd_t_int (summary, "errors"), ==, 0);
  /* The simulator does not wait for the PUBACKs of its condition messages. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (conditions_total (wks, "closed") != closed
         || conditions_total (wks, "open") != opened - closed)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
}

int
main (int argc, char **argv)
{
  static const char *const keys[] = { "key", NULL };
  static const char *const certs[] = { "generate", NULL };
  const char *args[] = { "--public-name", "localhost", "--device-rate=0", NULL };
  int rc;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start_with_args (args);
  mqtt_port = server_mqtt_port ();
  tmp = g_dir_make_tmp ("fd-test-device-mqtt-XXXXXX", NULL);
  workspace = fd_test_make_workspace (srv, "mqtt devices");
  tokens_dir = g_build_filename (tmp, "tokens", NULL);
  certs_dir = g_build_filename (tmp, "certs", NULL);
  token_ids = fd_test_import_devices (srv, workspace, "tok", 2, keys, tokens_dir, NULL);
  cert_ids = fd_test_import_devices (srv, workspace, "crt", 1, certs, certs_dir, NULL);
  if (mqtt_port != 0)
    {
      set_port (tokens_dir);
      set_port (certs_dir);
    }

  g_test_add_func ("/device-mqtt/publish", test_publish);
  g_test_add_func ("/device-mqtt/run-answers-message", test_run_answers_message);
  g_test_add_func ("/device-mqtt/simulate", test_simulate);
  g_test_add_func ("/device-mqtt/simulated-conditions", test_simulated_conditions);
  rc = g_test_run ();

  fd_test_server_stop (srv);
  fd_test_rm_rf (tmp);
  g_ptr_array_unref (token_ids);
  g_ptr_array_unref (cert_ids);
  return rc;
}
