/* fd-payload.c — checking and flattening a device's JSON payload in one pass, without a tree.
 *
 * The scanner is a loop over the bytes with an explicit stack of open objects and arrays (so a
 * deep payload costs no C stack), writing the compact copy as it goes: runs of bytes between
 * whitespace are copied whole, so a payload without whitespace is one memcpy(). Every buffer it
 * writes is sized from the payload length or from the header's limits and kept between scans:
 * once the scanner has seen its largest payload, a scan allocates nothing.
 *
 * Duplicate keys: the keys of the open objects are kept on a stack. An object's first
 * KEYS_LINEAR keys are compared linearly (payloads' objects are small); beyond that its keys go
 * into one hash table shared by every open object, each key remembering the depth of its
 * object. Keys are linked and unlinked in stack order, so a key being unlinked is always the
 * head of its chain. The hash is seeded per scanner, which makes it hard for a sender to aim
 * many keys at one chain; the keys of a payload are bounded by its size anyway.
 */
#include "ingest/fd-payload-private.h"

#include <string.h>

/* Not G_DEFINE_QUARK: clang-format would put spaces into the quark's name. */
GQuark
fd_payload_error_quark (void)
{
  return g_quark_from_static_string ("fd-payload-error-quark");
}

/* "No path": the member being read is not collected (inside an array, or the top value). */
#define NO_PATH G_MAXUINT32
#define KEYS_MIN_BUCKETS 64
/* Objects with up to this many keys are searched linearly for a duplicate, larger ones hashed. */
#define KEYS_LINEAR 16

typedef struct
{
  guint32 path_len;  /* the path prefix of this object's members, or NO_PATH */
  guint32 first_key; /* index of the object's first key in scanner->keys */
  gsize arena_mark;  /* scanner->arena_len when the object opened */
  gboolean is_object;
  gboolean dotted; /* members' paths are path_len bytes, a '.' and the key */
} FdFrame;

typedef struct
{
  const char *bytes; /* the key's value: in the payload, or in scanner->arena when escaped */
  guint32 len;
  guint32 hash;
  guint32 next; /* index + 1 of the next key in the chain, 0 at its end */
  guint32 depth;
  gboolean linked; /* in the hash table: its object has more than KEYS_LINEAR keys */
} FdKey;

struct _FdPayloadScanner
{
  gsize max_bytes;
  guint max_depth;

  char *compact; /* the compact copy, NUL-terminated */
  gsize compact_len;
  gsize reserved; /* compact holds reserved + 1 bytes, arena reserved bytes */
  char *arena;    /* the values of escaped keys: never longer than the payload */
  gsize arena_len;

  FdPayloadField fields[FD_PAYLOAD_MAX_FIELDS];
  guint n_fields;
  char *paths; /* FD_PAYLOAD_MAX_FIELDS paths of at most FD_PAYLOAD_MAX_PATH_BYTES, NUL-ended */
  gsize paths_len;
  char path[FD_PAYLOAD_MAX_PATH_BYTES + 1]; /* the path of the member being read */

  FdFrame *frames; /* frames_cap, grown up to max_depth as payloads nest */
  guint frames_cap;

  FdKey *keys;
  guint32 n_keys, keys_cap;
  guint32 *buckets; /* index + 1 of a chain's first key */
  guint32 n_buckets;
  guint32 seed;

  char *number; /* for numbers longer than NUMBER_STACK_BYTES */
  gsize number_cap;
};

const char *
fd_field_type_name (FdFieldType type)
{
  switch (type)
    {
    case FD_FIELD_NUMBER:
      return "number";
    case FD_FIELD_STRING:
      return "string";
    case FD_FIELD_BOOLEAN:
      return "boolean";
    case FD_FIELD_NULL:
      return "null";
    case FD_FIELD_ARRAY:
      return "array";
    case FD_FIELD_OBJECT:
      return "object";
    }
  return "unknown";
}

