/* fd-api-variables-private.h — what the two files of the variables API share: the key rule,
 * the JSON of a variable and the event of a set. */
#pragma once

#include "fd-api-private.h"
#include "store/fd-store-variables.h"

G_BEGIN_DECLS

/* Devices one POST /workspaces/{id}/variables may set, after its fleets are expanded. */
#define FD_API_VARIABLES_MAX_DEVICES 10000
/* Up to this many devices a bulk set publishes one variable.updated event per device; beyond,
 * one event for the workspace (device_id null, "devices": N), so that a subscriber's queue of
 * FD_EVENTS_MAX_QUEUED is not overrun by one request. */
#define FD_API_VARIABLES_MAX_DEVICE_EVENTS 256

/* NULL when @key may be a variable's key: 1..64 characters of UTF-8, no control characters,
 * no '/', not starting with '@', '#' or '_', not "condition" or "event". Else why not. */
const char *fd_api_variable_key_check (const char *key);
/* {"key", "expected": {"value", "set_at"} | null, "reported": {"value", "t"} | null, "state"},
 * with "device_id" and "device_name" first when @with_device. */
void fd_api_json_variable (JsonBuilder *b, const FdVariable *v, gboolean with_device);
/* variable.updated {"key", "state"} for @device_id (NULL: the workspace, with "devices"). */
void fd_api_variable_event (FdApi *api, const char *workspace_id, const char *device_id,
                            const char *key, const char *state, gint64 devices);

/* fd-api-variables-bulk.c: POST and GET /workspaces/{id}/variables. */
void fd_api_variables_bulk_set (FdApiRequest *req);
void fd_api_variables_key_list (FdApiRequest *req);

G_END_DECLS
