/* test-device-mqtt-broker.c — fleetdesk-device's MQTT client against a real broker, Debian's
 * mosquitto, on free loopback ports with certificates made by certtool: MQTT over TLS with a
 * token (user name + password) and with a client certificate (a listener that requires one),
 * MQTT over a WebSocket; what it publishes arrives exactly, on the Zerynth topics; `run`
 * answers a job sent with mosquitto_pub; `condition open` sends the open; the simulator's
 * devices are all acknowledged. Skipped when mosquitto is not installed.
 *
 * Against fleetdesk-server itself: test-device-mqtt.c.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>

#include "fd-test-server.h"

static char *tmp, *ca, *log_path;
static guint port_token, port_mtls, port_ws;
static GPid broker;
static char *tok_json, *cert_json, *fleet_dir;

static guint
free_port (void)
{
  g_autoptr (GSocket) s
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (s, any, TRUE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* A key and a certificate signed by the test CA, from @template_text. */
static void
sign (const char *name, const char *template_text)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", tmp, name);
  g_autofree char *pem = g_strdup_printf ("%s/%s.pem", tmp, name);
  g_autofree char *cfg_name = g_strdup_printf ("%s.cfg", name);
  g_autofree char *cfg = fd_test_write_file (tmp, cfg_name, template_text);
  g_autofree char *ca_key = g_strdup_printf ("%s/ca.key", tmp);
  const char *genkey[]
      = { "certtool", "--generate-privkey", "--key-type=ecdsa", "--outfile", key, NULL };
  const char *make[] = { "certtool",
                         "--generate-certificate",
                         "--load-privkey",
                         key,
                         "--load-ca-certificate",
                         ca,
                         "--load-ca-privkey",
                         ca_key,
                         "--template",
                         cfg,
                         "--outfile",
                         pem,
                         NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (fd_test_run (genkey, NULL, NULL), ==, 0);
  if (fd_test_run (make, NULL, &err) != 0)
    g_error ("certtool --generate-certificate failed: %s", err);
}

static char *
read_file (const char *name)
{
  g_autofree char *path = g_build_filename (tmp, name, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* A zdevice.json as fleetdesk-server writes one, pointed at the broker. */
static char *
zdevice (const char *dir, const char *id, gboolean certificate, guint port)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL, *name = g_strdup_printf ("%s.json", id);
  g_autofree char *cacert = read_file ("ca.pem");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "devinfo");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, certificate ? "certificate" : "cloud_token");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "prvkey");
  if (certificate)
    {
      g_autofree char *key = read_file ("dev.key");
      g_autofree char *crt = read_file ("dev.pem");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "clicert");
      json_builder_add_string_value (b, crt);
    }
  else
    json_builder_add_string_value (b, "a-cloud-token");
  json_builder_set_member_name (b, "endpoint");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, "localhost");
  json_builder_set_member_name (b, "port");
  json_builder_add_int_value (b, port);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, "secure");
  json_builder_set_member_name (b, "https_port");
  json_builder_add_int_value (b, port_ws);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "cacert");
  json_builder_add_string_value (b, cacert);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  return fd_test_write_file (dir, name, text);
}

/* Waits (10 s at most) for @needle in the broker's log: it logs every SUBSCRIBE. */
static void
wait_for_log (const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autofree char *text = NULL;
      if (g_file_get_contents (log_path, &text, NULL, NULL) && strstr (text, needle) != NULL)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

/* mosquitto_sub of @topic as client @id, for @count messages: returns its pid and stdout. */
static GPid
watch (const char *id, const char *topic, guint count, int *out_fd)
{
  g_autofree char *port = g_strdup_printf ("%u", port_token);
  g_autofree char *n = g_strdup_printf ("%u", count);
  g_autofree char *sub_line = g_strdup_printf ("Received SUBSCRIBE from %s", id);
  const char *argv[] = { "mosquitto_sub",
                         "-h",
                         "localhost",
                         "-p",
                         port,
                         "--cafile",
                         ca,
                         "-i",
                         id,
                         "-V",
                         "mqttv311",
                         "-q",
                         "1",
                         "-t",
                         topic,
                         "-C",
                         n,
                         "-W",
                         "20",
                         "-v",
                         NULL };
  GPid pid;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **)argv, NULL,
                                           G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                           NULL, &pid, NULL, out_fd, NULL, NULL));
  wait_for_log (sub_line);
  return pid;
}

