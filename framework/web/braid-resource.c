/* braid-resource.c: a node of a site's resource tree. */
#include "config.h"

#include <string.h>

#include "web/braid-request.h"
#include "web/braid-resource.h"

/**
 * BraidResource:
 *
 * A node of a site's tree of resources: Twisted's `Resource`. A request's
 * path is walked from the root, one segment at a time
 * ([method@Braid.Resource.get_child_for_request]): each segment names a
 * child put with [method@Braid.Resource.put_child], or one the class's
 * `get_child` makes (by default, a 404 page). The walk stops at a leaf
 * ([method@Braid.Resource.set_is_leaf]), which sees the rest of the path
 * in [method@Braid.Request.get_postpath], or when the path is used up.
 *
 * As in Twisted, `/` is the segment `""` under the root: a root that
 * answers `/` itself is a leaf, or puts itself as its child `""` (which
 * makes no reference cycle).
 *
 * The resource found renders the request: the function set for its
 * method ([method@Braid.Resource.set_render_func]; `HEAD` uses `GET`'s
 * and the body is not sent), or 405 with an `Allow` header that lists the
 * methods it has. A render function returns the body, or
 * %BRAID_NOT_DONE_YET and finishes the request later:
 *
 * ```c
 * static GBytes *
 * render_hello (BraidResource *resource, BraidRequest *request, gpointer data)
 * {
 *   braid_request_set_header (request, "Content-Type", "text/plain");
 *   return g_bytes_new_static ("hello\n", 6);
 * }
 * ...
 * braid_resource_set_render_func (hello, "GET", render_hello, NULL, NULL);
 * braid_resource_put_child (root, "hello", hello);
 * ```
 */

typedef struct
{
  BraidRenderFunc func;
  gpointer user_data;
  GDestroyNotify destroy;
} RenderEntry;

typedef struct
{
  GHashTable *children;    /* segment -> BraidResource */
  GHashTable *self_segments;  /* segments whose child is the resource itself
                               * (held without a reference: no cycle) */
  GPtrArray *methods;      /* char *, in the order set */
  GPtrArray *renderers;    /* RenderEntry *, same index */
  gboolean is_leaf;
  /* error resources */
  guint code;
  char *brief;
  char *detail;
} BraidResourcePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (BraidResource, braid_resource, G_TYPE_OBJECT)

#define PRIV(self) ((BraidResourcePrivate *) braid_resource_get_instance_private (self))


static void
render_entry_free (gpointer data)
{
  RenderEntry *entry = data;

  if (entry->destroy != NULL)
    entry->destroy (entry->user_data);
  g_free (entry);
}

static void
ensure_tables (BraidResourcePrivate *priv)
{
  if (priv->children != NULL)
    return;
  priv->children = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  priv->self_segments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  priv->methods = g_ptr_array_new_with_free_func (g_free);
  priv->renderers = g_ptr_array_new_with_free_func (render_entry_free);
}

static void
braid_resource_finalize (GObject *object)
{
  BraidResourcePrivate *priv = PRIV (BRAID_RESOURCE (object));

  g_clear_pointer (&priv->children, g_hash_table_unref);
  g_clear_pointer (&priv->self_segments, g_hash_table_unref);
  g_clear_pointer (&priv->methods, g_ptr_array_unref);
  g_clear_pointer (&priv->renderers, g_ptr_array_unref);
  g_free (priv->brief);
  g_free (priv->detail);
  G_OBJECT_CLASS (braid_resource_parent_class)->finalize (object);
}

static BraidResource *
braid_resource_real_get_child (BraidResource *self, const char *segment, BraidRequest *request)
{
  return braid_error_resource_new (404, "No Such Resource", "No such child resource.");
}

/* The HTML page of an error response: sets the code and type. */
static GBytes *
error_page (BraidRequest *request, guint code, const char *brief, const char *detail)
{
  g_autofree char *brief_html = g_markup_escape_text (brief, -1);
  g_autofree char *detail_html = g_markup_escape_text (detail, -1);
  char *page;

  braid_request_set_response_code (request, code);
  braid_request_set_header (request, "Content-Type", "text/html; charset=utf-8");
  page = g_strdup_printf ("<html>\n  <head><title>%u - %s</title></head>\n  <body>\n"
                          "    <h1>%s</h1>\n    <p>%s</p>\n  </body>\n</html>\n",
                          code, brief_html, brief_html, detail_html);
  return g_bytes_new_take (page, strlen (page));
}

