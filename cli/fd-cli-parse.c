/* fd-cli-parse.c — reads the command line against the command table: NOUN, VERB, a
 * sub-command where the verb has them, positional arguments and options (long, short, before
 * or after the command), each value checked once, at the edge (fd-cli-values.c), and what the
 * whole line must hold checked after the last word.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli.h"

G_DEFINE_QUARK (fd - cli - error - quark, fd_cli_error)

FdCliInvocation *
fd_cli_invocation_new (void)
{
  FdCliInvocation *invocation = g_new0 (FdCliInvocation, 1);

  invocation->args = g_ptr_array_new_with_free_func (g_free);
  invocation->values = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_ptr_array_unref);
  return invocation;
}

void
fd_cli_invocation_free (FdCliInvocation *invocation)
{
  if (invocation == NULL)
    return;
  g_ptr_array_unref (invocation->args);
  g_hash_table_unref (invocation->values);
  g_free (invocation);
}

static GPtrArray *
lookup_values (const FdCliInvocation *invocation, const char *name)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, invocation->values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_equal (((const FdCliParam *)key)->name, name))
      return value;
  return NULL;
}

const char *
fd_cli_invocation_get (const FdCliInvocation *invocation, const char *name)
{
  GPtrArray *values = lookup_values (invocation, name);

  return values != NULL && values->len > 0 ? g_ptr_array_index (values, values->len - 1) : NULL;
}

GPtrArray *
fd_cli_invocation_get_all (const FdCliInvocation *invocation, const char *name)
{
  return lookup_values (invocation, name);
}

gboolean
fd_cli_invocation_has (const FdCliInvocation *invocation, const char *name)
{
  return lookup_values (invocation, name) != NULL;
}

char *
fd_cli_invocation_name (const FdCliInvocation *invocation)
{
  GString *name = g_string_new (invocation->noun != NULL ? invocation->noun->name : "");

  if (invocation->parent != NULL)
    g_string_append_printf (name, " %s", invocation->parent->verb);
  if (invocation->command != NULL)
    g_string_append_printf (name, " %s", invocation->command->verb);
  return g_string_free (name, FALSE);
}

FdCliKind
fd_cli_invocation_kind (const FdCliInvocation *invocation)
{
  if (invocation->command != NULL && invocation->command->kind != FD_CLI_KIND_NONE)
    return invocation->command->kind;
  if (invocation->parent != NULL && invocation->parent->kind != FD_CLI_KIND_NONE)
    return invocation->parent->kind;
  return invocation->noun != NULL ? invocation->noun->kind : FD_CLI_KIND_NONE;
}

static const FdCliParam *
find_param (const FdCliParam *const *params, const char *name, gsize name_len)
{
  for (gsize i = 0; params != NULL && params[i] != NULL; i++)
    if (strlen (params[i]->name) == name_len && strncmp (params[i]->name, name, name_len) == 0)
      return params[i];
  return NULL;
}

static const FdCliParam *
find_short_param (const FdCliParam *const *params, char short_name)
{
  for (gsize i = 0; params != NULL && params[i] != NULL; i++)
    if (params[i]->short_name == short_name)
      return params[i];
  return NULL;
}

static gboolean
contains_param (const FdCliParam *const *params, const FdCliParam *param)
{
  for (gsize i = 0; params != NULL && params[i] != NULL; i++)
    if (params[i] == param)
      return TRUE;
  return FALSE;
}

static gsize
count_params (const FdCliParam *const *params)
{
  gsize n = 0;

  while (params[n] != NULL)
    n++;
  return n;
}

static gboolean
add_value (FdCliInvocation *invocation, const FdCliParam *param, const char *text, GError **error)
{
  GPtrArray *values = g_hash_table_lookup (invocation->values, param);

  if (values == NULL)
    {
      values = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (invocation->values, (gpointer)param, values);
    }
  else if (param->value != FD_CLI_VALUE_FLAG && !param->repeatable)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("--%s is given more than once"),
                   param->name);
      return FALSE;
    }
  else if (values->len >= FD_CLI_MAX_REPEAT)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("--%s is given more than %d times"),
                   param->name, FD_CLI_MAX_REPEAT);
      return FALSE;
    }
  g_ptr_array_add (values, g_strdup (text));
  return TRUE;
}

static void
set_unknown_option (const FdCliInvocation *invocation, const char *word, GError **error)
{
  g_autofree char *quoted = fd_cli_quote (word);

  if (invocation->command != NULL)
    {
      g_autofree char *name = fd_cli_invocation_name (invocation);

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unknown option '%s' for '%s'"),
                   quoted, name);
    }
  else
    g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unknown option '%s'"), quoted);
}

/* Records @param, found at argv[*i]; @inline_value is the text after '=' ("--name=value") or
 * after the letter ("-oFILE"), else NULL and the value (if it takes one) is the next word. */
