/* fd-cli-commands-private.h — what the files of the command table share: the parameters used by
 * several nouns, and the verbs of the nouns defined outside fd-cli-commands.c.
 */
#pragma once

#include "fd-cli.h"

G_BEGIN_DECLS

extern const FdCliParam fd_cli_opt_search;
extern const FdCliParam fd_cli_opt_from;
extern const FdCliParam fd_cli_opt_size;
extern const FdCliParam fd_cli_opt_name;
extern const FdCliParam fd_cli_arg_name;
extern const FdCliParam fd_cli_arg_workspace_in;

/* fd-cli-commands-device.c */
extern const FdCliCommand fd_cli_device_commands[];
extern const FdCliCommand fd_cli_data_commands[];

/* fd-cli-commands-query.c: the data noun's query, aggregate and series verbs */
extern const FdCliParam *const fd_cli_data_query_options[];
extern const FdCliParam *const fd_cli_data_aggregate_options[];
extern const FdCliParam *const fd_cli_data_series_options[];
gboolean fd_cli_data_query (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                            GError **error);
gboolean fd_cli_data_aggregate (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                                GError **error);
gboolean fd_cli_data_series (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint,
                             GError **error);

/* fd-cli-events.c */
extern const FdCliCommand fd_cli_events_commands[];

/* fd-cli-commands-condition.c */
extern const FdCliCommand fd_cli_condition_commands[];

/* fd-cli-export.c */
extern const FdCliCommand fd_cli_export_commands[];
/* "data export": its options and the check that it has --output or --no-wait. */
extern const FdCliParam *const fd_cli_data_export_options[];
gboolean fd_cli_export_check_output (const FdCliInvocation *invocation, GError **error);

/* fd-cli-commands-jobs.c */
extern const FdCliCommand fd_cli_job_commands[];
extern const FdCliCommand fd_cli_variable_commands[];
/* The columns of a device's job executions ("device jobs", "job get"). */
extern const FdCliColumn fd_cli_execution_columns[];

/* fd-cli-commands-ota.c */
extern const FdCliCommand fd_cli_firmware_commands[];
extern const FdCliCommand fd_cli_campaign_commands[];

/* fd-cli-commands-integration.c, fd-cli-integrations.c */
extern const FdCliCommand fd_cli_integration_commands[];
/* create / update: the numbers in their bounds, --header 'NAME: VALUE', what the type needs. */
gboolean fd_cli_integration_check (const FdCliInvocation *invocation, GError **error);
/* create / update: the body from the options; a create's secret is shown with a note. */
gboolean fd_cli_integration_send (const FdCliInvocation *invocation,
                                  const FdCliEndpoint *endpoint, GError **error);
/* test: the answer, and exit 1 when the event was not delivered. */
gboolean fd_cli_integration_test (const FdCliInvocation *invocation,
                                  const FdCliEndpoint *endpoint, GError **error);
/* fd-cli-alerts.c */
extern const FdCliCommand fd_cli_alert_commands[];

G_END_DECLS
