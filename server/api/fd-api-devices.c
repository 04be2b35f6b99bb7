/* fd-api-devices.c — /workspaces/{id}/devices and /devices/{id}. */
#include "fd-api-private.h"
#include "fd-util.h"

static const char *const list_params[]
    = { "fleet", "search", "online", "sort", "from", "size", NULL };
static const char *const create_members[] = { "name", "fleet_id", NULL };

static const char *const sort_names[] = {
  [FD_DEVICE_SORT_NAME] = "name",           [FD_DEVICE_SORT_NAME_DESC] = "-name",
  [FD_DEVICE_SORT_CREATED] = "created_at",  [FD_DEVICE_SORT_CREATED_DESC] = "-created_at",
  [FD_DEVICE_SORT_LAST_SEEN] = "last_seen", [FD_DEVICE_SORT_LAST_SEEN_DESC] = "-last_seen",
  [FD_DEVICE_SORT_FLEET] = "fleet",         [FD_DEVICE_SORT_FLEET_DESC] = "-fleet",
  [FD_DEVICE_SORT_ONLINE] = "online",       [FD_DEVICE_SORT_ONLINE_DESC] = "-online",
};

void
fd_api_device_live (FdApi *api, FdDevice *d)
{
  FdSessions *sessions = api->context.sessions;

  if (sessions == NULL)
    return;
  d->online = fd_sessions_is_online (sessions, d->id);
  d->last_seen = MAX (d->last_seen, fd_sessions_last_seen (sessions, d->id));
}

static void
device_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = NULL;

  fd_api_device_live (req->api, job->result);
  node = fd_api_json_one (job->result, (FdApiJsonFunc)fd_api_json_device);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
device_created (FdApiRequest *req, FdApiJob *job)
{
  FdDevice *d = job->result;
  g_autoptr (JsonNode) node = fd_api_json_one (d, (FdApiJsonFunc)fd_api_json_device);
  g_autofree char *location = g_strdup_printf ("/api/v1/devices/%s", d->id);

  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location",
                                location);
  fd_api_reply_json (req, SOUP_STATUS_CREATED, node);
}

static gboolean
device_create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  FdDevice *d = fd_store_device_create (db, job->id, job->fleet_id, job->name, error);

  if (d == NULL)
    return FALSE;
  job->result = d;
  job->result_free = (GDestroyNotify)fd_device_free;
  return fd_api_audit (db, job, "device.create", d->id, error, "name", d->name, "workspace_id",
                       d->workspace_id, "fleet_id", d->fleet_id, NULL);
}

static void
device_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  g_autofree char *name = NULL, *fleet_id = NULL;
  JsonObject *obj;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, create_members)
      || !fd_api_body_name (req, obj, "name", TRUE, FD_API_MAX_NAME, &name)
      || !fd_api_body_id (req, obj, "fleet_id", "flt", FALSE, &fleet_id))
    return;
  job = fd_api_job_new (req);
  job->name = g_steal_pointer (&name);
  job->fleet_id = g_steal_pointer (&fleet_id);
  req->invalid_field = "fleet_id";
  fd_api_run_write (req, device_create_job, job, device_created);
}

static gboolean
device_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_device_list (db, job->id, (const char *const *)job->fleets, job->search,
                               (int)job->online, (FdDeviceSort)job->sort, job->from, job->size,
                               &job->page, error);
}

static void
device_list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = NULL;

  for (guint i = 0; i < job->page.items->len; i++)
    fd_api_device_live (req->api, g_ptr_array_index (job->page.items, i));
  node = fd_api_json_page (&job->page, (FdApiJsonFunc)fd_api_json_device);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
