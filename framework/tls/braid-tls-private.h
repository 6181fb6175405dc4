/* braid-tls-private.h: what the parts of tls/ (and app/'s tls: endpoints)
 * share, with GnuTLS's types, which stay out of the public headers. */
#pragma once

#include <gnutls/gnutls.h>

#include "tls/braid-tls-options.h"

G_BEGIN_DECLS

gnutls_session_t braid_tls_options_new_session (BraidTlsOptions *self,
                                                GError         **error);
GError          *braid_tls_error_from_gnutls   (int              code,
                                                const char      *what);

G_END_DECLS
