/* pycached.h: lesson 13's cache, the seeds' PyCached, shared by the
 * program, the tests and the exercise. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* What `version` answers. */
#define PYCACHED_VERSION "PyCached 1.0 (Braid)"

#define PYCACHED_TYPE_FACTORY (pycached_factory_get_type ())
G_DECLARE_FINAL_TYPE (PycachedFactory, pycached_factory, PYCACHED, FACTORY, BraidFactory)

#define PYCACHED_TYPE_PROTOCOL (pycached_protocol_get_type ())
G_DECLARE_FINAL_TYPE (PycachedProtocol, pycached_protocol, PYCACHED, PROTOCOL, BraidLineReceiver)

PycachedFactory *pycached_factory_new        (BraidCacheStore  *store);
BraidCacheStore *pycached_factory_get_store  (PycachedFactory  *self);
BraidCacheStore *pycached_protocol_get_store (PycachedProtocol *self);
void             pycached_protocol_reply     (PycachedProtocol *self,
                                              const char       *line);

/* The exercise (exercise/incr.c): `incr KEY`. */
void             pycached_incr_command       (PycachedProtocol *self,
                                              const char       *arguments);

G_END_DECLS
