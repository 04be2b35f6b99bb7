/* test-cli-provision.c — fleetdesk-cli end to end, provisioning and data: the real binary
 * ($FD_CLI_BIN) against a real fleetdesk-server gives devices credentials of every kind (CSRs
 * and self-signed certificates made by certtool), lists and revokes them, writes zdevice.json
 * files (mode 0600, the layout of docs/protocol.md, never over a file unless --force), imports
 * devices from CSV (a good file with --credentials-dir, a file with a bad row, a dry run), and
 * lists the tags and fields of data sent to the HTTPS device endpoint with curl. Each test
 * asserts what a person sees (stdout, stderr, exit status) and what the server then holds.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "fd-test-api-util.h"
#include "fd-test-cli.h"

static FdTestServer *srv;
static char *work_dir;   /* files the tests make; removed at the end */
static JsonNode *server; /* GET /api/v1/server */
static char *ca_path;    /* the server's CA certificate, for curl */

/* A path in work_dir that no other test uses. */
static char *
work_path (const char *name)
{
  g_autofree char *unique = fd_test_cli_unique_name (name);

  return g_build_filename (work_dir, unique, NULL);
}

static void
write_text (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static char *
read_text (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Runs a tool (certtool, curl) and returns its exit status; stdout in @out (may be NULL). */
static int
run_tool (const char *const *argv, char **out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, out, &err, &wait_status,
                &error);
  g_assert_no_error (error);
  if (!WIFEXITED (wait_status) || WEXITSTATUS (wait_status) != 0)
    g_test_message ("%s failed: %s", argv[0], err);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static void
certtool (const char *const *argv)
{
  g_autofree char *out = NULL;

  if (run_tool (argv, &out) != 0)
    g_error ("certtool %s failed", argv[1]);
}

/* The first "-----BEGIN @label-----" … "-----END @label-----\n" block of @text, or NULL. */
static char *
pem_block (const char *text, const char *label)
{
  g_autofree char *begin_line = g_strdup_printf ("-----BEGIN %s-----", label);
  g_autofree char *end_line = g_strdup_printf ("-----END %s-----", label);
  const char *begin = strstr (text, begin_line);
  const char *end = begin != NULL ? strstr (begin, end_line) : NULL;

  if (end == NULL)
    return NULL;
  return g_strdup_printf ("%.*s\n", (int)(end + strlen (end_line) - begin), begin);
}

/* The public key (PEM) of a private key or certificate file, as certtool reads it. */
static char *
public_key_of (const char *option, const char *path)
{
  const char *argv[] = { "certtool", "--pubkey-info", option, path, NULL };
  g_autofree char *out = NULL;
  char *key;

  g_assert_cmpint (run_tool (argv, &out), ==, 0);
  key = pem_block (out, "PUBLIC KEY");
  g_assert_nonnull (key);
  return key;
}

/* SHA-256 of a PEM certificate's DER, lowercase hex: what a credential's fingerprint is. */
static char *
fingerprint_of (const char *pem)
{
  g_autofree char *block = pem_block (pem, "CERTIFICATE");
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) base64 = g_string_new (NULL);
  g_autofree guchar *der = NULL;
  gsize der_len = 0;

  g_assert_nonnull (block);
  lines = g_strsplit (block, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    if (!g_str_has_prefix (lines[i], "-----"))
      g_string_append (base64, lines[i]);
  der = g_base64_decode (base64->str, &der_len);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, der_len);
}

/* A new ECDSA P-256 key in a file; returns its path. */
static char *
make_key (void)
{
  char *key = work_path ("device.key");
  const char *argv[] = {
    "certtool", "--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1", "--outfile", key,
    NULL
  };

  certtool (argv);
  return key;
}

/* A CSR for @key, as certtool writes it: with its text before the PEM block. */
static char *
make_csr (const char *key, const char *cn)
{
  char *csr = work_path ("device.csr");
  g_autofree char *template_path = work_path ("csr.tmpl");
  g_autofree char *template = g_strdup_printf ("cn = \"%s\"\n", cn);
  const char *argv[] = { "certtool",   "--generate-request", "--load-privkey", key,
                         "--template", template_path,        "--outfile",      csr,
                         NULL };

  write_text (template_path, template);
  certtool (argv);
  return csr;
}

/* A self-signed client certificate for @key. */
static char *
make_self_signed (const char *key)
{
  char *cert = work_path ("device.crt");
  g_autofree char *template_path = work_path ("cert.tmpl");
  const char *argv[] = { "certtool",
                         "--generate-self-signed",
                         "--load-privkey",
                         key,
                         "--template",
                         template_path,
                         "--outfile",
                         cert,
                         NULL };

  write_text (template_path, "cn = \"own-device\"\nexpiration_days = 30\nsigning_key\n"
                             "tls_www_client\n");
  certtool (argv);
  return cert;
}

/* A new workspace with one device; returns the device's id and sets *@workspace_id. */
static char *
make_device (const char *name, char **workspace_id)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Provision");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, fd_t_str (wks, "id"), name, NULL);

  if (workspace_id != NULL)
    *workspace_id = g_strdup (fd_t_str (wks, "id"));
  return g_strdup (fd_t_str (dev, "id"));
}

