/* fd-campaign-wizard-private.h — what the files of "New Campaign" share. */
#pragma once

#include "fd-campaign-wizard.h"

G_BEGIN_DECLS

struct _FdCampaignWizard
{
  AdwWindow parent_instance;

  FdApiClient *client;
  char *workspace_id;
  GListModel *firmware; /* FdJsonItem */
  GCancellable *cancellable;
  gboolean name_edited; /* the user typed a name: choosing a firmware no longer renames */
  gboolean starting;

  AdwWindowTitle *title;
  GtkStack *pages;
  GtkWidget *back_button;
  GtkWidget *cancel_button;
  GtkWidget *next_button;
  GtkWidget *start_button;

  /* Firmware */
  AdwEntryRow *name_row;
  AdwComboRow *firmware_row;
  GtkLabel *firmware_error;

  /* Targets */
  GtkListBox *fleet_list;
  GHashTable *fleets;  /* chosen fleet id → name */
  GHashTable *devices; /* chosen device id → name */
  AdwEntryRow *device_search;
  GtkListBox *device_list;
  GtkLabel *chosen_label;
  GtkSwitch *outdated_switch;
  GtkLabel *targets_error;
  guint search_id;

  /* Rollout */
  AdwComboRow *preset_row;
  AdwEntryRow *stages_row;
  GtkLabel *stages_error;
  GtkSpinButton *wait_spin;
  GtkSpinButton *success_spin;
  GtkSpinButton *failure_spin;
  GtkSpinButton *failure_min_spin;
  GtkSpinButton *timeout_spin;
  GtkLabel *rollout_error;
};

/* fd-campaign-wizard-targets.c */
GtkWidget *fd_campaign_wizard_targets_page_new (FdCampaignWizard *self);
void fd_campaign_wizard_load_fleets (FdCampaignWizard *self);
/* Whether at least one fleet or device is chosen (and says so under the lists if not). */
gboolean fd_campaign_wizard_check_targets (FdCampaignWizard *self);

/* fd-campaign-wizard.c */
void fd_campaign_wizard_update_buttons (FdCampaignWizard *self);
/* A row titled @title with a spin button from @min to @max at @value, @unit after it. */
GtkWidget *fd_campaign_wizard_spin_row_new (const char *title, const char *subtitle, double min,
                                            double max, double value, const char *unit,
                                            GtkSpinButton **spin);

G_END_DECLS
