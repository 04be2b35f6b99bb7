/* test-campaigns.c — staged OTA campaigns on a real fleetdesk-server (--ota-tick-ms 200), with
 * scripted devices that report their update by hand over HTTPS: a two-stage rollout that
 * completes, an abort at the failure threshold that leaves the next stage untouched, a stop at
 * the success threshold, pause / resume / abort and their 409s, only_outdated, and the 400s. */
#include "fd-test-api-util.h"
#include "fd-test-campaigns.h"

#include <string.h>

static FdTdServer *shared;

typedef struct
{
  GPtrArray *devs; /* FdTcDevice* */
  GHashTable *by_id;
  char *ids_json;
} Fleet;

static Fleet *
fleet_new (const char *prefix, guint n, const char *fw_version)
{
  Fleet *f = g_new0 (Fleet, 1);

  f->devs = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_tc_device_free);
  f->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%02u", prefix, i);
      FdTcDevice *dev = fd_tc_device (shared, name, fw_version);
      g_ptr_array_add (f->devs, dev);
      g_hash_table_insert (f->by_id, dev->d->id, dev);
    }
  f->ids_json = fd_tc_ids_json ((FdTcDevice **)f->devs->pdata, n);
  return f;
}

static void
fleet_free (Fleet *f)
{
  g_hash_table_destroy (f->by_id);
  g_ptr_array_unref (f->devs);
  g_free (f->ids_json);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fleet, fleet_free)

/* The devices of @stage of campaign @id, in the campaign's order. */
static GPtrArray *
stage_devices (Fleet *f, const char *id, int stage)
{
  g_autofree char *query = g_strdup_printf ("stage=%d&size=10000", stage);
  g_autoptr (JsonNode) list = fd_tc_targets (shared->srv, id, query);
  JsonArray *items = fd_t_items (list);
  GPtrArray *out = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      const char *device
          = json_object_get_string_member (json_array_get_object_element (items, i), "device_id");
      FdTcDevice *dev = g_hash_table_lookup (f->by_id, device);
      g_assert_nonnull (dev);
      g_ptr_array_add (out, dev);
    }
  return out;
}

static JsonObject *
stage_of (JsonNode *campaign, guint i)
{
  JsonArray *stages = json_object_get_array_member (json_node_get_object (campaign), "stages");
  return json_array_get_object_element (stages, i);
}

/* 20 devices, stages 25% then 100%: stage 1 is 5 devices notified at once (@fota in their
 * expected map, with the firmware's url on the device port), the other 15 wait queued; when
 * the 5 succeed the 15 are notified; when they succeed the campaign completes and every
 * device's firmware_version is the new one. */
