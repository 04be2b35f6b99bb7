/* fd-campaign-create.c — making a campaign: its targets resolved from fleets and devices in a
 * stable spread order, its stages resolved to counts, and notifying a stage's targets (the
 * @fota entries of a whole stage in one store job, delivered after its commit). */
#include "config.h"

#include "fd-campaign-private.h"
#include "fd-util.h"

#include <math.h>
#include <string.h>

typedef struct
{
  char *device_id;
  char *firmware_version;
  guint64 hash;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *cd = data;

  g_free (cd->device_id);
  g_free (cd->firmware_version);
  g_free (cd);
}

/* FNV-1a, 64 bits: the order must stay the same across versions and machines (g_str_hash
 * promises neither), so a stage's sample is the same when a campaign is looked at again. */
static guint64
spread_hash (const char *s)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (; *s != '\0'; s++)
    {
      h ^= (guint8)*s;
      h *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return h;
}

static int
candidate_cmp (gconstpointer a, gconstpointer b)
{
  const Candidate *x = *(Candidate *const *)a, *y = *(Candidate *const *)b;

  if (x->hash != y->hash)
    return x->hash < y->hash ? -1 : 1;
  return strcmp (x->device_id, y->device_id);
}

static gboolean fail_invalid (FdOtaJob *job, const char *field, GError **error, const char *format,
                              ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail_invalid (FdOtaJob *job, const char *field, GError **error, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  job->field = field;
  g_propagate_error (error, g_error_new_valist (FD_OTA_ERROR, FD_OTA_ERROR_INVALID, format, ap));
  va_end (ap);
  return FALSE;
}

/* Adds @device_id (of @workspace_id, else INVALID naming @field) once. */
static gboolean
add_candidate (FdDb *db, FdOtaJob *job, GHashTable *seen, GPtrArray *into, const char *device_id,
               const char *field, GError **error)
{
  sqlite3_stmt *stmt;
  Candidate *cd;
  int rc;

  if (g_hash_table_contains (seen, device_id))
    return TRUE;
  stmt = fd_db_prepare (db, "SELECT workspace_id, firmware_version FROM device WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, device_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW
      || g_strcmp0 ((const char *)sqlite3_column_text (stmt, 0), job->spec->workspace_id) != 0)
    {
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          fd_db_set_error (db, error, "reading a device");
          return FALSE;
        }
      return fail_invalid (job, field, error, "%s: device %s does not exist in workspace %s", field,
                           device_id, job->spec->workspace_id);
    }
  cd = g_new0 (Candidate, 1);
  cd->device_id = g_strdup (device_id);
  cd->firmware_version = fd_db_column_dup (stmt, 1);
  cd->hash = spread_hash (device_id);
  sqlite3_reset (stmt);
  g_hash_table_add (seen, cd->device_id);
  g_ptr_array_add (into, cd);
  return TRUE;
}

static gboolean
resolve_targets (FdDb *db, FdOtaJob *job, GPtrArray *into, GError **error)
{
  FdOtaSpec *spec = job->spec;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; spec->fleets != NULL && spec->fleets[i] != NULL; i++)
    {
      g_autoptr (FdFleet) f = fd_store_fleet_get (db, spec->fleets[i], NULL);
      g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

      if (f == NULL || !g_str_equal (f->workspace_id, spec->workspace_id))
        return fail_invalid (job, "fleets", error,
                             "fleets: fleet %s does not exist in workspace %s", spec->fleets[i],
                             spec->workspace_id);
      if (!fd_store_device_ids (db, NULL, f->id, ids, error))
        return FALSE;
      for (guint k = 0; k < ids->len; k++)
        if (!add_candidate (db, job, seen, into, g_ptr_array_index (ids, k), "fleets", error))
          return FALSE;
      if (into->len > FD_CAMPAIGN_MAX_TARGETS)
        break;
    }
  for (guint i = 0; spec->devices != NULL && spec->devices[i] != NULL; i++)
    if (!add_candidate (db, job, seen, into, spec->devices[i], "devices", error))
      return FALSE;
  if (into->len == 0)
    return fail_invalid (job, "targets", error,
                         "the campaign has no targets: give devices, or fleets that have devices");
  if (into->len > FD_CAMPAIGN_MAX_TARGETS)
    return fail_invalid (job, "targets", error,
                         "the campaign has %u targets; a campaign may have at most %d", into->len,
                         FD_CAMPAIGN_MAX_TARGETS);
  g_ptr_array_sort (into, candidate_cmp);
  return TRUE;
}

