/* fd-campaign-up.c — what a device says about its update: _fota_status (progress), the final
 * @fota (success, fail, reverted), __info (its firmware version, and a revert when it comes
 * back with the old one after installing), and #fota_info (the @fota value again). Each report
 * is stored with the target's new state in the same savepoint: one small write per report. */
#include "config.h"

#include "fd-campaign-private.h"
#include "fd-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef enum
{
  REPORT_FINAL,  /* @fota */
  REPORT_STATUS, /* _fota_status */
  REPORT_INFO,   /* __info */
} ReportKind;

typedef struct
{
  char *device_id;
  ReportKind kind;
  int to;          /* the state the report asks for; -1: none */
  gint64 progress; /* -1: not given */
  char *message;
  char *fw;         /* __info.fw */
  char *fw_version; /* the version a _fota_status or @fota is about */
  /* what the writer did */
  gboolean moved;
  char *campaign_id;
  int stage;
  FdTargetState from;
  FdTargetState state;
  gint64 new_progress;
  gint64 old_progress;
} Report;

static void
report_free (gpointer data)
{
  Report *r = data;

  g_free (r->device_id);
  g_free (r->message);
  g_free (r->fw);
  g_free (r->fw_version);
  g_free (r->campaign_id);
  g_free (r);
}

/* @obj's member @name when it is a string, else NULL. */
static const char *
string_member (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Reads what the report says; a value of another shape is stored and moves nothing. */
static void
report_parse (Report *r, const char *value_json)
{
  g_autoptr (JsonNode) node = json_from_string (value_json, NULL);
  JsonObject *obj = node && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *text;

  r->to = -1;
  r->progress = -1;
  if (obj == NULL)
    return;
  if (r->kind == REPORT_INFO)
    {
      r->fw = g_strdup (string_member (obj, "fw"));
      return;
    }
  r->fw_version = g_strdup (string_member (obj, "fw_version"));
  if (r->kind == REPORT_FINAL)
    {
      text = string_member (obj, "result");
      if (g_strcmp0 (text, "success") == 0)
        r->to = FD_TARGET_SUCCEEDED;
      else if (g_strcmp0 (text, "fail") == 0)
        r->to = FD_TARGET_FAILED;
      else if (g_strcmp0 (text, "reverted") == 0)
        r->to = FD_TARGET_REVERTED;
      text = string_member (obj, "msg");
      if (text != NULL && *text != '\0')
        r->message = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 500));
      if (r->to == FD_TARGET_SUCCEEDED)
        r->progress = 100;
      return;
    }
  {
    JsonNode *progress = json_object_get_member (obj, "progress");
    int s = fd_target_state_from_name (string_member (obj, "state"));

    if (s >= FD_TARGET_DOWNLOADING && s <= FD_TARGET_TESTING)
      r->to = s;
    if (progress != NULL && JSON_NODE_HOLDS_VALUE (progress)
        && (json_node_get_value_type (progress) == G_TYPE_INT64
            || json_node_get_value_type (progress) == G_TYPE_DOUBLE))
      r->progress = CLAMP ((gint64)json_node_get_double (progress), 0, 100);
  }
}

/* FALSE when the report names a version (fw_version) other than the one @t's campaign rolls
 * out: a device still on an older campaign's update does not move the newer one's target. */
