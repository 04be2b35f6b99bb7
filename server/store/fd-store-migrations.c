/* fd-store-migrations.c — versioned schema migrations.
 *
 * The schema version is SQLite's user_version. Each migration runs in its own transaction, so a
 * database is always at one version or the next, never in between. Migrations are only ever
 * appended: an existing one is never edited once released, because databases made by it exist.
 */
#include "fd-store.h"

static const char *const migrations[] = {
  /* 1: workspaces, fleets, devices, API tokens */
  "CREATE TABLE workspace ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE fleet ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  description TEXT NOT NULL DEFAULT '',"
  "  is_default INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  UNIQUE (workspace_id, name),"
  "  UNIQUE (id, workspace_id)"
  ");"
  "CREATE UNIQUE INDEX fleet_one_default ON fleet (workspace_id) WHERE is_default;"
  /* A device's fleet must be in the device's workspace: the composite key makes SQLite check it. */
  "CREATE TABLE device ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  fleet_id TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  last_seen INTEGER,"
  "  online INTEGER NOT NULL DEFAULT 0,"
  "  firmware_version TEXT,"
  "  UNIQUE (workspace_id, name),"
  "  FOREIGN KEY (fleet_id, workspace_id) REFERENCES fleet (id, workspace_id) ON DELETE CASCADE"
  ");"
  "CREATE INDEX device_fleet ON device (fleet_id, name);"
  "CREATE TABLE api_token ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  hash TEXT NOT NULL UNIQUE,"
  "  created_at INTEGER NOT NULL,"
  "  last_used_at INTEGER,"
  "  revoked_at INTEGER"
  ");",

  /* 2: the audit log, and indexes for the device list's other sort orders */
  "CREATE TABLE audit ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  target TEXT NOT NULL,"
  "  detail TEXT NOT NULL DEFAULT '{}'"
  ");"
  "CREATE INDEX audit_target ON audit (target);"
  "CREATE INDEX device_created ON device (workspace_id, created_at);"
  "CREATE INDEX device_last_seen ON device (workspace_id, last_seen);",

  /* 3: device search reads a covering index of case-folded names (fd_fold, see fd-db.c) */
  "ALTER TABLE device ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';"
  "UPDATE device SET name_fold = fd_fold (name);"
  "CREATE INDEX device_search ON device (workspace_id, name, fleet_id, name_fold);",

  /* 4: credentials, and what devices send: samples, numeric points, fields per tag, reports.
   * A stream is one (device, fleet, tag) as data arrives; samples and point series refer to it
   * by a small integer that is never reused (AUTOINCREMENT), so the append-only sample rows stay
   * short and a deleted device's data still says whose it was. */
  "CREATE TABLE credential ("
  "  id TEXT PRIMARY KEY,"
  "  device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,"
  "  kind TEXT NOT NULL CHECK (kind IN ('generated', 'csr', 'certificate', 'key')),"
  "  fingerprint TEXT,"
  "  certificate TEXT,"
  "  subject TEXT,"
  "  issuer TEXT,"
  "  key_id INTEGER,"
  "  mode TEXT CHECK (mode IN ('device_token', 'cloud_token')),"
  "  secret BLOB,"
  "  secret_hash TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER,"
  "  revoked_at INTEGER,"
  "  UNIQUE (device_id, key_id)"
  ");"
  "CREATE INDEX credential_device ON credential (device_id, created_at);"
  "CREATE UNIQUE INDEX credential_live_fingerprint ON credential (fingerprint)"
  "  WHERE fingerprint IS NOT NULL AND revoked_at IS NULL;"
  "CREATE UNIQUE INDEX credential_token ON credential (secret_hash) WHERE secret_hash IS NOT NULL;"
  "CREATE TABLE stream ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  workspace_id TEXT NOT NULL,"
  "  fleet_id TEXT NOT NULL,"
  "  device_id TEXT NOT NULL,"
  "  tag TEXT NOT NULL,"
  "  first_seen INTEGER NOT NULL,"
  "  last_seen INTEGER NOT NULL,"
  "  readings INTEGER NOT NULL DEFAULT 0,"
  "  last_sample INTEGER,"
  "  UNIQUE (device_id, tag, fleet_id)"
  ");"
  "CREATE INDEX stream_workspace_tag ON stream (workspace_id, tag);"
  "CREATE TABLE sample ("
  "  id INTEGER PRIMARY KEY,"
  "  stream INTEGER NOT NULL,"
  "  ts_device INTEGER NOT NULL,"
  "  ts_in INTEGER NOT NULL,"
  "  payload TEXT NOT NULL"
  ");"
  "CREATE TABLE series ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  stream INTEGER NOT NULL,"
  "  path TEXT NOT NULL,"
  "  UNIQUE (stream, path)"
  ");"
  /* Points arrive in point_recent, one append-only row per commit holding every point of it
   * ((series int64, ts_device int64, value double) triples after a one-byte format version),
   * and are moved in batches, in one transaction, into point_block: one row per series and
   * batch, n points packed as (ts_device int64, value double) pairs, indexed by series and
   * time. Every point is in exactly one of the two tables at any time. */
  "CREATE TABLE point_recent ("
  "  id INTEGER PRIMARY KEY,"
  "  t_in INTEGER NOT NULL,"
  "  n INTEGER NOT NULL,"
  "  data BLOB NOT NULL"
  ");"
  "CREATE TABLE point_block ("
  "  series INTEGER NOT NULL,"
  "  t_first INTEGER NOT NULL,"
  "  t_last INTEGER NOT NULL,"
  "  n INTEGER NOT NULL,"
  "  data BLOB NOT NULL"
  ");"
  "CREATE INDEX point_block_series ON point_block (series, t_first);"
  "CREATE TABLE tag_field ("
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  tag TEXT NOT NULL,"
  "  path TEXT NOT NULL,"
  "  type TEXT NOT NULL,"
  "  first_seen INTEGER NOT NULL,"
  "  PRIMARY KEY (workspace_id, tag, path, type)"
  ") WITHOUT ROWID;"
  "CREATE TABLE device_report ("
  "  device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,"
  "  key TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  t INTEGER NOT NULL,"
  "  PRIMARY KEY (device_id, key)"
  ") WITHOUT ROWID;",

  /* 5: MQTT connectivity. Conditions a device opens and closes (device times in epoch ms,
   * finish NULL while open); the down-messages the operator expects a device to take (its
   * "expected" map, answered in #status); where and how the device was last connected. */
  "CREATE TABLE condition ("
  "  device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,"
  "  uuid TEXT NOT NULL,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  fleet_id TEXT NOT NULL,"
  "  tag TEXT NOT NULL,"
  "  payload TEXT,"
  "  payloadf TEXT,"
  "  start INTEGER NOT NULL,"
  "  finish INTEGER,"
  "  opened_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  PRIMARY KEY (device_id, uuid)"
  ");"
  "CREATE INDEX condition_workspace ON condition (workspace_id, start);"
  "CREATE INDEX condition_open ON condition (workspace_id, start) WHERE finish IS NULL;"
  "CREATE TABLE device_expected ("
  "  device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,"
  "  key TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  t INTEGER NOT NULL,"
  "  PRIMARY KEY (device_id, key)"
  ") WITHOUT ROWID;"
  "ALTER TABLE device ADD COLUMN transport TEXT;"
  "ALTER TABLE device ADD COLUMN remote_address TEXT;"
  "ALTER TABLE device ADD COLUMN connected_at INTEGER;"
  "ALTER TABLE device ADD COLUMN disconnected_at INTEGER;",

  /* 6: time-series queries. Samples get an access path by stream and device time, written
   * when points are compacted (sample_ts, in (stream, ts_device) order: a page per stream per
   * compaction, not per reading); samples with an id above data_state 'sample_indexed' are the
   * tail not yet in it, read by rowid. Rollups per series and minute / hour cover exactly the
   * points that were compacted into point_block (never those still in point_recent), also
   * after raw retention deleted the points themselves. first/last: the point with the lowest /
   * highest ts_device; on a tie the one stored first / last. Retention per workspace, in days
   * (NULL: keep for ever). */
  "CREATE TABLE sample_ts ("
  "  stream INTEGER NOT NULL,"
  "  ts_device INTEGER NOT NULL,"
  "  id INTEGER NOT NULL,"
  "  PRIMARY KEY (stream, ts_device, id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE data_state ("
  "  key TEXT PRIMARY KEY,"
  "  value INTEGER NOT NULL"
  ") WITHOUT ROWID;"
  "INSERT INTO data_state (key, value) VALUES ('sample_indexed', 0);"
  /* A database with data: its samples are indexed now, in key order; the rollups of its
   * point blocks need the blobs decoded, which the ingest writer does at its start while this
   * key is present (fd-ingest-compact.c). */
  "INSERT INTO sample_ts (stream, ts_device, id)"
  "  SELECT stream, ts_device, id FROM sample ORDER BY stream, ts_device, id;"
  "UPDATE data_state SET value = (SELECT coalesce (max (id), 0) FROM sample)"
  "  WHERE key = 'sample_indexed';"
  "INSERT INTO data_state (key, value)"
  "  SELECT 'rollup_backfill', 1 WHERE EXISTS (SELECT 1 FROM point_block);"
  "CREATE TABLE rollup_1h ("
  "  series INTEGER NOT NULL,"
  "  bucket INTEGER NOT NULL,"
  "  n INTEGER NOT NULL,"
  "  sum REAL NOT NULL,"
  "  min REAL NOT NULL,"
  "  max REAL NOT NULL,"
  "  first_ts INTEGER NOT NULL,"
  "  first REAL NOT NULL,"
  "  last_ts INTEGER NOT NULL,"
  "  last REAL NOT NULL,"
  "  PRIMARY KEY (series, bucket)"
  ") WITHOUT ROWID;"
  "ALTER TABLE workspace ADD COLUMN retention_days INTEGER;"
  "ALTER TABLE workspace ADD COLUMN rollup_retention_days INTEGER;"
  /* The largest span of a point block: readers look for the blocks holding [a, b) by
   * t_first in [a - span, b); compaction raises it (its blocks lie within one UTC hour). */
  "INSERT INTO data_state (key, value)"
  "  SELECT 'block_max_span', coalesce (max (t_last - t_first), 0) FROM point_block;",

  /* 7: exports. One-off exports and the runs of periodic ones (schedule_id set) share a table;
   * a file is written under a temporary name and renamed when complete. Times in epoch ms;
   * the selection (tags, fleets, devices, columns, aggregate) is kept as the JSON it was
   * asked with. */
  "CREATE TABLE export_schedule ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  format TEXT NOT NULL,"
  "  selection TEXT NOT NULL,"
  "  period TEXT NOT NULL,"
  "  time_of_day INTEGER NOT NULL,"
  "  weekday INTEGER,"
  "  folder TEXT NOT NULL,"
  "  enabled INTEGER NOT NULL DEFAULT 1,"
  "  last_end INTEGER,"
  "  next_run INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  UNIQUE (workspace_id, name)"
  ");"
  "CREATE TABLE export ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  schedule_id TEXT REFERENCES export_schedule (id) ON DELETE SET NULL,"
  "  format TEXT NOT NULL,"
  "  selection TEXT NOT NULL,"
  "  start INTEGER,"
  "  end INTEGER,"
  "  state TEXT NOT NULL,"
  "  progress REAL NOT NULL DEFAULT 0,"
  "  rows INTEGER NOT NULL DEFAULT 0,"
  "  bytes INTEGER NOT NULL DEFAULT 0,"
  "  file TEXT,"
  "  error TEXT,"
  "  actor TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  started_at INTEGER,"
  "  finished_at INTEGER"
  ");"
  "CREATE INDEX export_workspace ON export (workspace_id, created_at);"
  "CREATE INDEX export_schedule_runs ON export (schedule_id, created_at) WHERE schedule_id IS NOT "
  "NULL;",

  /* 8: life-cycle management. A job is a command (@name with args) to a set of devices, one
   * execution per device; a variable is what the operator set for a device's key, until the
   * device reports it (applied_at); firmware files are signed with a key per workspace; a
   * campaign rolls one firmware out in stages, one target row per device. Times in epoch ms;
   * JSON columns hold the text as it was checked on the way in. */
  "CREATE TABLE job ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  args TEXT NOT NULL,"
  "  timeout_s INTEGER NOT NULL,"
  "  retries INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"
  "  actor TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  finished_at INTEGER"
  ");"
  "CREATE INDEX job_workspace ON job (workspace_id, created_at);"
  "CREATE TABLE job_execution ("
  "  job_id TEXT NOT NULL REFERENCES job (id) ON DELETE CASCADE,"
  "  device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,"
  "  state TEXT NOT NULL,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  result TEXT,"
  "  message TEXT,"
  "  queued_at INTEGER NOT NULL,"
  "  sent_at INTEGER,"
  "  deadline INTEGER,"
  "  finished_at INTEGER,"
  "  updated_at INTEGER NOT NULL,"
  "  PRIMARY KEY (job_id, device_id)"
  ");"
  "CREATE INDEX job_execution_device ON job_execution (device_id, queued_at);"
  "CREATE INDEX job_execution_open ON job_execution (deadline)"
  "  WHERE state IN ('queued', 'sent');"
  "CREATE TABLE variable ("
  "  device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,"
  "  key TEXT NOT NULL,"
  "  value TEXT NOT NULL,"
  "  set_at INTEGER NOT NULL,"
  "  applied_at INTEGER,"
  "  actor TEXT,"
  "  PRIMARY KEY (device_id, key)"
  ") WITHOUT ROWID;"
  "CREATE TABLE signing_key ("
  "  workspace_id TEXT PRIMARY KEY REFERENCES workspace (id) ON DELETE CASCADE,"
  "  algorithm TEXT NOT NULL CHECK (algorithm IN ('ecdsa-p256', 'ed25519')),"
  "  public_key TEXT NOT NULL,"
  "  key_file TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE firmware ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  version TEXT NOT NULL,"
  "  target TEXT NOT NULL DEFAULT '',"
  "  description TEXT NOT NULL DEFAULT '',"
  "  size INTEGER NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  manifest TEXT NOT NULL,"
  "  signature TEXT NOT NULL,"
  "  file TEXT NOT NULL,"
  "  actor TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  UNIQUE (workspace_id, version, target)"
  ");"
  "CREATE TABLE campaign ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  firmware_id TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  reason TEXT,"
  "  targets TEXT NOT NULL,"
  "  stages TEXT NOT NULL,"
  "  stage INTEGER NOT NULL DEFAULT 0,"
  "  stage_started_at INTEGER,"
  "  min_wait_s INTEGER NOT NULL,"
  "  success_threshold REAL NOT NULL,"
  "  failure_threshold REAL NOT NULL,"
  "  failure_min INTEGER NOT NULL,"
  "  device_timeout_s INTEGER NOT NULL,"
  "  only_outdated INTEGER NOT NULL,"
  "  actor TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  finished_at INTEGER"
  ");"
  "CREATE INDEX campaign_workspace ON campaign (workspace_id, created_at);"
  "CREATE INDEX campaign_firmware ON campaign (firmware_id, state);"
  "CREATE TABLE campaign_target ("
  "  campaign_id TEXT NOT NULL REFERENCES campaign (id) ON DELETE CASCADE,"
  "  device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,"
  "  position INTEGER NOT NULL,"
  "  stage INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"
  "  progress INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  message TEXT,"
  "  from_version TEXT,"
  "  notified_at INTEGER,"
  "  deadline INTEGER,"
  "  finished_at INTEGER,"
  "  updated_at INTEGER NOT NULL,"
  "  PRIMARY KEY (campaign_id, device_id)"
  ");"
  "CREATE INDEX campaign_target_device ON campaign_target (device_id);"
  "CREATE INDEX campaign_target_stage ON campaign_target (campaign_id, stage, state);"
  "CREATE INDEX campaign_target_position ON campaign_target (campaign_id, position);",
  /* 9: integrations. An integration's data queue is the sample table itself: every sample
   * with id > data_cursor whose stream matches its filters, so a reading is queued by the
   * transaction that stores it, at no extra write. Other events (conditions, device, jobs,
   * campaigns, alerts) are rows of outbox_event, written in the transaction that makes them
   * where there is one; event_cursor is the integration's place in it. The batch in flight
   * (inflight_*) is recorded before its first attempt, so a restart resends exactly it, under
   * the same batch_id. delivery is the log of attempts, pruned by age and count. */
  "CREATE TABLE integration ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  type TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  config TEXT NOT NULL,"
  "  secret TEXT,"
  "  kinds INTEGER NOT NULL,"
  "  fleets TEXT,"
  "  tags TEXT,"
  "  batch_max INTEGER NOT NULL,"
  "  batch_delay_ms INTEGER NOT NULL,"
  "  max_queued INTEGER NOT NULL,"
  "  max_age_s INTEGER NOT NULL,"
  "  paused INTEGER NOT NULL DEFAULT 0,"
  "  data_cursor INTEGER NOT NULL,"
  "  event_cursor INTEGER NOT NULL,"
  "  batch_seq INTEGER NOT NULL DEFAULT 0,"
  "  inflight_batch TEXT,"
  "  inflight_kind INTEGER,"
  "  inflight_first INTEGER,"
  "  inflight_last INTEGER,"
  "  inflight_attempts INTEGER NOT NULL DEFAULT 0,"
  "  delivered INTEGER NOT NULL DEFAULT 0,"
  "  failed INTEGER NOT NULL DEFAULT 0,"
  "  dropped INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  last_error_at INTEGER,"
  "  last_success_at INTEGER,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX integration_workspace ON integration (workspace_id, created_at);"
  "CREATE TABLE outbox_event ("
  "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  workspace_id TEXT NOT NULL,"
  "  kind INTEGER NOT NULL,"
  "  fleet_id TEXT,"
  "  device_id TEXT,"
  "  tag TEXT,"
  "  t INTEGER NOT NULL,"
  "  body TEXT NOT NULL"
  ");"
  "CREATE INDEX outbox_event_workspace ON outbox_event (workspace_id, id);"
  "CREATE TABLE delivery ("
  "  id INTEGER PRIMARY KEY,"
  "  integration_id TEXT NOT NULL REFERENCES integration (id) ON DELETE CASCADE,"
  "  batch_id TEXT NOT NULL,"
  "  kind INTEGER NOT NULL,"
  "  items INTEGER NOT NULL,"
  "  attempt INTEGER NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  latency_ms INTEGER NOT NULL,"
  "  status INTEGER NOT NULL,"
  "  outcome TEXT NOT NULL,"
  "  error TEXT"
  ");"
  "CREATE INDEX delivery_integration ON delivery (integration_id, id);"
  "CREATE TABLE alert_rule ("
  "  id TEXT PRIMARY KEY,"
  "  workspace_id TEXT NOT NULL REFERENCES workspace (id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  tags TEXT NOT NULL,"
  "  threshold_ms INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX alert_rule_workspace ON alert_rule (workspace_id, created_at);"
  "CREATE TABLE alert ("
  "  rule_id TEXT NOT NULL REFERENCES alert_rule (id) ON DELETE CASCADE,"
  "  device_id TEXT NOT NULL REFERENCES device (id) ON DELETE CASCADE,"
  "  condition_uuid TEXT NOT NULL,"
  "  workspace_id TEXT NOT NULL,"
  "  tag TEXT NOT NULL,"
  "  condition_start INTEGER NOT NULL,"
  "  triggered_at INTEGER NOT NULL,"
  "  resolved_at INTEGER,"
  "  PRIMARY KEY (rule_id, device_id, condition_uuid)"
  ");"
  "CREATE INDEX alert_workspace ON alert (workspace_id, triggered_at);"
  "CREATE INDEX alert_active ON alert (rule_id) WHERE resolved_at IS NULL;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == FD_STORE_SCHEMA_VERSION);

int
fd_store_schema_version (FdDb *db)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "PRAGMA user_version", NULL);
  int version = -1;

  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  return version;
}

gboolean
fd_store_migrate (FdDb *db, int target, GError **error)
{
  int version = fd_store_schema_version (db);

  g_return_val_if_fail (target <= (int)G_N_ELEMENTS (migrations), FALSE);

  if (version < 0)
    {
      fd_db_set_error (db, error, "reading the schema version");
      return FALSE;
    }
  if (version > (int)G_N_ELEMENTS (migrations))
    {
      g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_SCHEMA_NEWER,
                   "the database has schema version %d, made by a newer Fleetdesk "
                   "(this one knows versions up to %d); upgrade Fleetdesk",
                   version, (int)G_N_ELEMENTS (migrations));
      return FALSE;
    }

  while (version < target)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      g_autoptr (GError) local_error = NULL;

      if (!fd_db_exec (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!fd_db_exec (db, migrations[version], &local_error)
          || !fd_db_exec (db, set_version, &local_error))
        {
          fd_db_exec (db, "ROLLBACK", NULL);
          g_set_error (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED,
                       "migrating the database to schema version %d failed: %s", version + 1,
                       local_error->message);
          return FALSE;
        }
      if (!fd_db_exec (db, "COMMIT", error))
        return FALSE;
      version++;
    }
  return TRUE;
}
