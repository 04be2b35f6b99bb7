/* test-api-query.c — reading time series back through the operator API of a real
 * fleetdesk-server: devices post batches with their own times over HTTPS (out of order, late
 * after compactions, across fleets, at bucket edges); every aggregate function, bucket and
 * grouping is compared with the same computation done here on what was sent, and raw pages,
 * field selections, filters, chart series and every bad input are checked as a user sees them.
 */
#include "fd-test-query.h"

#include <sqlite3.h>
#include <string.h>

typedef struct
{
  JsonArray *result;
  guint i;
  const char *group;
  gint64 width;
  const char *what;
  gboolean first_last;
} Walk;

static gboolean
check_item (gpointer key, gpointer value, gpointer data)
{
  Walk *w = data;
  const FdTqAcc *a = value;
  const char *bar = strchr (key, '|');
  g_autofree char *gkey = g_strndup (key, bar - (const char *)key);
  gint64 bucket = g_ascii_strtoll (bar + 1, NULL, 10);
  JsonObject *o;

  if (w->i >= json_array_get_length (w->result))
    g_error ("%s: only %u items, expected more (next %s)", w->what, w->i, (const char *)key);
  o = json_array_get_object_element (w->result, w->i++);
  if (g_str_equal (w->group, "device") || g_str_equal (w->group, "fleet"))
    {
      const char *member = g_str_equal (w->group, "device") ? "device_id" : "fleet_id";
      g_assert_cmpstr (json_object_get_string_member (o, member), ==, gkey);
    }
  else
    {
      g_assert_false (json_object_has_member (o, "device_id"));
      g_assert_false (json_object_has_member (o, "fleet_id"));
    }
  if (w->width)
    {
      g_autofree char *b = fd_tq_iso (bucket);
      g_assert_cmpstr (json_object_get_string_member (o, "bucket"), ==, b);
    }
  else
    g_assert_false (json_object_has_member (o, "bucket"));
  if (json_object_get_int_member (o, "count") != a->n)
    g_error ("%s item %u (%s): count %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT, w->what,
             w->i - 1, (const char *)key, json_object_get_int_member (o, "count"), a->n);
  assert_15_digits (fd_tq_num (o, "sum"), a->sum);
  assert_15_digits (fd_tq_num (o, "avg"), a->sum / (double)a->n);
  assert_15_digits (fd_tq_num (o, "min"), a->min);
  assert_15_digits (fd_tq_num (o, "max"), a->max);
  if (!json_object_has_member (o, "first") && !w->first_last)
    return FALSE; /* not asked for */
  if (fabs (fd_tq_num (o, "first") - a->first) > 1e-14 * fabs (a->first)
      || fabs (fd_tq_num (o, "last") - a->last) > 1e-14 * fabs (a->last))
    g_error ("%s item %u (%s): first/last %g/%g, expected %g/%g", w->what, w->i - 1,
             (const char *)key, fd_tq_num (o, "first"), fd_tq_num (o, "last"), a->first, a->last);
  return FALSE;
}

static void
check_aggregate_fns (const char *fns, const char *bucket, gint64 width, const char *group,
                     const char *start_text, gint64 start, const char *end_text, gint64 end)
{
  g_autofree char *s = start_text ? fd_tq_esc (start_text) : NULL;
  g_autofree char *e = end_text ? fd_tq_esc (end_text) : NULL;
  g_autofree char *query = g_strdup_printf (
      "/aggregate?tag=temp&field=v&fn=%s&bucket=%s&group=%s%s%s%s%s", fns, bucket, group,
      s ? "&start=" : "", s ? s : "", e ? "&end=" : "", e ? e : "");
  g_autoptr (JsonNode) node = fd_tq_get (query, 200);
  g_autoptr (GTree) expected = fd_tq_expected_buckets (start, end, width, group, NULL);
  Walk w = { .result = fd_tq_result_of (node),
             .group = group,
             .width = width,
             .what = query,
             .first_last = strstr (fns, "first") != NULL };

  g_tree_foreach (expected, check_item, &w);
  g_assert_cmpuint (w.i, ==, json_array_get_length (w.result));
}

