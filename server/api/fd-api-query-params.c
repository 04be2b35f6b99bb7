/* fd-api-query-params.c — the query parameters of the data routes, checked at the edge: times
 * (RFC 3339 with any offset, or epoch ms), selections, fields, filters, fns, buckets, groups.
 * Names are checked against the workspace later, by the query on a reader. */
#include "config.h"
#include "fd-api-query-private.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"

#include <string.h>

/* A bucket beyond this (about 27 years) is a typo, not a question. */
#define DEFAULT_RANGE_MS FD_DAY_MS

void
fd_api_query_data_free (gpointer data)
{
  FdApiQueryData *d = data;

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

gboolean
fd_api_query_bad (FdApiRequest *req, const char *field, const char *message)
{
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", field, "%s", message);
  return FALSE;
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
gboolean
fd_api_query_param_selection (FdApiRequest *req, FdApiQueryData *d, gboolean default_range,
                              gint64 *start, gint64 *end)
{
  gboolean has_start, has_end;

  *start = FD_QUERY_TIME_MIN;
  *end = FD_QUERY_TIME_MAX;
  if (!fd_api_param_selection_lists (req, &d->tags, &d->devices, &d->fleets)
      || !param_time (req, "start", start, &has_start) || !param_time (req, "end", end, &has_end))
    return FALSE;
  if (default_range && !has_end)
    *end = has_start ? MAX (fd_now_ms (), *start + 1) : fd_now_ms ();
  if (default_range && !has_start)
    *start = MAX (*end - DEFAULT_RANGE_MS, FD_QUERY_TIME_MIN);
  if (*end <= *start)
    return fd_api_query_bad (req, "end", "end must be after start");
  d->sel.workspace_id = req->path_id;
  d->sel.tags = (const char *const *)d->tags;
  d->sel.devices = (const char *const *)d->devices;
  d->sel.fleets = (const char *const *)d->fleets;
  return TRUE;
}

gboolean
fd_api_query_one_tag (FdApiRequest *req, FdApiQueryData *d)
{
  if (d->tags == NULL)
    return fd_api_query_bad (req, "tag", "tag is required: the tag whose field to read");
  if (d->tags[1] != NULL)
    return fd_api_query_bad (req, "tag", "give one tag");
  return TRUE;
}

gboolean
fd_api_query_param_field (FdApiRequest *req, FdApiQueryData *d)
{
  const char *field;

  if (!fd_api_param (req, "field", &field))
    return FALSE;
  if (field == NULL || *field == '\0')
    return fd_api_query_bad (req, "field",
                             "field is required: a numeric field path, like temp or gps.lat");
  if (strlen (field) > FD_PAYLOAD_MAX_PATH_BYTES)
    return fd_api_query_bad (req, "field", "field is longer than a field path can be");
  d->field = g_strdup (field);
  return TRUE;
}

gboolean
fd_api_query_param_fields (FdApiRequest *req, FdApiQueryData *d)
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
        return fd_api_query_bad (req, "fields", "fields is a comma-separated list of field paths");
      if (strlen (path) > FD_PAYLOAD_MAX_PATH_BYTES)
        return fd_api_query_bad (req, "fields", "a field path in fields is too long");
      if (g_ptr_array_find_with_equal_func (fields, path, g_str_equal, NULL))
        continue; /* a payload holds each path once */
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

gboolean
fd_api_query_param_filters (FdApiRequest *req, FdApiQueryData *d)
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

gboolean
fd_api_query_param_fns (FdApiRequest *req, FdApiQueryData *d)
{
  g_autofree char *bad = NULL;
  const char *text;

  if (!fd_api_param (req, "fn", &text))
    return FALSE;
  if (text == NULL || *text == '\0')
    return fd_api_query_bad (req, "fn", "fn is required: a comma list of " FD_QUERY_FN_NAMES);
  d->fns = fd_query_fns_parse (text, &bad);
  if (d->fns == 0)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "fn",
                          "unknown fn \"%s\": use " FD_QUERY_FN_NAMES, bad ? bad : "");
      return FALSE;
    }
  return TRUE;
}

/* "none", or N followed by m, h or d: at least a minute. */
gboolean
fd_api_query_param_bucket (FdApiRequest *req, gint64 *width)
{
  const char *text;

  *width = 0;
  if (!fd_api_param (req, "bucket", &text))
    return FALSE;
  if (text == NULL)
    return TRUE;
  *width = fd_query_bucket_parse (text);
  if (*width < 0)
    return fd_api_query_bad (
        req, "bucket",
        "bucket must be none or a number followed by m, h or d (1m, 5m, 1h, 1d, 7d), "
        "at least 1m and at most 10000d");
  return TRUE;
}

gboolean
fd_api_query_param_group (FdApiRequest *req, FdQueryGroup *group)
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
    return fd_api_query_bad (req, "group", "group must be none, device or fleet");
  return TRUE;
}
