/* fd-ingest-writer.c — the writer thread's side of ingest.
 *
 * A store job appends the samples (append-only, one prepared INSERT per reading) and stages
 * what belongs to a series: numeric points, the stream's count and latest sample, the device's
 * last_seen. When the job succeeds its staging joins the transaction's pending state; the
 * store's before_commit hook then writes it once however many requests the transaction
 * grouped: one point_recent row holding every point of the commit, one UPDATE per stream and
 * (at most once a second) per device. Every few seconds the recent points move into one block
 * per series (notes/storage-speed.md: a page written per series, not per reading; with
 * devices sending single readings a per-commit block per series cost a page per reading),
 * with their rollups, and the samples into sample_ts (fd-ingest-compact.c).
 *
 * Lookup caches (stream and series ids, fields already recorded) live across transactions. A
 * job that fails may have inserted rows its savepoint then rolled back, and a transaction that
 * does not commit loses every row it made: in both cases the caches are dropped, since they may
 * name rows that do not exist. Pending state refers only to rows of jobs that succeeded; it is
 * dropped with a transaction that does not commit.
 */
#include "fd-ingest-private.h"

#include <string.h>

#include "fd-data-layout.h"

/* A device's last_seen is written at most this often: a device sending 50 messages a second
 * would otherwise move its entry in the last_seen index 50 times a second (a fifth of the
 * writer's time). The value kept is at most this far behind its latest message. */
#define LAST_SEEN_RESOLUTION_MS 1000

struct _FdIngestWriter
{
  /* caches */
  GHashTable *streams;      /* "device\x1ffleet\x1ftag" -> StreamCache */
  GHashTable *seen_written; /* device id -> gint64 last_seen as written */
  /* pending for the transaction */
  GByteArray *recent;         /* this commit's points: version byte, then triples */
  GHashTable *stream_updates; /* gint64 stream id -> StreamUpdate */
  GHashTable *device_seen;    /* device id -> gint64 last seen */
  gint64 samples;             /* stored by the transaction's jobs that succeeded */
  /* the current job's staging */
  GArray *staged_points; /* StagedPoint */
  GString *key;          /* scratch for cache keys */
  /* what point_recent and the sample tail hold, and when to compact */
  FdIngestCompact compact;
  /* told of each commit's readings per stream (fd_ingest_set_observer) */
  FdIngestObserver observer;
  gpointer observer_data;
  GString *newest;   /* the newest payload of each job, NUL-separated: observer only */
  GArray *committed; /* FdIngestCommitted, scratch for the observer's call */
};

typedef struct
{
  gint64 series;
  gint64 ts;
  double value;
} StagedPoint;

/* What is known of one path of a stream: its point series (0: none yet) and the field types
 * already recorded for its tag (a bit per FdFieldType). One lookup by path per field of a
 * reading, with no key to build: a batch repeats the same few paths thousands of times. */
typedef struct
{
  gint64 series;
  guint types;
} PathCache;

typedef struct
{
  gint64 id;
  GHashTable *paths; /* path -> PathCache */
} StreamCache;

static void
stream_cache_free (StreamCache *c)
{
  g_hash_table_destroy (c->paths);
  g_free (c);
}

/* With an observer, the stream's names follow the struct in the same allocation (a stream's
 * update is made once per commit, so the observer costs no allocation of its own). */
typedef struct
{
  gint64 stream;
  gint64 readings;
  gint64 last_seen;
  gint64 last_sample;
  /* observer only */
  gsize newest_offset; /* the newest payload, in FdIngestWriter.newest */
  guint order;         /* how many streams this transaction had updated before this one */
  const char *workspace_id, *device_id, *fleet_id, *tag;
} StreamUpdate;

static guint
int64_hash (gconstpointer v)
{
  return g_int64_hash (v);
}

FdIngestWriter *
fd_ingest_writer_new (void)
{
  FdIngestWriter *w = g_new0 (FdIngestWriter, 1);

  w->streams
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)stream_cache_free);
  w->seen_written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  w->recent = g_byte_array_new ();
  fd_ingest_compact_init (&w->compact);
  w->stream_updates = g_hash_table_new_full (int64_hash, g_int64_equal, NULL, g_free);
  w->device_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  w->staged_points = g_array_new (FALSE, FALSE, sizeof (StagedPoint));
  w->key = g_string_sized_new (128);
  w->newest = g_string_new (NULL);
  w->committed = g_array_new (FALSE, FALSE, sizeof (FdIngestCommitted));
  return w;
}

