/* fd-integration-detail-page-view.c — the widgets of the integration page: the header bar
 * (Back, the name, Delete), a summary (the state line with Pause/Resume, Send Test Event,
 * Replay From… and Edit…; health and settings side by side) and the delivery log's column
 * view. */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-format.h"
#include "fd-integration-detail-page-private.h"
#include "fd-integrations-format.h"
#include "fd-json-item.h"
#include "fd-json.h"
#include "fd-ui.h"

const guint fd_integration_replay_hours[] = { 1, 6, 24, 24 * 7, 0 };

static GtkWidget *
fd_integration_detail_replay_popover (FdIntegrationDetailPage *self)
{
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_ ("Deliver again everything since"));
  GtkWidget *replay = gtk_button_new_with_mnemonic (_ ("_Replay"));

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_box_append (GTK_BOX (box), title);
  for (guint i = 0; fd_integration_replay_hours[i] != 0; i++)
    {
      guint hours = fd_integration_replay_hours[i];
      g_autofree char *label
          = hours % 24 == 0 ? g_strdup_printf (
                g_dngettext (GETTEXT_PACKAGE, "%u Day Ago", "%u Days Ago", hours / 24), hours / 24)
                            : g_strdup_printf (
                                g_dngettext (GETTEXT_PACKAGE, "%u Hour Ago", "%u Hours Ago", hours),
                                hours);
      GtkWidget *button = gtk_button_new_with_label (label);

      gtk_widget_add_css_class (button, "flat");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "detail.replay-hours");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "u", hours);
      gtk_box_append (GTK_BOX (box), button);
    }
  self->replay_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->replay_entry, "2026-12-01T08:00:00Z");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->replay_entry),
                               _ ("A time in RFC 3339, for example 2026-12-01T08:00:00Z"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->replay_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Replay From Time"), -1);
  gtk_entry_set_activates_default (self->replay_entry, FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (replay), "detail.replay-entry");
  g_signal_connect_swapped (self->replay_entry, "activate", G_CALLBACK (gtk_widget_activate),
                            replay);
  gtk_widget_set_hexpand (GTK_WIDGET (self->replay_entry), TRUE);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->replay_entry));
  gtk_box_append (GTK_BOX (line), replay);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), line);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  return popover;
}

static GtkWidget *
fd_integration_detail_button (const char *label, const char *tooltip, const char *action)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

/* Back, the name and Delete: the page's other actions are on its state line, which scrolls
 * sideways on a narrow window where a header bar of them would not fit. */
static GtkWidget *
fd_integration_detail_header (FdIntegrationDetailPage *self)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_tooltip_text (back, _ ("Back to Integrations"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Back to Integrations"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "pane.show-list");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);
  self->title = ADW_WINDOW_TITLE (adw_window_title_new ("", NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  gtk_widget_set_tooltip_text (delete, _ ("Delete Integration…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Delete Integration…"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "detail.delete");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), delete);
  return header;
}

/* Pause/Resume, Send Test Event, Replay From… and Edit…, at the end of @line. */
static void
fd_integration_detail_actions (FdIntegrationDetailPage *self, GtkWidget *line)
{
  GtkWidget *replay = gtk_menu_button_new ();
  GtkWidget *edit
      = fd_integration_detail_button (_ ("_Edit…"), _ ("Change the settings"), "detail.edit");

  self->pause_button = GTK_BUTTON (fd_integration_detail_button (
      _ ("_Pause"), _ ("Stop delivering; what comes meanwhile stays queued"), "detail.pause"));
  gtk_widget_set_hexpand (GTK_WIDGET (self->pause_button), TRUE);
  gtk_widget_set_halign (GTK_WIDGET (self->pause_button), GTK_ALIGN_END);
  self->test_button = fd_integration_detail_button (
      _ ("Send _Test Event"), _ ("Send one integration.test event now"), "detail.test");
  gtk_menu_button_set_label (GTK_MENU_BUTTON (replay), _ ("Replay _From…"));
  gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (replay), TRUE);
  gtk_widget_set_tooltip_text (replay, _ ("Deliver a past period again"));
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (replay),
                               fd_integration_detail_replay_popover (self));
  self->replay_button = GTK_MENU_BUTTON (replay);
  for (GtkWidget **w
       = (GtkWidget *[]){ GTK_WIDGET (self->pause_button), self->test_button, replay, edit, NULL };
       *w != NULL; w++)
    {
      gtk_widget_set_valign (*w, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (line), *w);
    }
}

