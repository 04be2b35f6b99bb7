/* fd-api-export-selection.c — the selection members of an export or schedule body (format,
 * columns, tags, fleets, devices, aggregate), their stored JSON and their check in the store. */
#include "config.h"
#include "fd-api-export-private.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "query/fd-query-select.h"
#include "query/fd-query.h"

#include <string.h>

/* ---- the selection -------------------------------------------------------------------------- */

void
fd_api_selection_clear (FdApiSelection *s)
{
  g_clear_pointer (&s->format, g_free);
  g_clear_pointer (&s->columns, g_free);
  g_clear_pointer (&s->tags, g_strfreev);
  g_clear_pointer (&s->fleets, g_strfreev);
  g_clear_pointer (&s->devices, g_strfreev);
  g_clear_pointer (&s->aggregate, g_free);
}

static gboolean
body_list (FdApiRequest *req, JsonObject *obj, const char *member, const char *prefix, char ***out)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr (GPtrArray) values = NULL;
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) > FD_API_MAX_EXPORT_LIST)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                          "%s must be an array of at most %d strings", member,
                          FD_API_MAX_EXPORT_LIST);
      return FALSE;
    }
  array = json_node_get_array (node);
  values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *text;
      const char *why = NULL;

      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        why = "must hold strings";
      else
        {
          text = json_node_get_string (item);
          if (prefix == NULL)
            why = fd_tag_check (text, strlen (text));
          else if (!fd_id_is_valid (text, prefix))
            why = g_str_equal (prefix, "dev") ? "must hold device IDs like dev-…"
                                              : "must hold fleet IDs like flt-…";
        }
      if (why != NULL)
        {
          fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                              "%s %s (item %u)", member, why, i);
          return FALSE;
        }
      g_ptr_array_add (values, g_strdup (json_node_get_string (item)));
    }
  g_ptr_array_add (values, NULL);
  *out = (char **)g_ptr_array_steal (values, NULL);
  return TRUE;
}

static gboolean
body_choice (FdApiRequest *req, JsonObject *obj, const char *member, const char *const *choices,
             const char *fallback, char **out)
{
  JsonNode *node = json_object_get_member (obj, member);
  const char *text;

  *out = NULL;
  if (node == NULL)
    {
      *out = g_strdup (fallback);
      return TRUE;
    }
  text = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
             ? json_node_get_string (node)
             : NULL;
  for (guint i = 0; text != NULL && choices[i] != NULL; i++)
    if (g_str_equal (text, choices[i]))
      {
        *out = g_strdup (text);
        return TRUE;
      }
  {
    g_autofree char *list = g_strjoinv (", ", (char **)choices);
    fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", member,
                        "%s must be one of %s", member, list);
  }
  return FALSE;
}

gboolean
fd_api_selection_parse (FdApiRequest *req, JsonObject *obj, gboolean defaults, FdApiSelection *s)
{
  static const char *const formats[] = { "csv", "json", "ndjson", NULL };
  static const char *const columns[] = { "payload", "fields", NULL };

  return body_choice (req, obj, "format", formats, defaults ? "csv" : NULL, &s->format)
         && body_choice (req, obj, "columns", columns, defaults ? "payload" : NULL, &s->columns)
         && body_list (req, obj, "tags", NULL, &s->tags)
         && body_list (req, obj, "fleets", "flt", &s->fleets)
         && body_list (req, obj, "devices", "dev", &s->devices);
}

char *
fd_api_selection_json (const FdApiSelection *s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  fd_api_json_strv (b, "tags", s->tags);
  fd_api_json_strv (b, "fleets", s->fleets);
  fd_api_json_strv (b, "devices", s->devices);
  fd_api_json_string (b, "columns", s->columns ? s->columns : "payload");
  json_builder_set_member_name (b, "aggregate");
  if (s->aggregate != NULL)
    json_builder_add_value (b, json_from_string (s->aggregate, NULL));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  return json_to_string (node, FALSE);
}

static char **
strv_member (JsonObject *obj, const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      const char *text = json_array_get_string_element (json_node_get_array (node), i);
      if (text != NULL)
        g_ptr_array_add (values, g_strdup (text));
    }
  if (values->len == 0)
    return NULL;
  g_ptr_array_add (values, NULL);
  return (char **)g_ptr_array_steal (values, NULL);
}

void
fd_api_selection_from_json (const char *json, FdApiSelection *s)
{
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  obj = json_node_get_object (node);
  g_free (s->columns);
  s->columns = g_strdup (json_object_get_string_member_with_default (obj, "columns", "payload"));
  g_strfreev (s->tags);
  s->tags = strv_member (obj, "tags");
  g_strfreev (s->fleets);
  s->fleets = strv_member (obj, "fleets");
  g_strfreev (s->devices);
  s->devices = strv_member (obj, "devices");
}

void
fd_api_json_selection (JsonBuilder *b, const char *selection)
{
  FdApiSelection s = { 0 };

  fd_api_selection_from_json (selection, &s);
  fd_api_json_string (b, "columns", s.columns ? s.columns : "payload");
  fd_api_json_strv (b, "tags", s.tags);
  fd_api_json_strv (b, "fleets", s.fleets);
  fd_api_json_strv (b, "devices", s.devices);
  fd_api_selection_clear (&s);
}

