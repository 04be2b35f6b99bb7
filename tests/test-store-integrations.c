/* test-store-integrations.c — the integration rows on a real store: a new integration starts at
 * the end of both queues (the highest sample id, and the outbox sequence even past pruned
 * events); its filters and settings read back as written; a fleet of another workspace is
 * refused with nothing written; list pages oldest first; replay moves the cursors back to the
 * first row at or after a time and never forward, dropping the batch in flight; delete takes
 * its delivery log. */
#include "fd-test-server.h"
#include "fd-test-store.h"

#include <string.h>

#include "fd-util.h"
#include "store/fd-store-entities.h"
#include "store/fd-store-integrations.h"

typedef struct
{
  char *dir;
  FdStore *store;
  FdWorkspace *workspace;
  FdWorkspace *other;
  FdFleet *fleet;       /* of workspace */
  FdFleet *other_fleet; /* of other */
} Fixture;

static gboolean
exec_int (FdDb *db, const char *sql, gint64 a, gint64 b, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  return fd_db_step_done (db, stmt, NULL, error);
}

static gboolean
add_sample (FdDb *db, gint64 ts_in, GError **error)
{
  return exec_int (
      db, "INSERT INTO sample (stream, ts_device, ts_in, payload) VALUES (1, ?1, ?2, '{}')", ts_in,
      ts_in, error);
}

static gboolean
add_event (FdDb *db, const char *workspace_id, gint64 t, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (
      db, "INSERT INTO outbox_event (workspace_id, kind, t, body) VALUES (?1, 4, ?2, '{}')", error);

  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, workspace_id);
  sqlite3_bind_int64 (stmt, 2, t);
  return fd_db_step_done (db, stmt, NULL, error);
}

static gboolean
make_rows (FdDb *db, gpointer data, GError **error)
{
  Fixture *f = data;

  f->workspace = fd_store_workspace_create (db, "Plant", NULL, error);
  f->other = f->workspace ? fd_store_workspace_create (db, "Other", NULL, error) : NULL;
  f->fleet = f->other ? fd_store_fleet_create (db, f->workspace->id, "north", NULL, error) : NULL;
  f->other_fleet = f->fleet ? fd_store_fleet_create (db, f->other->id, "south", NULL, error) : NULL;
  if (f->other_fleet == NULL)
    return FALSE;
  /* samples 1..3 at ts_in 100, 200, 300; events 1..3 at t 100, 200, 300, the last pruned */
  for (gint64 t = 100; t <= 300; t += 100)
    if (!add_sample (db, t, error) || !add_event (db, f->workspace->id, t, error))
      return FALSE;
  return exec_int (db, "DELETE FROM outbox_event WHERE id = ?1 OR id = ?2", 3, 3, error);
}

static void
set_up (Fixture *f, gconstpointer data)
{
  f->store = fd_test_store_open ("fd-store-integrations-XXXXXX", make_rows, f, &f->dir);
}

static void
tear_down (Fixture *f, gconstpointer data)
{
  fd_test_store_close (f->store, &f->dir);
  fd_workspace_free (f->workspace);
  fd_workspace_free (f->other);
  fd_fleet_free (f->fleet);
  fd_fleet_free (f->other_fleet);
}

static FdIntegration *
new_settings (Fixture *f, const char *name)
{
  FdIntegration *i = g_new0 (FdIntegration, 1);

  i->workspace_id = g_strdup (f->workspace->id);
  i->type = FD_INTEGRATION_WEBHOOK;
  i->name = g_strdup (name);
  i->config = g_strdup ("{\"url\":\"http://x/\",\"headers\":{}}");
  i->secret = g_strdup ("0123456789abcdef");
  i->kinds = FD_OUTBOX_KIND_DATA | FD_OUTBOX_KIND_DEVICES;
  i->batch_max = 10;
  i->batch_delay_ms = 0;
  i->max_queued = 1000;
  i->max_age_s = 3600;
  return i;
}

