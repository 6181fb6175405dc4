/* braid-file-resource.c: static files under a directory. */
#define _GNU_SOURCE /* O_PATH */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/openat2.h>
#endif

#include <glib/gstdio.h>

#include "core/braid-producer.h"
#include "time/braid-clock.h"
#include "web/braid-file-resource.h"
#include "web/braid-request.h"

/**
 * BraidFileResource:
 *
 * Serves a file, or the files under a directory: Twisted's
 * `twisted.web.static.File`.
 *
 * - The content type comes from the extension (a table of the usual web
 *   types, then GIO's g_content_type_guess()).
 * - `Last-Modified` and a strong `ETag` (size and modification time) are
 *   sent; `If-None-Match` and `If-Modified-Since` that match get 304.
 * - A single `Range: bytes=...` gets 206 with `Content-Range`; one that
 *   cannot be satisfied gets 416. Several ranges in one request are
 *   answered with the whole file (allowed by RFC 9110, and what many
 *   servers do).
 * - A directory is served by its `index.html`; without one, 403: there is
 *   no directory listing. A directory asked for without its final `/` is
 *   redirected (301) to it, as Twisted does.
 * - `.` and `..` segments, and any file whose real path (symlinks
 *   followed) is outside the root, get 403.
 * - Files up to %BRAID_FILE_RESOURCE_CHUNK_SIZE are read at once and sent
 *   with the head in one write. Larger ones are sent by a pull producer
 *   registered on the request ([method@Braid.Request.register_producer]):
 *   one chunk each time the connection's buffer has drained, so memory
 *   stays flat and a client that reads slowly is sent data as slowly.
 * - Small files (up to %BRAID_FILE_RESOURCE_CHUNK_SIZE) are kept in memory
 *   once read, shared by the whole tree, up to
 *   %BRAID_FILE_RESOURCE_CACHE_SIZE in all. A cached file is checked
 *   against the disk (one stat(): device, inode, mode, size and
 *   modification time) before it is served; with a clock
 *   ([method@Braid.FileResource.set_clock]) at most once a second, so a
 *   file changed on disk may be served as it was for up to a second.
 *   Twisted's `File` reads the file for every request; nginx's
 *   `open_file_cache` does what Braid does.
 */
/* A small file kept in memory, and what it was on disk when read. */
typedef struct
{
  GBytes *data;
  dev_t dev;
  ino_t ino;
  mode_t mode;
  off_t size;
  struct timespec mtime;
  gdouble checked;    /* the clock's time when last checked against the disk */
} CachedFile;

/* The root directory, shared by every resource of the tree. */
typedef struct
{
  char *path;         /* its real path */
  int fd;             /* O_PATH, or -1 */
  GHashTable *cache;  /* path -> CachedFile */
  gsize cached_bytes;
  BraidClock *clock;  /* weak; NULL: check each file on every request */
} Root;

struct _BraidFileResource
{
  BraidResource parent_instance;
  char *path;
  Root *root;     /* shared by the tree (g_rc_box) */
  gboolean is_index;  /* the index.html of a directory: absent means 403 */
};

G_DEFINE_FINAL_TYPE (BraidFileResource, braid_file_resource, BRAID_TYPE_RESOURCE)

/* The producer of a large file's body. */
#define FILE_TYPE_PRODUCER (file_producer_get_type ())
G_DECLARE_FINAL_TYPE (FileProducer, file_producer, FILE, PRODUCER, GObject)

struct _FileProducer
{
  GObject parent_instance;
  int fd;
  guint64 offset;
  guint64 remaining;
  BraidRequest *request;
  guint8 *buffer;
};

static void file_producer_iface_init (BraidProducerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FileProducer, file_producer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER, file_producer_iface_init))

static void
file_producer_close (FileProducer *self)
{
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  g_clear_object (&self->request);
  g_clear_pointer (&self->buffer, g_free);
}

