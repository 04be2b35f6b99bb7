/* fd-campaign-rules.c — what a campaign does next: the rules judged on its counts, and the
 * store jobs that act on them (a step: timeouts, then advance, abort or complete; pause,
 * resume and abort by hand). Each job re-reads the counts it decides on. */
#include "config.h"

#include "fd-campaign-private.h"
#include "fd-util.h"

/* The rules (docs/rest-api.md "Campaigns") */

gint64
fd_ota_in_flight (const FdCampaign *c)
{
  gint64 n = 0;

  for (int s = FD_TARGET_NOTIFIED; s <= FD_TARGET_TESTING; s++)
    n += c->counts[c->stage][s];
  return n;
}

FdOtaStep
fd_ota_decide (const FdCampaign *c, gint64 now, char **reason)
{
  gint64 failures = 0, succeeded = 0, finished, open = 0, stage_total = 0, k = c->stage;
  const gint64 *sc = c->counts[k];

  *reason = NULL;
  if (!g_str_equal (c->state, "running"))
    return FD_OTA_STEP_NONE;
  for (guint s = 0; s < c->n_stages; s++)
    {
      failures += c->counts[s][FD_TARGET_FAILED] + c->counts[s][FD_TARGET_REVERTED]
                  + c->counts[s][FD_TARGET_TIMED_OUT];
      succeeded += c->counts[s][FD_TARGET_SUCCEEDED];
    }
  finished = failures + succeeded;
  if (finished >= c->failure_min && finished > 0
      && (double)failures * 100.0 / (double)finished > c->failure_threshold)
    {
      *reason = g_strdup_printf ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                                 " devices failed (%.0f%%), over the %g%% threshold",
                                 failures, finished, (double)failures * 100.0 / (double)finished,
                                 c->failure_threshold);
      return FD_OTA_STEP_ABORT;
    }
  for (int s = 0; s < FD_TARGET_N_STATES; s++)
    {
      stage_total += sc[s];
      if (!fd_target_state_is_final (s))
        open += sc[s];
    }
  if (open > 0)
    return FD_OTA_STEP_NONE;
  stage_total -= sc[FD_TARGET_SKIPPED];
  if (stage_total > 0
      && (double)sc[FD_TARGET_SUCCEEDED] * 100.0 / (double)stage_total < c->success_threshold)
    {
      *reason = g_strdup_printf ("stage %" G_GINT64_FORMAT ": %.0f%% succeeded, under the %g%% "
                                 "needed",
                                 k + 1, (double)sc[FD_TARGET_SUCCEEDED] * 100.0 / stage_total,
                                 c->success_threshold);
      return FD_OTA_STEP_ABORT;
    }
  if (k + 1 >= (gint64)c->n_stages)
    return FD_OTA_STEP_COMPLETE;
  if (now < c->stage_started_at + c->min_wait_s * 1000)
    return FD_OTA_STEP_NONE;
  return FD_OTA_STEP_NEXT;
}

gboolean
fd_ota_abort_campaign (FdDb *db, FdCampaign *c, const char *reason, gint64 now, FdOtaOutcome *o,
                       GError **error)
{
  for (guint s = 0; s < c->n_stages; s++)
    {
      g_autoptr (GPtrArray) queued
          = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_campaign_target_free);

      if (!fd_store_campaign_targets_in (db, c->id, (int)s, FD_TARGET_QUEUED, queued, error))
        return FALSE;
      for (guint i = 0; i < queued->len; i++)
        {
          FdCampaignTarget *t = g_ptr_array_index (queued, i);
          t->state = FD_TARGET_SKIPPED;
          g_free (t->message);
          t->message = g_strdup ("campaign aborted");
          t->finished_at = now;
          t->updated_at = now;
          if (!fd_store_campaign_target_update (db, t, error))
            return FALSE;
          fd_ota_move_add (o->moves, t->device_id, t->stage, FD_TARGET_QUEUED, FD_TARGET_SKIPPED,
                           0);
        }
    }
  g_free (c->state);
  c->state = g_strdup ("aborted");
  g_free (c->reason);
  c->reason = g_strdup (reason);
  c->finished_at = now;
  c->updated_at = now;
  return fd_store_campaign_update (db, c, error);
}

/* Reads what the job leaves behind: the campaign for the engine and one for the caller. */
static gboolean
read_after (FdDb *db, FdOtaJob *job, const char *id, GError **error)
{
  job->o.after = fd_store_campaign_get (db, id, error);
  if (job->o.after == NULL)
    return FALSE;
  if (job->task != NULL && (job->reply = fd_store_campaign_get (db, id, error)) == NULL)
    return FALSE;
  return fd_store_campaign_next_deadline (db, id, job->o.after->stage, &job->o.next_deadline,
                                          error);
}

/* A step: devices past their deadline time out, then the campaign does what the rules say,
 * judged on the counts of this very job. */
