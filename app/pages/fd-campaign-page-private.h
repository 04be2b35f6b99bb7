/* fd-campaign-page-private.h — what the files of the campaign view share. */
#pragma once

#include "fd-campaign-page.h"
#include "fd-json-item.h"

G_BEGIN_DECLS

struct _FdCampaignPage
{
  GtkBox parent_instance;

  FdApiClient *client;
  char *campaign_id;
  JsonObject *campaign;      /* NULL until read */
  GCancellable *cancellable; /* of this campaign's requests */
  gboolean campaign_loading;
  gboolean campaign_again;

  AdwWindowTitle *title;
  GtkWidget *pause_button;
  GtkWidget *resume_button;
  GtkWidget *abort_button;
  GtkLabel *state_label;
  GtkLabel *reason_label;
  GtkLabel *summary_label;
  GtkBox *stages_box;
  GPtrArray *stage_rows; /* FdStageRow */

  /* The targets table */
  GListStore *targets;   /* FdJsonItem, in the server's order */
  GHashTable *by_device; /* device id → FdJsonItem (the store's reference) */
  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkColumnView *target_view;
  GtkDropDown *state_dropdown;
  GtkSearchEntry *search_entry;
  GtkStack *target_stack;
  gboolean targets_loading;
  gboolean targets_again;
  guint targets_reload_id; /* a read of the targets after devices reached a final state */
  guint refilter_id;
};

/* fd-campaign-page-targets.c */
GtkWidget *fd_campaign_page_targets_new (FdCampaignPage *self);
void fd_campaign_page_load_targets (FdCampaignPage *self);
void fd_campaign_page_target_event (FdCampaignPage *self, const char *device_id, JsonObject *data);
void fd_campaign_page_clear_targets (FdCampaignPage *self);

G_END_DECLS
