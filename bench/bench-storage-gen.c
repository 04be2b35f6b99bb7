/* bench-storage-gen.c — the store bench-storage measures, made through the real ingest path
 * (FdStore + FdIngest in this process, as a transport would submit) and cached.
 *
 * N readings from D devices in 5 fleets (10, 15, 20, 25 and 30 % of the devices) over 30 days
 * that end at a whole hour. Devices report at different rates (0.5x to 1.5x the mean) with a
 * jittered interval, as {"temp":21.5,"hum":40,"status":"ok"} under tag "env" (a daily cycle of
 * temperature around a per-device base, humidity following it, "warn"/"error" now and then, a
 * battery voltage from a third of the devices), and about 2 % of the readings are door events
 * under tag "door". Devices post what they measured in the last hour as one request, the
 * requests of one hour of the whole fleet arrive in turn: the sample table is in arrival order,
 * interleaved by device, as a live server would have it. The same rows, in the same order, then
 * fill the sqlite3 peer's plain table.
 */
#include "bench-storage.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "device/fd-device-auth.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "store/fd-store-entities.h"
#include "store/fd-store.h"

#define FD_GEN_SEED 20261201
#define FD_GEN_FLEETS 5
#define FD_GEN_READINGS_PER_JOB 4000 /* FdReadings are grouped into jobs of about this many */
#define FD_GEN_IN_FLIGHT 3
#define FD_GEN_VERSION 1 /* bump when what is generated changes: older caches are remade */

/* fd_ingest_flush_sync() came with the sample_ts index and the rollups (fd-data-layout.h):
 * a store made without it has neither, and is made again by a build that has it. */
#if __has_include("ingest/fd-data-layout.h")
#include "ingest/fd-data-layout.h"
#define FD_GEN_HAS_FLUSH 1
#else
#define FD_GEN_HAS_FLUSH 0
#endif
/* What the ingest wrote, as far as the benchmark can tell: a store made by an older layout is
 * made again (queries of one layout do not read another's blocks). */
#if defined(FD_DATA_BLOCK_MAX_SPAN) && !defined(FD_ROLLUP_1M_MS)
#define FD_GEN_LAYOUT "hourly-blocks+rollup_1h"
#elif defined(FD_DATA_BLOCK_MAX_SPAN)
#define FD_GEN_LAYOUT "hourly-blocks"
#elif FD_GEN_HAS_FLUSH
#define FD_GEN_LAYOUT "sample_ts+rollups"
#else
#define FD_GEN_LAYOUT "blocks"
#endif

static const guint fd_gen_fleet_percent[FD_GEN_FLEETS] = { 10, 15, 20, 25, 30 };

typedef struct
{
  char *id;
  guint fleet;
  FdDeviceIdentity *who;
  guint count;     /* readings over the 30 days */
  guint next;      /* the next reading's index */
  double interval; /* ms */
  double base_temp, amp_temp, phase, base_hum;
  gboolean battery;
  double bat;
} FdGenDevice;

typedef struct
{
  FdStorageData *data;
  FdGenDevice *devices;
  char *workspace_id;
  char *fleet_ids[FD_GEN_FLEETS];
  GRand *rand;
  FdPayloadScanner *scanner;
  FdIngest *ingest;
  guint in_flight;
  guint failed;
  GPtrArray *job; /* FdReadings * of the job being filled */
  guint job_readings;
} FdGen;

static void
fd_gen_die (const char *what, GError *error)
{
  g_printerr ("bench-storage: %s: %s\n", what, error ? error->message : "failed");
  exit (1);
}

/* ---- workspace, fleets, devices: one transaction ----------------------------------------- */

