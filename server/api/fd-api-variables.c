/* fd-api-variables.c — a device's variables (docs/rest-api.md, "Variables"): what the operator
 * wants a device's key to be, kept as a variable row and as expected[key] until the device
 * reports the key (applied), beside what the device reported.
 *
 *   PUT    /devices/{id}/variables/{key}   {"value"} → 202
 *   GET    /devices/{id}/variables          every variable set and every plain key reported
 *   GET    /devices/{id}/variables/{key}
 *   DELETE /devices/{id}/variables/{key}   drops expected[key] and the variable → 204
 *
 * The workspace-wide set and list are in fd-api-variables-bulk.c.
 */
#include "config.h"

#include "fd-api-variables-private.h"
#include "device/fd-device-http.h"
#include "ingest/fd-ingest.h"

#include <string.h>

static const char *const set_members[] = { "value", NULL };

const char *
fd_api_variable_key_check (const char *key)
{
  glong n = g_utf8_validate (key, -1, NULL) ? g_utf8_strlen (key, -1) : -1;

  if (n < 1 || n > FD_UP_KEY_MAX_CHARS)
    return "a variable's key is 1 to 64 characters of UTF-8";
  for (const char *p = key; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return "a variable's key may not contain control characters";
  if (strchr (key, '/') != NULL)
    return "a variable's key may not contain '/' (it is a segment of the variable's path)";
  if (key[0] == '@')
    return "keys starting with @ are jobs (POST /workspaces/{id}/jobs), not variables";
  if (key[0] == '#')
    return "keys starting with # are the server's answers to a device's requests";
  if (key[0] == '_')
    return "keys starting with _ are what devices report about themselves, not variables";
  if (g_str_equal (key, "condition") || g_str_equal (key, "event"))
    return "\"condition\" and \"event\" are keys devices send, not variables";
  return NULL;
}

void
fd_api_json_variable (JsonBuilder *b, const FdVariable *v, gboolean with_device)
{
  json_builder_begin_object (b);
  if (with_device)
    {
      fd_api_json_string (b, "device_id", v->device_id);
      fd_api_json_string (b, "device_name", v->device_name);
    }
  fd_api_json_string (b, "key", v->key);
  json_builder_set_member_name (b, "expected");
  if (v->value != NULL)
    {
      json_builder_begin_object (b);
      fd_api_json_raw (b, "value", v->value);
      fd_api_json_time (b, "set_at", v->set_at);
      fd_api_json_time (b, "applied_at", v->applied_at);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "reported");
  if (v->reported != NULL)
    {
      json_builder_begin_object (b);
      fd_api_json_raw (b, "value", v->reported);
      fd_api_json_time (b, "t", v->reported_t);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  fd_api_json_string (b, "state", fd_variable_state_name (fd_variable_state (v)));
  json_builder_end_object (b);
}

void
fd_api_variable_event (FdApi *api, const char *workspace_id, const char *device_id, const char *key,
                       const char *state, gint64 devices)
{
  GString *data;

  if (api->context.events == NULL)
    return;
  data = g_string_new ("{\"key\":");
  fd_http_append_json_string (data, key, -1);
  g_string_append_printf (data, ",\"state\":\"%s\"", state);
  if (device_id == NULL)
    g_string_append_printf (data, ",\"devices\":%" G_GINT64_FORMAT, devices);
  g_string_append_c (data, '}');
  fd_events_publish (api->context.events, "variable.updated", workspace_id, device_id, data->str);
  g_string_free (data, TRUE);
}

/* The {key} of the path, or a 400 naming it. */
static gboolean
path_key (FdApiRequest *req)
{
  const char *why = fd_api_variable_key_check (req->path_sub);

  if (why == NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "key", "%s", why);
  return FALSE;
}

/* PUT /devices/{id}/variables/{key} */

typedef struct
{
  char *key;
  char *value;
  char *workspace_id;
  gint64 t;
} SetData;

static void
set_data_free (gpointer data)
{
  SetData *d = data;

  g_free (d->key);
  g_free (d->value);
  g_free (d->workspace_id);
  g_free (d);
}

/* A full expected map is the operator's to clear, not a server failure. */
static gboolean
store_entry (FdDb *db, const char *device_id, const char *key, const char *value, gint64 *t,
             GError **error)
{
  GError *local = NULL;

  if (fd_downlink_store_entry (db, device_id, key, value, t, &local))
    return TRUE;
  if (local->domain == FD_DOWNLINK_ERROR)
    {
      g_set_error (error, FD_STORE_ERROR,
                   local->code == FD_DOWNLINK_ERROR_FULL ? FD_STORE_ERROR_CONFLICT
                                                         : FD_STORE_ERROR_INVALID,
                   "%s", local->message);
      g_error_free (local);
    }
  else
    g_propagate_error (error, local);
  return FALSE;
}

static gboolean
set_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  SetData *d = job->data;
  g_autoptr (FdDevice) device = fd_store_device_get (db, job->id, error);

  if (device == NULL)
    return FALSE;
  d->workspace_id = g_strdup (device->workspace_id);
  return store_entry (db, job->id, d->key, d->value, &d->t, error)
         && fd_store_variable_set (db, job->id, d->key, d->value, d->t, job->actor, error)
         && fd_api_audit (db, job, "device.variable", job->id, error, "key", d->key, "op", "set",
                          NULL);
}

static void
set_reply (FdApiRequest *req, FdApiJob *job)
{
  SetData *d = job->data;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  gboolean delivered = FALSE;

  if (req->api->context.downlink != NULL)
    delivered = fd_downlink_deliver (req->api->context.downlink, job->id, d->key, d->value, d->t);
  fd_api_variable_event (req->api, d->workspace_id, job->id, d->key, "pending", 1);
  json_builder_begin_object (b);
  fd_api_json_string (b, "key", d->key);
  fd_api_json_raw (b, "value", d->value);
  fd_api_json_string (b, "state", "pending");
  fd_api_json_bool (b, "delivered", delivered);
  fd_api_json_time (b, "set_at", d->t);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_ACCEPTED, node);
}

