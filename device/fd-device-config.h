/* fd-device-config.h — a device's zdevice.json (docs/protocol.md "Getting credentials"): who
 * the device is, how it authenticates and where the server is, read and checked once so that
 * every later step can trust it.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_DEVICE_CONFIG_ERROR (fd_device_config_error_quark ())
GQuark fd_device_config_error_quark (void);

typedef enum
{
  FD_DEVICE_CONFIG_ERROR_IO,        /* the file cannot be read */
  FD_DEVICE_CONFIG_ERROR_TOO_LARGE, /* over FD_DEVICE_CONFIG_MAX_BYTES */
  FD_DEVICE_CONFIG_ERROR_SYNTAX,    /* not JSON, or not an object */
  FD_DEVICE_CONFIG_ERROR_MISSING,   /* a required member is absent (the message names it) */
  FD_DEVICE_CONFIG_ERROR_INVALID,   /* a member of the wrong type or value (named too) */
} FdDeviceConfigError;

#define FD_DEVICE_CONFIG_MAX_BYTES (64 * 1024)
#define FD_DEVICE_ID_MAX_BYTES 64 /* as the server's JWT "sub" */

typedef enum
{
  FD_DEVICE_MODE_DEVICE_TOKEN, /* HS256 JWTs signed with the base64-decoded prvkey */
  FD_DEVICE_MODE_CLOUD_TOKEN,  /* prvkey is the bearer token itself */
  FD_DEVICE_MODE_CERTIFICATE,  /* TLS client certificate: clicert + prvkey (PEM) */
} FdDeviceMode;

typedef struct
{
  char *source; /* the file it came from (or the name given to _parse), for messages */
  char *device_id;
  FdDeviceMode mode;
  gint64 key_id;     /* device_token only */
  GBytes *secret;    /* device_token: the decoded signing key */
  char *token;       /* cloud_token: the bearer token */
  char *prvkey_pem;  /* certificate: the private key */
  char *clicert_pem; /* certificate: the client certificate */
  char *cacert_pem;  /* the CA(s) the server's certificate must chain to */
  char *host;        /* endpoint.host: connected to, and the name the server must prove */
  guint https_port;  /* endpoint.https_port */
  guint mqtt_port;   /* endpoint.port (MQTT over TLS); 0 when the file has none */
  /* firmware_key: what signs the firmware manifests of the device's workspace (both NULL when
   * the file has none: the device then cannot check what it downloads and refuses it). */
  char *firmware_key_algorithm; /* "ecdsa-p256" or "ed25519" */
  char *firmware_key_pem;       /* the public key, PEM */
} FdDeviceConfig;

/* "device_token", "cloud_token", "certificate". */
const char *fd_device_mode_name (FdDeviceMode mode);

/* Reads @path (at most FD_DEVICE_CONFIG_MAX_BYTES) and checks it with _parse. */
FdDeviceConfig *fd_device_config_load (const char *path, GError **error);

/* Checks @data: every member a device needs is there with the right type, devinfo.mode is
 * known, the secret fits the mode (base64 key, token, PEM key and certificate). Errors name
 * the member ("devinfo.mode") and start with @source. */
FdDeviceConfig *fd_device_config_parse (const char *data, gsize len, const char *source,
                                        GError **error);

/* A deep copy (a device's second connection takes its own). */
FdDeviceConfig *fd_device_config_copy (const FdDeviceConfig *config);
void fd_device_config_free (FdDeviceConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FdDeviceConfig, fd_device_config_free)

/* A device token for @config (device_token mode): HS256 JWT with sub = device id, key = key
 * id, exp = @now_s + @lifetime_s, as Zerynth clients make it. */
char *fd_device_config_mint_jwt (const FdDeviceConfig *config, gint64 now_s, gint64 lifetime_s);

G_END_DECLS
