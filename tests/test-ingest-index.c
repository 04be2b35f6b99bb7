/* test-ingest-index.c — what compaction keeps of schema 6 on a real store: sample_ts holds
 * every sample up to data_state 'sample_indexed', the hour rollups equal a
 * recomputation from every point stored (late and out-of-order device times, ties), a failing
 * compaction leaves nothing of itself, and a database at schema 5 gets both when upgraded.
 */
#include "fd-test-ingest-index.h"

#include <math.h>
#include <string.h>

#include "ingest/fd-data-layout.h"
#include "ingest/fd-ingest.h"
#include "query/fd-query-points.h"
#include "store/fd-store-provision.h"

static const gint64 early[] = { 0, 5000, 59999, 60000, 1000, 120500, 7000, 3600000, 3599999 };
static const gint64 late[] = { 1000, -3600000, 30000, 59999, 60001, -1, 3600000 };

static void
test_exact (FdTiFixture *f, gconstpointer data)
{
  const char *const status[] = { "{\"state\":\"idle\"}", "{\"state\":\"busy\",\"why\":[\"a\"]}" };
  const gint64 status_ts[] = { T0 + 5, T0 - 86400000 };
  g_autoptr (GError) error = NULL;
  gint64 samples = 0;

  /* Out of order device times across minutes and the hour, the same time twice (a tie), in
   * several commits of several devices. */
  for (guint d = 0; d < N_DEVICES; d++)
    {
      fd_ti_store_weather (f, d, G_N_ELEMENTS (early), early, d);
      samples += G_N_ELEMENTS (early);
      g_assert_true (fd_ti_store (f, d, "status", 2, status, status_ts, &error));
      samples += 2;
    }
  fd_ti_store_weather (f, 0, G_N_ELEMENTS (early), early, 7); /* every time again: ties */
  samples += G_N_ELEMENTS (early);
  /* Nothing compacted yet: everything is in the tail. */
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM sample_ts"), ==, 0);
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM rollup_1h"), ==, 0);
  fd_ti_flush (f);
  fd_ti_assert_samples_indexed (f, samples);
  fd_ti_assert_rollups (f);

  /* Late data into the same hours (and earlier ones), compacted again: merged. */
  for (guint d = 0; d < N_DEVICES; d++)
    {
      fd_ti_store_weather (f, d, G_N_ELEMENTS (late), late, 10 + d);
      samples += G_N_ELEMENTS (late);
    }
  g_assert_true (fd_ti_store (f, 1, "status", 2, status, status_ts, &error));
  samples += 2;
  fd_ti_flush_async (f);
  fd_ti_assert_samples_indexed (f, samples);
  fd_ti_assert_rollups (f);

  /* A flush with nothing waiting changes nothing. */
  fd_ti_flush (f);
  fd_ti_assert_samples_indexed (f, samples);
  fd_ti_assert_rollups (f);
}

/* A tie decided across two compactions: the earlier one keeps first, the later one takes
 * last. */
static void
test_ties_across_compactions (FdTiFixture *f, gconstpointer data)
{
  const char *const a[] = { "{\"temp\":1}", "{\"temp\":2}" };
  const char *const b[] = { "{\"temp\":3}", "{\"temp\":4}" };
  const gint64 ts[] = { T0 + 10, T0 + 10 };
  g_autoptr (GError) error = NULL;
  g_autofree char *row = NULL;

  g_assert_true (fd_ti_store (f, 0, "weather", 2, a, ts, &error));
  fd_ti_flush (f);
  row = fd_ti_query_one (f,
                         "SELECT n, sum, min, max, first_ts - bucket, first, last_ts - bucket, last"
                         " FROM rollup_1h");
  g_assert_cmpstr (row, ==, "2|3.0|1.0|2.0|3200010|1.0|3200010|2.0");
  g_assert_true (fd_ti_store (f, 0, "weather", 2, b, ts, &error));
  fd_ti_flush (f);
  g_clear_pointer (&row, g_free);
  row = fd_ti_query_one (f,
                         "SELECT n, sum, min, max, first_ts - bucket, first, last_ts - bucket, last"
                         " FROM rollup_1h");
  g_assert_cmpstr (row, ==, "4|10.0|1.0|4.0|3200010|1.0|3200010|4.0");
  fd_ti_assert_rollups (f);
}

static gboolean
exec_job (FdDb *db, gpointer data, GError **error)
{
  return fd_db_exec (db, data, error);
}

/* A compaction that fails at its last step (sample_ts) rolls back its blocks and rollups too;
 * the writer's counters are read again, and the next one is whole. */
