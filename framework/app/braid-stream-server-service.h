#pragma once

#include "braid-types.h"
#include "app/braid-service.h"
#include "app/braid-endpoint.h"

G_BEGIN_DECLS

#define BRAID_TYPE_STREAM_SERVER_SERVICE (braid_stream_server_service_get_type ())
G_DECLARE_FINAL_TYPE (BraidStreamServerService, braid_stream_server_service,
                      BRAID, STREAM_SERVER_SERVICE, BraidService)

BraidStreamServerService *braid_stream_server_service_new      (BraidReactor             *reactor,
                                                                BraidServerEndpoint      *endpoint,
                                                                BraidFactory             *factory);
BraidListeningPort       *braid_stream_server_service_get_port (BraidStreamServerService *self);
BraidServerEndpoint      *braid_stream_server_service_get_endpoint (BraidStreamServerService *self);
BraidFactory             *braid_stream_server_service_get_factory (BraidStreamServerService *self);

G_END_DECLS
