/* fd-sink-webhook.c — delivering batches as signed HTTP POSTs (fd-sink.h, docs/integrations.md).
 *
 * The sink belongs to its worker thread, which waits for each answer: libsoup's synchronous
 * API on a SoupSession of the thread's own. Bodies are written straight from the stored JSON
 * text (payloads and event bodies are spliced, never parsed again), so forwarding costs a copy,
 * not a parse.
 *
 * Consecutive batches share one keep-alive connection (one TLS handshake, not one per batch).
 * libsoup never reuses a connection for a method that is not idempotent (POST) unless the
 * message is flagged SOUP_MESSAGE_IDEMPOTENT: each batch then opened a new connection, and the
 * idle ones piled up until max-conns-per-host made libsoup close them. A batch is idempotent by
 * contract (docs/integrations.md: resent whole under the same batch_id, receivers deduplicate),
 * so the flag is true; it also lets libsoup resend on a new connection when a reused one was
 * closed by the receiver before it answered.
 *
 * On a kept-alive connection Linux delays our ACKs (40 ms) once it sees request/answer turns;
 * a receiver that writes its answer's headers and body apart without TCP_NODELAY (Python's
 * http.server) then waits for that ACK before its body: 40 ms per batch, 22 batches/s where a
 * new connection (acked at once) made 1000. So after writing each request the socket is put in
 * quick-ACK mode (TCP_QUICKACK lasts until the next turn, so it is set every time).
 */
#include "config.h"

#include "fd-sink.h"
#include "fd-util.h"

#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#define WEBHOOK_TIMEOUT_S 30
/* Read at most this much of an answer (for the error message). */
#define WEBHOOK_ERROR_BODY_CHARS 200

typedef struct
{
  FdSink parent;
  char *integration_id;
  GUri *uri;
  char **header_names;
  char **header_values;
  char *secret;
  SoupSession *session;
  GSocket *socket; /* of the connection libsoup made last: the one it reuses */
  GString *body;
} FdWebhookSink;

char *
fd_webhook_sign (const char *secret, const char *timestamp, const char *body, gsize len)
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *)(secret ? secret : ""),
                                       secret ? strlen (secret) : 0);

  g_hmac_update (hmac, (const guchar *)timestamp, (gssize)strlen (timestamp));
  g_hmac_update (hmac, (const guchar *)".", 1);
  g_hmac_update (hmac, (const guchar *)body, (gssize)len);
  return g_strconcat ("sha256=", g_hmac_get_string (hmac), NULL);
}

static void
append_string (GString *out, const char *s)
{
  if (s != NULL)
    fd_json_append_string (out, s, strlen (s), FALSE);
  else
    g_string_append (out, "null");
}

static void
append_time (GString *out, gint64 ms)
{
  g_autofree char *text = fd_time_format_ms (ms);
  g_string_append_c (out, '"');
  g_string_append (out, text);
  g_string_append_c (out, '"');
}

/* {"id": "<outbox id>", …the stored event object's members}. */
static void
append_event (GString *out, const FdOutboxItem *item)
{
  g_string_append_printf (out, "{\"id\":\"%" G_GINT64_FORMAT "\"", item->id);
  if (item->payload_len >= 2 && item->payload[0] == '{')
    {
      const char *rest = item->payload + 1;
      gsize n = item->payload_len - 1;
      while (n > 0 && g_ascii_isspace (*rest))
        rest++, n--;
      if (n > 0 && *rest != '}')
        g_string_append_c (out, ',');
      g_string_append_len (out, rest, (gssize)n);
    }
  else
    g_string_append_c (out, '}');
}

