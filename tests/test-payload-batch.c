/* test-payload-batch.c — batches [{"ts", "payload"}, …] (fd_payload_scan_batch) and RFC 3339
 * times (fd_time_parse_rfc3339), the latter also against GDateTime. */
#include <string.h>

#include "fd-test-payload-util.h"

#define SYNTAX FD_PAYLOAD_ERROR_SYNTAX
#define UTF8 FD_PAYLOAD_ERROR_UTF8

/* ---- RFC 3339 -------------------------------------------------------------------------------- */

typedef struct
{
  const char *text;
  gint64 ms; /* G_MININT64: refused */
} TimeCase;

#define REFUSED G_MININT64

static const TimeCase time_cases[] = {
  { "1970-01-01T00:00:00Z", 0 },
  { "2026-11-27T10:00:00Z", 1795773600000 },
  { "2026-11-27T10:00:00.123Z", 1795773600123 },
  { "2026-11-27t10:00:00.123z", 1795773600123 },
  { "2026-11-27T10:00:00.123456789+02:00", 1795766400123 }, /* truncated, not rounded */
  { "2026-11-27T10:00:00.9999+00:00", 1795773600999 },
  { "2026-11-27T10:00:00.1-05:30", 1795793400100 },
  { "2026-11-27T10:00:00.12Z", 1795773600120 },
  { "2026-11-27T10:00:00-00:00", 1795773600000 },
  { "2026-11-27T00:30:00+23:59", 1795653060000 },
  { "2026-11-27T23:30:00-23:59", 1795908540000 },
  { "2024-02-29T00:00:00Z", 1709164800000 },
  { "2000-02-29T12:00:00Z", 951825600000 },
  { "2026-03-01T00:00:00Z", 1772323200000 },
  { "1600-03-01T00:00:00Z", -11670912000000 },
  { "9999-12-31T23:59:59.999Z", 253402300799999 },
  { "1969-12-31T23:59:59.999Z", -1 },
  { "0000-01-01T00:00:00Z", -62167219200000 },
  /* a leap second is 23:59:60 in UTC, clamped to the last millisecond of 23:59:59 */
  { "2016-12-31T23:59:60Z", 1483228799999 },
  { "2016-12-31T23:59:60.5Z", 1483228799999 },
  { "2017-01-01T08:59:60+09:00", 1483228799999 },
  { "2015-06-30T23:59:60Z", 1435708799999 },
  { "2016-12-31T12:00:60Z", REFUSED },
  { "2016-12-31T23:59:60+01:00", REFUSED }, /* 22:59:60 in UTC */
  { "2016-12-31T23:58:60Z", REFUSED },
  /* dates and times that do not exist */
  { "2023-02-29T00:00:00Z", REFUSED },
  { "1900-02-29T00:00:00Z", REFUSED },
  { "2026-04-31T00:00:00Z", REFUSED },
  { "2026-01-32T00:00:00Z", REFUSED },
  { "2026-01-00T00:00:00Z", REFUSED },
  { "2026-13-01T00:00:00Z", REFUSED },
  { "2026-00-01T00:00:00Z", REFUSED },
  { "2026-11-27T24:00:00Z", REFUSED },
  { "2026-11-27T10:60:00Z", REFUSED },
  { "2026-11-27T10:00:61Z", REFUSED },
  /* offsets */
  { "2026-11-27T10:00:00+24:00", REFUSED },
  { "2026-11-27T10:00:00+23:60", REFUSED },
  { "2026-11-27T10:00:00+0200", REFUSED },
  { "2026-11-27T10:00:00+02", REFUSED },
  { "2026-11-27T10:00:00", REFUSED },
  { "2026-11-27T10:00:00 Z", REFUSED },
  { "2026-11-27T10:00:00UTC", REFUSED },
  /* the form */
  { "2026-11-27 10:00:00Z", REFUSED },
  { "2026-11-27T10:00:00.Z", REFUSED },
  { "2026-11-27T10:00:00.1234567890Z", REFUSED },
  { "2026-11-27T10:00:00,5Z", REFUSED },
  { "2026-11-27T10:00Z", REFUSED },
  { "2026-11-27", REFUSED },
  { "2026-1-27T10:00:00Z", REFUSED },
  { "+2026-11-27T10:00:00Z", REFUSED },
  { " 2026-11-27T10:00:00Z", REFUSED },
  { "2026-11-27T10:00:00Zx", REFUSED },
  { "20261127T100000Z", REFUSED },
  { "2026-11-27T1０:00:00Z", REFUSED },
  { "", REFUSED },
};

