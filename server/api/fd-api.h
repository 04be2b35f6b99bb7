/* fd-api.h — the operator REST API server (/api/v1). */
#pragma once

#include <gio/gio.h>
#include <stdio.h>

#include "device/fd-device-auth.h"
#include "device/fd-downlink.h"
#include "device/fd-device-sessions.h"
#include "events/fd-events.h"
#include "export/fd-export.h"
#include "jobs/fd-jobs.h"
#include "ota/fd-firmware.h"
#include "ota/fd-ota.h"
#include "integrations/fd-integrations.h"
#include "integrations/fd-alerts.h"
#include "pki/fd-pki.h"
#include "retention/fd-retention.h"
#include "store/fd-store.h"

G_BEGIN_DECLS

typedef struct _FdApi FdApi;

/* Limits checked at the edge. */
#define FD_API_MAX_BODY (64 * 1024)
#define FD_API_MAX_NAME 100
#define FD_API_MAX_DESCRIPTION 1000
#define FD_API_MAX_PAGE 1000
#define FD_API_DEFAULT_PAGE 50
#define FD_API_MAX_QUERY_PARAMS 64
#define FD_API_MAX_IMPORT_BODY (16 * 1024 * 1024)
#define FD_API_MAX_IMPORT_ROWS 10000

/* @db_path is opened read-only on the caller's thread for token checks. @local_token is a
 * secret accepted in addition to the stored tokens (the desktop app's), or NULL. */
FdApi *fd_api_new (FdStore *store, const char *db_path, const char *local_token, GError **error);

/* What provisioning needs of the rest of the engine: the CA, device authentication (told of
 * revocations), and where devices reach this server (for zdevice.json). Set before listening;
 * the API keeps no reference beyond the engine's lifetime. */
void fd_api_set_provisioning (FdApi *api, FdPki *pki, FdDeviceAuth *auth, const char *public_host,
                              guint device_port, guint mqtt_port);

/* The down channel, for a device's messages and status (before listening). */
void fd_api_set_downlink (FdApi *api, FdDownlink *downlink);
/* The engine's live state: the events bus (GET /events) and the sessions registry (a device's
 * "online" and "last_seen"). Set before listening. */
void fd_api_set_live (FdApi *api, FdEvents *events, FdSessions *sessions);

/* The exports (POST /workspaces/{id}/exports and the rest). Set before listening. */
void fd_api_set_exports (FdApi *api, FdExports *exports);
/* The retention passes, for POST /server/retention (before listening). */
void fd_api_set_retention (FdApi *api, FdRetention *retention);
/* The jobs (POST /workspaces/{id}/jobs and the rest). Set before listening. */
void fd_api_set_jobs (FdApi *api, FdJobs *jobs);

/* The firmware files and signing keys (/workspaces/{id}/firmware, /firmware/{id}, the
 * signing key, and firmware_key in credentials). Set before listening. */
void fd_api_set_firmware (FdApi *api, FdFirmware *firmware);

/* The OTA campaigns (POST /workspaces/{id}/campaigns and the rest). Before listening. */
void fd_api_set_ota (FdApi *api, FdOta *ota);
void fd_api_set_integrations (FdApi *api, FdIntegrations *integrations);
void fd_api_set_alerts (FdApi *api, FdAlerts *alerts);

/* Listens on @address:@port (0: any free port) on the thread-default main context. */
gboolean fd_api_listen (FdApi *api, const char *address, guint port, GError **error);
guint fd_api_get_port (FdApi *api);

/* Refuses new requests (503), lets in-flight ones finish (up to @timeout_ms; work running on a
 * worker thread, a bulk import, is waited for to its end however long), then closes every
 * connection. Iterates the thread-default main context while it waits. */
void fd_api_shutdown (FdApi *api, guint timeout_ms);
void fd_api_free (FdApi *api);

/* Writes "METHOD /api/v1/path" for every route, one per line, to @out. */
void fd_api_print_routes (FILE *out);

G_END_DECLS
