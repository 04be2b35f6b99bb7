/* bench-ingest.c — how fast Fleetdesk takes in device data over HTTPS, and what storing costs
 * over the bare transport.
 *
 * Starts a real fleetdesk-server (tests/fd-test-server.c, --device-rate=0) in a temporary
 * directory, imports N devices twice through the API (credential=key: device tokens; and
 * credential=generate: client certificates), writes their zdevice.json files, and runs
 * `fleetdesk-device simulate` in a closed loop (every device sends its next message as soon as
 * the previous one is answered: N requests always in flight, which saturates the server) with
 * single readings and with batches of 100. In the same run, interleaved, the same simulator
 * drives the peer: nginx with the same certificate answering 202 {"accepted":1} and storing
 * nothing. Then it times provisioning: a bulk CSV import of M devices with generated
 * certificates in one request, against devices made one by one (POST device + POST
 * credential).
 *
 * Run by hand: _build/bench/bench-ingest [--devices N] [--duration S] [--rounds R]
 * [--import-devices M] [--one-by-one K]. Not a test; bench/README.md has the figures.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "bench-ingest.h"
#include "fd-test-devices.h"
#include "fd-test-server.h"

#define FD_BENCH_TAGS "weather,power"

typedef struct
{
  double readings_per_s;
  double p50_ms, p99_ms;
  double server_cpu_s; /* of the server under test during the run */
  double client_cpu_s; /* of the simulator */
  gint64 acked, errors, refused;
} FdBenchRun;

typedef struct
{
  const char *label;
  const char *auth; /* "key" or "mtls": which directory of zdevice.json files */
  guint batch;
  GArray *ours, *peer; /* FdBenchRun */
} FdBenchCase;

typedef struct
{
  FdTestServer *srv;
  FdBenchPeer peer;
  gboolean have_peer;
  char *nginx;
  char *device_bin;
  char *tmp;
  char *dirs[2], *peer_dirs[2]; /* key, mtls */
  guint devices, rounds, import_devices, one_by_one;
  double duration_s;
  guint64 rss_kb, hwm_kb, peer_rss_kb, peer_hwm_kb;
  GArray *bulk_s, *single_ms; /* double */
} FdBench;

static volatile sig_atomic_t fd_bench_interrupted;

static void
fd_bench_on_interrupt (int sig)
{
  fd_bench_interrupted = 1;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_autoptr (GArray) v = g_array_copy (values);

  if (v->len == 0)
    return 0;
  g_array_sort (v, compare_doubles);
  return v->len % 2
             ? g_array_index (v, double, v->len / 2)
             : (g_array_index (v, double, v->len / 2 - 1) + g_array_index (v, double, v->len / 2))
                   / 2;
}

/* The median of one member of the runs. */
static double
run_median (GArray *runs, gsize offset)
{
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < runs->len; i++)
    {
      const FdBenchRun *r = &g_array_index (runs, FdBenchRun, i);
      double x = *(const double *)((const char *)r + offset);
      g_array_append_val (v, x);
    }
  return median (v);
}

/* ---- devices ------------------------------------------------------------------------------- */

/* A copy of every zdevice.json in @from with endpoint.https_port set to @port: the peer's. */
static void
copy_for_peer (const char *from, const char *to, guint port)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);
      g_autofree char *text = NULL, *out = NULL;
      g_autoptr (JsonNode) node = NULL;
      JsonObject *endpoint;

      g_assert_true (g_file_get_contents (src, &text, NULL, NULL));
      node = json_from_string (text, NULL);
      endpoint = json_object_get_object_member (json_node_get_object (node), "endpoint");
      json_object_set_int_member (endpoint, "https_port", port);
      out = json_to_string (node, FALSE);
      g_assert_true (g_file_set_contents_full (dst, out, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
    }
}

static void
provision (FdBench *b)
{
  static const char *const keys[] = { "key", NULL };
  static const char *const certs[] = { "generate", NULL };
  const char *const *creds[2] = { keys, certs };
  static const char *const names[2] = { "key", "mtls" };

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *wks_name = g_strdup_printf ("bench %s", names[i]);
      g_autofree char *wks = fd_test_make_workspace (b->srv, wks_name);
      g_autoptr (GPtrArray) ids = NULL;
      double seconds = 0;

      b->dirs[i] = g_build_filename (b->tmp, names[i], NULL);
      ids = fd_test_import_devices (b->srv, wks, names[i], b->devices, creds[i], b->dirs[i],
                                    &seconds);
      g_print ("devices: %u with credential=%s imported in %.2f s\n", b->devices, creds[i][0],
               seconds);
      if (b->have_peer)
        {
          g_autofree char *peer_name = g_strdup_printf ("%s-peer", names[i]);
          b->peer_dirs[i] = g_build_filename (b->tmp, peer_name, NULL);
          copy_for_peer (b->dirs[i], b->peer_dirs[i], b->peer.port);
        }
    }
}