static gboolean
fd_gen_setup_job (FdDb *db, gpointer user_data, GError **error)
{
  FdGen *g = user_data;
  g_autoptr (FdWorkspace) ws = fd_store_workspace_create (db, "bench-storage", NULL, error);
  guint d = 0;

  if (ws == NULL)
    return FALSE;
  g->workspace_id = g_strdup (ws->id);
  for (guint f = 0; f < FD_GEN_FLEETS; f++)
    {
      g_autofree char *name = g_strdup_printf ("fleet-%u", f + 1);
      g_autoptr (FdFleet) fleet = fd_store_fleet_create (db, ws->id, name, NULL, error);
      guint share;

      if (fleet == NULL)
        return FALSE;
      g->fleet_ids[f] = g_strdup (fleet->id);
      share = f + 1 == FD_GEN_FLEETS ? g->data->devices - d
                                     : MAX (1, g->data->devices * fd_gen_fleet_percent[f] / 100);
      for (guint i = 0; i < share && d < g->data->devices; i++, d++)
        {
          g_autofree char *dname = g_strdup_printf ("sensor-%05u", d + 1);
          g_autoptr (FdDevice) dev = fd_store_device_create (db, ws->id, fleet->id, dname, error);

          if (dev == NULL)
            return FALSE;
          g->devices[d].id = g_strdup (dev->id);
          g->devices[d].fleet = f;
        }
    }
  return TRUE;
}

/* Rates 0.5x..1.5x the mean, the counts summing to exactly N. */
static void
fd_gen_plan (FdGen *g)
{
  FdStorageData *data = g->data;
  double *weight = g_new (double, data->devices), total = 0;
  guint assigned = 0;

  for (guint d = 0; d < data->devices; d++)
    total += weight[d] = g_rand_double_range (g->rand, 0.5, 1.5);
  for (guint d = 0; d < data->devices; d++)
    {
      FdGenDevice *dev = &g->devices[d];

      dev->count = d + 1 == data->devices ? data->readings - assigned
                                          : (guint)(data->readings * weight[d] / total);
      assigned += dev->count;
      dev->interval = (double)(data->end_ms - data->start_ms) / MAX (dev->count, 1);
      dev->base_temp = g_rand_double_range (g->rand, 16, 27);
      dev->amp_temp = g_rand_double_range (g->rand, 1, 5);
      dev->phase = g_rand_double_range (g->rand, 0, 2 * G_PI);
      dev->base_hum = g_rand_double_range (g->rand, 30, 65);
      dev->battery = g_rand_int_range (g->rand, 0, 3) == 0;
      dev->bat = g_rand_double_range (g->rand, 3.9, 4.2);
      dev->who = fd_device_identity_new (dev->id, g->workspace_id, "crd-bench",
                                         FD_DEVICE_AUTH_CERTIFICATE);
    }
  g_free (weight);
}

/* ---- readings -------------------------------------------------------------------------- */

typedef struct
{
  FdGen *gen;
  GPtrArray *readings; /* FdReadings *, lent to the ingest until its callback */
} FdGenJob;

static void
fd_gen_submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  FdGenJob *job = user_data;
  FdGen *g = job->gen;

  if (!fd_ingest_submit_many_finish (result, &error))
    fd_gen_die ("storing readings", error);
  for (guint i = 0; i < job->readings->len; i++)
    if (fd_ingest_submit_many_error (result, i) != NULL)
      {
        g_printerr ("bench-storage: a request failed: %s\n",
                    fd_ingest_submit_many_error (result, i)->message);
        g->failed++;
      }
  g_ptr_array_unref (job->readings);
  g_free (job);
  g->in_flight--;
}

static void
fd_gen_flush_job (FdGen *g)
{
  FdGenJob *job;

  if (g->job->len == 0)
    return;
  while (g->in_flight >= FD_GEN_IN_FLIGHT)
    g_main_context_iteration (NULL, TRUE);
  job = g_new0 (FdGenJob, 1);
  job->gen = g;
  job->readings = g_steal_pointer (&g->job);
  g->job = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_readings_free);
  g->job_readings = 0;
  g->in_flight++;
  fd_ingest_submit_many_async (g->ingest, (FdReadings **)job->readings->pdata, job->readings->len,
                               fd_gen_submitted, job);
}

