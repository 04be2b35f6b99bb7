/* bench-device-search.c — what a user feels when finding one device among 100,000.
 *
 * Starts a real fleetdesk-server (tests/fd-test-server.c) in a temporary directory, seeds one
 * workspace with N devices ("sensor-000001"…) straight into its database, then times the device
 * list API for a few operations a person does when looking for a device, and — in the same run,
 * on the same database file — the sqlite3 command-line shell doing the equivalent SELECT (with
 * LIKE and LIMIT/OFFSET) plus the count(*) the list's `total` needs. The shell's own start-up,
 * measured with `sqlite3 DB "SELECT 1"` in the same loop, is subtracted.
 *
 * The machine this runs on is usually shared and noisy, so the measurements of the API, of the
 * peer and of the start-up are interleaved run by run, and the ratio API / peer is the figure
 * to compare between machines; absolute milliseconds are not.
 *
 * Run by hand: _build/bench/bench-device-search [--devices N] [--runs R] [--keep]. Not a test;
 * bench/README.md has the figures measured so far.
 */
#include <signal.h>
#include <string.h>
#include <sys/types.h>

#include "fd-test-server.h"

#define FD_BENCH_PAGE 50
#define FD_BENCH_WARMUP 3
#define FD_BENCH_PREFIX "sensor"

/* What one timed operation asks for. */
typedef enum
{
  FD_BENCH_TERM_NONE,      /* no search */
  FD_BENCH_TERM_SUBSTRING, /* a unique substring of one name ("042137"), different each run */
  FD_BENCH_TERM_EXACT,     /* one whole name ("sensor-042137"), different each run */
} FdBenchTerm;

typedef struct
{
  const char *label;
  const char *sort;     /* the API's sort parameter; NULL: the default (name) */
  const char *order_by; /* the same order in SQL, as the server writes it */
  FdBenchTerm term;
  gboolean last_page; /* from = devices - page size */
  GArray *api_ms;     /* double */
  GArray *peer_ms;    /* double, raw (start-up included) */
  GArray *start_ms;   /* double, `sqlite3 DB "SELECT 1"` */
  guint mismatches;   /* runs where the API and the peer disagreed on total or ids */
} FdBenchOp;

typedef struct
{
  FdTestServer *srv;
  char *workspace_id;
  char *db_path;
  char *sqlite3_bin;
  guint devices;
  guint runs;
  gboolean keep; /* leave the data directory for a look at the database */
  GRand *rand;
} FdBench;

static volatile sig_atomic_t fd_bench_interrupted;
static volatile pid_t fd_bench_server_pid;

static void
fd_bench_on_interrupt (int sig)
{
  fd_bench_interrupted = 1;
}

/* A failed assertion aborts the program; without this its server would outlive it. */
static void
fd_bench_on_abort (int sig)
{
  if (fd_bench_server_pid > 0)
    kill (fd_bench_server_pid, SIGTERM);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* ---- statistics ---------------------------------------------------------------------------- */

static int
fd_bench_cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

/* The @q quantile (0..1) of @values by nearest rank; the median averages the middle two. */
static double
fd_bench_quantile (GArray *values, double q)
{
  g_autoptr (GArray) sorted = NULL;
  guint n = values->len, rank;

  if (n == 0)
    return 0.0;
  sorted = g_array_copy (values);
  g_array_sort (sorted, fd_bench_cmp_double);
  if (q == 0.5 && n % 2 == 0)
    return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
  if (q == 0.5)
    return g_array_index (sorted, double, n / 2);
  rank = (guint)(q * n + 0.999999);
  rank = CLAMP (rank, 1, n);
  return g_array_index (sorted, double, rank - 1);
}

static double
fd_bench_ms_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1000.0;
}

/* ---- one request, both ways ---------------------------------------------------------------- */

/* The peer's LIKE pattern for a search: %text% with % _ \ escaped by a backslash. The server
 * matches with instr (fd_fold (name), folded text) > 0 (Unicode case folding, its own SQL
 * function, which the sqlite3 shell does not have); for the ASCII names seeded here LIKE, which
 * folds ASCII case, finds the same devices — and each run checks that it does. */
