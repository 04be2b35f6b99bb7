/* fd-query-aggregate.c — exact aggregates per group and bucket, and chart series.
 *
 * For each series over [start, end): rollup_1h for the whole hours inside (when the bucket is
 * a multiple of an hour or none), point_block pairs for the rest (the edges, or the whole range
 * for buckets that are not whole hours: there are no minute rollups, docs/architecture.md),
 * and every point_recent triple in range:
 * rollups cover exactly the points in point_block, never those in point_recent, so each point
 * is counted once whichever table holds it (the writer backfills the rollups of blocks older
 * than schema 6 before the server serves anything).
 * Groups are done one at a time in one dense array of buckets.
 */
#include "fd-query-points.h"

#include <string.h>

static const char *const fn_names[FD_QUERY_N_FNS]
    = { "avg", "min", "max", "sum", "count", "first", "last" };

guint
fd_query_fns_parse (const char *list, char **bad)
{
  g_auto (GStrv) parts = g_strsplit (list != NULL ? list : "", ",", -1);
  guint mask = 0;

  *bad = NULL;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *name = g_strstrip (parts[i]);
      guint j;

      for (j = 0; j < FD_QUERY_N_FNS && !g_str_equal (name, fn_names[j]); j++)
        ;
      if (j == FD_QUERY_N_FNS)
        {
          *bad = g_strdup (name);
          return 0;
        }
      mask |= 1u << j;
    }
  return mask;
}

const char *
fd_query_fn_name (FdQueryFn fn)
{
  for (guint i = 0; i < FD_QUERY_N_FNS; i++)
    if (fn == 1u << i)
      return fn_names[i];
  return NULL;
}

double
fd_query_acc_value (const FdQueryAcc *a, FdQueryFn fn)
{
  switch (fn)
    {
    case FD_QUERY_FN_AVG:
      return a->sum / (double)a->n;
    case FD_QUERY_FN_MIN:
      return a->min;
    case FD_QUERY_FN_MAX:
      return a->max;
    case FD_QUERY_FN_SUM:
      return a->sum;
    case FD_QUERY_FN_COUNT:
      return (double)a->n;
    case FD_QUERY_FN_FIRST:
      return a->first;
    case FD_QUERY_FN_LAST:
      return a->last;
    }
  return 0;
}

gint64
fd_query_bucket_parse (const char *text)
{
  char *end = NULL;
  guint64 n;
  gint64 unit;

  if (g_str_equal (text, "none"))
    return 0;
  n = g_ascii_isdigit (text[0]) ? g_ascii_strtoull (text, &end, 10) : 0;
  unit = end == NULL || end[0] == '\0' || end[1] != '\0' ? 0
         : end[0] == 'm'                                 ? FD_MINUTE_MS
         : end[0] == 'h'                                 ? FD_HOUR_MS
         : end[0] == 'd'                                 ? FD_DAY_MS
                                                         : 0;
  if (n == 0 || unit == 0 || n > (guint64)(FD_QUERY_MAX_BUCKET_DAYS * FD_DAY_MS / unit))
    return -1;
  return (gint64)n * unit;
}

typedef struct
{
  const char *key;
  GArray *series; /* guint: indexes into the resolved series */
} Group;

static gint64
floor_to (gint64 t, gint64 r)
{
  return t / r * r;
}

static gint64
ceil_to (gint64 t, gint64 r)
{
  return (t + r - 1) / r * r;
}

/* The whole units of @unit in [start, end), empty (a == b) when none. */
static void
aligned (gint64 start, gint64 end, gint64 unit, gint64 *a, gint64 *b)
{
  *a = ceil_to (start, unit);
  *b = floor_to (end, unit);
  if (*a >= *b)
    *a = *b = start;
}

/* Adds the block points of @series in the edge [a, b), which lies inside one UTC hour (and so
 * inside one bucket, a whole number of hours). The hour's rollup says where its block points
 * are: none in the edge, or all of them (the rollup is then exactly the edge's aggregate),
 * and only otherwise are the blocks read: those with a first time in [a - span, b) (a block
 * lies within one hour since compaction splits by hour, so that is about an hour of the
 * series' blocks). */
