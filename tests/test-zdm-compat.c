/* test-zdm-compat.c — wire compatibility with Zerynth's Python device client: a real
 * fleetdesk-server (--public-name localhost), devices and credentials made through the API, and
 * tests/zdm-client.py (a re-implementation of zdm-client-py on paho-mqtt 1.6, see its header)
 * reading the zdevice.json of the credential's creation answer unchanged. What is asserted is
 * what an operator sees through the API: readings, the manifest, jobs moving from expected to
 * current, conditions open and closed; and what the device got back (#now, #conditions). */
#include "fd-test-mqtt.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* The client, driven over its stdin; every line it prints is kept until a test takes it. */
typedef struct
{
  GSubprocess *proc;
  GOutputStream *in;
  GDataInputStream *out;
  GPtrArray *lines;
} ZdmClient;

/* @in_callback: jobs answered from paho's callback without waiting (PyPI 1.0.1). */
static ZdmClient *
zc_start (const char *zdevice, gboolean ws, gboolean in_callback)
{
  g_autofree char *script
      = g_build_filename (g_getenv ("FD_SOURCE_DIR"), "tests", "zdm-client.py", NULL);
  const char *base[]
      = { "/usr/bin/python3", script,    "--zdevice", zdevice, "--job", "adder", "--job", "echo",
          "--condition",      "battery", NULL };
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  ZdmClient *zc = g_new0 (ZdmClient, 1);

  for (guint i = 0; base[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)base[i]);
  if (ws)
    g_ptr_array_add (argv, (char *)"--ws");
  if (in_callback)
    g_ptr_array_add (argv, (char *)"--answer-in-callback");
  g_ptr_array_add (argv, NULL);
  zc->proc
      = g_subprocess_newv ((const char *const *)argv->pdata,
                           G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  zc->in = g_subprocess_get_stdin_pipe (zc->proc);
  zc->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (zc->proc));
  zc->lines = g_ptr_array_new_with_free_func ((GDestroyNotify)json_node_unref);
  return zc;
}

