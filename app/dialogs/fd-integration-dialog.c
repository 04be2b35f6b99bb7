/* fd-integration-dialog.c — "Add Integration" / "Edit Integration".
 *
 * The form holds every setting of POST /workspaces/{id}/integrations; Create stays off until
 * the name, the destination (URL or DSN) and at least one kind of event are there, and the
 * server checks the rest: its error is shown under the group of the field it names (or as a
 * toast when it names none), and nothing is made. "Send Test Event" posts the form's body to
 * /workspaces/{id}/integrations/test (which makes nothing) and shows the answer in place; an
 * edited PostgreSQL integration whose DSN was not retyped is tested as saved
 * (/integrations/{id}/test), as its password is not known here.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-integration-dialog-private.h"
#include "fd-json.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdIntegrationDialog, fd_integration_dialog, ADW_TYPE_WINDOW)

enum
{
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
fd_integration_dialog_is_postgres (FdIntegrationDialog *self)
{
  return adw_combo_row_get_selected (self->type_row) == 1;
}

static void
fd_integration_dialog_clear_notes (FdIntegrationDialog *self)
{
  GHashTableIter iter;
  gpointer note;

  g_hash_table_iter_init (&iter, self->notes);
  while (g_hash_table_iter_next (&iter, NULL, &note))
    gtk_widget_set_visible (note, FALSE);
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &note))
    gtk_widget_remove_css_class (note, "error");
}

void
fd_integration_dialog_check (FdIntegrationDialog *self)
{
  g_autofree char *name = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->name_row));
  g_autofree char *url = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->url_row));
  g_autofree char *dsn = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->dsn_row));
  gboolean postgres = fd_integration_dialog_is_postgres (self);
  gboolean destination = postgres ? (*dsn != '\0' || self->integration != NULL) : *url != '\0';
  gboolean kinds = FALSE;

  gtk_widget_set_visible (self->webhook_group, !postgres);
  gtk_widget_set_visible (self->headers_group, !postgres);
  gtk_widget_set_visible (self->postgres_group, postgres);
  for (guint i = 0; i < FD_INTEGRATION_N_KINDS; i++)
    kinds |= gtk_check_button_get_active (self->kinds[i]);
  gtk_widget_set_sensitive (self->save_button,
                            !self->sending && *name != '\0' && destination && kinds);
  gtk_widget_set_sensitive (self->test_button, !self->testing && destination);
}

gboolean
fd_integration_dialog_can_save (FdIntegrationDialog *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATION_DIALOG (self), FALSE);
  return gtk_widget_get_sensitive (self->save_button);
}

const char *
fd_integration_dialog_get_test_result (FdIntegrationDialog *self)
{
  g_return_val_if_fail (FD_IS_INTEGRATION_DIALOG (self), NULL);
  return self->test_result;
}

const char *
fd_integration_dialog_get_field_error (FdIntegrationDialog *self, const char *field)
{
  GtkWidget *note;

  g_return_val_if_fail (FD_IS_INTEGRATION_DIALOG (self), NULL);
  note = g_hash_table_lookup (self->notes, field);
  return note != NULL && gtk_widget_get_visible (note) ? gtk_label_get_label (GTK_LABEL (note))
                                                       : NULL;
}

/* Headers */

void
fd_integration_dialog_add_header (FdIntegrationDialog *self, const char *name, const char *value)
{
  g_return_if_fail (FD_IS_INTEGRATION_DIALOG (self));
  fd_integration_dialog_header_row_new (self, name, value);
  fd_integration_dialog_check (self);
}

void
fd_integration_dialog_remove_header_cb (FdIntegrationDialog *self, GtkButton *button)
{
  GtkWidget *row = g_object_get_data (G_OBJECT (button), "fd-header-row");

  if (row == NULL || !g_ptr_array_remove (self->header_rows, row))
    return;
  adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self->headers_group), row);
  fd_integration_dialog_check (self);
}

/* The body */

/* "a, b c" as ["a", "b", "c"]. */
static JsonArray *
fd_integration_dialog_split (GtkEditable *editable)
{
  JsonArray *array = json_array_new ();
  g_auto (GStrv) words = g_regex_split_simple ("[\\s,]+", gtk_editable_get_text (editable), 0, 0);

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0')
      json_array_add_string_element (array, words[i]);
  return array;
}

