/* fd-ingest-compact.c — the writer's compaction: what moves out of the append-only tables into
 * the per-series structures of migration 6, in the transaction of a commit.
 *
 * Readings are appended to sample and their points to point_recent (one row per commit).
 * Every few seconds (or so many points / samples, or when asked: fd_ingest_flush), in the
 * transaction of that commit:
 *  - point_recent's points move into one point_block row per series and UTC hour (so a block
 *    spans under an hour however late its data; data_state 'block_max_span' keeps the largest
 *    span ever written, which bounds a reader's scan by t_first), and the same points are
 *    aggregated in memory per (series, hour) and upserted into rollup_1h once per bucket: the
 *    rollup covers exactly point_block (there are no minute rollups: for a device reporting
 *    every few minutes they held a row per point; docs/architecture.md);
 *  - the samples above data_state 'sample_indexed' (the tail) are inserted into sample_ts sorted
 *    by (stream, ts_device, id), and the mark advances.
 * Both write a page per series / stream per compaction rather than per reading
 * (notes/storage-speed.md). What the tables hold is counted here (read from them when not
 * known: at start and after a transaction that did not commit), so the thresholds cost no
 * query per commit.
 */
#include "fd-ingest-private.h"

#include "fd-data-layout.h"

#include <stdlib.h>

/* A data_state key present (made by migration 6) while the rollups of the point_block rows
 * that existed before the upgrade are still to be computed (fd_ingest_compact_backfill). */
#define ROLLUP_BACKFILL "rollup_backfill"
/* The backfill upserts what it aggregated every so many buckets, to bound its memory. */
#define BACKFILL_MAX_BUCKETS 200000

void
fd_ingest_compact_init (FdIngestCompact *c)
{
  memset (c, 0, sizeof *c);
  fd_ingest_compact_set_thresholds (c, 0, 0, 0);
}

void
fd_ingest_compact_set_thresholds (FdIngestCompact *c, guint rows, guint points, guint age_ms)
{
  c->rows = rows ? rows : FD_INGEST_COMPACT_ROWS;
  c->points = points ? points : FD_INGEST_COMPACT_POINTS;
  c->age_ms = age_ms ? age_ms : FD_INGEST_COMPACT_AGE_MS;
}

void
fd_ingest_compact_ended (FdIngestCompact *c, gboolean committed)
{
  c->forced = FALSE;
  if (!committed)
    c->recent_known = c->indexed_known = c->tail_known = FALSE;
}

gboolean
fd_ingest_compact_indexed (FdIngestCompact *c, FdDb *db, gint64 *indexed, GError **error)
{
  sqlite3_stmt *stmt;

  if (!c->indexed_known)
    {
      stmt = fd_db_prepare (
          db, "SELECT value FROM data_state WHERE key = '" FD_DATA_SAMPLE_INDEXED "'", error);
      if (stmt == NULL || !fd_db_fetch_count (db, stmt, &c->indexed, error))
        return FALSE;
      c->indexed_known = TRUE;
    }
  *indexed = c->indexed;
  return TRUE;
}

/* Reads what point_recent and the sample tail hold, this transaction's rows included. */
static gboolean
read_state (FdIngestCompact *c, FdDb *db, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 indexed;
  int rc;

  if (!c->recent_known)
    {
      stmt = fd_db_prepare (db,
                            "SELECT count(*), coalesce (sum (n), 0), coalesce (min (t_in), 0)"
                            " FROM point_recent",
                            error);
      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          c->recent_rows = sqlite3_column_int64 (stmt, 0);
          c->recent_points = sqlite3_column_int64 (stmt, 1);
          c->recent_oldest = sqlite3_column_int64 (stmt, 2);
          c->recent_known = TRUE;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        {
          fd_db_set_error (db, error, "reading the recent points");
          return FALSE;
        }
    }
  if (!c->tail_known)
    {
      if (!fd_ingest_compact_indexed (c, db, &indexed, error))
        return FALSE;
      /* A rowid range: bounded by the thresholds. */
      stmt = fd_db_prepare (
          db, "SELECT count(*), coalesce (min (ts_in), 0) FROM sample WHERE id > ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, indexed);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          c->tail_samples = sqlite3_column_int64 (stmt, 0);
          c->tail_oldest = sqlite3_column_int64 (stmt, 1);
          c->tail_known = TRUE;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        {
          fd_db_set_error (db, error, "reading the unindexed samples");
          return FALSE;
        }
    }
  return TRUE;
}

/* One bucket of a rollup table being aggregated. Points are added in stored order, so a tie
 * on ts keeps the first one for first and takes the later one for last. */
typedef struct
{
  gint64 series;
  gint64 bucket;
  gint64 n;
  double sum, min, max;
  gint64 first_ts, last_ts;
  double first, last;
} Rollup;

static guint
rollup_hash (gconstpointer key)
{
  const Rollup *r = key;
  guint64 h = (guint64)r->series * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) ^ (guint64)r->bucket;

  return (guint)(h ^ (h >> 29));
}

