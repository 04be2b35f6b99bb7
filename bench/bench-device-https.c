/* bench-device-https.c — how many readings the HTTPS device endpoint takes, acknowledged.
 *
 * Starts a real fleetdesk-server (tests/fd-test-server.c, --device-rate=0) in a temporary
 * directory, makes devices with cloud tokens, and times from GIO TLS clients, one thread per
 * connection, each request answered (202, after COMMIT) before the next is sent:
 *
 *   1. one keep-alive connection, one reading per request;
 *   2. --connections connections at once, one reading per request;
 *   3. one connection, batches of 100 readings per request;
 *   4. a new TLS connection for every request (handshake, one request, close).
 *
 * Run by hand: _build/bench/bench-device-https [--requests N] [--connections K]. Not a test;
 * bench/README.md has the figures measured so far.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "fd-test-server.h"

typedef struct
{
  FdTestServer *srv;
  GTlsDatabase *ca;
  guint requests;
  char *body;    /* of each request */
  char **tokens; /* one device each */
  gboolean reconnect;
  GArray *latency_us; /* per thread, gint64 */
} Job;

static GIOStream *
connect_tls (Job *job)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) tcp = NULL;
  g_autoptr (GSocketConnectable) name = NULL;
  GIOStream *tls;

  g_socket_client_set_timeout (client, 30);
  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16)job->srv->device_port, NULL,
                                         &error);
  g_assert_no_error (error);
  g_socket_set_option (g_socket_connection_get_socket (tcp), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  name = g_network_address_new ("localhost", (guint16)job->srv->device_port);
  /* Given its database at construction: g_tls_client_connection_new() would first load the
   * system trust store (13 ms with glib-networking 2.74), which would be timed too. */
  tls = g_initable_new (g_tls_backend_get_client_connection_type (g_tls_backend_get_default ()),
                        NULL, &error, "base-io-stream", tcp, "server-identity", name, "database",
                        job->ca, NULL);
  g_assert_no_error (error);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  return tls;
}

