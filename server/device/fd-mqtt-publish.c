/* fd-mqtt-publish.c — an incoming PUBLISH (QoS 0 or 1): j/data/<device>/<tag> readings, gathered
 * per connection and tag into one FdReadings and acknowledged together after their commit;
 * j/up/<device> messages, handed to FdDeviceUp one at a time. Any other topic closes the
 * connection; nothing of it is stored.
 */
#include "config.h"

#include "fd-mqtt-private.h"
#include "device/fd-device-up.h"

#include <string.h>

typedef enum
{
  TOPIC_OTHER,
  TOPIC_DATA,
  TOPIC_UP,
} TopicKind;

typedef struct
{
  guint qos;
  guint16 packet_id;
  const char *topic;
  gsize topic_len;
  TopicKind kind;
  const char *tag; /* TOPIC_DATA: the rest of the topic */
  gsize tag_len;
  const guint8 *payload;
  gsize len;
} Publish;

/* Reads @packet into @pub; NULL when it is well-formed, else what is wrong. */
static const char *
parse_publish (FdMqttConn *conn, const FdMqttPacket *packet, Publish *pub)
{
  FdMqttReader r;
  gsize prefix_len;

  pub->qos = (packet->flags >> 1) & 3;
  if (pub->qos == 3)
    return "a PUBLISH with QoS 3";
  if (pub->qos == 2)
    return "a PUBLISH with QoS 2, which this server does not take (use 0 or 1)";
  fd_mqtt_reader_init (&r, packet);
  if (!fd_mqtt_read_string (&r, &pub->topic, &pub->topic_len) || pub->topic_len == 0)
    return "a malformed PUBLISH topic";
  if (memchr (pub->topic, '+', pub->topic_len) || memchr (pub->topic, '#', pub->topic_len))
    return "a PUBLISH topic with a wildcard";
  /* a character is at least one byte: most topics need no counting */
  if (pub->topic_len > conn->server->config.max_topic_chars
      && g_utf8_strlen (pub->topic, (gssize)pub->topic_len) > conn->server->config.max_topic_chars)
    return "a PUBLISH topic over the length limit";
  pub->packet_id = 0;
  if (pub->qos > 0 && (!fd_mqtt_read_u16 (&r, &pub->packet_id) || pub->packet_id == 0))
    return "a PUBLISH without a packet id";
  pub->len = fd_mqtt_reader_left (&r);
  pub->payload = r.p;

  pub->kind = TOPIC_OTHER;
  prefix_len = strlen (conn->data_prefix);
  if (pub->topic_len > prefix_len && memcmp (pub->topic, conn->data_prefix, prefix_len) == 0)
    {
      pub->kind = TOPIC_DATA;
      pub->tag = pub->topic + prefix_len;
      pub->tag_len = pub->topic_len - prefix_len;
    }
  else if (pub->topic_len == strlen (conn->up_topic)
           && memcmp (pub->topic, conn->up_topic, pub->topic_len) == 0)
    pub->kind = TOPIC_UP;
  return NULL;
}

gboolean
fd_mqtt_publish_joins_batch (FdMqttConn *conn, const FdMqttPacket *packet)
{
  Publish pub;

  if (packet->type != FD_MQTT_PUBLISH || parse_publish (conn, packet, &pub) != NULL
      || pub.kind != TOPIC_DATA)
    return FALSE;
  return conn->batch.packet_ids->len < FD_MQTT_MAX_BATCH && strlen (conn->batch.tag) == pub.tag_len
         && memcmp (conn->batch.tag, pub.tag, pub.tag_len) == 0;
}

/* The device is told on j/dn why a message was refused, when it listens. */
static GBytes *
error_envelope (const Publish *pub, const char *message)
{
  g_autofree char *topic = g_strndup (pub->topic, pub->topic_len);
  return fd_device_up_error_envelope (topic, message);
}

static void
send_error (FdMqttConn *conn, GBytes *envelope)
{
  if (conn->session.subscribed && !fd_mqtt_conn_deliver (conn, envelope))
    g_debug ("MQTT device %s: an #error reply was dropped (down-messages queue full)",
             conn->session.who->device_id);
}

/* Readings. */

static void
batch_acknowledge (FdMqttConn *conn)
{
  FdMqttBatch *batch = &conn->batch;

  for (guint i = 0; i < batch->packet_ids->len; i++)
    {
      guint16 id = g_array_index (batch->packet_ids, guint16, i);
      if (id != 0)
        fd_mqtt_put_puback (conn->out, id);
    }
  for (guint i = 0; i < batch->errors->len; i++)
    send_error (conn, batch->errors->pdata[i]);
  fd_mqtt_batch_clear (batch);
}

