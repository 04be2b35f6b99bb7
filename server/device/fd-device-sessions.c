/* fd-device-sessions.c — the registry of connected devices and their presence.
 *
 * device id -> DeviceEntry: the device's MQTT session (at most one) and its HTTPS connections.
 * The device row's presence columns are written through the store without a callback: nobody
 * acknowledges anything on them, and the writer groups a burst of 10,000 connects into a few
 * commits. Writes for one device are queued in the order the changes happened, so the row
 * ends with the last one.
 */
#include "config.h"

#include "device/fd-device-sessions.h"

typedef struct
{
  FdSession *mqtt;
  GPtrArray *https; /* FdSession*, not owned */
  FdSession *poll;  /* the HTTPS session whose GET /v1/dn waits, one of @https, or NULL */
} DeviceEntry;

typedef struct
{
  FdPresenceFunc func;
  gpointer user_data;
} Watch;

struct _FdSessions
{
  FdStore *store;
  GHashTable *devices; /* device id (owned) -> DeviceEntry* */
  GArray *watches;     /* Watch */
  guint counts[3];     /* per FdTransport */
};

/* One presence write: the row's columns after a change. */
typedef struct
{
  char *device_id;
  gboolean online;
  char *transport;
  char *address;
  gint64 connected_at;
  gint64 disconnected_at; /* 0: leave as it is */
  gint64 last_seen;
} PresenceWrite;

const char *
fd_transport_name (FdTransport transport)
{
  switch (transport)
    {
    case FD_TRANSPORT_MQTT:
      return "mqtt";
    case FD_TRANSPORT_MQTT_WS:
      return "mqtt-ws";
    case FD_TRANSPORT_HTTPS:
      return "https";
    }
  g_return_val_if_reached ("?");
}

static void
device_entry_free (DeviceEntry *entry)
{
  g_ptr_array_unref (entry->https);
  g_free (entry);
}

static gboolean
all_offline (FdDb *db, gpointer data, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "UPDATE device SET online = 0 WHERE online != 0", error);

  return stmt != NULL && fd_db_step_done (db, stmt, NULL, error);
}

FdSessions *
fd_sessions_new (FdStore *store, GError **error)
{
  FdSessions *sessions;

  /* After a crash or a kill the rows still say online: nothing is connected yet. */
  if (!fd_store_write_sync (store, all_offline, NULL, error))
    return NULL;
  sessions = g_new0 (FdSessions, 1);
  sessions->store = store;
  sessions->devices
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)device_entry_free);
  sessions->watches = g_array_new (FALSE, FALSE, sizeof (Watch));
  return sessions;
}

void
fd_sessions_free (FdSessions *sessions)
{
  if (sessions == NULL)
    return;
  g_warn_if_fail (g_hash_table_size (sessions->devices) == 0);
  g_hash_table_unref (sessions->devices);
  g_array_unref (sessions->watches);
  g_free (sessions);
}

void
fd_sessions_add_watch (FdSessions *sessions, FdPresenceFunc func, gpointer user_data)
{
  Watch watch = { func, user_data };

  g_array_append_val (sessions->watches, watch);
}

void
fd_sessions_remove_watch (FdSessions *sessions, FdPresenceFunc func, gpointer user_data)
{
  for (guint i = 0; i < sessions->watches->len; i++)
    {
      Watch *w = &g_array_index (sessions->watches, Watch, i);
      if (w->func == func && w->user_data == user_data)
        {
          g_array_remove_index (sessions->watches, i);
          return;
        }
    }
}

static void
tell (FdSessions *sessions, const FdSession *session, gboolean online, const char *reason)
{
  for (guint i = 0; i < sessions->watches->len; i++)
    {
      Watch *w = &g_array_index (sessions->watches, Watch, i);
      w->func (session, online, reason, w->user_data);
    }
}

/* The store side. */

static void
presence_write_free (PresenceWrite *w)
{
  g_free (w->device_id);
  g_free (w->transport);
  g_free (w->address);
  g_free (w);
}

