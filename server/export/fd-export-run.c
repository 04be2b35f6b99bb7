/* fd-export-run.c — the worker thread of one export: selection, rows, file, outcome.
 *
 * Rows are written in arrival order (sample rowid). A selection that is a small part of the
 * store is read through sample_ts (the samples of its streams in the time range) plus the tail
 * of samples not indexed yet, in one read transaction, and its ids sorted; anything larger is
 * a sequential scan of sample by rowid that keeps the rows of the selected streams (a table
 * indexed by stream id) and time range, in read transactions of a bounded number of rows so
 * that a long export does not hold back WAL checkpoints.
 */
#include "fd-export-private.h"
#include "fd-util.h"
#include "query/fd-query-select.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

/* A selection whose streams hold at most this many samples, and at most 1/8 of the store's,
 * is read through the index; its sample ids are held in memory (8 bytes each). */
#define INDEX_MAX_IDS (4 * 1024 * 1024)
/* Sample ids per read transaction of a sequential scan. */
#define SCAN_CHUNK_IDS (1024 * 1024)
/* Rows between looks at the cancel flag and the progress clock. */
#define CHECK_EVERY 1024
#define PROGRESS_INTERVAL_US (500 * 1000)
/* The longest sleep of a throttled export between looks at the cancel flag. */
#define THROTTLE_SLICE_US (50 * 1000)
#define MAX_FIELD_COLUMNS 1000

typedef struct
{
  FdExportJob *job;
  FdDb *db;
  GPtrArray *streams;     /* FdExportStream* */
  FdExportStream **by_id; /* indexed by stream id, NULL when not selected */
  gint64 n_by_id;
  gint64 start, end; /* device-time range, [start, end) */
  FdExportWriter *writer;
  FdExportOut out;
  gint64 rows;
  gint64 last_progress_us;
  gint64 started_us;     /* when the rows began: the throttle's origin */
  gint progress_pending; /* a progress write is queued (atomic) */
} Run;

typedef struct
{
  char *id;
  double progress;
  gint64 rows, bytes;
  gint *pending;
} ProgressWrite;

static void
stream_free (FdExportStream *s)
{
  g_free (s->fleet_id);
  g_free (s->device_id);
  g_free (s->tag);
  g_free (s->middle);
  g_free (s);
}

static gboolean
progress_job (FdDb *db, gpointer data, GError **error)
{
  ProgressWrite *p = data;
  gboolean ok = fd_store_export_progress (db, p->id, p->progress, p->rows, p->bytes, error);

  g_atomic_int_set (p->pending, 0);
  return ok;
}

static void
progress_write_free (gpointer data)
{
  ProgressWrite *p = data;
  g_free (p->id);
  g_free (p);
}

/* Every CHECK_EVERY rows scanned: FALSE when canceled; throttles; writes progress every ~0.5 s (one
 * write in flight at most, so a slow writer never piles them up). */
/* --export-max-rows-per-second: sleeps while the rows written are ahead of the rate since the
 * start, in short slices so that a cancel is seen within THROTTLE_SLICE_US. FALSE when it was
 * canceled meanwhile. */
static gboolean
run_throttle (Run *run)
{
  guint rate = run->job->max_rows_per_second;

  if (rate == 0)
    return TRUE;
  for (;;)
    {
      gint64 due = run->started_us + run->rows * G_USEC_PER_SEC / rate;
      gint64 now = g_get_monotonic_time ();

      if (now >= due)
        return TRUE;
      g_usleep ((gulong)MIN (due - now, THROTTLE_SLICE_US));
      if (g_atomic_int_get (&run->job->cancel) != 0)
        return FALSE;
    }
}

static gboolean
run_check (Run *run, double progress)
{
  gint64 now;

  if (g_atomic_int_get (&run->job->cancel) != 0 || !run_throttle (run))
    return FALSE;
  now = g_get_monotonic_time ();
  if (now - run->last_progress_us >= PROGRESS_INTERVAL_US
      && g_atomic_int_compare_and_exchange (&run->progress_pending, 0, 1))
    {
      ProgressWrite *p = g_new0 (ProgressWrite, 1);
      p->id = g_strdup (run->job->row->id);
      p->progress = MIN (progress, 0.999);
      p->rows = run->rows;
      p->bytes = run->out.bytes;
      p->pending = &run->progress_pending;
      run->last_progress_us = now;
      fd_store_write_async (run->job->store, progress_job, p, progress_write_free, NULL, NULL);
    }
  return TRUE;
}

