/* test-helpers.h: what lesson 13's tests and its exercise's check share:
 * a PyCached server on a fake clock, one connection on a string transport. */
#pragma once

#include <braid-fakes.h>

#include "pycached.h"

typedef struct
{
  BraidFakeClock *clock;
  BraidCacheStore *store;
  PycachedFactory *factory;
  BraidProtocol *protocol;
  BraidStringTransport *transport;
} Cache;

/* A store of @memory bytes on a fake clock, a PyCached factory over it and
 * one connection to it. */
void cache_open  (Cache *c, gsize memory);
/* Loses the connection and frees it all. */
void cache_close (Cache *c);
