/* fd-mqtt-server.c — MQTT over TLS on --mqtt-port: the listener, limits on connections, the
 * epoll set every TLS connection is read through, revocation, deadlines, shutdown and the
 * counters. The TLS side of a connection is fd-mqtt-tls.c's; what it does with its bytes is
 * fd-mqtt-session.c's.
 */
#include "config.h"

#include "fd-mqtt-poller.h"
#include "fd-mqtt-private.h"
#include "fd-util.h"

#define LISTEN_BACKLOG 1024

const FdMqttServerStats *
fd_mqtt_server_get_stats (FdMqttServer *server)
{
  server->stats.open = g_hash_table_size (server->conns);
  return &server->stats;
}

/* Counts @peer's connection against the limits; FALSE (nothing counted) when over one. */
gboolean
fd_mqtt_server_admit (FdMqttServer *server, const char *peer)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address, peer));

  if (server->shutting_down || g_hash_table_size (server->conns) >= server->config.max_conns
      || n >= server->config.max_conns_per_address)
    {
      server->stats.refused_limit++;
      return FALSE;
    }
  g_hash_table_insert (server->per_address, g_strdup (peer), GUINT_TO_POINTER (n + 1));
  return TRUE;
}

static gboolean
incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
          gpointer user_data)
{
  FdMqttServer *server = user_data;
  char *peer = fd_device_peer_address (connection);

  if (!fd_mqtt_server_admit (server, peer))
    {
      server->stats.connections++;
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      g_free (peer);
      return TRUE;
    }
  fd_mqtt_tls_take (server, connection, peer);
  return TRUE;
}

/* Revocation: live sessions of a revoked credential or a deleted device end at once. */

/* Revoked or deleted ends a session; expired does not: a JWT's exp is checked at CONNECT only
 * (the Zerynth clients mint their token once and keep the session). */
static gboolean
still_good (FdMqttServer *server, const FdDeviceIdentity *id)
{
  g_autoptr (GError) error = NULL;

  if (id == NULL || fd_device_auth_still_valid (server->auth, id, &error))
    return TRUE;
  return g_error_matches (error, FD_DEVICE_AUTH_ERROR, FD_DEVICE_AUTH_ERROR_EXPIRED);
}

static void
revoked (const char *credential_id, const char *device_id, gpointer user_data)
{
  FdMqttServer *server = user_data;
  g_autoptr (GPtrArray) doomed = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FdMqttConn *conn = key;
      gboolean hit;

      if (credential_id == NULL && device_id == NULL)
        hit = !still_good (server, conn->cert_id) || !still_good (server, conn->session.who);
      else
        hit = fd_device_identity_matches (conn->cert_id, credential_id, device_id)
              || fd_device_identity_matches (conn->session.who, credential_id, device_id);
      if (hit)
        g_ptr_array_add (doomed, conn);
    }
  for (guint i = 0; i < doomed->len; i++)
    {
      server->stats.revoked++;
      fd_mqtt_conn_close (doomed->pdata[i], "revoked");
    }
}

/* Deadlines of every connection, looked at together. */
static gboolean
sweep (gpointer data)
{
  FdMqttServer *server = data;
  g_autoptr (GPtrArray) due = g_ptr_array_new ();
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FdMqttConn *conn = key;
      if (conn->deadline_us != 0 && conn->deadline_us <= now)
        g_ptr_array_add (due, conn);
    }
  /* closing one connection never closes another */
  for (guint i = 0; i < due->len; i++)
    fd_mqtt_conn_expire (due->pdata[i]);
  return G_SOURCE_CONTINUE;
}

/* The server. */

/* Readings gathered from every connection a dispatch of the poller read go to the store as one
 * job (fd-mqtt-publish.c). */
static void
poller_round (gpointer data, gboolean starting)
{
  if (starting)
    fd_mqtt_round_begin (data);
  else
    fd_mqtt_round_end (data);
}

FdMqttServer *
fd_mqtt_server_new (const FdMqttConfig *config, FdPki *pki, FdDeviceAuth *auth, FdIngest *ingest,
                    FdDeviceUp *up, FdSessions *sessions)
{
  FdMqttServer *server = g_new0 (FdMqttServer, 1);
  FdMqttConfig *c = &server->config;
  g_autoptr (GError) error = NULL;

  *c = *config;
  c->address = g_strdup (config->address);
  if (c->max_packet_bytes == 0)
    c->max_packet_bytes = FD_MQTT_DEFAULT_MAX_PACKET;
  if (c->max_payload_bytes == 0)
    c->max_payload_bytes = FD_PAYLOAD_DEFAULT_MAX_BYTES;
  if (c->max_inflight == 0)
    c->max_inflight = FD_MQTT_DEFAULT_INFLIGHT;
  if (c->max_topic_chars == 0)
    c->max_topic_chars = FD_MQTT_DEFAULT_TOPIC_CHARS;
  if (c->max_conns_per_address == 0)
    c->max_conns_per_address = FD_MQTT_DEFAULT_CONNS_PER_ADDRESS;
  if (c->max_conns == 0)
    c->max_conns = FD_MQTT_DEFAULT_CONNS;
  if (c->connect_timeout_s == 0)
    c->connect_timeout_s = FD_MQTT_DEFAULT_CONNECT_S;
  server->pki = pki;
  server->auth = auth;
  server->ingest = ingest;
  server->up = up;
  server->sessions = sessions;
  server->context = g_main_context_ref_thread_default ();
  server->conns = g_hash_table_new_full (NULL, NULL, (GDestroyNotify)fd_mqtt_conn_unref, NULL);
  server->all = g_hash_table_new (NULL, NULL);
  server->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->scanner = fd_payload_scanner_new ();
  fd_payload_scanner_set_limits (server->scanner, c->max_payload_bytes,
                                 FD_PAYLOAD_DEFAULT_MAX_DEPTH);
  server->scratch = g_malloc (FD_MQTT_READ_BYTES);
  server->round = g_ptr_array_new ();
  server->poller = fd_mqtt_poller_new (server->context, poller_round, server, &error);
  if (server->poller == NULL)
    g_error ("MQTT endpoint: %s", error->message); /* no epoll: nothing here can run */
  server->sweep = g_timeout_source_new (FD_MQTT_SWEEP_MS);
  g_source_set_callback (server->sweep, sweep, server, NULL);
  g_source_attach (server->sweep, server->context);
  fd_device_auth_add_watch (server->auth, revoked, server);
  server->watching = TRUE;
  return server;
}

