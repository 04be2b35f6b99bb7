/* fd-sink-postgres.c — the PostgreSQL sink: each batch is one transaction that first records
 * its batch_id in fleetdesk_batches (ON CONFLICT DO NOTHING) and then writes the rows, so a
 * batch resent after a crash or a lost COMMIT answer is recognised and not written twice.
 * Readings go in with COPY; conditions are upserted on (device_id, uuid); every other kind of
 * event is a row of fleetdesk_events. The schema (docs/integrations.md) is made on connect.
 *
 * The connection lives in the sink and is dropped after any failure that may be the
 * connection's (the next attempt reconnects and re-checks the schema); a rejected batch (bad
 * data, SQLSTATE class 22 or 23) keeps it. Messages never contain the DSN's password.
 */
#include "integrations/fd-sink.h"

#include <libpq-fe.h>
#include <string.h>
#include <sys/socket.h>

#include "fd-util.h"
#include "integrations/fd-sink-postgres-private.h"

/* Our defaults; a setting in the DSN wins (libpq keeps the last value of a repeated keyword,
 * and the DSN is expanded after them). The keepalives and tcp_user_timeout bound how long a
 * dead peer can block the worker. */
static const char *const pg_default_keys[] = {
  "connect_timeout",     "application_name", "keepalives",       "keepalives_idle",
  "keepalives_interval", "keepalives_count", "tcp_user_timeout",
};
static const char *const pg_default_values[] = {
  "5", "fleetdesk", "1", "10", "5", "3", "30000",
};
G_STATIC_ASSERT (G_N_ELEMENTS (pg_default_keys) == G_N_ELEMENTS (pg_default_values));

#define PG_STMT_BATCH "fd_batch"
#define PG_STMT_CONDITION "fd_condition"
#define PG_STMT_EVENT "fd_event"

/* Made in one transaction under an advisory lock, so that two integrations connecting to an
 * empty database at once do not both try to create the tables. */
static const char pg_schema_sql[] = "BEGIN;"
                                    "SELECT pg_advisory_xact_lock(7294001);"
                                    "CREATE TABLE IF NOT EXISTS fleetdesk_batches ("
                                    "  batch_id text PRIMARY KEY,"
                                    "  integration_id text NOT NULL,"
                                    "  kind text NOT NULL,"
                                    "  items integer NOT NULL,"
                                    "  at timestamptz NOT NULL DEFAULT now());"
                                    "CREATE TABLE IF NOT EXISTS fleetdesk_readings ("
                                    "  workspace_id text NOT NULL,"
                                    "  fleet_id text,"
                                    "  device_id text NOT NULL,"
                                    "  tag text NOT NULL,"
                                    "  timestamp_device timestamptz NOT NULL,"
                                    "  timestamp_in timestamptz NOT NULL,"
                                    "  payload jsonb NOT NULL,"
                                    "  batch_id text NOT NULL,"
                                    "  seq integer NOT NULL);"
                                    "CREATE INDEX IF NOT EXISTS fleetdesk_readings_device_time"
                                    "  ON fleetdesk_readings (device_id, timestamp_device);"
                                    "CREATE TABLE IF NOT EXISTS fleetdesk_conditions ("
                                    "  workspace_id text NOT NULL,"
                                    "  fleet_id text,"
                                    "  device_id text NOT NULL,"
                                    "  device_name text,"
                                    "  uuid text NOT NULL,"
                                    "  tag text,"
                                    "  payload jsonb,"
                                    "  payloadf jsonb,"
                                    "  start timestamptz,"
                                    "  finish timestamptz,"
                                    "  duration double precision,"
                                    "  batch_id text NOT NULL,"
                                    "  updated_at timestamptz NOT NULL DEFAULT now(),"
                                    "  PRIMARY KEY (device_id, uuid));"
                                    "CREATE TABLE IF NOT EXISTS fleetdesk_events ("
                                    "  batch_id text NOT NULL,"
                                    "  id bigint NOT NULL,"
                                    "  type text NOT NULL,"
                                    "  time timestamptz NOT NULL,"
                                    "  workspace_id text NOT NULL,"
                                    "  device_id text,"
                                    "  data jsonb);";

/* We never CREATE EXTENSION (that is the database owner's choice); when TimescaleDB is there,
 * readings become a hypertable, existing rows moved in. */
