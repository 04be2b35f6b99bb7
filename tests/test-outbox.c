/* test-outbox.c — the integrations' queues in a real store: batches in id order through the
 * filters, events grouped by kind, the batch in flight recomposed after a "restart", the
 * limits dropping (counted and logged), pruning, and the retention floor. */
#include "fd-test-server.h"
#include "fd-test-store.h"

#include "fd-util.h"
#include "store/fd-store-entities.h"
#include "store/fd-store-integrations.h"
#include "store/fd-store-retention.h"
#include "store/fd-store.h"

#include <sqlite3.h>

typedef struct
{
  char *dir;
  FdStore *store;
  char *ws, *ws_other;
  char *fleet_a, *fleet_b;
} Fixture;

typedef struct
{
  Fixture *f;
  FdIntegration *integration;
  FdOutboxBatch *batch;
  FdDeliveryAttempt attempt;
  gboolean flag;
  gint64 n, m;
  FdPage page;
  const char *ws, *fleet, *device, *tag, *sql;
  gint64 ts_in, count;
  FdOutboxKind kind;
} Call;

static gboolean
setup_job (FdDb *db, gpointer data, GError **error)
{
  Fixture *f = data;
  g_autoptr (FdWorkspace) ws = fd_store_workspace_create (db, "w", NULL, error);
  g_autoptr (FdWorkspace) other = ws ? fd_store_workspace_create (db, "o", NULL, error) : NULL;
  g_autoptr (FdFleet) a = other ? fd_store_fleet_create (db, ws->id, "a", NULL, error) : NULL;
  g_autoptr (FdFleet) b = a ? fd_store_fleet_create (db, ws->id, "b", NULL, error) : NULL;

  if (b == NULL)
    return FALSE;
  f->ws = g_strdup (ws->id);
  f->ws_other = g_strdup (other->id);
  f->fleet_a = g_strdup (a->id);
  f->fleet_b = g_strdup (b->id);
  return TRUE;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->store = fd_test_store_open ("fd-outbox-XXXXXX", setup_job, f, &f->dir);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fd_test_store_close (f->store, &f->dir);
  g_free (f->ws);
  g_free (f->ws_other);
  g_free (f->fleet_a);
  g_free (f->fleet_b);
}

static gboolean
run_write (Fixture *f, FdStoreFunc func, Call *c)
{
  g_autoptr (GError) error = NULL;
  gboolean ok;

  c->f = f;
  ok = fd_store_write_sync (f->store, func, c, &error);
  g_assert_no_error (error);
  return ok;
}

static void
run_read (Fixture *f, FdStoreFunc func, Call *c)
{
  g_autoptr (GError) error = NULL;

  c->f = f;
  g_assert_true (fd_store_read_sync (f->store, func, c, &error));
  g_assert_no_error (error);
}

/* Samples: @count readings of (@ws, @fleet, @device, @tag) arriving at @ts_in, payload
 * {"n": <sample id>} — a stream made on first use, as ingest does. */
static gboolean
samples_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  sqlite3_stmt *stmt = fd_db_prepare (db,
                                      "INSERT OR IGNORE INTO stream (workspace_id, fleet_id,"
                                      " device_id, tag, first_seen, last_seen)"
                                      " VALUES (?1, ?2, ?3, ?4, 0, 0)",
                                      error);
  gint64 stream = 0;

  fd_db_bind_text (stmt, 1, c->ws);
  fd_db_bind_text (stmt, 2, c->fleet);
  fd_db_bind_text (stmt, 3, c->device);
  fd_db_bind_text (stmt, 4, c->tag);
  if (!fd_db_step_done (db, stmt, NULL, error))
    return FALSE;
  stmt = fd_db_prepare (
      db, "SELECT id FROM stream WHERE device_id = ?1 AND tag = ?2 AND fleet_id = ?3", error);
  fd_db_bind_text (stmt, 1, c->device);
  fd_db_bind_text (stmt, 2, c->tag);
  fd_db_bind_text (stmt, 3, c->fleet);
  if (!fd_db_fetch_count (db, stmt, &stream, error))
    return FALSE;
  for (gint64 i = 0; i < c->count; i++)
    {
      stmt = fd_db_prepare (db,
                            "INSERT INTO sample (stream, ts_device, ts_in, payload)"
                            " VALUES (?1, ?2, ?2, json_object ('n', (SELECT coalesce (max (id),"
                            " 0) + 1 FROM sample)))",
                            error);
      sqlite3_bind_int64 (stmt, 1, stream);
      sqlite3_bind_int64 (stmt, 2, c->ts_in);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
      stmt = fd_db_prepare (db,
                            "INSERT INTO sample_ts (stream, ts_device, id)"
                            " VALUES (?1, ?2, last_insert_rowid ())",
                            error);
      sqlite3_bind_int64 (stmt, 1, stream);
      sqlite3_bind_int64 (stmt, 2, c->ts_in);
      if (!fd_db_step_done (db, stmt, NULL, error))
        return FALSE;
    }
  return TRUE;
}

