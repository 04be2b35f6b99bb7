/* fd-device-sim.c — the simulator's run: connect every device, drive their turns from one
 * timer, count what the server answers, report each second and at the end. Loading the
 * devices is in fd-device-sim-fleet.c. */
#include "fd-device-sim-private.h"

#include <stdio.h>
#include <string.h>
#include <glib-unix.h>

/* Not G_DEFINE_QUARK: clang-format would put spaces into the quark's name. */
GQuark
fd_sim_error_quark (void)
{
  return g_quark_from_static_string ("fd-sim-error-quark");
}

/* Transport errors and refusals printed in full; after that they are only counted. */
#define MAX_PRINTED 10
/* In the closed loop (rate 0), how long a device waits after an error or a refusal. */
#define CLOSED_LOOP_BACKOFF_MS 100

static void device_send (FdSim *sim, FdSimDevice *d);
static void sim_stop (FdSim *sim);

/* ---- a source that fires at a given monotonic time ----------------------------------------- */

static gboolean
deadline_dispatch (GSource *source, GSourceFunc callback, gpointer data)
{
  return callback (data);
}

static GSourceFuncs deadline_funcs = { NULL, NULL, deadline_dispatch, NULL, NULL, NULL };

static GSource *
deadline_new (gint64 ready_us, GSourceFunc func, gpointer data)
{
  GSource *source = g_source_new (&deadline_funcs, sizeof (GSource));

  g_source_set_callback (source, func, data, NULL);
  g_source_set_ready_time (source, ready_us);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* ---- reports ------------------------------------------------------------------------------- */

static void
print_line (FdSim *sim, const FdStats *s, double seconds_into, double span_s)
{
  g_autofree char *refused = fd_stats_format_refused (s);

  if (sim->options->quiet)
    return;
  /* After the end only answers still due arrive: the last line, marked, has those. */
  fprintf (sim->lines,
           "%6.1f s%s  sent %7" G_GUINT64_FORMAT "  acked %7" G_GUINT64_FORMAT
           "  refused %5" G_GUINT64_FORMAT "%s%s%s  errors %4" G_GUINT64_FORMAT
           "  skipped %5" G_GUINT64_FORMAT "  readings/s %8.0f  p50 %7.2f ms  p99 %7.2f ms\n",
           seconds_into, sim->stopping ? " (end)" : "", s->sent, s->acked, s->refused,
           *refused ? " (" : "", refused, *refused ? ")" : "", s->errors, s->skipped,
           span_s > 0 ? (double)s->readings_acked / span_s : 0.0, fd_stats_latency_ms (s, 0.5),
           fd_stats_latency_ms (s, 0.99));
  fflush (sim->lines);
}

/* Prints the counts since the last line and adds them to the totals. */
static void
report_second (FdSim *sim, gint64 now)
{
  double span_s = (double)(now - sim->last_report_us) / G_USEC_PER_SEC;

  print_line (sim, &sim->second, (double)(now - sim->start_us) / G_USEC_PER_SEC, span_s);
  fd_stats_merge (&sim->total, &sim->second);
  fd_stats_clear (&sim->second);
  sim->last_report_us = now;
}

static gboolean
on_keepalive (gpointer data)
{
  fd_sim_mqtt_tick (data, g_get_monotonic_time ());
  return G_SOURCE_CONTINUE;
}

static gboolean
on_report (gpointer data)
{
  FdSim *sim = data;

  sim->reports++;
  report_second (sim, g_get_monotonic_time ());
  g_source_set_ready_time (sim->report,
                           sim->start_us + (gint64)(sim->reports + 1) * G_USEC_PER_SEC);
  return G_SOURCE_CONTINUE;
}

/* The #status answers the HTTPS sessions' agents got (MQTT ones are counted as they come). */
static guint64
session_status_replies (FdSim *sim)
{
  guint64 n = 0;

  for (guint i = 0; i < sim->n; i++)
    if (sim->devs[i].session != NULL)
      n += fd_device_agent_status_replies (
          fd_device_https_session_get_agent (sim->devs[i].session));
  return n;
}

/* The down-messages the HTTPS sessions' agents got: the long polls' entries and the answers to
 * their # requests (MQTT ones are counted as they come). */
static guint64
session_down_messages (FdSim *sim)
{
  guint64 n = 0;

  for (guint i = 0; i < sim->n; i++)
    if (sim->devs[i].session != NULL)
      n += fd_device_agent_down_messages (fd_device_https_session_get_agent (sim->devs[i].session));
  return n;
}

static void
print_summary (FdSim *sim)
{
  const FdStats *t = &sim->total;
  double elapsed = (double)(sim->stop_us - sim->start_us) / G_USEC_PER_SEC;
  double msg_rate = elapsed > 0 ? (double)t->acked / elapsed : 0;
  double reading_rate = elapsed > 0 ? (double)t->readings_acked / elapsed : 0;
  g_autofree char *refused = fd_stats_format_refused (t);
  FILE *human = sim->options->json ? stderr : stdout;

  fprintf (human,
           "summary: %u devices, %.1f s: sent %" G_GUINT64_FORMAT
           ", acknowledged %" G_GUINT64_FORMAT ", refused %" G_GUINT64_FORMAT
           "%s%s%s, errors %" G_GUINT64_FORMAT ", skipped %" G_GUINT64_FORMAT
           "; %.1f messages/s, %.1f readings/s acknowledged; "
           "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           sim->n, elapsed, t->sent, t->acked, t->refused, *refused ? " (" : "", refused,
           *refused ? ")" : "", t->errors, t->skipped, msg_rate, reading_rate,
           fd_stats_latency_ms (t, 0.5), fd_stats_latency_ms (t, 0.99),
           (double)t->latency_max_us / 1000.0);
  fflush (human);
  if (sim->options->json)
    {
      g_autoptr (GString) out = g_string_new (NULL);
      gboolean first = TRUE;

      g_string_append_printf (
          out,
          "{\"devices\": %u, \"connected\": %u, \"connect_s\": %.3f, \"duration_s\": %.3f, "
          "\"transport\": \"%s\", \"window\": %u, "
          "\"rate\": %g, \"batch\": %u, \"sent\": %" G_GUINT64_FORMAT
          ", \"acknowledged\": %" G_GUINT64_FORMAT ", \"readings_acknowledged\": %" G_GUINT64_FORMAT
          ", \"refused\": {",
          sim->n, sim->connected, sim->connect_s, elapsed,
          fd_device_transport_name (sim->options->transport), sim->options->window,
          sim->options->rate, sim->options->batch, t->sent, t->acked, t->readings_acked);
      for (guint i = 0; i < FD_STATS_MAX_STATUS; i++)
        if (t->refused_by_status[i] != 0)
          {
            g_string_append_printf (out, "%s\"%u\": %" G_GUINT64_FORMAT, first ? "" : ", ", i,
                                    t->refused_by_status[i]);
            first = FALSE;
          }
      g_string_append_printf (
          out,
          "}, \"errors\": %" G_GUINT64_FORMAT ", \"skipped\": %" G_GUINT64_FORMAT
          ", \"messages_per_s\": %.1f, \"readings_per_s\": %.1f, "
          "\"latency_ms\": {\"p50\": %.3f, \"p99\": %.3f, \"max\": %.3f}, "
          "\"down_messages\": %" G_GUINT64_FORMAT ", \"status_replies\": %" G_GUINT64_FORMAT
          ", \"jobs_answered\": %" G_GUINT64_FORMAT ", \"conditions_opened\": %" G_GUINT64_FORMAT
          ", \"conditions_closed\": %" G_GUINT64_FORMAT ", \"reconnects\": %" G_GUINT64_FORMAT
          ", \"variables_applied\": %" G_GUINT64_FORMAT ", \"ota_succeeded\": %" G_GUINT64_FORMAT
          ", \"ota_failed\": %" G_GUINT64_FORMAT ", \"ota_reverted\": %" G_GUINT64_FORMAT
          ", \"firmware_bytes\": %" G_GUINT64_FORMAT ", \"download_resumes\": %" G_GUINT64_FORMAT
          "}\n",
          t->errors, t->skipped, msg_rate, reading_rate, fd_stats_latency_ms (t, 0.5),
          fd_stats_latency_ms (t, 0.99), (double)t->latency_max_us / 1000.0,
          sim->down + session_down_messages (sim),
          sim->status_replies + session_status_replies (sim), sim->fleet.jobs_answered,
          sim->conditions_opened, sim->conditions_closed, sim->reconnects,
          sim->fleet.variables_applied, sim->fleet.ota_succeeded, sim->fleet.ota_failed,
          sim->fleet.ota_reverted, sim->fleet.firmware_bytes, sim->fleet.download_resumes);
      fputs (out->str, stdout);
      fflush (stdout);
    }
}

static void
sim_finish (FdSim *sim)
{
  gint64 now = g_get_monotonic_time ();

  if (sim->finished)
    return;
  sim->finished = TRUE;
  clear_source (&sim->report);
  clear_source (&sim->drain);
  if (sim->second.sent + sim->second.acked + sim->second.refused + sim->second.errors
          + sim->second.skipped
      > 0)
    report_second (sim, now);
  print_summary (sim);
  g_main_loop_quit (sim->loop);
}

/* ---- one device's turn --------------------------------------------------------------------- */

void
fd_sim_note_error (FdSim *sim, FdSimDevice *d, const char *what)
{
  if (++sim->printed > MAX_PRINTED)
    return;
  fprintf (stderr, "fleetdesk-device: %s: %s%s\n", d->device_id, what,
           sim->printed == MAX_PRINTED ? " (further errors are only counted)" : "");
}

static gboolean
retry_now (gpointer data)
{
  FdSimDevice *d = data;

  d->retry = 0;
  if (!d->sim->stopping)
    device_send (d->sim, d);
  return G_SOURCE_REMOVE;
}

/* After an answer (or a lost connection): the end of the run, or the closed loop's next
 * message, at once or after a pause when the last one failed (a refused request would
 * otherwise be repeated as fast as it is refused). @retry_after_s: the server's wish. */
static void
device_done (FdSim *sim, FdSimDevice *d, gboolean ok, guint retry_after_s)
{
  if (sim->stopping)
    {
      if (sim->in_flight == 0)
        sim_finish (sim);
      return;
    }
  if (sim->interval_us != 0 || sim->options->idle)
    return;
  if (ok)
    device_send (sim, d);
  else if (!sim->mqtt) /* an MQTT device resumes when it is connected again */
    d->retry = g_timeout_add (
        retry_after_s > 0 ? MIN (retry_after_s, 60) * 1000 : CLOSED_LOOP_BACKOFF_MS, retry_now, d);
}

void
fd_sim_device_done (FdSim *sim, FdSimDevice *d, gboolean ok)
{
  device_done (sim, d, ok, 0);
}

static void
device_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  FdSimDevice *d = data;
  FdSim *sim = d->sim;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceResponse) response
      = fd_device_client_request_finish (FD_DEVICE_CLIENT (source), result, &error);
  gint64 latency = g_get_monotonic_time () - d->sent_at_us;
  gboolean ok = FALSE;

  d->busy = FALSE;
  sim->in_flight--;
  if (response == NULL)
    {
      sim->second.errors++;
      fd_sim_note_error (sim, d, error->message);
    }
  else if (response->status == 202)
    {
      ok = TRUE;
      sim->second.acked++;
      sim->second.readings_acked += d->readings_in_flight;
      fd_stats_add_latency (&sim->second, latency);
    }
  else
    {
      g_autofree char *code = NULL, *message = NULL;
      g_autofree char *what = NULL;

      fd_stats_add_status (&sim->second, response->status);
      fd_device_response_get_error (response, &code, &message);
      what = g_strdup_printf ("%u %s: %s", response->status, code ? code : response->reason,
                              message ? message : "(no message)");
      fd_sim_note_error (sim, d, what);
    }

  device_done (sim, d, ok, response ? (guint)MAX (response->retry_after_s, 0) : 0);
}

