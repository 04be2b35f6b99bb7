/* fd-jobs-schedule.c — making a job (one transaction for the job, every execution, every
 * @name entry and the audit entry; delivery after the commit) and canceling one. */
#include "config.h"

#include "device/fd-device-http.h"
#include "fd-jobs-private.h"
#include "fd-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* Unknown devices or fleets named in an error message, at most. */
#define MAX_NAMED 10

void
fd_job_request_free (FdJobRequest *r)
{
  if (r == NULL)
    return;
  g_free (r->workspace_id);
  g_free (r->name);
  g_free (r->args);
  g_strfreev (r->devices);
  g_strfreev (r->fleets);
  g_free (r->actor);
  g_free (r);
}

typedef struct
{
  FdJobs *jobs;
  FdJobRequest *request;
  char *job_id;
  gint64 now;
  const char *field; /* of an INVALID error */
  GPtrArray *changes;
  FdJob *job; /* the outcome */
} ScheduleJob;

static void
schedule_job_free (gpointer data)
{
  ScheduleJob *s = data;

  fd_job_request_free (s->request);
  g_free (s->job_id);
  g_ptr_array_unref (s->changes);
  g_clear_pointer (&s->job, fd_job_free);
  g_free (s);
}

static gboolean invalid (ScheduleJob *s, const char *field, GError **error, const char *format, ...)
    G_GNUC_PRINTF (4, 5);

static gboolean
invalid (ScheduleJob *s, const char *field, GError **error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  s->field = field;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FD_JOBS_ERROR, FD_JOBS_ERROR_INVALID, "%s", message);
  return FALSE;
}

/* Whether @id is a row of @table in @workspace_id. */
static gboolean
owned (FdDb *db, gboolean fleet, const char *id, const char *workspace_id, gboolean *yes,
       GError **error)
{
  sqlite3_stmt *stmt
      = fleet ? fd_db_prepare (db, "SELECT count(*) FROM fleet WHERE id = ?1 AND workspace_id = ?2",
                               error)
              : fd_db_prepare (
                  db, "SELECT count(*) FROM device WHERE id = ?1 AND workspace_id = ?2", error);
  gint64 n = 0;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, id);
  fd_db_bind_text (stmt, 2, workspace_id);
  if (!fd_db_fetch_count (db, stmt, &n, error))
    return FALSE;
  *yes = n > 0;
  return TRUE;
}

static gboolean
check_listed (ScheduleJob *s, FdDb *db, gboolean fleet, char **ids, GError **error)
{
  g_autoptr (GString) unknown = g_string_new (NULL);
  guint n_unknown = 0;

  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      gboolean yes;

      if (!owned (db, fleet, ids[i], s->request->workspace_id, &yes, error))
        return FALSE;
      if (yes)
        continue;
      if (n_unknown++ < MAX_NAMED)
        g_string_append_printf (unknown, "%s%s", unknown->len ? ", " : "", ids[i]);
    }
  if (n_unknown == 0)
    return TRUE;
  return invalid (s, fleet ? "fleets" : "devices", error, "%s not in workspace %s: %s%s",
                  fleet ? (n_unknown == 1 ? "this fleet is" : "these fleets are")
                        : (n_unknown == 1 ? "this device is" : "these devices are"),
                  s->request->workspace_id, unknown->str, n_unknown > MAX_NAMED ? ", …" : "");
}

/* The listed devices, then those of the listed fleets, each once, in that order. */
static gboolean
expand (ScheduleJob *s, FdDb *db, GPtrArray *targets, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  char **devices = s->request->devices, **fleets = s->request->fleets;

  for (guint i = 0; devices != NULL && devices[i] != NULL; i++)
    if (g_hash_table_add (seen, devices[i]))
      g_ptr_array_add (targets, g_strdup (devices[i]));
  for (guint i = 0; fleets != NULL && fleets[i] != NULL; i++)
    {
      sqlite3_stmt *stmt
          = fd_db_prepare (db, "SELECT id FROM device WHERE fleet_id = ?1 ORDER BY name", error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, fleets[i]);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          const char *id = (const char *)sqlite3_column_text (stmt, 0);
          if (!g_hash_table_contains (seen, id))
            {
              char *copy = g_strdup (id);
              g_ptr_array_add (targets, copy);
              g_hash_table_add (seen, copy);
            }
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          fd_db_set_error (db, error, "listing a fleet's devices");
          return FALSE;
        }
    }
  if (targets->len > FD_JOB_MAX_DEVICES)
    return invalid (s, "fleets", error, "the job targets %u devices, more than the %d a job may",
                    targets->len, FD_JOB_MAX_DEVICES);
  return TRUE;
}

