/* fd-device-sim.h — many simulated devices on one thread (fleetdesk-device simulate).
 *
 * Each device has its own client (its own TLS connection and credential) and sends R
 * messages per second, a message being one reading or a batch of K, never more than one
 * request in flight: when a device's turn comes while its previous request is unanswered, the
 * turn is skipped and counted. With rate 0 every device sends its next message as soon as the
 * previous one is answered (a closed loop: the server's pace). A line per second and a summary
 * report what was sent, acknowledged (202), refused (by status) and the latency of the
 * acknowledged requests.
 */
#pragma once

#include <glib.h>

#include "fd-device-mqtt.h"

G_BEGIN_DECLS

#define FD_SIM_ERROR (fd_sim_error_quark ())
GQuark fd_sim_error_quark (void);

typedef enum
{
  FD_SIM_ERROR_USAGE,   /* options that do not make sense */
  FD_SIM_ERROR_DEVICES, /* too few zdevice.json files, or one that is wrong */
  FD_SIM_ERROR_CONNECT, /* no device could connect */
} FdSimError;

/* How many devices may share one source address: Fleetdesk takes at most 64 connections per
 * peer address, so on loopback the simulator spreads its devices over 127.1.x.y. */
#define FD_SIM_DEVICES_PER_SOURCE 32
#define FD_SIM_MAX_DEVICES 100000
#define FD_SIM_MAX_BATCH 10000
#define FD_SIM_CONNECTS_AT_ONCE 32
#define FD_SIM_DRAIN_S 15

typedef struct
{
  const char *credentials_dir;
  guint devices;
  double rate;        /* messages per device per second; 0: as fast as answered */
  char **tags;        /* NULL-terminated */
  double duration_s;  /* 0: until interrupted */
  guint batch;        /* 0: one reading per message (an object); K: a batch array of K */
  gboolean quiet;     /* no line per second */
  gboolean json;      /* the summary as JSON on stdout (lines per second go to stderr) */
  const char *host;   /* instead of each zdevice.json's endpoint.host; NULL: theirs */
  gboolean no_spread; /* keep every connection on one source address */
  FdDeviceTransport transport;
  guint window;       /* MQTT: data PUBLISHes in flight per device (QoS 1) */
  gboolean idle;      /* MQTT: connect and hold, publish nothing */
  double battery_low; /* MQTT: the battery condition opens below this percent; 0: none */
  /* Jobs, variables and updates (fd-device-agent.h, fd-device-ota.h). */
  gboolean poll;          /* HTTPS: hold a session too (GET /v1/dn, POST /v1/up) */
  const char *fw_version; /* the firmware every device starts with; NULL: none reported */
  double job_fail_rate, fota_fail_rate, fota_revert_rate;
  double download_rate; /* bytes/s per device; 0: unlimited */
  guint chunk;          /* bytes per Range request; 0: 64 KiB */
} FdSimOptions;

#define FD_SIM_MAX_WINDOW 64

/* Runs the simulation on the thread-default main context until the duration is over or
 * SIGINT/SIGTERM. Returns FALSE (with @error) when it could not start. */
gboolean fd_sim_run (const FdSimOptions *options, GError **error);

G_END_DECLS
