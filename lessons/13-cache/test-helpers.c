/* test-helpers.c: what lesson 13's tests (test-cache.c) and its exercise's
 * check (check/check-incr.c) share. */
#include "test-helpers.h"

void
cache_open (Cache *c, gsize memory)
{
  c->clock = braid_fake_clock_new ();
  c->store = braid_cache_store_new (BRAID_CLOCK (c->clock), memory);
  c->factory = pycached_factory_new (c->store);
  c->protocol = braid_factory_build_protocol (BRAID_FACTORY (c->factory), NULL);
  c->transport = braid_string_transport_new ();
  braid_protocol_make_connection (c->protocol, BRAID_TRANSPORT (c->transport));
}

void
cache_close (Cache *c)
{
  braid_test_lose_connection (c->protocol, TRUE);
  g_clear_object (&c->protocol);
  g_clear_object (&c->transport);
  g_clear_object (&c->factory);
  g_clear_object (&c->store);
  g_clear_object (&c->clock);
}
