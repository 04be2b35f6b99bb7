/* test-app-jobs.c — what the Jobs pane and "New Job" decide without a display: job names as
 * the API takes them, arguments as a JSON object (and where they are not), the names a
 * manifest declares, how a job and an execution read in the lists, and FdJsonItem's merge. */
#include "config.h"

#include <locale.h>

#include "fd-job-dialog.h"
#include "fd-jobs-format.h"
#include "fd-json-item.h"

static JsonObject *
object_of (const char *text)
{
  g_autoptr (JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static void
test_name (void)
{
  g_autofree char *long_name = g_strnfill (64, 'a');

  g_assert_null (fd_job_name_problem ("reset"));
  g_assert_null (fd_job_name_problem ("self-test_2.v1"));
  long_name[63] = '\0';
  g_assert_null (fd_job_name_problem (long_name));
  long_name[63] = 'a';
  g_assert_nonnull (fd_job_name_problem (long_name)); /* 64 characters */
  g_assert_nonnull (fd_job_name_problem (""));
  g_assert_nonnull (fd_job_name_problem ("2reset"));
  g_assert_nonnull (fd_job_name_problem ("_reset"));
  g_assert_nonnull (fd_job_name_problem ("re set"));
  g_assert_nonnull (fd_job_name_problem ("@reset"));
  g_assert_nonnull (fd_job_name_problem ("résumé"));
  g_assert_cmpstr (fd_job_name_problem ("fota"), ==,
                   "“fota” is the firmware updates’ own job: use a campaign.");
}

static void
test_args (void)
{
  g_autofree char *message = NULL;
  g_autoptr (JsonNode) empty = fd_job_args_parse ("  \n", &message);
  g_autoptr (JsonNode) object = fd_job_args_parse ("{\"s\": 5, \"deep\": {\"a\": [1]}}", &message);
  JsonNode *bad;

  g_assert_nonnull (empty);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (empty));
  g_assert_cmpuint (json_object_get_size (json_node_get_object (empty)), ==, 0);
  g_assert_nonnull (object);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (object), "s"), ==, 5);
  g_assert_null (message);

  /* Where it is wrong, as a person finds it. */
  bad = fd_job_args_parse ("{\n  \"s\": 5,\n}", &message);
  g_assert_null (bad);
  g_assert_true (g_str_has_prefix (message, "Line 2, column 9: "));
  g_clear_pointer (&message, g_free);
  bad = fd_job_args_parse ("[1, 2]", &message);
  g_assert_null (bad);
  g_assert_cmpstr (message, ==, "The arguments are a JSON object, such as {\"s\": 5}.");
  g_clear_pointer (&message, g_free);
  bad = fd_job_args_parse ("5", &message);
  g_assert_null (bad);
  g_assert_nonnull (message);
}