static void
add_samples (Fixture *f, const char *ws, const char *fleet, const char *device, const char *tag,
             gint64 ts_in, gint64 count)
{
  Call c
      = { .ws = ws, .fleet = fleet, .device = device, .tag = tag, .ts_in = ts_in, .count = count };
  g_assert_true (run_write (f, samples_job, &c));
}

static gboolean
create_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_integration_create (db, c->integration, fd_now_ms (), error);
}

static FdIntegration *
make_integration (Fixture *f, guint kinds, const char *const *fleets, const char *const *tags,
                  gint64 batch_max)
{
  FdIntegration *i = g_new0 (FdIntegration, 1);
  Call c = { .integration = i };

  i->workspace_id = g_strdup (f->ws);
  i->type = FD_INTEGRATION_WEBHOOK;
  i->name = g_strdup ("hook");
  i->config = g_strdup ("{\"url\":\"http://127.0.0.1:9/\",\"headers\":{}}");
  i->secret = g_strdup ("s3cret");
  i->kinds = kinds;
  i->fleets = g_strdupv ((char **)fleets);
  i->tags = g_strdupv ((char **)tags);
  i->batch_max = batch_max;
  i->batch_delay_ms = 0;
  i->max_queued = FD_INTEGRATION_MAX_QUEUED_DEFAULT;
  i->max_age_s = FD_INTEGRATION_MAX_AGE_S_DEFAULT;
  g_assert_true (run_write (f, create_job, &c));
  return i;
}

static gboolean
get_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  fd_integration_free (c->integration);
  c->integration = fd_store_integration_get (db, c->sql, error);
  return c->integration != NULL;
}

static FdIntegration *
reload (Fixture *f, const char *id)
{
  Call c = { .sql = id };
  run_read (f, get_job, &c);
  return c.integration;
}

static gboolean
read_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  if (c->integration->inflight_batch != NULL)
    return fd_store_outbox_recompose (db, c->integration, &c->batch, error);
  return fd_store_outbox_read (db, c->integration, &c->batch, error);
}

static gboolean
begin_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_outbox_begin (db, c->integration->id, c->integration->data_cursor,
                                c->integration->event_cursor, c->batch, &c->flag, error);
}

static gboolean
done_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_outbox_done (db, c->integration->id, c->batch, &c->attempt, &c->flag, error);
}

static gboolean
attempt_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_outbox_attempt (db, c->integration->id, c->batch, &c->attempt, &c->flag, error);
}

static gboolean
skip_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_outbox_skip (db, c->integration->id, c->integration->data_cursor,
                               c->batch->scanned_to, error);
}

static gboolean
limit_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_outbox_limit (db, c->integration->id, fd_now_ms (), &c->n, error);
}

static gboolean
depth_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_outbox_depth (db, c->integration, &c->n, &c->m, error);
}

static gboolean
deliveries_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_delivery_list (db, c->integration->id, c->sql, 0, 100, &c->page, error);
}

static gboolean
sql_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_db_exec (db, c->sql, error);
}

static gboolean
event_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  g_autofree char *body = g_strdup_printf ("{\"type\":\"%s\",\"n\":%" G_GINT64_FORMAT "}",
                                           fd_outbox_kind_name (c->kind), c->count);
  return fd_store_outbox_event_add (db, c->ws, c->kind, c->fleet, c->device, c->tag, c->ts_in, body,
                                    error);
}

/* Reads, begins and delivers batches of @id until the queue is empty; the ids of every item
 * and the kind of each batch, in order. */
