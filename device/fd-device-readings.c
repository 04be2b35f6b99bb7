/* fd-device-readings.c — simulated sensors: a day's cycle compressed into an hour (so that a
 * demo of a few minutes shows it move), a random walk on top, and a little measurement noise. */
#include "fd-device-readings.h"

#include <math.h>
#include <string.h>

/* Periods of the slow cycles, in seconds. */
#define WEATHER_PERIOD_S 3600.0
#define PRESSURE_PERIOD_S 21600.0
#define LOAD_PERIOD_S 900.0

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

static void
append_int (GString *out, gint64 v)
{
  char buf[24];
  char *p = buf + sizeof buf;
  guint64 n = v < 0 ? -(guint64)v : (guint64)v;

  do
    *--p = (char)('0' + n % 10);
  while ((n /= 10) != 0);
  if (v < 0)
    *--p = '-';
  g_string_append_len (out, p, buf + sizeof buf - p);
}

/* printf's "%.Nf" at a fraction of its cost: the simulator writes hundreds of thousands of
 * these a second. */
void
fd_readings_append_fixed (GString *out, double v, guint decimals)
{
  static const double scale[] = { 1, 10, 100, 1000 };
  char buf[40];
  char *p = buf + sizeof buf;
  guint64 n;

  g_assert (decimals < G_N_ELEMENTS (scale));
  if (!isfinite (v) || fabs (v) >= 1e15)
    {
      g_string_append_c (out, '0'); /* never for these sensors; JSON has no inf or nan */
      return;
    }
  n = (guint64)llround (fabs (v) * scale[decimals]);
  for (guint i = 0; i < decimals; i++, n /= 10)
    *--p = (char)('0' + n % 10);
  if (decimals > 0)
    *--p = '.';
  do
    *--p = (char)('0' + n % 10);
  while ((n /= 10) != 0);
  if (v < 0 && llround (fabs (v) * scale[decimals]) != 0)
    *--p = '-';
  g_string_append_len (out, p, buf + sizeof buf - p);
}

void
fd_readings_append_batch (FdReadings *r, guint tag, gint64 last_ms, gint64 step_ms, guint k,
                          GString *out)
{
  g_string_append_c (out, '[');
  for (guint j = 0; j < k; j++)
    {
      gint64 t = last_ms - (gint64)(k - 1 - j) * step_ms;

      g_string_append (out, j ? ",{\"ts\":" : "{\"ts\":");
      append_int (out, t);
      g_string_append (out, ",\"payload\":");
      fd_readings_append (r, tag, t, out);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
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
        g_string_append (out, "{\"temp\":");
        fd_readings_append_fixed (out, temp, 2);
        g_string_append (out, ",\"hum\":");
        fd_readings_append_fixed (out, hum, 1);
        g_string_append (out, ",\"pressure\":");
        fd_readings_append_fixed (out, pressure, 1);
        g_string_append_c (out, '}');
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
        g_string_append (out, "{\"voltage\":");
        fd_readings_append_fixed (out, voltage, 2);
        g_string_append (out, ",\"current\":");
        fd_readings_append_fixed (out, current, 3);
        g_string_append (out, ",\"power\":");
        fd_readings_append_fixed (out, power, 1);
        g_string_append (out, ",\"energy\":");
        fd_readings_append_fixed (out, s->energy, 3);
        g_string_append_c (out, '}');
        break;
      }
    case SHAPE_VALUE:
      walk (r, s, 0.05, 5.0);
      g_string_append (out, "{\"value\":");
      fd_readings_append_fixed (
          out, 50.0 + 20.0 * cycle (t_ms, WEATHER_PERIOD_S, s->phase) + s->drift, 3);
      g_string_append_c (out, '}');
      break;
    }
}
