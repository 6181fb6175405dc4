/* reconnect.c: lesson 14's exercise -- survive the network.
 *
 * The client gives a connection up when an ACK is 2 s late, and a
 * connection attempt fails after 1 s (a partition swallows it). Today it
 * then does nothing: carol's messages after the first fault never reach
 * the room. Make it:
 *
 * 1. back off: lossy_client_backoff (attempts) is how long to wait before
 *    the next attempt, given `attempts` failures in a row (1, 2, 3…):
 *    0.1 s, 0.2 s, 0.4 s… doubling, never more than LOSSY_CHAT_MAX_DELAY;
 * 2. reconnect: lossy_client_reconnect_later waits that long on the
 *    client's clock, then connects again with the same connector;
 * 3. resend: when a server welcomes a connection ("WELCOME N": it has
 *    our messages up to N), send what it does not have.
 *
 * The check runs the chat under 200 seeds of random partitions: every
 * message must reach the room exactly once and in order.
 *
 * Check your work with `tools/start check 14` (by hand:
 * `ninja -C build lessons/check-14-lossy-chat && build/lessons/check-14-lossy-chat`).
 * Stuck? `tools/start hint 14`. */
#include "lossy-chat.h"

gdouble
lossy_client_backoff (guint attempts)
{
  /* EXERCISE: LOSSY_CHAT_INITIAL_DELAY for the first attempt, twice the
   * previous delay for each next one, at most LOSSY_CHAT_MAX_DELAY. */
  return LOSSY_CHAT_MAX_DELAY;
}

void
lossy_client_reconnect_later (LossyClient *self, BraidConnector *connector)
{
  /* EXERCISE: after lossy_client_backoff (lossy_client_get_attempts (self))
   * seconds on lossy_client_get_clock (self), call
   * braid_connector_connect (connector). The connector must still be
   * alive then: give the timer a reference. */
}

void
lossy_client_welcomed (LossyClient *self, guint64 server_has)
{
  /* EXERCISE: the server has every message up to server_has; send the
   * others (see lossy_client_send_from in lossy-chat.c). */
}
