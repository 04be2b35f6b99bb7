/* fd-api-admin.c — /health, /tokens and /audit. */
#include "config.h"
#include "fd-api-private.h"
#include "fd-util.h"

static const char *const paging_params[] = { "from", "size", NULL };
static const char *const audit_params[] = { "action", "target", "from", "size", NULL };
static const char *const token_members[] = { "name", NULL };

static void
health (FdApiRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ok");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

/* --- tokens --- */

static gboolean
token_create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  FdToken *t = fd_store_token_create (db, job->name, job->secret_hash, error);

  if (t == NULL)
    return FALSE;
  job->result = t;
  job->result_free = (GDestroyNotify)fd_token_free;
  return fd_api_audit (db, job, "token.create", t->id, error, "name", t->name, NULL);
}

static void
token_created (FdApiRequest *req, FdApiJob *job)
{
  FdToken *t = job->result;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *location = g_strdup_printf ("/api/v1/tokens/%s", t->id);

  /* The only answer that ever carries the secret. */
  fd_api_json_token (b, t, job->secret);
  node = json_builder_get_root (b);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location",
                                location);
  fd_api_reply_json (req, SOUP_STATUS_CREATED, node);
}

static void
token_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  g_autofree char *name = NULL;
  JsonObject *obj;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, token_members)
      || !fd_api_body_name (req, obj, "name", TRUE, FD_API_MAX_NAME, &name))
    return;
  job = fd_api_job_new (req);
  job->name = g_steal_pointer (&name);
  job->secret = fd_token_new_secret ();
  job->secret_hash = fd_token_hash (job->secret);
  fd_api_run_write (req, token_create_job, job, token_created);
}

static gboolean
token_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_token_list (db, job->from, job->size, &job->page, error);
}

static void
token_json (JsonBuilder *b, const FdToken *t)
{
  fd_api_json_token (b, t, NULL);
}

static void
token_list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, (FdApiJsonFunc)token_json);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
token_list (FdApiRequest *req)
{
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, paging_params) || !fd_api_param_paging (req, &from, &size))
    return;
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  fd_api_run_read (req, token_list_job, job, token_list_reply);
}

static gboolean
token_revoke_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  return fd_store_token_revoke (db, job->id, error)
         && fd_api_audit (db, job, "token.revoke", job->id, error, NULL);
}

static void
token_revoked (FdApiRequest *req, FdApiJob *job)
{
  fd_api_events_token_revoked (req->api, job->id);
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
token_revoke (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "tok", "token"))
    return;
  fd_api_run_write (req, token_revoke_job, fd_api_job_new (req), token_revoked);
}

/* --- audit --- */

static gboolean
audit_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_audit_list (db, job->action, job->target, job->from, job->size, &job->page,
                              error);
}

static void
audit_list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, (FdApiJsonFunc)fd_api_json_audit);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
audit_list (FdApiRequest *req)
{
  const char *action, *target;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, audit_params) || !fd_api_param_paging (req, &from, &size)
      || !fd_api_param (req, "action", &action) || !fd_api_param (req, "target", &target))
    return;
  if ((action && strlen (action) > FD_API_MAX_NAME)
      || (target && strlen (target) > FD_API_MAX_NAME))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter",
                          action && strlen (action) > FD_API_MAX_NAME ? "action" : "target",
                          "the filter is longer than %d characters", FD_API_MAX_NAME);
      return;
    }
  job = fd_api_job_new (req);
  job->action = g_strdup (action);
  job->target = g_strdup (target);
  job->from = from;
  job->size = size;
  fd_api_run_read (req, audit_list_job, job, audit_list_reply);
}

const FdApiRoute fd_api_admin_routes[] = {
  { "GET", "/health", health, TRUE },      { "POST", "/tokens", token_create, FALSE },
  { "GET", "/tokens", token_list, FALSE }, { "DELETE", "/tokens/{id}", token_revoke, FALSE },
  { "GET", "/audit", audit_list, FALSE },  { NULL, NULL, NULL, FALSE },
};