void
fd_ingest_writer_free (FdIngestWriter *w)
{
  if (w == NULL)
    return;
  g_hash_table_destroy (w->streams);
  g_hash_table_destroy (w->seen_written);
  g_byte_array_unref (w->recent);
  g_hash_table_destroy (w->stream_updates);
  g_hash_table_destroy (w->device_seen);
  g_array_unref (w->staged_points);
  g_string_free (w->key, TRUE);
  g_string_free (w->newest, TRUE);
  g_array_unref (w->committed);
  g_free (w);
}

static void
drop_caches (FdIngestWriter *w)
{
  g_hash_table_remove_all (w->streams);
  g_hash_table_remove_all (w->seen_written);
}

static void
drop_pending (FdIngestWriter *w)
{
  g_byte_array_set_size (w->recent, 0);
  g_hash_table_remove_all (w->stream_updates);
  g_hash_table_remove_all (w->device_seen);
  w->samples = 0;
  g_string_truncate (w->newest, 0);
}

/* The cache key of a stream, in the writer's scratch string. */
static const char *
stream_key (FdIngestWriter *w, const char *device_id, const char *fleet_id, const char *tag)
{
  g_string_assign (w->key, device_id);
  g_string_append_c (w->key, '\x1f');
  g_string_append (w->key, fleet_id);
  g_string_append_c (w->key, '\x1f');
  g_string_append (w->key, tag);
  return w->key->str;
}

/* The device's workspace and current fleet, read in this transaction: it may have moved or
 * been deleted since the transport authenticated it. */
gboolean
fd_ingest_writer_device_place (FdDb *db, const char *device_id, char **workspace_id,
                               char **fleet_id, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "SELECT workspace_id, fleet_id FROM device WHERE id = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *workspace_id = fd_db_column_dup (stmt, 0);
      *fleet_id = fd_db_column_dup (stmt, 1);
    }
  else if (rc == SQLITE_DONE)
    g_set_error (error, FD_INGEST_ERROR, FD_INGEST_ERROR_DEVICE_GONE, "device %s does not exist",
                 device_id);
  else
    fd_db_set_error (db, error, "reading the device");
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

static StreamCache *
stream_get (FdIngestWriter *w, FdDb *db, const char *workspace_id, const char *fleet_id,
            const char *device_id, const char *tag, gint64 now, GError **error)
{
  const char *key = stream_key (w, device_id, fleet_id, tag);
  StreamCache *cached = g_hash_table_lookup (w->streams, key);
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  if (cached != NULL)
    return cached;
  stmt = fd_db_prepare (
      db, "SELECT id FROM stream WHERE device_id = ?1 AND tag = ?2 AND fleet_id = ?3", error);
  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, tag);
  fd_db_bind_text (stmt, 3, fleet_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading a data stream");
      return NULL;
    }
  if (rc == SQLITE_DONE)
    {
      stmt = fd_db_prepare (db,
                            "INSERT INTO stream (workspace_id, fleet_id, device_id, tag,"
                            " first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                            error);
      if (stmt == NULL)
        return NULL;
      fd_db_bind_text (stmt, 1, workspace_id);
      fd_db_bind_text (stmt, 2, fleet_id);
      fd_db_bind_text (stmt, 3, device_id);
      fd_db_bind_text (stmt, 4, tag);
      sqlite3_bind_int64 (stmt, 5, now);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return NULL;
      id = sqlite3_last_insert_rowid (fd_db_handle (db));
    }
  cached = g_new0 (StreamCache, 1);
  cached->id = id;
  cached->paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (w->streams, g_strdup (key), cached);
  return cached;
}

static PathCache *
path_get (StreamCache *stream, const char *path)
{
  PathCache *p = g_hash_table_lookup (stream->paths, path);

  if (p == NULL)
    {
      p = g_new0 (PathCache, 1);
      g_hash_table_insert (stream->paths, g_strdup (path), p);
    }
  return p;
}