/* A stage's end as a count of targets: percent rounds up, so 5% of 10 devices is 1. */
static gint64
stage_end (const FdCampaignStage *st, gint64 n)
{
  if (st->is_count)
    return MIN (st->value, n);
  return (st->value * n + 99) / 100;
}

static gboolean
resolve_stages (FdOtaJob *job, FdCampaign *c, gint64 n, GError **error)
{
  gint64 previous = 0;

  c->n_stages = job->spec->n_stages;
  for (guint i = 0; i < c->n_stages; i++)
    {
      FdCampaignStage *st = &c->stages[i];
      gint64 end;

      *st = job->spec->stages[i];
      end = stage_end (st, n);
      if (end < previous)
        return fail_invalid (job, "stages", error,
                             "stages are cumulative: stage %u reaches %" G_GINT64_FORMAT
                             " of the %" G_GINT64_FORMAT
                             " targets, fewer than the %" G_GINT64_FORMAT " of stage %u before it",
                             i + 1, end, n, previous, i);
      st->devices = end - previous;
      st->started_at = 0;
      previous = end;
    }
  return TRUE;
}

gboolean
fd_ota_notify_stage (FdDb *db, FdCampaign *c, const char *fota_json, gint64 now, FdOtaOutcome *o,
                     GError **error)
{
  g_autoptr (GPtrArray) queued
      = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_campaign_target_free);
  sqlite3_stmt *stmt;

  if (!fd_store_campaign_targets_in (db, c->id, c->stage, FD_TARGET_QUEUED, queued, error))
    return FALSE;
  for (guint i = 0; i < queued->len; i++)
    {
      FdCampaignTarget *t = g_ptr_array_index (queued, i);
      g_autoptr (GError) local = NULL;
      gint64 entry_t = 0;

      stmt = fd_db_prepare (db, "SELECT firmware_version FROM device WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, t->device_id);
      g_free (t->from_version);
      t->from_version = sqlite3_step (stmt) == SQLITE_ROW ? fd_db_column_dup (stmt, 0) : NULL;
      sqlite3_reset (stmt);
      t->notified_at = now;
      t->updated_at = now;
      t->attempts++;
      if (fota_json == NULL)
        {
          t->state = FD_TARGET_FAILED;
          t->message = g_strdup ("the campaign's firmware was deleted");
          t->finished_at = now;
        }
      else if (!fd_downlink_store_entry (db, t->device_id, "@fota", fota_json, &entry_t, &local))
        {
          if (!g_error_matches (local, FD_DOWNLINK_ERROR, FD_DOWNLINK_ERROR_FULL))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          t->state = FD_TARGET_FAILED;
          t->message = g_strdup (local->message);
          t->finished_at = now;
        }
      else
        {
          if (!fd_store_campaign_target_replace (db, t->device_id, c->id, now, o->replaced, error))
            return FALSE;
          t->state = FD_TARGET_NOTIFIED;
          t->deadline = now + c->device_timeout_s * 1000;
          g_ptr_array_add (o->delivered, g_strdup (t->device_id));
          g_array_append_val (o->delivered_t, entry_t);
        }
      if (!fd_store_campaign_target_update (db, t, error))
        return FALSE;
      fd_ota_move_add (o->moves, t->device_id, t->stage, FD_TARGET_QUEUED, t->state, 0);
    }
  return TRUE;
}

