/* fd-campaign-private.h — what the campaign engine's files share (fd-campaign*.c). */
#pragma once

#include "fd-ota.h"

G_BEGIN_DECLS

/* A campaign the engine follows: running, paused, or aborted with targets still in flight.
 * @c's counts move with every committed target change (fd-campaign-up.c) and are replaced by
 * the store's after each campaign-level job, which decides on counts read in its own job. */
typedef struct
{
  FdOta *ota;
  FdCampaign *c;
  char *fota_json;      /* the @fota value; NULL when the firmware is gone */
  gint64 next_deadline; /* the earliest deadline of a target in flight; 0: none */
  guint jobs;           /* campaign-level store jobs in flight */
  gint64 last_step_ms;  /* when the last step job was queued */
  gboolean dirty;       /* counts changed since the last campaign.updated */
  gint64 last_event_ms;
} FdOtaCampaign;

struct _FdOta
{
  FdStore *store;
  FdDownlink *downlink;
  FdFirmware *firmware;
  FdEvents *events;
  char *host;
  guint port;
  guint tick_ms;
  guint tick_source;
  guint event_source;
  gboolean closing;
  guint pending;         /* store jobs whose callbacks use this: freed after the last */
  GHashTable *campaigns; /* id -> FdOtaCampaign* */
};

/* A target whose state changed in a commit: for counts and campaign.target events. */
typedef struct
{
  char *device_id;
  int stage;
  FdTargetState from;
  FdTargetState to;
  gint64 progress;
} FdOtaMove;

/* What one campaign-level store job did, applied on the engine thread after its commit. */
typedef struct
{
  FdCampaign *after;    /* the campaign as committed, with its counts */
  GArray *moves;        /* FdOtaMove */
  GPtrArray *delivered; /* device ids whose @fota entry was stored ... */
  GArray *delivered_t;  /* ... with these times */
  gint64 next_deadline;
  GPtrArray *replaced; /* ids of other campaigns whose targets this one took over */
} FdOtaOutcome;

void fd_ota_outcome_init (FdOtaOutcome *o);
void fd_ota_outcome_clear (FdOtaOutcome *o);
void fd_ota_move_add (GArray *moves, const char *device_id, int stage, FdTargetState from,
                      FdTargetState to, gint64 progress);

/* The @fota value of @c's firmware (docs/protocol.md "FOTA"). */
char *fd_ota_fota_json (FdOta *ota, const char *campaign_id, const FdFirmwareRecord *fw);

/* On the writer: notifies @c's queued targets of its current stage (stores @fota, state
 * notified, deadline), recording what it did in @o. A device whose expected map is full fails
 * at once. */
gboolean fd_ota_notify_stage (FdDb *db, FdCampaign *c, const char *fota_json, gint64 now,
                              FdOtaOutcome *o, GError **error);

/* What a campaign should do now, judged on @c's counts: */
typedef enum
{
  FD_OTA_STEP_NONE,
  FD_OTA_STEP_ABORT,    /* *@reason says why */
  FD_OTA_STEP_NEXT,     /* the current stage passed: notify the next */
  FD_OTA_STEP_COMPLETE, /* the last stage passed */
} FdOtaStep;
FdOtaStep fd_ota_decide (const FdCampaign *c, gint64 now, char **reason);
/* Targets of @c's current stage in flight (per its counts). */
gint64 fd_ota_in_flight (const FdCampaign *c);

/* A campaign-level store job: create, pause / resume / abort, or a step (timeouts, then what
 * fd_ota_decide() says). */
typedef enum
{
  FD_OTA_JOB_CREATE,
  FD_OTA_JOB_CONTROL,
  FD_OTA_JOB_STEP,
} FdOtaJobKind;

typedef struct
{
  FdOta *ota;
  FdOtaJobKind kind;
  char *campaign_id;
  FdOtaAction action;
  FdOtaSpec *spec;
  FdStoreFunc also;
  gpointer also_data;
  GDestroyNotify also_destroy;
  gint64 now;
  char *fota_json;
  FdOtaOutcome o;
  FdCampaign *reply; /* the campaign for the caller (a second copy: @o.after is tracked) */
  const char *field; /* the member an INVALID error is about */
  gboolean state_changed;
  GTask *task; /* the caller's, or NULL for a step */
} FdOtaJob;

FdOtaJob *fd_ota_job_new (FdOta *ota, FdOtaJobKind kind, const char *campaign_id);
void fd_ota_job_free (FdOtaJob *job);
/* Runs @job on the writer with @func; fd_ota_job_done() applies it. */
void fd_ota_job_run (FdOtaJob *job, FdStoreFunc func);
/* Skips @c's queued targets ("campaign aborted") and marks it aborted with @reason. */
gboolean fd_ota_abort_campaign (FdDb *db, FdCampaign *c, const char *reason, gint64 now,
                                FdOtaOutcome *o, GError **error);

/* A store job's callback that uses @ota starts with fd_ota_hold() (when queued) and ends with
 * fd_ota_release(): TRUE when the engine goes on (FALSE: it is closing, do nothing more). */
void fd_ota_hold (FdOta *ota);
gboolean fd_ota_release (FdOta *ota);

/* On the engine thread, after a commit. */
FdOtaCampaign *fd_ota_track (FdOta *ota, FdCampaign *c, char *fota_json);
void fd_ota_apply (FdOta *ota, FdOtaCampaign *oc, FdOtaOutcome *o, gboolean state_changed);
/* Judges @oc now (after a change, and on each tick): runs a step job when there is something
 * to do. */
void fd_ota_evaluate (FdOta *ota, FdOtaCampaign *oc, gboolean tick);
/* Queues a step job for @oc. */
void fd_ota_step_run (FdOta *ota, FdOtaCampaign *oc);
/* The events: campaign.updated when @oc is dirty (at most every 250 ms, a timer publishes the
 * last change), campaign.target at once. */
void fd_ota_publish_campaign (FdOta *ota, FdOtaCampaign *oc);
/* The followed campaigns, as a new array (evaluating one may stop following it). */
GPtrArray *fd_ota_campaigns_snapshot (FdOta *ota);
void fd_ota_publish_target (FdOta *ota, FdOtaCampaign *oc, const char *device_id,
                            FdTargetState state, gint64 progress);

G_END_DECLS