static void
test_two_stages (void)
{
  g_autoptr (Fleet) f = fleet_new ("two", 20, "1.0");
  g_autofree char *fw = fd_tc_firmware (shared, shared->workspace, "2.0");
  g_autofree char *body = g_strdup_printf (
      "{\"name\": \"Spring rollout\", \"firmware_id\": \"%s\", \"devices\": %s, \"stages\": "
      "[{\"percent\": 25}, {\"percent\": 100}]}",
      fw, f->ids_json);
  g_autoptr (JsonNode) c = fd_tc_create (shared->srv, shared->workspace, body);
  const char *id = fd_t_str (c, "id");
  g_autoptr (GPtrArray) first = stage_devices (f, id, 0);
  g_autoptr (GPtrArray) second = stage_devices (f, id, 1);
  g_autoptr (JsonNode) at_two = NULL;
  g_autoptr (JsonNode) done = NULL;
  g_autofree char *want_url = NULL;

  fd_t_assert_id (id, "cmp");
  g_assert_cmpstr (fd_t_str (c, "state"), ==, "running");
  g_assert_cmpstr (fd_t_str (c, "firmware_version"), ==, "2.0");
  g_assert_cmpstr (fd_t_str (c, "name"), ==, "Spring rollout");
  g_assert_cmpint (fd_t_int (c, "stage"), ==, 0);
  g_assert_cmpint (fd_t_int (c, "total"), ==, 20);
  g_assert_cmpint (json_object_get_int_member (stage_of (c, 0), "devices"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (stage_of (c, 1), "devices"), ==, 15);
  g_assert_cmpstr (json_object_get_string_member (stage_of (c, 0), "state"), ==, "running");
  g_assert_cmpstr (json_object_get_string_member (stage_of (c, 1), "state"), ==, "pending");
  g_assert_cmpint (fd_tc_count (c, "notified"), ==, 5);
  g_assert_cmpint (fd_tc_count (c, "queued"), ==, 15);
  g_assert_cmpuint (first->len, ==, 5);
  g_assert_cmpuint (second->len, ==, 15);

  /* The @fota value, as the contract has it. */
  want_url = g_strdup_printf ("https://localhost:%u/v1/firmware/%s", shared->port, fw);
  for (guint i = 0; i < first->len; i++)
    {
      g_autoptr (JsonNode) fota = fd_tc_expected_fota (g_ptr_array_index (first, i));
      g_assert_nonnull (fota);
      g_assert_cmpstr (fd_t_str (fota, "fw_version"), ==, "2.0");
      g_assert_cmpstr (fd_t_str (fota, "firmware_id"), ==, fw);
      g_assert_cmpstr (fd_t_str (fota, "campaign_id"), ==, id);
      g_assert_cmpint (fd_t_int (fota, "size"), ==, FD_TC_FIRMWARE_SIZE);
      g_assert_cmpuint (strlen (fd_t_str (fota, "sha256")), ==, 64);
      g_assert_true (
          g_str_has_suffix (fd_t_str (fota, "url"), want_url + strlen ("https://localhost")));
      g_assert_true (g_str_has_prefix (fd_t_str (fota, "url"), "https://"));
      g_assert_nonnull (strstr (fd_t_str (fota, "manifest"), fw));
      g_assert_cmpuint (strlen (fd_t_str (fota, "signature")), >, 40);
      g_assert_cmpstr (fd_t_str (fota, "algorithm"), ==, "ecdsa-p256");
      g_assert_cmpstr (fd_t_str (fota, "on_schedule"), ==, "");
    }
  for (guint i = 0; i < second->len; i++)
    g_assert_null (fd_tc_expected_fota (g_ptr_array_index (second, i)));
  /* A target may download the file (fd_store_firmware_assigned); a device that is none may
   * not. */
  {
    g_autoptr (FdTcDevice) outsider = fd_tc_device (shared, "two-outsider", "1.0");
    gsize len = 0;
    g_assert_cmpuint (fd_tc_download (g_ptr_array_index (first, 0), fw, &len), ==, 200);
    g_assert_cmpuint (len, ==, FD_TC_FIRMWARE_SIZE);
    g_assert_cmpuint (fd_tc_download (outsider, fw, &len), ==, 403);
  }

  /* Progress shows in the target list. */
  fd_tc_report (g_ptr_array_index (first, 0), "_fota_status",
                "{\"state\": \"downloading\", \"progress\": 40, \"fw_version\": \"2.0\"}");
  {
    g_autoptr (JsonNode) list = fd_tc_targets (shared->srv, id, "state=downloading");
    g_assert_cmpint (fd_t_int (list, "total"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (
                         json_array_get_object_element (fd_t_items (list), 0), "progress"),
                     ==, 40);
  }

  for (guint i = 0; i < first->len; i++)
    fd_tc_update (g_ptr_array_index (first, i), "2.0", "success");
  at_two = fd_tc_wait (shared->srv, id, "stage", "1");
  g_assert_cmpstr (json_object_get_string_member (stage_of (at_two, 0), "state"), ==, "done");
  g_assert_cmpint (fd_tc_count (at_two, "succeeded"), ==, 5);
  g_assert_cmpint (fd_tc_count (at_two, "queued"), ==, 0);
  for (guint i = 0; i < second->len; i++)
    {
      g_autoptr (JsonNode) fota = fd_tc_expected_fota (g_ptr_array_index (second, i));
      g_assert_nonnull (fota);
      fd_tc_update (g_ptr_array_index (second, i), "2.0", "success");
    }
  done = fd_tc_wait (shared->srv, id, "state", "completed");
  g_assert_cmpint (fd_tc_count (done, "succeeded"), ==, 20);
  g_assert_false (fd_t_is_null (done, "finished_at"));
  for (guint i = 0; i < f->devs->len; i++)
    {
      FdTcDevice *dev = g_ptr_array_index (f->devs, i);
      g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s", dev->d->id);
      g_autoptr (JsonNode) d = fd_t_call (shared->srv, "GET", path, NULL, 200);
      g_autoptr (JsonNode) fota = fd_tc_expected_fota (dev);
      g_assert_cmpstr (fd_t_str (d, "firmware_version"), ==, "2.0");
      g_assert_null (fota);
    }
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/campaigns", shared->workspace);
    g_autoptr (JsonNode) list = fd_t_call (shared->srv, "GET", path, NULL, 200);
    gboolean found = FALSE;
    for (guint i = 0; i < json_array_get_length (fd_t_items (list)); i++)
      found |= g_str_equal (fd_t_str (fd_t_item (list, i), "id"), id);
    g_assert_true (found);
  }
}

/* 20 devices in two halves, failure threshold 20% after 5 finished: 2 failures among the first
 * 5 abort the campaign at once; the second half's devices are skipped and never see @fota,
 * while a device of the first half still in flight goes on to its end. */
static void
test_failure_abort (void)
{
  g_autoptr (Fleet) f = fleet_new ("fail", 20, "1.0");
  g_autofree char *fw = fd_tc_firmware (shared, shared->workspace, "3.0");
  g_autofree char *body = g_strdup_printf (
      "{\"firmware_id\": \"%s\", \"devices\": %s, \"stages\": [{\"percent\": 50}, {\"percent\": "
      "100}], \"failure_threshold\": 20, \"failure_min\": 5}",
      fw, f->ids_json);
  g_autoptr (JsonNode) c = fd_tc_create (shared->srv, shared->workspace, body);
  const char *id = fd_t_str (c, "id");
  g_autoptr (GPtrArray) first = stage_devices (f, id, 0);
  g_autoptr (GPtrArray) second = stage_devices (f, id, 1);
  g_autoptr (JsonNode) aborted = NULL;
  g_autofree char *last = NULL;

  g_assert_cmpuint (first->len, ==, 10);
  fd_tc_update (g_ptr_array_index (first, 0), "3.0", "fail");
  fd_tc_update (g_ptr_array_index (first, 1), "3.0", "fail");
  for (guint i = 2; i < 5; i++)
    fd_tc_update (g_ptr_array_index (first, i), "3.0", "success");
  aborted = fd_tc_wait (shared->srv, id, "state", "aborted");
  g_assert_cmpstr (fd_t_str (aborted, "reason"), ==,
                   "2 of 5 devices failed (40%), over the 20% threshold");
  g_assert_cmpint (fd_t_int (aborted, "stage"), ==, 0);
  g_assert_cmpint (fd_tc_count (aborted, "skipped"), ==, 10);
  g_assert_cmpint (fd_tc_count (aborted, "notified"), ==, 5);
  for (guint i = 0; i < second->len; i++)
    {
      FdTcDevice *dev = g_ptr_array_index (second, i);
      g_autofree char *state = fd_tc_target_state (shared->srv, id, dev->d->id);
      g_autoptr (JsonNode) fota = fd_tc_expected_fota (dev);
      g_assert_cmpstr (state, ==, "skipped");
      g_assert_null (fota);
    }
  {
    g_autoptr (JsonNode) list = fd_tc_targets (shared->srv, id, "state=skipped&stage=1&size=1");
    g_assert_cmpint (fd_t_int (list, "total"), ==, 10);
    g_assert_cmpstr (fd_t_str (fd_t_item (list, 0), "message"), ==, "campaign aborted");
  }
  {
    /* The failure's message is the device's own. */
    g_autoptr (JsonNode) list = fd_tc_targets (shared->srv, id, "state=failed");
    g_assert_cmpint (fd_t_int (list, "total"), ==, 2);
    g_assert_cmpstr (fd_t_str (fd_t_item (list, 0), "message"), ==, "flash write failed");
  }

  /* In flight when the campaign stopped: it still gets to the end. */
  {
    FdTcDevice *dev = g_ptr_array_index (first, 9);
    g_autoptr (JsonNode) fota = fd_tc_expected_fota (dev);
    g_assert_nonnull (fota);
    fd_tc_update (dev, "3.0", "success");
    last = fd_tc_target_state (shared->srv, id, dev->d->id);
    g_assert_cmpstr (last, ==, "succeeded");
  }
}

/* A stage under the success threshold stops the campaign once all its targets are final. */
static void
test_success_threshold (void)
{
  g_autoptr (Fleet) f = fleet_new ("thr", 8, "1.0");
  g_autofree char *fw = fd_tc_firmware (shared, shared->workspace, "4.0");
  g_autofree char *body = g_strdup_printf (
      "{\"firmware_id\": \"%s\", \"devices\": %s, \"stages\": [{\"count\": 4}, {\"percent\": "
      "100}], \"success_threshold\": 100, \"failure_threshold\": 100}",
      fw, f->ids_json);
  g_autoptr (JsonNode) c = fd_tc_create (shared->srv, shared->workspace, body);
  const char *id = fd_t_str (c, "id");
  g_autoptr (GPtrArray) first = stage_devices (f, id, 0);
  g_autoptr (JsonNode) aborted = NULL;

  g_assert_cmpuint (first->len, ==, 4);
  fd_tc_update (g_ptr_array_index (first, 0), "4.0", "fail");
  for (guint i = 1; i < 4; i++)
    fd_tc_update (g_ptr_array_index (first, i), "4.0", "success");
  aborted = fd_tc_wait (shared->srv, id, "state", "aborted");
  g_assert_cmpstr (fd_t_str (aborted, "reason"), ==,
                   "stage 1: 75% succeeded, under the 100% needed");
  g_assert_cmpint (fd_tc_count (aborted, "skipped"), ==, 4);
  g_assert_cmpint (fd_tc_count (aborted, "succeeded"), ==, 3);
}

/* pause holds the next stage back, resume lets it go, abort skips what is queued; each is 409
 * in a state that does not allow it, and the audit log has them. */
static void
test_pause_resume_abort (void)
{
  g_autoptr (Fleet) f = fleet_new ("pra", 6, "1.0");
  g_autofree char *fw = fd_tc_firmware (shared, shared->workspace, "5.0");
  g_autofree char *body = g_strdup_printf (
      "{\"firmware_id\": \"%s\", \"devices\": %s, \"stages\": [{\"count\": 2}, {\"count\": 4}, "
      "{\"percent\": 100}]}",
      fw, f->ids_json);
  g_autoptr (JsonNode) c = fd_tc_create (shared->srv, shared->workspace, body);
  const char *id = fd_t_str (c, "id");
  g_autofree char *pause = g_strdup_printf ("/api/v1/campaigns/%s/pause", id);
  g_autofree char *resume = g_strdup_printf ("/api/v1/campaigns/%s/resume", id);
  g_autofree char *abort_path = g_strdup_printf ("/api/v1/campaigns/%s/abort", id);
  g_autofree char *audit = g_strdup_printf ("/api/v1/audit?target=%s", id);
  g_autoptr (GPtrArray) first = stage_devices (f, id, 0);
  g_autoptr (GPtrArray) second = stage_devices (f, id, 1);
  g_autoptr (JsonNode) paused = fd_t_call (shared->srv, "POST", pause, NULL, 200);
  g_autoptr (JsonNode) still = NULL;
  g_autoptr (JsonNode) resumed = NULL;
  g_autoptr (JsonNode) moved = NULL;
  g_autoptr (JsonNode) aborted = NULL;
  g_autoptr (JsonNode) log = NULL;

  g_assert_cmpstr (fd_t_str (paused, "state"), ==, "paused");
  fd_t_expect_error (shared->srv, "POST", pause, NULL, 409, "conflict", NULL);
  /* In-flight targets go on while paused, but the stage does not advance. */
  for (guint i = 0; i < first->len; i++)
    fd_tc_update (g_ptr_array_index (first, i), "5.0", "success");
  g_usleep (3 * 200 * 1000); /* three ticks */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/campaigns/%s", id);
    still = fd_t_call (shared->srv, "GET", path, NULL, 200);
  }
  g_assert_cmpint (fd_t_int (still, "stage"), ==, 0);
  g_assert_cmpint (fd_tc_count (still, "succeeded"), ==, 2);
  g_assert_cmpint (fd_tc_count (still, "queued"), ==, 4);
  for (guint i = 0; i < second->len; i++)
    g_assert_null (fd_tc_expected_fota (g_ptr_array_index (second, i)));

  resumed = fd_t_call (shared->srv, "POST", resume, NULL, 200);
  g_assert_cmpstr (fd_t_str (resumed, "state"), ==, "running");
  fd_t_expect_error (shared->srv, "POST", resume, NULL, 409, "conflict", NULL);
  moved = fd_tc_wait (shared->srv, id, "stage", "1");
  g_assert_cmpint (fd_tc_count (moved, "notified"), ==, 2);

  aborted = fd_t_call (shared->srv, "POST", abort_path, NULL, 200);
  g_assert_cmpstr (fd_t_str (aborted, "state"), ==, "aborted");
  g_assert_cmpstr (fd_t_str (aborted, "reason"), ==, "aborted by hand");
  g_assert_cmpint (fd_tc_count (aborted, "skipped"), ==, 2);
  g_assert_cmpint (fd_tc_count (aborted, "notified"), ==, 2);
  fd_t_expect_error (shared->srv, "POST", abort_path, NULL, 409, "conflict", NULL);
  fd_t_expect_error (shared->srv, "POST", resume, NULL, 409, "conflict", NULL);
  fd_t_expect_error (shared->srv, "POST", pause, NULL, 409, "conflict", NULL);
  fd_t_expect_error (shared->srv, "POST", "/api/v1/campaigns/cmp-aaaaaaaaaaaaaaaaaaaa/pause", NULL,
                     404, "not_found", NULL);

  log = fd_t_call (shared->srv, "GET", audit, NULL, 200);
  {
    g_autofree char *text = json_to_string (log, FALSE);
    g_assert_nonnull (strstr (text, "\"campaign.create\""));
    g_assert_nonnull (strstr (text, "\"campaign.pause\""));
    g_assert_nonnull (strstr (text, "\"campaign.resume\""));
    g_assert_nonnull (strstr (text, "\"campaign.abort\""));
  }
}

