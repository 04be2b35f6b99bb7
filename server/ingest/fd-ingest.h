/* fd-ingest.h — storing what devices send: readings under tags, and up messages.
 *
 * A transport scans each payload (fd-payload.h) on its own thread, gathers a request's readings
 * in an FdReadings and submits it. The writer stores the samples append-only, keeps the
 * numeric fields as points per series, records new fields per tag, the latest reading per
 * device and tag and the device's last_seen — the per-series structures once per transaction,
 * however many requests it groups. The callback runs after COMMIT: only then may a transport
 * acknowledge (HTTP 202, MQTT PUBACK). If it fails, nothing of the request was stored.
 */
#pragma once

#include <gio/gio.h>

#include "device/fd-device-auth.h"
#include "ingest/fd-payload.h"
#include "store/fd-store.h"

G_BEGIN_DECLS

#define FD_INGEST_ERROR (fd_ingest_error_quark ())
GQuark fd_ingest_error_quark (void);

typedef enum
{
  FD_INGEST_ERROR_DEVICE_GONE, /* the device was deleted meanwhile */
  FD_INGEST_ERROR_INVALID,     /* a bad key or value (message names it) */
} FdIngestError;

#define FD_TAG_MAX_CHARS 64
#define FD_UP_KEY_MAX_CHARS 64
/* Keys a device may have reported at once: each goes into every #status answer. */
#define FD_UP_MAX_KEYS 256

/* NULL when @tag (@len bytes) is a good tag: 1..FD_TAG_MAX_CHARS characters of UTF-8, no '/',
 * '#', '+', whitespace or control characters. Otherwise a message saying what is wrong. */
const char *fd_tag_check (const char *tag, gsize len);

typedef struct _FdReadings FdReadings;

/* The readings of one request from @who under @tag (checked by the caller). */
FdReadings *fd_readings_new (FdDeviceIdentity *who, const char *tag);
void fd_readings_free (FdReadings *readings);
/* Empties @readings for new ones of @who under @tag, keeping its buffers: a transport that
 * submits with fd_ingest_submit_many_async() keeps one FdReadings per connection. */
void fd_readings_reset (FdReadings *readings, FdDeviceIdentity *who, const char *tag);
/* Copies the last payload @scanner scanned (compact text and fields). @ts_device is the
 * reading's device time in epoch ms (0 included: 1970-01-01T00:00:00Z is a time a batch may
 * carry), or FD_READINGS_TS_ARRIVAL for "when it arrived". */
#define FD_READINGS_TS_ARRIVAL G_GINT64_CONSTANT (-1)
void fd_readings_add (FdReadings *readings, FdPayloadScanner *scanner, gint64 ts_device);
guint fd_readings_count (FdReadings *readings);

typedef struct _FdIngest FdIngest;

FdIngest *fd_ingest_new (FdStore *store);
void fd_ingest_free (FdIngest *ingest);

/* When points move from point_recent into per-series blocks (and their rollups) and samples
 * into sample_ts: after @rows commits with points, @points points or @points unindexed samples,
 * or @age_ms since the oldest waiting point or sample (0: the defaults, 256 / 200,000 / 10 s).
 * Before the first write only (tests). */
void fd_ingest_set_compaction (FdIngest *ingest, guint rows, guint points, guint age_ms);

/* Compacts now, in a transaction of its own (with whatever else is queued): when it returns
 * TRUE every sample committed before the call is in sample_ts (data_state 'sample_indexed' is
 * the highest sample id) and every point in point_block and the rollups, point_recent empty —
 * unless more readings arrived meanwhile. For exports that want no tail, tests, benchmarks.
 * The blob layouts and the rules of those tables: ingest/fd-data-layout.h. */
gboolean fd_ingest_flush_sync (FdIngest *ingest, GError **error);
void fd_ingest_flush_async (FdIngest *ingest, GAsyncReadyCallback callback, gpointer user_data);
gboolean fd_ingest_flush_finish (GAsyncResult *result, GError **error);

