/* fd-cli-ota.c — the firmware and campaign verbs that need more than the command table says:
 * "firmware upload" (the file streamed as the body, its SHA-256 sent along so the server checks
 * what it got), "campaign create" (numbers, lists and the stages), "campaign get" (the stages
 * as a table) and "campaign watch" (a line per change until the campaign ends)
 * (docs/rest-api.md, "Firmware", "Campaigns").
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* Above this, "firmware upload" shows its progress on stderr. */
#define UPLOAD_PROGRESS_BYTES (1024 * 1024)
#define UPLOAD_TIMEOUT_SECONDS 600
#define HASH_CHUNK_BYTES (64 * 1024)
#define MAX_STAGES 10
#define MAX_WAIT_S 604800

/* The SHA-256 of what @in holds from where it is to its end, read in chunks; @in is then
 * rewound to its start. */
static char *
stream_sha256 (GFileInputStream *in, const char *display, GError **error)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buf = g_malloc (HASH_CHUNK_BYTES);
  g_autoptr (GError) local = NULL;
  gssize n;

  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, HASH_CHUNK_BYTES, NULL, &local)) > 0)
    g_checksum_update (sum, buf, n);
  if (n < 0 || !g_seekable_seek (G_SEEKABLE (in), 0, G_SEEK_SET, NULL, &local))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, _ ("cannot read %s: %s"), display,
                   local->message);
      return NULL;
    }
  return g_strdup (g_checksum_get_string (sum));
}

gboolean
fd_cli_firmware_upload (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                        GError **error)
{
  const char *file = g_ptr_array_index (invocation->args, 1);
  g_autofree char *display = g_filename_display_name (file);
  g_autoptr (GFile) gfile = g_file_new_for_commandline_arg (file);
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *path = NULL, *query_path = fd_cli_request_path (invocation);
  g_autofree char *sha256 = NULL;
  FdCliRequest request = {
    .method = "POST",
    .content_type = "application/octet-stream",
    .timeout_seconds = UPLOAD_TIMEOUT_SECONDS,
  };

  in = g_file_read (gfile, NULL, &local);
  if (in != NULL)
    info = g_file_input_stream_query_info (
        in, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE, NULL, &local);
  if (info == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE, _ ("cannot read %s: %s"), display,
                   local->message);
      return FALSE;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR || g_file_info_get_size (info) == 0)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_FILE,
                   _ ("%s is not a firmware image: it is empty or not a regular file"), display);
      return FALSE;
    }
  sha256 = stream_sha256 (in, display, error);
  if (sha256 == NULL)
    return FALSE;
  path
      = g_strdup_printf ("%s%csha256=%s", query_path, strchr (query_path, '?') ? '&' : '?', sha256);
  request.path_and_query = path;
  request.upload = G_INPUT_STREAM (in);
  request.upload_length = g_file_info_get_size (info);
  request.progress = request.upload_length >= UPLOAD_PROGRESS_BYTES;
  if (!fd_cli_http_send (endpoint, &request, &body, NULL, error))
    return FALSE;
  return fd_cli_output_show (invocation, body, error);
}

/* Campaigns */

/* "5%,50,100%" as [{"percent": 5}, {"count": 50}, {"percent": 100}]; NULL when absent. */
static JsonNode *
parse_stages (const char *text, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (JsonArray) stages = json_array_new ();
  guint n;

  if (text == NULL)
    return NULL;
  parts = g_strsplit (text, ",", -1);
  n = g_strv_length (parts);
  if (n < 1 || n > MAX_STAGES)
    goto bad;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *part = g_strstrip (g_strdup (parts[i]));
      gsize len = strlen (part);
      gboolean percent = len > 0 && part[len - 1] == '%';
      JsonObject *stage = json_object_new ();
      guint64 value;

      if (percent)
        part[len - 1] = '\0';
      if (!g_ascii_string_to_unsigned (part, 10, 1, percent ? 100 : 10000000, &value, NULL))
        {
          json_object_unref (stage);
          goto bad;
        }
      json_object_set_int_member (stage, percent ? "percent" : "count", (gint64)value);
      json_array_add_object_element (stages, stage);
      if (i == n - 1 && !(percent && value == 100))
        goto bad;
    }
  return json_node_init_array (json_node_alloc (), stages);

bad:
  g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
               _ ("--stages is 1 to %d comma-separated stage ends, each a percentage (5%%) or a "
                  "device count (50), the last 100%%: e.g. 5%%,25%%,100%%"),
               MAX_STAGES);
  return NULL;
}

static const FdCliIntMember campaign_ints[] = {
  { "min-wait", "min_wait_s", 0, MAX_WAIT_S },
  { "success-threshold", "success_threshold", 0, 100 },
  { "failure-threshold", "failure_threshold", 0, 100 },
  { "failure-min", "failure_min", 1, 10000000 },
  { "device-timeout", "device_timeout_s", 10, MAX_WAIT_S },
};

gboolean
fd_cli_campaign_check_create (const FdCliInvocation *invocation, GError **error)
{
  g_autoptr (JsonNode) stages = NULL;
  GError *local = NULL;

  if (fd_cli_invocation_get_all (invocation, "device") == NULL
      && fd_cli_invocation_get_all (invocation, "fleet") == NULL)
    {
      g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                           _ ("name the devices to update: --fleet ID or --device ID"));
      return FALSE;
    }
  stages = parse_stages (fd_cli_invocation_get (invocation, "stages"), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  return fd_cli_check_int_members (invocation, campaign_ints, G_N_ELEMENTS (campaign_ints), error);
}

gboolean
fd_cli_campaign_create (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                        GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GBytes) raw = NULL;
  const char *firmware = fd_cli_invocation_get (invocation, "firmware");
  const char *name = fd_cli_invocation_get (invocation, "name");
  g_autofree char *default_name = g_strdup_printf (_ ("%s rollout"), firmware);
  JsonNode *stages = parse_stages (fd_cli_invocation_get (invocation, "stages"), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name != NULL ? name : default_name);
  json_builder_set_member_name (b, "firmware_id");
  json_builder_add_string_value (b, firmware);
  fd_cli_add_ids (b, invocation, "fleet", "fleets");
  fd_cli_add_ids (b, invocation, "device", "devices");
  json_builder_set_member_name (b, "only_outdated");
  json_builder_add_boolean_value (b, !fd_cli_invocation_has (invocation, "all-versions"));
  if (stages != NULL)
    {
      json_builder_set_member_name (b, "stages");
      json_builder_add_value (b, stages);
    }
  /* Checked by fd_cli_campaign_check_create. */
  fd_cli_add_int_members (b, invocation, campaign_ints, G_N_ELEMENTS (campaign_ints));
  json_builder_end_object (b);
  if (!fd_cli_send_json (endpoint, "POST", path, b, &answer, &raw, error))
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (raw, error);
  return fd_cli_campaign_show (json_node_get_object (answer), error);
}