static gboolean
rollup_equal (gconstpointer a, gconstpointer b)
{
  const Rollup *x = a, *y = b;

  return x->series == y->series && x->bucket == y->bucket;
}

static GHashTable *
rollups_new (void)
{
  return g_hash_table_new_full (rollup_hash, rollup_equal, g_free, NULL);
}

/* Adds a point of @series to its bucket in @rollups. *@cur is the bucket the previous point
 * of the same series went to (NULL: none): a series' points mostly share a bucket with the
 * one before, which spares the lookup. */
static void
rollup_add (GHashTable *rollups, Rollup **cur, gint64 width, gint64 series, gint64 ts, double value)
{
  Rollup key = { .series = series, .bucket = fd_bucket_start (ts, width) };
  Rollup *r = *cur;

  if (r == NULL || r->bucket != key.bucket || r->series != series)
    r = *cur = g_hash_table_lookup (rollups, &key);
  if (r == NULL)
    {
      r = *cur = g_new (Rollup, 1);
      *r = key;
      r->n = 1;
      r->sum = r->min = r->max = r->first = r->last = value;
      r->first_ts = r->last_ts = ts;
      g_hash_table_add (rollups, r);
      return;
    }
  r->n++;
  r->sum += value;
  r->min = MIN (r->min, value);
  r->max = MAX (r->max, value);
  if (ts < r->first_ts)
    {
      r->first_ts = ts;
      r->first = value;
    }
  if (ts >= r->last_ts)
    {
      r->last_ts = ts;
      r->last = value;
    }
}

static int
rollup_cmp (gconstpointer a, gconstpointer b)
{
  const Rollup *x = *(const Rollup *const *)a, *y = *(const Rollup *const *)b;

  if (x->series != y->series)
    return x->series < y->series ? -1 : 1;
  return x->bucket < y->bucket ? -1 : x->bucket > y->bucket;
}

/* The upsert of one table. What is in the table was stored before what is merged into it: on a
 * tie of first_ts the table's first stays, on a tie of last_ts the new last wins. (Every
 * expression of the SET reads the row as it was.) */
#define UPSERT(table)                                                                              \
  "INSERT INTO " table " (series, bucket, n, sum, min, max, first_ts, first, last_ts, last)"       \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (series, bucket) DO UPDATE SET"   \
  " n = n + excluded.n, sum = sum + excluded.sum,"                                                 \
  " min = min (min, excluded.min), max = max (max, excluded.max),"                                 \
  " first = CASE WHEN excluded.first_ts < first_ts THEN excluded.first ELSE first END,"            \
  " first_ts = min (first_ts, excluded.first_ts),"                                                 \
  " last = CASE WHEN excluded.last_ts >= last_ts THEN excluded.last ELSE last END,"                \
  " last_ts = max (last_ts, excluded.last_ts)"

/* Upserts every bucket of @rollups (in key order: neighbouring buckets share pages) and
 * empties it. */
static gboolean
rollups_write (FdDb *db, GHashTable *rollups, GError **error)
{
  g_autoptr (GPtrArray) sorted = g_ptr_array_sized_new (g_hash_table_size (rollups));
  GHashTableIter iter;
  gpointer bucket;
  sqlite3_stmt *stmt = fd_db_prepare (db, UPSERT ("rollup_1h"), error);

  if (stmt == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, rollups);
  while (g_hash_table_iter_next (&iter, &bucket, NULL))
    g_ptr_array_add (sorted, bucket);
  g_ptr_array_sort (sorted, rollup_cmp);
  for (guint i = 0; i < sorted->len; i++)
    {
      const Rollup *r = sorted->pdata[i];

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, r->series);
      sqlite3_bind_int64 (stmt, 2, r->bucket);
      sqlite3_bind_int64 (stmt, 3, r->n);
      sqlite3_bind_double (stmt, 4, r->sum);
      sqlite3_bind_double (stmt, 5, r->min);
      sqlite3_bind_double (stmt, 6, r->max);
      sqlite3_bind_int64 (stmt, 7, r->first_ts);
      sqlite3_bind_double (stmt, 8, r->first);
      sqlite3_bind_int64 (stmt, 9, r->last_ts);
      sqlite3_bind_double (stmt, 10, r->last);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
    }
  g_hash_table_remove_all (rollups);
  return TRUE;
}

