/* fd-downlink.c — down-messages: the device's expected map, delivery to a live session, and
 * the #status answer (zdm-protocol.md §3.2, §4, §7).
 *
 * An entry is committed before it is handed to a session, so a device that takes it and
 * answers at once always finds it there to be dropped; one that is offline finds it in the
 * expected map of its next #status.
 */
#include "config.h"

#include "fd-device-http.h"
#include "fd-downlink.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "store/fd-store-conditions.h"

#include <string.h>

G_DEFINE_QUARK (fd - downlink - error - quark, fd_downlink_error)

/* Entries a device's expected map may hold: each goes into every #status answer. */
#define MAX_EXPECTED_PER_DEVICE 256

struct _FdDownlink
{
  FdStore *store;
  FdSessions *sessions;
};

GBytes *
fd_downlink_envelope (const char *key, const char *value_json, gint64 version_ms)
{
  GString *out = g_string_sized_new (strlen (value_json) + 64);

  g_string_append (out, "{\"key\":");
  fd_http_append_json_string (out, key, -1);
  g_string_append (out, ",\"value\":");
  g_string_append (out, value_json);
  g_string_append_printf (out, ",\"version\":%" G_GINT64_FORMAT "}", version_ms);
  return g_string_free_to_bytes (out);
}

FdDownlink *
fd_downlink_new (FdStore *store, FdSessions *sessions)
{
  FdDownlink *self = g_new0 (FdDownlink, 1);

  self->store = store;
  self->sessions = sessions;
  return self;
}

void
fd_downlink_free (FdDownlink *self)
{
  g_free (self);
}