static GArray *
drain (Fixture *f, const char *id, GString *kinds)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (int round = 0; round < 1000; round++)
    {
      Call c = { .integration = reload (f, id) };

      run_read (f, read_job, &c);
      if (c.batch == NULL)
        {
          fd_integration_free (c.integration);
          return ids;
        }
      if (c.batch->items->len > 0)
        {
          g_assert_true (run_write (f, begin_job, &c));
          g_assert_true (c.flag);
          g_assert_nonnull (c.batch->batch_id);
          for (guint i = 0; i < c.batch->items->len; i++)
            g_array_append_val (ids, g_array_index (c.batch->items, FdOutboxItem, i).id);
          if (kinds != NULL)
            g_string_append_printf (kinds, "%s%s:%u", kinds->len ? " " : "",
                                    fd_outbox_kind_name (c.batch->kind), c.batch->items->len);
        }
      else
        {
          /* nothing matched in the part scanned: the cursor moves on */
          g_assert_cmpint (c.batch->scanned_to, >, c.integration->data_cursor);
          g_assert_true (run_write (f, skip_job, &c));
        }
      if (c.batch->items->len > 0)
        {
          c.attempt
              = (FdDeliveryAttempt){ .outcome = "delivered", .status = 200, .at = fd_now_ms () };
          g_assert_true (run_write (f, done_job, &c));
          g_assert_true (c.flag);
        }
      fd_outbox_batch_free (c.batch);
      fd_integration_free (c.integration);
    }
  g_assert_not_reached ();
}

static void
test_batches_in_order (Fixture *f, gconstpointer data)
{
  const char *const tags[] = { "weather", NULL };
  const char *const fleets[] = { f->fleet_a, NULL };
  g_autoptr (FdIntegration) all = make_integration (f, FD_OUTBOX_KIND_DATA, NULL, NULL, 7);
  g_autoptr (FdIntegration) some = make_integration (f, FD_OUTBOX_KIND_DATA, fleets, tags, 4);
  g_autoptr (GArray) got_all = NULL;
  g_autoptr (GArray) got_some = NULL;
  g_autoptr (FdIntegration) after = NULL;
  gint64 now = fd_now_ms ();

  /* ids 1-5 weather in fleet a, 6-10 power in a, 11-15 weather in b, 16-20 in another
   * workspace, 21-25 weather in a again */
  add_samples (f, f->ws, f->fleet_a, "dev-1", "weather", now, 5);
  add_samples (f, f->ws, f->fleet_a, "dev-1", "power", now, 5);
  add_samples (f, f->ws, f->fleet_b, "dev-2", "weather", now, 5);
  add_samples (f, f->ws_other, "flt-x", "dev-3", "weather", now, 5);
  add_samples (f, f->ws, f->fleet_a, "dev-4", "weather", now, 5);

  got_all = drain (f, all->id, NULL);
  g_assert_cmpuint (got_all->len, ==, 20);
  for (guint i = 0; i < got_all->len; i++)
    g_assert_cmpint (g_array_index (got_all, gint64, i), ==, i < 15 ? i + 1 : i + 6);

  got_some = drain (f, some->id, NULL);
  g_assert_cmpuint (got_some->len, ==, 10);
  for (guint i = 0; i < got_some->len; i++)
    g_assert_cmpint (g_array_index (got_some, gint64, i), ==, i < 5 ? i + 1 : i + 16);

  after = reload (f, all->id);
  g_assert_cmpint (after->delivered, ==, 20);
  g_assert_cmpint (after->batch_seq, ==, 3);
  g_assert_cmpint (after->data_cursor, ==, 25);
  g_assert_null (after->inflight_batch);
}

static void
test_events_by_kind (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i = make_integration (
      f, FD_OUTBOX_KIND_CONDITIONS | FD_OUTBOX_KIND_DEVICES | FD_OUTBOX_KIND_DATA, NULL, NULL, 10);
  g_autoptr (GString) kinds = g_string_new (NULL);
  g_autoptr (GArray) ids = NULL;
  const FdOutboxKind order[]
      = { FD_OUTBOX_KIND_CONDITIONS, FD_OUTBOX_KIND_CONDITIONS, FD_OUTBOX_KIND_DEVICES,
          FD_OUTBOX_KIND_JOBS, FD_OUTBOX_KIND_CONDITIONS };

  for (guint n = 0; n < G_N_ELEMENTS (order); n++)
    {
      Call c = { .ws = f->ws, .kind = order[n], .ts_in = 1000 + n, .count = n };
      g_assert_true (run_write (f, event_job, &c));
    }
  add_samples (f, f->ws, f->fleet_a, "dev-1", "weather", fd_now_ms (), 3);
  ids = drain (f, i->id, kinds);
  /* no integration wants jobs: that event was never written */
  g_assert_cmpstr (kinds->str, ==, "conditions:2 devices:1 conditions:1 data:3");
}

