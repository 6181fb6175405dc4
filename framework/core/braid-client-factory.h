#pragma once

#include "braid-types.h"
#include "core/braid-factory.h"

G_BEGIN_DECLS

#define BRAID_TYPE_CLIENT_FACTORY (braid_client_factory_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidClientFactory, braid_client_factory, BRAID, CLIENT_FACTORY, BraidFactory)

/**
 * BraidClientFactoryClass:
 * @parent_class: the parent class
 * @started_connecting: a connection attempt starts
 * @client_connection_failed: the attempt failed (refused, timed out, host not
 *   found...); @reason says why
 * @client_connection_lost: an established connection ended; @reason says how
 *
 * The virtual methods of [class@Braid.ClientFactory]. Call
 * [method@Braid.Connector.connect] from the last two to try again.
 */
struct _BraidClientFactoryClass
{
  BraidFactoryClass parent_class;

  void (*started_connecting)       (BraidClientFactory *self,
                                    BraidConnector     *connector);
  void (*client_connection_failed) (BraidClientFactory *self,
                                    BraidConnector     *connector,
                                    const GError       *reason);
  void (*client_connection_lost)   (BraidClientFactory *self,
                                    BraidConnector     *connector,
                                    const GError       *reason);

  /*< private >*/
  gpointer padding[8];
};

BraidClientFactory *braid_client_factory_new                      (GType               protocol_type);
void                braid_client_factory_started_connecting       (BraidClientFactory *self,
                                                                   BraidConnector     *connector);
void                braid_client_factory_client_connection_failed (BraidClientFactory *self,
                                                                   BraidConnector     *connector,
                                                                   const GError       *reason);
void                braid_client_factory_client_connection_lost   (BraidClientFactory *self,
                                                                   BraidConnector     *connector,
                                                                   const GError       *reason);

G_END_DECLS
