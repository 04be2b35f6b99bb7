/* bench-storage-export.c — a CSV file of every reading: fleetdesk-server's export job against
 * the sqlite3 shell's `.mode csv` + `.output` of the same rows, rows per second and the peak
 * RSS of the process that exports (the server: VmHWM after resetting it through
 * /proc/PID/clear_refs; sqlite3: GNU time's maximum resident set size).
 */
#include "bench-storage-questions.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#define FD_EXPORT_POLL_US (50 * 1000)

static void
fd_export_init (FdStorageExport *e)
{
  e->rows_per_s = g_array_new (FALSE, FALSE, sizeof (double));
  e->seconds = g_array_new (FALSE, FALSE, sizeof (double));
}

static gint64
fd_export_time_us (JsonObject *o, const char *member)
{
  const char *text = json_object_get_string_member_with_default (o, member, NULL);
  g_autoptr (GDateTime) t = text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return t ? g_date_time_to_unix (t) * G_USEC_PER_SEC + g_date_time_get_microsecond (t) : 0;
}

static JsonObject *
fd_export_parse (GBytes *body, JsonParser *parser)
{
  gsize len = 0;
  const char *text = body ? g_bytes_get_data (body, &len) : NULL;

  if (text == NULL || !json_parser_load_from_data (parser, text, (gssize)len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

/* One export through the REST API, waited for by polling its object; FALSE (with a note) when
 * the server cannot. */
static gboolean
fd_export_api_once (FdStorageBench *b, FdStorageExport *e)
{
  pid_t pid = fd_storage_server_pid (b->server);
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/exports", b->data->workspace_id);
  g_autofree char *obj_path = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  guint status;
  gint64 t0, started, finished;
  double seconds;

  e->rss_before_kib = fd_storage_proc_kib (pid, "VmRSS");
  if (!fd_storage_proc_reset_peak (pid))
    g_printerr ("bench-storage: cannot reset the server's VmHWM: the peak is since start-up\n");
  t0 = g_get_monotonic_time ();
  body = fd_storage_server_request (b->server, "POST", path, "{\"format\":\"csv\"}", &status, NULL);
  o = fd_export_parse (body, parser);
  if (status != 202 || o == NULL || !json_object_has_member (o, "id"))
    {
      gsize len = 0;
      const char *text = body ? g_bytes_get_data (body, &len) : "";
      g_free (e->note);
      e->note
          = g_strdup_printf ("POST .../exports: HTTP %u %.*s", status, (int)MIN (len, 160), text);
      return FALSE;
    }
  obj_path = g_strdup_printf ("/api/v1/exports/%s", json_object_get_string_member (o, "id"));
  for (;;)
    {
      const char *state;

      g_clear_pointer (&body, g_bytes_unref);
      g_usleep (FD_EXPORT_POLL_US);
      body = fd_storage_server_request (b->server, "GET", obj_path, NULL, &status, NULL);
      o = fd_export_parse (body, parser);
      state = o ? json_object_get_string_member_with_default (o, "state", "") : "";
      if (status != 200 || g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "canceled") == 0)
        {
          gsize len = 0;
          const char *text = body ? g_bytes_get_data (body, &len) : "";
          g_free (e->note);
          e->note = g_strdup_printf ("GET %s: HTTP %u %.*s", obj_path, status, (int)MIN (len, 300),
                                     text);
          return FALSE;
        }
      if (g_strcmp0 (state, "done") == 0)
        break;
    }
  seconds = fd_storage_ms_since (t0) / 1000;
  e->peak_kib = MAX (e->peak_kib, fd_storage_proc_kib (pid, "VmHWM"));
  e->rows = (guint64)json_object_get_int_member_with_default (o, "rows", 0);
  e->bytes = (guint64)json_object_get_int_member_with_default (o, "bytes", 0);
  started = fd_export_time_us (o, "started_at");
  finished = fd_export_time_us (o, "finished_at");
  /* The job's own time when it reports it (ms resolution), else what the caller waited. */
  g_array_append_val (e->seconds, seconds);
  {
    double job_s = finished > started ? (finished - started) / 1e6 : seconds;
    double rate = e->rows / job_s;
    g_array_append_val (e->rows_per_s, rate);
  }
  g_clear_pointer (&body, g_bytes_unref);
  body = fd_storage_server_request (b->server, "DELETE", obj_path, NULL, &status, NULL);
  return TRUE;
}

/* Epoch ms in @column as the API writes times: RFC 3339 UTC with milliseconds. */
static char *
fd_export_rfc3339 (const char *column)
{
  return g_strconcat ("strftime('%Y-%m-%dT%H:%M:%fZ', ", column, " / 1000.0, 'unixepoch')", NULL);
}

static void
fd_export_peer_once (FdStorageBench *b, FdStorageExport *e, gboolean over_fd)
{
  g_autofree char *out = g_build_filename (b->data->dir, "peer-export.csv", NULL);
  g_autofree char *quoted = fd_storage_sql_quote (out);
  g_autofree char *ts_device = fd_export_rfc3339 (over_fd ? "s.ts_device" : "ts_device");
  g_autofree char *ts_in = fd_export_rfc3339 (over_fd ? "s.ts_in" : "ts_in");
  g_autofree char *select = NULL;
  g_autofree char *script = NULL;
  FdStorageShellRun run, base;
  GStatBuf st;
  double seconds, rate;

  if (over_fd)
    select = g_strdup_printf ("SELECT %s AS timestamp_device, %s AS timestamp_in,"
                              " st.fleet_id, st.device_id, st.tag, s.payload"
                              " FROM sample s JOIN stream st ON st.id = s.stream;",
                              ts_device, ts_in);
  else
    select = g_strdup_printf ("SELECT %s AS timestamp_device, %s AS timestamp_in,"
                              " fleet AS fleet_id, device AS device_id, tag, payload"
                              " FROM readings;",
                              ts_device, ts_in);
  script
      = g_strdup_printf (".headers on\n.mode csv\n.output %s\n%s\n.output stdout\n", out, select);
  fd_storage_shell_run (b->sqlite3, over_fd ? b->data->fd_db : b->data->peer_db, TRUE, "SELECT 1;",
                        &base);
  fd_storage_shell_run (b->sqlite3, over_fd ? b->data->fd_db : b->data->peer_db, TRUE, script,
                        &run);
  if (!run.ok)
    {
      g_printerr ("bench-storage: sqlite3 failed on: %s\n", script);
      exit (1);
    }
  seconds = run.timer_ms / 1000;
  rate = b->data->readings / seconds;
  g_array_append_val (e->seconds, seconds);
  g_array_append_val (e->rows_per_s, rate);
  e->rows = b->data->readings;
  e->bytes = g_stat (out, &st) == 0 ? (guint64)st.st_size : 0;
  e->rss_before_kib = base.peak_kib;
  e->peak_kib = MAX (e->peak_kib, run.peak_kib);
  g_unlink (out);
  fd_storage_shell_run_clear (&run);
  fd_storage_shell_run_clear (&base);
}

void
fd_storage_export_run (FdStorageBench *b)
{
  gboolean api_ok = b->server != NULL, engine_ok = TRUE;
  double spent[4] = { 0 };

  fd_export_init (&b->export_api);
  fd_export_init (&b->export_engine);
  fd_export_init (&b->export_peer);
  fd_export_init (&b->export_peer_fd);
  if (b->server == NULL)
    b->export_api.note = g_strdup ("no server (--no-api)");
  if (b->no_fd_tables)
    b->export_peer_fd.note = g_strdup ("skipped (--quick)");
  g_print ("\nexporting all %u readings as CSV, %u runs per side, sides interleaved\n",
           b->data->readings, b->export_runs);
  for (guint run = 0; run < b->export_runs; run++)
    for (guint k = 0; k < 4; k++)
      {
        guint side = (k + run) % 4;
        FdStorageExport *e[4]
            = { &b->export_api, &b->export_peer, &b->export_peer_fd, &b->export_engine };
        gint64 t0 = g_get_monotonic_time ();

        /* The shell's export of 10 million rows takes one or two minutes: a side past three
         * times the query budget stops. */
        if (e[side]->seconds->len > 0 && spent[side] > 3 * b->budget_s * 1000)
          continue;
        switch (side)
          {
          case 0:
            if (api_ok)
              api_ok = fd_export_api_once (b, &b->export_api);
            break;
          case 1:
            fd_export_peer_once (b, &b->export_peer, FALSE);
            break;
          case 2:
            if (!b->no_fd_tables)
              fd_export_peer_once (b, &b->export_peer_fd, TRUE);
            break;
          default:
            if (engine_ok)
              engine_ok = fd_storage_export_engine_once (b, &b->export_engine);
          }
        spent[side] += fd_storage_ms_since (t0);
      }
  fd_storage_export_engine_close ();
  b->exported = TRUE;
}
