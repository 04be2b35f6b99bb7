/* fd-conditions-page-private.h — what the Conditions pane's files share. */
#pragma once

#include "fd-condition-item.h"
#include "fd-conditions-page.h"

G_BEGIN_DECLS

struct _FdConditionsPage
{
  FdPane parent_instance;

  FdApiClient *client;
  FdEventsClient *events;
  FdWorkspace *workspace;
  GSettings *settings; /* NULL when the schema is not installed */
  char **notify_tags;  /* without settings: the tags chosen in this run */

  GCancellable *open_cancellable;
  GCancellable *history_cancellable;
  gboolean open_loading;
  gboolean history_loading;
  guint history_total;
  GListStore *open_store;    /* FdConditionItem */
  GListStore *history_store; /* FdConditionItem */
  GtkFilter *search_filter;
  char *search; /* casefolded, NULL for none */
  GtkFilterListModel *open_filtered;
  GtkFilterListModel *history_filtered;
  GtkSortListModel *open_sorted;
  GtkSortListModel *history_sorted;
  GHashTable *device_names; /* device id -> name, for events (which name neither) */
  GQueue pending;           /* FdPendingEvent waiting for a device's name */
  gboolean name_in_flight;
  GCancellable *names_cancellable;
  guint tick_source;
  guint ticks;
  guint notifications;

  GtkStringList *tag_choices;    /* "All Tags", then the tags seen, sorted */
  GtkStringList *device_choices; /* "All Devices", then device names seen */
  GPtrArray *device_ids;         /* of device_choices, NULL for "All Devices" */
  gboolean choices_changing;

  AdwViewStack *view_stack;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkStack *open_stack;
  GtkStack *history_stack;
  GtkColumnView *open_view;
  GtkColumnView *history_view;
  GtkColumnViewColumn *open_start_column;
  GtkColumnViewColumn *history_start_column;
  GtkDropDown *status_filter;
  GtkDropDown *tag_filter;
  GtkDropDown *device_filter;
  GtkDropDown *threshold_filter;
  GtkLabel *history_count_label;
  GtkMenuButton *notify_button;
  GtkPopover *notify_popover;
  GtkListBox *notify_list;
  GtkEntry *notify_entry;
};

/* fd-conditions-page.c */
void fd_conditions_page_update_view (FdConditionsPage *self);
void fd_conditions_page_load_history (FdConditionsPage *self);

/* fd-conditions-page-events.c */
/* Whether @store has the condition @uuid, and where. */
gboolean fd_conditions_page_find (GListStore *store, const char *uuid, guint *position);
void fd_conditions_page_condition_cb (FdConditionsPage *self, const char *type, JsonObject *object);
void fd_conditions_page_remember_name (FdConditionsPage *self, const char *device_id,
                                       const char *name);
void fd_conditions_page_init_events (FdConditionsPage *self);
void fd_conditions_page_dispose_events (FdConditionsPage *self);

/* fd-conditions-page-filters.c: the history's filters and the search of both lists. */
void fd_conditions_page_init_filters (FdConditionsPage *self);
void fd_conditions_page_finalize_filters (FdConditionsPage *self);
/* The history's API query ("?status=closed&tag=…&size=…") for the chosen filters. */
char *fd_conditions_page_dup_history_query (FdConditionsPage *self);
/* Whether @item belongs in the history as filtered (for conditions arriving by events). */
gboolean fd_conditions_page_history_accepts (FdConditionsPage *self, FdConditionItem *item);
/* Adds the tag and device of @item to the filters' choices. */
void fd_conditions_page_learn (FdConditionsPage *self, FdConditionItem *item);
void fd_conditions_page_forget_choices (FdConditionsPage *self);
void fd_conditions_page_filter_changed_cb (FdConditionsPage *self);
void fd_conditions_page_search_changed_cb (FdConditionsPage *self, GtkSearchEntry *entry);
void fd_conditions_page_stop_search_cb (FdConditionsPage *self, GtkSearchEntry *entry);

/* fd-conditions-page-notify.c: the tags to be notified of, and the notifications. */
void fd_conditions_page_init_notify (FdConditionsPage *self);
gboolean fd_conditions_page_notifies (FdConditionsPage *self, const char *tag);
/* Sends the notification that @item opened (if its tag is chosen). */
void fd_conditions_page_notify_opened (FdConditionsPage *self, FdConditionItem *item);
void fd_conditions_page_notify_popover_show_cb (FdConditionsPage *self);
void fd_conditions_page_notify_add_cb (FdConditionsPage *self);

G_END_DECLS
