/* fd-api-server.c — the SoupServer: routing, authentication, body limits, shutdown. */
#include "config.h"
#include "fd-api-private.h"
#include "fd-util.h"

#include <string.h>

#define API_PREFIX "/api/v1"
#define MAX_PATH_SEGMENTS 8
#define MAX_SEGMENT_LEN 128
/* last_used_at is written at most this often per token, so auth never adds a write per call. */
#define TOKEN_TOUCH_INTERVAL_MS (60 * 1000)

static const FdApiRoute *const route_tables[] = {
  fd_api_admin_routes,           fd_api_workspace_routes, fd_api_device_routes,
  fd_api_credential_routes,      fd_api_data_routes,      fd_api_import_routes,
  fd_api_condition_routes,       fd_api_event_routes,     fd_api_export_routes,
  fd_api_export_schedule_routes, fd_api_query_routes,     fd_api_job_routes,
  fd_api_firmware_routes,        fd_api_variable_routes,  fd_api_campaign_routes,
  fd_api_integration_routes,     fd_api_alert_routes,
};

static gboolean
is_placeholder (const char *part)
{
  gsize n = strlen (part);
  return n > 2 && part[0] == '{' && part[n - 1] == '}';
}

/* Matches the (percent-decoded) @segments against @pattern; on a match, *@id and *@sub are
 * the segments of its first and second placeholder ("{id}", then "{cid}", "{tag}", …). */
static gboolean
route_matches (const char *pattern, char **segments, guint n_segments, char **id, char **sub)
{
  g_auto (GStrv) parts = g_strsplit (pattern + 1, "/", -1);
  guint n = g_strv_length (parts), placeholders = 0;

  if (n != n_segments)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (is_placeholder (parts[i]))
        {
          if (*segments[i] == '\0')
            return FALSE;
          continue;
        }
      if (!g_str_equal (parts[i], segments[i]))
        return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (is_placeholder (parts[i]))
      {
        char **out = placeholders++ == 0 ? id : sub;
        *out = g_strdup (segments[i]);
      }
  return TRUE;
}

/* The segments of @path below /api/v1; NULL when the path is not one of ours or a segment is
 * too long or not UTF-8. @path is libsoup's, which libsoup 3.2 has already percent-decoded
 * (the handler's path and the message's GUri alike): decoding it again would make the tag
 * "50%41" (sent as "50%2541") the tag "50A". That also means an encoded '/' ("%2F") reaches us
 * as a separator; no segment of ours may contain one anyway. */
static char **
split_path (const char *path)
{
  g_auto (GStrv) segments = NULL;
  guint n;

  if (!g_str_has_prefix (path, API_PREFIX "/"))
    return NULL;
  segments = g_strsplit (path + strlen (API_PREFIX "/"), "/", MAX_PATH_SEGMENTS + 1);
  n = g_strv_length (segments);
  if (n > MAX_PATH_SEGMENTS)
    return NULL;
  for (guint i = 0; i < n; i++)
    if (strlen (segments[i]) > MAX_SEGMENT_LEN || !g_utf8_validate (segments[i], -1, NULL))
      return NULL;
  return g_steal_pointer (&segments);
}

static const FdApiRoute *
find_route (const char *method, const char *path, char **id, char **sub, GString *allow,
            gboolean *path_known)
{
  g_auto (GStrv) segments = split_path (path);
  guint n_segments;
  const FdApiRoute *found = NULL;

  *path_known = FALSE;
  if (segments == NULL)
    return NULL;
  n_segments = g_strv_length (segments);

  for (guint t = 0; t < G_N_ELEMENTS (route_tables); t++)
    for (const FdApiRoute *r = route_tables[t]; r->method != NULL; r++)
      {
        g_autofree char *match_id = NULL, *match_sub = NULL;
        if (!route_matches (r->pattern, segments, n_segments, &match_id, &match_sub))
          continue;
        *path_known = TRUE;
        if (allow != NULL)
          g_string_append_printf (allow, "%s%s", allow->len ? ", " : "", r->method);
        if (found == NULL && g_str_equal (r->method, method))
          {
            found = r;
            if (id != NULL)
              *id = g_steal_pointer (&match_id);
            if (sub != NULL)
              *sub = g_steal_pointer (&match_sub);
          }
      }
  return found;
}

