/* fd-cli-export.c — exports from the command line: "data export" (start one, wait with its
 * progress on stderr, download it), the "export" noun (list, get, cancel, download, delete)
 * and periodic exports (schedule, schedules, unschedule, runs); docs/rest-api.md "Exports".
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* Exports are files of any size: the download is streamed, with a long timeout. */
#define EXPORT_TIMEOUT_SECONDS 3600
#define POLL_INTERVAL_US (200 * 1000)

static const char *const formats[] = { "csv", "json", "ndjson", NULL };
static const char *const columns[] = { "payload", "fields", NULL };
static const char *const periods[] = { "daily", "weekly", NULL };
static const char *const weekdays[]
    = { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL };

static const FdCliParam opt_format = {
  .name = "format",
  .metavar = "FORMAT",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_NOTHING,
  .choices = formats,
  .help = N_ ("csv (default), json (one array) or ndjson (one object a line)"),
};
static const FdCliParam opt_columns = {
  .name = "columns",
  .metavar = "COLUMNS",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_NOTHING,
  .choices = columns,
  .help = N_ ("payload (default: the payload as JSON) or fields (a column per field)"),
};
static const FdCliParam opt_tag = {
  .name = "tag",
  .metavar = "TAG",
  .value = FD_CLI_VALUE_TAG,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Only data of this tag (repeat for any of several)"),
};
static const FdCliParam opt_device = {
  .name = "device",
  .metavar = "DEVICE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Only data of this device (repeat for any of several)"),
};
static const FdCliParam opt_fleet = {
  .name = "fleet",
  .metavar = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Only data of devices in this fleet (repeat for any of several)"),
};
static const FdCliParam opt_start = {
  .name = "start",
  .metavar = "TIME",
  .value = FD_CLI_VALUE_TIME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Only data with a device time at or after TIME (RFC 3339)"),
};
static const FdCliParam opt_end = {
  .name = "end",
  .metavar = "TIME",
  .value = FD_CLI_VALUE_TIME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Only data with a device time before TIME (RFC 3339)"),
};
static const FdCliParam opt_output = {
  .name = "output",
  .short_name = 'o',
  .metavar = "FILE",
  .value = FD_CLI_VALUE_FILE,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Where to write the exported file (required unless --no-wait)"),
};
static const FdCliParam opt_no_wait = {
  .name = "no-wait",
  .value = FD_CLI_VALUE_FLAG,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Print the export's ID and return at once (download it later)"),
};
static const FdCliParam arg_export_id = {
  .name = "EXPORT_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The export (exp-…)"),
};
static const FdCliParam arg_schedule_id = {
  .name = "SCHEDULE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The export schedule (exs-…)"),
};
static const FdCliParam arg_file = {
  .name = "FILE",
  .value = FD_CLI_VALUE_FILE,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Where to write the exported file"),
};
static const FdCliParam opt_schedule_name = {
  .name = "name",
  .required = TRUE,
  .metavar = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The schedule's name, which starts its files' names"),
};
static const FdCliParam opt_period = {
  .name = "period",
  .required = TRUE,
  .metavar = "PERIOD",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_NOTHING,
  .choices = periods,
  .help = N_ ("daily or weekly"),
};
static const FdCliParam opt_time = {
  .name = "time",
  .required = TRUE,
  .metavar = "HH:MM",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("When it runs, in the server's local time"),
};
static const FdCliParam opt_weekday = {
  .name = "weekday",
  .metavar = "DAY",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_NOTHING,
  .choices = weekdays,
  .help = N_ ("The day of a weekly schedule"),
};
static const FdCliParam opt_folder = {
  .name = "folder",
  .required = TRUE,
  .metavar = "DIR",
  .value = FD_CLI_VALUE_DIR,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("An absolute directory on the server that the server can write into"),
};

