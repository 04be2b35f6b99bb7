/* fd-store-integrations.h — integrations, their outbox and delivery log, and alert rules, as
 * the schema of migration 9 keeps them (fd-store-migrations.c explains the layout). Times are
 * epoch ms, 0 for "never".
 *
 * The data queue of an integration is the sample table: the samples with id > data_cursor
 * whose stream matches the integration (workspace, fleets, tags). Every other kind of event is
 * a row of outbox_event, queued with fd_store_outbox_event_add() inside the store job that
 * makes the event, so it commits with it. Every function runs inside a store job (fd-store.h).
 *
 * Files: fd-store-integrations.c (the integration rows: create, read, list, update, delete,
 * pause, replay); fd-store-outbox.c (the queues, batches, the delivery log, limits);
 * fd-store-alerts.c (alert rules and alerts).
 */
#pragma once

#include "store/fd-db.h"
#include "store/fd-store-entities.h"

G_BEGIN_DECLS

/* What an integration forwards: a bit set. FD_OUTBOX_KIND_DATA is the sample table; each of
 * the others is an outbox_event kind. */
typedef enum
{
  FD_OUTBOX_KIND_DATA = 1 << 0,       /* readings */
  FD_OUTBOX_KIND_CONDITIONS = 1 << 1, /* condition opened / updated / closed (ZDM shape) */
  FD_OUTBOX_KIND_DEVICES = 1 << 2,    /* device.online, device.offline */
  FD_OUTBOX_KIND_JOBS = 1 << 3,       /* job.execution results (a final state) */
  FD_OUTBOX_KIND_CAMPAIGNS = 1 << 4,  /* campaign.updated (state changes) */
  FD_OUTBOX_KIND_ALERTS = 1 << 5,     /* alert.triggered, alert.resolved */
  FD_OUTBOX_KIND_TEST = 1 << 6,       /* integration.test (never queued: /test sends it) */
} FdOutboxKind;

#define FD_OUTBOX_KINDS_ALL 0x3f
#define FD_OUTBOX_KINDS_DEFAULT (FD_OUTBOX_KIND_DATA | FD_OUTBOX_KIND_CONDITIONS)

/* "data", "conditions", "devices", "jobs", "campaigns", "alerts", "test": the API's names. */
const char *fd_outbox_kind_name (FdOutboxKind kind);
gboolean fd_outbox_kind_parse (const char *name, FdOutboxKind *kind);

/* Defaults and bounds of an integration's settings (the API checks them). */
#define FD_INTEGRATION_BATCH_MAX_DEFAULT 500
#define FD_INTEGRATION_BATCH_MAX_LIMIT 10000
#define FD_INTEGRATION_BATCH_DELAY_MS_DEFAULT 1000
#define FD_INTEGRATION_BATCH_DELAY_MS_LIMIT 3600000
#define FD_INTEGRATION_MAX_QUEUED_DEFAULT 10000000
#define FD_INTEGRATION_MAX_AGE_S_DEFAULT (7 * 24 * 3600)
#define FD_INTEGRATION_NAME_MAX_CHARS 128
#define FD_INTEGRATION_URL_MAX_CHARS 2048
#define FD_INTEGRATION_MAX_HEADERS 32
/* The delivery log keeps attempts this long, and at most this many per integration. */
#define FD_DELIVERY_KEEP_MS (7 * 24 * G_GINT64_CONSTANT (3600000))
#define FD_DELIVERY_KEEP_ROWS 10000

typedef enum
{
  FD_INTEGRATION_WEBHOOK,
  FD_INTEGRATION_POSTGRESQL,
} FdIntegrationType;

const char *fd_integration_type_name (FdIntegrationType type); /* "webhook", "postgresql" */
gboolean fd_integration_type_parse (const char *name, FdIntegrationType *type);

