/* test-device-data.c — devices sending data over HTTPS, with real curl against a real
 * fleetdesk-server: every kind of credential works; unknown, revoked and expired ones do not;
 * every bad input is answered with a status and a message that names the problem and stores
 * nothing; data acknowledged with 202 survives a crash of the server.
 */
#include "config.h"

#include <signal.h>

#include "fd-test-api-util.h"
#include "pki/fd-jwt.h"

static FdTestServer *srv;
static char *workspace;
static char *tmp;

typedef struct
{
  char *device_id;
  char *cert; /* files for curl --cert/--key, or NULL */
  char *key;
  char *bearer; /* Authorization value, or NULL */
  char *credential_id;
} Dev;

static void
dev_free (Dev *d)
{
  g_free (d->device_id);
  g_free (d->cert);
  g_free (d->key);
  g_free (d->bearer);
  g_free (d->credential_id);
  g_free (d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Dev, dev_free)

static JsonNode *
post_credential (const char *device_id, const char *body)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials", device_id);
  return fd_t_call (srv, "POST", path, body, 201);
}

static char *
json_body (const char *kind, const char *member, const char *pem)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  if (member != NULL)
    {
      json_builder_set_member_name (b, member);
      json_builder_add_string_value (b, pem);
    }
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  return json_to_string (node, FALSE);
}

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp, name, NULL);
}

/* A device with a credential of @kind: generated, csr, certificate, key, cloud_token. */
static Dev *
make_dev (const char *name, const char *kind)
{
  g_autoptr (JsonNode) dev_node = fd_t_make_device (srv, workspace, name, NULL);
  Dev *d = g_new0 (Dev, 1);
  g_autoptr (JsonNode) cred = NULL;
  g_autofree char *body = NULL;

  d->device_id = g_strdup (fd_t_str (dev_node, "id"));
  if (g_str_equal (kind, "generated"))
    {
      cred = post_credential (d->device_id, "{\"kind\": \"generated\"}");
      d->cert = fd_test_write_file (tmp, g_strdup_printf ("%s.crt", name),
                                    fd_t_str (cred, "certificate"));
      d->key = fd_test_write_file (tmp, g_strdup_printf ("%s.key", name),
                                   fd_t_str (cred, "private_key"));
    }
  else if (g_str_equal (kind, "csr") || g_str_equal (kind, "certificate"))
    {
      g_autofree char *key = NULL, *out = NULL;
      g_autofree char *pem = fd_test_certtool (
          tmp, name, g_str_equal (kind, "csr") ? "--generate-request" : "--generate-self-signed",
          "cn = \"own\"\nexpiration_days = 30\ntls_www_client\n", &out, &key);

      body = json_body (kind, kind, pem);
      cred = post_credential (d->device_id, body);
      d->key = g_strdup (key);
      d->cert = g_str_equal (kind, "csr") ? fd_test_write_file (
                    tmp, g_strdup_printf ("%s.crt", name), fd_t_str (cred, "certificate"))
                                          : g_strdup (out);
    }
  else if (g_str_equal (kind, "key"))
    {
      gsize len = 0;
      g_autofree guchar *secret = NULL;
      g_autofree char *jwt = NULL;

      cred = post_credential (d->device_id, "{\"kind\": \"key\"}");
      secret = g_base64_decode (fd_t_str (cred, "secret"), &len);
      jwt = fd_jwt_sign (d->device_id, fd_t_int (cred, "key_id"),
                         g_get_real_time () / G_USEC_PER_SEC + 3600, secret, len);
      d->bearer = g_strdup_printf ("Authorization: Bearer %s", jwt);
    }
  else
    {
      cred = post_credential (d->device_id, "{\"kind\": \"key\", \"mode\": \"cloud_token\"}");
      d->bearer = g_strdup_printf ("Authorization: Bearer %s", fd_t_str (cred, "secret"));
    }
  d->credential_id = g_strdup (fd_t_str (cred, "id"));
  return d;
}

/* curl @d's request: returns the HTTP status (0 when no answer came, e.g. a refused
 * handshake) and the body in *@body. @extra is more curl arguments. */