void
fd_webhook_body (const FdOutboxBatch *batch, GString *out)
{
  g_string_truncate (out, 0);
  if (batch->kind == FD_OUTBOX_KIND_CONDITIONS)
    {
      g_string_append_c (out, '[');
      for (guint i = 0; i < batch->items->len; i++)
        {
          const FdOutboxItem *item = &g_array_index (batch->items, FdOutboxItem, i);
          if (i > 0)
            g_string_append_c (out, ',');
          g_string_append_len (out, item->payload, (gssize)item->payload_len);
        }
      g_string_append_c (out, ']');
      return;
    }
  g_string_append (out, "{\"batch_id\":");
  append_string (out, batch->batch_id);
  g_string_append (out, batch->kind == FD_OUTBOX_KIND_DATA ? ",\"result\":[" : ",\"events\":[");
  for (guint i = 0; i < batch->items->len; i++)
    {
      const FdOutboxItem *item = &g_array_index (batch->items, FdOutboxItem, i);

      if (i > 0)
        g_string_append_c (out, ',');
      if (batch->kind != FD_OUTBOX_KIND_DATA)
        {
          append_event (out, item);
          continue;
        }
      g_string_append_printf (out, "{\"id\":\"%u\",\"workspace_id\":", i);
      append_string (out, item->workspace_id);
      g_string_append (out, ",\"fleet_id\":");
      append_string (out, item->fleet_id);
      g_string_append (out, ",\"device_id\":");
      append_string (out, item->device_id);
      g_string_append (out, ",\"timestamp_device\":");
      append_time (out, item->ts_device);
      g_string_append (out, ",\"timestamp_in\":");
      append_time (out, item->ts_in);
      g_string_append (out, ",\"tag\":");
      append_string (out, item->tag);
      g_string_append (out, ",\"payload\":");
      g_string_append_len (out, item->payload, (gssize)item->payload_len);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");
}

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); 0 when absent or bad. */
static gint64
retry_after_ms (SoupMessage *msg)
{
  const char *value
      = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  g_autoptr (GDateTime) date = NULL;
  char *end = NULL;
  guint64 seconds;

  if (value == NULL)
    return 0;
  while (g_ascii_isspace (*value))
    value++;
  if (g_ascii_isdigit (*value))
    {
      seconds = g_ascii_strtoull (value, &end, 10);
      if (end != NULL && (*end == '\0' || g_ascii_isspace (*end)) && seconds < G_MAXINT32)
        return (gint64)seconds * 1000;
      return 0;
    }
  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return 0;
  return MAX (g_date_time_to_unix (date) * 1000 - fd_now_ms (), 1);
}

static void
network_event (SoupMessage *msg, GSocketClientEvent event, GIOStream *connection,
               gpointer user_data)
{
  FdWebhookSink *self = user_data;

  if (event == G_SOCKET_CLIENT_CONNECTED && G_IS_SOCKET_CONNECTION (connection))
    g_set_object (&self->socket,
                  g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection)));
}

static void
wrote_body (SoupMessage *msg, gpointer user_data)
{
#ifdef TCP_QUICKACK
  FdWebhookSink *self = user_data;

  /* fails harmlessly on a socket libsoup closed since */
  if (self->socket != NULL)
    g_socket_set_option (self->socket, IPPROTO_TCP, TCP_QUICKACK, 1, NULL);
#endif
}

/* Sends @msg and reads the start of the answer only (an answer is read for its status, and a
 * little of it for the log): a receiver cannot make the worker hold megabytes. An answer that
 * fits is read to its end, which leaves the connection reusable; closing a longer one early
 * makes libsoup drop that connection instead of reading the rest. */
static GBytes *
send_and_read_start (SoupSession *session, SoupMessage *msg, GCancellable *cancellable,
                     GError **error)
{
  g_autoptr (GInputStream) in = soup_session_send (session, msg, cancellable, error);
  guint8 buf[4 * WEBHOOK_ERROR_BODY_CHARS];
  gsize n = 0;

  if (in == NULL)
    return NULL;
  if (!g_input_stream_read_all (in, buf, sizeof buf, &n, cancellable, error))
    return NULL;
  /* Closing before the end drops the connection rather than reading the rest. */
  g_input_stream_close (in, NULL, NULL);
  return g_bytes_new (buf, n);
}

