/* fd-cli-output.c — what a person sees: aligned tables with a count line for lists, aligned
 * "key: value" lines for one object, a sentence for a deletion; or, with --json, the API's body
 * byte for byte.
 *
 * Text from the server is made printable first (no control characters reach the terminal).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "fd-cli.h"

/* Space between table columns. */
#define FD_CLI_COLUMN_GAP "  "
/* Terminal width when stdout is not a terminal and $COLUMNS says nothing. */
#define FD_CLI_DEFAULT_WIDTH 100
/* A JSON cell is never cut shorter than this, however narrow the terminal. */
#define FD_CLI_MIN_JSON_CELL 20

gboolean
fd_cli_output_write (const char *text, gsize len, GError **error)
{
  if (len > 0 && fwrite (text, 1, len, stdout) != len)
    {
      int saved_errno = errno;

      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_OUTPUT, _ ("cannot write the output: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

gboolean
fd_cli_output_json (GBytes *body, GError **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);

  if (len == 0)
    return TRUE;
  return fd_cli_output_write (data, len, error)
         && (data[len - 1] == '\n' || fd_cli_output_write ("\n", 1, error));
}

char *
fd_cli_output_printable (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        g_string_append_c (out, '?');
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Terminal columns taken by @text (wide characters count twice). */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

/* @text cut to at most @width columns, ending in "…" when it was cut. */
static char *
cut_to_width (const char *text, gsize width)
{
  GString *out = g_string_new (NULL);
  gsize used = 0;

  if (display_width (text) <= width)
    {
      g_string_append (out, text);
      return g_string_free (out, FALSE);
    }
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gsize w = g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;

      if (used + w + 1 > width)
        break;
      g_string_append_unichar (out, c);
      used += w;
    }
  g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

/* Columns of the terminal on stdout; else $COLUMNS; else FD_CLI_DEFAULT_WIDTH. */
static gsize
terminal_width (void)
{
  struct winsize size;
  const char *columns = g_getenv ("COLUMNS");
  guint64 n;

  if (isatty (STDOUT_FILENO) && ioctl (STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  if (columns != NULL && g_ascii_string_to_unsigned (columns, 10, 10, 10000, &n, NULL))
    return (gsize)n;
  return FD_CLI_DEFAULT_WIDTH;
}

static char *
format_time (const char *text, const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_iso8601 (text, NULL);
  g_autoptr (GDateTime) local = NULL;

  if (utc == NULL)
    return fd_cli_output_printable (text);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, format);
}

/* Any JSON value as one line of text; @as_time formats RFC 3339 strings for a table. */
static char *
node_text (JsonNode *node, gboolean as_time)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("-");
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING && as_time)
        return format_time (json_node_get_string (node), "%Y-%m-%d %H:%M");
      if (type == G_TYPE_STRING)
        return fd_cli_output_printable (json_node_get_string (node));
      if (type == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? C_ ("value", "yes") : C_ ("value", "no"));
      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (type == G_TYPE_DOUBLE)
        return g_strdup_printf ("%g", json_node_get_double (node));
    }
  {
    g_autofree char *json = json_to_string (node, FALSE);

    return fd_cli_output_printable (json);
  }
}

JsonNode *
fd_cli_output_parse (GBytes *body, GError **error)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);
  g_autofree char *text = g_strndup (data != NULL ? data : "", len);
  JsonNode *root = json_from_string (text, NULL);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_clear_pointer (&root, json_node_unref);
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                   _ ("the server's answer is not a JSON object"));
    }
  return root;
}

JsonNode *
fd_cli_output_lookup (JsonObject *object, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;

  for (gsize i = 0; parts[i] != NULL; i++)
    {
      if (object == NULL)
        return NULL;
      node = json_object_get_member (object, parts[i]);
      if (node == NULL)
        return NULL;
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }
  return node;
}

