/* bench-ingest-peer.c — nginx as the bare-transport peer of the ingest benchmark, and reading
 * memory and CPU of a process (and its children) from /proc. */
#include "bench-ingest.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>

char *
fd_bench_find_nginx (void)
{
  char *path = g_find_program_in_path ("nginx");

  if (path == NULL && g_file_test ("/usr/sbin/nginx", G_FILE_TEST_IS_EXECUTABLE))
    path = g_strdup ("/usr/sbin/nginx");
  return path;
}

/* A loopback port nobody listens on right now. */
static guint
free_port (void)
{
  g_autoptr (GSocket) s
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  if (s == NULL || !g_socket_bind (s, any, TRUE, NULL))
    return 0;
  bound = g_socket_get_local_address (s, NULL);
  return bound ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
copy_file (const char *from, const char *to, GString *append_to)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents (from, &text, NULL, NULL))
    return FALSE;
  if (append_to != NULL)
    {
      g_string_append (append_to, text);
      return TRUE;
    }
  return g_file_set_contents_full (to, text, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL);
}

gboolean
fd_bench_peer_start (FdBenchPeer *peer, const char *nginx, const char *pki_dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) chain = g_string_new (NULL);
  g_autofree char *crt = g_build_filename (pki_dir, "server.crt", NULL);
  g_autofree char *ca = g_build_filename (pki_dir, "ca.crt", NULL);
  g_autofree char *key = g_build_filename (pki_dir, "server.key", NULL);
  g_autofree char *chain_path = NULL, *key_path = NULL, *conf_path = NULL, *conf = NULL;
  g_autofree char *ports_probe = NULL;
  const char *argv[8];
  gint64 deadline;

  peer->prefix = g_dir_make_tmp ("fd-bench-nginx-XXXXXX", &error);
  if (peer->prefix == NULL)
    {
      g_printerr ("peer: %s\n", error->message);
      return FALSE;
    }
  chain_path = g_build_filename (peer->prefix, "server-chain.crt", NULL);
  key_path = g_build_filename (peer->prefix, "server.key", NULL);
  conf_path = g_build_filename (peer->prefix, "nginx.conf", NULL);
  if (!copy_file (crt, NULL, chain) || !copy_file (ca, NULL, chain)
      || !g_file_set_contents_full (chain_path, chain->str, -1, G_FILE_SET_CONTENTS_NONE, 0600,
                                    NULL)
      || !copy_file (key, key_path, NULL))
    {
      g_printerr ("peer: cannot copy the server certificate and key from %s\n", pki_dir);
      return FALSE;
    }
  peer->port = free_port ();
  /* As close to the device endpoint's job as nginx gets without storing: TLS 1.2/1.3 with the
   * same certificate, client certificates requested and any accepted (Fleetdesk checks
   * them against the store), keep-alive without a request limit, a fixed 202 answer. */
  conf = g_strdup_printf ("worker_processes auto;\n"
                          "daemon off;\n"
                          "pid %s/nginx.pid;\n"
                          "error_log %s/error.log warn;\n"
                          "events { worker_connections 8192; }\n"
                          "http {\n"
                          "  access_log off;\n"
                          "  client_body_temp_path %s/body;\n"
                          "  client_max_body_size 16m;\n"
                          "  keepalive_requests 100000000;\n"
                          "  keepalive_timeout 60s;\n"
                          "  server {\n"
                          "    listen 127.0.0.1:%u ssl;\n"
                          "    ssl_certificate %s;\n"
                          "    ssl_certificate_key %s;\n"
                          "    ssl_protocols TLSv1.2 TLSv1.3;\n"
                          "    ssl_verify_client optional_no_ca;\n"
                          "    location /v1/ {\n"
                          "      default_type application/json;\n"
                          "      return 202 '{\"accepted\":1}';\n"
                          "    }\n"
                          "  }\n"
                          "}\n",
                          peer->prefix, peer->prefix, peer->prefix, peer->port, chain_path,
                          key_path);
  if (!g_file_set_contents (conf_path, conf, -1, &error))
    {
      g_printerr ("peer: %s\n", error->message);
      return FALSE;
    }

  argv[0] = nginx;
  argv[1] = "-p";
  argv[2] = peer->prefix;
  argv[3] = "-c";
  argv[4] = conf_path;
  argv[5] = "-e";
  argv[6] = ports_probe = g_build_filename (peer->prefix, "error.log", NULL);
  argv[7] = NULL;
  if (!g_spawn_async (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                      &peer->pid, &error))
    {
      g_printerr ("peer: cannot start %s: %s\n", nginx, error->message);
      return FALSE;
    }

  /* Ready when it accepts connections. */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr (GSocketClient) client = g_socket_client_new ();
      g_autoptr (GSocketConnection) conn
          = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16)peer->port, NULL, NULL);
      int status;

      if (conn != NULL)
        return TRUE;
      if (waitpid (peer->pid, &status, WNOHANG) == peer->pid)
        {
          g_autofree char *log = NULL;
          g_file_get_contents (ports_probe, &log, NULL, NULL);
          g_printerr ("peer: nginx exited at start-up:\n%s\n", log ? log : "");
          peer->pid = 0;
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_printerr ("peer: nginx did not listen on port %u within 10 s\n", peer->port);
          return FALSE;
        }
      g_usleep (20 * 1000);
    }
}

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        rm_rf (child);
      else
        unlink (child);
    }
  rmdir (path);
}

