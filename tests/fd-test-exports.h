/* fd-test-exports.h — what the export tests share: waiting for an export, reading its file,
 * and a fast seed of many samples for the scale tests. */
#pragma once

#include "fd-test-events.h"

G_BEGIN_DECLS

/* POSTs @body to /workspaces/@workspace/exports (202 asserted); returns the export's id. */
char *fd_tx_start (FdTestServer *srv, const char *workspace, const char *body);
/* Polls GET /exports/@id until it left queued and running; returns the object. */
JsonNode *fd_tx_wait (FdTestServer *srv, const char *id);
/* GET /exports/@id/file: the body, its Content-Type and status. */
GBytes *fd_tx_download (FdTestServer *srv, const char *id, char **content_type, guint *status);
/* Writes a stream of @device_id / @tag with @n samples (payload {"i": k, "pad": "…"}, device
 * times @t0 + k ms) straight into the running server's database in one transaction: a fast
 * way to a big store for the progress, cancel and crash tests. Returns nothing; the stream's
 * fleet is the workspace's default one. */
void fd_tx_seed_samples (FdTestServer *srv, const char *workspace, const char *device_id,
                         const char *tag, guint n, gint64 t0);

G_END_DECLS
