/* fd-cli-jobs.c — the job and variable verbs whose request or answer needs more than the
 * command table says: "job schedule" (a body of lists and numbers; --wait follows the job until
 * every device answered), "job get" (the job, then its executions as a table) and "variable
 * set" (the value is JSON, not a string) (docs/rest-api.md, "Jobs", "Variables").
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* How often --wait asks for the job; the job's own timeout bounds the whole wait. */
#define WAIT_POLL_US (250 * 1000)
#define JOB_MAX_TIMEOUT_S 604800
#define JOB_MAX_RETRIES 10

gboolean
fd_cli_send_json (const FdCliEndpoint *endpoint, const char *method, const char *path,
                  JsonBuilder *b, JsonNode **answer, GBytes **raw, GError **error)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);
  g_autofree char *text = json_to_string (root, FALSE);
  gsize len = strlen (text);
  g_autoptr (GBytes) body = g_bytes_new_take (g_steal_pointer (&text), len);
  FdCliRequest request = {
    .method = method,
    .path_and_query = path,
    .content_type = "application/json",
    .body = body,
  };
  g_autoptr (GBytes) reply = NULL;

  if (!fd_cli_http_send (endpoint, &request, &reply, NULL, error))
    return FALSE;
  *answer = fd_cli_output_parse (reply, error);
  if (*answer != NULL && raw != NULL)
    *raw = g_bytes_ref (reply);
  return *answer != NULL;
}

JsonNode *
fd_cli_get_json (const FdCliEndpoint *endpoint, const char *path, GBytes **raw, GError **error)
{
  FdCliRequest request = { .method = "GET", .path_and_query = path };
  g_autoptr (GBytes) reply = NULL;
  JsonNode *node;

  if (!fd_cli_http_send (endpoint, &request, &reply, NULL, error))
    return NULL;
  node = fd_cli_output_parse (reply, error);
  if (node != NULL && raw != NULL)
    *raw = g_bytes_ref (reply);
  return node;
}

gboolean
fd_cli_show_with_table (JsonObject *object, const char *const *skip, const char *list_member,
                        const FdCliColumn *columns, const char *title, GError **error)
{
  JsonNode *list = json_object_get_member (object, list_member);
  JsonArray *items = NULL;
  g_autoptr (GString) out = g_string_new ("\n");

  if (!fd_cli_output_object (object, skip, error))
    return FALSE;
  if (list != NULL && JSON_NODE_HOLDS_ARRAY (list))
    items = json_node_get_array (list);
  else if (list != NULL && JSON_NODE_HOLDS_OBJECT (list))
    items = json_object_get_array_member (json_node_get_object (list), "items");
  g_string_append_printf (out, "%s\n", title);
  if (items == NULL || json_array_get_length (items) == 0)
    g_string_append_printf (out, "  %s\n", _ ("(none)"));
  else
    {
      g_autofree char *table = fd_cli_output_table (columns, items);
      g_string_append (out, table);
    }
  return fd_cli_output_write (out->str, out->len, error);
}

gboolean
fd_cli_int_option (const FdCliInvocation *invocation, const char *name, gint64 min, gint64 max,
                   gint64 *value, GError **error)
{
  const char *text = fd_cli_invocation_get (invocation, name);
  guint64 n;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, (guint64)min, (guint64)max, &n, NULL))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("--%s must be a whole number from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT),
                   name, min, max);
      return FALSE;
    }
  *value = (gint64)n;
  return TRUE;
}

gboolean
fd_cli_job_check_schedule (const FdCliInvocation *invocation, GError **error)
{
  const char *args = fd_cli_invocation_get (invocation, "args");
  gint64 unused = 0;

  if (args != NULL)
    {
      g_autoptr (JsonNode) node = json_from_string (args, NULL);

      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                               _ ("--args must be a JSON object, e.g. '{\"s\": 5}'"));
          return FALSE;
        }
    }
  if (fd_cli_invocation_get_all (invocation, "device") == NULL
      && fd_cli_invocation_get_all (invocation, "fleet") == NULL)
    {
      g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                           _ ("name the devices to run the job on: --device ID or --fleet ID"));
      return FALSE;
    }
  return fd_cli_int_option (invocation, "timeout", 1, JOB_MAX_TIMEOUT_S, &unused, error)
         && fd_cli_int_option (invocation, "retries", 0, JOB_MAX_RETRIES, &unused, error);
}

void
fd_cli_add_ids (JsonBuilder *b, const FdCliInvocation *invocation, const char *option,
                const char *member)
{
  GPtrArray *values = fd_cli_invocation_get_all (invocation, option);

  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && i < values->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (values, i));
  json_builder_end_array (b);
}

void
fd_cli_add_ids_given (JsonBuilder *b, const FdCliInvocation *invocation, const char *option,
                      const char *member)
{
  if (fd_cli_invocation_has (invocation, option))
    fd_cli_add_ids (b, invocation, option, member);
}

void
fd_cli_add_string (JsonBuilder *b, const FdCliInvocation *invocation, const char *option,
                   const char *member)
{
  const char *value = fd_cli_invocation_get (invocation, option);

  if (value == NULL)
    return;
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, value);
}

gboolean
fd_cli_check_int_members (const FdCliInvocation *invocation, const FdCliIntMember *ints, gsize n,
                          GError **error)
{
  gint64 unused;

  for (gsize i = 0; i < n; i++)
    if (!fd_cli_int_option (invocation, ints[i].option, ints[i].min, ints[i].max, &unused, error))
      return FALSE;
  return TRUE;
}

