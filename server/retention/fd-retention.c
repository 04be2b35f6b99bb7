/* fd-retention.c — runs retention passes as chains of small store jobs.
 *
 * Each step is its own fd_store_write_async() job, queued only when the previous one has
 * committed: the jobs devices' readings arrive in are queued in between, and the writer's
 * group commit takes them with (or right after) a step. Nothing of a pass waits in the store
 * queue, so a long pass never holds ingest behind it.
 */
#include "fd-retention.h"

#include "fd-util.h"

typedef struct _Pass Pass;

struct _FdRetention
{
  FdStore *store;
  GMainContext *context; /* where timers and callbacks run */
  GSource *timer;
  guint period_s;
  Pass *pass;       /* the running pass, or NULL */
  GPtrArray *queue; /* GTask*: callers for the next pass */
  gboolean stopped;
};

struct _Pass
{
  FdRetention *owner; /* NULL once the owner was freed: the pass ends at its next callback */
  FdStore *store;
  GArray *items; /* FdRetentionItem */
  FdRetentionCursor cursor;
  GPtrArray *tasks; /* GTask*: callers answered by this pass */
  gboolean vacuuming;
  gint64 free_pages; /* left after the last vacuum step */
  gint64 started;    /* monotonic, µs */
};

/* One step's job: a copy of the cursor the step advances, kept only when it committed. */
typedef struct
{
  Pass *pass;
  FdRetentionCursor cursor;
  gboolean done;
  gint64 free_pages;
  gint64 queued;
} Step;

static void start_pass (FdRetention *r);
static void next_step (Pass *pass);

FdRetention *
fd_retention_new (FdStore *store)
{
  FdRetention *r = g_new0 (FdRetention, 1);

  r->store = store;
  r->context = g_main_context_ref_thread_default ();
  r->queue = g_ptr_array_new ();
  return r;
}

static void
fail_tasks (GPtrArray *tasks, const GError *error)
{
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
    }
  g_ptr_array_set_size (tasks, 0);
}

static void
pass_finish (Pass *pass, const GError *error)
{
  FdRetention *owner = pass->owner;
  const FdRetentionCounts *c = &pass->cursor.counts;
  double seconds = (double)(g_get_monotonic_time () - pass->started) / G_USEC_PER_SEC;

  if (error != NULL)
    {
      if (!g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        g_warning ("the retention pass failed: %s", error->message);
      fail_tasks (pass->tasks, error);
    }
  else
    {
      if (c->samples_deleted + c->points_deleted + c->rollups_deleted > 0)
        g_message ("retention: deleted %" G_GINT64_FORMAT " readings, %" G_GINT64_FORMAT
                   " points and %" G_GINT64_FORMAT " rollups older than their workspaces' "
                   "retention in %.1f s",
                   c->samples_deleted, c->points_deleted, c->rollups_deleted, seconds);
      for (guint i = 0; i < pass->tasks->len; i++)
        {
          GTask *task = g_ptr_array_index (pass->tasks, i);
          g_task_return_pointer (task, g_memdup2 (c, sizeof *c), g_free);
          g_object_unref (task);
        }
    }
  g_ptr_array_unref (pass->tasks);
  g_array_unref (pass->items);
  g_free (pass);

  if (owner == NULL)
    return;
  owner->pass = NULL;
  if (owner->queue->len > 0 && !owner->stopped)
    start_pass (owner);
}

/* FALSE (and the pass ended) when the pass must not go on. */
static gboolean
pass_continues (Pass *pass)
{
  if (pass->owner != NULL && !pass->owner->stopped)
    return TRUE;
  {
    g_autoptr (GError) error = g_error_new_literal (FD_STORE_ERROR, FD_STORE_ERROR_CLOSED,
                                                    "the server is shutting down");
    pass_finish (pass, error);
  }
  return FALSE;
}

static gboolean
step_job (FdDb *db, gpointer data, GError **error)
{
  Step *step = data;
  Pass *pass = step->pass;

  if (pass->vacuuming)
    return fd_store_retention_vacuum (db, &step->free_pages, error);
  return fd_store_retention_step (db, pass->items, &step->cursor, &step->done, error);
}

static void
step_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Step *step = fd_store_run_get_data (result);
  Pass *pass = step->pass;
  g_autoptr (GError) error = NULL;

  g_debug ("retention: a %s step took %.1f ms from queued to committed",
           pass->vacuuming ? "vacuum" : "delete",
           (double)(g_get_monotonic_time () - step->queued) / 1000.0);

  if (!fd_store_run_finish (result, &error))
    {
      pass_finish (pass, error);
      return;
    }
  if (!pass_continues (pass))
    return;
  if (!pass->vacuuming)
    {
      pass->cursor = step->cursor;
      if (step->done)
        {
          pass->vacuuming = TRUE;
          pass->free_pages = G_MAXINT64;
        }
      next_step (pass);
      return;
    }
  /* Done when nothing is free any more, or a step freed nothing (pages a reader's snapshot
   * still needs are freed by a later pass). */
  if (step->free_pages == 0 || step->free_pages >= pass->free_pages)
    {
      pass_finish (pass, NULL);
      return;
    }
  pass->free_pages = step->free_pages;
  next_step (pass);
}

