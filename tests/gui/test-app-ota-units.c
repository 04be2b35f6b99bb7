/* test-app-ota-units.c — the parts of the app's Firmware & OTA pane that need no display: the
 * version guessed from a firmware file's name, the wizard's reading of stages, and the
 * streamed upload against libsoup's own server on loopback (the bytes arrive whole with the
 * token and an exact length, progress reaches the file's size, an API error comes back as
 * the API's message, a cancel stops it). */
#include "config.h"

#include <libsoup/soup.h>

#include "fd-api-upload.h"
#include "fd-campaign-wizard.h"
#include "fd-firmware-page.h"
#include "fd-json.h"

static void
test_guess_version (void)
{
  static const char *const cases[][2] = {
    { "valve-fw-1.2.0.bin", "1.2.0" }, { "v2.0.0-rc1.img", "v2.0.0-rc1" },
    { "sensor_3.14.bin", "3.14" },     { "fw-10.4.7-beta.2.hex", "10.4.7-beta.2" },
    { "firmware.bin", NULL },          { "build42.bin", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *version = fd_firmware_guess_version (cases[i][0]);
      g_assert_cmpstr (version, ==, cases[i][1]);
    }
}

static void
test_stages (void)
{
  static const char *const good[][2] = {
    { "5%, 25%, 100%", "[{\"percent\":5},{\"percent\":25},{\"percent\":100}]" },
    { "5% → 25% → 100%", "[{\"percent\":5},{\"percent\":25},{\"percent\":100}]" },
    { "100%", "[{\"percent\":100}]" },
    { "10, 50%, 100 %", "[{\"count\":10},{\"percent\":50},{\"percent\":100}]" },
  };
  static const char *const bad[][2] = {
    { "", "Give at least one stage, such as “100%”" },
    { "50%, 40%, 100%", "Stages count the devices reached so far: they cannot go down" },
    { "5%, 25%", "The last stage is “100%”, so that every device is reached" },
    { "5%, lots, 100%", "“lots” is not a share (“25%”) or a number of devices" },
    { "0%, 100%", "A share is between 1% and 100%" },
    { "150%", "A share is between 1% and 100%" },
    { "1,2,3,4,5,6,7,8,9,10,100%", "At most 10 stages" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonArray) stages = fd_campaign_parse_stages (good[i][0], &error);
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *text = NULL;

      g_assert_no_error (error);
      json_node_set_array (node, stages);
      text = json_to_string (node, FALSE);
      g_assert_cmpstr (text, ==, good[i][1]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonArray) stages = fd_campaign_parse_stages (bad[i][0], &error);

      g_assert_null (stages);
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, bad[i][1]);
    }
  g_assert_cmpstr (fd_campaign_preset_stages (0), ==, "5%, 25%, 100%");
  g_assert_cmpstr (fd_campaign_preset_stages (1), ==, "100%");
  g_assert_null (fd_campaign_preset_stages (2));
}

/* The upload */

typedef struct
{
  SoupServer *server;
  char *base_url;
  guint status;        /* what the server answers */
  GChecksum *received; /* SHA-256 of the last body */
  goffset received_length;
  char *content_length;
  char *authorization;
  char *query_version;

  goffset last_sent;
  goffset total;
  guint progress_calls;
  GCancellable *cancel_after_first; /* cancelled on the first progress past 0 */
  JsonNode *answer;
  JsonObject *details;
  GError *error;
  gboolean done;
} Fixture;

static void
firmware_cb (SoupServer *server, SoupServerMessage *message, const char *path, GHashTable *query,
             gpointer data)
{
  Fixture *fixture = data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize length = 0;
  const guchar *raw = g_bytes_get_data (bytes, &length);

  g_checksum_reset (fixture->received);
  g_checksum_update (fixture->received, raw, length);
  fixture->received_length = length;
  g_free (fixture->content_length);
  fixture->content_length = g_strdup (soup_message_headers_get_one (headers, "Content-Length"));
  g_free (fixture->authorization);
  fixture->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  g_free (fixture->query_version);
  fixture->query_version = g_strdup (query != NULL ? g_hash_table_lookup (query, "version") : NULL);

  if (fixture->status == 201)
    {
      g_autofree char *answer = g_strdup_printf (
          "{\"id\": \"fw-1\", \"version\": \"%s\", \"size\": %" G_GSIZE_FORMAT "}",
          fixture->query_version, length);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, answer,
                                        strlen (answer));
    }
  else
    {
      const char *answer = "{\"error\": {\"code\": \"conflict\", \"message\": \"firmware 1.2.0 "
                           "(any target) exists already\", \"field\": \"version\"}}";
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC, answer,
                                        strlen (answer));
    }
  soup_server_message_set_status (message, fixture->status, NULL);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, "/api/v1/workspaces/wks-1/firmware", firmware_cb,
                           fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
  fixture->received = g_checksum_new (G_CHECKSUM_SHA256);
  fixture->status = 201;
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->cancel_after_first);
  g_clear_pointer (&fixture->received, g_checksum_free);
  g_clear_pointer (&fixture->answer, json_node_unref);
  g_clear_pointer (&fixture->details, json_object_unref);
  g_clear_error (&fixture->error);
  g_free (fixture->base_url);
  g_free (fixture->content_length);
  g_free (fixture->authorization);
  g_free (fixture->query_version);
}

