/* fd-api-conditions.c — what devices report and take besides data: the conditions of a
 * workspace (/workspaces/{id}/conditions), and a device's down channel: messages sent to it
 * (/devices/{id}/messages) and its expected and current maps (/devices/{id}/status). */
#include "config.h"
#include "fd-api-private.h"
#include "conditions/fd-conditions.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"

#include <math.h>
#include <string.h>

static const char *const list_params[]
    = { "status", "tag", "device", "fleet", "threshold", "start", "end", "from", "size", NULL };
static const char *const message_members[] = { "key", "value", NULL };

/* A threshold beyond this (about 100 years) is a typo, not a question. */
#define MAX_THRESHOLD_S (100.0 * 365 * 24 * 3600)

/* GET /workspaces/{id}/conditions */

typedef struct
{
  FdConditionFilter filter;
  char **tags;
  char **devices;
  char **fleets;
} ListData;

static void
list_data_free (gpointer data)
{
  ListData *d = data;

  g_strfreev (d->tags);
  g_strfreev (d->devices);
  g_strfreev (d->fleets);
  g_free (d);
}

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  ListData *d = job->data;

  return fd_store_condition_list (db, job->id, &d->filter, job->from, job->size, &job->page, error);
}

static void
list_reply (FdApiRequest *req, FdApiJob *job)
{
  ListData *d = job->data;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < job->page.items->len; i++)
    {
      const FdConditionItem *item = g_ptr_array_index (job->page.items, i);
      fd_condition_build_json (b, &item->condition, item->device_name, d->filter.now);
    }
  json_builder_end_array (b);
  fd_api_json_int (b, "total", job->page.total);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

/* An RFC 3339 time or integer epoch ms; untouched when absent. */
static gboolean
param_time (FdApiRequest *req, const char *key, gint64 *ms)
{
  const char *text;
  guint64 n;

  if (!fd_api_param (req, key, &text))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (fd_time_parse_rfc3339 (text, strlen (text), ms))
    return TRUE;
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &n, NULL))
    {
      *ms = (gint64)n;
      return TRUE;
    }
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", key,
                      "%s must be an RFC 3339 time (2026-11-27T10:00:00Z) or epoch milliseconds",
                      key);
  return FALSE;
}

static gboolean
param_threshold (FdApiRequest *req, gint64 *ms)
{
  const char *text;
  char *end = NULL;
  double seconds;

  *ms = 0;
  if (!fd_api_param (req, "threshold", &text))
    return FALSE;
  if (text == NULL)
    return TRUE;
  seconds = g_ascii_strtod (text, &end);
  if (*text == '\0' || end == NULL || *end != '\0' || !isfinite (seconds) || seconds < 0
      || seconds > MAX_THRESHOLD_S)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "threshold",
                          "threshold must be a number of seconds from 0 to %.0f", MAX_THRESHOLD_S);
      return FALSE;
    }
  *ms = (gint64)(seconds * 1000.0 + 0.5);
  return TRUE;
}

static void
condition_list (FdApiRequest *req)
{
  ListData *d;
  const char *status;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, list_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size) || !fd_api_param (req, "status", &status))
    return;
  if (status != NULL && !g_str_equal (status, "open") && !g_str_equal (status, "closed"))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "status",
                          "status must be open or closed");
      return;
    }
  d = g_new0 (ListData, 1);
  d->filter.status = status == NULL                 ? FD_CONDITION_STATUS_ANY
                     : g_str_equal (status, "open") ? FD_CONDITION_STATUS_OPEN
                                                    : FD_CONDITION_STATUS_CLOSED;
  d->filter.start_from = G_MININT64;
  d->filter.start_to = G_MAXINT64;
  if (!fd_api_param_selection_lists (req, &d->tags, &d->devices, &d->fleets)
      || !param_threshold (req, &d->filter.threshold_ms)
      || !param_time (req, "start", &d->filter.start_from)
      || !param_time (req, "end", &d->filter.start_to))
    {
      list_data_free (d);
      return;
    }
  d->filter.tags = (const char *const *)d->tags;
  d->filter.devices = (const char *const *)d->devices;
  d->filter.fleets = (const char *const *)d->fleets;
  d->filter.now = fd_now_ms ();
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  job->data = d;
  job->data_free = list_data_free;
  fd_api_run_read (req, list_job, job, list_reply);
}

