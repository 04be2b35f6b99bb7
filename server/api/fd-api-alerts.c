/* fd-api-alerts.c — alert rules (/workspaces/{id}/alert-rules, /alert-rules/{id}) and the
 * alerts they raised (/workspaces/{id}/alerts). A rule change kicks the alerts ticker so that
 * it takes effect now, not at the next tick. */
#include "config.h"
#include "fd-api-private.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "store/fd-store-alerts.h"

#include <string.h>

static const char *const members[] = { "name", "tags", "open_longer_than_s", NULL };

static void
json_rule (JsonBuilder *b, gconstpointer record)
{
  const FdAlertRule *r = record;

  json_builder_begin_object (b);
  fd_api_json_string (b, "id", r->id);
  fd_api_json_string (b, "workspace_id", r->workspace_id);
  fd_api_json_string (b, "name", r->name);
  fd_api_json_strv (b, "tags", r->tags);
  fd_api_json_int (b, "open_longer_than_s", r->threshold_ms / 1000);
  fd_api_json_int (b, "active", r->active);
  fd_api_json_time (b, "created_at", r->created_at);
  fd_api_json_time (b, "updated_at", r->updated_at);
  json_builder_end_object (b);
}

static void
json_alert (JsonBuilder *b, gconstpointer record)
{
  fd_alert_build (b, record);
}

/* "tags": a non-empty array of at most FD_ALERT_RULE_MAX_TAGS valid tags (duplicates once). */
static gboolean
body_tags (FdApiRequest *req, JsonObject *obj, gboolean required, char ***out)
{
  JsonNode *node = json_object_get_member (obj, "tags");
  g_autoptr (GPtrArray) values = NULL;
  JsonArray *array;

  *out = NULL;
  if (node == NULL && !required)
    return TRUE;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) == 0
      || json_array_get_length (json_node_get_array (node)) > FD_ALERT_RULE_MAX_TAGS)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "tags",
                          "tags must be an array of 1 to %d tags", FD_ALERT_RULE_MAX_TAGS);
      return FALSE;
    }
  array = json_node_get_array (node);
  values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *why = "must hold strings";
      const char *text = NULL;

      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
        {
          text = json_node_get_string (item);
          why = fd_tag_check (text, strlen (text));
        }
      if (why != NULL)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "tags",
                              "tags %s (item %u)", why, i);
          return FALSE;
        }
      if (!g_ptr_array_find_with_equal_func (values, text, g_str_equal, NULL))
        g_ptr_array_add (values, g_strdup (text));
    }
  g_ptr_array_add (values, NULL);
  *out = (char **)g_ptr_array_steal (values, NULL);
  return TRUE;
}

/* The members of @obj (all required when @create) into @r; on a bad one replies 400. */
static gboolean
parse_rule (FdApiRequest *req, JsonObject *obj, gboolean create, FdAlertRule *r)
{
  g_autofree char *name = NULL;
  char **tags = NULL;
  gint64 seconds = -1;

  if (!fd_api_body_name (req, obj, "name", create, FD_ALERT_RULE_NAME_MAX_CHARS, &name)
      || !body_tags (req, obj, create, &tags))
    return FALSE;
  if (tags != NULL)
    {
      g_strfreev (r->tags);
      r->tags = tags;
    }
  if (name != NULL)
    {
      g_free (r->name);
      r->name = g_steal_pointer (&name);
    }
  if (!fd_api_body_int (req, obj, "open_longer_than_s", FD_ALERT_RULE_THRESHOLD_MIN_S,
                        FD_ALERT_RULE_THRESHOLD_MAX_S, &seconds))
    return FALSE;
  if (seconds < 0 && create)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "open_longer_than_s",
                          "open_longer_than_s (seconds, %d to %d) is required",
                          FD_ALERT_RULE_THRESHOLD_MIN_S, FD_ALERT_RULE_THRESHOLD_MAX_S);
      return FALSE;
    }
  if (seconds >= 0)
    r->threshold_ms = seconds * 1000;
  return TRUE;
}

typedef struct
{
  FdAlertRule *rule;
  FdAlertRule *patch; /* PATCH: the members given (NULL / 0 when absent) */
  gboolean created;
} RuleData;

static void
rule_data_free (gpointer data)
{
  RuleData *d = data;

  fd_alert_rule_free (d->rule);
  fd_alert_rule_free (d->patch);
  g_free (d);
}

static FdApiJob *
rule_job_new (FdApiRequest *req, RuleData **out)
{
  FdApiJob *job = fd_api_job_new (req);

  *out = g_new0 (RuleData, 1);
  job->data = *out;
  job->data_free = rule_data_free;
  return job;
}

static void
kick (FdApiRequest *req)
{
  if (req->api->context.alerts != NULL)
    fd_alerts_kick (req->api->context.alerts);
}

