/* limited.h: lesson 02's exercise. You complete exercise/limited.c. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define LIMITED_TYPE_FACTORY (limited_factory_get_type ())
G_DECLARE_FINAL_TYPE (LimitedFactory, limited_factory, LIMITED, FACTORY, BraidFactory)

#define LIMITED_TYPE_PROTOCOL (limited_protocol_get_type ())
G_DECLARE_FINAL_TYPE (LimitedProtocol, limited_protocol, LIMITED, PROTOCOL, BraidProtocol)

LimitedFactory *limited_factory_new             (guint           max_clients);
guint           limited_factory_get_num_clients (LimitedFactory *self);

G_END_DECLS
