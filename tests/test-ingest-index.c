/* test-ingest-index.c — what compaction keeps of schema 6 on a real store: sample_ts holds
 * every sample up to data_state 'sample_indexed', the hour rollups equal a
 * recomputation from every point stored (late and out-of-order device times, ties), a failing
 * compaction leaves nothing of itself, and a database at schema 5 gets both when upgraded.
 */
#include "fd-test-server.h"

#include <math.h>
#include <string.h>

#include "ingest/fd-data-layout.h"
#include "ingest/fd-ingest.h"
#include "query/fd-query-points.h"
#include "store/fd-store-provision.h"

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
  GArray *sent; /* Sent: every numeric point submitted, in the order it was stored */
} Fixture;

typedef struct
{
  guint device;
  const char *path;
  gint64 ts;
  double value;
} Sent;

typedef struct
{
  const char *name;
  const char *workspace_id;
  FdWorkspace *workspace;
  FdDevice *device;
} Call;

static gboolean
create_workspace (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  c->workspace = fd_store_workspace_create (db, c->name, NULL, error);
  return c->workspace != NULL;
}

static gboolean
create_device (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  c->device = fd_store_device_create (db, c->workspace_id, NULL, c->name, error);
  return c->device != NULL;
}

static void
open_store (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  f->store = fd_store_open (f->path, 2, &error);
  g_assert_no_error (error);
  f->ingest = fd_ingest_new (f->store);
  /* Only fd_ingest_flush_sync() compacts, unless a test says otherwise. */
  fd_ingest_set_compaction (f->ingest, NEVER, NEVER, NEVER);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Call c = { .name = "Lab" };

  f->dir = g_dir_make_tmp ("fd-ingest-index-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "fleetdesk.db", NULL);
  f->scanner = fd_payload_scanner_new ();
  f->sent = g_array_new (FALSE, FALSE, sizeof (Sent));
  if (data != NULL) /* the test makes the database itself */
    return;
  open_store (f);
  g_assert_true (fd_store_write_sync (f->store, create_workspace, &c, &error));
  f->workspace = c.workspace;
  for (guint i = 0; i < N_DEVICES; i++)
    {
      g_autofree char *name = g_strdup_printf ("sensor-%u", i);
      Call d = { .name = name, .workspace_id = f->workspace->id };

      g_assert_true (fd_store_write_sync (f->store, create_device, &d, &error));
      f->devices[i] = d.device;
      f->who[i] = fd_device_identity_new (d.device->id, f->workspace->id, "crd-test",
                                          FD_DEVICE_AUTH_CERTIFICATE);
    }
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  for (guint i = 0; i < N_DEVICES; i++)
    {
      if (f->who[i] != NULL)
        fd_device_identity_unref (f->who[i]);
      fd_device_free (f->devices[i]);
    }
  fd_workspace_free (f->workspace);
  fd_payload_scanner_free (f->scanner);
  fd_store_close (f->store);
  fd_ingest_free (f->ingest);
  g_array_unref (f->sent);
  fd_test_rm_rf (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* --- submitting --- */

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} Waiter;

static void
submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->ok = fd_ingest_submit_finish (result, &w->error);
  w->done = TRUE;
}

/* Stores @n readings of @device under @tag, the i-th at @ts[i] with @payloads[i], in one
 * request (one commit), and notes the numeric points it holds as the test expects them. */
static gboolean
store (Fixture *f, guint device, const char *tag, guint n, const char *const *payloads,
       const gint64 *ts, GError **error)
{
  FdReadings *r = fd_readings_new (f->who[device], tag);
  Waiter w = { 0 };

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) scan_error = NULL;
      g_assert_true (fd_payload_scan (f->scanner, payloads[i], strlen (payloads[i]), &scan_error));
      fd_readings_add (r, f->scanner, ts[i]);
    }
  fd_ingest_submit_async (f->ingest, r, submitted, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  if (!w.ok)
    {
      g_propagate_error (error, w.error);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (JsonNode) node = json_from_string (payloads[i], NULL);
      JsonObject *o = json_node_get_object (node);
      static const char *const paths[] = { "temp", "hum", "env.co2" };

      for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
        {
          Sent s = { .device = device, .path = paths[p], .ts = ts[i] };
          JsonObject *holder = o;
          const char *member = paths[p];

          if (p == 2)
            {
              if (!json_object_has_member (o, "env"))
                continue;
              holder = json_object_get_object_member (o, "env");
              member = "co2";
            }
          if (!json_object_has_member (holder, member))
            continue;
          s.value = json_object_get_double_member (holder, member);
          g_array_append_val (f->sent, s);
        }
    }
  return TRUE;
}

