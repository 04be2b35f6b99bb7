/* fd-store-retention.c — the store side of retention: what a pass has to do, and its steps.
 *
 * Raw data is found by device time through sample_ts (stream, ts_device, id), so the samples
 * of the tail not yet indexed (id above data_state 'sample_indexed') are never touched: they
 * are the latest arrivals, and the next pass finds them indexed. Points are deleted from
 * point_block only; point_recent is compacted into blocks within seconds. Rollups outlive the
 * points they sum (aggregates read them where raw points are gone) and go with their own,
 * longer, retention.
 */
#include "fd-store-retention.h"

#include "ingest/fd-data-layout.h"
#include "store/fd-store-integrations.h"

#define DAY_MS G_GINT64_CONSTANT (86400000)
/* Items a step looks at at most, so that a pass over many streams with nothing to delete
 * still yields to ingest between steps. */
#define STEP_ITEMS 512

static void
add_item (GArray *items, FdRetentionKind kind, gint64 id, gint64 cutoff)
{
  FdRetentionItem item = { .kind = kind, .id = id, .cutoff = cutoff };
  g_array_append_val (items, item);
}

gboolean
fd_store_retention_plan (FdDb *db, gint64 now, GArray *items, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = fd_db_prepare (db,
                        "SELECT s.id, w.retention_days FROM workspace w"
                        " JOIN stream s ON s.workspace_id = w.id"
                        " WHERE w.retention_days IS NOT NULL ORDER BY s.id",
                        error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    add_item (items, FD_RETENTION_SAMPLES, sqlite3_column_int64 (stmt, 0),
              now - sqlite3_column_int64 (stmt, 1) * DAY_MS);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "listing the streams to apply retention to");
      return FALSE;
    }

  stmt = fd_db_prepare (db,
                        "SELECT se.id, w.retention_days, w.rollup_retention_days FROM workspace w"
                        " JOIN stream s ON s.workspace_id = w.id"
                        " JOIN series se ON se.stream = s.id"
                        " WHERE w.retention_days IS NOT NULL"
                        "  OR w.rollup_retention_days IS NOT NULL ORDER BY se.id",
                        error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 series = sqlite3_column_int64 (stmt, 0);

      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        add_item (items, FD_RETENTION_POINTS, series,
                  now - sqlite3_column_int64 (stmt, 1) * DAY_MS);
      if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
        add_item (items, FD_RETENTION_ROLLUP_1H, series,
                  now - sqlite3_column_int64 (stmt, 2) * DAY_MS);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "listing the series to apply retention to");
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  gint64 ts;
  gint64 id;
} SampleKey;

/* Keeps the stream's count of readings, and the latest reading the tags API shows, true to
 * what is left. A deleted last_sample was indexed, so the stream has no tail sample (its id
 * would be higher and be last_sample): the newest left is the highest id in sample_ts. An
 * ingest job of the same transaction raises last_sample again at commit (max of both). */
static gboolean
update_stream (FdDb *db, gint64 stream, gint64 deleted, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = fd_db_prepare (db, "UPDATE stream SET readings = max (readings - ?2, 0) WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, stream);
  sqlite3_bind_int64 (stmt, 2, deleted);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  stmt = fd_db_prepare (db,
                        "UPDATE stream SET last_sample ="
                        " (SELECT max (id) FROM sample_ts WHERE stream = ?1)"
                        " WHERE id = ?1 AND last_sample IS NOT NULL"
                        " AND NOT EXISTS (SELECT 1 FROM sample WHERE id = stream.last_sample)",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, stream);
  return fd_db_step_done (db, stmt, NULL, error);
}

static gboolean
delete_samples (FdDb *db, const FdRetentionItem *item, gint64 *budget, FdRetentionCounts *counts,
                gboolean *finished, GError **error)
{
  g_autoptr (GArray) keys = g_array_new (FALSE, FALSE, sizeof (SampleKey));
  sqlite3_stmt *stmt;
  gint64 deleted = 0, floor = G_MAXINT64, newest = 0;
  int rc;

  /* The samples an integration still has queued (above its data_cursor) stay: its limits
   * (max_age_s, max_queued) bound how long that holds retention back. And the newest sample
   * of all stays: sample ids are rowids, and deleting the highest would let the next reading
   * take its id again, below a data_cursor already past it (never delivered). */
  if (!fd_store_outbox_data_floor (db, item->id, &floor, error))
    return FALSE;
  stmt = fd_db_prepare (db, "SELECT coalesce (max (id), 0) FROM sample", error);
  if (stmt == NULL || !fd_db_fetch_count (db, stmt, &newest, error))
    return FALSE;
  floor = MIN (floor, newest - 1);
  stmt = fd_db_prepare (db,
                        "SELECT ts_device, id FROM sample_ts WHERE stream = ?1 AND ts_device < ?2"
                        " AND id <= ?4 ORDER BY ts_device, id LIMIT ?3",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item->id);
  sqlite3_bind_int64 (stmt, 2, item->cutoff);
  sqlite3_bind_int64 (stmt, 3, *budget);
  sqlite3_bind_int64 (stmt, 4, floor);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      SampleKey key = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };
      g_array_append_val (keys, key);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading old samples");
      return FALSE;
    }
  *finished = (gint64)keys->len < *budget;
  *budget -= keys->len;
  if (keys->len == 0)
    return TRUE;

  for (guint i = 0; i < keys->len; i++)
    {
      SampleKey *key = &g_array_index (keys, SampleKey, i);

      stmt = fd_db_prepare (db, "DELETE FROM sample WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, key->id);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
      deleted += sqlite3_changes (fd_db_handle (db));
      stmt = fd_db_prepare (
          db, "DELETE FROM sample_ts WHERE stream = ?1 AND ts_device = ?2 AND id = ?3", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, item->id);
      sqlite3_bind_int64 (stmt, 2, key->ts);
      sqlite3_bind_int64 (stmt, 3, key->id);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
    }
  counts->samples_deleted += deleted;
  return update_stream (db, item->id, deleted, error);
}

