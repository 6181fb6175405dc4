/* braid-endpoint.c: endpoints from strings -- Twisted's `serverFromString`
 * and `clientFromString`. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "core/braid-client-factory.h"
#include "core/braid-connector.h"
#include "core/braid-factory.h"
#include "core/braid-listening-port.h"
#include "core/braid-reactor.h"
#include "app/braid-app-private.h"
#include "app/braid-endpoint.h"

/* ---------------------------------------------------------------------- */
/* Taking a description apart.                                             */

G_DEFINE_BOXED_TYPE (BraidEndpointDescription, braid_endpoint_description,
                     braid_endpoint_description_copy, braid_endpoint_description_free)

/* The offending text, quoted so that control bytes stay visible. */
static char *
quote (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);

  return g_strdup_printf ("'%s'", escaped);
}

static void
add_argument (GPtrArray *parts, GPtrArray *args, GHashTable *kwargs,
              const char *text, GError **error)
{
  /* One ':'-separated piece: a positional argument, or key=value. */
  if (parts->len == 1)
    g_ptr_array_add (args, g_strdup (g_ptr_array_index (parts, 0)));
  else if (*error == NULL)
    {
      const char *key = g_ptr_array_index (parts, 0);

      if (g_hash_table_contains (kwargs, key))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "%s: given twice in %s", *key != '\0' ? key : "endpoint", text);
          return;
        }
      g_hash_table_insert (kwargs, g_strdup (key), g_strdup (g_ptr_array_index (parts, 1)));
    }
  g_ptr_array_set_size (parts, 0);
}

/**
 * braid_endpoint_description_parse:
 * @text: an endpoint string, such as `tcp:8000:interface=127.0.0.1`
 * @error: set when @text cannot be taken apart
 *
 * Takes an endpoint string apart as Twisted's `_parse` does: pieces are
 * separated by `:`; a piece with `=` is a keyword argument (only its first
 * `=` counts: `a=b=c` gives `a` the value `b=c`); a backslash makes the
 * next character literal (`unix:/tmp/a\:b` is the path `/tmp/a:b`). The
 * first positional piece is the type, compared without case.
 *
 * Unlike Twisted, a keyword given twice is an error (Twisted keeps the
 * last), since a description is usually typed by hand and the repetition
 * is a mistake.
 *
 * Returns: (transfer full) (nullable): the parts, or %NULL with @error set
 */
BraidEndpointDescription *
braid_endpoint_description_parse (const char *text, GError **error)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) kwargs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GString) current = g_string_new (NULL);
  g_autoptr (GError) local_error = NULL;
  g_autofree char *quoted = NULL;
  BraidEndpointDescription *description;
  gboolean equals_allowed = TRUE;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  quoted = quote (text);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "endpoint: %s is not valid UTF-8", quoted);
      return NULL;
    }
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == ':' || (*p == '=' && equals_allowed))
        {
          g_ptr_array_add (parts, g_string_free (g_steal_pointer (&current), FALSE));
          current = g_string_new (NULL);
          if (*p == ':')
            {
              add_argument (parts, args, kwargs, quoted, &local_error);
              equals_allowed = TRUE;
            }
          else
            equals_allowed = FALSE;
        }
      else if (*p == '\\')
        {
          if (p[1] == '\0')
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "endpoint: %s ends with a backslash that escapes nothing", quoted);
              return NULL;
            }
          g_string_append_c (current, *++p);
        }
      else
        g_string_append_c (current, *p);
    }
  g_ptr_array_add (parts, g_string_free (g_steal_pointer (&current), FALSE));
  add_argument (parts, args, kwargs, quoted, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (args->len == 0 || *(char *) g_ptr_array_index (args, 0) == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "endpoint: %s does not start with a type (tcp:, unix:...)", quoted);
      return NULL;
    }

  description = g_new0 (BraidEndpointDescription, 1);
  description->type = g_ascii_strdown (g_ptr_array_index (args, 0), -1);
  g_ptr_array_remove_index (args, 0);
  g_ptr_array_add (args, NULL);
  description->args = (char **) g_ptr_array_free (g_steal_pointer (&args), FALSE);
  description->kwargs = g_steal_pointer (&kwargs);
  return description;
}

/**
 * braid_endpoint_description_copy:
 * @self: a description
 *
 * Copies an endpoint description.
 *
 * Returns: (transfer full): a copy of @self
 */
BraidEndpointDescription *
braid_endpoint_description_copy (const BraidEndpointDescription *self)
{
  BraidEndpointDescription *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_new0 (BraidEndpointDescription, 1);
  copy->type = g_strdup (self->type);
  copy->args = g_strdupv (self->args);
  copy->kwargs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, self->kwargs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->kwargs, g_strdup (key), g_strdup (value));
  return copy;
}

/**
 * braid_endpoint_description_free:
 * @self: (nullable): a description
 *
 * Frees @self.
 */
void
braid_endpoint_description_free (BraidEndpointDescription *self)
{
  if (self == NULL)
    return;
  g_free (self->type);
  g_strfreev (self->args);
  g_hash_table_unref (self->kwargs);
  g_free (self);
}

/* ---------------------------------------------------------------------- */
/* Reading the arguments of a description, with errors that name the field. */