static gboolean
series_id (FdDb *db, StreamCache *stream, PathCache *cache, const char *path, gint64 *id,
           GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (cache->series != 0)
    {
      *id = cache->series;
      return TRUE;
    }
  stmt = fd_db_prepare (db, "SELECT id FROM series WHERE stream = ?1 AND path = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, stream->id);
  fd_db_bind_text (stmt, 2, path);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading a point series");
      return FALSE;
    }
  if (rc == SQLITE_DONE)
    {
      stmt = fd_db_prepare (db, "INSERT INTO series (stream, path) VALUES (?1, ?2)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, stream->id);
      fd_db_bind_text (stmt, 2, path);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
      *id = sqlite3_last_insert_rowid (fd_db_handle (db));
    }
  cache->series = *id;
  return TRUE;
}

/* Records (@tag, @path, @type) of the workspace the first time this stream sees it. */
static gboolean
note_field (FdDb *db, PathCache *cache, const char *workspace_id, const char *tag, const char *path,
            FdFieldType type, gint64 now, GError **error)
{
  sqlite3_stmt *stmt;

  if (cache->types & (1u << type))
    return TRUE;
  stmt = fd_db_prepare (db,
                        "INSERT OR IGNORE INTO tag_field (workspace_id, tag, path, type,"
                        " first_seen) VALUES (?1, ?2, ?3, ?4, ?5)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  fd_db_bind_text (stmt, 2, tag);
  fd_db_bind_text (stmt, 3, path);
  fd_db_bind_text (stmt, 4, fd_field_type_name (type));
  sqlite3_bind_int64 (stmt, 5, now);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  cache->types |= 1u << type;
  return TRUE;
}

void
fd_ingest_writer_note_seen (FdIngestWriter *w, const char *device_id, gint64 when)
{
  gint64 *seen = g_hash_table_lookup (w->device_seen, device_id);

  if (seen == NULL)
    g_hash_table_insert (w->device_seen, g_strdup (device_id), g_memdup2 (&when, sizeof when));
  else if (when > *seen)
    *seen = when;
}

static StreamUpdate *
stream_update_new (FdIngestWriter *w, const StreamUpdate *update, const char *workspace_id,
                   const char *device_id, const char *fleet_id, const char *tag)
{
  const char *names[] = { workspace_id, device_id, fleet_id, tag };
  gsize lens[G_N_ELEMENTS (names)], extra = 0;
  StreamUpdate *u;
  char *p;

  if (w->observer == NULL)
    return g_memdup2 (update, sizeof *update);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    extra += (lens[i] = strlen (names[i]) + 1);
  u = g_malloc (sizeof *u + extra);
  *u = *update;
  p = (char *)(u + 1);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      memcpy (p, names[i], lens[i]);
      names[i] = p;
      p += lens[i];
    }
  u->workspace_id = names[0];
  u->device_id = names[1];
  u->fleet_id = names[2];
  u->tag = names[3];
  return u;
}

/* The job succeeded: its points and its stream's @update join what the transaction will write
 * at commit. */
static void
merge_staging (FdIngestWriter *w, const StreamUpdate *update, const char *workspace_id,
               const char *device_id, const char *fleet_id, const char *tag)
{
  StreamUpdate *u = g_hash_table_lookup (w->stream_updates, &update->stream);

  for (guint i = 0; i < w->staged_points->len; i++)
    {
      StagedPoint *p = &g_array_index (w->staged_points, StagedPoint, i);
      guint8 triple[FD_POINTS_TRIPLE_BYTES];

      if (w->recent->len == 0)
        {
          guint8 version = FD_POINTS_FORMAT_VERSION;
          g_byte_array_append (w->recent, &version, 1);
        }
      fd_points_write_i64 (triple, p->series);
      fd_points_write_i64 (triple + 8, p->ts);
      fd_points_write_double (triple + 16, p->value);
      g_byte_array_append (w->recent, triple, sizeof triple);
    }
  w->samples += update->readings;
  if (u == NULL)
    {
      u = stream_update_new (w, update, workspace_id, device_id, fleet_id, tag);
      u->order = g_hash_table_size (w->stream_updates);
      g_hash_table_insert (w->stream_updates, &u->stream, u);
    }
  else
    {
      u->readings += update->readings;
      u->last_seen = MAX (u->last_seen, update->last_seen);
      u->last_sample = MAX (u->last_sample, update->last_sample);
      u->newest_offset = update->newest_offset;
    }
  g_array_set_size (w->staged_points, 0);
}

/* Gives the sample just inserted as *@id the id after @indexed (no sample has a higher id). */
static gboolean
renumber_sample (FdDb *db, gint64 *id, gint64 indexed, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "UPDATE sample SET id = ?2 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, *id);
  sqlite3_bind_int64 (stmt, 2, indexed + 1);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  *id = indexed + 1;
  return TRUE;
}

static gboolean
job_failed (FdIngestWriter *w)
{
  g_array_set_size (w->staged_points, 0);
  drop_caches (w);
  return FALSE;
}

gboolean
fd_ingest_writer_store_readings (FdDb *db, gpointer data, GError **error)
{
  FdReadings *r = data;
  FdIngestWriter *w = r->writer;
  const char *device_id = r->who->device_id;
  g_autofree char *workspace_id = NULL, *fleet_id = NULL;
  StreamUpdate update = { 0 };
  StreamCache *stream;
  sqlite3_stmt *insert;
  gint64 indexed;

  if (!fd_ingest_compact_indexed (&w->compact, db, &indexed, error)
      || !fd_ingest_writer_device_place (db, device_id, &workspace_id, &fleet_id, error)
      || (stream = stream_get (w, db, workspace_id, fleet_id, device_id, r->tag, r->ts_in, error))
             == NULL)
    return job_failed (w);
  update.stream = stream->id;
  insert = fd_db_prepare (
      db, "INSERT INTO sample (stream, ts_device, ts_in, payload) VALUES (?1, ?2, ?3, ?4)", error);
  if (insert == NULL)
    return job_failed (w);

  for (guint i = 0; i < r->items->len; i++)
    {
      FdReadingItem *item = &g_array_index (r->items, FdReadingItem, i);

      sqlite3_reset (insert);
      sqlite3_bind_int64 (insert, 1, update.stream);
      sqlite3_bind_int64 (insert, 2, item->ts_device);
      sqlite3_bind_int64 (insert, 3, r->ts_in);
      sqlite3_bind_text (insert, 4, r->payloads->str + item->payload_offset, (int)item->payload_len,
                         SQLITE_STATIC);
      if (!fd_db_step_done (db, insert, NULL, error))
        return job_failed (w);
      update.last_sample = sqlite3_last_insert_rowid (fd_db_handle (db));
      /* SQLite gives max (id) + 1: once retention has deleted every sample up to the newest,
       * ids start again at or below the mark, and sample_ts would never get these. */
      if (update.last_sample <= indexed
          && !renumber_sample (db, &update.last_sample, indexed, error))
        return job_failed (w);

      for (guint f = item->first_field; f < item->first_field + item->n_fields; f++)
        {
          FdReadingField *field = &g_array_index (r->fields, FdReadingField, f);
          const char *path = r->paths->str + field->path_offset;
          PathCache *cache = path_get (stream, path);
          StagedPoint point;

          if (!note_field (db, cache, workspace_id, r->tag, path, field->type, r->ts_in, error))
            return job_failed (w);
          if (field->type != FD_FIELD_NUMBER)
            continue;
          if (!series_id (db, stream, cache, path, &point.series, error))
            return job_failed (w);
          point.ts = item->ts_device;
          point.value = field->number;
          g_array_append_val (w->staged_points, point);
        }
    }
  update.readings = r->items->len;
  update.last_seen = r->ts_in;
  if (w->observer != NULL && r->items->len > 0)
    {
      FdReadingItem *last = &g_array_index (r->items, FdReadingItem, r->items->len - 1);
      update.newest_offset = w->newest->len;
      g_string_append_len (w->newest, r->payloads->str + last->payload_offset,
                           (gssize)last->payload_len);
      g_string_append_c (w->newest, '\0');
    }
  merge_staging (w, &update, workspace_id, device_id, fleet_id, r->tag);
  fd_ingest_writer_note_seen (w, device_id, r->ts_in);
  return TRUE;
}

static gboolean
write_pending (FdDb *db, gpointer data, GError **error)
{
  FdIngestWriter *w = data;
  GHashTableIter iter;
  gpointer key, value;
  sqlite3_stmt *stmt;
  gint64 now = fd_now_ms ();

  gint64 n = 0;

  if (w->recent->len > 0)
    {
      n = (w->recent->len - 1) / FD_POINTS_TRIPLE_BYTES;
      stmt = fd_db_prepare (db, "INSERT INTO point_recent (t_in, n, data) VALUES (?1, ?2, ?3)",
                            error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, now);
      sqlite3_bind_int64 (stmt, 2, n);
      sqlite3_bind_blob (stmt, 3, w->recent->data, (int)w->recent->len, SQLITE_STATIC);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
    }
  if (!fd_ingest_compact_commit (&w->compact, db, now, n > 0, n, w->samples, error))
    return FALSE;

  if (g_hash_table_size (w->stream_updates) > 0)
    {
      stmt = fd_db_prepare (db,
                            "UPDATE stream SET readings = readings + ?2,"
                            " last_seen = max (last_seen, ?3),"
                            " last_sample = max (coalesce (last_sample, 0), ?4) WHERE id = ?1",
                            error);
      if (stmt == NULL)
        return FALSE;
      g_hash_table_iter_init (&iter, w->stream_updates);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          StreamUpdate *u = value;
          sqlite3_bind_int64 (stmt, 1, u->stream);
          sqlite3_bind_int64 (stmt, 2, u->readings);
          sqlite3_bind_int64 (stmt, 3, u->last_seen);
          sqlite3_bind_int64 (stmt, 4, u->last_sample);
          if (!fd_db_step_done (db, stmt, NULL, error))
            return FALSE;
        }
    }

  if (g_hash_table_size (w->device_seen) > 0)
    {
      stmt = fd_db_prepare (db,
                            "UPDATE device SET last_seen = ?2 WHERE id = ?1"
                            " AND (last_seen IS NULL OR last_seen < ?2)",
                            error);
      if (stmt == NULL)
        return FALSE;
      g_hash_table_iter_init (&iter, w->device_seen);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          gint64 when = *(gint64 *)value;
          gint64 *written = g_hash_table_lookup (w->seen_written, key);

          if (written != NULL && when - *written < LAST_SEEN_RESOLUTION_MS)
            continue;
          fd_db_bind_text (stmt, 1, key);
          sqlite3_bind_int64 (stmt, 2, when);
          if (!fd_db_step_done (db, stmt, NULL, error))
            return FALSE;
          /* Noted before the commit: a transaction that does not commit drops the caches,
           * this one included. */
          g_hash_table_insert (w->seen_written, g_strdup (key), g_memdup2 (&when, sizeof when));
        }
    }
  return TRUE;
}