/* Sends one command, a JSON array. */
static void
zc_send (ZdmClient *zc, const char *command)
{
  g_autofree char *line = g_strconcat (command, "\n", NULL);
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (zc->in, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
zc_matches (JsonNode *line, const char *member, const char *value)
{
  JsonObject *obj = json_node_get_object (line);
  JsonNode *m = json_object_get_member (obj, member);

  if (m == NULL)
    return FALSE;
  return value == NULL
         || (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING
             && g_str_equal (json_node_get_string (m), value));
}

/* The next line with @member (equal to @value when not NULL), taken from what was printed so
 * far or read until it comes. The client bounds each of its waits, so this read ends: with the
 * line, an {"error"} line, or the end of its output, both failing the test. */
static JsonNode *
zc_wait (ZdmClient *zc, const char *member, const char *value)
{
  for (guint i = 0;;)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *text = NULL;
      JsonNode *line;

      if (i < zc->lines->len)
        {
          if (zc_matches (zc->lines->pdata[i], member, value))
            return g_ptr_array_steal_index (zc->lines, i);
          i++;
          continue;
        }
      text = g_data_input_stream_read_line_utf8 (zc->out, NULL, NULL, &error);
      g_assert_no_error (error);
      if (text == NULL)
        g_error ("zdm-client.py ended before printing \"%s\"", member);
      g_test_message ("zdm-client.py: %s", text);
      line = json_from_string (text, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (line));
      if (json_object_has_member (json_node_get_object (line), "error"))
        g_error ("zdm-client.py: %s", text);
      g_ptr_array_add (zc->lines, line);
    }
}

/* The member @name of the line @member was waited for. */
static JsonNode *
zc_take (ZdmClient *zc, const char *member, const char *value, const char *name)
{
  g_autoptr (JsonNode) line = zc_wait (zc, member, value);
  JsonNode *m = json_object_get_member (json_node_get_object (line), name);

  g_assert_nonnull (m);
  return json_node_copy (m);
}

/* Disconnects and asserts the client ended well; frees it. */
static void
zc_finish (ZdmClient *zc)
{
  g_autoptr (JsonNode) bye = NULL;
  g_autoptr (GError) error = NULL;

  zc_send (zc, "[\"disconnect\"]");
  bye = zc_wait (zc, "ok", "disconnect");
  /* every job was taken by the test: one that ran twice (sent directly and in a #status
   * reply, say) would still be here */
  for (guint i = 0; i < zc->lines->len; i++)
    if (zc_matches (zc->lines->pdata[i], "job", NULL))
      {
        g_autofree char *text = json_to_string (zc->lines->pdata[i], FALSE);
        g_error ("a job ran that the test did not send, or ran twice: %s", text);
      }
  g_output_stream_close (zc->in, NULL, NULL);
  g_subprocess_wait_check (zc->proc, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (zc->out);
  g_object_unref (zc->proc);
  g_ptr_array_unref (zc->lines);
  g_free (zc);
}

/* A device with a key credential of @mode; its zdevice.json, from the creation answer, written
 * 0600 as a user would keep it. The file is checked as PY reads it. */
static char *
make_zdevice (const char *name, const char *mode, char **device_id)
{
  FdTestServer *srv = fd_tm_srv->srv;
  g_autofree char *body = g_strdup_printf ("{\"kind\": \"key\", \"mode\": \"%s\"}", mode);
  g_autofree char *id = fd_test_make_device (srv, fd_tm_srv->workspace, name);
  g_autoptr (JsonNode) cred = fd_td_make_credential (fd_tm_srv, id, body);
  JsonObject *z = json_object_get_object_member (json_node_get_object (cred), "zdevice");
  JsonObject *devinfo = json_object_get_object_member (z, "devinfo");
  JsonObject *endpoint = json_object_get_object_member (z, "endpoint");
  g_autoptr (JsonNode) znode = json_node_init_object (json_node_alloc (), z);
  g_autofree char *text = json_to_string (znode, TRUE);
  g_autofree char *file = g_strdup_printf ("%s.zdevice.json", name);
  char *path = g_build_filename (fd_tm_srv->dir, file, NULL);
  g_autoptr (GResolver) resolver = g_resolver_get_default ();
  g_autoptr (GError) error = NULL;
  GList *addresses;
  GStatBuf st;
  int fd;

  g_assert_cmpstr (json_object_get_string_member (devinfo, "device_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (devinfo, "mode"), ==, mode);
  g_assert_cmpstr (json_object_get_string_member (devinfo, "key_type"), ==, "sym");
  g_assert_cmpint (json_object_get_int_member (devinfo, "key_id"), >=, 0);
  g_assert_cmpstr (json_object_get_string_member (endpoint, "host"), ==, "localhost");
  g_assert_cmpint (json_object_get_int_member (endpoint, "port"), ==, srv->mqtt_port);
  g_assert_cmpint (json_object_get_int_member (endpoint, "https_port"), ==, srv->device_port);
  g_assert_cmpstr (json_object_get_string_member (endpoint, "mode"), ==, "secure");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (z, "cacert"),
                                   "-----BEGIN CERTIFICATE-----"));
  g_assert_cmpuint (strlen (json_object_get_string_member (z, "prvkey")), >, 0);
  /* the device connects to the name written in the file: it must resolve here */
  addresses = g_resolver_lookup_by_name (resolver, "localhost", NULL, &error);
  g_assert_no_error (error);
  g_resolver_free_addresses (addresses);

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, text, strlen (text)), ==, (gssize)strlen (text));
  g_assert_cmpint (close (fd), ==, 0);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  *device_id = g_steal_pointer (&id);
  return path;
}

/* GET /api/v1/devices/{id}@suffix */
static JsonNode *
device_get (const char *device_id, const char *suffix)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s%s", device_id, suffix);

  return fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
}