void
fd_api_print_routes (FILE *out)
{
  for (guint t = 0; t < G_N_ELEMENTS (route_tables); t++)
    for (const FdApiRoute *r = route_tables[t]; r->method != NULL; r++)
      fprintf (out, "%s %s%s\n", r->method, API_PREFIX, r->pattern);
  fprintf (out, "GET /metrics\n");
}

/* Splits the raw query string, keeping repeated keys (libsoup's table keeps only one). */
static gboolean
parse_query (FdApiRequest *req)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (req->msg));
  g_auto (GStrv) pairs = NULL;

  req->params = g_ptr_array_new ();
  if (query == NULL || *query == '\0')
    return TRUE;
  pairs = g_strsplit (query, "&", FD_API_MAX_QUERY_PARAMS + 1);
  if (g_strv_length (pairs) > FD_API_MAX_QUERY_PARAMS)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", NULL,
                          "too many query parameters (at most %d)", FD_API_MAX_QUERY_PARAMS);
      return FALSE;
    }
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      char *eq = strchr (pairs[i], '=');
      g_autofree char *raw_key
          = g_strndup (pairs[i], eq ? (gsize)(eq - pairs[i]) : strlen (pairs[i]));
      g_autofree char *raw_value = g_strdup (eq ? eq + 1 : "");
      FdApiParam *p;

      if (*pairs[i] == '\0')
        continue;
      g_strdelimit (raw_value, "+", ' ');
      p = g_new0 (FdApiParam, 1);
      p->key = g_uri_unescape_string (raw_key, NULL);
      p->value = g_uri_unescape_string (raw_value, NULL);
      if (p->key == NULL || p->value == NULL || !g_utf8_validate (p->key, -1, NULL)
          || !g_utf8_validate (p->value, -1, NULL))
        {
          g_free (p->key);
          g_free (p->value);
          g_free (p);
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", NULL,
                              "the query string is not valid percent-encoded UTF-8");
          return FALSE;
        }
      g_ptr_array_add (req->params, p);
    }
  return TRUE;
}

static void
touch_token_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!fd_store_run_finish (result, &error))
    g_warning ("could not record a token's last use: %s", error->message);
}

static gboolean
touch_token_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_token_touch (db, job->id, job->from, error);
}

/* Checks the bearer token; sets req->actor. Replies 401 and returns FALSE when it is not good. */
gboolean
fd_api_authenticate (FdApiRequest *req)
{
  FdApi *api = req->api;
  const char *header = soup_message_headers_get_one (
      soup_server_message_get_request_headers (req->msg), "Authorization");
  g_autoptr (GError) error = NULL;
  g_autoptr (FdToken) token = NULL;
  g_autofree char *hash = NULL;
  const char *secret;
  gint64 now, *last;

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    {
      fd_api_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL,
                          "this request needs an API token (Authorization: Bearer <token>)");
      return FALSE;
    }
  secret = header + 7;
  while (*secret == ' ')
    secret++;
  if (api->local_token != NULL && fd_secret_equal (secret, api->local_token))
    {
      req->actor = g_strdup ("local app");
      return TRUE;
    }
  if (strlen (secret) > 256)
    goto refused;
  hash = fd_token_hash (secret);
  token = fd_store_token_lookup (api->auth_db, hash, &error);
  if (error != NULL)
    {
      fd_api_reply_gerror (req, error);
      return FALSE;
    }
  if (token == NULL)
    goto refused;

  req->actor = g_strdup_printf ("%s (%s)", token->id, token->name);
  req->token_id = g_strdup (token->id);
  now = fd_now_ms ();
  last = g_hash_table_lookup (api->token_touched, token->id);
  if (last == NULL || now - *last > TOKEN_TOUCH_INTERVAL_MS)
    {
      FdApiJob *job = fd_api_job_new (req);
      gint64 *when = g_new (gint64, 1);
      *when = now;
      g_hash_table_replace (api->token_touched, g_strdup (token->id), when);
      g_free (job->id);
      job->id = g_strdup (token->id);
      job->from = now;
      fd_store_write_async (api->store, touch_token_job, job, (GDestroyNotify)fd_api_job_free,
                            touch_token_done, NULL);
    }
  return TRUE;

refused:
  fd_api_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized", NULL,
                      "the API token is unknown or revoked");
  return FALSE;
}