/* only_outdated (the default): devices that already run the version are skipped; with false
 * they are updated too. A fleet is expanded to its devices. */
static void
test_only_outdated (void)
{
  g_autofree char *fw = fd_tc_firmware (shared, shared->workspace, "6.0");
  g_autoptr (JsonNode) fleet = fd_t_make_fleet (shared->srv, shared->workspace, "outdated");
  const char *fleet_id = fd_t_str (fleet, "id");
  g_autoptr (Fleet) f = fleet_new ("old", 4, NULL);
  g_autofree char *body = NULL;
  g_autofree char *body_all = NULL;
  g_autoptr (JsonNode) c = NULL;
  g_autoptr (JsonNode) all = NULL;
  g_autoptr (JsonNode) skipped = NULL;

  for (guint i = 0; i < 4; i++)
    {
      FdTcDevice *dev = g_ptr_array_index (f->devs, i);
      g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s", dev->d->id);
      g_autofree char *move = g_strdup_printf ("{\"fleet_id\": \"%s\"}", fleet_id);
      g_autoptr (JsonNode) moved = fd_t_call (shared->srv, "PATCH", path, move, 200);
      fd_tc_report (dev, "__info", i < 2 ? "{\"fw\": \"6.0\"}" : "{\"fw\": \"5.9\"}");
    }
  body = g_strdup_printf ("{\"firmware_id\": \"%s\", \"fleets\": [\"%s\"]}", fw, fleet_id);
  c = fd_tc_create (shared->srv, shared->workspace, body);
  g_assert_cmpint (fd_t_int (c, "total"), ==, 4);
  g_assert_true (fd_t_bool (c, "only_outdated"));
  g_assert_cmpint (fd_tc_count (c, "skipped"), ==, 2);
  g_assert_cmpint (fd_tc_count (c, "notified"), ==, 2);
  skipped = fd_tc_targets (shared->srv, fd_t_str (c, "id"), "state=skipped");
  g_assert_cmpstr (fd_t_str (fd_t_item (skipped, 0), "message"), ==, "already runs 6.0");
  g_assert_cmpstr (fd_t_str (fd_t_item (skipped, 0), "from_version"), ==, "6.0");

  body_all = g_strdup_printf ("{\"firmware_id\": \"%s\", \"fleets\": [\"%s\"], "
                              "\"only_outdated\": false}",
                              fw, fleet_id);
  all = fd_tc_create (shared->srv, shared->workspace, body_all);
  g_assert_cmpint (fd_tc_count (all, "skipped"), ==, 0);
  g_assert_cmpint (fd_tc_count (all, "notified"), ==, 4);

  /* The newer campaign took the devices' @fota: the older one's are skipped, and a campaign of
   * only skipped targets is done. */
  {
    g_autoptr (JsonNode) older = fd_tc_wait (shared->srv, fd_t_str (c, "id"), "state", "completed");
    g_autofree char *msg = g_strdup_printf ("replaced by campaign %s", fd_t_str (all, "id"));
    g_autoptr (JsonNode) replaced = NULL;

    g_assert_cmpint (fd_tc_count (older, "skipped"), ==, 4);
    replaced = fd_tc_targets (shared->srv, fd_t_str (c, "id"), "state=skipped");
    g_assert_cmpint (fd_t_int (replaced, "total"), ==, 4);
    for (guint i = 0; i < 4; i++)
      if (fd_t_is_null (fd_t_item (replaced, i), "message")
          || strstr (fd_t_str (fd_t_item (replaced, i), "message"), "already") == NULL)
        g_assert_cmpstr (fd_t_str (fd_t_item (replaced, i), "message"), ==, msg);
  }
}