/* Rewrites the block @rowid (@data, @len bytes) without its pairs older than @cutoff (pairs are
 * in arrival order, not time order: each is looked at). Adds what went to *@removed. */
static gboolean
trim_block (FdDb *db, gint64 rowid, const guint8 *data, gsize len, gint64 cutoff, gint64 *removed,
            GError **error)
{
  g_autoptr (GByteArray) kept = g_byte_array_sized_new (len);
  guint8 version = FD_POINTS_FORMAT_VERSION;
  gint64 t_first = G_MAXINT64, t_last = G_MININT64;
  guint n = 0;
  sqlite3_stmt *stmt;

  g_byte_array_append (kept, &version, 1);
  for (gsize off = 1; off + FD_POINTS_PAIR_BYTES <= len; off += FD_POINTS_PAIR_BYTES)
    {
      gint64 ts = fd_points_read_i64 (data + off);

      if (ts < cutoff)
        {
          (*removed)++;
          continue;
        }
      g_byte_array_append (kept, data + off, FD_POINTS_PAIR_BYTES);
      t_first = MIN (t_first, ts);
      t_last = MAX (t_last, ts);
      n++;
    }
  if (n == 0)
    {
      stmt = fd_db_prepare (db, "DELETE FROM point_block WHERE rowid = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, rowid);
      return fd_db_step_done (db, stmt, NULL, error);
    }
  stmt = fd_db_prepare (db,
                        "UPDATE point_block SET t_first = ?2, t_last = ?3, n = ?4, data = ?5"
                        " WHERE rowid = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, rowid);
  sqlite3_bind_int64 (stmt, 2, t_first);
  sqlite3_bind_int64 (stmt, 3, t_last);
  sqlite3_bind_int64 (stmt, 4, n);
  sqlite3_bind_blob (stmt, 5, kept->data, (int)kept->len, SQLITE_STATIC);
  return fd_db_step_done (db, stmt, NULL, error);
}

typedef struct
{
  gint64 rowid;
  gint64 n;
  GBytes *data; /* only for a block that straddles the cutoff */
} OldBlock;

static void
old_block_clear (gpointer p)
{
  g_clear_pointer (&((OldBlock *)p)->data, g_bytes_unref);
}

static gboolean
delete_points (FdDb *db, const FdRetentionItem *item, gint64 *budget, FdRetentionCounts *counts,
               gboolean *finished, GError **error)
{
  g_autoptr (GArray) blocks = g_array_new (FALSE, FALSE, sizeof (OldBlock));
  gint64 limit = MAX (*budget / FD_RETENTION_BLOCK_WEIGHT, 1);
  sqlite3_stmt *stmt;
  int rc;

  g_array_set_clear_func (blocks, old_block_clear);
  stmt = fd_db_prepare (db,
                        "SELECT rowid, t_last, n, data FROM point_block"
                        " WHERE series = ?1 AND t_first < ?2 LIMIT ?3",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item->id);
  sqlite3_bind_int64 (stmt, 2, item->cutoff);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OldBlock block = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 2), NULL };
      const guint8 *data = sqlite3_column_blob (stmt, 3);
      gsize len = (gsize)sqlite3_column_bytes (stmt, 3);

      if (fd_points_block_count (data, len) < 0)
        {
          sqlite3_reset (stmt);
          g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED,
                       "point block %" G_GINT64_FORMAT " of series %" G_GINT64_FORMAT " is damaged",
                       block.rowid, item->id);
          return FALSE;
        }
      if (sqlite3_column_int64 (stmt, 1) >= item->cutoff)
        block.data = g_bytes_new (data, len);
      g_array_append_val (blocks, block);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading old point blocks");
      return FALSE;
    }
  *finished = (gint64)blocks->len < limit;
  *budget -= (gint64)blocks->len * FD_RETENTION_BLOCK_WEIGHT;

  for (guint i = 0; i < blocks->len; i++)
    {
      OldBlock *block = &g_array_index (blocks, OldBlock, i);

      if (block->data != NULL)
        {
          gsize len;
          const guint8 *data = g_bytes_get_data (block->data, &len);

          if (!trim_block (db, block->rowid, data, len, item->cutoff, &counts->points_deleted,
                           error))
            return FALSE;
          continue;
        }
      stmt = fd_db_prepare (db, "DELETE FROM point_block WHERE rowid = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, block->rowid);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
      counts->points_deleted += block->n;
    }
  return TRUE;
}

