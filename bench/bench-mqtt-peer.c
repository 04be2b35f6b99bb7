/* bench-mqtt-peer.c — mosquitto as the MQTT benchmarks' peer, the server's MQTT port, and the
 * devices both are driven with. */
#include "bench-mqtt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gio/gio.h>

#include "fd-test-devices.h"

char *
fd_bench_find_mosquitto (void)
{
  char *path = g_find_program_in_path ("mosquitto");

  if (path == NULL && g_file_test ("/usr/sbin/mosquitto", G_FILE_TEST_IS_EXECUTABLE))
    path = g_strdup ("/usr/sbin/mosquitto");
  return path;
}

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

static gboolean
listens (guint port)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = NULL;

  if (port == 0)
    return FALSE;
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16)port, NULL, NULL);
  return conn != NULL;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

gboolean
fd_bench_mosquitto_start (FdBenchMosquitto *peer, const char *mosquitto, const char *pki_dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *crt = NULL, *ca = NULL, *key = NULL, *chain = NULL;
  g_autofree char *chain_path = NULL, *key_path = NULL, *conf_path = NULL, *conf = NULL;
  g_autofree char *log_path = NULL;
  g_autofree char *p_crt = g_build_filename (pki_dir, "server.crt", NULL);
  g_autofree char *p_ca = g_build_filename (pki_dir, "ca.crt", NULL);
  g_autofree char *p_key = g_build_filename (pki_dir, "server.key", NULL);
  const char *argv[4];
  int log_fd;
  gint64 deadline;

  peer->prefix = g_dir_make_tmp ("fd-bench-mosquitto-XXXXXX", &error);
  if (peer->prefix == NULL || !g_file_get_contents (p_crt, &crt, NULL, NULL)
      || !g_file_get_contents (p_ca, &ca, NULL, NULL)
      || !g_file_get_contents (p_key, &key, NULL, NULL))
    {
      g_printerr ("peer: cannot read the server certificate and key in %s\n", pki_dir);
      return FALSE;
    }
  chain = g_strconcat (crt, ca, NULL);
  chain_path = g_build_filename (peer->prefix, "server-chain.crt", NULL);
  key_path = g_build_filename (peer->prefix, "server.key", NULL);
  conf_path = g_build_filename (peer->prefix, "mosquitto.conf", NULL);
  log_path = g_build_filename (peer->prefix, "mosquitto.log", NULL);
  peer->port = free_port ();
  /* The device endpoint's job without the storing: TLS with the same certificate, every
   * client accepted (Fleetdesk checks each one), nothing kept. As root, mosquitto would switch
   * to its own user, which may not read the key: it stays who it is. */
  conf = g_strdup_printf ("%s"
                          "per_listener_settings false\n"
                          "allow_anonymous true\n"
                          "persistence false\n"
                          "log_dest stderr\n"
                          "log_type error\n"
                          "log_type warning\n"
                          "max_keepalive 65535\n"
                          "listener %u 127.0.0.1\n"
                          "certfile %s\n"
                          "keyfile %s\n"
                          "cafile %s\n",
                          getuid () == 0 ? "user root\n" : "", peer->port, chain_path, key_path,
                          p_ca);
  if (!g_file_set_contents_full (chain_path, chain, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL)
      || !g_file_set_contents_full (key_path, key, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL)
      || !g_file_set_contents (conf_path, conf, -1, &error))
    {
      g_printerr ("peer: cannot write its files in %s\n", peer->prefix);
      return FALSE;
    }
  argv[0] = mosquitto;
  argv[1] = "-c";
  argv[2] = conf_path;
  argv[3] = NULL;
  log_fd = open (log_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (!g_spawn_async_with_fds (NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                               die_with_parent, NULL, &peer->pid, -1, log_fd, log_fd, &error))
    {
      close (log_fd);
      g_printerr ("peer: cannot start %s: %s\n", mosquitto, error->message);
      return FALSE;
    }
  close (log_fd);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!listens (peer->port))
    {
      int status;
      if (waitpid (peer->pid, &status, WNOHANG) == peer->pid)
        {
          g_autofree char *log = NULL;
          g_file_get_contents (log_path, &log, NULL, NULL);
          g_printerr ("peer: mosquitto exited at start-up:\n%s\n", log ? log : "");
          peer->pid = 0;
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_printerr ("peer: mosquitto did not listen on port %u within 10 s\n", peer->port);
          return FALSE;
        }
      g_usleep (20 * 1000);
    }
  return TRUE;
}

void
fd_bench_mosquitto_stop (FdBenchMosquitto *peer)
{
  if (peer->pid > 0)
    {
      int status;
      kill (peer->pid, SIGTERM);
      while (waitpid (peer->pid, &status, 0) < 0 && errno == EINTR)
        ;
      g_spawn_close_pid (peer->pid);
      peer->pid = 0;
    }
  if (peer->prefix != NULL)
    fd_test_rm_rf (peer->prefix);
  g_clear_pointer (&peer->prefix, g_free);
}

guint
fd_bench_server_mqtt_port (FdTestServer *srv)
{
  g_autofree char *path = g_build_filename (srv->data_dir, "ports.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) node = NULL;
  gint64 port;

  if (!g_file_get_contents (path, &text, NULL, NULL)
      || (node = json_from_string (text, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  port = json_object_get_int_member_with_default (json_node_get_object (node), "mqtt", 0);
  return port > 0 && port < 65536 && listens ((guint)port) ? (guint)port : 0;
}

void
fd_bench_copy_with_port (const char *from, const char *to, guint port)
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
      json_object_set_int_member (endpoint, "port", port);
      out = json_to_string (node, FALSE);
      g_assert_true (g_file_set_contents_full (dst, out, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
    }
}

void
fd_bench_provision_mqtt (FdTestServer *srv, const char *name, guint n, const char *dir, guint port,
                         const char *peer_dir, guint peer_port)
{
  static const char *const keys[] = { "key", NULL };
  g_autofree char *wks = fd_test_make_workspace (srv, name);
  g_autofree char *raw = g_strconcat (dir, ".import", NULL);
  g_autoptr (GPtrArray) ids = NULL;
  double seconds = 0;

  ids = fd_test_import_devices (srv, wks, "mqtt", n, keys, raw, &seconds);
  g_print ("devices: %u with device tokens imported in %.2f s\n", n, seconds);
  /* The import's endpoint.port is the server's configured one; the benchmark uses the port it
   * listens on (and the peer's). */
  fd_bench_copy_with_port (raw, dir, port);
  if (peer_dir != NULL)
    fd_bench_copy_with_port (raw, peer_dir, peer_port);
  fd_test_rm_rf (raw);
}

void
fd_bench_raise_file_limit (void)
{
  struct rlimit rl;

  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }
}

double
fd_bench_children_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_CHILDREN, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}
