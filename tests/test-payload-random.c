/* test-payload-random.c — fd_payload_scan() against json-glib's parser on generated and mutated
 * JSON texts (a fixed seed; FD_PAYLOAD_DIFF_SEED and FD_PAYLOAD_DIFF_RUNS explore further), and
 * fd_payload_scan_batch() on generated and mutated batches. Every difference from json-glib
 * must be one of the known ones, each checked on the text at the byte the error names. */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "fd-test-payload-util.h"

/* ---- against json-glib ----------------------------------------------------------------------- */

/* Generates JSON objects of the kind devices send (and some they should not: duplicate keys,
 * numbers out of range, lone surrogates), then breaks some of them by inserting, deleting and
 * replacing bytes. */
typedef struct
{
  GRand *rand;
  GString *out;
  guint keys; /* serial for fresh key names */
} Gen;

static guint
pick (Gen *g, guint n)
{
  return g_rand_int_range (g->rand, 0, n);
}

static void
gen_ws (Gen *g)
{
  static const char *ws[] = { " ", "\n  ", "\t", "\r\n", "  " };

  if (pick (g, 4) == 0)
    g_string_append (g->out, ws[pick (g, G_N_ELEMENTS (ws))]);
}

static void
gen_string (Gen *g)
{
  static const char *plain[]
      = { "a",   "temp", "x y", "0",   "{",   "}",       "[",       "]",
          ",",   ":",    "é",   "€",   "😀",   "\\n",     "\\\"",    "\\\\",
          "\\/", "\\b",  "\\f", "\\r", "\\t", "\\u00e9", "\\u20AC", "\\uD83D\\uDE00" };
  /* now and then: controls, lone surrogates, odd characters, and UTF-8 that is not UTF-8
   * (overlong, an encoded surrogate, above U+10FFFF, cut short) */
  static const char *odd[] = { "\\u0000",  "\\u001F",      "\\ud800",          "\\uDFFF",
                               "\x7f",     "\xc2\x85",     "\xe2\x80\xa8",     "\xef\xbf\xbf",
                               "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82" };
  guint n = pick (g, 4);

  g_string_append_c (g->out, '"');
  for (guint i = 0; i < n; i++)
    {
      if (pick (g, 30) == 0)
        g_string_append (g->out, odd[pick (g, G_N_ELEMENTS (odd))]);
      else
        g_string_append (g->out, plain[pick (g, G_N_ELEMENTS (plain))]);
    }
  g_string_append_c (g->out, '"');
}

static void
gen_key (Gen *g)
{
  static const char *common[] = { "\"a\"", "\"b\"", "\"temp\"", "\"\\u0061\"", "\"x.y\"", "\"\"" };

  if (pick (g, 10) == 0)
    g_string_append (g->out, common[pick (g, G_N_ELEMENTS (common))]);
  else if (pick (g, 40) == 0)
    gen_string (g);
  else
    g_string_append_printf (g->out, "\"k%u\"", g->keys++);
}

static void
gen_number (Gen *g)
{
  static const char *odd[]
      = { "1e999", "-1e400", "4.9e-324", "1e-400", "123456789012345678901", "9007199254740993",
          "-0",    "0.1",    "1E+2",     "2.5e-3" };

  if (pick (g, 10) == 0)
    {
      g_string_append (g->out, odd[pick (g, G_N_ELEMENTS (odd))]);
      return;
    }
  if (pick (g, 3) == 0)
    g_string_append_c (g->out, '-');
  g_string_append_printf (g->out, "%u", pick (g, 3) ? pick (g, 1000) : g_rand_int (g->rand));
  if (pick (g, 2))
    g_string_append_printf (g->out, ".%u", pick (g, 100000));
  if (pick (g, 5) == 0)
    g_string_append_printf (g->out, "%s%d", pick (g, 2) ? "e" : "E",
                            g_rand_int_range (g->rand, -30, 30));
}

static void gen_value (Gen *g, guint depth);

static void
gen_object (Gen *g, guint depth)
{
  guint n = pick (g, depth == 0 ? 7 : 4);

  g_string_append_c (g->out, '{');
  gen_ws (g);
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        {
          g_string_append_c (g->out, ',');
          gen_ws (g);
        }
      gen_key (g);
      gen_ws (g);
      g_string_append_c (g->out, ':');
      gen_ws (g);
      gen_value (g, depth + 1);
      gen_ws (g);
    }
  g_string_append_c (g->out, '}');
}

