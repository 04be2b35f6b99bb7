/* test-device-routes.c — what devices send to the HTTPS endpoint of a real fleetdesk-server,
 * and who they are: whoami for every kind of credential, data and up messages that the
 * operator API then shows, and every refusal with its status, code and connection. */
#include "fd-test-device.h"

#include <string.h>

static FdTdServer *shared;

typedef struct
{
  const char *method;
  const char *path;
  const char *extra;
  const char *body;
  guint status;
  const char *code;
  const char *header; /* a header line the answer must have, or NULL */
  gboolean closes;
} Refused;

static void
test_whoami_certificate (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "cert-1");
  g_autofree char *u = fd_td_url (shared, "/v1/whoami");
  const char *args[] = { "--cert", d->cert, "--key", d->key, u, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *dev_path = g_strconcat ("/api/v1/devices/", d->id, NULL);
  g_autoptr (JsonNode) device = fd_test_api_expect (shared->srv, "GET", dev_path, NULL, 200);

  g_assert_cmpint (fd_td_curl (shared, args, &out, &err), ==, 0);
  node = json_from_string (out, NULL);
  g_assert_nonnull (node);
  g_assert_cmpstr (fd_test_str (node, "device_id"), ==, d->id);
  g_assert_cmpstr (fd_test_str (node, "workspace_id"), ==, shared->workspace);
  g_assert_cmpstr (fd_test_str (node, "fleet_id"), ==, fd_test_str (device, "fleet_id"));
  g_assert_cmpstr (fd_test_str (node, "credential_id"), ==, d->credential_id);
  g_assert_cmpstr (fd_test_str (node, "auth"), ==, "certificate");
}

static void
test_tokens (void)
{
  g_autoptr (FdTdDevice) jwt_dev = fd_td_key_device (shared, "jwt-1", "device_token");
  g_autoptr (FdTdDevice) cloud = fd_td_key_device (shared, "cloud-1", "cloud_token");
  g_autoptr (FdTdDevice) cert = fd_td_cert_device (shared, "cert-2");
  g_autofree char *jwt = fd_td_jwt (jwt_dev, g_get_real_time () / G_USEC_PER_SEC + 600);
  g_autofree char *expired = fd_td_jwt (jwt_dev, g_get_real_time () / G_USEC_PER_SEC - 10);
  g_autofree char *h_jwt = g_strconcat ("Authorization: Bearer ", jwt, NULL);
  g_autofree char *h_exp = g_strconcat ("Authorization: Bearer ", expired, NULL);
  g_autofree char *h_cloud = g_strconcat ("Authorization: Bearer ", cloud->secret, NULL);
  g_autofree char *u = fd_td_url (shared, "/v1/whoami");
  const struct
  {
    const char *const *args;
    const char *auth; /* NULL: 401 */
    const char *device;
  } cases[] = {
    { (const char *[]){ "-H", h_jwt, u, NULL }, "jwt", jwt_dev->id },
    { (const char *[]){ "-H", h_cloud, u, NULL }, "cloud_token", cloud->id },
    { (const char *[]){ "-H", h_exp, u, NULL }, NULL, NULL },
    { (const char *[]){ "-H", "Authorization: Bearer nonsense", u, NULL }, NULL, NULL },
    { (const char *[]){ "-H", "Authorization: Basic dXNlcjpwdw==", u, NULL }, NULL, NULL },
    { (const char *[]){ u, NULL }, NULL, NULL },
    /* a certificate connection refuses another device's bearer */
    { (const char *[]){ "--cert", cert->cert, "--key", cert->key, "-H", h_jwt, u, NULL }, NULL,
      NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) args = g_ptr_array_new ();
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr (JsonNode) node = NULL;

      g_ptr_array_add (args, (char *)"-i");
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (args, (char *)cases[i].args[j]);
      g_ptr_array_add (args, NULL);
      g_assert_cmpint (fd_td_curl (shared, (const char *const *)args->pdata, &out, &err), ==, 0);
      node = json_from_string (strstr (out, "\r\n\r\n") + 4, NULL);
      g_assert_nonnull (node);
      if (cases[i].auth == NULL)
        {
          g_assert_true (g_str_has_prefix (out, "HTTP/1.1 401 "));
          g_assert_nonnull (strstr (out, "\r\nWWW-Authenticate: Bearer"));
          g_assert_nonnull (strstr (out, "\r\nConnection: close\r\n"));
          g_assert_cmpstr (fd_test_error_code (node), ==, "unauthorized");
        }
      else
        {
          g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 "));
          g_assert_cmpstr (fd_test_str (node, "auth"), ==, cases[i].auth);
          g_assert_cmpstr (fd_test_str (node, "device_id"), ==, cases[i].device);
        }
    }
}

