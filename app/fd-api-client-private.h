/* fd-api-client-private.h — what the API client's files share. */
#pragma once

#include <libsoup/soup.h>

#include "fd-api-client.h"

G_BEGIN_DECLS

/* The GError for a non-2xx answer (@bytes: its body, may be NULL), preferring the API's own
 * message; the answer's "error" object is stored in @details (a new reference) when it has one.
 */
GError *fd_api_error_from_answer (SoupMessage *message, GBytes *bytes, JsonObject **details);

G_END_DECLS
