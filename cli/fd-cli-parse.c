/* fd-cli-parse.c — reads the command line against the command table and checks every value
 * once, at the edge: nothing after this file sees an unchecked argument.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "fd-cli.h"

G_DEFINE_QUARK (fd - cli - error - quark, fd_cli_error)

/* Longest piece of a rejected value quoted back in an error message. */
#define FD_CLI_QUOTE_BYTES 40

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

gboolean
fd_cli_invocation_has (const FdCliInvocation *invocation, const char *name)
{
  return lookup_values (invocation, name) != NULL;
}

/* A printable, shortened copy of a rejected value, safe to put in front of a person. */
static char *
quote_value (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  if (strlen (escaped) > FD_CLI_QUOTE_BYTES)
    return g_strdup_printf ("%.*s…", FD_CLI_QUOTE_BYTES, escaped);
  return g_steal_pointer (&escaped);
}

static gboolean
check_chars (const char *text, const char *allowed_punct, gsize max_bytes)
{
  gsize len = strlen (text);

  if (len == 0 || len > max_bytes)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (allowed_punct, *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
check_text (const char *label, const char *text, glong max_chars, GError **error)
{
  g_autofree char *trimmed = NULL;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s is not valid UTF-8 text"),
                   label);
      return FALSE;
    }
  trimmed = g_strstrip (g_strdup (text));
  if (g_utf8_strlen (trimmed, -1) > max_chars)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s is longer than %ld characters"),
                   label, max_chars);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_number (const char *label, const char *text, guint min, guint max, GError **error)
{
  guint64 number;

  /* Strict: decimal digits only, no sign, no spaces, within bounds. */
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &number, NULL))
    {
      g_autofree char *quoted = quote_value (text);

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s: '%s' is not a whole number from %u to %u"), label, quoted, min, max);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_url (const char *label, const char *text, GError **error)
{
  g_autoptr (GUri) uri = NULL;

  if (strlen (text) <= FD_CLI_MAX_URL_BYTES)
    uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_autofree char *quoted = quote_value (text);

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("%s: '%s' is not an http:// or https:// server URL"), label, quoted);
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_cli_check_value (const FdCliParam *param, const char *label, const char *text, GError **error)
{
  g_autofree char *option_label = NULL;

  if (label == NULL)
    label = param->metavar != NULL ? (option_label = g_strconcat ("--", param->name, NULL))
                                   : param->name;

  switch (param->value)
    {
    case FD_CLI_VALUE_FLAG:
      return TRUE;

    case FD_CLI_VALUE_ID:
      if (!check_chars (text, "-_", FD_CLI_MAX_ID_BYTES))
        {
          g_autofree char *quoted = quote_value (text);

          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("%s: '%s' is not an ID (letters, digits, '-' and '_')"), label, quoted);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_ACTION:
      if (!check_chars (text, ".-_", FD_CLI_MAX_ACTION_BYTES))
        {
          g_autofree char *quoted = quote_value (text);

          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("%s: '%s' is not an action such as device.create"), label, quoted);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_NAME:
      return check_text (label, text, FD_CLI_MAX_NAME_CHARS, error);

    case FD_CLI_VALUE_TEXT:
      return check_text (label, text, FD_CLI_MAX_DESCRIPTION_CHARS, error);

    case FD_CLI_VALUE_OFFSET:
      return check_number (label, text, 0, FD_CLI_MAX_FROM, error);

    case FD_CLI_VALUE_PAGE_SIZE:
      return check_number (label, text, 1, FD_CLI_MAX_PAGE_SIZE, error);

    case FD_CLI_VALUE_CHOICE:
      if (!g_strv_contains ((const char *const *)param->choices, text))
        {
          g_autofree char *quoted = quote_value (text);
          g_autofree char *choices = g_strjoinv (", ", (char **)param->choices);

          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s: '%s' is not one of %s"),
                       label, quoted, choices);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_URL:
      return check_url (label, text, error);

    case FD_CLI_VALUE_TOKEN:
      /* Printable ASCII without spaces: anything else could not be sent in a header. The
       * token itself is never repeated in a message. */
      for (const char *p = text; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~')
          {
            g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                         _ ("%s: a token has only printable ASCII characters"), label);
            return FALSE;
          }
      if (*text == '\0' || strlen (text) > FD_CLI_MAX_TOKEN_BYTES)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("%s: a token has 1 to %d characters"), label, FD_CLI_MAX_TOKEN_BYTES);
          return FALSE;
        }
      return TRUE;

    case FD_CLI_VALUE_DIR:
      if (*text == '\0')
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                       _ ("%s: the directory name is empty"), label);
          return FALSE;
        }
      return TRUE;
    }
  g_assert_not_reached ();
}

