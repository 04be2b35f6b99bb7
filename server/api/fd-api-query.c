/* fd-api-query.c — reading time series: raw rows (/workspaces/{id}/data), exact aggregates
 * (/data/aggregate) and chart series (/data/series).
 *
 * Parameters are checked here, on the engine thread; names (tags, devices, fleets, fields)
 * are checked against the workspace by the query on a reader. The answer is written as JSON
 * text on the reader too (query/fd-query.h), so a large page never builds a tree and never
 * holds up the engine thread.
 */
#include "config.h"
#include "fd-api-private.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "query/fd-query.h"

#include <string.h>

static const char *const raw_params[] = { "tag",  "device", "fleet",  "start",  "end", "from",
                                          "size", "sort",   "fields", "filter", NULL };
static const char *const aggregate_params[]
    = { "tag", "field", "fn", "bucket", "group", "device", "fleet", "start", "end", NULL };
static const char *const series_params[]
    = { "tag", "field", "device", "fleet", "start", "end", "points", NULL };

/* A bucket beyond this (about 27 years) is a typo, not a question. */
#define MAX_BUCKET_MS (10000 * FD_DAY_MS)
#define DEFAULT_RANGE_MS FD_DAY_MS

typedef struct
{
  char **tags, **devices, **fleets;
  FdQuerySelection sel;
  /* raw */
  FdQueryRaw raw;
  char **fields;
  FdQueryFilter filters[FD_QUERY_MAX_FILTERS];
  guint n_filters;
  /* aggregate and series */
  FdQueryAggregate agg;
  char *field;
  guint fns;
  gboolean series; /* a chart, not an aggregate */
  FdDb *db;        /* during the job: device names */
  gboolean first_group, first_item;
  /* the outcome */
  GString *text;
  GError *problem; /* an FD_QUERY_ERROR: a 400 naming its parameter */
} QueryData;

static void
query_data_free (gpointer data)
{
  QueryData *d = data;

  g_strfreev (d->tags);
  g_strfreev (d->devices);
  g_strfreev (d->fleets);
  g_strfreev (d->fields);
  for (guint i = 0; i < d->n_filters; i++)
    fd_query_filter_clear (&d->filters[i]);
  g_free (d->field);
  if (d->text != NULL)
    g_string_free (d->text, TRUE);
  g_clear_error (&d->problem);
  g_free (d);
}

static gboolean
bad (FdApiRequest *req, const char *field, const char *message)
{
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", field, "%s", message);
  return FALSE;
}

/* Every value of the repeatable @key, each checked by @check (NULL when good, else why not). */
static gboolean
param_list (FdApiRequest *req, const char *key, const char *(*check) (const char *), char ***out)
{
  g_auto (GStrv) values = fd_api_param_all (req, key);

  for (guint i = 0; values[i] != NULL; i++)
    {
      const char *why = check (values[i]);
      if (why != NULL)
        return bad (req, key, why);
    }
  *out = values[0] != NULL ? g_steal_pointer (&values) : NULL;
  return TRUE;
}

static const char *
check_tag (const char *tag)
{
  return fd_tag_check (tag, strlen (tag));
}

static const char *
check_device (const char *id)
{
  return fd_id_is_valid (id, "dev") ? NULL : "device must be a device ID like dev-…";
}

static const char *
check_fleet (const char *id)
{
  return fd_id_is_valid (id, "flt") ? NULL : "fleet must be a fleet ID like flt-…";
}

/* An RFC 3339 time with any offset, or integer epoch ms; untouched when absent. */
static gboolean
param_time (FdApiRequest *req, const char *key, gint64 *ms, gboolean *given)
{
  const char *text;
  guint64 n;
  gint64 t;

  *given = FALSE;
  if (!fd_api_param (req, key, &text))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (fd_time_parse_rfc3339 (text, strlen (text), &t) && t >= FD_QUERY_TIME_MIN
      && t <= FD_QUERY_TIME_MAX)
    *ms = t;
  else if (g_ascii_string_to_unsigned (text, 10, 0, FD_QUERY_TIME_MAX, &n, NULL))
    *ms = (gint64)n;
  else
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", key,
                          "%s must be an RFC 3339 time (2026-11-27T10:00:00Z, any offset) or "
                          "epoch milliseconds, from 1970 to 9999",
                          key);
      return FALSE;
    }
  *given = TRUE;
  return TRUE;
}

