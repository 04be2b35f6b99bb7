/* fd-device-poll.c — GET /v1/dn?since=T&wait=S: the down channel of HTTPS devices
 * (docs/protocol.md). Answers at once with every entry of the device's expected map newer than
 * T, oldest first, each as MQTT's j/dn carries it; with none, waits up to S seconds for one to
 * be delivered (fd_downlink_deliver → fd_sessions_deliver → this session's deliver()) and
 * answers [] at the end.
 *
 * The poll waits for deliveries from before its store read starts: an entry committed while the
 * read runs is either in what it reads or delivered to it, or both (then it is sent once: an
 * entry's t is unique per device). While the request is being handled the connection has no
 * idle deadline, so a waiting poll is never cut by it.
 */
#include "config.h"

#include "fd-device-private.h"
#include "fd-util.h"
#include "store/fd-store-conditions.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef struct
{
  char *device_id;
  gint64 since;
  GPtrArray *expected; /* FdStatusEntry */
  GPtrArray *current;
} PollRead;

static void
poll_read_free (gpointer data)
{
  PollRead *p = data;

  g_free (p->device_id);
  g_ptr_array_unref (p->expected);
  g_ptr_array_unref (p->current);
  g_free (p);
}

static gboolean
poll_read (FdDb *db, gpointer data, GError **error)
{
  PollRead *p = data;
  return fd_store_device_status (db, p->device_id, p->expected, p->current, error);
}

static gint
by_t (gconstpointer a, gconstpointer b)
{
  const FdStatusEntry *x = *(const FdStatusEntry *const *)a, *y = *(const FdStatusEntry *const *)b;
  return x->t < y->t ? -1 : x->t > y->t;
}

static gint64
envelope_version (GBytes *envelope)
{
  gsize len;
  const char *data = g_bytes_get_data (envelope, &len);
  g_autofree char *text = g_strndup (data, len);
  g_autoptr (JsonNode) node = json_from_string (text, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  return json_object_get_int_member_with_default (json_node_get_object (node), "version", 0);
}

static void
append_envelope (GString *body, GBytes *envelope)
{
  gsize len;
  const char *data = g_bytes_get_data (envelope, &len);

  if (body->len > 1)
    g_string_append_c (body, ',');
  g_string_append_len (body, data, (gssize)len);
}

/* Ends the poll with @body (a JSON array). */
static void
poll_answer (FdDeviceConn *conn, const char *body)
{
  fd_device_poll_clear (conn);
  fd_device_reply_json (conn, 200, body, FALSE);
}

static void
answer_got (FdDeviceConn *conn)
{
  g_autoptr (GString) body = g_string_new ("[");

  for (guint i = 0; conn->poll_got != NULL && i < conn->poll_got->len; i++)
    append_envelope (body, conn->poll_got->pdata[i]);
  g_string_append_c (body, ']');
  poll_answer (conn, body->str);
}

static gboolean
poll_expired (gpointer data)
{
  FdDeviceConn *conn = data;

  g_clear_pointer (&conn->poll_timer, g_source_unref);
  answer_got (conn);
  return G_SOURCE_REMOVE;
}

void
fd_device_poll_clear (FdDeviceConn *conn)
{
  if (!conn->polling)
    return;
  conn->polling = FALSE;
  conn->poll_reading = FALSE;
  if (conn->poll_timer != NULL)
    {
      g_source_destroy (conn->poll_timer);
      g_clear_pointer (&conn->poll_timer, g_source_unref);
    }
  if (conn->server != NULL && conn->server->sessions != NULL)
    fd_sessions_unwait (conn->server->sessions, &conn->session);
}

gboolean
fd_device_poll_deliver (FdSession *session, GBytes *envelope)
{
  FdDeviceConn *conn = (FdDeviceConn *)((char *)session - G_STRUCT_OFFSET (FdDeviceConn, session));

  if (!conn->polling || fd_device_conn_is_closed (conn))
    return FALSE;
  if (conn->poll_reading)
    {
      if (envelope != NULL)
        g_ptr_array_add (conn->poll_got, g_bytes_ref (envelope));
      else
        conn->poll_now = TRUE;
      return envelope != NULL;
    }
  if (envelope != NULL)
    g_ptr_array_add (conn->poll_got, g_bytes_ref (envelope));
  answer_got (conn);
  return envelope != NULL;
}

void
fd_device_poll_release (FdDeviceConn *conn)
{
  if (!conn->polling)
    return;
  if (conn->poll_reading)
    conn->poll_now = TRUE;
  else
    answer_got (conn);
}

static void
read_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdDeviceConn *conn = user_data;
  g_autoptr (GError) error = NULL;
  PollRead *p = fd_store_run_get_data (result);
  gboolean ok = fd_store_run_finish (result, &error);
  g_autoptr (GString) body = g_string_new ("[");
  gint64 newest = p->since;
  guint n = 0;

  conn->in_store = FALSE;
  if (fd_device_conn_is_closed (conn) || !conn->polling)
    goto out;
  conn->poll_reading = FALSE;
  if (!ok)
    {
      fd_device_poll_clear (conn);
      if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        fd_device_reply_unauthorized (conn, "device %s no longer exists", conn->who->device_id);
      else if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        fd_device_reply_error (conn, 503, "shutting_down", TRUE, "the server is shutting down");
      else
        fd_device_reply_error (conn, 500, "internal_error", FALSE, "the store failed: %s",
                               error->message);
      goto out;
    }
  g_ptr_array_sort (p->expected, by_t);
  for (guint i = 0; i < p->expected->len; i++)
    {
      const FdStatusEntry *e = p->expected->pdata[i];
      g_autoptr (GBytes) envelope = NULL;

      if (e->t <= p->since)
        continue;
      envelope = fd_downlink_envelope (e->key, e->value, e->t);
      append_envelope (body, envelope);
      newest = MAX (newest, e->t);
      n++;
    }
  /* Delivered while the read ran, and not in what it read. */
  for (guint i = 0; i < conn->poll_got->len; i++)
    if (envelope_version (conn->poll_got->pdata[i]) > newest)
      {
        append_envelope (body, conn->poll_got->pdata[i]);
        n++;
      }
  g_string_append_c (body, ']');
  if (n > 0 || conn->poll_wait_s == 0 || conn->poll_now || conn->server->shutting_down)
    {
      gboolean from_store = body->len > 2 && newest > p->since;
      g_autofree char *device_id = g_strdup (conn->who->device_id);

      poll_answer (conn, body->str);
      /* The device has its queued jobs now, as after a #status. */
      if (from_store && conn->server != NULL && conn->server->up != NULL)
        fd_device_up_status_sent (conn->server->up, device_id);
      goto out;
    }
  g_ptr_array_set_size (conn->poll_got, 0);
  conn->poll_timer = g_timeout_source_new_seconds (conn->poll_wait_s);
  g_source_set_callback (conn->poll_timer, poll_expired, conn, NULL);
  g_source_attach (conn->poll_timer, conn->server->context);
out:
  fd_device_conn_unref (conn);
}