JsonNode *
fd_integration_dialog_dup_body (FdIntegrationDialog *self, gboolean create)
{
  JsonObject *body;
  JsonArray *kinds;
  g_autofree char *name = NULL;
  g_autofree char *url = NULL;
  g_autofree char *dsn = NULL;
  const char *secret;
  gboolean postgres;

  g_return_val_if_fail (FD_IS_INTEGRATION_DIALOG (self), NULL);

  body = json_object_new ();
  kinds = json_array_new ();
  name = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->name_row));
  url = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->url_row));
  dsn = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->dsn_row));
  secret = gtk_editable_get_text (GTK_EDITABLE (self->secret_row));
  postgres = fd_integration_dialog_is_postgres (self);

  if (create)
    json_object_set_string_member (body, "type", postgres ? "postgresql" : "webhook");
  json_object_set_string_member (body, "name", name);
  if (postgres)
    {
      if (*dsn != '\0')
        json_object_set_string_member (body, "dsn", dsn);
    }
  else
    {
      JsonObject *headers = json_object_new ();

      json_object_set_string_member (body, "url", url);
      if (*secret != '\0')
        json_object_set_string_member (body, "secret", secret);
      for (guint i = 0; i < self->header_rows->len; i++)
        {
          GtkWidget *row = g_ptr_array_index (self->header_rows, i);
          g_autofree char *header
              = fd_ui_dup_trimmed_text (fd_integration_dialog_header_name (row));

          /* The value as typed: the server refuses CR/LF, and says so. */
          if (*header != '\0')
            json_object_set_string_member (
                headers, header, gtk_editable_get_text (fd_integration_dialog_header_value (row)));
        }
      json_object_set_object_member (body, "headers", headers);
    }
  for (guint i = 0; i < FD_INTEGRATION_N_KINDS; i++)
    if (gtk_check_button_get_active (self->kinds[i]))
      json_array_add_string_element (kinds, fd_integration_kinds[i]);
  json_object_set_array_member (body, "kinds", kinds);
  json_object_set_array_member (body, "fleets",
                                fd_integration_dialog_split (GTK_EDITABLE (self->fleets_row)));
  json_object_set_array_member (body, "tags",
                                fd_integration_dialog_split (GTK_EDITABLE (self->tags_row)));
  json_object_set_int_member (body, "batch_max",
                              gtk_spin_button_get_value_as_int (self->batch_max));
  json_object_set_int_member (body, "batch_delay_ms",
                              gtk_spin_button_get_value_as_int (self->batch_delay));
  return json_node_init_object (json_node_alloc (), body);
}

/* Shows @error under the group of the field the server named, or as a toast. */
static void
fd_integration_dialog_show_error (FdIntegrationDialog *self, GAsyncResult *result,
                                  const GError *error)
{
  JsonObject *details = fd_api_client_get_error_details (result);
  const char *field = fd_json_get_string (details, "field");
  g_autofree char *top = NULL;
  GtkWidget *note = NULL;
  GtkWidget *row = NULL;

  if (field != NULL)
    {
      /* "headers.X-Key" or "kinds[2]": the group is the first word's. */
      top = g_strndup (field, strcspn (field, ".["));
      note = g_hash_table_lookup (self->notes, top);
      row = g_hash_table_lookup (self->rows, top);
    }
  if (row != NULL)
    gtk_widget_add_css_class (row, "error");
  if (note == NULL)
    {
      fd_ui_toast_error (self->save_button, error);
      return;
    }
  gtk_label_set_label (GTK_LABEL (note), error->message);
  gtk_widget_set_visible (note, TRUE);
  /* The toast as well: the note may be scrolled out of sight. */
  fd_ui_toast (self->save_button, error->message);
}

/* Saving */

static void
fd_integration_dialog_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *integration = node != NULL ? fd_json_get_object (node, &error) : NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->sending = FALSE;
  if (integration == NULL)
    {
      fd_integration_dialog_show_error (self, result, error);
      fd_integration_dialog_check (self);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, integration, self->integration == NULL);
  gtk_window_close (GTK_WINDOW (self));
}

