/* fd-data-layout.h — how the time-series tables of migration 6 store what they hold, for the
 * ingest writer that writes them and the readers (queries, exports, retention) that decode them.
 *
 * point_recent.data: one row per commit, FD_POINTS_FORMAT_VERSION then n triples
 *   (series int64, ts_device int64, value double), little-endian, in the order the points were
 *   stored (a commit's readings in arrival order, each reading's fields in payload order).
 * point_block.data: one row per series, compaction and UTC hour, FD_POINTS_FORMAT_VERSION then
 *   n pairs (ts_device int64, value double), little-endian, in stored order (NOT sorted by
 *   time: late data stays where it arrived); point_block.t_first / t_last are the lowest /
 *   highest ts. Blocks written before schema 6 (or by a Fleetdesk before this split) may span
 *   any time: data_state FD_DATA_BLOCK_MAX_SPAN is an upper bound of t_last - t_first over
 *   every block, so the blocks holding times in [a, b) all have t_first in [a - span, b).
 * rollup_1h: per series and UTC hour (bucket: its start in epoch ms, aligned to the UNIX epoch)
 *   n, sum, min, max and first / last (lowest / highest ts_device; on a tie the point stored
 *   first / last) of exactly the points that are in point_block (or were, before retention).
 *   There is no finer rollup: sub-hour buckets are computed from the points.
 * sample_ts (stream, ts_device, id): every sample with id <= data_state FD_DATA_SAMPLE_INDEXED;
 *   the samples above it (the tail) are read from sample by rowid, in the same read
 *   transaction.
 *
 * Stored order, for ties: every point of point_block was stored before every point of
 * point_recent; within point_block, rows of a series in rowid order then pairs in blob order;
 * within point_recent, rows in id order then triples in blob order.
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

#define FD_POINTS_FORMAT_VERSION 1
#define FD_POINTS_TRIPLE_BYTES 24 /* series, ts, value */
#define FD_POINTS_PAIR_BYTES 16   /* ts, value */

#define FD_ROLLUP_1H_MS G_GINT64_CONSTANT (3600000)

/* The data_state key of the highest sample id that is in sample_ts. */
#define FD_DATA_SAMPLE_INDEXED "sample_indexed"
/* The data_state key of the largest t_last - t_first of a point_block row ever written (set
 * by migration 6 from the blocks then, raised by compaction; retention only narrows blocks). */
#define FD_DATA_BLOCK_MAX_SPAN "block_max_span"

static inline gint64
fd_points_read_i64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return (gint64)GUINT64_FROM_LE (v);
}

static inline double
fd_points_read_double (const guint8 *p)
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

static inline void
fd_points_write_i64 (guint8 *p, gint64 value)
{
  guint64 v = GUINT64_TO_LE ((guint64)value);

  memcpy (p, &v, 8);
}

static inline void
fd_points_write_double (guint8 *p, double value)
{
  union
  {
    guint64 u;
    double d;
  } v = { .d = value };

  v.u = GUINT64_TO_LE (v.u);
  memcpy (p, &v.u, 8);
}

/* How many triples a point_recent blob of @len bytes holds, or -1 when it is not one (wrong
 * version, truncated). */
static inline gssize
fd_points_recent_count (const guint8 *data, gsize len)
{
  if (data == NULL || len < 1 || data[0] != FD_POINTS_FORMAT_VERSION
      || (len - 1) % FD_POINTS_TRIPLE_BYTES != 0)
    return -1;
  return (gssize)((len - 1) / FD_POINTS_TRIPLE_BYTES);
}

/* The @i-th triple of a point_recent blob checked with fd_points_recent_count(). */
static inline void
fd_points_recent_get (const guint8 *data, gsize i, gint64 *series, gint64 *ts, double *value)
{
  const guint8 *p = data + 1 + i * FD_POINTS_TRIPLE_BYTES;

  *series = fd_points_read_i64 (p);
  *ts = fd_points_read_i64 (p + 8);
  *value = fd_points_read_double (p + 16);
}

/* How many pairs a point_block blob of @len bytes holds, or -1 when it is not one. */
static inline gssize
fd_points_block_count (const guint8 *data, gsize len)
{
  if (data == NULL || len < 1 || data[0] != FD_POINTS_FORMAT_VERSION
      || (len - 1) % FD_POINTS_PAIR_BYTES != 0)
    return -1;
  return (gssize)((len - 1) / FD_POINTS_PAIR_BYTES);
}

/* The @i-th pair of a point_block blob checked with fd_points_block_count(). */
static inline void
fd_points_block_get (const guint8 *data, gsize i, gint64 *ts, double *value)
{
  const guint8 *p = data + 1 + i * FD_POINTS_PAIR_BYTES;

  *ts = fd_points_read_i64 (p);
  *value = fd_points_read_double (p + 8);
}

/* The start of the bucket of width @width_ms (> 0) holding @ts, aligned to the epoch: floor
 * division, so 1969 times fall into the bucket before, not after, 0. */
static inline gint64
fd_bucket_start (gint64 ts, gint64 width_ms)
{
  gint64 r = ts % width_ms;

  return r < 0 ? ts - r - width_ms : ts - r;
}

G_END_DECLS
