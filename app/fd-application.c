/* fd-application.c — the Fleetdesk application: local engine or remote server, and its window.
 *
 * In local mode (the default) the engine runs in this process on a thread of its own, on a
 * loopback port chosen by the system, and the window talks to it only through the operator
 * API with the token the engine made for this run — exactly as it would to a remote server,
 * which is the other mode (--server and --token, or FLEETDESK_URL and FLEETDESK_TOKEN).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "fd-application.h"
#include "fd-engine-thread.h"
#include "fd-window.h"
#include "pages/fd-firmware-page.h"
#include "pages/fd-integrations-page.h"

struct _FdApplication
{
  AdwApplication parent_instance;

  char *data_dir;   /* local mode: NULL for the default */
  char *server_url; /* remote mode when not NULL */
  char *token;
  FdEngineThread *engine;
  FdApiClient *client;
  gboolean starting;
};

G_DEFINE_FINAL_TYPE (FdApplication, fd_application, ADW_TYPE_APPLICATION)

static const GOptionEntry fd_application_options[]
    = { { "data-dir", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
          N_ ("Keep data in DIR instead of the default folder"), N_ ("DIR") },
        { "server", 's', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
          N_ ("Manage the fleetdesk-server at URL instead of starting one"), N_ ("URL") },
        { "token", 't', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
          N_ ("The API token for --server"), N_ ("TOKEN") },
        { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
          N_ ("Show the version and exit"), NULL },
        { NULL } };

FdApiClient *
fd_application_get_client (FdApplication *self)
{
  g_return_val_if_fail (FD_IS_APPLICATION (self), NULL);
  return self->client;
}

static FdWindow *
fd_application_get_window (FdApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  return FD_IS_WINDOW (window) ? FD_WINDOW (window) : NULL;
}

static int
fd_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  FdApplication *self = FD_APPLICATION (application);
  const char *env_url = g_getenv ("FLEETDESK_URL");
  const char *env_token = g_getenv ("FLEETDESK_TOKEN");

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("fleetdesk %s\n", PACKAGE_VERSION);
      return 0;
    }

  g_variant_dict_lookup (options, "data-dir", "^ay", &self->data_dir);
  g_variant_dict_lookup (options, "server", "s", &self->server_url);
  g_variant_dict_lookup (options, "token", "s", &self->token);

  if (self->server_url == NULL && self->data_dir == NULL && env_url != NULL && *env_url != '\0')
    self->server_url = g_strdup (env_url);
  if (self->token == NULL && env_token != NULL && *env_token != '\0')
    self->token = g_strdup (env_token);

  if (self->server_url != NULL && self->data_dir != NULL)
    {
      g_printerr ("%s\n", _ ("--server and --data-dir cannot be used together"));
      return 2;
    }
  if (self->server_url != NULL && self->token == NULL)
    {
      g_printerr ("%s\n", _ ("--server needs --token (or FLEETDESK_TOKEN)"));
      return 2;
    }

  /* A window on another data folder or server is another instance, not the running one. */
  if (self->server_url != NULL || self->data_dir != NULL)
    g_application_set_flags (application,
                             g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);

  return G_APPLICATION_CLASS (fd_application_parent_class)
      ->handle_local_options (application, options);
}

/* Local engine */

static void
fd_application_start_engine_thread (GTask *task, gpointer source, gpointer task_data,
                                    GCancellable *cancellable)
{
  FdEngineConfig *config = task_data;
  GError *error = NULL;
  FdEngineThread *engine = fd_engine_thread_start (config, &error);

  if (engine == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, engine, (GDestroyNotify)fd_engine_thread_stop);
}

static void
fd_engine_config_free (FdEngineConfig *config)
{
  g_free (config->data_dir);
  g_free (config->api_address);
  g_free (config);
}

