/* test-ingest.c — the ingest service on a real store: samples, numeric points, fields per
 * tag, the latest reading per device and tag, last_seen and up messages; what a transaction
 * that groups many requests writes; what a failing request leaves behind (nothing).
 */
#include "fd-test-server.h"

#include <string.h>

#include "ingest/fd-ingest.h"
#include "store/fd-store-provision.h"

typedef struct
{
  char *dir;
  FdStore *store;
  FdIngest *ingest;
  FdPayloadScanner *scanner;
  FdWorkspace *workspace;
  FdDevice *device;
  FdDeviceIdentity *who;
} Fixture;

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

static FdDevice *
make_device (Fixture *f, const char *name)
{
  g_autoptr (GError) error = NULL;
  Call c = { .name = name, .workspace_id = f->workspace->id };

  g_assert_true (fd_store_write_sync (f->store, create_device, &c, &error));
  return c.device;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  Call c = { .name = "Lab" };

  f->dir = g_dir_make_tmp ("fd-ingest-XXXXXX", NULL);
  path = g_build_filename (f->dir, "fleetdesk.db", NULL);
  f->store = fd_store_open (path, 2, &error);
  g_assert_no_error (error);
  f->ingest = fd_ingest_new (f->store);
  f->scanner = fd_payload_scanner_new ();
  g_assert_true (fd_store_write_sync (f->store, create_workspace, &c, &error));
  f->workspace = c.workspace;
  f->device = make_device (f, "sensor-1");
  f->who = fd_device_identity_new (f->device->id, f->workspace->id, "crd-test",
                                   FD_DEVICE_AUTH_CERTIFICATE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fd_device_identity_unref (f->who);
  fd_device_free (f->device);
  fd_workspace_free (f->workspace);
  fd_payload_scanner_free (f->scanner);
  fd_store_close (f->store);
  fd_ingest_free (f->ingest);
  fd_test_rm_rf (f->dir);
  g_free (f->dir);
}

/* --- submitting and waiting --- */

typedef struct
{
  guint pending;
  guint ok;
  guint failed;
  GError *last_error;
} Waiter;

/* Counts an answer: one more ok, or one more failure and its error. */
static void
waiter_answered (Waiter *w, gboolean ok, GError *error)
{
  if (ok)
    w->ok++;
  else
    {
      w->failed++;
      g_clear_error (&w->last_error);
      w->last_error = error;
    }
  w->pending--;
}

static void
submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError *error = NULL;
  gboolean ok = fd_ingest_submit_finish (result, &error);

  waiter_answered (user_data, ok, error);
}