static void
gen_value (Gen *g, guint depth)
{
  switch (pick (g, depth > 4 ? 6 : 9))
    {
    case 0:
    case 1:
      gen_number (g);
      break;
    case 2:
    case 3:
      gen_string (g);
      break;
    case 4:
      g_string_append (g->out, (const char *[]){ "true", "false", "null" }[pick (g, 3)]);
      break;
    case 5:
      g_string_append (g->out, pick (g, 2) ? "{}" : "[]");
      break;
    case 6:
    case 7:
      gen_object (g, depth);
      break;
    default:
      {
        guint n = pick (g, 4);
        g_string_append_c (g->out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (g->out, ',');
            gen_ws (g);
            gen_value (g, depth + 1);
          }
        g_string_append_c (g->out, ']');
      }
    }
}

static void
mutate (Gen *g)
{
  static const char alphabet[] = "{}[]\",:\\/ \t\n\r0123456789-+.eEtrufalsnxuAD'*#"
                                 "\x00\x01\x1f\x7f\x80\xbf\xc2\xc3\xa9\xe2\x82\xac\xed\xa0"
                                 "\xf0\x9f\xf4\x90\xff\x0c\x0b";
  GString *t = g->out;
  guint at = t->len ? pick (g, t->len) : 0;
  guint want = 1 + pick (g, 8);
  guint span = MIN (t->len - at, want);
  char c = alphabet[pick (g, sizeof alphabet - 1)];

  switch (pick (g, 5))
    {
    case 0:
      g_string_insert_len (t, at, &c, 1);
      break;
    case 1:
      if (t->len > 0)
        t->str[at] = c;
      break;
    case 2:
      g_string_erase (t, at, MIN (span, 4));
      break;
    case 3:
      {
        /* a copy of a span of the text elsewhere: stray brackets, keys, values */
        g_autofree char *copy = g_strndup (t->str + at, span);
        g_string_insert_len (t, t->len ? pick (g, t->len) : 0, copy, span);
      }
      break;
    default:
      g_string_erase (t, at, t->len > at ? 1 : 0);
      break;
    }
}

/* The fields of a json-glib tree, flattened the same way, as "path:type" strings and numbers. */
static void
flatten (JsonObject *o, const char *prefix, GPtrArray *names, GArray *numbers, GArray *ints)
{
  g_autoptr (GList) members = json_object_get_members (o);

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *n = json_object_get_member (o, l->data);
      g_autofree char *path
          = prefix ? g_strconcat (prefix, ".", l->data, NULL) : g_strdup (l->data);
      const char *type;
      double number = 0;
      gboolean is_int = FALSE;

      if (JSON_NODE_HOLDS_OBJECT (n) && json_object_get_size (json_node_get_object (n)) > 0)
        {
          flatten (json_node_get_object (n), path, names, numbers, ints);
          continue;
        }
      if (JSON_NODE_HOLDS_OBJECT (n))
        type = "object";
      else if (JSON_NODE_HOLDS_ARRAY (n))
        type = "array";
      else if (JSON_NODE_HOLDS_NULL (n))
        type = "null";
      else if (json_node_get_value_type (n) == G_TYPE_BOOLEAN)
        type = "boolean";
      else if (json_node_get_value_type (n) == G_TYPE_STRING)
        type = "string";
      else
        {
          type = "number";
          number = json_node_get_double (n);
          is_int = json_node_get_value_type (n) == G_TYPE_INT64;
        }
      g_ptr_array_add (names, g_strdup_printf ("%s:%s", path, type));
      g_array_append_val (numbers, number);
      g_array_append_val (ints, is_int);
    }
}

/* Compares our fields with json-glib's tree; NULL when they agree, or a known reason for a
 * difference ("why" set), or a description of an unknown one. */
