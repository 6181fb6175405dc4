/* counting.h: lesson 02's counting echo, shared by the program and its tests. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define COUNTING_TYPE_FACTORY (counting_factory_get_type ())
G_DECLARE_FINAL_TYPE (CountingFactory, counting_factory, COUNTING, FACTORY, BraidFactory)

#define COUNTING_TYPE_PROTOCOL (counting_protocol_get_type ())
G_DECLARE_FINAL_TYPE (CountingProtocol, counting_protocol, COUNTING, PROTOCOL, BraidProtocol)

CountingFactory    *counting_factory_new               (void);
guint               counting_factory_get_num_protocols (CountingFactory  *self);

BraidListeningPort *counting_server_listen             (BraidReactor     *reactor,
                                                        guint16           port,
                                                        GError          **error);

G_END_DECLS
