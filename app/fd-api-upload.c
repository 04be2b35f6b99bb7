/* fd-api-upload.c — a file sent to the API as the raw body of a POST, streamed from the disk.
 *
 * The file is opened and its size read first, so that the request has an exact
 * Content-Length (the server refuses an unknown length for firmware) and the progress a total;
 * libsoup then reads the GFileInputStream as it writes, and "wrote-body-data" says how far it
 * got. A cancelled upload closes the connection: the server drops what it had received.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-api-client-private.h"
#include "fd-api-upload.h"

/* Idle seconds before a stalled upload fails (a slow link still makes progress). */
#define FD_API_UPLOAD_TIMEOUT_S 120

typedef struct
{
  SoupSession *session;
  SoupMessage *message;
  char *url;
  goffset size;
  goffset sent;
  FdApiProgressFunc progress;
  gpointer progress_data;
  JsonObject *details;
} FdUpload;

static void
fd_upload_free (FdUpload *upload)
{
  if (upload->message != NULL)
    g_signal_handlers_disconnect_by_data (upload->message, upload);
  g_clear_object (&upload->message);
  g_clear_object (&upload->session);
  g_clear_pointer (&upload->details, json_object_unref);
  g_free (upload->url);
  g_free (upload);
}

static void
fd_upload_wrote_cb (SoupMessage *message, guint chunk, FdUpload *upload)
{
  upload->sent += chunk;
  if (upload->progress != NULL)
    upload->progress (MIN (upload->sent, upload->size), upload->size, upload->progress_data);
}

static void
fd_upload_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FdUpload *upload = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonParser) parser = NULL;
  gsize length = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, error->domain, error->code,
                                 _ ("Could not send the file to the server: %s"), error->message);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (upload->message)))
    {
      g_task_return_error (task,
                           fd_api_error_from_answer (upload->message, bytes, &upload->details));
      return;
    }
  data = g_bytes_get_data (bytes, &length);
  parser = json_parser_new ();
  if (length == 0 || !json_parser_load_from_data (parser, data, length, NULL))
    {
      g_task_return_new_error (task, FD_API_ERROR, FD_API_ERROR_BAD_RESPONSE,
                               _ ("The server sent an answer that is not JSON"));
      return;
    }
  g_task_return_pointer (task, json_node_copy (json_parser_get_root (parser)),
                         (GDestroyNotify)json_node_unref);
}

static void
fd_upload_opened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FdUpload *upload = g_task_get_task_data (task);
  FdApiClient *client = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileInputStream) stream = NULL;
  g_autoptr (GFileInfo) info = NULL;
  SoupMessageHeaders *headers;
  GCancellable *cancellable;
  const char *token = fd_api_client_get_token (client);

  stream = g_file_read_finish (G_FILE (source), result, &error);
  if (stream != NULL)
    info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  upload->size = g_file_info_get_size (info);

  upload->message = soup_message_new ("POST", upload->url);
  if (upload->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("“%s” is not a valid server address"),
                               fd_api_client_get_base_url (client));
      return;
    }
  headers = soup_message_get_request_headers (upload->message);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (token != NULL)
    {
      g_autofree char *authorization = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (headers, "Authorization", authorization);
    }
  soup_message_set_request_body (upload->message, "application/octet-stream",
                                 G_INPUT_STREAM (stream), upload->size);
  g_signal_connect (upload->message, "wrote-body-data", G_CALLBACK (fd_upload_wrote_cb), upload);
  if (upload->progress != NULL)
    upload->progress (0, upload->size, upload->progress_data);
  cancellable = g_task_get_cancellable (task);
  soup_session_send_and_read_async (upload->session, upload->message, G_PRIORITY_DEFAULT,
                                    cancellable, fd_upload_sent_cb, g_steal_pointer (&task));
}

void
fd_api_client_upload_async (FdApiClient *self, const char *path, GFile *file,
                            FdApiProgressFunc progress, gpointer progress_data,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task;
  FdUpload *upload;

  g_return_if_fail (FD_IS_API_CLIENT (self));
  g_return_if_fail (path != NULL && path[0] == '/');
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, fd_api_client_upload_async);
  upload = g_new0 (FdUpload, 1);
  upload->url = g_strconcat (fd_api_client_get_base_url (self), "/api/v1", path, NULL);
  upload->progress = progress;
  upload->progress_data = progress_data;
  /* A session of its own: one long upload does not hold a connection the panes need. */
  upload->session = g_object_new (SOUP_TYPE_SESSION, "timeout", FD_API_UPLOAD_TIMEOUT_S,
                                  "user-agent", "fleetdesk/" PACKAGE_VERSION, NULL);
  g_task_set_task_data (task, upload, (GDestroyNotify)fd_upload_free);
  g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable, fd_upload_opened_cb, task);
}

JsonNode *
fd_api_client_upload_finish (FdApiClient *self, GAsyncResult *result, JsonObject **details,
                             GError **error)
{
  FdUpload *upload;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fd_api_client_upload_async,
                        NULL);

  upload = g_task_get_task_data (G_TASK (result));
  if (details != NULL)
    *details = upload->details != NULL ? json_object_ref (upload->details) : NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}
