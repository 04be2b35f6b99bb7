/* fd-events-client.c — the server's live events as GObject signals.
 *
 * One WebSocket to base_url/api/v1/events with the API client's bearer token. Messages are
 * parsed as they arrive and queued; a timer hands the queue out every FD_EVENTS_CLIENT_FLUSH_MS,
 * so a burst of a thousand devices coming online costs one round of widget updates, not a
 * thousand. Within a batch only the newest presence of a device and the newest data of a
 * device and tag are emitted (a row shows only the latest anyway); conditions are all emitted,
 * in order, because an open that is closed a moment later still deserves its notification.
 *
 * When the connection drops (server restart, network), it reconnects after 1 s, 2 s, 4 s …
 * up to FD_EVENTS_CLIENT_MAX_BACKOFF_S, and says "resync" once connected again: events sent
 * meanwhile are lost, and what the panes show must be read again.
 */
#include "config.h"

#include <libsoup/soup.h>

#include "fd-events-client.h"
#include "fd-json.h"

#define FD_EVENTS_CLIENT_KEEPALIVE_S 30

struct _FdEventsClient
{
  GObject parent_instance;

  char *url;
  char *authorization;
  SoupSession *session;
  SoupWebsocketConnection *connection;
  GCancellable *cancellable; /* of the connection attempt; NULL while stopped */
  guint retry_source;
  guint backoff_s;
  guint connections;
  gboolean connected;

  GPtrArray *queue; /* JsonObject events of the next batch */
  guint flush_source;
  gboolean overflowed;
};

