/* fd-test-campaigns.h — what the campaign tests share: a firmware to roll out, scripted devices
 * that speak the FOTA messages by hand over HTTPS (POST /v1/up on a kept-alive connection), and
 * waits on a campaign's state as the operator API shows it. */
#pragma once

#include "fd-test-device.h"

G_BEGIN_DECLS

/* The server's arguments for campaign tests: a fast tick. */
#define FD_TC_ARGS "--ota-tick-ms", "200"

/* Uploads a firmware @version (FD_TC_FIRMWARE_SIZE bytes) to @workspace_id; returns its id. */
#define FD_TC_FIRMWARE_SIZE 1024
char *fd_tc_firmware (FdTdServer *s, const char *workspace_id, const char *version);

typedef struct
{
  FdTdDevice *d;
  FdTdRaw *r; /* its HTTPS connection */
} FdTcDevice;

/* A device with a certificate in @s's workspace, connected, that reported __info.fw @fw_version
 * (unless NULL). */
FdTcDevice *fd_tc_device (FdTdServer *s, const char *name, const char *fw_version);
void fd_tc_device_free (FdTcDevice *dev);
/* Reconnects (after a server restart). */
void fd_tc_reconnect (FdTdServer *s, FdTcDevice *dev);
/* POST /v1/up {"key": @key, "value": @value_json}; asserts @expected and returns the body. */
JsonNode *fd_tc_up (FdTcDevice *dev, const char *key, const char *value_json, guint expected);
/* The same, answered 202 (stored), body dropped. */
void fd_tc_report (FdTcDevice *dev, const char *key, const char *value_json);
/* The whole update as a device does it: downloading 50, downloaded, verified, installing,
 * then @fota with @result ("success": and __info.fw = @version). */
void fd_tc_update (FdTcDevice *dev, const char *version, const char *result);
/* GET /v1/firmware/@firmware_id as the device; the status, and the body's length in *@len. */
guint fd_tc_download (FdTcDevice *dev, const char *firmware_id, gsize *len);
/* The value of the device's expected @fota (#status answer), or NULL when it has none. */
JsonNode *fd_tc_expected_fota (FdTcDevice *dev);

/* GET /api/v1/campaigns/@id, polled (every 50 ms, for up to 30 s) until @member (a string or
 * integer member, compared as text) equals @want. Fails the test when it never does. */
JsonNode *fd_tc_wait (FdTestServer *srv, const char *id, const char *member, const char *want);
/* `counts`.@state of a campaign. */
gint64 fd_tc_count (JsonNode *campaign, const char *state);
/* The targets of @id, with @query ("state=queued", or NULL). */
JsonNode *fd_tc_targets (FdTestServer *srv, const char *id, const char *query);
/* The state of @device_id's target in campaign @id. */
char *fd_tc_target_state (FdTestServer *srv, const char *id, const char *device_id);
/* POST /workspaces/{ws}/campaigns with @body: asserts 201 and returns the campaign. */
JsonNode *fd_tc_create (FdTestServer *srv, const char *workspace_id, const char *body);
/* A JSON array of the devices' ids. */
char *fd_tc_ids_json (FdTcDevice **devs, guint n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdTcDevice, fd_tc_device_free)

G_END_DECLS
