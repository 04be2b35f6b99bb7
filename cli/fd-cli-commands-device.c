/* fd-cli-commands-device.c — the command table's device and data nouns: devices, their
 * credentials (a verb with sub-commands), bulk import, and the tags and fields of the data they
 * send (docs/rest-api.md, "Provisioning: credentials, bulk import, data tags").
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-cli-commands-private.h"

/* device */

static const FdCliParam arg_device_id = {
  .name = "ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The device's ID (dev-…)"),
};
static const FdCliParam arg_move_fleet = {
  .name = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_BODY,
  .key = "fleet_id",
  .help = N_ ("The fleet to move it to, in the same workspace (flt-…)"),
};
static const FdCliParam opt_create_fleet = {
  .name = "fleet",
  .metavar = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_BODY,
  .key = "fleet_id",
  .help = N_ ("Put it in this fleet (default: the workspace's default fleet)"),
};
static const FdCliParam opt_list_fleet = {
  .name = "fleet",
  .metavar = "FLEET_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_QUERY,
  .key = "fleet",
  .repeatable = TRUE,
  .help = N_ ("Only devices in this fleet (repeat for any of several)"),
};
static const char *const true_false[] = { "true", "false", NULL };
static const FdCliParam opt_online = {
  .name = "online",
  .metavar = "true|false",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "online",
  .choices = true_false,
  .help = N_ ("Only devices connected now (true) or only the others (false)"),
};
static const char *const device_sort_keys[] = {
  "name",  "-name",  "created_at", "-created_at", "last_seen", "-last_seen",
  "fleet", "-fleet", "online",     "-online",     NULL,
};
static const FdCliParam opt_sort = {
  .name = "sort",
  .metavar = "KEY",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_QUERY,
  .key = "sort",
  .choices = device_sort_keys,
  .help = N_ ("Order by name, created_at, last_seen or fleet; '-' first to reverse "
              "(default name)"),
};

static const FdCliColumn device_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "NAME"), "name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "FLEET"), "fleet_name", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "ONLINE"), "online", FD_CLI_CELL_BOOL },
  { NC_ ("table column", "LAST SEEN"), "last_seen", FD_CLI_CELL_TIME },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NULL },
};

static const FdCliParam arg_message_key = {
  .name = "KEY",
  .value = FD_CLI_VALUE_TEXT,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The message's key: a job (@name) or a variable; the device answers with the "
              "same key"),
};
static const FdCliParam arg_message_value = {
  .name = "VALUE_JSON",
  .value = FD_CLI_VALUE_JSON,
  .target = FD_CLI_TO_NOTHING,
  .help = N_ ("The value, any JSON: '{\"args\": {}}', 30, '\"text\"'"),
};

/* device credentials */

