/* fd-mqtt-session.c — one MQTT connection, whatever carries it (TLS or WebSocket): the packets
 * of a read handed to their handlers strictly in order, the deadline (CONNECT timeout, then
 * 1.5 x the keep-alive), down-messages with their inflight window and retries, the session's
 * part in FdSessions, and how it ends.
 *
 * A connection is "busy" while the store works for it (a commit of readings, an up message):
 * nothing after that packet is handled, and nothing more is read, until the store answers. So
 * a device's packets take effect in the order it sent them, and a slow store slows its senders
 * instead of growing our buffers.
 */
#include "config.h"

#include "fd-mqtt-private.h"

/* Bytes kept between reads when nothing is held back: more is given back to the allocator. */
#define IDLE_BUFFER_BYTES 4096

static const char *
end_reason (FdSessionEnd why)
{
  switch (why)
    {
    case FD_SESSION_END_TAKEN_OVER:
      return "taken over";
    case FD_SESSION_END_REVOKED:
      return "revoked";
    case FD_SESSION_END_SHUTDOWN:
      return "shutdown";
    }
  return "ended";
}

static gboolean
op_deliver (FdSession *session, GBytes *envelope)
{
  return fd_mqtt_conn_deliver ((FdMqttConn *)session, envelope);
}

static void
op_end (FdSession *session, FdSessionEnd why)
{
  FdMqttConn *conn = (FdMqttConn *)session;

  if (conn->state == FD_MQTT_CONN_CLOSED)
    return;
  if (why == FD_SESSION_END_TAKEN_OVER)
    conn->server->stats.taken_over++;
  else if (why == FD_SESSION_END_REVOKED)
    conn->server->stats.revoked++;
  fd_mqtt_conn_close (conn, end_reason (why));
}

static const FdSessionOps session_ops = { op_deliver, op_end };

/* Deadlines. */

void
fd_mqtt_conn_expire (FdMqttConn *conn)
{
  conn->deadline_us = 0;
  if (conn->closing)
    fd_mqtt_conn_close (conn, conn->close_reason);
  else if (conn->state == FD_MQTT_CONN_OPEN)
    {
      conn->server->stats.keepalive_timeouts++;
      fd_mqtt_conn_close (conn, "keep-alive expired");
    }
  else
    {
      conn->server->stats.connect_timeouts++;
      fd_mqtt_conn_close (conn, "no CONNECT in time");
    }
}

void
fd_mqtt_conn_arm (FdMqttConn *conn, guint seconds)
{
  conn->deadline_us
      = seconds == 0 ? 0 : g_get_monotonic_time () + (gint64)seconds * G_USEC_PER_SEC;
}

FdMqttConn *
fd_mqtt_conn_new (FdMqttServer *server, FdTransport transport, char *peer)
{
  FdMqttConn *conn = g_new0 (FdMqttConn, 1);

  conn->ref_count = 1; /* the server's, in server->conns */
  conn->server = server;
  conn->session.ops = &session_ops;
  conn->session.transport = transport;
  conn->session.peer = peer;
  conn->peer = peer;
  conn->cancellable = g_cancellable_new ();
  conn->in = g_byte_array_new ();
  conn->out = g_byte_array_new ();
  conn->writing = g_byte_array_new ();
  conn->batch.packet_ids = g_array_new (FALSE, FALSE, sizeof (guint16));
  conn->batch.tag_text = g_string_new (NULL);
  conn->batch.errors = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_queue_init (&conn->inflight);
  g_queue_init (&conn->queued);
  g_hash_table_add (server->conns, conn);
  g_hash_table_add (server->all, conn);
  server->stats.connections++;
  return conn;
}

FdMqttConn *
fd_mqtt_conn_ref (FdMqttConn *conn)
{
  conn->ref_count++;
  return conn;
}

static void
down_free (gpointer data)
{
  FdMqttDown *down = data;
  g_bytes_unref (down->payload);
  g_free (down);
}

void
fd_mqtt_batch_clear (FdMqttBatch *batch)
{
  batch->tag = NULL;
  g_array_set_size (batch->packet_ids, 0);
  g_ptr_array_set_size (batch->errors, 0);
  batch->count = 0;
}

