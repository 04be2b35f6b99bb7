/* fd-test-jobs.c — the jobs tests' helpers (fd-test-jobs.h). */
#include "fd-test-jobs.h"

#include <string.h>

JsonNode *
fd_tj_post (const char *workspace_id, const char *body, guint status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/jobs", workspace_id);
  return fd_test_api_expect (fd_tm_srv->srv, "POST", path, body, status);
}

JsonNode *
fd_tj_get (const char *job_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/jobs/%s", job_id);
  return fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);
}

JsonObject *
fd_tj_execution (JsonNode *job, const char *device_id)
{
  JsonObject *executions = json_object_get_object_member (json_node_get_object (job), "executions");
  JsonArray *items = json_object_get_array_member (executions, "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *e = json_array_get_object_element (items, i);
      if (g_str_equal (json_object_get_string_member (e, "device_id"), device_id))
        return e;
    }
  return NULL;
}

JsonNode *
fd_tj_wait (const char *job_id, const char *device_id, const char *state)
{
  gint64 until = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      JsonNode *job = fd_tj_get (job_id);
      JsonObject *e = fd_tj_execution (job, device_id);

      g_assert_nonnull (e);
      if (g_str_equal (json_object_get_string_member (e, "state"), state))
        return job;
      if (g_get_monotonic_time () > until)
        g_error ("execution of %s on %s is %s, not %s", job_id, device_id,
                 json_object_get_string_member (e, "state"), state);
      json_node_unref (job);
      g_usleep (20 * 1000);
    }
}

void
fd_tj_up (FdTdRaw *r, const char *device_id, guint16 id, const char *json)
{
  g_autofree char *topic = g_strdup_printf ("j/up/%s", device_id);

  fd_tm_raw_send_packet (r, fd_tm_publish_packet (topic, id, json, strlen (json)));
  fd_tm_expect_puback (r, id);
}

FdTdRaw *
fd_tj_subscribed (const FdTdDevice *d)
{
  g_autofree char *dn = g_strdup_printf ("j/dn/%s", d->id);
  FdTdRaw *r = fd_tm_mqtt_open (d, d->id, NULL, 60, 0);
  g_autoptr (GByteArray) ack = NULL;

  fd_tm_raw_send_packet (r, fd_tm_subscribe_packet (1, dn));
  ack = fd_tm_expect_packet (r, 0x90, 3);
  g_assert_cmpuint (ack->data[2], ==, 1);
  return r;
}

gboolean
fd_tj_expected_has (const char *device_id, const char *key)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/status", device_id);
  g_autoptr (JsonNode) status = fd_test_api_expect (fd_tm_srv->srv, "GET", path, NULL, 200);

  return json_object_has_member (
      json_object_get_object_member (json_node_get_object (status), "expected"), key);
}

gint64
fd_tj_count (JsonNode *job, const char *state)
{
  return json_object_get_int_member (
      json_object_get_object_member (json_node_get_object (job), "counts"), state);
}
