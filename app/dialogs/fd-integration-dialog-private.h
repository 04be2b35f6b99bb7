/* fd-integration-dialog-private.h — what the integration form's files share. */
#pragma once

#include "fd-integration-dialog.h"
#include "fd-integrations-format.h"

G_BEGIN_DECLS

struct _FdIntegrationDialog
{
  AdwWindow parent_instance;

  FdApiClient *client;
  char *workspace_id;
  JsonObject *integration; /* the one edited; NULL for a new one */
  GCancellable *cancellable;
  gboolean sending;
  gboolean testing;
  GHashTable *notes; /* API field -> the GtkLabel that shows its error */
  GHashTable *rows;  /* API field -> the row styled "error" with it */
  char *test_result;

  GtkWidget *save_button;
  AdwComboRow *type_row;
  AdwEntryRow *name_row;
  AdwEntryRow *url_row;
  AdwPasswordEntryRow *secret_row;
  AdwPasswordEntryRow *dsn_row;
  GtkWidget *webhook_group;
  GtkWidget *postgres_group;
  GtkWidget *headers_group;
  GPtrArray *header_rows; /* AdwPreferencesRow, each with a name and a value GtkEntry */
  GtkCheckButton *kinds[FD_INTEGRATION_N_KINDS];
  AdwEntryRow *fleets_row;
  AdwEntryRow *tags_row;
  GtkSpinButton *batch_max;
  GtkSpinButton *batch_delay;
  GtkWidget *test_button;
  GtkLabel *test_label;
};

/* fd-integration-dialog-view.c: builds the widgets above (and fills self->notes). */
void fd_integration_dialog_build_view (FdIntegrationDialog *self);
/* A header row of two entries and a Remove button, appended to the Headers group. */
GtkWidget *fd_integration_dialog_header_row_new (FdIntegrationDialog *self, const char *name,
                                                 const char *value);
/* The name and value entries of a header row. */
GtkEditable *fd_integration_dialog_header_name (GtkWidget *row);
GtkEditable *fd_integration_dialog_header_value (GtkWidget *row);

/* fd-integration-dialog.c: what the rows call when they change. */
void fd_integration_dialog_check (FdIntegrationDialog *self);
void fd_integration_dialog_remove_header_cb (FdIntegrationDialog *self, GtkButton *button);

G_END_DECLS
