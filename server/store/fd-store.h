/* fd-store.h — the SQLite store: one writer thread, a pool of read-only connections.
 *
 * Every write runs on the writer thread inside a group-committed transaction: jobs queued
 * together share one COMMIT, each job inside its own SAVEPOINT so a failing job changes nothing
 * and does not disturb the others. A job's callback runs only after its COMMIT returned, so
 * whatever a caller acknowledges is on disk. Reads run on read-only connections (WAL) and never
 * wait for the writer.
 */
#pragma once

#include <gio/gio.h>

#include "fd-db.h"

G_BEGIN_DECLS

/* Runs on the writer (inside a savepoint) or a reader (inside a read transaction). */
typedef gboolean (*FdStoreFunc) (FdDb *db, gpointer data, GError **error);

typedef struct _FdStore FdStore;

#define FD_STORE_SCHEMA_VERSION 9

/* Opens (creating) the database at @path, migrates it to the newest schema and starts the
 * writer thread and @n_readers read-only connections. */
FdStore *fd_store_open (const char *path, guint n_readers, GError **error);

/* The database file's path, as opened. */
const char *fd_store_get_path (FdStore *store);

/* Finishes every queued write, joins the writer and closes all connections. */
void fd_store_close (FdStore *store);

/* Queues @func for the writer. @callback runs in the caller's thread-default main context after
 * the transaction committed (or failed); fd_store_run_finish() gives the outcome. @destroy frees
 * @data after the callback. */
void fd_store_write_async (FdStore *store, FdStoreFunc func, gpointer data, GDestroyNotify destroy,
                           GAsyncReadyCallback callback, gpointer user_data);

/* Runs @func on a read-only connection in a worker thread. */
void fd_store_read_async (FdStore *store, FdStoreFunc func, gpointer data, GDestroyNotify destroy,
                          GAsyncReadyCallback callback, gpointer user_data);

gboolean fd_store_run_finish (GAsyncResult *result, GError **error);

/* The job data passed to the async call, for the callback. */
gpointer fd_store_run_get_data (GAsyncResult *result);

/* Runs @func synchronously on the writer, waiting for the commit (start-up, tools). */
gboolean fd_store_write_sync (FdStore *store, FdStoreFunc func, gpointer data, GError **error);

/* Runs @func synchronously on a read-only connection. */
gboolean fd_store_read_sync (FdStore *store, FdStoreFunc func, gpointer data, GError **error);

/* Hooks of a module that keeps per-transaction state on the writer (ingest: per-series
 * structures written once per commit). Both run on the writer thread. @before_commit runs
 * inside the transaction after the batch's jobs; if it fails, every job of the batch is answered
 * with its error and nothing commits. @after_end runs after COMMIT or ROLLBACK, with whether the
 * transaction committed, so the module can drop what it cached from a transaction that did not. */
typedef struct
{
  gboolean (*before_commit) (FdDb *db, gpointer data, GError **error);
  void (*after_end) (gboolean committed, gpointer data);
} FdStoreHooks;

/* Installs @hooks (static storage) with @data. At most one module; call before any write. */
void fd_store_set_hooks (FdStore *store, const FdStoreHooks *hooks, gpointer data);

/* Schema migrations (fd-store-migrations.c). Brings @db from its version up to @target. */
gboolean fd_store_migrate (FdDb *db, int target, GError **error);
int fd_store_schema_version (FdDb *db);

G_END_DECLS
