/* fd-query-points.c — points and rollups into buckets, and the stored forms of points.
 *
 * point_recent rows hold a commit's points as (series i64, ts i64, value f64) little-endian
 * triples after a version byte; point_block rows one series' points as (ts i64, value f64)
 * pairs after a version byte. A point's "ord" says in which order points were stored, to break
 * ties of first/last: blocks before recent rows, then by row and position.
 */
#include "fd-query-points.h"

#include <string.h>

#define POINT_FORMAT_VERSION 1
#define TRIPLE_BYTES 24
#define PAIR_BYTES 16
#define ORD_POS_BITS 24
#define ORD_RECENT (G_GINT64_CONSTANT (1) << 62)

static inline gint64
le64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return (gint64)GUINT64_FROM_LE (v);
}

static inline double
le_double (const guint8 *p)
{
  union
  {
    guint64 u;
    double d;
  } v;

  memcpy (&v.u, p, 8);
  v.u = GUINT64_FROM_LE (v.u);
  return v.d;
}

static gboolean
check_blob (const guint8 *data, int len, int item, GError **error)
{
  if (len == 0)
    return TRUE;
  if (data == NULL || len < 1 || data[0] != POINT_FORMAT_VERSION || (len - 1) % item != 0)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED,
                   "a stored point row has an unknown format (version %d, %d bytes)",
                   data != NULL && len > 0 ? data[0] : -1, len);
      return FALSE;
    }
  return TRUE;
}

static const char rollup_1h_sql[]
    = "SELECT bucket, n, sum, min, max, first_ts, first, last_ts, last FROM rollup_1h"
      " WHERE series = ?1 AND bucket >= ?2 AND bucket < ?3";
static const char rollup_1m_sql[]
    = "SELECT bucket, n, sum, min, max, first_ts, first, last_ts, last FROM rollup_1m"
      " WHERE series = ?1 AND bucket >= ?2 AND bucket < ?3";
/* Without first / last: the columns read are a good part of the cost of a month of rollups. */
static const char rollup_1h_stats_sql[] = "SELECT bucket, n, sum, min, max FROM rollup_1h"
                                          " WHERE series = ?1 AND bucket >= ?2 AND bucket < ?3";
static const char rollup_1m_stats_sql[] = "SELECT bucket, n, sum, min, max FROM rollup_1m"
                                          " WHERE series = ?1 AND bucket >= ?2 AND bucket < ?3";

gboolean
fd_query_add_rollups (FdDb *db, gboolean hourly, gboolean first_last, gint64 series, gint64 from,
                      gint64 to, FdQueryBuckets *b, GError **error)
{
  const char *sql = first_last ? (hourly ? rollup_1h_sql : rollup_1m_sql)
                               : (hourly ? rollup_1h_stats_sql : rollup_1m_stats_sql);
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
fd_query_has_rollups (FdDb *db, gint64 series, gboolean *has, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db,
                       "SELECT EXISTS (SELECT 1 FROM rollup_1m WHERE series = ?1)"
                       " OR NOT EXISTS (SELECT 1 FROM point_block WHERE series = ?1)",
                       error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, series);
  rc = sqlite3_step (stmt);
  *has = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      fd_db_set_error (db, error, "reading rollups");
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_query_add_blocks (FdDb *db, gint64 series, gint64 from, gint64 to, FdQueryBuckets *b,
                     GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (from >= to)
    return TRUE;
  stmt = fd_db_prepare (db,
                        "SELECT rowid, data FROM point_block WHERE series = ?1 AND t_first < ?3"
                        " AND t_last >= ?2",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, series);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 ord = sqlite3_column_int64 (stmt, 0) << ORD_POS_BITS;
      const guint8 *data = sqlite3_column_blob (stmt, 1);
      int len = sqlite3_column_bytes (stmt, 1);

      if (!check_blob (data, len, PAIR_BYTES, error))
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      for (int off = 1, i = 0; off < len; off += PAIR_BYTES, i++)
        {
          gint64 ts = le64 (data + off);
          if (ts >= from && ts < to)
            fd_query_add_point (b, ts, le_double (data + off + 8), ord + i);
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

      if (!check_blob (data, len, TRIPLE_BYTES, error))
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
      for (int off = 1, i = 0; off < len; off += TRIPLE_BYTES, i++)
        {
          gint64 series = le64 (data + off);
          gint64 ts = le64 (data + off + 8);
          guint index = GPOINTER_TO_UINT (g_hash_table_lookup (series_index, &series));
          FdQueryPoint p;

          if (index == 0 || ts < start || ts >= end)
            continue;
          p.ts = ts;
          p.value = le_double (data + off + 16);
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
