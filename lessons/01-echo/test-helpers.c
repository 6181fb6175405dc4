/* test-helpers.c: what lesson 01's tests (test-echo.c) and its exercise's
 * check (check/check-shout.c) share. */
#include "test-helpers.h"

/* Builds a protocol the way the server does (through a factory) and
 * connects it to a string transport, which records what it writes. */
BraidProtocol *
connect_protocol (GType protocol_type, BraidStringTransport *transport)
{
  g_autoptr (BraidFactory) factory = braid_factory_new (protocol_type);
  BraidProtocol *protocol = braid_factory_build_protocol (factory, NULL);

  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (transport));
  return protocol;
}