static gboolean
write_presence (FdDb *db, gpointer data, GError **error)
{
  PresenceWrite *w = data;
  sqlite3_stmt *stmt;

  if (w->online)
    stmt = fd_db_prepare (db,
                          "UPDATE device SET online = 1, transport = ?2, remote_address = ?3,"
                          " connected_at = ?4, last_seen = max (coalesce (last_seen, 0), ?5)"
                          " WHERE id = ?1",
                          error);
  else
    stmt = fd_db_prepare (db,
                          "UPDATE device SET online = 0, disconnected_at = ?4,"
                          " last_seen = max (coalesce (last_seen, 0), ?5) WHERE id = ?1",
                          error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, w->device_id);
  if (w->online)
    {
      fd_db_bind_text (stmt, 2, w->transport);
      fd_db_bind_text (stmt, 3, w->address);
      sqlite3_bind_int64 (stmt, 4, w->connected_at);
    }
  else
    sqlite3_bind_int64 (stmt, 4, w->disconnected_at);
  sqlite3_bind_int64 (stmt, 5, w->last_seen);
  /* A device deleted meanwhile updates nothing, which is right. */
  return fd_db_step_done (db, stmt, NULL, error);
}

static void
presence_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!fd_store_run_finish (result, &error)
      && !g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
    g_warning ("recording a device's presence failed: %s", error->message);
}

static void
record (FdSessions *sessions, const FdSession *session, gboolean online)
{
  PresenceWrite *w = g_new0 (PresenceWrite, 1);

  w->device_id = g_strdup (session->who->device_id);
  w->online = online;
  w->transport = g_strdup (fd_transport_name (session->transport));
  w->address = g_strdup (session->peer);
  w->connected_at = session->connected_at;
  w->disconnected_at = online ? 0 : g_get_real_time () / 1000;
  w->last_seen = session->last_seen;
  fd_store_write_async (sessions->store, write_presence, w, (GDestroyNotify)presence_write_free,
                        presence_written, NULL);
}

/* Attaching and detaching. */

static gboolean
entry_online (const DeviceEntry *entry)
{
  return entry->mqtt != NULL || entry->https->len > 0;
}

void
fd_sessions_attach (FdSessions *sessions, FdSession *session)
{
  const char *device_id = session->who->device_id;
  DeviceEntry *entry;
  gboolean was_online;

  g_return_if_fail (!session->attached);

  entry = g_hash_table_lookup (sessions->devices, device_id);
  if (entry != NULL && session->transport != FD_TRANSPORT_HTTPS && entry->mqtt != NULL)
    {
      FdSession *old = entry->mqtt;

      /* MQTT 3.1.1 §3.1.4: the server disconnects the existing client. The old one's end()
       * may detach it at once or later; either way it is not the device's session any more. */
      fd_sessions_detach (sessions, old, "taken over");
      old->ops->end (old, FD_SESSION_END_TAKEN_OVER);
      entry = g_hash_table_lookup (sessions->devices, device_id);
    }
  if (entry == NULL)
    {
      entry = g_new0 (DeviceEntry, 1);
      entry->https = g_ptr_array_new ();
      g_hash_table_insert (sessions->devices, g_strdup (device_id), entry);
    }
  was_online = entry_online (entry);
  if (session->transport == FD_TRANSPORT_HTTPS)
    g_ptr_array_add (entry->https, session);
  else
    entry->mqtt = session;
  session->attached = TRUE;
  session->connected_at = g_get_real_time () / 1000;
  session->last_seen = session->connected_at;
  sessions->counts[session->transport]++;

  /* An MQTT session replacing another, or joining HTTPS ones, is news: its transport and
   * address are the ones to show. More HTTPS connections of an online device are not. */
  if (!was_online || session->transport != FD_TRANSPORT_HTTPS)
    {
      record (sessions, session, TRUE);
      tell (sessions, session, TRUE, "connected");
    }
}

void
fd_sessions_detach (FdSessions *sessions, FdSession *session, const char *reason)
{
  DeviceEntry *entry;

  if (!session->attached)
    return;
  session->attached = FALSE;
  sessions->counts[session->transport]--;
  entry = g_hash_table_lookup (sessions->devices, session->who->device_id);
  g_return_if_fail (entry != NULL);
  if (entry->poll == session)
    entry->poll = NULL;
  if (session->transport == FD_TRANSPORT_HTTPS)
    g_ptr_array_remove_fast (entry->https, session);
  else if (entry->mqtt == session)
    entry->mqtt = NULL;
  if (entry_online (entry))
    return;
  record (sessions, session, FALSE);
  g_hash_table_remove (sessions->devices, session->who->device_id);
  tell (sessions, session, FALSE, reason);
}

