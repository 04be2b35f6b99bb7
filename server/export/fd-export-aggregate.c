/* fd-export-aggregate.c — an aggregate export: the buckets of server/query's exact aggregate
 * as rows "bucket, device_id | fleet_id, count, <fn>…" (CSV), or objects as
 * GET /data/aggregate answers them (JSON, NDJSON). */
#include "fd-export-private.h"
#include "query/fd-query.h"

typedef struct
{
  FdExportFormat format;
  FdExportOut *out;
  FdQueryGroup group;
  gint64 width;
  guint fns;
  gboolean first;
  gint64 rows;
  GString *line;
  FdQueryTimeCache times;
} Emit;

static void
number (GString *line, double v, gboolean csv)
{
  gsize at = line->len;

  fd_query_json_number (line, v);
  if (csv && g_str_equal (line->str + at, "null"))
    g_string_truncate (line, at);
}

static void
emit_row (const char *key, gint64 bucket, const FdQueryAcc *a, gpointer user_data)
{
  Emit *e = user_data;
  GString *line = e->line;
  char time[FD_QUERY_TIME_LEN];

  g_string_truncate (line, 0);
  fd_query_format_time (&e->times, bucket, time);
  if (e->format == FD_EXPORT_CSV)
    {
      if (e->width != 0)
        g_string_append_len (line, time, FD_QUERY_TIME_LEN);
      if (e->group != FD_QUERY_GROUP_NONE)
        g_string_append_printf (line, ",%s", key);
      g_string_append_printf (line, ",%" G_GINT64_FORMAT, a->n);
    }
  else
    {
      if (e->format == FD_EXPORT_JSON)
        g_string_append (line, e->first ? "\n" : ",\n");
      g_string_append_c (line, '{');
      if (e->group != FD_QUERY_GROUP_NONE)
        {
          g_string_append (line,
                           e->group == FD_QUERY_GROUP_DEVICE ? "\"device_id\":" : "\"fleet_id\":");
          fd_query_json_string (line, key);
          g_string_append_c (line, ',');
        }
      if (e->width != 0)
        {
          g_string_append (line, "\"bucket\":\"");
          g_string_append_len (line, time, FD_QUERY_TIME_LEN);
          g_string_append (line, "\",");
        }
      g_string_append_printf (line, "\"count\":%" G_GINT64_FORMAT, a->n);
    }
  for (guint i = 0; i < FD_QUERY_N_FNS; i++)
    {
      FdQueryFn fn = 1u << i;

      if (fn == FD_QUERY_FN_COUNT || !(e->fns & fn))
        continue;
      if (e->format == FD_EXPORT_CSV)
        g_string_append_c (line, ',');
      else
        g_string_append_printf (line, ",\"%s\":", fd_query_fn_name (fn));
      number (line, fd_query_acc_value (a, fn), e->format == FD_EXPORT_CSV);
    }
  if (e->format == FD_EXPORT_CSV)
    g_string_append (line, "\r\n");
  else
    g_string_append (line, e->format == FD_EXPORT_JSON ? "}" : "}\n");
  /* CSV rows start with a comma when there is no bucket column: drop it. */
  if (e->format == FD_EXPORT_CSV && e->width == 0)
    fd_export_out_append (e->out, line->str + 1, line->len - 1);
  else
    fd_export_out_append (e->out, line->str, line->len);
  e->first = FALSE;
  e->rows++;
}

gboolean
fd_export_aggregate (FdDb *db, const char *workspace_id, JsonObject *selection, gint64 start,
                     gint64 end, FdExportFormat format, FdExportOut *out, gint64 *rows,
                     GError **error)
{
  JsonObject *agg = json_object_get_object_member (selection, "aggregate");
  g_auto (GStrv) tags = fd_export_selection_list (selection, "tags");
  g_auto (GStrv) devices = fd_export_selection_list (selection, "devices");
  g_auto (GStrv) fleets = fd_export_selection_list (selection, "fleets");
  const char *group = json_object_get_string_member_with_default (agg, "group", "none");
  g_autofree char *bad = NULL;
  Emit e = { .format = format, .out = out, .first = TRUE };
  FdQueryAggregate q = { 0 };
  g_autoptr (GString) header = g_string_new (NULL);
  gboolean ok;

  e.group = g_str_equal (group, "device")  ? FD_QUERY_GROUP_DEVICE
            : g_str_equal (group, "fleet") ? FD_QUERY_GROUP_FLEET
                                           : FD_QUERY_GROUP_NONE;
  e.width = json_object_get_int_member_with_default (agg, "bucket_ms", 0);
  /* Checked when the export was made: a stored list is a valid one. */
  e.fns = fd_query_fns_parse (json_object_get_string_member_with_default (agg, "fn", ""), &bad);
  e.times.second = G_MININT64;
  e.line = g_string_new (NULL);
  q.sel.workspace_id = workspace_id;
  q.sel.tags = (const char *const *)tags;
  q.sel.devices = (const char *const *)devices;
  q.sel.fleets = (const char *const *)fleets;
  q.field = json_object_get_string_member_with_default (agg, "field", "");
  q.start = MAX (start, FD_QUERY_TIME_MIN);
  q.end = MIN (end, FD_QUERY_TIME_MAX);
  q.width = e.width;
  q.group = e.group;

  if (format == FD_EXPORT_CSV)
    {
      if (e.width != 0)
        g_string_append (header, "bucket,");
      if (e.group != FD_QUERY_GROUP_NONE)
        g_string_append (header, e.group == FD_QUERY_GROUP_DEVICE ? "device_id," : "fleet_id,");
      g_string_append (header, "count");
      for (guint i = 0; i < FD_QUERY_N_FNS; i++)
        if ((e.fns & (1u << i)) && (1u << i) != FD_QUERY_FN_COUNT)
          g_string_append_printf (header, ",%s", fd_query_fn_name (1u << i));
      g_string_append (header, "\r\n");
    }
  else if (format == FD_EXPORT_JSON)
    g_string_append (header, "[");
  fd_export_out_append (out, header->str, header->len);
  ok = fd_db_exec (db, "BEGIN", error);
  if (ok)
    {
      ok = fd_query_aggregate (db, &q, NULL, emit_row, &e, error);
      fd_db_exec (db, "COMMIT", NULL);
    }
  if (ok && format == FD_EXPORT_JSON)
    fd_export_out_append (out, "\n]\n", 3);
  g_string_free (e.line, TRUE);
  *rows = e.rows;
  return ok;
}
