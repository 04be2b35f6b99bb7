/* fd-cli-zdevice.c — a device's zdevice.json (docs/protocol.md, "Getting credentials"), made
 * from a credential as its creation answers it, for `device import --credentials-dir`: the
 * import answer gives each device's credential with its secret parts, and the endpoint and CA
 * once for all, rather than a whole zdevice object per device as a single creation does.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "fd-cli.h"

static gboolean
is_certificate_kind (const char *kind)
{
  return g_strcmp0 (kind, "generated") == 0 || g_strcmp0 (kind, "csr") == 0
         || g_strcmp0 (kind, "certificate") == 0;
}

static JsonNode *
missing (const char *id, const char *member, GError **error)
{
  g_autofree char *printable = fd_cli_output_printable (id != NULL ? id : "?");

  g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
               _ ("the server's answer gives credential %s without its %s"), printable, member);
  return NULL;
}

JsonNode *
fd_cli_zdevice_build (JsonObject *credential, JsonNode *endpoint, const char *cacert,
                      GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  const char *id = fd_cli_output_get_string (credential, "id");
  const char *device_id = fd_cli_output_get_string (credential, "device_id");
  const char *kind = fd_cli_output_get_string (credential, "kind");
  const char *mode = fd_cli_output_get_string (credential, "mode");
  const char *secret = NULL;
  const char *certificate = NULL;
  JsonNode *key_id = json_object_get_member (credential, "key_id");

  if (device_id == NULL)
    return missing (id, "device_id", error);
  if (endpoint == NULL || !JSON_NODE_HOLDS_OBJECT (endpoint))
    return missing (id, "endpoint", error);
  if (cacert == NULL)
    return missing (id, "cacert", error);
  if (is_certificate_kind (kind))
    {
      certificate = fd_cli_output_get_string (credential, "certificate");
      if (certificate == NULL)
        return missing (id, "certificate", error);
      /* Only a generated credential has its key here; the others' stays on the device. */
      secret = fd_cli_output_get_string (credential, "private_key");
      if (g_str_equal (kind, "generated") && secret == NULL)
        return missing (id, "private_key", error);
    }
  else if (g_strcmp0 (kind, "key") == 0)
    {
      secret = fd_cli_output_get_string (credential, "secret");
      if (secret == NULL)
        return missing (id, "secret", error);
      if (mode == NULL)
        return missing (id, "mode", error);
      if (key_id == NULL || json_node_get_value_type (key_id) != G_TYPE_INT64)
        return missing (id, "key_id", error);
    }
  else
    return missing (id, "kind", error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "devinfo");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "mode");
  if (certificate != NULL)
    json_builder_add_string_value (builder, "certificate");
  else
    {
      json_builder_add_string_value (builder, mode);
      json_builder_set_member_name (builder, "key_id");
      json_builder_add_int_value (builder, json_node_get_int (key_id));
      /* HS256 for device tokens (what Zerynth clients take "sym" to mean). */
      json_builder_set_member_name (builder, "key_type");
      json_builder_add_string_value (builder, "sym");
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "prvkey");
  json_builder_add_string_value (builder, secret != NULL ? secret : "");
  json_builder_set_member_name (builder, "endpoint");
  json_builder_add_value (builder, json_node_copy (endpoint));
  json_builder_set_member_name (builder, "cacert");
  json_builder_add_string_value (builder, cacert);
  if (certificate != NULL)
    {
      json_builder_set_member_name (builder, "clicert");
      json_builder_add_string_value (builder, certificate);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
fd_cli_zdevice_write (FdCliPrivateFile *file, JsonNode *zdevice, GError **error)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  g_autoptr (GString) out = NULL;
  gboolean ok;

  json_generator_set_root (generator, zdevice);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  out = g_string_new (text);
  g_string_append_c (out, '\n');
  ok = fd_cli_private_file_commit (file, out->str, out->len, error);
  /* The text holds the device's secret. */
  memset (out->str, 0, out->len);
  memset (text, 0, strlen (text));
  return ok;
}