static void
fd_gen_add (FdGen *g, FdReadings *r, const char *text, gint64 ts)
{
  g_autoptr (GError) error = NULL;

  if (!fd_payload_scan (g->scanner, text, strlen (text), &error))
    fd_gen_die (text, error);
  fd_readings_add (r, g->scanner, ts);
}

/* A payload of @dev at @ts into @text: what a temperature / humidity sensor sends. */
static void
fd_gen_env_payload (FdGen *g, FdGenDevice *dev, gint64 ts, char *text, gsize size)
{
  double day = (double)(ts % FD_STORAGE_DAY_MS) / FD_STORAGE_DAY_MS;
  double temp = dev->base_temp + dev->amp_temp * sin (2 * G_PI * day + dev->phase)
                + g_rand_double_range (g->rand, -0.4, 0.4);
  int hum = (int)lround (dev->base_hum - 1.5 * (temp - dev->base_temp)
                         + g_rand_double_range (g->rand, -2, 2));
  guint roll = (guint)g_rand_int_range (g->rand, 0, 1000);
  const char *status = roll < 5 ? "error" : roll < 30 ? "warn" : "ok";
  int n;

  n = g_snprintf (text, size, "{\"temp\":%.1f,\"hum\":%d,\"status\":\"%s\"", temp,
                  CLAMP (hum, 5, 99), status);
  if (dev->battery)
    {
      dev->bat = MAX (3.3, dev->bat - g_rand_double_range (g->rand, 0, 0.0002));
      n += g_snprintf (text + n, size - n, ",\"bat\":%.2f", dev->bat);
    }
  g_snprintf (text + n, size - n, "}");
}

/* Every device posts the readings it took in [from, to) as one request (and its door events
 * as another). */
static void
fd_gen_window (FdGen *g, gint64 from, gint64 to)
{
  char text[160];

  for (guint d = 0; d < g->data->devices; d++)
    {
      FdGenDevice *dev = &g->devices[d];
      FdReadings *env = NULL, *door = NULL;

      while (dev->next < dev->count)
        {
          /* The k-th reading lands within ±30 % of an interval around its slot, so a device's
           * readings stay in time order and exactly count of them fall in the 30 days. */
          double slot
              = (dev->next + 0.5 + g_rand_double_range (g->rand, -0.3, 0.3)) * dev->interval;
          gint64 ts = g->data->start_ms + (gint64)slot;

          if (ts >= to)
            break;
          dev->next++;
          if (g_rand_int_range (g->rand, 0, 50) == 0)
            {
              if (door == NULL)
                door = fd_readings_new (dev->who, FD_STORAGE_EVENT_TAG);
              g_snprintf (text, sizeof text, "{\"open\":%s,\"code\":%d}",
                          g_rand_boolean (g->rand) ? "true" : "false",
                          g_rand_int_range (g->rand, 1, 9));
              fd_gen_add (g, door, text, ts);
            }
          else
            {
              if (env == NULL)
                env = fd_readings_new (dev->who, FD_STORAGE_TAG);
              fd_gen_env_payload (g, dev, ts, text, sizeof text);
              fd_gen_add (g, env, text, ts);
            }
        }
      if (env != NULL)
        {
          g->job_readings += fd_readings_count (env);
          g_ptr_array_add (g->job, env);
        }
      if (door != NULL)
        {
          g->job_readings += fd_readings_count (door);
          g_ptr_array_add (g->job, door);
        }
      if (g->job_readings >= FD_GEN_READINGS_PER_JOB)
        fd_gen_flush_job (g);
    }
  (void)from;
}

/* ---- the peer's table ------------------------------------------------------------------ */

static void
fd_gen_sql (sqlite3 *db, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_printerr ("bench-storage: peer: %s: %s\n", sql, msg);
      exit (1);
    }
}

/* The peer: a plain table of the same rows in the same (arrival) order, and the index a
 * person would add for "one device over time". */
