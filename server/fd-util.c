/* fd-util.c — identifiers, secrets and times. */
#include "fd-util.h"

#include <errno.h>
#include <glib-object.h>
#include <string.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

static const char base32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void
fd_random_bytes (guint8 *buf, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buf + done, len - done, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom failed: %s", g_strerror (errno));
        }
      done += (gsize)n;
    }
}

static char *
random_base32 (const char *prefix, guint n_chars)
{
  g_autofree guint8 *raw = g_malloc (n_chars);
  GString *out = g_string_sized_new (strlen (prefix) + n_chars + 1);

  fd_random_bytes (raw, n_chars);
  g_string_append (out, prefix);
  for (guint i = 0; i < n_chars; i++)
    g_string_append_c (out, base32_alphabet[raw[i] & 31]);
  return g_string_free (out, FALSE);
}

char *
fd_id_new (const char *prefix)
{
  g_autofree char *head = g_strconcat (prefix, "-", NULL);
  return random_base32 (head, 20);
}

gboolean
fd_id_is_valid (const char *id, const char *prefix)
{
  gsize plen = strlen (prefix);

  if (id == NULL || strlen (id) != plen + 1 + 20)
    return FALSE;
  if (strncmp (id, prefix, plen) != 0 || id[plen] != '-')
    return FALSE;
  for (const char *p = id + plen + 1; *p; p++)
    if (strchr (base32_alphabet, *p) == NULL)
      return FALSE;
  return TRUE;
}

char *
fd_token_new_secret (void)
{
  return random_base32 ("fdt_", 52);
}

char *
fd_token_hash (const char *secret)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, secret, -1);
}

gboolean
fd_secret_equal (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < la && i < lb; i++)
    diff |= (guint8)(a[i] ^ b[i]);
  return diff == 0;
}

typedef struct
{
  gsize len;
  guint8 data[];
} Secret;

static void
secret_free (gpointer data)
{
  Secret *secret = data;

  explicit_bzero (secret->data, secret->len);
  g_free (secret);
}

GBytes *
fd_secret_bytes_new (gconstpointer data, gsize len)
{
  Secret *secret = g_malloc (sizeof (Secret) + len);

  secret->len = len;
  memcpy (secret->data, data, len);
  return g_bytes_new_with_free_func (secret->data, len, secret_free, secret);
}

gint64
fd_now_ms (void)
{
  return g_get_real_time () / 1000;
}

char *
fd_time_format_ms (gint64 ms)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);
  g_autofree char *base = NULL;

  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int)(ms % 1000));
}

void
fd_main_context_iterate_for (GMainContext *context, guint max_wait_ms)
{
  GSource *tick = g_timeout_source_new (max_wait_ms);

  g_source_set_dummy_callback (tick);
  g_source_attach (tick, context);
  g_main_context_iteration (context, TRUE);
  g_source_destroy (tick);
  g_source_unref (tick);
}

void
fd_json_append_string (GString *out, const char *s, gsize n, gboolean escape_del)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar)s[i];
      switch (c)
        {
        case '"':
          g_string_append (out, "\\\"");
          break;
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        case '\r':
          g_string_append (out, "\\r");
          break;
        case '\t':
          g_string_append (out, "\\t");
          break;
        default:
          if (c < 0x20 || (escape_del && c == 0x7f))
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char)c);
        }
    }
  g_string_append_c (out, '"');
}

void
fd_json_member_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

void
fd_json_member_time (JsonBuilder *b, const char *member, gint64 ms)
{
  g_autofree char *text = ms > 0 ? fd_time_format_ms (ms) : NULL;

  fd_json_member_string (b, member, text);
}

void
fd_json_member_raw (JsonBuilder *b, const char *member, const char *json)
{
  JsonNode *node = json != NULL ? json_from_string (json, NULL) : NULL;

  json_builder_set_member_name (b, member);
  if (node != NULL)
    json_builder_add_value (b, node);
  else
    json_builder_add_null_value (b);
}

gboolean
fd_write_all (int fd, const void *data, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = write (fd, (const guint8 *)data + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      done += (gsize)n;
    }
  return TRUE;
}

void
fd_fsync_dir_of (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
}
