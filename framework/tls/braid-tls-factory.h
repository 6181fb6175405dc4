#pragma once

#include "braid-types.h"
#include "core/braid-client-factory.h"
#include "tls/braid-tls-options.h"

G_BEGIN_DECLS

#define BRAID_TYPE_TLS_FACTORY (braid_tls_factory_get_type ())
G_DECLARE_FINAL_TYPE (BraidTlsFactory, braid_tls_factory, BRAID, TLS_FACTORY, BraidClientFactory)

BraidTlsFactory *braid_tls_factory_new                 (BraidTlsOptions *options,
                                                        BraidFactory    *wrapped);
BraidFactory    *braid_tls_factory_get_wrapped_factory (BraidTlsFactory *self);
BraidTlsOptions *braid_tls_factory_get_options         (BraidTlsFactory *self);

G_END_DECLS