static void
server_callback (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                 gpointer user_data)
{
  FdApi *api = user_data;
  FdApiRequest *req = g_new0 (FdApiRequest, 1);
  g_autoptr (GString) allow = g_string_new (NULL);
  const char *method = soup_server_message_get_method (msg);
  const FdApiRoute *route;
  gboolean path_known;

  req->api = api;
  req->msg = g_object_ref (msg);

  if (api->shutting_down)
    {
      fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down", NULL,
                          "the server is shutting down");
      return;
    }

  if (g_str_equal (path, "/metrics"))
    {
      if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                        "GET");
          fd_api_reply_error (req, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", NULL,
                              "%s is not allowed on /metrics (allowed: GET)", method);
          return;
        }
      if (fd_api_authenticate (req) && parse_query (req))
        fd_api_metrics (req);
      return;
    }
  route = find_route (method, path, &req->path_id, &req->path_sub, allow, &path_known);
  if (route == NULL && !path_known)
    {
      /* The path is decoded bytes: quoted back as valid UTF-8, so the answer stays JSON. */
      g_autofree char *shown = g_utf8_make_valid (path, -1);
      fd_api_reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "there is no API path %s",
                          shown);
      return;
    }
  if (route == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    allow->str);
      g_autofree char *shown = g_utf8_make_valid (path, -1);
      fd_api_reply_error (req, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", NULL,
                          "%s is not allowed on %s (allowed: %s)", method, shown, allow->str);
      return;
    }
  req->max_body = route->max_body ? route->max_body : FD_API_MAX_BODY;
  if (!route->public && !fd_api_authenticate (req))
    return;
  if (!parse_query (req))
    return;
  route->handler (req);
}

/* Past this, a refused body is not even read to be discarded: the connection is closed. */
#define FD_API_MAX_DISCARD (1024 * 1024)

typedef enum
{
  BODY_OK,
  BODY_TOO_LARGE, /* refused once libsoup has read past it (bounded by FD_API_MAX_DISCARD) */
  BODY_UNBOUNDED, /* chunked, absurd or malformed length: answered and closed at once */
} BodyVerdict;

/* Judges a request's body from its headers alone, against @limit. */
static BodyVerdict
judge_body (SoupMessageHeaders *headers, gsize limit)
{
  const char *length = soup_message_headers_get_list (headers, "Content-Length");
  guint64 n;

  if (soup_message_headers_get_list (headers, "Transfer-Encoding") != NULL)
    return BODY_UNBOUNDED;
  if (length == NULL)
    return BODY_OK;
  /* One plain decimal number: "-5", "1, 2" or 2^64-1 never reach libsoup's own parsing. */
  if (!g_ascii_string_to_unsigned (length, 10, 0, G_MAXUINT64, &n, NULL)
      || n > MAX (FD_API_MAX_DISCARD, limit))
    return BODY_UNBOUNDED;
  return n > limit ? BODY_TOO_LARGE : BODY_OK;
}

/* Refuses an oversized or unmeasurable body from its headers: the status and answer are set
 * here and the handler never runs. The body is never kept in memory: a merely too large one is
 * read and dropped (so the client, which is still sending it, then reads the 413); one whose end
 * cannot be known is answered straight on the socket, which is then shut. */
gboolean
fd_api_body_refused (SoupServerMessage *msg, gsize limit, gsize shown_limit, const char *code)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  BodyVerdict verdict = judge_body (headers, limit);
  const char *why;
  g_autofree char *body = NULL;
  gsize len;

  if (verdict == BODY_OK)
    return FALSE;
  why = soup_message_headers_get_list (headers, "Transfer-Encoding") != NULL
            ? " (chunked bodies are not accepted: send a Content-Length)"
            : "";
  body = g_strdup_printf ("{\"error\":{\"code\":\"%s\",\"message\":"
                          "\"the request body is over the limit of %" G_GSIZE_FORMAT " bytes%s\"}}",
                          code, shown_limit, why);
  len = strlen (body);
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  if (verdict == BODY_UNBOUNDED)
    {
      GSocket *socket = soup_server_message_get_socket (msg);
      g_autofree char *answer = g_strdup_printf (
          "HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\n"
          "Content-Type: application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n%s",
          len, body);
      /* A few hundred bytes into an idle socket's send buffer: this does not block. */
      if (socket != NULL)
        {
          g_socket_send (socket, answer, strlen (answer), NULL, NULL);
          g_socket_shutdown (socket, TRUE, TRUE, NULL);
        }
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), len);
  return TRUE;
}

