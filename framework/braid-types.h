/* braid-types.h: forward declarations shared by every Braid header.
 *
 * Braid's types refer to each other (a clock makes delayed calls, a reactor
 * is a clock, a protocol has a transport and a factory...). Declaring the
 * names once here lets every header include just this file instead of each
 * other, which keeps the headers free of include cycles.
 */
#pragma once

#if !defined(BRAID_INSIDE) && !defined(BRAID_COMPILATION)
# error "Only <braid.h> can be included directly."
#endif

#include <glib-object.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _BraidClock BraidClock;
typedef struct _BraidDelayedCall BraidDelayedCall;
typedef struct _BraidTimerQueue BraidTimerQueue;
typedef struct _BraidReactor BraidReactor;
typedef struct _BraidTransport BraidTransport;
typedef struct _BraidProducer BraidProducer;
typedef struct _BraidProtocol BraidProtocol;
typedef struct _BraidFactory BraidFactory;
typedef struct _BraidClientFactory BraidClientFactory;
typedef struct _BraidConnector BraidConnector;
typedef struct _BraidListeningPort BraidListeningPort;
typedef struct _BraidDatagramProtocol BraidDatagramProtocol;
typedef struct _BraidDatagramTransport BraidDatagramTransport;
typedef struct _BraidProcessProtocol BraidProcessProtocol;
typedef struct _BraidProcessTransport BraidProcessTransport;
typedef struct _BraidRequest BraidRequest;
typedef struct _BraidResource BraidResource;

/**
 * BraidCallFunc:
 * @user_data: the data given when the call was scheduled
 *
 * A function that Braid calls later: a delayed call, a "when running" hook,
 * a system event trigger.
 */
typedef void (*BraidCallFunc) (gpointer user_data);

G_END_DECLS