/* The selection (tag, device, fleet lists) and the range; @default_range: an absent range is
 * the last day up to now (charts, bucketed aggregates), else all time. */
static gboolean
param_selection (FdApiRequest *req, QueryData *d, gboolean default_range, gint64 *start,
                 gint64 *end)
{
  gboolean has_start, has_end;

  *start = FD_QUERY_TIME_MIN;
  *end = FD_QUERY_TIME_MAX;
  if (!param_list (req, "tag", check_tag, &d->tags)
      || !param_list (req, "device", check_device, &d->devices)
      || !param_list (req, "fleet", check_fleet, &d->fleets)
      || !param_time (req, "start", start, &has_start) || !param_time (req, "end", end, &has_end))
    return FALSE;
  if (default_range && !has_end)
    *end = has_start ? MAX (fd_now_ms (), *start + 1) : fd_now_ms ();
  if (default_range && !has_start)
    *start = MAX (*end - DEFAULT_RANGE_MS, FD_QUERY_TIME_MIN);
  if (*end <= *start)
    return bad (req, "end", "end must be after start");
  d->sel.workspace_id = req->path_id;
  d->sel.tags = (const char *const *)d->tags;
  d->sel.devices = (const char *const *)d->devices;
  d->sel.fleets = (const char *const *)d->fleets;
  return TRUE;
}

static gboolean
one_tag (FdApiRequest *req, QueryData *d)
{
  if (d->tags == NULL)
    return bad (req, "tag", "tag is required: the tag whose field to read");
  if (d->tags[1] != NULL)
    return bad (req, "tag", "give one tag");
  return TRUE;
}

static gboolean
param_field (FdApiRequest *req, QueryData *d)
{
  const char *field;

  if (!fd_api_param (req, "field", &field))
    return FALSE;
  if (field == NULL || *field == '\0')
    return bad (req, "field", "field is required: a numeric field path, like temp or gps.lat");
  if (strlen (field) > FD_PAYLOAD_MAX_PATH_BYTES)
    return bad (req, "field", "field is longer than a field path can be");
  d->field = g_strdup (field);
  return TRUE;
}

static void
query_reply (FdApiRequest *req, FdApiJob *job)
{
  QueryData *d = job->data;

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
job_outcome (QueryData *d, GError *error, GError **out)
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
check_path (FdDb *db, QueryData *d, char **path, FdQueryError code, GError **error)
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
  QueryData *d = ((FdApiJob *)data)->data;
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

static gboolean
param_fields (FdApiRequest *req, QueryData *d)
{
  const char *text;
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);

  if (!fd_api_param (req, "fields", &text))
    return FALSE;
  if (text == NULL)
    return TRUE;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *path = g_strstrip (parts[i]);

      if (*path == '\0')
        return bad (req, "fields", "fields is a comma-separated list of field paths");
      if (strlen (path) > FD_PAYLOAD_MAX_PATH_BYTES)
        return bad (req, "fields", "a field path in fields is too long");
      if (fields->len == FD_QUERY_MAX_FIELDS)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "fields",
                              "at most %d fields", FD_QUERY_MAX_FIELDS);
          return FALSE;
        }
      g_ptr_array_add (fields, g_strdup (path));
    }
  g_ptr_array_add (fields, NULL);
  d->fields = (char **)g_ptr_array_free (g_steal_pointer (&fields), FALSE);
  return TRUE;
}