static GtkGrid *
fd_integration_detail_grid (GtkWidget *box, const char *title)
{
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *grid = gtk_grid_new ();

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_box_append (GTK_BOX (column), heading);
  gtk_box_append (GTK_BOX (column), grid);
  gtk_widget_set_hexpand (column, TRUE);
  gtk_box_append (GTK_BOX (box), column);
  return GTK_GRID (grid);
}

static GtkWidget *
fd_integration_detail_summary (FdIntegrationDetailPage *self)
{
  GtkWidget *summary = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *columns = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 24);

  gtk_widget_set_margin_top (summary, 12);
  gtk_widget_set_margin_bottom (summary, 12);
  gtk_widget_set_margin_start (summary, 12);
  gtk_widget_set_margin_end (summary, 12);
  self->state_label = GTK_LABEL (gtk_label_new (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "title-2");
  self->queue_label = GTK_LABEL (gtk_label_new (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->queue_label), "dim-label");
  gtk_widget_set_valign (GTK_WIDGET (self->queue_label), GTK_ALIGN_BASELINE);
  gtk_widget_set_valign (GTK_WIDGET (self->state_label), GTK_ALIGN_BASELINE);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->state_label));
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->queue_label));
  fd_integration_detail_actions (self, line);
  /* The state line scrolls sideways rather than making the pane as wide as its buttons (the
   * pane's leaflet is as wide as its widest page, and the window must fit a phone); the
   * wrapping labels below stay out of it, as a scrolled window measures its child's height at
   * its narrowest. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_NEVER);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), line);
  gtk_box_append (GTK_BOX (summary), scrolled);

  gtk_box_set_homogeneous (GTK_BOX (columns), TRUE);
  self->health_grid = fd_integration_detail_grid (columns, _ ("Health"));
  self->settings_grid = fd_integration_detail_grid (columns, _ ("Settings"));
  gtk_box_append (GTK_BOX (summary), columns);
  return summary;
}

static GtkWidget *
fd_integration_detail_log (FdIntegrationDetailPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *heading = gtk_label_new (_ ("Delivery Log"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *empty;
  const FdJsonItemColumnSpec specs[] = {
    { C_ ("column", "Time"), fd_deliveries_format_time, "time", FALSE, 150 },
    { C_ ("column", "Batch"), fd_deliveries_format_batch, NULL, FALSE, 130 },
    { C_ ("column", "Kind"), fd_deliveries_format_kind, NULL, FALSE, 90 },
    { C_ ("column", "Items"), fd_deliveries_format_items, NULL, FALSE, 60 },
    { C_ ("column", "Attempt"), fd_deliveries_format_attempt, NULL, FALSE, 70 },
    { C_ ("column", "Status"), fd_deliveries_format_status, NULL, FALSE, 60 },
    { C_ ("column", "Latency"), fd_deliveries_format_latency, NULL, FALSE, 70 },
    { C_ ("column", "Outcome"), fd_deliveries_format_outcome, NULL, FALSE, 90 },
    { C_ ("column", "Error"), fd_deliveries_format_error, NULL, TRUE, 0 },
  };

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_margin_start (heading, 12);
  gtk_widget_set_margin_top (heading, 12);
  gtk_widget_set_margin_bottom (heading, 6);
  gtk_box_append (GTK_BOX (box), heading);

  self->log_stack = fd_ui_state_stack_new ();
  gtk_stack_add_named (self->log_stack, fd_ui_spinner_new (), "loading");
  empty = fd_ui_status_page_new (
      "mail-send-symbolic", _ ("Nothing Delivered Yet"),
      _ ("Each attempt to deliver a batch is listed here, with its status and latency."), NULL,
      NULL);
  gtk_widget_add_css_class (empty, "compact");
  gtk_stack_add_named (self->log_stack, empty, "empty");

  self->log_view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  fd_json_item_append_columns (self->log_view, specs, G_N_ELEMENTS (specs));
  gtk_column_view_set_reorderable (self->log_view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->log_view), "data-table");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->log_view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Delivery Log"), -1);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->log_view));
  gtk_stack_add_named (self->log_stack, scrolled, "list");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->log_stack));
  gtk_widget_set_vexpand (box, TRUE);
  return box;
}

void
fd_integration_detail_page_build (FdIntegrationDetailPage *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (content), fd_integration_detail_header (self));
  gtk_box_append (GTK_BOX (content), fd_integration_detail_summary (self));
  gtk_box_append (GTK_BOX (content), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (content), fd_integration_detail_log (self));
  adw_bin_set_child (ADW_BIN (self), content);
}

/* The summary */

