/* braidd.c: runs Braid services from plugins -- the twistd of Braid.
 *
 *   braidd [OPTIONS] PLUGIN [PLUGIN OPTIONS]
 *   braidd [OPTIONS] --config FILE
 *   braidd --workers N [OPTIONS] ...   (braidd-workers.c)
 *
 * Unlike twistd, braidd runs in the foreground unless given --daemon: the
 * way systemd and containers want a service, and the way a learner wants
 * to see it. Startup errors are one line on stderr
 * and a non-zero exit, with nothing left behind (no pidfile, no port). */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <sys/stat.h>
#include <syslog.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gmodule.h>

#include "braidd-plugin.h"
#include "braidd-workers.h"

#define EXIT_USAGE 2

/* --- Plugins ------------------------------------------------------------ */

/* Every directory braidd looks in for plugins, in order. */
static GPtrArray *
plugin_search_path (void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  const char *env = g_getenv ("BRAID_PLUGIN_PATH");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (env != NULL)
    {
      g_auto (GStrv) parts = g_strsplit (env, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; parts[i] != NULL; i++)
        if (parts[i][0] != '\0')
          g_ptr_array_add (dirs, g_strdup (parts[i]));
    }
  g_ptr_array_add (dirs, g_strdup (BRAIDD_PLUGIN_DIR));
  /* Run from the build tree: its freshly built plugins come last. */
  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);

      if (g_str_equal (dir, BRAIDD_BUILD_DIR))
        g_ptr_array_add (dirs, g_build_filename (BRAIDD_BUILD_DIR, "plugins", NULL));
    }
  return dirs;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

/* Loads every plugin found; reports (and skips) the ones that fail. The
 * first plugin of a name wins, so BRAID_PLUGIN_PATH overrides. */
static GPtrArray *
load_plugins (void)
{
  GPtrArray *plugins = g_ptr_array_new ();
  g_autoptr (GPtrArray) dirs = plugin_search_path ();
  g_autofree char *suffix = g_strconcat (".", G_MODULE_SUFFIX, NULL);

  for (guint d = 0; d < dirs->len; d++)
    {
      g_autoptr (GDir) dir = g_dir_open (g_ptr_array_index (dirs, d), 0, NULL);
      g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (dir == NULL)
        continue;
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, suffix))
          g_ptr_array_add (files, g_build_filename (g_ptr_array_index (dirs, d), name, NULL));
      g_ptr_array_sort (files, compare_paths);
      for (guint f = 0; f < files->len; f++)
        {
          const char *path = g_ptr_array_index (files, f);
          GModule *module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
          const BraiddPlugin *plugin = NULL;
          gboolean duplicate = FALSE;

          if (module == NULL)
            {
              g_printerr ("braidd: cannot load plugin %s: %s\n", path, g_module_error ());
              continue;
            }
          if (!g_module_symbol (module, BRAIDD_PLUGIN_SYMBOL, (gpointer *) &plugin) || plugin == NULL)
            {
              g_printerr ("braidd: cannot load plugin %s: %s\n", path, g_module_error ());
              g_module_close (module);
              continue;
            }
          if (plugin->abi != BRAIDD_PLUGIN_ABI || plugin->name == NULL || plugin->make_service == NULL)
            {
              g_printerr ("braidd: cannot load plugin %s: built for plugin ABI %u, not %u\n",
                          path, plugin->abi, BRAIDD_PLUGIN_ABI);
              g_module_close (module);
              continue;
            }
          for (guint i = 0; i < plugins->len; i++)
            duplicate |= g_str_equal (((const BraiddPlugin *) g_ptr_array_index (plugins, i))->name,
                                      plugin->name);
          if (duplicate)
            {
              g_module_close (module);
              continue;
            }
          /* Plugins register GTypes: they stay loaded for the process. */
          g_module_make_resident (module);
          g_ptr_array_add (plugins, (gpointer) plugin);
        }
    }
  return plugins;
}

static const BraiddPlugin *
find_plugin (GPtrArray *plugins, const char *name)
{
  for (guint i = 0; i < plugins->len; i++)
    if (g_str_equal (((const BraiddPlugin *) g_ptr_array_index (plugins, i))->name, name))
      return g_ptr_array_index (plugins, i);
  return NULL;
}

