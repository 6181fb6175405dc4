#pragma once

#include <braid.h>

G_BEGIN_DECLS

/**
 * BraidConformanceFlags:
 * @BRAID_CONFORMANCE_ALL: the transport shows every behaviour
 * @BRAID_CONFORMANCE_NO_HALF_CLOSE: skip the half-close case
 * @BRAID_CONFORMANCE_NO_BACKPRESSURE: skip the producer pause/resume case
 *   (a transport with no buffer that can fill)
 * @BRAID_CONFORMANCE_NO_RESET: the peer of an abort may see a clean close
 *   (a UNIX socket has no reset: its peer reads an end of file)
 *
 * The cases of the conformance kit a transport leaves out, and why it may.
 */
typedef enum {
  BRAID_CONFORMANCE_ALL = 0,
  BRAID_CONFORMANCE_NO_HALF_CLOSE = 1 << 0,
  BRAID_CONFORMANCE_NO_BACKPRESSURE = 1 << 1,
  BRAID_CONFORMANCE_NO_RESET = 1 << 2,
} BraidConformanceFlags;

/**
 * BraidConformanceDone:
 * @user_data: the case's state
 *
 * What a case waits for.
 *
 * Returns: %TRUE once it happened
 */
typedef gboolean (*BraidConformanceDone) (gpointer user_data);

/**
 * BraidTransportPairFactory:
 * @name: the transport's name, the last part of the test paths
 * @flags: the cases to leave out
 * @open: connects a server protocol and a client protocol (neither
 *   connected yet) over the transport; returns the pair's state, and
 *   must have both `connection_made` calls done when it returns
 * @run_until: lets the pair's world run (a reactor, a pump, a simulated
 *   net) until @done holds, for at most @seconds (real or virtual); runs
 *   at least one round even when @seconds is 0; returns whether @done holds
 * @close: tears the pair down (closing what is still open)
 * @user_data: given to @open
 *
 * How the conformance kit makes and drives connections of one transport:
 * Trio's `check_two_way_stream` takes such a factory. Adding a transport
 * to the kit is writing these three functions.
 */
typedef struct {
  const char *name;
  BraidConformanceFlags flags;
  gpointer (*open)      (BraidProtocol        *server,
                         BraidProtocol        *client,
                         gpointer              user_data);
  gboolean (*run_until) (gpointer              pair,
                         BraidConformanceDone  done,
                         gpointer              done_data,
                         gdouble               seconds);
  void     (*close)     (gpointer              pair);
  gpointer user_data;
} BraidTransportPairFactory;

void                braid_transport_conformance_add     (const BraidTransportPairFactory *factory);
BraidClientFactory *braid_conformance_factory_new       (BraidProtocol *protocol);

G_END_DECLS
