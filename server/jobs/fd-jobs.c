/* fd-jobs.c — the jobs module: its life, the answers of devices, #status deliveries, the
 * deadline timer (timeouts and retries) and the events.
 *
 * The timer is armed at the soonest deadline of an open execution (the job_execution_open
 * index answers that without a scan); an expiry pass re-stores and re-delivers the entries of
 * executions that have attempts left and times out the others, in one store job.
 */
#include "config.h"

#include "device/fd-device-http.h"
#include "fd-jobs-private.h"
#include "fd-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

G_DEFINE_QUARK (fd - jobs - error - quark, fd_jobs_error)

/* job.updated at most this often per job. */
#define UPDATE_PERIOD_MS 250

typedef struct
{
  FdJobs *jobs;
  char *job_id;
  char *workspace_id;
  guint source;
} JobUpdate;

void
fd_job_change_free (FdJobChange *c)
{
  if (c == NULL)
    return;
  g_free (c->job_id);
  g_free (c->workspace_id);
  g_free (c->device_id);
  g_free (c->name);
  g_free (c->result);
  g_free (c->entry);
  g_free (c);
}

GPtrArray *
fd_job_changes_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify)fd_job_change_free);
}

FdJobChange *
fd_job_change_add (GPtrArray *changes, const char *job_id, const char *workspace_id,
                   const char *device_id, const char *name, FdExecState state, gint64 attempts,
                   const char *result)
{
  FdJobChange *c = g_new0 (FdJobChange, 1);

  c->job_id = g_strdup (job_id);
  c->workspace_id = g_strdup (workspace_id);
  c->device_id = g_strdup (device_id);
  c->name = g_strdup (name);
  c->state = state;
  c->attempts = attempts;
  c->result = g_strdup (result);
  g_ptr_array_add (changes, c);
  return c;
}

char *
fd_jobs_entry_value (const char *args)
{
  return g_strconcat ("{\"args\":", args, ",\"on_schedule\":\"\"}", NULL);
}

static void
job_update_free (JobUpdate *u)
{
  if (u->source != 0)
    g_source_remove (u->source);
  g_free (u->job_id);
  g_free (u->workspace_id);
  g_free (u);
}

FdJobs *
fd_jobs_new (FdStore *store, FdDownlink *downlink, FdEvents *events)
{
  FdJobs *jobs = g_new0 (FdJobs, 1);

  jobs->store = store;
  jobs->downlink = downlink;
  jobs->events = events;
  jobs->timer_at = G_MAXINT64;
  jobs->coalesce
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify)job_update_free);
  return jobs;
}

/* Store callbacks may come after fd_jobs_free (the store closes later): they hold the module
 * through this count, and do nothing once it was freed. */
FdJobs *
fd_jobs_hold (FdJobs *jobs)
{
  jobs->pending++;
  return jobs;
}

gboolean
fd_jobs_release (FdJobs *jobs)
{
  jobs->pending--;
  if (jobs->freed)
    {
      if (jobs->pending == 0)
        g_free (jobs);
      return FALSE;
    }
  return TRUE;
}

void
fd_jobs_free (FdJobs *jobs)
{
  if (jobs == NULL)
    return;
  g_clear_handle_id (&jobs->timer, g_source_remove);
  g_clear_pointer (&jobs->coalesce, g_hash_table_unref);
  jobs->freed = TRUE;
  if (jobs->pending == 0)
    g_free (jobs);
}

/* Names and results. */

const char *
fd_jobs_check_name (const char *name)
{
  gsize n = strlen (name);

  if (n < 1 || n > FD_JOB_NAME_MAX)
    return "name must be 1 to 63 characters";
  if (!g_ascii_isalpha (name[0]))
    return "name must start with a letter";
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '-')
      return "name may hold only letters, digits, '_', '.' and '-'";
  if (g_str_equal (name, "fota"))
    return "\"fota\" is the firmware campaigns' job; start a campaign instead";
  return NULL;
}

