/* fd-integrations.h — the delivery workers: one thread per integration that is not paused,
 * reading its queue (fd-store-integrations.h) in batches, delivering them to its sink
 * (fd-sink.h) in order, at least once, and recording each attempt.
 *
 * A batch is recorded as in flight before its first attempt and done (cursor moved, counters
 * added, logged) in one store job after it; a failure backs off exponentially with jitter up to
 * a cap; REJECTED fails the batch and goes on; 429 waits Retry-After. The limits (max_queued,
 * max_age_s) drop the oldest items, counted and logged, with the state "dropping".
 *
 * Created and called on the engine thread; the workers write through the store's writer.
 */
#pragma once

#include <gio/gio.h>

#include "events/fd-events.h"
#include "integrations/fd-sink.h"
#include "store/fd-store.h"
#include "store/fd-store-integrations.h"

G_BEGIN_DECLS

typedef struct
{
  guint backoff_ms;     /* first retry delay; 0: 1000 */
  guint backoff_max_ms; /* cap of the delay; 0: 300000 */
  guint request_timeout_s; /* per attempt; 0: 30 */
} FdIntegrationsConfig;

typedef struct _FdIntegrations FdIntegrations;

FdIntegrations *fd_integrations_new (FdStore *store, FdEvents *events,
                                     const FdIntegrationsConfig *config);
/* Loads every integration and starts the workers of those not paused. */
gboolean fd_integrations_start (FdIntegrations *self, GError **error);
/* Stops the workers (cancelling requests in flight: their batch stays in flight, resent at
 * the next start) and joins them. */
void fd_integrations_free (FdIntegrations *self);

/* After the API committed a change of @id (created, updated, paused, resumed, replayed,
 * deleted): re-reads it and starts, restarts or stops its worker. */
void fd_integrations_reload (FdIntegrations *self, const char *id);
/* New readings or events committed in @workspace_id (any thread, cheap): wakes its workers. */
void fd_integrations_kick (FdIntegrations *self, const char *workspace_id);

typedef enum
{
  FD_INTEGRATION_IDLE,       /* nothing queued */
  FD_INTEGRATION_DELIVERING, /* sending, last attempt fine */
  FD_INTEGRATION_RETRYING,   /* the last attempt failed; backing off */
  FD_INTEGRATION_FAILING,    /* retrying for more than a minute, or the last batch rejected */
  FD_INTEGRATION_PAUSED,
  FD_INTEGRATION_DROPPING,   /* a limit is dropping items */
} FdIntegrationState;

const char *fd_integration_state_name (FdIntegrationState state); /* "idle", "delivering", … */

/* What the worker knows now, for the API's "health" object and /metrics. */
typedef struct
{
  FdIntegrationState state;
  gint64 queue_depth;     /* items queued (data + events), as last counted */
  gint64 oldest_queued;   /* ts_in of the oldest queued item, epoch ms; 0: none */
  double rate_per_s;      /* items delivered per second over the last minute */
  gint64 next_attempt_at; /* epoch ms; 0: none planned */
  gint64 delivered, failed, dropped;
  char *last_error;       /* NULL: none */
  gint64 last_error_at;
  gint64 last_success_at;
} FdIntegrationHealth;

void fd_integration_health_clear (FdIntegrationHealth *health);
/* FALSE when @id has no worker state (unknown, or not loaded yet): the caller uses the row. */
gboolean fd_integrations_get_health (FdIntegrations *self, const char *id,
                                     FdIntegrationHealth *health);

/* Sends an integration.test event through a sink made from @integration (saved or not) now,
 * on a worker thread, logging it when @integration->id is set. */
void fd_integrations_test_async (FdIntegrations *self, const FdIntegration *integration,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
/* FALSE with @error only when the test could not run; else @result says how the sink answered
 * (result->outcome FD_SINK_DELIVERED when it worked). */
gboolean fd_integrations_test_finish (GAsyncResult *res, FdSinkResult *result, GError **error);

/* Appends the Prometheus text of every integration's gauges and counters to @out:
 * fleetdesk_integration_queue_depth{integration="int-…",type="webhook"} N, …_delivered_total,
 * …_failed_total, …_dropped_total, …_rate_per_second, …_up (1 when not retrying/failing). */
void fd_integrations_metrics (FdIntegrations *self, GString *out);

G_END_DECLS
