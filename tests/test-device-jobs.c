/* test-device-jobs.c — fleetdesk-device's jobs and variables against a real fleetdesk-server:
 *
 * - a job (POST /workspaces/{id}/jobs) to simulated MQTT devices of which two are online and
 *   one offline: the online ones answer at once; the offline one, started later with `run`,
 *   finds it in its #status reply and answers; the job is done, every result the args;
 * - a job fail rate of 50 %: of two devices' executions of one job, exactly one fails;
 * - the built-in jobs: fail (a failed execution), sleep (answered after its seconds), an unknown
 *   job (unsupported); the manifest lists reset, echo, sleep, fail and ping;
 * - a variable round trip through `run`: PUT /devices/{id}/variables/{key} reaches the device,
 *   which reports it back, and the API shows it applied with the value; and the same over the
 *   HTTPS session (`run --transport https`: POST /v1/up, GET /v1/dn).
 *
 * Skipped while fleetdesk-server has no jobs API.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "fd-test-ota.h"

static FdTota *t;

/* POST /workspaces/{id}/jobs; returns the job id. */
static char *
schedule (const char *name, const char *args, const char *devices_json)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/jobs", t->workspace);
  g_autofree char *body = g_strdup_printf ("{\"name\": \"%s\", \"args\": %s, \"devices\": %s}",
                                           name, args, devices_json);
  g_autoptr (JsonNode) job = fd_t_call (t->srv, "POST", path, body, 201);

  return g_strdup (fd_t_str (job, "id"));
}

static JsonNode *
get_job (const char *id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/jobs/%s", id);

  return fd_t_call (t->srv, "GET", path, NULL, 200);
}

/* The execution of @device in @job (a GET /jobs/{id} answer). */
static JsonObject *
execution (JsonNode *job, const char *device)
{
  JsonObject *execs = json_object_get_object_member (fd_t_obj (job), "executions");
  JsonArray *items = json_object_get_array_member (execs, "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *e = json_array_get_object_element (items, i);
      if (g_str_equal (json_object_get_string_member (e, "device_id"), device))
        return e;
    }
  g_error ("no execution of %s", device);
  return NULL;
}

static const char *
execution_state (JsonNode *job, const char *device)
{
  return json_object_get_string_member (execution (job, device), "state");
}

static char *
execution_result (JsonNode *job, const char *device)
{
  return json_to_string (json_object_get_member (execution (job, device), "result"), FALSE);
}

/* Waits for @device's execution of @id to be @state; returns the job. */
static JsonNode *
wait_execution (const char *id, const char *device, const char *state)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      JsonNode *job = get_job (id);
      if (g_str_equal (execution_state (job, device), state))
        return job;
      if (g_get_monotonic_time () > deadline)
        g_error ("execution of %s: %s, not %s", device, execution_state (job, device), state);
      json_node_unref (job);
      g_usleep (50 * 1000);
    }
}

static GPid
spawn_run (guint i, const char *transport)
{
  g_autofree char *file = fd_tota_file (t, i);
  g_autofree char *tr = g_strdup_printf ("--transport=%s", transport);
  const char *argv[] = { g_getenv ("FD_DEVICE_BIN"), "-c", file, "run", tr, "--duration=60", NULL };
  g_autoptr (GError) error = NULL;
  GPid pid;

  g_spawn_async (NULL, (char **)argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                     | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, &pid, &error);
  g_assert_no_error (error);
  return pid;
}

static void
stop_run (GPid pid)
{
  int status = 0;

  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}

/* Waits until the @i-th device's __manifest is stored (it is connected). */
static void
wait_manifest (guint i)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/status", (char *)t->ids->pdata[i]);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (JsonNode) st = fd_t_call (t->srv, "GET", path, NULL, 200);
      JsonObject *cur = json_object_get_object_member (fd_t_obj (st), "current");
      if (cur != NULL && json_object_has_member (cur, "__manifest"))
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

static gboolean
have_jobs_api (void)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/jobs", t->workspace);
  g_autoptr (JsonNode) answer = NULL;
  guint status = 0;

  answer = fd_test_api (t->srv, "GET", path, NULL, &status);
  if (status == 200)
    return TRUE;
  g_test_skip ("this fleetdesk-server has no jobs API");
  return FALSE;
}

static void
test_online_and_offline (void)
{
  const char *a = t->ids->pdata[0], *b = t->ids->pdata[1], *off = t->ids->pdata[2];
  const char *const args[] = { "--transport=mqtt", "--idle", NULL };
  g_autofree char *devices = NULL, *job = NULL, *r = NULL;
  g_autoptr (JsonNode) j = NULL, done = NULL, summary = NULL;
  FdTsim *sim;
  GPid run;

  if (!have_jobs_api ())
    return;
  /* The first two files are online; the third waits. */
  sim = fd_tsim_start (t, 2, args);
  wait_manifest (0);
  wait_manifest (1);
  devices = g_strdup_printf ("[\"%s\", \"%s\", \"%s\"]", a, b, off);
  job = schedule ("echo", "{\"n\": 7}", devices);
  j = wait_execution (job, b, "succeeded");
  g_clear_pointer (&j, json_node_unref);
  j = wait_execution (job, a, "succeeded");
  r = execution_result (j, a);
  g_assert_cmpstr (r, ==, "{\"n\":7}");
  /* The offline device's execution waits for it. */
  g_assert_cmpstr (execution_state (j, off), ==, "queued");
  g_assert_cmpstr (fd_t_str (j, "state"), ==, "active");

  run = spawn_run (2, "mqtt");
  done = wait_execution (job, off, "succeeded");
  g_clear_pointer (&r, g_free);
  r = execution_result (done, off);
  g_assert_cmpstr (r, ==, "{\"n\":7}");
  g_clear_pointer (&done, json_node_unref);
  done = get_job (job);
  g_assert_cmpstr (fd_t_str (done, "state"), ==, "done");
  stop_run (run);
  summary = fd_tsim_stop (sim);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (summary), "jobs_answered"), ==,
                   2);
}

