/* fd-cli-messages.c — a device's down channel from the command line: "device send" (a
 * message kept in the device's expected map until it answers) and "device status" (its
 * expected and current maps), and the cells of the condition list (docs/rest-api.md).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli.h"

gboolean
fd_cli_device_send (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                    GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) request_root = NULL;
  g_autoptr (JsonNode) value = NULL;
  g_autoptr (GBytes) request_body = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *json_text = NULL;
  FdCliRequest request = {
    .method = "POST",
    .path_and_query = path,
    .content_type = "application/json",
  };

  /* DEVICE KEY VALUE_JSON; the parser checked VALUE_JSON is JSON. */
  value = json_from_string (g_ptr_array_index (invocation->args, 2), NULL);
  g_assert (value != NULL);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_string_value (builder, g_ptr_array_index (invocation->args, 1));
  json_builder_set_member_name (builder, "value");
  json_builder_add_value (builder, g_steal_pointer (&value));
  json_builder_end_object (builder);
  request_root = json_builder_get_root (builder);
  json_text = json_to_string (request_root, FALSE);
  request_body = g_bytes_new (json_text, strlen (json_text));
  request.body = request_body;

  if (!fd_cli_http_send (endpoint, &request, &body, NULL, error))
    return FALSE;
  return fd_cli_output_show (invocation, body, error);
}

/* A status map {key: {"v", "t"}} as table items {key, value, t (RFC 3339)}. */
static JsonArray *
map_items (JsonObject *map)
{
  JsonArray *items = json_array_new ();
  g_autoptr (GList) keys = json_object_get_members (map);

  keys = g_list_sort (keys, (GCompareFunc)g_strcmp0);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      JsonNode *entry = json_object_get_member (map, l->data);
      JsonObject *item = json_object_new ();

      json_object_set_string_member (item, "key", l->data);
      if (JSON_NODE_HOLDS_OBJECT (entry))
        {
          JsonObject *e = json_node_get_object (entry);
          JsonNode *v = json_object_get_member (e, "v");
          JsonNode *t = json_object_get_member (e, "t");

          if (v != NULL)
            json_object_set_member (item, "value", json_node_copy (v));
          if (t != NULL && JSON_NODE_HOLDS_VALUE (t)
              && json_node_get_value_type (t) == G_TYPE_INT64)
            {
              gint64 ms = json_node_get_int (t);
              g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);
              g_autofree char *text = dt ? g_date_time_format_iso8601 (dt) : NULL;

              if (text != NULL)
                json_object_set_string_member (item, "t", text);
            }
        }
      json_array_add_object_element (items, item);
    }
  return items;
}

static gboolean
append_map (GString *out, JsonObject *root, const char *member, const char *title,
            const char *time_header, GError **error)
{
  const FdCliColumn columns[] = {
    { NC_ ("table column", "KEY"), "key", FD_CLI_CELL_TEXT },
    { time_header, "t", FD_CLI_CELL_TIME },
    { NC_ ("table column", "VALUE"), "value", FD_CLI_CELL_JSON },
    { NULL },
  };
  JsonNode *node = json_object_get_member (root, member);
  g_autoptr (JsonArray) items = NULL;
  g_autofree char *table = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                   _ ("the server's answer has no \"%s\" map"), member);
      return FALSE;
    }
  items = map_items (json_node_get_object (node));
  g_string_append_printf (out, "%s\n", title);
  if (json_array_get_length (items) == 0)
    {
      g_string_append_printf (out, "  %s\n", _ ("(none)"));
      return TRUE;
    }
  table = fd_cli_output_table (columns, items);
  g_string_append (out, table);
  return TRUE;
}

gboolean
fd_cli_device_status (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                      GError **error)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  if (!fd_cli_http_send_command (invocation, endpoint, &body, error))
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (body, error);
  root = fd_cli_output_parse (body, error);
  if (root == NULL
      || !append_map (out, json_node_get_object (root), "expected",
                      _ ("Expected (sent, waiting for the device's answer):"),
                      NC_ ("table column", "SENT"), error))
    return FALSE;
  g_string_append_c (out, '\n');
  if (!append_map (out, json_node_get_object (root), "current",
                   _ ("Current (what the device reported):"), NC_ ("table column", "REPORTED"),
                   error))
    return FALSE;
  return fd_cli_output_write (out->str, out->len, error);
}

char *
fd_cli_condition_duration_cell (JsonObject *condition)
{
  JsonNode *node = json_object_get_member (condition, "duration");
  gint64 total, h, m, s;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_DOUBLE
          && json_node_get_value_type (node) != G_TYPE_INT64))
    return g_strdup ("-");
  total = json_node_get_value_type (node) == G_TYPE_DOUBLE ? (gint64)json_node_get_double (node)
                                                           : json_node_get_int (node);
  h = total / 3600;
  m = (total / 60) % 60;
  s = total % 60;
  if (h > 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "h %02" G_GINT64_FORMAT "m %02" G_GINT64_FORMAT "s",
                            h, m, s);
  if (m > 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m %02" G_GINT64_FORMAT "s", m, s);
  return g_strdup_printf ("%" G_GINT64_FORMAT "s", s);
}

char *
fd_cli_condition_device_cell (JsonObject *condition)
{
  const char *name = fd_cli_output_get_string (condition, "device_name");
  const char *id = fd_cli_output_get_string (condition, "device_id");

  return fd_cli_output_printable (name != NULL ? name : id != NULL ? id : "-");
}
