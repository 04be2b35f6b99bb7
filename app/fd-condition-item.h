/* fd-condition-item.h — one condition as the Conditions pane lists it: a device's "battery
 * low" from its start to its finish (or still open), from the conditions API or an event. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_CONDITION_ITEM (fd_condition_item_get_type ())
G_DECLARE_FINAL_TYPE (FdConditionItem, fd_condition_item, FD, CONDITION_ITEM, GObject)

/* @object is a condition of GET /workspaces/{id}/conditions or of a condition.* event. NULL if
 * it has no uuid, device or tag. */
FdConditionItem *fd_condition_item_new (JsonObject *object, GDateTime *now);
/* Takes the newer state of the same condition (an update or its close). */
void fd_condition_item_update (FdConditionItem *self, JsonObject *object, GDateTime *now);
/* Recomputes the duration of an open condition as of @now (the pane's one timer). */
void fd_condition_item_tick (FdConditionItem *self, GDateTime *now);

const char *fd_condition_item_get_uuid (FdConditionItem *self);
const char *fd_condition_item_get_workspace_id (FdConditionItem *self);
const char *fd_condition_item_get_device_id (FdConditionItem *self);
/* The device's name, or its id when the server did not send a name. */
const char *fd_condition_item_get_device_name (FdConditionItem *self);
const char *fd_condition_item_get_tag (FdConditionItem *self);
gboolean fd_condition_item_get_open (FdConditionItem *self);
/* Seconds, as of the last update or tick. */
double fd_condition_item_get_duration (FdConditionItem *self);
/* The payload when it opened, on one line ("level 12 · volts 3.1"), or "". */
const char *fd_condition_item_get_payload_label (FdConditionItem *self);

G_END_DECLS