typedef struct
{
  const BraidEndpointDescription *description;
  guint next_arg;             /* the next positional argument to take */
  GHashTable *used;           /* keywords read so far */
} Reader;

static void
reader_init (Reader *reader, const BraidEndpointDescription *description)
{
  reader->description = description;
  reader->next_arg = 0;
  reader->used = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
reader_clear (Reader *reader)
{
  g_clear_pointer (&reader->used, g_hash_table_unref);
}

/* The value of @key, given by keyword or, when @positional, as the next
 * positional argument. NULL if absent; an error if given both ways. */
static const char *
reader_take (Reader *reader, const char *key, gboolean positional, GError **error)
{
  const char *by_key = g_hash_table_lookup (reader->description->kwargs, key);
  const char *by_position = NULL;

  if (by_key != NULL)
    g_hash_table_add (reader->used, (gpointer) key);
  if (positional && reader->description->args[reader->next_arg] != NULL)
    by_position = reader->description->args[reader->next_arg++];
  if (by_key != NULL && by_position != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: given twice, as '%s' and as %s=%s", key, by_position, key, by_key);
      return NULL;
    }
  return by_key != NULL ? by_key : by_position;
}

static gboolean
reader_finish (Reader *reader, GError **error)
{
  const BraidEndpointDescription *description = reader->description;
  GHashTableIter iter;
  gpointer key;

  if (description->args[reader->next_arg] != NULL)
    {
      g_autofree char *quoted = quote (description->args[reader->next_arg]);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: unexpected argument %s", description->type, quoted);
      return FALSE;
    }
  g_hash_table_iter_init (&iter, description->kwargs);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (reader->used, key))
      {
        g_autofree char *quoted = quote (key);

        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "%s: unknown option %s", description->type, quoted);
        return FALSE;
      }
  return TRUE;
}