static gboolean
take_value (FdCliInvocation *invocation, const FdCliParam *param, const char *inline_value,
            int argc, char **argv, int *i, GError **error)
{
  const char *text;

  if (param->value == FD_CLI_VALUE_FLAG)
    {
      if (inline_value != NULL)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("--%s takes no value"),
                       param->name);
          return FALSE;
        }
      if (g_str_equal (param->name, "help"))
        invocation->help = TRUE;
      else if (g_str_equal (param->name, "version"))
        invocation->version = TRUE;
      return add_value (invocation, param, "true", error);
    }

  if (inline_value != NULL)
    text = inline_value;
  else if (*i + 1 < argc)
    text = argv[++(*i)];
  else
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("--%s needs a value (%s)"),
                   param->name, param->metavar);
      return FALSE;
    }
  if (strlen (text) > FD_CLI_MAX_ARG_BYTES)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("--%s: the value is too long"),
                   param->name);
      return FALSE;
    }
  return fd_cli_check_value (param, NULL, text, error)
         && add_value (invocation, param, text, error);
}

/* Reads the option at argv[*i] ("--name", "--name=value" or "--name value"). Verb options are
 * known once NOUN VERB have been read; global options anywhere. */
static gboolean
take_option (FdCliInvocation *invocation, int argc, char **argv, int *i, GError **error)
{
  const char *word = argv[*i] + 2;
  const char *equals = strchr (word, '=');
  gsize name_len = equals != NULL ? (gsize)(equals - word) : strlen (word);
  const FdCliParam *param = NULL;

  if (invocation->command != NULL)
    param = find_param (invocation->command->options, word, name_len);
  if (param == NULL)
    param = find_param (fd_cli_table.global_options, word, name_len);
  if (param == NULL)
    {
      set_unknown_option (invocation, argv[*i], error);
      return FALSE;
    }
  return take_value (invocation, param, equals != NULL ? equals + 1 : NULL, argc, argv, i, error);
}

/* Reads "-h", "-o FILE" or "-oFILE" at argv[*i]. */
static gboolean
take_short_option (FdCliInvocation *invocation, int argc, char **argv, int *i, GError **error)
{
  const char *word = argv[*i];
  const FdCliParam *param = NULL;

  if (g_str_equal (word, "-h"))
    {
      invocation->help = TRUE;
      return TRUE;
    }
  if (invocation->command != NULL)
    param = find_short_param (invocation->command->options, word[1]);
  if (param == NULL)
    param = find_short_param (fd_cli_table.global_options, word[1]);
  if (param == NULL || (param->value == FD_CLI_VALUE_FLAG && word[2] != '\0'))
    {
      set_unknown_option (invocation, word, error);
      return FALSE;
    }
  return take_value (invocation, param, word[2] != '\0' ? word + 2 : NULL, argc, argv, i, error);
}

/* Enters the sub-command @sub of the verb read so far. Options given before it were read as
 * the verb's own; each must be one the sub-command has too. */
static gboolean
enter_subcommand (FdCliInvocation *invocation, const FdCliCommand *sub, GError **error)
{
  GHashTableIter iter;
  gpointer key;

  invocation->parent = invocation->command;
  invocation->command = sub;
  g_hash_table_iter_init (&iter, invocation->values);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const FdCliParam *param = key;

      if (!contains_param (fd_cli_table.global_options, param)
          && !contains_param (sub->options, param))
        {
          g_autofree char *label = g_strconcat ("--", param->name, NULL);

          set_unknown_option (invocation, label, error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
take_positional (FdCliInvocation *invocation, const char *word, GError **error)
{
  g_autofree char *quoted = fd_cli_quote (word);
  const FdCliCommand *command = invocation->command;
  const FdCliParam *param;

  if (invocation->noun == NULL)
    {
      invocation->noun = fd_cli_find_noun (word);
      if (invocation->noun == NULL)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unknown command '%s'"), quoted);
          return FALSE;
        }
      /* So that the options after "events" are the verb's. */
      if (invocation->noun->commands[0].flags & FD_CLI_FLAG_DEFAULT_VERB)
        {
          invocation->command = &invocation->noun->commands[0];
          invocation->verb_implied = TRUE;
        }
      return TRUE;
    }
  /* "events follow": the default verb named after all. */
  if (invocation->verb_implied && invocation->args->len == 0 && g_str_equal (word, command->verb))
    {
      invocation->verb_implied = FALSE;
      return TRUE;
    }
  if (command == NULL)
    {
      invocation->command = fd_cli_find_command (invocation->noun, word);
      if (invocation->command == NULL)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unknown verb '%s' for '%s'"),
                       quoted, invocation->noun->name);
          return FALSE;
        }
      return TRUE;
    }
  /* The first word after a verb with sub-commands: one of them, or the verb's own argument. */
  if (command->subcommands != NULL && invocation->parent == NULL && invocation->args->len == 0)
    for (const FdCliCommand *sub = command->subcommands; sub->verb != NULL; sub++)
      if (g_str_equal (sub->verb, word))
        return enter_subcommand (invocation, sub, error);

  if (invocation->args->len >= count_params (command->args))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unexpected argument '%s'"), quoted);
      return FALSE;
    }
  param = command->args[invocation->args->len];
  if (strlen (word) > FD_CLI_MAX_ARG_BYTES)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s is too long"), param->name);
      return FALSE;
    }
  if (!fd_cli_check_value (param, NULL, word, error))
    return FALSE;
  g_ptr_array_add (invocation->args, g_strdup (word));
  return TRUE;
}

