/* test-conditions.c — the conditions service on a real store: which times a condition may
 * carry, which values are an open or a close and which are refused (and why), what each
 * message changes, and what watchers are told after the commit. */
#include "fd-test-server.h"

#include <string.h>

#include "conditions/fd-conditions.h"
#include "store/fd-store-conditions.h"

typedef struct
{
  char *dir;
  FdStore *store;
  FdConditions *conditions;
  FdWorkspace *workspace;
  FdDevice *device;
  FdDeviceIdentity *who;
  GPtrArray *told; /* "change uuid" strings, from the watch */
} Fixture;

typedef struct
{
  FdWorkspace *workspace;
  FdDevice *device;
} Made;

static gboolean
make_rows (FdDb *db, gpointer data, GError **error)
{
  Made *m = data;

  m->workspace = fd_store_workspace_create (db, "Lab", NULL, error);
  if (m->workspace == NULL)
    return FALSE;
  m->device = fd_store_device_create (db, m->workspace->id, NULL, "sensor-1", error);
  return m->device != NULL;
}

static const char *const change_names[] = { [FD_CONDITION_OPENED] = "opened",
                                            [FD_CONDITION_UPDATED] = "updated",
                                            [FD_CONDITION_CLOSED] = "closed",
                                            [FD_CONDITION_ALREADY_CLOSED] = "already-closed" };

static void
watch (const FdCondition *c, FdConditionChange change, gpointer user_data)
{
  Fixture *f = user_data;
  g_ptr_array_add (f->told, g_strdup_printf ("%s %s", change_names[change], c->uuid));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  Made m = { 0 };

  f->dir = g_dir_make_tmp ("fd-conditions-XXXXXX", NULL);
  path = g_build_filename (f->dir, "fleetdesk.db", NULL);
  f->store = fd_store_open (path, 2, &error);
  g_assert_no_error (error);
  g_assert_true (fd_store_write_sync (f->store, make_rows, &m, &error));
  f->workspace = m.workspace;
  f->device = m.device;
  f->who = fd_device_identity_new (f->device->id, f->workspace->id, "crd-test",
                                   FD_DEVICE_AUTH_CERTIFICATE);
  f->conditions = fd_conditions_new (f->store);
  f->told = g_ptr_array_new_with_free_func (g_free);
  fd_conditions_add_watch (f->conditions, watch, f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fd_conditions_remove_watch (f->conditions, watch, f);
  fd_store_close (f->store);
  fd_conditions_free (f->conditions);
  fd_device_identity_unref (f->who);
  fd_workspace_free (f->workspace);
  fd_device_free (f->device);
  g_ptr_array_unref (f->told);
  fd_test_rm_rf (f->dir);
  g_free (f->dir);
}

typedef struct
{
  gboolean done;
  int change;
  GError *error;
} Outcome;

static void
handled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Outcome *o = user_data;
  o->change = fd_conditions_handle_finish (result, &o->error);
  o->done = TRUE;
}

/* Handles the condition value @json; returns the change, or -1 with *@error. */
static int
handle (Fixture *f, const char *json, GError **error)
{
  g_autoptr (JsonNode) node = json_from_string (json, NULL);
  Outcome o = { 0 };

  g_assert_nonnull (node);
  fd_conditions_handle_async (f->conditions, f->who, json_node_get_object (node), handled, &o);
  while (!o.done)
    g_main_context_iteration (NULL, TRUE);
  if (o.error != NULL)
    g_propagate_error (error, o.error);
  return o.change;
}

