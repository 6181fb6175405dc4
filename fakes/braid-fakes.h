/* braid-fakes.h: the test harness. Include it in tests, never in programs.
 *
 * Fakes implement the same interfaces as the real parts (a clock, a
 * transport, a reactor), so a protocol, factory, deferred or timer is
 * tested with no socket and no real time. */
#pragma once

#include <braid.h>

#include "braid-fake-clock.h"
#include "braid-string-transport.h"
#include "braid-fake-datagram-transport.h"
#include "braid-memory-reactor.h"
#include "braid-fake-process.h"
#include "braid-loopback.h"
#include "braid-test-utils.h"
#include "braid-recording-protocol.h"
#include "braid-test-checks.h"
#include "braid-sim-net.h"
#include "braid-transport-conformance.h"

/* Deferred assertions */
#include "braid-deferred-assertions.h"
#include "braid-non-streaming-producer.h"
#include "braid-fake-request.h"