static void
file_producer_resume (BraidProducer *producer)
{
  FileProducer *self = FILE_PRODUCER (producer);
  g_autoptr (BraidRequest) request = NULL;
  gsize want;
  gssize got;

  if (self->fd < 0 || self->request == NULL)
    return;
  /* The request keeps the producer registered, hence alive, until
   * unregister below; the request is held here. */
  request = g_object_ref (self->request);
  g_object_ref (self);
  want = (gsize) MIN (self->remaining, (guint64) BRAID_FILE_RESOURCE_CHUNK_SIZE);
  do
    got = pread (self->fd, self->buffer, want, (off_t) self->offset);
  while (got < 0 && errno == EINTR);
  if (got <= 0)
    {
      g_warning ("%s: reading the file failed (%s): the response is cut short",
                 braid_request_get_uri (request), got < 0 ? g_strerror (errno) : "end of file");
      self->remaining = 0;
    }
  else
    {
      self->offset += (guint64) got;
      self->remaining -= (guint64) got;
      braid_request_write (request, self->buffer, (gsize) got);
    }
  if (self->remaining == 0)
    {
      file_producer_close (self);
      braid_request_unregister_producer (request);
      if (!braid_request_is_finished (request))
        braid_request_finish (request);
    }
  g_object_unref (self);
}

static void
file_producer_pause (BraidProducer *producer)
{
  /* A pull producer is only asked for more; nothing to pause. */
}

static void
file_producer_stop (BraidProducer *producer)
{
  file_producer_close (FILE_PRODUCER (producer));
}

static void
file_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = file_producer_pause;
  iface->resume_producing = file_producer_resume;
  iface->stop_producing = file_producer_stop;
}

static void
file_producer_finalize (GObject *object)
{
  file_producer_close (FILE_PRODUCER (object));
  G_OBJECT_CLASS (file_producer_parent_class)->finalize (object);
}

static void
file_producer_class_init (FileProducerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = file_producer_finalize;
}

static void
file_producer_init (FileProducer *self)
{
  self->fd = -1;
}

