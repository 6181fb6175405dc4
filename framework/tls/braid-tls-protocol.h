#pragma once

#include "braid-types.h"
#include "tls/braid-tls-options.h"

G_BEGIN_DECLS

#define BRAID_TYPE_TLS_PROTOCOL (braid_tls_protocol_get_type ())
G_DECLARE_FINAL_TYPE (BraidTlsProtocol, braid_tls_protocol, BRAID, TLS_PROTOCOL, BraidProtocol)

BraidTlsProtocol *braid_tls_protocol_new                     (BraidTlsOptions  *options,
                                                              BraidProtocol    *wrapped);
BraidProtocol    *braid_tls_protocol_get_wrapped_protocol    (BraidTlsProtocol *self);
BraidTlsOptions  *braid_tls_protocol_get_options             (BraidTlsProtocol *self);
gboolean          braid_tls_protocol_is_handshake_done       (BraidTlsProtocol *self);
const char       *braid_tls_protocol_get_negotiated_protocol (BraidTlsProtocol *self);
const char       *braid_tls_protocol_get_server_name         (BraidTlsProtocol *self);
const char       *braid_tls_protocol_get_protocol_version    (BraidTlsProtocol *self);

G_END_DECLS
