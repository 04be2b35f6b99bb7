/* fd-test-ingest-index.h — a real store and ingest for test-ingest-index.c: devices of one
 * workspace, readings submitted as the transports do, forced compactions, reads of the tables,
 * and the rollups compared with a recomputation from every point sent.
 */
#pragma once

#include "fd-test-server.h"

#include "ingest/fd-ingest.h"
#include "store/fd-store-provision.h"

G_BEGIN_DECLS

#define N_DEVICES 3
#define T0 G_GINT64_CONSTANT (1764590000000) /* 2025-12-01T11:53:20Z: an hour boundary near */
#define NEVER 1000000000u                    /* a compaction threshold not reached here */

typedef struct
{
  char *dir;
  char *path;
  FdStore *store;
  FdIngest *ingest;
  FdPayloadScanner *scanner;
  FdWorkspace *workspace;
  FdDevice *devices[N_DEVICES];
  FdDeviceIdentity *who[N_DEVICES];
  GArray *sent; /* FdTiSent: every numeric point submitted, in the order it was stored */
} FdTiFixture;

typedef struct
{
  guint device;
  const char *path;
  gint64 ts;
  double value;
} FdTiSent;

/* Opens @f's store and ingest on @f->path, compacting only when flushed (again after a close:
 * the migration and restart tests). */
void fd_ti_open_store (FdTiFixture *f);
/* A new store in a temporary folder with a workspace and N_DEVICES devices; and its end. */
void fd_ti_fixture_set_up (FdTiFixture *f, gconstpointer data);
void fd_ti_fixture_tear_down (FdTiFixture *f, gconstpointer data);

/* Stores @n readings of @device under @tag, the i-th at @ts[i] with @payloads[i], in one
 * request (one commit), and notes the numeric points it holds as the test expects them. */
gboolean fd_ti_store (FdTiFixture *f, guint device, const char *tag, guint n,
                      const char *const *payloads, const gint64 *ts, GError **error);

/* Weather readings of @device at T0 + @offsets[i] seconds (negative: before T0), values
 * derived from @seed; exact binary fractions, so sums are exact too. */
void fd_ti_store_weather (FdTiFixture *f, guint device, guint n, const gint64 *offsets_ms,
                          guint seed);

/* Compacts now (fd_ingest_flush_sync); the test fails if it fails. */
void fd_ti_flush (FdTiFixture *f);

/* The same through the asynchronous call, as the exports use it. */
void fd_ti_flush_async (FdTiFixture *f);

/* The first column of @sql's first row, as text and as an integer, read on a reader. */
char *fd_ti_query_one (FdTiFixture *f, const char *sql);
gint64 fd_ti_query_int (FdTiFixture *f, const char *sql);

/* The rows of @sql joined by newlines. */
char *fd_ti_query_text (FdTiFixture *f, const char *sql);

/* Every sample is in sample_ts, and nothing else; the tail is empty. */
void fd_ti_assert_samples_indexed (FdTiFixture *f, gint64 expected);

/* rollup_1h equals what the points the test sent give (all of them compacted), there is no
 * other rollup table, and point_block holds exactly those points, decoded with
 * fd-data-layout.h. */
void fd_ti_assert_rollups (FdTiFixture *f);

G_END_DECLS
