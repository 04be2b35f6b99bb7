/* fd-test-devices.h — many provisioned devices at once, for the simulator's tests and the
 * ingest benchmark: a CSV import through the API, and one zdevice.json file per device. */
#pragma once

#include "fd-test-server.h"

G_BEGIN_DECLS

/* Imports @n devices named "@prefix-00001"… into @workspace_id with POST
 * /workspaces/{id}/devices/import, the CSV column credential taking the values of
 * @credentials in turn ("generate", "key", "cloud_token"), and writes DIR/NAME.json (mode 0600)
 * for each, as fleetdesk-cli's --credentials-dir does. @seconds (may be NULL) gets the time the
 * import request took. Returns the ids of the devices, in order. Aborts the test on failure. */
GPtrArray *fd_test_import_devices (FdTestServer *srv, const char *workspace_id, const char *prefix,
                                   guint n, const char *const *credentials, const char *dir,
                                   double *seconds);

/* The zdevice.json of @credential (an element of an import answer's "credentials", with its
 * secret parts) from the answer's @endpoint and @cacert. */
char *fd_test_zdevice_from_import (JsonObject *credential, JsonObject *endpoint,
                                   const char *cacert);

G_END_DECLS