/* A time option as the body's member: epoch milliseconds as a number, RFC 3339 as text. */
static void
add_time (JsonBuilder *b, const FdCliInvocation *invocation, const char *option)
{
  const char *value = fd_cli_invocation_get (invocation, option);
  guint64 ms;

  if (value == NULL)
    return;
  json_builder_set_member_name (b, option);
  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &ms, NULL))
    json_builder_add_int_value (b, (gint64)ms);
  else
    json_builder_add_string_value (b, value);
}

/* With --field, the export is of the aggregate (its fn, bucket and group) instead of the raw
 * rows. */
static const FdCliParam opt_agg_field = {
  .name = "field",
  .metavar = "PATH",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Export the aggregate of this numeric field (with --fn, --bucket, --group) "
              "instead of the raw readings; needs one --tag"),
};
static const FdCliParam opt_agg_fn = {
  .name = "fn",
  .metavar = "FNS",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("With --field: what to compute, comma-separated (default avg)"),
};
static const FdCliParam opt_agg_bucket = {
  .name = "bucket",
  .metavar = "WIDTH",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("With --field: one row per bucket of this width (1m, 1h, 1d …; default none)"),
};
static const char *const agg_groups[] = { "none", "device", "fleet", NULL };
static const FdCliParam opt_agg_group = {
  .name = "group",
  .metavar = "BY",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_NOTHING,
  .choices = agg_groups,
  .help = N_ ("With --field: one row per device or per fleet (default none)"),
};

static void
add_aggregate (JsonBuilder *b, const FdCliInvocation *invocation)
{
  const char *fn = fd_cli_invocation_get (invocation, "fn");

  if (fd_cli_invocation_get (invocation, "field") == NULL)
    return;
  json_builder_set_member_name (b, "aggregate");
  json_builder_begin_object (b);
  fd_cli_add_string (b, invocation, "field", "field");
  json_builder_set_member_name (b, "fn");
  json_builder_add_string_value (b, fn != NULL ? fn : "avg");
  fd_cli_add_string (b, invocation, "bucket", "bucket");
  fd_cli_add_string (b, invocation, "group", "group");
  json_builder_end_object (b);
}

static void
add_selection (JsonBuilder *b, const FdCliInvocation *invocation)
{
  fd_cli_add_string (b, invocation, "format", "format");
  fd_cli_add_string (b, invocation, "columns", "columns");
  fd_cli_add_ids_given (b, invocation, "tag", "tags");
  fd_cli_add_ids_given (b, invocation, "device", "devices");
  fd_cli_add_ids_given (b, invocation, "fleet", "fleets");
}

/* GET /exports/ID/file streamed into @file: written beside it and renamed into place when
 * complete (g_file_replace), so a broken download leaves @file as it was. */
static gboolean
download (const FdCliEndpoint *endpoint, const char *id, const char *file, GError **error)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/exports/%s/file", escaped);
  g_autoptr (GFile) target = g_file_new_for_path (file);
  g_autoptr (GCancellable) abandon = g_cancellable_new ();
  g_autoptr (GFileOutputStream) out = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) local = NULL;
  FdCliRequest request = {
    .method = "GET",
    .path_and_query = path,
    .timeout_seconds = EXPORT_TIMEOUT_SECONDS,
  };

  gboolean existed = g_file_query_exists (target, NULL);

  out = g_file_replace (target, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &local);
  if (out == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, "%s", local->message);
      return FALSE;
    }
  request.sink = G_OUTPUT_STREAM (out);
  if (!fd_cli_http_send (endpoint, &request, &body, NULL, error))
    {
      g_cancellable_cancel (abandon);
      g_output_stream_close (G_OUTPUT_STREAM (out), abandon, NULL);
      /* A new file is written in place (only an existing one through a temporary twin). */
      if (!existed)
        g_file_delete (target, NULL, NULL);
      return FALSE;
    }
  if (!g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &local))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_cli_export_check_output (const FdCliInvocation *invocation, GError **error)
{
  if (fd_cli_invocation_has (invocation, "no-wait") || fd_cli_invocation_get (invocation, "output"))
    return TRUE;
  g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("give --output FILE (or --no-wait to only start the export)"));
  return FALSE;
}