/* Tells the observer what the commit stored, one item per stream, from the pending state, in
 * the order the streams were first written in this transaction (not the table's order): the
 * events bus then publishes one device's tags in the order they were posted. */
static void
tell_observer (FdIngestWriter *w)
{
  GHashTableIter iter;
  gpointer value;

  g_array_set_size (w->committed, g_hash_table_size (w->stream_updates));
  g_hash_table_iter_init (&iter, w->stream_updates);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      StreamUpdate *u = value;
      FdIngestCommitted item = {
        .workspace_id = u->workspace_id,
        .device_id = u->device_id,
        .fleet_id = u->fleet_id,
        .tag = u->tag,
        .count = (guint)u->readings,
        .payload_json = w->newest->str + u->newest_offset,
        .timestamp_in = u->last_seen,
      };
      g_array_index (w->committed, FdIngestCommitted, u->order) = item;
    }
  if (w->committed->len > 0)
    w->observer ((const FdIngestCommitted *)(gpointer)w->committed->data, w->committed->len,
                 w->observer_data);
}

static void
transaction_ended (gboolean committed, gpointer data)
{
  FdIngestWriter *w = data;

  if (committed && w->observer != NULL)
    tell_observer (w);
  drop_pending (w);
  fd_ingest_compact_ended (&w->compact, committed);
  if (!committed)
    drop_caches (w);
}

void
fd_ingest_writer_set_compaction (FdIngestWriter *w, guint rows, guint points, guint age_ms)
{
  fd_ingest_compact_set_thresholds (&w->compact, rows, points, age_ms);
}

FdIngestCompact *
fd_ingest_writer_compact (FdIngestWriter *w)
{
  return &w->compact;
}

void
fd_ingest_writer_set_observer (FdIngestWriter *w, FdIngestObserver observer, gpointer user_data)
{
  w->observer = observer;
  w->observer_data = user_data;
}

const FdStoreHooks fd_ingest_writer_hooks = {
  .before_commit = write_pending,
  .after_end = transaction_ended,
};
