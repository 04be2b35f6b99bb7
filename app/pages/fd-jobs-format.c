/* fd-jobs-format.c — jobs and executions as the Jobs pane's cells show them. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-json.h"
#include "fd-jobs-format.h"

/* Results longer than this are cut in the list (the tooltip has the same text). */
#define FD_JOBS_RESULT_MAX_CHARS 200

static void
fd_jobs_set_class (const char **css_class, const char *value)
{
  if (css_class != NULL)
    *css_class = value;
}

static guint
fd_jobs_count (JsonObject *job, const char *state)
{
  JsonObject *counts = fd_json_get_member_object (job, "counts");
  guint n = 0;

  fd_json_update_uint (counts, state, &n);
  return n;
}

static guint
fd_jobs_total (JsonObject *job)
{
  guint total = 0;

  fd_json_update_uint (job, "total", &total);
  return total;
}

char *
fd_jobs_format_name (JsonObject *job, const char **css_class)
{
  fd_jobs_set_class (css_class, NULL);
  return g_strdup (fd_json_get_string (job, "name"));
}

char *
fd_jobs_format_targets (JsonObject *job, const char **css_class)
{
  guint total = fd_jobs_total (job);

  fd_jobs_set_class (css_class, NULL);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u device", "%'u devices", total), total);
}

char *
fd_jobs_format_progress (JsonObject *job, const char **css_class)
{
  guint total = fd_jobs_total (job);
  guint succeeded = fd_jobs_count (job, "succeeded");
  guint failed = fd_jobs_count (job, "failed") + fd_jobs_count (job, "timed_out")
                 + fd_jobs_count (job, "rejected");
  /* TRANSLATORS: how many of a job's devices succeeded, "8/10 succeeded" */
  g_autofree char *done = g_strdup_printf (_ ("%'u/%'u succeeded"), succeeded, total);

  fd_jobs_set_class (css_class, failed > 0 ? "error" : NULL);
  if (failed == 0)
    return g_steal_pointer (&done);
  /* TRANSLATORS: "8/10 succeeded · 2 failed" */
  return g_strdup_printf (_ ("%s · %'u failed"), done, failed);
}

double
fd_jobs_format_fraction (JsonObject *job)
{
  guint total = fd_jobs_total (job);

  return total > 0 ? (double)fd_jobs_count (job, "succeeded") / total : 0;
}

char *
fd_jobs_format_state (JsonObject *job, const char **css_class)
{
  const char *state = fd_json_get_string (job, "state");

  if (g_strcmp0 (state, "active") == 0)
    {
      fd_jobs_set_class (css_class, NULL);
      return g_strdup (C_ ("job", "Active"));
    }
  if (g_strcmp0 (state, "done") == 0)
    {
      fd_jobs_set_class (css_class, "success");
      return g_strdup (C_ ("job", "Done"));
    }
  if (g_strcmp0 (state, "canceled") == 0)
    {
      fd_jobs_set_class (css_class, "dim-label");
      return g_strdup (C_ ("job", "Canceled"));
    }
  fd_jobs_set_class (css_class, NULL);
  return g_strdup (state);
}

char *
fd_jobs_format_created (JsonObject *job, const char **css_class)
{
  fd_jobs_set_class (css_class, "dim-label");
  return fd_json_format_time (fd_json_get_string (job, "created_at"));
}

char *
fd_jobs_format_device (JsonObject *execution, const char **css_class)
{
  const char *name = fd_json_get_string (execution, "device_name");

  fd_jobs_set_class (css_class, NULL);
  return g_strdup (name != NULL ? name : fd_json_get_string (execution, "device_id"));
}

const char *
fd_jobs_execution_state_label (const char *state)
{
  static const struct
  {
    const char *state;
    const char *label;
  } labels[] = {
    { "queued", NC_ ("execution", "Queued") },       { "sent", NC_ ("execution", "Sent") },
    { "succeeded", NC_ ("execution", "Succeeded") }, { "failed", NC_ ("execution", "Failed") },
    { "timed_out", NC_ ("execution", "Timed Out") }, { "canceled", NC_ ("execution", "Canceled") },
    { "rejected", NC_ ("execution", "Rejected") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (state, labels[i].state) == 0)
      return g_dpgettext2 (GETTEXT_PACKAGE, "execution", labels[i].label);
  return state;
}

gboolean
fd_jobs_execution_state_final (const char *state)
{
  return state != NULL && g_strcmp0 (state, "queued") != 0 && g_strcmp0 (state, "sent") != 0;
}

char *
fd_jobs_format_execution_state (JsonObject *execution, const char **css_class)
{
  const char *state = fd_json_get_string (execution, "state");

  if (g_strcmp0 (state, "succeeded") == 0)
    fd_jobs_set_class (css_class, "success");
  else if (g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "timed_out") == 0
           || g_strcmp0 (state, "rejected") == 0)
    fd_jobs_set_class (css_class, "error");
  else if (g_strcmp0 (state, "canceled") == 0)
    fd_jobs_set_class (css_class, "dim-label");
  else
    fd_jobs_set_class (css_class, NULL);
  return g_strdup (fd_jobs_execution_state_label (state));
}

char *
fd_jobs_format_attempts (JsonObject *execution, const char **css_class)
{
  guint attempts = 0;

  fd_jobs_set_class (css_class, NULL);
  fd_json_update_uint (execution, "attempts", &attempts);
  return g_strdup_printf ("%u", attempts);
}

char *
fd_jobs_format_result (JsonObject *execution, const char **css_class)
{
  JsonNode *result = json_object_get_member (execution, "result");
  const char *message = fd_json_get_string (execution, "message");
  g_autofree char *text = NULL;

  if (result != NULL && !JSON_NODE_HOLDS_NULL (result))
    {
      fd_jobs_set_class (css_class, NULL);
      text = json_to_string (result, FALSE);
      if (g_utf8_strlen (text, -1) > FD_JOBS_RESULT_MAX_CHARS)
        {
          char *end = g_utf8_offset_to_pointer (text, FD_JOBS_RESULT_MAX_CHARS);

          *end = '\0';
          return g_strconcat (text, "…", NULL);
        }
      return g_steal_pointer (&text);
    }
  fd_jobs_set_class (css_class, "dim-label");
  if (message != NULL && *message != '\0')
    return g_strdup (message);
  return g_strdup ("—");
}

static char *
fd_jobs_format_clock (const char *rfc3339)
{
  g_autoptr (GDateTime) utc = rfc3339 != NULL ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;
  g_autoptr (GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup ("—");
  local = g_date_time_to_local (utc);
  /* TRANSLATORS: when an execution was sent or finished, see g_date_time_format() */
  return g_date_time_format (local, C_ ("time format", "%Y-%m-%d %H:%M:%S"));
}

char *
fd_jobs_format_sent (JsonObject *execution, const char **css_class)
{
  fd_jobs_set_class (css_class, "dim-label");
  return fd_jobs_format_clock (fd_json_get_string (execution, "sent_at"));
}

char *
fd_jobs_format_finished (JsonObject *execution, const char **css_class)
{
  fd_jobs_set_class (css_class, "dim-label");
  return fd_jobs_format_clock (fd_json_get_string (execution, "finished_at"));
}
