/* fd-provision-window-private.h — what the files of the provisioning window share. */
#pragma once

#include "fd-pem.h"
#include "fd-provision-window.h"

G_BEGIN_DECLS

typedef enum
{
  FD_PROVISION_GENERATE,
  FD_PROVISION_OWN,
  FD_PROVISION_KEY,
} FdProvisionMethod;

struct _FdProvisionWindow
{
  AdwWindow parent_instance;

  FdApiClient *client;
  GCancellable *cancellable;
  char *workspace_id;       /* NULL when adding a credential to an existing device */
  char *device_name;        /* as typed, or of the existing device */
  JsonObject *device;       /* once it exists */
  JsonObject *credential;   /* the creation's answer, with its secret parts and zdevice */
  FdProvisionMethod method; /* of the request in flight or done */

  /* The PEM file of the "own certificate" way */
  char *pem_text;
  char *pem_name;
  FdPemKind pem_kind;
  gboolean reading;
  gboolean retry_after_read; /* chosen on the "failed" page: send it once read */

  gboolean saved;
  gboolean discarding;

  AdwWindowTitle *window_title;
  GtkWidget *cancel_button;
  GtkButton *accept_button;
  GtkStack *stack;
  GtkLabel *form_error;
  GtkWidget *device_group;
  AdwEntryRow *name_row;
  AdwComboRow *fleet_row;
  GtkCheckButton *generate_check;
  GtkCheckButton *own_check;
  GtkCheckButton *key_check;
  GtkWidget *file_group;
  AdwActionRow *file_row;
  GtkWidget *choose_button;
  GtkLabel *file_error;
  GtkWidget *key_group;
  AdwComboRow *mode_row;
  AdwStatusPage *working_page;
  GtkLabel *done_title;
  GtkLabel *done_body;
  GtkWidget *secret_warning;
  GtkLabel *secret_warning_label;
  GtkWidget *secret_group;
  GtkLabel *secret_label;
  AdwButtonContent *copy_content;
  GtkWidget *credential_group;
  AdwActionRow *kind_row;
  AdwActionRow *subject_row;
  AdwActionRow *fingerprint_row;
  AdwActionRow *expires_row;
  GtkWidget *save_button;
  GtkLabel *saved_label;
  AdwStatusPage *failed_page;
  GtkWidget *retry_button;
  GtkWidget *other_file_button;
};

FdProvisionMethod fd_provision_window_get_method (FdProvisionWindow *self);
/* Updates the header's buttons and the form's sensitivity for the page shown. */
void fd_provision_window_update (FdProvisionWindow *self);
void fd_provision_window_show_form_error (FdProvisionWindow *self, const char *message);
/* Shows the credential just made (self->credential), and what to do with it. */
void fd_provision_window_show_done (FdProvisionWindow *self);
/* The device exists but its credential could not be made: says why and offers a retry. */
void fd_provision_window_show_failed (FdProvisionWindow *self, const char *message);
void fd_provision_window_emit_device_added (FdProvisionWindow *self);
void fd_provision_window_emit_credential_added (FdProvisionWindow *self);

/* fd-provision-window-result.c */
/* Whether the credential shown holds a secret that was not saved. */
gboolean fd_provision_window_unsaved_secret (FdProvisionWindow *self);
void fd_provision_window_copy_cb (FdProvisionWindow *self);
void fd_provision_window_save_cb (FdProvisionWindow *self);
gboolean fd_provision_window_close_request (GtkWindow *window);

/* fd-provision-window-requests.c */
/* Creates the device (when adding one), then its credential. */
void fd_provision_window_submit (FdProvisionWindow *self);
/* Sends the credential again for the device that now exists. */
void fd_provision_window_retry (FdProvisionWindow *self);

G_END_DECLS
