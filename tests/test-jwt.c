/* test-jwt.c — HS256 device tokens: round trip, byte-for-byte interop with tokens made by
 * python3's hmac/base64/json standard library, refused algorithms, signatures, expiry and
 * malformed tokens. */
#include "fd-test-pki.h"

#include <string.h>

#include "pki/fd-jwt.h"

static const guint8 jwt_key[32] = "0123456789abcdef0123456789abcdef";

/* Tokens made by python3's standard library, as a device's Python client would: @specs holds
 * (header JSON, claims JSON, hashlib digest name) triples, NULL-terminated; one python3 run
 * makes them all. */
static GStrv
python_tokens (const guint8 *key, gsize key_len, const char *const *specs)
{
  const char *script = "import base64, hashlib, hmac, sys\n"
                       "b = lambda x: base64.urlsafe_b64encode(x).rstrip(b'=').decode()\n"
                       "key = base64.b64decode(sys.argv[1])\n"
                       "a = sys.argv[2:]\n"
                       "for h, c, d in zip(a[0::3], a[1::3], a[2::3]):\n"
                       "    msg = b(h.encode()) + '.' + b(c.encode())\n"
                       "    sig = hmac.new(key, msg.encode(), getattr(hashlib, d)).digest()\n"
                       "    print(msg + '.' + b(sig))\n";
  g_autofree char *key_b64 = g_base64_encode (key, key_len);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  guint n = g_strv_length ((char **)specs);
  GStrv tokens;

  g_assert_cmpuint (n % 3, ==, 0);
  g_ptr_array_add (argv, (char *)"python3");
  g_ptr_array_add (argv, (char *)"-c");
  g_ptr_array_add (argv, (char *)script);
  g_ptr_array_add (argv, key_b64);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (argv, (char *)specs[i]);
  g_ptr_array_add (argv, NULL);
  if (!fd_tp_run (&out, (const char *const *)argv->pdata))
    g_error ("python3 failed: %s", out);
  g_strstrip (out);
  tokens = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (tokens), ==, n / 3);
  return tokens;
}

static char *
python_token (const char *header_json, const char *claims_json, const guint8 *key, gsize key_len,
              const char *digest)
{
  const char *specs[] = { header_json, claims_json, digest, NULL };
  g_auto (GStrv) tokens = python_tokens (key, key_len, specs);
  return g_strdup (tokens[0]);
}

static void
assert_jwt_refused (const char *token, int code)
{
  g_autoptr (GError) error = NULL;
  FdJwtClaims claims = { { 0 }, 0, 0 };

  if (fd_jwt_verify (token, jwt_key, sizeof jwt_key, 1000, &claims, &error))
    g_error ("token accepted: %s", token);
  if (!g_error_matches (error, FD_JWT_ERROR, code))
    g_error ("token %s: expected code %d, got “%s”", token, code, error->message);
}

