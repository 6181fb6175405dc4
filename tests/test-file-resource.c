/* test-file-resource.c: BraidFileResource on a temporary directory, with
 * the fake request and through a site on the string transport. */
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include <braid-fakes.h>

typedef struct
{
  char *dir;
  char *outside;
  BraidResource *root;
} Files;

static void
write_file (const char *dir, const char *name, const char *content, gssize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, content, len, NULL));
}

static void
files_init (Files *f)
{
  g_autofree char *sub = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *link = NULL;
  g_autofree char *inner_link = NULL;
  g_autofree char *secret = NULL;

  f->dir = g_dir_make_tmp ("braid-files-XXXXXX", NULL);
  f->outside = g_dir_make_tmp ("braid-outside-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  write_file (f->dir, "index.html", "<p>home</p>", -1);
  write_file (f->dir, "ten.txt", "abcdefghij", -1);
  write_file (f->dir, "style.css", "p {}", -1);
  sub = g_build_filename (f->dir, "sub", NULL);
  empty = g_build_filename (f->dir, "empty", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  write_file (sub, "index.html", "<p>sub</p>", -1);
  write_file (f->outside, "secret.txt", "secret", -1);
  secret = g_build_filename (f->outside, "secret.txt", NULL);
  link = g_build_filename (f->dir, "escape.txt", NULL);
  g_assert_cmpint (symlink (secret, link), ==, 0);
  inner_link = g_build_filename (f->dir, "alias.txt", NULL);
  g_assert_cmpint (symlink ("ten.txt", inner_link), ==, 0);
  f->root = braid_file_resource_new (f->dir);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
files_clear (Files *f)
{
  g_clear_object (&f->root);
  remove_tree (f->dir);
  remove_tree (f->outside);
  g_free (f->dir);
  g_free (f->outside);
}

/* Walks the tree and renders, as a site does. */
static BraidFakeRequest *
fetch (Files *f, const char *method, const char *uri, const char *header, const char *value)
{
  BraidFakeRequest *request = braid_fake_request_new (method, uri);
  g_autoptr (BraidResource) found = NULL;

  if (header != NULL)
    braid_request_add_request_header (BRAID_REQUEST (request), header, value);
  found = braid_resource_get_child_for_request (f->root, BRAID_REQUEST (request));
  braid_fake_request_render (request, found);
  return request;
}

static char *
body_of (BraidFakeRequest *request)
{
  g_autoptr (GBytes) body = braid_fake_request_get_written (request);

  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

#define CODE(r) braid_request_get_response_code (BRAID_REQUEST (r))
#define HEADER(r, name) braid_request_get_response_header (BRAID_REQUEST (r), name)

static void
test_serves_files_with_validators (void)
{
  Files f;
  g_autoptr (BraidFakeRequest) r = NULL;
  g_autofree char *body = NULL;

  files_init (&f);
  r = fetch (&f, "GET", "/ten.txt", NULL, NULL);
  body = body_of (r);
  g_assert_cmpuint (CODE (r), ==, 200);
  g_assert_cmpstr (body, ==, "abcdefghij");
  g_assert_cmpstr (HEADER (r, "Content-Type"), ==, "text/plain; charset=utf-8");
  g_assert_nonnull (HEADER (r, "Last-Modified"));
  g_assert_true (g_str_has_prefix (HEADER (r, "ETag"), "\""));
  g_assert_cmpstr (HEADER (r, "Accept-Ranges"), ==, "bytes");
  g_assert_true (braid_request_is_finished (BRAID_REQUEST (r)));

  {
    g_autoptr (BraidFakeRequest) same = fetch (&f, "GET", "/ten.txt", "If-None-Match", HEADER (r, "ETag"));
    g_autoptr (BraidFakeRequest) since = fetch (&f, "GET", "/ten.txt", "If-Modified-Since",
                                                HEADER (r, "Last-Modified"));
    g_autoptr (BraidFakeRequest) older = fetch (&f, "GET", "/ten.txt", "If-Modified-Since",
                                                "Sun, 06 Nov 1994 08:49:37 GMT");
    g_autoptr (BraidFakeRequest) other = fetch (&f, "GET", "/ten.txt", "If-None-Match", "\"x\", W/\"y\"");
    g_autoptr (BraidFakeRequest) css = fetch (&f, "GET", "/style.css", NULL, NULL);

    g_assert_cmpuint (CODE (same), ==, 304);
    g_assert_cmpuint (braid_fake_request_get_write_count (same), ==, 0);
    g_assert_cmpuint (CODE (since), ==, 304);
    g_assert_cmpuint (CODE (older), ==, 200);
    g_assert_cmpuint (CODE (other), ==, 200);
    g_assert_cmpstr (HEADER (css, "Content-Type"), ==, "text/css");
  }
  files_clear (&f);
}

static void
test_directories_and_refusals (void)
{
  const struct { const char *uri; guint code; const char *body; } cases[] = {
    { "/", 200, "<p>home</p>" },
    { "/sub/", 200, "<p>sub</p>" },
    { "/sub", 301, NULL },
    { "/empty/", 403, NULL },
    { "/nope.txt", 404, NULL },
    { "/sub/nope", 404, NULL },
    { "/../etc/passwd", 403, NULL },
    { "/%2e%2e/etc/passwd", 403, NULL },
    { "/sub/%2E%2E%2Ften.txt", 403, NULL },
    { "/./ten.txt", 403, NULL },
    { "/escape.txt", 403, NULL },
    { "/alias.txt", 200, "abcdefghij" },
  };
  Files f;

  files_init (&f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BraidFakeRequest) r = fetch (&f, "GET", cases[i].uri, NULL, NULL);
      g_autofree char *body = body_of (r);

      g_test_message ("%s", cases[i].uri);
      g_assert_cmpuint (CODE (r), ==, cases[i].code);
      if (cases[i].body != NULL)
        g_assert_cmpstr (body, ==, cases[i].body);
      if (cases[i].code == 301)
        g_assert_cmpstr (HEADER (r, "Location"), ==, "/sub/");
    }
  {
    g_autoptr (BraidFakeRequest) post = fetch (&f, "POST", "/ten.txt", NULL, NULL);

    g_assert_cmpuint (CODE (post), ==, 405);
    g_assert_cmpstr (HEADER (post, "Allow"), ==, "GET, HEAD");
  }
  files_clear (&f);
}

static void
test_ranges (void)
{
  const struct { const char *range; guint code; const char *body; const char *content_range; } cases[] = {
    { "bytes=2-4", 206, "cde", "bytes 2-4/10" },
    { "bytes=7-", 206, "hij", "bytes 7-9/10" },
    { "bytes=-3", 206, "hij", "bytes 7-9/10" },
    { "bytes=-30", 206, "abcdefghij", "bytes 0-9/10" },
    { "bytes=8-100", 206, "ij", "bytes 8-9/10" },
    { "bytes=10-", 416, NULL, "bytes */10" },
    { "bytes=-0", 416, NULL, "bytes */10" },
    { "bytes=0-1,4-5", 200, "abcdefghij", NULL },
    { "bytes=5-2", 200, "abcdefghij", NULL },
    { "items=1-2", 200, "abcdefghij", NULL },
    { "bytes=x-2", 200, "abcdefghij", NULL },
    { "bytes= 2-4", 206, "cde", "bytes 2-4/10" },
    { "bytes=5", 200, "abcdefghij", NULL },
    { "bytes=2-x", 200, "abcdefghij", NULL },
    { "bytes=-", 200, "abcdefghij", NULL },
  };
  Files f;

  files_init (&f);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (BraidFakeRequest) r = fetch (&f, "GET", "/ten.txt", "Range", cases[i].range);
      g_autofree char *body = body_of (r);

      g_test_message ("%s", cases[i].range);
      g_assert_cmpuint (CODE (r), ==, cases[i].code);
      if (cases[i].body != NULL)
        g_assert_cmpstr (body, ==, cases[i].body);
      g_assert_cmpstr (HEADER (r, "Content-Range"), ==, cases[i].content_range);
    }
  files_clear (&f);
}

static void
test_odd_files (void)
{
  Files f;
  g_autoptr (BraidResource) nowhere = braid_file_resource_new ("/nonexistent-braid-dir");
  g_autoptr (BraidFakeRequest) empty = NULL;
  g_autoptr (BraidFakeRequest) head = NULL;
  g_autoptr (BraidFakeRequest) lost = braid_fake_request_new ("GET", "/x");
  g_autoptr (BraidFakeRequest) fifo_req = NULL;
  g_autofree char *fifo = NULL;
  g_autoptr (BraidResource) found = NULL;

  files_init (&f);
  g_assert_cmpstr (braid_file_resource_get_path (BRAID_FILE_RESOURCE (f.root)), ==,
                   braid_file_resource_get_path (BRAID_FILE_RESOURCE (f.root)));
  write_file (f.dir, "empty.txt", "", 0);
  empty = fetch (&f, "GET", "/empty.txt", NULL, NULL);
  g_assert_cmpuint (CODE (empty), ==, 200);
  g_assert_cmpuint (braid_fake_request_get_write_count (empty), ==, 1);
  head = fetch (&f, "HEAD", "/ten.txt", NULL, NULL);
  g_assert_cmpuint (CODE (head), ==, 200);
  g_assert_cmpuint (braid_fake_request_get_write_count (head), ==, 0);
  fifo = g_build_filename (f.dir, "fifo", NULL);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  fifo_req = fetch (&f, "GET", "/fifo", NULL, NULL);
  g_assert_cmpuint (CODE (fifo_req), ==, 404);

  found = braid_resource_get_child_for_request (nowhere, BRAID_REQUEST (lost));
  braid_fake_request_render (lost, found);
  g_assert_cmpuint (CODE (lost), ==, 404);
  files_clear (&f);
}

static void
test_content_types (void)
{
  g_assert_cmpstr (braid_file_resource_content_type ("a/b.PNG"), ==, "image/png");
  g_assert_cmpstr (braid_file_resource_content_type ("page.html"), ==, "text/html; charset=utf-8");
  g_assert_cmpstr (braid_file_resource_content_type ("noext"), ==, "application/octet-stream");
  g_assert_cmpstr (braid_file_resource_content_type ("dir.d/noext"), ==, "application/octet-stream");
  g_assert_cmpstr (braid_file_resource_content_type ("x.zzzunknownzzz"), ==, "application/octet-stream");
}

static char *
big_content (gsize size)
{
  char *data = g_malloc (size + 1);

  for (gsize i = 0; i < size; i++)
    data[i] = (char) ('a' + (i * 7) % 26);
  data[size] = '\0';
  return data;
}

static void
test_large_file_is_pulled_chunk_by_chunk (void)
{
  Files f;
  const gsize size = 3 * BRAID_FILE_RESOURCE_CHUNK_SIZE + 100;
  g_autofree char *content = big_content (size);
  g_autoptr (BraidFakeRequest) r = NULL;
  g_autoptr (BraidFakeRequest) ranged = NULL;
  g_autoptr (GBytes) written = NULL;
  BraidProducer *producer;
  gboolean streaming = TRUE;

  files_init (&f);
  write_file (f.dir, "big.bin", content, (gssize) size);
  r = fetch (&f, "GET", "/big.bin", NULL, NULL);
  producer = braid_fake_request_get_producer (r, &streaming);
  g_assert_nonnull (producer);
  g_assert_false (streaming);
  /* Nothing is read until the connection asks: a slow reader is sent data
   * as slowly as it reads. */
  g_assert_cmpuint (braid_fake_request_get_write_count (r), ==, 0);
  braid_producer_resume_producing (producer);
  g_assert_cmpuint (braid_fake_request_get_write_count (r), ==, 1);
  g_assert_false (braid_request_is_finished (BRAID_REQUEST (r)));
  for (guint i = 0; i < 3; i++)
    braid_producer_resume_producing (producer);
  g_assert_true (braid_request_is_finished (BRAID_REQUEST (r)));
  g_assert_null (braid_fake_request_get_producer (r, NULL));
  written = braid_fake_request_get_written (r);
  g_assert_cmpuint (g_bytes_get_size (written), ==, size);
  g_assert_cmpmem (g_bytes_get_data (written, NULL), size, content, size);

  /* A range of a large file starts where it should. */
  ranged = fetch (&f, "GET", "/big.bin", "Range", "bytes=70000-");
  producer = braid_fake_request_get_producer (ranged, NULL);
  while ((producer = braid_fake_request_get_producer (ranged, NULL)) != NULL)
    braid_producer_resume_producing (producer);
  g_clear_pointer (&written, g_bytes_unref);
  written = braid_fake_request_get_written (ranged);
  g_assert_cmpmem (g_bytes_get_data (written, NULL), g_bytes_get_size (written),
                   content + 70000, size - 70000);
  files_clear (&f);
}

static void
test_through_a_site_head_and_disconnect (void)
{
  Files f;
  const gsize size = 2 * BRAID_FILE_RESOURCE_CHUNK_SIZE;
  g_autofree char *content = big_content (size);
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidSite) site = NULL;
  g_autoptr (BraidProtocol) channel = NULL;
  g_autoptr (BraidStringTransport) transport = braid_string_transport_new ();
  gsize len;
  const char *out;
  BraidProducer *producer;

  files_init (&f);
  write_file (f.dir, "big.bin", content, (gssize) size);
  site = braid_site_new (f.root);
  braid_factory_set_clock (BRAID_FACTORY (site), BRAID_CLOCK (clock));
  channel = braid_factory_build_protocol (BRAID_FACTORY (site), NULL);
  braid_protocol_make_connection (channel, BRAID_TRANSPORT (transport));

  braid_test_receive (channel, "HEAD /big.bin HTTP/1.1\r\n\r\n");
  out = braid_string_transport_peek (transport, &len);
  g_assert_nonnull (g_strstr_len (out, len, "Content-Length: 131072\r\n"));
  g_assert_true (g_str_has_suffix (out, "\r\n\r\n"));
  g_assert_null (braid_string_transport_get_producer (transport, NULL));
  braid_string_transport_clear (transport);

  /* A 304 has no body and says no length. */
  {
    g_autofree char *conditional = g_strdup_printf ("GET /ten.txt HTTP/1.1\r\nIf-Modified-Since: %s\r\n\r\n",
                                                    "Fri, 01 Jan 2100 00:00:00 GMT");

    braid_test_receive (channel, conditional);
    out = braid_string_transport_peek (transport, &len);
    g_assert_true (g_str_has_prefix (out, "HTTP/1.1 304 Not Modified\r\n"));
    g_assert_null (g_strstr_len (out, len, "Content-Length"));
    g_assert_true (g_str_has_suffix (out, "\r\n\r\n"));
    braid_string_transport_clear (transport);
  }

  braid_test_receive (channel, "GET /big.bin HTTP/1.1\r\n\r\n");
  producer = braid_string_transport_get_producer (transport, NULL);
  g_assert_nonnull (producer);
  braid_producer_resume_producing (producer);
  out = braid_string_transport_peek (transport, &len);
  g_assert_true (g_str_has_prefix (out, "HTTP/1.1 200 OK\r\n"));
  g_assert_nonnull (g_strstr_len (out, len, "Content-Length: 131072\r\n"));
  /* The client goes away: the producer is stopped with the request. */
  braid_test_lose_connection (channel, FALSE);
  braid_producer_stop_producing (producer);
  braid_producer_resume_producing (producer);
  g_assert_cmpuint (braid_string_transport_get_producer (transport, NULL) != NULL, ==, TRUE);
  files_clear (&f);
}


/* Rewrites a file with new content and a modification time one second on,
 * as an edit a second later would leave it. */
static void
rewrite_file (const char *dir, const char *name, const char *content)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  struct stat st;
  struct timespec times[2];

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  write_file (dir, name, content, -1);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  times[1].tv_sec += 1;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

static char *
get_body (Files *f, const char *uri, guint *code)
{
  g_autoptr (BraidFakeRequest) r = fetch (f, "GET", uri, NULL, NULL);

  *code = CODE (r);
  return body_of (r);
}

static void
assert_body (Files *f, const char *uri, const char *expected)
{
  guint code = 0;
  g_autofree char *body = get_body (f, uri, &code);

  g_assert_cmpuint (code, ==, 200);
  g_assert_cmpstr (body, ==, expected);
}

/* With a clock, a small file is read once and checked against the disk at
 * most once a second: a change shows a second later, not before. */
static void
test_cache_checked_once_a_second (void)
{
  Files f;
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autofree char *path = NULL;
  guint code = 0;

  files_init (&f);
  braid_fake_clock_advance (clock, 100);
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (f.root), BRAID_CLOCK (clock));
  assert_body (&f, "/ten.txt", "abcdefghij");
  rewrite_file (f.dir, "ten.txt", "0123456789");
  assert_body (&f, "/ten.txt", "abcdefghij");
  braid_fake_clock_advance (clock, 0.9);
  assert_body (&f, "/ten.txt", "abcdefghij");
  braid_fake_clock_advance (clock, 0.1);
  assert_body (&f, "/ten.txt", "0123456789");

  /* Checked again: still the same file, served from memory. */
  braid_fake_clock_advance (clock, 1);
  assert_body (&f, "/ten.txt", "0123456789");

  /* Removed: served until the next check, then 404. */
  path = g_build_filename (f.dir, "ten.txt", NULL);
  g_assert_cmpint (g_unlink (path), ==, 0);
  assert_body (&f, "/ten.txt", "0123456789");
  braid_fake_clock_advance (clock, 1);
  g_free (get_body (&f, "/ten.txt", &code));
  g_assert_cmpuint (code, ==, 404);
  files_clear (&f);
}

