/* fd-engine-events.c — what the engine tells the events bus: presence changes from the
 * sessions registry, committed readings from the ingest writer, condition changes. Each becomes
 * an event of docs/rest-api.md, "Events". */
#include "config.h"

#include "fd-engine-events.h"
#include "fd-util.h"

#include <json-glib/json-glib.h>

struct _FdEngineObserver
{
  FdEvents *events;
  GMutex lock; /* integrations: the writer thread kicks while the engine may forget them */
  FdIntegrations *integrations;
};

static void
kick (FdEngineObserver *observer, const char *workspace_id)
{
  g_mutex_lock (&observer->lock);
  if (observer->integrations != NULL)
    fd_integrations_kick (observer->integrations, workspace_id);
  g_mutex_unlock (&observer->lock);
}

/* device.online {"transport","address","connected_at"}, device.offline {"transport","reason",
 * "disconnected_at"} (docs/rest-api.md). */
static void
presence_changed (const FdSession *session, gboolean online, const char *reason, gpointer user_data)
{
  FdEvents *events = user_data;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "transport");
  json_builder_add_string_value (b, fd_transport_name (session->transport));
  if (online)
    {
      json_builder_set_member_name (b, "address");
      json_builder_add_string_value (b, session->peer);
      fd_json_member_time (b, "connected_at", session->connected_at);
    }
  else
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason);
      fd_json_member_time (b, "disconnected_at", fd_now_ms ());
    }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  json = json_to_string (node, FALSE);
  fd_events_publish (events, online ? "device.online" : "device.offline",
                     session->who->workspace_id, session->who->device_id, json);
}

/* condition.opened / updated / closed: the condition as GET /workspaces/{id}/conditions shows
 * it (fd_condition_build_json), its duration as of now. A second close changed nothing. */
static void
condition_changed (const FdCondition *condition, FdConditionChange change, gpointer user_data)
{
  FdEvents *events = user_data;
  g_autoptr (JsonBuilder) b = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *json = NULL;
  const char *type;

  switch (change)
    {
    case FD_CONDITION_OPENED:
      type = "condition.opened";
      break;
    case FD_CONDITION_UPDATED:
      type = "condition.updated";
      break;
    case FD_CONDITION_CLOSED:
      type = "condition.closed";
      break;
    case FD_CONDITION_ALREADY_CLOSED:
    default:
      return;
    }
  b = json_builder_new ();
  fd_condition_build_json (b, condition, NULL, fd_now_ms ());
  node = json_builder_get_root (b);
  json = json_to_string (node, FALSE);
  fd_events_publish (events, type, condition->workspace_id, condition->device_id, json);
}

/* Conditions are queued for the integrations in their own transaction (fd-conditions.c). */
static void
condition_kick (const FdCondition *condition, FdConditionChange change, gpointer user_data)
{
  if (change != FD_CONDITION_ALREADY_CLOSED)
    kick (user_data, condition->workspace_id);
}

/* On the ingest writer's thread, after each commit: the readings are the integrations' data
 * queue already (the sample table), so their workers only need waking. */
static void
readings_committed (const FdIngestCommitted *items, guint n_items, gpointer user_data)
{
  FdEngineObserver *observer = user_data;
  const char *kicked = NULL;

  for (guint i = 0; i < n_items; i++)
    {
      fd_events_data (observer->events, items[i].workspace_id, items[i].device_id,
                      items[i].fleet_id, items[i].tag, items[i].count, items[i].payload_json,
                      items[i].timestamp_in);
      if (g_strcmp0 (kicked, items[i].workspace_id) != 0)
        {
          kick (observer, items[i].workspace_id);
          kicked = items[i].workspace_id;
        }
    }
}

FdEngineObserver *
fd_engine_events_connect (FdEvents *events, FdSessions *sessions, FdIngest *ingest,
                          FdConditions *conditions, FdIntegrations *integrations)
{
  FdEngineObserver *observer = g_new0 (FdEngineObserver, 1);

  observer->events = events;
  observer->integrations = integrations;
  g_mutex_init (&observer->lock);
  fd_sessions_add_watch (sessions, presence_changed, events);
  fd_ingest_set_observer (ingest, readings_committed, observer);
  fd_conditions_add_watch (conditions, condition_changed, events);
  fd_conditions_add_watch (conditions, condition_kick, observer);
  return observer;
}

void
fd_engine_events_disconnect_sessions (FdEvents *events, FdSessions *sessions)
{
  fd_sessions_remove_watch (sessions, presence_changed, events);
}

void
fd_engine_events_disconnect_conditions (FdEngineObserver *observer, FdConditions *conditions)
{
  fd_conditions_remove_watch (conditions, condition_changed, observer->events);
  fd_conditions_remove_watch (conditions, condition_kick, observer);
}

void
fd_engine_events_forget_integrations (FdEngineObserver *observer)
{
  g_mutex_lock (&observer->lock);
  observer->integrations = NULL;
  g_mutex_unlock (&observer->lock);
}

void
fd_engine_events_free (FdEngineObserver *observer)
{
  if (observer == NULL)
    return;
  g_mutex_clear (&observer->lock);
  g_free (observer);
}