static char *
compare_fields (FdPayloadScanner *s, JsonNode *root, const char **why)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) ints = g_array_new (FALSE, FALSE, sizeof (gboolean));

  *why = NULL;
  flatten (json_node_get_object (root), NULL, names, numbers, ints);
  if (names->len != fd_payload_n_fields (s))
    return g_strdup_printf ("%u fields, json-glib %u", fd_payload_n_fields (s), names->len);
  for (guint i = 0; i < names->len; i++)
    {
      const FdPayloadField *f = fd_payload_field (s, i);
      g_autofree char *ours = g_strdup_printf ("%s:%s", f->path, fd_field_type_name (f->type));
      double theirs = g_array_index (numbers, double, i);

      if (strcmp (ours, names->pdata[i]) != 0)
        return g_strdup_printf ("field %u is %s, json-glib %s", i, ours, (char *)names->pdata[i]);
      if (f->type == FD_FIELD_NUMBER && f->number == theirs
          && signbit (f->number) != signbit (theirs))
        *why = "-0 (json-glib reads the integer 0, ours is -0.0 as g_ascii_strtod gives; equal)";
      else if (f->type == FD_FIELD_NUMBER && f->number != theirs)
        {
          if (g_array_index (ints, gboolean, i) && fabs (f->number) >= 0x1p63)
            *why = "integer beyond 64 bits (json-glib makes it -1 or wraps it; ours is right)";
          else
            return g_strdup_printf ("%s is %.17g, json-glib %.17g", f->path, f->number, theirs);
        }
    }
  return NULL;
}