/* Without a clock, a cached file is checked on every request. */
static void
test_cache_without_clock (void)
{
  Files f;
  guint code = 0;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  files_init (&f);
  first = get_body (&f, "/ten.txt", &code);
  rewrite_file (f.dir, "ten.txt", "0123456789");
  second = get_body (&f, "/ten.txt", &code);
  g_assert_cmpstr (first, ==, "abcdefghij");
  g_assert_cmpstr (second, ==, "0123456789");
  files_clear (&f);
}

/* Ranges, HEAD, validators and the directory index are answered from a
 * cached file as from the disk. */
static void
test_cache_serves_ranges_head_validators (void)
{
  Files f;
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  g_autoptr (BraidFakeRequest) first = NULL;
  g_autoptr (BraidFakeRequest) range = NULL;
  g_autoptr (BraidFakeRequest) bad_range = NULL;
  g_autoptr (BraidFakeRequest) head = NULL;
  g_autoptr (BraidFakeRequest) same = NULL;
  g_autoptr (BraidFakeRequest) index1 = NULL;
  g_autoptr (BraidFakeRequest) index2 = NULL;
  g_autofree char *range_body = NULL;
  g_autofree char *index_body = NULL;

  files_init (&f);
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (f.root), BRAID_CLOCK (clock));
  first = fetch (&f, "GET", "/ten.txt", NULL, NULL);
  range = fetch (&f, "GET", "/ten.txt", "Range", "bytes=2-4");
  bad_range = fetch (&f, "GET", "/ten.txt", "Range", "bytes=20-");
  head = fetch (&f, "HEAD", "/ten.txt", NULL, NULL);
  same = fetch (&f, "GET", "/ten.txt", "If-None-Match", HEADER (first, "ETag"));
  index1 = fetch (&f, "GET", "/sub/", NULL, NULL);
  index2 = fetch (&f, "GET", "/sub/index.html", NULL, NULL);

  range_body = body_of (range);
  g_assert_cmpuint (CODE (range), ==, 206);
  g_assert_cmpstr (range_body, ==, "cde");
  g_assert_cmpstr (HEADER (range, "Content-Range"), ==, "bytes 2-4/10");
  g_assert_cmpuint (CODE (bad_range), ==, 416);
  g_assert_cmpuint (CODE (head), ==, 200);
  g_assert_cmpuint (braid_fake_request_get_write_count (head), ==, 0);
  g_assert_cmpstr (HEADER (head, "ETag"), ==, HEADER (first, "ETag"));
  g_assert_cmpstr (HEADER (head, "Last-Modified"), ==, HEADER (first, "Last-Modified"));
  g_assert_cmpuint (CODE (same), ==, 304);
  index_body = body_of (index2);
  g_assert_cmpstr (index_body, ==, "<p>sub</p>");
  g_free (index_body);
  index_body = body_of (index1);
  g_assert_cmpstr (index_body, ==, "<p>sub</p>");
  files_clear (&f);
}

