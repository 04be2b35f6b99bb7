/* fd-device-agent.c — a device's part of the Zerynth key/value scheme on its MQTT session. */
#include "fd-device-agent-private.h"

#include <string.h>

static gboolean
mqtt_send (gpointer data, const char *key, const char *value_json)
{
  FdDeviceAgent *agent = data;

  return fd_device_agent_send_up (agent->mqtt, key, value_json) != 0;
}

static void
mqtt_subscribe (gpointer data)
{
  FdDeviceAgent *agent = data;

  fd_device_mqtt_subscribe (agent->mqtt, fd_device_mqtt_dn_topic (agent->mqtt));
}

static void
mqtt_reconnect (gpointer data, guint delay_ms)
{
  FdDeviceAgent *agent = data;

  if (agent->mqtt_reconnect != NULL)
    agent->mqtt_reconnect (agent->mqtt_data, delay_ms);
}

FdDeviceAgent *
fd_device_agent_new_full (const FdDeviceConfig *config, const FdDeviceAgentOps *ops, gpointer data,
                          const FdDeviceAgentOptions *options)
{
  FdDeviceAgent *agent = g_new0 (FdDeviceAgent, 1);
  FdDeviceAgentOptions none = { 0 };

  if (options == NULL)
    options = &none;
  agent->config = fd_device_config_copy (config);
  agent->ops = *ops;
  agent->data = data;
  agent->conditions = g_strdupv ((char **)options->conditions);
  agent->fleet = options->fleet ? options->fleet : &agent->own_fleet;
  agent->ota = fd_device_ota_new (agent, agent->config, options);
  return agent;
}

FdDeviceAgent *
fd_device_agent_new_mqtt (FdDeviceMqtt *mqtt, void (*reconnect) (gpointer data, guint delay_ms),
                          gpointer data, const FdDeviceAgentOptions *options)
{
  static const FdDeviceAgentOps ops = { mqtt_send, mqtt_reconnect, mqtt_subscribe };
  FdDeviceAgent *agent
      = fd_device_agent_new_full (fd_device_mqtt_get_config (mqtt), &ops, NULL, options);

  agent->data = agent;
  agent->mqtt = mqtt;
  agent->mqtt_reconnect = reconnect;
  agent->mqtt_data = data;
  return agent;
}

FdDeviceAgent *
fd_device_agent_new (FdDeviceMqtt *mqtt, const char *const *conditions)
{
  FdDeviceAgentOptions options = { 0 };

  options.conditions = conditions;
  return fd_device_agent_new_mqtt (mqtt, NULL, NULL, &options);
}

void
fd_device_agent_free (FdDeviceAgent *agent)
{
  if (agent == NULL)
    return;
  fd_device_agent_jobs_clear (agent);
  g_clear_pointer (&agent->ota, fd_device_ota_free);
  g_strfreev (agent->conditions);
  fd_device_config_free (agent->config);
  g_free (agent);
}

void
fd_device_agent_set_down_func (FdDeviceAgent *agent, FdDeviceAgentDownFunc func, gpointer user_data)
{
  agent->down = func;
  agent->down_data = user_data;
}

guint
fd_device_agent_jobs_answered (FdDeviceAgent *agent)
{
  return agent->jobs;
}

guint
fd_device_agent_status_replies (FdDeviceAgent *agent)
{
  return agent->status_replies;
}

guint
fd_device_agent_down_messages (FdDeviceAgent *agent)
{
  return agent->down_messages;
}

FdDeviceFleet *
fd_device_agent_get_fleet (FdDeviceAgent *agent)
{
  return agent->fleet;
}

const char *
fd_device_agent_fw_version (FdDeviceAgent *agent)
{
  return fd_device_ota_fw_version (agent->ota);
}

gboolean
fd_device_agent_up (FdDeviceAgent *agent, const char *key, const char *value_json)
{
  return agent->ops.send_up (agent->data, key, value_json);
}

char *
fd_device_json_string (const char *s)
{
  g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), s);

  return json_to_string (node, FALSE);
}

char *
fd_device_up_envelope (const char *key, const char *value_json)
{
  g_autofree char *k = fd_device_json_string (key);

  return g_strdup_printf ("{\"key\":%s,\"value\":%s}", k, value_json);
}

guint16
fd_device_agent_send_up (FdDeviceMqtt *mqtt, const char *key, const char *value_json)
{
  g_autofree char *env = fd_device_up_envelope (key, value_json);

  return fd_device_mqtt_publish (mqtt, fd_device_mqtt_up_topic (mqtt), env, strlen (env), 1);
}

