/* fd-import-window-check.c — what the dry run (or a refused import) found: the rows that would
 * be made, each fleet by its name, or every problem by the line of the file it is on. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-fleet.h"
#include "fd-format.h"
#include "fd-import-row.h"
#include "fd-import-window-private.h"
#include "fd-json.h"

/* The row problems of an invalid_csv answer, "line 7 · name · the name … is also on line 4". */
void
fd_import_window_show_errors (FdImportWindow *self, JsonObject *details, const char *message)
{
  JsonNode *rows = details != NULL ? json_object_get_member (details, "rows") : NULL;
  JsonArray *array
      = rows != NULL && JSON_NODE_HOLDS_ARRAY (rows) ? json_node_get_array (rows) : NULL;
  guint n = array != NULL ? json_array_get_length (array) : 0;
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  guint n_lines = 0;
  guint last_line = 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *row = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *column = fd_json_get_string (row, "column");
      const char *text = fd_json_get_string (row, "message");
      guint line = 0;

      if (row == NULL)
        continue;
      fd_json_update_uint (row, "line", &line);
      if (line != last_line)
        n_lines++;
      last_line = line;
      if (column != NULL)
        /* TRANSLATORS: a problem in a CSV file: line, column, what is wrong */
        g_ptr_array_add (lines, g_strdup_printf (_ ("line %u · %s · %s"), line, column,
                                                 text != NULL ? text : ""));
      else
        g_ptr_array_add (lines,
                         g_strdup_printf (_ ("line %u · %s"), line, text != NULL ? text : ""));
    }
  if (lines->len == 0)
    g_ptr_array_add (lines, g_strdup (message));
  g_ptr_array_add (lines, NULL);

  gtk_string_list_splice (self->errors, 0, g_list_model_get_n_items (G_LIST_MODEL (self->errors)),
                          (const char *const *)lines->pdata);
  title = n_lines > 0 ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u Row Needs Fixing",
                                                      "%'u Rows Need Fixing", n_lines),
                                         n_lines)
                      : g_strdup (_ ("The File Needs Fixing"));
  /* TRANSLATORS: %s is the file's name */
  body
      = g_strdup_printf (_ ("Nothing was created. Fix “%s” and import it again."), self->file_name);
  gtk_label_set_label (self->errors_title, title);
  gtk_label_set_label (self->errors_body, body);
  fd_import_window_show (self, "errors");
}

static const char *
fd_import_window_fleet_name (FdImportWindow *self, const char *fleet_id)
{
  guint n = self->fleets != NULL ? g_list_model_get_n_items (self->fleets) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FdFleet) fleet = g_list_model_get_item (self->fleets, i);

      if (g_strcmp0 (fd_fleet_get_id (fleet), fleet_id) == 0)
        return fd_fleet_get_name (fleet);
    }
  return fleet_id;
}

void
fd_import_window_show_preview (FdImportWindow *self, JsonNode *node)
{
  g_autoptr (GError) error = NULL;
  JsonArray *items = fd_json_get_list (node, NULL, &error);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *title = NULL;
  guint n;

  if (items == NULL)
    {
      fd_import_window_show_failed (self, _ ("The File Could Not Be Checked"), error->message);
      return;
    }

  n = json_array_get_length (items);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (items, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      guint line = 0;

      if (item == NULL)
        continue;
      fd_json_update_uint (item, "line", &line);
      g_ptr_array_add (
          rows, fd_import_row_new (
                    line, fd_json_get_string (item, "name"),
                    fd_import_window_fleet_name (self, fd_json_get_string (item, "fleet_id")),
                    fd_format_credential_kind (fd_json_get_string (item, "credential"),
                                               fd_json_get_string (item, "mode"))));
    }
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
  self->n_rows = rows->len;

  /* TRANSLATORS: %s is the workspace */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u device is ready to import into “%s”",
                                        "%'u devices are ready to import into “%s”", self->n_rows),
                           self->n_rows, self->workspace_name);
  gtk_label_set_label (self->preview_title, title);
  fd_import_window_show (self, "preview");
  gtk_widget_grab_focus (GTK_WIDGET (self->accept_button));
}
