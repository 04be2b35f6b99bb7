/* fd-cli-alerts.c — the alert noun: alert rules (a condition of given tags open longer than a
 * threshold) and the alerts they raised (docs/rest-api.md, "Alerts"). The rule's body holds an
 * array and a number, so create and update build it here.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* What the server takes (server/store/fd-store-alerts.h): 1 s to 30 days. */
#define ALERT_MIN_S 1
#define ALERT_MAX_S (30 * 24 * 3600)

static const FdCliParam arg_rule_id = {
  .name = "RULE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The alert rule (alr-…)"),
};
static const FdCliParam opt_rule_name = {
  .name = "name",
  .metavar = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The rule's name"),
};
static const FdCliParam opt_rule_name_required = {
  .name = "name",
  .required = TRUE,
  .metavar = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The rule's name"),
};
static const FdCliParam opt_rule_tag = {
  .name = "tag",
  .metavar = "TAG",
  .value = FD_CLI_VALUE_TAG,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("A condition tag the rule watches (repeat for several; update: replaces them)"),
};
static const FdCliParam opt_rule_tag_required = {
  .name = "tag",
  .required = TRUE,
  .metavar = "TAG",
  .value = FD_CLI_VALUE_TAG,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("A condition tag the rule watches (repeat for several)"),
};
static const FdCliParam opt_open_longer_than = {
  .name = "open-longer-than",
  .metavar = "SECONDS",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Alert when such a condition stays open this long, 1 to 2592000 s (30 days)"),
};
static const FdCliParam opt_open_longer_than_required = {
  .name = "open-longer-than",
  .required = TRUE,
  .metavar = "SECONDS",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Alert when such a condition stays open this long, 1 to 2592000 s (30 days)"),
};
static const char *const alert_states[] = { "active", "resolved", "any", NULL };
static const FdCliParam opt_alert_state = {
  .name = "state",
  .metavar = "STATE",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "state",
  .choices = alert_states,
  .help = N_ ("Only alerts in this state (default active)"),
};

static const FdCliIntMember threshold
    = { "open-longer-than", "open_longer_than_s", ALERT_MIN_S, ALERT_MAX_S };

static gboolean
check_threshold (const FdCliInvocation *invocation, GError **error)
{
  return fd_cli_check_int_members (invocation, &threshold, 1, error);
}

static gboolean
check_update (const FdCliInvocation *invocation, GError **error)
{
  if (!fd_cli_invocation_has (invocation, "name") && !fd_cli_invocation_has (invocation, "tag")
      && !fd_cli_invocation_has (invocation, "open-longer-than"))
    {
      g_set_error_literal (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                           _ ("nothing to change: give --name, --tag or --open-longer-than"));
      return FALSE;
    }
  return check_threshold (invocation, error);
}

/* The rule's body from the options given: what update leaves out stays as it is. */
static gboolean
send_rule (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint, const char *method,
           GError **error)
{
  g_autofree char *path = fd_cli_request_path (invocation);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (GBytes) raw = NULL;

  json_builder_begin_object (b);
  fd_cli_add_string (b, invocation, "name", "name");
  fd_cli_add_ids_given (b, invocation, "tag", "tags");
  fd_cli_add_int_members (b, invocation, &threshold, 1);
  json_builder_end_object (b);
  if (!fd_cli_send_json (endpoint, method, path, b, &answer, &raw, error))
    return FALSE;
  return fd_cli_output_show (invocation, raw, error);
}

static gboolean
rule_create (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint, GError **error)
{
  return send_rule (invocation, endpoint, "POST", error);
}

static gboolean
rule_update (const FdCliInvocation *invocation, const FdCliEndpoint *endpoint, GError **error)
{
  return send_rule (invocation, endpoint, "PATCH", error);
}

static const FdCliColumn rule_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "TAGS"), "tags", FD_CLI_CELL_JSON },
  { NC_ ("table column", "OPEN LONGER THAN (S)"), "open_longer_than_s", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "ACTIVE"), "active", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NULL },
};

static const FdCliColumn alert_columns[] = {
  { NC_ ("table column", "RULE"), "rule_name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "DEVICE"), NULL, FD_CLI_CELL_FUNC, fd_cli_condition_device_cell },
  { NC_ ("table column", "TAG"), "tag", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "STATE"), "state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "CONDITION START"), "condition_start", FD_CLI_CELL_TIME },
  { NC_ ("table column", "TRIGGERED"), "triggered_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "RESOLVED"), "resolved_at", FD_CLI_CELL_TIME },
  { NULL },
};

const FdCliCommand fd_cli_alert_commands[] = {
  {
      .verb = "create",
      .summary = N_ ("Create an alert rule: a condition of these tags open longer than SECONDS"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &opt_rule_name_required, &opt_rule_tag_required,
                                              &opt_open_longer_than_required, NULL },
      .method = "POST",
      .path = "/workspaces/{}/alert-rules",
      .show = FD_CLI_SHOW_OBJECT,
      .check = check_threshold,
      .remote = rule_create,
  },
  {
      .verb = "list",
      .summary = N_ ("List a workspace's alert rules"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/alert-rules",
      .show = FD_CLI_SHOW_LIST,
      .columns = rule_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show an alert rule"),
      .args = (const FdCliParam *const[]){ &arg_rule_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/alert-rules/{}",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "update",
      .summary = N_ ("Change an alert rule's name, tags or threshold"),
      .args = (const FdCliParam *const[]){ &arg_rule_id, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_rule_name, &opt_rule_tag, &opt_open_longer_than, NULL },
      .method = "PATCH",
      .path = "/alert-rules/{}",
      .show = FD_CLI_SHOW_OBJECT,
      .check = check_update,
      .remote = rule_update,
  },
  {
      .verb = "delete",
      .summary = N_ ("Delete an alert rule and its alerts"),
      .args = (const FdCliParam *const[]){ &arg_rule_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/alert-rules/{}",
      .show = FD_CLI_SHOW_DELETED,
  },
  {
      .verb = "active",
      .summary = N_ ("List a workspace's alerts, newest first (active ones unless --state)"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_alert_state, &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/alerts",
      .show = FD_CLI_SHOW_LIST,
      .columns = alert_columns,
      .kind = FD_CLI_KIND_ALERT,
  },
  { NULL },
};
