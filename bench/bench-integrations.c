/* bench-integrations.c — what webhook integrations deliver, how fast a backlog drains, and what
 * two integrations cost the ingest.
 *
 * Starts a real fleetdesk-server (tests/fd-test-server.c: ports 0, a temporary data directory,
 * --device-rate=0, integration back-off 50 ms to 1 s), makes --connections cloud-token devices
 * and drives the HTTPS device endpoint with batches of PER_POST readings, one thread and one
 * keep-alive connection per device, every request answered 202 (committed) before the next (the
 * fastest ingest path: bench-device-https). Integrations are made through the REST API and
 * deliver to a libsoup receiver in this process (its own thread) that answers 200 at once and
 * counts readings per integration, a batch_id counted once however often it is resent.
 *
 *   1. Live: one webhook at its default batching (500 readings or 1 s) while the devices ingest
 *      at full speed for --duration s: deliveries/s and readings/s forwarded, against the
 *      readings/s ingested in the same run (the ratio: 1.00x keeps up), then how long it took
 *      to catch up after the ingest stopped.
 *   2. Backlog: the receiver answers 503 while --readings readings are ingested; then it
 *      answers 200, and the time until every reading arrived is taken (from the moment it is up:
 *      the first retry waits for the back-off, at most 1 s here, reported apart).
 *   3. Cost: the same --duration ingest with no integration (A) and with two active
 *      integrations (B: two webhooks, or a webhook and a PostgreSQL sink when
 *      FLEETDESK_TEST_PG_DSN is set), A B A B …; the cost is 1 − B/A of the medians, with the
 *      server's CPU seconds per 100,000 readings as the steadier figure.
 *
 * Run by hand: _build/bench/bench-integrations [--readings N] [--duration S] [--rounds R]
 * [--connections K] [--backlog-only] [--live-batch-max N]. Not a test; bench/README.md has the
 * figures. With PostgreSQL the sink writes into a schema of the bench's own (tests/fd-test-pg.c).
 */
#define _GNU_SOURCE /* memmem */
#include <signal.h>
#include <sys/resource.h>
#include <glib/gstdio.h>
#include <string.h>

#include "bench-ingest.h"
#include "fd-test-device.h"
#include "fd-test-pg.h"

#define PER_POST 500
#define SECRET "whsec-bench-0123456789"

/* ---- the receiver -------------------------------------------------------------------------- */

typedef struct
{
  guint64 requests, items;
  gint64 first_us, last_us; /* monotonic, of the first and last new batch answered 200 */
} Counter;

typedef struct
{
  GMutex lock;
  gboolean down; /* answer 503 */
  guint64 refused, dup_batches, requests, connections;
  GHashTable *batches;      /* X-Fleetdesk-Batch of the batches answered 200 */
  GHashTable *integrations; /* X-Fleetdesk-Integration -> Counter */
  SoupServer *server;
  guint port;
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
} Receiver;

/* The readings of a data body: one ",\"timestamp_in\":" each (fd_webhook_body), which is
 * cheaper than parsing the JSON and cannot occur inside the bench's own payloads. */
static guint64
count_items (const char *data, gsize len)
{
  static const char needle[] = ",\"timestamp_in\":";
  const char *end = data + len, *p = data;
  guint64 n = 0;

  while ((p = memmem (p, (gsize)(end - p), needle, sizeof needle - 1)) != NULL)
    {
      n++;
      p += sizeof needle - 1;
    }
  return n;
}

