/* fd-integrations-worker.c — one integration's delivery thread.
 *
 * A paused integration keeps its thread too, delivering nothing: it counts the queue and
 * applies the limits every few seconds (its health stays true, retention is not held back).
 *
 * The loop: read the row (its cursors and settings, as the API last wrote them); resend the
 * batch in flight if there is one, else read the next batch, let it fill for up to
 * batch_delay_ms (a batch goes when full or when its oldest item has waited that long), and
 * record it in flight; deliver; record the outcome. The store is the only state that matters:
 * the thread keeps nothing a crash could lose, and a restart resends the batch in flight under
 * its batch_id. Store calls are the synchronous ones (this thread has nothing else to do).
 */
#include "config.h"

#include "fd-integrations-private.h"
#include "fd-util.h"

#include <string.h>

/* The limits are applied, and the queue counted, this often at most. */
#define LIMITS_PERIOD_MS 5000
#define DEPTH_PERIOD_MS 2000
/* The delivery log and old outbox events are pruned this often (by whichever worker). */
#define PRUNE_PERIOD_MS (60 * 1000)
/* An idle worker looks again this often even without a kick (limits, a missed kick). */
#define IDLE_WAKE_MS 5000
/* Retrying longer than this is "failing". */
#define FAILING_AFTER_MS (60 * 1000)
#define RATE_WINDOW_MS (60 * 1000)
/* Kicks (one per ingest commit) coming closer than this make one read, not one each. */
#define KICK_COALESCE_MS 50
/* An empty read moves the data cursor only past at least this many sample ids. */
#define SKIP_MIN_ROWS 10000
#define PUBLISH_MIN_US (1000 * 1000)

typedef struct
{
  gint64 at;
  gint64 items;
} RateMark;

typedef struct
{
  FdWorker *w;
  FdIntegration *row;
  FdOutboxBatch *batch;
  FdDeliveryAttempt attempt;
  gboolean ok;
  gint64 a, b;
} Job;

/* Waits until @until (monotonic µs), a stop, a reload or (@on_kick) a kick. FALSE on stop. */
static gboolean
wait_for (FdWorker *w, gint64 until, gboolean on_kick)
{
  gboolean go_on;

  g_mutex_lock (&w->lock);
  while (!w->stop && !w->reload && !(on_kick && w->kicked))
    if (!g_cond_wait_until (&w->cond, &w->lock, until))
      break;
  if (on_kick)
    w->kicked = FALSE;
  go_on = !w->stop;
  g_mutex_unlock (&w->lock);
  return go_on;
}

static gint64
mono_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static FdIntegrationState
shown_state (FdWorker *w, FdIntegrationState state)
{
  if (state == FD_INTEGRATION_PAUSED)
    return state;
  return w->dropping ? FD_INTEGRATION_DROPPING : state;
}

static void
set_state (FdWorker *w, FdIntegrationState state)
{
  g_mutex_lock (&w->lock);
  w->health.state = shown_state (w, state);
  g_mutex_unlock (&w->lock);
  fd_worker_publish (w, FALSE);
}

static void
note_row (FdWorker *w, const FdIntegration *row)
{
  g_mutex_lock (&w->lock);
  w->health.delivered = row->delivered;
  w->health.failed = row->failed;
  w->health.dropped = row->dropped;
  g_free (w->health.last_error);
  w->health.last_error = g_strdup (row->last_error);
  w->health.last_error_at = row->last_error_at;
  w->health.last_success_at = row->last_success_at;
  if (g_strcmp0 (w->name, row->name) != 0)
    {
      g_free (w->name);
      w->name = g_strdup (row->name);
    }
  g_mutex_unlock (&w->lock);
}

static void
note_error (FdWorker *w, const char *message)
{
  g_mutex_lock (&w->lock);
  g_free (w->health.last_error);
  w->health.last_error = g_strdup (message);
  w->health.last_error_at = fd_now_ms ();
  g_mutex_unlock (&w->lock);
}

