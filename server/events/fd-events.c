/* fd-events.c — the events bus: publishing, data coalescing, subscribers with bounded queues.
 *
 * Everything but fd_events_data() runs on the engine thread. fd_events_data() is called by the
 * ingest writer after each commit: it must cost nothing when nobody wants data events (one
 * atomic read), and otherwise only a short critical section that folds the readings into the
 * series' pending state. A timer on the engine context then turns each pending series into one
 * "data" event. Flushes are at least 1/FD_EVENTS_DATA_PER_S apart and a flush emits at most one
 * event per series, which is the whole rate limit: no per-series clock is needed, and the table
 * of pending series is empty after every flush.
 *
 * A subscriber is handed one event at a time and gets the next once it says it is drained, so
 * a slow WebSocket keeps its backlog here, where it is counted, rather than inside libsoup.
 */
#include "fd-events.h"
#include "fd-util.h"

#include <string.h>

#define FLUSH_INTERVAL_US (G_USEC_PER_SEC / FD_EVENTS_DATA_PER_S)
/* A subscriber is also dropped when its queue holds this much text: data events carry payloads
 * of up to a device's payload limit, so 1024 of them could otherwise hold 64 MiB. Queued texts
 * are shared between subscribers. */
#define MAX_QUEUED_BYTES (16 * 1024 * 1024)

struct _FdEventSubscriber
{
  gint ref_count;
  FdEvents *events;
  char *workspace_id;
  char **types;
  FdEventFunc func;
  gpointer user_data;
  GQueue queue;        /* GBytes: event texts not yet handed over */
  gsize queued_bytes;  /* their sizes */
  gboolean busy;       /* handed one; waiting for fd_events_subscriber_drained() */
  gboolean delivering; /* inside deliver(): re-entrant calls only mark state */
  gboolean gone;       /* unsubscribed or dropped: never called again */
  gboolean wants_data;
};

/* One device and tag with readings since its last event. */
typedef struct
{
  char *workspace_id;
  char *device_id;
  char *fleet_id;
  char *tag;
  guint64 count;
  GString *payload;
  gint64 timestamp_in;
} Series;

struct _FdEvents
{
  GMainContext *context;
  GPtrArray *subscribers; /* FdEventSubscriber*, the array's references */
  guint iterating;        /* publish loops running: removals wait for them */
  gint data_subscribers;  /* atomic: subscribers that want "data" events */

  GMutex lock;        /* guards what follows */
  GHashTable *series; /* "device\x1ftag" -> Series */
  GPtrArray *order;   /* the same Series, in the order of their first readings */
  GSource *flush;     /* scheduled flush, or NULL */
  gint64 last_flush;  /* monotonic µs */
  GString *key;       /* scratch, under the lock */
};

static void
series_free (Series *s)
{
  g_free (s->workspace_id);
  g_free (s->device_id);
  g_free (s->fleet_id);
  g_free (s->tag);
  g_string_free (s->payload, TRUE);
  g_free (s);
}

FdEvents *
fd_events_new (void)
{
  FdEvents *events = g_new0 (FdEvents, 1);

  events->context = g_main_context_ref_thread_default ();
  events->subscribers = g_ptr_array_new ();
  g_mutex_init (&events->lock);
  events->series
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)series_free);
  events->order = g_ptr_array_new ();
  events->key = g_string_new (NULL);
  return events;
}

static void
subscriber_unref (FdEventSubscriber *sub)
{
  if (!g_atomic_int_dec_and_test (&sub->ref_count))
    return;
  g_queue_clear_full (&sub->queue, (GDestroyNotify)g_bytes_unref);
  g_free (sub->workspace_id);
  g_strfreev (sub->types);
  g_free (sub);
}

/* Every subscriber should have unsubscribed; the ingest writer must not call any more (the
 * store is closed first). */
void
fd_events_free (FdEvents *events)
{
  if (events == NULL)
    return;
  if (events->flush != NULL)
    {
      g_source_destroy (events->flush);
      g_source_unref (events->flush);
    }
  for (guint i = 0; i < events->subscribers->len; i++)
    {
      FdEventSubscriber *sub = g_ptr_array_index (events->subscribers, i);
      sub->gone = TRUE;
      subscriber_unref (sub);
    }
  g_ptr_array_unref (events->subscribers);
  g_hash_table_destroy (events->series);
  g_ptr_array_unref (events->order);
  g_string_free (events->key, TRUE);
  g_mutex_clear (&events->lock);
  g_main_context_unref (events->context);
  g_free (events);
}

/* Appends @s as a JSON string (quoted, escaped). */
static void
append_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const char *p = s; *p != '\0'; p++)
    {
      guchar c = (guchar)*p;
      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char)c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char)c);
    }
  g_string_append_c (out, '"');
}