static GBytes *
braid_resource_real_render (BraidResource *self, BraidRequest *request)
{
  BraidResourcePrivate *priv = PRIV (self);
  const char *method = braid_request_get_method (request);
  g_autofree char *allowed = NULL;
  g_autofree char *detail = NULL;

  if (priv->code != 0)
    return error_page (request, priv->code, priv->brief, priv->detail);
  ensure_tables (priv);
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < priv->methods->len; i++)
        if (strcmp (priv->methods->pdata[i], method) == 0)
          {
            RenderEntry *entry = priv->renderers->pdata[i];

            return entry->func (self, request, entry->user_data);
          }
      if (strcmp (method, "HEAD") != 0)
        break;
      method = "GET";
    }
  allowed = braid_resource_get_allowed_methods (self);
  detail = g_strconcat ("Allowed: ", allowed, NULL);
  braid_request_set_header (request, "Allow", allowed);
  return error_page (request, 405, "Method Not Allowed", detail);
}

static void
braid_resource_class_init (BraidResourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_resource_finalize;
  klass->get_child = braid_resource_real_get_child;
  klass->render = braid_resource_real_render;
}

static void
braid_resource_init (BraidResource *self)
{
  /* The tables are made when first needed: a site makes resources per
   * request (files, error pages) that have no children. */
}


/**
 * braid_resource_new:
 *
 * Makes a resource with no children and no render function: add them with
 * [method@Braid.Resource.put_child] and
 * [method@Braid.Resource.set_render_func].
 *
 * Returns: (transfer full): the resource
 */
BraidResource *
braid_resource_new (void)
{
  return g_object_new (BRAID_TYPE_RESOURCE, NULL);
}

/**
 * braid_error_resource_new:
 * @code: the status code (404)
 * @brief: the page's title ("No Such Resource")
 * @detail: a sentence for the page
 *
 * Makes a leaf that answers every request with @code and a small HTML page
 * (Twisted's `ErrorPage`, `NoResource`).
 *
 * Returns: (transfer full): the resource
 */
BraidResource *
braid_error_resource_new (guint code, const char *brief, const char *detail)
{
  BraidResource *self;
  BraidResourcePrivate *priv;

  g_return_val_if_fail (code >= 100 && code <= 999, NULL);
  g_return_val_if_fail (brief != NULL && detail != NULL, NULL);

  self = braid_resource_new ();
  priv = PRIV (self);
  priv->code = code;
  priv->brief = g_strdup (brief);
  priv->detail = g_strdup (detail);
  priv->is_leaf = TRUE;
  return self;
}

/**
 * braid_resource_put_child:
 * @self: a resource
 * @segment: a path segment, decoded, without `/` (`""` for a trailing `/`)
 * @child: the resource at that segment
 *
 * Puts @child under @self: `/segment` below @self's path is @child.
 * Replaces any child of that name. @child may be @self (Twisted's
 * `root.putChild(b"", root)`, so that `/` renders the root): that one is
 * not a reference, so there is no cycle.
 */
void
braid_resource_put_child (BraidResource *self, const char *segment, BraidResource *child)
{
  BraidResourcePrivate *priv;

  g_return_if_fail (BRAID_IS_RESOURCE (self));
  g_return_if_fail (segment != NULL && strchr (segment, '/') == NULL);
  g_return_if_fail (BRAID_IS_RESOURCE (child));

  priv = PRIV (self);
  ensure_tables (priv);
  g_hash_table_remove (priv->children, segment);
  g_hash_table_remove (priv->self_segments, segment);
  if (child == self)
    g_hash_table_add (priv->self_segments, g_strdup (segment));
  else
    g_hash_table_insert (priv->children, g_strdup (segment), g_object_ref (child));
}

/**
 * braid_resource_get_child_with_default:
 * @self: a resource
 * @segment: a path segment
 * @request: the request being answered
 *
 * Gets the child put at @segment, or the one the class's `get_child` makes.
 *
 * Returns: (transfer full): the child
 */
BraidResource *
braid_resource_get_child_with_default (BraidResource *self, const char *segment,
                                       BraidRequest *request)
{
  BraidResource *child;

  g_return_val_if_fail (BRAID_IS_RESOURCE (self), NULL);
  g_return_val_if_fail (segment != NULL, NULL);

  if (PRIV (self)->children != NULL)
    {
      if (g_hash_table_contains (PRIV (self)->self_segments, segment))
        return g_object_ref (self);
      child = g_hash_table_lookup (PRIV (self)->children, segment);
      if (child != NULL)
        return g_object_ref (child);
    }
  child = BRAID_RESOURCE_GET_CLASS (self)->get_child (self, segment, request);
  if (child == NULL)
    child = braid_error_resource_new (404, "No Such Resource", "No such child resource.");
  return child;
}