static char *
plugin_names (GPtrArray *plugins)
{
  g_autoptr (GString) names = g_string_new (NULL);

  for (guint i = 0; i < plugins->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                            ((const BraiddPlugin *) g_ptr_array_index (plugins, i))->name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* --- One service's settings ---------------------------------------------- */

typedef struct
{
  const BraiddPlugin *plugin;
  char *name;                /* the service's name */
  char *port;                /* --port */
  char *endpoint;            /* --endpoint */
  GHashTable *options;       /* plugin option -> text */
} ServiceSpec;

static void
service_spec_free (ServiceSpec *spec)
{
  g_free (spec->name);
  g_free (spec->port);
  g_free (spec->endpoint);
  g_hash_table_unref (spec->options);
  g_free (spec);
}

static ServiceSpec *
service_spec_new (const BraiddPlugin *plugin, const char *name)
{
  ServiceSpec *spec = g_new0 (ServiceSpec, 1);

  spec->plugin = plugin;
  spec->name = g_strdup (name);
  spec->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return spec;
}

static const GOptionEntry *
find_plugin_option (const BraiddPlugin *plugin, const char *name)
{
  for (const GOptionEntry *entry = plugin->options; entry != NULL && entry->long_name != NULL; entry++)
    if (g_str_equal (entry->long_name, name))
      return entry;
  return NULL;
}

/* Checks @value against the option's type and records it. */
static gboolean
set_plugin_option (ServiceSpec *spec, const GOptionEntry *entry, const char *value, GError **error)
{
  g_autofree char *text = NULL;

  switch (entry->arg)
    {
    case G_OPTION_ARG_NONE:
      if (value == NULL || g_str_equal (value, "true"))
        text = g_strdup ("true");
      else if (g_str_equal (value, "false"))
        {
          g_hash_table_remove (spec->options, entry->long_name);
          return TRUE;
        }
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--%s: '%s' is not true or false", entry->long_name, value);
          return FALSE;
        }
      break;
    case G_OPTION_ARG_INT:
      {
        gint64 number;

        if (!g_ascii_string_to_signed (value, 10, G_MININT, G_MAXINT, &number, NULL))
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "--%s: '%s' is not a number", entry->long_name, value);
            return FALSE;
          }
        text = g_strdup (value);
        break;
      }
    case G_OPTION_ARG_DOUBLE:
      {
        char *end = NULL;

        g_ascii_strtod (value, &end);
        if (*value == '\0' || end == NULL || *end != '\0')
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         "--%s: '%s' is not a number", entry->long_name, value);
            return FALSE;
          }
        text = g_strdup (value);
        break;
      }
    default:
      text = g_strdup (value);
      break;
    }
  g_hash_table_insert (spec->options, g_strdup (entry->long_name), g_steal_pointer (&text));
  return TRUE;
}

/* GOption hands every plugin option here (they are all callbacks). */
static gboolean
on_plugin_option (const char *option_name, const char *value, gpointer data, GError **error)
{
  ServiceSpec *spec = data;
  const char *name = option_name + (g_str_has_prefix (option_name, "--") ? 2 : 1);
  const GOptionEntry *entry = NULL;

  if (g_str_equal (name, "port"))
    return g_free (spec->port), spec->port = g_strdup (value), TRUE;
  if (g_str_equal (name, "endpoint"))
    return g_free (spec->endpoint), spec->endpoint = g_strdup (value), TRUE;
  entry = find_plugin_option (spec->plugin, name);
  if (entry == NULL)    /* a short name */
    for (const GOptionEntry *e = spec->plugin->options; e != NULL && e->long_name != NULL; e++)
      if (e->short_name != 0 && name[0] == e->short_name && name[1] == '\0')
        entry = e;
  g_assert (entry != NULL);
  return set_plugin_option (spec, entry, value, error);
}

/* The plugin's command line: `braidd PLUGIN --port N ...`. */
static GOptionContext *
plugin_option_context (ServiceSpec *spec, GArray **entries_out)
{
  const BraiddPlugin *plugin = spec->plugin;
  g_autofree char *summary = g_strdup_printf ("braidd %s: %s", plugin->name, plugin->description);
  g_autofree char *name = g_strdup_printf ("%s", plugin->name);
  GArray *entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  GOptionContext *context = g_option_context_new ("- run one plugin");
  GOptionGroup *group;
  GOptionEntry common[] = {
    { "port", 0, 0, G_OPTION_ARG_CALLBACK, on_plugin_option,
      "Listen on TCP port N of 127.0.0.1", "N" },
    { "endpoint", 0, 0, G_OPTION_ARG_CALLBACK, on_plugin_option,
      "Listen on ENDPOINT (tcp:8000, unix:/run/x.sock...)", "ENDPOINT" },
  };

  g_array_append_vals (entries, common, G_N_ELEMENTS (common));
  for (const GOptionEntry *e = plugin->options; e != NULL && e->long_name != NULL; e++)
    {
      GOptionEntry copy = *e;

      copy.arg = G_OPTION_ARG_CALLBACK;
      copy.arg_data = (gpointer) on_plugin_option;
      if (e->arg == G_OPTION_ARG_NONE)
        copy.flags |= G_OPTION_FLAG_NO_ARG;
      g_array_append_val (entries, copy);
    }
  group = g_option_group_new (name, summary, "Show the plugin's options", spec, NULL);
  g_option_group_add_entries (group, (const GOptionEntry *) entries->data);
  g_option_context_set_main_group (context, group);
  g_option_context_set_summary (context, summary);
  *entries_out = entries;
  return context;
}