static const char pg_hypertable_sql[]
    = "SELECT create_hypertable('fleetdesk_readings', 'timestamp_device',"
      " if_not_exists => TRUE, migrate_data => TRUE)";

static const char pg_batch_sql[]
    = "INSERT INTO fleetdesk_batches (batch_id, integration_id, kind, items)"
      " VALUES ($1, $2, $3, $4::integer) ON CONFLICT (batch_id) DO NOTHING";

static const char pg_copy_sql[]
    = "COPY fleetdesk_readings (workspace_id, fleet_id, device_id, tag, timestamp_device,"
      " timestamp_in, payload, batch_id, seq) FROM STDIN";

/* $1 the ZDM condition object; $2..$5 what the outbox row knows, for bodies without it. A
 * close carries no tag or start (ZDM §5): those keep the values of the open. */
static const char pg_condition_sql[]
    = "INSERT INTO fleetdesk_conditions AS c (workspace_id, fleet_id, device_id, device_name,"
      " uuid, tag, payload, payloadf, start, finish, duration, batch_id)"
      " SELECT coalesce(b->>'workspace_id', $2), coalesce(b->>'fleet_id', $3),"
      "  coalesce(b->>'device_id', $4), b->>'device_name', b->>'uuid', coalesce(b->>'tag', $5),"
      "  nullif(b->'payload', 'null'::jsonb), nullif(b->'payloadf', 'null'::jsonb),"
      "  (b->>'start')::timestamptz, (b->>'finish')::timestamptz,"
      "  (b->>'duration')::double precision, $6"
      " FROM (SELECT $1::jsonb AS b) AS body"
      " ON CONFLICT (device_id, uuid) DO UPDATE SET workspace_id = EXCLUDED.workspace_id,"
      "  fleet_id = coalesce(EXCLUDED.fleet_id, c.fleet_id),"
      "  device_name = coalesce(EXCLUDED.device_name, c.device_name),"
      "  tag = coalesce(EXCLUDED.tag, c.tag), payload = coalesce(EXCLUDED.payload, c.payload),"
      "  payloadf = EXCLUDED.payloadf, start = coalesce(EXCLUDED.start, c.start),"
      "  finish = EXCLUDED.finish, duration = EXCLUDED.duration, batch_id = EXCLUDED.batch_id,"
      "  updated_at = now()";

/* $1 batch, $2 outbox id, $3 the kind's name (a body without "type"), $4 time (epoch ms),
 * $5 workspace, $6 device, $7 the event object {"type", "time", "workspace_id", "device_id",
 * "data"}. */
static const char pg_event_sql[]
    = "INSERT INTO fleetdesk_events (batch_id, id, type, time, workspace_id, device_id, data)"
      " SELECT $1, $2::bigint, coalesce(b->>'type', $3),"
      "  to_timestamp($4::double precision / 1000), coalesce(b->>'workspace_id', $5),"
      "  coalesce(b->>'device_id', $6), b->'data'"
      " FROM (SELECT $7::jsonb AS b) AS body";

typedef struct
{
  FdSink parent;
  char *integration_id;
  char *dsn;
  char *password; /* the DSN's password, stripped from messages; NULL: none */
  PGconn *conn;   /* NULL: connect at the next delivery */
} FdSinkPostgres;
/* --- connecting --- */

typedef struct
{
  GCancellable *cancellable;
  PGcancel *cancel;
  int fd;
  gulong handler;
} PgWatch;

static void
pg_on_cancelled (GCancellable *cancellable, gpointer data)
{
  PgWatch *watch = data;
  char why[256];

  /* Asks the server to stop the command in flight (it fails with 57014), then shuts the
   * socket down: a cancel request that arrives between two commands does nothing, and the
   * next command would wait as long as it likes. shutdown() is safe from this thread; the fd
   * stays open until the worker resets the connection (pg_unwatch comes first). */
  if (!PQcancel (watch->cancel, why, sizeof why))
    g_debug ("cannot cancel the PostgreSQL command: %s", why);
  if (watch->fd >= 0)
    shutdown (watch->fd, SHUT_RDWR);
}

/* While watched, cancelling @cancellable stops what @conn runs (a lock wait, a slow COPY),
 * so a shutdown or a pause never waits for the database; the connection is lost then. */
