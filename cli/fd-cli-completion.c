/* fd-cli-completion.c — the bash completion script, generated from the command table: nouns,
 * verbs, sub-commands, options per command, choices, and directory and file names where a value
 * is one.
 *
 * cli/fleetdesk-cli.bash-completion is this function's output, checked in and installed; the
 * CLI test fails when the two differ, so a verb added to the table is completed too.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fd-cli.h"

static gboolean
takes_value (const FdCliParam *param)
{
  return param->value != FD_CLI_VALUE_FLAG;
}

/* Adds "--name" (and "-n" for a short name) for every option in @params to @out, space
 * separated. */
static void
append_options (GString *out, const FdCliParam *const *params)
{
  for (gsize i = 0; params[i] != NULL; i++)
    {
      g_string_append_printf (out, "%s--%s", out->len > 0 ? " " : "", params[i]->name);
      if (params[i]->short_name != 0)
        g_string_append_printf (out, " -%c", params[i]->short_name);
    }
}

static void
for_each_command_option (const FdCliCommand *command,
                         void (*func) (const FdCliParam *param, gpointer data), gpointer data)
{
  for (gsize i = 0; command->options[i] != NULL; i++)
    func (command->options[i], data);
  for (const FdCliCommand *sub = command->subcommands; sub != NULL && sub->verb != NULL; sub++)
    for_each_command_option (sub, func, data);
}

/* Walks every option of every verb and sub-command (and the globals). */
static void
for_each_option (void (*func) (const FdCliParam *param, gpointer data), gpointer data)
{
  for (gsize i = 0; fd_cli_table.global_options[i] != NULL; i++)
    func (fd_cli_table.global_options[i], data);
  for (const FdCliNoun *noun = fd_cli_table.nouns; noun->name != NULL; noun++)
    for (const FdCliCommand *command = noun->commands; command->verb != NULL; command++)
      for_each_command_option (command, func, data);
}

typedef struct
{
  GHashTable *seen;
  GString *out;
} FdCliOptionScan;

/* Adds "--name" (and "-n") to the pattern being collected, once per name. */
static void
add_to_pattern (FdCliOptionScan *scan, const FdCliParam *param)
{
  if (!g_hash_table_add (scan->seen, (gpointer)param->name))
    return;
  g_string_append_printf (scan->out, "%s--%s", scan->out->len > 0 ? "|" : "", param->name);
  if (param->short_name != 0)
    g_string_append_printf (scan->out, "|-%c", param->short_name);
}

static void
collect_value_option (const FdCliParam *param, gpointer data)
{
  if (takes_value (param))
    add_to_pattern (data, param);
}

static void
collect_dir_option (const FdCliParam *param, gpointer data)
{
  if (param->value == FD_CLI_VALUE_DIR)
    add_to_pattern (data, param);
}

static void
collect_file_option (const FdCliParam *param, gpointer data)
{
  if (param->value == FD_CLI_VALUE_FILE)
    add_to_pattern (data, param);
}

/* A branch completing the choices of each of @command's options, keyed "COMMAND/--option": the
 * same option name may take other choices in another command (--mode). */
static void
append_choice_cases (GString *s, const char *key, const FdCliCommand *command)
{
  for (gsize i = 0; command->options[i] != NULL; i++)
    if (command->options[i]->choices != NULL)
      {
        g_autofree char *words = g_strjoinv (" ", (char **)command->options[i]->choices);

        g_string_append_printf (s,
                                "    \"%s/--%s\")\n"
                                "      COMPREPLY=($(compgen -W \"%s\" -- \"$cur\"))\n"
                                "      return ;;\n",
                                key, command->options[i]->name, words);
      }
}

