#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_GLIB_REACTOR (braid_glib_reactor_get_type ())
G_DECLARE_FINAL_TYPE (BraidGLibReactor, braid_glib_reactor, BRAID, GLIB_REACTOR, GObject)

/**
 * BRAID_GLIB_REACTOR_FLUSH_SECONDS:
 *
 * How long [method@Braid.Reactor.run] keeps going after a stop, at most,
 * so that connections can send what they still have buffered: 2 seconds.
 * Connections that have not finished by then are aborted.
 */
#define BRAID_GLIB_REACTOR_FLUSH_SECONDS 2.0

BraidReactor *braid_glib_reactor_new              (GMainContext     *context);
GMainContext *braid_glib_reactor_get_context      (BraidGLibReactor *self);
guint         braid_glib_reactor_get_n_connections (BraidGLibReactor *self);
void          braid_glib_reactor_hold_shutdown    (BraidGLibReactor *self);
void          braid_glib_reactor_release_shutdown (BraidGLibReactor *self);

G_END_DECLS
