/* fd-device-client.h — one device's connection to the Fleetdesk HTTPS device endpoint
 * (docs/protocol.md): TLS to endpoint.host:endpoint.https_port trusting only the zdevice.json's
 * CA, the device's own client certificate or bearer token, and HTTP/1.1 requests one after the
 * other on one persistent connection.
 *
 * Every client has its own connection. A shared HTTP session would pool connections by host,
 * and one made with device A's certificate could then carry device B's request. All I/O is
 * non-blocking on the thread-default main context, so one thread can drive thousands of
 * clients. At most one request is in flight per client.
 */
#pragma once

#include <gio/gio.h>

#include "fd-device-config.h"
#include "fd-device-client-http.h"

G_BEGIN_DECLS

#define FD_DEVICE_CLIENT_ERROR (fd_device_client_error_quark ())
GQuark fd_device_client_error_quark (void);

typedef enum
{
  FD_DEVICE_CLIENT_ERROR_BUSY,   /* a request is already in flight */
  FD_DEVICE_CLIENT_ERROR_CLOSED, /* the server closed the connection before answering */
} FdDeviceClientError;

/* A JWT lives this long and is made again this long before it expires. */
#define FD_DEVICE_JWT_LIFETIME_S 3600
#define FD_DEVICE_JWT_RENEW_S 300
#define FD_DEVICE_CLIENT_TIMEOUT_S 30

#define FD_TYPE_DEVICE_CLIENT (fd_device_client_get_type ())
G_DECLARE_FINAL_TYPE (FdDeviceClient, fd_device_client, FD, DEVICE_CLIENT, GObject)

/* Takes @config. @trust is the database made from its cacert (fd_device_trust_new), shared by
 * clients with the same CA; NULL makes one. Fails when the TLS material is unusable. */
FdDeviceClient *fd_device_client_new (FdDeviceConfig *config, GTlsDatabase *trust, GError **error);

const FdDeviceConfig *fd_device_client_get_config (FdDeviceClient *self);

/* Connect to @address instead of resolving endpoint.host (the certificate must still name
 * endpoint.host); and/or from @local (a source address). Either may be NULL. */
void fd_device_client_set_addresses (FdDeviceClient *self, GSocketAddress *address,
                                     GSocketAddress *local);

/* TRUE while a connection is open (it may still turn out to be closed by the server). */
gboolean fd_device_client_is_connected (FdDeviceClient *self);
/* TRUE while a request (or a connect) is in flight. */
gboolean fd_device_client_is_busy (FdDeviceClient *self);

/* Opens the connection and completes the TLS handshake now rather than with the first request. */
void fd_device_client_connect_async (FdDeviceClient *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
gboolean fd_device_client_connect_finish (FdDeviceClient *self, GAsyncResult *result,
                                          GError **error);

/* Sends one request (connecting first when needed) and reads its answer. @body may be NULL (no
 * body, no Content-Length). Any answer is a success here, whatever its status; errors are
 * transport errors (connect, TLS, a malformed or missing answer). */
void fd_device_client_request_async (FdDeviceClient *self, const char *method, const char *path,
                                     const char *content_type, GBytes *body,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
/* The same with @extra header lines (each ending in CRLF, e.g. "Range: bytes=0-65535\r\n";
 * NULL for none). */
void fd_device_client_request_full_async (FdDeviceClient *self, const char *method,
                                          const char *path, const char *extra,
                                          const char *content_type, GBytes *body,
                                          GCancellable *cancellable, GAsyncReadyCallback callback,
                                          gpointer user_data);
FdDeviceResponse *fd_device_client_request_finish (FdDeviceClient *self, GAsyncResult *result,
                                                   GError **error);

/* Closes the connection (an in-flight request fails with G_IO_ERROR_CANCELLED). */
void fd_device_client_disconnect (FdDeviceClient *self);

/* TRUE when @tag is one the protocol allows: 1-64 characters of UTF-8 without "/", "#", "+",
 * whitespace or control characters. */
gboolean fd_device_tag_check (const char *tag, GError **error);

/* The request path of the protocol's data endpoint for @tag, percent-encoded. */
char *fd_device_data_path (const char *tag);

G_END_DECLS
