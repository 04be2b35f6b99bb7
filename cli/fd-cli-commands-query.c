/* fd-cli-commands-query.c — the data noun's reading verbs: "data query" (raw rows), "data
 * aggregate" (exact aggregates per bucket and group) and "data series" (a chart's buckets),
 * on GET /workspaces/{id}/data, /data/aggregate and /data/series (docs/rest-api.md, "Data
 * queries"). Their answers are not lists of items, so each verb shows its own table.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

static const FdCliParam opt_tags = {
  .name = "tag",
  .metavar = "TAG",
  .value = FD_CLI_VALUE_TAG,
  .target = FD_CLI_TO_QUERY,
  .key = "tag",
  .repeatable = TRUE,
  .help = N_ ("Only readings of this tag (repeat for any of several)"),
};
static const FdCliParam opt_tag = {
  .name = "tag",
  .required = TRUE,
  .metavar = "TAG",
  .value = FD_CLI_VALUE_TAG,
  .target = FD_CLI_TO_QUERY,
  .key = "tag",
  .help = N_ ("The tag whose field to read"),
};
static const FdCliParam opt_device = {
  .name = "device",
  .metavar = "DEVICE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_QUERY,
  .key = "device",
  .repeatable = TRUE,
  .help = N_ ("Only readings of this device (repeat for any of several)"),
};
static const FdCliParam opt_fleet = {
  .name = "fleet",
  .metavar = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_QUERY,
  .key = "fleet",
  .repeatable = TRUE,
  .help = N_ ("Only readings sent while the device was in this fleet (repeat for any of "
              "several)"),
};
static const FdCliParam opt_start = {
  .name = "start",
  .metavar = "TIME",
  .value = FD_CLI_VALUE_TIME,
  .target = FD_CLI_TO_QUERY,
  .key = "start",
  .help = N_ ("Only readings with a device time at or after TIME (RFC 3339)"),
};
static const FdCliParam opt_end = {
  .name = "end",
  .metavar = "TIME",
  .value = FD_CLI_VALUE_TIME,
  .target = FD_CLI_TO_QUERY,
  .key = "end",
  .help = N_ ("Only readings with a device time before TIME (RFC 3339)"),
};
static const FdCliParam opt_size = {
  .name = "size",
  .metavar = "N",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_QUERY,
  .key = "size",
  .help = N_ ("Rows to show (default 100, at most 175000)"),
};
static const char *const sorts[] = { "timestamp_device", "-timestamp_device", NULL };
static const FdCliParam opt_sort = {
  .name = "sort",
  .metavar = "ORDER",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "sort",
  .choices = sorts,
  .help = N_ ("Oldest first (timestamp_device) or newest first (-timestamp_device, the "
              "default)"),
};
static const FdCliParam opt_fields = {
  .name = "fields",
  .metavar = "PATHS",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_QUERY,
  .key = "fields",
  .help = N_ ("Show only these fields of each payload (comma-separated paths: temp,gps.lat)"),
};
static const FdCliParam opt_filter = {
  .name = "filter",
  .metavar = "EXPR",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_QUERY,
  .key = "filter",
  .repeatable = TRUE,
  .help = N_ ("Only readings where PATH OP VALUE holds (OP one of > >= < <= = !=; repeat: all "
              "must hold)"),
};
static const FdCliParam opt_field = {
  .name = "field",
  .required = TRUE,
  .metavar = "PATH",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_QUERY,
  .key = "field",
  .help = N_ ("The numeric field (a path: temp, gps.lat)"),
};
static const FdCliParam opt_fn = {
  .name = "fn",
  .required = TRUE,
  .metavar = "FNS",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_QUERY,
  .key = "fn",
  .help = N_ ("What to compute, comma-separated: avg, min, max, sum, count, first, last"),
};
static const FdCliParam opt_bucket = {
  .name = "bucket",
  .metavar = "WIDTH",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_QUERY,
  .key = "bucket",
  .help = N_ ("One result per bucket of this width (1m, 5m, 1h, 1d, 7d …; default none: one "
              "for the whole range, else the range defaults to the last day)"),
};
static const char *const groups[] = { "none", "device", "fleet", NULL };
static const FdCliParam opt_group = {
  .name = "group",
  .metavar = "BY",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "group",
  .choices = groups,
  .help = N_ ("One result per device or per fleet (default none)"),
};
static const FdCliParam opt_points = {
  .name = "points",
  .metavar = "N",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_QUERY,
  .key = "points",
  .help = N_ ("At most this many buckets per device (2 to 10000, default 1000)"),
};

const FdCliParam *const fd_cli_data_query_options[]
    = { &opt_tags, &opt_device, &opt_fleet,  &opt_start,  &opt_end, &fd_cli_opt_from,
        &opt_size, &opt_sort,   &opt_fields, &opt_filter, NULL };
const FdCliParam *const fd_cli_data_aggregate_options[]
    = { &opt_tag,    &opt_field, &opt_fn,    &opt_bucket, &opt_group,
        &opt_device, &opt_fleet, &opt_start, &opt_end,    NULL };
const FdCliParam *const fd_cli_data_series_options[]
    = { &opt_tag, &opt_field, &opt_points, &opt_device, &opt_fleet, &opt_start, &opt_end, NULL };

/* The answer's "result" array, or FD_CLI_ERROR_PROTOCOL. */
static JsonArray *
member_array (JsonNode *root, const char *name, GError **error)
{
  JsonNode *m = JSON_NODE_HOLDS_OBJECT (root)
                    ? json_object_get_member (json_node_get_object (root), name)
                    : NULL;

  if (m == NULL || !JSON_NODE_HOLDS_ARRAY (m))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                   _ ("The server's answer has no \"%s\" list"), name);
      return NULL;
    }
  return json_node_get_array (m);
}