static void
webhook_deliver (FdSink *sink, const FdOutboxBatch *batch, GCancellable *cancellable,
                 FdSinkResult *result)
{
  FdWebhookSink *self = (FdWebhookSink *)sink;
  g_autoptr (SoupMessage) msg = soup_message_new_from_uri ("POST", self->uri);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GBytes) answer = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, fd_now_ms () / 1000);
  g_autofree char *signature = NULL;
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  gint64 start;
  guint status;

  fd_webhook_body (batch, self->body);
  signature = fd_webhook_sign (self->secret, timestamp, self->body->str, self->body->len);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_IDEMPOTENT);
  soup_message_headers_replace (headers, "X-Fleetdesk-Integration", self->integration_id);
  if (batch->batch_id != NULL)
    soup_message_headers_replace (headers, "X-Fleetdesk-Batch", batch->batch_id);
  soup_message_headers_replace (headers, "X-Fleetdesk-Timestamp", timestamp);
  soup_message_headers_replace (headers, "X-Fleetdesk-Signature", signature);
  for (guint i = 0; self->header_names[i] != NULL; i++)
    soup_message_headers_append (headers, self->header_names[i], self->header_values[i]);
  g_signal_connect (msg, "network-event", G_CALLBACK (network_event), self);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (wrote_body), self);
  body = g_bytes_new (self->body->str, self->body->len);
  soup_message_set_request_body_from_bytes (msg, "application/json", body);

  start = g_get_monotonic_time ();
  answer = send_and_read_start (self->session, msg, cancellable, &error);
  result->latency_ms = (g_get_monotonic_time () - start) / 1000;
  status = soup_message_get_status (msg);
  if (answer == NULL)
    {
      result->outcome = FD_SINK_RETRY;
      result->status = 0;
      result->error = g_strdup_printf ("%s: %s", g_uri_get_host (self->uri), error->message);
      return;
    }
  result->status = (int)status;
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      result->outcome = FD_SINK_DELIVERED;
      return;
    }
  if (status == SOUP_STATUS_REQUEST_TIMEOUT || status == 429 || status >= 500 || status < 200)
    result->outcome = FD_SINK_RETRY;
  else
    result->outcome = FD_SINK_REJECTED;
  if (status == 429 || status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    result->retry_after_ms = retry_after_ms (msg);
  {
    gsize len = 0;
    const char *data = g_bytes_get_data (answer, &len);
    g_autofree char *text
        = g_utf8_make_valid (data ? data : "", MIN (len, 4 * WEBHOOK_ERROR_BODY_CHARS));
    glong chars = g_utf8_strlen (text, -1);
    if (chars > WEBHOOK_ERROR_BODY_CHARS)
      *g_utf8_offset_to_pointer (text, WEBHOOK_ERROR_BODY_CHARS) = '\0';
    g_strdelimit (text, "\r\n\t", ' ');
    g_strstrip (text);
    result->error = g_strdup_printf (
        "HTTP %u %s%s%s", status,
        soup_message_get_reason_phrase (msg) ? soup_message_get_reason_phrase (msg) : "",
        *text ? ": " : "", text);
  }
}

static void
webhook_free (FdSink *sink)
{
  FdWebhookSink *self = (FdWebhookSink *)sink;

  g_free (self->integration_id);
  g_uri_unref (self->uri);
  g_strfreev (self->header_names);
  g_strfreev (self->header_values);
  if (self->secret != NULL)
    explicit_bzero (self->secret, strlen (self->secret));
  g_free (self->secret);
  g_clear_object (&self->session);
  g_clear_object (&self->socket);
  g_string_free (self->body, TRUE);
  g_free (self);
}

static const FdSinkClass webhook_class = { webhook_deliver, webhook_free };

FdSink *
fd_sink_webhook_new (const char *integration_id, const char *url, const char *const *header_names,
                     const char *const *header_values, const char *secret, GError **error)
{
  FdWebhookSink *self;
  g_autoptr (GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, error);
  g_autoptr (GTlsInteraction) interaction = NULL;

  if (uri == NULL)
    return NULL;
  if (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
      && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "the webhook URL must be http or https");
      return NULL;
    }
  self = g_new0 (FdWebhookSink, 1);
  self->parent.klass = &webhook_class;
  self->integration_id = g_strdup (integration_id ? integration_id : "");
  self->uri = g_steal_pointer (&uri);
  self->header_names = g_strdupv ((char **)header_names);
  self->header_values = g_strdupv ((char **)header_values);
  if (self->header_names == NULL)
    self->header_names = g_new0 (char *, 1);
  self->secret = g_strdup (secret);
  /* A plain GTlsInteraction answers a receiver's request for a client certificate with
   * "unhandled" at once: the handshake goes on without one (Fleetdesk has none to give a
   * webhook; a receiver that requires one then fails it with a TLS error that says so).
   * Without it libsoup 3.2 asks through the message's request-certificate signal on this
   * thread's context, which a synchronous send never runs: the handshake hung until the
   * timeout and the error said only "Socket I/O timed out". */
  interaction = g_object_new (G_TYPE_TLS_INTERACTION, NULL);
  self->session = soup_session_new_with_options ("timeout", WEBHOOK_TIMEOUT_S, "user-agent",
                                                 "Fleetdesk/" PACKAGE_VERSION, "tls-interaction",
                                                 interaction, NULL);
  self->body = g_string_sized_new (64 * 1024);
  return &self->parent;
}