static void
add_rate (FdWorker *w, gint64 items)
{
  RateMark *mark = g_new (RateMark, 1);
  gint64 now = mono_ms (), sum = 0;

  mark->at = now;
  mark->items = items;
  g_mutex_lock (&w->lock);
  g_queue_push_tail (&w->rate, mark);
  while (!g_queue_is_empty (&w->rate)
         && ((RateMark *)g_queue_peek_head (&w->rate))->at < now - RATE_WINDOW_MS)
    g_free (g_queue_pop_head (&w->rate));
  for (GList *l = w->rate.head; l != NULL; l = l->next)
    sum += ((RateMark *)l->data)->items;
  w->health.rate_per_s = (double)sum / (RATE_WINDOW_MS / 1000);
  w->health.queue_depth = MAX (w->health.queue_depth - items, 0);
  g_mutex_unlock (&w->lock);
}

/* Store jobs. */

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  Job *job = data;
  job->row = fd_store_integration_get (db, job->w->id, error);
  return job->row != NULL;
}

static gboolean
read_job (FdDb *db, gpointer data, GError **error)
{
  Job *job = data;
  if (job->row->inflight_batch != NULL)
    return fd_store_outbox_recompose (db, job->row, &job->batch, error);
  return fd_store_outbox_read (db, job->row, &job->batch, error);
}

static gboolean
begin_job (FdDb *db, gpointer data, GError **error)
{
  Job *job = data;
  return fd_store_outbox_begin (db, job->w->id, job->row->data_cursor, job->row->event_cursor,
                                job->batch, &job->ok, error);
}

static gboolean
done_job (FdDb *db, gpointer data, GError **error)
{
  Job *job = data;
  return fd_store_outbox_done (db, job->w->id, job->batch, &job->attempt, &job->ok, error);
}

static gboolean
attempt_job (FdDb *db, gpointer data, GError **error)
{
  Job *job = data;
  return fd_store_outbox_attempt (db, job->w->id, job->batch, &job->attempt, &job->ok, error);
}

static gboolean
skip_job (FdDb *db, gpointer data, GError **error)
{
  Job *job = data;
  return fd_store_outbox_skip (db, job->w->id, job->a, job->b, error);
}

static gboolean
limit_job (FdDb *db, gpointer data, GError **error)
{
  Job *job = data;
  return fd_store_outbox_limit (db, job->w->id, fd_now_ms (), &job->a, error);
}

static gboolean
depth_job (FdDb *db, gpointer data, GError **error)
{
  Job *job = data;
  return fd_store_outbox_depth (db, job->row, &job->a, &job->b, error);
}

static gboolean
prune_job (FdDb *db, gpointer data, GError **error)
{
  return fd_store_outbox_prune (db, fd_now_ms (), error);
}

/* A store failure: said once in the log and in the health, then the loop goes on later. */
static void
store_failed (FdWorker *w, GError *error)
{
  g_warning ("integration %s: %s", w->id, error->message);
  note_error (w, error->message);
}

/* The periodic work of the loop: limits, counting the queue, pruning. FALSE when the limits
 * dropped something (the row changed: read it again). */
static gboolean
housekeeping (FdWorker *w, FdIntegration *row, gint64 *last_limits, gint64 *last_depth)
{
  FdIntegrations *owner = w->owner;
  g_autoptr (GError) error = NULL;
  Job job = { .w = w, .row = row };
  gint64 now = mono_ms (), wall = fd_now_ms ();
  gboolean prune = FALSE;

  if (now - *last_limits >= LIMITS_PERIOD_MS)
    {
      *last_limits = now;
      if (!fd_store_write_sync (owner->store, limit_job, &job, &error))
        {
          store_failed (w, error);
          return TRUE;
        }
      if (job.a > 0)
        {
          g_message ("integration %s: dropped %" G_GINT64_FORMAT " queued items over its limits",
                     w->id, job.a);
          w->dropping = TRUE;
          *last_depth = 0;
          return FALSE;
        }
      w->dropping = FALSE;
    }
  if (now - *last_depth >= DEPTH_PERIOD_MS)
    {
      if (!fd_store_read_sync (owner->store, depth_job, &job, &error))
        {
          store_failed (w, error);
          return TRUE;
        }
      /* Counting a queue of millions takes a reader for a while: the longer it took, the
       * longer until the next count (at most 5 % of a reader's time). */
      *last_depth = mono_ms () + MIN ((mono_ms () - now) * 20, 60 * 1000);
      g_mutex_lock (&w->lock);
      w->health.queue_depth = job.a;
      w->health.oldest_queued = job.b;
      g_mutex_unlock (&w->lock);
    }
  g_mutex_lock (&owner->lock);
  if (wall - owner->last_prune >= PRUNE_PERIOD_MS)
    {
      owner->last_prune = wall;
      prune = TRUE;
    }
  g_mutex_unlock (&owner->lock);
  if (prune && !fd_store_write_sync (owner->store, prune_job, NULL, &error))
    store_failed (w, error);
  return TRUE;
}

