/* bench-payload.c — checking and flattening device payloads: fd_payload_scan() against json-glib.
 *
 * Builds three mixes of payloads like the ones devices publish (small telemetry objects of about
 * 100 bytes; the same objects pretty-printed; objects of a few KB with arrays), then times, on the
 * same bytes in the same process:
 *
 * - fd_payload_scan(): the check, the compact copy and the list of fields with their numbers;
 * - the peer: json_parser_load_from_data() on one reused JsonParser, then a walk of the tree that
 *   collects the same fields (dotted paths, types, numbers as doubles).
 *
 * Both sides are checked to find the same fields (paths, types and numbers) before timing. The
 * two are timed in alternation, round after round, their order swapped each round, so that a
 * shared machine's noise lands on both; the figure to compare across machines is the ratio.
 *
 * Run by hand: _build/bench/bench-payload [--rounds R] [--payloads N]. Not a test;
 * bench/README.md has the figures measured so far.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "ingest/fd-payload.h"

/* Each timed run lasts about this long: long enough for the clock, short enough to interleave. */
#define FD_BENCH_RUN_US 40000

typedef struct
{
  const char *label;
  GPtrArray *texts; /* GBytes */
  gsize bytes;      /* of all texts */
  GArray *fd_mbs;   /* double, one per round */
  GArray *peer_mbs;
  guint fd_passes; /* over the mix in one timed run */
  guint peer_passes;
} FdBenchMix;

/* ---- the payloads ------------------------------------------------------------------------------
 */

static char *
typical_payload (GRand *r)
{
  static const char *status[] = { "online", "idle", "charging", "fault" };

  switch (g_rand_int_range (r, 0, 5))
    {
    case 0:
      return g_strdup_printf ("{\"temp\":%.1f,\"hum\":%d,\"env\":{\"co2\":%d,\"ok\":%s}}",
                              g_rand_double_range (r, -20, 40), g_rand_int_range (r, 10, 100),
                              g_rand_int_range (r, 380, 2000),
                              g_rand_boolean (r) ? "true" : "false");
    case 1:
      return g_strdup_printf (
          "{\"device\":\"sensor-%03d\",\"status\":\"%s\",\"battery\":%d,\"rssi\":%d,"
          "\"gps\":{\"lat\":%.6f,\"lon\":%.6f,\"fix\":%s}}",
          g_rand_int_range (r, 0, 1000), status[g_rand_int_range (r, 0, 4)],
          g_rand_int_range (r, 0, 101), g_rand_int_range (r, -110, -30),
          g_rand_double_range (r, -90, 90), g_rand_double_range (r, -180, 180),
          g_rand_boolean (r) ? "true" : "false");
    case 2:
      return g_strdup_printf ("{\"seq\":%u,\"v\":[%.2f,%.2f,%.2f],\"err\":null,\"fw\":\"1.4.%d\"}",
                              g_rand_int (r), g_rand_double_range (r, 0, 5),
                              g_rand_double_range (r, 0, 5), g_rand_double_range (r, 0, 5),
                              g_rand_int_range (r, 0, 20));
    case 3:
      return g_strdup_printf ("{\"meter\":{\"kwh\":%.3f,\"v\":%.1f,\"a\":%.2f,\"pf\":%.2f},"
                              "\"local\":\"2026-11-27T10:%02d:%02dZ\",\"alarm\":false}",
                              g_rand_double_range (r, 0, 100000), g_rand_double_range (r, 220, 240),
                              g_rand_double_range (r, 0, 32), g_rand_double_range (r, 0.5, 1),
                              g_rand_int_range (r, 0, 60), g_rand_int_range (r, 0, 60));
    default:
      return g_strdup_printf ("{\"door\":{\"open\":%s,\"count\":%d},\"light\":%d,"
                              "\"note\":\"caf\\u00e9 \\\"north\\\" wing\",\"motion\":%s}",
                              g_rand_boolean (r) ? "true" : "false", g_rand_int_range (r, 0, 9999),
                              g_rand_int_range (r, 0, 1024), g_rand_boolean (r) ? "true" : "false");
    }
}