static void
device_send (FdSim *sim, FdSimDevice *d)
{
  guint tag = (guint)(d->seq % sim->ntags);
  gint64 now_ms = g_get_real_time () / 1000;
  g_autoptr (GBytes) body = NULL;

  if (sim->mqtt)
    {
      fd_sim_mqtt_send (sim, d);
      return;
    }
  g_string_truncate (d->body, 0);
  if (sim->options->batch == 0)
    {
      fd_readings_append (d->readings, tag, now_ms, d->body);
      d->readings_in_flight = 1;
    }
  else
    {
      guint k = sim->options->batch;
      /* A batch is what a device buffered since its last message: readings spread over the
       * interval, the last one now. */
      gint64 step_ms = MAX (1, sim->interval_us / 1000 / k);

      fd_readings_append_batch (d->readings, tag, now_ms, step_ms, k, d->body);
      d->readings_in_flight = k;
    }
  d->seq++;
  d->busy = TRUE;
  sim->in_flight++;
  sim->second.sent++;
  /* The client copies the body into its request before this returns. */
  body = g_bytes_new_static (d->body->str, d->body->len);
  d->sent_at_us = g_get_monotonic_time ();
  fd_device_client_request_async (d->client, "POST", sim->paths[tag], "application/json", body,
                                  NULL, device_answered, d);
}

