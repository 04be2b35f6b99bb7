/* test-credentials.c — device credentials through the operator API, against a real
 * fleetdesk-server, with GnuTLS's certtool as the independent judge of what the CA issued:
 * generated key pairs, signed CSRs, imported certificates, device keys, revocation,
 * zdevice.json, and the rule that a secret appears in exactly one answer.
 */
#include "config.h"

#include <sys/stat.h>

#include "fd-test-api-util.h"

static FdTestServer *srv;
static char *workspace;
static char *tmp;

static char *
make_device (const char *name)
{
  g_autoptr (JsonNode) dev = fd_t_make_device (srv, workspace, name, NULL);
  return g_strdup (fd_t_str (dev, "id"));
}

static JsonNode *
create_credential (const char *device_id, const char *body, guint expected)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials", device_id);
  return fd_t_call (srv, "POST", path, body, expected);
}

/* A request that must answer 204 No Content. */
static void
call_204 (const char *method, const char *path)
{
  g_autoptr (JsonNode) node = fd_t_call (srv, method, path, NULL, 204);
  g_assert_null (node);
}

static JsonObject *
member_object (JsonNode *node, const char *name)
{
  JsonNode *m = json_object_get_member (fd_t_obj (node), name);
  g_assert_nonnull (m);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (m));
  return json_node_get_object (m);
}

/* certtool's verdict on @cert_pem against the server's CA: 0 when it verifies. */
static int
certtool_verify (const char *cert_pem)
{
  g_autofree char *path = fd_test_write_file (tmp, "verify.pem", cert_pem);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[]
      = { "certtool", "--verify", "--load-ca-certificate", srv->ca_path, "--infile", path, NULL };
  int status = fd_test_run (argv, &out, &err);

  if (status != 0)
    g_test_message ("certtool --verify: %s %s", out, err);
  return status;
}

/* certtool -i of @cert_pem. */
static char *
certtool_info (const char *cert_pem)
{
  g_autofree char *path = fd_test_write_file (tmp, "info.pem", cert_pem);
  char *out = NULL;
  const char *argv[] = { "certtool", "-i", "--infile", path, NULL };

  g_assert_cmpint (fd_test_run (argv, &out, NULL), ==, 0);
  return out;
}

static char *
certtool_fingerprint (const char *cert_path)
{
  char *out = NULL;
  const char *argv[]
      = { "certtool", "--fingerprint", "--hash=sha256", "--infile", cert_path, NULL };

  g_assert_cmpint (fd_test_run (argv, &out, NULL), ==, 0);
  return g_strstrip (out);
}

/* A key and a file made by certtool from @template into @tmp: returns the file's text. */
static char *
certtool_make (const char *what, const char *name, const char *template_text)
{
  return fd_test_certtool (tmp, name, what, template_text, NULL, NULL);
}

static void
assert_no_secret_fields (JsonNode *cred)
{
  g_assert_false (json_object_has_member (fd_t_obj (cred), "private_key"));
  g_assert_false (json_object_has_member (fd_t_obj (cred), "secret"));
  g_assert_false (json_object_has_member (fd_t_obj (cred), "zdevice"));
}