static char *
spec_endpoint (ServiceSpec *spec, GError **error)
{
  guint64 port;

  if (spec->port != NULL && spec->endpoint != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "give --port or --endpoint, not both");
      return NULL;
    }
  if (spec->endpoint != NULL)
    return g_strdup (spec->endpoint);
  if (spec->port != NULL)
    {
      if (!g_ascii_string_to_unsigned (spec->port, 10, 0, G_MAXUINT16, &port, NULL))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--port: '%s' is not a port number (0-65535)", spec->port);
          return NULL;
        }
      return g_strdup_printf ("tcp:%" G_GUINT64_FORMAT ":interface=127.0.0.1", port);
    }
  if (spec->plugin->default_endpoint != NULL)
    return g_strdup (spec->plugin->default_endpoint);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "give --port N or --endpoint STRING");
  return NULL;
}

/* --- The config file ------------------------------------------------------ */

/* [service NAME] sections: plugin=, endpoint= or port=, plugin options. */
static GPtrArray *
read_config (const char *path, GPtrArray *plugins, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GPtrArray) specs = g_ptr_array_new_with_free_func ((GDestroyNotify) service_spec_free);
  g_auto (GStrv) groups = NULL;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "cannot read config %s: ", path);
      return NULL;
    }
  groups = g_key_file_get_groups (file, NULL);
  for (guint g = 0; groups[g] != NULL; g++)
    {
      const char *group = groups[g];
      g_autofree char *plugin_name = NULL;
      g_auto (GStrv) keys = NULL;
      const BraiddPlugin *plugin;
      ServiceSpec *spec;

      if (!g_str_has_prefix (group, "service ") || group[strlen ("service ")] == '\0')
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                       "config %s: [%s]: sections are [service NAME]", path, group);
          return NULL;
        }
      plugin_name = g_key_file_get_string (file, group, "plugin", NULL);
      if (plugin_name == NULL)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                       "config %s: [%s]: no plugin= key", path, group);
          return NULL;
        }
      plugin = find_plugin (plugins, plugin_name);
      if (plugin == NULL)
        {
          g_autofree char *known = plugin_names (plugins);

          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "config %s: [%s]: unknown plugin '%s' (known: %s)", path, group, plugin_name, known);
          return NULL;
        }
      spec = service_spec_new (plugin, group + strlen ("service "));
      g_ptr_array_add (specs, spec);
      keys = g_key_file_get_keys (file, group, NULL, NULL);
      for (guint k = 0; keys[k] != NULL; k++)
        {
          g_autofree char *value = g_key_file_get_string (file, group, keys[k], NULL);
          const GOptionEntry *entry;
          g_autoptr (GError) option_error = NULL;

          if (g_str_equal (keys[k], "plugin"))
            continue;
          if (g_str_equal (keys[k], "port"))
            g_free (spec->port), spec->port = g_steal_pointer (&value);
          else if (g_str_equal (keys[k], "endpoint"))
            g_free (spec->endpoint), spec->endpoint = g_steal_pointer (&value);
          else if ((entry = find_plugin_option (plugin, keys[k])) == NULL)
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                           "config %s: [%s]: unknown option '%s' for plugin %s",
                           path, group, keys[k], plugin->name);
              return NULL;
            }
          else if (!set_plugin_option (spec, entry, value, &option_error))
            {
              g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                           "config %s: [%s]: %s", path, group, option_error->message);
              return NULL;
            }
        }
    }
  if (specs->len == 0)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                   "config %s: no [service NAME] section", path);
      return NULL;
    }
  return g_steal_pointer (&specs);
}

/* --- The pidfile ---------------------------------------------------------- */

/* Refuses to start over a live process; a stale pidfile is replaced later. */
static gboolean
check_pidfile (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  guint64 pid;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return TRUE;
  g_strstrip (contents);
  if (g_ascii_string_to_unsigned (contents, 10, 1, G_MAXINT, &pid, NULL)
      && (kill ((pid_t) pid, 0) == 0 || errno == EPERM))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "pidfile %s names a running process (pid %" G_GUINT64_FORMAT "); "
                   "is braidd already running?", path, pid);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_pidfile (const char *path, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%d\n", (int) getpid ());

  if (!g_file_set_contents (path, text, -1, error))
    {
      g_prefix_error (error, "cannot write pidfile: ");
      return FALSE;
    }
  return TRUE;
}

/* Removes the pidfile if it is still ours. */
static void
remove_pidfile (const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *ours = g_strdup_printf ("%d\n", (int) getpid ());

  if (g_file_get_contents (path, &contents, NULL, NULL) && g_str_equal (contents, ours))
    g_unlink (path);
}

