/* fd-workspace.h — a workspace as the API describes it, kept up to date in place. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_WORKSPACE (fd_workspace_get_type ())
G_DECLARE_FINAL_TYPE (FdWorkspace, fd_workspace, FD, WORKSPACE, GObject)

/* Returns NULL if @object has no "id". */
FdWorkspace *fd_workspace_new_from_json (JsonObject *object);
/* Updates the properties that changed (each changed one is notified). */
void fd_workspace_update_from_json (FdWorkspace *self, JsonObject *object);

const char *fd_workspace_get_id (FdWorkspace *self);
const char *fd_workspace_get_name (FdWorkspace *self);
const char *fd_workspace_get_default_fleet_id (FdWorkspace *self);
guint fd_workspace_get_fleet_count (FdWorkspace *self);
guint fd_workspace_get_device_count (FdWorkspace *self);

G_END_DECLS
