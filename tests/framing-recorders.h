/* framing-recorders.h: receivers that record what they deliver, for the
 * framing tests. */
#pragma once

#include <braid-fakes.h>

G_BEGIN_DECLS

/* What every recorder records, and a hook the test can set. */
typedef struct _Record Record;
typedef void (*RecordFrameHook) (BraidProtocol *protocol, Record *record);

struct _Record
{
  GPtrArray *frames;         /* of GBytes: each frame delivered, in order */
  GPtrArray *raw;            /* of GBytes: raw data (line receiver only) */
  GError *lost_reason;       /* what connection_lost received */
  guint exceeded_calls;
  gsize exceeded_length;
  gboolean keep_open;        /* the too-long vfunc does not close */
  RecordFrameHook on_frame;  /* called after each frame is recorded */
  gpointer hook_data;
};

#define TYPE_REC_LINES (rec_lines_get_type ())
G_DECLARE_FINAL_TYPE (RecLines, rec_lines, REC, LINES, BraidLineReceiver)
struct _RecLines { BraidLineReceiver parent_instance; Record record; };

#define TYPE_REC_INT_N (rec_int_n_get_type ())
G_DECLARE_FINAL_TYPE (RecIntN, rec_int_n, REC, INT_N, BraidIntNReceiver)
struct _RecIntN { BraidIntNReceiver parent_instance; Record record; };

#define TYPE_REC_NETSTRING (rec_netstring_get_type ())
G_DECLARE_FINAL_TYPE (RecNetstring, rec_netstring, REC, NETSTRING, BraidNetstringReceiver)
struct _RecNetstring { BraidNetstringReceiver parent_instance; Record record; };

Record *record_of (BraidProtocol *protocol);

/* The frames as one printable string: "[a][bc]" (bytes escaped). */
char   *record_frames_string (Record *record);
char   *record_raw_string    (Record *record);

/* Feeds @data to @protocol in chunks of @chunk bytes (0: all at once). */
void    feed_in_chunks (BraidProtocol *protocol,
                        const void    *data,
                        gsize          len,
                        gsize          chunk);

G_END_DECLS