/* The store answered for @conn's batch: @error NULL when it committed. */
static void
data_outcome (FdMqttConn *conn, const GError *error)
{
  conn->in_store = FALSE;
  if (conn->state == FD_MQTT_CONN_CLOSED)
    ; /* closed meanwhile: no acknowledgement; the device sends them again */
  else if (error == NULL)
    {
      conn->server->stats.readings += conn->batch.count;
      batch_acknowledge (conn);
      fd_mqtt_conn_resume (conn);
    }
  else if (g_error_matches (error, FD_INGEST_ERROR, FD_INGEST_ERROR_INVALID))
    {
      g_autofree char *topic = g_strconcat (conn->data_prefix, conn->batch.tag, NULL);
      g_ptr_array_set_size (conn->batch.errors, 0);
      g_ptr_array_add (conn->batch.errors, fd_device_up_error_envelope (topic, error->message));
      conn->server->stats.refused_payloads += conn->batch.count;
      batch_acknowledge (conn);
      fd_mqtt_conn_resume (conn);
    }
  else
    {
      /* Nothing was stored, nothing is acknowledged: the device sends it again on a new
       * connection. A device deleted meanwhile loses its connection anyway. */
      if (!g_error_matches (error, FD_INGEST_ERROR, FD_INGEST_ERROR_DEVICE_GONE)
          && !g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        g_warning ("MQTT device %s: the store failed: %s", conn->session.who->device_id,
                   error->message);
      fd_mqtt_conn_close (conn, "store failed");
    }
}

/* One store job for the batches of a round: @user_data is the GPtrArray of their connections
 * (references), in the order of their readings. */
static void
round_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GPtrArray) conns = user_data;
  g_autoptr (GError) error = NULL;
  gboolean ok = fd_ingest_submit_many_finish (result, &error);
  FdMqttServer *server = NULL;

  /* The server may be gone (a commit outliving it): its connections are closed then. */
  for (guint i = 0; i < conns->len && server == NULL; i++)
    server = ((FdMqttConn *)conns->pdata[i])->server;
  /* What the acknowledged connections read next makes a round of its own. */
  if (server != NULL)
    fd_mqtt_round_begin (server);
  for (guint i = 0; i < conns->len; i++)
    data_outcome (conns->pdata[i], ok ? fd_ingest_submit_many_error (result, i) : error);
  if (server != NULL)
    fd_mqtt_round_end (server);
}

void
fd_mqtt_round_begin (FdMqttServer *server)
{
  server->round_depth++;
}

/* The batches gathered so far, as one store job. */
static void
round_flush (FdMqttServer *server)
{
  GPtrArray *conns;
  g_autofree FdReadings **readings = NULL;
  guint n = 0;

  if (server->round->len == 0)
    return;
  conns = g_ptr_array_new_full (server->round->len, (GDestroyNotify)fd_mqtt_conn_unref);
  readings = g_new (FdReadings *, server->round->len);
  for (guint i = 0; i < server->round->len; i++)
    {
      FdMqttConn *conn = server->round->pdata[i];

      if (conn->state == FD_MQTT_CONN_CLOSED)
        {
          /* closed since its batch was gathered (taken over, revoked): nothing to store */
          conn->in_store = FALSE;
          fd_mqtt_conn_unref (conn);
          continue;
        }
      readings[n++] = conn->batch.readings;
      g_ptr_array_add (conns, conn);
    }
  g_ptr_array_set_size (server->round, 0);
  if (n == 0)
    {
      g_ptr_array_unref (conns);
      return;
    }
  fd_ingest_submit_many_async (server->ingest, readings, n, round_done, conns);
}

void
fd_mqtt_round_end (FdMqttServer *server)
{
  g_assert (server->round_depth > 0);
  if (--server->round_depth == 0)
    round_flush (server);
}

void
fd_mqtt_batch_submit (FdMqttConn *conn)
{
  FdMqttServer *server = conn->server;
  FdMqttBatch *batch = &conn->batch;

  if (batch->tag == NULL)
    return;
  batch->count = fd_readings_count (batch->readings);
  if (batch->count == 0)
    {
      /* every payload was refused: nothing to wait for */
      batch_acknowledge (conn);
      return;
    }
  conn->busy = TRUE;
  conn->in_store = TRUE;
  g_ptr_array_add (server->round, fd_mqtt_conn_ref (conn));
  /* Outside a round (a WebSocket message, a handshake's first read) it goes alone. A full
   * round's share goes now: the writer starts on it while the rest is read, and the
   * connections it answers first are read again while it stores the others. */
  if (server->round_depth == 0 || server->round->len >= FD_MQTT_ROUND_CONNS)
    round_flush (server);
}

