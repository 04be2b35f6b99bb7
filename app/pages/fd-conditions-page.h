/* fd-conditions-page.h — the "Conditions" pane: the conditions devices have open now, with
 * their durations ticking, and a filterable history; live from the events stream; desktop
 * notifications for the tags the user chose. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"
#include "fd-events-client.h"
#include "fd-pane.h"
#include "fd-workspace.h"

G_BEGIN_DECLS

/* The history shows at most this many conditions (the newest), and says so. */
#define FD_CONDITIONS_HISTORY_SIZE 500

#define FD_TYPE_CONDITIONS_PAGE (fd_conditions_page_get_type ())
G_DECLARE_FINAL_TYPE (FdConditionsPage, fd_conditions_page, FD, CONDITIONS_PAGE, FdPane)

void fd_conditions_page_set_client (FdConditionsPage *self, FdApiClient *client);
void fd_conditions_page_set_events (FdConditionsPage *self, FdEventsClient *events);
/* The workspace whose conditions are listed (NULL: none). */
void fd_conditions_page_set_workspace (FdConditionsPage *self, FdWorkspace *workspace);
/* Signal "open-device" (const char *device_id): a row was activated. */

/* Reads both lists again. */
void fd_conditions_page_reload (FdConditionsPage *self);

/* For tests: the lists (FdConditionItem, as shown: filtered and sorted), how many times the
 * durations ticked, and how many notifications were sent. */
GListModel *fd_conditions_page_get_open (FdConditionsPage *self);
GListModel *fd_conditions_page_get_history (FdConditionsPage *self);
guint fd_conditions_page_get_ticks (FdConditionsPage *self);
guint fd_conditions_page_get_notifications (FdConditionsPage *self);

G_END_DECLS
