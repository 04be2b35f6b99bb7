/* fd-api-credentials.c — /devices/{id}/credentials: certificates and device keys. */
#include "fd-api-private.h"
#include "store/fd-store-firmware.h"
#include "fd-util.h"
#include "provision/fd-provision.h"

#include <string.h>

static const char *const create_members[]
    = { "kind", "csr", "certificate", "mode", "expires", NULL };

/* The secret parts shown once, kept with the job until the answer is written. */
typedef struct
{
  FdNewCredential *made;
  FdSigningKey *firmware_key; /* the workspace's, for "firmware_key" */
} CreateData;

static void
create_data_free (CreateData *d)
{
  fd_new_credential_free (d->made);
  fd_signing_key_free (d->firmware_key);
  g_free (d);
}

static gboolean
credential_create_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  CreateData *d = job->data;
  FdCredential *c = fd_store_credential_create (db, &d->made->tmpl, d->made->secret,
                                                d->made->secret_hash, error);

  if (c == NULL)
    return FALSE;
  job->result = c;
  job->result_free = (GDestroyNotify)fd_credential_free;
  if (!fd_api_firmware_device_key (job->firmware, db, c->device_id, &d->firmware_key, error))
    return FALSE;
  return fd_api_audit (db, job, "credential.create", c->id, error, "device_id", c->device_id,
                       "kind", fd_credential_kind_name (c->kind), "fingerprint", c->fingerprint,
                       "mode", c->mode, NULL);
}

static void
credential_created (FdApiRequest *req, FdApiJob *job)
{
  FdCredential *c = job->result;
  CreateData *d = job->data;
  g_autoptr (JsonNode) node = fd_api_json_one (c, (FdApiJsonFunc)fd_api_json_credential);
  g_autofree char *location
      = g_strdup_printf ("/api/v1/devices/%s/credentials/%s", c->device_id, c->id);
  const char *prvkey = d->made->private_key ? d->made->private_key : d->made->shown_secret;
  JsonObject *obj = json_node_get_object (node);

  /* The only answer that ever carries these. */
  if (d->made->private_key != NULL)
    json_object_set_string_member (obj, "private_key", d->made->private_key);
  if (d->made->shown_secret != NULL)
    json_object_set_string_member (obj, "secret", d->made->shown_secret);
  fd_api_firmware_key_member (obj, d->firmware_key);
  {
    JsonNode *zdevice = fd_api_zdevice (req->api, c, prvkey);
    fd_api_firmware_key_member (json_node_get_object (zdevice), d->firmware_key);
    json_object_set_member (obj, "zdevice", zdevice);
  }
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location",
                                location);
  fd_api_reply_json (req, SOUP_STATUS_CREATED, node);
}

/* The request's kind, or -1 after a 400. */
static int
body_kind (FdApiRequest *req, JsonObject *obj)
{
  JsonNode *node = json_object_get_member (obj, "kind");
  int kind = -1;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    kind = fd_credential_kind_from_name (json_node_get_string (node));
  if (kind < 0)
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "kind",
                        "the field \"kind\" is required: generated, csr, certificate or key");
  return kind;
}

/* Members that belong to another kind are refused by name, so a typo is not silently
 * ignored ("csr" with kind "certificate"). */
static gboolean
check_kind_members (FdApiRequest *req, JsonObject *obj, FdCredentialKind kind)
{
  struct
  {
    const char *member;
    gboolean allowed;
  } rules[] = {
    { "csr", kind == FD_CREDENTIAL_CSR },
    { "certificate", kind == FD_CREDENTIAL_CERTIFICATE },
    { "mode", kind == FD_CREDENTIAL_KEY },
    { "expires", kind != FD_CREDENTIAL_CERTIFICATE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (!rules[i].allowed && json_object_has_member (obj, rules[i].member))
      {
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", rules[i].member,
                            "the field \"%s\" does not go with kind \"%s\"%s", rules[i].member,
                            fd_credential_kind_name (kind),
                            g_str_equal (rules[i].member, "expires")
                                ? " (an imported certificate expires when it says)"
                                : "");
        return FALSE;
      }
  return TRUE;
}

static gboolean
body_mode (FdApiRequest *req, JsonObject *obj, const char **mode)
{
  JsonNode *node = json_object_get_member (obj, "mode");

  *mode = "device_token";
  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
      && (g_str_equal (json_node_get_string (node), "device_token")
          || g_str_equal (json_node_get_string (node), "cloud_token")))
    {
      *mode = json_node_get_string (node);
      return TRUE;
    }
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "mode",
                      "the field \"mode\" must be device_token or cloud_token");
  return FALSE;
}