gboolean
fd_cli_export_start (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                     GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GBytes) raw = NULL;
  g_autofree char *id = NULL, *get_path = NULL;
  const char *output = fd_cli_invocation_get (invocation, "output");
  gboolean tty = isatty (STDERR_FILENO);

  json_builder_begin_object (b);
  add_selection (b, invocation);
  add_time (b, invocation, "start");
  add_time (b, invocation, "end");
  add_aggregate (b, invocation);
  json_builder_end_object (b);
  if (!fd_cli_send_json (endpoint, "POST", path, b, &answer, &raw, error))
    return FALSE;
  id = g_strdup (
      json_object_get_string_member_with_default (json_node_get_object (answer), "id", ""));
  if (fd_cli_invocation_has (invocation, "no-wait"))
    {
      if (fd_cli_invocation_has (invocation, "json"))
        return fd_cli_output_json (raw, error);
      g_autofree char *line = g_strconcat (id, "\n", NULL);
      return fd_cli_output_write (line, strlen (line), error);
    }

  get_path = g_strdup_printf ("/exports/%s", id);
  for (;;)
    {
      g_autoptr (JsonNode) node = fd_cli_get_json (endpoint, get_path, NULL, error);
      JsonObject *e;
      const char *state;

      if (node == NULL)
        return FALSE;
      e = json_node_get_object (node);
      state = json_object_get_string_member_with_default (e, "state", "");
      if (g_str_equal (state, "done"))
        break;
      if (!g_str_equal (state, "queued") && !g_str_equal (state, "running"))
        {
          const char *why = json_object_get_string_member_with_default (e, "error", NULL);
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_API, _ ("export %s %s%s%s"), id, state,
                       why ? ": " : "", why ? why : "");
          return FALSE;
        }
      g_printerr (_ ("%sExporting %s: %3.0f%% (%" G_GINT64_FORMAT " rows)%s"), tty ? "\r" : "", id,
                  100.0 * json_object_get_double_member_with_default (e, "progress", 0),
                  json_object_get_int_member_with_default (e, "rows", 0), tty ? "" : "\n");
      g_usleep (POLL_INTERVAL_US);
    }
  if (tty)
    g_printerr ("\n");
  if (!download (endpoint, id, output, error))
    return FALSE;
  {
    g_autoptr (JsonNode) done = fd_cli_get_json (endpoint, get_path, NULL, error);
    g_autofree char *display = g_filename_display_name (output);
    if (done == NULL)
      return FALSE;
    if (fd_cli_invocation_has (invocation, "json"))
      {
        g_autofree char *text = json_to_string (done, FALSE);
        g_autofree char *line = g_strconcat (text, "\n", NULL);
        return fd_cli_output_write (line, strlen (line), error);
      }
    g_autofree char *line = g_strdup_printf (
        _ ("Exported %" G_GINT64_FORMAT " rows to %s (%s)\n"),
        json_object_get_int_member_with_default (json_node_get_object (done), "rows", 0), display,
        id);
    return fd_cli_output_write (line, strlen (line), error);
  }
}

gboolean
fd_cli_export_download (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                        GError **error)
{
  const char *id = g_ptr_array_index (invocation->args, 0);
  const char *file = g_ptr_array_index (invocation->args, 1);
  g_autofree char *display = g_filename_display_name (file);
  g_autofree char *line = NULL;

  if (!download (endpoint, id, file, error))
    return FALSE;
  line = g_strdup_printf (_ ("Downloaded %s to %s\n"), id, display);
  return fd_cli_output_write (line, strlen (line), error);
}

gboolean
fd_cli_export_schedule (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                        GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GBytes) raw = NULL;

  json_builder_begin_object (b);
  fd_cli_add_string (b, invocation, "name", "name");
  add_selection (b, invocation);
  fd_cli_add_string (b, invocation, "period", "period");
  fd_cli_add_string (b, invocation, "time", "time");
  fd_cli_add_string (b, invocation, "weekday", "weekday");
  fd_cli_add_string (b, invocation, "folder", "folder");
  json_builder_end_object (b);
  if (!fd_cli_send_json (endpoint, "POST", path, b, &answer, &raw, error))
    return FALSE;
  return fd_cli_output_show (invocation, raw, error);
}

