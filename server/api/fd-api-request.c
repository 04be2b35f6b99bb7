/* fd-api-request.c — replies, query parameters, bodies and store jobs for a request. */
#include "fd-api-private.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"

#include <string.h>

/* Every answer closes its connection. libsoup 3.2 (Debian 12) never closes a server-side socket
 * whose client hung up an idle keep-alive connection (fixed upstream in 3.3, commit d20c6601):
 * every `curl` or `fleetdesk-cli` call would leak a file descriptor until the server stopped
 * accepting. When the server closes after its answer, the socket is freed. On loopback a new
 * connection per request costs tens of microseconds. It also makes shutdown clean: no client
 * has a next request in flight on a connection that is about to close. */
static void
set_status (FdApiRequest *req, guint status)
{
  soup_server_message_set_status (req->msg, status, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Connection",
                                "close");
}

static void
request_free (FdApiRequest *req)
{
  if (req->params != NULL)
    {
      for (guint i = 0; i < req->params->len; i++)
        {
          FdApiParam *p = g_ptr_array_index (req->params, i);
          g_free (p->key);
          g_free (p->value);
          g_free (p);
        }
      g_ptr_array_unref (req->params);
    }
  g_free (req->path_id);
  g_free (req->path_sub);
  g_free (req->actor);
  g_free (req->token_id);
  g_object_unref (req->msg);
  g_free (req);
}

void
fd_api_reply_json (FdApiRequest *req, guint status, JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  gsize len = strlen (text);

  set_status (req, status);
  soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), len);
  request_free (req);
}

void
fd_api_reply_bytes (FdApiRequest *req, guint status, const char *content_type, GBytes *body)
{
  set_status (req, status);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (req->msg),
                                         content_type, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (req->msg), body);
  request_free (req);
}

void
fd_api_reply_json_text (FdApiRequest *req, guint status, char *text, gsize len)
{
  set_status (req, status);
  soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_TAKE, text, len);
  request_free (req);
}

void
fd_api_request_done (FdApiRequest *req)
{
  request_free (req);
}

void
fd_api_reply_empty (FdApiRequest *req, guint status)
{
  set_status (req, status);
  request_free (req);
}

void
fd_api_reply_error (FdApiRequest *req, guint status, const char *code, const char *field,
                    const char *format, ...)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  if (field != NULL)
    {
      json_builder_set_member_name (b, "field");
      json_builder_add_string_value (b, field);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, status, node);
}

void
fd_api_reply_gerror (FdApiRequest *req, const GError *error)
{
  if (error->domain == FD_STORE_ERROR)
    switch ((FdStoreError)error->code)
      {
      case FD_STORE_ERROR_NOT_FOUND:
        fd_api_reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "%s", error->message);
        return;
      case FD_STORE_ERROR_CONFLICT:
        fd_api_reply_error (req, SOUP_STATUS_CONFLICT, "conflict", NULL, "%s", error->message);
        return;
      case FD_STORE_ERROR_INVALID:
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", req->invalid_field, "%s",
                            error->message);
        return;
      case FD_STORE_ERROR_CLOSED:
        fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down", NULL, "%s",
                            error->message);
        return;
      case FD_STORE_ERROR_FAILED:
      case FD_STORE_ERROR_SCHEMA_NEWER:
      default:
        break;
      }
  g_warning ("API request failed: %s", error->message);
  fd_api_reply_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                      "the server could not complete the request; nothing was changed (%s)",
                      error->message);
}

FdApiJob *
fd_api_job_new (FdApiRequest *req)
{
  FdApiJob *job = g_new0 (FdApiJob, 1);

  job->actor = g_strdup (req->actor);
  job->id = g_strdup (req->path_id);
  job->firmware = req->api->context.firmware;
  return job;
}

void
fd_api_job_free (FdApiJob *job)
{
  g_free (job->actor);
  g_free (job->id);
  g_free (job->name);
  g_free (job->description);
  g_free (job->fleet_id);
  g_free (job->search);
  g_strfreev (job->fleets);
  g_free (job->action);
  g_free (job->target);
  fd_page_clear (&job->page);
  if (job->secret != NULL)
    explicit_bzero (job->secret, strlen (job->secret));
  g_free (job->secret);
  g_free (job->secret_hash);
  if (job->result != NULL && job->result_free != NULL)
    job->result_free (job->result);
  if (job->data != NULL && job->data_free != NULL)
    job->data_free (job->data);
  g_free (job);
}

typedef struct
{
  FdApiRequest *req;
  SoupServerMessage *msg; /* fd_api_pause()'s: outlives the request, which the reply frees */
  FdApiReplyFunc reply;
} RunCall;

