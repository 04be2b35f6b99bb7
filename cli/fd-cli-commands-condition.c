/* fd-cli-commands-condition.c — the command table's condition noun: the conditions devices
 * open and close, listed with the filters of GET /workspaces/{id}/conditions
 * (docs/rest-api.md, "Conditions").
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

static const char *const condition_statuses[] = { "open", "closed", NULL };
static const FdCliParam opt_status = {
  .name = "status",
  .metavar = "STATUS",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "status",
  .choices = condition_statuses,
  .help = N_ ("Only open or only closed conditions"),
};
static const FdCliParam opt_tag = {
  .name = "tag",
  .metavar = "TAG",
  .value = FD_CLI_VALUE_TAG,
  .target = FD_CLI_TO_QUERY,
  .key = "tag",
  .repeatable = TRUE,
  .help = N_ ("Only conditions of this tag (repeat for any of several)"),
};
static const FdCliParam opt_device = {
  .name = "device",
  .metavar = "DEVICE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_QUERY,
  .key = "device",
  .repeatable = TRUE,
  .help = N_ ("Only conditions of this device (repeat for any of several)"),
};
static const FdCliParam opt_fleet = {
  .name = "fleet",
  .metavar = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_QUERY,
  .key = "fleet",
  .repeatable = TRUE,
  .help = N_ ("Only conditions of devices in this fleet (repeat for any of several)"),
};
static const FdCliParam opt_threshold = {
  .name = "threshold",
  .metavar = "SECONDS",
  .value = FD_CLI_VALUE_SECONDS,
  .target = FD_CLI_TO_QUERY,
  .key = "threshold",
  .help = N_ ("Only conditions open at least this long (closed ones by their duration, open "
              "ones by the time since they started)"),
};
static const FdCliParam opt_start = {
  .name = "start",
  .metavar = "TIME",
  .value = FD_CLI_VALUE_TIME,
  .target = FD_CLI_TO_QUERY,
  .key = "start",
  .help = N_ ("Only conditions that started at or after TIME (RFC 3339)"),
};
static const FdCliParam opt_end = {
  .name = "end",
  .metavar = "TIME",
  .value = FD_CLI_VALUE_TIME,
  .target = FD_CLI_TO_QUERY,
  .key = "end",
  .help = N_ ("Only conditions that started before TIME (RFC 3339)"),
};

static const FdCliColumn condition_columns[] = {
  { NC_ ("table column", "DEVICE"), NULL, FD_CLI_CELL_FUNC, fd_cli_condition_device_cell },
  { NC_ ("table column", "TAG"), "tag", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "UUID"), "uuid", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "START"), "start", FD_CLI_CELL_TIME },
  { NC_ ("table column", "DURATION"), NULL, FD_CLI_CELL_FUNC, fd_cli_condition_duration_cell },
  { NC_ ("table column", "STATUS"), "status", FD_CLI_CELL_TEXT },
  { NULL },
};

const FdCliCommand fd_cli_condition_commands[] = {
  {
      .verb = "list",
      .summary = N_ ("List the conditions a workspace's devices opened, newest first"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &opt_status, &opt_tag, &opt_device, &opt_fleet,
                                              &opt_threshold, &opt_start, &opt_end,
                                              &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/conditions",
      .show = FD_CLI_SHOW_LIST,
      .columns = condition_columns,
  },
  { NULL },
};
