/* fd-jwt.c — HS256 device tokens: strict compact-JWS parsing, constant-time HMAC check.
 *
 * Only what the device clients send is accepted: three base64url parts without padding, a
 * header whose alg is exactly "HS256", claims with a string sub, an integer key and an integer
 * exp. Everything is bounded by FD_JWT_MAX_BYTES before anything is decoded. */
#include "fd-jwt.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "fd-util.h"

G_DEFINE_QUARK (fd - jwt - error - quark, fd_jwt_error)

#define HS256_LEN 32
/* base64url of {"alg":"HS256","typ":"JWT"}, the header PyJWT (and so the Zerynth clients) send */
#define FD_JWT_HEADER_B64 "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

typedef struct
{
  const char *part[3];
  gsize len[3];
} JwtParts;

static int
b64url_value (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

/* Decodes unpadded base64url; NULL for any other character, an impossible length, or unused
 * low bits that are not zero (so that each value has one encoding only). */
static guint8 *
b64url_decode (const char *s, gsize len, gsize *out_len)
{
  guint8 *out;
  guint32 acc = 0;
  guint bits = 0;
  gsize n = 0;

  if (len % 4 == 1)
    return NULL;
  out = g_malloc (len * 3 / 4 + 1);
  for (gsize i = 0; i < len; i++)
    {
      int v = b64url_value (s[i]);
      if (v < 0)
        {
          g_free (out);
          return NULL;
        }
      acc = (acc << 6) | (guint32)v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (guint8)(acc >> bits);
          acc &= (1u << bits) - 1;
        }
    }
  if (acc != 0)
    {
      g_free (out);
      return NULL;
    }
  *out_len = n;
  return out;
}

static char *
b64url_encode (const guint8 *data, gsize len)
{
  char *s = g_base64_encode (data, len);
  char *w = s;

  for (const char *r = s; *r != '\0'; r++)
    {
      if (*r == '=')
        break;
      *w++ = *r == '+' ? '-' : *r == '/' ? '_' : *r;
    }
  *w = '\0';
  return s;
}

static gboolean
malformed (GError **error, const char *message)
{
  g_set_error_literal (error, FD_JWT_ERROR, FD_JWT_ERROR_MALFORMED, message);
  return FALSE;
}

/* Splits @token into its three parts; the signature part may be empty (alg "none" tokens are
 * refused by their header, with the error that says so). */
static gboolean
jwt_split (const char *token, JwtParts *parts, GError **error)
{
  gsize len, start = 0;
  guint n = 0;

  if (token == NULL)
    return malformed (error, "no token");
  len = strnlen (token, FD_JWT_MAX_BYTES + 1);
  if (len > FD_JWT_MAX_BYTES)
    return malformed (error, "the token is longer than " G_STRINGIFY (FD_JWT_MAX_BYTES) " bytes");

  for (gsize i = 0; i <= len; i++)
    {
      if (i < len && token[i] != '.')
        {
          if (b64url_value (token[i]) < 0)
            return malformed (error, "the token holds characters outside base64url");
          continue;
        }
      if (n == 3)
        return malformed (error, "the token has more than three parts");
      parts->part[n] = token + start;
      parts->len[n] = i - start;
      n++;
      start = i + 1;
    }
  if (n != 3)
    return malformed (error, "the token is not three dot-separated parts");
  if (parts->len[0] == 0 || parts->len[1] == 0)
    return malformed (error, "the token's header or claims part is empty");
  return TRUE;
}

gboolean
fd_jwt_looks_like (const char *token)
{
  JwtParts parts;
  return jwt_split (token, &parts, NULL);
}

static JsonObject *
decode_object (const char *part, gsize len, const char *what, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autofree guint8 *json = NULL;
  gsize json_len = 0;
  JsonNode *root;

  json = b64url_decode (part, len, &json_len);
  if (json == NULL)
    {
      g_set_error (error, FD_JWT_ERROR, FD_JWT_ERROR_MALFORMED,
                   "the token's %s is not valid base64url", what);
      return NULL;
    }
  if (json_len == 0 || !g_utf8_validate ((const char *)json, (gssize)json_len, NULL)
      || memchr (json, '\0', json_len) != NULL)
    {
      g_set_error (error, FD_JWT_ERROR, FD_JWT_ERROR_MALFORMED, "the token's %s is not text", what);
      return NULL;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *)json, (gssize)json_len, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FD_JWT_ERROR, FD_JWT_ERROR_MALFORMED,
                   "the token's %s is not a JSON object", what);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