/* Like reader_take(), but a missing value is an error that shows @usage. */
static const char *
reader_require (Reader *reader, const char *key, gboolean positional, const char *usage,
                GError **error)
{
  g_autoptr (GError) local_error = NULL;
  const char *value = reader_take (reader, key, positional, &local_error);

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  else if (value == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s: missing (%s)", key, usage);
  return value;
}

static gboolean
parse_unsigned (const char *key, const char *text, guint64 min, guint64 max,
                guint64 *out, GError **error)
{
  g_autoptr (GError) number_error = NULL;
  g_autofree char *quoted = quote (text);

  if (g_ascii_string_to_unsigned (text, 10, min, max, out, &number_error))
    return TRUE;
  if (g_error_matches (number_error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: %s is out of range (%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT ")",
                 key, quoted, min, max);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                 "%s: %s is not a number", key, quoted);
  return FALSE;
}

static gboolean
parse_seconds (const char *key, const char *text, gdouble *out, GError **error)
{
  g_autofree char *quoted = quote (text);
  char *end = NULL;
  gdouble value;

  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (*text == '\0' || end == NULL || *end != '\0' || errno != 0 || !isfinite (value))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: %s is not a number", key, quoted);
      return FALSE;
    }
  if (value <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: %s is not more than zero seconds", key, quoted);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* An IP address of @family (G_SOCKET_FAMILY_INVALID for either). */
static gboolean
check_address (const char *key, const char *text, GSocketFamily family, GError **error)
{
  g_autoptr (GInetAddress) address = g_inet_address_new_from_string (text);
  g_autofree char *quoted = quote (text);

  if (address == NULL || (family != G_SOCKET_FAMILY_INVALID
                          && g_inet_address_get_family (address) != family))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: %s is not an %s address", key, quoted,
                   family == G_SOCKET_FAMILY_IPV4 ? "IPv4"
                   : family == G_SOCKET_FAMILY_IPV6 ? "IPv6" : "IP");
      return FALSE;
    }
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Server endpoints.                                                       */

typedef enum
{
  SERVER_TCP,
  SERVER_UNIX,
  SERVER_SYSTEMD,
  SERVER_OTHER,           /* a registered type: a subclass listens */
} ServerKind;

typedef struct
{
  char *description;
  ServerKind kind;
  guint16 port;
  int backlog;
  char *interface;        /* TCP: the address to listen on */
  char *path;             /* UNIX */
  int mode;               /* UNIX: the socket file's mode, -1 to leave it */
  gboolean lockfile;      /* UNIX */
  gboolean reuse_port;    /* TCP: SO_REUSEPORT */
  GSocketFamily domain;   /* systemd: INET, INET6 or UNIX */
  guint index;            /* systemd */
} BraidServerEndpointPrivate;

/**
 * BraidServerEndpoint:
 *
 * Where a server listens, made from a string: Twisted's
 * `serverFromString`. The same program listens on a TCP port, a UNIX
 * socket or a socket systemd hands it, as its user decides:
 *
 * | string | listens on |
 * |---|---|
 * | `tcp:8000` | TCP port 8000, every IPv4 address |
 * | `tcp:8000:interface=127.0.0.1:backlog=100` | port 8000 of 127.0.0.1, with a backlog of 100 |
 * | `tcp:0` | a port the system chooses |
 * | `tcp:8000:reuseport=1` | TCP port 8000, shared with other processes that listen on it with `reuseport=1` too (`SO_REUSEPORT`: the kernel spreads the connections between them; `braidd --workers` uses it) |
 * | `tcp6:8000:interface=\:\:1` | TCP port 8000 of `::1` (every IPv6 address without `interface`) |
 * | `unix:/run/app.sock:mode=0660` | a UNIX socket, chmod 0660 once bound |
 * | `unix:/run/app.sock:lockfile=1` | the same, guarded by `/run/app.sock.lock` (a lock naming a live process refuses the address; a stale one is replaced with its socket file; the lock goes when the port stops listening) |
 * | `systemd:domain=INET:index=0` | the first socket systemd passed (`LISTEN_FDS`) |
 * | `tls:8443:certKey=cert.pem:privateKey=key.pem` | TLS on TCP port 8443 (`interface=` and `backlog=` as for `tcp:`; `certKey` defaults to `privateKey`, a PEM file with both) |
 *
 * A backslash makes the next character literal: `:` and `=` inside a
 * value are written `\:` and `\=` (see
 * [func@Braid.EndpointDescription.parse]). A bad string gets an error that
 * names the field and the text: `tcp:80:backlog=x` gives
 * `backlog: 'x' is not a number`.
 *
 * An endpoint listens through the [iface@Braid.Reactor] interface, so it
 * works on the memory reactor too: a service that listens on `tcp:8000`
 * is tested with no socket.
 *
 * `tls:` is registered by Braid itself through
 * [func@Braid.ServerEndpoint.register_type], the hook for other types
 * (docs/tls.md).
 *
 * `systemd:domain=D:index=N` listens on file descriptor 3 + N when
 * `LISTEN_PID` is this process and `LISTEN_FDS` is more than N (as
 * `sd_listen_fds()` reads them), through
 * [method@Braid.Reactor.adopt_stream_port]: the port accepts on a
 * duplicate of the descriptor, which stays open, so the service can stop
 * and listen again. (Twisted's `systemd:` endpoint closes the inherited
 * descriptor once adopted; it also leaves the environment alone, as Braid
 * does.) A descriptor that is not a listening socket of domain D is an
 * error that names it.
 *
 * `reuseport=1` is Braid's own: Twisted's `tcp:` has no such option.
 */
G_DEFINE_TYPE_WITH_PRIVATE (BraidServerEndpoint, braid_server_endpoint, G_TYPE_OBJECT)

/* The first file descriptor systemd passes (sd_listen_fds(3)). */
#define SD_LISTEN_FDS_START 3

static GHashTable *server_parsers;   /* type -> BraidServerEndpointParser */
static GHashTable *client_parsers;   /* type -> BraidClientEndpointParser */
G_LOCK_DEFINE_STATIC (parsers);

static BraidListeningPort *listen_builtin (BraidServerEndpoint *self, BraidReactor *reactor,
                                           BraidFactory *factory, GError **error);

static void
braid_server_endpoint_finalize (GObject *object)
{
  BraidServerEndpointPrivate *priv =
    braid_server_endpoint_get_instance_private (BRAID_SERVER_ENDPOINT (object));

  g_free (priv->description);
  g_free (priv->interface);
  g_free (priv->path);
  G_OBJECT_CLASS (braid_server_endpoint_parent_class)->finalize (object);
}

static void
braid_server_endpoint_class_init (BraidServerEndpointClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_server_endpoint_finalize;
  klass->listen = listen_builtin;
}

static void
braid_server_endpoint_init (BraidServerEndpoint *self)
{
  BraidServerEndpointPrivate *priv = braid_server_endpoint_get_instance_private (self);

  priv->kind = SERVER_OTHER;
  priv->mode = -1;
  priv->backlog = BRAID_DEFAULT_BACKLOG;
}

static gboolean
read_backlog (Reader *reader, int *backlog, GError **error)
{
  const char *text = reader_take (reader, "backlog", FALSE, error);
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!parse_unsigned ("backlog", text, 1, G_MAXINT, &value, error))
    return FALSE;
  *backlog = (int) value;
  return TRUE;
}

/* A `0` or `1` option: @flag is left alone when the option is absent. */
static gboolean
read_flag (Reader *reader, const char *name, gboolean *flag, GError **error)
{
  const char *text = reader_take (reader, name, FALSE, error);

  if (text == NULL)
    return TRUE;
  if (g_strcmp0 (text, "0") != 0 && g_strcmp0 (text, "1") != 0)
    {
      g_autofree char *quoted = quote (text);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: %s is not 0 or 1", name, quoted);
      return FALSE;
    }
  *flag = text[0] == '1';
  return TRUE;
}

static gboolean
parse_server_tcp (BraidServerEndpointPrivate *priv, Reader *reader, gboolean ipv6, GError **error)
{
  const char *port, *interface;
  guint64 value;

  port = reader_require (reader, "port", TRUE, ipv6 ? "tcp6:PORT" : "tcp:PORT", error);
  if (port == NULL)
    return FALSE;
  if (!parse_unsigned ("port", port, 0, G_MAXUINT16, &value, error))
    return FALSE;
  priv->port = (guint16) value;
  interface = reader_take (reader, "interface", FALSE, error);
  if (interface != NULL
      && !check_address ("interface", interface, ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4, error))
    return FALSE;
  priv->interface = g_strdup (interface != NULL ? interface : ipv6 ? "::" : "0.0.0.0");
  priv->kind = SERVER_TCP;
  if (!read_flag (reader, "reuseport", &priv->reuse_port, error))
    return FALSE;
  return read_backlog (reader, &priv->backlog, error);
}

static gboolean
parse_server_unix (BraidServerEndpointPrivate *priv, Reader *reader, GError **error)
{
  const char *path, *mode;
  guint64 value;

  path = reader_require (reader, "address", TRUE, "unix:PATH", error);
  if (path == NULL)
    return FALSE;
  if (*path == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "address: the path is empty");
      return FALSE;
    }
  priv->path = g_strdup (path);
  mode = reader_take (reader, "mode", FALSE, error);
  if (mode != NULL)
    {
      g_autofree char *quoted = quote (mode);

      if (!g_ascii_string_to_unsigned (mode, 8, 0, 07777, &value, NULL))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "mode: %s is not an octal file mode (such as 0660)", quoted);
          return FALSE;
        }
      priv->mode = (int) value;
    }
  if (!read_flag (reader, "lockfile", &priv->lockfile, error))
    return FALSE;
  priv->kind = SERVER_UNIX;
  return read_backlog (reader, &priv->backlog, error);
}

