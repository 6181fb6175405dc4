#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_LISTENING_PORT (braid_listening_port_get_type ())
G_DECLARE_INTERFACE (BraidListeningPort, braid_listening_port, BRAID, LISTENING_PORT, GObject)

/**
 * BraidListeningPortInterface:
 * @g_iface: the parent interface
 * @get_host: the address the port listens on (with the real port number
 *   when port 0 was asked for)
 * @stop_listening: stop accepting connections; open connections go on
 *
 * The virtual methods of [iface@Braid.ListeningPort].
 */
struct _BraidListeningPortInterface
{
  GTypeInterface g_iface;

  GSocketAddress *(*get_host)       (BraidListeningPort *self);
  void            (*stop_listening) (BraidListeningPort *self);

  /*< private >*/
  gpointer padding[4];
};

GSocketAddress *braid_listening_port_get_host       (BraidListeningPort *self);
guint16         braid_listening_port_get_port       (BraidListeningPort *self);
void            braid_listening_port_stop_listening (BraidListeningPort *self);

G_END_DECLS
