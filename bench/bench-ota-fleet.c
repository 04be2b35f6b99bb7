/* bench-ota-fleet.c — a firmware campaign to thousands of simulated MQTT devices: how long until
 * every device was notified (@fota stored and sent) and had started its download, the server's CPU
 * and VmRSS while they download at once (Range requests of --chunk bytes over each device's own TLS
 * connection, every file hashed and its manifest's signature checked by the device), and the
 * firmware bytes per second it served. The peer, in the same run: the same file fetched as many
 * times with curl (64 transfers at a time) from `python3 -m http.server` and from the server's
 * own operator route GET /firmware/{id}/file (plain HTTP, libsoup), the figures as ratios.
 *
 * Run by hand: _build/bench/bench-ota-fleet [--devices N] [--size BYTES] [--chunk BYTES]
 * [--no-peer]. Not a test; bench/README.md has the figures. (bench-ota measures the campaign's hot
 * path in one process, without a network.)
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <gio/gio.h>

#include "bench-mqtt.h"
#include "fd-test-devices.h"

static volatile pid_t server_pid, sim_pid, peer_pid;

static void
on_abort (int sig)
{
  if (sim_pid > 0)
    kill (sim_pid, SIGTERM);
  if (server_pid > 0)
    kill (server_pid, SIGTERM);
  if (peer_pid > 0)
    kill (peer_pid, SIGTERM);
  signal (sig, SIG_DFL);
  raise (sig);
}

typedef struct
{
  double create_s;    /* POST /campaigns answered (stage 0 stored and delivered) */
  double notified_s;  /* no target queued */
  double started_s;   /* no target queued or notified: every device is downloading */
  double fetched_s;   /* none downloading either: every file is in */
  double completed_s; /* the campaign completed */
  double cpu_s;       /* the server's CPU from the POST to fetched_s */
  double sim_cpu_s;   /* the simulator's, the same span */
  guint64 rss_before_kb, rss_peak_kb;
  guint64 bytes; /* the simulator's firmware_bytes */
  gint64 succeeded;
} Campaign;

typedef struct
{
  double wall_s, cpu_s;
  guint64 rss_peak_kb;
  gboolean ok;
} Peer;

static gint64
count (JsonNode *c, const char *state)
{
  JsonObject *counts = json_object_get_object_member (json_node_get_object (c), "counts");

  return counts ? json_object_get_int_member_with_default (counts, state, 0) : 0;
}

/* The import's files, with endpoint.port the MQTT port and the workspace's firmware_key when the
 * import gave none. */
static void
prepare_files (FdTestServer *srv, const char *wks, const char *raw, const char *dir, guint port)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/signing-key", wks);
  g_autoptr (JsonNode) key = fd_test_api_expect (srv, "GET", path, NULL, 200);
  g_autoptr (GDir) d = g_dir_open (raw, 0, NULL);
  const char *name;

  g_mkdir_with_parents (dir, 0700);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *from = g_build_filename (raw, name, NULL);
      g_autofree char *to = g_build_filename (dir, name, NULL);
      g_autofree char *text = NULL, *out = NULL;
      g_autoptr (JsonNode) node = NULL;
      JsonObject *root;

      g_file_get_contents (from, &text, NULL, NULL);
      node = json_from_string (text, NULL);
      root = json_node_get_object (node);
      json_object_set_int_member (json_object_get_object_member (root, "endpoint"), "port", port);
      if (!json_object_has_member (root, "firmware_key"))
        {
          JsonObject *fk = json_object_new ();
          json_object_set_string_member (fk, "algorithm", fd_test_str (key, "algorithm"));
          json_object_set_string_member (fk, "public_key", fd_test_str (key, "public_key"));
          json_object_set_object_member (root, "firmware_key", fk);
        }
      out = json_to_string (node, FALSE);
      g_file_set_contents_full (to, out, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL);
    }
}