static const FdCliParam arg_device = {
  .name = "DEVICE_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The device (dev-…)"),
};
static const FdCliParam arg_credential_id = {
  .name = "CREDENTIAL_ID",
  .value = FD_CLI_VALUE_ID,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The credential (crd-…)"),
};
static const char *const credential_kinds[] = { "generated", "csr", "certificate", "key", NULL };
static const FdCliParam opt_kind = {
  .name = "kind",
  .metavar = "KIND",
  .required = TRUE,
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_BODY,
  .key = "kind",
  .choices = credential_kinds,
  .help
  = N_ ("generated: a key pair and certificate made by the server; csr: the device's "
        "CSR signed (--csr); certificate: the device's own certificate bound (--certificate); "
        "key: a device key (--mode)"),
};
static const FdCliParam opt_csr = {
  .name = "csr",
  .metavar = "FILE",
  .value = FD_CLI_VALUE_FILE,
  .target = FD_CLI_TO_BODY_FILE,
  .key = "csr",
  .help = N_ ("The device's certificate signing request (PEM, at most 16 KiB; text around "
              "the PEM block is left out)"),
};
static const FdCliParam opt_certificate = {
  .name = "certificate",
  .metavar = "FILE",
  .value = FD_CLI_VALUE_FILE,
  .target = FD_CLI_TO_BODY_FILE,
  .key = "certificate",
  .help = N_ ("The device's own certificate, self-signed or from another CA (PEM, at most "
              "16 KiB; text around the PEM block is left out)"),
};
static const char *const key_modes[] = { "device_token", "cloud_token", NULL };
static const FdCliParam opt_key_mode = {
  .name = "mode",
  .metavar = "MODE",
  .value = FD_CLI_VALUE_CHOICE,
  .target = FD_CLI_TO_BODY,
  .key = "mode",
  .choices = key_modes,
  .help = N_ ("For --kind key: device_token (the device signs HS256 JWTs with it; the default) "
              "or cloud_token (it is the password itself)"),
};
static const FdCliParam opt_expires = {
  .name = "expires",
  .metavar = "TIME",
  .value = FD_CLI_VALUE_TIME,
  .target = FD_CLI_TO_BODY,
  .key = "expires",
  .help = N_ ("Expiry, RFC 3339 such as 2030-01-01T00:00:00Z (default: 10 years for a "
              "certificate, never for a key)"),
};
static const FdCliParam opt_output = {
  .name = "output",
  .short_name = 'o',
  .metavar = "FILE",
  .value = FD_CLI_VALUE_FILE,
  .help = N_ ("Also write the device's zdevice.json to FILE (mode 0600)"),
};
static const FdCliParam opt_output_required = {
  .name = "output",
  .short_name = 'o',
  .required = TRUE,
  .metavar = "FILE",
  .value = FD_CLI_VALUE_FILE,
  .help = N_ ("Write the device's zdevice.json to FILE (mode 0600)"),
};
static const FdCliParam opt_replace = {
  .name = "force",
  .value = FD_CLI_VALUE_FLAG,
  .help = N_ ("Replace FILE if it exists"),
};
static const char *const zdevice_modes[] = { "device_token", "cloud_token", "certificate", NULL };
static const FdCliParam opt_zdevice_mode = {
  .name = "mode",
  .metavar = "MODE",
  .required = TRUE,
  .value = FD_CLI_VALUE_CHOICE,
  .choices = zdevice_modes,
  .help = N_ ("device_token or cloud_token: a new device key used that way; certificate: a new "
              "key pair and certificate from the server's CA"),
};

static const FdCliColumn credential_columns[] = {
  { NC_ ("table column", "ID"), "id", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "KIND"), "kind", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "FINGERPRINT/KEY"), NULL, FD_CLI_CELL_FUNC, fd_cli_credentials_key_cell },
  { NC_ ("table column", "CREATED"), "created_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "EXPIRES"), "expires_at", FD_CLI_CELL_TIME },
  { NC_ ("table column", "REVOKED"), "revoked", FD_CLI_CELL_BOOL },
  { NULL },
};

static const FdCliCommand credential_commands[] = {
  {
      .verb = "list",
      .summary = N_ ("List a device's credentials, oldest first, revoked ones too"),
      .args = (const FdCliParam *const[]){ &arg_device, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/devices/{}/credentials",
      .show = FD_CLI_SHOW_LIST,
      .columns = credential_columns,
      .kind = FD_CLI_KIND_CREDENTIAL,
  },
  {
      .verb = "create",
      .summary = N_ ("Give a device a credential (its secret parts are shown only now)"),
      .args = (const FdCliParam *const[]){ &arg_device, NULL },
      .options = (const FdCliParam *const[]){ &opt_kind, &opt_csr, &opt_certificate, &opt_key_mode,
                                              &opt_expires, &opt_output, &opt_replace, NULL },
      .method = "POST",
      .path = "/devices/{}/credentials",
      .show = FD_CLI_SHOW_OBJECT,
      .kind = FD_CLI_KIND_CREDENTIAL,
      .check = fd_cli_credentials_check_create,
      .remote = fd_cli_credentials_create,
  },
  {
      .verb = "revoke",
      .summary = N_ ("Revoke a credential at once, also on open connections"),
      .args = (const FdCliParam *const[]){ &arg_device, &arg_credential_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/devices/{}/credentials/{}",
      .show = FD_CLI_SHOW_DELETED,
      .kind = FD_CLI_KIND_CREDENTIAL,
  },
  { NULL },
};

/* device import */

static const FdCliParam arg_csv_file = {
  .name = "CSV_FILE",
  .value = FD_CLI_VALUE_FILE,
  .help = N_ ("RFC 4180, UTF-8, at most 16 MiB and 10,000 rows; a header row names the columns: "
              "name, fleet, credential (generate, key, cloud_token, none), certificate, csr"),
};
static const FdCliParam opt_dry_run = {
  .name = "dry-run",
  .value = FD_CLI_VALUE_FLAG,
  .target = FD_CLI_TO_QUERY,
  .key = "dry_run",
  .help = N_ ("Only check the file; create nothing"),
};
static const FdCliParam opt_credentials_dir = {
  .name = "credentials-dir",
  .metavar = "DIR",
  .value = FD_CLI_VALUE_DIR,
  .help = N_ ("Write DIR/NAME.zdevice.json (mode 0600) for each device given a credential, DIR "
              "made (mode 0700) if missing. In NAME, '/', control characters and a leading '.' "
              "become '_'; a name already taken gets the device ID added"),
};

/* device tags */

static const FdCliColumn device_tag_columns[] = {
  { NC_ ("table column", "TAG"), "tag", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "READINGS"), "readings", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "LAST SEEN"), "last_seen", FD_CLI_CELL_TIME },
  { NC_ ("table column", "LAST PAYLOAD"), "last.payload", FD_CLI_CELL_JSON },
  { NULL },
};

