/* fleetdesk-server — the engine without a window: a lab box, a Raspberry Pi, CI. */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "api/fd-api.h"
#include "fd-engine.h"
#include "device/fd-mqtt-server.h"
#include "fd-util.h"
#include "store/fd-store-entities.h"

static char *opt_data_dir;
static char *opt_api_address;
static int opt_api_port = FD_ENGINE_DEFAULT_API_PORT;
static int opt_device_port = FD_ENGINE_DEFAULT_DEVICE_PORT;
static int opt_mqtt_port = FD_ENGINE_DEFAULT_MQTT_PORT;
static char *opt_device_address;
static char **opt_public_names;
static int opt_max_payload = 64 * 1024;
static int opt_device_rate = -1;
static int opt_device_idle = 60;
static int opt_mqtt_max_packet = FD_MQTT_DEFAULT_MAX_PACKET;
static int opt_mqtt_inflight = FD_MQTT_DEFAULT_INFLIGHT;
static int opt_mqtt_conns_per_address = FD_MQTT_DEFAULT_CONNS_PER_ADDRESS;
static int opt_mqtt_connect_timeout = FD_MQTT_DEFAULT_CONNECT_S;
static int opt_mqtt_max_topic = FD_MQTT_DEFAULT_TOPIC_CHARS;
static int opt_compact_rows = 0;
static int opt_compact_points = 0;
static int opt_export_max_rows_per_second = 0;
static gint64 opt_firmware_max_bytes = 64 * 1024 * 1024;
static int opt_ota_tick_ms = 1000;
static int opt_integration_backoff_ms = 1000;
static int opt_integration_backoff_max_ms = 300000;
static int opt_alert_tick_ms = 5000;
static char *opt_token_name;
static char *opt_test_clock_offset_file;
static gboolean opt_version;

