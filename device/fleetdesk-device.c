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
#include "fd-device-cli.h"

/* A --batch file: as much as the server takes in one body. */
#define MAX_BATCH_FILE_BYTES (16 * 1024 * 1024)

gboolean fd_device_cli_quiet;
char *fd_device_cli_credentials;
char *fd_device_cli_host;

static const GOptionEntry global_entries[] = {
  { "credentials", 'c', 0, G_OPTION_ARG_FILENAME, &fd_device_cli_credentials,
    "The device's zdevice.json", "FILE" },
  { "host", 0, 0, G_OPTION_ARG_STRING, &fd_device_cli_host,
    "Connect to HOST instead of endpoint.host (the server's certificate must name it)", "HOST" },
  { NULL },
};

static const char summary_text[]
    = "Commands:\n"
      "  publish   post one reading (--json, optionally --ts) or a batch (--batch FILE) under a "
      "tag\n"
      "  up        post a key/value up message (--key K --json VALUE)\n"
      "  whoami    ask the server who this device is\n"
      "  run       stay connected (MQTT, or HTTPS polling): print down-messages, answer jobs,\n"
      "            apply variables, run firmware updates (alias: listen)\n"
      "  condition open TAG [PAYLOAD] | close UUID [PAYLOADF]: a condition up-message\n"
      "  simulate  run N simulated devices from a directory of zdevice.json files\n"
      "\n"
      "Run \"fleetdesk-device COMMAND --help\" for a command's options.";

int
fd_device_cli_usage_error (const char *message)
{
  g_printerr ("fleetdesk-device: %s\nTry \"fleetdesk-device --help\".\n", message);
  return EXIT_USAGE;
}

/* The zdevice.json of --credentials, with --host applied; NULL (after a message) when it
 * cannot be used. */
