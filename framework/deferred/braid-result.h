/* braid-result.h: the value or error a deferred's callbacks work on. */
#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

typedef struct _BraidDeferred BraidDeferred;
typedef struct _BraidResult BraidResult;

/* Results, as callbacks see them */
BraidResult   *braid_result_new_value    (gpointer        value,
                                          GDestroyNotify  destroy);
BraidResult   *braid_result_new_error    (GError         *error);
void           braid_result_free         (BraidResult    *result);

gboolean       braid_result_is_error     (const BraidResult *result);
gpointer       braid_result_get_value    (const BraidResult *result);
const GError  *braid_result_get_error    (const BraidResult *result);
gint           braid_result_get_index    (const BraidResult *result);
gpointer       braid_result_steal_value  (BraidResult    *result);
GError        *braid_result_steal_error  (BraidResult    *result);

void           braid_result_set_value    (BraidResult    *result,
                                          gpointer        value,
                                          GDestroyNotify  destroy);
void           braid_result_take_error   (BraidResult    *result,
                                          GError         *error);
void           braid_result_fail         (BraidResult    *result,
                                          GQuark          domain,
                                          gint            code,
                                          const char     *format,
                                          ...) G_GNUC_PRINTF (4, 5);
void           braid_result_chain        (BraidResult    *result,
                                          BraidDeferred  *inner);

gboolean       braid_result_check        (const BraidResult *result,
                                          GQuark             domain,
                                          gint               code);
gboolean       braid_result_trap         (BraidResult    *result,
                                          GQuark          domain,
                                          gint            code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidResult, braid_result_free)

G_END_DECLS
