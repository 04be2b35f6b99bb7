/* fd-server-page-retention.c — how long each workspace keeps raw readings and summaries
 * (PATCH /workspaces/{id} retention_days / rollup_retention_days), and "Clean Up Now"
 * (POST /server/retention).
 *
 * A setting is a spin button of days where 0 reads "Forever" (null in the API). It is saved a
 * moment after the user stops changing it, so that holding an arrow sends one request.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-json.h"
#include "fd-server-page-private.h"
#include "fd-ui.h"

/* The API's bound for retention_days. */
#define FD_RETENTION_MAX_DAYS 36500
#define FD_RETENTION_SAVE_DELAY_MS 600

typedef struct
{
  FdApiClient *client;
  GtkWidget *row;
  GtkSpinButton *spin;
  char *workspace_id;
  const char *member; /* "retention_days" or "rollup_retention_days" */
  guint save_id;
  double pending; /* what the user chose, to send when save_id fires */
  double saved;   /* what the server has */
  gboolean updating;
} FdRetention;

static void fd_retention_save (FdRetention *retention, double days);

static void
fd_retention_free (FdRetention *retention)
{
  /* A pending change is sent even when the pane rebuilds its rows meanwhile. */
  if (retention->save_id != 0)
    {
      g_clear_handle_id (&retention->save_id, g_source_remove);
      fd_retention_save (retention, retention->pending);
    }
  g_clear_object (&retention->client);
  g_free (retention->workspace_id);
  g_free (retention);
}

static void
fd_retention_set (FdRetention *retention, JsonObject *workspace)
{
  JsonNode *node = json_object_get_member (workspace, retention->member);
  double days = node != NULL && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_int (node) : 0;

  retention->saved = days;
  retention->updating = TRUE;
  gtk_spin_button_set_value (retention->spin, days);
  retention->updating = FALSE;
}

typedef struct
{
  GtkWidget *row; /* a strong reference: the row may go meanwhile */
  double value;
} FdRetentionSave;

static void
fd_retention_save_free (FdRetentionSave *save)
{
  g_object_unref (save->row);
  g_free (save);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdRetentionSave, fd_retention_save_free)

static void
fd_retention_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdRetentionSave) save = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *workspace = node != NULL ? fd_json_get_object (node, &error) : NULL;
  FdRetention *retention = g_object_get_data (G_OBJECT (save->row), "fd-retention");

  if (workspace == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_widget_add_css_class (save->row, "error");
      gtk_widget_set_tooltip_text (save->row, error->message);
      fd_ui_toast_error (save->row, error);
      /* Back to what the server keeps: the value shown is the one in force. */
      if (retention != NULL && retention->save_id == 0)
        {
          retention->updating = TRUE;
          gtk_spin_button_set_value (retention->spin, retention->saved);
          retention->updating = FALSE;
        }
      return;
    }

  gtk_widget_remove_css_class (save->row, "error");
  gtk_widget_set_tooltip_text (save->row, NULL);
  if (retention != NULL)
    retention->saved = save->value;
}

static void
fd_retention_save (FdRetention *retention, double days)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = fd_api_path ("workspaces", retention->workspace_id, NULL);
  FdRetentionSave *save = g_new0 (FdRetentionSave, 1);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, retention->member);
  if (days >= 1)
    json_builder_add_int_value (b, (gint64)days);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);

  save->row = g_object_ref (retention->row);
  save->value = days;
  fd_api_client_request_async (retention->client, "PATCH", path, body, NULL, fd_retention_saved_cb,
                               save);
}

static gboolean
fd_retention_save_cb (gpointer data)
{
  FdRetention *retention = data;

  retention->save_id = 0;
  fd_retention_save (retention, retention->pending);
  return G_SOURCE_REMOVE;
}

static void
fd_retention_changed_cb (GtkSpinButton *spin, FdRetention *retention)
{
  if (retention->updating)
    return;
  g_clear_handle_id (&retention->save_id, g_source_remove);
  retention->pending = gtk_spin_button_get_value (spin);
  retention->save_id = g_timeout_add (FD_RETENTION_SAVE_DELAY_MS, fd_retention_save_cb, retention);
}

/* 0 days reads "Forever". */
static gboolean
fd_retention_output_cb (GtkSpinButton *spin)
{
  double days = gtk_adjustment_get_value (gtk_spin_button_get_adjustment (spin));
  g_autofree char *text = NULL;

  if (days < 1)
    {
      gtk_editable_set_text (GTK_EDITABLE (spin), C_ ("retention", "Forever"));
      return TRUE;
    }
  text = g_strdup_printf ("%d", (int)days);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static int
fd_retention_input_cb (GtkSpinButton *spin, double *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));

  if (g_utf8_collate (text, C_ ("retention", "Forever")) == 0 || *text == '\0')
    {
      *value = 0;
      return TRUE;
    }
  return FALSE; /* a number: as usual */
}