static const GOptionEntry server_entries[] = {
  { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
    N_ ("Data directory (default: $XDG_DATA_HOME/fleetdesk)"), N_ ("DIR") },
  { "api-address", 0, 0, G_OPTION_ARG_STRING, &opt_api_address,
    N_ ("Address of the operator API (default: 127.0.0.1)"), N_ ("ADDRESS") },
  { "api-port", 0, 0, G_OPTION_ARG_INT, &opt_api_port,
    N_ ("Port of the operator API (default: 7080; 0: any free port)"), N_ ("PORT") },
  { "device-port", 0, 0, G_OPTION_ARG_INT, &opt_device_port,
    N_ ("Port of the HTTPS device endpoint (default: 7443; 0: any free port)"), N_ ("PORT") },
  { "device-address", 0, 0, G_OPTION_ARG_STRING, &opt_device_address,
    N_ ("Address of the device endpoint (default: every interface)"), N_ ("ADDRESS") },
  { "public-name", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_public_names,
    N_ ("A name or address devices use to reach this server; goes into the server "
        "certificate and zdevice.json (repeatable; default: the host name)"),
    N_ ("NAME") },
  { "max-payload-bytes", 0, 0, G_OPTION_ARG_INT, &opt_max_payload,
    N_ ("Largest payload a device may send, in bytes (default: 65536)"), N_ ("BYTES") },
  { "device-rate", 0, 0, G_OPTION_ARG_INT, &opt_device_rate,
    N_ ("Requests per device per second before 429 (default: 50, bursts of twice that; "
        "0: no limit)"),
    N_ ("N") },
  { "device-idle-timeout", 0, 0, G_OPTION_ARG_INT, &opt_device_idle,
    N_ ("Seconds before an idle device connection is closed (default: 60)"), N_ ("SECONDS") },
  { "mqtt-port", 0, 0, G_OPTION_ARG_INT, &opt_mqtt_port,
    N_ ("Port of MQTT over TLS (default: 8883; 0: any free port)"), N_ ("PORT") },
  { "mqtt-max-packet", 0, 0, G_OPTION_ARG_INT, &opt_mqtt_max_packet,
    N_ ("Largest MQTT packet a device may send, in bytes; a larger one closes its "
        "connection (default: 262144)"),
    N_ ("BYTES") },
  { "mqtt-inflight", 0, 0, G_OPTION_ARG_INT, &opt_mqtt_inflight,
    N_ ("Down-messages sent to an MQTT device and not yet acknowledged (default: 20)"), N_ ("N") },
  { "mqtt-max-conns-per-address", 0, 0, G_OPTION_ARG_INT, &opt_mqtt_conns_per_address,
    N_ ("MQTT connections one IP address may hold at a time (default: 2048)"), N_ ("N") },
  { "mqtt-connect-timeout", 0, 0, G_OPTION_ARG_INT, &opt_mqtt_connect_timeout,
    N_ ("Seconds from an MQTT connection's accept to its CONNECT (default: 10)"), N_ ("SECONDS") },
  { "mqtt-max-topic", 0, 0, G_OPTION_ARG_INT, &opt_mqtt_max_topic,
    N_ ("Longest MQTT topic a device may use, in characters; a longer one closes its "
        "connection (default: 256)"),
    N_ ("CHARS") },
  { "test-clock-offset-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_test_clock_offset_file,
    N_ ("For testing only: a file holding a number of milliseconds the clock of periodic "
        "exports and of the expiry of export files runs ahead of the real one (re-read when "
        "it changes)"),
    N_ ("FILE") },
  { "compact-rows", 0, 0, G_OPTION_ARG_INT, &opt_compact_rows,
    N_ ("Move recent points into per-series blocks after N commits with points (default: 256; "
        "tests use 1 to reach the compacted state at once)"),
    N_ ("N") },
  { "compact-points", 0, 0, G_OPTION_ARG_INT, &opt_compact_points,
    N_ ("Compact after N recent points, and index the samples after N unindexed ones (default: "
        "200000; tests use a few dozen)"),
    N_ ("N") },
  { "export-max-rows-per-second", 0, 0, G_OPTION_ARG_INT, &opt_export_max_rows_per_second,
    N_ ("Rows an export writes per second at most, so that a big export does not hog the "
        "disk and CPU of a shared machine (default: 0, unlimited)"),
    N_ ("N") },
  { "firmware-max-bytes", 0, 0, G_OPTION_ARG_INT64, &opt_firmware_max_bytes,
    N_ ("Largest firmware file an upload may carry (default: 67108864, 64 MiB; at most 1 GiB)"),
    N_ ("N") },
  { "ota-tick-ms", 0, 0, G_OPTION_ARG_INT, &opt_ota_tick_ms,
    N_ ("How often OTA campaigns are evaluated: device timeouts, stage advance, thresholds "
        "(default: 1000; tests use 200)"),
    N_ ("MS") },
  { "integration-backoff-ms", 0, 0, G_OPTION_ARG_INT, &opt_integration_backoff_ms,
    N_ ("First retry delay of a failed integration delivery, doubled at each failure "
        "(default: 1000)"),
    N_ ("MS") },
  { "integration-backoff-max-ms", 0, 0, G_OPTION_ARG_INT, &opt_integration_backoff_max_ms,
    N_ ("Longest retry delay of an integration delivery, and of a Retry-After it honours "
        "(default: 300000)"),
    N_ ("MS") },
  { "alert-tick-ms", 0, 0, G_OPTION_ARG_INT, &opt_alert_tick_ms,
    N_ ("How often open conditions are checked against the alert rules: an alert triggers "
        "or resolves within this long (default: 5000; tests use 100)"),
    N_ ("MS") },
  { "version", 0, 0, G_OPTION_ARG_NONE, &opt_version, N_ ("Print the version and exit"), NULL },
  { NULL }
};

static const GOptionEntry token_entries[]
    = { { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_data_dir,
          N_ ("Data directory (default: $XDG_DATA_HOME/fleetdesk)"), N_ ("DIR") },
        { "name", 'n', 0, G_OPTION_ARG_STRING, &opt_token_name, N_ ("Name of the new token"),
          N_ ("NAME") },
        { NULL } };

static gboolean
check_port (const char *what, int port, GError **error)
{
  if (port < 0 || port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("%s must be a port number from 0 to 65535, not %d"), what, port);
      return FALSE;
    }
  return TRUE;
}