static void
check_aggregate (const char *bucket, gint64 width, const char *group, const char *start_text,
                 gint64 start, const char *end_text, gint64 end)
{
  check_aggregate_fns ("avg,min,max,sum,count,first,last", bucket, width, group, start_text, start,
                       end_text, end);
}

static void
test_aggregates (void)
{
  static const struct
  {
    const char *name;
    gint64 width;
  } buckets[] = {
    { "none", 0 }, { "1m", MIN_MS }, { "5m", 5 * MIN_MS }, { "1h", HOUR_MS }, { "1d", DAY_MS }
  };
  static const char *const groups[] = { "none", "device", "fleet" };
  gint64 us = US, ue = UE;
  g_autofree char *t0 = fd_tq_iso (T0), *t2 = fd_tq_iso (T0 + 2 * DAY_MS),
                  *us_text = fd_tq_iso (us);
  g_autofree char *ue_ms = g_strdup_printf ("%" G_GINT64_FORMAT, ue);
  g_autofree char *empty_s = fd_tq_iso (T0 + 10 * DAY_MS), *empty_e = fd_tq_iso (T0 + 11 * DAY_MS);
  /* the unaligned start again, as 02:37:13.005+02:00 */
  const char *us_tz = "2026-11-27T02:37:13.005+02:00";

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      check_aggregate ("none", 0, groups[g], NULL, 0, NULL, G_MAXINT64);
      for (guint b = 0; b < G_N_ELEMENTS (buckets); b++)
        {
          check_aggregate (buckets[b].name, buckets[b].width, groups[g], t0, T0, t2,
                           T0 + 2 * DAY_MS);
          check_aggregate (buckets[b].name, buckets[b].width, groups[g], us_text, us, ue_ms, ue);
          /* without first / last the rollups are read in fewer columns */
          check_aggregate_fns ("sum,count,avg,min,max", buckets[b].name, buckets[b].width,
                               groups[g], us_text, us, ue_ms, ue);
          check_aggregate (buckets[b].name, buckets[b].width, groups[g], us_tz, us, t2,
                           T0 + 2 * DAY_MS);
          check_aggregate (buckets[b].name, buckets[b].width, groups[g], empty_s, T0 + 10 * DAY_MS,
                           empty_e, T0 + 11 * DAY_MS);
        }
    }

  /* only the fns asked for; a device and a fleet narrow the selection */
  {
    g_autofree char *q = g_strdup_printf ("/aggregate?tag=temp&field=v&fn=max&device=%s&start=%s"
                                          "&end=%s",
                                          fd_tq_devs[1]->id, t0, t2);
    g_autoptr (JsonNode) node = fd_tq_get (q, 200);
    const char *const only[] = { fd_tq_devs[1]->id, NULL };
    g_autoptr (GTree) expected = fd_tq_expected_buckets (T0, T0 + 2 * DAY_MS, 0, "none", only);
    JsonObject *o = json_array_get_object_element (fd_tq_result_of (node), 0);
    FdTqAcc *a = g_tree_lookup (expected, "|00000000000000000000");

    g_assert_nonnull (a);
    assert_15_digits (fd_tq_num (o, "max"), a->max);
    g_assert_false (json_object_has_member (o, "min"));
    g_assert_false (json_object_has_member (o, "avg"));
  }
  {
    g_autofree char *q = g_strdup_printf (
        "/aggregate?tag=temp&field=v&fn=count&fleet=%s&group=fleet", fd_tq_fleet_b);
    g_autoptr (JsonNode) node = fd_tq_get (q, 200);
    JsonArray *r = fd_tq_result_of (node);
    gint64 n = 0;

    for (guint i = 0; i < fd_tq_sent->len; i++)
      n += g_array_index (fd_tq_sent, FdTqReading, i).fleet == fd_tq_fleet_b;
    g_assert_cmpuint (json_array_get_length (r), ==, 1);
    g_assert_cmpstr (
        json_object_get_string_member (json_array_get_object_element (r, 0), "fleet_id"), ==,
        fd_tq_fleet_b);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (r, 0), "count"), ==,
                     n);
  }
}

