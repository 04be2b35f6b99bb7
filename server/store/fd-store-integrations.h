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

/* TRUE when some integration of @workspace_id forwards @kind: the callers of
 * fd_store_outbox_event_add() skip building a body nobody wants. */
gboolean fd_store_outbox_wanted (FdDb *db, const char *workspace_id, FdOutboxKind kind,
                                 gboolean *wanted, GError **error);
/* Queues an event of @kind (one bit, not DATA) for @workspace_id's integrations: @body is the
 * compact JSON object delivered (conditions: the ZDM condition object; others: the event
 * object {"type", "time", "workspace_id", "device_id", "data"}). @t is its time (epoch ms).
 * Writes nothing when no integration of the workspace forwards @kind. Writer only. */
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
} FdOutboxBatch;

void fd_outbox_batch_free (FdOutboxBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdOutboxBatch, fd_outbox_batch_free)

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
