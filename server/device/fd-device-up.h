/* fd-device-up.h — what a device says on its up channel, whatever the transport: MQTT
 * j/up/<device> and HTTPS POST /v1/up carry the same {"key", "value"} messages
 * (zdm-protocol.md §3.1, docs/protocol.md):
 *
 *   #status, #now, #conditions   answered with a j/dn reply (nothing stored)
 *   condition                    open / update / close (fd-conditions.h)
 *   @name                        a job's result: stored as reported, expected[@name] dropped
 *   #fota_info                   answered with the device's @fota value (fd-ota.h)
 *   @fota, _fota_status, __info  stored, and move the device's campaign target (fd-ota.h)
 *   anything else                stored as the device's reported value (null clears it);
 *                                __manifest and __info among them
 *
 * Runs on the engine thread. The callback runs after what the message stores has committed,
 * so the transport may acknowledge then (PUBACK, HTTP 2xx).
 */
#pragma once

#include <gio/gio.h>

#include "conditions/fd-conditions.h"
#include "device/fd-device-auth.h"
#include "device/fd-downlink.h"
#include "events/fd-events.h"
#include "ingest/fd-ingest.h"
#include "ingest/fd-payload.h"
#include "jobs/fd-jobs.h"
#include "ota/fd-ota.h"

G_BEGIN_DECLS

#define FD_DEVICE_UP_ERROR (fd_device_up_error_quark ())
GQuark fd_device_up_error_quark (void);

typedef enum
{
  FD_DEVICE_UP_ERROR_INVALID, /* not a {"key", "value"} message, a bad key (message says why) */
  FD_DEVICE_UP_ERROR_UNKNOWN, /* a '#' request this server does not answer */
} FdDeviceUpError;
/* Errors may also be FD_PAYLOAD_ERROR (bad JSON), FD_CONDITIONS_ERROR, FD_INGEST_ERROR. */

typedef struct _FdDeviceUp FdDeviceUp;

FdDeviceUp *fd_device_up_new (FdIngest *ingest, FdConditions *conditions, FdDownlink *downlink);
void fd_device_up_free (FdDeviceUp *up);
/* Where variable.updated "applied" events go (NULL: nowhere). Before the first message. */
void fd_device_up_set_events (FdDeviceUp *up, FdEvents *events);
/* The largest message taken, in bytes (0: FD_PAYLOAD_DEFAULT_MAX_BYTES); nesting as for data. */
void fd_device_up_set_max_bytes (FdDeviceUp *up, gsize max_bytes);

/* The life-cycle modules (either may be NULL: then '@name' answers are stored as plain reports
 * and #fota_info is an unknown request). '@name' answers (not "@fota") go to @jobs; #fota_info,
 * @fota, _fota_status and __info to @ota; a #status answer tells both the device has its
 * expected entries. Before the first message. */
void fd_device_up_set_lifecycle (FdDeviceUp *up, FdJobs *jobs, FdOta *ota);
/* The device was just handed its expected entries (a #status answer, or GET /v1/dn): its
 * queued executions become sent, its notified OTA target knows it. */
void fd_device_up_status_sent (FdDeviceUp *up, const char *device_id);

/* Handles one up message from @who: @json is the whole message text (@len bytes, not
 * NUL-terminated), judged as strictly as data payloads. */
void fd_device_up_handle_async (FdDeviceUp *up, FdDeviceIdentity *who, const char *json, gsize len,
                                GAsyncReadyCallback callback, gpointer user_data);
/* TRUE when handled; *@reply (may be NULL) is then the j/dn message to send the device (an
 * fd_downlink_envelope()), or NULL when the message needs none. On FALSE, @error says what was
 * wrong; nothing of the message was stored. */
gboolean fd_device_up_handle_finish (GAsyncResult *result, GBytes **reply, GError **error);

/* The j/dn message telling a device its up or data message was refused:
 * {"key": "#error", "value": {"topic", "message"}, "version"} (docs/protocol.md). */
GBytes *fd_device_up_error_envelope (const char *topic, const char *message);

G_END_DECLS
