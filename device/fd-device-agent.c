/* fd-device-agent.c — a device's part of the Zerynth key/value scheme on its MQTT session. */
#include "fd-device-agent.h"

#include <string.h>

struct _FdDeviceAgent
{
  FdDeviceMqtt *mqtt; /* not owned */
  char **conditions;
  FdDeviceAgentDownFunc down;
  gpointer down_data;
  guint jobs, status_replies;
};

FdDeviceAgent *
fd_device_agent_new (FdDeviceMqtt *mqtt, const char *const *conditions)
{
  FdDeviceAgent *agent = g_new0 (FdDeviceAgent, 1);

  agent->mqtt = mqtt;
  agent->conditions = g_strdupv ((char **)conditions);
  return agent;
}

void
fd_device_agent_free (FdDeviceAgent *agent)
{
  if (agent == NULL)
    return;
  g_strfreev (agent->conditions);
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

static char *
string_json (const char *s)
{
  g_autoptr (JsonNode) node = json_node_init_string (json_node_alloc (), s);

  return json_to_string (node, FALSE);
}

char *
fd_device_up_envelope (const char *key, const char *value_json)
{
  g_autofree char *k = string_json (key);

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
  g_autofree char *t = string_json (tag);
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
  g_autofree char *u = string_json (uuid);
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
  fd_device_mqtt_subscribe (agent->mqtt, fd_device_mqtt_dn_topic (agent->mqtt));
  fd_device_agent_send_up (agent->mqtt, "#status", "{}");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "jobs");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "echo");
  json_builder_add_string_value (b, "ping");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "conditions");
  json_builder_begin_array (b);
  for (guint i = 0; agent->conditions && agent->conditions[i]; i++)
    json_builder_add_string_value (b, agent->conditions[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  manifest = json_builder_get_root (b);
  text = json_to_string (manifest, FALSE);
  fd_device_agent_send_up (agent->mqtt, "__manifest", text);
}

/* Runs job @name (without its "@") on @value ({"args": …}, or anything else as Zerynth's
 * Python client takes it) and sends its result. */
static void
run_job (FdDeviceAgent *agent, const char *name, JsonNode *value)
{
  g_autofree char *key = g_strconcat ("@", name, NULL);
  g_autofree char *result = NULL;
  JsonNode *args = value;

  if (value != NULL && JSON_NODE_HOLDS_OBJECT (value)
      && json_object_has_member (json_node_get_object (value), "args"))
    args = json_object_get_member (json_node_get_object (value), "args");
  if (g_str_equal (name, "echo"))
    result = args ? json_to_string (args, FALSE) : g_strdup ("null");
  else if (g_str_equal (name, "ping"))
    result = g_strdup_printf ("{\"pong\":%" G_GINT64_FORMAT "}", g_get_real_time () / 1000);
  else
    {
      g_autofree char *msg = g_strdup_printf ("unsupported job %s", name);
      g_autofree char *m = string_json (msg);
      result = g_strdup_printf ("{\"error\":%s}", m);
    }
  agent->jobs++;
  fd_device_agent_send_up (agent->mqtt, key, result);
}

/* The #status reply: every "@" entry of `expected` is a job still waiting for its answer. */
static void
run_expected (FdDeviceAgent *agent, JsonNode *value)
{
  JsonObject *expected;
  g_autoptr (GList) keys = NULL;

  if (value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    return;
  expected = json_object_get_object_member (json_node_get_object (value), "expected");
  if (expected == NULL)
    return;
  keys = json_object_get_members (expected);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *k = l->data;
      JsonNode *entry = json_object_get_member (expected, k);
      JsonNode *v = NULL;

      if (k[0] != '@' || k[1] == '\0')
        continue;
      if (JSON_NODE_HOLDS_OBJECT (entry))
        v = json_object_get_member (json_node_get_object (entry), "v");
      run_job (agent, k + 1, v);
    }
}

gboolean
fd_device_agent_on_message (FdDeviceAgent *agent, const FdDeviceMqttPublish *publish)
{
  const char *dn = fd_device_mqtt_dn_topic (agent->mqtt);
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *env;
  const char *key;

  if (publish->topic_len != strlen (dn) || memcmp (publish->topic, dn, publish->topic_len) != 0)
    return FALSE;
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, (const char *)publish->payload,
                                   (gssize)publish->payload_len, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return TRUE; /* Zerynth's clients drop what is not an envelope */
  env = json_node_get_object (root);
  key = json_object_get_string_member_with_default (env, "key", NULL);
  if (agent->down != NULL)
    agent->down (agent, key, env, (const char *)publish->payload, publish->payload_len,
                 agent->down_data);
  if (key == NULL || !json_object_has_member (env, "value"))
    return TRUE;
  if (key[0] == '@' && key[1] != '\0')
    run_job (agent, key + 1, json_object_get_member (env, "value"));
  else if (g_str_equal (key, "#status"))
    {
      agent->status_replies++;
      run_expected (agent, json_object_get_member (env, "value"));
    }
  return TRUE;
}