static JsonNode *
api_credentials (const char *device_id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials", device_id);

  return fd_t_call (srv, "GET", path, NULL, 200);
}

static JsonNode *
api_credential (const char *device_id, const char *credential_id)
{
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s", device_id, credential_id);

  return fd_t_call (srv, "GET", path, NULL, 200);
}

/* The file's mode is 0600 and it holds one JSON object. */
static JsonNode *
read_private_json (const char *path)
{
  g_autofree char *text = read_text (path);
  g_autoptr (GError) error = NULL;
  GStatBuf info;
  JsonNode *node;

  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

static JsonNode *
member (JsonNode *node, const char *name)
{
  JsonNode *m = json_object_get_member (fd_t_obj (node), name);

  if (m == NULL)
    g_error ("member \"%s\" is missing", name);
  return m;
}

/* What every zdevice.json has: the device, the mode, and how to reach this server and trust
 * it (endpoint and cacert from GET /server). */
static void
assert_zdevice (JsonNode *zdevice, const char *device_id, const char *mode)
{
  JsonNode *devinfo = member (zdevice, "devinfo");
  JsonNode *endpoint = member (zdevice, "endpoint");
  JsonNode *ca = member (server, "ca");

  g_assert_cmpstr (fd_t_str (devinfo, "device_id"), ==, device_id);
  g_assert_cmpstr (fd_t_str (devinfo, "mode"), ==, mode);
  g_assert_cmpstr (fd_t_str (zdevice, "cacert"), ==, fd_t_str (ca, "certificate"));
  g_assert_cmpstr (fd_t_str (endpoint, "mode"), ==, "secure");
  g_assert_cmpstr (fd_t_str (endpoint, "host"), !=, "");
  g_assert_cmpint (fd_t_int (endpoint, "port"), ==, fd_t_int (server, "mqtt_port"));
  g_assert_cmpint (fd_t_int (endpoint, "https_port"), ==, fd_t_int (server, "device_port"));
}

/* @zdevice is what the server itself gives for the credential (its zdevice.json without the
 * secret), with @prvkey added back. */
static void
assert_zdevice_like_server (JsonNode *zdevice, const char *device_id, const char *credential_id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s/zdevice.json",
                                           device_id, credential_id);
  g_autoptr (JsonNode) expected = fd_t_call (srv, "GET", path, NULL, 200);

  json_object_set_string_member (fd_t_obj (expected), "prvkey", fd_t_str (zdevice, "prvkey"));
  if (!json_node_equal (expected, zdevice))
    {
      g_autofree char *want = json_to_string (expected, TRUE);
      g_autofree char *got = json_to_string (zdevice, TRUE);

      g_error ("zdevice.json differs from the server's:\n%s\nvs\n%s", got, want);
    }
}

/* The PEM printed after "@key:" in key: value output. */
static char *
printed_pem (const char *out, const char *key, const char *label)
{
  g_autofree char *heading = g_strdup_printf ("\n%s:\n-----BEGIN ", key);
  const char *at = strstr (out, heading);

  if (at == NULL)
    g_error ("no %s block in:\n%s", key, out);
  return pem_block (at, label);
}

static void
test_generated (void)
{
  g_autofree char *device_id = make_device ("gen-1", NULL);
  g_autofree char *file = work_path ("gen.zdevice.json");
  g_autofree char *key_file = work_path ("gen.key");
  g_autofree char *cert_file = work_path ("gen.crt");
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
  printed_key = printed_pem (created->out, "private_key", "PRIVATE KEY");
  g_assert_nonnull (strstr (created->err, "shown only this once"));
  wrote
      = g_strdup_printf ("Wrote zdevice.json for %s (credential %s) to %s\n", device_id, id, file);
  g_assert_true (g_str_has_suffix (created->out, wrote));

  zdevice = read_private_json (file);
  assert_zdevice (zdevice, device_id, "certificate");
  prvkey = g_strdup (fd_t_str (zdevice, "prvkey"));
  g_assert_cmpstr (g_strstrip (printed_key), ==, g_strstrip (prvkey));
  clicert_fingerprint = fingerprint_of (fd_t_str (zdevice, "clicert"));
  g_assert_cmpstr (clicert_fingerprint, ==, fingerprint);
  /* The key and the certificate in the file belong together. */
  write_text (key_file, fd_t_str (zdevice, "prvkey"));
  write_text (cert_file, fd_t_str (zdevice, "clicert"));
  key_public = public_key_of ("--load-privkey", key_file);
  cert_public = public_key_of ("--load-certificate", cert_file);
  g_assert_cmpstr (key_public, ==, cert_public);
  assert_zdevice_like_server (zdevice, device_id, id);

  api = api_credential (device_id, id);
  g_assert_cmpstr (fd_t_str (api, "kind"), ==, "generated");
  g_assert_cmpstr (fd_t_str (api, "fingerprint"), ==, fingerprint);
}

