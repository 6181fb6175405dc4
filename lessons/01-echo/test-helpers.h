/* test-helpers.h: what lesson 01's tests and its exercise's check share. */
#pragma once

#include <braid-fakes.h>

BraidProtocol *connect_protocol (GType                 protocol_type,
                                 BraidStringTransport *transport);
