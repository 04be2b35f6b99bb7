/* fd-store.c — writer thread with group commit, and the read-only connection pool. */
#include "fd-store.h"

/* A busy writer commits at most this many jobs in one transaction, so no caller waits long. */
#define FD_STORE_MAX_BATCH 512

typedef struct
{
  FdStoreFunc func;
  gpointer data;
  GDestroyNotify destroy;
  GTask *task;
  GError *error;
  /* synchronous callers wait on these */
  GMutex *sync_mutex;
  GCond *sync_cond;
  gboolean *sync_done;
  gboolean *sync_ok;
  GError **sync_error;
} FdStoreJob;

struct _FdStore
{
  char *path;
  FdDb *writer_db;
  GThread *writer;
  GAsyncQueue *jobs;
  GAsyncQueue *readers; /* idle read-only FdDb* */
  guint n_readers;
  gboolean closed;
};

static FdStoreJob stop_job; /* sentinel that tells the writer to finish */

static void
job_free (FdStoreJob *job)
{
  g_clear_error (&job->error);
  g_free (job);
}

static void
job_complete (FdStoreJob *job, gboolean ok)
{
  if (job->task != NULL)
    {
      if (ok)
        g_task_return_boolean (job->task, TRUE);
      else
        g_task_return_error (job->task, g_steal_pointer (&job->error));
      g_object_unref (job->task);
    }
  else
    {
      g_mutex_lock (job->sync_mutex);
      *job->sync_ok = ok;
      if (!ok)
        g_propagate_error (job->sync_error, g_steal_pointer (&job->error));
      *job->sync_done = TRUE;
      g_cond_signal (job->sync_cond);
      g_mutex_unlock (job->sync_mutex);
    }
  job_free (job);
}

/* Runs one job inside its own savepoint; a failure rolls back just this job. */
static gboolean
run_in_savepoint (FdDb *db, FdStoreJob *job)
{
  if (!fd_db_exec (db, "SAVEPOINT job", &job->error))
    return FALSE;
  if (job->func (db, job->data, &job->error))
    return fd_db_exec (db, "RELEASE job", &job->error);

  g_assert (job->error != NULL);
  fd_db_exec (db, "ROLLBACK TO job", NULL);
  fd_db_exec (db, "RELEASE job", NULL);
  return FALSE;
}

static gpointer
writer_main (gpointer user_data)
{
  FdStore *store = user_data;
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();
  g_autoptr (GArray) oks = g_array_new (FALSE, FALSE, sizeof (gboolean));
  gboolean stopping = FALSE;

  while (!stopping)
    {
      FdStoreJob *job = g_async_queue_pop (store->jobs);
      g_autoptr (GError) tx_error = NULL;
      gboolean committed;

      if (job == &stop_job)
        break;

      g_ptr_array_set_size (batch, 0);
      g_array_set_size (oks, 0);
      if (!fd_db_exec (store->writer_db, "BEGIN IMMEDIATE", &tx_error))
        {
          job->error = g_error_copy (tx_error);
          job_complete (job, FALSE);
          continue;
        }

      /* Group commit: take whatever else is already queued, up to the batch limit. */
      while (job != NULL)
        {
          gboolean ok = run_in_savepoint (store->writer_db, job);
          g_ptr_array_add (batch, job);
          g_array_append_val (oks, ok);
          if (batch->len >= FD_STORE_MAX_BATCH)
            break;
          job = g_async_queue_try_pop (store->jobs);
          if (job == &stop_job)
            {
              stopping = TRUE;
              break;
            }
        }

      committed = fd_db_exec (store->writer_db, "COMMIT", &tx_error);
      if (!committed)
        fd_db_exec (store->writer_db, "ROLLBACK", NULL);

      for (guint i = 0; i < batch->len; i++)
        {
          FdStoreJob *done = g_ptr_array_index (batch, i);
          gboolean ok = g_array_index (oks, gboolean, i);
          if (ok && !committed)
            {
              done->error = g_error_new (FD_STORE_ERROR, FD_STORE_ERROR_FAILED,
                                         "the database could not commit: %s", tx_error->message);
              ok = FALSE;
            }
          job_complete (done, ok);
        }
    }

  /* Jobs queued after the stop request still get an answer. */
  for (FdStoreJob *job; (job = g_async_queue_try_pop (store->jobs)) != NULL;)
    {
      if (job == &stop_job)
        continue;
      job->error = g_error_new_literal (FD_STORE_ERROR, FD_STORE_ERROR_CLOSED,
                                        "the store is shutting down");
      job_complete (job, FALSE);
    }
  return NULL;
}

