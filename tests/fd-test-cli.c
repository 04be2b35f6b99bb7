/* fd-test-cli.c — runs the real fleetdesk-cli for the CLI tests and checks what it printed. */
#include "fd-test-cli.h"

#include <string.h>
#include <sys/wait.h>

static FdTestServer *cli_srv;
static char *empty_xdg_dir; /* an XDG_DATA_HOME without a fleetdesk directory */
static guint name_counter;

void
fd_test_cli_result_free (FdTestCliResult *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}

FdTestServer *
fd_test_cli_start (void)
{
  g_autoptr (GError) error = NULL;

  empty_xdg_dir = g_dir_make_tmp ("fd-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  cli_srv = fd_test_server_start ();
  return cli_srv;
}

void
fd_test_cli_stop (void)
{
  fd_test_server_stop (cli_srv);
  cli_srv = NULL;
  fd_test_rm_rf (empty_xdg_dir);
  g_clear_pointer (&empty_xdg_dir, g_free);
}

char **
fd_test_cli_clean_env (void)
{
  const char *drop[]
      = { "FLEETDESK_URL", "FLEETDESK_TOKEN", "http_proxy", "https_proxy", "HTTP_PROXY",
          "HTTPS_PROXY",   "all_proxy",       "ALL_PROXY",  "LANGUAGE" };
  char **env = g_get_environ ();

  g_assert_nonnull (empty_xdg_dir);
  for (gsize i = 0; i < G_N_ELEMENTS (drop); i++)
    env = g_environ_unsetenv (env, drop[i]);
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "XDG_DATA_HOME", empty_xdg_dir, TRUE);
  return env;
}

/* One g_test_message per line: a TAP comment cannot span lines. */
static void
log_lines (const char *stream, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (gsize i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_test_message ("  %s| %s", stream, lines[i]);
}

FdTestCliResult *
fd_test_cli_run_argv (char **env, GPtrArray *args)
{
  FdTestCliResult *result = g_new0 (FdTestCliResult, 1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *)g_getenv ("FD_CLI_BIN"));
  g_assert_nonnull (argv->pdata[0]);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, args->pdata[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **)argv->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &result->out,
                &result->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  result->status = WEXITSTATUS (wait_status);
  line = g_strjoinv (" ", (char **)argv->pdata + 1);
  g_test_message ("$ fleetdesk-cli %s  => %d", line, result->status);
  log_lines ("out", result->out);
  log_lines ("err", result->err);
  return result;
}

FdTestCliResult *
fd_test_cli_run_env (char **env, const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *)a);
  va_end (ap);
  return fd_test_cli_run_argv (env, args);
}

FdTestCliResult *
fd_test_cli_run (const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  va_list ap;

  g_assert_nonnull (cli_srv);
  g_ptr_array_add (args, (char *)"--server");
  g_ptr_array_add (args, cli_srv->url);
  g_ptr_array_add (args, (char *)"--token");
  g_ptr_array_add (args, cli_srv->token);
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *)a);
  va_end (ap);
  return fd_test_cli_run_argv (env, args);
}

void
fd_test_cli_assert_ok (FdTestCliResult *result)
{
  if (result->status != 0)
    g_error ("expected exit 0, got %d; stderr: %s", result->status, result->err);
}

void
fd_test_cli_assert_usage (FdTestCliResult *result, const char *needle)
{
  g_assert_cmpint (result->status, ==, 2);
  g_assert_cmpstr (result->out, ==, "");
  if (strstr (result->err, needle) == NULL)
    g_error ("expected \"%s\" in stderr: %s", needle, result->err);
}

void
fd_test_cli_assert_fails (FdTestCliResult *result, const char *needle)
{
  g_assert_cmpint (result->status, ==, 1);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_true (g_str_has_prefix (result->err, "fleetdesk-cli: "));
  if (strstr (result->err, needle) == NULL)
    g_error ("stderr does not mention \"%s\": %s", needle, result->err);
}

void
fd_test_cli_assert_deletes (const char *noun, const char *what, const char *id,
                            const char *gone_needle)
{
  g_autoptr (FdTestCliResult) deleted = fd_test_cli_run (noun, "delete", id, NULL);
  g_autoptr (FdTestCliResult) gone = NULL;
  g_autofree char *line = g_strdup_printf ("Deleted %s %s\n", what, id);

  fd_test_cli_assert_ok (deleted);
  g_assert_cmpstr (deleted->out, ==, line);
  gone = fd_test_cli_run (noun, "get", id, NULL);
  fd_test_cli_assert_fails (gone, gone_needle);
}

JsonNode *
fd_test_cli_assert_json (FdTestCliResult *result, JsonNode *expected)
{
  g_autoptr (GError) error = NULL;
  JsonNode *got;

  fd_test_cli_assert_ok (result);
  got = json_from_string (result->out, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  if (expected != NULL && !json_node_equal (got, expected))
    {
      g_autofree char *want = json_to_string (expected, FALSE);

      g_error ("--json output differs from the API's answer:\n%s\nvs\n%s", result->out, want);
    }
  return got;
}

char *
fd_test_cli_kv_value (const char *out, const char *key)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  g_autofree char *prefix = g_strconcat (key, ":", NULL);

  for (gsize i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strstrip (g_strdup (lines[i] + strlen (prefix)));
  return NULL;
}

void
fd_test_cli_assert_kv (const char *out, const char *key, const char *value)
{
  g_autofree char *got = fd_test_cli_kv_value (out, key);

  if (g_strcmp0 (got, value) != 0)
    g_error ("expected a line \"%s: %s\" in:\n%s", key, value, out);
}

void
fd_test_cli_assert_kv_aligned (const char *out)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  gssize column = -1;

  for (gsize i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      const char *colon = strchr (lines[i], ':');
      const char *value;

      g_assert_nonnull (colon);
      for (value = colon + 1; *value == ' '; value++)
        ;
      if (*value == '\0')
        continue; /* an empty value */
      if (column < 0)
        column = value - lines[i];
      if (value - lines[i] != column)
        g_error ("values are not aligned:\n%s", out);
    }
}

void
fd_test_cli_assert_in_column (const char *out, const char *header, const char *cell)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  const char *h = strstr (lines[0], header);
  glong column;

  g_assert_nonnull (h);
  column = g_utf8_strlen (lines[0], h - lines[0]);
  for (gsize i = 1; lines[i] != NULL; i++)
    {
      const char *c;

      if (g_utf8_strlen (lines[i], -1) <= column)
        continue;
      c = g_utf8_offset_to_pointer (lines[i], column);
      if (g_str_has_prefix (c, cell) && (c[strlen (cell)] == ' ' || c[strlen (cell)] == '\0'))
        return;
    }
  g_error ("\"%s\" is not in column %s:\n%s", cell, header, out);
}

void
fd_test_cli_assert_count_line (const char *out, const char *expected)
{
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");
  if (!g_str_has_prefix (lines[n - 2], expected))
    g_error ("expected the list to end with \"%s\":\n%s", expected, out);
}

char *
fd_test_cli_unique_name (const char *base)
{
  return g_strdup_printf ("%s-%u", base, ++name_counter);
}
