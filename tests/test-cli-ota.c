/* test-cli-ota.c — what a person sees from `fleetdesk-cli firmware …` and `campaign …` against a
 * real server: uploads (a big one with its progress on stderr, the SHA-256 the server computed
 * equal to the file's), the lists, the signing key, deletes; campaigns created, listed, paused,
 * resumed, aborted and watched to their end; usage errors exit 2, refusals of the API exit 1. */
#include "fd-test-campaigns.h"
#include "fd-test-cli.h"
#include "fd-test-device.h"

#include <glib/gstdio.h>
#include <string.h>

static FdTdServer *shared;
static char *files; /* a directory for the firmware files */

/* A file of @size bytes (a pattern, not zeros) and its SHA-256. */
static char *
make_file (const char *name, gsize size, char **sha256)
{
  g_autofree guint8 *data = g_malloc (size);
  char *path = g_build_filename (files, name, NULL);
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8)((i * 7 + i / 251) & 0xff);
  g_file_set_contents (path, (const char *)data, (gssize)size, &error);
  g_assert_no_error (error);
  *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
  return path;
}

/* Uploads a small image (version @version) and returns its id. */
static char *
upload (const char *version)
{
  g_autofree char *sha = NULL;
  g_autofree char *name = g_strdup_printf ("fw-%s.bin", version);
  g_autofree char *path = make_file (name, 4096, &sha);
  g_autoptr (FdTestCliResult) run
      = fd_test_cli_run ("firmware", "upload", shared->workspace, path, "--version", version, NULL);

  fd_test_cli_assert_ok (run);
  return fd_test_cli_kv_value (run->out, "id");
}