/* The cache holds at most BRAID_FILE_RESOURCE_CACHE_SIZE bytes: filling it
 * past that starts it again, and every file is still served right. */
static void
test_cache_is_bounded (void)
{
  Files f;
  g_autoptr (BraidFakeClock) clock = braid_fake_clock_new ();
  guint n = BRAID_FILE_RESOURCE_CACHE_SIZE / BRAID_FILE_RESOURCE_CHUNK_SIZE + 2;
  g_autofree char *content = g_malloc (BRAID_FILE_RESOURCE_CHUNK_SIZE + 1);

  files_init (&f);
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (f.root), BRAID_CLOCK (clock));
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *name = g_strdup_printf ("f%u.bin", i);
        g_autofree char *uri = g_strdup_printf ("/f%u.bin", i);
        g_autoptr (BraidFakeRequest) r = NULL;
        g_autoptr (GBytes) body = NULL;

        memset (content, 'a' + (int) (i % 26), BRAID_FILE_RESOURCE_CHUNK_SIZE);
        if (round == 0)
          write_file (f.dir, name, content, BRAID_FILE_RESOURCE_CHUNK_SIZE);
        r = fetch (&f, "GET", uri, NULL, NULL);
        body = braid_fake_request_get_written (r);
        g_assert_cmpuint (CODE (r), ==, 200);
        g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                         content, BRAID_FILE_RESOURCE_CHUNK_SIZE);
      }
  files_clear (&f);
}