static char *
fd_bench_like_pattern (const char *text)
{
  GString *out = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '%');
  return g_string_free (out, FALSE);
}

/* @text as an SQL string literal. */
static char *
fd_bench_sql_quote (const char *text)
{
  GString *out = g_string_new ("'");

  for (const char *p = text; *p; p++)
    {
      if (*p == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
  return g_string_free (out, FALSE);
}

/* The two statements a person would type for the page: the count for `total` and the page,
 * with the same columns, join and order as server/store/fd-store-devices.c. */
static char *
fd_bench_peer_sql (FdBench *b, FdBenchOp *op, const char *term, guint from)
{
  g_autofree char *wks = fd_bench_sql_quote (b->workspace_id);
  g_autofree char *filter = NULL;

  if (term != NULL)
    {
      g_autofree char *pattern = fd_bench_like_pattern (term);
      g_autofree char *quoted = fd_bench_sql_quote (pattern);
      filter = g_strdup_printf ("d.workspace_id = %s AND d.name LIKE %s ESCAPE '\\'", wks, quoted);
    }
  else
    filter = g_strdup_printf ("d.workspace_id = %s", wks);

  return g_strdup_printf ("SELECT count(*) FROM device d WHERE %s;"
                          " SELECT d.id, d.workspace_id, d.fleet_id, f.name, d.name,"
                          " d.firmware_version, d.online, d.created_at, d.updated_at, d.last_seen"
                          " FROM device d JOIN fleet f ON f.id = d.fleet_id WHERE %s"
                          " ORDER BY %s LIMIT %d OFFSET %u;",
                          filter, filter, op->order_by, FD_BENCH_PAGE, from);
}

static char *
fd_bench_api_path (FdBench *b, FdBenchOp *op, const char *term, guint from)
{
  GString *path = g_string_new (NULL);
  char sep = '?';

  g_string_printf (path, "/api/v1/workspaces/%s/devices", b->workspace_id);
  if (term != NULL)
    {
      g_autofree char *escaped = g_uri_escape_string (term, NULL, FALSE);
      g_string_append_printf (path, "%csearch=%s&size=%d", sep, escaped, FD_BENCH_PAGE);
      sep = '&';
    }
  if (op->sort != NULL)
    {
      g_string_append_printf (path, "%csort=%s", sep, op->sort);
      sep = '&';
    }
  if (from > 0)
    g_string_append_printf (path, "%cfrom=%u", sep, from);
  return g_string_free (path, FALSE);
}

/* Runs the sqlite3 shell on the database (read-only) and returns how long it took in ms, or a
 * negative number when it failed. Its standard output goes to @out when not NULL. */
static double
fd_bench_run_sqlite3 (FdBench *b, const char *sql, char **out)
{
  const char *argv[]
      = { b->sqlite3_bin, "-init", "/dev/null", "-batch", "-readonly", b->db_path, sql, NULL };
  g_autofree char *stdout_text = NULL, *stderr_text = NULL;
  g_autoptr (GError) error = NULL;
  int wait_status = 0;
  gint64 start = g_get_monotonic_time ();
  double ms;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &stdout_text,
                     &stderr_text, &wait_status, &error))
    {
      g_printerr ("cannot run %s: %s\n", b->sqlite3_bin, error->message);
      return -1;
    }
  ms = fd_bench_ms_since (start);
  if (!g_spawn_check_wait_status (wait_status, &error))
    {
      if (!fd_bench_interrupted)
        g_printerr ("sqlite3 failed (%s): %s\n", error->message, stderr_text);
      return -1;
    }
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  return ms;
}