static void
receive (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
         gpointer user_data)
{
  Receiver *rx = user_data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *integration = soup_message_headers_get_one (h, "X-Fleetdesk-Integration");
  const char *batch = soup_message_headers_get_one (h, "X-Fleetdesk-Batch");
  GSocket *socket = soup_server_message_get_socket (msg);
  guint status = 200;

  g_mutex_lock (&rx->lock);
  /* a new connection is a GSocket not seen before (the sinks keep theirs alive) */
  if (socket != NULL && g_object_get_data (G_OBJECT (socket), "bench-seen") == NULL)
    g_object_set_data (G_OBJECT (socket), "bench-seen", GINT_TO_POINTER (++rx->connections));
  rx->requests++;
  if (rx->down)
    {
      rx->refused++;
      status = 503;
    }
  else if (integration != NULL && batch != NULL)
    {
      if (g_hash_table_contains (rx->batches, batch))
        rx->dup_batches++;
      else
        {
          Counter *c = g_hash_table_lookup (rx->integrations, integration);
          gint64 now = g_get_monotonic_time ();

          if (c == NULL)
            {
              c = g_new0 (Counter, 1);
              g_hash_table_insert (rx->integrations, g_strdup (integration), c);
            }
          g_hash_table_add (rx->batches, g_strdup (batch));
          c->requests++;
          c->items += count_items (body->data, (gsize)body->length);
          if (c->first_us == 0)
            c->first_us = now;
          c->last_us = now;
        }
    }
  g_mutex_unlock (&rx->lock);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static gpointer
receiver_thread (gpointer data)
{
  Receiver *rx = data;

  g_main_context_push_thread_default (rx->context);
  g_main_loop_run (rx->loop);
  g_main_context_pop_thread_default (rx->context);
  return NULL;
}

static Receiver *
receiver_start (void)
{
  Receiver *rx = g_new0 (Receiver, 1);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  g_mutex_init (&rx->lock);
  rx->batches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rx->integrations = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  rx->context = g_main_context_new ();
  rx->loop = g_main_loop_new (rx->context, FALSE);
  g_main_context_push_thread_default (rx->context);
  rx->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (rx->server, "/hook", receive, rx, NULL);
  if (!soup_server_listen_local (rx->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("receiver: %s", error->message);
  g_main_context_pop_thread_default (rx->context);
  uris = soup_server_get_uris (rx->server);
  rx->port = (guint)g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  rx->thread = g_thread_new ("receiver", receiver_thread, rx);
  return rx;
}

static void
receiver_set_down (Receiver *rx, gboolean down)
{
  g_mutex_lock (&rx->lock);
  rx->down = down;
  g_mutex_unlock (&rx->lock);
}

/* What @rx has counted for @integration so far (zeros before its first batch). */
static Counter
receiver_counter (Receiver *rx, const char *integration)
{
  Counter c = { 0 }, *in;

  g_mutex_lock (&rx->lock);
  in = g_hash_table_lookup (rx->integrations, integration);
  if (in != NULL)
    c = *in;
  g_mutex_unlock (&rx->lock);
  return c;
}

/* Waits until @integration's readings reach @n; FALSE after @timeout_s. */
static gboolean
receiver_wait (Receiver *rx, const char *integration, guint64 n, double timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)(timeout_s * G_USEC_PER_SEC);

  while (receiver_counter (rx, integration).items < n)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (5 * 1000);
    }
  return TRUE;
}

/* ---- the devices --------------------------------------------------------------------------- */

typedef struct
{
  FdTdServer *s;
  FdTdDevice *device;
  char *request; /* PER_POST readings, the same bytes every time */
  gint *budget;  /* requests left for all feeders, or NULL: until deadline_us */
  gint64 deadline_us;
  guint64 requests;
} Feeder;

static gpointer
feed (gpointer data)
{
  Feeder *f = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) raw = fd_td_raw_open (f->s, f->device, &error);

  if (raw == NULL)
    g_error ("device connection: %s", error->message);
  f->requests = 0;
  for (;;)
    {
      g_auto (FdTdResponse) resp = { 0 };

      if (f->budget != NULL ? g_atomic_int_add (f->budget, -1) <= 0
                            : g_get_monotonic_time () >= f->deadline_us)
        break;
      fd_td_raw_send (raw, f->request);
      if (!fd_td_raw_response (raw, &resp) || resp.status != 202)
        g_error ("POST /v1/data/env: %u %s", resp.status, resp.body ? resp.body : "(closed)");
      f->requests++;
    }
  return NULL;
}

typedef struct
{
  double seconds, readings_per_s, server_cpu_s;
  guint64 readings;
} Ingest;

typedef struct
{
  FdTdServer *s;
  Receiver *rx;
  Feeder *feeders;
  guint connections;
  double duration_s;
  guint rounds;
  guint64 readings;
  guint live_batch_max; /* 0: the API's default */
  FdTestPg *pg;         /* a schema of its own on $FLEETDESK_TEST_PG_DSN's server, or NULL */
} Bench;

