/* fd-cli-commands-integration.c — the command table's integration noun: webhooks and
 * PostgreSQL databases fed from the durable outbox (docs/rest-api.md, "Integrations"). The
 * requests whose bodies are more than string members (create, update) and "test" are in
 * fd-cli-integrations.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

static const FdCliParam arg_integration_id = {
  .name = "INTEGRATION_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The integration (int-…)"),
};
static const char *const types[] = { "webhook", "postgresql", NULL };
static const FdCliParam opt_type = {
  .name = "type",
  .required = TRUE,
  .metavar = "TYPE",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_NOTHING,
  .choices = types,
  .help = N_ ("webhook (POST to a URL) or postgresql (rows in a database)"),
};
static const FdCliParam opt_name_required = {
  .name = "name",
  .required = TRUE,
  .metavar = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The integration's name"),
};
static const FdCliParam opt_name = {
  .name = "name",
  .metavar = "NAME",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("A new name"),
};
static const FdCliParam opt_url = {
  .name = "url",
  .metavar = "URL",
  .value = FD_CLI_VALUE_URL,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("webhook: where batches are POSTed (http:// or https://)"),
};
static const FdCliParam opt_secret = {
  .name = "secret",
  .metavar = "SECRET",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("webhook: the signing secret, 16 to 256 characters (default: generated, shown "
              "once)"),
};
static const FdCliParam opt_header = {
  .name = "header",
  .metavar = "'NAME: VALUE'",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("webhook: an extra request header (repeat for several; update: replaces them "
              "all)"),
};
static const FdCliParam opt_dsn = {
  .name = "dsn",
  .metavar = "DSN",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("postgresql: the connection string (host=… dbname=… user=… password=…), tried "
              "first"),
};
static const char *const kinds[]
    = { "data", "conditions", "devices", "jobs", "campaigns", "alerts", NULL };
static const FdCliParam opt_kind = {
  .name = "kind",
  .metavar = "KIND",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .choices = kinds,
  .help = N_ ("What to forward (repeat for several; default data and conditions)"),
};
static const FdCliParam opt_fleet = {
  .name = "fleet",
  .metavar = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Only this fleet's devices (repeat for several; default any)"),
};
static const FdCliParam opt_tag = {
  .name = "tag",
  .metavar = "TAG",
  .value = FD_CLI_VALUE_TAG,
  .target = FD_CLI_TO_NOTHING,
  .repeatable = TRUE,
  .help = N_ ("Only readings and conditions of this tag (repeat for several; default any)"),
};
static const FdCliParam opt_batch_max = {
  .name = "batch-max",
  .metavar = "N",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("At most N items per batch, 1 to 10000 (default 500)"),
};
static const FdCliParam opt_batch_delay = {
  .name = "batch-delay",
  .metavar = "MS",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Wait up to MS milliseconds to fill a batch, 0 to 3600000 (default 1000)"),
};
static const FdCliParam opt_max_queued = {
  .name = "max-queued",
  .metavar = "N",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Drop the oldest items beyond N queued (default 10000000)"),
};
static const FdCliParam opt_max_age = {
  .name = "max-age",
  .metavar = "SECONDS",
  .value = FD_CLI_VALUE_OFFSET,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("Drop items queued longer than this, at least 60 (default 604800, a week)"),
};
static const FdCliParam opt_from_time = {
  .name = "from",
  .required = TRUE,
  .metavar = "TIME",
  .value = FD_CLI_VALUE_TIME,
  .target = FD_CLI_TO_BODY,
  .key = "from",
  .help = N_ ("Deliver again what arrived from TIME on (RFC 3339)"),
};
static const char *const outcomes[] = { "delivered", "retry", "failed", "dropped", NULL };
static const FdCliParam opt_outcome = {
  .name = "outcome",
  .metavar = "OUTCOME",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "outcome",
  .choices = outcomes,
  .help = N_ ("Only attempts with this outcome"),
};

static const FdCliColumn integration_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "TYPE"), "type", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "STATE"), "health.state", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "QUEUED"), "health.queue_depth", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "DELIVERED"), "health.delivered", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "DROPPED"), "health.dropped", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "LAST ERROR"), "health.last_error", FD_CLI_CELL_TEXT },
  { NULL },
};
static const FdCliColumn delivery_columns[] = {
  { NC_ ("table column", "TIME"), "time", FD_CLI_CELL_TIME },
  { NC_ ("table column", "BATCH"), "batch_id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "KIND"), "kind", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "ITEMS"), "items", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "ATTEMPT"), "attempt", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "STATUS"), "status", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "MS"), "latency_ms", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "OUTCOME"), "outcome", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "ERROR"), "error", FD_CLI_CELL_TEXT },
  { NULL },
};

#define SETTINGS_OPTIONS                                                                           \
  &opt_url, &opt_secret, &opt_header, &opt_dsn, &opt_kind, &opt_fleet, &opt_tag, &opt_batch_max,   \
      &opt_batch_delay, &opt_max_queued, &opt_max_age

const FdCliCommand fd_cli_integration_commands[] = {
  {
      .verb = "create",
      .summary = N_ ("Forward a workspace's data and events to a webhook or PostgreSQL (a "
                     "webhook's secret is shown only now)"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_type, &opt_name_required, SETTINGS_OPTIONS, NULL },
      .method = "POST",
      .path = "/workspaces/{}/integrations",
      .show = FD_CLI_SHOW_OBJECT,
      .check = fd_cli_integration_check,
      .remote = fd_cli_integration_send,
  },
  {
      .verb = "list",
      .summary = N_ ("List a workspace's integrations and their health"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/integrations",
      .show = FD_CLI_SHOW_LIST,
      .columns = integration_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show an integration's settings and health"),
      .args = (const FdCliParam *const[]){ &arg_integration_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/integrations/{}",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "update",
      .summary = N_ ("Change an integration's settings (a new secret or DSN is not shown)"),
      .args = (const FdCliParam *const[]){ &arg_integration_id, NULL },
      .options = (const FdCliParam *const[]){ &opt_name, SETTINGS_OPTIONS, NULL },
      .method = "PATCH",
      .path = "/integrations/{}",
      .show = FD_CLI_SHOW_OBJECT,
      .check = fd_cli_integration_check,
      .remote = fd_cli_integration_send,
  },
  {
      .verb = "delete",
      .summary = N_ ("Delete an integration and its delivery log"),
      .args = (const FdCliParam *const[]){ &arg_integration_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/integrations/{}",
      .show = FD_CLI_SHOW_DELETED,
  },
  {
      .verb = "pause",
      .summary = N_ ("Stop delivering; what arrives stays queued"),
      .args = (const FdCliParam *const[]){ &arg_integration_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "POST",
      .path = "/integrations/{}/pause",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "resume",
      .summary = N_ ("Deliver again from where it stopped"),
      .args = (const FdCliParam *const[]){ &arg_integration_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "POST",
      .path = "/integrations/{}/resume",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "replay",
      .summary = N_ ("Deliver again everything that arrived from a time on"),
      .args = (const FdCliParam *const[]){ &arg_integration_id, NULL },
      .options = (const FdCliParam *const[]){ &opt_from_time, NULL },
      .method = "POST",
      .path = "/integrations/{}/replay",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "test",
      .summary = N_ ("Send a test event now and show how the sink answered (exit 1 when it did not "
                     "take it)"),
      .args = (const FdCliParam *const[]){ &arg_integration_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "POST",
      .path = "/integrations/{}/test",
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_integration_test,
  },
  {
      .verb = "deliveries",
      .summary = N_ ("The delivery log: each attempt's status, latency and error, newest first"),
      .args = (const FdCliParam *const[]){ &arg_integration_id, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_outcome, &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/integrations/{}/deliveries",
      .show = FD_CLI_SHOW_LIST,
      .columns = delivery_columns,
      .kind = FD_CLI_KIND_DELIVERY,
  },
  { NULL },
};