static void
test_inflight_recomposed (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i = make_integration (f, FD_OUTBOX_KIND_DATA, NULL, NULL, 5);
  Call c = { 0 }, again = { 0 };
  g_autofree char *first = g_strdup_printf ("%s-1", i->id);
  FdPage page = { 0 };

  add_samples (f, f->ws, f->fleet_a, "dev-1", "weather", fd_now_ms (), 8);
  c.integration = reload (f, i->id);
  run_read (f, read_job, &c);
  g_assert_true (run_write (f, begin_job, &c));
  g_assert_true (c.flag);
  g_assert_cmpstr (c.batch->batch_id, ==, first);
  /* a failed attempt, then "a crash": everything is read again from the store */
  c.attempt = (FdDeliveryAttempt){ .outcome = "retry", .status = 503, .error = "down", .at = 5 };
  g_assert_true (run_write (f, attempt_job, &c));
  g_assert_true (c.flag);

  again.integration = reload (f, i->id);
  g_assert_cmpstr (again.integration->inflight_batch, ==, c.batch->batch_id);
  g_assert_cmpint (again.integration->inflight_attempts, ==, 1);
  g_assert_cmpstr (again.integration->last_error, ==, "down");
  run_read (f, read_job, &again);
  g_assert_cmpstr (again.batch->batch_id, ==, c.batch->batch_id);
  g_assert_cmpuint (again.batch->items->len, ==, c.batch->items->len);
  for (guint n = 0; n < c.batch->items->len; n++)
    {
      FdOutboxItem *a = &g_array_index (c.batch->items, FdOutboxItem, n);
      FdOutboxItem *b = &g_array_index (again.batch->items, FdOutboxItem, n);
      g_assert_cmpint (a->id, ==, b->id);
      g_assert_cmpstr (a->payload, ==, b->payload);
      g_assert_cmpstr (a->device_id, ==, b->device_id);
    }
  /* a second begin of the same cursors is refused while it is in flight */
  g_assert_true (run_write (f, begin_job, &c));
  g_assert_false (c.flag);

  again.attempt = (FdDeliveryAttempt){ .outcome = "delivered", .status = 200, .at = 6 };
  g_assert_true (run_write (f, done_job, &again));
  g_assert_true (again.flag);
  /* done twice: the second finds it no longer in flight and changes nothing */
  g_assert_true (run_write (f, done_job, &again));
  g_assert_false (again.flag);

  fd_integration_free (again.integration);
  again.integration = reload (f, i->id);
  g_assert_cmpint (again.integration->delivered, ==, 5);
  g_assert_cmpint (again.integration->data_cursor, ==, 5);

  c.sql = NULL;
  run_read (f, deliveries_job, &c);
  page = c.page;
  g_assert_cmpint (page.total, ==, 2);
  {
    FdDelivery *newest = page.items->pdata[0], *oldest = page.items->pdata[1];
    g_assert_cmpstr (newest->outcome, ==, "delivered");
    g_assert_cmpint (newest->attempt, ==, 2);
    g_assert_cmpstr (oldest->outcome, ==, "retry");
    g_assert_cmpint (oldest->status, ==, 503);
    g_assert_cmpstr (oldest->error, ==, "down");
    g_assert_cmpint (oldest->items, ==, 5);
  }
  fd_page_clear (&page);
  fd_outbox_batch_free (c.batch);
  fd_outbox_batch_free (again.batch);
  fd_integration_free (c.integration);
  fd_integration_free (again.integration);
}

