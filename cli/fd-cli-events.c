/* fd-cli-events.c — "fleetdesk-cli events": follows GET /api/v1/events (a WebSocket) and
 * prints one line per event until interrupted (Ctrl-C ends it with status 0) or until the
 * server closes the stream (status 1, saying why).
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "fd-cli-commands-private.h"

typedef struct
{
  GMainLoop *loop;
  SoupWebsocketConnection *conn;
  gboolean json;
  gboolean interrupted;
  GError *error;
} Follow;

static const char *
member_text (JsonObject *object, const char *name)
{
  const char *text = fd_cli_output_get_string (object, name);
  return text != NULL ? text : "-";
}

/* "12:00:00.250" in local time. */
static char *
local_time (const char *rfc3339)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_iso8601 (rfc3339, NULL);
  g_autoptr (GDateTime) local = NULL;

  if (utc == NULL)
    return fd_cli_output_printable (rfc3339);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S.%f");
}

/* What the line says after the time, the type and the device. */
static char *
event_detail (const char *type, JsonNode *data_node)
{
  JsonObject *data = json_node_get_object (data_node);

  if (g_str_equal (type, "device.online"))
    return g_strdup_printf (_ ("via %s from %s"), member_text (data, "transport"),
                            member_text (data, "address"));
  if (g_str_equal (type, "device.offline"))
    return g_strdup_printf (_ ("%s (%s)"), member_text (data, "transport"),
                            member_text (data, "reason"));
  if (g_str_equal (type, "data"))
    {
      JsonNode *payload = json_object_get_member (data, "payload");
      g_autofree char *json = payload != NULL ? json_to_string (payload, FALSE) : g_strdup ("-");
      gint64 count = json_object_get_int_member_with_default (data, "count", 0);

      return g_strdup_printf (ngettext ("%s: %" G_GINT64_FORMAT " reading, newest %s",
                                        "%s: %" G_GINT64_FORMAT " readings, newest %s",
                                        (gulong)count),
                              member_text (data, "tag"), count, json);
    }
  if (g_str_has_prefix (type, "condition."))
    {
      JsonNode *payload = json_object_get_member (data, "payload");
      g_autofree char *json = payload != NULL ? json_to_string (payload, FALSE) : g_strdup ("-");

      return g_strdup_printf ("%s %s %s", member_text (data, "tag"), member_text (data, "uuid"),
                              json);
    }
  if (g_str_equal (type, "integration.updated"))
    return g_strdup_printf (_ ("%s %s: %s, %" G_GINT64_FORMAT " queued"),
                            member_text (data, "name"), member_text (data, "id"),
                            member_text (data, "state"),
                            json_object_get_int_member_with_default (data, "queue_depth", 0));
  if (g_str_has_prefix (type, "alert."))
    return g_strdup_printf ("%s: %s %s", member_text (data, "rule_name"), member_text (data, "tag"),
                            member_text (data, "condition_uuid"));
  return json_to_string (data_node, FALSE); /* a type newer than this CLI */
}

static gboolean
print_event (Follow *f, const char *text, gsize len, GError **error)
{
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GString) line = g_string_new (NULL);
  g_autofree char *time = NULL, *detail = NULL, *printable = NULL;
  JsonObject *event;
  JsonNode *data;
  const char *type;

  if (f->json)
    {
      g_string_append_len (line, text, (gssize)len);
      g_string_append_c (line, '\n');
      return fd_cli_output_write (line->str, line->len, error);
    }
  root = json_from_string (text, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                   _ ("the server sent an event that is not a JSON object"));
      return FALSE;
    }
  event = json_node_get_object (root);
  type = member_text (event, "type");
  data = json_object_get_member (event, "data");
  time = local_time (member_text (event, "time"));
  detail
      = data != NULL && JSON_NODE_HOLDS_OBJECT (data) ? event_detail (type, data) : g_strdup ("-");
  g_string_printf (line, "%s  %-19s %s  %s", time, type, member_text (event, "device_id"), detail);
  printable = fd_cli_output_printable (line->str);
  g_string_assign (line, printable);
  g_string_append_c (line, '\n');
  return fd_cli_output_write (line->str, line->len, error);
}

static void
on_message (SoupWebsocketConnection *conn, gint type, GBytes *message, gpointer user_data)
{
  Follow *f = user_data;
  gsize len;
  const char *text = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT || f->error != NULL)
    return;
  if (!print_event (f, text, len, &f->error))
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  else
    fflush (stdout); /* a line as soon as it comes, also into a pipe */
}

