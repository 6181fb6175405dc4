#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_RESOURCE (braid_resource_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidResource, braid_resource, BRAID, RESOURCE, GObject)

/**
 * BraidRenderFunc:
 * @resource: the resource rendered
 * @request: the request to answer
 * @user_data: the data given with the function
 *
 * Renders @request: returns the whole body, or %BRAID_NOT_DONE_YET after
 * arranging to write and finish the request later.
 *
 * Returns: (transfer full) (nullable): the body, or %BRAID_NOT_DONE_YET
 */
typedef GBytes *(*BraidRenderFunc) (BraidResource *resource,
                                    BraidRequest  *request,
                                    gpointer       user_data);

/**
 * BraidResourceClass:
 * @parent_class: the parent class
 * @get_child: the child for a path segment that was not put with
 *   [method@Braid.Resource.put_child]; the default is a 404 page
 * @render: answers a request that stopped at this resource; the default
 *   calls the function set for the request's method
 *   ([method@Braid.Resource.set_render_func]), GET's for HEAD, or answers
 *   405 with an `Allow` header
 *
 * The class of a resource (Twisted's `Resource`).
 */
struct _BraidResourceClass
{
  GObjectClass parent_class;

  BraidResource *(*get_child) (BraidResource *self,
                               const char    *segment,
                               BraidRequest  *request);
  GBytes        *(*render)    (BraidResource *self,
                               BraidRequest  *request);

  /*< private >*/
  gpointer padding[8];
};

BraidResource *braid_resource_new                    (void);
BraidResource *braid_error_resource_new              (guint          code,
                                                      const char    *brief,
                                                      const char    *detail);
void           braid_resource_put_child              (BraidResource *self,
                                                      const char    *segment,
                                                      BraidResource *child);
BraidResource *braid_resource_get_child_with_default (BraidResource *self,
                                                      const char    *segment,
                                                      BraidRequest  *request);
BraidResource *braid_resource_get_child_for_request  (BraidResource *self,
                                                      BraidRequest  *request);
void           braid_resource_set_is_leaf            (BraidResource *self,
                                                      gboolean       is_leaf);
gboolean       braid_resource_get_is_leaf            (BraidResource *self);
void           braid_resource_set_render_func        (BraidResource  *self,
                                                      const char     *method,
                                                      BraidRenderFunc func,
                                                      gpointer        user_data,
                                                      GDestroyNotify  destroy);
GBytes        *braid_resource_render                 (BraidResource *self,
                                                      BraidRequest  *request);
char          *braid_resource_get_allowed_methods    (BraidResource *self);

G_END_DECLS