gboolean
fd_jobs_result_failed (const char *result_json, char **message)
{
  g_autoptr (JsonNode) node = json_from_string (result_json, NULL);

  *message = NULL;
  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonNode *error = json_object_get_member (json_node_get_object (node), "error");
      if (error == NULL)
        return FALSE;
      if (JSON_NODE_HOLDS_VALUE (error) && json_node_get_value_type (error) == G_TYPE_STRING)
        *message = g_strdup (json_node_get_string (error));
      else
        *message = json_to_string (error, FALSE);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      if (!g_str_has_prefix (s, "unsupported"))
        return FALSE;
      *message = g_strdup (s);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      JsonNode *first = json_array_get_length (a) > 0 ? json_array_get_element (a, 0) : NULL;
      if (first == NULL || !JSON_NODE_HOLDS_VALUE (first)
          || json_node_get_value_type (first) != G_TYPE_STRING
          || !g_str_has_prefix (json_node_get_string (first), "exception"))
        return FALSE;
      *message = g_strdup (json_node_get_string (first));
      return TRUE;
    }
  return FALSE;
}

/* Events. */

typedef struct
{
  char *job_id;
  FdJob *job;
} CountsRead;

static void
counts_read_free (gpointer data)
{
  CountsRead *r = data;
  g_free (r->job_id);
  g_clear_pointer (&r->job, fd_job_free);
  g_free (r);
}

static gboolean
counts_read (FdDb *db, gpointer data, GError **error)
{
  CountsRead *r = data;
  r->job = fd_store_job_get (db, r->job_id, error);
  return r->job != NULL;
}

static void
counts_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdJobs *jobs = user_data;
  CountsRead *r = fd_store_run_get_data (result);
  g_autoptr (GString) data = NULL;

  if (!fd_jobs_release (jobs) || !fd_store_run_finish (result, NULL) || jobs->events == NULL)
    return;
  data = g_string_new ("{\"job_id\":");
  fd_http_append_json_string (data, r->job->id, -1);
  g_string_append (data, ",\"state\":");
  fd_http_append_json_string (data, r->job->state, -1);
  g_string_append_printf (data, ",\"total\":%" G_GINT64_FORMAT ",\"counts\":{", r->job->total);
  for (guint i = 0; i < FD_EXEC_N_STATES; i++)
    g_string_append_printf (data, "%s\"%s\":%" G_GINT64_FORMAT, i ? "," : "",
                            fd_exec_state_name ((FdExecState)i), r->job->counts[i]);
  g_string_append (data, "}}");
  fd_events_publish (jobs->events, "job.updated", r->job->workspace_id, NULL, data->str);
}

static gboolean
update_due (gpointer data)
{
  JobUpdate *u = data;
  FdJobs *jobs = u->jobs;
  CountsRead *r = g_new0 (CountsRead, 1);

  u->source = 0;
  r->job_id = g_strdup (u->job_id);
  fd_store_read_async (jobs->store, counts_read, r, counts_read_free, counts_done,
                       fd_jobs_hold (jobs));
  g_hash_table_remove (jobs->coalesce, u->job_id);
  return G_SOURCE_REMOVE;
}

static void
mark_updated (FdJobs *jobs, const char *job_id, const char *workspace_id)
{
  JobUpdate *u;

  if (jobs->events == NULL || g_hash_table_contains (jobs->coalesce, job_id))
    return;
  u = g_new0 (JobUpdate, 1);
  u->jobs = jobs;
  u->job_id = g_strdup (job_id);
  u->workspace_id = g_strdup (workspace_id);
  u->source = g_timeout_add (UPDATE_PERIOD_MS, update_due, u);
  g_hash_table_insert (jobs->coalesce, u->job_id, u);
}