/* Python's utcnow().isoformat("T") + "Z", as Zerynth's client stamps conditions. */
static char *
now_rfc3339 (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

char *
fd_device_condition_open_value (const char *tag, const char *payload_json, char **uuid_out)
{
  static guint serial;
  g_autofree char *t = fd_device_json_string (tag);
  g_autofree char *start = now_rfc3339 ();
  /* Zerynth's uuid is str(time.time()*1000); a serial keeps two opens in one ms apart. */
  g_autofree char *uuid
      = g_strdup_printf ("%" G_GINT64_FORMAT ".%03u", g_get_real_time () / 1000, serial++ % 1000);
  char *value = g_strdup_printf ("{\"uuid\":\"%s\",\"tag\":%s,\"payload\":%s,\"start\":\"%s\"}",
                                 uuid, t, payload_json ? payload_json : "null", start);

  if (uuid_out != NULL)
    *uuid_out = g_steal_pointer (&uuid);
  return value;
}

char *
fd_device_condition_close_value (const char *uuid, const char *payloadf_json)
{
  g_autofree char *u = fd_device_json_string (uuid);
  g_autofree char *finish = now_rfc3339 ();

  return g_strdup_printf ("{\"uuid\":%s,\"payloadf\":%s,\"finish\":\"%s\"}", u,
                          payloadf_json ? payloadf_json : "null", finish);
}

void
fd_device_agent_on_connected (FdDeviceAgent *agent)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) manifest = NULL;
  g_autofree char *text = NULL;

  /* In this order, as Zerynth's client: the server answers #status on j/dn, so the
   * subscription must come first (it handles one session's packets in order). */
  if (agent->ops.subscribe != NULL)
    agent->ops.subscribe (agent->data);
  fd_device_agent_up (agent, "#status", "{}");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "jobs");
  json_builder_begin_array (b);
  for (guint i = 0; fd_device_agent_job_names[i] != NULL; i++)
    json_builder_add_string_value (b, fd_device_agent_job_names[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "conditions");
  json_builder_begin_array (b);
  for (guint i = 0; agent->conditions && agent->conditions[i]; i++)
    json_builder_add_string_value (b, agent->conditions[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  manifest = json_builder_get_root (b);
  text = json_to_string (manifest, FALSE);
  fd_device_agent_up (agent, "__manifest", text);
  fd_device_ota_on_connected (agent->ota);
}

/* A plain key is a variable (docs/rest-api.md "Variables"): applied, then reported back with
 * the same key, which also takes it out of the expected map. */
static gboolean
is_variable (const char *key)
{
  return key[0] != '\0' && key[0] != '@' && key[0] != '#' && key[0] != '_'
         && !g_str_equal (key, "condition") && !g_str_equal (key, "event");
}

static void
apply_variable (FdDeviceAgent *agent, const char *key, JsonNode *value)
{
  g_autofree char *text = value ? json_to_string (value, FALSE) : g_strdup ("null");

  if (fd_device_agent_up (agent, key, text))
    agent->fleet->variables_applied++;
}

/* The #status reply: every "@" entry of `expected` is a job still waiting for its answer
 * (@fota an update), every plain key a variable not yet reported back. */
static void
run_expected (FdDeviceAgent *agent, JsonNode *value)
{
  JsonObject *expected;
  g_autoptr (GList) keys = NULL;
  JsonNode *fota = NULL;

  if (value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    return;
  expected = json_object_get_object_member (json_node_get_object (value), "expected");
  if (expected != NULL)
    keys = json_object_get_members (expected);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *k = l->data;
      JsonNode *entry = json_object_get_member (expected, k);
      JsonNode *v = NULL;

      if (JSON_NODE_HOLDS_OBJECT (entry))
        v = json_object_get_member (json_node_get_object (entry), "v");
      if (g_str_equal (k, "@fota"))
        fota = v;
      else if (k[0] == '@' && k[1] != '\0')
        fd_device_agent_run_job (agent, k + 1, v);
      else if (is_variable (k))
        apply_variable (agent, k, v);
    }
  fd_device_ota_on_status (agent->ota, fota);
}

void
fd_device_agent_on_down (FdDeviceAgent *agent, JsonObject *env, const char *text, gsize len)
{
  const char *key = json_object_get_string_member_with_default (env, "key", NULL);
  JsonNode *value;

  agent->down_messages++;
  if (agent->down != NULL)
    agent->down (agent, key, env, text, len, agent->down_data);
  if (key == NULL || !json_object_has_member (env, "value"))
    return;
  value = json_object_get_member (env, "value");
  if (g_str_equal (key, "@fota"))
    fd_device_ota_on_fota (agent->ota, value);
  else if (key[0] == '@' && key[1] != '\0')
    fd_device_agent_run_job (agent, key + 1, value);
  else if (g_str_equal (key, "#status"))
    {
      agent->status_replies++;
      run_expected (agent, value);
    }
  else if (g_str_equal (key, "#fota_info"))
    fd_device_ota_on_fota_info (agent->ota, value);
  else if (is_variable (key))
    apply_variable (agent, key, value);
}

void
fd_device_agent_on_down_text (FdDeviceAgent *agent, const char *text, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, (gssize)len, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return; /* Zerynth's clients drop what is not an envelope */
  fd_device_agent_on_down (agent, json_node_get_object (root), text, len);
}

gboolean
fd_device_agent_on_message (FdDeviceAgent *agent, const FdDeviceMqttPublish *publish)
{
  const char *dn = fd_device_mqtt_dn_topic (agent->mqtt);

  if (publish->topic_len != strlen (dn) || memcmp (publish->topic, dn, publish->topic_len) != 0)
    return FALSE;
  fd_device_agent_on_down_text (agent, (const char *)publish->payload, publish->payload_len);
  return TRUE;
}