/* The resource does not keep its clock alive; a clock gone or unset means
 * a check on every request. */
static void
test_cache_clock_lifetime (void)
{
  Files f;
  BraidFakeClock *clock = braid_fake_clock_new ();
  g_autoptr (BraidFakeClock) other = braid_fake_clock_new ();
  guint code = 0;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;

  files_init (&f);
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (f.root), BRAID_CLOCK (clock));
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (f.root), BRAID_CLOCK (other));
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (f.root), BRAID_CLOCK (clock));
  first = get_body (&f, "/ten.txt", &code);
  g_object_unref (clock);
  rewrite_file (f.dir, "ten.txt", "0123456789");
  second = get_body (&f, "/ten.txt", &code);
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (f.root), NULL);
  rewrite_file (f.dir, "ten.txt", "ABCDEFGHIJ");
  third = get_body (&f, "/ten.txt", &code);
  g_assert_cmpstr (first, ==, "abcdefghij");
  g_assert_cmpstr (second, ==, "0123456789");
  g_assert_cmpstr (third, ==, "ABCDEFGHIJ");

  /* A tree that outlives its clock lets go of it. */
  braid_file_resource_set_clock (BRAID_FILE_RESOURCE (f.root), BRAID_CLOCK (other));
  files_clear (&f);
}