static void
pg_watch (PgWatch *watch, PGconn *conn, GCancellable *cancellable)
{
  watch->cancellable = cancellable;
  watch->cancel = PQgetCancel (conn);
  watch->fd = PQsocket (conn);
  watch->handler = 0;
  if (cancellable != NULL && watch->cancel != NULL)
    watch->handler = g_cancellable_connect (cancellable, G_CALLBACK (pg_on_cancelled), watch, NULL);
}

static void
pg_unwatch (PgWatch *watch)
{
  if (watch->handler != 0)
    g_cancellable_disconnect (watch->cancellable, watch->handler);
  PQfreeCancel (watch->cancel);
  watch->cancel = NULL;
}

static void
pg_notice_ignore (void *data, const char *message)
{
  /* "relation … already exists, skipping" and the like: not worth a log line */
}

/* TRUE when @res (consumed) has status @want; else @message says why. */
static gboolean
pg_exec_ok_result (PGconn *conn, PGresult *res, ExecStatusType want, const char *password,
                   char **message)
{
  gboolean ok = res != NULL && PQresultStatus (res) == want;

  if (!ok)
    *message = fd_pg_clean (res != NULL && PQresultErrorMessage (res)[0] != '\0'
                                ? PQresultErrorMessage (res)
                                : PQerrorMessage (conn),
                            password);
  PQclear (res);
  return ok;
}

static gboolean
pg_exec_ok (PGconn *conn, const char *sql, ExecStatusType want, const char *password,
            char **message)
{
  return pg_exec_ok_result (conn, PQexec (conn, sql), want, password, message);
}

/* Creates the tables when missing (and the hypertable when TimescaleDB is installed). */
static gboolean
pg_make_schema (PGconn *conn, const char *password, char **message)
{
  PGresult *res;
  gboolean timescale;

  if (!pg_exec_ok (conn, pg_schema_sql, PGRES_COMMAND_OK, password, message))
    goto failed;
  res = PQexec (conn, "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  if (res == NULL || PQresultStatus (res) != PGRES_TUPLES_OK)
    {
      PQclear (res);
      *message = fd_pg_clean (PQerrorMessage (conn), password);
      goto failed;
    }
  timescale = PQntuples (res) > 0;
  PQclear (res);
  if (timescale && !pg_exec_ok (conn, pg_hypertable_sql, PGRES_TUPLES_OK, password, message))
    goto failed;
  if (!pg_exec_ok (conn, "COMMIT", PGRES_COMMAND_OK, password, message))
    goto failed;
  return TRUE;

failed:
  if (PQtransactionStatus (conn) != PQTRANS_IDLE)
    PQclear (PQexec (conn, "ROLLBACK"));
  return FALSE;
}

/* The statements every batch runs, prepared once per connection. */
static gboolean
pg_prepare (PGconn *conn, const char *password, char **message)
{
  static const struct
  {
    const char *name, *sql;
  } statements[] = {
    { PG_STMT_BATCH, pg_batch_sql },
    { PG_STMT_CONDITION, pg_condition_sql },
    { PG_STMT_EVENT, pg_event_sql },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (statements); i++)
    if (!pg_exec_ok_result (conn, PQprepare (conn, statements[i].name, statements[i].sql, 0, NULL),
                            PGRES_COMMAND_OK, password, message))
      return FALSE;
  return TRUE;
}

/* A connection to @dsn with the schema made, or NULL with @message ("cannot connect to
 * PostgreSQL: …", "cannot create the tables in PostgreSQL: …"). */
static PGconn *
pg_connect (const char *dsn, const char *password, GCancellable *cancellable, char **message)
{
  const char *keys[G_N_ELEMENTS (pg_default_keys) + 3];
  const char *values[G_N_ELEMENTS (pg_default_keys) + 3];
  g_autofree char *why = NULL;
  gsize n = 0;
  PGconn *conn;
  PgWatch watch;

  for (gsize i = 0; i < G_N_ELEMENTS (pg_default_keys); i++, n++)
    {
      keys[n] = pg_default_keys[i];
      values[n] = pg_default_values[i];
    }
  keys[n] = "dbname"; /* expanded: the DSN's settings override the defaults above */
  values[n++] = dsn;
  keys[n] = "client_encoding"; /* after the DSN: payloads are UTF-8 whatever it says */
  values[n++] = "UTF8";
  keys[n] = NULL;
  values[n] = NULL;

  conn = PQconnectdbParams (keys, values, 1);
  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      why = fd_pg_clean (conn != NULL ? PQerrorMessage (conn) : "out of memory", password);
      *message = g_strdup_printf ("cannot connect to PostgreSQL: %s", why);
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, pg_notice_ignore, NULL);
  pg_watch (&watch, conn, cancellable);
  if (!pg_make_schema (conn, password, &why))
    *message = g_strdup_printf ("cannot create the tables in PostgreSQL: %s", why);
  else if (!pg_prepare (conn, password, &why))
    *message = g_strdup_printf ("cannot prepare the statements in PostgreSQL: %s", why);
  else
    {
      pg_unwatch (&watch);
      return conn;
    }
  pg_unwatch (&watch);
  PQfinish (conn);
  return NULL;
}