/* Every feeder at once, either for @duration_s or until @requests requests were answered. */
static Ingest
ingest (Bench *b, double duration_s, guint64 requests)
{
  g_autofree GThread **threads = g_new0 (GThread *, b->connections);
  gint budget = (gint)requests;
  double cpu0 = fd_bench_cpu_s (b->s->srv->pid);
  gint64 t0 = g_get_monotonic_time ();
  Ingest run = { 0 };

  for (guint i = 0; i < b->connections; i++)
    {
      b->feeders[i].budget = requests > 0 ? &budget : NULL;
      b->feeders[i].deadline_us = t0 + (gint64)(duration_s * G_USEC_PER_SEC);
      threads[i] = g_thread_new ("feeder", feed, &b->feeders[i]);
    }
  for (guint i = 0; i < b->connections; i++)
    {
      g_thread_join (threads[i]);
      run.readings += b->feeders[i].requests * PER_POST;
    }
  run.seconds = (double)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  run.server_cpu_s = fd_bench_cpu_s (b->s->srv->pid) - cpu0;
  run.readings_per_s = (double)run.readings / run.seconds;
  return run;
}

/* ---- integrations through the API ---------------------------------------------------------- */

/* A new integration of the bench's workspace from @json_tail (the members after "name"); its
 * id, or NULL (and why, on stdout) when the server refused it. */
static char *
make_integration (Bench *b, const char *name, const char *json_tail)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/integrations", b->s->workspace);
  g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\", %s}", name, json_tail);
  guint status = 0;
  g_autoptr (JsonNode) node = fd_test_api (b->s->srv, "POST", path, body, &status);

  if (status != 201)
    {
      g_autofree char *text = node ? json_to_string (node, FALSE) : g_strdup ("");
      g_print ("  POST %s %s: %u %s\n", path, name, status, text);
      return NULL;
    }
  return g_strdup (fd_test_str (node, "id"));
}

static char *
make_webhook (Bench *b, const char *name, guint batch_max)
{
  g_autofree char *max = batch_max ? g_strdup_printf (", \"batch_max\": %u", batch_max) : NULL;
  g_autofree char *tail = g_strdup_printf (
      "\"type\": \"webhook\", \"url\": \"http://127.0.0.1:%u/hook\", \"secret\": \"" SECRET "\"%s",
      b->rx->port, max ? max : "");
  char *id = make_integration (b, name, tail);

  if (id == NULL)
    g_error ("the server refused a webhook integration");
  return id;
}

static void
delete_integration (Bench *b, const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/integrations/%s", id);
  g_autoptr (JsonNode) none = fd_test_api_expect (b->s->srv, "DELETE", path, NULL, 204);
}

/* health.@member of integration @id, as the server reports it. */
static gint64
health (Bench *b, const char *id, const char *member)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/integrations/%s", id);
  g_autoptr (JsonNode) node = fd_test_api_expect (b->s->srv, "GET", path, NULL, 200);
  JsonObject *h = json_object_get_object_member (json_node_get_object (node), "health");

  return json_object_get_int_member_with_default (h, member, -1);
}

/* ---- the three measurements ---------------------------------------------------------------- */

typedef struct
{
  Ingest in;
  double deliveries_per_s, forwarded_per_s, catch_up_s;
  guint64 forwarded, left;
  gboolean caught_up;
} Live;

static Live
measure_live (Bench *b)
{
  g_autofree char *id = make_webhook (b, "live", b->live_batch_max);
  Live live = { 0 };
  Counter c0 = receiver_counter (b->rx, id), c1;
  gint64 end;

  live.in = ingest (b, b->duration_s, 0);
  end = g_get_monotonic_time ();
  c1 = receiver_counter (b->rx, id);
  live.forwarded = c1.items - c0.items;
  live.deliveries_per_s = (double)(c1.requests - c0.requests) / live.in.seconds;
  live.forwarded_per_s = (double)live.forwarded / live.in.seconds;
  live.left = live.in.readings - MIN (live.in.readings, c1.items);
  live.caught_up = receiver_wait (b->rx, id, live.in.readings, 120 + live.in.seconds * 10);
  live.catch_up_s = (double)(receiver_counter (b->rx, id).last_us - end) / G_USEC_PER_SEC;
  g_print ("  ingested %" G_GUINT64_FORMAT " readings in %.2f s (%.0f/s); forwarded meanwhile "
           "%" G_GUINT64_FORMAT " in %.0f requests/s (%.0f readings/s); %" G_GUINT64_FORMAT
           " queued when the ingest stopped, %s %.2f s later\n",
           live.in.readings, live.in.seconds, live.in.readings_per_s, live.forwarded,
           live.deliveries_per_s, live.forwarded_per_s, live.left,
           live.caught_up ? "all delivered" : "NOT all delivered", MAX (live.catch_up_s, 0));
  delete_integration (b, id);
  return live;
}

