/* fd-test-ota.h — what the firmware-update scenario tests share: a real fleetdesk-server with a
 * fast campaign tick, simulated devices imported with their zdevice.json files, firmware
 * uploaded through the API, campaigns, and fleetdesk-device simulate run in the background. */
#pragma once

#include "fd-test-api-util.h"
#include "fd-test-devices.h"

G_BEGIN_DECLS

typedef struct
{
  FdTestServer *srv;
  char *workspace;
  char *tmp; /* removed by fd_tota_stop */
  char *dir; /* the zdevice.json files */
  GPtrArray *ids;
} FdTota;

/* TRUE when fleetdesk-server has campaigns (a build of the parts in progress may not):
 * fd_tota_start skips the test (and returns NULL) otherwise. */
gboolean fd_tota_available (void);
/* A server (--ota-tick-ms 200), a workspace and @n devices (device tokens) with their
 * zdevice.json files (endpoint.port the MQTT port; firmware_key the workspace's). */
FdTota *fd_tota_start (guint n);
/* The same without campaigns when @ota is FALSE (the tick, the firmware_key). */
FdTota *fd_tota_start_with (guint n, gboolean ota);
/* The zdevice.json of the @i-th device by file name (the simulator takes the first N). */
char *fd_tota_file (FdTota *t, guint i);
void fd_tota_stop (FdTota *t);
/* The same server killed with @signum and started again on its data directory and ports. */
void fd_tota_restart (FdTota *t, int signum);

/* Uploads @size bytes (a pattern of @seed) as version @version; returns the firmware id and
 * the file's SHA-256 in *@sha256 (may be NULL). */
char *fd_tota_upload (FdTota *t, const char *version, gsize size, guint seed, char **sha256);
/* POST /workspaces/{id}/campaigns of @fw to every device, @rules_json the other members
 * ("\"stages\": […], …", may be ""); returns the campaign id. */
char *fd_tota_campaign (FdTota *t, const char *fw, const char *rules_json);
/* GET /campaigns/{id}. */
JsonNode *fd_tota_get_campaign (FdTota *t, const char *id);
/* Waits (up to @timeout_s) for the campaign's state to be @state; returns the campaign. */
JsonNode *fd_tota_wait_state (FdTota *t, const char *id, const char *state, double timeout_s);
/* counts[@state] of a campaign (0 when absent). */
gint64 fd_tota_count (JsonNode *campaign, const char *state);

/* fleetdesk-device simulate over @n devices of the directory with @args, in the background. */
typedef struct
{
  GPid pid;
  char *out, *err; /* files */
} FdTsim;

FdTsim *fd_tsim_start (FdTota *t, guint n, const char *const *args);
/* SIGTERM, waits; returns the summary JSON (--json is always given). */
JsonNode *fd_tsim_stop (FdTsim *s);
/* The simulator's stderr so far. */
char *fd_tsim_stderr (FdTsim *s);

G_END_DECLS