/* The next retry's delay: the backoff doubled from backoff_ms up to backoff_max_ms, with
 * "equal jitter" (half fixed, half random) so that integrations failing together do not retry
 * in step; a Retry-After replaces it, capped at backoff_max_ms. */
static gint64
retry_delay (FdWorker *w, gint64 *backoff, gint64 retry_after_ms)
{
  const FdIntegrationsConfig *c = &w->owner->config;

  *backoff = *backoff == 0 ? c->backoff_ms : MIN (*backoff * 2, (gint64)c->backoff_max_ms);
  if (retry_after_ms > 0)
    return MIN (retry_after_ms, (gint64)c->backoff_max_ms);
  return *backoff / 2 + g_random_int_range (0, (gint32)MAX (*backoff / 2, 1) + 1);
}

gpointer
fd_worker_thread (gpointer data)
{
  FdWorker *w = data;
  FdIntegrations *owner = w->owner;
  g_autoptr (GMainContext) context = g_main_context_new ();
  FdSink *sink = NULL;
  gint64 backoff = 0, retry_since = 0, last_limits = 0, last_depth = 0;
  /* What the events last said of a paused integration's queue (-1: nothing yet). */
  gint64 shown_depth = -1, shown_oldest = -1, shown_dropped = -1;
  gboolean rejected = FALSE;

  /* libsoup's synchronous calls run this thread's own context. */
  g_main_context_push_thread_default (context);
  last_limits = last_depth = mono_ms () - LIMITS_PERIOD_MS;
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FdIntegration) row = NULL;
      g_autoptr (FdOutboxBatch) batch = NULL;
      Job job = { .w = w };
      FdSinkResult result = { 0 };
      gint64 now;

      g_mutex_lock (&w->lock);
      if (w->stop)
        {
          g_mutex_unlock (&w->lock);
          break;
        }
      if (w->reload)
        {
          w->reload = FALSE;
          g_clear_pointer (&sink, fd_sink_free);
          backoff = 0;
          last_limits = last_depth = 0;
        }
      w->kicked = FALSE;
      g_mutex_unlock (&w->lock);

      if (!fd_store_read_sync (owner->store, get_job, &job, &error))
        {
          if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND)
              || g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
            break;
          store_failed (w, error);
          wait_for (w, g_get_monotonic_time () + 1000 * 1000, FALSE);
          continue;
        }
      row = g_steal_pointer (&job.row);
      job.row = row;
      note_row (w, row);
      if (row->paused)
        {
          /* Paused: nothing is delivered, but the queue is still counted (the health says
           * what waits) and the limits still applied (a paused integration must not hold
           * retention back for ever). A change is published at once: this loop turns every
           * DEPTH_PERIOD_MS at most, which is the coalescing. */
          gboolean changed;
          if (!housekeeping (w, row, &last_limits, &last_depth))
            continue;
          g_mutex_lock (&w->lock);
          w->health.state = FD_INTEGRATION_PAUSED;
          changed = w->health.queue_depth != shown_depth || w->health.oldest_queued != shown_oldest
                    || w->health.dropped != shown_dropped;
          shown_depth = w->health.queue_depth;
          shown_oldest = w->health.oldest_queued;
          shown_dropped = w->health.dropped;
          g_mutex_unlock (&w->lock);
          fd_worker_publish (w, changed);
          wait_for (w, g_get_monotonic_time () + DEPTH_PERIOD_MS * 1000, FALSE);
          continue;
        }
      if (sink == NULL && (sink = fd_sink_new (row, &error)) == NULL)
        {
          note_error (w, error->message);
          set_state (w, FD_INTEGRATION_FAILING);
          wait_for (w, g_get_monotonic_time () + owner->config.backoff_max_ms * 1000, FALSE);
          continue;
        }
      if (!housekeeping (w, row, &last_limits, &last_depth))
        continue;

      if (!fd_store_read_sync (owner->store, read_job, &job, &error))
        {
          store_failed (w, error);
          wait_for (w, g_get_monotonic_time () + 1000 * 1000, FALSE);
          continue;
        }
      batch = g_steal_pointer (&job.batch);
      job.batch = batch;
      if (row->inflight_batch == NULL)
        {
          if (batch == NULL)
            {
              g_mutex_lock (&w->lock);
              w->health.queue_depth = 0;
              w->health.oldest_queued = 0;
              g_mutex_unlock (&w->lock);
              set_state (w, rejected ? FD_INTEGRATION_FAILING : FD_INTEGRATION_IDLE);
              if (wait_for (w, g_get_monotonic_time () + IDLE_WAKE_MS * 1000, TRUE))
                wait_for (w, g_get_monotonic_time () + KICK_COALESCE_MS * 1000, FALSE);
              continue;
            }
          if (batch->items->len == 0)
            {
              /* What was scanned matched nothing. The cursor moves past it in big steps only:
               * a write per ingest commit would cost ingest for an integration that forwards
               * none of it; a short stretch is cheap to scan again. */
              if (batch->scanned_to - row->data_cursor >= SKIP_MIN_ROWS)
                {
                  job.a = row->data_cursor;
                  job.b = batch->scanned_to;
                  if (!fd_store_write_sync (owner->store, skip_job, &job, &error))
                    store_failed (w, error);
                  continue;
                }
              set_state (w, rejected ? FD_INTEGRATION_FAILING : FD_INTEGRATION_IDLE);
              if (wait_for (w, g_get_monotonic_time () + IDLE_WAKE_MS * 1000, TRUE))
                wait_for (w, g_get_monotonic_time () + KICK_COALESCE_MS * 1000, FALSE);
              continue;
            }
          now = fd_now_ms ();
          if ((gint64)batch->items->len < row->batch_max)
            {
              gint64 due
                  = g_array_index (batch->items, FdOutboxItem, 0).ts_in + row->batch_delay_ms;
              if (due > now)
                {
                  gint64 until = g_get_monotonic_time () + (due - now) * 1000;
                  /* Kicks say the batch may be full now; read again, at most so often. */
                  if (wait_for (w, until, TRUE))
                    wait_for (w, MIN (until, g_get_monotonic_time () + KICK_COALESCE_MS * 1000),
                              FALSE);
                  continue;
                }
            }
          if (!fd_store_write_sync (owner->store, begin_job, &job, &error))
            {
              store_failed (w, error);
              continue;
            }
          if (!job.ok)
            continue;
        }

      if (batch->items->len == 0)
        {
          /* Nothing of the batch in flight matches any more (its filters changed): done. */
          job.attempt = (FdDeliveryAttempt){ .outcome = "delivered", .at = fd_now_ms () };
          if (!fd_store_write_sync (owner->store, done_job, &job, &error))
            store_failed (w, error);
          continue;
        }
      if (!rejected && backoff == 0)
        set_state (w, FD_INTEGRATION_DELIVERING);
      fd_sink_deliver (sink, batch, w->cancellable, &result);
      if (g_cancellable_is_cancelled (w->cancellable))
        {
          /* Stopping: the batch stays in flight, resent at the next start. */
          fd_sink_result_clear (&result);
          break;
        }
      job.attempt = (FdDeliveryAttempt){
        .outcome = result.outcome == FD_SINK_DELIVERED  ? "delivered"
                   : result.outcome == FD_SINK_REJECTED ? "failed"
                                                        : "retry",
        .status = result.status,
        .latency_ms = result.latency_ms,
        .error = result.error,
        .at = fd_now_ms (),
      };
      if (result.outcome != FD_SINK_RETRY)
        {
          if (!fd_store_write_sync (owner->store, done_job, &job, &error))
            store_failed (w, error);
          backoff = 0;
          retry_since = 0;
          rejected = result.outcome == FD_SINK_REJECTED;
          if (rejected)
            {
              g_message ("integration %s: batch %s rejected: %s", w->id, batch->batch_id,
                         result.error);
              note_error (w, result.error);
            }
          else
            add_rate (w, batch->items->len);
          g_mutex_lock (&w->lock);
          w->health.next_attempt_at = 0;
          g_mutex_unlock (&w->lock);
          set_state (w, rejected ? FD_INTEGRATION_FAILING : FD_INTEGRATION_DELIVERING);
          fd_sink_result_clear (&result);
          continue;
        }

      if (!fd_store_write_sync (owner->store, attempt_job, &job, &error))
        store_failed (w, error);
      note_error (w, result.error);
      now = mono_ms ();
      if (retry_since == 0)
        retry_since = now;
      {
        gint64 delay = retry_delay (w, &backoff, result.retry_after_ms);
        g_mutex_lock (&w->lock);
        w->health.next_attempt_at = fd_now_ms () + delay;
        g_mutex_unlock (&w->lock);
        set_state (w, now - retry_since > FAILING_AFTER_MS ? FD_INTEGRATION_FAILING
                                                           : FD_INTEGRATION_RETRYING);
        fd_sink_result_clear (&result);
        wait_for (w, g_get_monotonic_time () + delay * 1000, FALSE);
      }
    }
  g_clear_pointer (&sink, fd_sink_free);
  g_main_context_pop_thread_default (context);
  return NULL;
}

