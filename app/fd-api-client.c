/* fd-api-client.c — asynchronous client of the operator REST API.
 *
 * Every request is a GTask around soup_session_send_and_read_async(); JSON is parsed on the
 * main thread (answers are pages of at most a few hundred objects) and an API error body
 * becomes a GError whose message is the API's, so the UI can show it as it is.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "fd-api-client-private.h"
#include "fd-json.h"

/* Enough for the device list to fetch several pages at once while other panes also load. */
#define FD_API_MAX_CONNS_PER_HOST 8
#define FD_API_TIMEOUT_SECONDS 60
/* The largest page the API serves (docs/rest-api.md). */
#define FD_API_MAX_PAGE_SIZE 1000

struct _FdApiClient
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url;
  char *token;
  char *authorization;
  GCancellable *cancel_all;
};

G_DEFINE_FINAL_TYPE (FdApiClient, fd_api_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (fd - api - error - quark, fd_api_error)

typedef struct
{
  SoupMessage *message;
  GCancellable *cancellable;
  GCancellable *cancel_all;
  gulong cancel_all_id;
  GCancellable *caller_cancellable;
  gulong caller_cancel_id;
  JsonObject *error_details; /* the "error" object of a failed answer */
} FdRequest;

static void
fd_request_free (FdRequest *request)
{
  if (request->cancel_all_id != 0)
    g_cancellable_disconnect (request->cancel_all, request->cancel_all_id);
  if (request->caller_cancel_id != 0)
    g_cancellable_disconnect (request->caller_cancellable, request->caller_cancel_id);
  g_clear_object (&request->cancel_all);
  g_clear_object (&request->caller_cancellable);
  g_clear_object (&request->message);
  g_clear_object (&request->cancellable);
  g_clear_pointer (&request->error_details, json_object_unref);
  g_free (request);
}

static const struct
{
  const char *code;
  FdApiError error;
} fd_api_codes[] = {
  { "malformed_json", FD_API_ERROR_MALFORMED_JSON },
  { "invalid_field", FD_API_ERROR_INVALID_FIELD },
  { "invalid_parameter", FD_API_ERROR_INVALID_PARAMETER },
  { "unauthorized", FD_API_ERROR_UNAUTHORIZED },
  { "not_found", FD_API_ERROR_NOT_FOUND },
  { "method_not_allowed", FD_API_ERROR_METHOD_NOT_ALLOWED },
  { "conflict", FD_API_ERROR_CONFLICT },
  { "payload_too_large", FD_API_ERROR_PAYLOAD_TOO_LARGE },
  { "internal", FD_API_ERROR_INTERNAL },
  { "invalid_csv", FD_API_ERROR_INVALID_CSV },
  { "unsupported_media_type", FD_API_ERROR_UNSUPPORTED_MEDIA_TYPE },
  { "shutting_down", FD_API_ERROR_SHUTTING_DOWN },
};

static FdApiError
fd_api_error_from_code (const char *code)
{
  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (fd_api_codes); i++)
    if (g_str_equal (code, fd_api_codes[i].code))
      return fd_api_codes[i].error;
  return FD_API_ERROR_UNKNOWN;
}

static void
fd_api_client_finalize (GObject *object)
{
  FdApiClient *self = FD_API_CLIENT (object);

  g_cancellable_cancel (self->cancel_all);
  g_clear_object (&self->cancel_all);
  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->authorization, g_free);

  G_OBJECT_CLASS (fd_api_client_parent_class)->finalize (object);
}

static void
fd_api_client_class_init (FdApiClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fd_api_client_finalize;
}

static void
fd_api_client_init (FdApiClient *self)
{
  /* The total limit (default 10) caps the per-host one: raise both. */
  self->session
      = g_object_new (SOUP_TYPE_SESSION, "max-conns", 2 * FD_API_MAX_CONNS_PER_HOST,
                      "max-conns-per-host", FD_API_MAX_CONNS_PER_HOST, "timeout",
                      FD_API_TIMEOUT_SECONDS, "user-agent", "fleetdesk/" PACKAGE_VERSION, NULL);
  self->cancel_all = g_cancellable_new ();
}

FdApiClient *
fd_api_client_new (const char *base_url, const char *token)
{
  FdApiClient *self;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (FD_TYPE_API_CLIENT, NULL);
  len = strlen (base_url);
  while (len > 0 && base_url[len - 1] == '/')
    len--;
  self->base_url = g_strndup (base_url, len);
  if (token != NULL && *token != '\0')
    {
      self->token = g_strdup (token);
      self->authorization = g_strdup_printf ("Bearer %s", token);
    }
  return self;
}

