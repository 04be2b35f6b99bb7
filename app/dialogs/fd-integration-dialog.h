/* fd-integration-dialog.h — "Add Integration" and "Edit Integration": a webhook (URL, headers,
 * secret) or a PostgreSQL database (DSN), the events it forwards, its filters and batching,
 * and "Send Test Event" with the settings as they are in the form. */
#pragma once

#include <adwaita.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

/* The bounds of POST /workspaces/{id}/integrations (CONTRACT-7, fd-store-integrations.h). */
#define FD_INTEGRATION_BATCH_MAX 10000
#define FD_INTEGRATION_BATCH_DEFAULT 500
#define FD_INTEGRATION_DELAY_MAX_MS 3600000
#define FD_INTEGRATION_DELAY_DEFAULT_MS 1000
/* Extra headers a form offers rows for. */
#define FD_INTEGRATION_DIALOG_MAX_HEADERS 32

#define FD_TYPE_INTEGRATION_DIALOG (fd_integration_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FdIntegrationDialog, fd_integration_dialog, FD, INTEGRATION_DIALOG, AdwWindow)

/* A dialog over @parent making an integration in @workspace_id, or editing @integration
 * (NULL for a new one). Signal "saved" (JsonObject *integration, gboolean created) once the
 * server made or changed it (a new one's answer holds its "secret"); the dialog then closes. */
FdIntegrationDialog *fd_integration_dialog_new (GtkWindow *parent, FdApiClient *client,
                                                const char *workspace_id, JsonObject *integration);

/* For tests: whether Create/Save is on, the last test's sentence (NULL before one), the error
 * shown for the API's @field (NULL if none). */
gboolean fd_integration_dialog_can_save (FdIntegrationDialog *self);
const char *fd_integration_dialog_get_test_result (FdIntegrationDialog *self);
const char *fd_integration_dialog_get_field_error (FdIntegrationDialog *self, const char *field);
/* Adds a header row holding @name and @value (as "Add Header" and typing would). */
void fd_integration_dialog_add_header (FdIntegrationDialog *self, const char *name,
                                       const char *value);

/* The body of the form's settings as the API takes it: every field for a new one (@create),
 * or every field but the type (and secret and DSN only when typed) for PATCH. Exposed for
 * tests. */
JsonNode *fd_integration_dialog_dup_body (FdIntegrationDialog *self, gboolean create);

G_END_DECLS