static void
test_limits_drop (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i = make_integration (f, FD_OUTBOX_KIND_DATA, NULL, NULL, 4);
  g_autofree char *set = g_strdup_printf (
      "UPDATE integration SET max_queued = 5, max_age_s = 3600 WHERE id = '%s'", i->id);
  Call c = { .sql = set }, l = { 0 }, d = { 0 };
  gint64 now = fd_now_ms ();
  g_autoptr (GArray) ids = NULL;

  /* ids 1-3 are two hours old, 4-12 fresh */
  add_samples (f, f->ws, f->fleet_a, "dev-1", "weather", now - 2 * 3600 * 1000, 3);
  add_samples (f, f->ws, f->fleet_a, "dev-1", "weather", now, 9);
  g_assert_true (run_write (f, sql_job, &c));

  /* a batch in flight (ids 1-4) is among what goes */
  c.integration = reload (f, i->id);
  run_read (f, read_job, &c);
  g_assert_true (run_write (f, begin_job, &c));
  g_assert_true (c.flag);

  d.integration = reload (f, i->id);
  run_read (f, depth_job, &d);
  g_assert_cmpint (d.n, ==, 12);
  g_assert_cmpint (d.m, ==, now - 2 * 3600 * 1000);

  l.integration = d.integration;
  g_assert_true (run_write (f, limit_job, &l));
  /* 3 too old, then 9 left of which 4 over max_queued: the cursor passes id 7 */
  g_assert_cmpint (l.n, ==, 7);
  l.integration = NULL;
  fd_integration_free (d.integration);
  d.integration = reload (f, i->id);
  g_assert_cmpint (d.integration->dropped, ==, 7);
  g_assert_cmpint (d.integration->data_cursor, ==, 7);
  g_assert_null (d.integration->inflight_batch);
  /* within the limits now: nothing more */
  l.integration = d.integration;
  g_assert_true (run_write (f, limit_job, &l));
  g_assert_cmpint (l.n, ==, 0);

  /* the dropped batch's outcome is not recorded: it is no longer in flight */
  c.attempt = (FdDeliveryAttempt){ .outcome = "delivered", .status = 200, .at = 6 };
  g_assert_true (run_write (f, done_job, &c));
  g_assert_false (c.flag);

  c.sql = "dropped";
  run_read (f, deliveries_job, &c);
  g_assert_cmpint (c.page.total, >=, 1);
  {
    gint64 sum = 0;
    for (guint n = 0; n < c.page.items->len; n++)
      sum += ((FdDelivery *)c.page.items->pdata[n])->items;
    g_assert_cmpint (sum, ==, 7);
  }
  fd_page_clear (&c.page);

  ids = drain (f, i->id, NULL);
  g_assert_cmpuint (ids->len, ==, 5);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, 8);
  fd_outbox_batch_free (c.batch);
  fd_integration_free (c.integration);
  fd_integration_free (d.integration);
}

static gboolean
prune_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_outbox_prune (db, c->ts_in, error);
}

static gboolean
count_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT count(*) FROM outbox_event", error);
  if (!fd_db_fetch_count (db, stmt, &c->n, error))
    return FALSE;
  stmt = fd_db_prepare (db, "SELECT count(*) FROM delivery", error);
  return fd_db_fetch_count (db, stmt, &c->m, error);
}

static gboolean
floor_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  return fd_store_outbox_data_floor (db, c->count, &c->n, error);
}

static void
test_prune_and_floor (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i
      = make_integration (f, FD_OUTBOX_KIND_DATA | FD_OUTBOX_KIND_CONDITIONS, NULL, NULL, 100);
  gint64 now = fd_now_ms ();
  Call c = { 0 };
  g_autoptr (GArray) ids = NULL;

  add_samples (f, f->ws, f->fleet_a, "dev-1", "weather", now, 3);
  c.count = 1; /* the stream */
  run_read (f, floor_job, &c);
  g_assert_cmpint (c.n, ==, 0);
  for (int n = 0; n < 4; n++)
    {
      Call e = {
        .ws = f->ws, .kind = FD_OUTBOX_KIND_CONDITIONS, .ts_in = now - 3 * 86400000LL, .count = n
      };
      g_assert_true (run_write (f, event_job, &e));
    }
  ids = drain (f, i->id, NULL);
  g_assert_cmpuint (ids->len, ==, 7);
  c.count = 1;
  run_read (f, floor_job, &c);
  g_assert_cmpint (c.n, ==, 3);
  c.count = 999; /* no stream: nothing holds it */
  run_read (f, floor_job, &c);
  g_assert_cmpint (c.n, ==, G_MAXINT64);

  run_read (f, count_job, &c);
  g_assert_cmpint (c.n, ==, 4);
  g_assert_cmpint (c.m, ==, 2);
  /* delivered events older than a day go; the log stays (7 days) */
  c.ts_in = now;
  g_assert_true (run_write (f, prune_job, &c));
  run_read (f, count_job, &c);
  g_assert_cmpint (c.n, ==, 0);
  g_assert_cmpint (c.m, ==, 2);
  /* eight days later the log goes too */
  c.ts_in = now + 8 * 86400000LL;
  g_assert_true (run_write (f, prune_job, &c));
  run_read (f, count_job, &c);
  g_assert_cmpint (c.m, ==, 0);
}