/* Weather readings of @device at T0 + @offsets[i] seconds (negative: before T0), values
 * derived from @seed; exact binary fractions, so sums are exact too. */
static void
store_weather (Fixture *f, guint device, guint n, const gint64 *offsets_ms, guint seed)
{
  g_autoptr (GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autofree gint64 *ts = g_new (gint64, n);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      guint k = seed * 31 + i * 17;
      ts[i] = T0 + offsets_ms[i];
      if (i % 3 == 2)
        g_ptr_array_add (payloads,
                         g_strdup_printf ("{\"temp\":%.2f,\"ok\":true}", (double)(k % 97) / 4 - 5));
      else
        g_ptr_array_add (payloads,
                         g_strdup_printf ("{\"temp\":%.2f,\"hum\":%u,\"env\":{\"co2\":"
                                          "%u},\"label\":\"x\"}",
                                          (double)(k % 97) / 4 - 5, k % 61, 400 + k % 13));
    }
  g_assert_true (store (f, device, "weather", n, (const char *const *)payloads->pdata, ts, &error));
  g_assert_no_error (error);
}

static void
flush (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (fd_ingest_flush_sync (f->ingest, &error));
  g_assert_no_error (error);
}

static void
flushed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;

  w->ok = fd_ingest_flush_finish (result, &w->error);
  w->done = TRUE;
}

/* The same through the asynchronous call, as the exports use it. */
static void
flush_async (Fixture *f)
{
  Waiter w = { 0 };

  fd_ingest_flush_async (f->ingest, flushed, &w);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w.error);
  g_assert_true (w.ok);
}

/* --- reading back --- */

typedef struct
{
  const char *sql;
  GPtrArray *rows; /* each a "|"-joined text row */
} Query;

static gboolean
query_job (FdDb *db, gpointer data, GError **error)
{
  Query *q = data;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (fd_db_handle (db), q->sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", q->sql, sqlite3_errmsg (fd_db_handle (db)));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GString *row = g_string_new (NULL);
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          const unsigned char *text = sqlite3_column_text (stmt, c);
          g_string_append_printf (row, "%s%s", c ? "|" : "", text ? (const char *)text : "NULL");
        }
      g_ptr_array_add (q->rows, g_string_free (row, FALSE));
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  return TRUE;
}

static GPtrArray *
query (Fixture *f, const char *sql)
{
  Query q = { sql, g_ptr_array_new_with_free_func (g_free) };
  g_autoptr (GError) error = NULL;

  g_assert_true (fd_store_read_sync (f->store, query_job, &q, &error));
  return q.rows;
}

static char *
query_one (Fixture *f, const char *sql)
{
  g_autoptr (GPtrArray) rows = query (f, sql);

  g_assert_cmpuint (rows->len, ==, 1);
  return g_strdup (rows->pdata[0]);
}

static gint64
query_int (Fixture *f, const char *sql)
{
  g_autofree char *v = query_one (f, sql);

  return g_ascii_strtoll (v, NULL, 10);
}

/* The rows of @sql joined by newlines. */
static char *
query_text (Fixture *f, const char *sql)
{
  g_autoptr (GPtrArray) rows = query (f, sql);

  g_ptr_array_add (rows, NULL);
  return g_strjoinv ("\n", (char **)rows->pdata);
}

/* Every sample is in sample_ts, and nothing else; the tail is empty. */
static void
assert_samples_indexed (Fixture *f, gint64 expected)
{
  g_autofree char *all = query_text (f, "SELECT stream, ts_device, id FROM sample"
                                        " ORDER BY stream, ts_device, id");
  g_autofree char *indexed = query_text (f, "SELECT stream, ts_device, id FROM sample_ts");

  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sample"), ==, expected);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sample_ts"), ==, expected);
  g_assert_cmpstr (indexed, ==, all);
  g_assert_cmpint (query_int (f, "SELECT value FROM data_state WHERE key = 'sample_indexed'"), ==,
                   query_int (f, "SELECT coalesce (max (id), 0) FROM sample"));
}

