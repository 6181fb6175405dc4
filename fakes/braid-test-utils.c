/* braid-test-utils.c: assertions for tests, and the test-hygiene check. */
#include "config.h"

#include <string.h>

#include "braid-fakes.h"

/* The hygiene registry.
 *
 * Fakes that can be left busy at the end of a test (a fake clock with
 * pending calls, a loopback with an open connection) register here when they
 * are created. At the end of each test, braid_assert_no_leftovers() asks
 * every live one to describe what it still holds, and adds what objects
 * reported when they were destroyed while still busy. Tests run in one
 * thread, but the lock keeps a misuse from corrupting the lists. */

typedef struct
{
  GObject *object;          /* not owned: removed by a weak-ref notify */
  BraidHygieneCheck check;
} Watched;

static GMutex hygiene_lock;
static GArray *watched;      /* of Watched */
static GPtrArray *reported;  /* of char*: leftovers of destroyed objects */

static void
forget_object (gpointer data, GObject *where_the_object_was)
{
  g_mutex_lock (&hygiene_lock);
  for (guint i = 0; watched != NULL && i < watched->len; i++)
    if (g_array_index (watched, Watched, i).object == where_the_object_was)
      {
        g_array_remove_index_fast (watched, i);
        break;
      }
  g_mutex_unlock (&hygiene_lock);
}

/**
 * braid_hygiene_watch:
 * @object: a fake that can be left busy
 * @check: (scope forever): describes what @object still holds
 *
 * Registers @object with the test-hygiene check until it is finalized. Fakes
 * call this themselves; a test helper of your own can too.
 */
void
braid_hygiene_watch (GObject *object, BraidHygieneCheck check)
{
  Watched entry = { object, check };

  g_return_if_fail (G_IS_OBJECT (object));
  g_return_if_fail (check != NULL);

  g_mutex_lock (&hygiene_lock);
  if (watched == NULL)
    watched = g_array_new (FALSE, FALSE, sizeof (Watched));
  g_array_append_val (watched, entry);
  g_mutex_unlock (&hygiene_lock);
  g_object_weak_ref (object, forget_object, NULL);
}

/**
 * braid_hygiene_report_leftover:
 * @what: a description of the leftover, naming where it was created
 *
 * Records a leftover that can no longer be seen on a live object: a fake
 * clock destroyed with calls pending, a deferred dropped with an unhandled
 * error. The next hygiene check reports it.
 */
void
braid_hygiene_report_leftover (const char *what)
{
  g_return_if_fail (what != NULL);

  g_mutex_lock (&hygiene_lock);
  if (reported == NULL)
    reported = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (reported, g_strdup (what));
  g_mutex_unlock (&hygiene_lock);
}

/**
 * braid_hygiene_collect:
 *
 * Gathers every leftover: those of live watched objects and those reported
 * since the last collection (which are then forgotten).
 *
 * Returns: (transfer full) (nullable): one line per leftover, or %NULL if
 *   there is none
 */
char *
braid_hygiene_collect (void)
{
  g_autoptr (GPtrArray) objects = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) checks = g_array_new (FALSE, FALSE, sizeof (BraidHygieneCheck));
  GString *all = g_string_new (NULL);

  /* Take references under the lock, call the checks outside it: a check
   * may itself log, or touch other objects. */
  g_mutex_lock (&hygiene_lock);
  for (guint i = 0; watched != NULL && i < watched->len; i++)
    {
      Watched *entry = &g_array_index (watched, Watched, i);

      g_ptr_array_add (objects, g_object_ref (entry->object));
      g_array_append_val (checks, entry->check);
    }
  for (guint i = 0; reported != NULL && i < reported->len; i++)
    g_string_append_printf (all, "%s\n", (char *) g_ptr_array_index (reported, i));
  g_clear_pointer (&reported, g_ptr_array_unref);
  g_mutex_unlock (&hygiene_lock);

  for (guint i = 0; i < objects->len; i++)
    {
      g_autofree char *leftover =
        g_array_index (checks, BraidHygieneCheck, i) (g_ptr_array_index (objects, i));

      if (leftover != NULL)
        g_string_append_printf (all, "%s\n", leftover);
    }

  if (all->len == 0)
    {
      g_string_free (all, TRUE);
      return NULL;
    }
  g_string_truncate (all, all->len - 1);
  return g_string_free (all, FALSE);
}