/* One job on the writer: @func with the fixture and an integration. */
typedef struct
{
  Fixture *f;
  FdIntegration *i;
  char *id;
  gint64 from;
  FdPage page;
  const char *workspace_id;
} Job;

static gboolean
create_job (FdDb *db, gpointer data, GError **error)
{
  Job *j = data;
  return fd_store_integration_create (db, j->i, 1000, error);
}

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  Job *j = data;
  fd_integration_free (j->i);
  j->i = fd_store_integration_get (db, j->id, error);
  return j->i != NULL;
}

static FdIntegration *
get (Fixture *f, const char *id)
{
  g_autoptr (GError) error = NULL;
  Job j = { .f = f, .id = (char *)id };

  g_assert_true (fd_store_write_sync (f->store, get_job, &j, &error));
  g_assert_no_error (error);
  return j.i;
}

static char *
create (Fixture *f, FdIntegration *i)
{
  g_autoptr (GError) error = NULL;
  Job j = { .f = f, .i = i };

  g_assert_true (fd_store_write_sync (f->store, create_job, &j, &error));
  g_assert_no_error (error);
  return g_strdup (i->id);
}

static void
test_create_and_read (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i = new_settings (f, "hook");
  g_autoptr (FdIntegration) got = NULL;
  g_autofree char *id = NULL;

  i->fleets = g_strsplit (f->fleet->id, " ", -1);
  i->tags = g_strsplit ("weather power \"quoted\"", " ", -1);
  id = create (f, i);
  g_assert_true (fd_id_is_valid (id, "int"));
  got = get (f, id);
  g_assert_cmpstr (got->workspace_id, ==, f->workspace->id);
  g_assert_cmpint (got->type, ==, FD_INTEGRATION_WEBHOOK);
  g_assert_cmpstr (got->name, ==, "hook");
  g_assert_cmpstr (got->config, ==, "{\"url\":\"http://x/\",\"headers\":{}}");
  g_assert_cmpstr (got->secret, ==, "0123456789abcdef");
  g_assert_cmpuint (got->kinds, ==, FD_OUTBOX_KIND_DATA | FD_OUTBOX_KIND_DEVICES);
  g_assert_cmpuint (g_strv_length (got->fleets), ==, 1);
  g_assert_cmpstr (got->fleets[0], ==, f->fleet->id);
  g_assert_cmpuint (g_strv_length (got->tags), ==, 3);
  g_assert_cmpstr (got->tags[2], ==, "\"quoted\"");
  g_assert_cmpint (got->batch_max, ==, 10);
  g_assert_cmpint (got->batch_delay_ms, ==, 0);
  g_assert_cmpint (got->max_queued, ==, 1000);
  g_assert_cmpint (got->max_age_s, ==, 3600);
  g_assert_false (got->paused);
  /* it forwards from now on: past the last sample, and past the pruned event 3 */
  g_assert_cmpint (got->data_cursor, ==, 3);
  g_assert_cmpint (got->event_cursor, ==, 3);
  g_assert_null (got->inflight_batch);
  g_assert_cmpint (got->delivered + got->failed + got->dropped, ==, 0);
  g_assert_cmpint (got->created_at, ==, 1000);
  g_assert_cmpint (got->updated_at, ==, 1000);

  /* no filter lists: any */
  {
    g_autoptr (FdIntegration) any = new_settings (f, "any");
    g_autofree char *any_id = create (f, any);
    g_autoptr (FdIntegration) back = get (f, any_id);
    g_assert_null (back->fleets);
    g_assert_null (back->tags);
  }
}

static gboolean
count_job (FdDb *db, gpointer data, GError **error)
{
  gint64 *n = data;
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT count(*) FROM integration", error);
  return stmt != NULL && fd_db_fetch_count (db, stmt, n, error);
}

static gint64
count (Fixture *f)
{
  gint64 n = -1;
  g_assert_true (fd_store_write_sync (f->store, count_job, &n, NULL));
  return n;
}