/* FALSE in *@lists when the device's __manifest declares its jobs and @name is not one. The
 * manifest is {"jobs": [...], …} or the bare list; any other shape declares nothing. */
static gboolean
manifest_lists (FdDb *db, const char *device_id, const char *name, gboolean *lists, GError **error)
{
  GError *local = NULL;
  g_autofree char *text = fd_store_device_manifest (db, device_id, &local);
  g_autoptr (JsonNode) node = NULL;
  JsonArray *list = NULL;

  *lists = TRUE;
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (text == NULL || (node = json_from_string (text, NULL)) == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_ARRAY (node))
    list = json_node_get_array (node);
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonNode *jobs = json_object_get_member (json_node_get_object (node), "jobs");
      if (jobs != NULL && JSON_NODE_HOLDS_ARRAY (jobs))
        list = json_node_get_array (jobs);
    }
  if (list == NULL)
    return TRUE;
  *lists = FALSE;
  for (guint i = 0; i < json_array_get_length (list) && !*lists; i++)
    {
      JsonNode *e = json_array_get_element (list, i);
      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        {
          const char *s = json_node_get_string (e);
          *lists = g_str_equal (s, name) || (s[0] == '@' && g_str_equal (s + 1, name));
        }
    }
  return TRUE;
}

/* Open executions of older jobs of the same name for @device_id are canceled: the device has
 * one @name entry, and it is the newest job's now. */
static gboolean
replace_older (ScheduleJob *s, FdDb *db, const char *device_id, GError **error)
{
  g_autofree char *message = g_strdup_printf ("replaced by %s", s->job_id);
  g_autoptr (GPtrArray) older = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) attempts = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "SELECT e.job_id, e.attempts FROM job_execution e JOIN job j ON j.id = e.job_id"
      " WHERE e.device_id = ?1 AND j.name = ?2 AND e.job_id != ?3"
      " AND e.state IN ('queued', 'sent')",
      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, s->request->name);
  fd_db_bind_text (stmt, 3, s->job_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 a = sqlite3_column_int64 (stmt, 1);
      g_ptr_array_add (older, fd_db_column_dup (stmt, 0));
      g_array_append_val (attempts, a);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "finding older executions");
      return FALSE;
    }
  for (guint i = 0; i < older->len; i++)
    {
      gboolean done;

      if (!fd_store_job_execution_finish (db, older->pdata[i], device_id, FD_EXEC_CANCELED, NULL,
                                          message, s->now, error)
          || !fd_store_job_settle (db, older->pdata[i], s->now, &done, error))
        return FALSE;
      fd_job_change_add (s->changes, older->pdata[i], s->request->workspace_id, device_id,
                         s->request->name, FD_EXEC_CANCELED, g_array_index (attempts, gint64, i),
                         NULL);
    }
  return TRUE;
}

static gboolean
schedule_device (ScheduleJob *s, FdDb *db, const char *device_id, const char *key,
                 const char *value, GError **error)
{
  FdJobRequest *r = s->request;
  g_autofree char *rejected = NULL;
  GError *local = NULL;
  gboolean lists;
  gint64 t = 0;

  if (!manifest_lists (db, device_id, r->name, &lists, error))
    return FALSE;
  if (!lists)
    rejected = g_strdup_printf ("the device's manifest does not list %s", r->name);
  else
    {
      if (!replace_older (s, db, device_id, error))
        return FALSE;
      if (!fd_downlink_store_entry (db, device_id, key, value, &t, &local))
        {
          if (!g_error_matches (local, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_FULL))
            {
              g_propagate_error (error, local);
              return FALSE;
            }
          rejected = g_strdup (local->message);
          g_clear_error (&local);
        }
    }
  if (!fd_store_job_execution_insert (db, s->job_id, device_id,
                                      rejected ? FD_EXEC_REJECTED : FD_EXEC_QUEUED, rejected,
                                      s->now, error))
    return FALSE;
  if (rejected == NULL)
    {
      FdJobChange *c = fd_job_change_add (s->changes, s->job_id, r->workspace_id, device_id,
                                          r->name, FD_EXEC_QUEUED, 0, NULL);
      c->entry = g_strdup (value);
      c->t = t;
    }
  else
    fd_job_change_add (s->changes, s->job_id, r->workspace_id, device_id, r->name, FD_EXEC_REJECTED,
                       0, NULL);
  return TRUE;
}