/* The device noun's verbs. */

const FdCliCommand fd_cli_device_commands[] = {
  {
      .verb = "create",
      .summary = N_ ("Add a device to a workspace"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, &fd_cli_arg_name, NULL },
      .options = (const FdCliParam *const[]){ &opt_create_fleet, NULL },
      .method = "POST",
      .path = "/workspaces/{}/devices",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "list",
      .summary = N_ ("List a workspace's devices"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = (const FdCliParam *const[]){ &opt_list_fleet, &fd_cli_opt_search, &opt_online,
                                              &opt_sort, &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/devices",
      .show = FD_CLI_SHOW_LIST,
      .columns = device_columns,
  },
  {
      .verb = "get",
      .summary = N_ ("Show a device"),
      .args = (const FdCliParam *const[]){ &arg_device_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/devices/{}",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "update",
      .summary = N_ ("Rename a device"),
      .args = (const FdCliParam *const[]){ &arg_device_id, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_name, NULL },
      .method = "PATCH",
      .path = "/devices/{}",
      .show = FD_CLI_SHOW_OBJECT,
      .flags = FD_CLI_FLAG_NEEDS_CHANGE,
  },
  {
      .verb = "move",
      .summary = N_ ("Move a device to another fleet of its workspace"),
      .args = (const FdCliParam *const[]){ &arg_device_id, &arg_move_fleet, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "PATCH",
      .path = "/devices/{}",
      .show = FD_CLI_SHOW_OBJECT,
  },
  {
      .verb = "delete",
      .summary = N_ ("Delete a device"),
      .args = (const FdCliParam *const[]){ &arg_device_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "DELETE",
      .path = "/devices/{}",
      .show = FD_CLI_SHOW_DELETED,
  },
  {
      .verb = "credentials",
      .summary = N_ ("Give a device a new credential of MODE and write its zdevice.json to FILE; "
                     "or list, create and revoke its credentials"),
      .args = (const FdCliParam *const[]){ &arg_device, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_zdevice_mode, &opt_output_required, &opt_replace, NULL },
      .method = "POST",
      .path = "/devices/{}/credentials",
      .show = FD_CLI_SHOW_OBJECT,
      .kind = FD_CLI_KIND_CREDENTIAL,
      .subcommands = credential_commands,
      .remote = fd_cli_credentials_issue,
  },
  {
      .verb = "import",
      .summary = N_ ("Create devices (and their credentials) from a CSV file: all or nothing"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, &arg_csv_file, NULL },
      .options = (const FdCliParam *const[]){ &opt_dry_run, &opt_credentials_dir, NULL },
      .method = "POST",
      .path = "/workspaces/{}/devices/import",
      .show = FD_CLI_SHOW_LIST, /* its tables are in fd-cli-import.c */
      .check = fd_cli_import_check,
      .remote = fd_cli_import_run,
  },
  {
      .verb = "send",
      .summary = N_ ("Send a device a message: kept in its expected map until it answers the "
                     "key, delivered now when it is connected over MQTT"),
      .args
      = (const FdCliParam *const[]){ &arg_device_id, &arg_message_key, &arg_message_value, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "POST",
      .path = "/devices/{}/messages",
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_device_send,
  },
  {
      .verb = "status",
      .summary = N_ ("Show a device's expected map (messages waiting for its answer) and "
                     "current map (what it reported)"),
      .args = (const FdCliParam *const[]){ &arg_device_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/devices/{}/status",
      .show = FD_CLI_SHOW_OBJECT,
      .remote = fd_cli_device_status,
  },
  {
      .verb = "tags",
      .summary = N_ ("List the tags a device sent data under, with the latest reading of each"),
      .args = (const FdCliParam *const[]){ &arg_device_id, NULL },
      .options = (const FdCliParam *const[]){ NULL },
      .method = "GET",
      .path = "/devices/{}/tags",
      .show = FD_CLI_SHOW_LIST,
      .columns = device_tag_columns,
      .kind = FD_CLI_KIND_TAG,
  },
  {
      .verb = "jobs",
      .summary = N_ ("List the jobs run on a device, newest first"),
      .args = (const FdCliParam *const[]){ &arg_device_id, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/devices/{}/jobs",
      .show = FD_CLI_SHOW_LIST,
      .columns = fd_cli_execution_columns,
      .kind = FD_CLI_KIND_EXECUTION,
  },
  { NULL },
};

/* data */

static const FdCliParam opt_tag_search = {
  .name = "search",
  .metavar = "TEXT",
  .value = FD_CLI_VALUE_NAME,
  .target = FD_CLI_TO_QUERY,
  .key = "search",
  .help = N_ ("Only tags containing TEXT (ignoring case)"),
};
static const FdCliParam arg_tag = {
  .name = "TAG",
  .value = FD_CLI_VALUE_TAG,
  .target = FD_CLI_TO_PATH,
  .help = N_ ("The tag, as devices send it (e.g. weather)"),
};

static const FdCliColumn tag_columns[] = {
  { NC_ ("table column", "TAG"), "tag", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "DEVICES"), "devices", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "FIELDS"), "fields", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "READINGS"), "readings", FD_CLI_CELL_NUMBER },
  { NC_ ("table column", "LAST SEEN"), "last_seen", FD_CLI_CELL_TIME },
  { NULL },
};

static const FdCliColumn field_columns[] = {
  { NC_ ("table column", "PATH"), "path", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "TYPE"), "type", FD_CLI_CELL_TEXT },
  { NC_ ("table column", "FIRST SEEN"), "first_seen", FD_CLI_CELL_TIME },
  { NULL },
};

const FdCliCommand fd_cli_data_commands[] = {
  {
      .verb = "tags",
      .summary = N_ ("List the tags a workspace's devices sent data under, by name"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options
      = (const FdCliParam *const[]){ &opt_tag_search, &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/tags",
      .show = FD_CLI_SHOW_LIST,
      .columns = tag_columns,
      .kind = FD_CLI_KIND_TAG,
  },
  {
      .verb = "fields",
      .summary = N_ ("List the fields found in a tag's payloads, by path (a path seen with two "
                     "types is listed twice)"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, &arg_tag, NULL },
      .options = (const FdCliParam *const[]){ &fd_cli_opt_from, &fd_cli_opt_size, NULL },
      .method = "GET",
      .path = "/workspaces/{}/tags/{}/fields",
      .show = FD_CLI_SHOW_LIST,
      .columns = field_columns,
      .kind = FD_CLI_KIND_FIELD,
  },
  {
      .verb = "query",
      .summary = N_ ("Show the readings of a workspace, newest first, with filters"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = fd_cli_data_query_options,
      .method = "GET",
      .path = "/workspaces/{}/data",
      .remote = fd_cli_data_query,
  },
  {
      .verb = "aggregate",
      .summary = N_ ("Compute avg, min, max, sum, count, first or last of a field, per bucket "
                     "of time and per device or fleet"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = fd_cli_data_aggregate_options,
      .method = "GET",
      .path = "/workspaces/{}/data/aggregate",
      .remote = fd_cli_data_aggregate,
  },
  {
      .verb = "series",
      .summary = N_ ("Show a field as a chart sees it: min, max, avg and count per bucket, per "
                     "device"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = fd_cli_data_series_options,
      .method = "GET",
      .path = "/workspaces/{}/data/series",
      .remote = fd_cli_data_series,
  },
  {
      .verb = "export",
      .summary = N_ ("Export a workspace's data to a file (waits, showing progress on stderr)"),
      .args = (const FdCliParam *const[]){ &fd_cli_arg_workspace_in, NULL },
      .options = fd_cli_data_export_options,
      .method = "POST",
      .path = "/workspaces/{}/exports",
      .show = FD_CLI_SHOW_OBJECT,
      .kind = FD_CLI_KIND_EXPORT,
      .check = fd_cli_export_check_output,
      .remote = fd_cli_export_start,
  },
  { NULL },
};
