/* fleetdesk-device — Fleetdesk's reference device client and simulator.
 *
 *   fleetdesk-device --credentials zdevice.json publish --tag T --json '{...}' [--ts TS]
 *   fleetdesk-device --credentials zdevice.json publish --tag T --batch FILE.json
 *   fleetdesk-device --credentials zdevice.json up --key K --json VALUE
 *   fleetdesk-device --credentials zdevice.json whoami
 *   fleetdesk-device -c zdevice.json publish --transport mqtt|mqtt-ws|https TAG JSON
 *   fleetdesk-device -c zdevice.json up --transport mqtt KEY JSON
 *   fleetdesk-device -c zdevice.json condition open|close … [--transport …]
 *   fleetdesk-device -c zdevice.json run [--transport mqtt|mqtt-ws] [--duration S]
 *   fleetdesk-device simulate --credentials-dir DIR --devices N --rate R --tags weather,power
 *                             --duration S [--batch K] [--quiet] [--json]
 *
 * Exit status: 0 when the server accepted, 1 on an error answer (its message on stderr) or
 * when the server could not be reached, 2 on a usage error.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <json-glib/json-glib.h>

#include "fd-device-agent.h"
#include "fd-device-client.h"
#include "fd-device-cmd-mqtt.h"
#include "fd-device-sim.h"

#define EXIT_ANSWER 1
#define EXIT_USAGE 2
/* A --batch file: as much as the server takes in one body. */
#define MAX_BATCH_FILE_BYTES (16 * 1024 * 1024)

static char *opt_credentials;
static char *opt_host;

static const GOptionEntry global_entries[] = {
  { "credentials", 'c', 0, G_OPTION_ARG_FILENAME, &opt_credentials, "The device's zdevice.json",
    "FILE" },
  { "host", 0, 0, G_OPTION_ARG_STRING, &opt_host,
    "Connect to HOST instead of endpoint.host (the server's certificate must name it)", "HOST" },
  { NULL },
};

static const char summary_text[]
    = "Commands:\n"
      "  publish   post one reading (--json, optionally --ts) or a batch (--batch FILE) under a "
      "tag\n"
      "  up        post a key/value up message (--key K --json VALUE)\n"
      "  whoami    ask the server who this device is\n"
      "  run       stay connected over MQTT: print down-messages, answer jobs (alias: listen)\n"
      "  condition open TAG [PAYLOAD] | close UUID [PAYLOADF]: a condition up-message\n"
      "  simulate  run N simulated devices from a directory of zdevice.json files\n"
      "\n"
      "Run \"fleetdesk-device COMMAND --help\" for a command's options.";

static int
usage_error (const char *message)
{
  g_printerr ("fleetdesk-device: %s\nTry \"fleetdesk-device --help\".\n", message);
  return EXIT_USAGE;
}

/* The zdevice.json of --credentials, with --host applied; NULL (after a message) when it
 * cannot be used. */
static FdDeviceConfig *
load_config (void)
{
  g_autoptr (GError) error = NULL;
  FdDeviceConfig *config = fd_device_config_load (opt_credentials, &error);

  if (config == NULL)
    {
      g_printerr ("fleetdesk-device: %s\n", error->message);
      return NULL;
    }
  if (opt_host != NULL)
    {
      g_free (config->host);
      config->host = g_strdup (opt_host);
    }
  return config;
}

/* ---- one request, waited for --------------------------------------------------------------- */

static void
on_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  GAsyncResult **out = data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* Sends one request with the device of --credentials and prints the answer: the body on
 * stdout when the status is @expected, the error on stderr otherwise. */
