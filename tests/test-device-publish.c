/* test-device-publish.c — fleetdesk-device against a real fleetdesk-server: every kind of
 * credential publishes and is seen by the operator API; times, batches and up messages; error
 * answers, usage errors and exit statuses; a revoked credential is refused; the client trusts
 * only its zdevice.json's CA and checks the server's name; the simulator's acknowledged count
 * is exactly what the server stored, and its devices outlive the server's idle timeout.
 */
#include "config.h"

#include "fd-test-api-util.h"
#include "fd-test-devices.h"

static FdTestServer *srv;
static char *workspace;
static char *tmp;

/* Runs fleetdesk-device with @args (NULL-terminated); returns its exit status. */
static int
device_run (char **out, char **err, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *o = NULL, *e = NULL;
  int status;

  g_ptr_array_add (argv, (char *)g_getenv ("FD_DEVICE_BIN"));
  g_assert_nonnull (argv->pdata[0]);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);
  status = fd_test_run ((const char *const *)argv->pdata, &o, &e);
  if (e != NULL && *e != '\0')
    g_test_message ("fleetdesk-device stderr: %s", e);
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return status;
}

#define DEVICE(out, err, ...) device_run (out, err, (const char *const[]){ __VA_ARGS__, NULL })

static void
certtool (const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *)"certtool");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)args[i]);
  g_ptr_array_add (argv, NULL);
  if (fd_test_run ((const char *const *)argv->pdata, NULL, &err) != 0)
    g_error ("certtool failed: %s", err);
}

#define CERTTOOL(...) certtool ((const char *const[]){ __VA_ARGS__, NULL })

/* The zdevice.json of a credential answer, with @prvkey in place of its (empty) prvkey when
 * given: csr and certificate credentials keep their key on the device. */
static char *
write_zdevice (JsonNode *cred, const char *name, const char *prvkey)
{
  JsonObject *z = json_object_get_object_member (fd_t_obj (cred), "zdevice");
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;
  g_autofree char *file = g_strdup_printf ("%s.json", name);

  g_assert_nonnull (z);
  if (prvkey != NULL)
    json_object_set_string_member (z, "prvkey", prvkey);
  node = json_node_init_object (json_node_alloc (), z);
  text = json_to_string (node, TRUE);
  return fd_test_write_file (tmp, file, text);
}

typedef struct
{
  char *device_id;
  char *credential_id;
  char *zdevice; /* path */
} Dev;

static void
dev_free (Dev *d)
{
  g_free (d->device_id);
  g_free (d->credential_id);
  g_free (d->zdevice);
  g_free (d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Dev, dev_free)

/* A device with one credential of @kind (generated, csr, certificate, key, cloud_token) and
 * its zdevice.json. */
static Dev *
make_dev (const char *name, const char *kind)
{
  g_autoptr (JsonNode) dev_node = fd_t_make_device (srv, workspace, name, NULL);
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) cred = NULL;
  g_autofree char *own_key = NULL;
  Dev *d = g_new0 (Dev, 1);

  d->device_id = g_strdup (fd_t_str (dev_node, "id"));
  path = g_strdup_printf (FD_T_API "/devices/%s/credentials", d->device_id);
  if (g_str_equal (kind, "csr") || g_str_equal (kind, "certificate"))
    {
      g_autofree char *key = g_strdup_printf ("%s/%s.key", tmp, name);
      g_autofree char *out = g_strdup_printf ("%s/%s.pem", tmp, name);
      g_autofree char *tmpl = fd_test_write_file (
          tmp, "t.cfg", "cn = \"own\"\nexpiration_days = 30\ntls_www_client\n");
      g_autofree char *pem = NULL;
      g_autofree char *body = NULL;
      gboolean csr = g_str_equal (kind, "csr");

      CERTTOOL ("--generate-privkey", "--key-type=ecdsa", "--curve=secp256r1", "--outfile", key);
      CERTTOOL (csr ? "--generate-request" : "--generate-self-signed", "--load-privkey", key,
                "--template", tmpl, "--outfile", out);
      g_assert_true (g_file_get_contents (out, &pem, NULL, NULL));
      g_assert_true (g_file_get_contents (key, &own_key, NULL, NULL));
      body = fd_t_body ("kind", kind, kind, pem, NULL);
      cred = fd_t_call (srv, "POST", path, body, 201);
    }
  else if (g_str_equal (kind, "generated"))
    cred = fd_t_call (srv, "POST", path, "{\"kind\": \"generated\"}", 201);
  else if (g_str_equal (kind, "key"))
    cred = fd_t_call (srv, "POST", path, "{\"kind\": \"key\"}", 201);
  else
    cred = fd_t_call (srv, "POST", path, "{\"kind\": \"key\", \"mode\": \"cloud_token\"}", 201);
  d->credential_id = g_strdup (fd_t_str (cred, "id"));
  d->zdevice = write_zdevice (cred, name, own_key);
  return d;
}

