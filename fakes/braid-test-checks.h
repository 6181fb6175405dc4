#pragma once

#include <braid.h>
#include "braid-string-transport.h"

G_BEGIN_DECLS

gboolean braid_check_transport_wrote (BraidStringTransport  *transport,
                                      const char            *expected,
                                      GError               **error);
gboolean braid_check_no_leftovers    (GError               **error);

G_END_DECLS
