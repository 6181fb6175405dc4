#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

/**
 * BraidHttpResponse:
 *
 * A response received by [func@Braid.http_get]: status, headers, body.
 */
typedef struct _BraidHttpResponse BraidHttpResponse;

#define BRAID_TYPE_HTTP_RESPONSE (braid_http_response_get_type ())
GType               braid_http_response_get_type          (void) G_GNUC_CONST;
BraidHttpResponse  *braid_http_response_ref               (BraidHttpResponse *self);
void                braid_http_response_unref             (BraidHttpResponse *self);
guint               braid_http_response_get_status        (BraidHttpResponse *self);
const char         *braid_http_response_get_reason        (BraidHttpResponse *self);
guint               braid_http_response_get_version_minor (BraidHttpResponse *self);
const char         *braid_http_response_get_header        (BraidHttpResponse *self,
                                                           const char        *name);
GBytes             *braid_http_response_get_body          (BraidHttpResponse *self);

BraidDeferred      *braid_http_get                        (BraidReactor      *reactor,
                                                           const char        *url);
BraidDeferred      *braid_http_request                    (BraidReactor      *reactor,
                                                           const char        *method,
                                                           const char        *url,
                                                           GBytes            *body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidHttpResponse, braid_http_response_unref)

G_END_DECLS