/* Writes @size bytes of a pattern to @path and uploads them as version 2.0.0; returns the id. */
static char *
upload (FdTestServer *srv, const char *wks, const char *path, gsize size)
{
  g_autofree guint8 *data = g_malloc (size);
  g_autofree char *api = g_strdup_printf ("/api/v1/workspaces/%s/firmware?version=2.0.0", wks);
  g_autoptr (JsonNode) fw = NULL;
  guint32 x = 2463534242u;
  guint status = 0;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      data[i] = (guint8)x;
    }
  g_file_set_contents (path, (const char *)data, (gssize)size, NULL);
  fw = fd_test_api_full (srv, "POST", api, "application/octet-stream", (const char *)data, size,
                         srv->token, &status, NULL);
  if (status != 201)
    g_error ("firmware upload: %u", status);
  return g_strdup (fd_test_str (fw, "id"));
}

/* Waits until the simulator's stderr says every device tried to connect. */
static gboolean
wait_connected (const char *err_path, GPid pid)
{
  for (;;)
    {
      g_autofree char *text = NULL;
      int status;

      if (g_file_get_contents (err_path, &text, NULL, NULL) && strstr (text, " devices connected "))
        {
          const char *line = strstr (text, "fleetdesk-device: ");
          g_autofree char *first = line ? g_strndup (line, strcspn (line, "\n")) : NULL;
          g_print ("simulator: %s\n", first ? first : "connected");
          return TRUE;
        }
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          g_printerr ("the simulator ended: %s\n", text ? text : "");
          return FALSE;
        }
      g_usleep (100 * 1000);
    }
}

static gboolean
run_campaign (FdTestServer *srv, const char *wks, GPtrArray *ids, const char *fw, const char *dir,
              const char *tmp, guint n, guint chunk, gsize size, Campaign *out)
{
  const char *device = g_getenv ("FD_DEVICE_BIN");
  g_autofree char *devices = g_strdup_printf ("--devices=%u", n);
  g_autofree char *chunk_arg = g_strdup_printf ("--chunk=%u", chunk);
  g_autofree char *out_path = g_build_filename (tmp, "sim.json", NULL);
  g_autofree char *err_path = g_build_filename (tmp, "sim.err", NULL);
  g_autofree char *summary = NULL, *cmp = NULL;
  const char *argv[] = { device,
                         "simulate",
                         "--credentials-dir",
                         dir,
                         devices,
                         "--transport=mqtt",
                         "--idle",
                         "--fw-version=1.0.0",
                         chunk_arg,
                         "--duration=0",
                         "--json",
                         NULL };
  g_autoptr (GString) body = g_string_new ("{\"name\": \"bench\", \"firmware_id\": \"");
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/campaigns", wks);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) made = NULL, sum = NULL;
  GPid pid;
  int fd_out, fd_err, status = 0;
  gint64 t0;
  double cpu0, sim0;
  guint code = 0;

  fd_out = open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  fd_err = open (err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (!g_spawn_async_with_fds (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                               &pid, -1, fd_out, fd_err, &error))
    {
      g_printerr ("cannot start %s: %s\n", device, error->message);
      return FALSE;
    }
  close (fd_out);
  close (fd_err);
  sim_pid = pid;
  if (!wait_connected (err_path, pid))
    return FALSE;
  /* Let every __info {"fw": "1.0.0"} land. */
  g_usleep (2 * G_USEC_PER_SEC);

  g_string_append_printf (body, "%s\", \"devices\": [", fw);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (body, "%s\"%s\"", i ? "," : "", (char *)ids->pdata[i]);
  g_string_append (body, "]}");
  out->rss_before_kb = fd_bench_status_kb (srv->pid, "VmRSS:");
  cpu0 = fd_bench_cpu_s (srv->pid);
  sim0 = fd_bench_cpu_s (pid);
  t0 = g_get_monotonic_time ();
  made = fd_test_api (srv, "POST", path, body->str, &code);
  out->create_s = (double)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  if (code != 201)
    {
      g_printerr ("campaign: %u %s\n", code, made ? json_to_string (made, FALSE) : "");
      kill (pid, SIGTERM);
      return FALSE;
    }
  cmp = g_strdup (fd_test_str (made, "id"));
  g_free (path);
  path = g_strdup_printf ("/api/v1/campaigns/%s", cmp);
  for (;;)
    {
      g_autoptr (JsonNode) c = fd_test_api_expect (srv, "GET", path, NULL, 200);
      double at = (double)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
      gint64 queued = count (c, "queued"), notified = count (c, "notified");
      gint64 downloading = count (c, "downloading");

      out->rss_peak_kb = MAX (out->rss_peak_kb, fd_bench_status_kb (srv->pid, "VmRSS:"));
      if (out->notified_s == 0 && queued == 0)
        out->notified_s = at;
      if (out->started_s == 0 && queued + notified == 0)
        out->started_s = at;
      if (out->fetched_s == 0 && queued + notified + downloading == 0)
        {
          out->fetched_s = at;
          out->cpu_s = fd_bench_cpu_s (srv->pid) - cpu0;
          out->sim_cpu_s = fd_bench_cpu_s (pid) - sim0;
        }
      if (!g_str_equal (fd_test_str (c, "state"), "running"))
        {
          out->completed_s = at;
          out->succeeded = count (c, "succeeded");
          g_print ("campaign: %s after %.2f s, %" G_GINT64_FORMAT " of %u succeeded\n",
                   fd_test_str (c, "state"), at, out->succeeded, n);
          break;
        }
      if (at > 600)
        {
          g_printerr ("campaign still running after 600 s\n");
          break;
        }
      g_usleep (100 * 1000);
    }
  kill (pid, SIGTERM);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (pid);
  sim_pid = 0;
  if (g_file_get_contents (out_path, &summary, NULL, NULL)
      && (sum = json_from_string (summary, NULL)) != NULL)
    out->bytes = (guint64)json_object_get_int_member (json_node_get_object (sum), "firmware_bytes");
  if (out->bytes != (guint64)n * size)
    g_print ("simulator: %" G_GUINT64_FORMAT " firmware bytes, not %" G_GUINT64_FORMAT "\n",
             out->bytes, (guint64)n * size);
  return out->succeeded == n;
}

/* A free loopback port (bound, then let go: python binds it next). */
static guint
free_port (void)
{
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) got = NULL;

  g_socket_bind (s, any, TRUE, NULL);
  got = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (got));
}