typedef struct
{
  Ingest in;
  double first_s, drain_s, readings_per_s, requests_per_s, proper_per_s, server_cpu_s;
  double db_mb, wal_mb;
  guint64 requests, refused, server_delivered;
  gboolean complete;
} Backlog;

/* The size of DATA/@name in MB (0 when absent). */
static double
file_mb (Bench *b, const char *name)
{
  g_autofree char *path = g_build_filename (b->s->srv->data_dir, name, NULL);
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (double)st.st_size / (1024 * 1024) : 0;
}

static Backlog
measure_backlog (Bench *b)
{
  g_autofree char *id = NULL;
  Backlog bl = { 0 };
  guint64 refused0;
  double cpu0;
  gint64 up;
  Counter c;

  receiver_set_down (b->rx, TRUE);
  g_mutex_lock (&b->rx->lock);
  refused0 = b->rx->refused;
  g_mutex_unlock (&b->rx->lock);
  id = make_webhook (b, "backlog", 0);
  bl.in = ingest (b, 0, (b->readings + PER_POST - 1) / PER_POST);
  g_print ("  receiver answering 503: ingested %" G_GUINT64_FORMAT " readings in %.2f s "
           "(%.0f/s)\n",
           bl.in.readings, bl.in.seconds, bl.in.readings_per_s);
  bl.db_mb = file_mb (b, "fleetdesk.db");
  bl.wal_mb = file_mb (b, "fleetdesk.db-wal");
  cpu0 = fd_bench_cpu_s (b->s->srv->pid);
  up = g_get_monotonic_time ();
  receiver_set_down (b->rx, FALSE);
  bl.complete = receiver_wait (b->rx, id, bl.in.readings, 600 + bl.in.readings / 1000.0);
  bl.server_cpu_s = fd_bench_cpu_s (b->s->srv->pid) - cpu0;
  c = receiver_counter (b->rx, id);
  g_mutex_lock (&b->rx->lock);
  bl.refused = b->rx->refused - refused0;
  g_mutex_unlock (&b->rx->lock);
  bl.requests = c.requests;
  bl.first_s = (double)(c.first_us - up) / G_USEC_PER_SEC;
  bl.drain_s = (double)(c.last_us - up) / G_USEC_PER_SEC;
  bl.readings_per_s = (double)c.items / bl.drain_s;
  bl.requests_per_s = (double)c.requests / bl.drain_s;
  bl.proper_per_s = c.last_us > c.first_us
                        ? (double)c.items * G_USEC_PER_SEC / (double)(c.last_us - c.first_us)
                        : 0;
  /* the worker's counters are published at most once a second */
  g_usleep (1500 * 1000);
  bl.server_delivered = (guint64)health (b, id, "delivered");
  g_print ("  receiver up: first batch after %.2f s, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
           " readings in %.2f s (%.0f readings/s, %.0f requests/s; %.0f readings/s from the "
           "first batch on; server CPU %.2f s); the server counts %" G_GUINT64_FORMAT
           " delivered, %" G_GUINT64_FORMAT
           " requests were answered 503; store %.0f MB, WAL %.0f MB "
           "when the receiver came back\n",
           bl.first_s, c.items, bl.in.readings, bl.drain_s, bl.readings_per_s, bl.requests_per_s,
           bl.proper_per_s, bl.server_cpu_s, bl.server_delivered, bl.refused, bl.db_mb, bl.wal_mb);
  delete_integration (b, id);
  return bl;
}