FdPayloadScanner *
fd_payload_scanner_new (void)
{
  FdPayloadScanner *s = g_new0 (FdPayloadScanner, 1);

  s->paths = g_malloc (FD_PAYLOAD_MAX_FIELDS * (FD_PAYLOAD_MAX_PATH_BYTES + 1));
  s->n_buckets = KEYS_MIN_BUCKETS;
  s->buckets = g_new0 (guint32, s->n_buckets);
  s->keys_cap = KEYS_MIN_BUCKETS;
  s->keys = g_new (FdKey, s->keys_cap);
  s->seed = g_random_int ();
  s->compact = g_malloc (1);
  s->compact[0] = '\0';
  fd_payload_scanner_set_limits (s, FD_PAYLOAD_DEFAULT_MAX_BYTES, FD_PAYLOAD_DEFAULT_MAX_DEPTH);
  return s;
}

void
fd_payload_scanner_free (FdPayloadScanner *s)
{
  if (s == NULL)
    return;
  g_free (s->compact);
  g_free (s->arena);
  g_free (s->paths);
  g_free (s->frames);
  g_free (s->keys);
  g_free (s->buckets);
  g_free (s->number);
  g_free (s);
}

void
fd_payload_scanner_set_limits (FdPayloadScanner *s, gsize max_bytes, guint max_depth)
{
  g_return_if_fail (s != NULL);
  g_return_if_fail (max_depth >= 1);

  s->max_bytes = max_bytes;
  s->max_depth = max_depth;
}

const char *
fd_payload_compact (FdPayloadScanner *s, gsize *len)
{
  g_return_val_if_fail (s != NULL, NULL);

  if (len != NULL)
    *len = s->compact_len;
  return s->compact;
}

guint
fd_payload_n_fields (FdPayloadScanner *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->n_fields;
}

const FdPayloadField *
fd_payload_field (FdPayloadScanner *s, guint i)
{
  g_return_val_if_fail (s != NULL, NULL);
  g_return_val_if_fail (i < s->n_fields, NULL);
  return &s->fields[i];
}

/* ---- keys ------------------------------------------------------------------------------------ */

static inline guint32
key_hash (guint32 seed, const char *bytes, gsize len)
{
  guint32 h = seed ^ (guint32)len;

  /* FNV-1a from a seeded start, and a final mix so that the low bits (the bucket) depend on
   * every byte. */
  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar)bytes[i]) * 16777619u;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  return h;
}

static inline void
keys_link (FdPayloadScanner *s, guint32 i)
{
  guint32 b = s->keys[i].hash & (s->n_buckets - 1);

  s->keys[i].next = s->buckets[b];
  s->buckets[b] = i + 1;
}

static void
keys_rehash (FdPayloadScanner *s, guint32 n_buckets)
{
  g_free (s->buckets);
  s->buckets = g_new0 (guint32, n_buckets);
  s->n_buckets = n_buckets;
  /* In index order, so that the most recent key heads each chain, as popping expects. */
  for (guint32 i = 0; i < s->n_keys; i++)
    if (s->keys[i].linked)
      keys_link (s, i);
}

/* Forgets the keys from index @first on (those of the objects that close). */
static inline void
keys_pop (FdPayloadScanner *s, guint32 first)
{
  while (s->n_keys > first)
    {
      FdKey *k = &s->keys[--s->n_keys];
      if (k->linked)
        s->buckets[k->hash & (s->n_buckets - 1)] = k->next;
    }
}

/* Adds a key to the object at @depth, whose keys start at index @first; FALSE when that object
 * already has it. */
