/* fd-sink-postgres-private.h — what the PostgreSQL sink's files share. */
#pragma once

#include <gio/gio.h>
#include <libpq-fe.h>

G_BEGIN_DECLS

/* The password in @dsn (NULL: none), also when @dsn does not parse: its error may quote it. */
char *fd_pg_dsn_password (const char *dsn);
/* @text (a libpq or server message) on one line, bounded, with @password (may be NULL)
 * replaced: what the sink logs and returns. */
char *fd_pg_clean (const char *text, const char *password);
/* FALSE with G_IO_ERROR_INVALID_ARGUMENT ("the PostgreSQL DSN is empty", "not a PostgreSQL
 * connection string: …") unless @dsn is a key/value string or URI that libpq parses. */
gboolean fd_pg_dsn_check (const char *dsn, GError **error);

G_END_DECLS