/* Publishing. */

static void
json_time (GString *out, const char *member, gint64 ms)
{
  g_string_append_printf (out, ",\"%s\":", member);
  if (ms > 0)
    {
      g_autofree char *text = fd_time_format_ms (ms);
      g_string_append_printf (out, "\"%s\"", text);
    }
  else
    g_string_append (out, "null");
}

char *
fd_integration_health_json (const char *id, const char *name, const FdIntegrationHealth *h)
{
  GString *out = g_string_new ("{\"id\":");
  char rate[G_ASCII_DTOSTR_BUF_SIZE];

  fd_json_append_string (out, id, strlen (id), FALSE);
  g_string_append (out, ",\"name\":");
  if (name != NULL)
    fd_json_append_string (out, name, strlen (name), FALSE);
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ",\"state\":\"%s\",\"queue_depth\":%" G_GINT64_FORMAT,
                          fd_integration_state_name (h->state), h->queue_depth);
  json_time (out, "oldest_queued", h->oldest_queued);
  g_ascii_formatd (rate, sizeof rate, "%.3f", h->rate_per_s);
  g_string_append_printf (out, ",\"rate_per_s\":%s", rate);
  json_time (out, "next_attempt_at", h->next_attempt_at);
  g_string_append_printf (out,
                          ",\"delivered\":%" G_GINT64_FORMAT ",\"failed\":%" G_GINT64_FORMAT
                          ",\"dropped\":%" G_GINT64_FORMAT ",\"last_error\":",
                          h->delivered, h->failed, h->dropped);
  if (h->last_error != NULL)
    fd_json_append_string (out, h->last_error, strlen (h->last_error), FALSE);
  else
    g_string_append (out, "null");
  json_time (out, "last_error_at", h->last_error_at);
  json_time (out, "last_success_at", h->last_success_at);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

