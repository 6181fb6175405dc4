#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

typedef struct _BraidMultiService BraidMultiService;

#define BRAID_TYPE_SERVICE (braid_service_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidService, braid_service, BRAID, SERVICE, GObject)

/**
 * BraidServiceClass:
 * @parent_class: the parent class
 * @privileged_start_service: do what must happen before the reactor runs
 *   and may fail, such as binding a port; the default does nothing
 * @start_service: start; the default marks the service running
 * @stop_service: stop; the default marks the service not running. Return
 *   %NULL when stopped at once, or a deferred that fires once stopped
 *
 * The virtual methods of [class@Braid.Service]. An override chains up to
 * the parent class, so that the running flag stays true.
 */
struct _BraidServiceClass
{
  GObjectClass parent_class;

  gboolean       (*privileged_start_service) (BraidService  *self,
                                              GError       **error);
  void           (*start_service)            (BraidService  *self);
  BraidDeferred *(*stop_service)             (BraidService  *self);

  /*< private >*/
  gpointer padding[8];
};

BraidService      *braid_service_new                      (const char    *name);
const char        *braid_service_get_name                 (BraidService  *self);
void               braid_service_set_name                 (BraidService  *self,
                                                           const char    *name);
BraidMultiService *braid_service_get_parent               (BraidService  *self);
gboolean           braid_service_set_parent               (BraidService  *self,
                                                           BraidMultiService *parent,
                                                           GError       **error);
BraidDeferred     *braid_service_disown_parent            (BraidService  *self);
gboolean           braid_service_is_running               (BraidService  *self);
gboolean           braid_service_is_stopping              (BraidService  *self);
gboolean           braid_service_privileged_start_service (BraidService  *self,
                                                           GError       **error);
void               braid_service_start_service            (BraidService  *self);
BraidDeferred     *braid_service_stop_service             (BraidService  *self);

G_END_DECLS
