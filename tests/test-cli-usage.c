/* test-cli-usage.c — fleetdesk-cli end to end, everything around the commands: usage errors
 * (exit 2, one line and a pointer to --help), files named on the command line that cannot be
 * used (exit 1, naming the file, before any request), --help for every noun, verb and
 * sub-command, --version, the server and token from FLEETDESK_URL / FLEETDESK_TOKEN and from a
 * data directory (--data-dir or $XDG_DATA_HOME/fleetdesk), and bash completion. The real binary
 * ($FD_CLI_BIN) runs against a real fleetdesk-server; the commands themselves are in test-cli.c
 * and test-cli-provision.c, the helpers in fd-test-cli.c.
 */
#include "config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <glib/gstdio.h>

#include "fd-test-api-util.h"
#include "fd-test-cli.h"

static FdTestServer *srv;

static void
test_usage_errors (void)
{
  g_autofree char *long_name = g_strnfill (101, 'n');
  g_autofree char *long_tag = g_strnfill (65, 't');
  const char *const cases[][12] = {
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
    /* device credentials: a sub-command or a device, then what each form needs */
    { "device", "credentials", NULL },
    { "device", "credentials", "dev-a", NULL },
    { "device", "credentials", "dev-a", "--mode", "device_token", NULL },
    { "device", "credentials", "dev-a", "-o", "z.json", NULL },
    { "device", "credentials", "dev-a", "--mode", "key", "-o", "z.json", NULL },
    { "device", "credentials", "dev-a", "dev-b", "--mode", "device_token", "-o", "z.json", NULL },
    { "device", "credentials", "dev-a", "--mode", "device_token", "-o", NULL },
    { "device", "credentials", "dev-a", "--mode", "device_token", "-o", "", NULL },
    { "device", "credentials", "dev-a", "--mode", "device_token", "-x", NULL },
    { "device", "credentials", "--mode", "device_token", "list", "dev-a", NULL },
    { "device", "credentials", "list", NULL },
    { "device", "credentials", "list", "dev-a", "--kind", "key", NULL },
    { "device", "credentials", "create", "dev-a", NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "rsa", NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "csr", NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "certificate", NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "generated", "--csr", "r.pem", NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "key", "--certificate", "c.pem", NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "generated", "--mode", "cloud_token",
      NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "certificate", "--certificate", "c.pem",
      "--expires", "2030-01-01T00:00:00Z", NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "generated", "--expires", "2030-01-01",
      NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "generated", "--expires",
      "2030-02-30T00:00:00Z", NULL },
    { "device", "credentials", "create", "dev-a", "--kind", "generated", "--force", NULL },
    { "device", "credentials", "revoke", "dev-a", NULL },
    { "device", "credentials", "revoke", "dev-a", "crd a", NULL },
    { "device", "import", "wks-a", NULL },
    { "device", "import", "wks-a", "d.csv", "--dry-run", "--credentials-dir", "out", NULL },
    { "device", "import", "wks-a", "d.csv", "--dry-run=true", NULL },
    { "device", "tags", NULL },
    { "data", NULL },
    { "data", "tags", NULL },
    { "data", "fields", "wks-a", NULL },
    { "data", "fields", "wks-a", "a/b", NULL },
    { "data", "fields", "wks-a", "a b", NULL },
    { "data", "fields", "wks-a", "a#", NULL },
    { "data", "fields", "wks-a", long_tag, NULL },
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

/* The message says what to do, and the --help it points at is the sub-command's. */
static void
test_usage_messages (void)
{
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) bare
      = fd_test_cli_run_env (env, "device", "credentials", "dev-a", "--mode", "cloud_token", NULL);
  g_autoptr (FdTestCliResult) sub = fd_test_cli_run_env (env, "device", "credentials", "create",
                                                         "dev-a", "--kind", "csr", NULL);
  g_autoptr (FdTestCliResult) late = fd_test_cli_run_env (
      env, "device", "credentials", "--mode", "device_token", "revoke", "dev-a", "crd-a", NULL);

  g_assert_cmpstr (bare->err, ==,
                   "fleetdesk-cli: 'device credentials' needs -o FILE\n"
                   "Try 'fleetdesk-cli device credentials --help' for more information.\n");
  g_assert_cmpstr (sub->err, ==,
                   "fleetdesk-cli: --kind csr needs the device's CSR: --csr FILE\n"
                   "Try 'fleetdesk-cli device credentials create --help' for more information.\n");
  g_assert_cmpstr (late->err, ==,
                   "fleetdesk-cli: unknown option '--mode' for 'device credentials revoke'\n"
                   "Try 'fleetdesk-cli device credentials revoke --help' for more information.\n");
}

/* Writes @len bytes of @data to DIR/NAME and returns the path. */
static char *
write_file (const char *dir, const char *name, const char *data, gssize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

/* A file named on the command line that cannot be used fails with exit 1 and a message naming
 * it, before anything is sent: the server URL here refuses connections, so a request would have
 * said "cannot reach" instead. */
static void
assert_file_refused (char **env, const char *needle, const char *first, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (FdTestCliResult) result = NULL;
  va_list ap;

  g_ptr_array_add (args, (char *)"--server");
  g_ptr_array_add (args, (char *)"http://127.0.0.1:1");
  g_ptr_array_add (args, (char *)"--token");
  g_ptr_array_add (args, (char *)"x");
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *)a);
  va_end (ap);
  result = fd_test_cli_run_argv (env, args);
  fd_test_cli_assert_fails (result, needle);
  g_assert_null (strstr (result->err, "cannot reach"));
}

