/* fd-device-tls.h — the TLS material of a device: the CA it trusts (and nothing else) and its
 * client certificate.
 */
#pragma once

#include <gio/gio.h>

#include "fd-device-config.h"

G_BEGIN_DECLS

/* A database that trusts exactly the certificates in @ca_pem (zdevice.json "cacert"), not the
 * system's. GIO only makes one from a file with an absolute path: the PEM goes into an
 * anonymous memory file (memfd) that lives as long as the database. */
GTlsDatabase *fd_device_trust_new (const char *ca_pem, GError **error);

/* The client certificate with its private key (certificate mode); errors name clicert or
 * prvkey, and say when the two do not belong together. */
GTlsCertificate *fd_device_certificate_new (const FdDeviceConfig *config, GError **error);

G_END_DECLS