static void
test_csr (void)
{
  g_autofree char *device_id = make_device ("csr-1", NULL);
  g_autofree char *key = make_key ();
  g_autofree char *csr = make_csr (key, "asked-for-another-name");
  g_autofree char *csr_text = read_text (csr);
  g_autofree char *file = work_path ("csr.zdevice.json");
  g_autofree char *cert_file = work_path ("csr.crt");
  g_autoptr (FdTestCliResult) created
      = fd_test_cli_run ("device", "credentials", "create", device_id, "--kind", "csr", "--csr",
                         csr, "-o", file, NULL);
  g_autofree char *id = fd_test_cli_kv_value (created->out, "id");
  g_autofree char *subject = fd_test_cli_kv_value (created->out, "subject");
  g_autofree char *key_public = public_key_of ("--load-privkey", key);
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

  zdevice = read_private_json (file);
  assert_zdevice (zdevice, device_id, "certificate");
  g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), ==, "");
  write_text (cert_file, fd_t_str (zdevice, "clicert"));
  cert_public = public_key_of ("--load-certificate", cert_file);
  g_assert_cmpstr (cert_public, ==, key_public);
  assert_zdevice_like_server (zdevice, device_id, id);
}

static void
test_certificate (void)
{
  g_autofree char *device_id = make_device ("own-1", NULL);
  g_autofree char *other_id = make_device ("own-2", NULL);
  g_autofree char *key = make_key ();
  g_autofree char *cert = make_self_signed (key);
  g_autofree char *cert_text = read_text (cert);
  g_autofree char *expected = fingerprint_of (cert_text);
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
  g_autofree char *device_id = make_device ("key-1", NULL);
  g_autofree char *file = work_path ("key.zdevice.json");
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

  zdevice = read_private_json (file);
  assert_zdevice (zdevice, device_id, "device_token");
  devinfo = member (zdevice, "devinfo");
  g_assert_cmpint (fd_t_int (devinfo, "key_id"), ==, 1);
  g_assert_cmpstr (fd_t_str (devinfo, "key_type"), ==, "sym");
  g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), ==, secret);
  g_assert_false (json_object_has_member (fd_t_obj (zdevice), "clicert"));
  assert_zdevice_like_server (zdevice, device_id, id);
}

/* The newest credential of a device, from the API. */
static JsonNode *
newest_credential (const char *device_id)
{
  g_autoptr (JsonNode) list = api_credentials (device_id);
  JsonArray *items = fd_t_items (list);

  g_assert_cmpuint (json_array_get_length (items), >, 0);
  return json_node_copy (json_array_get_element (items, json_array_get_length (items) - 1));
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
  g_autofree char *device_id = make_device ("issue-1", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *file = work_path ("issued.zdevice.json");
      g_autoptr (FdTestCliResult) issued = fd_test_cli_run (
          "device", "credentials", device_id, "--mode", modes[i][0], "-o", file, NULL);
      g_autoptr (JsonNode) credential = newest_credential (device_id);
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

      zdevice = read_private_json (file);
      assert_zdevice (zdevice, device_id, modes[i][0]);
      g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), !=, "");
      if (g_str_equal (modes[i][0], "certificate"))
        g_assert_true (g_str_has_prefix (fd_t_str (zdevice, "prvkey"), "-----BEGIN "));
      assert_zdevice_like_server (zdevice, device_id, id);
    }
}

