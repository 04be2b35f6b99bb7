/* fd-test-devices.c — bulk provisioning through the API, with a zdevice.json per device. */
#include "fd-test-devices.h"

#include <glib/gstdio.h>
#include <string.h>

char *
fd_test_zdevice_from_import (JsonObject *credential, JsonObject *endpoint, const char *cacert)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  const char *kind = json_object_get_string_member (credential, "kind");
  gboolean key = g_str_equal (kind, "key");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "devinfo");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "device_id");
  json_builder_add_string_value (b, json_object_get_string_member (credential, "device_id"));
  json_builder_set_member_name (b, "mode");
  json_builder_add_string_value (b, key ? json_object_get_string_member (credential, "mode")
                                        : "certificate");
  if (key)
    {
      json_builder_set_member_name (b, "key_id");
      json_builder_add_int_value (b, json_object_get_int_member (credential, "key_id"));
      json_builder_set_member_name (b, "key_type");
      json_builder_add_string_value (b, "sym");
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "prvkey");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (
                                        credential, key ? "secret" : "private_key", ""));
  json_builder_set_member_name (b, "endpoint");
  json_builder_add_value (b, json_node_init_object (json_node_alloc (), endpoint));
  json_builder_set_member_name (b, "cacert");
  json_builder_add_string_value (b, cacert);
  if (!key)
    {
      json_builder_set_member_name (b, "clicert");
      json_builder_add_string_value (b, json_object_get_string_member (credential, "certificate"));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

GPtrArray *
fd_test_import_devices (FdTestServer *srv, const char *workspace_id, const char *prefix, guint n,
                        const char *const *credentials, const char *dir, double *seconds)
{
  g_autoptr (GString) csv = g_string_new ("name,credential\n");
  g_autofree char *path = g_strdup_printf ("/api/v1/workspaces/%s/devices/import", workspace_id);
  g_autoptr (JsonNode) answer = NULL;
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  guint ncred = g_strv_length ((char **)credentials);
  JsonObject *root, *endpoint;
  JsonArray *items;
  const char *cacert;
  guint status = 0;
  gint64 t0;

  g_assert_cmpuint (ncred, >, 0);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (csv, "%s-%05u,%s\n", prefix, i + 1, credentials[i % ncred]);
  t0 = g_get_monotonic_time ();
  answer = fd_test_api_full (srv, "POST", path, "text/csv", csv->str, csv->len, srv->token, &status,
                             NULL);
  if (seconds != NULL)
    *seconds = (double)(g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  if (status != 201)
    g_error ("import of %u devices: %u %s", n, status,
             answer ? json_to_string (answer, FALSE) : "(no body)");

  root = json_node_get_object (answer);
  items = json_object_get_array_member (root, "items");
  endpoint = json_object_get_object_member (root, "endpoint");
  cacert = json_object_get_string_member (root, "cacert");
  g_assert_cmpuint (json_array_get_length (items), ==, n);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      JsonObject *device = json_object_get_object_member (item, "device");
      JsonArray *creds = json_object_get_array_member (item, "credentials");
      g_autofree char *text = NULL;
      g_autofree char *file = NULL;
      g_autofree char *name = NULL;
      g_autoptr (GError) error = NULL;

      g_ptr_array_add (ids, g_strdup (json_object_get_string_member (device, "id")));
      if (json_array_get_length (creds) == 0)
        continue;
      text = fd_test_zdevice_from_import (json_array_get_object_element (creds, 0), endpoint,
                                          cacert);
      /* The workspace's firmware signing key, as `fleetdesk-cli device import` writes it. */
      if (json_object_has_member (root, "firmware_key"))
        {
          g_autoptr (JsonNode) z = json_from_string (text, NULL);
          json_object_set_member (json_node_get_object (z), "firmware_key",
                                  json_node_copy (json_object_get_member (root, "firmware_key")));
          g_free (text);
          text = json_to_string (z, TRUE);
        }
      name = g_strdup_printf ("%s.json", json_object_get_string_member (device, "name"));
      file = g_build_filename (dir, name, NULL);
      g_file_set_contents_full (file, text, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
      g_assert_no_error (error);
    }
  return ids;
}
