/* test-campaigns-device.c — campaigns as devices live them, on a real fleetdesk-server
 * (--ota-tick-ms 200): the ZDM flow over raw MQTT (@fota delivered on j/dn, #fota_info answered
 * with the same value, a device back in testing mode still finds @fota expected, a revert seen
 * in __info), a device that never answers timing out, the events a watcher sees, and a restart
 * mid-campaign that goes on and finishes. */
#include "fd-test-api-util.h"
#include "fd-test-campaigns.h"
#include "fd-test-events.h"
#include "fd-test-mqtt.h"

#include <string.h>

static const char *const server_args[] = { FD_TC_ARGS, NULL };

typedef struct
{
  FdTdDevice *d;
  FdTdRaw *r;
  char *up;
  char *dn;
  guint16 next_id;
} MqttDevice;

static void
mqtt_connect (MqttDevice *m)
{
  g_autoptr (GByteArray) ack = NULL;

  g_clear_pointer (&m->r, fd_td_raw_free);
  m->r = fd_tm_mqtt_open (m->d, m->d->id, NULL, 60, 0);
  fd_tm_raw_send_packet (m->r, fd_tm_subscribe_packet (1, m->dn));
  ack = fd_tm_expect_packet (m->r, 0x90, 3);
  g_assert_cmpuint (ack->data[2], ==, 1);
}

static MqttDevice *
mqtt_device (const char *name)
{
  MqttDevice *m = g_new0 (MqttDevice, 1);

  m->d = fd_td_cert_device (fd_tm_srv, name);
  m->up = g_strdup_printf ("j/up/%s", m->d->id);
  m->dn = g_strdup_printf ("j/dn/%s", m->d->id);
  m->next_id = 10;
  mqtt_connect (m);
  return m;
}