typedef struct
{
  gint64 n;
  double sum, min, max;
  gint64 first_ts, last_ts;
  double first, last;
} Agg;

static void
agg_add (GHashTable *aggs, const char *key, gint64 ts, double v)
{
  Agg *a = g_hash_table_lookup (aggs, key);

  if (a == NULL)
    {
      a = g_new0 (Agg, 1);
      *a = (Agg){ 1, v, v, v, ts, ts, v, v };
      g_hash_table_insert (aggs, g_strdup (key), a);
      return;
    }
  a->n++;
  a->sum += v;
  a->min = MIN (a->min, v);
  a->max = MAX (a->max, v);
  if (ts < a->first_ts)
    a->first_ts = ts, a->first = v;
  if (ts >= a->last_ts)
    a->last_ts = ts, a->last = v;
}

typedef struct
{
  const char *table;
  GHashTable *rows; /* "series|bucket" -> Agg */
} RollupRead;

static gboolean
read_rollups_job (FdDb *db, gpointer data, GError **error)
{
  RollupRead *r = data;
  g_autofree char *sql = g_strdup_printf (
      "SELECT series, bucket, n, sum, min, max, first_ts, first, last_ts, last FROM %s", r->table);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (fd_db_handle (db), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Agg *a = g_new0 (Agg, 1);
      a->n = sqlite3_column_int64 (stmt, 2);
      a->sum = sqlite3_column_double (stmt, 3);
      a->min = sqlite3_column_double (stmt, 4);
      a->max = sqlite3_column_double (stmt, 5);
      a->first_ts = sqlite3_column_int64 (stmt, 6);
      a->first = sqlite3_column_double (stmt, 7);
      a->last_ts = sqlite3_column_int64 (stmt, 8);
      a->last = sqlite3_column_double (stmt, 9);
      g_hash_table_insert (r->rows,
                           g_strdup_printf ("%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT,
                                            (gint64)sqlite3_column_int64 (stmt, 0),
                                            (gint64)sqlite3_column_int64 (stmt, 1)),
                           a);
    }
  sqlite3_finalize (stmt);
  return TRUE;
}

static void
assert_aggs_equal (GHashTable *expected, GHashTable *got)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (got), ==, g_hash_table_size (expected));
  g_hash_table_iter_init (&iter, expected);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Agg *e = value, *g = g_hash_table_lookup (got, key);

      if (g == NULL)
        g_error ("no rollup row for %s", (char *)key);
      g_assert_cmpint (g->n, ==, e->n);
      g_assert_cmpfloat (fabs (g->sum - e->sum), <=, 1e-9 * MAX (1.0, fabs (e->sum)));
      g_assert_cmpfloat (g->min, ==, e->min);
      g_assert_cmpfloat (g->max, ==, e->max);
      g_assert_cmpint (g->first_ts, ==, e->first_ts);
      g_assert_cmpfloat (g->first, ==, e->first);
      g_assert_cmpint (g->last_ts, ==, e->last_ts);
      g_assert_cmpfloat (g->last, ==, e->last);
    }
}

/* The series id of (@device, weather, @path). */
static gint64
series_of (Fixture *f, guint device, const char *path)
{
  g_autofree char *sql
      = g_strdup_printf ("SELECT s.id FROM series s JOIN stream t ON t.id = s.stream"
                         " WHERE t.device_id = '%s' AND t.tag = 'weather' AND s.path = '%s'",
                         f->devices[device]->id, path);

  return query_int (f, sql);
}

static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return x < y ? -1 : x > y;
}

/* rollup_1h equals what the points the test sent give (all of them compacted), there is no
 * other rollup table, and point_block holds exactly those points, decoded with
 * fd-data-layout.h. */
