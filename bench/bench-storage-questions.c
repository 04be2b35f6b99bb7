/* bench-storage-questions.c — the Data pane's questions, asked of fleetdesk-server's REST API
 * and of the sqlite3 shell, interleaved run by run, and the report.
 *
 * Each question is asked the way a person would with plain SQL: json_extract() for the field,
 * GROUP BY for buckets, ORDER BY … LIMIT for pages; over Fleetdesk's tables the rollups
 * (rollup_1h; there are no minute rollups) for aggregates and hourly series and sample_ts for
 * pages, as the contract of issue 5 defines them (complete once the store is compacted, which the
 * generator forces).
 */
#include "bench-storage-questions.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

char *
fd_storage_sql_quote (const char *text)
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

static FdStorageQuestion *
fd_storage_question_new (const char *label, FdStorageCount count)
{
  FdStorageQuestion *q = g_new0 (FdStorageQuestion, 1);

  q->label = label;
  q->count = count;
  q->api_ms = g_array_new (FALSE, FALSE, sizeof (double));
  q->curl_ms = g_array_new (FALSE, FALSE, sizeof (double));
  q->engine_json_ms = g_array_new (FALSE, FALSE, sizeof (double));
  q->engine_ms = g_array_new (FALSE, FALSE, sizeof (double));
  q->peer_ms = g_array_new (FALSE, FALSE, sizeof (double));
  q->peer_fd_ms = g_array_new (FALSE, FALSE, sizeof (double));
  q->peer_wall_ms = g_array_new (FALSE, FALSE, sizeof (double));
  return q;
}

static void
fd_storage_question_free (FdStorageQuestion *q)
{
  g_free (q->api_path);
  g_free (q->peer_sql);
  g_free (q->peer_fd_sql);
  g_free (q->api_note);
  g_array_unref (q->api_ms);
  g_array_unref (q->curl_ms);
  g_array_unref (q->engine_json_ms);
  g_array_unref (q->engine_ms);
  g_array_unref (q->peer_ms);
  g_array_unref (q->peer_fd_ms);
  g_array_unref (q->peer_wall_ms);
  g_free (q);
}

/* The series' bucket as fd_query_series_width() makes it: range / points rounded up, to whole
 * minutes from a minute on and whole hours from 20 minutes on (so that rollup_1h serves it). */
static gint64
fd_storage_series_bucket (gint64 range, guint points)
{
  gint64 w = (range + points - 1) / points;

  if (w >= 60000)
    w = (w + 59999) / 60000 * 60000;
  if (w >= 20 * 60000)
    w = (w + FD_STORAGE_HOUR_MS - 1) / FD_STORAGE_HOUR_MS * FD_STORAGE_HOUR_MS;
  return w;
}

/* The SQL of the series over both tables for bucket width @w. */
static void
fd_storage_series_sql (FdStorageBench *b, FdStorageQuestion *q, const char *dev, gint64 w)
{
  FdStorageData *d = b->data;
  gint64 start = q->end_ms ? q->start_ms : d->start_ms, end = q->end_ms ? q->end_ms : d->end_ms;

  g_free (q->peer_sql);
  g_free (q->peer_fd_sql);
  q->peer_sql = g_strdup_printf (
      "SELECT ts_device / %1$" G_GINT64_FORMAT " * %1$" G_GINT64_FORMAT
      " AS bucket, min(v), max(v), avg(v), count(v) FROM (SELECT ts_device,"
      " json_extract(payload, '$.temp') AS v FROM readings WHERE device = %2$s AND tag = '%3$s'"
      " AND ts_device >= %4$" G_GINT64_FORMAT " AND ts_device < %5$" G_GINT64_FORMAT
      ") GROUP BY bucket ORDER BY bucket;",
      w, dev, FD_STORAGE_TAG, start, end);
  /* rollup_1h answers whole hours only: over an unaligned range, or with buckets that are not
   * whole hours (computed from the point blocks, which SQL cannot decode), plain SQL on
   * Fleetdesk's tables has no exact answer to compare with. */
  if (q->end_ms != 0 || w % FD_STORAGE_HOUR_MS != 0)
    return;
  q->peer_fd_sql = g_strdup_printf (
      "SELECT r.bucket / %1$" G_GINT64_FORMAT " * %1$" G_GINT64_FORMAT
      " AS b, min(r.min), max(r.max), sum(r.sum) / sum(r.n), sum(r.n) FROM stream st"
      " JOIN series se ON se.stream = st.id AND se.path = 'temp' JOIN rollup_1h r ON r.series ="
      " se.id WHERE st.device_id = %2$s AND st.tag = '%3$s' AND r.bucket >= %4$" G_GINT64_FORMAT
      " AND r.bucket < %5$" G_GINT64_FORMAT " GROUP BY b ORDER BY b;",
      w, dev, FD_STORAGE_TAG, d->start_ms, d->end_ms);
}

