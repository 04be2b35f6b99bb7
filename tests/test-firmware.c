/* test-firmware.c — firmware uploads of a real fleetdesk-server through the operator API: raw
 * and multipart bodies streamed to DATA/firmware, the size and hash stored against sha256sum,
 * the manifest's signature checked with GnuTLS against the workspace's public key (ECDSA P-256
 * and Ed25519), every refusal leaving nothing behind, deletes refused while a live campaign
 * uses the file, and the key in credentials and zdevice.json. */
#include "fd-test-firmware.h"

#include <string.h>
#include <sys/stat.h>

#define MAX_BYTES (1024 * 1024)

static FdTestServer *srv; /* --firmware-max-bytes=1 MiB */
static char *tmp;

static JsonNode *
get (const char *path, guint expected)
{
  return fd_test_api_expect (srv, "GET", path, NULL, expected);
}

static JsonNode *
signing_key (const char *ws)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/signing-key", ws);
  return get (path, 200);
}

/* The manifest's exact text, as docs/protocol.md defines it. */
static void
assert_manifest (JsonNode *fw)
{
  g_autoptr (JsonNode) m = json_from_string (fd_test_str (fw, "manifest"), NULL);
  JsonObject *fields = json_node_get_object (fw);
  g_autofree char *expected = g_strdup_printf (
      "{\"firmware_id\":\"%s\",\"workspace_id\":\"%s\",\"version\":\"%s\",\"target\":\"%s\","
      "\"size\":%" G_GINT64_FORMAT ",\"sha256\":\"%s\",\"created_at\":\"%s\"}",
      fd_test_str (fw, "id"), fd_test_str (fw, "workspace_id"), fd_test_str (fw, "version"),
      fd_test_str (fw, "target"), fd_test_int (fw, "size"), fd_test_str (fw, "sha256"),
      json_object_get_string_member (fields, "created_at"));

  g_assert_nonnull (m);
  g_assert_cmpstr (fd_test_str (fw, "manifest"), ==, expected);
}

static void
assert_stored (JsonNode *fw, const char *path)
{
  g_autofree char *sum = fd_tf_sha256sum (path);
  g_autofree char *name = g_strconcat (fd_test_str (fw, "id"), ".bin", NULL);
  g_autofree char *stored = g_build_filename (srv->data_dir, "firmware", name, NULL);
  g_autofree char *stored_sum = NULL;
  g_autoptr (JsonNode) key = signing_key (fd_test_str (fw, "workspace_id"));
  struct stat st;

  g_assert_cmpstr (fd_test_str (fw, "sha256"), ==, sum);
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (fd_test_int (fw, "size"), ==, st.st_size);
  stored_sum = fd_tf_sha256sum (stored);
  g_assert_cmpstr (stored_sum, ==, sum);
  g_assert_cmpuint (fd_tf_file_mode (stored), ==, 0640);
  assert_manifest (fw);
  g_assert_cmpstr (fd_test_str (fw, "algorithm"), ==, fd_test_str (key, "algorithm"));
  g_assert_true (fd_tf_verify (fd_test_str (key, "public_key"), fd_test_str (fw, "algorithm"),
                               fd_test_str (fw, "manifest"), fd_test_str (fw, "signature")));
  /* A manifest changed by one byte does not verify: the check can fail. */
  {
    g_autofree char *forged = g_strdup (fd_test_str (fw, "manifest"));
    forged[strlen (forged) - 3] ^= 1;
    g_assert_false (fd_tf_verify (fd_test_str (key, "public_key"), fd_test_str (fw, "algorithm"),
                                  forged, fd_test_str (fw, "signature")));
  }
}

