#pragma once

#include "braid-types.h"
#include "deferred/braid-deferred.h"

G_BEGIN_DECLS

#define BRAID_TYPE_REQUEST (braid_request_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidRequest, braid_request, BRAID, REQUEST, GObject)

/**
 * BraidRequestClass:
 * @parent_class: the parent class
 * @write_body: writes a piece of the response body; the default frames it
 *   (head first, chunked or not) and calls @send
 * @finish_body: ends the response body; the default sends the last chunk if
 *   any and calls @done
 * @send: sends framed response bytes to the client
 * @done: the response is complete: the connection may go on to the next request
 * @register_producer: lets a producer feed the response (see
 *   [method@Braid.Request.register_producer])
 * @unregister_producer: the producer is done
 *
 * What a request does with its response. [class@Braid.Site]'s connections
 * send it on their transport; a test double records it.
 */
struct _BraidRequestClass
{
  GObjectClass parent_class;

  void (*write_body)          (BraidRequest        *self,
                               const guint8        *data,
                               gsize                len);
  void (*finish_body)         (BraidRequest        *self);
  void (*send)                (BraidRequest        *self,
                               const GOutputVector *vectors,
                               gsize                n_vectors);
  void (*done)                (BraidRequest        *self);
  void (*register_producer)   (BraidRequest        *self,
                               BraidProducer       *producer,
                               gboolean             streaming);
  void (*unregister_producer) (BraidRequest        *self);

  /*< private >*/
  gpointer padding[8];
};

/**
 * BRAID_NOT_DONE_YET:
 *
 * What a render function returns when it will write and finish the
 * response later (Twisted's `NOT_DONE_YET`).
 */
#define BRAID_NOT_DONE_YET NULL

void            braid_request_setup               (BraidRequest   *self,
                                                   const char     *method,
                                                   const char     *uri,
                                                   guint           version_minor);
void            braid_request_add_request_header  (BraidRequest   *self,
                                                   const char     *name,
                                                   const char     *value);
void            braid_request_set_content         (BraidRequest   *self,
                                                   GBytes         *content);
void            braid_request_set_client_address  (BraidRequest   *self,
                                                   GSocketAddress *address);
void            braid_request_set_keep_alive      (BraidRequest   *self,
                                                   gboolean        keep_alive);

const char     *braid_request_get_method          (BraidRequest   *self);
const char     *braid_request_get_uri             (BraidRequest   *self);
const char     *braid_request_get_path            (BraidRequest   *self);
guint           braid_request_get_version_minor   (BraidRequest   *self);
const char     *braid_request_get_header          (BraidRequest   *self,
                                                   const char     *name);
const char     *braid_request_get_arg             (BraidRequest   *self,
                                                   const char     *name);
const char * const *braid_request_get_args        (BraidRequest   *self,
                                                   const char     *name);
GBytes         *braid_request_get_content         (BraidRequest   *self);
GSocketAddress *braid_request_get_client_address  (BraidRequest   *self);
gboolean        braid_request_get_keep_alive      (BraidRequest   *self);
const char * const *braid_request_get_prepath     (BraidRequest   *self);
const char * const *braid_request_get_postpath    (BraidRequest   *self);
char           *braid_request_pop_postpath        (BraidRequest   *self);

void            braid_request_set_response_code   (BraidRequest   *self,
                                                   guint           code);
guint           braid_request_get_response_code   (BraidRequest   *self);
void            braid_request_set_header          (BraidRequest   *self,
                                                   const char     *name,
                                                   const char     *value);
void            braid_request_add_header          (BraidRequest   *self,
                                                   const char     *name,
                                                   const char     *value);
const char     *braid_request_get_response_header (BraidRequest   *self,
                                                   const char     *name);
void            braid_request_set_content_length  (BraidRequest   *self,
                                                   guint64         length);
void            braid_request_write               (BraidRequest   *self,
                                                   const guint8   *data,
                                                   gsize           len);
void            braid_request_write_bytes         (BraidRequest   *self,
                                                   GBytes         *bytes);
void            braid_request_write_string        (BraidRequest   *self,
                                                   const char     *text);
void            braid_request_finish              (BraidRequest   *self);
gboolean        braid_request_is_finished         (BraidRequest   *self);
gboolean        braid_request_is_started          (BraidRequest   *self);
gboolean        braid_request_is_lost             (BraidRequest   *self);
guint64         braid_request_get_sent_length     (BraidRequest   *self);
BraidDeferred  *braid_request_notify_finish       (BraidRequest   *self);
void            braid_request_connection_lost     (BraidRequest   *self,
                                                   const GError   *reason);
void            braid_request_register_producer   (BraidRequest   *self,
                                                   BraidProducer  *producer,
                                                   gboolean        streaming);
void            braid_request_unregister_producer (BraidRequest   *self);
void            braid_request_finish_with_body    (BraidRequest   *self,
                                                   GBytes         *body);
void            braid_request_process             (BraidRequest   *self,
                                                   BraidResource  *root);
char           *braid_http_date                   (gint64          unix_seconds);
gboolean        braid_http_date_parse             (const char     *text,
                                                   gint64         *unix_seconds);

G_END_DECLS
