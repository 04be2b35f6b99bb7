/* fd-alerts.h — alert rules: a condition of one of a rule's tags open longer than the rule's
 * threshold triggers an alert (an alert row, an outbox event of kind "alerts" and the live
 * event alert.triggered, in one transaction); the condition closing resolves it
 * (alert.resolved). A ticker on the engine thread checks the open conditions.
 */
#pragma once

#include <gio/gio.h>

#include "events/fd-events.h"
#include "store/fd-store.h"

G_BEGIN_DECLS

typedef struct _FdAlerts FdAlerts;

/* @tick_ms: how often open conditions are checked (0: 5000). */
FdAlerts *fd_alerts_new (FdStore *store, FdEvents *events, guint tick_ms);
void fd_alerts_start (FdAlerts *self);
void fd_alerts_free (FdAlerts *self);
/* A rule changed: check now rather than at the next tick. */
void fd_alerts_kick (FdAlerts *self);
/* @func runs on the engine thread after a check that queued outbox events of @workspace_id
 * (alerts triggered or resolved), once per workspace: the engine wakes the delivery workers. */
typedef void (*FdAlertsNotify) (const char *workspace_id, gpointer user_data);
void fd_alerts_set_notify (FdAlerts *self, FdAlertsNotify func, gpointer user_data);

G_END_DECLS
