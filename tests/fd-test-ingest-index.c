/* fd-test-ingest-index.c — the store, ingest and table reads test-ingest-index.c works with. */
#include "fd-test-ingest-index.h"

#include <math.h>
#include <string.h>

#include "ingest/fd-data-layout.h"
#include "query/fd-query-points.h"

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

void
fd_ti_open_store (FdTiFixture *f)
{
  g_autoptr (GError) error = NULL;

  f->store = fd_store_open (f->path, 2, &error);
  g_assert_no_error (error);
  f->ingest = fd_ingest_new (f->store);
  /* Only fd_ingest_flush_sync() compacts, unless a test says otherwise. */
  fd_ingest_set_compaction (f->ingest, NEVER, NEVER, NEVER);
}

void
fd_ti_fixture_set_up (FdTiFixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  Call c = { .name = "Lab" };

  f->dir = g_dir_make_tmp ("fd-ingest-index-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "fleetdesk.db", NULL);
  f->scanner = fd_payload_scanner_new ();
  f->sent = g_array_new (FALSE, FALSE, sizeof (FdTiSent));
  if (data != NULL) /* the test makes the database itself */
    return;
  fd_ti_open_store (f);
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

void
fd_ti_fixture_tear_down (FdTiFixture *f, gconstpointer data)
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
gboolean
fd_ti_store (FdTiFixture *f, guint device, const char *tag, guint n, const char *const *payloads,
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
          FdTiSent s = { .device = device, .path = paths[p], .ts = ts[i] };
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
void
fd_ti_store_weather (FdTiFixture *f, guint device, guint n, const gint64 *offsets_ms, guint seed)
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
  g_assert_true (
      fd_ti_store (f, device, "weather", n, (const char *const *)payloads->pdata, ts, &error));
  g_assert_no_error (error);
}

void
fd_ti_flush (FdTiFixture *f)
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
void
fd_ti_flush_async (FdTiFixture *f)
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
query (FdTiFixture *f, const char *sql)
{
  Query q = { sql, g_ptr_array_new_with_free_func (g_free) };
  g_autoptr (GError) error = NULL;

  g_assert_true (fd_store_read_sync (f->store, query_job, &q, &error));
  return q.rows;
}

char *
fd_ti_query_one (FdTiFixture *f, const char *sql)
{
  g_autoptr (GPtrArray) rows = query (f, sql);

  g_assert_cmpuint (rows->len, ==, 1);
  return g_strdup (rows->pdata[0]);
}

gint64
fd_ti_query_int (FdTiFixture *f, const char *sql)
{
  g_autofree char *v = fd_ti_query_one (f, sql);

  return g_ascii_strtoll (v, NULL, 10);
}

/* The rows of @sql joined by newlines. */
char *
fd_ti_query_text (FdTiFixture *f, const char *sql)
{
  g_autoptr (GPtrArray) rows = query (f, sql);

  g_ptr_array_add (rows, NULL);
  return g_strjoinv ("\n", (char **)rows->pdata);
}

/* Every sample is in sample_ts, and nothing else; the tail is empty. */
void
fd_ti_assert_samples_indexed (FdTiFixture *f, gint64 expected)
{
  g_autofree char *all = fd_ti_query_text (f, "SELECT stream, ts_device, id FROM sample"
                                              " ORDER BY stream, ts_device, id");
  g_autofree char *indexed = fd_ti_query_text (f, "SELECT stream, ts_device, id FROM sample_ts");

  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM sample"), ==, expected);
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM sample_ts"), ==, expected);
  g_assert_cmpstr (indexed, ==, all);
  g_assert_cmpint (fd_ti_query_int (f, "SELECT value FROM data_state WHERE key = 'sample_indexed'"),
                   ==, fd_ti_query_int (f, "SELECT coalesce (max (id), 0) FROM sample"));
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
series_of (FdTiFixture *f, guint device, const char *path)
{
  g_autofree char *sql
      = g_strdup_printf ("SELECT s.id FROM series s JOIN stream t ON t.id = s.stream"
                         " WHERE t.device_id = '%s' AND t.tag = 'weather' AND s.path = '%s'",
                         f->devices[device]->id, path);

  return fd_ti_query_int (f, sql);
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
void
fd_ti_assert_rollups (FdTiFixture *f)
{
  const gint64 widths[] = { FD_ROLLUP_1H_MS };
  const char *const tables[] = { "rollup_1h" };
  g_autoptr (GString) sent_points = g_string_new (NULL);
  g_autoptr (GString) block_points = g_string_new (NULL);
  g_autoptr (GPtrArray) blocks = NULL;

  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM point_recent"), ==, 0);
  g_assert_cmpint (
      fd_ti_query_int (f, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'rollup%'"), ==, 1);
  for (guint t = 0; t < G_N_ELEMENTS (widths); t++)
    {
      g_autoptr (GHashTable) expected
          = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      RollupRead r = { tables[t], g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
      g_autoptr (GError) error = NULL;

      for (guint i = 0; i < f->sent->len; i++)
        {
          FdTiSent *s = &g_array_index (f->sent, FdTiSent, i);
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
              FdTiSent *s = &g_array_index (f->sent, FdTiSent, i);
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
                FdTiSent *s = &g_array_index (f->sent, FdTiSent, i);
                if (s->device == d && g_str_equal (s->path, paths[p])
                    && fd_bucket_start (s->ts, FD_ROLLUP_1H_MS) == g_array_index (hours, gint64, h))
                  g_string_append_printf (sent_points,
                                          "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "=%.17g\n",
                                          series_of (f, d, paths[p]), s->ts, s->value);
              }
        }
    }
  /* Every block lies within one hour, and data_state knows the largest span. */
  g_assert_cmpint (fd_ti_query_int (f, "SELECT count(*) FROM point_block"
                                       " WHERE t_first / 3600000 != t_last / 3600000"),
                   ==, 0);
  g_assert_cmpint (
      fd_ti_query_int (f, "SELECT value FROM data_state WHERE key = 'block_max_span'"), ==,
      fd_ti_query_int (f, "SELECT coalesce (max (t_last - t_first), 0) FROM point_block"));
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