/* Calls @func with the key ("device credentials create") of every command and sub-command. */
static void
for_each_command (GString *s, void (*func) (GString *, const char *, const FdCliCommand *))
{
  for (const FdCliNoun *noun = fd_cli_table.nouns; noun->name != NULL; noun++)
    for (const FdCliCommand *command = noun->commands; command->verb != NULL; command++)
      {
        g_autofree char *key = g_strdup_printf ("%s %s", noun->name, command->verb);

        func (s, key, command);
        for (const FdCliCommand *sub = command->subcommands; sub != NULL && sub->verb != NULL;
             sub++)
          {
            g_autofree char *sub_key = g_strdup_printf ("%s %s", key, sub->verb);

            func (s, sub_key, sub);
          }
      }
}

/* "--a|--b" of every option whose value passes @collect. */
static char *
option_pattern (void (*collect) (const FdCliParam *, gpointer))
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GString *out = g_string_new (NULL);
  FdCliOptionScan scan = { seen, out };

  for_each_option (collect, &scan);
  return g_string_free (out, FALSE);
}

/* "words" for the options of @command (globals already in it), as a case branch. */
static void
append_option_case (GString *s, const char *key, const FdCliCommand *command)
{
  g_autoptr (GString) options = g_string_new (NULL);

  append_options (options, command->options);
  if (options->len > 0)
    g_string_append_printf (s, "      \"%s\") words=\"$words %s\" ;;\n", key, options->str);
}

/* A branch completing file names where @command's positional argument number n (counted from
 * 0 after the verb and sub-command) is a file. */
static void
append_file_argument_cases (GString *s, const char *key, const FdCliCommand *command)
{
  for (gsize i = 0; command->args[i] != NULL; i++)
    if (command->args[i]->value == FD_CLI_VALUE_FILE)
      g_string_append_printf (s,
                              "    \"%s %" G_GSIZE_FORMAT "\")\n"
                              "      COMPREPLY=($(compgen -f -- \"$cur\"))\n"
                              "      return ;;\n",
                              key, i);
}

