/* fd-device-routes.c — the device paths (docs/protocol.md): who is asking, whether they may,
 * and what they sent. A request is judged from its head first (path, method, credential, rate,
 * tag), so a refused body is never buffered beyond FD_DEVICE_DISCARD_BYTES; only then is the body
 * read and handled. Answers of writes come from the store's callback, after COMMIT.
 */
#include "config.h"

#include "fd-device-private.h"
#include "fd-util.h"
#include "store/fd-store-entities.h"

#include <string.h>

/* A bearer token longer than this is refused before anything looks at it. */
#define MAX_TOKEN_BYTES 4096

typedef enum
{
  ROUTE_NONE,
  ROUTE_DATA,
  ROUTE_UP,
  ROUTE_WHOAMI,
  ROUTE_DN,       /* the long poll: fd-device-poll.c */
  ROUTE_MQTT,     /* MQTT over WebSocket: fd-device-upgrade.c */
  ROUTE_FIRMWARE, /* GET /v1/firmware/{id}: fd-device-firmware.c */
} Route;

#define DATA_PREFIX "/v1/data/"
#define FIRMWARE_PREFIX "/v1/firmware/"

static Route
find_route (const char *path, const char **method)
{
  if (g_str_equal (path, "/v1/whoami"))
    {
      *method = "GET";
      return ROUTE_WHOAMI;
    }
  if (g_str_equal (path, "/v1/dn"))
    {
      *method = "GET";
      return ROUTE_DN;
    }
  if (g_str_equal (path, "/mqtt"))
    {
      *method = "GET";
      return ROUTE_MQTT;
    }
  if (g_str_equal (path, "/v1/up"))
    {
      *method = "POST";
      return ROUTE_UP;
    }
  if (g_str_has_prefix (path, DATA_PREFIX))
    {
      *method = "POST";
      return ROUTE_DATA;
    }
  if (g_str_has_prefix (path, FIRMWARE_PREFIX))
    {
      *method = "GET";
      return ROUTE_FIRMWARE;
    }
  return ROUTE_NONE;
}

static gboolean
same_device (const FdDeviceIdentity *a, const FdDeviceIdentity *b)
{
  return g_str_equal (a->device_id, b->device_id);
}

/* Sets conn->who from the connection's certificate and/or the request's bearer token. A
 * connection carries one device: a bearer of another device than its certificate's, or than an
 * earlier bearer's, is refused. A token seen before on this connection is not verified again
 * (still_valid below catches a revocation or an expiry). Answers 401 and closes on failure. */
static gboolean
authenticate (FdDeviceConn *conn, const FdHttpRequest *req)
{
  FdDeviceAuth *auth = conn->server->auth;
  FdDeviceIdentity *bearer = NULL;

  if (req->authorization != NULL)
    {
      const char *token = req->authorization;
      g_autoptr (GError) error = NULL;

      if (g_ascii_strncasecmp (token, "Bearer ", 7) != 0)
        {
          fd_device_reply_unauthorized (conn, "the Authorization header must be "
                                              "\"Bearer <token>\"");
          return FALSE;
        }
      token += 7;
      while (*token == ' ')
        token++;
      if (*token == '\0' || strlen (token) > MAX_TOKEN_BYTES)
        {
          fd_device_reply_unauthorized (conn, "the bearer token is empty or too long");
          return FALSE;
        }
      if (conn->bearer_token != NULL && fd_secret_equal (token, conn->bearer_token))
        bearer = conn->bearer_id;
      else
        {
          bearer = fd_device_auth_token (auth, NULL, token, &error);
          if (bearer == NULL)
            {
              fd_device_reply_unauthorized (conn, "the bearer token is not good: %s",
                                            error ? error->message : "unknown");
              return FALSE;
            }
          if (conn->bearer_id != NULL && !same_device (bearer, conn->bearer_id))
            {
              fd_device_reply_unauthorized (conn,
                                            "this connection carries device %s; a bearer "
                                            "token of another device needs its own connection",
                                            conn->bearer_id->device_id);
              fd_device_identity_unref (bearer);
              return FALSE;
            }
          g_clear_pointer (&conn->bearer_id, fd_device_identity_unref);
          if (conn->bearer_token != NULL)
            explicit_bzero (conn->bearer_token, strlen (conn->bearer_token));
          g_free (conn->bearer_token);
          conn->bearer_id = bearer;
          conn->bearer_token = g_strdup (token);
        }
      if (conn->cert_id != NULL && !same_device (bearer, conn->cert_id))
        {
          fd_device_reply_unauthorized (conn,
                                        "the client certificate of this connection is device "
                                        "%s; the bearer token is another device's",
                                        conn->cert_id->device_id);
          return FALSE;
        }
    }
  else if (conn->cert_id == NULL)
    {
      fd_device_reply_unauthorized (conn, "this request needs a client certificate or "
                                          "\"Authorization: Bearer <token>\"");
      return FALSE;
    }

  {
    g_autoptr (GError) error = NULL;
    if ((conn->cert_id != NULL && !fd_device_auth_still_valid (auth, conn->cert_id, &error))
        || (bearer != NULL && !fd_device_auth_still_valid (auth, bearer, &error)))
      {
        fd_device_reply_unauthorized (conn, "%s", error->message);
        return FALSE;
      }
  }
  conn->who = fd_device_identity_ref (conn->cert_id ? conn->cert_id : bearer);
  fd_device_conn_present (conn);
  return TRUE;
}