/* current[@key].v or expected[@key].v of GET /devices/{id}/status, or NULL. */
static JsonNode *
status_value (JsonNode *status, const char *map, const char *key)
{
  JsonObject *m = json_object_get_object_member (json_node_get_object (status), map);
  JsonNode *entry = json_object_get_member (m, key);

  if (entry == NULL)
    return NULL;
  g_assert_true (json_object_has_member (json_node_get_object (entry), "t"));
  return json_object_get_member (json_node_get_object (entry), "v");
}

/* GET /devices/{id}/status once @key's answer is in current and @key has left expected:
 * at once when the client waited for the PUBACK (it comes after the commit); polled, bounded,
 * when it answered from paho's callback without waiting. */
static JsonNode *
status_answered (const char *device_id, const char *key)
{
  for (guint i = 0; i < 300; i++)
    {
      JsonNode *status = device_get (device_id, "/status");

      if (status_value (status, "current", key) != NULL
          && status_value (status, "expected", key) == NULL)
        return status;
      json_node_unref (status);
      g_usleep (100 * 1000);
    }
  g_error ("the answer to %s did not reach the status maps within 30 s", key);
}

static void
send_message (const char *device_id, const char *body, gboolean delivered)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/messages", device_id);
  g_autoptr (JsonNode) sent = fd_test_api_expect (fd_tm_srv->srv, "POST", path, body, 202);

  g_assert_cmpint (json_object_get_boolean_member (json_node_get_object (sent), "delivered"), ==,
                   delivered);
}

/* The device as GET /devices/{id} shows it; waits (bounded) until its "online" is @online. */
static JsonNode *
device_when (const char *device_id, gboolean online)
{
  for (guint i = 0; i < 300; i++)
    {
      JsonNode *dev = device_get (device_id, "");

      if (json_object_get_boolean_member (json_node_get_object (dev), "online") == online)
        return dev;
      json_node_unref (dev);
      g_usleep (100 * 1000);
    }
  g_error ("device %s did not go %s within 30 s", device_id, online ? "online" : "offline");
}

static gint64
readings (const char *device_id, const char *tag)
{
  FdTdDevice d = { .id = (char *)device_id };

  return fd_tm_readings (&d, tag);
}

/* The manifest the client sent after #status is stored in current. */
static void
assert_manifest (JsonNode *status)
{
  JsonObject *manifest = json_node_get_object (status_value (status, "current", "__manifest"));
  JsonArray *jobs = json_object_get_array_member (manifest, "jobs");
  JsonArray *conditions = json_object_get_array_member (manifest, "conditions");

  g_assert_cmpuint (json_array_get_length (jobs), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (jobs, 0), ==, "adder");
  g_assert_cmpstr (json_array_get_string_element (jobs, 1), ==, "echo");
  g_assert_cmpuint (json_array_get_length (conditions), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (conditions, 0), ==, "battery");
}

/* A job sent while the device is offline waits in expected; at the next connect the client
 * finds it in the #status reply, runs it, answers; the answer is in current, the job gone
 * from expected. */
static void
connect_with_offline_job (ZdmClient *zc, const char *device_id)
{
  g_autoptr (JsonNode) args = NULL;
  g_autoptr (JsonNode) status = NULL;
  g_autoptr (JsonNode) answered = NULL;
  g_autoptr (JsonNode) connected = NULL;
  JsonNode *result;

  send_message (device_id,
                "{\"key\": \"@adder\", \"value\": {\"args\": {\"num1\": 3, \"num2\": 4}}}", FALSE);
  status = device_get (device_id, "/status");
  g_assert_nonnull (status_value (status, "expected", "@adder"));
  g_clear_pointer (&status, json_node_unref);

  zc_send (zc, "[\"connect\"]");
  connected = zc_wait (zc, "ok", "connect");
  {
    g_autoptr (JsonNode) job = zc_wait (zc, "job", "adder");
    JsonObject *obj = json_node_get_object (job);
    g_assert_cmpstr (json_object_get_string_member (obj, "via"), ==, "status");
    g_assert_cmpint (
        json_object_get_int_member (json_object_get_object_member (obj, "args"), "num2"), ==, 4);
  }
  answered = zc_wait (zc, "answered", "adder");

  status = status_answered (device_id, "@adder");
  result = status_value (status, "current", "@adder");
  g_assert_nonnull (result);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (result), "sum"), ==, 7);
  g_assert_null (status_value (status, "expected", "@adder"));
  assert_manifest (status);
}