static void
assert_rollups (Fixture *f)
{
  const gint64 widths[] = { FD_ROLLUP_1H_MS };
  const char *const tables[] = { "rollup_1h" };
  g_autoptr (GString) sent_points = g_string_new (NULL);
  g_autoptr (GString) block_points = g_string_new (NULL);
  g_autoptr (GPtrArray) blocks = NULL;

  g_assert_cmpint (query_int (f, "SELECT count(*) FROM point_recent"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'rollup%'"),
                   ==, 1);
  for (guint t = 0; t < G_N_ELEMENTS (widths); t++)
    {
      g_autoptr (GHashTable) expected
          = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      RollupRead r = { tables[t], g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
      g_autoptr (GError) error = NULL;

      for (guint i = 0; i < f->sent->len; i++)
        {
          Sent *s = &g_array_index (f->sent, Sent, i);
          g_autofree char *key
              = g_strdup_printf ("%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT,
                                 series_of (f, s->device, s->path), s->ts - (s->ts % widths[t]));
          agg_add (expected, key, s->ts, s->value);
        }
      g_assert_true (fd_store_read_sync (f->store, read_rollups_job, &r, &error));
      assert_aggs_equal (expected, r.rows);
      g_hash_table_unref (r.rows);
    }

  /* Per series and UTC hour, in stored order: what was sent, and what the blocks hold (a
   * block lies within one hour; a tie is within one hour, so this is the order ties need). */
  for (guint d = 0; d < N_DEVICES; d++)
    {
      const char *const paths[] = { "temp", "hum", "env.co2" };
      for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
        {
          g_autoptr (GArray) hours = g_array_new (FALSE, FALSE, sizeof (gint64));

          for (guint i = 0; i < f->sent->len; i++)
            {
              Sent *s = &g_array_index (f->sent, Sent, i);
              gint64 hour = fd_bucket_start (s->ts, FD_ROLLUP_1H_MS);
              gboolean seen = FALSE;

              if (s->device != d || !g_str_equal (s->path, paths[p]))
                continue;
              for (guint h = 0; h < hours->len; h++)
                seen = seen || g_array_index (hours, gint64, h) == hour;
              if (!seen)
                g_array_append_val (hours, hour);
            }
          g_array_sort (hours, cmp_i64);
          for (guint h = 0; h < hours->len; h++)
            for (guint i = 0; i < f->sent->len; i++)
              {
                Sent *s = &g_array_index (f->sent, Sent, i);
                if (s->device == d && g_str_equal (s->path, paths[p])
                    && fd_bucket_start (s->ts, FD_ROLLUP_1H_MS) == g_array_index (hours, gint64, h))
                  g_string_append_printf (sent_points,
                                          "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "=%.17g\n",
                                          series_of (f, d, paths[p]), s->ts, s->value);
              }
        }
    }
  /* Every block lies within one hour, and data_state knows the largest span. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM point_block"
                                 " WHERE t_first / 3600000 != t_last / 3600000"),
                   ==, 0);
  g_assert_cmpint (query_int (f, "SELECT value FROM data_state WHERE key = 'block_max_span'"), ==,
                   query_int (f, "SELECT coalesce (max (t_last - t_first), 0) FROM point_block"));
  blocks = query (f, "SELECT series, hex (data) FROM point_block"
                     " ORDER BY series, t_first / 3600000, rowid");
  for (guint i = 0; i < blocks->len; i++)
    {
      g_auto (GStrv) cols = g_strsplit (blocks->pdata[i], "|", 2);
      gsize len = strlen (cols[1]) / 2;
      g_autofree guint8 *blob = g_malloc (len);
      gssize n;

      for (gsize k = 0; k < len; k++)
        {
          char byte[3] = { cols[1][2 * k], cols[1][2 * k + 1], 0 };
          blob[k] = (guint8)g_ascii_strtoull (byte, NULL, 16);
        }
      n = fd_points_block_count (blob, len);
      g_assert_cmpint (n, >, 0);
      for (gssize k = 0; k < n; k++)
        {
          gint64 ts;
          double v;
          fd_points_block_get (blob, (gsize)k, &ts, &v);
          g_string_append_printf (block_points, "%s %" G_GINT64_FORMAT "=%.17g\n", cols[0], ts, v);
        }
    }
  /* Series ids grow with (device, path) order here: devices and paths were first seen in it. */
  g_assert_cmpstr (block_points->str, ==, sent_points->str);
}

/* --- tests --- */

static const gint64 early[] = { 0, 5000, 59999, 60000, 1000, 120500, 7000, 3600000, 3599999 };
static const gint64 late[] = { 1000, -3600000, 30000, 59999, 60001, -1, 3600000 };

static void
test_exact (Fixture *f, gconstpointer data)
{
  const char *const status[] = { "{\"state\":\"idle\"}", "{\"state\":\"busy\",\"why\":[\"a\"]}" };
  const gint64 status_ts[] = { T0 + 5, T0 - 86400000 };
  g_autoptr (GError) error = NULL;
  gint64 samples = 0;

  /* Out of order device times across minutes and the hour, the same time twice (a tie), in
   * several commits of several devices. */
  for (guint d = 0; d < N_DEVICES; d++)
    {
      store_weather (f, d, G_N_ELEMENTS (early), early, d);
      samples += G_N_ELEMENTS (early);
      g_assert_true (store (f, d, "status", 2, status, status_ts, &error));
      samples += 2;
    }
  store_weather (f, 0, G_N_ELEMENTS (early), early, 7); /* every time again: ties */
  samples += G_N_ELEMENTS (early);
  /* Nothing compacted yet: everything is in the tail. */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sample_ts"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM rollup_1h"), ==, 0);
  flush (f);
  assert_samples_indexed (f, samples);
  assert_rollups (f);

  /* Late data into the same hours (and earlier ones), compacted again: merged. */
  for (guint d = 0; d < N_DEVICES; d++)
    {
      store_weather (f, d, G_N_ELEMENTS (late), late, 10 + d);
      samples += G_N_ELEMENTS (late);
    }
  g_assert_true (store (f, 1, "status", 2, status, status_ts, &error));
  samples += 2;
  flush_async (f);
  assert_samples_indexed (f, samples);
  assert_rollups (f);

  /* A flush with nothing waiting changes nothing. */
  flush (f);
  assert_samples_indexed (f, samples);
  assert_rollups (f);
}

