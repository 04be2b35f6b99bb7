/* fd-api-export-schedules.c — periodic exports: /workspaces/{id}/export-schedules and
 * /export-schedules/{id}[/runs]. The scheduler (server/export/) is told of every change. */
#include "config.h"
#include "fd-api-export-private.h"
#include "fd-util.h"

#include <string.h>
#include <unistd.h>

static const char *const members[]
    = { "name",   "format", "columns", "tags",   "fleets",  "devices",
        "period", "time",   "weekday", "folder", "enabled", NULL };
static const char *const weekdays[]
    = { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL };

/* The longest folder path accepted. */
#define MAX_FOLDER_BYTES 4096

static void
json_schedule (JsonBuilder *b, gconstpointer record)
{
  const FdExportSchedule *s = record;
  char time[8];

  g_snprintf (time, sizeof time, "%02d:%02d", s->time_of_day / 60, s->time_of_day % 60);
  json_builder_begin_object (b);
  fd_api_json_string (b, "id", s->id);
  fd_api_json_string (b, "workspace_id", s->workspace_id);
  fd_api_json_string (b, "name", s->name);
  fd_api_json_string (b, "format", s->format);
  fd_api_json_selection (b, s->selection);
  fd_api_json_string (b, "period", s->period == FD_EXPORT_PERIOD_WEEKLY ? "weekly" : "daily");
  fd_api_json_string (b, "time", time);
  fd_api_json_string (b, "weekday",
                      s->period == FD_EXPORT_PERIOD_WEEKLY && s->weekday >= 1 && s->weekday <= 7
                          ? weekdays[s->weekday - 1]
                          : NULL);
  fd_api_json_string (b, "folder", s->folder);
  fd_api_json_bool (b, "enabled", s->enabled);
  fd_api_json_time (b, "next_run", s->next_run);
  fd_api_json_time (b, "last_end", s->last_end);
  fd_api_json_time (b, "created_at", s->created_at);
  fd_api_json_time (b, "updated_at", s->updated_at);
  json_builder_end_object (b);
}

static const char *
member_string (JsonObject *obj, const char *member, gboolean *present, gboolean *ok)
{
  JsonNode *node = json_object_get_member (obj, member);

  *present = node != NULL;
  *ok = TRUE;
  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *ok = FALSE;
      return NULL;
    }
  return json_node_get_string (node);
}

/* A name becomes part of file names: no slash, no control character, no leading dot. */
static gboolean
check_name (FdApiRequest *req, const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    if (*p == '/' || *p == '\\' || (guchar)*p < 0x20 || *p == 0x7f)
      {
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "name",
                            "name becomes part of file names: it may not hold / \\ or control "
                            "characters");
        return FALSE;
      }
  if (name[0] == '.')
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "name",
                          "name may not start with a dot");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_folder (FdApiRequest *req, const char *folder)
{
  const char *why = NULL;

  if (strlen (folder) > MAX_FOLDER_BYTES || !g_path_is_absolute (folder))
    why = "folder must be an absolute path";
  else if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    why = "folder does not exist or is not a directory";
  else if (access (folder, W_OK | X_OK) < 0)
    why = "the server cannot write into folder";
  if (why == NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "folder", "%s (%s)", why,
                      folder);
  return FALSE;
}

