/* fd-device-cmd-mqtt.c — fleetdesk-device's MQTT commands: publish (and up, condition) with a
 * PUBACK waited for, and run. */
#include "fd-device-cmd-mqtt.h"

#include <stdio.h>
#include <string.h>
#include <glib-unix.h>

#include "fd-device-agent.h"

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

  fd_device_mqtt_disconnect (cmd->mqtt);
  finish (cmd, EXIT_SUCCESS);
  return G_SOURCE_CONTINUE;
}

int
fd_device_cmd_mqtt_run (FdDeviceConfig *config, FdDeviceTransport transport, double duration_s,
                        const char *const *conditions)
{
  static const FdDeviceMqttCallbacks callbacks
      = { run_connected, run_closed, NULL, NULL, run_message };
  g_autoptr (FdDeviceMqtt) mqtt = make_client (config, transport);
  g_autoptr (FdDeviceAgent) agent = NULL;
  Cmd cmd = { 0 };
  guint tick, sigint, sigterm, end = 0;

  if (mqtt == NULL)
    return EXIT_ANSWER;
  agent = fd_device_agent_new (mqtt, conditions);
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