static void
wait_all (Waiter *w)
{
  while (w->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

static FdReadings *
readings (Fixture *f, FdDeviceIdentity *who, const char *tag, const char *const *payloads,
          const gint64 *ts)
{
  FdReadings *r = fd_readings_new (who, tag);

  for (guint i = 0; payloads[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_true (fd_payload_scan (f->scanner, payloads[i], strlen (payloads[i]), &error));
      fd_readings_add (r, f->scanner, ts ? ts[i] : FD_READINGS_TS_ARRIVAL);
    }
  return r;
}

static void
submit (Fixture *f, Waiter *w, FdReadings *r)
{
  w->pending++;
  fd_ingest_submit_async (f->ingest, r, submitted, w);
}

/* --- reading the store back with plain SQL --- */

typedef struct
{
  const char *sql;
  const char *arg;
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
  if (q->arg != NULL)
    sqlite3_bind_text (stmt, 1, q->arg, -1, SQLITE_STATIC);
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
query (Fixture *f, const char *sql, const char *arg)
{
  Query q = { sql, arg, g_ptr_array_new_with_free_func (g_free) };
  g_autoptr (GError) error = NULL;

  g_assert_true (fd_store_read_sync (f->store, query_job, &q, &error));
  return q.rows;
}

static const char *
one (GPtrArray *rows)
{
  g_assert_cmpuint (rows->len, ==, 1);
  return g_ptr_array_index (rows, 0);
}

static gint64
le64 (const char *hex)
{
  guint8 raw[8];
  gint64 v;

  for (guint k = 0; k < 8; k++)
    {
      char byte[3] = { hex[2 * k], hex[2 * k + 1], 0 };
      raw[k] = (guint8)g_ascii_strtoull (byte, NULL, 16);
    }
  memcpy (&v, raw, 8);
  return GINT64_FROM_LE (v);
}

static double
le_double (const char *hex)
{
  gint64 bits = le64 (hex);
  double d;

  memcpy (&d, &bits, 8);
  return d;
}

/* Every point stored for (@tag, @path) of @device_id, as "ts=value" lines: those already in
 * per-series blocks, then those still in point_recent, each in the order it arrived. */
static char *
points (Fixture *f, const char *device_id, const char *tag, const char *path)
{
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *series_sql
      = g_strdup_printf ("SELECT s.id FROM series s JOIN stream t ON t.id = s.stream"
                         " WHERE t.device_id = ?1 AND t.tag = '%s' AND s.path = '%s'",
                         tag, path);
  g_autoptr (GPtrArray) series = query (f, series_sql, device_id);
  g_autofree char *blocks_sql = NULL;
  g_autoptr (GPtrArray) blocks = NULL, recent = NULL;
  gint64 id;

  if (series->len == 0)
    return g_strdup ("");
  id = g_ascii_strtoll (g_ptr_array_index (series, 0), NULL, 10);
  blocks_sql = g_strdup_printf (
      "SELECT hex (data), n FROM point_block WHERE series = %" G_GINT64_FORMAT " ORDER BY rowid",
      id);
  blocks = query (f, blocks_sql, NULL);
  for (guint i = 0; i < blocks->len; i++)
    {
      g_auto (GStrv) cols = g_strsplit (g_ptr_array_index (blocks, i), "|", -1);
      guint n = (guint)g_ascii_strtoull (cols[1], NULL, 10);

      g_assert_cmpuint (strlen (cols[0]), ==, 2 + 32 * n);
      g_assert_true (g_str_has_prefix (cols[0], "01")); /* format 1 */
      for (guint p = 0; p < n; p++)
        g_string_append_printf (out, "%" G_GINT64_FORMAT "=%g\n", le64 (cols[0] + 2 + 32 * p),
                                le_double (cols[0] + 2 + 32 * p + 16));
    }
  recent = query (f, "SELECT hex (data), n FROM point_recent ORDER BY id", NULL);
  for (guint i = 0; i < recent->len; i++)
    {
      g_auto (GStrv) cols = g_strsplit (g_ptr_array_index (recent, i), "|", -1);
      guint n = (guint)g_ascii_strtoull (cols[1], NULL, 10);

      g_assert_cmpuint (strlen (cols[0]), ==, 2 + 48 * n);
      g_assert_true (g_str_has_prefix (cols[0], "01"));
      for (guint p = 0; p < n; p++)
        {
          const char *t = cols[0] + 2 + 48 * p;
          if (le64 (t) == id)
            g_string_append_printf (out, "%" G_GINT64_FORMAT "=%g\n", le64 (t + 16),
                                    le_double (t + 32));
        }
    }
  return g_strdup (out->str);
}

/* --- tests --- */

static void
test_one_reading (Fixture *f, gconstpointer data)
{
  const char *const payloads[] = { "{ \"temp\": 21.5, \"hum\": 40, \"env\": {\"co2\": 412, "
                                   "\"ok\": true}, \"label\": \"kitchen\", \"list\": [1, 2] }",
                                   NULL };
  Waiter w = { 0 };
  g_autoptr (GPtrArray) samples = NULL, fields = NULL, stream = NULL, device = NULL;
  g_autofree char *temp = NULL, *co2 = NULL, *label = NULL;

  submit (f, &w, readings (f, f->who, "weather", payloads, NULL));
  wait_all (&w);
  g_assert_cmpuint (w.ok, ==, 1);

  samples = query (f, "SELECT s.payload, s.ts_device = s.ts_in FROM sample s", NULL);
  g_assert_cmpstr (one (samples), ==,
                   "{\"temp\":21.5,\"hum\":40,\"env\":{\"co2\":412,\"ok\":true},"
                   "\"label\":\"kitchen\",\"list\":[1,2]}|1");
  fields = query (f,
                  "SELECT path || ':' || type FROM tag_field WHERE tag = 'weather'"
                  " ORDER BY path",
                  NULL);
  g_assert_cmpuint (fields->len, ==, 6);
  g_assert_cmpstr (g_ptr_array_index (fields, 0), ==, "env.co2:number");
  g_assert_cmpstr (g_ptr_array_index (fields, 1), ==, "env.ok:boolean");
  g_assert_cmpstr (g_ptr_array_index (fields, 2), ==, "hum:number");
  g_assert_cmpstr (g_ptr_array_index (fields, 3), ==, "label:string");
  g_assert_cmpstr (g_ptr_array_index (fields, 4), ==, "list:array");
  g_assert_cmpstr (g_ptr_array_index (fields, 5), ==, "temp:number");

  stream = query (f,
                  "SELECT workspace_id, fleet_id, readings, last_sample = (SELECT max(id) FROM"
                  " sample) FROM stream WHERE device_id = ?1",
                  f->device->id);
  {
    g_autofree char *want = g_strdup_printf ("%s|%s|1|1", f->workspace->id, f->device->fleet_id);
    g_assert_cmpstr (one (stream), ==, want);
  }
  device = query (f, "SELECT last_seen > 0 FROM device WHERE id = ?1", f->device->id);
  g_assert_cmpstr (one (device), ==, "1");

  /* Numbers are points too; strings, booleans and arrays are not. */
  temp = points (f, f->device->id, "weather", "temp");
  co2 = points (f, f->device->id, "weather", "env.co2");
  label = points (f, f->device->id, "weather", "label");
  g_assert_true (g_str_has_suffix (temp, "=21.5\n"));
  g_assert_true (g_str_has_suffix (co2, "=412\n"));
  g_assert_cmpstr (label, ==, "");
}

static void
test_batch_device_times (Fixture *f, gconstpointer data)
{
  const char *const payloads[] = { "{\"v\":1}", "{\"v\":2}", "{\"v\":3}", NULL };
  /* 0 is a time like any other (1970-01-01T00:00:00Z), not "when it arrived" */
  const gint64 ts[] = { 1700000000000, 0, 1700000002500 };
  Waiter w = { 0 };
  g_autofree char *v = NULL;
  g_autoptr (GPtrArray) samples = NULL;

  submit (f, &w, readings (f, f->who, "power", payloads, ts));
  wait_all (&w);
  g_assert_cmpuint (w.ok, ==, 1);
  v = points (f, f->device->id, "power", "v");
  g_assert_cmpstr (v, ==, "1700000000000=1\n0=2\n1700000002500=3\n");
  samples = query (f, "SELECT ts_device FROM sample ORDER BY id", NULL);
  g_assert_cmpuint (samples->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (samples, 1), ==, "0");
  g_assert_cmpstr (g_ptr_array_index (samples, 2), ==, "1700000002500");
}

/* Holds the writer inside a transaction until released, so that what is queued meanwhile is
 * grouped into that transaction. */
typedef struct
{
  GMutex lock;
  GCond cond;
  gboolean entered, released;
} Gate;

static gboolean
gate_job (FdDb *db, gpointer data, GError **error)
{
  Gate *g = data;

  g_mutex_lock (&g->lock);
  g->entered = TRUE;
  g_cond_broadcast (&g->cond);
  while (!g->released)
    g_cond_wait (&g->cond, &g->lock);
  g_mutex_unlock (&g->lock);
  return TRUE;
}

static void
gate_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *w = user_data;
  g_assert_true (fd_store_run_finish (result, NULL));
  w->pending--;
}

static void
hold_writer (Fixture *f, Gate *g, Waiter *w)
{
  g_mutex_init (&g->lock);
  g_cond_init (&g->cond);
  w->pending++;
  fd_store_write_async (f->store, gate_job, g, NULL, gate_done, w);
  g_mutex_lock (&g->lock);
  while (!g->entered)
    g_cond_wait (&g->cond, &g->lock);
  g_mutex_unlock (&g->lock);
}

static void
release_writer (Gate *g)
{
  g_mutex_lock (&g->lock);
  g->released = TRUE;
  g_cond_broadcast (&g->cond);
  g_mutex_unlock (&g->lock);
}

static void
test_grouped_commit_writes_series_once (Fixture *f, gconstpointer data)
{
  Gate g = { 0 };
  Waiter w = { 0 };
  g_autoptr (GPtrArray) blocks = NULL, stream = NULL, samples = NULL;
  g_autofree char *temp = NULL;

  hold_writer (f, &g, &w);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"temp\":%u,\"hum\":%u}", i, 100 - i);
      const char *const payloads[] = { payload, NULL };
      const gint64 ts[] = { 1700000000000 + i };
      submit (f, &w, readings (f, f->who, "weather", payloads, ts));
    }
  release_writer (&g);
  wait_all (&w);
  g_assert_cmpuint (w.ok, ==, 100);

  /* 100 requests, one transaction: one row of points for the whole commit (200 points), one
   * stream update; nothing in per-series blocks until the points are compacted. */
  blocks = query (f, "SELECT n FROM point_recent", NULL);
  g_assert_cmpstr (one (blocks), ==, "200");
  g_clear_pointer (&blocks, g_ptr_array_unref);
  blocks = query (f, "SELECT count(*) FROM point_block", NULL);
  g_assert_cmpstr (one (blocks), ==, "0");
  stream = query (f, "SELECT readings FROM stream", NULL);
  g_assert_cmpstr (one (stream), ==, "100");
  samples = query (f, "SELECT count(*) FROM sample", NULL);
  g_assert_cmpstr (one (samples), ==, "100");
  temp = points (f, f->device->id, "weather", "temp");
  g_assert_true (g_str_has_prefix (temp, "1700000000000=0\n1700000000001=1\n"));
  g_assert_true (g_str_has_suffix (temp, "1700000000099=99\n"));
}

static void
test_compaction_moves_points (Fixture *f, gconstpointer data)
{
  Waiter w = { 0 };
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr (GPtrArray) recent = NULL, blocks = NULL;

  /* Every third commit with points moves them into per-series blocks. */
  fd_ingest_set_compaction (f->ingest, 3, 0, 0);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"temp\":%u,\"hum\":%u}", i, 10 * i);
      const char *const payloads[] = { payload, NULL };
      const gint64 ts[] = { 1700000000000 + i };
      submit (f, &w, readings (f, f->who, "weather", payloads, ts));
      wait_all (&w); /* one commit each */
      if (i == 1)
        before = points (f, f->device->id, "weather", "temp");
    }
  g_assert_cmpuint (w.ok, ==, 5);

  /* Commits 1-3 were moved: one block per series with their 3 points; 4 and 5 wait. */
  blocks = query (f,
                  "SELECT s.path, b.n, b.t_first, b.t_last FROM point_block b"
                  " JOIN series s ON s.id = b.series ORDER BY s.path",
                  NULL);
  g_assert_cmpuint (blocks->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (blocks, 0), ==, "hum|3|1700000000000|1700000000002");
  g_assert_cmpstr (g_ptr_array_index (blocks, 1), ==, "temp|3|1700000000000|1700000000002");
  recent = query (f, "SELECT count(*), sum (n) FROM point_recent", NULL);
  g_assert_cmpstr (one (recent), ==, "2|4");

  /* Every point is there exactly once, in arrival order, whichever table holds it. */
  g_assert_cmpstr (before, ==, "1700000000000=0\n1700000000001=1\n");
  after = points (f, f->device->id, "weather", "temp");
  g_assert_cmpstr (after, ==,
                   "1700000000000=0\n1700000000001=1\n1700000000002=2\n1700000000003=3\n"
                   "1700000000004=4\n");
}

