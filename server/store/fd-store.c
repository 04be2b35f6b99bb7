/* fd-store.c — writer thread with group commit, and the read-only connection pool. */
#include "fd-store.h"

/* A busy writer commits at most this many jobs in one transaction, so no caller waits long. */
#define FD_STORE_MAX_BATCH 512

typedef struct
{
  FdStoreFunc func;
  gpointer data;
  GTask *task;
  GError *error;
  /* synchronous callers wait on these */
  GMutex *sync_mutex;
  GCond *sync_cond;
  gboolean *sync_done;
  gboolean *sync_ok;
  GError **sync_error;
} FdStoreJob;

/* Reference-counted (g_atomic_rc_box): a read task that has not started yet keeps the struct
 * alive after fd_store_close(), and then finds the store closed. */
struct _FdStore
{
  char *path;
  FdDb *writer_db;
  GThread *writer;
  GAsyncQueue *jobs;
  GAsyncQueue *readers; /* idle read-only FdDb* */
  guint n_readers;
  /* Runs fd_store_read_async() jobs, one thread per reader. Not GTask's shared pool: the TLS
   * handshakes of glib-networking hold those threads while a peer is silent (up to the device
   * endpoint's 10 s handshake deadline), and 64 silent connections stalled every read. */
  GThreadPool *read_pool; /* NULL once closed (guarded by lock) */

  const FdStoreHooks *hooks; /* set before the first write, read by the writer only */
  gpointer hooks_data;

  GMutex lock; /* guards the two fields below */
  GCond reads_done;
  guint active_reads;
  gboolean closed;
};

static FdStoreJob stop_job; /* sentinel that tells the writer to finish */

static void read_pool_run (gpointer data, gpointer user_data);

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
  g_clear_error (&job->error);
  g_free (job);
}

static void
job_fail (FdStoreJob *job, const GError *error)
{
  if (job->error == NULL)
    job->error = g_error_copy (error);
  job_complete (job, FALSE);
}

/* Runs one job inside its own savepoint; a failure rolls back just this job. A job whose
 * RELEASE fails is rolled back too, so that what is reported failed is never committed. */
static gboolean
run_in_savepoint (FdDb *db, FdStoreJob *job)
{
  if (!fd_db_exec (db, "SAVEPOINT job", &job->error))
    return FALSE;
  if (job->func (db, job->data, &job->error))
    {
      if (fd_db_exec (db, "RELEASE job", &job->error))
        return TRUE;
    }
  g_assert (job->error != NULL);
  fd_db_exec (db, "ROLLBACK TO job", NULL);
  fd_db_exec (db, "RELEASE job", NULL);
  return FALSE;
}

/* Answers every job of @batch (and @oks) with @error: their changes were rolled back. */
static void
fail_batch (GPtrArray *batch, GArray *oks, const GError *error)
{
  for (guint i = 0; i < batch->len; i++)
    job_fail (g_ptr_array_index (batch, i), error);
  g_ptr_array_set_size (batch, 0);
  g_array_set_size (oks, 0);
}

/* Pops queued jobs into @batch, each in its savepoint, until the queue is empty or the batch is
 * full. Returns FALSE when the stop sentinel was seen. If SQLite rolled back the whole
 * transaction under a job (I/O error, disk full, out of memory), every job run so far is
 * answered with that error and a new transaction is begun for the rest. */
static gboolean
run_batch (FdStore *store, FdStoreJob *job, GPtrArray *batch, GArray *oks)
{
  FdDb *db = store->writer_db;

  while (job != NULL)
    {
      gboolean ok = run_in_savepoint (db, job);

      if (sqlite3_get_autocommit (fd_db_handle (db)))
        {
          g_autoptr (GError) lost = g_error_new (
              FD_STORE_ERROR, FD_STORE_ERROR_FAILED, "the database rolled back the transaction: %s",
              job->error ? job->error->message : sqlite3_errmsg (fd_db_handle (db)));
          g_ptr_array_add (batch, job);
          g_array_append_val (oks, ok);
          fail_batch (batch, oks, lost);
          if (store->hooks != NULL && store->hooks->after_end != NULL)
            store->hooks->after_end (FALSE, store->hooks_data);
          if (!fd_db_exec (db, "BEGIN IMMEDIATE", NULL))
            return TRUE; /* the caller's COMMIT fails harmlessly on an empty batch */
        }
      else
        {
          g_ptr_array_add (batch, job);
          g_array_append_val (oks, ok);
        }
      if (batch->len >= FD_STORE_MAX_BATCH)
        return TRUE;
      job = g_async_queue_try_pop (store->jobs);
      if (job == &stop_job)
        return FALSE;
    }
  return TRUE;
}