/* An integration row. */
typedef struct
{
  char *id; /* int-… */
  char *workspace_id;
  FdIntegrationType type;
  char *name;
  /* JSON object text, by type. webhook: {"url": "...", "headers": {"Name": "value", ...}};
   * postgresql: {"database": "<the DSN without its password>"}. */
  char *config;
  /* webhook: the HMAC secret; postgresql: the whole DSN (it may hold a password). Never
   * returned by the API after the create answer. */
  char *secret;
  guint kinds;  /* FdOutboxKind bits */
  char **fleets; /* NULL: any */
  char **tags;   /* NULL: any */
  gint64 batch_max;
  gint64 batch_delay_ms;
  gint64 max_queued;
  gint64 max_age_s;
  gboolean paused;
  gint64 data_cursor;
  gint64 event_cursor;
  gint64 batch_seq;
  char *inflight_batch; /* NULL: none in flight */
  guint inflight_kind;
  gint64 inflight_first; /* the first and last id of the batch (sample or outbox_event) */
  gint64 inflight_last;
  gint64 inflight_attempts;
  gint64 delivered; /* items delivered (2xx / committed) */
  gint64 failed;    /* items of batches the sink rejected (a 4xx other than 408 / 429) */
  gint64 dropped;   /* items dropped by the limits */
  char *last_error;
  gint64 last_error_at;
  gint64 last_success_at;
  gint64 created_at;
  gint64 updated_at;
} FdIntegration;

void fd_integration_free (FdIntegration *integration);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdIntegration, fd_integration_free)

/* Creates @integration (every setting field filled by the caller; id, cursors, counters and
 * times are set here): data_cursor starts at the highest sample id and event_cursor at the
 * highest outbox_event id, so it forwards what arrives from now on (replay reaches back).
 * NOT_FOUND when the workspace does not exist, or a fleet of @integration->fleets is not one of
 * it. On success @integration->id etc. are filled in. */
gboolean fd_store_integration_create (FdDb *db, FdIntegration *integration, gint64 now,
                                      GError **error);
/* The integration @id, or NULL with FD_STORE_ERROR_NOT_FOUND. */
FdIntegration *fd_store_integration_get (FdDb *db, const char *id, GError **error);
/* @workspace_id's integrations (FdIntegration *), oldest first, a page; NULL @workspace_id:
 * every integration (the delivery workers at start-up). */
gboolean fd_store_integration_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size,
                                    FdPage *page, GError **error);
/* Writes the settings of @integration (name, config, secret, kinds, fleets, tags, batch_*,
 * max_*) stamped @now. NOT_FOUND when it is gone. */
gboolean fd_store_integration_update (FdDb *db, const FdIntegration *integration, gint64 now,
                                      GError **error);
gboolean fd_store_integration_delete (FdDb *db, const char *id, GError **error);
gboolean fd_store_integration_set_paused (FdDb *db, const char *id, gboolean paused, gint64 now,
                                          GError **error);
/* Replay: moves both cursors back to just before the first sample with ts_in >= @from_ms and
 * the first outbox_event with t >= @from_ms (never forward: a cursor already before stays),
 * and drops the batch in flight. NOT_FOUND when it is gone. */
gboolean fd_store_integration_replay (FdDb *db, const char *id, gint64 from_ms, gint64 now,
                                      GError **error);

/* --- the outbox (fd-store-outbox.c) --- */

/* TRUE when some integration of @workspace_id forwards @kind. Callers ask first, in the same
 * job, and call fd_store_outbox_event_add() only then: nobody builds a body nobody wants. */
gboolean fd_store_outbox_wanted (FdDb *db, const char *workspace_id, FdOutboxKind kind,
                                 gboolean *wanted, GError **error);
/* Queues an event of @kind (one bit, not DATA) for @workspace_id's integrations: @body is the
 * compact JSON object delivered (conditions: the ZDM condition object; others: the event
 * object {"type", "time", "workspace_id", "device_id", "data"}). @t is its time (epoch ms).
 * Writes it whether or not it is wanted: ask fd_store_outbox_wanted() first. Writer only. */