static gboolean
delete_device_job (FdDb *db, gpointer data, GError **error)
{
  return fd_store_device_delete (db, data, error);
}

static void
test_gone_device_stores_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (FdDevice) other = make_device (f, "sensor-2");
  g_autoptr (FdDeviceIdentity) gone
      = fd_device_identity_new (other->id, f->workspace->id, "crd-gone", FD_DEVICE_AUTH_JWT);
  const char *const payloads[] = { "{\"temp\":1}", NULL };
  g_autoptr (GError) error = NULL;
  Gate g = { 0 };
  Waiter w = { 0 };
  g_autoptr (GPtrArray) samples = NULL, streams = NULL, blocks = NULL;

  g_assert_true (fd_store_write_sync (f->store, delete_device_job, other->id, &error));
  /* In one transaction: a good request, one of a deleted device, another good one. */
  hold_writer (f, &g, &w);
  submit (f, &w, readings (f, f->who, "weather", payloads, NULL));
  submit (f, &w, readings (f, gone, "weather", payloads, NULL));
  submit (f, &w, readings (f, f->who, "weather", payloads, NULL));
  release_writer (&g);
  wait_all (&w);

  g_assert_cmpuint (w.ok, ==, 2);
  g_assert_cmpuint (w.failed, ==, 1);
  g_assert_error (w.last_error, FD_INGEST_ERROR, FD_INGEST_ERROR_DEVICE_GONE);
  g_clear_error (&w.last_error);
  samples = query (f, "SELECT count(*) FROM sample", NULL);
  g_assert_cmpstr (one (samples), ==, "2");
  streams = query (f, "SELECT device_id, readings FROM stream", NULL);
  {
    g_autofree char *want = g_strdup_printf ("%s|2", f->device->id);
    g_assert_cmpstr (one (streams), ==, want);
  }
  blocks = query (f, "SELECT sum (n) FROM point_recent", NULL);
  g_assert_cmpstr (one (blocks), ==, "2");

  /* The caches dropped after the failure do not confuse the next transaction. */
  submit (f, &w, readings (f, f->who, "weather", payloads, NULL));
  wait_all (&w);
  g_clear_pointer (&samples, g_ptr_array_unref);
  samples = query (f, "SELECT readings FROM stream", NULL);
  g_assert_cmpstr (one (samples), ==, "3");
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *errors[3]; /* copies of each readings' outcome */
} ManyOutcome;

