/* fd-store-jobs.c — job and job_execution rows. */
#include "config.h"

#include "fd-store-jobs.h"

static const char *const state_names[FD_EXEC_N_STATES]
    = { "queued", "sent", "succeeded", "failed", "timed_out", "canceled", "rejected" };

const char *
fd_exec_state_name (FdExecState state)
{
  g_return_val_if_fail (state < FD_EXEC_N_STATES, "?");
  return state_names[state];
}

gboolean
fd_exec_state_parse (const char *name, FdExecState *state)
{
  for (guint i = 0; i < FD_EXEC_N_STATES; i++)
    if (name != NULL && g_str_equal (name, state_names[i]))
      {
        *state = (FdExecState)i;
        return TRUE;
      }
  return FALSE;
}

void
fd_job_free (FdJob *job)
{
  if (job == NULL)
    return;
  g_free (job->id);
  g_free (job->workspace_id);
  g_free (job->name);
  g_free (job->args);
  g_free (job->state);
  g_free (job->actor);
  g_free (job);
}

void
fd_job_execution_free (FdJobExecution *e)
{
  if (e == NULL)
    return;
  g_free (e->job_id);
  g_free (e->name);
  g_free (e->device_id);
  g_free (e->device_name);
  g_free (e->result);
  g_free (e->message);
  g_free (e);
}

#define JOB_COLUMNS                                                                                \
  "id, workspace_id, name, args, timeout_s, retries, state, actor, created_at, updated_at,"        \
  " finished_at"

static gpointer
job_from_row (sqlite3_stmt *stmt)
{
  FdJob *job = g_new0 (FdJob, 1);

  job->id = fd_db_column_dup (stmt, 0);
  job->workspace_id = fd_db_column_dup (stmt, 1);
  job->name = fd_db_column_dup (stmt, 2);
  job->args = fd_db_column_dup (stmt, 3);
  job->timeout_s = sqlite3_column_int64 (stmt, 4);
  job->retries = sqlite3_column_int64 (stmt, 5);
  job->state = fd_db_column_dup (stmt, 6);
  job->actor = fd_db_column_dup (stmt, 7);
  job->created_at = sqlite3_column_int64 (stmt, 8);
  job->updated_at = sqlite3_column_int64 (stmt, 9);
  job->finished_at = fd_db_column_time (stmt, 10);
  return job;
}

gboolean
fd_store_job_insert (FdDb *db, const FdJob *job, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "INSERT INTO job (" JOB_COLUMNS ")"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, NULL)",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job->id);
  fd_db_bind_text (stmt, 2, job->workspace_id);
  fd_db_bind_text (stmt, 3, job->name);
  fd_db_bind_text (stmt, 4, job->args);
  sqlite3_bind_int64 (stmt, 5, job->timeout_s);
  sqlite3_bind_int64 (stmt, 6, job->retries);
  fd_db_bind_text (stmt, 7, job->state);
  fd_db_bind_text (stmt, 8, job->actor);
  sqlite3_bind_int64 (stmt, 9, job->created_at);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_job_fill_counts (FdDb *db, FdJob *job, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT state, count(*) FROM job_execution WHERE job_id = ?1 GROUP BY state", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job->id);
  memset (job->counts, 0, sizeof job->counts);
  job->total = 0;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      FdExecState state;
      gint64 n = sqlite3_column_int64 (stmt, 1);

      if (fd_exec_state_parse ((const char *)sqlite3_column_text (stmt, 0), &state))
        job->counts[state] = n;
      job->total += n;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "counting a job's executions");
      return FALSE;
    }
  return TRUE;
}

FdJob *
fd_store_job_get (FdDb *db, const char *id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT " JOB_COLUMNS " FROM job WHERE id = ?1", error);
  g_autoptr (FdJob) job = NULL;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, id);
  job = fd_db_fetch_one (db, stmt, job_from_row, "job", id, error);
  if (job == NULL || !fd_store_job_fill_counts (db, job, error))
    return NULL;
  return g_steal_pointer (&job);
}