static gboolean
schedule_write (FdDb *db, gpointer data, GError **error)
{
  ScheduleJob *s = data;
  FdJobRequest *r = s->request;
  g_autoptr (FdWorkspace) ws = fd_store_workspace_get (db, r->workspace_id, error);
  g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *key = g_strconcat ("@", r->name, NULL);
  g_autofree char *value = fd_jobs_entry_value (r->args);
  g_autoptr (GString) detail = g_string_new ("{\"name\":");
  FdJob job = { 0 };
  gboolean done;

  if (ws == NULL || !check_listed (s, db, FALSE, r->devices, error)
      || !check_listed (s, db, TRUE, r->fleets, error) || !expand (s, db, targets, error))
    return FALSE;
  job.id = s->job_id;
  job.workspace_id = r->workspace_id;
  job.name = r->name;
  job.args = r->args;
  job.timeout_s = r->timeout_s;
  job.retries = r->retries;
  job.state = (char *)"active";
  job.actor = r->actor;
  job.created_at = s->now;
  if (!fd_store_job_insert (db, &job, error))
    return FALSE;
  for (guint i = 0; i < targets->len; i++)
    if (!schedule_device (s, db, targets->pdata[i], key, value, error))
      return FALSE;
  if (!fd_store_job_settle (db, s->job_id, s->now, &done, error))
    return FALSE;
  fd_http_append_json_string (detail, r->name, -1);
  g_string_append_printf (detail, ",\"devices\":%u}", targets->len);
  return fd_store_audit_add (db, r->actor, "job.create", s->job_id, detail->str, error);
}

/* After the commit: the entries were delivered; those taken are sent now. */
static gboolean
mark_sent_write (FdDb *db, gpointer data, GError **error)
{
  ScheduleJob *s = data;
  gint64 deadline = s->now + s->request->timeout_s * 1000;

  for (guint i = 0; i < s->changes->len; i++)
    {
      FdJobChange *c = s->changes->pdata[i];
      gboolean changed;

      if (c->state != FD_EXEC_SENT || c->entry == NULL)
        continue;
      if (!fd_store_job_execution_sent (db, c->job_id, c->device_id, s->now, deadline, &changed,
                                        error))
        return FALSE;
      if (!changed)
        c->state = FD_EXEC_QUEUED; /* answered meanwhile: that change is told by the answer */
    }
  s->job = fd_store_job_get (db, s->job_id, error);
  return s->job != NULL;
}

