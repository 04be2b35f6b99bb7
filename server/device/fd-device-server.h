/* fd-device-server.h — the HTTPS device endpoint (docs/protocol.md): TLS 1.2+ with optional
 * client certificates, persistent HTTP/1.1 connections, POST /v1/data/{tag}, POST /v1/up
 * (answered with a j/dn message for '#' requests), GET /v1/whoami.
 *
 * It runs on the engine's main context. The connection handling is our own (GSocketService +
 * GTlsServerConnection + a small strict HTTP/1.1 reader), not SoupServer: libsoup 3.2.3 leaks
 * every keep-alive connection whose client hangs up (about 4 MB each with TLS), see
 * docs/architecture.md.
 */
#pragma once

#include <gio/gio.h>

#include "device/fd-device-auth.h"
#include "device/fd-device-sessions.h"
#include "device/fd-device-up.h"
#include "device/fd-mqtt-server.h"
#include "ingest/fd-ingest.h"
#include "ota/fd-firmware.h"
#include "pki/fd-pki.h"

G_BEGIN_DECLS

typedef struct
{
  const char *address;     /* NULL: every interface (IPv4 and IPv6) */
  guint port;              /* 0: any free port */
  gsize max_payload_bytes; /* one payload; 0: FD_PAYLOAD_DEFAULT_MAX_BYTES */
  guint rate_per_s;        /* requests per device per second; 0: unlimited */
  guint burst;             /* bucket size; 0: 2 x rate_per_s */
  guint idle_timeout_s;    /* 0: 60 */
} FdDeviceServerConfig;

#define FD_DEVICE_MAX_HEAD_BYTES (16 * 1024)
#define FD_DEVICE_MAX_BODY_BYTES (16 * 1024 * 1024)
#define FD_DEVICE_DEFAULT_RATE 50
#define FD_DEVICE_DEFAULT_IDLE_S 60

typedef struct _FdDeviceServer FdDeviceServer;

/* @store is read for GET /v1/whoami (the device's current fleet); @up handles POST /v1/up. */
FdDeviceServer *fd_device_server_new (const FdDeviceServerConfig *config, FdPki *pki,
                                      FdDeviceAuth *auth, FdIngest *ingest, FdDeviceUp *up,
                                      FdStore *store);
/* Devices with an open connection count as online in @sessions (before listening). */
void fd_device_server_set_sessions (FdDeviceServer *server, FdSessions *sessions);
/* GET /mqtt (a WebSocket upgrade, subprotocol "mqtt") hands its connection to @mqtt; without
 * one, /mqtt is 404. */
void fd_device_server_set_mqtt (FdDeviceServer *server, FdMqttServer *mqtt);
/* GET /v1/firmware/{id} serves the files of @firmware; without it, the path is 404. */
void fd_device_server_set_firmware (FdDeviceServer *server, FdFirmware *firmware);
/* Starts listening on the thread-default main context. */
gboolean fd_device_server_listen (FdDeviceServer *server, GError **error);
guint fd_device_server_get_port (FdDeviceServer *server);
/* Stops accepting, answers new requests 503, lets requests waiting for the store finish (up to
 * @timeout_ms, iterating the thread-default context), then closes every connection. */
void fd_device_server_shutdown (FdDeviceServer *server, guint timeout_ms);
void fd_device_server_free (FdDeviceServer *server);

G_END_DECLS