static gboolean
parse_server_systemd (BraidServerEndpointPrivate *priv, Reader *reader, GError **error)
{
  const char *domain, *index;
  guint64 value;

  domain = reader_require (reader, "domain", FALSE, "systemd:domain=INET:index=N", error);
  if (domain == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (domain, "INET") == 0)
    priv->domain = G_SOCKET_FAMILY_IPV4;
  else if (g_ascii_strcasecmp (domain, "INET6") == 0)
    priv->domain = G_SOCKET_FAMILY_IPV6;
  else if (g_ascii_strcasecmp (domain, "UNIX") == 0)
    priv->domain = G_SOCKET_FAMILY_UNIX;
  else
    {
      g_autofree char *quoted = quote (domain);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "domain: %s is not INET, INET6 or UNIX", quoted);
      return FALSE;
    }
  index = reader_require (reader, "index", FALSE, "systemd:domain=INET:index=N", error);
  if (index == NULL)
    return FALSE;
  if (!parse_unsigned ("index", index, 0, G_MAXINT - 3, &value, error))
    return FALSE;
  priv->index = (guint) value;
  priv->kind = SERVER_SYSTEMD;
  return TRUE;
}

static gboolean
parse_server_builtin (BraidServerEndpointPrivate *priv, const BraidEndpointDescription *description,
                      GError **error)
{
  Reader reader;
  gboolean ok;

  reader_init (&reader, description);
  if (g_str_equal (description->type, "tcp") || g_str_equal (description->type, "tcp6"))
    ok = parse_server_tcp (priv, &reader, g_str_equal (description->type, "tcp6"), error);
  else if (g_str_equal (description->type, "unix"))
    ok = parse_server_unix (priv, &reader, error);
  else
    ok = parse_server_systemd (priv, &reader, error);
  ok = ok && reader_finish (&reader, error);
  reader_clear (&reader);
  return ok;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
known_types (GHashTable *registered, const char *builtin)
{
  g_autoptr (GString) known = g_string_new (builtin);

  G_LOCK (parsers);
  if (registered != NULL)
    {
      guint n = 0;
      g_autofree gpointer *keys = g_hash_table_get_keys_as_array (registered, &n);

      /* In a stable order, whatever the hash table's. */
      qsort (keys, n, sizeof (gpointer), compare_names);
      for (guint i = 0; keys[i] != NULL; i++)
        g_string_append_printf (known, ", %s", (char *) keys[i]);
    }
  G_UNLOCK (parsers);
  return g_string_free (g_steal_pointer (&known), FALSE);
}

static gpointer
lookup_parser (GHashTable *registered, const char *type)
{
  gpointer parser = NULL;

  G_LOCK (parsers);
  if (registered != NULL)
    parser = g_hash_table_lookup (registered, type);
  G_UNLOCK (parsers);
  return parser;
}

static void
register_parser (GHashTable **registered, const char *type, gpointer parser)
{
  G_LOCK (parsers);
  if (*registered == NULL)
    *registered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (*registered, g_ascii_strdown (type, -1), parser);
  G_UNLOCK (parsers);
}

/* The types Braid registers itself, through the same hook as a program's
 * (`tls:`, braid-tls-endpoint.c): added once, before the first lookup,
 * unless the program registered its own under the same name first. */
static void
ensure_builtin_types (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      if (lookup_parser (server_parsers, "tls") == NULL)
        register_parser (&server_parsers, "tls", braid_tls_server_endpoint_parse);
      if (lookup_parser (client_parsers, "tls") == NULL)
        register_parser (&client_parsers, "tls", braid_tls_client_endpoint_parse);
      g_once_init_leave (&done, 1);
    }
}


/**
 * braid_server_endpoint_new_for_string:
 * @description: an endpoint string, such as `tcp:8000`
 * @error: set when @description is not a valid endpoint
 *
 * Makes the server endpoint @description describes (see
 * [class@Braid.ServerEndpoint] for the syntax). The error, in the
 * `G_IO_ERROR_INVALID_ARGUMENT` code, names the field and the text that
 * is wrong.
 *
 * Returns: (transfer full) (nullable): the endpoint, or %NULL with @error set
 */
