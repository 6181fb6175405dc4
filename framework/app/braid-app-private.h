/* braid-app-private.h: what the services of framework/app/ share and do
 * not export. */
#pragma once

#include "app/braid-multi-service.h"
#include "app/braid-service.h"

/* The service's name, or "(anonymous)": for log lines. */
const char *braid_service_get_display_name (BraidService *self);

/* Set by BraidMultiService only, as it adds and removes children. */
void braid_service_set_parent_pointer (BraidService      *self,
                                       BraidMultiService *parent);