gboolean
fd_device_routes_head (FdDeviceConn *conn, const FdHttpRequest *req)
{
  FdDeviceServer *server = conn->server;
  const char *method = NULL;
  Route route = find_route (req->path, &method);
  guint retry_after;
  gsize max_body;

  if (server->shutting_down)
    return fd_device_refuse (conn, 503, "shutting_down", NULL, TRUE,
                             "the server is shutting down; nothing was stored");
  if (route == ROUTE_NONE)
    {
      g_autofree char *shown = g_strndup (req->path, 200);
      return fd_device_refuse (conn, 404, "not_found", NULL, FALSE, "there is no device path %s",
                               shown);
    }
  if (!g_str_equal (req->method, method)
      && !(route == ROUTE_FIRMWARE && g_str_equal (req->method, "HEAD")))
    {
      g_autofree char *allow = g_strconcat ("Allow: ", method, NULL);
      return fd_device_refuse (conn, 405, "method_not_allowed", allow, FALSE,
                               "%s is not allowed on %s (allowed: %s)", req->method, req->path,
                               method);
    }
  /* The device authenticates in its MQTT CONNECT. */
  if (route == ROUTE_MQTT)
    {
      if (!fd_device_upgrade_head (conn, req))
        return FALSE;
      conn->route = route;
      return TRUE;
    }
  if (!authenticate (conn, req))
    return FALSE;
  if (!fd_rate_limit_take (server->rate, conn->who->device_id, g_get_monotonic_time (),
                           &retry_after))
    {
      g_autofree char *header = g_strdup_printf ("Retry-After: %u", retry_after);
      return fd_device_refuse (conn, 429, "rate_limited", header, FALSE,
                               "device %s is over its rate of requests; retry in %u s",
                               conn->who->device_id, retry_after);
    }
  if (g_str_equal (method, "POST") && !req->has_length)
    return fd_device_refuse (conn, 411, "length_required", NULL, FALSE,
                             "a body needs a Content-Length");

  max_body = route == ROUTE_UP ? server->max_payload
             : route == ROUTE_WHOAMI || route == ROUTE_DN || route == ROUTE_FIRMWARE
                 ? FD_DEVICE_DISCARD_BYTES
                 : FD_DEVICE_MAX_BODY_BYTES;
  if (req->content_length > max_body)
    return fd_device_refuse (conn, 413, "payload_too_large", NULL, TRUE,
                             "the body of %" G_GSIZE_FORMAT " bytes is over the limit of "
                             "%" G_GSIZE_FORMAT " bytes for %s",
                             req->content_length, max_body, req->path);

  if (route == ROUTE_DATA)
    {
      const char *raw = req->path + strlen (DATA_PREFIX);
      const char *why = NULL;
      g_autofree char *tag = fd_http_percent_decode (raw, strlen (raw), &why);

      if (tag != NULL)
        why = fd_tag_check (tag, strlen (tag));
      if (why != NULL)
        return fd_device_refuse (conn, 400, "invalid_tag", NULL, FALSE, "the tag is not good: %s",
                                 why);
      conn->tag = g_steal_pointer (&tag);
    }
  if (route == ROUTE_FIRMWARE)
    {
      const char *id = req->path + strlen (FIRMWARE_PREFIX);
      if (server->firmware == NULL || !fd_id_is_valid (id, "fw"))
        {
          g_autofree char *shown = g_strndup (id, 100);
          return fd_device_refuse (conn, 404, "not_found", NULL, FALSE,
                                   "firmware %s does not exist", shown);
        }
      conn->tag = g_strdup (id);
    }
  conn->route = route;
  return TRUE;
}

/* Store outcomes. */

