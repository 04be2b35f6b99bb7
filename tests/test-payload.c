/* test-payload.c — the payload scanner (fd-payload.h): grammar, fields, compact copy, limits,
 * error codes and messages, exact numbers, and no allocation once warm. Batches and times are
 * in test-payload-batch.c, the randomized comparison with json-glib in test-payload-random.c. */
#include <string.h>

#include "fd-test-payload-util.h"

/* ---- counting allocations ------------------------------------------------------------------ */

/* The scanner promises no allocation per scan once its buffers have grown. To see that, this
 * program counts the calls to malloc()/calloc()/realloc() made by anyone in the process while
 * a flag is set (glibc's own entry points do the work). Not under AddressSanitizer, which has
 * its own malloc. */
static volatile gint counting;
static volatile gint allocations;

#if defined(__SANITIZE_ADDRESS__)
#define FD_TEST_COUNTS_ALLOCATIONS 0
#else
#define FD_TEST_COUNTS_ALLOCATIONS 1

extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);

void *malloc (size_t size);
void *calloc (size_t n, size_t size);
void *realloc (void *ptr, size_t size);

void *
malloc (size_t size)
{
  if (counting)
    g_atomic_int_inc (&allocations);
  return __libc_malloc (size);
}

void *
calloc (size_t n, size_t size)
{
  if (counting)
    g_atomic_int_inc (&allocations);
  return __libc_calloc (n, size);
}

void *
realloc (void *ptr, size_t size)
{
  if (counting)
    g_atomic_int_inc (&allocations);
  return __libc_realloc (ptr, size);
}
#endif

/* ---- valid payloads ---------------------------------------------------------------------- */

typedef struct
{
  const char *text;
  const char *compact;
  const char *fields;
} ValidCase;

static const ValidCase valid_cases[] = {
  { "{\"temp\":21.5,\"hum\":40,\"env\":{\"co2\":412,\"ok\":true}}", NULL,
    "temp=21.5 hum=40 env.co2=412 env.ok:boolean" },
  { "{}", NULL, "" },
  { " \t\r\n{ } \n", "{}", "" },
  { "{ \"a\" : 1 , \"b\" : [ 1 , 2 ] }", "{\"a\":1,\"b\":[1,2]}", "a=1 b:array" },
  { "{\"s\":\"with spaces, and: {braces} [x]\"}", NULL, "s:string" },
  { "{\"s\": \"  \\\"quoted\\\"  \"}", "{\"s\":\"  \\\"quoted\\\"  \"}", "s:string" },
  { "{\"n\":null,\"t\":true,\"f\":false}", NULL, "n:null t:boolean f:boolean" },
  { "{\"e\":{}}", NULL, "e:object" },
  { "{\"a\":{\"b\":{\"c\":{}}}}", NULL, "a.b.c:object" },
  { "{\"a\":{\"b\":{\"c\":1},\"d\":2},\"e\":3}", NULL, "a.b.c=1 a.d=2 e=3" },
  { "{\"arr\":[{\"x\":1},[2,[3]],\"s\",null],\"after\":0}", NULL, "arr:array after=0" },
  { "{\"empty\":[]}", NULL, "empty:array" },
  { "{\"\":1}", NULL, "=1" },
  { "{\"\":{\"\":1}}", NULL, ".=1" },
  { "{\"a.b\":1,\"a\":{\"c\":2}}", NULL, "a.b=1 a.c=2" },
  /* keys are unescaped into paths */
  { "{\"\\u0074emp\":1,\"x\\/y\":2,\"q\\\"\":3}", NULL, "temp=1 x/y=2 q\"=3" },
  { "{\"caf\\u00e9\":{\"\\u20ac\":1}}", NULL, "café.€=1" },
  { "{\"\\uD83D\\uDE00\":true}", NULL, "😀:boolean" },
  { "{\"ключ\":{\"値\":1}}", NULL, "ключ.値=1" },
  /* strings: every escape, UTF-8 up to four bytes, noncharacters are still characters */
  { "{\"s\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000 \\u001f \\uFFFF \\uDBFF\\uDFFF\"}", NULL,
    "s:string" },
  { "{\"s\":\"é € 😀 \xef\xbf\xbf \xf4\x8f\xbf\xbf \x7f\"}", NULL, "s:string" },
  /* numbers */
  { "{\"a\":0,\"b\":-0,\"c\":-1,\"d\":0.5,\"e\":-0.25,\"f\":1e3,\"g\":1E+3,\"h\":1e-3,\"i\":2.5E-"
    "1}",
    NULL, "a=0 b=-0 c=-1 d=0.5 e=-0.25 f=1000 g=1000 h=0.001 i=0.25" },
  { "{\"big\":123456789012345678901234567890,\"max\":1.7976931348623157e308}", NULL,
    "big=1.2345678901234568e+29 max=1.7976931348623157e+308" },
  { "{\"tiny\":4.9e-324,\"under\":1e-400,\"long\":0.1000000000000000055511151231257827}", NULL,
    "tiny=4.94065645841247e-324 under=0 long=0.1" },
  { "{\"int53\":9007199254740993,\"neg\":-9007199254740993}", NULL,
    "int53=9007199254740992 neg=-9007199254740992" },
};

