/* test-api-lists.c — the operator API's lists against a real fleetdesk-server: paging with
 * from/size, total counting every match, case-insensitive search, repeated `fleet` meaning
 * any-of, device sort orders, and search among 2,000 devices made through the API over
 * keep-alive connections (timing each create) and among 100,000 seeded ones. docs/rest-api.md
 * is the contract.
 */
#include "fd-test-api-util.h"

#define FD_T_MANY_DEVICES 2000
#define FD_T_MANY_CONNECTIONS 4
#define FD_T_SEED_DEVICES 100000
/* What "quickly" means for finding a device by name: an interactive answer. */
#define FD_T_SEARCH_BUDGET_MS 500

static FdTestServer *srv;

/* The names of a list's items, in order, joined with ",". */
static char *
item_names (JsonNode *list, const char *member)
{
  JsonArray *items = fd_t_items (list);
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, fd_t_str (json_array_get_element (items, i), member));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* GET @path?@query, expecting 200, @total and the item names (in order) @names. */
static void
assert_list (const char *path, const char *query, gint64 total, const char *names)
{
  g_autofree char *full = g_strdup_printf ("%s%s%s", path, query ? "?" : "", query ? query : "");
  g_autoptr (JsonNode) list = fd_t_call (srv, "GET", full, NULL, 200);
  g_autofree char *got = item_names (list, "name");

  if (fd_t_int (list, "total") != total || (names != NULL && g_strcmp0 (got, names) != 0))
    g_error ("GET %s: expected total %" G_GINT64_FORMAT " [%s], got %" G_GINT64_FORMAT " [%s]",
             full, total, names ? names : "*", fd_t_int (list, "total"), got);
}

static char *
devices_path (JsonNode *wks)
{
  return g_strdup_printf (FD_T_API "/workspaces/%s/devices", fd_t_str (wks, "id"));
}

static void
test_paging (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab paging");
  g_autofree char *path = devices_path (wks);
  g_autoptr (JsonNode) all = NULL;

  /* Made in reverse so that the default order (by name) is the server's doing. */
  for (int i = 59; i >= 0; i--)
    {
      g_autofree char *name = g_strdup_printf ("p-%02d", i);
      g_autoptr (JsonNode) dev = fd_t_make_device (srv, fd_t_str (wks, "id"), name, NULL);
    }

  assert_list (path, "size=3", 60, "p-00,p-01,p-02");
  assert_list (path, "from=10&size=3", 60, "p-10,p-11,p-12");
  assert_list (path, "from=58&size=10", 60, "p-58,p-59");
  assert_list (path, "from=60", 60, "");
  assert_list (path, "from=5000&size=1000", 60, "");
  assert_list (path, "size=1", 60, "p-00");
  assert_list (path, "from=0&size=1000", 60, NULL);

  /* size defaults to 50. */
  all = fd_t_call (srv, "GET", path, NULL, 200);
  g_assert_cmpint (fd_t_int (all, "total"), ==, 60);
  g_assert_cmpuint (json_array_get_length (fd_t_items (all)), ==, 50);
  g_assert_cmpstr (fd_t_str (fd_t_item (all, 49), "name"), ==, "p-49");
}

static void
test_search_devices (void)
{
  static const char *names[] = { "Kitchen-Temp", "kitchen-humidity", "garage-temp", "KITCHEN light",
                                 "hall",         "100%_done",        "1000-done" };
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab search");
  g_autofree char *path = devices_path (wks);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (JsonNode) dev = fd_t_make_device (srv, fd_t_str (wks, "id"), names[i], NULL);
    }

  assert_list (path, "search=kitchen", 3, NULL);
  assert_list (path, "search=KITCHEN", 3, NULL);
  assert_list (path, "search=TEMP", 2, NULL);
  assert_list (path, "search=en-t", 1, "Kitchen-Temp");
  assert_list (path, "search=n%20l", 1, "KITCHEN light");
  assert_list (path, "search=zzz", 0, "");
  /* total counts every match, not the page. */
  assert_list (path, "search=kitchen&size=1", 3, NULL);
  assert_list (path, "search=kitchen&from=2&size=5", 3, NULL);
  /* Search text is literal: no wildcards. */
  assert_list (path, "search=%25", 1, "100%_done");
  assert_list (path, "search=_", 1, "100%_done");
  assert_list (path, "search=0%25", 1, "100%_done");
}

