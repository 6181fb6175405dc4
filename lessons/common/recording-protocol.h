/* recording-protocol.h: the other end of a conversation, in the lessons' tests.
 *
 * A lesson's test connects the lesson's server protocol to a
 * RecordingProtocol through a BraidLoopback: the recording protocol says
 * its first words when connected, then records everything the server sends
 * and how the connection ended, for the test to check. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define RECORDING_TYPE_PROTOCOL (recording_protocol_get_type ())
G_DECLARE_FINAL_TYPE (RecordingProtocol, recording_protocol, RECORDING, PROTOCOL, BraidProtocol)

RecordingProtocol *recording_protocol_new          (const char        *first_words);
const char        *recording_protocol_get_received (RecordingProtocol *self);
void               recording_protocol_clear        (RecordingProtocol *self);
const GError      *recording_protocol_get_reason   (RecordingProtocol *self);
void               recording_protocol_say          (RecordingProtocol *self,
                                                    const char        *text);

G_END_DECLS
