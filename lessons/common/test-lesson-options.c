/* test-lesson-options.c: the command line every lesson program shares. */
#include <glib.h>

#include "lesson-options.h"

/* Parses @args (a NULL-terminated list, the program name first) with
 * @port's default; returns whether parsing succeeded. */
static gboolean
parse (const char * const *args, guint16 *port, GOptionEntry *extra, GError **error)
{
  g_auto (GStrv) argv = g_strdupv ((GStrv) args);
  char **argv_for_parse;
  int argc = (int) g_strv_length (argv);
  gboolean ok;

  /* GOptionContext removes what it understood from argv by moving the
   * pointers (the strings are not freed): parse a copy of the pointer
   * array, so that `argv` still owns, and frees, every string. */
  argv_for_parse = g_memdup2 (argv, sizeof (char *) * (argc + 1));
  ok = lesson_parse_options (&argc, &argv_for_parse, "A test program.", port, extra, error);
  g_free (argv_for_parse);
  return ok;
}

static void
test_default_port_is_kept (void)
{
  const char *args[] = { "prog", NULL };
  g_autoptr (GError) error = NULL;
  guint16 port = 8000;

  g_assert_true (parse (args, &port, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (port, ==, 8000);
}

static void
test_port_is_read (void)
{
  const char *long_form[] = { "prog", "--port", "9000", NULL };
  const char *short_form[] = { "prog", "-p", "0", NULL };
  g_autoptr (GError) error = NULL;
  guint16 port = 8000;

  g_assert_true (parse (long_form, &port, NULL, &error));
  g_assert_cmpuint (port, ==, 9000);
  g_assert_true (parse (short_form, &port, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (port, ==, 0);
}

static void
test_port_out_of_range_is_an_error (void)
{
  const char *too_big[] = { "prog", "--port", "65536", NULL };
  const char *negative[] = { "prog", "--port", "-1", NULL };
  g_autoptr (GError) error = NULL;
  guint16 port = 8000;

  g_assert_false (parse (too_big, &port, NULL, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_cmpuint (port, ==, 8000);
  g_clear_error (&error);
  g_assert_false (parse (negative, &port, NULL, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
}

static void
test_port_not_a_number_is_an_error (void)
{
  const char *args[] = { "prog", "--port", "eighty", NULL };
  g_autoptr (GError) error = NULL;
  guint16 port = 8000;

  g_assert_false (parse (args, &port, NULL, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_cmpuint (port, ==, 8000);
}

static void
test_lesson_options_are_added (void)
{
  const char *args[] = { "prog", "--message", "hi", "-p", "1234", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;
  guint16 port = 8000;
  GOptionEntry extra[] = {
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message, "What to send", "TEXT" },
    { NULL }
  };

  g_assert_true (parse (args, &port, extra, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (message, ==, "hi");
  g_assert_cmpuint (port, ==, 1234);
}

static void
test_unknown_option_is_an_error (void)
{
  const char *args[] = { "prog", "--colour", "blue", NULL };
  g_autoptr (GError) error = NULL;
  guint16 port = 8000;

  g_assert_false (parse (args, &port, NULL, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The lessons' shared command line: --port N with a default, and "
                  "each lesson's own options.");

  g_test_add_func ("/lesson-options/default-kept", test_default_port_is_kept);
  g_test_add_func ("/lesson-options/port-read", test_port_is_read);
  g_test_add_func ("/lesson-options/out-of-range", test_port_out_of_range_is_an_error);
  g_test_add_func ("/lesson-options/not-a-number", test_port_not_a_number_is_an_error);
  g_test_add_func ("/lesson-options/extra-entries", test_lesson_options_are_added);
  g_test_add_func ("/lesson-options/unknown-option", test_unknown_option_is_an_error);

  return g_test_run ();
}
