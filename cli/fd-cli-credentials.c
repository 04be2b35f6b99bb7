/* fd-cli-credentials.c — `device credentials create` and `device credentials DEVICE_ID --mode
 * MODE -o FILE`: the two verbs whose answer holds a secret shown only this once, and may be
 * written to the device's zdevice.json.
 *
 * The output file is prepared (its temporary twin made, its name checked) before the request,
 * so that a file that cannot be written is known before the server makes a secret that would
 * then be lost.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "fd-cli.h"

/* Hex characters of a fingerprint shown in a credential list. */
#define FD_CLI_SHORT_FINGERPRINT 16

static gboolean
usage_error (GError **error, const char *message)
{
  g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, message);
  return FALSE;
}

gboolean
fd_cli_credentials_check_create (const FdCliInvocation *invocation, GError **error)
{
  const char *kind = fd_cli_invocation_get (invocation, "kind");
  gboolean csr = fd_cli_invocation_has (invocation, "csr");
  gboolean certificate = fd_cli_invocation_has (invocation, "certificate");

  if (g_str_equal (kind, "csr") && !csr)
    return usage_error (error, _ ("--kind csr needs the device's CSR: --csr FILE"));
  if (g_str_equal (kind, "certificate") && !certificate)
    return usage_error (error, _ ("--kind certificate needs the device's certificate: "
                                  "--certificate FILE"));
  if (csr && !g_str_equal (kind, "csr"))
    return usage_error (error, _ ("--csr goes with --kind csr"));
  if (certificate && !g_str_equal (kind, "certificate"))
    return usage_error (error, _ ("--certificate goes with --kind certificate"));
  if (fd_cli_invocation_has (invocation, "mode") && !g_str_equal (kind, "key"))
    return usage_error (error, _ ("--mode goes with --kind key"));
  if (fd_cli_invocation_has (invocation, "expires") && g_str_equal (kind, "certificate"))
    return usage_error (error, _ ("--expires does not go with --kind certificate: a device's "
                                  "own certificate keeps its own expiry"));
  if (fd_cli_invocation_has (invocation, "force") && !fd_cli_invocation_has (invocation, "output"))
    return usage_error (error, _ ("--force goes with -o FILE"));
  return TRUE;
}

char *
fd_cli_credentials_key_cell (JsonObject *credential)
{
  const char *fingerprint = fd_cli_output_get_string (credential, "fingerprint");
  JsonNode *key_id = json_object_get_member (credential, "key_id");

  if (fingerprint != NULL)
    {
      g_autofree char *printable = fd_cli_output_printable (fingerprint);

      if (strlen (printable) > FD_CLI_SHORT_FINGERPRINT)
        return g_strdup_printf ("%.*s…", FD_CLI_SHORT_FINGERPRINT, printable);
      return g_steal_pointer (&printable);
    }
  if (key_id != NULL && JSON_NODE_HOLDS_VALUE (key_id)
      && json_node_get_value_type (key_id) == G_TYPE_INT64)
    {
      const char *mode = fd_cli_output_get_string (credential, "mode");
      g_autofree char *printable = fd_cli_output_printable (mode != NULL ? mode : "?");

      /* TRANSLATORS: "key 2 (device_token)"; the word in parentheses is not translated. */
      return g_strdup_printf (_ ("key %" G_GINT64_FORMAT " (%s)"), json_node_get_int (key_id),
                              printable);
    }
  return g_strdup ("-");
}

/* A member of the answer for a message, printable; "?" when it is missing. */
static char *
answer_text (JsonObject *answer, const char *member)
{
  const char *text = fd_cli_output_get_string (answer, member);

  return fd_cli_output_printable (text != NULL ? text : "?");
}

/* The temporary twin of -o FILE, or NULL without an error when there is no -o. */
static gboolean
prepare_output (const FdCliInvocation *invocation, FdCliPrivateFile **file_out, GError **error)
{
  const char *output = fd_cli_invocation_get (invocation, "output");
  g_autoptr (GError) local_error = NULL;

  *file_out = NULL;
  if (output == NULL)
    return TRUE;
  *file_out
      = fd_cli_private_file_new (output, fd_cli_invocation_has (invocation, "force"), &local_error);
  if (*file_out != NULL)
    return TRUE;
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_EXIST))
    {
      g_autofree char *display = g_filename_display_name (output);

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE,
                   _ ("%s already exists; nothing was created (add --force to replace it)"),
                   display);
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* Writes the answer's zdevice object to @file and says so (unless --json). A failure here
 * comes after the credential was made: the message names it, so that it can be revoked. */