static void
rule_reply (FdApiRequest *req, FdApiJob *job)
{
  RuleData *d = job->data;
  g_autoptr (JsonNode) node = fd_api_json_one (d->rule, json_rule);

  if (d->created || d->patch != NULL)
    kick (req);
  fd_api_reply_json (req, d->created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, node);
}

static gboolean
create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  RuleData *d = job->data;
  g_autofree char *threshold = g_strdup_printf ("%" G_GINT64_FORMAT, d->rule->threshold_ms / 1000);

  return fd_store_alert_rule_create (db, d->rule, fd_now_ms (), error)
         && fd_api_audit (db, job, "alert_rule.create", d->rule->id, error, "name", d->rule->name,
                          "open_longer_than_s", threshold, NULL);
}

static void
rule_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  RuleData *d;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, members))
    return;
  job = rule_job_new (req, &d);
  d->rule = g_new0 (FdAlertRule, 1);
  d->created = TRUE;
  if (!parse_rule (req, obj, TRUE, d->rule))
    {
      fd_api_job_free (job);
      return;
    }
  d->rule->workspace_id = g_strdup (req->path_id);
  fd_api_run_write (req, create_job, job, rule_reply);
}

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_alert_rule_list (db, job->id, job->from, job->size, &job->page, error);
}

static void
list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, json_rule);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
rule_list (FdApiRequest *req)
{
  fd_api_run_page (req, "wks", "workspace", list_job, list_reply);
}

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  RuleData *d = job->data;

  d->rule = fd_store_alert_rule_get (db, job->id, error);
  return d->rule != NULL;
}

static void
rule_get (FdApiRequest *req)
{
  RuleData *d;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "alr", "alert rule"))
    return;
  fd_api_run_read (req, get_job, rule_job_new (req, &d), rule_reply);
}

static gboolean
patch_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  RuleData *d = job->data;
  FdAlertRule *r = d->rule = fd_store_alert_rule_get (db, job->id, error);

  if (r == NULL)
    return FALSE;
  if (d->patch->name != NULL)
    {
      g_free (r->name);
      r->name = g_strdup (d->patch->name);
    }
  if (d->patch->tags != NULL)
    {
      g_strfreev (r->tags);
      r->tags = g_strdupv (d->patch->tags);
    }
  if (d->patch->threshold_ms > 0)
    r->threshold_ms = d->patch->threshold_ms;
  return fd_store_alert_rule_update (db, r, fd_now_ms (), error)
         && fd_api_audit (db, job, "alert_rule.update", r->id, error, "name", r->name, NULL);
}

static void
rule_patch (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  RuleData *d;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "alr", "alert rule"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, members))
    return;
  job = rule_job_new (req, &d);
  d->patch = g_new0 (FdAlertRule, 1);
  if (!parse_rule (req, obj, FALSE, d->patch))
    {
      fd_api_job_free (job);
      return;
    }
  fd_api_run_write (req, patch_job, job, rule_reply);
}

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_alert_rule_delete (db, job->id, error)
         && fd_api_audit (db, job, "alert_rule.delete", job->id, error, NULL);
}

static void
delete_reply (FdApiRequest *req, FdApiJob *job)
{
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
rule_delete (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "alr", "alert rule"))
    return;
  fd_api_run_write (req, delete_job, fd_api_job_new (req), delete_reply);
}

/* GET /workspaces/{id}/alerts?state=active|resolved|any (default active) */
static gboolean
alerts_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_alert_list (db, job->id, (FdAlertState)job->sort, job->from, job->size,
                              &job->page, error);
}

static void
alerts_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, json_alert);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
alert_list (FdApiRequest *req)
{
  static const char *const params[] = { "state", "from", "size", NULL };
  static const char *const states[] = { "any", "active", "resolved", NULL };
  const char *state = "active";
  gint64 from = 0, size = 0;
  FdApiJob *job;
  int which = -1;

  if (!fd_api_check_params (req, params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param (req, "state", &state) || !fd_api_param_paging (req, &from, &size))
    return;
  if (state == NULL)
    state = "active";
  for (int i = 0; states[i] != NULL; i++)
    if (g_str_equal (state, states[i]))
      which = i;
  if (which < 0)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "state",
                          "state must be active, resolved or any");
      return;
    }
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  job->sort = which; /* FdAlertState: any 0, active 1, resolved 2 */
  fd_api_run_read (req, alerts_job, job, alerts_reply);
}

const FdApiRoute fd_api_alert_routes[] = {
  { "POST", "/workspaces/{id}/alert-rules", rule_create, FALSE, 0 },
  { "GET", "/workspaces/{id}/alert-rules", rule_list, FALSE, 0 },
  { "GET", "/workspaces/{id}/alerts", alert_list, FALSE, 0 },
  { "GET", "/alert-rules/{id}", rule_get, FALSE, 0 },
  { "PATCH", "/alert-rules/{id}", rule_patch, FALSE, 0 },
  { "DELETE", "/alert-rules/{id}", rule_delete, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
