/* fd-test-receiver.c — the tests' webhook receiver (fd-test-receiver.h). */
#include "fd-test-receiver.h"

#include <string.h>

static void
garray_unref (gpointer a)
{
  g_array_unref (a);
}

static gboolean
signature_ok (FdTestReceiver *rx, SoupMessageHeaders *h, GBytes *body)
{
  const char *ts = soup_message_headers_get_one (h, "X-Fleetdesk-Timestamp");
  const char *sig = soup_message_headers_get_one (h, "X-Fleetdesk-Signature");
  g_autoptr (GHmac) hmac = NULL;
  g_autofree char *want = NULL;
  gsize len = 0;
  const guchar *data = g_bytes_get_data (body, &len);

  if (ts == NULL || sig == NULL)
    return FALSE;
  /* a timestamp is unix seconds, close to now */
  if (ABS (g_ascii_strtoll (ts, NULL, 10) - g_get_real_time () / G_USEC_PER_SEC) > 300)
    return FALSE;
  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *)rx->secret, strlen (rx->secret));
  g_hmac_update (hmac, (const guchar *)ts, -1);
  g_hmac_update (hmac, (const guchar *)".", 1);
  g_hmac_update (hmac, data, len);
  want = g_strconcat ("sha256=", g_hmac_get_string (hmac), NULL);
  return g_str_equal (want, sig);
}

/* Records a data batch answered 2xx (under the lock). */
static void
record_data (FdTestReceiver *rx, JsonObject *root, const char *checksum)
{
  const char *batch_id = json_object_get_string_member_with_default (root, "batch_id", "");
  JsonArray *result = json_object_get_array_member (root, "result");
  const char *seen = g_hash_table_lookup (rx->batches, batch_id);

  if (seen != NULL)
    {
      /* a resent batch: whole, the same body */
      rx->dup_batches++;
      if (!g_str_equal (seen, checksum))
        rx->dup_mismatch++;
      return;
    }
  g_hash_table_insert (rx->batches, g_strdup (batch_id), g_strdup (checksum));
  for (guint i = 0; i < json_array_get_length (result); i++)
    {
      JsonObject *item = json_array_get_object_element (result, i);
      JsonObject *payload = json_object_get_object_member (item, "payload");
      const char *device = json_object_get_string_member (item, "device_id");
      g_autofree char *position = g_strdup_printf ("%u", i);
      GArray *seq = g_hash_table_lookup (rx->devices, device);
      gint64 n = json_object_get_int_member (payload, "i");

      if (!g_str_equal (json_object_get_string_member (item, "id"), position)
          || !json_object_has_member (item, "timestamp_device")
          || !json_object_has_member (item, "timestamp_in")
          || !json_object_has_member (item, "workspace_id")
          || !json_object_has_member (item, "fleet_id")
          || !g_str_equal (json_object_get_string_member (item, "tag"), "env"))
        rx->bad_headers++;
      if (seq == NULL)
        {
          seq = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_hash_table_insert (rx->devices, g_strdup (device), seq);
        }
      g_array_append_val (seq, n);
      rx->items++;
    }
}

static void
receive (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
         gpointer user_data)
{
  FdTestReceiver *rx = user_data;
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, body);
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *batch_header = soup_message_headers_get_one (h, "X-Fleetdesk-Batch");
  JsonNode *root;
  gint64 now = g_get_monotonic_time ();
  GSocket *socket = soup_server_message_get_socket (msg);
  guint status = 200;
  guint delay;
  gboolean long_answer = FALSE;

  g_mutex_lock (&rx->lock);
  /* a connection is a GSocket not seen before (marked, since the object lives as long as it) */
  if (socket != NULL && g_object_get_data (G_OBJECT (socket), "fd-test-receiver") != rx)
    {
      g_object_set_data (G_OBJECT (socket), "fd-test-receiver", rx);
      rx->connections++;
    }
  rx->requests++;
  g_array_append_val (rx->times, now);
  g_ptr_array_add (rx->request_batches, g_strdup (batch_header ? batch_header : ""));
  delay = rx->delay_ms;
  if (!signature_ok (rx, h, body))
    rx->bad_signatures++;
  if (g_strcmp0 (soup_message_headers_get_content_type (h, NULL), "application/json") != 0
      || soup_message_headers_get_one (h, "X-Fleetdesk-Integration") == NULL
      || !g_str_has_prefix (soup_message_headers_get_one (h, "User-Agent"), "Fleetdesk/")
      || g_strcmp0 (soup_message_headers_get_one (h, "Authorization"), "Bearer rx-token") != 0)
    rx->bad_headers++;
  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                   NULL))
    {
      rx->bad_headers++;
      status = 400;
      goto answer;
    }
  root = json_parser_get_root (parser);
  if (rx->retry_after_next > 0)
    {
      rx->retry_after_next--;
      status = 429;
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "1");
      goto answer;
    }
  if (rx->long_answer_next > 0)
    {
      rx->long_answer_next--;
      long_answer = TRUE;
    }
  if (rx->mode == FD_TEST_RECEIVER_503)
    {
      status = 503;
      goto answer;
    }
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *a = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (a); i++)
        g_ptr_array_add (rx->conditions, json_to_string (json_array_get_element (a, i), FALSE));
      goto answer;
    }
  {
    JsonObject *o = json_node_get_object (root);
    if (g_strcmp0 (batch_header, json_object_get_string_member_with_default (o, "batch_id", ""))
        != 0)
      rx->bad_headers++;
    if (json_object_has_member (o, "events"))
      {
        JsonArray *a = json_object_get_array_member (o, "events");
        for (guint i = 0; i < json_array_get_length (a); i++)
          g_ptr_array_add (rx->events, g_strdup (json_object_get_string_member (
                                           json_array_get_object_element (a, i), "type")));
        goto answer;
      }
    if (rx->reject_next > 0)
      {
        rx->reject_next--;
        g_ptr_array_add (rx->rejected, g_strdup (batch_header));
        status = 400;
        goto answer;
      }
    record_data (rx, o, checksum);
  }
