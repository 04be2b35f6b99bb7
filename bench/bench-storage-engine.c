/* bench-storage-engine.c — the same questions as the REST API, asked of the query engine's
 * functions (server/query/fd-query.h) in this process, on a read-only connection of the same
 * database inside one read transaction, as the server's reader threads run them: the API's
 * figure minus this one is what HTTP, the JSON text and the thread hand-offs cost.
 *
 * Built only when the engine has them (the query branch merged).
 */
#include "bench-storage-questions.h"

#if __has_include("query/fd-query.h")

#include "query/fd-query.h"
#include "store/fd-db.h"

static FdDb *fd_engine_db;

typedef struct
{
  guint rows;
} FdEngineCount;

static void
fd_engine_emit (const char *key, gint64 bucket, const FdQueryAcc *acc, gpointer user_data)
{
  ((FdEngineCount *)user_data)->rows++;
}

static void
fd_engine_group (const char *key, gpointer user_data)
{
}

static gboolean
fd_engine_ask (FdStorageBench *b, FdStorageQuestion *q, double *ms, guint *rows)
{
  g_autoptr (GError) error = NULL;
  const char *tags[] = { FD_STORAGE_TAG, NULL };
  const char *devices[] = { q->device_id, NULL };
  const char *fleets[] = { q->fleet_id, NULL };
  FdQuerySelection sel = {
    .workspace_id = b->data->workspace_id,
    .devices = q->device_id ? devices : NULL,
    .fleets = q->fleet_id ? fleets : NULL,
  };
  gboolean ok;
  gint64 t0;

  t0 = g_get_monotonic_time ();
  if (!fd_db_exec (fd_engine_db, "BEGIN", &error))
    goto failed;
  if (q->raw)
    {
      g_auto (FdQueryRawResult) result = { 0 };
      FdQueryRaw raw = {
        .sel = sel,
        .start = FD_QUERY_TIME_MIN,
        .end = FD_QUERY_TIME_MAX,
        .size = FD_STORAGE_PAGE,
        .descending = TRUE,
      };

      ok = fd_query_raw (fd_engine_db, &raw, &result, &error);
      *rows = ok ? result.rows->len : 0;
    }
  else
    {
      FdEngineCount count = { 0 };
      FdQueryAggregate agg = {
        .sel = sel,
        .field = "temp",
        .start = b->data->start_ms,
        .end = b->data->end_ms,
        .width = q->width,
        .group = q->group_by_device ? FD_QUERY_GROUP_DEVICE : FD_QUERY_GROUP_NONE,
      };

      agg.sel.tags = tags;
      if (q->count == FD_STORAGE_COUNT_POINTS)
        {
          agg.group = FD_QUERY_GROUP_DEVICE;
          agg.max_groups = FD_QUERY_MAX_SERIES;
          agg.width = fd_query_series_width (agg.start, agg.end, FD_STORAGE_SERIES_POINTS);
        }
      ok = fd_query_aggregate (fd_engine_db, &agg, fd_engine_group, fd_engine_emit, &count, &error);
      *rows = count.rows;
    }
  fd_db_exec (fd_engine_db, ok ? "COMMIT" : "ROLLBACK", NULL);
  *ms = fd_storage_ms_since (t0);
  if (ok)
    return TRUE;

failed:
  g_printerr ("bench-storage: engine, %s: %s\n", q->label, error ? error->message : "failed");
  q->engine = NULL;
  return FALSE;
}

gboolean
fd_storage_engine_attach (FdStorageBench *b)
{
  g_autoptr (GError) error = NULL;

  fd_engine_db = fd_db_open (b->data->fd_db, TRUE, &error);
  if (fd_engine_db == NULL)
    {
      g_printerr ("bench-storage: engine: %s\n", error->message);
      return FALSE;
    }
  for (guint i = 0; i < b->questions->len; i++)
    ((FdStorageQuestion *)g_ptr_array_index (b->questions, i))->engine = fd_engine_ask;
  return TRUE;
}

void
fd_storage_engine_detach (FdStorageBench *b)
{
  g_clear_pointer (&fd_engine_db, fd_db_close);
}

#else

gboolean
fd_storage_engine_attach (FdStorageBench *b)
{
  return FALSE;
}

void
fd_storage_engine_detach (FdStorageBench *b)
{
}

#endif