static void
test_list_and_revoke (void)
{
  g_autofree char *device_id = make_device ("listed-1", NULL);
  g_autofree char *body_key = fd_t_body ("kind", "key", NULL);
  g_autofree char *body_generated = fd_t_body ("kind", "generated", NULL);
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials", device_id);
  g_autoptr (JsonNode) generated = fd_t_call (srv, "POST", path, body_generated, 201);
  g_autoptr (JsonNode) key = fd_t_call (srv, "POST", path, body_key, 201);
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
  api = api_credentials (device_id);
  list_json = fd_test_cli_run ("--json", "device", "credentials", "list", device_id, NULL);
  json = fd_test_cli_assert_json (list_json, api);

  revoked = fd_test_cli_run ("device", "credentials", "revoke", device_id, key_id, NULL);
  fd_test_cli_assert_ok (revoked);
  revoked_line = g_strdup_printf ("Revoked credential %s\n", key_id);
  g_assert_cmpstr (revoked->out, ==, revoked_line);
  revoked_api = api_credential (device_id, key_id);
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
  g_autofree char *device_id = make_device ("kept-1", NULL);
  g_autofree char *file = work_path ("existing.zdevice.json");
  g_autoptr (FdTestCliResult) refused = NULL, refused_bare = NULL, forced = NULL;
  g_autoptr (JsonNode) list = NULL, zdevice = NULL;
  g_autofree char *kept = NULL;

  write_text (file, "an older device's only copy\n");
  g_assert_cmpint (g_chmod (file, 0644), ==, 0);

  refused = fd_test_cli_run ("device", "credentials", "create", device_id, "--kind", "generated",
                             "-o", file, NULL);
  fd_test_cli_assert_fails (refused, "already exists");
  g_assert_nonnull (strstr (refused->err, "--force"));
  refused_bare = fd_test_cli_run ("device", "credentials", device_id, "--mode", "device_token",
                                  "-o", file, NULL);
  fd_test_cli_assert_fails (refused_bare, "already exists");
  /* Nothing was created, and the file is as it was. */
  list = api_credentials (device_id);
  g_assert_cmpint (fd_t_int (list, "total"), ==, 0);
  kept = read_text (file);
  g_assert_cmpstr (kept, ==, "an older device's only copy\n");

  forced = fd_test_cli_run ("device", "credentials", device_id, "--mode", "device_token", "-o",
                            file, "--force", NULL);
  fd_test_cli_assert_ok (forced);
  zdevice = read_private_json (file); /* 0600 now, whatever the old file's mode was */
  assert_zdevice (zdevice, device_id, "device_token");
}

static void
test_json (void)
{
  g_autofree char *device_id = make_device ("json-1", NULL);
  g_autofree char *file = work_path ("json.zdevice.json");
  g_autofree char *file2 = work_path ("json2.zdevice.json");
  g_autoptr (FdTestCliResult) created = fd_test_cli_run (
      "--json", "device", "credentials", "create", device_id, "--kind", "key", "-o", file, NULL);
  g_autoptr (FdTestCliResult) issued = fd_test_cli_run (
      "device", "credentials", device_id, "--mode", "certificate", "-o", file2, "--json", NULL);
  g_autoptr (JsonNode) answer = fd_test_cli_assert_json (created, NULL);
  g_autoptr (JsonNode) answer2 = fd_test_cli_assert_json (issued, NULL);
  g_autoptr (JsonNode) zdevice = read_private_json (file);
  g_autoptr (JsonNode) zdevice2 = read_private_json (file2);

  /* The answer unchanged (secret and zdevice included), and the file is its zdevice. */
  g_assert_cmpstr (fd_t_str (answer, "secret"), !=, "");
  g_assert_true (json_node_equal (member (answer, "zdevice"), zdevice));
  g_assert_cmpstr (created->err, ==, "");
  g_assert_true (g_str_has_prefix (fd_t_str (answer2, "private_key"), "-----BEGIN "));
  g_assert_true (json_node_equal (member (answer2, "zdevice"), zdevice2));
  g_assert_cmpstr (issued->err, ==, "");
}

/* The workspace's devices, from the API. */
static JsonNode *
api_devices (const char *workspace_id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/devices", workspace_id);

  return fd_t_call (srv, "GET", path, NULL, 200);
}

static JsonNode *
device_named (JsonNode *devices, const char *name)
{
  JsonArray *items = fd_t_items (devices);

  for (guint i = 0; i < json_array_get_length (items); i++)
    if (g_str_equal (fd_t_str (json_array_get_element (items, i), "name"), name))
      return json_array_get_element (items, i);
  g_error ("no device named %s", name);
}