static void
add_reading (FdMqttConn *conn, const Publish *pub)
{
  FdMqttServer *server = conn->server;
  FdMqttBatch *batch = &conn->batch;
  g_autoptr (GError) error = NULL;
  const char *why = fd_tag_check (pub->tag, pub->tag_len);

  if (why != NULL)
    {
      /* Refused like a bad payload: acknowledged, told, nothing stored. Never joins a batch
       * (its tag is not the batch's), so it is acknowledged now, in order. */
      g_autofree char *message = g_strdup_printf ("the tag is not good: %s", why);
      g_autoptr (GBytes) envelope = error_envelope (pub, message);
      server->stats.refused_payloads++;
      if (pub->qos > 0)
        fd_mqtt_put_puback (conn->out, pub->packet_id);
      send_error (conn, envelope);
      return;
    }
  if (batch->tag == NULL)
    {
      g_string_truncate (batch->tag_text, 0);
      g_string_append_len (batch->tag_text, pub->tag, (gssize)pub->tag_len);
      batch->tag = batch->tag_text->str;
      if (batch->readings == NULL)
        batch->readings = fd_readings_new (conn->session.who, batch->tag);
      else
        fd_readings_reset (batch->readings, conn->session.who, batch->tag);
    }
  g_array_append_val (batch->packet_ids, pub->packet_id);
  if (!fd_payload_scan (server->scanner, (const char *)pub->payload, pub->len, &error))
    {
      server->stats.refused_payloads++;
      g_ptr_array_add (batch->errors, error_envelope (pub, error->message));
      return;
    }
  fd_readings_add (batch->readings, server->scanner, FD_READINGS_TS_ARRIVAL);
}

/* Up messages. */

typedef struct
{
  FdMqttConn *conn;
  guint16 packet_id;
  char *topic;
} UpCall;

static void
up_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  UpCall *call = user_data;
  FdMqttConn *conn = call->conn;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  gboolean ok = fd_device_up_handle_finish (result, &reply, &error);

  conn->in_store = FALSE;
  if (conn->state == FD_MQTT_CONN_CLOSED)
    ;
  else if (!ok
           && (g_error_matches (error, FD_INGEST_ERROR, FD_INGEST_ERROR_DEVICE_GONE)
               || g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED)
               || g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND)))
    fd_mqtt_conn_close (conn, "store failed");
  else
    {
      /* A refused message is acknowledged too, so the client does not send it forever. */
      if (call->packet_id != 0)
        fd_mqtt_put_puback (conn->out, call->packet_id);
      if (!ok)
        {
          g_autoptr (GBytes) envelope = fd_device_up_error_envelope (call->topic, error->message);
          conn->server->stats.refused_payloads++;
          send_error (conn, envelope);
        }
      else if (reply != NULL && !fd_mqtt_conn_deliver (conn, reply))
        g_debug ("MQTT device %s: a reply was not sent (not subscribed, or queue full)",
                 conn->session.who->device_id);
      fd_mqtt_conn_resume (conn);
    }
  fd_mqtt_conn_unref (conn);
  g_free (call->topic);
  g_free (call);
}

static void
handle_up (FdMqttConn *conn, const Publish *pub)
{
  UpCall *call = g_new0 (UpCall, 1);

  call->conn = fd_mqtt_conn_ref (conn);
  call->packet_id = pub->packet_id;
  call->topic = g_strndup (pub->topic, pub->topic_len);
  conn->busy = TRUE;
  conn->in_store = TRUE;
  fd_device_up_handle_async (conn->server->up, conn->session.who, (const char *)pub->payload,
                             pub->len, up_done, call);
}

gboolean
fd_mqtt_handle_publish (FdMqttConn *conn, const FdMqttPacket *packet)
{
  Publish pub;
  const char *why = parse_publish (conn, packet, &pub);

  if (why != NULL)
    {
      fd_mqtt_conn_protocol_error (conn, why);
      return FALSE;
    }
  conn->server->stats.publishes++;
  switch (pub.kind)
    {
    case TOPIC_DATA:
      add_reading (conn, &pub);
      return TRUE;
    case TOPIC_UP:
      handle_up (conn, &pub);
      return TRUE;
    case TOPIC_OTHER:
      break;
    }
  conn->server->stats.forbidden_topics++;
  g_debug ("MQTT device %s published to \"%.*s\", not a topic of its own",
           conn->session.who->device_id, (int)MIN (pub.topic_len, 200), pub.topic);
  fd_mqtt_conn_close (conn, "publish to a topic not its own");
  return FALSE;
}
