/* fd-firmware-page.c — the "Firmware & OTA" pane.
 *
 * At the top a drop zone (a firmware file dropped anywhere on the window while the pane is
 * shown is uploaded; "Upload Firmware…" picks one) with the upload's progress under it; below,
 * the workspace's firmware and its campaigns, each a column view. A campaign's row opens its
 * live view, pushed on the pane's own leaflet as a device's page is on the Devices pane.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-firmware-page-private.h"
#include "fd-format.h"
#include "fd-json.h"
#include "fd-ui.h"

G_DEFINE_FINAL_TYPE (FdFirmwarePage, fd_firmware_page, FD_TYPE_PANE)

/* Public API */

void
fd_firmware_page_reload (FdFirmwarePage *self)
{
  g_return_if_fail (FD_IS_FIRMWARE_PAGE (self));

  gtk_stack_set_visible_child_name (self->stack, self->workspace != NULL ? "list" : "none");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.primary",
                                 self->client != NULL && self->workspace != NULL);
  gtk_widget_set_sensitive (self->upload_button, self->client != NULL && self->workspace != NULL);
  if (self->client == NULL || self->workspace == NULL)
    return;
  fd_firmware_page_load_firmware (self);
  fd_firmware_page_load_campaigns (self);
}

void
fd_firmware_page_set_client (FdFirmwarePage *self, FdApiClient *client)
{
  g_return_if_fail (FD_IS_FIRMWARE_PAGE (self));

  g_set_object (&self->client, client);
  fd_campaign_page_set_client (self->campaign_page, client);
  fd_firmware_page_reload (self);
}

void
fd_firmware_page_set_workspace (FdFirmwarePage *self, FdWorkspace *workspace)
{
  g_return_if_fail (FD_IS_FIRMWARE_PAGE (self));

  if (self->workspace == workspace)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  fd_ui_read_end (&self->campaigns_read);
  g_set_object (&self->workspace, workspace);
  g_list_store_remove_all (self->firmware);
  g_list_store_remove_all (self->campaigns);
  adw_leaflet_set_visible_child (self->leaflet, self->list_page);
  fd_firmware_page_reload (self);
}

void
fd_firmware_page_set_events (FdFirmwarePage *self, FdEventsClient *events)
{
  g_return_if_fail (FD_IS_FIRMWARE_PAGE (self));

  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  g_set_object (&self->events, events);
  if (events == NULL)
    return;
  g_signal_connect_object (events, "campaign", G_CALLBACK (fd_firmware_page_campaign_event_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (events, "resync", G_CALLBACK (fd_firmware_page_reload), self,
                           G_CONNECT_SWAPPED);
}

void
fd_firmware_page_open_campaign (FdFirmwarePage *self, const char *campaign_id)
{
  g_return_if_fail (FD_IS_FIRMWARE_PAGE (self));

  fd_campaign_page_show (self->campaign_page, campaign_id);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->campaign_page));
}

guint
fd_firmware_page_get_notifications (FdFirmwarePage *self)
{
  g_return_val_if_fail (FD_IS_FIRMWARE_PAGE (self), 0);
  return self->notifications;
}

/* Actions */

static void
fd_firmware_page_primary (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_firmware_page_new_campaign (FD_FIRMWARE_PAGE (widget));
}

static void
fd_firmware_page_upload_action (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_firmware_page_choose_file (FD_FIRMWARE_PAGE (widget));
}

/* Ctrl+F: the search of the campaign's devices, when its view is shown. */
static void
fd_firmware_page_search (GtkWidget *widget, const char *action, GVariant *param)
{
  FdFirmwarePage *self = FD_FIRMWARE_PAGE (widget);

  if (adw_leaflet_get_visible_child (self->leaflet) == GTK_WIDGET (self->campaign_page))
    fd_campaign_page_focus_search (self->campaign_page);
}

static void
fd_firmware_page_reload_action (GtkWidget *widget, const char *action, GVariant *param)
{
  fd_firmware_page_reload (FD_FIRMWARE_PAGE (widget));
}

/* Construction */

