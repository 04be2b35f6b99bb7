/* fd-credential-row.h — one credential of a device, in its page's "Credentials". */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_TYPE_CREDENTIAL_ROW (fd_credential_row_get_type ())
G_DECLARE_FINAL_TYPE (FdCredentialRow, fd_credential_row, FD, CREDENTIAL_ROW, AdwActionRow)

/* A row for @credential (an item of GET /devices/{id}/credentials) as of @now. Its buttons
 * activate "detail.download-credential" and "detail.revoke-credential" with the credential's id.
 */
GtkWidget *fd_credential_row_new (JsonObject *credential, GDateTime *now);
JsonObject *fd_credential_row_get_credential (FdCredentialRow *self);
const char *fd_credential_row_get_id (FdCredentialRow *self);
gboolean fd_credential_row_get_revoked (FdCredentialRow *self);

/* "generated certificate 3F:9A:…:C2" or "device key 2": how dialogs name a credential. */
char *fd_credential_describe (JsonObject *credential);

G_END_DECLS
