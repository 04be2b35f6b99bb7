/* fd-cli-help.c — --help text at each level (program, noun, verb), made from the command table
 * so that it cannot drift from what the parser accepts.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli.h"

/* Left column width of "  --option VALUE   help" lines; longer entries put the help on the
 * next line. */
#define FD_CLI_HELP_COLUMN 22

static void
print_row (const char *left, const char *help)
{
  if (strlen (left) + 2 > FD_CLI_HELP_COLUMN)
    printf ("  %s\n  %*s%s\n", left, FD_CLI_HELP_COLUMN, "", help);
  else
    printf ("  %-*s%s\n", FD_CLI_HELP_COLUMN, left, help);
}

static char *
option_synopsis (const FdCliParam *param)
{
  if (param->metavar == NULL)
    return g_strdup_printf ("--%s", param->name);
  return g_strdup_printf ("--%s %s", param->name, param->metavar);
}

/* "create NAME [--description TEXT]" */
static char *
command_synopsis (const FdCliCommand *command)
{
  GString *text = g_string_new (command->verb);

  for (gsize i = 0; command->args[i] != NULL; i++)
    g_string_append_printf (text, " %s", command->args[i]->name);
  for (gsize i = 0; command->options[i] != NULL; i++)
    {
      g_autofree char *option = option_synopsis (command->options[i]);

      g_string_append_printf (text, " [%s]%s", option, command->options[i]->repeatable ? "…" : "");
    }
  return g_string_free (text, FALSE);
}

static void
print_global_options (void)
{
  const FdCliParam *const *options = fd_cli_table.global_options;

  printf ("%s\n", _ ("Global options (before or after the command):"));
  for (gsize i = 0; options[i] != NULL; i++)
    {
      g_autofree char *left = NULL;

      if (g_str_equal (options[i]->name, "help"))
        left = g_strdup ("-h, --help");
      else
        left = option_synopsis (options[i]);
      print_row (left, _ (options[i]->help));
    }
}

static void
print_program_help (void)
{
  printf (_ ("Usage: %s [OPTIONS] COMMAND VERB [ARGUMENTS] [OPTIONS]\n"), FD_CLI_PROGRAM);
  printf ("\n%s\n\n",
          _ ("Manages a Fleetdesk server: workspaces, fleets, devices, API tokens and the audit "
             "log."));
  printf ("%s\n", _ ("Commands:"));
  for (const FdCliNoun *noun = fd_cli_table.nouns; noun->name != NULL; noun++)
    print_row (noun->name, _ (noun->summary));
  printf ("\n");
  print_global_options ();
  printf ("\n%s\n",
          _ ("The URL and token come from --server and --token, else FLEETDESK_URL and\n"
             "FLEETDESK_TOKEN, else a local server's data directory (--data-dir, or\n"
             "$XDG_DATA_HOME/fleetdesk when no token is given), else http://127.0.0.1:7080."));
  printf (_ ("Run '%s COMMAND --help' for a command's verbs.\n"), FD_CLI_PROGRAM);
}

static void
print_noun_help (const FdCliNoun *noun)
{
  printf (_ ("Usage: %s %s VERB [ARGUMENTS] [OPTIONS]\n"), FD_CLI_PROGRAM, noun->name);
  printf ("\n%s\n\n%s\n", _ (noun->summary), _ ("Verbs:"));
  for (const FdCliCommand *command = noun->commands; command->verb != NULL; command++)
    {
      g_autofree char *synopsis = command_synopsis (command);

      printf ("  %s\n      %s\n", synopsis, _ (command->summary));
    }
  printf ("\n");
  printf (_ ("Run '%s %s VERB --help' for a verb's arguments and options,\nand '%s --help' "
             "for the global options.\n"),
          FD_CLI_PROGRAM, noun->name, FD_CLI_PROGRAM);
}

static void
print_command_help (const FdCliNoun *noun, const FdCliCommand *command)
{
  g_autofree char *synopsis = command_synopsis (command);

  printf (_ ("Usage: %s %s %s\n"), FD_CLI_PROGRAM, noun->name, synopsis);
  printf ("\n%s\n", _ (command->summary));
  if (command->args[0] != NULL)
    {
      printf ("\n%s\n", _ ("Arguments:"));
      for (gsize i = 0; command->args[i] != NULL; i++)
        print_row (command->args[i]->name, _ (command->args[i]->help));
    }
  if (command->options[0] != NULL)
    {
      printf ("\n%s\n", _ ("Options:"));
      for (gsize i = 0; command->options[i] != NULL; i++)
        {
          g_autofree char *left = option_synopsis (command->options[i]);

          print_row (left, _ (command->options[i]->help));
          if (command->options[i]->choices != NULL)
            {
              g_autofree char *choices = g_strjoinv (" ", (char **)command->options[i]->choices);

              print_row ("", choices);
            }
        }
    }
  printf ("\n");
  print_global_options ();
}

void
fd_cli_print_help (const FdCliInvocation *invocation)
{
  if (invocation->command != NULL)
    print_command_help (invocation->noun, invocation->command);
  else if (invocation->noun != NULL)
    print_noun_help (invocation->noun);
  else
    print_program_help ();
}

char *
fd_cli_help_hint (const FdCliInvocation *invocation)
{
  if (invocation->command != NULL)
    return g_strdup_printf ("%s %s %s --help", FD_CLI_PROGRAM, invocation->noun->name,
                            invocation->command->verb);
  if (invocation->noun != NULL)
    return g_strdup_printf ("%s %s --help", FD_CLI_PROGRAM, invocation->noun->name);
  return g_strdup_printf ("%s --help", FD_CLI_PROGRAM);
}
