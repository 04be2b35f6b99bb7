/* fd-jwt.h — the short-lived tokens devices sign with their device key (HS256 JWT, RFC 7519),
 * as the Zerynth device clients make them: header {"alg":"HS256","typ":"JWT"}, claims
 * {"sub": <device id>, "key": <key id, an integer>, "exp": <epoch seconds>} (other claims are
 * ignored). The signing key is the device key's raw bytes (zdevice.json "prvkey" is their
 * base64).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FD_JWT_ERROR (fd_jwt_error_quark ())
GQuark fd_jwt_error_quark (void);

typedef enum
{
  FD_JWT_ERROR_MALFORMED, /* not three base64url parts, bad JSON, missing or mistyped claims */
  FD_JWT_ERROR_ALGORITHM, /* alg is not HS256 ("none" and everything else are refused) */
  FD_JWT_ERROR_SIGNATURE, /* the signature does not match the key */
  FD_JWT_ERROR_EXPIRED,   /* exp is in the past */
} FdJwtError;

#define FD_JWT_MAX_BYTES 2048
#define FD_JWT_MAX_SUB_BYTES 64

typedef struct
{
  char sub[FD_JWT_MAX_SUB_BYTES + 1];
  gint64 key; /* the "key" claim; 0 when absent (as the clients default it) */
  gint64 exp; /* epoch seconds */
} FdJwtClaims;

/* TRUE when @token looks like a compact JWS (three dot-separated base64url parts), cheaply. */
gboolean fd_jwt_looks_like (const char *token);

/* Reads the claims of @token WITHOUT checking its signature: to find which key to check it
 * with. Checks the shape, the header's alg (HS256) and the claims' types. */
gboolean fd_jwt_peek (const char *token, FdJwtClaims *claims, GError **error);

/* Checks @token's HS256 signature with @key (@key_len bytes) in constant time, then that exp
 * is later than @now_s. Fills @claims when it returns TRUE. */
gboolean fd_jwt_verify (const char *token, const guint8 *key, gsize key_len, gint64 now_s,
                        FdJwtClaims *claims, GError **error);

/* Makes a token (for the reference device client and tests). */
char *fd_jwt_sign (const char *sub, gint64 key_id, gint64 exp_s, const guint8 *key, gsize key_len);

G_END_DECLS
