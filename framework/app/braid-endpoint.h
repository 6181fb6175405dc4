#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/**
 * BraidEndpointDescription:
 * @type: the endpoint type, lower-cased: `"tcp"`, `"unix"`...
 * @args: (array zero-terminated=1): the positional arguments after the
 *   type, unescaped
 * @kwargs: (element-type utf8 utf8): the `key=value` arguments, unescaped
 *
 * An endpoint string taken apart, before its type gives the arguments a
 * meaning: `tcp:8000:interface=127.0.0.1` has type `tcp`, args `["8000"]`
 * and kwargs `{interface: 127.0.0.1}`.
 */
typedef struct
{
  char *type;
  char **args;
  GHashTable *kwargs;
} BraidEndpointDescription;

#define BRAID_TYPE_ENDPOINT_DESCRIPTION (braid_endpoint_description_get_type ())
GType                     braid_endpoint_description_get_type (void) G_GNUC_CONST;
BraidEndpointDescription *braid_endpoint_description_parse    (const char                     *text,
                                                               GError                        **error);
BraidEndpointDescription *braid_endpoint_description_copy     (const BraidEndpointDescription *self);
void                      braid_endpoint_description_free     (BraidEndpointDescription       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidEndpointDescription, braid_endpoint_description_free)

#define BRAID_TYPE_SERVER_ENDPOINT (braid_server_endpoint_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidServerEndpoint, braid_server_endpoint, BRAID, SERVER_ENDPOINT, GObject)

/**
 * BraidServerEndpointClass:
 * @parent_class: the parent class
 * @listen: listen on @reactor with @factory; the default handles the
 *   built-in types (`tcp`, `tcp6`, `unix`, `systemd`)
 *
 * The virtual methods of [class@Braid.ServerEndpoint]. An endpoint type
 * added with [func@Braid.ServerEndpoint.register_type] (`tls:`) is a
 * subclass that overrides @listen.
 */
struct _BraidServerEndpointClass
{
  GObjectClass parent_class;

  BraidListeningPort *(*listen) (BraidServerEndpoint *self,
                                 BraidReactor        *reactor,
                                 BraidFactory        *factory,
                                 GError             **error);

  /*< private >*/
  gpointer padding[8];
};

/**
 * BraidServerEndpointParser:
 * @description: the endpoint string, taken apart
 * @error: where to say what is wrong with it
 *
 * Makes a server endpoint of a type registered with
 * [func@Braid.ServerEndpoint.register_type].
 *
 * Returns: (transfer full) (nullable): the endpoint, or %NULL with @error set
 */
typedef BraidServerEndpoint *(*BraidServerEndpointParser) (const BraidEndpointDescription *description,
                                                           GError                        **error);

BraidServerEndpoint *braid_server_endpoint_new_for_string (const char                *description,
                                                           GError                   **error);
void                 braid_server_endpoint_register_type  (const char                *type,
                                                           BraidServerEndpointParser  parser);
BraidListeningPort  *braid_server_endpoint_listen         (BraidServerEndpoint       *self,
                                                           BraidReactor              *reactor,
                                                           BraidFactory              *factory,
                                                           GError                   **error);
const char          *braid_server_endpoint_get_description (BraidServerEndpoint      *self);

#define BRAID_TYPE_CLIENT_ENDPOINT (braid_client_endpoint_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidClientEndpoint, braid_client_endpoint, BRAID, CLIENT_ENDPOINT, GObject)

/**
 * BraidClientEndpointClass:
 * @parent_class: the parent class
 * @connect: start connecting with @factory on @reactor; the default
 *   handles the built-in types (`tcp`, `unix`)
 *
 * The virtual methods of [class@Braid.ClientEndpoint].
 */
struct _BraidClientEndpointClass
{
  GObjectClass parent_class;

  BraidConnector *(*connect) (BraidClientEndpoint *self,
                              BraidReactor        *reactor,
                              BraidClientFactory  *factory,
                              GError             **error);

  /*< private >*/
  gpointer padding[8];
};

/**
 * BraidClientEndpointParser:
 * @description: the endpoint string, taken apart
 * @error: where to say what is wrong with it
 *
 * Makes a client endpoint of a type registered with
 * [func@Braid.ClientEndpoint.register_type].
 *
 * Returns: (transfer full) (nullable): the endpoint, or %NULL with @error set
 */
typedef BraidClientEndpoint *(*BraidClientEndpointParser) (const BraidEndpointDescription *description,
                                                           GError                        **error);

BraidClientEndpoint *braid_client_endpoint_new_for_string (const char                *description,
                                                           GError                   **error);
void                 braid_client_endpoint_register_type  (const char                *type,
                                                           BraidClientEndpointParser  parser);
BraidConnector      *braid_client_endpoint_connect        (BraidClientEndpoint       *self,
                                                           BraidReactor              *reactor,
                                                           BraidClientFactory        *factory,
                                                           GError                   **error);
const char          *braid_client_endpoint_get_description (BraidClientEndpoint      *self);

G_END_DECLS