static void
variable_set (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  JsonNode *value;
  SetData *d;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device") || !path_key (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, set_members))
    return;
  value = json_object_get_member (obj, "value");
  if (value == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "value",
                          "value is required: the variable's value, any JSON value");
      return;
    }
  d = g_new0 (SetData, 1);
  d->key = g_strdup (req->path_sub);
  d->value = json_to_string (value, FALSE);
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = set_data_free;
  fd_api_run_write (req, set_job, job, set_reply);
}

/* GET /devices/{id}/variables */

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->page.items = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_variable_free);
  if (!fd_store_variable_list_device (db, job->id, job->page.items, error))
    return FALSE;
  job->page.total = job->page.items->len;
  return TRUE;
}

static void
json_device_variable (JsonBuilder *b, gconstpointer record)
{
  fd_api_json_variable (b, record, FALSE);
}

static void
list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = NULL;

  fd_api_page_slice (&job->page, job->from, job->size);
  node = fd_api_json_page (&job->page, json_device_variable);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
variable_list (FdApiRequest *req)
{
  fd_api_run_page (req, "dev", "device", list_job, list_reply);
}

/* GET /devices/{id}/variables/{key} */

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_variable_get (db, job->id, job->name, error);
  job->result_free = (GDestroyNotify)fd_variable_free;
  return job->result != NULL;
}

static void
get_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  fd_api_json_variable (b, job->result, FALSE);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
variable_get (FdApiRequest *req)
{
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device") || !path_key (req))
    return;
  job = fd_api_job_new (req);
  job->name = g_strdup (req->path_sub);
  fd_api_run_read (req, get_job, job, get_reply);
}

/* DELETE /devices/{id}/variables/{key} */

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  gboolean existed = FALSE;

  if (!fd_store_device_exists (db, job->id, error)
      || !fd_store_variable_delete (db, job->id, job->name, &existed, error))
    return FALSE;
  if (!existed)
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND, "device %s has no variable %s",
                   job->id, job->name);
      return FALSE;
    }
  return fd_downlink_drop_entry (db, job->id, job->name, error)
         && fd_api_audit (db, job, "device.variable", job->id, error, "key", job->name, "op",
                          "unset", NULL);
}

static void
delete_reply (FdApiRequest *req, FdApiJob *job)
{
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
variable_delete (FdApiRequest *req)
{
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device") || !path_key (req))
    return;
  job = fd_api_job_new (req);
  job->name = g_strdup (req->path_sub);
  fd_api_run_write (req, delete_job, job, delete_reply);
}

const FdApiRoute fd_api_variable_routes[] = {
  { "GET", "/devices/{id}/variables", variable_list, FALSE, 0 },
  { "GET", "/devices/{id}/variables/{key}", variable_get, FALSE, 0 },
  { "PUT", "/devices/{id}/variables/{key}", variable_set, FALSE, 0 },
  { "DELETE", "/devices/{id}/variables/{key}", variable_delete, FALSE, 0 },
  { "POST", "/workspaces/{id}/variables", fd_api_variables_bulk_set, FALSE, 0 },
  { "GET", "/workspaces/{id}/variables", fd_api_variables_key_list, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