static gboolean
add_edge (FdDb *db, gint64 series, gint64 a, gint64 b, gint64 span, FdQueryBuckets *buckets,
          GError **error)
{
  FdQueryAcc r, *into;
  gboolean found;

  if (a >= b)
    return TRUE;
  if (!fd_query_hour_rollup (db, series, floor_to (a, FD_HOUR_MS), &r, &found, error))
    return FALSE;
  if (!found || r.last_ts < a || r.first_ts >= b)
    return TRUE;
  if (r.first_ts >= a && r.last_ts < b)
    {
      into = fd_query_bucket_of (buckets, r.first_ts);
      if (into != NULL)
        fd_query_acc_add (into, r.n, r.sum, r.min, r.max, r.first_ts, r.first, 0, r.last_ts, r.last,
                          0);
      return TRUE;
    }
  return fd_query_add_blocks (db, series, a, b, span, buckets, error);
}

/* Adds one series' stored points (rollups and blocks; not point_recent) in [start, end). */
static gboolean
add_series (FdDb *db, const FdQueryAggregate *q, gint64 series, gint64 span, FdQueryBuckets *b,
            GError **error)
{
  gboolean use_h = q->width == 0 || q->width % FD_HOUR_MS == 0;
  gint64 hs, he;

  if (!use_h)
    return fd_query_add_blocks (db, series, q->start, q->end, span, b, error);
  aligned (q->start, q->end, FD_HOUR_MS, &hs, &he);
  if (hs == he)
    return fd_query_add_blocks (db, series, q->start, q->end, span, b, error);
  return fd_query_add_rollups (db, !q->stats_only, series, hs, he, b, error)
         && add_edge (db, series, q->start, hs, span, b, error)
         && add_edge (db, series, he, q->end, span, b, error);
}

static int
group_cmp (gconstpointer a, gconstpointer b)
{
  const Group *x = a, *y = b;
  return g_strcmp0 (x->key, y->key);
}

static void
group_clear (gpointer data)
{
  g_array_unref (((Group *)data)->series);
}

static void
recent_free (GArray **recent, guint n)
{
  for (guint i = 0; i < n; i++)
    g_array_unref (recent[i]);
  g_free (recent);
}