static void
test_job_fail_rate (void)
{
  const char *a = t->ids->pdata[0], *b = t->ids->pdata[1];
  const char *const args[] = { "--transport=mqtt", "--idle", "--job-fail-rate=0.5", NULL };
  g_autofree char *devices = g_strdup_printf ("[\"%s\", \"%s\"]", a, b);
  g_autofree char *job = NULL;
  g_autoptr (JsonNode) j = NULL, summary = NULL;
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  FdTsim *sim;

  if (!have_jobs_api ())
    return;
  sim = fd_tsim_start (t, 2, args);
  wait_manifest (0);
  wait_manifest (1);
  job = schedule ("ping", "{}", devices);
  for (;;)
    {
      j = get_job (job);
      if (g_str_equal (fd_t_str (j, "state"), "done"))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_clear_pointer (&j, json_node_unref);
      g_usleep (50 * 1000);
    }
  {
    JsonObject *counts = json_object_get_object_member (fd_t_obj (j), "counts");
    g_assert_cmpint (json_object_get_int_member (counts, "failed"), ==, 1);
    g_assert_cmpint (json_object_get_int_member (counts, "succeeded"), ==, 1);
  }
  summary = fd_tsim_stop (sim);
}

static void
test_builtin_jobs (void)
{
  const char *a = t->ids->pdata[3];
  g_autofree char *devices = g_strdup_printf ("[\"%s\"]", a);
  g_autofree char *fail = NULL, *slept = NULL, *odd = NULL, *r = NULL;
  g_autoptr (JsonNode) j1 = NULL, j2 = NULL, j3 = NULL;
  GPid run;

  if (!have_jobs_api ())
    return;
  run = spawn_run (3, "mqtt");
  wait_manifest (3);
  fail = schedule ("fail", "{}", devices);
  slept = schedule ("sleep", "{\"s\": 1}", devices);
  odd = schedule ("dance", "{}", devices);
  j1 = wait_execution (fail, a, "failed");
  r = execution_result (j1, a);
  g_assert_cmpstr (r, ==, "{\"error\":\"failed on request\"}");
  j2 = wait_execution (slept, a, "succeeded");
  g_clear_pointer (&r, g_free);
  r = execution_result (j2, a);
  g_assert_cmpstr (r, ==, "{\"slept\":1}");
  /* "dance" is not in the manifest: refused before it reaches the device. */
  j3 = get_job (odd);
  g_assert_cmpstr (execution_state (j3, a), ==, "rejected");
  stop_run (run);
}

/* GET /devices/{id}/variables/{key} until its state is applied; returns the reported value. */
static char *
wait_applied (const char *device, const char *key)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/variables/%s", device, key);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr (JsonNode) v = fd_t_call (t->srv, "GET", path, NULL, 200);
      if (g_str_equal (fd_t_str (v, "state"), "applied"))
        {
          JsonObject *rep = json_object_get_object_member (fd_t_obj (v), "reported");
          return json_to_string (json_object_get_member (rep, "value"), FALSE);
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

static gboolean
have_variables_api (guint i)
{
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/devices/%s/variables", (char *)t->ids->pdata[i]);
  g_autoptr (JsonNode) answer = NULL;
  guint status = 0;

  answer = fd_test_api (t->srv, "GET", path, NULL, &status);
  if (status == 200)
    return TRUE;
  g_test_skip ("this fleetdesk-server has no variables API");
  return FALSE;
}

static void
variable_round_trip (guint i, const char *transport)
{
  const char *id = t->ids->pdata[i];
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/variables/interval", id);
  g_autofree char *value = NULL, *value2 = NULL;
  g_autoptr (JsonNode) set = NULL, set2 = NULL;
  GPid run;

  if (!have_variables_api (i))
    return;
  /* Set while offline: it reaches the device in its #status reply. */
  set = fd_t_call (t->srv, "PUT", path, "{\"value\": {\"s\": 30}}", 202);
  g_assert_cmpstr (fd_t_str (set, "state"), ==, "pending");
  run = spawn_run (i, transport);
  value = wait_applied (id, "interval");
  g_assert_cmpstr (value, ==, "{\"s\":30}");
  /* Changed while online: delivered at once (MQTT j/dn, or the HTTPS poll). */
  set2 = fd_t_call (t->srv, "PUT", path, "{\"value\": 5}", 202);
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;;)
    {
      g_free (value2);
      value2 = wait_applied (id, "interval");
      if (g_str_equal (value2, "5"))
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
  stop_run (run);
}

static void
test_variable_mqtt (void)
{
  variable_round_trip (4, "mqtt");
}

static void
test_variable_https (void)
{
  variable_round_trip (5, "https");
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  t = fd_tota_start_with (6, FALSE);
  g_test_add_func ("/device-jobs/online-and-offline", test_online_and_offline);
  g_test_add_func ("/device-jobs/job-fail-rate", test_job_fail_rate);
  g_test_add_func ("/device-jobs/builtin", test_builtin_jobs);
  g_test_add_func ("/device-jobs/variable-mqtt", test_variable_mqtt);
  g_test_add_func ("/device-jobs/variable-https", test_variable_https);
  rc = g_test_run ();
  fd_tota_stop (t);
  return rc;
}