/* Applies the members of @obj to @s (all required when @create). */
static gboolean
parse_schedule (FdApiRequest *req, JsonObject *obj, gboolean create, FdExportSchedule *s,
                FdApiSelection *sel, gboolean *timing_changed)
{
  gboolean present, ok;
  const char *text;
  g_autofree char *name = NULL;
  JsonNode *enabled;

  *timing_changed = create;
  if (!fd_api_body_name (req, obj, "name", create, FD_API_MAX_NAME, &name))
    return FALSE;
  if (name != NULL)
    {
      if (!check_name (req, name))
        return FALSE;
      g_free (s->name);
      s->name = g_steal_pointer (&name);
    }
  if (!fd_api_selection_parse (req, obj, create, sel))
    return FALSE;

  text = member_string (obj, "period", &present, &ok);
  if ((create && !present) || !ok
      || (text != NULL && !g_str_equal (text, "daily") && !g_str_equal (text, "weekly")))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "period",
                          "period must be daily or weekly");
      return FALSE;
    }
  if (text != NULL)
    {
      s->period = g_str_equal (text, "weekly") ? FD_EXPORT_PERIOD_WEEKLY : FD_EXPORT_PERIOD_DAILY;
      *timing_changed = TRUE;
    }

  text = member_string (obj, "time", &present, &ok);
  if (present)
    {
      guint h = 0, m = 0;
      if (!ok || strlen (text) != 5 || text[2] != ':' || !g_ascii_isdigit (text[0])
          || !g_ascii_isdigit (text[1]) || !g_ascii_isdigit (text[3]) || !g_ascii_isdigit (text[4])
          || (h = (guint)g_ascii_digit_value (text[0]) * 10 + (guint)g_ascii_digit_value (text[1]))
                 > 23
          || (m = (guint)g_ascii_digit_value (text[3]) * 10 + (guint)g_ascii_digit_value (text[4]))
                 > 59)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "time",
                              "time must be HH:MM (00:00 to 23:59), server local time");
          return FALSE;
        }
      s->time_of_day = (int)(h * 60 + m);
      *timing_changed = TRUE;
    }
  else if (create)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "time",
                          "time (HH:MM, server local time) is required");
      return FALSE;
    }

  text = member_string (obj, "weekday", &present, &ok);
  if (present)
    {
      int found = 0;
      for (int i = 0; ok && text != NULL && weekdays[i] != NULL; i++)
        if (g_ascii_strcasecmp (text, weekdays[i]) == 0)
          found = i + 1;
      if (found == 0)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "weekday",
                              "weekday must be monday, tuesday, … or sunday");
          return FALSE;
        }
      s->weekday = found;
      *timing_changed = TRUE;
    }
  if (s->period == FD_EXPORT_PERIOD_WEEKLY && (s->weekday < 1 || s->weekday > 7))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "weekday",
                          "a weekly schedule needs a weekday (monday … sunday)");
      return FALSE;
    }
  if (s->period == FD_EXPORT_PERIOD_DAILY)
    s->weekday = 0;

  text = member_string (obj, "folder", &present, &ok);
  if ((create && !present) || (present && (!ok || text == NULL)))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "folder",
                          "folder (an absolute path of a directory the server can write) is "
                          "required");
      return FALSE;
    }
  if (text != NULL)
    {
      if (!check_folder (req, text))
        return FALSE;
      g_free (s->folder);
      s->folder = g_strdup (text);
    }

  enabled = json_object_get_member (obj, "enabled");
  if (enabled != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (enabled) || json_node_get_value_type (enabled) != G_TYPE_BOOLEAN)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "enabled",
                              "enabled must be true or false");
          return FALSE;
        }
      if (json_node_get_boolean (enabled) && !s->enabled)
        *timing_changed = TRUE;
      s->enabled = json_node_get_boolean (enabled);
    }
  else if (create)
    s->enabled = TRUE;
  return TRUE;
}

typedef struct
{
  FdExportSchedule *schedule;
  JsonNode *body; /* PATCH: applied in the job to the stored schedule */
  FdApiSelection selection;
  const char *bad_member;
  char *bad_message;
  gint64 now; /* PATCH: the exports' clock, for next_run */
} ScheduleData;

static void
schedule_data_free (gpointer data)
{
  ScheduleData *d = data;

  fd_export_schedule_free (d->schedule);
  if (d->body != NULL)
    json_node_unref (d->body);
  fd_api_selection_clear (&d->selection);
  g_free (d->bad_message);
  g_free (d);
}

static gboolean
create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  ScheduleData *d = job->data;

  if (!fd_api_selection_check_new (db, job->id, &d->selection, &d->bad_member, &d->bad_message,
                                   error))
    return FALSE;
  if (d->bad_member != NULL)
    return TRUE;
  return fd_store_export_schedule_insert (db, d->schedule, error)
         && fd_api_audit (db, job, "export_schedule.create", d->schedule->id, error, "name",
                          d->schedule->name, NULL);
}

static void
schedule_reply (FdApiRequest *req, FdApiJob *job)
{
  ScheduleData *d = job->data;
  g_autoptr (JsonNode) node = NULL;

  if (d->bad_member != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", d->bad_member, "%s",
                          d->bad_message);
      return;
    }
  fd_exports_schedules_changed (req->api->context.exports);
  node = fd_api_json_one (d->schedule, json_schedule);
  fd_api_reply_json (req, d->body == NULL ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, node);
}

