/* fd-device-sim-private.h — what fd-device-sim.c and fd-device-sim-fleet.c share. */
#pragma once

#include <stdio.h>

#include "fd-device-agent.h"
#include "fd-device-client.h"
#include "fd-device-https-session.h"
#include "fd-device-mqtt.h"
#include "fd-device-poller.h"
#include "fd-device-readings.h"
#include "fd-device-sim.h"
#include "fd-device-stats.h"

G_BEGIN_DECLS

typedef struct _FdSim FdSim;

typedef struct
{
  FdSim *sim;
  FdDeviceClient *client;
  const char *device_id; /* the client's */
  FdReadings *readings;
  GString *body;            /* the message being sent */
  guint64 seq;              /* messages sent; picks the tag round-robin */
  guint readings_in_flight; /* readings in the message being sent */
  gint64 next_due_us;       /* its next turn (fixed rate) */
  gint64 sent_at_us;
  gboolean busy;
  guint retry; /* closed loop: the pause after a failure */

  /* MQTT (fd-device-sim-mqtt.c) */
  FdDeviceMqtt *mqtt;
  FdDeviceAgent *agent;
  char **topics; /* per tag: j/data/<id>/<tag> */
  guint16 *ids;  /* the window: packet ids of the data PUBLISHes in flight, oldest first */
  gint64 *ids_sent_us;
  guint inflight;
  gboolean ever_up; /* connected once: a later close is an error of the run */
  guint reconnect;
  double battery; /* percent */
  double drain;   /* percent per second while discharging */
  gboolean charging;
  char *condition; /* the uuid of the open battery condition */

  /* HTTPS with --poll: the device's session (jobs, variables, updates). */
  FdDeviceHttpsSession *session;
} FdSimDevice;

struct _FdSim
{
  const FdSimOptions *options;
  GMainLoop *loop;
  GError *error; /* why the run could not start */
  FdSimDevice *devs;
  guint n;
  char **paths; /* per tag: /v1/data/{tag} */
  guint ntags;
  FILE *lines; /* where the line per second goes */

  gint64 interval_us; /* between one device's turns; 0: closed loop */
  gint64 connect_start_us, start_us, stop_us, end_us, last_report_us;
  double connect_s;
  guint connect_next, connecting, connected, connect_failed;
  gboolean running, stopping, finished;
  guint next; /* the device whose turn is next */
  guint in_flight;
  guint reports;
  guint printed;
  GSource *tick, *report, *end, *drain;
  FdStats second, total;

  /* MQTT */
  gboolean mqtt;
  FdDevicePoller *poller;
  guint keepalive; /* the timer of fd_sim_mqtt_tick */
  guint64 conditions_opened, conditions_closed, down, jobs, status_replies, reconnects;
  FdDeviceFleet fleet; /* the agents' rates and counters */
  guint per_source;    /* devices per loopback source address */
};

/* fd-device-sim.c, for the MQTT side: a device's connection attempt ended (@error NULL: it is
 * up); a device got an answer (@ok: an acknowledgement); an error worth printing. */
void fd_sim_device_connected (FdSim *sim, FdSimDevice *d, const GError *error);
void fd_sim_device_done (FdSim *sim, FdSimDevice *d, gboolean ok);
void fd_sim_note_error (FdSim *sim, FdSimDevice *d, const char *what);

/* fd-device-sim-mqtt.c */
gboolean fd_sim_mqtt_add (FdSim *sim, FdSimDevice *d, FdDeviceConfig *config, GTlsDatabase *trust,
                          GSocketAddress *remote, GSocketAddress *https_remote,
                          GSocketAddress *source, GError **error);
/* The agents' options for @sim (addresses and trust filled by the caller). */
void fd_sim_agent_options (FdSim *sim, FdDeviceAgentOptions *o);
void fd_sim_mqtt_connect (FdSim *sim, FdSimDevice *d);
/* TRUE when the device has its window full (or is not connected). */
gboolean fd_sim_mqtt_busy (FdSim *sim, FdSimDevice *d);
void fd_sim_mqtt_send (FdSim *sim, FdSimDevice *d);
/* Once a second: keep-alive of every connection, and the batteries. */
void fd_sim_mqtt_tick (FdSim *sim, gint64 now_us);
/* Drops the connections whose answers are still due (the drain timed out). */
void fd_sim_mqtt_abandon (FdSim *sim, FdSimDevice *d);
void fd_sim_mqtt_clear (FdSimDevice *d);

/* Checks the options a person typed (counts, rate, tags). */
gboolean fd_sim_check_options (const FdSimOptions *options, GError **error);

/* Loads the first N zdevice.json files of the directory (by name), makes a client for each
 * (one trust database per distinct CA), resolves each server once and, on loopback, gives
 * every FD_SIM_DEVICES_PER_SOURCE devices their own source address. */
FdSim *fd_sim_new (const FdSimOptions *options, GError **error);
void fd_sim_free (FdSim *sim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdSim, fd_sim_free)

G_END_DECLS