static guint
device_curl (const Dev *d, const char *method, const char *path, const char *data_file,
             const char *const *extra, char **body)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = g_strconcat (srv->device_url, path, NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;
  guint status = 0;

  g_ptr_array_add (argv, g_strdup ("curl"));
  g_ptr_array_add (argv, g_strdup ("-sS"));
  g_ptr_array_add (argv, g_strdup ("--max-time"));
  g_ptr_array_add (argv, g_strdup ("20"));
  g_ptr_array_add (argv, g_strdup ("--cacert"));
  g_ptr_array_add (argv, g_strdup (srv->ca_path));
  g_ptr_array_add (argv, g_strdup ("-X"));
  g_ptr_array_add (argv, g_strdup (method));
  if (d != NULL && d->cert != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--cert"));
      g_ptr_array_add (argv, g_strdup (d->cert));
      g_ptr_array_add (argv, g_strdup ("--key"));
      g_ptr_array_add (argv, g_strdup (d->key));
    }
  if (d != NULL && d->bearer != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-H"));
      g_ptr_array_add (argv, g_strdup (d->bearer));
    }
  if (data_file != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-H"));
      g_ptr_array_add (argv, g_strdup ("Content-Type: application/json"));
      g_ptr_array_add (argv, g_strdup ("--data-binary"));
      g_ptr_array_add (argv, g_strdup_printf ("@%s", data_file));
    }
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, g_strdup ("-w"));
  g_ptr_array_add (argv, g_strdup ("\n%{http_code}"));
  g_ptr_array_add (argv, g_strdup (url));
  g_ptr_array_add (argv, NULL);

  fd_test_run ((const char *const *)argv->pdata, &out, &err);
  lines = g_strsplit (out ? out : "", "\n", -1);
  if (g_strv_length (lines) > 0)
    status = (guint)g_ascii_strtoull (lines[g_strv_length (lines) - 1], NULL, 10);
  if (body != NULL)
    {
      char *nl = out ? strrchr (out, '\n') : NULL;
      if (nl != NULL)
        *nl = '\0';
      *body = g_strdup (out ? out : "");
    }
  return status;
}

static guint
post_data (const Dev *d, const char *tag_path, const char *json, char **body)
{
  g_autofree char *file = fd_test_write_file (tmp, "data.json", json);
  return device_curl (d, "POST", tag_path, file, NULL, body);
}

/* Readings the server holds for @device_id (all tags). */
static gint64
readings_of (const char *device_id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/tags", device_id);
  g_autoptr (JsonNode) tags = fd_t_call (srv, "GET", path, NULL, 200);
  gint64 n = 0;

  for (guint i = 0; i < json_array_get_length (fd_t_items (tags)); i++)
    n += fd_t_int (fd_t_item (tags, i), "readings");
  return n;
}

static void
test_every_credential_kind (void)
{
  static const char *const kinds[] = { "generated", "csr", "certificate", "key", "cloud_token" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("kind-%s", kinds[i]);
      g_autoptr (Dev) d = make_dev (name, kinds[i]);
      g_autofree char *body = NULL, *who = NULL;
      g_autoptr (JsonNode) answer = NULL;
      g_autoptr (JsonNode) whoami = NULL;
      g_autofree char *tags_path = g_strdup_printf (FD_T_API "/devices/%s/tags", d->device_id);
      g_autoptr (JsonNode) tags = NULL;

      g_test_message ("credential kind %s", kinds[i]);
      g_assert_cmpuint (post_data (d, "/v1/data/weather", "{\"temp\": 21.5, \"hum\": 40}", &body),
                        ==, 202);
      answer = json_from_string (body, NULL);
      g_assert_cmpint (fd_t_int (answer, "accepted"), ==, 1);

      g_assert_cmpuint (device_curl (d, "GET", "/v1/whoami", NULL, NULL, &who), ==, 200);
      whoami = json_from_string (who, NULL);
      g_assert_cmpstr (fd_t_str (whoami, "device_id"), ==, d->device_id);
      g_assert_cmpstr (fd_t_str (whoami, "credential_id"), ==, d->credential_id);

      tags = fd_t_call (srv, "GET", tags_path, NULL, 200);
      g_assert_cmpint (fd_t_int (tags, "total"), ==, 1);
      g_assert_cmpstr (fd_t_str (fd_t_item (tags, 0), "tag"), ==, "weather");
      g_assert_cmpint (fd_t_int (fd_t_item (tags, 0), "readings"), ==, 1);
    }
}

