/* fd-campaign-page.c — the live view of one campaign (pushed on the Firmware & OTA pane).
 *
 * The summary (state, reason, a bar per stage) is the campaign object as GET /campaigns/{id}
 * answers it, read again on each campaign.updated event (at most one read in flight: events of
 * a busy campaign cost at most one more read each). The table of targets is in
 * fd-campaign-page-targets.c.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-campaign-page-private.h"
#include "fd-json.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdCampaignPage, fd_campaign_page, GTK_TYPE_BOX)

static const struct
{
  const char *state;
  const char *label;
} fd_campaign_states[] = {
  { "running", N_ ("Running") },
  { "paused", N_ ("Paused") },
  { "completed", N_ ("Completed") },
  { "aborted", N_ ("Aborted") },
};

static const struct
{
  const char *state;
  const char *label;
  gboolean final;
} fd_target_states[] = {
  { "queued", N_ ("Queued"), FALSE },
  { "notified", N_ ("Notified"), FALSE },
  { "downloading", N_ ("Downloading"), FALSE },
  { "downloaded", N_ ("Downloaded"), FALSE },
  { "verified", N_ ("Verified"), FALSE },
  { "installing", N_ ("Installing"), FALSE },
  { "testing", N_ ("Testing"), FALSE },
  { "succeeded", N_ ("Succeeded"), TRUE },
  { "failed", N_ ("Failed"), TRUE },
  { "reverted", N_ ("Reverted"), TRUE },
  { "timed_out", N_ ("Timed Out"), TRUE },
  { "skipped", N_ ("Skipped"), TRUE },
};

const char *
fd_campaign_state_label (const char *state)
{
  for (guint i = 0; state != NULL && i < G_N_ELEMENTS (fd_campaign_states); i++)
    if (g_str_equal (state, fd_campaign_states[i].state))
      return _ (fd_campaign_states[i].label);
  return state != NULL ? state : "";
}

const char *
fd_campaign_target_state_label (const char *state)
{
  for (guint i = 0; state != NULL && i < G_N_ELEMENTS (fd_target_states); i++)
    if (g_str_equal (state, fd_target_states[i].state))
      return _ (fd_target_states[i].label);
  return state != NULL ? state : "";
}

gboolean
fd_campaign_target_state_is_final (const char *state)
{
  for (guint i = 0; state != NULL && i < G_N_ELEMENTS (fd_target_states); i++)
    if (g_str_equal (state, fd_target_states[i].state))
      return fd_target_states[i].final;
  return FALSE;
}

gint64
fd_campaign_count_final (JsonObject *counts)
{
  gint64 n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (fd_target_states); i++)
    if (fd_target_states[i].final)
      n += MAX (fd_json_get_int (counts, fd_target_states[i].state, 0), 0);
  return n;
}

/* "3 succeeded · 1 failed · 2 in progress" */
static char *
fd_campaign_describe_counts (JsonObject *counts, gint64 total)
{
  gint64 succeeded = fd_json_get_int (counts, "succeeded", 0);
  gint64 failed = fd_json_get_int (counts, "failed", 0) + fd_json_get_int (counts, "reverted", 0)
                  + fd_json_get_int (counts, "timed_out", 0);
  gint64 skipped = fd_json_get_int (counts, "skipped", 0);
  gint64 queued = fd_json_get_int (counts, "queued", 0);
  gint64 busy = MAX (total - fd_campaign_count_final (counts) - queued, 0);
  GString *text = g_string_new (NULL);

  /* TRANSLATORS: parts of a campaign's or a stage's counts, joined by " · " */
  g_string_append_printf (text, _ ("%'" G_GINT64_FORMAT " succeeded"), succeeded);
  g_string_append (text, " · ");
  g_string_append_printf (text, _ ("%'" G_GINT64_FORMAT " failed"), failed);
  g_string_append (text, " · ");
  g_string_append_printf (text, _ ("%'" G_GINT64_FORMAT " in progress"), busy);
  if (queued > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, _ ("%'" G_GINT64_FORMAT " waiting"), queued);
    }
  if (skipped > 0)
    {
      g_string_append (text, " · ");
      g_string_append_printf (text, _ ("%'" G_GINT64_FORMAT " skipped"), skipped);
    }
  return g_string_free (text, FALSE);
}

/* Stages */

typedef struct
{
  GtkWidget *box;
  GtkLabel *title;
  GtkLabel *counts;
  GtkProgressBar *bar;
} FdStageRow;

static FdStageRow *
fd_stage_row_new (void)
{
  FdStageRow *row = g_new0 (FdStageRow, 1);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  row->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  row->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row->title, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (row->title), TRUE);
  row->counts = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row->counts), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (row->counts), "numeric");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->title));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row->counts));
  row->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_box_append (GTK_BOX (row->box), top);
  gtk_box_append (GTK_BOX (row->box), GTK_WIDGET (row->bar));
  return row;
}

