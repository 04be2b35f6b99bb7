/* fd-api-firmware.c — firmware files of a workspace (/workspaces/{id}/firmware, /firmware/{id})
 * and its signing key (/workspaces/{id}/signing-key). Uploads: fd-api-firmware-upload.c. */
#include "fd-api-firmware-private.h"
#include "fd-util.h"

static const char *const key_members[] = { "algorithm", NULL };

static void
firmware_json (JsonBuilder *b, gconstpointer record)
{
  const FdFirmwareRecord *r = record;

  json_builder_begin_object (b);
  fd_api_json_string (b, "id", r->id);
  fd_api_json_string (b, "workspace_id", r->workspace_id);
  fd_api_json_string (b, "version", r->version);
  fd_api_json_string (b, "target", r->target);
  fd_api_json_string (b, "description", r->description);
  fd_api_json_int (b, "size", r->size);
  fd_api_json_string (b, "sha256", r->sha256);
  fd_api_json_string (b, "manifest", r->manifest);
  fd_api_json_string (b, "signature", r->signature);
  fd_api_json_string (b, "algorithm", r->algorithm);
  fd_api_json_time (b, "created_at", r->created_at);
  fd_api_json_bool (b, "in_use", r->in_use_by != NULL);
  json_builder_end_object (b);
}

void
fd_api_firmware_reply_one (FdApiRequest *req, const FdFirmwareRecord *r, guint status)
{
  g_autoptr (JsonNode) node = fd_api_json_one (r, firmware_json);
  fd_api_reply_json (req, status, node);
}

static gboolean
need_firmware (FdApiRequest *req)
{
  if (req->api->context.firmware != NULL)
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "unavailable", NULL,
                      "this server keeps no firmware");
  return FALSE;
}

/* GET /workspaces/{id}/firmware */

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_firmware_list (db, job->id, job->from, job->size, &job->page, error);
}

static void
list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, firmware_json);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
firmware_list (FdApiRequest *req)
{
  fd_api_run_page (req, "wks", "workspace", list_job, list_reply);
}

/* GET /firmware/{id}, and the file */

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  FdFirmwareRecord *r = NULL;

  if (!fd_store_firmware_get (db, job->id, &r, error))
    return FALSE;
  job->result = r;
  job->result_free = (GDestroyNotify)fd_firmware_record_free;
  return TRUE;
}

static void
get_reply (FdApiRequest *req, FdApiJob *job)
{
  fd_api_firmware_reply_one (req, job->result, SOUP_STATUS_OK);
}

static void
firmware_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "fw", "firmware"))
    return;
  fd_api_run_read (req, get_job, fd_api_job_new (req), get_reply);
}

/* The file is mapped, not read: libsoup answers a Range request (one or several ranges) from
 * the 200 body itself, with 206 or 416. */
static void
file_reply (FdApiRequest *req, FdApiJob *job)
{
  const FdFirmwareRecord *r = job->result;
  g_autofree char *path = fd_firmware_path (req->api->context.firmware, r->id);
  g_autoptr (GError) error = NULL;
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (path, FALSE, &error);
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *etag = NULL, *disposition = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

  if (mapped == NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal", NULL,
                          "the file of firmware %s cannot be read: %s", r->id, error->message);
      return;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  etag = g_strdup_printf ("\"%s\"", r->sha256);
  disposition = g_strdup_printf ("attachment; filename=\"%s.bin\"", r->id);
  soup_message_headers_replace (headers, "ETag", etag);
  soup_message_headers_replace (headers, "Accept-Ranges", "bytes");
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  fd_api_reply_bytes (req, SOUP_STATUS_OK, "application/octet-stream", bytes);
}

static void
firmware_file (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "fw", "firmware")
      || !need_firmware (req))
    return;
  fd_api_run_read (req, get_job, fd_api_job_new (req), file_reply);
}

/* DELETE /firmware/{id} */

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  const FdFirmwareRecord *r;

  if (!get_job (db, data, error))
    return FALSE;
  r = job->result;
  return fd_store_firmware_delete (db, job->id, error)
         && fd_api_audit (db, job, "firmware.delete", job->id, error, "workspace_id",
                          r->workspace_id, "version", r->version, "target", r->target, NULL);
}

static void
delete_reply (FdApiRequest *req, FdApiJob *job)
{
  const FdFirmwareRecord *r = job->result;

  fd_firmware_remove_file (req->api->context.firmware, r->file);
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
firmware_delete (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "fw", "firmware")
      || !need_firmware (req))
    return;
  fd_api_run_write (req, delete_job, fd_api_job_new (req), delete_reply);
}