const char *
fd_cli_output_get_string (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
is_pem (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING
         && g_str_has_prefix (json_node_get_string (node), "-----BEGIN ");
}

/* A PEM on the lines after its key, as it is (printable), ending with a newline. */
static void
append_pem (GString *out, const char *pem)
{
  g_autofree char *text = g_utf8_make_valid (pem, -1);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (gsize i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = fd_cli_output_printable (g_strchomp (lines[i]));

      if (*line != '\0')
        g_string_append_printf (out, "%s\n", line);
    }
}

/* Nested objects deeper than this are printed as JSON text on their line. */
#define FD_CLI_OUTPUT_MAX_DEPTH 4

/* Appends @object's members to @keys/@nodes, a nested object's members under "key.member"
 * (a JSON document on one line is hard to read: `presence.transport: mqtt` is not). An empty
 * object stays one member, shown as "{}". */
static void
flatten (JsonObject *object, const char *prefix, guint depth, const char *const *skip,
         GPtrArray *keys, GPtrArray *nodes)
{
  g_autoptr (GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (object, l->data);
      g_autofree char *key = NULL;

      if (prefix == NULL && skip != NULL && g_strv_contains (skip, l->data))
        continue;
      key = prefix ? g_strconcat (prefix, ".", l->data, NULL) : g_strdup (l->data);
      if (JSON_NODE_HOLDS_OBJECT (node) && depth < FD_CLI_OUTPUT_MAX_DEPTH
          && json_object_get_size (json_node_get_object (node)) > 0)
        {
          flatten (json_node_get_object (node), key, depth + 1, NULL, keys, nodes);
          continue;
        }
      g_ptr_array_add (keys, fd_cli_output_printable (key));
      g_ptr_array_add (nodes, node);
    }
}

gboolean
fd_cli_output_object (JsonObject *object, const char *const *skip, GError **error)
{
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) nodes = g_ptr_array_new ();
  g_autoptr (GString) out = g_string_new (NULL);
  gsize key_width = 0;
  gboolean ok;

  flatten (object, NULL, 0, skip, keys, nodes);
  for (guint i = 0; i < keys->len; i++)
    key_width = MAX (key_width, display_width (keys->pdata[i]) + 1);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = keys->pdata[i];
      JsonNode *node = nodes->pdata[i];
      g_autofree char *value = NULL;

      if (is_pem (node))
        {
          g_string_append_printf (out, "%s:\n", key);
          append_pem (out, json_node_get_string (node));
          continue;
        }
      value = node_text (node, FALSE);
      g_string_append_printf (out, "%s:", key);
      if (*value != '\0')
        g_string_append_printf (out, "%*s %s", (int)(key_width - display_width (key) - 1), "",
                                value);
      g_string_append_c (out, '\n');
    }
  ok = fd_cli_output_write (out->str, out->len, error);
  /* The lines may hold a private key or a secret. */
  memset (out->str, 0, out->len);
  return ok;
}

/* "3 of 7 devices": one translatable sentence per kind, so that plurals work in every
 * language. */
static char *
count_line (FdCliKind kind, guint shown, guint total)
{
  switch (kind)
    {
    case FD_CLI_KIND_WORKSPACE:
      return g_strdup_printf (ngettext ("%u of %u workspace", "%u of %u workspaces", total), shown,
                              total);
    case FD_CLI_KIND_FLEET:
      return g_strdup_printf (ngettext ("%u of %u fleet", "%u of %u fleets", total), shown, total);
    case FD_CLI_KIND_DEVICE:
      return g_strdup_printf (ngettext ("%u of %u device", "%u of %u devices", total), shown,
                              total);
    case FD_CLI_KIND_TOKEN:
      return g_strdup_printf (ngettext ("%u of %u token", "%u of %u tokens", total), shown, total);
    case FD_CLI_KIND_AUDIT_ENTRY:
      return g_strdup_printf (ngettext ("%u of %u audit entry", "%u of %u audit entries", total),
                              shown, total);
    case FD_CLI_KIND_CREDENTIAL:
      return g_strdup_printf (ngettext ("%u of %u credential", "%u of %u credentials", total),
                              shown, total);
    case FD_CLI_KIND_TAG:
      return g_strdup_printf (ngettext ("%u of %u tag", "%u of %u tags", total), shown, total);
    case FD_CLI_KIND_FIELD:
      return g_strdup_printf (ngettext ("%u of %u field", "%u of %u fields", total), shown, total);
    case FD_CLI_KIND_CONDITION:
      return g_strdup_printf (ngettext ("%u of %u condition", "%u of %u conditions", total), shown,
                              total);
    case FD_CLI_KIND_EXPORT:
      return g_strdup_printf (ngettext ("%u of %u export", "%u of %u exports", total), shown,
                              total);
    case FD_CLI_KIND_EXPORT_SCHEDULE:
      return g_strdup_printf (
          ngettext ("%u of %u export schedule", "%u of %u export schedules", total), shown, total);
    case FD_CLI_KIND_JOB:
      return g_strdup_printf (ngettext ("%u of %u job", "%u of %u jobs", total), shown, total);
    case FD_CLI_KIND_EXECUTION:
      return g_strdup_printf (ngettext ("%u of %u job execution", "%u of %u job executions", total),
                              shown, total);
    case FD_CLI_KIND_VARIABLE:
      return g_strdup_printf (ngettext ("%u of %u variable", "%u of %u variables", total), shown,
                              total);
    case FD_CLI_KIND_FIRMWARE:
      return g_strdup_printf (
          ngettext ("%u of %u firmware image", "%u of %u firmware images", total), shown, total);
    case FD_CLI_KIND_CAMPAIGN:
      return g_strdup_printf (ngettext ("%u of %u campaign", "%u of %u campaigns", total), shown,
                              total);
    case FD_CLI_KIND_CAMPAIGN_TARGET:
      return g_strdup_printf (ngettext ("%u of %u target", "%u of %u targets", total), shown,
                              total);
    case FD_CLI_KIND_INTEGRATION:
      return g_strdup_printf (ngettext ("%u of %u integration", "%u of %u integrations", total),
                              shown, total);
    case FD_CLI_KIND_DELIVERY:
      return g_strdup_printf (
          ngettext ("%u of %u delivery attempt", "%u of %u delivery attempts", total), shown,
          total);
    case FD_CLI_KIND_ALERT_RULE:
      return g_strdup_printf (ngettext ("%u of %u alert rule", "%u of %u alert rules", total),
                              shown, total);
    case FD_CLI_KIND_ALERT:
      return g_strdup_printf (ngettext ("%u of %u alert", "%u of %u alerts", total), shown,
                              total);
    case FD_CLI_KIND_NONE:
      break;
    }
  return g_strdup_printf ("%u / %u", shown, total);
}