static void
fd_storage_questions_make (FdStorageBench *b)
{
  FdStorageData *d = b->data;
  const char *device_id = g_ptr_array_index (d->device_ids, d->devices / 20);
  const char *fleet_id = g_ptr_array_index (d->fleet_ids, 0);
  g_autofree char *dev = fd_storage_sql_quote (device_id);
  g_autofree char *fleet = fd_storage_sql_quote (fleet_id);
  g_autofree char *ws = fd_storage_sql_quote (d->workspace_id);
  g_autofree char *start = g_strdup_printf ("%" G_GINT64_FORMAT, d->start_ms);
  g_autofree char *end = g_strdup_printf ("%" G_GINT64_FORMAT, d->end_ms);
  const char *cols = "ts_device, ts_in, fleet, device, tag, payload";
  /* Unaligned ends: 37:13.005 past the first hour, 22:41.007 before the last one ends. */
  gint64 us = d->start_ms + 37 * 60000 + 13005, ue = d->end_ms - 22 * 60000 - 41007;
  gint64 ds = us + 15 * 24 * FD_STORAGE_HOUR_MS;
  g_autofree char *us_text = g_strdup_printf ("%" G_GINT64_FORMAT, us);
  g_autofree char *ue_text = g_strdup_printf ("%" G_GINT64_FORMAT, ue);

  const char *fd_cols = "s.ts_device, s.ts_in, st.fleet_id, st.device_id, st.tag, s.payload";
  FdStorageQuestion *q;

  b->questions = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_storage_question_free);

  q = fd_storage_question_new ("1a. hourly avg(temp), 30 days, one device",
                               FD_STORAGE_COUNT_RESULT);
  q->device_id = device_id;
  q->width = FD_STORAGE_HOUR_MS;
  q->api_path = g_strdup_printf ("/workspaces/%s/data/aggregate?tag=%s&field=temp&fn=avg"
                                 "&bucket=1h&device=%s&start=%s&end=%s",
                                 d->workspace_id, FD_STORAGE_TAG, device_id, start, end);
  q->peer_sql = g_strdup_printf (
      "SELECT ts_device / 3600000 * 3600000 AS bucket, count(v), avg(v) FROM (SELECT ts_device,"
      " json_extract(payload, '$.temp') AS v FROM readings WHERE device = %s AND tag = '%s'"
      " AND ts_device >= %s AND ts_device < %s) GROUP BY bucket ORDER BY bucket;",
      dev, FD_STORAGE_TAG, start, end);
  q->peer_fd_sql = g_strdup_printf (
      "SELECT r.bucket, sum(r.n), sum(r.sum) / sum(r.n) FROM stream st JOIN series se ON"
      " se.stream = st.id AND se.path = 'temp' JOIN rollup_1h r ON r.series = se.id WHERE"
      " st.device_id = %s AND st.tag = '%s' AND r.bucket >= %s AND r.bucket < %s"
      " GROUP BY r.bucket ORDER BY r.bucket;",
      dev, FD_STORAGE_TAG, start, end);
  g_ptr_array_add (b->questions, q);

  q = fd_storage_question_new ("1b. hourly avg(temp), 30 days, fleet-1 by device",
                               FD_STORAGE_COUNT_RESULT);
  q->fleet_id = fleet_id;
  q->width = FD_STORAGE_HOUR_MS;
  q->group_by_device = TRUE;
  q->api_path = g_strdup_printf ("/workspaces/%s/data/aggregate?tag=%s&field=temp&fn=avg"
                                 "&bucket=1h&group=device&fleet=%s&start=%s&end=%s",
                                 d->workspace_id, FD_STORAGE_TAG, fleet_id, start, end);
  q->peer_sql = g_strdup_printf (
      "SELECT device, ts_device / 3600000 * 3600000 AS bucket, count(v), avg(v) FROM (SELECT"
      " device, ts_device, json_extract(payload, '$.temp') AS v FROM readings WHERE fleet = %s"
      " AND tag = '%s' AND ts_device >= %s AND ts_device < %s) GROUP BY device, bucket"
      " ORDER BY device, bucket;",
      fleet, FD_STORAGE_TAG, start, end);
  q->peer_fd_sql = g_strdup_printf (
      "SELECT st.device_id, r.bucket, sum(r.n), sum(r.sum) / sum(r.n) FROM stream st JOIN"
      " series se ON se.stream = st.id AND se.path = 'temp' JOIN rollup_1h r ON r.series = se.id"
      " WHERE st.workspace_id = %s AND st.tag = '%s' AND st.fleet_id = %s AND r.bucket >= %s"
      " AND r.bucket < %s GROUP BY st.device_id, r.bucket ORDER BY st.device_id, r.bucket;",
      ws, FD_STORAGE_TAG, fleet, start, end);
  g_ptr_array_add (b->questions, q);

  /* The same over a range whose ends cut a minute: the edges are read from the point blocks. */
  q = fd_storage_question_new ("1c. hourly avg(temp), 30 days unaligned, one device",
                               FD_STORAGE_COUNT_RESULT);
  q->device_id = device_id;
  q->width = FD_STORAGE_HOUR_MS;
  q->start_ms = us;
  q->end_ms = ue;
  q->api_path = g_strdup_printf ("/workspaces/%s/data/aggregate?tag=%s&field=temp&fn=avg"
                                 "&bucket=1h&device=%s&start=%s&end=%s",
                                 d->workspace_id, FD_STORAGE_TAG, device_id, us_text, ue_text);
  q->peer_sql = g_strdup_printf (
      "SELECT ts_device / 3600000 * 3600000 AS bucket, count(v), avg(v) FROM (SELECT ts_device,"
      " json_extract(payload, '$.temp') AS v FROM readings WHERE device = %s AND tag = '%s'"
      " AND ts_device >= %s AND ts_device < %s) GROUP BY bucket ORDER BY bucket;",
      dev, FD_STORAGE_TAG, us_text, ue_text);
  g_ptr_array_add (b->questions, q);

  q = fd_storage_question_new ("1d. hourly avg(temp), 30 days unaligned, fleet-1 by device",
                               FD_STORAGE_COUNT_RESULT);
  q->fleet_id = fleet_id;
  q->width = FD_STORAGE_HOUR_MS;
  q->group_by_device = TRUE;
  q->start_ms = us;
  q->end_ms = ue;
  q->api_path = g_strdup_printf ("/workspaces/%s/data/aggregate?tag=%s&field=temp&fn=avg"
                                 "&bucket=1h&group=device&fleet=%s&start=%s&end=%s",
                                 d->workspace_id, FD_STORAGE_TAG, fleet_id, us_text, ue_text);
  q->peer_sql = g_strdup_printf (
      "SELECT device, ts_device / 3600000 * 3600000 AS bucket, count(v), avg(v) FROM (SELECT"
      " device, ts_device, json_extract(payload, '$.temp') AS v FROM readings WHERE fleet = %s"
      " AND tag = '%s' AND ts_device >= %s AND ts_device < %s) GROUP BY device, bucket"
      " ORDER BY device, bucket;",
      fleet, FD_STORAGE_TAG, us_text, ue_text);
  g_ptr_array_add (b->questions, q);

  q = fd_storage_question_new ("2a. raw page of 10,000, one device, newest first",
                               FD_STORAGE_COUNT_RESULT);
  q->raw = TRUE;
  q->device_id = device_id;
  q->api_path = g_strdup_printf ("/workspaces/%s/data?device=%s&size=%d", d->workspace_id,
                                 device_id, FD_STORAGE_PAGE);
  q->peer_sql = g_strdup_printf (
      "SELECT %s FROM readings WHERE device = %s ORDER BY ts_device DESC LIMIT %d;", cols, dev,
      FD_STORAGE_PAGE);
  q->peer_fd_sql = g_strdup_printf (
      "SELECT %s FROM stream st JOIN sample_ts t ON t.stream = st.id JOIN sample s ON s.id = t.id"
      " WHERE st.device_id = %s ORDER BY t.ts_device DESC LIMIT %d;",
      fd_cols, dev, FD_STORAGE_PAGE);
  g_ptr_array_add (b->questions, q);

  q = fd_storage_question_new ("2b. raw page of 10,000, whole workspace, newest first",
                               FD_STORAGE_COUNT_RESULT);
  q->raw = TRUE;
  q->api_path = g_strdup_printf ("/workspaces/%s/data?size=%d", d->workspace_id, FD_STORAGE_PAGE);
  q->peer_sql = g_strdup_printf ("SELECT %s FROM readings ORDER BY ts_device DESC LIMIT %d;", cols,
                                 FD_STORAGE_PAGE);
  q->peer_fd_sql = g_strdup_printf (
      "SELECT %s FROM stream st JOIN sample_ts t ON t.stream = st.id JOIN sample s ON s.id = t.id"
      " WHERE st.workspace_id = %s ORDER BY t.ts_device DESC LIMIT %d;",
      fd_cols, ws, FD_STORAGE_PAGE);
  g_ptr_array_add (b->questions, q);

  q = fd_storage_question_new ("3. series of 2,000 points, 30 days, one device",
                               FD_STORAGE_COUNT_POINTS);
  q->device_id = device_id;
  q->api_path = g_strdup_printf ("/workspaces/%s/data/series?tag=%s&field=temp&device=%s"
                                 "&start=%s&end=%s&points=%d",
                                 d->workspace_id, FD_STORAGE_TAG, device_id, start, end,
                                 FD_STORAGE_SERIES_POINTS);
  q->bucket_ms = fd_storage_series_bucket (d->end_ms - d->start_ms, FD_STORAGE_SERIES_POINTS);
  fd_storage_series_sql (b, q, dev, q->bucket_ms);
  g_ptr_array_add (b->questions, q);

  q = fd_storage_question_new ("3b. series of 2,000 points, 30 days unaligned, one device",
                               FD_STORAGE_COUNT_POINTS);
  q->device_id = device_id;
  q->start_ms = us;
  q->end_ms = ue;
  q->api_path = g_strdup_printf ("/workspaces/%s/data/series?tag=%s&field=temp&device=%s"
                                 "&start=%s&end=%s&points=%d",
                                 d->workspace_id, FD_STORAGE_TAG, device_id, us_text, ue_text,
                                 FD_STORAGE_SERIES_POINTS);
  q->bucket_ms = fd_storage_series_bucket (ue - us, FD_STORAGE_SERIES_POINTS);
  fd_storage_series_sql (b, q, dev, q->bucket_ms);
  g_ptr_array_add (b->questions, q);

  /* A day in the middle of the month: 43.2 s buckets, below a minute, so every point in range
   * is read from the blocks. */
  q = fd_storage_question_new ("3c. series of 2,000 points, one day unaligned, one device",
                               FD_STORAGE_COUNT_POINTS);
  q->device_id = device_id;
  q->start_ms = ds;
  q->end_ms = ds + 24 * FD_STORAGE_HOUR_MS;
  q->api_path = g_strdup_printf ("/workspaces/%s/data/series?tag=%s&field=temp&device=%s"
                                 "&start=%" G_GINT64_FORMAT "&end=%" G_GINT64_FORMAT "&points=%d",
                                 d->workspace_id, FD_STORAGE_TAG, device_id, q->start_ms, q->end_ms,
                                 FD_STORAGE_SERIES_POINTS);
  q->bucket_ms = fd_storage_series_bucket (q->end_ms - q->start_ms, FD_STORAGE_SERIES_POINTS);
  fd_storage_series_sql (b, q, dev, q->bucket_ms);
  g_ptr_array_add (b->questions, q);
}