/* TRUE when the peer's output (count, then one row per line, id first) says what the API said. */
static gboolean
fd_bench_same_answer (JsonNode *api, const char *peer_out, guint expect_total)
{
  g_auto (GStrv) lines = g_strsplit (peer_out, "\n", -1);
  JsonObject *obj = json_node_get_object (api);
  JsonArray *items = json_object_get_array_member (obj, "items");
  gint64 total = json_object_get_int_member (obj, "total");
  guint n_lines = g_strv_length (lines);

  if (n_lines > 0 && *lines[n_lines - 1] == '\0')
    n_lines--; /* the last newline */
  if (n_lines != json_array_get_length (items) + 1 || g_ascii_strtoll (lines[0], NULL, 10) != total)
    return FALSE;
  if (expect_total > 0 && total != expect_total)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      const char *id = json_object_get_string_member (item, "id");
      gsize len = strlen (id);

      if (strncmp (lines[i + 1], id, len) != 0 || lines[i + 1][len] != '|')
        return FALSE;
    }
  return TRUE;
}

/* One run of @op: the API request, the peer's query and the peer's empty start-up, in an order
 * that rotates with @run so that drift on a noisy machine hits all three alike. Records the
 * times when @record is TRUE. Returns FALSE when something failed (or the user pressed ^C). */
static gboolean
fd_bench_run_once (FdBench *b, FdBenchOp *op, guint run, gboolean record)
{
  g_autofree char *term = NULL, *path = NULL, *sql = NULL, *peer_out = NULL;
  g_autoptr (JsonNode) answer = NULL;
  guint from = op->last_page && b->devices > FD_BENCH_PAGE ? b->devices - FD_BENCH_PAGE : 0;
  guint target = g_rand_int_range (b->rand, 1, b->devices + 1);
  double api_ms = 0, peer_ms = 0, start_ms = 0;

  if (op->term == FD_BENCH_TERM_SUBSTRING)
    term = g_strdup_printf ("%06u", target);
  else if (op->term == FD_BENCH_TERM_EXACT)
    term = g_strdup_printf (FD_BENCH_PREFIX "-%06u", target);
  path = fd_bench_api_path (b, op, term, from);
  sql = fd_bench_peer_sql (b, op, term, from);

  for (guint step = 0; step < 3; step++)
    {
      switch ((step + run) % 3)
        {
        case 0:
          {
            guint status = 0;
            gint64 start = g_get_monotonic_time ();

            answer = fd_test_api_full (b->srv, "GET", path, NULL, NULL, 0, b->srv->token, &status,
                                       NULL);
            api_ms = fd_bench_ms_since (start);
            if (status != 200)
              {
                g_printerr ("GET %s answered %u\n", path, status);
                return FALSE;
              }
            break;
          }
        case 1:
          peer_ms = fd_bench_run_sqlite3 (b, sql, &peer_out);
          break;
        default:
          start_ms = fd_bench_run_sqlite3 (b, "SELECT 1", NULL);
          break;
        }
      if (fd_bench_interrupted || peer_ms < 0 || start_ms < 0)
        return FALSE;
    }

  if (!fd_bench_same_answer (answer, peer_out, term != NULL ? 1 : b->devices))
    {
      if (op->mismatches++ == 0)
        g_printerr ("%s: the API and sqlite3 disagree (GET %s)\n", op->label, path);
    }
  if (record)
    {
      g_array_append_val (op->api_ms, api_ms);
      g_array_append_val (op->peer_ms, peer_ms);
      g_array_append_val (op->start_ms, start_ms);
    }
  return TRUE;
}

static gboolean
fd_bench_run_op (FdBench *b, FdBenchOp *op)
{
  op->api_ms = g_array_new (FALSE, FALSE, sizeof (double));
  op->peer_ms = g_array_new (FALSE, FALSE, sizeof (double));
  op->start_ms = g_array_new (FALSE, FALSE, sizeof (double));

  g_print ("  %-32s", op->label);
  for (guint i = 0; i < FD_BENCH_WARMUP; i++)
    if (!fd_bench_run_once (b, op, i, FALSE))
      return FALSE;
  for (guint i = 0; i < b->runs; i++)
    if (!fd_bench_run_once (b, op, i, TRUE))
      return FALSE;
  g_print (" done (%u runs)\n", b->runs);
  return TRUE;
}

/* ---- report -------------------------------------------------------------------------------- */

