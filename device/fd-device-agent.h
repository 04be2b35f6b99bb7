/* fd-device-agent.h — what a Zerynth-style device does on its session (../shared/zdm-protocol.md
 * §1.2, §3–§6, docs/protocol.md): on connect it subscribes to j/dn/<id> (MQTT; an HTTPS device
 * polls GET /v1/dn instead), then sends #status and __manifest (the jobs it runs and the
 * condition tags it may open) and, when it knows its firmware version, __info {"fw"}; it runs
 * the jobs it receives, directly or in the `expected` map of the #status reply, and answers each
 * with its result; it applies the variables it is sent (plain keys) by reporting them back; and
 * it runs firmware updates (@fota, fd-device-ota.h).
 *
 * The jobs it knows: "echo" (the result is the job's args, unchanged), "ping" ({"pong": <epoch
 * ms>}), "fail" ({"error": "failed on request"}), "sleep" (args {"s": N}, 0 to 60: answers
 * {"slept": N} N seconds later) and "reset" (answers "resetting device..." and connects again a
 * second later); any other job is answered {"error": "unsupported job NAME"}, as Zerynth's
 * Python client does. With a job fail rate R the k-th job a fleet runs fails ({"error": "failed
 * (job fail rate)"}) when floor(k·R) > floor((k−1)·R): a deterministic proportion.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "fd-device-mqtt.h"

G_BEGIN_DECLS

typedef struct _FdDeviceAgent FdDeviceAgent;

/* What a fleet's agents share (one per process, or one per agent): the rates, the k counters of
 * the deterministic proportions, and counters for the simulator's summary. */
typedef struct
{
  double job_fail_rate, fota_fail_rate, fota_revert_rate; /* 0..1 */
  guint64 jobs_run, updates_started, updates_installed;   /* the k of each proportion */
  guint64 jobs_answered, variables_applied;
  guint64 ota_succeeded, ota_failed, ota_reverted;
  guint64 firmware_bytes;   /* firmware bytes received (a resumed download counts each once) */
  guint64 download_resumes; /* Range requests that went on from an offset after a failure */
} FdDeviceFleet;

/* TRUE when the k-th event (k ≥ 1) of a proportion @rate is one of its share. */
gboolean fd_device_fleet_pick (double rate, guint64 k);

typedef struct
{
  const char *const *conditions; /* the condition tags the manifest declares; may be NULL */
  const char *fw_version;        /* the running firmware; NULL: no __info until an update */
  double download_rate;          /* firmware bytes per second; 0: as fast as it comes */
  guint chunk;                   /* bytes per Range request; 0: FD_DEVICE_OTA_CHUNK */
  FdDeviceFleet *fleet;          /* shared, not owned; NULL: the agent's own */
  GTlsDatabase *trust;           /* for the download connection; NULL: made from cacert */
  /* The download connection's server and source addresses (either may be NULL). */
  GSocketAddress *https_address, *local_address;
} FdDeviceAgentOptions;

/* The session an agent runs on. */
typedef struct
{
  /* Sends {"key": @key, "value": @value_json}; FALSE when it could not (not connected). */
  gboolean (*send_up) (gpointer data, const char *key, const char *value_json);
  /* Drops the session and connects again after @delay_ms; the agent's on_connected then
   * runs again (the reset job, the reboot of an install). */
  void (*reconnect) (gpointer data, guint delay_ms);
  /* MQTT: SUBSCRIBE j/dn/<id>; NULL on HTTPS. */
  void (*subscribe) (gpointer data);
} FdDeviceAgentOps;

/* Called for every down-message: @key (may be NULL when the message has none), the whole
 * envelope as received. */
typedef void (*FdDeviceAgentDownFunc) (FdDeviceAgent *agent, const char *key, JsonObject *envelope,
                                       const char *text, gsize len, gpointer user_data);

/* @config: the device's (copied). @ops/@data: its session. */
FdDeviceAgent *fd_device_agent_new_full (const FdDeviceConfig *config, const FdDeviceAgentOps *ops,
                                         gpointer data, const FdDeviceAgentOptions *options);
/* On an MQTT session: @reconnect (may be NULL: then the reset job does not reconnect) is the
 * owner's, which holds the session's timers. */
FdDeviceAgent *fd_device_agent_new_mqtt (FdDeviceMqtt *mqtt,
                                         void (*reconnect) (gpointer data, guint delay_ms),
                                         gpointer data, const FdDeviceAgentOptions *options);
/* The plain MQTT agent: no reconnect, no firmware version. */
FdDeviceAgent *fd_device_agent_new (FdDeviceMqtt *mqtt, const char *const *conditions);
void fd_device_agent_free (FdDeviceAgent *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDeviceAgent, fd_device_agent_free)

void fd_device_agent_set_down_func (FdDeviceAgent *agent, FdDeviceAgentDownFunc func,
                                    gpointer user_data);

/* To be called when the session is up: SUBSCRIBE, #status, __manifest, __info. */
void fd_device_agent_on_connected (FdDeviceAgent *agent);
/* To be called from the session's message callback; FALSE when it was not a j/dn message of
 * this device. */
gboolean fd_device_agent_on_message (FdDeviceAgent *agent, const FdDeviceMqttPublish *publish);
/* One down-message as JSON text {"key", "value", "version"} (HTTPS: an element of GET /v1/dn,
 * or the answer to a # request). */
void fd_device_agent_on_down_text (FdDeviceAgent *agent, const char *text, gsize len);
void fd_device_agent_on_down (FdDeviceAgent *agent, JsonObject *envelope, const char *text,
                              gsize len);

/* How many jobs were answered, how many #status replies and down-messages in all arrived (this
 * agent's). */
guint fd_device_agent_jobs_answered (FdDeviceAgent *agent);
guint fd_device_agent_status_replies (FdDeviceAgent *agent);
guint fd_device_agent_down_messages (FdDeviceAgent *agent);
FdDeviceFleet *fd_device_agent_get_fleet (FdDeviceAgent *agent);
/* The firmware version the device runs now (NULL when unknown). */
const char *fd_device_agent_fw_version (FdDeviceAgent *agent);

/* Publishes {"key": @key, "value": @value_json} on j/up (QoS 1); returns the packet id. */
guint16 fd_device_agent_send_up (FdDeviceMqtt *mqtt, const char *key, const char *value_json);

/* The up-message values of a condition (§5): an open of @tag with @payload_json (NULL: null)
 * and a new uuid (returned in *@uuid_out), or a close of @uuid with @payloadf_json. */
char *fd_device_condition_open_value (const char *tag, const char *payload_json, char **uuid_out);
char *fd_device_condition_close_value (const char *uuid, const char *payloadf_json);

/* {"key": @key, "value": @value_json} with @key escaped; the value is written as given. */
char *fd_device_up_envelope (const char *key, const char *value_json);

G_END_DECLS