static void
fd_integration_dialog_save_cb (FdIntegrationDialog *self)
{
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;

  if (!fd_integration_dialog_can_save (self))
    return;
  fd_integration_dialog_clear_notes (self);
  body = fd_integration_dialog_dup_body (self, self->integration == NULL);
  if (self->integration != NULL)
    path = fd_api_path ("integrations", fd_json_get_string (self->integration, "id"), NULL);
  else
    path = fd_api_path ("workspaces", self->workspace_id, "integrations", NULL);
  self->sending = TRUE;
  fd_integration_dialog_check (self);
  fd_api_client_request_async (self->client, self->integration != NULL ? "PATCH" : "POST", path,
                               body, self->cancellable, fd_integration_dialog_saved_cb,
                               g_object_ref (self));
}

/* Testing */

static void
fd_integration_dialog_show_test (FdIntegrationDialog *self, const char *text, const char *css)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->test_label), "error");
  gtk_widget_add_css_class (GTK_WIDGET (self->test_label), css);
  gtk_label_set_label (self->test_label, text);
  g_free (self->test_result);
  self->test_result = g_strdup (text);
}

static void
fd_integration_dialog_tested_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdIntegrationDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *answer = node != NULL ? fd_json_get_object (node, &error) : NULL;
  g_autofree char *text = NULL;
  gboolean delivered = FALSE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->testing = FALSE;
  fd_integration_dialog_check (self);
  if (answer == NULL)
    {
      /* A setting the server refuses: said where it belongs, and in place. */
      fd_integration_dialog_show_error (self, result, error);
      text = g_strdup_printf (_ ("Test event not sent: %s"), error->message);
      fd_integration_dialog_show_test (self, text, "error");
      return;
    }
  text = fd_integrations_format_test (answer, &delivered);
  fd_integration_dialog_show_test (self, text, delivered ? "success" : "error");
  /* Also where the user looks: the result's line may be scrolled out of sight. */
  fd_ui_toast (self->test_button, text);
}

static void
fd_integration_dialog_test_cb (FdIntegrationDialog *self)
{
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dsn = fd_ui_dup_trimmed_text (GTK_EDITABLE (self->dsn_row));

  fd_integration_dialog_clear_notes (self);
  if (self->integration != NULL && fd_integration_dialog_is_postgres (self) && *dsn == '\0')
    path = fd_api_path ("integrations", fd_json_get_string (self->integration, "id"), "test", NULL);
  else
    {
      path = fd_api_path ("workspaces", self->workspace_id, "integrations", "test", NULL);
      body = fd_integration_dialog_dup_body (self, TRUE);
    }
  self->testing = TRUE;
  fd_integration_dialog_check (self);
  gtk_label_set_label (self->test_label, _ ("Sending…"));
  fd_api_client_request_async (self->client, "POST", path, body, self->cancellable,
                               fd_integration_dialog_tested_cb, g_object_ref (self));
}

/* Editing: the form starts from the integration's settings */

static void
fd_integration_dialog_set_words (AdwEntryRow *row, JsonObject *object, const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      const char *word = json_array_get_string_element (array, i);

      if (word == NULL)
        continue;
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, word);
    }
  gtk_editable_set_text (GTK_EDITABLE (row), text->str);
}

static void
fd_integration_dialog_fill (FdIntegrationDialog *self, JsonObject *integration)
{
  JsonObject *headers = fd_json_get_member_object (integration, "headers");
  JsonNode *kinds = json_object_get_member (integration, "kinds");
  const char *database = fd_json_get_string (integration, "database");

  adw_combo_row_set_selected (
      self->type_row, g_strcmp0 (fd_json_get_string (integration, "type"), "postgresql") == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->type_row), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                         fd_json_get_string (integration, "name") ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->url_row),
                         fd_json_get_string (integration, "url") ?: "");
  if (database != NULL)
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->postgres_group), database);
  if (headers != NULL)
    {
      g_autoptr (GList) names = json_object_get_members (headers);

      for (GList *l = names; l != NULL; l = l->next)
        fd_integration_dialog_header_row_new (self, l->data, fd_json_get_string (headers, l->data));
    }
  if (kinds != NULL && JSON_NODE_HOLDS_ARRAY (kinds))
    for (guint i = 0; i < FD_INTEGRATION_N_KINDS; i++)
      {
        JsonArray *array = json_node_get_array (kinds);
        gboolean on = FALSE;

        for (guint j = 0; j < json_array_get_length (array); j++)
          on |= g_strcmp0 (json_array_get_string_element (array, j), fd_integration_kinds[i]) == 0;
        gtk_check_button_set_active (self->kinds[i], on);
      }
  fd_integration_dialog_set_words (self->fleets_row, integration, "fleets");
  fd_integration_dialog_set_words (self->tags_row, integration, "tags");
  gtk_spin_button_set_value (
      self->batch_max, fd_json_get_int (integration, "batch_max", FD_INTEGRATION_BATCH_DEFAULT));
  gtk_spin_button_set_value (self->batch_delay, fd_json_get_int (integration, "batch_delay_ms",
                                                                 FD_INTEGRATION_DELAY_DEFAULT_MS));
}