static void
test_firmware (void)
{
  g_autofree char *small_sha = NULL, *big_sha = NULL;
  g_autofree char *small = make_file ("app-1.0.0.bin", 10000, &small_sha);
  g_autofree char *big = make_file ("app-1.1.0.bin", 3 * 1024 * 1024 + 17, &big_sha);
  g_autofree char *empty = g_build_filename (files, "empty.bin", NULL);
  g_autoptr (FdTestCliResult) one = NULL, two = NULL, list = NULL, get = NULL, key = NULL;
  g_autoptr (FdTestCliResult) dup = NULL, del = NULL, gone = NULL, json = NULL, none = NULL;
  g_autoptr (FdTestCliResult) no_version = NULL, missing = NULL, nothing = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autofree char *id = NULL, *big_id = NULL;

  one = fd_test_cli_run ("firmware", "upload", shared->workspace, small, "--version", "1.0.0",
                         "--target", "board-a", "--description", "first build", NULL);
  fd_test_cli_assert_ok (one);
  fd_test_cli_assert_kv (one->out, "version", "1.0.0");
  fd_test_cli_assert_kv (one->out, "target", "board-a");
  fd_test_cli_assert_kv (one->out, "description", "first build");
  fd_test_cli_assert_kv (one->out, "size", "10000");
  fd_test_cli_assert_kv (one->out, "sha256", small_sha);
  fd_test_cli_assert_kv (one->out, "in_use", "no");
  g_assert_cmpstr (one->err, ==, ""); /* no progress for a small file */
  id = fd_test_cli_kv_value (one->out, "id");
  g_assert_true (g_str_has_prefix (id, "fw-"));

  /* A big one: streamed, with its progress on stderr. */
  two = fd_test_cli_run ("firmware", "upload", shared->workspace, big, "--version", "1.1.0",
                         "--target", "board-a", NULL);
  fd_test_cli_assert_ok (two);
  fd_test_cli_assert_kv (two->out, "sha256", big_sha);
  fd_test_cli_assert_kv (two->out, "size", "3145745");
  g_assert_nonnull (strstr (two->err, "Uploading: 100% (3145745 of 3145745 bytes)"));
  big_id = fd_test_cli_kv_value (two->out, "id");

  list = fd_test_cli_run ("firmware", "list", shared->workspace, NULL);
  fd_test_cli_assert_ok (list);
  g_assert_true (g_str_has_prefix (list->out, "ID"));
  fd_test_cli_assert_in_column (list->out, "VERSION", "1.0.0");
  fd_test_cli_assert_in_column (list->out, "VERSION", "1.1.0");
  fd_test_cli_assert_in_column (list->out, "TARGET", "board-a");
  fd_test_cli_assert_in_column (list->out, "SIZE", "3145745");
  fd_test_cli_assert_count_line (list->out, "2 of 2 firmware images");

  get = fd_test_cli_run ("firmware", "get", id, NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_kv (get->out, "algorithm", "ecdsa-p256");
  g_assert_nonnull (fd_test_cli_kv_value (get->out, "signature"));
  json = fd_test_cli_run ("--json", "firmware", "get", id, NULL);
  parsed = fd_test_cli_assert_json (json, NULL);
  g_assert_nonnull (strstr (fd_test_str (parsed, "manifest"), small_sha));

  key = fd_test_cli_run ("firmware", "key", shared->workspace, NULL);
  fd_test_cli_assert_ok (key);
  fd_test_cli_assert_kv (key->out, "algorithm", "ecdsa-p256");
  g_assert_nonnull (strstr (key->out, "-----BEGIN PUBLIC KEY-----"));

  dup = fd_test_cli_run ("firmware", "upload", shared->workspace, small, "--version", "1.0.0",
                         "--target", "board-a", NULL);
  g_assert_cmpint (dup->status, ==, 1);
  g_assert_cmpstr (dup->out, ==, "");

  del = fd_test_cli_run ("firmware", "delete", big_id, NULL);
  fd_test_cli_assert_ok (del);
  g_assert_true (g_str_has_prefix (del->out, "Deleted firmware fw-"));
  gone = fd_test_cli_run ("firmware", "get", big_id, NULL);
  fd_test_cli_assert_fails (gone, big_id);

  no_version = fd_test_cli_run ("firmware", "upload", shared->workspace, small, NULL);
  fd_test_cli_assert_usage (no_version, "--version");
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  nothing
      = fd_test_cli_run ("firmware", "upload", shared->workspace, empty, "--version", "9", NULL);
  g_assert_cmpint (nothing->status, ==, 1);
  g_assert_nonnull (strstr (nothing->err, "empty"));
  missing = fd_test_cli_run ("firmware", "upload", shared->workspace, "/nonexistent/fw.bin",
                             "--version", "9", NULL);
  g_assert_cmpint (missing->status, ==, 1);
  g_assert_nonnull (strstr (missing->err, "/nonexistent/fw.bin"));
  none = fd_test_cli_run ("firmware", "list", shared->workspace, NULL);
  fd_test_cli_assert_count_line (none->out, "1 of 1 firmware image");
}

/* Over the server's --firmware-max-bytes: refused from the request's headers (the CLI sends
 * "Expect: 100-continue"), so not a byte of the file is sent: no progress, exit 1 at once. */
static void
test_firmware_too_large (void)
{
  const char *args[] = { "--firmware-max-bytes=100000", NULL };
  FdTestServer *srv = fd_test_server_start_with_args (args);
  g_autofree char *ws = fd_test_make_workspace (srv, "small-firmware");
  g_autofree char *sha = NULL;
  g_autofree char *big = make_file ("too-big.bin", 2 * 1024 * 1024, &sha);
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (FdTestCliResult) run = NULL;
  const char *words[] = { "--server", srv->url, "--token", srv->token,  "firmware",
                          "upload",   ws,       big,       "--version", "1.0" };

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    g_ptr_array_add (argv, (char *)words[i]);
  run = fd_test_cli_run_argv (env, argv);
  g_assert_cmpint (run->status, ==, 1);
  g_assert_nonnull (strstr (run->err, "too_large"));
  g_assert_null (strstr (run->err, "Uploading"));
  fd_test_server_stop (srv);
}

/* Every target already runs the version: all skipped, the campaign completes and `campaign
 * watch` ends with it (exit 0). */
static void
test_campaign_completes (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "meter-1");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autoptr (FdTestCliResult) create = NULL, watch = NULL, list = NULL, targets = NULL;
  g_autofree char *fw = NULL, *id = NULL;
  g_auto (GStrv) lines = NULL;
  guint n;

  fw = upload ("2.0.0");
  fd_td_raw_up (r, "{\"key\": \"__info\", \"value\": {\"fw\": \"2.0.0\"}}", 202);
  create = fd_test_cli_run ("campaign", "create", shared->workspace, "--firmware", fw, "--name",
                            "meters to 2.0.0", "--device", d->id, NULL);
  fd_test_cli_assert_ok (create);
  fd_test_cli_assert_kv (create->out, "name", "meters to 2.0.0");
  fd_test_cli_assert_kv (create->out, "firmware_version", "2.0.0");
  fd_test_cli_assert_kv (create->out, "total", "1");
  g_assert_nonnull (strstr (create->out, "Stages:"));
  id = fd_test_cli_kv_value (create->out, "id");
  g_assert_true (g_str_has_prefix (id, "cmp-"));

  watch = fd_test_cli_run ("campaign", "watch", id, NULL);
  fd_test_cli_assert_ok (watch);
  lines = g_strsplit (g_strchomp (watch->out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 1);
  g_assert_nonnull (strstr (lines[n - 1], "completed"));
  g_assert_nonnull (strstr (lines[n - 1], "1 skipped"));

  list = fd_test_cli_run ("campaign", "list", shared->workspace, NULL);
  fd_test_cli_assert_ok (list);
  fd_test_cli_assert_in_column (list->out, "ID", id);
  fd_test_cli_assert_in_column (list->out, "STATE", "completed");
  targets = fd_test_cli_run ("campaign", "targets", id, NULL);
  fd_test_cli_assert_ok (targets);
  fd_test_cli_assert_in_column (targets->out, "DEVICE", "meter-1");
  fd_test_cli_assert_in_column (targets->out, "STATE", "skipped");
  fd_test_cli_assert_in_column (targets->out, "STAGE", "1");
  fd_test_cli_assert_count_line (targets->out, "1 of 1 target");
}

static gpointer
update_thread (gpointer data)
{
  fd_tc_update (data, "4.0.0", "success");
  return NULL;
}

/* A device that updates (downloading, …, @fota success) while `campaign watch` follows the
 * campaign: it ends with the campaign completed, the device succeeded (exit 0). */
static void
test_campaign_watch_update (void)
{
  g_autoptr (FdTcDevice) dev = fd_tc_device (shared, "meter-3", "3.9.0");
  g_autoptr (FdTestCliResult) create = NULL, watch = NULL, targets = NULL;
  g_autofree char *fw = upload ("4.0.0"), *id = NULL;
  g_auto (GStrv) lines = NULL;
  GThread *device;
  guint n;

  create = fd_test_cli_run ("campaign", "create", shared->workspace, "--firmware", fw, "--device",
                            dev->d->id, NULL);
  fd_test_cli_assert_ok (create);
  id = fd_test_cli_kv_value (create->out, "id");
  device = g_thread_new ("device", update_thread, dev);
  watch = fd_test_cli_run ("campaign", "watch", id, NULL);
  g_thread_join (device);
  fd_test_cli_assert_ok (watch);
  lines = g_strsplit (g_strchomp (watch->out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_nonnull (strstr (lines[n - 1], "completed"));
  g_assert_nonnull (strstr (lines[n - 1], "1 of 1 succeeded, 0 failed"));
  targets = fd_test_cli_run ("campaign", "targets", id, "--state", "succeeded", NULL);
  fd_test_cli_assert_in_column (targets->out, "DEVICE", "meter-3");
  fd_test_cli_assert_in_column (targets->out, "FROM", "3.9.0");
}

/* A device that comes back on its old firmware (reverted) is a failure in every view: the watch
 * line, the campaign list's FAILED column and the stages' table, as the failure rule counts it
 * (failed + reverted + timed_out). */
static void
test_campaign_reverted_counts (void)
{
  g_autoptr (FdTcDevice) dev = fd_tc_device (shared, "meter-4", "4.9.0");
  g_autoptr (FdTestCliResult) create = NULL, watch = NULL, list = NULL, get = NULL;
  g_autofree char *fw = upload ("5.0.0"), *id = NULL;
  g_auto (GStrv) lines = NULL;
  guint n;

  create = fd_test_cli_run ("campaign", "create", shared->workspace, "--firmware", fw, "--device",
                            dev->d->id, "--name", "revert", "--success-threshold", "0", NULL);
  fd_test_cli_assert_ok (create);
  id = fd_test_cli_kv_value (create->out, "id");
  fd_tc_update (dev, "5.0.0", "reverted");
  watch = fd_test_cli_run ("campaign", "watch", id, NULL);
  fd_test_cli_assert_ok (watch);
  lines = g_strsplit (g_strchomp (watch->out), "\n", -1);
  n = g_strv_length (lines);
  g_assert_nonnull (strstr (lines[n - 1], "0 of 1 succeeded, 1 failed"));

  list = fd_test_cli_run ("campaign", "list", shared->workspace, NULL);
  fd_test_cli_assert_ok (list);
  {
    g_auto (GStrv) rows = g_strsplit (list->out, "\n", -1);
    gboolean seen = FALSE;

    for (guint i = 0; rows[i] != NULL; i++)
      if (g_str_has_prefix (rows[i], id))
        {
          g_auto (GStrv) cells = g_strsplit_set (rows[i], " ", -1);
          g_autoptr (GPtrArray) words = g_ptr_array_new ();

          for (guint c = 0; cells[c] != NULL; c++)
            if (*cells[c] != '\0')
              g_ptr_array_add (words, cells[c]);
          /* ID NAME VERSION STATE STAGE DEVICES SUCCEEDED FAILED CREATED(2 words) */
          g_assert_cmpuint (words->len, ==, 10);
          g_assert_cmpstr (g_ptr_array_index (words, 6), ==, "0");
          g_assert_cmpstr (g_ptr_array_index (words, 7), ==, "1");
          seen = TRUE;
        }
    g_assert_true (seen);
  }
  get = fd_test_cli_run ("campaign", "get", id, NULL);
  fd_test_cli_assert_ok (get);
  /* The stages' table follows the fields. */
  g_assert_nonnull (strstr (get->out, "Stages:\n"));
  fd_test_cli_assert_in_column (strstr (get->out, "Stages:\n") + strlen ("Stages:\n"), "FAILED",
                                "1");
}

/* A device that has not updated yet: notified; paused, resumed, then aborted by hand, and
 * `campaign watch` exits 1 with the reason. */
static void
test_campaign_abort (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "meter-2");
  g_autoptr (FdTestCliResult) create = NULL, targets = NULL, pause = NULL, again = NULL;
  g_autoptr (FdTestCliResult) resume = NULL, abort_ = NULL, watch = NULL, get = NULL;
  g_autofree char *fw = NULL, *id = NULL;

  fw = upload ("3.0.0");
  create = fd_test_cli_run ("campaign", "create", shared->workspace, "--firmware", fw, "--device",
                            d->id, "--stages", "50%,100%", "--min-wait", "0", "--success-threshold",
                            "80", "--failure-threshold", "30", "--failure-min", "2",
                            "--device-timeout", "600", NULL);
  fd_test_cli_assert_ok (create);
  fd_test_cli_assert_kv (create->out, "state", "running");
  fd_test_cli_assert_kv (create->out, "success_threshold", "80");
  fd_test_cli_assert_kv (create->out, "device_timeout_s", "600");
  fd_test_cli_assert_in_column (strstr (create->out, "Stages:\n") + strlen ("Stages:\n"), "UNTIL",
                                "50%");
  id = fd_test_cli_kv_value (create->out, "id");

  targets = fd_test_cli_run ("campaign", "targets", id, "--state", "notified", NULL);
  fd_test_cli_assert_ok (targets);
  fd_test_cli_assert_in_column (targets->out, "DEVICE", "meter-2");
  pause = fd_test_cli_run ("campaign", "pause", id, NULL);
  fd_test_cli_assert_ok (pause);
  fd_test_cli_assert_kv (pause->out, "state", "paused");
  again = fd_test_cli_run ("campaign", "pause", id, NULL);
  g_assert_cmpint (again->status, ==, 1);
  resume = fd_test_cli_run ("campaign", "resume", id, NULL);
  fd_test_cli_assert_kv (resume->out, "state", "running");
  abort_ = fd_test_cli_run ("campaign", "abort", id, NULL);
  fd_test_cli_assert_ok (abort_);
  fd_test_cli_assert_kv (abort_->out, "state", "aborted");

  watch = fd_test_cli_run ("campaign", "watch", id, NULL);
  g_assert_cmpint (watch->status, ==, 1);
  g_assert_nonnull (strstr (watch->out, "aborted"));
  g_assert_nonnull (strstr (watch->err, "aborted"));
  get = fd_test_cli_run ("campaign", "get", id, NULL);
  fd_test_cli_assert_ok (get);
  fd_test_cli_assert_kv (get->out, "state", "aborted");
}

static void
test_campaign_usage (void)
{
  const char *ws = shared->workspace;
  g_autoptr (FdTestCliResult) no_fw = NULL, no_targets = NULL, stages = NULL, last = NULL;
  g_autoptr (FdTestCliResult) threshold = NULL, timeout = NULL, state = NULL;

  no_fw = fd_test_cli_run ("campaign", "create", ws, "--device", "dev-a", NULL);
  fd_test_cli_assert_usage (no_fw, "--firmware");
  no_targets = fd_test_cli_run ("campaign", "create", ws, "--firmware", "fw-a", NULL);
  fd_test_cli_assert_usage (no_targets, "--fleet ID or --device ID");
  stages = fd_test_cli_run ("campaign", "create", ws, "--firmware", "fw-a", "--device", "dev-a",
                            "--stages", "5%,x,100%", NULL);
  fd_test_cli_assert_usage (stages, "--stages");
  last = fd_test_cli_run ("campaign", "create", ws, "--firmware", "fw-a", "--device", "dev-a",
                          "--stages", "5%,50%", NULL);
  fd_test_cli_assert_usage (last, "the last 100%");
  threshold = fd_test_cli_run ("campaign", "create", ws, "--firmware", "fw-a", "--device", "dev-a",
                               "--success-threshold", "101", NULL);
  fd_test_cli_assert_usage (threshold, "--success-threshold");
  timeout = fd_test_cli_run ("campaign", "create", ws, "--firmware", "fw-a", "--device", "dev-a",
                             "--device-timeout", "5", NULL);
  fd_test_cli_assert_usage (timeout, "--device-timeout");
  state = fd_test_cli_run ("campaign", "targets", "cmp-a", "--state", "done", NULL);
  fd_test_cli_assert_usage (state, "--state");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-ota/firmware", test_firmware);
  g_test_add_func ("/cli-ota/firmware-too-large", test_firmware_too_large);
  g_test_add_func ("/cli-ota/campaign-completes", test_campaign_completes);
  g_test_add_func ("/cli-ota/campaign-watch-update", test_campaign_watch_update);
  g_test_add_func ("/cli-ota/campaign-reverted-counts", test_campaign_reverted_counts);
  g_test_add_func ("/cli-ota/campaign-abort", test_campaign_abort);
  g_test_add_func ("/cli-ota/campaign-usage", test_campaign_usage);

  /* The device helpers around the CLI tests' server. */
  shared = fd_td_server_wrap (fd_test_cli_start (), "cli-ota");
  files = g_build_filename (shared->srv->data_dir, "test-firmware", NULL);
  g_assert_cmpint (g_mkdir (files, 0700), ==, 0);

  status = g_test_run ();
  fd_td_server_unwrap (shared);
  g_free (files);
  fd_test_cli_stop ();
  return status;
}