FdStore *
fd_store_open (const char *path, guint n_readers, GError **error)
{
  FdStore *store;
  g_autoptr (FdDb) writer_db = fd_db_open (path, FALSE, error);

  if (writer_db == NULL)
    return NULL;
  if (!fd_store_migrate (writer_db, FD_STORE_SCHEMA_VERSION, error))
    return NULL;

  store = g_new0 (FdStore, 1);
  store->path = g_strdup (path);
  store->jobs = g_async_queue_new ();
  store->readers = g_async_queue_new ();
  store->n_readers = MAX (n_readers, 1);
  for (guint i = 0; i < store->n_readers; i++)
    {
      FdDb *reader = fd_db_open (path, TRUE, error);
      if (reader == NULL)
        {
          store->writer_db = g_steal_pointer (&writer_db);
          store->writer = NULL;
          fd_store_close (store);
          return NULL;
        }
      g_async_queue_push (store->readers, reader);
    }
  store->writer_db = g_steal_pointer (&writer_db);
  store->writer = g_thread_new ("fd-store-writer", writer_main, store);
  return store;
}

void
fd_store_close (FdStore *store)
{
  FdDb *reader;

  if (store == NULL)
    return;
  store->closed = TRUE;
  if (store->writer != NULL)
    {
      g_async_queue_push (store->jobs, &stop_job);
      g_thread_join (store->writer);
    }
  /* Every reader is back in the queue once no read is running. */
  for (guint i = 0; i < store->n_readers; i++)
    {
      reader = g_async_queue_timeout_pop (store->readers, 30 * G_USEC_PER_SEC);
      if (reader == NULL)
        break;
      fd_db_close (reader);
    }
  g_async_queue_unref (store->readers);
  g_async_queue_unref (store->jobs);
  fd_db_close (store->writer_db);
  g_free (store->path);
  g_free (store);
}

static FdStoreJob *
job_new (FdStoreFunc func, gpointer data)
{
  FdStoreJob *job = g_new0 (FdStoreJob, 1);
  job->func = func;
  job->data = data;
  return job;
}

void
fd_store_write_async (FdStore *store, FdStoreFunc func, gpointer data, GDestroyNotify destroy,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  FdStoreJob *job = job_new (func, data);

  job->task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (job->task, fd_store_write_async);
  g_task_set_task_data (job->task, data, destroy);
  g_async_queue_push (store->jobs, job);
}

static gboolean
run_read (FdStore *store, FdStoreFunc func, gpointer data, GError **error)
{
  FdDb *db = g_async_queue_pop (store->readers);
  gboolean ok;

  ok = fd_db_exec (db, "BEGIN", error);
  if (ok)
    {
      ok = func (db, data, error);
      fd_db_exec (db, ok ? "COMMIT" : "ROLLBACK", NULL);
    }
  g_async_queue_push (store->readers, db);
  return ok;
}

typedef struct
{
  FdStore *store;
  FdStoreFunc func;
} ReadCall;

static void
read_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReadCall *call = g_object_get_data (G_OBJECT (task), "fd-read-call");
  GError *error = NULL;

  if (run_read (call->store, call->func, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
fd_store_read_async (FdStore *store, FdStoreFunc func, gpointer data, GDestroyNotify destroy,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, callback, user_data);
  ReadCall *call = g_new (ReadCall, 1);

  call->store = store;
  call->func = func;
  g_task_set_source_tag (task, fd_store_read_async);
  g_task_set_task_data (task, data, destroy);
  g_object_set_data_full (G_OBJECT (task), "fd-read-call", call, g_free);
  g_task_run_in_thread (task, read_thread);
}

gboolean
fd_store_run_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

gpointer
fd_store_run_get_data (GAsyncResult *result)
{
  return g_task_get_task_data (G_TASK (result));
}

gboolean
fd_store_write_sync (FdStore *store, FdStoreFunc func, gpointer data, GError **error)
{
  FdStoreJob *job = job_new (func, data);
  GMutex mutex;
  GCond cond;
  gboolean done = FALSE, ok = FALSE;

  g_mutex_init (&mutex);
  g_cond_init (&cond);
  job->sync_mutex = &mutex;
  job->sync_cond = &cond;
  job->sync_done = &done;
  job->sync_ok = &ok;
  job->sync_error = error;

  g_mutex_lock (&mutex);
  g_async_queue_push (store->jobs, job);
  while (!done)
    g_cond_wait (&cond, &mutex);
  g_mutex_unlock (&mutex);
  g_mutex_clear (&mutex);
  g_cond_clear (&cond);
  return ok;
}

gboolean
fd_store_read_sync (FdStore *store, FdStoreFunc func, gpointer data, GError **error)
{
  return run_read (store, func, data, error);
}