static void
fd_application_engine_started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FdApplication *self = FD_APPLICATION (source);
  g_autoptr (GError) error = NULL;
  FdEngineThread *engine;
  FdWindow *window;

  self->starting = FALSE;
  engine = g_task_propagate_pointer (G_TASK (result), &error);
  window = fd_application_get_window (self);

  if (engine != NULL)
    {
      self->engine = engine;
      self->client = fd_api_client_new (fd_engine_thread_get_url (engine),
                                        fd_engine_thread_get_token (engine));
      if (window != NULL)
        fd_window_set_client (window, self->client);
    }
  else if (window != NULL)
    {
      g_autofree char *default_dir = fd_engine_default_data_dir ();
      g_autofree char *message = NULL;

      /* TRANSLATORS: the engine's error, then where Fleetdesk keeps its data */
      message = g_strdup_printf (_ ("%s\n\nData folder: %s"), error->message,
                                 self->data_dir != NULL ? self->data_dir : default_dir);
      fd_window_show_failure (window, "dialog-error-symbolic",
                              _ ("Cannot Start the Fleetdesk Engine"), message);
    }
  else
    g_warning ("Cannot start the Fleetdesk engine: %s", error->message);

  g_application_release (G_APPLICATION (self));
}

static void
fd_application_start_engine (FdApplication *self)
{
  g_autoptr (GTask) task = NULL;
  FdEngineConfig *config = g_new0 (FdEngineConfig, 1);

  config->data_dir = g_strdup (self->data_dir); /* NULL: $XDG_DATA_HOME/fleetdesk */
  config->api_address = g_strdup ("127.0.0.1");
  config->api_port = 0; /* any free port: only this process talks to it */
  /* Devices reach the desktop on the usual ports, which their zdevice.json names. */
  config->device_port = -1;
  config->device_port_fallback = TRUE;
  config->mqtt_port = -1;
  config->device_rate = -1;
  config->quiet = TRUE;

  /* Opening and migrating the store may take a moment: keep the window responsive. */
  self->starting = TRUE;
  g_application_hold (G_APPLICATION (self));
  task = g_task_new (self, NULL, fd_application_engine_started_cb, NULL);
  g_task_set_source_tag (task, fd_application_start_engine);
  g_task_set_task_data (task, config, (GDestroyNotify)fd_engine_config_free);
  g_task_run_in_thread (task, fd_application_start_engine_thread);
}

/* GApplication */

static void
fd_application_activate (GApplication *application)
{
  FdApplication *self = FD_APPLICATION (application);
  FdWindow *window = fd_application_get_window (self);

  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  window = fd_window_new (GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (window));

  if (self->client != NULL)
    fd_window_set_client (window, self->client);
  else if (self->server_url != NULL)
    {
      self->client = fd_api_client_new (self->server_url, self->token);
      fd_window_set_client (window, self->client);
    }
  else if (!self->starting)
    fd_application_start_engine (self);
}