/* ---- raw rows ---- */

static int
by_time (gconstpointer a, gconstpointer b)
{
  const FdTqReading *x = a, *y = b;

  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The "n" of each row of @result, appended to @into. */
static void
seqs_of (JsonArray *result, GArray *into)
{
  for (guint i = 0; i < json_array_get_length (result); i++)
    {
      JsonObject *row = json_array_get_object_element (result, i);
      JsonObject *payload = json_object_get_object_member (row, "payload");
      guint n = (guint)json_object_get_int_member (payload, "n");
      const FdTqReading *r = &g_array_index (fd_tq_sent, FdTqReading, n);
      g_autofree char *ts = fd_tq_iso (r->ts);

      g_assert_cmpstr (json_object_get_string_member (row, "timestamp_device"), ==, ts);
      fd_t_assert_time (json_object_get_string_member (row, "timestamp_in"));
      g_assert_cmpstr (json_object_get_string_member (row, "device_id"), ==,
                       fd_tq_devs[r->dev]->id);
      g_assert_cmpstr (json_object_get_string_member (row, "fleet_id"), ==, r->fleet);
      g_assert_cmpstr (json_object_get_string_member (row, "tag"), ==, "temp");
      g_assert_cmpfloat (json_object_get_double_member (payload, "v"), ==, r->v);
      g_array_append_val (into, n);
    }
}

/* The seqs of the readings in [start, end) passing @keep, in time order (reversed: @desc). */
static GArray *
expected_rows (gint64 start, gint64 end, gboolean desc, gboolean (*keep) (const FdTqReading *))
{
  g_autoptr (GArray) sorted = g_array_copy (fd_tq_sent);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (guint));

  g_array_sort (sorted, by_time);
  for (guint i = 0; i < sorted->len; i++)
    {
      const FdTqReading *r = &g_array_index (sorted, FdTqReading, desc ? sorted->len - 1 - i : i);
      if (r->ts >= start && r->ts < end && (keep == NULL || keep (r)))
        g_array_append_val (out, r->seq);
    }
  return out;
}

static void
assert_same (GArray *got, GArray *want, const char *what)
{
  if (got->len != want->len)
    g_error ("%s: %u rows, expected %u", what, got->len, want->len);
  for (guint i = 0; i < got->len; i++)
    if (g_array_index (got, guint, i) != g_array_index (want, guint, i))
      g_error ("%s: row %u is reading %u, expected %u", what, i, g_array_index (got, guint, i),
               g_array_index (want, guint, i));
}

/* Pages of @size through @query (sort and selection), concatenated. */
static GArray *
all_pages (const char *query, gint64 size)
{
  GArray *got = g_array_new (FALSE, FALSE, sizeof (guint));
  gboolean more = TRUE;

  for (gint64 from = 0; more; from += size)
    {
      g_autofree char *q = g_strdup_printf ("?%s&from=%" G_GINT64_FORMAT "&size=%" G_GINT64_FORMAT,
                                            query, from, size);
      g_autoptr (JsonNode) node = fd_tq_get (q, 200);

      g_assert_cmpint (fd_t_int (node, "from"), ==, from);
      g_assert_cmpint (fd_t_int (node, "size"), ==, size);
      more = fd_t_bool (node, "has_more");
      g_assert_cmpuint (json_array_get_length (fd_tq_result_of (node)), <=, size);
      if (more)
        g_assert_cmpuint (json_array_get_length (fd_tq_result_of (node)), ==, size);
      seqs_of (fd_tq_result_of (node), got);
    }
  return got;
}

