/* fd-api-variables-bulk.c — a variable set on many devices at once, and who has taken it
 * (docs/rest-api.md, "Variables"):
 *
 *   POST /workspaces/{id}/variables  {"key", "value", "devices": [], "fleets": []} → 202
 *        {"key", "total", "delivered"}
 *   GET  /workspaces/{id}/variables?key=K[&state=pending|applied|reported]
 *
 * Every device's variable and expected[key] are written in ONE store job (10,000 devices are
 * one transaction, not 10,000), and handed to the live sessions after its commit.
 */
#include "config.h"

#include "fd-api-variables-private.h"

#include <string.h>

static const char *const bulk_members[] = { "key", "value", "devices", "fleets", NULL };

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg;
  FdApiJob *job;
} BulkCall;

typedef struct
{
  char *workspace_id;
  char *key;
  char *value;
  char **devices;
  char **fleets;
  /* the outcome */
  GPtrArray *targets; /* char *: the devices, each once */
  GArray *times;      /* gint64: each target's entry t */
  const char *bad_field;
} BulkData;

static void
bulk_data_free (gpointer data)
{
  BulkData *d = data;

  g_free (d->workspace_id);
  g_free (d->key);
  g_free (d->value);
  g_strfreev (d->devices);
  g_strfreev (d->fleets);
  g_ptr_array_unref (d->targets);
  g_array_unref (d->times);
  g_free (d);
}

/* A list of IDs with @prefix (at most FD_API_VARIABLES_MAX_DEVICES), or a 400 naming it. */
static gboolean
body_ids (FdApiRequest *req, JsonObject *obj, const char *member, const char *prefix, char ***out)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto bad;
  array = json_node_get_array (node);
  if (json_array_get_length (array) > FD_API_VARIABLES_MAX_DEVICES)
    goto bad;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);
      const char *id;

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        goto bad;
      id = json_node_get_string (e);
      if (!g_str_has_prefix (id, prefix) || strlen (id) > 64)
        goto bad;
      g_ptr_array_add (ids, g_strdup (id));
    }
  g_ptr_array_add (ids, NULL);
  *out = (char **)g_ptr_array_free (g_steal_pointer (&ids), FALSE);
  return TRUE;

bad:
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                      "%s must be a list of at most %d IDs (%s…)", member,
                      FD_API_VARIABLES_MAX_DEVICES, prefix);
  return FALSE;
}

static gboolean
add_target (BulkData *d, GHashTable *seen, const char *device_id, GError **error)
{
  if (!g_hash_table_add (seen, g_strdup (device_id)))
    return TRUE;
  if (d->targets->len >= FD_API_VARIABLES_MAX_DEVICES)
    {
      d->bad_field = "devices";
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID,
                   "a variable may be set on at most %d devices at once",
                   FD_API_VARIABLES_MAX_DEVICES);
      return FALSE;
    }
  g_ptr_array_add (d->targets, g_strdup (device_id));
  return TRUE;
}

static gboolean
bulk_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  BulkData *d = job->data;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *count = NULL;

  if (!fd_store_workspace_exists (db, d->workspace_id, error))
    return FALSE;
  for (guint i = 0; d->fleets != NULL && d->fleets[i] != NULL; i++)
    {
      g_autoptr (FdFleet) fleet = fd_store_fleet_get (db, d->fleets[i], NULL);
      g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

      if (fleet == NULL || !g_str_equal (fleet->workspace_id, d->workspace_id))
        {
          d->bad_field = "fleets";
          g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID,
                       "fleet %s does not exist in workspace %s", d->fleets[i], d->workspace_id);
          return FALSE;
        }
      if (!fd_store_device_ids (db, d->workspace_id, fleet->id, ids, error))
        return FALSE;
      for (guint k = 0; k < ids->len; k++)
        if (!add_target (d, seen, ids->pdata[k], error))
          return FALSE;
    }
  for (guint i = 0; d->devices != NULL && d->devices[i] != NULL; i++)
    {
      g_autoptr (FdDevice) device = fd_store_device_get (db, d->devices[i], NULL);

      if (device == NULL || !g_str_equal (device->workspace_id, d->workspace_id))
        {
          d->bad_field = "devices";
          g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID,
                       "device %s does not exist in workspace %s", d->devices[i], d->workspace_id);
          return FALSE;
        }
      if (!add_target (d, seen, device->id, error))
        return FALSE;
    }
  for (guint i = 0; i < d->targets->len; i++)
    {
      const char *device_id = d->targets->pdata[i];
      GError *local = NULL;
      gint64 t = 0;

      if (!fd_downlink_store_entry (db, device_id, d->key, d->value, &t, &local))
        {
          /* One device's full expected map refuses the whole set: nothing half done. */
          g_set_error (error, FD_STORE_ERROR,
                       g_error_matches (local, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_FULL)
                           ? FD_STORE_ERROR_CONFLICT
                           : FD_STORE_ERROR_FAILED,
                       "%s", local->message);
          g_error_free (local);
          return FALSE;
        }
      if (!fd_store_variable_set (db, device_id, d->key, d->value, t, job->actor, error))
        return FALSE;
      g_array_append_val (d->times, t);
    }
  count = g_strdup_printf ("%u", d->targets->len);
  return fd_api_audit (db, job, "device.variable", d->workspace_id, error, "key", d->key, "op",
                       "set", "devices", count, NULL);
}

