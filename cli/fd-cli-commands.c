/* fd-cli-commands.c — the command table: every noun, verb, argument and option of
 * fleetdesk-cli, and how each maps onto docs/rest-api.md. Parsing, help, completion and the
 * requests are all derived from this one structure, so a verb added here is complete. The
 * device and data nouns, the largest, are in fd-cli-commands-device.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* Global options: accepted before or after NOUN VERB. */

static const FdCliParam opt_server = {
  .name = "server",
  .metavar = "URL",
  .value = FD_CLI_VALUE_URL,
  .help = N_ ("Server URL (env FLEETDESK_URL; default http://127.0.0.1:7080)"),
};
static const FdCliParam opt_token = {
  .name = "token",
  .metavar = "TOKEN",
  .value = FD_CLI_VALUE_TOKEN,
  .help = N_ ("API token (env FLEETDESK_TOKEN)"),
};
static const FdCliParam opt_data_dir = {
  .name = "data-dir",
  .metavar = "DIR",
  .value = FD_CLI_VALUE_DIR,
  .help = N_ ("A local server's data directory: read the URL and admin token from it"),
};
static const FdCliParam opt_json = {
  .name = "json",
  .value = FD_CLI_VALUE_FLAG,
  .help = N_ ("Print the API's JSON answer unchanged"),
};
static const FdCliParam opt_help = {
  .name = "help",
  .value = FD_CLI_VALUE_FLAG,
  .help = N_ ("Show help"),
};
static const FdCliParam opt_version = {
  .name = "version",
  .value = FD_CLI_VALUE_FLAG,
  .help = N_ ("Show the version"),
};

static const FdCliParam *const global_options[] = {
  &opt_server, &opt_token, &opt_data_dir, &opt_json, &opt_help, &opt_version, NULL,
};

/* Options shared by several verbs. */

const FdCliParam fd_cli_opt_search = {
  .name = "search",
  .metavar = "TEXT",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_QUERY,
  .key = "search",
  .help = N_ ("Only names containing TEXT (ignoring case)"),
};
const FdCliParam fd_cli_opt_from = {
  .name = "from",
  .metavar = "N",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_QUERY,
  .key = "from",
  .help = N_ ("Skip the first N items (default 0)"),
};
const FdCliParam fd_cli_opt_size = {
  .name = "size",
  .metavar = "N",
  .value = FD_CLI_VALUE_PAGE_SIZE,
  .target = FD_CLI_TO_QUERY,
  .key = "size",
  .help = N_ ("Show at most N items, 1 to 1000 (default 50)"),
};
static const FdCliParam opt_description = {
  .name = "description",
  .metavar = "TEXT",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_BODY,
  .key = "description",
  .help = N_ ("Description, at most 1000 characters"),
};
const FdCliParam fd_cli_opt_name = {
  .name = "name",
  .metavar = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_BODY,
  .key = "name",
  .help = N_ ("New name"),
};
static const FdCliParam opt_force = {
  .name = "force",
  .value = FD_CLI_VALUE_FLAG,
  .target = FD_CLI_TO_QUERY,
  .key = "force",
  .help = N_ ("Also delete everything in it"),
};

const FdCliParam fd_cli_arg_name = {
  .name = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_BODY,
  .key = "name",
  .help = N_ ("Name, 1 to 100 characters"),
};
const FdCliParam fd_cli_arg_workspace_in = {
  .name = "WORKSPACE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The workspace (wks-…)"),
};

/* workspace */

static const FdCliParam arg_workspace_id = {
  .name = "ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The workspace's ID (wks-…)"),
};

static const FdCliParam opt_retention_days = {
  .name = "retention-days",
  .metavar = "N|none",
  .value = FD_CLI_VALUE_DAYS,
  .target = FD_CLI_TO_BODY,
  .key = "retention_days",
  .help = N_ ("Delete readings older than N days (1 to 36500); none keeps them for ever"),
};
static const FdCliParam opt_rollup_retention_days = {
  .name = "rollup-retention-days",
  .metavar = "N|none",
  .value = FD_CLI_VALUE_DAYS,
  .target = FD_CLI_TO_BODY,
  .key = "rollup_retention_days",
  .help = N_ ("Delete hour rollups older than N days (at least --retention-days); "
              "none keeps them for ever"),
};

static const FdCliColumn workspace_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "FLEETS"), "fleet_count", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "DEVICES"), "device_count", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NULL },
};

