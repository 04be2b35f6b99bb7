/* fd-device-https-session.c — up-messages in order over one connection, down-messages by long
 * poll over another (fd-device-https-session.h). */
#include "fd-device-https-session.h"

#include <string.h>

#define RETRY_MS 1000

typedef struct
{
  char *key, *value;
} Up;

struct _FdDeviceHttpsSession
{
  FdDeviceClient *up, *poll;
  FdDeviceAgent *agent;
  GQueue ups; /* of Up; the head is in flight while up_busy */
  gboolean up_busy, polling, running, have_status;
  gint64 since;
  GCancellable *cancel; /* of this connection's requests: cancelled by a stop or reconnect */
  guint up_timer, poll_timer, restart_timer;
  void (*error_func) (const char *message, gpointer data);
  gpointer error_data;
};

static void up_next (FdDeviceHttpsSession *s);
static void poll_next (FdDeviceHttpsSession *s);

static void
up_free (gpointer p)
{
  Up *u = p;

  g_free (u->key);
  g_free (u->value);
  g_free (u);
}

static void
note (FdDeviceHttpsSession *s, const char *message)
{
  if (s->error_func != NULL)
    s->error_func (message, s->error_data);
}

/* ---- the down-messages -------------------------------------------------------------------- */

static void
take_version (FdDeviceHttpsSession *s, JsonNode *n)
{
  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
    s->since = MAX (s->since, json_node_get_int (n));
}

/* The #status answer: its expected entries' times are where the poll starts. */
static void
status_versions (FdDeviceHttpsSession *s, JsonObject *env)
{
  JsonObject *value = json_object_get_object_member (env, "value");
  JsonObject *expected = value ? json_object_get_object_member (value, "expected") : NULL;
  g_autoptr (GList) keys = expected ? json_object_get_members (expected) : NULL;

  for (GList *l = keys; l != NULL; l = l->next)
    {
      JsonNode *e = json_object_get_member (expected, l->data);
      if (JSON_NODE_HOLDS_OBJECT (e))
        take_version (s, json_object_get_member (json_node_get_object (e), "t"));
    }
}

static gboolean
poll_timer (gpointer data)
{
  FdDeviceHttpsSession *s = data;

  s->poll_timer = 0;
  poll_next (s);
  return G_SOURCE_REMOVE;
}

static void
on_polled (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceResponse) r
      = fd_device_client_request_finish (FD_DEVICE_CLIENT (source), result, &error);
  FdDeviceHttpsSession *s;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *body;
  JsonNode *root;

  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  s = data;
  s->polling = FALSE;
  body = r && r->body ? g_bytes_get_data (r->body, &len) : NULL;
  if (r == NULL || r->status != 200 || len == 0
      || !json_parser_load_from_data (parser, body, (gssize)len, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_autofree char *msg = r == NULL
                                 ? g_strdup_printf ("GET /v1/dn: %s", error->message)
                                 : g_strdup_printf ("GET /v1/dn: %u %s", r->status, r->reason);
      note (s, msg);
      s->poll_timer = g_timeout_add (RETRY_MS, poll_timer, s);
      return;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
    {
      JsonNode *m = json_array_get_element (json_node_get_array (root), i);
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (m))
        continue;
      take_version (s, json_object_get_member (json_node_get_object (m), "version"));
      text = json_to_string (m, FALSE);
      fd_device_agent_on_down (s->agent, json_node_get_object (m), text, strlen (text));
      if (!s->running)
        return; /* the message stopped the session (a reboot) */
    }
  poll_next (s);
}

static void
poll_next (FdDeviceHttpsSession *s)
{
  g_autofree char *path = NULL;

  if (!s->running || s->polling || fd_device_client_is_busy (s->poll))
    return;
  path = g_strdup_printf ("/v1/dn?since=%" G_GINT64_FORMAT "&wait=%d", s->since,
                          FD_DEVICE_POLL_WAIT_S);
  s->polling = TRUE;
  fd_device_client_request_async (s->poll, "GET", path, NULL, NULL, s->cancel, on_polled, s);
}

/* ---- the up-messages ---------------------------------------------------------------------- */

static gboolean
up_timer (gpointer data)
{
  FdDeviceHttpsSession *s = data;

  s->up_timer = 0;
  up_next (s);
  return G_SOURCE_REMOVE;
}

static void
on_up (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceResponse) r
      = fd_device_client_request_finish (FD_DEVICE_CLIENT (source), result, &error);
  FdDeviceHttpsSession *s;
  Up *u;

  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  s = data;
  s->up_busy = FALSE;
  if (r == NULL || r->status == 429 || r->status >= 500)
    {
      /* Sent again: nothing was stored (or we cannot know; the server takes a repeat). */
      g_autofree char *msg = r == NULL
                                 ? g_strdup_printf ("POST /v1/up: %s", error->message)
                                 : g_strdup_printf ("POST /v1/up: %u %s", r->status, r->reason);
      note (s, msg);
      s->up_timer = g_timeout_add (
          r && r->retry_after_s > 0 ? (guint)MIN (r->retry_after_s, 60) * 1000 : RETRY_MS, up_timer,
          s);
      return;
    }
  u = g_queue_pop_head (&s->ups);
  if (r->status == 200 && r->body != NULL)
    {
      gsize len = 0;
      const char *body = g_bytes_get_data (r->body, &len);
      g_autoptr (JsonParser) parser = json_parser_new_immutable ();
      JsonNode *root;

      if (json_parser_load_from_data (parser, body, (gssize)len, NULL)
          && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
        {
          gboolean status = g_str_equal (u->key, "#status");
          if (status)
            status_versions (s, json_node_get_object (root));
          fd_device_agent_on_down (s->agent, json_node_get_object (root), body, len);
          if (status && s->running)
            {
              s->have_status = TRUE;
              poll_next (s);
            }
        }
    }
  else if (r->status != 202)
    {
      g_autofree char *msg
          = g_strdup_printf ("POST /v1/up %s: %u %s", u->key, r->status, r->reason);
      note (s, msg);
    }
  up_free (u);
  up_next (s);
}