void
fd_bench_peer_stop (FdBenchPeer *peer)
{
  if (peer->pid > 0)
    {
      int status;
      kill (peer->pid, SIGTERM); /* nginx: fast shutdown of master and workers */
      while (waitpid (peer->pid, &status, 0) < 0 && errno == EINTR)
        ;
      g_spawn_close_pid (peer->pid);
      peer->pid = 0;
    }
  if (peer->prefix != NULL)
    rm_rf (peer->prefix);
  g_clear_pointer (&peer->prefix, g_free);
}

/* ---- /proc --------------------------------------------------------------------------------- */

guint64
fd_bench_status_kb (pid_t pid, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int)pid);
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (at = strstr (text, field)) == NULL)
    return 0;
  return g_ascii_strtoull (at + strlen (field), NULL, 10);
}

/* Fields of /proc/PID/stat after the command name (which may hold spaces): [0] is the state,
 * [1] the parent, [11] utime, [12] stime. */
static gboolean
read_stat (pid_t pid, guint64 out[13])
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int)pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *close;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (close = strrchr (text, ')')) == NULL)
    return FALSE;
  fields = g_strsplit (close + 2, " ", 14);
  if (g_strv_length (fields) < 14)
    return FALSE;
  for (guint i = 0; i < 13; i++)
    out[i] = g_ascii_strtoull (fields[i], NULL, 10);
  return TRUE;
}

/* The direct children of @pid. */
static GArray *
children (pid_t pid)
{
  GArray *kids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      guint64 st[13];
      pid_t p;
      if (!g_ascii_isdigit (name[0]))
        continue;
      p = (pid_t)g_ascii_strtoull (name, NULL, 10);
      if (read_stat (p, st) && (pid_t)st[1] == pid)
        g_array_append_val (kids, p);
    }
  return kids;
}

guint64
fd_bench_status_kb_tree (pid_t pid, const char *field)
{
  g_autoptr (GArray) kids = children (pid);
  guint64 sum = fd_bench_status_kb (pid, field);

  for (guint i = 0; i < kids->len; i++)
    sum += fd_bench_status_kb (g_array_index (kids, pid_t, i), field);
  return sum;
}

double
fd_bench_cpu_s (pid_t pid)
{
  guint64 st[13];

  if (!read_stat (pid, st))
    return 0;
  return (double)(st[11] + st[12]) / (double)sysconf (_SC_CLK_TCK);
}

double
fd_bench_cpu_s_tree (pid_t pid)
{
  g_autoptr (GArray) kids = children (pid);
  double sum = fd_bench_cpu_s (pid);

  for (guint i = 0; i < kids->len; i++)
    sum += fd_bench_cpu_s (g_array_index (kids, pid_t, i));
  return sum;
}

volatile pid_t fd_bench_server_pid, fd_bench_peer_pid, fd_bench_sim_pid;

static void
end_children (int sig)
{
  if (fd_bench_sim_pid > 0)
    kill (fd_bench_sim_pid, SIGTERM);
  if (fd_bench_server_pid > 0)
    kill (fd_bench_server_pid, SIGTERM);
  if (fd_bench_peer_pid > 0)
    kill (fd_bench_peer_pid, SIGTERM);
  signal (sig, SIG_DFL);
  raise (sig);
}

void
fd_bench_end_children_on (int sig)
{
  signal (sig, end_children);
}