/* The device's tag @tag from GET /devices/{id}/tags, or NULL. */
static JsonObject *
device_tag (JsonNode *list, const char *tag)
{
  JsonArray *items = fd_t_items (list);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *t = json_array_get_object_element (items, i);
      if (g_str_equal (json_object_get_string_member (t, "tag"), tag))
        return t;
    }
  return NULL;
}

static JsonNode *
device_tags (const char *device_id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/devices/%s/tags", device_id);
  return fd_t_call (srv, "GET", path, NULL, 200);
}

static gint64
accepted (const char *out)
{
  g_autoptr (JsonNode) node = json_from_string (out, NULL);

  g_assert_nonnull (node);
  return fd_t_int (node, "accepted");
}

static void
test_each_credential (void)
{
  static const struct
  {
    const char *kind;
    const char *auth;
  } kinds[] = {
    { "generated", "certificate" },   { "csr", "certificate" },
    { "certificate", "certificate" }, { "key", "jwt" },
    { "cloud_token", "cloud_token" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("each-%s", kinds[i].kind);
      g_autoptr (Dev) d = make_dev (name, kinds[i].kind);
      g_autofree char *out = NULL, *who = NULL;
      g_autofree char *reading = g_strdup_printf ("{\"temp\": 20.5, \"seq\": %u}", i);
      g_autoptr (JsonNode) whoami = NULL;
      g_autoptr (JsonNode) tags = NULL;
      JsonObject *tag, *last;

      g_test_message ("credential kind %s", kinds[i].kind);
      g_assert_cmpint (DEVICE (&out, NULL, "--credentials", d->zdevice, "publish", "--tag",
                               "weather", "--json", reading),
                       ==, 0);
      g_assert_cmpint (accepted (out), ==, 1);

      g_assert_cmpint (DEVICE (&who, NULL, "-c", d->zdevice, "whoami"), ==, 0);
      whoami = json_from_string (who, NULL);
      g_assert_cmpstr (fd_t_str (whoami, "device_id"), ==, d->device_id);
      g_assert_cmpstr (fd_t_str (whoami, "credential_id"), ==, d->credential_id);
      g_assert_cmpstr (fd_t_str (whoami, "workspace_id"), ==, workspace);
      g_assert_cmpstr (fd_t_str (whoami, "auth"), ==, kinds[i].auth);

      /* What the operator sees: the reading, under this device. */
      tags = device_tags (d->device_id);
      tag = device_tag (tags, "weather");
      g_assert_nonnull (tag);
      g_assert_cmpint (json_object_get_int_member (tag, "readings"), ==, 1);
      last = json_object_get_object_member (json_object_get_object_member (tag, "last"), "payload");
      g_assert_cmpint (json_object_get_int_member (last, "seq"), ==, i);
      g_assert_cmpfloat (json_object_get_double_member (last, "temp"), ==, 20.5);
    }
}

static void
test_times_batches_up (void)
{
  g_autoptr (Dev) d = make_dev ("times", "key");
  g_autofree char *out = NULL;
  g_autofree char *batch = fd_test_write_file (
      tmp, "batch.json",
      "[{\"ts\": \"2026-03-01T10:00:00Z\", \"payload\": {\"v\": 1}},"
      " {\"ts\": 1772359260000, \"payload\": {\"v\": 2}},"
      " {\"ts\": \"2026-03-01T11:02:00.250+01:00\", \"payload\": {\"v\": 3}}]");
  g_autoptr (JsonNode) tags = NULL;
  JsonObject *tag, *last;

  g_assert_cmpint (DEVICE (&out, NULL, "-c", d->zdevice, "publish", "--tag", "t", "--json",
                           "{\"v\": 0}", "--ts", "2026-01-02T03:04:05.678Z"),
                   ==, 0);
  g_assert_cmpint (accepted (out), ==, 1);
  tags = device_tags (d->device_id);
  last = json_object_get_object_member (device_tag (tags, "t"), "last");
  g_assert_cmpstr (json_object_get_string_member (last, "timestamp_device"), ==,
                   "2026-01-02T03:04:05.678Z");
  g_clear_pointer (&tags, json_node_unref);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (DEVICE (&out, NULL, "-c", d->zdevice, "publish", "--tag", "t", "--json",
                           "{\"v\": 0}", "--ts", "1767323045679"),
                   ==, 0);
  tags = device_tags (d->device_id);
  last = json_object_get_object_member (device_tag (tags, "t"), "last");
  g_assert_cmpstr (json_object_get_string_member (last, "timestamp_device"), ==,
                   "2026-01-02T03:04:05.679Z");
  g_clear_pointer (&tags, json_node_unref);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (DEVICE (&out, NULL, "-c", d->zdevice, "publish", "--tag", "t", "--batch", batch),
                   ==, 0);
  g_assert_cmpint (accepted (out), ==, 3);
  tags = device_tags (d->device_id);
  tag = device_tag (tags, "t");
  g_assert_cmpint (json_object_get_int_member (tag, "readings"), ==, 5);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (DEVICE (&out, NULL, "-c", d->zdevice, "up", "--key", "__info", "--json",
                           "{\"fw\": \"1.2.3\"}"),
                   ==, 0);
  g_assert_cmpint (accepted (out), ==, 1);
}

static void
test_refusals (void)
{
  g_autoptr (Dev) d = make_dev ("refusals", "key");
  g_autofree char *broken
      = fd_test_write_file (tmp, "broken.json", "{\"devinfo\": {\"device_id\": \"dev-x\"}}");
  static const char *const usage[][8] = {
    { "publish", "--tag", "t", NULL },
    { "publish", "--json", "{}", NULL },
    { "publish", "--tag", "t", "--json", "{", NULL },
    { "publish", "--tag", "t", "--json", "[1, 2]", NULL },
    { "publish", "--tag", "a/b", "--json", "{}", NULL },
    { "publish", "--tag", "t", "--json", "{}", "--ts", "yesterday", NULL },
    { "up", "--json", "1", NULL },
    { "frobnicate", NULL },
  };

  /* An error answer: exit 1, the server's code and message on stderr, nothing on stdout. */
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (DEVICE (&out, &err, "-c", d->zdevice, "publish", "--tag", "t", "--json",
                             "{\"a\": 1, \"a\": 2}"),
                     ==, 1);
    g_assert_nonnull (strstr (err, "400 invalid_payload"));
    g_assert_nonnull (strstr (err, "\"a\""));
    g_assert_cmpstr (out, ==, "");
  }
  {
    g_autofree char *err = NULL;
    g_assert_cmpint (
        DEVICE (NULL, &err, "-c", d->zdevice, "up", "--key", "#fota_info", "--json", "{}"), ==, 1);
    g_assert_nonnull (strstr (err, "400 unknown_request"));
  }
  for (guint i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autofree char *err = NULL;

      g_ptr_array_add (args, (char *)"-c");
      g_ptr_array_add (args, d->zdevice);
      for (guint j = 0; usage[i][j] != NULL; j++)
        g_ptr_array_add (args, (char *)usage[i][j]);
      g_ptr_array_add (args, NULL);
      g_test_message ("usage case %u", i);
      g_assert_cmpint (device_run (NULL, &err, (const char *const *)args->pdata), ==, 2);
      g_assert_true (g_str_has_prefix (err, "fleetdesk-device: "));
    }
  {
    g_autofree char *err = NULL;
    g_assert_cmpint (DEVICE (NULL, &err, "whoami"), ==, 2);
    g_assert_nonnull (strstr (err, "--credentials"));
  }
  /* A broken zdevice.json is named, with the member that is wrong. */
  {
    g_autofree char *err = NULL;
    g_assert_cmpint (DEVICE (NULL, &err, "-c", broken, "whoami"), ==, 1);
    g_assert_nonnull (strstr (err, broken));
    g_assert_nonnull (strstr (err, "devinfo.mode"));
  }
  /* Nothing of that was stored. */
  {
    g_autoptr (JsonNode) tags = device_tags (d->device_id);
    g_assert_cmpint (fd_t_int (tags, "total"), ==, 0);
  }
}