static void
got_headers (SoupServerMessage *msg, gpointer user_data)
{
  FdApi *api = user_data;
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));
  gboolean known;
  const FdApiRoute *route
      = find_route (soup_server_message_get_method (msg), path, NULL, NULL, NULL, &known);
  gsize limit = route && route->max_body ? route->max_body : FD_API_MAX_BODY;

  /* A firmware upload streams to disk, within its own limit. */
  if (fd_api_firmware_got_headers (api, msg, route))
    return;
  fd_api_body_refused (msg, limit, limit, "payload_too_large");
}

static void
request_started (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers), user_data);
}

FdApi *
fd_api_new (FdStore *store, const char *db_path, const char *local_token, GError **error)
{
  FdApi *api;
  FdDb *auth_db = fd_db_open (db_path, TRUE, error);

  if (auth_db == NULL)
    return NULL;
  api = g_new0 (FdApi, 1);
  api->store = store;
  api->auth_db = auth_db;
  api->local_token = g_strdup (local_token);
  api->token_touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  api->server = soup_server_new ("server-header", "fleetdesk/" PACKAGE_VERSION " ", NULL);
  g_signal_connect (api->server, "request-started", G_CALLBACK (request_started), api);
  soup_server_add_handler (api->server, NULL, server_callback, api, NULL);
  fd_api_events_init (api);
  return api;
}

gboolean
fd_api_listen (FdApi *api, const char *address, guint port, GError **error)
{
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr (GSocketAddress) sockaddr = NULL;
  GSList *uris;

  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the API address \"%s\" is not an IP address", address);
      return FALSE;
    }
  sockaddr = g_inet_socket_address_new (inet, port);
  if (!soup_server_listen (api->server, sockaddr, 0, error))
    {
      g_prefix_error (error, "cannot listen on %s port %u: ", address, port);
      return FALSE;
    }
  uris = soup_server_get_uris (api->server);
  api->port = uris ? (guint)g_uri_get_port (uris->data) : port;
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  return TRUE;
}

guint
fd_api_get_port (FdApi *api)
{
  return api->port;
}

void
fd_api_shutdown (FdApi *api, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  GMainContext *context = g_main_context_get_thread_default ();

  if (api->server == NULL)
    return;
  api->shutting_down = TRUE;
  /* A worker (a bulk import) uses the store and the CA, which the engine closes next: it is
   * waited for past the deadline. Its work is bounded (a parse, at most 10,000 credentials, one
   * store job) and the store is still open, so it ends. */
  while ((api->in_flight > 0 && g_get_monotonic_time () < deadline) || api->workers > 0)
    fd_main_context_iterate_for (context, 50);
  fd_api_events_shutdown (api);
  soup_server_disconnect (api->server);
  g_clear_object (&api->server);
}

void
fd_api_free (FdApi *api)
{
  if (api == NULL)
    return;
  if (api->server != NULL)
    fd_api_shutdown (api, 0);
  fd_db_close (api->auth_db);
  fd_api_events_free (api);
  g_hash_table_destroy (api->token_touched);
  g_free (api->local_token);
  g_free (api->context.public_host);
  g_free (api);
}

void
fd_api_set_live (FdApi *api, FdEvents *events, FdSessions *sessions)
{
  api->context.events = events;
  api->context.sessions = sessions;
}

void
fd_api_set_jobs (FdApi *api, FdJobs *jobs)
{
  api->context.jobs = jobs;
}

void
fd_api_set_exports (FdApi *api, FdExports *exports)
{
  api->context.exports = exports;
}

void
fd_api_set_provisioning (FdApi *api, FdPki *pki, FdDeviceAuth *auth, const char *public_host,
                         guint device_port, guint mqtt_port)
{
  api->context.pki = pki;
  api->context.auth = auth;
  g_free (api->context.public_host);
  api->context.public_host = g_strdup (public_host);
  api->context.device_port = device_port;
  api->context.mqtt_port = mqtt_port;
}

void
fd_api_set_retention (FdApi *api, FdRetention *retention)
{
  api->context.retention = retention;
}

void
fd_api_set_firmware (FdApi *api, FdFirmware *firmware)
{
  api->context.firmware = firmware;
}

void
fd_api_set_downlink (FdApi *api, FdDownlink *downlink)
{
  api->context.downlink = downlink;
}

void
fd_api_set_ota (FdApi *api, FdOta *ota)
{
  api->context.ota = ota;
}

void
fd_api_set_integrations (FdApi *api, FdIntegrations *integrations)
{
  api->context.integrations = integrations;
}

void
fd_api_set_alerts (FdApi *api, FdAlerts *alerts)
{
  api->context.alerts = alerts;
}