BraidServerEndpoint *
braid_server_endpoint_new_for_string (const char *description, GError **error)
{
  g_autoptr (BraidEndpointDescription) parts = NULL;
  g_autoptr (BraidServerEndpoint) endpoint = NULL;
  BraidServerEndpointParser parser;
  BraidServerEndpointPrivate *priv;

  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_builtin_types ();
  parts = braid_endpoint_description_parse (description, error);
  if (parts == NULL)
    return NULL;
  parser = lookup_parser (server_parsers, parts->type);
  if (parser != NULL)
    endpoint = parser (parts, error);
  else if (g_str_equal (parts->type, "tcp") || g_str_equal (parts->type, "tcp6")
           || g_str_equal (parts->type, "unix") || g_str_equal (parts->type, "systemd"))
    {
      g_autoptr (GError) local_error = NULL;

      endpoint = g_object_new (BRAID_TYPE_SERVER_ENDPOINT, NULL);
      if (!parse_server_builtin (braid_server_endpoint_get_instance_private (endpoint), parts, &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  else
    {
      g_autofree char *quoted = quote (parts->type);
      g_autofree char *known = known_types (server_parsers, "tcp, tcp6, unix, systemd");

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "endpoint: unknown type %s (known: %s)", quoted, known);
      return NULL;
    }
  if (endpoint == NULL)
    return NULL;
  priv = braid_server_endpoint_get_instance_private (endpoint);
  g_free (priv->description);
  priv->description = g_strdup (description);
  return g_steal_pointer (&endpoint);
}

/**
 * braid_server_endpoint_register_type:
 * @type: the type, as it starts a string (`"tls"`)
 * @parser: (scope forever): makes the endpoint from the string's parts
 *
 * Adds an endpoint type, or replaces how one is parsed: the hook through
 * which `tls:` endpoints are added. @parser returns a subclass of
 * [class@Braid.ServerEndpoint] that overrides `listen`.
 */
void
braid_server_endpoint_register_type (const char *type, BraidServerEndpointParser parser)
{
  g_return_if_fail (type != NULL && *type != '\0');
  g_return_if_fail (parser != NULL);

  register_parser (&server_parsers, type, parser);
}

/**
 * braid_server_endpoint_get_description:
 * @self: a server endpoint
 *
 * Gets the parsed description @self was made from.
 *
 * Returns: (nullable): the string @self was made from
 */
const char *
braid_server_endpoint_get_description (BraidServerEndpoint *self)
{
  BraidServerEndpointPrivate *priv;

  g_return_val_if_fail (BRAID_IS_SERVER_ENDPOINT (self), NULL);
  priv = braid_server_endpoint_get_instance_private (self);
  return priv->description;
}

/**
 * braid_server_endpoint_listen: (virtual listen)
 * @self: a server endpoint
 * @reactor: the reactor to listen on
 * @factory: builds a protocol for each connection
 * @error: set when the port cannot be opened (in use, no permission...)
 *
 * Starts listening. Twisted's `listen` returns a deferred; Braid's
 * reactors open a port at once, so this returns the port or the error
 * directly.
 *
 * Returns: (transfer none) (nullable): the listening port, owned by the
 *   reactor; %NULL with @error set
 */
BraidListeningPort *
braid_server_endpoint_listen (BraidServerEndpoint *self, BraidReactor *reactor,
                              BraidFactory *factory, GError **error)
{
  g_return_val_if_fail (BRAID_IS_SERVER_ENDPOINT (self), NULL);
  g_return_val_if_fail (BRAID_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (BRAID_IS_FACTORY (factory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return BRAID_SERVER_ENDPOINT_GET_CLASS (self)->listen (self, reactor, factory, error);
}

/* The lock file of unix:PATH:lockfile=1, as Twisted's: PATH.lock names the
 * process that owns the socket. A lock whose process is gone is stale: it
 * and the socket file it guarded are removed. */
static gboolean
take_unix_lock (const char *path, GError **error)
{
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  g_autofree char *pid_text = g_strdup_printf ("%d\n", (int) getpid ());
  g_autofree char *contents = NULL;

  if (g_file_get_contents (lock_path, &contents, NULL, NULL))
    {
      guint64 pid = 0;

      g_strstrip (contents);
      if (g_ascii_string_to_unsigned (contents, 10, 1, G_MAXINT, &pid, NULL)
          && (pid == (guint64) getpid () || kill ((pid_t) pid, 0) == 0 || errno == EPERM))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                       "unix: %s is in use by process %" G_GUINT64_FORMAT " (see %s)",
                       path, pid, lock_path);
          return FALSE;
        }
      g_unlink (path);
    }
  if (!g_file_set_contents (lock_path, pid_text, -1, error))
    return FALSE;
  return TRUE;
}

/* The port of unix:PATH:lockfile=1: the reactor's port, plus the lock,
 * released when the port stops listening, as Twisted does. The reactor's
 * port owns it (object data), so it lives exactly as long. */
#define LOCKED_TYPE_PORT (locked_port_get_type ())
G_DECLARE_FINAL_TYPE (LockedPort, locked_port, LOCKED, PORT, GObject)

struct _LockedPort
{
  GObject parent_instance;

  BraidListeningPort *inner;   /* not owned: it owns us */
  char *lock_path;
};

static void locked_port_iface_init (BraidListeningPortInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LockedPort, locked_port, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_LISTENING_PORT, locked_port_iface_init))

static GSocketAddress *
locked_port_get_host (BraidListeningPort *port)
{
  return braid_listening_port_get_host (LOCKED_PORT (port)->inner);
}

static void
release_unix_lock (const char *lock_path)
{
  g_autofree char *contents = NULL;
  g_autofree char *ours = g_strdup_printf ("%d\n", (int) getpid ());

  if (g_file_get_contents (lock_path, &contents, NULL, NULL) && g_str_equal (contents, ours))
    g_unlink (lock_path);
}

static void
locked_port_stop_listening (BraidListeningPort *port)
{
  LockedPort *self = LOCKED_PORT (port);

  braid_listening_port_stop_listening (self->inner);
  if (self->lock_path != NULL)
    release_unix_lock (self->lock_path);
  g_clear_pointer (&self->lock_path, g_free);
}

static void
locked_port_iface_init (BraidListeningPortInterface *iface)
{
  iface->get_host = locked_port_get_host;
  iface->stop_listening = locked_port_stop_listening;
}

static void
locked_port_finalize (GObject *object)
{
  g_free (LOCKED_PORT (object)->lock_path);
  G_OBJECT_CLASS (locked_port_parent_class)->finalize (object);
}

static void
locked_port_class_init (LockedPortClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = locked_port_finalize;
}

static void
locked_port_init (LockedPort *self)
{
}

static BraidListeningPort *
locked_port_wrap (BraidListeningPort *inner, const char *path)
{
  LockedPort *self = g_object_new (LOCKED_TYPE_PORT, NULL);

  self->inner = inner;
  self->lock_path = g_strconcat (path, ".lock", NULL);
  g_object_set_data_full (G_OBJECT (inner), "braid-unix-lock", self, g_object_unref);
  return BRAID_LISTENING_PORT (self);
}

static BraidListeningPort *
listen_builtin (BraidServerEndpoint *self, BraidReactor *reactor,
                BraidFactory *factory, GError **error)
{
  BraidServerEndpointPrivate *priv = braid_server_endpoint_get_instance_private (self);
  BraidListeningPort *port = NULL;

  switch (priv->kind)
    {
    case SERVER_TCP:
      if (priv->reuse_port)
        return braid_reactor_listen_tcp_reuse_port (reactor, priv->port, factory, priv->backlog,
                                                    priv->interface, error);
      return braid_reactor_listen_tcp_full (reactor, priv->port, factory, priv->backlog,
                                            priv->interface, error);
    case SERVER_UNIX:
      if (priv->lockfile && !take_unix_lock (priv->path, error))
        return NULL;
      port = braid_reactor_listen_unix (reactor, priv->path, factory, error);
      if (port != NULL && priv->mode >= 0 && g_chmod (priv->path, priv->mode) != 0)
        {
          int saved_errno = errno;

          braid_listening_port_stop_listening (port);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "mode: cannot chmod %s to %04o: %s", priv->path, (guint) priv->mode,
                       g_strerror (saved_errno));
          port = NULL;
        }
      if (priv->lockfile)
        {
          g_autofree char *lock_path = g_strconcat (priv->path, ".lock", NULL);

          if (port == NULL)
            release_unix_lock (lock_path);
          else
            port = locked_port_wrap (port, priv->path);
        }
      return port;
    case SERVER_SYSTEMD:
      {
        const char *listen_pid = g_getenv ("LISTEN_PID");
        const char *listen_fds = g_getenv ("LISTEN_FDS");
        guint64 pid = 0, n_fds = 0;

        if (listen_pid == NULL || listen_fds == NULL
            || !g_ascii_string_to_unsigned (listen_pid, 10, 1, G_MAXINT, &pid, NULL)
            || pid != (guint64) getpid ()
            || !g_ascii_string_to_unsigned (listen_fds, 10, 0, G_MAXINT, &n_fds, NULL))
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "systemd: no sockets were passed to this process "
                         "(LISTEN_PID and LISTEN_FDS are not set for it)");
            return NULL;
          }
        if (priv->index >= n_fds)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         "index: %u is past the %" G_GUINT64_FORMAT " socket(s) systemd passed",
                         priv->index, n_fds);
            return NULL;
          }
        port = braid_reactor_adopt_stream_port (reactor, SD_LISTEN_FDS_START + (int) priv->index,
                                                priv->domain, factory, error);
        if (port == NULL)
          g_prefix_error (error, "systemd: socket %u: ", priv->index);
        return port;
      }
    case SERVER_OTHER:
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "endpoint: %s does not say how to listen",
                   priv->description != NULL ? priv->description : G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
}