static void
test_create_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) foreign = new_settings (f, "foreign");
  g_autoptr (FdIntegration) nowhere = new_settings (f, "nowhere");
  g_autoptr (GError) error = NULL, error2 = NULL;
  Job j = { .f = f, .i = foreign };

  foreign->fleets = g_strsplit (f->other_fleet->id, " ", -1);
  g_assert_false (fd_store_write_sync (f->store, create_job, &j, &error));
  g_assert_error (error, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, f->other_fleet->id));
  g_free (nowhere->workspace_id);
  nowhere->workspace_id = g_strdup ("wks-aaaaaaaaaaaaaaaaaaaa");
  j.i = nowhere;
  g_assert_false (fd_store_write_sync (f->store, create_job, &j, &error2));
  g_assert_error (error2, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (count (f), ==, 0);
}

static gboolean
list_job (FdDb *db, gpointer data, GError **error)
{
  Job *j = data;
  return fd_store_integration_list (db, j->workspace_id, j->from, 2, &j->page, error);
}

static void
test_list (Fixture *f, gconstpointer data)
{
  char *ids[3] = { NULL };
  g_autoptr (GError) error = NULL;
  Job page = { .f = f };
  Job all = { .f = f };

  for (int n = 0; n < 3; n++)
    {
      g_autofree char *name = g_strdup_printf ("n%d", n);
      g_autoptr (FdIntegration) i = new_settings (f, name);
      if (n == 2)
        {
          g_free (i->workspace_id);
          i->workspace_id = g_strdup (f->other->id);
        }
      ids[n] = create (f, i);
    }
  page.workspace_id = f->workspace->id;
  page.from = 1;
  g_assert_true (fd_store_write_sync (f->store, list_job, &page, &error));
  g_assert_cmpint (page.page.total, ==, 2);
  g_assert_cmpuint (page.page.items->len, ==, 1);
  g_assert_cmpstr (((FdIntegration *)page.page.items->pdata[0])->id, ==, ids[1]);
  /* NULL: every workspace's (the workers at start-up), oldest first */
  g_assert_true (fd_store_write_sync (f->store, list_job, &all, &error));
  g_assert_cmpint (all.page.total, ==, 3);
  g_assert_cmpstr (((FdIntegration *)all.page.items->pdata[0])->id, ==, ids[0]);
  g_assert_cmpstr (((FdIntegration *)all.page.items->pdata[1])->id, ==, ids[1]);
  fd_page_clear (&page.page);
  fd_page_clear (&all.page);
  for (int n = 0; n < 3; n++)
    g_clear_pointer (&ids[n], g_free);
}

static gboolean
update_job (FdDb *db, gpointer data, GError **error)
{
  Job *j = data;
  return fd_store_integration_update (db, j->i, 2000, error);
}

static gboolean
pause_job (FdDb *db, gpointer data, GError **error)
{
  Job *j = data;
  return fd_store_integration_set_paused (db, j->id, j->from != 0, 3000, error);
}

static gboolean
delete_job (FdDb *db, gpointer data, GError **error)
{
  Job *j = data;
  return fd_store_integration_delete (db, j->id, error);
}

static void
test_update_pause_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i = new_settings (f, "hook");
  g_autofree char *id = create (f, i);
  g_autoptr (FdIntegration) got = NULL, paused = NULL;
  g_autoptr (GError) error = NULL, gone = NULL, foreign = NULL;
  Job j = { .f = f, .i = get (f, id), .id = id };

  g_free (j.i->name);
  j.i->name = g_strdup ("renamed");
  j.i->batch_max = 99;
  j.i->tags = g_strsplit ("t", " ", -1);
  g_assert_true (fd_store_write_sync (f->store, update_job, &j, &error));
  got = get (f, id);
  g_assert_cmpstr (got->name, ==, "renamed");
  g_assert_cmpint (got->batch_max, ==, 99);
  g_assert_cmpstr (got->tags[0], ==, "t");
  g_assert_cmpint (got->updated_at, ==, 2000);
  g_assert_cmpint (got->data_cursor, ==, 3);

  j.i->fleets = g_strsplit (f->other_fleet->id, " ", -1);
  g_assert_false (fd_store_write_sync (f->store, update_job, &j, &foreign));
  g_assert_error (foreign, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND);

  j.from = 1;
  g_assert_true (fd_store_write_sync (f->store, pause_job, &j, NULL));
  paused = get (f, id);
  g_assert_true (paused->paused);
  j.from = 0;
  g_assert_true (fd_store_write_sync (f->store, pause_job, &j, NULL));
  g_clear_pointer (&paused, fd_integration_free);
  paused = get (f, id);
  g_assert_false (paused->paused);

  g_assert_true (fd_store_write_sync (f->store, delete_job, &j, NULL));
  g_assert_false (fd_store_write_sync (f->store, delete_job, &j, &gone));
  g_assert_error (gone, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND);
  g_assert_cmpint (count (f), ==, 0);
  fd_integration_free (j.i);
}

