/* fd-test-campaigns.c — firmware, scripted FOTA devices and campaign waits (fd-test-campaigns.h).
 */
#include "fd-test-campaigns.h"

#include <string.h>

char *
fd_tc_firmware (FdTdServer *s, const char *workspace_id, const char *version)
{
  g_autofree char *path
      = g_strdup_printf ("/api/v1/workspaces/%s/firmware?version=%s", workspace_id, version);
  g_autofree char *body = g_strnfill (FD_TC_FIRMWARE_SIZE, 'f');
  g_autoptr (JsonNode) fw = NULL;
  guint status = 0;

  fw = fd_test_api_full (s->srv, "POST", path, "application/octet-stream", body,
                         FD_TC_FIRMWARE_SIZE, s->srv->token, &status, NULL);
  if (status != 201)
    g_error ("firmware upload: %u %s", status, fw ? json_to_string (fw, FALSE) : "");
  return g_strdup (fd_test_str (fw, "id"));
}

FdTcDevice *
fd_tc_device (FdTdServer *s, const char *name, const char *fw_version)
{
  FdTcDevice *dev = g_new0 (FdTcDevice, 1);

  dev->d = fd_td_cert_device (s, name);
  dev->r = fd_td_raw_open (s, dev->d, NULL);
  g_assert_nonnull (dev->r);
  if (fw_version != NULL)
    {
      g_autofree char *info = g_strdup_printf ("{\"fw\": \"%s\"}", fw_version);
      fd_tc_report (dev, "__info", info);
    }
  return dev;
}

void
fd_tc_device_free (FdTcDevice *dev)
{
  if (dev == NULL)
    return;
  fd_td_raw_free (dev->r);
  fd_td_device_free (dev->d);
  g_free (dev);
}

void
fd_tc_reconnect (FdTdServer *s, FdTcDevice *dev)
{
  g_clear_pointer (&dev->r, fd_td_raw_free);
  dev->r = fd_td_raw_open (s, dev->d, NULL);
  g_assert_nonnull (dev->r);
}

JsonNode *
fd_tc_up (FdTcDevice *dev, const char *key, const char *value_json, guint expected)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) msg = NULL;
  g_autofree char *body = NULL;
  g_autofree char *text = NULL;
  g_auto (FdTdResponse) resp = { 0 };
  JsonNode *node;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, key);
  json_builder_set_member_name (b, "value");
  json_builder_add_value (b, json_from_string (value_json, NULL));
  json_builder_end_object (b);
  msg = json_builder_get_root (b);
  body = json_to_string (msg, FALSE);
  text = fd_td_request ("POST", "/v1/up", NULL, body);
  fd_td_raw_send (dev->r, text);
  g_assert_true (fd_td_raw_response (dev->r, &resp));
  if (resp.status != expected)
    g_error ("POST /v1/up %s from %s: expected %u, got %u %s", body, dev->d->id, expected,
             resp.status, resp.body);
  node = resp.body && *resp.body ? json_from_string (resp.body, NULL) : NULL;
  return node;
}

void
fd_tc_report (FdTcDevice *dev, const char *key, const char *value_json)
{
  g_autoptr (JsonNode) node = fd_tc_up (dev, key, value_json, 202);
}

void
fd_tc_update (FdTcDevice *dev, const char *version, const char *result)
{
  g_autofree char *final
      = g_strdup_printf ("{\"fw_version\": \"%s\", \"result\": \"%s\", \"msg\": \"%s\"}", version,
                         result, g_str_equal (result, "success") ? "" : "flash write failed");

  fd_tc_report (dev, "_fota_status", "{\"state\": \"downloading\", \"progress\": 50}");
  fd_tc_report (dev, "_fota_status", "{\"state\": \"downloaded\", \"progress\": 100}");
  fd_tc_report (dev, "_fota_status", "{\"state\": \"verified\", \"progress\": 100}");
  fd_tc_report (dev, "_fota_status", "{\"state\": \"installing\", \"progress\": 100}");
  fd_tc_report (dev, "@fota", final);
  if (g_str_equal (result, "success"))
    {
      g_autofree char *info = g_strdup_printf ("{\"fw\": \"%s\"}", version);
      fd_tc_report (dev, "__info", info);
    }
}