static void
test_time (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (time_cases); i++)
    {
      const TimeCase *c = &time_cases[i];
      gint64 ms = 42;
      gboolean ok = fd_time_parse_rfc3339 (c->text, strlen (c->text), &ms);

      g_test_message ("time %s", c->text);
      if (c->ms == REFUSED)
        {
          g_assert_false (ok);
          g_assert_cmpint (ms, ==, 42);
        }
      else
        {
          g_assert_true (ok);
          g_assert_cmpint (ms, ==, c->ms);
        }
    }
  /* the length is what counts, not a NUL */
  g_assert_true (fd_time_parse_rfc3339 ("1970-01-01T00:00:01Zjunk", 20, NULL));
}

/* Random valid times against GDateTime's ISO 8601 parser, which agrees on RFC 3339 text. */
static void
test_time_random (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3339);

  for (guint i = 0; i < 20000; i++)
    {
      int year = g_rand_int_range (rand, 1, 10000), month = g_rand_int_range (rand, 1, 13);
      int day = g_rand_int_range (rand, 1, g_date_get_days_in_month (month, year) + 1);
      int off = g_rand_int_range (rand, -23 * 60 - 59, 23 * 60 + 60);
      guint digits = g_rand_int_range (rand, 0, 10);
      g_autoptr (GString) t = g_string_new (NULL);
      g_autoptr (GDateTime) dt = NULL;
      gint64 ms;

      g_string_printf (t, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
                       g_rand_int_range (rand, 0, 24), g_rand_int_range (rand, 0, 60),
                       g_rand_int_range (rand, 0, 60));
      if (digits > 0)
        g_string_append_c (t, '.');
      for (guint d = 0; d < digits; d++)
        g_string_append_c (t, '0' + g_rand_int_range (rand, 0, 10));
      if (off == 0 && g_rand_boolean (rand))
        g_string_append_c (t, 'Z');
      else
        g_string_append_printf (t, "%c%02d:%02d", off < 0 ? '-' : '+', ABS (off) / 60,
                                ABS (off) % 60);
      g_assert_true (fd_time_parse_rfc3339 (t->str, t->len, &ms));
      dt = g_date_time_new_from_iso8601 (t->str, NULL);
      if (dt == NULL)
        continue; /* GDateTime cannot hold times that fall before year 1 in UTC */
      g_assert_cmpint (ms, ==,
                       g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000);
    }
}

/* ---- batches --------------------------------------------------------------------------------- */

static GArray *
batch_items (void)
{
  return g_array_new (FALSE, FALSE, sizeof (FdBatchItem));
}

