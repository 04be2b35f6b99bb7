/* fd-test-cli-provision.h — helpers of the CLI provisioning tests: the real fleetdesk-cli
 * against a real fleetdesk-server, with certtool making keys, CSRs and certificates. */
#pragma once

#include "fd-test-api-util.h"
#include "fd-test-cli.h"

G_BEGIN_DECLS

extern FdTestServer *fd_tcp_srv;
extern char *fd_tcp_work_dir;   /* files the tests make; removed at the end */
extern JsonNode *fd_tcp_server; /* GET /api/v1/server */
extern char *fd_tcp_ca_path;    /* the server's CA certificate, for curl */

/* g_test_init, a server, the work directory and the CA file; and their end. */
void fd_tcp_setup (int *argc, char ***argv);
void fd_tcp_teardown (void);

/* A path in fd_tcp_work_dir that no other test uses. */
char *fd_tcp_work_path (const char *name);

void fd_tcp_write_text (const char *path, const char *text);

char *fd_tcp_read_text (const char *path);

/* Runs a tool (certtool, curl) and returns its exit status; stdout in @out (may be NULL). */
int fd_tcp_run_tool (const char *const *argv, char **out);

void fd_tcp_certtool (const char *const *argv);

/* The first "-----BEGIN @label-----" … "-----END @label-----\n" block of @text, or NULL. */
char *fd_tcp_pem_block (const char *text, const char *label);

/* The public key (PEM) of a private key or certificate file, as certtool reads it. */
char *fd_tcp_public_key_of (const char *option, const char *path);

/* SHA-256 of a PEM certificate's DER, lowercase hex: what a credential's fingerprint is. */
char *fd_tcp_fingerprint_of (const char *pem);

/* A new ECDSA P-256 key in a file; returns its path. */
char *fd_tcp_make_key (void);

/* A CSR for @key, as certtool writes it: with its text before the PEM block. */
char *fd_tcp_make_csr (const char *key, const char *cn);

/* A self-signed client certificate for @key. */
char *fd_tcp_make_self_signed (const char *key);

/* A new workspace with one device; returns the device's id and sets *@workspace_id. */
char *fd_tcp_make_device (const char *name, char **workspace_id);

JsonNode *fd_tcp_api_credentials (const char *device_id);

JsonNode *fd_tcp_api_credential (const char *device_id, const char *credential_id);

/* The file's mode is 0600 and it holds one JSON object. */
JsonNode *fd_tcp_read_private_json (const char *path);

JsonNode *fd_tcp_member (JsonNode *node, const char *name);

/* What every zdevice.json has: the device, the mode, and how to reach this server and trust
 * it (endpoint and cacert from GET /server). */
void fd_tcp_assert_zdevice (JsonNode *zdevice, const char *device_id, const char *mode);

/* @zdevice is what the server itself gives for the credential (its zdevice.json without the
 * secret), with @prvkey added back. */
void fd_tcp_assert_zdevice_like_server (JsonNode *zdevice, const char *device_id,
                                        const char *credential_id);

/* The PEM printed after "@key:" in key: value output. */
char *fd_tcp_printed_pem (const char *out, const char *key, const char *label);

/* The workspace's devices, from the API. */
JsonNode *fd_tcp_api_devices (const char *workspace_id);

JsonNode *fd_tcp_device_named (JsonNode *devices, const char *name);

/* A CSV field holding @text, quoted as RFC 4180 says. */
char *fd_tcp_csv_quote (const char *text);

/* The newest credential of a device, from the API. */
JsonNode *fd_tcp_newest_credential (const char *device_id);

G_END_DECLS