static void
fd_bench_print_table (FdBench *b, FdBenchOp *ops, guint n_ops)
{
  g_autoptr (GArray) all_start = g_array_new (FALSE, FALSE, sizeof (double));

  g_print ("\n%-32s %11s %11s %14s %9s\n", "operation", "API med ms", "API p95 ms",
           "sqlite3 med ms", "ratio");
  g_print ("%-32s %11s %11s %14s %9s\n", "--------------------------------", "----------",
           "----------", "--------------", "-----");
  for (guint i = 0; i < n_ops; i++)
    {
      FdBenchOp *op = &ops[i];
      double api_med = fd_bench_quantile (op->api_ms, 0.5);
      double api_p95 = fd_bench_quantile (op->api_ms, 0.95);
      double peer = fd_bench_quantile (op->peer_ms, 0.5) - fd_bench_quantile (op->start_ms, 0.5);
      g_autofree char *ratio = NULL, *peer_text = NULL;

      /* Below a tenth of a millisecond the subtraction is noise, not a figure. */
      if (peer < 0.1)
        {
          peer_text = g_strdup ("< 0.1");
          ratio = g_strdup ("n/a");
        }
      else
        {
          peer_text = g_strdup_printf ("%.2f", peer);
          ratio = g_strdup_printf ("%.1fx", api_med / peer);
        }
      g_print ("%-32s %11.2f %11.2f %14s %9s%s\n", op->label, api_med, api_p95, peer_text, ratio,
               op->mismatches ? "  (answers differed!)" : "");
    }
  for (guint i = 0; i < n_ops; i++)
    g_array_append_vals (all_start, ops[i].start_ms->data, ops[i].start_ms->len);
  g_print ("\nsqlite3 start-up (`sqlite3 DB \"SELECT 1\"`, all operations): median %.2f ms,"
           " p95 %.2f ms; each operation subtracts the median of its own runs\n",
           fd_bench_quantile (all_start, 0.5), fd_bench_quantile (all_start, 0.95));
  g_print ("ratio = API median / sqlite3 median; %u runs per operation after %d warm-up runs;"
           " %u devices, page size %d, %u CPUs\n",
           b->runs, FD_BENCH_WARMUP, b->devices, FD_BENCH_PAGE, g_get_num_processors ());
}

/* ---- set-up -------------------------------------------------------------------------------- */

