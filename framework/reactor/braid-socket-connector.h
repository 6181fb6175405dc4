#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_SOCKET_CONNECTOR (braid_socket_connector_get_type ())
G_DECLARE_FINAL_TYPE (BraidSocketConnector, braid_socket_connector, BRAID, SOCKET_CONNECTOR, GObject)

G_END_DECLS
