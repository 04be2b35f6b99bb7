/* test-cli-usage.c — fleetdesk-cli end to end, everything around the commands: usage errors
 * (exit 2, one line and a pointer to --help), --help for every noun and verb, --version, the
 * server and token from FLEETDESK_URL / FLEETDESK_TOKEN and from a data directory (--data-dir or
 * $XDG_DATA_HOME/fleetdesk), and bash completion. The real binary ($FD_CLI_BIN) runs against a
 * real fleetdesk-server; the commands themselves are in test-cli.c, the helpers in fd-test-cli.c.
 */
#include "config.h"

#include <unistd.h>

#include <glib/gstdio.h>

#include "fd-test-api-util.h"
#include "fd-test-cli.h"

static FdTestServer *srv;

static void
test_usage_errors (void)
{
  g_autofree char *long_name = g_strnfill (101, 'n');
  const char *const cases[][8] = {
    { NULL },
    { "bogus", NULL },
    { "workspace", NULL },
    { "workspace", "frob", NULL },
    { "workspace", "list", "--bogus", NULL },
    { "-x", "workspace", "list", NULL },
    { "workspace", "create", NULL },
    { "workspace", "get", "wks-a", "extra", NULL },
    { "workspace", "list", "--size", "abc", NULL },
    { "workspace", "list", "--size", "0", NULL },
    { "workspace", "list", "--size", "1001", NULL },
    { "workspace", "list", "--size", "5x", NULL },
    { "workspace", "list", "--from", "-1", NULL },
    { "workspace", "list", "--size", NULL },
    { "workspace", "list", "--json=yes", NULL },
    { "workspace", "update", "wks-a", NULL },
    { "workspace", "update", "wks-a", "--name", "a", "--name", "b", NULL },
    { "workspace", "create", long_name, NULL },
    { "workspace", "get", "wks a/../x", NULL },
    { "device", "list", "wks-a", "--sort", "size", NULL },
    { "device", "move", "dev-a", NULL },
    { "--server", "ftp://127.0.0.1", "workspace", "list", NULL },
  };
  g_auto (GStrv) env = fd_test_cli_clean_env ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autoptr (FdTestCliResult) result = NULL;
      g_auto (GStrv) lines = NULL;

      for (gsize j = 0; cases[i][j] != NULL; j++)
        g_ptr_array_add (args, (char *)cases[i][j]);
      result = fd_test_cli_run_argv (env, args);
      /* One line saying what is wrong, one pointing at --help; nothing sent anywhere. */
      g_assert_cmpint (result->status, ==, 2);
      g_assert_cmpstr (result->out, ==, "");
      lines = g_strsplit (result->err, "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 3);
      g_assert_true (g_str_has_prefix (lines[0], "fleetdesk-cli: "));
      g_assert_nonnull (strstr (lines[1], "--help"));
    }
}

/* NOUN VERB --help and -h NOUN VERB (either may be NULL) print usage on stdout and exit 0. */
static void
assert_help (char **env, const char *noun, const char *verb)
{
  const char *const words[] = { noun, verb };

  for (int before = 0; before < 2; before++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autoptr (FdTestCliResult) result = NULL;
      g_autoptr (GString) usage = g_string_new ("Usage: fleetdesk-cli");
      char next;

      if (before)
        g_ptr_array_add (args, (char *)"-h");
      for (gsize j = 0; j < G_N_ELEMENTS (words) && words[j] != NULL; j++)
        {
          g_ptr_array_add (args, (char *)words[j]);
          g_string_append_printf (usage, " %s", words[j]);
        }
      if (!before)
        g_ptr_array_add (args, (char *)"--help");
      result = fd_test_cli_run_argv (env, args);
      g_assert_cmpint (result->status, ==, 0);
      g_assert_cmpstr (result->err, ==, "");
      next = result->out[MIN (strlen (result->out), usage->len)];
      if (!g_str_has_prefix (result->out, usage->str) || (next != ' ' && next != '\n'))
        g_error ("help does not start with \"%s\":\n%s", usage->str, result->out);
      if (verb != NULL && !g_str_equal (noun, "completion"))
        g_assert_nonnull (strstr (result->out, "--server URL"));
    }
}

static void
test_help (void)
{
  /* Every noun and verb a user can type. */
  const char *const nouns[][2] = {
    { "workspace", "create list get update delete" },
    { "fleet", "create list get update delete" },
    { "device", "create list get update move delete" },
    { "token", "create list revoke" },
    { "audit", "list" },
    { "completion", "bash" },
  };
  g_auto (GStrv) env = fd_test_cli_clean_env ();

  assert_help (env, NULL, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (nouns); i++)
    {
      g_auto (GStrv) verbs = g_strsplit (nouns[i][1], " ", -1);

      assert_help (env, nouns[i][0], NULL);
      for (gsize v = 0; verbs[v] != NULL; v++)
        assert_help (env, nouns[i][0], verbs[v]);
    }
}

static void
test_version (void)
{
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) result = fd_test_cli_run_env (env, "--version", NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "fleetdesk-cli " PACKAGE_VERSION "\n");
}