static gboolean
fd_bench_find_tools (FdBench *b, const char *sqlite3_opt)
{
  const char *server = g_getenv ("FD_SERVER_BIN");

#ifdef FD_SERVER_PATH /* bench/meson.build passes the path of the server it built */
  if (server == NULL)
    {
      g_setenv ("FD_SERVER_BIN", FD_SERVER_PATH, TRUE);
      server = FD_SERVER_PATH;
    }
#endif
  if (server == NULL || !g_file_test (server, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("fleetdesk-server not found at %s; build it, or set FD_SERVER_BIN\n",
                  server ? server : "(unset)");
      return FALSE;
    }
  b->sqlite3_bin = sqlite3_opt ? g_strdup (sqlite3_opt) : g_find_program_in_path ("sqlite3");
  if (b->sqlite3_bin == NULL || !g_file_test (b->sqlite3_bin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("the sqlite3 shell was not found (Debian: apt install sqlite3;"
                  " or --sqlite3 PATH)\n");
      return FALSE;
    }
  g_print ("server:  %s\nsqlite3: %s\n", server, b->sqlite3_bin);
  return TRUE;
}

static void
fd_bench_seed (FdBench *b)
{
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) wks = NULL;
  gint64 start = g_get_monotonic_time ();

  b->workspace_id = fd_test_make_workspace (b->srv, "bench");
  fd_test_server_seed_devices (b->srv, b->workspace_id, FD_BENCH_PREFIX, b->devices);
  path = g_strdup_printf ("/api/v1/workspaces/%s", b->workspace_id);
  wks = fd_test_api_expect (b->srv, "GET", path, NULL, 200);
  g_assert_cmpint (fd_test_int (wks, "device_count"), ==, b->devices);
  g_print ("seeded %u devices into workspace %s in %.1f s\n", b->devices, b->workspace_id,
           fd_bench_ms_since (start) / 1000);
}

/* Stops the server and removes its directory (unless --keep), whether or not it already got
 * a ^C. */
static void
fd_bench_stop_server (FdBench *b)
{
  if (b->srv == NULL)
    return;
  if (b->srv->pid != 0)
    fd_test_server_kill (b->srv, SIGTERM);
  fd_bench_server_pid = 0;
  if (b->keep)
    {
      g_print ("kept %s (remove it when done)\n", b->db_path);
      g_clear_object (&b->srv->session);
      g_free (b->srv->url);
      g_free (b->srv->token);
      g_free (b->srv->data_dir);
      g_free (b->srv);
    }
  else
    fd_test_server_stop (b->srv);
  b->srv = NULL;
}

int
main (int argc, char **argv)
{
  int devices = 100000, runs = 50;
  gboolean keep = FALSE;
  g_autofree char *sqlite3_opt = NULL;
  GOptionEntry entries[] = {
    { "devices", 'n', 0, G_OPTION_ARG_INT, &devices, "Devices in the workspace (default 100000)",
      "N" },
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Timed runs per operation (default 50)", "R" },
    { "keep", 'k', 0, G_OPTION_ARG_NONE, &keep, "Keep the data directory and its database", NULL },
    { "sqlite3", 0, 0, G_OPTION_ARG_FILENAME, &sqlite3_opt, "The sqlite3 shell (default: PATH)",
      "PATH" },
    { NULL },
  };
  FdBenchOp ops[] = {
    { "search, unique substring", NULL, "d.name", FD_BENCH_TERM_SUBSTRING, FALSE },
    { "first page, default sort", NULL, "d.name", FD_BENCH_TERM_NONE, FALSE },
    { "last page, sort=name", "name", "d.name", FD_BENCH_TERM_NONE, TRUE },
    { "last page, sort=-created_at", "-created_at", "d.created_at DESC, d.rowid DESC",
      FD_BENCH_TERM_NONE, TRUE },
    { "last page, sort=fleet", "fleet", "f.name, d.name", FD_BENCH_TERM_NONE, TRUE },
    { "search, exact name", NULL, "d.name", FD_BENCH_TERM_EXACT, FALSE },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— device search benchmark");
  g_autoptr (GError) error = NULL;
  FdBench b = { 0 };
  gboolean ok = TRUE;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Times the device list API against the sqlite3 shell on the"
                                " same database (ratios matter, not absolute figures).");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (devices < 1 || devices > 999999 || runs < 1)
    {
      g_printerr ("--devices must be 1..999999 and --runs at least 1\n");
      return 2;
    }
  b.devices = (guint)devices;
  b.runs = (guint)runs;
  b.keep = keep;
  if (!fd_bench_find_tools (&b, sqlite3_opt))
    return 1;

  signal (SIGINT, fd_bench_on_interrupt);
  signal (SIGABRT, fd_bench_on_abort);
  signal (SIGTRAP, fd_bench_on_abort);
  b.rand = g_rand_new_with_seed (20261127);
  b.srv = fd_test_server_start ();
  fd_bench_server_pid = b.srv->pid;
  b.db_path = g_build_filename (b.srv->data_dir, "fleetdesk.db", NULL);
  g_print ("data:    %s\n", b.srv->data_dir);
  fd_bench_seed (&b);

  g_print ("timing (API, sqlite3 and sqlite3 start-up interleaved):\n");
  for (guint i = 0; ok && i < G_N_ELEMENTS (ops); i++)
    ok = !fd_bench_interrupted && fd_bench_run_op (&b, &ops[i]);
  fd_bench_stop_server (&b);

  if (ok)
    fd_bench_print_table (&b, ops, G_N_ELEMENTS (ops));
  else
    g_printerr ("\n%s\n", fd_bench_interrupted ? "interrupted" : "failed");

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_clear_pointer (&ops[i].api_ms, g_array_unref);
      g_clear_pointer (&ops[i].peer_ms, g_array_unref);
      g_clear_pointer (&ops[i].start_ms, g_array_unref);
    }
  g_rand_free (b.rand);
  g_free (b.workspace_id);
  g_free (b.db_path);
  g_free (b.sqlite3_bin);
  return ok ? 0 : 1;
}