gboolean
fd_store_job_list (FdDb *db, const char *workspace_id, const char *state, gint64 from, gint64 size,
                   FdPage *page, GError **error)
{
  sqlite3_stmt *stmt;

  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_job_free);
  stmt = fd_db_prepare (db,
                        "SELECT count(*) FROM job WHERE workspace_id = ?1"
                        " AND (?2 IS NULL OR state = ?2)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, state);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT " JOB_COLUMNS " FROM job WHERE workspace_id = ?1"
                        " AND (?2 IS NULL OR state = ?2)"
                        " ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, state);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, from);
  if (!fd_db_fetch_all (db, stmt, job_from_row, page->items, error))
    return FALSE;
  for (guint i = 0; i < page->items->len; i++)
    if (!fd_store_job_fill_counts (db, page->items->pdata[i], error))
      return FALSE;
  return TRUE;
}

#define EXEC_COLUMNS                                                                               \
  "e.job_id, j.name, e.device_id, d.name, e.state, e.attempts, e.result, e.message, e.queued_at,"  \
  " e.sent_at, e.finished_at"

static gpointer
exec_from_row (sqlite3_stmt *stmt)
{
  FdJobExecution *e = g_new0 (FdJobExecution, 1);
  FdExecState state = FD_EXEC_QUEUED;

  e->job_id = fd_db_column_dup (stmt, 0);
  e->name = fd_db_column_dup (stmt, 1);
  e->device_id = fd_db_column_dup (stmt, 2);
  e->device_name = fd_db_column_dup (stmt, 3);
  fd_exec_state_parse ((const char *)sqlite3_column_text (stmt, 4), &state);
  e->state = state;
  e->attempts = sqlite3_column_int64 (stmt, 5);
  e->result = fd_db_column_dup (stmt, 6);
  e->message = fd_db_column_dup (stmt, 7);
  e->queued_at = sqlite3_column_int64 (stmt, 8);
  e->sent_at = fd_db_column_time (stmt, 9);
  e->finished_at = fd_db_column_time (stmt, 10);
  return e;
}

gboolean
fd_store_job_executions (FdDb *db, const char *job_id, int state, gint64 from, gint64 size,
                         FdPage *page, GError **error)
{
  const char *state_name = state >= 0 ? fd_exec_state_name ((FdExecState)state) : NULL;
  sqlite3_stmt *stmt;

  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_job_execution_free);
  stmt = fd_db_prepare (db,
                        "SELECT count(*) FROM job_execution WHERE job_id = ?1"
                        " AND (?2 IS NULL OR state = ?2)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  fd_db_bind_text (stmt, 2, state_name);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT " EXEC_COLUMNS " FROM job_execution e JOIN job j ON j.id = e.job_id"
                        " JOIN device d ON d.id = e.device_id WHERE e.job_id = ?1"
                        " AND (?2 IS NULL OR e.state = ?2)"
                        " ORDER BY d.name, e.device_id LIMIT ?3 OFFSET ?4",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  fd_db_bind_text (stmt, 2, state_name);
  sqlite3_bind_int64 (stmt, 3, size);
  sqlite3_bind_int64 (stmt, 4, from);
  return fd_db_fetch_all (db, stmt, exec_from_row, page->items, error);
}

gboolean
fd_store_device_executions (FdDb *db, const char *device_id, gint64 from, gint64 size, FdPage *page,
                            GError **error)
{
  sqlite3_stmt *stmt;

  page->items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_job_execution_free);
  stmt = fd_db_prepare (db, "SELECT count(*) FROM job_execution WHERE device_id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  if (!fd_db_fetch_count (db, stmt, &page->total, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "SELECT " EXEC_COLUMNS " FROM job_execution e JOIN job j ON j.id = e.job_id"
                        " JOIN device d ON d.id = e.device_id WHERE e.device_id = ?1"
                        " ORDER BY e.queued_at DESC, e.job_id DESC LIMIT ?2 OFFSET ?3",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  sqlite3_bind_int64 (stmt, 2, size);
  sqlite3_bind_int64 (stmt, 3, from);
  return fd_db_fetch_all (db, stmt, exec_from_row, page->items, error);
}