static void
up_next (FdDeviceHttpsSession *s)
{
  g_autoptr (GBytes) body = NULL;
  g_autofree char *env = NULL;
  Up *u;

  if (!s->running || s->up_busy || s->up_timer != 0 || (u = g_queue_peek_head (&s->ups)) == NULL)
    return;
  env = fd_device_up_envelope (u->key, u->value);
  body = g_bytes_new (env, strlen (env));
  s->up_busy = TRUE;
  fd_device_client_request_async (s->up, "POST", "/v1/up", "application/json", body, s->cancel,
                                  on_up, s);
}

static gboolean
session_send (gpointer data, const char *key, const char *value_json)
{
  FdDeviceHttpsSession *s = data;
  Up *u;

  if (g_queue_get_length (&s->ups) >= FD_DEVICE_UP_QUEUE_MAX)
    return FALSE;
  u = g_new0 (Up, 1);
  u->key = g_strdup (key);
  u->value = g_strdup (value_json);
  g_queue_push_tail (&s->ups, u);
  up_next (s);
  return TRUE;
}

/* ---- the session -------------------------------------------------------------------------- */

static void
halt (FdDeviceHttpsSession *s)
{
  s->running = FALSE;
  s->polling = FALSE;
  s->up_busy = FALSE;
  g_clear_handle_id (&s->up_timer, g_source_remove);
  g_clear_handle_id (&s->poll_timer, g_source_remove);
  if (s->cancel != NULL)
    g_cancellable_cancel (s->cancel);
  g_clear_object (&s->cancel);
  fd_device_client_disconnect (s->up);
  fd_device_client_disconnect (s->poll);
}

static gboolean
restart_now (gpointer data)
{
  FdDeviceHttpsSession *s = data;

  s->restart_timer = 0;
  fd_device_https_session_start (s);
  return G_SOURCE_REMOVE;
}

static void
session_reconnect (gpointer data, guint delay_ms)
{
  FdDeviceHttpsSession *s = data;

  halt (s);
  g_clear_handle_id (&s->restart_timer, g_source_remove);
  s->restart_timer = g_timeout_add (delay_ms, restart_now, s);
}

FdDeviceHttpsSession *
fd_device_https_session_new (const FdDeviceConfig *config, GTlsDatabase *trust,
                             GSocketAddress *remote, GSocketAddress *local,
                             const FdDeviceAgentOptions *options, GError **error)
{
  static const FdDeviceAgentOps ops = { session_send, session_reconnect, NULL };
  g_autoptr (FdDeviceHttpsSession) s = g_new0 (FdDeviceHttpsSession, 1);
  FdDeviceAgentOptions o = *options;

  g_queue_init (&s->ups);
  s->up = fd_device_client_new (fd_device_config_copy (config), trust, error);
  if (s->up == NULL)
    return NULL;
  s->poll = fd_device_client_new (fd_device_config_copy (config), trust, error);
  if (s->poll == NULL)
    return NULL;
  fd_device_client_set_addresses (s->up, remote, local);
  fd_device_client_set_addresses (s->poll, remote, local);
  o.https_address = remote;
  o.local_address = local;
  s->agent = fd_device_agent_new_full (config, &ops, s, &o);
  return g_steal_pointer (&s);
}

void
fd_device_https_session_free (FdDeviceHttpsSession *s)
{
  if (s == NULL)
    return;
  if (s->up != NULL && s->poll != NULL)
    halt (s);
  g_clear_handle_id (&s->restart_timer, g_source_remove);
  g_clear_pointer (&s->agent, fd_device_agent_free);
  g_queue_clear_full (&s->ups, up_free);
  g_clear_object (&s->up);
  g_clear_object (&s->poll);
  g_free (s);
}

FdDeviceAgent *
fd_device_https_session_get_agent (FdDeviceHttpsSession *s)
{
  return s->agent;
}

void
fd_device_https_session_set_error_func (FdDeviceHttpsSession *s,
                                        void (*func) (const char *message, gpointer data),
                                        gpointer data)
{
  s->error_func = func;
  s->error_data = data;
}

void
fd_device_https_session_start (FdDeviceHttpsSession *s)
{
  if (s->running)
    return;
  s->running = TRUE;
  s->have_status = FALSE;
  s->cancel = g_cancellable_new ();
  fd_device_agent_on_connected (s->agent); /* #status first: the poll starts from its answer */
  up_next (s);
}

void
fd_device_https_session_stop (FdDeviceHttpsSession *s)
{
  g_clear_handle_id (&s->restart_timer, g_source_remove);
  halt (s);
}

guint
fd_device_https_session_pending (FdDeviceHttpsSession *s)
{
  return g_queue_get_length (&s->ups);
}