static void
fd_campaign_page_update_stage (FdStageRow *row, guint index, JsonObject *stage, gboolean aborted)
{
  gint64 devices = fd_json_get_int (stage, "devices", 0);
  JsonObject *counts = fd_json_get_member_object (stage, "counts");
  gint64 final = fd_campaign_count_final (counts);
  const char *state = fd_json_get_string (stage, "state");
  g_autofree char *share = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = fd_campaign_describe_counts (counts, devices);
  const char *state_label;

  if (json_object_has_member (stage, "percent"))
    share = g_strdup_printf ("%" G_GINT64_FORMAT "%%", fd_json_get_int (stage, "percent", 0));
  else
    share = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " device",
                                          "%'" G_GINT64_FORMAT " devices",
                                          fd_json_get_int (stage, "count", 0)),
                             fd_json_get_int (stage, "count", 0));
  if (g_strcmp0 (state, "done") == 0)
    state_label = C_ ("stage state", "Done");
  else if (aborted)
    /* TRANSLATORS: a stage of an aborted campaign: its devices in flight still finish */
    state_label = C_ ("stage state", "Stopped");
  else if (g_strcmp0 (state, "running") == 0)
    state_label = C_ ("stage state", "Running");
  else
    state_label = C_ ("stage state", "Pending");
  /* TRANSLATORS: "Stage 1 · up to 5 % · 3 devices · Running" */
  title = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "Stage %u · up to %s · %'" G_GINT64_FORMAT " device · %s",
                   "Stage %u · up to %s · %'" G_GINT64_FORMAT " devices · %s", devices),
      index + 1, share, devices, state_label);
  gtk_label_set_text (row->title, title);
  gtk_label_set_text (row->counts, text);
  gtk_progress_bar_set_fraction (row->bar, devices > 0 ? (double) final / devices : 0.0);
}

static void
fd_campaign_page_update (FdCampaignPage *self)
{
  JsonObject *campaign = self->campaign;
  const char *state = fd_json_get_string (campaign, "state");
  const char *reason = fd_json_get_string (campaign, "reason");
  JsonNode *stages_node = json_object_get_member (campaign, "stages");
  JsonArray *stages = stages_node != NULL && JSON_NODE_HOLDS_ARRAY (stages_node)
                          ? json_node_get_array (stages_node)
                          : NULL;
  guint n_stages = stages != NULL ? json_array_get_length (stages) : 0;
  gint64 total = fd_json_get_int (campaign, "total", 0);
  g_autofree char *subtitle = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *summary = NULL;
  gboolean running = g_strcmp0 (state, "running") == 0;
  gboolean paused = g_strcmp0 (state, "paused") == 0;

  adw_window_title_set_title (self->title, fd_json_get_string (campaign, "name"));
  /* TRANSLATORS: the campaign view's subtitle: the firmware's version */
  subtitle = g_strdup_printf (_ ("Firmware %s"), fd_json_get_string (campaign, "firmware_version"));
  adw_window_title_set_subtitle (self->title, subtitle);
  gtk_label_set_text (self->state_label, fd_campaign_state_label (state));
  gtk_label_set_text (self->reason_label, reason != NULL ? reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label), reason != NULL && *reason != '\0');
  counts = fd_campaign_describe_counts (fd_json_get_member_object (campaign, "counts"), total);
  /* TRANSLATORS: the campaign's devices, then its counts */
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'" G_GINT64_FORMAT " device: %s",
                                          "%'" G_GINT64_FORMAT " devices: %s", total),
                             total, counts);
  gtk_label_set_text (self->summary_label, summary);

  gtk_widget_set_visible (self->pause_button, running);
  gtk_widget_set_visible (self->resume_button, paused);
  gtk_widget_set_visible (self->abort_button, running || paused);

  while (self->stage_rows->len > n_stages)
    {
      FdStageRow *row = g_ptr_array_index (self->stage_rows, self->stage_rows->len - 1);
      gtk_box_remove (self->stages_box, row->box);
      g_ptr_array_remove_index (self->stage_rows, self->stage_rows->len - 1);
    }
  while (self->stage_rows->len < n_stages)
    {
      FdStageRow *row = fd_stage_row_new ();
      gtk_box_append (self->stages_box, row->box);
      g_ptr_array_add (self->stage_rows, row);
    }
  for (guint i = 0; i < n_stages; i++)
    {
      JsonNode *stage = json_array_get_element (stages, i);
      if (JSON_NODE_HOLDS_OBJECT (stage))
        fd_campaign_page_update_stage (g_ptr_array_index (self->stage_rows, i), i,
                                       json_node_get_object (stage),
                                       g_strcmp0 (state, "aborted") == 0);
    }
}