static void
many_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ManyOutcome *o = user_data;

  o->ok = fd_ingest_submit_many_finish (result, NULL);
  for (guint i = 0; o->ok && i < G_N_ELEMENTS (o->errors); i++)
    {
      const GError *e = fd_ingest_submit_many_error (result, i);
      o->errors[i] = e ? g_error_copy (e) : NULL;
    }
  o->done = TRUE;
}

/* Several requests as one job (what the MQTT server sends per wakeup): each stands alone. */
static void
test_many_in_one_job (Fixture *f, gconstpointer data)
{
  g_autoptr (FdDevice) other = make_device (f, "sensor-2");
  g_autoptr (FdDeviceIdentity) gone
      = fd_device_identity_new (other->id, f->workspace->id, "crd-gone", FD_DEVICE_AUTH_JWT);
  const char *const one_reading[] = { "{\"temp\":1}", NULL };
  const char *const two_readings[] = { "{\"temp\":2}", "{\"temp\":3,\"on\":true}", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) samples = NULL, streams = NULL, points = NULL;
  ManyOutcome o = { 0 };
  FdReadings *many[3];

  g_assert_true (fd_store_write_sync (f->store, delete_device_job, other->id, &error));
  many[0] = readings (f, f->who, "weather", one_reading, NULL);
  many[1] = readings (f, gone, "weather", one_reading, NULL);
  many[2] = readings (f, f->who, "power", two_readings, NULL);
  fd_ingest_submit_many_async (f->ingest, many, G_N_ELEMENTS (many), many_done, &o);
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);

  for (guint i = 0; i < G_N_ELEMENTS (many); i++)
    fd_readings_free (many[i]);
  g_assert_true (o.ok);
  g_assert_no_error (o.errors[0]);
  g_assert_error (o.errors[1], FD_INGEST_ERROR, FD_INGEST_ERROR_DEVICE_GONE);
  g_assert_no_error (o.errors[2]);
  g_clear_error (&o.errors[1]);
  samples = query (f, "SELECT count(*) FROM sample", NULL);
  g_assert_cmpstr (one (samples), ==, "3");
  streams = query (f,
                   "SELECT group_concat (tag || '=' || readings, ',') FROM"
                   " (SELECT tag, readings FROM stream ORDER BY tag)",
                   NULL);
  g_assert_cmpstr (one (streams), ==, "power=2,weather=1");
  points = query (f, "SELECT sum (n) FROM point_recent", NULL);
  g_assert_cmpstr (one (points), ==, "3");
}

