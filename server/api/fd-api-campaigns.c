/* fd-api-campaigns.c — staged OTA campaigns: /workspaces/{id}/campaigns, /campaigns/{id}, its
 * targets, and pause / resume / abort (docs/rest-api.md "Campaigns"). The engine (fd-ota.h)
 * makes and moves them; reads go straight to the store. */
#include "config.h"
#include "fd-api-private.h"
#include "fd-util.h"
#include "ota/fd-ota.h"

#include <math.h>
#include <string.h>

static const char *const create_members[]
    = { "name",        "firmware_id",       "fleets",
        "devices",     "only_outdated",     "stages",
        "min_wait_s",  "success_threshold", "failure_threshold",
        "failure_min", "device_timeout_s",  NULL };
static const char *const list_params[] = { "from", "size", NULL };
static const char *const target_params[] = { "state", "stage", "search", "from", "size", NULL };

#define MAX_DEVICE_TIMEOUT_S 604800
/* 10,000 device ids listed one by one (27 bytes each, quoted) and the rest of the body. */
#define MAX_CREATE_BODY (512 * 1024)
#define MAX_TARGET_PAGE 10000
#define DEFAULT_TARGET_PAGE 1000

/* JSON */

static void
json_number (JsonBuilder *b, const char *member, double value)
{
  json_builder_set_member_name (b, member);
  if (value == floor (value) && fabs (value) < 1e15)
    json_builder_add_int_value (b, (gint64)value);
  else
    json_builder_add_double_value (b, value);
}

static void
json_counts (JsonBuilder *b, const gint64 *counts)
{
  json_builder_begin_object (b);
  for (int i = 0; i < FD_TARGET_N_STATES; i++)
    fd_api_json_int (b, fd_target_state_name (i), counts[i]);
  json_builder_end_object (b);
}

static const char *
stage_state (const FdCampaign *c, guint i)
{
  gint64 open = 0;

  if ((int)i < c->stage)
    return "done";
  if ((int)i > c->stage)
    return "pending";
  for (int s = 0; s < FD_TARGET_N_STATES; s++)
    if (!fd_target_state_is_final (s))
      open += c->counts[i][s];
  return open == 0 && !g_str_equal (c->state, "running") && !g_str_equal (c->state, "paused")
             ? "done"
             : "running";
}

static void
json_campaign (JsonBuilder *b, gconstpointer record)
{
  const FdCampaign *c = record;
  gint64 totals[FD_TARGET_N_STATES] = { 0 };

  json_builder_begin_object (b);
  fd_api_json_string (b, "id", c->id);
  fd_api_json_string (b, "workspace_id", c->workspace_id);
  fd_api_json_string (b, "name", c->name);
  fd_api_json_string (b, "firmware_id", c->firmware_id);
  fd_api_json_string (b, "firmware_version", c->firmware_version);
  fd_api_json_string (b, "state", c->state);
  fd_api_json_string (b, "reason", c->reason);
  fd_api_json_int (b, "stage", c->stage);
  json_builder_set_member_name (b, "stages");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->n_stages; i++)
    {
      const FdCampaignStage *st = &c->stages[i];

      json_builder_begin_object (b);
      fd_api_json_int (b, st->is_count ? "count" : "percent", st->value);
      fd_api_json_int (b, "devices", st->devices);
      fd_api_json_string (b, "state", stage_state (c, i));
      fd_api_json_time (b, "started_at", st->started_at);
      json_builder_set_member_name (b, "counts");
      json_counts (b, c->counts[i]);
      json_builder_end_object (b);
      for (int s = 0; s < FD_TARGET_N_STATES; s++)
        totals[s] += c->counts[i][s];
    }
  json_builder_end_array (b);
  fd_api_json_int (b, "min_wait_s", c->min_wait_s);
  json_number (b, "success_threshold", c->success_threshold);
  json_number (b, "failure_threshold", c->failure_threshold);
  fd_api_json_int (b, "failure_min", c->failure_min);
  fd_api_json_int (b, "device_timeout_s", c->device_timeout_s);
  fd_api_json_bool (b, "only_outdated", c->only_outdated);
  fd_api_json_int (b, "total", c->total);
  json_builder_set_member_name (b, "counts");
  json_counts (b, totals);
  fd_api_json_time (b, "created_at", c->created_at);
  fd_api_json_time (b, "updated_at", c->updated_at);
  fd_api_json_time (b, "finished_at", c->finished_at);
  json_builder_end_object (b);
}

