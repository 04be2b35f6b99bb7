/* test-firmware-download.c — GET /v1/firmware/{id} on the HTTPS device port of a real
 * fleetdesk-server: refused (403 not_assigned) until a live campaign has the device as a
 * target (rows written straight into the database, and a campaign made through its API), then
 * served with ETag, Accept-Ranges and one Range per request; an interrupted
 * download resumed with curl picks up where it stopped and the whole file's sha256 matches;
 * 416 past the end; HEAD; and memory stays flat while many downloads wait on slow readers.
 * Campaign rows are written straight into the database (the campaigns module's tables). */
#include "fd-test-device.h"
#include "fd-test-firmware.h"

#include <string.h>

#define FILE_SIZE (3 * 1024 * 1024 + 123)

static FdTdServer *shared;
static char *tmp;
static char *file_path; /* the uploaded file */
static char *file_sum;
static char *firmware_id;

typedef struct
{
  guint status;
  char *headers; /* lower case */
  char *body_path;
} Download;

static void
download_clear (Download *d)
{
  g_free (d->headers);
  g_free (d->body_path);
}

/* curl as the device @dev: GET (or @extra's method) of /v1/firmware/@id into @out. */
static void
device_get (const FdTdDevice *dev, const char *id, const char *const *extra, const char *out,
            Download *d)
{
  g_autofree char *url = NULL, *path = g_strdup_printf ("/v1/firmware/%s", id);
  g_autofree char *head_path = g_build_filename (tmp, "headers.txt", NULL);
  g_autofree char *stdout_text = NULL, *err = NULL, *headers = NULL;
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  url = fd_td_url (shared, path);
  g_ptr_array_add (args, "-D");
  g_ptr_array_add (args, head_path);
  g_ptr_array_add (args, "-w");
  g_ptr_array_add (args, "%{http_code}");
  g_ptr_array_add (args, "-o");
  g_ptr_array_add (args, (gpointer)out);
  if (dev != NULL)
    {
      g_ptr_array_add (args, "--cert");
      g_ptr_array_add (args, dev->cert);
      g_ptr_array_add (args, "--key");
      g_ptr_array_add (args, dev->key);
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer)extra[i]);
  g_ptr_array_add (args, url);
  g_ptr_array_add (args, NULL);
  g_assert_cmpint (fd_td_curl (shared, (const char *const *)args->pdata, &stdout_text, &err), ==,
                   0);
  g_assert_true (g_file_get_contents (head_path, &headers, NULL, NULL));
  d->status = (guint)g_ascii_strtoull (stdout_text, NULL, 10);
  d->headers = g_ascii_strdown (headers, -1);
  d->body_path = g_strdup (out);
}

static gboolean
has_header (const Download *d, const char *line)
{
  g_autofree char *want = g_strconcat ("\r\n", line, "\r\n", NULL);
  g_autofree char *lower = g_ascii_strdown (want, -1);
  return strstr (d->headers, lower) != NULL;
}