/* A CSV field holding @text, quoted as RFC 4180 says. */
static char *
csv_quote (const char *text)
{
  g_autoptr (GString) out = g_string_new ("\"");

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
test_import (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Imported");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) north = fd_t_make_fleet (srv, workspace_id, "north");
  g_autofree char *key = make_key ();
  g_autofree char *csr = make_csr (key, "csr-dev");
  g_autofree char *csr_pem_text = read_text (csr);
  g_autofree char *csr_pem = pem_block (csr_pem_text, "NEW CERTIFICATE REQUEST");
  g_autofree char *quoted_csr = NULL, *csv_text = NULL, *plain_line = NULL;
  g_autofree char *csv = work_path ("devices.csv");
  g_autofree char *dir_parent = work_path ("creds");
  g_autofree char *dir = g_build_filename (dir_parent, "lab", NULL);
  g_autofree char *wrote = NULL;
  g_autoptr (FdTestCliResult) imported = NULL;
  g_autoptr (JsonNode) devices = NULL;
  const char *const expected[][3] = {
    /* name, file, devinfo.mode */
    { "sensor-1", "sensor-1.zdevice.json", "certificate" },
    { "sensor-2", "sensor-2.zdevice.json", "device_token" },
    { "rack/3", "rack_3.zdevice.json", "cloud_token" },
    { ".hidden", "_hidden.zdevice.json", "device_token" },
    { "csr-dev", "csr-dev.zdevice.json", "certificate" },
  };
  GStatBuf info;
  guint files = 0;
  guint csr_newlines = 0;

  if (csr_pem == NULL)
    csr_pem = pem_block (csr_pem_text, "CERTIFICATE REQUEST");
  g_assert_nonnull (csr_pem);
  quoted_csr = csv_quote (csr_pem);
  for (const char *p = quoted_csr; *p != '\0'; p++)
    csr_newlines += *p == '\n';
  plain_line = g_strdup_printf ("%u", 7 + csr_newlines);
  /* The CSR spans lines: the row after it must still be numbered by where it starts. */
  csv_text = g_strdup_printf ("name,fleet,credential,csr\n"
                              "sensor-1,,generate,\n"
                              "sensor-2,north,key,\n"
                              "rack/3,,cloud_token,\n"
                              ".hidden,,key,\n"
                              "csr-dev,,,%s\n"
                              "plain,,none,\n",
                              quoted_csr);
  write_text (csv, csv_text);

  imported
      = fd_test_cli_run ("device", "import", workspace_id, csv, "--credentials-dir", dir, NULL);
  fd_test_cli_assert_ok (imported);
  g_assert_true (g_str_has_prefix (imported->out, "LINE "));
  fd_test_cli_assert_in_column (imported->out, "NAME", "sensor-2");
  fd_test_cli_assert_in_column (imported->out, "FLEET", "north");
  fd_test_cli_assert_in_column (imported->out, "LINE", "6");
  fd_test_cli_assert_in_column (imported->out, "LINE", plain_line);
  fd_test_cli_assert_in_column (imported->out, "CREDENTIAL", "-");
  g_assert_nonnull (strstr (imported->out, "\nCreated 6 devices\n"));
  wrote = g_strdup_printf ("Wrote 5 zdevice.json files to %s\n", dir);
  g_assert_true (g_str_has_suffix (imported->out, wrote));

  /* The directory was made private; one private file per device with a credential. */
  g_assert_cmpint (g_stat (dir, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0700);
  devices = api_devices (workspace_id);
  g_assert_cmpint (fd_t_int (devices, "total"), ==, 6);
  fd_test_cli_assert_in_column (imported->out, "ID",
                                fd_t_str (device_named (devices, "plain"), "id"));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *path = g_build_filename (dir, expected[i][1], NULL);
      g_autoptr (JsonNode) zdevice = read_private_json (path);
      JsonNode *device = device_named (devices, expected[i][0]);
      const char *device_id = fd_t_str (device, "id");
      g_autoptr (JsonNode) credential = newest_credential (device_id);

      assert_zdevice (zdevice, device_id, expected[i][2]);
      assert_zdevice_like_server (zdevice, device_id, fd_t_str (credential, "id"));
      if (g_str_equal (expected[i][0], "csr-dev"))
        g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), ==, "");
      else
        g_assert_cmpstr (fd_t_str (zdevice, "prvkey"), !=, "");
      files++;
    }
  {
    g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);

    while (g_dir_read_name (listing) != NULL)
      files--;
    g_assert_cmpuint (files, ==, 0); /* and nothing else: no file for "plain" */
  }
}

