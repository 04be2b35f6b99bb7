/* test-jobs-rules.c — the rules of jobs that need no server: which results are failures
 * (docs/protocol.md, "Jobs") and which names are good. */
#include "config.h"

#include "jobs/fd-jobs.h"

static void
test_failures (void)
{
  struct
  {
    const char *result;
    gboolean failed;
    const char *message;
  } cases[] = {
    { "{\"error\":\"failed on request\"}", TRUE, "failed on request" },
    { "{\"error\":{\"code\":3}}", TRUE, "{\"code\":3}" },
    { "{\"error\":null}", TRUE, "null" },
    { "\"unsupported job\"", TRUE, "unsupported job" },
    { "[\"exception\",\"ZeroDivisionError\"]", TRUE, "exception" },
    { "[\"exception: boom\"]", TRUE, "exception: boom" },
    { "{\"errors\":1}", FALSE, NULL },
    { "\"resetting device...\"", FALSE, NULL },
    { "\"not unsupported\"", FALSE, NULL },
    { "[1,\"exception\"]", FALSE, NULL },
    { "[]", FALSE, NULL },
    { "null", FALSE, NULL },
    { "42", FALSE, NULL },
    { "{}", FALSE, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *message = NULL;
      gboolean failed = fd_jobs_result_failed (cases[i].result, &message);

      g_test_message ("%s", cases[i].result);
      g_assert_cmpint (failed, ==, cases[i].failed);
      g_assert_cmpstr (message, ==, cases[i].message);
    }
}

static void
test_names (void)
{
  const char *good[] = { "reset", "a", "Set_sampling.v2-x",
                         "x123456789012345678901234567890"
                         "12345678901234567890123456789012" };
  const char *bad[]
      = { "",     "1reset", "_x",
          "a b",  "a/b",    "@reset",
          "fota", "é",      "x1234567890123456789012345678901234567890123456789012345678901234" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_null (fd_jobs_check_name (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_nonnull (fd_jobs_check_name (bad[i]));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/jobs-rules/failures", test_failures);
  g_test_add_func ("/jobs-rules/names", test_names);
  return g_test_run ();
}