static void
test_refused_credentials (void)
{
  g_autoptr (Dev) d = make_dev ("refused-1", "generated");
  g_autoptr (Dev) k = make_dev ("refused-2", "key");
  g_autoptr (Dev) stranger = g_new0 (Dev, 1);
  g_autoptr (Dev) expired = g_new0 (Dev, 1);
  g_autoptr (Dev) nobody = g_new0 (Dev, 1);
  g_autofree char *revoke = NULL;
  g_autofree char *body = NULL;
  guint status;

  /* A certificate no device has: its own key, self-signed. */
  {
    g_autofree char *key = NULL, *crt = NULL;
    g_autofree char *pem = fd_test_certtool (
        tmp, "stranger", "--generate-self-signed",
        "cn = \"stranger\"\nexpiration_days = 30\ntls_www_client\n", &crt, &key);
    stranger->cert = g_strdup (crt);
    stranger->key = g_strdup (key);
  }
  status = post_data (stranger, "/v1/data/weather", "{\"temp\": 1}", NULL);
  g_assert_true (status == 0 || status == 401);

  /* No credential at all. */
  g_assert_cmpuint (post_data (nobody, "/v1/data/weather", "{\"temp\": 1}", &body), ==, 401);
  g_assert_nonnull (strstr (body, "unauthorized"));

  /* An expired device token, signed with the real key. */
  {
    g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/credentials", k->device_id);
    g_autoptr (JsonNode) cred = fd_t_call (srv, "POST", path, "{\"kind\": \"key\"}", 201);
    gsize len = 0;
    g_autofree guchar *secret = g_base64_decode (fd_t_str (cred, "secret"), &len);
    g_autofree char *jwt = fd_jwt_sign (k->device_id, fd_t_int (cred, "key_id"),
                                        g_get_real_time () / G_USEC_PER_SEC - 60, secret, len);
    expired->bearer = g_strdup_printf ("Authorization: Bearer %s", jwt);
  }
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (post_data (expired, "/v1/data/weather", "{\"temp\": 1}", &body), ==, 401);
  g_assert_nonnull (strstr (body, "expired"));

  /* Revoked: the certificate and the key stop working. */
  revoke = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s", d->device_id, d->credential_id);
  g_assert_null (fd_t_call (srv, "DELETE", revoke, NULL, 204));
  status = post_data (d, "/v1/data/weather", "{\"temp\": 1}", NULL);
  g_assert_true (status == 0 || status == 401);
  g_clear_pointer (&revoke, g_free);
  revoke = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s", k->device_id, k->credential_id);
  g_assert_null (fd_t_call (srv, "DELETE", revoke, NULL, 204));
  g_assert_cmpuint (post_data (k, "/v1/data/weather", "{\"temp\": 1}", NULL), ==, 401);

  g_assert_cmpint (readings_of (d->device_id), ==, 0);
  g_assert_cmpint (readings_of (k->device_id), ==, 0);
}

