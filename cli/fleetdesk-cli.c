/* fleetdesk-cli.c — entry point: parse the command line, turn the command into its request to
 * the operator API (docs/rest-api.md), show the answer, and exit 0 (done), 1 (the API, the
 * connection or a file failed) or 2 (the command line is wrong).
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli.h"

static int
report_usage_error (const FdCliInvocation *invocation, const GError *error)
{
  g_autofree char *hint = fd_cli_help_hint (invocation);

  fprintf (stderr, "%s: %s\n", FD_CLI_PROGRAM, error->message);
  fprintf (stderr, _ ("Try '%s' for more information.\n"), hint);
  return FD_CLI_EXIT_USAGE;
}

static int
report_error (const FdCliInvocation *invocation, const GError *error)
{
  /* What was printed before the error comes first, also when both go to one pipe. */
  fflush (stdout);
  if (g_error_matches (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE))
    return report_usage_error (invocation, error);

  fprintf (stderr, "%s: %s\n", FD_CLI_PROGRAM, error->message);
  if (g_error_matches (error, FD_CLI_ERROR, FD_CLI_ERROR_CONNECT))
    fprintf (stderr, "%s\n",
             _ ("Check that fleetdesk-server is running there, or give its address with --server "
                "or FLEETDESK_URL."));
  else if (g_error_matches (error, FD_CLI_ERROR, FD_CLI_ERROR_UNAUTHORIZED))
    fprintf (stderr, "%s\n",
             _ ("Check the token given with --token, FLEETDESK_TOKEN or --data-dir."));
  return FD_CLI_EXIT_FAILURE;
}

static int
run_remote (const FdCliInvocation *invocation)
{
  FdCliEndpoint endpoint = { NULL, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  int status = FD_CLI_EXIT_OK;

  if (!fd_cli_endpoint_resolve (invocation, &endpoint, &error))
    return report_error (invocation, error);

  if (invocation->command->remote != NULL)
    {
      if (!invocation->command->remote (invocation, &endpoint, &error))
        status = report_error (invocation, error);
    }
  else if (!fd_cli_http_send_command (invocation, &endpoint, &body, &error)
           || !fd_cli_output_show (invocation, body, &error))
    status = report_error (invocation, error);

  fd_cli_endpoint_clear (&endpoint);
  return status;
}

/* Output that cannot be written (a full disk, a closed pipe) is a failure, not a success. */
static int
finish (int status)
{
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      fprintf (stderr, "%s: %s\n", FD_CLI_PROGRAM, _ ("cannot write the output"));
      return FD_CLI_EXIT_FAILURE;
    }
  return status;
}

int
main (int argc, char **argv)
{
  g_autoptr (FdCliInvocation) invocation = fd_cli_invocation_new ();
  g_autoptr (GError) error = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!fd_cli_parse (invocation, argc, argv, &error))
    return report_usage_error (invocation, error);

  if (invocation->help)
    {
      fd_cli_print_help (invocation);
      return finish (FD_CLI_EXIT_OK);
    }
  if (invocation->version)
    {
      printf ("%s %s\n", FD_CLI_PROGRAM, PACKAGE_VERSION);
      return finish (FD_CLI_EXIT_OK);
    }
  if (invocation->command->local != NULL)
    return finish (invocation->command->local (invocation));
  return finish (run_remote (invocation));
}
