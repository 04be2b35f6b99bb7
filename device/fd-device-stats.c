/* fd-device-stats.c — counters and a log-linear latency histogram. */
#include "fd-device-stats.h"

#include <string.h>

#define EXACT 128  /* values below are their own bucket */
#define SUB_BITS 6 /* 64 buckets per power of two above */

void
fd_stats_clear (FdStats *stats)
{
  memset (stats, 0, sizeof *stats);
}

static guint
bucket_of (guint64 v)
{
  guint e;

  if (v < EXACT)
    return (guint)v;
  e = 63 - (guint)__builtin_clzll (v); /* floor (log2 (v)) >= 7 */
  return MIN (EXACT + (e - 7) * (1u << SUB_BITS) + (guint)((v >> (e - SUB_BITS)) & 63),
              FD_STATS_BUCKETS - 1);
}

/* The middle of bucket @b, in µs. */
static double
bucket_value (guint b)
{
  guint e, sub;
  double low, width;

  if (b < EXACT)
    return b;
  e = (b - EXACT) / (1u << SUB_BITS) + 7;
  sub = (b - EXACT) % (1u << SUB_BITS);
  width = (double)(1ull << (e - SUB_BITS));
  low = (double)(1ull << e) + sub * width;
  return low + width / 2;
}

void
fd_stats_add_latency (FdStats *stats, gint64 us)
{
  guint64 v = us > 0 ? (guint64)us : 0;

  stats->latency[bucket_of (v)]++;
  stats->latency_max_us = MAX (stats->latency_max_us, v);
}

void
fd_stats_add_status (FdStats *stats, guint status)
{
  stats->refused++;
  stats->refused_by_status[MIN (status, FD_STATS_MAX_STATUS - 1)]++;
}

void
fd_stats_merge (FdStats *into, const FdStats *from)
{
  into->sent += from->sent;
  into->acked += from->acked;
  into->readings_acked += from->readings_acked;
  into->refused += from->refused;
  into->errors += from->errors;
  into->skipped += from->skipped;
  for (guint i = 0; i < FD_STATS_MAX_STATUS; i++)
    into->refused_by_status[i] += from->refused_by_status[i];
  for (guint i = 0; i < FD_STATS_BUCKETS; i++)
    into->latency[i] += from->latency[i];
  into->latency_max_us = MAX (into->latency_max_us, from->latency_max_us);
}

double
fd_stats_latency_ms (const FdStats *stats, double q)
{
  guint64 total = 0, rank, seen = 0;

  for (guint i = 0; i < FD_STATS_BUCKETS; i++)
    total += stats->latency[i];
  if (total == 0)
    return 0;
  /* The smallest value with at least q of all values at or below it. */
  rank = (guint64)(q * (double)total + 0.999999);
  rank = CLAMP (rank, 1, total);
  for (guint i = 0; i < FD_STATS_BUCKETS; i++)
    {
      seen += stats->latency[i];
      if (seen >= rank)
        return MIN (bucket_value (i), (double)stats->latency_max_us) / 1000.0;
    }
  return (double)stats->latency_max_us / 1000.0;
}

char *
fd_stats_format_refused (const FdStats *stats)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < FD_STATS_MAX_STATUS; i++)
    if (stats->refused_by_status[i] != 0)
      g_string_append_printf (out, "%s%u: %" G_GUINT64_FORMAT, out->len ? ", " : "", i,
                              stats->refused_by_status[i]);
  return g_string_free (out, FALSE);
}