JsonNode *
fd_tc_expected_fota (FdTcDevice *dev)
{
  g_autoptr (JsonNode) reply = fd_tc_up (dev, "#status", "{}", 200);
  JsonObject *value = json_object_get_object_member (json_node_get_object (reply), "value");
  JsonObject *expected = json_object_get_object_member (value, "expected");
  JsonNode *entry = json_object_get_member (expected, "@fota");

  if (entry == NULL)
    return NULL;
  return json_node_copy (json_object_get_member (json_node_get_object (entry), "v"));
}

static char *
member_text (JsonNode *node, const char *member)
{
  JsonNode *m = json_object_get_member (json_node_get_object (node), member);

  if (m == NULL || JSON_NODE_HOLDS_NULL (m))
    return g_strdup ("null");
  if (json_node_get_value_type (m) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (m));
  return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (m));
}

JsonNode *
fd_tc_wait (FdTestServer *srv, const char *id, const char *member, const char *want)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/campaigns/%s", id);

  for (int i = 0; i < 600; i++)
    {
      JsonNode *node = fd_test_api_expect (srv, "GET", path, NULL, 200);
      g_autofree char *have = member_text (node, member);

      if (g_str_equal (have, want))
        return node;
      if (i == 599)
        {
          g_autofree char *text = json_to_string (node, FALSE);
          g_error ("campaign %s: %s never became %s (it is %s): %s", id, member, want, have, text);
        }
      json_node_unref (node);
      g_usleep (50 * 1000);
    }
  return NULL;
}

gint64
fd_tc_count (JsonNode *campaign, const char *state)
{
  JsonObject *counts = json_object_get_object_member (json_node_get_object (campaign), "counts");
  return json_object_get_int_member (counts, state);
}

JsonNode *
fd_tc_targets (FdTestServer *srv, const char *id, const char *query)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/campaigns/%s/targets%s%s", id, query ? "?" : "",
                                           query ? query : "");
  return fd_test_api_expect (srv, "GET", path, NULL, 200);
}

char *
fd_tc_target_state (FdTestServer *srv, const char *id, const char *device_id)
{
  g_autoptr (JsonNode) list = fd_tc_targets (srv, id, "size=10000");
  JsonArray *items = json_object_get_array_member (json_node_get_object (list), "items");

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *t = json_array_get_object_element (items, i);
      if (g_str_equal (json_object_get_string_member (t, "device_id"), device_id))
        return g_strdup (json_object_get_string_member (t, "state"));
    }
  g_error ("device %s is not a target of campaign %s", device_id, id);
  return NULL;
}

JsonNode *
fd_tc_create (FdTestServer *srv, const char *workspace_id, const char *body)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/campaigns", workspace_id);
  return fd_test_api_expect (srv, "POST", path, body, 201);
}

char *
fd_tc_ids_json (FdTcDevice **devs, guint n)
{
  GString *s = g_string_new ("[");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s\"%s\"", i ? "," : "", devs[i]->d->id);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

guint
fd_tc_download (FdTcDevice *dev, const char *firmware_id, gsize *len)
{
  g_autofree char *path = g_strdup_printf ("/v1/firmware/%s", firmware_id);
  g_autofree char *text = fd_td_request ("GET", path, NULL, NULL);
  g_auto (FdTdResponse) resp = { 0 };

  fd_td_raw_send (dev->r, text);
  g_assert_true (fd_td_raw_response (dev->r, &resp));
  *len = resp.body ? strlen (resp.body) : 0;
  return resp.status;
}
