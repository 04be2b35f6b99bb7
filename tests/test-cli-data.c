/* test-cli-data.c — what a person sees from `fleetdesk-cli data query`, `data aggregate` and
 * `data series` against a real server, with readings a device posted to its HTTPS endpoint. */
#include "fd-test-cli.h"
#include "fd-test-device.h"

#include <glib/gstdio.h>
#include <string.h>

static FdTdServer *shared;
static FdTdDevice *dev;

/* 2026-11-27T10:00Z + 30 min * i, v = i, for i in 0..5, the times in three notations */
#define BATCH                                                                                      \
  "[{\"ts\":\"2026-11-27T10:00:00Z\",\"payload\":{\"v\":0,\"on\":true}},"                          \
  "{\"ts\":\"2026-11-27T12:30:00+02:00\",\"payload\":{\"v\":1,\"on\":false}},"                     \
  "{\"ts\":1795777200000,\"payload\":{\"v\":2,\"on\":true}},"                                      \
  "{\"ts\":\"2026-11-27T11:30:00Z\",\"payload\":{\"v\":3,\"on\":true}},"                           \
  "{\"ts\":\"2026-11-27T12:00:00Z\",\"payload\":{\"v\":4,\"on\":false}},"                          \
  "{\"ts\":\"2026-11-27T12:30:00Z\",\"payload\":{\"v\":5,\"on\":true}}]"

static void
post_data (void)
{
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, dev, NULL);
  g_autofree char *text
      = fd_td_request ("POST", "/v1/data/temp", "Content-Type: application/json\r\n", BATCH);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (r, text);
  g_assert_true (fd_td_raw_response (r, &resp));
  g_assert_cmpuint (resp.status, ==, 202);
}

static void
test_query (void)
{
  g_autoptr (FdTestCliResult) page = NULL;
  g_autoptr (FdTestCliResult) rest = NULL;
  g_autoptr (FdTestCliResult) filtered = NULL;
  g_autoptr (FdTestCliResult) json = NULL;
  g_autoptr (FdTestCliResult) bad = NULL;
  g_autoptr (JsonNode) api = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autofree char *path = NULL;

  page = fd_test_cli_run ("data", "query", shared->workspace, "--sort", "timestamp_device",
                          "--size", "2", NULL);
  fd_test_cli_assert_ok (page);
  g_assert_true (g_str_has_prefix (page->out, "TIMESTAMP_DEVICE"));
  g_assert_nonnull (strstr (page->out, "PAYLOAD"));
  fd_test_cli_assert_in_column (page->out, "TIMESTAMP_DEVICE", "2026-11-27T10:00:00.000Z");
  fd_test_cli_assert_in_column (page->out, "TIMESTAMP_DEVICE", "2026-11-27T10:30:00.000Z");
  /* (the DEVICE header is also inside TIMESTAMP_DEVICE: look for the cell after the time) */
  {
    g_autofree char *cell = g_strdup_printf ("2026-11-27T10:00:00.000Z  %s  temp  ", dev->id);
    g_assert_nonnull (strstr (page->out, cell));
  }
  fd_test_cli_assert_in_column (page->out, "TAG", "temp");
  g_assert_nonnull (strstr (page->out, "{\"v\":0,\"on\":true}"));
  g_assert_nonnull (strstr (page->out, "2 rows; more from --from 2\n"));

  rest = fd_test_cli_run ("data", "query", shared->workspace, "--from", "5", NULL);
  fd_test_cli_assert_ok (rest);
  /* newest first by default: the sixth is the oldest */
  fd_test_cli_assert_in_column (rest->out, "TIMESTAMP_DEVICE", "2026-11-27T10:00:00.000Z");
  g_assert_nonnull (strstr (rest->out, "\n1 row\n"));

  filtered = fd_test_cli_run ("data", "query", shared->workspace, "--fields", "v", "--filter",
                              "v>=2", "--filter", "on = true", NULL);
  fd_test_cli_assert_ok (filtered);
  g_assert_nonnull (strstr (filtered->out, "{\"v\":5}"));
  g_assert_nonnull (strstr (filtered->out, "{\"v\":3}"));
  g_assert_nonnull (strstr (filtered->out, "{\"v\":2}"));
  g_assert_null (strstr (filtered->out, "{\"v\":4}"));
  g_assert_nonnull (strstr (filtered->out, "\n3 rows\n"));

  json = fd_test_cli_run ("--json", "data", "query", shared->workspace, "--tag", "temp", NULL);
  path = g_strdup_printf ("/api/v1/workspaces/%s/data?tag=temp", shared->workspace);
  api = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  parsed = fd_test_cli_assert_json (json, NULL);
  g_assert_cmpuint (json_array_get_length (
                        json_object_get_array_member (json_node_get_object (parsed), "result")),
                    ==, 6);
  /* the same rows as the API gives (timestamp_in is the same stored value) */
  {
    g_autofree char *a = json_to_string (api, FALSE), *b = json_to_string (parsed, FALSE);
    g_assert_cmpstr (a, ==, b);
  }

  bad = fd_test_cli_run ("data", "query", shared->workspace, "--filter", "nosuch>1", NULL);
  fd_test_cli_assert_fails (bad, "nosuch is not a field");
}