static void
up_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError *error = NULL;
  gboolean ok = fd_ingest_up_finish (result, &error);

  waiter_answered (user_data, ok, error);
}

static gint64
last_seen (Fixture *f)
{
  g_autoptr (GPtrArray) rows
      = query (f, "SELECT last_seen FROM device WHERE id = ?1", f->device->id);
  return g_ascii_strtoll (one (rows), NULL, 10);
}

static void
test_last_seen_resolution (Fixture *f, gconstpointer data)
{
  const char *const payloads[] = { "{\"t\":1}", NULL };
  Waiter w = { 0 };
  gint64 first, second, third;

  submit (f, &w, readings (f, f->who, "t", payloads, NULL));
  wait_all (&w);
  first = last_seen (f);
  g_assert_cmpint (first, >, 0);
  /* Within a second of the value written, the index entry is left alone ... */
  g_usleep (20 * 1000);
  submit (f, &w, readings (f, f->who, "t", payloads, NULL));
  wait_all (&w);
  second = last_seen (f);
  g_assert_cmpint (second, ==, first);
  /* ... and after it, last_seen moves on. */
  g_usleep (1100 * 1000);
  submit (f, &w, readings (f, f->who, "t", payloads, NULL));
  wait_all (&w);
  third = last_seen (f);
  g_assert_cmpint (third, >=, first + 1000);
  g_assert_cmpuint (w.ok, ==, 3);
}