static void
fd_gen_peer (FdStorageData *data)
{
  g_autofree char *attach = NULL;
  char *quoted;
  sqlite3 *db;
  gint64 t0;

  g_unlink (data->peer_db);
  if (sqlite3_open_v2 (data->peer_db, &db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL)
      != SQLITE_OK)
    {
      g_printerr ("bench-storage: cannot open %s\n", data->peer_db);
      exit (1);
    }
  quoted = sqlite3_mprintf ("ATTACH 'file:%q?mode=ro' AS fd", data->fd_db);
  attach = g_strdup (quoted);
  sqlite3_free (quoted);
  fd_gen_sql (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  fd_gen_sql (db, attach);

  t0 = g_get_monotonic_time ();
  fd_gen_sql (db, "BEGIN;"
                  "CREATE TABLE readings (device TEXT NOT NULL, fleet TEXT NOT NULL,"
                  " tag TEXT NOT NULL, ts_device INTEGER NOT NULL, ts_in INTEGER NOT NULL,"
                  " payload TEXT NOT NULL);"
                  "INSERT INTO readings SELECT st.device_id, st.fleet_id, st.tag, s.ts_device,"
                  " s.ts_in, s.payload FROM fd.sample s JOIN fd.stream st ON st.id = s.stream"
                  " ORDER BY s.id;"
                  "COMMIT");
  data->peer_build_s = fd_storage_ms_since (t0) / 1000;
  t0 = g_get_monotonic_time ();
  fd_gen_sql (db, "CREATE INDEX readings_device_ts ON readings (device, ts_device)");
  data->peer_index_s = fd_storage_ms_since (t0) / 1000;
  fd_gen_sql (db, "DETACH fd; PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close (db);
}

/* ---- meta.json ------------------------------------------------------------------------- */

static void
fd_gen_write_meta (FdStorageData *data)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, FD_GEN_VERSION);
  json_builder_set_member_name (b, "readings");
  json_builder_add_int_value (b, data->readings);
  json_builder_set_member_name (b, "devices");
  json_builder_add_int_value (b, data->devices);
  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, FD_GEN_LAYOUT);
  json_builder_set_member_name (b, "flushed");
  json_builder_add_boolean_value (b, data->flushed);
  json_builder_set_member_name (b, "start_ms");
  json_builder_add_int_value (b, data->start_ms);
  json_builder_set_member_name (b, "end_ms");
  json_builder_add_int_value (b, data->end_ms);
  json_builder_set_member_name (b, "ingest_s");
  json_builder_add_double_value (b, data->ingest_s);
  json_builder_set_member_name (b, "compact_s");
  json_builder_add_double_value (b, data->compact_s);
  json_builder_set_member_name (b, "peer_build_s");
  json_builder_add_double_value (b, data->peer_build_s);
  json_builder_set_member_name (b, "peer_index_s");
  json_builder_add_double_value (b, data->peer_index_s);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  if (!json_generator_to_file (gen, data->meta, &error))
    fd_gen_die (data->meta, error);
}

static gboolean
fd_gen_read_meta (FdStorageData *data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (!g_file_test (data->fd_db, G_FILE_TEST_EXISTS)
      || !g_file_test (data->peer_db, G_FILE_TEST_EXISTS)
      || !json_parser_load_from_file (parser, data->meta, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  if (json_object_get_int_member_with_default (o, "version", 0) != FD_GEN_VERSION
      || json_object_get_int_member_with_default (o, "readings", 0) != data->readings
      || json_object_get_int_member_with_default (o, "devices", 0) != data->devices)
    return FALSE;
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "layout", ""), FD_GEN_LAYOUT) != 0)
    {
      g_print ("%s was made by another store layout than " FD_GEN_LAYOUT ": making it again\n",
               data->dir);
      return FALSE;
    }
  data->flushed = json_object_get_boolean_member_with_default (o, "flushed", FALSE);
  if (FD_GEN_HAS_FLUSH && !data->flushed)
    {
      g_print ("%s was made without compaction at the end: making it again\n", data->dir);
      return FALSE;
    }
  data->start_ms = json_object_get_int_member (o, "start_ms");
  data->end_ms = json_object_get_int_member (o, "end_ms");
  data->ingest_s = json_object_get_double_member (o, "ingest_s");
  data->compact_s = json_object_get_double_member (o, "compact_s");
  data->peer_build_s = json_object_get_double_member (o, "peer_build_s");
  data->peer_index_s = json_object_get_double_member (o, "peer_index_s");
  return TRUE;
}

