/* fd-rate-limit.h — a token bucket per key (a device id): @rate tokens a second, at most @burst
 * saved up. One request takes one token; an empty bucket says how long until the next one.
 * Buckets that have filled up again are forgotten, so memory follows the devices that are
 * actually busy. Not thread-safe: the engine thread owns it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FdRateLimit FdRateLimit;

/* @rate_per_s 0: nothing is ever limited. @burst 0: 2 x @rate_per_s. */
FdRateLimit *fd_rate_limit_new (guint rate_per_s, guint burst);
void fd_rate_limit_free (FdRateLimit *limit);

/* Takes a token from @key's bucket at @now_us (g_get_monotonic_time). FALSE when there is none:
 * then *@retry_after_s is the whole seconds until there will be one (at least 1). */
gboolean fd_rate_limit_take (FdRateLimit *limit, const char *key, gint64 now_us,
                             guint *retry_after_s);

/* How many buckets are kept (tests). */
guint fd_rate_limit_size (FdRateLimit *limit);

G_END_DECLS