static void
mqtt_device_free (MqttDevice *m)
{
  fd_td_raw_free (m->r);
  fd_td_device_free (m->d);
  g_free (m->up);
  g_free (m->dn);
  g_free (m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MqttDevice, mqtt_device_free)

/* Publishes {"key": @key, "value": @value} on j/up and waits for its PUBACK. */
static void
mqtt_up (MqttDevice *m, const char *key, const char *value)
{
  g_autofree char *msg = g_strdup_printf ("{\"key\": \"%s\", \"value\": %s}", key, value);
  guint16 id = m->next_id++;

  fd_tm_raw_send_packet (m->r, fd_tm_publish_packet (m->up, id, msg, strlen (msg)));
  fd_tm_expect_puback (m->r, id);
}

/* The next j/dn message (acknowledged); asserts its key and returns its value. */
static JsonNode *
mqtt_dn (MqttDevice *m, const char *key)
{
  guint16 id = 0;
  g_autoptr (JsonNode) msg = fd_tm_expect_publish (m->r, m->dn, &id, NULL);
  JsonNode *value;

  if (g_strcmp0 (fd_tm_envelope_key (msg), key) != 0)
    {
      g_autofree char *text = json_to_string (msg, FALSE);
      g_error ("expected %s on %s, got %s", key, m->dn, text);
    }
  fd_tm_puback (m->r, id);
  value = json_object_get_member (json_node_get_object (msg), "value");
  return json_node_copy (value);
}

static gboolean
status_has_fota (FdTestServer *srv, const char *device_id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/status", device_id);
  g_autoptr (JsonNode) status = fd_t_call (srv, "GET", path, NULL, 200);
  JsonObject *expected = json_object_get_object_member (json_node_get_object (status), "expected");
  return json_object_has_member (expected, "@fota");
}

/* ZDM §6.1 over MQTT: the subscribed device gets @fota at once; #fota_info answers the same
 * object; after "rebooting" into testing mode it finds @fota still expected in #status, then
 * accepts; a second device that comes back on its old version after installing is reverted
 * and its @fota dropped. A device with no update gets #error for #fota_info. */
static void
test_zdm_flow (void)
{
  g_autoptr (MqttDevice) ok = mqtt_device ("zdm-ok");
  g_autoptr (MqttDevice) back = mqtt_device ("zdm-back");
  g_autoptr (MqttDevice) idle = mqtt_device ("zdm-idle");
  g_autofree char *fw = fd_tc_firmware (fd_tm_srv, fd_tm_srv->workspace, "2.1");
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) c = NULL;
  g_autoptr (JsonNode) fota = NULL;
  g_autoptr (JsonNode) info = NULL;
  g_autoptr (JsonNode) status = NULL;
  g_autoptr (JsonNode) done = NULL;
  g_autoptr (JsonNode) err = NULL;
  g_autofree char *reverted = NULL;
  const char *id;

  mqtt_up (ok, "__info", "{\"fw\": \"2.0\"}");
  mqtt_up (back, "__info", "{\"fw\": \"2.0\"}");
  body = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": [\"%s\", \"%s\"], "
                          "\"success_threshold\": 0, \"failure_threshold\": 100}",
                          fw, ok->d->id, back->d->id);
  c = fd_tc_create (fd_tm_srv->srv, fd_tm_srv->workspace, body);
  id = fd_t_str (c, "id");

  fota = mqtt_dn (ok, "@fota");
  g_assert_cmpstr (fd_t_str (fota, "fw_version"), ==, "2.1");
  g_assert_cmpstr (fd_t_str (fota, "campaign_id"), ==, id);
  mqtt_up (ok, "#fota_info", "{\"fw_version\": \"2.0\"}");
  info = mqtt_dn (ok, "#fota_info");
  g_assert_true (json_node_equal (info, fota));

  mqtt_up (ok, "_fota_status", "{\"state\": \"downloading\", \"progress\": 10}");
  mqtt_up (ok, "_fota_status", "{\"state\": \"installing\", \"progress\": 100}");
  mqtt_up (ok, "_fota_status", "{\"state\": \"testing\", \"progress\": 100}");
  {
    g_autofree char *state = fd_tc_target_state (fd_tm_srv->srv, id, ok->d->id);
    g_assert_cmpstr (state, ==, "testing");
  }
  /* The reboot: a new session, the test version reported, @fota still expected. */
  mqtt_connect (ok);
  mqtt_up (ok, "__info", "{\"fw\": \"testing-2.1\"}");
  mqtt_up (ok, "#status", "{}");
  status = mqtt_dn (ok, "#status");
  g_assert_true (json_object_has_member (
      json_object_get_object_member (json_node_get_object (status), "expected"), "@fota"));
  mqtt_up (ok, "@fota", "{\"fw_version\": \"2.1\", \"result\": \"success\", \"msg\": \"\"}");
  mqtt_up (ok, "__info", "{\"fw\": \"2.1\"}");
  g_assert_false (status_has_fota (fd_tm_srv->srv, ok->d->id));

  /* The other one comes back on 2.0 after installing: reverted (ZDM §6.1 step 8). */
  {
    g_autoptr (JsonNode) its = mqtt_dn (back, "@fota");
    mqtt_up (back, "_fota_status", "{\"state\": \"installing\", \"progress\": 100}");
    mqtt_connect (back);
    mqtt_up (back, "__info", "{\"fw\": \"2.0\"}");
  }
  reverted = fd_tc_target_state (fd_tm_srv->srv, id, back->d->id);
  g_assert_cmpstr (reverted, ==, "reverted");
  g_assert_false (status_has_fota (fd_tm_srv->srv, back->d->id));
  done = fd_tc_wait (fd_tm_srv->srv, id, "state", "completed");
  g_assert_cmpint (fd_tc_count (done, "succeeded"), ==, 1);
  g_assert_cmpint (fd_tc_count (done, "reverted"), ==, 1);
  {
    g_autoptr (JsonNode) list = fd_tc_targets (fd_tm_srv->srv, id, "state=reverted");
    g_assert_cmpstr (fd_t_str (fd_t_item (list, 0), "message"), ==,
                     "the device came back with version 2.0");
    g_assert_cmpstr (fd_t_str (fd_t_item (list, 0), "from_version"), ==, "2.0");
  }
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s", ok->d->id);
    g_autoptr (JsonNode) d = fd_t_call (fd_tm_srv->srv, "GET", path, NULL, 200);
    g_assert_cmpstr (fd_t_str (d, "firmware_version"), ==, "2.1");
  }

  mqtt_up (idle, "#fota_info", "{\"fw_version\": \"1.0\"}");
  err = mqtt_dn (idle, "#error");
  g_assert_nonnull (strstr (fd_t_str (err, "message"), "no firmware update"));
}

/* A device that never answers is timed out after device_timeout_s (10 s, the least allowed)
 * and its @fota leaves the expected map; with the threshold met the campaign completes. */
