/* fd-device-readings.h — plausible, slowly varying readings for simulated devices.
 *
 * Tags with a known shape: "weather" {temp, hum, pressure} and "power" {voltage, current,
 * power, energy} (energy is a counter in Wh that only grows); any other tag gets {"value"}.
 * Each device has its own phases and noise (seeded from its id), so a fleet's charts differ.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FdReadings FdReadings;

/* @tags: the tags the device publishes under, in the order of their index below. */
FdReadings *fd_readings_new (const char *device_id, const char *const *tags);
void fd_readings_free (FdReadings *readings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdReadings, fd_readings_free)

/* Appends the payload (a JSON object) of tag number @tag at @t_ms (epoch milliseconds). */
void fd_readings_append (FdReadings *readings, guint tag, gint64 t_ms, GString *out);

/* Appends a batch array [{"ts": …, "payload": {…}}, …] of @k readings of tag @tag, the last
 * at @last_ms and each @step_ms after the one before. */
void fd_readings_append_batch (FdReadings *readings, guint tag, gint64 last_ms, gint64 step_ms,
                               guint k, GString *out);

/* Appends @v rounded to @decimals (0 to 3) places ("%.Nf"; a tie may round either way). */
void fd_readings_append_fixed (GString *out, double v, guint decimals);

G_END_DECLS
