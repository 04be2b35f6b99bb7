/* fd-api-integrations.c — /workspaces/{id}/integrations and /integrations/{id}[/…]: create,
 * list, read, change, delete, pause, resume, replay. Every committed change is told to the
 * delivery workers (fd_integrations_reload); the secret is shown only in the create answer. */
#include "fd-api-integrations-private.h"
#include "fd-util.h"
#include "ingest/fd-payload.h"

#include <libpq-fe.h>
#include <string.h>

typedef struct
{
  FdApiIntegrationBody body;
  FdIntegration *integration; /* the new one (create) or the stored one after the job */
  char *secret;               /* the create answer's "secret" (webhook) */
  FdStore *store;             /* worker jobs (postgresql) write through it */
  gint64 replay_from;
  /* a 400 found after the request was parsed (in a job, or by the DSN check) */
  const char *bad_field;
  const char *bad_code;
  char *bad_message;
} IntData;

static void
int_data_free (gpointer data)
{
  IntData *d = data;

  fd_api_integration_body_clear (&d->body);
  fd_integration_free (d->integration);
  if (d->secret != NULL)
    explicit_bzero (d->secret, strlen (d->secret));
  g_free (d->secret);
  g_free (d->bad_message);
  g_free (d);
}

static FdApiJob *
int_job_new (FdApiRequest *req, IntData **out)
{
  FdApiJob *job = fd_api_job_new (req);
  IntData *d = g_new0 (IntData, 1);

  d->store = req->api->store;
  job->data = d;
  job->data_free = int_data_free;
  *out = d;
  return job;
}

static void
set_bad (IntData *d, const char *field, const char *code, char *message)
{
  d->bad_field = field;
  d->bad_code = code;
  g_free (d->bad_message);
  d->bad_message = message;
}

static void
reload (FdApiRequest *req, const char *id)
{
  if (req->api->context.integrations != NULL)
    fd_integrations_reload (req->api->context.integrations, id);
}

static JsonNode *
integration_node (FdApiRequest *req, const FdIntegration *i, const char *secret)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  FdIntegrationHealth health = { 0 };
  gboolean live = req->api->context.integrations != NULL
                  && fd_integrations_get_health (req->api->context.integrations, i->id, &health);

  fd_api_json_integration (b, i, live ? &health : NULL, secret);
  if (live)
    fd_integration_health_clear (&health);
  return json_builder_get_root (b);
}

/* Answers a job on one integration: its 400 when it found one, else @status with the object
 * (a create: with the secret, once, and Location). A change is told to the delivery workers. */
static void
integration_reply (FdApiRequest *req, FdApiJob *job, guint status, gboolean changed)
{
  IntData *d = job->data;
  g_autoptr (JsonNode) node = NULL;

  if (d->bad_field != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, d->bad_code, d->bad_field, "%s",
                          d->bad_message);
      return;
    }
  if (changed)
    reload (req, d->integration->id);
  node = integration_node (req, d->integration, d->secret);
  if (status == SOUP_STATUS_CREATED)
    {
      g_autofree char *location = g_strdup_printf ("/api/v1/integrations/%s", d->integration->id);
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location",
                                    location);
    }
  fd_api_reply_json (req, status, node);
}

static void
created_reply (FdApiRequest *req, FdApiJob *job)
{
  integration_reply (req, job, SOUP_STATUS_CREATED, TRUE);
}

static void
changed_reply (FdApiRequest *req, FdApiJob *job)
{
  integration_reply (req, job, SOUP_STATUS_OK, TRUE);
}

static void
get_reply (FdApiRequest *req, FdApiJob *job)
{
  integration_reply (req, job, SOUP_STATUS_OK, FALSE);
}

/* --- create --- */

