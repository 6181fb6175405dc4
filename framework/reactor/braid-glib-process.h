#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_GLIB_PROCESS (braid_glib_process_get_type ())
G_DECLARE_FINAL_TYPE (BraidGLibProcess, braid_glib_process, BRAID, GLIB_PROCESS, GObject)

/**
 * BRAID_GLIB_PROCESS_HIGH_WATER:
 *
 * Bytes waiting for the child's stdin above which a registered streaming
 * producer is paused: the same mark as a socket's.
 */
#define BRAID_GLIB_PROCESS_HIGH_WATER (64 * 1024)

/**
 * BRAID_GLIB_PROCESS_LOW_WATER:
 *
 * Bytes waiting for the child's stdin below which a paused producer is
 * resumed.
 */
#define BRAID_GLIB_PROCESS_LOW_WATER (16 * 1024)

gsize braid_glib_process_get_buffered_size (BraidGLibProcess *self);

G_END_DECLS
