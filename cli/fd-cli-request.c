/* fd-cli-request.c — the request a command sends, as the command table describes it: path
 * arguments into the path, options into the query, the rest into a JSON body of strings (a PEM
 * file's text included; days are numbers, or null for "none").
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "fd-cli.h"

char *
fd_cli_request_path (const FdCliInvocation *invocation)
{
  const FdCliCommand *command = invocation->command;
  GString *path = g_string_new (NULL);
  gboolean first_query = TRUE;
  guint next_arg = 0;

  for (const char *p = command->path; *p != '\0'; p++)
    {
      if (p[0] == '{' && p[1] == '}')
        {
          g_autofree char *escaped = NULL;

          while (next_arg < invocation->args->len
                 && command->args[next_arg]->target != FD_CLI_TO_PATH)
            next_arg++;
          g_assert (next_arg < invocation->args->len);
          /* Everything but unreserved characters is escaped: a tag may hold '?', '%' or any
           * letter. */
          escaped
              = g_uri_escape_string (g_ptr_array_index (invocation->args, next_arg++), NULL, FALSE);
          g_string_append (path, escaped);
          p++;
        }
      else
        g_string_append_c (path, *p);
    }

  /* A path may carry a fixed query ("?state=pending"); arguments may go to the query too. */
  first_query = strchr (path->str, '?') == NULL;
  for (guint i = 0; i < invocation->args->len; i++)
    if (command->args[i]->target == FD_CLI_TO_QUERY)
      {
        g_autofree char *escaped
            = g_uri_escape_string (g_ptr_array_index (invocation->args, i), NULL, FALSE);

        g_string_append_printf (path, "%c%s=%s", first_query ? '?' : '&', command->args[i]->key,
                                escaped);
        first_query = FALSE;
      }
  for (gsize i = 0; command->options[i] != NULL; i++)
    {
      const FdCliParam *param = command->options[i];
      GPtrArray *values = g_hash_table_lookup (invocation->values, param);

      if (param->target != FD_CLI_TO_QUERY || values == NULL)
        continue;
      for (guint v = 0; v < values->len; v++)
        {
          g_autofree char *escaped
              = g_uri_escape_string (g_ptr_array_index (values, v), NULL, FALSE);

          g_string_append_printf (path, "%c%s=%s", first_query ? '?' : '&', param->key, escaped);
          first_query = FALSE;
          if (param->value == FD_CLI_VALUE_FLAG)
            break;
        }
    }
  return g_string_free (path, FALSE);
}

gboolean
fd_cli_request_body (const FdCliInvocation *invocation, char **body_out, GError **error)
{
  const FdCliCommand *command = invocation->command;
  g_autoptr (JsonObject) object = NULL;
  g_autoptr (JsonNode) root = NULL;

  *body_out = NULL;
  if (!g_str_equal (command->method, "POST") && !g_str_equal (command->method, "PATCH"))
    return TRUE;

  object = json_object_new ();
  for (guint i = 0; i < invocation->args->len; i++)
    if (command->args[i]->target == FD_CLI_TO_BODY)
      json_object_set_string_member (object, command->args[i]->key,
                                     g_ptr_array_index (invocation->args, i));
  for (gsize i = 0; command->options[i] != NULL; i++)
    {
      const FdCliParam *param = command->options[i];
      GPtrArray *values = g_hash_table_lookup (invocation->values, param);
      const char *value;

      if (values == NULL || values->len == 0)
        continue;
      value = g_ptr_array_index (values, values->len - 1);
      if (param->target == FD_CLI_TO_BODY && param->value == FD_CLI_VALUE_DAYS)
        {
          /* The parser checked it: "none" or a number of days. */
          if (g_str_equal (value, "none"))
            json_object_set_null_member (object, param->key);
          else
            json_object_set_int_member (object, param->key, g_ascii_strtoll (value, NULL, 10));
        }
      else if (param->target == FD_CLI_TO_BODY)
        json_object_set_string_member (object, param->key, value);
      else if (param->target == FD_CLI_TO_BODY_FILE)
        {
          g_autofree char *text = fd_cli_file_read_pem (value, error);

          if (text == NULL)
            return FALSE;
          json_object_set_string_member (object, param->key, text);
        }
    }
  root = json_node_init_object (json_node_alloc (), object);
  *body_out = json_to_string (root, FALSE);
  return TRUE;
}
