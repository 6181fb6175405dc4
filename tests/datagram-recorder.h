/* datagram-recorder.h: a datagram protocol that records its events, for the
 * UDP tests on fakes and on real sockets. */
#pragma once

#include <braid-fakes.h>

#define DG_TYPE_RECORDER (dg_recorder_get_type ())
G_DECLARE_FINAL_TYPE (DgRecorder, dg_recorder, DG, RECORDER, BraidDatagramProtocol)

struct _DgRecorder
{
  BraidDatagramProtocol parent_instance;

  guint started, stopped, refused;
  GPtrArray *datagrams;     /* of GBytes */
  GPtrArray *senders;       /* of GSocketAddress */
  gboolean echo;            /* write each datagram back to its sender */
  gboolean transport_at_stop;  /* get_transport was non-NULL in stop_protocol */
  gboolean stop_on_datagram;   /* stop listening from datagram_received */
  GString *log;                /* not owned: when set, each datagram appends tag */
  char tag;
};

DgRecorder *dg_recorder_new (void);
GSocketAddress *dg_address (const char *ip, guint16 port);

/* The errors every datagram transport gives, real or fake: one table run
 * against both (test-datagram.c, test-udp-port.c). @transport is an
 * unconnected IPv4 port; it is connected to @peer (an IPv4 address) on the way and
 * stopped at the end. */
void dg_check_strictness (BraidDatagramTransport *transport, GSocketAddress *peer);