static void
reply_failure (FdDeviceConn *conn, const GError *error, const char *invalid_code)
{
  if (g_error_matches (error, FD_INGEST_ERROR, FD_INGEST_ERROR_DEVICE_GONE)
      || g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
    fd_device_reply_unauthorized (conn, "device %s no longer exists; nothing was stored",
                                  conn->who->device_id);
  else if (g_error_matches (error, FD_INGEST_ERROR, FD_INGEST_ERROR_INVALID))
    fd_device_reply_error (conn, 400, invalid_code, FALSE, "%s", error->message);
  else if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
    fd_device_reply_error (conn, 503, "shutting_down", TRUE,
                           "the server is shutting down; nothing was stored");
  else
    {
      g_warning ("device %s: the store failed: %s", conn->who->device_id, error->message);
      fd_device_reply_error (conn, 500, "internal_error", FALSE,
                             "the store failed; nothing was stored: %s", error->message);
    }
}

static void
reply_accepted (FdDeviceConn *conn, guint n)
{
  g_autofree char *body = g_strdup_printf ("{\"accepted\":%u}", n);
  fd_device_reply_json (conn, 202, body, FALSE);
}

/* GET /v1/whoami: the fleet is read now, since a device can be moved between fleets. */

typedef struct
{
  char *device_id;
  char *fleet_id;
} WhoamiJob;

static void
whoami_job_free (gpointer data)
{
  WhoamiJob *job = data;
  g_free (job->device_id);
  g_free (job->fleet_id);
  g_free (job);
}

static gboolean
whoami_read (FdDb *db, gpointer data, GError **error)
{
  WhoamiJob *job = data;
  g_autoptr (FdDevice) device = fd_store_device_get (db, job->device_id, error);

  if (device == NULL)
    return FALSE;
  job->fleet_id = g_strdup (device->fleet_id);
  return TRUE;
}

static void
whoami_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = fd_store_run_finish (result, &error);
  WhoamiJob *job = fd_store_run_get_data (result);

  conn->in_store = FALSE;
  if (fd_device_conn_is_closed (conn))
    ;
  else if (!ok)
    reply_failure (conn, error, "internal_error");
  else
    {
      const FdDeviceIdentity *who = conn->who;
      g_autoptr (GString) body = g_string_new ("{\"device_id\":");
      fd_http_append_json_string (body, who->device_id, -1);
      g_string_append (body, ",\"workspace_id\":");
      fd_http_append_json_string (body, who->workspace_id, -1);
      g_string_append (body, ",\"fleet_id\":");
      fd_http_append_json_string (body, job->fleet_id, -1);
      g_string_append (body, ",\"credential_id\":");
      fd_http_append_json_string (body, who->credential_id, -1);
      g_string_append (body, ",\"auth\":");
      fd_http_append_json_string (body, fd_device_auth_kind_name (who->kind), -1);
      g_string_append_c (body, '}');
      fd_device_reply_json (conn, 200, body->str, FALSE);
    }
  fd_device_conn_unref (conn);
}

static void
handle_whoami (FdDeviceConn *conn)
{
  WhoamiJob *job = g_new0 (WhoamiJob, 1);

  job->device_id = g_strdup (conn->who->device_id);
  fd_store_read_async (conn->server->store, whoami_read, job, whoami_job_free, whoami_done,
                       fd_device_conn_hold_for_store (conn));
}

/* POST /v1/data/{tag} */

static void
reply_payload_error (FdDeviceConn *conn, const GError *error, int element)
{
  g_autofree char *message = element >= 0
                                 ? g_strdup_printf ("reading %d: %s", element, error->message)
                                 : g_strdup (error->message);

  if (g_error_matches (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_TOO_LARGE))
    fd_device_reply_error (conn, 413, "payload_too_large", FALSE, "%s", message);
  else if (g_error_matches (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_BATCH))
    fd_device_reply_error (conn, 400, "invalid_batch", FALSE, "%s", message);
  else
    fd_device_reply_error (conn, 400, "invalid_payload", FALSE, "%s", message);
}

static void
data_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = fd_ingest_submit_finish (result, &error);

  conn->in_store = FALSE;
  if (fd_device_conn_is_closed (conn))
    ;
  else if (!ok)
    reply_failure (conn, error, "invalid_payload");
  else
    reply_accepted (conn, conn->accepted);
  fd_device_conn_unref (conn);
}

static const char *
skip_space (const char *p, const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    p++;
  return p;
}

