/* fd-campaign-events.c — campaign.updated (coalesced) and campaign.target on the events bus. */
#include "config.h"

#include "fd-campaign-private.h"
#include "fd-util.h"

#include <string.h>

/* campaign.updated while only counts change: at most this often. */
#define FD_OTA_EVENT_MIN_MS 250

static void
append_counts (GString *s, const gint64 *counts)
{
  g_string_append_c (s, '{');
  for (int i = 0; i < FD_TARGET_N_STATES; i++)
    g_string_append_printf (s, "%s\"%s\":%" G_GINT64_FORMAT, i ? "," : "", fd_target_state_name (i),
                            counts[i]);
  g_string_append_c (s, '}');
}

static gboolean
publish_later (gpointer data)
{
  FdOta *ota = data;
  g_autoptr (GPtrArray) all = fd_ota_campaigns_snapshot (ota);

  ota->event_source = 0;
  for (guint i = 0; i < all->len; i++)
    if (((FdOtaCampaign *)g_ptr_array_index (all, i))->dirty)
      fd_ota_publish_campaign (ota, g_ptr_array_index (all, i));
  return G_SOURCE_REMOVE;
}

void
fd_ota_publish_campaign (FdOta *ota, FdOtaCampaign *oc)
{
  g_autoptr (GString) s = NULL;
  gint64 totals[FD_TARGET_N_STATES] = { 0 }, now = fd_now_ms ();

  if (ota->events == NULL || !oc->dirty)
    return;
  if (now - oc->last_event_ms < FD_OTA_EVENT_MIN_MS)
    {
      if (ota->event_source == 0)
        ota->event_source = g_timeout_add (FD_OTA_EVENT_MIN_MS, publish_later, ota);
      return;
    }
  oc->dirty = FALSE;
  oc->last_event_ms = now;
  for (guint st = 0; st < oc->c->n_stages; st++)
    for (int i = 0; i < FD_TARGET_N_STATES; i++)
      totals[i] += oc->c->counts[st][i];
  s = g_string_new ("{\"campaign_id\":");
  fd_json_append_string (s, oc->c->id, strlen (oc->c->id), FALSE);
  g_string_append (s, ",\"name\":");
  fd_json_append_string (s, oc->c->name, strlen (oc->c->name), FALSE);
  g_string_append (s, ",\"state\":");
  fd_json_append_string (s, oc->c->state, strlen (oc->c->state), FALSE);
  g_string_append_printf (s, ",\"stage\":%d,\"counts\":", oc->c->stage);
  append_counts (s, totals);
  g_string_append (s, ",\"reason\":");
  if (oc->c->reason != NULL)
    fd_json_append_string (s, oc->c->reason, strlen (oc->c->reason), FALSE);
  else
    g_string_append (s, "null");
  g_string_append_c (s, '}');
  fd_events_publish (ota->events, "campaign.updated", oc->c->workspace_id, NULL, s->str);
}

void
fd_ota_publish_target (FdOta *ota, FdOtaCampaign *oc, const char *device_id, FdTargetState state,
                       gint64 progress)
{
  g_autoptr (GString) s = NULL;

  if (ota->events == NULL)
    return;
  s = g_string_new ("{\"campaign_id\":");
  fd_json_append_string (s, oc->c->id, strlen (oc->c->id), FALSE);
  g_string_append_printf (s, ",\"state\":\"%s\",\"progress\":%" G_GINT64_FORMAT "}",
                          fd_target_state_name (state), progress);
  fd_events_publish (ota->events, "campaign.target", oc->c->workspace_id, device_id, s->str);
}
