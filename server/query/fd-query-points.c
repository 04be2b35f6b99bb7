/* fd-query-points.c — points and rollups into buckets, and the stored forms of points.
 *
 * The blobs are decoded with ingest/fd-data-layout.h. A point's "ord" says in which order points
 * were stored, to break ties of first/last as the rollups do: blocks before recent rows, then
 * by row and position.
 */
#include "fd-query-points.h"
#include "ingest/fd-data-layout.h"

#include <string.h>

#define ORD_POS_BITS 24
#define ORD_RECENT (G_GINT64_CONSTANT (1) << 62)

static gboolean
bad_blob (const char *table, int len, GError **error)
{
  g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED,
               "a %s row (%d bytes) is not in the format this Fleetdesk reads", table, len);
  return FALSE;
}

static const char rollup_1h_sql[]
    = "SELECT bucket, n, sum, min, max, first_ts, first, last_ts, last FROM rollup_1h"
      " WHERE series = ?1 AND bucket >= ?2 AND bucket < ?3";
/* Without first / last: the columns read are a good part of the cost of a month of rollups. */
static const char rollup_1h_stats_sql[] = "SELECT bucket, n, sum, min, max FROM rollup_1h"
                                          " WHERE series = ?1 AND bucket >= ?2 AND bucket < ?3";

gboolean
fd_query_add_rollups (FdDb *db, gboolean first_last, gint64 series, gint64 from, gint64 to,
                      FdQueryBuckets *b, GError **error)
{
  const char *sql = first_last ? rollup_1h_sql : rollup_1h_stats_sql;
  sqlite3_stmt *stmt;
  int rc;

  if (from >= to)
    return TRUE;
  stmt = fd_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, series);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      FdQueryAcc *a = fd_query_bucket_of (b, sqlite3_column_int64 (stmt, 0));
      gint64 bucket = sqlite3_column_int64 (stmt, 0);

      if (a == NULL)
        continue;
      if (first_last)
        fd_query_acc_add (a, sqlite3_column_int64 (stmt, 1), sqlite3_column_double (stmt, 2),
                          sqlite3_column_double (stmt, 3), sqlite3_column_double (stmt, 4),
                          sqlite3_column_int64 (stmt, 5), sqlite3_column_double (stmt, 6), 0,
                          sqlite3_column_int64 (stmt, 7), sqlite3_column_double (stmt, 8), 0);
      else
        fd_query_acc_add (a, sqlite3_column_int64 (stmt, 1), sqlite3_column_double (stmt, 2),
                          sqlite3_column_double (stmt, 3), sqlite3_column_double (stmt, 4), bucket,
                          0, 0, bucket, 0, 0);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading rollups");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_query_hour_rollup (FdDb *db, gint64 series, gint64 bucket, FdQueryAcc *acc, gboolean *found,
                      GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "SELECT n, sum, min, max, first_ts, first, last_ts, last"
                                      " FROM rollup_1h WHERE series = ?1 AND bucket = ?2",
                                      error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, series);
  sqlite3_bind_int64 (stmt, 2, bucket);
  rc = sqlite3_step (stmt);
  *found = rc == SQLITE_ROW;
  if (*found)
    {
      memset (acc, 0, sizeof *acc);
      fd_query_acc_add (acc, sqlite3_column_int64 (stmt, 0), sqlite3_column_double (stmt, 1),
                        sqlite3_column_double (stmt, 2), sqlite3_column_double (stmt, 3),
                        sqlite3_column_int64 (stmt, 4), sqlite3_column_double (stmt, 5), 0,
                        sqlite3_column_int64 (stmt, 6), sqlite3_column_double (stmt, 7), 0);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading rollups");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_query_block_span (FdDb *db, gint64 *span, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT value FROM data_state WHERE key = '" FD_DATA_BLOCK_MAX_SPAN "'", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  /* Without the key (a store that ran migration 6 before it had it) no span is known. */
  *span = rc == SQLITE_ROW ? MAX (sqlite3_column_int64 (stmt, 0), 0) : -1;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading the point blocks' span");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_query_add_blocks (FdDb *db, gint64 series, gint64 from, gint64 to, gint64 span,
                     FdQueryBuckets *b, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (from >= to)
    return TRUE;
  /* A block holding a time >= from has t_last >= from, so t_first >= from - span: the index
   * range (series, t_first) is [from - span, to), not every block of the series before to. */
  stmt = fd_db_prepare (db,
                        "SELECT rowid, data FROM point_block WHERE series = ?1 AND t_first < ?3"
                        " AND t_first >= ?4 AND t_last >= ?2",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, series);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  sqlite3_bind_int64 (stmt, 4, span < 0 || from < G_MININT64 + span ? G_MININT64 : from - span);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 ord = sqlite3_column_int64 (stmt, 0) << ORD_POS_BITS;
      const guint8 *data = sqlite3_column_blob (stmt, 1);
      int len = sqlite3_column_bytes (stmt, 1);
      gssize n = fd_points_block_count (data, (gsize)len);

      if (n < 0)
        {
          sqlite3_reset (stmt);
          return bad_blob ("point_block", len, error);
        }
      for (gssize i = 0; i < n; i++)
        {
          gint64 ts;
          double v;

          fd_points_block_get (data, i, &ts, &v);
          if (ts >= from && ts < to)
            fd_query_add_point (b, ts, v, ord + i);
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading point blocks");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_query_read_recent (FdDb *db, GHashTable *series_index, gint64 start, gint64 end, GArray **recent,
                      GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT id, data FROM point_recent ORDER BY id", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 ord = ORD_RECENT + (sqlite3_column_int64 (stmt, 0) << ORD_POS_BITS);
      const guint8 *data = sqlite3_column_blob (stmt, 1);
      int len = sqlite3_column_bytes (stmt, 1);
      gssize n = fd_points_recent_count (data, (gsize)len);

      if (n < 0)
        {
          sqlite3_reset (stmt);
          return bad_blob ("point_recent", len, error);
        }
      for (gssize i = 0; i < n; i++)
        {
          gint64 series;
          guint index;
          FdQueryPoint p;

          fd_points_recent_get (data, i, &series, &p.ts, &p.value);
          if (p.ts < start || p.ts >= end)
            continue;
          index = GPOINTER_TO_UINT (g_hash_table_lookup (series_index, &series));
          if (index == 0)
            continue;
          p.ord = ord + i;
          g_array_append_val (recent[index - 1], p);
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading recent points");
      return FALSE;
    }
  return TRUE;
}
