/* test-device-client.c — the device client library without a server: zdevice.json is read
 * strictly and every error names the member to fix; device tokens verify with the server's
 * fd_jwt_verify; the TLS material (CA database, client certificate and key) is checked with
 * certtool-made files.
 */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "fd-device-client-private.h"
#include "fd-device-tls.h"
#include "pki/fd-jwt.h"

static char *tmp;

/* A well-formed zdevice.json of @mode, as the server writes it (plus Zerynth's own members). */
static char *
good_zdevice (const char *mode)
{
  const char *cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  const char *prvkey = g_str_equal (mode, "device_token")
                           ? "c2VjcmV0LWtleS1vZi0zMi1ieXRlcy0wMTIzNDU2Nzg="
                       : g_str_equal (mode, "cloud_token") ? "tok_abcdef0123456789"
                                                           : "-----BEGIN PRIVATE KEY-----\nMIIE\n"
                                                             "-----END PRIVATE KEY-----\n";
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "devinfo");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, "dev-aaaaaaaaaaaaaaaaaaaa");
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, mode);
  if (g_str_equal (mode, "device_token"))
    {
      json_builder_set_member_name (b, "key_id");
      json_builder_add_int_value (b, 3);
      json_builder_set_member_name (b, "key_type");
      json_builder_add_string_value (b, "sym");
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "prvkey");
  json_builder_add_string_value (b, prvkey);
  json_builder_set_member_name (b, "endpoint");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, "lab.example");
  json_builder_set_member_name (b, "port");
  json_builder_add_int_value (b, 8883);
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, "secure");
  json_builder_set_member_name (b, "https_port");
  json_builder_add_int_value (b, 7443);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "cacert");
  json_builder_add_string_value (b, cert);
  if (g_str_equal (mode, "certificate"))
    {
      json_builder_set_member_name (b, "clicert");
      json_builder_add_string_value (b, cert);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

/* @text with the member at @path ("devinfo.mode") set to the JSON @value, or removed when
 * @value is NULL. */
static char *
mutate (const char *text, const char *path, const char *value)
{
  g_autoptr (JsonNode) root = json_from_string (text, NULL);
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  JsonObject *obj = json_node_get_object (root);
  guint n = g_strv_length (parts);

  for (guint i = 0; i + 1 < n; i++)
    obj = json_object_get_object_member (obj, parts[i]);
  if (value == NULL)
    json_object_remove_member (obj, parts[n - 1]);
  else
    json_object_set_member (obj, parts[n - 1], json_from_string (value, NULL));
  return json_to_string (root, FALSE);
}

static void
test_good_files (void)
{
  static const char *const modes[] = { "device_token", "cloud_token", "certificate" };

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autofree char *text = good_zdevice (modes[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (FdDeviceConfig) c = fd_device_config_parse (text, strlen (text), "z.json", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (c->device_id, ==, "dev-aaaaaaaaaaaaaaaaaaaa");
      g_assert_cmpstr (fd_device_mode_name (c->mode), ==, modes[i]);
      g_assert_cmpstr (c->host, ==, "lab.example");
      g_assert_cmpuint (c->https_port, ==, 7443);
      g_assert_true (g_str_has_prefix (c->cacert_pem, "-----BEGIN CERTIFICATE-----"));
      switch (c->mode)
        {
        case FD_DEVICE_MODE_DEVICE_TOKEN:
          g_assert_cmpint (c->key_id, ==, 3);
          g_assert_cmpuint (g_bytes_get_size (c->secret), ==, 32);
          g_assert_cmpmem (g_bytes_get_data (c->secret, NULL), 32,
                           "secret-key-of-32-bytes-012345678", 32);
          break;
        case FD_DEVICE_MODE_CLOUD_TOKEN:
          g_assert_cmpstr (c->token, ==, "tok_abcdef0123456789");
          break;
        case FD_DEVICE_MODE_CERTIFICATE:
          g_assert_true (g_str_has_prefix (c->prvkey_pem, "-----BEGIN PRIVATE KEY-----"));
          g_assert_true (g_str_has_prefix (c->clicert_pem, "-----BEGIN CERTIFICATE-----"));
          break;
        }
    }
}

typedef struct
{
  const char *mode;  /* the good file to start from */
  const char *path;  /* the member to change */
  const char *value; /* its new JSON value; NULL: removed */
  FdDeviceConfigError code;
  const char *names; /* what the message must name */
} BadCase;

static const BadCase bad_cases[] = {
  { "device_token", "devinfo", NULL, FD_DEVICE_CONFIG_ERROR_MISSING, "devinfo" },
  { "device_token", "devinfo", "3", FD_DEVICE_CONFIG_ERROR_INVALID, "devinfo" },
  { "device_token", "devinfo.device_id", NULL, FD_DEVICE_CONFIG_ERROR_MISSING,
    "devinfo.device_id" },
  { "device_token", "devinfo.device_id", "\"\"", FD_DEVICE_CONFIG_ERROR_INVALID,
    "devinfo.device_id" },
  { "device_token", "devinfo.device_id", "12", FD_DEVICE_CONFIG_ERROR_INVALID,
    "devinfo.device_id" },
  { "device_token", "devinfo.device_id",
    "\"dev-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
    FD_DEVICE_CONFIG_ERROR_INVALID, "devinfo.device_id" },
  { "device_token", "devinfo.device_id", "\"dev\\u0001\"", FD_DEVICE_CONFIG_ERROR_INVALID,
    "devinfo.device_id" },
  { "device_token", "devinfo.mode", NULL, FD_DEVICE_CONFIG_ERROR_MISSING, "devinfo.mode" },
  { "device_token", "devinfo.mode", "\"password\"", FD_DEVICE_CONFIG_ERROR_INVALID,
    "device_token, cloud_token or certificate" },
  { "device_token", "devinfo.mode", "null", FD_DEVICE_CONFIG_ERROR_INVALID, "devinfo.mode" },
  { "device_token", "devinfo.key_id", NULL, FD_DEVICE_CONFIG_ERROR_MISSING, "devinfo.key_id" },
  { "device_token", "devinfo.key_id", "\"3\"", FD_DEVICE_CONFIG_ERROR_INVALID, "devinfo.key_id" },
  { "device_token", "devinfo.key_id", "-1", FD_DEVICE_CONFIG_ERROR_INVALID, "devinfo.key_id" },
  { "device_token", "devinfo.key_id", "1.5", FD_DEVICE_CONFIG_ERROR_INVALID, "devinfo.key_id" },
  { "device_token", "prvkey", NULL, FD_DEVICE_CONFIG_ERROR_MISSING, "prvkey" },
  { "device_token", "prvkey", "\"\"", FD_DEVICE_CONFIG_ERROR_INVALID, "prvkey" },
  { "device_token", "prvkey", "\"not base64!\"", FD_DEVICE_CONFIG_ERROR_INVALID, "prvkey" },
  { "device_token", "prvkey", "\"QUJ\"", FD_DEVICE_CONFIG_ERROR_INVALID, "prvkey" },
  { "device_token", "prvkey", "\"QU=D\"", FD_DEVICE_CONFIG_ERROR_INVALID, "prvkey" },
  { "device_token", "prvkey", "42", FD_DEVICE_CONFIG_ERROR_INVALID, "prvkey" },
  { "cloud_token", "prvkey", "\"\"", FD_DEVICE_CONFIG_ERROR_INVALID, "prvkey" },
  { "cloud_token", "prvkey", "\"two words\"", FD_DEVICE_CONFIG_ERROR_INVALID, "prvkey" },
  { "certificate", "prvkey", "\"\"", FD_DEVICE_CONFIG_ERROR_INVALID, "private key" },
  { "certificate", "prvkey", "\"c2VjcmV0\"", FD_DEVICE_CONFIG_ERROR_INVALID, "prvkey" },
  { "certificate", "clicert", NULL, FD_DEVICE_CONFIG_ERROR_MISSING, "clicert" },
  { "certificate", "clicert", "\"hello\"", FD_DEVICE_CONFIG_ERROR_INVALID, "clicert" },
  { "device_token", "endpoint", NULL, FD_DEVICE_CONFIG_ERROR_MISSING, "endpoint" },
  { "device_token", "endpoint", "[]", FD_DEVICE_CONFIG_ERROR_INVALID, "endpoint" },
  { "device_token", "endpoint.host", NULL, FD_DEVICE_CONFIG_ERROR_MISSING, "endpoint.host" },
  { "device_token", "endpoint.host", "\"\"", FD_DEVICE_CONFIG_ERROR_INVALID, "endpoint.host" },
  { "device_token", "endpoint.host", "\"lab example\"", FD_DEVICE_CONFIG_ERROR_INVALID,
    "endpoint.host" },
  { "device_token", "endpoint.https_port", NULL, FD_DEVICE_CONFIG_ERROR_MISSING,
    "endpoint.https_port" },
  { "device_token", "endpoint.https_port", "0", FD_DEVICE_CONFIG_ERROR_INVALID,
    "endpoint.https_port" },
  { "device_token", "endpoint.https_port", "70000", FD_DEVICE_CONFIG_ERROR_INVALID,
    "endpoint.https_port" },
  { "device_token", "endpoint.https_port", "\"7443\"", FD_DEVICE_CONFIG_ERROR_INVALID,
    "endpoint.https_port" },
  { "device_token", "cacert", NULL, FD_DEVICE_CONFIG_ERROR_MISSING, "cacert" },
  { "device_token", "cacert", "\"\"", FD_DEVICE_CONFIG_ERROR_INVALID, "cacert" },
  { "device_token", "cacert", "\"not a certificate\"", FD_DEVICE_CONFIG_ERROR_INVALID, "cacert" },
};

static void
test_bad_members (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *bc = &bad_cases[i];
      g_autofree char *good = good_zdevice (bc->mode);
      g_autofree char *text = mutate (good, bc->path, bc->value);
      g_autoptr (GError) error = NULL;
      g_autoptr (FdDeviceConfig) c
          = fd_device_config_parse (text, strlen (text), "my.json", &error);

      g_test_message ("case %u: %s %s = %s", i, bc->mode, bc->path, bc->value ? bc->value : "-");
      g_assert_null (c);
      g_assert_error (error, FD_DEVICE_CONFIG_ERROR, (gint)bc->code);
      if (!g_str_has_prefix (error->message, "my.json: ")
          || strstr (error->message, bc->names) == NULL)
        g_error ("case %u: \"%s\" does not start with the file and name \"%s\"", i, error->message,
                 bc->names);
    }
}

static void
test_not_json (void)
{
  static const struct
  {
    const char *text;
    gsize len;
  } cases[] = {
    { "", 0 },       { "[]", 2 }, { "{", 1 }, { "\"devinfo\"", 9 }, { "{\"a\":\"\xff\"}", 9 },
    { "{}\0{}", 5 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FdDeviceConfig) c
          = fd_device_config_parse (cases[i].text, cases[i].len, "x.json", &error);
      g_assert_null (c);
      g_assert_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_SYNTAX);
    }
  /* An empty object is JSON: the first thing missing is named. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FdDeviceConfig) c = fd_device_config_parse ("{}", 2, "x.json", &error);
    g_assert_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_MISSING);
    g_assert_nonnull (strstr (error->message, "devinfo"));
  }
}

static void
test_load_bounds (void)
{
  g_autofree char *good = good_zdevice ("cloud_token");
  g_autofree char *missing = g_build_filename (tmp, "nothing-here.json", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceConfig) c = NULL;
  g_autoptr (GString) padded = g_string_new (good);
  g_autofree char *at_limit = NULL, *over = NULL;

  c = fd_device_config_load (missing, &error);
  g_assert_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_IO);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  c = fd_device_config_load (tmp, &error);
  g_assert_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_IO);
  g_clear_error (&error);

  /* Exactly 64 KiB (white space after the object) is read; one byte more is not. */
  while (padded->len < FD_DEVICE_CONFIG_MAX_BYTES)
    g_string_append_c (padded, ' ');
  at_limit = g_build_filename (tmp, "limit.json", NULL);
  g_assert_true (g_file_set_contents (at_limit, padded->str, (gssize)padded->len, NULL));
  c = fd_device_config_load (at_limit, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->token, ==, "tok_abcdef0123456789");
  g_clear_pointer (&c, fd_device_config_free);

  g_string_append_c (padded, ' ');
  over = g_build_filename (tmp, "over.json", NULL);
  g_assert_true (g_file_set_contents (over, padded->str, (gssize)padded->len, NULL));
  c = fd_device_config_load (over, &error);
  g_assert_null (c);
  g_assert_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_TOO_LARGE);
}