static void
test_timeout (void)
{
  g_autoptr (FdTcDevice) quiet = fd_tc_device (fd_tm_srv, "to-quiet", "1.0");
  g_autoptr (FdTcDevice) good = fd_tc_device (fd_tm_srv, "to-good", "1.0");
  g_autofree char *fw = fd_tc_firmware (fd_tm_srv, fd_tm_srv->workspace, "8.0");
  g_autofree char *body
      = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": [\"%s\", \"%s\"], "
                         "\"device_timeout_s\": 10, \"success_threshold\": 50, "
                         "\"failure_threshold\": 100}",
                         fw, quiet->d->id, good->d->id);
  g_autoptr (JsonNode) c = fd_tc_create (fd_tm_srv->srv, fd_tm_srv->workspace, body);
  const char *id = fd_t_str (c, "id");
  g_autoptr (JsonNode) done = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (JsonNode) fota = NULL;

  fd_tc_report (quiet, "_fota_status", "{\"state\": \"downloading\", \"progress\": 20}");
  fd_tc_update (good, "8.0", "success");
  done = fd_tc_wait (fd_tm_srv->srv, id, "state", "completed");
  g_assert_cmpint (fd_tc_count (done, "timed_out"), ==, 1);
  g_assert_cmpint (fd_tc_count (done, "succeeded"), ==, 1);
  list = fd_tc_targets (fd_tm_srv->srv, id, "state=timed_out");
  g_assert_cmpstr (fd_t_str (fd_t_item (list, 0), "device_id"), ==, quiet->d->id);
  g_assert_cmpstr (fd_t_str (fd_t_item (list, 0), "message"), ==, "no final answer within 10 s");
  fota = fd_tc_expected_fota (quiet);
  g_assert_null (fota);
}

/* What GET /events shows of a campaign: campaign.updated when it starts and when it completes
 * (with its counts), campaign.target on each state change of a device and on a progress step
 * into another multiple of 10, not on each report. */
static void
test_events (void)
{
  g_autoptr (FdTcDevice) a = fd_tc_device (fd_tm_srv, "ev-a", "1.0");
  g_autoptr (FdTcDevice) b = fd_tc_device (fd_tm_srv, "ev-b", "1.0");
  g_autofree char *fw = fd_tc_firmware (fd_tm_srv, fd_tm_srv->workspace, "10.0");
  g_autofree char *query = g_strdup_printf (
      "?workspace=%s&type=campaign.updated&type=campaign.target", fd_tm_srv->workspace);
  g_autoptr (FdTeListener) l = fd_te_listener_open (fd_tm_srv, query, fd_tm_srv->srv->token);
  g_autofree char *body = g_strdup_printf (
      "{\"firmware_id\": \"%s\", \"devices\": [\"%s\", \"%s\"]}", fw, a->d->id, b->d->id);
  g_autoptr (JsonNode) c = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  const char *id;
  JsonObject *data;
  guint i;

  g_assert_nonnull (l->conn);
  c = fd_tc_create (fd_tm_srv->srv, fd_tm_srv->workspace, body);
  id = fd_t_str (c, "id");
  i = fd_te_wait_event (l, 0, "campaign.updated", NULL);
  data = fd_te_event_data (fd_te_event_at (l, i));
  g_assert_cmpstr (json_object_get_string_member (data, "campaign_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (data, "state"), ==, "running");
  g_assert_cmpint (json_object_get_int_member (data, "stage"), ==, 0);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (data, "counts"), "notified"), ==,
      2);

  fd_tc_report (a, "_fota_status", "{\"state\": \"downloading\", \"progress\": 5}");
  fd_tc_report (a, "_fota_status", "{\"state\": \"downloading\", \"progress\": 8}");
  fd_tc_report (a, "_fota_status", "{\"state\": \"downloading\", \"progress\": 12}");
  fd_tc_update (a, "10.0", "success");
  fd_tc_update (b, "10.0", "success");
  for (i = 0;; i++)
    {
      i = fd_te_wait_event (l, i, "campaign.updated", NULL);
      data = fd_te_event_data (fd_te_event_at (l, i));
      if (g_str_equal (json_object_get_string_member (data, "state"), "completed"))
        break;
    }
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (data, "counts"), "succeeded"), ==,
      2);
  g_assert_true (json_object_get_null_member (data, "reason"));
  for (guint k = 0; k < i; k++)
    if (fd_te_event_is (fd_te_event_at (l, k), "campaign.target", a->d->id))
      {
        JsonObject *t = fd_te_event_data (fd_te_event_at (l, k));
        g_assert_cmpstr (json_object_get_string_member (t, "campaign_id"), ==, id);
        g_string_append_printf (seen, "%s%s %" G_GINT64_FORMAT, seen->len ? ", " : "",
                                json_object_get_string_member (t, "state"),
                                json_object_get_int_member (t, "progress"));
      }
  g_assert_cmpstr (seen->str, ==,
                   "notified 0, downloading 5, downloading 12, downloading 50, downloaded 100, "
                   "verified 100, installing 100, succeeded 100");
}