static void
handle_data (FdDeviceConn *conn, const FdHttpRequest *req)
{
  FdDeviceServer *server = conn->server;
  FdPayloadScanner *scanner = server->scanner;
  const char *body = req->body;
  gsize len = req->content_length;
  const char *first = skip_space (body, body + len);
  g_autoptr (GError) error = NULL;
  FdReadings *readings;

  if (first == body + len || (*first != '{' && *first != '['))
    {
      fd_device_reply_error (conn, 400, "invalid_payload", FALSE,
                             "the body must be a JSON object, or a batch [{\"ts\": …, "
                             "\"payload\": {…}}, …]");
      return;
    }
  readings = fd_readings_new (conn->who, conn->tag);
  if (*first == '{')
    {
      if (!fd_payload_scan (scanner, body, len, &error))
        {
          reply_payload_error (conn, error, -1);
          fd_readings_free (readings);
          return;
        }
      fd_readings_add (readings, scanner, FD_READINGS_TS_ARRIVAL);
    }
  else
    {
      if (!fd_payload_scan_batch (scanner, body, len, FD_PAYLOAD_MAX_BATCH, server->batch, &error))
        {
          reply_payload_error (conn, error, -1);
          fd_readings_free (readings);
          return;
        }
      for (guint i = 0; i < server->batch->len; i++)
        {
          const FdBatchItem *item = &g_array_index (server->batch, FdBatchItem, i);
          if (!fd_payload_scan (scanner, body + item->payload_offset, item->payload_len, &error))
            {
              reply_payload_error (conn, error, (int)i);
              fd_readings_free (readings);
              return;
            }
          fd_readings_add (readings, scanner, item->ts_ms);
        }
    }
  conn->accepted = fd_readings_count (readings);
  fd_ingest_submit_async (server->ingest, readings, data_done,
                          fd_device_conn_hold_for_store (conn));
}

/* POST /v1/up: the same messages as MQTT's j/up (fd-device-up.h). A '#' request is answered
 * 200 with the j/dn message as the body, since HTTPS has no down channel of its own. */

static void
reply_up_error (FdDeviceConn *conn, const GError *error)
{
  if (error->domain == FD_PAYLOAD_ERROR)
    reply_payload_error (conn, error, -1);
  else if (g_error_matches (error, FD_DEVICE_UP_ERROR, FD_DEVICE_UP_ERROR_UNKNOWN))
    fd_device_reply_error (conn, 400, "unknown_request", FALSE, "%s", error->message);
  else if (error->domain == FD_DEVICE_UP_ERROR)
    fd_device_reply_error (conn, 400, "invalid_message", FALSE, "%s", error->message);
  else if (g_error_matches (error, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_NOT_OPEN))
    fd_device_reply_error (conn, 404, "condition_not_open", FALSE, "%s; nothing was stored",
                           error->message);
  else if (g_error_matches (error, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_INVALID))
    fd_device_reply_error (conn, 400, "invalid_condition", FALSE, "%s", error->message);
  else if (g_error_matches (error, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_NOT_FOUND))
    fd_device_reply_unauthorized (conn, "device %s no longer exists", conn->who->device_id);
  else
    reply_failure (conn, error, "invalid_message");
}

static void
up_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  gboolean ok = fd_device_up_handle_finish (result, &reply, &error);

  conn->in_store = FALSE;
  if (fd_device_conn_is_closed (conn))
    ;
  else if (!ok)
    reply_up_error (conn, error);
  else if (reply != NULL)
    {
      gsize len;
      const char *data = g_bytes_get_data (reply, &len);
      g_autofree char *body = g_strndup (data, len);
      fd_device_reply_json (conn, 200, body, FALSE);
    }
  else
    reply_accepted (conn, 1);
  fd_device_conn_unref (conn);
}

static void
handle_up (FdDeviceConn *conn, const FdHttpRequest *req)
{
  fd_device_up_handle_async (conn->server->up, conn->who, req->body, req->content_length, up_done,
                             fd_device_conn_hold_for_store (conn));
}

void
fd_device_routes_handle (FdDeviceConn *conn, const FdHttpRequest *req)
{
  switch ((Route)conn->route)
    {
    case ROUTE_WHOAMI:
      handle_whoami (conn);
      return;
    case ROUTE_DATA:
      handle_data (conn, req);
      return;
    case ROUTE_UP:
      handle_up (conn, req);
      return;
    case ROUTE_MQTT:
      fd_device_upgrade_handle (conn, req);
      return;
    case ROUTE_DN:
      fd_device_poll_handle (conn, req);
      return;
    case ROUTE_FIRMWARE:
      fd_device_firmware_handle (conn, req);
      return;
    case ROUTE_NONE:
      break;
    }
  g_assert_not_reached ();
}