/* Down-channel errors, as the API names them. */
static void
reply_downlink_error (FdApiRequest *req, const GError *error)
{
  if (error->domain == FD_STORE_ERROR)
    fd_api_reply_gerror (req, error);
  else if (g_error_matches (error, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_NOT_FOUND))
    fd_api_reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "%s", error->message);
  else if (g_error_matches (error, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_INVALID))
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "key", "%s", error->message);
  else if (g_error_matches (error, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_FULL))
    fd_api_reply_error (req, SOUP_STATUS_CONFLICT, "conflict", NULL, "%s", error->message);
  else
    {
      g_warning ("API request failed: %s", error->message);
      fd_api_reply_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                          "the server could not complete the request; nothing was changed (%s)",
                          error->message);
    }
}

static gboolean
need_downlink (FdApiRequest *req)
{
  if (req->api->context.downlink != NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                      "this server has no device endpoint running");
  return FALSE;
}

/* POST /devices/{id}/messages */

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg;
  char *key;
} SendCall;

static gboolean
audit_message (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_api_audit (db, job, "device.message", job->id, error, "key", job->name, NULL);
}

static void
message_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SendCall *call = user_data;
  g_autoptr (GError) error = NULL;
  gboolean delivered = FALSE;

  if (!fd_downlink_send_finish (result, &delivered, &error))
    reply_downlink_error (call->req, error);
  else
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) node = NULL;

      json_builder_begin_object (b);
      fd_api_json_string (b, "key", call->key);
      fd_api_json_bool (b, "delivered", delivered);
      fd_api_json_time (b, "t", fd_downlink_send_get_time (result));
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      fd_api_reply_json (call->req, SOUP_STATUS_ACCEPTED, node);
    }
  fd_api_resume (call->msg);
  g_free (call->key);
  g_free (call);
}

static void
message_send (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  g_autofree char *value_json = NULL;
  JsonObject *obj;
  JsonNode *key, *value;
  SendCall *call;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device")
      || !need_downlink (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, message_members))
    return;
  key = json_object_get_member (obj, "key");
  value = json_object_get_member (obj, "value");
  if (key == NULL || !JSON_NODE_HOLDS_VALUE (key)
      || json_node_get_value_type (key) != G_TYPE_STRING)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "key",
                          "key must be a string: the message's key (\"@job\", a variable)");
      return;
    }
  if (value == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "value",
                          "value is required (any JSON value)");
      return;
    }
  value_json = json_to_string (value, FALSE);

  job = fd_api_job_new (req);
  job->name = g_strdup (json_node_get_string (key));
  call = g_new0 (SendCall, 1);
  call->req = req;
  call->key = g_strdup (job->name);
  call->msg = fd_api_pause (req);
  fd_downlink_send_full_async (req->api->context.downlink, req->path_id, call->key, value_json,
                               audit_message, job, (GDestroyNotify)fd_api_job_free, message_sent,
                               call);
}

/* GET /devices/{id}/status */

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg;
} StatusCall;

static void
status_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StatusCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = fd_downlink_status_json_finish (result, &error);
  g_autoptr (JsonNode) node = text ? json_from_string (text, &error) : NULL;

  if (node == NULL)
    reply_downlink_error (call->req, error);
  else
    fd_api_reply_json (call->req, SOUP_STATUS_OK, node);
  fd_api_resume (call->msg);
  g_free (call);
}

static void
device_status (FdApiRequest *req)
{
  StatusCall *call;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device")
      || !need_downlink (req))
    return;
  call = g_new0 (StatusCall, 1);
  call->req = req;
  call->msg = fd_api_pause (req);
  fd_downlink_status_json_async (req->api->context.downlink, req->path_id, status_read, call);
}

const FdApiRoute fd_api_condition_routes[] = {
  { "GET", "/workspaces/{id}/conditions", condition_list, FALSE, 0 },
  { "POST", "/devices/{id}/messages", message_send, FALSE, 0 },
  { "GET", "/devices/{id}/status", device_status, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
