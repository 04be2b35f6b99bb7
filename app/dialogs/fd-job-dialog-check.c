/* fd-job-dialog-check.c — what "New Job" checks as the user types: the name as the API takes
 * it, the arguments as a JSON object, and the names a device's manifest declares. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-job-dialog.h"

#define FD_JOB_NAME_MAX 63

const char *
fd_job_name_problem (const char *name)
{
  gsize length = name != NULL ? strlen (name) : 0;

  if (length == 0)
    return _ ("The job needs a name.");
  if (length > FD_JOB_NAME_MAX)
    return _ ("A job name has at most 63 characters.");
  if (!g_ascii_isalpha (name[0]))
    return _ ("A job name starts with a letter.");
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '-')
      return _ ("A job name has only letters, digits, “_”, “.” and “-”.");
  if (g_str_equal (name, "fota"))
    return _ ("“fota” is the firmware updates’ own job: use a campaign.");
  return NULL;
}

JsonNode *
fd_job_args_parse (const char *text, char **message)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  JsonNode *root;

  if (*trimmed == '\0')
    {
      root = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (root, json_object_new ());
      return root;
    }
  if (!json_parser_load_from_data (parser, trimmed, -1, &error))
    {
      /* json-glib says "<data>:2:5: Parse error: …": the line and column are what helps. */
      const char *said = error->message;
      guint line = 0, column = 0;
      const char *rest = strstr (said, ": ");

      if (g_str_has_prefix (said, "<data>:") && sscanf (said, "<data>:%u:%u", &line, &column) == 2
          && rest != NULL)
        {
          rest += 2;
          if (g_str_has_prefix (rest, "Parse error: "))
            rest += strlen ("Parse error: ");
          *message = g_strdup_printf (_ ("Line %u, column %u: %s"), line, column, rest);
        }
      else
        *message = g_strdup (said);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      *message = g_strdup (_ ("The arguments are a JSON object, such as {\"s\": 5}."));
      return NULL;
    }
  return json_node_copy (root);
}

static void
fd_job_add_names (JsonArray *list, GHashTable *names)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);

      if (json_node_get_value_type (element) == G_TYPE_STRING
          && fd_job_name_problem (json_node_get_string (element)) == NULL)
        g_hash_table_add (names, g_strdup (json_node_get_string (element)));
    }
}

void
fd_job_manifest_names (JsonNode *manifest, GHashTable *names)
{
  JsonNode *jobs;

  if (manifest == NULL)
    return;
  if (JSON_NODE_HOLDS_ARRAY (manifest))
    fd_job_add_names (json_node_get_array (manifest), names);
  else if (JSON_NODE_HOLDS_OBJECT (manifest)
           && (jobs = json_object_get_member (json_node_get_object (manifest), "jobs")) != NULL
           && JSON_NODE_HOLDS_ARRAY (jobs))
    fd_job_add_names (json_node_get_array (jobs), names);
}
