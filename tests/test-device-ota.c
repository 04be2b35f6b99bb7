/* test-device-ota.c — staged firmware campaigns over simulated MQTT devices, against a real
 * fleetdesk-server (campaign tick 200 ms), 256 KiB firmware:
 *
 * - 200 devices, 30 % of updates failing, stages 5 % then 100 %, failure_threshold 20,
 *   failure_min 10: the first stage's 10 devices update (3 fail, 7 succeed), the campaign is
 *   aborted, and the other 190 are never notified (skipped, nothing downloaded);
 * - the same with no failures: completed, every device's firmware_version is the new one,
 *   every device downloaded the file exactly once;
 * - the server killed (SIGKILL) in the middle of a campaign and started again on its data
 *   directory: the campaign finishes, every device on the new version;
 * - 20 devices of which a quarter come back on the old firmware after installing: 5 reverted
 *   (the server saw them back on 1.0.0), 15 on 2.0.0;
 * - HTTPS devices (POST /v1/up, GET /v1/dn) whose downloads are cut by a kill of the server go on
 *   with Range requests from their offsets: each fetched the file exactly once, the hash
 *   matched (the update succeeded), the simulator counted the resumes.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "fd-test-ota.h"

#define FW_SIZE (256 * 1024)
#define DEVICES 200

static const char *const staged_rules
    = "\"stages\": [{\"percent\": 5}, {\"percent\": 100}], \"failure_threshold\": 20, "
      "\"failure_min\": 10";

static gint64
summary_int (JsonNode *summary, const char *name)
{
  return json_object_get_int_member (json_node_get_object (summary), name);
}

/* How many of the campaign's targets are in @state, through /campaigns/{id}/targets. */
static gint64
targets_in (FdTota *t, const char *cmp, const char *query)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/campaigns/%s/targets?%s", cmp, query);
  g_autoptr (JsonNode) list = fd_t_call (t->srv, "GET", path, NULL, 200);

  return fd_t_int (list, "total");
}

/* The largest progress of a downloading target. */
static gint64
max_progress (FdTota *t, const char *cmp)
{
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/campaigns/%s/targets?state=downloading&size=1000", cmp);
  g_autoptr (JsonNode) list = fd_t_call (t->srv, "GET", path, NULL, 200);
  JsonArray *items = fd_t_items (list);
  gint64 best = 0;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *p = json_object_get_member (json_array_get_object_element (items, i), "progress");
      if (p != NULL && !JSON_NODE_HOLDS_NULL (p))
        best = MAX (best, json_node_get_int (p));
    }
  return best;
}

/* Until a downloading target of @cmp has @percent of the file (within 30 s). */
static void
wait_progress (FdTota *t, const char *cmp, gint64 percent)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (max_progress (t, cmp) < percent)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

/* Every device's firmware_version is @version. */
static void
assert_versions (FdTota *t, const char *version)
{
  for (guint i = 0; i < t->ids->len; i++)
    {
      g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s", (char *)t->ids->pdata[i]);
      g_autoptr (JsonNode) dev = fd_t_call (t->srv, "GET", path, NULL, 200);
      g_assert_cmpstr (fd_t_str (dev, "firmware_version"), ==, version);
    }
}

/* Waits until the server has every device's first version (the simulator's __info). */
static void
wait_versions (FdTota *t, const char *version)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint i = 0;

  while (i < t->ids->len)
    {
      g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s", (char *)t->ids->pdata[i]);
      g_autoptr (JsonNode) dev = fd_t_call (t->srv, "GET", path, NULL, 200);
      JsonNode *v = json_object_get_member (fd_t_obj (dev), "firmware_version");

      if (v != NULL && !JSON_NODE_HOLDS_NULL (v) && g_str_equal (json_node_get_string (v), version))
        i++;
      else
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (50 * 1000);
        }
    }
}

