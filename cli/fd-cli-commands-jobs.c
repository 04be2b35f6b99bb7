/* fd-cli-commands-jobs.c — the command table's job and variable nouns: jobs run on devices
 * ("@name" with arguments, a result per device) and the variables of a device's twin
 * (docs/rest-api.md, "Jobs" and "Variables"). The requests that need more than string members
 * are in fd-cli-jobs.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* job */
static const FdCliParam arg_job_name = {
  .name = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_BODY,
  .key = "name",
  .help = N_ ("The job's name, as the device knows it (reset, echo, …)"),
};
static const FdCliParam arg_job_id = {
  .name = "JOB_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The job (job-…)"),
};
static const FdCliParam arg_device_in = {
  .name = "DEVICE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The device (dev-…)"),
};
static const FdCliParam opt_args = {
  .name = "args",
  .metavar = "JSON",
  .value = FD_CLI_VALUE_JSON,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The job's arguments, a JSON object (default {})"),
};
static const FdCliParam opt_target_device = {
  .name = "device",
  .metavar = "DEVICE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Run it on this device (repeat for several)"),
};
static const FdCliParam opt_target_fleet = {
  .name = "fleet",
  .metavar = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Run it on every device of this fleet (repeat for several)"),
};
static const FdCliParam opt_timeout = {
  .name = "timeout",
  .metavar = "SECONDS",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("How long a device has to answer once sent, 1 to 604800 s (default 300)"),
};
static const FdCliParam opt_retries = {
  .name = "retries",
  .metavar = "N",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Send it again up to N times after a timeout, 0 to 10 (default 0)"),
};
static const FdCliParam opt_wait = {
  .name = "wait",
  .value = FD_CLI_VALUE_FLAG,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Wait until every device answered (or timed out), then show the results"),
};
static const char *const job_states[] = { "active", "done", "canceled", NULL };
static const FdCliParam opt_job_state = {
  .name = "state",
  .metavar = "STATE",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "state",
  .choices = job_states,
  .help = N_ ("Only jobs in this state"),
};

static const FdCliColumn job_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "DEVICES"), "total", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "SUCCEEDED"), "counts.succeeded", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "FAILED"), "counts.failed", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "TIMED OUT"), "counts.timed_out", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NULL },
};

const FdCliColumn fd_cli_execution_columns[] = {
  { NC_ ("table column", "JOB"), "job_id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "DEVICE"), NULL, FD_CLI_CELL_FUNC, fd_cli_condition_device_cell },
  { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "ATTEMPTS"), "attempts", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "FINISHED"), "finished_at", FD_CLI_CELL_TIME },
  /* Why it ended: the failure's text, "replaced by job-…", a manifest that lacks the job. */
  { NC_ ("table column", "MESSAGE"), "message", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "RESULT"), "result", FD_CLI_CELL_JSON },
  { NULL },
};

const FdCliCommand fd_cli_job_commands[] = {
  {
      .verb = "schedule",
      .summary = N_ ("Run a job on devices and fleets (with --wait, until each answered)"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, &arg_job_name, NULL },
      .options = (const FdCliParam *const[]){ &opt_args, &opt_target_device, &opt_target_fleet,
                                              &opt_timeout, &opt_retries, &opt_wait, NULL },
      .method = "POST",
      .path = "/workspaces/{}/jobs",
      .show = FD_CLI_SHOW_OBJECT,
      .check = fd_cli_job_check_schedule,
      .remote = fd_cli_job_schedule,
  },
  {
      .verb = "list",
      .summary = N_ ("List a workspace's jobs, newest first"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_job_state, &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/jobs",
      .show = FD_CLI_SHOW_LIST,
      .columns = job_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show a job and each device's execution of it"),
      .args = (const FdCliParam *const[]){ &arg_job_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/jobs/{}",
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_job_get,
  },
  {
      .verb = "cancel",
      .summary = N_ ("Cancel a job's executions that have not finished"),
      .args = (const FdCliParam *const[]){ &arg_job_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "POST",
      .path = "/jobs/{}/cancel",
      .show = FD_CLI_SHOW_OBJECT,
  },
  { NULL },
};

/* variable */
static const FdCliParam arg_key = {
  .name = "KEY",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The variable's key (not starting with @, # or _)"),
};
static const FdCliParam arg_key_query = {
  .name = "KEY",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_QUERY,
  .key = "key",
  .help = N_ ("The variable's key"),
};
static const FdCliParam arg_value = {
  .name = "VALUE_JSON",
  .value = FD_CLI_VALUE_JSON,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The value, as JSON: 30, \"eco\", {\"max\": 30}"),
};

static const FdCliColumn variable_columns[] = {
  { NC_ ("table column", "KEY"), "key", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "SET"), "expected.set_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "EXPECTED"), "expected.value", FD_CLI_CELL_JSON },
  { NC_ ("table column", "REPORTED"), "reported.value", FD_CLI_CELL_JSON },
  { NULL },
};
static const FdCliColumn pending_columns[] = {
  { NC_ ("table column", "DEVICE"), NULL, FD_CLI_CELL_FUNC, fd_cli_condition_device_cell },
  { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "SET"), "expected.set_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "EXPECTED"), "expected.value", FD_CLI_CELL_JSON },
  { NC_ ("table column", "REPORTED"), "reported.value", FD_CLI_CELL_JSON },
  { NULL },
};

const FdCliCommand fd_cli_variable_commands[] = {
  {
      .verb = "list",
      .summary = N_ ("List a device's variables: what was set and what it reported"),
      .args = (const FdCliParam *const[]){ &arg_device_in, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/devices/{}/variables",
      .show = FD_CLI_SHOW_LIST,
      .columns = variable_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show one variable of a device"),
      .args = (const FdCliParam *const[]){ &arg_device_in, &arg_key, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/devices/{}/variables/{}",
      .check = fd_cli_variable_check_key,
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "set",
      .summary = N_ ("Set a device's variable (it takes it now, or when it connects)"),
      .args = (const FdCliParam *const[]){ &arg_device_in, &arg_key, &arg_value, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "PUT",
      .path = "/devices/{}/variables/{}",
      .check = fd_cli_variable_check_key,
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_variable_set,
  },
  {
      .verb = "unset",
      .summary = N_ ("Remove a device's variable (and the value waiting for it)"),
      .args = (const FdCliParam *const[]){ &arg_device_in, &arg_key, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/devices/{}/variables/{}",
      .check = fd_cli_variable_check_key,
      .show = FD_CLI_SHOW_DELETED,
  },
  {
      .verb = "pending",
      .summary = N_ ("List the devices of a workspace that have not taken a variable yet"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, &arg_key_query, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/variables?state=pending",
      .show = FD_CLI_SHOW_LIST,
      .columns = pending_columns,
      .kind = FD_CLI_KIND_DEVICE,
  },
  { NULL },
};