/* A restart mid-campaign: the paused campaign, its stage and a device in flight are all in the
 * store; the new process picks it up, the device finishes, resume notifies the next stage from
 * the new process, and the campaign completes. */
static void
test_restart (void)
{
  FdTdServer *s = fd_td_server_start (server_args);
  g_autoptr (GPtrArray) devs = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_tc_device_free);
  g_autofree char *fw = fd_tc_firmware (s, s->workspace, "9.0");
  g_autofree char *ids = NULL;
  g_autofree char *body = NULL;
  g_autofree char *pause = NULL;
  g_autofree char *resume = NULL;
  g_autoptr (JsonNode) c = NULL;
  g_autoptr (JsonNode) paused = NULL;
  g_autoptr (JsonNode) after = NULL;
  g_autoptr (JsonNode) resumed = NULL;
  g_autoptr (JsonNode) moved = NULL;
  g_autoptr (JsonNode) done = NULL;
  g_autoptr (JsonNode) first = NULL;
  const char *id;
  FdTcDevice *a = NULL, *b = NULL;

  fd_t_kill_server_on_abort (s->srv);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("rs-%u", i);
      g_ptr_array_add (devs, fd_tc_device (s, name, "8.9"));
    }
  ids = fd_tc_ids_json ((FdTcDevice **)devs->pdata, devs->len);
  body = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": %s, \"stages\": [{\"count\": "
                          "2}, {\"percent\": 100}]}",
                          fw, ids);
  c = fd_tc_create (s->srv, s->workspace, body);
  id = fd_t_str (c, "id");
  pause = g_strdup_printf ("/api/v1/campaigns/%s/pause", id);
  resume = g_strdup_printf ("/api/v1/campaigns/%s/resume", id);
  first = fd_tc_targets (s->srv, id, "stage=0");
  for (guint i = 0; i < devs->len; i++)
    {
      FdTcDevice *dev = g_ptr_array_index (devs, i);
      if (g_str_equal (dev->d->id, fd_t_str (fd_t_item (first, 0), "device_id")))
        a = dev;
      if (g_str_equal (dev->d->id, fd_t_str (fd_t_item (first, 1), "device_id")))
        b = dev;
    }
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  fd_tc_update (a, "9.0", "success");
  fd_tc_report (b, "_fota_status", "{\"state\": \"downloading\", \"progress\": 30}");
  paused = fd_t_call (s->srv, "POST", pause, NULL, 200);

  fd_test_server_restart_with_args (s->srv, server_args);
  fd_t_kill_server_on_abort (s->srv);
  s->port = s->srv->device_port;
  for (guint i = 0; i < devs->len; i++)
    fd_tc_reconnect (s, g_ptr_array_index (devs, i));
  after = fd_tc_wait (s->srv, id, "state", "paused");
  g_assert_cmpint (fd_t_int (after, "stage"), ==, 0);
  g_assert_cmpint (fd_tc_count (after, "succeeded"), ==, 1);
  g_assert_cmpint (fd_tc_count (after, "downloading"), ==, 1);
  g_assert_cmpint (fd_tc_count (after, "queued"), ==, 4);

  fd_tc_update (b, "9.0", "success");
  resumed = fd_t_call (s->srv, "POST", resume, NULL, 200);
  moved = fd_tc_wait (s->srv, id, "stage", "1");
  for (guint i = 0; i < devs->len; i++)
    {
      FdTcDevice *dev = g_ptr_array_index (devs, i);
      if (dev != a && dev != b)
        {
          g_autoptr (JsonNode) fota = fd_tc_expected_fota (dev);
          g_assert_nonnull (fota);
          fd_tc_update (dev, "9.0", "success");
        }
    }
  done = fd_tc_wait (s->srv, id, "state", "completed");
  g_assert_cmpint (fd_tc_count (done, "succeeded"), ==, 6);
  g_clear_pointer (&devs, g_ptr_array_unref);
  fd_td_server_stop (s);
  fd_t_kill_server_on_abort (fd_tm_srv->srv);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  fd_tm_srv = fd_td_server_start (server_args);
  fd_t_kill_server_on_abort (fd_tm_srv->srv);

  g_test_add_func ("/campaigns-device/zdm-flow", test_zdm_flow);
  g_test_add_func ("/campaigns-device/timeout", test_timeout);
  g_test_add_func ("/campaigns-device/events", test_events);
  g_test_add_func ("/campaigns-device/restart", test_restart);
  status = g_test_run ();

  fd_td_server_stop (fd_tm_srv);
  return status;
}
