/* bench-storage-proc.c — the processes bench-storage talks to: the sqlite3 shell (run once per
 * measurement, its statements timed by its own `.timer on`, its peak RSS from wait4()) and a
 * real fleetdesk-server on the generated data directory (libsoup; the server closes each
 * connection after its answer).
 */
#include "bench-storage.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- statistics ------------------------------------------------------------------------ */

static int
fd_storage_cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return (x > y) - (x < y);
}

double
fd_storage_median (GArray *values)
{
  g_autoptr (GArray) sorted = NULL;
  guint n = values->len;

  if (n == 0)
    return 0.0;
  sorted = g_array_copy (values);
  g_array_sort (sorted, fd_storage_cmp_double);
  if (n % 2 == 0)
    return (g_array_index (sorted, double, n / 2 - 1) + g_array_index (sorted, double, n / 2)) / 2;
  return g_array_index (sorted, double, n / 2);
}

double
fd_storage_ms_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / 1000.0;
}

/* ---- the sqlite3 shell ----------------------------------------------------------------- */

/* The child dies with the benchmark. */
static void
fd_storage_die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
fd_storage_shell_line (FdStorageShellRun *run, const char *line, gsize len)
{
  if (len >= 15 && memcmp (line, "Run Time: real ", 15) == 0)
    {
      run->timer_ms += g_ascii_strtod (line + 15, NULL) * 1000;
      return;
    }
  run->lines++;
  if (run->first_line == NULL)
    run->first_line = g_strndup (line, len);
  g_free (run->last_line);
  run->last_line = g_strndup (line, len);
}