/* The same rules as an up-message key, since the device answers with the same key. */
static const char *
check_key (const char *key)
{
  glong n = g_utf8_validate (key, -1, NULL) ? g_utf8_strlen (key, -1) : -1;

  if (n < 1 || n > FD_UP_KEY_MAX_CHARS)
    return "the key must be 1 to 64 characters of UTF-8";
  for (const char *p = key; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return "the key contains a control character";
  if (key[0] == '#')
    return "keys starting with # are the server's answers to a device's requests";
  if (g_str_equal (key, "condition"))
    return "\"condition\" is a key devices send, not one they take";
  return NULL;
}

typedef struct
{
  FdDownlink *self;
  char *device_id;
  char *key;
  char *value;
  gint64 t;
  FdStoreFunc also;
  gpointer also_data;
  GDestroyNotify also_destroy;
} SendJob;

static void
send_job_free (gpointer data)
{
  SendJob *job = data;

  g_free (job->device_id);
  g_free (job->key);
  g_free (job->value);
  if (job->also_data != NULL && job->also_destroy != NULL)
    job->also_destroy (job->also_data);
  g_free (job);
}

static gboolean
send_write (FdDb *db, gpointer data, GError **error)
{
  SendJob *job = data;

  if (!fd_downlink_store_entry (db, job->device_id, job->key, job->value, &job->t, error))
    return FALSE;
  return job->also == NULL || job->also (db, job->also_data, error);
}

gboolean
fd_downlink_store_entry (FdDb *db, const char *device_id, const char *key, const char *value_json,
                         gint64 *t, GError **error)
{
  gint64 others = 0, newest = 0;
  sqlite3_stmt *stmt;

  if (!fd_store_expected_count_others (db, device_id, key, &others, error))
    return FALSE;
  if (others >= MAX_EXPECTED_PER_DEVICE)
    {
      g_set_error (error, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_FULL,
                   "device %s already has %d messages waiting, the most it may have; it "
                   "takes them when it connects",
                   device_id, MAX_EXPECTED_PER_DEVICE);
      return FALSE;
    }
  /* Each entry of a device gets a later t than any other it holds, so a device that asks for
   * what came after the newest t it saw (GET /v1/dn?since=) misses none. */
  stmt = fd_db_prepare (db, "SELECT coalesce (max (t), 0) FROM device_expected WHERE device_id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  if (!fd_db_fetch_count (db, stmt, &newest, error))
    return FALSE;
  *t = MAX (fd_now_ms (), newest + 1);
  return fd_store_expected_set (db, device_id, key, value_json, *t, error);
}

gboolean
fd_downlink_drop_entry (FdDb *db, const char *device_id, const char *key, GError **error)
{
  sqlite3_stmt *stmt
      = fd_db_prepare (db, "DELETE FROM device_expected WHERE device_id = ?1 AND key = ?2", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  fd_db_bind_text (stmt, 2, key);
  return fd_db_step_done (db, stmt, NULL, error);
}

gboolean
fd_downlink_deliver (FdDownlink *self, const char *device_id, const char *key,
                     const char *value_json, gint64 t)
{
  g_autoptr (GBytes) envelope = NULL;

  if (self->sessions == NULL)
    return FALSE;
  envelope = fd_downlink_envelope (key, value_json, t);
  return fd_sessions_deliver (self->sessions, device_id, envelope);
}

static void
send_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  SendJob *job = fd_store_run_get_data (result);

  if (!fd_store_run_finish (result, &error))
    {
      if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        g_task_return_new_error (task, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_NOT_FOUND, "%s",
                                 error->message);
      else if (error->domain == FD_DOWNLINK_ERROR
               || g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_FAILED,
                                 "the message could not be stored: %s", error->message);
      return;
    }
  g_task_set_task_data (task, g_memdup2 (&job->t, sizeof job->t), g_free);
  g_task_return_boolean (task,
                         fd_downlink_deliver (job->self, job->device_id, job->key, job->value, job->t));
}

void
fd_downlink_send_full_async (FdDownlink *self, const char *device_id, const char *key,
                             const char *value_json, FdStoreFunc also, gpointer also_data,
                             GDestroyNotify also_destroy, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  const char *why = check_key (key);
  SendJob *job;

  g_task_set_source_tag (task, fd_downlink_send_async);
  if (why != NULL)
    {
      if (also_data != NULL && also_destroy != NULL)
        also_destroy (also_data);
      g_task_return_new_error (task, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_INVALID, "%s", why);
      g_object_unref (task);
      return;
    }
  job = g_new0 (SendJob, 1);
  job->self = self;
  job->device_id = g_strdup (device_id);
  job->key = g_strdup (key);
  job->value = g_strdup (value_json);
  job->also = also;
  job->also_data = also_data;
  job->also_destroy = also_destroy;
  fd_store_write_async (self->store, send_write, job, send_job_free, send_done, task);
}

void
fd_downlink_send_async (FdDownlink *self, const char *device_id, const char *key,
                        const char *value_json, GAsyncReadyCallback callback, gpointer user_data)
{
  fd_downlink_send_full_async (self, device_id, key, value_json, NULL, NULL, NULL, callback,
                               user_data);
}

gboolean
fd_downlink_send_finish (GAsyncResult *result, gboolean *delivered, GError **error)
{
  GError *local = NULL;
  gboolean now;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  now = g_task_propagate_boolean (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (delivered != NULL)
    *delivered = now;
  return TRUE;
}

gint64
fd_downlink_send_get_time (GAsyncResult *result)
{
  gint64 *t = g_task_get_task_data (G_TASK (result));
  return t != NULL ? *t : 0;
}

/* #status */

typedef struct
{
  char *device_id;
  GPtrArray *expected; /* FdStatusEntry */
  GPtrArray *current;
} StatusJob;

static void
status_job_free (gpointer data)
{
  StatusJob *job = data;

  g_free (job->device_id);
  g_ptr_array_unref (job->expected);
  g_ptr_array_unref (job->current);
  g_free (job);
}

static gboolean
status_read (FdDb *db, gpointer data, GError **error)
{
  StatusJob *job = data;
  return fd_store_device_status (db, job->device_id, job->expected, job->current, error);
}

/* The values are JSON text the store holds as it was checked on the way in: copied as is. */
static void
append_map (GString *out, GPtrArray *entries)
{
  g_string_append_c (out, '{');
  for (guint i = 0; i < entries->len; i++)
    {
      const FdStatusEntry *e = g_ptr_array_index (entries, i);

      if (i > 0)
        g_string_append_c (out, ',');
      fd_http_append_json_string (out, e->key, -1);
      g_string_append (out, ":{\"v\":");
      g_string_append (out, e->value);
      g_string_append_printf (out, ",\"t\":%" G_GINT64_FORMAT "}", e->t);
    }
  g_string_append_c (out, '}');
}

static void
status_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  StatusJob *job = fd_store_run_get_data (result);
  GString *out;

  if (!fd_store_run_finish (result, &error))
    {
      if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        g_task_return_new_error (task, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_NOT_FOUND, "%s",
                                 error->message);
      else if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_FAILED,
                                 "the device's status could not be read: %s", error->message);
      return;
    }
  out = g_string_new ("{\"expected\":");
  append_map (out, job->expected);
  g_string_append (out, ",\"current\":");
  append_map (out, job->current);
  g_string_append_c (out, '}');
  g_task_return_pointer (task, g_string_free (out, FALSE), g_free);
}

void
fd_downlink_status_json_async (FdDownlink *self, const char *device_id,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  StatusJob *job = g_new0 (StatusJob, 1);

  g_task_set_source_tag (task, fd_downlink_status_json_async);
  job->device_id = g_strdup (device_id);
  job->expected = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_status_entry_free);
  job->current = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_status_entry_free);
  fd_store_read_async (self->store, status_read, job, status_job_free, status_done, task);
}

char *
fd_downlink_status_json_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
