/* test-store.c — the SQLite store: migrations, constraints, group commit. */
#include "fd-test-server.h"

#include "fd-engine.h"
#include "store/fd-store-entities.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("fd-store-XXXXXX", NULL);
  f->path = g_build_filename (f->dir, "fleetdesk.db", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fd_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

/* --- jobs used by the tests --- */

typedef struct
{
  const char *name;
  const char *workspace_id;
  const char *fleet_id;
  FdWorkspace *workspace;
  FdDevice *device;
  FdPage page;
} Call;

static gboolean
create_workspace (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  c->workspace = fd_store_workspace_create (db, c->name, NULL, error);
  return c->workspace != NULL;
}

static gboolean
create_device (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  c->device = fd_store_device_create (db, c->workspace_id, c->fleet_id, c->name, error);
  return c->device != NULL;
}

static gboolean
list_devices (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_device_list (db, c->workspace_id, NULL, c->name, -1, FD_DEVICE_SORT_NAME, 0, 100,
                               &c->page, error);
}

static FdWorkspace *
make_workspace (FdStore *store, const char *name)
{
  g_autoptr (GError) error = NULL;
  Call c = { .name = name };

  g_assert_true (fd_store_write_sync (store, create_workspace, &c, &error));
  g_assert_no_error (error);
  return c.workspace;
}

static FdDevice *
make_device (FdStore *store, const char *workspace_id, const char *fleet_id, const char *name,
             GError **error)
{
  Call c = { .name = name, .workspace_id = workspace_id, .fleet_id = fleet_id };

  fd_store_write_sync (store, create_device, &c, error);
  return c.device;
}

/* --- tests --- */

static void
test_fresh_database (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FdStore *store = fd_store_open (f->path, 2, &error);
  g_autoptr (FdDb) db = NULL;
  g_autoptr (FdWorkspace) w = NULL;

  g_assert_no_error (error);
  w = make_workspace (store, "Lab");
  g_assert_cmpstr (w->name, ==, "Lab");
  g_assert_true (g_str_has_prefix (w->id, "wks-"));
  g_assert_true (g_str_has_prefix (w->default_fleet_id, "flt-"));
  g_assert_cmpint (w->fleet_count, ==, 1);
  fd_store_close (store);

  db = fd_db_open (f->path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd_store_schema_version (db), ==, FD_STORE_SCHEMA_VERSION);
}

/* A database made by the first migration only (as the first release wrote it) is upgraded in
 * place and keeps its data. */
static void
test_upgrade_from_first_migration (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FdStore *store;
  Call c = { .workspace_id = "wks-aaaaaaaaaaaaaaaaaaaa" };

  {
    g_autoptr (FdDb) old = fd_db_open (f->path, FALSE, &error);
    g_assert_no_error (error);
    g_assert_true (fd_store_migrate (old, 1, &error));
    g_assert_no_error (error);
    g_assert_cmpint (fd_store_schema_version (old), ==, 1);
    g_assert_true (fd_db_exec (old,
                               "INSERT INTO workspace VALUES ('wks-aaaaaaaaaaaaaaaaaaaa', 'Old',"
                               " '', 1, 1);"
                               "INSERT INTO fleet VALUES ('flt-aaaaaaaaaaaaaaaaaaaa',"
                               " 'wks-aaaaaaaaaaaaaaaaaaaa', 'default', '', 1, 1, 1);"
                               "INSERT INTO device (id, workspace_id, fleet_id, name, created_at,"
                               " updated_at) VALUES ('dev-aaaaaaaaaaaaaaaaaaaa',"
                               " 'wks-aaaaaaaaaaaaaaaaaaaa', 'flt-aaaaaaaaaaaaaaaaaaaa',"
                               " 'old-sensor', 1, 1);",
                               &error));
    g_assert_no_error (error);
    /* no audit table yet */
    g_assert_false (fd_db_exec (old, "SELECT count(*) FROM audit", NULL));
  }

  store = fd_store_open (f->path, 1, &error);
  g_assert_no_error (error);
  g_assert_true (fd_store_read_sync (store, list_devices, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (c.page.total, ==, 1);
  g_assert_cmpstr (((FdDevice *)g_ptr_array_index (c.page.items, 0))->name, ==, "old-sensor");
  fd_page_clear (&c.page);
  fd_store_close (store);

  {
    g_autoptr (FdDb) db = fd_db_open (f->path, FALSE, &error);
    g_assert_cmpint (fd_store_schema_version (db), ==, FD_STORE_SCHEMA_VERSION);
    g_assert_true (fd_db_exec (db, "SELECT count(*) FROM audit", &error));
    g_assert_no_error (error);
  }
}

/* page.total = the value the database held before Fleetdesk first opened it. */
static gboolean
count_old_rows (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT x FROM before_fleetdesk", error);

  return stmt != NULL && fd_db_fetch_count (db, stmt, &c->page.total, error);
}

static gint64
auto_vacuum_of (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 mode;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA auto_vacuum", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  mode = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return mode;
}

/* A new database is made with incremental auto_vacuum (2), so retention can give pages back;
 * one made without (as SQLite's default, NONE, made them) is converted once, said in the log,
 * keeping what it holds. */
static void
test_auto_vacuum (Fixture *f, gconstpointer data)
{
  g_autofree char *old_path = g_build_filename (f->dir, "old.db", NULL);
  g_autoptr (GError) error = NULL;
  FdStore *store;
  sqlite3 *raw = NULL;
  Call c = { .workspace_id = NULL };

  store = fd_store_open (f->path, 1, &error);
  g_assert_no_error (error);
  fd_store_close (store);
  g_assert_cmpint (auto_vacuum_of (f->path), ==, 2);

  g_assert_cmpint (sqlite3_open (old_path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw,
                                 "PRAGMA journal_mode = WAL;"
                                 "CREATE TABLE before_fleetdesk (x);"
                                 "INSERT INTO before_fleetdesk VALUES (42);",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (raw);
  g_assert_cmpint (auto_vacuum_of (old_path), ==, 0);

  g_test_expect_message (NULL, G_LOG_LEVEL_MESSAGE,
                         "converting the database */old.db to incremental vacuum, once*");
  g_test_expect_message (NULL, G_LOG_LEVEL_MESSAGE,
                         "converted the database */old.db to incremental vacuum in *");
  store = fd_store_open (old_path, 1, &error);
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  g_assert_true (fd_store_read_sync (store, count_old_rows, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (c.page.total, ==, 42);
  fd_store_close (store);
  g_assert_cmpint (auto_vacuum_of (old_path), ==, 2);

  /* Once: opening it again converts nothing (an unexpected message would fail the test). */
  store = fd_store_open (old_path, 1, &error);
  g_assert_no_error (error);
  fd_store_close (store);
}

static void
test_newer_schema_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FdStore *store;

  {
    g_autoptr (FdDb) db = fd_db_open (f->path, FALSE, &error);
    g_assert_true (fd_db_exec (db, "PRAGMA user_version = 99", &error));
  }
  store = fd_store_open (f->path, 1, &error);
  g_assert_null (store);
  g_assert_error (error, FD_STORE_ERROR, FD_STORE_ERROR_SCHEMA_NEWER);
  g_assert_nonnull (strstr (error->message, "newer Fleetdesk"));
}

static void
test_constraints (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FdStore *store = fd_store_open (f->path, 1, &error);
  g_autoptr (FdWorkspace) a = make_workspace (store, "A");
  g_autoptr (FdWorkspace) b = make_workspace (store, "B");
  g_autoptr (FdDevice) d1 = NULL, d2 = NULL, d3 = NULL, other = NULL;
  Call dup = { .name = "A" };

  /* duplicate workspace name */
  g_assert_false (fd_store_write_sync (store, create_workspace, &dup, &error));
  g_assert_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT);
  g_clear_error (&error);

  /* device names are unique per workspace, not across workspaces */
  d1 = make_device (store, a->id, NULL, "s1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d1->fleet_id, ==, a->default_fleet_id);
  d2 = make_device (store, a->id, NULL, "s1", &error);
  g_assert_null (d2);
  g_assert_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT);
  g_clear_error (&error);
  other = make_device (store, b->id, NULL, "s1", &error);
  g_assert_no_error (error);

  /* a device can't be put into another workspace's fleet */
  d3 = make_device (store, a->id, b->default_fleet_id, "s2", &error);
  g_assert_null (d3);
  g_assert_error (error, FD_STORE_ERROR, FD_STORE_ERROR_INVALID);
  g_clear_error (&error);

  fd_store_close (store);
}

typedef struct
{
  int pending;
  int ok;
  int failed;
  GMainLoop *loop;
} Counter;

static void
count_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Counter *c = user_data;
  g_autoptr (GError) error = NULL;

  if (fd_store_run_finish (result, &error))
    c->ok++;
  else
    {
      g_assert_error (error, FD_STORE_ERROR, FD_STORE_ERROR_CONFLICT);
      c->failed++;
    }
  if (--c->pending == 0)
    g_main_loop_quit (c->loop);
}

/* Jobs queued together share a commit; one that fails leaves the others and changes nothing. */
static void
test_group_commit_isolates_failures (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FdStore *store = fd_store_open (f->path, 1, &error);
  g_autoptr (FdWorkspace) w = make_workspace (store, "W");
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Counter counter = { .loop = loop };
  const char *names[] = { "d1", "d2", "d1", "d3", "d2", "d4" };
  Call list = { .workspace_id = w->id };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      Call *c = g_new0 (Call, 1);
      c->name = names[i];
      c->workspace_id = w->id;
      counter.pending++;
      fd_store_write_async (store, create_device, c, g_free, count_done, &counter);
    }
  g_main_loop_run (loop);
  g_assert_cmpint (counter.ok, ==, 4);
  g_assert_cmpint (counter.failed, ==, 2);

  g_assert_true (fd_store_read_sync (store, list_devices, &list, &error));
  g_assert_cmpint (list.page.total, ==, 4);
  fd_page_clear (&list.page);
  fd_store_close (store);
}

/* Search matches % and _ literally, case-insensitively (ASCII and beyond). */
static void
test_search_is_literal (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FdStore *store = fd_store_open (f->path, 1, &error);
  g_autoptr (FdWorkspace) w = make_workspace (store, "W");
  const char *names[] = { "Temp_1", "TempX1", "100%", "1000" };
  Call c = { .workspace_id = w->id };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr (FdDevice) d = make_device (store, w->id, NULL, names[i], &error);
      g_assert_no_error (error);
    }
  c.name = "temp_";
  g_assert_true (fd_store_read_sync (store, list_devices, &c, &error));
  g_assert_cmpint (c.page.total, ==, 1);
  fd_page_clear (&c.page);
  c.name = "0%";
  g_assert_true (fd_store_read_sync (store, list_devices, &c, &error));
  g_assert_cmpint (c.page.total, ==, 1);
  fd_page_clear (&c.page);
  fd_store_close (store);
}

/* A job that makes SQLite drop the whole transaction (as an I/O error or a full disk can). */
static gboolean
lose_transaction (FdDb *db, gpointer data, GError **error)
{
  fd_db_exec (db, "ROLLBACK", NULL);
  g_set_error_literal (error, FD_STORE_ERROR, FD_STORE_ERROR_FAILED, "simulated I/O error");
  return FALSE;
}

typedef struct
{
  Call call;
  gboolean reported_ok;
  gboolean *done;
  guint *pending;
  GMainLoop *loop;
} Tracked;

static void
tracked_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Tracked *t = user_data;

  t->reported_ok = fd_store_run_finish (result, NULL);
  if (--*t->pending == 0)
    g_main_loop_quit (t->loop);
}

/* When SQLite rolls back a batch's transaction under one job, what each job is told matches
 * what the database holds: a job reported committed is there, a job reported failed is not. */
static void
test_lost_transaction_reported_truthfully (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FdStore *store = fd_store_open (f->path, 1, &error);
  g_autoptr (FdWorkspace) w = make_workspace (store, "W");
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Tracked jobs[12] = { 0 };
  guint pending = 0;

  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
        {
          Tracked *t = &jobs[i];
          g_free ((char *)t->call.name);
          t->call.name = g_strdup_printf ("r%u-d%02u", round, i);
          t->call.workspace_id = w->id;
          t->pending = &pending;
          t->loop = loop;
          pending++;
          fd_store_write_async (store, i == 5 ? lose_transaction : create_device, &t->call, NULL,
                                tracked_done, t);
        }
      g_main_loop_run (loop);

      for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
        {
          Call list = { .workspace_id = w->id, .name = jobs[i].call.name };
          if (i == 5)
            {
              g_assert_false (jobs[i].reported_ok);
              continue;
            }
          g_assert_true (fd_store_read_sync (store, list_devices, &list, &error));
          g_assert_cmpint (list.page.total, ==, jobs[i].reported_ok ? 1 : 0);
          fd_page_clear (&list.page);
          g_clear_pointer (&jobs[i].call.device, fd_device_free);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    g_free ((char *)jobs[i].call.name);
  fd_store_close (store);
}

/* Two engines never share a data directory, not even inside one process (the desktop app may
 * start a second engine while the first is still closing). */
/* A read job that leaves a cached statement stepping (pointing into its last row, as a job
 * handing out column text does) must not leave its connection in the past. */
static gboolean
read_leaving_statement (FdDb *db, gpointer data, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT name FROM workspace ORDER BY name", error);

  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW;
}

static gboolean
count_workspaces (FdDb *db, gpointer data, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT count(*) FROM workspace", error);

  return stmt != NULL && fd_db_fetch_count (db, stmt, data, error);
}

static void
test_reads_see_later_writes (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FdStore *store = fd_store_open (f->path, 2, &error);
  g_autoptr (FdWorkspace) first = NULL, second = NULL;

  g_assert_no_error (error);
  first = make_workspace (store, "First");
  /* Twice per reader: the pool hands them out in turn. */
  for (guint i = 0; i < 4; i++)
    g_assert_true (fd_store_read_sync (store, read_leaving_statement, NULL, &error));
  second = make_workspace (store, "Second");
  for (guint i = 0; i < 4; i++)
    {
      gint64 n = 0;
      g_assert_true (fd_store_read_sync (store, count_workspaces, &n, &error));
      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 2);
    }
  fd_store_close (store);
}

static void
test_engine_lock_in_one_process (Fixture *f, gconstpointer data)
{
  FdEngineConfig config = { .data_dir = f->dir, .api_port = 0, .quiet = TRUE };
  g_autoptr (GError) error = NULL;
  g_autoptr (FdEngine) first = fd_engine_new (&config, &error);
  g_autoptr (FdEngine) second = NULL;
  g_autoptr (FdEngine) third = NULL;

  g_assert_no_error (error);
  second = fd_engine_new (&config, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "already using the data directory"));
  g_clear_error (&error);

  /* once the first is gone, the directory is free */
  g_clear_object (&first);
  third = fd_engine_new (&config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (third);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store/fresh-database", Fixture, NULL, fixture_set_up, test_fresh_database,
              fixture_tear_down);
  g_test_add ("/store/upgrade-from-first-migration", Fixture, NULL, fixture_set_up,
              test_upgrade_from_first_migration, fixture_tear_down);
  g_test_add ("/store/auto-vacuum", Fixture, NULL, fixture_set_up, test_auto_vacuum,
              fixture_tear_down);
  g_test_add ("/store/newer-schema-refused", Fixture, NULL, fixture_set_up,
              test_newer_schema_refused, fixture_tear_down);
  g_test_add ("/store/constraints", Fixture, NULL, fixture_set_up, test_constraints,
              fixture_tear_down);
  g_test_add ("/store/group-commit-isolates-failures", Fixture, NULL, fixture_set_up,
              test_group_commit_isolates_failures, fixture_tear_down);
  g_test_add ("/store/search-is-literal", Fixture, NULL, fixture_set_up, test_search_is_literal,
              fixture_tear_down);
  g_test_add ("/store/lost-transaction-reported-truthfully", Fixture, NULL, fixture_set_up,
              test_lost_transaction_reported_truthfully, fixture_tear_down);
  g_test_add ("/store/reads-see-later-writes", Fixture, NULL, fixture_set_up,
              test_reads_see_later_writes, fixture_tear_down);
  g_test_add ("/store/engine-lock-in-one-process", Fixture, NULL, fixture_set_up,
              test_engine_lock_in_one_process, fixture_tear_down);
  return g_test_run ();
}
