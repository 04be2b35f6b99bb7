/* fd-api-upload.h — sending a large file to the API (a firmware image) straight from the disk,
 * with progress, without reading it whole into memory. */
#pragma once

#include "fd-api-client.h"

G_BEGIN_DECLS

/* Called on the main context as the body goes out: bytes sent so far and the file's size. */
typedef void (*FdApiProgressFunc) (goffset sent, goffset total, gpointer user_data);

/* POSTs the bytes of @file to @path (relative to /api/v1, with its query) as
 * application/octet-stream. @progress (may be NULL) is called as they are written. */
void fd_api_client_upload_async (FdApiClient *self, const char *path, GFile *file,
                                 FdApiProgressFunc progress, gpointer progress_data,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
/* The answer's JSON, or NULL with @error (an API error as for requests); @details, if not NULL,
 * gets the "error" object of a failed answer (a new reference, or NULL). */
JsonNode *fd_api_client_upload_finish (FdApiClient *self, GAsyncResult *result,
                                       JsonObject **details, GError **error);

G_END_DECLS