/* Run B's two integrations: two webhooks, or a webhook and PostgreSQL with
 * FLEETDESK_TEST_PG_DSN (two webhooks when the server refuses the DSN). */
static void
make_pair (Bench *b, char **first, char **second, gboolean *pg)
{
  *first = make_webhook (b, "cost-webhook", 0);
  *second = NULL;
  if (b->pg != NULL && *pg)
    {
      g_autoptr (GString) tail = g_string_new ("\"type\": \"postgresql\", \"dsn\": \"");
      for (const char *p = b->pg->dsn; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (tail, '\\');
          g_string_append_c (tail, *p);
        }
      g_string_append_c (tail, '"');
      *second = make_integration (b, "cost-postgresql", tail->str);
      if (*second == NULL)
        {
          g_print ("  PostgreSQL refused: two webhooks instead\n");
          *pg = FALSE;
        }
    }
  if (*second == NULL)
    *second = make_webhook (b, "cost-webhook-2", 0);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double
median (GArray *v)
{
  g_autoptr (GArray) s = g_array_copy (v);

  if (s->len == 0)
    return 0;
  g_array_sort (s, compare_doubles);
  return s->len % 2
             ? g_array_index (s, double, s->len / 2)
             : (g_array_index (s, double, s->len / 2 - 1) + g_array_index (s, double, s->len / 2))
                   / 2;
}

typedef struct
{
  GArray *rate[2], *cpu[2]; /* [0]: A, none; [1]: B, two integrations; readings/s, CPU s/100k */
  GArray *cpu_all[2];       /* CPU s/100k until B's integrations delivered it all (+ 1 s) */
  GArray *own[2];           /* this process's (devices, receiver) CPU s/100k, the same span */
  GArray *forwarded[2];     /* B: readings/s forwarded by each integration during the ingest */
  gboolean pg, caught_up;
  gint64 pg_rows; /* in fleetdesk_readings after the last B run */
} Cost;

/* Waits until integration @id delivered @n readings: the receiver's count for a webhook, the
 * server's (published about once a second) for PostgreSQL, given up when that count stands
 * still for 15 s (a sink that cannot deliver: a build without the PostgreSQL sink). */
static gboolean
wait_delivered (Bench *b, const char *id, gboolean pg, guint64 n, double timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)(timeout_s * G_USEC_PER_SEC);
  gint64 last = -1, moved = g_get_monotonic_time (), delivered;

  if (!pg)
    return receiver_wait (b->rx, id, n, timeout_s);
  while ((delivered = health (b, id, "delivered")) < (gint64)n)
    {
      gint64 now = g_get_monotonic_time ();
      if (delivered != last)
        last = delivered, moved = now;
      if (now > deadline || now - moved > 15 * G_USEC_PER_SEC)
        {
          g_print ("  PostgreSQL integration %s: %" G_GINT64_FORMAT " of %" G_GUINT64_FORMAT
                   " delivered, stuck\n",
                   id, delivered, n);
          return FALSE;
        }
      g_usleep (100 * 1000);
    }
  return TRUE;
}