void
fd_storage_shell_run (const char *bin, const char *db, gboolean read_only, const char *script,
                      FdStorageShellRun *run)
{
  /* The shell's peak RSS comes from GNU time: wait4()'s ru_maxrss of a child forked here
   * would count this process's RSS at the fork (Linux keeps the larger of the memory left at
   * exec and the new program's). */
  g_autofree char *time_bin = g_find_program_in_path ("time");
  g_autofree char *rss_file = g_build_filename (g_get_tmp_dir (), "bench-storage-rss-XXXXXX", NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *input = g_strconcat (".timer on\n", script, "\n", NULL);
  g_autoptr (GString) partial = g_string_new (NULL);
  int in_fd, out_fd, status;
  char buf[65536];
  gsize written = 0, len = strlen (input);
  GPid pid;
  gint64 t0;
  ssize_t n;

  memset (run, 0, sizeof *run);
  run->peak_kib = -1;
  if (time_bin != NULL && g_str_has_prefix (time_bin, "/usr/bin/"))
    {
      int fd = g_mkstemp (rss_file);
      if (fd >= 0)
        {
          close (fd);
          g_ptr_array_add (argv, time_bin);
          g_ptr_array_add (argv, (char *)"-f");
          g_ptr_array_add (argv, (char *)"%M");
          g_ptr_array_add (argv, (char *)"-o");
          g_ptr_array_add (argv, rss_file);
        }
    }
  g_ptr_array_add (argv, (char *)bin);
  if (read_only)
    g_ptr_array_add (argv, (char *)"-readonly");
  g_ptr_array_add (argv, (char *)"-batch");
  g_ptr_array_add (argv, (char *)db);
  g_ptr_array_add (argv, NULL);
  t0 = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes (
          NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
          fd_storage_die_with_parent, NULL, &pid, &in_fd, &out_fd, NULL, &error))
    {
      g_printerr ("bench-storage: cannot run %s: %s\n", bin, error->message);
      exit (1);
    }
  /* The scripts are short: all of it fits the pipe before the shell prints anything. */
  while (written < len && (n = write (in_fd, input + written, len - written)) > 0)
    written += (gsize)n;
  close (in_fd);
  while ((n = read (out_fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
    {
      const char *p = buf, *end = buf + MAX (n, 0), *nl;

      while ((nl = memchr (p, '\n', (gsize)(end - p))) != NULL)
        {
          if (partial->len > 0)
            {
              g_string_append_len (partial, p, nl - p);
              fd_storage_shell_line (run, partial->str, partial->len);
              g_string_truncate (partial, 0);
            }
          else
            fd_storage_shell_line (run, p, (gsize)(nl - p));
          p = nl + 1;
        }
      g_string_append_len (partial, p, end - p);
    }
  close (out_fd);
  if (partial->len > 0)
    fd_storage_shell_line (run, partial->str, partial->len);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (pid);
  run->wall_ms = fd_storage_ms_since (t0);
  if (argv->len > 5)
    {
      g_autofree char *text = NULL;
      if (g_file_get_contents (rss_file, &text, NULL, NULL))
        {
          /* GNU time writes "Command exited with non-zero status N" first when it did. */
          const char *last = strrchr (g_strstrip (text), '\n');
          run->peak_kib = g_ascii_strtoll (last ? last + 1 : text, NULL, 10);
        }
      g_unlink (rss_file);
    }
  run->ok = WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

void
fd_storage_shell_run_clear (FdStorageShellRun *run)
{
  g_clear_pointer (&run->first_line, g_free);
  g_clear_pointer (&run->last_line, g_free);
}

/* ---- /proc ----------------------------------------------------------------------------- */

gint64
fd_storage_proc_kib (pid_t pid, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int)pid);
  g_autofree char *text = NULL;
  gsize flen = strlen (field);

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  for (char *line = text; line != NULL && *line;
       line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, field, flen) == 0 && line[flen] == ':')
      return g_ascii_strtoll (line + flen + 1, NULL, 10);
  return -1;
}

gboolean
fd_storage_proc_reset_peak (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/clear_refs", (int)pid);
  FILE *f = fopen (path, "w");
  gboolean ok;

  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

/* ---- fleetdesk-server ------------------------------------------------------------------ */

struct _FdStorageServer
{
  char *data_dir;
  char *url;
  char *token;
  GPid pid;
  SoupSession *session;
};

static gboolean
fd_storage_server_read_ports (FdStorageServer *srv)
{
  g_autofree char *path = g_build_filename (srv->data_dir, "ports.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (!json_parser_load_from_file (parser, path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  srv->url = g_strdup_printf ("http://127.0.0.1:%" G_GINT64_FORMAT,
                              json_object_get_int_member_with_default (o, "api", 0));
  return TRUE;
}

FdStorageServer *
fd_storage_server_start (const char *data_dir)
{
  const char *bin = g_getenv ("FD_SERVER_BIN") ? g_getenv ("FD_SERVER_BIN") : FD_SERVER_PATH;
  FdStorageServer *srv = g_new0 (FdStorageServer, 1);
  g_autofree char *ports = g_build_filename (data_dir, "ports.json", NULL);
  g_autofree char *token_path = g_build_filename (data_dir, "admin-token", NULL);
  const char *argv[]
      = { bin, "--data-dir", data_dir, "--api-port=0", "--device-port=0", "--mqtt-port=0", NULL };
  g_autoptr (GError) error = NULL;
  gint64 deadline;

  srv->data_dir = g_strdup (data_dir);
  g_unlink (ports);
  if (!g_spawn_async (NULL, (char **)argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                      fd_storage_die_with_parent, NULL, &srv->pid, &error))
    {
      g_printerr ("bench-storage: cannot start %s: %s\n", bin, error->message);
      exit (1);
    }
  deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (!fd_storage_server_read_ports (srv))
    {
      int wstatus;

      if (waitpid (srv->pid, &wstatus, WNOHANG) == srv->pid)
        {
          g_printerr ("bench-storage: fleetdesk-server exited during start-up\n");
          exit (1);
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_printerr ("bench-storage: fleetdesk-server did not start within 120 s\n");
          kill (srv->pid, SIGKILL);
          exit (1);
        }
      g_usleep (20 * 1000);
    }
  if (!g_file_get_contents (token_path, &srv->token, NULL, &error))
    {
      g_printerr ("bench-storage: %s\n", error->message);
      exit (1);
    }
  g_strstrip (srv->token);
  srv->session = soup_session_new_with_options ("timeout", 600, "max-conns-per-host", 1, NULL);
  return srv;
}

pid_t
fd_storage_server_pid (FdStorageServer *srv)
{
  return srv->pid;
}

void
fd_storage_server_stop (FdStorageServer *srv)
{
  int wstatus;

  if (srv == NULL)
    return;
  g_clear_object (&srv->session);
  kill (srv->pid, SIGTERM);
  while (waitpid (srv->pid, &wstatus, 0) < 0 && errno == EINTR)
    ;
  g_spawn_close_pid (srv->pid);
  g_free (srv->data_dir);
  g_free (srv->url);
  g_free (srv->token);
  g_free (srv);
}

GBytes *
fd_storage_server_request (FdStorageServer *srv, const char *method, const char *path,
                           const char *json_body, guint *status, double *ms)
{
  g_autofree char *url = g_strconcat (srv->url, path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", srv->token, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GError) error = NULL;
  GBytes *body;
  gint64 t0;

  if (msg == NULL)
    {
      g_printerr ("bench-storage: bad URL %s\n", url);
      exit (1);
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (json_body != NULL)
    {
      g_autoptr (GBytes) b = g_bytes_new (json_body, strlen (json_body));
      soup_message_set_request_body_from_bytes (msg, "application/json", b);
    }
  t0 = g_get_monotonic_time ();
  body = soup_session_send_and_read (srv->session, msg, NULL, &error);
  if (ms != NULL)
    *ms = fd_storage_ms_since (t0);
  if (body == NULL)
    {
      g_printerr ("bench-storage: %s %s: %s\n", method, path, error->message);
      *status = 0;
      return NULL;
    }
  *status = soup_message_get_status (msg);
  return body;
}

double
fd_storage_server_curl (FdStorageServer *srv, const char *path)
{
  g_autofree char *url = g_strconcat (srv->url, path, NULL);
  g_autofree char *auth = g_strconcat ("Authorization: Bearer ", srv->token, NULL);
  const char *argv[] = { "curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                         "-H",   auth, url,  NULL };
  g_autofree char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL) || !g_str_has_prefix (out, "200 "))
    return -1;
  return g_ascii_strtod (out + 4, NULL) * 1000;
}
