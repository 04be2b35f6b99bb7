/* bench-ota.c — the cost of a campaign's hot path: N devices reporting their update.
 *
 * In one process, on a temporary store: the engine's store, ingest, downlink and FdOta (no
 * network: what is measured is what the server does per message once a transport handed it
 * over). Seeds one workspace with N devices and a firmware row, then times
 *   - creating a campaign over all of them (targets resolved, sorted, N @fota entries stored in
 *     one job, delivered);
 *   - R rounds of one _fota_status progress report per device, all queued at once (what N
 *     devices downloading look like), through fd_ota_up_async;
 *   - the same number of plain reports of another key through fd_ingest_up_async, as the
 *     baseline an ordinary up message costs;
 *   - the final @fota of every device, and the campaign's completion on the next tick.
 *
 * Run by hand: _build/bench/bench-ota [--devices N] [--rounds R]. Not a test; bench/README.md
 * has the figures measured so far.
 */
#include "config.h"

#include "device/fd-device-sessions.h"
#include "device/fd-downlink.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "ota/fd-ota.h"
#include "store/fd-store-campaigns.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct
{
  char *workspace_id;
  GPtrArray *devices; /* char* */
  guint n;
} Seed;

static gboolean
seed_job (FdDb *db, gpointer data, GError **error)
{
  Seed *s = data;
  g_autoptr (FdWorkspace) w = fd_store_workspace_create (db, "bench", "", error);
  sqlite3_stmt *stmt;

  if (w == NULL)
    return FALSE;
  s->workspace_id = g_strdup (w->id);
  for (guint i = 0; i < s->n; i++)
    {
      g_autofree char *name = g_strdup_printf ("ota-%06u", i);
      g_autoptr (FdDevice) d = fd_store_device_create (db, w->id, NULL, name, error);
      if (d == NULL)
        return FALSE;
      g_ptr_array_add (s->devices, g_strdup (d->id));
    }
  stmt = fd_db_prepare (db,
                        "INSERT INTO firmware (id, workspace_id, version, size, sha256, manifest,"
                        " signature, file, created_at) VALUES ('fw-benchbenchbenchbench', ?1,"
                        " '2.0', 1048576, 'ab', '{}', 'c2ln', 'x', 0)",
                        error);
  if (stmt == NULL)
    return FALSE;
  fd_db_bind_text (stmt, 1, w->id);
  return fd_db_step_done (db, stmt, NULL, error);
}

typedef struct
{
  GMainLoop *loop;
  guint pending;
  guint failed;
} Wait;

static void
count_done (Wait *w, gboolean ok)
{
  if (!ok)
    w->failed++;
  if (--w->pending == 0)
    g_main_loop_quit (w->loop);
}

static void
ota_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  count_done (user_data, fd_ota_up_finish (result, NULL));
}

static void
plain_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  count_done (user_data, fd_ingest_up_finish (result, NULL));
}

static FdCampaign *created_campaign;

static void
created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;
  g_autoptr (GError) error = NULL;

  created_campaign = fd_ota_create_finish (result, NULL, &error);
  if (created_campaign == NULL)
    g_error ("create: %s", error->message);
  g_main_loop_quit (w->loop);
}

static gboolean
state_job (FdDb *db, gpointer data, GError **error)
{
  FdCampaign **c = data;
  g_autofree char *id = g_strdup ((*c)->id);

  fd_campaign_free (*c);
  *c = fd_store_campaign_get (db, id, error);
  return *c != NULL;
}

static double
ms_since (gint64 start)
{
  return (double)(g_get_monotonic_time () - start) / 1000.0;
}