G_DEFINE_FINAL_TYPE (FdEventsClient, fd_events_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (fd - events - client - error - quark, fd_events_client_error)

enum
{
  PROP_0,
  PROP_CONNECTED,
  N_PROPS
};

enum
{
  PRESENCE,
  DATA,
  CONDITION,
  CAMPAIGN,
  JOB,
  VARIABLE,
  INTEGRATION,
  ALERT,
  RESYNC,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void fd_events_client_connect (FdEventsClient *self);

static void
fd_json_object_unref0 (gpointer object)
{
  if (object != NULL)
    json_object_unref (object);
}

JsonObject *
fd_events_client_parse (const char *text, gsize length, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *event;

  if (!json_parser_load_from_data (parser, text, length, error))
    return NULL;
  root = json_parser_get_root (parser);
  event = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (event == NULL || fd_json_get_string (event, "type") == NULL
      || fd_json_get_member_object (event, "data") == NULL)
    {
      g_set_error_literal (error, FD_EVENTS_CLIENT_ERROR, FD_EVENTS_CLIENT_ERROR_INVALID,
                           "an event is an object with a \"type\" and a \"data\" object");
      return NULL;
    }
  return json_object_ref (event);
}

static void
fd_events_client_set_connected (FdEventsClient *self, gboolean connected)
{
  if (self->connected == connected)
    return;
  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

/* Batches */

/* The key under which a newer event of the batch replaces @event, or NULL if none does. */
static char *
fd_events_client_dup_merge_key (JsonObject *event)
{
  const char *type = fd_json_get_string (event, "type");
  const char *device = fd_json_get_string (event, "device_id");
  JsonObject *data = fd_json_get_member_object (event, "data");

  /* A campaign's newest summary replaces older ones (it carries every count). */
  if (g_str_equal (type, "campaign.updated") && fd_json_get_string (data, "campaign_id") != NULL)
    return g_strconcat ("c\n", fd_json_get_string (data, "campaign_id"), NULL);
  /* An integration's newest health replaces older ones (it carries every figure). */
  if (g_str_equal (type, "integration.updated") && fd_json_get_string (data, "id") != NULL)
    return g_strconcat ("i\n", fd_json_get_string (data, "id"), NULL);
  if (device == NULL)
    return NULL;
  if (g_str_equal (type, "device.online") || g_str_equal (type, "device.offline"))
    return g_strconcat ("p\n", device, NULL);
  if (g_str_equal (type, "data") && fd_json_get_string (data, "tag") != NULL)
    return g_strconcat ("d\n", device, "\n", fd_json_get_string (data, "tag"), NULL);
  /* A device's newest state in a campaign is all its row shows. */
  if (g_str_equal (type, "campaign.target") && fd_json_get_string (data, "campaign_id") != NULL)
    return g_strconcat ("t\n", fd_json_get_string (data, "campaign_id"), "\n", device, NULL);
  return NULL;
}

static void
fd_events_client_emit (FdEventsClient *self, JsonObject *event)
{
  const char *type = fd_json_get_string (event, "type");
  const char *workspace = fd_json_get_string (event, "workspace_id");
  const char *device = fd_json_get_string (event, "device_id");
  JsonObject *data = fd_json_get_member_object (event, "data");

  if (g_str_equal (type, "device.online") || g_str_equal (type, "device.offline"))
    {
      if (device != NULL)
        g_signal_emit (self, signals[PRESENCE], 0, workspace, device,
                       g_str_equal (type, "device.online"), data);
    }
  else if (g_str_equal (type, "data"))
    {
      if (device != NULL)
        g_signal_emit (self, signals[DATA], 0, workspace, device, data);
    }
  else if (g_str_has_prefix (type, "condition."))
    g_signal_emit (self, signals[CONDITION], 0, type, data);
  else if (g_str_has_prefix (type, "campaign."))
    g_signal_emit (self, signals[CAMPAIGN], 0, type, workspace, device, data);
  else if (g_str_equal (type, "job.execution") || g_str_equal (type, "job.updated"))
    g_signal_emit (self, signals[JOB], 0, type, workspace, device, data);
  else if (g_str_equal (type, "variable.updated"))
    {
      if (device != NULL)
        g_signal_emit (self, signals[VARIABLE], 0, device, data);
    }
  else if (g_str_equal (type, "integration.updated"))
    g_signal_emit (self, signals[INTEGRATION], 0, workspace, data);
  else if (g_str_equal (type, "alert.triggered") || g_str_equal (type, "alert.resolved"))
    g_signal_emit (self, signals[ALERT], 0, type, workspace, data);
  /* Types this app does not know yet are ignored: the server may add some. */
}

static gboolean
fd_events_client_flush_cb (gpointer user_data)
{
  FdEventsClient *self = user_data;
  g_autoptr (GPtrArray) batch = g_steal_pointer (&self->queue);
  g_autoptr (GHashTable) newest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean overflowed = self->overflowed;

  self->flush_source = 0;
  self->overflowed = FALSE;
  self->queue = g_ptr_array_new_with_free_func (fd_json_object_unref0);

  /* Newest first: the first event seen under a key is the one emitted; older ones add their
   * reading counts to it and are dropped. */
  for (guint i = batch->len; i-- > 0;)
    {
      JsonObject *event = g_ptr_array_index (batch, i);
      g_autofree char *key = fd_events_client_dup_merge_key (event);
      JsonObject *kept;

      if (key == NULL)
        continue;
      kept = g_hash_table_lookup (newest, key);
      if (kept == NULL)
        {
          g_hash_table_insert (newest, g_steal_pointer (&key), event);
          continue;
        }
      if (g_str_equal (fd_json_get_string (event, "type"), "data"))
        {
          JsonObject *kept_data = fd_json_get_member_object (kept, "data");
          JsonObject *data = fd_json_get_member_object (event, "data");
          guint kept_count = 1, count = 1;

          fd_json_update_uint (kept_data, "count", &kept_count);
          fd_json_update_uint (data, "count", &count);
          json_object_set_int_member (kept_data, "count", (gint64)kept_count + count);
        }
      g_ptr_array_index (batch, i) = NULL;
      json_object_unref (event);
    }

  g_object_ref (self); /* a handler may drop the last other reference */
  if (overflowed)
    g_signal_emit (self, signals[RESYNC], 0);
  else
    for (guint i = 0; i < batch->len; i++)
      if (g_ptr_array_index (batch, i) != NULL)
        fd_events_client_emit (self, g_ptr_array_index (batch, i));
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
fd_events_client_queue (FdEventsClient *self, JsonObject *event)
{
  if (self->queue->len >= FD_EVENTS_CLIENT_MAX_QUEUED)
    {
      /* Far behind (a storm of events): the panes read everything again instead. */
      g_ptr_array_set_size (self->queue, 0);
      self->overflowed = TRUE;
      json_object_unref (event);
    }
  else if (!self->overflowed)
    g_ptr_array_add (self->queue, event);
  else
    json_object_unref (event);

  if (self->flush_source == 0)
    self->flush_source = g_timeout_add (FD_EVENTS_CLIENT_FLUSH_MS, fd_events_client_flush_cb, self);
}

/* The connection */

static void
fd_events_client_message_cb (SoupWebsocketConnection *connection, int type, GBytes *message,
                             FdEventsClient *self)
{
  g_autoptr (GError) error = NULL;
  gsize length = 0;
  const char *text = g_bytes_get_data (message, &length);
  JsonObject *event;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || text == NULL)
    return;
  event = fd_events_client_parse (text, length, &error);
  if (event == NULL)
    {
      g_debug ("events: ignoring a message: %s", error->message);
      return;
    }
  fd_events_client_queue (self, event);
}

static gboolean
fd_events_client_retry_cb (gpointer user_data)
{
  FdEventsClient *self = user_data;

  self->retry_source = 0;
  fd_events_client_connect (self);
  return G_SOURCE_REMOVE;
}

static void
fd_events_client_schedule_retry (FdEventsClient *self)
{
  if (self->cancellable == NULL || self->retry_source != 0)
    return; /* stopped, or already waiting */
  self->retry_source = g_timeout_add_seconds (self->backoff_s, fd_events_client_retry_cb, self);
  self->backoff_s = MIN (self->backoff_s * 2, FD_EVENTS_CLIENT_MAX_BACKOFF_S);
}

static void
fd_events_client_drop_connection (FdEventsClient *self)
{
  if (self->connection == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->connection, self);
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->connection);
}

static void
fd_events_client_closed_cb (SoupWebsocketConnection *connection, FdEventsClient *self)
{
  g_debug ("events: connection closed (%u)", soup_websocket_connection_get_close_code (connection));
  fd_events_client_drop_connection (self);
  fd_events_client_set_connected (self, FALSE);
  fd_events_client_schedule_retry (self);
}

static void
fd_events_client_connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdEventsClient) self = user_data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *connection;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_debug ("events: cannot connect to %s: %s (again in %u s)", self->url, error->message,
                   self->backoff_s);
          fd_events_client_schedule_retry (self);
        }
      return;
    }
  if (self->cancellable == NULL)
    {
      /* Stopped while connecting. */
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (connection);
      return;
    }

  self->connection = connection;
  self->connections++;
  self->backoff_s = 1;
  soup_websocket_connection_set_max_incoming_payload_size (connection,
                                                           FD_EVENTS_CLIENT_MAX_MESSAGE);
  soup_websocket_connection_set_keepalive_interval (connection, FD_EVENTS_CLIENT_KEEPALIVE_S);
  g_signal_connect (connection, "message", G_CALLBACK (fd_events_client_message_cb), self);
  g_signal_connect (connection, "closed", G_CALLBACK (fd_events_client_closed_cb), self);
  fd_events_client_set_connected (self, TRUE);
  /* What the panes loaded before this connection may already be stale. */
  if (self->connections > 1)
    g_signal_emit (self, signals[RESYNC], 0);
}

