/* braid.h: the one header a Braid program includes.
 *
 * Braid is Twisted's event-driven networking model in C, on GLib: a
 * reactor, transports, protocols and factories, deferreds, timers and
 * framing protocols. Start with lessons/01-echo/README.md.
 */
#pragma once

#define BRAID_INSIDE

#include "braid-types.h"
#include "braid-error.h"

/* Time */
#include "braid-clock.h"
#include "braid-delayed-call.h"
#include "braid-timer-queue.h"
#include "braid-trigger-list.h"

/* Connections */
#include "braid-producer.h"
#include "braid-transport.h"
#include "braid-protocol.h"
#include "braid-factory.h"
#include "braid-client-factory.h"
#include "braid-connector.h"
#include "braid-listening-port.h"
#include "braid-reactor.h"

/* The real reactor (issue #3) */
#include "braid-glib-reactor.h"
#include "braid-socket-transport.h"


/* Deferreds (issue #4) */
#include "braid-deferred.h"
#include "braid-deferred-list.h"
#include "braid-deferred-lock.h"
#include "braid-deferred-async.h"


/* Framing protocols and timers (issue #5) */
#include "braid-line-receiver.h"
#include "braid-int-n-receiver.h"
#include "braid-netstring-receiver.h"
#include "braid-looping-call.h"
#include "braid-idle-timeout.h"
#include "braid-defer-later.h"


/* Applications: services, endpoints from strings */
#include "braid-service.h"
#include "braid-multi-service.h"
#include "braid-endpoint.h"
#include "braid-stream-server-service.h"
#include "braid-timer-service.h"
#include "braid-client-service.h"
#include "braid-application.h"


#undef BRAID_INSIDE