static const FdCliCommand workspace_commands[] = {
  {
      .verb = "create",
      .summary = N_ ("Create a workspace (and its default fleet)"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_name, NULL },
      .options = (const FdCliParam *const[]){ &opt_description, NULL },
      .method = "POST",
      .path = "/workspaces",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "list",
      .summary = N_ ("List workspaces by name"),
      .args = (const FdCliParam *const[]){ NULL },
      .options
      = (const FdCliParam *const[]){ &fd_cli_opt_search, &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces",
      .show = FD_CLI_SHOW_LIST,
      .columns = workspace_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show a workspace"),
      .args = (const FdCliParam *const[]){ &arg_workspace_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/workspaces/{}",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "update",
      .summary = N_ ("Rename a workspace, change its description or how long its data is kept"),
      .args = (const FdCliParam *const[]){ &arg_workspace_id, NULL },
      .options
      = (const FdCliParam *const[]){ &fd_cli_opt_name, &opt_description, &opt_retention_days,
                                     &opt_rollup_retention_days, NULL },
      .method = "PATCH",
      .path = "/workspaces/{}",
      .show = FD_CLI_SHOW_OBJECT,
      .flags = FD_CLI_FLAG_NEEDS_CHANGE,
  },
  {
      .verb = "delete",
      .summary = N_ ("Delete a workspace (with --force, also its fleets and devices)"),
      .args = (const FdCliParam *const[]){ &arg_workspace_id, NULL },
      .options = (const FdCliParam *const[]){ &opt_force, NULL },
      .method = "DELETE",
      .path = "/workspaces/{}",
      .show = FD_CLI_SHOW_DELETED,
  },
  { NULL },
};

/* fleet */

static const FdCliParam arg_fleet_id = {
  .name = "ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The fleet's ID (flt-…)"),
};

static const FdCliColumn fleet_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "DEFAULT"), "is_default", FD_CLI_CELL_BOOL },
  { NC_ ("table column", "DEVICES"), "device_count", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NULL },
};

static const FdCliCommand fleet_commands[] = {
  {
      .verb = "create",
      .summary = N_ ("Create a fleet in a workspace"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, &fd_cli_arg_name, NULL },
      .options = (const FdCliParam *const[]){ &opt_description, NULL },
      .method = "POST",
      .path = "/workspaces/{}/fleets",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "list",
      .summary = N_ ("List a workspace's fleets, the default one first"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options
      = (const FdCliParam *const[]){ &fd_cli_opt_search, &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/fleets",
      .show = FD_CLI_SHOW_LIST,
      .columns = fleet_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show a fleet"),
      .args = (const FdCliParam *const[]){ &arg_fleet_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/fleets/{}",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "update",
      .summary = N_ ("Rename a fleet or change its description"),
      .args = (const FdCliParam *const[]){ &arg_fleet_id, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_name, &opt_description, NULL },
      .method = "PATCH",
      .path = "/fleets/{}",
      .show = FD_CLI_SHOW_OBJECT,
      .flags = FD_CLI_FLAG_NEEDS_CHANGE,
  },
  {
      .verb = "delete",
      .summary = N_ ("Delete a fleet (with --force, also its devices)"),
      .args = (const FdCliParam *const[]){ &arg_fleet_id, NULL },
      .options = (const FdCliParam *const[]){ &opt_force, NULL },
      .method = "DELETE",
      .path = "/fleets/{}",
      .show = FD_CLI_SHOW_DELETED,
  },
  { NULL },
};

/* token */

static const FdCliParam arg_token_id = {
  .name = "ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The token's ID (tok-…)"),
};

static const FdCliColumn token_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "LAST USED"), "last_used_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "REVOKED"), "revoked", FD_CLI_CELL_BOOL },
  { NULL },
};

