/* bench-storage-export-engine.c — the export engine (server/export/fd-export.h) in this
 * process: an export row inserted as the API would, submitted to FdExports, waited for by
 * reading the row; rows/s from the row's started_at/finished_at, peak RSS = this process's
 * VmHWM after resetting it. The same work as the server's export job without HTTP and without
 * the rest of the server, so the two figures side by side say what the server adds.
 */
#include "bench-storage-questions.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "export/fd-export.h"
#include "fd-util.h"
#include "store/fd-store-exports.h"

#define FD_EXPORT_ENGINE_POLL_US (50 * 1000)

static FdStore *fd_export_engine_store;
static FdExports *fd_export_engine_exports;
static char *fd_export_engine_dir;

static gboolean
fd_export_engine_insert (FdDb *db, gpointer data, GError **error)
{
  return fd_store_export_insert (db, data, error);
}

typedef struct
{
  const char *id;
  FdExport *row;
} FdExportEngineGet;

static gboolean
fd_export_engine_get (FdDb *db, gpointer data, GError **error)
{
  FdExportEngineGet *g = data;

  g->row = fd_store_export_get (db, g->id, error);
  return g->row != NULL;
}

static gboolean
fd_export_engine_delete (FdDb *db, gpointer data, GError **error)
{
  g_autofree char *file = NULL;

  return fd_store_export_delete (db, data, &file, error);
}

static gboolean
fd_export_engine_open (FdStorageBench *b, FdStorageExport *e)
{
  g_autoptr (GError) error = NULL;

  if (fd_export_engine_exports != NULL)
    return TRUE;
  fd_export_engine_dir = g_build_filename (b->data->dir, "engine-exports", NULL);
  fd_export_engine_store = fd_store_open (b->data->fd_db, 1, &error);
  if (fd_export_engine_store != NULL)
    {
      fd_export_engine_exports
          = fd_exports_new (fd_export_engine_store, b->data->fd_db, fd_export_engine_dir, NULL);
      if (fd_exports_start (fd_export_engine_exports, &error))
        return TRUE;
    }
  e->note = g_strdup_printf ("export engine: %s", error ? error->message : "failed");
  return FALSE;
}

gboolean
fd_storage_export_engine_once (FdStorageBench *b, FdStorageExport *e)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdExport) row = g_new0 (FdExport, 1);
  FdExportEngineGet get = { 0 };
  gint64 t0;
  double seconds, rate;

  if (!fd_export_engine_open (b, e))
    return FALSE;
  row->id = fd_id_new ("exp");
  row->workspace_id = g_strdup (b->data->workspace_id);
  row->format = g_strdup ("csv");
  row->selection = g_strdup ("{}");
  row->state = g_strdup ("queued");
  row->file = g_strdup_printf ("%s/%s.csv", fd_export_engine_dir, row->id);
  row->actor = g_strdup ("bench-storage");
  row->created_at = fd_now_ms ();
  if (!fd_store_write_sync (fd_export_engine_store, fd_export_engine_insert, row, &error))
    {
      e->note = g_strdup_printf ("export engine: %s", error->message);
      return FALSE;
    }

  e->rss_before_kib = fd_storage_proc_kib (getpid (), "VmRSS");
  fd_storage_proc_reset_peak (getpid ());
  t0 = g_get_monotonic_time ();
  fd_exports_submit (fd_export_engine_exports, row);
  get.id = row->id;
  for (;;)
    {
      g_usleep (FD_EXPORT_ENGINE_POLL_US);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_clear_pointer (&get.row, fd_export_free);
      if (!fd_store_read_sync (fd_export_engine_store, fd_export_engine_get, &get, &error))
        {
          e->note = g_strdup_printf ("export engine: %s", error->message);
          return FALSE;
        }
      if (g_strcmp0 (get.row->state, "done") == 0)
        break;
      if (g_strcmp0 (get.row->state, "failed") == 0 || g_strcmp0 (get.row->state, "canceled") == 0)
        {
          e->note = g_strdup_printf ("export engine: %s: %s", get.row->state,
                                     get.row->error ? get.row->error : "");
          fd_export_free (get.row);
          return FALSE;
        }
    }
  seconds = fd_storage_ms_since (t0) / 1000;
  e->peak_kib = MAX (e->peak_kib, fd_storage_proc_kib (getpid (), "VmHWM"));
  e->rows = (guint64)get.row->rows;
  e->bytes = (guint64)get.row->bytes;
  rate = get.row->finished_at > get.row->started_at
             ? get.row->rows * 1000.0 / (get.row->finished_at - get.row->started_at)
             : get.row->rows / seconds;
  g_array_append_val (e->seconds, seconds);
  g_array_append_val (e->rows_per_s, rate);
  fd_export_free (get.row);
  g_unlink (row->file);
  fd_store_write_sync (fd_export_engine_store, fd_export_engine_delete, row->id, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return TRUE;
}

void
fd_storage_export_engine_close (void)
{
  if (fd_export_engine_exports != NULL)
    {
      fd_exports_shutdown (fd_export_engine_exports);
      g_clear_pointer (&fd_export_engine_exports, fd_exports_free);
    }
  g_clear_pointer (&fd_export_engine_store, fd_store_close);
  if (fd_export_engine_dir != NULL)
    g_rmdir (fd_export_engine_dir);
  g_clear_pointer (&fd_export_engine_dir, g_free);
}