void
fd_cli_add_int_members (JsonBuilder *b, const FdCliInvocation *invocation,
                        const FdCliIntMember *ints, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      gint64 value = -1;

      fd_cli_int_option (invocation, ints[i].option, ints[i].min, ints[i].max, &value, NULL);
      if (value < 0)
        continue;
      json_builder_set_member_name (b, ints[i].member);
      json_builder_add_int_value (b, value);
    }
}

/* Asks for the job until it is no longer active, showing how far it got on stderr. */
static JsonNode *
wait_job (const FdCliEndpoint *endpoint, const char *id, GBytes **raw, GError **error)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/jobs/%s?size=10000", escaped);
  gboolean tty = isatty (STDERR_FILENO);
  g_autofree char *last = NULL;

  for (;;)
    {
      g_autoptr (GBytes) bytes = NULL;
      JsonNode *node = fd_cli_get_json (endpoint, path, &bytes, error);
      JsonObject *job, *counts;
      const char *state;
      g_autofree char *line = NULL;

      if (node == NULL)
        return NULL;
      job = json_node_get_object (node);
      state = json_object_get_string_member_with_default (job, "state", "");
      if (!g_str_equal (state, "active"))
        {
          if (tty && last != NULL)
            g_printerr ("\n");
          *raw = g_steal_pointer (&bytes);
          return node;
        }
      counts = json_object_get_object_member (job, "counts");
      line = g_strdup_printf (
          _ ("Waiting for %s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " devices answered"), id,
          json_object_get_int_member_with_default (job, "total", 0)
              - (counts ? json_object_get_int_member_with_default (counts, "queued", 0)
                              + json_object_get_int_member_with_default (counts, "sent", 0)
                        : 0),
          json_object_get_int_member_with_default (job, "total", 0));
      if (g_strcmp0 (line, last) != 0)
        g_printerr ("%s%s%s", tty ? "\r" : "", line, tty ? "" : "\n");
      g_free (last);
      last = g_steal_pointer (&line);
      json_node_unref (node);
      g_usleep (WAIT_POLL_US);
    }
}

gboolean
fd_cli_job_schedule (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                     GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) answer = NULL, done = NULL;
  g_autoptr (GBytes) raw = NULL, done_raw = NULL;
  const char *args = fd_cli_invocation_get (invocation, "args");
  gint64 timeout = 0, retries = -1;
  const char *id;

  /* Checked by fd_cli_job_check_schedule. */
  fd_cli_int_option (invocation, "timeout", 1, JOB_MAX_TIMEOUT_S, &timeout, NULL);
  fd_cli_int_option (invocation, "retries", 0, JOB_MAX_RETRIES, &retries, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, g_ptr_array_index (invocation->args, 1));
  json_builder_set_member_name (b, "args");
  json_builder_add_value (b, args ? json_from_string (args, NULL)
                                  : json_node_init_object (json_node_alloc (), json_object_new ()));
  fd_cli_add_ids (b, invocation, "device", "devices");
  fd_cli_add_ids (b, invocation, "fleet", "fleets");
  if (timeout > 0)
    {
      json_builder_set_member_name (b, "timeout_s");
      json_builder_add_int_value (b, timeout);
    }
  if (retries >= 0)
    {
      json_builder_set_member_name (b, "retries");
      json_builder_add_int_value (b, retries);
    }
  json_builder_end_object (b);
  if (!fd_cli_send_json (endpoint, "POST", path, b, &answer, &raw, error))
    return FALSE;
  if (!fd_cli_invocation_has (invocation, "wait"))
    return fd_cli_output_show (invocation, raw, error);

  id = json_object_get_string_member_with_default (json_node_get_object (answer), "id", "");
  done = wait_job (endpoint, id, &done_raw, error);
  if (done == NULL)
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (done_raw, error);
  return fd_cli_show_with_table (json_node_get_object (done),
                                 (const char *const[]){ "executions", NULL }, "executions",
                                 fd_cli_execution_columns, _ ("Executions:"), error);
}

gboolean
fd_cli_job_get (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint, GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (GBytes) raw = NULL;
  g_autoptr (JsonNode) job = fd_cli_get_json (endpoint, path, &raw, error);

  if (job == NULL)
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (raw, error);
  return fd_cli_show_with_table (json_node_get_object (job),
                                 (const char *const[]){ "executions", NULL }, "executions",
                                 fd_cli_execution_columns, _ ("Executions:"), error);
}

/* KEY goes into the path: a '/' in it, even encoded (%2F), is a separator to the server, which
 * would answer "no API path"; keys cannot hold one (docs/rest-api.md, "Variables"). */
gboolean
fd_cli_variable_check_key (const FdCliInvocation *invocation, GError **error)
{
  const char *key = invocation->args->len > 1 ? g_ptr_array_index (invocation->args, 1) : NULL;

  if (key != NULL && strchr (key, '/') != NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("KEY may not hold '/': \"%s\" is not a variable's key"), key);
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_cli_variable_set (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                     GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GBytes) raw = NULL;

  /* DEVICE KEY VALUE_JSON; the parser checked VALUE_JSON is JSON. */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "value");
  json_builder_add_value (b, json_from_string (g_ptr_array_index (invocation->args, 2), NULL));
  json_builder_end_object (b);
  if (!fd_cli_send_json (endpoint, "PUT", path, b, &answer, &raw, error))
    return FALSE;
  return fd_cli_output_show (invocation, raw, error);
}