static void
test_revoked (void)
{
  static const char *const kinds[] = { "key", "cloud_token", "generated" };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("revoked-%s", kinds[i]);
      g_autoptr (Dev) d = make_dev (name, kinds[i]);
      g_autofree char *path
          = g_strdup_printf (FD_T_API "/devices/%s/credentials/%s", d->device_id, d->credential_id);
      g_autofree char *err = NULL;
      g_autoptr (JsonNode) gone = NULL;
      g_autoptr (JsonNode) tags = NULL;

      g_test_message ("revoking a %s credential", kinds[i]);
      g_assert_cmpint (
          DEVICE (NULL, NULL, "-c", d->zdevice, "publish", "--tag", "t", "--json", "{\"n\": 1}"),
          ==, 0);
      gone = fd_t_call (srv, "DELETE", path, NULL, 204);
      g_assert_cmpint (
          DEVICE (NULL, &err, "-c", d->zdevice, "publish", "--tag", "t", "--json", "{\"n\": 2}"),
          ==, 1);
      /* Tokens are refused with 401; a certificate no live credential has fails the TLS
       * handshake. */
      if (!g_str_equal (kinds[i], "generated"))
        g_assert_nonnull (strstr (err, "401 unauthorized"));
      else
        g_assert_cmpstr (err, !=, "");
      tags = device_tags (d->device_id);
      g_assert_cmpint (json_object_get_int_member (device_tag (tags, "t"), "readings"), ==, 1);
    }
}