static char *
read_text (const char *path)
{
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* A device of the shared workspace that is a target (in @state) of a campaign (@campaign_state)
 * of the firmware. */
static FdTdDevice *
target_device (const char *name, const char *campaign, const char *campaign_state,
               const char *state)
{
  FdTdDevice *dev = fd_td_cert_device (shared, name);

  fd_tf_campaign (shared->srv, campaign, shared->workspace, firmware_id, campaign_state);
  fd_tf_campaign_target (shared->srv, campaign, dev->id, state);
  return dev;
}

static void
test_not_assigned (void)
{
  g_autoptr (FdTdDevice) dev = fd_td_cert_device (shared, "stranger");
  g_autofree char *out = g_build_filename (tmp, "refused.json", NULL);
  g_autofree char *body = NULL;
  Download d = { 0 };

  device_get (dev, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 403);
  body = read_text (out);
  g_assert_nonnull (strstr (body, "\"code\":\"not_assigned\""));
  download_clear (&d);

  /* A target whose update is over may not download any more; one of a paused campaign may, and
   * so may one an aborted campaign left in flight (it goes on to its end), but not one the abort
   * skipped. */
  fd_tf_campaign (shared->srv, "cmp-notassigned000000a", shared->workspace, firmware_id, "running");
  fd_tf_campaign_target (shared->srv, "cmp-notassigned000000a", dev->id, "succeeded");
  device_get (dev, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 403);
  download_clear (&d);
  fd_tf_campaign_target (shared->srv, "cmp-notassigned000000a", dev->id, "downloading");
  fd_tf_campaign (shared->srv, "cmp-notassigned000000a", shared->workspace, firmware_id, "aborted");
  device_get (dev, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 200);
  download_clear (&d);
  fd_tf_campaign_target (shared->srv, "cmp-notassigned000000a", dev->id, "skipped");
  device_get (dev, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 403);
  download_clear (&d);
  fd_tf_campaign_target (shared->srv, "cmp-notassigned000000a", dev->id, "downloading");
  fd_tf_campaign (shared->srv, "cmp-notassigned000000a", shared->workspace, firmware_id, "paused");
  device_get (dev, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 200);
  download_clear (&d);

  /* No credential: 401; an unknown firmware: 404. */
  device_get (NULL, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 401);
  download_clear (&d);
  device_get (dev, "fw-aaaaaaaaaaaaaaaaaaaa", NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 404);
  download_clear (&d);
}

static void
test_whole_file (void)
{
  g_autoptr (FdTdDevice) dev
      = target_device ("whole", "cmp-whole0000000000000a", "running", "notified");
  g_autofree char *out = g_build_filename (tmp, "whole.bin", NULL);
  g_autofree char *sum = NULL, *etag = g_strdup_printf ("etag: \"%s\"", file_sum);
  g_autofree char *length = g_strdup_printf ("content-length: %d", FILE_SIZE);
  Download d = { 0 };

  device_get (dev, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 200);
  g_assert_true (has_header (&d, etag));
  g_assert_true (has_header (&d, "accept-ranges: bytes"));
  g_assert_true (has_header (&d, length));
  g_assert_true (has_header (&d, "content-type: application/octet-stream"));
  sum = fd_tf_sha256sum (out);
  g_assert_cmpstr (sum, ==, file_sum);
  download_clear (&d);
}

static void
test_resume (void)
{
  g_autoptr (FdTdDevice) dev
      = target_device ("resume", "cmp-resume000000000000a", "running", "downloading");
  g_autofree char *out = g_build_filename (tmp, "resumed.bin", NULL);
  g_autofree char *range = NULL, *sum = NULL;
  g_autofree char *first_range = g_strdup_printf ("content-range: bytes 0-999999/%d", FILE_SIZE);
  g_autofree char *rest_range
      = g_strdup_printf ("content-range: bytes 1000000-%d/%d", FILE_SIZE - 1, FILE_SIZE);
  const char *first[] = { "-r", "0-999999", NULL };
  const char *rest[] = { "-C", "-", NULL };
  Download d = { 0 };

  /* The first million bytes, as a download cut off there would have left them. */
  device_get (dev, firmware_id, first, out, &d);
  g_assert_cmpuint (d.status, ==, 206);
  g_assert_true (has_header (&d, first_range));
  g_assert_true (has_header (&d, "content-length: 1000000"));
  download_clear (&d);
  /* curl -C - asks for the rest (Range: bytes=1000000-) and appends it. */
  device_get (dev, firmware_id, rest, out, &d);
  g_assert_cmpuint (d.status, ==, 206);
  g_assert_true (has_header (&d, rest_range));
  sum = fd_tf_sha256sum (out);
  g_assert_cmpstr (sum, ==, file_sum);
  download_clear (&d);
}

static void
test_ranges (void)
{
  g_autoptr (FdTdDevice) dev
      = target_device ("ranges", "cmp-ranges000000000000a", "running", "downloading");
  g_autofree char *out = g_build_filename (tmp, "range.bin", NULL);
  g_autofree char *past = g_strdup_printf ("%d-", FILE_SIZE);
  g_autofree char *suffix_range = g_strdup_printf ("content-range: bytes %d-%d/%d", FILE_SIZE - 100,
                                                   FILE_SIZE - 1, FILE_SIZE);
  g_autofree char *unsatisfied = g_strdup_printf ("content-range: bytes */%d", FILE_SIZE);
  g_autofree char *whole_length = g_strdup_printf ("content-length: %d", FILE_SIZE);
  g_autofree char *got = NULL, *want = NULL;
  const char *suffix[] = { "-r", "-100", NULL };
  const char *beyond[] = { "-r", past, NULL };
  const char *last_byte[] = { "-r", "10-10", NULL };
  const char *two[] = { "-r", "0-1,5-6", NULL };
  const char *head[] = { "-I", NULL };
  gsize got_len = 0, want_len = 0;
  Download d = { 0 };

  device_get (dev, firmware_id, suffix, out, &d);
  g_assert_cmpuint (d.status, ==, 206);
  g_assert_true (has_header (&d, suffix_range));
  g_assert_true (g_file_get_contents (out, &got, &got_len, NULL));
  g_assert_true (g_file_get_contents (file_path, &want, &want_len, NULL));
  g_assert_cmpuint (got_len, ==, 100);
  g_assert_cmpmem (got, got_len, want + want_len - 100, 100);
  download_clear (&d);
  g_clear_pointer (&got, g_free);

  device_get (dev, firmware_id, last_byte, out, &d);
  g_assert_cmpuint (d.status, ==, 206);
  g_assert_true (has_header (&d, "content-length: 1"));
  g_assert_true (g_file_get_contents (out, &got, &got_len, NULL));
  g_assert_cmpuint (got_len, ==, 1);
  g_assert_cmpint (got[0], ==, want[10]);
  download_clear (&d);

  device_get (dev, firmware_id, beyond, out, &d);
  g_assert_cmpuint (d.status, ==, 416);
  g_assert_true (has_header (&d, unsatisfied));
  download_clear (&d);

  /* Several ranges are not served piecemeal: the whole file comes. */
  device_get (dev, firmware_id, two, out, &d);
  g_assert_cmpuint (d.status, ==, 200);
  g_assert_true (has_header (&d, whole_length));
  download_clear (&d);

  device_get (dev, firmware_id, head, out, &d);
  g_assert_cmpuint (d.status, ==, 200);
  g_assert_true (has_header (&d, whole_length));
  g_assert_true (has_header (&d, "accept-ranges: bytes"));
  download_clear (&d);
}

/* The same through the campaigns API: a campaign made for one device lets it download, and
 * not another device of the workspace. */
static void
test_campaign_api (void)
{
  g_autoptr (FdTdDevice) dev = fd_td_cert_device (shared, "api-target");
  g_autoptr (FdTdDevice) other = fd_td_cert_device (shared, "api-bystander");
  g_autofree char *out = g_build_filename (tmp, "api.bin", NULL);
  g_autofree char *body
      = g_strdup_printf ("{\"name\": \"roll out\", \"firmware_id\": \"%s\", \"devices\": [\"%s\"]}",
                         firmware_id, dev->id);
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/campaigns", shared->workspace);
  g_autofree char *sum = NULL;
  g_autoptr (JsonNode) campaign = NULL;
  Download d = { 0 };

  campaign = fd_test_api_expect (shared->srv, "POST", path, body, 201);
  g_assert_cmpstr (fd_test_str (campaign, "state"), ==, "running");
  device_get (dev, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 200);
  sum = fd_tf_sha256sum (out);
  g_assert_cmpstr (sum, ==, file_sum);
  download_clear (&d);
  device_get (other, firmware_id, NULL, out, &d);
  g_assert_cmpuint (d.status, ==, 403);
  download_clear (&d);
}

/* Pieces on one keep-alive connection, as a device fetching 64 KiB at a time does. */
static void
test_keep_alive (void)
{
  g_autoptr (FdTdDevice) dev
      = target_device ("pieces", "cmp-pieces000000000000a", "running", "downloading");
  g_autofree char *path = g_strdup_printf ("/v1/firmware/%s", firmware_id);
  g_autofree char *url = fd_td_url (shared, path);
  g_autofree char *err = NULL, *want = NULL, *one = NULL, *two = NULL;
  g_autofree char *out1 = g_build_filename (tmp, "piece1", NULL);
  g_autofree char *out2 = g_build_filename (tmp, "piece2", NULL);
  const char *args[] = { "-v", "-r", "100-65635", "--cert", dev->cert, "--key", dev->key,
                         "-o", out1, url,         "-o",     out2,      url,     NULL };
  gsize want_len = 0, one_len = 0, two_len = 0;

  g_assert_cmpint (fd_td_curl (shared, args, NULL, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Re-using existing connection"));
  g_assert_true (g_file_get_contents (file_path, &want, &want_len, NULL));
  g_assert_true (g_file_get_contents (out1, &one, &one_len, NULL));
  g_assert_true (g_file_get_contents (out2, &two, &two_len, NULL));
  g_assert_cmpmem (one, one_len, want + 100, 65536);
  g_assert_cmpmem (two, two_len, want + 100, 65536);
}

static gint64
server_rss_kib (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", shared->srv->pid);
  g_autofree char *text = read_text (path);
  const char *line = strstr (text, "VmRSS:");

  g_assert_nonnull (line);
  return g_ascii_strtoll (line + 6, NULL, 10);
}

/* Sixty devices ask for the whole 3 MiB file and read only its head: every download is
 * stalled on a full socket. Were a file read whole for an answer, the server would hold
 * 180 MiB; a piece per download is a few megabytes for all of them. */
static void
test_memory_flat (void)
{
  g_autoptr (GPtrArray) conns = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_td_raw_free);
  g_autoptr (GPtrArray) devices
      = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_td_device_free);
  g_autofree char *request
      = g_strdup_printf ("GET /v1/firmware/%s HTTP/1.1\r\nHost: localhost\r\n\r\n", firmware_id);
  gint64 before, after;
  guint n = 60;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("slow-%u", i);
      g_autoptr (GError) error = NULL;
      FdTdDevice *dev = target_device (name, "cmp-slowreaders0000000a", "running", "notified");
      FdTdRaw *raw = fd_td_raw_open (shared, dev, &error);

      g_assert_no_error (error);
      g_ptr_array_add (devices, dev);
      g_ptr_array_add (conns, raw);
    }
  before = server_rss_kib ();
  for (guint i = 0; i < n; i++)
    {
      FdTdRaw *raw = g_ptr_array_index (conns, i);
      fd_td_raw_send (raw, request);
      /* Wait for the head: the server has started sending the file. */
      while (strstr (raw->in->str, "\r\n\r\n") == NULL)
        g_assert_true (fd_td_raw_fill (raw));
      g_assert_true (g_str_has_prefix (raw->in->str, "HTTP/1.1 200 "));
    }
  after = server_rss_kib ();
  g_test_message ("server RSS %" G_GINT64_FORMAT " KiB before, %" G_GINT64_FORMAT
                  " KiB with %u stalled downloads",
                  before, after, n);
  g_assert_cmpint (after - before, <, 32 * 1024);
}