gboolean
fd_store_job_execution_insert (FdDb *db, const char *job_id, const char *device_id,
                               FdExecState state, const char *message, gint64 now, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "INSERT INTO job_execution (job_id, device_id, state, attempts, message, queued_at,"
      " finished_at, updated_at) VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?5)",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  fd_db_bind_text (stmt, 2, device_id);
  fd_db_bind_text (stmt, 3, fd_exec_state_name (state));
  fd_db_bind_text (stmt, 4, message);
  sqlite3_bind_int64 (stmt, 5, now);
  fd_db_bind_time (stmt, 6, FD_EXEC_STATE_IS_OPEN (state) ? 0 : now);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_job_execution_finish (FdDb *db, const char *job_id, const char *device_id,
                               FdExecState state, const char *result, const char *message,
                               gint64 now, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "UPDATE job_execution SET state = ?3, result = coalesce (?4, result), message = ?5,"
      " finished_at = ?6, deadline = NULL, updated_at = ?6 WHERE job_id = ?1 AND device_id = ?2",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  fd_db_bind_text (stmt, 2, device_id);
  fd_db_bind_text (stmt, 3, fd_exec_state_name (state));
  fd_db_bind_text (stmt, 4, result);
  fd_db_bind_text (stmt, 5, message);
  sqlite3_bind_int64 (stmt, 6, now);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_job_execution_sent (FdDb *db, const char *job_id, const char *device_id, gint64 now,
                             gint64 deadline, gboolean *changed, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "UPDATE job_execution SET state = 'sent', attempts = attempts + 1, sent_at = ?3,"
      " deadline = ?4, updated_at = ?3 WHERE job_id = ?1 AND device_id = ?2 AND state = 'queued'",
      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  fd_db_bind_text (stmt, 2, device_id);
  sqlite3_bind_int64 (stmt, 3, now);
  sqlite3_bind_int64 (stmt, 4, deadline);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  *changed = sqlite3_changes (fd_db_handle (db)) > 0;
  return TRUE;
}

gboolean
fd_store_job_set_state (FdDb *db, const char *job_id, const char *state, gint64 now, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE job SET state = ?2, updated_at = ?3,"
                                      " finished_at = CASE WHEN ?2 = 'active' THEN NULL ELSE ?3 END"
                                      " WHERE id = ?1",
                                      error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  fd_db_bind_text (stmt, 2, state);
  sqlite3_bind_int64 (stmt, 3, now);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_store_job_settle (FdDb *db, const char *job_id, gint64 now, gboolean *done, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT count(*) FROM job_execution WHERE job_id = ?1 AND state IN ('queued', 'sent')",
      error);
  gint64 open = 0;

  *done = FALSE;
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  if (!fd_db_fetch_count (db, stmt, &open, error))
    return FALSE;
  if (open > 0)
    {
      stmt = fd_db_prepare (db, "UPDATE job SET updated_at = ?2 WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, job_id);
      sqlite3_bind_int64 (stmt, 2, now);
      return fd_db_step_done (db, stmt, NULL, error);
    }
  stmt = fd_db_prepare (db,
                        "UPDATE job SET state = 'done', updated_at = ?2, finished_at = ?2"
                        " WHERE id = ?1 AND state = 'active'",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  *done = sqlite3_changes (fd_db_handle (db)) > 0;
  return TRUE;
}

char *
fd_store_device_manifest (FdDb *db, const char *device_id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT value FROM device_report WHERE device_id = ?1 AND key = '__manifest'", error);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_fetch_string (db, stmt, &value, "reading a device's manifest", error);
  return value;
}

gboolean
fd_store_job_next_deadline (FdDb *db, gint64 *deadline, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT coalesce (min (deadline), -1) FROM job_execution"
                                      " WHERE state IN ('queued', 'sent') AND deadline IS NOT NULL",
                                      error);
  gint64 d = -1;

  if (stmt == NULL || !fd_db_fetch_count (db, stmt, &d, error))
    return FALSE;
  *deadline = d < 0 ? G_MAXINT64 : d;
  return TRUE;
}