void
fd_mqtt_conn_unref (FdMqttConn *conn)
{
  if (--conn->ref_count > 0)
    return;
  g_assert (conn->state == FD_MQTT_CONN_CLOSED);
  if (conn->server != NULL)
    g_hash_table_remove (conn->server->all, conn);
  if (conn->tls != NULL)
    g_signal_handlers_disconnect_by_data (conn->tls, conn);
  g_clear_object (&conn->tls);
  g_clear_object (&conn->socket);
  g_clear_object (&conn->ws);
  g_clear_object (&conn->cancellable);
  g_clear_pointer (&conn->cert_id, fd_device_identity_unref);
  g_clear_pointer (&conn->session.who, fd_device_identity_unref);
  fd_mqtt_batch_clear (&conn->batch);
  g_clear_pointer (&conn->batch.readings, fd_readings_free);
  g_string_free (conn->batch.tag_text, TRUE);
  g_array_unref (conn->batch.packet_ids);
  g_ptr_array_unref (conn->batch.errors);
  g_queue_clear_full (&conn->inflight, down_free);
  g_queue_clear_full (&conn->queued, down_free);
  g_byte_array_unref (conn->in);
  g_byte_array_unref (conn->out);
  g_byte_array_unref (conn->writing);
  g_free (conn->dn_topic);
  g_free (conn->up_topic);
  g_free (conn->data_prefix);
  g_free (conn->peer);
  g_free (conn);
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Closes at once. Pending operations are cancelled and let go of the connection when they
 * return; a store callback finds it closed and drops its result (nothing is acknowledged). */
void
fd_mqtt_conn_close (FdMqttConn *conn, const char *reason)
{
  FdMqttServer *server = conn->server;

  if (conn->state == FD_MQTT_CONN_CLOSED)
    return;
  conn->state = FD_MQTT_CONN_CLOSED;
  g_cancellable_cancel (conn->cancellable);
  conn->deadline_us = 0;
  destroy_source (&conn->retry);
  fd_mqtt_tls_unwatch (conn);
  destroy_source (&conn->hello);
  if (conn->ws != NULL)
    fd_mqtt_ws_close (conn);
  else if (!conn->handshaking && conn->socket != NULL)
    {
      GSocket *socket = g_socket_connection_get_socket (conn->socket);
      if (!g_socket_is_closed (socket))
        g_socket_close (socket, NULL);
    }
  /* A closed handshake's socket is closed by handshake_done(): closing it under the worker
   * thread could hand its descriptor number to a new connection the thread would then read. */

  if (conn->per_address_counted)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (server->per_address, conn->peer));
      if (n <= 1)
        g_hash_table_remove (server->per_address, conn->peer);
      else
        g_hash_table_insert (server->per_address, g_strdup (conn->peer), GUINT_TO_POINTER (n - 1));
      conn->per_address_counted = FALSE;
    }
  if (conn->attached)
    {
      conn->attached = FALSE;
      fd_sessions_detach (server->sessions, &conn->session, reason);
    }
  g_debug ("MQTT connection from %s closed: %s", conn->peer, reason);
  g_hash_table_remove (server->conns, conn); /* drops the table's reference, maybe the last */
}

void
fd_mqtt_conn_protocol_error (FdMqttConn *conn, const char *what)
{
  conn->server->stats.protocol_errors++;
  g_debug ("MQTT connection from %s: %s", conn->peer, what);
  fd_mqtt_conn_close (conn, "protocol error");
}

/* Ends the connection once what is in conn->out has been written (a refusing CONNACK). */
void
fd_mqtt_conn_finish (FdMqttConn *conn, const char *reason)
{
  conn->closing = TRUE;
  conn->close_reason = reason;
  fd_mqtt_conn_arm (conn, 5);
  fd_mqtt_conn_flush (conn);
}

/* Writing. */

void
fd_mqtt_conn_flush (FdMqttConn *conn)
{
  if (conn->state == FD_MQTT_CONN_CLOSED || conn->processing)
    return;
  if (conn->out->len > FD_MQTT_MAX_OUT_BYTES)
    {
      fd_mqtt_conn_close (conn, "not reading");
      return;
    }
  fd_mqtt_conn_write (conn);
}

/* Down-messages. */

static void
send_down (FdMqttConn *conn, FdMqttDown *down, gboolean dup)
{
  gsize len;
  const void *data = g_bytes_get_data (down->payload, &len);

  fd_mqtt_put_publish (conn->out, conn->dn_topic, 1, dup, down->packet_id, data, len);
  down->sent_us = g_get_monotonic_time ();
}

static gboolean
resend_due (gpointer data)
{
  FdMqttConn *conn = data;
  gint64 due = g_get_monotonic_time () - (gint64)FD_MQTT_RETRY_S * G_USEC_PER_SEC;

  if (g_queue_is_empty (&conn->inflight))
    {
      g_clear_pointer (&conn->retry, g_source_unref);
      return G_SOURCE_REMOVE;
    }
  for (GList *l = conn->inflight.head; l != NULL; l = l->next)
    {
      FdMqttDown *down = l->data;
      if (down->sent_us <= due)
        send_down (conn, down, TRUE);
    }
  fd_mqtt_conn_flush (conn);
  return G_SOURCE_CONTINUE;
}

