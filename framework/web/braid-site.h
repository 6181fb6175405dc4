#pragma once

#include "braid-types.h"
#include "core/braid-factory.h"
#include "core/braid-protocol.h"

G_BEGIN_DECLS

/**
 * BRAID_HTTP_DEFAULT_MAX_BODY:
 *
 * The largest request body a site accepts unless told otherwise: 10 MiB.
 */
#define BRAID_HTTP_DEFAULT_MAX_BODY (10 * 1024 * 1024)

#define BRAID_TYPE_SITE (braid_site_get_type ())
G_DECLARE_FINAL_TYPE (BraidSite, braid_site, BRAID, SITE, BraidFactory)

#define BRAID_TYPE_HTTP_CHANNEL (braid_http_channel_get_type ())
G_DECLARE_FINAL_TYPE (BraidHttpChannel, braid_http_channel, BRAID, HTTP_CHANNEL, BraidProtocol)

BraidSite     *braid_site_new                  (BraidResource *root);
BraidResource *braid_site_get_root             (BraidSite     *self);
void           braid_site_set_max_request_line (BraidSite     *self,
                                                gsize          max);
gsize          braid_site_get_max_request_line (BraidSite     *self);
void           braid_site_set_max_head         (BraidSite     *self,
                                                gsize          max);
gsize          braid_site_get_max_head         (BraidSite     *self);
void           braid_site_set_max_body         (BraidSite     *self,
                                                guint64        max);
guint64        braid_site_get_max_body         (BraidSite     *self);
void           braid_site_set_request_timeout  (BraidSite     *self,
                                                gdouble        seconds);
gdouble        braid_site_get_request_timeout  (BraidSite     *self);
void           braid_site_set_idle_timeout     (BraidSite     *self,
                                                gdouble        seconds);
gdouble        braid_site_get_idle_timeout     (BraidSite     *self);
void           braid_site_set_access_log       (BraidSite     *self,
                                                gboolean       enabled);
gboolean       braid_site_get_access_log       (BraidSite     *self);
guint64        braid_site_get_request_count    (BraidSite     *self);

G_END_DECLS