/* A request counts as in flight from the moment it waits for the store until its answer has
 * been written (or its client went away): that is what shutdown waits for. */
static void
message_finished (SoupServerMessage *msg, gpointer user_data)
{
  FdApi *api = user_data;

  if (g_object_steal_data (G_OBJECT (msg), "fd-in-flight") != NULL)
    api->in_flight--;
}

SoupServerMessage *
fd_api_pause (FdApiRequest *req)
{
  req->api->in_flight++;
  g_object_set_data (G_OBJECT (req->msg), "fd-in-flight", GINT_TO_POINTER (1));
  g_signal_connect (req->msg, "finished", G_CALLBACK (message_finished), req->api);
  soup_server_message_pause (req->msg);
  return g_object_ref (req->msg);
}

void
fd_api_resume (SoupServerMessage *msg)
{
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static void
run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RunCall *call = user_data;
  FdApiRequest *req = call->req;
  g_autoptr (GError) error = NULL;

  if (fd_store_run_finish (result, &error))
    call->reply (req, fd_store_run_get_data (result));
  else
    fd_api_reply_gerror (req, error);
  fd_api_resume (call->msg);
  g_free (call);
}

static void
run_job (FdApiRequest *req, FdStoreFunc func, FdApiJob *job, FdApiReplyFunc reply, gboolean write)
{
  RunCall *call = g_new (RunCall, 1);

  call->req = req;
  call->reply = reply;
  call->msg = fd_api_pause (req);
  if (write)
    fd_store_write_async (req->api->store, func, job, (GDestroyNotify)fd_api_job_free, run_done,
                          call);
  else
    fd_store_read_async (req->api->store, func, job, (GDestroyNotify)fd_api_job_free, run_done,
                         call);
}

typedef struct
{
  FdApiWorkerFunc func;
  FdApiJob *job;
} WorkerCall;

static void
worker_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  WorkerCall *w = task_data;
  GError *error = NULL;

  if (w->func (w->job, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
worker_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RunCall *call = user_data;
  FdApiRequest *req = call->req;
  WorkerCall *w = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  req->api->workers--;
  if (g_task_propagate_boolean (G_TASK (result), &error))
    call->reply (req, w->job);
  else
    fd_api_reply_gerror (req, error);
  fd_api_resume (call->msg);
  g_free (call);
}

static void
worker_call_free (WorkerCall *w)
{
  fd_api_job_free (w->job);
  g_free (w);
}

void
fd_api_run_worker (FdApiRequest *req, FdApiWorkerFunc func, FdApiJob *job, FdApiReplyFunc reply)
{
  RunCall *call = g_new (RunCall, 1);
  WorkerCall *w = g_new (WorkerCall, 1);
  g_autoptr (GTask) task = g_task_new (NULL, NULL, worker_done, call);

  call->req = req;
  call->reply = reply;
  w->func = func;
  w->job = job;
  req->api->workers++;
  call->msg = fd_api_pause (req);
  g_task_set_task_data (task, w, (GDestroyNotify)worker_call_free);
  g_task_run_in_thread (task, worker_thread);
}

void
fd_api_run_write (FdApiRequest *req, FdStoreFunc func, FdApiJob *job, FdApiReplyFunc reply)
{
  run_job (req, func, job, reply, TRUE);
}

void
fd_api_run_read (FdApiRequest *req, FdStoreFunc func, FdApiJob *job, FdApiReplyFunc reply)
{
  run_job (req, func, job, reply, FALSE);
}

void
fd_api_run_page (FdApiRequest *req, const char *prefix, const char *what, FdStoreFunc func,
                 FdApiReplyFunc reply)
{
  static const char *const paging_params[] = { "from", "size", NULL };
  FdApiJob *job;
  gint64 from, size;

  if (!fd_api_check_params (req, paging_params) || !fd_api_path_id (req, prefix, what)
      || !fd_api_param_paging (req, &from, &size))
    return;
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  fd_api_run_read (req, func, job, reply);
}

gboolean
fd_api_check_params (FdApiRequest *req, const char *const *allowed)
{
  for (guint i = 0; i < req->params->len; i++)
    {
      FdApiParam *p = g_ptr_array_index (req->params, i);
      if (allowed == NULL || !g_strv_contains (allowed, p->key))
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", p->key,
                              "unknown query parameter \"%s\"", p->key);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
fd_api_param (FdApiRequest *req, const char *key, const char **value)
{
  *value = NULL;
  for (guint i = 0; i < req->params->len; i++)
    {
      FdApiParam *p = g_ptr_array_index (req->params, i);
      if (!g_str_equal (p->key, key))
        continue;
      if (*value != NULL)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", key,
                              "the query parameter \"%s\" may appear only once", key);
          return FALSE;
        }
      *value = p->value;
    }
  return TRUE;
}