static void
credential_create (FdApiRequest *req)
{
  g_autoptr (JsonNode) owner = NULL;
  g_autoptr (GError) error = NULL;
  const char *pem = NULL, *mode = NULL;
  FdNewCredential *made;
  JsonObject *obj;
  gint64 expires = 0;
  FdApiJob *job;
  CreateData *d;
  int kind;

  if (!fd_api_check_params (req, NULL) || !fd_api_path_id (req, "dev", "device"))
    return;
  obj = fd_api_body_object (req, &owner);
  if (obj == NULL || !fd_api_body_check_members (req, obj, create_members))
    return;
  if ((kind = body_kind (req, obj)) < 0 || !check_kind_members (req, obj, kind)
      || !fd_api_body_future_time (req, obj, "expires", &expires))
    return;
  if (kind == FD_CREDENTIAL_CSR && !fd_api_body_pem (req, obj, "csr", TRUE, &pem))
    return;
  if (kind == FD_CREDENTIAL_CERTIFICATE && !fd_api_body_pem (req, obj, "certificate", TRUE, &pem))
    return;
  if (kind == FD_CREDENTIAL_KEY && !body_mode (req, obj, &mode))
    return;

  made = fd_provision_make (req->api->context.pki, req->path_id, kind, pem, mode, expires, &error);
  if (made == NULL)
    {
      const char *field = kind == FD_CREDENTIAL_CSR           ? "csr"
                          : kind == FD_CREDENTIAL_CERTIFICATE ? "certificate"
                                                              : NULL;
      if (g_error_matches (error, FD_PROVISION_ERROR, FD_PROVISION_ERROR_INVALID))
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", field, "%s%s%s",
                            field ? field : "", field ? ": " : "", error->message);
      else
        fd_api_reply_gerror (req, error);
      return;
    }
  job = fd_api_job_new (req);
  d = g_new0 (CreateData, 1);
  d->made = made;
  job->data = d;
  job->data_free = (GDestroyNotify)create_data_free;
  fd_api_run_write (req, credential_create_job, job, credential_created);
}

static gboolean
credential_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  if (!fd_store_credential_list (db, job->id, &job->page, error))
    return FALSE;
  fd_api_page_slice (&job->page, job->from, job->size);
  return TRUE;
}

static void
credential_list_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, (FdApiJsonFunc)fd_api_json_credential);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
credential_list (FdApiRequest *req)
{
  fd_api_run_page (req, "dev", "device", credential_list_job, credential_list_reply);
}

static gboolean
path_credential (FdApiRequest *req)
{
  if (!fd_api_path_id (req, "dev", "device"))
    return FALSE;
  if (fd_id_is_valid (req->path_sub, "crd"))
    return TRUE;
  fd_api_reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", NULL, "credential %s does not exist",
                      req->path_sub);
  return FALSE;
}

static FdApiJob *
credential_job_new (FdApiRequest *req)
{
  FdApiJob *job = fd_api_job_new (req);

  job->target = g_strdup (req->path_sub);
  return job;
}

static gboolean
credential_get_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  FdCredential *c = fd_store_credential_get (db, job->id, job->target, error);
  FdSigningKey *k = NULL;

  job->result = c;
  job->result_free = (GDestroyNotify)fd_credential_free;
  if (c == NULL || !fd_api_firmware_device_key (job->firmware, db, c->device_id, &k, error))
    return FALSE;
  job->data = k;
  job->data_free = (GDestroyNotify)fd_signing_key_free;
  return TRUE;
}

static void
credential_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_one (job->result, (FdApiJsonFunc)fd_api_json_credential);

  fd_api_firmware_key_member (json_node_get_object (node), job->data);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
credential_get (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !path_credential (req))
    return;
  fd_api_run_write (req, credential_get_job, credential_job_new (req), credential_reply);
}

static void
zdevice_reply (FdApiRequest *req, FdApiJob *job)
{
  /* Without the secret: it was shown once, when the credential was made. */
  g_autoptr (JsonNode) node = fd_api_zdevice (req->api, job->result, "");

  fd_api_firmware_key_member (json_node_get_object (node), job->data);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Content-Disposition", "attachment; filename=\"zdevice.json\"");
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
credential_zdevice (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !path_credential (req))
    return;
  fd_api_run_write (req, credential_get_job, credential_job_new (req), zdevice_reply);
}

static gboolean
credential_revoke_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  g_autoptr (FdCredential) before = fd_store_credential_get (db, job->id, job->target, error);

  if (before == NULL)
    return FALSE;
  if (before->revoked_at != 0)
    return TRUE; /* already revoked: nothing changes, nothing to record */
  return fd_store_credential_revoke (db, job->id, job->target, error)
         && fd_api_audit (db, job, "credential.revoke", job->target, error, "device_id", job->id,
                          NULL);
}

static void
credential_revoked (FdApiRequest *req, FdApiJob *job)
{
  /* Committed: connections that authenticated with it stop now. */
  if (req->api->context.auth != NULL)
    fd_device_auth_credential_revoked (req->api->context.auth, job->target);
  fd_api_reply_empty (req, SOUP_STATUS_NO_CONTENT);
}

static void
credential_revoke (FdApiRequest *req)
{
  if (!fd_api_check_params (req, NULL) || !path_credential (req))
    return;
  fd_api_run_write (req, credential_revoke_job, credential_job_new (req), credential_revoked);
}

const FdApiRoute fd_api_credential_routes[] = {
  { "POST", "/devices/{id}/credentials", credential_create, FALSE, 0 },
  { "GET", "/devices/{id}/credentials", credential_list, FALSE, 0 },
  { "GET", "/devices/{id}/credentials/{cid}", credential_get, FALSE, 0 },
  { "DELETE", "/devices/{id}/credentials/{cid}", credential_revoke, FALSE, 0 },
  { "GET", "/devices/{id}/credentials/{cid}/zdevice.json", credential_zdevice, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
