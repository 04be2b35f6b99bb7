/* test-firmware-receive.c — the upload reader on plain memory: a multipart body fed in pieces
 * of every size (a delimiter split anywhere, file bytes that look like the start of one) gives
 * the same file, hash and fields; malformed forms and oversized files are refused and leave no
 * file; and signing keys sign what verifies, with the key file 0600. */
#include "ota/fd-firmware.h"
#include "ota/fd-signing.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define BOUNDARY "----XyZ42"

static char *data_dir;

static GBytes *
file_bytes (gsize size)
{
  GByteArray *a = g_byte_array_sized_new ((guint)size);
  /* Pieces of the delimiter, a CRLF, dashes: what the reader must take as data. */
  static const char bait[] = "\r\n--"
                             "----XyZ4"
                             "\r\n-"
                             "\r\n------XyZ"
                             "--\r\n";

  for (gsize i = 0; i < size; i++)
    {
      guint8 c = (guint8)((i * 131 + 7) % 251);
      if (i % 97 < sizeof bait - 1)
        c = (guint8)bait[i % 97];
      g_byte_array_append (a, &c, 1);
    }
  return g_byte_array_free_to_bytes (a);
}

static GBytes *
form (GBytes *file, gboolean with_file, gboolean closed)
{
  GString *s = g_string_new ("preamble to ignore\r\n--" BOUNDARY "\r\n"
                             "Content-Disposition: form-data; name=\"version\"\r\n\r\n"
                             "1.2.3\r\n--" BOUNDARY "\r\n"
                             "Content-Disposition: form-data; name=\"target\"\r\n\r\n"
                             "\r\n--" BOUNDARY "\r\n");
  gsize len;
  const char *data = g_bytes_get_data (file, &len);

  if (with_file)
    {
      g_string_append (s, "Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
                          "Content-Type: application/octet-stream\r\n\r\n");
      g_string_append_len (s, data, (gssize)len);
      g_string_append (s, "\r\n--" BOUNDARY);
    }
  else
    g_string_append (
        s, "Content-Disposition: form-data; name=\"description\"\r\n\r\nx\r\n--" BOUNDARY);
  if (closed)
    g_string_append (s, "--\r\nepilogue");
  else
    g_string_append (s, "\r\n");
  return g_string_free_to_bytes (s);
}

static FdFirmware *
firmware (gsize max)
{
  return fd_firmware_new (NULL, data_dir, max);
}

static void
feed (FdFirmwareReceiver *r, GBytes *body, gsize piece)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);

  for (gsize at = 0; at < len; at += piece)
    fd_firmware_receiver_feed (r, data + at, MIN (piece, len - at));
}

static char *
dir_listing (void)
{
  g_autofree char *dir = g_build_filename (data_dir, "firmware", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GString *out = g_string_new (NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    if (!g_str_equal (name, "keys"))
      g_string_append_printf (out, "%s ", name);
  return g_string_free (out, FALSE);
}

static void
test_pieces (void)
{
  g_autoptr (GBytes) file = file_bytes (20000);
  g_autoptr (GBytes) body = form (file, TRUE, TRUE);
  g_autofree char *want = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, file);
  const gsize pieces[] = { 1, 2, 3, 5, 13, 64, 1000, 4096, 1 << 20 };
  FdFirmware *fw = firmware (0);

  for (guint i = 0; i < G_N_ELEMENTS (pieces); i++)
    {
      g_autoptr (GError) error = NULL;
      FdFirmwareReceiver *r = fd_firmware_receiver_new (fw, BOUNDARY, &error);
      g_autofree char *path = NULL, *stored = NULL;
      gsize stored_len = 0;

      g_assert_no_error (error);
      feed (r, body, pieces[i]);
      g_assert_true (fd_firmware_receiver_end (r, &error));
      g_assert_no_error (error);
      g_assert_cmpint (fd_firmware_receiver_get_size (r), ==, (gint64)g_bytes_get_size (file));
      g_assert_cmpstr (fd_firmware_receiver_get_sha256 (r), ==, want);
      g_assert_cmpstr (fd_firmware_receiver_get_field (r, "version"), ==, "1.2.3");
      g_assert_cmpstr (fd_firmware_receiver_get_field (r, "target"), ==, "");
      g_assert_true (fd_firmware_receiver_commit (r, want, &error));
      path = fd_firmware_path (fw, fd_firmware_receiver_get_id (r));
      g_assert_true (g_file_get_contents (path, &stored, &stored_len, NULL));
      g_assert_cmpmem (stored, stored_len, g_bytes_get_data (file, NULL), g_bytes_get_size (file));
      g_unlink (path);
      fd_firmware_receiver_free (r);
    }
  fd_firmware_free (fw);
}

static void
assert_refused (FdFirmware *fw, const char *boundary, GBytes *body, int code)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *listing = NULL;
  FdFirmwareReceiver *r = fd_firmware_receiver_new (fw, boundary, &error);

  g_assert_no_error (error);
  feed (r, body, 7);
  g_assert_false (fd_firmware_receiver_end (r, &error));
  g_assert_error (error, FD_FIRMWARE_ERROR, code);
  fd_firmware_receiver_free (r);
  listing = dir_listing ();
  g_assert_cmpstr (listing, ==, "");
}

