/* greeter.h: lesson 04's exercise. You complete exercise/greeter.c. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define GREETER_TYPE_FACTORY (greeter_factory_get_type ())
G_DECLARE_FINAL_TYPE (GreeterFactory, greeter_factory, GREETER, FACTORY, BraidFactory)

#define GREETER_TYPE_PROTOCOL (greeter_protocol_get_type ())
G_DECLARE_FINAL_TYPE (GreeterProtocol, greeter_protocol, GREETER, PROTOCOL, BraidProtocol)

GreeterFactory *greeter_factory_new          (const char      *greeting);
const char     *greeter_factory_get_greeting (GreeterFactory  *self);

gboolean        three_servers_listen         (BraidReactor    *reactor,
                                              guint16          first_port,
                                              GError         **error);

G_END_DECLS
