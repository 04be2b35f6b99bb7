/* fd-test-ota.c — servers, devices, firmware, campaigns and simulators for the update tests. */
#include "fd-test-ota.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

static const char *const server_args[] = { "--ota-tick-ms=200", NULL };

/* Every zdevice.json of @t->dir: endpoint.port the server's MQTT port; firmware_key is the
 * workspace's signing key (asserted). */
static void
fix_files (FdTota *t, gboolean ota)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/signing-key", t->workspace);
  g_autoptr (JsonNode) key = ota ? fd_t_call (t->srv, "GET", path, NULL, 200) : NULL;
  g_autoptr (GDir) d = g_dir_open (t->dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *file = g_build_filename (t->dir, name, NULL);
      g_autofree char *text = NULL, *out = NULL;
      g_autoptr (JsonNode) node = NULL;
      JsonObject *root;

      g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
      node = json_from_string (text, NULL);
      root = json_node_get_object (node);
      json_object_set_int_member (json_object_get_object_member (root, "endpoint"), "port",
                                  t->srv->mqtt_port);
      /* The import gave every device the workspace's key (fleetdesk-cli writes it too). */
      if (ota)
        {
          JsonObject *fk = json_object_get_object_member (root, "firmware_key");
          g_assert_nonnull (fk);
          g_assert_cmpstr (json_object_get_string_member (fk, "algorithm"), ==,
                           fd_t_str (key, "algorithm"));
          g_assert_cmpstr (json_object_get_string_member (fk, "public_key"), ==,
                           fd_t_str (key, "public_key"));
        }
      out = json_to_string (node, FALSE);
      g_assert_true (g_file_set_contents (file, out, -1, NULL));
    }
}

gboolean
fd_tota_available (void)
{
  const char *const argv[] = { g_getenv ("FD_SERVER_BIN"), "--help-all", NULL };
  g_autofree char *out = NULL;

  fd_test_run (argv, &out, NULL);
  return out != NULL && strstr (out, "--ota-tick-ms") != NULL;
}

FdTota *
fd_tota_start (guint n)
{
  return fd_tota_start_with (n, TRUE);
}

FdTota *
fd_tota_start_with (guint n, gboolean ota)
{
  static const char *const keys[] = { "key", NULL };
  g_autoptr (GError) error = NULL;
  FdTota *t = g_new0 (FdTota, 1);

  if (ota && !fd_tota_available ())
    {
      g_test_skip ("this fleetdesk-server has no campaigns (--ota-tick-ms)");
      g_free (t);
      return NULL;
    }
  t->srv = fd_test_server_start_with_args (ota ? server_args : NULL);
  fd_t_kill_server_on_abort (t->srv);
  t->tmp = g_dir_make_tmp ("fd-ota-XXXXXX", &error);
  g_assert_no_error (error);
  t->dir = g_build_filename (t->tmp, "creds", NULL);
  t->workspace = fd_test_make_workspace (t->srv, "ota");
  t->ids = fd_test_import_devices (t->srv, t->workspace, "ota", n, keys, t->dir, NULL);
  fix_files (t, ota);
  return t;
}

void
fd_tota_stop (FdTota *t)
{
  fd_test_server_stop (t->srv);
  fd_test_rm_rf (t->tmp);
  g_free (t->tmp);
  g_free (t->dir);
  g_free (t->workspace);
  g_ptr_array_unref (t->ids);
  g_free (t);
}

void
fd_tota_restart (FdTota *t, int signum)
{
  g_autofree char *device = g_strdup_printf ("--device-port=%u", t->srv->device_port);
  g_autofree char *mqtt = g_strdup_printf ("--mqtt-port=%u", t->srv->mqtt_port);
  const char *const args[] = { server_args[0], device, mqtt, NULL };

  fd_test_server_kill (t->srv, signum);
  fd_test_server_restart_with_args (t->srv, args);
  fd_t_kill_server_on_abort (t->srv);
}

char *
fd_tota_upload (FdTota *t, const char *version, gsize size, guint seed, char **sha256)
{
  g_autofree guint8 *data = g_malloc (size);
  g_autofree char *path = NULL;
  g_autoptr (JsonNode) fw = NULL;
  guint32 x = seed * 2654435761u + 1;
  guint status = 0;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      data[i] = (guint8)x;
    }
  path = g_strdup_printf (FD_T_API "/workspaces/%s/firmware?version=%s", t->workspace, version);
  fw = fd_test_api_full (t->srv, "POST", path, "application/octet-stream", (const char *)data, size,
                         t->srv->token, &status, NULL);
  if (status != 201)
    g_error ("firmware upload: %u %s", status, fw ? json_to_string (fw, FALSE) : "");
  g_assert_cmpint (fd_t_int (fw, "size"), ==, (gint64)size);
  if (sha256 != NULL)
    *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, size);
  return g_strdup (fd_t_str (fw, "id"));
}