static gboolean
replay_job (FdDb *db, gpointer data, GError **error)
{
  Job *j = data;
  return fd_store_integration_replay (db, j->id, j->from, 4000, error);
}

static gboolean
in_flight_job (FdDb *db, gpointer data, GError **error)
{
  Job *j = data;
  sqlite3_stmt *stmt = fd_db_prepare (
      db,
      "UPDATE integration SET inflight_batch = ?1 || '-1', inflight_kind = 1, inflight_first = 3,"
      " inflight_last = 3, inflight_attempts = 2, batch_seq = 1 WHERE id = ?1",
      error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, j->id);
  return fd_db_step_done (db, stmt, NULL, error);
}

static void
test_replay (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i = new_settings (f, "hook");
  g_autofree char *id = create (f, i);
  g_autoptr (FdIntegration) after = NULL, again = NULL, future = NULL;
  g_autoptr (GError) gone = NULL;
  Job j = { .f = f, .id = id };

  g_assert_true (fd_store_write_sync (f->store, in_flight_job, &j, NULL));
  /* from 200: sample 2 and event 2 are the first at or after it */
  j.from = 200;
  g_assert_true (fd_store_write_sync (f->store, replay_job, &j, NULL));
  after = get (f, id);
  g_assert_cmpint (after->data_cursor, ==, 1);
  g_assert_cmpint (after->event_cursor, ==, 1);
  g_assert_null (after->inflight_batch);
  g_assert_cmpint (after->inflight_attempts, ==, 0);
  g_assert_cmpint (after->batch_seq, ==, 1); /* batch ids are never reused */
  g_assert_cmpint (after->updated_at, ==, 4000);
  /* never forward: from 300 (sample 3) leaves the cursor at 1; from the future too */
  j.from = 300;
  g_assert_true (fd_store_write_sync (f->store, replay_job, &j, NULL));
  again = get (f, id);
  g_assert_cmpint (again->data_cursor, ==, 1);
  g_assert_cmpint (again->event_cursor, ==, 1);
  j.from = 10000;
  g_assert_true (fd_store_write_sync (f->store, replay_job, &j, NULL));
  j.from = 0;
  g_assert_true (fd_store_write_sync (f->store, replay_job, &j, NULL));
  future = get (f, id);
  g_assert_cmpint (future->data_cursor, ==, 0);
  g_assert_cmpint (future->event_cursor, ==, 0);

  j.id = (char *)"int-aaaaaaaaaaaaaaaaaaaa";
  g_assert_false (fd_store_write_sync (f->store, replay_job, &j, &gone));
  g_assert_error (gone, FD_STORE_ERROR, FD_STORE_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store-integrations/create-and-read", Fixture, NULL, set_up, test_create_and_read,
              tear_down);
  g_test_add ("/store-integrations/create-refused", Fixture, NULL, set_up, test_create_refused,
              tear_down);
  g_test_add ("/store-integrations/list", Fixture, NULL, set_up, test_list, tear_down);
  g_test_add ("/store-integrations/update-pause-delete", Fixture, NULL, set_up,
              test_update_pause_delete, tear_down);
  g_test_add ("/store-integrations/replay", Fixture, NULL, set_up, test_replay, tear_down);
  return g_test_run ();
}