/* A cached file is read again when any of what identifies its content
 * changes: mode, size, modification time to the nanosecond, inode. */
static void
test_cache_notices_each_change (void)
{
  Files f;
  g_autofree char *path = NULL;
  g_autofree char *tmp = NULL;
  struct stat st;
  struct timespec times[2];

  files_init (&f);
  path = g_build_filename (f.dir, "ten.txt", NULL);
  tmp = g_build_filename (f.dir, "ten.tmp", NULL);
  assert_body (&f, "/ten.txt", "abcdefghij");

  /* Mode only. */
  g_assert_cmpint (chmod (path, 0600), ==, 0);
  assert_body (&f, "/ten.txt", "abcdefghij");

  /* The modification time's nanoseconds only (same second, same size). */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  write_file (f.dir, "ten.txt", "ABCDEFGHIJ", -1);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  times[1].tv_nsec = (st.st_mtim.tv_nsec + 1) % 1000000000;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
  assert_body (&f, "/ten.txt", "ABCDEFGHIJ");

  /* Another file (inode) with the same size and times. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  write_file (f.dir, "ten.tmp", "klmnopqrst", -1);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  g_assert_cmpint (utimensat (AT_FDCWD, tmp, times, 0), ==, 0);
  g_assert_cmpint (chmod (tmp, st.st_mode & 07777), ==, 0);
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
  assert_body (&f, "/ten.txt", "klmnopqrst");

  /* The size only (same times). */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  write_file (f.dir, "ten.txt", "uvw", -1);
  times[0] = st.st_atim;
  times[1] = st.st_mtim;
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
  assert_body (&f, "/ten.txt", "uvw");
  files_clear (&f);
}