static gint64
stage_started_ms (JsonNode *campaign, guint i)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_iso8601 (
      json_object_get_string_member (stage_of (campaign, i), "started_at"), NULL);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t) * 1000 + g_date_time_get_microsecond (t) / 1000;
}

/* A stage of no devices passes at once, but no stage starts before min_wait_s since the one
 * before it started: the server's own times show the gap. */
static void
test_min_wait (void)
{
  g_autoptr (Fleet) f = fleet_new ("wait", 2, "1.0");
  g_autofree char *fw = fd_tc_firmware (shared, shared->workspace, "12.0");
  g_autofree char *body = g_strdup_printf (
      "{\"firmware_id\": \"%s\", \"devices\": %s, \"min_wait_s\": 1, \"stages\": "
      "[{\"percent\": 0}, {\"count\": 1}, {\"percent\": 100}]}",
      fw, f->ids_json);
  g_autoptr (JsonNode) c = fd_tc_create (shared->srv, shared->workspace, body);
  const char *id = fd_t_str (c, "id");
  g_autoptr (JsonNode) one = NULL;
  g_autoptr (JsonNode) done = NULL;
  g_autoptr (GPtrArray) second = NULL;
  g_autoptr (GPtrArray) third = NULL;

  g_assert_cmpint (json_object_get_int_member (stage_of (c, 0), "devices"), ==, 0);
  g_assert_cmpint (fd_tc_count (c, "queued"), ==, 2);
  one = fd_tc_wait (shared->srv, id, "stage", "1");
  g_assert_cmpint (stage_started_ms (one, 1) - stage_started_ms (one, 0), >=, 1000);
  second = stage_devices (f, id, 1);
  third = stage_devices (f, id, 2);
  g_assert_cmpuint (second->len, ==, 1);
  fd_tc_update (g_ptr_array_index (second, 0), "12.0", "success");
  g_clear_pointer (&one, json_node_unref);
  one = fd_tc_wait (shared->srv, id, "stage", "2");
  g_assert_cmpint (stage_started_ms (one, 2) - stage_started_ms (one, 1), >=, 1000);
  fd_tc_update (g_ptr_array_index (third, 0), "12.0", "success");
  done = fd_tc_wait (shared->srv, id, "state", "completed");
  g_assert_cmpint (fd_tc_count (done, "succeeded"), ==, 2);
}