static void
test_jwt_round_trip (void)
{
  g_autofree char *token
      = fd_jwt_sign ("dev-abcdefghijklmnopqrst", 7, 2000, jwt_key, sizeof jwt_key);
  g_autoptr (GError) error = NULL;
  FdJwtClaims claims = { { 0 }, 0, 0 };
  g_autofree char *py = NULL;

  g_assert_true (fd_jwt_looks_like (token));
  g_assert_true (g_str_has_prefix (token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
  g_assert_true (fd_jwt_verify (token, jwt_key, sizeof jwt_key, 1000, &claims, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (claims.sub, ==, "dev-abcdefghijklmnopqrst");
  g_assert_cmpint (claims.key, ==, 7);
  g_assert_cmpint (claims.exp, ==, 2000);

  /* Byte for byte what Python makes from the same header and claims. */
  py = python_token ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                     "{\"sub\":\"dev-abcdefghijklmnopqrst\",\"key\":7,\"exp\":2000}", jwt_key,
                     sizeof jwt_key, "sha256");
  g_assert_cmpstr (py, ==, token);

  /* Expired: exp must be later than now. */
  {
    g_autofree char *expired = fd_jwt_sign ("d", 0, 1000, jwt_key, sizeof jwt_key);
    g_autofree char *later = fd_jwt_sign ("d", 0, 1001, jwt_key, sizeof jwt_key);
    assert_jwt_refused (expired, FD_JWT_ERROR_EXPIRED);
    g_assert_true (fd_jwt_verify (later, jwt_key, sizeof jwt_key, 1000, NULL, NULL));
  }
  {
    const guint8 other[32] = "another key, also thirty-two by";
    g_autofree char *wrong = fd_jwt_sign ("d", 0, 2000, other, sizeof other);
    assert_jwt_refused (wrong, FD_JWT_ERROR_SIGNATURE);
  }
}

static void
test_jwt_python_interop (void)
{
  g_autoptr (GError) error = NULL;
  FdJwtClaims claims = { { 0 }, 0, 0 };
  /* json.dumps' default separators, with spaces, and no key claim; an extra claim ignored. */
  g_autofree char *py = python_token ("{\"alg\": \"HS256\", \"typ\": \"JWT\"}",
                                      "{\"sub\": \"dev-py\", \"exp\": 5000, \"iat\": 10}", jwt_key,
                                      sizeof jwt_key, "sha256");
  g_autofree char *no_typ = python_token ("{\"alg\":\"HS256\"}", "{\"sub\":\"d\",\"exp\":5000}",
                                          jwt_key, sizeof jwt_key, "sha256");

  g_assert_true (fd_jwt_verify (py, jwt_key, sizeof jwt_key, 1000, &claims, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (claims.sub, ==, "dev-py");
  g_assert_cmpint (claims.key, ==, 0);
  g_assert_cmpint (claims.exp, ==, 5000);
  g_assert_true (fd_jwt_verify (no_typ, jwt_key, sizeof jwt_key, 1000, NULL, &error));
  g_assert_no_error (error);

  /* peek reads the claims whatever the signature. */
  memset (&claims, 0, sizeof claims);
  g_assert_true (fd_jwt_peek (py, &claims, &error));
  g_assert_cmpstr (claims.sub, ==, "dev-py");
  {
    const guint8 other[32] = { 1 };
    FdJwtClaims c2 = { { 0 }, 0, 0 };
    g_autofree char *wrong
        = python_token ("{\"alg\":\"HS256\"}", "{\"sub\":\"x\",\"key\":3,\"exp\":9}", other,
                        sizeof other, "sha256");
    g_assert_true (fd_jwt_peek (wrong, &c2, &error));
    g_assert_cmpint (c2.key, ==, 3);
    assert_jwt_refused (wrong, FD_JWT_ERROR_SIGNATURE);
  }
}

static void
test_jwt_algorithms (void)
{
  const char *claims = "{\"sub\":\"d\",\"key\":1,\"exp\":5000}";
  const char *specs[] = {
    "{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
    claims,
    "sha512", /* */
    "{\"alg\":\"hs256\"}",
    claims,
    "sha256", /* */
    "{\"typ\":\"JWT\"}",
    claims,
    "sha256", /* */
    "{\"alg\":256}",
    claims,
    "sha256", /* */
    "{\"alg\":\"none\"}",
    claims,
    "sha256", /* */
    NULL,
  };
  g_auto (GStrv) t = python_tokens (jwt_key, sizeof jwt_key, specs);
  const char *hs512 = t[0], *lower = t[1], *missing = t[2], *num = t[3], *signed_none = t[4];
  g_autofree char *none = g_strndup (signed_none, strrchr (signed_none, '.') + 1 - signed_none);

  assert_jwt_refused (hs512, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (lower, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (missing, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (num, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (signed_none, FD_JWT_ERROR_ALGORITHM);
  assert_jwt_refused (none, FD_JWT_ERROR_ALGORITHM); /* "xxx.yyy." */
  {
    FdJwtClaims c = { { 0 }, 0, 0 };
    g_autoptr (GError) error = NULL;
    g_assert_false (fd_jwt_peek (none, &c, &error));
    g_assert_error (error, FD_JWT_ERROR, FD_JWT_ERROR_ALGORITHM);
  }
}

static void
test_jwt_malformed (void)
{
  const char *hdr = "{\"alg\":\"HS256\"}";
  g_autofree char *good = fd_jwt_sign ("d", 1, 5000, jwt_key, sizeof jwt_key);
  g_autofree char *padded = g_strconcat (good, "=", NULL);
  g_autofree char *four = g_strconcat (good, ".AAAA", NULL);
  g_autofree char *two = g_strndup (good, strrchr (good, '.') - good);
  g_autofree char *space = g_strdup (good);
  g_autofree char *big = NULL;
  g_autofree char *long_sub = g_strnfill (FD_JWT_MAX_SUB_BYTES + 1, 's');
  g_autofree char *max_sub = g_strnfill (FD_JWT_MAX_SUB_BYTES, 's');
  g_autofree char *c_long = g_strdup_printf ("{\"sub\":\"%s\",\"exp\":5000}", long_sub);
  g_autofree char *c_max = g_strdup_printf ("{\"sub\":\"%s\",\"exp\":5000}", max_sub);
  struct
  {
    const char *header, *claims;
  } bad[] = {
    { hdr, "{\"sub\":\"d\"}" },                            /* no exp */
    { hdr, "{\"sub\":\"d\",\"exp\":5000.5}" },             /* exp not an integer */
    { hdr, "{\"sub\":\"d\",\"exp\":\"5000\"}" },           /* exp a string */
    { hdr, "{\"sub\":\"d\",\"key\":\"1\",\"exp\":5000}" }, /* key a string */
    { hdr, "{\"sub\":\"d\",\"key\":true,\"exp\":5000}" },
    { hdr, "{\"sub\":7,\"exp\":5000}" }, /* sub a number */
    { hdr, "{\"exp\":5000}" },           /* no sub */
    { hdr, "{\"sub\":\"\",\"exp\":5000}" },
    { hdr, c_long },
    { hdr, "[1,2]" },
    { hdr, "not json" },
    { "[\"HS256\"]", "{\"sub\":\"d\",\"exp\":5000}" },
    { "{\"alg\":\"HS256\",\"typ\":1}", "{\"sub\":\"d\",\"exp\":5000}" },
    { "{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", "{\"sub\":\"d\",\"exp\":5000}" },
  };

  g_autoptr (GPtrArray) specs = g_ptr_array_new ();
  g_auto (GStrv) tokens = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_ptr_array_add (specs, (char *)bad[i].header);
      g_ptr_array_add (specs, (char *)bad[i].claims);
      g_ptr_array_add (specs, (char *)"sha256");
    }
  /* And one at the bound, accepted. */
  g_ptr_array_add (specs, (char *)hdr);
  g_ptr_array_add (specs, c_max);
  g_ptr_array_add (specs, (char *)"sha256");
  g_ptr_array_add (specs, NULL);
  tokens = python_tokens (jwt_key, sizeof jwt_key, (const char *const *)specs->pdata);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_jwt_refused (tokens[i], FD_JWT_ERROR_MALFORMED);
  {
    FdJwtClaims c = { { 0 }, 0, 0 };
    g_autoptr (GError) error = NULL;
    g_assert_true (
        fd_jwt_verify (tokens[G_N_ELEMENTS (bad)], jwt_key, sizeof jwt_key, 1000, &c, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (c.sub, ==, max_sub);
  }

  space[10] = ' ';
  big = g_strnfill (FD_JWT_MAX_BYTES + 1, 'A');
  big[10] = '.';
  big[20] = '.';
  assert_jwt_refused (padded, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused (four, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused (two, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused (space, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused (big, FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused ("", FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused ("..", FD_JWT_ERROR_MALFORMED);
  assert_jwt_refused ("a.b.c", FD_JWT_ERROR_MALFORMED); /* "a" is no base64url length */
  g_assert_false (fd_jwt_looks_like (big));
  g_assert_false (fd_jwt_looks_like (two));
  g_assert_false (fd_jwt_looks_like ("fdt_abcdef"));
  g_assert_false (fd_jwt_looks_like (NULL));

  /* A signature of the wrong length, or with a flipped bit. */
  {
    g_autofree char *short_sig = g_strndup (good, strlen (good) - 4);
    g_autofree char *flipped = g_strdup (good);
    char *last = flipped + strlen (flipped) - 2;
    *last = *last == 'A' ? 'B' : 'A';
    assert_jwt_refused (short_sig, FD_JWT_ERROR_SIGNATURE);
    assert_jwt_refused (flipped, FD_JWT_ERROR_SIGNATURE);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/jwt/round-trip", test_jwt_round_trip);
  g_test_add_func ("/jwt/python-interop", test_jwt_python_interop);
  g_test_add_func ("/jwt/algorithms", test_jwt_algorithms);
  g_test_add_func ("/jwt/malformed", test_jwt_malformed);
  return g_test_run ();
}
