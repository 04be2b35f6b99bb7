/* fd-integrations-bridge.c — the events that have no store transaction of their own (device
 * online / offline, job executions that reached a final state, campaign updates) into the
 * outbox: an FdEvents subscriber that writes each one in a store job of its own, then wakes
 * the workers of its workspace.
 *
 * There is a window between the change and this write (a crash in it loses the event, not the
 * change); conditions and alerts have none: they are queued in the transaction that makes them.
 */
#include "config.h"

#include "fd-integrations-private.h"
#include "fd-util.h"
#include "store/fd-store-entities.h"

#include <json-glib/json-glib.h>

/* alert.* are queued by the alerts' own transaction (fd-alerts.c): they only wake the workers. */
static const char *const bridged_types[] = { "device.online",
                                             "device.offline",
                                             "job.execution",
                                             "campaign.updated",
                                             "alert.triggered",
                                             "alert.resolved",
                                             NULL };

typedef struct
{
  FdIntegrationsPublisher *publisher;
  char *workspace_id;
  char *device_id;
  FdOutboxKind kind;
  gint64 t;
  char *body;
} BridgeJob;

static void
bridge_job_free (gpointer data)
{
  BridgeJob *job = data;

  fd_integrations_publisher_unref (job->publisher);
  g_free (job->workspace_id);
  g_free (job->device_id);
  g_free (job->body);
  g_free (job);
}

static gboolean
bridge_write (FdDb *db, gpointer data, GError **error)
{
  BridgeJob *job = data;
  g_autoptr (FdDevice) device = NULL;
  gboolean wanted = FALSE;

  if (!fd_store_outbox_wanted (db, job->workspace_id, job->kind, &wanted, error))
    return FALSE;
  if (!wanted)
    return TRUE;
  /* The fleet, for the integrations' fleet filters; a device deleted since has none. */
  if (job->device_id != NULL)
    device = fd_store_device_get (db, job->device_id, NULL);
  return fd_store_outbox_event_add (db, job->workspace_id, job->kind,
                                    device != NULL ? device->fleet_id : NULL, job->device_id, NULL,
                                    job->t, job->body, error);
}

static void
bridge_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  BridgeJob *job = fd_store_run_get_data (result);

  if (!fd_store_run_finish (result, &error))
    {
      if (!g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        g_warning ("could not queue a %s event for the integrations: %s",
                   fd_outbox_kind_name (job->kind), error->message);
      return;
    }
  if (job->publisher->owner != NULL)
    fd_integrations_kick (job->publisher->owner, job->workspace_id);
}

/* job.execution counts once it is final: queued and sent are on the way there. */
static gboolean
job_is_final (JsonObject *data)
{
  const char *state = json_object_get_string_member_with_default (data, "state", "");
  return g_strcmp0 (state, "queued") != 0 && g_strcmp0 (state, "sent") != 0;
}

static void
bridge_event (const char *event_json, gpointer user_data)
{
  FdIntegrations *self = user_data;
  g_autoptr (JsonParser) parser = NULL;
  JsonObject *event, *data;
  const char *type, *workspace_id, *time;
  BridgeJob *job;
  FdOutboxKind kind;

  if (event_json == NULL)
    {
      /* Dropped for being too slow: cannot happen (drained at once), said if it does. */
      g_warning ("the integrations stopped following device, job and campaign events");
      return;
    }
  fd_events_subscriber_drained (self->bridge);
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, event_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  event = json_node_get_object (json_parser_get_root (parser));
  type = json_object_get_string_member_with_default (event, "type", "");
  workspace_id = json_object_get_string_member_with_default (event, "workspace_id", NULL);
  time = json_object_get_string_member_with_default (event, "time", NULL);
  data = json_object_has_member (event, "data")
                 && JSON_NODE_HOLDS_OBJECT (json_object_get_member (event, "data"))
             ? json_object_get_object_member (event, "data")
             : NULL;
  if (workspace_id == NULL)
    return;
  if (g_str_has_prefix (type, "alert."))
    {
      fd_integrations_kick (self, workspace_id);
      return;
    }
  if (g_str_has_prefix (type, "device."))
    kind = FD_OUTBOX_KIND_DEVICES;
  else if (g_str_equal (type, "job.execution"))
    {
      if (data == NULL || !job_is_final (data))
        return;
      kind = FD_OUTBOX_KIND_JOBS;
    }
  else
    kind = FD_OUTBOX_KIND_CAMPAIGNS;

  job = g_new0 (BridgeJob, 1);
  job->publisher = self->publisher;
  g_atomic_int_inc (&job->publisher->ref);
  job->workspace_id = g_strdup (workspace_id);
  job->device_id = g_strdup (json_object_get_string_member_with_default (event, "device_id", NULL));
  job->kind = kind;
  job->t = fd_now_ms ();
  if (time != NULL)
    {
      g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (time, NULL);
      if (dt != NULL)
        job->t = g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
    }
  job->body = g_strdup (event_json);
  fd_store_write_async (self->store, bridge_write, job, bridge_job_free, bridge_done, NULL);
}

void
fd_integrations_bridge_start (FdIntegrations *self, FdEvents *events)
{
  self->bridge = fd_events_subscribe (events, NULL, bridged_types, bridge_event, self);
}

void
fd_integrations_bridge_stop (FdIntegrations *self)
{
  g_clear_pointer (&self->bridge, fd_events_unsubscribe);
}