static void
next_step (Pass *pass)
{
  Step *step = g_new0 (Step, 1);

  step->pass = pass;
  step->cursor = pass->cursor;
  step->queued = g_get_monotonic_time ();
  fd_store_write_async (pass->store, step_job, step, g_free, step_done, NULL);
}

static gboolean
plan_job (FdDb *db, gpointer data, GError **error)
{
  Pass *pass = data;
  return fd_store_retention_plan (db, fd_now_ms (), pass->items, error);
}

static void
plan_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pass *pass = user_data;
  g_autoptr (GError) error = NULL;

  if (!fd_store_run_finish (result, &error))
    pass_finish (pass, error);
  else if (pass_continues (pass))
    next_step (pass);
}

static void
start_pass (FdRetention *r)
{
  Pass *pass = g_new0 (Pass, 1);

  g_assert (r->pass == NULL);
  pass->owner = r;
  pass->store = r->store;
  pass->items = g_array_new (FALSE, FALSE, sizeof (FdRetentionItem));
  pass->tasks = g_steal_pointer (&r->queue);
  pass->started = g_get_monotonic_time ();
  r->queue = g_ptr_array_new ();
  r->pass = pass;
  /* The plan runs on a reader: the writer only ever sees the deleting steps. */
  fd_store_read_async (r->store, plan_job, pass, NULL, plan_done, pass);
}

void
fd_retention_run_async (FdRetention *r, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (task, fd_retention_run_async);
  if (r->stopped)
    {
      g_task_return_new_error (task, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED,
                               "the server is shutting down");
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (r->queue, task);
  if (r->pass == NULL)
    start_pass (r);
}

gboolean
fd_retention_run_finish (GAsyncResult *result, FdRetentionCounts *counts, GError **error)
{
  g_autofree FdRetentionCounts *c = g_task_propagate_pointer (G_TASK (result), error);

  if (c == NULL)
    return FALSE;
  if (counts != NULL)
    *counts = *c;
  return TRUE;
}

static void
scheduled_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  /* A failure was logged by the pass; the next period tries again. */
  fd_retention_run_finish (result, NULL, NULL);
}

static gboolean
timer_fired (gpointer data)
{
  FdRetention *r = data;

  /* A pass already running (asked for through the API) does the work of this one. */
  if (r->pass == NULL && !r->stopped)
    fd_retention_run_async (r, scheduled_done, NULL);
  return G_SOURCE_CONTINUE;
}

static void set_timer (FdRetention *r, guint seconds, GSourceFunc func);

static gboolean
delay_fired (gpointer data)
{
  FdRetention *r = data;

  timer_fired (r);
  set_timer (r, r->period_s, timer_fired); /* destroys this source */
  return G_SOURCE_REMOVE;
}

static void
set_timer (FdRetention *r, guint seconds, GSourceFunc func)
{
  if (r->timer != NULL)
    {
      g_source_destroy (r->timer);
      g_source_unref (r->timer);
    }
  r->timer = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (r->timer, func, r, NULL);
  g_source_set_static_name (r->timer, "fd-retention");
  g_source_attach (r->timer, r->context);
}

void
fd_retention_schedule (FdRetention *r, guint delay_s, guint period_s)
{
  g_return_if_fail (period_s > 0);
  r->period_s = period_s;
  set_timer (r, delay_s, delay_fired);
}

void
fd_retention_stop (FdRetention *r)
{
  g_autoptr (GError) error
      = g_error_new_literal (FD_STORE_ERROR, FD_STORE_ERROR_CLOSED, "the server is shutting down");

  r->stopped = TRUE;
  if (r->timer != NULL)
    {
      g_source_destroy (r->timer);
      g_clear_pointer (&r->timer, g_source_unref);
    }
  /* Callers waiting for the next pass are answered now, not after the API's drain timed out
   * waiting for them. */
  fail_tasks (r->queue, error);
}

void
fd_retention_free (FdRetention *r)
{
  if (r == NULL)
    return;
  fd_retention_stop (r);
  g_ptr_array_unref (r->queue);
  /* Its store job may still call back: it then finds no owner and ends. */
  if (r->pass != NULL)
    r->pass->owner = NULL;
  g_main_context_unref (r->context);
  g_free (r);
}
