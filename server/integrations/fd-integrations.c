/* fd-integrations.c — the delivery workers service: one FdWorker per integration, each with a
 * thread (fd-integrations-worker.c; a paused one only counts its queue and applies its limits),
 * its health for the API, /metrics, and test sends. */
#include "config.h"

#include "fd-integrations-private.h"
#include "fd-util.h"

#include <string.h>

#define DEFAULT_BACKOFF_MS 1000
#define DEFAULT_BACKOFF_MAX_MS 300000
#define DEFAULT_REQUEST_TIMEOUT_S 30

static const char *const state_names[]
    = { "idle", "delivering", "retrying", "failing", "paused", "dropping" };

const char *
fd_integration_state_name (FdIntegrationState state)
{
  return (guint)state < G_N_ELEMENTS (state_names) ? state_names[state] : "idle";
}

void
fd_integration_health_clear (FdIntegrationHealth *health)
{
  g_clear_pointer (&health->last_error, g_free);
  memset (health, 0, sizeof *health);
}

static void
worker_stop (FdWorker *w)
{
  if (w->thread == NULL)
    return;
  g_mutex_lock (&w->lock);
  w->stop = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  g_cancellable_cancel (w->cancellable);
  g_thread_join (w->thread);
  w->thread = NULL;
  g_mutex_lock (&w->lock);
  w->stop = FALSE;
  w->reload = FALSE;
  g_mutex_unlock (&w->lock);
  g_cancellable_reset (w->cancellable);
}

static void
worker_free (gpointer data)
{
  FdWorker *w = data;

  worker_stop (w);
  g_free (w->id);
  g_free (w->workspace_id);
  g_free (w->name);
  g_clear_object (&w->cancellable);
  fd_integration_health_clear (&w->health);
  g_queue_clear_full (&w->rate, g_free);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}

static void
worker_start (FdWorker *w)
{
  g_autofree char *name = g_strdup_printf ("fd-int-%.8s", w->id + (strlen (w->id) > 4 ? 4 : 0));

  if (w->thread != NULL)
    {
      g_mutex_lock (&w->lock);
      w->reload = TRUE;
      g_cond_signal (&w->cond);
      g_mutex_unlock (&w->lock);
      return;
    }
  w->thread = g_thread_new (name, fd_worker_thread, w);
}

FdIntegrations *
fd_integrations_new (FdStore *store, FdEvents *events, const FdIntegrationsConfig *config)
{
  FdIntegrations *self = g_new0 (FdIntegrations, 1);

  self->store = store;
  if (config != NULL)
    self->config = *config;
  if (self->config.backoff_ms == 0)
    self->config.backoff_ms = DEFAULT_BACKOFF_MS;
  if (self->config.backoff_max_ms == 0)
    self->config.backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
  self->config.backoff_max_ms = MAX (self->config.backoff_max_ms, self->config.backoff_ms);
  if (self->config.request_timeout_s == 0)
    self->config.request_timeout_s = DEFAULT_REQUEST_TIMEOUT_S;
  self->context = g_main_context_ref_thread_default ();
  self->publisher = g_new0 (FdIntegrationsPublisher, 1);
  self->publisher->ref = 1;
  self->publisher->events = events;
  self->publisher->owner = self;
  g_mutex_init (&self->lock);
  self->workers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, worker_free);
  self->cancellable = g_cancellable_new ();
  return self;
}

void
fd_integrations_publisher_unref (FdIntegrationsPublisher *publisher)
{
  if (g_atomic_int_dec_and_test (&publisher->ref))
    g_free (publisher);
}