gboolean
fd_query_aggregate (FdDb *db, const FdQueryAggregate *q, FdQueryGroupStart group_start,
                    FdQueryEmit emit, gpointer user_data, GError **error)
{
  g_autoptr (GArray) streams = fd_query_streams_new ();
  g_autoptr (GArray) series = g_array_new (FALSE, FALSE, sizeof (FdQuerySeries));
  g_autoptr (GArray) groups = g_array_new (FALSE, FALSE, sizeof (Group));
  g_autoptr (GHashTable) by_key = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) series_index = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree FdQueryAcc *acc = NULL;
  GArray **recent = NULL;
  FdQueryBuckets b = { 0 };
  gboolean known, numeric;
  gboolean ok = FALSE;
  gint64 n_buckets, max_span;

  g_array_set_clear_func (groups, group_clear);
  if (!fd_query_resolve_streams (db, &q->sel, streams, error)
      || !fd_query_field_type (db, q->sel.workspace_id, q->sel.tags, q->field, &known, &numeric,
                               error))
    return FALSE;
  if (!known || !numeric)
    {
      g_set_error (error, FD_QUERY_ERROR, FD_QUERY_ERROR_FIELD,
                   known ? "field %s is not a number" : "tag %s has no field %s",
                   known ? q->field : (q->sel.tags ? q->sel.tags[0] : ""), q->field);
      return FALSE;
    }
  if (!fd_query_resolve_series (db, streams, q->field, series, error))
    return FALSE;
  if (q->end <= q->start)
    return TRUE;

  for (guint i = 0; i < series->len; i++)
    {
      const FdQuerySeries *s = &g_array_index (series, FdQuerySeries, i);
      const FdQueryStream *st = &g_array_index (streams, FdQueryStream, s->stream);
      const char *key = q->group == FD_QUERY_GROUP_DEVICE  ? st->device_id
                        : q->group == FD_QUERY_GROUP_FLEET ? st->fleet_id
                                                           : "";
      gpointer at;

      if (!g_hash_table_lookup_extended (by_key, key, NULL, &at))
        {
          Group g = { .key = key, .series = g_array_new (FALSE, FALSE, sizeof (guint)) };
          g_array_append_val (groups, g);
          at = GUINT_TO_POINTER (groups->len);
          g_hash_table_insert (by_key, (gpointer)key, at);
        }
      g_array_append_val (g_array_index (groups, Group, GPOINTER_TO_UINT (at) - 1).series, i);
      g_hash_table_insert (series_index, (gpointer)&s->id, GUINT_TO_POINTER (i + 1));
    }
  g_array_sort (groups, group_cmp);

  n_buckets
      = q->width == 0
            ? 1
            : (floor_to (q->end - 1, q->width) - floor_to (q->start, q->width)) / q->width + 1;
  if (q->max_groups > 0 && groups->len > q->max_groups)
    {
      g_set_error (error, FD_QUERY_ERROR, FD_QUERY_ERROR_SERIES,
                   "the selection has %u series (devices), over the limit of %u: select fewer "
                   "devices or fleets",
                   groups->len, q->max_groups);
      return FALSE;
    }
  if (q->max_groups == 0 && n_buckets * MAX (groups->len, 1) > FD_QUERY_MAX_BUCKETS)
    {
      g_set_error (error, FD_QUERY_ERROR, FD_QUERY_ERROR_BUCKET,
                   "%" G_GINT64_FORMAT " buckets x %u groups is over the limit of %d: choose a "
                   "wider bucket or a shorter range",
                   n_buckets, MAX (groups->len, 1), FD_QUERY_MAX_BUCKETS);
      return FALSE;
    }
  if (groups->len == 0)
    return TRUE;

  recent = g_new (GArray *, series->len);
  for (guint i = 0; i < series->len; i++)
    recent[i] = g_array_new (FALSE, FALSE, sizeof (FdQueryPoint));
  if (!fd_query_read_recent (db, series_index, q->start, q->end, recent, error)
      || !fd_query_block_span (db, &max_span, error))
    goto out;

  acc = g_new (FdQueryAcc, n_buckets);
  b.base = q->width == 0 ? q->start : floor_to (q->start, q->width);
  b.width = q->width;
  b.n = (guint)n_buckets;
  b.acc = acc;
  for (guint g = 0; g < groups->len; g++)
    {
      const Group *group = &g_array_index (groups, Group, g);
      const char *key = q->group == FD_QUERY_GROUP_NONE ? NULL : group->key;
      gboolean started = FALSE;

      memset (acc, 0, sizeof *acc * n_buckets);
      for (guint j = 0; j < group->series->len; j++)
        {
          guint si = g_array_index (group->series, guint, j);
          GArray *points = recent[si];

          if (!add_series (db, q, g_array_index (series, FdQuerySeries, si).id, max_span, &b,
                           error))
            goto out;
          for (guint k = 0; k < points->len; k++)
            {
              const FdQueryPoint *p = &g_array_index (points, FdQueryPoint, k);
              fd_query_add_point (&b, p->ts, p->value, p->ord);
            }
        }
      for (gint64 i = 0; i < n_buckets; i++)
        {
          if (acc[i].n == 0)
            continue;
          if (!started && group_start != NULL)
            group_start (key, user_data);
          started = TRUE;
          emit (key, q->width == 0 ? q->start : b.base + i * q->width, &acc[i], user_data);
        }
    }
  ok = TRUE;

out:
  recent_free (recent, series->len);
  return ok;
}

/* From this width on (once whole minutes) the width is rounded up to whole hours: hourly buckets
 * are read from rollup_1h, narrower ones from every point (there are no minute rollups), and up to
 * 3 times fewer buckets than asked is a fair price for not decoding a month of blocks. */
#define FD_SERIES_HOURLY_MS (20 * FD_MINUTE_MS)

/* Buckets a range [start, end) spans at width @w, aligned to the epoch. */
static gint64
span (gint64 start, gint64 end, gint64 w)
{
  return (floor_to (end - 1, w) - floor_to (start, w)) / w + 1;
}

gint64
fd_query_series_width (gint64 start, gint64 end, guint points)
{
  gint64 w = MAX ((end - start + points - 1) / points, 1);

  for (;;)
    {
      if (w >= FD_MINUTE_MS)
        w = ceil_to (w, FD_MINUTE_MS);
      if (w >= FD_SERIES_HOURLY_MS)
        w = ceil_to (w, FD_HOUR_MS);
      if (span (start, end, w) <= points)
        return w;
      w += w >= FD_HOUR_MS ? FD_HOUR_MS : w >= FD_MINUTE_MS ? FD_MINUTE_MS : MAX (w / 64, 1);
    }
}

char *
fd_query_device_name (FdDb *db, const char *device_id, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT name FROM device WHERE id = ?1", error);
  char *name = NULL;

  if (stmt == NULL)
    return NULL;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_fetch_string (db, stmt, &name, "reading a device name", error);
  return name;
}
