/* fd-api-exports.c — one-off exports: /workspaces/{id}/exports and /exports/{id}[/file|/cancel].
 * The work itself is done by the engine's FdExports (server/export/); these routes record an
 * export, hand it over, and show its row. */
#include "config.h"
#include "fd-api-export-private.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "ingest/fd-payload.h"
#include "query/fd-query.h"

#include <glib/gstdio.h>
#include <string.h>

static const char *const create_members[]
    = { "format", "start", "end", "tags", "fleets", "devices", "columns", "aggregate", NULL };

/* ---- the export object ---------------------------------------------------------------------- */

static void
json_optional_time (JsonBuilder *b, const char *member, gboolean set, gint64 ms)
{
  if (set)
    {
      g_autofree char *text = fd_time_format_ms (ms);
      fd_api_json_string (b, member, text);
    }
  else
    fd_api_json_string (b, member, NULL);
}

void
fd_api_json_export (JsonBuilder *b, gconstpointer record)
{
  const FdExport *e = record;
  gboolean done = g_strcmp0 (e->state, "done") == 0;
  g_autofree char *name = done && e->file ? g_path_get_basename (e->file) : NULL;

  json_builder_begin_object (b);
  fd_api_json_string (b, "id", e->id);
  fd_api_json_string (b, "workspace_id", e->workspace_id);
  fd_api_json_string (b, "schedule_id", e->schedule_id);
  fd_api_json_string (b, "format", e->format);
  fd_api_json_selection (b, e->selection);
  json_optional_time (b, "start", e->has_start, e->start);
  json_optional_time (b, "end", e->has_end, e->end);
  json_builder_set_member_name (b, "aggregate");
  {
    g_autoptr (JsonNode) sel = json_from_string (e->selection, NULL);
    JsonNode *agg = sel != NULL && JSON_NODE_HOLDS_OBJECT (sel)
                        ? json_object_get_member (json_node_get_object (sel), "aggregate")
                        : NULL;
    if (agg != NULL && JSON_NODE_HOLDS_OBJECT (agg))
      {
        JsonObject *o = json_node_get_object (agg);
        json_builder_begin_object (b);
        fd_api_json_string (b, "field", json_object_get_string_member (o, "field"));
        fd_api_json_string (b, "fn", json_object_get_string_member (o, "fn"));
        fd_api_json_string (b, "bucket", json_object_get_string_member (o, "bucket"));
        fd_api_json_string (b, "group", json_object_get_string_member (o, "group"));
        json_builder_end_object (b);
      }
    else
      json_builder_add_null_value (b);
  }
  fd_api_json_string (b, "state", e->state);
  json_builder_set_member_name (b, "progress");
  json_builder_add_double_value (b, e->progress);
  fd_api_json_int (b, "rows", e->rows);
  fd_api_json_int (b, "bytes", e->bytes);
  fd_api_json_string (b, "error", e->error);
  fd_api_json_string (b, "file_name", name);
  fd_api_json_time (b, "created_at", e->created_at);
  fd_api_json_time (b, "started_at", e->started_at);
  fd_api_json_time (b, "finished_at", e->finished_at);
  json_builder_end_object (b);
}

/* ---- POST /workspaces/{id}/exports ---------------------------------------------------------- */

typedef struct
{
  FdApiSelection selection;
  FdExport *row;
  const char *bad_member;
  char *bad_message;
} CreateData;

static void
create_data_free (gpointer data)
{
  CreateData *d = data;

  fd_api_selection_clear (&d->selection);
  fd_export_free (d->row);
  g_free (d->bad_message);
  g_free (d);
}

gboolean
fd_api_export_need_exports (FdApiRequest *req)
{
  if (req->api->context.exports != NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                      "this server runs no exports");
  return FALSE;
}

/* "start" / "end": RFC 3339 or epoch ms; *@set FALSE when absent. */
static gboolean
body_time (FdApiRequest *req, JsonObject *obj, const char *member, gboolean *set, gint64 *ms)
{
  JsonNode *node = json_object_get_member (obj, member);

  *set = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      if (fd_time_parse_rfc3339 (text, strlen (text), ms))
        {
          *set = TRUE;
          return TRUE;
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
           && json_node_get_int (node) >= 0)
    {
      *ms = json_node_get_int (node);
      *set = TRUE;
      return TRUE;
    }
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                      "%s must be an RFC 3339 time (2026-11-27T10:00:00Z) or epoch milliseconds",
                      member);
  return FALSE;
}