static void fd_campaign_page_load (FdCampaignPage *self);

static void
fd_campaign_page_apply (FdCampaignPage *self, JsonObject *campaign)
{
  if (g_strcmp0 (fd_json_get_string (campaign, "id"), self->campaign_id) != 0)
    return;
  g_clear_pointer (&self->campaign, json_object_unref);
  self->campaign = json_object_ref (campaign);
  fd_campaign_page_update (self);
}

static void
fd_campaign_page_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdCampaignPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *campaign = node != NULL ? fd_json_get_object (node, &error) : NULL;

  self->campaign_loading = FALSE;
  if (campaign == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_campaign_page_apply (self, campaign);
  if (self->campaign_again)
    fd_campaign_page_load (self);
}

static void
fd_campaign_page_load (FdCampaignPage *self)
{
  g_autofree char *path = NULL;

  if (self->client == NULL || self->campaign_id == NULL)
    return;
  if (self->campaign_loading)
    {
      self->campaign_again = TRUE;
      return;
    }
  self->campaign_loading = TRUE;
  self->campaign_again = FALSE;
  path = fd_api_path ("campaigns", self->campaign_id, NULL);
  fd_api_client_request_async (self->client, "GET", path, NULL, self->cancellable,
                               fd_campaign_page_loaded_cb, g_object_ref (self));
}

/* Public API */

FdCampaignPage *
fd_campaign_page_new (void)
{
  return g_object_new (FD_TYPE_CAMPAIGN_PAGE, "orientation", GTK_ORIENTATION_VERTICAL, NULL);
}

void
fd_campaign_page_set_client (FdCampaignPage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_CAMPAIGN_PAGE (self));
  g_set_object (&self->client, client);
}

void
fd_campaign_page_show (FdCampaignPage *self, const char *campaign_id)
{
  g_return_if_fail (FD_IS_CAMPAIGN_PAGE (self));
  g_return_if_fail (campaign_id != NULL);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->campaign_loading = FALSE;
  self->targets_loading = FALSE;
  g_free (self->campaign_id);
  self->campaign_id = g_strdup (campaign_id);
  g_clear_pointer (&self->campaign, json_object_unref);
  adw_window_title_set_title (self->title, campaign_id);
  adw_window_title_set_subtitle (self->title, NULL);
  gtk_label_set_text (self->state_label, "");
  gtk_widget_set_visible (self->pause_button, FALSE);
  gtk_widget_set_visible (self->resume_button, FALSE);
  gtk_widget_set_visible (self->abort_button, FALSE);
  fd_campaign_page_clear_targets (self);
  fd_campaign_page_load (self);
  fd_campaign_page_load_targets (self);
}

const char *
fd_campaign_page_get_campaign_id (FdCampaignPage *self)
{
  g_return_val_if_fail (FD_IS_CAMPAIGN_PAGE (self), NULL);
  return self->campaign_id;
}

void
fd_campaign_page_event (FdCampaignPage *self, const char *type, const char *device_id,
                        JsonObject *data)
{
  g_return_if_fail (FD_IS_CAMPAIGN_PAGE (self));

  if (self->campaign_id == NULL
      || g_strcmp0 (fd_json_get_string (data, "campaign_id"), self->campaign_id) != 0)
    return;
  if (g_str_equal (type, "campaign.updated"))
    fd_campaign_page_load (self);
  else if (g_str_equal (type, "campaign.target") && device_id != NULL)
    fd_campaign_page_target_event (self, device_id, data);
}

/* Pause, resume, abort */

static void
fd_campaign_page_acted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FdCampaignPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = fd_api_client_request_finish (FD_API_CLIENT (source), result, &error);
  JsonObject *campaign = node != NULL ? fd_json_get_object (node, &error) : NULL;

  if (campaign == NULL)
    {
      fd_ui_toast_error (GTK_WIDGET (self), error);
      return;
    }
  fd_campaign_page_apply (self, campaign);
}

static void
fd_campaign_page_post (FdCampaignPage *self, const char *verb)
{
  g_autofree char *path = NULL;

  if (self->client == NULL || self->campaign_id == NULL)
    return;
  path = fd_api_path ("campaigns", self->campaign_id, verb, NULL);
  fd_api_client_request_async (self->client, "POST", path, NULL, self->cancellable,
                               fd_campaign_page_acted_cb, g_object_ref (self));
}

static void
fd_campaign_page_pause_cb (FdCampaignPage *self)
{
  fd_campaign_page_post (self, "pause");
}

static void
fd_campaign_page_resume_cb (FdCampaignPage *self)
{
  fd_campaign_page_post (self, "resume");
}