static void
progress_cb (goffset sent, goffset total, gpointer data)
{
  Fixture *fixture = data;

  g_assert_cmpint (sent, >=, fixture->last_sent);
  g_assert_cmpint (sent, <=, total);
  fixture->last_sent = sent;
  fixture->total = total;
  fixture->progress_calls++;
  if (sent > 0 && fixture->cancel_after_first != NULL)
    g_cancellable_cancel (fixture->cancel_after_first);
}

static void
uploaded_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *fixture = data;

  fixture->answer = fd_api_client_upload_finish (FD_API_CLIENT (source), result, &fixture->details,
                                                 &fixture->error);
  fixture->done = TRUE;
}

/* A file of @size pseudo-random bytes; its SHA-256 in @sha256. */
static GFile *
make_file (gsize size, char **sha256)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree guchar *bytes = g_malloc (size);
  int fd = g_file_open_tmp ("fd-upload-XXXXXX.bin", &path, &error);

  g_assert_no_error (error);
  close (fd);
  for (gsize i = 0; i < size; i++)
    bytes[i] = (guchar)(i * 7 + i / 251);
  g_assert_true (g_file_set_contents (path, (const char *)bytes, size, NULL));
  *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, size);
  return g_file_new_for_path (path);
}

static void
run_upload (Fixture *fixture, GFile *file, GCancellable *cancellable)
{
  g_autoptr (FdApiClient) client = fd_api_client_new (fixture->base_url, "secret-token");

  fd_api_client_upload_async (client, "/workspaces/wks-1/firmware?version=1.2.0", file, progress_cb,
                              fixture, cancellable, uploaded_cb, fixture);
  while (!fixture->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_upload (Fixture *fixture, gconstpointer data)
{
  const gsize size = 3 * 1024 * 1024 + 17;
  g_autofree char *sha256 = NULL;
  g_autoptr (GFile) file = make_file (size, &sha256);
  g_autofree char *length = g_strdup_printf ("%" G_GSIZE_FORMAT, size);

  run_upload (fixture, file, NULL);
  g_assert_no_error (fixture->error);
  g_assert_cmpstr (fd_json_get_string (json_node_get_object (fixture->answer), "id"), ==, "fw-1");
  g_assert_cmpstr (g_checksum_get_string (fixture->received), ==, sha256);
  g_assert_cmpint (fixture->received_length, ==, size);
  g_assert_cmpstr (fixture->content_length, ==, length);
  g_assert_cmpstr (fixture->authorization, ==, "Bearer secret-token");
  g_assert_cmpstr (fixture->query_version, ==, "1.2.0");
  /* Several steps, ending at the whole file. */
  g_assert_cmpint (fixture->total, ==, size);
  g_assert_cmpint (fixture->last_sent, ==, size);
  g_assert_cmpuint (fixture->progress_calls, >, 2);
  g_file_delete (file, NULL, NULL);
}

static void
test_upload_error (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sha256 = NULL;
  g_autoptr (GFile) file = make_file (1000, &sha256);

  fixture->status = 409;
  run_upload (fixture, file, NULL);
  g_assert_error (fixture->error, FD_API_ERROR, FD_API_ERROR_CONFLICT);
  g_assert_cmpstr (fixture->error->message, ==, "firmware 1.2.0 (any target) exists already");
  g_assert_cmpstr (fd_json_get_string (fixture->details, "field"), ==, "version");
  g_assert_null (fixture->answer);
  g_file_delete (file, NULL, NULL);
}

static void
test_upload_cancel (Fixture *fixture, gconstpointer data)
{
  g_autofree char *sha256 = NULL;
  g_autoptr (GFile) file = make_file (32 * 1024 * 1024, &sha256);

  fixture->cancel_after_first = g_cancellable_new ();
  run_upload (fixture, file, fixture->cancel_after_first);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (fixture->last_sent, <, 32 * 1024 * 1024);
  g_file_delete (file, NULL, NULL);
}

static void
test_upload_missing (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GFile) file = g_file_new_for_path ("/nonexistent/firmware.bin");

  run_upload (fixture, file, NULL);
  g_assert_error (fixture->error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpuint (fixture->progress_calls, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app-ota/guess-version", test_guess_version);
  g_test_add_func ("/app-ota/stages", test_stages);
  g_test_add ("/app-ota/upload", Fixture, NULL, fixture_set_up, test_upload, fixture_tear_down);
  g_test_add ("/app-ota/upload-error", Fixture, NULL, fixture_set_up, test_upload_error,
              fixture_tear_down);
  g_test_add ("/app-ota/upload-cancel", Fixture, NULL, fixture_set_up, test_upload_cancel,
              fixture_tear_down);
  g_test_add ("/app-ota/upload-missing", Fixture, NULL, fixture_set_up, test_upload_missing,
              fixture_tear_down);
  return g_test_run ();
}