/* GET and PUT /workspaces/{id}/signing-key: made on demand, so GET writes. */

typedef struct
{
  FdFirmware *fw;
  char *algorithm; /* PUT's */
} KeyData;

static void
key_data_free (gpointer data)
{
  KeyData *d = data;
  g_free (d->algorithm);
  g_free (d);
}

static gboolean
key_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  KeyData *d = job->data;
  FdSigningKey *k;
  g_autoptr (FdSigningKey) old = NULL;

  if (d->algorithm == NULL)
    k = fd_firmware_ensure_key (d->fw, db, job->id, error);
  else
    {
      old = fd_store_signing_key_get (db, job->id, NULL);
      /* The same algorithm again keeps the key: a PUT is idempotent. */
      if (old != NULL && g_str_equal (old->algorithm, d->algorithm))
        k = g_steal_pointer (&old);
      else
        k = fd_firmware_set_key (d->fw, db, job->id, d->algorithm, error);
      if (k != NULL
          && !fd_api_audit (db, job, "firmware.key", job->id, error, "algorithm", k->algorithm,
                            NULL))
        {
          fd_signing_key_free (k);
          return FALSE;
        }
    }
  if (k == NULL)
    return FALSE;
  job->result = k;
  job->result_free = (GDestroyNotify)fd_signing_key_free;
  return TRUE;
}

static void
key_reply (FdApiRequest *req, FdApiJob *job)
{
  const FdSigningKey *k = job->result;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  fd_api_json_string (b, "workspace_id", k->workspace_id);
  fd_api_json_string (b, "algorithm", k->algorithm);
  fd_api_json_string (b, "public_key", k->public_key);
  fd_api_json_time (b, "created_at", k->created_at);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
key_run (FdApiRequest *req, char *algorithm)
{
  KeyData *d = g_new0 (KeyData, 1);
  FdApiJob *job = fd_api_job_new (req);

  d->fw = req->api->context.firmware;
  d->algorithm = algorithm;
  job->data = d;
  job->data_free = key_data_free;
  fd_api_run_write (req, key_job, job, key_reply);
}

static void
key_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || !need_firmware (req))
    return;
  key_run (req, NULL);
}

static void
key_put (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  JsonObject *obj;
  g_autofree char *algorithm = NULL;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "wks", "workspace")
      || !need_firmware (req) || (obj = fd_api_body_object (req, &owner)) == NULL
      || !fd_api_body_check_members (req, obj, key_members)
      || !fd_api_body_name (req, obj, "algorithm", TRUE, 32, &algorithm))
    return;
  if (!fd_signing_algorithm_valid (algorithm))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "algorithm",
                          "the algorithm must be \"ecdsa-p256\" or \"ed25519\"");
      return;
    }
  key_run (req, g_steal_pointer (&algorithm));
}

/* The key devices check downloads with, in their credentials and zdevice.json. */

gboolean
fd_api_firmware_device_key (FdFirmware *fw, FdDb *db, const char *device_id, FdSigningKey **out,
                            GError **error)
{
  g_autoptr (FdDevice) device = NULL;

  *out = NULL;
  if (fw == NULL)
    return TRUE;
  device = fd_store_device_get (db, device_id, error);
  if (device == NULL)
    return FALSE;
  *out = fd_firmware_ensure_key (fw, db, device->workspace_id, error);
  return *out != NULL;
}

void
fd_api_firmware_key_member (JsonObject *obj, const FdSigningKey *k)
{
  JsonObject *key;

  if (k == NULL)
    {
      json_object_set_null_member (obj, "firmware_key");
      return;
    }
  key = json_object_new ();
  json_object_set_string_member (key, "algorithm", k->algorithm);
  json_object_set_string_member (key, "public_key", k->public_key);
  json_object_set_object_member (obj, "firmware_key", key);
}

const FdApiRoute fd_api_firmware_routes[] = {
  { "POST", "/workspaces/{id}/firmware", fd_api_firmware_upload, FALSE, 0 },
  { "GET", "/workspaces/{id}/firmware", firmware_list, FALSE, 0 },
  { "GET", "/firmware/{id}", firmware_get, FALSE, 0 },
  { "GET", "/firmware/{id}/file", firmware_file, FALSE, 0 },
  { "DELETE", "/firmware/{id}", firmware_delete, FALSE, 0 },
  { "GET", "/workspaces/{id}/signing-key", key_get, FALSE, 0 },
  { "PUT", "/workspaces/{id}/signing-key", key_put, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