/**
 * braid_resource_get_child_for_request:
 * @self: the root of a tree
 * @request: a request whose postpath is not used yet
 *
 * Walks the tree from @self along the request's path: while the current
 * resource is not a leaf and segments are left, moves one segment from the
 * request's postpath to its prepath and goes to that child.
 *
 * Returns: (transfer full): the resource that renders the request
 */
BraidResource *
braid_resource_get_child_for_request (BraidResource *self, BraidRequest *request)
{
  BraidResource *current;

  g_return_val_if_fail (BRAID_IS_RESOURCE (self), NULL);
  g_return_val_if_fail (BRAID_IS_REQUEST (request), NULL);

  current = g_object_ref (self);
  while (!PRIV (current)->is_leaf && braid_request_get_postpath (request)[0] != NULL)
    {
      g_autofree char *segment = braid_request_pop_postpath (request);
      BraidResource *child = braid_resource_get_child_with_default (current, segment, request);

      g_object_unref (current);
      current = child;
    }
  return current;
}

/**
 * braid_resource_set_is_leaf:
 * @self: a resource
 * @is_leaf: %TRUE if @self answers every path below it
 *
 * Makes @self a leaf: the walk stops there and the rest of the path is
 * left in the request's postpath.
 */
void
braid_resource_set_is_leaf (BraidResource *self, gboolean is_leaf)
{
  g_return_if_fail (BRAID_IS_RESOURCE (self));
  PRIV (self)->is_leaf = is_leaf;
}

/**
 * braid_resource_get_is_leaf:
 * @self: a resource
 *
 * Tells whether @self is a leaf.
 *
 * Returns: %TRUE for a leaf
 */
gboolean
braid_resource_get_is_leaf (BraidResource *self)
{
  g_return_val_if_fail (BRAID_IS_RESOURCE (self), FALSE);
  return PRIV (self)->is_leaf;
}

/**
 * braid_resource_set_render_func:
 * @self: a resource
 * @method: an HTTP method (`GET`), case-sensitive as HTTP's are
 * @func: (scope notified): what renders it
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets the function that renders requests of @method (Twisted's
 * `render_GET` and co), replacing any.
 */
void
braid_resource_set_render_func (BraidResource   *self,
                                const char      *method,
                                BraidRenderFunc  func,
                                gpointer         user_data,
                                GDestroyNotify   destroy)
{
  BraidResourcePrivate *priv;
  RenderEntry *entry;

  g_return_if_fail (BRAID_IS_RESOURCE (self));
  g_return_if_fail (method != NULL && method[0] != '\0');
  g_return_if_fail (func != NULL);

  priv = PRIV (self);
  ensure_tables (priv);
  entry = g_new0 (RenderEntry, 1);
  entry->func = func;
  entry->user_data = user_data;
  entry->destroy = destroy;
  for (guint i = 0; i < priv->methods->len; i++)
    if (strcmp (priv->methods->pdata[i], method) == 0)
      {
        render_entry_free (priv->renderers->pdata[i]);
        priv->renderers->pdata[i] = entry;
        return;
      }
  g_ptr_array_add (priv->methods, g_strdup (method));
  g_ptr_array_add (priv->renderers, entry);
}

/**
 * braid_resource_render:
 * @self: a resource
 * @request: the request to answer
 *
 * Renders @request with the class's `render`.
 *
 * Returns: (transfer full) (nullable): the body, or %BRAID_NOT_DONE_YET
 */
GBytes *
braid_resource_render (BraidResource *self, BraidRequest *request)
{
  g_return_val_if_fail (BRAID_IS_RESOURCE (self), NULL);
  g_return_val_if_fail (BRAID_IS_REQUEST (request), NULL);

  return BRAID_RESOURCE_GET_CLASS (self)->render (self, request);
}

/**
 * braid_resource_get_allowed_methods:
 * @self: a resource
 *
 * Lists the methods @self renders, as an `Allow` header writes them
 * (`GET, HEAD, POST`); `HEAD` comes with `GET`.
 *
 * Returns: (transfer full): the list
 */
char *
braid_resource_get_allowed_methods (BraidResource *self)
{
  BraidResourcePrivate *priv;
  GString *out;
  gboolean get = FALSE, head = FALSE;

  g_return_val_if_fail (BRAID_IS_RESOURCE (self), NULL);

  priv = PRIV (self);
  ensure_tables (priv);
  out = g_string_new (NULL);
  for (guint i = 0; i < priv->methods->len; i++)
    {
      const char *m = priv->methods->pdata[i];

      get = get || strcmp (m, "GET") == 0;
      head = head || strcmp (m, "HEAD") == 0;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, m);
    }
  if (get && !head)
    g_string_append (out, ", HEAD");
  return g_string_free (out, FALSE);
}