/* ---------------------------------------------------------------------- */
/* Client endpoints.                                                       */

typedef enum
{
  CLIENT_TCP,
  CLIENT_UNIX,
  CLIENT_OTHER,
} ClientKind;

typedef struct
{
  char *description;
  ClientKind kind;
  char *host;             /* TCP */
  guint16 port;           /* TCP */
  char *bind_address;     /* TCP, nullable */
  char *path;             /* UNIX */
  gdouble timeout;
} BraidClientEndpointPrivate;

/**
 * BraidClientEndpoint:
 *
 * Where a client connects, made from a string: Twisted's
 * `clientFromString`.
 *
 * | string | connects to |
 * |---|---|
 * | `tcp:host=example.com:port=80` | TCP port 80 of example.com (`tcp:example.com:80` too) |
 * | `tcp:host=::1:port=80:timeout=5` | the same, giving up after 5 s (default 30) |
 * | `tcp:host=H:port=P:bindAddress=192.0.2.1` | from that local address |
 * | `unix:path=/run/app.sock:timeout=2` | a UNIX socket (`unix:/run/app.sock` too) |
 * | `tls:host=example.com:port=443` | TLS to port 443, the certificate verified against the system's CAs and the name example.com |
 * | `tls:host=localhost:port=8443:trustRoots=ca.pem` | the same, trusting only the CAs of ca.pem (`certificate=` and `privateKey=` give a client certificate; `timeout=`, `bindAddress=` as for `tcp:`) |
 *
 * Escapes and errors are as for [class@Braid.ServerEndpoint]; other types
 * are added with [func@Braid.ClientEndpoint.register_type].
 */