/* Public names become certificate SANs: DNS names or IP addresses, nothing else. */
static gboolean
public_name_ok (const char *name)
{
  g_autoptr (GInetAddress) ip = g_inet_address_new_from_string (name);
  gsize len = strlen (name);

  if (ip != NULL)
    return TRUE;
  if (len == 0 || len > 253 || name[0] == '-' || name[0] == '.' || name[len - 1] == '.')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
check_options (GError **error)
{
  for (guint i = 0; opt_public_names != NULL && opt_public_names[i] != NULL; i++)
    if (!public_name_ok (opt_public_names[i]))
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _ ("--public-name must be a DNS name (letters, digits, '-' and '.') or an "
                        "IP address, not \"%s\""),
                     opt_public_names[i]);
        return FALSE;
      }
  if (opt_device_address != NULL)
    {
      g_autoptr (GInetAddress) ip = g_inet_address_new_from_string (opt_device_address);
      if (ip == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _ ("--device-address must be an IP address, not \"%s\""),
                       opt_device_address);
          return FALSE;
        }
    }
  if (opt_max_payload < 256 || opt_max_payload > 1024 * 1024)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--max-payload-bytes must be from 256 to 1048576, not %d"), opt_max_payload);
      return FALSE;
    }
  if (opt_device_rate < -1 || opt_device_rate > 100000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--device-rate must be from 0 (no limit) to 100000, not %d"),
                   opt_device_rate);
      return FALSE;
    }
  if (opt_device_idle < 1 || opt_device_idle > 3600)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--device-idle-timeout must be from 1 to 3600 seconds, not %d"),
                   opt_device_idle);
      return FALSE;
    }
  if (opt_mqtt_max_packet < 1024 || opt_mqtt_max_packet > 16 * 1024 * 1024)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--mqtt-max-packet must be from 1024 to 16777216 bytes, not %d"),
                   opt_mqtt_max_packet);
      return FALSE;
    }
  if (opt_mqtt_inflight < 1 || opt_mqtt_inflight > 1000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--mqtt-inflight must be from 1 to 1000, not %d"), opt_mqtt_inflight);
      return FALSE;
    }
  if (opt_mqtt_conns_per_address < 1 || opt_mqtt_conns_per_address > 100000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--mqtt-max-conns-per-address must be from 1 to 100000, not %d"),
                   opt_mqtt_conns_per_address);
      return FALSE;
    }
  if (opt_compact_rows < 0 || opt_compact_rows > 1000000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--compact-rows must be from 1 to 1000000, not %d"), opt_compact_rows);
      return FALSE;
    }
  if (opt_compact_points < 0 || opt_compact_points > 10000000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--compact-points must be from 1 to 10000000, not %d"), opt_compact_points);
      return FALSE;
    }
  if (opt_ota_tick_ms < 10 || opt_ota_tick_ms > 60000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--ota-tick-ms must be from 10 to 60000, not %d"), opt_ota_tick_ms);
      return FALSE;
    }
  if (opt_integration_backoff_ms < 1 || opt_integration_backoff_ms > 3600000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--integration-backoff-ms must be from 1 to 3600000, not %d"),
                   opt_integration_backoff_ms);
      return FALSE;
    }
  if (opt_integration_backoff_max_ms < opt_integration_backoff_ms
      || opt_integration_backoff_max_ms > 86400000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--integration-backoff-max-ms must be from --integration-backoff-ms (%d) "
                      "to 86400000, not %d"),
                   opt_integration_backoff_ms, opt_integration_backoff_max_ms);
      return FALSE;
    }
  if (opt_alert_tick_ms < 10 || opt_alert_tick_ms > 600000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--alert-tick-ms must be from 10 to 600000, not %d"), opt_alert_tick_ms);
      return FALSE;
    }
  if (opt_export_max_rows_per_second < 0 || opt_export_max_rows_per_second > 100000000)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--export-max-rows-per-second must be from 0 to 100000000, not %d"),
                   opt_export_max_rows_per_second);
      return FALSE;
    }
  if (opt_firmware_max_bytes < 1 || opt_firmware_max_bytes > 1024 * 1024 * 1024)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--firmware-max-bytes must be from 1 to 1073741824, not %" G_GINT64_FORMAT),
                   opt_firmware_max_bytes);
      return FALSE;
    }
  if (opt_mqtt_max_topic < 16 || opt_mqtt_max_topic > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--mqtt-max-topic must be from 16 to 65535 characters, not %d"),
                   opt_mqtt_max_topic);
      return FALSE;
    }
  if (opt_mqtt_connect_timeout < 1 || opt_mqtt_connect_timeout > 600)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--mqtt-connect-timeout must be from 1 to 600 seconds, not %d"),
                   opt_mqtt_connect_timeout);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_signal (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static int
run_server (void)
{
  FdEngineConfig config = {
    .data_dir = opt_data_dir,
    .api_address = opt_api_address,
    .api_port = opt_api_port,
    .device_port = opt_device_port,
    .mqtt_port = opt_mqtt_port,
    .device_address = opt_device_address,
    .public_names = opt_public_names,
    .max_payload_bytes = (gsize)opt_max_payload,
    .device_rate = opt_device_rate,
    .device_idle_timeout_s = (guint)opt_device_idle,
    .mqtt_max_packet = (gsize)opt_mqtt_max_packet,
    .mqtt_inflight = (guint)opt_mqtt_inflight,
    .mqtt_max_conns_per_address = (guint)opt_mqtt_conns_per_address,
    .mqtt_connect_timeout_s = (guint)opt_mqtt_connect_timeout,
    .mqtt_max_topic_chars = (guint)opt_mqtt_max_topic,
    .test_clock_offset_file = opt_test_clock_offset_file,
    .compact_rows = (guint)opt_compact_rows,
    .compact_points = (guint)opt_compact_points,
    .export_max_rows_per_second = (guint)opt_export_max_rows_per_second,
    .firmware_max_bytes = (gsize)opt_firmware_max_bytes,
    .ota_tick_ms = (guint)opt_ota_tick_ms,
    .integration_backoff_ms = (guint)opt_integration_backoff_ms,
    .integration_backoff_max_ms = (guint)opt_integration_backoff_max_ms,
    .alert_tick_ms = (guint)opt_alert_tick_ms,
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (FdEngine) engine = NULL;

  /* Before ports.json is written (fd_engine_start): whoever waits for it may signal at once. */
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  engine = fd_engine_new (&config, &error);
  if (engine == NULL || !fd_engine_start (engine, &error))
    {
      g_printerr ("fleetdesk-server: %s\n", error->message);
      return 1;
    }
  g_main_loop_run (loop);
  g_print ("fleetdesk-server: shutting down\n");
  fd_engine_shutdown (engine);
  return 0;
}

/* --- fleetdesk-server token … : works on the store directly, server running or not --- */

typedef struct
{
  const char *name;
  const char *hash;
  const char *id;
  FdToken *made;
  FdPage page;
} TokenCall;

static gboolean
token_create_job (FdDb *db, gpointer data, GError **error)
{
  TokenCall *call = data;

  call->made = fd_store_token_create (db, call->name, call->hash, error);
  return call->made != NULL
         && fd_store_audit_add (db, "fleetdesk-server token", "token.create", call->made->id, "{}",
                                error);
}

static gboolean
token_list_job (FdDb *db, gpointer data, GError **error)
{
  TokenCall *call = data;
  return fd_store_token_list (db, 0, G_MAXINT32, &call->page, error);
}

static gboolean
token_revoke_job (FdDb *db, gpointer data, GError **error)
{
  TokenCall *call = data;
  return fd_store_token_revoke (db, call->id, error)
         && fd_store_audit_add (db, "fleetdesk-server token", "token.revoke", call->id, "{}",
                                error);
}

/* The same rule as the API's: 1..FD_API_MAX_NAME characters of UTF-8 text, no control
 * characters, surrounding whitespace trimmed. */
static gboolean
token_name_ok (char *name)
{
  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  g_strstrip (name);
  if (*name == '\0' || g_utf8_strlen (name, -1) > FD_API_MAX_NAME)
    return FALSE;
  for (const char *p = name; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static int
run_token (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx
      = g_option_context_new (_ ("create|list|revoke [ID] — API tokens"));
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *db_path = NULL;
  FdStore *store;
  TokenCall call = { 0 };
  gboolean ok = FALSE;
  const char *verb;

  g_option_context_add_main_entries (ctx, token_entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (ctx, _ ("Creates, lists and revokes operator API tokens. A new "
                                        "token's secret is printed once and never again."));
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("fleetdesk-server token: %s\n", error->message);
      return 2;
    }
  verb = argc > 1 ? argv[1] : NULL;
  if (verb == NULL
      || !(g_str_equal (verb, "create") || g_str_equal (verb, "list")
           || g_str_equal (verb, "revoke")))
    {
      g_printerr (_ ("fleetdesk-server token: say create, list or revoke (see --help)\n"));
      return 2;
    }
  if (g_str_equal (verb, "create") && !token_name_ok (opt_token_name))
    {
      g_printerr (_ ("fleetdesk-server token create: --name NAME is required (1 to %d characters, "
                     "no control characters)\n"),
                  FD_API_MAX_NAME);
      return 2;
    }
  if (g_str_equal (verb, "revoke") && (argc < 3 || !fd_id_is_valid (argv[2], "tok")))
    {
      g_printerr (_ ("fleetdesk-server token revoke: give the token's ID (tok-…)\n"));
      return 2;
    }

  dir = opt_data_dir ? g_strdup (opt_data_dir) : fd_engine_default_data_dir ();
  db_path = g_build_filename (dir, "fleetdesk.db", NULL);
  if (!g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      g_printerr (_ ("fleetdesk-server token: there is no Fleetdesk database in %s; start "
                     "fleetdesk-server once first\n"),
                  dir);
      return 1;
    }
  store = fd_store_open (db_path, 1, &error);
  if (store == NULL)
    {
      g_printerr ("fleetdesk-server token: %s\n", error->message);
      return 1;
    }

  if (g_str_equal (verb, "create"))
    {
      g_autofree char *secret = fd_token_new_secret ();
      g_autofree char *hash = fd_token_hash (secret);
      call.name = opt_token_name;
      call.hash = hash;
      ok = fd_store_write_sync (store, token_create_job, &call, &error);
      if (ok)
        g_print ("%s\t%s\n", call.made->id, secret);
      g_clear_pointer (&call.made, fd_token_free);
    }
  else if (g_str_equal (verb, "list"))
    {
      ok = fd_store_read_sync (store, token_list_job, &call, &error);
      for (guint i = 0; ok && i < call.page.items->len; i++)
        {
          FdToken *t = g_ptr_array_index (call.page.items, i);
          g_autofree char *created = fd_time_format_ms (t->created_at);
          g_print ("%s\t%s\t%s\t%s\n", t->id, created, t->revoked_at ? _ ("revoked") : _ ("active"),
                   t->name);
        }
      fd_page_clear (&call.page);
    }
  else
    {
      call.id = argv[2];
      ok = fd_store_write_sync (store, token_revoke_job, &call, &error);
      if (ok)
        g_print (_ ("Revoked token %s\n"), call.id);
    }
  fd_store_close (store);
  if (!ok)
    {
      g_printerr ("fleetdesk-server token %s: %s\n", verb, error->message);
      return 1;
    }
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc > 1 && g_str_equal (argv[1], "token"))
    return run_token (argc - 1, argv + 1);
  if (argc > 1 && g_str_equal (argv[1], "routes"))
    {
      fd_api_print_routes (stdout);
      return 0;
    }

  ctx = g_option_context_new (_ ("[token create|list|revoke | routes] — the Fleetdesk server"));
  g_option_context_add_main_entries (ctx, server_entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (
      ctx, _ ("Runs the Fleetdesk engine without a window: the store, the operator REST API and "
              "the HTTPS device endpoint.\n"
              "Subcommands: \"token create --name NAME\", \"token list\", \"token revoke ID\" "
              "manage API tokens;\n\"routes\" prints every operator API path."));
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 1)
    {
      g_printerr ("fleetdesk-server: %s\n",
                  error ? error->message : _ ("unexpected argument (see --help)"));
      return 2;
    }
  if (opt_version)
    {
      g_print ("fleetdesk-server %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (!check_port ("--api-port", opt_api_port, &error)
      || !check_port ("--device-port", opt_device_port, &error)
      || !check_port ("--mqtt-port", opt_mqtt_port, &error) || !check_options (&error))
    {
      g_printerr ("fleetdesk-server: %s\n", error->message);
      return 2;
    }
  return run_server ();
}
