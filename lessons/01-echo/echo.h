/* echo.h: lesson 01's echo protocol, shared by the program and its tests. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define ECHO_TYPE_PROTOCOL (echo_protocol_get_type ())
G_DECLARE_FINAL_TYPE (EchoProtocol, echo_protocol, ECHO, PROTOCOL, BraidProtocol)

BraidListeningPort *echo_server_listen (BraidReactor  *reactor,
                                        guint16        port,
                                        GError       **error);
BraidListeningPort *echo_tls_server_listen (BraidReactor    *reactor,
                                            guint16          port,
                                            BraidTlsOptions *options,
                                            GError         **error);

G_END_DECLS
