/* fd-device-jobs.c — the jobs the device runs (fd-device-agent.h lists them). */
#include "fd-device-agent-private.h"

#include <math.h>

#define SLEEP_MAX_S 60
#define RESET_DELAY_MS 1000

const char *const fd_device_agent_job_names[] = { "reset", "echo", "sleep", "fail", "ping", NULL };

gboolean
fd_device_fleet_pick (double rate, guint64 k)
{
  if (rate <= 0 || k == 0)
    return FALSE;
  /* floor(k·R) > floor((k−1)·R), with a little slack so that 0.3 × 10 is 3, not 2.999… */
  return floor ((double)k * rate + 1e-9) > floor ((double)(k - 1) * rate + 1e-9);
}

typedef struct
{
  FdDeviceAgent *agent;
  char *key;
  double s;
  guint source;
} FdDeviceSleep;

static void
sleep_free (gpointer p)
{
  FdDeviceSleep *sl = p;

  g_clear_handle_id (&sl->source, g_source_remove);
  g_free (sl->key);
  g_free (sl);
}

void
fd_device_agent_jobs_clear (FdDeviceAgent *agent)
{
  g_clear_pointer (&agent->sleeping, g_hash_table_unref);
  g_clear_handle_id (&agent->reset_idle, g_source_remove);
}

static void
answer (FdDeviceAgent *agent, const char *key, const char *result)
{
  if (fd_device_agent_up (agent, key, result))
    {
      agent->jobs++;
      agent->fleet->jobs_answered++;
    }
}

static gboolean
sleep_done (gpointer data)
{
  FdDeviceSleep *sl = data;
  FdDeviceAgent *agent = sl->agent;
  g_autofree char *result = g_strdup_printf ("{\"slept\":%g}", sl->s);
  g_autofree char *key = g_strdup (sl->key);

  sl->source = 0;
  g_hash_table_remove (agent->sleeping, key);
  answer (agent, key, result);
  return G_SOURCE_REMOVE;
}

static gboolean
reset_now (gpointer data)
{
  FdDeviceAgent *agent = data;

  agent->reset_idle = 0;
  agent->ops.reconnect (agent->data, 0);
  return G_SOURCE_REMOVE;
}

static char *
error_result (const char *message)
{
  g_autofree char *m = fd_device_json_string (message);

  return g_strdup_printf ("{\"error\":%s}", m);
}

void
fd_device_agent_run_job (FdDeviceAgent *agent, const char *name, JsonNode *value)
{
  g_autofree char *key = g_strconcat ("@", name, NULL);
  g_autofree char *result = NULL;
  JsonNode *args = value;
  gboolean known = g_strv_contains (fd_device_agent_job_names, name);

  /* A sleep still running is the same job again (a #status reply lists it until answered). */
  if (agent->sleeping != NULL && g_hash_table_contains (agent->sleeping, key))
    return;
  if (value != NULL && JSON_NODE_HOLDS_OBJECT (value)
      && json_object_has_member (json_node_get_object (value), "args"))
    args = json_object_get_member (json_node_get_object (value), "args");
  if (known && fd_device_fleet_pick (agent->fleet->job_fail_rate, ++agent->fleet->jobs_run))
    result = error_result ("failed (job fail rate)");
  else if (g_str_equal (name, "echo"))
    result = args ? json_to_string (args, FALSE) : g_strdup ("null");
  else if (g_str_equal (name, "ping"))
    result = g_strdup_printf ("{\"pong\":%" G_GINT64_FORMAT "}", g_get_real_time () / 1000);
  else if (g_str_equal (name, "fail"))
    result = error_result ("failed on request");
  else if (g_str_equal (name, "reset"))
    {
      answer (agent, key, "\"resetting device...\"");
      /* A second later: the answer is acknowledged (committed) by then. */
      if (agent->ops.reconnect != NULL && agent->reset_idle == 0)
        agent->reset_idle = g_timeout_add (RESET_DELAY_MS, reset_now, agent);
      return;
    }
  else if (g_str_equal (name, "sleep"))
    {
      JsonNode *s = args && JSON_NODE_HOLDS_OBJECT (args)
                        ? json_object_get_member (json_node_get_object (args), "s")
                        : NULL;
      double secs = s && json_node_get_value_type (s) != G_TYPE_STRING && JSON_NODE_HOLDS_VALUE (s)
                        ? json_node_get_double (s)
                        : -1;
      FdDeviceSleep *sl;

      if (!(secs >= 0 && secs <= SLEEP_MAX_S))
        result = error_result ("sleep: args.s must be 0 to 60 seconds");
      else
        {
          if (agent->sleeping == NULL)
            agent->sleeping = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, sleep_free);
          sl = g_new0 (FdDeviceSleep, 1);
          sl->agent = agent;
          sl->key = g_strdup (key);
          sl->s = secs;
          sl->source = g_timeout_add ((guint)(secs * 1000), sleep_done, sl);
          g_hash_table_insert (agent->sleeping, sl->key, sl);
          return;
        }
    }
  else
    {
      g_autofree char *msg = g_strdup_printf ("unsupported job %s", name);
      result = error_result (msg);
    }
  answer (agent, key, result);
}