/* The odd requests and files the file resource refuses or answers
 * specially. */
static void
test_file_error_paths (void)
{
  Files f;
  g_autofree char *loop = NULL;
  g_autofree char *index_dir = NULL;
  g_autofree char *dir_index = NULL;
  g_autofree char *ten = NULL;
  g_autofree char *big_content_ = NULL;
  const gsize size = BRAID_FILE_RESOURCE_CHUNK_SIZE + 10;
  g_autoptr (BraidFakeRequest) loop_r = NULL;
  g_autoptr (BraidFakeRequest) index_r = NULL;
  g_autoptr (BraidFakeRequest) star = NULL;
  g_autoptr (BraidFakeRequest) bad_date = NULL;
  g_autoptr (BraidFakeRequest) big_304 = NULL;
  g_autoptr (BraidFakeRequest) big_416 = NULL;
  g_autoptr (BraidFakeRequest) root_r = braid_fake_request_new ("GET", "/");
  g_autoptr (BraidFakeRequest) big = NULL;
  g_autoptr (BraidResource) bare = g_object_new (BRAID_TYPE_FILE_RESOURCE, NULL);

  files_init (&f);
  /* A symlink loop is refused. */
  loop = g_build_filename (f.dir, "loop", NULL);
  g_assert_cmpint (symlink ("loop", loop), ==, 0);
  loop_r = fetch (&f, "GET", "/loop", NULL, NULL);
  g_assert_cmpuint (CODE (loop_r), ==, 403);
  /* A directory named index.html is no index. */
  index_dir = g_build_filename (f.dir, "d", NULL);
  dir_index = g_build_filename (index_dir, "index.html", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir_index, 0755), ==, 0);
  index_r = fetch (&f, "GET", "/d/", NULL, NULL);
  g_assert_cmpuint (CODE (index_r), ==, 403);
  /* If-None-Match: * matches any file; an If-Modified-Since that is no
   * date is ignored. */
  star = fetch (&f, "GET", "/ten.txt", "If-None-Match", "*");
  g_assert_cmpuint (CODE (star), ==, 304);
  bad_date = fetch (&f, "GET", "/ten.txt", "If-Modified-Since", "yesterday");
  g_assert_cmpuint (CODE (bad_date), ==, 200);
  /* A large file answered 304 or 416 is not read. */
  big_content_ = g_malloc0 (size);
  write_file (f.dir, "big.bin", big_content_, (gssize) size);
  big = fetch (&f, "GET", "/big.bin", NULL, NULL);
  big_304 = fetch (&f, "GET", "/big.bin", "If-None-Match", HEADER (big, "ETag"));
  big_416 = fetch (&f, "GET", "/big.bin", "Range", "bytes=99999999-");
  g_assert_cmpuint (CODE (big_304), ==, 304);
  g_assert_null (braid_fake_request_get_producer (big_304, NULL));
  g_assert_cmpuint (CODE (big_416), ==, 416);
  g_assert_null (braid_fake_request_get_producer (big_416, NULL));
  /* The client leaves: its connection stops the producer (as a transport
   * does), which lets go of the request. */
  braid_producer_stop_producing (braid_fake_request_get_producer (big, NULL));
  braid_request_unregister_producer (BRAID_REQUEST (big));
  /* The root itself, asked for without its slash: redirected. */
  braid_fake_request_render (root_r, f.root);
  g_assert_cmpuint (CODE (root_r), ==, 301);
  g_clear_object (&bare);
  files_clear (&f);
}

