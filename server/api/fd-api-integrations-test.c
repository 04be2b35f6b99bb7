/* fd-api-integrations-test.c — "Send test event": POST /integrations/{id}/test (a saved
 * integration, the attempt logged) and POST /workspaces/{id}/integrations/test (the create body
 * of an unsaved form; nothing stored). Both answer how the sink took one integration.test
 * event: {"delivered", "status", "latency_ms", "error"}. */
#include "fd-api-integrations-private.h"
#include "fd-util.h"

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg; /* fd_api_pause()'s */
  FdIntegration *integration;
} TestCall;

static void
test_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  TestCall *call = user_data;
  FdSinkResult result = { 0 };
  g_autoptr (GError) error = NULL;

  if (fd_integrations_test_finish (res, &result, &error))
    {
      g_autoptr (JsonNode) node = fd_api_json_integration_test (&result);
      fd_api_reply_json (call->req, SOUP_STATUS_OK, node);
    }
  else
    fd_api_reply_error (call->req, SOUP_STATUS_BAD_REQUEST, "test_failed", NULL, "%s",
                        error->message);
  fd_sink_result_clear (&result);
  fd_api_resume (call->msg);
  fd_integration_free (call->integration);
  g_free (call);
}

static void
test_start (TestCall *call)
{
  fd_integrations_test_async (call->req->api->context.integrations, call->integration, NULL,
                              test_done, call);
}

static gboolean
need_integrations (FdApiRequest *req)
{
  if (req->api->context.integrations != NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                      "this server runs no integration delivery workers");
  return FALSE;
}

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_integration_get (db, job->id, error);
  job->result_free = (GDestroyNotify)fd_integration_free;
  return job->result != NULL;
}

static gboolean
workspace_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_workspace_exists (db, job->id, error);
}

static void
read_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  TestCall *call = user_data;
  FdApiJob *job = fd_store_run_get_data (res);
  g_autoptr (GError) error = NULL;

  if (!fd_store_run_finish (res, &error))
    {
      fd_api_reply_gerror (call->req, error);
      fd_api_resume (call->msg);
      fd_api_job_free (job);
      fd_integration_free (call->integration);
      g_free (call);
      return;
    }
  if (call->integration == NULL)
    call->integration = g_steal_pointer (&job->result);
  fd_api_job_free (job);
  test_start (call);
}

/* Reads what the test needs (the integration, or that the workspace is there) then sends. */
static void
test_run (FdApiRequest *req, FdStoreFunc func, FdIntegration *unsaved)
{
  TestCall *call = g_new0 (TestCall, 1);

  call->req = req;
  call->integration = unsaved;
  call->msg = fd_api_pause (req);
  fd_store_read_async (req->api->store, func, fd_api_job_new (req), NULL, read_done, call);
}

void
fd_api_integration_test (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "int", "integration")
      || !need_integrations (req))
    return;
  test_run (req, get_job, NULL);
}

void
fd_api_integration_test_unsaved (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  FdApiIntegrationBody body = { 0 };
  g_autoptr (FdIntegration) i = NULL;
  JsonObject *obj;
  const char *field;
  g_autofree char *message = NULL;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || !need_integrations (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL)
    return;
  if (!fd_api_integration_body_parse (req, obj, TRUE, &body))
    {
      fd_api_integration_body_clear (&body);
      return;
    }
  i = g_new0 (FdIntegration, 1);
  i->workspace_id = g_strdup (req->path_id);
  i->type = body.type;
  if (!fd_api_integration_apply (&body, i, TRUE, &field, &message))
    {
      fd_api_integration_body_clear (&body);
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", field, "%s", message);
      return;
    }
  fd_api_integration_body_clear (&body);
  test_run (req, workspace_job, g_steal_pointer (&i));
}
