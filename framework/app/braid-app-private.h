/* braid-app-private.h: what the services of framework/app/ share and do
 * not export. */
#pragma once

#include "app/braid-multi-service.h"
#include "app/braid-endpoint.h"
#include "app/braid-service.h"

/* The service's name, or "(anonymous)": for log lines. */
const char *braid_service_get_display_name (BraidService *self);

/* Set by BraidMultiService only, as it adds and removes children. */
void braid_service_set_parent_pointer (BraidService      *self,
                                       BraidMultiService *parent);

/* Endpoints (braid-endpoint.c) of the built-in types, from a description. */
BraidServerEndpoint *braid_server_endpoint_new_builtin (const BraidEndpointDescription *description,
                                                        GError                        **error);
BraidClientEndpoint *braid_client_endpoint_new_builtin (const BraidEndpointDescription *description,
                                                        GError                        **error);

/* `tls:` endpoints (braid-tls-endpoint.c), registered by braid-endpoint.c. */
BraidServerEndpoint *braid_tls_server_endpoint_parse (const BraidEndpointDescription *description,
                                                      GError                        **error);
BraidClientEndpoint *braid_tls_client_endpoint_parse (const BraidEndpointDescription *description,
                                                      GError                        **error);