static GtkWidget *
fd_retention_row_new (FdServerPage *self, JsonObject *workspace, const char *member,
                      const char *title, const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (0, FD_RETENTION_MAX_DAYS, 1);
  FdRetention *retention = g_new0 (FdRetention, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 7);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);

  retention->client = g_object_ref (self->client);
  retention->row = row;
  retention->spin = GTK_SPIN_BUTTON (spin);
  retention->workspace_id = g_strdup (fd_json_get_string (workspace, "id"));
  retention->member = member;
  g_signal_connect (spin, "output", G_CALLBACK (fd_retention_output_cb), NULL);
  g_signal_connect (spin, "input", G_CALLBACK (fd_retention_input_cb), NULL);
  fd_retention_set (retention, workspace);
  g_signal_connect (spin, "value-changed", G_CALLBACK (fd_retention_changed_cb), retention);
  /* The row owns it; the row outlives its spin button. */
  g_object_set_data_full (G_OBJECT (row), "fd-retention", retention,
                          (GDestroyNotify)fd_retention_free);
  return row;
}

/* Whether the groups shown are those of @workspaces, in order: then a reload updates them in
 * place, and a row being edited keeps its focus. */
static gboolean
fd_server_page_same_workspaces (FdServerPage *self, GPtrArray *workspaces)
{
  guint n = 0;

  for (guint i = 0; i < workspaces->len; i++)
    {
      const char *id = fd_json_get_string (g_ptr_array_index (workspaces, i), "id");

      if (id == NULL)
        continue;
      if (n >= self->retention_groups->len
          || g_strcmp0 (g_object_get_data (g_ptr_array_index (self->retention_groups, n),
                                           "fd-workspace-id"),
                        id)
                 != 0)
        return FALSE;
      n++;
    }
  return n == self->retention_groups->len;
}

static void
fd_server_page_update_group (GtkWidget *group, JsonObject *workspace)
{
  const char *name = fd_json_get_string (workspace, "name");
  GtkWidget *rows[] = { g_object_get_data (G_OBJECT (group), "fd-raw-row"),
                        g_object_get_data (G_OBJECT (group), "fd-rollup-row") };

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), name ? name : "");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      FdRetention *retention = g_object_get_data (G_OBJECT (rows[i]), "fd-retention");

      /* Not under the user's fingers. */
      if (retention->save_id == 0)
        fd_retention_set (retention, workspace);
    }
}

void
fd_server_page_set_workspaces (FdServerPage *self, GPtrArray *workspaces)
{
  if (fd_server_page_same_workspaces (self, workspaces))
    {
      guint n = 0;

      for (guint i = 0; i < workspaces->len; i++)
        if (fd_json_get_string (g_ptr_array_index (workspaces, i), "id") != NULL)
          fd_server_page_update_group (g_ptr_array_index (self->retention_groups, n++),
                                       g_ptr_array_index (workspaces, i));
      return;
    }

  for (guint i = 0; i < self->retention_groups->len; i++)
    gtk_box_remove (self->retention_box, g_ptr_array_index (self->retention_groups, i));
  g_ptr_array_set_size (self->retention_groups, 0);

  for (guint i = 0; i < workspaces->len; i++)
    {
      JsonObject *workspace = g_ptr_array_index (workspaces, i);
      GtkWidget *group, *raw, *rollup;

      if (fd_json_get_string (workspace, "id") == NULL)
        continue;
      group = adw_preferences_group_new ();
      raw = fd_retention_row_new (self, workspace, "retention_days", _ ("Keep raw readings"),
                                  _ ("Days; every reading as it arrived"));
      rollup = fd_retention_row_new (self, workspace, "rollup_retention_days",
                                     _ ("Keep hourly and minute summaries"),
                                     _ ("Days; at least as long as raw readings"));
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), raw);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), rollup);
      g_object_set_data (G_OBJECT (group), "fd-raw-row", raw);
      g_object_set_data (G_OBJECT (group), "fd-rollup-row", rollup);
      g_object_set_data_full (G_OBJECT (group), "fd-workspace-id",
                              g_strdup (fd_json_get_string (workspace, "id")), g_free);
      fd_server_page_update_group (group, workspace);
      gtk_box_append (self->retention_box, group);
      g_ptr_array_add (self->retention_groups, group);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->retention_box), self->retention_groups->len > 0);
}

static void
fd_server_page_cleaned_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdServerPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *object = node != NULL ? fd_json_get_object (node, &error) : NULL;
  g_autofree char *samples = NULL;
  g_autofree char *points = NULL;
  g_autofree char *rollups = NULL;
  g_autofree char *message = NULL;
  gint64 n;

  gtk_widget_set_sensitive (self->cleanup_button, TRUE);
  if (object == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }

  n = json_object_get_int_member_with_default (object, "samples_deleted", 0);
  samples = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " reading",
                                          "%'" G_GINT64_FORMAT " readings", n),
                             n);
  n = json_object_get_int_member_with_default (object, "points_deleted", 0);
  points = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " chart point",
                                         "%'" G_GINT64_FORMAT " chart points", n),
                            n);
  n = json_object_get_int_member_with_default (object, "rollups_deleted", 0);
  rollups = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " summary",
                                          "%'" G_GINT64_FORMAT " summaries", n),
                             n);
  /* TRANSLATORS: "Deleted 12 readings, 30 chart points and 2 summaries" */
  message = g_strdup_printf (_ ("Deleted %s, %s and %s"), samples, points, rollups);
  fd_ui_toast (GTK_WIDGET (self), message);
  fd_server_page_reload (self); /* the database's size */
}

void
fd_server_page_clean_up (FdServerPage *self)
{
  if (self->client == NULL)
    return;
  gtk_widget_set_sensitive (self->cleanup_button, FALSE);
  fd_api_client_request_async (self->client, "POST", "/server/retention", NULL, NULL,
                               fd_server_page_cleaned_cb, g_object_ref (self));
}