static void
fd_integration_detail_row (GtkGrid *grid, int row, const char *key, const char *value,
                           const char *css_class)
{
  GtkWidget *key_label = gtk_label_new (key);
  GtkWidget *value_label = gtk_label_new (value != NULL ? value : "");

  gtk_label_set_xalign (GTK_LABEL (key_label), 0);
  gtk_label_set_yalign (GTK_LABEL (key_label), 0);
  gtk_widget_add_css_class (key_label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  gtk_label_set_wrap (GTK_LABEL (value_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (value_label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (value_label), 60);
  gtk_widget_set_hexpand (value_label, TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (value_label, css_class);
  gtk_grid_attach (grid, key_label, 0, row, 1, 1);
  gtk_grid_attach (grid, value_label, 1, row, 1, 1);
}

static void
fd_integration_detail_clear (GtkGrid *grid)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (grid))) != NULL)
    gtk_grid_remove (grid, child);
}

/* "5 min ago (10:02:03)" for an API time; @none when there is none. */
static char *
fd_integration_detail_time (JsonObject *object, const char *member, const char *none)
{
  const char *time = fd_json_get_string (object, member);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) then = time != NULL ? g_date_time_new_from_iso8601 (time, NULL) : NULL;
  g_autofree char *ago = fd_format_ago_rfc3339 (time, now);
  g_autofree char *exact = fd_json_format_time (time);

  if (then == NULL || ago == NULL || exact == NULL)
    return g_strdup (none);
  /* The next attempt is ahead: "ago" would read "just now". */
  if (g_date_time_compare (then, now) > 0)
    return g_steal_pointer (&exact);
  return g_strdup_printf ("%s (%s)", ago, exact);
}

/* The strings of @member, "a, b", or @none when it is empty (any). */
static char *
fd_integration_detail_words (JsonObject *object, const char *member, const char *none)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;
  g_autoptr (GString) text = g_string_new (NULL);

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      {
        const char *word = json_array_get_string_element (json_node_get_array (node), i);

        if (word == NULL)
          continue;
        if (text->len > 0)
          g_string_append (text, ", ");
        g_string_append (text, word);
      }
  return g_strdup (text->len > 0 ? text->str : none);
}

static void
fd_integration_detail_show_health (FdIntegrationDetailPage *self, JsonObject *health)
{
  g_autofree char *delivered
      = g_strdup_printf ("%'" G_GINT64_FORMAT, fd_json_get_int (health, "delivered", 0));
  g_autofree char *failed
      = g_strdup_printf ("%'" G_GINT64_FORMAT, fd_json_get_int (health, "failed", 0));
  g_autofree char *dropped
      = g_strdup_printf ("%'" G_GINT64_FORMAT, fd_json_get_int (health, "dropped", 0));
  g_autofree char *oldest
      = fd_integration_detail_time (health, "oldest_queued", _ ("Nothing queued"));
  g_autofree char *next
      = fd_integration_detail_time (health, "next_attempt_at", C_ ("attempt", "None due"));
  g_autofree char *success
      = fd_integration_detail_time (health, "last_success_at", C_ ("success", "Never"));
  g_autofree char *error_at = fd_integration_detail_time (health, "last_error_at", NULL);
  const char *error = fd_json_get_string (health, "last_error");
  g_autofree char *error_text = NULL;
  int row = 0;

  fd_integration_detail_clear (self->health_grid);
  fd_integration_detail_row (self->health_grid, row++, _ ("Oldest queued"), oldest, NULL);
  fd_integration_detail_row (self->health_grid, row++, _ ("Delivered"), delivered, NULL);
  fd_integration_detail_row (self->health_grid, row++, _ ("Failed"), failed,
                             fd_json_get_int (health, "failed", 0) > 0 ? "warning" : NULL);
  fd_integration_detail_row (self->health_grid, row++, _ ("Dropped"), dropped,
                             fd_json_get_int (health, "dropped", 0) > 0 ? "error" : NULL);
  if (error != NULL && error_at != NULL)
    /* TRANSLATORS: an error message, then when it happened */
    error_text = g_strdup_printf (_ ("%s — %s"), error, error_at);
  fd_integration_detail_row (self->health_grid, row++, _ ("Last error"),
                             error != NULL ? (error_text != NULL ? error_text : error)
                                           : C_ ("last error", "None"),
                             error != NULL ? "error" : NULL);
  fd_integration_detail_row (self->health_grid, row++, _ ("Last success"), success, NULL);
  fd_integration_detail_row (self->health_grid, row++, _ ("Next attempt"), next, NULL);
}