/* Two names that become one file name, and a file already there: nothing is replaced. */
static void
test_import_file_names (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Names");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *csv = work_path ("names.csv");
  g_autofree char *dir = work_path ("named");
  g_autofree char *taken = g_build_filename (dir, "x_y.zdevice.json", NULL);
  g_autofree char *kept = NULL, *wrote = NULL;
  g_autoptr (FdTestCliResult) imported = NULL;
  g_autoptr (JsonNode) devices = NULL;
  const char *const names[] = { "x/y", "x_y" };

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  write_text (taken, "not ours\n");
  write_text (csv, "name,credential\nx/y,key\nx_y,key\n");
  imported
      = fd_test_cli_run ("device", "import", workspace_id, csv, "--credentials-dir", dir, NULL);
  fd_test_cli_assert_ok (imported);
  wrote = g_strdup_printf ("\nWrote 2 zdevice.json files to %s\n", dir);
  g_assert_true (g_str_has_suffix (imported->out, wrote));
  kept = read_text (taken);
  g_assert_cmpstr (kept, ==, "not ours\n");
  devices = api_devices (workspace_id);
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *device_id = fd_t_str (device_named (devices, names[i]), "id");
      g_autofree char *name = g_strdup_printf ("x_y.%s.zdevice.json", device_id);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr (JsonNode) zdevice = read_private_json (path);

      assert_zdevice (zdevice, device_id, "device_token");
      /* Each renamed file is named on stderr. */
      g_assert_nonnull (strstr (imported->err, name));
    }
}

static void
test_import_bad_row (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Refused");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *csv = work_path ("bad.csv");
  g_autofree char *dir = work_path ("never");
  g_autofree char *bad_line = NULL;
  g_autoptr (FdTestCliResult) refused = NULL;
  g_autoptr (JsonNode) devices = NULL;
  g_auto (GStrv) lines = NULL;

  write_text (csv, "name,fleet,credential\n"
                   "ok-1,,generate\n"
                   "ok-2,nowhere,key\n"
                   "ok-3,,none\n");
  refused = fd_test_cli_run ("device", "import", workspace_id, csv, "--credentials-dir", dir, NULL);
  /* Every bad row as FILE:LINE: COLUMN: message, then the summary; exit 1. */
  g_assert_cmpint (refused->status, ==, 1);
  g_assert_cmpstr (refused->out, ==, "");
  bad_line = g_strdup_printf ("%s:3: fleet: ", csv);
  lines = g_strsplit (refused->err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_true (g_str_has_prefix (lines[0], bad_line));
  g_assert_nonnull (strstr (lines[0], "nowhere"));
  g_assert_true (g_str_has_prefix (lines[1], "fleetdesk-cli: "));
  g_assert_nonnull (strstr (lines[1], "1 bad row; nothing was created (invalid_csv)"));

  /* Nothing was created. */
  devices = api_devices (workspace_id);
  g_assert_cmpint (fd_t_int (devices, "total"), ==, 0);
}

static void
test_import_dry_run (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Checked");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *csv = work_path ("dry.csv");
  g_autoptr (FdTestCliResult) checked = NULL, checked_json = NULL;
  g_autoptr (JsonNode) devices = NULL, json = NULL;

  write_text (csv, "name,credential\nd-1,generate\nd-2,cloud_token\nd-3,none\n");
  checked = fd_test_cli_run ("device", "import", workspace_id, csv, "--dry-run", NULL);
  fd_test_cli_assert_ok (checked);
  fd_test_cli_assert_in_column (checked->out, "NAME", "d-2");
  fd_test_cli_assert_in_column (checked->out, "FLEET", fd_t_str (wks, "default_fleet_id"));
  /* The kind of credential each row would get; none: "-". */
  fd_test_cli_assert_in_column (checked->out, "CREDENTIAL", "generated");
  fd_test_cli_assert_in_column (checked->out, "CREDENTIAL", "key");
  fd_test_cli_assert_in_column (checked->out, "CREDENTIAL", "-");
  fd_test_cli_assert_count_line (checked->out, "3 rows are good; nothing was created");
  checked_json
      = fd_test_cli_run ("--json", "device", "import", workspace_id, csv, "--dry-run", NULL);
  json = fd_test_cli_assert_json (checked_json, NULL);
  g_assert_cmpint (fd_t_int (json, "total"), ==, 3);

  devices = api_devices (workspace_id);
  g_assert_cmpint (fd_t_int (devices, "total"), ==, 0);
}

/* Sends @payload under @tag with curl as the device holding @token (a cloud token), over the
 * HTTPS device endpoint. FALSE when that endpoint is not in this server at all. */
static gboolean
send_reading (const char *token, const char *tag_path, const char *payload)
{
  g_autofree char *url = g_strdup_printf ("https://localhost:%" G_GINT64_FORMAT "/v1/data/%s",
                                          fd_t_int (server, "device_port"), tag_path);
  g_autofree char *authorization = g_strdup_printf ("Authorization: Bearer %s", token);
  g_autofree char *out = NULL;
  int status;
  const char *argv[]
      = { "curl",     "-sS",   "-o", "/dev/null",   "-w", "%{http_code}",
          "--cacert", ca_path, "-H", authorization, "-H", "Content-Type: application/json",
          "-d",       payload, url,  NULL };

  /* No port, or nothing listens there (curl's 7), or no such path yet. */
  if (fd_t_int (server, "device_port") <= 0)
    return FALSE;
  status = run_tool (argv, &out);
  if (status == 7 || g_strcmp0 (out, "404") == 0)
    return FALSE;
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "202");
  return TRUE;
}