char **
fd_export_selection_list (JsonObject *selection, const char *member)
{
  JsonNode *node = json_object_get_member (selection, member);
  JsonArray *a;
  GPtrArray *values;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (a = json_node_get_array (node)) == 0)
    return NULL;
  values = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *text = json_array_get_string_element (a, i);
      if (text != NULL)
        g_ptr_array_add (values, g_strdup (text));
    }
  g_ptr_array_add (values, NULL);
  return (char **)g_ptr_array_free (values, FALSE);
}

/* The selection's streams, resolved (and every name checked) by the query engine's resolver,
 * the one raw queries use. */
static gboolean
load_streams (Run *run, JsonObject *selection, char ***fields, GError **error)
{
  g_auto (GStrv) tags = fd_export_selection_list (selection, "tags");
  g_auto (GStrv) fleets = fd_export_selection_list (selection, "fleets");
  g_auto (GStrv) devices = fd_export_selection_list (selection, "devices");
  const char *columns
      = json_object_get_string_member_with_default (selection, "columns", "payload");
  FdQuerySelection sel = {
    .workspace_id = run->job->row->workspace_id,
    .tags = (const char *const *)tags,
    .devices = (const char *const *)devices,
    .fleets = (const char *const *)fleets,
  };
  g_autoptr (GArray) resolved = fd_query_streams_new ();
  sqlite3_stmt *stmt;
  gint64 max_id = 0;
  int rc;

  if (!fd_query_resolve_streams (run->db, &sel, resolved, error))
    return FALSE;
  for (guint i = 0; i < resolved->len; i++)
    {
      FdQueryStream *q = &g_array_index (resolved, FdQueryStream, i);
      FdExportStream *s = g_new0 (FdExportStream, 1);

      s->id = q->id;
      s->fleet_id = g_steal_pointer (&q->fleet_id);
      s->device_id = g_steal_pointer (&q->device_id);
      s->tag = g_steal_pointer (&q->tag);
      max_id = MAX (max_id, s->id);
      g_ptr_array_add (run->streams, s);
    }
  run->n_by_id = max_id + 1;
  run->by_id = g_new0 (FdExportStream *, run->n_by_id);
  for (guint i = 0; i < run->streams->len; i++)
    {
      FdExportStream *s = g_ptr_array_index (run->streams, i);
      run->by_id[s->id] = s;
    }

  *fields = NULL;
  if (g_strcmp0 (columns, "fields") == 0)
    {
      g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
      stmt = fd_db_prepare (run->db,
                            "SELECT DISTINCT path FROM tag_field WHERE workspace_id = ?1"
                            " AND tag IN (SELECT value FROM json_each (?2)) ORDER BY path",
                            error);
      if (stmt == NULL)
        return FALSE;
      /* The fields of the tags the selected streams have (not every tag of the workspace
       * when only devices or fleets were chosen). */
      g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr (GPtrArray) names = g_ptr_array_new ();
      g_autofree char *stream_tags = NULL;

      for (guint i = 0; i < run->streams->len; i++)
        {
          FdExportStream *st = g_ptr_array_index (run->streams, i);
          if (g_hash_table_add (seen, st->tag))
            g_ptr_array_add (names, st->tag);
        }
      g_ptr_array_add (names, NULL);
      stream_tags = fd_query_json_list ((const char *const *)names->pdata);
      fd_db_bind_text (stmt, 1, run->job->row->workspace_id);
      fd_db_bind_text (stmt, 2, stream_tags);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (paths, fd_db_column_dup (stmt, 0));
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          fd_db_set_error (run->db, error, "reading the fields");
          return FALSE;
        }
      if (paths->len > MAX_FIELD_COLUMNS)
        {
          g_set_error (error, FD_EXPORT_ERROR, FD_EXPORT_ERROR_INVALID,
                       "the selection has %u fields, more than the %d columns an export has;"
                       " select fewer tags or use columns payload",
                       paths->len, MAX_FIELD_COLUMNS);
          return FALSE;
        }
      g_ptr_array_add (paths, NULL);
      *fields = (char **)g_ptr_array_steal (paths, NULL);
    }
  return TRUE;
}

