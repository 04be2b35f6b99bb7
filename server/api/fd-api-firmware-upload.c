/* fd-api-firmware-upload.c — POST /workspaces/{id}/firmware. The body is not accumulated:
 * from its headers on, libsoup hands each chunk to an FdFirmwareReceiver that writes it to
 * DATA/firmware/<id>.part and hashes it, so an upload of any size costs a few kilobytes of
 * memory. The token is checked before the first byte is written. */
#include "fd-api-firmware-private.h"
#include "fd-util.h"

#include <string.h>

#define RECEIVER_KEY "fd-firmware-receiver"
/* A multipart body carries its boundaries and text fields besides the file. */
#define FORM_SLACK (64 * 1024)

static const char *const upload_params[] = { "version", "target", "description", "sha256", NULL };

static void
got_chunk (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  FdFirmwareReceiver *r = g_object_get_data (G_OBJECT (msg), RECEIVER_KEY);
  gsize len;
  const void *data = g_bytes_get_data (chunk, &len);

  if (r != NULL)
    fd_firmware_receiver_feed (r, data, len);
}

/* The boundary of a multipart/form-data Content-Type; *@multipart tells which kind of body. */
static char *
form_boundary (SoupMessageHeaders *headers, gboolean *multipart)
{
  g_autoptr (GHashTable) params = NULL;
  const char *type = soup_message_headers_get_content_type (headers, &params);

  *multipart = type != NULL && g_ascii_strcasecmp (type, "multipart/form-data") == 0;
  if (!*multipart || params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, "boundary"));
}

gboolean
fd_api_firmware_got_headers (FdApi *api, SoupServerMessage *msg, const FdApiRoute *route)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  FdFirmware *fw = api->context.firmware;
  g_autoptr (GError) error = NULL;
  g_autofree char *boundary = NULL;
  FdApiRequest *req;
  FdFirmwareReceiver *r;
  gboolean multipart;

  if (route == NULL || route->handler != fd_api_firmware_upload)
    return FALSE;
  if (fw == NULL || api->shutting_down)
    return TRUE; /* the handler answers */
  boundary = form_boundary (headers, &multipart);
  if (fd_api_body_refused (msg, fd_firmware_get_max_bytes (fw) + (multipart ? FORM_SLACK : 0),
                           fd_firmware_get_max_bytes (fw), "too_large"))
    return TRUE;
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  req = g_new0 (FdApiRequest, 1);
  req->api = api;
  req->msg = g_object_ref (msg);
  if (!fd_api_authenticate (req))
    return TRUE; /* answered 401; the body is read and dropped */
  fd_api_request_done (req);
  if (multipart && boundary == NULL)
    return TRUE; /* the handler answers: no receiver */
  r = fd_firmware_receiver_new (fw, boundary, &error);
  if (r == NULL)
    {
      g_warning ("firmware upload: %s", error->message);
      return TRUE;
    }
  g_object_set_data_full (G_OBJECT (msg), RECEIVER_KEY, r,
                          (GDestroyNotify)fd_firmware_receiver_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk), NULL);
  return TRUE;
}

typedef struct
{
  FdFirmware *fw;
  FdStore *store;
  FdFirmwareReceiver *receiver;
  char *sha256;
  FdFirmwareRecord *record;
  GError *error; /* what the worker met, answered by upload_reply */
} UploadData;

static void
upload_data_free (gpointer data)
{
  UploadData *d = data;

  fd_firmware_receiver_free (d->receiver);
  g_free (d->sha256);
  fd_firmware_record_free (d->record);
  g_clear_error (&d->error);
  g_free (d);
}

static gboolean
insert_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  UploadData *d = job->data;
  FdFirmwareRecord *r = d->record;
  g_autofree char *size = g_strdup_printf ("%" G_GINT64_FORMAT, r->size);

  return fd_firmware_sign_and_insert (d->fw, db, r, job->actor, error)
         && fd_api_audit (db, job, "firmware.upload", r->id, error, "workspace_id", r->workspace_id,
                          "version", r->version, "target", r->target, "size", size, "sha256",
                          r->sha256, NULL);
}

/* On a worker thread: the fsync and the rename, then the row (the key may be made then). */
static gboolean
upload_worker (FdApiJob *job, GError **error)
{
  UploadData *d = job->data;

  (void)error;
  if (!fd_firmware_receiver_commit (d->receiver, d->sha256, &d->error))
    return TRUE;
  if (!fd_store_write_sync (d->store, insert_job, job, &d->error))
    fd_firmware_receiver_discard (d->receiver);
  return TRUE;
}

static void
upload_reply (FdApiRequest *req, FdApiJob *job)
{
  UploadData *d = job->data;

  if (d->error == NULL)
    {
      g_autofree char *location = g_strdup_printf ("/api/v1/firmware/%s", d->record->id);

      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location",
                                    location);
      fd_api_firmware_reply_one (req, d->record, SOUP_STATUS_CREATED);
    }
  else if (g_error_matches (d->error, FD_FIRMWARE_ERROR, FD_FIRMWARE_ERROR_SHA256))
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "sha256", "%s",
                        d->error->message);
  else if (d->error->domain == FD_STORE_ERROR)
    fd_api_reply_gerror (req, d->error);
  else
    fd_api_reply_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                        "the firmware could not be stored: %s", d->error->message);
}

