/* fd-integrations-format.h — integrations, their deliveries and alerts as the Integrations
 * pane's cells and labels show them. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The event kinds an integration can forward, in the order the form offers them (the API's
 * names, fd-store-integrations.h). */
extern const char *const fd_integration_kinds[];
#define FD_INTEGRATION_N_KINDS 6
/* "Data", "Conditions", "Device online/offline", … for fd_integration_kinds[@i]. */
const char *fd_integration_kind_label (guint i);

/* A health state ("delivering", "retrying", …) as the user reads it, and its style class
 * ("success", "warning", "error", "dim-label" or NULL). */
const char *fd_integration_state_label (const char *state, const char **css_class);

/* Cells of the integrations list (FdJsonItemText). */
char *fd_integrations_format_name (JsonObject *integration, const char **css_class);
char *fd_integrations_format_type (JsonObject *integration, const char **css_class);
char *fd_integrations_format_health (JsonObject *integration, const char **css_class);
char *fd_integrations_format_queued (JsonObject *integration, const char **css_class);
char *fd_integrations_format_rate (JsonObject *integration, const char **css_class);
char *fd_integrations_format_last_error (JsonObject *integration, const char **css_class);

/* Cells of the delivery log. */
char *fd_deliveries_format_time (JsonObject *delivery, const char **css_class);
char *fd_deliveries_format_batch (JsonObject *delivery, const char **css_class);
char *fd_deliveries_format_kind (JsonObject *delivery, const char **css_class);
char *fd_deliveries_format_items (JsonObject *delivery, const char **css_class);
char *fd_deliveries_format_attempt (JsonObject *delivery, const char **css_class);
char *fd_deliveries_format_status (JsonObject *delivery, const char **css_class);
char *fd_deliveries_format_latency (JsonObject *delivery, const char **css_class);
char *fd_deliveries_format_outcome (JsonObject *delivery, const char **css_class);
char *fd_deliveries_format_error (JsonObject *delivery, const char **css_class);

/* The answer of a test ({"delivered", "status", "latency_ms", "error"}) as one sentence. */
char *fd_integrations_format_test (JsonObject *result, gboolean *delivered);

/* "10 min", "1 h 30 min", "45 s": an alert rule's threshold. */
char *fd_alerts_format_threshold (gint64 seconds);
/* An alert rule's line under its name: "battery_low, door_open · open longer than 10 min". */
char *fd_alerts_format_rule (JsonObject *rule);
/* An alert's notification title: "Condition open too long: battery_low on sensor-01". */
char *fd_alerts_format_title (JsonObject *alert);
/* The notification's id: "alert-<rule>-<device>-<condition uuid>" (NULL without them). */
char *fd_alerts_notification_id (JsonObject *alert);

G_END_DECLS
