/* fd-device-client-private.h — what the files of FdDeviceClient share: fd-device-client.c (the
 * object, its operations and how they end), fd-device-client-io.c (writing requests, reading
 * answers) and fd-device-client-connect.c (TCP, TLS and cancelling). */
#pragma once

#include "fd-device-client.h"

G_BEGIN_DECLS

#define FD_DEVICE_CLIENT_READ_CHUNK 16384
/* A connection idle this long is checked for a close by the server before it is reused. */
#define FD_DEVICE_CLIENT_IDLE_CHECK_US (G_USEC_PER_SEC / 2)

struct _FdDeviceClient
{
  GObject parent_instance;

  FdDeviceConfig *config;
  GTlsDatabase *trust;
  GTlsCertificate *certificate; /* certificate mode */
  GSocketConnectable *identity; /* endpoint.host:https_port: what the server must prove */
  GSocketAddress *address;      /* where to connect; NULL: resolve the identity */
  GSocketClient *socket_client;
  char *bearer;
  gint64 bearer_renew_s;

  /* The connection. */
  GIOStream *tls;
  GPollableInputStream *in;
  GPollableOutputStream *out;
  gboolean handshaking;
  gint64 last_used_us;
  guint answers; /* on this connection */

  /* The operation in flight: a connect, or a request (connecting first when needed). */
  GTask *task;
  GCancellable *op; /* ours, cancelled by disconnect and by the caller's cancellable */
  GCancellable *caller_cancellable;
  gulong caller_cancel_id;
  gboolean connect_only;
  GString *request;
  gsize written;
  guint8 *rbuf;
  gsize rlen, rcap;
  FdDeviceHttpReader reader;
  GSource *io_source;
};

/* How the operation in flight ends (fd-device-client.c). fail closes the connection; the
 * error is taken. */
void fd_device_client_fail (FdDeviceClient *self, GError *error);
/* fail with @error prefixed by host:port and @what. */
void fd_device_client_fail_io (FdDeviceClient *self, const char *what, GError *error);
/* Answers the operation with @response (taken; NULL for a connect). */
void fd_device_client_succeed (FdDeviceClient *self, FdDeviceResponse *response);
void fd_device_client_drop_connection (FdDeviceClient *self);

/* The Authorization bearer for a request at @now_s (NULL in certificate mode); a device token
 * is minted again FD_DEVICE_JWT_RENEW_S before it expires. Owned by the client. */
const char *fd_device_client_bearer (FdDeviceClient *self, gint64 now_s);

/* fd-device-client-io.c: sends self->request, then reads the answer and ends the operation. */
void fd_device_client_pump_write (FdDeviceClient *self);
gboolean fd_device_client_connection_alive (FdDeviceClient *self);

/* fd-device-client-connect.c: connects, handshakes, then sends (or ends a connect). */
void fd_device_client_open (FdDeviceClient *self);
/* Connected to the caller's cancellable: ends the operation soon after. */
void fd_device_client_on_cancelled (GCancellable *cancellable, gpointer data);

G_END_DECLS