/* ---- one simulator run --------------------------------------------------------------------- */

/* CPU seconds of the children waited for so far: the simulator runs (the server and nginx are
 * not waited for until the end). */
static double
children_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_CHILDREN, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gboolean
simulate (FdBench *b, const char *dir, guint batch, pid_t server, gboolean tree, FdBenchRun *run)
{
  g_autofree char *devices = g_strdup_printf ("%u", b->devices);
  g_autofree char *duration = g_strdup_printf ("%g", b->duration_s);
  g_autofree char *batch_s = g_strdup_printf ("%u", batch);
  const char *argv[] = { b->device_bin, "simulate",   "--credentials-dir",
                         dir,           "--devices",  devices,
                         "--rate",      "0",          "--tags",
                         FD_BENCH_TAGS, "--duration", duration,
                         "--batch",     batch_s,      "--quiet",
                         "--json",      NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *o, *lat, *refused;
  double cpu0 = tree ? fd_bench_cpu_s_tree (server) : fd_bench_cpu_s (server);
  double client0 = children_cpu_s ();
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                     &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("fleetdesk-device simulate failed: %s\n%s\n", error->message, err ? err : "");
      return FALSE;
    }
  run->server_cpu_s = (tree ? fd_bench_cpu_s_tree (server) : fd_bench_cpu_s (server)) - cpu0;
  run->client_cpu_s = children_cpu_s () - client0;
  node = json_from_string (out, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_printerr ("fleetdesk-device simulate: not JSON: %s\n%s\n", out, err);
      return FALSE;
    }
  o = json_node_get_object (node);
  lat = json_object_get_object_member (o, "latency_ms");
  refused = json_object_get_object_member (o, "refused");
  run->readings_per_s = json_object_get_double_member (o, "readings_per_s");
  run->p50_ms = json_object_get_double_member (lat, "p50");
  run->p99_ms = json_object_get_double_member (lat, "p99");
  run->acked = json_object_get_int_member (o, "acknowledged");
  run->errors = json_object_get_int_member (o, "errors");
  run->refused = 0;
  {
    g_autoptr (GList) members = json_object_get_members (refused);
    for (GList *m = members; m != NULL; m = m->next)
      run->refused += json_object_get_int_member (refused, m->data);
  }
  return TRUE;
}

static gboolean
run_case (FdBench *b, FdBenchCase *c, gboolean on_peer)
{
  guint which = g_str_equal (c->auth, "key") ? 0 : 1;
  FdBenchRun run = { 0 };
  pid_t pid = on_peer ? b->peer.pid : b->srv->pid;

  if (!simulate (b, on_peer ? b->peer_dirs[which] : b->dirs[which], c->batch, pid, on_peer, &run))
    return FALSE;
  g_print ("  %-9s %-36s %8.0f readings/s  p50 %7.2f ms  p99 %7.2f ms  CPU server %5.2f s, "
           "simulator %5.2f s%s\n",
           on_peer ? "nginx" : "fleetdesk", c->label, run.readings_per_s, run.p50_ms, run.p99_ms,
           run.server_cpu_s, run.client_cpu_s,
           run.errors + run.refused > 0 ? "  (errors or refusals!)" : "");
  if (run.errors + run.refused > 0)
    g_print ("          %" G_GINT64_FORMAT " errors, %" G_GINT64_FORMAT " refused\n", run.errors,
             run.refused);
  g_array_append_val (on_peer ? c->peer : c->ours, run);
  return TRUE;
}

/* ---- provisioning -------------------------------------------------------------------------- */