static void
test_aborted_after_first_stage (void)
{
  FdTota *t = fd_tota_start (DEVICES);
  FdTsim *sim;
  const char *const args[]
      = { "--transport=mqtt", "--idle", "--fw-version=1.0.0", "--fota-fail-rate=0.3", NULL };
  g_autofree char *fw = NULL, *cmp = NULL;
  g_autoptr (JsonNode) c = NULL, summary = NULL;
  JsonArray *stages;

  if (t == NULL)
    return;
  sim = fd_tsim_start (t, DEVICES, args);
  wait_versions (t, "1.0.0");
  fw = fd_tota_upload (t, "2.0.0", FW_SIZE, 1, NULL);
  cmp = fd_tota_campaign (t, fw, staged_rules);
  c = fd_tota_wait_state (t, cmp, "aborted", 60);
  summary = fd_tsim_stop (sim);

  /* The first stage: 5 % of 200. Its 4th, 7th and 10th updates failed: 30 % > 20 %. */
  stages = json_object_get_array_member (fd_t_obj (c), "stages");
  g_assert_cmpuint (json_array_get_length (stages), ==, 2);
  g_assert_cmpint (
      json_object_get_int_member (json_array_get_object_element (stages, 0), "devices"), ==, 10);
  g_assert_cmpint (fd_tota_count (c, "failed"), ==, 3);
  g_assert_cmpint (fd_tota_count (c, "succeeded"), ==, 7);
  g_assert_cmpint (fd_tota_count (c, "skipped"), ==, DEVICES - 10);
  g_assert_nonnull (strstr (fd_t_str (c, "reason"), "3 of 10"));
  /* The second stage's devices were never told: skipped, never notified, nothing fetched. */
  g_assert_cmpint (targets_in (t, cmp, "stage=1&state=skipped"), ==, DEVICES - 10);
  {
    g_autofree char *path
        = g_strdup_printf (FD_T_API "/campaigns/%s/targets?stage=1&size=1000", cmp);
    g_autoptr (JsonNode) list = fd_t_call (t->srv, "GET", path, NULL, 200);
    JsonArray *items = fd_t_items (list);

    g_assert_cmpuint (json_array_get_length (items), ==, DEVICES - 10);
    for (guint i = 0; i < json_array_get_length (items); i++)
      {
        JsonObject *target = json_array_get_object_element (items, i);
        g_assert_cmpstr (json_object_get_string_member (target, "state"), ==, "skipped");
        g_assert_true (json_object_get_null_member (target, "notified_at"));
      }
  }
  g_assert_cmpint (summary_int (summary, "ota_failed"), ==, 3);
  g_assert_cmpint (summary_int (summary, "ota_succeeded"), ==, 7);
  g_assert_cmpint (summary_int (summary, "ota_reverted"), ==, 0);
  g_assert_cmpint (summary_int (summary, "firmware_bytes"), ==, 10 * FW_SIZE);
  fd_tota_stop (t);
}

static void
test_completed (void)
{
  FdTota *t = fd_tota_start (DEVICES);
  FdTsim *sim;
  const char *const args[] = { "--transport=mqtt", "--idle", "--fw-version=1.0.0", NULL };
  g_autofree char *fw = NULL, *cmp = NULL;
  g_autoptr (JsonNode) c = NULL, summary = NULL;

  if (t == NULL)
    return;
  sim = fd_tsim_start (t, DEVICES, args);
  wait_versions (t, "1.0.0");
  fw = fd_tota_upload (t, "2.0.0", FW_SIZE, 2, NULL);
  cmp = fd_tota_campaign (t, fw, staged_rules);
  c = fd_tota_wait_state (t, cmp, "completed", 60);
  g_assert_cmpint (fd_tota_count (c, "succeeded"), ==, DEVICES);
  g_assert_cmpint (fd_tota_count (c, "failed"), ==, 0);
  /* The final @fota and __info {"fw": "2.0.0"} were sent one after the other; the campaign
   * may complete before the second is stored. */
  wait_versions (t, "2.0.0");
  assert_versions (t, "2.0.0");
  summary = fd_tsim_stop (sim);
  g_assert_cmpint (summary_int (summary, "ota_succeeded"), ==, DEVICES);
  g_assert_cmpint (summary_int (summary, "firmware_bytes"), ==, (gint64)DEVICES * FW_SIZE);
  fd_tota_stop (t);
}

static void
test_server_killed (void)
{
  FdTota *t = fd_tota_start (40);
  FdTsim *sim;
  /* Slow downloads (64 KiB/s: 4 s each), so that the kill lands in the middle. */
  const char *const args[] = { "--transport=mqtt",      "--idle",        "--fw-version=1.0.0",
                               "--download-rate=65536", "--chunk=16384", NULL };
  g_autofree char *fw = NULL, *cmp = NULL;
  g_autoptr (JsonNode) c = NULL, summary = NULL;

  if (t == NULL)
    return;
  sim = fd_tsim_start (t, 40, args);
  wait_versions (t, "1.0.0");
  fw = fd_tota_upload (t, "2.0.0", FW_SIZE, 3, NULL);
  cmp = fd_tota_campaign (t, fw, "\"stages\": [{\"percent\": 50}, {\"percent\": 100}]");
  wait_progress (t, cmp, 20); /* a fifth of the file */
  fd_tota_restart (t, SIGKILL);
  c = fd_tota_wait_state (t, cmp, "completed", 90);
  g_assert_cmpint (fd_tota_count (c, "succeeded"), ==, 40);
  wait_versions (t, "2.0.0");
  summary = fd_tsim_stop (sim);
  /* The downloads cut by the kill went on from where they were. */
  g_assert_cmpint (summary_int (summary, "ota_succeeded"), ==, 40);
  g_assert_cmpint (summary_int (summary, "download_resumes"), >, 0);
  g_assert_cmpint (summary_int (summary, "firmware_bytes"), ==, 40 * FW_SIZE);
  fd_tota_stop (t);
}

