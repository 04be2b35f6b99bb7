/* fd-api-retention.c — POST /server/retention: a retention pass now, answered with what it
 * deleted once it is done, and written to the audit log. */
#include "fd-api-private.h"

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg;
  FdRetentionCounts counts;
  char *actor;
} RetentionCall;

static void
call_free (RetentionCall *call)
{
  g_free (call->actor);
  g_free (call);
}

static void
reply_counts (RetentionCall *call)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  fd_api_json_int (b, "samples_deleted", call->counts.samples_deleted);
  fd_api_json_int (b, "points_deleted", call->counts.points_deleted);
  fd_api_json_int (b, "rollups_deleted", call->counts.rollups_deleted);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (call->req, SOUP_STATUS_OK, node);
}

static gboolean
audit_job (FdDb *db, gpointer data, GError **error)
{
  RetentionCall *call = data;
  g_autofree char *detail = g_strdup_printf (
      "{\"samples_deleted\":%" G_GINT64_FORMAT ",\"points_deleted\":%" G_GINT64_FORMAT
      ",\"rollups_deleted\":%" G_GINT64_FORMAT "}",
      call->counts.samples_deleted, call->counts.points_deleted, call->counts.rollups_deleted);

  return fd_store_audit_add (db, call->actor, "server.retention", "server", detail, error);
}

static void
audit_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RetentionCall *call = fd_store_run_get_data (result);
  SoupServerMessage *msg = call->msg;
  g_autoptr (GError) error = NULL;

  /* The pass committed what it deleted either way: say so, even if the audit entry failed. */
  if (!fd_store_run_finish (result, &error))
    g_warning ("could not write the audit entry of a retention pass: %s", error->message);
  reply_counts (call);
  fd_api_resume (msg);
}

static void
pass_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RetentionCall *call = user_data;
  g_autoptr (GError) error = NULL;

  if (!fd_retention_run_finish (result, &call->counts, &error))
    {
      SoupServerMessage *msg = call->msg;

      fd_api_reply_gerror (call->req, error);
      fd_api_resume (msg);
      call_free (call);
      return;
    }
  fd_store_write_async (call->req->api->store, audit_job, call, (GDestroyNotify)call_free,
                        audit_done, NULL);
}

void
fd_api_retention_run (FdApiRequest *req)
{
  RetentionCall *call;

  if (!fd_api_check_params (req, NULL))
    return;
  if (req->api->context.retention == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                          "retention does not run in this server");
      return;
    }
  call = g_new0 (RetentionCall, 1);
  call->req = req;
  call->actor = g_strdup (req->actor);
  call->msg = fd_api_pause (req);
  fd_retention_run_async (req->api->context.retention, pass_done, call);
}