/* --- The log -------------------------------------------------------------- */

static char *log_path;          /* NULL or "-": stderr */
static FILE *log_stream;
static int log_pid;             /* braidd's, taken when the writer is set */

/* Informational lines (an access log line per request) are gathered and
 * written together when the main loop is about to wait, by the source
 * below: one write per round of events rather than one per line. Warnings
 * and worse are written at once, with whatever is pending before them; a
 * line from another thread wakes the main loop, so it is written even
 * when the loop had nothing else to do. */
static GString *log_pending;
/* Lines come from the reactor's thread and the thread pool's. */
G_LOCK_DEFINE_STATIC (log_pending);

static void
flush_log_locked (void)
{
  FILE *stream = log_stream != NULL ? log_stream : stderr;

  if (log_pending == NULL || log_pending->len == 0)
    return;
  fwrite (log_pending->str, 1, log_pending->len, stream);
  fflush (stream);
  g_string_truncate (log_pending, 0);
}

static void
flush_log (void)
{
  G_LOCK (log_pending);
  flush_log_locked ();
  G_UNLOCK (log_pending);
}

static gboolean
log_flusher_prepare (GSource *source, gint *timeout)
{
  flush_log ();
  *timeout = -1;
  return FALSE;
}

static GSourceFuncs log_flusher_funcs = { log_flusher_prepare, NULL, NULL, NULL, NULL, NULL };

/* Starts gathering informational lines, flushed by the main context
 * before it waits. */
static void
start_log_flusher (void)
{
  GSource *source = g_source_new (&log_flusher_funcs, sizeof (GSource));

  log_pending = g_string_sized_new (16 * 1024);
  g_source_set_name (source, "braidd log flusher");
  g_source_attach (source, NULL);
  g_source_unref (source);
  atexit (flush_log);
}

static gboolean
open_log (GError **error)
{
  FILE *stream;

  if (log_path == NULL || g_str_equal (log_path, "-"))
    {
      log_stream = stderr;
      return TRUE;
    }
  stream = g_fopen (log_path, "a");
  if (stream == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "cannot open log file %s: %s", log_path, g_strerror (saved_errno));
      return FALSE;
    }
  setvbuf (stream, NULL, _IOLBF, 0);
  flush_log ();
  if (log_stream != NULL && log_stream != stderr)
    fclose (log_stream);
  log_stream = stream;
  return TRUE;
}

/* SIGHUP: reopen the log file, so that logrotate can move it away; with
 * --workers, the parent sends it on to every worker (@user_data is then
 * the supervisor). */
static gboolean
on_sighup (gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (user_data != NULL)
    braidd_supervisor_forward (user_data, SIGHUP);

  if (!open_log (&error))
    g_warning ("%s", error->message);
  else
    g_message ("Reopened the log file on SIGHUP");
  return G_SOURCE_CONTINUE;
}

static GLogWriterOutput
write_log (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  /* The time to the second changes once a second: formatted then. */
  static gint64 stamp_second = -1;
  static char stamp[32];
  gint64 now = g_get_real_time ();
  const char *message = NULL, *domain = NULL;
  const char *level_name;

  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0
      && g_log_writer_default_would_drop (level, NULL))
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
      else if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
    }
  switch (level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_ERROR: level_name = "ERROR"; break;
    case G_LOG_LEVEL_CRITICAL: level_name = "CRITICAL"; break;
    case G_LOG_LEVEL_WARNING: level_name = "WARNING"; break;
    case G_LOG_LEVEL_MESSAGE: level_name = "INFO"; break;
    case G_LOG_LEVEL_INFO: level_name = "INFO"; break;
    default: level_name = "DEBUG"; break;
    }
  G_LOCK (log_pending);
  if (now / G_USEC_PER_SEC != stamp_second)
    {
      g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);
      g_autofree char *text = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S");

      g_strlcpy (stamp, text, sizeof stamp);
      stamp_second = now / G_USEC_PER_SEC;
    }
  g_string_append_printf (log_pending, "%s.%03dZ braidd[%d] %s %s: %s\n", stamp,
                          (int) (now % G_USEC_PER_SEC / 1000), log_pid,
                          domain != NULL ? domain : "braidd", level_name,
                          message != NULL ? message : "");
  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) != 0
      || log_pending->len >= 16 * 1024)
    flush_log_locked ();
  else if (!g_main_context_is_owner (NULL))
    {
      /* Another thread's line: the main loop may be waiting with nothing
       * to wake it, so wake it to write the line now. */
      g_main_context_wakeup (NULL);
    }
  G_UNLOCK (log_pending);
  return G_LOG_WRITER_HANDLED;
}