static void
schedule_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  ScheduleData *d;
  FdExportSchedule *s;
  gboolean timing;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_export_need_exports (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, members))
    return;
  d = g_new0 (ScheduleData, 1);
  s = d->schedule = g_new0 (FdExportSchedule, 1);
  if (!parse_schedule (req, obj, TRUE, s, &d->selection, &timing))
    {
      schedule_data_free (d);
      return;
    }
  s->id = fd_id_new ("exs");
  s->workspace_id = g_strdup (req->path_id);
  s->format = g_strdup (d->selection.format);
  s->selection = fd_api_selection_json (&d->selection);
  s->created_at = s->updated_at = fd_now_ms ();
  {
    g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
    s->next_run = fd_export_next_run (s->period, s->time_of_day, s->weekday,
                                      fd_exports_now (req->api->context.exports), tz);
  }
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = schedule_data_free;
  fd_api_run_write (req, create_job, job, schedule_reply);
}

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_export_schedule_list (db, job->id, job->from, job->size, &job->page, error);
}

static gboolean
runs_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_export_runs (db, job->id, job->from, job->size, &job->page, error);
}

static void
list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, json_schedule);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
schedule_list (FdApiRequest *req)
{
  fd_api_run_page (req, "wks", "workspace", list_job, list_reply);
}

static void
schedule_runs (FdApiRequest *req)
{
  fd_api_run_page (req, "exs", "export schedule", runs_job, fd_api_export_page_reply);
}

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  ScheduleData *d = job->data;

  d->schedule = fd_store_export_schedule_get (db, job->id, error);
  return d->schedule != NULL;
}

static void
schedule_get (FdApiRequest *req)
{
  FdApiJob *job;
  ScheduleData *d;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exs", "export schedule"))
    return;
  job = fd_api_job_new (req);
  d = g_new0 (ScheduleData, 1);
  d->body = json_node_new (JSON_NODE_NULL); /* answered 200, not 201 */
  job->data = d;
  job->data_free = schedule_data_free;
  fd_api_run_read (req, get_job, job, schedule_reply);
}

/* PATCH: the body's shapes are checked first (400s before any store work, the folder on the
 * file system too); the write then applies them to the stored schedule, checks weekday against
 * period and the selection against the store, and moves next_run when the timing changed. */
static int
weekday_number (const char *text)
{
  for (int i = 0; text != NULL && weekdays[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, weekdays[i]) == 0)
      return i + 1;
  return 0;
}

static gboolean
apply_patch (JsonObject *obj, FdExportSchedule *s, gboolean *timing)
{
  const char *text;

  *timing = FALSE;
  if ((text = json_object_get_string_member_with_default (obj, "name", NULL)) != NULL)
    {
      g_free (s->name);
      s->name = g_strstrip (g_strdup (text));
    }
  if ((text = json_object_get_string_member_with_default (obj, "period", NULL)) != NULL)
    {
      s->period = g_str_equal (text, "weekly") ? FD_EXPORT_PERIOD_WEEKLY : FD_EXPORT_PERIOD_DAILY;
      *timing = TRUE;
    }
  if ((text = json_object_get_string_member_with_default (obj, "time", NULL)) != NULL)
    {
      s->time_of_day = g_ascii_digit_value (text[0]) * 600 + g_ascii_digit_value (text[1]) * 60
                       + g_ascii_digit_value (text[3]) * 10 + g_ascii_digit_value (text[4]);
      *timing = TRUE;
    }
  if ((text = json_object_get_string_member_with_default (obj, "weekday", NULL)) != NULL)
    {
      s->weekday = weekday_number (text);
      *timing = TRUE;
    }
  if ((text = json_object_get_string_member_with_default (obj, "folder", NULL)) != NULL)
    {
      g_free (s->folder);
      s->folder = g_strdup (text);
    }
  if (json_object_has_member (obj, "enabled"))
    {
      gboolean enabled = json_object_get_boolean_member (obj, "enabled");
      if (enabled && !s->enabled)
        *timing = TRUE;
      s->enabled = enabled;
    }
  if (s->period == FD_EXPORT_PERIOD_DAILY)
    s->weekday = 0;
  return s->period == FD_EXPORT_PERIOD_DAILY || (s->weekday >= 1 && s->weekday <= 7);
}