/* curl fetches @url @n times, 64 at a time; the server @pid's CPU and peak VmRSS meanwhile. */
static Peer
fetch_with_curl (const char *url, const char *header, guint n, const char *tmp, pid_t pid)
{
  g_autofree char *config = g_build_filename (tmp, "curl.cfg", NULL);
  g_autoptr (GString) cfg = g_string_new (NULL);
  const char *argv[] = { "curl",   "-sS",        "--no-progress-meter",
                         "--fail", "--parallel", "--parallel-max",
                         "64",     "-K",         config,
                         NULL };
  g_autoptr (GError) error = NULL;
  Peer p = { 0 };
  GPid child;
  int status = 0;
  double cpu0 = fd_bench_cpu_s (pid);
  gint64 t0;

  if (header != NULL)
    g_string_append_printf (cfg, "header = \"%s\"\n", header);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (cfg, "url = \"%s\"\noutput = \"/dev/null\"\n", url);
  g_file_set_contents (config, cfg->str, -1, NULL);
  t0 = g_get_monotonic_time ();
  if (!g_spawn_async (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                      NULL, NULL, &child, &error))
    {
      g_printerr ("curl: %s\n", error->message);
      return p;
    }
  while (waitpid (child, &status, WNOHANG) == 0)
    {
      p.rss_peak_kb = MAX (p.rss_peak_kb, fd_bench_status_kb_tree (pid, "VmRSS:"));
      g_usleep (50 * 1000);
    }
  g_spawn_close_pid (child);
  p.wall_s = (double)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  p.cpu_s = fd_bench_cpu_s_tree (pid) - cpu0;
  p.ok = WIFEXITED (status) && WEXITSTATUS (status) == 0;
  if (!p.ok)
    g_printerr ("curl exited with status %d\n", status);
  return p;
}

