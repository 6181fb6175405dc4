#pragma once

#include "braid-types.h"
#include "app/braid-multi-service.h"

G_BEGIN_DECLS

/**
 * BRAID_APPLICATION_DEFAULT_SHUTDOWN_TIMEOUT:
 *
 * How long a shutdown waits for the services to stop, in seconds, unless
 * told otherwise: 10.
 */
#define BRAID_APPLICATION_DEFAULT_SHUTDOWN_TIMEOUT 10.0

#define BRAID_TYPE_APPLICATION (braid_application_get_type ())
G_DECLARE_FINAL_TYPE (BraidApplication, braid_application, BRAID, APPLICATION, GObject)

BraidApplication  *braid_application_new                  (BraidReactor     *reactor);
BraidMultiService *braid_application_get_root             (BraidApplication *self);
void               braid_application_set_shutdown_timeout (BraidApplication *self,
                                                           gdouble           seconds);
gboolean           braid_application_start                (BraidApplication *self,
                                                           GError          **error);
gboolean           braid_application_is_shutting_down     (BraidApplication *self);

G_END_DECLS