/* A few KB: many fields in nested objects, and arrays of samples. */
static char *
large_payload (GRand *r)
{
  GString *t = g_string_new ("{\"unit\":\"plant-7\",\"samples\":[");

  for (guint i = 0; i < 60; i++)
    g_string_append_printf (t, "%s%.3f", i ? "," : "", g_rand_double_range (r, -50, 50));
  g_string_append (t, "],\"lines\":{");
  for (guint l = 0; l < 6; l++)
    {
      g_string_append_printf (t, "%s\"line%u\":{\"state\":\"%s\",\"speed\":%d,\"temps\":{",
                              l ? "," : "", l, g_rand_boolean (r) ? "running" : "stopped",
                              g_rand_int_range (r, 0, 3000));
      for (guint k = 0; k < 8; k++)
        g_string_append_printf (t, "%s\"t%u\":%.2f", k ? "," : "", k,
                                g_rand_double_range (r, 10, 90));
      g_string_append (t, "},\"flags\":[true,false,null]}");
    }
  g_string_append_printf (
      t, "},\"msg\":\"%s\"}",
      "line 3: pressure \\u2191 over 4.2 bar, \\\"check valve\\\" (ticket 7731)");
  return g_string_free (t, FALSE);
}

/* @text pretty-printed, two spaces per level, its tokens kept as written (json-glib's generator
 * would also rewrite 0.61 as 0.60999999999999999). */
static char *
indent (const char *text)
{
  GString *out = g_string_new (NULL);
  gboolean in_string = FALSE;
  guint depth = 0;

  for (const char *p = text; *p; p++)
    {
      if (in_string)
        {
          g_string_append_c (out, *p);
          if (*p == '\\')
            g_string_append_c (out, *++p);
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }
      switch (*p)
        {
        case '{':
        case '[':
          g_string_append_c (out, *p);
          if (p[1] != '}' && p[1] != ']')
            g_string_append_printf (out, "\n%*s", 2 * ++depth, "");
          else
            g_string_append_c (out, *++p);
          break;
        case '}':
        case ']':
          g_string_append_printf (out, "\n%*s%c", 2 * --depth, "", *p);
          break;
        case ',':
          g_string_append_printf (out, ",\n%*s", 2 * depth, "");
          break;
        case ':':
          g_string_append (out, ": ");
          break;
        default:
          in_string = *p == '"';
          g_string_append_c (out, *p);
        }
    }
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

static void
mix_add (FdBenchMix *mix, char *text)
{
  gsize len = strlen (text);

  g_ptr_array_add (mix->texts, g_bytes_new_take (text, len));
  mix->bytes += len;
}

/* ---- the two sides -----------------------------------------------------------------------------
 */

typedef struct
{
  guint fields;
  double sum;       /* of the numbers: the work is used, and both sides are compared */
  GPtrArray *paths; /* when not NULL: "path:type=number" of every field */
} FdBenchTally;

static void
tally (FdBenchTally *t, const char *path, const char *type, double number)
{
  t->fields++;
  t->sum += number;
  if (t->paths != NULL)
    g_ptr_array_add (t->paths, g_strdup_printf ("%s:%s=%.17g", path, type, number));
}

static gboolean
fd_side (FdPayloadScanner *s, GBytes *text, FdBenchTally *t)
{
  gsize len;
  const char *data = g_bytes_get_data (text, &len);

  if (!fd_payload_scan (s, data, len, NULL))
    return FALSE;
  for (guint i = 0; i < fd_payload_n_fields (s); i++)
    {
      const FdPayloadField *f = fd_payload_field (s, i);
      tally (t, f->path, fd_field_type_name (f->type), f->type == FD_FIELD_NUMBER ? f->number : 0);
    }
  return TRUE;
}

static void
peer_walk (JsonObject *o, GString *path, FdBenchTally *t)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *n;
  gsize base = path->len;

  json_object_iter_init (&iter, o);
  while (json_object_iter_next (&iter, &name, &n))
    {
      g_string_truncate (path, base);
      if (base > 0)
        g_string_append_c (path, '.');
      g_string_append (path, name);
      switch (json_node_get_node_type (n))
        {
        case JSON_NODE_OBJECT:
          if (json_object_get_size (json_node_get_object (n)) > 0)
            peer_walk (json_node_get_object (n), path, t);
          else
            tally (t, path->str, "object", 0);
          break;
        case JSON_NODE_ARRAY:
          tally (t, path->str, "array", 0);
          break;
        case JSON_NODE_NULL:
          tally (t, path->str, "null", 0);
          break;
        case JSON_NODE_VALUE:
          switch (json_node_get_value_type (n))
            {
            case G_TYPE_BOOLEAN:
              tally (t, path->str, "boolean", 0);
              break;
            case G_TYPE_STRING:
              tally (t, path->str, "string", 0);
              break;
            default:
              tally (t, path->str, "number", json_node_get_double (n));
              break;
            }
          break;
        }
    }
  g_string_truncate (path, base);
}