static void
test_batch (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (GArray) items = batch_items ();
  g_autoptr (GError) error = NULL;
  const char *text
      = " [ {\"ts\": \"2026-11-27T10:00:00.123Z\", \"payload\": {\"temp\": 21}},\n"
        "   {\"payload\":{\"s\":\"}]{[\\\"\",\"n\":{\"a\":[1,{}]}},\"ts\":1795773600000} ,"
        "{\"\\u0074s\":0,\"pay\\u006coad\":{}},"
        "{\"ts\":\"9999-12-31T23:59:59.999Z\",\"payload\":{ }} ] \n";
  const char *payloads[] = {
    "{\"temp\": 21}",
    "{\"s\":\"}]{[\\\"\",\"n\":{\"a\":[1,{}]}}",
    "{}",
    "{ }",
  };
  const gint64 times[] = { 1795773600123, 1795773600000, 0, 253402300799999 };

  g_array_set_size (items, 3); /* cleared first */
  g_assert_true (
      fd_payload_scan_batch (s, text, strlen (text), FD_PAYLOAD_MAX_BATCH, items, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, G_N_ELEMENTS (payloads));
  for (guint i = 0; i < items->len; i++)
    {
      FdBatchItem *it = &g_array_index (items, FdBatchItem, i);
      g_autofree char *payload = g_strndup (text + it->payload_offset, it->payload_len);
      g_assert_cmpstr (payload, ==, payloads[i]);
      g_assert_cmpint (it->ts_ms, ==, times[i]);
      g_assert_true (fd_payload_scan (s, text + it->payload_offset, it->payload_len, NULL));
    }

  /* up to max_items */
  text = "[{\"ts\":1,\"payload\":{}},{\"ts\":2,\"payload\":{}},{\"ts\":3,\"payload\":{}}]";
  g_assert_true (fd_payload_scan_batch (s, text, strlen (text), 3, items, NULL));
  g_assert_cmpuint (items->len, ==, 3);
  g_assert_false (fd_payload_scan_batch (s, text, strlen (text), 2, items, &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_BATCH);
  g_assert_cmpstr (error->message, ==, "the batch has more than 2 readings");
  g_assert_cmpuint (items->len, ==, 0);
  g_clear_error (&error);

  /* payloads are only delimited: this batch is well formed, its payload is not */
  text = "[{\"ts\":1,\"payload\":{\"a\":]}]";
  g_assert_true (fd_payload_scan_batch (s, text, strlen (text), 10, items, NULL));
  g_assert_cmpuint (g_array_index (items, FdBatchItem, 0).payload_len, ==, 6);
  g_assert_false (fd_payload_scan (s, text + 19, 6, &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_SYNTAX);
}

typedef struct
{
  const char *text;
  FdPayloadError code;
  const char *message;
} BatchCase;

#define BATCH FD_PAYLOAD_ERROR_BATCH
#define OK_READING "{\"ts\":1,\"payload\":{}}"

static const BatchCase batch_cases[] = {
  { "", BATCH, "the batch is not a JSON array" },
  { "{\"ts\":1,\"payload\":{}}", BATCH, "the batch is not a JSON array" },
  { " [ ] ", BATCH, "the batch is empty" },
  { "[1]", BATCH, "reading 0 is not an object" },
  { "[" OK_READING ",\"x\"]", BATCH, "reading 1 is not an object" },
  { "[{}]", BATCH, "reading 0 has no ts" },
  { "[{\"payload\":{}}]", BATCH, "reading 0 has no ts" },
  { "[{\"ts\":1}]", BATCH, "reading 0 has no payload" },
  { "[{\"ts\":1,\"payload\":{},\"seq\":1}]", BATCH,
    "reading 0: \"seq\" is not a member of a reading (only ts and payload)" },
  { "[{\"TS\":1,\"payload\":{}}]", BATCH,
    "reading 0: \"TS\" is not a member of a reading (only ts and payload)" },
  { "[{\"ts\":1,\"ts\":2,\"payload\":{}}]", BATCH, "reading 0: ts appears twice" },
  { "[{\"payload\":{},\"ts\":1,\"payload\":{}}]", BATCH, "reading 0: payload appears twice" },
  { "[{\"ts\":1,\"payload\":[]}]", BATCH, "reading 0: payload is not an object" },
  { "[{\"ts\":1,\"payload\":\"{}\"}]", BATCH, "reading 0: payload is not an object" },
  { "[" OK_READING "," OK_READING ",{\"ts\":\"yesterday\",\"payload\":{}}]", BATCH,
    "reading 2: ts is not RFC 3339 or epoch milliseconds" },
  { "[{\"ts\":1.5,\"payload\":{}}]", BATCH, "reading 0: ts is not RFC 3339 or epoch milliseconds" },
  { "[{\"ts\":1e3,\"payload\":{}}]", BATCH, "reading 0: ts is not RFC 3339 or epoch milliseconds" },
  { "[{\"ts\":true,\"payload\":{}}]", BATCH,
    "reading 0: ts is not RFC 3339 or epoch milliseconds" },
  { "[{\"ts\":null,\"payload\":{}}]", BATCH,
    "reading 0: ts is not RFC 3339 or epoch milliseconds" },
  { "[{\"ts\":\"2026-02-30T00:00:00Z\",\"payload\":{}}]", BATCH,
    "reading 0: ts is not RFC 3339 or epoch milliseconds" },
  { "[{\"ts\":-1,\"payload\":{}}]", BATCH, "reading 0: ts is not within the years 1970-9999" },
  { "[{\"ts\":253402300800000,\"payload\":{}}]", BATCH,
    "reading 0: ts is not within the years 1970-9999" },
  { "[{\"ts\":99999999999999999999,\"payload\":{}}]", BATCH,
    "reading 0: ts is not within the years 1970-9999" },
  { "[{\"ts\":\"1969-12-31T23:59:59.999Z\",\"payload\":{}}]", BATCH,
    "reading 0: ts is not within the years 1970-9999" },
  /* the batch's own grammar */
  { "[" OK_READING ",]", SYNTAX, "unexpected ']' at byte 23 (expected a reading)" },
  { "[" OK_READING " " OK_READING "]", SYNTAX, "unexpected '{' at byte 23 (expected ',' or ']')" },
  { "[" OK_READING, SYNTAX, "the text ends at byte 22 (expected ',' or ']')" },
  { "[" OK_READING "] x", SYNTAX, "unexpected 'x' at byte 24 (expected nothing after the batch)" },
  { "[{\"ts\":1 \"payload\":{}}]", SYNTAX, "unexpected '\"' at byte 9 (expected ',' or '}')" },
  { "[{\"ts\":01,\"payload\":{}}]", SYNTAX, "a number with a leading zero at byte 7" },
  { "[{ts:1}]", SYNTAX, "unexpected 't' at byte 2 (expected a key)" },
  { "[{\"ts\" 1}]", SYNTAX, "unexpected '1' at byte 7 (expected ':')" },
  { "[{\"ts\":\"\xff\",\"payload\":{}}]", UTF8, "invalid UTF-8 at byte 8" },
  { "[{\"ts\":1,\"payload\":{\"a\":\"}]", SYNTAX,
    "reading 0: the payload at byte 19 is not closed" },
  { "[{\"ts\":1,\"payload\":{\"a\":1]}}]", SYNTAX,
    "unexpected '}' at byte 27 (expected ',' or ']')" },
};

static void
test_batch_invalid (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (GArray) items = batch_items ();

  for (guint i = 0; i < G_N_ELEMENTS (batch_cases); i++)
    {
      const BatchCase *c = &batch_cases[i];
      g_autoptr (GError) error = NULL;
      g_autofree char *shown = g_strescape (c->text, NULL);

      g_test_message ("batch %u: %s", i, shown);
      g_array_set_size (items, 1);
      g_assert_false (fd_payload_scan_batch (s, c->text, strlen (c->text), FD_PAYLOAD_MAX_BATCH,
                                             items, &error));
      g_assert_error (error, FD_PAYLOAD_ERROR, (gint)c->code);
      g_assert_cmpstr (error->message, ==, c->message);
      fd_t_assert_message_readable (error->message, strlen (c->text));
      g_assert_cmpuint (items->len, ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/payload-batch/time", test_time);
  g_test_add_func ("/payload-batch/time-random", test_time_random);
  g_test_add_func ("/payload-batch/batch", test_batch);
  g_test_add_func ("/payload-batch/batch-invalid", test_batch_invalid);

  return g_test_run ();
}