/* A single file served as the root (no directory to resolve beneath):
 * the open file's real path is checked instead. */
static void
test_single_file_root (void)
{
  Files f;
  g_autofree char *path = NULL;
  g_autoptr (BraidResource) file = NULL;
  g_autoptr (BraidResource) gone = NULL;
  g_autoptr (BraidFakeRequest) r = braid_fake_request_new ("GET", "/ten.txt");
  g_autoptr (BraidFakeRequest) r2 = braid_fake_request_new ("GET", "/ten.txt");
  g_autofree char *body = NULL;

  files_init (&f);
  path = g_build_filename (f.dir, "ten.txt", NULL);
  file = braid_file_resource_new (path);
  braid_fake_request_render (r, file);
  body = body_of (r);
  g_assert_cmpuint (CODE (r), ==, 200);
  g_assert_cmpstr (body, ==, "abcdefghij");
  g_assert_cmpint (g_unlink (path), ==, 0);
  gone = braid_file_resource_new (path);
  braid_fake_request_render (r2, gone);
  g_assert_cmpuint (CODE (r2), ==, 404);
  files_clear (&f);
}

/* The file system's root as the root: "/tmp" is a directory (redirected),
 * "/" has no index.html (403). */
static void
test_filesystem_root (void)
{
  g_autoptr (BraidResource) root = braid_file_resource_new ("/");
  g_autoptr (BraidFakeRequest) tmp = braid_fake_request_new ("GET", "/tmp");
  g_autoptr (BraidFakeRequest) slash = braid_fake_request_new ("GET", "/");
  g_autoptr (BraidResource) tmp_found = NULL;
  g_autoptr (BraidResource) slash_found = NULL;

  tmp_found = braid_resource_get_child_for_request (root, BRAID_REQUEST (tmp));
  braid_fake_request_render (tmp, tmp_found);
  g_assert_cmpuint (CODE (tmp), ==, 301);
  g_assert_cmpstr (HEADER (tmp, "Location"), ==, "/tmp/");
  slash_found = braid_resource_get_child_for_request (root, BRAID_REQUEST (slash));
  braid_fake_request_render (slash, slash_found);
  if (!g_file_test ("/index.html", G_FILE_TEST_EXISTS))
    g_assert_cmpuint (CODE (slash), ==, 403);
}

/* A large file that shrinks while it is sent: the response is cut short
 * with a warning; a producer stopped does nothing more. */
static void
test_large_file_shrinks (void)
{
  Files f;
  const gsize size = 2 * BRAID_FILE_RESOURCE_CHUNK_SIZE;
  g_autofree char *content = g_malloc0 (size);
  g_autofree char *path = NULL;
  g_autoptr (BraidFakeRequest) r = NULL;
  g_autoptr (BraidFakeRequest) stopped = NULL;
  BraidProducer *producer;

  files_init (&f);
  write_file (f.dir, "big.bin", content, (gssize) size);
  path = g_build_filename (f.dir, "big.bin", NULL);
  r = fetch (&f, "GET", "/big.bin", NULL, NULL);
  producer = braid_fake_request_get_producer (r, NULL);
  braid_producer_resume_producing (producer);
  g_assert_cmpint (truncate (path, BRAID_FILE_RESOURCE_CHUNK_SIZE), ==, 0);
  g_test_expect_message ("Braid", G_LOG_LEVEL_WARNING, "*reading the file failed (end of file)*");
  braid_producer_resume_producing (producer);
  g_test_assert_expected_messages ();
  g_assert_true (braid_request_is_finished (BRAID_REQUEST (r)));
  g_assert_null (braid_fake_request_get_producer (r, NULL));

  g_assert_cmpint (truncate (path, (off_t) size), ==, 0);
  stopped = fetch (&f, "GET", "/big.bin", NULL, NULL);
  producer = g_object_ref (braid_fake_request_get_producer (stopped, NULL));
  braid_producer_stop_producing (producer);
  braid_producer_resume_producing (producer);
  g_assert_cmpuint (braid_fake_request_get_write_count (stopped), ==, 0);
  braid_request_unregister_producer (BRAID_REQUEST (stopped));
  g_object_unref (producer);
  files_clear (&f);
}