static void
test_generated (void)
{
  g_autofree char *dev = make_device ("gen-1");
  g_autoptr (JsonNode) cred = create_credential (dev, "{\"kind\": \"generated\"}", 201);
  g_autofree char *info = NULL;
  g_autofree char *cn = g_strdup_printf ("CN=%s", dev);
  g_autofree char *ca_pem = NULL;
  g_autofree char *list_path = g_strdup_printf (FD_T_API "/devices/%s/credentials", dev);
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *list_text = NULL;
  JsonObject *zdev, *devinfo, *endpoint;

  fd_t_assert_id (fd_t_str (cred, "id"), "crd");
  g_assert_cmpstr (fd_t_str (cred, "kind"), ==, "generated");
  g_assert_cmpstr (fd_t_str (cred, "device_id"), ==, dev);
  g_assert_true (g_regex_match_simple ("^[0-9a-f]{64}$", fd_t_str (cred, "fingerprint"), 0, 0));
  g_assert_cmpstr (fd_t_str (cred, "subject"), ==, cn);
  g_assert_true (g_str_has_prefix (fd_t_str (cred, "issuer"), "CN=Fleetdesk local CA"));
  fd_t_assert_time (fd_t_str (cred, "expires_at"));
  g_assert_false (fd_t_bool (cred, "revoked"));
  g_assert_true (g_str_has_prefix (fd_t_str (cred, "private_key"), "-----BEGIN PRIVATE KEY-----"));

  /* The CA really issued it, for this device and for TLS clients. */
  g_assert_cmpint (certtool_verify (fd_t_str (cred, "certificate")), ==, 0);
  info = certtool_info (fd_t_str (cred, "certificate"));
  g_assert_nonnull (strstr (info, cn));
  g_assert_nonnull (strstr (info, "TLS WWW Client"));
  g_assert_nonnull (strstr (info, "EC/ECDSA"));

  /* The bundle to flash: zdevice.json as Zerynth clients read it. */
  zdev = member_object (cred, "zdevice");
  devinfo = json_object_get_object_member (zdev, "devinfo");
  endpoint = json_object_get_object_member (zdev, "endpoint");
  g_assert_cmpstr (json_object_get_string_member (devinfo, "device_id"), ==, dev);
  g_assert_cmpstr (json_object_get_string_member (devinfo, "mode"), ==, "certificate");
  g_assert_cmpstr (json_object_get_string_member (zdev, "prvkey"), ==,
                   fd_t_str (cred, "private_key"));
  g_assert_cmpstr (json_object_get_string_member (zdev, "clicert"), ==,
                   fd_t_str (cred, "certificate"));
  g_assert_true (g_file_get_contents (srv->ca_path, &ca_pem, NULL, NULL));
  g_assert_cmpstr (json_object_get_string_member (zdev, "cacert"), ==, ca_pem);
  g_assert_cmpstr (json_object_get_string_member (endpoint, "mode"), ==, "secure");
  g_assert_cmpint (json_object_get_int_member (endpoint, "https_port"), ==, srv->device_port);
  {
    g_autoptr (JsonNode) server = fd_t_call (srv, "GET", FD_T_API "/server", NULL, 200);
    g_assert_cmpint (json_object_get_int_member (endpoint, "port"), ==,
                     fd_t_int (server, "mqtt_port"));
    g_assert_cmpstr (json_object_get_string_member (endpoint, "host"), ==,
                     fd_t_str (server, "public_name"));
  }

  /* Listed without any secret. */
  list = fd_t_call (srv, "GET", list_path, NULL, 200);
  g_assert_cmpint (fd_t_int (list, "total"), ==, 1);
  assert_no_secret_fields (fd_t_item (list, 0));
  g_assert_cmpstr (fd_t_str (fd_t_item (list, 0), "fingerprint"), ==,
                   fd_t_str (cred, "fingerprint"));
  list_text = json_to_string (list, FALSE);
  g_assert_null (strstr (list_text, "PRIVATE KEY"));
}

static void
test_csr (void)
{
  g_autofree char *dev = make_device ("csr-1");
  g_autofree char *csr = certtool_make ("--generate-request", "dev-csr",
                                        "cn = \"someone-else\"\norganization = \"Lab\"\n");
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body_node = NULL;
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) cred = NULL;
  g_autofree char *info = NULL;
  g_autofree char *cn = g_strdup_printf ("CN=%s", dev);
  JsonObject *zdev;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "csr");
  json_builder_set_member_name (b, "csr");
  json_builder_add_string_value (b, csr);
  json_builder_end_object (b);
  body_node = json_builder_get_root (b);
  body = json_to_string (body_node, FALSE);
  cred = create_credential (dev, body, 201);

  g_assert_cmpstr (fd_t_str (cred, "kind"), ==, "csr");
  /* CN forced to the device, whatever the CSR asked for. */
  g_assert_cmpstr (fd_t_str (cred, "subject"), ==, cn);
  g_assert_cmpint (certtool_verify (fd_t_str (cred, "certificate")), ==, 0);
  info = certtool_info (fd_t_str (cred, "certificate"));
  g_assert_null (strstr (info, "someone-else"));
  /* The device keeps its key: nothing private comes back. */
  g_assert_false (json_object_has_member (fd_t_obj (cred), "private_key"));
  zdev = member_object (cred, "zdevice");
  g_assert_cmpstr (json_object_get_string_member (zdev, "prvkey"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (zdev, "clicert"), ==,
                   fd_t_str (cred, "certificate"));

  /* A CSR that is not one is refused by name. */
  fd_t_expect_error (srv, "POST", g_strdup_printf (FD_T_API "/devices/%s/credentials", dev),
                     "{\"kind\": \"csr\", \"csr\": \"-----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n"
                     "-----END CERTIFICATE REQUEST-----\\n\"}",
                     400, "invalid_field", "csr");
}