/* A device with a cloud token, its id in *@device_id; the token. */
static char *
make_sender (const char *workspace_id, const char *name, char **device_id)
{
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, workspace_id, name, NULL);
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/devices/%s/credentials", fd_t_str (dev, "id"));
  g_autofree char *body = fd_t_body ("kind", "key", "mode", "cloud_token", NULL);
  g_autoptr (JsonNode) credential = fd_t_call (srv, "POST", path, body, 201);

  *device_id = g_strdup (fd_t_str (dev, "id"));
  return g_strdup (fd_t_str (credential, "secret"));
}

#define NO_DEVICE_ENDPOINT                                                                         \
  "the HTTPS device endpoint (POST /v1/data/{tag}, docs/protocol.md) is not in this "              \
  "fleetdesk-server yet, so no data can arrive"

/* Two devices send to "weather" and one to "météo" (a tag that must be percent-encoded). */
static gboolean
send_data (const char *workspace_id, char **first_device)
{
  g_autofree char *second_device = NULL;
  g_autofree char *token1 = make_sender (workspace_id, "station-1", first_device);
  g_autofree char *token2 = make_sender (workspace_id, "station-2", &second_device);

  if (!send_reading (token1, "weather", "{\"env\": {\"temp\": 21.5}, \"ok\": true}"))
    return FALSE;
  g_assert_true (send_reading (token1, "weather", "{\"env\": {\"temp\": 22}, \"ok\": false}"));
  g_assert_true (send_reading (token2, "weather", "{\"env\": {\"temp\": \"n/a\"}}"));
  g_assert_true (send_reading (token1, "m%C3%A9t%C3%A9o",
                               "{\"wind\": 3, \"note\": \"a long note that does not fit a "
                               "narrow terminal at all, not even nearly\"}"));
  return TRUE;
}

static void
test_data_tags_fields (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Data");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *device_id = NULL;
  g_autofree char *tags_path = g_strdup_printf (FD_T_API "/workspaces/%s/tags", workspace_id);
  g_autofree char *fields_path
      = g_strdup_printf (FD_T_API "/workspaces/%s/tags/weather/fields", workspace_id);
  g_autoptr (FdTestCliResult) tags = NULL, tags_json = NULL, searched = NULL;
  g_autoptr (FdTestCliResult) fields = NULL, fields_json = NULL, meteo = NULL;
  g_autoptr (JsonNode) api = NULL, json = NULL, api_fields = NULL, json_fields = NULL;

  if (!send_data (workspace_id, &device_id))
    {
      g_test_skip (NO_DEVICE_ENDPOINT);
      return;
    }

  tags = fd_test_cli_run ("data", "tags", workspace_id, NULL);
  fd_test_cli_assert_ok (tags);
  g_assert_true (g_str_has_prefix (tags->out, "TAG "));
  fd_test_cli_assert_in_column (tags->out, "TAG", "weather");
  fd_test_cli_assert_in_column (tags->out, "TAG", "météo");
  fd_test_cli_assert_in_column (tags->out, "DEVICES", "2");
  fd_test_cli_assert_in_column (tags->out, "READINGS", "3");
  fd_test_cli_assert_count_line (tags->out, "2 of 2 tags");
  api = fd_t_call (srv, "GET", tags_path, NULL, 200);
  tags_json = fd_test_cli_run ("--json", "data", "tags", workspace_id, NULL);
  json = fd_test_cli_assert_json (tags_json, api);
  searched = fd_test_cli_run ("data", "tags", workspace_id, "--search", "MÉT", NULL);
  fd_test_cli_assert_ok (searched);
  g_assert_null (strstr (searched->out, "weather"));
  fd_test_cli_assert_count_line (searched->out, "1 of 1 tag");

  /* A path seen with two types is listed twice. */
  fields = fd_test_cli_run ("data", "fields", workspace_id, "weather", NULL);
  fd_test_cli_assert_ok (fields);
  fd_test_cli_assert_in_column (fields->out, "PATH", "env.temp");
  fd_test_cli_assert_in_column (fields->out, "TYPE", "number");
  fd_test_cli_assert_in_column (fields->out, "TYPE", "string");
  fd_test_cli_assert_in_column (fields->out, "TYPE", "boolean");
  api_fields = fd_t_call (srv, "GET", fields_path, NULL, 200);
  {
    g_autofree char *count
        = g_strdup_printf ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " fields",
                           fd_t_int (api_fields, "total"), fd_t_int (api_fields, "total"));

    g_assert_cmpint (fd_t_int (api_fields, "total"), >=, 3);
    fd_test_cli_assert_count_line (fields->out, count);
  }
  fields_json = fd_test_cli_run ("data", "fields", workspace_id, "weather", "--json", NULL);
  json_fields = fd_test_cli_assert_json (fields_json, api_fields);
  meteo = fd_test_cli_run ("data", "fields", workspace_id, "météo", NULL);
  fd_test_cli_assert_ok (meteo);
  fd_test_cli_assert_in_column (meteo->out, "PATH", "wind");
  fd_test_cli_assert_count_line (meteo->out, "2 of 2 fields");
}