/* Inserts one point_block row (@stmt: the INSERT) of @len bytes of block data. */
static gboolean
insert_block (FdDb *db, sqlite3_stmt *stmt, gint64 series, gint64 t_first, gint64 t_last,
              const guint8 *data, gsize len, GError **error)
{
  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, series);
  sqlite3_bind_int64 (stmt, 2, t_first);
  sqlite3_bind_int64 (stmt, 3, t_last);
  sqlite3_bind_int64 (stmt, 4, (gint64)((len - 1) / FD_POINTS_PAIR_BYTES));
  sqlite3_bind_blob (stmt, 5, data, (int)len, SQLITE_STATIC);
  return fd_db_step_done (db, stmt, NULL, error);
}

/* A pair of a series' block data, by the UTC hour it falls in, then by where it was stored. */
typedef struct
{
  gint64 hour;
  gsize index;
} HourPair;

static int
hour_pair_cmp (gconstpointer a, gconstpointer b)
{
  const HourPair *x = a, *y = b;

  if (x->hour != y->hour)
    return x->hour < y->hour ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Inserts the @n pairs of one series (@pairs, stored order) that span several UTC hours as one
 * block per hour, in hour order, each keeping the stored order of its pairs. Points with the
 * same time are in the same hour, so a tie is always decided inside one block, by blob order;
 * blocks of later compactions get higher rowids. So "rows in rowid order, then pairs in blob
 * order" stays the stored order for every tie, and the rollups (computed in stored order
 * before the split) agree with it. */
static gboolean
insert_hours (FdDb *db, sqlite3_stmt *stmt, gint64 series, const GByteArray *pairs, gsize n,
              gint64 *max_span, GError **error)
{
  g_autofree HourPair *order = g_new (HourPair, n);
  g_autoptr (GByteArray) block = g_byte_array_sized_new (1 + n * FD_POINTS_PAIR_BYTES);
  const guint8 version = FD_POINTS_FORMAT_VERSION;
  gint64 t_first = 0, t_last = 0;

  for (gsize i = 0; i < n; i++)
    {
      gint64 ts;
      double v;
      fd_points_block_get (pairs->data, i, &ts, &v);
      order[i].hour = fd_bucket_start (ts, FD_ROLLUP_1H_MS);
      order[i].index = i;
    }
  /* (hour, index) is a total order: the result does not depend on the sort being stable. */
  qsort (order, n, sizeof *order, hour_pair_cmp);
  for (gsize i = 0; i < n; i++)
    {
      const guint8 *pair = pairs->data + 1 + order[i].index * FD_POINTS_PAIR_BYTES;
      gint64 ts = fd_points_read_i64 (pair);

      if (block->len == 0)
        {
          g_byte_array_append (block, &version, 1);
          t_first = t_last = ts;
        }
      g_byte_array_append (block, pair, FD_POINTS_PAIR_BYTES);
      t_first = MIN (t_first, ts);
      t_last = MAX (t_last, ts);
      if (i + 1 == n || order[i + 1].hour != order[i].hour)
        {
          if (!insert_block (db, stmt, series, t_first, t_last, block->data, block->len, error))
            return FALSE;
          *max_span = MAX (*max_span, t_last - t_first);
          g_byte_array_set_size (block, 0);
        }
    }
  return TRUE;
}

/* Raises data_state FD_DATA_BLOCK_MAX_SPAN to @span when it is lower (no write otherwise).
 * A store without the key (migration 6 run before it was added) keeps none: its readers then
 * bound nothing, since the span of its older blocks is not known. */
static gboolean
raise_max_span (FdDb *db, gint64 span, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "UPDATE data_state SET value = ?1"
                                      " WHERE key = '" FD_DATA_BLOCK_MAX_SPAN "' AND value < ?1",
                                      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, span);
  return fd_db_step_done (db, stmt, NULL, error);
}

