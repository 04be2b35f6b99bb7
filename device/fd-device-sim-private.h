/* fd-device-sim-private.h — what fd-device-sim.c and fd-device-sim-fleet.c share. */
#pragma once

#include <stdio.h>

#include "fd-device-client.h"
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
};

/* Checks the options a person typed (counts, rate, tags). */
gboolean fd_sim_check_options (const FdSimOptions *options, GError **error);

/* Loads the first N zdevice.json files of the directory (by name), makes a client for each
 * (one trust database per distinct CA), resolves each server once and, on loopback, gives
 * every FD_SIM_DEVICES_PER_SOURCE devices their own source address. */
FdSim *fd_sim_new (const FdSimOptions *options, GError **error);
void fd_sim_free (FdSim *sim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdSim, fd_sim_free)

G_END_DECLS