static void
test_manifest (void)
{
  g_autoptr (GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (JsonNode) object = json_from_string ("{\"jobs\": [\"reset\", \"echo\", 5, \"fota\", "
                                                  "\"bad name\"], \"conditions\": [\"x\"]}",
                                                  NULL);
  g_autoptr (JsonNode) list = json_from_string ("[\"ping\", \"reset\"]", NULL);
  g_autoptr (JsonNode) other = json_from_string ("{\"jobs\": \"reset\"}", NULL);

  fd_job_manifest_names (object, names);
  fd_job_manifest_names (list, names);
  fd_job_manifest_names (other, names);
  fd_job_manifest_names (NULL, names);
  /* Only names a job could have: "fota" and "bad name" are not offered. */
  g_assert_cmpuint (g_hash_table_size (names), ==, 3);
  g_assert_true (g_hash_table_contains (names, "reset"));
  g_assert_true (g_hash_table_contains (names, "echo"));
  g_assert_true (g_hash_table_contains (names, "ping"));
}

static void
test_format_job (void)
{
  g_autoptr (JsonObject) job = object_of (
      "{\"id\": \"job-1\", \"name\": \"reset\", \"state\": \"active\", \"total\": 10, \"counts\": "
      "{\"queued\": 0, \"sent\": 0, \"succeeded\": 8, \"failed\": 1, \"timed_out\": 1, "
      "\"canceled\": 0, \"rejected\": 0}, \"created_at\": \"2026-12-01T10:00:00.000Z\"}");
  g_autoptr (JsonObject) fresh
      = object_of ("{\"id\": \"job-2\", \"name\": \"echo\", \"state\": \"done\", \"total\": 1, "
                   "\"counts\": {\"succeeded\": 1}}");
  const char *css = "unset";
  g_autofree char *progress = fd_jobs_format_progress (job, &css);
  g_autofree char *targets = fd_jobs_format_targets (job, NULL);
  g_autofree char *done = fd_jobs_format_progress (fresh, NULL);
  g_autofree char *one = fd_jobs_format_targets (fresh, NULL);
  g_autofree char *state = fd_jobs_format_state (fresh, &css);

  g_assert_cmpstr (progress, ==, "8/10 succeeded · 2 failed");
  g_assert_cmpstr (targets, ==, "10 devices");
  g_assert_cmpfloat_with_epsilon (fd_jobs_format_fraction (job), 0.8, 1e-9);
  g_assert_cmpstr (done, ==, "1/1 succeeded");
  g_assert_cmpstr (one, ==, "1 device");
  g_assert_cmpstr (state, ==, "Done");
  g_assert_cmpstr (css, ==, "success");
}

static void
test_format_execution (void)
{
  g_autoptr (JsonObject) answered = object_of (
      "{\"device_id\": \"dev-1\", \"device_name\": \"pump-01\", \"state\": \"timed_out\", "
      "\"attempts\": 3, \"result\": {\"echo\": {\"n\": 1}}, \"message\": null}");
  g_autoptr (JsonObject) replaced
      = object_of ("{\"device_id\": \"dev-2\", \"state\": \"canceled\", \"attempts\": 1, "
                   "\"result\": null, \"message\": \"replaced by job-9\", \"sent_at\": null}");
  const char *css = NULL;
  g_autofree char *state = fd_jobs_format_execution_state (answered, &css);
  g_autofree char *result = fd_jobs_format_result (answered, NULL);
  g_autofree char *attempts = fd_jobs_format_attempts (answered, NULL);
  g_autofree char *message = fd_jobs_format_result (replaced, NULL);
  g_autofree char *device = fd_jobs_format_device (replaced, NULL);
  g_autofree char *sent = fd_jobs_format_sent (replaced, NULL);

  g_assert_cmpstr (state, ==, "Timed Out");
  g_assert_cmpstr (css, ==, "error");
  g_assert_cmpstr (result, ==, "{\"echo\":{\"n\":1}}");
  g_assert_cmpstr (attempts, ==, "3");
  g_assert_cmpstr (message, ==, "replaced by job-9");
  g_assert_cmpstr (device, ==, "dev-2"); /* no name: the id */
  g_assert_cmpstr (sent, ==, "—");
  g_assert_true (fd_jobs_execution_state_final ("rejected"));
  g_assert_false (fd_jobs_execution_state_final ("sent"));
}

static void
changed_cb (FdJsonItem *item, guint *count)
{
  (*count)++;
}

static void
test_json_item (void)
{
  g_autoptr (JsonObject) job
      = object_of ("{\"id\": \"job-1\", \"state\": \"active\", \"total\": 2}");
  g_autoptr (JsonObject) update
      = object_of ("{\"state\": \"done\", \"counts\": {\"succeeded\": 2}}");
  g_autoptr (JsonObject) nameless = object_of ("{\"state\": \"done\"}");
  g_autoptr (FdJsonItem) item = fd_json_item_new (job, "id");
  g_autoptr (GListStore) store = g_list_store_new (FD_TYPE_JSON_ITEM);
  guint changes = 0;
  guint position = 99;

  g_assert_null (fd_json_item_new (nameless, "id"));
  g_assert_cmpstr (fd_json_item_get_key (item), ==, "job-1");
  g_signal_connect (item, "changed", G_CALLBACK (changed_cb), &changes);
  fd_json_item_merge (item, update);
  g_assert_cmpuint (changes, ==, 1); /* one redraw for the whole update */
  g_assert_cmpstr (json_object_get_string_member (fd_json_item_get_object (item), "state"), ==,
                   "done");
  g_assert_cmpint (json_object_get_int_member (fd_json_item_get_object (item), "total"), ==, 2);

  g_list_store_append (store, item);
  g_assert_true (fd_json_item_find (G_LIST_MODEL (store), "job-1", &position));
  g_assert_cmpuint (position, ==, 0);
  g_assert_false (fd_json_item_find (G_LIST_MODEL (store), "job-2", NULL));
}

int
main (int argc, char *argv[])
{
  /* The strings as written (English), with the C locale's digit grouping. */
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app-jobs/name", test_name);
  g_test_add_func ("/app-jobs/args", test_args);
  g_test_add_func ("/app-jobs/manifest", test_manifest);
  g_test_add_func ("/app-jobs/format-job", test_format_job);
  g_test_add_func ("/app-jobs/format-execution", test_format_execution);
  g_test_add_func ("/app-jobs/json-item", test_json_item);
  return g_test_run ();
}