static void
test_aggregate (void)
{
  g_autoptr (FdTestCliResult) hourly = NULL;
  g_autoptr (FdTestCliResult) whole = NULL;
  g_autoptr (FdTestCliResult) missing = NULL;
  g_autoptr (FdTestCliResult) bad = NULL;

  hourly = fd_test_cli_run ("data", "aggregate", shared->workspace, "--tag", "temp", "--field", "v",
                            "--fn", "avg,max", "--bucket", "1h", "--group", "device", "--start",
                            "2026-11-27T00:00:00Z", "--end", "2026-11-28T00:00:00Z", NULL);
  fd_test_cli_assert_ok (hourly);
  g_assert_true (g_str_has_prefix (hourly->out, "DEVICE"));
  for (const char *const *h = (const char *const[]){ "BUCKET", "COUNT", "AVG", "MAX", NULL };
       *h != NULL; h++)
    g_assert_nonnull (strstr (hourly->out, *h));
  g_assert_null (strstr (hourly->out, "MIN"));
  fd_test_cli_assert_in_column (hourly->out, "BUCKET", "2026-11-27T10:00:00.000Z");
  fd_test_cli_assert_in_column (hourly->out, "BUCKET", "2026-11-27T12:00:00.000Z");
  fd_test_cli_assert_in_column (hourly->out, "AVG", "0.5");
  fd_test_cli_assert_in_column (hourly->out, "AVG", "4.5");
  fd_test_cli_assert_in_column (hourly->out, "MAX", "5");
  g_assert_nonnull (strstr (hourly->out, "\n3 results\n"));

  whole = fd_test_cli_run ("data", "aggregate", shared->workspace, "--tag", "temp", "--field", "v",
                           "--fn", "sum,first,last", NULL);
  fd_test_cli_assert_ok (whole);
  g_assert_true (g_str_has_prefix (whole->out, "COUNT"));
  fd_test_cli_assert_in_column (whole->out, "COUNT", "6");
  fd_test_cli_assert_in_column (whole->out, "SUM", "15");
  fd_test_cli_assert_in_column (whole->out, "FIRST", "0");
  fd_test_cli_assert_in_column (whole->out, "LAST", "5");

  missing = fd_test_cli_run ("data", "aggregate", shared->workspace, "--tag", "temp", "--field",
                             "v", NULL);
  g_assert_cmpint (missing->status, ==, 2);
  g_assert_nonnull (strstr (missing->err, "--fn"));

  bad = fd_test_cli_run ("data", "aggregate", shared->workspace, "--tag", "temp", "--field", "on",
                         "--fn", "avg", NULL);
  fd_test_cli_assert_fails (bad, "not a number");
}

static void
test_series (void)
{
  g_autoptr (FdTestCliResult) chart = NULL;
  g_autoptr (FdTestCliResult) bad = NULL;
  g_autoptr (FdTestCliResult) by_ms = NULL;

  chart = fd_test_cli_run ("data", "series", shared->workspace, "--tag", "temp", "--field", "v",
                           "--points", "10", "--start", "2026-11-27T08:00:00Z", "--end",
                           "2026-11-27T18:00:00Z", NULL);
  fd_test_cli_assert_ok (chart);
  g_assert_true (g_str_has_prefix (chart->out, "Bucket: 3600000 ms\n"));
  g_assert_nonnull (strstr (chart->out, "query-dev ("));
  fd_test_cli_assert_in_column (strstr (chart->out, "TIME"), "TIME", "2026-11-27T10:00:00.000Z");
  fd_test_cli_assert_in_column (strstr (chart->out, "TIME"), "COUNT", "2");
  fd_test_cli_assert_in_column (strstr (chart->out, "TIME"), "MIN", "4");

  bad = fd_test_cli_run ("data", "series", shared->workspace, "--tag", "temp", "--field", "v",
                         "--points", "1", NULL);
  fd_test_cli_assert_fails (bad, "points");

  /* Epoch milliseconds are times too (2026-11-27T08:00:00Z and 18:00:00Z): the same answer. */
  by_ms = fd_test_cli_run ("data", "series", shared->workspace, "--tag", "temp", "--field", "v",
                           "--points", "10", "--start", "1795766400000", "--end", "1795802400000",
                           NULL);
  fd_test_cli_assert_ok (by_ms);
  g_assert_cmpstr (by_ms->out, ==, chart->out);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-data/query", test_query);
  g_test_add_func ("/cli-data/aggregate", test_aggregate);
  g_test_add_func ("/cli-data/series", test_series);

  /* The device helpers around the CLI tests' server. */
  shared = fd_td_server_wrap (fd_test_cli_start (), "cli-data");
  dev = fd_td_cert_device (shared, "query-dev");
  post_data ();

  status = g_test_run ();
  fd_td_device_free (dev);
  fd_td_server_unwrap (shared);
  fd_test_cli_stop ();
  return status;
}