static void
test_environment (void)
{
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) from_env = NULL, option_wins = NULL;
  g_autofree char *name = fd_test_cli_unique_name ("Env");

  env = g_environ_setenv (env, "FLEETDESK_URL", srv->url, TRUE);
  env = g_environ_setenv (env, "FLEETDESK_TOKEN", srv->token, TRUE);
  from_env = fd_test_cli_run_env (env, "workspace", "create", name, NULL);
  fd_test_cli_assert_ok (from_env);
  fd_test_cli_assert_kv (from_env->out, "name", name);

  /* --token wins over FLEETDESK_TOKEN. */
  option_wins = fd_test_cli_run_env (env, "workspace", "list", "--token", "tok-wrong", NULL);
  fd_test_cli_assert_fails (option_wins, "(unauthorized)");
}

static void
test_data_dir (void)
{
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (GError) error = NULL;
  g_autofree char *xdg = g_dir_make_tmp ("fd-test-xdg-XXXXXX", &error);
  g_autofree char *link = g_build_filename (xdg, "fleetdesk", NULL);
  g_autofree char *missing = g_build_filename (xdg, "nowhere", NULL);
  g_autofree char *name = fd_test_cli_unique_name ("DataDir");
  g_autoptr (FdTestCliResult) explicit_dir = NULL, default_dir = NULL, no_dir = NULL;
  g_autoptr (FdTestCliResult) token_wins = NULL, missing_dir = NULL;

  g_assert_no_error (error);
  explicit_dir
      = fd_test_cli_run_env (env, "workspace", "create", name, "--data-dir", srv->data_dir, NULL);
  fd_test_cli_assert_ok (explicit_dir);
  fd_test_cli_assert_kv (explicit_dir->out, "name", name);

  /* Without a token, $XDG_DATA_HOME/fleetdesk is used when it has ports.json and admin-token. */
  no_dir = fd_test_cli_run_env (env, "workspace", "list", "--server", srv->url, NULL);
  fd_test_cli_assert_fails (no_dir, "(unauthorized)");
  g_assert_cmpint (symlink (srv->data_dir, link), ==, 0);
  env = g_environ_setenv (env, "XDG_DATA_HOME", xdg, TRUE);
  default_dir = fd_test_cli_run_env (env, "workspace", "list", "--search", name, NULL);
  fd_test_cli_assert_ok (default_dir);
  g_assert_nonnull (strstr (default_dir->out, name));

  token_wins = fd_test_cli_run_env (env, "--data-dir", srv->data_dir, "--token", "tok-wrong",
                                    "workspace", "list", NULL);
  fd_test_cli_assert_fails (token_wins, "(unauthorized)");
  missing_dir = fd_test_cli_run_env (env, "--data-dir", missing, "workspace", "list", NULL);
  fd_test_cli_assert_fails (missing_dir, "ports.json");

  g_unlink (link);
  fd_test_rm_rf (xdg);
}

static void
test_completion (void)
{
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) script = fd_test_cli_run_env (env, "completion", "bash", NULL);
  g_autofree char *installed_path
      = g_build_filename (g_getenv ("FD_SOURCE_DIR"), "cli", "fleetdesk-cli.bash-completion", NULL);
  g_autofree char *installed = NULL;
  g_autoptr (GError) error = NULL;
  const char *const cases[][2] = {
    { "de", "device" },
    { "device ", "create list get update move delete" },
    { "--json token r", "revoke" },
    { "device list wks-a --so", "--sort" },
    { "device list wks-a --sort -n", "-name" },
    { "workspace delete wks-a --f", "--force" },
  };

  /* The installed script is the one the binary generates from its command table. */
  fd_test_cli_assert_ok (script);
  g_file_get_contents (installed_path, &installed, NULL, &error);
  g_assert_no_error (error);
  if (g_strcmp0 (script->out, installed) != 0)
    g_error ("cli/fleetdesk-cli.bash-completion is stale: regenerate it with "
             "'fleetdesk-cli completion bash > cli/fleetdesk-cli.bash-completion'");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *command = g_strdup_printf (
          "source \"$1\"; COMP_WORDS=(fleetdesk-cli %s); "
          "[[ \"$2\" == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
          "_fleetdesk_cli; echo \"${COMPREPLY[*]}\"",
          cases[i][0]);
      g_autofree char *out = NULL;
      int wait_status = 0;
      const char *argv[] = { "bash", "-c", command, "bash", installed_path, cases[i][0], NULL };

      g_spawn_sync (NULL, (char **)argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                    &wait_status, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (g_strstrip (out), ==, cases[i][1]);
    }
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_cli_start ();
  fd_t_kill_server_on_abort (srv);

  g_test_add_func ("/cli/error/usage", test_usage_errors);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/environment", test_environment);
  g_test_add_func ("/cli/data-dir", test_data_dir);
  g_test_add_func ("/cli/completion", test_completion);

  ret = g_test_run ();
  fd_test_cli_stop ();
  return ret;
}