static gboolean
fetch_int (FdDb *db, const char *sql, gint64 *value, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  *value = 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

static inline void
emit (Run *run, const FdExportStream *s, gint64 ts_device, sqlite3_stmt *stmt, int ts_in_col,
      int payload_col)
{
  fd_export_writer_row (run->writer, s, ts_device, sqlite3_column_int64 (stmt, ts_in_col),
                        (const char *)sqlite3_column_text (stmt, payload_col),
                        (gsize)sqlite3_column_bytes (stmt, payload_col));
  run->rows++;
}

/* The sequential scan of (@lo, @hi] by rowid. */
static gboolean
scan_rows (Run *run, gint64 lo, gint64 hi, GError **error)
{
  gint64 at = lo;
  guint tick = 0;
  double span = (double)MAX (hi - lo, 1);

  while (at < hi)
    {
      gint64 chunk_end = MIN (hi, at + SCAN_CHUNK_IDS);
      sqlite3_stmt *stmt;
      int rc;

      if (!fd_db_exec (run->db, "BEGIN", error))
        return FALSE;
      stmt = fd_db_prepare (run->db,
                            "SELECT id, stream, ts_device, ts_in, payload FROM sample"
                            " WHERE id > ?1 AND id <= ?2 ORDER BY id",
                            error);
      if (stmt == NULL)
        {
          fd_db_exec (run->db, "ROLLBACK", NULL);
          return FALSE;
        }
      sqlite3_bind_int64 (stmt, 1, at);
      sqlite3_bind_int64 (stmt, 2, chunk_end);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 stream = sqlite3_column_int64 (stmt, 1);
          gint64 ts = sqlite3_column_int64 (stmt, 2);
          const FdExportStream *s
              = stream >= 0 && stream < run->n_by_id ? run->by_id[stream] : NULL;

          if (s != NULL && ts >= run->start && ts < run->end)
            emit (run, s, ts, stmt, 3, 4);
          if (G_UNLIKELY (++tick == CHECK_EVERY))
            {
              tick = 0;
              if (!run_check (run, (double)(sqlite3_column_int64 (stmt, 0) - lo) / span))
                {
                  sqlite3_reset (stmt);
                  fd_db_exec (run->db, "ROLLBACK", NULL);
                  return TRUE;
                }
            }
        }
      sqlite3_reset (stmt);
      fd_db_exec (run->db, "COMMIT", NULL);
      if (rc != SQLITE_DONE)
        {
          fd_db_set_error (run->db, error, "reading the samples");
          return FALSE;
        }
      at = chunk_end;
    }
  return TRUE;
}

static int
compare_ids (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

/* Through sample_ts, inside the caller's read transaction. *@overflow is set (and nothing
 * written) when the selection turns out to hold more than INDEX_MAX_IDS samples, its streams'
 * counts having said less: the caller scans instead. */
static gboolean
index_rows (Run *run, gint64 indexed, gint64 hi, gboolean *overflow, GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  for (guint i = 0; i < run->streams->len; i++)
    {
      const FdExportStream *s = g_ptr_array_index (run->streams, i);
      stmt = fd_db_prepare (run->db,
                            "SELECT id FROM sample_ts WHERE stream = ?1 AND ts_device >= ?2"
                            " AND ts_device < ?3 AND id <= ?4",
                            error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, s->id);
      sqlite3_bind_int64 (stmt, 2, run->start);
      sqlite3_bind_int64 (stmt, 3, run->end);
      sqlite3_bind_int64 (stmt, 4, MIN (indexed, hi));
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && ids->len <= INDEX_MAX_IDS)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
        }
      sqlite3_reset (stmt);
      if (ids->len > INDEX_MAX_IDS)
        {
          *overflow = TRUE;
          return TRUE;
        }
      if (rc != SQLITE_DONE)
        {
          fd_db_set_error (run->db, error, "reading the sample index");
          return FALSE;
        }
      if (g_atomic_int_get (&run->job->cancel) != 0)
        return TRUE;
    }
  /* The tail not indexed yet. */
  stmt = fd_db_prepare (run->db,
                        "SELECT id, stream, ts_device FROM sample WHERE id > ?1 AND id <= ?2"
                        " ORDER BY id",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, indexed);
  sqlite3_bind_int64 (stmt, 2, hi);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 stream = sqlite3_column_int64 (stmt, 1);
      gint64 ts = sqlite3_column_int64 (stmt, 2);
      if (stream >= 0 && stream < run->n_by_id && run->by_id[stream] != NULL && ts >= run->start
          && ts < run->end)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (ids, id);
          if (ids->len > INDEX_MAX_IDS)
            break;
        }
    }
  sqlite3_reset (stmt);
  if (ids->len > INDEX_MAX_IDS)
    {
      *overflow = TRUE;
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (run->db, error, "reading the samples");
      return FALSE;
    }
  g_array_sort (ids, compare_ids);

  stmt = fd_db_prepare (
      run->db, "SELECT stream, ts_device, ts_in, payload FROM sample WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 stream = sqlite3_column_int64 (stmt, 0);
          emit (run, run->by_id[stream], sqlite3_column_int64 (stmt, 1), stmt, 2, 3);
        }
      if ((i + 1) % CHECK_EVERY == 0 && !run_check (run, (double)i / ids->len))
        break;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