static GtkWidget *
fd_firmware_page_header_new (FdFirmwarePage *self)
{
  GtkWidget *header
      = fd_ui_pane_header_new (GTK_WIDGET (self), _ ("Firmware & OTA"), _ ("_New Campaign"),
                               _ ("Update Devices to a Firmware in Stages (Ctrl+N)"));
  GtkWidget *reload = gtk_button_new_from_icon_name ("view-refresh-symbolic");

  gtk_widget_set_tooltip_text (reload, _ ("Reload (Ctrl+R)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (reload), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Reload"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (reload), "pane.reload");
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), reload);
  return header;
}

static GtkWidget *
fd_firmware_page_section_new (const char *title, const char *empty, GtkWidget *view,
                              GtkStack **stack, GtkWidget *suffix)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *heading_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *heading = gtk_label_new (title);
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *placeholder = gtk_label_new (empty);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_hexpand (heading, TRUE);
  gtk_widget_add_css_class (heading, "heading");
  gtk_box_append (GTK_BOX (heading_box), heading);
  if (suffix != NULL)
    gtk_box_append (GTK_BOX (heading_box), suffix);
  gtk_box_append (GTK_BOX (box), heading_box);

  *stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_vhomogeneous (*stack, FALSE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_stack_add_named (*stack, placeholder, "empty");
  gtk_stack_add_named (*stack, view, "list");
  gtk_frame_set_child (GTK_FRAME (frame), GTK_WIDGET (*stack));
  gtk_widget_add_css_class (frame, "view");
  gtk_box_append (GTK_BOX (box), frame);
  return box;
}

static GtkWidget *
fd_firmware_page_drop_zone_new (FdFirmwarePage *self)
{
  GtkWidget *zone = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *icon = gtk_image_new_from_icon_name ("folder-download-symbolic");
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_label_new (_ ("Drop a Firmware File Here"));
  GtkWidget *subtitle = gtk_label_new (
      _ ("Devices get it through a campaign. The server signs it and keeps its SHA-256."));

  gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
  gtk_widget_add_css_class (icon, "dim-label");
  gtk_box_append (GTK_BOX (zone), icon);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "title-4");
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_wrap (GTK_LABEL (subtitle), TRUE);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), subtitle);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (zone), texts);

  self->upload_button = gtk_button_new_with_mnemonic (_ ("_Upload Firmware…"));
  gtk_widget_set_valign (self->upload_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->upload_button, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->upload_button), "pane.upload");
  gtk_box_append (GTK_BOX (zone), self->upload_button);
  gtk_widget_add_css_class (zone, "fd-drop-zone");
  return zone;
}

static GtkWidget *
fd_firmware_page_upload_row_new (FdFirmwarePage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_ ("_Cancel Upload"));

  self->upload_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->upload_label, 0);
  gtk_label_set_ellipsize (self->upload_label, PANGO_ELLIPSIZE_MIDDLE);
  self->upload_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->upload_label));
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->upload_bar));
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_widget_set_valign (cancel, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "pane.cancel-upload");
  gtk_box_append (GTK_BOX (box), cancel);
  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "fd-upload");

  self->upload_revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (self->upload_revealer, box);
  return GTK_WIDGET (self->upload_revealer);
}

static void
fd_firmware_page_campaign_activate_cb (GtkColumnView *view, guint position, FdFirmwarePage *self)
{
  g_autoptr (FdJsonItem) item
      = g_list_model_get_item (G_LIST_MODEL (gtk_column_view_get_model (view)), position);

  if (item != NULL)
    fd_firmware_page_open_campaign (self,
                                    fd_json_get_string (fd_json_item_get_object (item), "id"));
}