void
fd_jobs_publish (FdJobs *jobs, GPtrArray *changes)
{
  for (guint i = 0; changes != NULL && i < changes->len; i++)
    {
      const FdJobChange *c = changes->pdata[i];

      if (jobs->events != NULL)
        {
          g_autoptr (GString) data = g_string_new ("{\"job_id\":");
          fd_http_append_json_string (data, c->job_id, -1);
          g_string_append (data, ",\"name\":");
          fd_http_append_json_string (data, c->name, -1);
          g_string_append (data, ",\"state\":");
          fd_http_append_json_string (data, fd_exec_state_name (c->state), -1);
          g_string_append_printf (data, ",\"attempts\":%" G_GINT64_FORMAT ",\"result\":%s}",
                                  c->attempts, c->result != NULL ? c->result : "null");
          fd_events_publish (jobs->events, "job.execution", c->workspace_id, c->device_id,
                             data->str);
        }
      mark_updated (jobs, c->job_id, c->workspace_id);
    }
}

/* Deadlines. */

static void expire (FdJobs *jobs);

static gboolean
timer_fired (gpointer data)
{
  FdJobs *jobs = data;

  jobs->timer = 0;
  jobs->timer_at = G_MAXINT64;
  expire (jobs);
  return G_SOURCE_REMOVE;
}

void
fd_jobs_note_deadline (FdJobs *jobs, gint64 deadline)
{
  gint64 now;

  if (!jobs->started || deadline >= jobs->timer_at)
    return;
  g_clear_handle_id (&jobs->timer, g_source_remove);
  now = fd_now_ms ();
  jobs->timer_at = deadline;
  /* A few ms late rather than early: the expiry compares with the clock. */
  jobs->timer = g_timeout_add ((guint)CLAMP (deadline - now + 5, 0, G_MAXINT32), timer_fired, jobs);
}

typedef struct
{
  gint64 now;
  gint64 next;
  GPtrArray *changes;
} ExpireJob;

static void
expire_job_free (gpointer data)
{
  ExpireJob *x = data;
  g_ptr_array_unref (x->changes);
  g_free (x);
}

typedef struct
{
  char *job_id, *device_id, *name, *args, *workspace_id;
  gint64 attempts, retries, timeout_s;
} Due;

static void
due_free (Due *d)
{
  g_free (d->job_id);
  g_free (d->device_id);
  g_free (d->name);
  g_free (d->args);
  g_free (d->workspace_id);
  g_free (d);
}

static gpointer
due_from_row (sqlite3_stmt *stmt)
{
  Due *d = g_new0 (Due, 1);

  d->job_id = fd_db_column_dup (stmt, 0);
  d->device_id = fd_db_column_dup (stmt, 1);
  d->attempts = sqlite3_column_int64 (stmt, 2);
  d->retries = sqlite3_column_int64 (stmt, 3);
  d->timeout_s = sqlite3_column_int64 (stmt, 4);
  d->name = fd_db_column_dup (stmt, 5);
  d->args = fd_db_column_dup (stmt, 6);
  d->workspace_id = fd_db_column_dup (stmt, 7);
  return d;
}