static void
test_keep_alive_identity (void)
{
  g_autoptr (Dev) d = make_dev ("alive-1", "generated");
  g_autofree char *url = g_strconcat (srv->device_url, "/v1/whoami", NULL);
  const char *argv[] = { "curl",  "-sv",  "--cacert", srv->ca_path, "--cert", d->cert,
                         "--key", d->key, url,        url,          url,      NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_auto (GStrv) answers = NULL;

  g_assert_cmpint (fd_test_run (argv, &out, &err), ==, 0);
  /* One connection, three requests, each answered as the same device. */
  g_assert_nonnull (strstr (err, "Re-using existing connection"));
  answers = g_strsplit (out, "}", -1);
  g_assert_cmpuint (g_strv_length (answers), ==, 4);
  for (guint i = 0; i < 3; i++)
    g_assert_nonnull (strstr (answers[i], d->device_id));
}

typedef struct
{
  const char *path;
  const char *body; /* NULL: made by the test */
  guint status;
  const char *code;
  const char *words; /* the message must contain these */
} BadInput;

static void
test_bad_inputs_store_nothing (void)
{
  g_autoptr (Dev) d = make_dev ("bad-1", "key");
  g_autofree char *deep = NULL;
  g_autofree char *big = NULL;
  g_autofree char *long_tag = g_strdup_printf ("/v1/data/%s", g_strnfill (65, 't'));
  g_autoptr (GString) many = g_string_new ("[");
  const BadInput cases[] = {
    { "/v1/data/weather", "[1, 2]", 400, "invalid_batch", "" },
    { "/v1/data/weather", "\"hello\"", 400, "invalid_payload", "object" },
    { "/v1/data/weather", "{\"temp\": }", 400, "invalid_payload", "byte" },
    { "/v1/data/weather", "{\"a\": 1, \"a\": 2}", 400, "invalid_payload", "twice" },
    { "/v1/data/weather", "{\"t\": \"\xff\xfe\"}", 400, "invalid_payload", "UTF-8" },
    { "/v1/data/weather", "{\"n\": 1e999}", 400, "invalid_payload", "double" },
    { "/v1/data/weather", NULL, 400, "invalid_payload", "deeper" },
    { "/v1/data/weather", NULL, 413, "payload_too_large", "" },
    { "/v1/data/weather", "[{\"ts\": \"yesterday\", \"payload\": {\"t\": 1}}]", 400,
      "invalid_batch", "reading 0" },
    { "/v1/data/weather", "[{\"ts\": 1700000000000, \"payload\": 5}]", 400, "invalid_batch", "" },
    { "/v1/data/weather", "[{\"ts\": 1700000000000, \"payload\": {}, \"x\": 1}]", 400,
      "invalid_batch", "" },
    { "/v1/data/weather", NULL, 400, "invalid_batch", "10000" },
    { "/v1/data/a%2Fb", "{\"t\": 1}", 400, "invalid_tag", "/" },
    { "/v1/data/a%23b", "{\"t\": 1}", 400, "invalid_tag", "#" },
    { "/v1/data/a+b", "{\"t\": 1}", 400, "invalid_tag", "+" },
    { "/v1/data/a%09b", "{\"t\": 1}", 400, "invalid_tag", "control" },
    { "/v1/data/", "{\"t\": 1}", 0, NULL, NULL }, /* empty tag: 400 or 404 */
    { long_tag, "{\"t\": 1}", 400, "invalid_tag", "64" },
    { "/v1/up", "{\"value\": 1}", 400, "invalid_message", "key" },
    { "/v1/up", "{\"key\": \"#zfs_info\", \"value\": {}}", 400, "unknown_request", "#zfs_info" },
  };
  GString *deep_text = g_string_new (NULL);
  GString *big_text = g_string_new ("{\"blob\": \"");

  for (guint i = 0; i < 9; i++)
    g_string_append (deep_text, "{\"a\":");
  g_string_append (deep_text, "1");
  for (guint i = 0; i < 9; i++)
    g_string_append_c (deep_text, '}');
  deep = g_string_free (deep_text, FALSE);
  while (big_text->len < 64 * 1024 + 10)
    g_string_append (big_text, "xxxxxxxxxxxxxxxx");
  g_string_append (big_text, "\"}");
  big = g_string_free (big_text, FALSE);
  for (guint i = 0; i <= 10000; i++)
    g_string_append_printf (many, "%s{\"ts\": %u, \"payload\": {\"v\": 1}}", i ? "," : "",
                            1700000000 + i);
  g_string_append_c (many, ']');

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *body = cases[i].body;
      g_autofree char *answer = NULL;
      g_autoptr (JsonNode) node = NULL;
      guint status;

      if (body == NULL)
        body = g_str_equal (cases[i].words, "deeper") ? deep
               : cases[i].status == 413               ? big
                                                      : many->str;
      status = post_data (d, cases[i].path, body, &answer);
      g_test_message ("case %u: %s -> %u %s", i, cases[i].path, status, answer);
      if (cases[i].code == NULL)
        {
          g_assert_true (status == 400 || status == 404);
          continue;
        }
      g_assert_cmpuint (status, ==, cases[i].status);
      node = json_from_string (answer, NULL);
      g_assert_cmpstr (fd_test_error_code (node), ==, cases[i].code);
      if (!strstr (answer, cases[i].words))
        g_error ("case %u: the message does not say \"%s\": %s", i, cases[i].words, answer);
    }
  g_assert_cmpint (readings_of (d->device_id), ==, 0);

  /* The same device is fine with good input. */
  g_assert_cmpuint (post_data (d, "/v1/data/weather", "{\"t\": 1}", NULL), ==, 202);
  g_assert_cmpint (readings_of (d->device_id), ==, 1);
}