static void
test_valid (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();

  for (guint i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      const ValidCase *c = &valid_cases[i];
      g_autoptr (GError) error = NULL;
      g_autofree char *fields = NULL;
      const char *compact;
      gsize compact_len;

      g_test_message ("valid %u: %s", i, c->text);
      g_assert_true (fd_payload_scan (s, c->text, strlen (c->text), &error));
      g_assert_no_error (error);
      compact = fd_payload_compact (s, &compact_len);
      g_assert_cmpstr (compact, ==, c->compact ? c->compact : c->text);
      g_assert_cmpuint (compact_len, ==, strlen (compact));
      fields = fd_t_fields (s);
      g_assert_cmpstr (fields, ==, c->fields);
    }
}

/* The text need not be NUL-terminated, and bytes after @len are not read. */
static void
test_not_terminated (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  const char text[] = "{\"a\":12}garbage";
  g_autofree char *fields = NULL;

  g_assert_true (fd_payload_scan (s, text, 8, NULL));
  fields = fd_t_fields (s);
  g_assert_cmpstr (fields, ==, "a=12");
  /* the number runs to the end of the text: "{\"a\":1" is cut, not read as 12 */
  g_assert_false (fd_payload_scan (s, text, 6, NULL));
  g_assert_false (fd_payload_scan (s, text, 7, NULL));
}

/* ---- refused payloads ---------------------------------------------------------------------- */

typedef struct
{
  const char *text;
  gssize len; /* -1: strlen */
  FdPayloadError code;
  const char *message; /* exact */
} InvalidCase;

#define SYNTAX FD_PAYLOAD_ERROR_SYNTAX
#define UTF8 FD_PAYLOAD_ERROR_UTF8

