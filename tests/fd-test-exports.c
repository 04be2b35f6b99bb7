/* fd-test-exports.c — helpers of the export tests. */
#include "fd-test-exports.h"

#include <sqlite3.h>
#include <string.h>

char *
fd_tx_start (FdTestServer *srv, const char *workspace, const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/exports", workspace);
  g_autoptr (JsonNode) node = fd_test_api_expect (srv, "POST", path, body, 202);

  g_assert_cmpstr (fd_test_str (node, "state"), ==, "queued");
  return g_strdup (fd_test_str (node, "id"));
}

JsonNode *
fd_tx_wait (FdTestServer *srv, const char *id)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/exports/%s", id);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (;;)
    {
      JsonNode *node = fd_test_api_expect (srv, "GET", path, NULL, 200);
      const char *state = fd_test_str (node, "state");
      if (!g_str_equal (state, "queued") && !g_str_equal (state, "running"))
        return node;
      json_node_unref (node);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

GBytes *
fd_tx_download (FdTestServer *srv, const char *id, char **content_type, guint *status)
{
  g_autofree char *url = g_strdup_printf ("%s/api/v1/exports/%s/file", srv->url, id);
  g_autofree char *auth = g_strconcat ("Bearer ", srv->token, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GError) error = NULL;
  GBytes *body;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  body = soup_session_send_and_read (srv->session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (
        soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Type"));
  return body;
}

void
fd_tx_seed_samples (FdTestServer *srv, const char *workspace, const char *device_id,
                    const char *tag, guint n, gint64 t0)
{
  g_autofree char *db_path = g_build_filename (srv->data_dir, "fleetdesk.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 stream;
  char payload[160];

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO stream (workspace_id, fleet_id, device_id, tag,"
                                       " first_seen, last_seen, readings)"
                                       " SELECT ?1, id, ?2, ?3, ?4, ?4, ?5 FROM fleet"
                                       " WHERE workspace_id = ?1 AND is_default",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, workspace, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, device_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, tag, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, t0);
  sqlite3_bind_int64 (stmt, 5, n);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  stream = sqlite3_last_insert_rowid (db);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO tag_field (workspace_id, tag, path, type,"
                                       " first_seen) VALUES (?1, ?2, 'i', 'number', 0),"
                                       " (?1, ?2, 'pad', 'string', 0)",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, workspace, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, tag, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO sample (stream, ts_device, ts_in, payload)"
                                       " VALUES (?1, ?2, ?2, ?3)",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  for (guint k = 0; k < n; k++)
    {
      int len = g_snprintf (payload, sizeof payload,
                            "{\"i\":%u,\"pad\":\"a fairly long string, with a comma and a "
                            "\\\"quote\\\", to make rows bigger\"}",
                            k);
      sqlite3_bind_int64 (stmt, 1, stream);
      sqlite3_bind_int64 (stmt, 2, t0 + k);
      sqlite3_bind_text (stmt, 3, payload, len, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}