/* ---- generating ------------------------------------------------------------------------ */

static void
fd_gen_generate (FdStorageData *data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", data->dir);
  FdGen g = { .data = data };
  FdStore *store;
  gint64 t0;
  guint hours;

  if (strchr (data->dir, '\'') != NULL || system (rm) != 0
      || g_mkdir_with_parents (data->fd_dir, 0700) < 0)
    {
      g_printerr ("bench-storage: cannot make %s\n", data->fd_dir);
      exit (1);
    }
  data->end_ms = fd_now_ms () / FD_STORAGE_HOUR_MS * FD_STORAGE_HOUR_MS;
  data->start_ms = data->end_ms - FD_STORAGE_DAYS * FD_STORAGE_DAY_MS;
  hours = FD_STORAGE_DAYS * 24;

  store = fd_store_open (data->fd_db, 2, &error);
  if (store == NULL)
    fd_gen_die (data->fd_db, error);
  g.rand = g_rand_new_with_seed (FD_GEN_SEED);
  g.devices = g_new0 (FdGenDevice, data->devices);
  if (!fd_store_write_sync (store, fd_gen_setup_job, &g, &error))
    fd_gen_die ("making the devices", error);
  fd_gen_plan (&g);
  g.scanner = fd_payload_scanner_new ();
  g.ingest = fd_ingest_new (store);
  g.job = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_readings_free);

  g_print ("generating %u readings of %u devices over %d days in %s\n", data->readings,
           data->devices, FD_STORAGE_DAYS, data->fd_db);
  t0 = g_get_monotonic_time ();
  for (guint h = 0; h < hours; h++)
    {
      fd_gen_window (&g, data->start_ms + h * FD_STORAGE_HOUR_MS,
                     data->start_ms + (h + 1) * FD_STORAGE_HOUR_MS);
      if (h % 72 == 71)
        g_print ("  day %u of %d, %.0f s\n", (h + 1) / 24, FD_STORAGE_DAYS,
                 fd_storage_ms_since (t0) / 1000);
    }
  fd_gen_flush_job (&g);
  while (g.in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  data->ingest_s = fd_storage_ms_since (t0) / 1000;
  if (g.failed > 0)
    {
      g_printerr ("bench-storage: %u requests were not stored\n", g.failed);
      exit (1);
    }

  /* What is still in point_recent and the samples not yet in sample_ts would be compacted
   * when the writer next reaches its thresholds; the store is measured compacted. */
  t0 = g_get_monotonic_time ();
#if FD_GEN_HAS_FLUSH
  if (!fd_ingest_flush_sync (g.ingest, &error))
    fd_gen_die ("compacting", error);
  data->flushed = TRUE;
#endif
  data->compact_s = fd_storage_ms_since (t0) / 1000;

  fd_ingest_free (g.ingest);
  fd_store_close (store);
  fd_payload_scanner_free (g.scanner);
  g_ptr_array_unref (g.job);
  for (guint d = 0; d < data->devices; d++)
    {
      g_free (g.devices[d].id);
      fd_device_identity_unref (g.devices[d].who);
    }
  g_free (g.devices);
  for (guint f = 0; f < FD_GEN_FLEETS; f++)
    g_free (g.fleet_ids[f]);
  g_free (g.workspace_id);
  g_rand_free (g.rand);
  g_print ("  stored in %.1f s (%.0f readings/s); building the peer's table\n", data->ingest_s,
           data->readings / data->ingest_s);

  fd_gen_peer (data);
  g_print ("  peer table %.1f s, its index %.1f s\n", data->peer_build_s, data->peer_index_s);
  fd_gen_write_meta (data);
  data->generated = TRUE;
}