const char *
fd_api_client_get_base_url (FdApiClient *self)
{
  g_return_val_if_fail (FD_IS_API_CLIENT (self), NULL);
  return self->base_url;
}

const char *
fd_api_client_get_token (FdApiClient *self)
{
  g_return_val_if_fail (FD_IS_API_CLIENT (self), NULL);
  return self->token;
}

void
fd_api_client_cancel_all (FdApiClient *self)
{
  g_return_if_fail (FD_IS_API_CLIENT (self));

  g_cancellable_cancel (self->cancel_all);
  g_clear_object (&self->cancel_all);
  self->cancel_all = g_cancellable_new ();
}

static void
fd_api_client_forward_cancel_cb (GCancellable *cancellable, GCancellable *request_cancellable)
{
  g_cancellable_cancel (request_cancellable);
}

/* Builds the GError for a non-2xx answer, preferring the API's own message; keeps the
 * answer's "error" object in @details. */
GError *
fd_api_error_from_answer (SoupMessage *message, GBytes *bytes, JsonObject **details)
{
  guint status = soup_message_get_status (message);
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  if (data != NULL && size > 0 && json_parser_load_from_data (parser, data, size, NULL))
    {
      JsonNode *root = json_parser_get_root (parser);
      JsonObject *error_object = NULL;

      if (JSON_NODE_HOLDS_OBJECT (root))
        error_object = fd_json_get_member_object (json_node_get_object (root), "error");
      if (error_object != NULL)
        {
          const char *code = fd_json_get_string (error_object, "code");
          const char *text = fd_json_get_string (error_object, "message");

          *details = json_object_ref (error_object);

          if (text != NULL && *text != '\0')
            return g_error_new_literal (FD_API_ERROR, fd_api_error_from_code (code), text);
          if (code != NULL)
            return g_error_new (FD_API_ERROR, fd_api_error_from_code (code),
                                _ ("The server answered “%s”"), code);
        }
    }

  return g_error_new (
      FD_API_ERROR, status == 401 ? FD_API_ERROR_UNAUTHORIZED : FD_API_ERROR_UNKNOWN,
      _ ("The server answered %u %s"), status,
      soup_message_get_reason_phrase (message) ? soup_message_get_reason_phrase (message) : "");
}

/* Ends @task with @error (taken) from a request that got no answer: a cancellation as it is,
 * anything else named as the server not reached. */
static void
fd_api_client_return_unreached (FdApiClient *self, GTask *task, GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, error);
  else
    {
      g_task_return_new_error (task, error->domain, error->code,
                               _ ("Could not reach the server at %s: %s"), self->base_url,
                               error->message);
      g_error_free (error);
    }
}

static void
fd_api_client_send_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FdRequest *request = g_task_get_task_data (task);
  FdApiClient *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonParser) parser = NULL;
  guint status;
  gsize size = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      fd_api_client_return_unreached (self, task, g_steal_pointer (&error));
      return;
    }

  status = soup_message_get_status (request->message);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (
          task, fd_api_error_from_answer (request->message, bytes, &request->error_details));
      return;
    }

  data = g_bytes_get_data (bytes, &size);
  if (status == SOUP_STATUS_NO_CONTENT || size == 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, &error))
    {
      g_task_return_new_error (task, FD_API_ERROR, FD_API_ERROR_BAD_RESPONSE,
                               _ ("The server sent an answer that is not JSON: %s"),
                               error->message);
      return;
    }

  g_task_return_pointer (task, json_node_copy (json_parser_get_root (parser)),
                         (GDestroyNotify)json_node_unref);
}

