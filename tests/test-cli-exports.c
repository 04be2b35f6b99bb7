/* test-cli-exports.c — exports through fleetdesk-cli: "data export" waits and downloads,
 * "export list|get|download|delete", and periodic exports "export schedule|schedules|runs|
 * unschedule". */
#include "fd-test-cli.h"
#include "fd-test-exports.h"

#include <string.h>

static FdTestServer *srv;

static void
test_data_export (void)
{
  g_autofree char *name = fd_test_cli_unique_name ("cli-export");
  g_autofree char *ws = fd_test_make_workspace (srv, name);
  g_autofree char *dir = g_dir_make_tmp ("fd-cli-export-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *again = g_build_filename (dir, "again.csv", NULL);
  g_autofree char *contents = NULL, *second = NULL, *id = NULL;
  g_auto (GStrv) lines = NULL;

  fd_tx_seed_samples (srv, ws, "dev-clicliclicliclicliclic", "cli", 3, 1764000000000);
  {
    g_autoptr (FdTestCliResult) r
        = fd_test_cli_run ("data", "export", ws, "--tag", "cli", "--output", file, NULL);
    fd_test_cli_assert_ok (r);
    g_assert_nonnull (strstr (r->out, "Exported 3 rows to"));
    id = g_strndup (strstr (r->out, "(exp-") + 1, 24);
  }
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_cmpstr (lines[0], ==, "timestamp_device,timestamp_in,fleet_id,device_id,tag,payload");
  g_assert_true (g_str_has_prefix (lines[1], "2025-11-24T16:00:00.000Z,"));

  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("export", "list", ws, NULL);
    fd_test_cli_assert_ok (r);
    fd_test_cli_assert_in_column (r->out, "ID", id);
    fd_test_cli_assert_in_column (r->out, "STATE", "done");
    fd_test_cli_assert_count_line (r->out, "1 of 1 export");
  }
  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("export", "get", id, NULL);
    fd_test_cli_assert_ok (r);
    fd_test_cli_assert_kv (r->out, "state", "done");
  }
  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("export", "download", id, again, NULL);
    fd_test_cli_assert_ok (r);
    g_assert_true (g_file_get_contents (again, &second, NULL, NULL));
    g_assert_cmpstr (second, ==, contents);
  }
  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("data", "export", ws, "--no-wait", NULL);
    fd_test_cli_assert_ok (r);
    g_assert_true (g_str_has_prefix (r->out, "exp-"));
  }
  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("data", "export", ws, NULL);
    g_assert_cmpint (r->status, ==, 2);
    g_assert_nonnull (strstr (r->err, "--output"));
  }
  {
    g_autoptr (FdTestCliResult) r
        = fd_test_cli_run ("data", "export", ws, "--format", "xml", "--no-wait", NULL);
    g_assert_cmpint (r->status, ==, 2);
  }
  {
    /* A download that fails (the export is gone) writes no file. */
    g_autofree char *none = g_build_filename (dir, "none.csv", NULL);
    g_autoptr (FdTestCliResult) r
        = fd_test_cli_run ("export", "download", "exp-aaaaaaaaaaaaaaaaaaaa", none, NULL);
    fd_test_cli_assert_fails (r, "does not exist");
    g_assert_false (g_file_test (none, G_FILE_TEST_EXISTS));
  }
  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("export", "delete", id, NULL);
    fd_test_cli_assert_ok (r);
    g_assert_nonnull (strstr (r->out, id));
  }
  fd_test_rm_rf (dir);
}

static void
test_schedule (void)
{
  g_autofree char *name = fd_test_cli_unique_name ("cli-schedule");
  g_autofree char *ws = fd_test_make_workspace (srv, name);
  g_autofree char *dir = g_dir_make_tmp ("fd-cli-sched-XXXXXX", NULL);
  g_autofree char *id = NULL;

  {
    g_autoptr (FdTestCliResult) r
        = fd_test_cli_run ("export", "schedule", ws, "--name", "nightly", "--period", "weekly",
                           "--time", "03:30", "--weekday", "monday", "--folder", dir, NULL);
    fd_test_cli_assert_ok (r);
    fd_test_cli_assert_kv (r->out, "period", "weekly");
    fd_test_cli_assert_kv (r->out, "time", "03:30");
    fd_test_cli_assert_kv (r->out, "weekday", "monday");
    id = fd_test_cli_kv_value (r->out, "id");
    g_assert_true (g_str_has_prefix (id, "exs-"));
  }
  {
    g_autoptr (FdTestCliResult) r
        = fd_test_cli_run ("export", "schedule", ws, "--name", "w", "--period", "weekly", "--time",
                           "03:30", "--folder", dir, NULL);
    g_assert_cmpint (r->status, ==, 2);
    g_assert_nonnull (strstr (r->err, "--weekday"));
  }
  {
    g_autoptr (FdTestCliResult) r
        = fd_test_cli_run ("export", "schedule", ws, "--name", "rel", "--period", "daily", "--time",
                           "03:30", "--folder", "relative/dir", NULL);
    fd_test_cli_assert_fails (r, "folder");
  }
  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("export", "schedules", ws, NULL);
    fd_test_cli_assert_ok (r);
    fd_test_cli_assert_in_column (r->out, "NAME", "nightly");
    fd_test_cli_assert_count_line (r->out, "1 of 1 export schedule");
  }
  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("export", "runs", id, NULL);
    fd_test_cli_assert_ok (r);
    fd_test_cli_assert_count_line (r->out, "0 of 0 export");
  }
  {
    g_autoptr (FdTestCliResult) r = fd_test_cli_run ("export", "unschedule", id, NULL);
    fd_test_cli_assert_ok (r);
    g_assert_nonnull (strstr (r->out, "Deleted export schedule"));
  }
  fd_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_cli_start ();
  g_test_add_func ("/cli-exports/data-export", test_data_export);
  g_test_add_func ("/cli-exports/schedule", test_schedule);
  rc = g_test_run ();
  fd_test_cli_stop ();
  return rc;
}