static void
mark_sent_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ScheduleJob *s = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean alive = fd_jobs_release (s->jobs);

  if (!fd_store_run_finish (result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (alive)
    {
      /* Executions delivered now were queued for an instant: they are told as sent. */
      for (guint i = 0; i < s->changes->len; i++)
        {
          FdJobChange *c = s->changes->pdata[i];
          if (c->entry != NULL && c->state == FD_EXEC_SENT)
            c->attempts = 1;
        }
      fd_jobs_publish (s->jobs, s->changes);
      fd_jobs_note_deadline (s->jobs, s->now + s->request->timeout_s * 1000);
    }
  g_task_return_pointer (task, g_steal_pointer (&s->job), (GDestroyNotify)fd_job_free);
  g_object_unref (task);
}

static void
schedule_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ScheduleJob *s = g_task_get_task_data (task);
  GError *error = NULL;
  g_autofree char *key = g_strconcat ("@", s->request->name, NULL);

  if (!fd_store_run_finish (result, &error))
    {
      fd_jobs_release (s->jobs);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* The store job's data is the task's: it stays for the second write. */
  if (!s->jobs->freed)
    for (guint i = 0; i < s->changes->len; i++)
      {
        FdJobChange *c = s->changes->pdata[i];
        if (c->entry != NULL && c->state == FD_EXEC_QUEUED
            && fd_downlink_deliver (s->jobs->downlink, c->device_id, key, c->entry, c->t))
          c->state = FD_EXEC_SENT;
      }
  fd_store_write_async (s->jobs->store, mark_sent_write, s, NULL, mark_sent_done, task);
}

void
fd_jobs_schedule_async (FdJobs *jobs, FdJobRequest *request, GAsyncReadyCallback cb, gpointer data)
{
  GTask *task = g_task_new (NULL, NULL, cb, data);
  ScheduleJob *s = g_new0 (ScheduleJob, 1);

  g_task_set_source_tag (task, fd_jobs_schedule_async);
  s->jobs = fd_jobs_hold (jobs);
  s->request = request;
  s->job_id = fd_id_new ("job");
  s->now = fd_now_ms ();
  s->changes = fd_job_changes_new ();
  g_task_set_task_data (task, s, schedule_job_free);
  fd_store_write_async (jobs->store, schedule_write, s, NULL, schedule_done, task);
}

FdJob *
fd_jobs_schedule_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
fd_jobs_error_field (GAsyncResult *result)
{
  ScheduleJob *s = g_task_get_task_data (G_TASK (result));
  return s != NULL ? s->field : NULL;
}

/* Cancel. */

typedef struct
{
  FdJobs *jobs;
  char *job_id;
  char *actor;
  GPtrArray *changes;
  FdJob *job;
} CancelJob;

static void
cancel_job_free (gpointer data)
{
  CancelJob *c = data;

  g_free (c->job_id);
  g_free (c->actor);
  g_ptr_array_unref (c->changes);
  g_clear_pointer (&c->job, fd_job_free);
  g_free (c);
}

static gboolean
cancel_write (FdDb *db, gpointer data, GError **error)
{
  CancelJob *c = data;
  g_autoptr (FdJob) job = fd_store_job_get (db, c->job_id, error);
  g_autoptr (GPtrArray) open = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) attempts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *key = NULL;
  gint64 now = fd_now_ms ();
  sqlite3_stmt *stmt;
  int rc;

  if (job == NULL)
    return FALSE;
  if (!g_str_equal (job->state, "active"))
    {
      g_set_error (error, FD_JOBS_ERROR, FD_JOBS_ERROR_CONFLICT, "job %s is already %s", job->id,
                   job->state);
      return FALSE;
    }
  key = g_strconcat ("@", job->name, NULL);
  stmt = fd_db_prepare (db,
                        "SELECT device_id, attempts FROM job_execution WHERE job_id = ?1"
                        " AND state IN ('queued', 'sent')",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, c->job_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 a = sqlite3_column_int64 (stmt, 1);
      g_ptr_array_add (open, fd_db_column_dup (stmt, 0));
      g_array_append_val (attempts, a);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "listing a job's open executions");
      return FALSE;
    }
  for (guint i = 0; i < open->len; i++)
    {
      if (!fd_downlink_drop_entry (db, open->pdata[i], key, error)
          || !fd_store_job_execution_finish (db, c->job_id, open->pdata[i], FD_EXEC_CANCELED, NULL,
                                             "canceled", now, error))
        return FALSE;
      fd_job_change_add (c->changes, c->job_id, job->workspace_id, open->pdata[i], job->name,
                         FD_EXEC_CANCELED, g_array_index (attempts, gint64, i), NULL);
    }
  if (!fd_store_job_set_state (db, c->job_id, "canceled", now, error)
      || !fd_store_audit_add (db, c->actor, "job.cancel", c->job_id, "{}", error))
    return FALSE;
  c->job = fd_store_job_get (db, c->job_id, error);
  return c->job != NULL;
}

static void
cancel_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CancelJob *c = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean alive = fd_jobs_release (c->jobs);

  if (!fd_store_run_finish (result, &error))
    g_task_return_error (task, error);
  else
    {
      if (alive)
        fd_jobs_publish (c->jobs, c->changes);
      g_task_return_pointer (task, g_steal_pointer (&c->job), (GDestroyNotify)fd_job_free);
    }
  g_object_unref (task);
}

void
fd_jobs_cancel_async (FdJobs *jobs, const char *job_id, const char *actor, GAsyncReadyCallback cb,
                      gpointer data)
{
  GTask *task = g_task_new (NULL, NULL, cb, data);
  CancelJob *c = g_new0 (CancelJob, 1);

  g_task_set_source_tag (task, fd_jobs_cancel_async);
  c->jobs = fd_jobs_hold (jobs);
  c->job_id = g_strdup (job_id);
  c->actor = g_strdup (actor);
  c->changes = fd_job_changes_new ();
  g_task_set_task_data (task, c, cancel_job_free);
  fd_store_write_async (jobs->store, cancel_write, c, NULL, cancel_done, task);
}

FdJob *
fd_jobs_cancel_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