static Peer
python_peer (const char *file, guint n, const char *tmp)
{
  g_autofree char *dir = g_path_get_dirname (file);
  g_autofree char *base = g_path_get_basename (file);
  guint port = free_port ();
  g_autofree char *port_s = g_strdup_printf ("%u", port);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/%s", port, base);
  const char *argv[]
      = { "python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, port_s, NULL };
  g_autoptr (GError) error = NULL;
  Peer p = { 0 };
  GPid pid;
  int status;

  if (!g_spawn_async (NULL, (char **)argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                          | G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &pid, &error))
    {
      g_printerr ("python3: %s\n", error->message);
      return p;
    }
  peer_pid = pid;
  /* Until it listens. */
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr (GSocketClient) c = g_socket_client_new ();
      g_autoptr (GSocketConnection) conn
          = g_socket_client_connect_to_host (c, "127.0.0.1", (guint16)port, NULL, NULL);
      if (conn != NULL)
        break;
      g_usleep (50 * 1000);
    }
  p = fetch_with_curl (url, NULL, n, tmp, pid);
  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  peer_pid = 0;
  return p;
}

static void
print_peer (const char *name, const Peer *p, guint n, gsize size, const Campaign *c)
{
  double bps = p->wall_s > 0 ? (double)n * size / p->wall_s : 0;
  double ours = c->fetched_s > 0 ? (double)c->bytes / c->fetched_s : 0;

  g_print ("| %s | %.2f s | %.1f MB/s | %.2f s | %.1f MB | %.2fx |\n", name, p->wall_s, bps / 1e6,
           p->cpu_s, p->rss_peak_kb / 1024.0, bps > 0 ? ours / bps : 0);
}

