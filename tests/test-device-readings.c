/* test-device-readings.c — what the simulator sends and how it counts: every reading is a
 * JSON object of plausible values that change slowly, the energy counter only grows, batches
 * carry their times in order, numbers are written as printf would, and the latency histogram's
 * percentiles are within its stated error.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "fd-device-readings.h"
#include "fd-device-stats.h"

static JsonObject *
parse_object (const char *text, JsonNode **keep)
{
  g_autoptr (GError) error = NULL;

  *keep = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*keep));
  return json_node_get_object (*keep);
}

static void
test_shapes (void)
{
  const char *const tags[] = { "weather", "power", "vibration", NULL };
  g_autoptr (FdReadings) r = fd_readings_new ("dev-aaaaaaaaaaaaaaaaaaaa", tags);
  gint64 t0 = 1767225600000; /* 2026-01-01 */
  double last_temp = NAN, last_energy = -1;

  /* Six hours of readings, one every 10 s. */
  for (guint i = 0; i < 6 * 360; i++)
    {
      gint64 t = t0 + (gint64)i * 10000;
      g_autoptr (GString) w = g_string_new (NULL), p = g_string_new (NULL), v = g_string_new (NULL);
      g_autoptr (JsonNode) wn = NULL, pn = NULL, vn = NULL;
      JsonObject *wo, *po, *vo;
      double temp, hum, pressure, voltage, current, power, energy;

      fd_readings_append (r, 0, t, w);
      fd_readings_append (r, 1, t, p);
      fd_readings_append (r, 2, t, v);
      wo = parse_object (w->str, &wn);
      po = parse_object (p->str, &pn);
      vo = parse_object (v->str, &vn);
      g_assert_cmpuint (json_object_get_size (wo), ==, 3);
      g_assert_cmpuint (json_object_get_size (po), ==, 4);
      g_assert_cmpuint (json_object_get_size (vo), ==, 1);
      temp = json_object_get_double_member (wo, "temp");
      hum = json_object_get_double_member (wo, "hum");
      pressure = json_object_get_double_member (wo, "pressure");
      voltage = json_object_get_double_member (po, "voltage");
      current = json_object_get_double_member (po, "current");
      power = json_object_get_double_member (po, "power");
      energy = json_object_get_double_member (po, "energy");
      g_assert_true (json_object_has_member (vo, "value"));

      g_assert_cmpfloat (temp, >, 5);
      g_assert_cmpfloat (temp, <, 32);
      g_assert_cmpfloat (hum, >=, 5);
      g_assert_cmpfloat (hum, <=, 100);
      g_assert_cmpfloat (fabs (pressure - 1013), <, 8);
      g_assert_cmpfloat (fabs (voltage - 230), <, 5);
      g_assert_cmpfloat (current, >=, 0);
      g_assert_cmpfloat (fabs (power - voltage * current * 0.95), <, 2);
      /* Slowly: 10 s change the temperature by little, and the counter never goes down. */
      if (!isnan (last_temp))
        g_assert_cmpfloat (fabs (temp - last_temp), <, 0.6);
      g_assert_cmpfloat (energy, >=, last_energy);
      last_temp = temp;
      last_energy = energy;
    }
}

static void
test_devices_differ (void)
{
  const char *const tags[] = { "weather", NULL };
  g_autoptr (FdReadings) a = fd_readings_new ("dev-aaaaaaaaaaaaaaaaaaaa", tags);
  g_autoptr (FdReadings) b = fd_readings_new ("dev-bbbbbbbbbbbbbbbbbbbb", tags);
  g_autoptr (FdReadings) a2 = fd_readings_new ("dev-aaaaaaaaaaaaaaaaaaaa", tags);
  g_autoptr (GString) sa = g_string_new (NULL), sb = g_string_new (NULL), sa2 = g_string_new (NULL);

  fd_readings_append (a, 0, 1767225600000, sa);
  fd_readings_append (b, 0, 1767225600000, sb);
  fd_readings_append (a2, 0, 1767225600000, sa2);
  g_assert_cmpstr (sa->str, !=, sb->str);
  /* ... and a device is the same device on every run. */
  g_assert_cmpstr (sa->str, ==, sa2->str);
}

