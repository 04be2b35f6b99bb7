/* fd-device-sim-fleet.c — the simulator's devices: their zdevice.json files, their clients,
 * where each connects to and from. */
#include "fd-device-sim-private.h"

#include <string.h>

#include "fd-device-tls.h"

gboolean
fd_sim_check_options (const FdSimOptions *o, GError **error)
{
  if (o->credentials_dir == NULL)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE, "--credentials-dir is required");
      return FALSE;
    }
  if (o->devices < 1 || o->devices > FD_SIM_MAX_DEVICES)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE, "--devices must be 1 to %u",
                   FD_SIM_MAX_DEVICES);
      return FALSE;
    }
  if (!(o->rate >= 0 && o->rate <= 1000))
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--rate must be 0 (as fast as answered) to 1000 messages per second");
      return FALSE;
    }
  if (!(o->duration_s >= 0 && o->duration_s <= 30 * 24 * 3600))
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--duration must be 0 (until interrupted) or a number of seconds");
      return FALSE;
    }
  if (o->batch > FD_SIM_MAX_BATCH)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--batch must be at most %u readings (the server's limit)", FD_SIM_MAX_BATCH);
      return FALSE;
    }
  if (o->transport != FD_DEVICE_TRANSPORT_HTTPS && (o->window < 1 || o->window > FD_SIM_MAX_WINDOW))
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE, "--window must be 1 to %u",
                   FD_SIM_MAX_WINDOW);
      return FALSE;
    }
  if (o->transport != FD_DEVICE_TRANSPORT_HTTPS && o->batch > 0)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--batch is HTTPS only: an MQTT data message is one reading");
      return FALSE;
    }
  if (o->transport == FD_DEVICE_TRANSPORT_HTTPS && ((o->idle && !o->poll) || o->battery_low > 0))
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--idle needs --transport mqtt, mqtt-ws or --poll; --battery-low needs MQTT");
      return FALSE;
    }
  if (o->poll && o->transport != FD_DEVICE_TRANSPORT_HTTPS)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--poll is for HTTPS: an MQTT device gets its down-messages on j/dn");
      return FALSE;
    }
  if (!(o->job_fail_rate >= 0 && o->job_fail_rate <= 1 && o->fota_fail_rate >= 0
        && o->fota_fail_rate <= 1 && o->fota_revert_rate >= 0 && o->fota_revert_rate <= 1))
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--job-fail-rate, --fota-fail-rate and --fota-revert-rate must be 0 to 1");
      return FALSE;
    }
  if (!(o->download_rate >= 0) || o->chunk > 1024 * 1024 - 1)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--download-rate must be 0 (unlimited) or more bytes per second, --chunk "
                   "under 1 MiB");
      return FALSE;
    }
  if (!(o->battery_low >= 0 && o->battery_low < 100))
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE,
                   "--battery-low must be 0 (no conditions) to 99 percent");
      return FALSE;
    }
  if (o->tags == NULL || o->tags[0] == NULL)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE, "--tags needs at least one tag");
      return FALSE;
    }
  for (guint i = 0; o->tags[i] != NULL; i++)
    {
      g_autoptr (GError) local = NULL;
      if (!fd_device_tag_check (o->tags[i], &local))
        {
          g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_USAGE, "--tags: %s", local->message);
          return FALSE;
        }
    }
  return TRUE;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

/* The regular files named *.json in @dir, sorted by name. */
static GPtrArray *
list_files (const char *dir, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, error);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return NULL;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      if (!g_str_has_suffix (name, ".json"))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (files, g_steal_pointer (&path));
    }
  g_ptr_array_sort (files, compare_paths);
  return g_steal_pointer (&files);
}

/* One address for @host: resolved once for the whole fleet (thousands of lookups would be
 * slower than the run). IPv4 first: loopback sources can then be spread. */
static GInetAddress *
resolve (GHashTable *cache, const char *host, GError **error)
{
  GInetAddress *addr = g_hash_table_lookup (cache, host);
  g_autolist (GInetAddress) list = NULL;

  if (addr != NULL)
    return addr;
  list = g_resolver_lookup_by_name (g_resolver_get_default (), host, NULL, error);
  if (list == NULL)
    return NULL;
  addr = list->data;
  for (GList *l = list; l != NULL; l = l->next)
    if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
      {
        addr = l->data;
        break;
      }
  g_hash_table_insert (cache, g_strdup (host), g_object_ref (addr));
  return addr;
}

/* The source address of the @group-th group of devices on IPv4 loopback: 127.1.x.y (group 0
 * keeps the system's choice). Linux routes all of 127.0.0.0/8 to the loopback interface. */
static GSocketAddress *
loopback_source (guint group)
{
  guint8 bytes[4] = { 127, 1, (guint8)(group >> 8), (guint8)(group & 0xff) };
  g_autoptr (GInetAddress) addr = g_inet_address_new_from_bytes (bytes, G_SOCKET_FAMILY_IPV4);

  return g_inet_socket_address_new (addr, 0);
}