FdDeviceConfig *
fd_device_cli_load_config (void)
{
  g_autoptr (GError) error = NULL;
  FdDeviceConfig *config = fd_device_config_load (fd_device_cli_credentials, &error);

  if (config == NULL)
    {
      g_printerr ("fleetdesk-device: %s\n", error->message);
      return NULL;
    }
  if (fd_device_cli_host != NULL)
    {
      g_free (config->host);
      config->host = g_strdup (fd_device_cli_host);
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

  if (fd_device_cli_credentials == NULL)
    return fd_device_cli_usage_error ("--credentials zdevice.json is required");
  config = fd_device_cli_load_config ();
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
  if (response->status == expected && fd_device_cli_quiet)
    return EXIT_SUCCESS;
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
int
fd_device_cli_parse_args (const char *name, const char *params, const char *description,
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
    return fd_device_cli_usage_error (error->message);
  g_set_prgname ("fleetdesk-device");
  if (*argc > 1 + max_args)
    {
      g_autofree char *msg
          = g_strdup_printf ("%s: unexpected argument \"%s\"", name, (*argv)[1 + max_args]);
      return fd_device_cli_usage_error (msg);
    }
  return -1;
}

int
fd_device_cli_parse (const char *name, const char *params, const char *description,
                     const GOptionEntry *entries, int *argc, char ***argv)
{
  return fd_device_cli_parse_args (name, params, description, entries, 0, argc, argv);
}

/* --transport: "https" (the default), "mqtt" or "mqtt-ws". */
gboolean
fd_device_cli_parse_transport (const char *name, FdDeviceTransport *out)
{
  *out = FD_DEVICE_TRANSPORT_HTTPS;
  return name == NULL || fd_device_transport_parse (name, out);
}

/* Sends @key/@value_json over @transport: POST /v1/up, or a QoS 1 PUBLISH on j/up/<id>. */
int
fd_device_cli_send_up (FdDeviceTransport transport, const char *key, const char *value_json)
{
  g_autofree char *body = fd_device_up_envelope (key, value_json);
  g_autofree char *topic = NULL;
  FdDeviceConfig *config;

  if (transport == FD_DEVICE_TRANSPORT_HTTPS)
    return run_request ("POST", "/v1/up", body, strlen (body), 202);
  if (fd_device_cli_credentials == NULL)
    return fd_device_cli_usage_error ("--credentials zdevice.json is required");
  if ((config = fd_device_cli_load_config ()) == NULL)
    return EXIT_ANSWER;
  topic = g_strconcat ("j/up/", config->device_id, NULL);
  return fd_device_cmd_mqtt_publish (config, transport, fd_device_cli_quiet, topic, body,
                                     strlen (body));
}

/* The text of --json: any JSON when @object_only is FALSE, else a JSON object. */
gboolean
fd_device_cli_check_json (const char *text, gboolean object_only, GError **error)
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

  rc = fd_device_cli_parse_args (
      "publish", "[TAG JSON] - post readings under a tag",
      "Prints the server's answer ({\"accepted\": N}; over MQTT "
      "{\"acknowledged\":1} once the PUBACK came); exits 0 on 202 or PUBACK, "
      "1 on an error answer, 2 on a usage error.",
      entries, 2, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (argc == 2)
    return fd_device_cli_usage_error ("publish: give TAG and JSON, or --tag and --json");
  if (argc == 3)
    {
      if (tag != NULL || json != NULL)
        return fd_device_cli_usage_error ("publish: TAG JSON, or --tag and --json, not both");
      tag = g_strdup (argv[1]);
      json = g_strdup (argv[2]);
    }
  if (!fd_device_cli_parse_transport (transport_name, &transport))
    return fd_device_cli_usage_error ("publish: --transport must be https, mqtt or mqtt-ws");
  if (tag == NULL)
    return fd_device_cli_usage_error ("publish: --tag is required");
  if (!fd_device_tag_check (tag, &error))
    {
      g_autofree char *msg = g_strdup_printf ("publish: --tag: %s", error->message);
      return fd_device_cli_usage_error (msg);
    }
  if ((json == NULL) == (batch == NULL))
    return fd_device_cli_usage_error ("publish: give either --json OBJECT or --batch FILE");
  if (batch != NULL && ts != NULL)
    return fd_device_cli_usage_error (
        "publish: --ts goes with --json; a batch has a ts per reading");
  if (transport != FD_DEVICE_TRANSPORT_HTTPS && (batch != NULL || ts != NULL))
    return fd_device_cli_usage_error (
        "publish: over MQTT a reading is one object stamped when it arrives "
        "(no --ts, no --batch)");

  if (json != NULL)
    {
      if (!fd_device_cli_check_json (json, TRUE, &error))
        {
          g_autofree char *msg = g_strdup_printf ("publish: --json: %s", error->message);
          return fd_device_cli_usage_error (msg);
        }
      if (ts != NULL)
        {
          g_autofree char *ts_value = ts_json (ts);
          if (ts_value == NULL)
            return fd_device_cli_usage_error (
                "publish: --ts must be RFC 3339 (2026-11-27T10:00:00Z) or "
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
          return fd_device_cli_usage_error (msg);
        }
      body_len = g_mapped_file_get_length (file);
      if (body_len == 0)
        return fd_device_cli_usage_error ("publish: --batch: the file is empty");
      if (body_len > MAX_BATCH_FILE_BYTES)
        return fd_device_cli_usage_error (
            "publish: --batch: the file is larger than the server takes (16 MiB)");
      body = g_strndup (g_mapped_file_get_contents (file), body_len);
      if (strlen (body) != body_len)
        return fd_device_cli_usage_error ("publish: --batch: the file has a NUL byte: not JSON");
      {
        g_autoptr (JsonParser) parser = json_parser_new_immutable ();
        if (!json_parser_load_from_data (parser, body, (gssize)body_len, &error)
            || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
          {
            g_autofree char *msg = g_strdup_printf ("publish: --batch: not a JSON array%s%s",
                                                    error ? ": " : "", error ? error->message : "");
            return fd_device_cli_usage_error (msg);
          }
      }
    }
  if (transport != FD_DEVICE_TRANSPORT_HTTPS)
    {
      FdDeviceConfig *config;
      g_autofree char *topic = NULL;

      if (fd_device_cli_credentials == NULL)
        return fd_device_cli_usage_error ("--credentials zdevice.json is required");
      if ((config = fd_device_cli_load_config ()) == NULL)
        return EXIT_ANSWER;
      topic = g_strconcat ("j/data/", config->device_id, "/", tag, NULL);
      return fd_device_cmd_mqtt_publish (config, transport, fd_device_cli_quiet, topic, body,
                                         body_len);
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

  rc = fd_device_cli_parse_args (
      "up", "[KEY JSON] - post a key/value up message",
      "Prints the server's answer; exits 0 on 202 (or the PUBACK), 1 on an "
      "error answer, 2 on a usage error.",
      entries, 2, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (argc == 2)
    return fd_device_cli_usage_error ("up: give KEY and JSON, or --key and --json");
  if (argc == 3)
    {
      if (key != NULL || json != NULL)
        return fd_device_cli_usage_error ("up: KEY JSON, or --key and --json, not both");
      key = g_strdup (argv[1]);
      json = g_strdup (argv[2]);
    }
  if (!fd_device_cli_parse_transport (transport_name, &transport))
    return fd_device_cli_usage_error ("up: --transport must be https, mqtt or mqtt-ws");
  if (key == NULL || *key == '\0')
    return fd_device_cli_usage_error ("up: --key is required");
  if (json == NULL)
    return fd_device_cli_usage_error ("up: --json VALUE is required");
  if (!fd_device_cli_check_json (json, FALSE, &error))
    {
      g_autofree char *msg = g_strdup_printf ("up: --json: %s", error->message);
      return fd_device_cli_usage_error (msg);
    }
  /* The key is escaped; the value goes as the person wrote it. */
  return fd_device_cli_send_up (transport, key, json);
}

static int
cmd_whoami (int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  int rc = fd_device_cli_parse ("whoami", "- ask the server who this device is",
                                "Prints {\"device_id\", \"workspace_id\", \"fleet_id\", "
                                "\"credential_id\", \"auth\"}.",
                                entries, &argc, &argv);

  if (rc >= 0)
    return rc;
  return run_request ("GET", "/v1/whoami", NULL, 0, 200);
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
    return fd_device_cli_usage_error (error->message);
  if (version)
    {
      g_print ("fleetdesk-device %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }
  if (argc < 2)
    return fd_device_cli_usage_error (
        "a command is needed: publish, up, whoami, run, condition or simulate");
  command = argv[1];
  argv[1] = argv[0];
  if (g_str_equal (command, "publish"))
    return cmd_publish (argc - 1, argv + 1);
  if (g_str_equal (command, "up"))
    return cmd_up (argc - 1, argv + 1);
  if (g_str_equal (command, "whoami"))
    return cmd_whoami (argc - 1, argv + 1);
  if (g_str_equal (command, "run") || g_str_equal (command, "listen"))
    return fd_device_cmd_run (argc - 1, argv + 1);
  if (g_str_equal (command, "condition"))
    return fd_device_cmd_condition (argc - 1, argv + 1);
  if (g_str_equal (command, "simulate"))
    return fd_device_cmd_simulate (argc - 1, argv + 1);
  {
    g_autofree char *msg = g_strdup_printf ("unknown command \"%s\"", command);
    return fd_device_cli_usage_error (msg);
  }
}