/**
 * braid_assert_no_leftovers_full: (skip)
 * @file: the caller's file
 * @line: the caller's line
 * @func: the caller's function
 *
 * The function behind braid_assert_no_leftovers(). Not for Python, where a
 * failed assertion would abort the interpreter: use
 * [func@Braid.check_no_leftovers], which raises.
 */
void
braid_assert_no_leftovers_full (const char *file, int line, const char *func)
{
  g_autoptr (GError) leftovers = NULL;

  if (!braid_check_no_leftovers (&leftovers))
    g_assertion_message (G_LOG_DOMAIN, file, line, func, leftovers->message);
}

static void
run_with_hygiene (gconstpointer data)
{
  GTestFunc test_func = (GTestFunc) data;
  g_autofree char *before = braid_hygiene_collect ();

  /* Whatever an earlier test left is not this test's fault. */
  (void) before;
  test_func ();
  braid_assert_no_leftovers ();
}

/**
 * braid_test_add_func:
 * @testpath: the test's path, such as `"/echo/returns-what-it-receives"`
 * @test_func: (scope forever): the test
 *
 * Adds a GTest test that is followed by the hygiene check
 * (braid_assert_no_leftovers()): the test fails if it leaves a delayed call
 * pending on a fake clock, a loopback open, or a deferred with an
 * unhandled error.
 */
void
braid_test_add_func (const char *testpath, GTestFunc test_func)
{
  g_return_if_fail (testpath != NULL);
  g_return_if_fail (test_func != NULL);

  g_test_add_data_func (testpath, (gconstpointer) test_func, run_with_hygiene);
}

/**
 * braid_assert_transport_wrote_full: (skip)
 * @transport: a string transport
 * @expected: the NUL-terminated bytes expected
 * @file: the caller's file
 * @line: the caller's line
 * @func: the caller's function
 *
 * The function behind braid_assert_transport_wrote(). Not for Python, where
 * a failed assertion would abort the interpreter: use
 * [func@Braid.check_transport_wrote], which raises.
 */
void
braid_assert_transport_wrote_full (BraidStringTransport *transport,
                                   const char           *expected,
                                   const char           *file,
                                   int                   line,
                                   const char           *func)
{
  g_autoptr (GError) mismatch = NULL;

  g_return_if_fail (BRAID_IS_STRING_TRANSPORT (transport));
  g_return_if_fail (expected != NULL);

  if (!braid_check_transport_wrote (transport, expected, &mismatch))
    g_assertion_message (G_LOG_DOMAIN, file, line, func, mismatch->message);
}

/* --- Playing the transport's part ----------------------------------------- */

/**
 * braid_test_receive:
 * @protocol: a connected protocol
 * @text: the bytes that arrive, as a NUL-terminated string (the NUL is not
 *   sent)
 *
 * Delivers @text to @protocol as one `data_received`, as a transport does
 * when those bytes arrive: the way a test plays the peer's part without a
 * socket. An empty @text delivers nothing, as a transport never calls
 * `data_received` with no bytes.
 */
void
braid_test_receive (BraidProtocol *protocol, const char *text)
{
  g_return_if_fail (BRAID_IS_PROTOCOL (protocol));
  g_return_if_fail (text != NULL);

  if (text[0] == '\0')
    return;
  braid_protocol_data_received (protocol, (const guint8 *) text, strlen (text));
}

/**
 * braid_test_new_close_reason:
 * @clean: %TRUE for a clean close, %FALSE for a reset or an abort
 *
 * The reason a real transport gives `connection_lost` (and a connector
 * gives `client_connection_lost`) when a connection ends:
 * %BRAID_ERROR_CONNECTION_DONE when @clean, %BRAID_ERROR_CONNECTION_LOST
 * otherwise.
 *
 * Returns: (transfer full): a new error in %BRAID_ERROR
 */
GError *
braid_test_new_close_reason (gboolean clean)
{
  if (clean)
    return g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                "The connection was closed cleanly (test)");
  return g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                              "The connection was lost uncleanly (test)");
}

/**
 * braid_test_lose_connection:
 * @protocol: a connected protocol
 * @clean: %TRUE for a clean close, %FALSE for a reset or an abort
 *
 * Tells @protocol its connection ended, as a transport does: calls
 * `connection_lost` with the reason a real transport gives (see
 * [func@Braid.test_new_close_reason]).
 */
void
braid_test_lose_connection (BraidProtocol *protocol, gboolean clean)
{
  g_autoptr (GError) reason = NULL;

  g_return_if_fail (BRAID_IS_PROTOCOL (protocol));

  reason = braid_test_new_close_reason (clean);
  braid_protocol_connection_lost (protocol, reason);
}
