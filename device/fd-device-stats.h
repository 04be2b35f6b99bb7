/* fd-device-stats.h — what a simulation counts: messages sent, acknowledged, refused (by
 * status), failed and skipped, and a latency histogram of the acknowledged ones.
 *
 * The histogram is log-linear (exact below 128 µs, then 64 buckets per power of two: under
 * 1.6 % error at any percentile), fixed in size, so a long run with millions of requests
 * costs no memory.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_STATS_BUCKETS 2048
#define FD_STATS_MAX_STATUS 600

typedef struct
{
  guint64 sent;
  guint64 acked; /* 202 */
  guint64 readings_acked;
  guint64 refused; /* any other status */
  guint64 refused_by_status[FD_STATS_MAX_STATUS];
  guint64 errors;  /* no answer: connect, TLS, a broken or missing answer */
  guint64 skipped; /* a device's turn came while its previous request was still in flight */
  guint64 latency[FD_STATS_BUCKETS]; /* of acknowledged requests */
  guint64 latency_max_us;
} FdStats;

void fd_stats_clear (FdStats *stats);
void fd_stats_add_latency (FdStats *stats, gint64 us);
void fd_stats_add_status (FdStats *stats, guint status);
/* Adds every count of @from into @into. */
void fd_stats_merge (FdStats *into, const FdStats *from);
/* The @q quantile (0..1) of acknowledged latencies in milliseconds; 0 when there are none. */
double fd_stats_latency_ms (const FdStats *stats, double q);
/* "429: 3, 503: 1" (empty when nothing was refused). */
char *fd_stats_format_refused (const FdStats *stats);

G_END_DECLS
