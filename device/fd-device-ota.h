/* fd-device-ota.h — a device's firmware update (ZDM §6.1, docs/protocol.md "FOTA"), on either
 * transport:
 *
 *   @fota {"fw_version", "firmware_id", "size", "sha256", "url", "manifest", "signature",
 *   "algorithm", …} (on j/dn, GET /v1/dn or in a #status reply; without a url the device asks
 *   #fota_info for the whole object) → Range GETs of `chunk` bytes of the url's path over the
 *   device's own HTTPS connection and credential, paced to the download rate, hashed (SHA-256)
 *   as they come, nothing kept → `_fota_status` downloading every 10 % → the size, the hash and
 *   the manifest's signature checked with zdevice.json's firmware_key → downloaded, verified,
 *   installing → a reboot (the session connects again) in testing mode (`__info.fw` =
 *   "testing-V", `_fota_status` testing) → when the #status reply still expects @fota, accepted:
 *   `@fota {"fw_version", "result": "success", "msg": ""}` and `__info.fw` = V.
 *
 * The fleet's fota fail rate makes the k-th update to start fail after its checks (`@fota
 * {"result": "fail"}`), its revert rate the k-th to install come back with the old version
 * (`__info.fw` = old, `@fota {"result": "reverted"}`). A download whose connection fails goes
 * on from its offset with the hash state kept.
 */
#pragma once

#include "fd-device-agent.h"

G_BEGIN_DECLS

#define FD_DEVICE_OTA_CHUNK (64 * 1024)
#define FD_DEVICE_OTA_MAX_CHUNK (1024 * 1024 - 1)
#define FD_DEVICE_OTA_MAX_SIZE ((gint64)4 * 1024 * 1024 * 1024)

typedef struct _FdDeviceOta FdDeviceOta;

FdDeviceOta *fd_device_ota_new (FdDeviceAgent *agent, const FdDeviceConfig *config,
                                const FdDeviceAgentOptions *options);
void fd_device_ota_free (FdDeviceOta *ota);

const char *fd_device_ota_fw_version (FdDeviceOta *ota);
/* The session is up (after any connect): __info, and what a reboot was waiting for. */
void fd_device_ota_on_connected (FdDeviceOta *ota);
/* A #status reply: @fota is its expected @fota value, NULL when it has none. */
void fd_device_ota_on_status (FdDeviceOta *ota, JsonNode *fota);
/* @fota sent directly. */
void fd_device_ota_on_fota (FdDeviceOta *ota, JsonNode *value);
/* The answer to #fota_info. */
void fd_device_ota_on_fota_info (FdDeviceOta *ota, JsonNode *value);

/* TRUE when @signature_b64 is @algorithm's ("ecdsa-p256": DER ECDSA of SHA-256; "ed25519")
 * signature of @manifest by the PEM public key @public_key_pem (GnuTLS). */
gboolean fd_device_firmware_check_signature (const char *algorithm, const char *public_key_pem,
                                             const char *manifest, const char *signature_b64,
                                             GError **error);

G_END_DECLS
