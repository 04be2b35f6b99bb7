/* fleetdesk-cli.c — entry point: parse the command line, turn the command into one request to
 * the operator API (docs/rest-api.md), show the answer, and exit 0 (done), 1 (the API or the
 * connection failed) or 2 (the command line is wrong).
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "fd-cli.h"

/* The path below /api/v1 with each "{}" replaced by the next path argument, then the query. */
static char *
build_path (const FdCliInvocation *invocation)
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
          escaped
              = g_uri_escape_string (g_ptr_array_index (invocation->args, next_arg++), NULL, FALSE);
          g_string_append (path, escaped);
          p++;
        }
      else
        g_string_append_c (path, *p);
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

/* The JSON body of a POST or PATCH: every argument and option that goes to the body, as
 * strings. NULL for the other methods. */
static char *
build_body (const FdCliInvocation *invocation)
{
  const FdCliCommand *command = invocation->command;
  g_autoptr (JsonObject) object = NULL;
  g_autoptr (JsonNode) root = NULL;

  if (!g_str_equal (command->method, "POST") && !g_str_equal (command->method, "PATCH"))
    return NULL;

  object = json_object_new ();
  for (guint i = 0; i < invocation->args->len; i++)
    if (command->args[i]->target == FD_CLI_TO_BODY)
      json_object_set_string_member (object, command->args[i]->key,
                                     g_ptr_array_index (invocation->args, i));
  for (gsize i = 0; command->options[i] != NULL; i++)
    {
      const FdCliParam *param = command->options[i];
      GPtrArray *values = g_hash_table_lookup (invocation->values, param);

      if (param->target == FD_CLI_TO_BODY && values != NULL && values->len > 0)
        json_object_set_string_member (object, param->key,
                                       g_ptr_array_index (values, values->len - 1));
    }
  root = json_node_init_object (json_node_alloc (), object);
  return json_to_string (root, FALSE);
}

static int
report_usage_error (const FdCliInvocation *invocation, const GError *error)
{
  g_autofree char *hint = fd_cli_help_hint (invocation);

  fprintf (stderr, "%s: %s\n", FD_CLI_PROGRAM, error->message);
  fprintf (stderr, _ ("Try '%s' for more information.\n"), hint);
  return FD_CLI_EXIT_USAGE;
}

static int
report_error (const FdCliInvocation *invocation, const GError *error)
{
  if (g_error_matches (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE))
    return report_usage_error (invocation, error);

  fprintf (stderr, "%s: %s\n", FD_CLI_PROGRAM, error->message);
  if (g_error_matches (error, FD_CLI_ERROR, FD_CLI_ERROR_CONNECT))
    fprintf (stderr, "%s\n",
             _ ("Check that fleetdesk-server is running there, or give its address with --server "
                "or FLEETDESK_URL."));
  else if (g_error_matches (error, FD_CLI_ERROR, FD_CLI_ERROR_UNAUTHORIZED))
    fprintf (stderr, "%s\n",
             _ ("Check the token given with --token, FLEETDESK_TOKEN or --data-dir."));
  return FD_CLI_EXIT_FAILURE;
}

static int
run_remote (const FdCliInvocation *invocation)
{
  FdCliEndpoint endpoint = { NULL, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *request = NULL;
  int status = FD_CLI_EXIT_OK;

  if (!fd_cli_endpoint_resolve (invocation, &endpoint, &error))
    return report_error (invocation, error);

  path = build_path (invocation);
  request = build_body (invocation);
  if (!fd_cli_http_send (&endpoint, invocation->command->method, path, request, &body, &error)
      || !fd_cli_output_show (invocation, body, &error))
    status = report_error (invocation, error);

  fd_cli_endpoint_clear (&endpoint);
  return status;
}

/* Output that cannot be written (a full disk, a closed pipe) is a failure, not a success. */
static int
finish (int status)
{
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      fprintf (stderr, "%s: %s\n", FD_CLI_PROGRAM, _ ("cannot write the output"));
      return FD_CLI_EXIT_FAILURE;
    }
  return status;
}

int
main (int argc, char **argv)
{
  g_autoptr (FdCliInvocation) invocation = fd_cli_invocation_new ();
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!fd_cli_parse (invocation, argc, argv, &error))
    return report_usage_error (invocation, error);

  if (invocation->help)
    {
      fd_cli_print_help (invocation);
      return finish (FD_CLI_EXIT_OK);
    }
  if (invocation->version)
    {
      printf ("%s %s\n", FD_CLI_PROGRAM, PACKAGE_VERSION);
      return finish (FD_CLI_EXIT_OK);
    }
  if (invocation->command->local != NULL)
    return finish (invocation->command->local (invocation));
  return finish (run_remote (invocation));
}