static void
test_trust (void)
{
  g_autoptr (Dev) d = make_dev ("trust", "key");
  g_autofree char *text = NULL, *other_ca = NULL, *moved = NULL, *err = NULL;
  g_autofree char *key = g_strdup_printf ("%s/other-ca.key", tmp);
  g_autofree char *crt = g_strdup_printf ("%s/other-ca.crt", tmp);
  g_autofree char *tmpl = fd_test_write_file (tmp, "ca.cfg",
                                              "cn = \"Fleetdesk local CA (not really)\"\nca\n"
                                              "cert_signing_key\nexpiration_days = 30\n");
  g_autoptr (JsonNode) z = NULL;

  /* The same zdevice.json with another CA: the real server is not trusted. */
  CERTTOOL ("--generate-privkey", "--key-type=ecdsa", "--outfile", key);
  CERTTOOL ("--generate-self-signed", "--load-privkey", key, "--template", tmpl, "--outfile", crt);
  g_assert_true (g_file_get_contents (crt, &other_ca, NULL, NULL));
  g_assert_true (g_file_get_contents (d->zdevice, &text, NULL, NULL));
  z = json_from_string (text, NULL);
  json_object_set_string_member (fd_t_obj (z), "cacert", other_ca);
  g_free (text);
  text = json_to_string (z, FALSE);
  moved = fd_test_write_file (tmp, "other-ca.json", text);
  g_assert_cmpint (DEVICE (NULL, &err, "-c", moved, "whoami"), ==, 1);
  g_assert_nonnull (strstr (err, "not signed by the zdevice.json's cacert"));
  g_clear_pointer (&err, g_free);

  /* A name the server's certificate does not have, though it is the same server. */
  g_assert_cmpint (DEVICE (NULL, &err, "-c", d->zdevice, "--host", "127.0.0.2", "whoami"), ==, 1);
  g_assert_nonnull (strstr (err, "does not name this host"));
  /* ... and one it has. */
  g_assert_cmpint (DEVICE (NULL, NULL, "-c", d->zdevice, "--host", "127.0.0.1", "whoami"), ==, 0);
}

/* The sum of readings over the workspace's tags, and how many tags. */
static gint64
workspace_readings (const char *wks, guint *ntags)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/tags", wks);
  g_autoptr (JsonNode) list = fd_t_call (srv, "GET", path, NULL, 200);
  JsonArray *items = fd_t_items (list);
  gint64 sum = 0;

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *t = json_array_get_object_element (items, i);
      sum += json_object_get_int_member (t, "readings");
      g_assert_cmpint (json_object_get_int_member (t, "devices"), ==, 20);
    }
  if (ntags != NULL)
    *ntags = json_array_get_length (items);
  return sum;
}

static JsonNode *
simulate (const char *dir, const char *devices, const char *rate, const char *duration,
          const char *batch)
{
  g_autofree char *out = NULL;
  JsonNode *summary;

  g_assert_cmpint (DEVICE (&out, NULL, "simulate", "--credentials-dir", dir, "--devices", devices,
                           "--rate", rate, "--tags", "weather,power", "--duration", duration,
                           "--batch", batch, "--json"),
                   ==, 0);
  summary = json_from_string (out, NULL);
  g_assert_nonnull (summary);
  g_test_message ("simulate: %s", out);
  return summary;
}