static const FdCliParam *
find_param (const FdCliParam *const *params, const char *name, gsize name_len)
{
  for (gsize i = 0; params != NULL && params[i] != NULL; i++)
    if (strlen (params[i]->name) == name_len && strncmp (params[i]->name, name, name_len) == 0)
      return params[i];
  return NULL;
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

/* Reads the option at argv[*i] ("--name", "--name=value" or "--name value"). Verb options are
 * known once NOUN VERB have been read; global options anywhere. */
static gboolean
take_option (FdCliInvocation *invocation, int argc, char **argv, int *i, GError **error)
{
  const char *word = argv[*i] + 2;
  const char *equals = strchr (word, '=');
  gsize name_len = equals != NULL ? (gsize)(equals - word) : strlen (word);
  const FdCliParam *param = NULL;
  const char *text;

  if (invocation->command != NULL)
    param = find_param (invocation->command->options, word, name_len);
  if (param == NULL)
    param = find_param (fd_cli_table.global_options, word, name_len);
  if (param == NULL)
    {
      g_autofree char *quoted = quote_value (argv[*i]);

      if (invocation->command != NULL)
        g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unknown option '%s' for '%s %s'"),
                     quoted, invocation->noun->name, invocation->command->verb);
      else
        g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unknown option '%s'"), quoted);
      return FALSE;
    }

  if (param->value == FD_CLI_VALUE_FLAG)
    {
      if (equals != NULL)
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

  if (equals != NULL)
    text = equals + 1;
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

static gboolean
take_positional (FdCliInvocation *invocation, const char *word, GError **error)
{
  g_autofree char *quoted = quote_value (word);
  const FdCliParam *param;

  if (invocation->noun == NULL)
    {
      invocation->noun = fd_cli_find_noun (word);
      if (invocation->noun == NULL)
        {
          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unknown command '%s'"), quoted);
          return FALSE;
        }
      return TRUE;
    }
  if (invocation->command == NULL)
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
  if (invocation->args->len >= count_params (invocation->command->args))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unexpected argument '%s'"), quoted);
      return FALSE;
    }
  param = invocation->command->args[invocation->args->len];
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

/* What the whole command line must have, checked once every word has been read. */
static gboolean
check_complete (FdCliInvocation *invocation, GError **error)
{
  const FdCliCommand *command = invocation->command;
  gsize n_args;

  if (invocation->noun == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE,
                   _ ("missing command (workspace, fleet, device, token, audit, …)"));
      return FALSE;
    }
  if (command == NULL)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("missing verb after '%s'"),
                   invocation->noun->name);
      return FALSE;
    }
  n_args = count_params (command->args);
  if (invocation->args->len < n_args)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("'%s %s' is missing %s"),
                   invocation->noun->name, command->verb,
                   command->args[invocation->args->len]->name);
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
                       _ ("'%s %s' needs something to change (such as --name)"),
                       invocation->noun->name, command->verb);
          return FALSE;
        }
    }
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
      else if (!options_done && g_str_equal (word, "-h"))
        invocation->help = TRUE;
      else if (!options_done && g_str_has_prefix (word, "--"))
        {
          if (!take_option (invocation, argc, argv, &i, error))
            return FALSE;
        }
      else if (!options_done && word[0] == '-' && word[1] != '\0')
        {
          g_autofree char *quoted = quote_value (word);

          g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("unknown option '%s'"), quoted);
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
