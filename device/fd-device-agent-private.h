/* fd-device-agent-private.h — what the agent's files share: fd-device-agent.c (the session,
 * dispatch of down-messages, variables) and fd-device-jobs.c (the built-in jobs). */
#pragma once

#include "fd-device-agent.h"
#include "fd-device-ota.h"

G_BEGIN_DECLS

struct _FdDeviceAgent
{
  FdDeviceConfig *config;
  FdDeviceAgentOps ops;
  gpointer data;
  FdDeviceMqtt *mqtt; /* the MQTT variant's session, not owned */
  void (*mqtt_reconnect) (gpointer data, guint delay_ms);
  gpointer mqtt_data;
  char **conditions;
  FdDeviceFleet own_fleet;
  FdDeviceFleet *fleet;
  FdDeviceAgentDownFunc down;
  gpointer down_data;
  guint jobs, status_replies, down_messages;
  GHashTable *sleeping; /* "@name" -> its timer (FdDeviceSleep) */
  FdDeviceOta *ota;
  guint reset_idle;
};

/* Sends an up message through the session. */
gboolean fd_device_agent_up (FdDeviceAgent *agent, const char *key, const char *value_json);
char *fd_device_json_string (const char *s);

/* fd-device-jobs.c: runs job @name (without "@") on @value and answers it. */
void fd_device_agent_run_job (FdDeviceAgent *agent, const char *name, JsonNode *value);
/* The job names the manifest lists, NULL-terminated. */
extern const char *const fd_device_agent_job_names[];
void fd_device_agent_jobs_clear (FdDeviceAgent *agent);

G_END_DECLS
