/* fd-api-workspaces.c — /workspaces and /fleets. */
#include "fd-api-private.h"
#include "store/fd-store-firmware.h"

static const char *const list_params[] = { "search", "from", "size", NULL };
static const char *const force_params[] = { "force", NULL };
static const char *const create_members[] = { "name", "description", NULL };
static const char *const update_members[]
    = { "name", "description", "retention_days", "rollup_retention_days", NULL };

/* A workspace update's retention settings: which were given, and their days (0: null). */
typedef struct
{
  gboolean set_raw, set_rollup;
  gint64 raw_days, rollup_days;
} RetentionChange;

/* @member as a number of days 1..FD_STORE_RETENTION_MAX_DAYS or null (0), or a 400 naming it. */
static gboolean
body_days (FdApiRequest *req, JsonObject *obj, const char *member, gboolean *given, gint64 *days)
{
  JsonNode *node = json_object_get_member (obj, member);

  *given = node != NULL;
  *days = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
      && json_node_get_int (node) >= 1 && json_node_get_int (node) <= FD_STORE_RETENTION_MAX_DAYS)
    {
      *days = json_node_get_int (node);
      return TRUE;
    }
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                      "the field \"%s\" must be a whole number of days from 1 to %d, or null "
                      "(keep for ever)",
                      member, FD_STORE_RETENTION_MAX_DAYS);
  return FALSE;
}

static void
reply_created (FdApiRequest *req, JsonNode *node, const char *kind, const char *id)
{
  g_autofree char *location = g_strdup_printf ("/api/v1/%s/%s", kind, id);

  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location",
                                location);
  fd_api_reply_json (req, SOUP_STATUS_CREATED, node);
}

/* Reads name/description from the body; for an update both are optional. */
static FdApiJob *
job_from_body (FdApiRequest *req, gboolean create)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj = fd_api_body_object (req, &owner);
  FdApiJob *job;
  g_autofree char *name = NULL, *description = NULL;

  RetentionChange change = { 0 };

  if (obj == NULL || !fd_api_body_check_members (req, obj, create ? create_members : update_members)
      || !fd_api_body_name (req, obj, "name", create, FD_API_MAX_NAME, &name)
      || !fd_api_body_name (req, obj, "description", FALSE, FD_API_MAX_DESCRIPTION, &description))
    return NULL;
  if (!create
      && (!body_days (req, obj, "retention_days", &change.set_raw, &change.raw_days)
          || !body_days (req, obj, "rollup_retention_days", &change.set_rollup,
                         &change.rollup_days)))
    return NULL;
  job = fd_api_job_new (req);
  job->name = g_steal_pointer (&name);
  job->description = g_steal_pointer (&description);
  if (change.set_raw || change.set_rollup)
    {
      job->data = g_memdup2 (&change, sizeof change);
      job->data_free = g_free;
      /* The store refuses a combination that keeps rollups shorter than raw data. */
      req->invalid_field = change.set_rollup ? "rollup_retention_days" : "retention_days";
    }
  return job;
}

/* --- workspaces --- */

static void
workspace_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_one (job->result, (FdApiJsonFunc)fd_api_json_workspace);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
workspace_created (FdApiRequest *req, FdApiJob *job)
{
  FdWorkspace *w = job->result;
  g_autoptr (JsonNode) node = fd_api_json_one (w, (FdApiJsonFunc)fd_api_json_workspace);
  reply_created (req, node, "workspaces", w->id);
}

static gboolean
workspace_create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  FdWorkspace *w = fd_store_workspace_create (db, job->name, job->description, error);

  if (w == NULL)
    return FALSE;
  job->result = w;
  job->result_free = (GDestroyNotify)fd_workspace_free;
  return fd_api_audit (db, job, "workspace.create", w->id, error, "name", w->name, NULL);
}

static void
workspace_create (FdApiRequest *req)
{
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || (job = job_from_body (req, TRUE)) == NULL)
    return;
  fd_api_run_write (req, workspace_create_job, job, workspace_created);
}

static gboolean
workspace_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_workspace_list (db, job->search, job->from, job->size, &job->page, error);
}

static void
workspace_list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, (FdApiJsonFunc)fd_api_json_workspace);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
workspace_list (FdApiRequest *req)
{
  g_autofree char *search = NULL;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, list_params) || !fd_api_param_paging (req, &from, &size)
      || !fd_api_param_search (req, &search))
    return;
  job = fd_api_job_new (req);
  job->search = g_steal_pointer (&search);
  job->from = from;
  job->size = size;
  fd_api_run_read (req, workspace_list_job, job, workspace_list_reply);
}

