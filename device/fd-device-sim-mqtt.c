/* fd-device-sim-mqtt.c — simulated devices on MQTT (simulate --transport mqtt|mqtt-ws): each
 * holds one session, publishes its readings at QoS 1 with up to --window of them unacknowledged,
 * answers #status and the jobs it knows (fd-device-agent.c), and has a battery that drains and
 * recharges, opening the "battery" condition below --battery-low and closing it once the level
 * is back 30 points above. */
#include "fd-device-sim-private.h"

#include <string.h>

/* After a lost connection, a device connects again after this long. */
#define RECONNECT_S 1
/* Percent per second while charging; a discharge takes 0.5–2 % per second per device. */
#define CHARGE_PER_S 4.0
#define CLOSE_ABOVE 30.0

static void
on_connected (FdDeviceMqtt *mqtt, gpointer data)
{
  FdSimDevice *d = data;
  gboolean first = !d->ever_up;

  d->ever_up = TRUE;
  fd_device_agent_on_connected (d->agent);
  if (first)
    fd_sim_device_connected (d->sim, d, NULL);
  else if (d->sim->running && !d->sim->stopping && d->sim->interval_us == 0
           && !d->sim->options->idle)
    fd_sim_mqtt_send (d->sim, d);
}

static gboolean
reconnect_now (gpointer data)
{
  FdSimDevice *d = data;

  d->reconnect = 0;
  fd_device_mqtt_start (d->mqtt);
  return G_SOURCE_REMOVE;
}

/* The reset job, or an install's reboot: the session goes and comes back after @delay_ms. */
static void
device_reconnect (gpointer data, guint delay_ms)
{
  FdSimDevice *d = data;
  FdSim *sim = d->sim;

  if (d->inflight > 0)
    {
      sim->in_flight -= d->inflight;
      d->inflight = 0;
      d->busy = FALSE;
    }
  fd_device_mqtt_disconnect (d->mqtt);
  g_clear_handle_id (&d->reconnect, g_source_remove);
  if (!sim->stopping)
    d->reconnect = g_timeout_add (delay_ms, reconnect_now, d);
  else if (sim->in_flight == 0)
    fd_sim_device_done (sim, d, FALSE);
}

static void
on_closed (FdDeviceMqtt *mqtt, const GError *error, gpointer data)
{
  FdSimDevice *d = data;
  FdSim *sim = d->sim;
  guint lost = d->inflight;

  d->inflight = 0;
  if (!d->ever_up)
    {
      fd_sim_device_connected (sim, d, error);
      return;
    }
  /* What was in flight will never be acknowledged on this connection. */
  sim->second.errors += MAX (lost, 1);
  fd_sim_note_error (sim, d, error->message);
  if (lost > 0)
    {
      sim->in_flight -= lost;
      d->busy = FALSE;
      fd_sim_device_done (sim, d, FALSE);
    }
  if (!sim->stopping
      && !g_error_matches (error, FD_DEVICE_MQTT_ERROR, FD_DEVICE_MQTT_ERROR_REFUSED))
    {
      sim->reconnects++;
      d->reconnect = g_timeout_add_seconds (RECONNECT_S, reconnect_now, d);
    }
}

static void
on_puback (FdDeviceMqtt *mqtt, guint16 id, gpointer data)
{
  FdSimDevice *d = data;
  FdSim *sim = d->sim;
  guint i;

  /* The server acknowledges in order; condition and agent messages are not in the window. */
  for (i = 0; i < d->inflight && d->ids[i] != id; i++)
    ;
  if (i == d->inflight)
    return;
  sim->second.acked++;
  sim->second.readings_acked++;
  fd_stats_add_latency (&sim->second, g_get_monotonic_time () - d->ids_sent_us[i]);
  memmove (d->ids + i, d->ids + i + 1, (d->inflight - i - 1) * sizeof *d->ids);
  memmove (d->ids_sent_us + i, d->ids_sent_us + i + 1,
           (d->inflight - i - 1) * sizeof *d->ids_sent_us);
  d->inflight--;
  sim->in_flight--;
  d->busy = d->inflight >= sim->options->window;
  fd_sim_device_done (sim, d, TRUE);
}

static void
on_message (FdDeviceMqtt *mqtt, const FdDeviceMqttPublish *publish, gpointer data)
{
  FdSimDevice *d = data;
  guint replies = fd_device_agent_status_replies (d->agent);

  d->sim->down++;
  fd_device_agent_on_message (d->agent, publish);
  d->sim->status_replies += fd_device_agent_status_replies (d->agent) - replies;
}

static const FdDeviceMqttCallbacks callbacks
    = { on_connected, on_closed, on_puback, NULL, on_message };

void
fd_sim_agent_options (FdSim *sim, FdDeviceAgentOptions *o)
{
  const FdSimOptions *so = sim->options;

  memset (o, 0, sizeof *o);
  o->fw_version = so->fw_version;
  o->download_rate = so->download_rate;
  o->chunk = so->chunk;
  o->fleet = &sim->fleet;
}

