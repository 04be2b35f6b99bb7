/* fd-cli-http.c — one request to the operator API and the reading of its answer.
 *
 * A CLI makes one request per run, so the synchronous libsoup API is enough. The body is JSON
 * or, for a bulk import, the CSV file as it is, with its Content-Length. The answer is read with
 * a size bound, and an error answer is turned into the API's own message and code (and handed
 * back whole to a caller that shows more of it, such as the bad rows of an import).
 */
#include "config.h"

#include <unistd.h>

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "fd-cli.h"

#define FD_CLI_READ_CHUNK 16384

/* ENDPOINT + /api/v1 + PATH; a URL already ending in /api/v1 is taken as given. */
static char *
build_url (const char *base, const char *path_and_query)
{
  if (g_str_has_suffix (base, FD_CLI_API_PREFIX))
    return g_strconcat (base, path_and_query, NULL);
  return g_strconcat (base, FD_CLI_API_PREFIX, path_and_query, NULL);
}

static GBytes *
read_body (GInputStream *in, gsize max_bytes, GError **error)
{
  g_autoptr (GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[FD_CLI_READ_CHUNK];

  for (;;)
    {
      gssize n = g_input_stream_read (in, chunk, sizeof chunk, NULL, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (buffer->len + (gsize)n > max_bytes)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                       _ ("the server's answer is larger than %u MiB"),
                       (guint)(max_bytes / (1024 * 1024)));
          return NULL;
        }
      g_byte_array_append (buffer, chunk, (guint)n);
    }
  g_input_stream_close (in, NULL, NULL);
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

static const char *
get_string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Sets @error from an answer that is not 2xx: the API's {"error": {"code", "message"}} when it
 * sent one, else the HTTP status. */
static void
set_api_error (SoupMessage *message, GBytes *body, GError **error)
{
  guint status = soup_message_get_status (message);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) root = NULL;
  const char *code = NULL;
  const char *api_message = NULL;
  int error_code
      = status == SOUP_STATUS_UNAUTHORIZED ? FD_CLI_ERROR_UNAUTHORIZED : FD_CLI_ERROR_API;
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;

  if (data != NULL && len > 0)
    {
      text = g_strndup (data, len);
      root = json_from_string (text, NULL);
    }
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *error_node = json_object_get_member (json_node_get_object (root), "error");

      if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
        {
          JsonObject *error_object = json_node_get_object (error_node);

          code = get_string_member (error_object, "code");
          api_message = get_string_member (error_object, "message");
        }
    }

  if (g_strcmp0 (code, "unauthorized") == 0)
    error_code = FD_CLI_ERROR_UNAUTHORIZED;
  if (api_message != NULL && code != NULL)
    {
      g_autofree char *printable_message = fd_cli_output_printable (api_message);
      g_autofree char *printable_code = fd_cli_output_printable (code);

      g_set_error (error, FD_CLI_ERROR, error_code, "%s (%s)", printable_message, printable_code);
    }
  else
    {
      const char *reason = soup_message_get_reason_phrase (message);
      g_autofree char *printable_reason = fd_cli_output_printable (reason != NULL ? reason : "");

      g_set_error (error, FD_CLI_ERROR, error_code, _ ("the server answered %u %s"), status,
                   printable_reason);
    }
}

typedef struct
{
  goffset total;
  goffset sent;
  int shown; /* the last percent printed, -1 before the first */
  gboolean tty;
} UploadProgress;

/* "Uploading: 42%" on stderr, rewritten in place on a terminal; a line per 10 % otherwise. */
static void
upload_wrote (SoupMessage *message, guint chunk_size, gpointer user_data)
{
  UploadProgress *p = user_data;
  int percent;

  p->sent += chunk_size;
  percent = p->total > 0 ? (int)(p->sent * 100 / p->total) : 100;
  if (percent == p->shown || (!p->tty && percent / 10 == p->shown / 10 && p->shown >= 0))
    return;
  p->shown = percent;
  g_printerr (_ ("%sUploading: %3d%% (%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes)%s"),
              p->tty ? "\r" : "", percent, (gint64)p->sent, (gint64)p->total, p->tty ? "" : "\n");
}

static void
upload_progress_end (gpointer data, GClosure *closure)
{
  UploadProgress *p = data;

  if (p->tty && p->sent > 0)
    g_printerr ("\n");
  g_free (p);
}

