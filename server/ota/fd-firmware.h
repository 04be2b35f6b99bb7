/* fd-firmware.h — firmware files (DATA/firmware/<id>.bin), the workspaces' signing keys
 * (DATA/firmware/keys/<workspace>.pem) and the signed manifest of each file (docs/protocol.md).
 *
 * An upload is received by an FdFirmwareReceiver: the body (the raw file, or multipart/form-data
 * with a "file" part) is fed in as it arrives, written to DATA/firmware/<id>.part and hashed on
 * the way; only a complete file whose hash was checked is fsync'd and renamed to <id>.bin. A
 * failed or abandoned upload leaves nothing behind.
 */
#pragma once

#include "store/fd-store-firmware.h"

G_BEGIN_DECLS

#define FD_FIRMWARE_ERROR (fd_firmware_error_quark ())

typedef enum
{
  FD_FIRMWARE_ERROR_EMPTY,     /* no file, or an empty one */
  FD_FIRMWARE_ERROR_TOO_LARGE, /* over the limit */
  FD_FIRMWARE_ERROR_SHA256,    /* not the sha256 the uploader gave */
  FD_FIRMWARE_ERROR_FORM,      /* a malformed multipart body, or a field too long */
  FD_FIRMWARE_ERROR_IO,        /* the disk failed */
} FdFirmwareError;

GQuark fd_firmware_error_quark (void);

#define FD_FIRMWARE_DEFAULT_MAX_BYTES ((gsize)64 * 1024 * 1024)
#define FD_FIRMWARE_MAX_MAX_BYTES ((gsize)1024 * 1024 * 1024)

typedef struct _FdFirmware FdFirmware;

/* Makes DATA/firmware and DATA/firmware/keys (0700) and drops *.part files a crash left.
 * @max_bytes 0: FD_FIRMWARE_DEFAULT_MAX_BYTES. */
FdFirmware *fd_firmware_new (FdStore *store, const char *data_dir, gsize max_bytes);
void fd_firmware_free (FdFirmware *fw);
gsize fd_firmware_get_max_bytes (FdFirmware *fw);
/* The absolute path of a stored firmware file (DATA/firmware/<id>.bin). */
char *fd_firmware_path (FdFirmware *fw, const char *firmware_id);

/* On the writer: @workspace_id's key, made (ECDSA P-256) when it has none. */
FdSigningKey *fd_firmware_ensure_key (FdFirmware *fw, FdDb *db, const char *workspace_id,
                                      GError **error);
/* On the writer: a new key of @algorithm for @workspace_id; CONFLICT once it has firmware
 * (what was signed must stay verifiable). */
FdSigningKey *fd_firmware_set_key (FdFirmware *fw, FdDb *db, const char *workspace_id,
                                   const char *algorithm, GError **error);
/* The manifest text of @r (its id, workspace_id, version, target, size, sha256, created_at). */
char *fd_firmware_manifest (const FdFirmwareRecord *r);
/* On the writer: fills r->manifest, r->signature and r->algorithm with @workspace's key (made
 * if need be), then inserts @r. */
gboolean fd_firmware_sign_and_insert (FdFirmware *fw, FdDb *db, FdFirmwareRecord *r,
                                      const char *actor, GError **error);
/* Removes the files of @files (names as in FdFirmwareRecord.file) and @workspace_id's key
 * file: the workspace is gone. */
void fd_firmware_remove_files (FdFirmware *fw, const char *workspace_id, GPtrArray *files);
/* Removes one firmware file (its row is gone). */
void fd_firmware_remove_file (FdFirmware *fw, const char *file);

/* Receiving an upload. */
typedef struct _FdFirmwareReceiver FdFirmwareReceiver;

/* Starts <id>.part for a new firmware id. @boundary: the multipart/form-data boundary, or NULL
 * for a raw body. At most @max_bytes of file. */
FdFirmwareReceiver *fd_firmware_receiver_new (FdFirmware *fw, const char *boundary, GError **error);
/* Takes the next bytes of the body. After the first error it takes nothing more (the error
 * is kept for _finish). */
void fd_firmware_receiver_feed (FdFirmwareReceiver *r, const void *data, gsize len);
/* The body is all here: FALSE with the first error (the file is removed). */
gboolean fd_firmware_receiver_end (FdFirmwareReceiver *r, GError **error);
const char *fd_firmware_receiver_get_id (FdFirmwareReceiver *r);
/* A form field ("version", …) or NULL; only with multipart bodies. */
const char *fd_firmware_receiver_get_field (FdFirmwareReceiver *r, const char *name);
gint64 fd_firmware_receiver_get_size (FdFirmwareReceiver *r);
const char *fd_firmware_receiver_get_sha256 (FdFirmwareReceiver *r);
/* After _end: checks @expected_sha256 (NULL: none), fsyncs the file and renames it to
 * <id>.bin (0640). Any thread. */
gboolean fd_firmware_receiver_commit (FdFirmwareReceiver *r, const char *expected_sha256,
                                      GError **error);
/* Removes <id>.part, or <id>.bin after a commit whose row could not be stored. */
void fd_firmware_receiver_discard (FdFirmwareReceiver *r);
void fd_firmware_receiver_free (FdFirmwareReceiver *r);

G_END_DECLS