static gboolean
peer_side (JsonParser *parser, GString *path, GBytes *text, FdBenchTally *t)
{
  gsize len;
  const char *data = g_bytes_get_data (text, &len);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, len, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;
  g_string_truncate (path, 0);
  peer_walk (json_node_get_object (root), path, t);
  return TRUE;
}

static int
cmp_string (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* Both sides find the same fields in every payload of @mix (json-glib 1.6 walks an object's
 * members in no defined order: the fields are compared sorted). */
static void
check_same (FdBenchMix *mix, FdPayloadScanner *s, JsonParser *parser, GString *path)
{
  for (guint i = 0; i < mix->texts->len; i++)
    {
      FdBenchTally a = { 0, 0, g_ptr_array_new_with_free_func (g_free) };
      FdBenchTally b = { 0, 0, g_ptr_array_new_with_free_func (g_free) };

      if (!fd_side (s, mix->texts->pdata[i], &a)
          || !peer_side (parser, path, mix->texts->pdata[i], &b))
        g_error ("%s: payload %u is refused", mix->label, i);
      g_ptr_array_sort (a.paths, cmp_string);
      g_ptr_array_sort (b.paths, cmp_string);
      if (a.paths->len != b.paths->len)
        g_error ("%s: payload %u: %u fields, json-glib %u", mix->label, i, a.paths->len,
                 b.paths->len);
      for (guint k = 0; k < a.paths->len; k++)
        if (strcmp (a.paths->pdata[k], b.paths->pdata[k]) != 0)
          g_error ("%s: payload %u: %s, json-glib %s", mix->label, i, (char *)a.paths->pdata[k],
                   (char *)b.paths->pdata[k]);
      g_ptr_array_unref (a.paths);
      g_ptr_array_unref (b.paths);
    }
}

/* Passes over the whole mix that take about FD_BENCH_RUN_US. */
static guint
calibrate (FdBenchMix *mix, gboolean fd, FdPayloadScanner *s, JsonParser *parser, GString *path)
{
  FdBenchTally t = { 0 };
  gint64 start = g_get_monotonic_time (), spent;

  for (guint i = 0; i < mix->texts->len; i++)
    if (fd)
      fd_side (s, mix->texts->pdata[i], &t);
    else
      peer_side (parser, path, mix->texts->pdata[i], &t);
  spent = MAX (g_get_monotonic_time () - start, 1);
  return MAX (1, FD_BENCH_RUN_US / spent);
}

/* MB/s of one timed run of @passes over the mix. */
static double
timed_run (FdBenchMix *mix, gboolean fd, guint passes, FdPayloadScanner *s, JsonParser *parser,
           GString *path, double *sink)
{
  FdBenchTally t = { 0 };
  gint64 start = g_get_monotonic_time (), spent;

  for (guint p = 0; p < passes; p++)
    for (guint i = 0; i < mix->texts->len; i++)
      if (fd)
        fd_side (s, mix->texts->pdata[i], &t);
      else
        peer_side (parser, path, mix->texts->pdata[i], &t);
  spent = MAX (g_get_monotonic_time () - start, 1);
  *sink += t.sum;
  return (double)mix->bytes * passes / spent; /* bytes per µs = MB/s */
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, cmp_double);
  return g_array_index (values, double, values->len / 2);
}

