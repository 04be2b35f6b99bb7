/* fd-conditions.h — conditions: events with a start and an end that a device opens and closes
 * ("battery low" from 10:02 to 10:40), stored per device and uuid (docs/protocol.md).
 *
 * The device-facing half runs on the engine thread and writes through the store's writer: a
 * transport acknowledges the up message only after the result committed. Watchers (the events
 * stream, alerts later) are told on the engine thread after the commit.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "device/fd-device-auth.h"
#include "store/fd-store-conditions.h"

G_BEGIN_DECLS

#define FD_CONDITIONS_ERROR (fd_conditions_error_quark ())
GQuark fd_conditions_error_quark (void);

typedef enum
{
  FD_CONDITIONS_ERROR_INVALID,  /* the value is not an open or a close (message says why) */
  FD_CONDITIONS_ERROR_NOT_OPEN, /* a close (or update) of a uuid this device never opened */
  FD_CONDITIONS_ERROR_FAILED,   /* the store failed */
} FdConditionsError;

#define FD_CONDITION_UUID_MAX_CHARS 64

typedef enum
{
  FD_CONDITION_OPENED,
  FD_CONDITION_UPDATED,        /* an open of a uuid already open: its payload replaced */
  FD_CONDITION_CLOSED,
  FD_CONDITION_ALREADY_CLOSED, /* a second close: nothing changed (logged, answered as done) */
} FdConditionChange;

/* FdCondition, the row, is the store's (store/fd-store-conditions.h). */
/* Seconds: finish - start when closed, now - start while open (never below 0). */
double fd_condition_duration (const FdCondition *condition, gint64 now_ms);
/* The condition as the API and the events stream show it: {uuid, device_id, device_name,
 * workspace_id, fleet_id, tag, payload, payloadf, start, finish|null, duration, status}
 * (times RFC 3339 UTC with ms; device_name only when @device_name is not NULL). */
void fd_condition_build_json (JsonBuilder *b, const FdCondition *condition, const char *device_name,
                              gint64 now_ms);
/* A condition time: an RFC 3339 string (0 to 9 fractional digits, Z or an offset) or an
 * integer of epoch ms, within the years 1970-9999. FALSE when @node is neither. */
gboolean fd_condition_parse_time (JsonNode *node, gint64 *ms);

typedef struct _FdConditions FdConditions;

FdConditions *fd_conditions_new (FdStore *store);
void fd_conditions_free (FdConditions *conditions);

/* @condition is the row after the change (for ALREADY_CLOSED, as it was). */
typedef void (*FdConditionFunc) (const FdCondition *condition, FdConditionChange change,
                                 gpointer user_data);
void fd_conditions_add_watch (FdConditions *conditions, FdConditionFunc func, gpointer user_data);
void fd_conditions_remove_watch (FdConditions *conditions, FdConditionFunc func,
                                 gpointer user_data);

/* Handles the value of a "condition" up message from @who (zdm-protocol.md §5): an open
 * {"uuid", "tag", "payload"?, "start"} or a close {"uuid", "payloadf"?, "finish"} (a close's
 * "payload" is taken as payloadf, as older clients sent it). Times are RFC 3339 (0 to 9
 * fractional digits, Z or an offset) or epoch ms. */
void fd_conditions_handle_async (FdConditions *conditions, FdDeviceIdentity *who,
                                 JsonObject *value, GAsyncReadyCallback callback,
                                 gpointer user_data);
/* The change made; -1 with @error set otherwise. */
int fd_conditions_handle_finish (GAsyncResult *result, GError **error);

/* The #conditions reply value for @device_id: {"<uuid>": {"tag", "start"}, …} of its open
 * conditions (start in RFC 3339 with ms), "{}" when none. Read on a reader. */
void fd_conditions_open_json_async (FdConditions *conditions, const char *device_id,
                                    GAsyncReadyCallback callback, gpointer user_data);
char *fd_conditions_open_json_finish (GAsyncResult *result, GError **error);

G_END_DECLS