/* Sends @request and reads one answer, which must be 202. */
static void
exchange (GIOStream *tls, const char *request, GString *in)
{
  g_autoptr (GError) error = NULL;
  const char *end;
  gsize need;

  g_output_stream_write_all (g_io_stream_get_output_stream (tls), request, strlen (request), NULL,
                             NULL, &error);
  g_assert_no_error (error);
  g_string_truncate (in, 0);
  for (;;)
    {
      char buf[4096];
      gssize n;

      end = strstr (in->str, "\r\n\r\n");
      if (end != NULL)
        {
          const char *cl = g_strstr_len (in->str, end - in->str, "Content-Length: ");
          g_assert_nonnull (cl);
          need = (gsize)(end + 4 - in->str) + (gsize)g_ascii_strtoull (cl + 16, NULL, 10);
          if (in->len >= need)
            break;
        }
      n = g_input_stream_read (g_io_stream_get_input_stream (tls), buf, sizeof buf, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (in, buf, n);
    }
  if (!g_str_has_prefix (in->str, "HTTP/1.1 202 "))
    g_error ("expected 202, got: %s", in->str);
}

typedef struct
{
  Job *job;
  guint index;
} Worker;

static gpointer
worker (gpointer data)
{
  Worker *w = data;
  Job *job = w->job;
  g_autofree char *request = g_strdup_printf (
      "POST /v1/data/bench HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer %s\r\n"
      "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
      job->tokens[w->index], strlen (job->body), job->body);
  g_autoptr (GString) in = g_string_new (NULL);
  GArray *lat = g_array_sized_new (FALSE, FALSE, sizeof (gint64), job->requests);
  GIOStream *tls = job->reconnect ? NULL : connect_tls (job);

  for (guint i = 0; i < job->requests; i++)
    {
      gint64 t0 = g_get_monotonic_time (), dt;
      if (job->reconnect)
        tls = connect_tls (job);
      exchange (tls, request, in);
      if (job->reconnect)
        {
          g_io_stream_close (tls, NULL, NULL);
          g_clear_object (&tls);
        }
      dt = g_get_monotonic_time () - t0;
      g_array_append_val (lat, dt);
    }
  if (tls != NULL)
    {
      g_io_stream_close (tls, NULL, NULL);
      g_object_unref (tls);
    }
  return lat;
}

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

/* Runs @n_conns workers of @requests each; prints the rate of requests and readings. */
static void
run (Job *job, const char *label, guint n_conns, guint readings_per_request)
{
  g_autoptr (GPtrArray) threads = g_ptr_array_new ();
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  Worker *workers = g_new0 (Worker, n_conns);
  gint64 t0 = g_get_monotonic_time ();
  double seconds, rate;

  for (guint i = 0; i < n_conns; i++)
    {
      workers[i].job = job;
      workers[i].index = i;
      g_ptr_array_add (threads, g_thread_new ("bench", worker, &workers[i]));
    }
  for (guint i = 0; i < n_conns; i++)
    {
      GArray *lat = g_thread_join (threads->pdata[i]);
      g_array_append_vals (all, lat->data, lat->len);
      g_array_unref (lat);
    }
  seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_array_sort (all, cmp_gint64);
  rate = all->len / seconds;
  g_print ("%-44s %7u req in %6.2f s: %8.0f req/s %9.0f readings/s  p50 %6.2f ms  p99 %6.2f "
           "ms\n",
           label, all->len, seconds, rate, rate * readings_per_request,
           g_array_index (all, gint64, all->len / 2) / 1000.0,
           g_array_index (all, gint64, all->len * 99 / 100) / 1000.0);
  g_free (workers);
}

static char *
make_token (FdTestServer *srv, const char *workspace, guint i)
{
  g_autofree char *name = g_strdup_printf ("bench-%u", i);
  g_autofree char *device = fd_test_make_device (srv, workspace, name);
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/credentials", device);
  g_autoptr (JsonNode) cred = fd_test_api_expect (
      srv, "POST", path, "{\"kind\": \"key\", \"mode\": \"cloud_token\"}", 201);
  return g_strdup (fd_test_str (cred, "secret"));
}

int
main (int argc, char **argv)
{
  const char *args[] = { "--device-rate=0", NULL };
  int requests = 5000, connections = 8;
  GOptionEntry entries[] = {
    { "requests", 'n', 0, G_OPTION_ARG_INT, &requests, "Requests per run (default 5000)", "N" },
    { "connections", 'c', 0, G_OPTION_ARG_INT, &connections,
      "Connections at once in run 2 (default 8)", "K" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— time the HTTPS device endpoint");
  g_autoptr (GError) error = NULL;
  g_autofree char *workspace = NULL;
  g_autoptr (GString) batch = g_string_new ("[");
  Job job = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || requests < 100 || connections < 1
      || connections > 64)
    {
      g_printerr ("%s\n", error ? error->message : "--requests >= 100, 1 <= --connections <= 64");
      return 2;
    }
  if (g_getenv ("FD_SERVER_BIN") == NULL)
    g_setenv ("FD_SERVER_BIN", FD_SERVER_PATH, TRUE);

  job.srv = fd_test_server_start_with_args (args);
  job.ca = g_tls_file_database_new (job.srv->ca_path, &error);
  g_assert_no_error (error);
  workspace = fd_test_make_workspace (job.srv, "bench");
  job.tokens = g_new0 (char *, connections + 1);
  for (int i = 0; i < connections; i++)
    job.tokens[i] = make_token (job.srv, workspace, (guint)i);
  for (guint i = 0; i < 100; i++)
    g_string_append_printf (batch, "%s{\"ts\": %u, \"payload\": {\"temp\": 21.5, \"hum\": %u}}",
                            i ? ", " : "", 1700000000 + i, i);
  g_string_append_c (batch, ']');

  g_print ("fleetdesk-server %s, device endpoint on port %u; every request answered 202 "
           "(committed) before the next on its connection\n",
           job.srv->device_url, job.srv->device_port);
  job.body = g_strdup ("{\"temp\": 21.5, \"hum\": 40}");
  job.requests = (guint)requests;
  run (&job, "1 connection, 1 reading per request", 1, 1);

  job.requests = (guint)(requests / connections);
  {
    g_autofree char *label = g_strdup_printf ("%d connections, 1 reading per request", connections);
    run (&job, label, (guint)connections, 1);
  }

  g_free (job.body);
  job.body = g_strdup (batch->str);
  job.requests = (guint)requests / 10;
  run (&job, "1 connection, batches of 100 readings", 1, 100);

  g_free (job.body);
  job.body = g_strdup ("{\"temp\": 21.5, \"hum\": 40}");
  job.reconnect = TRUE;
  job.requests = MIN ((guint)requests / 10, 500);
  run (&job, "new TLS connection per request", 1, 1);

  fd_test_server_stop (job.srv);
  g_object_unref (job.ca);
  g_strfreev (job.tokens);
  g_free (job.body);
  return 0;
}
