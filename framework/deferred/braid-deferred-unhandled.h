/* braid-deferred-unhandled.h: how a deferred dropped with an error is
 * reported. */
#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/**
 * BraidUnhandledErrorFunc:
 * @report: one line naming the error, where the deferred was created and
 *   where it was fired
 * @user_data: the data given to braid_deferred_add_unhandled_error_observer()
 *
 * Told about every deferred dropped with an error nobody handled.
 */
typedef void (*BraidUnhandledErrorFunc) (const char *report,
                                         gpointer    user_data);

void braid_deferred_add_unhandled_error_observer    (BraidUnhandledErrorFunc func,
                                                     gpointer                user_data);
void braid_deferred_remove_unhandled_error_observer (BraidUnhandledErrorFunc func,
                                                     gpointer                user_data);

G_END_DECLS
