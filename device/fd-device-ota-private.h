/* fd-device-ota-private.h — what fd-device-ota.c (the update's steps) and
 * fd-device-ota-download.c (the Range download) share. */
#pragma once

#include "fd-device-agent-private.h"
#include "fd-device-client.h"
#include "fd-device-ota.h"

G_BEGIN_DECLS

typedef enum
{
  FD_OTA_IDLE,
  FD_OTA_INFO,        /* #fota_info asked */
  FD_OTA_DOWNLOADING, /* and checking */
  FD_OTA_REBOOTING,   /* installed: the session is being made again */
  FD_OTA_TESTING,     /* running the new firmware, waiting for the #status reply */
} FdOtaState;

/* What @fota describes. */
typedef struct
{
  char *fw_version, *firmware_id, *campaign_id, *sha256, *path, *manifest, *signature, *algorithm;
  gint64 size;
} FdOtaTarget;

struct _FdDeviceOta
{
  FdDeviceAgent *agent;         /* the owner */
  const FdDeviceConfig *config; /* the agent's */
  FdDeviceFleet *fleet;
  GTlsDatabase *trust;
  GSocketAddress *https_address, *local_address;
  double rate;
  guint chunk;

  char *fw_version; /* running */
  FdOtaState state;
  FdOtaTarget t;
  gboolean will_fail, will_revert;

  /* The download. */
  FdDeviceClient *client; /* made at the first update */
  GCancellable *cancel;
  GChecksum *sha;
  gint64 offset;
  guint next_progress;
  gint64 pace_start_us, pace_start_offset;
  guint timer;
  guint failures; /* in a row */

  /* The last final answer, sent again when the same @fota comes again (it was lost). */
  char *last_campaign, *last_firmware, *last_final;
};

/* fd-device-ota.c */
void fd_device_ota_status (FdDeviceOta *ota, const char *state, guint progress);
void fd_device_ota_finish (FdDeviceOta *ota, const char *result, const char *msg);
/* The whole file arrived: checks and installs. */
void fd_device_ota_downloaded (FdDeviceOta *ota);

/* fd-device-ota-download.c */
gboolean fd_device_ota_download_start (FdDeviceOta *ota, GError **error);
void fd_device_ota_download_stop (FdDeviceOta *ota);

G_END_DECLS
