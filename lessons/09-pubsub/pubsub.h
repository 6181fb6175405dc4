/* pubsub.h: lesson 09's publish/subscribe server, shared by the program
 * and its tests. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* The longest line a client may send, in bytes (without "\r\n"). */
#define PUB_MAX_LINE_LENGTH 1024

/* The program closes a connection that sends nothing for this long: a
 * server cannot keep every silent socket forever. */
#define PUB_IDLE_TIMEOUT_SECONDS 300

#define PUB_TYPE_FACTORY (pub_factory_get_type ())
G_DECLARE_FINAL_TYPE (PubFactory, pub_factory, PUB, FACTORY, BraidFactory)

#define PUB_TYPE_PROTOCOL (pub_protocol_get_type ())
G_DECLARE_FINAL_TYPE (PubProtocol, pub_protocol, PUB, PROTOCOL, BraidLineReceiver)

PubFactory         *pub_factory_new             (void);
void                pub_factory_set_idle_timeout (PubFactory  *self,
                                                  BraidClock  *clock,
                                                  gdouble      seconds);
guint               pub_factory_get_num_clients (PubFactory   *self);
PubProtocol        *pub_factory_get_client      (PubFactory   *self,
                                                 guint         index);
void                pub_factory_broadcast       (PubFactory   *self,
                                                 const char   *line);

const char         *pub_protocol_get_address    (PubProtocol  *self);

BraidListeningPort *pubsub_server_listen        (BraidReactor *reactor,
                                                 guint16       port,
                                                 GError      **error);

G_END_DECLS