static const InvalidCase invalid_cases[] = {
  { "", -1, SYNTAX, "the payload is empty" },
  { " \n\t ", -1, SYNTAX, "the payload is empty" },
  { "[1,2]", -1, FD_PAYLOAD_ERROR_NOT_OBJECT, "the payload is an array, not an object" },
  { "\"x\"", -1, FD_PAYLOAD_ERROR_NOT_OBJECT, "the payload is a string, not an object" },
  { " 42 ", -1, FD_PAYLOAD_ERROR_NOT_OBJECT, "the payload is a number, not an object" },
  { "null", -1, FD_PAYLOAD_ERROR_NOT_OBJECT, "the payload is null, not an object" },
  { "true", -1, FD_PAYLOAD_ERROR_NOT_OBJECT, "the payload is a boolean, not an object" },
  { "[1,", -1, SYNTAX, "the text ends at byte 3 (expected a value)" },
  { "{\"temp\":21.5,,\"hum\":1}", -1, SYNTAX, "unexpected ',' at byte 13 (expected a key)" },
  { "{\"a\":1,}", -1, SYNTAX, "unexpected '}' at byte 7 (expected a key)" },
  { "{\"a\":[1,]}", -1, SYNTAX, "unexpected ']' at byte 8 (expected a value)" },
  { "{\"a\":[,1]}", -1, SYNTAX, "unexpected ',' at byte 6 (expected a value)" },
  { "{,}", -1, SYNTAX, "unexpected ',' at byte 1 (expected a key)" },
  { "{\"a\" 1}", -1, SYNTAX, "unexpected '1' at byte 5 (expected ':')" },
  { "{\"a\"::1}", -1, SYNTAX, "unexpected ':' at byte 5 (expected a value)" },
  { "{\"a\":1 \"b\":2}", -1, SYNTAX, "unexpected '\"' at byte 7 (expected ',' or '}')" },
  { "{\"a\":[1 2]}", -1, SYNTAX, "unexpected '2' at byte 8 (expected ',' or ']')" },
  { "{\"a\":[1}", -1, SYNTAX, "unexpected '}' at byte 7 (expected ',' or ']')" },
  { "{\"a\":{\"b\":1]}", -1, SYNTAX, "unexpected ']' at byte 11 (expected ',' or '}')" },
  { "{a:1}", -1, SYNTAX, "unexpected 'a' at byte 1 (expected a key)" },
  { "{'a':1}", -1, SYNTAX, "unexpected ''' at byte 1 (expected a key)" },
  { "{\"a\":1", -1, SYNTAX, "the text ends at byte 6 (expected ',' or '}')" },
  { "{\"a\":", -1, SYNTAX, "the text ends at byte 5 (expected a value)" },
  { "{\"a\":1}x", -1, SYNTAX, "unexpected 'x' at byte 7 (expected nothing after the object)" },
  { "{\"a\":1} {}", -1, SYNTAX, "unexpected '{' at byte 8 (expected nothing after the object)" },
  { "[1] 2", -1, SYNTAX, "unexpected '2' at byte 4 (expected nothing after the value)" },
  { "{\"a\":1}/*c*/", -1, SYNTAX, "unexpected '/' at byte 7 (expected nothing after the object)" },
  { "{/*c*/}", -1, SYNTAX, "unexpected '/' at byte 1 (expected a key)" },
  /* whitespace is space, tab, CR and LF only */
  { "{\"a\":\f1}", -1, SYNTAX, "unexpected byte 0x0c at byte 5 (expected a value)" },
  { "\v{}", -1, SYNTAX, "unexpected byte 0x0b at byte 0 (expected a value)" },
  { "{\"a\":\xc2\xa0"
    "1}",
    -1, SYNTAX, "unexpected byte 0xc2 at byte 5 (expected a value)" },
  { "\xef\xbb\xbf{}", -1, SYNTAX, "unexpected byte 0xef at byte 0 (expected a value)" },
  { "{\"a\":1}\0", 8, SYNTAX,
    "unexpected byte 0x00 at byte 7 (expected nothing after the object)" },
  /* words */
  { "{\"a\":tru}", -1, SYNTAX, "a word that is not true, false or null at byte 5" },
  { "{\"a\":True}", -1, SYNTAX, "unexpected 'T' at byte 5 (expected a value)" },
  { "{\"a\":nul", -1, SYNTAX, "a word that is not true, false or null at byte 5" },
  { "{\"a\":nullx}", -1, SYNTAX, "unexpected 'x' at byte 9 (expected ',' or '}')" },
  { "{\"a\":NaN}", -1, SYNTAX, "unexpected 'N' at byte 5 (expected a value)" },
  { "{\"a\":Infinity}", -1, SYNTAX, "unexpected 'I' at byte 5 (expected a value)" },
  { "{\"a\":-Infinity}", -1, SYNTAX, "a '-' without digits at byte 5" },
  /* numbers */
  { "{\"a\":01}", -1, SYNTAX, "a number with a leading zero at byte 5" },
  { "{\"a\":-012}", -1, SYNTAX, "a number with a leading zero at byte 5" },
  { "{\"a\":00}", -1, SYNTAX, "a number with a leading zero at byte 5" },
  { "{\"a\":+1}", -1, SYNTAX, "unexpected '+' at byte 5 (expected a value)" },
  { "{\"a\":.5}", -1, SYNTAX, "unexpected '.' at byte 5 (expected a value)" },
  { "{\"a\":1.}", -1, SYNTAX, "a '.' without digits after it at byte 6" },
  { "{\"a\":1.e3}", -1, SYNTAX, "a '.' without digits after it at byte 6" },
  { "{\"a\":1e}", -1, SYNTAX, "an exponent without digits at byte 6" },
  { "{\"a\":1e+}", -1, SYNTAX, "an exponent without digits at byte 6" },
  { "{\"a\":-}", -1, SYNTAX, "a '-' without digits at byte 5" },
  { "{\"a\":--1}", -1, SYNTAX, "a '-' without digits at byte 5" },
  { "{\"a\":0x10}", -1, SYNTAX, "unexpected 'x' at byte 6 (expected ',' or '}')" },
  { "{\"a\":1.5.2}", -1, SYNTAX, "unexpected '.' at byte 8 (expected ',' or '}')" },
  { "{\"a\":1e999}", -1, FD_PAYLOAD_ERROR_NUMBER, "the number at byte 5 does not fit a double" },
  { "{\"a\":[0,-1e400]}", -1, FD_PAYLOAD_ERROR_NUMBER,
    "the number at byte 8 does not fit a double" },
  { "{\"a\":1.8e308}", -1, FD_PAYLOAD_ERROR_NUMBER, "the number at byte 5 does not fit a double" },
  /* strings */
  { "{\"a\":\"x}", -1, SYNTAX, "the string at byte 5 is not closed" },
  { "{\"a\":\"x\\", -1, SYNTAX, "the string at byte 5 is not closed" },
  { "{\"a\":\"\t\"}", -1, SYNTAX, "a control character (0x09) inside a string at byte 6" },
  { "{\"a\":\"x\ny\"}", -1, SYNTAX, "a control character (0x0a) inside a string at byte 7" },
  { "{\"a\":\"\0\"}", 9, SYNTAX, "a control character (0x00) inside a string at byte 6" },
  { "{\"a\":\"\\x41\"}", -1, SYNTAX, "an unknown escape '\\x' at byte 6" },
  { "{\"a\":\"\\'\"}", -1, SYNTAX, "an unknown escape '\\'' at byte 6" },
  { "{\"a\":\"\\\x01\"}", -1, SYNTAX, "an unknown escape at byte 6" },
  { "{\"a\":\"\\u12\"}", -1, SYNTAX, "a \\u escape without four hex digits at byte 6" },
  { "{\"a\":\"\\u00G1\"}", -1, SYNTAX, "a \\u escape without four hex digits at byte 6" },
  { "{\"a\":\"\\U0041\"}", -1, SYNTAX, "an unknown escape '\\U' at byte 6" },
  { "{\"a\":\"\\uD800\\u12\"}", -1, SYNTAX, "a \\u escape without four hex digits at byte 12" },
  /* lone surrogates are not Unicode scalars */
  { "{\"a\":\"\\ud800\"}", -1, UTF8, "a lone surrogate \\uD800 at byte 6" },
  { "{\"a\":\"\\uD800x\"}", -1, UTF8, "a lone surrogate \\uD800 at byte 6" },
  { "{\"a\":\"\\uDC00\\uD800\"}", -1, UTF8, "a lone surrogate \\uDC00 at byte 6" },
  { "{\"a\":\"\\uD800\\uD800\"}", -1, UTF8, "a lone surrogate \\uD800 at byte 6" },
  { "{\"a\":\"\\uDBFF\\u0041\"}", -1, UTF8, "a lone surrogate \\uDBFF at byte 6" },
  { "{\"\\uDFFF\":1}", -1, UTF8, "a lone surrogate \\uDFFF at byte 2" },
  /* UTF-8: stray, truncated, overlong, surrogates, above U+10FFFF */
  { "{\"a\":\"\x80\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xc3\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xc3", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xc0\xaf\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xc1\xbf\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xe0\x80\xaf\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xe0\x9f\xbf\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xf0\x80\x80\xaf\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xf0\x8f\xbf\xbf\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xed\xa0\x80\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xed\xbf\xbf\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xf4\x90\x80\x80\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xf5\x80\x80\x80\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xf8\x88\x80\x80\x80\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xe2\x82\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xe2\x82\x41\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xf0\x9f\x98\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"a\":\"\xff\"}", -1, UTF8, "invalid UTF-8 at byte 6" },
  { "{\"\xc3\x28\":1}", -1, UTF8, "invalid UTF-8 at byte 2" },
  /* duplicates, also after unescaping, and in objects inside arrays */
  { "{\"temp\":1,\"hum\":2,\"temp\":3}", -1, FD_PAYLOAD_ERROR_DUPLICATE,
    "the key \"temp\" appears twice at byte 18" },
  { "{\"a\":1,\"\\u0061\":2}", -1, FD_PAYLOAD_ERROR_DUPLICATE,
    "the key \"\\u0061\" appears twice at byte 7" },
  { "{\"a\":{\"x\":1,\"x\":2}}", -1, FD_PAYLOAD_ERROR_DUPLICATE,
    "the key \"x\" appears twice at byte 12" },
  { "{\"a\":[{\"k\":1},{\"k\":2,\"k\":3}]}", -1, FD_PAYLOAD_ERROR_DUPLICATE,
    "the key \"k\" appears twice at byte 21" },
  { "{\"a\":{},\"a\":{}}", -1, FD_PAYLOAD_ERROR_DUPLICATE,
    "the key \"a\" appears twice at byte 8" },
  { "{\"an overly long key, longer than shown\":1,\"an overly long key, longer than shown\":2}", -1,
    FD_PAYLOAD_ERROR_DUPLICATE, "the key \"an overly long k…\" appears twice at byte 43" },
  { "{\"\xe2\x80\xa8\xc2\xa0\":1,\"\xe2\x80\xa8\xc2\xa0\":2}", -1, FD_PAYLOAD_ERROR_DUPLICATE,
    "the key \"\\u2028\\u00A0\" appears twice at byte 11" },
  /* paths with control characters */
  { "{\"a\\u0001\":1}", -1, SYNTAX, "a key with a control character at byte 1" },
  { "{\"a\":{\"\\n\":1}}", -1, SYNTAX, "a key with a control character at byte 6" },
  { "{\"\x7f\":1}", -1, SYNTAX, "a key with a control character at byte 1" },
  { "{\"\xc2\x85\":1}", -1, SYNTAX, "a key with a control character at byte 1" },
  { "{\"\\u0000\":1}", -1, SYNTAX, "a key with a control character at byte 1" },
};