/* A non-negative integer parameter of @query, at most @max; *@value untouched when absent. */
static gboolean
query_int (const char *query, const char *key, gint64 max, gint64 *value)
{
  g_auto (GStrv) pairs = query != NULL ? g_strsplit (query, "&", 16) : NULL;
  gsize key_len = strlen (key);

  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      guint64 n;

      if (strncmp (pairs[i], key, key_len) != 0 || pairs[i][key_len] != '=')
        continue;
      if (!g_ascii_string_to_unsigned (pairs[i] + key_len + 1, 10, 0, (guint64)max, &n, NULL))
        return FALSE;
      *value = (gint64)n;
    }
  return TRUE;
}

void
fd_device_poll_handle (FdDeviceConn *conn, const FdHttpRequest *req)
{
  FdDeviceServer *server = conn->server;
  gint64 since = 0, wait = FD_DEVICE_POLL_MAX_WAIT_S;
  PollRead *p;

  if (!query_int (req->query, "since", G_MAXINT64, &since))
    {
      fd_device_reply_error (conn, 400, "invalid_parameter", FALSE,
                             "since must be the largest version taken, in epoch ms");
      return;
    }
  if (!query_int (req->query, "wait", FD_DEVICE_POLL_MAX_WAIT_S, &wait))
    {
      fd_device_reply_error (conn, 400, "invalid_parameter", FALSE, "wait must be 0 to %d seconds",
                             FD_DEVICE_POLL_MAX_WAIT_S);
      return;
    }
  conn->polling = TRUE;
  conn->poll_reading = TRUE;
  conn->poll_now = FALSE;
  conn->poll_since = since;
  conn->poll_wait_s = (guint)wait;
  if (conn->poll_got == NULL)
    conn->poll_got = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_ptr_array_set_size (conn->poll_got, 0);
  if (server->sessions != NULL && conn->session.attached)
    fd_sessions_wait (server->sessions, &conn->session);

  p = g_new0 (PollRead, 1);
  p->device_id = g_strdup (conn->who->device_id);
  p->since = since;
  p->expected = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_status_entry_free);
  p->current = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_status_entry_free);
  fd_store_read_async (server->store, poll_read, p, poll_read_free, read_done,
                       fd_device_conn_hold_for_store (conn));
}