/* ---- loading --------------------------------------------------------------------------- */

static gint64
fd_gen_file_bytes (const char *path)
{
  GStatBuf st;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  gint64 n = g_stat (path, &st) == 0 ? st.st_size : 0;

  return n + (g_stat (wal, &st) == 0 ? st.st_size : 0);
}

static void
fd_gen_load_ids (FdStorageData *data)
{
  g_autofree char *uri = g_strdup_printf ("file:%s?mode=ro", data->fd_db);
  sqlite3 *db;
  sqlite3_stmt *stmt;

  if (sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
    {
      g_printerr ("bench-storage: cannot open %s\n", data->fd_db);
      exit (1);
    }
  sqlite3_prepare_v2 (db, "SELECT id FROM workspace WHERE name = 'bench-storage'", -1, &stmt, NULL);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    data->workspace_id = g_strdup ((const char *)sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_prepare_v2 (db, "SELECT id FROM fleet WHERE name LIKE 'fleet-%' ORDER BY name", -1, &stmt,
                      NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (data->fleet_ids, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  sqlite3_prepare_v2 (db, "SELECT id FROM device ORDER BY name", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (data->device_ids, g_strdup ((const char *)sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  if (sqlite3_prepare_v2 (db,
                          "SELECT (SELECT count(*) FROM sample WHERE id > (SELECT value FROM"
                          " data_state WHERE key = 'sample_indexed')),"
                          " (SELECT count(*) FROM point_recent)",
                          -1, &stmt, NULL)
          == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    {
      data->tail_samples = (guint)sqlite3_column_int64 (stmt, 0);
      data->recent_rows = (guint)sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (data->workspace_id == NULL || data->device_ids->len != data->devices
      || data->fleet_ids->len != FD_GEN_FLEETS)
    {
      g_printerr ("bench-storage: %s is not a store this program made; use --regenerate\n",
                  data->fd_db);
      exit (1);
    }
  data->fleets = data->fleet_ids->len;
  data->fd_db_bytes = fd_gen_file_bytes (data->fd_db);
  data->peer_db_bytes = fd_gen_file_bytes (data->peer_db);
}

FdStorageData *
fd_storage_data_get (const char *cache_dir, guint readings, guint devices, gboolean regenerate)
{
  FdStorageData *data = g_new0 (FdStorageData, 1);
  g_autofree char *name = g_strdup_printf ("r%u-d%u", readings, devices);

  data->readings = readings;
  data->devices = devices;
  data->dir = g_build_filename (cache_dir, name, NULL);
  data->fd_dir = g_build_filename (data->dir, "fd", NULL);
  data->fd_db = g_build_filename (data->fd_dir, "fleetdesk.db", NULL);
  data->peer_db = g_build_filename (data->dir, "peer.db", NULL);
  data->meta = g_build_filename (data->dir, "meta.json", NULL);
  data->fleet_ids = g_ptr_array_new_with_free_func (g_free);
  data->device_ids = g_ptr_array_new_with_free_func (g_free);
  if (regenerate || !fd_gen_read_meta (data))
    fd_gen_generate (data);
  fd_gen_load_ids (data);
  return data;
}

void
fd_storage_data_free (FdStorageData *data)
{
  if (data == NULL)
    return;
  g_free (data->dir);
  g_free (data->fd_dir);
  g_free (data->fd_db);
  g_free (data->peer_db);
  g_free (data->meta);
  g_free (data->workspace_id);
  g_ptr_array_unref (data->fleet_ids);
  g_ptr_array_unref (data->device_ids);
  g_free (data);
}