static gboolean
subscriber_matches (const FdEventSubscriber *sub, const char *type, const char *workspace_id)
{
  if (sub->gone)
    return FALSE;
  if (sub->workspace_id != NULL
      && (workspace_id == NULL || !g_str_equal (sub->workspace_id, workspace_id)))
    return FALSE;
  return sub->types == NULL || g_strv_contains ((const char *const *)sub->types, type);
}

/* Hands queued events to @sub while it is not busy. Safe against the callback draining,
 * unsubscribing or publishing again. */
static void
deliver (FdEventSubscriber *sub)
{
  if (sub->delivering)
    return;
  sub->delivering = TRUE;
  g_atomic_int_inc (&sub->ref_count);
  while (!sub->gone && !sub->busy && !g_queue_is_empty (&sub->queue))
    {
      g_autoptr (GBytes) event = g_queue_pop_head (&sub->queue);
      sub->queued_bytes -= g_bytes_get_size (event);
      sub->busy = TRUE;
      sub->func (g_bytes_get_data (event, NULL), sub->user_data);
    }
  sub->delivering = FALSE;
  subscriber_unref (sub);
}

static void
remove_gone (FdEvents *events)
{
  for (guint i = events->subscribers->len; i-- > 0;)
    {
      FdEventSubscriber *sub = g_ptr_array_index (events->subscribers, i);
      if (sub->gone)
        {
          g_ptr_array_remove_index (events->subscribers, i);
          subscriber_unref (sub);
        }
    }
}

static void
subscriber_forget (FdEventSubscriber *sub)
{
  FdEvents *events = sub->events;

  if (sub->gone)
    return;
  sub->gone = TRUE;
  g_queue_clear_full (&sub->queue, (GDestroyNotify)g_bytes_unref);
  sub->queued_bytes = 0;
  if (sub->wants_data)
    g_atomic_int_add (&events->data_subscribers, -1);
  if (events->iterating == 0)
    remove_gone (events);
}

/* @sub fell FD_EVENTS_MAX_QUEUED behind: it gets NULL once and nothing more. */
static void
subscriber_drop (FdEventSubscriber *sub)
{
  FdEventFunc func = sub->func;
  gpointer user_data = sub->user_data;

  subscriber_forget (sub);
  func (NULL, user_data);
}

/* Queues the complete @event text for every matching subscriber, then delivers. */
static void
publish_text (FdEvents *events, const char *type, const char *workspace_id, GBytes *event)
{
  events->iterating++;
  for (guint i = 0; i < events->subscribers->len; i++)
    {
      FdEventSubscriber *sub = g_ptr_array_index (events->subscribers, i);

      if (!subscriber_matches (sub, type, workspace_id))
        continue;
      if (g_queue_get_length (&sub->queue) >= FD_EVENTS_MAX_QUEUED
          || sub->queued_bytes + g_bytes_get_size (event) > MAX_QUEUED_BYTES)
        {
          subscriber_drop (sub);
          continue;
        }
      g_queue_push_tail (&sub->queue, g_bytes_ref (event));
      sub->queued_bytes += g_bytes_get_size (event);
      deliver (sub);
    }
  if (--events->iterating == 0)
    remove_gone (events);
}

/* The event's text. g_string_free_to_bytes() keeps the GString's buffer, NUL after the last
 * byte (not counted in the size), which is what subscribers are handed. */
static GBytes *
event_text (const char *type, gint64 time_ms, const char *workspace_id, const char *device_id,
            const char *data_json)
{
  GString *out = g_string_sized_new (128 + strlen (data_json));
  g_autofree char *time = fd_time_format_ms (time_ms);

  g_string_append (out, "{\"type\":");
  append_json_string (out, type);
  g_string_append (out, ",\"time\":");
  append_json_string (out, time);
  g_string_append (out, ",\"workspace_id\":");
  if (workspace_id != NULL)
    append_json_string (out, workspace_id);
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"device_id\":");
  if (device_id != NULL)
    append_json_string (out, device_id);
  else
    g_string_append (out, "null");
  g_string_append (out, ",\"data\":");
  g_string_append (out, data_json);
  g_string_append_c (out, '}');
  return g_string_free_to_bytes (out);
}

void
fd_events_publish (FdEvents *events, const char *type, const char *workspace_id,
                   const char *device_id, const char *data_json)
{
  g_autoptr (GBytes) event = NULL;
  gboolean anyone = FALSE;

  for (guint i = 0; i < events->subscribers->len && !anyone; i++)
    anyone = subscriber_matches (g_ptr_array_index (events->subscribers, i), type, workspace_id);
  if (!anyone)
    return;
  event = event_text (type, fd_now_ms (), workspace_id, device_id, data_json);
  publish_text (events, type, workspace_id, event);
}

/* Data coalescing. */

