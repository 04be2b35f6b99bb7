/* fd-device-server.c — the device endpoint's listener: limits on connections, the TLS side of
 * each new one, revocation, shutdown and the counters (connections live in fd-device-conn.c).
 */
#include "config.h"

#include "fd-device-private.h"
#include "fd-util.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#define LISTEN_BACKLOG 512

const FdDeviceServerStats *
fd_device_server_get_stats (FdDeviceServer *server)
{
  server->stats.open = g_hash_table_size (server->conns);
  return &server->stats;
}

static gboolean
incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
          gpointer user_data)
{
  static const char *const alpn[] = { "http/1.1", NULL };
  FdDeviceServer *server = user_data;
  g_autofree char *peer = fd_device_peer_address (connection);
  guint per_address = GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address, peer));
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GError) error = NULL;
  gpointer tls;

  server->stats.connections++;
  if (server->shutting_down || g_hash_table_size (server->conns) >= FD_DEVICE_MAX_CONNS
      || per_address >= FD_DEVICE_MAX_CONNS_PER_ADDRESS)
    {
      server->stats.refused_limit++;
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  /* Not g_tls_server_connection_new(): with the default database, glib-networking 2.74 loads
   * the whole system trust store into every new connection, 13 ms on the engine thread each.
   * No database at all is right anyway: accept_certificate() judges client certificates by
   * their fingerprint, and the certificate request names no CA, so every client sends its
   * certificate whoever issued it. HTTP framing says where an answer ends, so a peer that
   * skips close_notify lost nothing. */
  certificate = fd_pki_dup_server_certificate (server->pki);
  tls = g_initable_new (g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()),
                        NULL, &error, "base-io-stream", connection, "certificate", certificate,
                        "database", NULL, "authentication-mode", G_TLS_AUTHENTICATION_REQUESTED,
                        "require-close-notify", FALSE, NULL);
  if (tls == NULL)
    {
      g_warning ("device endpoint: cannot start TLS: %s", error->message);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }
  g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), alpn);
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);

  fd_device_conn_start (server, connection, G_TLS_CONNECTION (tls), g_steal_pointer (&peer),
                        per_address);
  return TRUE;
}

/* Revocation. */

static void
revoked (const char *credential_id, const char *device_id, gpointer user_data)
{
  FdDeviceServer *server = user_data;
  g_autoptr (GPtrArray) doomed = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FdDeviceConn *conn = key;
      if (credential_id == NULL && device_id == NULL)
        {
          /* Many devices went at once: one pass, a hash lookup per identity. */
          if ((conn->cert_id && !fd_device_auth_still_valid (server->auth, conn->cert_id, NULL))
              || (conn->bearer_id
                  && !fd_device_auth_still_valid (server->auth, conn->bearer_id, NULL))
              || (conn->who && !fd_device_auth_still_valid (server->auth, conn->who, NULL)))
            g_ptr_array_add (doomed, conn);
          continue;
        }
      if (fd_device_identity_matches (conn->cert_id, credential_id, device_id)
          || fd_device_identity_matches (conn->bearer_id, credential_id, device_id)
          || fd_device_identity_matches (conn->who, credential_id, device_id))
        g_ptr_array_add (doomed, conn);
    }
  for (guint i = 0; i < doomed->len; i++)
    {
      server->stats.revoked++;
      fd_device_conn_close (doomed->pdata[i]);
    }
}

/* The server. */

FdDeviceServer *
fd_device_server_new (const FdDeviceServerConfig *config, FdPki *pki, FdDeviceAuth *auth,
                      FdIngest *ingest, FdDeviceUp *up, FdStore *store)
{
  FdDeviceServer *server = g_new0 (FdDeviceServer, 1);

  server->address = g_strdup (config->address);
  server->port = config->port;
  server->max_payload
      = config->max_payload_bytes ? config->max_payload_bytes : FD_PAYLOAD_DEFAULT_MAX_BYTES;
  server->idle_timeout_s
      = config->idle_timeout_s ? config->idle_timeout_s : FD_DEVICE_DEFAULT_IDLE_S;
  server->pki = pki;
  server->auth = auth;
  server->ingest = ingest;
  server->up = up;
  server->store = store;
  server->conns = g_hash_table_new_full (NULL, NULL, (GDestroyNotify)fd_device_conn_unref, NULL);
  server->all = g_hash_table_new (NULL, NULL);
  server->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server->rate = fd_rate_limit_new (config->rate_per_s, config->burst);
  server->scanner = fd_payload_scanner_new ();
  fd_payload_scanner_set_limits (server->scanner, server->max_payload,
                                 FD_PAYLOAD_DEFAULT_MAX_DEPTH);
  server->batch = g_array_new (FALSE, FALSE, sizeof (FdBatchItem));
  return server;
}