static gboolean
create_job (FdDb *db, gpointer data, GError **error)
{
  FdOtaJob *job = data;
  FdOtaSpec *spec = job->spec;
  g_autoptr (FdFirmwareRecord) fw = NULL;
  g_autoptr (GPtrArray) targets = g_ptr_array_new_with_free_func (candidate_free);
  g_autoptr (FdCampaign) c = g_new0 (FdCampaign, 1);
  g_autoptr (GString) asked = g_string_new ("{\"fleets\":[");
  g_autoptr (GError) local = NULL;
  gint64 end = 0;
  guint stage = 0;

  if (!fd_store_workspace_exists (db, spec->workspace_id, error))
    return FALSE;
  if (!fd_store_firmware_get (db, spec->firmware_id, &fw, &local))
    {
      if (!g_error_matches (local, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return fail_invalid (job, "firmware_id", error, "firmware %s does not exist",
                           spec->firmware_id);
    }
  if (!g_str_equal (fw->workspace_id, spec->workspace_id))
    return fail_invalid (job, "firmware_id", error,
                         "firmware %s belongs to another workspace than %s", spec->firmware_id,
                         spec->workspace_id);
  if (!resolve_targets (db, job, targets, error))
    return FALSE;

  c->id = g_strdup (spec->id);
  c->workspace_id = g_strdup (spec->workspace_id);
  c->name = g_strdup (spec->name ? spec->name : fw->version);
  c->firmware_id = g_strdup (fw->id);
  c->firmware_version = g_strdup (fw->version);
  c->state = g_strdup ("running");
  c->actor = g_strdup (spec->actor);
  for (guint i = 0; spec->fleets != NULL && spec->fleets[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (asked, ',');
      fd_json_append_string (asked, spec->fleets[i], strlen (spec->fleets[i]), FALSE);
    }
  g_string_append (asked, "],\"devices\":[");
  for (guint i = 0; spec->devices != NULL && spec->devices[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (asked, ',');
      fd_json_append_string (asked, spec->devices[i], strlen (spec->devices[i]), FALSE);
    }
  g_string_append (asked, "],\"firmware_version\":");
  fd_json_append_string (asked, fw->version, strlen (fw->version), FALSE);
  g_string_append_c (asked, '}');
  c->targets_json = g_strdup (asked->str);
  if (!resolve_stages (job, c, targets->len, error))
    return FALSE;
  c->stage = 0;
  c->stage_started_at = job->now;
  c->stages[0].started_at = job->now;
  c->min_wait_s = spec->min_wait_s;
  c->success_threshold = spec->success_threshold;
  c->failure_threshold = spec->failure_threshold;
  c->failure_min = spec->failure_min;
  c->device_timeout_s = spec->device_timeout_s;
  c->only_outdated = spec->only_outdated;
  c->created_at = c->updated_at = job->now;
  if (!fd_store_campaign_insert (db, c, error))
    return FALSE;

  end = c->stages[0].devices;
  for (guint i = 0; i < targets->len; i++)
    {
      const Candidate *cd = g_ptr_array_index (targets, i);
      FdCampaignTarget t = { .campaign_id = c->id, .device_id = cd->device_id };
      g_autofree char *message = NULL;

      while (i >= end && stage + 1 < c->n_stages)
        end += c->stages[++stage].devices;
      t.stage = (int)stage;
      t.updated_at = job->now;
      t.from_version = cd->firmware_version;
      if (spec->only_outdated && g_strcmp0 (cd->firmware_version, fw->version) == 0)
        {
          t.state = FD_TARGET_SKIPPED;
          t.message = message = g_strdup_printf ("already runs %s", fw->version);
          t.finished_at = job->now;
        }
      if (!fd_store_campaign_target_insert (db, &t, (gint64)i, error))
        return FALSE;
    }

  job->fota_json = fd_ota_fota_json (job->ota, c->id, fw);
  if (!fd_ota_notify_stage (db, c, job->fota_json, job->now, &job->o, error))
    return FALSE;
  if (job->also != NULL && !job->also (db, job->also_data, error))
    return FALSE;
  job->o.after = fd_store_campaign_get (db, c->id, error);
  job->reply = job->o.after ? fd_store_campaign_get (db, c->id, error) : NULL;
  if (job->reply == NULL)
    return FALSE;
  job->state_changed = TRUE;
  return fd_store_campaign_next_deadline (db, c->id, 0, &job->o.next_deadline, error);
}

void
fd_ota_create_async (FdOta *ota, FdOtaSpec *spec, FdStoreFunc also, gpointer also_data,
                     GDestroyNotify also_destroy, GAsyncReadyCallback callback, gpointer user_data)
{
  FdOtaJob *job = fd_ota_job_new (ota, FD_OTA_JOB_CREATE, spec->id);

  job->spec = spec;
  job->also = also;
  job->also_data = also_data;
  job->also_destroy = also_destroy;
  job->task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (job->task, fd_ota_create_async);
  fd_ota_job_run (job, create_job);
}

FdCampaign *
fd_ota_create_finish (GAsyncResult *result, const char **field, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  if (field != NULL)
    *field = g_task_get_task_data (G_TASK (result));
  return g_task_propagate_pointer (G_TASK (result), error);
}
