#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define BRAID_TYPE_RECORDING_PROTOCOL (braid_recording_protocol_get_type ())
G_DECLARE_FINAL_TYPE (BraidRecordingProtocol, braid_recording_protocol, BRAID, RECORDING_PROTOCOL, BraidProtocol)

BraidRecordingProtocol *braid_recording_protocol_new          (void);
void                    braid_recording_protocol_set_greeting (BraidRecordingProtocol *self,
                                                               const char             *greeting);
GBytes                 *braid_recording_protocol_get_received (BraidRecordingProtocol *self);
const char             *braid_recording_protocol_peek         (BraidRecordingProtocol *self,
                                                               gsize                  *len);
void                    braid_recording_protocol_clear        (BraidRecordingProtocol *self);
const GError           *braid_recording_protocol_get_reason   (BraidRecordingProtocol *self);

G_END_DECLS