static gpointer
writer_main (gpointer user_data)
{
  FdStore *store = user_data;
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();
  g_autoptr (GArray) oks = g_array_new (FALSE, FALSE, sizeof (gboolean));
  gboolean running = TRUE;

  while (running)
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
          /* The database is locked by another process or failing: answer everything queued now
           * rather than letting each job wait out its own busy timeout. */
          job_fail (job, tx_error);
          while ((job = g_async_queue_try_pop (store->jobs)) != NULL)
            {
              if (job == &stop_job)
                {
                  running = FALSE;
                  break;
                }
              job_fail (job, tx_error);
            }
          continue;
        }

      /* Group commit: take whatever else is already queued, up to the batch limit. */
      running = run_batch (store, job, batch, oks);

      if (store->hooks != NULL && store->hooks->before_commit != NULL
          && !sqlite3_get_autocommit (fd_db_handle (store->writer_db))
          && !store->hooks->before_commit (store->writer_db, store->hooks_data, &tx_error))
        committed = FALSE;
      else
        committed = fd_db_exec (store->writer_db, "COMMIT", &tx_error);
      if (!committed)
        fd_db_exec (store->writer_db, "ROLLBACK", NULL);
      if (store->hooks != NULL && store->hooks->after_end != NULL)
        store->hooks->after_end (committed, store->hooks_data);

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

static void
store_clear (gpointer data)
{
  FdStore *store = data;

  g_async_queue_unref (store->readers);
  g_async_queue_unref (store->jobs);
  g_mutex_clear (&store->lock);
  g_cond_clear (&store->reads_done);
  g_free (store->path);
}

/* A database made before incremental vacuum was the default (fd_db_open()) keeps every page
 * retention frees as free pages inside the file; it is rewritten once, here, to give them back.
 * VACUUM needs as much free disk space as the database takes, and time: it is said. */
