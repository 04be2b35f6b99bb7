/* fd-test-cli-provision.c — what the CLI provisioning tests (test-cli-credentials.c,
 * test-cli-import.c) share: their server, files, certtool and checks of zdevice.json files. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "fd-test-cli-provision.h"

FdTestServer *fd_tcp_srv;
char *fd_tcp_work_dir;   /* files the tests make; removed at the end */
JsonNode *fd_tcp_server; /* GET /api/v1/server */
char *fd_tcp_ca_path;    /* the server's CA certificate, for curl */

/* A path in fd_tcp_work_dir that no other test uses. */
char *
fd_tcp_work_path (const char *name)
{
  g_autofree char *unique = fd_test_cli_unique_name (name);

  return g_build_filename (fd_tcp_work_dir, unique, NULL);
}

void
fd_tcp_write_text (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

char *
fd_tcp_read_text (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Runs a tool (certtool, curl) and returns its exit status; stdout in @out (may be NULL). */
int
fd_tcp_run_tool (const char *const *argv, char **out)
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

void
fd_tcp_certtool (const char *const *argv)
{
  g_autofree char *out = NULL;

  if (fd_tcp_run_tool (argv, &out) != 0)
    g_error ("certtool %s failed", argv[1]);
}

/* The first "-----BEGIN @label-----" … "-----END @label-----\n" block of @text, or NULL. */
char *
fd_tcp_pem_block (const char *text, const char *label)
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
char *
fd_tcp_public_key_of (const char *option, const char *path)
{
  const char *argv[] = { "certtool", "--pubkey-info", option, path, NULL };
  g_autofree char *out = NULL;
  char *key;

  g_assert_cmpint (fd_tcp_run_tool (argv, &out), ==, 0);
  key = fd_tcp_pem_block (out, "PUBLIC KEY");
  g_assert_nonnull (key);
  return key;
}

/* SHA-256 of a PEM certificate's DER, lowercase hex: what a credential's fingerprint is. */
char *
fd_tcp_fingerprint_of (const char *pem)
{
  g_autofree char *block = fd_tcp_pem_block (pem, "CERTIFICATE");
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
char *
fd_tcp_make_key (void)
{
  char *key = fd_tcp_work_path ("device.key");
  const char *argv[] = {
    "certtool", "--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1", "--outfile", key,
    NULL
  };

  fd_tcp_certtool (argv);
  return key;
}

/* A CSR for @key, as certtool writes it: with its text before the PEM block. */
char *
fd_tcp_make_csr (const char *key, const char *cn)
{
  char *csr = fd_tcp_work_path ("device.csr");
  g_autofree char *template_path = fd_tcp_work_path ("csr.tmpl");
  g_autofree char *template = g_strdup_printf ("cn = \"%s\"\n", cn);
  const char *argv[] = { "certtool",   "--generate-request", "--load-privkey", key,
                         "--template", template_path,        "--outfile",      csr,
                         NULL };

  fd_tcp_write_text (template_path, template);
  fd_tcp_certtool (argv);
  return csr;
}

/* A self-signed client certificate for @key. */
char *
fd_tcp_make_self_signed (const char *key)
{
  char *cert = fd_tcp_work_path ("device.crt");
  g_autofree char *template_path = fd_tcp_work_path ("cert.tmpl");
  const char *argv[] = { "certtool",
                         "--generate-self-signed",
                         "--load-privkey",
                         key,
                         "--template",
                         template_path,
                         "--outfile",
                         cert,
                         NULL };

  fd_tcp_write_text (template_path, "cn = \"own-device\"\nexpiration_days = 30\nsigning_key\n"
                                    "tls_www_client\n");
  fd_tcp_certtool (argv);
  return cert;
}

/* A new workspace with one device; returns the device's id and sets *@workspace_id. */
char *
fd_tcp_make_device (const char *name, char **workspace_id)
{
  g_autofree char *wname = fd_test_cli_unique_name ("Provision");
  g_autoptr (JsonNode) wks = fd_t_make_workspace (fd_tcp_srv, wname);
  g_autoptr (JsonNode) dev = fd_t_make_device (fd_tcp_srv, fd_t_str (wks, "id"), name, NULL);

  if (workspace_id != NULL)
    *workspace_id = g_strdup (fd_t_str (wks, "id"));
  return g_strdup (fd_t_str (dev, "id"));
}

JsonNode *
fd_tcp_api_credentials (const char *device_id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials", device_id);

  return fd_t_call (fd_tcp_srv, "GET", path, NULL, 200);
}

JsonNode *
fd_tcp_api_credential (const char *device_id, const char *credential_id)
{
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s", device_id, credential_id);

  return fd_t_call (fd_tcp_srv, "GET", path, NULL, 200);
}

/* The file's mode is 0600 and it holds one JSON object. */
JsonNode *
fd_tcp_read_private_json (const char *path)
{
  g_autofree char *text = fd_tcp_read_text (path);
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

JsonNode *
fd_tcp_member (JsonNode *node, const char *name)
{
  JsonNode *m = json_object_get_member (fd_t_obj (node), name);

  if (m == NULL)
    g_error ("member \"%s\" is missing", name);
  return m;
}

/* What every zdevice.json has: the device, the mode, and how to reach this server and trust
 * it (endpoint and cacert from GET /server). */
void
fd_tcp_assert_zdevice (JsonNode *zdevice, const char *device_id, const char *mode)
{
  JsonNode *devinfo = fd_tcp_member (zdevice, "devinfo");
  JsonNode *endpoint = fd_tcp_member (zdevice, "endpoint");
  JsonNode *ca = fd_tcp_member (fd_tcp_server, "ca");

  g_assert_cmpstr (fd_t_str (devinfo, "device_id"), ==, device_id);
  g_assert_cmpstr (fd_t_str (devinfo, "mode"), ==, mode);
  g_assert_cmpstr (fd_t_str (zdevice, "cacert"), ==, fd_t_str (ca, "certificate"));
  g_assert_cmpstr (fd_t_str (endpoint, "mode"), ==, "secure");
  g_assert_cmpstr (fd_t_str (endpoint, "host"), !=, "");
  g_assert_cmpint (fd_t_int (endpoint, "port"), ==, fd_t_int (fd_tcp_server, "mqtt_port"));
  g_assert_cmpint (fd_t_int (endpoint, "https_port"), ==, fd_t_int (fd_tcp_server, "device_port"));
}

/* @zdevice is what the server itself gives for the credential (its zdevice.json without the
 * secret), with @prvkey added back. */
void
fd_tcp_assert_zdevice_like_server (JsonNode *zdevice, const char *device_id,
                                   const char *credential_id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s/zdevice.json",
                                           device_id, credential_id);
  g_autoptr (JsonNode) expected = fd_t_call (fd_tcp_srv, "GET", path, NULL, 200);

  json_object_set_string_member (fd_t_obj (expected), "prvkey", fd_t_str (zdevice, "prvkey"));
  if (!json_node_equal (expected, zdevice))
    {
      g_autofree char *want = json_to_string (expected, TRUE);
      g_autofree char *got = json_to_string (zdevice, TRUE);

      g_error ("zdevice.json differs from the server's:\n%s\nvs\n%s", got, want);
    }
}

/* The PEM printed after "@key:" in key: value output. */
char *
fd_tcp_printed_pem (const char *out, const char *key, const char *label)
{
  g_autofree char *heading = g_strdup_printf ("\n%s:\n-----BEGIN ", key);
  const char *at = strstr (out, heading);

  if (at == NULL)
    g_error ("no %s block in:\n%s", key, out);
  return fd_tcp_pem_block (at, label);
}

/* The workspace's devices, from the API. */
JsonNode *
fd_tcp_api_devices (const char *workspace_id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/devices", workspace_id);

  return fd_t_call (fd_tcp_srv, "GET", path, NULL, 200);
}

JsonNode *
fd_tcp_device_named (JsonNode *devices, const char *name)
{
  JsonArray *items = fd_t_items (devices);

  for (guint i = 0; i < json_array_get_length (items); i++)
    if (g_str_equal (fd_t_str (json_array_get_element (items, i), "name"), name))
      return json_array_get_element (items, i);
  g_error ("no device named %s", name);
}

/* A CSV field holding @text, quoted as RFC 4180 says. */
char *
fd_tcp_csv_quote (const char *text)
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

/* The newest credential of a device, from the API. */
JsonNode *
fd_tcp_newest_credential (const char *device_id)
{
  g_autoptr (JsonNode) list = fd_tcp_api_credentials (device_id);
  JsonArray *items = fd_t_items (list);

  g_assert_cmpuint (json_array_get_length (items), >, 0);
  return json_node_copy (json_array_get_element (items, json_array_get_length (items) - 1));
}

void
fd_tcp_setup (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;

  g_test_init (argc, argv, NULL);
  fd_tcp_srv = fd_test_cli_start ();
  fd_t_kill_server_on_abort (fd_tcp_srv);
  fd_tcp_work_dir = g_dir_make_tmp ("fd-test-cli-provision-XXXXXX", &error);
  g_assert_no_error (error);
  fd_tcp_server = fd_t_call (fd_tcp_srv, "GET", FD_T_API "/server", NULL, 200);
  fd_tcp_ca_path = g_build_filename (fd_tcp_work_dir, "ca.pem", NULL);
  fd_tcp_write_text (fd_tcp_ca_path, fd_t_str (fd_tcp_member (fd_tcp_server, "ca"), "certificate"));
}

void
fd_tcp_teardown (void)
{
  json_node_unref (fd_tcp_server);
  fd_test_rm_rf (fd_tcp_work_dir);
  g_free (fd_tcp_work_dir);
  g_free (fd_tcp_ca_path);
  fd_test_cli_stop ();
}
