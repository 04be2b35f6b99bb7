/* fd-cli-campaigns.c — a campaign as a person reads it: its fields, then its stages as a
 * table ("campaign get", create, pause, resume, abort), and "campaign watch", a line at each
 * change of its state, stage or counts until it completes (exit 0) or aborts (exit 1, with the
 * reason) (docs/rest-api.md, "Campaigns").
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

#define WATCH_POLL_US (500 * 1000)

static gint64
count (JsonObject *counts, const char *state)
{
  return counts != NULL ? json_object_get_int_member_with_default (counts, state, 0) : 0;
}

char *
fd_cli_campaign_stage_cell (JsonObject *item)
{
  JsonNode *node = json_object_get_member (item, "stage");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return g_strdup ("-");
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node) + 1);
}

/* Failures as the campaign's failure rule counts them: failed + reverted + timed_out. */
static gint64
failures (JsonObject *counts)
{
  return count (counts, "failed") + count (counts, "reverted") + count (counts, "timed_out");
}

char *
fd_cli_campaign_failed_cell (JsonObject *item)
{
  JsonNode *node = json_object_get_member (item, "counts");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup ("-");
  return g_strdup_printf ("%" G_GINT64_FORMAT, failures (json_node_get_object (node)));
}

/* The stages as table items: their members, the stage's number and where it ends. */
static JsonArray *
stage_items (JsonObject *campaign)
{
  JsonNode *node = json_object_get_member (campaign, "stages");
  JsonArray *items = json_array_new ();

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return items;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (node), i);
      JsonObject *item;
      g_autofree char *end = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      item = json_object_ref (json_node_get_object (e));
      if (json_object_has_member (item, "percent"))
        end = g_strdup_printf ("%" G_GINT64_FORMAT "%%",
                               json_object_get_int_member_with_default (item, "percent", 0));
      else
        end = g_strdup_printf ("%" G_GINT64_FORMAT,
                               json_object_get_int_member_with_default (item, "count", 0));
      json_object_set_int_member (item, "number", i + 1);
      json_object_set_string_member (item, "end", end);
      json_array_add_object_element (items, item);
    }
  return items;
}

gboolean
fd_cli_campaign_show (JsonObject *campaign, GError **error)
{
  static const FdCliColumn columns[] = {
    { NC_ ("table column", "STAGE"), "number", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "UNTIL"), "end", FD_CLI_CELL_TEXT },
    { NC_ ("table column", "DEVICES"), "devices", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
    { NC_ ("table column", "STARTED"), "started_at", FD_CLI_CELL_TIME },
    { NC_ ("table column", "SUCCEEDED"), "counts.succeeded", FD_CLI_CELL_NUMBER },
    { NC_ ("table column", "FAILED"), NULL, FD_CLI_CELL_FUNC, fd_cli_campaign_failed_cell },
    { NULL },
  };
  g_autoptr (JsonArray) items = stage_items (campaign);
  g_autoptr (GString) out = g_string_new ("\n");
  g_autofree char *table = NULL;

  if (!fd_cli_output_object (campaign, (const char *const[]){ "stages", NULL }, error))
    return FALSE;
  g_string_append_printf (out, "%s\n", _ ("Stages:"));
  table = fd_cli_output_table (columns, items);
  g_string_append (out, table);
  return fd_cli_output_write (out->str, out->len, error);
}

gboolean
fd_cli_campaign_get (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                     GError **error)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonNode) root = NULL;

  if (!fd_cli_http_send_command (invocation, endpoint, &body, error))
    return FALSE;
  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (body, error);
  root = fd_cli_output_parse (body, error);
  return root != NULL && fd_cli_campaign_show (json_node_get_object (root), error);
}

/* "12:00:03  running  stage 2/3  40 of 100 succeeded, 2 failed, 5 updating, 53 waiting" */
static char *
watch_line (JsonObject *c)
{
  JsonNode *counts_node = json_object_get_member (c, "counts");
  JsonObject *counts = counts_node != NULL && JSON_NODE_HOLDS_OBJECT (counts_node)
                           ? json_node_get_object (counts_node)
                           : NULL;
  JsonNode *stages = json_object_get_member (c, "stages");
  guint n_stages = stages != NULL && JSON_NODE_HOLDS_ARRAY (stages)
                       ? json_array_get_length (json_node_get_array (stages))
                       : 0;
  gint64 failed = failures (counts);
  gint64 updating = count (counts, "notified") + count (counts, "downloading")
                    + count (counts, "downloaded") + count (counts, "verified")
                    + count (counts, "installing") + count (counts, "testing");
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *clock = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *state
      = fd_cli_output_printable (json_object_get_string_member_with_default (c, "state", "?"));

  return g_strdup_printf (
      _ ("%s  %-9s  stage %" G_GINT64_FORMAT "/%u  %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
         " succeeded, %" G_GINT64_FORMAT " failed, %" G_GINT64_FORMAT " updating, %" G_GINT64_FORMAT
         " waiting, %" G_GINT64_FORMAT " skipped"),
      clock, state, json_object_get_int_member_with_default (c, "stage", 0) + 1, n_stages,
      count (counts, "succeeded"), json_object_get_int_member_with_default (c, "total", 0), failed,
      updating, count (counts, "queued"), count (counts, "skipped"));
}

gboolean
fd_cli_campaign_watch (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                       GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  const char *id = g_ptr_array_index (invocation->args, 0);
  gboolean json = fd_cli_invocation_has (invocation, "json");
  g_autofree char *last = NULL;

  for (;;)
    {
      g_autoptr (GBytes) raw = NULL;
      g_autoptr (JsonNode) node = fd_cli_get_json (endpoint, path, &raw, error);
      JsonObject *c;
      const char *state;
      g_autofree char *line = NULL, *key = NULL;

      if (node == NULL)
        return FALSE;
      c = json_node_get_object (node);
      state = json_object_get_string_member_with_default (c, "state", "");
      line = watch_line (c);
      /* A change is one of state, stage or counts: the line without its clock. */
      key = g_strdup (strchr (line, ' ') != NULL ? strchr (line, ' ') : line);
      if (g_strcmp0 (key, last) != 0)
        {
          if (json)
            {
              if (!fd_cli_output_json (raw, error))
                return FALSE;
            }
          else
            {
              g_autofree char *text = g_strconcat (line, "\n", NULL);
              if (!fd_cli_output_write (text, strlen (text), error))
                return FALSE;
            }
          g_free (last);
          last = g_steal_pointer (&key);
        }
      if (g_str_equal (state, "completed"))
        return TRUE;
      if (g_str_equal (state, "aborted"))
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_API, _ ("campaign %s aborted: %s"), id,
                       json_object_get_string_member_with_default (c, "reason", NULL)
                           ? json_object_get_string_member_with_default (c, "reason", "")
                           : _ ("no reason given"));
          return FALSE;
        }
      g_usleep (WATCH_POLL_US);
    }
}
