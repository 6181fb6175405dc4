/* test-deferred-list-fired-members.c: deferred lists whose members fired
 * before the list was made.
 *
 * A member that has fired already fires the list while the list is being
 * built; the list once freed its shared state then and read it again for
 * the next member. Every flag combination is tried with a fired member
 * (a value or an error) at every position; run it under valgrind or ASan
 * (`meson test -C build --setup valgrind deferred-list-fired-members`) to
 * see a use after free, if one comes back. */
#include <braid-fakes.h>

#define N_MEMBERS 3

typedef struct
{
  BraidDeferredListFlags flags;
  guint position;          /* the member fired before the list is made */
  gboolean fired_with_error;
} Case;

static void
swallow_error (BraidResult *result, gpointer data)
{
  braid_result_set_value (result, NULL, NULL);
}

static void
note_fired (BraidResult *result, gpointer data)
{
  *(gboolean *) data = TRUE;
  braid_result_set_value (result, NULL, NULL);
}

/* What Twisted's DeferredList does with these flags when only @c's member
 * has fired: does the list fire? */
static gboolean
list_fires_at_once (const Case *c)
{
  if (c->fired_with_error)
    return (c->flags & BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK) != 0;
  return (c->flags & BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK) != 0;
}

static void
test_one_member_fired_before_the_list (gconstpointer data)
{
  const Case *c = data;
  BraidDeferred *members[N_MEMBERS];
  g_autoptr (BraidDeferred) list = NULL;
  gboolean fired = FALSE;

  for (guint i = 0; i < N_MEMBERS; i++)
    members[i] = braid_deferred_new ();
  if (c->fired_with_error)
    braid_deferred_errback (members[c->position],
                            g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "early"));
  else
    braid_deferred_callback (members[c->position], g_strdup ("early"), g_free);

  list = braid_deferred_list_new (members, N_MEMBERS, c->flags);
  braid_deferred_add_both (list, note_fired, &fired, NULL);
  g_assert_cmpint (fired, ==, list_fires_at_once (c));

  /* The others fire later: the list takes them in, or ignores them once
   * it has fired, and never touches freed state. */
  for (guint i = 0; i < N_MEMBERS; i++)
    if (i != c->position)
      braid_deferred_callback (members[i], g_strdup ("late"), g_free);
  g_assert_true (fired);

  for (guint i = 0; i < N_MEMBERS; i++)
    {
      braid_deferred_add_errback (members[i], swallow_error, NULL, NULL);
      braid_deferred_unref (members[i]);
    }
}

/* braid_gather_results() with its first member failed already. */
static void
test_gather_with_first_member_failed (void)
{
  g_autoptr (BraidDeferred) failed =
    braid_fail (g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "first"));
  g_autoptr (BraidDeferred) pending = braid_deferred_new ();
  g_autoptr (BraidDeferred) fine = braid_succeed (NULL, NULL);
  BraidDeferred *members[] = { failed, pending, fine };
  g_autoptr (BraidDeferred) gathered = braid_gather_results (members, 3);
  g_autoptr (GError) error = braid_assert_failure_result (gathered, G_IO_ERROR, G_IO_ERROR_FAILED);

  g_assert_cmpstr (error->message, ==, "first");
  braid_deferred_callback (pending, NULL, NULL);
}

int
main (int argc, char **argv)
{
  static const BraidDeferredListFlags flag_sets[] = {
    BRAID_DEFERRED_LIST_FIRE_ON_ALL,
    BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK,
    BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK,
    BRAID_DEFERRED_LIST_FIRE_ON_ONE_CALLBACK | BRAID_DEFERRED_LIST_FIRE_ON_ONE_ERRBACK,
  };
  g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  for (guint f = 0; f < G_N_ELEMENTS (flag_sets); f++)
    for (guint consume = 0; consume < 2; consume++)
      for (guint position = 0; position < N_MEMBERS; position++)
        for (guint with_error = 0; with_error < 2; with_error++)
          {
            Case *c = g_new0 (Case, 1);
            g_autofree char *path = NULL;

            c->flags = flag_sets[f] | (consume ? BRAID_DEFERRED_LIST_CONSUME_ERRORS : 0);
            c->position = position;
            c->fired_with_error = with_error;
            path = g_strdup_printf ("/deferred-list/fired-members/flags-%u/member-%u-%s",
                                    c->flags, position, with_error ? "error" : "value");
            g_test_add_data_func (path, c, test_one_member_fired_before_the_list);
            g_ptr_array_add (cases, c);
          }
  braid_test_add_func ("/deferred-list/fired-members/gather-first-failed",
                       test_gather_with_first_member_failed);

  return g_test_run ();
}