void
fd_api_client_send_async (FdApiClient *self, const char *method, const char *path,
                          const char *content_type, GBytes *body, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *url = NULL;
  FdRequest *request;
  SoupMessageHeaders *headers;

  g_return_if_fail (FD_IS_API_CLIENT (self));
  g_return_if_fail (method != NULL && path != NULL && path[0] == '/');
  g_return_if_fail (body == NULL || content_type != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  /* One finish function for every kind of request. */
  g_task_set_source_tag (task, fd_api_client_request_async);

  url = g_strconcat (self->base_url, "/api/v1", path, NULL);
  request = g_new0 (FdRequest, 1);
  g_task_set_task_data (task, request, (GDestroyNotify)fd_request_free);

  request->message = soup_message_new (method, url);
  if (request->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("“%s” is not a valid server address"), self->base_url);
      return;
    }

  headers = soup_message_get_request_headers (request->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (self->authorization != NULL)
    soup_message_headers_replace (headers, "Authorization", self->authorization);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (request->message, content_type, body);

  /* One cancellable per request, cancelled by the caller's or by fd_api_client_cancel_all(). */
  request->cancellable = g_cancellable_new ();
  request->cancel_all = g_object_ref (self->cancel_all);
  request->cancel_all_id
      = g_cancellable_connect (self->cancel_all, G_CALLBACK (fd_api_client_forward_cancel_cb),
                               g_object_ref (request->cancellable), g_object_unref);
  if (cancellable != NULL)
    {
      request->caller_cancellable = g_object_ref (cancellable);
      request->caller_cancel_id
          = g_cancellable_connect (cancellable, G_CALLBACK (fd_api_client_forward_cancel_cb),
                                   g_object_ref (request->cancellable), g_object_unref);
    }

  soup_session_send_and_read_async (self->session, request->message, G_PRIORITY_DEFAULT,
                                    request->cancellable, fd_api_client_send_cb,
                                    g_steal_pointer (&task));
}

void
fd_api_client_request_async (FdApiClient *self, const char *method, const char *path,
                             JsonNode *body, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GBytes) bytes = NULL;

  if (body != NULL)
    {
      g_autofree char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);

      bytes = g_bytes_new_take (g_steal_pointer (&text), len);
    }
  fd_api_client_send_async (self, method, path, bytes != NULL ? "application/json" : NULL, bytes,
                            cancellable, callback, user_data);
}

JsonObject *
fd_api_client_get_error_details (GAsyncResult *result)
{
  FdRequest *request;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fd_api_client_request_async,
                        NULL);

  request = g_task_get_task_data (G_TASK (result));
  return request != NULL ? request->error_details : NULL;
}

JsonNode *
fd_api_client_request_finish (FdApiClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fd_api_client_request_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *path;
  GPtrArray *items; /* JsonObject */
  guint from;       /* the offset of the next page: items skipped as malformed count too */
} FdListAll;

static void
fd_list_all_free (FdListAll *list)
{
  g_free (list->path);
  g_ptr_array_unref (list->items);
  g_free (list);
}

static void fd_api_client_list_next (GTask *task);

static void
fd_api_client_list_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FdListAll *list = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonArray *items = NULL;
  guint total = 0;
  guint n;

  node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  if (error == NULL)
    items = fd_json_get_list (node, &total, &error);
  if (items == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  n = json_array_get_length (items);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      if (JSON_NODE_HOLDS_OBJECT (item))
        g_ptr_array_add (list->items, json_object_ref (json_node_get_object (item)));
    }

  list->from += n;
  if (n == 0 || list->from >= total)
    g_task_return_pointer (task, g_ptr_array_ref (list->items), (GDestroyNotify)g_ptr_array_unref);
  else
    fd_api_client_list_next (g_steal_pointer (&task));
}

static void
fd_api_client_list_next (GTask *task)
{
  FdListAll *list = g_task_get_task_data (task);
  g_autoptr (GString) path = g_string_new (list->path);
  g_autofree char *from = g_strdup_printf ("%u", list->from);
  g_autofree char *size = g_strdup_printf ("%u", FD_API_MAX_PAGE_SIZE);

  fd_api_path_add_query (path, "from", from);
  fd_api_path_add_query (path, "size", size);
  fd_api_client_request_async (g_task_get_source_object (task), "GET", path->str, NULL,
                               g_task_get_cancellable (task), fd_api_client_list_page_cb, task);
}

void
fd_api_client_list_all_async (FdApiClient *self, const char *path, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;
  FdListAll *list;

  g_return_if_fail (FD_IS_API_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fd_api_client_list_all_async);
  list = g_new0 (FdListAll, 1);
  list->path = g_strdup (path);
  list->items = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  g_task_set_task_data (task, list, (GDestroyNotify)fd_list_all_free);
  fd_api_client_list_next (task);
}

