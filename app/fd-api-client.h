/* fd-api-client.h — asynchronous client of the operator REST API (docs/rest-api.md). */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FD_API_ERROR (fd_api_error_quark ())

/* One code per `error.code` of the API, plus what can go wrong before an answer arrives. */
typedef enum
{
  FD_API_ERROR_UNKNOWN,                /* a code this client does not know */
  FD_API_ERROR_MALFORMED_JSON,         /* malformed_json */
  FD_API_ERROR_INVALID_FIELD,          /* invalid_field */
  FD_API_ERROR_INVALID_PARAMETER,      /* invalid_parameter */
  FD_API_ERROR_UNAUTHORIZED,           /* unauthorized */
  FD_API_ERROR_NOT_FOUND,              /* not_found */
  FD_API_ERROR_METHOD_NOT_ALLOWED,     /* method_not_allowed */
  FD_API_ERROR_CONFLICT,               /* conflict */
  FD_API_ERROR_PAYLOAD_TOO_LARGE,      /* payload_too_large */
  FD_API_ERROR_INTERNAL,               /* internal */
  FD_API_ERROR_INVALID_CSV,            /* invalid_csv: the error's "rows" say which */
  FD_API_ERROR_UNSUPPORTED_MEDIA_TYPE, /* unsupported_media_type */
  FD_API_ERROR_SHUTTING_DOWN,          /* shutting_down */
  FD_API_ERROR_BAD_RESPONSE,           /* the answer is not what the API promises */
} FdApiError;

GQuark fd_api_error_quark (void);

#define FD_TYPE_API_CLIENT (fd_api_client_get_type ())
G_DECLARE_FINAL_TYPE (FdApiClient, fd_api_client, FD, API_CLIENT, GObject)

/* @base_url is the server's root ("http://127.0.0.1:7080"); requests go to base_url/api/v1. */
FdApiClient *fd_api_client_new (const char *base_url, const char *token);
const char *fd_api_client_get_base_url (FdApiClient *self);
/* The bearer token sent with every request (NULL if none). */
const char *fd_api_client_get_token (FdApiClient *self);

/* Sends @method to @path ("/workspaces?search=lab", relative to /api/v1) with an optional JSON
 * @body. The callback runs on the calling thread's main context. */
void fd_api_client_request_async (FdApiClient *self, const char *method, const char *path,
                                  JsonNode *body, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);

/* Like fd_api_client_request_async() with a body that is not JSON (a CSV file): @content_type
 * and @body are sent as they are. */
void fd_api_client_send_async (FdApiClient *self, const char *method, const char *path,
                               const char *content_type, GBytes *body, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);

/* Returns the answer's JSON (NULL without error for 204 No Content). An API error becomes an
 * FD_API_ERROR with the API's message; a transport failure keeps its GIO/libsoup error. */
JsonNode *fd_api_client_request_finish (FdApiClient *self, GAsyncResult *result, GError **error);

/* The "error" object of a failed answer to a request (with "code", "message", "field" and,
 * for invalid_csv, "rows"), owned by @result; NULL if the request failed without an answer. */
JsonObject *fd_api_client_get_error_details (GAsyncResult *result);

/* Fetches every item of the list at @path (paging through it): for short lists such as
 * workspaces and fleets. */
void fd_api_client_list_all_async (FdApiClient *self, const char *path, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
/* The items (JsonObject, owned by the array) in the server's order. */
GPtrArray *fd_api_client_list_all_finish (FdApiClient *self, GAsyncResult *result, GError **error);

/* Downloads the body of GET @path into @destination: it is written to a temporary file in the
 * same folder and renamed over @destination only once complete, so a failed or cancelled
 * download leaves nothing under that name. */
void fd_api_client_download_async (FdApiClient *self, const char *path, GFile *destination,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
/* The number of bytes written, or -1 with @error (an API error as for requests). */
gssize fd_api_client_download_finish (FdApiClient *self, GAsyncResult *result, GError **error);

/* Cancels every request in flight; later requests are sent normally. */
void fd_api_client_cancel_all (FdApiClient *self);

/* Appends "?key=value" or "&key=value" to @path, escaping @value. Does nothing if @value is NULL.
 */
void fd_api_path_add_query (GString *path, const char *key, const char *value);

/* "/workspaces/wks-x/devices" with every id escaped for a path segment. */
char *fd_api_path (const char *first_segment, ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
