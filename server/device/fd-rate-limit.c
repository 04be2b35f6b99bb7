/* fd-rate-limit.c — per-device token buckets (fd-rate-limit.h). */
#include "config.h"

#include "fd-rate-limit.h"

/* Full buckets are swept out at most this often. */
#define SWEEP_INTERVAL_US (10 * G_USEC_PER_SEC)

typedef struct
{
  double tokens;
  gint64 at_us; /* when tokens was last brought up to date */
} Bucket;

struct _FdRateLimit
{
  double rate; /* tokens per microsecond */
  double burst;
  GHashTable *buckets; /* key -> Bucket */
  gint64 last_sweep_us;
};

FdRateLimit *
fd_rate_limit_new (guint rate_per_s, guint burst)
{
  FdRateLimit *limit = g_new0 (FdRateLimit, 1);

  limit->rate = rate_per_s / (double)G_USEC_PER_SEC;
  limit->burst = burst > 0 ? burst : 2.0 * rate_per_s;
  if (limit->burst < 1)
    limit->burst = 1;
  limit->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return limit;
}

void
fd_rate_limit_free (FdRateLimit *limit)
{
  if (limit == NULL)
    return;
  g_hash_table_destroy (limit->buckets);
  g_free (limit);
}

static double
refilled (FdRateLimit *limit, const Bucket *b, gint64 now_us)
{
  double t = b->tokens + (double)MAX (now_us - b->at_us, 0) * limit->rate;
  return MIN (t, limit->burst);
}

/* A bucket that is full again holds nothing a new one would not: drop it. */
static void
sweep (FdRateLimit *limit, gint64 now_us)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, limit->buckets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (refilled (limit, value, now_us) >= limit->burst)
      g_hash_table_iter_remove (&iter);
  limit->last_sweep_us = now_us;
}

gboolean
fd_rate_limit_take (FdRateLimit *limit, const char *key, gint64 now_us, guint *retry_after_s)
{
  Bucket *b;

  if (limit->rate <= 0)
    return TRUE;
  if (now_us - limit->last_sweep_us > SWEEP_INTERVAL_US)
    sweep (limit, now_us);

  b = g_hash_table_lookup (limit->buckets, key);
  if (b == NULL)
    {
      b = g_new (Bucket, 1);
      b->tokens = limit->burst;
      b->at_us = now_us;
      g_hash_table_insert (limit->buckets, g_strdup (key), b);
    }
  b->tokens = refilled (limit, b, now_us);
  b->at_us = MAX (b->at_us, now_us);
  if (b->tokens >= 1)
    {
      b->tokens -= 1;
      return TRUE;
    }
  if (retry_after_s != NULL)
    {
      double wait_s = (1 - b->tokens) / limit->rate / G_USEC_PER_SEC;
      guint whole = wait_s < G_MAXUINT ? (guint)wait_s : G_MAXUINT;
      if (whole < wait_s)
        whole++;
      *retry_after_s = MAX (whole, 1);
    }
  return FALSE;
}

guint
fd_rate_limit_size (FdRateLimit *limit)
{
  return g_hash_table_size (limit->buckets);
}