gboolean
fd_sim_mqtt_add (FdSim *sim, FdSimDevice *d, FdDeviceConfig *config, GTlsDatabase *trust,
                 GSocketAddress *remote, GSocketAddress *https_remote, GSocketAddress *source,
                 GError **error)
{
  const char *const battery[] = { "battery", NULL };
  FdDeviceAgentOptions o;
  GRand *rand;

  d->mqtt = fd_device_mqtt_new (config, trust, sim->options->transport, error);
  if (d->mqtt == NULL)
    return FALSE;
  fd_device_mqtt_set_callbacks (d->mqtt, &callbacks, d);
  if (sim->options->transport == FD_DEVICE_TRANSPORT_MQTT)
    {
      if (sim->poller == NULL && (sim->poller = fd_device_poller_new (NULL, error)) == NULL)
        return FALSE;
      fd_device_mqtt_set_poller (d->mqtt, sim->poller);
    }
  fd_device_mqtt_set_addresses (d->mqtt, remote, source);
  fd_sim_agent_options (sim, &o);
  o.conditions = sim->options->battery_low > 0 ? battery : NULL;
  o.trust = trust;
  o.https_address = https_remote;
  o.local_address = source;
  d->agent = fd_device_agent_new_mqtt (d->mqtt, device_reconnect, d, &o);
  d->topics = g_new0 (char *, sim->ntags + 1);
  for (guint t = 0; t < sim->ntags; t++)
    d->topics[t] = fd_device_mqtt_data_topic (d->mqtt, sim->options->tags[t]);
  d->ids = g_new0 (guint16, sim->options->window);
  d->ids_sent_us = g_new0 (gint64, sim->options->window);
  rand = g_rand_new_with_seed (g_str_hash (config->device_id) ^ 0x5bd1e995);
  d->battery = g_rand_double_range (rand, sim->options->battery_low, 100);
  d->drain = g_rand_double_range (rand, 0.5, 2.0);
  g_rand_free (rand);
  return TRUE;
}

void
fd_sim_mqtt_connect (FdSim *sim, FdSimDevice *d)
{
  fd_device_mqtt_start (d->mqtt);
}

gboolean
fd_sim_mqtt_busy (FdSim *sim, FdSimDevice *d)
{
  return !fd_device_mqtt_is_connected (d->mqtt) || d->inflight >= sim->options->window;
}

void
fd_sim_mqtt_send (FdSim *sim, FdSimDevice *d)
{
  gboolean closed_loop = sim->interval_us == 0;

  /* The closed loop fills the window; a fixed rate sends one message per turn. */
  do
    {
      guint tag = (guint)(d->seq % sim->ntags);
      guint16 id;

      if (fd_sim_mqtt_busy (sim, d))
        return;
      g_string_truncate (d->body, 0);
      fd_readings_append (d->readings, tag, g_get_real_time () / 1000, d->body);
      id = fd_device_mqtt_publish (d->mqtt, d->topics[tag], d->body->str, d->body->len, 1);
      if (id == 0)
        return;
      d->ids[d->inflight] = id;
      d->ids_sent_us[d->inflight] = g_get_monotonic_time ();
      d->inflight++;
      d->seq++;
      d->busy = d->inflight >= sim->options->window;
      sim->in_flight++;
      sim->second.sent++;
    }
  while (closed_loop && !d->busy);
}

/* The battery of one device, a second on: a condition opens when it falls below the threshold
 * and closes when charging has taken it CLOSE_ABOVE points higher. */
static void
battery_step (FdSim *sim, FdSimDevice *d)
{
  double low = sim->options->battery_low;
  g_autofree char *payload = NULL, *value = NULL;

  if (d->charging)
    d->battery = MIN (100.0, d->battery + CHARGE_PER_S);
  else
    d->battery = MAX (0.0, d->battery - d->drain);
  if (!fd_device_mqtt_is_connected (d->mqtt))
    return;
  payload = g_strdup_printf ("{\"lvl\":%.0f}", d->battery);
  if (d->condition == NULL && d->battery < low)
    {
      value = fd_device_condition_open_value ("battery", payload, &d->condition);
      d->charging = TRUE;
      sim->conditions_opened++;
    }
  else if (d->condition != NULL && d->battery >= MIN (100.0, low + CLOSE_ABOVE))
    {
      value = fd_device_condition_close_value (d->condition, payload);
      g_clear_pointer (&d->condition, g_free);
      d->charging = FALSE;
      sim->conditions_closed++;
    }
  if (value != NULL)
    fd_device_agent_send_up (d->mqtt, "condition", value);
}

void
fd_sim_mqtt_tick (FdSim *sim, gint64 now_us)
{
  for (guint i = 0; i < sim->n; i++)
    {
      FdSimDevice *d = &sim->devs[i];

      fd_device_mqtt_tick (d->mqtt, now_us);
      if (sim->running && !sim->stopping && sim->options->battery_low > 0)
        battery_step (sim, d);
    }
}

void
fd_sim_mqtt_abandon (FdSim *sim, FdSimDevice *d)
{
  if (d->inflight == 0)
    return;
  sim->in_flight -= d->inflight;
  d->inflight = 0;
  d->busy = FALSE;
  fd_device_mqtt_disconnect (d->mqtt);
  fd_sim_device_done (sim, d, FALSE);
}

void
fd_sim_mqtt_clear (FdSimDevice *d)
{
  g_clear_handle_id (&d->reconnect, g_source_remove);
  if (d->mqtt != NULL)
    fd_device_mqtt_disconnect (d->mqtt);
  g_clear_pointer (&d->agent, fd_device_agent_free);
  g_clear_object (&d->mqtt);
  g_strfreev (d->topics);
  g_free (d->ids);
  g_free (d->ids_sent_us);
  g_free (d->condition);
}