/* The compact copy, by the obvious means: whitespace outside strings removed. */
static char *
strip_whitespace (const char *text, gsize len)
{
  GString *out = g_string_new (NULL);
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (in_string)
        {
          g_string_append_c (out, c);
          if (c == '\\' && i + 1 < len)
            g_string_append_c (out, text[++i]);
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
        {
          g_string_append_c (out, c);
          in_string = c == '"';
        }
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *name;
  guint count;
} Difference;

/* Why fd_payload_scan() refused a text that json-glib took as an object. Each reason is checked
 * on the text at the byte the message names; NULL when it is none of the known ones. */
static const char *
explain_refusal (const char *text, gsize len, const GError *error)
{
  const char *at = strstr (error->message, "at byte ");
  gsize n = at ? g_ascii_strtoull (at + 8, NULL, 10) : 0;
  const guchar *p = (const guchar *)text + n;
  gsize left = len - n;

  /* stricter than json-glib on purpose (fd-payload.h) */
  if (error->code == FD_PAYLOAD_ERROR_DUPLICATE)
    return "duplicate key (refused on purpose)";
  if (error->code == FD_PAYLOAD_ERROR_NUMBER)
    {
      g_autofree char *num
          = g_strndup ((const char *)p, strspn ((const char *)p, "-+.eE0123456789"));
      if (isinf (g_ascii_strtod (num, NULL)))
        return "number out of range, json-glib makes it inf (refused on purpose)";
    }
  if (strstr (error->message, "lone surrogate") && left >= 6 && p[0] == '\\' && p[1] == 'u'
      && g_ascii_toupper (p[2]) == 'D' && strchr ("89ABCDEFabcdef", p[3]))
    return "lone surrogate, json-glib writes it as CESU-8 (refused on purpose)";
  if (strstr (error->message, "key with a control character") && p[0] == '"')
    return "key with a control character, json-glib cuts it at \\u0000 (refused on purpose)";

  /* json-glib is laxer than RFC 8259 */
  if (strstr (error->message, "'-' without digits") && left >= 2 && p[0] == '-'
      && strchr (" \t\r\n", p[1]))
    return "whitespace after '-' (json-glib: - 9 is -9)";
  if (strstr (error->message, "leading zero") && (p[0] == '0' || (p[0] == '-' && p[1] == '0')))
    return "leading zero (json-glib: 01 is 1, 0x10 is 16)";
  if (strstr (error->message, "'.' without digits") && p[0] == '.'
      && (left == 1 || !g_ascii_isdigit (p[1])))
    return "number ending in '.' (json-glib: 1. is 1.0)";
  if ((g_str_has_prefix (error->message, "unexpected '.'") && p[0] == '.')
      || (strstr (error->message, "'-' without digits") && left >= 2 && p[0] == '-' && p[1] == '.'))
    return "number starting with '.' (json-glib: .5 is 0.5, -.5 is -0.5)";
  if (g_str_has_prefix (error->message, "unexpected '/'") && p[0] == '/')
    return "'/' (json-glib skips comments, and a lone '/' as well: {/} is {})";
  if (g_str_has_prefix (error->message, "unexpected '''") && p[0] == '\'')
    return "single-quoted string (json-glib takes 'a')";
  if (g_str_has_prefix (error->message, "unexpected '") && g_ascii_isalpha (p[0]) && n > 0
      && g_ascii_isdigit (p[-1]))
    return "letter after a number (json-glib: 0x10 hex, 0b1)";
  if (strstr (error->message, "unknown escape") && p[0] == '\\')
    return "unknown escape (json-glib: \\x is x)";
  if (strstr (error->message, "\\u escape without four hex digits") && p[0] == '\\' && p[1] == 'u')
    return "bad \\u escape (json-glib ends the string there)";
  if (strstr (error->message, "control character (0x") && p[0] < 0x20)
    return "control character inside a string (json-glib keeps it)";
  if (strstr (error->message, "expected nothing after the object") && n > 0)
    {
      g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
      fd_payload_scanner_set_limits (s, G_MAXSIZE, 1000);
      if (fd_payload_scan (s, text, n, NULL))
        return "something after the object (json-glib reads {} {} and {} [])";
    }
  if (n == 0 && left >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
    return "byte order mark (json-glib skips it)";
  return NULL;
}

static void
test_against_json_glib (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (FdPayloadScanner) again = fd_payload_scanner_new ();
  /* a fixed seed; FD_PAYLOAD_DIFF_SEED and FD_PAYLOAD_DIFF_RUNS explore further */
  const char *seed = g_getenv ("FD_PAYLOAD_DIFF_SEED");
  const char *n_runs = g_getenv ("FD_PAYLOAD_DIFF_RUNS");
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed ? g_ascii_strtoull (seed, NULL, 10) : 8259);
  g_autoptr (GPtrArray) unexplained = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) reasons = g_hash_table_new (g_str_hash, g_str_equal);
  Gen g = { rand, g_string_new (NULL), 0 };
  guint both_accept = 0, both_refuse = 0;
  guint runs = n_runs ? g_ascii_strtoull (n_runs, NULL, 10) : 60000;
  GHashTableIter iter;
  gpointer key, value;

  /* json-glib has no depth or size limit: neither shall the scanner here */
  fd_payload_scanner_set_limits (s, G_MAXSIZE, 1000);
  for (guint i = 0; i < runs; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) jerror = NULL;
      g_autoptr (JsonParser) parser = json_parser_new ();
      gboolean ours, theirs;
      JsonNode *root;

      g_string_truncate (g.out, 0);
      gen_object (&g, 0);
      for (guint m = pick (&g, 10) < 3 ? 0 : 1 + pick (&g, 3); m > 0; m--)
        mutate (&g);

      {
        /* an exact copy, so that a read past the end is caught (under AddressSanitizer) */
        g_autofree char *exact = g_memdup2 (g.out->str, g.out->len);
        ours = fd_payload_scan (s, exact, g.out->len, &error);
      }
      theirs = json_parser_load_from_data (parser, g.out->str, g.out->len, &jerror);
      root = theirs ? json_parser_get_root (parser) : NULL;
      theirs = root != NULL && JSON_NODE_HOLDS_OBJECT (root);

      if (!ours)
        fd_t_assert_message_readable (error->message, g.out->len);
      if (ours && theirs)
        {
          /* the same fields, and the compact copy is the text without its whitespace */
          g_autofree char *fields = fd_t_fields (s);
          g_autofree char *stripped = strip_whitespace (g.out->str, g.out->len);
          g_autofree char *fields_again = NULL;
          const char *why;
          g_autofree char *differ = compare_fields (s, root, &why);
          gsize compact_len;
          const char *compact = fd_payload_compact (s, &compact_len);

          if (differ != NULL)
            {
              g_autofree char *shown = g_strescape (g.out->str, NULL);
              g_ptr_array_add (unexplained, g_strdup_printf ("%s: %s", shown, differ));
            }
          else if (why != NULL)
            g_hash_table_insert (
                reasons, (gpointer)why,
                GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (reasons, why)) + 1));
          g_assert_cmpstr (compact, ==, stripped);
          g_assert_true (fd_payload_scan (again, compact, compact_len, NULL));
          fields_again = fd_t_fields (again);
          g_assert_cmpstr (fields_again, ==, fields);
          both_accept++;
        }
      else if (!ours && !theirs)
        both_refuse++;
      else
        {
          const char *why = ours ? NULL : explain_refusal (g.out->str, g.out->len, error);
          if (why == NULL)
            {
              g_autofree char *shown = g_strescape (g.out->str, NULL);
              g_ptr_array_add (
                  unexplained,
                  g_strdup_printf (
                      "%s: ours %s, json-glib %s", shown, ours ? "accepts" : error->message,
                      theirs ? "accepts" : (jerror ? jerror->message : "not an object")));
            }
          else
            g_hash_table_insert (
                reasons, (gpointer)why,
                GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (reasons, why)) + 1));
        }
    }

  g_test_message ("%u texts: both accept %u, both refuse %u", runs, both_accept, both_refuse);
  g_hash_table_iter_init (&iter, reasons);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_test_message ("  differ, %u: %s", GPOINTER_TO_UINT (value), (char *)key);
  for (guint i = 0; i < MIN (unexplained->len, 40); i++)
    g_test_message ("unexplained: %s", (char *)unexplained->pdata[i]);
  g_assert_cmpuint (unexplained->len, ==, 0);
  /* the test means something only if it saw many of each */
  g_assert_cmpuint (both_accept, >, runs / 5);
  g_assert_cmpuint (both_refuse, >, runs / 5);
  g_string_free (g.out, TRUE);
}

