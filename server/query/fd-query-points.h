/* fd-query-points.h — reading numeric points and rollups into buckets (fd-query-aggregate.c).
 *
 * The stored forms of points (ingest/fd-data-layout.h) are decoded in fd-query-points.c only.
 */
#pragma once

#include "fd-query.h"

G_BEGIN_DECLS

/* Dense buckets [base + i * width, base + (i + 1) * width), i < n; width 0: one bucket. */
typedef struct
{
  gint64 base;
  gint64 width;
  guint n;
  FdQueryAcc *acc;
} FdQueryBuckets;

static inline void
fd_query_acc_add (FdQueryAcc *a, gint64 n, double sum, double min, double max, gint64 first_ts,
                  double first, gint64 first_ord, gint64 last_ts, double last, gint64 last_ord)
{
  if (a->n == 0)
    {
      a->n = n;
      a->sum = sum;
      a->min = min;
      a->max = max;
      a->first_ts = first_ts;
      a->first = first;
      a->first_ord = first_ord;
      a->last_ts = last_ts;
      a->last = last;
      a->last_ord = last_ord;
      return;
    }
  a->n += n;
  a->sum += sum;
  if (min < a->min)
    a->min = min;
  if (max > a->max)
    a->max = max;
  if (first_ts < a->first_ts || (first_ts == a->first_ts && first_ord < a->first_ord))
    {
      a->first_ts = first_ts;
      a->first = first;
      a->first_ord = first_ord;
    }
  if (last_ts > a->last_ts || (last_ts == a->last_ts && last_ord > a->last_ord))
    {
      a->last_ts = last_ts;
      a->last = last;
      a->last_ord = last_ord;
    }
}

static inline FdQueryAcc *
fd_query_bucket_of (FdQueryBuckets *b, gint64 ts)
{
  gint64 i = b->width == 0 ? 0 : (ts - b->base) / b->width;

  return i >= 0 && i < b->n ? &b->acc[i] : NULL;
}

static inline void
fd_query_add_point (FdQueryBuckets *b, gint64 ts, double v, gint64 ord)
{
  FdQueryAcc *a = fd_query_bucket_of (b, ts);

  if (a != NULL)
    fd_query_acc_add (a, 1, v, v, v, ts, v, ord, ts, v, ord);
}

/* One point of point_recent, kept for the series it belongs to. */
typedef struct
{
  gint64 ts;
  double value;
  gint64 ord;
} FdQueryPoint;

/* Adds the hour rollups of @series with buckets in [@from, @to); without @first_last the
 * buckets' first / last are left meaningless (not read). */
gboolean fd_query_add_rollups (FdDb *db, gboolean first_last, gint64 series, gint64 from, gint64 to,
                               FdQueryBuckets *b, GError **error);
/* The largest span (t_last - t_first) of a point block, data_state 'block_max_span', or -1
 * when the store does not say; read in the transaction that reads the blocks. */
gboolean fd_query_block_span (FdDb *db, gint64 *span, GError **error);
/* Adds the points of @series in point_block with times in [@from, @to); @span from
 * fd_query_block_span() bounds the blocks looked at. */
gboolean fd_query_add_blocks (FdDb *db, gint64 series, gint64 from, gint64 to, gint64 span,
                              FdQueryBuckets *b, GError **error);
/* The hour rollup of @series at @bucket: FALSE in *@found when there is none. */
gboolean fd_query_hour_rollup (FdDb *db, gint64 series, gint64 bucket, FdQueryAcc *acc,
                               gboolean *found, GError **error);
/* Reads every point of point_recent once: those of a series in @series_index (id -> index + 1)
 * with a time in [@start, @end) are appended to recent[index] (GArray of FdQueryPoint). */
gboolean fd_query_read_recent (FdDb *db, GHashTable *series_index, gint64 start, gint64 end,
                               GArray **recent, GError **error);

G_END_DECLS