gboolean
fd_cli_http_send (const FdCliEndpoint *endpoint, const FdCliRequest *request, GBytes **body_out,
                  GBytes **error_body_out, GError **error)
{
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) message = NULL;
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *url = build_url (endpoint->url, request->path_and_query);
  guint timeout = request->timeout_seconds != 0 ? request->timeout_seconds : FD_CLI_TIMEOUT_SECONDS;
  gsize max_answer
      = request->max_answer_bytes != 0 ? request->max_answer_bytes : FD_CLI_MAX_RESPONSE_BYTES;
  SoupMessageHeaders *headers;
  guint status;

  message = soup_message_new (request->method, url);
  if (message == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("'%s' is not a usable server URL"),
                   endpoint->url);
      return FALSE;
    }
  /* Never follow a redirect: it would carry the token to wherever it points. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (message);
  soup_message_headers_append (headers, "Accept", "application/json");
  if (endpoint->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", endpoint->token, NULL);

      soup_message_headers_append (headers, "Authorization", authorization);
      memset (authorization, 0, strlen (authorization));
    }
  /* From bytes, so libsoup sends a Content-Length: the server refuses chunked bodies. */
  if (request->body != NULL)
    soup_message_set_request_body_from_bytes (message, request->content_type, request->body);
  else if (request->upload != NULL)
    {
      /* Streamed with its length: a Content-Length, and never the whole file in memory. */
      soup_message_set_request_body (message, request->content_type, request->upload,
                                     (gssize)request->upload_length);
      /* The server may refuse it from the headers (413 over its limit, 401, 404): with
       * "Expect: 100-continue" it says so before a byte of the file is sent. */
      soup_message_headers_set_expectations (headers, SOUP_EXPECTATION_CONTINUE);
      if (request->progress)
        {
          UploadProgress *p = g_new0 (UploadProgress, 1);

          p->total = request->upload_length;
          p->shown = -1;
          p->tty = isatty (STDERR_FILENO);
          g_signal_connect_data (message, "wrote-body-data", G_CALLBACK (upload_wrote), p,
                                 (GClosureNotify)upload_progress_end, 0);
        }
    }

  session = soup_session_new_with_options ("timeout", timeout, "user-agent",
                                           FD_CLI_PROGRAM "/" PACKAGE_VERSION, NULL);
  in = soup_session_send (session, message, NULL, &local_error);
  if (in == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_CONNECT,
                   _ ("cannot reach the server at %s: %s"), endpoint->url, local_error->message);
      return FALSE;
    }
  status = soup_message_get_status (message);
  if (request->sink != NULL && status >= 200 && status <= 299)
    {
      /* A download: streamed into the sink, whatever its size. */
      if (g_output_stream_splice (request->sink, in, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, NULL,
                                  &local_error)
          < 0)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_CONNECT,
                       _ ("the download from %s broke: %s"), endpoint->url, local_error->message);
          return FALSE;
        }
      *body_out = g_bytes_new (NULL, 0);
      return TRUE;
    }
  body = read_body (in, max_answer, &local_error);
  if (body == NULL)
    {
      if (g_error_matches (local_error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_CONNECT,
                     _ ("the connection to %s broke: %s"), endpoint->url, local_error->message);
      return FALSE;
    }

  status = soup_message_get_status (message);
  if (status < 200 || status > 299)
    {
      set_api_error (message, body, error);
      if (error_body_out != NULL)
        *error_body_out = g_steal_pointer (&body);
      return FALSE;
    }
  *body_out = g_steal_pointer (&body);
  return TRUE;
}

gboolean
fd_cli_http_send_command (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                          GBytes **body_out, GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autofree char *json = NULL;
  g_autoptr (GBytes) body = NULL;
  FdCliRequest request = { .method = invocation->command->method, .path_and_query = path };

  if (!fd_cli_request_body (invocation, &json, error))
    return FALSE;
  if (json != NULL)
    {
      gsize len = strlen (json);

      body = g_bytes_new_take (g_steal_pointer (&json), len);
      request.content_type = "application/json";
      request.body = body;
    }
  return fd_cli_http_send (endpoint, &request, body_out, NULL, error);
}