static void
test_rollback (FdTiFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL;
  const char *state = "SELECT (SELECT count(*) FROM sample), (SELECT count(*) FROM sample_ts),"
                      " (SELECT count(*) FROM point_recent), (SELECT count(*) FROM point_block),"
                      " (SELECT count(*) || '/' || total (n) FROM rollup_1h),"
                      " (SELECT value FROM data_state WHERE key = 'sample_indexed')";

  fd_ti_store_weather (f, 0, G_N_ELEMENTS (early), early, 1);
  fd_ti_flush (f);
  fd_ti_store_weather (f, 1, G_N_ELEMENTS (late), late, 2);
  fd_ti_store_weather (f, 0, G_N_ELEMENTS (late), late, 3);
  before = fd_ti_query_one (f, state);
  /* 3 series, each with points in two hours (T0 + 3599999 is in the next one): 6 blocks */
  g_assert_cmpstr (before, ==, "23|9|2|6|6/21.0|9");

  g_assert_true (fd_store_write_sync (f->store, exec_job,
                                      "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.sample_ts"
                                      " BEGIN SELECT RAISE (ABORT, 'refused by the test'); END",
                                      &error));
  g_assert_false (fd_ingest_flush_sync (f->ingest, &error));
  g_assert_nonnull (strstr (error->message, "refused by the test"));
  g_clear_error (&error);
  after = fd_ti_query_one (f, state);
  g_assert_cmpstr (after, ==, before);

  /* Readings whose commit compacts (threshold reached) fail with it: nothing of them stays. */
  fd_ingest_set_compaction (f->ingest, NEVER, 15, NEVER); /* 39 points, 19 samples */
  {
    const char *const p[]
        = { "{\"temp\":1}", "{\"temp\":2}", "{\"temp\":3}", "{\"temp\":4}", "{\"temp\":5}" };
    const gint64 ts[] = { T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4 };
    g_assert_false (fd_ti_store (f, 2, "weather", 5, p, ts, &error));
    g_clear_error (&error);
  }
  g_clear_pointer (&after, g_free);
  after = fd_ti_query_one (f, state);
  g_assert_cmpstr (after, ==, before);

  g_assert_true (fd_store_write_sync (f->store, exec_job, "DROP TRIGGER temp.refuse", &error));
  fd_ingest_set_compaction (f->ingest, NEVER, NEVER, NEVER);
  fd_ti_flush (f);
  fd_ti_assert_samples_indexed (f, 23);
  fd_ti_assert_rollups (f);
}

/* Samples without numeric fields reach the thresholds too: compaction is not only for points. */
static void
test_samples_without_points (FdTiFixture *f, gconstpointer data)
{
  const char *const p[] = { "{\"state\":\"a\"}", "{\"state\":\"b\"}", "{\"state\":\"c\"}" };
  const gint64 ts[] = { T0 + 3, T0 + 1, T0 + 2 };
  g_autoptr (GError) error = NULL;

  fd_ingest_set_compaction (f->ingest, NEVER, 5, NEVER);
  g_assert_true (fd_ti_store (f, 0, "status", 3, p, ts, &error));
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM sample_ts"), ==, 0);
  g_assert_true (fd_ti_store (f, 1, "status", 3, p, ts, &error)); /* 6 >= 5: compacted */
  fd_ti_assert_samples_indexed (f, 6);
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM point_block"), ==, 0);
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM rollup_1h"), ==, 0);
  g_assert_true (fd_ti_store (f, 1, "status", 1, p, ts, &error));
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM sample_ts"), ==, 6);

  /* And by age: the oldest waiting sample is older than 1 ms at the next commit. */
  fd_ingest_set_compaction (f->ingest, NEVER, NEVER, 1);
  g_usleep (2000);
  g_assert_true (fd_ti_store (f, 2, "status", 1, p, ts, &error));
  fd_ti_assert_samples_indexed (f, 8);
}

/* Retention may delete every sample up to the newest: SQLite would then give ids at or below
 * the mark, which sample_ts would never get. */
static void
test_ids_after_emptied (FdTiFixture *f, gconstpointer data)
{
  const char *const p[] = { "{\"state\":\"a\"}", "{\"state\":\"b\"}" };
  const gint64 ts[] = { T0, T0 + 1 };
  g_autoptr (GError) error = NULL;

  g_assert_true (fd_ti_store (f, 0, "status", 2, p, ts, &error));
  g_assert_true (fd_ti_store (f, 0, "status", 2, p, ts, &error));
  fd_ti_flush (f);
  g_assert_true (fd_store_write_sync (f->store, exec_job,
                                      "DELETE FROM sample; DELETE FROM sample_ts", &error));
  g_assert_true (fd_ti_store (f, 1, "status", 2, p, ts, &error));
  g_assert_cmpint (fd_ti_query_int (f, "SELECT min (id) FROM sample"), ==, 5);
  fd_ti_flush (f);
  fd_ti_assert_samples_indexed (f, 2);
}