/* ---- asking ---------------------------------------------------------------------------- */

/* The rows of an API answer; for a series also its bucket width. */
static guint
fd_storage_api_rows (FdStorageQuestion *q, GBytes *body, gint64 *bucket_ms)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;
  gsize len;
  const char *text = g_bytes_get_data (body, &len);

  if (!json_parser_load_from_data (parser, text, (gssize)len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return 0;
  o = json_node_get_object (json_parser_get_root (parser));
  if (q->count == FD_STORAGE_COUNT_RESULT)
    return json_object_has_member (o, "result")
               ? json_array_get_length (json_object_get_array_member (o, "result"))
               : 0;
  if (bucket_ms != NULL && json_object_has_member (o, "bucket_ms"))
    *bucket_ms = json_object_get_int_member (o, "bucket_ms");
  if (json_object_has_member (o, "series"))
    {
      JsonArray *series = json_object_get_array_member (o, "series");
      if (json_array_get_length (series) > 0)
        return json_array_get_length (
            json_object_get_array_member (json_array_get_object_element (series, 0), "points"));
    }
  return 0;
}

static void
fd_storage_ask_api (FdStorageBench *b, FdStorageQuestion *q, gboolean timed)
{
  g_autofree char *path = g_strconcat ("/api/v1", q->api_path, NULL);
  g_autoptr (GBytes) body = NULL;
  guint status = 0;
  double ms;

  if (b->server == NULL || q->api_note != NULL)
    return;
  body = fd_storage_server_request (b->server, "GET", path, NULL, &status, &ms);
  if (status != 200)
    {
      gsize len = 0;
      const char *text = body ? g_bytes_get_data (body, &len) : "";
      q->api_note = g_strdup_printf ("HTTP %u %.*s", status, (int)MIN (len, 160), text);
      return;
    }
  if (timed)
    g_array_append_val (q->api_ms, ms);
  q->api_bytes = g_bytes_get_size (body);
  if (q->api_ms->len <= 1)
    {
      gint64 bucket = 0;
      q->api_rows = fd_storage_api_rows (q, body, &bucket);
      if (bucket > 0 && bucket != q->bucket_ms)
        {
          /* The peers bucket as the server did, so the three answer the same question. */
          const char *dev_id = g_ptr_array_index (b->data->device_ids, b->data->devices / 20);
          g_autofree char *dev = fd_storage_sql_quote (dev_id);
          g_print ("  the server's series bucket is %" G_GINT64_FORMAT
                   " ms (expected %" G_GINT64_FORMAT "): the peers use it\n",
                   bucket, q->bucket_ms);
          q->bucket_ms = bucket;
          fd_storage_series_sql (b, q, dev, bucket);
        }
    }
}

static void
fd_storage_ask_peer (FdStorageBench *b, FdStorageQuestion *q, gboolean over_fd, gboolean timed)
{
  const char *sql = over_fd ? q->peer_fd_sql : q->peer_sql;
  FdStorageShellRun run;

  if (sql == NULL || (over_fd && b->no_fd_tables))
    return;
  fd_storage_shell_run (b->sqlite3, over_fd ? b->data->fd_db : b->data->peer_db, TRUE, sql, &run);
  if (!run.ok)
    {
      g_printerr ("bench-storage: sqlite3 failed on: %s\n", sql);
      exit (1);
    }
  if (timed)
    {
      g_array_append_val (over_fd ? q->peer_fd_ms : q->peer_ms, run.timer_ms);
      if (!over_fd)
        g_array_append_val (q->peer_wall_ms, run.wall_ms);
    }
  if (over_fd)
    q->peer_fd_rows = run.lines;
  else
    q->peer_rows = run.lines;
  fd_storage_shell_run_clear (&run);
}

static void
fd_storage_ask_curl (FdStorageBench *b, FdStorageQuestion *q)
{
  g_autofree char *path = g_strconcat ("/api/v1", q->api_path, NULL);
  double ms;

  if (b->server == NULL || q->api_note != NULL)
    return;
  ms = fd_storage_server_curl (b->server, path);
  if (ms >= 0)
    g_array_append_val (q->curl_ms, ms);
}

static void
fd_storage_ask_engine (FdStorageBench *b, FdStorageQuestion *q, gboolean json)
{
  double ms;
  guint rows;

  if (q->engine == NULL || !q->engine (b, q, json, &ms, &rows))
    return;
  g_array_append_val (json ? q->engine_json_ms : q->engine_ms, ms);
  q->engine_rows = rows;
}

void
fd_storage_questions_run (FdStorageBench *b)
{
  fd_storage_questions_make (b);
  b->engine = fd_storage_engine_attach (b);
  g_print ("\nasking %u questions, 1 warm-up + %u timed runs each, sides interleaved\n",
           b->questions->len, b->runs);
  for (guint i = 0; i < b->questions->len; i++)
    {
      FdStorageQuestion *q = g_ptr_array_index (b->questions, i);

      double spent[6] = { 0 };

      for (guint run = 0; run <= b->runs; run++)
        for (guint k = 0; k < 6; k++)
          {
            guint side = (k + run) % 6;
            GArray *timed[6] = { q->api_ms,    q->peer_ms, q->peer_fd_ms,
                                 q->engine_ms, q->curl_ms, q->engine_json_ms };
            gint64 t0 = g_get_monotonic_time ();

            /* A side that already took its budget stops: the peer's scans of 10 million rows
             * take a minute or two each. The warm-up is timed too, and kept as the one run of
             * a side whose warm-up alone took the budget. */
            if (run > 0 && timed[side]->len > 0 && spent[side] > b->budget_s * 1000)
              continue;
            switch (side)
              {
              case 0:
                fd_storage_ask_api (b, q, TRUE);
                break;
              case 1:
                fd_storage_ask_peer (b, q, FALSE, TRUE);
                break;
              case 2:
                fd_storage_ask_peer (b, q, TRUE, TRUE);
                break;
              case 3:
                fd_storage_ask_engine (b, q, FALSE);
                break;
              case 4:
                fd_storage_ask_curl (b, q);
                break;
              default:
                fd_storage_ask_engine (b, q, TRUE);
              }
            spent[side] += fd_storage_ms_since (t0);
            if (run == 0 && spent[side] <= b->budget_s * 1000)
              {
                g_array_set_size (timed[side], 0);
                if (side == 1)
                  g_array_set_size (q->peer_wall_ms, 0);
              }
          }
      g_print ("  %s: API %.1f ms, sqlite3 %.1f ms, sqlite3 on Fleetdesk's tables %.1f ms\n",
               q->label, fd_storage_median (q->api_ms), fd_storage_median (q->peer_ms),
               fd_storage_median (q->peer_fd_ms));
    }
}

/* ---- report ---------------------------------------------------------------------------- */

static guint fd_storage_report_runs;

static void
fd_storage_cell_ms (GArray *values)
{
  if (values->len == 0)
    g_print (" - |");
  else if (values->len < fd_storage_report_runs)
    g_print (" %.1f (%u runs) |", fd_storage_median (values), values->len);
  else
    g_print (" %.1f |", fd_storage_median (values));
}

static void
fd_storage_cell_ratio (GArray *num, GArray *den)
{
  double d = fd_storage_median (den);

  if (num->len == 0 || den->len == 0 || d <= 0)
    g_print (" - |");
  else
    g_print (" %.2fx |", fd_storage_median (num) / d);
}

static void
fd_storage_export_line (const char *side, FdStorageExport *e, FdStorageExport *peer)
{
  if (e->rows_per_s == NULL || e->rows_per_s->len == 0)
    {
      g_print ("| %s | - | - | - | - | %s |\n", side, e->note ? e->note : "");
      return;
    }
  g_print ("| %s | %.0f | %.1f | %.1f MB | %.1f MB |", side, fd_storage_median (e->rows_per_s),
           fd_storage_median (e->seconds), e->rss_before_kib / 1024.0, e->peak_kib / 1024.0);
  if (peer != NULL && peer->rows_per_s != NULL && peer->rows_per_s->len > 0)
    g_print (" %.2fx the plain-table peer's rows/s; %" G_GUINT64_FORMAT " rows, %.0f MB",
             fd_storage_median (e->rows_per_s) / fd_storage_median (peer->rows_per_s), e->rows,
             e->bytes / 1e6);
  else
    g_print (" %" G_GUINT64_FORMAT " rows, %.0f MB", e->rows, e->bytes / 1e6);
  g_print ("%s%s |\n", e->note ? "; " : "", e->note ? e->note : "");
}

void
fd_storage_questions_report (FdStorageBench *b)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");

  fd_storage_report_runs = b->runs;
  g_print ("\n## Queries (%s, median of %u runs, ms)\n\n", when, b->runs);
  g_print ("| question | Fleetdesk API | API via curl | engine in-process | engine + JSON text | "
           "sqlite3, plain table | "
           "API / sqlite3"
           " | sqlite3 on Fleetdesk's tables | API / that | rows: API / engine / sqlite3 / on"
           " Fleetdesk's |\n");
  g_print ("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (guint i = 0; i < b->questions->len; i++)
    {
      FdStorageQuestion *q = g_ptr_array_index (b->questions, i);

      g_print ("| %s |", q->label);
      fd_storage_cell_ms (q->api_ms);
      fd_storage_cell_ms (q->curl_ms);
      fd_storage_cell_ms (q->engine_ms);
      fd_storage_cell_ms (q->engine_json_ms);
      fd_storage_cell_ms (q->peer_ms);
      fd_storage_cell_ratio (q->api_ms, q->peer_ms);
      fd_storage_cell_ms (q->peer_fd_ms);
      fd_storage_cell_ratio (q->api_ms, q->peer_fd_ms);
      g_print (" %u / %u / %u / %u |\n", q->api_rows, q->engine_rows, q->peer_rows,
               q->peer_fd_rows);
    }
  for (guint i = 0; i < b->questions->len; i++)
    {
      FdStorageQuestion *q = g_ptr_array_index (b->questions, i);

      if (q->api_note != NULL)
        g_print ("\n- %s: no API figure: %s", q->label, q->api_note);
    }
  g_print ("\n\nsqlite3 figures are its `.timer on` \"real\" time of the statement, output to a"
           " pipe included, process start-up excluded (median wall time of the whole process:");
  for (guint i = 0; i < b->questions->len; i++)
    {
      FdStorageQuestion *q = g_ptr_array_index (b->questions, i);
      g_print ("%s %.0f", i ? "," : "", fd_storage_median (q->peer_wall_ms));
    }
  g_print (" ms). API figures: request sent to last body byte (the server closes each connection);"
           " fleetdesk-server started in %.0f ms.\n",
           b->server_start_ms);

  if (!b->exported)
    return;
  g_print ("\n## CSV export of every reading (median of up to %u runs: %u, %u, %u, %u)\n\n",
           b->export_runs, b->export_api.seconds->len, b->export_engine.seconds->len,
           b->export_peer.seconds->len, b->export_peer_fd.seconds->len);
  g_print ("| exporter | rows/s | seconds | RSS before | peak RSS | |\n");
  g_print ("|---|---:|---:|---:|---:|---|\n");
  fd_storage_export_line ("fleetdesk-server export job (REST)", &b->export_api, &b->export_peer);
  fd_storage_export_line ("export engine in-process (this program's RSS)", &b->export_engine,
                          &b->export_peer);
  fd_storage_export_line ("sqlite3 .mode csv, plain table", &b->export_peer, NULL);
  fd_storage_export_line ("sqlite3 .mode csv, Fleetdesk's sample JOIN stream", &b->export_peer_fd,
                          &b->export_peer);
}

static void
fd_storage_export_clear (FdStorageExport *e)
{
  g_clear_pointer (&e->rows_per_s, g_array_unref);
  g_clear_pointer (&e->seconds, g_array_unref);
  g_clear_pointer (&e->note, g_free);
}

void
fd_storage_questions_free (FdStorageBench *b)
{
  fd_storage_engine_detach (b);
  g_clear_pointer (&b->questions, g_ptr_array_unref);
  fd_storage_export_clear (&b->export_api);
  fd_storage_export_clear (&b->export_engine);
  fd_storage_export_clear (&b->export_peer);
  fd_storage_export_clear (&b->export_peer_fd);
}