static void
fd_campaign_page_abort_response_cb (AdwMessageDialog *dialog, const char *response,
                                    FdCampaignPage *self)
{
  if (g_str_equal (response, "accept"))
    fd_campaign_page_post (self, "abort");
}

static void
fd_campaign_page_abort_cb (FdCampaignPage *self)
{
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  heading
      = g_strdup_printf (_ ("Abort Campaign “%s”?"), fd_json_get_string (self->campaign, "name"));
  dialog = fd_ui_confirm_dialog_new (
      GTK_WIDGET (self), heading,
      _ ("Devices that were not notified yet keep their firmware. Devices already updating "
         "finish what they are doing. An aborted campaign cannot be resumed."),
      _ ("_Abort Campaign"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (fd_campaign_page_abort_response_cb),
                           self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
fd_campaign_page_back_cb (FdCampaignPage *self)
{
  GtkWidget *leaflet = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_LEAFLET);

  if (leaflet != NULL)
    adw_leaflet_navigate (ADW_LEAFLET (leaflet), ADW_NAVIGATION_DIRECTION_BACK);
}

/* Construction */

static GtkWidget *
fd_campaign_page_button (FdCampaignPage *self, const char *label, const char *tooltip,
                         GCallback callback)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_tooltip_text (button, tooltip);
  g_signal_connect_object (button, "clicked", callback, self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (button, FALSE);
  return button;
}

static GtkWidget *
fd_campaign_page_header_new (FdCampaignPage *self)
{
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (NULL, NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_widget_set_tooltip_text (back, _ ("Back to Firmware & OTA"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (back), GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Back"),
                                  -1);
  g_signal_connect_object (back, "clicked", G_CALLBACK (fd_campaign_page_back_cb), self,
                           G_CONNECT_SWAPPED);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), back);

  self->pause_button
      = fd_campaign_page_button (self, _ ("_Pause"), _ ("Notify No More Devices for Now"),
                                 G_CALLBACK (fd_campaign_page_pause_cb));
  self->resume_button = fd_campaign_page_button (self, _ ("_Resume"), _ ("Go On with the Stages"),
                                                 G_CALLBACK (fd_campaign_page_resume_cb));
  self->abort_button = fd_campaign_page_button (self, _ ("_Abort…"), _ ("Stop the Campaign"),
                                                G_CALLBACK (fd_campaign_page_abort_cb));
  gtk_widget_add_css_class (self->abort_button, "destructive-action");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->abort_button);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->pause_button);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->resume_button);
  return header;
}

static GtkWidget *
fd_campaign_page_summary_new (FdCampaignPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  self->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "title-3");
  gtk_label_set_xalign (self->state_label, 0);
  self->summary_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->summary_label, 1);
  gtk_widget_set_hexpand (GTK_WIDGET (self->summary_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "dim-label");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->state_label));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->summary_label));
  gtk_box_append (GTK_BOX (box), top);
  self->reason_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->reason_label, 0);
  gtk_label_set_wrap (self->reason_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->reason_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->reason_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->reason_label));
  self->stages_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 12));
  gtk_widget_set_margin_top (GTK_WIDGET (self->stages_box), 6);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stages_box));
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  return box;
}

static void
fd_campaign_page_dispose (GObject *object)
{
  FdCampaignPage *self = FD_CAMPAIGN_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->targets_reload_id, g_source_remove);
  g_clear_handle_id (&self->refilter_id, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_pointer (&self->campaign, json_object_unref);
  g_clear_pointer (&self->campaign_id, g_free);
  g_clear_pointer (&self->stage_rows, g_ptr_array_unref);
  g_clear_pointer (&self->by_device, g_hash_table_unref);
  G_OBJECT_CLASS (fd_campaign_page_parent_class)->dispose (object);
}

static void
fd_campaign_page_finalize (GObject *object)
{
  g_clear_object (&FD_CAMPAIGN_PAGE (object)->targets);
  G_OBJECT_CLASS (fd_campaign_page_parent_class)->finalize (object);
}

static void
fd_campaign_page_class_init (FdCampaignPageClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = fd_campaign_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = fd_campaign_page_finalize;
}

static void
fd_campaign_page_init (FdCampaignPage *self)
{
  self->cancellable = g_cancellable_new ();
  /* Its own background: the leaflet slides it over the list. */
  gtk_widget_add_css_class (GTK_WIDGET (self), "background");
  self->stage_rows = g_ptr_array_new_with_free_func (g_free);
  self->targets = g_list_store_new (FD_TYPE_JSON_ITEM);
  self->by_device = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_box_append (GTK_BOX (self), fd_campaign_page_header_new (self));
  gtk_box_append (GTK_BOX (self), fd_campaign_page_summary_new (self));
  gtk_box_append (GTK_BOX (self), fd_campaign_page_targets_new (self));
}
