/* test-cli-credentials.c — fleetdesk-cli end to end, device credentials: the real binary
 * ($FD_CLI_BIN) against a real fleetdesk-server gives devices credentials of every kind (CSRs
 * and self-signed certificates made by certtool), lists and revokes them, and writes
 * zdevice.json files (mode 0600, the layout of docs/protocol.md, never over a file unless
 * --force). Each test asserts what a person sees (stdout, stderr, exit status) and what the
 * server then holds.
 */
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "fd-test-cli-provision.h"

static void
test_generated (void)
{
  g_autofree char *device_id = fd_tcp_make_device ("gen-1", NULL);
  g_autofree char *file = fd_tcp_work_path ("gen.zdevice.json");
  g_autofree char *key_file = fd_tcp_work_path ("gen.key");
  g_autofree char *cert_file = fd_tcp_work_path ("gen.crt");
  g_autoptr (FdTestCliResult) created = fd_test_cli_run (
      "device", "credentials", "create", device_id, "--kind", "generated", "-o", file, NULL);
  g_autofree char *id = fd_test_cli_kv_value (created->out, "id");
  g_autofree char *fingerprint = fd_test_cli_kv_value (created->out, "fingerprint");
  g_autofree char *printed_key = NULL, *wrote = NULL, *clicert_fingerprint = NULL;
  g_autofree char *prvkey = NULL;
  g_autofree char *key_public = NULL, *cert_public = NULL;
  g_autoptr (JsonNode) zdevice = NULL, api = NULL;

  fd_test_cli_assert_ok (created);
  fd_t_assert_id (id, "crd");
  fd_test_cli_assert_kv (created->out, "kind", "generated");
  fd_test_cli_assert_kv (created->out, "device_id", device_id);
  g_assert_null (strstr (created->out, "\nzdevice:"));
  /* The private key is printed once, whole, with a warning that it will not be again. */
  printed_key = fd_tcp_printed_pem (created->out, "private_key", "PRIVATE KEY");
  g_assert_nonnull (strstr (created->err, "shown only this once"));
  wrote
      = g_strdup_printf ("Wrote zdevice.json for %s (credential %s) to %s\n", device_id, id, file);
  g_assert_true (g_str_has_suffix (created->out, wrote));

  zdevice = fd_tcp_read_private_json (file);
  fd_tcp_assert_zdevice (zdevice, device_id, "certificate");
  prvkey = g_strdup (fd_t_str (zdevice, "prvkey"));
  g_assert_cmpstr (g_strstrip (printed_key), ==, g_strstrip (prvkey));
  clicert_fingerprint = fd_tcp_fingerprint_of (fd_t_str (zdevice, "clicert"));
  g_assert_cmpstr (clicert_fingerprint, ==, fingerprint);
  /* The key and the certificate in the file belong together. */
  fd_tcp_write_text (key_file, fd_t_str (zdevice, "prvkey"));
  fd_tcp_write_text (cert_file, fd_t_str (zdevice, "clicert"));
  key_public = fd_tcp_public_key_of ("--load-privkey", key_file);
  cert_public = fd_tcp_public_key_of ("--load-certificate", cert_file);
  g_assert_cmpstr (key_public, ==, cert_public);
  fd_tcp_assert_zdevice_like_server (zdevice, device_id, id);

  api = fd_tcp_api_credential (device_id, id);
  g_assert_cmpstr (fd_t_str (api, "kind"), ==, "generated");
  g_assert_cmpstr (fd_t_str (api, "fingerprint"), ==, fingerprint);
}

static void
test_csr (void)
{
  g_autofree char *device_id = fd_tcp_make_device ("csr-1", NULL);
  g_autofree char *key = fd_tcp_make_key ();
  g_autofree char *csr = fd_tcp_make_csr (key, "asked-for-another-name");
  g_autofree char *csr_text = fd_tcp_read_text (csr);
  g_autofree char *file = fd_tcp_work_path ("csr.zdevice.json");
  g_autofree char *cert_file = fd_tcp_work_path ("csr.crt");
  g_autoptr (FdTestCliResult) created
      = fd_test_cli_run ("device", "credentials", "create", device_id, "--kind", "csr", "--csr",
                         csr, "-o", file, NULL);
  g_autofree char *id = fd_test_cli_kv_value (created->out, "id");
  g_autofree char *subject = fd_test_cli_kv_value (created->out, "subject");
  g_autofree char *key_public = fd_tcp_public_key_of ("--load-privkey", key);
  g_autofree char *cert_public = NULL;
  g_autoptr (JsonNode) zdevice = NULL;

  /* certtool put its description before the PEM block; the CLI sent the block. */
  g_assert_false (g_str_has_prefix (csr_text, "-----BEGIN"));
  fd_test_cli_assert_ok (created);
  fd_test_cli_assert_kv (created->out, "kind", "csr");
  g_assert_nonnull (strstr (subject, device_id));
  /* No secret: the key never left the device. */
  g_assert_null (strstr (created->out, "private_key"));
  g_assert_cmpstr (created->err, ==, "");

  zdevice = fd_tcp_read_private_json (file);
  fd_tcp_assert_zdevice (zdevice, device_id, "certificate");
  g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), ==, "");
  fd_tcp_write_text (cert_file, fd_t_str (zdevice, "clicert"));
  cert_public = fd_tcp_public_key_of ("--load-certificate", cert_file);
  g_assert_cmpstr (cert_public, ==, key_public);
  fd_tcp_assert_zdevice_like_server (zdevice, device_id, id);
}

