/* bench-mqtt.c — how many readings a second Fleetdesk stores and acknowledges over MQTT/TLS
 * (QoS 1, one reading per message, PUBACK after the commit), against Debian's mosquitto broker
 * under the same load (it stores nothing) and a plain SQLite batched insert of the same rows.
 *
 * Starts a real fleetdesk-server (tests/fd-test-server.c, --device-rate=0) in a temporary
 * directory, imports N device-token devices, and runs `fleetdesk-device simulate --transport
 * mqtt --rate 0 --window W` (every device keeps W publishes unacknowledged: N×W in flight) against
 * the server and against mosquitto in turn, alternating which goes first. Then it inserts as many
 * rows as the median Fleetdesk run acknowledged into a fresh SQLite file, in transactions of
 * 1,000, with the server's pragmas (WAL, synchronous=NORMAL).
 *
 * Run by hand: _build/bench/bench-mqtt [--devices N] [--window W] [--duration S] [--rounds R]
 * [--no-peer]. Not a test; bench/README.md has the figures.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "bench-mqtt.h"
#include "fd-device-readings.h"

#define FD_BENCH_TAGS "weather,power"
#define SQLITE_BATCH 1000

typedef struct
{
  double readings_per_s, p50_ms, p99_ms, server_cpu_s, client_cpu_s;
  double acked; /* readings */
  gint64 errors;
} Run;

typedef struct
{
  FdTestServer *srv;
  FdBenchMosquitto peer;
  gboolean have_ours, have_peer;
  char *device_bin, *tmp, *dir, *peer_dir;
  guint devices, window, rounds;
  double duration_s;
  GArray *ours, *theirs, *sqlite; /* Run, Run, double rows/s */
  guint64 rss_kb, hwm_kb, peer_rss_kb, peer_hwm_kb;
} Bench;

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double
median_of (GArray *runs, gsize offset, gsize stride)
{
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < runs->len; i++)
    {
      double x = *(const double *)(runs->data + i * stride + offset);
      g_array_append_val (v, x);
    }
  if (v->len == 0)
    return 0;
  g_array_sort (v, compare_doubles);
  return v->len % 2
             ? g_array_index (v, double, v->len / 2)
             : (g_array_index (v, double, v->len / 2 - 1) + g_array_index (v, double, v->len / 2))
                   / 2;
}

#define RUN_MEDIAN(runs, member) median_of (runs, G_STRUCT_OFFSET (Run, member), sizeof (Run))

/* ---- one simulator run --------------------------------------------------------------------- */

static gboolean
simulate (Bench *b, const char *dir, pid_t server, double duration_s, Run *run)
{
  g_autofree char *devices = g_strdup_printf ("%u", b->devices);
  g_autofree char *window = g_strdup_printf ("%u", b->window);
  g_autofree char *duration = g_strdup_printf ("%g", duration_s);
  const char *argv[] = { b->device_bin, "simulate",    "--credentials-dir",
                         dir,           "--devices",   devices,
                         "--transport", "mqtt",        "--rate",
                         "0",           "--window",    window,
                         "--tags",      FD_BENCH_TAGS, "--duration",
                         duration,      "--quiet",     "--json",
                         NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *o, *lat;
  double cpu0 = fd_bench_cpu_s (server), client0 = fd_bench_children_cpu_s ();
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                     &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("fleetdesk-device simulate failed: %s\n%s\n", error->message, err ? err : "");
      return FALSE;
    }
  run->server_cpu_s = fd_bench_cpu_s (server) - cpu0;
  run->client_cpu_s = fd_bench_children_cpu_s () - client0;
  node = json_from_string (out, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_printerr ("fleetdesk-device simulate: not JSON: %s\n%s\n", out, err);
      return FALSE;
    }
  o = json_node_get_object (node);
  lat = json_object_get_object_member (o, "latency_ms");
  run->readings_per_s = json_object_get_double_member (o, "readings_per_s");
  run->p50_ms = json_object_get_double_member (lat, "p50");
  run->p99_ms = json_object_get_double_member (lat, "p99");
  run->acked = (double)json_object_get_int_member (o, "readings_acknowledged");
  run->errors = json_object_get_int_member (o, "errors");
  if (json_object_get_int_member (o, "connected") != (gint64)b->devices)
    g_print ("          only %" G_GINT64_FORMAT " of %u devices connected\n",
             json_object_get_int_member (o, "connected"), b->devices);
  return TRUE;
}