int
main (int argc, char **argv)
{
  int devices = 2000, size = 1024 * 1024, chunk = 65536;
  gboolean no_peer = FALSE;
  GOptionEntry entries[] = {
    { "devices", 'n', 0, G_OPTION_ARG_INT, &devices, "Simulated devices (default 2000)", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "Firmware bytes (default 1 MiB)", "BYTES" },
    { "chunk", 0, 0, G_OPTION_ARG_INT, &chunk, "Range request bytes (default 65536)", "BYTES" },
    { "no-peer", 0, 0, G_OPTION_ARG_NONE, &no_peer, "Do not run the curl peers", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— a firmware campaign");
  g_autoptr (GError) error = NULL;
  const char *server_args[]
      = { "--device-rate=0", "--ota-tick-ms=200", "--public-name", "localhost", NULL };
  static const char *const keys[] = { "key", NULL };
  g_autofree char *tmp = NULL, *raw = NULL, *dir = NULL, *file = NULL, *wks = NULL, *fw = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  FdTestServer *srv;
  Campaign c = { 0 };
  Peer py = { 0 }, op = { 0 };
  g_autofree char *load = NULL;
  gboolean ok;
  guint port;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (devices < 1 || devices > 10000 || size < 1 || chunk < 1 || chunk >= 1024 * 1024)
    {
      g_printerr ("--devices 1..10000, --size >= 1, --chunk 1..1048575\n");
      return 2;
    }
#ifdef FD_SERVER_PATH
  if (g_getenv ("FD_SERVER_BIN") == NULL)
    g_setenv ("FD_SERVER_BIN", FD_SERVER_PATH, TRUE);
  if (g_getenv ("FD_DEVICE_BIN") == NULL)
    g_setenv ("FD_DEVICE_BIN", FD_DEVICE_PATH, TRUE);
#endif
  fd_bench_raise_file_limit ();
  signal (SIGABRT, on_abort);
  signal (SIGTRAP, on_abort);
  signal (SIGINT, on_abort);
  tmp = g_dir_make_tmp ("fd-bench-ota-XXXXXX", &error);
  g_assert_no_error (error);
  srv = fd_test_server_start_with_args (server_args);
  server_pid = srv->pid;
  port = fd_bench_server_mqtt_port (srv);
  if (port == 0)
    {
      g_printerr ("fleetdesk-server has no MQTT listener\n");
      return 1;
    }
  raw = g_build_filename (tmp, "import", NULL);
  dir = g_build_filename (tmp, "creds", NULL);
  file = g_build_filename (tmp, "www", "firmware.bin", NULL);
  {
    g_autofree char *www = g_path_get_dirname (file);
    g_mkdir_with_parents (www, 0700);
  }
  wks = fd_test_make_workspace (srv, "bench ota");
  ids = fd_test_import_devices (srv, wks, "ota", (guint)devices, keys, raw, NULL);
  prepare_files (srv, wks, raw, dir, port);
  fw = upload (srv, wks, file, (gsize)size);
  g_print ("campaign: firmware of %d bytes to %d simulated MQTT devices, Range requests of %d "
           "bytes\n",
           size, devices, chunk);
  ok = run_campaign (srv, wks, ids, fw, dir, tmp, (guint)devices, (guint)chunk, (gsize)size, &c);
  if (ok && !no_peer)
    {
      g_autofree char *url = g_strdup_printf ("%s/api/v1/firmware/%s/file", srv->url, fw);
      g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", srv->token);

      g_print ("peers: curl, %d transfers of the file, 64 at a time\n", devices);
      py = python_peer (file, (guint)devices, tmp);
      op = fetch_with_curl (url, auth, (guint)devices, tmp, srv->pid);
    }
  {
    g_autofree char *text = NULL;
    g_file_get_contents ("/proc/loadavg", &text, NULL, NULL);
    load = g_strndup (text ? text : "?", text ? strcspn (text, " ") + 5 : 1);
  }
  fd_test_server_stop (srv);
  server_pid = 0;

  g_print ("\n| step | seconds after POST /campaigns |\n|---|---:|\n");
  g_print ("| POST /campaigns answered (stage stored and sent) | %.2f |\n", c.create_s);
  g_print ("| every target notified | %.2f |\n", c.notified_s);
  g_print ("| every device downloading | %.2f |\n", c.started_s);
  g_print ("| every file in | %.2f |\n", c.fetched_s);
  g_print ("| campaign completed | %.2f |\n", c.completed_s);
  g_print ("\nserver while they downloaded: %.2f CPU s over %.2f s (%.0f %% of a core), VmRSS "
           "%.1f MB before, %.1f MB at most; %.1f MB/s of firmware served (%" G_GUINT64_FORMAT
           " bytes)\n",
           c.cpu_s, c.fetched_s, c.fetched_s > 0 ? 100 * c.cpu_s / c.fetched_s : 0,
           c.rss_before_kb / 1024.0, c.rss_peak_kb / 1024.0,
           c.fetched_s > 0 ? c.bytes / c.fetched_s / 1e6 : 0, c.bytes);
  g_print ("simulator meanwhile: %.2f CPU s (%.0f %% of a core); load average %s\n", c.sim_cpu_s,
           c.fetched_s > 0 ? 100 * c.sim_cpu_s / c.fetched_s : 0, load);
  if (py.ok || op.ok)
    {
      g_print ("\n| peer | wall | bytes/s | server CPU | server VmRSS peak | Fleetdesk campaign "
               "/ peer |\n|---|---:|---:|---:|---:|---:|\n");
      if (py.ok)
        print_peer ("python3 -m http.server (HTTP)", &py, (guint)devices, (gsize)size, &c);
      if (op.ok)
        print_peer ("GET /api/v1/firmware/{id}/file (HTTP)", &op, (guint)devices, (gsize)size, &c);
    }
  fd_test_rm_rf (tmp);
  return ok ? 0 : 1;
}