static gboolean
write_zdevice (const FdCliInvocation *invocation, JsonObject *answer, FdCliPrivateFile *file,
               GError **error)
{
  JsonNode *zdevice = json_object_get_member (answer, "zdevice");
  g_autofree char *id = answer_text (answer, "id");
  g_autofree char *device = answer_text (answer, "device_id");
  g_autofree char *display = g_filename_display_name (fd_cli_private_file_get_path (file));
  g_autoptr (GError) local_error = NULL;

  if (zdevice == NULL || !JSON_NODE_HOLDS_OBJECT (zdevice))
    g_set_error (&local_error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                 _ ("the server's answer has no zdevice object"));
  else if (fd_cli_zdevice_write (file, zdevice, &local_error))
    fd_cli_dir_sync (fd_cli_private_file_get_path (file));
  if (local_error != NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE,
                   _ ("credential %s of %s was made, but %s was not written: %s. Revoke it with "
                      "'%s device credentials revoke %s %s' and try again"),
                   id, device, display, local_error->message, FD_CLI_PROGRAM, device, id);
      return FALSE;
    }
  if (fd_cli_invocation_has (invocation, "json"))
    return TRUE;
  {
    g_autofree char *line = g_strdup_printf (
        _ ("Wrote zdevice.json for %s (credential %s) to %s\n"), device, id, display);

    return fd_cli_output_write (line, strlen (line), error);
  }
}

gboolean
fd_cli_credentials_create (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                           GError **error)
{
  g_autoptr (FdCliPrivateFile) file = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) root = NULL;
  gboolean json = fd_cli_invocation_has (invocation, "json");
  const char *const skip[] = { "zdevice", NULL };
  JsonObject *answer;
  const char *secret_note = NULL;

  if (!prepare_output (invocation, &file, error)
      || !fd_cli_http_send_command (invocation, endpoint, &body, error))
    return FALSE;
  if (json && !fd_cli_output_json (body, error))
    return FALSE;
  root = fd_cli_output_parse (body, error);
  if (root == NULL)
    return FALSE;
  answer = json_node_get_object (root);

  /* The zdevice object repeats the rest: it is what -o FILE is for. */
  if (!json && !fd_cli_output_object (answer, skip, error))
    return FALSE;
  if (file != NULL && !write_zdevice (invocation, answer, file, error))
    return FALSE;
  if (json_object_has_member (answer, "private_key"))
    secret_note = _ ("The private key above is shown only this once: keep it now.");
  else if (json_object_has_member (answer, "secret"))
    secret_note = _ ("The secret above is shown only this once: keep it now.");
  if (!json && secret_note != NULL)
    {
      fflush (stdout);
      fprintf (stderr, "%s\n", secret_note);
    }
  return TRUE;
}

gboolean
fd_cli_credentials_issue (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                          GError **error)
{
  const char *mode = fd_cli_invocation_get (invocation, "mode");
  g_autoptr (FdCliPrivateFile) file = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) request_root = NULL;
  g_autoptr (GBytes) request_body = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autofree char *json_text = NULL;
  FdCliRequest request = {
    .method = "POST",
    .path_and_query = path,
    .content_type = "application/json",
  };

  /* A token mode is a device key used that way; "certificate" is a generated key pair. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  if (g_str_equal (mode, "certificate"))
    json_builder_add_string_value (builder, "generated");
  else
    {
      json_builder_add_string_value (builder, "key");
      json_builder_set_member_name (builder, "mode");
      json_builder_add_string_value (builder, mode);
    }
  json_builder_end_object (builder);
  request_root = json_builder_get_root (builder);
  json_text = json_to_string (request_root, FALSE);
  request_body = g_bytes_new (json_text, strlen (json_text));
  request.body = request_body;

  if (!prepare_output (invocation, &file, error)
      || !fd_cli_http_send (endpoint, &request, &body, NULL, error))
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json") && !fd_cli_output_json (body, error))
    return FALSE;
  root = fd_cli_output_parse (body, error);
  return root != NULL && write_zdevice (invocation, json_node_get_object (root), file, error);
}