static guint16
new_packet_id (FdMqttConn *conn)
{
  for (;;)
    {
      gboolean taken = FALSE;

      if (++conn->next_packet_id == 0)
        conn->next_packet_id = 1;
      for (GList *l = conn->inflight.head; l != NULL && !taken; l = l->next)
        taken = ((FdMqttDown *)l->data)->packet_id == conn->next_packet_id;
      if (!taken)
        return conn->next_packet_id;
    }
}

static void
start_down (FdMqttConn *conn, FdMqttDown *down)
{
  down->packet_id = new_packet_id (conn);
  send_down (conn, down, FALSE);
  g_queue_push_tail (&conn->inflight, down);
  if (conn->retry == NULL)
    {
      conn->retry = g_timeout_source_new_seconds (FD_MQTT_RETRY_CHECK_S);
      g_source_set_callback (conn->retry, resend_due, conn, NULL);
      g_source_attach (conn->retry, conn->server->context);
    }
}

gboolean
fd_mqtt_conn_deliver (FdMqttConn *conn, GBytes *envelope)
{
  FdMqttDown *down;

  if (conn->state != FD_MQTT_CONN_OPEN || conn->closing || !conn->session.subscribed)
    return FALSE;
  if (g_queue_get_length (&conn->inflight) >= conn->server->config.max_inflight
      && g_queue_get_length (&conn->queued) >= FD_MQTT_MAX_QUEUED)
    return FALSE;
  down = g_new0 (FdMqttDown, 1);
  down->payload = g_bytes_ref (envelope);
  if (g_queue_get_length (&conn->inflight) < conn->server->config.max_inflight)
    start_down (conn, down);
  else
    g_queue_push_tail (&conn->queued, down);
  fd_mqtt_conn_flush (conn);
  return TRUE;
}

gboolean
fd_mqtt_handle_puback (FdMqttConn *conn, const FdMqttPacket *packet)
{
  FdMqttReader r;
  guint16 id = 0;

  fd_mqtt_reader_init (&r, packet);
  if (packet->flags != 0 || !fd_mqtt_read_u16 (&r, &id) || !fd_mqtt_reader_done (&r))
    {
      fd_mqtt_conn_protocol_error (conn, "a malformed PUBACK");
      return FALSE;
    }
  for (GList *l = conn->inflight.head; l != NULL; l = l->next)
    if (((FdMqttDown *)l->data)->packet_id == id)
      {
        down_free (l->data);
        g_queue_delete_link (&conn->inflight, l);
        break;
      }
  /* An acknowledgement of nothing we sent (a late duplicate) changes nothing. */
  while (!g_queue_is_empty (&conn->queued)
         && g_queue_get_length (&conn->inflight) < conn->server->config.max_inflight)
    start_down (conn, g_queue_pop_head (&conn->queued));
  return TRUE;
}

/* Reading: every complete packet, in order. */

static gboolean
dispatch (FdMqttConn *conn, const FdMqttPacket *packet)
{
  if (conn->state != FD_MQTT_CONN_OPEN)
    return fd_mqtt_handle_connect (conn, packet);
  switch ((FdMqttType)packet->type)
    {
    case FD_MQTT_PUBLISH:
      return fd_mqtt_handle_publish (conn, packet);
    case FD_MQTT_PUBACK:
      return fd_mqtt_handle_puback (conn, packet);
    case FD_MQTT_SUBSCRIBE:
      return fd_mqtt_handle_subscribe (conn, packet);
    case FD_MQTT_UNSUBSCRIBE:
      return fd_mqtt_handle_unsubscribe (conn, packet);
    case FD_MQTT_PINGREQ:
      return fd_mqtt_handle_pingreq (conn, packet);
    case FD_MQTT_DISCONNECT:
      return fd_mqtt_handle_disconnect (conn, packet);
    case FD_MQTT_CONNECT:
      fd_mqtt_conn_protocol_error (conn, "a second CONNECT");
      return FALSE;
    default:
      /* QoS 2 flows, a client sending server packets, reserved types */
      fd_mqtt_conn_protocol_error (conn, "a packet a client may not send here");
      return FALSE;
    }
}

/* Handles the complete packets at @data; returns how many bytes they took. Stops at a busy
 * store operation, a close, or a partial packet. */
