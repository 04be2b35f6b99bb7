/* bench-storage.c — what a user waits for when reading a month of a fleet's data back.
 *
 * On a store of N readings (10 million by default) from D devices over 30 days, generated
 * through the real ingest path and cached (bench-storage-gen.c), times the questions of the
 * Data pane and of exports through the REST API of a real fleetdesk-server, and — in the same
 * run, on the same rows — the sqlite3 shell answering them with plain SQL, over a plain table
 * readings (device, fleet, tag, ts_device, ts_in, payload) indexed on (device, ts_device), and
 * over Fleetdesk's own tables where SQL can read them (rollups, sample_ts). Each measurement is
 * repeated (5 by default) with the sides interleaved, the order rotating run by run, and the
 * median is reported with the ratio Fleetdesk / sqlite3.
 *
 * Run by hand (bench/README.md): _build/bench/bench-storage [--readings N] [--devices N]
 * [--cache DIR] [--runs R] [--export-runs R] [--regenerate] [--no-export]. Not a test.
 */
#include "bench-storage.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench-storage-questions.h"

static guint opt_readings = 10000000;
static guint opt_devices = 1000;
static char *opt_cache;
static guint opt_runs = 5;
static guint opt_export_runs = 3;
static double opt_budget = 30;
static gboolean opt_regenerate;
static gboolean opt_no_export;
static gboolean opt_no_api;
static gboolean opt_quick;
static char *opt_sqlite3;

static GOptionEntry fd_storage_entries[] = {
  { "readings", 'n', 0, G_OPTION_ARG_INT, &opt_readings, "Readings in the store (10000000)", "N" },
  { "devices", 'd', 0, G_OPTION_ARG_INT, &opt_devices, "Devices (1000)", "N" },
  { "cache", 'c', 0, G_OPTION_ARG_FILENAME, &opt_cache,
    "Where generated stores are kept (/tmp/bench-storage-cache)", "DIR" },
  { "runs", 'r', 0, G_OPTION_ARG_INT, &opt_runs, "Timed runs per query (5)", "R" },
  { "export-runs", 0, 0, G_OPTION_ARG_INT, &opt_export_runs, "Timed runs per export (3)", "R" },
  { "budget", 0, 0, G_OPTION_ARG_DOUBLE, &opt_budget,
    "Seconds per side and question after which no more runs are made (30)", "S" },
  { "regenerate", 0, 0, G_OPTION_ARG_NONE, &opt_regenerate, "Make the store again", NULL },
  { "no-export", 0, 0, G_OPTION_ARG_NONE, &opt_no_export, "Skip the CSV exports", NULL },
  { "no-api", 0, 0, G_OPTION_ARG_NONE, &opt_no_api, "Only the sqlite3 peer (no server)", NULL },
  { "quick", 'q', 0, G_OPTION_ARG_NONE, &opt_quick,
    "3 runs, 1 export run, budget 1 s, no sqlite3 on Fleetdesk's tables", NULL },
  { "sqlite3", 0, 0, G_OPTION_ARG_FILENAME, &opt_sqlite3, "The sqlite3 shell (sqlite3)", "PATH" },
  { NULL },
};

static volatile pid_t fd_storage_server_pid_for_signals;

static void
fd_storage_on_signal (int sig)
{
  if (fd_storage_server_pid_for_signals > 0)
    kill (fd_storage_server_pid_for_signals, SIGTERM);
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
fd_storage_print_generation (FdStorageData *data)
{
  g_print ("\n## Store (%s)\n\n", data->generated ? "generated in this run" : "from the cache");
  g_print ("| | |\n|---|---:|\n");
  g_print ("| readings / devices / fleets | %u / %u / %u |\n", data->readings, data->devices,
           data->fleets);
  g_print ("| ingest through FdIngest, committed | %.1f s (%.0f readings/s) |\n", data->ingest_s,
           data->readings / MAX (data->ingest_s, 1e-9));
  g_print ("| forced compaction at the end | %.2f s |\n", data->compact_s);
  g_print ("| samples not yet in sample_ts / point_recent rows left | %u / %u |\n",
           data->tail_samples, data->recent_rows);
  g_print ("| fleetdesk.db (with WAL) | %.1f MB |\n", data->fd_db_bytes / 1e6);
  g_print ("| peer: readings table filled from the samples | %.1f s |\n", data->peer_build_s);
  g_print ("| peer: index (device, ts_device) | %.1f s |\n", data->peer_index_s);
  g_print ("| peer.db | %.1f MB |\n", data->peer_db_bytes / 1e6);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- time-series queries and exports");
  g_autoptr (GError) error = NULL;
  g_autofree char *sqlite3_bin = NULL;
  FdStorageBench b = { 0 };

  g_option_context_add_main_entries (ctx, fd_storage_entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc > 1 || opt_devices < 10
      || opt_readings < opt_devices || opt_runs < 1)
    {
      g_printerr ("bench-storage: %s\n", error ? error->message : "bad arguments");
      return 2;
    }
  sqlite3_bin = g_find_program_in_path (opt_sqlite3 ? opt_sqlite3 : "sqlite3");
  if (sqlite3_bin == NULL)
    {
      g_printerr ("bench-storage: needs the sqlite3 shell (apt install sqlite3, or --sqlite3)\n");
      return 2;
    }
  signal (SIGINT, fd_storage_on_signal);
  signal (SIGTERM, fd_storage_on_signal);
  signal (SIGABRT, fd_storage_on_signal);

  b.data = fd_storage_data_get (opt_cache ? opt_cache : "/tmp/bench-storage-cache", opt_readings,
                                opt_devices, opt_regenerate);
  b.sqlite3 = sqlite3_bin;
  b.runs = opt_runs;
  b.export_runs = opt_export_runs;
  b.budget_s = opt_budget;
  if (opt_quick)
    {
      b.runs = MIN (b.runs, 3);
      b.export_runs = 1;
      b.budget_s = 1;
      b.no_fd_tables = TRUE;
    }
  fd_storage_print_generation (b.data);

  if (!opt_no_api)
    {
      gint64 t0 = g_get_monotonic_time ();

      b.server = fd_storage_server_start (b.data->fd_dir);
      fd_storage_server_pid_for_signals = fd_storage_server_pid (b.server);
      b.server_start_ms = fd_storage_ms_since (t0);
    }
  fd_storage_questions_run (&b);
  if (!opt_no_export && b.server != NULL)
    {
      /* A fresh server for the exports: its VmHWM before the first one is then the start-up's
       * alone, not the peak of the 10,000-row pages. (It also kept the exports working while
       * fd_query_raw left a reader on its old snapshot, fixed on main since.) */
      fd_storage_server_stop (b.server);
      b.server = fd_storage_server_start (b.data->fd_dir);
      fd_storage_server_pid_for_signals = fd_storage_server_pid (b.server);
    }
  if (!opt_no_export)
    fd_storage_export_run (&b);
  fd_storage_questions_report (&b);

  fd_storage_server_stop (b.server);
  fd_storage_server_pid_for_signals = 0;
  fd_storage_questions_free (&b);
  fd_storage_data_free (b.data);
  return 0;
}