static gboolean
create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  IntData *d = job->data;
  g_autoptr (GError) local = NULL;

  if (!fd_store_workspace_exists (db, d->integration->workspace_id, error))
    return FALSE;
  /* the workspace is there: a NOT_FOUND now is a fleet of the filter */
  if (!fd_store_integration_create (db, d->integration, fd_now_ms (), &local))
    {
      if (!g_error_matches (local, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      set_bad (d, "fleets", "invalid_field", g_strdup_printf ("fleets: %s", local->message));
      return TRUE;
    }
  return fd_api_audit (db, job, "integration.create", d->integration->id, error, "name",
                       d->integration->name, "type",
                       fd_integration_type_name (d->integration->type), "workspace_id",
                       d->integration->workspace_id, NULL);
}

/* libpq's messages do not hold the password, but one about a DSN it could not use may quote
 * it back: the password (as libpq reads it from the keywords or the URI) is cut out of
 * whatever comes, to be sure. */
static char *
without_password (const char *message, const char *dsn)
{
  PQconninfoOption *options = PQconninfoParse (dsn, NULL);
  GString *out = g_string_new (message);

  for (PQconninfoOption *o = options; o != NULL && o->keyword != NULL; o++)
    if (strcmp (o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
      g_string_replace (out, o->val, "***", 0);
  PQconninfoFree (options);
  /* libpq's second line ("\n\tIs the server running…") goes on the first: one line */
  g_strdelimit (out->str, "\n\t\r", ' ');
  while (g_string_replace (out, "  ", " ", 0) > 0)
    ;
  g_strstrip (out->str);
  return g_string_free (out, FALSE);
}

/* On a worker thread: a PostgreSQL integration is made only when its database answers. */
static gboolean
dsn_checked (IntData *d, const char *dsn)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (fd_sink_postgres_check (dsn, &error))
    return TRUE;
  message = without_password (error != NULL ? error->message : "cannot connect to PostgreSQL", dsn);
  set_bad (d, "dsn", "unreachable", g_strdup_printf ("dsn: %s", message));
  return FALSE;
}

static gboolean
postgres_create_worker (FdApiJob *job, GError **error)
{
  IntData *d = job->data;

  if (!dsn_checked (d, d->body.dsn))
    return TRUE;
  return fd_store_write_sync (d->store, create_job, job, error);
}

static void
integration_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  FdApiJob *job;
  IntData *d;
  const char *field;
  char *message;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL)
    return;
  job = int_job_new (req, &d);
  if (!fd_api_integration_body_parse (req, obj, TRUE, &d->body))
    {
      fd_api_job_free (job);
      return;
    }
  d->integration = g_new0 (FdIntegration, 1);
  d->integration->workspace_id = g_strdup (req->path_id);
  d->integration->type = d->body.type;
  if (!fd_api_integration_apply (&d->body, d->integration, TRUE, &field, &message))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", field, "%s", message);
      g_free (message);
      fd_api_job_free (job);
      return;
    }
  if (d->integration->type == FD_INTEGRATION_WEBHOOK)
    {
      d->secret = g_strdup (d->integration->secret);
      fd_api_run_write (req, create_job, job, created_reply);
    }
  else
    fd_api_run_worker (req, postgres_create_worker, job, created_reply);
}

/* --- read --- */

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  IntData *d = job->data;

  d->integration = fd_store_integration_get (db, job->id, error);
  return d->integration != NULL;
}

static void
integration_get (FdApiRequest *req)
{
  IntData *d;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "int", "integration"))
    return;
  fd_api_run_read (req, get_job, int_job_new (req, &d), get_reply);
}

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_integration_list (db, job->id, job->from, job->size, &job->page, error);
}

static void
list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint n = 0; n < job->page.items->len; n++)
    json_builder_add_value (b, integration_node (req, job->page.items->pdata[n], NULL));
  json_builder_end_array (b);
  fd_api_json_int (b, "total", job->page.total);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
integration_list (FdApiRequest *req)
{
  fd_api_run_page (req, "wks", "workspace", list_job, list_reply);
}

/* --- change --- */

static gboolean
patch_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  IntData *d = job->data;
  const char *field;
  char *message;

  d->integration = fd_store_integration_get (db, job->id, error);
  if (d->integration == NULL)
    return FALSE;
  if (!fd_api_integration_apply (&d->body, d->integration, FALSE, &field, &message))
    {
      set_bad (d, field, "invalid_field", message);
      return TRUE;
    }
  if (!fd_store_integration_update (db, d->integration, fd_now_ms (), error))
    {
      /* the row was just read in this transaction: a NOT_FOUND is a fleet of the filter */
      if (error != NULL && g_error_matches (*error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        {
          set_bad (d, "fleets", "invalid_field", g_strdup_printf ("fleets: %s", (*error)->message));
          g_clear_error (error);
          return TRUE;
        }
      return FALSE;
    }
  g_clear_pointer (&d->integration, fd_integration_free);
  d->integration = fd_store_integration_get (db, job->id, error);
  return d->integration != NULL
         && fd_api_audit (db, job, "integration.update", job->id, error, "name",
                          d->integration->name, NULL);
}

static gboolean
read_type_job (FdDb *db, gpointer data, GError **error)
{
  return get_job (db, data, error);
}

/* A new DSN is checked like a create's, once the integration is known to be PostgreSQL's. */
static gboolean
postgres_patch_worker (FdApiJob *job, GError **error)
{
  IntData *d = job->data;

  if (!fd_store_read_sync (d->store, read_type_job, job, error))
    return FALSE;
  if (d->integration->type == FD_INTEGRATION_POSTGRESQL && !dsn_checked (d, d->body.dsn))
    return TRUE;
  g_clear_pointer (&d->integration, fd_integration_free);
  return fd_store_write_sync (d->store, patch_job, job, error);
}

static void
integration_patch (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  FdApiJob *job;
  IntData *d;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "int", "integration"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL)
    return;
  job = int_job_new (req, &d);
  if (!fd_api_integration_body_parse (req, obj, FALSE, &d->body))
    {
      fd_api_job_free (job);
      return;
    }
  if (d->body.dsn != NULL)
    fd_api_run_worker (req, postgres_patch_worker, job, changed_reply);
  else
    fd_api_run_write (req, patch_job, job, changed_reply);
}

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_integration_delete (db, job->id, error)
         && fd_api_audit (db, job, "integration.delete", job->id, error, NULL);
}

