/* test-threads-glib.c: the GLib reactor's thread pool with real threads:
 * work runs off the reactor's thread, at most the pool's size at once,
 * results come back through call_from_thread, and the pool is joined at
 * shutdown. Also run under ThreadSanitizer (tools/tsan). Shared counters
 * are atomics; every wait is bounded. */
#include <braid-fakes.h>

#define WAIT_SECONDS 10

typedef struct
{
  GMainContext *context;
  BraidReactor *reactor;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  f->reactor = braid_glib_reactor_new (f->context);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->reactor);
  while (g_main_context_iteration (f->context, FALSE))
    ;
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
}

static void
iterate_until_atomic (Fixture *f, int *counter, int wanted)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_atomic_int_get (counter) < wanted)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (f->context, FALSE);
      g_usleep (1000);
    }
}

/* --- Work runs in another thread and hands back ------------------------- */

typedef struct
{
  BraidReactor *reactor;
  GThread *main_thread;
  GThread *worker;              /* written in the worker, read after the handback */
  GThread *handback_thread;
  int handed_back;
} Handback;

static void
handback (gpointer data)
{
  Handback *h = data;

  h->handback_thread = g_thread_self ();
  g_atomic_int_set (&h->handed_back, 1);
}

static void
work_then_hand_back (gpointer data)
{
  Handback *h = data;

  h->worker = g_thread_self ();
  braid_reactor_call_from_thread (h->reactor, handback, h, NULL);
}

static void
test_call_in_thread_runs_off_the_reactor_thread (Fixture *f, gconstpointer data)
{
  Handback h = { .reactor = f->reactor, .main_thread = g_thread_self () };

  braid_reactor_call_in_thread (f->reactor, work_then_hand_back, &h, NULL);
  iterate_until_atomic (f, &h.handed_back, 1);
  g_assert_true (h.worker != h.main_thread);
  g_assert_true (h.handback_thread == h.main_thread);
}

/* --- The pool is bounded ---------------------------------------------- */

typedef struct
{
  int running;
  int most;
  int done;
} Bounded;

static void
busy_work (gpointer data)
{
  Bounded *b = data;
  int now = g_atomic_int_add (&b->running, 1) + 1;
  int most;

  do
    most = g_atomic_int_get (&b->most);
  while (now > most && !g_atomic_int_compare_and_exchange (&b->most, most, now));
  g_usleep (20 * 1000);
  g_atomic_int_add (&b->running, -1);
  g_atomic_int_inc (&b->done);
}

static void
test_pool_runs_at_most_its_size (Fixture *f, gconstpointer data)
{
  Bounded b = { 0 };

  braid_reactor_suggest_thread_pool_size (f->reactor, 1);
  for (int i = 0; i < 4; i++)
    braid_reactor_call_in_thread (f->reactor, busy_work, &b, NULL);
  iterate_until_atomic (f, &b.done, 4);
  g_assert_cmpint (g_atomic_int_get (&b.most), ==, 1);

  /* Grown while the pool exists. */
  braid_reactor_suggest_thread_pool_size (f->reactor, 3);
  g_atomic_int_set (&b.most, 0);
  for (int i = 0; i < 9; i++)
    braid_reactor_call_in_thread (f->reactor, busy_work, &b, NULL);
  iterate_until_atomic (f, &b.done, 13);
  g_assert_cmpint (g_atomic_int_get (&b.most), <=, 3);
  g_assert_cmpint (g_atomic_int_get (&b.most), >=, 1);
}

/* --- defer_to_thread --------------------------------------------------- */

static gpointer
double_it (gpointer data, GError **error)
{
  int n = GPOINTER_TO_INT (data);

  if (n < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "negative: %d", n);
      return NULL;
    }
  return g_strdup_printf ("%d", 2 * n);
}

static gpointer
make_string (gpointer data, GError **error)
{
  return g_strdup ("made");
}

static void
count_in_main_thread (gpointer data)
{
  g_assert_true (g_main_context_is_owner (g_main_context_get_thread_default ()));
  (*(int *) data)++;
}

static void
iterate_until_result (Fixture *f, BraidDeferred *d)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;

  while (!braid_deferred_has_result (d))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (f->context, FALSE);
      g_usleep (1000);
    }
}