static gboolean
ensure_incremental_vacuum (FdDb *db, const char *path, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "PRAGMA auto_vacuum", error);
  gint64 mode = 0;
  gint64 start;

  if (stmt == NULL || !fd_db_fetch_count (db, stmt, &mode, error))
    return FALSE;
  if (mode == 2) /* INCREMENTAL */
    return TRUE;
  g_message ("converting the database %s to incremental vacuum, once (it is rewritten: this "
             "takes a while for a big database and needs as much free disk space as it uses)",
             path);
  start = g_get_monotonic_time ();
  if (!fd_db_exec (db, "PRAGMA auto_vacuum = INCREMENTAL", error)
      || !fd_db_exec (db, "VACUUM", error))
    {
      g_prefix_error (error, "converting the database to incremental vacuum: ");
      return FALSE;
    }
  g_message ("converted the database %s to incremental vacuum in %.1f s", path,
             (double)(g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  return TRUE;
}

FdStore *
fd_store_open (const char *path, guint n_readers, GError **error)
{
  FdStore *store;
  g_autoptr (FdDb) writer_db = fd_db_open (path, FALSE, error);

  if (writer_db == NULL)
    return NULL;
  if (!ensure_incremental_vacuum (writer_db, path, error))
    return NULL;
  if (!fd_store_migrate (writer_db, FD_STORE_SCHEMA_VERSION, error))
    return NULL;

  store = g_atomic_rc_box_new0 (FdStore);
  store->path = g_strdup (path);
  store->jobs = g_async_queue_new ();
  store->readers = g_async_queue_new ();
  g_mutex_init (&store->lock);
  g_cond_init (&store->reads_done);
  store->writer_db = g_steal_pointer (&writer_db);
  for (guint i = 0; i < MAX (n_readers, 1); i++)
    {
      FdDb *reader = fd_db_open (path, TRUE, error);
      if (reader == NULL)
        {
          fd_store_close (store);
          return NULL;
        }
      g_async_queue_push (store->readers, reader);
      store->n_readers++;
    }
  store->read_pool = g_thread_pool_new (read_pool_run, store, (int)store->n_readers, FALSE, NULL);
  store->writer = g_thread_new ("fd-store-writer", writer_main, store);
  return store;
}

void
fd_store_close (FdStore *store)
{
  if (store == NULL)
    return;

  GThreadPool *read_pool;

  g_mutex_lock (&store->lock);
  store->closed = TRUE;
  read_pool = g_steal_pointer (&store->read_pool);
  g_mutex_unlock (&store->lock);
  /* Reads still queued run now and find the store closed. */
  if (read_pool != NULL)
    g_thread_pool_free (read_pool, FALSE, TRUE);

  g_mutex_lock (&store->lock);
  while (store->active_reads > 0)
    g_cond_wait (&store->reads_done, &store->lock);
  g_mutex_unlock (&store->lock);

  if (store->writer != NULL)
    {
      g_async_queue_push (store->jobs, &stop_job);
      g_thread_join (store->writer);
    }
  /* No read is running, so every reader is back in the queue. */
  for (FdDb *reader; (reader = g_async_queue_try_pop (store->readers)) != NULL;)
    fd_db_close (reader);
  g_clear_pointer (&store->writer_db, fd_db_close);
  g_atomic_rc_box_release_full (store, store_clear);
}

const char *
fd_store_get_path (FdStore *store)
{
  return store->path;
}

void
fd_store_set_hooks (FdStore *store, const FdStoreHooks *hooks, gpointer data)
{
  store->hooks = hooks;
  store->hooks_data = data;
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

/* Ends a reader's transaction. A statement left stepping (a cached one whose last row a job
 * still pointed into) would keep the transaction, and so its snapshot, open: the connection
 * would then answer every later read from the past. So every statement is reset first, and
 * a COMMIT that fails is rolled back. */
static void
end_read (FdDb *db, gboolean ok)
{
  sqlite3 *handle = fd_db_handle (db);
  g_autoptr (GError) error = NULL;

  for (sqlite3_stmt *stmt = sqlite3_next_stmt (handle, NULL); stmt != NULL;
       stmt = sqlite3_next_stmt (handle, stmt))
    if (sqlite3_stmt_busy (stmt))
      sqlite3_reset (stmt);
  if (ok && fd_db_exec (db, "COMMIT", &error))
    return;
  if (error != NULL)
    g_warning ("ending a read transaction: %s", error->message);
  fd_db_exec (db, "ROLLBACK", NULL);
}

static gboolean
run_read (FdStore *store, FdStoreFunc func, gpointer data, GError **error)
{
  FdDb *db;
  gboolean ok;

  g_mutex_lock (&store->lock);
  if (store->closed)
    {
      g_mutex_unlock (&store->lock);
      g_set_error_literal (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED,
                           "the store is shutting down");
      return FALSE;
    }
  store->active_reads++;
  g_mutex_unlock (&store->lock);

  db = g_async_queue_pop (store->readers);
  ok = fd_db_exec (db, "BEGIN", error);
  if (ok)
    {
      ok = func (db, data, error);
      end_read (db, ok);
    }
  g_async_queue_push (store->readers, db);

  g_mutex_lock (&store->lock);
  if (--store->active_reads == 0)
    g_cond_broadcast (&store->reads_done);
  g_mutex_unlock (&store->lock);
  return ok;
}

typedef struct
{
  FdStore *store; /* a reference */
  FdStoreFunc func;
} ReadCall;

static void
read_call_free (ReadCall *call)
{
  g_atomic_rc_box_release_full (call->store, store_clear);
  g_free (call);
}

/* A thread of store->read_pool: @data is a GTask reference. */
static void
read_pool_run (gpointer data, gpointer user_data)
{
  g_autoptr (GTask) task = data;
  ReadCall *call = g_object_get_data (G_OBJECT (task), "fd-read-call");
  GError *error = NULL;

  if (run_read (call->store, call->func, g_task_get_task_data (task), &error))
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
  gboolean pushed;

  call->store = g_atomic_rc_box_acquire (store);
  call->func = func;
  g_task_set_source_tag (task, fd_store_read_async);
  g_task_set_task_data (task, data, destroy);
  g_object_set_data_full (G_OBJECT (task), "fd-read-call", call, (GDestroyNotify)read_call_free);
  g_mutex_lock (&store->lock);
  pushed = store->read_pool != NULL;
  if (pushed)
    g_thread_pool_push (store->read_pool, g_object_ref (task), NULL);
  g_mutex_unlock (&store->lock);
  if (!pushed)
    g_task_return_new_error (task, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED,
                             "the store is shutting down");
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
