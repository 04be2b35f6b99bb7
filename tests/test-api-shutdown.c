/* test-api-shutdown.c — the operator API's shutdown in-process, where its deadline can be made
 * short: work it handed to a worker thread (a bulk import) is done before fd_api_shutdown()
 * returns, so that the store and the CA it uses can then be closed. */
#include "config.h"

#include "api/fd-api-private.h" /* only to wait until the import's worker has started */
#include "fd-test-server.h"
#include "store/fd-store-entities.h"

#include <string.h>

#define TOKEN "fdt_test_shutdown_token_0123456789abcdefghijklmnopqrst"
#define ROWS 2000

static gboolean
make_workspace (FdDb *db, gpointer data, GError **error)
{
  FdWorkspace *w = fd_store_workspace_create (db, "Shutdown", "", error);

  if (w == NULL)
    return FALSE;
  *(char **)data = g_strdup (w->id);
  fd_workspace_free (w);
  return TRUE;
}

static gboolean
count_devices (FdDb *db, gpointer data, GError **error)
{
  sqlite3_stmt *stmt = fd_db_prepare (db, "SELECT count(*) FROM device", error);

  return stmt != NULL && fd_db_fetch_count (db, stmt, data, error);
}

static gint64
devices (FdStore *store)
{
  g_autoptr (GError) error = NULL;
  gint64 n = -1;

  g_assert_true (fd_store_read_sync (store, count_devices, &n, &error));
  return n;
}

static void
sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  *(gboolean *)user_data = TRUE;
}

/* An import of 2000 generated certificates takes about a second of CPU; shutting the API down
 * with no grace time in the middle of it must still wait for it. */
static void
test_shutdown_waits_for_import (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fd-api-shutdown-XXXXXX", NULL);
  g_autofree char *db_path = g_build_filename (dir, "fleetdesk.db", NULL);
  g_autofree char *pki_dir = g_build_filename (dir, "pki", NULL);
  g_autofree char *workspace = NULL;
  g_autofree char *url = NULL;
  g_autoptr (GString) csv = g_string_new ("name,credential\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) body = NULL;
  FdStore *store;
  FdPki *pki;
  FdApi *api;
  gboolean done = FALSE;
  gint64 at_shutdown, later;

  store = fd_store_open (db_path, 2, &error);
  g_assert_no_error (error);
  pki = fd_pki_open (pki_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (fd_store_write_sync (store, make_workspace, &workspace, &error));
  api = fd_api_new (store, db_path, TOKEN, &error);
  g_assert_no_error (error);
  fd_api_set_provisioning (api, pki, NULL, "localhost", 7443, 8883);
  g_assert_true (fd_api_listen (api, "127.0.0.1", 0, &error));

  for (guint i = 0; i < ROWS; i++)
    g_string_append_printf (csv, "s-%05u,generate\n", i);
  url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/workspaces/%s/devices/import",
                         fd_api_get_port (api), workspace);
  msg = soup_message_new ("POST", url);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " TOKEN);
  body = g_bytes_new (csv->str, csv->len);
  soup_message_set_request_body_from_bytes (msg, "text/csv", body);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent, &done);

  /* until the request is being worked on (the body is read, the worker started) */
  for (gint64 until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
       api->workers == 0 && !done && g_get_monotonic_time () < until;)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (done);
  g_assert_cmpuint (api->workers, ==, 1);

  fd_api_shutdown (api, 0);
  at_shutdown = devices (store);
  g_usleep (3 * G_USEC_PER_SEC);
  later = devices (store);
  g_test_message ("devices when fd_api_shutdown() returned: %" G_GINT64_FORMAT
                  ", 3 s later: %" G_GINT64_FORMAT,
                  at_shutdown, later);
  g_assert_cmpint (at_shutdown, ==, later);
  g_assert_cmpint (at_shutdown, ==, ROWS);

  fd_api_free (api);
  fd_store_close (store);
  fd_pki_free (pki);
  fd_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/api-shutdown/waits-for-import", test_shutdown_waits_for_import);
  return g_test_run ();
}
