/* fd-cli-config.c — where to send requests and with which token.
 *
 * In order: --server/--token, then FLEETDESK_URL/FLEETDESK_TOKEN, then a local server's data
 * directory (--data-dir, or $XDG_DATA_HOME/fleetdesk when no token is given and it holds
 * ports.json and admin-token), then http://127.0.0.1:7080 without a token.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "fd-cli.h"

#define FD_CLI_PORTS_FILE "ports.json"
#define FD_CLI_TOKEN_FILE "admin-token"

static const FdCliParam env_url = { .name = "FLEETDESK_URL", .value = FD_CLI_VALUE_URL };
static const FdCliParam env_token = { .name = "FLEETDESK_TOKEN", .value = FD_CLI_VALUE_TOKEN };

void
fd_cli_endpoint_clear (FdCliEndpoint *endpoint)
{
  g_clear_pointer (&endpoint->url, g_free);
  if (endpoint->token != NULL)
    memset (endpoint->token, 0, strlen (endpoint->token));
  g_clear_pointer (&endpoint->token, g_free);
}

/* Reads DIR/NAME, refusing files over FD_CLI_MAX_DATA_FILE_BYTES. */
static char *
read_data_file (const char *dir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = g_malloc (FD_CLI_MAX_DATA_FILE_BYTES + 1);
  FILE *file = fopen (path, "rb");
  size_t len;
  int saved_errno;

  if (file == NULL)
    {
      saved_errno = errno;
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_CONFIG,
                   _ ("cannot read %s: %s (is fleetdesk-server running with this data "
                      "directory?)"),
                   path, g_strerror (saved_errno));
      return NULL;
    }
  len = fread (contents, 1, FD_CLI_MAX_DATA_FILE_BYTES + 1, file);
  saved_errno = errno;
  if (ferror (file))
    {
      fclose (file);
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_CONFIG, _ ("cannot read %s: %s"), path,
                   g_strerror (saved_errno));
      return NULL;
    }
  fclose (file);
  if (len > FD_CLI_MAX_DATA_FILE_BYTES)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_CONFIG, _ ("%s is too large"), path);
      return NULL;
    }
  contents[len] = '\0';
  return g_steal_pointer (&contents);
}

/* The API URL from DIR/ports.json: {"api_address": "127.0.0.1", "api": PORT}. */
static char *
url_from_ports_file (const char *dir, GError **error)
{
  g_autofree char *contents = read_data_file (dir, FD_CLI_PORTS_FILE, error);
  g_autofree char *path = g_build_filename (dir, FD_CLI_PORTS_FILE, NULL);
  g_autoptr (JsonNode) root = NULL;
  JsonObject *object;
  const char *address = "127.0.0.1";
  gint64 port;

  if (contents == NULL)
    return NULL;
  root = json_from_string (contents, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    goto bad;
  object = json_node_get_object (root);
  if (json_object_has_member (object, "api_address"))
    {
      JsonNode *node = json_object_get_member (object, "api_address");

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        goto bad;
      address = json_node_get_string (node);
    }
  if (!json_object_has_member (object, "api")
      || !JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "api"))
      || json_node_get_value_type (json_object_get_member (object, "api")) != G_TYPE_INT64)
    goto bad;
  port = json_object_get_int_member (object, "api");
  if (port < 1 || port > 65535 || !g_hostname_is_ip_address (address))
    goto bad;

  /* A server listening on every address is reached on loopback. */
  if (g_str_equal (address, "0.0.0.0"))
    address = "127.0.0.1";
  else if (g_str_equal (address, "::"))
    address = "::1";
  if (strchr (address, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%d", address, (int)port);
  return g_strdup_printf ("http://%s:%d", address, (int)port);

bad:
  g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_CONFIG,
               _ ("%s does not hold an API address and port"), path);
  return NULL;
}

/* The admin token: the first line of DIR/admin-token. */
static char *
token_from_file (const char *dir, GError **error)
{
  g_autofree char *contents = read_data_file (dir, FD_CLI_TOKEN_FILE, error);
  g_autofree char *path = g_build_filename (dir, FD_CLI_TOKEN_FILE, NULL);
  char *newline;

  if (contents == NULL)
    return NULL;
  newline = strchr (contents, '\n');
  if (newline != NULL)
    *newline = '\0';
  g_strstrip (contents);
  if (!fd_cli_check_value (&env_token, path, contents, NULL))
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_CONFIG, _ ("%s does not hold a token"), path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

static gboolean
is_loopback_url (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GInetAddress) address = NULL;
  const char *host;

  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
has_data_files (const char *dir)
{
  g_autofree char *ports = g_build_filename (dir, FD_CLI_PORTS_FILE, NULL);
  g_autofree char *token = g_build_filename (dir, FD_CLI_TOKEN_FILE, NULL);

  return g_file_test (ports, G_FILE_TEST_IS_REGULAR) && g_file_test (token, G_FILE_TEST_IS_REGULAR);
}

/* An environment variable's value, checked like the option it stands for; NULL when unset or
 * empty. */
static gboolean
from_env (const FdCliParam *param, const char **value, GError **error)
{
  const char *text = g_getenv (param->name);

  *value = NULL;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (strlen (text) > FD_CLI_MAX_ARG_BYTES)
    {
      g_set_error (error, FD_CLI_ERROR, FD_CLI_ERROR_USAGE, _ ("%s is too long"), param->name);
      return FALSE;
    }
  if (!fd_cli_check_value (param, NULL, text, error))
    return FALSE;
  *value = text;
  return TRUE;
}

gboolean
fd_cli_endpoint_resolve (const FdCliInvocation *invocation, FdCliEndpoint *endpoint, GError **error)
{
  const char *url = fd_cli_invocation_get (invocation, "server");
  const char *token = fd_cli_invocation_get (invocation, "token");
  const char *data_dir = fd_cli_invocation_get (invocation, "data-dir");
  g_autofree char *default_dir = NULL;
  g_autofree char *dir_url = NULL;
  g_autofree char *dir_token = NULL;
  gsize len;

  if (url == NULL && !from_env (&env_url, &url, error))
    return FALSE;
  if (token == NULL && !from_env (&env_token, &token, error))
    return FALSE;

  /* The default data directory's admin token is only offered to a server on this machine:
   * a URL pointing elsewhere must come with its own token. */
  if (data_dir == NULL && token == NULL)
    {
      default_dir = g_build_filename (g_get_user_data_dir (), "fleetdesk", NULL);
      if (has_data_files (default_dir) && (url == NULL || is_loopback_url (url)))
        data_dir = default_dir;
    }
  if (data_dir != NULL && url == NULL)
    {
      dir_url = url_from_ports_file (data_dir, error);
      if (dir_url == NULL)
        return FALSE;
      url = dir_url;
    }
  if (data_dir != NULL && token == NULL)
    {
      dir_token = token_from_file (data_dir, error);
      if (dir_token == NULL)
        return FALSE;
      token = dir_token;
    }

  endpoint->url = g_strdup (url != NULL ? url : FD_CLI_DEFAULT_URL);
  len = strlen (endpoint->url);
  while (len > 0 && endpoint->url[len - 1] == '/')
    endpoint->url[--len] = '\0';
  endpoint->token = g_strdup (token);
  if (dir_token != NULL)
    memset (dir_token, 0, strlen (dir_token));
  return TRUE;
}
