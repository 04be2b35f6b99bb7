/* bench-mqtt.h — what bench-mqtt.c, bench-mqtt-idle.c and bench-ota-fleet.c share
 * (bench-mqtt-peer.c): the fleetdesk-server under test with its MQTT port, Debian's mosquitto
 * broker as the peer (TLS with the same certificate, storing nothing), devices provisioned
 * through the API, and runs of `fleetdesk-device simulate --transport mqtt`. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "bench-ingest.h"
#include "fd-test-server.h"

G_BEGIN_DECLS

typedef struct
{
  char *prefix; /* temporary: mosquitto.conf, the certificate chain and key */
  guint port;
  GPid pid;
} FdBenchMosquitto;

/* The mosquitto binary (PATH, then /usr/sbin), or NULL. */
char *fd_bench_find_mosquitto (void);
/* Starts @mosquitto with DATA/pki's server certificate (+ the CA as the chain) and key on a free
 * loopback port: MQTT over TLS 1.2/1.3, any client accepted (allow_anonymous), no persistence.
 * FALSE (with a message on stderr) when it would not start. */
gboolean fd_bench_mosquitto_start (FdBenchMosquitto *peer, const char *mosquitto,
                                   const char *pki_dir);
void fd_bench_mosquitto_stop (FdBenchMosquitto *peer);

/* The MQTT port fleetdesk-server wrote into DATA/ports.json if something listens on it, else 0
 * (a server built before its MQTT endpoint). */
guint fd_bench_server_mqtt_port (FdTestServer *srv);

/* Imports @n device-token devices into a new workspace and writes their zdevice.json files
 * into @dir with endpoint.port = @port (and a copy per extra port: @peer_dir/@peer_port when
 * @peer_dir is not NULL). */
void fd_bench_provision_mqtt (FdTestServer *srv, const char *name, guint n, const char *dir,
                              guint port, const char *peer_dir, guint peer_port);

/* A copy of every zdevice.json in @from with endpoint.port = @port. */
void fd_bench_copy_with_port (const char *from, const char *to, guint port);

/* Raises the file limit to the hard one: ten thousand connections are ten thousand sockets,
 * here and in the servers this process starts. */
void fd_bench_raise_file_limit (void);

/* The CPU seconds of the children of this process that were waited for. */
double fd_bench_children_cpu_s (void);

G_END_DECLS