static const struct { const char *ext; const char *type; } content_types[] = {
  { "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
  { "txt", "text/plain; charset=utf-8" }, { "css", "text/css" },
  { "js", "text/javascript" }, { "mjs", "text/javascript" }, { "json", "application/json" },
  { "xml", "application/xml" }, { "svg", "image/svg+xml" }, { "png", "image/png" },
  { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" }, { "gif", "image/gif" },
  { "webp", "image/webp" }, { "ico", "image/x-icon" }, { "pdf", "application/pdf" },
  { "wasm", "application/wasm" }, { "woff", "font/woff" }, { "woff2", "font/woff2" },
  { "mp4", "video/mp4" }, { "webm", "video/webm" }, { "mp3", "audio/mpeg" },
  { "zip", "application/zip" }, { "gz", "application/gzip" }, { "tar", "application/x-tar" },
  { "c", "text/plain; charset=utf-8" }, { "h", "text/plain; charset=utf-8" },
  { "md", "text/markdown; charset=utf-8" }, { "py", "text/plain; charset=utf-8" },
};

/**
 * braid_file_resource_content_type:
 * @filename: a file name
 *
 * Gets the content type a file is served with, from its extension: a table
 * of the usual web types, then GIO's guess, then
 * `application/octet-stream`.
 *
 * Returns: (transfer none): the content type (an interned string)
 */
const char *
braid_file_resource_content_type (const char *filename)
{
  const char *dot, *slash;

  g_return_val_if_fail (filename != NULL, NULL);

  dot = strrchr (filename, '.');
  slash = strrchr (filename, '/');
  if (dot != NULL && (slash == NULL || dot > slash))
    {
      g_autofree char *guess = NULL;
      g_autofree char *mime = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (content_types); i++)
        if (g_ascii_strcasecmp (dot + 1, content_types[i].ext) == 0)
          return content_types[i].type;
      guess = g_content_type_guess (filename, NULL, 0, NULL);
      mime = guess != NULL ? g_content_type_get_mime_type (guess) : NULL;
      if (mime != NULL && strcmp (mime, "application/octet-stream") != 0)
        return g_intern_string (mime);
    }
  return "application/octet-stream";
}

static void
free_cached (gpointer data)
{
  CachedFile *cached = data;

  g_bytes_unref (cached->data);
  g_free (cached);
}

static void
clear_root (gpointer data)
{
  Root *root = data;

  if (root->fd >= 0)
    close (root->fd);
  g_free (root->path);
  g_hash_table_unref (root->cache);
  if (root->clock != NULL)
    g_object_remove_weak_pointer (G_OBJECT (root->clock), (gpointer *) &root->clock);
}

static gboolean
same_file (const CachedFile *cached, const struct stat *st)
{
  return cached->dev == st->st_dev && cached->ino == st->st_ino && cached->mode == st->st_mode
         && cached->size == st->st_size && cached->mtime.tv_sec == st->st_mtim.tv_sec
         && cached->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* The cached copy of the file, if it is still what is on disk. */
static CachedFile *
cache_lookup (BraidFileResource *self)
{
  Root *root = self->root;
  CachedFile *cached = g_hash_table_lookup (root->cache, self->path);
  gdouble now = 0;
  struct stat st;

  if (cached == NULL)
    return NULL;
  if (root->clock != NULL)
    {
      now = braid_clock_seconds (root->clock);
      if (now >= cached->checked && now - cached->checked < 1.0)
        return cached;
    }
  if (stat (self->path, &st) != 0 || !same_file (cached, &st))
    {
      root->cached_bytes -= g_bytes_get_size (cached->data);
      g_hash_table_remove (root->cache, self->path);
      return NULL;
    }
  cached->checked = now;
  return cached;
}

/* Keeps @data, the whole file as it was when @st was taken. */
static CachedFile *
cache_add (BraidFileResource *self, const struct stat *st, GBytes *data)
{
  Root *root = self->root;
  CachedFile *cached = g_new0 (CachedFile, 1);
  gsize size = g_bytes_get_size (data);

  if (root->cached_bytes + size > BRAID_FILE_RESOURCE_CACHE_SIZE)
    {
      /* Full: start again rather than keep usage counts. */
      g_hash_table_remove_all (root->cache);
      root->cached_bytes = 0;
    }
  cached->data = g_bytes_ref (data);
  cached->dev = st->st_dev;
  cached->ino = st->st_ino;
  cached->mode = st->st_mode;
  cached->size = st->st_size;
  cached->mtime = st->st_mtim;
  cached->checked = root->clock != NULL ? braid_clock_seconds (root->clock) : 0;
  root->cached_bytes += size;
  g_hash_table_replace (root->cache, g_strdup (self->path), cached);
  return cached;
}

static void
braid_file_resource_finalize (GObject *object)
{
  BraidFileResource *self = BRAID_FILE_RESOURCE (object);

  g_free (self->path);
  if (self->root != NULL)
    g_rc_box_release_full (self->root, clear_root);
  G_OBJECT_CLASS (braid_file_resource_parent_class)->finalize (object);
}

static BraidResource *
new_child (BraidFileResource *self, const char *path)
{
  BraidFileResource *child = g_object_new (BRAID_TYPE_FILE_RESOURCE, NULL);

  child->path = g_strdup (path);
  child->root = g_rc_box_acquire (self->root);
  return BRAID_RESOURCE (child);
}

/* Whether the file open as @fd, symlinks followed, is the root or under
 * it. Linux names an open file's real path in /proc/self/fd: one
 * readlink() instead of realpath()'s one per path component (realpath()
 * of the name would also race with a rename). */
static gboolean
fd_inside_root (BraidFileResource *self, int fd)
{
  char link[64];
  char real[PATH_MAX];
  gssize n;
  const char *root = self->root->path;
  gsize root_len = strlen (root);

  g_snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, real, sizeof real - 1);
  if (n < 0)
    return FALSE;   /* no /proc: the path cannot be checked, so it is refused */
  real[n] = '\0';
  return strncmp (real, root, root_len) == 0
         && (real[root_len] == '\0' || real[root_len] == '/' || strcmp (root, "/") == 0);
}

static BraidResource *
braid_file_resource_get_child (BraidResource *resource, const char *segment, BraidRequest *request)
{
  BraidFileResource *self = BRAID_FILE_RESOURCE (resource);
  g_autofree char *path = NULL;
  BraidResource *child;

  if (segment[0] == '\0')
    {
      /* Checked when rendered: where the real path is known from the
       * open file, in one system call. */
      path = g_build_filename (self->path, "index.html", NULL);
      child = new_child (self, path);
      BRAID_FILE_RESOURCE (child)->is_index = TRUE;
      return child;
    }
  if (strcmp (segment, ".") == 0 || strcmp (segment, "..") == 0 || strchr (segment, '/') != NULL)
    return braid_error_resource_new (403, "Forbidden", "That path is not allowed.");
  /* The segment has no '/': a plain join (g_build_filename() is slower
   * and does nothing more here). */
  path = g_strconcat (self->path, self->path[strlen (self->path) - 1] == '/' ? "" : "/",
                      segment, NULL);
  return new_child (self, path);
}

/* An error response: the page an error resource renders. */
static GBytes *
html_page (BraidRequest *request, guint code, const char *title, const char *detail)
{
  g_autoptr (BraidResource) page = braid_error_resource_new (code, title, detail);

  return braid_resource_render (page, request);
}

/* Parses a single byte range against a file of @size bytes. Returns 1 with
 * [*start, *end] for a satisfiable range, 0 to ignore the header (absent,
 * several ranges, or not bytes), -1 if not satisfiable. */
static int
parse_range (const char *header, guint64 size, guint64 *start, guint64 *end)
{
  const char *spec;
  char *dash;
  guint64 a = 0, b = 0;
  gboolean has_a, has_b;
  g_autofree char *copy = NULL;

  if (header == NULL || g_ascii_strncasecmp (header, "bytes=", 6) != 0)
    return 0;
  spec = header + 6;
  while (*spec == ' ')
    spec++;
  if (strchr (spec, ',') != NULL)
    return 0;
  copy = g_strstrip (g_strdup (spec));
  dash = strchr (copy, '-');
  if (dash == NULL)
    return 0;
  *dash = '\0';
  has_a = copy[0] != '\0';
  has_b = dash[1] != '\0';
  if ((has_a && !g_ascii_string_to_unsigned (copy, 10, 0, G_MAXUINT64, &a, NULL))
      || (has_b && !g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXUINT64, &b, NULL))
      || (!has_a && !has_b) || (has_a && has_b && b < a))
    return 0;
  if (!has_a)
    {
      /* The last b bytes. */
      if (b == 0 || size == 0)
        return -1;
      *start = b >= size ? 0 : size - b;
      *end = size - 1;
      return 1;
    }
  if (a >= size)
    return -1;
  *start = a;
  *end = has_b && b < size ? b : size - 1;
  return 1;
}