/* --syslog: to the systemd journal when there is one, through GLib's
 * structured logging (the journal keeps the fields: priority, GLib domain,
 * code location); else to syslog(3), as twistd --syslog does. GLib 2.74
 * has no syslog writer of its own (it came in 2.80), so the fallback is
 * written here. */
static gboolean log_to_system;

static int
syslog_priority (GLogLevelFlags level)
{
  switch (level & G_LOG_LEVEL_MASK)
    {
    case G_LOG_LEVEL_ERROR: return LOG_ERR;
    case G_LOG_LEVEL_CRITICAL: return LOG_CRIT;
    case G_LOG_LEVEL_WARNING: return LOG_WARNING;
    case G_LOG_LEVEL_MESSAGE: return LOG_NOTICE;
    case G_LOG_LEVEL_INFO: return LOG_INFO;
    default: return LOG_DEBUG;
    }
}

static GLogWriterOutput
write_system_log (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL, *domain = NULL;

  if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0
      && g_log_writer_default_would_drop (level, NULL))
    return G_LOG_WRITER_HANDLED;
  /* Unhandled when there is no journal socket (not under systemd). */
  if (g_log_writer_journald (level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
      else if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
    }
  syslog (syslog_priority (level), "%s: %s", domain != NULL ? domain : "braidd",
          message != NULL ? message : "");
  return G_LOG_WRITER_HANDLED;
}

static int
fail (int status, const char *format, ...) G_GNUC_PRINTF (2, 3);

static int
fail (int status, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("braidd: %s\n", message);
  return status;
}

/* --- --daemon ------------------------------------------------------------- */

/* Forks into the background, the classic way (fork, setsid, fork), but the
 * command waits until the daemon has started: a startup error is still
 * printed on the terminal (by the daemon, whose stderr is still the
 * command's) and becomes the command's exit status. Returns -1 in the
 * daemon, with *ready_fd to pass to daemon_ready(); the status to exit
 * with in the command. */
static int
become_daemon (int *ready_fd)
{
  int fds[2];
  pid_t child;
  char byte;
  ssize_t got;

  if (pipe (fds) != 0)
    return fail (1, "--daemon: pipe: %s", g_strerror (errno));
  child = fork ();
  if (child < 0)
    return fail (1, "--daemon: fork: %s", g_strerror (errno));
  if (child > 0)
    {
      /* The command: wait for "ready", or for the daemon to give up. */
      close (fds[1]);
      do
        got = read (fds[0], &byte, 1);
      while (got < 0 && errno == EINTR);
      close (fds[0]);
      return got == 1 ? 0 : 1;
    }
  close (fds[0]);
  setsid ();
  /* A second fork: the daemon is not a session leader, so it can never
   * acquire a controlling terminal. */
  child = fork ();
  if (child < 0)
    _exit (1);
  if (child > 0)
    _exit (0);
  *ready_fd = fds[1];
  return -1;
}

/* The daemon has started: tell the command, and let go of the terminal. */
static void
daemon_ready (int ready_fd)
{
  int null_fd = open ("/dev/null", O_RDWR);

  if (null_fd >= 0)
    {
      dup2 (null_fd, STDIN_FILENO);
      dup2 (null_fd, STDOUT_FILENO);
      dup2 (null_fd, STDERR_FILENO);
      if (null_fd > STDERR_FILENO)
        close (null_fd);
    }
  if (write (ready_fd, "r", 1) != 1)
    g_warning ("--daemon: could not tell the command it started: %s", g_strerror (errno));
  close (ready_fd);
}

/* --- main ----------------------------------------------------------------- */

/* Says where each service listens. A service made of services (the
 * cache-status plugin's) is named for the ports of its children. */
static void
log_listening_as (BraidMultiService *collection, const char *name)
{
  GPtrArray *services = braid_multi_service_get_services (collection);

  for (guint i = 0; i < services->len; i++)
    {
      BraidService *service = g_ptr_array_index (services, i);
      const char *shown = name != NULL ? name : braid_service_get_name (service);
      BraidListeningPort *port;
      GSocketAddress *host;
      g_autofree char *where = NULL;

      if (BRAID_IS_MULTI_SERVICE (service))
        log_listening_as (BRAID_MULTI_SERVICE (service), shown);
      if (!BRAID_IS_STREAM_SERVER_SERVICE (service))
        continue;
      port = braid_stream_server_service_get_port (BRAID_STREAM_SERVER_SERVICE (service));
      if (port == NULL)
        continue;
      host = braid_listening_port_get_host (port);
      if (G_IS_INET_SOCKET_ADDRESS (host))
        {
          g_autofree char *address =
            g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (host)));

          where = g_strdup_printf ("%s port %u", address,
                                   g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (host)));
        }
      else
        where = g_strdup (braid_server_endpoint_get_description (
                            braid_stream_server_service_get_endpoint (BRAID_STREAM_SERVER_SERVICE (service))));
      g_message ("Service '%s' listening on %s", shown, where);
    }
}