/* A bucket goes when all of it is older than the cutoff. */
static gboolean
delete_rollups (FdDb *db, const FdRetentionItem *item, gint64 *budget, FdRetentionCounts *counts,
                gboolean *finished, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "DELETE FROM rollup_1h WHERE series = ?1 AND bucket IN"
                                      " (SELECT bucket FROM rollup_1h WHERE series = ?1"
                                      "  AND bucket <= ?2 ORDER BY bucket LIMIT ?3)",
                                      error);
  gint64 changes;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item->id);
  sqlite3_bind_int64 (stmt, 2, item->cutoff - FD_ROLLUP_1H_MS);
  sqlite3_bind_int64 (stmt, 3, *budget);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  changes = sqlite3_changes (fd_db_handle (db));
  counts->rollups_deleted += changes;
  *finished = changes < *budget;
  *budget -= changes;
  return TRUE;
}

gboolean
fd_store_retention_step (FdDb *db, const GArray *items, FdRetentionCursor *cursor, gboolean *done,
                         GError **error)
{
  gint64 budget = FD_RETENTION_STEP_ROWS;

  for (guint looked = 0; cursor->item < items->len && budget > 0 && looked < STEP_ITEMS; looked++)
    {
      const FdRetentionItem *item = &g_array_index (items, FdRetentionItem, cursor->item);
      gboolean finished = FALSE, ok = FALSE;

      switch (item->kind)
        {
        case FD_RETENTION_SAMPLES:
          ok = delete_samples (db, item, &budget, &cursor->counts, &finished, error);
          break;
        case FD_RETENTION_POINTS:
          ok = delete_points (db, item, &budget, &cursor->counts, &finished, error);
          break;
        case FD_RETENTION_ROLLUP_1H:
          ok = delete_rollups (db, item, &budget, &cursor->counts, &finished, error);
          break;
        }
      if (!ok)
        return FALSE;
      if (finished)
        cursor->item++;
    }
  *done = cursor->item >= items->len;
  return TRUE;
}

static gboolean
pragma_value (FdDb *db, sqlite3_stmt *stmt, gint64 *value, GError **error)
{
  return stmt != NULL && fd_db_fetch_count (db, stmt, value, error);
}

gboolean
fd_store_retention_vacuum (FdDb *db, gint64 *left, GError **error)
{
  G_STATIC_ASSERT (FD_RETENTION_VACUUM_PAGES == 256);
  return fd_db_exec (db, "PRAGMA incremental_vacuum (256)", error)
         && pragma_value (db, fd_db_prepare (db, "PRAGMA freelist_count", error), left, error);
}

gboolean
fd_store_database_size (FdDb *db, gint64 *size_bytes, gint64 *free_bytes, GError **error)
{
  gint64 pages, free_pages, page_size;

  if (!pragma_value (db, fd_db_prepare (db, "PRAGMA page_count", error), &pages, error)
      || !pragma_value (db, fd_db_prepare (db, "PRAGMA freelist_count", error), &free_pages, error)
      || !pragma_value (db, fd_db_prepare (db, "PRAGMA page_size", error), &page_size, error))
    return FALSE;
  *size_bytes = pages * page_size;
  *free_bytes = free_pages * page_size;
  return TRUE;
}
