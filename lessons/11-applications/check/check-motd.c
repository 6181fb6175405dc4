/* check-motd.c: the check of lesson 11's exercise, the motd plugin's
 * --message option, on the memory reactor: it calls the plugin as braidd
 * does, with no socket. Last, braidd itself loads the plugin built as a
 * real module from the same file, and shows its option. */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gmodule.h>
#include <braid-fakes.h>

#include "motd.h"
#include "test-helpers.h"

extern const BraiddPlugin braidd_plugin;

/* What one client hears from the plugin's service made with @options. */
static char *
first_client_hears (GHashTable *options)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (BraidService) service = plugin_start (&braidd_plugin, reactor, "tcp:8017", options);
  g_autoptr (BraidDeferred) stopped = NULL;
  Client client;
  char *heard;

  client_connect (&client, reactor, 8017);
  heard = client_heard (&client);
  /* A message of the day is one line, then the server hangs up. */
  g_assert_false (braid_loopback_is_open (client.loopback));
  g_assert_true (braid_error_is_clean_close (recording_protocol_get_reason (client.client)));
  client_clear (&client);
  stopped = braid_service_stop_service (service);
  braid_assert_success_result (stopped);
  return heard;
}

/* braidd learns a plugin's options from its table: --message must be
 * there, take a string, and leave arg_data NULL (the value comes to
 * make_service in @options). */
static void
test_message_option_is_declared (void)
{
  const GOptionEntry *found = NULL;

  g_assert_nonnull (braidd_plugin.options);
  for (const GOptionEntry *entry = braidd_plugin.options; entry->long_name != NULL; entry++)
    if (g_str_equal (entry->long_name, "message"))
      found = entry;
  g_assert_nonnull (found);
  g_assert_cmpint (found->arg, ==, G_OPTION_ARG_STRING);
  g_assert_null (found->arg_data);
  g_assert_nonnull (found->description);
}

/* `braidd motd --message "Closed for lunch"`: every client is told so. */
static void
test_message_is_sent (void)
{
  g_autoptr (GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *heard = NULL;

  g_hash_table_insert (options, "message", "Closed for lunch");
  heard = first_client_hears (options);
  g_assert_cmpstr (heard, ==, "Closed for lunch\r\n");
}

/* Another service of the same plugin (a second [service] in --config) has
 * its own message: the value comes from @options, not from a global. */
static void
test_each_service_has_its_own_message (void)
{
  g_autoptr (GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) second = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *first_heard = NULL;
  g_autofree char *second_heard = NULL;

  g_hash_table_insert (first, "message", "Good morning");
  g_hash_table_insert (second, "message", "Good night");
  first_heard = first_client_hears (first);
  second_heard = first_client_hears (second);
  g_assert_cmpstr (first_heard, ==, "Good morning\r\n");
  g_assert_cmpstr (second_heard, ==, "Good night\r\n");
}

/* Without --message, the default. */
static void
test_default_message (void)
{
  g_autoptr (GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *heard = first_client_hears (options);

  g_assert_cmpstr (heard, ==, MOTD_DEFAULT_MESSAGE "\r\n");
}

/* What braidd prints, run with only this plugin on its search path:
 * BRAID_PLUGIN_PATH is a fresh directory holding motd.so, a link to the
 * module built from your file (PLUGIN_PATH). */
static char *
braidd_prints (const char *first_arg, ...)
{
  g_autofree char *dir = g_dir_make_tmp ("motd-check-XXXXXX", NULL);
  g_autofree char *link = g_build_filename (dir, "motd." G_MODULE_SUFFIX, NULL);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) braidd = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  va_list args;

  g_assert_nonnull (dir);
  g_assert_cmpint (symlink (PLUGIN_PATH, link), ==, 0);
  g_ptr_array_add (argv, (gpointer) BRAIDD);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "BRAID_PLUGIN_PATH", dir, TRUE);
  braidd = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (braidd, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_unlink (link);
  g_rmdir (dir);
  /* A module that does not load is reported on stderr. */
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_subprocess_get_if_exited (braidd));
  g_assert_cmpint (g_subprocess_get_exit_status (braidd), ==, 0);
  return out;
}

/* Built as a real module, your plugin is loaded by braidd itself: `braidd
 * --help` lists it, and `braidd motd --help` shows --message. */
static void
test_braidd_loads_the_module (void)
{
  g_autofree char *help = braidd_prints ("--help", NULL);
  g_autofree char *plugin_help = braidd_prints ("motd", "--help", NULL);

  g_assert_nonnull (strstr (help, "  motd "));
  g_assert_nonnull (strstr (help, "Sends each client a message of the day, then closes"));
  g_assert_nonnull (strstr (plugin_help, "-m, --message=TEXT"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/motd/message-option-is-declared", test_message_option_is_declared);
  g_test_add_func ("/motd/message-is-sent", test_message_is_sent);
  g_test_add_func ("/motd/each-service-has-its-own-message", test_each_service_has_its_own_message);
  g_test_add_func ("/motd/default-message", test_default_message);
  g_test_add_func ("/motd/braidd-loads-the-module", test_braidd_loads_the_module);
  return g_test_run ();
}
