/* test-helpers.c: what lesson 10's tests (test-chat.c) and its exercise's
 * check (check/check-bomb.c) share: users on loopbacks. */
#include "test-helpers.h"

/* The last text any user said: a failed user_hears() quotes it, since it is
 * usually the input that went wrong. (A test's one process, one test.) */
static char *last_said;

void
user_connect (User *user, ChatFactory *factory, gsize chunk_size)
{
  user->server = braid_factory_build_protocol (BRAID_FACTORY (factory), NULL);
  user->client = recording_protocol_new (NULL);
  user->loopback = braid_loopback_new (user->server, BRAID_PROTOCOL (user->client));
  braid_loopback_set_chunk_size (user->loopback, chunk_size);
  braid_loopback_flush (user->loopback);
}

void
user_say (User *user, const char *text)
{
  g_free (last_said);
  last_said = g_strdup (text);
  recording_protocol_say (user->client, text);
  braid_loopback_flush (user->loopback);
}

/* Delivers what the server wrote to @user, checks it, and forgets it; on a
 * difference, fails at the caller's line and quotes the last input said. */
void
user_hears_at (User *user, const char *expected, const char *file, int line, const char *func)
{
  const char *heard;

  if (braid_loopback_is_open (user->loopback))
    braid_loopback_flush (user->loopback);
  heard = recording_protocol_get_received (user->client);
  if (g_strcmp0 (heard, expected) != 0)
    {
      g_autofree char *heard_text = g_strescape (heard != NULL ? heard : "", NULL);
      g_autofree char *expected_text = g_strescape (expected, NULL);
      g_autofree char *said_text = last_said != NULL ? g_strescape (last_said, NULL) : NULL;
      g_autofree char *message =
        g_strdup_printf ("after \"%s\" was said: heard \"%s\", expected \"%s\"",
                         said_text != NULL ? said_text : "(nothing yet)", heard_text,
                         expected_text);

      g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
      return;
    }
  recording_protocol_clear (user->client);
}

void
user_leave (User *user)
{
  braid_transport_lose_connection (braid_loopback_get_client_transport (user->loopback));
  braid_loopback_flush (user->loopback);
}

void
user_clear (User *user)
{
  if (braid_loopback_is_open (user->loopback))
    braid_loopback_close (user->loopback);
  g_clear_object (&user->loopback);
  g_clear_object (&user->client);
  g_clear_object (&user->server);
}

/* Connects; registers as @name unless it is NULL; forgets the greetings. */
void
user_join (User *user, ChatFactory *factory, const char *name, gsize chunk_size)
{
  user_connect (user, factory, chunk_size);
  if (name != NULL)
    {
      g_autofree char *line = g_strdup_printf ("%s\r\n", name);

      user_say (user, line);
    }
  recording_protocol_clear (user->client);
}
