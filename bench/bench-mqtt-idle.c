/* bench-mqtt-idle.c — what an idle MQTT/TLS connection costs the server in memory: 10,000
 * simulated devices connect (each its own TLS session and device token), subscribe to j/dn/<id>,
 * send #status and __manifest, and then only hold their connections; the server's VmRSS with
 * them, minus its VmRSS before, divided by the connections. The same against Debian's mosquitto
 * broker with the same certificate.
 *
 * Run by hand: _build/bench/bench-mqtt-idle [--connections N] [--settle S] [--no-peer].
 * Not a test; bench/README.md has the figures.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>

#include "bench-mqtt.h"

typedef struct
{
  guint64 before_kb, held_kb, after_kb, client_kb;
  guint connected;
  double connect_s;
} Idle;

/* Holds @n connections from the zdevice.json files of @dir to the server @pid: its VmRSS before,
 * with them (after @settle_s), and after they closed. */
static gboolean
hold (const char *device_bin, const char *dir, guint n, pid_t pid, double settle_s, Idle *out)
{
  g_autofree char *devices = g_strdup_printf ("%u", n);
  const char *argv[]
      = { device_bin, "simulate", "--credentials-dir", dir, "--devices", devices, "--transport",
          "mqtt",     "--idle",   "--duration",        "0", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) err_stream = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  GPid child = 0;
  int err_fd = -1, status = 0;
  gboolean up = FALSE;

  out->before_kb = fd_bench_status_kb (pid, "VmRSS:");
  if (!g_spawn_async_with_pipes (NULL, (char **)argv, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 &child, NULL, NULL, &err_fd, &error))
    {
      g_printerr ("cannot start %s: %s\n", device_bin, error->message);
      return FALSE;
    }
  fd_bench_sim_pid = child;
  err_stream = g_unix_input_stream_new (err_fd, TRUE);
  lines = g_data_input_stream_new (err_stream);
  /* "fleetdesk-device: X of N devices connected in T s" once every device has tried. */
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, NULL);
      const char *at;

      if (line == NULL)
        break;
      if ((at = strstr (line, "fleetdesk-device: ")) != NULL
          && strstr (line, " devices connected "))
        {
          at += strlen ("fleetdesk-device: ");
          out->connected = (guint)g_ascii_strtoull (at, NULL, 10);
          at = strstr (at, " in ");
          out->connect_s = at ? g_ascii_strtod (at + 4, NULL) : 0;
          up = TRUE;
          break;
        }
      g_printerr ("  %s\n", line);
    }
  if (up)
    {
      g_usleep ((gulong)(settle_s * G_USEC_PER_SEC));
      out->held_kb = fd_bench_status_kb (pid, "VmRSS:");
      out->client_kb = fd_bench_status_kb (child, "VmRSS:");
    }
  kill (child, SIGINT);
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (child);
  fd_bench_sim_pid = 0;
  g_usleep ((gulong)(settle_s * G_USEC_PER_SEC));
  out->after_kb = fd_bench_status_kb (pid, "VmRSS:");
  if (!up)
    g_printerr ("the simulator ended before its devices were connected\n");
  return up;
}

static void
print_row (const char *name, const Idle *r)
{
  double delta = (double)r->held_kb - (double)r->before_kb;

  g_print ("| %s | %u | %.2f s | %.1f MB | %.1f MB | %.1f MB | %.1f KiB | %.1f MB |\n", name,
           r->connected, r->connect_s, r->before_kb / 1024.0, r->held_kb / 1024.0,
           r->after_kb / 1024.0, r->connected ? delta / r->connected : 0, r->client_kb / 1024.0);
}