static void
bulk_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BulkCall *call = user_data;
  FdApiRequest *req = call->req;
  FdApiJob *job = fd_store_run_get_data (result);
  BulkData *d = job->data;
  g_autoptr (GError) error = NULL;

  if (!fd_store_run_finish (result, &error))
    {
      if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID))
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", d->bad_field, "%s",
                            error->message);
      else
        fd_api_reply_gerror (req, error);
    }
  else
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonNode) node = NULL;
      FdApi *api = req->api;
      gint64 delivered = 0;
      gboolean each = d->targets->len <= FD_API_VARIABLES_MAX_DEVICE_EVENTS;

      for (guint i = 0; i < d->targets->len; i++)
        {
          const char *device_id = d->targets->pdata[i];

          if (api->context.downlink != NULL
              && fd_downlink_deliver (api->context.downlink, device_id, d->key, d->value,
                                      g_array_index (d->times, gint64, i)))
            delivered++;
          if (each)
            fd_api_variable_event (api, d->workspace_id, device_id, d->key, "pending", 1);
        }
      if (!each)
        fd_api_variable_event (api, d->workspace_id, NULL, d->key, "pending", d->targets->len);
      json_builder_begin_object (b);
      fd_api_json_string (b, "key", d->key);
      fd_api_json_int (b, "total", d->targets->len);
      fd_api_json_int (b, "delivered", delivered);
      json_builder_end_object (b);
      node = json_builder_get_root (b);
      fd_api_reply_json (req, SOUP_STATUS_ACCEPTED, node);
    }
  fd_api_resume (call->msg);
  g_free (call);
}

void
fd_api_variables_bulk_set (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  JsonNode *key, *value;
  const char *why;
  BulkData *d;
  BulkCall *call;
  char **devices = NULL, **fleets = NULL;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, bulk_members))
    return;
  key = json_object_get_member (obj, "key");
  value = json_object_get_member (obj, "value");
  if (key == NULL || !JSON_NODE_HOLDS_VALUE (key)
      || json_node_get_value_type (key) != G_TYPE_STRING)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "key",
                          "key is required: the variable's key, a string");
      return;
    }
  why = fd_api_variable_key_check (json_node_get_string (key));
  if (why != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "key", "%s", why);
      return;
    }
  if (value == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "value",
                          "value is required: the variable's value, any JSON value");
      return;
    }
  if (!body_ids (req, obj, "devices", "dev-", &devices))
    return;
  if (!body_ids (req, obj, "fleets", "flt-", &fleets))
    {
      g_strfreev (devices);
      return;
    }
  if ((devices == NULL || devices[0] == NULL) && (fleets == NULL || fleets[0] == NULL))
    {
      g_strfreev (devices);
      g_strfreev (fleets);
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "devices",
                          "name at least one device or fleet to set the variable on");
      return;
    }
  d = g_new0 (BulkData, 1);
  d->workspace_id = g_strdup (req->path_id);
  d->key = g_strdup (json_node_get_string (key));
  d->value = json_to_string (value, FALSE);
  d->devices = devices;
  d->fleets = fleets;
  d->targets = g_ptr_array_new_with_free_func (g_free);
  d->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  call = g_new0 (BulkCall, 1);
  call->req = req;
  call->job = fd_api_job_new (req);
  call->job->data = d;
  call->job->data_free = bulk_data_free;
  call->msg = fd_api_pause (req);
  fd_store_write_async (req->api->store, bulk_job, call->job, (GDestroyNotify)fd_api_job_free,
                        bulk_done, call);
}

/* GET /workspaces/{id}/variables?key=K */

static gboolean
key_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  return fd_store_variable_list_key (db, job->id, job->name, (FdVariableState)job->sort, job->from,
                                     job->size, &job->page, error);
}

static void
json_workspace_variable (JsonBuilder *b, gconstpointer record)
{
  fd_api_json_variable (b, record, TRUE);
}

static void
key_list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, json_workspace_variable);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

void
fd_api_variables_key_list (FdApiRequest *req)
{
  static const char *const params[] = { "key", "state", "from", "size", NULL };
  static const char *const states[] = { "pending", "applied", "reported", NULL };
  const char *key, *state, *why;
  FdVariableState want = FD_VARIABLE_STATE_ANY;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size) || !fd_api_param (req, "key", &key)
      || !fd_api_param (req, "state", &state))
    return;
  why = key == NULL ? "key is required: the variable's key" : fd_api_variable_key_check (key);
  if (why != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "key", "%s", why);
      return;
    }
  if (state != NULL)
    {
      for (guint i = 0; states[i] != NULL; i++)
        if (g_str_equal (state, states[i]))
          want = (FdVariableState)(i + 1);
      if (want == FD_VARIABLE_STATE_ANY)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "state",
                              "state must be pending, applied or reported");
          return;
        }
    }
  job = fd_api_job_new (req);
  job->name = g_strdup (key);
  job->sort = (int)want;
  job->from = from;
  job->size = size;
  fd_api_run_read (req, key_list_job, job, key_list_reply);
}
