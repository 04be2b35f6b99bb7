/* fd-api-data.c — what devices sent, as far as provisioning shows it: tags, their fields, the
 * latest reading per device and tag; and /server, where devices reach this server. */
#include "config.h"
#include "fd-api-private.h"
#include "fd-util.h"
#include "ingest/fd-ingest.h"
#include "store/fd-store-retention.h"

#include <glib/gstdio.h>
#include <string.h>

static const char *const tag_params[] = { "search", "from", "size", NULL };
static const char *const paging_params[] = { "from", "size", NULL };

static void
json_tag (JsonBuilder *b, const FdTagInfo *t)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tag");
  json_builder_add_string_value (b, t->tag);
  fd_api_json_int (b, "devices", t->devices);
  fd_api_json_int (b, "fields", t->fields);
  fd_api_json_int (b, "readings", t->readings);
  fd_api_json_time (b, "first_seen", t->first_seen);
  fd_api_json_time (b, "last_seen", t->last_seen);
  json_builder_end_object (b);
}

static void
json_field (JsonBuilder *b, const FdFieldInfo *f)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, f->path);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, f->type);
  fd_api_json_time (b, "first_seen", f->first_seen);
  json_builder_end_object (b);
}

static void
json_device_tag (JsonBuilder *b, const FdDeviceTag *t)
{
  g_autoptr (JsonNode) payload = t->payload ? json_from_string (t->payload, NULL) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tag");
  json_builder_add_string_value (b, t->tag);
  fd_api_json_int (b, "readings", t->readings);
  fd_api_json_time (b, "first_seen", t->first_seen);
  fd_api_json_time (b, "last_seen", t->last_seen);
  json_builder_set_member_name (b, "last");
  if (payload != NULL)
    {
      json_builder_begin_object (b);
      fd_api_json_time (b, "timestamp_device", t->ts_device);
      fd_api_json_time (b, "timestamp_in", t->ts_in);
      json_builder_set_member_name (b, "payload");
      json_builder_add_value (b, g_steal_pointer (&payload));
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static gboolean
tag_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_tag_list (db, job->id, job->search, job->from, job->size, &job->page, error);
}

static void
page_reply (FdApiRequest *req, FdApiJob *job)
{
  g_autoptr (JsonNode) node = fd_api_json_page (&job->page, job->data);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
tag_list (FdApiRequest *req)
{
  g_autofree char *search = NULL;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, tag_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size) || !fd_api_param_search (req, &search))
    return;
  job = fd_api_job_new (req);
  job->search = g_steal_pointer (&search);
  job->from = from;
  job->size = size;
  job->data = (gpointer)json_tag;
  fd_api_run_read (req, tag_list_job, job, page_reply);
}

static gboolean
field_list_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  return fd_store_tag_fields (db, job->id, job->target, job->from, job->size, &job->page, error);
}

static void
field_list (FdApiRequest *req)
{
  const char *problem;
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, paging_params) || !fd_api_path_id (req, "wks", "workspace")
      || !fd_api_param_paging (req, &from, &size))
    return;
  problem = fd_tag_check (req->path_sub, strlen (req->path_sub));
  if (problem != NULL)
    {
      fd_api_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_parameter", "tag", "%s", problem);
      return;
    }
  job = fd_api_job_new (req);
  job->target = g_strdup (req->path_sub);
  job->from = from;
  job->size = size;
  job->data = (gpointer)json_field;
  fd_api_run_read (req, field_list_job, job, page_reply);
}

static gboolean
device_tags_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;

  if (!fd_store_device_tags (db, job->id, &job->page, error))
    return FALSE;
  fd_api_page_slice (&job->page, job->from, job->size);
  return TRUE;
}

static void
device_tags (FdApiRequest *req)
{
  gint64 from, size;
  FdApiJob *job;

  if (!fd_api_check_params (req, paging_params) || !fd_api_path_id (req, "dev", "device")
      || !fd_api_param_paging (req, &from, &size))
    return;
  job = fd_api_job_new (req);
  job->from = from;
  job->size = size;
  job->data = (gpointer)json_device_tag;
  fd_api_run_read (req, device_tags_job, job, page_reply);
}

typedef struct
{
  gint64 size_bytes;
  gint64 free_bytes;
} DatabaseSize;

static gboolean
database_size_job (FdDb *db, gpointer data, GError **error)
{
  FdApiJob *job = data;
  DatabaseSize *size = job->data;

  return fd_store_database_size (db, &size->size_bytes, &size->free_bytes, error);
}