int
main (int argc, char **argv)
{
  int connections = 10000;
  double settle = 3;
  gboolean no_peer = FALSE;
  GOptionEntry entries[] = {
    { "connections", 'n', 0, G_OPTION_ARG_INT, &connections, "Idle connections (default 10000)",
      "N" },
    { "settle", 0, 0, G_OPTION_ARG_DOUBLE, &settle,
      "Seconds between the last connect and the measurement (default 3)", "S" },
    { "no-peer", 0, 0, G_OPTION_ARG_NONE, &no_peer, "Do not run mosquitto", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— idle MQTT connections");
  g_autoptr (GError) error = NULL;
  const char *server_args[] = { "--device-rate=0", "--public-name", "localhost", NULL };
  const char *device = g_getenv ("FD_DEVICE_BIN");
  g_autofree char *mosquitto = NULL, *tmp = NULL, *dir = NULL, *peer_dir = NULL;
  FdTestServer *srv;
  FdBenchMosquitto peer = { 0 };
  gboolean have_peer = FALSE, ok = TRUE;
  Idle ours = { 0 }, theirs = { 0 };
  guint our_port;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (connections < 1 || connections > 10000 || settle < 0)
    {
      g_printerr ("--connections 1..10000 (one import), --settle >= 0\n");
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
  mosquitto = no_peer ? NULL : fd_bench_find_mosquitto ();
  if (!no_peer && mosquitto == NULL)
    g_print ("peer:    mosquitto is not installed (bench/setup.sh); its run is skipped\n");

  fd_bench_raise_file_limit ();
  fd_bench_end_children_on (SIGABRT);
  fd_bench_end_children_on (SIGTRAP);
  fd_bench_end_children_on (SIGINT);
  tmp = g_dir_make_tmp ("fd-bench-mqtt-idle-XXXXXX", &error);
  g_assert_no_error (error);
  srv = fd_test_server_start_with_args (server_args);
  fd_bench_server_pid = srv->pid;
  our_port = fd_bench_server_mqtt_port (srv);
  if (our_port == 0)
    g_print ("server:  fleetdesk-server has no MQTT listener (ports.json \"mqtt\"): its run is "
             "skipped\n");
  if (mosquitto != NULL)
    {
      g_autofree char *pki = g_build_filename (srv->data_dir, "pki", NULL);
      have_peer = fd_bench_mosquitto_start (&peer, mosquitto, pki);
      fd_bench_peer_pid = peer.pid;
    }
  dir = g_build_filename (tmp, "ours", NULL);
  peer_dir = g_build_filename (tmp, "peer", NULL);
  fd_bench_provision_mqtt (srv, "bench idle", (guint)connections, dir, our_port, peer_dir,
                           have_peer ? peer.port : our_port);

  if (our_port != 0)
    {
      g_print ("fleetdesk-server: %d connections\n", connections);
      ok = hold (device, dir, (guint)connections, srv->pid, settle, &ours);
    }
  if (ok && have_peer)
    {
      g_print ("mosquitto: %d connections\n", connections);
      ok = hold (device, peer_dir, (guint)connections, peer.pid, settle, &theirs);
    }
  if (have_peer)
    fd_bench_mosquitto_stop (&peer);
  fd_bench_peer_pid = 0;
  fd_test_server_stop (srv);
  fd_bench_server_pid = 0;

  if (ok)
    {
      g_print ("\n%d idle MQTT/TLS connections (device tokens, each subscribed to its j/dn), "
               "VmRSS measured %g s after the last connect\n\n",
               connections, settle);
      g_print ("| server | connected | connect time | VmRSS before | with them | after they "
               "closed | per connection | simulator VmRSS |\n|---|---:|---:|---:|---:|---:|---:|"
               "---:|\n");
      if (our_port != 0)
        print_row ("fleetdesk-server", &ours);
      if (have_peer)
        print_row ("mosquitto", &theirs);
      if (our_port != 0 && have_peer && theirs.held_kb > theirs.before_kb)
        g_print ("\nFleetdesk / mosquitto, memory per connection: %.2fx\n",
                 ((double)ours.held_kb - ours.before_kb) / ours.connected
                     / (((double)theirs.held_kb - theirs.before_kb) / theirs.connected));
    }
  fd_test_rm_rf (tmp);
  return ok ? 0 : 1;
}
