/* fd-zdevice.h — zdevice.json files (docs/protocol.md): building them from an import answer
 * and naming them after their device. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The zdevice.json of @credential (an item of an import answer's "credentials", with its secret
 * parts) of device @device_id, with the answer's @endpoint and @cacert: the same layout as the
 * "zdevice" of a single credential's creation. */
JsonNode *fd_zdevice_from_import (JsonObject *credential, const char *device_id,
                                  JsonObject *endpoint, const char *cacert);

/* "<device name>.zdevice.json", with what a file name cannot hold ('/', control characters, a
 * leading dot) replaced by '_'. */
char *fd_zdevice_file_name (const char *device_name);

/* The file's contents: the object as indented JSON with a final newline. */
GBytes *fd_zdevice_to_bytes (JsonNode *zdevice);

/* Whether @zdevice carries a secret (a private key or a device key): only then is losing the
 * file losing the credential. */
gboolean fd_zdevice_has_secret (JsonNode *zdevice);

G_END_DECLS