static char *
deleted_line (FdCliKind kind, const char *id)
{
  switch (kind)
    {
    case FD_CLI_KIND_WORKSPACE:
      return g_strdup_printf (_ ("Deleted workspace %s"), id);
    case FD_CLI_KIND_FLEET:
      return g_strdup_printf (_ ("Deleted fleet %s"), id);
    case FD_CLI_KIND_DEVICE:
      return g_strdup_printf (_ ("Deleted device %s"), id);
    case FD_CLI_KIND_TOKEN:
      return g_strdup_printf (_ ("Revoked token %s"), id);
    case FD_CLI_KIND_CREDENTIAL:
      return g_strdup_printf (_ ("Revoked credential %s"), id);
    case FD_CLI_KIND_EXPORT:
      return g_strdup_printf (_ ("Deleted export %s"), id);
    case FD_CLI_KIND_EXPORT_SCHEDULE:
      return g_strdup_printf (_ ("Deleted export schedule %s"), id);
    case FD_CLI_KIND_VARIABLE:
      return g_strdup_printf (_ ("Unset variable %s"), id);
    case FD_CLI_KIND_FIRMWARE:
      return g_strdup_printf (_ ("Deleted firmware %s"), id);
    case FD_CLI_KIND_INTEGRATION:
      return g_strdup_printf (_ ("Deleted integration %s"), id);
    case FD_CLI_KIND_DELIVERY:
    case FD_CLI_KIND_ALERT_RULE:
      return g_strdup_printf (_ ("Deleted alert rule %s"), id);
    case FD_CLI_KIND_JOB:
    case FD_CLI_KIND_EXECUTION:
    case FD_CLI_KIND_CAMPAIGN:
    case FD_CLI_KIND_CAMPAIGN_TARGET:
    case FD_CLI_KIND_ALERT:
    case FD_CLI_KIND_AUDIT_ENTRY:
    case FD_CLI_KIND_TAG:
    case FD_CLI_KIND_FIELD:
    case FD_CLI_KIND_CONDITION:
    case FD_CLI_KIND_NONE:
      break;
    }
  return g_strdup_printf (_ ("Deleted %s"), id);
}

static const char *
column_header (const FdCliColumn *column)
{
  return g_dpgettext2 (GETTEXT_PACKAGE, "table column", column->header);
}

static void
append_padded (GString *out, const char *cell, gsize width, gboolean last)
{
  g_string_append (out, cell);
  if (!last)
    {
      for (gsize w = display_width (cell); w < width; w++)
        g_string_append_c (out, ' ');
      g_string_append (out, FD_CLI_COLUMN_GAP);
    }
}

static char *
cell_text (const FdCliColumn *column, JsonObject *item)
{
  JsonNode *node;

  if (item == NULL)
    return g_strdup ("-");
  if (column->cell == FD_CLI_CELL_FUNC)
    return column->func (item);
  node = fd_cli_output_lookup (item, column->member);
  if (column->cell == FD_CLI_CELL_JSON && node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      g_autofree char *json = json_to_string (node, FALSE);

      return fd_cli_output_printable (json);
    }
  return node_text (node, column->cell == FD_CLI_CELL_TIME);
}

