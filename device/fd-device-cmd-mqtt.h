/* fd-device-cmd-mqtt.h — the commands of fleetdesk-device that speak MQTT: one message sent and
 * its PUBACK waited for, and `run`, a device that stays connected. */
#pragma once

#include "fd-device-mqtt.h"

G_BEGIN_DECLS

/* Connects with @config (taken), publishes @payload on @topic at QoS 1, waits for the PUBACK and
 * disconnects. Prints {"acknowledged":1} on stdout (unless @quiet); returns 0, or 1 with the reason
 * on stderr. */
int fd_device_cmd_mqtt_publish (FdDeviceConfig *config, FdDeviceTransport transport, gboolean quiet,
                                const char *topic, const char *payload, gsize len);

/* `run`: connects with @config (taken), subscribes, sends #status and __manifest (declaring
 * @conditions), prints every down-message as a line on stdout, answers the jobs it knows and
 * reconnects (1 s, doubling to 30 s) when the connection is lost, runs variables and updates
 * (fd-device-agent.h); stops after @duration_s
 * (0: never), on SIGINT/SIGTERM, or when the server refuses the CONNECT (exit 1). */
typedef struct
{
  const char *const *conditions;
  const char *fw_version;
  double job_fail_rate, fota_fail_rate, fota_revert_rate;
  double download_rate;
  guint chunk;
} FdDeviceCmdRunOptions;

/* @transport https: the session of fd-device-https-session.h instead (POST /v1/up, GET /v1/dn). */
int fd_device_cmd_mqtt_run (FdDeviceConfig *config, FdDeviceTransport transport, double duration_s,
                            const FdDeviceCmdRunOptions *options);

G_END_DECLS