static void
fd_integration_detail_show_settings (FdIntegrationDetailPage *self, JsonObject *integration)
{
  gboolean postgres = g_strcmp0 (fd_json_get_string (integration, "type"), "postgresql") == 0;
  g_autofree char *type = fd_integrations_format_type (integration, NULL);
  g_autofree char *fleets = fd_integration_detail_words (integration, "fleets", _ ("Any"));
  g_autofree char *tags = fd_integration_detail_words (integration, "tags", _ ("Any"));
  g_autofree char *batching = g_strdup_printf (
      _ ("Up to %'" G_GINT64_FORMAT " per batch, waiting up to %'" G_GINT64_FORMAT " ms"),
      fd_json_get_int (integration, "batch_max", 0),
      fd_json_get_int (integration, "batch_delay_ms", 0));
  JsonObject *headers = fd_json_get_member_object (integration, "headers");
  JsonNode *kinds_node = json_object_get_member (integration, "kinds");
  g_autoptr (GString) kinds = g_string_new (NULL);
  g_autoptr (GString) names = g_string_new (NULL);
  gboolean has_secret = FALSE;
  int row = 0;

  if (kinds_node != NULL && JSON_NODE_HOLDS_ARRAY (kinds_node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (kinds_node)); i++)
      {
        g_autoptr (JsonObject) delivery = json_object_new ();
        g_autofree char *label = NULL;

        /* The delivery log's kind names are the form's. */
        json_object_set_string_member (
            delivery, "kind",
            json_array_get_string_element (json_node_get_array (kinds_node), i) ?: "");
        label = fd_deliveries_format_kind (delivery, NULL);
        if (kinds->len > 0)
          g_string_append (kinds, ", ");
        g_string_append (kinds, label);
      }
  if (headers != NULL)
    {
      g_autoptr (GList) members = json_object_get_members (headers);

      /* Names only: a value may be a credential. */
      for (GList *l = members; l != NULL; l = l->next)
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", (char *)l->data);
    }
  fd_json_update_boolean (integration, "has_secret", &has_secret);

  fd_integration_detail_clear (self->settings_grid);
  fd_integration_detail_row (self->settings_grid, row++, _ ("Type"), type, NULL);
  if (postgres)
    fd_integration_detail_row (self->settings_grid, row++, _ ("Database"),
                               fd_json_get_string (integration, "database"), "monospace");
  else
    {
      fd_integration_detail_row (self->settings_grid, row++, _ ("URL"),
                                 fd_json_get_string (integration, "url"), "monospace");
      fd_integration_detail_row (self->settings_grid, row++, _ ("Headers"),
                                 names->len > 0 ? names->str : C_ ("headers", "None"), NULL);
      fd_integration_detail_row (self->settings_grid, row++, _ ("Signed"),
                                 has_secret ? _ ("Yes, with its secret") : _ ("No"), NULL);
    }
  fd_integration_detail_row (self->settings_grid, row++, _ ("Events"), kinds->str, NULL);
  fd_integration_detail_row (self->settings_grid, row++, _ ("Fleets"), fleets, NULL);
  fd_integration_detail_row (self->settings_grid, row++, _ ("Tags"), tags, NULL);
  fd_integration_detail_row (self->settings_grid, row++, _ ("Batching"), batching, NULL);
}

void
fd_integration_detail_page_show (FdIntegrationDetailPage *self)
{
  JsonObject *integration = self->integration;
  JsonObject *health = fd_json_get_member_object (integration, "health");
  const char *state = fd_json_get_string (health, "state");
  const char *css_class = NULL;
  const char *label = fd_integration_state_label (state, &css_class);
  g_autofree char *rate = fd_integrations_format_rate (integration, NULL);
  g_autofree char *queue = NULL;
  gboolean paused = g_strcmp0 (state, "paused") == 0;
  gint64 queued = fd_json_get_int (health, "queue_depth", 0);

  fd_json_update_boolean (integration, "paused", &paused);
  adw_window_title_set_title (self->title, fd_json_get_string (integration, "name"));
  adw_window_title_set_subtitle (self->title, self->integration_id);
  gtk_label_set_label (self->state_label, label);
  for (const char *const *c
       = (const char *const[]){ "success", "warning", "error", "dim-label", NULL };
       *c != NULL; c++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), *c);
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), css_class);
  queue = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " queued · %s",
                                        "%'" G_GINT64_FORMAT " queued · %s", queued),
                           queued, rate);
  gtk_label_set_label (self->queue_label, queue);
  gtk_button_set_label (self->pause_button, paused ? _ ("_Resume") : _ ("_Pause"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _ ("Deliver again, starting with what was queued")
                                      : _ ("Stop delivering; what comes meanwhile stays queued"));
  fd_integration_detail_show_health (self, health);
  fd_integration_detail_show_settings (self, integration);
}