/* A tie decided across two compactions: the earlier one keeps first, the later one takes
 * last. */
static void
test_ties_across_compactions (Fixture *f, gconstpointer data)
{
  const char *const a[] = { "{\"temp\":1}", "{\"temp\":2}" };
  const char *const b[] = { "{\"temp\":3}", "{\"temp\":4}" };
  const gint64 ts[] = { T0 + 10, T0 + 10 };
  g_autoptr (GError) error = NULL;
  g_autofree char *row = NULL;

  g_assert_true (store (f, 0, "weather", 2, a, ts, &error));
  flush (f);
  row = query_one (f, "SELECT n, sum, min, max, first_ts - bucket, first, last_ts - bucket, last"
                      " FROM rollup_1h");
  g_assert_cmpstr (row, ==, "2|3.0|1.0|2.0|3200010|1.0|3200010|2.0");
  g_assert_true (store (f, 0, "weather", 2, b, ts, &error));
  flush (f);
  g_clear_pointer (&row, g_free);
  row = query_one (f, "SELECT n, sum, min, max, first_ts - bucket, first, last_ts - bucket, last"
                      " FROM rollup_1h");
  g_assert_cmpstr (row, ==, "4|10.0|1.0|4.0|3200010|1.0|3200010|4.0");
  assert_rollups (f);
}

static gboolean
exec_job (FdDb *db, gpointer data, GError **error)
{
  return fd_db_exec (db, data, error);
}

/* A compaction that fails at its last step (sample_ts) rolls back its blocks and rollups too;
 * the writer's counters are read again, and the next one is whole. */