int
main (int argc, char **argv)
{
  const char *args[] = { "--device-rate=0", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) fw = NULL;
  guint status = 0;
  int result;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/firmware-download/not-assigned", test_not_assigned);
  g_test_add_func ("/firmware-download/whole-file", test_whole_file);
  g_test_add_func ("/firmware-download/resume-with-range", test_resume);
  g_test_add_func ("/firmware-download/ranges-416-head", test_ranges);
  g_test_add_func ("/firmware-download/keep-alive-pieces", test_keep_alive);
  g_test_add_func ("/firmware-download/assigned-by-campaign-api", test_campaign_api);
  g_test_add_func ("/firmware-download/memory-flat", test_memory_flat);

  tmp = g_dir_make_tmp ("fd-test-firmware-download-XXXXXX", &error);
  g_assert_no_error (error);
  shared = fd_td_server_start (args);
  file_path = fd_tf_make_file (tmp, "firmware.bin", FILE_SIZE, 42, FALSE);
  file_sum = fd_tf_sha256sum (file_path);
  fw = fd_tf_upload_raw (shared->srv, shared->workspace, "version=5.0", file_path, &status);
  g_assert_cmpuint (status, ==, 201);
  firmware_id = g_strdup (fd_test_str (fw, "id"));

  result = g_test_run ();
  fd_td_server_stop (shared);
  {
    const char *rm[] = { "rm", "-rf", tmp, NULL };
    fd_test_run (rm, NULL, NULL);
  }
  g_free (tmp);
  g_free (file_path);
  g_free (file_sum);
  g_free (firmware_id);
  return result;
}
