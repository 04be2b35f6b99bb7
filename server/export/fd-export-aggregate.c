/* fd-export-aggregate.c — an aggregate export: the buckets of server/query's exact aggregate
 * as rows "bucket, device_id | fleet_id, count, <fn>…" (CSV), or objects as
 * GET /data/aggregate answers them (JSON, NDJSON). */
#include "fd-export-private.h"
#include "query/fd-query.h"

static const struct
{
  FdQueryFn fn;
  const char *name;
} fns[] = {
  { FD_QUERY_FN_AVG, "avg" }, { FD_QUERY_FN_MIN, "min" },     { FD_QUERY_FN_MAX, "max" },
  { FD_QUERY_FN_SUM, "sum" }, { FD_QUERY_FN_FIRST, "first" }, { FD_QUERY_FN_LAST, "last" },
};

guint
fd_export_aggregate_fns (const char *list, const char **bad)
{
  g_auto (GStrv) parts = g_strsplit (list != NULL ? list : "", ",", -1);
  guint mask = 0;

  *bad = NULL;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *name = g_strstrip (parts[i]);
      gboolean found = g_str_equal (name, "count");

      for (guint j = 0; !found && j < G_N_ELEMENTS (fns); j++)
        if (g_str_equal (name, fns[j].name))
          {
            mask |= fns[j].fn;
            found = TRUE;
          }
      if (!found)
        {
          *bad = "fn must be a comma list of avg, min, max, sum, count, first, last";
          return 0;
        }
      mask |= g_str_equal (name, "count") ? FD_QUERY_FN_COUNT : 0;
    }
  if (mask == 0)
    *bad = "fn must be a comma list of avg, min, max, sum, count, first, last";
  return mask;
}

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
  for (guint i = 0; i < G_N_ELEMENTS (fns); i++)
    {
      double v;

      if (!(e->fns & fns[i].fn))
        continue;
      v = fns[i].fn == FD_QUERY_FN_AVG     ? a->sum / (double)a->n
          : fns[i].fn == FD_QUERY_FN_MIN   ? a->min
          : fns[i].fn == FD_QUERY_FN_MAX   ? a->max
          : fns[i].fn == FD_QUERY_FN_SUM   ? a->sum
          : fns[i].fn == FD_QUERY_FN_FIRST ? a->first
                                           : a->last;
      if (e->format == FD_EXPORT_CSV)
        g_string_append_c (line, ',');
      else
        g_string_append_printf (line, ",\"%s\":", fns[i].name);
      number (line, v, e->format == FD_EXPORT_CSV);
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
  const char *bad = NULL;
  Emit e = { .format = format, .out = out, .first = TRUE };
  FdQueryAggregate q = { 0 };
  g_autoptr (GString) header = g_string_new (NULL);
  gboolean ok;

  e.group = g_str_equal (group, "device")  ? FD_QUERY_GROUP_DEVICE
            : g_str_equal (group, "fleet") ? FD_QUERY_GROUP_FLEET
                                           : FD_QUERY_GROUP_NONE;
  e.width = json_object_get_int_member_with_default (agg, "bucket_ms", 0);
  e.fns
      = fd_export_aggregate_fns (json_object_get_string_member_with_default (agg, "fn", ""), &bad);
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
      for (guint i = 0; i < G_N_ELEMENTS (fns); i++)
        if (e.fns & fns[i].fn)
          g_string_append_printf (header, ",%s", fns[i].name);
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