gboolean
fd_mqtt_server_listen (FdMqttServer *server, GError **error)
{
  g_autoptr (GSocketService) service = g_socket_service_new ();
  GSocketListener *listener = G_SOCKET_LISTENER (service);
  const char *address = server->config.address;
  guint port = server->config.port;

  g_return_val_if_fail (server->service == NULL && !server->shutting_down, FALSE);
  g_socket_listener_set_backlog (listener, LISTEN_BACKLOG);
  if (address == NULL && port == 0)
    {
      guint16 any = g_socket_listener_add_any_inet_port (listener, NULL, error);
      if (any == 0)
        return FALSE;
      server->config.port = any;
    }
  else if (address == NULL)
    {
      if (!g_socket_listener_add_inet_port (listener, (guint16)port, NULL, error))
        {
          g_prefix_error (error, "cannot listen on MQTT port %u: ", port);
          return FALSE;
        }
    }
  else
    {
      g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (address);
      g_autoptr (GSocketAddress) where = NULL;
      g_autoptr (GSocketAddress) effective = NULL;

      if (inet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "the MQTT address \"%s\" is not an IP address", address);
          return FALSE;
        }
      where = g_inet_socket_address_new (inet, (guint16)port);
      if (!g_socket_listener_add_address (listener, where, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
        {
          g_prefix_error (error, "cannot listen on %s MQTT port %u: ", address, port);
          return FALSE;
        }
      server->config.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    }
  g_signal_connect (service, "incoming", G_CALLBACK (incoming), server);
  server->service = g_steal_pointer (&service);
  g_socket_service_start (server->service);
  return TRUE;
}

guint
fd_mqtt_server_get_port (FdMqttServer *server)
{
  return server->config.port;
}

/* Runs the context until @done says so or @deadline_us passes. */
static void
iterate_until (FdMqttServer *server, gboolean (*done) (FdMqttServer *), gint64 deadline_us)
{
  while (!done (server) && g_get_monotonic_time () < deadline_us)
    fd_main_context_iterate_for (server->context, 50);
}

/* No commit under way, and no acknowledgement being written. */
static gboolean
nothing_pending (FdMqttServer *server)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FdMqttConn *conn = key;
      if (conn->in_store || conn->writing->len > 0)
        return FALSE;
    }
  return TRUE;
}

/* Every closed connection let go of, but those a store callback still holds. */
static gboolean
only_store_waits (FdMqttServer *server)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->all);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!((FdMqttConn *)key)->in_store)
      return FALSE;
  return TRUE;
}

void
fd_mqtt_server_shutdown (FdMqttServer *server, guint timeout_ms)
{
  g_autoptr (GPtrArray) open = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  if (server->shutting_down)
    return;
  server->shutting_down = TRUE;
  if (server->service != NULL)
    {
      g_socket_service_stop (server->service);
      g_socket_listener_close (G_SOCKET_LISTENER (server->service));
      g_signal_handlers_disconnect_by_data (server->service, server);
      g_clear_object (&server->service);
    }
  /* Commits under way are acknowledged (their PUBACKs written) before the connections close. */
  iterate_until (server, nothing_pending, g_get_monotonic_time () + (gint64)timeout_ms * 1000);
  g_hash_table_iter_init (&iter, server->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (open, key);
  for (guint i = 0; i < open->len; i++)
    fd_mqtt_conn_close (open->pdata[i], "shutdown");
  iterate_until (server, only_store_waits, g_get_monotonic_time () + G_USEC_PER_SEC);
  if (server->watching)
    {
      fd_device_auth_remove_watch (server->auth, revoked, server);
      server->watching = FALSE;
    }
}

void
fd_mqtt_server_free (FdMqttServer *server)
{
  GHashTableIter iter;
  gpointer key;

  if (server == NULL)
    return;
  fd_mqtt_server_shutdown (server, 0);
  g_source_destroy (server->sweep);
  g_source_unref (server->sweep);
  /* Connections still held by a store callback outlive the server: they must not reach back. */
  g_hash_table_iter_init (&iter, server->all);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    ((FdMqttConn *)key)->server = NULL;
  g_hash_table_destroy (server->all);
  g_hash_table_destroy (server->conns);
  g_hash_table_destroy (server->per_address);
  fd_payload_scanner_free (server->scanner);
  fd_mqtt_poller_free (server->poller);
  g_ptr_array_unref (server->round);
  g_free (server->scratch);
  g_main_context_unref (server->context);
  g_free ((char *)server->config.address);
  g_free (server);
}
