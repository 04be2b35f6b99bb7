/* fd-device-cli-mqtt.c — fleetdesk-device's commands for a device that stays connected or a
 * fleet of them: condition, run (listen) and simulate. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fd-device-agent.h"
#include "fd-device-cli.h"
#include "fd-device-client.h"
#include "fd-device-cmd-mqtt.h"
#include "fd-device-sim.h"

/* The options of run and simulate for jobs, variables and updates. */
static char *life_fw_version;
static double life_job_fail, life_fota_fail, life_fota_revert, life_download_rate;
static int life_chunk;

#define LIFECYCLE_ENTRIES                                                                          \
  { "fw-version",                                                                                  \
    0,                                                                                             \
    0,                                                                                             \
    G_OPTION_ARG_STRING,                                                                           \
    &life_fw_version,                                                                              \
    "The firmware version the device runs at first (sent as __info {\"fw\"})",                     \
    "V" },                                                                                         \
      { "job-fail-rate",                                                                           \
        0,                                                                                         \
        0,                                                                                         \
        G_OPTION_ARG_DOUBLE,                                                                       \
        &life_job_fail,                                                                            \
        "The share (0 to 1) of jobs that fail, deterministically",                                 \
        "R" },                                                                                     \
      { "fota-fail-rate",                                                                          \
        0,                                                                                         \
        0,                                                                                         \
        G_OPTION_ARG_DOUBLE,                                                                       \
        &life_fota_fail,                                                                           \
        "The share (0 to 1) of firmware updates that fail after their download",                   \
        "R" },                                                                                     \
      { "fota-revert-rate",                                                                        \
        0,                                                                                         \
        0,                                                                                         \
        G_OPTION_ARG_DOUBLE,                                                                       \
        &life_fota_revert,                                                                         \
        "The share (0 to 1) of installed updates that come back with the old firmware",            \
        "R" },                                                                                     \
      { "download-rate",                                                                           \
        0,                                                                                         \
        0,                                                                                         \
        G_OPTION_ARG_DOUBLE,                                                                       \
        &life_download_rate,                                                                       \
        "Firmware download bytes per second per device (default 0: unlimited)",                    \
        "BYTES" },                                                                                 \
  {                                                                                                \
    "chunk", 0, 0, G_OPTION_ARG_INT, &life_chunk,                                                  \
        "Bytes per firmware Range request (default 65536)", "BYTES"                                \
  }

static const char *
check_lifecycle (void)
{
  if (!(life_job_fail >= 0 && life_job_fail <= 1 && life_fota_fail >= 0 && life_fota_fail <= 1
        && life_fota_revert >= 0 && life_fota_revert <= 1))
    return "--job-fail-rate, --fota-fail-rate and --fota-revert-rate must be 0 to 1";
  if (!(life_download_rate >= 0) || life_chunk < 0 || life_chunk >= 1024 * 1024)
    return "--download-rate must be 0 or more, --chunk 1 to 1048575 bytes";
  if (life_fw_version != NULL && (*life_fw_version == '\0' || strlen (life_fw_version) > 64))
    return "--fw-version must be 1 to 64 characters";
  return NULL;
}

/* condition open TAG [PAYLOAD] | condition close UUID [PAYLOADF] */
int
fd_device_cmd_condition (int argc, char **argv)
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

  rc = fd_device_cli_parse_args (
      "condition", "open TAG [PAYLOAD] | close UUID [PAYLOADF]",
      "Sends a \"condition\" up-message. An open prints only the new condition's uuid "
      "(to give to close); a close prints the server's answer.",
      entries, 3, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (!fd_device_cli_parse_transport (transport_name, &transport))
    return fd_device_cli_usage_error ("condition: --transport must be https, mqtt or mqtt-ws");
  if (argc < 3 || !(g_str_equal (argv[1], "open") || g_str_equal (argv[1], "close")))
    return fd_device_cli_usage_error ("condition: open TAG [PAYLOAD] or close UUID [PAYLOADF]");
  payload = argc > 3 ? argv[3] : NULL;
  if (payload != NULL && !fd_device_cli_check_json (payload, FALSE, &error))
    {
      g_autofree char *msg = g_strdup_printf ("condition: PAYLOAD: %s", error->message);
      return fd_device_cli_usage_error (msg);
    }
  if (g_str_equal (argv[1], "open"))
    {
      if (!fd_device_tag_check (argv[2], &error))
        {
          g_autofree char *msg = g_strdup_printf ("condition: TAG: %s", error->message);
          return fd_device_cli_usage_error (msg);
        }
      value = fd_device_condition_open_value (argv[2], payload, &uuid);
    }
  else
    value = fd_device_condition_close_value (argv[2], payload);
  /* An open prints only the uuid, for `UUID=$(fleetdesk-device condition open …)`. */
  fd_device_cli_quiet = uuid != NULL;
  rc = fd_device_cli_send_up (transport, "condition", value);
  if (rc == EXIT_SUCCESS && uuid != NULL)
    g_print ("%s\n", uuid);
  return rc;
}