/* A batch ends at FD_OUTBOX_BATCH_MAX_BYTES of payloads, however big batch_max is. */
static void
test_batch_bytes (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i = make_integration (f, FD_OUTBOX_KIND_DATA, NULL, NULL, 10000);
  Call c = { .sql = "UPDATE sample SET payload = json_object ('n', id, 'pad',"
                    " printf ('%.*c', 1500000, 'x'))" };
  g_autoptr (GString) kinds = g_string_new (NULL);
  g_autoptr (GArray) ids = NULL;

  add_samples (f, f->ws, f->fleet_a, "dev-1", "weather", fd_now_ms (), 7);
  g_assert_true (run_write (f, sql_job, &c));
  ids = drain (f, i->id, kinds);
  g_assert_cmpuint (ids->len, ==, 7);
  g_assert_cmpstr (kinds->str, ==, "data:3 data:3 data:1");
}

static gboolean
retention_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  g_autoptr (GArray) items = g_array_new (FALSE, FALSE, sizeof (FdRetentionItem));
  FdRetentionItem item = { FD_RETENTION_SAMPLES, 1, fd_now_ms () - 7 * 86400000LL };
  FdRetentionCursor cursor = { 0 };
  gboolean done = FALSE;

  g_array_append_val (items, item);
  while (!done)
    if (!fd_store_retention_step (db, items, &cursor, &done, error))
      return FALSE;
  c->n = cursor.counts.samples_deleted;
  return TRUE;
}

static gboolean
sample_ids_job (FdDb *db, gpointer data, GError **error)
{
  Call *c = data;
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT min (id), count(*) FROM sample", error);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  c->n = sqlite3_column_int64 (stmt, 0);
  c->m = sqlite3_column_int64 (stmt, 1);
  sqlite3_reset (stmt);
  return TRUE;
}

/* Retention keeps what an integration has not delivered yet, and the newest sample (whose id
 * the next reading would otherwise take again, below the cursor). */
static void
test_retention_guard (Fixture *f, gconstpointer data)
{
  g_autoptr (FdIntegration) i = make_integration (f, FD_OUTBOX_KIND_DATA, NULL, NULL, 4);
  Call c = { .integration = NULL }, r = { 0 }, ids = { 0 };
  g_autoptr (GArray) all = NULL;

  add_samples (f, f->ws, f->fleet_a, "dev-1", "weather", fd_now_ms () - 30 * 86400000LL, 10);
  /* one batch of 4 delivered */
  c.integration = reload (f, i->id);
  run_read (f, read_job, &c);
  g_assert_true (run_write (f, begin_job, &c));
  c.attempt = (FdDeliveryAttempt){ .outcome = "delivered", .status = 200, .at = fd_now_ms () };
  g_assert_true (run_write (f, done_job, &c));
  g_assert_true (run_write (f, retention_job, &r));
  g_assert_cmpint (r.n, ==, 4);
  run_read (f, sample_ids_job, &ids);
  g_assert_cmpint (ids.n, ==, 5);
  g_assert_cmpint (ids.m, ==, 6);

  all = drain (f, i->id, NULL);
  g_assert_cmpuint (all->len, ==, 6);
  g_assert_true (run_write (f, retention_job, &r));
  g_assert_cmpint (r.n, ==, 5);
  run_read (f, sample_ids_job, &ids);
  g_assert_cmpint (ids.n, ==, 10);
  g_assert_cmpint (ids.m, ==, 1);
  fd_outbox_batch_free (c.batch);
  fd_integration_free (c.integration);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/outbox/batches-in-order", Fixture, NULL, fixture_set_up, test_batches_in_order,
              fixture_tear_down);
  g_test_add ("/outbox/events-by-kind", Fixture, NULL, fixture_set_up, test_events_by_kind,
              fixture_tear_down);
  g_test_add ("/outbox/inflight-recomposed", Fixture, NULL, fixture_set_up,
              test_inflight_recomposed, fixture_tear_down);
  g_test_add ("/outbox/limits-drop", Fixture, NULL, fixture_set_up, test_limits_drop,
              fixture_tear_down);
  g_test_add ("/outbox/prune-and-floor", Fixture, NULL, fixture_set_up, test_prune_and_floor,
              fixture_tear_down);
  g_test_add ("/outbox/batch-bytes", Fixture, NULL, fixture_set_up, test_batch_bytes,
              fixture_tear_down);
  g_test_add ("/outbox/retention-guard", Fixture, NULL, fixture_set_up, test_retention_guard,
              fixture_tear_down);
  return g_test_run ();
}
