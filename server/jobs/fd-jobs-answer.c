/* fd-jobs-answer.c — what devices do with jobs: answer them (the result, committed with the
 * execution's new state) and take them in a #status (queued executions become sent). */
#include "config.h"

#include "fd-jobs-private.h"
#include "fd-util.h"

/* A device's answer. */

typedef struct
{
  char *device_id;
  char *name;
  char *result;
  GPtrArray *changes;
} AnswerData;

static void
answer_data_free (gpointer data)
{
  AnswerData *a = data;

  g_free (a->device_id);
  g_free (a->name);
  g_free (a->result);
  g_ptr_array_unref (a->changes);
  g_free (a);
}

/* Runs in the savepoint of the report: the newest open execution of the device for a job of
 * that name (there is at most one: a newer job replaces the older) ends with the result. An
 * answer nobody waits for (late, after a timeout or a cancel) is only stored as the report. */
static gboolean
answer_also (FdDb *db, gpointer data, GError **error)
{
  AnswerData *a = data;
  g_autofree char *job_id = NULL, *workspace_id = NULL, *message = NULL;
  gint64 attempts = 0, now = fd_now_ms ();
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "SELECT e.job_id, j.workspace_id, e.attempts FROM job_execution e"
                       " JOIN job j ON j.id = e.job_id WHERE e.device_id = ?1 AND j.name = ?2"
                       " AND e.state IN ('queued', 'sent') ORDER BY e.queued_at DESC LIMIT 1",
                       error);
  FdExecState state;
  gboolean done;
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, a->device_id);
  fd_db_bind_text (stmt, 2, a->name);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      job_id = fd_db_column_dup (stmt, 0);
      workspace_id = fd_db_column_dup (stmt, 1);
      attempts = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "finding a job's execution");
      return FALSE;
    }
  if (job_id == NULL)
    return TRUE;
  state = fd_jobs_result_failed (a->result, &message) ? FD_EXEC_FAILED : FD_EXEC_SUCCEEDED;
  /* A device that answers what it took from the expected map before #status said so. */
  attempts = MAX (attempts, 1);
  stmt = fd_db_prepare (db,
                        "UPDATE job_execution SET attempts = ?3 WHERE job_id = ?1 AND"
                        " device_id = ?2",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  fd_db_bind_text (stmt, 2, a->device_id);
  sqlite3_bind_int64 (stmt, 3, attempts);
  if (!fd_db_step_done (db, stmt, NULL, error)
      || !fd_store_job_execution_finish (db, job_id, a->device_id, state, a->result, message, now,
                                         error)
      || !fd_store_job_settle (db, job_id, now, &done, error))
    return FALSE;
  fd_job_change_add (a->changes, job_id, workspace_id, a->device_id, a->name, state, attempts,
                     a->result);
  return TRUE;
}

typedef struct
{
  FdJobs *jobs;
  AnswerData *a;
} AnswerCall;

static void
answer_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  AnswerCall *call = g_task_get_task_data (task);
  GError *error = NULL;

  if (!fd_ingest_up_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  if (fd_jobs_release (call->jobs))
    fd_jobs_publish (call->jobs, call->a->changes);
  g_object_unref (task);
}

static void
answer_call_free (gpointer data)
{
  AnswerCall *call = data;
  answer_data_free (call->a);
  g_free (call);
}

void
fd_jobs_answer_async (FdJobs *jobs, FdIngest *ingest, FdDeviceIdentity *who, const char *key,
                      const char *value_json, GAsyncReadyCallback cb, gpointer data)
{
  GTask *task = g_task_new (NULL, NULL, cb, data);
  AnswerCall *call = g_new0 (AnswerCall, 1);

  g_task_set_source_tag (task, fd_jobs_answer_async);
  call->jobs = fd_jobs_hold (jobs);
  call->a = g_new0 (AnswerData, 1);
  call->a->device_id = g_strdup (who->device_id);
  call->a->name = g_strdup (key[0] == '@' ? key + 1 : key);
  call->a->result = g_strdup (value_json);
  call->a->changes = fd_job_changes_new ();
  g_task_set_task_data (task, call, answer_call_free);
  /* The data belongs to the task: the callback reads the changes after the commit. */
  fd_ingest_up_full_async (ingest, who, key[0] == '@' ? key : call->a->name, value_json,
                           answer_also, call->a, NULL, answer_done, task);
}