static gboolean
keep_d0_d2 (const FdTqReading *r)
{
  return r->dev != 1;
}

static gboolean
keep_fleet_b (const FdTqReading *r)
{
  return r->fleet == fd_tq_fleet_b;
}

static gboolean
keep_band (const FdTqReading *r)
{
  return r->v >= 10 && r->v < 20;
}

static gboolean
keep_d1_positive (const FdTqReading *r)
{
  return r->dev == 1 && r->v > 0;
}

static void
test_raw (void)
{
  g_autoptr (GArray) asc = expected_rows (0, G_MAXINT64, FALSE, NULL);
  g_autoptr (GArray) desc = expected_rows (0, G_MAXINT64, TRUE, NULL);
  g_autofree char *devq
      = g_strdup_printf ("device=%s&device=%s", fd_tq_devs[0]->id, fd_tq_devs[2]->id);
  g_autofree char *fleetq = g_strdup_printf ("fleet=%s", fd_tq_fleet_b);
  gint64 us = T0 + 37 * MIN_MS + 13005, ue = T0 + DAY_MS + 5 * HOUR_MS;

  {
    g_autoptr (GArray) got = all_pages ("sort=timestamp_device", 1000);
    assert_same (got, asc, "all rows, ascending");
  }
  {
    g_autoptr (GArray) got = all_pages ("tag=temp", 175000); /* default: newest first */
    assert_same (got, desc, "all rows, descending");
  }
  {
    g_autoptr (GArray) got = all_pages ("sort=timestamp_device&tag=temp", 37);
    assert_same (got, asc, "pages of 37, ascending");
  }
  {
    g_autoptr (GArray) got = all_pages ("sort=-timestamp_device", 50);
    assert_same (got, desc, "pages of 50, descending");
  }
  {
    g_autoptr (GArray) want = expected_rows (0, G_MAXINT64, FALSE, keep_d0_d2);
    g_autofree char *q = g_strdup_printf ("sort=timestamp_device&%s", devq);
    g_autoptr (GArray) got = all_pages (q, 23);
    assert_same (got, want, "two devices");
  }
  {
    g_autoptr (GArray) want = expected_rows (0, G_MAXINT64, TRUE, keep_fleet_b);
    g_autoptr (GArray) got = all_pages (fleetq, 1000);
    g_assert_cmpuint (want->len, >, 0);
    assert_same (got, want, "one fleet");
  }
  {
    /* a range given with an offset and in epoch ms */
    g_autofree char *s = fd_tq_esc ("2026-11-27T02:37:13.005+02:00");
    g_autofree char *q
        = g_strdup_printf ("sort=timestamp_device&start=%s&end=%" G_GINT64_FORMAT, s, ue);
    g_autoptr (GArray) want = expected_rows (us, ue, FALSE, NULL);
    g_autoptr (GArray) got = all_pages (q, 41);
    assert_same (got, want, "a range");
  }
  {
    g_autofree char *f1 = fd_tq_esc ("v>=10"), *f2 = fd_tq_esc ("v < 20");
    g_autofree char *q = g_strdup_printf ("sort=timestamp_device&filter=%s&filter=%s", f1, f2);
    g_autoptr (GArray) want = expected_rows (0, G_MAXINT64, FALSE, keep_band);
    g_autoptr (GArray) got = all_pages (q, 7);
    g_assert_cmpuint (want->len, >, 7);
    assert_same (got, want, "filters, paged");
  }
  {
    g_autofree char *f1 = fd_tq_esc ("s = \"d1\""), *f2 = fd_tq_esc ("field.v>0");
    g_autofree char *q = g_strdup_printf ("filter=%s&filter=%s", f1, f2);
    g_autoptr (GArray) want = expected_rows (0, G_MAXINT64, TRUE, keep_d1_positive);
    g_autoptr (GArray) got = all_pages (q, 1000);
    assert_same (got, want, "a string filter and field.PATH");
  }
  {
    /* fields: the payload holds only those, by their paths */
    g_autoptr (JsonNode) node = fd_tq_get ("?fields=v,g.lat,v&size=5", 200);
    JsonArray *r = fd_tq_result_of (node);

    g_assert_cmpuint (json_array_get_length (r), ==, 5);
    for (guint i = 0; i < 5; i++)
      {
        JsonObject *row = json_array_get_object_element (r, i);
        JsonObject *p = json_object_get_object_member (row, "payload");
        const FdTqReading *want
            = &g_array_index (fd_tq_sent, FdTqReading, g_array_index (desc, guint, i));

        g_assert_cmpuint (json_object_get_size (p), ==, 2);
        g_assert_cmpfloat (json_object_get_double_member (p, "v"), ==, want->v);
        g_assert_cmpfloat (json_object_get_double_member (p, "g.lat"), ==, want->v);
      }
  }
  {
    g_autoptr (JsonNode) zero = fd_tq_get ("?size=0", 200);
    g_autofree char *far = g_strdup_printf ("?from=%u", fd_tq_sent->len);
    g_autoptr (JsonNode) past = fd_tq_get (far, 200);
    g_autofree char *s = fd_tq_iso (T0 + 10 * DAY_MS);
    g_autofree char *eq = g_strdup_printf ("?start=%s", s);
    g_autoptr (JsonNode) empty = fd_tq_get (eq, 200);

    g_assert_cmpuint (json_array_get_length (fd_tq_result_of (zero)), ==, 0);
    g_assert_true (fd_t_bool (zero, "has_more"));
    g_assert_cmpuint (json_array_get_length (fd_tq_result_of (past)), ==, 0);
    g_assert_false (fd_t_bool (past, "has_more"));
    g_assert_cmpuint (json_array_get_length (fd_tq_result_of (empty)), ==, 0);
    g_assert_false (fd_t_bool (empty, "has_more"));
  }
}

