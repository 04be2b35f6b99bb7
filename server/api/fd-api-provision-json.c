/* fd-api-provision-json.c — credentials and zdevice.json in JSON, and the body fields that
 * provisioning requests share. */
#include "fd-api-private.h"
#include "fd-util.h"
#include "ingest/fd-payload.h"

#include <string.h>

/* Latest time a request may name: the end of year 9999. */
#define MAX_TIME_MS G_GINT64_CONSTANT (253402300799999)

void
fd_api_json_credential (JsonBuilder *b, const FdCredential *c)
{
  gboolean key = c->kind == FD_CREDENTIAL_KEY;

  json_builder_begin_object (b);
  fd_api_json_string (b, "id", c->id);
  fd_api_json_string (b, "device_id", c->device_id);
  fd_api_json_string (b, "kind", fd_credential_kind_name (c->kind));
  fd_api_json_string (b, "fingerprint", c->fingerprint);
  fd_api_json_string (b, "subject", c->subject);
  fd_api_json_string (b, "issuer", c->issuer);
  fd_api_json_string (b, "certificate", c->certificate);
  json_builder_set_member_name (b, "key_id");
  if (key)
    json_builder_add_int_value (b, c->key_id);
  else
    json_builder_add_null_value (b);
  fd_api_json_string (b, "mode", c->mode);
  fd_api_json_time (b, "created_at", c->created_at);
  fd_api_json_time (b, "expires_at", c->expires_at);
  json_builder_set_member_name (b, "revoked");
  json_builder_add_boolean_value (b, c->revoked_at != 0);
  fd_api_json_time (b, "revoked_at", c->revoked_at);
  json_builder_end_object (b);
}

void
fd_api_json_endpoint (JsonBuilder *b, FdApi *api)
{
  json_builder_begin_object (b);
  fd_api_json_string (b, "host", api->context.public_host);
  json_builder_set_member_name (b, "port");
  json_builder_add_int_value (b, api->context.mqtt_port);
  fd_api_json_string (b, "mode", "secure");
  json_builder_set_member_name (b, "https_port");
  json_builder_add_int_value (b, api->context.device_port);
  json_builder_end_object (b);
}

JsonNode *
fd_api_zdevice (FdApi *api, const FdCredential *c, const char *prvkey)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  gboolean key = c->kind == FD_CREDENTIAL_KEY;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "devinfo");
  json_builder_begin_object (b);
  fd_api_json_string (b, "device_id", c->device_id);
  fd_api_json_string (b, "mode", key ? c->mode : "certificate");
  if (key)
    {
      json_builder_set_member_name (b, "key_id");
      json_builder_add_int_value (b, c->key_id);
      fd_api_json_string (b, "key_type", "sym");
    }
  json_builder_end_object (b);
  fd_api_json_string (b, "prvkey", prvkey ? prvkey : "");
  json_builder_set_member_name (b, "endpoint");
  fd_api_json_endpoint (b, api);
  fd_api_json_string (b, "cacert", api->context.pki ? fd_pki_get_ca_pem (api->context.pki) : "");
  if (!key)
    fd_api_json_string (b, "clicert", c->certificate);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
fd_api_body_future_time (FdApiRequest *req, JsonObject *obj, const char *member, gint64 *ms)
{
  JsonNode *node = json_object_get_member (obj, member);
  const char *text;

  *ms = 0;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" must be an RFC 3339 time as a string", member);
      return FALSE;
    }
  text = json_node_get_string (node);
  if (!fd_time_parse_rfc3339 (text, strlen (text), ms) || *ms > MAX_TIME_MS)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" is not an RFC 3339 time like "
                          "2030-01-01T00:00:00Z",
                          member);
      return FALSE;
    }
  if (*ms <= fd_now_ms ())
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" must be in the future", member);
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_api_body_pem (FdApiRequest *req, JsonObject *obj, const char *member, gboolean required,
                 const char **out)
{
  JsonNode *node = json_object_get_member (obj, member);

  *out = NULL;
  if (node == NULL)
    {
      if (required)
        fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                            "the field \"%s\" is required: PEM text", member);
      return !required;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" must be PEM text as a string", member);
      return FALSE;
    }
  *out = json_node_get_string (node);
  if (strlen (*out) > FD_PKI_MAX_PEM_BYTES || !g_utf8_validate (*out, -1, NULL))
    {
      *out = NULL;
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "the field \"%s\" must be PEM text of at most %d bytes", member,
                          FD_PKI_MAX_PEM_BYTES);
      return FALSE;
    }
  return TRUE;
}