answer:
  if (status == 200)
    rx->answered_ok++;
  else
    rx->failed_answers++;
  g_mutex_unlock (&rx->lock);
  if (delay > 0)
    g_usleep (delay * 1000);
  soup_server_message_set_status (msg, status, NULL);
  if (long_answer)
    {
      /* more than a sink reads of an answer: it must not hold it whole */
      gsize len = 1024 * 1024;
      char *big = g_malloc (len);
      memset (big, ' ', len);
      big[0] = '{', big[len - 1] = '}';
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, big, len);
      return;
    }
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static gpointer
receiver_thread (gpointer data)
{
  FdTestReceiver *rx = data;
  g_main_context_push_thread_default (rx->context);
  g_main_loop_run (rx->loop);
  g_main_context_pop_thread_default (rx->context);
  return NULL;
}

FdTestReceiver *
fd_test_receiver_start (const char *secret)
{
  FdTestReceiver *rx = g_new0 (FdTestReceiver, 1);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  rx->secret = g_strdup (secret);
  g_mutex_init (&rx->lock);
  rx->batches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  rx->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, garray_unref);
  rx->rejected = g_ptr_array_new_with_free_func (g_free);
  rx->conditions = g_ptr_array_new_with_free_func (g_free);
  rx->events = g_ptr_array_new_with_free_func (g_free);
  rx->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  rx->request_batches = g_ptr_array_new_with_free_func (g_free);
  rx->context = g_main_context_new ();
  rx->loop = g_main_loop_new (rx->context, FALSE);
  g_main_context_push_thread_default (rx->context);
  rx->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (rx->server, "/hook", receive, rx, NULL);
  g_assert_true (soup_server_listen_local (rx->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  g_main_context_pop_thread_default (rx->context);
  uris = soup_server_get_uris (rx->server);
  rx->port = (guint)g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  rx->thread = g_thread_new ("receiver", receiver_thread, rx);
  return rx;
}

/* Forgets what was received (between tests). */
void
fd_test_receiver_reset (FdTestReceiver *rx, FdTestReceiverMode mode)
{
  g_mutex_lock (&rx->lock);
  rx->mode = mode;
  rx->reject_next = rx->retry_after_next = rx->delay_ms = rx->long_answer_next = 0;
  rx->connections = 0;
  rx->requests = rx->answered_ok = rx->bad_signatures = rx->bad_headers = 0;
  rx->dup_batches = rx->dup_mismatch = rx->failed_answers = rx->items = 0;
  g_hash_table_remove_all (rx->batches);
  g_hash_table_remove_all (rx->devices);
  g_ptr_array_set_size (rx->rejected, 0);
  g_ptr_array_set_size (rx->conditions, 0);
  g_ptr_array_set_size (rx->events, 0);
  g_array_set_size (rx->times, 0);
  g_ptr_array_set_size (rx->request_batches, 0);
  g_mutex_unlock (&rx->lock);
}

void
fd_test_receiver_set (FdTestReceiver *rx, FdTestReceiverMode mode, guint delay_ms)
{
  g_mutex_lock (&rx->lock);
  rx->mode = mode;
  rx->delay_ms = delay_ms;
  g_mutex_unlock (&rx->lock);
}

guint
fd_test_receiver_count (FdTestReceiver *rx, guint *field)
{
  guint n;
  g_mutex_lock (&rx->lock);
  n = *field;
  g_mutex_unlock (&rx->lock);
  return n;
}

/* Waits until *@field >= @n; FALSE after @timeout_s. */
gboolean
fd_test_receiver_wait (FdTestReceiver *rx, guint *field, guint n, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (fd_test_receiver_count (rx, field) < n)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }
  return TRUE;
}