static gboolean
create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  CreateData *d = job->data;

  if (!fd_api_selection_check_new (db, job->id, &d->selection, &d->bad_member, &d->bad_message,
                                   error))
    return FALSE;
  if (d->bad_member != NULL)
    return TRUE;
  if (d->selection.aggregate != NULL)
    {
      g_autoptr (JsonNode) agg = json_from_string (d->selection.aggregate, NULL);
      const char *field = json_object_get_string_member (json_node_get_object (agg), "field");
      gboolean known = FALSE, numeric = FALSE;

      if (!fd_query_field_type (db, job->id, (const char *const *)d->selection.tags, field, &known,
                                &numeric, error))
        return FALSE;
      if (!known || !numeric)
        {
          d->bad_member = "aggregate";
          d->bad_message = g_strdup_printf ("%s is not %s field of tag %s", field,
                                            known ? "a numeric" : "a", d->selection.tags[0]);
          return TRUE;
        }
    }
  return fd_store_export_insert (db, d->row, error)
         && fd_api_audit (db, job, "export.create", d->row->id, error, "format", d->row->format,
                          NULL);
}

static void
reply_export (FdApiRequest *req, guint status, const FdExport *e)
{
  g_autoptr (JsonNode) node = fd_api_json_one (e, fd_api_json_export);
  fd_api_reply_json (req, status, node);
}

static void
create_reply (FdApiRequest *req, FdApiJob *job)
{
  CreateData *d = job->data;

  if (d->bad_member != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", d->bad_member, "%s",
                          d->bad_message);
      return;
    }
  fd_exports_submit (req->api->context.exports, d->row);
  reply_export (req, SOUP_STATUS_ACCEPTED, d->row);
}

static void
export_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  CreateData *d;
  FdExport *e;
  FdApiJob *job;
  JsonNode *aggregate;
  g_autofree char *name = NULL;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_export_need_exports (req))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, create_members))
    return;
  d = g_new0 (CreateData, 1);
  e = d->row = g_new0 (FdExport, 1);
  if (!fd_api_selection_parse (req, obj, TRUE, &d->selection)
      || !body_time (req, obj, "start", &e->has_start, &e->start)
      || !body_time (req, obj, "end", &e->has_end, &e->end))
    {
      create_data_free (d);
      return;
    }
  if (e->has_start && e->has_end && e->end <= e->start)
    {
      create_data_free (d);
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "end",
                          "end must be after start");
      return;
    }
  aggregate = json_object_get_member (obj, "aggregate");
  if (aggregate != NULL && !JSON_NODE_HOLDS_NULL (aggregate)
      && !fd_api_export_parse_aggregate (req, aggregate, &d->selection, e))
    {
      create_data_free (d);
      return;
    }
  e->id = fd_id_new ("exp");
  e->workspace_id = g_strdup (req->path_id);
  e->format = g_strdup (d->selection.format);
  e->selection = fd_api_selection_json (&d->selection);
  e->state = g_strdup ("queued");
  name = g_strdup_printf ("%s.%s", e->id, e->format);
  e->file = g_build_filename (fd_exports_get_dir (req->api->context.exports), name, NULL);
  e->actor = g_strdup (req->actor);
  e->created_at = fd_now_ms ();

  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = create_data_free;
  fd_api_run_write (req, create_job, job, create_reply);
}

/* ---- GET /workspaces/{id}/exports, GET /exports/{id} ---------------------------------------- */

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_export_list (db, job->id, job->from, job->size, &job->page, error);
}

void
fd_api_export_page_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, fd_api_json_export);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
export_list (FdApiRequest *req)
{
  fd_api_run_page (req, "wks", "workspace", list_job, fd_api_export_page_reply);
}

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  job->result = fd_store_export_get (db, job->id, error);
  job->result_free = (GDestroyNotify)fd_export_free;
  return job->result != NULL;
}

static void
get_reply (FdApiRequest *req, FdApiJob *job)
{
  reply_export (req, SOUP_STATUS_OK, job->result);
}

static void
export_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exp", "export"))
    return;
  fd_api_run_read (req, get_job, fd_api_job_new (req), get_reply);
}

/* ---- GET /exports/{id}/file ----------------------------------------------------------------- */