static void
test_search_unicode_case (void)
{
  /* "Case-insensitive" is not only ASCII: a user typing "über" finds "Über-Sensor". */
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab unicode");
  g_autofree char *path = devices_path (wks);
  g_autoptr (JsonNode) d1 = fd_t_make_device (srv, fd_t_str (wks, "id"), "Über-Sensor", NULL);
  g_autoptr (JsonNode) d2 = fd_t_make_device (srv, fd_t_str (wks, "id"), "ÉTAGE-2", NULL);

  assert_list (path, "search=%C3%9Cber", 1, "Über-Sensor");
  assert_list (path, "search=%C3%BCber", 1, "Über-Sensor");
  assert_list (path, "search=%C3%A9tage", 1, "ÉTAGE-2");
}

static void
test_search_workspaces (void)
{
  g_autoptr (JsonNode) c = fd_t_make_workspace (srv, "zq-charlie");
  g_autoptr (JsonNode) a = fd_t_make_workspace (srv, "zq-alpha");
  g_autoptr (JsonNode) b = fd_t_make_workspace (srv, "ZQ-Bravo");
  g_autoptr (JsonNode) all = NULL;
  gint64 total;

  assert_list (FD_T_API "/workspaces", "search=zq-", 3, NULL);
  assert_list (FD_T_API "/workspaces", "search=ZQ-BRAVO", 1, "ZQ-Bravo");
  assert_list (FD_T_API "/workspaces", "search=-alpha&size=1", 1, "zq-alpha");
  assert_list (FD_T_API "/workspaces", "search=zq-&size=1&from=2", 3, NULL);
  assert_list (FD_T_API "/workspaces", "search=zq-a&from=1", 1, "");

  /* Every workspace, by name: each page in order, total the same on every page. */
  all = fd_t_call (srv, "GET", FD_T_API "/workspaces?size=1000", NULL, 200);
  total = fd_t_int (all, "total");
  g_assert_cmpint (total, >=, 3);
  g_assert_cmpuint (json_array_get_length (fd_t_items (all)), ==, total);
  for (guint i = 1; i < json_array_get_length (fd_t_items (all)); i++)
    {
      const char *prev = fd_t_str (fd_t_item (all, i - 1), "name");
      const char *cur = fd_t_str (fd_t_item (all, i), "name");
      g_autofree char *p = g_utf8_casefold (prev, -1);
      g_autofree char *q = g_utf8_casefold (cur, -1);

      /* "by name": accept byte order or case-insensitive order, but an order. */
      if (strcmp (prev, cur) > 0 && strcmp (p, q) > 0)
        g_error ("workspaces are not by name: \"%s\" before \"%s\"", prev, cur);
    }
  assert_list (FD_T_API "/workspaces", "size=1", total, NULL);
}

static void
test_fleets_order_and_search (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab fleet order");
  const char *id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) z = fd_t_make_fleet (srv, id, "zeta");
  g_autoptr (JsonNode) a = fd_t_make_fleet (srv, id, "alpha");
  g_autoptr (JsonNode) m = fd_t_make_fleet (srv, id, "mid");
  g_autofree char *path = g_strdup_printf (FD_T_API "/workspaces/%s/fleets", id);

  /* The default fleet first, then by name ("default" would sort after "alpha"). */
  assert_list (path, NULL, 4, "default,alpha,mid,zeta");
  assert_list (path, "from=1&size=2", 4, "alpha,mid");
  assert_list (path, "search=ALPH", 1, "alpha");
  assert_list (path, "search=e", 2, "default,zeta");
  assert_list (path, "search=nothing-like-it", 0, "");
}