export_rows (Run *run, JsonObject *selection, FdExportFormat format, const char *part_path,
             GError **error)
{
  g_auto (GStrv) fields = NULL;
  gint64 lo = 0, hi = 0, indexed = 0, estimate = 0;
  gboolean use_index, overflow = FALSE;
  gboolean ok;

  if (!fd_db_exec (run->db, "BEGIN", error))
    return FALSE;
  ok = load_streams (run, selection, &fields, error)
       && fetch_int (run->db, "SELECT coalesce (min (id), 1) - 1 FROM sample", &lo, error)
       && fetch_int (run->db, "SELECT coalesce (max (id), 0) FROM sample", &hi, error)
       && fetch_int (run->db, "SELECT value FROM data_state WHERE key = 'sample_indexed'", &indexed,
                     error);
  if (ok)
    {
      sqlite3_stmt *stmt = fd_db_prepare (
          run->db, "SELECT coalesce (sum (readings), 0) FROM stream WHERE id = ?1", error);
      for (guint i = 0; ok && stmt != NULL && i < run->streams->len; i++)
        {
          gint64 n = 0;
          sqlite3_reset (stmt);
          sqlite3_bind_int64 (stmt, 1, ((FdExportStream *)g_ptr_array_index (run->streams, i))->id);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            n = sqlite3_column_int64 (stmt, 0);
          estimate += n;
        }
      if (stmt != NULL)
        sqlite3_reset (stmt);
      ok = stmt != NULL;
    }
  if (!ok)
    {
      fd_db_exec (run->db, "ROLLBACK", NULL);
      return FALSE;
    }

  if (!fd_export_out_open (&run->out, part_path, error))
    {
      fd_db_exec (run->db, "ROLLBACK", NULL);
      return FALSE;
    }
  run->writer = fd_export_writer_new (format, fields, &run->out);
  for (guint i = 0; i < run->streams->len; i++)
    fd_export_writer_prepare_stream (run->writer, g_ptr_array_index (run->streams, i));
  fd_export_writer_begin (run->writer);

  use_index = estimate <= INDEX_MAX_IDS && estimate * 8 < hi - lo;
  if (run->streams->len == 0)
    ok = fd_db_exec (run->db, "COMMIT", error);
  else if (use_index && (ok = index_rows (run, indexed, hi, &overflow, error)) && !overflow)
    fd_db_exec (run->db, "COMMIT", NULL);
  else if (!ok)
    fd_db_exec (run->db, "ROLLBACK", NULL);
  else
    {
      /* The scan takes its own transactions; what it reads is bounded by @hi, the newest
       * sample when the export started. */
      fd_db_exec (run->db, "COMMIT", NULL);
      ok = scan_rows (run, lo, hi, error);
    }
  if (ok)
    fd_export_writer_end (run->writer);
  return ok;
}

typedef struct
{
  FdExportJob *job;
  gboolean started;
} StartWrite;

static gboolean
start_job (FdDb *db, gpointer data, GError **error)
{
  StartWrite *w = data;
  return fd_store_export_start (db, w->job->row->id, fd_now_ms (), &w->started, error);
}