static gboolean
run_side (Bench *b, gboolean peer)
{
  Run run = { 0 };

  if (!simulate (b, peer ? b->peer_dir : b->dir, peer ? b->peer.pid : b->srv->pid, b->duration_s,
                 &run))
    return FALSE;
  g_print ("  %-10s %9.0f readings/s  p50 %7.2f ms  p99 %7.2f ms  CPU server %5.2f s, "
           "simulator %5.2f s%s\n",
           peer ? "mosquitto" : "fleetdesk", run.readings_per_s, run.p50_ms, run.p99_ms,
           run.server_cpu_s, run.client_cpu_s, run.errors > 0 ? "  (errors!)" : "");
  g_array_append_val (peer ? b->theirs : b->ours, run);
  return TRUE;
}

/* ---- the SQLite peer ----------------------------------------------------------------------- */

/* Rows per second for @rows readings of @devices simulated devices (the simulator's payloads,
 * made before the clock starts) inserted into a new table in transactions of SQLITE_BATCH. */
static double
sqlite_insert (Bench *b, guint round, guint64 rows)
{
  static const char *const tags[] = { "weather", "power", NULL };
  g_autofree char *path = g_strdup_printf ("%s/peer-%u.db", b->tmp, round);
  g_autoptr (GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  FdReadings **readings = g_new0 (FdReadings *, b->devices);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 now_ms = g_get_real_time () / 1000, t0;
  double seconds;

  for (guint d = 0; d < b->devices; d++)
    {
      g_ptr_array_add (ids, g_strdup_printf ("dev-bench%06u", d));
      readings[d] = fd_readings_new (ids->pdata[d], tags);
    }
  for (guint64 i = 0; i < rows; i++)
    {
      GString *s = g_string_sized_new (96);
      fd_readings_append (readings[i % b->devices], (guint)(i / b->devices % 2), now_ms + (gint64)i,
                          s);
      g_ptr_array_add (payloads, g_string_free (s, FALSE));
    }
  for (guint d = 0; d < b->devices; d++)
    fd_readings_free (readings[d]);
  g_free (readings);

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                                 "CREATE TABLE reading (device_id TEXT NOT NULL, tag TEXT NOT NULL,"
                                 " ts INTEGER NOT NULL, payload TEXT NOT NULL)",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (
      sqlite3_prepare_v2 (db, "INSERT INTO reading VALUES (?1, ?2, ?3, ?4)", -1, &stmt, NULL), ==,
      SQLITE_OK);
  t0 = g_get_monotonic_time ();
  for (guint64 i = 0; i < rows; i++)
    {
      if (i % SQLITE_BATCH == 0)
        g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_bind_text (stmt, 1, ids->pdata[i % b->devices], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, tags[i / b->devices % 2], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, now_ms + (gint64)i);
      sqlite3_bind_text (stmt, 4, payloads->pdata[i], -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
      if (i % SQLITE_BATCH == SQLITE_BATCH - 1 || i == rows - 1)
        g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
    }
  seconds = (double)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_print ("  sqlite3    %9.0f rows/s (%" G_GUINT64_FORMAT " rows in %.2f s, transactions of %d)\n",
           rows / seconds, rows, seconds, SQLITE_BATCH);
  return rows / seconds;
}

/* ---- report -------------------------------------------------------------------------------- */

static void
print_tables (Bench *b)
{
  double ours = RUN_MEDIAN (b->ours, readings_per_s);
  double theirs = RUN_MEDIAN (b->theirs, readings_per_s);
  double lite = median_of (b->sqlite, 0, sizeof (double));

  g_print ("\n%u devices on MQTT/TLS, QoS 1, one reading per message, %u in flight per device, "
           "%g s per run, median of %u run%s; CPU: seconds used during a run\n\n",
           b->devices, b->window, b->duration_s, b->rounds, b->rounds > 1 ? "s" : "");
  g_print ("| side | readings/s | p50 ms | p99 ms | server CPU s | simulator CPU s |\n"
           "|---|---:|---:|---:|---:|---:|\n");
  if (b->have_ours)
    g_print ("| Fleetdesk (stores, PUBACK after commit) | %.0f | %.2f | %.2f | %.2f | %.2f |\n",
             ours, RUN_MEDIAN (b->ours, p50_ms), RUN_MEDIAN (b->ours, p99_ms),
             RUN_MEDIAN (b->ours, server_cpu_s), RUN_MEDIAN (b->ours, client_cpu_s));
  if (b->have_peer)
    g_print ("| mosquitto (stores nothing) | %.0f | %.2f | %.2f | %.2f | %.2f |\n", theirs,
             RUN_MEDIAN (b->theirs, p50_ms), RUN_MEDIAN (b->theirs, p99_ms),
             RUN_MEDIAN (b->theirs, server_cpu_s), RUN_MEDIAN (b->theirs, client_cpu_s));
  g_print ("| SQLite batched insert (%d rows per transaction) | %.0f | | | | |\n", SQLITE_BATCH,
           lite);
  if (b->have_ours && b->have_peer && theirs > 0)
    g_print ("\nFleetdesk / mosquitto: %.2fx\n", ours / theirs);
  if (b->have_ours && lite > 0)
    g_print ("Fleetdesk / SQLite insert: %.2fx\n", ours / lite);
  if (!b->have_ours && b->have_peer && lite > 0)
    g_print ("\nmosquitto / SQLite insert: %.2fx\n", theirs / lite);
  g_print ("\n| process | VmRSS after the runs | VmHWM (peak) |\n|---|---:|---:|\n");
  g_print ("| fleetdesk-server | %.1f MB | %.1f MB |\n", b->rss_kb / 1024.0, b->hwm_kb / 1024.0);
  if (b->have_peer)
    g_print ("| mosquitto | %.1f MB | %.1f MB |\n", b->peer_rss_kb / 1024.0,
             b->peer_hwm_kb / 1024.0);
}

/* ---- main ---------------------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  int devices = 1000, window = 4, rounds = 2;
  double duration = 5;
  gboolean no_peer = FALSE;
  GOptionEntry entries[] = {
    { "devices", 'n', 0, G_OPTION_ARG_INT, &devices, "Simulated devices (default 1000)", "N" },
    { "window", 'w', 0, G_OPTION_ARG_INT, &window, "Publishes in flight per device (default 4)",
      "W" },
    { "duration", 's', 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds per run (default 5)", "S" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds, interleaved (default 2)", "R" },
    { "no-peer", 0, 0, G_OPTION_ARG_NONE, &no_peer, "Do not run mosquitto", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— MQTT ingest benchmark");
  g_autoptr (GError) error = NULL;
  const char *server_args[] = { "--device-rate=0", "--public-name", "localhost", NULL };
  const char *device = g_getenv ("FD_DEVICE_BIN");
  g_autofree char *mosquitto = NULL;
  Bench b = { 0 };
  gboolean ok = TRUE;
  guint our_port;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (devices < 1 || devices > 20000 || window < 1 || window > 64 || rounds < 1 || duration <= 0)
    {
      g_printerr ("--devices 1..20000, --window 1..64, --rounds >= 1, --duration > 0\n");
      return 2;
    }
#ifdef FD_SERVER_PATH
  if (g_getenv ("FD_SERVER_BIN") == NULL)
    g_setenv ("FD_SERVER_BIN", FD_SERVER_PATH, TRUE);
  if (device == NULL)
    device = FD_DEVICE_PATH;
#endif
  if (g_getenv ("FD_SERVER_BIN") == NULL || device == NULL)
    {
      g_printerr ("set FD_SERVER_BIN and FD_DEVICE_BIN\n");
      return 1;
    }
  b.device_bin = g_strdup (device);
  b.devices = (guint)devices;
  b.window = (guint)window;
  b.rounds = (guint)rounds;
  b.duration_s = duration;
  b.ours = g_array_new (FALSE, FALSE, sizeof (Run));
  b.theirs = g_array_new (FALSE, FALSE, sizeof (Run));
  b.sqlite = g_array_new (FALSE, FALSE, sizeof (double));
  mosquitto = no_peer ? NULL : fd_bench_find_mosquitto ();
  if (!no_peer && mosquitto == NULL)
    g_print ("peer:    mosquitto is not installed (bench/setup.sh, or apt install mosquitto); "
             "the runs against it are skipped\n");

  fd_bench_raise_file_limit ();
  fd_bench_end_children_on (SIGABRT);
  fd_bench_end_children_on (SIGTRAP);
  b.tmp = g_dir_make_tmp ("fd-bench-mqtt-XXXXXX", &error);
  g_assert_no_error (error);
  b.srv = fd_test_server_start_with_args (server_args);
  fd_bench_server_pid = b.srv->pid;
  our_port = fd_bench_server_mqtt_port (b.srv);
  b.have_ours = our_port != 0;
  g_print ("data:    %s\n", b.srv->data_dir);
  if (!b.have_ours)
    g_print ("server:  fleetdesk-server has no MQTT listener (ports.json \"mqtt\"): its runs are "
             "skipped\n");
  else
    g_print ("server:  MQTT on port %u\n", our_port);
  if (mosquitto != NULL)
    {
      g_autofree char *pki = g_build_filename (b.srv->data_dir, "pki", NULL);
      b.have_peer = fd_bench_mosquitto_start (&b.peer, mosquitto, pki);
      fd_bench_peer_pid = b.peer.pid;
      if (b.have_peer)
        g_print ("peer:    %s on port %u\n", mosquitto, b.peer.port);
    }
  b.dir = g_build_filename (b.tmp, "ours", NULL);
  b.peer_dir = g_build_filename (b.tmp, "peer", NULL);
  fd_bench_provision_mqtt (b.srv, "bench mqtt", b.devices, b.dir, our_port, b.peer_dir,
                           b.have_peer ? b.peer.port : our_port);

  /* One unrecorded second on each side: caches, first pages, first series. */
  {
    Run warm = { 0 };
    g_print ("warm-up\n");
    ok = (!b.have_ours || simulate (&b, b.dir, b.srv->pid, 1, &warm))
         && (!b.have_peer || simulate (&b, b.peer_dir, b.peer.pid, 1, &warm));
  }
  for (guint r = 0; ok && r < b.rounds; r++)
    {
      gboolean peer_first = r % 2 == 1;
      g_print ("round %u of %u:\n", r + 1, b.rounds);
      ok = (!b.have_peer || !peer_first || run_side (&b, TRUE))
           && (!b.have_ours || run_side (&b, FALSE))
           && (!b.have_peer || peer_first || run_side (&b, TRUE));
    }
  b.rss_kb = fd_bench_status_kb (b.srv->pid, "VmRSS:");
  b.hwm_kb = fd_bench_status_kb (b.srv->pid, "VmHWM:");
  if (b.have_peer)
    {
      b.peer_rss_kb = fd_bench_status_kb (b.peer.pid, "VmRSS:");
      b.peer_hwm_kb = fd_bench_status_kb (b.peer.pid, "VmHWM:");
      fd_bench_mosquitto_stop (&b.peer);
      fd_bench_peer_pid = 0;
    }
  fd_test_server_stop (b.srv);
  fd_bench_server_pid = 0;

  /* The same number of rows as a Fleetdesk run stored (or mosquitto's, without ours). */
  if (ok)
    {
      double rows = b.have_ours ? RUN_MEDIAN (b.ours, acked) : 0;
      if (rows == 0 && b.have_peer)
        rows = RUN_MEDIAN (b.theirs, acked);
      for (guint r = 0; r < b.rounds; r++)
        {
          double x = sqlite_insert (&b, r, (guint64)MAX (rows, 10000));
          g_array_append_val (b.sqlite, x);
        }
      print_tables (&b);
    }
  fd_test_rm_rf (b.tmp);
  return ok ? 0 : 1;
}