static void
test_data_and_up (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "data-1");
  g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
  g_autofree char *single = fd_td_request ("POST", "/v1/data/weather", NULL, "{\"temp\": 21.5}");
  g_autofree char *batch
      = fd_td_request ("POST", "/v1/data/weather", NULL,
                       "[{\"ts\": \"2026-11-27T10:00:00Z\", \"payload\": {\"temp\": 20}},"
                       " {\"ts\": 1795780800000, \"payload\": {\"temp\": 19}}]");
  g_autofree char *encoded = fd_td_request ("POST", "/v1/data/t%C3%A9", NULL, "{\"x\": true}");
  g_autofree char *up = fd_td_request ("POST", "/v1/up", NULL,
                                       "{\"key\": \"__info\", \"value\": {\"fw\": \"1.2\"}}");
  g_autofree char *path = g_strdup_printf ("/api/v1/devices/%s/tags", d->id);
  const struct
  {
    const char *req;
    guint accepted;
  } cases[] = { { single, 1 }, { batch, 2 }, { encoded, 1 }, { up, 1 } };
  g_autoptr (JsonNode) tags = NULL;
  JsonArray *items;
  gint64 weather = -1;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto (FdTdResponse) resp = { 0 };
      g_autoptr (JsonNode) node = NULL;
      fd_td_raw_send (r, cases[i].req);
      g_assert_true (fd_td_raw_response (r, &resp));
      g_assert_cmpuint (resp.status, ==, 202);
      g_assert_true (fd_td_has_header (&resp, "Content-Type: application/json"));
      node = json_from_string (resp.body, NULL);
      g_assert_cmpint (fd_test_int (node, "accepted"), ==, cases[i].accepted);
    }

  /* A 202 means committed: the operator API sees it at once. */
  tags = fd_test_api_expect (shared->srv, "GET", path, NULL, 200);
  items = json_object_get_array_member (json_node_get_object (tags), "items");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *t = json_array_get_object_element (items, i);
      if (g_str_equal (json_object_get_string_member (t, "tag"), "weather"))
        weather = json_object_get_int_member (t, "readings");
    }
  g_assert_cmpint (weather, ==, 3);
}

static void
test_refusals (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "refusals");
  g_autofree char *long_tag = g_strnfill (65, 'a');
  g_autofree char *long_tag_path = g_strconcat ("/v1/data/", long_tag, NULL);
  g_autofree char *long_key = g_strdup_printf ("{\"key\": \"%s\", \"value\": 1}", long_tag);
  const Refused cases[] = {
    { "GET", "/v1/nothing", NULL, NULL, 404, "not_found", NULL, FALSE },
    { "GET", "/v1/data/t", NULL, NULL, 405, "method_not_allowed", "Allow: POST", FALSE },
    { "POST", "/v1/whoami", NULL, "{}", 405, "method_not_allowed", "Allow: GET", FALSE },
    { "POST", "/v1/data/", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/a+b", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/a%2Fb", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/a%00b", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/%FF", NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", long_tag_path, NULL, "{}", 400, "invalid_tag", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "", 400, "invalid_payload", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "42", 400, "invalid_payload", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "{\"a\": 1, \"a\": 2}", 400, "invalid_payload", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "{\"a\": 1} x", 400, "invalid_payload", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "[{\"ts\": \"yesterday\", \"payload\": {}}]", 400,
      "invalid_batch", NULL, FALSE },
    { "POST", "/v1/data/t", NULL, "[{\"ts\": 1, \"payload\": {\"a\": 1}}, {\"ts\": 2}]", 400,
      "invalid_batch", NULL, FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": \"#fota_info\", \"value\": {}}", 400, "unknown_request",
      NULL, FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": \"condition\", \"value\": 1}", 400, "invalid_condition",
      NULL, FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": \"a\"}", 400, "invalid_message", NULL, FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": 5, \"value\": 1}", 400, "invalid_message", NULL, FALSE },
    { "POST", "/v1/up", NULL, "{\"key\": \"a\\u0000b\", \"value\": 1}", 400, "invalid_message",
      NULL, FALSE },
    { "POST", "/v1/up", NULL, long_key, 400, "invalid_message", NULL, FALSE },
    { "POST", "/v1/data/t", "Transfer-Encoding: chunked\r\n", NULL, 411, "length_required", NULL,
      TRUE },
    { "POST", "/v1/data/t", "Content-Length: 5\r\n", "{}", 400, "bad_request", NULL, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (FdTdRaw) r = fd_td_raw_open (shared, d, NULL);
      g_autofree char *text
          = fd_td_request (cases[i].method, cases[i].path, cases[i].extra, cases[i].body);
      g_auto (FdTdResponse) resp = { 0 };
      g_autoptr (JsonNode) keep = NULL;

      g_test_message ("case %u: %s %s", i, cases[i].method, cases[i].path);
      fd_td_raw_send (r, text);
      g_assert_true (fd_td_raw_response (r, &resp));
      g_assert_cmpuint (resp.status, ==, cases[i].status);
      g_assert_cmpstr (fd_td_error_code (&resp, &keep), ==, cases[i].code);
      g_assert_true (fd_td_has_header (&resp, "Content-Type: application/json"));
      if (cases[i].header != NULL)
        g_assert_true (fd_td_has_header (&resp, cases[i].header));
      g_assert_cmpint (fd_td_has_header (&resp, "Connection: close"), ==, cases[i].closes);
      if (cases[i].closes)
        g_assert_true (fd_td_closed_by_server (r));
      else
        {
          /* The connection is still good for the next request. */
          g_autofree char *next = fd_td_request ("GET", "/v1/whoami", NULL, NULL);
          g_auto (FdTdResponse) again = { 0 };
          fd_td_raw_send (r, next);
          g_assert_true (fd_td_raw_response (r, &again));
          g_assert_cmpuint (again.status, ==, 200);
        }
    }
}

int
main (int argc, char **argv)
{
  const char *args[] = { "--device-rate=0", NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-routes/whoami-certificate", test_whoami_certificate);
  g_test_add_func ("/device-routes/tokens", test_tokens);
  g_test_add_func ("/device-routes/data-and-up", test_data_and_up);
  g_test_add_func ("/device-routes/refusals", test_refusals);

  shared = fd_td_server_start (args);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
