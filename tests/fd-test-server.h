/* fd-test-server.h — starts a real fleetdesk-server for a test and talks to it over HTTP. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  char *data_dir;    /* temporary, removed by fd_test_server_stop() */
  char *url;         /* http://127.0.0.1:PORT */
  char *token;       /* the admin token from DATA/admin-token */
  guint device_port; /* the HTTPS device endpoint, from DATA/ports.json */
  char *device_url;  /* https://localhost:PORT */
  guint mqtt_port;   /* MQTT over TLS, from DATA/ports.json */
  char *ca_path;     /* DATA/pki/ca.crt: the CA devices trust */
  GPid pid;
  SoupSession *session;
} FdTestServer;

/* Starts $FD_SERVER_BIN with a temporary data directory and port 0, waits for DATA/ports.json.
 * Extra arguments (NULL-terminated) are appended to the command line. Aborts the test on failure.
 */
FdTestServer *fd_test_server_start (void);
FdTestServer *fd_test_server_start_with_args (const char *const *extra_args);

/* Stops the server (SIGTERM, clean exit asserted) and starts it again on the same data dir. */
void fd_test_server_restart (FdTestServer *srv);
/* The same, the new server started with @extra_args (a restart does not keep the first ones). */
void fd_test_server_restart_with_args (FdTestServer *srv, const char *const *extra_args);

/* Sends SIGTERM and waits; returns the raw wait status. The data directory stays. */
int fd_test_server_kill (FdTestServer *srv, int signum);

/* SIGTERM, waits for the exit (asserting a clean exit status), removes the data directory. */
void fd_test_server_stop (FdTestServer *srv);

/* Sends a request with the admin token; returns the parsed JSON body (NULL when empty). */
JsonNode *fd_test_api (FdTestServer *srv, const char *method, const char *path, const char *body,
                       guint *status_out);

/* Full control: content type, raw body, token (NULL: no Authorization header), response headers. */
JsonNode *fd_test_api_full (FdTestServer *srv, const char *method, const char *path,
                            const char *content_type, const char *body, gsize body_len,
                            const char *token, guint *status_out, SoupMessageHeaders **headers_out);

/* Asserts @status and returns the body; for terse tests. */
JsonNode *fd_test_api_expect (FdTestServer *srv, const char *method, const char *path,
                              const char *body, guint expected_status);

/* Creates a workspace named @name and returns its id. */
char *fd_test_make_workspace (FdTestServer *srv, const char *name);
/* Creates a device in @workspace_id and returns its id. */
char *fd_test_make_device (FdTestServer *srv, const char *workspace_id, const char *name);

/* Puts @n devices named "@prefix-000001"… into the default fleet of @workspace_id by writing
 * straight into the running server's database (one transaction): a fast way to get a store with
 * 100,000 devices for scale tests. Everything else in a test goes through the API. */
void fd_test_server_seed_devices (FdTestServer *srv, const char *workspace_id, const char *prefix,
                                  guint n);

/* Shorthand getters on an object node. */
const char *fd_test_str (JsonNode *node, const char *member);
gint64 fd_test_int (JsonNode *node, const char *member);
/* The error code of an error answer, or NULL. */
const char *fd_test_error_code (JsonNode *node);

/* Runs @argv (NULL-terminated; argv[0] is looked up in PATH), returns its exit status (or -1
 * when it was killed) and its stdout and stderr (either may be NULL). */
int fd_test_run (const char *const *argv, char **out, char **err);

/* Writes @text to a new file @name in @dir and returns its path. */
char *fd_test_write_file (const char *dir, const char *name, const char *text);

/* A new ECDSA P-256 key @dir/@name.key and, from @template_text, @dir/@name.pem made by
 * `certtool @what` ("--generate-request", "--generate-self-signed"). Returns the PEM text;
 * *@pem_path and *@key_path (when not NULL) get the two files' paths. */
char *fd_test_certtool (const char *dir, const char *name, const char *what,
                        const char *template_text, char **pem_path, char **key_path);

/* Removes a directory tree. */
void fd_test_rm_rf (const char *path);

G_END_DECLS
