#pragma once

#include "braid-types.h"
#include "core/braid-factory.h"
#include "core/braid-protocol.h"
#include "cache/braid-cache-store.h"

G_BEGIN_DECLS

/**
 * BRAID_CACHE_MAX_LINE_LENGTH:
 *
 * The longest command line other than `get` and `gets` the cache server
 * reads (memcached's 2048 bytes); a connection that sends a longer one is
 * closed.
 */
#define BRAID_CACHE_MAX_LINE_LENGTH 2048

/**
 * BRAID_CACHE_MAX_GET_LINE_LENGTH:
 *
 * The longest `get` or `gets` line the cache server reads: 1 MiB, room for
 * over 4000 keys of the longest kind.
 */
#define BRAID_CACHE_MAX_GET_LINE_LENGTH (1024 * 1024)

/**
 * BRAID_CACHE_SERVER_VERSION:
 *
 * What `version` answers: the memcached protocol version Braid speaks and
 * its own.
 */
#define BRAID_CACHE_SERVER_VERSION "1.6.18 braid"

#define BRAID_TYPE_CACHE_SERVER_FACTORY (braid_cache_server_factory_get_type ())
G_DECLARE_FINAL_TYPE (BraidCacheServerFactory, braid_cache_server_factory, BRAID, CACHE_SERVER_FACTORY, BraidFactory)

#define BRAID_TYPE_CACHE_SERVER_PROTOCOL (braid_cache_server_protocol_get_type ())
G_DECLARE_FINAL_TYPE (BraidCacheServerProtocol, braid_cache_server_protocol, BRAID, CACHE_SERVER_PROTOCOL, BraidProtocol)

BraidCacheServerFactory *braid_cache_server_factory_new       (BraidCacheStore         *store);
BraidCacheStore         *braid_cache_server_factory_get_store (BraidCacheServerFactory *self);
guint                    braid_cache_server_factory_get_connections (BraidCacheServerFactory *self);

G_END_DECLS