/* Moves every point of point_recent into one block per series and UTC hour, and their
 * rollups. */
static gboolean
compact_points (FdDb *db, GError **error)
{
  g_autoptr (GHashTable) by_series = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                            (GDestroyNotify)g_byte_array_unref);
  g_autoptr (GHashTable) hours = rollups_new ();
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT id, data FROM point_recent ORDER BY id", error);
  GHashTableIter iter;
  gpointer key, value;
  gint64 last_id = 0, max_span = 0;
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const guint8 *data = sqlite3_column_blob (stmt, 1);
      gssize n = fd_points_recent_count (data, (gsize)sqlite3_column_bytes (stmt, 1));

      last_id = sqlite3_column_int64 (stmt, 0);
      if (n < 0)
        {
          sqlite3_reset (stmt);
          g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED,
                       "recent points row %" G_GINT64_FORMAT " is damaged", last_id);
          return FALSE;
        }
      for (gssize i = 0; i < n; i++)
        {
          gint64 series, ts;
          double v;
          GByteArray *pairs;

          fd_points_recent_get (data, (gsize)i, &series, &ts, &v);
          pairs = g_hash_table_lookup (by_series, &series);
          if (pairs == NULL)
            {
              guint8 version = FD_POINTS_FORMAT_VERSION;
              pairs = g_byte_array_new ();
              g_byte_array_append (pairs, &version, 1);
              g_hash_table_insert (by_series, g_memdup2 (&series, sizeof series), pairs);
            }
          g_byte_array_append (pairs, data + 1 + (gsize)i * FD_POINTS_TRIPLE_BYTES + 8,
                               FD_POINTS_PAIR_BYTES);
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading the recent points");
      return FALSE;
    }
  if (last_id == 0)
    return TRUE;

  stmt = fd_db_prepare (db,
                        "INSERT INTO point_block (series, t_first, t_last, n, data)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)",
                        error);
  if (stmt == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, by_series);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GByteArray *pairs = value;
      gsize n = (gsize)fd_points_block_count (pairs->data, pairs->len);
      gint64 t_first = G_MAXINT64, t_last = G_MININT64, series = *(gint64 *)key;
      Rollup *hour = NULL;

      /* The rollups see the series' points in stored order: what their ties need. */
      for (gsize i = 0; i < n; i++)
        {
          gint64 ts;
          double v;
          fd_points_block_get (pairs->data, i, &ts, &v);
          t_first = MIN (t_first, ts);
          t_last = MAX (t_last, ts);
          rollup_add (hours, &hour, FD_ROLLUP_1H_MS, series, ts, v);
        }
      if (fd_bucket_start (t_first, FD_ROLLUP_1H_MS) == fd_bucket_start (t_last, FD_ROLLUP_1H_MS))
        {
          if (!insert_block (db, stmt, series, t_first, t_last, pairs->data, pairs->len, error))
            return FALSE;
          max_span = MAX (max_span, t_last - t_first);
        }
      else if (!insert_hours (db, stmt, series, pairs, n, &max_span, error))
        return FALSE;
    }
  if (!rollups_write (db, hours, error) || !raise_max_span (db, max_span, error))
    return FALSE;
  stmt = fd_db_prepare (db, "DELETE FROM point_recent WHERE id <= ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last_id);
  return fd_db_step_done (db, stmt, NULL, error);
}

/* Inserts the tail into sample_ts in key order (each stream's new entries land together, at
 * the end of its range when its device's clock goes forward) and advances the mark. SQLite
 * sorts the rowid range itself: measured here, a third cheaper than stepping every row out to
 * sort it in C and binding it back (1.5 against 2.0 us a sample, 1,000 streams). */
static gboolean
index_samples (FdIngestCompact *c, FdDb *db, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 indexed, newest = 0;

  if (!fd_ingest_compact_indexed (c, db, &indexed, error))
    return FALSE;
  stmt = fd_db_prepare (db, "SELECT coalesce (max (id), 0) FROM sample", error);
  if (stmt == NULL || !fd_db_fetch_count (db, stmt, &newest, error))
    return FALSE;
  if (newest <= indexed)
    return TRUE;
  stmt = fd_db_prepare (db,
                        "INSERT INTO sample_ts (stream, ts_device, id)"
                        " SELECT stream, ts_device, id FROM sample WHERE id > ?1"
                        " ORDER BY stream, ts_device, id",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, indexed);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  stmt = fd_db_prepare (
      db, "UPDATE data_state SET value = ?1 WHERE key = '" FD_DATA_SAMPLE_INDEXED "'", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, newest);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  c->indexed = newest; /* forgotten if the transaction does not commit */
  return TRUE;
}