static void
test_fleet_filter (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab fleet filter");
  const char *id = fd_t_str (wks, "id");
  g_autofree char *path = devices_path (wks);
  JsonNode *fleets[3];
  const char *f[3];
  g_autofree char *q1 = NULL;
  g_autofree char *q12 = NULL;
  g_autofree char *q123 = NULL;
  g_autofree char *q11 = NULL;
  g_autofree char *q2s = NULL;
  g_autofree char *qd = NULL;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *fname = g_strdup_printf ("group-%u", i + 1);
      fleets[i] = fd_t_make_fleet (srv, id, fname);
      f[i] = fd_t_str (fleets[i], "id");
      /* group-1 gets 2 devices, group-2 gets 3, group-3 gets 4. */
      for (guint j = 0; j < i + 2; j++)
        {
          g_autofree char *name = g_strdup_printf ("g%u-dev-%u", i + 1, j);
          g_autoptr (JsonNode) dev = fd_t_make_device (srv, id, name, f[i]);
        }
    }
  {
    g_autoptr (JsonNode) dev = fd_t_make_device (srv, id, "loose", NULL);
  }

  q1 = g_strdup_printf ("fleet=%s", f[0]);
  q12 = g_strdup_printf ("fleet=%s&fleet=%s", f[0], f[1]);
  q123 = g_strdup_printf ("fleet=%s&fleet=%s&fleet=%s", f[0], f[1], f[2]);
  q11 = g_strdup_printf ("fleet=%s&fleet=%s", f[0], f[0]);
  q2s = g_strdup_printf ("fleet=%s&fleet=%s&search=dev-2", f[1], f[2]);
  qd = g_strdup_printf ("fleet=%s", fd_t_str (wks, "default_fleet_id"));

  assert_list (path, NULL, 10, NULL);
  assert_list (path, q1, 2, "g1-dev-0,g1-dev-1");
  assert_list (path, q12, 5, "g1-dev-0,g1-dev-1,g2-dev-0,g2-dev-1,g2-dev-2");
  assert_list (path, q123, 9, NULL);
  assert_list (path, q11, 2, "g1-dev-0,g1-dev-1");
  assert_list (path, q2s, 2, "g2-dev-2,g3-dev-2");
  assert_list (path, qd, 1, "loose");

  for (guint i = 0; i < 3; i++)
    json_node_unref (fleets[i]);
}

/* The value of @member of each item, joined with ",". */
static char *
list_members (const char *path, const char *query, const char *member)
{
  g_autofree char *full = g_strdup_printf ("%s?%s", path, query);
  g_autoptr (JsonNode) list = fd_t_call (srv, "GET", full, NULL, 200);

  return item_names (list, member);
}

