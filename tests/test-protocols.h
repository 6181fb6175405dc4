/* test-protocols.h: small protocols and producers the tests share.
 *
 * RecordingProtocol remembers every event it gets; a test reads its fields
 * directly. HalfCloseProtocol is the same, but supports half-close. */
#pragma once

#include <braid-fakes.h>

G_BEGIN_DECLS

#define RECORDING_TYPE_PROTOCOL (recording_protocol_get_type ())
G_DECLARE_DERIVABLE_TYPE (RecordingProtocol, recording_protocol, RECORDING, PROTOCOL, BraidProtocol)

typedef void (*RecordingHook) (RecordingProtocol *self, const guint8 *data, gsize len,
                               gpointer user_data);

struct _RecordingProtocolClass
{
  BraidProtocolClass parent_class;
};

typedef struct
{
  GString *received;       /* every byte, in order */
  guint made_count;
  guint data_calls;
  gsize largest_chunk;
  guint lost_count;
  guint read_lost_count;
  GError *reason;          /* the connection_lost reason */
  gboolean echo;           /* write back what arrives */
  RecordingHook on_data;   /* called after recording */
  gpointer on_data_user_data;
  GString *log;            /* not owned: shared event log, or NULL */
  const char *name;        /* for the log */
} RecordingState;

RecordingState *recording_protocol_state (RecordingProtocol *self);
RecordingProtocol *recording_protocol_new (const char *name, GString *log);

#define HALF_CLOSE_TYPE_PROTOCOL (half_close_protocol_get_type ())
G_DECLARE_FINAL_TYPE (HalfCloseProtocol, half_close_protocol, HALF_CLOSE, PROTOCOL, RecordingProtocol)

RecordingProtocol *half_close_protocol_new (const char *name, GString *log);

/* A producer that counts what it is asked, and optionally writes a piece
 * to a transport on each resume_producing (a pull producer). */
#define COUNTING_TYPE_PRODUCER (counting_producer_get_type ())
G_DECLARE_FINAL_TYPE (CountingProducer, counting_producer, COUNTING, PRODUCER, GObject)

struct _CountingProducer
{
  GObject parent_instance;

  guint pauses;
  guint resumes;
  guint stops;
  BraidTransport *target;  /* not owned: where resume writes, or NULL */
  const char *piece;
  guint pieces_left;       /* unregisters itself after the last one */
};

CountingProducer *counting_producer_new (void);

G_END_DECLS
