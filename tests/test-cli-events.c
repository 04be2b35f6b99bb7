/* test-cli-events.c — `fleetdesk-cli events` against a real server: a line per event (the
 * event's JSON with --json), a clean exit on SIGINT or SIGTERM, an error for a refused token. */
#include "fd-test-events.h"

#include <signal.h>
#include <string.h>

static FdTdServer *shared;

typedef struct
{
  char *line;
  gboolean done;
} LineRead;

static void
line_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineRead *r = user_data;

  r->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                       NULL);
  r->done = TRUE;
}

static GSubprocess *
cli_spawn (const char *token, const char *const *extra, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *)g_getenv ("FD_CLI_BIN"));
  g_ptr_array_add (argv, "--server");
  g_ptr_array_add (argv, shared->srv->url);
  g_ptr_array_add (argv, "--token");
  g_ptr_array_add (argv, (char *)token);
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (argv, (char *)extra[i]);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_newv ((const char *const *)argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
}

/* Posts a reading every 200 ms until the CLI prints a line (it may not be subscribed yet when
 * the first is posted); returns that line. */
static char *
cli_first_line (GSubprocess *cli, FdTdRaw *raw, const char *tag)
{
  g_autoptr (GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  gint64 deadline = g_get_monotonic_time () + FD_TE_WAIT_LIMIT_US;
  LineRead r = { NULL, FALSE };

  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, line_read, &r);
  while (!r.done)
    {
      gint64 next = g_get_monotonic_time () + 200 * 1000;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      fd_te_post_data (raw, tag, "{\"v\": 7}");
      while (!r.done && g_get_monotonic_time () < next)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
    }
  g_assert_nonnull (r.line);
  return r.line;
}

/* `fleetdesk-cli events` prints one line per event, `--json` the event itself, and ends with
 * status 0 on Ctrl-C; a refused token is an error. */
static void
test_cli (void)
{
  g_autoptr (FdTdDevice) d = fd_td_cert_device (shared, "events-cli");
  g_autoptr (FdTdRaw) raw = fd_te_device_connect (shared, d);
  const char *const json_args[]
      = { "events", "--workspace", d->workspace_id, "--type", "data", "--json", NULL };
  const char *const text_args[] = { "events", "follow", "--type", "data", NULL };
  const char *const bad_token[] = { "events", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) json_cli = cli_spawn (shared->srv->token, json_args, &error);
  g_autoptr (GSubprocess) text_cli = NULL;
  g_autoptr (GSubprocess) refused = NULL;
  g_autofree char *line = NULL, *text = NULL, *err = NULL;
  g_autoptr (JsonNode) event = NULL;

  g_assert_no_error (error);
  line = cli_first_line (json_cli, raw, "cli-json");
  event = json_from_string (line, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fd_test_str (event, "type"), ==, "data");
  g_assert_cmpstr (fd_test_str (event, "device_id"), ==, d->id);
  g_subprocess_send_signal (json_cli, SIGINT);
  g_assert_true (g_subprocess_wait (json_cli, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (json_cli));
  g_assert_cmpint (g_subprocess_get_exit_status (json_cli), ==, 0);

  text_cli = cli_spawn (shared->srv->token, text_args, &error);
  g_assert_no_error (error);
  text = cli_first_line (text_cli, raw, "cli-text");
  g_assert_nonnull (strstr (text, d->id));
  g_assert_nonnull (strstr (text, "cli-text"));
  g_assert_nonnull (strstr (text, "{\"v\":7}"));
  g_subprocess_send_signal (text_cli, SIGTERM);
  g_assert_true (g_subprocess_wait (text_cli, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (text_cli), ==, 0);

  refused = cli_spawn ("fdt_WRONG", bad_token, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (refused, NULL, NULL, NULL, &err, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (refused), ==, 1);
  g_assert_nonnull (strstr (err, "token"));
}

/* An integration's health changes are followed too: `--type integration.updated` is taken and
 * each line names the integration and its state. */
static void
test_integration_updated (void)
{
  g_autofree char *workspace = fd_test_make_workspace (shared->srv, "events-integration");
  g_autofree char *create = g_strdup_printf ("/api/v1/workspaces/%s/integrations", workspace);
  g_autoptr (JsonNode) made = fd_test_api_expect (
      shared->srv, "POST", create,
      "{\"type\": \"webhook\", \"name\": \"events-hook\", \"url\": \"http://127.0.0.1:1/x\"}", 201);
  const char *id = fd_test_str (made, "id");
  g_autofree char *pause = g_strdup_printf ("/api/v1/integrations/%s/pause", id);
  g_autofree char *resume = g_strdup_printf ("/api/v1/integrations/%s/resume", id);
  const char *const args[] = { "events", "--type", "integration.updated", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) cli = cli_spawn (shared->srv->token, args, &error);
  g_autoptr (GDataInputStream) out = NULL;
  gint64 deadline = g_get_monotonic_time () + FD_TE_WAIT_LIMIT_US;
  LineRead r = { NULL, FALSE };
  gboolean paused = FALSE;

  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (cli));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, NULL, line_read, &r);
  /* Pause and resume until the CLI, subscribed by then, prints a change. */
  while (!r.done)
    {
      gint64 next = g_get_monotonic_time () + 200 * 1000;
      g_autoptr (JsonNode) changed = NULL;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      paused = !paused;
      changed = fd_test_api_expect (shared->srv, "POST", paused ? pause : resume, NULL, 200);
      while (!r.done && g_get_monotonic_time () < next)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (5000), TRUE);
    }
  g_assert_nonnull (r.line);
  g_assert_nonnull (strstr (r.line, "integration.updated"));
  g_assert_nonnull (strstr (r.line, "events-hook"));
  g_assert_nonnull (strstr (r.line, id));
  g_assert_nonnull (strstr (r.line, " queued"));
  g_free (r.line);
  g_subprocess_send_signal (cli, SIGINT);
  g_assert_true (g_subprocess_wait (cli, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (cli), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  shared = fd_td_server_start (NULL);
  g_test_add_func ("/cli-events/cli", test_cli);
  g_test_add_func ("/cli-events/integration-updated", test_integration_updated);
  status = g_test_run ();
  fd_td_server_stop (shared);
  return status;
}