static void
test_defer_to_thread_value_and_error (Fixture *f, gconstpointer data)
{
  int data_freed = 0;
  g_autoptr (BraidDeferred) good = NULL;
  g_autoptr (BraidDeferred) bad = NULL;
  g_autoptr (GError) error = NULL;

  g_main_context_acquire (f->context);
  good = braid_reactor_defer_to_thread (f->reactor, double_it, GINT_TO_POINTER (21), NULL, g_free);
  bad = braid_reactor_defer_to_thread (f->reactor, double_it, GINT_TO_POINTER (-2),
                                       NULL, g_free);
  iterate_until_result (f, good);
  iterate_until_result (f, bad);
  g_assert_cmpstr (braid_assert_success_result (good), ==, "42");
  error = braid_assert_failure_result (bad, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "negative: -2");

  /* user_data_destroy runs in the reactor's thread. */
  {
    g_autoptr (BraidDeferred) d =
      braid_reactor_defer_to_thread (f->reactor, make_string, &data_freed, count_in_main_thread,
                                     g_free);
    iterate_until_result (f, d);
    g_assert_cmpstr (braid_assert_success_result (d), ==, "made");
    g_assert_cmpint (data_freed, ==, 1);
  }
  g_main_context_release (f->context);
}

/* --- Shutdown ------------------------------------------------------------ */

typedef struct
{
  BraidReactor *reactor;
  int done;
} Shutdown;

static void
slow_work (gpointer data)
{
  g_usleep (30 * 1000);
  g_atomic_int_inc (&((Shutdown *) data)->done);
}

static void
queue_work_and_stop (gpointer data)
{
  Shutdown *s = data;

  braid_reactor_suggest_thread_pool_size (s->reactor, 2);
  for (int i = 0; i < 6; i++)
    braid_reactor_call_in_thread (s->reactor, slow_work, s, NULL);
  braid_reactor_stop (s->reactor);
}

static void
check_joined (gpointer data)
{
  /* An `after shutdown` trigger: the pool was joined `during`. */
  g_assert_cmpint (g_atomic_int_get (&((Shutdown *) data)->done), ==, 6);
}

static void
test_pool_is_joined_at_shutdown (Fixture *f, gconstpointer data)
{
  Shutdown s = { .reactor = f->reactor };

  braid_reactor_call_when_running (f->reactor, queue_work_and_stop, &s, NULL);
  braid_reactor_add_system_event_trigger (f->reactor, BRAID_TRIGGER_AFTER, "shutdown",
                                          check_joined, &s, NULL);
  braid_reactor_run (f->reactor);
  g_assert_cmpint (g_atomic_int_get (&s.done), ==, 6);

  /* Work queued after the shutdown gets a new pool, joined when the
   * reactor goes. */
  braid_reactor_call_in_thread (f->reactor, slow_work, &s, NULL);
  g_clear_object (&f->reactor);
  g_assert_cmpint (g_atomic_int_get (&s.done), ==, 7);
}

/* A reactor that never ran joins its pool when it goes. */
static void
test_pool_is_joined_when_the_reactor_goes (Fixture *f, gconstpointer data)
{
  Shutdown s = { .reactor = f->reactor };

  for (int i = 0; i < 3; i++)
    braid_reactor_call_in_thread (f->reactor, slow_work, &s, NULL);
  g_clear_object (&f->reactor);
  g_assert_cmpint (g_atomic_int_get (&s.done), ==, 3);
}

/* The old braid_defer_to_thread (GLib's pool, no reactor) still works
 * beside the reactor's. */
static void
test_old_defer_to_thread_still_works (Fixture *f, gconstpointer data)
{
  g_autoptr (BraidDeferred) d = braid_defer_to_thread (double_it, GINT_TO_POINTER (5), NULL, g_free);

  iterate_until_result (f, d);
  g_assert_cmpstr (braid_assert_success_result (d), ==, "10");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/threads-glib/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("call-in-thread-runs-off-the-reactor-thread", test_call_in_thread_runs_off_the_reactor_thread);
  ADD ("pool-runs-at-most-its-size", test_pool_runs_at_most_its_size);
  ADD ("defer-to-thread-value-and-error", test_defer_to_thread_value_and_error);
  ADD ("pool-is-joined-at-shutdown", test_pool_is_joined_at_shutdown);
  ADD ("pool-is-joined-when-the-reactor-goes", test_pool_is_joined_when_the_reactor_goes);
  ADD ("old-defer-to-thread-still-works", test_old_defer_to_thread_still_works);
#undef ADD
  return g_test_run ();
}
