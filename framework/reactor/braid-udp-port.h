#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_UDP_PORT (braid_udp_port_get_type ())
G_DECLARE_FINAL_TYPE (BraidUdpPort, braid_udp_port, BRAID, UDP_PORT, GObject)

G_END_DECLS
