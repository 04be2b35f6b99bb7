/* fd-cli-integrations.c — the integration verbs whose request or answer needs more than the
 * command table says: create and update (a body of lists, numbers and a headers object; a
 * create's secret shown once, with a note) and test (exit 1 when the event did not get
 * through) (docs/rest-api.md, "Integrations").
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* The server's bounds (docs/rest-api.md), checked here too so that a typo is a usage error. */
#define BATCH_MAX_LIMIT 10000
#define BATCH_DELAY_MS_LIMIT 3600000
#define MAX_AGE_S_MIN 60

static const FdCliIntMember numbers[] = {
  { "batch-max", "batch_max", 1, BATCH_MAX_LIMIT },
  { "batch-delay", "batch_delay_ms", 0, BATCH_DELAY_MS_LIMIT },
  { "max-queued", "max_queued", 1, G_MAXINT32 },
  { "max-age", "max_age_s", MAX_AGE_S_MIN, G_MAXINT32 },
};

/* The options that change a setting: an update needs one of them. */
static const char *const settings[]
    = { "name", "url", "secret", "header", "dsn", "kind", "fleet", "tag", NULL };

/* "NAME: VALUE" split at its first colon, both sides trimmed; FALSE when there is no name. */
static gboolean
split_header (const char *text, char **name, char **value)
{
  const char *colon = strchr (text, ':');

  if (colon == NULL)
    return FALSE;
  *name = g_strstrip (g_strndup (text, colon - text));
  *value = g_strstrip (g_strdup (colon + 1));
  if (**name != '\0')
    return TRUE;
  g_clear_pointer (name, g_free);
  g_clear_pointer (value, g_free);
  return FALSE;
}

gboolean
fd_cli_integration_check (const FdCliInvocation *invocation, GError **error)
{
  gboolean create = g_str_equal (invocation->command->verb, "create");
  const char *type = fd_cli_invocation_get (invocation, "type");
  GPtrArray *headers = fd_cli_invocation_get_all (invocation, "header");
  gboolean changes = FALSE;

  if (!fd_cli_check_int_members (invocation, numbers, G_N_ELEMENTS (numbers), error))
    return FALSE;
  for (guint i = 0; headers != NULL && i < headers->len; i++)
    {
      g_autofree char *name = NULL, *value = NULL;
      if (!split_header (g_ptr_array_index (headers, i), &name, &value))
        {
          g_autofree char *shown = fd_cli_quote (g_ptr_array_index (headers, i));
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("--header must be 'NAME: VALUE', not %s"), shown);
          return FALSE;
        }
    }
  for (guint i = 0; settings[i] != NULL; i++)
    changes |= fd_cli_invocation_has (invocation, settings[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    changes |= fd_cli_invocation_has (invocation, numbers[i].option);
  if (!create && !changes)
    {
      g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                           _ ("name what to change: --name, --url, --header, --kind, … (see "
                              "--help)"));
      return FALSE;
    }
  if (create && g_strcmp0 (type, "webhook") == 0 && !fd_cli_invocation_has (invocation, "url"))
    {
      g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                           _ ("a webhook needs --url (http:// or https://)"));
      return FALSE;
    }
  if (create && g_strcmp0 (type, "postgresql") == 0 && !fd_cli_invocation_has (invocation, "dsn"))
    {
      g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                           _ ("a postgresql integration needs --dsn "
                              "'host=… dbname=… user=… password=…'"));
      return FALSE;
    }
  return TRUE;
}

static void
add_headers (JsonBuilder *b, const FdCliInvocation *invocation)
{
  GPtrArray *headers = fd_cli_invocation_get_all (invocation, "header");

  if (headers == NULL)
    return;
  json_builder_set_member_name (b, "headers");
  json_builder_begin_object (b);
  for (guint i = 0; i < headers->len; i++)
    {
      g_autofree char *name = NULL, *value = NULL;
      /* checked by fd_cli_integration_check */
      if (split_header (g_ptr_array_index (headers, i), &name, &value))
        {
          json_builder_set_member_name (b, name);
          json_builder_add_string_value (b, value);
        }
    }
  json_builder_end_object (b);
}

gboolean
fd_cli_integration_send (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                         GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GBytes) raw = NULL;
  JsonObject *object;

  json_builder_begin_object (b);
  fd_cli_add_string (b, invocation, "type", "type");
  fd_cli_add_string (b, invocation, "name", "name");
  fd_cli_add_string (b, invocation, "url", "url");
  fd_cli_add_string (b, invocation, "secret", "secret");
  fd_cli_add_string (b, invocation, "dsn", "dsn");
  add_headers (b, invocation);
  fd_cli_add_ids_given (b, invocation, "kind", "kinds");
  fd_cli_add_ids_given (b, invocation, "fleet", "fleets");
  fd_cli_add_ids_given (b, invocation, "tag", "tags");
  fd_cli_add_int_members (b, invocation, numbers, G_N_ELEMENTS (numbers));
  json_builder_end_object (b);
  if (!fd_cli_send_json (endpoint, invocation->command->method, path, b, &answer, &raw, error))
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (raw, error);
  object = json_node_get_object (answer);
  if (!fd_cli_output_object (object, NULL, error))
    return FALSE;
  if (json_object_has_member (object, "secret"))
    g_printerr ("%s\n", _ ("Keep the secret now: it is not shown again. Receivers use it to "
                           "check X-Fleetdesk-Signature."));
  return TRUE;
}

gboolean
fd_cli_integration_test (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                         GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  FdCliRequest request = { .method = "POST", .path_and_query = path };
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (JsonNode) answer = NULL;
  JsonObject *object;
  const char *why;

  if (!fd_cli_http_send (endpoint, &request, &raw, NULL, error))
    return FALSE;
  answer = fd_cli_output_parse (raw, error);
  if (answer == NULL)
    return FALSE;
  object = json_node_get_object (answer);
  if (fd_cli_invocation_has (invocation, "json") ? !fd_cli_output_json (raw, error)
                                                 : !fd_cli_output_object (object, NULL, error))
    return FALSE;
  if (json_object_get_boolean_member_with_default (object, "delivered", FALSE))
    return TRUE;
  why = fd_cli_output_get_string (object, "error");
  {
    g_autofree char *shown = fd_cli_output_printable (why != NULL ? why : _ ("no answer"));
    g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_API, _ ("the test event was not delivered: %s"),
                 shown);
  }
  return FALSE;
}