static void
test_imported_certificate (void)
{
  g_autofree char *dev = make_device ("own-1");
  g_autofree char *other = make_device ("own-2");
  g_autofree char *cert = certtool_make ("--generate-self-signed", "own",
                                         "cn = \"secure element 42\"\nexpiration_days = 30\n"
                                         "tls_www_client\n");
  g_autofree char *cert_path = g_strdup_printf ("%s/own.pem", tmp);
  g_autofree char *fp = certtool_fingerprint (cert_path);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body_node = NULL;
  g_autofree char *body = NULL;
  g_autoptr (JsonNode) cred = NULL;
  g_autoptr (JsonNode) again = NULL;
  g_autofree char *revoke = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "certificate");
  json_builder_set_member_name (b, "certificate");
  json_builder_add_string_value (b, cert);
  json_builder_end_object (b);
  body_node = json_builder_get_root (b);
  body = json_to_string (body_node, FALSE);
  cred = create_credential (dev, body, 201);

  g_assert_cmpstr (fd_t_str (cred, "kind"), ==, "certificate");
  g_assert_cmpstr (fd_t_str (cred, "fingerprint"), ==, fp);
  g_assert_cmpstr (fd_t_str (cred, "subject"), ==, "CN=secure element 42");

  /* One certificate, one live credential: binding it to a second device is a conflict ... */
  fd_t_expect_error (srv, "POST", g_strdup_printf (FD_T_API "/devices/%s/credentials", other), body,
                     409, "conflict", NULL);
  /* ... until the first binding is revoked. */
  revoke = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s", dev, fd_t_str (cred, "id"));
  call_204 ("DELETE", revoke);
  again = create_credential (other, body, 201);
  g_assert_cmpstr (fd_t_str (again, "fingerprint"), ==, fp);

  /* A private key pasted by mistake is refused without being echoed. */
  {
    g_autofree char *key = NULL;
    g_autofree char *key_path = g_strdup_printf ("%s/own.key", tmp);
    g_autoptr (JsonBuilder) kb = json_builder_new ();
    g_autoptr (JsonNode) kn = NULL;
    g_autofree char *kbody = NULL;
    g_autoptr (JsonNode) answer = NULL;
    g_autofree char *text = NULL;
    guint status = 0;

    g_assert_true (g_file_get_contents (key_path, &key, NULL, NULL));
    json_builder_begin_object (kb);
    json_builder_set_member_name (kb, "kind");
    json_builder_add_string_value (kb, "certificate");
    json_builder_set_member_name (kb, "certificate");
    json_builder_add_string_value (kb, key);
    json_builder_end_object (kb);
    kn = json_builder_get_root (kb);
    kbody = json_to_string (kn, FALSE);
    answer = fd_test_api (srv, "POST", g_strdup_printf (FD_T_API "/devices/%s/credentials", other),
                          kbody, &status);
    fd_t_assert_error (answer, status, 400, "invalid_field", "certificate");
    text = json_to_string (answer, FALSE);
    g_assert_null (strstr (text, "PRIVATE KEY"));
  }
}