/* A newer campaign for a device mid-update takes it over: the older target is skipped
 * ("replaced by campaign …"), reports about the older version move nothing of the newer one,
 * and reports about the newer version do. */
static void
test_replaced (void)
{
  g_autoptr (FdTcDevice) dev = fd_tc_device (shared, "replaced", "1.0");
  g_autofree char *old_fw = fd_tc_firmware (shared, shared->workspace, "11.0");
  g_autofree char *new_fw = fd_tc_firmware (shared, shared->workspace, "11.1");
  g_autofree char *old_body
      = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": [\"%s\"]}", old_fw, dev->d->id);
  g_autofree char *new_body
      = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": [\"%s\"]}", new_fw, dev->d->id);
  g_autoptr (JsonNode) older = fd_tc_create (shared->srv, shared->workspace, old_body);
  g_autoptr (JsonNode) newer = NULL;
  g_autoptr (JsonNode) fota = NULL;
  g_autoptr (JsonNode) done = NULL;
  g_autoptr (JsonNode) skipped = NULL;
  g_autofree char *msg = NULL;
  g_autofree char *state = NULL;

  fd_tc_report (dev, "_fota_status",
                "{\"state\": \"downloading\", \"progress\": 30, \"fw_version\": \"11.0\"}");
  newer = fd_tc_create (shared->srv, shared->workspace, new_body);
  fota = fd_tc_expected_fota (dev);
  g_assert_cmpstr (fd_t_str (fota, "fw_version"), ==, "11.1");
  msg = g_strdup_printf ("replaced by campaign %s", fd_t_str (newer, "id"));
  skipped = fd_tc_targets (shared->srv, fd_t_str (older, "id"), "state=skipped");
  g_assert_cmpint (fd_t_int (skipped, "total"), ==, 1);
  g_assert_cmpstr (fd_t_str (fd_t_item (skipped, 0), "message"), ==, msg);

  fd_tc_report (dev, "_fota_status",
                "{\"state\": \"installing\", \"progress\": 100, \"fw_version\": \"11.0\"}");
  state = fd_tc_target_state (shared->srv, fd_t_str (newer, "id"), dev->d->id);
  g_assert_cmpstr (state, ==, "notified");
  fd_tc_update (dev, "11.1", "success");
  done = fd_tc_wait (shared->srv, fd_t_str (newer, "id"), "state", "completed");
  g_assert_cmpint (fd_tc_count (done, "succeeded"), ==, 1);
  g_clear_pointer (&done, json_node_unref);
  done = fd_tc_wait (shared->srv, fd_t_str (older, "id"), "state", "completed");
  g_assert_cmpint (fd_tc_count (done, "skipped"), ==, 1);
}

