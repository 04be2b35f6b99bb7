/* fd-test-query.c — the readings test-api-query.c posts and the aggregates expected of them. */
#include "fd-test-query.h"

#include <string.h>

FdTdServer *fd_tq_shared;
FdTdDevice *fd_tq_devs[N_DEVICES];
char *fd_tq_fleet_a, *fd_tq_fleet_b;
GArray *fd_tq_sent;

char *
fd_tq_iso (gint64 ms)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int)(ms % 1000));
}

char *
fd_tq_esc (const char *text)
{
  return g_uri_escape_string (text, NULL, FALSE);
}

JsonNode *
fd_tq_get (const char *query, guint expected)
{
  g_autofree char *path
      = g_strdup_printf ("/api/v1/workspaces/%s/data%s", fd_tq_shared->workspace, query);
  return fd_test_api_expect (fd_tq_shared->srv, "GET", path, NULL, expected);
}

JsonArray *
fd_tq_result_of (JsonNode *node)
{
  return json_object_get_array_member (fd_t_obj (node), "result");
}

/* Posts @readings of device @dev as one batch, in the order given, and records them. */
void
fd_tq_post_batch (guint dev, FdTqReading *readings, guint n, const char *fleet)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FdTdRaw) raw = fd_td_raw_open (fd_tq_shared, fd_tq_devs[dev], &error);
  g_autoptr (GString) body = g_string_new ("[");
  g_autofree char *request = NULL;
  g_auto (FdTdResponse) resp = { 0 };

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      FdTqReading *r = &readings[i];
      char v[G_ASCII_DTOSTR_BUF_SIZE];

      r->seq = fd_tq_sent->len;
      r->dev = dev;
      r->fleet = fleet;
      g_array_append_val (fd_tq_sent, *r);
      g_ascii_dtostr (v, sizeof v, r->v);
      /* half the times as RFC 3339 with an offset, half as epoch ms */
      if (i % 2 == 0)
        g_string_append_printf (body, "%s{\"ts\":%" G_GINT64_FORMAT, i ? "," : "", r->ts);
      else
        {
          g_autofree char *t = fd_tq_iso (r->ts + 2 * HOUR_MS);
          t[strlen (t) - 1] = '\0';
          g_string_append_printf (body, "%s{\"ts\":\"%s+02:00\"", i ? "," : "", t);
        }
      g_string_append_printf (body,
                              ",\"payload\":{\"v\":%s,\"n\":%u,\"s\":\"d%u\",\"g\":{\"lat\":%s}}}",
                              v, r->seq, dev, v);
    }
  g_string_append_c (body, ']');
  request
      = fd_td_request ("POST", "/v1/data/temp", "Content-Type: application/json\r\n", body->str);
  fd_td_raw_send (raw, request);
  g_assert_true (fd_td_raw_response (raw, &resp));
  if (resp.status != 202)
    g_error ("posting a batch: %u %s", resp.status, resp.body);
}