/* ---- series ---- */

static void
check_series (gint64 start, gint64 end, guint points, gint64 want_width)
{
  g_autofree char *s = fd_tq_iso (start), *e = fd_tq_iso (end);
  g_autofree char *q
      = g_strdup_printf ("/series?tag=temp&field=v&start=%s&end=%s&points=%u", s, e, points);
  g_autoptr (JsonNode) node = fd_tq_get (q, 200);
  gint64 w = fd_t_int (node, "bucket_ms");
  JsonArray *series = json_object_get_array_member (fd_t_obj (node), "series");
  g_autoptr (GTree) expected = NULL;

  if (want_width)
    g_assert_cmpint (w, ==, want_width);
  g_assert_cmpint (w, >=, (end - start + points - 1) / points);
  if (w >= MIN_MS)
    g_assert_cmpint (w % MIN_MS, ==, 0);
  /* from 20 minutes on, whole hours: rollup_1h serves it (there are no minute rollups) */
  if (w >= 20 * MIN_MS)
    g_assert_cmpint (w % HOUR_MS, ==, 0);
  expected = fd_tq_expected_buckets (start, end, w, "device", NULL);
  g_assert_cmpuint (json_array_get_length (series), ==, N_DEVICES);
  for (guint i = 0; i < json_array_get_length (series); i++)
    {
      JsonObject *one = json_array_get_object_element (series, i);
      const char *id = json_object_get_string_member (one, "device_id");
      JsonArray *pts = json_object_get_array_member (one, "points");
      double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, want_lo = G_MAXDOUBLE, want_hi = -G_MAXDOUBLE;

      g_assert_cmpuint (json_array_get_length (pts), <=, points);
      g_assert_true (
          g_str_has_prefix (json_object_get_string_member (one, "device_name"), "query-"));
      for (guint j = 0; j < json_array_get_length (pts); j++)
        {
          JsonArray *p = json_array_get_array_element (pts, j);
          gint64 t = json_array_get_int_element (p, 0);
          gint64 n = json_array_get_int_element (p, 4);
          gint64 bucket = t / w * w;
          g_autofree char *key = g_strdup_printf ("%s|%020" G_GINT64_FORMAT, id, bucket);
          FdTqAcc *a = g_tree_lookup (expected, key);

          if (a == NULL)
            g_error ("%s: a point at %" G_GINT64_FORMAT " where no reading is", q, t);
          g_assert_cmpint (n, ==, a->n);
          g_assert_cmpint (t, ==, a->n == 1 ? a->first_ts : bucket);
          assert_15_digits (json_array_get_double_element (p, 1), a->min);
          assert_15_digits (json_array_get_double_element (p, 2), a->max);
          assert_15_digits (json_array_get_double_element (p, 3), a->sum / (double)a->n);
          lo = MIN (lo, a->min);
          hi = MAX (hi, a->max);
          g_tree_remove (expected, key);
        }
      for (guint k = 0; k < fd_tq_sent->len; k++)
        {
          const FdTqReading *r = &g_array_index (fd_tq_sent, FdTqReading, k);
          if (g_str_equal (fd_tq_devs[r->dev]->id, id) && r->ts >= start && r->ts < end)
            want_lo = MIN (want_lo, r->v), want_hi = MAX (want_hi, r->v);
        }
      /* the chart keeps the extremes */
      assert_15_digits (lo, want_lo);
      assert_15_digits (hi, want_hi);
    }
  g_assert_cmpint (g_tree_nnodes (expected), ==, 0);
}