static gboolean
workspace_get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_workspace_get (db, job->id, error);
  job->result_free = (GDestroyNotify)fd_workspace_free;
  return job->result != NULL;
}

static void
workspace_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace"))
    return;
  fd_api_run_read (req, workspace_get_job, fd_api_job_new (req), workspace_reply);
}

static gboolean
workspace_update_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  RetentionChange *change = job->data;
  g_autofree char *raw = NULL, *rollup = NULL;

  job->result = fd_store_workspace_update (db, job->id, job->name, job->description, error);
  job->result_free = (GDestroyNotify)fd_workspace_free;
  if (job->result == NULL)
    return FALSE;
  if (change != NULL)
    {
      g_clear_pointer (&job->result, fd_workspace_free);
      job->result
          = fd_store_workspace_set_retention (db, job->id, change->set_raw, change->raw_days,
                                              change->set_rollup, change->rollup_days, error);
      if (job->result == NULL)
        return FALSE;
      if (change->set_raw)
        raw = change->raw_days ? g_strdup_printf ("%" G_GINT64_FORMAT, change->raw_days)
                               : g_strdup ("null");
      if (change->set_rollup)
        rollup = change->rollup_days ? g_strdup_printf ("%" G_GINT64_FORMAT, change->rollup_days)
                                     : g_strdup ("null");
    }
  return fd_api_audit (db, job, "workspace.update", job->id, error, "name", job->name,
                       "description", job->description, "retention_days", raw,
                       "rollup_retention_days", rollup, NULL);
}

static void
workspace_update (FdApiRequest *req)
{
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || (job = job_from_body (req, FALSE)) == NULL)
    return;
  fd_api_run_write (req, workspace_update_job, job, workspace_reply);
}

/* The devices a forced delete takes with it, so that their live connections can be told. */
static gboolean
collect_devices (FdDb *db, FdApiJob *job, const char *workspace_id, const char *fleet_id,
                 GError **error)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  job->data = ids;
  job->data_free = (GDestroyNotify)g_ptr_array_unref;
  return !job->force || fd_store_device_ids (db, workspace_id, fleet_id, ids, error);
}

/* The export files a workspace delete leaves: the rows go with the workspace (ON DELETE
 * CASCADE), their files in DATA/exports are removed once the delete is committed. */
typedef struct
{
  char *dir; /* the exports' directory; NULL when this server runs no exports */
  GPtrArray *files;
  GPtrArray *firmware_files; /* DATA/firmware's, removed with the workspace's signing key */
} DeletedExports;

static void
deleted_exports_free (gpointer data)
{
  DeletedExports *d = data;

  g_free (d->dir);
  g_ptr_array_unref (d->files);
  g_ptr_array_unref (d->firmware_files);
  g_free (d);
}

static gboolean
workspace_delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  DeletedExports *exports = job->result;

  return collect_devices (db, job, job->id, NULL, error)
         && (exports->dir == NULL
             || fd_store_export_workspace_files (db, job->id, exports->dir, exports->files, error))
         && fd_store_firmware_files (db, job->id, exports->firmware_files, error)
         && fd_store_workspace_delete (db, job->id, job->force, error)
         && fd_api_audit (db, job, "workspace.delete", job->id, error, "force",
                          job->force ? "true" : NULL, NULL);
}

