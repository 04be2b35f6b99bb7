/* fd-test-firmware.h — what the firmware tests share: files of known bytes, sha256sum, uploads
 * with curl (raw and multipart), the server's firmware directory, signature checks with GnuTLS,
 * and campaign rows written straight into the server's database (the campaigns module's
 * tables, so that a download can be assigned without its API). */
#pragma once

#include "fd-test-server.h"

G_BEGIN_DECLS

/* A file @dir/@name of @size bytes from a seeded generator (the same bytes every run); its
 * path. When @tricky, it also holds CRLF and runs of dashes, what a multipart reader must not
 * take for a boundary. */
char *fd_tf_make_file (const char *dir, const char *name, gsize size, guint32 seed,
                       gboolean tricky);
/* The hex SHA-256 of a file, as `sha256sum` prints it. */
char *fd_tf_sha256sum (const char *path);

/* POST /workspaces/@ws/firmware?@query with curl: the raw file (@form NULL) or multipart with
 * "-F" arguments @form (NULL-terminated, "file=@PATH" among them). Returns the JSON answer and
 * *@status. */
JsonNode *fd_tf_upload_raw (FdTestServer *srv, const char *ws, const char *query, const char *path,
                            guint *status);
JsonNode *fd_tf_upload_form (FdTestServer *srv, const char *ws, const char *query,
                             const char *const *form, guint *status);

/* The names in DATA/firmware (the keys directory left out), sorted, joined by " ". */
char *fd_tf_firmware_dir (FdTestServer *srv);
/* The mode bits of a file. */
guint fd_tf_file_mode (const char *path);

/* TRUE when @signature_b64 verifies @manifest with @public_pem (GnuTLS, as a device would). */
gboolean fd_tf_verify (const char *public_pem, const char *algorithm, const char *manifest,
                       const char *signature_b64);

/* Writes (or sets the state of) campaign @campaign_id of @firmware_id, and a target row of
 * @device_id in @state; asserts it worked. The campaigns engine follows only the campaigns it
 * made or loaded at start, so rows written behind its back stay as written (no restart). */
void fd_tf_campaign (FdTestServer *srv, const char *campaign_id, const char *workspace_id,
                     const char *firmware_id, const char *state);
void fd_tf_campaign_target (FdTestServer *srv, const char *campaign_id, const char *device_id,
                            const char *state);
/* Runs one SQL statement against the server's database. */
void fd_tf_sql (FdTestServer *srv, const char *sql);

G_END_DECLS
