/* fd-test-receiver.h — a webhook receiver for the integration tests: a libsoup server on a
 * thread of its own, on a loopback port, that checks every request's X-Fleetdesk-Signature
 * and headers, answers as told (200, 503, a 400 or a 429 for the next requests) and keeps what
 * it accepted: data batches by batch_id (a resent batch must be the same bytes) with each
 * device's readings in arrival order ("i" of their payload), condition objects, event types,
 * and how many connections the requests came over (keep-alive).
 * Its counters are read under its lock (fd_test_receiver_count). */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef enum
{
  FD_TEST_RECEIVER_OK,
  FD_TEST_RECEIVER_503,
} FdTestReceiverMode;

typedef struct
{
  GMutex lock;
  FdTestReceiverMode mode;
  guint reject_next;      /* answer the next N data requests 400 */
  guint retry_after_next; /* answer the next N requests 429 Retry-After: 1 */
  guint delay_ms;
  guint long_answer_next; /* answer the next N requests 200 with a 1 MB body */
  guint connections;      /* new connections that sent a request since the last reset */
  guint requests, answered_ok, bad_signatures, bad_headers, dup_batches, dup_mismatch;
  guint failed_answers;
  GHashTable *batches;   /* batch_id -> checksum of the body, of the batches answered 2xx */
  GHashTable *devices;   /* device_id -> GArray of gint64 "i", in arrival order */
  GPtrArray *rejected;   /* batch_ids answered 400 */
  GPtrArray *conditions; /* JSON text of each condition object, in order */
  GPtrArray *events;     /* "type" of each event received */
  GArray *times;         /* monotonic µs of each request */
  GPtrArray *request_batches;
      /* X-Fleetdesk-Batch of each request ("" when none) */ /* monotonic µs of each request */
  guint items;
  SoupServer *server;
  guint port; /* http://127.0.0.1:PORT/hook */
  char *secret;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
} FdTestReceiver;

/* Listens on 127.0.0.1 (a free port): requests must be signed with @secret and carry
 * "Authorization: Bearer rx-token". */
FdTestReceiver *fd_test_receiver_start (const char *secret);
/* Forgets what was received and answers as @mode from now on. */
void fd_test_receiver_reset (FdTestReceiver *rx, FdTestReceiverMode mode);
void fd_test_receiver_set (FdTestReceiver *rx, FdTestReceiverMode mode, guint delay_ms);
/* *@field (one of @rx's counters) read under the lock. */
guint fd_test_receiver_count (FdTestReceiver *rx, guint *field);
/* Waits until *@field >= @n; FALSE after @timeout_s. */
gboolean fd_test_receiver_wait (FdTestReceiver *rx, guint *field, guint n, guint timeout_s);

G_END_DECLS
