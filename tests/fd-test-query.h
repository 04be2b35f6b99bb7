/* fd-test-query.h — the data test-api-query.c reads back: three devices in two fleets post
 * batches with their own times over HTTPS (out of order, late after compactions, one device
 * moving fleet, values at bucket edges), and what was sent is kept so that every answer can be
 * compared with the same computation done on it.
 */
#pragma once

#include "fd-test-api-util.h"
#include "fd-test-device.h"

#include <math.h>

G_BEGIN_DECLS

#define T0 G_GINT64_CONSTANT (1795737600000) /* 2026-11-27T00:00:00Z */
#define MIN_MS G_GINT64_CONSTANT (60000)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS (24 * HOUR_MS)
#define N_DEVICES 3
#define ROUNDS 5
#define PER_BATCH 40
/* the unaligned range of the tests: its edges cut a minute */
#define US (T0 + 37 * MIN_MS + 13005)
#define UE (T0 + DAY_MS + 5 * HOUR_MS + 59 * MIN_MS + 59999)
/* late batches (posted last) spread over [T0 - 3 days, T0 + 2 days); a range in their days
 * whose edges cut a minute */
#define LATE_ROUNDS 2
#define LATE_PER_BATCH 40
#define LS (T0 - 3 * DAY_MS + 17 * MIN_MS + 41003)
#define LE (T0 - DAY_MS + 5 * HOUR_MS + 3 * MIN_MS + 7500)

typedef struct
{
  gint64 ts;
  double v;
  guint seq; /* the order it was sent in: arrival order */
  guint dev;
  const char *fleet;
} FdTqReading;

typedef struct
{
  gint64 n;
  double sum, min, max, first, last;
  gint64 first_ts, last_ts;
  guint first_seq, last_seq;
} FdTqAcc;

/* The server (started by the test's main()), its devices and fleets, and every reading sent,
 * in the order sent. */
extern FdTdServer *fd_tq_shared;
extern FdTdDevice *fd_tq_devs[N_DEVICES];
extern char *fd_tq_fleet_a, *fd_tq_fleet_b;
extern GArray *fd_tq_sent; /* FdTqReading */

/* @ms as RFC 3339 UTC with milliseconds; @text percent-encoded for a query string. */
char *fd_tq_iso (gint64 ms);
char *fd_tq_esc (const char *text);
/* GET /workspaces/{ws}/data@query, expecting @expected; the answer's "result" array. */
JsonNode *fd_tq_get (const char *query, guint expected);
JsonArray *fd_tq_result_of (JsonNode *node);
/* Posts @readings of device @dev as one batch, in the order given, and records them. */
void fd_tq_post_batch (guint dev, FdTqReading *readings, guint n, const char *fleet);
/* Posts every reading of the tests. */
void fd_tq_setup_data (void);
/* Sorted "key|bucket" -> FdTqAcc over the readings in [start, end), grouped by "device",
 * "fleet" or "none", only those of @devices when not NULL. */
GTree *fd_tq_expected_buckets (gint64 start, gint64 end, gint64 width, const char *group,
                               const char *const *devices);
/* The number @name of @o (the test fails when it is missing). */
double fd_tq_num (JsonObject *o, const char *name);

/* The API writes computed numbers with 15 significant digits (what a double holds exactly
 * in decimal): equal to that precision. */
#define assert_15_digits(got, want)                                                                \
  do                                                                                               \
    {                                                                                              \
      double got_ = (got), want_ = (want);                                                         \
      if (!(fabs (got_ - want_) <= 1e-14 * MAX (fabs (got_), fabs (want_))))                       \
        g_error ("%s:%d: %s is %.17g, expected %.17g", __FILE__, __LINE__, #got, got_, want_);     \
    }                                                                                              \
  while (0)

G_END_DECLS