static void
on_closed (SoupWebsocketConnection *conn, gpointer user_data)
{
  Follow *f = user_data;
  gushort code = soup_websocket_connection_get_close_code (conn);
  const char *reason = soup_websocket_connection_get_close_data (conn);
  g_autofree char *printable = fd_cli_output_printable (reason != NULL ? reason : "");

  if (!f->interrupted && f->error == NULL)
    g_set_error (&f->error, FD_CLI_ERROR, FD_CLI_ERROR_CONNECT,
                 _ ("the server ended the events stream (code %u%s%s)"), code,
                 *printable != '\0' ? ": " : "", printable);
  g_main_loop_quit (f->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  Follow *f = user_data;

  f->interrupted = TRUE;
  if (f->conn != NULL && soup_websocket_connection_get_state (f->conn) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (f->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  else
    g_main_loop_quit (f->loop);
  return G_SOURCE_CONTINUE;
}

/* The refused handshake's status as a message a person can act on. */
static void
set_refused (Follow *f, SoupMessage *msg, const char *url, const GError *cause)
{
  guint status = soup_message_get_status (msg);

  if (status == SOUP_STATUS_UNAUTHORIZED)
    g_set_error (&f->error, FD_CLI_ERROR, FD_CLI_ERROR_UNAUTHORIZED,
                 _ ("the server refused the API token (unauthorized)"));
  else if (status == SOUP_STATUS_NOT_FOUND)
    g_set_error (&f->error, FD_CLI_ERROR, FD_CLI_ERROR_API,
                 _ ("the server knows no such workspace (not_found)"));
  else if (status != 0)
    g_set_error (&f->error, FD_CLI_ERROR, FD_CLI_ERROR_API,
                 _ ("the server refused the events stream: %u %s"), status,
                 soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg) : "");
  else
    g_set_error (&f->error, FD_CLI_ERROR, FD_CLI_ERROR_CONNECT,
                 _ ("cannot reach the server at %s: %s"), url, cause->message);
}

typedef struct
{
  Follow *f;
  SoupMessage *msg;
  const char *url;
} Connecting;

static void
connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Connecting *c = user_data;
  Follow *f = c->f;
  g_autoptr (GError) error = NULL;

  f->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (f->conn == NULL)
    {
      set_refused (f, c->msg, c->url, error);
      g_main_loop_quit (f->loop);
      return;
    }
  g_signal_connect (f->conn, "message", G_CALLBACK (on_message), f);
  g_signal_connect (f->conn, "closed", G_CALLBACK (on_closed), f);
  if (f->interrupted)
    soup_websocket_connection_close (f->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

gboolean
fd_cli_events_follow (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                      GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autofree char *url = g_str_has_suffix (endpoint->url, FD_CLI_API_PREFIX)
                             ? g_strconcat (endpoint->url, path, NULL)
                             : g_strconcat (endpoint->url, FD_CLI_API_PREFIX, path, NULL);
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  Follow f = { .json = fd_cli_invocation_has (invocation, "json") };
  Connecting c = { &f, NULL, url };
  GSource *signals[2];
  const int signums[2] = { SIGINT, SIGTERM };

  msg = soup_message_new ("GET", url);
  if (msg == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("'%s' is not a usable server URL"),
                   endpoint->url);
      return FALSE;
    }
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (endpoint->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", endpoint->token, NULL);

      soup_message_headers_append (soup_message_get_request_headers (msg), "Authorization",
                                   authorization);
      memset (authorization, 0, strlen (authorization));
    }
  c.msg = msg;

  g_main_context_push_thread_default (context);
  f.loop = g_main_loop_new (context, FALSE);
  /* No I/O timeout: it would end a stream that is quiet for a while. */
  session = soup_session_new_with_options ("timeout", 0, "idle-timeout", 0, "user-agent",
                                           FD_CLI_PROGRAM "/" PACKAGE_VERSION, NULL);
  /* On this loop's context: g_unix_signal_add() would attach to the global default one. */
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      signals[i] = g_unix_signal_source_new (signums[i]);
      g_source_set_callback (signals[i], on_signal, &f, NULL);
      g_source_attach (signals[i], context);
    }
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        connected, &c);
  g_main_loop_run (f.loop);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_source_destroy (signals[i]);
      g_source_unref (signals[i]);
    }
  g_clear_object (&f.conn);
  g_main_loop_unref (f.loop);
  g_main_context_pop_thread_default (context);

  if (f.error != NULL && !(f.interrupted && f.error->code == FD_CLI_ERROR_CONNECT))
    {
      g_propagate_error (error, f.error);
      return FALSE;
    }
  g_clear_error (&f.error);
  return TRUE;
}

/* The command table's part. */

static const char *const event_types[] = {
  "device.online",    "device.offline",    "data",
  "condition.opened", "condition.updated", "condition.closed",
  "job.execution",    "job.updated",       "variable.updated",
  "campaign.updated", "campaign.target",   "integration.updated",
  "alert.triggered",  "alert.resolved",    NULL,
};
static const FdCliParam opt_workspace = {
  .name = "workspace",
  .metavar = "WORKSPACE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_QUERY,
  .key = "workspace",
  .help = N_ ("Only the events of this workspace"),
};
static const FdCliParam opt_type = {
  .name = "type",
  .metavar = "TYPE",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "type",
  .repeatable = TRUE,
  .choices = event_types,
  .help = N_ ("Only events of this type; repeat for any of several"),
};

const FdCliCommand fd_cli_events_commands[] = {
  {
      .verb = "follow",
      .summary = N_ ("Print live events, one line each, until interrupted (the default verb: "
                     "'events' alone follows too); --json prints each event's JSON"),
      .args = (const FdCliParam *const[]){ NULL },
      .options = (const FdCliParam *const[]){ &opt_workspace, &opt_type, NULL },
      .method = "GET",
      .path = "/events",
      .flags = FD_CLI_FLAG_DEFAULT_VERB,
      .remote = fd_cli_events_follow,
  },
  { NULL },
};