static void
test_refusals (void)
{
  g_autoptr (GBytes) file = file_bytes (5000);
  g_autoptr (GBytes) unclosed = form (file, TRUE, FALSE);
  g_autoptr (GBytes) no_file = form (file, FALSE, TRUE);
  g_autoptr (GBytes) whole = form (file, TRUE, TRUE);
  static const char nameless_text[]
      = "--" BOUNDARY "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" BOUNDARY "--\r\n";
  g_autoptr (GBytes) nameless = g_bytes_new_static (nameless_text, strlen (nameless_text));
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);
  FdFirmware *small = firmware (4999), *fw = firmware (0);

  assert_refused (fw, BOUNDARY, unclosed, FD_FIRMWARE_ERROR_FORM);
  assert_refused (fw, BOUNDARY, no_file, FD_FIRMWARE_ERROR_EMPTY);
  assert_refused (fw, BOUNDARY, nameless, FD_FIRMWARE_ERROR_FORM);
  assert_refused (fw, NULL, empty, FD_FIRMWARE_ERROR_EMPTY);
  assert_refused (small, BOUNDARY, whole, FD_FIRMWARE_ERROR_TOO_LARGE);
  assert_refused (small, NULL, file, FD_FIRMWARE_ERROR_TOO_LARGE);
  /* A wrong sha256 at commit: refused, and the file removed. */
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *listing = NULL;
    FdFirmwareReceiver *r = fd_firmware_receiver_new (fw, NULL, &error);
    feed (r, file, 100);
    g_assert_true (fd_firmware_receiver_end (r, &error));
    g_assert_false (fd_firmware_receiver_commit (r, "00", &error));
    g_assert_error (error, FD_FIRMWARE_ERROR, FD_FIRMWARE_ERROR_SHA256);
    fd_firmware_receiver_free (r);
    listing = dir_listing ();
    g_assert_cmpstr (listing, ==, "");
  }
  fd_firmware_free (small);
  fd_firmware_free (fw);
}

static void
test_signing (void)
{
  const char *algorithms[] = { FD_SIGNING_ECDSA_P256, FD_SIGNING_ED25519 };
  const char manifest[] = "{\"firmware_id\":\"fw-x\"}";

  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    {
      g_autofree char *path = g_build_filename (data_dir, "key.pem", NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *pub = fd_signing_generate (algorithms[i], path, &error);
      g_autofree char *sig = NULL;
      struct stat st;

      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (pub, "-----BEGIN PUBLIC KEY-----"));
      g_assert_cmpint (stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      sig = fd_signing_sign (path, algorithms[i], manifest, strlen (manifest), &error);
      g_assert_no_error (error);
      g_assert_true (
          fd_signing_verify (pub, algorithms[i], manifest, strlen (manifest), sig, &error));
      g_assert_false (fd_signing_verify (pub, algorithms[i], "{}", 2, sig, NULL));
      g_unlink (path);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  data_dir = g_dir_make_tmp ("fd-test-firmware-receive-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/firmware-receive/pieces", test_pieces);
  g_test_add_func ("/firmware-receive/refusals", test_refusals);
  g_test_add_func ("/firmware-receive/signing", test_signing);
  status = g_test_run ();
  {
    g_autofree char *keys = g_build_filename (data_dir, "firmware", "keys", NULL);
    g_autofree char *fwdir = g_build_filename (data_dir, "firmware", NULL);
    g_rmdir (keys);
    g_rmdir (fwdir);
    g_rmdir (data_dir);
  }
  g_free (data_dir);
  return status;
}
