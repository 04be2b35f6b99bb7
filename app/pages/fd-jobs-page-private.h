/* fd-jobs-page-private.h — what the Jobs pane's files share. */
#pragma once

#include "fd-jobs-page.h"

G_BEGIN_DECLS

struct _FdJobsPage
{
  FdPane parent_instance;

  FdApiClient *client;
  FdEventsClient *events;
  FdWorkspace *workspace;
  GCancellable *cancellable; /* of the workspace's list; cancelled when it changes */
  gboolean loading;
  gboolean loaded;
  guint reload_source;
  char *search; /* casefolded, NULL for none */

  GListStore *store; /* FdJsonItem keyed by id */
  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel *sorted;

  AdwLeaflet *leaflet;
  GtkWidget *list_page;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkStack *stack;
  GtkColumnView *view;
  GtkColumnViewColumn *created_column;
  FdJobDetailPage *detail_page;
};

/* fd-jobs-page-view.c: the widgets (header bar, search, states, the column view, the job
 * page on the leaflet); the callbacks are fd-jobs-page.c's. */
void fd_jobs_page_build (FdJobsPage *self);

/* fd-jobs-page.c */
void fd_jobs_page_activate_cb (FdJobsPage *self, guint position, GtkColumnView *view);
void fd_jobs_page_search_changed_cb (FdJobsPage *self, GtkSearchEntry *entry);

G_END_DECLS