static void
test_sort (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab sort");
  const char *id = fd_t_str (wks, "id");
  g_autoptr (JsonNode) fb = fd_t_make_fleet (srv, id, "b-fleet");
  g_autoptr (JsonNode) fa = fd_t_make_fleet (srv, id, "a-fleet");
  const char *order[] = { "m3", "m1", "m2", "m4" };
  const char *fleet_of[] = { fd_t_str (fb, "id"), NULL, fd_t_str (fa, "id"), fd_t_str (fa, "id") };
  g_autofree char *path = devices_path (wks);
  g_autofree char *fleets_asc = NULL;
  g_autofree char *fleets_desc = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr (JsonNode) dev = fd_t_make_device (srv, id, order[i], fleet_of[i]);
      g_usleep (3000); /* distinct created_at milliseconds */
    }

  assert_list (path, "sort=name", 4, "m1,m2,m3,m4");
  assert_list (path, "sort=-name", 4, "m4,m3,m2,m1");
  assert_list (path, "sort=created_at", 4, "m3,m1,m2,m4");
  assert_list (path, "sort=-created_at", 4, "m4,m2,m1,m3");
  assert_list (path, "sort=-name&from=1&size=2", 4, "m3,m2");
  /* By fleet name; the order within one fleet is not part of the contract. */
  fleets_asc = list_members (path, "sort=fleet", "fleet_name");
  g_assert_cmpstr (fleets_asc, ==, "a-fleet,a-fleet,b-fleet,default");
  fleets_desc = list_members (path, "sort=-fleet", "fleet_name");
  g_assert_cmpstr (fleets_desc, ==, "default,b-fleet,a-fleet,a-fleet");
  /* No device has been seen yet: the orders are accepted and list everything. */
  assert_list (path, "sort=last_seen", 4, NULL);
  assert_list (path, "sort=-last_seen", 4, NULL);
  /* None is online: by name within each state. */
  assert_list (path, "sort=online", 4, "m1,m2,m3,m4");
  assert_list (path, "sort=-online", 4, "m1,m2,m3,m4");
}

typedef struct
{
  const char *url;
  const char *token;
  const char *workspace_id;
  guint first;
  guint count;
  guint failures;
} FdBulkJob;

/* Creates job->count devices over one keep-alive connection of its own. */
static gpointer
bulk_create_thread (gpointer data)
{
  FdBulkJob *job = data;
  g_autoptr (SoupSession) session = soup_session_new_with_options ("max-conns", 1, NULL);
  g_autofree char *uri
      = g_strdup_printf ("%s" FD_T_API "/workspaces/%s/devices", job->url, job->workspace_id);
  g_autofree char *auth = g_strconcat ("Bearer ", job->token, NULL);

  for (guint i = job->first; i < job->first + job->count; i++)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("POST", uri);
      char *body = g_strdup_printf ("{\"name\": \"bulk-%05u\"}", i);
      g_autoptr (GBytes) bytes = g_bytes_new_take (body, strlen (body));
      g_autoptr (GBytes) answer = NULL;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      answer = soup_session_send_and_read (session, msg, NULL, NULL);
      if (answer == NULL || soup_message_get_status (msg) != 201)
        job->failures++;
    }
  return NULL;
}

static void
test_search_many (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab many");
  g_autofree char *path = devices_path (wks);
  FdBulkJob jobs[FD_T_MANY_CONNECTIONS];
  GThread *threads[FD_T_MANY_CONNECTIONS];
  guint per = FD_T_MANY_DEVICES / FD_T_MANY_CONNECTIONS;
  gint64 t0, elapsed, worst = 0;
  const guint n_searches = 20;

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < FD_T_MANY_CONNECTIONS; i++)
    {
      jobs[i] = (FdBulkJob){ srv->url, srv->token, fd_t_str (wks, "id"), i * per, per, 0 };
      threads[i] = g_thread_new ("fd-bulk", bulk_create_thread, &jobs[i]);
    }
  for (guint i = 0; i < FD_T_MANY_CONNECTIONS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (jobs[i].failures, ==, 0);
    }
  elapsed = g_get_monotonic_time () - t0;
  g_test_message ("created %d devices over %d connections in %.2f s: %.3f ms per create, "
                  "%.0f creates/s",
                  FD_T_MANY_DEVICES, FD_T_MANY_CONNECTIONS, elapsed / 1e6,
                  elapsed / 1e3 / FD_T_MANY_DEVICES, FD_T_MANY_DEVICES / (elapsed / 1e6));

  assert_list (path, "size=1", FD_T_MANY_DEVICES, "bulk-00000");
  assert_list (path, "sort=name&from=1000&size=2", FD_T_MANY_DEVICES, "bulk-01000,bulk-01001");
  assert_list (path, "from=1998", FD_T_MANY_DEVICES, "bulk-01998,bulk-01999");

  /* Finding one device by name among thousands is an interactive operation. */
  for (guint i = 0; i < n_searches; i++)
    {
      g_autofree char *name = g_strdup_printf ("bulk-%05u", (i * 97 + 13) % FD_T_MANY_DEVICES);
      g_autofree char *upper = g_ascii_strup (name, -1);
      g_autofree char *query = g_strdup_printf ("search=%s", upper);
      gint64 s0 = g_get_monotonic_time ();

      assert_list (path, query, 1, name);
      worst = MAX (worst, g_get_monotonic_time () - s0);
    }
  g_test_message ("search among %d devices: worst %.1f ms", FD_T_MANY_DEVICES, worst / 1e3);
  g_assert_cmpint (worst, <, 500 * 1000);
  assert_list (path, "search=bulk-0199", 10, NULL);
}