static void
test_files_refused (void)
{
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fd-test-cli-files-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (dir, "missing.pem", NULL);
  g_autofree char *big_text = g_strnfill (16 * 1024 + 1, 'A');
  g_autofree char *big = NULL, *der = NULL, *text = NULL, *empty = NULL, *existing = NULL;
  g_autofree char *empty_csv = NULL, *big_csv = NULL, *csv = NULL, *not_dir = NULL;
  g_autofree char *dir_as_file = NULL;
  g_autofree char *contents = NULL;
  const char der_bytes[] = { 0x30, (char)0x82, 0x01, 0x00, 0x00, (char)0xff };
  int fd;

  g_assert_no_error (error);
  big = write_file (dir, "big.pem", big_text, -1);
  der = write_file (dir, "device.der", der_bytes, sizeof der_bytes);
  text = write_file (dir, "notes.txt", "not a certificate\n", -1);
  empty = write_file (dir, "empty.pem", "", 0);
  existing = write_file (dir, "zdevice.json", "keep me\n", -1);
  empty_csv = write_file (dir, "empty.csv", "", 0);
  csv = write_file (dir, "devices.csv", "name\nsensor-1\n", -1);
  not_dir = write_file (dir, "plain-file", "x", -1);
  dir_as_file = g_build_filename (not_dir, "sub", NULL);
  big_csv = g_build_filename (dir, "big.csv", NULL);
  fd = g_open (big_csv, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 16 * 1024 * 1024 + 1), ==, 0);
  close (fd);

  assert_file_refused (env, "missing.pem", "device", "credentials", "create", "dev-a", "--kind",
                       "csr", "--csr", missing, NULL);
  assert_file_refused (env, "larger than 16", "device", "credentials", "create", "dev-a", "--kind",
                       "certificate", "--certificate", big, NULL);
  assert_file_refused (env, "device.der is not UTF-8 text", "device", "credentials", "create",
                       "dev-a", "--kind", "certificate", "--certificate", der, NULL);
  assert_file_refused (env, "notes.txt is not a PEM file", "device", "credentials", "create",
                       "dev-a", "--kind", "csr", "--csr", text, NULL);
  assert_file_refused (env, "empty.pem is empty", "device", "credentials", "create", "dev-a",
                       "--kind", "csr", "--csr", empty, NULL);
  assert_file_refused (env, "zdevice.json already exists", "device", "credentials", "create",
                       "dev-a", "--kind", "generated", "-o", existing, NULL);
  assert_file_refused (env, "--force", "device", "credentials", "dev-a", "--mode", "cloud_token",
                       "-o", existing, NULL);
  assert_file_refused (env, "is a directory", "device", "credentials", "dev-a", "--mode",
                       "cloud_token", "-o", dir, NULL);
  assert_file_refused (env, "empty.csv is empty", "device", "import", "wks-a", empty_csv, NULL);
  assert_file_refused (env, "big.csv is larger than 16", "device", "import", "wks-a", big_csv,
                       NULL);
  assert_file_refused (env, "plain-file", "device", "import", "wks-a", csv, "--credentials-dir",
                       dir_as_file, NULL);

  /* The file that was there is as it was, and no temporary file is left beside it. */
  g_file_get_contents (existing, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "keep me\n");
  {
    g_autoptr (GDir) listing = g_dir_open (dir, 0, &error);
    const char *name;

    g_assert_no_error (error);
    while ((name = g_dir_read_name (listing)) != NULL)
      if (name[0] == '.')
        g_error ("a temporary file was left behind: %s", name);
  }
  fd_test_rm_rf (dir);
}

