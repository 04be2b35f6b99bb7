/* fd-ota.h — staged OTA campaigns: one firmware rolled out to a workspace's devices in stages
 * (docs/rest-api.md "Campaigns", docs/protocol.md "FOTA").
 *
 * A campaign's targets are notified stage by stage: each gets the "@fota" entry in its expected
 * map (one store job per stage), and moves through the states the device reports
 * (_fota_status, the final @fota, __info). A tick (--ota-tick-ms) times devices out and
 * advances, aborts or completes campaigns by their thresholds. Everything lives in the store:
 * fd_ota_start() picks up the campaigns a previous run left running. Engine thread only.
 */
#pragma once

#include <gio/gio.h>

#include "device/fd-device-auth.h"
#include "device/fd-downlink.h"
#include "events/fd-events.h"
#include "ingest/fd-ingest.h"
#include "ota/fd-firmware.h"
#include "store/fd-store-campaigns.h"

G_BEGIN_DECLS

#define FD_OTA_ERROR (fd_ota_error_quark ())
GQuark fd_ota_error_quark (void);

typedef enum
{
  FD_OTA_ERROR_INVALID,   /* a campaign that cannot be made (the field is named) */
  FD_OTA_ERROR_CONFLICT,  /* pause / resume / abort in a state that does not allow it */
  FD_OTA_ERROR_NOT_FOUND, /* #fota_info of a device with no update waiting */
} FdOtaError;
/* Errors may also be FD_STORE_ERROR (NOT_FOUND: no such campaign or workspace). */

#define FD_OTA_DEFAULT_TICK_MS 1000

typedef struct _FdOta FdOta;

FdOta *fd_ota_new (FdStore *store, FdDownlink *downlink, FdFirmware *firmware,
                   FdEvents *events /* may be NULL */);
/* Where devices download firmware: the url of @fota is https://@host:@port/v1/firmware/ID.
 * Before fd_ota_start(). */
void fd_ota_set_device_url (FdOta *ota, const char *host, guint port);
/* The evaluation period (0: FD_OTA_DEFAULT_TICK_MS). Before fd_ota_start(). */
void fd_ota_set_tick_ms (FdOta *ota, guint tick_ms);
/* Loads the campaigns a previous run left running (synchronously) and starts the tick. */
gboolean fd_ota_start (FdOta *ota, GError **error);
void fd_ota_free (FdOta *ota);

/* A campaign to make. Stages are as asked ({"percent"} or {"count"}, cumulative); the API has
 * checked every range, the engine checks what needs the store. */
typedef struct
{
  char *id; /* made by the caller (cmp-…), so its audit entry can name it */
  char *workspace_id;
  char *name;
  char *firmware_id;
  char **fleets;  /* NULL-terminated, may be NULL */
  char **devices; /* NULL-terminated, may be NULL */
  gboolean only_outdated;
  guint n_stages;
  FdCampaignStage stages[FD_CAMPAIGN_MAX_STAGES];
  gint64 min_wait_s;
  double success_threshold;
  double failure_threshold;
  gint64 failure_min;
  gint64 device_timeout_s;
  char *actor;
} FdOtaSpec;

void fd_ota_spec_free (FdOtaSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdOtaSpec, fd_ota_spec_free)

/* Makes the campaign of @spec (taken), notifying its first stage in the same store job, and
 * runs @also (the audit entry) in that job. */
void fd_ota_create_async (FdOta *ota, FdOtaSpec *spec, FdStoreFunc also, gpointer also_data,
                          GDestroyNotify also_destroy, GAsyncReadyCallback callback,
                          gpointer user_data);
/* The campaign as committed; NULL with @error otherwise (INVALID: *@field names the member). */
FdCampaign *fd_ota_create_finish (GAsyncResult *result, const char **field, GError **error);

typedef enum
{
  FD_OTA_PAUSE,
  FD_OTA_RESUME,
  FD_OTA_ABORT,
} FdOtaAction;

void fd_ota_control_async (FdOta *ota, const char *campaign_id, FdOtaAction action,
                           FdStoreFunc also, gpointer also_data, GDestroyNotify also_destroy,
                           GAsyncReadyCallback callback, gpointer user_data);
FdCampaign *fd_ota_control_finish (GAsyncResult *result, GError **error);

/* "@fota", "_fota_status", "__info" from a device: stored as reports (fd_ingest_up_full_async)
 * with the target's new state in the same savepoint. */
void fd_ota_up_async (FdOta *ota, FdIngest *ingest, FdDeviceIdentity *who, const char *key,
                      const char *value_json, GAsyncReadyCallback cb, gpointer data);
gboolean fd_ota_up_finish (GAsyncResult *result, GError **error);
/* #fota_info {"fw_version"}: the reply value (JSON text: the device's @fota entry) or
 * FD_OTA_ERROR_NOT_FOUND (no FOTA for the device). */
void fd_ota_fota_info_async (FdOta *ota, FdDeviceIdentity *who, const char *value_json,
                             GAsyncReadyCallback cb, gpointer data);
char *fd_ota_fota_info_finish (GAsyncResult *result, GError **error);
/* @device_id was answered a #status. Targets are notified when their entry is stored, so there
 * is nothing to move; kept for the transports' symmetry with jobs. */
void fd_ota_status_sent (FdOta *ota, const char *device_id);

G_END_DECLS