static void
test_times (void)
{
  const struct
  {
    const char *json;
    gint64 ms; /* -1: refused */
  } cases[] = {
    { "\"2023-11-14T19:46:40.123456Z\"", 1699991200123 },
    { "\"2023-11-14T19:46:40Z\"", 1699991200000 },
    { "\"2023-11-14T19:46:40.1Z\"", 1699991200100 },
    { "\"2023-11-14T19:46:40.123456789Z\"", 1699991200123 },
    { "\"2023-11-14T21:46:40.5+02:00\"", 1699991200500 },
    { "\"2023-11-14T17:16:40-02:30\"", 1699991200000 },
    { "\"2023-11-14t19:46:40z\"", 1699991200000 },
    { "1699991200123", 1699991200123 },
    { "0", 0 },
    { "253402300799999", 253402300799999 },
    { "253402300800000", -1 },
    { "-1", -1 },
    { "1699991200123.5", -1 },
    { "\"2023-11-14T19:46:40.1234567890Z\"", -1 }, /* ten fractional digits */
    { "\"2023-11-14T19:46:40.Z\"", -1 },
    { "\"2023-11-14 19:46:40Z\"", -1 },
    { "\"2023-11-14T19:46:40\"", -1 }, /* no zone */
    { "\"2023-02-29T00:00:00Z\"", -1 },
    { "\"2023-11-14T24:00:00Z\"", -1 },
    { "\"1699991200123\"", -1 },
    { "\"yesterday\"", -1 },
    { "true", -1 },
    { "null", -1 },
    { "{}", -1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) node = json_from_string (cases[i].json, NULL);
      gint64 ms = -1;
      gboolean ok = fd_condition_parse_time (node, &ms);

      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_cmpint (ok, ==, cases[i].ms >= 0);
      if (ok)
        g_assert_cmpint (ms, ==, cases[i].ms);
    }
}

