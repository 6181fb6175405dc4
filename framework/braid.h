/* braid.h: the one header a Braid program includes.
 *
 * Braid is Twisted's event-driven networking model in C, on GLib: a
 * reactor, transports, protocols and factories, deferreds, timers and
 * framing protocols. Start with lessons/01-echo/README.md.
 *
 * The framework is built in parts, each in its own folder; a part uses only
 * the parts listed above it here (docs/architecture.md, "Where things live").
 */
#pragma once

#define BRAID_INSIDE

/* The foundation: forward declarations and the error domain. */
#include "braid-types.h"
#include "braid-error.h"

/* deferred/: results that arrive later, and what combines them. */
#include "deferred/braid-result.h"
#include "deferred/braid-deferred.h"
#include "deferred/braid-deferred-unhandled.h"
#include "deferred/braid-maybe-deferred.h"
#include "deferred/braid-deferred-race.h"
#include "deferred/braid-deferred-list.h"
#include "deferred/braid-deferred-lock.h"
#include "deferred/braid-deferred-async.h"

/* time/: clocks, delayed calls, and what runs on a clock. */
#include "time/braid-clock.h"
#include "time/braid-delayed-call.h"
#include "time/braid-timer-queue.h"
#include "time/braid-deferred-timeout.h"
#include "time/braid-looping-call.h"
#include "time/braid-defer-later.h"

/* core/: the interfaces of a connection and of a reactor. */
#include "core/braid-producer.h"
#include "core/braid-transport.h"
#include "core/braid-write-limit.h"
#include "core/braid-protocol.h"
#include "core/braid-factory.h"
#include "core/braid-client-factory.h"
#include "core/braid-connector.h"
#include "core/braid-listening-port.h"
#include "core/braid-reactor.h"
#include "core/braid-trigger-list.h"
#include "core/braid-idle-timeout.h"
#include "core/braid-datagram-protocol.h"
#include "core/braid-datagram-transport.h"
#include "core/braid-process.h"
#include "core/braid-threads.h"

/* framing/: protocols that cut a byte stream into messages. */
#include "framing/braid-line-receiver.h"
#include "framing/braid-int-n-receiver.h"
#include "framing/braid-netstring-receiver.h"

/* web/: an HTTP/1.1 server over a tree of resources. */
#include "web/braid-request.h"
#include "web/braid-resource.h"
#include "web/braid-site.h"
#include "web/braid-file-resource.h"
#include "web/braid-http-client.h"

/* cache/: memcached's protocol: the item store, the server, the client,
 * the status page. */
#include "cache/braid-cache-store.h"
#include "cache/braid-cache-server.h"
#include "cache/braid-cache-client.h"
#include "cache/braid-cache-status.h"

/* reactor/: the real reactor, on the GLib main loop, and its sockets. */
#include "reactor/braid-glib-reactor.h"
#include "reactor/braid-socket-transport.h"
#include "reactor/braid-socket-port.h"
#include "reactor/braid-socket-connector.h"
#include "reactor/braid-udp-port.h"

/* dns/: DNS messages, hosts files, a DNS server. */
#include "dns/braid-dns-message.h"
#include "dns/braid-dns-hosts.h"
#include "dns/braid-dns-server.h"

/* tls/: TLS over any transport, as a protocol wrapper. */
#include "tls/braid-tls-options.h"
#include "tls/braid-tls-protocol.h"
#include "tls/braid-tls-factory.h"
#include "reactor/braid-glib-process.h"

/* app/: services started and stopped with the reactor, endpoints from strings. */
#include "app/braid-service.h"
#include "app/braid-multi-service.h"
#include "app/braid-endpoint.h"
#include "app/braid-stream-server-service.h"
#include "app/braid-timer-service.h"
#include "app/braid-client-service.h"
#include "app/braid-application.h"

#undef BRAID_INSIDE