void
fd_sessions_seen (FdSessions *sessions, FdSession *session)
{
  (void)sessions;
  session->last_seen = g_get_real_time () / 1000;
}

/* Questions. */

FdSession *
fd_sessions_lookup (FdSessions *sessions, const char *device_id)
{
  DeviceEntry *entry = g_hash_table_lookup (sessions->devices, device_id);

  return entry != NULL ? entry->mqtt : NULL;
}

gboolean
fd_sessions_is_online (FdSessions *sessions, const char *device_id)
{
  return g_hash_table_contains (sessions->devices, device_id);
}

gint64
fd_sessions_last_seen (FdSessions *sessions, const char *device_id)
{
  DeviceEntry *entry = g_hash_table_lookup (sessions->devices, device_id);
  gint64 last = 0;

  if (entry == NULL)
    return 0;
  if (entry->mqtt != NULL)
    last = entry->mqtt->last_seen;
  for (guint i = 0; i < entry->https->len; i++)
    last = MAX (last, ((FdSession *)entry->https->pdata[i])->last_seen);
  return last;
}

gboolean
fd_sessions_deliver (FdSessions *sessions, const char *device_id, GBytes *envelope)
{
  DeviceEntry *entry = g_hash_table_lookup (sessions->devices, device_id);
  FdSession *mqtt, *poll;
  gboolean taken = FALSE;

  if (entry == NULL)
    return FALSE;
  mqtt = entry->mqtt;
  poll = entry->poll;
  if (mqtt != NULL && mqtt->subscribed && mqtt->ops->deliver != NULL)
    taken = mqtt->ops->deliver (mqtt, envelope);
  /* The poll answers and may stop waiting (fd_sessions_unwait) from its deliver(). */
  if (poll != NULL && poll->ops->deliver != NULL && poll->ops->deliver (poll, envelope))
    taken = TRUE;
  return taken;
}

void
fd_sessions_wait (FdSessions *sessions, FdSession *session)
{
  DeviceEntry *entry = g_hash_table_lookup (sessions->devices, session->who->device_id);
  FdSession *old;

  g_return_if_fail (entry != NULL && session->attached);
  old = entry->poll;
  entry->poll = session;
  if (old != NULL && old != session && old->ops->deliver != NULL)
    old->ops->deliver (old, NULL);
}

void
fd_sessions_unwait (FdSessions *sessions, FdSession *session)
{
  DeviceEntry *entry;

  if (!session->attached)
    return;
  entry = g_hash_table_lookup (sessions->devices, session->who->device_id);
  if (entry != NULL && entry->poll == session)
    entry->poll = NULL;
}

void
fd_sessions_end_device (FdSessions *sessions, const char *device_id, FdSessionEnd why)
{
  g_autoptr (GPtrArray) victims = g_ptr_array_new ();
  GHashTableIter iter;
  DeviceEntry *entry;

  /* Gathered first: end() may detach, which changes the table. */
  g_hash_table_iter_init (&iter, sessions->devices);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    {
      FdSession *any = entry->mqtt != NULL ? entry->mqtt : entry->https->pdata[0];
      if (device_id != NULL && !g_str_equal (any->who->device_id, device_id))
        continue;
      if (entry->mqtt != NULL)
        g_ptr_array_add (victims, entry->mqtt);
      for (guint i = 0; i < entry->https->len; i++)
        g_ptr_array_add (victims, entry->https->pdata[i]);
    }
  for (guint i = 0; i < victims->len; i++)
    {
      FdSession *session = victims->pdata[i];
      if (session->attached && session->ops->end != NULL)
        session->ops->end (session, why);
    }
}

guint
fd_sessions_count (FdSessions *sessions, FdTransport transport)
{
  g_return_val_if_fail (transport < G_N_ELEMENTS (sessions->counts), 0);
  return sessions->counts[transport];
}
