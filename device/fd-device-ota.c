/* fd-device-ota.c — the steps of a firmware update (fd-device-ota.h); the download is in
 * fd-device-ota-download.c. */
#include "fd-device-ota-private.h"

#include <string.h>

/* How long an install's reboot keeps the device away. */
#define REBOOT_MS 1000

static void
target_clear (FdOtaTarget *t)
{
  g_free (t->fw_version);
  g_free (t->firmware_id);
  g_free (t->campaign_id);
  g_free (t->sha256);
  g_free (t->path);
  g_free (t->manifest);
  g_free (t->signature);
  g_free (t->algorithm);
  memset (t, 0, sizeof *t);
}

FdDeviceOta *
fd_device_ota_new (FdDeviceAgent *agent, const FdDeviceConfig *config,
                   const FdDeviceAgentOptions *options)
{
  FdDeviceOta *ota = g_new0 (FdDeviceOta, 1);

  ota->agent = agent;
  ota->config = config;
  ota->fleet = agent->fleet;
  ota->fw_version = g_strdup (options->fw_version);
  ota->rate = options->download_rate;
  ota->chunk
      = options->chunk > 0 ? MIN (options->chunk, FD_DEVICE_OTA_MAX_CHUNK) : FD_DEVICE_OTA_CHUNK;
  if (options->trust != NULL)
    ota->trust = g_object_ref (options->trust);
  if (options->https_address != NULL)
    ota->https_address = g_object_ref (options->https_address);
  if (options->local_address != NULL)
    ota->local_address = g_object_ref (options->local_address);
  return ota;
}

void
fd_device_ota_free (FdDeviceOta *ota)
{
  if (ota == NULL)
    return;
  fd_device_ota_download_stop (ota);
  g_clear_object (&ota->client);
  g_clear_object (&ota->trust);
  g_clear_object (&ota->https_address);
  g_clear_object (&ota->local_address);
  target_clear (&ota->t);
  g_free (ota->fw_version);
  g_free (ota->last_campaign);
  g_free (ota->last_firmware);
  g_free (ota->last_final);
  g_free (ota);
}

const char *
fd_device_ota_fw_version (FdDeviceOta *ota)
{
  return ota->fw_version;
}

static void
send_info (FdDeviceOta *ota, const char *fw)
{
  g_autofree char *f = fd_device_json_string (fw);
  g_autofree char *value = g_strdup_printf ("{\"fw\":%s}", f);

  fd_device_agent_up (ota->agent, "__info", value);
}

void
fd_device_ota_status (FdDeviceOta *ota, const char *state, guint progress)
{
  g_autofree char *v = fd_device_json_string (ota->t.fw_version);
  g_autofree char *value = g_strdup_printf ("{\"state\":\"%s\",\"progress\":%u,\"fw_version\":%s}",
                                            state, progress, v);

  fd_device_agent_up (ota->agent, "_fota_status", value);
}

/* The final @fota answer; the update is over. */
void
fd_device_ota_finish (FdDeviceOta *ota, const char *result, const char *msg)
{
  g_autofree char *v = fd_device_json_string (ota->t.fw_version ? ota->t.fw_version : "");
  g_autofree char *m = fd_device_json_string (msg);

  fd_device_ota_download_stop (ota);
  g_free (ota->last_final);
  ota->last_final
      = g_strdup_printf ("{\"fw_version\":%s,\"result\":\"%s\",\"msg\":%s}", v, result, m);
  g_free (ota->last_campaign);
  ota->last_campaign = g_strdup (ota->t.campaign_id);
  g_free (ota->last_firmware);
  ota->last_firmware = g_strdup (ota->t.firmware_id);
  fd_device_agent_up (ota->agent, "@fota", ota->last_final);
  if (g_str_equal (result, "success"))
    ota->fleet->ota_succeeded++;
  else if (g_str_equal (result, "reverted"))
    ota->fleet->ota_reverted++;
  else
    ota->fleet->ota_failed++;
  ota->state = FD_OTA_IDLE;
  target_clear (&ota->t);
}

static void
accept (FdDeviceOta *ota)
{
  g_autofree char *version = g_strdup (ota->t.fw_version);

  g_free (ota->fw_version);
  ota->fw_version = g_strdup (version);
  fd_device_ota_finish (ota, "success", "");
  send_info (ota, version);
}