/* Makes or updates the worker of @row (under no lock: engine thread). */
static void
apply_row (FdIntegrations *self, const FdIntegration *row)
{
  FdWorker *w;

  g_mutex_lock (&self->lock);
  w = g_hash_table_lookup (self->workers, row->id);
  if (w == NULL)
    {
      w = g_new0 (FdWorker, 1);
      w->owner = self;
      w->id = g_strdup (row->id);
      w->workspace_id = g_strdup (row->workspace_id);
      w->type = row->type;
      w->cancellable = g_cancellable_new ();
      w->published_state = (FdIntegrationState)-1;
      g_mutex_init (&w->lock);
      g_cond_init (&w->cond);
      g_queue_init (&w->rate);
      g_hash_table_insert (self->workers, w->id, w);
    }
  g_mutex_lock (&w->lock);
  g_free (w->name);
  w->name = g_strdup (row->name);
  w->health.delivered = row->delivered;
  w->health.failed = row->failed;
  w->health.dropped = row->dropped;
  g_mutex_unlock (&w->lock);
  g_mutex_unlock (&self->lock);

  if (row->paused)
    {
      /* A delivery under way is cancelled (its batch stays in flight, resent on resume); a
       * new thread then only counts the queue and applies the limits while paused. */
      worker_stop (w);
      g_mutex_lock (&w->lock);
      w->health.state = FD_INTEGRATION_PAUSED;
      w->health.next_attempt_at = 0;
      w->health.rate_per_s = 0;
      g_queue_clear_full (&w->rate, g_free);
      g_mutex_unlock (&w->lock);
      fd_worker_publish (w, TRUE);
    }
  worker_start (w);
}

typedef struct
{
  const char *id;
  FdPage page;
  FdIntegration *row;
} LoadJob;

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  LoadJob *job = data;
  return fd_store_integration_list (db, NULL, 0, G_MAXINT32, &job->page, error);
}

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  LoadJob *job = data;
  job->row = fd_store_integration_get (db, job->id, error);
  return job->row != NULL;
}

gboolean
fd_integrations_start (FdIntegrations *self, GError **error)
{
  LoadJob job = { 0 };

  g_return_val_if_fail (!self->started, FALSE);
  if (!fd_store_read_sync (self->store, list_job, &job, error))
    return FALSE;
  for (guint i = 0; i < job.page.items->len; i++)
    apply_row (self, job.page.items->pdata[i]);
  fd_page_clear (&job.page);
  if (self->publisher->events != NULL)
    fd_integrations_bridge_start (self, self->publisher->events);
  self->started = TRUE;
  return TRUE;
}