static void
test_series (void)
{
  check_series (T0, T0 + 2 * DAY_MS, 50, 0);
  check_series (T0, T0 + 2 * DAY_MS, 40, 2 * HOUR_MS);
  check_series (T0, T0 + 2 * DAY_MS, 1000, 3 * MIN_MS);
  check_series (T0, T0 + 2 * DAY_MS, 100, HOUR_MS);     /* 28.8 min: 48 buckets, not 100 */
  check_series (T0, T0 + 2 * DAY_MS, 150, HOUR_MS);     /* 19.2 min, a whole 20 min: hours */
  check_series (T0, T0 + 2 * DAY_MS, 200, 15 * MIN_MS); /* 14.4 min */
  check_series (T0, T0 + 2 * DAY_MS, 10000, 0);
  check_series (T0 + 13, T0 + HOUR_MS + 17, 100, 0);
  check_series (T0, T0 + 3 * HOUR_MS, 2, 0);
}

/* ---- bad input ---- */

static void
expect_400 (const char *query, const char *field)
{
  g_autoptr (JsonNode) node = fd_tq_get (query, 400);
  JsonObject *err = json_object_get_object_member (fd_t_obj (node), "error");

  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, "invalid_parameter");
  if (g_strcmp0 (json_object_get_string_member (err, "field"), field) != 0)
    g_error ("%s: the error names %s, expected %s (%s)", query,
             json_object_get_string_member (err, "field"), field,
             json_object_get_string_member (err, "message"));
  g_assert_cmpuint (strlen (json_object_get_string_member (err, "message")), >, 10);
}