char *
fd_cli_output_table (const FdCliColumn *columns, JsonArray *items)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree gsize *widths = NULL;
  gsize n_columns = 0;
  gsize fixed = 0;
  gssize json_column = -1;

  while (columns[n_columns].header != NULL)
    n_columns++;
  widths = g_new0 (gsize, n_columns);
  if (json_array_get_length (items) == 0)
    return g_strdup ("");

  for (gsize c = 0; c < n_columns; c++)
    widths[c] = display_width (column_header (&columns[c]));
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *item = json_array_get_element (items, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (item) ? json_node_get_object (item) : NULL;
      char **row = g_new0 (char *, n_columns + 1);

      for (gsize c = 0; c < n_columns; c++)
        {
          row[c] = cell_text (&columns[c], object);
          widths[c] = MAX (widths[c], display_width (row[c]));
        }
      g_ptr_array_add (rows, row);
    }

  /* A JSON column (a payload) takes what the others leave of the terminal's width. */
  for (gsize c = 0; c < n_columns; c++)
    if (columns[c].cell == FD_CLI_CELL_JSON)
      json_column = (gssize)c;
    else
      fixed += widths[c] + strlen (FD_CLI_COLUMN_GAP);
  if (json_column >= 0)
    {
      gsize width = terminal_width ();
      gsize room = width > fixed ? width - fixed : 0;
      gsize limit = MAX (
          room, MAX (FD_CLI_MIN_JSON_CELL, display_width (column_header (&columns[json_column]))));

      if (widths[json_column] > limit)
        {
          widths[json_column] = limit;
          for (guint r = 0; r < rows->len; r++)
            {
              char **row = g_ptr_array_index (rows, r);
              char *cut = cut_to_width (row[json_column], limit);

              g_free (row[json_column]);
              row[json_column] = cut;
            }
        }
    }

  for (gsize c = 0; c < n_columns; c++)
    append_padded (out, column_header (&columns[c]), widths[c], c + 1 == n_columns);
  g_string_append_c (out, '\n');
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      for (gsize c = 0; c < n_columns; c++)
        append_padded (out, row[c], widths[c], c + 1 == n_columns);
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
show_list (const FdCliInvocation *invocation, JsonObject *root, GError **error)
{
  JsonNode *items_node = json_object_get_member (root, "items");
  JsonNode *total_node = json_object_get_member (root, "total");
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *table = NULL;
  g_autofree char *count = NULL;
  const char *from_text = fd_cli_invocation_get (invocation, "from");
  /* Checked by the parser: 0..FD_CLI_MAX_FROM. */
  guint from = from_text != NULL ? (guint)g_ascii_strtoull (from_text, NULL, 10) : 0;
  guint shown;
  gint64 total;

  if (items_node == NULL || !JSON_NODE_HOLDS_ARRAY (items_node) || total_node == NULL
      || !JSON_NODE_HOLDS_VALUE (total_node)
      || json_node_get_value_type (total_node) != G_TYPE_INT64 || json_node_get_int (total_node) < 0
      || json_node_get_int (total_node) > G_MAXUINT)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_PROTOCOL,
                   _ ("the server's answer is not a list of items and a total"));
      return FALSE;
    }
  total = json_node_get_int (total_node);
  shown = json_array_get_length (json_node_get_array (items_node));
  table = fd_cli_output_table (invocation->command->columns, json_node_get_array (items_node));
  g_string_append (out, table);

  count = count_line (fd_cli_invocation_kind (invocation), shown, (guint)total);
  g_string_append (out, count);
  if ((guint64)from + shown < (guint64)total && shown > 0)
    {
      g_string_append (out, " ");
      g_string_append_printf (out, _ ("(see more with --from %u)"), from + shown);
    }
  g_string_append_c (out, '\n');
  return fd_cli_output_write (out->str, out->len, error);
}

gboolean
fd_cli_output_show (const FdCliInvocation *invocation, GBytes *body, GError **error)
{
  const FdCliCommand *command = invocation->command;
  g_autoptr (JsonNode) root = NULL;

  if (fd_cli_invocation_has (invocation, "json"))
    return fd_cli_output_json (body, error);

  if (command->show == FD_CLI_SHOW_DELETED)
    {
      /* The thing deleted is the last argument: "revoke DEVICE_ID CREDENTIAL_ID". */
      g_autofree char *line
          = deleted_line (fd_cli_invocation_kind (invocation),
                          g_ptr_array_index (invocation->args, invocation->args->len - 1));

      return fd_cli_output_write (line, strlen (line), error)
             && fd_cli_output_write ("\n", 1, error);
    }

  root = fd_cli_output_parse (body, error);
  if (root == NULL)
    return FALSE;
  if (command->show == FD_CLI_SHOW_LIST)
    return show_list (invocation, json_node_get_object (root), error);

  if (!fd_cli_output_object (json_node_get_object (root), NULL, error))
    return FALSE;
  if (command->flags & FD_CLI_FLAG_SHOWS_SECRET)
    fprintf (stderr, "%s\n", _ ("Keep the token now: it is not shown again."));
  return TRUE;
}