G_DEFINE_TYPE_WITH_PRIVATE (BraidClientEndpoint, braid_client_endpoint, G_TYPE_OBJECT)

static BraidConnector *connect_builtin (BraidClientEndpoint *self, BraidReactor *reactor,
                                        BraidClientFactory *factory, GError **error);

static void
braid_client_endpoint_finalize (GObject *object)
{
  BraidClientEndpointPrivate *priv =
    braid_client_endpoint_get_instance_private (BRAID_CLIENT_ENDPOINT (object));

  g_free (priv->description);
  g_free (priv->host);
  g_free (priv->bind_address);
  g_free (priv->path);
  G_OBJECT_CLASS (braid_client_endpoint_parent_class)->finalize (object);
}

static void
braid_client_endpoint_class_init (BraidClientEndpointClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_client_endpoint_finalize;
  klass->connect = connect_builtin;
}

static void
braid_client_endpoint_init (BraidClientEndpoint *self)
{
  BraidClientEndpointPrivate *priv = braid_client_endpoint_get_instance_private (self);

  priv->kind = CLIENT_OTHER;
  priv->timeout = BRAID_DEFAULT_CONNECT_TIMEOUT;
}

static gboolean
read_timeout (Reader *reader, gdouble *timeout, GError **error)
{
  const char *text = reader_take (reader, "timeout", FALSE, error);

  return text == NULL || parse_seconds ("timeout", text, timeout, error);
}

static gboolean
parse_client_builtin (BraidClientEndpointPrivate *priv, const BraidEndpointDescription *description,
                      GError **error)
{
  Reader reader;
  gboolean ok = FALSE;

  reader_init (&reader, description);
  if (g_str_equal (description->type, "tcp"))
    {
      const char *host, *port, *bind_address;
      guint64 value;

      host = reader_require (&reader, "host", TRUE, "tcp:host=H:port=P", error);
      if (host == NULL)
        goto out;
      if (*host == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "host: the name is empty");
          goto out;
        }
      port = reader_require (&reader, "port", TRUE, "tcp:host=H:port=P", error);
      if (port == NULL)
        goto out;
      if (!parse_unsigned ("port", port, 1, G_MAXUINT16, &value, error))
        goto out;
      bind_address = reader_take (&reader, "bindAddress", FALSE, error);
      if (bind_address != NULL
          && !check_address ("bindAddress", bind_address, G_SOCKET_FAMILY_INVALID, error))
        goto out;
      if (!read_timeout (&reader, &priv->timeout, error))
        goto out;
      priv->host = g_strdup (host);
      priv->port = (guint16) value;
      priv->bind_address = g_strdup (bind_address);
      priv->kind = CLIENT_TCP;
    }
  else
    {
      const char *path = reader_require (&reader, "path", TRUE, "unix:path=P", error);

      if (path == NULL)
        goto out;
      if (*path == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "path: the path is empty");
          goto out;
        }
      if (!read_timeout (&reader, &priv->timeout, error))
        goto out;
      priv->path = g_strdup (path);
      priv->kind = CLIENT_UNIX;
    }
  ok = reader_finish (&reader, error);
out:
  reader_clear (&reader);
  return ok;
}

/**
 * braid_client_endpoint_new_for_string:
 * @description: an endpoint string, such as `tcp:host=localhost:port=8000`
 * @error: set when @description is not a valid endpoint
 *
 * Makes the client endpoint @description describes (see
 * [class@Braid.ClientEndpoint] for the syntax).
 *
 * Returns: (transfer full) (nullable): the endpoint, or %NULL with @error set
 */