static void
json_target (JsonBuilder *b, gconstpointer record)
{
  const FdCampaignTarget *t = record;

  json_builder_begin_object (b);
  fd_api_json_string (b, "device_id", t->device_id);
  fd_api_json_string (b, "device_name", t->device_name);
  fd_api_json_int (b, "stage", t->stage);
  fd_api_json_string (b, "state", fd_target_state_name (t->state));
  fd_api_json_int (b, "progress", t->progress);
  fd_api_json_string (b, "message", t->message);
  fd_api_json_int (b, "attempts", t->attempts);
  fd_api_json_string (b, "from_version", t->from_version);
  fd_api_json_time (b, "notified_at", t->notified_at);
  fd_api_json_time (b, "finished_at", t->finished_at);
  fd_api_json_time (b, "updated_at", t->updated_at);
  json_builder_end_object (b);
}

static gboolean
need_ota (FdApiRequest *req)
{
  if (req->api->context.ota != NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                      "this server runs no OTA campaigns");
  return FALSE;
}

/* The body of POST /workspaces/{id}/campaigns */

static gboolean
bad_field (FdApiRequest *req, const char *field, const char *message)
{
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", field, "%s", message);
  return FALSE;
}

/* A number member in [@min, @max] (integer when @integer); untouched when absent. */
static gboolean
body_number (FdApiRequest *req, JsonObject *obj, const char *member, double min, double max,
             gboolean integer, double *out)
{
  JsonNode *node = json_object_get_member (obj, member);
  GType type;
  double v;

  if (node == NULL)
    return TRUE;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type != G_TYPE_INT64 && (integer || type != G_TYPE_DOUBLE))
    v = NAN;
  else
    v = json_node_get_double (node);
  if (isnan (v) || v < min || v > max)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "%s must be %s from %.0f to %.0f", member,
                          integer ? "an integer" : "a number", min, max);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

/* An array of ids with @prefix (at most FD_CAMPAIGN_MAX_TARGETS), NULL when absent. */
static gboolean
body_ids (FdApiRequest *req, JsonObject *obj, const char *member, const char *prefix, char ***out)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr (GPtrArray) ids = NULL;
  JsonArray *array;
  g_autofree char *message = NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  message = g_strdup_printf ("%s must be an array of at most %d %s- ids", member,
                             FD_CAMPAIGN_MAX_TARGETS, prefix);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_field (req, member, message);
  array = json_node_get_array (node);
  if (json_array_get_length (array) > FD_CAMPAIGN_MAX_TARGETS)
    return bad_field (req, member, message);
  ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      const char *id = JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING
                           ? json_node_get_string (e)
                           : NULL;
      if (id == NULL || !fd_id_is_valid (id, prefix))
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                              "%s: element %u is not a %s- id", member, i, prefix);
          return FALSE;
        }
      g_ptr_array_add (ids, g_strdup (id));
    }
  g_ptr_array_add (ids, NULL);
  *out = (char **)g_ptr_array_free (g_steal_pointer (&ids), FALSE);
  return TRUE;
}

static gboolean
body_stages (FdApiRequest *req, JsonObject *obj, FdOtaSpec *spec)
{
  static const char *message
      = "stages must be 1 to 10 objects {\"percent\": 0..100} or {\"count\": N}, cumulative, "
        "the last {\"percent\": 100}";
  JsonNode *node = json_object_get_member (obj, "stages");
  JsonArray *array;
  guint n;

  if (node == NULL)
    {
      spec->n_stages = 1;
      spec->stages[0] = (FdCampaignStage){ .is_count = FALSE, .value = 100 };
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return bad_field (req, "stages", message);
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n < 1 || n > FD_CAMPAIGN_MAX_STAGES)
    return bad_field (req, "stages", message);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      JsonObject *so = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
      JsonNode *v;
      gboolean is_count;

      if (so == NULL || json_object_get_size (so) != 1)
        return bad_field (req, "stages", message);
      is_count = json_object_has_member (so, "count");
      v = json_object_get_member (so, is_count ? "count" : "percent");
      if (v == NULL || !JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_INT64
          || json_node_get_int (v) < 0
          || json_node_get_int (v) > (is_count ? FD_CAMPAIGN_MAX_TARGETS : 100))
        return bad_field (req, "stages", message);
      spec->stages[i] = (FdCampaignStage){ .is_count = is_count, .value = json_node_get_int (v) };
      /* Two stages of one kind compare as given; counts against percents once resolved. */
      for (guint k = 0; k < i; k++)
        if (spec->stages[k].is_count == is_count && spec->stages[k].value > spec->stages[i].value)
          return bad_field (req, "stages", message);
    }
  if (spec->stages[n - 1].is_count || spec->stages[n - 1].value != 100)
    return bad_field (req, "stages", message);
  spec->n_stages = n;
  return TRUE;
}

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg;
  gboolean created;
} CampaignCall;