static gboolean
patch_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  ScheduleData *d = job->data;
  JsonObject *obj = json_node_get_object (d->body);
  FdExportSchedule *s = fd_store_export_schedule_get (db, job->id, error);
  FdApiSelection stored = { 0 };
  gboolean timing;

  if (s == NULL)
    return FALSE;
  d->schedule = s;
  if (!apply_patch (obj, s, &timing))
    {
      d->bad_member = "weekday";
      d->bad_message = g_strdup ("a weekly schedule needs a weekday (monday … sunday)");
      return TRUE;
    }
  if (timing && s->enabled)
    {
      g_autoptr (GTimeZone) tz = g_time_zone_new_local ();
      s->next_run = fd_export_next_run (s->period, s->time_of_day, s->weekday, d->now, tz);
    }
  s->updated_at = fd_now_ms ();
  fd_api_selection_from_json (s->selection, &stored);
  if (d->selection.format != NULL)
    {
      g_free (s->format);
      s->format = g_strdup (d->selection.format);
    }
  if (d->selection.columns != NULL)
    {
      g_free (stored.columns);
      stored.columns = g_strdup (d->selection.columns);
    }
  if (json_object_has_member (obj, "tags"))
    {
      g_strfreev (stored.tags);
      stored.tags = g_strdupv (d->selection.tags);
    }
  if (json_object_has_member (obj, "fleets"))
    {
      g_strfreev (stored.fleets);
      stored.fleets = g_strdupv (d->selection.fleets);
    }
  if (json_object_has_member (obj, "devices"))
    {
      g_strfreev (stored.devices);
      stored.devices = g_strdupv (d->selection.devices);
    }
  d->bad_member = fd_api_selection_check (db, s->workspace_id, &stored, &d->bad_message, error);
  if (d->bad_member != NULL || (error != NULL && *error != NULL))
    {
      fd_api_selection_clear (&stored);
      return d->bad_member != NULL;
    }
  g_free (s->selection);
  s->selection = fd_api_selection_json (&stored);
  fd_api_selection_clear (&stored);
  return fd_store_export_schedule_update (db, s, error)
         && fd_api_audit (db, job, "export_schedule.update", s->id, error, NULL);
}

static void
schedule_patch (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  ScheduleData *d;
  FdApiJob *job;
  FdExportSchedule probe = { .period = FD_EXPORT_PERIOD_DAILY, .enabled = TRUE };
  gboolean timing, ok;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exs", "export schedule")
      || !fd_api_export_need_exports (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, members))
    return;
  d = g_new0 (ScheduleData, 1);
  /* A probe with a weekday: "weekday" against "period" is checked on the stored schedule. */
  probe.weekday = 1;
  ok = parse_schedule (req, obj, FALSE, &probe, &d->selection, &timing);
  g_free (probe.name);
  g_free (probe.folder);
  if (!ok)
    {
      schedule_data_free (d);
      return;
    }
  d->body = json_node_ref (owner);
  d->now = fd_exports_now (req->api->context.exports);
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = schedule_data_free;
  fd_api_run_write (req, patch_job, job, schedule_reply);
}

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_export_schedule_delete (db, job->id, error)
         && fd_api_audit (db, job, "export_schedule.delete", job->id, error, NULL);
}

static void
delete_reply (FdApiRequest *req, FdApiJob *job)
{
  fd_exports_schedules_changed (req->api->context.exports);
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
schedule_delete (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exs", "export schedule")
      || !fd_api_export_need_exports (req))
    return;
  fd_api_run_write (req, delete_job, fd_api_job_new (req), delete_reply);
}

const FdApiRoute fd_api_export_schedule_routes[] = {
  { "POST", "/workspaces/{id}/export-schedules", schedule_create, FALSE, 0 },
  { "GET", "/workspaces/{id}/export-schedules", schedule_list, FALSE, 0 },
  { "GET", "/export-schedules/{id}", schedule_get, FALSE, 0 },
  { "PATCH", "/export-schedules/{id}", schedule_patch, FALSE, 0 },
  { "DELETE", "/export-schedules/{id}", schedule_delete, FALSE, 0 },
  { "GET", "/export-schedules/{id}/runs", schedule_runs, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