static gboolean
finish_job (FdDb *db, gpointer data, GError **error)
{
  FdExportJob *job = data;
  gboolean done = g_strcmp0 (job->state, "done") == 0;

  if (!fd_store_export_finish (db, job->row->id, job->state, job->rows, job->bytes,
                               done ? job->row->file : NULL, job->error, fd_now_ms (), error))
    return FALSE;
  if (done && job->row->schedule_id != NULL && job->row->has_end)
    return fd_store_export_schedule_set_last_end (db, job->row->schedule_id, job->row->end, error);
  return TRUE;
}

/* Makes the rename durable: the directory entry is synced too. */
static void
sync_directory (const char *file)
{
  g_autofree char *dir = g_path_get_dirname (file);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

static void
run_export (FdExportJob *job)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) selection = NULL;
  g_autofree char *part = g_strconcat (job->row->file, ".part", NULL);
  FdExportFormat format;
  Run run = { .job = job };
  gboolean ok;

  run.streams = g_ptr_array_new_with_free_func ((GDestroyNotify)stream_free);
  run.start = job->row->has_start ? job->row->start : G_MININT64;
  run.end = job->row->has_end ? job->row->end : G_MAXINT64;
  run.out.fd = -1;
  run.last_progress_us = 0; /* the first look writes progress: a reader sees it running */
  run.started_us = g_get_monotonic_time ();

  selection = json_from_string (job->row->selection, &error);
  ok = selection != NULL && JSON_NODE_HOLDS_OBJECT (selection);
  if (ok && !fd_export_format_parse (job->row->format, &format))
    {
      g_set_error (&error, FD_EXPORT_ERROR, FD_EXPORT_ERROR_INVALID, "unknown format %s",
                   job->row->format);
      ok = FALSE;
    }
  if (ok)
    {
      run.db = fd_db_open (job->db_path, TRUE, &error);
      ok = run.db != NULL;
    }
  if (ok && json_object_has_member (json_node_get_object (selection), "aggregate")
      && !json_object_get_null_member (json_node_get_object (selection), "aggregate"))
    {
      ok = fd_export_out_open (&run.out, part, &error)
           && fd_export_aggregate (run.db, job->row->workspace_id, json_node_get_object (selection),
                                   run.start, run.end, format, &run.out, &run.rows, &error);
    }
  else if (ok)
    ok = export_rows (&run, json_node_get_object (selection), format, part, &error);

  if (ok && g_atomic_int_get (&job->cancel) == 0)
    {
      ok = fd_export_out_finish (&run.out, &error);
      if (ok && g_rename (part, job->row->file) < 0)
        {
          g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "cannot rename %s to %s: %s", part, job->row->file, g_strerror (errno));
          ok = FALSE;
        }
      if (ok)
        sync_directory (job->row->file);
    }
  else
    fd_export_out_abandon (&run.out);

  job->rows = run.rows;
  job->bytes = run.out.bytes;
  if (ok && g_atomic_int_get (&job->cancel) == 0)
    job->state = g_strdup ("done");
  else
    {
      int cancel = g_atomic_int_get (&job->cancel);
      g_unlink (part);
      if (cancel == 1)
        job->state = g_strdup ("canceled");
      else
        {
          job->state = g_strdup ("failed");
          job->error = g_strdup (cancel == 2     ? "interrupted by a server shutdown"
                                 : error != NULL ? error->message
                                                 : "the export failed");
        }
    }
  fd_export_writer_free (run.writer);
  g_ptr_array_unref (run.streams);
  g_free (run.by_id);
  g_clear_pointer (&run.db, fd_db_close);
}

gpointer
fd_export_job_run (gpointer data)
{
  FdExportJob *job = data;
  StartWrite start = { .job = job };
  g_autoptr (GError) error = NULL;

  if (!fd_store_write_sync (job->store, start_job, &start, &error))
    {
      job->state = g_strdup ("failed");
      job->error = g_strdup (error->message);
    }
  else if (!start.started)
    job->state = g_strdup ("canceled"); /* canceled while queued: the row says so already */
  else
    {
      run_export (job);
      if (!fd_store_write_sync (job->store, finish_job, job, &error))
        g_warning ("could not record the end of export %s: %s", job->row->id, error->message);
    }
  fd_exports_job_ended (job);
  return NULL;
}
