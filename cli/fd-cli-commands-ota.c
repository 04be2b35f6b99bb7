/* fd-cli-commands-ota.c — the command table's firmware and campaign nouns: firmware images
 * signed with the workspace's key, and staged OTA campaigns that roll one out
 * (docs/rest-api.md, "Firmware" and "Campaigns"). The upload, the campaign's body and "watch"
 * are in fd-cli-ota.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* firmware */
static const FdCliParam arg_file = {
  .name = "FILE",
  .value = FD_CLI_VALUE_FILE,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The firmware image to upload"),
};
static const FdCliParam arg_firmware_id = {
  .name = "FIRMWARE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The firmware (fw-…)"),
};
static const FdCliParam opt_version = {
  .name = "version",
  .required = TRUE,
  .metavar = "VERSION",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_QUERY,
  .key = "version",
  .help = N_ ("The firmware's version, 1 to 64 printable characters (required)"),
};
static const FdCliParam opt_fw_target = {
  .name = "target",
  .metavar = "TARGET",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_QUERY,
  .key = "target",
  .help = N_ ("The hardware it is for (one version per target)"),
};
static const FdCliParam opt_fw_description = {
  .name = "description",
  .metavar = "TEXT",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_QUERY,
  .key = "description",
  .help = N_ ("Description, at most 1000 characters"),
};

static const FdCliColumn firmware_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "VERSION"), "version", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "TARGET"), "target", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "SIZE"), "size", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "IN USE"), "in_use", FD_CLI_CELL_BOOL },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NULL },
};

const FdCliCommand fd_cli_firmware_commands[] = {
  {
      .verb = "upload",
      .summary = N_ ("Upload a firmware image (signed with the workspace's key)"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, &arg_file, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_version, &opt_fw_target, &opt_fw_description, NULL },
      .method = "POST",
      .path = "/workspaces/{}/firmware",
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_firmware_upload,
  },
  {
      .verb = "list",
      .summary = N_ ("List a workspace's firmware images"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/firmware",
      .show = FD_CLI_SHOW_LIST,
      .columns = firmware_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show a firmware image, its manifest and signature"),
      .args = (const FdCliParam *const[]){ &arg_firmware_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/firmware/{}",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "delete",
      .summary = N_ ("Delete a firmware image no running campaign uses"),
      .args = (const FdCliParam *const[]){ &arg_firmware_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/firmware/{}",
      .show = FD_CLI_SHOW_DELETED,
  },
  {
      .verb = "key",
      .summary = N_ ("Show the public key devices check the workspace's firmware with"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/workspaces/{}/signing-key",
      .show = FD_CLI_SHOW_OBJECT,
  },
  { NULL },
};

/* campaign */
static const FdCliParam arg_campaign_id = {
  .name = "CAMPAIGN_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The campaign (cmp-…)"),
};
static const FdCliParam opt_firmware = {
  .name = "firmware",
  .required = TRUE,
  .metavar = "FIRMWARE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The firmware to roll out (required)"),
};
static const FdCliParam opt_campaign_name = {
  .name = "name",
  .metavar = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The campaign's name (default: \"FIRMWARE_ID rollout\")"),
};
static const FdCliParam opt_fleet = {
  .name = "fleet",
  .metavar = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Update the devices of this fleet (repeat for several)"),
};
static const FdCliParam opt_device = {
  .name = "device",
  .metavar = "DEVICE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Update this device (repeat for several)"),
};
static const FdCliParam opt_stages = {
  .name = "stages",
  .metavar = "LIST",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Where each stage ends, of the targets: percentages or device counts, e.g. "
              "5%,50,100% (the last 100%; default 100%)"),
};
static const FdCliParam opt_min_wait = {
  .name = "min-wait",
  .metavar = "SECONDS",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Wait at least this long in each stage before the next, 0 to 604800 (default 0)"),
};
static const FdCliParam opt_success_threshold = {
  .name = "success-threshold",
  .metavar = "PERCENT",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Go on to the next stage only when this share of a stage succeeded (default 90)"),
};
static const FdCliParam opt_failure_threshold = {
  .name = "failure-threshold",
  .metavar = "PERCENT",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Abort when more than this share of the finished devices failed (default 20)"),
};
static const FdCliParam opt_failure_min = {
  .name = "failure-min",
  .metavar = "N",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Judge the failure share only once N devices finished (default 10)"),
};
static const FdCliParam opt_device_timeout = {
  .name = "device-timeout",
  .metavar = "SECONDS",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("A device that has not finished this long after it was told times out, 10 to "
              "604800 (default 3600)"),
};
static const FdCliParam opt_all_versions = {
  .name = "all-versions",
  .value = FD_CLI_VALUE_FLAG,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Also update devices that already run the firmware's version"),
};
static const char *const target_states[]
    = { "queued",    "notified", "downloading", "downloaded", "verified", "installing", "testing",
        "succeeded", "failed",   "reverted",    "timed_out",  "skipped",  NULL };