static void
test_device_tags (void)
{
  g_autofree char *wname = fd_test_cli_unique_name ("DeviceData");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, wname);
  const char *workspace_id = fd_t_str (wks, "id");
  g_autofree char *device_id = NULL;
  g_autofree char *path = NULL;
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) tags = NULL, tags_json = NULL;
  g_autoptr (JsonNode) api = NULL, json = NULL;
  g_auto (GStrv) lines = NULL;

  if (!send_data (workspace_id, &device_id))
    {
      g_test_skip (NO_DEVICE_ENDPOINT);
      return;
    }
  path = g_strdup_printf (FD_T_API "/devices/%s/tags", device_id);

  /* The latest payload, as compact JSON cut to the terminal's width. */
  env = g_environ_setenv (env, "COLUMNS", "70", TRUE);
  tags = fd_test_cli_run_env (env, "--server", srv->url, "--token", srv->token, "device", "tags",
                              device_id, NULL);
  fd_test_cli_assert_ok (tags);
  fd_test_cli_assert_in_column (tags->out, "TAG", "weather");
  fd_test_cli_assert_in_column (tags->out, "READINGS", "2");
  fd_test_cli_assert_in_column (tags->out, "LAST PAYLOAD", "{\"env\":{\"temp\":22},\"ok\":false}");
  fd_test_cli_assert_count_line (tags->out, "2 of 2 tags");
  lines = g_strsplit (tags->out, "\n", -1);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      g_assert_cmpint (g_utf8_strlen (lines[i], -1), <=, 70);
      if (g_str_has_prefix (lines[i], "météo"))
        g_assert_true (g_str_has_suffix (lines[i], "…"));
    }
  api = fd_t_call (srv, "GET", path, NULL, 200);
  tags_json = fd_test_cli_run ("device", "tags", device_id, "--json", NULL);
  json = fd_test_cli_assert_json (tags_json, api);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_cli_start ();
  fd_t_kill_server_on_abort (srv);
  work_dir = g_dir_make_tmp ("fd-test-cli-provision-XXXXXX", &error);
  g_assert_no_error (error);
  server = fd_t_call (srv, "GET", FD_T_API "/server", NULL, 200);
  ca_path = g_build_filename (work_dir, "ca.pem", NULL);
  write_text (ca_path, fd_t_str (member (server, "ca"), "certificate"));

  g_test_add_func ("/cli/credentials/generated", test_generated);
  g_test_add_func ("/cli/credentials/csr", test_csr);
  g_test_add_func ("/cli/credentials/certificate", test_certificate);
  g_test_add_func ("/cli/credentials/key", test_key);
  g_test_add_func ("/cli/credentials/mode-output", test_issue);
  g_test_add_func ("/cli/credentials/list-revoke", test_list_and_revoke);
  g_test_add_func ("/cli/credentials/refuse-overwrite", test_refuse_overwrite);
  g_test_add_func ("/cli/credentials/json", test_json);
  g_test_add_func ("/cli/import/credentials-dir", test_import);
  g_test_add_func ("/cli/import/file-names", test_import_file_names);
  g_test_add_func ("/cli/import/bad-row", test_import_bad_row);
  g_test_add_func ("/cli/import/dry-run", test_import_dry_run);
  g_test_add_func ("/cli/data/tags-fields", test_data_tags_fields);
  g_test_add_func ("/cli/data/device-tags", test_device_tags);

  ret = g_test_run ();
  json_node_unref (server);
  fd_test_rm_rf (work_dir);
  g_free (work_dir);
  g_free (ca_path);
  fd_test_cli_stop ();
  return ret;
}