static const FdCliColumn export_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "FORMAT"), "format", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "ROWS"), "rows", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "BYTES"), "bytes", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "FILE"), "file_name", FD_CLI_CELL_TEXT },
  { NULL },
};

static const FdCliColumn schedule_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "PERIOD"), "period", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "TIME"), "time", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NEXT RUN"), "next_run", FD_CLI_CELL_TIME },
  { NC_ ("table column", "FOLDER"), "folder", FD_CLI_CELL_TEXT },
  { NULL },
};

static gboolean
check_weekday (const FdCliInvocation *invocation, GError **error)
{
  const char *period = fd_cli_invocation_get (invocation, "period");

  if (g_strcmp0 (period, "weekly") == 0 && !fd_cli_invocation_has (invocation, "weekday"))
    {
      g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                           _ ("a weekly schedule needs --weekday"));
      return FALSE;
    }
  return TRUE;
}

const FdCliParam *const fd_cli_data_export_options[]
    = { &opt_format, &opt_columns,    &opt_tag,       &opt_device,  &opt_fleet,
        &opt_start,  &opt_end,        &opt_output,    &opt_no_wait, &opt_agg_field,
        &opt_agg_fn, &opt_agg_bucket, &opt_agg_group, NULL };

const FdCliCommand fd_cli_export_commands[] = {
  {
      .verb = "list",
      .summary = N_ ("List a workspace's exports, newest first"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/exports",
      .show = FD_CLI_SHOW_LIST,
      .columns = export_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show an export: its state, progress and file"),
      .args = (const FdCliParam *const[]){ &arg_export_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/exports/{}",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "cancel",
      .summary = N_ ("Cancel a queued or running export"),
      .args = (const FdCliParam *const[]){ &arg_export_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "POST",
      .path = "/exports/{}/cancel",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "download",
      .summary = N_ ("Download a finished export's file"),
      .args = (const FdCliParam *const[]){ &arg_export_id, &arg_file, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/exports/{}/file",
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_export_download,
  },
  {
      .verb = "delete",
      .summary = N_ ("Delete an export and its file"),
      .args = (const FdCliParam *const[]){ &arg_export_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/exports/{}",
      .show = FD_CLI_SHOW_DELETED,
  },
  {
      .verb = "schedule",
      .summary = N_ ("Export a workspace's data every day or week into a folder of the server"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &opt_schedule_name, &opt_period, &opt_time,
                                              &opt_weekday, &opt_folder, &opt_format, &opt_columns,
                                              &opt_tag, &opt_device, &opt_fleet, NULL },
      .method = "POST",
      .path = "/workspaces/{}/export-schedules",
      .show = FD_CLI_SHOW_OBJECT,
      .check = check_weekday,
      .remote = fd_cli_export_schedule,
  },
  {
      .verb = "schedules",
      .summary = N_ ("List a workspace's export schedules"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/export-schedules",
      .show = FD_CLI_SHOW_LIST,
      .columns = schedule_columns,
      .kind = FD_CLI_KIND_EXPORT_SCHEDULE,
  },
  {
      .verb = "unschedule",
      .summary = N_ ("Delete an export schedule (its files and runs stay)"),
      .args = (const FdCliParam *const[]){ &arg_schedule_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/export-schedules/{}",
      .show = FD_CLI_SHOW_DELETED,
      .kind = FD_CLI_KIND_EXPORT_SCHEDULE,
  },
  {
      .verb = "runs",
      .summary = N_ ("List the runs of an export schedule, newest first, with their errors"),
      .args = (const FdCliParam *const[]){ &arg_schedule_id, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/export-schedules/{}/runs",
      .show = FD_CLI_SHOW_LIST,
      .columns = export_columns,
  },
  { NULL },
};