static void
test_certificate (void)
{
  g_autofree char *device_id = fd_tcp_make_device ("own-1", NULL);
  g_autofree char *other_id = fd_tcp_make_device ("own-2", NULL);
  g_autofree char *key = fd_tcp_make_key ();
  g_autofree char *cert = fd_tcp_make_self_signed (key);
  g_autofree char *cert_text = fd_tcp_read_text (cert);
  g_autofree char *expected = fd_tcp_fingerprint_of (cert_text);
  g_autofree char *short_fingerprint = g_strdup_printf ("%.16s…", expected);
  g_autoptr (FdTestCliResult) created
      = fd_test_cli_run ("device", "credentials", "create", device_id, "--kind", "certificate",
                         "--certificate", cert, NULL);
  g_autoptr (FdTestCliResult) list = NULL, again = NULL;

  fd_test_cli_assert_ok (created);
  fd_test_cli_assert_kv (created->out, "kind", "certificate");
  fd_test_cli_assert_kv (created->out, "fingerprint", expected);
  g_assert_cmpstr (created->err, ==, "");

  list = fd_test_cli_run ("device", "credentials", "list", device_id, NULL);
  fd_test_cli_assert_ok (list);
  fd_test_cli_assert_in_column (list->out, "FINGERPRINT/KEY", short_fingerprint);
  fd_test_cli_assert_in_column (list->out, "KIND", "certificate");

  /* A certificate bound to a live credential cannot be bound again, to any device. */
  again = fd_test_cli_run ("device", "credentials", "create", other_id, "--kind", "certificate",
                           "--certificate", cert, NULL);
  fd_test_cli_assert_fails (again, "(conflict)");
}

/* Now plus @days, as RFC 3339 without and with milliseconds. */
static void
future_time (int days, char **input, char **stored)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) then = g_date_time_add_days (now, days);

  *input = g_date_time_format (then, "%Y-%m-%dT%H:%M:%SZ");
  *stored = g_date_time_format (then, "%Y-%m-%dT%H:%M:%S.000Z");
}

static void
test_key (void)
{
  g_autofree char *device_id = fd_tcp_make_device ("key-1", NULL);
  g_autofree char *file = fd_tcp_work_path ("key.zdevice.json");
  g_autofree char *expires = NULL, *expires_stored = NULL;
  g_autoptr (FdTestCliResult) created = NULL;
  g_autofree char *id = NULL, *secret = NULL;
  g_autofree guchar *raw = NULL;
  g_autoptr (JsonNode) zdevice = NULL;
  JsonNode *devinfo;
  gsize raw_len = 0;

  future_time (30, &expires, &expires_stored);
  created = fd_test_cli_run ("device", "credentials", "create", device_id, "--kind", "key",
                             "--mode", "device_token", "--expires", expires, "-o", file, NULL);
  fd_test_cli_assert_ok (created);
  id = fd_test_cli_kv_value (created->out, "id");
  secret = fd_test_cli_kv_value (created->out, "secret");
  fd_test_cli_assert_kv (created->out, "kind", "key");
  fd_test_cli_assert_kv (created->out, "mode", "device_token");
  fd_test_cli_assert_kv (created->out, "key_id", "1");
  fd_test_cli_assert_kv (created->out, "expires_at", expires_stored);
  g_assert_nonnull (strstr (created->err, "shown only this once"));
  /* A device_token secret is 32 bytes, base64. */
  raw = g_base64_decode (secret, &raw_len);
  g_assert_cmpuint (raw_len, ==, 32);

  zdevice = fd_tcp_read_private_json (file);
  fd_tcp_assert_zdevice (zdevice, device_id, "device_token");
  devinfo = fd_tcp_member (zdevice, "devinfo");
  g_assert_cmpint (fd_t_int (devinfo, "key_id"), ==, 1);
  g_assert_cmpstr (fd_t_str (devinfo, "key_type"), ==, "sym");
  g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), ==, secret);
  g_assert_false (json_object_has_member (fd_t_obj (zdevice), "clicert"));
  fd_tcp_assert_zdevice_like_server (zdevice, device_id, id);
}