void
fd_integrations_free (FdIntegrations *self)
{
  if (self == NULL)
    return;
  fd_integrations_bridge_stop (self);
  g_cancellable_cancel (self->cancellable);
  /* Every worker first told to stop, then joined: their requests are cancelled together. */
  g_mutex_lock (&self->lock);
  {
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init (&iter, self->workers);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      {
        FdWorker *w = value;
        g_mutex_lock (&w->lock);
        w->stop = TRUE;
        g_cond_signal (&w->cond);
        g_mutex_unlock (&w->lock);
        g_cancellable_cancel (w->cancellable);
      }
  }
  g_mutex_unlock (&self->lock);
  g_hash_table_unref (self->workers);
  self->publisher->events = NULL;
  self->publisher->owner = NULL;
  fd_integrations_publisher_unref (self->publisher);
  g_object_unref (self->cancellable);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
fd_integrations_reload (FdIntegrations *self, const char *id)
{
  g_autoptr (GError) error = NULL;
  LoadJob job = { .id = id };

  if (!fd_store_read_sync (self->store, get_job, &job, &error))
    {
      if (!g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        g_warning ("could not reload integration %s: %s", id, error->message);
      else
        {
          /* Deleted: its worker goes (joined in worker_free). */
          FdWorker *w;
          g_mutex_lock (&self->lock);
          w = g_hash_table_lookup (self->workers, id);
          if (w != NULL)
            g_hash_table_steal (self->workers, id);
          g_mutex_unlock (&self->lock);
          if (w != NULL)
            worker_free (w);
        }
      return;
    }
  apply_row (self, job.row);
  fd_integration_free (job.row);
}

void
fd_integrations_kick (FdIntegrations *self, const char *workspace_id)
{
  GHashTableIter iter;
  gpointer value;

  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      FdWorker *w = value;
      if (workspace_id != NULL && g_strcmp0 (w->workspace_id, workspace_id) != 0)
        continue;
      g_mutex_lock (&w->lock);
      w->kicked = TRUE;
      g_cond_signal (&w->cond);
      g_mutex_unlock (&w->lock);
    }
  g_mutex_unlock (&self->lock);
}

static void
health_copy (const FdIntegrationHealth *from, FdIntegrationHealth *to)
{
  *to = *from;
  to->last_error = g_strdup (from->last_error);
}

gboolean
fd_integrations_get_health (FdIntegrations *self, const char *id, FdIntegrationHealth *health)
{
  FdWorker *w;

  memset (health, 0, sizeof *health);
  g_mutex_lock (&self->lock);
  w = g_hash_table_lookup (self->workers, id);
  if (w != NULL)
    {
      g_mutex_lock (&w->lock);
      health_copy (&w->health, health);
      g_mutex_unlock (&w->lock);
    }
  g_mutex_unlock (&self->lock);
  return w != NULL;
}

/* Prometheus text. */

static void
metric_header (GString *out, const char *name, const char *type, const char *help)
{
  g_string_append_printf (out, "# HELP fleetdesk_integration_%s %s\n", name, help);
  g_string_append_printf (out, "# TYPE fleetdesk_integration_%s %s\n", name, type);
}

void
fd_integrations_metrics (FdIntegrations *self, GString *out)
{
  static const struct
  {
    const char *name, *type, *help;
  } metrics[] = {
    { "queue_depth", "gauge", "Items queued for the integration." },
    { "delivered_total", "counter", "Items delivered." },
    { "failed_total", "counter", "Items of batches the sink rejected." },
    { "dropped_total", "counter", "Items dropped by the integration's limits." },
    { "rate_per_second", "gauge", "Items delivered per second over the last minute." },
    { "up", "gauge", "1 when the integration is neither retrying nor failing." },
  };
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->workers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      FdWorker *w = value;
      FdIntegrationHealth *h = g_new0 (FdIntegrationHealth, 1);
      char *labels;
      g_mutex_lock (&w->lock);
      *h = w->health;
      h->last_error = NULL;
      g_mutex_unlock (&w->lock);
      /* ids are "int-" and base32: nothing to escape in a label value. */
      labels = g_strdup_printf ("{integration=\"%s\",type=\"%s\"}", w->id,
                                fd_integration_type_name (w->type));
      g_ptr_array_add (rows, h);
      g_ptr_array_add (rows, labels);
    }
  g_mutex_unlock (&self->lock);

  for (guint m = 0; m < G_N_ELEMENTS (metrics); m++)
    {
      metric_header (out, metrics[m].name, metrics[m].type, metrics[m].help);
      for (guint i = 0; i + 1 < rows->len; i += 2)
        {
          const FdIntegrationHealth *h = rows->pdata[i];
          const char *labels = rows->pdata[i + 1];
          char rate[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_append_printf (out, "fleetdesk_integration_%s%s ", metrics[m].name, labels);
          switch (m)
            {
            case 0:
              g_string_append_printf (out, "%" G_GINT64_FORMAT "\n", h->queue_depth);
              break;
            case 1:
              g_string_append_printf (out, "%" G_GINT64_FORMAT "\n", h->delivered);
              break;
            case 2:
              g_string_append_printf (out, "%" G_GINT64_FORMAT "\n", h->failed);
              break;
            case 3:
              g_string_append_printf (out, "%" G_GINT64_FORMAT "\n", h->dropped);
              break;
            case 4:
              g_string_append_printf (out, "%s\n",
                                      g_ascii_formatd (rate, sizeof rate, "%.3f", h->rate_per_s));
              break;
            default:
              g_string_append_printf (out, "%d\n",
                                      h->state != FD_INTEGRATION_RETRYING
                                          && h->state != FD_INTEGRATION_FAILING);
              break;
            }
        }
    }
}

/* Test sends. */

typedef struct
{
  FdIntegrations *self;
  FdIntegration integration; /* the fields a sink needs, owned */
  FdSinkResult result;
} TestJob;

static void
test_job_free (gpointer data)
{
  TestJob *job = data;

  g_free (job->integration.id);
  g_free (job->integration.workspace_id);
  g_free (job->integration.name);
  g_free (job->integration.config);
  if (job->integration.secret != NULL)
    explicit_bzero (job->integration.secret, strlen (job->integration.secret));
  g_free (job->integration.secret);
  fd_sink_result_clear (&job->result);
  g_free (job);
}

typedef struct
{
  const char *id;
  FdOutboxBatch *batch;
  FdDeliveryAttempt attempt;
} TestLog;

static gboolean
test_log_job (FdDb *db, gpointer data, GError **error)
{
  TestLog *log = data;
  return fd_store_delivery_add (db, log->id, log->batch, &log->attempt, error);
}

static void
test_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  TestJob *job = data;
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FdSink) sink = NULL;
  g_autoptr (GString) body = g_string_new (NULL);
  FdOutboxBatch *batch = g_new0 (FdOutboxBatch, 1);
  FdOutboxItem item = { 0 };
  gint64 now = fd_now_ms ();
  g_autofree char *time = fd_time_format_ms (now);
  const char *id = job->integration.id ? job->integration.id : "";

  g_main_context_push_thread_default (context);
  sink = fd_sink_new (&job->integration, &error);
  if (sink == NULL)
    {
      g_main_context_pop_thread_default (context);
      fd_outbox_batch_free (batch);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_string_append (body, "{\"type\":\"integration.test\",\"time\":\"");
  g_string_append (body, time);
  g_string_append (body, "\",\"workspace_id\":");
  fd_json_append_string (body, job->integration.workspace_id ? job->integration.workspace_id : "",
                         job->integration.workspace_id ? strlen (job->integration.workspace_id) : 0,
                         FALSE);
  g_string_append (body, ",\"device_id\":null,\"data\":{\"integration_id\":");
  fd_json_append_string (body, id, strlen (id), FALSE);
  g_string_append (body, ",\"message\":\"a test event from Fleetdesk\"}}");
  batch->kind = FD_OUTBOX_KIND_TEST;
  /* Unique even for tests in the same millisecond: a PostgreSQL sink would take a repeated
   * batch_id for a resend and write nothing. */
  batch->batch_id = g_strdup_printf ("%s%stest-%" G_GINT64_FORMAT "-%08x", id, *id ? "-" : "", now,
                                     g_random_int ());
  batch->items = g_array_new (FALSE, TRUE, sizeof (FdOutboxItem));
  item.id = 0;
  item.kind = FD_OUTBOX_KIND_TEST;
  item.workspace_id = job->integration.workspace_id;
  item.ts_device = item.ts_in = now;
  item.payload = body->str;
  item.payload_len = body->len;
  g_array_append_val (batch->items, item);
  fd_sink_deliver (sink, batch, cancellable, &job->result);
  if (job->integration.id != NULL)
    {
      TestLog log = {
        .id = job->integration.id,
        .batch = batch,
        .attempt = { .outcome = job->result.outcome == FD_SINK_DELIVERED  ? "delivered"
                                : job->result.outcome == FD_SINK_REJECTED ? "failed"
                                                                          : "retry",
                     .status = job->result.status,
                     .latency_ms = job->result.latency_ms,
                     .error = job->result.error,
                     .at = fd_now_ms () },
      };
      g_autoptr (GError) log_error = NULL;
      if (!fd_store_write_sync (job->self->store, test_log_job, &log, &log_error)
          && !g_error_matches (log_error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        g_warning ("could not log the test of integration %s: %s", id, log_error->message);
    }
  g_clear_pointer (&sink, fd_sink_free);
  fd_outbox_batch_free (batch);
  g_main_context_pop_thread_default (context);
  g_task_return_boolean (task, TRUE);
}

void
fd_integrations_test_async (FdIntegrations *self, const FdIntegration *integration,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  TestJob *job = g_new0 (TestJob, 1);

  g_task_set_source_tag (task, fd_integrations_test_async);
  job->self = self;
  job->integration.id = g_strdup (integration->id);
  job->integration.workspace_id = g_strdup (integration->workspace_id);
  job->integration.type = integration->type;
  job->integration.name = g_strdup (integration->name);
  job->integration.config = g_strdup (integration->config);
  job->integration.secret = g_strdup (integration->secret);
  g_task_set_task_data (task, job, test_job_free);
  g_task_run_in_thread (task, test_thread);
}

gboolean
fd_integrations_test_finish (GAsyncResult *res, FdSinkResult *result, GError **error)
{
  TestJob *job;

  g_return_val_if_fail (g_task_is_valid (res, NULL), FALSE);
  if (!g_task_propagate_boolean (G_TASK (res), error))
    return FALSE;
  job = g_task_get_task_data (G_TASK (res));
  *result = job->result;
  job->result.error = NULL;
  return TRUE;
}