static void
test_values (Fixture *f, gconstpointer data)
{
  g_autofree char *long_uuid = g_strnfill (65, 'x');
  g_autofree char *max_uuid = g_strnfill (64, 'x');
  g_autofree char *long_open
      = g_strdup_printf ("{\"uuid\": \"%s\", \"tag\": \"t\", \"start\": 0}", long_uuid);
  g_autofree char *max_open
      = g_strdup_printf ("{\"uuid\": \"%s\", \"tag\": \"t\", \"start\": 0}", max_uuid);
  const struct
  {
    const char *json;
    const char *says; /* the message names it */
  } refused[] = {
    { "{}", "uuid" },
    { "{\"uuid\": 5, \"tag\": \"t\", \"start\": 0}", "uuid" },
    { "{\"uuid\": \"\", \"tag\": \"t\", \"start\": 0}", "uuid" },
    { long_open, "64" },
    { "{\"uuid\": \"a\\nb\", \"tag\": \"t\", \"start\": 0}", "control" },
    { "{\"uuid\": \"u\", \"tag\": \"t\"}", "start" },
    { "{\"uuid\": \"u\", \"tag\": \"t\", \"start\": 0, \"finish\": 1}", "both" },
    { "{\"uuid\": \"u\", \"start\": 0}", "tag" },
    { "{\"uuid\": \"u\", \"tag\": 7, \"start\": 0}", "tag" },
    { "{\"uuid\": \"u\", \"tag\": \"a b\", \"start\": 0}", "whitespace" },
    { "{\"uuid\": \"u\", \"tag\": \"a#b\", \"start\": 0}", "'#'" },
    { "{\"uuid\": \"u\", \"tag\": \"t\", \"start\": \"soon\"}", "start" },
    { "{\"uuid\": \"u\", \"tag\": \"t\", \"start\": 0, \"payload\": [1]}", "payload" },
    { "{\"uuid\": \"u\", \"tag\": \"t\", \"start\": 0, \"payloadf\": {}}", "payloadf" },
    { "{\"uuid\": \"u\", \"finish\": 0, \"tag\": \"t\"}", "tag" },
    { "{\"uuid\": \"u\", \"finish\": 0, \"payload\": {}, \"payloadf\": {}}", "not both" },
    { "{\"uuid\": \"u\", \"finish\": 0, \"payloadf\": \"done\"}", "payloadf" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("refused %u: %s", i, refused[i].json);
      g_assert_cmpint (handle (f, refused[i].json, &error), ==, -1);
      g_assert_error (error, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_INVALID);
      if (strstr (error->message, refused[i].says) == NULL)
        g_error ("refused %u: \"%s\" does not say \"%s\"", i, error->message, refused[i].says);
    }
  /* Nothing refused was stored or told. */
  g_assert_cmpuint (f->told->len, ==, 0);
  g_assert_cmpint (handle (f, max_open, NULL), ==, FD_CONDITION_OPENED);
}

typedef struct
{
  const char *device_id;
  FdCondition *row;
} Read;

static gboolean
read_row (FdDb *db, gpointer data, GError **error)
{
  Read *r = data;
  g_autoptr (GError) local = NULL;

  r->row = fd_store_condition_get (db, r->device_id, "bat-1", &local);
  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return r->row != NULL;
}

/* The row of condition "bat-1", as the store has it. */
static FdCondition *
read_condition (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  Read r = { f->device->id, NULL };

  g_assert_true (fd_store_read_sync (f->store, read_row, &r, &error));
  return r.row;
}

static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) not_open = NULL;
  g_autoptr (GError) early = NULL;
  g_autoptr (GError) reopen = NULL;
  g_autoptr (FdCondition) opened = NULL;
  g_autoptr (FdCondition) closed = NULL;

  g_assert_cmpint (handle (f,
                           "{\"uuid\": \"bat-1\", \"tag\": \"battery\", \"payload\": {\"lvl\": "
                           "15}, \"start\": \"2023-11-14T19:46:40.123456Z\"}",
                           NULL),
                   ==, FD_CONDITION_OPENED);
  g_assert_cmpint (handle (f,
                           "{\"uuid\": \"bat-1\", \"tag\": \"battery\", \"payload\": {\"lvl\": "
                           "12}, \"start\": \"2023-11-14T19:46:40.123456Z\"}",
                           NULL),
                   ==, FD_CONDITION_UPDATED);
  opened = read_condition (f);
  g_assert_true (opened->open);
  g_assert_cmpstr (opened->payload, ==, "{\"lvl\":12}");
  g_assert_cmpstr (opened->fleet_id, ==, f->device->fleet_id);
  g_assert_cmpstr (opened->workspace_id, ==, f->workspace->id);
  g_assert_cmpint (opened->start, ==, 1699991200123);
  /* Open: seconds since the start, as of the time asked. */
  g_assert_cmpfloat (fd_condition_duration (opened, 1699991260123), ==, 60.0);
  g_assert_cmpfloat (fd_condition_duration (opened, 1699991200000), ==, 0.0);

  g_assert_cmpint (handle (f, "{\"uuid\": \"bat-1\", \"finish\": 1699991200122}", &early), ==, -1);
  g_assert_error (early, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_INVALID);
  g_assert_cmpint (handle (f,
                           "{\"uuid\": \"bat-1\", \"payloadf\": {\"lvl\": 45}, \"finish\": "
                           "\"2023-11-14T20:46:40.623Z\"}",
                           NULL),
                   ==, FD_CONDITION_CLOSED);
  g_assert_cmpint (handle (f, "{\"uuid\": \"bat-1\", \"payloadf\": null, \"finish\": 1}", NULL), ==,
                   FD_CONDITION_ALREADY_CLOSED);
  closed = read_condition (f);
  g_assert_false (closed->open);
  g_assert_cmpstr (closed->payload, ==, "{\"lvl\":12}");
  g_assert_cmpstr (closed->payloadf, ==, "{\"lvl\":45}");
  g_assert_cmpint (closed->finish, ==, 1699994800623);
  g_assert_cmpfloat (fd_condition_duration (closed, 0), ==, 3600.5);

  g_assert_cmpint (handle (f, "{\"uuid\": \"nope\", \"finish\": 1}", &not_open), ==, -1);
  g_assert_error (not_open, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_NOT_OPEN);
  g_assert_nonnull (strstr (not_open->message, "nope"));
  g_assert_cmpint (handle (f, "{\"uuid\": \"bat-1\", \"tag\": \"battery\", \"start\": 5}", &reopen),
                   ==, -1);
  g_assert_error (reopen, FD_CONDITIONS_ERROR, FD_CONDITIONS_ERROR_INVALID);

  /* Watchers hear of each change, after it committed, and of nothing refused. */
  g_assert_cmpuint (f->told->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (f->told, 0), ==, "opened bat-1");
  g_assert_cmpstr (g_ptr_array_index (f->told, 1), ==, "updated bat-1");
  g_assert_cmpstr (g_ptr_array_index (f->told, 2), ==, "closed bat-1");
  g_assert_cmpstr (g_ptr_array_index (f->told, 3), ==, "already-closed bat-1");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conditions/times", test_times);
  g_test_add ("/conditions/values", Fixture, NULL, fixture_set_up, test_values, fixture_tear_down);
  g_test_add ("/conditions/lifecycle", Fixture, NULL, fixture_set_up, test_lifecycle,
              fixture_tear_down);
  return g_test_run ();
}