/* What one commit stored for one device and tag, for the events stream. */
typedef struct
{
  const char *workspace_id;
  const char *device_id;
  const char *fleet_id;
  const char *tag;
  guint count;              /* readings of that device and tag in the commit */
  const char *payload_json; /* the newest of them */
  gint64 timestamp_in;      /* epoch ms */
} FdIngestCommitted;

/* Called on the writer thread after each COMMIT that stored readings, once per device and tag
 * of the commit (@items valid during the call only). Must not block. Before the first write. */
typedef void (*FdIngestObserver) (const FdIngestCommitted *items, guint n_items,
                                  gpointer user_data);
void fd_ingest_set_observer (FdIngest *ingest, FdIngestObserver observer, gpointer user_data);

/* Queues @readings (taken) for the writer. */
void fd_ingest_submit_async (FdIngest *ingest, FdReadings *readings, GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean fd_ingest_submit_finish (GAsyncResult *result, GError **error);

/* Queues @n_readings FdReadings (any devices and tags) as ONE store job with one callback, for
 * a transport that gathers many connections' readings per wakeup: one task and one savepoint
 * of the store instead of one per request. Each FdReadings is stored in its own nested
 * savepoint, so one that fails (its device deleted, a bad value) fails alone. The FdReadings
 * are lent, not taken: the caller keeps them unchanged until @callback is called, and may then
 * reuse them (fd_readings_reset) or free them. */
void fd_ingest_submit_many_async (FdIngest *ingest, FdReadings **readings, guint n_readings,
                                  GAsyncReadyCallback callback, gpointer user_data);
/* FALSE when none was stored (the transaction failed, the store is closing): @error says why.
 * TRUE otherwise, and fd_ingest_submit_many_error() tells each one's fate. */
gboolean fd_ingest_submit_many_finish (GAsyncResult *result, GError **error);
/* In the callback, after a TRUE finish: NULL when the @i-th FdReadings of the call was stored
 * (committed), else why it was not. */
const GError *fd_ingest_submit_many_error (GAsyncResult *result, guint i);

/* Stores an up message: @value_json (compact JSON text, any value; "null" clears the key) as
 * @who's reported value of @key, stamped with the arrival time, and drops @key from the
 * device's expected map (the device answered it) in the same transaction. A new key beyond
 * FD_UP_MAX_KEYS is FD_INGEST_ERROR_INVALID. @key is checked by the caller
 * (1..FD_UP_KEY_MAX_CHARS characters, no control characters, not starting with '#'). */
void fd_ingest_up_async (FdIngest *ingest, FdDeviceIdentity *who, const char *key,
                         const char *value_json, GAsyncReadyCallback callback, gpointer user_data);
/* The same, also running @also (when not NULL) with @also_data (freed with @also_destroy) on the
 * writer in the same savepoint, after the report is stored and expected[@key] dropped: a job
 * execution's or an OTA target's new state is committed with the answer that made it, or
 * neither is (@also failing fails the message). */
void fd_ingest_up_full_async (FdIngest *ingest, FdDeviceIdentity *who, const char *key,
                              const char *value_json, FdStoreFunc also, gpointer also_data,
                              GDestroyNotify also_destroy, GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean fd_ingest_up_finish (GAsyncResult *result, GError **error);
/* The arrival time (epoch ms) the message was stamped with, from @also's data's point of view:
 * what fd_ingest_up_full_async stored as the report's t. Valid in the callback. */
gint64 fd_ingest_up_get_time (GAsyncResult *result);
/* TRUE when the message made the operator's variable of that key applied (fd-store-variables.h:
 * a plain key, a value other than null, reported at or after the variable was set). Valid in
 * the callback, after a successful finish. */
gboolean fd_ingest_up_get_applied (GAsyncResult *result);

G_END_DECLS
