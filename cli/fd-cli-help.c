/* fd-cli-help.c — --help text at each level (program, noun, verb, sub-command), made from the
 * command table so that it cannot drift from what the parser accepts.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli.h"

/* Left column width of "  --option VALUE   help" lines; longer entries put the help on the
 * next line. */
#define FD_CLI_HELP_COLUMN 22
/* Help text is wrapped at words to fit this many columns. */
#define FD_CLI_HELP_WIDTH 79

/* Prints @text wrapped at spaces, the first line after @used columns already printed, the
 * others indented by @indent. */
static void
print_wrapped (const char *text, gsize used, gsize indent)
{
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  gsize column = used;
  gboolean line_empty = TRUE;

  for (gsize i = 0; words[i] != NULL; i++)
    {
      gsize width = (gsize)g_utf8_strlen (words[i], -1);

      if (!line_empty && column + 1 + width > FD_CLI_HELP_WIDTH)
        {
          printf ("\n%*s", (int)indent, "");
          column = indent;
          line_empty = TRUE;
        }
      if (!line_empty)
        {
          putchar (' ');
          column++;
        }
      fputs (words[i], stdout);
      column += width;
      line_empty = FALSE;
    }
  putchar ('\n');
}

static void
print_row (const char *left, const char *help)
{
  gsize indent = FD_CLI_HELP_COLUMN + 2;

  if (strlen (left) + 2 > FD_CLI_HELP_COLUMN)
    {
      printf ("  %s\n%*s", left, (int)indent, "");
      print_wrapped (help, indent, indent);
    }
  else
    {
      printf ("  %-*s", FD_CLI_HELP_COLUMN, left);
      print_wrapped (help, indent, indent);
    }
}

/* "--output FILE" in a synopsis ("-o FILE" with @prefer_short); "-o, --output FILE" in a list
 * of options. */
static char *
option_synopsis (const FdCliParam *param, gboolean prefer_short, gboolean both)
{
  g_autofree char *name = NULL;

  if (param->short_name != 0 && prefer_short)
    name = g_strdup_printf ("-%c", param->short_name);
  else if (param->short_name != 0 && both)
    name = g_strdup_printf ("-%c, --%s", param->short_name, param->name);
  else
    name = g_strdup_printf ("--%s", param->name);
  if (param->metavar == NULL)
    return g_steal_pointer (&name);
  return g_strdup_printf ("%s %s", name, param->metavar);
}

/* "create NAME [--description TEXT]"; @prefix is put before the verb ("credentials"). */
static char *
command_synopsis (const char *prefix, const FdCliCommand *command)
{
  GString *text = g_string_new (prefix);

  g_string_append_printf (text, "%s%s", text->len > 0 ? " " : "", command->verb);
  for (gsize i = 0; command->args[i] != NULL; i++)
    g_string_append_printf (text, " %s", command->args[i]->name);
  for (gsize i = 0; command->options[i] != NULL; i++)
    {
      const FdCliParam *option = command->options[i];
      g_autofree char *synopsis = option_synopsis (option, TRUE, FALSE);

      if (option->required)
        g_string_append_printf (text, " %s%s", synopsis, option->repeatable ? "…" : "");
      else
        g_string_append_printf (text, " [%s]%s", synopsis, option->repeatable ? "…" : "");
    }
  return g_string_free (text, FALSE);
}

/* The synopsis of the verb's own form: "credentials DEVICE_ID --mode MODE -o FILE"; for a verb
 * with sub-commands, its verb stands before its arguments as usual. */
static void
print_command_entry (const char *prefix, const FdCliCommand *command)
{
  g_autofree char *synopsis = command_synopsis (prefix, command);

  printf ("  %s\n      ", synopsis);
  print_wrapped (_ (command->summary), 6, 6);
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
        left = option_synopsis (options[i], FALSE, TRUE);
      print_row (left, _ (options[i]->help));
    }
}

static void
print_program_help (void)
{
  printf (_ ("Usage: %s [OPTIONS] COMMAND VERB [ARGUMENTS] [OPTIONS]\n"), FD_CLI_PROGRAM);
  printf ("\n%s\n\n",
          _ ("Manages a Fleetdesk server: workspaces, fleets, devices and their credentials, "
             "the data they send, jobs and variables, firmware and OTA campaigns, integrations "
             "and alerts, API tokens and the audit log."));
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
      print_command_entry ("", command);
      for (const FdCliCommand *sub = command->subcommands; sub != NULL && sub->verb != NULL; sub++)
        print_command_entry (command->verb, sub);
    }
  printf ("\n");
  printf (_ ("Run '%s %s VERB --help' for a verb's arguments and options,\nand '%s --help' "
             "for the global options.\n"),
          FD_CLI_PROGRAM, noun->name, FD_CLI_PROGRAM);
}

static void
print_command_help (const FdCliInvocation *invocation)
{
  const FdCliCommand *command = invocation->command;
  const FdCliCommand *parent = invocation->parent;
  g_autofree char *synopsis = command_synopsis (parent != NULL ? parent->verb : "", command);

  if (command->subcommands != NULL)
    {
      printf (_ ("Usage: %s %s %s SUB-COMMAND [ARGUMENTS] [OPTIONS]\n"), FD_CLI_PROGRAM,
              invocation->noun->name, command->verb);
      printf ("       %s %s %s\n", FD_CLI_PROGRAM, invocation->noun->name, synopsis);
    }
  else
    printf (_ ("Usage: %s %s %s\n"), FD_CLI_PROGRAM, invocation->noun->name, synopsis);
  printf ("\n");
  print_wrapped (_ (command->summary), 0, 0);
  if (command->subcommands != NULL)
    {
      printf ("\n%s\n", _ ("Sub-commands:"));
      for (const FdCliCommand *sub = command->subcommands; sub->verb != NULL; sub++)
        print_command_entry ("", sub);
    }
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
          g_autofree char *left = option_synopsis (command->options[i], FALSE, TRUE);

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
  if (command->subcommands != NULL)
    {
      printf ("\n");
      printf (_ ("Run '%s %s %s SUB-COMMAND --help' for a sub-command's arguments\nand "
                 "options.\n"),
              FD_CLI_PROGRAM, invocation->noun->name, command->verb);
    }
}

void
fd_cli_print_help (const FdCliInvocation *invocation)
{
  if (invocation->command != NULL)
    print_command_help (invocation);
  else if (invocation->noun != NULL)
    print_noun_help (invocation->noun);
  else
    print_program_help ();
}

char *
fd_cli_help_hint (const FdCliInvocation *invocation)
{
  if (invocation->command != NULL)
    {
      g_autofree char *name = fd_cli_invocation_name (invocation);

      return g_strdup_printf ("%s %s --help", FD_CLI_PROGRAM, name);
    }
  if (invocation->noun != NULL)
    return g_strdup_printf ("%s %s --help", FD_CLI_PROGRAM, invocation->noun->name);
  return g_strdup_printf ("%s --help", FD_CLI_PROGRAM);
}