static void
test_rollback (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL;
  const char *state = "SELECT (SELECT count(*) FROM sample), (SELECT count(*) FROM sample_ts),"
                      " (SELECT count(*) FROM point_recent), (SELECT count(*) FROM point_block),"
                      " (SELECT count(*) || '/' || total (n) FROM rollup_1h),"
                      " (SELECT value FROM data_state WHERE key = 'sample_indexed')";

  store_weather (f, 0, G_N_ELEMENTS (early), early, 1);
  flush (f);
  store_weather (f, 1, G_N_ELEMENTS (late), late, 2);
  store_weather (f, 0, G_N_ELEMENTS (late), late, 3);
  before = query_one (f, state);
  /* 3 series, each with points in two hours (T0 + 3599999 is in the next one): 6 blocks */
  g_assert_cmpstr (before, ==, "23|9|2|6|6/21.0|9");

  g_assert_true (fd_store_write_sync (f->store, exec_job,
                                      "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.sample_ts"
                                      " BEGIN SELECT RAISE (ABORT, 'refused by the test'); END",
                                      &error));
  g_assert_false (fd_ingest_flush_sync (f->ingest, &error));
  g_assert_nonnull (strstr (error->message, "refused by the test"));
  g_clear_error (&error);
  after = query_one (f, state);
  g_assert_cmpstr (after, ==, before);

  /* Readings whose commit compacts (threshold reached) fail with it: nothing of them stays. */
  fd_ingest_set_compaction (f->ingest, NEVER, 15, NEVER); /* 39 points, 19 samples */
  {
    const char *const p[]
        = { "{\"temp\":1}", "{\"temp\":2}", "{\"temp\":3}", "{\"temp\":4}", "{\"temp\":5}" };
    const gint64 ts[] = { T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4 };
    g_assert_false (store (f, 2, "weather", 5, p, ts, &error));
    g_clear_error (&error);
  }
  g_clear_pointer (&after, g_free);
  after = query_one (f, state);
  g_assert_cmpstr (after, ==, before);

  g_assert_true (fd_store_write_sync (f->store, exec_job, "DROP TRIGGER temp.refuse", &error));
  fd_ingest_set_compaction (f->ingest, NEVER, NEVER, NEVER);
  flush (f);
  assert_samples_indexed (f, 23);
  assert_rollups (f);
}

/* Samples without numeric fields reach the thresholds too: compaction is not only for points. */
static void
test_samples_without_points (Fixture *f, gconstpointer data)
{
  const char *const p[] = { "{\"state\":\"a\"}", "{\"state\":\"b\"}", "{\"state\":\"c\"}" };
  const gint64 ts[] = { T0 + 3, T0 + 1, T0 + 2 };
  g_autoptr (GError) error = NULL;

  fd_ingest_set_compaction (f->ingest, NEVER, 5, NEVER);
  g_assert_true (store (f, 0, "status", 3, p, ts, &error));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sample_ts"), ==, 0);
  g_assert_true (store (f, 1, "status", 3, p, ts, &error)); /* 6 >= 5: compacted */
  assert_samples_indexed (f, 6);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM point_block"), ==, 0);
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM rollup_1h"), ==, 0);
  g_assert_true (store (f, 1, "status", 1, p, ts, &error));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sample_ts"), ==, 6);

  /* And by age: the oldest waiting sample is older than 1 ms at the next commit. */
  fd_ingest_set_compaction (f->ingest, NEVER, NEVER, 1);
  g_usleep (2000);
  g_assert_true (store (f, 2, "status", 1, p, ts, &error));
  assert_samples_indexed (f, 8);
}

/* Retention may delete every sample up to the newest: SQLite would then give ids at or below
 * the mark, which sample_ts would never get. */
static void
test_ids_after_emptied (Fixture *f, gconstpointer data)
{
  const char *const p[] = { "{\"state\":\"a\"}", "{\"state\":\"b\"}" };
  const gint64 ts[] = { T0, T0 + 1 };
  g_autoptr (GError) error = NULL;

  g_assert_true (store (f, 0, "status", 2, p, ts, &error));
  g_assert_true (store (f, 0, "status", 2, p, ts, &error));
  flush (f);
  g_assert_true (fd_store_write_sync (f->store, exec_job,
                                      "DELETE FROM sample; DELETE FROM sample_ts", &error));
  g_assert_true (store (f, 1, "status", 2, p, ts, &error));
  g_assert_cmpint (query_int (f, "SELECT min (id) FROM sample"), ==, 5);
  flush (f);
  assert_samples_indexed (f, 2);
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
test_migration (Fixture *f, gconstpointer data)
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

  open_store (f);
  assert_samples_indexed (f, 4);
  /* sample_indexed and the blocks' largest span (block 1: T0 + 1000 .. T0 + 70000) */
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM data_state"), ==, 2);
  g_assert_cmpint (query_int (f, "SELECT value FROM data_state WHERE key = 'block_max_span'"), ==,
                   69000);
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
  m = query_text (f, "SELECT series, n, first_ts - bucket, last_ts - bucket FROM rollup_1h"
                     " ORDER BY series, bucket");
  /* T0 is 53:20 past the hour: T0 + 500 is first, T0 + 70000 (54:30) last, in one hour. */
  g_assert_cmpstr (m, ==, "7|4|3200500|3270000\n8|1|3201000|3201000");
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM sqlite_master WHERE name = 'rollup_1m'"), ==,
                   0);
  h = query_text (f, "SELECT series, n, sum, min, max, first, last FROM rollup_1h"
                     " ORDER BY series, bucket");
  g_assert_cmpstr (h, ==, "7|4|16.0|1.0|10.0|3.0|10.0\n8|1|2.0|2.0|2.0|2.0|2.0");

  /* Done once: a restart does not add them again. */
  fd_store_close (f->store);
  fd_ingest_free (f->ingest);
  open_store (f);
  g_clear_pointer (&h, g_free);
  h = query_text (f, "SELECT series, n, sum, min, max, first, last FROM rollup_1h"
                     " ORDER BY series, bucket");
  g_assert_cmpstr (h, ==, "7|4|16.0|1.0|10.0|3.0|10.0\n8|1|2.0|2.0|2.0|2.0|2.0");
}