static void
test_batch (void)
{
  const char *const tags[] = { "power", NULL };
  g_autoptr (FdReadings) r = fd_readings_new ("dev-aaaaaaaaaaaaaaaaaaaa", tags);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *items;

  fd_readings_append_batch (r, 0, 1767225600000, 250, 5, out);
  node = json_from_string (out->str, &error);
  g_assert_no_error (error);
  items = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (items), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      g_assert_cmpuint (json_object_get_size (item), ==, 2);
      g_assert_cmpint (json_object_get_int_member (item, "ts"), ==,
                       1767225600000 - (gint64)(4 - i) * 250);
      g_assert_nonnull (json_object_get_object_member (item, "payload"));
    }
}

static void
test_fixed (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  static const double edge[] = { 0,      -0.0,    0.0004,  -0.0004, -0.0006,       0.5,  1,
                                 9.9996, -9.9996, 1013.25, 230,     123456789.123, -1e-9 };
  guint differ = 0, n = 200000;

  for (guint i = 0; i < n + G_N_ELEMENTS (edge); i++)
    {
      double v = i < G_N_ELEMENTS (edge) ? edge[i] : g_rand_double_range (rand, -2000, 60000);
      guint d = i % 4;
      g_autoptr (GString) ours = g_string_new (NULL);
      char theirs[64];
      double back;

      fd_readings_append_fixed (ours, v, d);
      g_snprintf (theirs, sizeof theirs, "%.*f", (int)d, v);
      /* JSON's number grammar: no "-0" trouble, no "+", digits around the point. */
      g_assert_true (g_regex_match_simple ("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$", ours->str, 0, 0));
      back = g_ascii_strtod (ours->str, NULL);
      g_assert_cmpfloat (fabs (back - v), <=, 0.5 * pow (10, -(double)d) + 1e-9 * fabs (v) + 1e-12);
      /* printf writes "-0.00" for a small negative number; JSON readers take either. */
      if (strcmp (ours->str, theirs) != 0 && strspn (theirs, "-0.") != strlen (theirs))
        differ++;
    }
  /* Only exact ties may round the other way. */
  g_assert_cmpuint (differ, <, n / 1000);
}

static void
test_histogram (void)
{
  FdStats *s = g_new0 (FdStats, 1), *t = g_new0 (FdStats, 1);

  g_assert_cmpfloat (fd_stats_latency_ms (s, 0.5), ==, 0);
  /* 1 µs … 100 ms, evenly. */
  for (gint64 us = 1; us <= 100000; us++)
    fd_stats_add_latency (s, us);
  g_assert_cmpfloat (fabs (fd_stats_latency_ms (s, 0.5) - 50.0) / 50.0, <, 0.016);
  g_assert_cmpfloat (fabs (fd_stats_latency_ms (s, 0.99) - 99.0) / 99.0, <, 0.016);
  g_assert_cmpfloat (fd_stats_latency_ms (s, 1.0), <=, 100.0);
  g_assert_cmpuint (s->latency_max_us, ==, 100000);
  /* Small values are exact. */
  fd_stats_clear (t);
  for (guint i = 0; i < 10; i++)
    fd_stats_add_latency (t, 42);
  g_assert_cmpfloat (fd_stats_latency_ms (t, 0.5), ==, 0.042);

  fd_stats_add_status (t, 429);
  fd_stats_add_status (t, 429);
  fd_stats_add_status (t, 503);
  t->acked = 10;
  fd_stats_merge (s, t);
  g_assert_cmpuint (s->refused, ==, 3);
  g_assert_cmpuint (s->acked, ==, 10);
  {
    g_autofree char *text = fd_stats_format_refused (s);
    g_assert_cmpstr (text, ==, "429: 2, 503: 1");
  }
  g_free (s);
  g_free (t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-readings/shapes", test_shapes);
  g_test_add_func ("/device-readings/devices-differ", test_devices_differ);
  g_test_add_func ("/device-readings/batch", test_batch);
  g_test_add_func ("/device-readings/fixed", test_fixed);
  g_test_add_func ("/device-readings/histogram", test_histogram);
  return g_test_run ();
}