static void
test_keys (void)
{
  g_autofree char *dev = make_device ("key-1");
  g_autoptr (JsonNode) k1 = create_credential (dev, "{\"kind\": \"key\"}", 201);
  g_autoptr (JsonNode) k2
      = create_credential (dev, "{\"kind\": \"key\", \"mode\": \"cloud_token\"}", 201);
  g_autoptr (JsonNode) k3
      = create_credential (dev, "{\"kind\": \"key\", \"expires\": \"2099-01-01T00:00:00Z\"}", 201);
  gsize len = 0;
  g_autofree guchar *raw = g_base64_decode (fd_t_str (k1, "secret"), &len);
  JsonObject *zdev = member_object (k1, "zdevice");
  JsonObject *devinfo = json_object_get_object_member (zdev, "devinfo");

  g_assert_cmpstr (fd_t_str (k1, "kind"), ==, "key");
  g_assert_cmpstr (fd_t_str (k1, "mode"), ==, "device_token");
  g_assert_cmpint (fd_t_int (k1, "key_id"), ==, 1);
  g_assert_cmpuint (len, ==, 32);
  g_assert_true (fd_t_is_null (k1, "expires_at"));
  g_assert_true (fd_t_is_null (k1, "fingerprint"));
  g_assert_cmpstr (json_object_get_string_member (devinfo, "mode"), ==, "device_token");
  g_assert_cmpint (json_object_get_int_member (devinfo, "key_id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (devinfo, "key_type"), ==, "sym");
  g_assert_cmpstr (json_object_get_string_member (zdev, "prvkey"), ==, fd_t_str (k1, "secret"));
  g_assert_false (json_object_has_member (zdev, "clicert"));

  g_assert_cmpstr (fd_t_str (k2, "mode"), ==, "cloud_token");
  g_assert_cmpint (fd_t_int (k2, "key_id"), ==, 2);
  g_assert_true (g_str_has_prefix (fd_t_str (k2, "secret"), "fdc_"));
  g_assert_cmpstr (fd_t_str (k3, "expires_at"), ==, "2099-01-01T00:00:00.000Z");
  g_assert_cmpint (fd_t_int (k3, "key_id"), ==, 3);

  /* The secret was in the creating answer only: not in the list, not in zdevice.json. */
  {
    g_autofree char *list_path = g_strdup_printf (FD_T_API "/devices/%s/credentials", dev);
    g_autoptr (JsonNode) list = fd_t_call (srv, "GET", list_path, NULL, 200);
    g_autofree char *text = json_to_string (list, FALSE);
    g_autofree char *zpath = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s/zdevice.json",
                                              dev, fd_t_str (k1, "id"));
    g_autoptr (SoupMessageHeaders) headers = NULL;
    g_autoptr (JsonNode) z = NULL;
    g_autofree char *ztext = NULL;
    g_autofree char *disposition = NULL;
    guint status = 0;

    g_assert_cmpint (fd_t_int (list, "total"), ==, 3);
    g_assert_null (strstr (text, fd_t_str (k1, "secret")));
    /* Paged like every list: total counts all of them. */
    {
      g_autofree char *paged_path = g_strdup_printf ("%s?from=1&size=1", list_path);
      g_autoptr (JsonNode) paged = fd_t_call (srv, "GET", paged_path, NULL, 200);
      g_assert_cmpint (fd_t_int (paged, "total"), ==, 3);
      g_assert_cmpuint (json_array_get_length (fd_t_items (paged)), ==, 1);
      g_assert_cmpstr (fd_t_str (fd_t_item (paged, 0), "id"), ==, fd_t_str (k2, "id"));
    }
    g_assert_null (strstr (text, fd_t_str (k2, "secret")));
    for (guint i = 0; i < 3; i++)
      assert_no_secret_fields (fd_t_item (list, i));

    z = fd_test_api_full (srv, "GET", zpath, NULL, NULL, 0, srv->token, &status, &headers);
    g_assert_cmpuint (status, ==, 200);
    ztext = json_to_string (z, FALSE);
    g_assert_null (strstr (ztext, fd_t_str (k1, "secret")));
    g_assert_cmpstr (fd_t_str (z, "prvkey"), ==, "");
    disposition = fd_t_header (headers, "Content-Disposition");
    g_assert_nonnull (strstr (disposition, "zdevice.json"));
  }
}

static void
test_revoke (void)
{
  g_autofree char *dev = make_device ("rev-1");
  g_autofree char *other = make_device ("rev-2");
  g_autoptr (JsonNode) k = create_credential (dev, "{\"kind\": \"key\"}", 201);
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s", dev, fd_t_str (k, "id"));
  g_autofree char *wrong_device
      = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s", other, fd_t_str (k, "id"));
  g_autoptr (JsonNode) got = NULL;
  g_autoptr (JsonNode) audit = NULL;
  g_autofree char *audit_path = NULL;

  /* A credential is reached only through its own device. */
  fd_t_expect_error (srv, "GET", wrong_device, NULL, 404, "not_found", NULL);
  fd_t_expect_error (srv, "DELETE", wrong_device, NULL, 404, "not_found", NULL);
  call_204 ("DELETE", path);
  got = fd_t_call (srv, "GET", path, NULL, 200);
  g_assert_true (fd_t_bool (got, "revoked"));
  fd_t_assert_time (fd_t_str (got, "revoked_at"));
  /* Revoking again changes nothing and is not an error. */
  call_204 ("DELETE", path);
  fd_t_expect_error (
      srv, "DELETE",
      g_strdup_printf (FD_T_API "/devices/%s/credentials/crd-aaaaaaaaaaaaaaaaaaaa", dev), NULL, 404,
      "not_found", NULL);

  audit_path = g_strdup_printf (FD_T_API "/audit?target=%s", fd_t_str (k, "id"));
  audit = fd_t_call (srv, "GET", audit_path, NULL, 200);
  g_assert_cmpint (fd_t_int (audit, "total"), ==, 2);
  g_assert_cmpstr (fd_t_str (fd_t_item (audit, 0), "action"), ==, "credential.revoke");
  g_assert_cmpstr (fd_t_str (fd_t_item (audit, 1), "action"), ==, "credential.create");

  /* Deleting the device takes its credentials with it. */
  {
    g_autofree char *dev_path = g_strdup_printf (FD_T_API "/devices/%s", dev);
    call_204 ("DELETE", dev_path);
  }
  fd_t_expect_error (srv, "GET", g_strdup_printf (FD_T_API "/devices/%s/credentials", dev), NULL,
                     404, "not_found", NULL);
}

static void
test_bad_requests (void)
{
  g_autofree char *dev = make_device ("bad-1");
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials", dev);
  g_autoptr (JsonNode) list = NULL;
  static const struct
  {
    const char *body;
    const char *field;
  } cases[] = {
    { "{}", "kind" },
    { "{\"kind\": \"password\"}", "kind" },
    { "{\"kind\": 3}", "kind" },
    { "{\"kind\": \"generated\", \"csr\": \"x\"}", "csr" },
    { "{\"kind\": \"key\", \"certificate\": \"x\"}", "certificate" },
    { "{\"kind\": \"generated\", \"mode\": \"cloud_token\"}", "mode" },
    { "{\"kind\": \"key\", \"mode\": \"plain\"}", "mode" },
    { "{\"kind\": \"csr\"}", "csr" },
    { "{\"kind\": \"certificate\"}", "certificate" },
    { "{\"kind\": \"certificate\", \"certificate\": \"hello\"}", "certificate" },
    { "{\"kind\": \"key\", \"expires\": \"2001-01-01T00:00:00Z\"}", "expires" },
    { "{\"kind\": \"key\", \"expires\": \"tomorrow\"}", "expires" },
    { "{\"kind\": \"key\", \"expires\": 1999}", "expires" },
    { "{\"kind\": \"key\", \"colour\": \"blue\"}", "colour" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    fd_t_expect_error (srv, "POST", path, cases[i].body, 400, "invalid_field", cases[i].field);
  fd_t_expect_error (srv, "POST", FD_T_API "/devices/" FD_T_NO_DEV "/credentials",
                     "{\"kind\": \"key\"}", 404, "not_found", NULL);
  /* Nothing was made by any of them. */
  list = fd_t_call (srv, "GET", path, NULL, 200);
  g_assert_cmpint (fd_t_int (list, "total"), ==, 0);
}

static void
test_server_info (void)
{
  g_autoptr (JsonNode) info = fd_t_call (srv, "GET", FD_T_API "/server", NULL, 200);
  g_autofree char *fp = certtool_fingerprint (srv->ca_path);
  JsonObject *ca = member_object (info, "ca");
  JsonObject *cert = member_object (info, "server_certificate");
  JsonArray *names = json_object_get_array_member (cert, "names");
  gboolean localhost = FALSE, loopback = FALSE;
  struct stat st;
  g_autofree char *pki = g_build_filename (srv->data_dir, "pki", NULL);
  g_autofree char *ca_key = g_build_filename (pki, "ca.key", NULL);

  g_assert_cmpstr (json_object_get_string_member (ca, "fingerprint"), ==, fp);
  g_assert_cmpint (fd_t_int (info, "device_port"), ==, srv->device_port);
  for (guint i = 0; i < json_array_get_length (names); i++)
    {
      localhost |= g_str_equal (json_array_get_string_element (names, i), "localhost");
      loopback |= g_str_equal (json_array_get_string_element (names, i), "127.0.0.1");
    }
  g_assert_true (localhost && loopback);
  g_assert_null (strstr (json_to_string (info, FALSE), "PRIVATE KEY"));

  /* The CA key is private to the server. */
  g_assert_cmpint (stat (pki, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (stat (ca_key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) wks = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);
  tmp = g_dir_make_tmp ("fd-cred-XXXXXX", &error);
  g_assert_no_error (error);
  wks = fd_t_make_workspace (srv, "Credentials");
  workspace = g_strdup (fd_t_str (wks, "id"));

  g_test_add_func ("/credentials/generated", test_generated);
  g_test_add_func ("/credentials/csr", test_csr);
  g_test_add_func ("/credentials/imported-certificate", test_imported_certificate);
  g_test_add_func ("/credentials/keys", test_keys);
  g_test_add_func ("/credentials/revoke", test_revoke);
  g_test_add_func ("/credentials/bad-requests", test_bad_requests);
  g_test_add_func ("/credentials/server-info", test_server_info);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  fd_test_rm_rf (tmp);
  return ret;
}
