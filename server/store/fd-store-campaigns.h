/* fd-store-campaigns.h — OTA campaigns and their targets (migration 8): one campaign row, one
 * campaign_target row per device, in the stable order of "position" (a hash of the device id),
 * each in the stage its position falls in. Times are epoch milliseconds, 0 for "not yet".
 *
 * Every function here runs inside a store job (fd-store.h): on the writer for changes, on a
 * reader for queries.
 */
#pragma once

#include "fd-store-entities.h"

G_BEGIN_DECLS

typedef enum
{
  FD_TARGET_QUEUED,
  FD_TARGET_NOTIFIED,
  FD_TARGET_DOWNLOADING,
  FD_TARGET_DOWNLOADED,
  FD_TARGET_VERIFIED,
  FD_TARGET_INSTALLING,
  FD_TARGET_TESTING,
  FD_TARGET_SUCCEEDED,
  FD_TARGET_FAILED,
  FD_TARGET_REVERTED,
  FD_TARGET_TIMED_OUT,
  FD_TARGET_SKIPPED,
  FD_TARGET_N_STATES
} FdTargetState;

const char *fd_target_state_name (FdTargetState state);
/* -1 when @name is no target state. */
int fd_target_state_from_name (const char *name);
/* succeeded, failed, reverted, timed_out, skipped. */
gboolean fd_target_state_is_final (FdTargetState state);
/* notified up to testing: the device holds (or works on) the @fota entry. */
gboolean fd_target_state_in_flight (FdTargetState state);

#define FD_CAMPAIGN_MAX_STAGES 10
#define FD_CAMPAIGN_MAX_TARGETS 10000

typedef struct
{
  gboolean is_count; /* {"count": N} rather than {"percent": P} */
  gint64 value;      /* the percent or the count as given */
  gint64 devices;    /* targets of this stage (resolved at creation) */
  gint64 started_at; /* when its targets were notified; 0: not yet */
} FdCampaignStage;

typedef struct
{
  char *id;
  char *workspace_id;
  char *name;
  char *firmware_id;
  char *firmware_version;
  char *state; /* running, paused, completed, aborted */
  char *reason;
  char *targets_json; /* what was asked: {"fleets", "devices", "firmware_version"} */
  char *actor;
  guint n_stages;
  FdCampaignStage stages[FD_CAMPAIGN_MAX_STAGES];
  int stage;
  gint64 stage_started_at;
  gint64 min_wait_s;
  double success_threshold;
  double failure_threshold;
  gint64 failure_min;
  gint64 device_timeout_s;
  gboolean only_outdated;
  gint64 created_at;
  gint64 updated_at;
  gint64 finished_at;
  /* filled by fd_store_campaign_counts(): targets per stage and state */
  gint64 total;
  gint64 counts[FD_CAMPAIGN_MAX_STAGES][FD_TARGET_N_STATES];
} FdCampaign;

void fd_campaign_free (FdCampaign *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCampaign, fd_campaign_free)

/* The stages as the column keeps them: [{"percent"|"count", "devices", "started_at"}]. */
char *fd_campaign_stages_to_json (const FdCampaign *c);

/* Inserts @c (its stages as they are now). */
gboolean fd_store_campaign_insert (FdDb *db, const FdCampaign *c, GError **error);
/* Writes state, reason, stage, stage_started_at, the stages, updated_at and finished_at. */
gboolean fd_store_campaign_update (FdDb *db, const FdCampaign *c, GError **error);
/* The campaign with its counts; NOT_FOUND "campaign … does not exist". */
FdCampaign *fd_store_campaign_get (FdDb *db, const char *id, GError **error);
/* (Re)counts @c's targets per stage and state: one pass over the index campaign_target_stage. */
gboolean fd_store_campaign_counts (FdDb *db, FdCampaign *c, GError **error);
/* The page of @workspace_id's campaigns (FdCampaign *, with counts), newest first. */
gboolean fd_store_campaign_list (FdDb *db, const char *workspace_id, gint64 from, gint64 size,
                                 FdPage *page, GError **error);
/* The ids (char *) of the campaigns an engine must follow after a start: running and paused
 * ones, and aborted ones with targets still in flight. */
gboolean fd_store_campaign_active_ids (FdDb *db, GPtrArray *into, GError **error);

typedef struct
{
  char *campaign_id;
  char *device_id;
  char *device_name;
  int stage;
  FdTargetState state;
  gint64 progress;
  gint64 attempts;
  char *message;
  char *from_version;
  gint64 notified_at;
  gint64 deadline;
  gint64 finished_at;
  gint64 updated_at;
} FdCampaignTarget;

void fd_campaign_target_free (FdCampaignTarget *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdCampaignTarget, fd_campaign_target_free)

gboolean fd_store_campaign_target_insert (FdDb *db, const FdCampaignTarget *t, gint64 position,
                                          GError **error);
/* Writes state, progress, attempts, message, from_version, notified_at, deadline, finished_at
 * and updated_at of an existing target. */
gboolean fd_store_campaign_target_update (FdDb *db, const FdCampaignTarget *t, GError **error);
/* Writes only progress and updated_at: a report that moves no state touches no index. */
gboolean fd_store_campaign_target_progress (FdDb *db, const FdCampaignTarget *t, GError **error);
/* The target @device_id works on now: in flight, of the newest campaign that notified it
 * (running, paused or aborted), or NULL (no error) when none. */
FdCampaignTarget *fd_store_campaign_target_active (FdDb *db, const char *device_id, GError **error);
/* @device_id's @fota now belongs to @campaign_id: its targets in flight in other campaigns are
 * skipped ("replaced by campaign …"); their campaigns' ids are added to @replaced. */
gboolean fd_store_campaign_target_replace (FdDb *db, const char *device_id, const char *campaign_id,
                                           gint64 now, GPtrArray *replaced, GError **error);
/* Adds @campaign_id's targets of @stage in @state (FdCampaignTarget *), in position order. */
gboolean fd_store_campaign_targets_in (FdDb *db, const char *campaign_id, int stage,
                                       FdTargetState state, GPtrArray *into, GError **error);
/* Adds @campaign_id's targets of @stage in flight whose deadline is at or before @now. */
gboolean fd_store_campaign_targets_due (FdDb *db, const char *campaign_id, int stage, gint64 now,
                                        GPtrArray *into, GError **error);
/* The earliest deadline of @campaign_id's targets of @stage in flight; 0 when none. */
gboolean fd_store_campaign_next_deadline (FdDb *db, const char *campaign_id, int stage,
                                          gint64 *deadline, GError **error);

gboolean fd_store_campaign_exists (FdDb *db, const char *id, GError **error);

/* The targets list: @state (-1 any), @stage (-1 any), @search (a case-folded substring of the
 * device name, or NULL), in position order. */
gboolean fd_store_campaign_target_list (FdDb *db, const char *campaign_id, int state, int stage,
                                        const char *search, gint64 from, gint64 size, FdPage *page,
                                        GError **error);

G_END_DECLS