static void
test_bad_input (void)
{
  g_autofree char *other_ws = fd_test_make_workspace (fd_tq_shared->srv, "elsewhere");
  g_autofree char *other_dev = fd_test_make_device (fd_tq_shared->srv, other_ws, "stranger");
  g_autofree char *dev_q = g_strdup_printf ("?device=%s", other_dev);
  g_autofree char *many_filters = NULL, *many_fields = NULL;
  g_autoptr (GString) f = g_string_new ("?");
  g_autoptr (GString) fl = g_string_new ("?fields=v");
  g_autofree char *nowhere = g_strdup_printf ("/api/v1/workspaces/%s/data", FD_T_NO_WKS);
  g_autoptr (JsonNode) missing = NULL;

  for (guint i = 0; i <= 16; i++)
    g_string_append (f, "&filter=v%3E1");
  for (guint i = 0; i < 64; i++)
    g_string_append_printf (fl, ",f%u", i);
  many_filters = g_strdup (f->str);
  many_fields = g_strdup (fl->str);

  expect_400 ("?tag=nosuch", "tag");
  expect_400 (dev_q, "device");
  expect_400 ("?device=oops", "device");
  expect_400 ("?fleet=" FD_T_NO_FLT, "fleet");
  expect_400 ("?start=yesterday", "start");
  expect_400 ("?end=2026-13-01T00:00:00Z", "end");
  expect_400 ("?start=1000&end=1000", "end");
  expect_400 ("?start=2000&end=1000", "end");
  expect_400 ("?size=175001", "size");
  expect_400 ("?size=-1", "size");
  expect_400 ("?from=x", "from");
  expect_400 ("?sort=ts", "sort");
  expect_400 ("?fields=nosuch", "fields");
  expect_400 ("?fields=v,,n", "fields");
  expect_400 (many_fields, "fields");
  expect_400 ("?filter=nosuch%3E1", "filter");
  expect_400 ("?filter=v%3E%3E1", "filter");
  expect_400 ("?filter=v", "filter");
  expect_400 ("?filter=%3E1", "filter");
  expect_400 (many_filters, "filter");
  expect_400 ("?bogus=1", "bogus");

  expect_400 ("/aggregate?field=v&fn=avg", "tag");
  expect_400 ("/aggregate?tag=temp&tag=temp&field=v&fn=avg", "tag");
  expect_400 ("/aggregate?tag=nosuch&field=v&fn=avg", "tag");
  expect_400 ("/aggregate?tag=temp&fn=avg", "field");
  expect_400 ("/aggregate?tag=temp&field=nosuch&fn=avg", "field");
  expect_400 ("/aggregate?tag=temp&field=s&fn=avg", "field");
  expect_400 ("/aggregate?tag=temp&field=v", "fn");
  expect_400 ("/aggregate?tag=temp&field=v&fn=avg,median", "fn");
  expect_400 ("/aggregate?tag=temp&field=v&fn=avg&bucket=30s", "bucket");
  expect_400 ("/aggregate?tag=temp&field=v&fn=avg&bucket=0m", "bucket");
  expect_400 ("/aggregate?tag=temp&field=v&fn=avg&bucket=1w", "bucket");
  expect_400 ("/aggregate?tag=temp&field=v&fn=avg&bucket=1m&start=0&end=8640000000", "bucket");
  expect_400 ("/aggregate?tag=temp&field=v&fn=avg&group=tag", "group");
  expect_400 ("/aggregate?tag=temp&field=v&fn=avg&size=3", "size");
  expect_400 ("/aggregate?tag=temp&field=v&fn=avg&start=later", "start");

  expect_400 ("/series?tag=temp&field=v&points=1", "points");
  expect_400 ("/series?tag=temp&field=v&points=10001", "points");
  expect_400 ("/series?tag=temp", "field");
  expect_400 ("/series?field=v", "tag");
  expect_400 ("/series?tag=temp&field=n&fn=avg", "fn");
  expect_400 ("/series?tag=temp&field=v&start=5&end=5", "end");

  missing = fd_test_api_expect (fd_tq_shared->srv, "GET", nowhere, NULL, 404);
}