/* A job sent while the device is online reaches it directly and is answered. */
static void
online_job (ZdmClient *zc, const char *device_id)
{
  g_autoptr (JsonNode) job = NULL;
  g_autoptr (JsonNode) answered = NULL;
  g_autoptr (JsonNode) status = NULL;
  JsonObject *echo;

  send_message (device_id, "{\"key\": \"@echo\", \"value\": {\"args\": {\"x\": \"hello\"}}}", TRUE);
  job = zc_wait (zc, "job", "echo");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (job), "via"), ==, "direct");
  answered = zc_wait (zc, "answered", "echo");
  status = status_answered (device_id, "@echo");
  echo = json_node_get_object (status_value (status, "current", "@echo"));
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (echo, "echo"), "x"), ==,
      "hello");
  g_assert_null (status_value (status, "expected", "@echo"));
}

static void
publish_readings (ZdmClient *zc, const char *device_id, guint n)
{
  gint64 before = readings (device_id, "weather");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *cmd
          = g_strdup_printf ("[\"publish\", \"weather\", {\"temp\": %u, \"hum\": 40}]", 20 + i);
      g_autoptr (JsonNode) ok = NULL;

      zc_send (zc, cmd);
      ok = zc_wait (zc, "ok", "publish"); /* after the PUBACK, so after the commit */
    }
  g_assert_cmpint (readings (device_id, "weather"), ==, before + n);
}

/* The condition @uuid in GET /workspaces/{id}/conditions?status=@status&device=…, or NULL. */
static JsonNode *
listed_condition (const char *device_id, const char *status, const char *uuid)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/conditions?status=%s&device=%s",
                                           fd_tm_srv->workspace, status, device_id);
  g_autoptr (JsonNode) list = fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
  JsonArray *items = json_object_get_array_member (json_node_get_object (list), "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      if (g_str_equal (json_object_get_string_member (json_node_get_object (item), "uuid"), uuid))
        return json_node_copy (item);
    }
  return NULL;
}

static gint64
time_ms (const char *text)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (t);
  return g_date_time_to_unix (t) * 1000 + g_date_time_get_microsecond (t) / 1000;
}

/* Opens a condition, sees it open in the API and in the #conditions reply, closes it with a
 * final payload, sees it closed with its duration and gone from #conditions. */
