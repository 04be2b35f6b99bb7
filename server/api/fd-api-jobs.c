/* fd-api-jobs.c — jobs: POST/GET /workspaces/{id}/jobs, GET /jobs/{id}, POST /jobs/{id}/cancel
 * and a device's executions (GET /devices/{id}/jobs). The work is fd-jobs.h's; this file
 * judges requests and writes the JSON. */
#include "config.h"
#include "fd-api-private.h"
#include "fd-util.h"
#include "jobs/fd-jobs.h"

#include <string.h>

static const char *const create_members[]
    = { "name", "args", "devices", "fleets", "timeout_s", "retries", NULL };
static const char *const list_params[] = { "from", "size", "state", NULL };

/* A body of 10,000 device ids. */
#define MAX_CREATE_BODY (1024 * 1024)
#define MAX_EXECUTIONS_PAGE 10000
#define DEFAULT_EXECUTIONS_PAGE 1000

static void
json_job_members (JsonBuilder *b, const FdJob *job)
{
  fd_api_json_string (b, "id", job->id);
  fd_api_json_string (b, "workspace_id", job->workspace_id);
  fd_api_json_string (b, "name", job->name);
  fd_api_json_raw (b, "args", job->args);
  fd_api_json_int (b, "timeout_s", job->timeout_s);
  fd_api_json_int (b, "retries", job->retries);
  fd_api_json_string (b, "state", job->state);
  fd_api_json_time (b, "created_at", job->created_at);
  fd_api_json_time (b, "updated_at", job->updated_at);
  fd_api_json_time (b, "finished_at", job->finished_at);
  fd_api_json_int (b, "total", job->total);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  for (guint i = 0; i < FD_EXEC_N_STATES; i++)
    fd_api_json_int (b, fd_exec_state_name ((FdExecState)i), job->counts[i]);
  json_builder_end_object (b);
}

static void
json_job (JsonBuilder *b, gconstpointer record)
{
  json_builder_begin_object (b);
  json_job_members (b, record);
  json_builder_end_object (b);
}

static void
json_execution (JsonBuilder *b, gconstpointer record)
{
  const FdJobExecution *e = record;

  json_builder_begin_object (b);
  fd_api_json_string (b, "job_id", e->job_id);
  fd_api_json_string (b, "name", e->name);
  fd_api_json_string (b, "device_id", e->device_id);
  fd_api_json_string (b, "device_name", e->device_name);
  fd_api_json_string (b, "state", fd_exec_state_name (e->state));
  fd_api_json_string (b, "status", FD_EXEC_STATE_IS_OPEN (e->state) ? "pending" : "done");
  fd_api_json_int (b, "attempts", e->attempts);
  fd_api_json_raw (b, "result", e->result);
  fd_api_json_string (b, "message", e->message);
  fd_api_json_time (b, "queued_at", e->queued_at);
  fd_api_json_time (b, "sent_at", e->sent_at);
  fd_api_json_time (b, "finished_at", e->finished_at);
  json_builder_end_object (b);
}

static gboolean
need_jobs (FdApiRequest *req)
{
  if (req->api->context.jobs != NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                      "this server runs no jobs");
  return FALSE;
}

static void
reply_jobs_error (FdApiRequest *req, const GError *error, const char *field)
{
  if (g_error_matches (error, FD_JOBS_ERROR, FD_JOBS_ERROR_INVALID))
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", field, "%s", error->message);
  else if (g_error_matches (error, FD_JOBS_ERROR, FD_JOBS_ERROR_CONFLICT))
    fd_api_reply_error (req, SOUP_STATUS_CONFLICT, "conflict", NULL, "%s", error->message);
  else
    fd_api_reply_gerror (req, error);
}

/* POST /workspaces/{id}/jobs */

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg;
} Call;

/* A list of IDs with @prefix; NULL in *@out when absent. */
static gboolean
body_ids (FdApiRequest *req, JsonObject *obj, const char *member, const char *prefix, char ***out)
{
  int bad;

  if (fd_api_body_ids (obj, member, prefix, FD_JOB_MAX_TARGETS, out, &bad))
    return TRUE;
  if (bad < 0)
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                        "%s must be a list of at most %d IDs", member, FD_JOB_MAX_TARGETS);
  else
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                        "%s[%d] is not a %s ID (%s-…)", member, bad,
                        g_str_equal (prefix, "dev") ? "device" : "fleet", prefix);
  return FALSE;
}

static void
scheduled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdJob) job = fd_jobs_schedule_finish (result, &error);

  if (job == NULL)
    reply_jobs_error (call->req, error, fd_jobs_error_field (result));
  else
    {
      g_autoptr (JsonNode) node = fd_api_json_one (job, json_job);
      g_autofree char *location = g_strdup_printf ("/api/v1/jobs/%s", job->id);

      soup_message_headers_replace (soup_server_message_get_response_headers (call->msg),
                                    "Location", location);
      fd_api_reply_json (call->req, SOUP_STATUS_CREATED, node);
    }
  fd_api_resume (call->msg);
  g_free (call);
}

