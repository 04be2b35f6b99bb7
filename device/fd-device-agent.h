/* fd-device-agent.h — what a Zerynth-style device does on its MQTT session
 * (../shared/zdm-protocol.md §1.2, §3–§5): on connect it subscribes to j/dn/<id>, then sends
 * #status and __manifest (the jobs it runs and the condition tags it may open); it runs the
 * jobs it receives, directly or in the `expected` map of the #status reply, and answers each
 * with its result on j/up/<id>.
 *
 * The jobs it knows: "echo" (the result is the job's args, unchanged) and "ping" (the result is
 * {"pong": <epoch ms>}); any other job is answered {"error": "unsupported job NAME"}, as
 * Zerynth's Python client does. There is no "reset".
 */
#pragma once

#include <json-glib/json-glib.h>

#include "fd-device-mqtt.h"

G_BEGIN_DECLS

typedef struct _FdDeviceAgent FdDeviceAgent;

/* Called for every message on j/dn/<id> that is a JSON object: @key (may be NULL when the
 * message has none), the whole envelope as received. */
typedef void (*FdDeviceAgentDownFunc) (FdDeviceAgent *agent, const char *key, JsonObject *envelope,
                                       const char *text, gsize len, gpointer user_data);

/* @conditions: the condition tags the manifest declares (NULL-terminated; may be NULL). */
FdDeviceAgent *fd_device_agent_new (FdDeviceMqtt *mqtt, const char *const *conditions);
void fd_device_agent_free (FdDeviceAgent *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDeviceAgent, fd_device_agent_free)

void fd_device_agent_set_down_func (FdDeviceAgent *agent, FdDeviceAgentDownFunc func,
                                    gpointer user_data);

/* To be called from the session's connected callback: SUBSCRIBE, #status, __manifest. */
void fd_device_agent_on_connected (FdDeviceAgent *agent);
/* To be called from the session's message callback; FALSE when it was not a j/dn message of
 * this device. */
gboolean fd_device_agent_on_message (FdDeviceAgent *agent, const FdDeviceMqttPublish *publish);

/* How many jobs were answered, and how many #status replies arrived. */
guint fd_device_agent_jobs_answered (FdDeviceAgent *agent);
guint fd_device_agent_status_replies (FdDeviceAgent *agent);

/* Publishes {"key": @key, "value": @value_json} on j/up (QoS 1); returns the packet id. */
guint16 fd_device_agent_send_up (FdDeviceMqtt *mqtt, const char *key, const char *value_json);

/* The up-message values of a condition (§5): an open of @tag with @payload_json (NULL: null)
 * and a new uuid (returned in *@uuid_out), or a close of @uuid with @payloadf_json. */
char *fd_device_condition_open_value (const char *tag, const char *payload_json, char **uuid_out);
char *fd_device_condition_close_value (const char *uuid, const char *payloadf_json);

/* {"key": @key, "value": @value_json} with @key escaped; the value is written as given. */
char *fd_device_up_envelope (const char *key, const char *value_json);

G_END_DECLS
