#pragma once

#include "braid-types.h"
#include "web/braid-resource.h"
#include "cache/braid-cache-store.h"

G_BEGIN_DECLS

#define BRAID_TYPE_CACHE_STATUS_RESOURCE (braid_cache_status_resource_get_type ())
G_DECLARE_FINAL_TYPE (BraidCacheStatusResource, braid_cache_status_resource,
                      BRAID, CACHE_STATUS_RESOURCE, BraidResource)

BraidCacheStatusResource *braid_cache_status_resource_new       (BraidCacheStore          *store);
BraidCacheStore          *braid_cache_status_resource_get_store (BraidCacheStatusResource *self);
void                      braid_cache_status_resource_set_title (BraidCacheStatusResource *self,
                                                                 const char               *title);
const char               *braid_cache_status_resource_get_title (BraidCacheStatusResource *self);
char                     *braid_cache_status_json               (const BraidCacheStats    *stats);

G_END_DECLS
