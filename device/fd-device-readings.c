/* fd-device-readings.c — simulated sensors: a slow daily-like cycle (minutes, so that a demo
 * shows it), a random walk on top, and a little measurement noise. */
#include "fd-device-readings.h"

#include <math.h>
#include <string.h>

/* Periods of the slow cycles, in seconds. */
#define WEATHER_PERIOD_S 600.0
#define PRESSURE_PERIOD_S 1800.0
#define LOAD_PERIOD_S 300.0

typedef enum
{
  SHAPE_WEATHER,
  SHAPE_POWER,
  SHAPE_VALUE,
} Shape;

typedef struct
{
  Shape shape;
  double phase;   /* radians */
  double drift;   /* random walk, bounded */
  double energy;  /* power: the counter, Wh */
  gint64 last_ms; /* power: time of the previous reading, for the counter */
} Sensor;

struct _FdReadings
{
  GRand *rand;
  Sensor *sensors;
  guint n;
};

FdReadings *
fd_readings_new (const char *device_id, const char *const *tags)
{
  FdReadings *r = g_new0 (FdReadings, 1);

  r->rand = g_rand_new_with_seed (g_str_hash (device_id));
  r->n = tags ? g_strv_length ((char **)tags) : 0;
  r->sensors = g_new0 (Sensor, MAX (r->n, 1));
  for (guint i = 0; i < r->n; i++)
    {
      Sensor *s = &r->sensors[i];
      s->shape = g_str_equal (tags[i], "weather") ? SHAPE_WEATHER
                 : g_str_equal (tags[i], "power") ? SHAPE_POWER
                                                  : SHAPE_VALUE;
      s->phase = g_rand_double_range (r->rand, 0, 2 * G_PI);
      s->energy = g_rand_double_range (r->rand, 1000, 50000);
    }
  return r;
}

void
fd_readings_free (FdReadings *readings)
{
  if (readings == NULL)
    return;
  g_rand_free (readings->rand);
  g_free (readings->sensors);
  g_free (readings);
}

/* Roughly normal noise (the sum of three uniforms), cheap and bounded. */
static double
noise (FdReadings *r, double scale)
{
  double sum = g_rand_double (r->rand) + g_rand_double (r->rand) + g_rand_double (r->rand);
  return (sum - 1.5) * scale;
}

static void
walk (FdReadings *r, Sensor *s, double step, double bound)
{
  s->drift = CLAMP (s->drift + noise (r, step), -bound, bound);
}

static double
cycle (gint64 t_ms, double period_s, double phase)
{
  return sin (2 * G_PI * ((double)t_ms / 1000.0) / period_s + phase);
}

void
fd_readings_append (FdReadings *r, guint tag, gint64 t_ms, GString *out)
{
  Sensor *s;

  g_return_if_fail (tag < r->n);
  s = &r->sensors[tag];
  switch (s->shape)
    {
    case SHAPE_WEATHER:
      {
        double c = cycle (t_ms, WEATHER_PERIOD_S, s->phase);
        double temp, hum, pressure;

        walk (r, s, 0.05, 2.0);
        temp = 18.0 + 6.0 * c + s->drift + noise (r, 0.1);
        hum = CLAMP (55.0 - 15.0 * c - 2.0 * s->drift + noise (r, 0.5), 5.0, 100.0);
        pressure = 1013.0 + 4.0 * cycle (t_ms, PRESSURE_PERIOD_S, s->phase * 0.5) + noise (r, 0.2);
        g_string_append_printf (out, "{\"temp\":%.2f,\"hum\":%.1f,\"pressure\":%.1f}", temp, hum,
                                pressure);
        break;
      }
    case SHAPE_POWER:
      {
        double load = cycle (t_ms, LOAD_PERIOD_S, s->phase);
        double voltage, current, power;

        walk (r, s, 0.02, 0.8);
        voltage = 230.0 + 2.0 * cycle (t_ms, WEATHER_PERIOD_S, s->phase) + noise (r, 0.3);
        current = MAX (0.0, 3.0 + 2.0 * load + s->drift + noise (r, 0.05));
        power = voltage * current * 0.95;
        if (s->last_ms != 0 && t_ms > s->last_ms)
          s->energy += power * (double)(t_ms - s->last_ms) / 3.6e6;
        s->last_ms = t_ms;
        g_string_append_printf (out,
                                "{\"voltage\":%.2f,\"current\":%.3f,\"power\":%.1f,"
                                "\"energy\":%.3f}",
                                voltage, current, power, s->energy);
        break;
      }
    case SHAPE_VALUE:
      walk (r, s, 0.05, 5.0);
      g_string_append_printf (out, "{\"value\":%.3f}",
                              50.0 + 20.0 * cycle (t_ms, WEATHER_PERIOD_S, s->phase) + s->drift);
      break;
    }
}