void
fd_device_server_set_firmware (FdDeviceServer *server, FdFirmware *firmware)
{
  server->firmware = firmware;
}

void
fd_device_server_set_sessions (FdDeviceServer *server, FdSessions *sessions)
{
  server->sessions = sessions;
}

void
fd_device_server_set_mqtt (FdDeviceServer *server, FdMqttServer *mqtt)
{
  server->mqtt = mqtt;
}

gboolean
fd_device_server_listen (FdDeviceServer *server, GError **error)
{
  g_autoptr (GSocketService) service = g_socket_service_new ();
  GSocketListener *listener = G_SOCKET_LISTENER (service);

  g_return_val_if_fail (server->service == NULL && !server->shutting_down, FALSE);
  g_socket_listener_set_backlog (listener, LISTEN_BACKLOG);
  if (server->address == NULL && server->port == 0)
    {
      guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, error);
      if (port == 0)
        return FALSE;
      server->port = port;
    }
  else if (server->address == NULL)
    {
      if (!g_socket_listener_add_inet_port (listener, (guint16)server->port, NULL, error))
        {
          g_prefix_error (error, "cannot listen on device port %u: ", server->port);
          return FALSE;
        }
    }
  else
    {
      g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (server->address);
      g_autoptr (GSocketAddress) address = NULL;
      g_autoptr (GSocketAddress) effective = NULL;

      if (inet == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "the device address \"%s\" is not an IP address", server->address);
          return FALSE;
        }
      address = g_inet_socket_address_new (inet, (guint16)server->port);
      if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
        {
          g_prefix_error (error, "cannot listen on %s port %u: ", server->address, server->port);
          return FALSE;
        }
      server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
    }

  server->context = g_main_context_ref_thread_default ();
  g_signal_connect (service, "incoming", G_CALLBACK (incoming), server);
  server->service = g_steal_pointer (&service);
  g_socket_service_start (server->service);
  fd_device_auth_add_watch (server->auth, revoked, server);
  server->watching = TRUE;
  return TRUE;
}

guint
fd_device_server_get_port (FdDeviceServer *server)
{
  return server->port;
}

/* Runs the context until @done says so or @deadline_us passes. */
static void
iterate_until (FdDeviceServer *server, gboolean (*done) (FdDeviceServer *), gint64 deadline_us)
{
  while (!done (server) && g_get_monotonic_time () < deadline_us)
    fd_main_context_iterate_for (server->context, 50);
}

static gboolean
nothing_busy (FdDeviceServer *server)
{
  return server->n_busy == 0;
}

/* Every closed connection let go of, but those a store callback still holds. */
static gboolean
only_store_waits (FdDeviceServer *server)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, server->all);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!((FdDeviceConn *)key)->in_store)
      return FALSE;
  return TRUE;
}

void
fd_device_server_shutdown (FdDeviceServer *server, guint timeout_ms)
{
  GHashTableIter iter;
  gpointer key;
  g_autoptr (GPtrArray) open = g_ptr_array_new ();

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
  /* Waiting polls are answered now ([]), rather than keeping shutdown waiting 30 s. */
  g_hash_table_iter_init (&iter, server->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (open, key);
  for (guint i = 0; i < open->len; i++)
    fd_device_poll_release (open->pdata[i]);
  g_ptr_array_set_size (open, 0);
  if (server->context != NULL)
    iterate_until (server, nothing_busy, g_get_monotonic_time () + (gint64)timeout_ms * 1000);

  g_hash_table_iter_init (&iter, server->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (open, key);
  for (guint i = 0; i < open->len; i++)
    fd_device_conn_close (open->pdata[i]);
  /* Cancelled operations return within an iteration or two; handshake threads must be done
   * with their sockets before those close. */
  if (server->context != NULL)
    iterate_until (server, only_store_waits, g_get_monotonic_time () + G_USEC_PER_SEC);
  if (server->watching)
    {
      fd_device_auth_remove_watch (server->auth, revoked, server);
      server->watching = FALSE;
    }
}

void
fd_device_server_free (FdDeviceServer *server)
{
  GHashTableIter iter;
  gpointer key;

  if (server == NULL)
    return;
  fd_device_server_shutdown (server, 0);
  /* Connections still held by operations that have not returned (a store callback) outlive
   * the server: they must not reach back into it. */
  g_hash_table_iter_init (&iter, server->all);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    ((FdDeviceConn *)key)->server = NULL;
  g_hash_table_destroy (server->all);
  g_hash_table_destroy (server->conns);
  g_hash_table_destroy (server->per_address);
  fd_rate_limit_free (server->rate);
  fd_payload_scanner_free (server->scanner);
  g_array_unref (server->batch);
  if (server->context != NULL)
    g_main_context_unref (server->context);
  g_free (server->address);
  g_free (server);
}