static int
run_request (const char *method, const char *path, const char *body, gsize body_len, guint expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceConfig) config = NULL;
  g_autoptr (FdDeviceClient) client = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (FdDeviceResponse) response = NULL;
  g_autoptr (GBytes) bytes = body ? g_bytes_new_static (body, body_len) : NULL;
  g_autofree char *code = NULL, *message = NULL;
  gsize len = 0;
  const char *text;

  if (opt_credentials == NULL)
    return usage_error ("--credentials zdevice.json is required");
  config = load_config ();
  if (config == NULL)
    return EXIT_ANSWER;
  client = fd_device_client_new (g_steal_pointer (&config), NULL, &error);
  if (client == NULL)
    {
      g_printerr ("fleetdesk-device: %s\n", error->message);
      return EXIT_ANSWER;
    }
  fd_device_client_request_async (client, method, path, body ? "application/json" : NULL, bytes,
                                  NULL, on_answer, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  response = fd_device_client_request_finish (client, result, &error);
  if (response == NULL)
    {
      g_printerr ("fleetdesk-device: %s\n", error->message);
      return EXIT_ANSWER;
    }

  text = g_bytes_get_data (response->body, &len);
  if (response->status == expected)
    {
      fwrite (text, 1, len, stdout);
      if (len > 0 && text[len - 1] != '\n')
        putchar ('\n');
      return EXIT_SUCCESS;
    }
  if (fd_device_response_get_error (response, &code, &message))
    g_printerr ("fleetdesk-device: %u %s: %s\n", response->status, code ? code : "",
                message ? message : "");
  else
    g_printerr ("fleetdesk-device: %u %s: %.*s\n", response->status, response->reason,
                (int)MIN (len, 2000), text ? text : "");
  return EXIT_ANSWER;
}

/* ---- commands ------------------------------------------------------------------------------ */

/* Parses the command's own options; "--credentials" and "--host" may come after the command
 * too. At most @max_args arguments may be left in *@argv (after argv[0]). Returns -1 when
 * parsing went well, else the exit status. */
static int
parse_command_args (const char *name, const char *params, const char *description,
                    const GOptionEntry *entries, int max_args, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (params);
  g_autoptr (GError) error = NULL;
  g_autofree char *prog = g_strdup_printf ("fleetdesk-device %s", name);

  g_set_prgname (prog);
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_main_entries (ctx, global_entries, NULL);
  g_option_context_set_description (ctx, description);
  if (!g_option_context_parse (ctx, argc, argv, &error))
    return usage_error (error->message);
  g_set_prgname ("fleetdesk-device");
  if (*argc > 1 + max_args)
    {
      g_autofree char *msg
          = g_strdup_printf ("%s: unexpected argument \"%s\"", name, (*argv)[1 + max_args]);
      return usage_error (msg);
    }
  return -1;
}

static int
parse_command (const char *name, const char *params, const char *description,
               const GOptionEntry *entries, int *argc, char ***argv)
{
  return parse_command_args (name, params, description, entries, 0, argc, argv);
}

/* --transport: "https" (the default), "mqtt" or "mqtt-ws". */
static gboolean
parse_transport (const char *name, FdDeviceTransport *out)
{
  *out = FD_DEVICE_TRANSPORT_HTTPS;
  return name == NULL || fd_device_transport_parse (name, out);
}

/* Sends @key/@value_json over @transport: POST /v1/up, or a QoS 1 PUBLISH on j/up/<id>. */
static int
send_up (FdDeviceTransport transport, const char *key, const char *value_json)
{
  g_autofree char *body = fd_device_up_envelope (key, value_json);
  g_autofree char *topic = NULL;
  FdDeviceConfig *config;

  if (transport == FD_DEVICE_TRANSPORT_HTTPS)
    return run_request ("POST", "/v1/up", body, strlen (body), 202);
  if (opt_credentials == NULL)
    return usage_error ("--credentials zdevice.json is required");
  if ((config = load_config ()) == NULL)
    return EXIT_ANSWER;
  topic = g_strconcat ("j/up/", config->device_id, NULL);
  return fd_device_cmd_mqtt_publish (config, transport, topic, body, strlen (body));
}

/* The text of --json: any JSON when @object_only is FALSE, else a JSON object. */
static gboolean
check_json (const char *text, gboolean object_only, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || (object_only && !JSON_NODE_HOLDS_OBJECT (root)))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           object_only ? "a reading must be a JSON object" : "empty");
      return FALSE;
    }
  return TRUE;
}

/* --ts: epoch milliseconds (digits) as a JSON number, or an RFC 3339 time as a JSON string. */
static char *
ts_json (const char *ts)
{
  g_autoptr (GDateTime) parsed = NULL;
  gboolean digits = *ts != '\0' && strlen (ts) <= 15;

  for (const char *p = ts; *p && digits; p++)
    digits = g_ascii_isdigit (*p);
  if (digits)
    return g_strdup (ts);
  parsed = strchr (ts, 'T') || strchr (ts, 't') ? g_date_time_new_from_iso8601 (ts, NULL) : NULL;
  if (parsed == NULL || strchr (ts, '"') || strchr (ts, '\\'))
    return NULL;
  return g_strdup_printf ("\"%s\"", ts);
}