static void
test_upload_raw (void)
{
  g_autofree char *ws = fd_test_make_workspace (srv, "raw");
  g_autofree char *file = fd_tf_make_file (tmp, "raw.bin", 300 * 1024 + 7, 1, FALSE);
  g_autofree char *sum = fd_tf_sha256sum (file);
  g_autofree char *query
      = g_strdup_printf ("version=1.0.0&description=first%%20build&sha256=%s", sum);
  g_autofree char *key_path = NULL, *path = NULL, *list_path = NULL, *file_path = NULL;
  g_autofree char *downloaded = g_build_filename (tmp, "raw.down", NULL);
  g_autofree char *down_sum = NULL;
  g_autoptr (JsonNode) fw = NULL, again = NULL, list = NULL;
  guint status = 0;

  fw = fd_tf_upload_raw (srv, ws, query, file, &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpstr (fd_test_str (fw, "version"), ==, "1.0.0");
  g_assert_cmpstr (fd_test_str (fw, "target"), ==, "");
  g_assert_cmpstr (fd_test_str (fw, "description"), ==, "first build");
  g_assert_cmpstr (fd_test_str (fw, "algorithm"), ==, "ecdsa-p256");
  g_assert_true (g_str_has_prefix (fd_test_str (fw, "id"), "fw-"));
  g_assert_false (json_object_get_boolean_member (json_node_get_object (fw), "in_use"));
  assert_stored (fw, file);

  /* The private key: 0600, PEM, in DATA/firmware/keys. */
  key_path = g_strdup_printf ("%s/firmware/keys/%s.pem", srv->data_dir, ws);
  g_assert_cmpuint (fd_tf_file_mode (key_path), ==, 0600);

  path = g_strdup_printf ("/api/v1/firmware/%s", fd_test_str (fw, "id"));
  again = get (path, 200);
  g_assert_cmpstr (fd_test_str (again, "sha256"), ==, sum);
  g_assert_cmpstr (fd_test_str (again, "signature"), ==, fd_test_str (fw, "signature"));
  list_path = g_strdup_printf ("/api/v1/workspaces/%s/firmware", ws);
  list = get (list_path, 200);
  g_assert_cmpint (fd_test_int (list, "total"), ==, 1);

  /* GET …/file gives the bytes back. */
  file_path = g_strdup_printf ("%s%s/file", srv->url, path);
  {
    g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", srv->token);
    const char *argv[] = { "curl", "-sSf", "-H", auth, "-o", downloaded, file_path, NULL };
    g_assert_cmpint (fd_test_run (argv, NULL, NULL), ==, 0);
  }
  down_sum = fd_tf_sha256sum (downloaded);
  g_assert_cmpstr (down_sum, ==, sum);
}

static void
test_upload_multipart (void)
{
  g_autofree char *ws = fd_test_make_workspace (srv, "multipart");
  g_autofree char *file = fd_tf_make_file (tmp, "form.bin", 512 * 1024 + 3, 2, TRUE);
  g_autofree char *file_arg = g_strdup_printf ("file=@%s", file);
  const char *form[] = { "version=2.0", "target=esp32", "description=with a form", file_arg, NULL };
  g_autoptr (JsonNode) fw = NULL;
  guint status = 0;

  fw = fd_tf_upload_form (srv, ws, NULL, form, &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpstr (fd_test_str (fw, "version"), ==, "2.0");
  g_assert_cmpstr (fd_test_str (fw, "target"), ==, "esp32");
  g_assert_cmpstr (fd_test_str (fw, "description"), ==, "with a form");
  assert_stored (fw, file);
}

/* A 201 carries a Location naming the new firmware, as every create does (docs/rest-api.md). */
static void
test_upload_location (void)
{
  g_autofree char *ws = fd_test_make_workspace (srv, "location");
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/firmware?version=1.0", ws);
  g_autofree char *want = NULL;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autoptr (JsonNode) fw = NULL;
  const char *location;
  guint status = 0;

  fw = fd_test_api_full (srv, "POST", path, "application/octet-stream", "firmware", 8, srv->token,
                         &status, &headers);
  g_assert_cmpuint (status, ==, 201);
  want = g_strdup_printf ("/api/v1/firmware/%s", fd_test_str (fw, "id"));
  location = soup_message_headers_get_one (headers, "Location");
  g_assert_cmpstr (location, ==, want);
}

static void
test_ed25519 (void)
{
  g_autofree char *ws = fd_test_make_workspace (srv, "ed25519");
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/signing-key", ws);
  g_autofree char *file = fd_tf_make_file (tmp, "ed.bin", 4096, 3, FALSE);
  g_autoptr (JsonNode) key = NULL, fw = NULL, refused = NULL, same = NULL;
  gsize sig_len = 0;
  g_autofree guchar *sig = NULL;
  guint status = 0;

  key = fd_test_api_expect (srv, "PUT", path, "{\"algorithm\": \"ed25519\"}", 200);
  g_assert_cmpstr (fd_test_str (key, "algorithm"), ==, "ed25519");
  g_assert_true (g_str_has_prefix (fd_test_str (key, "public_key"), "-----BEGIN PUBLIC KEY-----"));
  fw = fd_tf_upload_raw (srv, ws, "version=1", file, &status);
  g_assert_cmpuint (status, ==, 201);
  g_assert_cmpstr (fd_test_str (fw, "algorithm"), ==, "ed25519");
  sig = g_base64_decode (fd_test_str (fw, "signature"), &sig_len);
  g_assert_cmpuint (sig_len, ==, 64);
  assert_stored (fw, file);

  /* The key signed a file: it stays. The same algorithm again is no change. */
  refused = fd_test_api_expect (srv, "PUT", path, "{\"algorithm\": \"ecdsa-p256\"}", 409);
  g_assert_cmpstr (fd_test_error_code (refused), ==, "conflict");
  same = fd_test_api_expect (srv, "PUT", path, "{\"algorithm\": \"ed25519\"}", 200);
  g_assert_cmpstr (fd_test_str (same, "public_key"), ==, fd_test_str (key, "public_key"));
  g_clear_pointer (&refused, json_node_unref);
  refused = fd_test_api_expect (srv, "PUT", path, "{\"algorithm\": \"rsa\"}", 400);
  g_assert_cmpstr (
      fd_test_str (json_object_get_member (json_node_get_object (refused), "error"), "field"), ==,
      "algorithm");
}

static void
assert_refused (JsonNode *answer, guint status, guint expected, const char *code, const char *field)
{
  JsonNode *error = json_object_get_member (json_node_get_object (answer), "error");

  g_assert_cmpuint (status, ==, expected);
  g_assert_nonnull (error);
  g_assert_cmpstr (fd_test_str (error, "code"), ==, code);
  if (field != NULL)
    g_assert_cmpstr (fd_test_str (error, "field"), ==, field);
}

static void
test_refusals (void)
{
  g_autofree char *ws = fd_test_make_workspace (srv, "refusals");
  g_autofree char *small = fd_tf_make_file (tmp, "small.bin", 2000, 4, FALSE);
  g_autofree char *big = fd_tf_make_file (tmp, "big.bin", MAX_BYTES + 1, 5, FALSE);
  g_autofree char *edge = fd_tf_make_file (tmp, "edge.bin", MAX_BYTES, 6, FALSE);
  g_autofree char *before = NULL, *after = NULL, *long_version = NULL;
  g_autofree char *small_arg = g_strdup_printf ("file=@%s", small);
  g_autofree char *big_arg = g_strdup_printf ("file=@%s", big);
  const char *no_file[] = { "version=1", NULL };
  const char *big_form[] = { "version=9", big_arg, NULL };
  const char *no_version[] = { small_arg, NULL };
  guint status;

#define REFUSED(call, st, code, field)                                                             \
  do                                                                                               \
    {                                                                                              \
      g_autoptr (JsonNode) answer = (call);                                                        \
      assert_refused (answer, status, st, code, field);                                            \
    }                                                                                              \
  while (0)

  {
    g_autoptr (JsonNode) fw = fd_tf_upload_raw (srv, ws, "version=1", small, &status);
    g_assert_cmpuint (status, ==, 201);
  }
  before = fd_tf_firmware_dir (srv);

  REFUSED (fd_tf_upload_raw (srv, ws, "version=2", NULL, &status), 400, "invalid_field", "file");
  REFUSED (fd_tf_upload_raw (srv, ws, "version=2", big, &status), 413, "too_large", NULL);
  REFUSED (fd_tf_upload_form (srv, ws, NULL, big_form, &status), 413, "too_large", NULL);
  /* A form too long to be read at all is refused from its Content-Length; the message names the
   * limit the person set (--firmware-max-bytes), not the form's allowance above it. */
  {
    g_autofree char *huge = fd_tf_make_file (tmp, "huge.bin", MAX_BYTES + 65 * 1024, 7, FALSE);
    g_autofree char *huge_arg = g_strdup_printf ("file=@%s", huge);
    const char *huge_form[] = { "version=9", huge_arg, NULL };
    g_autoptr (JsonNode) answer = fd_tf_upload_form (srv, ws, NULL, huge_form, &status);
    JsonObject *e = json_object_get_object_member (json_node_get_object (answer), "error");

    g_assert_cmpuint (status, ==, 413);
    g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, "too_large");
    g_assert_cmpstr (json_object_get_string_member (e, "message"), ==,
                     "the request body is over the limit of 1048576 bytes");
  }
  REFUSED (fd_tf_upload_raw (srv, ws,
                             "version=2&sha256="
                             "00000000000000000000000000000000000000000000000000000000000000ff",
                             small, &status),
           400, "invalid_field", "sha256");
  REFUSED (fd_tf_upload_raw (srv, ws, "version=2&sha256=abc", small, &status), 400, "invalid_field",
           "sha256");
  REFUSED (fd_tf_upload_raw (srv, ws, NULL, small, &status), 400, "invalid_field", "version");
  REFUSED (fd_tf_upload_form (srv, ws, NULL, no_version, &status), 400, "invalid_field", "version");
  REFUSED (fd_tf_upload_raw (srv, ws, "version=a%01b", small, &status), 400, "invalid_field",
           "version");
  long_version = g_strnfill (65, 'v');
  {
    g_autofree char *query = g_strdup_printf ("version=%s", long_version);
    REFUSED (fd_tf_upload_raw (srv, ws, query, small, &status), 400, "invalid_field", "version");
  }
  REFUSED (fd_tf_upload_form (srv, ws, NULL, no_file, &status), 400, "invalid_field", "file");
  REFUSED (fd_tf_upload_raw (srv, ws, "version=1", small, &status), 409, "conflict", NULL);
  REFUSED (fd_tf_upload_raw (srv, ws, "version=2&colour=red", small, &status), 400,
           "invalid_parameter", NULL);
  REFUSED (fd_tf_upload_raw (srv, "wks-aaaaaaaaaaaaaaaaaaaa", "version=2", small, &status), 404,
           "not_found", NULL);

  /* Nothing of the refused uploads is left, not even a .part file. */
  after = fd_tf_firmware_dir (srv);
  g_assert_cmpstr (after, ==, before);

  /* Exactly the limit is taken. */
  {
    g_autoptr (JsonNode) fw = fd_tf_upload_raw (srv, ws, "version=edge", edge, &status);
    g_assert_cmpuint (status, ==, 201);
    g_assert_cmpint (fd_test_int (fw, "size"), ==, MAX_BYTES);
  }
#undef REFUSED
}

static void
test_delete (void)
{
  g_autofree char *ws = fd_test_make_workspace (srv, "delete");
  g_autofree char *file = fd_tf_make_file (tmp, "del.bin", 10000, 7, FALSE);
  g_autoptr (JsonNode) fw = NULL, refused = NULL, audit = NULL, shown = NULL;
  g_autofree char *path = NULL, *stored = NULL, *message = NULL;
  const char *id;
  guint status = 0;

  fw = fd_tf_upload_raw (srv, ws, "version=3.1", file, &status);
  g_assert_cmpuint (status, ==, 201);
  id = fd_test_str (fw, "id");
  path = g_strdup_printf ("/api/v1/firmware/%s", id);
  stored = g_strdup_printf ("%s/firmware/%s.bin", srv->data_dir, id);

  fd_tf_campaign (srv, "cmp-aaaaaaaaaaaaaaaaaaaa", ws, id, "running");
  refused = fd_test_api_expect (srv, "DELETE", path, NULL, 409);
  message
      = g_strdup_printf ("firmware %s is used by campaign cmp-aaaaaaaaaaaaaaaaaaaa (running)", id);
  g_assert_cmpstr (
      fd_test_str (json_object_get_member (json_node_get_object (refused), "error"), "message"), ==,
      message);
  shown = get (path, 200);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (shown), "in_use"));
  g_assert_true (g_file_test (stored, G_FILE_TEST_EXISTS));

  fd_tf_campaign (srv, "cmp-aaaaaaaaaaaaaaaaaaaa", ws, id, "paused");
  g_clear_pointer (&refused, json_node_unref);
  refused = fd_test_api_expect (srv, "DELETE", path, NULL, 409);

  fd_tf_campaign (srv, "cmp-aaaaaaaaaaaaaaaaaaaa", ws, id, "completed");
  g_clear_pointer (&refused, json_node_unref);
  refused = fd_test_api_expect (srv, "DELETE", path, NULL, 204);
  g_assert_false (g_file_test (stored, G_FILE_TEST_EXISTS));
  g_clear_pointer (&shown, json_node_unref);
  shown = get (path, 404);

  audit = get ("/api/v1/audit?action=firmware.delete", 200);
  g_assert_cmpint (fd_test_int (audit, "total"), >=, 1);
  g_clear_pointer (&audit, json_node_unref);
  audit = get ("/api/v1/audit?action=firmware.upload", 200);
  g_assert_cmpint (fd_test_int (audit, "total"), >=, 1);
}

