#pragma once

#include "braid-types.h"
#include "core/braid-reactor.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

/**
 * BRAID_CACHE_CLIENT_POINTS_PER_SERVER:
 *
 * How many points each server has on the ketama continuum: 160, as
 * libketama and libmemcached (40 MD5 digests of 4 points each).
 */
#define BRAID_CACHE_CLIENT_POINTS_PER_SERVER 160

/**
 * BRAID_CACHE_CLIENT_DEFAULT_RETRY_DELAY:
 *
 * Seconds a server that failed stays marked down before it is tried again.
 */
#define BRAID_CACHE_CLIENT_DEFAULT_RETRY_DELAY 5.0

#define BRAID_TYPE_CACHE_CLIENT (braid_cache_client_get_type ())
G_DECLARE_FINAL_TYPE (BraidCacheClient, braid_cache_client, BRAID, CACHE_CLIENT, GObject)

BraidCacheClient *braid_cache_client_new             (BraidReactor     *reactor);
void              braid_cache_client_add_server      (BraidCacheClient *self,
                                                      const char       *host,
                                                      guint16           port);
void              braid_cache_client_set_retry_delay (BraidCacheClient *self,
                                                      gdouble           seconds);
const char       *braid_cache_client_server_for_key  (BraidCacheClient *self,
                                                      const char       *key);
gboolean          braid_cache_client_is_server_up    (BraidCacheClient *self,
                                                      const char       *server);
BraidDeferred    *braid_cache_client_get             (BraidCacheClient *self,
                                                      const char       *key);
BraidDeferred    *braid_cache_client_set             (BraidCacheClient *self,
                                                      const char       *key,
                                                      GBytes           *value,
                                                      guint32           flags,
                                                      gint64           exptime);
BraidDeferred    *braid_cache_client_delete          (BraidCacheClient *self,
                                                      const char       *key);
void              braid_cache_client_disconnect      (BraidCacheClient *self);

G_END_DECLS