int
main (int argc, char **argv)
{
  gint n = 2000, rounds = 10;
  GOptionEntry entries[] = {
    { "devices", 0, 0, G_OPTION_ARG_INT, &n, "Devices (default 2000)", "N" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Progress reports per device (default 10)", "R" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("— the campaign hot path");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fd-bench-ota-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "fleetdesk.db", NULL);
  Seed seed = { 0 };
  Wait w = { 0 };
  FdStore *store;
  FdIngest *ingest;
  FdSessions *sessions;
  FdDownlink *downlink;
  FdOta *ota;
  FdOtaSpec *spec;
  GPtrArray *who;
  gint64 start;
  double create_ms, ota_ms, plain_ms, final_ms, done_ms;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    g_error ("%s", error->message);
  store = fd_store_open (path, 4, &error);
  g_assert_no_error (error);
  ingest = fd_ingest_new (store);
  sessions = fd_sessions_new (store, &error);
  g_assert_no_error (error);
  downlink = fd_downlink_new (store, sessions);
  ota = fd_ota_new (store, downlink, NULL, NULL);
  fd_ota_set_tick_ms (ota, 200);
  if (!fd_ota_start (ota, &error))
    g_error ("%s", error->message);
  seed.n = (guint)n;
  seed.devices = g_ptr_array_new_with_free_func (g_free);
  if (!fd_store_write_sync (store, seed_job, &seed, &error))
    g_error ("%s", error->message);
  who = g_ptr_array_new_with_free_func ((GDestroyNotify)fd_device_identity_unref);
  for (guint i = 0; i < seed.devices->len; i++)
    g_ptr_array_add (who, fd_device_identity_new (seed.devices->pdata[i], seed.workspace_id,
                                                  "crd-benchbenchbenchbench",
                                                  FD_DEVICE_AUTH_CERTIFICATE));
  w.loop = g_main_loop_new (NULL, FALSE);

  spec = g_new0 (FdOtaSpec, 1);
  spec->id = fd_id_new ("cmp");
  spec->workspace_id = g_strdup (seed.workspace_id);
  spec->firmware_id = g_strdup ("fw-benchbenchbenchbench");
  g_ptr_array_add (seed.devices, NULL);
  spec->devices = g_strdupv ((char **)seed.devices->pdata);
  g_ptr_array_remove_index (seed.devices, seed.devices->len - 1);
  spec->n_stages = 1;
  spec->stages[0].value = 100;
  spec->success_threshold = 90;
  spec->failure_threshold = 20;
  spec->failure_min = 10;
  spec->device_timeout_s = 3600;
  start = g_get_monotonic_time ();
  fd_ota_create_async (ota, spec, NULL, NULL, NULL, created, &w);
  g_main_loop_run (w.loop);
  create_ms = ms_since (start);

  start = g_get_monotonic_time ();
  for (int r = 0; r < rounds; r++)
    for (guint i = 0; i < who->len; i++)
      {
        g_autofree char *v
            = g_strdup_printf ("{\"state\":\"downloading\",\"progress\":%d,\"fw_version\":\"2.0\"}",
                               (r + 1) * 100 / (rounds + 1));
        w.pending++;
        fd_ota_up_async (ota, ingest, who->pdata[i], "_fota_status", v, ota_done, &w);
      }
  g_main_loop_run (w.loop);
  ota_ms = ms_since (start);

  start = g_get_monotonic_time ();
  for (int r = 0; r < rounds; r++)
    for (guint i = 0; i < who->len; i++)
      {
        g_autofree char *v = g_strdup_printf ("{\"progress\":%d}", r);
        w.pending++;
        fd_ingest_up_async (ingest, who->pdata[i], "_other", v, plain_done, &w);
      }
  g_main_loop_run (w.loop);
  plain_ms = ms_since (start);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < who->len; i++)
    {
      w.pending++;
      fd_ota_up_async (ota, ingest, who->pdata[i], "@fota",
                       "{\"fw_version\":\"2.0\",\"result\":\"success\",\"msg\":\"\"}", ota_done,
                       &w);
    }
  g_main_loop_run (w.loop);
  final_ms = ms_since (start);
  start = g_get_monotonic_time ();
  for (;;)
    {
      if (!fd_store_read_sync (store, state_job, &created_campaign, &error))
        g_error ("%s", error->message);
      if (g_str_equal (created_campaign->state, "completed"))
        break;
      fd_main_context_iterate_for (NULL, 10);
    }
  done_ms = ms_since (start);

  g_print ("devices %d, rounds %d, failed messages %u\n", n, rounds, w.failed);
  g_print ("create (targets, %d @fota entries in one job): %.1f ms\n", n, create_ms);
  g_print ("_fota_status through FdOta: %d reports in %.0f ms = %.0f reports/s\n", n * rounds,
           ota_ms, n * rounds / (ota_ms / 1000.0));
  g_print ("plain reports (baseline):   %d reports in %.0f ms = %.0f reports/s\n", n * rounds,
           plain_ms, n * rounds / (plain_ms / 1000.0));
  g_print ("final @fota: %d in %.0f ms; completed %.0f ms after the last (tick 200 ms)\n", n,
           final_ms, done_ms);

  fd_ota_free (ota);
  fd_store_close (store);
  fd_downlink_free (downlink);
  fd_sessions_free (sessions);
  fd_ingest_free (ingest);
  g_ptr_array_unref (who);
  g_ptr_array_unref (seed.devices);
  g_free (seed.workspace_id);
  fd_campaign_free (created_campaign);
  g_main_loop_unref (w.loop);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    if (g_getenv ("FD_BENCH_KEEP") == NULL) g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    if (g_getenv ("FD_BENCH_KEEP") != NULL) g_print ("kept %s\n", path); else g_rmdir (dir);
  }
  return w.failed == 0 ? 0 : 1;
}
