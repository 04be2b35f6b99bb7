/* fd-api-firmware-private.h — what the firmware routes' files share. */
#pragma once

#include "fd-api-private.h"
#include "ota/fd-firmware.h"
#include "ota/fd-signing.h"

G_BEGIN_DECLS

/* POST /workspaces/{id}/firmware (fd-api-firmware-upload.c). */
void fd_api_firmware_upload (FdApiRequest *req);
/* Answers @status with the firmware @r. */
void fd_api_firmware_reply_one (FdApiRequest *req, const FdFirmwareRecord *r, guint status);

G_END_DECLS