static void
test_up_messages (Fixture *f, gconstpointer data)
{
  Waiter w = { 0 };
  g_autoptr (GPtrArray) reports = NULL, after = NULL;

  w.pending = 3;
  fd_ingest_up_async (f->ingest, f->who, "__manifest", "{\"jobs\":[\"reset\"]}", up_done, &w);
  fd_ingest_up_async (f->ingest, f->who, "temp_limit", "30", up_done, &w);
  fd_ingest_up_async (f->ingest, f->who, "temp_limit", "35", up_done, &w);
  wait_all (&w);
  g_assert_cmpuint (w.ok, ==, 3);
  reports = query (f, "SELECT key, value FROM device_report ORDER BY key", NULL);
  g_assert_cmpuint (reports->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (reports, 0), ==, "__manifest|{\"jobs\":[\"reset\"]}");
  g_assert_cmpstr (g_ptr_array_index (reports, 1), ==, "temp_limit|35");

  /* null clears a key. */
  w.pending = 1;
  fd_ingest_up_async (f->ingest, f->who, "temp_limit", "null", up_done, &w);
  wait_all (&w);
  after = query (f, "SELECT key FROM device_report", NULL);
  g_assert_cmpstr (one (after), ==, "__manifest");
}

static void
test_tag_check (void)
{
  static const char *const good[] = { "weather", "a", "température", "x.y-z_1", NULL };
  static const char *const bad[] = { "", "a/b", "a#", "a+b", "a b", "tab\there", NULL };
  g_autofree char *long_tag = g_strnfill (65, 'x');
  g_autofree char *max_tag = g_strnfill (64, 'x');

  for (guint i = 0; good[i] != NULL; i++)
    g_assert_null (fd_tag_check (good[i], strlen (good[i])));
  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_nonnull (fd_tag_check (bad[i], strlen (bad[i])));
  g_assert_null (fd_tag_check (max_tag, 64));
  g_assert_nonnull (fd_tag_check (long_tag, 65));
  g_assert_nonnull (fd_tag_check ("a\0b", 3));
  g_assert_nonnull (fd_tag_check ("\xff", 1));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/ingest/one-reading", test_one_reading);
  ADD ("/ingest/batch-device-times", test_batch_device_times);
  ADD ("/ingest/grouped-commit-writes-series-once", test_grouped_commit_writes_series_once);
  ADD ("/ingest/compaction-moves-points", test_compaction_moves_points);
  ADD ("/ingest/gone-device-stores-nothing", test_gone_device_stores_nothing);
  ADD ("/ingest/many-in-one-job", test_many_in_one_job);
  ADD ("/ingest/last-seen-resolution", test_last_seen_resolution);
  ADD ("/ingest/up-messages", test_up_messages);
#undef ADD
  g_test_add_func ("/ingest/tag-check", test_tag_check);
  return g_test_run ();
}