char **
fd_api_param_all (FdApiRequest *req, const char *key)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < req->params->len; i++)
    {
      FdApiParam *p = g_ptr_array_index (req->params, i);
      if (g_str_equal (p->key, key))
        g_strv_builder_add (builder, p->value);
    }
  return g_strv_builder_end (builder);
}

/* Every value of the repeatable @key, each checked by @check (NULL when good, else why not). */
static gboolean
param_list (FdApiRequest *req, const char *key, const char *(*check) (const char *), char ***out)
{
  g_auto (GStrv) values = fd_api_param_all (req, key);

  for (guint i = 0; values[i] != NULL; i++)
    {
      const char *why = check (values[i]);
      if (why != NULL)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", key, "%s", why);
          return FALSE;
        }
    }
  *out = values[0] != NULL ? g_steal_pointer (&values) : NULL;
  return TRUE;
}

static const char *
check_tag (const char *tag)
{
  return fd_tag_check (tag, strlen (tag));
}

static const char *
check_device (const char *id)
{
  return fd_id_is_valid (id, "dev") ? NULL : "device must be a device ID like dev-…";
}

static const char *
check_fleet (const char *id)
{
  return fd_id_is_valid (id, "flt") ? NULL : "fleet must be a fleet ID like flt-…";
}

gboolean
fd_api_param_selection_lists (FdApiRequest *req, char ***tags, char ***devices, char ***fleets)
{
  return param_list (req, "tag", check_tag, tags)
         && param_list (req, "device", check_device, devices)
         && param_list (req, "fleet", check_fleet, fleets);
}

static gboolean
param_int (FdApiRequest *req, const char *key, gint64 min, gint64 max, gint64 *value)
{
  const char *text;
  guint64 parsed;

  if (!fd_api_param (req, key, &text))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, (guint64)MAX (min, 0), (guint64)max, &parsed, NULL))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", key,
                          "the query parameter \"%s\" must be an integer from %" G_GINT64_FORMAT
                          " to %" G_GINT64_FORMAT,
                          key, min, max);
      return FALSE;
    }
  *value = (gint64)parsed;
  return TRUE;
}

gboolean
fd_api_param_int (FdApiRequest *req, const char *key, gint64 min, gint64 max, gint64 *value)
{
  return param_int (req, key, min, max, value);
}

void
fd_api_page_slice (FdPage *page, gint64 from, gint64 size)
{
  guint len = page->items ? page->items->len : 0;
  guint start = (guint)MIN ((gint64)len, from);
  guint end = (guint)MIN ((gint64)len, from + size);

  if (page->items == NULL)
    return;
  if (end < len)
    g_ptr_array_remove_range (page->items, end, len - end);
  if (start > 0)
    g_ptr_array_remove_range (page->items, 0, start);
}

gboolean
fd_api_param_paging (FdApiRequest *req, gint64 *from, gint64 *size)
{
  *from = 0;
  *size = FD_API_DEFAULT_PAGE;
  return param_int (req, "from", 0, G_MAXINT32, from)
         && param_int (req, "size", 1, FD_API_MAX_PAGE, size);
}

gboolean
fd_api_param_search (FdApiRequest *req, char **search)
{
  const char *text;

  *search = NULL;
  if (!fd_api_param (req, "search", &text))
    return FALSE;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (g_utf8_strlen (text, -1) > FD_API_MAX_NAME)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "search",
                          "the search text is longer than %d characters", FD_API_MAX_NAME);
      return FALSE;
    }
  *search = g_strdup (text);
  return TRUE;
}

gboolean
fd_api_param_bool (FdApiRequest *req, const char *key, gboolean *value)
{
  const char *text;

  *value = FALSE;
  if (!fd_api_param (req, key, &text))
    return FALSE;
  if (text == NULL || g_str_equal (text, "false"))
    return TRUE;
  if (g_str_equal (text, "true"))
    {
      *value = TRUE;
      return TRUE;
    }
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", key,
                      "the query parameter \"%s\" must be true or false", key);
  return FALSE;
}

gboolean
fd_api_path_id (FdApiRequest *req, const char *prefix, const char *what)
{
  if (fd_id_is_valid (req->path_id, prefix))
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "%s %s does not exist", what,
                      req->path_id);
  return FALSE;
}