gboolean
fd_sink_postgres_check (const char *dsn, GError **error)
{
  g_autofree char *password = NULL;
  g_autofree char *message = NULL;
  PGconn *conn;

  if (!fd_pg_dsn_check (dsn, error))
    return FALSE;
  password = fd_pg_dsn_password (dsn);
  conn = pg_connect (dsn, password, NULL, &message);
  if (password != NULL)
    explicit_bzero (password, strlen (password));
  if (conn == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, message);
      return FALSE;
    }
  PQfinish (conn);
  return TRUE;
}
/* --- delivering --- */

#define FD_SINK_POSTGRES(sink) ((FdSinkPostgres *)(sink))

static void
pg_reset (FdSinkPostgres *self)
{
  PQfinish (self->conn);
  self->conn = NULL;
}

static gboolean
pg_ensure_connected (FdSinkPostgres *self, GCancellable *cancellable, char **message)
{
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;
  pg_reset (self);
  self->conn = pg_connect (self->dsn, self->password, cancellable, message);
  return self->conn != NULL;
}

/* What a failed command means for the batch. Data exceptions (22: invalid jsonb, a value out
 * of range) and integrity violations (23) will fail the same way every time: REJECTED; the
 * rest (the connection, a serialization failure, the server shutting down, a missing table)
 * may pass later: RETRY. */
static FdSinkOutcome
pg_failure (FdSinkPostgres *self, PGresult *res, const char *what, char **message)
{
  const char *state = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *text = res != NULL && PQresultErrorMessage (res)[0] != '\0'
                         ? PQresultErrorMessage (res)
                         : PQerrorMessage (self->conn);
  g_autofree char *clean = fd_pg_clean (text, self->password);

  *message = g_strdup_printf ("%s: %s", what, clean);
  if (state != NULL && (g_str_has_prefix (state, "22") || g_str_has_prefix (state, "23")))
    return FD_SINK_REJECTED;
  return FD_SINK_RETRY;
}

static FdSinkOutcome
pg_command (FdSinkPostgres *self, PGresult *res, ExecStatusType want, const char *what,
            char **message)
{
  FdSinkOutcome outcome = FD_SINK_DELIVERED;

  if (res == NULL || PQresultStatus (res) != want)
    outcome = pg_failure (self, res, what, message);
  PQclear (res);
  return outcome;
}

/* COPY text format: backslash, and the tab, newline and carriage return that would end a
 * column or a row, are backslash escapes; NULL is \N. */
static void
pg_copy_append (GString *out, const char *s, gssize len, gboolean last)
{
  if (s == NULL)
    g_string_append (out, "\\N");
  else
    {
      const char *end = s + (len < 0 ? (gssize)strlen (s) : len);

      for (const char *p = s; p < end; p++)
        switch (*p)
          {
          case '\\':
            g_string_append (out, "\\\\");
            break;
          case '\t':
            g_string_append (out, "\\t");
            break;
          case '\n':
            g_string_append (out, "\\n");
            break;
          case '\r':
            g_string_append (out, "\\r");
            break;
          default:
            g_string_append_c (out, *p);
          }
    }
  g_string_append_c (out, last ? '\n' : '\t');
}