/* A root directory that did not exist when the resource was made (so no
 * directory is open to resolve beneath): each open file's real path is
 * checked against the root instead, and a symlink out of it, even into a
 * directory whose name starts like the root's, is refused. */
static void
test_root_made_later (void)
{
  g_autofree char *base = g_dir_make_tmp ("braid-later-XXXXXX", NULL);
  g_autofree char *root_path = g_build_filename (base, "www", NULL);
  g_autofree char *sibling = g_build_filename (base, "www2", NULL);
  g_autofree char *link = g_build_filename (root_path, "sibling.txt", NULL);
  g_autofree char *target = g_build_filename (sibling, "s.txt", NULL);
  g_autoptr (BraidResource) root = braid_file_resource_new (root_path);
  Files f = { .root = root };
  g_autoptr (BraidFakeRequest) out = NULL;
  g_autoptr (BraidFakeRequest) missing = NULL;

  g_assert_cmpint (g_mkdir (root_path, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (sibling, 0755), ==, 0);
  write_file (root_path, "in.txt", "inside", -1);
  write_file (sibling, "s.txt", "sibling", -1);
  g_assert_cmpint (symlink (target, link), ==, 0);
  assert_body (&f, "/in.txt", "inside");
  out = fetch (&f, "GET", "/sibling.txt", NULL, NULL);
  g_assert_cmpuint (CODE (out), ==, 403);
  missing = fetch (&f, "GET", "/missing.txt", NULL, NULL);
  g_assert_cmpuint (CODE (missing), ==, 404);
  f.root = NULL;
  remove_tree (base);
}

/* A suffix range of an empty file cannot be satisfied; the file system's
 * root rendered as itself is a directory asked for without its slash. */
static void
test_empty_file_suffix_range_and_bare_root (void)
{
  Files f;
  g_autoptr (BraidFakeRequest) r = NULL;
  g_autoptr (BraidResource) fs_root = braid_file_resource_new ("/");
  g_autoptr (BraidFakeRequest) bare = braid_fake_request_new ("GET", "");

  files_init (&f);
  write_file (f.dir, "empty.txt", "", 0);
  r = fetch (&f, "GET", "/empty.txt", "Range", "bytes=-5");
  g_assert_cmpuint (CODE (r), ==, 416);
  g_assert_cmpstr (HEADER (r, "Content-Range"), ==, "bytes */0");
  braid_fake_request_render (bare, fs_root);
  g_assert_cmpuint (CODE (bare), ==, 301);
  files_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("BraidFileResource: files, directories, ranges, validators, producers");

  braid_test_add_func ("/file-resource/serves-files-validators", test_serves_files_with_validators);
  braid_test_add_func ("/file-resource/directories-refusals", test_directories_and_refusals);
  braid_test_add_func ("/file-resource/ranges", test_ranges);
  braid_test_add_func ("/file-resource/content-types", test_content_types);
  braid_test_add_func ("/file-resource/odd-files", test_odd_files);
  braid_test_add_func ("/file-resource/large-file-pulled", test_large_file_is_pulled_chunk_by_chunk);
  braid_test_add_func ("/file-resource/site-head-disconnect", test_through_a_site_head_and_disconnect);
  braid_test_add_func ("/file-resource/cache-checked-once-a-second", test_cache_checked_once_a_second);
  braid_test_add_func ("/file-resource/cache-without-clock", test_cache_without_clock);
  braid_test_add_func ("/file-resource/cache-ranges-head-validators", test_cache_serves_ranges_head_validators);
  braid_test_add_func ("/file-resource/cache-bounded", test_cache_is_bounded);
  braid_test_add_func ("/file-resource/cache-clock-lifetime", test_cache_clock_lifetime);
  braid_test_add_func ("/file-resource/cache-notices-each-change", test_cache_notices_each_change);
  braid_test_add_func ("/file-resource/error-paths", test_file_error_paths);
  braid_test_add_func ("/file-resource/single-file-root", test_single_file_root);
  braid_test_add_func ("/file-resource/filesystem-root", test_filesystem_root);
  braid_test_add_func ("/file-resource/large-file-shrinks", test_large_file_shrinks);
  braid_test_add_func ("/file-resource/root-made-later", test_root_made_later);
  braid_test_add_func ("/file-resource/empty-suffix-range-bare-root", test_empty_file_suffix_range_and_bare_root);

  return g_test_run ();
}