void
fd_tq_setup_data (void)
{
  static const gint64 edges[] = {
    0,
    MIN_MS,
    5 * MIN_MS,
    HOUR_MS,
    DAY_MS,
    DAY_MS + HOUR_MS + 5 * MIN_MS,
    2 * DAY_MS - MIN_MS,
    10 * HOUR_MS + 30 * MIN_MS,
  };
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autofree char *fleets = NULL;
  g_autoptr (JsonNode) fleet = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *path = NULL;

  fd_tq_sent = g_array_new (FALSE, FALSE, sizeof (FdTqReading));
  for (guint d = 0; d < N_DEVICES; d++)
    {
      g_autofree char *name = g_strdup_printf ("query-%u", d);
      fd_tq_devs[d] = fd_td_cert_device (fd_tq_shared, name);
    }
  path = g_strdup_printf ("/api/v1/workspaces/%s/fleets", fd_tq_shared->workspace);
  list = fd_t_call (fd_tq_shared->srv, "GET", path, NULL, 200);
  fd_tq_fleet_a = g_strdup (fd_t_str (fd_t_item (list, 0), "id"));
  fleet = fd_t_call (fd_tq_shared->srv, "POST", path, "{\"name\": \"second\"}", 201);
  fd_tq_fleet_b = g_strdup (fd_t_str (fleet, "id"));

  for (guint round = 0; round < ROUNDS; round++)
    {
      if (round == 3)
        {
          /* device 2 moves: its later data is in another fleet (another stream) */
          g_autofree char *dpath = g_strdup_printf ("/api/v1/devices/%s", fd_tq_devs[2]->id);
          g_autofree char *body = g_strdup_printf ("{\"fleet_id\": \"%s\"}", fd_tq_fleet_b);
          g_autoptr (JsonNode) moved = fd_t_call (fd_tq_shared->srv, "PATCH", dpath, body, 200);
        }
      for (guint d = 0; d < N_DEVICES; d++)
        {
          FdTqReading batch[PER_BATCH + G_N_ELEMENTS (edges) + 8];
          guint n = 0;

          if (round == 0)
            for (guint e = 0; e < G_N_ELEMENTS (edges); e++)
              {
                /* device 0 on the edge, 1 and 2 just before it: no two devices share a time */
                batch[n].ts = T0 + edges[e] - (e == 0 ? 0 : d);
                batch[n++].v = (double)(g_rand_int_range (rand, -400, 400)) * 0.25;
              }
          if (round == 0)
            {
              /* readings in the minutes the unaligned range cuts, on both sides of the cut */
              const gint64 near[]
                  = { US - 2000 - d, US + d, US + 5000 + d, UE - 20000 - d, UE - d, UE + 1 + d };
              for (guint e = 0; e < G_N_ELEMENTS (near); e++)
                {
                  batch[n].ts = near[e];
                  batch[n++].v = (double)(g_rand_int_range (rand, -400, 400)) * 0.25;
                }
            }
          for (guint i = 0; i < PER_BATCH; i++)
            {
              /* late data in round 2 and 4: times early in the range, after compactions */
              gint64 span = round == 2 || round == 4 ? 3 * HOUR_MS : 2 * DAY_MS;
              batch[n].ts = T0 + 5 * (g_rand_int_range (rand, 0, (gint32)(span / 5))) + d;
              batch[n++].v = (double)(g_rand_int_range (rand, -400, 400)) * 0.25;
            }
          /* two readings of one device at one time: first/last by the order stored */
          batch[n].ts = batch[n - 1].ts;
          batch[n].v = batch[n - 1].v + 1;
          n++;
          for (guint i = n - 1; i > 0; i--)
            {
              guint j = g_rand_int_range (rand, 0, i + 1);
              FdTqReading t = batch[i];
              if (i == n - 1 || j == n - 1)
                continue; /* keep the tie's order */
              batch[i] = batch[j];
              batch[j] = t;
            }
          fd_tq_post_batch (d, batch, n, d == 2 && round >= 3 ? fd_tq_fleet_b : fd_tq_fleet_a);
        }
    }

  /* Late batches after all that was compacted, each spanning days (so many hours: a block per
   * hour), with readings on both sides of the cuts of [LS, LE) and a tie. */
  for (guint round = 0; round < LATE_ROUNDS; round++)
    for (guint d = 0; d < N_DEVICES; d++)
      {
        const gint64 near[] = { LS - 1500 - d, LS + d,     LS + 3000 + d, LE - 9000 - d,
                                LE - d,        LE + 1 + d, LS - DAY_MS,   LE + DAY_MS };
        FdTqReading batch[LATE_PER_BATCH + G_N_ELEMENTS (near) + 1];
        guint n = 0;

        for (guint e = 0; e < G_N_ELEMENTS (near); e++)
          {
            batch[n].ts = near[e] + round * 7;
            batch[n++].v = (double)(g_rand_int_range (rand, -400, 400)) * 0.25;
          }
        for (guint i = 0; i < LATE_PER_BATCH; i++)
          {
            batch[n].ts = T0 - 3 * DAY_MS + 5 * (g_rand_int_range (rand, 0, (gint32)(DAY_MS)));
            batch[n++].v = (double)(g_rand_int_range (rand, -400, 400)) * 0.25;
          }
        batch[n].ts = batch[0].ts;
        batch[n].v = batch[0].v + 1;
        n++;
        fd_tq_post_batch (d, batch, n, d == 2 ? fd_tq_fleet_b : fd_tq_fleet_a);
      }
}

static const char *
group_key (const FdTqReading *r, const char *group)
{
  if (g_str_equal (group, "device"))
    return fd_tq_devs[r->dev]->id;
  if (g_str_equal (group, "fleet"))
    return r->fleet;
  return "";
}

/* Sorted "key|bucket" -> Acc over the readings in [start, end). */
GTree *
fd_tq_expected_buckets (gint64 start, gint64 end, gint64 width, const char *group,
                        const char *const *devices)
{
  GTree *tree = g_tree_new_full ((GCompareDataFunc)(void (*) (void))strcmp, NULL, g_free, g_free);

  for (guint i = 0; i < fd_tq_sent->len; i++)
    {
      const FdTqReading *r = &g_array_index (fd_tq_sent, FdTqReading, i);
      gint64 bucket = width ? r->ts / width * width : 0;
      g_autofree char *key = NULL;
      FdTqAcc *a;

      if (r->ts < start || r->ts >= end)
        continue;
      if (devices != NULL && !g_strv_contains (devices, fd_tq_devs[r->dev]->id))
        continue;
      key = g_strdup_printf ("%s|%020" G_GINT64_FORMAT, group_key (r, group), bucket);
      a = g_tree_lookup (tree, key);
      if (a == NULL)
        {
          a = g_new0 (FdTqAcc, 1);
          a->min = a->max = a->first = a->last = r->v;
          a->first_ts = a->last_ts = r->ts;
          a->first_seq = a->last_seq = r->seq;
          g_tree_insert (tree, g_steal_pointer (&key), a);
        }
      a->n++;
      a->sum += r->v;
      a->min = MIN (a->min, r->v);
      a->max = MAX (a->max, r->v);
      if (r->ts < a->first_ts || (r->ts == a->first_ts && r->seq < a->first_seq))
        a->first = r->v, a->first_ts = r->ts, a->first_seq = r->seq;
      if (r->ts > a->last_ts || (r->ts == a->last_ts && r->seq > a->last_seq))
        a->last = r->v, a->last_ts = r->ts, a->last_seq = r->seq;
    }
  return tree;
}

double
fd_tq_num (JsonObject *o, const char *name)
{
  JsonNode *m = json_object_get_member (o, name);

  if (m == NULL)
    g_error ("%s is missing", name);
  return json_node_get_double (m);
}