static GtkWidget *
fd_firmware_page_list_page_new (FdFirmwarePage *self)
{
  GtkWidget *page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *none = adw_status_page_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);

  gtk_box_append (GTK_BOX (page), fd_firmware_page_header_new (self));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (none), "software-update-available-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (none), _ ("No Workspace"));
  adw_status_page_set_description (
      ADW_STATUS_PAGE (none),
      _ ("Firmware is uploaded to a workspace and rolled out to its devices in stages. Create a "
         "workspace first."));
  gtk_stack_add_named (self->stack, none, "none");

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 1000);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 18);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  self->drop_zone = fd_firmware_page_drop_zone_new (self);
  gtk_box_append (GTK_BOX (content), self->drop_zone);
  gtk_box_append (GTK_BOX (content), fd_firmware_page_upload_row_new (self));

  self->firmware = g_list_store_new (FD_TYPE_JSON_ITEM);
  self->firmware_view = fd_firmware_page_firmware_view_new (self);
  gtk_box_append (GTK_BOX (content),
                  fd_firmware_page_section_new (
                      _ ("Firmware"), _ ("No firmware yet: drop a file above to upload one."),
                      GTK_WIDGET (self->firmware_view), &self->firmware_stack, NULL));

  self->campaigns = g_list_store_new (FD_TYPE_JSON_ITEM);
  fd_firmware_page_init_campaigns (self);
  gtk_box_append (GTK_BOX (content),
                  fd_firmware_page_section_new (
                      _ ("Campaigns"),
                      _ ("No campaigns yet. A campaign updates devices to a firmware in stages, "
                         "and stops when too many fail."),
                      GTK_WIDGET (self->campaign_view), &self->campaign_stack, NULL));
  g_signal_connect_object (self->campaign_view, "activate",
                           G_CALLBACK (fd_firmware_page_campaign_activate_cb), self, 0);

  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_box_append (GTK_BOX (page), GTK_WIDGET (self->stack));
  return page;
}

/* GObject */

static void
fd_firmware_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (fd_firmware_page_parent_class)->map (widget);
  fd_firmware_page_attach_drop (FD_FIRMWARE_PAGE (widget));
  fd_firmware_page_reload (FD_FIRMWARE_PAGE (widget));
}

static void
fd_firmware_page_unmap (GtkWidget *widget)
{
  fd_firmware_page_detach_drop (FD_FIRMWARE_PAGE (widget));
  GTK_WIDGET_CLASS (fd_firmware_page_parent_class)->unmap (widget);
}

static void
fd_firmware_page_dispose (GObject *object)
{
  FdFirmwarePage *self = FD_FIRMWARE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->upload_cancellable);
  fd_firmware_page_detach_drop (self);
  if (self->events != NULL)
    g_signal_handlers_disconnect_by_data (self->events, self);
  adw_bin_set_child (ADW_BIN (self), NULL);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->upload_cancellable);
  g_clear_object (&self->drop_target);
  g_clear_object (&self->firmware);
  g_clear_object (&self->campaigns);
  g_clear_object (&self->events);
  g_clear_object (&self->workspace);
  g_clear_object (&self->client);
  g_clear_pointer (&self->notified, g_hash_table_unref);
  G_OBJECT_CLASS (fd_firmware_page_parent_class)->dispose (object);
}

static void
fd_firmware_page_cancel_upload (GtkWidget *widget, const char *action, GVariant *param)
{
  g_cancellable_cancel (FD_FIRMWARE_PAGE (widget)->upload_cancellable);
}

static void
fd_firmware_page_class_init (FdFirmwarePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fd_firmware_page_dispose;
  widget_class->map = fd_firmware_page_map;
  widget_class->unmap = fd_firmware_page_unmap;

  gtk_widget_class_install_action (widget_class, "pane.primary", NULL, fd_firmware_page_primary);
  gtk_widget_class_install_action (widget_class, "pane.upload", NULL,
                                   fd_firmware_page_upload_action);
  gtk_widget_class_install_action (widget_class, "pane.cancel-upload", NULL,
                                   fd_firmware_page_cancel_upload);
  gtk_widget_class_install_action (widget_class, "pane.search", NULL, fd_firmware_page_search);
  gtk_widget_class_install_action (widget_class, "pane.reload", NULL,
                                   fd_firmware_page_reload_action);
}

static void
fd_firmware_page_init (FdFirmwarePage *self)
{
  self->cancellable = g_cancellable_new ();
  self->notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->leaflet = ADW_LEAFLET (adw_leaflet_new ());
  adw_leaflet_set_can_unfold (self->leaflet, FALSE);
  adw_leaflet_set_can_navigate_back (self->leaflet, TRUE);
  self->list_page = fd_firmware_page_list_page_new (self);
  adw_leaflet_append (self->leaflet, self->list_page);
  self->campaign_page = fd_campaign_page_new ();
  adw_leaflet_append (self->leaflet, GTK_WIDGET (self->campaign_page));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->leaflet));

  fd_firmware_page_init_upload (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.primary", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "pane.cancel-upload", FALSE);
}