/* "list, create, revoke" */
static char *
subcommand_list (const FdCliCommand *command)
{
  GString *words = g_string_new (NULL);

  for (const FdCliCommand *sub = command->subcommands; sub->verb != NULL; sub++)
    g_string_append_printf (words, "%s%s", words->len > 0 ? ", " : "", sub->verb);
  return g_string_free (words, FALSE);
}

/* What the whole command line must have, checked once every word has been read. */
static gboolean
check_complete (FdCliInvocation *invocation, GError **error)
{
  const FdCliCommand *command = invocation->command;
  g_autofree char *name = NULL;
  gsize n_args;

  if (invocation->noun == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("missing command (workspace, fleet, device, data, token, audit, …)"));
      return FALSE;
    }
  if (command == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("missing verb after '%s'"),
                   invocation->noun->name);
      return FALSE;
    }
  name = fd_cli_invocation_name (invocation);
  n_args = count_params (command->args);
  if (command->subcommands != NULL && invocation->args->len == 0)
    {
      g_autofree char *subs = subcommand_list (command);

      /* TRANSLATORS: "'device credentials' needs one of list, create, revoke, or DEVICE_ID" */
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("'%s' needs one of %s, or %s"), name,
                   subs, command->args[0]->name);
      return FALSE;
    }
  if (invocation->args->len < n_args)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("'%s' is missing %s"), name,
                   command->args[invocation->args->len]->name);
      return FALSE;
    }
  for (gsize i = 0; command->options[i] != NULL; i++)
    if (command->options[i]->required
        && !g_hash_table_contains (invocation->values, command->options[i]))
      {
        const FdCliParam *option = command->options[i];
        g_autofree char *label = option->short_name != 0
                                     ? g_strdup_printf ("-%c", option->short_name)
                                     : g_strdup_printf ("--%s", option->name);

        g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("'%s' needs %s %s"), name, label,
                     option->metavar);
        return FALSE;
      }
  if (command->flags & FD_CLI_FLAG_NEEDS_CHANGE)
    {
      gboolean any = FALSE;

      for (gsize i = 0; command->options[i] != NULL; i++)
        if (command->options[i]->target == FD_CLI_TO_BODY
            && g_hash_table_contains (invocation->values, command->options[i]))
          any = TRUE;
      if (!any)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("'%s' needs something to change (such as --name)"), name);
          return FALSE;
        }
    }
  if (command->check != NULL)
    return command->check (invocation, error);
  return TRUE;
}

gboolean
fd_cli_parse (FdCliInvocation *invocation, int argc, char **argv, GError **error)
{
  gboolean options_done = FALSE;

  for (int i = 1; i < argc; i++)
    {
      const char *word = argv[i];

      if (!options_done && g_str_equal (word, "--"))
        options_done = TRUE;
      else if (!options_done && g_str_has_prefix (word, "--"))
        {
          if (!take_option (invocation, argc, argv, &i, error))
            return FALSE;
        }
      else if (!options_done && word[0] == '-' && word[1] != '\0')
        {
          if (!take_short_option (invocation, argc, argv, &i, error))
            return FALSE;
        }
      else if (!take_positional (invocation, word, error))
        return FALSE;
    }

  /* --help and --version answer whatever else is missing. */
  if (invocation->help || invocation->version)
    return TRUE;
  return check_complete (invocation, error);
}
