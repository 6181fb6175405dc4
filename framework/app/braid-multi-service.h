#pragma once

#include "braid-types.h"
#include "app/braid-service.h"

G_BEGIN_DECLS

#define BRAID_TYPE_MULTI_SERVICE (braid_multi_service_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidMultiService, braid_multi_service, BRAID, MULTI_SERVICE, BraidService)

/**
 * BraidMultiServiceClass:
 * @parent_class: the parent class
 *
 * The class of [class@Braid.MultiService].
 */
struct _BraidMultiServiceClass
{
  BraidServiceClass parent_class;

  /*< private >*/
  gpointer padding[4];
};

BraidMultiService *braid_multi_service_new               (const char        *name);
gboolean           braid_multi_service_add_service       (BraidMultiService *self,
                                                          BraidService      *service,
                                                          GError           **error);
BraidDeferred     *braid_multi_service_remove_service    (BraidMultiService *self,
                                                          BraidService      *service);
BraidService      *braid_multi_service_get_service_named (BraidMultiService *self,
                                                          const char        *name);
GPtrArray         *braid_multi_service_get_services      (BraidMultiService *self);
GPtrArray         *braid_multi_service_list_stopping     (BraidMultiService *self);

G_END_DECLS