static void
condition_cycle (ZdmClient *zc, const char *device_id)
{
  g_autoptr (JsonNode) uuid_node = NULL;
  g_autoptr (JsonNode) start_node = NULL;
  g_autoptr (JsonNode) open = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) closed = NULL;
  g_autoptr (JsonNode) after = NULL;
  g_autoptr (JsonNode) finish_node = NULL;
  g_autofree char *close_cmd = NULL;
  const char *uuid;
  JsonObject *obj, *entry;

  zc_send (zc, "[\"open\", \"battery\", {\"lvl\": 15}]");
  {
    g_autoptr (JsonNode) line = zc_wait (zc, "opened", NULL);
    uuid_node = json_node_copy (json_object_get_member (json_node_get_object (line), "opened"));
    start_node = json_node_copy (json_object_get_member (json_node_get_object (line), "start"));
  }
  uuid = json_node_get_string (uuid_node);

  open = listed_condition (device_id, "open", uuid);
  g_assert_nonnull (open);
  obj = json_node_get_object (open);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "open");
  g_assert_cmpstr (json_object_get_string_member (obj, "tag"), ==, "battery");
  g_assert_cmpstr (json_object_get_string_member (obj, "device_id"), ==, device_id);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (obj, "payload"), "lvl"), ==, 15);
  g_assert_true (json_node_is_null (json_object_get_member (obj, "finish")));
  g_assert_cmpint (time_ms (json_object_get_string_member (obj, "start")), ==,
                   time_ms (json_node_get_string (start_node)));

  zc_send (zc, "[\"conditions\"]");
  reply = zc_take (zc, "open_conditions", NULL, "open_conditions");
  entry = json_object_get_object_member (json_node_get_object (reply), uuid);
  g_assert_nonnull (entry);
  g_assert_cmpstr (json_object_get_string_member (entry, "tag"), ==, "battery");
  g_assert_cmpint (time_ms (json_object_get_string_member (entry, "start")), ==,
                   time_ms (json_node_get_string (start_node)));

  /* a second at least, so that the duration says the condition lasted */
  g_usleep (1100 * 1000);
  close_cmd = g_strdup_printf ("[\"close\", \"%s\", {\"lvl\": 45}]", uuid);
  zc_send (zc, close_cmd);
  finish_node = zc_take (zc, "closed", uuid, "finish");

  g_assert_null (listed_condition (device_id, "open", uuid));
  closed = listed_condition (device_id, "closed", uuid);
  g_assert_nonnull (closed);
  obj = json_node_get_object (closed);
  g_assert_cmpstr (json_object_get_string_member (obj, "status"), ==, "closed");
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (obj, "payloadf"), "lvl"), ==, 45);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (obj, "payload"), "lvl"), ==, 15);
  g_assert_cmpint (time_ms (json_object_get_string_member (obj, "finish")), ==,
                   time_ms (json_node_get_string (finish_node)));
  g_assert_cmpfloat (json_object_get_double_member (obj, "duration"), >=, 1.0);

  zc_send (zc, "[\"conditions\"]");
  after = zc_take (zc, "open_conditions", NULL, "open_conditions");
  g_assert_false (json_object_has_member (json_node_get_object (after), uuid));
}

/* #now: the server's epoch seconds, between the test's clock before and after asking. */
static void
timestamp (ZdmClient *zc)
{
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (JsonNode) value = NULL;
  gint64 s;

  zc_send (zc, "[\"now\"]");
  value = zc_take (zc, "timestamp", NULL, "timestamp");
  s = json_object_get_int_member (json_node_get_object (value), "s");
  g_assert_cmpint (s, >=, before - 1);
  g_assert_cmpint (s, <=, g_get_real_time () / G_USEC_PER_SEC + 1);
}

/* device_token over MQTT/TLS: everything the issue lists for a Zerynth client. */
static void
test_device_token (void)
{
  g_autofree char *id = NULL;
  g_autofree char *zdevice = make_zdevice ("zdm-token", "device_token", &id);
  ZdmClient *zc = zc_start (zdevice, FALSE, FALSE);
  g_autoptr (JsonNode) dev = NULL;
  g_autoptr (JsonNode) gone = NULL;
  JsonObject *presence;

  connect_with_offline_job (zc, id);
  dev = device_when (id, TRUE);
  presence = json_object_get_object_member (json_node_get_object (dev), "presence");
  g_assert_cmpstr (json_object_get_string_member (presence, "transport"), ==, "mqtt");

  publish_readings (zc, id, 3);
  online_job (zc, id);
  timestamp (zc);
  condition_cycle (zc, id);
  zc_finish (zc);

  gone = device_when (id, FALSE);
  presence = json_object_get_object_member (json_node_get_object (gone), "presence");
  g_assert_false (json_node_is_null (json_object_get_member (presence, "disconnected_at")));
}

/* cloud_token: the same client, the token sent as the password unchanged. */
static void
test_cloud_token (void)
{
  g_autofree char *id = NULL;
  g_autofree char *zdevice = make_zdevice ("zdm-cloud", "cloud_token", &id);
  ZdmClient *zc = zc_start (zdevice, FALSE, FALSE);

  connect_with_offline_job (zc, id);
  publish_readings (zc, id, 2);
  online_job (zc, id);
  zc_finish (zc);
}