static void
file_reply (FdApiRequest *req, FdApiJob *job)
{
  const FdExport *e = job->result;
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) mapped = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  g_autofree char *disposition = NULL;

  if (g_strcmp0 (e->state, "done") != 0)
    {
      fd_api_reply_error (req, SOUP_STATUS_CONFLICT, "not_ready", NULL,
                          "export %s is %s; its file can be downloaded once it is done", e->id,
                          e->state);
      return;
    }
  if (e->file == NULL || (mapped = g_mapped_file_new (e->file, FALSE, &error)) == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", NULL,
                          "the file of export %s is gone (one-off export files are kept 7 days)",
                          e->id);
      return;
    }
  /* The mapping stays valid after the file is deleted (an expiry, a DELETE): the download
   * in progress completes. */
  bytes = g_mapped_file_get_bytes (mapped);
  name = g_path_get_basename (e->file);
  disposition = g_strdup_printf ("attachment; filename=\"%s\"", name);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Content-Disposition", disposition);
  fd_api_reply_bytes (req, SOUP_STATUS_OK, fd_export_content_type (e->format), bytes);
}

static void
export_file (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exp", "export"))
    return;
  fd_api_run_read (req, get_job, fd_api_job_new (req), file_reply);
}

/* ---- POST /exports/{id}/cancel, DELETE /exports/{id} ---------------------------------------- */

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg;
  FdApiJob *job;
  gboolean delete;
} CancelCall;

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  char *file = NULL;

  if (!fd_store_export_delete (db, job->id, &file, error))
    return FALSE;
  job->result = file;
  job->result_free = g_free;
  return fd_api_audit (db, job, "export.delete", job->id, error, NULL);
}

static void
cancel_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CancelCall *call = user_data;
  FdApiJob *job = fd_store_run_get_data (result);
  g_autoptr (GError) error = NULL;

  if (!fd_store_run_finish (result, &error))
    fd_api_reply_gerror (call->req, error);
  else if (call->delete)
    {
      if (job->result != NULL)
        {
          g_autofree char *part = g_strconcat (job->result, ".part", NULL);
          g_unlink (job->result);
          g_unlink (part);
        }
      fd_api_reply_empty (call->req, SOUP_STATUS_NO_CONTENT);
    }
  else
    {
      const FdExport *e = job->result;
      if (g_strcmp0 (e->state, "canceled") == 0)
        reply_export (call->req, SOUP_STATUS_OK, e);
      else
        fd_api_reply_error (call->req, SOUP_STATUS_CONFLICT, "conflict", NULL,
                            "export %s has ended already (%s)", e->id, e->state);
    }
  fd_api_resume (call->msg);
  g_free (call);
}

static void
canceled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CancelCall *call = user_data;
  g_autoptr (GError) error = NULL;

  fd_exports_cancel_finish (result, &error);
  if (call->delete)
    fd_store_write_async (call->req->api->store, delete_job, call->job,
                          (GDestroyNotify)fd_api_job_free, cancel_stored, call);
  else
    fd_store_read_async (call->req->api->store, get_job, call->job, (GDestroyNotify)fd_api_job_free,
                         cancel_stored, call);
}

static void
cancel_or_delete (FdApiRequest *req, gboolean delete)
{
  CancelCall *call;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "exp", "export")
      || !fd_api_export_need_exports (req))
    return;
  call = g_new0 (CancelCall, 1);
  call->req = req;
  call->job = fd_api_job_new (req);
  call->delete = delete;
  call->msg = fd_api_pause (req);
  fd_exports_cancel_async (req->api->context.exports, req->path_id, canceled, call);
}

static void
export_cancel (FdApiRequest *req)
{
  cancel_or_delete (req, FALSE);
}

static void
export_delete (FdApiRequest *req)
{
  cancel_or_delete (req, TRUE);
}

const FdApiRoute fd_api_export_routes[] = {
  { "POST", "/workspaces/{id}/exports", export_create, FALSE, 0 },
  { "GET", "/workspaces/{id}/exports", export_list, FALSE, 0 },
  { "GET", "/exports/{id}", export_get, FALSE, 0 },
  { "DELETE", "/exports/{id}", export_delete, FALSE, 0 },
  { "GET", "/exports/{id}/file", export_file, FALSE, 0 },
  { "POST", "/exports/{id}/cancel", export_cancel, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
