/* fd-device-cli.h — what the files of the fleetdesk-device program share: fleetdesk-device.c
 * (main, the options, publish, up, whoami) and fd-device-cli-mqtt.c (condition, run,
 * simulate). */
#pragma once

#include "fd-device-config.h"
#include "fd-device-mqtt.h"

G_BEGIN_DECLS

#define EXIT_ANSWER 1
#define EXIT_USAGE 2

/* --credentials and --host, which every command takes. */
extern char *fd_device_cli_credentials;
extern char *fd_device_cli_host;
/* Set by a command that prints something else on success: the server's answer is not printed. */
extern gboolean fd_device_cli_quiet;

/* Prints @message and a hint on stderr; returns EXIT_USAGE. */
int fd_device_cli_usage_error (const char *message);
/* The zdevice.json of --credentials, with --host applied; NULL (after a message) if unusable. */
FdDeviceConfig *fd_device_cli_load_config (void);
/* Parses a command's own options (and the global ones); at most @max_args arguments may be
 * left in *@argv after argv[0]. Returns -1 when parsing went well, else the exit status. */
int fd_device_cli_parse_args (const char *name, const char *params, const char *description,
                              const GOptionEntry *entries, int max_args, int *argc, char ***argv);
int fd_device_cli_parse (const char *name, const char *params, const char *description,
                         const GOptionEntry *entries, int *argc, char ***argv);
/* --transport: "https" (also when @name is NULL), "mqtt" or "mqtt-ws". */
gboolean fd_device_cli_parse_transport (const char *name, FdDeviceTransport *out);
/* Any JSON text, or a JSON object when @object_only. */
gboolean fd_device_cli_check_json (const char *text, gboolean object_only, GError **error);
/* Sends @key/@value_json over @transport: POST /v1/up, or a QoS 1 PUBLISH on j/up/<id>. */
int fd_device_cli_send_up (FdDeviceTransport transport, const char *key, const char *value_json);

int fd_device_cmd_condition (int argc, char **argv);
int fd_device_cmd_run (int argc, char **argv);
int fd_device_cmd_simulate (int argc, char **argv);

G_END_DECLS