/* What the watcher printed, once it has its messages (or its 20 s are up). */
static char *
watched (GPid pid, int fd)
{
  g_autoptr (GString) text = g_string_new (NULL);
  char buf[4096];
  gssize n;
  int status;

  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (text, buf, n);
  close (fd);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static int
device (char **out, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL, *ignored = NULL;
  int status;

  g_ptr_array_add (argv, (char *)g_getenv ("FD_DEVICE_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);
  /* Its output is always captured: this test's stdout is TAP, a stray line breaks it. */
  status = fd_test_run ((const char *const *)argv->pdata, out != NULL ? out : &ignored, &err);
  if (ignored != NULL && *ignored != '\0')
    g_test_message ("fleetdesk-device stdout: %s", ignored);
  if (err != NULL && *err != '\0')
    g_test_message ("fleetdesk-device stderr: %s", err);
  return status;
}

#define DEVICE(out, ...) device (out, (const char *const[]){ __VA_ARGS__, NULL })

static void
test_publish (void)
{
  int fd;
  GPid sub = watch ("watch-data", "j/data/#", 3, &fd);
  g_autofree char *o1 = NULL, *o2 = NULL, *o3 = NULL, *got = NULL;

  g_assert_cmpint (
      DEVICE (&o1, "-c", tok_json, "publish", "--transport", "mqtt", "weather", "{\"temp\": 21.5}"),
      ==, 0);
  g_assert_cmpstr (o1, ==, "{\"acknowledged\":1}\n");
  g_assert_cmpint (DEVICE (&o2, "-c", cert_json, "publish", "-T", "mqtt", "--tag", "power",
                           "--json", "{\"w\":3}"),
                   ==, 0);
  g_assert_cmpint (
      DEVICE (&o3, "-c", tok_json, "publish", "--transport", "mqtt-ws", "weather", "{\"temp\":22}"),
      ==, 0);
  got = watched (sub, fd);
  g_assert_cmpstr (got, ==,
                   "j/data/dev-tok/weather {\"temp\": 21.5}\n"
                   "j/data/dev-cert/power {\"w\":3}\n"
                   "j/data/dev-tok/weather {\"temp\":22}\n");
}

/* The certificate listener requires a client certificate: the token device has none. */
static void
test_certificate_required (void)
{
  g_autofree char *dir = g_build_filename (tmp, "wrong", NULL);
  g_autofree char *path = NULL;

  g_mkdir_with_parents (dir, 0700);
  path = zdevice (dir, "dev-tok", FALSE, port_mtls);
  g_assert_cmpint (DEVICE (NULL, "-c", path, "publish", "-T", "mqtt", "weather", "{\"t\":1}"), ==,
                   1);
  g_assert_cmpint (DEVICE (NULL, "-c", cert_json, "up", "-T", "mqtt", "__info", "{\"fw\":\"1\"}"),
                   ==, 0);
}

static void
test_run_answers_jobs (void)
{
  const char *argv[] = { g_getenv ("FD_DEVICE_BIN"),
                         "-c",
                         tok_json,
                         "run",
                         "--duration",
                         "20",
                         "--conditions",
                         "battery",
                         NULL };
  g_autofree char *port = g_strdup_printf ("%u", port_token);
  const char *pub[] = { "mosquitto_pub",
                        "-h",
                        "localhost",
                        "-p",
                        port,
                        "--cafile",
                        ca,
                        "-q",
                        "1",
                        "-t",
                        "j/dn/dev-tok",
                        "-m",
                        "{\"key\":\"@echo\",\"value\":{\"args\":{\"x\":1}},\"version\":5}",
                        NULL };
  int up_fd, run_out;
  GPid up = watch ("watch-up", "j/up/dev-tok", 3, &up_fd);
  g_autofree char *ups = NULL, *line = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  GPid run;
  int status;

  g_assert_true (g_spawn_async_with_pipes (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, &run, NULL, &run_out, NULL, NULL));
  wait_for_log ("Received SUBSCRIBE from dev-tok");
  g_assert_cmpint (fd_test_run (pub, NULL, NULL), ==, 0);
  /* run prints the down-message as it came. */
  stream = g_unix_input_stream_new (run_out, TRUE);
  lines = g_data_input_stream_new (stream);
  line = g_data_input_stream_read_line (lines, NULL, NULL, NULL);
  g_assert_cmpstr (line, ==, "{\"key\":\"@echo\",\"value\":{\"args\":{\"x\":1}},\"version\":5}");
  /* #status and __manifest after the SUBSCRIBE, then the job's result: its args. */
  ups = watched (up, up_fd);
  g_assert_cmpstr (ups, ==,
                   "j/up/dev-tok {\"key\":\"#status\",\"value\":{}}\n"
                   "j/up/dev-tok "
                   "{\"key\":\"__manifest\",\"value\":{\"jobs\":[\"reset\",\"echo\",\"sleep\","
                   "\"fail\",\"ping\"],"
                   "\"conditions\":[\"battery\"]}}\n"
                   "j/up/dev-tok {\"key\":\"@echo\",\"value\":{\"x\":1}}\n");
  kill (run, SIGTERM);
  waitpid (run, &status, 0);
  g_spawn_close_pid (run);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

static void
test_condition (void)
{
  int fd;
  GPid sub = watch ("watch-cond", "j/up/dev-cert", 2, &fd);
  g_autofree char *uuid = NULL, *o2 = NULL, *got = NULL, *open_line = NULL, *close_line = NULL;
  g_autoptr (GRegex) start
      = g_regex_new ("\"start\":\"[0-9-]{10}T[0-9:]{8}\\.[0-9]{6}Z\"", 0, 0, NULL);

  g_assert_cmpint (
      DEVICE (&uuid, "-c", cert_json, "condition", "-T", "mqtt", "open", "battery", "{\"lvl\":12}"),
      ==, 0);
  g_strstrip (uuid);
  g_assert_cmpint (
      DEVICE (&o2, "-c", cert_json, "condition", "-T", "mqtt-ws", "close", uuid, "{\"lvl\":60}"),
      ==, 0);
  got = watched (sub, fd);
  open_line = g_strdup_printf ("j/up/dev-cert {\"key\":\"condition\",\"value\":{\"uuid\":\"%s\","
                               "\"tag\":\"battery\",\"payload\":{\"lvl\":12},",
                               uuid);
  close_line = g_strdup_printf ("{\"key\":\"condition\",\"value\":{\"uuid\":\"%s\",\"payloadf\":{"
                                "\"lvl\":60},\"finish\":\"",
                                uuid);
  g_assert_true (g_str_has_prefix (got, open_line));
  g_assert_true (g_regex_match (start, got, 0, NULL));
  g_assert_nonnull (strstr (got, close_line));
}

static void
test_simulate (void)
{
  g_autofree char *out = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *o;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *id = g_strdup_printf ("dev-sim%02u", i);
      g_autofree char *path = zdevice (fleet_dir, id, FALSE, port_token);
    }
  g_assert_cmpint (DEVICE (&out, "simulate", "--credentials-dir", fleet_dir, "--devices", "50",
                           "--transport", "mqtt", "--rate", "0", "--window", "2", "--duration", "1",
                           "--quiet", "--json"),
                   ==, 0);
  node = json_from_string (out, NULL);
  g_assert_nonnull (node);
  o = json_node_get_object (node);
  g_assert_cmpint (json_object_get_int_member (o, "connected"), ==, 50);
  g_assert_cmpint (json_object_get_int_member (o, "errors"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "acknowledged"), >, 100);
  g_assert_cmpint (json_object_get_int_member (o, "acknowledged"), ==,
                   json_object_get_int_member (o, "sent"));
}

static void
start_broker (void)
{
  g_autofree char *conf = NULL, *conf_path = NULL, *srv_pem = NULL, *srv_key = NULL;
  const char *argv[4];
  gint64 deadline;

  fd_test_certtool (tmp, "ca", "--generate-self-signed",
                    "cn = \"broker test CA\"\nca\ncert_signing_key\nexpiration_days = 30\n", &ca,
                    NULL);
  sign ("server", "cn = \"localhost\"\ndns_name = \"localhost\"\nip_address = \"127.0.0.1\"\n"
                  "tls_www_server\nsigning_key\nexpiration_days = 30\n");
  sign ("dev", "cn = \"dev-cert\"\ntls_www_client\nsigning_key\nexpiration_days = 30\n");
  srv_pem = g_build_filename (tmp, "server.pem", NULL);
  srv_key = g_build_filename (tmp, "server.key", NULL);
  port_token = free_port ();
  port_mtls = free_port ();
  port_ws = free_port ();
  log_path = g_build_filename (tmp, "mosquitto.log", NULL);
  conf = g_strdup_printf ("%sper_listener_settings false\nallow_anonymous true\n"
                          "persistence false\nlog_dest file %s\nlog_type all\n"
                          "listener %u 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\n"
                          "listener %u 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\n"
                          "require_certificate true\n"
                          "listener %u 127.0.0.1\nprotocol websockets\ncafile %s\ncertfile %s\n"
                          "keyfile %s\n",
                          getuid () == 0 ? "user root\n" : "", log_path, port_token, ca, srv_pem,
                          srv_key, port_mtls, ca, srv_pem, srv_key, port_ws, ca, srv_pem, srv_key);
  conf_path = fd_test_write_file (tmp, "mosquitto.conf", conf);
  argv[0] = "mosquitto";
  argv[1] = "-c";
  argv[2] = conf_path;
  argv[3] = NULL;
  g_assert_true (g_spawn_async (NULL, (char **)argv, NULL,
                                G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &broker, NULL));
  /* Ready when its last listener takes connections. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr (GSocketClient) client = g_socket_client_new ();
      g_autoptr (GSocketConnection) conn
          = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16)port_ws, NULL, NULL);
      if (conn != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

int
main (int argc, char **argv)
{
  g_autofree char *mosquitto = g_find_program_in_path ("mosquitto");
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (mosquitto == NULL && g_file_test ("/usr/sbin/mosquitto", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_autofree char *path = g_strdup_printf ("%s:/usr/sbin", g_getenv ("PATH"));
      g_setenv ("PATH", path, TRUE);
      mosquitto = g_strdup ("/usr/sbin/mosquitto");
    }
  if (mosquitto == NULL || g_find_program_in_path ("mosquitto_sub") == NULL)
    {
      g_test_skip ("mosquitto and mosquitto-clients are not installed");
      return g_test_run ();
    }
  tmp = g_dir_make_tmp ("fd-test-broker-XXXXXX", NULL);
  fleet_dir = g_build_filename (tmp, "fleet", NULL);
  g_mkdir_with_parents (fleet_dir, 0700);
  start_broker ();
  tok_json = zdevice (tmp, "dev-tok", FALSE, port_token);
  cert_json = zdevice (tmp, "dev-cert", TRUE, port_mtls);

  g_test_add_func ("/device-mqtt-broker/publish", test_publish);
  g_test_add_func ("/device-mqtt-broker/certificate-required", test_certificate_required);
  g_test_add_func ("/device-mqtt-broker/run-answers-jobs", test_run_answers_jobs);
  g_test_add_func ("/device-mqtt-broker/condition", test_condition);
  g_test_add_func ("/device-mqtt-broker/simulate", test_simulate);
  rc = g_test_run ();

  kill (broker, SIGTERM);
  waitpid (broker, NULL, 0);
  fd_test_rm_rf (tmp);
  return rc;
}