/* WORDS --help and -h WORDS ("device credentials list", or NULL for the program) print usage
 * on stdout and exit 0. */
static void
assert_help (char **env, const char *command)
{
  g_auto (GStrv) words = g_strsplit (command != NULL ? command : "", " ", -1);

  for (int before = 0; before < 2; before++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autoptr (FdTestCliResult) result = NULL;
      g_autoptr (GString) usage = g_string_new ("Usage: fleetdesk-cli");
      guint n_words = 0;
      char next;

      if (before)
        g_ptr_array_add (args, (char *)"-h");
      for (gsize j = 0; words[j] != NULL; j++)
        if (*words[j] != '\0')
          {
            g_ptr_array_add (args, words[j]);
            g_string_append_printf (usage, " %s", words[j]);
            n_words++;
          }
      if (!before)
        g_ptr_array_add (args, (char *)"--help");
      result = fd_test_cli_run_argv (env, args);
      g_assert_cmpint (result->status, ==, 0);
      g_assert_cmpstr (result->err, ==, "");
      next = result->out[MIN (strlen (result->out), usage->len)];
      if (!g_str_has_prefix (result->out, usage->str) || (next != ' ' && next != '\n'))
        g_error ("help does not start with \"%s\":\n%s", usage->str, result->out);
      if (n_words >= 2 && !g_str_equal (words[0], "completion"))
        g_assert_nonnull (strstr (result->out, "--server URL"));
    }
}