static void
fd_application_about (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  FdApplication *self = FD_APPLICATION (user_data);
  const char *developers[] = { "Fleetdesk contributors", NULL };
  GtkWidget *about;

  about
      = g_object_new (ADW_TYPE_ABOUT_WINDOW, "transient-for",
                      gtk_application_get_active_window (GTK_APPLICATION (self)), "modal", TRUE,
                      "application-icon", APP_ID, "application-name", _ ("Fleetdesk"),
                      "developer-name", _ ("Fleetdesk contributors"), "version", PACKAGE_VERSION,
                      "comments", _ ("Manage the IoT devices of your lab or fleet, on premises"),
                      "website", "https://github.com/fleetdesk/fleetdesk", "issue-url",
                      "https://github.com/fleetdesk/fleetdesk/issues", "license-type",
                      GTK_LICENSE_GPL_3_0, "developers", developers, "translator-credits",
                      _ ("translator-credits"), "copyright", "© 2026 Fleetdesk contributors", NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* A condition's notification was clicked. */
static void
fd_application_show_conditions (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  FdApplication *self = FD_APPLICATION (user_data);
  FdWindow *window = fd_application_get_window (self);

  if (window == NULL)
    return;
  fd_window_show_pane (window, "conditions");
  gtk_window_present (GTK_WINDOW (window));
}

/* A campaign's notification was clicked: its live view. */
static void
fd_application_show_campaign (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  FdApplication *self = FD_APPLICATION (user_data);
  FdWindow *window = fd_application_get_window (self);

  if (window == NULL)
    return;
  fd_window_show_pane (window, "firmware");
  fd_firmware_page_open_campaign (FD_FIRMWARE_PAGE (fd_window_get_pane (window, "firmware")),
                                  g_variant_get_string (param, NULL));
  gtk_window_present (GTK_WINDOW (window));
}

/* An alert's notification was clicked: the Integrations pane's Alerts view. */
static void
fd_application_show_alerts (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  FdApplication *self = FD_APPLICATION (user_data);
  FdWindow *window = fd_application_get_window (self);

  if (window == NULL)
    return;
  fd_window_show_pane (window, "integrations");
  fd_integrations_page_show_view (
      FD_INTEGRATIONS_PAGE (fd_window_get_pane (window, "integrations")), "alerts");
  gtk_window_present (GTK_WINDOW (window));
}

static void
fd_application_quit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (application);

  /* Closing each window (rather than quitting outright) lets it save its size. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;
      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (G_APPLICATION (application));
}

static const GActionEntry fd_application_actions[] = {
  { "about", fd_application_about, NULL, NULL, NULL },
  { "show-conditions", fd_application_show_conditions, NULL, NULL, NULL },
  { "show-campaign", fd_application_show_campaign, "s", NULL, NULL },
  { "show-alerts", fd_application_show_alerts, NULL, NULL, NULL },
  { "quit", fd_application_quit, NULL, NULL, NULL },
};

static void
fd_application_startup (GApplication *application)
{
  GtkApplication *gtk_application = GTK_APPLICATION (application);
  static const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.primary", { "<Control>n", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.reload", { "<Control>r", "F5", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };

  G_APPLICATION_CLASS (fd_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), fd_application_actions,
                                   G_N_ELEMENTS (fd_application_actions), application);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (gtk_application, accels[i].action, accels[i].accels);
}

static void
fd_application_shutdown (GApplication *application)
{
  FdApplication *self = FD_APPLICATION (application);

  /* Quit while the engine was starting: let it finish starting so that it is stopped below
   * rather than left running on its thread (waiting is fine here, nothing is shown any more). */
  while (self->starting)
    g_main_context_iteration (NULL, TRUE);

  /* Nothing may still wait for the engine when it stops. */
  if (self->client != NULL)
    fd_api_client_cancel_all (self->client);
  g_clear_object (&self->client);
  g_clear_pointer (&self->engine, fd_engine_thread_stop);

  G_APPLICATION_CLASS (fd_application_parent_class)->shutdown (application);
}

static void
fd_application_finalize (GObject *object)
{
  FdApplication *self = FD_APPLICATION (object);

  g_clear_pointer (&self->engine, fd_engine_thread_stop);
  g_clear_object (&self->client);
  g_free (self->data_dir);
  g_free (self->server_url);
  g_free (self->token);

  G_OBJECT_CLASS (fd_application_parent_class)->finalize (object);
}

static void
fd_application_class_init (FdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = fd_application_finalize;
  application_class->handle_local_options = fd_application_handle_local_options;
  application_class->activate = fd_application_activate;
  application_class->startup = fd_application_startup;
  application_class->shutdown = fd_application_shutdown;
}

static void
fd_application_init (FdApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), fd_application_options);
  g_application_set_option_context_summary (
      G_APPLICATION (self),
      _ ("Without options, Fleetdesk runs its engine in this process and keeps its data in "
         "$XDG_DATA_HOME/fleetdesk."));
}

FdApplication *
fd_application_new (void)
{
  return g_object_new (FD_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, "resource-base-path",
                       "/io/github/fleetdesk/Fleetdesk", NULL);
}