/* Every device has the same interval and their first turns are spread evenly over one
 * interval, in index order, so turns come round-robin and one pointer finds the next. */
static gboolean
on_tick (gpointer data)
{
  FdSim *sim = data;
  gint64 now = g_get_monotonic_time ();

  while (sim->devs[sim->next].next_due_us <= now && !sim->stopping)
    {
      FdSimDevice *d = &sim->devs[sim->next];

      if (sim->end_us != 0 && d->next_due_us >= sim->end_us)
        break;
      if (sim->mqtt ? fd_sim_mqtt_busy (sim, d) : d->busy || d->retry != 0)
        sim->second.skipped++;
      else
        device_send (sim, d);
      d->next_due_us += sim->interval_us;
      sim->next = (sim->next + 1) % sim->n;
    }
  g_source_set_ready_time (sim->tick, sim->devs[sim->next].next_due_us);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_drain_timeout (gpointer data)
{
  FdSim *sim = data;

  fprintf (stderr, "fleetdesk-device: %u requests still unanswered after %d s: giving up\n",
           sim->in_flight, FD_SIM_DRAIN_S);
  clear_source (&sim->drain);
  for (guint i = 0; i < sim->n; i++)
    if (sim->mqtt)
      fd_sim_mqtt_abandon (sim, &sim->devs[i]);
    else if (sim->devs[i].busy)
      fd_device_client_disconnect (sim->devs[i].client);
  return G_SOURCE_REMOVE;
}

static gboolean
on_end (gpointer data)
{
  FdSim *sim = data;

  clear_source (&sim->end);
  sim_stop (sim);
  return G_SOURCE_REMOVE;
}

/* No new turns; answers still due are waited for, so that every request the server answered
 * is counted (the test compares the count with what the server stored). */
static void
sim_stop (FdSim *sim)
{
  if (sim->stopping)
    return;
  sim->stopping = TRUE;
  sim->stop_us = g_get_monotonic_time ();
  clear_source (&sim->tick);
  clear_source (&sim->end);
  for (guint i = 0; i < sim->n; i++)
    {
      g_clear_handle_id (&sim->devs[i].retry, g_source_remove);
      if (sim->devs[i].session != NULL)
        fd_device_https_session_stop (sim->devs[i].session);
    }
  if (sim->in_flight == 0)
    sim_finish (sim);
  else
    sim->drain
        = deadline_new (sim->stop_us + FD_SIM_DRAIN_S * G_USEC_PER_SEC, on_drain_timeout, sim);
}

static gboolean
on_signal (gpointer data)
{
  FdSim *sim = data;

  if (sim->stopping || !sim->running)
    {
      /* A second ^C, or one while connecting: do not wait any longer. */
      fprintf (stderr, "fleetdesk-device: interrupted\n");
      exit (130);
    }
  sim_stop (sim);
  return G_SOURCE_CONTINUE;
}

/* ---- starting ------------------------------------------------------------------------------ */

static void
begin_run (FdSim *sim)
{
  gint64 now = g_get_monotonic_time ();

  sim->running = TRUE;
  sim->connect_s = (double)(now - sim->connect_start_us) / G_USEC_PER_SEC;
  if (!sim->options->quiet)
    fprintf (stderr, "fleetdesk-device: %u of %u devices connected in %.2f s\n", sim->connected,
             sim->n, sim->connect_s);
  sim->start_us = sim->last_report_us = now;
  if (sim->options->duration_s > 0)
    {
      sim->end_us = now + (gint64)(sim->options->duration_s * G_USEC_PER_SEC);
      sim->end = deadline_new (sim->end_us, on_end, sim);
    }
  sim->report = deadline_new (now + G_USEC_PER_SEC, on_report, sim);
  for (guint i = 0; i < sim->n; i++)
    if (sim->devs[i].session != NULL)
      fd_device_https_session_start (sim->devs[i].session);
  if (sim->options->idle)
    return;
  if (sim->interval_us == 0)
    {
      for (guint i = 0; i < sim->n; i++)
        device_send (sim, &sim->devs[i]);
      return;
    }
  for (guint i = 0; i < sim->n; i++)
    sim->devs[i].next_due_us = now + (sim->interval_us * (gint64)i) / sim->n;
  sim->next = 0;
  sim->tick = deadline_new (now, on_tick, sim);
}

static void connect_more (FdSim *sim);

void
fd_sim_device_connected (FdSim *sim, FdSimDevice *d, const GError *error)
{
  sim->connecting--;
  if (error == NULL)
    sim->connected++;
  else
    {
      sim->connect_failed++;
      fd_sim_note_error (sim, d, error->message);
    }
  if (sim->connected + sim->connect_failed == sim->n)
    {
      if (sim->connected == 0)
        {
          g_set_error (&sim->error, FD_SIM_ERROR, FD_SIM_ERROR_CONNECT,
                       "none of the %u devices could connect", sim->n);
          g_main_loop_quit (sim->loop);
          return;
        }
      begin_run (sim);
      return;
    }
  connect_more (sim);
}

static void
device_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  FdSimDevice *d = data;
  g_autoptr (GError) error = NULL;

  fd_device_client_connect_finish (FD_DEVICE_CLIENT (source), result, &error);
  fd_sim_device_connected (d->sim, d, error);
}

