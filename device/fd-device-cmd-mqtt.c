/* fd-device-cmd-mqtt.c — fleetdesk-device's MQTT commands: publish (and up, condition) with a
 * PUBACK waited for, and run. */
#include "fd-device-cmd-mqtt.h"

#include <stdio.h>
#include <string.h>
#include <glib-unix.h>

#include "fd-device-agent.h"
#include "fd-device-https-session.h"

#define EXIT_ANSWER 1
#define RECONNECT_MAX_S 30

typedef struct
{
  FdDeviceMqtt *mqtt;
  FdDeviceAgent *agent;
  GMainLoop *loop;
  const char *topic;
  const char *payload;
  gsize len;
  guint16 packet_id;
  gboolean done;
  int status;
  guint backoff_s;
  guint reconnect;
  gboolean stopping;
  gboolean quiet;
  FdDeviceHttpsSession *session;
} Cmd;

static gboolean
on_tick (gpointer data)
{
  Cmd *cmd = data;

  fd_device_mqtt_tick (cmd->mqtt, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

static void
finish (Cmd *cmd, int status)
{
  cmd->done = TRUE;
  cmd->status = status;
  g_main_loop_quit (cmd->loop);
}

/* ---- one message --------------------------------------------------------------------------- */

static void
once_connected (FdDeviceMqtt *mqtt, gpointer data)
{
  Cmd *cmd = data;

  cmd->packet_id = fd_device_mqtt_publish (mqtt, cmd->topic, cmd->payload, cmd->len, 1);
}

static void
once_closed (FdDeviceMqtt *mqtt, const GError *error, gpointer data)
{
  Cmd *cmd = data;

  g_printerr ("fleetdesk-device: %s\n", error->message);
  finish (cmd, EXIT_ANSWER);
}

static void
once_puback (FdDeviceMqtt *mqtt, guint16 id, gpointer data)
{
  Cmd *cmd = data;

  if (id != cmd->packet_id)
    return;
  if (!cmd->quiet)
    g_print ("{\"acknowledged\":1}\n");
  fd_device_mqtt_disconnect (mqtt);
  finish (cmd, EXIT_SUCCESS);
}

static FdDeviceMqtt *
make_client (FdDeviceConfig *config, FdDeviceTransport transport)
{
  g_autoptr (GError) error = NULL;
  FdDeviceMqtt *mqtt = fd_device_mqtt_new (config, NULL, transport, &error);

  if (mqtt == NULL)
    g_printerr ("fleetdesk-device: %s\n", error->message);
  return mqtt;
}

int
fd_device_cmd_mqtt_publish (FdDeviceConfig *config, FdDeviceTransport transport, gboolean quiet,
                            const char *topic, const char *payload, gsize len)
{
  static const FdDeviceMqttCallbacks callbacks
      = { once_connected, once_closed, once_puback, NULL, NULL };
  g_autoptr (FdDeviceMqtt) mqtt = make_client (config, transport);
  Cmd cmd = { 0 };
  guint tick;

  if (mqtt == NULL)
    return EXIT_ANSWER;
  cmd.mqtt = mqtt;
  cmd.quiet = quiet;
  cmd.topic = topic;
  cmd.payload = payload;
  cmd.len = len;
  cmd.loop = g_main_loop_new (NULL, FALSE);
  fd_device_mqtt_set_callbacks (mqtt, &callbacks, &cmd);
  tick = g_timeout_add_seconds (1, on_tick, &cmd);
  fd_device_mqtt_start (mqtt);
  if (!cmd.done)
    g_main_loop_run (cmd.loop);
  g_source_remove (tick);
  g_main_loop_unref (cmd.loop);
  return cmd.status;
}

/* ---- run ----------------------------------------------------------------------------------- */

static void
run_down (FdDeviceAgent *agent, const char *key, JsonObject *envelope, const char *text, gsize len,
          gpointer data)
{
  fwrite (text, 1, len, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
run_connected (FdDeviceMqtt *mqtt, gpointer data)
{
  Cmd *cmd = data;

  cmd->backoff_s = 0;
  g_printerr ("fleetdesk-device: %s connected over %s\n",
              fd_device_mqtt_get_config (mqtt)->device_id,
              fd_device_transport_name (fd_device_mqtt_get_transport (mqtt)));
  fd_device_agent_on_connected (cmd->agent);
}

static gboolean
reconnect_now (gpointer data)
{
  Cmd *cmd = data;

  cmd->reconnect = 0;
  fd_device_mqtt_start (cmd->mqtt);
  return G_SOURCE_REMOVE;
}

static void
run_closed (FdDeviceMqtt *mqtt, const GError *error, gpointer data)
{
  Cmd *cmd = data;

  /* A refused CONNECT will be refused again: reconnecting would only hammer the server. */
  if (g_error_matches (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_REFUSED)
      || g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    {
      g_printerr ("fleetdesk-device: %s\n", error->message);
      finish (cmd, EXIT_ANSWER);
      return;
    }
  cmd->backoff_s = cmd->backoff_s == 0 ? 1 : MIN (cmd->backoff_s * 2, RECONNECT_MAX_S);
  g_printerr ("fleetdesk-device: %s; connecting again in %u s\n", error->message, cmd->backoff_s);
  cmd->reconnect = g_timeout_add_seconds (cmd->backoff_s, reconnect_now, cmd);
}

/* The reset job or an install's reboot. */
static void
run_reconnect (gpointer data, guint delay_ms)
{
  Cmd *cmd = data;

  g_printerr ("fleetdesk-device: %s restarting\n",
              fd_device_mqtt_get_config (cmd->mqtt)->device_id);
  fd_device_mqtt_disconnect (cmd->mqtt);
  g_clear_handle_id (&cmd->reconnect, g_source_remove);
  cmd->reconnect = g_timeout_add (delay_ms, reconnect_now, cmd);
}

static void
run_message (FdDeviceMqtt *mqtt, const FdDeviceMqttPublish *publish, gpointer data)
{
  Cmd *cmd = data;

  fd_device_agent_on_message (cmd->agent, publish);
}

static gboolean
run_stop (gpointer data)
{
  Cmd *cmd = data;

  if (cmd->session != NULL)
    fd_device_https_session_stop (cmd->session);
  else
    fd_device_mqtt_disconnect (cmd->mqtt);
  finish (cmd, EXIT_SUCCESS);
  return G_SOURCE_CONTINUE;
}

static void
session_note (const char *message, gpointer data)
{
  g_printerr ("fleetdesk-device: %s\n", message);
}

static void
agent_options (const FdDeviceCmdRunOptions *options, FdDeviceAgentOptions *o, FdDeviceFleet *fleet)
{
  memset (o, 0, sizeof *o);
  o->conditions = options->conditions;
  o->fw_version = options->fw_version;
  o->download_rate = options->download_rate;
  o->chunk = options->chunk;
  fleet->job_fail_rate = options->job_fail_rate;
  fleet->fota_fail_rate = options->fota_fail_rate;
  fleet->fota_revert_rate = options->fota_revert_rate;
  o->fleet = fleet;
}

/* run over HTTPS: a session, no MQTT. */
static int
run_https (FdDeviceConfig *config, double duration_s, const FdDeviceCmdRunOptions *options)
{
  g_autoptr (FdDeviceConfig) owned = config;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceHttpsSession) session = NULL;
  FdDeviceAgentOptions o;
  FdDeviceFleet fleet = { 0 };
  Cmd cmd = { 0 };
  guint sigint, sigterm, end = 0;

  agent_options (options, &o, &fleet);
  session = fd_device_https_session_new (config, NULL, NULL, NULL, &o, &error);
  if (session == NULL)
    {
      g_printerr ("fleetdesk-device: %s\n", error->message);
      return EXIT_ANSWER;
    }
  cmd.session = session;
  cmd.loop = g_main_loop_new (NULL, FALSE);
  fd_device_https_session_set_error_func (session, session_note, &cmd);
  fd_device_agent_set_down_func (fd_device_https_session_get_agent (session), run_down, &cmd);
  sigint = g_unix_signal_add (SIGINT, run_stop, &cmd);
  sigterm = g_unix_signal_add (SIGTERM, run_stop, &cmd);
  if (duration_s > 0)
    end = g_timeout_add ((guint)(duration_s * 1000), run_stop, &cmd);
  g_printerr ("fleetdesk-device: %s polling over https\n", config->device_id);
  fd_device_https_session_start (session);
  if (!cmd.done)
    g_main_loop_run (cmd.loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (end != 0)
    g_source_remove (end);
  g_main_loop_unref (cmd.loop);
  return cmd.status;
}

int
fd_device_cmd_mqtt_run (FdDeviceConfig *config, FdDeviceTransport transport, double duration_s,
                        const FdDeviceCmdRunOptions *options)
{
  static const FdDeviceMqttCallbacks callbacks
      = { run_connected, run_closed, NULL, NULL, run_message };
  g_autoptr (FdDeviceMqtt) mqtt = NULL;
  g_autoptr (FdDeviceAgent) agent = NULL;
  FdDeviceAgentOptions o;
  FdDeviceFleet fleet = { 0 };
  Cmd cmd = { 0 };
  guint tick, sigint, sigterm, end = 0;

  if (transport == FD_DEVICE_TRANSPORT_HTTPS)
    return run_https (config, duration_s, options);
  mqtt = make_client (config, transport);
  if (mqtt == NULL)
    return EXIT_ANSWER;
  agent_options (options, &o, &fleet);
  agent = fd_device_agent_new_mqtt (mqtt, run_reconnect, &cmd, &o);
  fd_device_agent_set_down_func (agent, run_down, &cmd);
  cmd.mqtt = mqtt;
  cmd.agent = agent;
  cmd.loop = g_main_loop_new (NULL, FALSE);
  fd_device_mqtt_set_callbacks (mqtt, &callbacks, &cmd);
  tick = g_timeout_add_seconds (1, on_tick, &cmd);
  sigint = g_unix_signal_add (SIGINT, run_stop, &cmd);
  sigterm = g_unix_signal_add (SIGTERM, run_stop, &cmd);
  if (duration_s > 0)
    end = g_timeout_add ((guint)(duration_s * 1000), run_stop, &cmd);
  fd_device_mqtt_start (mqtt);
  if (!cmd.done)
    g_main_loop_run (cmd.loop);
  g_source_remove (tick);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (end != 0)
    g_source_remove (end);
  g_clear_handle_id (&cmd.reconnect, g_source_remove);
  g_main_loop_unref (cmd.loop);
  return cmd.status;
}