static inline gboolean
keys_add (FdPayloadScanner *s, guint32 depth, guint32 first, const char *bytes, guint32 len)
{
  guint32 n = s->n_keys - first, hash = 0;
  FdKey *k;

  if (G_UNLIKELY (s->n_keys == s->keys_cap))
    {
      s->keys_cap *= 2;
      s->keys = g_renew (FdKey, s->keys, s->keys_cap);
    }
  if (G_LIKELY (n < KEYS_LINEAR))
    {
      for (guint32 i = first; i < s->n_keys; i++)
        if (s->keys[i].len == len && (len == 0 || s->keys[i].bytes[0] == bytes[0])
            && memcmp (s->keys[i].bytes, bytes, len) == 0)
          return FALSE;
    }
  else
    {
      if (n == KEYS_LINEAR)
        {
          /* The object has grown out of linear search: put its keys in the table. */
          for (guint32 i = first; i < s->n_keys; i++)
            {
              s->keys[i].hash = key_hash (s->seed, s->keys[i].bytes, s->keys[i].len);
              s->keys[i].linked = TRUE;
              keys_link (s, i);
            }
        }
      hash = key_hash (s->seed, bytes, len);
      for (guint32 i = s->buckets[hash & (s->n_buckets - 1)]; i != 0; i = s->keys[i - 1].next)
        {
          k = &s->keys[i - 1];
          if (k->depth != depth)
            break; /* keys of outer objects come after every key of this one */
          if (k->hash == hash && k->len == len && memcmp (k->bytes, bytes, len) == 0)
            return FALSE;
        }
    }
  k = &s->keys[s->n_keys++];
  k->bytes = bytes;
  k->len = len;
  k->hash = hash;
  k->depth = depth;
  k->linked = n >= KEYS_LINEAR;
  if (k->linked)
    {
      if (G_UNLIKELY (s->n_keys > s->n_buckets))
        keys_rehash (s, s->n_buckets * 2); /* links k too */
      else
        keys_link (s, s->n_keys - 1);
    }
  return TRUE;
}

/* ---- the scan ------------------------------------------------------------------------------ */

/* Unicode control characters (Cc: U+0000-U+001F, U+007F-U+009F) in checked UTF-8. */
static gboolean
has_control (const char *bytes, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guchar c = bytes[i];
      if (c < 0x20 || c == 0x7f || (c == 0xc2 && i + 1 < len && (guchar)bytes[i + 1] < 0xa0))
        return TRUE;
    }
  return FALSE;
}

/* The member whose path is scanner->path[0..path_len) is a leaf. */
static inline gboolean
add_field (FdPayloadScanner *s, guint32 path_len, FdFieldType type, double number, gsize offset,
           GError **error)
{
  FdPayloadField *f;

  if (G_UNLIKELY (s->n_fields == FD_PAYLOAD_MAX_FIELDS))
    return fd_payload_fail (error, FD_PAYLOAD_ERROR_TOO_LARGE, "more than %d fields at byte %zu",
                            FD_PAYLOAD_MAX_FIELDS, offset);
  f = &s->fields[s->n_fields++];
  f->path = s->paths + s->paths_len;
  f->path_len = path_len;
  f->type = type;
  f->number = number;
  f->value_offset = offset;
  memcpy (s->paths + s->paths_len, s->path, path_len);
  s->paths[s->paths_len + path_len] = '\0';
  s->paths_len += path_len + 1;
  return TRUE;
}

/* One more level of nesting than the frames hold, within max_depth. */
static void
frames_grow (FdPayloadScanner *s)
{
  s->frames_cap = MIN (MAX (s->frames_cap * 2, 16), s->max_depth);
  s->frames = g_renew (FdFrame, s->frames, s->frames_cap);
}

/* Room for a payload of @len bytes: the compact copy and the escaped keys. */
static void
reserve (FdPayloadScanner *s, gsize len)
{
  if (len <= s->reserved && s->arena != NULL)
    return;
  g_free (s->compact);
  g_free (s->arena);
  s->compact = g_malloc (len + 1);
  s->arena = g_malloc (MAX (len, 1));
  s->reserved = len;
}

static const char *
kind_name (guchar c)
{
  switch (c)
    {
    case '[':
      return "an array";
    case '"':
      return "a string";
    case 't':
    case 'f':
      return "a boolean";
    case 'n':
      return "null";
    default:
      return "a number";
    }
}