/* Handshakes a few devices at a time: thousands at once would only time each other out. */
static void
connect_more (FdSim *sim)
{
  while (sim->connecting < FD_SIM_CONNECTS_AT_ONCE && sim->connect_next < sim->n)
    {
      FdSimDevice *d = &sim->devs[sim->connect_next++];
      sim->connecting++;
      if (sim->mqtt)
        fd_sim_mqtt_connect (sim, d);
      else
        fd_device_client_connect_async (d->client, NULL, device_connected, d);
    }
}

gboolean
fd_sim_run (const FdSimOptions *options, GError **error)
{
  g_autoptr (FdSim) sim = NULL;
  guint sigint, sigterm;

  if (!fd_sim_check_options (options, error))
    return FALSE;
  sim = fd_sim_new (options, error);
  if (sim == NULL)
    return FALSE;

  sim->lines = options->json ? stderr : stdout;
  sim->mqtt = options->transport != FD_DEVICE_TRANSPORT_HTTPS;
  sim->interval_us = options->rate > 0 ? (gint64)(G_USEC_PER_SEC / options->rate) : 0;
  sim->loop = g_main_loop_new (g_main_context_get_thread_default (), FALSE);
  sigint = g_unix_signal_add (SIGINT, on_signal, sim);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, sim);

  sim->connect_start_us = g_get_monotonic_time ();
  /* MQTT keep-alive (and the batteries) from the first connect on: connecting ten thousand
   * devices can take longer than a keep-alive period. */
  if (sim->mqtt)
    sim->keepalive = g_timeout_add_seconds (1, on_keepalive, sim);
  connect_more (sim);
  g_main_loop_run (sim->loop);
  g_clear_handle_id (&sim->keepalive, g_source_remove);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (sim->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sim->error));
      return FALSE;
    }
  return TRUE;
}