int
main (int argc, char **argv)
{
  int rounds = 21, payloads = 2000;
  GOptionEntry entries[] = {
    { "rounds", 'r', 0, G_OPTION_ARG_INT, &rounds, "Timed rounds per mix (default 21)", "R" },
    { "payloads", 'n', 0, G_OPTION_ARG_INT, &payloads, "Payloads per mix (default 2000)", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— fd_payload_scan against json-glib");
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (100);
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GString) path = g_string_new (NULL);
  FdBenchMix mixes[] = {
    { "typical, compact" },
    { "typical, indented" },
    { "large, compact" },
  };
  double sink = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || rounds < 1 || payloads < 1)
    {
      g_printerr ("%s\n", error ? error->message : "--rounds and --payloads must be positive");
      return 2;
    }

  for (guint m = 0; m < G_N_ELEMENTS (mixes); m++)
    {
      mixes[m].texts = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
      mixes[m].fd_mbs = g_array_new (FALSE, FALSE, sizeof (double));
      mixes[m].peer_mbs = g_array_new (FALSE, FALSE, sizeof (double));
    }
  for (int i = 0; i < payloads; i++)
    {
      g_autofree char *text = typical_payload (rand);
      mix_add (&mixes[0], g_strdup (text));
      mix_add (&mixes[1], indent (text));
    }
  for (int i = 0; i < MAX (payloads / 20, 1); i++)
    mix_add (&mixes[2], large_payload (rand));

  g_print ("%-18s %8s %9s  %22s  %22s  %7s\n", "", "", "", "fd_payload_scan",
           "json-glib parse+walk", "");
  g_print ("%-18s %8s %9s  %10s %11s  %10s %11s  %7s\n", "payload mix", "payloads", "avg bytes",
           "MB/s", "ns/payload", "MB/s", "ns/payload", "ratio");
  for (guint m = 0; m < G_N_ELEMENTS (mixes); m++)
    {
      check_same (&mixes[m], s, parser, path);
      mixes[m].fd_passes = calibrate (&mixes[m], TRUE, s, parser, path);
      mixes[m].peer_passes = calibrate (&mixes[m], FALSE, s, parser, path);
    }
  /* every round times every mix, both sides, the order of the sides swapped each round */
  for (int r = 0; r < rounds; r++)
    for (guint m = 0; m < G_N_ELEMENTS (mixes); m++)
      {
        FdBenchMix *mix = &mixes[m];
        gboolean fd_first = r % 2 == 0;
        double a, b, ours, theirs;

        a = timed_run (mix, fd_first, fd_first ? mix->fd_passes : mix->peer_passes, s, parser, path,
                       &sink);
        b = timed_run (mix, !fd_first, fd_first ? mix->peer_passes : mix->fd_passes, s, parser,
                       path, &sink);
        ours = fd_first ? a : b;
        theirs = fd_first ? b : a;
        g_array_append_val (mix->fd_mbs, ours);
        g_array_append_val (mix->peer_mbs, theirs);
      }
  for (guint m = 0; m < G_N_ELEMENTS (mixes); m++)
    {
      FdBenchMix *mix = &mixes[m];
      double avg = (double)mix->bytes / mix->texts->len;
      double fd = median (mix->fd_mbs), peer = median (mix->peer_mbs);

      g_print ("%-18s %8u %9.0f  %10.1f %11.0f  %10.1f %11.0f  %6.1fx\n", mix->label,
               mix->texts->len, avg, fd, avg * 1000 / fd, peer, avg * 1000 / peer, fd / peer);
    }
  g_print ("(medians of %d rounds; ratio = fd MB/s / json-glib MB/s; checksum %g)\n", rounds, sink);

  for (guint m = 0; m < G_N_ELEMENTS (mixes); m++)
    {
      g_ptr_array_unref (mixes[m].texts);
      g_array_unref (mixes[m].fd_mbs);
      g_array_unref (mixes[m].peer_mbs);
    }
  return 0;
}
