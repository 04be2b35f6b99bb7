/* fd-test-firmware.c — helpers of the firmware tests (fd-test-firmware.h). */
#include "fd-test-firmware.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

char *
fd_tf_make_file (const char *dir, const char *name, gsize size, guint32 seed, gboolean tricky)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autofree guint8 *data = g_malloc (size);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  static const char bait[] = "\r\n--------------------------\r\n--\r\n\r\n";

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8)g_rand_int_range (rand, 0, 256);
  for (gsize at = 1000; tricky && at + sizeof bait < size; at += 7919)
    memcpy (data + at, bait, sizeof bait - 1);
  g_file_set_contents (path, (const char *)data, (gssize)size, &error);
  g_assert_no_error (error);
  return path;
}

char *
fd_tf_sha256sum (const char *path)
{
  const char *argv[] = { "sha256sum", path, NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (fd_test_run (argv, &out, NULL), ==, 0);
  g_assert_cmpuint (strlen (out), >, 64);
  return g_strndup (out, 64);
}

static JsonNode *
run_curl (GPtrArray *argv, guint *status)
{
  g_autofree char *out = NULL, *err = NULL;
  char *nl;
  JsonNode *node;

  g_ptr_array_add (argv, NULL);
  g_assert_cmpint (fd_test_run ((const char *const *)argv->pdata, &out, &err), ==, 0);
  nl = strrchr (out, '\n');
  g_assert_nonnull (nl);
  *status = (guint)g_ascii_strtoull (nl + 1, NULL, 10);
  *nl = '\0';
  node = json_from_string (out, NULL);
  g_assert_nonnull (node);
  return node;
}

static GPtrArray *
curl_argv (FdTestServer *srv, const char *ws, const char *query)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup ("curl"));
  g_ptr_array_add (argv, g_strdup ("-sS"));
  g_ptr_array_add (argv, g_strdup ("-w"));
  g_ptr_array_add (argv, g_strdup ("\n%{http_code}"));
  g_ptr_array_add (argv, g_strdup ("-H"));
  g_ptr_array_add (argv, g_strdup_printf ("Authorization: Bearer %s", srv->token));
  g_ptr_array_add (argv, g_strdup_printf ("%s/api/v1/workspaces/%s/firmware%s%s", srv->url, ws,
                                          query ? "?" : "", query ? query : ""));
  return argv;
}

JsonNode *
fd_tf_upload_raw (FdTestServer *srv, const char *ws, const char *query, const char *path,
                  guint *status)
{
  g_autoptr (GPtrArray) argv = curl_argv (srv, ws, query);

  g_ptr_array_add (argv, g_strdup ("-H"));
  g_ptr_array_add (argv, g_strdup ("Content-Type: application/octet-stream"));
  g_ptr_array_add (argv, g_strdup ("--data-binary"));
  g_ptr_array_add (argv, path ? g_strdup_printf ("@%s", path) : g_strdup (""));
  return run_curl (argv, status);
}

JsonNode *
fd_tf_upload_form (FdTestServer *srv, const char *ws, const char *query, const char *const *form,
                   guint *status)
{
  g_autoptr (GPtrArray) argv = curl_argv (srv, ws, query);

  for (guint i = 0; form[i] != NULL; i++)
    {
      g_ptr_array_add (argv, g_strdup ("-F"));
      g_ptr_array_add (argv, g_strdup (form[i]));
    }
  return run_curl (argv, status);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

char *
fd_tf_firmware_dir (FdTestServer *srv)
{
  g_autofree char *path = g_build_filename (srv->data_dir, "firmware", NULL);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, "keys"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **)names->pdata);
}

guint
fd_tf_file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

gboolean
fd_tf_verify (const char *public_pem, const char *algorithm, const char *manifest,
              const char *signature_b64)
{
  gnutls_pubkey_t pub;
  gsize sig_len = 0;
  g_autofree guchar *sig_raw = g_base64_decode (signature_b64, &sig_len);
  gnutls_datum_t key = { (unsigned char *)public_pem, (unsigned)strlen (public_pem) };
  gnutls_datum_t data = { (unsigned char *)manifest, (unsigned)strlen (manifest) };
  gnutls_datum_t sig = { sig_raw, (unsigned)sig_len };
  gnutls_sign_algorithm_t algo
      = g_str_equal (algorithm, "ed25519") ? GNUTLS_SIGN_EDDSA_ED25519 : GNUTLS_SIGN_ECDSA_SHA256;
  int ret;

  g_assert_cmpint (gnutls_pubkey_init (&pub), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import (pub, &key, GNUTLS_X509_FMT_PEM), ==, 0);
  ret = gnutls_pubkey_verify_data2 (pub, algo, 0, &data, &sig);
  gnutls_pubkey_deinit (pub);
  return ret >= 0;
}

void
fd_tf_sql (FdTestServer *srv, const char *sql)
{
  g_autofree char *path = g_build_filename (srv->data_dir, "fleetdesk.db", NULL);
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

void
fd_tf_campaign (FdTestServer *srv, const char *campaign_id, const char *workspace_id,
                const char *firmware_id, const char *state)
{
  g_autofree char *sql = g_strdup_printf (
      "INSERT INTO campaign (id, workspace_id, name, firmware_id, state, targets, stages,"
      " min_wait_s, success_threshold, failure_threshold, failure_min, device_timeout_s,"
      " only_outdated, created_at, updated_at) VALUES ('%s', '%s', 'test', '%s', '%s', '{}',"
      " '[{\"percent\":100}]', 0, 90, 20, 10, 3600, 1, 1, 1)"
      " ON CONFLICT (id) DO UPDATE SET state = excluded.state",
      campaign_id, workspace_id, firmware_id, state);
  fd_tf_sql (srv, sql);
}

void
fd_tf_campaign_target (FdTestServer *srv, const char *campaign_id, const char *device_id,
                       const char *state)
{
  g_autofree char *sql = g_strdup_printf (
      "INSERT INTO campaign_target (campaign_id, device_id, position, stage, state, updated_at)"
      " VALUES ('%s', '%s', 0, 0, '%s', 1)"
      " ON CONFLICT (campaign_id, device_id) DO UPDATE SET state = excluded.state",
      campaign_id, device_id, state);
  fd_tf_sql (srv, sql);
}