static gboolean
report_is_for (FdDb *db, const Report *r, const FdCampaignTarget *t, gboolean *is_for,
               GError **error)
{
  sqlite3_stmt *stmt;

  *is_for = TRUE;
  if (r->fw_version == NULL)
    return TRUE;
  /* Two primary-key lookups (the targets column holds the whole device list: no JSON here). A
   * firmware deleted under an aborted campaign leaves no version to compare: the report counts. */
  stmt = fd_db_prepare (db,
                        "SELECT f.version FROM campaign c JOIN firmware f ON f.id = c.firmware_id"
                        " WHERE c.id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, t->campaign_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    *is_for = g_strcmp0 ((const char *)sqlite3_column_text (stmt, 0), r->fw_version) == 0;
  sqlite3_reset (stmt);
  return TRUE;
}

/* On the writer, after the report is stored. */
static gboolean
report_also (FdDb *db, gpointer data, GError **error)
{
  Report *r = data;
  g_autoptr (FdCampaignTarget) t = NULL;
  gint64 now = fd_now_ms ();
  int to = r->to;

  if (r->fw != NULL)
    {
      sqlite3_stmt *stmt = fd_db_prepare (
          db,
          "UPDATE device SET firmware_version = ?2 WHERE id = ?1 AND firmware_version IS NOT ?2",
          error);
      if (stmt == NULL)
        return FALSE;
      fd_db_bind_text (stmt, 1, r->device_id);
      fd_db_bind_text (stmt, 2, r->fw);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
    }
  if (to < 0 && r->kind != REPORT_INFO && r->progress < 0)
    return TRUE;
  t = fd_store_campaign_target_active (db, r->device_id, error);
  if (t == NULL)
    return error == NULL || *error == NULL;
  /* ZDM §6.1 step 8: back on the old version after it said installing or testing. */
  if (r->kind == REPORT_INFO)
    {
      if (r->fw == NULL || t->from_version == NULL || !g_str_equal (r->fw, t->from_version)
          || (t->state != FD_TARGET_INSTALLING && t->state != FD_TARGET_TESTING))
        return TRUE;
      to = FD_TARGET_REVERTED;
      g_free (r->message);
      r->message = g_strdup_printf ("the device came back with version %s", r->fw);
    }
  {
    gboolean is_for = TRUE;
    if (!report_is_for (db, r, t, &is_for, error))
      return FALSE;
    if (!is_for)
      return TRUE;
  }
  r->campaign_id = g_strdup (t->campaign_id);
  r->stage = t->stage;
  r->from = t->state;
  r->old_progress = t->progress;
  if (to >= 0)
    t->state = to;
  if (r->progress >= 0)
    t->progress = r->progress;
  if (t->state == r->from && t->progress == r->old_progress)
    return TRUE;
  if (fd_target_state_is_final (t->state))
    {
      t->finished_at = now;
      g_free (t->message);
      t->message = g_strdup (r->message                     ? r->message
                             : t->state == FD_TARGET_FAILED ? "the device reported a failure"
                                                            : NULL);
      /* A reverted device must not find @fota again and retry on its own. */
      if (t->state == FD_TARGET_REVERTED
          && !fd_downlink_drop_entry (db, r->device_id, "@fota", error))
        return FALSE;
    }
  t->updated_at = now;
  if (t->state == r->from ? !fd_store_campaign_target_progress (db, t, error)
                          : !fd_store_campaign_target_update (db, t, error))
    return FALSE;
  r->moved = TRUE;
  r->state = t->state;
  r->new_progress = t->progress;
  return TRUE;
}

typedef struct
{
  FdOta *ota;
  Report *report; /* the ingest job's also data: valid until the callback returns */
  GTask *task;
} UpCall;

/* After the commit: the counts and events of the target's campaign. */
static void
report_apply (FdOta *ota, Report *r)
{
  FdOtaCampaign *oc;

  if (!r->moved)
    return;
  oc = g_hash_table_lookup (ota->campaigns, r->campaign_id);
  if (oc == NULL)
    return;
  if (r->from != r->state)
    {
      if (r->stage >= 0 && r->stage < FD_CAMPAIGN_MAX_STAGES)
        {
          oc->c->counts[r->stage][r->from]--;
          oc->c->counts[r->stage][r->state]++;
        }
      fd_ota_publish_target (ota, oc, r->device_id, r->state, r->new_progress);
    }
  else if (r->new_progress / 10 != r->old_progress / 10)
    fd_ota_publish_target (ota, oc, r->device_id, r->state, r->new_progress);
  oc->dirty = TRUE;
  fd_ota_publish_campaign (ota, oc);
  /* Last: it may stop following the campaign (and free @oc). */
  if (r->from != r->state)
    fd_ota_evaluate (ota, oc, FALSE);
}

static void
up_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  UpCall *call = user_data;
  GError *error = NULL;

  gboolean live = fd_ota_release (call->ota);

  if (!fd_ingest_up_finish (result, &error))
    g_task_return_error (call->task, error);
  else
    {
      if (live)
        report_apply (call->ota, call->report);
      g_task_return_boolean (call->task, TRUE);
    }
  g_object_unref (call->task);
  g_free (call);
}

void
fd_ota_up_async (FdOta *ota, FdIngest *ingest, FdDeviceIdentity *who, const char *key,
                 const char *value_json, GAsyncReadyCallback cb, gpointer data)
{
  UpCall *call = g_new0 (UpCall, 1);
  Report *r = g_new0 (Report, 1);

  call->ota = ota;
  call->report = r;
  call->task = g_task_new (NULL, NULL, cb, data);
  g_task_set_source_tag (call->task, fd_ota_up_async);
  r->device_id = g_strdup (who->device_id);
  r->kind = g_str_equal (key, "@fota")          ? REPORT_FINAL
            : g_str_equal (key, "_fota_status") ? REPORT_STATUS
                                                : REPORT_INFO;
  report_parse (r, value_json);
  fd_ota_hold (ota);
  fd_ingest_up_full_async (ingest, who, key, value_json, report_also, r, report_free, up_done,
                           call);
}

gboolean
fd_ota_up_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* #fota_info: the device's @fota entry, as it is in its expected map. */

typedef struct
{
  char *device_id;
  char *value;
} InfoJob;

static void
info_job_free (gpointer data)
{
  InfoJob *job = data;

  g_free (job->device_id);
  g_free (job->value);
  g_free (job);
}

static gboolean
info_job (FdDb *db, gpointer data, GError **error)
{
  InfoJob *job = data;
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "SELECT value FROM device_expected WHERE device_id = ?1 AND key = '@fota'", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, job->device_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    job->value = fd_db_column_dup (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      fd_db_set_error (db, error, "reading the device's expected map");
      return FALSE;
    }
  return TRUE;
}

static void
info_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  InfoJob *job = fd_store_run_get_data (result);
  GError *error = NULL;

  if (!fd_store_run_finish (result, &error))
    g_task_return_error (task, error);
  else if (job->value == NULL)
    g_task_return_new_error (task, FD_OTA_ERROR, FD_OTA_ERROR_NOT_FOUND,
                             "there is no firmware update for device %s", job->device_id);
  else
    g_task_return_pointer (task, g_steal_pointer (&job->value), g_free);
  g_object_unref (task);
}

void
fd_ota_fota_info_async (FdOta *ota, FdDeviceIdentity *who, const char *value_json,
                        GAsyncReadyCallback cb, gpointer data)
{
  GTask *task = g_task_new (NULL, NULL, cb, data);
  InfoJob *job = g_new0 (InfoJob, 1);

  (void)value_json;
  g_task_set_source_tag (task, fd_ota_fota_info_async);
  job->device_id = g_strdup (who->device_id);
  fd_store_read_async (ota->store, info_job, job, info_job_free, info_done, task);
}

char *
fd_ota_fota_info_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
