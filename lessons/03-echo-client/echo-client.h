/* echo-client.h: lesson 03's echo client, shared by the program and its tests. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define ECHO_CLIENT_TYPE_PROTOCOL (echo_client_protocol_get_type ())
G_DECLARE_FINAL_TYPE (EchoClientProtocol, echo_client_protocol, ECHO_CLIENT, PROTOCOL, BraidProtocol)

#define ECHO_CLIENT_TYPE_FACTORY (echo_client_factory_get_type ())
G_DECLARE_FINAL_TYPE (EchoClientFactory, echo_client_factory, ECHO_CLIENT, FACTORY, BraidClientFactory)

EchoClientFactory *echo_client_factory_new       (const char        *message);
const char        *echo_client_factory_get_reply (EchoClientFactory *self);
gboolean           echo_client_factory_succeeded (EchoClientFactory *self,
                                                  GError           **error);

G_END_DECLS