/* "device credentials DEVICE_ID --mode MODE -o FILE": one line, the file, the right kind. */
static void
test_issue (void)
{
  const char *const modes[][3] = {
    { "cloud_token", "key", "cloud_token" },
    { "device_token", "key", "device_token" },
    { "certificate", "generated", NULL },
  };
  g_autofree char *device_id = fd_tcp_make_device ("issue-1", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *file = fd_tcp_work_path ("issued.zdevice.json");
      g_autoptr (FdTestCliResult) issued = fd_test_cli_run (
          "device", "credentials", device_id, "--mode", modes[i][0], "-o", file, NULL);
      g_autoptr (JsonNode) credential = fd_tcp_newest_credential (device_id);
      g_autoptr (JsonNode) zdevice = NULL;
      g_autofree char *expected = NULL;
      const char *id = fd_t_str (credential, "id");

      fd_test_cli_assert_ok (issued);
      expected = g_strdup_printf ("Wrote zdevice.json for %s (credential %s) to %s\n", device_id,
                                  id, file);
      g_assert_cmpstr (issued->out, ==, expected);
      g_assert_cmpstr (issued->err, ==, "");
      g_assert_cmpstr (fd_t_str (credential, "kind"), ==, modes[i][1]);
      if (modes[i][2] != NULL)
        g_assert_cmpstr (fd_t_str (credential, "mode"), ==, modes[i][2]);

      zdevice = fd_tcp_read_private_json (file);
      fd_tcp_assert_zdevice (zdevice, device_id, modes[i][0]);
      g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), !=, "");
      if (g_str_equal (modes[i][0], "certificate"))
        g_assert_true (g_str_has_prefix (fd_t_str (zdevice, "prvkey"), "-----BEGIN "));
      fd_tcp_assert_zdevice_like_server (zdevice, device_id, id);
    }
}

static void
test_list_and_revoke (void)
{
  g_autofree char *device_id = fd_tcp_make_device ("listed-1", NULL);
  g_autofree char *body_key = fd_t_body ("kind", "key", NULL);
  g_autofree char *body_generated = fd_t_body ("kind", "generated", NULL);
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials", device_id);
  g_autoptr (JsonNode) generated = fd_t_call (fd_tcp_srv, "POST", path, body_generated, 201);
  g_autoptr (JsonNode) key = fd_t_call (fd_tcp_srv, "POST", path, body_key, 201);
  g_autofree char *short_fingerprint
      = g_strdup_printf ("%.16s…", fd_t_str (generated, "fingerprint"));
  g_autofree char *revoked_line = NULL;
  const char *key_id = fd_t_str (key, "id");
  g_autoptr (FdTestCliResult) list = NULL, list_json = NULL, revoked = NULL, after = NULL;
  g_autoptr (FdTestCliResult) unknown = NULL;
  g_autoptr (JsonNode) api = NULL, json = NULL, revoked_api = NULL;
  g_auto (GStrv) lines = NULL;

  list = fd_test_cli_run ("device", "credentials", "list", device_id, NULL);
  fd_test_cli_assert_ok (list);
  g_assert_true (g_str_has_prefix (list->out, "ID "));
  fd_test_cli_assert_in_column (list->out, "ID", fd_t_str (generated, "id"));
  fd_test_cli_assert_in_column (list->out, "ID", key_id);
  fd_test_cli_assert_in_column (list->out, "KIND", "generated");
  fd_test_cli_assert_in_column (list->out, "FINGERPRINT/KEY", short_fingerprint);
  fd_test_cli_assert_in_column (list->out, "FINGERPRINT/KEY", "key 1 (device_token)");
  fd_test_cli_assert_in_column (list->out, "EXPIRES", "-");
  fd_test_cli_assert_count_line (list->out, "2 of 2 credentials");
  /* No secret is ever listed. */
  g_assert_null (strstr (list->out, "PRIVATE"));
  api = fd_tcp_api_credentials (device_id);
  list_json = fd_test_cli_run ("--json", "device", "credentials", "list", device_id, NULL);
  json = fd_test_cli_assert_json (list_json, api);

  revoked = fd_test_cli_run ("device", "credentials", "revoke", device_id, key_id, NULL);
  fd_test_cli_assert_ok (revoked);
  revoked_line = g_strdup_printf ("Revoked credential %s\n", key_id);
  g_assert_cmpstr (revoked->out, ==, revoked_line);
  revoked_api = fd_tcp_api_credential (device_id, key_id);
  g_assert_true (fd_t_bool (revoked_api, "revoked"));

  /* The record stays, marked revoked; the other one is not. */
  after = fd_test_cli_run ("device", "credentials", "list", device_id, NULL);
  fd_test_cli_assert_ok (after);
  lines = g_strsplit (after->out, "\n", -1);
  for (gsize i = 1; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "crd-"))
      g_assert_true (
          g_str_has_suffix (lines[i], g_str_has_prefix (lines[i], key_id) ? "yes" : "no"));
  fd_test_cli_assert_count_line (after->out, "2 of 2 credentials");

  unknown = fd_test_cli_run ("device", "credentials", "revoke", device_id,
                             "crd-aaaaaaaaaaaaaaaaaaaa", NULL);
  fd_test_cli_assert_fails (unknown, "(not_found)");
}

