/* fd-test-pg.h — a real PostgreSQL for the tests: the server of $FLEETDESK_TEST_PG_DSN (or of
 * script/postgres-test-server, run when the variable is unset), and a schema of its own per
 * test run so parallel runs never see each other's tables. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

typedef struct
{
  char *base_dsn; /* the server's DSN, as given */
  char *schema;   /* fdtest_<random>: made by fd_test_pg_new(), dropped by fd_test_pg_free() */
  char *dsn;      /* base_dsn with options='-csearch_path=<schema>': what a sink is given */
  PGconn *conn;   /* the test's own connection, search_path = schema */
} FdTestPg;

/* The server's DSN; fails the test (naming script/postgres-test-server) when there is none. */
char *fd_test_pg_base_dsn (void);
FdTestPg *fd_test_pg_new (void);
void fd_test_pg_free (FdTestPg *pg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdTestPg, fd_test_pg_free)

/* Runs @sql (parameters: NULL-terminated @params... text values) and asserts it worked;
 * returns the first column of the first row (NULL when no row or SQL NULL). */
char *fd_test_pg_value (FdTestPg *pg, const char *sql, ...) G_GNUC_NULL_TERMINATED;
gint64 fd_test_pg_count (FdTestPg *pg, const char *sql, ...) G_GNUC_NULL_TERMINATED;
/* Runs @sql and returns its result (asserted to be tuples or a command). */
PGresult *fd_test_pg_query (FdTestPg *pg, const char *sql, const char *const *params, int n_params);

/* The body that creates the postgresql integration "warehouse" of @dsn (POST
 * /workspaces/ID/integrations), with batch_max and batch_delay_ms unless negative. */
char *fd_test_pg_integration_body (const char *dsn, gint64 batch_max, gint64 batch_delay_ms);

G_END_DECLS