/* The token the client mints is one the server accepts: fd_jwt_verify with the same key. */
static void
test_jwt_verifies (void)
{
  guint8 key[32];
  g_autofree char *b64 = NULL, *good = NULL, *text = NULL, *token = NULL;
  g_autoptr (FdDeviceConfig) c = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  FdJwtClaims claims;
  guint8 other[32];

  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8)g_random_int ();
  b64 = g_base64_encode (key, sizeof key);
  good = good_zdevice ("device_token");
  {
    g_autofree char *quoted = g_strdup_printf ("\"%s\"", b64);
    text = mutate (good, "prvkey", quoted);
  }
  c = fd_device_config_parse (text, strlen (text), "z.json", &error);
  g_assert_no_error (error);

  token = fd_device_config_mint_jwt (c, now, FD_DEVICE_JWT_LIFETIME_S);
  g_assert_true (fd_jwt_looks_like (token));
  g_assert_true (fd_jwt_verify (token, key, sizeof key, now, &claims, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (claims.sub, ==, "dev-aaaaaaaaaaaaaaaaaaaa");
  g_assert_cmpint (claims.key, ==, 3);
  g_assert_cmpint (claims.exp, ==, now + 3600);

  /* Signed with this key and no other, and not valid past its hour. */
  memcpy (other, key, sizeof other);
  other[0] ^= 1;
  g_assert_false (fd_jwt_verify (token, other, sizeof other, now, &claims, &error));
  g_assert_error (error, FD_JWT_ERROR, FD_JWT_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_assert_false (fd_jwt_verify (token, key, sizeof key, now + 3601, &claims, &error));
  g_assert_error (error, FD_JWT_ERROR, FD_JWT_ERROR_EXPIRED);
}

/* ---- TLS material -------------------------------------------------------------------------- */

static char *
run_certtool (const char *const *argv)
{
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return out;
}

static char *
read_text (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* A key in TMP/NAME.key and a self-signed certificate for it in TMP/NAME.crt. */
static void
make_pair (const char *name, const char *template_text)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", tmp, name);
  g_autofree char *crt = g_strdup_printf ("%s/%s.crt", tmp, name);
  g_autofree char *tmpl = g_strdup_printf ("%s/%s.cfg", tmp, name);
  const char *genkey[]
      = { "certtool", "--generate-privkey", "--key-type=ecdsa", "--outfile", key, NULL };
  const char *self[] = { "certtool",
                         "--generate-self-signed",
                         "--load-privkey",
                         key,
                         "--template",
                         tmpl,
                         "--outfile",
                         crt,
                         NULL };

  g_assert_true (g_file_set_contents (tmpl, template_text, -1, NULL));
  g_free (run_certtool (genkey));
  g_free (run_certtool (self));
}

static void
test_tls_material (void)
{
  g_autofree char *ca = NULL, *dev_crt = NULL, *dev_key = NULL, *other_key = NULL;
  g_autofree char *good = good_zdevice ("certificate");
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsDatabase) db = NULL;

  make_pair ("ca", "cn = \"Test CA\"\nca\ncert_signing_key\nexpiration_days = 30\n");
  make_pair ("dev", "cn = \"dev-aaaaaaaaaaaaaaaaaaaa\"\ntls_www_client\nexpiration_days = 30\n");
  make_pair ("other", "cn = \"other\"\nexpiration_days = 30\n");
  ca = read_text (g_build_filename (tmp, "ca.crt", NULL));
  dev_crt = read_text (g_build_filename (tmp, "dev.crt", NULL));
  dev_key = read_text (g_build_filename (tmp, "dev.key", NULL));
  other_key = read_text (g_build_filename (tmp, "other.key", NULL));

  db = fd_device_trust_new (ca, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_DATABASE (db));
  g_assert_null (fd_device_trust_new ("-----BEGIN CERTIFICATE-----\nnonsense\n"
                                      "-----END CERTIFICATE-----\n",
                                      &error));
  g_assert_nonnull (strstr (error->message, "cacert"));
  g_clear_error (&error);

  for (int matching = 1; matching >= 0; matching--)
    {
      g_autofree char *q_crt = g_strescape (dev_crt, NULL);
      g_autofree char *q_key = g_strescape (matching ? dev_key : other_key, NULL);
      g_autofree char *v_crt = g_strdup_printf ("\"%s\"", q_crt);
      g_autofree char *v_key = g_strdup_printf ("\"%s\"", q_key);
      g_autofree char *step = mutate (good, "clicert", v_crt);
      g_autofree char *text = mutate (step, "prvkey", v_key);
      g_autoptr (FdDeviceConfig) c = fd_device_config_parse (text, strlen (text), "d.json", &error);
      g_autoptr (GTlsCertificate) cert = NULL;

      g_assert_no_error (error);
      cert = fd_device_certificate_new (c, &error);
      if (matching)
        {
          g_assert_no_error (error);
          g_assert_true (G_IS_TLS_CERTIFICATE (cert));
          /* The client takes the configuration and the shared database. */
          {
            g_autoptr (FdDeviceClient) client
                = fd_device_client_new (g_steal_pointer (&c), db, &error);
            g_assert_no_error (error);
            g_assert_false (fd_device_client_is_connected (client));
            g_assert_false (fd_device_client_is_busy (client));
          }
        }
      else
        {
          g_assert_null (cert);
          g_assert_nonnull (strstr (error->message, "prvkey is not the private key of clicert"));
          g_clear_error (&error);
          {
            g_autoptr (FdDeviceClient) client
                = fd_device_client_new (g_steal_pointer (&c), db, &error);
            g_assert_null (client);
            g_assert_nonnull (error);
          }
        }
    }
}

/* A client keeps its token while it is good for more than FD_DEVICE_JWT_RENEW_S, then mints
 * the next one: no request carries a token about to expire. */
static void
test_jwt_renewed (void)
{
  guint8 key[32];
  g_autofree char *b64 = g_base64_encode (memset (key, 7, sizeof key), sizeof key);
  g_autofree char *quoted = g_strdup_printf ("\"%s\"", b64);
  g_autofree char *good = good_zdevice ("device_token");
  g_autofree char *text = mutate (good, "prvkey", quoted);
  g_autofree char *ca_path = g_build_filename (tmp, "renew-ca.crt", NULL);
  g_autofree char *ca = NULL;
  g_autoptr (GTlsDatabase) db = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FdDeviceClient) client = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 renew_at = now + FD_DEVICE_JWT_LIFETIME_S - FD_DEVICE_JWT_RENEW_S;
  g_autofree char *first = NULL, *second = NULL;
  FdJwtClaims claims;

  make_pair ("renew-ca", "cn = \"Test CA\"\nca\ncert_signing_key\nexpiration_days = 30\n");
  ca = read_text (ca_path);
  db = fd_device_trust_new (ca, NULL);
  g_assert_nonnull (db);
  client = fd_device_client_new (fd_device_config_parse (text, strlen (text), "z.json", NULL), db,
                                 &error);
  g_assert_no_error (error);
  first = g_strdup (fd_device_client_bearer (client, now));
  g_assert_cmpstr (fd_device_client_bearer (client, now + 60), ==, first);
  g_assert_cmpstr (fd_device_client_bearer (client, renew_at - 1), ==, first);
  second = g_strdup (fd_device_client_bearer (client, renew_at));
  g_assert_cmpstr (second, !=, first);

  g_assert_true (fd_jwt_verify (first, key, sizeof key, renew_at - 1, &claims, NULL));
  g_assert_cmpint (claims.exp, ==, now + FD_DEVICE_JWT_LIFETIME_S);
  g_assert_true (fd_jwt_verify (second, key, sizeof key, renew_at, &claims, NULL));
  g_assert_cmpint (claims.exp, ==, renew_at + FD_DEVICE_JWT_LIFETIME_S);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  tmp = g_dir_make_tmp ("fd-device-client-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/device-client/config/good", test_good_files);
  g_test_add_func ("/device-client/config/bad-members", test_bad_members);
  g_test_add_func ("/device-client/config/not-json", test_not_json);
  g_test_add_func ("/device-client/config/load-bounds", test_load_bounds);
  g_test_add_func ("/device-client/jwt/verifies", test_jwt_verifies);
  g_test_add_func ("/device-client/tls/material", test_tls_material);
  g_test_add_func ("/device-client/jwt/renewed", test_jwt_renewed);

  ret = g_test_run ();
  {
    g_autoptr (GDir) dir = g_dir_open (tmp, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmp, name, NULL);
        g_unlink (p);
      }
    g_rmdir (tmp);
  }
  return ret;
}