typedef struct
{
  FdIntegrationsPublisher *publisher;
  char *workspace_id;
  char *json;
} Publish;

static gboolean
publish_on_engine (gpointer data)
{
  Publish *p = data;

  if (p->publisher->events != NULL)
    fd_events_publish (p->publisher->events, "integration.updated", p->workspace_id, NULL, p->json);
  return G_SOURCE_REMOVE;
}

static void
publish_free (gpointer data)
{
  Publish *p = data;

  fd_integrations_publisher_unref (p->publisher);
  g_free (p->workspace_id);
  g_free (p->json);
  g_free (p);
}

void
fd_worker_publish (FdWorker *w, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  Publish *p;

  g_mutex_lock (&w->lock);
  if (!force && w->health.state == w->published_state && now - w->published_at < PUBLISH_MIN_US)
    {
      g_mutex_unlock (&w->lock);
      return;
    }
  w->published_state = w->health.state;
  w->published_at = now;
  p = g_new0 (Publish, 1);
  p->json = fd_integration_health_json (w->id, w->name, &w->health);
  p->workspace_id = g_strdup (w->workspace_id);
  g_mutex_unlock (&w->lock);
  p->publisher = w->owner->publisher;
  g_atomic_int_inc (&p->publisher->ref);
  g_main_context_invoke_full (w->owner->context, G_PRIORITY_DEFAULT, publish_on_engine, p,
                              publish_free);
}