char *
fd_tota_campaign (FdTota *t, const char *fw, const char *rules_json)
{
  g_autoptr (GString) body = g_string_new (NULL);
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/campaigns", t->workspace);
  g_autoptr (JsonNode) c = NULL;
  guint status = 0;

  g_string_append_printf (body, "{\"name\": \"rollout\", \"firmware_id\": \"%s\", \"devices\": [",
                          fw);
  for (guint i = 0; i < t->ids->len; i++)
    g_string_append_printf (body, "%s\"%s\"", i ? "," : "", (char *)t->ids->pdata[i]);
  g_string_append_printf (body, "]%s%s}", *rules_json ? ", " : "", rules_json);
  c = fd_test_api (t->srv, "POST", path, body->str, &status);
  if (status != 201)
    g_error ("campaign: %u %s", status, c ? json_to_string (c, FALSE) : "");
  return g_strdup (fd_t_str (c, "id"));
}

JsonNode *
fd_tota_get_campaign (FdTota *t, const char *id)
{
  g_autofree char *path = g_strdup_printf (FD_T_API "/campaigns/%s", id);

  return fd_t_call (t->srv, "GET", path, NULL, 200);
}

gint64
fd_tota_count (JsonNode *campaign, const char *state)
{
  JsonObject *counts = json_object_get_object_member (fd_t_obj (campaign), "counts");

  return counts ? json_object_get_int_member_with_default (counts, state, 0) : 0;
}

JsonNode *
fd_tota_wait_state (FdTota *t, const char *id, const char *state, double timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)(timeout_s * G_USEC_PER_SEC);

  for (;;)
    {
      JsonNode *c = fd_tota_get_campaign (t, id);
      if (g_str_equal (fd_t_str (c, "state"), state))
        return c;
      if (g_get_monotonic_time () > deadline)
        g_error ("campaign %s is %s after %.0f s, not %s: %s", id, fd_t_str (c, "state"), timeout_s,
                 state, json_to_string (c, FALSE));
      json_node_unref (c);
      g_usleep (100 * 1000);
    }
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

FdTsim *
fd_tsim_start (FdTota *t, guint n, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  FdTsim *s = g_new0 (FdTsim, 1);
  static guint serial;
  int out, err;

  s->out = g_strdup_printf ("%s/sim-%u.out", t->tmp, serial);
  s->err = g_strdup_printf ("%s/sim-%u.err", t->tmp, serial++);
  g_ptr_array_add (argv, g_strdup (g_getenv ("FD_DEVICE_BIN")));
  g_ptr_array_add (argv, g_strdup ("simulate"));
  g_ptr_array_add (argv, g_strdup ("--credentials-dir"));
  g_ptr_array_add (argv, g_strdup (t->dir));
  g_ptr_array_add (argv, g_strdup_printf ("--devices=%u", n));
  g_ptr_array_add (argv, g_strdup ("--duration=0"));
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  g_ptr_array_add (argv, g_strdup ("--json"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  out = open (s->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  err = open (s->err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (out, >=, 0);
  g_assert_cmpint (err, >=, 0);
  g_spawn_async_with_fds (NULL, (char **)argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                          die_with_parent, NULL, &s->pid, -1, out, err, &error);
  g_assert_no_error (error);
  close (out);
  close (err);
  return s;
}

char *
fd_tsim_stderr (FdTsim *s)
{
  char *text = NULL;

  g_file_get_contents (s->err, &text, NULL, NULL);
  return text ? text : g_strdup ("");
}

JsonNode *
fd_tsim_stop (FdTsim *s)
{
  g_autofree char *text = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  JsonNode *summary;
  int status = 0;

  kill (s->pid, SIGTERM);
  waitpid (s->pid, &status, 0);
  g_spawn_close_pid (s->pid);
  err = fd_tsim_stderr (s);
  if (*err)
    g_test_message ("simulate stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (g_file_get_contents (s->out, &text, NULL, NULL));
  g_test_message ("simulate summary: %s", text);
  summary = json_from_string (text, &error);
  g_assert_no_error (error);
  g_free (s->out);
  g_free (s->err);
  g_free (s);
  return summary;
}

char *
fd_tota_file (FdTota *t, guint i)
{
  g_autofree char *name = g_strdup_printf ("ota-%05u.json", i + 1);

  return g_build_filename (t->dir, name, NULL);
}
