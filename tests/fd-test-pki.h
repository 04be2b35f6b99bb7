/* fd-test-pki.h — what the PKI and JWT tests share: a temporary PKI directory, running real
 * tools (certtool, gnutls-cli, python3), and a TLS server on loopback that uses the PKI's
 * server certificate. */
#pragma once

#include <gio/gio.h>

#include "pki/fd-pki.h"

G_BEGIN_DECLS

typedef struct
{
  char *root; /* temporary */
  char *dir;  /* ROOT/pki */
} FdTpFixture;

void fd_tp_set_up (FdTpFixture *f, gconstpointer data);
void fd_tp_tear_down (FdTpFixture *f, gconstpointer data);

char *fd_tp_path (const char *dir, const char *name);
void fd_tp_write (const char *path, const char *text, int mode);
char *fd_tp_read (const char *path);
guint fd_tp_mode (const char *path);
gint64 fd_tp_now_ms (void);

/* Runs a program (NULL-terminated argv) with empty stdin; returns TRUE on exit status 0 and
 * hands back stdout and stderr together in @output. */
gboolean fd_tp_run (char **output, const char *const *argv);

/* Runs a program and aborts the test, with its output, when it fails. */
#define FD_TP_RUN_OK(...)                                                                          \
  G_STMT_START                                                                                     \
  {                                                                                                \
    const char *argv_[] = { __VA_ARGS__, NULL };                                                   \
    g_autofree char *out_ = NULL;                                                                  \
    if (!fd_tp_run (&out_, argv_))                                                                 \
      g_error ("%s failed:\n%s", argv_[0], out_);                                                  \
  }                                                                                                \
  G_STMT_END

/* certtool -i of a PEM file. */
char *fd_tp_certtool_info (const char *path);
/* A new private key: @type "rsa" (@size bits), "ecdsa" (@size a curve), or another key type. */
void fd_tp_certtool_key (const char *path, const char *type, const char *size);
/* A CSR for a new key in DIR/NAME.csr (key in DIR/NAME.key), asking CN "evil", a CA bit and
 * server usage. */
char *fd_tp_certtool_csr (const char *dir, const char *name, const char *type, const char *size);
/* certtool --verify of @cert_file against @ca_file must say "Verified". */
void fd_tp_assert_certtool_verifies (const char *ca_file, const char *cert_file);

FdPki *fd_tp_open (const char *dir, const char *const *names);
/* SHA-256 fingerprint of the certificate in a PEM file. */
char *fd_tp_file_fingerprint (const char *path);

typedef struct
{
  GSocketListener *listener;
  GCancellable *cancel;
  GTlsCertificate *cert;
  FdPki *pki;
  gboolean require_client_cert;
  guint16 port;
  gboolean have_ipv6;
  GAsyncQueue *results; /* "ok" or the handshake error, per connection */
  char *peer_fingerprint;
  GThread *thread;
} FdTpTlsServer;

/* Accepts connections on 127.0.0.1 (and ::1 on the same port when there is IPv6 loopback)
 * with fd_pki_dup_server_certificate(); with @require_client_cert, the client certificate must
 * be one the PKI issued. Each connection pushes "ok" or its handshake error. */
FdTpTlsServer *fd_tp_tls_server_start (FdPki *pki, gboolean require_client_cert);
char *fd_tp_tls_server_next_result (FdTpTlsServer *srv);
void fd_tp_tls_server_stop (FdTpTlsServer *srv);

/* gnutls-cli to HOST on the test server, trusting only @ca_file; @verify_name, when set, is
 * the name it checks instead of HOST; @cert/@key, when set, its client certificate. Returns
 * whether the client succeeded. */
gboolean fd_tp_gnutls_cli (FdTpTlsServer *srv, const char *ca_file, const char *host,
                           const char *verify_name, const char *cert, const char *key,
                           char **output);

G_END_DECLS
