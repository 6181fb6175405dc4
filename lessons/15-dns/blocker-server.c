/* blocker-server.c: lesson 15's program, a DNS server that cuts out social
 * media. Ask it with `dig @127.0.0.1 -p 5553 facebook.com`. */
#include <braid.h>

#include "blocker.h"
#include "lesson-options.h"

/* The seeds' hosts file: `twistd dns --hosts-file=hosts` sends these to
 * 127.0.0.1. */
static const char * const social_media[] = { "facebook.com", "twitter.com", "reddit.com", NULL };

int
main (int argc, char **argv)
{
  g_autoptr (BraidReactor) reactor = braid_glib_reactor_new (NULL);
  g_autoptr (BlockerProtocol) blocker = blocker_protocol_new (social_media);
  g_autoptr (GError) error = NULL;
  BraidDatagramTransport *port_object;
  guint16 port = 5553;

  if (!lesson_parse_options (&argc, &argv, "Lesson 15: a DNS server that cuts out social media.",
                             &port, NULL, &error))
    return braid_exit_with_error (error);

  /* UDP: no factory, no connection; one protocol hears every datagram. */
  port_object = braid_reactor_listen_udp (reactor, port, BRAID_DATAGRAM_PROTOCOL (blocker),
                                          "127.0.0.1", 0, &error);
  if (port_object == NULL)
    return braid_exit_with_error (error);

  port = braid_listening_port_get_port (BRAID_LISTENING_PORT (port_object));
  g_print ("DNS blocker on 127.0.0.1:%u (UDP)\n", port);
  g_print ("Ask it:  dig @127.0.0.1 -p %u facebook.com\n", port);
  g_print ("Stop it with Ctrl-C.\n");

  braid_reactor_run (reactor);
  return 0;
}