static void
log_listening (BraidMultiService *root)
{
  log_listening_as (root, NULL);
}

/* braidd --workers N, in the parent: runs the workers until a signal
 * stops them, or until they keep failing. The services (in @app) were
 * made only to check the options: the parent runs none. */
static int
supervise (char **original_argv, GPtrArray *worker_args, GArray *reserved_fds, guint n_workers,
           gdouble shutdown_timeout, const char *pidfile, int ready_fd,
           BraidApplication **app, BraidReactor **reactor)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr (GError) error = NULL;
  BraiddSupervisor *supervisor;
  guint sighup;
  int status;

  g_clear_object (app);
  g_clear_object (reactor);
  g_ptr_array_add (argv, self != NULL ? self : original_argv[0]);
  for (guint i = 0; i < worker_args->len; i++)
    g_ptr_array_add (argv, g_ptr_array_index (worker_args, i));
  for (guint i = 1; original_argv[i] != NULL; i++)
    g_ptr_array_add (argv, original_argv[i]);
  g_ptr_array_add (argv, NULL);

  if (pidfile != NULL && !write_pidfile (pidfile, &error))
    return fail (1, "%s", error->message);
  for (guint i = 0; i + 1 < worker_args->len; i += 2)
    g_message ("Workers share %s", (const char *) g_ptr_array_index (worker_args, i + 1));
  supervisor = braidd_supervisor_new ((const char * const *) argv->pdata, n_workers, shutdown_timeout);
  sighup = g_unix_signal_add (SIGHUP, on_sighup, supervisor);
  g_message ("braidd %s started (pid %d): the supervisor of %u workers",
             PACKAGE_VERSION, (int) getpid (), n_workers);
  /* In the background, the workers get /dev/null for stdout and stderr
   * too: they log to the log file. */
  if (ready_fd >= 0)
    daemon_ready (ready_fd);
  braidd_supervisor_start (supervisor);

  status = braidd_supervisor_run (supervisor);

  g_message ("braidd stopped");
  g_source_remove (sighup);
  braidd_supervisor_free (supervisor);
  if (pidfile != NULL)
    remove_pidfile (pidfile);
  for (guint i = 0; i < reserved_fds->len; i++)
    close (g_array_index (reserved_fds, int, i));
  flush_log ();
  if (log_stream != NULL && log_stream != stderr)
    fclose (log_stream);
  log_stream = NULL;
  g_free (log_path);
  return status;
}