char *
fd_cli_completion_bash (void)
{
  GString *s = g_string_new (NULL);
  g_autofree char *value_options = option_pattern (collect_value_option);
  g_autofree char *dir_options = option_pattern (collect_dir_option);
  g_autofree char *file_options = option_pattern (collect_file_option);
  g_autoptr (GString) globals = g_string_new (NULL);
  g_autoptr (GString) nouns = g_string_new (NULL);
  g_autoptr (GString) subverbs = g_string_new (NULL);

  append_options (globals, fd_cli_table.global_options);
  for (const FdCliNoun *noun = fd_cli_table.nouns; noun->name != NULL; noun++)
    {
      g_string_append_printf (nouns, "%s%s", nouns->len > 0 ? " " : "", noun->name);
      for (const FdCliCommand *command = noun->commands; command->verb != NULL; command++)
        for (const FdCliCommand *sub = command->subcommands; sub != NULL && sub->verb != NULL;
             sub++)
          g_string_append_printf (subverbs, " %s/%s/%s", noun->name, command->verb, sub->verb);
    }
  g_string_append_c (subverbs, ' ');

  g_string_append (s, "# bash completion for " FD_CLI_PROGRAM "\n"
                      "# Generated by '" FD_CLI_PROGRAM " completion bash' from its command "
                      "table; do not edit.\n\n"
                      "_fleetdesk_cli ()\n"
                      "{\n"
                      "  local cur prev word noun='' verb='' sub='' words='' i n=0\n");
  /* Every "noun/verb/sub-command", to tell a sub-command from a verb's first argument. */
  g_string_append_printf (s, "  local subs='%s'\n", subverbs->str);
  g_string_append (s, "  cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
                      "  prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
                      "  COMPREPLY=()\n\n");

  /* Find NOUN, VERB and a sub-command among the words before the cursor, skipping options and
   * their values; n counts the positional arguments after them. */
  g_string_append_printf (s,
                          "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
                          "    word=\"${COMP_WORDS[i]}\"\n"
                          "    case \"$word\" in\n"
                          "      %s) i=$((i + 1)) ;;\n"
                          "      -*) ;;\n"
                          "      *)\n"
                          "        if [[ -z \"$noun\" ]]; then noun=\"$word\"\n"
                          "        elif [[ -z \"$verb\" ]]; then verb=\"$word\"\n"
                          "        elif [[ -z \"$sub\" && $n -eq 0 && \"$subs\" == *\" "
                          "$noun/$verb/$word \"* ]]; then sub=\"$word\"\n"
                          "        else n=$((n + 1))\n"
                          "        fi ;;\n"
                          "    esac\n"
                          "  done\n\n",
                          value_options);

  /* The value of the option before the cursor. */
  g_string_append (s, "  case \"$noun $verb${sub:+ $sub}/$prev\" in\n");
  for_each_command (s, append_choice_cases);
  g_string_append (s, "  esac\n"
                      "  case \"$prev\" in\n");
  if (*dir_options != '\0')
    g_string_append_printf (s,
                            "    %s)\n"
                            "      COMPREPLY=($(compgen -d -- \"$cur\"))\n"
                            "      return ;;\n",
                            dir_options);
  if (*file_options != '\0')
    g_string_append_printf (s,
                            "    %s)\n"
                            "      COMPREPLY=($(compgen -f -- \"$cur\"))\n"
                            "      return ;;\n",
                            file_options);
  g_string_append_printf (s,
                          "    %s)\n"
                          "      return ;;\n"
                          "  esac\n\n",
                          value_options);

  /* A positional argument that is a file. */
  g_string_append (s, "  case \"$noun $verb${sub:+ $sub} $n\" in\n");
  for_each_command (s, append_file_argument_cases);
  g_string_append (s, "  esac\n\n");

  g_string_append_printf (s,
                          "  if [[ \"$cur\" == -* ]]; then\n"
                          "    words=\"%s\"\n"
                          "    case \"$noun $verb${sub:+ $sub}\" in\n",
                          globals->str);
  for_each_command (s, append_option_case);
  g_string_append_printf (s,
                          "    esac\n"
                          "  elif [[ -z \"$noun\" ]]; then\n"
                          "    words=\"%s\"\n"
                          "  elif [[ -z \"$verb\" ]]; then\n"
                          "    case \"$noun\" in\n",
                          nouns->str);
  for (const FdCliNoun *noun = fd_cli_table.nouns; noun->name != NULL; noun++)
    {
      g_autoptr (GString) verbs = g_string_new (NULL);

      for (const FdCliCommand *command = noun->commands; command->verb != NULL; command++)
        g_string_append_printf (verbs, "%s%s", verbs->len > 0 ? " " : "", command->verb);
      g_string_append_printf (s, "      %s) words=\"%s\" ;;\n", noun->name, verbs->str);
    }
  g_string_append (s, "    esac\n"
                      "  elif [[ -z \"$sub\" && $n -eq 0 ]]; then\n"
                      "    case \"$noun $verb\" in\n");
  for (const FdCliNoun *noun = fd_cli_table.nouns; noun->name != NULL; noun++)
    for (const FdCliCommand *command = noun->commands; command->verb != NULL; command++)
      if (command->subcommands != NULL)
        {
          g_autoptr (GString) subs = g_string_new (NULL);

          for (const FdCliCommand *sub = command->subcommands; sub->verb != NULL; sub++)
            g_string_append_printf (subs, "%s%s", subs->len > 0 ? " " : "", sub->verb);
          g_string_append_printf (s, "      \"%s %s\") words=\"%s\" ;;\n", noun->name,
                                  command->verb, subs->str);
        }
  g_string_append (s, "    esac\n"
                      "  fi\n"
                      "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
                      "}\n\n"
                      "complete -F _fleetdesk_cli " FD_CLI_PROGRAM "\n");
  return g_string_free (s, FALSE);
}

int
fd_cli_completion_run (const FdCliInvocation *invocation)
{
  g_autofree char *script = fd_cli_completion_bash ();
  g_autoptr (GError) error = NULL;

  if (!fd_cli_output_write (script, strlen (script), &error))
    {
      fprintf (stderr, "%s: %s\n", FD_CLI_PROGRAM, error->message);
      return FD_CLI_EXIT_FAILURE;
    }
  return FD_CLI_EXIT_OK;
}
