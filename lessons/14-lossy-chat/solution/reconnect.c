/* reconnect.c: lesson 14's exercise, solved -- reconnect with backoff,
 * and resend what was not acknowledged. */
#include "lossy-chat.h"

gdouble
lossy_client_backoff (guint attempts)
{
  gdouble delay = LOSSY_CHAT_INITIAL_DELAY;

  /* 0.1, 0.2, 0.4… seconds: a server that is down is not hammered, and a
   * partition that heals is noticed soon. */
  for (guint i = 1; i < attempts && delay < LOSSY_CHAT_MAX_DELAY; i++)
    delay *= 2;
  return MIN (delay, LOSSY_CHAT_MAX_DELAY);
}

static void
reconnect_now (gpointer data)
{
  braid_connector_connect (BRAID_CONNECTOR (data));
}

void
lossy_client_reconnect_later (LossyClient *self, BraidConnector *connector)
{
  braid_clock_call_later (lossy_client_get_clock (self),
                          lossy_client_backoff (lossy_client_get_attempts (self)),
                          reconnect_now, g_object_ref (connector), g_object_unref);
}

void
lossy_client_welcomed (LossyClient *self, guint64 server_has)
{
  lossy_client_send_from (self, server_has);
}