static gboolean
flush_data (gpointer data)
{
  FdEvents *events = data;
  g_autoptr (GHashTable) flushed = NULL;
  g_autoptr (GPtrArray) order = NULL;

  g_mutex_lock (&events->lock);
  flushed = g_steal_pointer (&events->series);
  order = g_steal_pointer (&events->order);
  events->series
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)series_free);
  events->order = g_ptr_array_new ();
  events->last_flush = g_get_monotonic_time ();
  g_clear_pointer (&events->flush, g_source_unref);
  g_mutex_unlock (&events->lock);

  /* In the order the series got their first readings, not the table's: a subscriber sees
   * one device's tags in the order they were posted, so an event known to come last (a
   * client's marker) comes after the others of its flush. */
  for (guint i = 0; i < order->len; i++)
    {
      Series *s = g_ptr_array_index (order, i);
      g_autoptr (GString) json = g_string_sized_new (96 + s->payload->len);
      g_autofree char *ts = fd_time_format_ms (s->timestamp_in);

      g_string_append (json, "{\"tag\":");
      append_json_string (json, s->tag);
      g_string_append (json, ",\"fleet_id\":");
      append_json_string (json, s->fleet_id);
      g_string_append_printf (json, ",\"count\":%" G_GUINT64_FORMAT ",\"payload\":", s->count);
      g_string_append_len (json, s->payload->str, (gssize)s->payload->len);
      g_string_append (json, ",\"timestamp_in\":");
      append_json_string (json, ts);
      g_string_append_c (json, '}');
      fd_events_publish (events, "data", s->workspace_id, s->device_id, json->str);
    }
  return G_SOURCE_REMOVE;
}

void
fd_events_data (FdEvents *events, const char *workspace_id, const char *device_id,
                const char *fleet_id, const char *tag, guint count, const char *payload_json,
                gint64 timestamp_in_ms)
{
  Series *s;

  if (g_atomic_int_get (&events->data_subscribers) == 0)
    return;

  g_mutex_lock (&events->lock);
  g_string_assign (events->key, device_id);
  g_string_append_c (events->key, '\x1f');
  g_string_append (events->key, tag);
  s = g_hash_table_lookup (events->series, events->key->str);
  if (s == NULL)
    {
      s = g_new0 (Series, 1);
      s->workspace_id = g_strdup (workspace_id);
      s->device_id = g_strdup (device_id);
      s->fleet_id = g_strdup (fleet_id);
      s->tag = g_strdup (tag);
      s->payload = g_string_new (NULL);
      g_hash_table_insert (events->series, g_strdup (events->key->str), s);
      g_ptr_array_add (events->order, s);
    }
  else if (g_strcmp0 (s->fleet_id, fleet_id) != 0)
    {
      g_free (s->fleet_id); /* the device moved: its newest readings say where it is */
      s->fleet_id = g_strdup (fleet_id);
    }
  s->count += count;
  if (timestamp_in_ms >= s->timestamp_in)
    {
      g_string_assign (s->payload, payload_json);
      s->timestamp_in = timestamp_in_ms;
    }
  if (events->flush == NULL)
    {
      gint64 wait = events->last_flush + FLUSH_INTERVAL_US - g_get_monotonic_time ();

      wait = CLAMP (wait, 0, FLUSH_INTERVAL_US);
      events->flush = g_timeout_source_new ((guint)((wait + 999) / 1000));
      g_source_set_priority (events->flush, G_PRIORITY_DEFAULT);
      g_source_set_callback (events->flush, flush_data, events, NULL);
      g_source_set_static_name (events->flush, "fd-events flush");
      g_source_attach (events->flush, events->context);
    }
  g_mutex_unlock (&events->lock);
}

/* Subscribers. */

FdEventSubscriber *
fd_events_subscribe (FdEvents *events, const char *workspace_id, const char *const *types,
                     FdEventFunc func, gpointer user_data)
{
  FdEventSubscriber *sub = g_new0 (FdEventSubscriber, 1);

  sub->ref_count = 1;
  sub->events = events;
  sub->workspace_id = g_strdup (workspace_id);
  sub->types = types != NULL && types[0] != NULL ? g_strdupv ((char **)types) : NULL;
  sub->func = func;
  sub->user_data = user_data;
  g_queue_init (&sub->queue);
  sub->wants_data = sub->types == NULL || g_strv_contains (types, "data");
  if (sub->wants_data)
    g_atomic_int_inc (&events->data_subscribers);
  g_ptr_array_add (events->subscribers, sub);
  g_atomic_int_inc (&sub->ref_count); /* the caller's, given back by fd_events_unsubscribe() */
  return sub;
}

void
fd_events_subscriber_drained (FdEventSubscriber *sub)
{
  sub->busy = FALSE;
  deliver (sub);
}

/* Also safe from within the subscriber's own callback, and needed after a drop too: it gives
 * back the caller's reference. */
void
fd_events_unsubscribe (FdEventSubscriber *sub)
{
  if (sub == NULL)
    return;
  subscriber_forget (sub);
  subscriber_unref (sub);
}