static const FdCliCommand token_commands[] = {
  {
      .verb = "create",
      .summary = N_ ("Create an API token (its secret is shown only now)"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_name, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "POST",
      .path = "/tokens",
      .show = FD_CLI_SHOW_OBJECT,
      .flags = FD_CLI_FLAG_SHOWS_SECRET,
  },
  {
      .verb = "list",
      .summary = N_ ("List API tokens"),
      .args = (const FdCliParam *const[]){ NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/tokens",
      .show = FD_CLI_SHOW_LIST,
      .columns = token_columns,
  },
  {
      .verb = "revoke",
      .summary = N_ ("Revoke an API token"),
      .args = (const FdCliParam *const[]){ &arg_token_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/tokens/{}",
      .show = FD_CLI_SHOW_DELETED,
  },
  { NULL },
};

/* audit */

static const FdCliParam opt_action = {
  .name = "action",
  .metavar = "ACTION",
  .value = FD_CLI_VALUE_ACTION,
  .target = FD_CLI_TO_QUERY,
  .key = "action",
  .help = N_ ("Only entries of this action (e.g. device.create)"),
};
static const FdCliParam opt_target = {
  .name = "target",
  .metavar = "ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_QUERY,
  .key = "target",
  .help = N_ ("Only entries about this object"),
};

static const FdCliColumn audit_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "AT"), "at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "ACTOR"), "actor", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "ACTION"), "action", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "TARGET"), "target", FD_CLI_CELL_TEXT },
  { NULL },
};

static const FdCliCommand audit_commands[] = {
  {
      .verb = "list",
      .summary = N_ ("List audit entries, newest first"),
      .args = (const FdCliParam *const[]){ NULL },
      .options = (const FdCliParam *const[]){ &opt_action, &opt_target, &fd_cli_opt_from,
                                              &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/audit",
      .show = FD_CLI_SHOW_LIST,
      .columns = audit_columns,
  },
  { NULL },
};

/* completion */

static const FdCliCommand completion_commands[] = {
  {
      .verb = "bash",
      .summary = N_ ("Print the bash completion script"),
      .args = (const FdCliParam *const[]){ NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .local = fd_cli_completion_run,
  },
  { NULL },
};

static const FdCliNoun nouns[] = {
  { "workspace", N_ ("Workspaces: the top level, holding fleets and devices"),
    FD_CLI_KIND_WORKSPACE, workspace_commands },
  { "fleet", N_ ("Fleets: groups of devices in a workspace"), FD_CLI_KIND_FLEET, fleet_commands },
  { "device", N_ ("Devices: the things managed, each in one fleet, and their credentials"),
    FD_CLI_KIND_DEVICE, fd_cli_device_commands },
  { "data", N_ ("Data devices send: tags, their fields, readings, aggregates and series"),
    FD_CLI_KIND_TAG, fd_cli_data_commands },
  { "condition", N_ ("Conditions devices open and close (\"battery low\" from 10:02 to 10:40)"),
    FD_CLI_KIND_CONDITION, fd_cli_condition_commands },
  { "export", N_ ("Exports of data to files, one-off and periodic"), FD_CLI_KIND_EXPORT,
    fd_cli_export_commands },
  { "job", N_ ("Jobs: a command run on devices (\"@reset\"), with each device's result"),
    FD_CLI_KIND_JOB, fd_cli_job_commands },
  { "variable", N_ ("Variables: values set for a device's keys, and whether it took them"),
    FD_CLI_KIND_VARIABLE, fd_cli_variable_commands },
  { "firmware", N_ ("Firmware images, signed for the workspace's devices"), FD_CLI_KIND_FIRMWARE,
    fd_cli_firmware_commands },
  { "campaign", N_ ("OTA campaigns: a firmware rolled out to devices in stages"),
    FD_CLI_KIND_CAMPAIGN, fd_cli_campaign_commands },
  { "integration",
    N_ ("Integrations: data and events forwarded to a webhook or PostgreSQL, with their health"),
    FD_CLI_KIND_INTEGRATION, fd_cli_integration_commands },
  { "alert", N_ ("Alert rules (a condition open too long) and the alerts they raised"),
    FD_CLI_KIND_ALERT_RULE, fd_cli_alert_commands },
  { "token", N_ ("API tokens"), FD_CLI_KIND_TOKEN, token_commands },
  { "audit", N_ ("The audit log of changes"), FD_CLI_KIND_AUDIT_ENTRY, audit_commands },
  { "events",
    N_ ("Live events: devices online and offline, data arriving, conditions, jobs, "
        "variables, campaigns, alerts"),
    FD_CLI_KIND_NONE, fd_cli_events_commands },
  { "completion", N_ ("Shell completion"), FD_CLI_KIND_NONE, completion_commands },
  { NULL },
};

const FdCliTable fd_cli_table = {
  .global_options = global_options,
  .nouns = nouns,
};

const FdCliNoun *
fd_cli_find_noun (const char *name)
{
  for (const FdCliNoun *noun = fd_cli_table.nouns; noun->name != NULL; noun++)
    if (g_str_equal (noun->name, name))
      return noun;
  return NULL;
}

const FdCliCommand *
fd_cli_find_command (const FdCliNoun *noun, const char *verb)
{
  for (const FdCliCommand *command = noun->commands; command->verb != NULL; command++)
    if (g_str_equal (command->verb, verb))
      return command;
  return NULL;
}