gboolean fd_store_outbox_event_add (FdDb *db, const char *workspace_id, FdOutboxKind kind,
                                    const char *fleet_id, const char *device_id, const char *tag,
                                    gint64 t, const char *body, GError **error);

/* One queued item: a sample (data) or an outbox_event row. Strings belong to the batch. */
typedef struct
{
  gint64 id; /* sample id or outbox_event id */
  FdOutboxKind kind;
  const char *workspace_id;
  const char *fleet_id;
  const char *device_id;
  const char *tag;
  gint64 ts_device; /* data; events: t */
  gint64 ts_in;     /* data; events: t */
  const char *payload; /* data: the payload JSON; events: the body JSON */
  gsize payload_len;
} FdOutboxItem;

/* A batch: items of one kind, in id order, delivered together. */
typedef struct
{
  char *batch_id;   /* "<integration id>-<batch_seq>", stable across restarts */
  FdOutboxKind kind;
  gint64 first_id;  /* the ids of its first and last item */
  gint64 last_id;
  gint64 scanned_to; /* data: the highest sample id looked at (>= last_id; when the batch is
                        empty, the cursor can move there) */
  GArray *items;    /* FdOutboxItem */
  GStringChunk *strings;
  gsize bytes;      /* of the items' payloads */
} FdOutboxBatch;

void fd_outbox_batch_free (FdOutboxBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdOutboxBatch, fd_outbox_batch_free)

/* Reading and recording batches. A batch is read on any connection; begin, done, attempt
 * and the limits run on the writer. Items are read at most FD_OUTBOX_SCAN_ROWS sample ids past
 * the cursor per call, so an integration whose filters match little never scans a big table
 * in one go (the next call goes on from scanned_to). */
#define FD_OUTBOX_SCAN_ROWS 50000
/* A batch also ends once its payloads reach this many bytes (10,000 payloads of 64 KiB would
 * be 640 MiB in memory and in one request). */
#define FD_OUTBOX_BATCH_MAX_BYTES (4 * 1024 * 1024)
/* outbox_event rows every integration of the workspace is past are kept this long (replay
 * reaches them), and no row longer than FD_OUTBOX_EVENT_MAX_MS. */
#define FD_OUTBOX_EVENT_KEEP_MS (24 * G_GINT64_CONSTANT (3600000))
#define FD_OUTBOX_EVENT_MAX_MS (7 * 24 * G_GINT64_CONSTANT (3600000))

/* The next batch of @integration from its cursors (at most batch_max items, one kind: events
 * first when any is queued, as consecutive events of one kind, then data). *@batch is NULL
 * when nothing is queued; a data batch may be empty with scanned_to past the cursor (nothing
 * matched there: fd_store_outbox_skip moves the cursor). batch_id is NULL until begun. */
gboolean fd_store_outbox_read (FdDb *db, const FdIntegration *integration, FdOutboxBatch **batch,
                               GError **error);
/* The batch in flight of @integration (inflight_batch set), exactly as it was first read: the
 * same kind, id range and batch_id. */
gboolean fd_store_outbox_recompose (FdDb *db, const FdIntegration *integration,
                                    FdOutboxBatch **batch, GError **error);
/* Records @batch in flight before its first attempt: batch_seq + 1, batch->batch_id set to
 * "<id>-<batch_seq>". *@begun FALSE (nothing written) when the integration changed since it
 * was read (@data_cursor / @event_cursor are the cursors it was read from, or another batch is
 * in flight, or it is gone). */
gboolean fd_store_outbox_begin (FdDb *db, const char *integration_id, gint64 data_cursor,
                                gint64 event_cursor, FdOutboxBatch *batch, gboolean *begun,
                                GError **error);
