/* fd-campaign.c — the campaign engine: the campaigns it follows, the tick, the rules that
 * advance, abort and complete them, pause / resume / abort, and the events. */
#include "config.h"

#include "fd-campaign-private.h"
#include "fd-util.h"

#include <string.h>

G_DEFINE_QUARK (fd - ota - error - quark, fd_ota_error)

/* A followed campaign is re-read from the store at least this often, whatever its counts in
 * memory say: a target whose device was deleted leaves the store, not the counts. */
#define FD_OTA_RESYNC_MS 10000

static void
ota_campaign_free (gpointer data)
{
  FdOtaCampaign *oc = data;

  fd_campaign_free (oc->c);
  g_free (oc->fota_json);
  g_free (oc);
}

FdOta *
fd_ota_new (FdStore *store, FdDownlink *downlink, FdFirmware *firmware, FdEvents *events)
{
  FdOta *ota = g_new0 (FdOta, 1);

  ota->store = store;
  ota->downlink = downlink;
  ota->firmware = firmware;
  ota->events = events;
  ota->host = g_strdup ("localhost");
  ota->port = 7443;
  ota->tick_ms = FD_OTA_DEFAULT_TICK_MS;
  ota->campaigns = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, ota_campaign_free);
  return ota;
}

void
fd_ota_set_device_url (FdOta *ota, const char *host, guint port)
{
  g_free (ota->host);
  ota->host = g_strdup (host);
  ota->port = port;
}

void
fd_ota_set_tick_ms (FdOta *ota, guint tick_ms)
{
  ota->tick_ms = tick_ms ? tick_ms : FD_OTA_DEFAULT_TICK_MS;
}

static void
ota_destroy (FdOta *ota)
{
  g_hash_table_destroy (ota->campaigns);
  g_free (ota->host);
  g_free (ota);
}

void
fd_ota_free (FdOta *ota)
{
  if (ota == NULL)
    return;
  ota->closing = TRUE;
  g_clear_handle_id (&ota->tick_source, g_source_remove);
  g_clear_handle_id (&ota->event_source, g_source_remove);
  /* Callbacks of jobs still queued use it: the last one frees it. */
  if (ota->pending == 0)
    ota_destroy (ota);
}

void
fd_ota_hold (FdOta *ota)
{
  ota->pending++;
}

gboolean
fd_ota_release (FdOta *ota)
{
  g_return_val_if_fail (ota->pending > 0, FALSE);
  ota->pending--;
  if (!ota->closing)
    return TRUE;
  if (ota->pending == 0)
    ota_destroy (ota);
  return FALSE;
}

void
fd_ota_spec_free (FdOtaSpec *spec)
{
  if (spec == NULL)
    return;
  g_free (spec->id);
  g_free (spec->workspace_id);
  g_free (spec->name);
  g_free (spec->firmware_id);
  g_strfreev (spec->fleets);
  g_strfreev (spec->devices);
  g_free (spec->actor);
  g_free (spec);
}

void
fd_ota_status_sent (FdOta *ota, const char *device_id)
{
  (void)ota;
  (void)device_id;
}

