/* fd-api-query.c — reading time series: raw rows (/workspaces/{id}/data), exact aggregates
 * (/data/aggregate) and chart series (/data/series).
 *
 * Parameters are checked on the engine thread (fd-api-query-params.c); names (tags, devices,
 * fleets, fields) against the workspace by the query on a reader. The answer is written as JSON
 * text on the reader too (query/fd-query.h), so a large page never builds a tree and never
 * holds up the engine thread.
 */
#include "config.h"
#include "fd-api-query-private.h"
#include "fd-util.h"

#include <string.h>

static const char *const raw_params[] = { "tag",  "device", "fleet",  "start",  "end", "from",
                                          "size", "sort",   "fields", "filter", NULL };
static const char *const aggregate_params[]
    = { "tag", "field", "fn", "bucket", "group", "device", "fleet", "start", "end", NULL };
static const char *const series_params[]
    = { "tag", "field", "device", "fleet", "start", "end", "points", NULL };

static void
query_reply (FdApiRequest *req, FdApiJob *job)
{
  FdApiQueryData *d = job->data;

  if (d->problem != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter",
                          fd_query_error_field (d->problem), "%s", d->problem->message);
      return;
    }
  fd_api_reply_json_text (req, SOUP_STATUS_OK, d->text->str, d->text->len);
  g_string_free (d->text, FALSE);
  d->text = NULL;
}

/* An FD_QUERY_ERROR is kept for the reply (a 400); anything else fails the job. */
static gboolean
job_outcome (FdApiQueryData *d, GError *error, GError **out)
{
  if (error == NULL)
    return TRUE;
  if (error->domain == FD_QUERY_ERROR)
    {
      d->problem = error;
      return TRUE;
    }
  g_propagate_error (out, error);
  return FALSE;
}

/* ---- GET /workspaces/{id}/data ---- */