static gboolean
expire_write (FdDb *db, gpointer data, GError **error)
{
  ExpireJob *x = data;
  g_autoptr (GPtrArray) due = g_ptr_array_new_with_free_func ((GDestroyNotify)due_free);
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "SELECT e.job_id, e.device_id, e.attempts, j.retries, j.timeout_s, j.name, j.args,"
      " j.workspace_id FROM job_execution e JOIN job j ON j.id = e.job_id"
      " WHERE e.state IN ('queued', 'sent') AND e.deadline IS NOT NULL AND e.deadline <= ?1",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, x->now);
  if (!fd_db_fetch_all (db, stmt, due_from_row, due, error))
    return FALSE;
  for (guint i = 0; i < due->len; i++)
    {
      Due *d = due->pdata[i];
      g_autofree char *key = g_strconcat ("@", d->name, NULL);

      if (d->attempts <= d->retries)
        {
          g_autofree char *value = fd_jobs_entry_value (d->args);
          FdJobChange *c;
          gint64 t;

          if (!fd_downlink_store_entry (db, d->device_id, key, value, &t, error))
            return FALSE;
          stmt = fd_db_prepare (db,
                                "UPDATE job_execution SET attempts = attempts + 1, sent_at = ?3,"
                                " deadline = ?4, updated_at = ?3 WHERE job_id = ?1 AND"
                                " device_id = ?2",
                                error);
          if (stmt == NULL)
            return FALSE;
          fd_db_bind_text (stmt, 1, d->job_id);
          fd_db_bind_text (stmt, 2, d->device_id);
          sqlite3_bind_int64 (stmt, 3, x->now);
          sqlite3_bind_int64 (stmt, 4, x->now + d->timeout_s * 1000);
          if (!fd_db_step_done (db, stmt, NULL, error))
            return FALSE;
          c = fd_job_change_add (x->changes, d->job_id, d->workspace_id, d->device_id, d->name,
                                 FD_EXEC_SENT, d->attempts + 1, NULL);
          c->entry = g_steal_pointer (&value);
          c->t = t;
        }
      else
        {
          g_autofree char *message = g_strdup_printf (
              "no answer within %" G_GINT64_FORMAT " s (%" G_GINT64_FORMAT " attempt%s)",
              d->timeout_s, d->attempts, d->attempts == 1 ? "" : "s");
          gboolean done;

          if (!fd_downlink_drop_entry (db, d->device_id, key, error)
              || !fd_store_job_execution_finish (db, d->job_id, d->device_id, FD_EXEC_TIMED_OUT,
                                                 NULL, message, x->now, error)
              || !fd_store_job_settle (db, d->job_id, x->now, &done, error))
            return FALSE;
          fd_job_change_add (x->changes, d->job_id, d->workspace_id, d->device_id, d->name,
                             FD_EXEC_TIMED_OUT, d->attempts, NULL);
        }
    }
  return fd_store_job_next_deadline (db, &x->next, error);
}

static void
expire_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdJobs *jobs = user_data;
  g_autoptr (GError) error = NULL;
  ExpireJob *x = fd_store_run_get_data (result);
  gboolean ok = fd_store_run_finish (result, &error);

  if (!fd_jobs_release (jobs))
    return;
  jobs->expiring = FALSE;
  if (!ok)
    {
      if (!g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        {
          g_warning ("jobs: the timeout pass failed: %s", error->message);
          fd_jobs_note_deadline (jobs, fd_now_ms () + 1000);
        }
      return;
    }
  for (guint i = 0; i < x->changes->len; i++)
    {
      FdJobChange *c = x->changes->pdata[i];
      g_autofree char *key = NULL;

      if (c->entry == NULL)
        continue;
      key = g_strconcat ("@", c->name, NULL);
      fd_downlink_deliver (jobs->downlink, c->device_id, key, c->entry, c->t);
    }
  fd_jobs_publish (jobs, x->changes);
  if (x->next != G_MAXINT64)
    fd_jobs_note_deadline (jobs, x->next);
}

static void
expire (FdJobs *jobs)
{
  ExpireJob *x;

  if (jobs->expiring)
    return;
  jobs->expiring = TRUE;
  x = g_new0 (ExpireJob, 1);
  x->now = fd_now_ms ();
  x->changes = fd_job_changes_new ();
  fd_store_write_async (jobs->store, expire_write, x, expire_job_free, expire_done,
                        fd_jobs_hold (jobs));
}

static gboolean
next_deadline_read (FdDb *db, gpointer data, GError **error)
{
  return fd_store_job_next_deadline (db, data, error);
}

void
fd_jobs_start (FdJobs *jobs)
{
  gint64 next = G_MAXINT64;
  g_autoptr (GError) error = NULL;

  jobs->started = TRUE;
  /* Deadlines that passed while the server was down are handled at once. */
  if (!fd_store_read_sync (jobs->store, next_deadline_read, &next, &error))
    g_warning ("jobs: reading the next deadline failed: %s", error->message);
  else if (next != G_MAXINT64)
    fd_jobs_note_deadline (jobs, next);
}