static void
test_reverted (void)
{
  FdTota *t = fd_tota_start (20);
  FdTsim *sim;
  const char *const args[]
      = { "--transport=mqtt", "--idle", "--fw-version=1.0.0", "--fota-revert-rate=0.25", NULL };
  g_autofree char *fw = NULL, *cmp = NULL;
  g_autoptr (JsonNode) c = NULL, summary = NULL;
  guint on_new = 0, on_old = 0;

  if (t == NULL)
    return;
  sim = fd_tsim_start (t, 20, args);
  wait_versions (t, "1.0.0");
  fw = fd_tota_upload (t, "2.0.0", 64 * 1024, 5, NULL);
  cmp = fd_tota_campaign (t, fw, "\"failure_threshold\": 50, \"success_threshold\": 70");
  c = fd_tota_wait_state (t, cmp, "completed", 60);
  g_assert_cmpint (fd_tota_count (c, "reverted"), ==, 5);
  g_assert_cmpint (fd_tota_count (c, "succeeded"), ==, 15);
  summary = fd_tsim_stop (sim);
  g_assert_cmpint (summary_int (summary, "ota_reverted"), ==, 5);
  g_assert_cmpint (summary_int (summary, "ota_succeeded"), ==, 15);
  for (guint i = 0; i < t->ids->len; i++)
    {
      g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s", (char *)t->ids->pdata[i]);
      g_autoptr (JsonNode) dev = fd_t_call (t->srv, "GET", path, NULL, 200);
      const char *v = fd_t_str (dev, "firmware_version");
      on_new += g_strcmp0 (v, "2.0.0") == 0;
      on_old += g_strcmp0 (v, "1.0.0") == 0;
    }
  g_assert_cmpuint (on_new, ==, 15);
  g_assert_cmpuint (on_old, ==, 5);
  fd_tota_stop (t);
}

static void
test_https_resume (void)
{
  FdTota *t = fd_tota_start (2);
  FdTsim *sim;
  const char *const args[]
      = { "--transport=https",     "--poll",        "--idle", "--fw-version=1.0.0",
          "--download-rate=65536", "--chunk=16384", NULL };
  g_autofree char *fw = NULL, *cmp = NULL;
  g_autoptr (JsonNode) c = NULL, summary = NULL;

  if (t == NULL)
    return;
  /* The devices connect after the campaign is made: their #status answer has @fota. */
  fw = fd_tota_upload (t, "2.0.0", FW_SIZE, 4, NULL);
  cmp = fd_tota_campaign (t, fw, "");
  sim = fd_tsim_start (t, 2, args);
  wait_progress (t, cmp, 30);
  fd_tota_restart (t, SIGKILL);
  c = fd_tota_wait_state (t, cmp, "completed", 60);
  g_assert_cmpint (fd_tota_count (c, "succeeded"), ==, 2);
  wait_versions (t, "2.0.0");
  summary = fd_tsim_stop (sim);
  g_assert_cmpint (summary_int (summary, "ota_succeeded"), ==, 2);
  g_assert_cmpint (summary_int (summary, "ota_failed"), ==, 0);
  /* Resumed, not restarted: the bytes fetched are the file's, once per device. */
  g_assert_cmpint (summary_int (summary, "download_resumes"), >=, 1);
  g_assert_cmpint (summary_int (summary, "firmware_bytes"), ==, 2 * FW_SIZE);
  fd_tota_stop (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-ota/aborted-after-first-stage", test_aborted_after_first_stage);
  g_test_add_func ("/device-ota/completed", test_completed);
  g_test_add_func ("/device-ota/server-killed", test_server_killed);
  g_test_add_func ("/device-ota/reverted", test_reverted);
  g_test_add_func ("/device-ota/https-resume", test_https_resume);
  return g_test_run ();
}