/* MQTT over WebSocket with the same kind of zdevice.json (endpoint.host and https_port). */
static void
test_websocket (void)
{
  g_autofree char *id = NULL;
  g_autofree char *zdevice = make_zdevice ("zdm-ws", "device_token", &id);
  ZdmClient *zc = zc_start (zdevice, TRUE, FALSE);
  g_autoptr (JsonNode) dev = NULL;

  connect_with_offline_job (zc, id);
  dev = device_when (id, TRUE);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_object_get_object_member (json_node_get_object (dev), "presence"), "transport"),
      ==, "mqtt-ws");
  publish_readings (zc, id, 2);
  online_job (zc, id);
  condition_cycle (zc, id);
  zc_finish (zc);
}

/* Jobs answered from inside paho's callback, without waiting for the PUBACK, as the PyPI
 * 1.0.1 client did: offline (from #status) and online. */
static void
test_answers_in_callback (void)
{
  g_autofree char *id = NULL;
  g_autofree char *zdevice = make_zdevice ("zdm-1.0.1", "device_token", &id);
  ZdmClient *zc = zc_start (zdevice, FALSE, TRUE);

  connect_with_offline_job (zc, id);
  online_job (zc, id);
  publish_readings (zc, id, 1);
  zc_finish (zc);
}

/* A start as utcnow().isoformat() writes it when the microsecond is 0 (no fraction), and a
 * close with the finish left to the client: the times the API shows are the device's. */
static void
test_condition_times (void)
{
  g_autofree char *id = NULL;
  g_autofree char *zdevice = make_zdevice ("zdm-times", "device_token", &id);
  ZdmClient *zc = zc_start (zdevice, FALSE, FALSE);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) earlier = g_date_time_add_seconds (now, -30);
  g_autofree char *start = g_date_time_format (earlier, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *open_cmd = g_strdup_printf ("[\"open\", \"door\", null, \"%s\"]", start);
  g_autofree char *close_cmd = NULL;
  g_autoptr (JsonNode) connected = NULL;
  g_autoptr (JsonNode) uuid = NULL;
  g_autoptr (JsonNode) finish = NULL;
  g_autoptr (JsonNode) closed = NULL;
  JsonObject *obj;

  zc_send (zc, "[\"connect\"]");
  connected = zc_wait (zc, "ok", "connect");
  zc_send (zc, open_cmd);
  uuid = zc_take (zc, "opened", NULL, "opened");
  close_cmd = g_strdup_printf ("[\"close\", \"%s\", null]", json_node_get_string (uuid));
  zc_send (zc, close_cmd);
  finish = zc_take (zc, "closed", NULL, "finish");

  closed = listed_condition (id, "closed", json_node_get_string (uuid));
  g_assert_nonnull (closed);
  obj = json_node_get_object (closed);
  g_assert_cmpint (time_ms (json_object_get_string_member (obj, "start")), ==, time_ms (start));
  g_assert_cmpint (time_ms (json_object_get_string_member (obj, "finish")), ==,
                   time_ms (json_node_get_string (finish)));
  g_assert_true (json_node_is_null (json_object_get_member (obj, "payload")));
  g_assert_true (json_node_is_null (json_object_get_member (obj, "payloadf")));
  g_assert_cmpfloat (json_object_get_double_member (obj, "duration"), >=, 30.0);
  zc_finish (zc);
}

int
main (int argc, char **argv)
{
  const char *args[] = { "--public-name=localhost", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_tm_srv = fd_td_server_start (args);

  g_test_add_func ("/zdm-compat/device-token", test_device_token);
  g_test_add_func ("/zdm-compat/cloud-token", test_cloud_token);
  g_test_add_func ("/zdm-compat/websocket", test_websocket);
  g_test_add_func ("/zdm-compat/answers-in-callback", test_answers_in_callback);
  g_test_add_func ("/zdm-compat/condition-times", test_condition_times);
  status = g_test_run ();

  fd_td_server_stop (fd_tm_srv);
  return status;
}