static gint64
count_rows (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

/* The data must lie in every place a point can be (compacted blocks and the recent points
 * not yet compacted), else the comparisons above would not cover the merge. */
static void
assert_points_everywhere (void)
{
  g_autofree char *path = g_build_filename (fd_tq_shared->srv->data_dir, "fleetdesk.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM point_block"), >, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM point_recent"), >, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM rollup_1h"), >, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM sample_ts"), >, 0);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM sample WHERE id > (SELECT value FROM"
                                   " data_state WHERE key = 'sample_indexed')"),
                   >, 0);
  g_test_message ("point_block %" G_GINT64_FORMAT ", point_recent %" G_GINT64_FORMAT
                  ", rollup_1h %" G_GINT64_FORMAT ", sample_ts %" G_GINT64_FORMAT,
                  count_rows (db, "SELECT count(*) FROM point_block"),
                  count_rows (db, "SELECT count(*) FROM point_recent"),
                  count_rows (db, "SELECT count(*) FROM rollup_1h"),
                  count_rows (db, "SELECT count(*) FROM sample_ts"));
  sqlite3_close (db);
}

/* Aggregates and series over the late batches' days, the edges cutting minutes: each equals
 * the computation on what was sent, though every block is found by t_first >= edge - span. */
static void
test_late_days (void)
{
  static const struct
  {
    const char *name;
    gint64 width;
  } buckets[] = { { "none", 0 }, { "1m", MIN_MS }, { "1h", HOUR_MS }, { "1d", DAY_MS } };
  static const char *const groups[] = { "none", "device" };
  g_autofree char *ls = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64)LS);
  g_autofree char *le = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64)LE);
  gint64 mid_ms = T0 + HOUR_MS - 200 * 1000 + 33005;
  g_autofree char *mid = fd_tq_iso (mid_ms);
  g_autofree char *old_blocks
      = g_strdup_printf ("SELECT count(*) FROM point_block WHERE t_last < %" G_GINT64_FORMAT, T0);
  g_autofree char *path = g_build_filename (fd_tq_shared->srv->data_dir, "fleetdesk.db", NULL);
  sqlite3 *db = NULL;

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (guint b = 0; b < G_N_ELEMENTS (buckets); b++)
      {
        check_aggregate (buckets[b].name, buckets[b].width, groups[g], ls, LS, le, LE);
        /* from the late days into the first batches' days */
        check_aggregate (buckets[b].name, buckets[b].width, groups[g], ls, LS, mid, mid_ms);
      }
  /* sub-minute buckets: every point in range is read from the blocks */
  check_series (LS, LS + HOUR_MS, 100, 0);
  check_series (LE - 2 * HOUR_MS, LE, 1000, 0);

  /* the blocks these came from each lie within one hour */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (count_rows (db, "SELECT count(*) FROM point_block"
                                   " WHERE t_first / 3600000 != t_last / 3600000"),
                   ==, 0);
  g_assert_cmpint (count_rows (db, "SELECT value FROM data_state WHERE key = 'block_max_span'"), <,
                   HOUR_MS);
  g_assert_cmpint (count_rows (db, old_blocks), >, 0);
  sqlite3_close (db);
}

int
main (int argc, char *argv[])
{
  /* Points compact after every second commit (a commit holds at most 165 points, under 200);
   * samples are indexed after 200 (every four or five commits, the last one not): the data
   * ends up in every table a reader reads (assert_points_everywhere checks). */
  const char *const args[] = { "--compact-rows", "2", "--compact-points", "200", NULL };
  int rc;

  g_test_init (&argc, &argv, NULL);
  fd_tq_shared = fd_td_server_start (args);
  fd_tq_setup_data ();
  assert_points_everywhere ();
  g_test_add_func ("/api-query/aggregates", test_aggregates);
  g_test_add_func ("/api-query/raw", test_raw);
  g_test_add_func ("/api-query/series", test_series);
  g_test_add_func ("/api-query/late-days", test_late_days);
  g_test_add_func ("/api-query/bad-input", test_bad_input);
  rc = g_test_run ();
  for (guint d = 0; d < N_DEVICES; d++)
    fd_td_device_free (fd_tq_devs[d]);
  g_array_unref (fd_tq_sent);
  g_free (fd_tq_fleet_a);
  g_free (fd_tq_fleet_b);
  fd_td_server_stop (fd_tq_shared);
  return rc;
}