static gsize
process (FdMqttConn *conn, const guint8 *data, gsize len)
{
  FdMqttServer *server = conn->server;
  gsize off = 0;
  gboolean any = FALSE;

  /* Once the server is stopping, nothing new is taken: what is committed is acknowledged, the
   * rest the device sends again to the next server. */
  while (off < len && !conn->busy && !conn->closing && conn->state != FD_MQTT_CONN_CLOSED
         && !server->shutting_down)
    {
      gsize max = conn->state == FD_MQTT_CONN_OPEN
                      ? server->config.max_packet_bytes
                      : MIN (server->config.max_packet_bytes, FD_MQTT_MAX_CONNECT_BYTES);
      FdMqttPacket packet;

      switch (fd_mqtt_frame (data + off, len - off, max, &packet))
        {
        case FD_MQTT_FRAME_NEED_MORE:
          goto out;
        case FD_MQTT_FRAME_MALFORMED:
          fd_mqtt_conn_protocol_error (conn, "a remaining length of more than four bytes");
          goto out;
        case FD_MQTT_FRAME_TOO_LARGE:
          server->stats.oversized++;
          g_debug ("MQTT connection from %s: a packet over %" G_GSIZE_FORMAT " bytes", conn->peer,
                   max);
          fd_mqtt_conn_close (conn, "packet too large");
          goto out;
        case FD_MQTT_FRAME_OK:
          break;
        }
      if (conn->batch.tag != NULL && !fd_mqtt_publish_joins_batch (conn, &packet))
        {
          fd_mqtt_batch_submit (conn);
          continue; /* handles the packet now unless the batch went to the store */
        }
      any = TRUE;
      if (!dispatch (conn, &packet))
        goto out;
      off += packet.total;
      if (conn->attached)
        fd_sessions_seen (server->sessions, &conn->session);
    }
  if (conn->batch.tag != NULL && !conn->busy && conn->state != FD_MQTT_CONN_CLOSED
      && !server->shutting_down)
    fd_mqtt_batch_submit (conn);
out:
  if (any && conn->state == FD_MQTT_CONN_OPEN && !conn->closing && conn->keepalive_s > 0)
    fd_mqtt_conn_arm (conn, conn->keepalive_s + (conn->keepalive_s + 1) / 2);
  return off;
}

/* Handles what is buffered (and @data after it), keeps what is left, writes the answers. */
void
fd_mqtt_conn_feed (FdMqttConn *conn, const guint8 *data, gsize len)
{
  gsize used;

  if (conn->state == FD_MQTT_CONN_CLOSED)
    return;
  fd_mqtt_conn_ref (conn);
  conn->processing = TRUE;
  if (conn->in->len == 0 && !conn->busy)
    {
      used = process (conn, data, len);
      if (conn->state != FD_MQTT_CONN_CLOSED && used < len)
        g_byte_array_append (conn->in, data + used, (guint)(len - used));
    }
  else
    {
      if (len > 0)
        g_byte_array_append (conn->in, data, (guint)len);
      guint held = conn->in->len;

      used = process (conn, conn->in->data, conn->in->len);
      if (conn->state != FD_MQTT_CONN_CLOSED)
        {
          g_byte_array_remove_range (conn->in, 0, (guint)used);
          /* A large packet's buffer is not kept by an idle connection. */
          if (conn->in->len == 0 && held > IDLE_BUFFER_BYTES)
            {
              g_byte_array_unref (conn->in);
              conn->in = g_byte_array_new ();
            }
        }
    }
  conn->processing = FALSE;
  if (conn->state != FD_MQTT_CONN_CLOSED)
    {
      /* A WebSocket peer is not paused while we are busy: what it sends meanwhile is held,
       * up to a bound. */
      if (conn->in->len > FD_MQTT_MAX_OUT_BYTES)
        fd_mqtt_conn_close (conn, "sending too fast");
      else
        fd_mqtt_conn_flush (conn);
    }
  fd_mqtt_conn_unref (conn);
}

void
fd_mqtt_conn_resume (FdMqttConn *conn)
{
  if (conn->state == FD_MQTT_CONN_CLOSED)
    return;
  conn->busy = FALSE;
  fd_mqtt_conn_feed (conn, NULL, 0);
  if (conn->state != FD_MQTT_CONN_CLOSED && !conn->busy)
    fd_mqtt_conn_start_reading (conn);
}

/* Sessions. */

/* The device is authenticated (conn->session.who set): its topics, and its place in FdSessions,
 * where an older MQTT session of the same device is ended (take-over). */
void
fd_mqtt_conn_attach (FdMqttConn *conn)
{
  const char *id = conn->session.who->device_id;

  conn->dn_topic = g_strconcat ("j/dn/", id, NULL);
  conn->up_topic = g_strconcat ("j/up/", id, NULL);
  conn->data_prefix = g_strconcat ("j/data/", id, "/", NULL);
  conn->state = FD_MQTT_CONN_OPEN;
  fd_sessions_attach (conn->server->sessions, &conn->session);
  conn->attached = TRUE;
}