gboolean
fd_jobs_answer_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* #status: the device has every @job entry now. */

typedef struct
{
  FdJobs *jobs;
  char *device_id;
  gint64 now;
  gint64 next;
  GPtrArray *changes;
} SentJob;

static void
sent_job_free (gpointer data)
{
  SentJob *s = data;
  g_free (s->device_id);
  g_ptr_array_unref (s->changes);
  g_free (s);
}

typedef struct
{
  char *job_id, *workspace_id, *name;
  gint64 timeout_s, attempts;
} Queued;

static void
queued_free (Queued *q)
{
  g_free (q->job_id);
  g_free (q->workspace_id);
  g_free (q->name);
  g_free (q);
}

static gpointer
queued_from_row (sqlite3_stmt *stmt)
{
  Queued *q = g_new0 (Queued, 1);

  q->job_id = fd_db_column_dup (stmt, 0);
  q->workspace_id = fd_db_column_dup (stmt, 1);
  q->name = fd_db_column_dup (stmt, 2);
  q->timeout_s = sqlite3_column_int64 (stmt, 3);
  q->attempts = sqlite3_column_int64 (stmt, 4);
  return q;
}

static gboolean
sent_write (FdDb *db, gpointer data, GError **error)
{
  SentJob *s = data;
  g_autoptr (GPtrArray) queued = g_ptr_array_new_with_free_func ((GDestroyNotify)queued_free);
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "SELECT e.job_id, j.workspace_id, j.name, j.timeout_s, e.attempts FROM job_execution e"
      " JOIN job j ON j.id = e.job_id WHERE e.device_id = ?1 AND e.state = 'queued'",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, s->device_id);
  if (!fd_db_fetch_all (db, stmt, queued_from_row, queued, error))
    return FALSE;
  s->next = G_MAXINT64;
  for (guint i = 0; i < queued->len; i++)
    {
      Queued *q = queued->pdata[i];
      gint64 deadline = s->now + q->timeout_s * 1000;
      gboolean changed;

      if (!fd_store_job_execution_sent (db, q->job_id, s->device_id, s->now, deadline, &changed,
                                        error))
        return FALSE;
      if (!changed)
        continue;
      s->next = MIN (s->next, deadline);
      fd_job_change_add (s->changes, q->job_id, q->workspace_id, s->device_id, q->name,
                         FD_EXEC_SENT, q->attempts + 1, NULL);
    }
  return TRUE;
}

static void
sent_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdJobs *jobs = user_data;
  g_autoptr (GError) error = NULL;
  SentJob *s = fd_store_run_get_data (result);
  gboolean ok = fd_store_run_finish (result, &error);

  if (!fd_jobs_release (jobs))
    return;
  if (!ok)
    {
      if (!g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        g_warning ("jobs: marking %s's executions sent failed: %s", s->device_id, error->message);
      return;
    }
  fd_jobs_publish (jobs, s->changes);
  if (s->next != G_MAXINT64)
    fd_jobs_note_deadline (jobs, s->next);
}

void
fd_jobs_status_sent (FdJobs *jobs, const char *device_id)
{
  SentJob *s = g_new0 (SentJob, 1);

  s->device_id = g_strdup (device_id);
  s->now = fd_now_ms ();
  s->changes = fd_job_changes_new ();
  fd_store_write_async (jobs->store, sent_write, s, sent_job_free, sent_done, fd_jobs_hold (jobs));
}
