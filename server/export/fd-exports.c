/* fd-exports.c — the exports of an engine: queue, worker threads, cancel, restart recovery and
 * the expiry of old one-off files. Runs on the main context it was made on. */
#include "fd-export-private.h"
#include "fd-util.h"

#include <errno.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (fd - export - error - quark, fd_export_error)

struct _FdExports
{
  FdStore *store;
  char *db_path;
  char *dir;
  const FdClock *clock;
  GMainContext *context;
  GQueue queued;       /* FdExportJob*, not started */
  GHashTable *running; /* id -> FdExportJob* */
  FdExportScheduler *scheduler;
  guint max_rows_per_second;
  gboolean shut_down;
};

gint64
fd_clock_now (const FdClock *clock)
{
  if (clock == NULL || clock->now_ms == NULL)
    return fd_now_ms ();
  return clock->now_ms (clock->data);
}

FdExports *
fd_exports_new (FdStore *store, const char *db_path, const char *dir, const FdClock *clock)
{
  FdExports *x = g_new0 (FdExports, 1);

  x->store = store;
  x->db_path = g_strdup (db_path);
  x->dir = g_strdup (dir);
  x->clock = clock;
  x->context = g_main_context_ref_thread_default ();
  g_queue_init (&x->queued);
  x->running = g_hash_table_new (g_str_hash, g_str_equal);
  return x;
}

gint64
fd_exports_now (FdExports *x)
{
  return fd_clock_now (x->clock);
}

void
fd_exports_set_max_rows_per_second (FdExports *x, guint rows_per_second)
{
  x->max_rows_per_second = rows_per_second;
}

const char *
fd_exports_get_dir (FdExports *x)
{
  return x->dir;
}

static void
remove_files (GPtrArray *files)
{
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *part = g_strconcat (file, ".part", NULL);
      g_unlink (part);
      g_unlink (file);
    }
}

typedef struct
{
  gint64 now;
  const char *dir;
  GPtrArray *files;
} FilesWrite;

static gboolean
interrupt_job (FdDb *db, gpointer data, GError **error)
{
  FilesWrite *w = data;
  return fd_store_export_interrupt (db, w->now, w->files, error);
}

gboolean
fd_exports_start (FdExports *x, GError **error)
{
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  FilesWrite w = { .now = fd_now_ms (), .files = files };

  if (g_mkdir_with_parents (x->dir, 0700) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot create the exports directory %s: %s", x->dir, g_strerror (errno));
      return FALSE;
    }
  if (!fd_store_write_sync (x->store, interrupt_job, &w, error))
    return FALSE;
  /* Their files (what a crash between the rename and the commit left too). */
  remove_files (files);
  fd_exports_expire (x, fd_clock_now (x->clock));
  x->scheduler = fd_export_scheduler_new (x, x->store, x->clock);
  return TRUE;
}

static gboolean
expire_job (FdDb *db, gpointer data, GError **error)
{
  FilesWrite *w = data;
  return fd_store_export_expire (db, w->now - FD_EXPORT_KEEP_MS, w->dir, w->files, error);
}

static void
files_write_free (gpointer data)
{
  FilesWrite *w = data;
  g_ptr_array_unref (w->files);
  g_free (w);
}

static void
expired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FilesWrite *w = fd_store_run_get_data (result);
  g_autoptr (GError) error = NULL;

  /* The rows no longer name the files: removing them now cannot race a download start. */
  if (!fd_store_run_finish (result, &error))
    g_warning ("could not expire old export files: %s", error->message);
  else
    remove_files (w->files);
}

void
fd_exports_expire (FdExports *x, gint64 now)
{
  FilesWrite *w = g_new0 (FilesWrite, 1);

  w->now = now;
  w->dir = x->dir;
  w->files = g_ptr_array_new_with_free_func (g_free);
  fd_store_write_async (x->store, expire_job, w, files_write_free, expired, x);
}

static void
job_free (FdExportJob *job)
{
  fd_export_free (job->row);
  g_free (job->db_path);
  g_free (job->state);
  g_free (job->error);
  if (job->waiters != NULL)
    g_ptr_array_unref (job->waiters);
  g_free (job);
}

static FdExport *
export_copy (const FdExport *e)
{
  FdExport *c = g_new0 (FdExport, 1);

  *c = *e;
  c->id = g_strdup (e->id);
  c->workspace_id = g_strdup (e->workspace_id);
  c->schedule_id = g_strdup (e->schedule_id);
  c->format = g_strdup (e->format);
  c->selection = g_strdup (e->selection);
  c->state = g_strdup (e->state);
  c->file = g_strdup (e->file);
  c->error = g_strdup (e->error);
  c->actor = g_strdup (e->actor);
  return c;
}

static void
start_queued (FdExports *x)
{
  while (!x->shut_down && g_hash_table_size (x->running) < FD_EXPORT_MAX_RUNNING
         && !g_queue_is_empty (&x->queued))
    {
      FdExportJob *job = g_queue_pop_head (&x->queued);
      g_autofree char *name = g_strdup_printf ("fd-export-%.8s", job->row->id + 4);

      g_hash_table_insert (x->running, job->row->id, job);
      job->thread = g_thread_new (name, fd_export_job_run, job);
    }
}

