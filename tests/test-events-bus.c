/* test-events-bus.c — the events bus on its own: filters, a subscriber that never drains is
 * dropped while the others keep receiving, and data readings from another thread are
 * coalesced per device and tag. */
#include "events/fd-events.h"

#include <json-glib/json-glib.h>

typedef struct
{
  FdEventSubscriber *sub;
  GPtrArray *events; /* char* */
  guint dropped;     /* times called with NULL */
  gboolean drains;
} Sink;

static void
sink_event (const char *event_json, gpointer user_data)
{
  Sink *sink = user_data;

  if (event_json == NULL)
    {
      sink->dropped++;
      return;
    }
  g_ptr_array_add (sink->events, g_strdup (event_json));
  if (sink->drains)
    fd_events_subscriber_drained (sink->sub);
}

static Sink *
sink_new (FdEvents *events, const char *workspace_id, const char *const *types, gboolean drains)
{
  Sink *sink = g_new0 (Sink, 1);

  sink->events = g_ptr_array_new_with_free_func (g_free);
  sink->drains = drains;
  sink->sub = fd_events_subscribe (events, workspace_id, types, sink_event, sink);
  return sink;
}

static void
sink_free (Sink *sink)
{
  fd_events_unsubscribe (sink->sub);
  g_ptr_array_unref (sink->events);
  g_free (sink);
}

static JsonObject *
parse (const char *text, JsonNode **keep)
{
  g_autoptr (GError) error = NULL;

  *keep = json_from_string (text, &error);
  g_assert_no_error (error);
  return json_node_get_object (*keep);
}

static void
test_shape_and_filters (void)
{
  FdEvents *events = fd_events_new ();
  const char *const online_only[] = { "device.online", NULL };
  Sink *all = sink_new (events, NULL, NULL, TRUE);
  Sink *wks_a = sink_new (events, "wks-a", NULL, TRUE);
  Sink *online = sink_new (events, NULL, online_only, TRUE);
  g_autoptr (JsonNode) keep = NULL;
  JsonObject *o;

  fd_events_publish (events, "device.online", "wks-a", "dev-1", "{\"transport\":\"https\"}");
  fd_events_publish (events, "device.offline", "wks-b", "dev-2", "{\"reason\":\"x\"}");
  g_assert_cmpuint (all->events->len, ==, 2);
  g_assert_cmpuint (wks_a->events->len, ==, 1);
  g_assert_cmpuint (online->events->len, ==, 1);

  o = parse (g_ptr_array_index (all->events, 0), &keep);
  g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "device.online");
  g_assert_cmpstr (json_object_get_string_member (o, "workspace_id"), ==, "wks-a");
  g_assert_cmpstr (json_object_get_string_member (o, "device_id"), ==, "dev-1");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "time"), "Z"));
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "data"), "transport"), ==,
      "https");
  g_assert_cmpstr (g_ptr_array_index (wks_a->events, 0), ==, g_ptr_array_index (all->events, 0));

  sink_free (all);
  sink_free (wks_a);
  sink_free (online);
  fd_events_free (events);
}

/* A subscriber that takes one event and never says it is drained falls behind and is dropped
 * (told once with NULL); the one that drains gets every event, before and after. */
static void
test_slow_subscriber_dropped (void)
{
  FdEvents *events = fd_events_new ();
  Sink *fast = sink_new (events, NULL, NULL, TRUE);
  Sink *stuck = sink_new (events, NULL, NULL, FALSE);
  guint n = FD_EVENTS_MAX_QUEUED + 100;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *data = g_strdup_printf ("{\"i\":%u}", i);
      fd_events_publish (events, "device.online", "wks-a", "dev-1", data);
    }
  g_assert_cmpuint (fast->events->len, ==, n);
  g_assert_cmpuint (stuck->events->len, ==, 1);
  g_assert_cmpuint (stuck->dropped, ==, 1);

  /* Dropped for good: draining now hands nothing more. */
  fd_events_subscriber_drained (stuck->sub);
  fd_events_publish (events, "device.online", "wks-a", "dev-1", "{}");
  g_assert_cmpuint (stuck->events->len, ==, 1);
  g_assert_cmpuint (stuck->dropped, ==, 1);
  g_assert_cmpuint (fast->events->len, ==, n + 1);

  sink_free (stuck);
  sink_free (fast);
  fd_events_free (events);
}

/* A subscriber that drains late gets what was queued meanwhile, in order. */
static void
test_drain_later (void)
{
  FdEvents *events = fd_events_new ();
  Sink *late = sink_new (events, NULL, NULL, FALSE);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *data = g_strdup_printf ("{\"i\":%u}", i);
      fd_events_publish (events, "device.online", "wks-a", "dev-1", data);
    }
  g_assert_cmpuint (late->events->len, ==, 1);
  late->drains = TRUE;
  fd_events_subscriber_drained (late->sub);
  g_assert_cmpuint (late->events->len, ==, 10);
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr (JsonNode) keep = NULL;
      JsonObject *o = parse (g_ptr_array_index (late->events, i), &keep);
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "data"), "i"),
                       ==, i);
    }
  g_assert_cmpuint (late->dropped, ==, 0);
  sink_free (late);
  fd_events_free (events);
}

typedef struct
{
  FdEvents *events;
  guint n;
} Feeder;