static int
cmd_publish (int argc, char **argv)
{
  g_autofree char *tag = NULL, *json = NULL, *ts = NULL, *batch = NULL, *transport_name = NULL;
  g_autofree char *path = NULL, *body = NULL;
  g_autoptr (GError) error = NULL;
  FdDeviceTransport transport;
  gsize body_len = 0;
  int rc;
  const GOptionEntry entries[] = {
    { "transport", 'T', 0, G_OPTION_ARG_STRING, &transport_name,
      "https (default), mqtt (MQTT over TLS, endpoint.port) or mqtt-ws (MQTT over WebSocket)",
      "T" },
    { "tag", 't', 0, G_OPTION_ARG_STRING, &tag, "The tag to publish under (required)", "TAG" },
    { "json", 'j', 0, G_OPTION_ARG_STRING, &json, "One reading: a JSON object", "OBJECT" },
    { "ts", 0, 0, G_OPTION_ARG_STRING, &ts,
      "The reading's time (RFC 3339 or epoch milliseconds); default: when it arrives", "TIME" },
    { "batch", 'b', 0, G_OPTION_ARG_FILENAME, &batch,
      "A file with a batch: [{\"ts\": …, \"payload\": {…}}, …]", "FILE" },
    { NULL },
  };

  rc = parse_command_args ("publish", "[TAG JSON] - post readings under a tag",
                           "Prints the server's answer ({\"accepted\": N}; over MQTT "
                           "{\"acknowledged\":1} once the PUBACK came); exits 0 on 202 or PUBACK, "
                           "1 on an error answer, 2 on a usage error.",
                           entries, 2, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (argc == 2)
    return usage_error ("publish: give TAG and JSON, or --tag and --json");
  if (argc == 3)
    {
      if (tag != NULL || json != NULL)
        return usage_error ("publish: TAG JSON, or --tag and --json, not both");
      tag = g_strdup (argv[1]);
      json = g_strdup (argv[2]);
    }
  if (!parse_transport (transport_name, &transport))
    return usage_error ("publish: --transport must be https, mqtt or mqtt-ws");
  if (tag == NULL)
    return usage_error ("publish: --tag is required");
  if (!fd_device_tag_check (tag, &error))
    {
      g_autofree char *msg = g_strdup_printf ("publish: --tag: %s", error->message);
      return usage_error (msg);
    }
  if ((json == NULL) == (batch == NULL))
    return usage_error ("publish: give either --json OBJECT or --batch FILE");
  if (batch != NULL && ts != NULL)
    return usage_error ("publish: --ts goes with --json; a batch has a ts per reading");
  if (transport != FD_DEVICE_TRANSPORT_HTTPS && (batch != NULL || ts != NULL))
    return usage_error ("publish: over MQTT a reading is one object stamped when it arrives "
                        "(no --ts, no --batch)");

  if (json != NULL)
    {
      if (!check_json (json, TRUE, &error))
        {
          g_autofree char *msg = g_strdup_printf ("publish: --json: %s", error->message);
          return usage_error (msg);
        }
      if (ts != NULL)
        {
          g_autofree char *ts_value = ts_json (ts);
          if (ts_value == NULL)
            return usage_error ("publish: --ts must be RFC 3339 (2026-11-27T10:00:00Z) or "
                                "epoch milliseconds");
          body = g_strdup_printf ("[{\"ts\": %s, \"payload\": %s}]", ts_value, json);
        }
      else
        body = g_strdup (json);
      body_len = strlen (body);
    }
  else
    {
      g_autoptr (GMappedFile) file = g_mapped_file_new (batch, FALSE, &error);
      if (file == NULL)
        {
          g_autofree char *msg = g_strdup_printf ("publish: --batch: %s", error->message);
          return usage_error (msg);
        }
      body_len = g_mapped_file_get_length (file);
      if (body_len == 0)
        return usage_error ("publish: --batch: the file is empty");
      if (body_len > MAX_BATCH_FILE_BYTES)
        return usage_error ("publish: --batch: the file is larger than the server takes (16 MiB)");
      body = g_strndup (g_mapped_file_get_contents (file), body_len);
      if (strlen (body) != body_len)
        return usage_error ("publish: --batch: the file has a NUL byte: not JSON");
      {
        g_autoptr (JsonParser) parser = json_parser_new_immutable ();
        if (!json_parser_load_from_data (parser, body, (gssize)body_len, &error)
            || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
          {
            g_autofree char *msg = g_strdup_printf ("publish: --batch: not a JSON array%s%s",
                                                    error ? ": " : "", error ? error->message : "");
            return usage_error (msg);
          }
      }
    }
  if (transport != FD_DEVICE_TRANSPORT_HTTPS)
    {
      FdDeviceConfig *config;
      g_autofree char *topic = NULL;

      if (opt_credentials == NULL)
        return usage_error ("--credentials zdevice.json is required");
      if ((config = load_config ()) == NULL)
        return EXIT_ANSWER;
      topic = g_strconcat ("j/data/", config->device_id, "/", tag, NULL);
      return fd_device_cmd_mqtt_publish (config, transport, topic, body, body_len);
    }
  path = fd_device_data_path (tag);
  return run_request ("POST", path, body, body_len, 202);
}

static int
cmd_up (int argc, char **argv)
{
  g_autofree char *key = NULL, *json = NULL, *transport_name = NULL;
  g_autoptr (GError) error = NULL;
  FdDeviceTransport transport;
  int rc;
  const GOptionEntry entries[] = {
    { "transport", 'T', 0, G_OPTION_ARG_STRING, &transport_name,
      "https (default: POST /v1/up), mqtt or mqtt-ws (PUBLISH on j/up/<id>)", "T" },
    { "key", 'k', 0, G_OPTION_ARG_STRING, &key, "The key (required)", "KEY" },
    { "json", 'j', 0, G_OPTION_ARG_STRING, &json, "The value: any JSON (null clears it)", "VALUE" },
    { NULL },
  };

  rc = parse_command_args ("up", "[KEY JSON] - post a key/value up message",
                           "Prints the server's answer; exits 0 on 202 (or the PUBACK), 1 on an "
                           "error answer, 2 on a usage error.",
                           entries, 2, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (argc == 2)
    return usage_error ("up: give KEY and JSON, or --key and --json");
  if (argc == 3)
    {
      if (key != NULL || json != NULL)
        return usage_error ("up: KEY JSON, or --key and --json, not both");
      key = g_strdup (argv[1]);
      json = g_strdup (argv[2]);
    }
  if (!parse_transport (transport_name, &transport))
    return usage_error ("up: --transport must be https, mqtt or mqtt-ws");
  if (key == NULL || *key == '\0')
    return usage_error ("up: --key is required");
  if (json == NULL)
    return usage_error ("up: --json VALUE is required");
  if (!check_json (json, FALSE, &error))
    {
      g_autofree char *msg = g_strdup_printf ("up: --json: %s", error->message);
      return usage_error (msg);
    }
  /* The key is escaped; the value goes as the person wrote it. */
  return send_up (transport, key, json);
}

/* condition open TAG [PAYLOAD] | condition close UUID [PAYLOADF] */
static int
cmd_condition (int argc, char **argv)
{
  g_autofree char *transport_name = NULL, *value = NULL, *uuid = NULL;
  g_autoptr (GError) error = NULL;
  FdDeviceTransport transport;
  const char *payload;
  int rc;
  const GOptionEntry entries[] = {
    { "transport", 'T', 0, G_OPTION_ARG_STRING, &transport_name,
      "https (default: POST /v1/up), mqtt or mqtt-ws (PUBLISH on j/up/<id>)", "T" },
    { NULL },
  };

  rc = parse_command_args ("condition", "open TAG [PAYLOAD] | close UUID [PAYLOADF]",
                           "Sends a \"condition\" up-message. An open prints the new "
                           "condition's uuid on stdout (after the server's answer), to give to "
                           "close.",
                           entries, 3, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (!parse_transport (transport_name, &transport))
    return usage_error ("condition: --transport must be https, mqtt or mqtt-ws");
  if (argc < 3 || !(g_str_equal (argv[1], "open") || g_str_equal (argv[1], "close")))
    return usage_error ("condition: open TAG [PAYLOAD] or close UUID [PAYLOADF]");
  payload = argc > 3 ? argv[3] : NULL;
  if (payload != NULL && !check_json (payload, FALSE, &error))
    {
      g_autofree char *msg = g_strdup_printf ("condition: PAYLOAD: %s", error->message);
      return usage_error (msg);
    }
  if (g_str_equal (argv[1], "open"))
    {
      if (!fd_device_tag_check (argv[2], &error))
        {
          g_autofree char *msg = g_strdup_printf ("condition: TAG: %s", error->message);
          return usage_error (msg);
        }
      value = fd_device_condition_open_value (argv[2], payload, &uuid);
    }
  else
    value = fd_device_condition_close_value (argv[2], payload);
  rc = send_up (transport, "condition", value);
  if (rc == EXIT_SUCCESS && uuid != NULL)
    g_print ("%s\n", uuid);
  return rc;
}

static int
cmd_run (int argc, char **argv)
{
  g_autofree char *transport_name = NULL, *conditions = NULL;
  g_auto (GStrv) condition_list = NULL;
  FdDeviceTransport transport;
  FdDeviceConfig *config;
  double duration = 0;
  int rc;
  const GOptionEntry entries[] = {
    { "transport", 'T', 0, G_OPTION_ARG_STRING, &transport_name,
      "mqtt (default: MQTT over TLS) or mqtt-ws (MQTT over WebSocket)", "T" },
    { "duration", 's', 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds to run (default 0: until ^C)",
      "S" },
    { "conditions", 0, 0, G_OPTION_ARG_STRING, &conditions,
      "Comma-separated condition tags the manifest declares", "TAGS" },
    { NULL },
  };

  rc = parse_command ("run", "- stay connected, print down-messages, answer jobs",
                      "Subscribes to j/dn/<id>, sends #status and __manifest (jobs echo and "
                      "ping), prints every down-message as a line of JSON on stdout and answers "
                      "the jobs it knows on j/up/<id>; connects again when the connection is "
                      "lost. Exits 0 after --duration or on ^C, 1 when the server refuses the "
                      "device.",
                      entries, &argc, &argv);
  if (rc >= 0)
    return rc;
  transport = FD_DEVICE_TRANSPORT_MQTT;
  if (transport_name != NULL && !fd_device_transport_parse (transport_name, &transport))
    return usage_error ("run: --transport must be mqtt or mqtt-ws");
  if (transport == FD_DEVICE_TRANSPORT_HTTPS)
    return usage_error ("run: down-messages need MQTT: --transport mqtt or mqtt-ws");
  if (duration < 0)
    return usage_error ("run: --duration must be 0 or more seconds");
  if (opt_credentials == NULL)
    return usage_error ("--credentials zdevice.json is required");
  if ((config = load_config ()) == NULL)
    return EXIT_ANSWER;
  condition_list = conditions ? g_strsplit (conditions, ",", -1) : NULL;
  return fd_device_cmd_mqtt_run (config, transport, duration, (const char *const *)condition_list);
}

static int
cmd_whoami (int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  int rc = parse_command ("whoami", "- ask the server who this device is",
                          "Prints {\"device_id\", \"workspace_id\", \"fleet_id\", "
                          "\"credential_id\", \"auth\"}.",
                          entries, &argc, &argv);

  if (rc >= 0)
    return rc;
  return run_request ("GET", "/v1/whoami", NULL, 0, 200);
}

static int
cmd_simulate (int argc, char **argv)
{
  g_autofree char *dir = NULL, *tags = NULL, *transport_name = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) tag_list = NULL;
  int devices = 1, batch = 0, window = 1;
  double rate = 1, duration = 10, battery_low = 0;
  gboolean quiet = FALSE, json = FALSE, no_spread = FALSE, idle = FALSE;
  FdSimOptions o = { 0 };
  int rc;
  const GOptionEntry entries[] = {
    { "credentials-dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir,
      "A directory of zdevice.json files (*.json); the first N by name are used", "DIR" },
    { "devices", 'n', 0, G_OPTION_ARG_INT, &devices, "How many devices (default 1)", "N" },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &rate,
      "Messages per device per second (default 1; 0: each as soon as the previous is answered)",
      "R" },
    { "tags", 't', 0, G_OPTION_ARG_STRING, &tags,
      "Comma-separated tags, used in turn (default weather; weather and power have their "
      "shapes, any other tag gets {\"value\"})",
      "TAGS" },
    { "duration", 's', 0, G_OPTION_ARG_DOUBLE, &duration,
      "Seconds to run (default 10; 0: until ^C)", "S" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch,
      "Send batches of K readings with their times instead of single readings", "K" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No line per second, only the summary", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      "Print the summary as JSON on stdout (the other output goes to stderr)", NULL },
    { "transport", 'T', 0, G_OPTION_ARG_STRING, &transport_name,
      "https (default), mqtt or mqtt-ws: each device holds one MQTT session", "T" },
    { "window", 'w', 0, G_OPTION_ARG_INT, &window,
      "MQTT: QoS 1 messages in flight per device (default 1)", "W" },
    { "idle", 0, 0, G_OPTION_ARG_NONE, &idle,
      "MQTT: connect, subscribe, send #status, then only hold the connection", NULL },
    { "battery-low", 0, 0, G_OPTION_ARG_DOUBLE, &battery_low,
      "MQTT: simulate batteries; the \"battery\" condition opens below PCT and closes 30 "
      "points higher (default 0: no conditions)",
      "PCT" },
    { "no-spread", 0, 0, G_OPTION_ARG_NONE, &no_spread,
      "Connect every device from the same address (default on loopback: 32 per 127.1.x.y)", NULL },
    { NULL },
  };

  rc = parse_command ("simulate", "- run simulated devices",
                      "Each device has its own TLS connection and credential, and never more "
                      "than one request in flight: a turn that comes while the previous request "
                      "is unanswered is skipped and counted. Prints a line per second (sent, "
                      "acknowledged, refused by status, errors, skipped, readings/s, p50/p99 "
                      "latency of acknowledged requests) and a summary; ^C stops cleanly.",
                      entries, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (devices < 1 || batch < 0 || window < 1)
    return usage_error ("simulate: --devices and --window must be at least 1, --batch at least 0");
  if (!parse_transport (transport_name, &o.transport))
    return usage_error ("simulate: --transport must be https, mqtt or mqtt-ws");
  o.window = (guint)window;
  o.idle = idle;
  o.battery_low = battery_low;
  tag_list = g_strsplit (tags ? tags : "weather", ",", -1);
  o.credentials_dir = dir;
  o.devices = (guint)devices;
  o.rate = rate;
  o.tags = tag_list;
  o.duration_s = duration;
  o.batch = (guint)batch;
  o.quiet = quiet;
  o.json = json;
  o.host = opt_host;
  o.no_spread = no_spread;
  if (!fd_sim_run (&o, &error))
    {
      if (g_error_matches (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE))
        {
          g_autofree char *msg = g_strdup_printf ("simulate: %s", error->message);
          return usage_error (msg);
        }
      g_printerr ("fleetdesk-device: %s\n", error->message);
      return EXIT_ANSWER;
    }
  return EXIT_SUCCESS;
}

/* Thousands of simulated devices are thousands of sockets. */
static void
raise_file_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("COMMAND [OPTIONS]");
  g_autoptr (GError) error = NULL;
  gboolean version = FALSE;
  const GOptionEntry extra[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
    { NULL },
  };
  const char *command;

  setlocale (LC_ALL, "");
  /* Readings are JSON: a decimal comma from the locale would make them invalid. */
  setlocale (LC_NUMERIC, "C");
  g_set_prgname ("fleetdesk-device");
  raise_file_limit ();

  g_option_context_set_summary (ctx, "Fleetdesk's reference device client and simulator.");
  g_option_context_set_description (ctx, summary_text);
  g_option_context_add_main_entries (ctx, global_entries, NULL);
  g_option_context_add_main_entries (ctx, extra, NULL);
  /* Stop at the command: its options are its own. */
  g_option_context_set_strict_posix (ctx, TRUE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return usage_error (error->message);
  if (version)
    {
      g_print ("fleetdesk-device %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (argc < 2)
    return usage_error ("a command is needed: publish, up, whoami, run, condition or simulate");
  command = argv[1];
  argv[1] = argv[0];
  if (g_str_equal (command, "publish"))
    return cmd_publish (argc - 1, argv + 1);
  if (g_str_equal (command, "up"))
    return cmd_up (argc - 1, argv + 1);
  if (g_str_equal (command, "whoami"))
    return cmd_whoami (argc - 1, argv + 1);
  if (g_str_equal (command, "run") || g_str_equal (command, "listen"))
    return cmd_run (argc - 1, argv + 1);
  if (g_str_equal (command, "condition"))
    return cmd_condition (argc - 1, argv + 1);
  if (g_str_equal (command, "simulate"))
    return cmd_simulate (argc - 1, argv + 1);
  {
    g_autofree char *msg = g_strdup_printf ("unknown command \"%s\"", command);
    return usage_error (msg);
  }
}