/* A campaign of 3,000 devices listed one by one (a body over the API's usual 64 KiB): every
 * target of its one stage notified in the create; and one over 10,000 targets refused. */
static void
test_big (void)
{
  g_autofree char *ws = fd_test_make_workspace (shared->srv, "big");
  g_autofree char *fw = fd_tc_firmware (shared, ws, "13.0");
  g_autofree char *devices_path = g_strdup_printf ("/api/v1/workspaces/%s/devices", ws);
  g_autofree char *ws_path = g_strdup_printf ("/api/v1/workspaces/%s", ws);
  g_autoptr (GString) body = g_string_new (NULL);
  g_autoptr (JsonNode) w = NULL;
  g_autoptr (JsonNode) c = NULL;
  g_autofree char *too_many = NULL;
  g_autofree char *abort_path = NULL;
  g_autoptr (JsonNode) aborted = NULL;
  gint64 start;

  fd_test_server_seed_devices (shared->srv, ws, "big", 3000);
  g_string_append_printf (body, "{\"firmware_id\": \"%s\", \"devices\": [", fw);
  for (int page = 0; page < 3; page++)
    {
      g_autofree char *path = g_strdup_printf ("%s?size=1000&from=%d", devices_path, page * 1000);
      g_autoptr (JsonNode) list = fd_t_call (shared->srv, "GET", path, NULL, 200);
      for (guint i = 0; i < json_array_get_length (fd_t_items (list)); i++)
        g_string_append_printf (body, "%s\"%s\"", body->str[body->len - 1] == '[' ? "" : ",",
                                fd_t_str (fd_t_item (list, i), "id"));
    }
  g_string_append (body, "]}");
  g_assert_cmpuint (body->len, >, 64 * 1024);
  start = g_get_monotonic_time ();
  c = fd_tc_create (shared->srv, ws, body->str);
  g_test_message ("a campaign of 3,000 listed devices made (all notified) in %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpint (fd_t_int (c, "total"), ==, 3000);
  g_assert_cmpint (fd_tc_count (c, "notified"), ==, 3000);
  abort_path = g_strdup_printf ("/api/v1/campaigns/%s/abort", fd_t_str (c, "id"));
  aborted = fd_t_call (shared->srv, "POST", abort_path, NULL, 200);
  g_assert_cmpint (fd_tc_count (aborted, "notified"), ==, 3000);

  fd_test_server_seed_devices (shared->srv, ws, "more", 7001);
  w = fd_t_call (shared->srv, "GET", ws_path, NULL, 200);
  too_many = g_strdup_printf ("{\"firmware_id\": \"%s\", \"fleets\": [\"%s\"]}", fw,
                              fd_t_str (w, "default_fleet_id"));
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/campaigns", ws);
    fd_t_expect_error (shared->srv, "POST", path, too_many, 400, "invalid_field", "targets");
  }
}