static gpointer
feed (gpointer data)
{
  Feeder *f = data;

  for (guint i = 0; i < f->n; i++)
    {
      g_autofree char *payload = g_strdup_printf ("{\"i\":%u}", i);
      fd_events_data (f->events, "wks-a", "dev-1", "flt-1", "temp", 1, payload, 1000 + i);
      fd_events_data (f->events, "wks-a", "dev-2", "flt-1", "temp", 2, payload, 1000 + i);
    }
  return NULL;
}

static guint64
sum_counts (Sink *sink, const char *device_id, guint *n_events, gint64 *last_i)
{
  guint64 sum = 0;

  *n_events = 0;
  for (guint i = 0; i < sink->events->len; i++)
    {
      g_autoptr (JsonNode) keep = NULL;
      JsonObject *o = parse (g_ptr_array_index (sink->events, i), &keep);
      JsonObject *data = json_object_get_object_member (o, "data");

      if (!g_str_equal (json_object_get_string_member (o, "device_id"), device_id))
        continue;
      g_assert_cmpstr (json_object_get_string_member (o, "type"), ==, "data");
      g_assert_cmpstr (json_object_get_string_member (data, "tag"), ==, "temp");
      g_assert_cmpstr (json_object_get_string_member (data, "fleet_id"), ==, "flt-1");
      sum += (guint64)json_object_get_int_member (data, "count");
      *last_i = json_object_get_int_member (json_object_get_object_member (data, "payload"), "i");
      (*n_events)++;
    }
  return sum;
}

/* 500 readings of two series from another thread become a few events per series whose counts
 * add up, the newest payload last. Flushes are at least 1/FD_EVENTS_DATA_PER_S apart, so the
 * number of events is bounded by the time the readings took, whatever the machine's load. */
static void
test_data_coalesced (void)
{
  FdEvents *events = fd_events_new ();
  const char *const data_only[] = { "data", NULL };
  Sink *sink = sink_new (events, NULL, data_only, TRUE);
  Feeder f = { events, 500 };
  gint64 start = g_get_monotonic_time (), elapsed_ms;
  GThread *thread = g_thread_new ("feeder", feed, &f);
  guint n1 = 0, n2 = 0;
  gint64 last1 = -1, last2 = -1;

  g_thread_join (thread);
  while (sum_counts (sink, "dev-1", &n1, &last1) < 500
         || sum_counts (sink, "dev-2", &n2, &last2) < 1000)
    g_main_context_iteration (NULL, TRUE);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_assert_cmpuint (sum_counts (sink, "dev-1", &n1, &last1), ==, 500);
  g_assert_cmpuint (sum_counts (sink, "dev-2", &n2, &last2), ==, 1000);
  g_assert_cmpint (last1, ==, 499);
  g_assert_cmpint (last2, ==, 499);
  g_assert_cmpuint (n1, <=, 1 + elapsed_ms * FD_EVENTS_DATA_PER_S / 1000 + 1);
  g_assert_cmpuint (n2, <=, 1 + elapsed_ms * FD_EVENTS_DATA_PER_S / 1000 + 1);
  g_test_message ("500 readings per series in %" G_GINT64_FORMAT " ms: %u and %u events",
                  elapsed_ms, n1, n2);
  sink_free (sink);
  fd_events_free (events);
}

/* Nobody wants data events: readings leave nothing behind, not even a timer. */
static void
test_data_nobody_listening (void)
{
  FdEvents *events = fd_events_new ();
  const char *const online_only[] = { "device.online", NULL };
  Sink *sink = sink_new (events, NULL, online_only, TRUE);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  fd_events_data (events, "wks-a", "dev-1", "flt-1", "temp", 1, "{}", 1000);
  g_assert_false (g_main_context_pending (NULL));
  sink_free (sink);
  fd_events_free (events);
}

/* A subscriber may unsubscribe from its own callback, also while others are being served. */
static void
unsubscribe_self (const char *event_json, gpointer user_data)
{
  Sink *sink = user_data;

  g_ptr_array_add (sink->events, g_strdup (event_json ? event_json : "(dropped)"));
  g_clear_pointer (&sink->sub, fd_events_unsubscribe);
}

static void
test_unsubscribe_in_callback (void)
{
  FdEvents *events = fd_events_new ();
  Sink *self_removing = g_new0 (Sink, 1);
  Sink *other = sink_new (events, NULL, NULL, TRUE);

  self_removing->events = g_ptr_array_new_with_free_func (g_free);
  self_removing->sub = fd_events_subscribe (events, NULL, NULL, unsubscribe_self, self_removing);
  fd_events_publish (events, "device.online", "wks-a", "dev-1", "{}");
  fd_events_publish (events, "device.online", "wks-a", "dev-1", "{}");
  g_assert_cmpuint (self_removing->events->len, ==, 1);
  g_assert_null (self_removing->sub);
  g_assert_cmpuint (other->events->len, ==, 2);
  g_ptr_array_unref (self_removing->events);
  g_free (self_removing);
  sink_free (other);
  fd_events_free (events);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/events-bus/shape-and-filters", test_shape_and_filters);
  g_test_add_func ("/events-bus/slow-subscriber-dropped", test_slow_subscriber_dropped);
  g_test_add_func ("/events-bus/drain-later", test_drain_later);
  g_test_add_func ("/events-bus/data-coalesced", test_data_coalesced);
  g_test_add_func ("/events-bus/data-nobody-listening", test_data_nobody_listening);
  g_test_add_func ("/events-bus/unsubscribe-in-callback", test_unsubscribe_in_callback);
  return g_test_run ();
}