static gboolean
param_filters (FdApiRequest *req, QueryData *d)
{
  g_auto (GStrv) values = fd_api_param_all (req, "filter");

  for (guint i = 0; values[i] != NULL; i++)
    {
      const char *why;

      if (d->n_filters == FD_QUERY_MAX_FILTERS)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "filter",
                              "at most %d filters", FD_QUERY_MAX_FILTERS);
          return FALSE;
        }
      why = fd_query_filter_parse (values[i], &d->filters[d->n_filters]);
      d->n_filters++;
      if (why != NULL)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "filter",
                              "%s: \"%s\"", why, values[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static void
data_query (FdApiRequest *req)
{
  QueryData *d;
  const char *sort;
  FdApiJob *job;

  if (!fd_api_check_params (req, raw_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param (req, "sort", &sort))
    return;
  if (sort != NULL && !g_str_equal (sort, "timestamp_device")
      && !g_str_equal (sort, "-timestamp_device"))
    {
      bad (req, "sort", "sort must be timestamp_device or -timestamp_device");
      return;
    }
  d = g_new0 (QueryData, 1);
  d->raw.descending = sort == NULL || sort[0] == '-';
  d->raw.size = FD_QUERY_DEFAULT_SIZE;
  if (!param_selection (req, d, FALSE, &d->raw.start, &d->raw.end)
      || !fd_api_param_int (req, "from", 0, G_MAXINT32, &d->raw.from)
      || !fd_api_param_int (req, "size", 0, FD_QUERY_MAX_SIZE, &d->raw.size)
      || !param_fields (req, d) || !param_filters (req, d))
    {
      query_data_free (d);
      return;
    }
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = query_data_free;
  fd_api_run_read (req, raw_job, job, query_reply);
}

/* ---- GET /workspaces/{id}/data/aggregate and /data/series ---- */

static void
group_start (const char *key, gpointer user_data)
{
  QueryData *d = user_data;
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
emit_series (const FdQueryAcc *a, gint64 bucket, QueryData *d)
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
  QueryData *d = user_data;
  GString *out = d->text;
  static const struct
  {
    FdQueryFn fn;
    const char *name;
  } fns[] = {
    { FD_QUERY_FN_AVG, "avg" }, { FD_QUERY_FN_MIN, "min" },     { FD_QUERY_FN_MAX, "max" },
    { FD_QUERY_FN_SUM, "sum" }, { FD_QUERY_FN_FIRST, "first" }, { FD_QUERY_FN_LAST, "last" },
  };

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
  for (guint i = 0; i < G_N_ELEMENTS (fns); i++)
    {
      double v;

      if (!(d->fns & fns[i].fn))
        continue;
      v = fns[i].fn == FD_QUERY_FN_AVG     ? a->sum / (double)a->n
          : fns[i].fn == FD_QUERY_FN_MIN   ? a->min
          : fns[i].fn == FD_QUERY_FN_MAX   ? a->max
          : fns[i].fn == FD_QUERY_FN_SUM   ? a->sum
          : fns[i].fn == FD_QUERY_FN_FIRST ? a->first
                                           : a->last;
      g_string_append_printf (out, ",\"%s\":", fns[i].name);
      fd_query_json_number (out, v);
    }
  g_string_append_c (out, '}');
}

static gboolean
aggregate_job (FdDb *db, gpointer data, GError **error)
{
  QueryData *d = ((FdApiJob *)data)->data;
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

static gboolean
param_fns (FdApiRequest *req, QueryData *d)
{
  static const char *const names[] = { "avg", "min", "max", "sum", "count", "first", "last" };
  g_auto (GStrv) parts = NULL;
  const char *text;

  if (!fd_api_param (req, "fn", &text))
    return FALSE;
  if (text == NULL || *text == '\0')
    return bad (req, "fn",
                "fn is required: a comma list of avg, min, max, sum, count, first, last");
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *name = g_strstrip (parts[i]);
      guint j;

      for (j = 0; j < G_N_ELEMENTS (names); j++)
        if (g_str_equal (name, names[j]))
          break;
      if (j == G_N_ELEMENTS (names))
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "fn",
                              "unknown fn \"%s\": use avg, min, max, sum, count, first, last",
                              name);
          return FALSE;
        }
      d->fns |= 1u << j;
    }
  return TRUE;
}