static gboolean
audit_create (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_api_audit (db, job, "campaign.create", job->id, error, "name", job->name,
                       "workspace_id", job->fleet_id, "firmware_id", job->description, NULL);
}

static void
reply_campaign (FdApiRequest *req, FdCampaign *c, gboolean created)
{
  g_autoptr (JsonNode) node = fd_api_json_one (c, json_campaign);

  if (created)
    {
      g_autofree char *location = g_strdup_printf ("/api/v1/campaigns/%s", c->id);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location",
                                    location);
    }
  fd_api_reply_json (req, created ? SOUP_STATUS_CREATED : SOUP_STATUS_OK, node);
}

static void
reply_ota_error (FdApiRequest *req, const GError *error, const char *field)
{
  if (g_error_matches (error, FD_OTA_ERROR, FD_OTA_ERROR_INVALID))
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", field, "%s", error->message);
  else if (g_error_matches (error, FD_OTA_ERROR, FD_OTA_ERROR_CONFLICT))
    fd_api_reply_error (req, SOUP_STATUS_CONFLICT, "conflict", NULL, "%s", error->message);
  else
    fd_api_reply_gerror (req, error);
}

static void
created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CampaignCall *call = user_data;
  g_autoptr (GError) error = NULL;
  const char *field = NULL;
  g_autoptr (FdCampaign) c = fd_ota_create_finish (result, &field, &error);

  if (c == NULL)
    reply_ota_error (call->req, error, field);
  else
    reply_campaign (call->req, c, TRUE);
  fd_api_resume (call->msg);
  g_free (call);
}

static void
campaign_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  g_autoptr (FdOtaSpec) spec = g_new0 (FdOtaSpec, 1);
  double min_wait = 0, success = 90, failure = 20, failure_min = 10, timeout = 3600;
  JsonObject *obj;
  JsonNode *only;
  CampaignCall *call;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || !need_ota (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, create_members)
      || !fd_api_body_name (req, obj, "name", FALSE, FD_API_MAX_NAME, &spec->name)
      || !fd_api_body_id (req, obj, "firmware_id", "fw", TRUE, &spec->firmware_id)
      || !body_ids (req, obj, "fleets", "flt", &spec->fleets)
      || !body_ids (req, obj, "devices", "dev", &spec->devices) || !body_stages (req, obj, spec)
      || !body_number (req, obj, "min_wait_s", 0, MAX_DEVICE_TIMEOUT_S, TRUE, &min_wait)
      || !body_number (req, obj, "success_threshold", 0, 100, FALSE, &success)
      || !body_number (req, obj, "failure_threshold", 0, 100, FALSE, &failure)
      || !body_number (req, obj, "failure_min", 1, FD_CAMPAIGN_MAX_TARGETS, TRUE, &failure_min)
      || !body_number (req, obj, "device_timeout_s", 10, MAX_DEVICE_TIMEOUT_S, TRUE, &timeout))
    return;
  only = json_object_get_member (obj, "only_outdated");
  spec->only_outdated = TRUE;
  if (only != NULL)
    {
      if (!JSON_NODE_HOLDS_VALUE (only) || json_node_get_value_type (only) != G_TYPE_BOOLEAN)
        {
          bad_field (req, "only_outdated", "only_outdated must be true or false");
          return;
        }
      spec->only_outdated = json_node_get_boolean (only);
    }
  if ((spec->fleets == NULL || spec->fleets[0] == NULL)
      && (spec->devices == NULL || spec->devices[0] == NULL))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "targets",
                          "a campaign needs targets: give devices or fleets");
      return;
    }
  spec->id = fd_id_new ("cmp");
  spec->workspace_id = g_strdup (req->path_id);
  spec->actor = g_strdup (req->actor);
  spec->min_wait_s = (gint64)min_wait;
  spec->success_threshold = success;
  spec->failure_threshold = failure;
  spec->failure_min = (gint64)failure_min;
  spec->device_timeout_s = (gint64)timeout;

  job = fd_api_job_new (req);
  g_free (job->id);
  job->id = g_strdup (spec->id);
  job->name = g_strdup (spec->name);
  job->fleet_id = g_strdup (spec->workspace_id);
  job->description = g_strdup (spec->firmware_id);
  call = g_new0 (CampaignCall, 1);
  call->req = req;
  call->msg = fd_api_pause (req);
  fd_ota_create_async (req->api->context.ota, g_steal_pointer (&spec), audit_create, job,
                       (GDestroyNotify)fd_api_job_free, created, call);
}