static double
bulk_import (FdBench *b, guint round)
{
  g_autofree char *name = g_strdup_printf ("bulk %u", round);
  g_autofree char *wks = fd_test_make_workspace (b->srv, name);
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/devices/import", wks);
  g_autoptr (GString) csv = g_string_new ("name,credential\n");
  g_autoptr (JsonNode) answer = NULL;
  guint status = 0;
  gint64 t0;
  double s;

  for (guint i = 0; i < b->import_devices; i++)
    g_string_append_printf (csv, "bulk-%05u,generate\n", i + 1);
  t0 = g_get_monotonic_time ();
  answer = fd_test_api_full (b->srv, "POST", path, "text/csv", csv->str, csv->len, b->srv->token,
                             &status, NULL);
  s = (double)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpint (fd_test_int (answer, "total"), ==, b->import_devices);
  g_print ("  bulk import of %u devices (credential=generate), one request: %.2f s\n",
           b->import_devices, s);
  return s;
}

/* Milliseconds per device, making @one_by_one devices with two requests each. */
static double
one_by_one (FdBench *b, guint round)
{
  g_autofree char *name = g_strdup_printf ("one by one %u", round);
  g_autofree char *wks = fd_test_make_workspace (b->srv, name);
  g_autofree char *devices = g_strdup_printf ("/api/v1/workspaces/%s/devices", wks);
  gint64 t0 = g_get_monotonic_time ();
  double ms;

  for (guint i = 0; i < b->one_by_one; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"name\": \"single-%05u\"}", i + 1);
      g_autoptr (JsonNode) dev = fd_test_api_expect (b->srv, "POST", devices, body, 201);
      g_autofree char *creds
          = g_strdup_printf ("/api/v1/devices/%s/credentials", fd_test_str (dev, "id"));
      g_autoptr (JsonNode) cred
          = fd_test_api_expect (b->srv, "POST", creds, "{\"kind\": \"generated\"}", 201);
    }
  ms = (double)(g_get_monotonic_time () - t0) / 1000.0 / b->one_by_one;
  g_print ("  %u devices one by one (POST device + POST credential): %.2f ms per device\n",
           b->one_by_one, ms);
  return ms;
}

/* ---- report -------------------------------------------------------------------------------- */