static void
test_simulate (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Simulated");
  const char *wks_id = fd_t_str (wks, "id");
  g_autofree char *dir = g_build_filename (tmp, "fleet", NULL);
  static const char *const creds[] = { "generate", "key", "cloud_token", NULL };
  g_autoptr (GPtrArray) ids = fd_test_import_devices (srv, wks_id, "sim", 20, creds, dir, NULL);
  g_autoptr (JsonNode) single = NULL;
  g_autoptr (JsonNode) batched = NULL;
  g_autofree char *err = NULL;
  guint ntags = 0;
  gint64 acked;

  /* 20 devices (a third each with a certificate, a device token and a cloud token), 5 messages
   * per second each, for 3 s: about 300, every one acknowledged and stored. */
  single = simulate (dir, "20", "5", "3", "0");
  g_assert_cmpint (fd_t_int (single, "devices"), ==, 20);
  g_assert_cmpint (fd_t_int (single, "connected"), ==, 20);
  g_assert_cmpint (fd_t_int (single, "errors"), ==, 0);
  g_assert_cmpuint (
      json_object_get_size (json_object_get_object_member (fd_t_obj (single), "refused")), ==, 0);
  acked = fd_t_int (single, "acknowledged");
  g_assert_cmpint (acked, ==, fd_t_int (single, "sent"));
  g_assert_cmpint (acked, >=, 200);
  g_assert_cmpint (acked, <=, 300);
  g_assert_cmpint (fd_t_int (single, "readings_acknowledged"), ==, acked);
  g_assert_cmpint (workspace_readings (wks_id, &ntags), ==, acked);
  g_assert_cmpuint (ntags, ==, 2);

  /* Batches of 10 with their own times: the server counts every reading of them. */
  batched = simulate (dir, "20", "2", "1", "10");
  g_assert_cmpint (fd_t_int (batched, "errors"), ==, 0);
  g_assert_cmpint (fd_t_int (batched, "readings_acknowledged"), ==,
                   10 * fd_t_int (batched, "acknowledged"));
  g_assert_cmpint (fd_t_int (batched, "acknowledged"), >=, 20);
  g_assert_cmpint (workspace_readings (wks_id, NULL), ==,
                   acked + fd_t_int (batched, "readings_acknowledged"));

  /* Asking for more devices than there are files is an error that says how many there are. */
  g_assert_cmpint (DEVICE (NULL, &err, "simulate", "--credentials-dir", dir, "--devices", "21",
                           "--duration", "1"),
                   ==, 1);
  g_assert_nonnull (strstr (err, "holds 20"));
}

/* A server that closes idle connections after 1 s: every message of a device that sends one
 * every 2.5 s finds its connection closed, and goes out on a new one instead of failing. */
static void
test_idle_close (void)
{
  const char *args[] = { "--public-name", "localhost", "--device-idle-timeout=1", NULL };
  FdTestServer *quick = fd_test_server_start_with_args (args);
  g_autofree char *wks = fd_test_make_workspace (quick, "Idle");
  g_autofree char *dir = g_build_filename (tmp, "idle", NULL);
  static const char *const creds[] = { "generate", "key", "cloud_token", NULL };
  g_autoptr (GPtrArray) ids = fd_test_import_devices (quick, wks, "idle", 3, creds, dir, NULL);
  g_autoptr (JsonNode) summary = simulate (dir, "3", "0.4", "6", "0");

  g_assert_cmpint (fd_t_int (summary, "errors"), ==, 0);
  g_assert_cmpint (fd_t_int (summary, "sent"), >=, 6);
  g_assert_cmpint (fd_t_int (summary, "acknowledged"), ==, fd_t_int (summary, "sent"));
  fd_test_server_stop (quick);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const char *args[] = { "--public-name", "localhost", NULL };
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* endpoint.host in zdevice.json is the first public name: one that resolves everywhere. */
  srv = fd_test_server_start_with_args (args);
  fd_t_kill_server_on_abort (srv);
  tmp = g_dir_make_tmp ("fd-device-publish-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Devices");
    workspace = g_strdup (fd_t_str (wks, "id"));
  }

  g_test_add_func ("/device-publish/each-credential", test_each_credential);
  g_test_add_func ("/device-publish/times-batches-up", test_times_batches_up);
  g_test_add_func ("/device-publish/refusals", test_refusals);
  g_test_add_func ("/device-publish/revoked", test_revoked);
  g_test_add_func ("/device-publish/trust", test_trust);
  g_test_add_func ("/device-publish/simulate", test_simulate);
  g_test_add_func ("/device-publish/idle-close", test_idle_close);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  fd_test_rm_rf (tmp);
  g_free (workspace);
  return ret;
}