static void
test_search_100k (void)
{
  g_autoptr (JsonNode) wks = fd_t_make_workspace (srv, "Lab 100k");
  g_autofree char *path = devices_path (wks);
  g_autoptr (JsonNode) needle = NULL;
  gint64 t0, worst = 0;

  t0 = g_get_monotonic_time ();
  fd_test_server_seed_devices (srv, fd_t_str (wks, "id"), "seed", FD_T_SEED_DEVICES);
  g_test_message ("seeded %d devices in %.2f s", FD_T_SEED_DEVICES,
                  (g_get_monotonic_time () - t0) / 1e6);
  needle = fd_t_make_device (srv, fd_t_str (wks, "id"), "Needle-In-Haystack", NULL);

  /* Finding one device by name among 100,000 is interactive: well under a second. */
  for (guint i = 0; i < 10; i++)
    {
      guint k = 1 + (i * 9973 + 4242) % FD_T_SEED_DEVICES;
      g_autofree char *name = g_strdup_printf ("seed-%06u", k);
      g_autofree char *upper = g_ascii_strup (name, -1);
      g_autofree char *query = g_strdup_printf ("search=%s", i % 2 ? upper : name);
      gint64 s0 = g_get_monotonic_time ();

      assert_list (path, query, 1, name);
      worst = MAX (worst, g_get_monotonic_time () - s0);
    }
  t0 = g_get_monotonic_time ();
  assert_list (path, "search=needle", 1, "Needle-In-Haystack");
  worst = MAX (worst, g_get_monotonic_time () - t0);
  g_test_message ("search among %d devices: worst %.1f ms", FD_T_SEED_DEVICES + 1, worst / 1e3);
  g_assert_cmpint (worst, <, FD_T_SEARCH_BUDGET_MS * 1000);

  /* Counting, deep pages and reverse order stay correct at this size. */
  assert_list (path, "size=1", FD_T_SEED_DEVICES + 1, "Needle-In-Haystack");
  assert_list (path, "from=99999&size=5", FD_T_SEED_DEVICES + 1, "seed-099999,seed-100000");
  assert_list (path, "sort=-name&size=2", FD_T_SEED_DEVICES + 1, "seed-100000,seed-099999");
  assert_list (path, "search=seed-0999", 100, NULL);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  srv = fd_test_server_start ();
  fd_t_kill_server_on_abort (srv);

  g_test_add_func ("/api/lists/paging", test_paging);
  g_test_add_func ("/api/lists/search-devices", test_search_devices);
  g_test_add_func ("/api/lists/search-unicode-case", test_search_unicode_case);
  g_test_add_func ("/api/lists/search-workspaces", test_search_workspaces);
  g_test_add_func ("/api/lists/fleets-order-and-search", test_fleets_order_and_search);
  g_test_add_func ("/api/lists/fleet-filter", test_fleet_filter);
  g_test_add_func ("/api/lists/sort", test_sort);
  g_test_add_func ("/api/lists/search-many", test_search_many);
  g_test_add_func ("/api/lists/search-100k", test_search_100k);

  ret = g_test_run ();
  fd_test_server_stop (srv);
  return ret;
}