static void
reply_deleted (FdApiRequest *req, FdApiJob *job)
{
  GPtrArray *ids = job->data;

  if (ids != NULL && req->api->context.auth != NULL)
    fd_device_auth_devices_deleted (req->api->context.auth, ids);
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
workspace_deleted (FdApiRequest *req, FdApiJob *job)
{
  DeletedExports *exports = job->result;

  if (req->api->context.exports != NULL)
    fd_exports_workspace_deleted (req->api->context.exports, job->id, exports->files);
  if (req->api->context.firmware != NULL)
    fd_firmware_remove_files (req->api->context.firmware, job->id, exports->firmware_files);
  reply_deleted (req, job);
}

static void
workspace_delete (FdApiRequest *req)
{
  gboolean force;
  FdApiJob *job;
  DeletedExports *exports;

  if (!fd_api_check_params (req, force_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_bool (req, "force", &force))
    return;
  job = fd_api_job_new (req);
  job->force = force;
  exports = g_new0 (DeletedExports, 1);
  if (req->api->context.exports != NULL)
    exports->dir = g_strdup (fd_exports_get_dir (req->api->context.exports));
  exports->files = g_ptr_array_new_with_free_func (g_free);
  exports->firmware_files = g_ptr_array_new_with_free_func (g_free);
  job->result = exports;
  job->result_free = deleted_exports_free;
  fd_api_run_write (req, workspace_delete_job, job, workspace_deleted);
}

/* --- fleets --- */

static void
fleet_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_one (job->result, (FdApiJsonFunc)fd_api_json_fleet);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
fleet_created (FdApiRequest *req, FdApiJob *job)
{
  FdFleet *f = job->result;
  g_autoptr (JsonNode) node = fd_api_json_one (f, (FdApiJsonFunc)fd_api_json_fleet);
  reply_created (req, node, "fleets", f->id);
}

static gboolean
fleet_create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  FdFleet *f = fd_store_fleet_create (db, job->id, job->name, job->description, error);

  if (f == NULL)
    return FALSE;
  job->result = f;
  job->result_free = (GDestroyNotify)fd_fleet_free;
  return fd_api_audit (db, job, "fleet.create", f->id, error, "name", f->name, "workspace_id",
                       f->workspace_id, NULL);
}

static void
fleet_create (FdApiRequest *req)
{
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || (job = job_from_body (req, TRUE)) == NULL)
    return;
  fd_api_run_write (req, fleet_create_job, job, fleet_created);
}

static gboolean
fleet_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_fleet_list (db, job->id, job->search, job->from, job->size, &job->page, error);
}

static void
fleet_list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, (FdApiJsonFunc)fd_api_json_fleet);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
fleet_list (FdApiRequest *req)
{
  g_autofree char *search = NULL;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, list_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size) || !fd_api_param_search (req, &search))
    return;
  job = fd_api_job_new (req);
  job->search = g_steal_pointer (&search);
  job->from = from;
  job->size = size;
  fd_api_run_read (req, fleet_list_job, job, fleet_list_reply);
}

static gboolean
fleet_get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_fleet_get (db, job->id, error);
  job->result_free = (GDestroyNotify)fd_fleet_free;
  return job->result != NULL;
}

static void
fleet_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "flt", "fleet"))
    return;
  fd_api_run_read (req, fleet_get_job, fd_api_job_new (req), fleet_reply);
}

static gboolean
fleet_update_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_fleet_update (db, job->id, job->name, job->description, error);
  job->result_free = (GDestroyNotify)fd_fleet_free;
  return job->result != NULL
         && fd_api_audit (db, job, "fleet.update", job->id, error, "name", job->name, "description",
                          job->description, NULL);
}

static void
fleet_update (FdApiRequest *req)
{
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "flt", "fleet")
      || (job = job_from_body (req, FALSE)) == NULL)
    return;
  fd_api_run_write (req, fleet_update_job, job, fleet_reply);
}

static gboolean
fleet_delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  return collect_devices (db, job, NULL, job->id, error)
         && fd_store_fleet_delete (db, job->id, job->force, error)
         && fd_api_audit (db, job, "fleet.delete", job->id, error, "force",
                          job->force ? "true" : NULL, NULL);
}

static void
fleet_delete (FdApiRequest *req)
{
  gboolean force;
  FdApiJob *job;

  if (!fd_api_check_params (req, force_params) || !fd_api_path_id (req, "flt", "fleet")
      || !fd_api_param_bool (req, "force", &force))
    return;
  job = fd_api_job_new (req);
  job->force = force;
  fd_api_run_write (req, fleet_delete_job, job, reply_deleted);
}

const FdApiRoute fd_api_workspace_routes[] = {
  { "POST", "/workspaces", workspace_create, FALSE },
  { "GET", "/workspaces", workspace_list, FALSE },
  { "GET", "/workspaces/{id}", workspace_get, FALSE },
  { "PATCH", "/workspaces/{id}", workspace_update, FALSE },
  { "DELETE", "/workspaces/{id}", workspace_delete, FALSE },
  { "POST", "/workspaces/{id}/fleets", fleet_create, FALSE },
  { "GET", "/workspaces/{id}/fleets", fleet_list, FALSE },
  { "GET", "/fleets/{id}", fleet_get, FALSE },
  { "PATCH", "/fleets/{id}", fleet_update, FALSE },
  { "DELETE", "/fleets/{id}", fleet_delete, FALSE },
  { NULL, NULL, NULL, FALSE },
};
