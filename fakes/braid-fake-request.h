#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define BRAID_TYPE_FAKE_REQUEST (braid_fake_request_get_type ())
G_DECLARE_FINAL_TYPE (BraidFakeRequest, braid_fake_request, BRAID, FAKE_REQUEST, BraidRequest)

BraidFakeRequest *braid_fake_request_new           (const char       *method,
                                                    const char       *uri);
GBytes           *braid_fake_request_get_written   (BraidFakeRequest *self);
GBytes           *braid_fake_request_get_sent      (BraidFakeRequest *self);
guint             braid_fake_request_get_write_count (BraidFakeRequest *self);
BraidProducer    *braid_fake_request_get_producer  (BraidFakeRequest *self,
                                                    gboolean         *streaming);
void              braid_fake_request_render        (BraidFakeRequest *self,
                                                    BraidResource    *resource);

G_END_DECLS