static void
test_refuse_overwrite (void)
{
  g_autofree char *device_id = fd_tcp_make_device ("kept-1", NULL);
  g_autofree char *file = fd_tcp_work_path ("existing.zdevice.json");
  g_autoptr (FdTestCliResult) refused = NULL, refused_bare = NULL, forced = NULL;
  g_autoptr (JsonNode) list = NULL, zdevice = NULL;
  g_autofree char *kept = NULL;

  fd_tcp_write_text (file, "an older device's only copy\n");
  g_assert_cmpint (g_chmod (file, 0644), ==, 0);

  refused = fd_test_cli_run ("device", "credentials", "create", device_id, "--kind", "generated",
                             "-o", file, NULL);
  fd_test_cli_assert_fails (refused, "already exists");
  g_assert_nonnull (strstr (refused->err, "--force"));
  refused_bare = fd_test_cli_run ("device", "credentials", device_id, "--mode", "device_token",
                                  "-o", file, NULL);
  fd_test_cli_assert_fails (refused_bare, "already exists");
  /* Nothing was created, and the file is as it was. */
  list = fd_tcp_api_credentials (device_id);
  g_assert_cmpint (fd_t_int (list, "total"), ==, 0);
  kept = fd_tcp_read_text (file);
  g_assert_cmpstr (kept, ==, "an older device's only copy\n");

  forced = fd_test_cli_run ("device", "credentials", device_id, "--mode", "device_token", "-o",
                            file, "--force", NULL);
  fd_test_cli_assert_ok (forced);
  zdevice = fd_tcp_read_private_json (file); /* 0600 now, whatever the old file's mode was */
  fd_tcp_assert_zdevice (zdevice, device_id, "device_token");
}

static void
test_json (void)
{
  g_autofree char *device_id = fd_tcp_make_device ("json-1", NULL);
  g_autofree char *file = fd_tcp_work_path ("json.zdevice.json");
  g_autofree char *file2 = fd_tcp_work_path ("json2.zdevice.json");
  g_autoptr (FdTestCliResult) created = fd_test_cli_run (
      "--json", "device", "credentials", "create", device_id, "--kind", "key", "-o", file, NULL);
  g_autoptr (FdTestCliResult) issued = fd_test_cli_run (
      "device", "credentials", device_id, "--mode", "certificate", "-o", file2, "--json", NULL);
  g_autoptr (JsonNode) answer = fd_test_cli_assert_json (created, NULL);
  g_autoptr (JsonNode) answer2 = fd_test_cli_assert_json (issued, NULL);
  g_autoptr (JsonNode) zdevice = fd_tcp_read_private_json (file);
  g_autoptr (JsonNode) zdevice2 = fd_tcp_read_private_json (file2);

  /* The answer unchanged (secret and zdevice included), and the file is its zdevice. */
  g_assert_cmpstr (fd_t_str (answer, "secret"), !=, "");
  g_assert_true (json_node_equal (fd_tcp_member (answer, "zdevice"), zdevice));
  g_assert_cmpstr (created->err, ==, "");
  g_assert_true (g_str_has_prefix (fd_t_str (answer2, "private_key"), "-----BEGIN "));
  g_assert_true (json_node_equal (fd_tcp_member (answer2, "zdevice"), zdevice2));
  g_assert_cmpstr (issued->err, ==, "");
}

int
main (int argc, char **argv)
{
  int ret;

  fd_tcp_setup (&argc, &argv);
  g_test_add_func ("/cli/credentials/generated", test_generated);
  g_test_add_func ("/cli/credentials/csr", test_csr);
  g_test_add_func ("/cli/credentials/certificate", test_certificate);
  g_test_add_func ("/cli/credentials/key", test_key);
  g_test_add_func ("/cli/credentials/mode-output", test_issue);
  g_test_add_func ("/cli/credentials/list-revoke", test_list_and_revoke);
  g_test_add_func ("/cli/credentials/refuse-overwrite", test_refuse_overwrite);
  g_test_add_func ("/cli/credentials/json", test_json);

  ret = g_test_run ();
  fd_tcp_teardown ();
  return ret;
}