/* A batch spanning several hours makes one block per series and hour, each in stored order;
 * late data spanning days (after a compaction) the same; the rollups stay exact, ties too,
 * and the largest span stays under an hour. */
static void
test_hourly_blocks (Fixture *f, gconstpointer data)
{
  gint64 spread[13], days[12];
  g_autofree char *span = NULL;

  /* Every 25 minutes for 5 hours, out of order, with a tie at the end; T0 is 53:20 past. */
  for (guint i = 0; i < 12; i++)
    spread[i] = (gint64)((i * 7) % 12) * 25 * 60000 + 13;
  spread[12] = spread[11];
  store_weather (f, 0, G_N_ELEMENTS (spread), spread, 1);
  store_weather (f, 1, 4, spread, 2);
  flush (f);
  /* device 0: 12 distinct times over [T0, T0 + 4:35] = hours 11 .. 16 (6 hours) */
  g_assert_cmpint (
      query_int (f, "SELECT count(*) FROM point_block b JOIN series s"
                    " ON s.id = b.series WHERE s.path = 'temp'"),
      ==,
      query_int (f, "SELECT count(*) FROM (SELECT DISTINCT series,"
                    " t_first / 3600000 FROM point_block b JOIN series s ON s.id = b.series"
                    " WHERE s.path = 'temp')"));
  g_assert_cmpint (query_int (f, "SELECT count(*) FROM point_block b JOIN series s"
                                 " ON s.id = b.series JOIN stream t ON t.id = s.stream"
                                 " WHERE s.path = 'temp' AND t.device_id = (SELECT device_id"
                                 " FROM stream ORDER BY id LIMIT 1)"),
                   ==, 6);
  assert_rollups (f);

  /* Late: two days before, and across them, in one batch; then again into the same hours. */
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    days[i] = -(gint64)(i * 4 + 1) * 3600000 + (gint64)i * 1000;
  store_weather (f, 0, G_N_ELEMENTS (days), days, 3);
  flush (f);
  store_weather (f, 0, G_N_ELEMENTS (days), days, 4);
  store_weather (f, 2, G_N_ELEMENTS (spread), spread, 5);
  flush (f);
  assert_rollups (f);
  span = query_one (f, "SELECT value < 3600000 FROM data_state WHERE key = 'block_max_span'");
  g_assert_cmpstr (span, ==, "1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ingest-index/exact", test_exact);
  ADD ("/ingest-index/ties-across-compactions", test_ties_across_compactions);
  ADD ("/ingest-index/rollback", test_rollback);
  ADD ("/ingest-index/samples-without-points", test_samples_without_points);
  ADD ("/ingest-index/ids-after-emptied", test_ids_after_emptied);
  ADD ("/ingest-index/hourly-blocks", test_hourly_blocks);
#undef ADD
  g_test_add ("/ingest-index/migration", Fixture, "own database", fixture_set_up, test_migration,
              fixture_tear_down);
  g_test_add_func ("/ingest-index/bucket-start", test_bucket_start);
  return g_test_run ();
}