static void
test_workspace_delete (void)
{
  g_autofree char *ws = fd_test_make_workspace (srv, "gone");
  g_autofree char *file = fd_tf_make_file (tmp, "gone.bin", 5000, 8, FALSE);
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s", ws);
  g_autofree char *key = g_strdup_printf ("%s/firmware/keys/%s.pem", srv->data_dir, ws);
  g_autofree char *stored = NULL;
  g_autoptr (JsonNode) fw = NULL, gone = NULL;
  guint status = 0;

  fw = fd_tf_upload_raw (srv, ws, "version=1", file, &status);
  g_assert_cmpuint (status, ==, 201);
  stored = g_strdup_printf ("%s/firmware/%s.bin", srv->data_dir, fd_test_str (fw, "id"));
  g_assert_true (g_file_test (stored, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (key, G_FILE_TEST_EXISTS));
  gone = fd_test_api_expect (srv, "DELETE", path, NULL, 204);
  g_assert_false (g_file_test (stored, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (key, G_FILE_TEST_EXISTS));
}

static void
test_credential_key (void)
{
  g_autofree char *ws = fd_test_make_workspace (srv, "credentials");
  g_autofree char *dev = fd_test_make_device (srv, ws, "sensor");
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/credentials", dev);
  g_autoptr (JsonNode) cred = NULL, key = NULL, again = NULL, zdevice = NULL;
  g_autofree char *one = NULL, *zpath = NULL;
  JsonNode *fk;

  cred = fd_test_api_expect (srv, "POST", path, "{\"kind\": \"generated\"}", 201);
  key = signing_key (ws);
  fk = json_object_get_member (json_node_get_object (cred), "firmware_key");
  g_assert_cmpstr (fd_test_str (fk, "algorithm"), ==, "ecdsa-p256");
  g_assert_cmpstr (fd_test_str (fk, "public_key"), ==, fd_test_str (key, "public_key"));
  fk = json_object_get_member (
      json_node_get_object (json_object_get_member (json_node_get_object (cred), "zdevice")),
      "firmware_key");
  g_assert_cmpstr (fd_test_str (fk, "public_key"), ==, fd_test_str (key, "public_key"));

  one = g_strdup_printf ("%s/%s", path, fd_test_str (cred, "id"));
  again = get (one, 200);
  fk = json_object_get_member (json_node_get_object (again), "firmware_key");
  g_assert_cmpstr (fd_test_str (fk, "public_key"), ==, fd_test_str (key, "public_key"));
  zpath = g_strdup_printf ("%s/zdevice.json", one);
  zdevice = get (zpath, 200);
  fk = json_object_get_member (json_node_get_object (zdevice), "firmware_key");
  g_assert_cmpstr (fd_test_str (fk, "algorithm"), ==, "ecdsa-p256");
  g_assert_cmpstr (fd_test_str (fk, "public_key"), ==, fd_test_str (key, "public_key"));
}

int
main (int argc, char **argv)
{
  g_autofree char *limit = g_strdup_printf ("--firmware-max-bytes=%d", MAX_BYTES);
  const char *args[] = { limit, NULL };
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/firmware/upload-raw", test_upload_raw);
  g_test_add_func ("/firmware/upload-multipart", test_upload_multipart);
  g_test_add_func ("/firmware/upload-location", test_upload_location);
  g_test_add_func ("/firmware/ed25519", test_ed25519);
  g_test_add_func ("/firmware/refusals-leave-nothing", test_refusals);
  g_test_add_func ("/firmware/delete-refused-while-in-use", test_delete);
  g_test_add_func ("/firmware/workspace-delete-removes-files", test_workspace_delete);
  g_test_add_func ("/firmware/credential-firmware-key", test_credential_key);

  tmp = g_dir_make_tmp ("fd-test-firmware-XXXXXX", &error);
  g_assert_no_error (error);
  srv = fd_test_server_start_with_args (args);
  status = g_test_run ();
  fd_test_server_stop (srv);
  {
    const char *rm[] = { "rm", "-rf", tmp, NULL };
    fd_test_run (rm, NULL, NULL);
  }
  g_free (tmp);
  return status;
}