/* POST /campaigns/{id}/pause|resume|abort */

static const char *const control_actions[]
    = { "campaign.pause", "campaign.resume", "campaign.abort" };

static gboolean
audit_control (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_api_audit (db, job, job->action, job->id, error, NULL);
}

static void
controlled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CampaignCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdCampaign) c = fd_ota_control_finish (result, &error);

  if (c == NULL)
    reply_ota_error (call->req, error, NULL);
  else
    reply_campaign (call->req, c, FALSE);
  fd_api_resume (call->msg);
  g_free (call);
}

static void
control (FdApiRequest *req, FdOtaAction action)
{
  CampaignCall *call;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "cmp", "campaign")
      || !need_ota (req))
    return;
  job = fd_api_job_new (req);
  job->action = g_strdup (control_actions[action]);
  call = g_new0 (CampaignCall, 1);
  call->req = req;
  call->msg = fd_api_pause (req);
  fd_ota_control_async (req->api->context.ota, req->path_id, action, audit_control, job,
                        (GDestroyNotify)fd_api_job_free, controlled, call);
}

static void
campaign_pause (FdApiRequest *req)
{
  control (req, FD_OTA_PAUSE);
}

static void
campaign_resume (FdApiRequest *req)
{
  control (req, FD_OTA_RESUME);
}

static void
campaign_abort (FdApiRequest *req)
{
  control (req, FD_OTA_ABORT);
}

/* Reads */

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_campaign_get (db, job->id, error);
  job->result_free = (GDestroyNotify)fd_campaign_free;
  return job->result != NULL;
}

static void
get_reply (FdApiRequest *req, FdApiJob *job)
{
  reply_campaign (req, job->result, FALSE);
}

static void
campaign_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "cmp", "campaign"))
    return;
  fd_api_run_read (req, get_job, fd_api_job_new (req), get_reply);
}

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_campaign_list (db, job->id, job->from, job->size, &job->page, error);
}

static void
list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, json_campaign);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
campaign_list (FdApiRequest *req)
{
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, list_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size))
    return;
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  fd_api_run_read (req, list_job, job, list_reply);
}

typedef struct
{
  int state;
  int stage;
} TargetFilter;

static gboolean
targets_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  TargetFilter *f = job->data;

  return fd_store_campaign_target_list (db, job->id, f->state, f->stage, job->search, job->from,
                                        job->size, &job->page, error);
}

static void
targets_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, json_target);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
campaign_targets (FdApiRequest *req)
{
  gint64 from = 0, size = DEFAULT_TARGET_PAGE, stage = -1;
  g_autofree char *search = NULL;
  const char *state;
  TargetFilter *f;
  FdApiJob *job;

  if (!fd_api_check_params (req, target_params) || !fd_api_path_id (req, "cmp", "campaign")
      || !fd_api_param_int (req, "from", 0, G_MAXINT32, &from)
      || !fd_api_param_int (req, "size", 1, MAX_TARGET_PAGE, &size)
      || !fd_api_param_int (req, "stage", 0, FD_CAMPAIGN_MAX_STAGES - 1, &stage)
      || !fd_api_param_search (req, &search) || !fd_api_param (req, "state", &state))
    return;
  if (state != NULL && fd_target_state_from_name (state) < 0)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "state",
                          "state must be one of queued, notified, downloading, downloaded, "
                          "verified, installing, testing, succeeded, failed, reverted, "
                          "timed_out, skipped");
      return;
    }
  f = g_new0 (TargetFilter, 1);
  f->state = state ? fd_target_state_from_name (state) : -1;
  f->stage = (int)stage;
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  job->search = g_steal_pointer (&search);
  job->data = f;
  job->data_free = g_free;
  fd_api_run_read (req, targets_job, job, targets_reply);
}

const FdApiRoute fd_api_campaign_routes[] = {
  { "POST", "/workspaces/{id}/campaigns", campaign_create, FALSE, MAX_CREATE_BODY },
  { "GET", "/workspaces/{id}/campaigns", campaign_list, FALSE, 0 },
  { "GET", "/campaigns/{id}", campaign_get, FALSE, 0 },
  { "GET", "/campaigns/{id}/targets", campaign_targets, FALSE, 0 },
  { "POST", "/campaigns/{id}/pause", campaign_pause, FALSE, 0 },
  { "POST", "/campaigns/{id}/resume", campaign_resume, FALSE, 0 },
  { "POST", "/campaigns/{id}/abort", campaign_abort, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