static void
test_bucket_start (void)
{
  g_assert_cmpint (fd_bucket_start (0, 60000), ==, 0);
  g_assert_cmpint (fd_bucket_start (59999, 60000), ==, 0);
  g_assert_cmpint (fd_bucket_start (60000, 60000), ==, 60000);
  g_assert_cmpint (fd_bucket_start (-1, 60000), ==, -60000);
  g_assert_cmpint (fd_bucket_start (-60000, 60000), ==, -60000);
  g_assert_cmpint (fd_bucket_start (T0 + 1, FD_ROLLUP_1H_MS), ==, T0 - T0 % FD_ROLLUP_1H_MS);
}

/* --- migration from schema 5 --- */

static void
put_pair (GByteArray *blob, gint64 ts, double v)
{
  guint8 pair[FD_POINTS_PAIR_BYTES];

  fd_points_write_i64 (pair, ts);
  fd_points_write_double (pair + 8, v);
  g_byte_array_append (blob, pair, sizeof pair);
}

static void
insert_block (FdDb *db, gint64 series, const gint64 *ts, const double *v, guint n)
{
  g_autoptr (GByteArray) blob = g_byte_array_new ();
  guint8 version = FD_POINTS_FORMAT_VERSION;
  sqlite3_stmt *stmt = NULL;
  gint64 lo = G_MAXINT64, hi = G_MININT64;

  g_byte_array_append (blob, &version, 1);
  for (guint i = 0; i < n; i++)
    {
      put_pair (blob, ts[i], v[i]);
      lo = MIN (lo, ts[i]);
      hi = MAX (hi, ts[i]);
    }
  g_assert_cmpint (sqlite3_prepare_v2 (fd_db_handle (db),
                                       "INSERT INTO point_block (series, t_first, t_last, n, data)"
                                       " VALUES (?1, ?2, ?3, ?4, ?5)",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, series);
  sqlite3_bind_int64 (stmt, 2, lo);
  sqlite3_bind_int64 (stmt, 3, hi);
  sqlite3_bind_int64 (stmt, 4, n);
  sqlite3_bind_blob (stmt, 5, blob->data, (int)blob->len, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* The block points of one series in [from, to), as an aggregate's edge reads them. */
typedef struct
{
  gint64 series, from, to;
  gint64 span;
  FdQueryAcc acc;
} EdgeRead;

static gboolean
edge_read_job (FdDb *db, gpointer data, GError **error)
{
  EdgeRead *e = data;
  FdQueryBuckets b = { .base = e->from, .width = 0, .n = 1, .acc = &e->acc };

  memset (&e->acc, 0, sizeof e->acc);
  return fd_query_block_span (db, &e->span, error)
         && fd_query_add_blocks (db, e->series, e->from, e->to, e->span, &b, error);
}

static void
test_migration (FdTiFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *m = NULL, *h = NULL;
  FdDb *db = fd_db_open (f->path, FALSE, &error);
  /* Block 2 ties block 1 at T0 + 1000 and has an earlier point: first is (T0 + 500, 3) by
   * time, last the tie stored later (block 2's 2). */
  const gint64 ts1[] = { T0 + 1000, T0 + 70000 }, ts2[] = { T0 + 1000, T0 + 500 };
  const double v1[] = { 1, 10 }, v2[] = { 2, 3 };

  g_assert_no_error (error);
  g_assert_true (fd_store_migrate (db, 5, &error));
  g_assert_true (fd_db_exec (db,
                             "INSERT INTO sample (stream, ts_device, ts_in, payload) VALUES"
                             " (2, 30, 1, '{}'), (1, 20, 1, '{}'), (1, 10, 1, '{}'),"
                             " (2, 30, 1, '{}')",
                             &error));
  insert_block (db, 7, ts1, v1, 2);
  insert_block (db, 7, ts2, v2, 2);
  insert_block (db, 8, ts2, v2, 1);
  fd_db_close (db);

  fd_ti_open_store (f);
  fd_ti_assert_samples_indexed (f, 4);
  /* sample_indexed and the blocks' largest span (block 1: T0 + 1000 .. T0 + 70000) */
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM data_state"), ==, 2);
  g_assert_cmpint (fd_ti_query_int (f, "SELECT value FROM data_state WHERE key = 'block_max_span'"),
                   ==, 69000);
  {
    /* The reader's bound on t_first reaches back exactly to block 1: its last point is in
     * [T0 + 70000, T0 + 70001) and its first time is that edge minus the span. */
    EdgeRead e = { .series = 7, .from = T0 + 70000, .to = T0 + 70001 };
    g_assert_true (fd_store_read_sync (f->store, edge_read_job, &e, &error));
    g_assert_no_error (error);
    g_assert_cmpint (e.span, ==, 69000);
    g_assert_cmpint (e.acc.n, ==, 1);
    g_assert_cmpfloat (e.acc.sum, ==, 10);
  }
  m = fd_ti_query_text (f, "SELECT series, n, first_ts - bucket, last_ts - bucket FROM rollup_1h"
                           " ORDER BY series, bucket");
  /* T0 is 53:20 past the hour: T0 + 500 is first, T0 + 70000 (54:30) last, in one hour. */
  g_assert_cmpstr (m, ==, "7|4|3200500|3270000\n8|1|3201000|3201000");
  g_assert_cmpint (
      fd_ti_query_int (f, "SELECT count(*) FROM sqlite_master WHERE name = 'rollup_1m'"), ==, 0);
  h = fd_ti_query_text (f, "SELECT series, n, sum, min, max, first, last FROM rollup_1h"
                           " ORDER BY series, bucket");
  g_assert_cmpstr (h, ==, "7|4|16.0|1.0|10.0|3.0|10.0\n8|1|2.0|2.0|2.0|2.0|2.0");

  /* Done once: a restart does not add them again. */
  fd_store_close (f->store);
  fd_ingest_free (f->ingest);
  fd_ti_open_store (f);
  g_clear_pointer (&h, g_free);
  h = fd_ti_query_text (f, "SELECT series, n, sum, min, max, first, last FROM rollup_1h"
                           " ORDER BY series, bucket");
  g_assert_cmpstr (h, ==, "7|4|16.0|1.0|10.0|3.0|10.0\n8|1|2.0|2.0|2.0|2.0|2.0");
}

/* A batch spanning several hours makes one block per series and hour, each in stored order;
 * late data spanning days (after a compaction) the same; the rollups stay exact, ties too,
 * and the largest span stays under an hour. */
static void
test_hourly_blocks (FdTiFixture *f, gconstpointer data)
{
  gint64 spread[13], days[12];
  g_autofree char *span = NULL;

  /* Every 25 minutes for 5 hours, out of order, with a tie at the end; T0 is 53:20 past. */
  for (guint i = 0; i < 12; i++)
    spread[i] = (gint64)((i * 7) % 12) * 25 * 60000 + 13;
  spread[12] = spread[11];
  fd_ti_store_weather (f, 0, G_N_ELEMENTS (spread), spread, 1);
  fd_ti_store_weather (f, 1, 4, spread, 2);
  fd_ti_flush (f);
  /* device 0: 12 distinct times over [T0, T0 + 4:35] = hours 11 .. 16 (6 hours) */
  g_assert_cmpint (
      fd_ti_query_int (f, "SELECT count(*) FROM point_block b JOIN series s"
                          " ON s.id = b.series WHERE s.path = 'temp'"),
      ==,
      fd_ti_query_int (f, "SELECT count(*) FROM (SELECT DISTINCT series,"
                          " t_first / 3600000 FROM point_block b JOIN series s ON s.id = b.series"
                          " WHERE s.path = 'temp')"));
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM point_block b JOIN series s"
                                       " ON s.id = b.series JOIN stream t ON t.id = s.stream"
                                       " WHERE s.path = 'temp' AND t.device_id = (SELECT device_id"
                                       " FROM stream ORDER BY id LIMIT 1)"),
                   ==, 6);
  fd_ti_assert_rollups (f);

  /* Late: two days before, and across them, in one batch; then again into the same hours. */
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    days[i] = -(gint64)(i * 4 + 1) * 3600000 + (gint64)i * 1000;
  fd_ti_store_weather (f, 0, G_N_ELEMENTS (days), days, 3);
  fd_ti_flush (f);
  fd_ti_store_weather (f, 0, G_N_ELEMENTS (days), days, 4);
  fd_ti_store_weather (f, 2, G_N_ELEMENTS (spread), spread, 5);
  fd_ti_flush (f);
  fd_ti_assert_rollups (f);
  span = fd_ti_query_one (f, "SELECT value < 3600000 FROM data_state WHERE key = 'block_max_span'");
  g_assert_cmpstr (span, ==, "1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func)                                                                            \
  g_test_add (path, FdTiFixture, NULL, fd_ti_fixture_set_up, func, fd_ti_fixture_tear_down)
  ADD ("/ingest-index/exact", test_exact);
  ADD ("/ingest-index/ties-across-compactions", test_ties_across_compactions);
  ADD ("/ingest-index/rollback", test_rollback);
  ADD ("/ingest-index/samples-without-points", test_samples_without_points);
  ADD ("/ingest-index/ids-after-emptied", test_ids_after_emptied);
  ADD ("/ingest-index/hourly-blocks", test_hourly_blocks);
#undef ADD
  g_test_add ("/ingest-index/migration", FdTiFixture, "own database", fd_ti_fixture_set_up,
              test_migration, fd_ti_fixture_tear_down);
  g_test_add_func ("/ingest-index/bucket-start", test_bucket_start);
  return g_test_run ();
}