static void
test_invalid (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();

  for (guint i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      gsize len = c->len < 0 ? strlen (c->text) : (gsize)c->len;
      g_autoptr (GError) error = NULL;
      g_autofree char *shown = g_strescape (c->text, NULL);
      gsize compact_len = 1;

      g_test_message ("invalid %u: %s", i, shown);
      g_assert_false (fd_payload_scan (s, c->text, len, &error));
      g_assert_error (error, FD_PAYLOAD_ERROR, (gint)c->code);
      g_assert_cmpstr (error->message, ==, c->message);
      fd_t_assert_message_readable (error->message, len);
      /* nothing of a refused payload is left to read */
      g_assert_cmpuint (fd_payload_n_fields (s), ==, 0);
      g_assert_cmpstr (fd_payload_compact (s, &compact_len), ==, "");
      g_assert_cmpuint (compact_len, ==, 0);
    }
  /* and a NULL error is fine */
  g_assert_false (fd_payload_scan (s, "{", 1, NULL));
}

/* Paths with control characters are refused, but keys inside arrays are not paths. */
static void
test_keys_in_arrays (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  const char *text = "{\"a\":[{\"\\u0001\":1,\"\\n\":2}]}";
  g_autofree char *fields = NULL;

  g_assert_true (fd_payload_scan (s, text, strlen (text), NULL));
  fields = fd_t_fields (s);
  g_assert_cmpstr (fields, ==, "a:array");
}