/* Appends the bytes since @run to the compact copy and skips the whitespace at @p. */
#define SKIP_WS()                                                                                  \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (p < end && fd_payload_ws[*p])                                                              \
      {                                                                                            \
        memcpy (o, run, p - run);                                                                  \
        o += p - run;                                                                              \
        do                                                                                         \
          p++;                                                                                     \
        while (p < end && fd_payload_ws[*p]);                                                      \
        run = p;                                                                                   \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

#define OFFSET(ptr) ((gsize)((ptr)-start))

static gboolean
scan (FdPayloadScanner *s, const guchar *start, const guchar *end, GError **error)
{
  const guchar *p = start, *run, *q, *open;
  char *o = s->compact;
  guint32 depth = 0;
  guint32 member = NO_PATH; /* the path length of the value about to be read, if collected */
  guchar top;
  FdFrame *f = NULL;
  gboolean flag;
  FdPayloadNumber num;
  double number;

  while (p < end && fd_payload_ws[*p])
    p++;
  if (p == end)
    return fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX, "the payload is empty");
  top = *p;
  run = p;

value:
  if (G_UNLIKELY (p == end))
    return fd_payload_fail_unexpected (error, start, p, end, "a value");
  switch (*p)
    {
    case '{':
    case '[':
      if (G_UNLIKELY (depth == s->max_depth))
        return fd_payload_fail (error, FD_PAYLOAD_ERROR_TOO_DEEP,
                                "nested deeper than %u level%s at byte %zu", s->max_depth,
                                s->max_depth == 1 ? "" : "s", OFFSET (p));
      if (G_UNLIKELY (depth == s->frames_cap))
        frames_grow (s);
      open = p++;
      f = &s->frames[depth++];
      f->is_object = *open == '{';
      f->first_key = s->n_keys;
      f->arena_mark = s->arena_len;
      SKIP_WS ();
      if (!f->is_object)
        {
          /* An array is a leaf: checked, but its members are not collected. */
          if (member != NO_PATH && !add_field (s, member, FD_FIELD_ARRAY, 0, OFFSET (open), error))
            return FALSE;
          f->path_len = NO_PATH;
          if (p < end && *p == ']')
            {
              depth--;
              p++;
              goto after_value;
            }
          member = NO_PATH;
          goto value;
        }
      if (p < end && *p == '}')
        {
          depth--;
          p++;
          if (member != NO_PATH && !add_field (s, member, FD_FIELD_OBJECT, 0, OFFSET (open), error))
            return FALSE;
          goto after_value;
        }
      /* The top object's members are collected, and those of a collected member's object. */
      f->dotted = depth > 1;
      f->path_len = depth == 1 ? 0 : member;
      goto key;

    case '"':
      q = fd_payload_string_end (start, p + 1, end, &flag, error);
      if (q == NULL)
        return FALSE;
      if (member != NO_PATH && !add_field (s, member, FD_FIELD_STRING, 0, OFFSET (p), error))
        return FALSE;
      p = q + 1;
      goto after_value;

    case 't':
      if (end - p < 4 || memcmp (p, "true", 4) != 0)
        goto not_a_word;
      if (member != NO_PATH && !add_field (s, member, FD_FIELD_BOOLEAN, 1, OFFSET (p), error))
        return FALSE;
      p += 4;
      goto after_value;

    case 'f':
      if (end - p < 5 || memcmp (p, "false", 5) != 0)
        goto not_a_word;
      if (member != NO_PATH && !add_field (s, member, FD_FIELD_BOOLEAN, 0, OFFSET (p), error))
        return FALSE;
      p += 5;
      goto after_value;

    case 'n':
      if (end - p < 4 || memcmp (p, "null", 4) != 0)
        goto not_a_word;
      if (member != NO_PATH && !add_field (s, member, FD_FIELD_NULL, 0, OFFSET (p), error))
        return FALSE;
      p += 4;
      goto after_value;

    case '-':
    case '0' ... '9':
      /* Numbers inside arrays are converted too: one out of range is refused wherever it is. */
      q = fd_payload_number_end (start, p, end, &num, error);
      if (q == NULL)
        return FALSE;
      if (G_UNLIKELY (!fd_payload_number_value (p, q, &num, &s->number, &s->number_cap, &number)))
        return fd_payload_fail (error, FD_PAYLOAD_ERROR_NUMBER,
                                "the number at byte %zu does not fit a double", OFFSET (p));
      if (member != NO_PATH && !add_field (s, member, FD_FIELD_NUMBER, number, OFFSET (p), error))
        return FALSE;
      p = q;
      goto after_value;

    default:
      return fd_payload_fail_unexpected (error, start, p, end, "a value");
    }

not_a_word:
  return fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                          "a word that is not true, false or null at byte %zu", OFFSET (p));