/* GObject */

static void
fd_integration_dialog_dispose (GObject *object)
{
  FdIntegrationDialog *self = FD_INTEGRATION_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (fd_integration_dialog_parent_class)->dispose (object);
}

static void
fd_integration_dialog_finalize (GObject *object)
{
  FdIntegrationDialog *self = FD_INTEGRATION_DIALOG (object);

  g_free (self->workspace_id);
  g_free (self->test_result);
  g_clear_pointer (&self->integration, json_object_unref);
  g_hash_table_unref (self->notes);
  g_hash_table_unref (self->rows);
  g_ptr_array_unref (self->header_rows);
  G_OBJECT_CLASS (fd_integration_dialog_parent_class)->finalize (object);
}

static void
fd_integration_dialog_class_init (FdIntegrationDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_integration_dialog_dispose;
  object_class->finalize = fd_integration_dialog_finalize;

  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 2, JSON_TYPE_OBJECT, G_TYPE_BOOLEAN);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
fd_integration_dialog_init (FdIntegrationDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->notes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rows = g_hash_table_new (g_str_hash, g_str_equal);
  self->header_rows = g_ptr_array_new ();
}

FdIntegrationDialog *
fd_integration_dialog_new (GtkWindow *parent, FdApiClient *client, const char *workspace_id,
                           JsonObject *integration)
{
  FdIntegrationDialog *self;

  g_return_val_if_fail (FD_IS_API_CLIENT (client), NULL);
  g_return_val_if_fail (workspace_id != NULL, NULL);

  self = g_object_new (FD_TYPE_INTEGRATION_DIALOG, "transient-for", parent, "modal", TRUE, "title",
                       integration != NULL ? _ ("Edit Integration") : _ ("Add Integration"),
                       "default-width", 640, "default-height", 720, NULL);
  self->client = g_object_ref (client);
  self->workspace_id = g_strdup (workspace_id);
  if (integration != NULL)
    self->integration = json_object_ref (integration);
  fd_integration_dialog_build_view (self);
  g_hash_table_insert (self->rows, "name", self->name_row);
  g_hash_table_insert (self->rows, "url", self->url_row);
  g_hash_table_insert (self->rows, "secret", self->secret_row);
  g_hash_table_insert (self->rows, "dsn", self->dsn_row);
  g_hash_table_insert (self->rows, "fleets", self->fleets_row);
  g_hash_table_insert (self->rows, "tags", self->tags_row);
  if (integration != NULL)
    fd_integration_dialog_fill (self, integration);
  else
    {
      /* The API's default: readings and conditions. */
      gtk_check_button_set_active (self->kinds[0], TRUE);
      gtk_check_button_set_active (self->kinds[1], TRUE);
    }
  g_signal_connect_object (self->save_button, "clicked", G_CALLBACK (fd_integration_dialog_save_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->test_button, "clicked", G_CALLBACK (fd_integration_dialog_test_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->type_row, "notify::selected",
                           G_CALLBACK (fd_integration_dialog_check), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->name_row, "changed", G_CALLBACK (fd_integration_dialog_check),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->url_row, "changed", G_CALLBACK (fd_integration_dialog_check), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dsn_row, "changed", G_CALLBACK (fd_integration_dialog_check), self,
                           G_CONNECT_SWAPPED);
  fd_integration_dialog_check (self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));
  return self;
}