gboolean
fd_ingest_compact_commit (FdIngestCompact *c, FdDb *db, gint64 now, gboolean points_row,
                          gint64 n_points, gint64 n_samples, GError **error)
{
  if (!points_row && n_samples == 0 && !c->forced)
    return TRUE;
  if (c->recent_known && points_row)
    {
      if (c->recent_rows++ == 0)
        c->recent_oldest = now;
      c->recent_points += n_points;
    }
  if (c->tail_known && n_samples > 0)
    {
      if (c->tail_samples == 0)
        c->tail_oldest = now;
      c->tail_samples += n_samples;
    }
  /* Read from the tables, this commit's rows included. */
  if (!read_state (c, db, error))
    return FALSE;

  /* Each part has its own thresholds: samples have no per-commit row to bound, and indexing
   * them in bigger batches writes fewer pages per sample (every stream's entries land on its
   * leaf together): 0.26 against 0.84 us a sample at commit, 200,000 against 50,000 a batch. */
  if (c->forced || c->recent_rows >= c->rows || c->recent_points >= c->points
      || (c->recent_rows > 0 && now - c->recent_oldest >= c->age_ms))
    {
      if (!compact_points (db, error))
        return FALSE;
      c->recent_rows = c->recent_points = c->recent_oldest = 0;
    }
  if (c->forced || c->tail_samples >= c->points
      || (c->tail_samples > 0 && now - c->tail_oldest >= c->age_ms))
    {
      if (!index_samples (c, db, error))
        return FALSE;
      c->tail_samples = c->tail_oldest = 0;
    }
  return TRUE;
}

gboolean
fd_ingest_compact_backfill (FdDb *db, gpointer data, GError **error)
{
  g_autoptr (GHashTable) hours = rollups_new ();
  sqlite3_stmt *stmt;
  gint64 pending = 0;
  int rc;

  (void)data;
  stmt = fd_db_prepare (db, "SELECT count(*) FROM data_state WHERE key = '" ROLLUP_BACKFILL "'",
                        error);
  if (stmt == NULL || !fd_db_fetch_count (db, stmt, &pending, error))
    return FALSE;
  if (pending == 0)
    return TRUE;

  /* In rowid order, the order the blocks were stored: what is upserted earlier counts as
   * stored earlier for the ties of first / last. */
  stmt = fd_db_prepare (db, "SELECT rowid, series, data FROM point_block ORDER BY rowid", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 series = sqlite3_column_int64 (stmt, 1);
      const guint8 *blob = sqlite3_column_blob (stmt, 2);
      gssize n = fd_points_block_count (blob, (gsize)sqlite3_column_bytes (stmt, 2));

      if (n < 0)
        {
          g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED,
                       "point block %" G_GINT64_FORMAT " is damaged",
                       (gint64)sqlite3_column_int64 (stmt, 0));
          sqlite3_reset (stmt);
          return FALSE;
        }
      Rollup *hour = NULL;

      for (gssize i = 0; i < n; i++)
        {
          gint64 ts;
          double v;
          fd_points_block_get (blob, (gsize)i, &ts, &v);
          rollup_add (hours, &hour, FD_ROLLUP_1H_MS, series, ts, v);
        }
      if (g_hash_table_size (hours) >= BACKFILL_MAX_BUCKETS && !rollups_write (db, hours, error))
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading the point blocks");
      return FALSE;
    }
  if (!rollups_write (db, hours, error))
    return FALSE;
  stmt = fd_db_prepare (db, "DELETE FROM data_state WHERE key = '" ROLLUP_BACKFILL "'", error);
  return stmt != NULL && fd_db_step_done (db, stmt, NULL, error);
}

/* The flush job: the compaction runs in this transaction's before_commit. */
gboolean
fd_ingest_compact_force (FdDb *db, gpointer data, GError **error)
{
  FdIngestCompact *c = data;

  (void)db;
  (void)error;
  c->forced = TRUE;
  return TRUE;
}