static const FdCliParam opt_target_state = {
  .name = "state",
  .metavar = "STATE",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "state",
  .choices = target_states,
  .help = N_ ("Only targets in this state"),
};

static const FdCliColumn campaign_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "VERSION"), "firmware_version", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "STAGE"), NULL, FD_CLI_CELL_FUNC, fd_cli_campaign_stage_cell },
  { NC_ ("table column", "DEVICES"), "total", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "SUCCEEDED"), "counts.succeeded", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "FAILED"), NULL, FD_CLI_CELL_FUNC, fd_cli_campaign_failed_cell },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NULL },
};
static const FdCliColumn target_columns[] = {
  { NC_ ("table column", "DEVICE"), NULL, FD_CLI_CELL_FUNC, fd_cli_condition_device_cell },
  { NC_ ("table column", "STAGE"), NULL, FD_CLI_CELL_FUNC, fd_cli_campaign_stage_cell },
  { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "PROGRESS"), "progress", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "FROM"), "from_version", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "UPDATED"), "updated_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "MESSAGE"), "message", FD_CLI_CELL_TEXT },
  { NULL },
};

#define CAMPAIGN_ACTION(VERB, SUMMARY)                                                             \
  {                                                                                                \
    .verb = VERB, .summary = SUMMARY,                                                              \
    .args = (const FdCliParam *const[]){ &arg_campaign_id, NULL },                                 \
    .options = (const FdCliParam *const[]){ NULL }, .method = "POST",                              \
    .path = "/campaigns/{}/" VERB, .show = FD_CLI_SHOW_OBJECT, .remote = fd_cli_campaign_get,      \
  }

const FdCliCommand fd_cli_campaign_commands[] = {
  {
      .verb = "create",
      .summary = N_ ("Start rolling a firmware out to fleets and devices, in stages"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_firmware, &opt_campaign_name, &opt_fleet, &opt_device,
                                     &opt_stages, &opt_min_wait, &opt_success_threshold,
                                     &opt_failure_threshold, &opt_failure_min, &opt_device_timeout,
                                     &opt_all_versions, NULL },
      .method = "POST",
      .path = "/workspaces/{}/campaigns",
      .show = FD_CLI_SHOW_OBJECT,
      .check = fd_cli_campaign_check_create,
      .remote = fd_cli_campaign_create,
  },
  {
      .verb = "list",
      .summary = N_ ("List a workspace's campaigns, newest first"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/campaigns",
      .show = FD_CLI_SHOW_LIST,
      .columns = campaign_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show a campaign and its stages"),
      .args = (const FdCliParam *const[]){ &arg_campaign_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/campaigns/{}",
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_campaign_get,
  },
  {
      .verb = "targets",
      .summary = N_ ("List a campaign's devices and where each is in its update"),
      .args = (const FdCliParam *const[]){ &arg_campaign_id, NULL },
      .options = (const FdCliParam *const[]){ &opt_target_state, &fd_cli_opt_search,
                                              &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/campaigns/{}/targets",
      .show = FD_CLI_SHOW_LIST,
      .columns = target_columns,
      .kind = FD_CLI_KIND_CAMPAIGN_TARGET,
  },
  CAMPAIGN_ACTION ("pause",
                   N_ ("Pause a campaign: nothing new is started, updates under way go on")),
  CAMPAIGN_ACTION ("resume", N_ ("Resume a paused campaign")),
  CAMPAIGN_ACTION ("abort", N_ ("Abort a campaign: devices not yet told are skipped")),
  {
      .verb = "watch",
      .summary = N_ ("Print a line at each change of a campaign until it completes or aborts"),
      .args = (const FdCliParam *const[]){ &arg_campaign_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/campaigns/{}",
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_campaign_watch,
  },
  { NULL },
};
