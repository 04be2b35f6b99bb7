/* fd-schedule-dialog.h — "New Schedule": a periodic export into a folder on the server. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

#define FD_TYPE_SCHEDULE_DIALOG (fd_schedule_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FdScheduleDialog, fd_schedule_dialog, FD, SCHEDULE_DIALOG, AdwWindow)

/* A dialog over @parent creating a schedule in @workspace_id. Signal "created" (JsonObject
 * *schedule) once the server made it; the dialog then closes. */
FdScheduleDialog *fd_schedule_dialog_new (GtkWindow *parent, FdApiClient *client,
                                          const char *workspace_id);

/* "HH:MM" with 00 ≤ HH ≤ 23 and 00 ≤ MM ≤ 59. */
gboolean fd_schedule_time_is_valid (const char *text);

G_END_DECLS
