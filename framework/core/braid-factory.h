#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_FACTORY (braid_factory_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidFactory, braid_factory, BRAID, FACTORY, GObject)

/**
 * BraidFactoryClass:
 * @parent_class: the parent class
 * @build_protocol: make the protocol for a new connection from @addr; the
 *   default instantiates [property@Braid.Factory:protocol-type] and sets its
 *   factory. Returning %NULL refuses the connection
 * @start_factory: the factory starts being used (first port or connector)
 * @stop_factory: the factory stops being used (last port or connector gone)
 *
 * The virtual methods of [class@Braid.Factory].
 */
struct _BraidFactoryClass
{
  GObjectClass parent_class;

  BraidProtocol *(*build_protocol) (BraidFactory   *self,
                                    GSocketAddress *addr);
  void           (*start_factory)  (BraidFactory   *self);
  void           (*stop_factory)   (BraidFactory   *self);

  /*< private >*/
  gpointer padding[8];
};

BraidFactory  *braid_factory_new               (GType           protocol_type);
BraidProtocol *braid_factory_build_protocol    (BraidFactory   *self,
                                                GSocketAddress *addr);
GType          braid_factory_get_protocol_type (BraidFactory   *self);
void           braid_factory_set_clock         (BraidFactory   *self,
                                                BraidClock     *clock);
BraidClock    *braid_factory_get_clock         (BraidFactory   *self);
void           braid_factory_do_start          (BraidFactory   *self);
void           braid_factory_do_stop           (BraidFactory   *self);
guint          braid_factory_get_num_users     (BraidFactory   *self);

G_END_DECLS
