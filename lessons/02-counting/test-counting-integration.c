/* test-counting-integration.c: lesson 02's counting server on a real
 * reactor and real sockets (127.0.0.1, a port chosen by the system). */
#include <string.h>

#include <braid-fakes.h>

#include "counting.h"
#include "lesson-integration.h"

#define GREETING_ALONE "Hello. We are 1 connection using this protocol.\n"

/* The story the test runs, one step at a time, inside one run of the
 * reactor (a reactor stops its ports when it stops, so it runs once). */
typedef struct
{
  BraidReactor *reactor;
  CountingFactory *factory;
  guint16 port;
  AskingFactory *first;
  AskingFactory *second;
} Story;

static AskingFactory *
visit (Story *story)
{
  AskingFactory *client = asking_factory_new ("ping\n", strlen (GREETING_ALONE "ping\n"));

  asking_factory_connect (client, story->reactor, story->port);
  return client;
}

/* A LessonCondition that moves the story on: once the first client is
 * done and the server has seen it leave, the second one connects. */
static gboolean
story_advance (gpointer data)
{
  Story *story = data;

  if (story->second == NULL)
    {
      if (asking_factory_is_done (story->first)
          && counting_factory_get_num_protocols (story->factory) == 0)
        story->second = visit (story);
      return FALSE;
    }
  return asking_factory_is_done (story->second);
}

/* Two clients, one after the other: the second is alone again, because a
 * real close reached the first one's connection_lost. */
static void
test_a_closed_connection_is_counted_out (void)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (context);
  g_autoptr (CountingFactory) factory = counting_factory_new ();
  g_autoptr (GError) error = NULL;
  BraidListeningPort *port;
  Story story = { reactor, factory, 0, NULL, NULL };

  port = braid_reactor_listen_tcp (reactor, 0, BRAID_FACTORY (factory), "127.0.0.1", &error);
  g_assert_no_error (error);
  story.port = braid_listening_port_get_port (port);

  story.first = visit (&story);
  g_assert_true (lesson_run_until (reactor, story_advance, &story,
                                   LESSON_INTEGRATION_TIMEOUT));

  g_assert_null (asking_factory_get_failure (story.first));
  g_assert_cmpstr (asking_factory_get_answer (story.first), ==, GREETING_ALONE "ping\n");
  g_assert_null (asking_factory_get_failure (story.second));
  g_assert_cmpstr (asking_factory_get_answer (story.second), ==, GREETING_ALONE "ping\n");
  g_clear_object (&story.first);
  g_clear_object (&story.second);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Lesson 02's counting server on a real reactor, over TCP on 127.0.0.1.");

  braid_test_add_func ("/lesson-02/integration/counted-out", test_a_closed_connection_is_counted_out);

  return g_test_run ();
}