after_value:
  SKIP_WS ();
  if (depth == 0)
    goto done;
  f = &s->frames[depth - 1];
  if (G_LIKELY (p < end && *p == ','))
    {
      p++;
      SKIP_WS ();
      if (f->is_object)
        goto key;
      goto value;
    }
  if (p < end && *p == (f->is_object ? '}' : ']'))
    {
      if (f->is_object)
        {
          keys_pop (s, f->first_key);
          s->arena_len = f->arena_mark;
        }
      depth--;
      p++;
      goto after_value;
    }
  return fd_payload_fail_unexpected (error, start, p, end,
                                     f->is_object ? "',' or '}'" : "',' or ']'");

key:
  if (G_UNLIKELY (p == end || *p != '"'))
    return fd_payload_fail_unexpected (error, start, p, end, "a key");
  {
    const char *bytes = (const char *)p + 1;
    guint32 len;

    q = fd_payload_string_end (start, p + 1, end, &flag, error);
    if (q == NULL)
      return FALSE;
    len = q - (p + 1);
    if (G_UNLIKELY (flag))
      {
        /* The escaped keys of the open objects never add up to more than the payload. */
        bytes = s->arena + s->arena_len;
        len = fd_payload_string_decode (p + 1, q, s->arena + s->arena_len);
        s->arena_len += len;
      }
    if (G_UNLIKELY (!keys_add (s, depth, f->first_key, bytes, len)))
      {
        char shown[FD_PAYLOAD_DESCRIBE_SIZE];
        fd_payload_describe (p + 1, q, shown);
        return fd_payload_fail (error, FD_PAYLOAD_ERROR_DUPLICATE,
                                "the key \"%s\" appears twice at byte %zu", shown, OFFSET (p));
      }
    member = NO_PATH;
    if (f->path_len != NO_PATH)
      {
        guint32 prefix = f->path_len + (f->dotted ? 1 : 0);
        if (G_UNLIKELY (prefix + len > FD_PAYLOAD_MAX_PATH_BYTES))
          return fd_payload_fail (error, FD_PAYLOAD_ERROR_TOO_LARGE,
                                  "a field path longer than %d bytes at byte %zu",
                                  FD_PAYLOAD_MAX_PATH_BYTES, OFFSET (p));
        if (G_UNLIKELY (has_control (bytes, len)))
          return fd_payload_fail (error, FD_PAYLOAD_ERROR_SYNTAX,
                                  "a key with a control character at byte %zu", OFFSET (p));
        if (f->dotted)
          s->path[f->path_len] = '.';
        memcpy (s->path + prefix, bytes, len);
        member = prefix + len;
      }
    p = q + 1;
    SKIP_WS ();
    if (G_UNLIKELY (p == end || *p != ':'))
      return fd_payload_fail_unexpected (error, start, p, end, "':'");
    p++;
    SKIP_WS ();
    goto value;
  }

done:
  if (G_UNLIKELY (p != end))
    return fd_payload_fail_unexpected (
        error, start, p, end, top == '{' ? "nothing after the object" : "nothing after the value");
  memcpy (o, run, p - run);
  o += p - run;
  *o = '\0';
  if (top != '{')
    return fd_payload_fail (error, FD_PAYLOAD_ERROR_NOT_OBJECT, "the payload is %s, not an object",
                            kind_name (top));
  s->compact_len = o - s->compact;
  return TRUE;
}

gboolean
fd_payload_scan (FdPayloadScanner *s, const char *text, gsize len, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL)
    text = "";
  s->n_fields = 0;
  s->paths_len = 0;
  s->compact_len = 0;
  s->compact[0] = '\0';
  s->arena_len = 0;
  keys_pop (s, 0);
  if (len > s->max_bytes)
    return fd_payload_fail (error, FD_PAYLOAD_ERROR_TOO_LARGE,
                            "the payload is %zu bytes, over the limit of %zu", len, s->max_bytes);
  reserve (s, len);
  if (!scan (s, (const guchar *)text, (const guchar *)text + len, error))
    {
      s->n_fields = 0;
      s->compact_len = 0;
      s->compact[0] = '\0';
      return FALSE;
    }
  return TRUE;
}