/* "none", or N followed by m, h or d: at least a minute. */
static gboolean
param_bucket (FdApiRequest *req, gint64 *width)
{
  const char *text;
  char *end = NULL;
  guint64 n;
  gint64 unit;

  *width = 0;
  if (!fd_api_param (req, "bucket", &text))
    return FALSE;
  if (text == NULL || g_str_equal (text, "none"))
    return TRUE;
  n = g_ascii_isdigit (text[0]) ? g_ascii_strtoull (text, &end, 10) : 0;
  unit = end == NULL || end[0] == '\0' || end[1] != '\0' ? 0
         : end[0] == 'm'                                 ? FD_MINUTE_MS
         : end[0] == 'h'                                 ? FD_HOUR_MS
         : end[0] == 'd'                                 ? FD_DAY_MS
                                                         : 0;
  if (n == 0 || unit == 0 || n > (guint64)(MAX_BUCKET_MS / unit))
    return bad (req, "bucket",
                "bucket must be none or a number followed by m, h or d (1m, 5m, 1h, 1d, 7d), "
                "at least 1m and at most 10000d");
  *width = (gint64)n * unit;
  return TRUE;
}

static gboolean
param_group (FdApiRequest *req, FdQueryGroup *group)
{
  const char *text;

  *group = FD_QUERY_GROUP_NONE;
  if (!fd_api_param (req, "group", &text))
    return FALSE;
  if (text == NULL || g_str_equal (text, "none"))
    return TRUE;
  if (g_str_equal (text, "device"))
    *group = FD_QUERY_GROUP_DEVICE;
  else if (g_str_equal (text, "fleet"))
    *group = FD_QUERY_GROUP_FLEET;
  else
    return bad (req, "group", "group must be none, device or fleet");
  return TRUE;
}

static void
data_aggregate (FdApiRequest *req)
{
  QueryData *d;
  FdApiJob *job;
  gint64 width;
  FdQueryGroup group;

  if (!fd_api_check_params (req, aggregate_params) || !fd_api_path_id (req, "wks", "workspace")
      || !param_bucket (req, &width) || !param_group (req, &group))
    return;
  d = g_new0 (QueryData, 1);
  d->agg.width = width;
  d->agg.group = group;
  if (!param_selection (req, d, width != 0, &d->agg.start, &d->agg.end) || !one_tag (req, d)
      || !param_field (req, d) || !param_fns (req, d))
    {
      query_data_free (d);
      return;
    }
  d->agg.stats_only = (d->fns & (FD_QUERY_FN_FIRST | FD_QUERY_FN_LAST)) == 0;
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = query_data_free;
  fd_api_run_read (req, aggregate_job, job, query_reply);
}

static void
data_series (FdApiRequest *req)
{
  gint64 points = FD_QUERY_DEFAULT_POINTS;
  QueryData *d;
  FdApiJob *job;

  if (!fd_api_check_params (req, series_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_int (req, "points", FD_QUERY_MIN_POINTS, FD_QUERY_MAX_POINTS, &points))
    return;
  d = g_new0 (QueryData, 1);
  d->series = TRUE;
  d->agg.group = FD_QUERY_GROUP_DEVICE;
  d->agg.max_groups = FD_QUERY_MAX_SERIES;
  if (!param_selection (req, d, TRUE, &d->agg.start, &d->agg.end) || !one_tag (req, d)
      || !param_field (req, d))
    {
      query_data_free (d);
      return;
    }
  d->agg.width = fd_query_series_width (d->agg.start, d->agg.end, (guint)points);
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = query_data_free;
  fd_api_run_read (req, aggregate_job, job, query_reply);
}

const FdApiRoute fd_api_query_routes[] = {
  { "GET", "/workspaces/{id}/data", data_query, FALSE, 0 },
  { "GET", "/workspaces/{id}/data/aggregate", data_aggregate, FALSE, 0 },
  { "GET", "/workspaces/{id}/data/series", data_series, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
