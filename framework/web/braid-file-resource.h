#pragma once

#include "braid-types.h"
#include "web/braid-resource.h"

G_BEGIN_DECLS

/**
 * BRAID_FILE_RESOURCE_CHUNK_SIZE:
 *
 * How much of a large file is read and sent at a time: 64 KiB.
 */
#define BRAID_FILE_RESOURCE_CHUNK_SIZE (64 * 1024)

/**
 * BRAID_FILE_RESOURCE_CACHE_SIZE:
 *
 * How many bytes of small files a tree of file resources keeps in memory:
 * 8 MiB.
 */
#define BRAID_FILE_RESOURCE_CACHE_SIZE (8 * 1024 * 1024)

#define BRAID_TYPE_FILE_RESOURCE (braid_file_resource_get_type ())
G_DECLARE_FINAL_TYPE (BraidFileResource, braid_file_resource, BRAID, FILE_RESOURCE, BraidResource)

BraidResource *braid_file_resource_new            (const char        *path);
const char    *braid_file_resource_get_path       (BraidFileResource *self);
const char    *braid_file_resource_content_type   (const char        *filename);
void           braid_file_resource_set_clock      (BraidFileResource *self,
                                                   BraidClock        *clock);

G_END_DECLS