/* One attempt at the batch in flight, as the delivery log keeps it. */
typedef struct
{
  const char *outcome; /* "delivered", "retry", "failed" */
  int status;
  gint64 latency_ms;
  const char *error;
  gint64 at;
} FdDeliveryAttempt;
/* The batch in flight is done (delivered or failed): its cursor moves to batch->scanned_to,
 * delivered or failed grows by its items, last_success_at or last_error set, the attempt
 * logged. *@done FALSE (nothing written) when @batch is no longer the batch in flight (a replay,
 * a limit or a delete dropped it meanwhile). */
gboolean fd_store_outbox_done (FdDb *db, const char *integration_id, const FdOutboxBatch *batch,
                               const FdDeliveryAttempt *attempt, gboolean *done, GError **error);
/* An attempt that will be retried: inflight_attempts + 1, last_error, the attempt logged.
 * *@current FALSE when @batch is no longer in flight. */
gboolean fd_store_outbox_attempt (FdDb *db, const char *integration_id, const FdOutboxBatch *batch,
                                  const FdDeliveryAttempt *attempt, gboolean *current,
                                  GError **error);
/* Logs @attempt of @batch outside the queue (a test send) as attempt 1. NOT_FOUND when the
 * integration is gone. */
gboolean fd_store_delivery_add (FdDb *db, const char *integration_id, const FdOutboxBatch *batch,
                                const FdDeliveryAttempt *attempt, GError **error);
/* Moves the data cursor of @integration_id from @from to @to when no batch is in flight (what
 * an empty read scanned matched nothing). */
gboolean fd_store_outbox_skip (FdDb *db, const char *integration_id, gint64 from, gint64 to,
                               GError **error);
/* What @integration has queued: items (data and events) and the ts_in of the oldest (0: none).
 * Counts the whole queue: callers do it every few seconds at most. */
gboolean fd_store_outbox_depth (FdDb *db, const FdIntegration *integration, gint64 *depth,
                                gint64 *oldest, GError **error);
/* Applies the limits of @integration_id as its row is now: items older than max_age_s, then
 * the oldest beyond max_queued, are dropped (the cursors moved past them, the batch in flight
 * too when it is among them), added to dropped and logged as one "dropped" delivery row per
 * call. *@dropped: how many (0: nothing over a limit). Bounded work per call: it may leave
 * some over a limit for the next call. */
gboolean fd_store_outbox_limit (FdDb *db, const char *integration_id, gint64 now,
                                gint64 *dropped, GError **error);
/* Prunes the delivery log (older than FD_DELIVERY_KEEP_MS, beyond FD_DELIVERY_KEEP_ROWS per
 * integration) and the outbox_event rows no integration needs any more. */
gboolean fd_store_outbox_prune (FdDb *db, gint64 now, GError **error);
/* The lowest data_cursor of the integrations that forward data of the workspace of stream
 * @stream, or G_MAXINT64 when none does: retention keeps the samples above it. */
gboolean fd_store_outbox_data_floor (FdDb *db, gint64 stream, gint64 *floor, GError **error);

/* One row of the delivery log. */
typedef struct
{
  gint64 id;
  char *batch_id;
  FdOutboxKind kind;
  gint64 items;
  gint64 attempt;
  gint64 at;
  gint64 latency_ms;
  int status;    /* 0: no HTTP answer */
  char *outcome; /* "delivered", "retry", "failed", "dropped" */
  char *error;   /* NULL when none */
} FdDelivery;

void fd_delivery_free (FdDelivery *delivery);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDelivery, fd_delivery_free)
/* The delivery log of @integration_id (FdDelivery *), newest first, a page; @outcome (NULL:
 * any) keeps one outcome. NOT_FOUND when the integration does not exist. */
gboolean fd_store_delivery_list (FdDb *db, const char *integration_id, const char *outcome,
                                 gint64 from, gint64 size, FdPage *page, GError **error);

G_END_DECLS