/* User + system CPU seconds of this process: the devices' TLS clients and the receiver. */
static double
own_cpu_s (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void
measure_cost (Bench *b, Cost *cost)
{
  for (int k = 0; k < 2; k++)
    {
      cost->rate[k] = g_array_new (FALSE, FALSE, sizeof (double));
      cost->cpu[k] = g_array_new (FALSE, FALSE, sizeof (double));
      cost->cpu_all[k] = g_array_new (FALSE, FALSE, sizeof (double));
      cost->own[k] = g_array_new (FALSE, FALSE, sizeof (double));
      cost->forwarded[k] = g_array_new (FALSE, FALSE, sizeof (double));
    }
  cost->pg = b->pg != NULL;
  cost->caught_up = TRUE;
  for (guint r = 0; r < b->rounds; r++)
    for (int k = 0; k < 2; k++)
      {
        g_autofree char *one = NULL, *two = NULL;
        double cpu0, cpu, cpu_all, own0, own, fw[2] = { 0 };
        gint64 end;
        Ingest run;

        if (k == 1)
          make_pair (b, &one, &two, &cost->pg);
        cpu0 = fd_bench_cpu_s (b->s->srv->pid);
        own0 = own_cpu_s ();
        run = ingest (b, b->duration_s, 0);
        end = g_get_monotonic_time ();
        cpu = run.server_cpu_s * 100000 / (double)run.readings;
        if (k == 1)
          {
            /* new integrations start at the end of the queue: all they deliver is this run's */
            fw[0] = (double)receiver_counter (b->rx, one).items / run.seconds;
            /* PostgreSQL: the server's count, published about once a second */
            fw[1] = cost->pg ? (double)MAX (health (b, two, "delivered"), 0) / run.seconds
                             : (double)receiver_counter (b->rx, two).items / run.seconds;
            if (!wait_delivered (b, one, FALSE, run.readings, 300)
                || !wait_delivered (b, two, cost->pg, run.readings, 300))
              {
                g_print ("  (not every reading was delivered within 300 s)\n");
                cost->caught_up = FALSE;
              }
            if (cost->pg)
              {
                gint64 rows
                    = fd_test_pg_count (b->pg, "SELECT count(*) FROM fleetdesk_readings", NULL);
                g_print ("  PostgreSQL: %" G_GINT64_FORMAT
                         " rows in fleetdesk_readings, %" G_GINT64_FORMAT
                         " of them this run (%" G_GUINT64_FORMAT " ingested)\n",
                         rows, rows - cost->pg_rows, run.readings);
                cost->pg_rows = rows;
              }
          }
        /* what is left after the ingest (compaction, the last batches) */
        g_usleep (1000 * 1000);
        cpu_all = (fd_bench_cpu_s (b->s->srv->pid) - cpu0) * 100000 / (double)run.readings;
        own = (own_cpu_s () - own0) * 100000 / (double)run.readings;
        g_array_append_val (cost->own[k], own);
        g_array_append_val (cost->rate[k], run.readings_per_s);
        g_array_append_val (cost->cpu[k], cpu);
        g_array_append_val (cost->cpu_all[k], cpu_all);
        g_print ("  round %u %s: %.0f readings/s, server CPU %.2f s (%.3f s per 100,000 "
                 "readings; %.3f s with what followed, this process %.3f s",
                 r + 1, k ? "B, two integrations" : "A, no integration ", run.readings_per_s,
                 run.server_cpu_s, cpu, cpu_all, own);
        if (k == 1)
          {
            g_array_append_val (cost->forwarded[0], fw[0]);
            g_array_append_val (cost->forwarded[1], fw[1]);
            g_print (", their delivery included, %.2f s after the ingest); forwarded meanwhile "
                     "%.0f + %.0f readings/s%s",
                     (double)(g_get_monotonic_time () - end) / G_USEC_PER_SEC - 1, fw[0], fw[1],
                     cost->pg ? " (the second: PostgreSQL, by the server's count)" : "");
            delete_integration (b, one);
            delete_integration (b, two);
          }
        else
          g_print (")");
        g_print ("\n");
      }
}

/* ---- main ---------------------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  gint64 readings = 1000000;
  int connections = 4, rounds = 2, live_batch_max = 0;
  gboolean backlog_only = FALSE;
  double duration = 10;
  GOptionEntry entries[] = {
    { "readings", 'n', 0, G_OPTION_ARG_INT64, &readings,
      "Readings of the backlog (default 1000000)", "N" },
    { "duration", 's', 0, G_OPTION_ARG_DOUBLE, &duration,
      "Seconds of ingest per live and cost run (default 10)", "S" },
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Rounds of A B in the cost runs (default 2)",
      "R" },
    { "connections", 'c', 0, G_OPTION_ARG_INT, &connections,
      "Devices ingesting at once, one connection each (default 4)", "K" },
    { "backlog-only", 0, 0, G_OPTION_ARG_NONE, &backlog_only,
      "Only the backlog run (2.), on a fresh store", NULL },
    { "live-batch-max", 0, 0, G_OPTION_ARG_INT, &live_batch_max,
      "batch_max of the live run's webhook (default: the API's, 500)", "N" },
    { NULL },
  };
  const char *server_args[] = { "--device-rate=0", "--integration-backoff-ms=50",
                                "--integration-backoff-max-ms=1000", NULL };
  g_autoptr (GOptionContext) context = g_option_context_new ("— webhook integrations benchmark");
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) body = g_string_new ("[");
  g_autofree char *extra = NULL;
  gint64 ts = g_get_real_time () / 1000 - 3600 * 1000;
  Bench b = { 0 };
  Cost cost = { .caught_up = TRUE };
  Live live = { .caught_up = TRUE };
  Backlog bl;
  double a, bb;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (readings < PER_POST || readings > 100000000 || connections < 1 || connections > 64
      || rounds < 1 || duration <= 0 || live_batch_max < 0 || live_batch_max > 10000)
    {
      g_printerr ("--readings %d..100000000, --connections 1..64, --rounds >= 1, "
                  "--duration > 0, --live-batch-max 0..10000\n",
                  PER_POST);
      return 2;
    }
#ifdef FD_SERVER_PATH
  if (g_getenv ("FD_SERVER_BIN") == NULL)
    g_setenv ("FD_SERVER_BIN", FD_SERVER_PATH, TRUE);
#endif
  b.connections = (guint)connections;
  b.duration_s = duration;
  b.rounds = (guint)rounds;
  b.readings = (guint64)readings;
  b.live_batch_max = (guint)live_batch_max;
  if (g_getenv ("FLEETDESK_TEST_PG_DSN") != NULL && *g_getenv ("FLEETDESK_TEST_PG_DSN") != '\0')
    b.pg = fd_test_pg_new ();

  fd_bench_end_children_on (SIGABRT);
  fd_bench_end_children_on (SIGTRAP);
  b.rx = receiver_start ();
  b.s = fd_td_server_wrap (fd_test_server_start_with_args (server_args), "bench integrations");
  fd_bench_server_pid = b.s->srv->pid;
  b.feeders = g_new0 (Feeder, b.connections);
  for (guint i = 0; i < PER_POST; i++)
    g_string_append_printf (body,
                            "%s{\"ts\": %" G_GINT64_FORMAT ", \"payload\": {\"temp\": 21.5, "
                            "\"hum\": %u, \"ok\": true}}",
                            i ? ", " : "", ts + i, i % 100);
  g_string_append_c (body, ']');
  for (guint i = 0; i < b.connections; i++)
    {
      g_autofree char *name = g_strdup_printf ("bench-%02u", i);
      b.feeders[i].s = b.s;
      b.feeders[i].device = fd_td_key_device (b.s, name, "cloud_token");
      extra = g_strdup_printf ("Authorization: Bearer %s\r\nContent-Type: application/json\r\n",
                               b.feeders[i].device->secret);
      b.feeders[i].request = fd_td_request ("POST", "/v1/data/env", extra, body->str);
      g_clear_pointer (&extra, g_free);
    }
  g_print ("fleetdesk-server %s (data %s), receiver http://127.0.0.1:%u/hook; %u devices "
           "posting batches of %d readings over HTTPS, each answered 202 before the next\n",
           b.s->srv->url, b.s->srv->data_dir, b.rx->port, b.connections, PER_POST);

  g_print ("warm-up (2 s, no integration)\n");
  ingest (&b, 2, 0);
  if (!backlog_only)
    {
      g_print ("1. live: one webhook at its default batching (500 readings or 1 s)\n");
      live = measure_live (&b);
      g_print ("3. cost: no integration (A) against two (B), %u round%s\n", b.rounds,
               b.rounds > 1 ? "s" : "");
      measure_cost (&b, &cost);
    }
  g_print ("2. backlog of %" G_GUINT64_FORMAT " readings\n", b.readings);
  bl = measure_backlog (&b);

  fd_test_server_stop (b.s->srv);
  fd_bench_server_pid = 0;
  g_clear_pointer (&b.pg, fd_test_pg_free);

  g_print ("\n%u devices, batches of %d readings over HTTPS; %g s per live and cost run\n\n",
           b.connections, PER_POST, b.duration_s);
  if (!backlog_only)
    {
      g_print ("| 1. live, one webhook (default batching) | figure |\n|---|---:|\n");
      g_print ("| ingested, readings/s | %.0f |\n", live.in.readings_per_s);
      g_print ("| deliveries (requests)/s | %.1f |\n", live.deliveries_per_s);
      g_print ("| readings/s forwarded | %.0f |\n", live.forwarded_per_s);
      g_print ("| forwarded / ingested | %.2fx |\n",
               live.forwarded_per_s / MAX (live.in.readings_per_s, 1));
      g_print ("| queued when the ingest stopped | %" G_GUINT64_FORMAT " |\n", live.left);
      g_print ("| caught up after the ingest stopped | %s%.2f s |\n",
               live.caught_up ? "" : "NOT: ", MAX (live.catch_up_s, 0));
    }
  g_print ("\n| 2. backlog of %" G_GUINT64_FORMAT " readings | figure |\n|---|---:|\n",
           bl.in.readings);
  g_print ("| ingested while the receiver answered 503, readings/s | %.0f (%.2f s) |\n",
           bl.in.readings_per_s, bl.in.seconds);
  g_print ("| first batch after the receiver came back | %.2f s |\n", bl.first_s);
  g_print ("| every reading delivered after it came back | %s%.2f s |\n",
           bl.complete ? "" : "NOT: ", bl.drain_s);
  g_print ("| drain, readings/s (requests/s) | %.0f (%.1f) |\n", bl.readings_per_s,
           bl.requests_per_s);
  g_print ("| server CPU during the drain | %.2f s (%.2f s per 100,000 readings) |\n",
           bl.server_cpu_s, bl.server_cpu_s * 100000 / MAX ((double)bl.in.readings, 1));
  g_print ("| store and WAL when the receiver came back | %.0f MB, %.0f MB |\n", bl.db_mb,
           bl.wal_mb);
  g_print ("| drain / ingest, readings/s | %.2fx |\n",
           bl.readings_per_s / MAX (bl.in.readings_per_s, 1));
  g_print ("| delivered by the server's count | %" G_GUINT64_FORMAT " |\n", bl.server_delivered);
  if (!backlog_only)
    {
      a = median (cost.rate[0]);
      bb = median (cost.rate[1]);
      {
        double ca = median (cost.cpu[0]), cb = median (cost.cpu[1]);
        double fa = median (cost.cpu_all[0]), fb = median (cost.cpu_all[1]);
        double oa = median (cost.own[0]), ob = median (cost.own[1]);

        g_print (
            "\n| 3. ingest, median of %u | readings/s | forwarded during the ingest, readings/s "
            "| server CPU s per 100,000 readings, the ingest | the same, with their delivery "
            "to the end | this process (devices, receiver), the same span |\n"
            "|---|---:|---:|---:|---:|---:|\n",
            b.rounds);

        g_print ("| A: no integration | %.0f | | %.3f | %.3f | %.3f |\n", a, ca, fa, oa);
        g_print ("| B: two %s | %.0f | %.0f + %.0f | %.3f | %.3f | %.3f |\n",
                 cost.pg ? "integrations (webhook + PostgreSQL)" : "webhooks", bb,
                 median (cost.forwarded[0]), median (cost.forwarded[1]), cb, fb, ob);
        g_print ("| B / A | %.2fx | | %.2fx | %.2fx | %.2fx |\n", bb / MAX (a, 1),
                 cb / MAX (ca, 1e-9), fb / MAX (fa, 1e-9), ob / MAX (oa, 1e-9));
        g_print (
            "\ncost of two integrations: %.1f %% fewer readings/s ingested (the aim: < 20 %%); "
            "server CPU per reading %+.1f %% during the ingest, %+.1f %% with every reading "
            "delivered twice\n",
            100 * (1 - bb / MAX (a, 1)), 100 * (cb / MAX (ca, 1e-9) - 1),
            100 * (fb / MAX (fa, 1e-9) - 1));
      }
    }
  g_mutex_lock (&b.rx->lock);
  g_print ("receiver: %" G_GUINT64_FORMAT " batches received again after a 200 (resent), "
           "%" G_GUINT64_FORMAT " requests answered 503; %" G_GUINT64_FORMAT " requests over %"
           G_GUINT64_FORMAT " connections\n",
           b.rx->dup_batches, b.rx->refused, b.rx->requests, b.rx->connections);
  g_mutex_unlock (&b.rx->lock);
  return live.caught_up && bl.complete && cost.caught_up ? 0 : 1;
}