char *
fd_ota_fota_json (FdOta *ota, const char *campaign_id, const FdFirmwareRecord *fw)
{
  g_autoptr (GString) s = g_string_new ("{\"fw_version\":");
  g_autofree char *url
      = g_strdup_printf ("https://%s:%u/v1/firmware/%s", ota->host, ota->port, fw->id);
#define STR(text) fd_json_append_string (s, (text) ? (text) : "", (text) ? strlen (text) : 0, FALSE)
  STR (fw->version);
  g_string_append (s, ",\"firmware_id\":");
  STR (fw->id);
  g_string_append (s, ",\"campaign_id\":");
  STR (campaign_id);
  g_string_append_printf (s, ",\"size\":%" G_GINT64_FORMAT ",\"sha256\":", fw->size);
  STR (fw->sha256);
  g_string_append (s, ",\"url\":");
  STR (url);
  g_string_append (s, ",\"manifest\":");
  STR (fw->manifest);
  g_string_append (s, ",\"signature\":");
  STR (fw->signature);
  g_string_append (s, ",\"algorithm\":");
  STR (fw->algorithm);
  g_string_append (s, ",\"on_schedule\":\"\"}");
#undef STR
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Outcomes */

void
fd_ota_outcome_init (FdOtaOutcome *o)
{
  memset (o, 0, sizeof *o);
  o->moves = g_array_new (FALSE, FALSE, sizeof (FdOtaMove));
  o->delivered = g_ptr_array_new_with_free_func (g_free);
  o->delivered_t = g_array_new (FALSE, FALSE, sizeof (gint64));
  o->replaced = g_ptr_array_new_with_free_func (g_free);
}

void
fd_ota_outcome_clear (FdOtaOutcome *o)
{
  for (guint i = 0; o->moves != NULL && i < o->moves->len; i++)
    g_free (g_array_index (o->moves, FdOtaMove, i).device_id);
  g_clear_pointer (&o->moves, g_array_unref);
  g_clear_pointer (&o->delivered, g_ptr_array_unref);
  g_clear_pointer (&o->delivered_t, g_array_unref);
  g_clear_pointer (&o->replaced, g_ptr_array_unref);
  g_clear_pointer (&o->after, fd_campaign_free);
}

void
fd_ota_move_add (GArray *moves, const char *device_id, int stage, FdTargetState from,
                 FdTargetState to, gint64 progress)
{
  FdOtaMove m = { g_strdup (device_id), stage, from, to, progress };
  g_array_append_val (moves, m);
}

/* Jobs */

FdOtaJob *
fd_ota_job_new (FdOta *ota, FdOtaJobKind kind, const char *campaign_id)
{
  FdOtaJob *job = g_new0 (FdOtaJob, 1);

  job->ota = ota;
  job->kind = kind;
  job->campaign_id = g_strdup (campaign_id);
  job->now = fd_now_ms ();
  fd_ota_outcome_init (&job->o);
  return job;
}

void
fd_ota_job_free (FdOtaJob *job)
{
  g_free (job->campaign_id);
  fd_ota_spec_free (job->spec);
  if (job->also_destroy != NULL)
    job->also_destroy (job->also_data);
  g_free (job->fota_json);
  fd_ota_outcome_clear (&job->o);
  fd_campaign_free (job->reply);
  g_clear_object (&job->task);
  g_free (job);
}

static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdOtaJob *job = fd_store_run_get_data (result);
  FdOta *ota = job->ota;
  g_autoptr (GError) error = NULL;
  FdOtaCampaign *oc;
  gboolean ok = fd_store_run_finish (result, &error);

  (void)user_data;
  if (!fd_ota_release (ota))
    {
      if (job->task != NULL)
        g_task_return_new_error (job->task, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED,
                                 "the server is shutting down");
      return;
    }
  oc = job->campaign_id ? g_hash_table_lookup (ota->campaigns, job->campaign_id) : NULL;
  if (oc != NULL && oc->jobs > 0)
    oc->jobs--;
  if (!ok)
    {
      if (job->task != NULL)
        {
          g_task_set_task_data (job->task, (gpointer)job->field, NULL);
          g_task_return_error (job->task, g_steal_pointer (&error));
        }
      else if (g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND) && oc != NULL)
        g_hash_table_remove (ota->campaigns, job->campaign_id); /* its workspace was deleted */
      else if (!g_error_matches (error, FD_STORE_ERROR, FD_STORE_ERROR_CLOSED))
        g_warning ("campaign %s: %s", job->campaign_id, error->message);
      return;
    }
  if (oc == NULL && job->kind == FD_OTA_JOB_CREATE && job->o.after != NULL)
    {
      oc = fd_ota_track (ota, g_steal_pointer (&job->o.after), g_steal_pointer (&job->fota_json));
      oc->next_deadline = job->o.next_deadline;
    }
  if (oc != NULL)
    fd_ota_apply (ota, oc, &job->o, job->state_changed);
  if (job->task != NULL)
    g_task_return_pointer (job->task, g_steal_pointer (&job->reply),
                           (GDestroyNotify)fd_campaign_free);
  if (oc != NULL && !ota->closing)
    fd_ota_evaluate (ota, oc, FALSE);
}

void
fd_ota_job_run (FdOtaJob *job, FdStoreFunc func)
{
  FdOtaCampaign *oc
      = job->campaign_id ? g_hash_table_lookup (job->ota->campaigns, job->campaign_id) : NULL;

  if (oc != NULL)
    oc->jobs++;
  fd_ota_hold (job->ota);
  fd_store_write_async (job->ota->store, func, job, (GDestroyNotify)fd_ota_job_free, job_done,
                        NULL);
}

/* The campaigns followed now: evaluating one may stop following it. */
GPtrArray *
fd_ota_campaigns_snapshot (FdOta *ota)
{
  GPtrArray *all = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, ota->campaigns);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, value);
  return all;
}

/* Following campaigns on the engine thread */

FdOtaCampaign *
fd_ota_track (FdOta *ota, FdCampaign *c, char *fota_json)
{
  FdOtaCampaign *oc = g_new0 (FdOtaCampaign, 1);

  oc->ota = ota;
  oc->c = c;
  oc->fota_json = fota_json;
  oc->last_step_ms = fd_now_ms ();
  g_hash_table_replace (ota->campaigns, c->id, oc);
  return oc;
}

