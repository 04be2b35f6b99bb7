/* fd-fleet.h — a fleet of a workspace, as the API describes it. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_FLEET (fd_fleet_get_type ())
G_DECLARE_FINAL_TYPE (FdFleet, fd_fleet, FD, FLEET, GObject)

/* Returns NULL if @object has no "id". */
FdFleet *fd_fleet_new_from_json (JsonObject *object);
/* A stand-in for "every fleet" in filter menus: no id, @name as its name. */
FdFleet *fd_fleet_new_any (const char *name);
void fd_fleet_update_from_json (FdFleet *self, JsonObject *object);

/* NULL for the fleet made by fd_fleet_new_any(). */
const char *fd_fleet_get_id (FdFleet *self);
const char *fd_fleet_get_name (FdFleet *self);
gboolean fd_fleet_get_is_default (FdFleet *self);
guint fd_fleet_get_device_count (FdFleet *self);

G_END_DECLS
