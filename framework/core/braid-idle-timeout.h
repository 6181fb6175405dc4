#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_IDLE_TIMEOUT (braid_idle_timeout_get_type ())
G_DECLARE_FINAL_TYPE (BraidIdleTimeout, braid_idle_timeout, BRAID, IDLE_TIMEOUT, GObject)

/**
 * BraidIdleFunc:
 * @protocol: the protocol whose connection was idle too long
 * @user_data: the data given to [method@Braid.IdleTimeout.set_expired_func]
 *
 * What to do when a connection has received nothing for its idle timeout.
 */
typedef void (*BraidIdleFunc) (BraidProtocol *protocol,
                               gpointer       user_data);

BraidIdleTimeout *braid_protocol_set_idle_timeout     (BraidProtocol    *protocol,
                                                       BraidClock       *clock,
                                                       gdouble           seconds);
BraidIdleTimeout *braid_protocol_get_idle_timeout     (BraidProtocol    *protocol);
void              braid_protocol_cancel_idle_timeout  (BraidProtocol    *protocol);

void              braid_idle_timeout_set_expired_func (BraidIdleTimeout *self,
                                                       BraidIdleFunc     func,
                                                       gpointer          user_data,
                                                       GDestroyNotify    destroy);
void              braid_idle_timeout_touch            (BraidIdleTimeout *self);
gboolean          braid_idle_timeout_is_active        (BraidIdleTimeout *self);
gdouble           braid_idle_timeout_get_seconds      (BraidIdleTimeout *self);

G_END_DECLS