static void
print_tables (FdBench *b, FdBenchCase *cases, guint n)
{
  g_print ("\n%u devices, closed loop (%u requests in flight), %g s per run, median of %u "
           "run%s; CPU: seconds the server / the simulator used during a run\n\n",
           b->devices, b->devices, b->duration_s, b->rounds, b->rounds > 1 ? "s" : "");
  g_print ("| run | Fleetdesk readings/s | p50 ms | p99 ms | CPU s | nginx readings/s | p50 ms "
           "| p99 ms | CPU s | Fleetdesk / nginx |\n");
  g_print ("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (guint i = 0; i < n; i++)
    {
      FdBenchCase *c = &cases[i];
      double ours = run_median (c->ours, G_STRUCT_OFFSET (FdBenchRun, readings_per_s));

      g_print ("| %s | %.0f | %.2f | %.2f | %.1f / %.1f |", c->label, ours,
               run_median (c->ours, G_STRUCT_OFFSET (FdBenchRun, p50_ms)),
               run_median (c->ours, G_STRUCT_OFFSET (FdBenchRun, p99_ms)),
               run_median (c->ours, G_STRUCT_OFFSET (FdBenchRun, server_cpu_s)),
               run_median (c->ours, G_STRUCT_OFFSET (FdBenchRun, client_cpu_s)));
      if (c->peer->len > 0)
        {
          double theirs = run_median (c->peer, G_STRUCT_OFFSET (FdBenchRun, readings_per_s));
          g_print (" %.0f | %.2f | %.2f | %.1f / %.1f | %.2fx |\n", theirs,
                   run_median (c->peer, G_STRUCT_OFFSET (FdBenchRun, p50_ms)),
                   run_median (c->peer, G_STRUCT_OFFSET (FdBenchRun, p99_ms)),
                   run_median (c->peer, G_STRUCT_OFFSET (FdBenchRun, server_cpu_s)),
                   run_median (c->peer, G_STRUCT_OFFSET (FdBenchRun, client_cpu_s)),
                   theirs > 0 ? ours / theirs : 0);
        }
      else
        g_print (" – | – | – | – | – |\n");
    }

  g_print ("\n| process | VmRSS after the runs | VmHWM (peak) |\n|---|---:|---:|\n");
  g_print ("| fleetdesk-server | %.1f MB | %.1f MB |\n", b->rss_kb / 1024.0, b->hwm_kb / 1024.0);
  if (b->have_peer)
    g_print ("| nginx (master + workers) | %.1f MB | %.1f MB |\n", b->peer_rss_kb / 1024.0,
             b->peer_hwm_kb / 1024.0);

  if (b->bulk_s->len > 0)
    {
      double bulk = median (b->bulk_s), single = median (b->single_ms);
      double bulk_ms = bulk * 1000.0 / b->import_devices;

      g_print ("\n| provisioning | total | ms per device |\n|---|---:|---:|\n");
      g_print ("| bulk import, %u devices, credential=generate, one request | %.2f s | %.3f |\n",
               b->import_devices, bulk, bulk_ms);
      g_print ("| %u devices one by one (POST device + POST credential) | %.2f s (%u devices: "
               "%.1f s extrapolated) | %.3f |\n",
               b->one_by_one, single * b->one_by_one / 1000.0, b->import_devices,
               single * b->import_devices / 1000.0, single);
      g_print ("| one by one / bulk, per device | | %.1fx |\n", single / bulk_ms);
    }
}

/* ---- main ---------------------------------------------------------------------------------- */

static gboolean
find_tools (FdBench *b)
{
  const char *server = g_getenv ("FD_SERVER_BIN");
  const char *device = g_getenv ("FD_DEVICE_BIN");

#ifdef FD_SERVER_PATH /* bench/meson.build passes the paths of the programs it built */
  if (server == NULL)
    g_setenv ("FD_SERVER_BIN", server = FD_SERVER_PATH, TRUE);
  if (device == NULL)
    device = FD_DEVICE_PATH;
#endif
  if (server == NULL || device == NULL)
    {
      g_printerr ("set FD_SERVER_BIN and FD_DEVICE_BIN\n");
      return FALSE;
    }
  b->device_bin = g_strdup (device);
  b->nginx = fd_bench_find_nginx ();
  if (b->nginx == NULL)
    g_print ("peer:    nginx is not installed (Debian: apt install nginx-light); the runs "
             "against it are skipped\n");
  return TRUE;
}

int
main (int argc, char **argv)
{
  int devices = 200, rounds = 2, import_devices = 10000, singles = 200;
  double duration = 5;
  gboolean no_peer = FALSE;
  GOptionEntry entries[] = {
    { "devices", 'n', 0, G_OPTION_ARG_INT, &devices, "Simulated devices (default 200)", "N" },
    { "duration", 's', 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds per run (default 5)", "S" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds of every run, interleaved (default 2)",
      "R" },
    { "import-devices", 0, 0, G_OPTION_ARG_INT, &import_devices,
      "Devices in the bulk import (default 10000; 0: no provisioning timing)", "M" },
    { "one-by-one", 0, 0, G_OPTION_ARG_INT, &singles,
      "Devices made one by one, its peer (default 200)", "K" },
    { "no-peer", 0, 0, G_OPTION_ARG_NONE, &no_peer, "Do not run nginx", NULL },
    { NULL },
  };
  FdBenchCase cases[] = {
    { "device token, single readings", "key", 0, NULL, NULL },
    { "device token, batches of 100", "key", 100, NULL, NULL },
    { "client certificate, single readings", "mtls", 0, NULL, NULL },
    { "client certificate, batches of 100", "mtls", 100, NULL, NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— device ingest benchmark");
  g_autoptr (GError) error = NULL;
  const char *server_args[] = { "--device-rate=0", "--public-name", "localhost", NULL };
  FdBench b = { 0 };
  gboolean ok = TRUE;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Readings per second Fleetdesk acknowledges over HTTPS, "
                                         "against nginx answering without storing; and bulk "
                                         "provisioning against one device at a time.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (devices < 1 || devices > 5000 || rounds < 1 || duration <= 0 || import_devices < 0
      || import_devices > 10000 || singles < 1)
    {
      g_printerr ("--devices 1..5000, --rounds >= 1, --duration > 0, --import-devices "
                  "0..10000, --one-by-one >= 1\n");
      return 2;
    }
  b.devices = (guint)devices;
  b.rounds = (guint)rounds;
  b.duration_s = duration;
  b.import_devices = (guint)import_devices;
  b.one_by_one = (guint)singles;
  b.bulk_s = g_array_new (FALSE, FALSE, sizeof (double));
  b.single_ms = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      cases[i].ours = g_array_new (FALSE, FALSE, sizeof (FdBenchRun));
      cases[i].peer = g_array_new (FALSE, FALSE, sizeof (FdBenchRun));
    }
  if (!find_tools (&b))
    return 1;
  if (no_peer)
    g_clear_pointer (&b.nginx, g_free);

  signal (SIGINT, fd_bench_on_interrupt);
  /* A failed assertion aborts the program; without this its server and nginx would outlive it. */
  fd_bench_end_children_on (SIGABRT);
  fd_bench_end_children_on (SIGTRAP);
  b.tmp = g_dir_make_tmp ("fd-bench-ingest-XXXXXX", &error);
  g_assert_no_error (error);
  b.srv = fd_test_server_start_with_args (server_args);
  fd_bench_server_pid = b.srv->pid;
  g_print ("data:    %s\n", b.srv->data_dir);
  if (b.nginx != NULL)
    {
      g_autofree char *pki = g_build_filename (b.srv->data_dir, "pki", NULL);
      b.have_peer = fd_bench_peer_start (&b.peer, b.nginx, pki);
      fd_bench_peer_pid = b.peer.pid;
      if (b.have_peer)
        g_print ("peer:    %s on port %u\n", b.nginx, b.peer.port);
    }
  provision (&b);

  /* One unrecorded second on each side first: the first run of a fresh server also pays for
   * its caches, the first SQLite pages and the first series of every device. */
  {
    double saved = b.duration_s;
    FdBenchRun warm = { 0 };

    b.duration_s = MIN (1.0, saved);
    g_print ("warm-up\n");
    ok = simulate (&b, b.dirs[0], 0, b.srv->pid, FALSE, &warm)
         && simulate (&b, b.dirs[1], 0, b.srv->pid, FALSE, &warm)
         && (!b.have_peer || simulate (&b, b.peer_dirs[0], 0, b.peer.pid, TRUE, &warm));
    b.duration_s = saved;
  }

  /* Each round runs every case on both sides; which side goes first alternates case by case
   * and round by round, so that a slow moment of the machine hits both alike. */
  for (guint r = 0; ok && r < b.rounds; r++)
    {
      g_print ("round %u of %u:\n", r + 1, b.rounds);
      for (guint i = 0; ok && i < G_N_ELEMENTS (cases); i++)
        {
          gboolean peer_first = b.have_peer && (r + i) % 2 == 1;
          ok = !fd_bench_interrupted && (!peer_first || run_case (&b, &cases[i], TRUE))
               && !fd_bench_interrupted && run_case (&b, &cases[i], FALSE) && !fd_bench_interrupted
               && (!b.have_peer || peer_first || run_case (&b, &cases[i], TRUE));
        }
    }
  b.rss_kb = fd_bench_status_kb (b.srv->pid, "VmRSS:");
  b.hwm_kb = fd_bench_status_kb (b.srv->pid, "VmHWM:");
  if (b.have_peer)
    {
      b.peer_rss_kb = fd_bench_status_kb_tree (b.peer.pid, "VmRSS:");
      b.peer_hwm_kb = fd_bench_status_kb_tree (b.peer.pid, "VmHWM:");
      fd_bench_peer_stop (&b.peer);
      fd_bench_peer_pid = 0;
    }

  if (ok && b.import_devices > 0)
    {
      g_print ("provisioning:\n");
      for (guint r = 0; ok && r < b.rounds; r++)
        {
          double s, ms;
          if (r % 2 == 0)
            {
              ms = one_by_one (&b, r);
              ok = !fd_bench_interrupted;
              s = ok ? bulk_import (&b, r) : 0;
            }
          else
            {
              s = bulk_import (&b, r);
              ok = !fd_bench_interrupted;
              ms = ok ? one_by_one (&b, r) : 0;
            }
          ok = ok && !fd_bench_interrupted;
          if (ok)
            {
              g_array_append_val (b.bulk_s, s);
              g_array_append_val (b.single_ms, ms);
            }
        }
    }

  fd_test_server_stop (b.srv);
  fd_bench_server_pid = 0;
  if (ok)
    print_tables (&b, cases, G_N_ELEMENTS (cases));
  else
    g_printerr ("\n%s\n", fd_bench_interrupted ? "interrupted" : "failed");

  fd_test_rm_rf (b.tmp);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_array_unref (cases[i].ours);
      g_array_unref (cases[i].peer);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_free (b.dirs[i]);
      g_free (b.peer_dirs[i]);
    }
  g_array_unref (b.bulk_s);
  g_array_unref (b.single_ms);
  g_free (b.tmp);
  g_free (b.nginx);
  g_free (b.device_bin);
  return ok ? 0 : 1;
}