device_list (FdApiRequest *req)
{
  g_autofree char *search = NULL;
  g_auto (GStrv) fleets = NULL;
  const char *sort_text, *online_text;
  gboolean online = FALSE;
  int sort = FD_DEVICE_SORT_NAME;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, list_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size) || !fd_api_param_search (req, &search)
      || !fd_api_param (req, "sort", &sort_text) || !fd_api_param (req, "online", &online_text)
      || (online_text != NULL && !fd_api_param_bool (req, "online", &online)))
    return;
  if (sort_text != NULL)
    {
      for (sort = 0; sort < (int)G_N_ELEMENTS (sort_names); sort++)
        if (g_str_equal (sort_names[sort], sort_text))
          break;
      if (sort == (int)G_N_ELEMENTS (sort_names))
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "sort",
                              "sort must be one of name, -name, created_at, -created_at, "
                              "last_seen, -last_seen, fleet, -fleet, online, -online");
          return;
        }
    }
  fleets = fd_api_param_all (req, "fleet");
  for (guint i = 0; fleets[i] != NULL; i++)
    if (!fd_id_is_valid (fleets[i], "flt"))
      {
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "fleet",
                            "fleet must be a fleet ID like flt-…");
        return;
      }

  job = fd_api_job_new (req);
  job->search = g_steal_pointer (&search);
  job->fleets = g_steal_pointer (&fleets);
  job->sort = sort;
  job->online = online_text == NULL ? -1 : online;
  job->from = from;
  job->size = size;
  fd_api_run_read (req, device_list_job, job, device_list_reply);
}

static gboolean
device_get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_device_get (db, job->id, error);
  job->result_free = (GDestroyNotify)fd_device_free;
  return job->result != NULL;
}

static void
device_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device"))
    return;
  fd_api_run_read (req, device_get_job, fd_api_job_new (req), device_reply);
}

static gboolean
device_update_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  g_autoptr (FdDevice) before = NULL;
  FdDevice *d;

  if (job->fleet_id != NULL && (before = fd_store_device_get (db, job->id, error)) == NULL)
    return FALSE;
  d = fd_store_device_update (db, job->id, job->name, job->fleet_id, error);
  if (d == NULL)
    return FALSE;
  job->result = d;
  job->result_free = (GDestroyNotify)fd_device_free;
  if (job->name != NULL
      && !fd_api_audit (db, job, "device.update", job->id, error, "name", job->name, NULL))
    return FALSE;
  if (before != NULL && !g_str_equal (before->fleet_id, d->fleet_id))
    return fd_api_audit (db, job, "device.move", job->id, error, "from_fleet_id", before->fleet_id,
                         "fleet_id", d->fleet_id, NULL);
  return TRUE;
}

static void
device_update (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  g_autofree char *name = NULL, *fleet_id = NULL;
  JsonObject *obj;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, create_members)
      || !fd_api_body_name (req, obj, "name", FALSE, FD_API_MAX_NAME, &name)
      || !fd_api_body_id (req, obj, "fleet_id", "flt", FALSE, &fleet_id))
    return;
  job = fd_api_job_new (req);
  job->name = g_steal_pointer (&name);
  job->fleet_id = g_steal_pointer (&fleet_id);
  req->invalid_field = "fleet_id";
  fd_api_run_write (req, device_update_job, job, device_reply);
}

static gboolean
device_delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  return fd_store_device_delete (db, job->id, error)
         && fd_api_audit (db, job, "device.delete", job->id, error, NULL);
}

static void
device_deleted (FdApiRequest *req, FdApiJob *job)
{
  /* Committed: its live connections stop now. */
  if (req->api->context.auth != NULL)
    fd_device_auth_device_deleted (req->api->context.auth, job->id);
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
device_delete (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device"))
    return;
  fd_api_run_write (req, device_delete_job, fd_api_job_new (req), device_deleted);
}

const FdApiRoute fd_api_device_routes[] = {
  { "POST", "/workspaces/{id}/devices", device_create, FALSE },
  { "GET", "/workspaces/{id}/devices", device_list, FALSE },
  { "GET", "/devices/{id}", device_get, FALSE },
  { "PATCH", "/devices/{id}", device_update, FALSE },
  { "DELETE", "/devices/{id}", device_delete, FALSE },
  { NULL, NULL, NULL, FALSE },
};
