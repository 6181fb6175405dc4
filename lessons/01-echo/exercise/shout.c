/* shout.c: lesson 01's exercise, an echo that shouts.
 *
 * Make this protocol send back what it receives IN UPPER CASE:
 * "hello\n" comes back as "HELLO\n", "Hi, Bob!" as "HI, BOB!".
 * Only the letters a-z change; every other byte (digits, punctuation,
 * newlines, bytes of UTF-8 characters such as "é") goes back as it came.
 *
 * Check your work with `tools/start check 01` (by hand:
 * `ninja -C build lessons/check-01-echo && build/lessons/check-01-echo`).
 * Stuck? `tools/start hint 01`. */
#include "shout.h"

struct _ShoutProtocol
{
  BraidProtocol parent_instance;
};

G_DEFINE_FINAL_TYPE (ShoutProtocol, shout_protocol, BRAID_TYPE_PROTOCOL)

static void
shout_protocol_data_received (BraidProtocol *protocol,
                              const guint8  *data,
                              gsize          len)
{
  BraidTransport *transport = braid_protocol_get_transport (protocol);

  /* EXERCISE: write back an upper-case copy of the @len bytes at @data,
   * instead of the bytes themselves. Remember that @data belongs to the
   * caller (make your own copy to change) and is not a C string: it has no
   * NUL at the end, and may even contain NUL bytes. */
  braid_transport_write (transport, data, len);
}

static void
shout_protocol_class_init (ShoutProtocolClass *klass)
{
  BRAID_PROTOCOL_CLASS (klass)->data_received = shout_protocol_data_received;
}

static void
shout_protocol_init (ShoutProtocol *self)
{
}