/* A path of fields/filter that is a field of the selected tags; "field.PATH" may name PATH. */
static gboolean
check_path (FdDb *db, FdApiQueryData *d, char **path, FdQueryError code, GError **error)
{
  gboolean known, numeric;

  if (!fd_query_field_type (db, d->sel.workspace_id, d->sel.tags, *path, &known, &numeric, error))
    return FALSE;
  if (!known && g_str_has_prefix (*path, "field."))
    {
      if (!fd_query_field_type (db, d->sel.workspace_id, d->sel.tags, *path + 6, &known, &numeric,
                                error))
        return FALSE;
      if (known)
        {
          char *stripped = g_strdup (*path + 6);
          g_free (*path);
          *path = stripped;
        }
    }
  if (!known)
    {
      g_set_error (error, FD_QUERY_ERROR, code, "%s is not a field of the selected tags", *path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
raw_job (FdDb *db, gpointer data, GError **error)
{
  FdApiQueryData *d = ((FdApiJob *)data)->data;
  g_auto (FdQueryRawResult) result = { 0 };
  GError *local = NULL;
  GString *out;

  for (guint i = 0; d->fields != NULL && d->fields[i] != NULL && local == NULL; i++)
    check_path (db, d, &d->fields[i], FD_QUERY_ERROR_FIELDS, &local);
  for (guint i = 0; i < d->n_filters && local == NULL; i++)
    check_path (db, d, &d->filters[i].path, FD_QUERY_ERROR_FILTER, &local);
  d->raw.sel = d->sel;
  d->raw.fields = (const char *const *)d->fields;
  d->raw.filters = d->filters;
  d->raw.n_filters = d->n_filters;
  if (local == NULL)
    fd_query_raw (db, &d->raw, &result, &local);
  if (local != NULL)
    return job_outcome (d, local, error);

  out = d->text = g_string_sized_new (256 + result.rows->len * 256);
  g_string_append (out, "{\"result\":[");
  for (guint i = 0; i < result.rows->len; i++)
    {
      const FdQueryRow *row = &g_array_index (result.rows, FdQueryRow, i);
      const FdQueryStream *s = &g_array_index (result.streams, FdQueryStream, row->stream);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, "{\"timestamp_device\":");
      fd_query_json_time (out, row->ts_device);
      g_string_append (out, ",\"timestamp_in\":");
      fd_query_json_time (out, row->ts_in);
      g_string_append (out, ",\"fleet_id\":");
      fd_query_json_string (out, s->fleet_id);
      g_string_append (out, ",\"device_id\":");
      fd_query_json_string (out, s->device_id);
      g_string_append (out, ",\"tag\":");
      fd_query_json_string (out, s->tag);
      g_string_append (out, ",\"payload\":");
      g_string_append (out, row->payload);
      g_string_append_c (out, '}');
    }
  g_string_append_printf (
      out, "],\"from\":%" G_GINT64_FORMAT ",\"size\":%" G_GINT64_FORMAT ",\"has_more\":%s}",
      d->raw.from, d->raw.size, result.has_more ? "true" : "false");
  return TRUE;
}

static void
data_query (FdApiRequest *req)
{
  FdApiQueryData *d;
  const char *sort;
  FdApiJob *job;

  if (!fd_api_check_params (req, raw_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param (req, "sort", &sort))
    return;
  if (sort != NULL && !g_str_equal (sort, "timestamp_device")
      && !g_str_equal (sort, "-timestamp_device"))
    {
      fd_api_query_bad (req, "sort", "sort must be timestamp_device or -timestamp_device");
      return;
    }
  d = g_new0 (FdApiQueryData, 1);
  d->raw.descending = sort == NULL || sort[0] == '-';
  d->raw.size = FD_QUERY_DEFAULT_SIZE;
  if (!fd_api_query_param_selection (req, d, FALSE, &d->raw.start, &d->raw.end)
      || !fd_api_param_int (req, "from", 0, G_MAXINT32, &d->raw.from)
      || !fd_api_param_int (req, "size", 0, FD_QUERY_MAX_SIZE, &d->raw.size)
      || !fd_api_query_param_fields (req, d) || !fd_api_query_param_filters (req, d))
    {
      fd_api_query_data_free (d);
      return;
    }
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = fd_api_query_data_free;
  fd_api_run_read (req, raw_job, job, query_reply);
}

/* ---- GET /workspaces/{id}/data/aggregate and /data/series ---- */

static void
group_start (const char *key, gpointer user_data)
{
  FdApiQueryData *d = user_data;
  GString *out = d->text;

  if (!d->series)
    return;
  if (!d->first_group)
    g_string_append (out, "]},");
  d->first_group = FALSE;
  d->first_item = TRUE;
  g_string_append (out, "{\"device_id\":");
  fd_query_json_string (out, key);
  g_string_append (out, ",\"device_name\":");
  {
    g_autofree char *name = fd_query_device_name (d->db, key, NULL);
    if (name != NULL)
      fd_query_json_string (out, name);
    else
      g_string_append (out, "null");
  }
  g_string_append (out, ",\"points\":[");
}

static void
emit_series (const FdQueryAcc *a, gint64 bucket, FdApiQueryData *d)
{
  GString *out = d->text;

  if (!d->first_item)
    g_string_append_c (out, ',');
  d->first_item = FALSE;
  g_string_append_printf (out, "[%" G_GINT64_FORMAT ",", a->n == 1 ? a->first_ts : bucket);
  fd_query_json_number (out, a->min);
  g_string_append_c (out, ',');
  fd_query_json_number (out, a->max);
  g_string_append_c (out, ',');
  fd_query_json_number (out, a->sum / (double)a->n);
  g_string_append_printf (out, ",%" G_GINT64_FORMAT "]", a->n);
}

static void
emit (const char *key, gint64 bucket, const FdQueryAcc *a, gpointer user_data)
{
  FdApiQueryData *d = user_data;
  GString *out = d->text;

  if (d->series)
    {
      emit_series (a, bucket, d);
      return;
    }
  if (!d->first_item)
    g_string_append_c (out, ',');
  d->first_item = FALSE;
  g_string_append_c (out, '{');
  if (key != NULL)
    {
      g_string_append (out,
                       d->agg.group == FD_QUERY_GROUP_DEVICE ? "\"device_id\":" : "\"fleet_id\":");
      fd_query_json_string (out, key);
      g_string_append_c (out, ',');
    }
  if (d->agg.width != 0)
    {
      g_string_append (out, "\"bucket\":");
      fd_query_json_time (out, bucket);
      g_string_append_c (out, ',');
    }
  g_string_append_printf (out, "\"count\":%" G_GINT64_FORMAT, a->n);
  for (guint i = 0; i < FD_QUERY_N_FNS; i++)
    {
      FdQueryFn fn = 1u << i;

      if (fn == FD_QUERY_FN_COUNT || !(d->fns & fn))
        continue;
      g_string_append_printf (out, ",\"%s\":", fd_query_fn_name (fn));
      fd_query_json_number (out, fd_query_acc_value (a, fn));
    }
  g_string_append_c (out, '}');
}

static gboolean
aggregate_job (FdDb *db, gpointer data, GError **error)
{
  FdApiQueryData *d = ((FdApiJob *)data)->data;
  GError *local = NULL;

  d->db = db;
  d->first_group = d->first_item = TRUE;
  d->agg.sel = d->sel;
  d->agg.field = d->field;
  if (d->series)
    {
      d->text = g_string_new (NULL);
      g_string_append_printf (d->text, "{\"bucket_ms\":%" G_GINT64_FORMAT ",\"series\":[",
                              d->agg.width);
    }
  else
    d->text = g_string_new ("{\"result\":[");
  if (!fd_query_aggregate (db, &d->agg, group_start, emit, d, &local))
    return job_outcome (d, local, error);
  if (d->series)
    g_string_append (d->text, d->first_group ? "]}" : "]}]}");
  else
    g_string_append (d->text, "]}");
  return TRUE;
}

static void
data_aggregate (FdApiRequest *req)
{
  FdApiQueryData *d;
  FdApiJob *job;
  gint64 width;
  FdQueryGroup group;

  if (!fd_api_check_params (req, aggregate_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_query_param_bucket (req, &width) || !fd_api_query_param_group (req, &group))
    return;
  d = g_new0 (FdApiQueryData, 1);
  d->agg.width = width;
  d->agg.group = group;
  if (!fd_api_query_param_selection (req, d, width != 0, &d->agg.start, &d->agg.end)
      || !fd_api_query_one_tag (req, d) || !fd_api_query_param_field (req, d)
      || !fd_api_query_param_fns (req, d))
    {
      fd_api_query_data_free (d);
      return;
    }
  d->agg.stats_only = (d->fns & (FD_QUERY_FN_FIRST | FD_QUERY_FN_LAST)) == 0;
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = fd_api_query_data_free;
  fd_api_run_read (req, aggregate_job, job, query_reply);
}

static void
data_series (FdApiRequest *req)
{
  gint64 points = FD_QUERY_DEFAULT_POINTS;
  FdApiQueryData *d;
  FdApiJob *job;

  if (!fd_api_check_params (req, series_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_int (req, "points", FD_QUERY_MIN_POINTS, FD_QUERY_MAX_POINTS, &points))
    return;
  d = g_new0 (FdApiQueryData, 1);
  d->series = TRUE;
  d->agg.group = FD_QUERY_GROUP_DEVICE;
  d->agg.max_groups = FD_QUERY_MAX_SERIES;
  if (!fd_api_query_param_selection (req, d, TRUE, &d->agg.start, &d->agg.end)
      || !fd_api_query_one_tag (req, d) || !fd_api_query_param_field (req, d))
    {
      fd_api_query_data_free (d);
      return;
    }
  d->agg.width = fd_query_series_width (d->agg.start, d->agg.end, (guint)points);
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = fd_api_query_data_free;
  fd_api_run_read (req, aggregate_job, job, query_reply);
}

const FdApiRoute fd_api_query_routes[] = {
  { "GET", "/workspaces/{id}/data", data_query, FALSE, 0 },
  { "GET", "/workspaces/{id}/data/aggregate", data_aggregate, FALSE, 0 },
  { "GET", "/workspaces/{id}/data/series", data_series, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