static const FdCliColumn row_columns[] = {
  { NC_ ("table column", "TIMESTAMP_DEVICE"), "timestamp_device", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "DEVICE"), "device_id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "TAG"), "tag", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "PAYLOAD"), "payload", FD_CLI_CELL_JSON },
  { NULL },
};

gboolean
fd_cli_data_query (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint, GError **error)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *table = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  JsonArray *rows;
  JsonObject *obj;

  if (!fd_cli_http_send_command (invocation, endpoint, &body, error))
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (body, error);
  root = fd_cli_output_parse (body, error);
  if (root == NULL || (rows = member_array (root, "result", error)) == NULL)
    return FALSE;
  obj = json_node_get_object (root);
  table = fd_cli_output_table (row_columns, rows);
  g_string_append (out, table);
  if (json_object_get_boolean_member_with_default (obj, "has_more", FALSE))
    g_string_append_printf (out,
                            g_dngettext (NULL, "%u row; more from --from %" G_GINT64_FORMAT "\n",
                                         "%u rows; more from --from %" G_GINT64_FORMAT "\n",
                                         json_array_get_length (rows)),
                            json_array_get_length (rows),
                            json_object_get_int_member_with_default (obj, "from", 0)
                                + json_array_get_length (rows));
  else
    g_string_append_printf (
        out, g_dngettext (NULL, "%u row\n", "%u rows\n", json_array_get_length (rows)),
        json_array_get_length (rows));
  return fd_cli_output_write (out->str, out->len, error);
}

gboolean
fd_cli_data_aggregate (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                       GError **error)
{
  static const FdCliColumn all[] = {
    { NC_ ("table column", "DEVICE"), "device_id", FD_CLI_CELL_TEXT },
    { NC_ ("table column", "FLEET"), "fleet_id", FD_CLI_CELL_TEXT },
    { NC_ ("table column", "BUCKET"), "bucket", FD_CLI_CELL_TEXT },
    { NC_ ("table column", "COUNT"), "count", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "AVG"), "avg", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "MIN"), "min", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "MAX"), "max", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "SUM"), "sum", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "FIRST"), "first", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "LAST"), "last", FD_CLI_CELL_NUMBER },
  };
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *table = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  FdCliColumn columns[G_N_ELEMENTS (all) + 1] = { { 0 } };
  guint n = 0;
  JsonArray *result;

  if (!fd_cli_http_send_command (invocation, endpoint, &body, error))
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (body, error);
  root = fd_cli_output_parse (body, error);
  if (root == NULL || (result = member_array (root, "result", error)) == NULL)
    return FALSE;
  /* the columns the answer has: the group, the bucket and the fns asked for */
  for (guint c = 0; c < G_N_ELEMENTS (all); c++)
    if (json_array_get_length (result) > 0
        && json_object_has_member (json_array_get_object_element (result, 0), all[c].member))
      columns[n++] = all[c];
  table = fd_cli_output_table (columns, result);
  g_string_append (out, table);
  g_string_append_printf (out, _ ("%u results\n"), json_array_get_length (result));
  return fd_cli_output_write (out->str, out->len, error);
}

gboolean
fd_cli_data_series (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                    GError **error)
{
  static const FdCliColumn columns[] = {
    { NC_ ("table column", "TIME"), "time", FD_CLI_CELL_TEXT },
    { NC_ ("table column", "MIN"), "min", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "MAX"), "max", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "AVG"), "avg", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "COUNT"), "count", FD_CLI_CELL_NUMBER },
    { NULL },
  };
  static const char *const names[] = { "min", "max", "avg", "count" };
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  JsonArray *series;

  if (!fd_cli_http_send_command (invocation, endpoint, &body, error))
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (body, error);
  root = fd_cli_output_parse (body, error);
  if (root == NULL || (series = member_array (root, "series", error)) == NULL)
    return FALSE;
  g_string_append_printf (
      out, _ ("Bucket: %" G_GINT64_FORMAT " ms\n"),
      json_object_get_int_member_with_default (json_node_get_object (root), "bucket_ms", 0));
  for (guint i = 0; i < json_array_get_length (series); i++)
    {
      JsonObject *one = json_array_get_object_element (series, i);
      JsonArray *points = json_object_get_array_member (one, "points");
      const char *name = fd_cli_output_get_string (one, "device_name");
      g_autofree char *shown
          = fd_cli_output_printable (name ? name : fd_cli_output_get_string (one, "device_id"));
      g_autoptr (JsonArray) rows = json_array_new ();
      g_autofree char *table = NULL;

      for (guint j = 0; points != NULL && j < json_array_get_length (points); j++)
        {
          JsonArray *p = json_array_get_array_element (points, j);
          JsonObject *row = json_object_new ();
          g_autoptr (GDateTime) t = NULL;
          gint64 ms;

          if (p == NULL || json_array_get_length (p) < 5)
            {
              json_object_unref (row);
              continue;
            }
          ms = json_array_get_int_element (p, 0);
          t = g_date_time_new_from_unix_utc (ms / 1000);
          if (t != NULL)
            {
              g_autofree char *base = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S");
              g_autofree char *text = g_strdup_printf ("%s.%03dZ", base, (int)(ms % 1000));
              json_object_set_string_member (row, "time", text);
            }
          for (guint k = 0; k < G_N_ELEMENTS (names); k++)
            json_object_set_member (row, names[k],
                                    json_node_copy (json_array_get_element (p, k + 1)));
          json_array_add_object_element (rows, row);
        }
      table = fd_cli_output_table (columns, rows);
      g_string_append_printf (out, "\n%s (%s)\n%s", shown,
                              fd_cli_output_get_string (one, "device_id"), table);
    }
  return fd_cli_output_write (out->str, out->len, error);
}