/* "database": where the store is and what it takes on disk; free pages are inside the file,
 * waiting for reuse or for retention's incremental vacuum. */
static void
json_database (JsonBuilder *b, FdApi *api, const DatabaseSize *size)
{
  const char *path = fd_store_get_path (api->store);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  GStatBuf st;

  json_builder_set_member_name (b, "database");
  json_builder_begin_object (b);
  fd_api_json_string (b, "path", path);
  fd_api_json_int (b, "size_bytes", size->size_bytes);
  fd_api_json_int (b, "free_bytes", size->free_bytes);
  fd_api_json_int (b, "wal_bytes", g_stat (wal, &st) == 0 ? (gint64)st.st_size : 0);
  json_builder_end_object (b);
}

static void
server_reply (FdApiRequest *req, FdApiJob *job)
{
  FdApiContext *ctx = &req->api->context;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (FdCertInfo) ca = NULL;
  g_autoptr (GTlsCertificate) server_cert = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_set_member_name (b, "public_name");
  json_builder_add_string_value (b, ctx->public_host ? ctx->public_host : "");
  fd_api_json_int (b, "api_port", req->api->port);
  fd_api_json_int (b, "device_port", ctx->device_port);
  fd_api_json_int (b, "mqtt_port", ctx->mqtt_port);
  if (ctx->pki != NULL)
    {
      const char *pem = fd_pki_get_ca_pem (ctx->pki);
      g_autoptr (GByteArray) der = NULL;
      g_autoptr (FdCertInfo) srv = NULL;

      ca = fd_pki_parse_certificate (NULL, pem, strlen (pem), NULL);
      json_builder_set_member_name (b, "ca");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "subject");
      json_builder_add_string_value (b, ca ? ca->subject : "");
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, fd_pki_get_ca_fingerprint (ctx->pki));
      fd_api_json_time (b, "not_after", ca ? ca->not_after : 0);
      json_builder_set_member_name (b, "certificate");
      json_builder_add_string_value (b, pem);
      json_builder_end_object (b);

      server_cert = fd_pki_dup_server_certificate (ctx->pki);
      if (server_cert != NULL)
        g_object_get (server_cert, "certificate", &der, NULL);
      if (der != NULL)
        srv = fd_pki_parse_der (NULL, der->data, der->len, NULL);
      json_builder_set_member_name (b, "server_certificate");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "names");
      json_builder_begin_array (b);
      if (server_cert != NULL)
        {
          g_autoptr (GPtrArray) names = g_tls_certificate_get_dns_names (server_cert);
          g_autoptr (GPtrArray) ips = g_tls_certificate_get_ip_addresses (server_cert);
          for (guint i = 0; names != NULL && i < names->len; i++)
            {
              gsize len;
              const char *name = g_bytes_get_data (g_ptr_array_index (names, i), &len);
              g_autofree char *text = g_strndup (name, len);
              json_builder_add_string_value (b, text);
            }
          for (guint i = 0; ips != NULL && i < ips->len; i++)
            {
              g_autofree char *text = g_inet_address_to_string (g_ptr_array_index (ips, i));
              json_builder_add_string_value (b, text);
            }
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, srv ? srv->fingerprint : "");
      fd_api_json_time (b, "not_after", fd_pki_get_server_not_after (ctx->pki));
      json_builder_end_object (b);
    }
  json_database (b, req->api, job->data);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  fd_api_reply_json (req, SOUP_STATUS_OK, node);
}

static void
server_info (FdApiRequest *req)
{
  FdApiJob *job;

  if (!fd_api_check_params (req, NULL))
    return;
  job = fd_api_job_new (req);
  job->data = g_new0 (DatabaseSize, 1);
  job->data_free = g_free;
  fd_api_run_read (req, database_size_job, job, server_reply);
}

const FdApiRoute fd_api_data_routes[] = {
  { "GET", "/workspaces/{id}/tags", tag_list, FALSE, 0 },
  { "GET", "/workspaces/{id}/tags/{tag}/fields", field_list, FALSE, 0 },
  { "GET", "/devices/{id}/tags", device_tags, FALSE, 0 },
  { "GET", "/server", server_info, FALSE, 0 },
  { "POST", "/server/retention", fd_api_retention_run, FALSE, 0 },
  { NULL, NULL, NULL, FALSE, 0 },
};