static gboolean
etag_matches (const char *header, const char *etag)
{
  g_auto (GStrv) tags = NULL;

  if (header == NULL)
    return FALSE;
  tags = g_strsplit (header, ",", -1);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      const char *tag = g_strstrip (tags[i]);

      if (g_str_has_prefix (tag, "W/"))
        tag += 2;
      if (strcmp (tag, "*") == 0 || strcmp (tag, etag) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Opens the file, refusing (EXDEV) a path that leaves the root; without
 * blocking, so that a FIFO in the tree cannot hang the server (it is not a
 * regular file: 404). Where
 * Linux has openat2(), RESOLVE_BENEATH does it in the one system call
 * (a symlink to an absolute path is refused even if it points inside);
 * elsewhere the open file's real path is checked. */
static int
open_beneath (BraidFileResource *self)
{
  int fd = -1;
  gsize root_len = strlen (self->root->path);

#if defined(__linux__) && defined(SYS_openat2)
  if (self->root->fd >= 0)
    {
      struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                              .resolve = RESOLVE_BENEATH };
      const char *relative = self->path[root_len] == '/' ? self->path + root_len + 1 : ".";

      if (strcmp (self->root->path, "/") == 0)
        relative = self->path[1] != '\0' ? self->path + 1 : ".";
      do
        fd = (int) syscall (SYS_openat2, self->root->fd, relative, &how, sizeof how);
      while (fd < 0 && errno == EINTR);
      if (fd >= 0 || errno != ENOSYS)
        return fd;
    }
#endif
  do
    fd = open (self->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  while (fd < 0 && errno == EINTR);
  if (fd >= 0 && !fd_inside_root (self, fd))
    {
      close (fd);
      errno = EXDEV;
      return -1;
    }
  return fd;
}

/* The Last-Modified text of the file served last: most requests are for
 * the same few files. */
static const char *
last_modified (time_t mtime)
{
  static _Thread_local time_t cached_mtime = -1;
  static _Thread_local char cached[64];

  if (mtime != cached_mtime)
    {
      g_autofree char *text = braid_http_date (mtime);

      g_strlcpy (cached, text, sizeof cached);
      cached_mtime = mtime;
    }
  return cached;
}

/* Opens the file; on success fills @st and returns the descriptor, else
 * returns -1 and sets *@page to the error page. A small file is read and
 * cached (*@cached). */
static int
open_file (BraidFileResource *self, BraidRequest *request, struct stat *st, GBytes **page)
{
  int fd = open_beneath (self);

  if (fd < 0)
    {
      if (errno == EXDEV || errno == ELOOP)
        *page = html_page (request, 403, "Forbidden", "That path is not allowed.");
      else if (errno == EACCES)
        *page = html_page (request, 403, "Forbidden", "That file cannot be read.");
      else if (self->is_index)
        *page = html_page (request, 403, "Forbidden", "Directory listing is not allowed.");
      else
        *page = html_page (request, 404, "No Such Resource", "File not found.");
      return -1;
    }
  if (fstat (fd, st) != 0 || !(S_ISREG (st->st_mode) || S_ISDIR (st->st_mode)))
    {
      close (fd);
      *page = html_page (request, 404, "No Such Resource", "File not found.");
      return -1;
    }
  if (S_ISDIR (st->st_mode))
    {
      g_autofree char *location = g_strconcat (braid_request_get_path (request), "/", NULL);

      close (fd);
      if (self->is_index)
        {
          *page = html_page (request, 403, "Forbidden", "Directory listing is not allowed.");
          return -1;
        }
      /* Reached with no segment left and no final "/": add it, so that
       * relative links in the index work. */
      braid_request_set_header (request, "Location", location);
      *page = html_page (request, 301, "Moved Permanently", "The directory is one slash away.");
      return -1;
    }
  return fd;
}

/* Reads a whole small file into the cache. */
static CachedFile *
read_small (BraidFileResource *self, int fd, const struct stat *st)
{
  gsize size = (gsize) st->st_size;
  guint8 *data = g_malloc (size);
  gssize got;
  g_autoptr (GBytes) bytes = NULL;

  do
    got = pread (fd, data, size, 0);
  while (got < 0 && errno == EINTR);
  if (got < 0 || (gsize) got != size)
    {
      g_free (data);
      return NULL;
    }
  bytes = g_bytes_new_take (data, size);
  return cache_add (self, st, bytes);
}

static GBytes *
render_file (BraidFileResource *self, BraidRequest *request, const char *method)
{
  int fd = -1;
  struct stat st;
  CachedFile *cached;
  char etag[64];
  guint64 size, start = 0, end = 0, length;
  gint64 mtime;
  gboolean head = strcmp (method, "HEAD") == 0;
  const char *ims, *inm;
  gint64 since;
  int range;

  cached = cache_lookup (self);
  if (cached == NULL)
    {
      GBytes *page = NULL;

      fd = open_file (self, request, &st, &page);
      if (fd < 0)
        return page;
      if ((guint64) st.st_size <= BRAID_FILE_RESOURCE_CHUNK_SIZE)
        {
          cached = read_small (self, fd, &st);
          close (fd);
          fd = -1;
          if (cached == NULL)
            {
              g_warning ("%s: reading %s failed", braid_request_get_uri (request), self->path);
              return html_page (request, 500, "Internal Server Error", "The file could not be read.");
            }
        }
    }
  if (cached != NULL)
    {
      size = (guint64) cached->size;
      mtime = cached->mtime.tv_sec;
    }
  else
    {
      size = (guint64) st.st_size;
      mtime = st.st_mtime;
    }

  g_snprintf (etag, sizeof etag, "\"%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x\"",
              mtime, (gint64) size);
  braid_request_set_header (request, "Content-Type", braid_file_resource_content_type (self->path));
  braid_request_set_header (request, "Last-Modified", last_modified ((time_t) mtime));
  braid_request_set_header (request, "ETag", etag);
  braid_request_set_header (request, "Accept-Ranges", "bytes");

  ims = braid_request_get_header (request, "if-modified-since");
  inm = braid_request_get_header (request, "if-none-match");
  if (etag_matches (inm, etag)
      || (inm == NULL && ims != NULL && braid_http_date_parse (ims, &since) && mtime <= since))
    {
      if (fd >= 0)
        close (fd);
      braid_request_set_response_code (request, 304);
      return g_bytes_new (NULL, 0);
    }

  range = parse_range (braid_request_get_header (request, "range"), size, &start, &end);
  if (range < 0)
    {
      char content_range[64];

      if (fd >= 0)
        close (fd);
      g_snprintf (content_range, sizeof content_range, "bytes */%" G_GUINT64_FORMAT, size);
      braid_request_set_header (request, "Content-Range", content_range);
      return html_page (request, 416, "Range Not Satisfiable", "The range is outside the file.");
    }
  if (range > 0)
    {
      char content_range[96];

      g_snprintf (content_range, sizeof content_range,
                  "bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                  start, end, size);
      braid_request_set_response_code (request, 206);
      braid_request_set_header (request, "Content-Range", content_range);
      length = end - start + 1;
    }
  else
    length = size;

  braid_request_set_content_length (request, length);
  if (cached != NULL)
    {
      if (head || length == 0)
        return g_bytes_new (NULL, 0);
      if (length == size)
        return g_bytes_ref (cached->data);
      return g_bytes_new_from_bytes (cached->data, (gsize) start, (gsize) length);
    }
  if (head)
    {
      close (fd);
      return g_bytes_new (NULL, 0);
    }

  {
    FileProducer *producer = g_object_new (FILE_TYPE_PRODUCER, NULL);

    producer->fd = fd;
    producer->offset = start;
    producer->remaining = length;
    producer->request = g_object_ref (request);
    producer->buffer = g_malloc (BRAID_FILE_RESOURCE_CHUNK_SIZE);
    braid_request_register_producer (request, BRAID_PRODUCER (producer), FALSE);
    g_object_unref (producer);
    return BRAID_NOT_DONE_YET;
  }
}

static GBytes *
braid_file_resource_render (BraidResource *resource, BraidRequest *request)
{
  BraidFileResource *self = BRAID_FILE_RESOURCE (resource);
  const char *method = braid_request_get_method (request);

  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
    {
      braid_request_set_header (request, "Allow", "GET, HEAD");
      return html_page (request, 405, "Method Not Allowed", "Allowed: GET, HEAD");
    }
  return render_file (self, request, method);
}

static void
braid_file_resource_class_init (BraidFileResourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_file_resource_finalize;
  BRAID_RESOURCE_CLASS (klass)->get_child = braid_file_resource_get_child;
  BRAID_RESOURCE_CLASS (klass)->render = braid_file_resource_render;
}

static void
braid_file_resource_init (BraidFileResource *self)
{
}

/**
 * braid_file_resource_new:
 * @path: a directory (or a file) to serve
 *
 * Makes a resource that serves @path: the files under it, by path segment,
 * none outside it.
 *
 * Returns: (transfer full): the resource
 */
BraidResource *
braid_file_resource_new (const char *path)
{
  BraidFileResource *self;
  char real[PATH_MAX];

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (BRAID_TYPE_FILE_RESOURCE, NULL);
  self->root = g_rc_box_new0 (Root);
  self->root->fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  self->root->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_cached);
  if (realpath (path, real) != NULL)
    {
      self->path = g_strdup (real);
      self->root->path = g_strdup (real);
    }
  else
    {
      self->path = g_canonicalize_filename (path, NULL);
      self->root->path = g_strdup (self->path);
    }
  return BRAID_RESOURCE (self);
}

/**
 * braid_file_resource_get_path:
 * @self: a file resource
 *
 * Gets the file or directory @self serves.
 *
 * Returns: the path
 */
const char *
braid_file_resource_get_path (BraidFileResource *self)
{
  g_return_val_if_fail (BRAID_IS_FILE_RESOURCE (self), NULL);
  return self->path;
}

/**
 * braid_file_resource_set_clock:
 * @self: a file resource
 * @clock: (nullable): the clock to pace the cache's checks with, or %NULL
 *
 * Checks a cached file against the disk at most once a second on @clock
 * (the reactor; a [class@Braid.FakeClock] in tests) rather than on every
 * request: one stat() a second instead of one per request. It applies to
 * the whole tree @self belongs to. The clock is not kept alive by the
 * resource.
 */
void
braid_file_resource_set_clock (BraidFileResource *self, BraidClock *clock)
{
  Root *root;

  g_return_if_fail (BRAID_IS_FILE_RESOURCE (self));
  g_return_if_fail (clock == NULL || BRAID_IS_CLOCK (clock));

  root = self->root;
  if (root->clock != NULL)
    g_object_remove_weak_pointer (G_OBJECT (root->clock), (gpointer *) &root->clock);
  root->clock = clock;
  if (clock != NULL)
    g_object_add_weak_pointer (G_OBJECT (clock), (gpointer *) &root->clock);
  /* Times from another clock mean nothing: check each file once more. */
  g_hash_table_remove_all (root->cache);
  root->cached_bytes = 0;
}