int
fd_device_cmd_run (int argc, char **argv)
{
  g_autofree char *transport_name = NULL, *conditions = NULL;
  g_auto (GStrv) condition_list = NULL;
  FdDeviceTransport transport;
  FdDeviceConfig *config;
  double duration = 0;
  int rc;
  const GOptionEntry entries[] = {
    { "transport", 'T', 0, G_OPTION_ARG_STRING, &transport_name,
      "mqtt (default: MQTT over TLS), mqtt-ws (MQTT over WebSocket) or https (long poll)", "T" },
    { "duration", 's', 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds to run (default 0: until ^C)",
      "S" },
    { "conditions", 0, 0, G_OPTION_ARG_STRING, &conditions,
      "Comma-separated condition tags the manifest declares", "TAGS" },
    LIFECYCLE_ENTRIES,
    { NULL },
  };
  FdDeviceCmdRunOptions ro = { 0 };
  const char *problem;

  rc = fd_device_cli_parse (
      "run", "- stay connected, print down-messages, answer jobs",
      "Subscribes to j/dn/<id> (HTTPS: polls GET /v1/dn), sends #status, "
      "__manifest (jobs reset, echo, sleep, fail, ping) and __info, prints every "
      "down-message as a line of JSON on stdout, answers the jobs it knows, "
      "reports the variables it is sent back and runs firmware updates (@fota); "
      "connects again when the connection is lost. Exits 0 after --duration or "
      "on ^C, 1 when the server refuses the device.",
      entries, &argc, &argv);
  if (rc >= 0)
    return rc;
  transport = FD_DEVICE_TRANSPORT_MQTT;
  if (transport_name != NULL && !fd_device_transport_parse (transport_name, &transport))
    return fd_device_cli_usage_error ("run: --transport must be mqtt or mqtt-ws");
  if ((problem = check_lifecycle ()) != NULL)
    {
      g_autofree char *msg = g_strdup_printf ("run: %s", problem);
      return fd_device_cli_usage_error (msg);
    }
  if (duration < 0)
    return fd_device_cli_usage_error ("run: --duration must be 0 or more seconds");
  if (fd_device_cli_credentials == NULL)
    return fd_device_cli_usage_error ("--credentials zdevice.json is required");
  if ((config = fd_device_cli_load_config ()) == NULL)
    return EXIT_ANSWER;
  condition_list = conditions ? g_strsplit (conditions, ",", -1) : NULL;
  ro.conditions = (const char *const *)condition_list;
  ro.fw_version = life_fw_version;
  ro.job_fail_rate = life_job_fail;
  ro.fota_fail_rate = life_fota_fail;
  ro.fota_revert_rate = life_fota_revert;
  ro.download_rate = life_download_rate;
  ro.chunk = (guint)life_chunk;
  return fd_device_cmd_mqtt_run (config, transport, duration, &ro);
}

int
fd_device_cmd_simulate (int argc, char **argv)
{
  g_autofree char *dir = NULL, *tags = NULL, *transport_name = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) tag_list = NULL;
  int devices = 1, batch = 0, window = 1;
  double rate = 1, duration = 10, battery_low = 0;
  gboolean quiet = FALSE, json = FALSE, no_spread = FALSE, idle = FALSE, poll = FALSE;
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
    { "poll", 0, 0, G_OPTION_ARG_NONE, &poll,
      "HTTPS: each device also holds a session (GET /v1/dn long poll, POST /v1/up): jobs, "
      "variables and firmware updates",
      NULL },
    LIFECYCLE_ENTRIES,
    { NULL },
  };
  const char *problem;

  rc = fd_device_cli_parse (
      "simulate", "- run simulated devices",
      "Each device has its own TLS connection and credential, and never more "
      "than one request in flight: a turn that comes while the previous request "
      "is unanswered is skipped and counted. Prints a line per second (sent, "
      "acknowledged, refused by status, errors, skipped, readings/s, p50/p99 "
      "latency of acknowledged requests) and a summary; ^C stops cleanly.",
      entries, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (devices < 1 || batch < 0 || window < 1)
    return fd_device_cli_usage_error (
        "simulate: --devices and --window must be at least 1, --batch at least 0");
  if (!fd_device_cli_parse_transport (transport_name, &o.transport))
    return fd_device_cli_usage_error ("simulate: --transport must be https, mqtt or mqtt-ws");
  if ((problem = check_lifecycle ()) != NULL)
    {
      g_autofree char *msg = g_strdup_printf ("simulate: %s", problem);
      return fd_device_cli_usage_error (msg);
    }
  o.poll = poll;
  o.fw_version = life_fw_version;
  o.job_fail_rate = life_job_fail;
  o.fota_fail_rate = life_fota_fail;
  o.fota_revert_rate = life_fota_revert;
  o.download_rate = life_download_rate;
  o.chunk = (guint)life_chunk;
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
  o.host = fd_device_cli_host;
  o.no_spread = no_spread;
  if (!fd_sim_run (&o, &error))
    {
      if (g_error_matches (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE))
        {
          g_autofree char *msg = g_strdup_printf ("simulate: %s", error->message);
          return fd_device_cli_usage_error (msg);
        }
      g_printerr ("fleetdesk-device: %s\n", error->message);
      return EXIT_ANSWER;
    }
  return EXIT_SUCCESS;
}
