/* fd-device-config.c — reading and checking zdevice.json. */
#include "fd-device-config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-glib/json-glib.h>

#include "pki/fd-jwt.h"

/* Not G_DEFINE_QUARK: clang-format would put spaces into the quark's name. */
GQuark
fd_device_config_error_quark (void)
{
  return g_quark_from_static_string ("fd-device-config-error-quark");
}

const char *
fd_device_mode_name (FdDeviceMode mode)
{
  switch (mode)
    {
    case FD_DEVICE_MODE_DEVICE_TOKEN:
      return "device_token";
    case FD_DEVICE_MODE_CLOUD_TOKEN:
      return "cloud_token";
    case FD_DEVICE_MODE_CERTIFICATE:
      return "certificate";
    }
  return "unknown";
}

void
fd_device_config_free (FdDeviceConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->source);
  g_free (config->device_id);
  g_clear_pointer (&config->secret, g_bytes_unref);
  if (config->token != NULL)
    explicit_bzero (config->token, strlen (config->token));
  g_free (config->token);
  if (config->prvkey_pem != NULL)
    explicit_bzero (config->prvkey_pem, strlen (config->prvkey_pem));
  g_free (config->prvkey_pem);
  g_free (config->clicert_pem);
  g_free (config->cacert_pem);
  g_free (config->host);
  g_free (config->firmware_key_algorithm);
  g_free (config->firmware_key_pem);
  g_free (config);
}

FdDeviceConfig *
fd_device_config_copy (const FdDeviceConfig *config)
{
  FdDeviceConfig *c = g_new0 (FdDeviceConfig, 1);

  *c = *config;
  c->source = g_strdup (config->source);
  c->device_id = g_strdup (config->device_id);
  c->secret = config->secret ? g_bytes_ref (config->secret) : NULL;
  c->token = g_strdup (config->token);
  c->prvkey_pem = g_strdup (config->prvkey_pem);
  c->clicert_pem = g_strdup (config->clicert_pem);
  c->cacert_pem = g_strdup (config->cacert_pem);
  c->host = g_strdup (config->host);
  c->firmware_key_algorithm = g_strdup (config->firmware_key_algorithm);
  c->firmware_key_pem = g_strdup (config->firmware_key_pem);
  return c;
}

FdDeviceConfig *
fd_device_config_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  struct stat st;
  gssize got = 0;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_IO, "%s: %s", path,
                   g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_IO,
                   "%s: not a regular file", path);
      return NULL;
    }
  /* Read one byte past the limit, so a file that grows while we read is still caught. */
  data = g_malloc (FD_DEVICE_CONFIG_MAX_BYTES + 1);
  while (got <= FD_DEVICE_CONFIG_MAX_BYTES)
    {
      gssize n = read (fd, data + got, FD_DEVICE_CONFIG_MAX_BYTES + 1 - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_IO, "%s: %s", path,
                       g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      got += n;
    }
  close (fd);
  if (got > FD_DEVICE_CONFIG_MAX_BYTES)
    {
      g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_TOO_LARGE,
                   "%s: larger than %u bytes: not a zdevice.json", path,
                   FD_DEVICE_CONFIG_MAX_BYTES);
      return NULL;
    }
  return fd_device_config_parse (data, (gsize)got, path, error);
}

static gboolean
missing (const char *source, const char *member, GError **error)
{
  g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_MISSING,
               "%s: the member %s is missing", source, member);
  return FALSE;
}

static gboolean
invalid (const char *source, const char *member, const char *what, GError **error)
{
  g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_INVALID, "%s: %s %s", source,
               member, what);
  return FALSE;
}

static JsonObject *
get_object (JsonObject *parent, const char *name, const char *source, GError **error)
{
  JsonNode *node = json_object_get_member (parent, name);

  if (node == NULL)
    return missing (source, name, error), NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return invalid (source, name, "must be a JSON object", error), NULL;
  return json_node_get_object (node);
}

/* The string member @name of @obj (@path is how messages call it); "" counts as missing when
 * @required_non_empty. */
static const char *
get_string (JsonObject *obj, const char *name, const char *path, gboolean required_non_empty,
            const char *source, GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  const char *s;

  if (node == NULL)
    return missing (source, path, error), NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return invalid (source, path, "must be a string", error), NULL;
  s = json_node_get_string (node);
  if (required_non_empty && *s == '\0')
    return invalid (source, path, "is empty", error), NULL;
  return s;
}

static gboolean
get_int (JsonObject *obj, const char *name, const char *path, gint64 min, gint64 max, gint64 *out,
         const char *source, GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *range = NULL;

  if (node == NULL)
    return missing (source, path, error);
  range = g_strdup_printf ("must be an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, min,
                           max);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return invalid (source, path, range, error);
  *out = json_node_get_int (node);
  if (*out < min || *out > max)
    return invalid (source, path, range, error);
  return TRUE;
}

/* Strict base64 (RFC 4648 section 4, padding required): g_base64_decode skips what it does
 * not know, which would turn a truncated or mangled key into a different key silently. */