static FdSinkOutcome
pg_copy_readings (FdSinkPostgres *self, const FdOutboxBatch *batch, char **message)
{
  g_autoptr (GString) rows = g_string_sized_new (256 * batch->items->len + 64);
  PGresult *res;
  FdSinkOutcome outcome;

  for (guint i = 0; i < batch->items->len; i++)
    {
      const FdOutboxItem *item = &g_array_index (batch->items, FdOutboxItem, i);
      g_autofree char *ts_device = fd_time_format_ms (item->ts_device);
      g_autofree char *ts_in = fd_time_format_ms (item->ts_in);
      char seq[16];

      g_snprintf (seq, sizeof seq, "%u", i);
      pg_copy_append (rows, item->workspace_id, -1, FALSE);
      pg_copy_append (rows, item->fleet_id, -1, FALSE);
      pg_copy_append (rows, item->device_id, -1, FALSE);
      pg_copy_append (rows, item->tag, -1, FALSE);
      pg_copy_append (rows, ts_device, -1, FALSE);
      pg_copy_append (rows, ts_in, -1, FALSE);
      pg_copy_append (rows, item->payload, item->payload_len, FALSE);
      pg_copy_append (rows, batch->batch_id, -1, FALSE);
      pg_copy_append (rows, seq, -1, TRUE);
    }

  res = PQexec (self->conn, pg_copy_sql);
  if (res == NULL || PQresultStatus (res) != PGRES_COPY_IN)
    return pg_command (self, res, PGRES_COPY_IN, "cannot write the readings", message);
  PQclear (res);
  if (PQputCopyData (self->conn, rows->str, (int)rows->len) != 1
      || PQputCopyEnd (self->conn, NULL) != 1)
    {
      g_autofree char *why = fd_pg_clean (PQerrorMessage (self->conn), self->password);

      *message = g_strdup_printf ("cannot write the readings: %s", why);
      return FD_SINK_RETRY;
    }
  outcome = pg_command (self, PQgetResult (self->conn), PGRES_COMMAND_OK,
                        "cannot write the readings", message);
  while ((res = PQgetResult (self->conn)) != NULL)
    PQclear (res);
  return outcome;
}

static FdSinkOutcome
pg_write_events (FdSinkPostgres *self, const FdOutboxBatch *batch, char **message)
{
  gboolean conditions = batch->kind == FD_OUTBOX_KIND_CONDITIONS;

  for (guint i = 0; i < batch->items->len; i++)
    {
      const FdOutboxItem *item = &g_array_index (batch->items, FdOutboxItem, i);
      g_autofree char *body = g_strndup (item->payload, item->payload_len);
      char id[24], t[24];
      FdSinkOutcome outcome;
      PGresult *res;

      g_snprintf (id, sizeof id, "%" G_GINT64_FORMAT, item->id);
      g_snprintf (t, sizeof t, "%" G_GINT64_FORMAT, item->ts_device);
      if (conditions)
        {
          const char *params[] = { body,      item->workspace_id, item->fleet_id, item->device_id,
                                   item->tag, batch->batch_id };
          res = PQexecPrepared (self->conn, PG_STMT_CONDITION, G_N_ELEMENTS (params), params, NULL,
                                NULL, 0);
        }
      else
        {
          const char *params[]
              = { batch->batch_id, id,  fd_outbox_kind_name (item->kind), t, item->workspace_id,
                  item->device_id, body };
          res = PQexecPrepared (self->conn, PG_STMT_EVENT, G_N_ELEMENTS (params), params, NULL,
                                NULL, 0);
        }
      outcome
          = pg_command (self, res, PGRES_COMMAND_OK,
                        conditions ? "cannot write a condition" : "cannot write an event", message);
      if (outcome != FD_SINK_DELIVERED)
        return outcome;
    }
  return FD_SINK_DELIVERED;
}

