#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_SOCKET_PORT (braid_socket_port_get_type ())
G_DECLARE_FINAL_TYPE (BraidSocketPort, braid_socket_port, BRAID, SOCKET_PORT, GObject)

G_END_DECLS