/* What a campaign may not be: each a 400 naming the field. */
static void
test_errors (void)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/campaigns", shared->workspace);
  g_autofree char *fw = fd_tc_firmware (shared, shared->workspace, "7.0");
  g_autofree char *other_ws = fd_test_make_workspace (shared->srv, "elsewhere");
  g_autofree char *other_fw = fd_tc_firmware (shared, other_ws, "7.0");
  g_autofree char *other_dev = fd_test_make_device (shared->srv, other_ws, "far");
  g_autoptr (FdTcDevice) dev = fd_tc_device (shared, "err-dev", NULL);
  const struct
  {
    const char *body;
    const char *field;
  } cases[] = {
    { "\"success_threshold\": 101}", "success_threshold" },
    { "\"failure_threshold\": -1}", "failure_threshold" },
    { "\"failure_min\": 0}", "failure_min" },
    { "\"device_timeout_s\": 9}", "device_timeout_s" },
    { "\"min_wait_s\": 604801}", "min_wait_s" },
    { "\"stages\": []}", "stages" },
    { "\"stages\": [{\"percent\": 50}]}", "stages" },
    { "\"stages\": [{\"percent\": 50}, "
      "{\"percent\": 20}, {\"percent\": 100}]}",
      "stages" },
    { "\"stages\": [{\"percent\": 50, "
      "\"count\": 2}, {\"percent\": 100}]}",
      "stages" },
    { "\"stages\": [{\"percent\": 101}]}", "stages" },
    { "\"only_outdated\": 1}", "only_outdated" },
    { "\"colour\": 1}", "colour" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = g_strdup_printf (
          "{\"firmware_id\": \"%s\", \"devices\": [\"%s\"], %s", fw, dev->d->id, cases[i].body);
      fd_t_expect_error (shared->srv, "POST", path, body, 400, "invalid_field", cases[i].field);
    }
  {
    g_autofree char *body = g_strdup_printf ("{\"firmware_id\": \"%s\"}", fw);
    g_autofree char *empty = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": []}", fw);
    g_autofree char *no_fw = g_strdup_printf (
        "{\"firmware_id\": \"fw-aaaaaaaaaaaaaaaaaaaa\", \"devices\": [\"%s\"]}", dev->d->id);
    g_autofree char *their_fw = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": [\"%s\"]}",
                                                 other_fw, dev->d->id);
    g_autofree char *their_dev
        = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": [\"%s\"]}", fw, other_dev);
    g_autofree char *no_dev = g_strdup_printf (
        "{\"firmware_id\": \"%s\", \"devices\": [\"dev-aaaaaaaaaaaaaaaaaaaa\"]}", fw);
    g_autofree char *no_fleet = g_strdup_printf (
        "{\"firmware_id\": \"%s\", \"fleets\": [\"flt-aaaaaaaaaaaaaaaaaaaa\"]}", fw);
    g_autofree char *bad_id = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": [1]}", fw);
    g_autofree char *no_ws
        = g_strdup_printf ("{\"firmware_id\": \"%s\", \"devices\": [\"%s\"]}", fw, dev->d->id);
    g_autoptr (JsonNode) none = NULL;

    fd_t_expect_error (shared->srv, "POST", path, body, 400, "invalid_field", "targets");
    fd_t_expect_error (shared->srv, "POST", path, empty, 400, "invalid_field", "targets");
    fd_t_expect_error (shared->srv, "POST", path, "{\"devices\": []}", 400, "invalid_field",
                       "firmware_id");
    fd_t_expect_error (shared->srv, "POST", path, no_fw, 400, "invalid_field", "firmware_id");
    fd_t_expect_error (shared->srv, "POST", path, their_fw, 400, "invalid_field", "firmware_id");
    fd_t_expect_error (shared->srv, "POST", path, their_dev, 400, "invalid_field", "devices");
    fd_t_expect_error (shared->srv, "POST", path, no_dev, 400, "invalid_field", "devices");
    fd_t_expect_error (shared->srv, "POST", path, no_fleet, 400, "invalid_field", "fleets");
    fd_t_expect_error (shared->srv, "POST", path, bad_id, 400, "invalid_field", "devices");
    fd_t_expect_error (shared->srv, "POST", "/api/v1/workspaces/wks-aaaaaaaaaaaaaaaaaaaa/campaigns",
                       no_ws, 404, "not_found", NULL);
    fd_t_expect_error (shared->srv, "GET", "/api/v1/campaigns/cmp-aaaaaaaaaaaaaaaaaaaa", NULL, 404,
                       "not_found", NULL);
    fd_t_expect_error (shared->srv, "GET", "/api/v1/campaigns/cmp-aaaaaaaaaaaaaaaaaaaa/targets",
                       NULL, 404, "not_found", NULL);
    /* Nothing of the refused ones was made. */
    none = fd_t_call (shared->srv, "GET", path, NULL, 200);
    for (guint i = 0; i < json_array_get_length (fd_t_items (none)); i++)
      g_assert_cmpstr (fd_t_str (fd_t_item (none, i), "firmware_id"), !=, fw);
  }
}

int
main (int argc, char **argv)
{
  const char *args[] = { FD_TC_ARGS, NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  shared = fd_td_server_start (args);
  fd_t_kill_server_on_abort (shared->srv);

  g_test_add_func ("/campaigns/two-stages", test_two_stages);
  g_test_add_func ("/campaigns/failure-abort", test_failure_abort);
  g_test_add_func ("/campaigns/success-threshold", test_success_threshold);
  g_test_add_func ("/campaigns/pause-resume-abort", test_pause_resume_abort);
  g_test_add_func ("/campaigns/only-outdated", test_only_outdated);
  g_test_add_func ("/campaigns/min-wait", test_min_wait);
  g_test_add_func ("/campaigns/replaced", test_replaced);
  g_test_add_func ("/campaigns/errors", test_errors);
  g_test_add_func ("/campaigns/big", test_big);
  status = g_test_run ();

  fd_td_server_stop (shared);
  return status;
}