const char *
fd_api_selection_check (FdDb *db, const char *workspace_id, const FdApiSelection *s, char **message,
                        GError **error)
{
  FdQuerySelection sel = {
    .workspace_id = workspace_id,
    .tags = (const char *const *)s->tags,
    .devices = (const char *const *)s->devices,
    .fleets = (const char *const *)s->fleets,
  };
  g_autoptr (GArray) streams = fd_query_streams_new ();
  GError *local = NULL;
  const char *member;

  *message = NULL;
  if (fd_query_resolve_streams (db, &sel, streams, &local))
    return NULL;
  /* The body's members are plural where the query parameters are not. */
  member = local->domain != FD_QUERY_ERROR        ? NULL
           : local->code == FD_QUERY_ERROR_TAG    ? "tags"
           : local->code == FD_QUERY_ERROR_DEVICE ? "devices"
           : local->code == FD_QUERY_ERROR_FLEET  ? "fleets"
                                                  : NULL;
  if (member == NULL)
    {
      g_propagate_error (error, local);
      return NULL;
    }
  *message = g_strdup (local->message);
  g_error_free (local);
  return member;
}

/* ---- aggregate ------------------------------------------------------------------------------ */

static gboolean
bad_aggregate (FdApiRequest *req, const char *message)
{
  fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "aggregate", "%s", message);
  return FALSE;
}

/* The body's aggregate {field, fn, bucket, group} into @sel->aggregate (stored normalised). */
gboolean
fd_api_export_parse_aggregate (FdApiRequest *req, JsonNode *node, FdApiSelection *sel,
                               const FdExport *e)
{
  JsonObject *obj;
  const char *field, *bucket, *group;
  g_autofree char *fn = NULL, *bad = NULL;
  JsonNode *fn_node;
  gint64 width;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  static const char *const allowed[] = { "field", "fn", "bucket", "group", NULL };

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_aggregate (req, "aggregate must be an object {field, fn, bucket, group}");
  obj = json_node_get_object (node);
  {
    GList *names = json_object_get_members (obj);
    gboolean known = TRUE;
    for (GList *m = names; m != NULL; m = m->next)
      known = known && g_strv_contains (allowed, m->data);
    g_list_free (names);
    if (!known)
      return bad_aggregate (req, "aggregate takes field, fn, bucket and group");
  }
  field = json_object_get_string_member_with_default (obj, "field", NULL);
  if (field == NULL || *field == '\0')
    return bad_aggregate (req, "aggregate.field (a numeric field path) is required");
  fn_node = json_object_get_member (obj, "fn");
  if (fn_node != NULL && JSON_NODE_HOLDS_ARRAY (fn_node))
    {
      g_autoptr (GString) list = g_string_new (NULL);
      JsonArray *a = json_node_get_array (fn_node);
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          const char *name = json_array_get_string_element (a, i);
          g_string_append_printf (list, "%s%s", i ? "," : "", name ? name : "?");
        }
      fn = g_string_free (g_steal_pointer (&list), FALSE);
    }
  else if (fn_node != NULL && JSON_NODE_HOLDS_VALUE (fn_node)
           && json_node_get_value_type (fn_node) == G_TYPE_STRING)
    fn = g_strdup (json_node_get_string (fn_node));
  if (fn == NULL || fd_query_fns_parse (fn, &bad) == 0)
    return bad_aggregate (req, "aggregate.fn must be a comma list of " FD_QUERY_FN_NAMES);
  bucket = json_object_get_string_member_with_default (obj, "bucket", "none");
  width = fd_query_bucket_parse (bucket);
  if (width < 0)
    return bad_aggregate (req, "aggregate.bucket must be none or a number followed by m, h or d "
                               "(1m, 5m, 1h, 1d, 7d), at least 1m");
  group = json_object_get_string_member_with_default (obj, "group", "none");
  if (!g_str_equal (group, "none") && !g_str_equal (group, "device")
      && !g_str_equal (group, "fleet"))
    return bad_aggregate (req, "aggregate.group must be none, device or fleet");
  if (sel->tags == NULL || g_strv_length (sel->tags) != 1)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "tags",
                          "an aggregate export needs exactly one tag");
      return FALSE;
    }
  if (width > 0 && (!e->has_start || !e->has_end))
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", "start",
                          "a bucketed aggregate export needs start and end");
      return FALSE;
    }
  if (width > 0 && (e->end - e->start) / width >= FD_QUERY_MAX_BUCKETS)
    return bad_aggregate (req, "the range holds more than 100000 buckets: use a wider bucket");

  json_builder_begin_object (b);
  fd_api_json_string (b, "field", field);
  fd_api_json_string (b, "fn", fn);
  fd_api_json_string (b, "bucket", bucket);
  fd_api_json_int (b, "bucket_ms", width);
  fd_api_json_string (b, "group", group);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  sel->aggregate = json_to_string (root, FALSE);
  return TRUE;
}

gboolean
fd_api_selection_check_new (FdDb *db, const char *workspace_id, const FdApiSelection *s,
                            const char **bad_member, char **message, GError **error)
{
  if (!fd_store_workspace_exists (db, workspace_id, error))
    return FALSE;
  *bad_member = fd_api_selection_check (db, workspace_id, s, message, error);
  return *bad_member != NULL || error == NULL || *error == NULL;
}