static void
revert (FdDeviceOta *ota, const char *why)
{
  g_autofree char *msg = g_strdup_printf ("%s; back on %s", why,
                                          ota->fw_version ? ota->fw_version : "the old firmware");

  if (ota->fw_version != NULL)
    send_info (ota, ota->fw_version);
  fd_device_ota_finish (ota, "reverted", msg);
}

void
fd_device_ota_downloaded (FdDeviceOta *ota)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  const char *hash = g_checksum_get_string (ota->sha);
  JsonObject *m = NULL;
  JsonNode *root;

  fd_device_ota_status (ota, "downloaded", 100);
  if (ota->offset != ota->t.size)
    {
      fd_device_ota_finish (ota, "fail", "the file's size is not the announced one");
      return;
    }
  if (g_ascii_strcasecmp (hash, ota->t.sha256) != 0)
    {
      g_autofree char *msg
          = g_strdup_printf ("sha256 mismatch: got %s, expected %s", hash, ota->t.sha256);
      fd_device_ota_finish (ota, "fail", msg);
      return;
    }
  /* The manifest says what was signed: it must describe this very file. */
  if (json_parser_load_from_data (parser, ota->t.manifest, -1, NULL)
      && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    m = json_node_get_object (root);
  if (m == NULL
      || g_strcmp0 (json_object_get_string_member_with_default (m, "sha256", NULL), hash) != 0
      || json_object_get_int_member_with_default (m, "size", -1) != ota->t.size
      || g_strcmp0 (json_object_get_string_member_with_default (m, "version", NULL),
                    ota->t.fw_version)
             != 0)
    {
      fd_device_ota_finish (ota, "fail", "the manifest does not describe this firmware");
      return;
    }
  if (ota->config->firmware_key_algorithm != NULL
      && g_strcmp0 (ota->t.algorithm, ota->config->firmware_key_algorithm) != 0)
    {
      fd_device_ota_finish (ota, "fail", "the signature's algorithm is not firmware_key's");
      return;
    }
  if (!fd_device_firmware_check_signature (ota->config->firmware_key_algorithm,
                                           ota->config->firmware_key_pem, ota->t.manifest,
                                           ota->t.signature, &error))
    {
      fd_device_ota_finish (ota, "fail", error->message);
      return;
    }
  fd_device_ota_download_stop (ota);
  fd_device_ota_status (ota, "verified", 100);
  if (ota->will_fail)
    {
      fd_device_ota_finish (ota, "fail", "the install failed (fota fail rate)");
      return;
    }
  fd_device_ota_status (ota, "installing", 100);
  ota->will_revert
      = fd_device_fleet_pick (ota->fleet->fota_revert_rate, ++ota->fleet->updates_installed);
  ota->state = FD_OTA_REBOOTING;
  ota->agent->ops.reconnect (ota->agent->data, REBOOT_MS);
}