BraidClientEndpoint *
braid_client_endpoint_new_for_string (const char *description, GError **error)
{
  g_autoptr (BraidEndpointDescription) parts = NULL;
  g_autoptr (BraidClientEndpoint) endpoint = NULL;
  BraidClientEndpointParser parser;
  BraidClientEndpointPrivate *priv;

  g_return_val_if_fail (description != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_builtin_types ();
  parts = braid_endpoint_description_parse (description, error);
  if (parts == NULL)
    return NULL;
  parser = lookup_parser (client_parsers, parts->type);
  if (parser != NULL)
    endpoint = parser (parts, error);
  else if (g_str_equal (parts->type, "tcp") || g_str_equal (parts->type, "unix"))
    {
      g_autoptr (GError) local_error = NULL;

      endpoint = g_object_new (BRAID_TYPE_CLIENT_ENDPOINT, NULL);
      if (!parse_client_builtin (braid_client_endpoint_get_instance_private (endpoint), parts, &local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  else
    {
      g_autofree char *quoted = quote (parts->type);
      g_autofree char *known = known_types (client_parsers, "tcp, unix");

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "endpoint: unknown type %s (known: %s)", quoted, known);
      return NULL;
    }
  if (endpoint == NULL)
    return NULL;
  priv = braid_client_endpoint_get_instance_private (endpoint);
  g_free (priv->description);
  priv->description = g_strdup (description);
  return g_steal_pointer (&endpoint);
}

/**
 * braid_client_endpoint_register_type:
 * @type: the type, as it starts a string (`"tls"`)
 * @parser: (scope forever): makes the endpoint from the string's parts
 *
 * Adds a client endpoint type: the hook through which `tls:` is added.
 */
void
braid_client_endpoint_register_type (const char *type, BraidClientEndpointParser parser)
{
  g_return_if_fail (type != NULL && *type != '\0');
  g_return_if_fail (parser != NULL);

  register_parser (&client_parsers, type, parser);
}

/**
 * braid_client_endpoint_get_description:
 * @self: a client endpoint
 *
 * Gets the parsed description @self was made from.
 *
 * Returns: (nullable): the string @self was made from
 */
const char *
braid_client_endpoint_get_description (BraidClientEndpoint *self)
{
  BraidClientEndpointPrivate *priv;

  g_return_val_if_fail (BRAID_IS_CLIENT_ENDPOINT (self), NULL);
  priv = braid_client_endpoint_get_instance_private (self);
  return priv->description;
}

/**
 * braid_client_endpoint_connect: (virtual connect)
 * @self: a client endpoint
 * @reactor: the reactor to connect with
 * @factory: told how the attempt goes, and builds the protocol
 * @error: set when no attempt can be started (say, no UNIX sockets)
 *
 * Starts a connection attempt, as [method@Braid.Reactor.connect_tcp]
 * does: Twisted's endpoints return a deferred protocol; Braid keeps the
 * reactor's connector and client factory, which is what
 * [class@Braid.ClientService] builds on.
 *
 * Returns: (transfer none) (nullable): the connector, owned by the reactor
 */
BraidConnector *
braid_client_endpoint_connect (BraidClientEndpoint *self, BraidReactor *reactor,
                               BraidClientFactory *factory, GError **error)
{
  g_return_val_if_fail (BRAID_IS_CLIENT_ENDPOINT (self), NULL);
  g_return_val_if_fail (BRAID_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (BRAID_IS_CLIENT_FACTORY (factory), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return BRAID_CLIENT_ENDPOINT_GET_CLASS (self)->connect (self, reactor, factory, error);
}

static BraidConnector *
connect_builtin (BraidClientEndpoint *self, BraidReactor *reactor,
                 BraidClientFactory *factory, GError **error)
{
  BraidClientEndpointPrivate *priv = braid_client_endpoint_get_instance_private (self);
  BraidConnector *connector;

  switch (priv->kind)
    {
    case CLIENT_TCP:
      {
        g_autoptr (GSocketAddress) bind_address = NULL;

        if (priv->bind_address != NULL)
          bind_address = g_inet_socket_address_new_from_string (priv->bind_address, 0);
        return braid_reactor_connect_tcp_full (reactor, priv->host, priv->port, factory,
                                               priv->timeout, bind_address);
      }
    case CLIENT_UNIX:
      connector = braid_reactor_connect_unix (reactor, priv->path, factory, priv->timeout);
      if (connector == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     "unix: this reactor has no UNIX sockets");
      return connector;
    case CLIENT_OTHER:
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "endpoint: %s does not say how to connect",
                   priv->description != NULL ? priv->description : G_OBJECT_TYPE_NAME (self));
      return NULL;
    }
}

/* A built-in (tcp, unix...) server endpoint from a description: for the
 * endpoint types that listen through one, such as `tls:`. */
BraidServerEndpoint *
braid_server_endpoint_new_builtin (const BraidEndpointDescription *description, GError **error)
{
  g_autoptr (BraidServerEndpoint) endpoint = g_object_new (BRAID_TYPE_SERVER_ENDPOINT, NULL);

  if (!parse_server_builtin (braid_server_endpoint_get_instance_private (endpoint), description, error))
    return NULL;
  return g_steal_pointer (&endpoint);
}

/* The same for a client endpoint. */
BraidClientEndpoint *
braid_client_endpoint_new_builtin (const BraidEndpointDescription *description, GError **error)
{
  g_autoptr (BraidClientEndpoint) endpoint = g_object_new (BRAID_TYPE_CLIENT_ENDPOINT, NULL);

  if (!parse_client_builtin (braid_client_endpoint_get_instance_private (endpoint), description, error))
    return NULL;
  return g_steal_pointer (&endpoint);
}