/* Reads an integer member; TRUE with *@value = @fallback when it is absent and @optional. */
static gboolean
get_integer (JsonObject *obj, const char *name, gboolean optional, gint64 fallback, gint64 *value)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    {
      *value = fallback;
      return optional;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

static const char *
get_string (JsonObject *obj, const char *name, gboolean *present)
{
  JsonNode *node = json_object_get_member (obj, name);

  *present = node != NULL;
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
jwt_read (const JwtParts *parts, FdJwtClaims *claims, GError **error)
{
  g_autoptr (JsonObject) header = NULL;
  g_autoptr (JsonObject) body = NULL;
  const char *alg, *sub;
  gboolean present;
  gsize sub_len;

  header = decode_object (parts->part[0], parts->len[0], "header", error);
  if (header == NULL)
    return FALSE;
  alg = get_string (header, "alg", &present);
  if (alg == NULL || strcmp (alg, "HS256") != 0)
    {
      g_set_error_literal (error, FD_JWT_ERROR, FD_JWT_ERROR_ALGORITHM,
                           !present ? "the token's header names no alg; only HS256 is accepted"
                                    : "the token's alg is not HS256, the only one accepted");
      return FALSE;
    }
  if (get_string (header, "typ", &present) == NULL && present)
    return malformed (error, "the token's typ is not a string");
  /* RFC 7515 4.1.11: extensions marked critical must be understood; none are. */
  if (json_object_has_member (header, "crit"))
    return malformed (error, "the token's header lists critical extensions; none are supported");

  body = decode_object (parts->part[1], parts->len[1], "claims", error);
  if (body == NULL)
    return FALSE;
  sub = get_string (body, "sub", &present);
  sub_len = sub != NULL ? strlen (sub) : 0;
  if (sub_len == 0 || sub_len > FD_JWT_MAX_SUB_BYTES)
    return malformed (error, "the token's sub must be a device id of 1 to " G_STRINGIFY (
                                 FD_JWT_MAX_SUB_BYTES) " bytes");
  memset (claims, 0, sizeof *claims);
  memcpy (claims->sub, sub, sub_len);
  if (!get_integer (body, "key", TRUE, 0, &claims->key))
    return malformed (error, "the token's key claim is not an integer");
  if (!get_integer (body, "exp", FALSE, 0, &claims->exp))
    return malformed (error, "the token's exp claim is missing or not an integer");
  return TRUE;
}

gboolean
fd_jwt_peek (const char *token, FdJwtClaims *claims, GError **error)
{
  JwtParts parts;
  FdJwtClaims local;

  g_return_val_if_fail (claims != NULL, FALSE);

  if (!jwt_split (token, &parts, error) || !jwt_read (&parts, &local, error))
    return FALSE;
  *claims = local;
  return TRUE;
}

static gboolean
hs256 (const guint8 *key, gsize key_len, const char *data, gsize len, guint8 out[HS256_LEN])
{
  return gnutls_hmac_fast (GNUTLS_MAC_SHA256, key, key_len, data, len, out) == 0;
}

gboolean
fd_jwt_verify (const char *token, const guint8 *key, gsize key_len, gint64 now_s,
               FdJwtClaims *claims, GError **error)
{
  JwtParts parts;
  FdJwtClaims local;
  g_autofree guint8 *sig = NULL;
  gsize sig_len = 0;
  guint8 mac[HS256_LEN];
  guint8 diff = 0;

  if (!jwt_split (token, &parts, error) || !jwt_read (&parts, &local, error))
    return FALSE;

  sig = b64url_decode (parts.part[2], parts.len[2], &sig_len);
  if (key == NULL || key_len == 0 || sig == NULL || sig_len != HS256_LEN
      || !hs256 (key, key_len, parts.part[0], parts.len[0] + 1 + parts.len[1], mac))
    {
      g_set_error_literal (error, FD_JWT_ERROR, FD_JWT_ERROR_SIGNATURE,
                           "the token's signature does not match the device key");
      return FALSE;
    }
  for (gsize i = 0; i < HS256_LEN; i++)
    diff |= mac[i] ^ sig[i];
  explicit_bzero (mac, sizeof mac);
  if (diff != 0)
    {
      g_set_error_literal (error, FD_JWT_ERROR, FD_JWT_ERROR_SIGNATURE,
                           "the token's signature does not match the device key");
      return FALSE;
    }

  if (local.exp <= now_s)
    {
      /* exp may be any integer (say a very negative one): clamp before turning it into ms. */
      g_autofree char *when
          = fd_time_format_ms (CLAMP (local.exp, 0, G_MAXINT64 / 1000 - 1) * 1000);
      g_set_error (error, FD_JWT_ERROR, FD_JWT_ERROR_EXPIRED, "the token expired at %s", when);
      return FALSE;
    }
  if (claims != NULL)
    *claims = local;
  return TRUE;
}

static void
append_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *)s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char)*p);
    }
  g_string_append_c (out, '"');
}

char *
fd_jwt_sign (const char *sub, gint64 key_id, gint64 exp_s, const guint8 *key, gsize key_len)
{
  g_autoptr (GString) claims = g_string_new ("{\"sub\":");
  g_autofree char *claims_b64 = NULL;
  g_autofree char *sig_b64 = NULL;
  GString *token;
  guint8 mac[HS256_LEN];

  g_return_val_if_fail (sub != NULL && *sub != '\0' && strlen (sub) <= FD_JWT_MAX_SUB_BYTES, NULL);
  g_return_val_if_fail (g_utf8_validate (sub, -1, NULL), NULL);
  g_return_val_if_fail (key != NULL && key_len > 0, NULL);

  append_json_string (claims, sub);
  g_string_append_printf (claims, ",\"key\":%" G_GINT64_FORMAT ",\"exp\":%" G_GINT64_FORMAT "}",
                          key_id, exp_s);
  claims_b64 = b64url_encode ((const guint8 *)claims->str, claims->len);

  token = g_string_new (FD_JWT_HEADER_B64 ".");
  g_string_append (token, claims_b64);
  if (!hs256 (key, key_len, token->str, token->len, mac))
    {
      g_string_free (token, TRUE);
      return NULL;
    }
  sig_b64 = b64url_encode (mac, sizeof mac);
  explicit_bzero (mac, sizeof mac);
  g_string_append_c (token, '.');
  g_string_append (token, sig_b64);
  return g_string_free (token, FALSE);
}