GPtrArray *
fd_api_client_list_all_finish (FdApiClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fd_api_client_list_all_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
fd_api_path_add_query (GString *path, const char *key, const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;

  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_c (path, strchr (path->str, '?') != NULL ? '&' : '?');
  g_string_append (path, key);
  g_string_append_c (path, '=');
  g_string_append (path, escaped);
}

char *
fd_api_path (const char *first_segment, ...)
{
  GString *path = g_string_new (NULL);
  const char *segment;
  va_list args;

  va_start (args, first_segment);
  for (segment = first_segment; segment != NULL; segment = va_arg (args, const char *))
    {
      g_autofree char *escaped = g_uri_escape_string (segment, NULL, FALSE);

      g_string_append_c (path, '/');
      g_string_append (path, escaped);
    }
  va_end (args);

  return g_string_free (path, FALSE);
}

/* Downloads */

/* An error answer is a small JSON object: read at most this much of it. */
#define FD_API_MAX_ERROR_BODY (64 * 1024)

typedef struct
{
  SoupMessage *message;
  GFile *destination;
  GFile *part; /* the temporary file, while it exists */
  gssize written;
} FdDownload;

/* Whatever went wrong, no partial file is left behind (before the caller hears of it). */
static void
fd_download_discard (FdDownload *download)
{
  if (download->part != NULL)
    g_file_delete (download->part, NULL, NULL);
  g_clear_object (&download->part);
}

static void
fd_download_free (FdDownload *download)
{
  fd_download_discard (download);
  g_clear_object (&download->message);
  g_clear_object (&download->destination);
  g_free (download);
}

static void
fd_api_client_download_spliced_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FdDownload *download = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  download->written = g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error);
  if (download->written < 0)
    {
      fd_download_discard (download);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      fd_download_discard (download);
      g_task_return_error_if_cancelled (task);
      return;
    }
  /* A rename within one folder: atomic, and quick enough for the main thread. */
  if (!g_file_move (download->part, download->destination, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL,
                    &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_object (&download->part);
  g_task_return_int (task, download->written);
}

static void
fd_api_client_download_error_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FdDownload *download = g_task_get_task_data (task);
  g_autoptr (GBytes) bytes
      = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);
  JsonObject *details = NULL;
  GError *error = fd_api_error_from_answer (download->message, bytes, &details);

  g_clear_pointer (&details, json_object_unref);
  g_task_return_error (task, error);
}

static void
fd_api_client_download_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FdDownload *download = g_task_get_task_data (task);
  FdApiClient *self = g_task_get_source_object (task);
  g_autoptr (GInputStream) body = NULL;
  g_autoptr (GFileOutputStream) out = NULL;
  g_autoptr (GFile) folder = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  body = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      fd_api_client_return_unreached (self, task, g_steal_pointer (&error));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (download->message)))
    {
      g_input_stream_read_bytes_async (body, FD_API_MAX_ERROR_BODY, G_PRIORITY_DEFAULT, cancellable,
                                       fd_api_client_download_error_cb, g_steal_pointer (&task));
      return;
    }

  /* A hidden name next to the destination, so that the final rename stays in one file system. */
  folder = g_file_get_parent (download->destination);
  base = g_file_get_basename (download->destination);
  name = g_strdup_printf (".%s.%08x.part", base, g_random_int ());
  download->part = g_file_get_child (folder, name);
  out = g_file_create (download->part, G_FILE_CREATE_PRIVATE, cancellable, &error);
  if (out == NULL)
    {
      g_clear_object (&download->part);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_output_stream_splice_async (
      G_OUTPUT_STREAM (out), body,
      G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT,
      cancellable, fd_api_client_download_spliced_cb, g_steal_pointer (&task));
}

void
fd_api_client_download_async (FdApiClient *self, const char *path, GFile *destination,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *url = NULL;
  FdDownload *download;

  g_return_if_fail (FD_IS_API_CLIENT (self));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (G_IS_FILE (destination));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fd_api_client_download_async);
  download = g_new0 (FdDownload, 1);
  download->destination = g_object_ref (destination);
  g_task_set_task_data (task, download, (GDestroyNotify)fd_download_free);

  url = g_strconcat (self->base_url, "/api/v1", path, NULL);
  download->message = soup_message_new ("GET", url);
  if (download->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("“%s” is not a valid server address"), self->base_url);
      return;
    }
  if (self->authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (download->message),
                                  "Authorization", self->authorization);
  soup_session_send_async (self->session, download->message, G_PRIORITY_DEFAULT, cancellable,
                           fd_api_client_download_sent_cb, g_steal_pointer (&task));
}

gssize
fd_api_client_download_finish (FdApiClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fd_api_client_download_async,
                        -1);

  return g_task_propagate_int (G_TASK (result), error);
}