/* A text value of the upload: query parameter or form field (not both). */
static gboolean
upload_value (FdApiRequest *req, FdFirmwareReceiver *r, const char *key, gsize max,
              gboolean required, char **out)
{
  const char *param, *field = fd_firmware_receiver_get_field (r, key);
  const char *value;

  *out = NULL;
  if (!fd_api_param (req, key, &param))
    return FALSE;
  value = param != NULL ? param : field;
  if (value == NULL)
    {
      if (!required)
        return TRUE;
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", key,
                          "the %s is required (a query parameter, or a form field)", key);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL) || g_utf8_strlen (value, -1) > (glong)max
      || (required && *value == '\0'))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", key,
                          "the %s must be %s%" G_GSIZE_FORMAT " characters of UTF-8 text", key,
                          required ? "1 to " : "at most ", max);
      return FALSE;
    }
  for (const char *p = value; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean layout = g_str_equal (key, "description") && (c == '\n' || c == '\t');
      if (!layout
          && (!g_unichar_isprint (c)
              || (c == ' ' && !g_str_equal (key, "description") && (p == value || p[1] == '\0'))))
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", key,
                              "the %s must be printable characters, without a space at "
                              "either end",
                              key);
          return FALSE;
        }
    }
  *out = g_strdup (value);
  return TRUE;
}

static gboolean
is_sha256_hex (const char *text)
{
  if (strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

void
fd_api_firmware_upload (FdApiRequest *req)
{
  FdFirmware *fw = req->api->context.firmware;
  SoupServerMessage *msg = req->msg;
  g_autoptr (GError) error = NULL;
  FdFirmwareReceiver *r;
  g_autofree char *version = NULL, *target = NULL, *description = NULL, *sha256 = NULL;
  FdFirmwareRecord *record;
  UploadData *d;
  FdApiJob *job;

  if (fw == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                          "this server keeps no firmware");
      return;
    }
  g_signal_handlers_disconnect_by_func (msg, got_chunk, NULL);
  r = g_object_steal_data (G_OBJECT (msg), RECEIVER_KEY);
  if (!fd_api_check_params (req, upload_params) || !fd_api_path_id (req, "wks", "workspace"))
    {
      fd_firmware_receiver_free (r);
      return;
    }
  if (r == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "file",
                          "the body must be the file (application/octet-stream), or "
                          "multipart/form-data with a boundary and a \"file\" part");
      return;
    }
  if (!fd_firmware_receiver_end (r, &error))
    {
      fd_firmware_receiver_free (r);
      if (g_error_matches (error, FD_FIRMWARE_ERROR, FD_FIRMWARE_ERROR_TOO_LARGE))
        fd_api_reply_error (req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large", "file", "%s",
                            error->message);
      else if (g_error_matches (error, FD_FIRMWARE_ERROR, FD_FIRMWARE_ERROR_IO))
        fd_api_reply_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL, "%s",
                            error->message);
      else
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "file", "%s",
                            error->message);
      return;
    }
  if (!upload_value (req, r, "version", FD_FIRMWARE_MAX_VERSION, TRUE, &version)
      || !upload_value (req, r, "target", FD_FIRMWARE_MAX_TARGET, FALSE, &target)
      || !upload_value (req, r, "description", FD_API_MAX_DESCRIPTION, FALSE, &description)
      || !upload_value (req, r, "sha256", 64, FALSE, &sha256))
    {
      fd_firmware_receiver_free (r);
      return;
    }
  if (sha256 != NULL && !is_sha256_hex (sha256))
    {
      fd_firmware_receiver_free (r);
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "sha256",
                          "the sha256 must be 64 hexadecimal digits");
      return;
    }

  record = g_new0 (FdFirmwareRecord, 1);
  record->id = g_strdup (fd_firmware_receiver_get_id (r));
  record->workspace_id = g_strdup (req->path_id);
  record->version = g_steal_pointer (&version);
  record->target = target ? g_steal_pointer (&target) : g_strdup ("");
  record->description = description ? g_steal_pointer (&description) : g_strdup ("");
  record->size = fd_firmware_receiver_get_size (r);
  record->sha256 = g_strdup (fd_firmware_receiver_get_sha256 (r));
  record->file = g_strconcat (record->id, ".bin", NULL);
  record->created_at = fd_now_ms ();

  d = g_new0 (UploadData, 1);
  d->fw = fw;
  d->store = req->api->store;
  d->receiver = r;
  d->sha256 = g_steal_pointer (&sha256);
  d->record = record;
  job = fd_api_job_new (req);
  job->data = d;
  job->data_free = upload_data_free;
  fd_api_run_worker (req, upload_worker, job, upload_reply);
}