static void
fd_events_client_connect (FdEventsClient *self)
{
  g_autoptr (SoupMessage) message = soup_message_new ("GET", self->url);

  if (message == NULL)
    {
      g_warning ("events: “%s” is not a valid address", self->url);
      return;
    }
  if (self->authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization",
                                  self->authorization);
  soup_session_websocket_connect_async (self->session, message, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->cancellable, fd_events_client_connected_cb,
                                        g_object_ref (self));
}

/* Public API */

FdEventsClient *
fd_events_client_new (FdApiClient *api)
{
  FdEventsClient *self;
  const char *token;

  g_return_val_if_fail (FD_IS_API_CLIENT (api), NULL);

  self = g_object_new (FD_TYPE_EVENTS_CLIENT, NULL);
  self->url = g_strconcat (fd_api_client_get_base_url (api), "/api/v1/events", NULL);
  token = fd_api_client_get_token (api);
  if (token != NULL)
    self->authorization = g_strdup_printf ("Bearer %s", token);
  return self;
}

void
fd_events_client_start (FdEventsClient *self)
{
  g_return_if_fail (FD_IS_EVENTS_CLIENT (self));

  if (self->cancellable != NULL)
    return;
  self->cancellable = g_cancellable_new ();
  self->backoff_s = 1;
  fd_events_client_connect (self);
}

void
fd_events_client_stop (FdEventsClient *self)
{
  g_return_if_fail (FD_IS_EVENTS_CLIENT (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->flush_source, g_source_remove);
  g_ptr_array_set_size (self->queue, 0);
  fd_events_client_drop_connection (self);
  fd_events_client_set_connected (self, FALSE);
}

gboolean
fd_events_client_get_connected (FdEventsClient *self)
{
  g_return_val_if_fail (FD_IS_EVENTS_CLIENT (self), FALSE);
  return self->connected;
}

guint
fd_events_client_get_connections (FdEventsClient *self)
{
  g_return_val_if_fail (FD_IS_EVENTS_CLIENT (self), 0);
  return self->connections;
}

/* GObject */

static void
fd_events_client_dispose (GObject *object)
{
  fd_events_client_stop (FD_EVENTS_CLIENT (object));
  G_OBJECT_CLASS (fd_events_client_parent_class)->dispose (object);
}

static void
fd_events_client_finalize (GObject *object)
{
  FdEventsClient *self = FD_EVENTS_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->queue, g_ptr_array_unref);
  g_free (self->url);
  g_free (self->authorization);

  G_OBJECT_CLASS (fd_events_client_parent_class)->finalize (object);
}

static void
fd_events_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, FD_EVENTS_CLIENT (object)->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fd_events_client_class_init (FdEventsClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GType type = G_TYPE_FROM_CLASS (klass);

  object_class->dispose = fd_events_client_dispose;
  object_class->finalize = fd_events_client_finalize;
  object_class->get_property = fd_events_client_get_property;

  properties[PROP_CONNECTED]
      = g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PRESENCE]
      = g_signal_new ("presence", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                      G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN, JSON_TYPE_OBJECT);
  signals[DATA] = g_signal_new ("data", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                3, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[CONDITION] = g_signal_new ("condition", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[CAMPAIGN]
      = g_signal_new ("campaign", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                      G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[JOB] = g_signal_new ("job", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                               G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[VARIABLE] = g_signal_new ("variable", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                    G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[INTEGRATION] = g_signal_new ("integration", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[ALERT] = g_signal_new ("alert", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                 3, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[RESYNC]
      = g_signal_new ("resync", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
fd_events_client_init (FdEventsClient *self)
{
  self->session
      = g_object_new (SOUP_TYPE_SESSION, "user-agent", "fleetdesk/" PACKAGE_VERSION, NULL);
  self->queue = g_ptr_array_new_with_free_func (fd_json_object_unref0);
  self->backoff_s = 1;
}