/* Generated batches, some broken: an intact one is always accepted; an accepted one delimits
 * objects inside the text; when its payloads are good, the whole text is good JSON. */
static void
test_batch_random (void)
{
  g_autoptr (FdPayloadScanner) s = fd_payload_scanner_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (1970);
  g_autoptr (GArray) items = g_array_new (FALSE, FALSE, sizeof (FdBatchItem));
  Gen g = { rand, g_string_new (NULL), 0 };
  guint accepted = 0;

  fd_payload_scanner_set_limits (s, G_MAXSIZE, 1000);
  for (guint i = 0; i < 20000; i++)
    {
      guint n = 1 + pick (&g, 4), mutations = pick (&g, 3) ? 0 : 1 + pick (&g, 2);
      g_autofree char *exact = NULL;
      gboolean payloads_ok = TRUE;

      g_string_assign (g.out, "[");
      for (guint r = 0; r < n; r++)
        {
          gboolean ts_first = pick (&g, 2);
          g_string_append (g.out, r ? ", {" : "{");
          if (ts_first)
            g_string_append_printf (g.out, "\"ts\": %u, ", g_rand_int (rand));
          g_string_append (g.out, "\"payload\": ");
          gen_object (&g, 0);
          if (!ts_first)
            g_string_append_printf (g.out, ", \"ts\": \"2026-11-%02uT10:00:%02u.%uZ\"",
                                    1 + pick (&g, 30), pick (&g, 60), pick (&g, 1000));
          g_string_append_c (g.out, '}');
        }
      g_string_append_c (g.out, ']');
      for (guint m = 0; m < mutations; m++)
        mutate (&g);

      exact = g_memdup2 (g.out->str, g.out->len);
      if (!fd_payload_scan_batch (s, exact, g.out->len, FD_PAYLOAD_MAX_BATCH, items, NULL))
        {
          g_assert_cmpuint (mutations, >, 0);
          g_assert_cmpuint (items->len, ==, 0);
          continue;
        }
      accepted++;
      if (mutations == 0)
        g_assert_cmpuint (items->len, ==, n);
      for (guint r = 0; r < items->len; r++)
        {
          FdBatchItem *it = &g_array_index (items, FdBatchItem, r);
          g_assert_cmpuint (it->payload_offset + it->payload_len, <=, g.out->len);
          g_assert_cmpint (exact[it->payload_offset], ==, '{');
          g_assert_true (strchr ("}]", exact[it->payload_offset + it->payload_len - 1]));
          payloads_ok &= fd_payload_scan (s, exact + it->payload_offset, it->payload_len, NULL);
        }
      if (payloads_ok)
        {
          g_autoptr (GError) error = NULL;
          g_assert_false (fd_payload_scan (s, exact, g.out->len, &error));
          g_assert_error (error, FD_PAYLOAD_ERROR, FD_PAYLOAD_ERROR_NOT_OBJECT);
        }
    }
  g_test_message ("%u of 20000 batches accepted", accepted);
  g_string_free (g.out, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/payload-random/against-json-glib", test_against_json_glib);
  g_test_add_func ("/payload-random/batch", test_batch_random);

  return g_test_run ();
}