int
main (int argc, char **argv)
{
  g_autofree char *config_path = NULL;
  g_autofree char *pidfile = NULL;
  gdouble shutdown_timeout = BRAID_APPLICATION_DEFAULT_SHUTDOWN_TIMEOUT;
  gboolean version = FALSE;
  gboolean daemonize = FALSE;
  g_autofree char *rundir = NULL;
  g_autofree char *umask_text = NULL;
  g_autofree char *workers_text = NULL;
  g_auto (GStrv) worker_endpoints = NULL;
  g_auto (GStrv) original_argv = g_strdupv (argv);
  g_autoptr (GPtrArray) worker_args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) reserved_fds = g_array_new (FALSE, FALSE, sizeof (int));
  guint64 n_workers = 0;
  gboolean is_worker;
  int ready_fd = -1;
  GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
      "Run the services FILE describes ([service NAME] sections)", "FILE" },
    { "pidfile", 0, 0, G_OPTION_ARG_FILENAME, &pidfile,
      "Write the process id to PATH; refuse to start if it names a running process", "PATH" },
    { "logfile", 'l', 0, G_OPTION_ARG_FILENAME, &log_path,
      "Log to PATH (reopened on SIGHUP); - for stderr, the default", "PATH" },
    { "syslog", 0, 0, G_OPTION_ARG_NONE, &log_to_system,
      "Log to the systemd journal, or to syslog when there is none", NULL },
    { "shutdown-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &shutdown_timeout,
      "Wait at most SECONDS for the services to stop (default 10)", "SECONDS" },
    { "daemon", 'd', 0, G_OPTION_ARG_NONE, &daemonize,
      "Run in the background once started (default: the foreground)", NULL },
    { "rundir", 0, 0, G_OPTION_ARG_FILENAME, &rundir,
      "Change to DIR first; relative paths are then relative to it", "DIR" },
    { "umask", 0, 0, G_OPTION_ARG_STRING, &umask_text,
      "Set the file mode creation mask (octal, such as 077)", "MASK" },
    { "workers", 0, 0, G_OPTION_ARG_STRING, &workers_text,
      "Run N worker processes that share each TCP port (SO_REUSEPORT); restart any that dies", "N" },
    /* Given by a --workers parent to its workers: one per service. */
    { "worker-endpoint", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING_ARRAY, &worker_endpoints,
      "(for --workers) listen on ENDPOINT, the parent's shared port", "ENDPOINT" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("PLUGIN [PLUGIN OPTIONS] - run Braid services");
  g_autoptr (GPtrArray) plugins = NULL;
  g_autoptr (GPtrArray) specs = g_ptr_array_new_with_free_func ((GDestroyNotify) service_spec_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidReactor) reactor = NULL;
  g_autoptr (BraidApplication) app = NULL;
  g_autoptr (GString) description = g_string_new (NULL);
  guint sighup = 0;

  setlocale (LC_ALL, "");
  plugins = load_plugins ();

  g_string_append (description, "Plugins:\n");
  for (guint i = 0; i < plugins->len; i++)
    {
      const BraiddPlugin *plugin = g_ptr_array_index (plugins, i);

      g_string_append_printf (description, "  %-14s %s\n", plugin->name,
                              plugin->description != NULL ? plugin->description : "");
    }
  if (plugins->len == 0)
    g_string_append (description, "  (none found)\n");
  g_string_append (description,
                   "\n`braidd PLUGIN --help` shows a plugin's options. braidd runs in the\n"
                   "foreground unless given --daemon (twistd's default is the reverse).\n"
                   "With --workers N, a parent that serves nothing runs N workers sharing\n"
                   "each TCP port; it restarts a worker that dies (with a doubling delay;\n"
                   "5 deaths in a row within 2 s of starting make it give up and exit 1)\n"
                   "and sends SIGTERM, SIGINT and SIGHUP on to them all.\n"
                   "Plugins are searched in "
                   "$BRAID_PLUGIN_PATH, then " BRAIDD_PLUGIN_DIR ".");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description->str);
  /* Stop at PLUGIN: what follows is the plugin's. */
  g_option_context_set_strict_posix (context, TRUE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail (EXIT_USAGE, "%s (braidd --help lists the options)", error->message);
  if (version)
    {
      g_print ("braidd %s\n", PACKAGE_VERSION);
      return 0;
    }
  is_worker = worker_endpoints != NULL;
  if (workers_text != NULL
      && !g_ascii_string_to_unsigned (workers_text, 10, 1, 1024, &n_workers, NULL))
    return fail (EXIT_USAGE, "--workers: '%s' is not a number of workers (1-1024)", workers_text);
  if (is_worker)
    {
      /* The parent keeps the pidfile, went to the background and has
       * changed directory already: the worker runs where it is. (It
       * still logs to braidd.log by default under --daemon.) */
      n_workers = 0;
      g_clear_pointer (&pidfile, g_free);
      g_clear_pointer (&rundir, g_free);
    }
  if (shutdown_timeout <= 0)
    return fail (EXIT_USAGE, "--shutdown-timeout: %g is not more than zero seconds", shutdown_timeout);
  if (umask_text != NULL)
    {
      guint64 mask;

      if (!g_ascii_string_to_unsigned (umask_text, 8, 0, 0777, &mask, NULL))
        return fail (EXIT_USAGE, "--umask: '%s' is not an octal mask (such as 077)", umask_text);
      umask ((mode_t) mask);
    }
  if (rundir != NULL && g_chdir (rundir) != 0)
    {
      int saved_errno = errno;

      return fail (1, "--rundir: cannot change to %s: %s", rundir, g_strerror (saved_errno));
    }
  if (log_to_system && log_path != NULL)
    return fail (EXIT_USAGE, "give --syslog or --logfile, not both");
  /* In the background stderr is closed: log to a file, as twistd does. */
  if (daemonize && !log_to_system && (log_path == NULL || g_str_equal (log_path, "-")))
    {
      g_free (log_path);
      log_path = g_strdup ("braidd.log");
    }

  if (config_path != NULL)
    {
      if (argc > 1)
        return fail (EXIT_USAGE, "give a PLUGIN or --config FILE, not both");
      g_ptr_array_unref (specs);   /* the config's list replaces the empty one */
      specs = read_config (config_path, plugins, &error);
      if (specs == NULL)
        return fail (1, "%s", error->message);
    }
  else
    {
      const BraiddPlugin *plugin;
      g_autoptr (GOptionContext) plugin_context = NULL;
      g_autoptr (GArray) plugin_entries = NULL;
      ServiceSpec *spec;

      if (argc < 2)
        return fail (EXIT_USAGE, "no plugin given (braidd --help lists them)");
      plugin = find_plugin (plugins, argv[1]);
      if (plugin == NULL)
        {
          g_autofree char *known = plugin_names (plugins);

          return fail (EXIT_USAGE, "unknown plugin '%s' (known: %s)", argv[1], known);
        }
      spec = service_spec_new (plugin, plugin->name);
      g_ptr_array_add (specs, spec);
      plugin_context = plugin_option_context (spec, &plugin_entries);
      {
        g_autofree char *prgname = g_strdup_printf ("braidd %s", plugin->name);

        g_set_prgname (prgname);
      }
      argv[1] = argv[0];
      argc--;
      argv++;
      if (!g_option_context_parse (plugin_context, &argc, &argv, &error))
        return fail (EXIT_USAGE, "%s: %s (braidd %s --help lists the options)",
                     plugin->name, error->message, plugin->name);
      if (argc > 1)
        return fail (EXIT_USAGE, "%s: unexpected argument '%s'", plugin->name, argv[1]);
    }

  /* Before the reactor exists: GLib starts threads for it, and only the
   * forking thread would survive a fork. */
  if (daemonize && !is_worker)
    {
      int status = become_daemon (&ready_fd);

      if (status >= 0)
        return status;
    }
  reactor = braid_glib_reactor_new (NULL);
  app = braid_application_new (reactor);
  braid_application_set_shutdown_timeout (app, shutdown_timeout);
  if (is_worker && g_strv_length (worker_endpoints) != specs->len)
    return fail (EXIT_USAGE, "--worker-endpoint: %u given for %u service(s)",
                 g_strv_length (worker_endpoints), specs->len);
  for (guint i = 0; i < specs->len; i++)
    {
      ServiceSpec *spec = g_ptr_array_index (specs, i);
      g_autofree char *text = is_worker ? g_strdup (worker_endpoints[i]) : spec_endpoint (spec, &error);
      g_autoptr (BraidServerEndpoint) endpoint = NULL;
      g_autoptr (BraidService) service = NULL;

      if (text == NULL)
        return fail (EXIT_USAGE, "%s: %s", spec->name, error->message);
      endpoint = braid_server_endpoint_new_for_string (text, &error);
      if (endpoint == NULL)
        return fail (EXIT_USAGE, "%s: bad endpoint '%s': %s", spec->name, text, error->message);
      if (n_workers > 0)
        {
          /* The parent: reserve the port the workers will share. */
          char *shared = braidd_worker_endpoint (text, reserved_fds, &error);

          if (shared == NULL)
            return fail (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) ? EXIT_USAGE : 1,
                         "service '%s': %s", spec->name, error->message);
          g_ptr_array_add (worker_args, g_strdup ("--worker-endpoint"));
          g_ptr_array_add (worker_args, shared);
        }
      service = spec->plugin->make_service (reactor, endpoint, spec->options, &error);
      if (service == NULL)
        return fail (1, "%s: %s", spec->name, error->message);
      braid_service_set_name (service, spec->name);
      if (!braid_multi_service_add_service (braid_application_get_root (app), service, &error))
        return fail (1, "%s", error->message);
    }

  if (pidfile != NULL && !check_pidfile (pidfile, &error))
    return fail (1, "%s", error->message);
  if (!open_log (&error))
    return fail (1, "%s", error->message);
  if (log_to_system)
    {
      openlog ("braidd", LOG_PID, LOG_DAEMON);
      g_log_set_writer_func (write_system_log, NULL, NULL);
    }
  else
    {
      log_pid = (int) getpid ();
      start_log_flusher ();
      g_log_set_writer_func (write_log, NULL, NULL);
    }

  if (n_workers > 0)
    return supervise (original_argv, worker_args, reserved_fds, (guint) n_workers,
                      shutdown_timeout, pidfile, ready_fd, &app, &reactor);

  /* Listens: a port in use fails here, before anything is written. */
  if (!braid_application_start (app, &error))
    /* A service that checks its options only at start (cache-status's
     * --cache names a service) says so with G_OPTION_ERROR: a usage error,
     * as a bad option found earlier. */
    return fail (error->domain == G_OPTION_ERROR ? EXIT_USAGE : 1, "%s", error->message);
  if (pidfile != NULL && !write_pidfile (pidfile, &error))
    {
      braid_deferred_unref (braid_service_stop_service (BRAID_SERVICE (braid_application_get_root (app))));
      return fail (1, "%s", error->message);
    }
  log_listening (braid_application_get_root (app));
  sighup = g_unix_signal_add (SIGHUP, on_sighup, NULL);
  g_message ("braidd %s started (pid %d)", PACKAGE_VERSION, (int) getpid ());
  if (ready_fd >= 0)
    daemon_ready (ready_fd);

  braid_reactor_run (reactor);

  g_message ("braidd stopped");
  g_source_remove (sighup);
  if (pidfile != NULL)
    remove_pidfile (pidfile);
  g_clear_object (&app);
  flush_log ();
  if (log_stream != NULL && log_stream != stderr)
    fclose (log_stream);
  log_stream = NULL;
  g_free (log_path);
  return 0;
}