static void
job_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  FdJobRequest *r;
  JsonObject *obj;
  JsonNode *name, *args;
  const char *why;
  Call *call;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || !need_jobs (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, create_members))
    return;
  name = json_object_get_member (obj, "name");
  if (name == NULL || !JSON_NODE_HOLDS_VALUE (name)
      || json_node_get_value_type (name) != G_TYPE_STRING)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "name",
                          "name is required: the job's name (\"reset\", \"diagnostics\")");
      return;
    }
  if ((why = fd_jobs_check_name (json_node_get_string (name))) != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "name", "%s", why);
      return;
    }
  args = json_object_get_member (obj, "args");
  if (args != NULL && !JSON_NODE_HOLDS_OBJECT (args))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "args",
                          "args must be a JSON object ({\"s\": 10})");
      return;
    }
  r = g_new0 (FdJobRequest, 1);
  r->workspace_id = g_strdup (req->path_id);
  r->name = g_strdup (json_node_get_string (name));
  r->args = args != NULL ? json_to_string (args, FALSE) : g_strdup ("{}");
  if (strlen (r->args) > FD_JOB_ARGS_MAX_BYTES)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "args",
                          "args are %zu bytes of JSON, over the limit of %d", strlen (r->args),
                          FD_JOB_ARGS_MAX_BYTES);
      fd_job_request_free (r);
      return;
    }
  r->timeout_s = FD_JOB_TIMEOUT_DEFAULT_S;
  r->retries = 0;
  r->actor = g_strdup (req->actor);
  if (!fd_api_body_int (req, obj, "timeout_s", 1, FD_JOB_TIMEOUT_MAX_S, &r->timeout_s)
      || !fd_api_body_int (req, obj, "retries", 0, FD_JOB_RETRIES_MAX, &r->retries)
      || !body_ids (req, obj, "devices", "dev", &r->devices)
      || !body_ids (req, obj, "fleets", "flt", &r->fleets))
    {
      fd_job_request_free (r);
      return;
    }
  if ((r->devices == NULL || r->devices[0] == NULL) && (r->fleets == NULL || r->fleets[0] == NULL))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "targets",
                          "a job needs at least one target: devices or fleets");
      fd_job_request_free (r);
      return;
    }
  call = g_new0 (Call, 1);
  call->req = req;
  call->msg = fd_api_pause (req);
  fd_jobs_schedule_async (req->api->context.jobs, r, scheduled, call);
}

/* GET /workspaces/{id}/jobs */

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  g_autoptr (FdWorkspace) ws = fd_store_workspace_get (db, job->id, error);

  return ws != NULL
         && fd_store_job_list (db, job->id, job->action, job->from, job->size, &job->page, error);
}

static void
list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, json_job);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
job_list (FdApiRequest *req)
{
  const char *state;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, list_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size) || !fd_api_param (req, "state", &state))
    return;
  if (state != NULL && !g_str_equal (state, "active") && !g_str_equal (state, "done")
      && !g_str_equal (state, "canceled"))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "state",
                          "state must be active, done or canceled");
      return;
    }
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  job->action = g_strdup (state);
  fd_api_run_read (req, list_job, job, list_reply);
}

/* GET /jobs/{id} */

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  FdJob *record = fd_store_job_get (db, job->id, error);

  if (record == NULL)
    return FALSE;
  job->result = record;
  job->result_free = (GDestroyNotify)fd_job_free;
  return fd_store_job_executions (db, job->id, job->sort, job->from, job->size, &job->page, error);
}

static void
get_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_job_members (b, job->result);
  json_builder_set_member_name (b, "executions");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < job->page.items->len; i++)
    json_execution (b, job->page.items->pdata[i]);
  json_builder_end_array (b);
  fd_api_json_int (b, "total", job->page.total);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
job_get (FdApiRequest *req)
{
  const char *state;
  FdExecState parsed = FD_EXEC_QUEUED;
  gint64 from = 0, size = DEFAULT_EXECUTIONS_PAGE;
  FdApiJob *job;

  if (!fd_api_check_params (req, list_params) || !fd_api_path_id (req, "job", "job")
      || !fd_api_param_int (req, "from", 0, G_MAXINT32, &from)
      || !fd_api_param_int (req, "size", 1, MAX_EXECUTIONS_PAGE, &size)
      || !fd_api_param (req, "state", &state))
    return;
  if (state != NULL && !fd_exec_state_parse (state, &parsed))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "state",
                          "state must be queued, sent, succeeded, failed, timed_out, canceled "
                          "or rejected");
      return;
    }
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  job->sort = state != NULL ? (int)parsed : -1;
  fd_api_run_read (req, get_job, job, get_reply);
}

/* GET /devices/{id}/jobs */

static gboolean
device_jobs_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  g_autoptr (FdDevice) device = fd_store_device_get (db, job->id, error);

  return device != NULL
         && fd_store_device_executions (db, job->id, job->from, job->size, &job->page, error);
}

static void
device_jobs_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, json_execution);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
device_jobs (FdApiRequest *req)
{
  fd_api_run_page (req, "dev", "device", device_jobs_job, device_jobs_reply);
}

/* POST /jobs/{id}/cancel */

static void
canceled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdJob) job = fd_jobs_cancel_finish (result, &error);

  if (job == NULL)
    reply_jobs_error (call->req, error, NULL);
  else
    {
      g_autoptr (JsonNode) node = fd_api_json_one (job, json_job);
      fd_api_reply_json (call->req, SOUP_STATUS_OK, node);
    }
  fd_api_resume (call->msg);
  g_free (call);
}

static void
job_cancel (FdApiRequest *req)
{
  Call *call;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "job", "job") || !need_jobs (req))
    return;
  call = g_new0 (Call, 1);
  call->req = req;
  call->msg = fd_api_pause (req);
  fd_jobs_cancel_async (req->api->context.jobs, req->path_id, req->actor, canceled, call);
}

const FdApiRoute fd_api_job_routes[] = {
  { "POST", "/workspaces/{id}/jobs", job_create, FALSE, MAX_CREATE_BODY },
  { "GET", "/workspaces/{id}/jobs", job_list, FALSE, 0 },
  { "GET", "/jobs/{id}", job_get, FALSE, 0 },
  { "POST", "/jobs/{id}/cancel", job_cancel, FALSE, 0 },
  { "GET", "/devices/{id}/jobs", device_jobs, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