void
fd_exports_submit (FdExports *x, const FdExport *e)
{
  FdExportJob *job;

  g_return_if_fail (e->file != NULL);
  if (x->shut_down)
    return; /* the row stays queued; the next start marks it interrupted */
  job = g_new0 (FdExportJob, 1);
  job->owner = x;
  job->store = x->store;
  job->db_path = g_strdup (x->db_path);
  job->max_rows_per_second = x->max_rows_per_second;
  job->row = export_copy (e);
  job->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_push_tail (&x->queued, job);
  start_queued (x);
}

static gboolean
job_ended_on_context (gpointer data)
{
  FdExportJob *job = data;
  FdExports *x = job->owner;

  g_thread_join (job->thread);
  g_hash_table_remove (x->running, job->row->id);
  if (job->discard)
    {
      g_autofree char *part = g_strconcat (job->row->file, ".part", NULL);
      g_unlink (part);
      g_unlink (job->row->file);
    }
  for (guint i = 0; i < job->waiters->len; i++)
    g_task_return_boolean (g_ptr_array_index (job->waiters, i), TRUE);
  job_free (job);
  start_queued (x);
  return G_SOURCE_REMOVE;
}

/* A source, not g_main_context_invoke(): that would run the callback right here when nobody
 * holds the (global default) context at this moment, and a thread cannot join itself. */
void
fd_exports_job_ended (FdExportJob *job)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, job_ended_on_context, job, NULL);
  g_source_attach (source, job->owner->context);
  g_source_unref (source);
}

typedef struct
{
  char *id;
  gboolean canceled;
} CancelWrite;

static gboolean
cancel_queued_job (FdDb *db, gpointer data, GError **error)
{
  CancelWrite *w = data;
  return fd_store_export_cancel_queued (db, w->id, fd_now_ms (), &w->canceled, error);
}

static void
cancel_write_free (gpointer data)
{
  CancelWrite *w = data;
  g_free (w->id);
  g_free (w);
}

static void
queued_canceled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (fd_store_run_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
fd_exports_cancel_async (FdExports *x, const char *id, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  FdExportJob *job = g_hash_table_lookup (x->running, id);

  g_task_set_source_tag (task, fd_exports_cancel_async);
  if (job != NULL)
    {
      g_atomic_int_set (&job->cancel, 1);
      g_ptr_array_add (job->waiters, task);
      return;
    }
  for (GList *l = x->queued.head; l != NULL; l = l->next)
    {
      job = l->data;
      if (g_str_equal (job->row->id, id))
        {
          g_queue_delete_link (&x->queued, l);
          job_free (job);
          break;
        }
    }
  {
    /* Queued here or not (a row queued by no one: the store decides). */
    CancelWrite *w = g_new0 (CancelWrite, 1);
    w->id = g_strdup (id);
    fd_store_write_async (x->store, cancel_queued_job, w, cancel_write_free, queued_canceled, task);
  }
}

gboolean
fd_exports_cancel_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
fd_exports_workspace_deleted (FdExports *x, const char *workspace_id, GPtrArray *files)
{
  GHashTableIter iter;
  gpointer value;

  for (GList *l = x->queued.head; l != NULL;)
    {
      GList *next = l->next;
      FdExportJob *job = l->data;

      if (g_str_equal (job->row->workspace_id, workspace_id))
        {
          g_queue_delete_link (&x->queued, l);
          job_free (job);
        }
      l = next;
    }
  g_hash_table_iter_init (&iter, x->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      FdExportJob *job = value;

      if (g_str_equal (job->row->workspace_id, workspace_id))
        {
          /* A schedule's run is canceled too (its worker removes its .part), but what is in
           * the schedule's folder is the operator's. */
          job->discard = job->row->schedule_id == NULL;
          g_atomic_int_set (&job->cancel, 1);
        }
    }
  if (files != NULL)
    remove_files (files);
  fd_exports_schedules_changed (x);
}

void
fd_exports_schedules_changed (FdExports *x)
{
  if (x->scheduler != NULL)
    fd_export_scheduler_reload (x->scheduler);
}

void
fd_exports_shutdown (FdExports *x)
{
  GHashTableIter iter;
  gpointer value;

  if (x->shut_down)
    return;
  x->shut_down = TRUE;
  g_clear_pointer (&x->scheduler, fd_export_scheduler_free);
  /* Queued ones stay queued in the store: the next start marks them interrupted. */
  while (!g_queue_is_empty (&x->queued))
    job_free (g_queue_pop_head (&x->queued));
  g_hash_table_iter_init (&iter, x->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_atomic_int_set (&((FdExportJob *)value)->cancel, 2);
  while (g_hash_table_size (x->running) > 0)
    fd_main_context_iterate_for (x->context, 100);
}

void
fd_exports_free (FdExports *x)
{
  if (x == NULL)
    return;
  fd_exports_shutdown (x);
  g_hash_table_unref (x->running);
  g_main_context_unref (x->context);
  g_free (x->db_path);
  g_free (x->dir);
  g_free (x);
}