static gboolean
step_job (FdDb *db, gpointer data, GError **error)
{
  FdOtaJob *job = data;
  g_autoptr (FdCampaign) c = fd_store_campaign_get (db, job->campaign_id, error);
  g_autoptr (GPtrArray) due
      = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_campaign_target_free);

  if (c == NULL || !fd_store_campaign_targets_due (db, c->id, c->stage, job->now, due, error))
    return FALSE;
  for (guint i = 0; i < due->len; i++)
    {
      FdCampaignTarget *t = g_ptr_array_index (due, i);
      FdTargetState from = t->state;

      if (!fd_downlink_drop_entry (db, t->device_id, "@fota", error))
        return FALSE;
      t->state = FD_TARGET_TIMED_OUT;
      g_free (t->message);
      t->message
          = g_strdup_printf ("no final answer within %" G_GINT64_FORMAT " s", c->device_timeout_s);
      t->finished_at = job->now;
      t->updated_at = job->now;
      if (!fd_store_campaign_target_update (db, t, error))
        return FALSE;
      fd_ota_move_add (job->o.moves, t->device_id, t->stage, from, FD_TARGET_TIMED_OUT,
                       t->progress);
    }
  if (due->len > 0 && !fd_store_campaign_counts (db, c, error))
    return FALSE;

  /* An empty (or all skipped) stage passes at once: at most one pass per stage. */
  for (guint pass = 0; pass <= c->n_stages; pass++)
    {
      g_autofree char *reason = NULL;
      FdOtaStep step = fd_ota_decide (c, job->now, &reason);

      if (step == FD_OTA_STEP_NONE)
        break;
      job->state_changed = TRUE;
      if (step == FD_OTA_STEP_ABORT)
        {
          if (!fd_ota_abort_campaign (db, c, reason, job->now, &job->o, error))
            return FALSE;
          break;
        }
      if (step == FD_OTA_STEP_COMPLETE)
        {
          g_free (c->state);
          c->state = g_strdup ("completed");
          c->finished_at = job->now;
          c->updated_at = job->now;
          if (!fd_store_campaign_update (db, c, error))
            return FALSE;
          break;
        }
      c->stage++;
      c->stage_started_at = job->now;
      c->stages[c->stage].started_at = job->now;
      c->updated_at = job->now;
      if (!fd_store_campaign_update (db, c, error)
          || !fd_ota_notify_stage (db, c, job->fota_json, job->now, &job->o, error)
          || !fd_store_campaign_counts (db, c, error))
        return FALSE;
    }
  return read_after (db, job, c->id, error);
}

/* pause / resume / abort by hand */
static gboolean
control_job (FdDb *db, gpointer data, GError **error)
{
  FdOtaJob *job = data;
  g_autoptr (FdCampaign) c = fd_store_campaign_get (db, job->campaign_id, error);
  static const char *const verbs[] = { "paused", "resumed", "aborted" };
  gboolean running, paused;

  if (c == NULL)
    return FALSE;
  running = g_str_equal (c->state, "running");
  paused = g_str_equal (c->state, "paused");
  if ((job->action == FD_OTA_PAUSE && !running) || (job->action == FD_OTA_RESUME && !paused)
      || (job->action == FD_OTA_ABORT && !running && !paused))
    {
      g_set_error (error, FD_OTA_ERROR, FD_OTA_ERROR_CONFLICT,
                   "campaign %s is %s; only a %s campaign can be %s", c->id, c->state,
                   job->action == FD_OTA_PAUSE    ? "running"
                   : job->action == FD_OTA_RESUME ? "paused"
                                                  : "running or paused",
                   verbs[job->action]);
      return FALSE;
    }
  job->state_changed = TRUE;
  if (job->action == FD_OTA_ABORT)
    {
      if (!fd_ota_abort_campaign (db, c, "aborted by hand", job->now, &job->o, error))
        return FALSE;
    }
  else
    {
      g_free (c->state);
      c->state = g_strdup (job->action == FD_OTA_PAUSE ? "paused" : "running");
      c->updated_at = job->now;
      if (!fd_store_campaign_update (db, c, error))
        return FALSE;
    }
  if (job->also != NULL && !job->also (db, job->also_data, error))
    return FALSE;
  return read_after (db, job, c->id, error);
}

void
fd_ota_control_async (FdOta *ota, const char *campaign_id, FdOtaAction action, FdStoreFunc also,
                      gpointer also_data, GDestroyNotify also_destroy, GAsyncReadyCallback callback,
                      gpointer user_data)
{
  FdOtaJob *job = fd_ota_job_new (ota, FD_OTA_JOB_CONTROL, campaign_id);

  job->action = action;
  job->also = also;
  job->also_data = also_data;
  job->also_destroy = also_destroy;
  job->task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (job->task, fd_ota_control_async);
  fd_ota_job_run (job, control_job);
}

FdCampaign *
fd_ota_control_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
fd_ota_step_run (FdOta *ota, FdOtaCampaign *oc)
{
  FdOtaJob *job = fd_ota_job_new (ota, FD_OTA_JOB_STEP, oc->c->id);

  oc->last_step_ms = job->now;
  job->fota_json = g_strdup (oc->fota_json);
  fd_ota_job_run (job, step_job);
}
