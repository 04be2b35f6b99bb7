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
  GString *json; /* NULL: only count */
  gboolean series;
  gboolean grouped;
} FdEngineCount;

/* With @json, each bucket as the API writes it (server/api/fd-api-query.c, emit and
 * emit_series), with the engine's own JSON helpers, so that the difference to the API's figure
 * is HTTP and the hand-offs between threads only. */
static void
fd_engine_emit (const char *key, gint64 bucket, const FdQueryAcc *a, gpointer user_data)
{
  FdEngineCount *c = user_data;
  GString *out = c->json;

  if (out != NULL && c->series)
    {
      g_string_append_printf (out, "%s[%" G_GINT64_FORMAT ",", c->rows ? "," : "",
                              a->n == 1 ? a->first_ts : bucket);
      fd_query_json_number (out, a->min);
      g_string_append_c (out, ',');
      fd_query_json_number (out, a->max);
      g_string_append_c (out, ',');
      fd_query_json_number (out, a->sum / (double)a->n);
      g_string_append_printf (out, ",%" G_GINT64_FORMAT "]", a->n);
    }
  else if (out != NULL)
    {
      g_string_append (out, c->rows ? ",{" : "{");
      if (c->grouped)
        {
          g_string_append (out, "\"device_id\":");
          fd_query_json_string (out, key);
          g_string_append_c (out, ',');
        }
      g_string_append (out, "\"bucket\":");
      fd_query_json_time (out, bucket);
      g_string_append_printf (out, ",\"count\":%" G_GINT64_FORMAT, a->n);
      g_string_append_printf (out, ",\"%s\":", "avg");
      fd_query_json_number (out, a->sum / (double)a->n);
      g_string_append_c (out, '}');
    }
  c->rows++;
}

static void
fd_engine_group (const char *key, gpointer user_data)
{
}

static void
fd_engine_raw_json (GString *out, const FdQueryRawResult *result)
{
  g_string_append (out, "{\"result\":[");
  for (guint i = 0; i < result->rows->len; i++)
    {
      const FdQueryRow *row = &g_array_index (result->rows, FdQueryRow, i);
      const FdQueryStream *s = &g_array_index (result->streams, FdQueryStream, row->stream);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"timestamp_device\":");
      fd_query_json_time (out, row->ts_device);
      g_string_append (out, ",\"timestamp_in\":");
      fd_query_json_time (out, row->ts_in);
      g_string_append (out, ",\"fleet_id\":");
      fd_query_json_string (out, s->fleet_id);
      g_string_append (out, ",\"device_id\":");
      fd_query_json_string (out, s->device_id);
      g_string_append (out, ",\"tag\":");
      fd_query_json_string (out, s->tag);
      g_string_append (out, ",\"payload\":");
      g_string_append (out, row->payload);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
}

static gboolean
fd_engine_ask (FdStorageBench *b, FdStorageQuestion *q, gboolean json, double *ms, guint *rows)
{
  g_autoptr (GString) text = json ? g_string_sized_new (1 << 20) : NULL;
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
      if (ok && text != NULL)
        fd_engine_raw_json (text, &result);
    }
  else
    {
      FdEngineCount count = { .json = text,
                              .series = q->count == FD_STORAGE_COUNT_POINTS,
                              .grouped = q->group_by_device };
      FdQueryAggregate agg = {
        .sel = sel,
        .field = "temp",
        .start = q->end_ms ? q->start_ms : b->data->start_ms,
        .end = q->end_ms ? q->end_ms : b->data->end_ms,
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
