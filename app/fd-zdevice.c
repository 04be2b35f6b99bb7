/* fd-zdevice.c — zdevice.json files.
 *
 * The server builds a whole zdevice when it makes one credential; an import answer gives each
 * credential's secret parts and, once, the endpoint and CA. This builds the same object from
 * those, member for member (fd_api_zdevice() in server/api/fd-api-provision-json.c), so a file
 * from an import is the file a single creation would have given.
 */
#include "config.h"

#include "fd-json.h"
#include "fd-zdevice.h"

/* A file name's bytes, without the suffix: well under NAME_MAX (255) with it. */
#define FD_ZDEVICE_MAX_NAME_BYTES 200

JsonNode *
fd_zdevice_from_import (JsonObject *credential, const char *device_id, JsonObject *endpoint,
                        const char *cacert)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  const char *kind = fd_json_get_string (credential, "kind");
  gboolean key = g_strcmp0 (kind, "key") == 0;
  const char *prvkey = fd_json_get_string (credential, "private_key");

  if (prvkey == NULL)
    prvkey = fd_json_get_string (credential, "secret");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "devinfo");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "device_id");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder,
                                 key ? fd_json_get_string (credential, "mode") : "certificate");
  if (key)
    {
      JsonNode *key_id = json_object_get_member (credential, "key_id");

      json_builder_set_member_name (builder, "key_id");
      json_builder_add_value (builder, key_id != NULL ? json_node_copy (key_id)
                                                      : json_node_new (JSON_NODE_NULL));
      json_builder_set_member_name (builder, "key_type");
      json_builder_add_string_value (builder, "sym");
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "prvkey");
  json_builder_add_string_value (builder, prvkey != NULL ? prvkey : "");
  json_builder_set_member_name (builder, "endpoint");
  if (endpoint != NULL)
    {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), endpoint);
      json_builder_add_value (builder, json_node_copy (node));
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "cacert");
  json_builder_add_string_value (builder, cacert != NULL ? cacert : "");
  if (!key)
    {
      json_builder_set_member_name (builder, "clicert");
      json_builder_add_string_value (builder, fd_json_get_string (credential, "certificate"));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

char *
fd_zdevice_file_name (const char *device_name)
{
  GString *name = g_string_new (NULL);

  for (const char *p = device_name != NULL ? device_name : ""; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (name->len >= FD_ZDEVICE_MAX_NAME_BYTES)
        break;
      if (c == '/' || c == '\\' || g_unichar_iscntrl (c) || (name->len == 0 && c == '.'))
        g_string_append_c (name, '_');
      else
        g_string_append_unichar (name, c);
    }
  if (name->len == 0)
    g_string_append (name, "device");
  g_string_append (name, ".zdevice.json");
  return g_string_free (name, FALSE);
}

GBytes *
fd_zdevice_to_bytes (JsonNode *zdevice)
{
  g_autofree char *text = json_to_string (zdevice, TRUE);
  char *with_newline = g_strconcat (text, "\n", NULL);

  return g_bytes_new_take (with_newline, strlen (with_newline));
}

gboolean
fd_zdevice_has_secret (JsonNode *zdevice)
{
  const char *prvkey = NULL;

  if (zdevice != NULL && JSON_NODE_HOLDS_OBJECT (zdevice))
    prvkey = fd_json_get_string (json_node_get_object (zdevice), "prvkey");
  return prvkey != NULL && *prvkey != '\0';
}