void
fd_ota_apply (FdOta *ota, FdOtaCampaign *oc, FdOtaOutcome *o, gboolean state_changed)
{
  for (guint i = 0; i < o->delivered->len; i++)
    fd_downlink_deliver (ota->downlink, g_ptr_array_index (o->delivered, i), "@fota", oc->fota_json,
                         g_array_index (o->delivered_t, gint64, i));
  /* Campaigns that lost targets to this one are re-read at their next tick. */
  for (guint i = 0; i < o->replaced->len; i++)
    {
      FdOtaCampaign *other = g_hash_table_lookup (ota->campaigns, o->replaced->pdata[i]);
      if (other != NULL)
        other->last_step_ms = 0;
    }
  /* The moves make events; the counts come from the job's own reading (@o->after, or what
   * fd_ota_track() was given), which has them already. */
  for (guint i = 0; i < o->moves->len; i++)
    {
      const FdOtaMove *m = &g_array_index (o->moves, FdOtaMove, i);
      fd_ota_publish_target (ota, oc, m->device_id, m->to, m->progress);
    }
  if (o->after != NULL)
    {
      FdCampaign *old = oc->c;

      /* The table's key is the campaign's own id string: rekeyed before the old one goes. */
      g_hash_table_steal (ota->campaigns, old->id);
      oc->c = g_steal_pointer (&o->after);
      g_hash_table_insert (ota->campaigns, oc->c->id, oc);
      fd_campaign_free (old);
      oc->next_deadline = o->next_deadline;
    }
  if (state_changed)
    oc->last_event_ms = 0;
  oc->dirty = TRUE;
  fd_ota_publish_campaign (ota, oc);
}

void
fd_ota_evaluate (FdOta *ota, FdOtaCampaign *oc, gboolean tick)
{
  g_autofree char *reason = NULL;
  gboolean final = !g_str_equal (oc->c->state, "running") && !g_str_equal (oc->c->state, "paused");

  if (oc->jobs > 0 || ota->closing)
    return;
  if (final && fd_ota_in_flight (oc->c) == 0 && oc->next_deadline == 0)
    {
      if (oc->dirty)
        {
          oc->last_event_ms = 0;
          fd_ota_publish_campaign (ota, oc);
        }
      g_hash_table_remove (ota->campaigns, oc->c->id);
      return;
    }
  if (fd_ota_decide (oc->c, fd_now_ms (), &reason) != FD_OTA_STEP_NONE
      || (oc->next_deadline != 0 && fd_now_ms () >= oc->next_deadline)
      || (final && fd_ota_in_flight (oc->c) == 0)
      || (tick && fd_now_ms () - oc->last_step_ms >= FD_OTA_RESYNC_MS))
    fd_ota_step_run (ota, oc);
  else if (tick && oc->dirty)
    fd_ota_publish_campaign (ota, oc);
}

static gboolean
tick (gpointer data)
{
  FdOta *ota = data;
  g_autoptr (GPtrArray) all = fd_ota_campaigns_snapshot (ota);

  for (guint i = 0; i < all->len; i++)
    fd_ota_evaluate (ota, g_ptr_array_index (all, i), TRUE);
  return G_SOURCE_CONTINUE;
}

/* Start-up */

typedef struct
{
  FdOta *ota;
  GPtrArray *loaded; /* FdCampaign* */
  GPtrArray *fota;   /* char* (or NULL) */
  GArray *deadlines; /* gint64 */
} LoadJob;

static gboolean
load_job (FdDb *db, gpointer data, GError **error)
{
  LoadJob *job = data;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (!fd_store_campaign_active_ids (db, ids, error))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      FdCampaign *c = fd_store_campaign_get (db, g_ptr_array_index (ids, i), error);
      g_autoptr (FdFirmwareRecord) fw = NULL;
      gint64 deadline = 0;

      if (c == NULL)
        return FALSE;
      g_ptr_array_add (job->loaded, c);
      fd_store_firmware_get (db, c->firmware_id, &fw, NULL);
      g_ptr_array_add (job->fota, fw ? fd_ota_fota_json (job->ota, c->id, fw) : NULL);
      if (!fd_store_campaign_next_deadline (db, c->id, c->stage, &deadline, error))
        return FALSE;
      g_array_append_val (job->deadlines, deadline);
    }
  return TRUE;
}

gboolean
fd_ota_start (FdOta *ota, GError **error)
{
  LoadJob job = { ota, g_ptr_array_new (), g_ptr_array_new (),
                  g_array_new (FALSE, FALSE, sizeof (gint64)) };
  gboolean ok = fd_store_read_sync (ota->store, load_job, &job, error);

  for (guint i = 0; i < job.loaded->len; i++)
    {
      if (ok)
        {
          FdOtaCampaign *oc = fd_ota_track (ota, g_ptr_array_index (job.loaded, i),
                                            g_ptr_array_index (job.fota, i));
          oc->next_deadline = g_array_index (job.deadlines, gint64, i);
        }
      else
        {
          fd_campaign_free (g_ptr_array_index (job.loaded, i));
          g_free (g_ptr_array_index (job.fota, i));
        }
    }
  g_ptr_array_unref (job.loaded);
  g_ptr_array_unref (job.fota);
  g_array_unref (job.deadlines);
  if (!ok)
    return FALSE;
  ota->tick_source = g_timeout_add (ota->tick_ms, tick, ota);
  return TRUE;
}