static void
test_fields_recognised (void)
{
  g_autoptr (Dev) d = make_dev ("fields-1", "cloud_token");
  g_autofree char *path
      = g_strdup_printf (FD_T_API "/workspaces/%s/tags/environment/fields", workspace);
  g_autoptr (JsonNode) fields = NULL;
  g_autoptr (JsonNode) tags = NULL;
  g_autofree char *tags_path
      = g_strdup_printf (FD_T_API "/workspaces/%s/tags?search=ENVIRON", workspace);

  g_assert_cmpuint (post_data (d, "/v1/data/environment",
                               "[{\"ts\": \"2026-11-27T10:00:00Z\", \"payload\": {\"t\": 20, "
                               "\"room\": {\"name\": \"lab\", \"co2\": 400}}},"
                               " {\"ts\": 1764237600000, \"payload\": {\"t\": \"warm\"}}]",
                               NULL),
                    ==, 202);
  fields = fd_t_call (srv, "GET", path, NULL, 200);
  g_assert_cmpint (fd_t_int (fields, "total"), ==, 4);
  g_assert_cmpstr (fd_t_str (fd_t_item (fields, 0), "path"), ==, "room.co2");
  g_assert_cmpstr (fd_t_str (fd_t_item (fields, 1), "path"), ==, "room.name");
  g_assert_cmpstr (fd_t_str (fd_t_item (fields, 1), "type"), ==, "string");
  /* The same path seen with two types is listed twice. */
  g_assert_cmpstr (fd_t_str (fd_t_item (fields, 2), "path"), ==, "t");
  g_assert_cmpstr (fd_t_str (fd_t_item (fields, 2), "type"), ==, "number");
  g_assert_cmpstr (fd_t_str (fd_t_item (fields, 3), "type"), ==, "string");

  tags = fd_t_call (srv, "GET", tags_path, NULL, 200);
  g_assert_cmpint (fd_t_int (tags, "total"), ==, 1);
  g_assert_cmpint (fd_t_int (fd_t_item (tags, 0), "readings"), ==, 2);
  g_assert_cmpint (fd_t_int (fd_t_item (tags, 0), "fields"), ==, 4);
  g_assert_cmpint (fd_t_int (fd_t_item (tags, 0), "devices"), ==, 1);

  /* A tag may hold '%': its fields are reached by percent-encoding it once, as for any other
   * character (decoded twice, "50%25" would be "50%", then an error). */
  {
    g_autofree char *pct_path
        = g_strdup_printf (FD_T_API "/workspaces/%s/tags/humidity%%2541/fields", workspace);
    g_autoptr (JsonNode) pct = NULL;

    g_assert_cmpuint (post_data (d, "/v1/data/humidity%2541", "{\"rh\": 40}", NULL), ==, 202);
    pct = fd_t_call (srv, "GET", pct_path, NULL, 200);
    g_assert_cmpint (fd_t_int (pct, "total"), ==, 1);
    g_assert_cmpstr (fd_t_str (fd_t_item (pct, 0), "path"), ==, "rh");
  }
}

static void
test_acknowledged_survives_kill (void)
{
  g_autoptr (Dev) d = make_dev ("durable-1", "key");
  g_autofree char *config_path = tmp_path ("curl.cfg");
  g_autoptr (GString) config = g_string_new (NULL);
  g_autofree char *out = NULL, *err = NULL;
  const char *argv[] = { "curl", "-sS", "--cacert", srv->ca_path, "-K", config_path, NULL };
  guint accepted = 0;
  const char *p;

  /* 50 readings on one keep-alive connection, each answered before the next is sent. Options
   * after "next" belong to one URL only: each needs its cacert (the command line's counts for
   * the first). */
  for (guint i = 0; i < 50; i++)
    g_string_append_printf (config,
                            "next\nurl = \"%s/v1/data/durable\"\ncacert = \"%s\"\n"
                            "header = \"%s\"\nheader = \"Content-Type: application/json\"\n"
                            "data = \"{\\\"i\\\": %u}\"\nwrite-out = \"%%{http_code}\\n\"\n",
                            srv->device_url, srv->ca_path, d->bearer, i);
  g_file_set_contents (config_path, config->str, -1, NULL);
  g_assert_cmpint (fd_test_run (argv, &out, &err), ==, 0);
  for (p = out; (p = strstr (p, "202")) != NULL; p += 3)
    accepted++;
  g_assert_cmpuint (accepted, ==, 50);

  /* SIGKILL: no shutdown, no flush. Every reading answered 202 is still there. */
  fd_test_server_kill (srv, SIGKILL);
  fd_test_server_restart (srv);
  g_assert_cmpint (readings_of (d->device_id), ==, 50);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) wks = NULL;
  const char *const args[] = { "--device-rate=0", NULL };
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start_with_args (args);
  fd_t_kill_server_on_abort (srv);
  tmp = g_dir_make_tmp ("fd-devdata-XXXXXX", &error);
  g_assert_no_error (error);
  wks = fd_t_make_workspace (srv, "Device data");
  workspace = g_strdup (fd_t_str (wks, "id"));

  g_test_add_func ("/device-data/every-credential-kind", test_every_credential_kind);
  g_test_add_func ("/device-data/refused-credentials", test_refused_credentials);
  g_test_add_func ("/device-data/keep-alive-identity", test_keep_alive_identity);
  g_test_add_func ("/device-data/bad-inputs-store-nothing", test_bad_inputs_store_nothing);
  g_test_add_func ("/device-data/fields-recognised", test_fields_recognised);
  g_test_add_func ("/device-data/acknowledged-survives-kill", test_acknowledged_survives_kill);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  fd_test_rm_rf (tmp);
  return ret;
}
