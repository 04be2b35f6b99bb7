/* fd-test-pg.c — see fd-test-pg.h. */
#include "fd-test-pg.h"

#include <gio/gio.h>
#include <string.h>

#ifndef FD_TEST_PG_SERVER_SCRIPT
#error "FD_TEST_PG_SERVER_SCRIPT: the path of script/postgres-test-server (tests/meson.build)"
#endif

char *
fd_test_pg_base_dsn (void)
{
  const char *dsn = g_getenv ("FLEETDESK_TEST_PG_DSN");
  const char *argv[] = { FD_TEST_PG_SERVER_SCRIPT, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (dsn != NULL && dsn[0] != '\0')
    return g_strdup (dsn);
  /* Not silently skipped: CI must run these. A developer's plain `meson test` gets a
   * server from the script, as script/test does. */
  if (!g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                     &error)
      || !g_spawn_check_wait_status (status, &error))
    g_error ("FLEETDESK_TEST_PG_DSN is unset and %s failed (%s): %s\nRun "
             "script/postgres-test-server and export its output as FLEETDESK_TEST_PG_DSN.",
             FD_TEST_PG_SERVER_SCRIPT, error->message, err != NULL ? err : "");
  g_strstrip (out);
  if (out[0] == '\0')
    g_error ("FLEETDESK_TEST_PG_DSN is unset and %s printed no DSN: run "
             "script/postgres-test-server and export its output as FLEETDESK_TEST_PG_DSN",
             FD_TEST_PG_SERVER_SCRIPT);
  return g_steal_pointer (&out);
}

static void
pg_append_setting (GString *out, const char *keyword, const char *value)
{
  g_string_append_printf (out, "%s%s='", out->len > 0 ? " " : "", keyword);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

FdTestPg *
fd_test_pg_new (void)
{
  FdTestPg *pg = g_new0 (FdTestPg, 1);
  g_autofree char *setup = NULL;
  g_autofree char *err = NULL;
  PQconninfoOption *options;
  GString *dsn = g_string_new (NULL);
  guint8 random[6];
  PGresult *res;

  pg->base_dsn = fd_test_pg_base_dsn ();
  for (gsize i = 0; i < sizeof random; i++)
    random[i] = (guint8)g_random_int_range (0, 256);
  pg->schema = g_strdup_printf ("fdtest_%02x%02x%02x%02x%02x%02x", random[0], random[1], random[2],
                                random[3], random[4], random[5]);

  /* Rewritten as key/value settings (the base may be a URI) plus the search_path. */
  options = PQconninfoParse (pg->base_dsn, &err);
  if (options == NULL)
    g_error ("FLEETDESK_TEST_PG_DSN does not parse: %s", err);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (o->val != NULL && strcmp (o->keyword, "options") != 0)
      pg_append_setting (dsn, o->keyword, o->val);
  PQconninfoFree (options);
  setup = g_strdup_printf ("-csearch_path=%s", pg->schema);
  pg_append_setting (dsn, "options", setup);
  pg->dsn = g_string_free (dsn, FALSE);

  pg->conn = PQconnectdb (pg->base_dsn);
  if (PQstatus (pg->conn) != CONNECTION_OK)
    g_error ("cannot connect to the test PostgreSQL (FLEETDESK_TEST_PG_DSN; "
             "script/postgres-test-server starts one): %s",
             PQerrorMessage (pg->conn));
  g_clear_pointer (&setup, g_free);
  setup = g_strdup_printf ("SET client_min_messages = warning; CREATE SCHEMA %s; "
                           "SET search_path = %s",
                           pg->schema, pg->schema);
  res = PQexec (pg->conn, setup);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("cannot create the test schema: %s", PQerrorMessage (pg->conn));
  PQclear (res);
  return pg;
}

void
fd_test_pg_free (FdTestPg *pg)
{
  g_autofree char *drop = NULL;

  if (pg == NULL)
    return;
  drop = g_strdup_printf ("DROP SCHEMA %s CASCADE", pg->schema);
  PQclear (PQexec (pg->conn, drop));
  PQfinish (pg->conn);
  g_free (pg->base_dsn);
  g_free (pg->schema);
  g_free (pg->dsn);
  g_free (pg);
}

PGresult *
fd_test_pg_query (FdTestPg *pg, const char *sql, const char *const *params, int n_params)
{
  PGresult *res = PQexecParams (pg->conn, sql, n_params, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (res) != PGRES_TUPLES_OK && PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (pg->conn));
  return res;
}

static char *
pg_value_va (FdTestPg *pg, const char *sql, va_list ap)
{
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  const char *p;
  PGresult *res;
  char *value = NULL;

  while ((p = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (params, (gpointer)p);
  res = fd_test_pg_query (pg, sql, (const char *const *)params->pdata, params->len);
  if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
    value = g_strdup (PQgetvalue (res, 0, 0));
  PQclear (res);
  return value;
}

char *
fd_test_pg_value (FdTestPg *pg, const char *sql, ...)
{
  va_list ap;
  char *value;

  va_start (ap, sql);
  value = pg_value_va (pg, sql, ap);
  va_end (ap);
  return value;
}

gint64
fd_test_pg_count (FdTestPg *pg, const char *sql, ...)
{
  va_list ap;
  g_autofree char *value = NULL;

  va_start (ap, sql);
  value = pg_value_va (pg, sql, ap);
  va_end (ap);
  g_assert_nonnull (value);
  return g_ascii_strtoll (value, NULL, 10);
}

char *
fd_test_pg_integration_body (const char *dsn, gint64 batch_max, gint64 batch_delay_ms)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "postgresql");
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "warehouse");
  json_builder_set_member_name (b, "dsn");
  json_builder_add_string_value (b, dsn);
  if (batch_max >= 0)
    {
      json_builder_set_member_name (b, "batch_max");
      json_builder_add_int_value (b, batch_max);
    }
  if (batch_delay_ms >= 0)
    {
      json_builder_set_member_name (b, "batch_delay_ms");
      json_builder_add_int_value (b, batch_delay_ms);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}