static GBytes *
decode_base64 (const char *text)
{
  gsize len = strlen (text);
  gsize out_len = 0;
  guchar *raw;

  if (len == 0 || len % 4 != 0)
    return NULL;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (g_ascii_isalnum (c) || c == '+' || c == '/')
        continue;
      /* '=' only as the last one or two characters. */
      if (c == '=' && i >= len - 2 && (i == len - 1 || text[len - 1] == '='))
        continue;
      return NULL;
    }
  raw = g_base64_decode (text, &out_len);
  if (out_len == 0)
    {
      g_free (raw);
      return NULL;
    }
  return g_bytes_new_take (raw, out_len);
}

static gboolean
parse_devinfo (FdDeviceConfig *c, JsonObject *root, GError **error)
{
  JsonObject *devinfo = get_object (root, "devinfo", c->source, error);
  const char *id, *mode;

  if (devinfo == NULL)
    return FALSE;
  id = get_string (devinfo, "device_id", "devinfo.device_id", TRUE, c->source, error);
  if (id == NULL)
    return FALSE;
  if (strlen (id) > FD_DEVICE_ID_MAX_BYTES || !g_utf8_validate (id, -1, NULL))
    return invalid (c->source, "devinfo.device_id", "is not a device id (1-64 bytes of UTF-8)",
                    error);
  for (const char *p = id; *p; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      return invalid (c->source, "devinfo.device_id", "contains a control character", error);
  c->device_id = g_strdup (id);

  mode = get_string (devinfo, "mode", "devinfo.mode", FALSE, c->source, error);
  if (mode == NULL)
    return FALSE;
  if (g_str_equal (mode, "device_token"))
    c->mode = FD_DEVICE_MODE_DEVICE_TOKEN;
  else if (g_str_equal (mode, "cloud_token"))
    c->mode = FD_DEVICE_MODE_CLOUD_TOKEN;
  else if (g_str_equal (mode, "certificate"))
    c->mode = FD_DEVICE_MODE_CERTIFICATE;
  else
    {
      g_autofree char *what = g_strdup_printf (
          "is \"%.32s\": expected device_token, cloud_token or certificate", mode);
      return invalid (c->source, "devinfo.mode", what, error);
    }
  if (c->mode == FD_DEVICE_MODE_DEVICE_TOKEN
      && !get_int (devinfo, "key_id", "devinfo.key_id", 0, G_MAXINT32, &c->key_id, c->source,
                   error))
    return FALSE;
  return TRUE;
}

static gboolean
looks_like_pem (const char *text, const char *label_end)
{
  const char *begin = strstr (text, "-----BEGIN ");
  return begin != NULL && strstr (begin, label_end) != NULL && strstr (begin, "-----END ") != NULL;
}

static gboolean
parse_secret (FdDeviceConfig *c, JsonObject *root, GError **error)
{
  const char *prvkey = get_string (root, "prvkey", "prvkey", FALSE, c->source, error);
  const char *clicert;

  if (prvkey == NULL)
    return FALSE;
  switch (c->mode)
    {
    case FD_DEVICE_MODE_DEVICE_TOKEN:
      if (*prvkey == '\0')
        return invalid (c->source, "prvkey",
                        "is empty: a device_token device needs its key (base64); the server "
                        "shows it only when the credential is made",
                        error);
      c->secret = decode_base64 (prvkey);
      if (c->secret == NULL)
        return invalid (c->source, "prvkey", "is not base64 (a device_token key)", error);
      return TRUE;
    case FD_DEVICE_MODE_CLOUD_TOKEN:
      if (*prvkey == '\0')
        return invalid (c->source, "prvkey",
                        "is empty: a cloud_token device needs its token; the server shows it "
                        "only when the credential is made",
                        error);
      for (const char *p = prvkey; *p; p++)
        if ((guchar)*p <= 0x20 || *p == 0x7f)
          return invalid (c->source, "prvkey", "contains a space or control character", error);
      c->token = g_strdup (prvkey);
      return TRUE;
    case FD_DEVICE_MODE_CERTIFICATE:
      if (*prvkey == '\0')
        return invalid (c->source, "prvkey",
                        "is empty: a certificate device needs its private key (PEM) here; for "
                        "a CSR or an own certificate the key never left the device, so put it "
                        "in yourself",
                        error);
      if (!looks_like_pem (prvkey, "PRIVATE KEY-----"))
        return invalid (c->source, "prvkey", "is not a PEM private key", error);
      clicert = get_string (root, "clicert", "clicert", TRUE, c->source, error);
      if (clicert == NULL)
        return FALSE;
      if (!looks_like_pem (clicert, "CERTIFICATE-----"))
        return invalid (c->source, "clicert", "is not a PEM certificate", error);
      c->prvkey_pem = g_strdup (prvkey);
      c->clicert_pem = g_strdup (clicert);
      return TRUE;
    }
  g_assert_not_reached ();
}

static gboolean
parse_endpoint (FdDeviceConfig *c, JsonObject *root, GError **error)
{
  JsonObject *endpoint = get_object (root, "endpoint", c->source, error);
  const char *host, *cacert;
  gint64 port = 0;

  if (endpoint == NULL)
    return FALSE;
  host = get_string (endpoint, "host", "endpoint.host", TRUE, c->source, error);
  if (host == NULL)
    return FALSE;
  if (strlen (host) > 253)
    return invalid (c->source, "endpoint.host", "is longer than a host name can be", error);
  for (const char *p = host; *p; p++)
    if ((guchar)*p <= 0x20 || *p == 0x7f || *p == '/')
      return invalid (c->source, "endpoint.host", "is not a host name or address", error);
  if (!json_object_has_member (endpoint, "https_port"))
    return missing (c->source, "endpoint.https_port (Fleetdesk's HTTPS device port)", error);
  if (!get_int (endpoint, "https_port", "endpoint.https_port", 1, 65535, &port, c->source, error))
    return FALSE;
  c->host = g_strdup (host);
  c->https_port = (guint)port;
  /* The MQTT port: only MQTT needs it, and it says so when it is absent (0 too: a server
   * without an MQTT listener writes that). */
  if (json_object_has_member (endpoint, "port"))
    {
      if (!get_int (endpoint, "port", "endpoint.port", 0, 65535, &port, c->source, error))
        return FALSE;
      c->mqtt_port = (guint)port;
    }

  cacert = get_string (root, "cacert", "cacert", TRUE, c->source, error);
  if (cacert == NULL)
    return FALSE;
  if (!looks_like_pem (cacert, "CERTIFICATE-----"))
    return invalid (c->source, "cacert", "is not a PEM certificate", error);
  c->cacert_pem = g_strdup (cacert);
  return TRUE;
}

/* firmware_key {"algorithm", "public_key"}: optional (older credentials have none). */
static gboolean
parse_firmware_key (FdDeviceConfig *c, JsonObject *root, GError **error)
{
  JsonObject *key;
  const char *algorithm, *pem;

  if (!json_object_has_member (root, "firmware_key")
      || JSON_NODE_HOLDS_NULL (json_object_get_member (root, "firmware_key")))
    return TRUE;
  key = get_object (root, "firmware_key", c->source, error);
  if (key == NULL)
    return FALSE;
  algorithm = get_string (key, "algorithm", "firmware_key.algorithm", TRUE, c->source, error);
  if (algorithm == NULL)
    return FALSE;
  if (!g_str_equal (algorithm, "ecdsa-p256") && !g_str_equal (algorithm, "ed25519"))
    return invalid (c->source, "firmware_key.algorithm", "is not ecdsa-p256 or ed25519", error);
  pem = get_string (key, "public_key", "firmware_key.public_key", TRUE, c->source, error);
  if (pem == NULL)
    return FALSE;
  if (!looks_like_pem (pem, "PUBLIC KEY-----"))
    return invalid (c->source, "firmware_key.public_key", "is not a PEM public key", error);
  c->firmware_key_algorithm = g_strdup (algorithm);
  c->firmware_key_pem = g_strdup (pem);
  return TRUE;
}

FdDeviceConfig *
fd_device_config_parse (const char *data, gsize len, const char *source, GError **error)
{
  g_autoptr (FdDeviceConfig) c = g_new0 (FdDeviceConfig, 1);
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  c->source = g_strdup (source);
  if (len > FD_DEVICE_CONFIG_MAX_BYTES)
    {
      g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_TOO_LARGE,
                   "%s: larger than %u bytes: not a zdevice.json", source,
                   FD_DEVICE_CONFIG_MAX_BYTES);
      return NULL;
    }
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate (data, (gssize)len, NULL))
    {
      g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_SYNTAX,
                   "%s: not UTF-8 text: not a zdevice.json", source);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize)len, &local))
    {
      g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_SYNTAX, "%s: not JSON: %s",
                   source, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FD_DEVICE_CONFIG_ERROR, FD_DEVICE_CONFIG_ERROR_SYNTAX,
                   "%s: not a JSON object: not a zdevice.json", source);
      return NULL;
    }
  if (!parse_devinfo (c, json_node_get_object (root), error)
      || !parse_secret (c, json_node_get_object (root), error)
      || !parse_endpoint (c, json_node_get_object (root), error)
      || !parse_firmware_key (c, json_node_get_object (root), error))
    return NULL;
  return g_steal_pointer (&c);
}

char *
fd_device_config_mint_jwt (const FdDeviceConfig *config, gint64 now_s, gint64 lifetime_s)
{
  gsize len = 0;
  const guint8 *key;

  g_return_val_if_fail (config->mode == FD_DEVICE_MODE_DEVICE_TOKEN, NULL);
  key = g_bytes_get_data (config->secret, &len);
  return fd_jwt_sign (config->device_id, config->key_id, now_s + lifetime_s, key, len);
}