static void
delete_reply (FdApiRequest *req, FdApiJob *job)
{
  reload (req, job->id);
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
integration_delete (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "int", "integration"))
    return;
  fd_api_run_write (req, delete_job, fd_api_job_new (req), delete_reply);
}

static gboolean
pause_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  gboolean paused = g_str_equal (job->action, "pause");

  return fd_store_integration_set_paused (db, job->id, paused, fd_now_ms (), error)
         && fd_api_audit (db, job, paused ? "integration.pause" : "integration.resume", job->id,
                          error, NULL)
         && get_job (db, data, error);
}

static void
pause_or_resume (FdApiRequest *req, const char *action)
{
  IntData *d;
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "int", "integration"))
    return;
  job = int_job_new (req, &d);
  job->action = g_strdup (action);
  fd_api_run_write (req, pause_job, job, changed_reply);
}

static void
integration_pause (FdApiRequest *req)
{
  pause_or_resume (req, "pause");
}

static void
integration_resume (FdApiRequest *req)
{
  pause_or_resume (req, "resume");
}

static gboolean
replay_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  IntData *d = job->data;
  g_autofree char *from = fd_time_format_ms (d->replay_from);

  return fd_store_integration_replay (db, job->id, d->replay_from, fd_now_ms (), error)
         && fd_api_audit (db, job, "integration.replay", job->id, error, "from", from, NULL)
         && get_job (db, data, error);
}

static void
integration_replay (FdApiRequest *req)
{
  static const char *const allowed[] = { "from", NULL };
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  JsonNode *from;
  FdApiJob *job;
  IntData *d;
  gint64 ms = -1;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "int", "integration"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, allowed))
    return;
  from = json_object_get_member (obj, "from");
  if (from != NULL && JSON_NODE_HOLDS_VALUE (from)
      && json_node_get_value_type (from) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (from);
      if (!fd_time_parse_rfc3339 (text, strlen (text), &ms))
        ms = -1;
    }
  else if (from != NULL && JSON_NODE_HOLDS_VALUE (from)
           && json_node_get_value_type (from) == G_TYPE_INT64)
    ms = json_node_get_int (from);
  if (ms < 0)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "from",
                          from == NULL ? "from (an RFC 3339 time such as 2026-11-27T10:00:00Z, "
                                         "or epoch milliseconds) is required"
                                       : "from must be an RFC 3339 time such as "
                                         "2026-11-27T10:00:00Z, or epoch milliseconds");
      return;
    }
  job = int_job_new (req, &d);
  d->replay_from = ms;
  fd_api_run_write (req, replay_job, job, changed_reply);
}

/* --- the delivery log --- */

static gboolean
deliveries_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_delivery_list (db, job->id, job->search, job->from, job->size, &job->page, error);
}

static void
deliveries_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, fd_api_json_delivery);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
integration_deliveries (FdApiRequest *req)
{
  static const char *const allowed[] = { "from", "size", "outcome", NULL };
  static const char *const outcomes[] = { "delivered", "retry", "failed", "dropped", NULL };
  const char *outcome;
  FdApiJob *job;
  gint64 from, size;

  if (!fd_api_check_params (req, allowed) || !fd_api_path_id (req, "int", "integration")
      || !fd_api_param_paging (req, &from, &size) || !fd_api_param (req, "outcome", &outcome))
    return;
  if (outcome != NULL && !g_strv_contains (outcomes, outcome))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "outcome",
                          "outcome must be delivered, retry, failed or dropped");
      return;
    }
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  job->search = g_strdup (outcome);
  fd_api_run_read (req, deliveries_job, job, deliveries_reply);
}

const FdApiRoute fd_api_integration_routes[] = {
  { "POST", "/workspaces/{id}/integrations", integration_create, FALSE, 0 },
  { "GET", "/workspaces/{id}/integrations", integration_list, FALSE, 0 },
  { "POST", "/workspaces/{id}/integrations/test", fd_api_integration_test_unsaved, FALSE, 0 },
  { "GET", "/integrations/{id}", integration_get, FALSE, 0 },
  { "PATCH", "/integrations/{id}", integration_patch, FALSE, 0 },
  { "DELETE", "/integrations/{id}", integration_delete, FALSE, 0 },
  { "POST", "/integrations/{id}/pause", integration_pause, FALSE, 0 },
  { "POST", "/integrations/{id}/resume", integration_resume, FALSE, 0 },
  { "POST", "/integrations/{id}/replay", integration_replay, FALSE, 0 },
  { "POST", "/integrations/{id}/test", fd_api_integration_test, FALSE, 0 },
  { "GET", "/integrations/{id}/deliveries", integration_deliveries, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