void
fd_device_ota_on_connected (FdDeviceOta *ota)
{
  if (ota->state == FD_OTA_REBOOTING)
    {
      if (ota->will_revert)
        {
          revert (ota, "the new firmware did not come up (fota revert rate)");
          return;
        }
      {
        g_autofree char *testing = g_strconcat ("testing-", ota->t.fw_version, NULL);
        send_info (ota, testing);
      }
      fd_device_ota_status (ota, "testing", 100);
      ota->state = FD_OTA_TESTING;
      return;
    }
  if (ota->fw_version != NULL)
    send_info (ota, ota->fw_version);
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

/* The url's path: the device fetches it from its own endpoint, with its own credential. */
static char *
url_path (const char *url)
{
  const char *p;

  if (url[0] == '/')
    return g_strdup (url);
  p = strstr (url, "://");
  if (p == NULL || (p = strchr (p + 3, '/')) == NULL)
    return NULL;
  return g_strdup (p);
}

static void
start (FdDeviceOta *ota, JsonObject *o)
{
  g_autoptr (GError) error = NULL;
  const char *sha = member_string (o, "sha256");
  const char *url = member_string (o, "url");
  JsonNode *size = json_object_get_member (o, "size");
  const char *bad = NULL;

  target_clear (&ota->t);
  ota->t.fw_version = g_strdup (member_string (o, "fw_version"));
  ota->t.firmware_id = g_strdup (member_string (o, "firmware_id"));
  ota->t.campaign_id = g_strdup (member_string (o, "campaign_id"));
  ota->t.manifest = g_strdup (member_string (o, "manifest"));
  ota->t.signature = g_strdup (member_string (o, "signature"));
  ota->t.algorithm = g_strdup (member_string (o, "algorithm"));
  ota->t.sha256 = g_strdup (sha);
  ota->t.path = url ? url_path (url) : NULL;
  if (size != NULL && JSON_NODE_HOLDS_VALUE (size)
      && json_node_get_value_type (size) == G_TYPE_INT64)
    ota->t.size = json_node_get_int (size);
  if (ota->t.path == NULL)
    bad = "url";
  else if (!(ota->t.size > 0 && ota->t.size <= FD_DEVICE_OTA_MAX_SIZE))
    bad = "size";
  else if (sha == NULL || strlen (sha) != 64)
    bad = "sha256";
  else if (ota->t.manifest == NULL)
    bad = "manifest";
  if (bad != NULL)
    {
      g_autofree char *msg = g_strdup_printf ("@fota: a bad or missing %s", bad);
      fd_device_ota_finish (ota, "fail", msg);
      return;
    }
  ota->will_fail = fd_device_fleet_pick (ota->fleet->fota_fail_rate, ++ota->fleet->updates_started);
  ota->state = FD_OTA_DOWNLOADING;
  fd_device_ota_status (ota, "downloading", 0);
  if (!fd_device_ota_download_start (ota, &error))
    fd_device_ota_finish (ota, "fail", error->message);
}

void
fd_device_ota_on_fota (FdDeviceOta *ota, JsonNode *value)
{
  JsonObject *o = value && JSON_NODE_HOLDS_OBJECT (value) ? json_node_get_object (value) : NULL;
  const char *version = o ? member_string (o, "fw_version") : NULL;

  if (version == NULL)
    return; /* not an update this device understands (a final answer echoed, or null) */
  if (ota->state == FD_OTA_TESTING && g_strcmp0 (version, ota->t.fw_version) == 0)
    {
      accept (ota);
      return;
    }
  if (ota->state != FD_OTA_IDLE)
    return; /* the update in flight (the #status reply of a reconnect lists it again) */
  if (ota->last_final != NULL
      && g_strcmp0 (member_string (o, "campaign_id"), ota->last_campaign) == 0
      && g_strcmp0 (member_string (o, "firmware_id"), ota->last_firmware) == 0)
    {
      /* Our answer was lost (the connection went before it was committed). */
      fd_device_agent_up (ota->agent, "@fota", ota->last_final);
      return;
    }
  if (g_strcmp0 (version, ota->fw_version) == 0)
    {
      ota->t.fw_version = g_strdup (version);
      ota->t.campaign_id = g_strdup (member_string (o, "campaign_id"));
      ota->t.firmware_id = g_strdup (member_string (o, "firmware_id"));
      fd_device_ota_finish (ota, "success", "already running this version");
      return;
    }
  if (!json_object_has_member (o, "url"))
    {
      g_autofree char *v = fd_device_json_string (ota->fw_version ? ota->fw_version : "");
      g_autofree char *ask = g_strdup_printf ("{\"fw_version\":%s}", v);

      ota->state = FD_OTA_INFO;
      fd_device_agent_up (ota->agent, "#fota_info", ask);
      return;
    }
  start (ota, o);
}

void
fd_device_ota_on_fota_info (FdDeviceOta *ota, JsonNode *value)
{
  JsonObject *o = value && JSON_NODE_HOLDS_OBJECT (value) ? json_node_get_object (value) : NULL;

  if (ota->state != FD_OTA_INFO)
    return;
  ota->state = FD_OTA_IDLE;
  if (o == NULL || json_object_has_member (o, "error") || !json_object_has_member (o, "url"))
    return; /* no update for this device after all */
  start (ota, o);
}

void
fd_device_ota_on_status (FdDeviceOta *ota, JsonNode *fota)
{
  if (ota->state == FD_OTA_TESTING)
    {
      JsonObject *o = fota && JSON_NODE_HOLDS_OBJECT (fota) ? json_node_get_object (fota) : NULL;
      if (o != NULL && g_strcmp0 (member_string (o, "fw_version"), ota->t.fw_version) == 0)
        accept (ota);
      else
        revert (ota, "the update is not expected any more");
      return;
    }
  if (fota != NULL)
    fd_device_ota_on_fota (ota, fota);
}
