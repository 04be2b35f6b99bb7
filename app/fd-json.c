/* fd-json.c — small readers for the API's JSON: tolerant of missing members and nulls.
 *
 * json-glib's typed getters warn on a missing member, so everything here looks at the node.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-api-client.h"
#include "fd-json.h"

const char *
fd_json_get_string (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
fd_json_update_string (JsonObject *object, const char *name, char **field)
{
  const char *value;

  if (object == NULL || !json_object_has_member (object, name))
    return FALSE;

  value = fd_json_get_string (object, name);
  if (g_strcmp0 (value, *field) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

gboolean
fd_json_update_uint (JsonObject *object, const char *name, guint *field)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  gint64 value;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  value = CLAMP (json_node_get_int (node), 0, G_MAXUINT);
  if ((guint)value == *field)
    return FALSE;

  *field = (guint)value;
  return TRUE;
}

gboolean
fd_json_update_boolean (JsonObject *object, const char *name, gboolean *field)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  gboolean value;

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return FALSE;

  value = json_node_get_boolean (node);
  if (value == *field)
    return FALSE;

  *field = value;
  return TRUE;
}

JsonObject *
fd_json_get_object (JsonNode *node, GError **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, FD_API_ERROR, FD_API_ERROR_BAD_RESPONSE,
                           _ ("The server sent an answer without the expected object"));
      return NULL;
    }
  return json_node_get_object (node);
}

JsonArray *
fd_json_get_list (JsonNode *node, guint *total, GError **error)
{
  JsonObject *object = fd_json_get_object (node, error);
  JsonNode *items;
  JsonNode *count;

  if (object == NULL)
    return NULL;

  items = json_object_get_member (object, "items");
  count = json_object_get_member (object, "total");
  if (items == NULL || !JSON_NODE_HOLDS_ARRAY (items) || count == NULL
      || json_node_get_value_type (count) != G_TYPE_INT64)
    {
      g_set_error_literal (error, FD_API_ERROR, FD_API_ERROR_BAD_RESPONSE,
                           _ ("The server sent a list without items or total"));
      return NULL;
    }

  if (total != NULL)
    *total = MAX ((guint)CLAMP (json_node_get_int (count), 0, G_MAXUINT),
                  json_array_get_length (json_node_get_array (items)));
  return json_node_get_array (items);
}

char *
fd_json_format_time (const char *rfc3339)
{
  g_autoptr (GDateTime) utc = NULL;
  g_autoptr (GDateTime) local = NULL;

  if (rfc3339 == NULL)
    return NULL;

  utc = g_date_time_new_from_iso8601 (rfc3339, NULL);
  if (utc == NULL)
    return NULL;

  local = g_date_time_to_local (utc);
  /* TRANSLATORS: a date and time in lists, see g_date_time_format() */
  return g_date_time_format (local, C_ ("time format", "%Y-%m-%d %H:%M"));
}

JsonObject *
fd_json_get_member_object (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

char *
fd_json_dup_string (JsonObject *object, const char *name)
{
  const char *value = fd_json_get_string (object, name);

  return g_strdup (value != NULL ? value : "");
}

gint64
fd_json_get_int (JsonObject *object, const char *name, gint64 fallback)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return fallback;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return (gint64)json_node_get_double (node);
    default:
      return fallback;
    }
}