/* ---- limits ---------------------------------------------------------------------------------- */

/* @n objects nested in one another around a 1, in "a" members: {"a":{"a":…1…}} */
static char *
nested_objects (guint n)
{
  GString *t = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append (t, i + 1 < n ? "{\"a\":" : "{\"a\":1");
  for (guint i = 0; i < n; i++)
    g_string_append_c (t, '}');
  return g_string_free (t, FALSE);
}

static void
test_depth (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autofree char *eight = nested_objects (8);
  g_autofree char *nine = nested_objects (9);
  g_autoptr (GError) error = NULL;
  /* arrays count too: the top object is 1, the arrays 2-8, the innermost object 9 */
  const char *arrays = "{\"a\":[[[[[[[{}]]]]]]]}";
  const char *arrays_ok = "{\"a\":[[[[[[[]]]]]]]}";

  g_assert_true (fd_payload_scan (s, eight, strlen (eight), NULL));
  g_assert_cmpuint (fd_payload_field (s, 0)->path_len, ==, 15); /* a.a.a.a.a.a.a.a */
  g_assert_false (fd_payload_scan (s, nine, strlen (nine), &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_TOO_DEEP);
  g_assert_cmpstr (error->message, ==, "nested deeper than 8 levels at byte 40");
  g_clear_error (&error);
  g_assert_true (fd_payload_scan (s, arrays_ok, strlen (arrays_ok), NULL));
  g_assert_false (fd_payload_scan (s, arrays, strlen (arrays), &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_TOO_DEEP);
  g_assert_cmpstr (error->message, ==, "nested deeper than 8 levels at byte 12");
  g_clear_error (&error);

  /* a scanner's own limits */
  fd_payload_scanner_set_limits (s, FD_PAYLOAD_DEFAULT_MAX_BYTES, 1);
  g_assert_true (fd_payload_scan (s, "{\"a\":1}", 7, NULL));
  g_assert_false (fd_payload_scan (s, "{\"a\":{}}", 8, &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_TOO_DEEP);
  g_assert_cmpstr (error->message, ==, "nested deeper than 1 level at byte 5");
  g_clear_error (&error);
  fd_payload_scanner_set_limits (s, FD_PAYLOAD_DEFAULT_MAX_BYTES, 9);
  g_assert_true (fd_payload_scan (s, nine, strlen (nine), NULL));

  /* no C stack is spent on depth: 100,000 levels are read when the limit allows them */
  {
    GString *deep = g_string_new ("{\"a\":");
    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 100000; i++)
      g_string_append_c (deep, ']');
    g_string_append_c (deep, '}');
    fd_payload_scanner_set_limits (s, G_MAXSIZE, 100001);
    g_assert_true (fd_payload_scan (s, deep->str, deep->len, NULL));
    g_assert_cmpuint (fd_payload_n_fields (s), ==, 1);
    g_string_free (deep, TRUE);
  }
}

static void
test_size (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (GError) error = NULL;
  GString *t = g_string_new ("{\"s\":\"");
  char garbage[100];

  /* exactly the limit is fine */
  while (t->len < FD_PAYLOAD_DEFAULT_MAX_BYTES - 2)
    g_string_append_c (t, 'x');
  g_string_append (t, "\"}");
  g_assert_cmpuint (t->len, ==, FD_PAYLOAD_DEFAULT_MAX_BYTES);
  g_assert_true (fd_payload_scan (s, t->str, t->len, NULL));
  g_string_insert_c (t, 6, 'x');
  g_assert_false (fd_payload_scan (s, t->str, t->len, &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "the payload is 65537 bytes, over the limit of 65536");
  g_clear_error (&error);

  /* the size is checked before anything is read: garbage over the limit is TOO_LARGE */
  memset (garbage, 0xff, sizeof garbage);
  fd_payload_scanner_set_limits (s, 99, FD_PAYLOAD_DEFAULT_MAX_DEPTH);
  g_assert_false (fd_payload_scan (s, garbage, sizeof garbage, &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_false (fd_payload_scan (s, garbage, 99, &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_SYNTAX);
  g_string_free (t, TRUE);
}

static void
test_fields_limit (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (GError) error = NULL;
  GString *t = g_string_new ("{");
  gsize last;

  for (guint i = 0; i < FD_PAYLOAD_MAX_FIELDS; i++)
    g_string_append_printf (t, "%s\"f%u\":{\"v\":%u}", i ? "," : "", i, i);
  g_string_append (t, ",\"arr\":[");
  last = t->len;
  g_string_append (t, "]}");
  /* 256 fields, and the 257th (an array) is one too many */
  g_assert_false (fd_payload_scan (s, t->str, t->len, &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_TOO_LARGE);
  {
    g_autofree char *expected = g_strdup_printf ("more than 256 fields at byte %zu", last - 1);
    g_assert_cmpstr (error->message, ==, expected);
  }
  g_clear_error (&error);
  g_string_truncate (t, last - 8);
  g_string_append_c (t, '}');
  g_assert_true (fd_payload_scan (s, t->str, t->len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fd_payload_n_fields (s), ==, FD_PAYLOAD_MAX_FIELDS);
  g_assert_cmpstr (fd_payload_field (s, 255)->path, ==, "f255.v");
  g_assert_cmpfloat (fd_payload_field (s, 255)->number, ==, 255);

  /* what lies inside arrays is not a field: 1,000 objects in an array are one field */
  g_string_assign (t, "{\"list\":[");
  for (guint i = 0; i < 1000; i++)
    g_string_append_printf (t, "%s{\"k%u\":%u}", i ? "," : "", i, i);
  g_string_append (t, "]}");
  g_assert_true (fd_payload_scan (s, t->str, t->len, NULL));
  g_assert_cmpuint (fd_payload_n_fields (s), ==, 1);
  g_string_free (t, TRUE);
}

static void
test_path_limit (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *k100 = g_strnfill (100, 'k');
  g_autofree char *k54 = g_strnfill (54, 'k');
  g_autofree char *k55 = g_strnfill (55, 'k');
  /* 100 + 1 + 100 + 1 + 54 = 256 bytes */
  g_autofree char *ok = g_strdup_printf ("{\"%s\":{\"%s\":{\"%s\":1}}}", k100, k100, k54);
  g_autofree char *over = g_strdup_printf ("{\"%s\":{\"%s\":{\"%s\":1}}}", k100, k100, k55);
  /* an escaped key counts with its value: "\u00e9" is 2 bytes */
  g_autofree char *k52 = g_strnfill (52, 'k');
  g_autofree char *escaped
      = g_strdup_printf ("{\"%s\":{\"%s\":{\"%s\\u00e9\":1}}}", k100, k100, k52);

  g_assert_true (fd_payload_scan (s, ok, strlen (ok), NULL));
  g_assert_cmpuint (fd_payload_field (s, 0)->path_len, ==, FD_PAYLOAD_MAX_PATH_BYTES);
  g_assert_false (fd_payload_scan (s, over, strlen (over), &error));
  g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "a field path longer than 256 bytes at byte 209");
  g_clear_error (&error);
  g_assert_true (fd_payload_scan (s, escaped, strlen (escaped), NULL));
  g_assert_cmpuint (fd_payload_field (s, 0)->path_len, ==, FD_PAYLOAD_MAX_PATH_BYTES);
  /* keys inside arrays are not paths */
  g_free (over);
  over = g_strdup_printf ("{\"a\":[{\"%s%s%s\":1}]}", k100, k100, k100);
  g_assert_true (fd_payload_scan (s, over, strlen (over), NULL));
}

/* Many keys in one object: linear search up to 16, hashed beyond, and both find duplicates. */
static void
test_many_keys (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();

  for (guint n = 1; n <= 300; n += (n < 40 ? 1 : 37))
    for (guint dup = 0; dup <= n; dup++)
      {
        GString *t = g_string_new ("{\"x\":[{");
        g_autoptr (GError) error = NULL;

        for (guint i = 0; i < n; i++)
          g_string_append_printf (t, "%s\"key%u\":{\"in\":%u}", i ? "," : "", i, i);
        if (dup < n)
          g_string_append_printf (t, ",\"key%u\":0", dup);
        g_string_append (t, "}],\"y\":{\"key0\":1}}");
        if (dup < n)
          {
            g_assert_false (fd_payload_scan (s, t->str, t->len, &error));
            g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_DUPLICATE);
          }
        else
          {
            g_assert_true (fd_payload_scan (s, t->str, t->len, &error));
            g_assert_no_error (error);
          }
        g_string_free (t, TRUE);
        if (n > 40 && dup + 1 < n)
          dup += n / 5; /* a few of them for the large objects */
      }
}

/* A scanner is reused: fields and the compact copy are those of the last scan. */
static void
test_reuse (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  const char *a = "{ \"a\": 1, \"b\": { \"c\": \"x\" } }";
  const char *b = "{\"z\":[1]}";
  g_autofree char *fa = NULL, *fb = NULL;

  g_assert_true (fd_payload_scan (s, a, strlen (a), NULL));
  g_assert_false (fd_payload_scan (s, "{\"a\":1,\"a\":2", 13, NULL)); /* leaves keys behind */
  g_assert_true (fd_payload_scan (s, a, strlen (a), NULL));
  fa = fd_t_fields (s);
  g_assert_cmpstr (fa, ==, "a=1 b.c:string");
  g_assert_cmpstr (fd_payload_compact (s, NULL), ==, "{\"a\":1,\"b\":{\"c\":\"x\"}}");
  g_assert_true (fd_payload_scan (s, b, strlen (b), NULL));
  fb = fd_t_fields (s);
  g_assert_cmpstr (fb, ==, "z:array");
  g_assert_cmpstr (fd_payload_compact (s, NULL), ==, b);
}

/* Once the buffers have grown, scanning (also failing, without a GError) allocates nothing. */
static void
test_no_allocation (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (GString) big = g_string_new ("{");
  const char *mix[] = {
    "{\"temp\":21.5,\"hum\":40,\"env\":{\"co2\":412,\"ok\":true}}",
    "{ \"k\\u00e9y\" : \"v\\n\" , \"n\" : -1.25e-3, \"l\": [1, {\"a\": null}] }",
    "{\"x\":1,\"x\":2}",
    "{\"n\":1e999}",
    "{\"s\":\"\xc3\"}",
    "[1,2]",
  };
  GArray *items = g_array_new (FALSE, FALSE, sizeof (FdBatchItem));
  const char *batch = "[{\"ts\":\"2026-11-27T10:00:00.5+01:00\",\"payload\":{\"a\":1}},"
                      " {\"payload\":{\"b\":[]},\"ts\":1700000000000}]";
  gint before;

  if (!FD_TEST_COUNTS_ALLOCATIONS)
    {
      g_test_skip ("allocations are not counted under AddressSanitizer");
      g_array_unref (items);
      return;
    }
  for (guint i = 0; i < 200; i++)
    g_string_append_printf (big, "%s\"k%u\\u0041\":{\"v\":%u.5}", i ? "," : "", i, i);
  g_string_append_c (big, '}');
  /* grow everything once */
  g_assert_true (fd_payload_scan (s, big->str, big->len, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (mix); i++)
    fd_payload_scan (s, mix[i], strlen (mix[i]), NULL);
  g_assert_true (fd_payload_scan_batch (s, batch, strlen (batch), 10, items, NULL));

  before = allocations;
  counting = TRUE;
  for (guint round = 0; round < 1000; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (mix); i++)
        fd_payload_scan (s, mix[i], strlen (mix[i]), NULL);
      fd_payload_scan (s, big->str, big->len, NULL);
      fd_payload_scan_batch (s, batch, strlen (batch), 10, items, NULL);
    }
  counting = FALSE;
  g_assert_cmpint (allocations - before, ==, 0);
  g_assert_cmpuint (fd_payload_n_fields (s), ==, 200); /* the last scan was the big one */

  /* the counter counts: a scan larger than any before grows the buffers */
  g_string_truncate (big, big->len - 1);
  g_string_append (big, ",\"more\":1}");
  counting = TRUE;
  g_assert_true (fd_payload_scan (s, big->str, big->len, NULL));
  counting = FALSE;
  g_assert_cmpint (allocations - before, >, 0);
  g_array_unref (items);
}

/* ---- numbers --------------------------------------------------------------------------------- */

/* Every number is the double g_ascii_strtod() makes of it, bit for bit, whether it went the
 * fast way or not. */
static void
test_numbers_exact (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261127);
  const char *fixed[] = {
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1",
    "9007199254740992",
    "9007199254740993",
    "9007199254740991.5",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999",
    "1e22",
    "1e23",
    "123456789012345678e-22",
    "4.9e-324",
    "2.2250738585072014e-308",
    "1.7976931348623157e308",
    "0.1",
    "0.2",
    "0.3",
    "3.14159265358979323846",
    "1e-22",
    "1.5e-23",
    "0.0000000000000000000001",
    "100000000000000000000000",
    "8.98846567431158e307",
    "1e0",
    "1E-0",
    "5e-1",
    "0e999",
    "-0e-999",
  };

  for (guint i = 0; i < G_N_ELEMENTS (fixed) + 200000; i++)
    {
      g_autofree char *number = NULL;
      g_autofree char *text = NULL;
      double expected;

      if (i < G_N_ELEMENTS (fixed))
        number = g_strdup (fixed[i]);
      else if (i < G_N_ELEMENTS (fixed) + 3)
        {
          /* longer than the copy on the stack: 0.000…01, 123…0.5, 1.000…1e-300 */
          g_autofree char *zeros = g_strnfill (100 * (i - G_N_ELEMENTS (fixed) + 1), '0');
          number = g_strdup_printf (i == G_N_ELEMENTS (fixed)       ? "0.%s1"
                                    : i == G_N_ELEMENTS (fixed) + 1 ? "123%s.5"
                                                                    : "1.%s1e-300",
                                    zeros);
        }
      else
        {
          /* up to 22 digits around a '.', and an exponent sometimes */
          GString *n = g_string_new (g_rand_boolean (rand) ? "-" : "");
          guint int_digits = g_rand_int_range (rand, 1, 20);
          guint frac_digits = g_rand_int_range (rand, 0, 3) ? g_rand_int_range (rand, 0, 22) : 0;
          g_string_append_c (n, int_digits == 1 ? '0' + g_rand_int_range (rand, 0, 10)
                                                : '1' + g_rand_int_range (rand, 0, 9));
          for (guint d = 1; d < int_digits; d++)
            g_string_append_c (n, '0' + g_rand_int_range (rand, 0, 10));
          if (frac_digits > 0)
            g_string_append_c (n, '.');
          for (guint d = 0; d < frac_digits; d++)
            g_string_append_c (n, '0' + g_rand_int_range (rand, 0, 10));
          if (g_rand_int_range (rand, 0, 3) == 0)
            g_string_append_printf (n, "e%d", g_rand_int_range (rand, -40, 40));
          number = g_string_free (n, FALSE);
        }
      text = g_strdup_printf ("{\"n\":%s}", number);
      expected = g_ascii_strtod (number, NULL);
      g_assert_true (fd_payload_scan (s, text, strlen (text), NULL));
      if (memcmp (&fd_payload_field (s, 0)->number, &expected, sizeof expected) != 0)
        g_error ("%s: %.17g, g_ascii_strtod says %.17g", number, fd_payload_field (s, 0)->number,
                 expected);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/payload/valid", test_valid);
  g_test_add_func ("/payload/not-terminated", test_not_terminated);
  g_test_add_func ("/payload/invalid", test_invalid);
  g_test_add_func ("/payload/keys-in-arrays", test_keys_in_arrays);
  g_test_add_func ("/payload/depth", test_depth);
  g_test_add_func ("/payload/size", test_size);
  g_test_add_func ("/payload/fields-limit", test_fields_limit);
  g_test_add_func ("/payload/path-limit", test_path_limit);
  g_test_add_func ("/payload/many-keys", test_many_keys);
  g_test_add_func ("/payload/reuse", test_reuse);
  g_test_add_func ("/payload/no-allocation", test_no_allocation);
  g_test_add_func ("/payload/numbers-exact", test_numbers_exact);

  return g_test_run ();
}
