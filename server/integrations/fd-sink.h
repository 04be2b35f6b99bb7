/* fd-sink.h — where an integration delivers its batches: a webhook (fd-sink-webhook.c) or a
 * PostgreSQL database (fd-sink-postgres.c). A sink belongs to one delivery worker thread and
 * is called only from it; every call may block (network), bounded by its own timeouts and by
 * @cancellable (shutdown, pause, delete).
 */
#pragma once

#include <gio/gio.h>

#include "store/fd-store-integrations.h"

G_BEGIN_DECLS

typedef enum
{
  FD_SINK_DELIVERED, /* 2xx / committed: the batch is done */
  FD_SINK_RETRY,     /* a network error, a timeout, 5xx, 408, 429: try again later */
  FD_SINK_REJECTED,  /* a 4xx other than 408 / 429, bad data: the batch fails, no retry */
} FdSinkOutcome;

typedef struct
{
  FdSinkOutcome outcome;
  int status;            /* HTTP status; 0 when there was no answer (or not HTTP) */
  gint64 retry_after_ms; /* > 0: the sink asked to wait this long (429 Retry-After) */
  gint64 latency_ms;
  char *error;           /* NULL when delivered; otherwise what went wrong, for the log */
} FdSinkResult;

void fd_sink_result_clear (FdSinkResult *result);

typedef struct _FdSink FdSink;

typedef struct
{
  void (*deliver) (FdSink *sink, const FdOutboxBatch *batch, GCancellable *cancellable,
                   FdSinkResult *result);
  void (*free) (FdSink *sink);
} FdSinkClass;

struct _FdSink
{
  const FdSinkClass *klass;
};

/* Delivers @batch: fills @result (zeroed by the caller). */
void fd_sink_deliver (FdSink *sink, const FdOutboxBatch *batch, GCancellable *cancellable,
                      FdSinkResult *result);
void fd_sink_free (FdSink *sink);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdSink, fd_sink_free)

/* The sink of @integration (its type, config and secret), or NULL with @error. */
FdSink *fd_sink_new (const FdIntegration *integration, GError **error);

/* --- webhook (fd-sink-webhook.c) --- */

/* Every request: POST @url, Content-Type: application/json, User-Agent: Fleetdesk/VERSION,
 * X-Fleetdesk-Integration, X-Fleetdesk-Batch: the batch_id, X-Fleetdesk-Timestamp: unix
 * seconds, X-Fleetdesk-Signature: sha256=<lowercase hex HMAC-SHA256 of the secret over
 * timestamp + "." + body>, then the configured headers. Bodies (docs/integrations.md):
 *   data:       {"batch_id", "result": [{"id": "<position>", "workspace_id", "fleet_id",
 *                "device_id", "timestamp_device", "timestamp_in", "tag", "payload"}]}
 *   conditions: a bare array of ZDM condition objects (the outbox bodies)
 *   others:     {"batch_id", "events": [<the outbox bodies>]} */
FdSink *fd_sink_webhook_new (const char *integration_id, const char *url,
                             const char *const *header_names, const char *const *header_values,
                             const char *secret, GError **error);
/* The signature header value "sha256=<hex>" of @body signed with @secret at @timestamp. */
char *fd_webhook_sign (const char *secret, const char *timestamp, const char *body, gsize len);
/* Writes the request body of @batch into @out (emptied first). */
void fd_webhook_body (const FdOutboxBatch *batch, GString *out);

/* --- PostgreSQL (fd-sink-postgres.c) --- */

/* Connects to @dsn (libpq conninfo or URI; a 5 s connect timeout unless the DSN sets one) and
 * makes the schema of docs/integrations.md if missing (hypertables when TimescaleDB is
 * installed). FALSE with a message naming the problem ("cannot connect to PostgreSQL: …")
 * when it cannot. Blocks: call it from a worker thread. */
gboolean fd_sink_postgres_check (const char *dsn, GError **error);
/* @dsn without its password, for display ("host=… port=… dbname=… user=…"); NULL when @dsn
 * does not parse. */
char *fd_sink_postgres_display (const char *dsn, GError **error);
FdSink *fd_sink_postgres_new (const char *integration_id, const char *dsn, GError **error);

G_END_DECLS
