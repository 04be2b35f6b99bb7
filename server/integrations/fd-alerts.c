/* fd-alerts.c — the alerts ticker: every tick_ms one store write job runs
 * fd_store_alerts_check() (alert rows and their outbox events in one transaction); after its
 * commit the live events alert.triggered / alert.resolved are published and the engine is told
 * which workspaces have new outbox events. One check at a time: a kick or tick during one
 * runs another right after it. */
#include "config.h"

#include "fd-alerts.h"
#include "fd-util.h"
#include "store/fd-store-alerts.h"

#define FD_ALERTS_DEFAULT_TICK_MS 5000

struct _FdAlerts
{
  FdStore *store;
  FdEvents *events;
  guint tick_ms;
  guint tick_source;
  gboolean running; /* a check job is queued */
  gboolean again;   /* run another when it ends */
  gboolean closing; /* freed while a check was queued: its callback frees */
  FdAlertsNotify notify;
  gpointer notify_data;
};

typedef struct
{
  FdAlerts *alerts;
  gint64 now;
  GPtrArray *triggered; /* FdAlert* */
  GPtrArray *resolved;
} CheckJob;

static void
check_job_free (gpointer data)
{
  CheckJob *job = data;

  g_ptr_array_unref (job->triggered);
  g_ptr_array_unref (job->resolved);
  g_free (job);
}

static gboolean
check_job (FdDb *db, gpointer data, GError **error)
{
  CheckJob *job = data;
  return fd_store_alerts_check (db, job->now, job->triggered, job->resolved, error);
}

static void run_check (FdAlerts *self);

static void
publish (FdAlerts *self, GPtrArray *alerts, const char *type, GHashTable *workspaces)
{
  for (guint i = 0; i < alerts->len; i++)
    {
      const FdAlert *a = g_ptr_array_index (alerts, i);
      g_autofree char *json = fd_alert_to_json (a);

      fd_events_publish (self->events, type, a->workspace_id, a->device_id, json);
      g_hash_table_add (workspaces, a->workspace_id);
    }
}

static void
check_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdAlerts *self = user_data;
  CheckJob *job = fd_store_run_get_data (result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) workspaces = NULL;
  GHashTableIter iter;
  gpointer key;

  self->running = FALSE;
  if (self->closing)
    {
      g_free (self);
      return;
    }
  if (!fd_store_run_finish (result, &error))
    {
      /* Nothing was written (the job's savepoint rolled back): the next tick tries again. */
      if (!g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        g_warning ("alerts: the check failed: %s", error->message);
      self->again = FALSE;
      return;
    }
  workspaces = g_hash_table_new (g_str_hash, g_str_equal);
  publish (self, job->resolved, "alert.resolved", workspaces);
  publish (self, job->triggered, "alert.triggered", workspaces);
  if (self->notify != NULL)
    {
      g_hash_table_iter_init (&iter, workspaces);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        self->notify (key, self->notify_data);
    }
  if (self->again)
    run_check (self);
}

static void
run_check (FdAlerts *self)
{
  CheckJob *job;

  if (self->running)
    {
      self->again = TRUE;
      return;
    }
  self->running = TRUE;
  self->again = FALSE;
  job = g_new0 (CheckJob, 1);
  job->alerts = self;
  job->now = fd_now_ms ();
  job->triggered = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_alert_free);
  job->resolved = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_alert_free);
  fd_store_write_async (self->store, check_job, job, check_job_free, check_done, self);
}

static gboolean
tick (gpointer data)
{
  run_check (data);
  return G_SOURCE_CONTINUE;
}

FdAlerts *
fd_alerts_new (FdStore *store, FdEvents *events, guint tick_ms)
{
  FdAlerts *self = g_new0 (FdAlerts, 1);

  self->store = store;
  self->events = events;
  self->tick_ms = tick_ms > 0 ? tick_ms : FD_ALERTS_DEFAULT_TICK_MS;
  return self;
}

void
fd_alerts_set_notify (FdAlerts *self, FdAlertsNotify func, gpointer user_data)
{
  self->notify = func;
  self->notify_data = user_data;
}

void
fd_alerts_start (FdAlerts *self)
{
  g_return_if_fail (self->tick_source == 0);
  /* A check at once: alerts due while the server was down are raised (or resolved) now. */
  run_check (self);
  self->tick_source = g_timeout_add (self->tick_ms, tick, self);
}

void
fd_alerts_kick (FdAlerts *self)
{
  if (self != NULL && !self->closing)
    run_check (self);
}

void
fd_alerts_free (FdAlerts *self)
{
  if (self == NULL)
    return;
  g_clear_handle_id (&self->tick_source, g_source_remove);
  /* The store's close finishes a queued check; its callback must not find us gone. */
  if (self->running)
    self->closing = TRUE;
  else
    g_free (self);
}