static void
test_help (void)
{
  /* Every noun, verb and sub-command a user can type. */
  const char *const nouns[][2] = {
    { "workspace", "create list get update delete" },
    { "fleet", "create list get update delete" },
    { "device", "create list get update move delete credentials import send status tags jobs" },
    { "data", "tags fields query aggregate series export" },
    { "condition", "list" },
    { "export", "list get cancel download delete schedule schedules unschedule runs" },
    { "job", "schedule list get cancel" },
    { "variable", "list get set unset pending" },
    { "firmware", "upload list get delete key" },
    { "campaign", "create list get targets pause resume abort watch" },
    { "token", "create list revoke" },
    { "audit", "list" },
    { "completion", "bash" },
  };
  const char *const subcommands[]
      = { "device credentials list", "device credentials create", "device credentials revoke" };
  g_auto (GStrv) env = fd_test_cli_clean_env ();
  g_autoptr (FdTestCliResult) device = NULL, credentials = NULL, create = NULL, import = NULL;
  g_autoptr (FdTestCliResult) alert = NULL;

  assert_help (env, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (nouns); i++)
    {
      g_auto (GStrv) verbs = g_strsplit (nouns[i][1], " ", -1);

      assert_help (env, nouns[i][0]);
      for (gsize v = 0; verbs[v] != NULL; v++)
        {
          g_autofree char *command = g_strdup_printf ("%s %s", nouns[i][0], verbs[v]);

          assert_help (env, command);
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (subcommands); i++)
    assert_help (env, subcommands[i]);

  /* The noun's help lists the sub-commands; the verb's shows both of its forms. */
  device = fd_test_cli_run_env (env, "device", "--help", NULL);
  g_assert_nonnull (
      strstr (device->out, "\n  credentials DEVICE_ID --mode MODE -o FILE [--force]\n"));
  g_assert_nonnull (strstr (device->out, "\n  credentials revoke DEVICE_ID CREDENTIAL_ID\n"));
  credentials = fd_test_cli_run_env (env, "device", "credentials", "-h", NULL);
  g_assert_true (g_str_has_prefix (
      credentials->out,
      "Usage: fleetdesk-cli device credentials SUB-COMMAND [ARGUMENTS] [OPTIONS]\n"
      "       fleetdesk-cli device credentials DEVICE_ID --mode MODE -o FILE [--force]\n"));
  g_assert_nonnull (strstr (credentials->out, "\nSub-commands:\n  list DEVICE_ID\n"));
  g_assert_nonnull (strstr (credentials->out, "  -o, --output FILE "));
  create = fd_test_cli_run_env (env, "device", "credentials", "create", "--help", NULL);
  g_assert_nonnull (strstr (create->out, "create DEVICE_ID --kind KIND [--csr FILE]"));
  g_assert_nonnull (strstr (create->out, "generated csr certificate key"));
  /* Help lines fit 80 columns (the Usage line aside). */
  {
    g_auto (GStrv) lines = g_strsplit (create->out, "\n", -1);

    for (gsize i = 1; lines[i] != NULL; i++)
      if (g_utf8_strlen (lines[i], -1) > 79)
        g_error ("help line longer than 79 columns: %s", lines[i]);
  }
  /* How device names become file names is said where it matters. */
  import = fd_test_cli_run_env (env, "device", "import", "--help", NULL);
  g_assert_nonnull (strstr (import->out, "control characters"));
  /* A required option that may be repeated says so, as an optional one does. */
  alert = fd_test_cli_run_env (env, "alert", "create", "--help", NULL);
  g_assert_nonnull (strstr (alert->out, "--name NAME --tag TAG… --open-longer-than SECONDS\n"));
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
  g_autofree char *cwd = g_dir_make_tmp ("fd-test-cli-complete-XXXXXX", &error);
  g_autofree char *csv = g_build_filename (cwd, "devices.csv", NULL);
  g_autofree char *subdir = g_build_filename (cwd, "creds", NULL);
  const char *const cases[][2] = {
    { "de", "device" },
    { "d", "device data" },
    { "device ", "create list get update move delete credentials import send status tags jobs" },
    { "ca", "campaign" },
    { "campaign ", "create list get targets pause resume abort watch" },
    { "campaign targets cmp-a --state f", "failed" },
    { "job list wks-a --state ", "active done canceled" },
    { "variable ", "list get set unset pending" },
    { "co", "condition completion" },
    { "condition list wks-a --status ", "open closed" },
    { "--json token r", "revoke" },
    { "device list wks-a --so", "--sort" },
    { "device list wks-a --sort -n", "-name" },
    { "workspace delete wks-a --f", "--force" },
    { "data ", "tags fields query aggregate series export" },
    { "data tags wks-a --s", "--server --search --size" },
    /* a sub-command, or the verb's own form with its options */
    { "device credentials ", "list create revoke" },
    { "device credentials r", "revoke" },
    { "--json device credentials c", "create" },
    { "device credentials dev-a ", "" },
    { "device credentials dev-a --", "--server --token --data-dir --json --help --version --mode "
                                     "--output --force" },
    { "device credentials dev-a --mode cloud_token -", "--server --token --data-dir --json --help "
                                                       "--version --mode --output -o --force" },
    { "device credentials dev-a --mode ", "device_token cloud_token certificate" },
    { "device credentials list dev-a --", "--server --token --data-dir --json --help --version" },
    { "device credentials create dev-a --k", "--kind" },
    { "device credentials create dev-a --kind ", "generated csr certificate key" },
    /* the same option takes other choices in another command */
    { "device credentials create dev-a --kind key --mode ", "device_token cloud_token" },
    /* file and directory names */
    { "device import wks-a d", "devices.csv" },
    { "device import wks-a devices.csv --credentials-dir c", "creds" },
    { "device credentials create dev-a --kind csr --csr d", "devices.csv" },
    { "device credentials dev-a --mode certificate -o d", "devices.csv" },
    { "device import wks-a devices.csv --", "--server --token --data-dir --json --help --version "
                                            "--dry-run --credentials-dir" },
  };

  g_assert_no_error (error);
  g_file_set_contents (csv, "name\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);

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

      g_spawn_sync (cwd, (char **)argv, env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                    &wait_status, &error);
      g_assert_no_error (error);
      if (g_strcmp0 (g_strstrip (out), cases[i][1]) != 0)
        g_error ("completing \"%s\": got \"%s\", expected \"%s\"", cases[i][0], out, cases[i][1]);
    }
  fd_test_rm_rf (cwd);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_cli_start ();
  fd_t_kill_server_on_abort (srv);

  g_test_add_func ("/cli/error/usage", test_usage_errors);
  g_test_add_func ("/cli/error/usage-messages", test_usage_messages);
  g_test_add_func ("/cli/error/files", test_files_refused);
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/environment", test_environment);
  g_test_add_func ("/cli/data-dir", test_data_dir);
  g_test_add_func ("/cli/completion", test_completion);

  ret = g_test_run ();
  fd_test_cli_stop ();
  return ret;
}