static gboolean
add_device (FdSim *sim, guint i, FdDeviceConfig *config, GHashTable *trusts, GHashTable *hosts,
            GError **error)
{
  g_autoptr (FdDeviceConfig) owned = config;
  FdSimDevice *d = &sim->devs[i];
  g_autoptr (GError) local = NULL;
  GTlsDatabase *trust = g_hash_table_lookup (trusts, config->cacert_pem);
  GInetAddress *addr;
  g_autoptr (GSocketAddress) remote = NULL;
  g_autoptr (GSocketAddress) https_remote = NULL;
  g_autoptr (GSocketAddress) source = NULL;
  g_autofree char *source_name = g_strdup (config->source);

  if (trust == NULL)
    {
      trust = fd_device_trust_new (config->cacert_pem, &local);
      if (trust == NULL)
        {
          g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_DEVICES, "%s: %s", source_name,
                       local->message);
          return FALSE;
        }
      g_hash_table_insert (trusts, g_strdup (config->cacert_pem), trust);
    }
  if (sim->options->host != NULL)
    {
      g_free (config->host);
      config->host = g_strdup (sim->options->host);
    }
  addr = resolve (hosts, config->host, &local);
  if (addr == NULL)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_DEVICES, "%s: endpoint.host %s: %s",
                   source_name, config->host, local->message);
      return FALSE;
    }
  remote = g_inet_socket_address_new (
      addr, (guint16)(sim->options->transport == FD_DEVICE_TRANSPORT_MQTT ? config->mqtt_port
                                                                          : config->https_port));
  https_remote = g_inet_socket_address_new (addr, (guint16)config->https_port);
  if (!sim->options->no_spread && g_inet_address_get_is_loopback (addr)
      && g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV4 && i >= sim->per_source)
    source = loopback_source (i / sim->per_source);

  d->sim = sim;
  d->body = g_string_sized_new (256);
  if (sim->options->transport != FD_DEVICE_TRANSPORT_HTTPS)
    {
      if (!fd_sim_mqtt_add (sim, d, g_steal_pointer (&owned), trust, remote, https_remote, source,
                            &local))
        {
          g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_DEVICES, "%s: %s", source_name,
                       local->message);
          return FALSE;
        }
      d->device_id = fd_device_mqtt_get_config (d->mqtt)->device_id;
      d->readings = fd_readings_new (d->device_id, (const char *const *)sim->options->tags);
      return TRUE;
    }
  if (sim->options->poll)
    {
      FdDeviceAgentOptions o;

      fd_sim_agent_options (sim, &o);
      o.trust = trust;
      d->session = fd_device_https_session_new (config, trust, remote, source, &o, &local);
      if (d->session == NULL)
        {
          g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_DEVICES, "%s: %s", source_name,
                       local->message);
          return FALSE;
        }
    }
  d->client = fd_device_client_new (g_steal_pointer (&owned), trust, &local);
  if (d->client == NULL)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_DEVICES, "%s: %s", source_name,
                   local->message);
      return FALSE;
    }
  fd_device_client_set_addresses (d->client, remote, source);
  d->device_id = fd_device_client_get_config (d->client)->device_id;
  d->readings = fd_readings_new (d->device_id, (const char *const *)sim->options->tags);
  return TRUE;
}

FdSim *
fd_sim_new (const FdSimOptions *options, GError **error)
{
  g_autoptr (FdSim) sim = g_new0 (FdSim, 1);
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GHashTable) trusts
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_autoptr (GHashTable) hosts
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_autoptr (GError) local = NULL;

  sim->options = options;
  sim->fleet.job_fail_rate = options->job_fail_rate;
  sim->fleet.fota_fail_rate = options->fota_fail_rate;
  sim->fleet.fota_revert_rate = options->fota_revert_rate;
  /* Fleetdesk takes 64 connections per address on its HTTPS port: an MQTT device may hold one
   * there (a download), an HTTPS device with a session three. */
  sim->per_source = options->poll ? FD_SIM_DEVICES_PER_SOURCE / 2 : FD_SIM_DEVICES_PER_SOURCE;
  files = list_files (options->credentials_dir, &local);
  if (files == NULL)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_DEVICES, "--credentials-dir: %s",
                   local->message);
      return NULL;
    }
  if (files->len < options->devices)
    {
      g_set_error (error, FD_SIM_ERROR, FD_SIM_ERROR_DEVICES,
                   "%s holds %u zdevice.json files (*.json), but --devices asks for %u",
                   options->credentials_dir, files->len, options->devices);
      return NULL;
    }

  sim->ntags = g_strv_length (options->tags);
  sim->paths = g_new0 (char *, sim->ntags + 1);
  for (guint t = 0; t < sim->ntags; t++)
    sim->paths[t] = fd_device_data_path (options->tags[t]);

  sim->devs = g_new0 (FdSimDevice, options->devices);
  for (guint i = 0; i < options->devices; i++)
    {
      FdDeviceConfig *config = fd_device_config_load (files->pdata[i], error);
      if (config == NULL)
        return NULL;
      sim->n = i + 1; /* what fd_sim_free has to free */
      if (!add_device (sim, i, config, trusts, hosts, error))
        return NULL;
    }
  return g_steal_pointer (&sim);
}

void
fd_sim_free (FdSim *sim)
{
  if (sim == NULL)
    return;
  for (guint i = 0; i < sim->n; i++)
    {
      FdSimDevice *d = &sim->devs[i];
      g_clear_handle_id (&d->retry, g_source_remove);
      g_clear_pointer (&d->session, fd_device_https_session_free);
      fd_sim_mqtt_clear (d);
      g_clear_object (&d->client);
      fd_readings_free (d->readings);
      if (d->body != NULL)
        g_string_free (d->body, TRUE);
    }
  g_free (sim->devs);
  g_clear_pointer (&sim->poller, fd_device_poller_free);
  g_strfreev (sim->paths);
  g_clear_pointer (&sim->loop, g_main_loop_unref);
  g_clear_error (&sim->error);
  g_free (sim);
}
