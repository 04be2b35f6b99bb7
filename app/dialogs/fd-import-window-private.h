/* fd-import-window-private.h — what the files of the import window share. */
#pragma once

#include "fd-import-window.h"

G_BEGIN_DECLS

struct _FdImportWindow
{
  AdwWindow parent_instance;

  FdApiClient *client;
  GCancellable *cancellable; /* of everything; cancelled on dispose */
  char *workspace_id;
  char *workspace_name;
  GListModel *fleets;
  char *file_name;
  GBytes *csv;      /* the file checked, sent again as it is for the import */
  guint n_rows;     /* of the dry run */
  JsonNode *answer; /* of the import: holds every secret, shown this once */
  guint n_files;    /* credential files the answer makes */
  guint n_secrets;  /* of which hold a secret */
  gboolean saved;
  gboolean discarding;
  guint pulse_source;
  GListStore *rows;      /* FdImportRow */
  GtkStringList *errors; /* one line per row problem */

  AdwWindowTitle *window_title;
  GtkWidget *cancel_button;
  GtkButton *accept_button;
  GtkStack *stack;
  AdwStatusPage *checking_page;
  GtkLabel *preview_title;
  GtkColumnView *preview_view;
  GtkLabel *errors_title;
  GtkLabel *errors_body;
  GtkListView *errors_view;
  AdwStatusPage *importing_page;
  GtkProgressBar *progress_bar;
  AdwStatusPage *done_page;
  GtkWidget *secret_warning;
  GtkLabel *secret_warning_label;
  GtkWidget *save_button;
  GtkLabel *saved_label;
  AdwStatusPage *failed_page;
};

void fd_import_window_update (FdImportWindow *self);
/* Shows page @page ("preview", "failed"…) with the header's buttons it needs. */
void fd_import_window_show (FdImportWindow *self, const char *page);
void fd_import_window_show_failed (FdImportWindow *self, const char *title, const char *message);

/* fd-import-window-check.c */
/* The rows of a dry run's answer @node, or what is wrong with it. */
void fd_import_window_show_preview (FdImportWindow *self, JsonNode *node);
/* The problems of an invalid_csv error (@details, its "error" object) or the one @message. */
void fd_import_window_show_errors (FdImportWindow *self, JsonObject *details, const char *message);

/* fd-import-window-save.c */
/* Asks for a folder and writes one <name>.zdevice.json (mode 0600) per credential of the
 * answer, never replacing a file that is there. */
void fd_import_window_save_to_folder (FdImportWindow *self);
/* How many credential files the answer makes, and how many of them hold a secret. */
void fd_import_window_count_files (JsonNode *answer, guint *n_files, guint *n_secrets);

G_END_DECLS