/* One transaction: the batch row, then (when it is new) its rows. */
static FdSinkOutcome
pg_deliver_once (FdSinkPostgres *self, const FdOutboxBatch *batch, char **message)
{
  char items[16];
  const char *params[]
      = { batch->batch_id, self->integration_id, fd_outbox_kind_name (batch->kind), items };
  FdSinkOutcome outcome;
  PGresult *res;
  gboolean applied;

  g_snprintf (items, sizeof items, "%u", batch->items->len);
  outcome = pg_command (self, PQexec (self->conn, "BEGIN"), PGRES_COMMAND_OK,
                        "cannot start a transaction", message);
  if (outcome != FD_SINK_DELIVERED)
    return outcome;
  res = PQexecPrepared (self->conn, PG_STMT_BATCH, G_N_ELEMENTS (params), params, NULL, NULL, 0);
  if (res == NULL || PQresultStatus (res) != PGRES_COMMAND_OK)
    return pg_command (self, res, PGRES_COMMAND_OK, "cannot record the batch", message);
  applied = strcmp (PQcmdTuples (res), "0") == 0; /* sent before: its rows are there */
  PQclear (res);
  if (!applied)
    {
      if (batch->kind == FD_OUTBOX_KIND_DATA)
        outcome = pg_copy_readings (self, batch, message);
      else
        outcome = pg_write_events (self, batch, message);
      if (outcome != FD_SINK_DELIVERED)
        return outcome;
    }
  return pg_command (self, PQexec (self->conn, "COMMIT"), PGRES_COMMAND_OK,
                     "cannot commit the batch", message);
}

static void
fd_sink_postgres_deliver (FdSink *sink, const FdOutboxBatch *batch, GCancellable *cancellable,
                          FdSinkResult *result)
{
  FdSinkPostgres *self = FD_SINK_POSTGRES (sink);
  gint64 start = g_get_monotonic_time ();
  FdSinkOutcome outcome = FD_SINK_RETRY;
  char *message = NULL;

  for (int attempt = 0; attempt < 2; attempt++)
    {
      gboolean reused = self->conn != NULL;
      PgWatch watch;

      if (g_cancellable_is_cancelled (cancellable))
        {
          g_free (message);
          message = g_strdup ("cancelled");
          outcome = FD_SINK_RETRY;
          break;
        }
      g_clear_pointer (&message, g_free);
      if (!pg_ensure_connected (self, cancellable, &message))
        {
          outcome = FD_SINK_RETRY;
          break;
        }
      pg_watch (&watch, self->conn, cancellable);
      outcome = pg_deliver_once (self, batch, &message);
      pg_unwatch (&watch);

      if (outcome != FD_SINK_DELIVERED && PQtransactionStatus (self->conn) != PQTRANS_IDLE
          && PQstatus (self->conn) == CONNECTION_OK)
        PQclear (PQexec (self->conn, "ROLLBACK"));
      /* A connection kept idle between batches may have been closed by the server (a
       * restart, idle_session_timeout): that is worth one more try on a fresh one now. */
      if (outcome == FD_SINK_RETRY && reused && PQstatus (self->conn) != CONNECTION_OK)
        {
          pg_reset (self);
          continue;
        }
      break;
    }
  if (outcome != FD_SINK_DELIVERED && g_cancellable_is_cancelled (cancellable))
    {
      /* Whatever the interrupted command said, it was us. */
      g_free (message);
      message = g_strdup ("cancelled");
      outcome = FD_SINK_RETRY;
    }
  if (outcome == FD_SINK_RETRY)
    pg_reset (self);
  result->outcome = outcome;
  result->status = 0;
  result->latency_ms = (g_get_monotonic_time () - start) / 1000;
  result->error = outcome == FD_SINK_DELIVERED ? NULL : message;
  if (outcome == FD_SINK_DELIVERED)
    g_free (message);
}

static void
fd_sink_postgres_free (FdSink *sink)
{
  FdSinkPostgres *self = FD_SINK_POSTGRES (sink);

  pg_reset (self);
  g_free (self->integration_id);
  explicit_bzero (self->dsn, strlen (self->dsn));
  g_free (self->dsn);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  g_free (self);
}

static const FdSinkClass fd_sink_postgres_class = {
  .deliver = fd_sink_postgres_deliver,
  .free = fd_sink_postgres_free,
};

FdSink *
fd_sink_postgres_new (const char *integration_id, const char *dsn, GError **error)
{
  FdSinkPostgres *self;

  if (!fd_pg_dsn_check (dsn, error))
    return NULL;
  self = g_new0 (FdSinkPostgres, 1);
  self->parent.klass = &fd_sink_postgres_class;
  /* An unsaved form's test has no id yet: its batch row says "" (the column is NOT NULL). */
  self->integration_id = g_strdup (integration_id != NULL ? integration_id : "");
  self->dsn = g_strdup (dsn);
  self->password = fd_pg_dsn_password (dsn);
  return &self->parent;
}
