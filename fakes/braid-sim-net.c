/* braid-sim-net.c: many nodes on one virtual clock, with faulty links. */
#include "config.h"

#include <string.h>

#include "braid-fakes.h"

/**
 * BraidSimNet:
 *
 * A simulated network: many nodes, one virtual clock, links with latency,
 * bandwidth, partitions and held traffic, nodes that crash and restart,
 * and every random choice drawn from one seed. FoundationDB's simulator
 * and TigerBeetle's VOPR for Braid programs.
 *
 * Each node is a [iface@Braid.Reactor] ([class@Braid.SimNode]): the
 * protocols, factories, services and deferreds a program runs on the real
 * reactor run on a node unchanged, and talk to other nodes over TCP
 * (`listen_tcp`, `connect_tcp`) and UDP (`listen_udp`). Every node reads
 * the net's virtual time.
 *
 * ```c
 * g_autoptr (BraidSimNet) net = braid_sim_net_new (seed);
 * BraidSimNode *server = braid_sim_net_add_node (net, "server", "10.0.0.1");
 * BraidSimNode *client = braid_sim_net_add_node (net, "client", "10.0.0.2");
 *
 * braid_sim_link_set_latency (braid_sim_net_get_default_link (net), 0.020, 0.005);
 * start_server (BRAID_REACTOR (server));          // unchanged program code
 * braid_reactor_connect_tcp (BRAID_REACTOR (client), "10.0.0.1", 8000, factory);
 * g_assert_true (braid_sim_net_run_until (net, all_delivered, state, 60, &error));
 * ```
 *
 * ## Time and running
 *
 * Nothing runs by itself. [method@Braid.SimNet.step] runs the next event
 * (a timer of some node, or a network event: a segment arriving, a
 * connection accepted, a partition starting), moving virtual time to it:
 * time jumps over the silence between events (auto-advance), so an hour
 * of a quiet protocol costs only its events. Events due at the same time
 * run network first, then the nodes' timers in the order the nodes were
 * added, each queue in the order its calls were scheduled.
 * [method@Braid.SimNet.run_for] runs every event of a span of time;
 * [method@Braid.SimNet.run_until] runs until a predicate holds, with two
 * guards instead of a hang: if nothing is left to happen while the
 * predicate is false, or virtual time passes the budget, or
 * %BRAID_SIM_NET_MAX_STEPS_AT_ONE_TIME events (or the number set with
 * [method@Braid.SimNet.set_max_steps_at_one_time]) run without time
 * moving, the run fails with an error that carries a table of what is pending on
 * each node (connections, bytes in flight, timers;
 * [method@Braid.SimNet.describe_pending]).
 *
 * ## Links
 *
 * Every ordered pair of nodes has its own link ([class@Braid.SimLink]);
 * a pair's link is made from the default link
 * ([method@Braid.SimNet.get_default_link]) the first time it is used or
 * asked for, so set the default before the traffic starts. A link is a
 * chain of rules, applied in order:
 *
 * 1. partition: nothing crosses while it is on;
 * 2. hold: nothing crosses until released;
 * 3. datagrams only, each drawn from the seed: loss
 *    ([method@Braid.SimLink.set_loss]), duplication
 *    ([method@Braid.SimLink.set_duplication]), corruption (one bit flipped,
 *    [method@Braid.SimLink.set_corruption]) and reordering (held back by
 *    up to a delay, [method@Braid.SimLink.set_reordering]);
 * 4. bandwidth: a segment leaves when the link has finished sending the
 *    ones before it;
 * 5. latency: each segment then takes the fixed latency plus a jitter
 *    drawn uniformly from [-jitter, +jitter] (never less than zero).
 *
 * Streams stay reliable and ordered, as TCP is: a segment never overtakes
 * the one before it on its connection, and a fault shows as delay (latency,
 * bandwidth), stall (a partition or a hold keeps everything in flight; it
 * is delivered after the link heals or is released, one latency later),
 * or reset (a crashed peer). A connection attempt whose SYN meets a
 * partition is lost and times out, as TCP's does once its retries are
 * spent.
 *
 * Datagrams are not: a partition loses them, the loss rule drops them,
 * and they keep no order (jitter alone may swap two). A held link keeps
 * them until it is released. A datagram to a port nobody listens on, to a
 * crashed node or to an address no node has is lost (`drop` in the
 * journal; no ICMP is simulated, so `connection_refused` is never called),
 * and one longer than the receiving port's packet size is cut to it.
 *
 * ## Crash and restart
 *
 * [method@Braid.SimNode.crash] is a process dying: its protocols vanish
 * without a callback, its timers and triggers are gone, its ports stop
 * listening, and each peer of its connections gets a reset (after the
 * link's latency, or after the partition heals). [method@Braid.SimNode.restart]
 * brings the node up empty and calls its start function
 * ([method@Braid.SimNode.set_start_func]) to rebuild its services.
 *
 * ## Determinism and the journal
 *
 * One seed ([ctor@Braid.SimNet.new]) drives every random choice, so a run
 * is repeated exactly: the same seed gives a byte-identical journal. The
 * journal ([method@Braid.SimNet.get_journal]) has one JSON object per line
 * for every event, with its virtual time `t`, sequence number `seq`,
 * `event`, `node`, and where they apply `peer`, `conn`, `bytes`,
 * `sent` (when delivered bytes were sent) and `detail`. The events:
 * `node`, `listen`, `connect`, `accept`, `connected`, `refused`,
 * `timeout`, `send`, `deliver`, `drop`, `stall`, `hold`, `release`,
 * `partition`, `heal`, `fin`, `close`, `reset`, `timer` (a node's delayed
 * call fired; `detail` names where it was scheduled, `sent` when),
 * `crash`, `restart` and `note` ([method@Braid.SimNet.note]).
 * `tools/braid-sim-view` draws it.
 *
 * What is not simulated: the bytes are not split into packets (a write
 * arrives in one `data_received`, as on a quiet local network), there is
 * no congestion control, and UNIX sockets and multicast do not exist on a
 * node (their calls fail with %G_IO_ERROR_NOT_SUPPORTED).
 */

/* ---------------------------------------------------------------------- */
/* Types.                                                                  */

typedef enum {
  SEGMENT_DATA,
  SEGMENT_ACCEPT,   /* SYN-ACK: the client end's connection is made */
  SEGMENT_FIN,
  SEGMENT_RST,
} SegmentKind;

typedef struct _Segment Segment;
struct _Segment {
  Segment *next;    /* the next in its connection end's queue */
  SegmentKind kind;
  gdouble sent;     /* when it was written */
  gdouble due;      /* when it arrives, if nothing stalls it */
  gsize len;
  guint8 data[];
};

/* A connection end's segments in flight, oldest first: a list threaded
 * through the segments themselves, so queueing one allocates nothing more. */
typedef struct {
  Segment *head;
  Segment *tail;
  guint length;
} SegmentQueue;

static void
segments_push (SegmentQueue *queue, Segment *segment)
{
  segment->next = NULL;
  if (queue->tail != NULL)
    queue->tail->next = segment;
  else
    queue->head = segment;
  queue->tail = segment;
  queue->length++;
}

static Segment *
segments_pop (SegmentQueue *queue)
{
  Segment *segment = queue->head;

  queue->head = segment->next;
  if (queue->head == NULL)
    queue->tail = NULL;
  queue->length--;
  return segment;
}

static void
segments_clear (SegmentQueue *queue)
{
  while (queue->head != NULL)
    g_free (segments_pop (queue));
}

/* A network event that is not a delivery: a function to call. */
typedef struct {
  BraidCallFunc func;
  gpointer data;
  GDestroyNotify destroy;
} NetCall;

/* One network event, in the net's event queue (see events_insert): a
 * delivery of the head of @end's queue (one pending per connection end at
 * most, found again through the end's event_index, the slot's index in
 * net->slots, which never moves), or a @call. Ordered by (time, seq):
 * events due together run in the order they were scheduled. */
typedef struct {
  gdouble time;
  guint64 seq;
  gpointer target;          /* the end (not owned: the net's flows hold
                             * it), or the call (owned) with bit 0 set:
                             * see slot_end and slot_call */
  guint next;               /* in its bucket (or the free list); SLOT_NONE ends it */
  guint where;              /* its bucket, SLOT_OVERFLOW | its place in
                             * the overflow heap, or SLOT_FREE */
} NetSlot;                  /* 32 bytes: half a cache line */

/* A bucket of the calendar: a list of slots in (time, seq) order. */
typedef struct {
  guint head;
  guint tail;
} NetBucket;

#define BRAID_TYPE_SIM_TRANSPORT (braid_sim_transport_get_type ())
G_DECLARE_FINAL_TYPE (BraidSimTransport, braid_sim_transport, BRAID, SIM_TRANSPORT, GObject)

#define BRAID_TYPE_SIM_PORT (braid_sim_port_get_type ())
G_DECLARE_FINAL_TYPE (BraidSimPort, braid_sim_port, BRAID, SIM_PORT, GObject)

#define BRAID_TYPE_SIM_UDP_PORT (braid_sim_udp_port_get_type ())
G_DECLARE_FINAL_TYPE (BraidSimUdpPort, braid_sim_udp_port, BRAID, SIM_UDP_PORT, GObject)

#define BRAID_TYPE_SIM_CONNECTOR (braid_sim_connector_get_type ())
G_DECLARE_FINAL_TYPE (BraidSimConnector, braid_sim_connector, BRAID, SIM_CONNECTOR, GObject)

struct _BraidSimLink
{
  GObject parent_instance;

  /* What every segment reads first, together (see _BraidSimTransport). */
  BraidSimNet *net;          /* not owned */
  gdouble latency;
  gdouble jitter;
  gdouble bandwidth;         /* bytes per second; 0: unlimited */
  gboolean partitioned;
  gboolean held;
  gdouble busy_until;        /* the bandwidth rule: when the link is free */
  const char *from;          /* interned node names, "*" for the default */
  const char *to;
  /* Datagram faults: probabilities in [0, 1]. */
  gdouble loss;
  gdouble duplication;
  gdouble reordering;
  gdouble reorder_delay;     /* a reordered datagram is late by up to this */
  gdouble corruption;
  GPtrArray *held_datagrams; /* of Datagram*: sent while held */
};

struct _BraidSimNet
{
  GObject parent_instance;

  guint32 seed;
  GRand *rand;
  guint64 jitter_state;      /* xorshift64*, seeded from rand: see link_latency */
  gdouble now;
  BraidTimerQueue *queue;    /* calls scheduled on the net's own clock */
  /* The network's events: a calendar queue, see events_insert. */
  NetSlot *slots;            /* every event, at a fixed index */
  guint n_slots;             /* used or freed so far */
  guint slots_allocated;
  guint free_slots;          /* a list through next */
  guint n_events;            /* pending */
  guint first;               /* the earliest pending, or SLOT_NONE: unknown */
  NetBucket *buckets;        /* n_buckets of them */
  guint64 *nonempty;         /* a bit per bucket */
  guint n_buckets;           /* a power of two */
  guint n_calendar;          /* events in the buckets */
  gdouble width;             /* of a bucket, in seconds */
  gdouble inv_width;
  guint64 cursor;            /* the bucket number of now */
  guint *overflow;           /* a 4-ary heap of slots beyond the buckets */
  guint n_overflow;
  guint overflow_allocated;
  guint n_popped;            /* since the last look at the width */
  gdouble popped_since;      /* when that look was */
  guint peak;                /* the most events pending since then */
  guint64 next_event_seq;
  gboolean in_event;         /* an event runs: see net_release */
  GPtrArray *graveyard;      /* what an event dropped, unreffed after it */
  Segment *spare;            /* delivered small segments, for reuse */
  guint n_spare;
  GPtrArray *nodes;          /* of BraidSimNode*, owned, in the order added */
  GHashTable *by_name;       /* name or address -> node */
  GHashTable *links;         /* from index << 16 | to index -> BraidSimLink*, owned */
  BraidSimLink *default_link;
  GPtrArray *flows;          /* of BraidSimTransport*, owned: every end not retired */
  GString *journal;
  gboolean journal_enabled;
  guint64 journal_seq;
  guint next_conn;
  guint64 events;
  guint64 max_steps_at_one_time;
  GArray *heads;             /* of gdouble: each node's earliest timer, cached */
  guint *winners;            /* tournament tree over heads: see heads_set */
  guint leaves;              /* leaves of the tree: a power of two, >= nodes */
  GPtrArray *dirty;          /* of BraidSimNode*: nodes whose cache may be stale */
};

typedef enum {
  CONNECTOR_IDLE,
  CONNECTOR_CONNECTING,
  CONNECTOR_FAILING,
  CONNECTOR_CONNECTED,
} ConnectorState;

struct _BraidSimNode
{
  GObject parent_instance;

  BraidSimNet *net;          /* not owned; NULL once the net is gone */
  guint index;
  const char *name;          /* interned */
  char *address;
  BraidTimerQueue *queue;    /* this node's timers */
  BraidTriggerList *triggers;
  gboolean up;
  gboolean running;
  gboolean has_run;
  gboolean has_stopped;
  GPtrArray *ports;          /* of BraidSimPort*, listening now (refs) */
  GPtrArray *connectors;     /* of BraidSimConnector*, busy now (refs) */
  GPtrArray *transports;     /* of BraidSimTransport*, open on this node (refs) */
  GPtrArray *owned;          /* every port and connector handed out (transfer none) */
  GPtrArray *udp_ports;      /* of BraidSimUdpPort*, listening now (refs) */
  guint16 next_udp_port;
  guint16 next_port;
  gboolean dirty;            /* in net->dirty */

  BraidSimNodeStartFunc start_func;
  gpointer start_data;
  GDestroyNotify start_destroy;
};

struct _BraidSimPort
{
  GObject parent_instance;

  BraidSimNode *node;        /* not owned */
  guint16 port;
  BraidFactory *factory;
  GSocketAddress *host;
  gboolean listening;
};

struct _BraidSimUdpPort
{
  GObject parent_instance;

  BraidSimNode *node;        /* not owned */
  guint16 port;
  GSocketAddress *host;
  BraidDatagramProtocol *protocol;   /* while listening */
  GSocketAddress *peer;      /* after connect */
  gsize max_packet_size;
  gboolean listening;
  guint ttl;
  gboolean loopback;
};

struct _BraidSimConnector
{
  GObject parent_instance;

  BraidSimNode *node;        /* not owned */
  char *host;
  guint16 port;
  BraidClientFactory *factory;
  gdouble timeout;
  GSocketConnectable *destination;
  ConnectorState state;
  guint attempt;             /* events of an older attempt are ignored */
  BraidDelayedCall *timeout_call;
  BraidDelayedCall *failure_call;
  GError *failure;
  BraidSimTransport *transport;   /* not owned: the connected end */
  gboolean factory_started;
};

struct _BraidSimTransport
{
  GObject parent_instance;

  /* What sending and delivering a segment read come first, together, the
   * flags in bytes: a busy net's time goes largely into cache misses on
   * its hundreds of connection ends, and this way most touch two lines of
   * an end, not four. */
  BraidSimNet *net;          /* not owned */
  BraidSimTransport *peer;   /* not owned: both ends are in net->flows */
  BraidSimLink *link;        /* not owned: the link toward the peer */
  BraidProtocol *protocol;
  SegmentQueue out;          /* toward the peer */
  gsize out_bytes;
  guint event_index;         /* the slot of its delivery in the net's events */
  /* Booleans, only ever set to TRUE or FALSE. */
  guint8 scheduled;          /* a delivery of the head of out is in the events */
  guint8 slot_kept;          /* the slot of the delivery running now, kept
                              * for the next one (see run_network_event) */
  guint8 stalled;            /* the link stopped the head */
  guint8 waiting_reader;     /* the peer paused reading */
  guint8 disconnecting;
  guint8 write_closed;       /* our FIN is queued */
  guint8 read_closed;        /* the peer's FIN arrived */
  guint8 closed;             /* connection_lost delivered (or crashed) */
  guint8 rst_sent;
  guint8 reading_paused;
  guint8 streaming;
  guint8 producer_paused;
  BraidProducer *producer;
  BraidSimNode *node;        /* not owned */

  BraidSimConnector *connector;   /* the client end's, owned */
  guint conn;
  GSocketAddress *host;
  GSocketAddress *peer_address;
};

static void braid_sim_node_reactor_iface_init (BraidReactorInterface *iface);
static void braid_sim_node_clock_iface_init (BraidClockInterface *iface);
static void braid_sim_net_clock_iface_init (BraidClockInterface *iface);
static void braid_sim_transport_transport_iface_init (BraidTransportInterface *iface);
static void braid_sim_transport_producer_iface_init (BraidProducerInterface *iface);
static void braid_sim_port_iface_init (BraidListeningPortInterface *iface);
static void braid_sim_connector_iface_init (BraidConnectorInterface *iface);
static void braid_sim_udp_port_port_iface_init (BraidListeningPortInterface *iface);
static void braid_sim_udp_port_iface_init (BraidDatagramTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSimNet, braid_sim_net, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_CLOCK,
                                                      braid_sim_net_clock_iface_init))
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSimNode, braid_sim_node, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_CLOCK,
                                                      braid_sim_node_clock_iface_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_REACTOR,
                                                      braid_sim_node_reactor_iface_init))
G_DEFINE_FINAL_TYPE (BraidSimLink, braid_sim_link, G_TYPE_OBJECT)
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSimTransport, braid_sim_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_PRODUCER,
                                                      braid_sim_transport_producer_iface_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_TRANSPORT,
                                                      braid_sim_transport_transport_iface_init))
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSimPort, braid_sim_port, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_LISTENING_PORT,
                                                      braid_sim_port_iface_init))
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSimUdpPort, braid_sim_udp_port, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_LISTENING_PORT,
                                                      braid_sim_udp_port_port_iface_init)
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_DATAGRAM_TRANSPORT,
                                                      braid_sim_udp_port_iface_init))
G_DEFINE_FINAL_TYPE_WITH_CODE (BraidSimConnector, braid_sim_connector, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BRAID_TYPE_CONNECTOR,
                                                      braid_sim_connector_iface_init))

/* ---------------------------------------------------------------------- */
/* The journal.                                                            */

static void
append_json_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
append_time (GString *out, const char *key, gdouble t)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, ",\"%s\":%s", key,
                          g_ascii_formatd (buffer, sizeof buffer, "%.6f", t));
}

/* One line: {"t":…,"seq":…,"event":…,"node":…[,"peer":…][,"conn":…]
 * [,"bytes":…][,"sent":…][,"detail":…]}. @conn 0, @bytes (gsize) -1 and
 * @sent < 0 are left out. */
static void
journal_write (BraidSimNet *net, const char *event, const char *node, const char *peer,
               guint conn, gssize bytes, gdouble sent, const char *detail)
{
  GString *out = net->journal;
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  g_string_append_printf (out, "{\"t\":%s,\"seq\":%" G_GUINT64_FORMAT ",\"event\":\"%s\",\"node\":",
                          g_ascii_formatd (buffer, sizeof buffer, "%.6f", net->now),
                          net->journal_seq++, event);
  append_json_string (out, node);
  if (peer != NULL)
    {
      g_string_append (out, ",\"peer\":");
      append_json_string (out, peer);
    }
  if (conn != 0)
    g_string_append_printf (out, ",\"conn\":%u", conn);
  if (bytes >= 0)
    g_string_append_printf (out, ",\"bytes\":%" G_GSSIZE_FORMAT, bytes);
  if (sent >= 0)
    append_time (out, "sent", sent);
  if (detail != NULL)
    {
      g_string_append (out, ",\"detail\":");
      append_json_string (out, detail);
    }
  g_string_append (out, "}\n");
}

/* Checked first, in a macro, so that a net without a journal pays one test
 * per event and neither formats nor even reads what a line would name: the
 * names are behind pointers to the nodes and the peer, and loading them
 * (a cache miss each in a big simulation) cost more than the test. */
#define journal(net, ...) \
  G_STMT_START { \
    BraidSimNet *journal_net_ = (net); \
    if (journal_net_->journal_enabled) \
      journal_write (journal_net_, __VA_ARGS__); \
  } G_STMT_END

static const char *
peer_name (BraidSimTransport *end)
{
  return end->peer != NULL ? end->peer->node->name : NULL;
}

/* ---------------------------------------------------------------------- */
/* Links: the rule chain.                                                  */

static BraidSimLink *
link_new (BraidSimNet *net, const char *from, const char *to, BraidSimLink *model)
{
  BraidSimLink *link = g_object_new (BRAID_TYPE_SIM_LINK, NULL);

  link->net = net;
  link->from = g_intern_string (from);
  link->to = g_intern_string (to);
  if (model != NULL)
    {
      link->latency = model->latency;
      link->jitter = model->jitter;
      link->bandwidth = model->bandwidth;
      link->partitioned = model->partitioned;
      link->held = model->held;
      link->loss = model->loss;
      link->duplication = model->duplication;
      link->reordering = model->reordering;
      link->reorder_delay = model->reorder_delay;
      link->corruption = model->corruption;
    }
  return link;
}

static BraidSimLink *
link_between (BraidSimNet *net, BraidSimNode *from, BraidSimNode *to)
{
  gpointer key = GUINT_TO_POINTER ((from->index << 16) | to->index);
  BraidSimLink *link = g_hash_table_lookup (net->links, key);

  if (link == NULL)
    {
      link = link_new (net, from->name, to->name, net->default_link);
      g_hash_table_insert (net->links, key, link);
    }
  return link;
}

/* Rules 1 and 2: what stops traffic on the link now, or NULL. */
static const char *
link_blocked (BraidSimLink *link)
{
  if (link->partitioned)
    return "partition";
  if (link->held)
    return "hold";
  return NULL;
}

/* Rule 5: one latency sample. */
static gdouble
link_latency (BraidSimLink *link)
{
  gdouble latency = link->latency;

  /* A jitter is drawn for every segment: from a xorshift64* generator
   * (seeded from the net's seed), a few instructions where the Mersenne
   * Twister behind g_rand_double() costs two calls of many more. 32 bits
   * are plenty of resolution for a delay. */
  if (link->jitter > 0)
    {
      BraidSimNet *net = link->net;
      guint64 x = net->jitter_state;

      x ^= x >> 12;
      x ^= x << 25;
      x ^= x >> 27;
      net->jitter_state = x;
      latency += link->jitter * ((guint32) ((x * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D)) >> 32)
                                 * (2.0 / 4294967296.0) - 1);
    }
  return MAX (0, latency);
}

/* Rules 4 and 5: when @len bytes sent now arrive. */
static gdouble
link_arrival (BraidSimLink *link, gsize len)
{
  gdouble leaves = link->net->now;

  if (link->bandwidth > 0 && len > 0)
    {
      leaves = MAX (leaves, link->busy_until) + len / link->bandwidth;
      link->busy_until = leaves;
    }
  return leaves + link_latency (link);
}

/* ---------------------------------------------------------------------- */
/* Network events.                                                         */

/* The network's events are plain structs in the net's own queue, not
 * delayed calls: a busy net runs tens of millions of deliveries, and a
 * GObject made, reffed and dropped for each cost more than the delivery.
 * A delivery is not even allocated: it points at its connection end, which
 * has at most one pending and knows its slot (a fixed index in net->slots),
 * so clear_out finds it at once. The queue holds one slot per busy
 * connection end, and the calls.
 *
 * The queue is a calendar queue (R. Brown, CACM 31(10), 1988): time is cut
 * in buckets of `width` seconds; the n_buckets buckets from the one holding
 * now (the cursor) form a ring, each bucket a list in (time, seq) order,
 * with a bit per non-empty bucket so the silence is skipped 64 buckets a
 * word. An event due beyond the ring waits in a 4-ary heap (the overflow)
 * and moves into its bucket when the cursor comes within n_buckets of it.
 * Every event in the ring is earlier than every one in the overflow, the
 * buckets are in time order and each bucket in (time, seq) order: the
 * order is exactly the heap's before it, and a seed gives the same journal
 * byte for byte (tests/test-sim-net.c checks the order against one
 * computed apart from the net, at 1 us, 20 ms and 10 s of latency).
 *
 * Why: nearly every event is due within one latency of now and later than
 * most of the others, the worst case of a heap (the root taken is replaced
 * by a late slot that sinks to the bottom: 33 % of bench-sim's time, with
 * branch mispredictions at every level) and the best case of a calendar
 * (a new event goes at the tail of its bucket, the earliest is the head of
 * the first non-empty bucket, both O(1)). A radix heap, an 8-ary heap and
 * branch-free keys had lost against the 4-ary heap (docs/simulation.md).
 * The width follows the traffic, as in Brown's queue: every
 * EVENTS_ADAPT_PERIOD events run, it is set to a quarter of their mean
 * separation (a bucket holds one event or none: the bitmap makes empty
 * buckets nearly free, and a list of one needs no sorting), and the ring
 * to 16 times the most events pending in that period, so by Little's law
 * it spans about four times the events' mean delay: a net of 1 us links
 * and one of 10 s links both work, the overflow only taking what is far
 * ahead (a scheduled partition, a rare late segment). A third of the mean
 * separation and 4 times the events, or half and 8 times, measured the
 * same within the noise (bench-sim --hours 0.5, five runs each,
 * alternated); the quarter had the fewest mispredicted branches under
 * cachegrind. Measured against the heap with nothing else changed
 * (cachegrind, bench-sim --hours 0.01): 400 M instructions down to 373 M;
 * the whole round, with the rest below, took bench-sim's hour to about
 * 0.8 of the CPU time (docs/simulation.md, "The event queue, third
 * round"). */
#define SLOT_NONE G_MAXUINT
#define SLOT_FREE (G_MAXUINT - 1)
#define SLOT_OVERFLOW 0x80000000u
#define EVENTS_ARITY 4
#define EVENTS_MIN_BUCKETS 64
#define EVENTS_MAX_BUCKETS (1u << 20)
#define EVENTS_FIRST_WIDTH 1e-3
#define EVENTS_MIN_WIDTH 1e-9
#define EVENTS_MAX_WIDTH 1e9
#define EVENTS_ADAPT_PERIOD 4096
#define EVENTS_WIDTH_FACTOR 0.25
#define EVENTS_RING_FACTOR 16
#define EVENTS_FAR (G_GUINT64_CONSTANT (1) << 62)

static inline gboolean
event_is_before (const NetSlot *a, const NetSlot *b)
{
  if (a->time != b->time)
    return a->time < b->time;
  return a->seq < b->seq;
}

static inline BraidSimTransport *
slot_end (const NetSlot *slot)
{
  return ((guintptr) slot->target & 1) ? NULL : slot->target;
}

static inline NetCall *
slot_call (const NetSlot *slot)
{
  return ((guintptr) slot->target & 1) ? (NetCall *) ((guintptr) slot->target - 1) : NULL;
}

/* The number of the bucket @time falls in: monotonic in @time (and
 * bounded, however far the time). */
static inline guint64
events_bucket_of (BraidSimNet *net, gdouble time)
{
  gdouble bucket = time * net->inv_width;

  if (bucket >= (gdouble) EVENTS_FAR)
    return EVENTS_FAR;
  return bucket > 0 ? (guint64) (gint64) bucket : 0;
}

static inline void
overflow_put (BraidSimNet *net, guint index, guint slot)
{
  net->overflow[index] = slot;
  net->slots[slot].where = SLOT_OVERFLOW | index;
}

static void
overflow_sift_up (BraidSimNet *net, guint index)
{
  guint slot = net->overflow[index];

  while (index > 0)
    {
      guint parent = (index - 1) / EVENTS_ARITY;

      if (!event_is_before (&net->slots[slot], &net->slots[net->overflow[parent]]))
        break;
      overflow_put (net, index, net->overflow[parent]);
      index = parent;
    }
  overflow_put (net, index, slot);
}

static void
overflow_sift_down (BraidSimNet *net, guint index)
{
  guint slot = net->overflow[index];

  for (;;)
    {
      guint first = EVENTS_ARITY * index + 1;
      guint last = MIN (first + EVENTS_ARITY, net->n_overflow);
      guint child = first;

      if (first >= net->n_overflow)
        break;
      for (guint other = first + 1; other < last; other++)
        if (event_is_before (&net->slots[net->overflow[other]],
                             &net->slots[net->overflow[child]]))
          child = other;
      if (!event_is_before (&net->slots[net->overflow[child]], &net->slots[slot]))
        break;
      overflow_put (net, index, net->overflow[child]);
      index = child;
    }
  overflow_put (net, index, slot);
}

static void
overflow_push (BraidSimNet *net, guint slot)
{
  if (net->n_overflow == net->overflow_allocated)
    {
      net->overflow_allocated = MAX (16, 2 * net->overflow_allocated);
      net->overflow = g_renew (guint, net->overflow, net->overflow_allocated);
    }
  net->overflow[net->n_overflow++] = slot;
  overflow_sift_up (net, net->n_overflow - 1);
}

static void
overflow_remove (BraidSimNet *net, guint index)
{
  guint last = --net->n_overflow;
  guint moved = net->overflow[last];

  if (index == last)
    return;
  overflow_put (net, index, moved);
  overflow_sift_up (net, index);
  if (net->overflow[index] == moved)
    overflow_sift_down (net, index);
}

/* Puts @slot in its place in bucket number @bucket (within the ring). */
G_ALWAYS_INLINE static inline void
calendar_link (BraidSimNet *net, guint slot, guint64 bucket)
{
  NetSlot *slots = net->slots;
  guint b = (guint) (bucket & (net->n_buckets - 1));
  NetBucket *list = &net->buckets[b];

  slots[slot].where = b;
  if (list->tail == SLOT_NONE)
    {
      slots[slot].next = SLOT_NONE;
      list->head = list->tail = slot;
      net->nonempty[b / 64] |= G_GUINT64_CONSTANT (1) << (b % 64);
    }
  else if (!event_is_before (&slots[slot], &slots[list->tail]))
    {
      /* Nearly always: a new event is the latest of its bucket. */
      slots[slot].next = SLOT_NONE;
      slots[list->tail].next = slot;
      list->tail = slot;
    }
  else if (event_is_before (&slots[slot], &slots[list->head]))
    {
      slots[slot].next = list->head;
      list->head = slot;
    }
  else
    {
      guint after = list->head;

      while (event_is_before (&slots[slots[after].next], &slots[slot]))
        after = slots[after].next;
      slots[slot].next = slots[after].next;
      slots[after].next = slot;
    }
  net->n_calendar++;
}

/* Files @slot (its time and seq set) in the ring or the overflow. */
G_ALWAYS_INLINE static inline void
events_insert (BraidSimNet *net, guint slot)
{
  guint64 bucket = MAX (events_bucket_of (net, net->slots[slot].time), net->cursor);

  if (bucket < net->cursor + net->n_buckets)
    calendar_link (net, slot, bucket);
  else
    overflow_push (net, slot);
  if (net->first != SLOT_NONE && event_is_before (&net->slots[slot], &net->slots[net->first]))
    net->first = slot;
}

/* Takes @slot out of the ring or the overflow. */
G_ALWAYS_INLINE static inline void
events_unlink (BraidSimNet *net, guint slot)
{
  NetSlot *slots = net->slots;
  guint where = slots[slot].where;

  if (where & SLOT_OVERFLOW)
    overflow_remove (net, where & ~SLOT_OVERFLOW);
  else
    {
      NetBucket *list = &net->buckets[where];
      guint next = slots[slot].next;

      if (list->head == slot)
        {
          /* Nearly always: the earliest runs, or hands its slot on. */
          list->head = next;
          if (next == SLOT_NONE)
            {
              list->tail = SLOT_NONE;
              net->nonempty[where / 64] &= ~(G_GUINT64_CONSTANT (1) << (where % 64));
            }
        }
      else
        {
          /* A reset or an abort: a walk of a bucket of a few. */
          guint before = list->head;

          while (slots[before].next != slot)
            before = slots[before].next;
          slots[before].next = next;
          if (next == SLOT_NONE)
            list->tail = before;
        }
      net->n_calendar--;
    }
  if (net->first == slot)
    net->first = SLOT_NONE;
}

/* Moves the cursor to bucket @now, and into the ring what it now covers. */
static void
events_move_cursor (BraidSimNet *net, guint64 now)
{
  net->cursor = now;
  while (net->n_overflow > 0)
    {
      guint slot = net->overflow[0];
      guint64 bucket = events_bucket_of (net, net->slots[slot].time);

      if (bucket >= net->cursor + net->n_buckets)
        break;
      overflow_remove (net, 0);
      calendar_link (net, slot, MAX (bucket, net->cursor));
    }
}

/* Brings the cursor to now's bucket. */
G_ALWAYS_INLINE static inline void
events_advance (BraidSimNet *net)
{
  guint64 now = events_bucket_of (net, net->now);

  if (now > net->cursor)
    events_move_cursor (net, now);
}

/* The earliest pending event's slot, or SLOT_NONE. */
G_ALWAYS_INLINE static inline guint
events_first (BraidSimNet *net)
{
  guint start, word, words;
  guint64 bits;

  if (net->first != SLOT_NONE || net->n_events == 0)
    return net->first;
  events_advance (net);
  if (net->n_calendar == 0)
    return net->first = net->overflow[0];
  /* The first non-empty bucket from the cursor's, around the ring. */
  start = (guint) (net->cursor & (net->n_buckets - 1));
  words = net->n_buckets / 64;
  word = start / 64;
  bits = net->nonempty[word] & (~G_GUINT64_CONSTANT (0) << (start % 64));
  while (bits == 0)
    {
      word = (word + 1) & (words - 1);
      bits = net->nonempty[word];
    }
  return net->first = net->buckets[word * 64 + (guint) __builtin_ctzll (bits)].head;
}

/* Empties the ring and the overflow and gives them @n_buckets buckets of
 * @width seconds; the slots stay where they are. */
static void
events_reset (BraidSimNet *net, guint n_buckets, gdouble width)
{
  if (n_buckets != net->n_buckets)
    {
      net->n_buckets = n_buckets;
      net->buckets = g_renew (NetBucket, net->buckets, n_buckets);
      net->nonempty = g_renew (guint64, net->nonempty, n_buckets / 64);
    }
  memset (net->buckets, 0xff, n_buckets * sizeof (NetBucket));
  memset (net->nonempty, 0, n_buckets / 64 * sizeof (guint64));
  net->n_calendar = 0;
  net->n_overflow = 0;
  net->width = width;
  net->inv_width = 1 / width;
  net->cursor = events_bucket_of (net, net->now);
}

/* Every EVENTS_ADAPT_PERIOD events run: a new width if the events' mean
 * separation moved by more than half, a new ring if the most events
 * pending in the period outgrew it or shrank to a quarter of it. */
static void
events_adapt (BraidSimNet *net)
{
  gdouble span = net->now - net->popped_since;
  guint n_buckets = net->n_buckets;
  gdouble width = net->width;

  if (span > 0)
    {
      gdouble wanted = CLAMP (EVENTS_WIDTH_FACTOR * span / net->n_popped, EVENTS_MIN_WIDTH, EVENTS_MAX_WIDTH);

      if (wanted < width / 2 || wanted > width * 2)
        width = wanted;
    }
  net->n_popped = 0;
  net->popped_since = net->now;
  while (n_buckets < EVENTS_MAX_BUCKETS && n_buckets < EVENTS_RING_FACTOR * net->peak)
    n_buckets *= 2;
  while (n_buckets > EVENTS_MIN_BUCKETS && n_buckets > 4 * EVENTS_RING_FACTOR * net->peak)
    n_buckets /= 2;
  net->peak = net->n_events;
  if (n_buckets != net->n_buckets || width != net->width)
    {
      g_autofree guint *pending = g_new (guint, net->n_events);
      guint n = 0;

      for (guint b = 0; b < net->n_buckets; b++)
        for (guint slot = net->buckets[b].head; slot != SLOT_NONE; slot = net->slots[slot].next)
          pending[n++] = slot;
      for (guint i = 0; i < net->n_overflow; i++)
        pending[n++] = net->overflow[i];
      events_reset (net, n_buckets, width);
      for (guint i = 0; i < n; i++)
        events_insert (net, pending[i]);
    }
}

/* Schedules an event at @at (now, if earlier): returns its slot. */
static guint
events_push (BraidSimNet *net, gdouble at, BraidSimTransport *end, NetCall *call)
{
  guint slot = net->free_slots;

  if (slot != SLOT_NONE)
    net->free_slots = net->slots[slot].next;
  else
    {
      if (net->n_slots == net->slots_allocated)
        {
          net->slots_allocated = MAX (16, 2 * net->slots_allocated);
          net->slots = g_renew (NetSlot, net->slots, net->slots_allocated);
        }
      slot = net->n_slots++;
    }
  net->slots[slot].time = MAX (at, net->now);
  net->slots[slot].seq = net->next_event_seq++;
  net->slots[slot].target = end != NULL ? (gpointer) end : (gpointer) ((guintptr) call | 1);
  if (++net->n_events > net->peak)
    net->peak = net->n_events;
  events_insert (net, slot);
  return slot;
}

/* Gives @slot a new time, after every pending event's sequence. */
static void
events_reschedule (BraidSimNet *net, guint slot, gdouble at)
{
  events_unlink (net, slot);
  net->slots[slot].time = MAX (at, net->now);
  net->slots[slot].seq = net->next_event_seq++;
  events_insert (net, slot);
}

/* Takes the event in @slot out of the queue. */
static void
events_remove (BraidSimNet *net, guint slot)
{
  events_unlink (net, slot);
  net->slots[slot].where = SLOT_FREE;
  net->slots[slot].next = net->free_slots;
  net->free_slots = slot;
  net->n_events--;
}

/* A network event that calls @func (@data) at @at, then @destroy (@data):
 * every network event owns its data, so @destroy is never %NULL. */
static void
net_call (BraidSimNet *net, gdouble at, BraidCallFunc func, gpointer data, GDestroyNotify destroy)
{
  NetCall *call = g_new (NetCall, 1);

  call->func = func;
  call->data = data;
  call->destroy = destroy;
  events_push (net, at, NULL, call);
}

/* Drops a reference to @object; while an event runs, only once it is
 * done, so a protocol or connection end dropped by a callback (a node
 * crashed by its own protocol, say) outlives the code that runs in it. */
static void
net_release (BraidSimNet *net, gpointer object)
{
  if (object == NULL)
    return;
  if (net != NULL && net->in_event)
    g_ptr_array_add (net->graveyard, object);
  else
    g_object_unref (object);
}

static void schedule_delivery (BraidSimTransport *end);
static void heads_add (BraidSimNet *self);
static void finish (BraidSimTransport *end, GError *reason);
static void update_producer (BraidSimTransport *end);

/* Segments of up to SMALL_SEGMENT bytes (a line, a small message: nearly
 * all of a chat's) are all that size and are kept for reuse once
 * delivered, up to MAX_SPARE of them, instead of going back to malloc. */
#define SMALL_SEGMENT 96
#define MAX_SPARE 4096

static Segment *
segment_new (BraidSimNet *net, gsize len)
{
  Segment *segment;

  if (len > SMALL_SEGMENT)
    return g_malloc (sizeof (Segment) + len);
  segment = net->spare;
  if (segment == NULL)
    return g_malloc (sizeof (Segment) + SMALL_SEGMENT);
  net->spare = segment->next;
  net->n_spare--;
  return segment;
}

static void
segment_free (BraidSimNet *net, Segment *segment)
{
  if (segment->len > SMALL_SEGMENT || net->n_spare >= MAX_SPARE)
    {
      g_free (segment);
      return;
    }
  segment->next = net->spare;
  net->spare = segment;
  net->n_spare++;
}

static void
enqueue (BraidSimTransport *end, SegmentKind kind, const guint8 *data, gsize len)
{
  Segment *segment = segment_new (end->net, len);
  Segment *last = end->out.tail;

  segment->kind = kind;
  segment->sent = end->net->now;
  segment->len = len;
  if (len > 0)
    memcpy (segment->data, data, len);
  segment->due = link_arrival (end->link, len);
  /* In order: nothing overtakes what was sent before it. */
  if (last != NULL)
    segment->due = MAX (segment->due, last->due);
  segments_push (&end->out, segment);
  end->out_bytes += len;
  schedule_delivery (end);
}

static void
clear_out (BraidSimTransport *end)
{
  segments_clear (&end->out);
  end->out_bytes = 0;
  end->stalled = FALSE;
  end->waiting_reader = FALSE;
  if (end->scheduled || end->slot_kept)
    {
      end->scheduled = FALSE;
      end->slot_kept = FALSE;
      events_remove (end->net, end->event_index);
    }
}

static void
flows_drop (BraidSimNet *net, BraidSimTransport *end)
{
  guint index;

  if (g_ptr_array_find (net->flows, end, &index))
    net_release (net, g_ptr_array_steal_index (net->flows, index));
}

/* Both ends of a connection are done (closed, nothing in flight): the net
 * lets go of them. */
static void
maybe_retire (BraidSimTransport *end)
{
  BraidSimTransport *peer = end->peer;
  BraidSimNet *net = end->net;

  if (!end->closed || end->out.head != NULL || end->scheduled)
    return;
  if (peer != NULL && (!peer->closed || peer->out.head != NULL || peer->scheduled))
    return;
  if (peer != NULL)
    {
      peer->peer = NULL;
      end->peer = NULL;
      flows_drop (net, peer);
    }
  flows_drop (net, end);
}

static void deliver (BraidSimTransport *end);

static void
schedule_delivery (BraidSimTransport *end)
{
  Segment *head = end->out.head;

  if (head == NULL || end->scheduled || end->stalled || end->waiting_reader)
    return;
  end->scheduled = TRUE;
  if (end->slot_kept)
    {
      /* The delivery that runs now hands its slot to the next. */
      end->slot_kept = FALSE;
      events_reschedule (end->net, end->event_index, head->due);
      return;
    }
  end->event_index = events_push (end->net, head->due, end, NULL);
}

static void
send_reset (BraidSimTransport *end)
{
  if (end->rst_sent || end->peer == NULL || end->peer->closed)
    return;
  end->rst_sent = TRUE;
  enqueue (end, SEGMENT_RST, NULL, 0);
}

static void
deliver_accept (BraidSimTransport *end, BraidSimTransport *to)
{
  BraidSimConnector *connector = to->connector;
  g_autoptr (BraidProtocol) protocol = NULL;

  if (to->closed || connector == NULL || connector->transport != to
      || connector->state != CONNECTOR_CONNECTING)
    {
      /* The attempt was given up (timed out, cancelled, crashed): the
       * client's kernel answers with a reset. */
      to->closed = TRUE;
      send_reset (to);
      return;
    }
  if (connector->timeout_call != NULL)
    {
      braid_delayed_call_cancel (connector->timeout_call, NULL);
      g_clear_pointer (&connector->timeout_call, braid_delayed_call_unref);
    }
  connector->state = CONNECTOR_CONNECTED;
  journal (to->net, "connected", to->node->name, end->node->name, to->conn, -1, -1, NULL);
  protocol = braid_factory_build_protocol (BRAID_FACTORY (connector->factory), to->peer_address);
  if (protocol == NULL)
    {
      finish (to, g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                                       "The client factory built no protocol"));
      send_reset (to);
      return;
    }
  to->protocol = g_object_ref (protocol);
  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (to));
}

static void
deliver_fin (BraidSimTransport *to)
{
  g_autoptr (BraidProtocol) protocol = NULL;

  to->read_closed = TRUE;
  if (to->closed)
    return;
  if (to->write_closed || to->disconnecting || to->protocol == NULL
      || !braid_protocol_supports_half_close (to->protocol))
    {
      finish (to, g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                       "The connection was closed cleanly"));
      return;
    }
  protocol = g_object_ref (to->protocol);
  braid_protocol_read_connection_lost (protocol);
}

/* The head of @end's queue reaches the peer. No reference is taken on
 * either end nor on the protocol: the net's flows hold both ends until
 * the event is over, and whatever a callback drops waits in the graveyard
 * (net_release). */
static void
deliver (BraidSimTransport *end)
{
  BraidSimTransport *to;
  BraidSimNet *net = end->net;
  Segment *head;
  const char *blocked;

  head = end->out.head;
  if (head == NULL || end->peer == NULL)
    return;
  to = end->peer;
  blocked = link_blocked (end->link);
  if (blocked != NULL)
    {
      end->stalled = TRUE;
      journal (net, "stall", end->node->name, to->node->name, end->conn,
               (gssize) end->out_bytes, -1, blocked);
      return;
    }
  if (head->kind == SEGMENT_DATA && to->reading_paused && !to->closed)
    {
      end->waiting_reader = TRUE;
      return;
    }
  segments_pop (&end->out);
  end->out_bytes -= head->len;

  switch (head->kind)
    {
    case SEGMENT_DATA:
      if (to->closed || to->protocol == NULL)
        {
          journal (net, "drop", to->node->name, end->node->name, end->conn,
                   (gssize) head->len, head->sent, "the connection is closed");
          send_reset (to);
        }
      else
        {
          journal (net, "deliver", to->node->name, end->node->name, end->conn,
                   (gssize) head->len, head->sent, NULL);
          braid_protocol_data_received (to->protocol, head->data, head->len);
        }
      break;
    case SEGMENT_ACCEPT:
      deliver_accept (end, to);
      break;
    case SEGMENT_FIN:
      journal (net, "fin", to->node->name, end->node->name, end->conn, -1, head->sent, NULL);
      deliver_fin (to);
      break;
    case SEGMENT_RST:
      if (!to->closed)
        {
          clear_out (to);
          finish (to, g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                                           "The connection was reset by the peer"));
        }
      break;
    }
  segment_free (net, head);
  update_producer (end);
  schedule_delivery (end);
  maybe_retire (end);
}

static void release_datagrams (BraidSimLink *link);

/* The link from @link's nodes lets traffic through again: what stalled on
 * it leaves now, each segment one latency later (in order), and the
 * datagrams it held. */
static void
unblock (BraidSimLink *link, const char *event)
{
  BraidSimNet *net = link->net;
  g_autoptr (GPtrArray) flows = g_ptr_array_new_full (net->flows->len, g_object_unref);

  for (guint i = 0; i < net->flows->len; i++)
    g_ptr_array_add (flows, g_object_ref (g_ptr_array_index (net->flows, i)));
  journal (net, event, link->from, link->to, 0, -1, -1, NULL);
  for (guint i = 0; i < flows->len; i++)
    {
      BraidSimTransport *end = g_ptr_array_index (flows, i);
      gdouble previous = net->now;

      if (!end->stalled || end->peer == NULL || end->link != link)
        continue;
      end->stalled = FALSE;
      for (Segment *segment = end->out.head; segment != NULL; segment = segment->next)
        {
          segment->due = MAX (net->now + link_latency (link), previous);
          previous = segment->due;
        }
      schedule_delivery (end);
    }
  release_datagrams (link);
}

/* ---------------------------------------------------------------------- */
/* The transport.                                                          */

static void
local_close (gpointer data)
{
  BraidSimTransport *end = data;

  finish (end, end->rst_sent
          ? g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_LOST,
                                 "The connection was aborted")
          : g_error_new_literal (BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE,
                                 "The connection was closed cleanly"));
  maybe_retire (end);
}

/* The end's protocol hears connection_lost with @reason (taken); a
 * client's factory hears client_connection_lost. */
static void
finish (BraidSimTransport *end, GError *reason)
{
  g_autoptr (GError) owned G_GNUC_UNUSED = reason;
  g_autoptr (BraidSimTransport) hold G_GNUC_UNUSED = g_object_ref (end);
  g_autoptr (BraidProtocol) protocol = g_steal_pointer (&end->protocol);
  g_autoptr (BraidProducer) producer = g_steal_pointer (&end->producer);
  g_autoptr (BraidSimConnector) connector = NULL;

  if (end->closed)
    return;
  end->closed = TRUE;
  end->disconnecting = TRUE;
  journal (end->net,
           g_error_matches (reason, BRAID_ERROR, BRAID_ERROR_CONNECTION_DONE) ? "close" : "reset",
           end->node->name, peer_name (end), end->conn, -1, -1, reason->message);
  g_ptr_array_remove (end->node->transports, end);
  if (producer != NULL)
    braid_producer_stop_producing (producer);
  if (protocol != NULL)
    braid_protocol_connection_lost (protocol, reason);
  if (end->connector != NULL && end->connector->transport == end
      && end->connector->state == CONNECTOR_CONNECTED)
    {
      connector = g_object_ref (end->connector);
      connector->transport = NULL;
      connector->state = CONNECTOR_IDLE;
      braid_client_factory_client_connection_lost (connector->factory, BRAID_CONNECTOR (connector),
                                                   reason);
      if (connector->state == CONNECTOR_IDLE && connector->factory_started)
        {
          connector->factory_started = FALSE;
          braid_factory_do_stop (BRAID_FACTORY (connector->factory));
          if (connector->node != NULL)
            g_ptr_array_remove (connector->node->connectors, connector);
        }
    }
}

static gboolean
can_write (BraidSimTransport *self)
{
  return !self->closed && !self->disconnecting && !self->write_closed && self->peer != NULL;
}

static void braid_sim_transport_abort_connection (BraidTransport *transport);

/* Whether what @self buffers is surely within its write limit, without
 * the full check (two type checks and a qdata lookup under a lock, a
 * tenth of a busy simulation's time): nothing buffered is within any
 * limit, and an end with no qdata at all has no limit set, so the default
 * one applies. The qdata pointer is read as braid-delayed-call.c reads it,
 * without its flag bits. */
static inline gboolean
within_any_limit (BraidSimTransport *self)
{
  guintptr qdata = (guintptr) g_atomic_pointer_get (&((GObject *) self)->qdata);

  return self->out_bytes == 0
         || ((qdata & ~(guintptr) 0x7) == 0
             && self->out_bytes <= BRAID_TRANSPORT_DEFAULT_WRITE_BUFFER_LIMIT);
}

static void
braid_sim_transport_write (BraidTransport *transport, const guint8 *data, gsize len)
{
  /* A plain cast, not BRAID_SIM_TRANSPORT(): a vfunc is only reached
   * through the interface this type installed, so the type is known, and
   * the checked cast was a visible share of a busy simulation's profile. */
  BraidSimTransport *self = (BraidSimTransport *) transport;
  GError *too_much;

  if (!can_write (self) || len == 0)
    return;
  too_much = within_any_limit (self) ? NULL
                                     : braid_transport_check_write_buffer (transport, self->out_bytes);
  if (too_much != NULL)
    {
      journal (self->net, "drop", self->node->name, peer_name (self), self->conn,
               (gssize) len, -1, too_much->message);
      g_error_free (too_much);
      braid_sim_transport_abort_connection (transport);
      return;
    }
  journal (self->net, "send", self->node->name, peer_name (self), self->conn,
           (gssize) len, -1, NULL);
  enqueue (self, SEGMENT_DATA, data, len);
  update_producer (self);
}

static void
braid_sim_transport_write_sequence (BraidTransport      *transport,
                                    const GOutputVector *vectors,
                                    gsize                n_vectors)
{
  g_autoptr (GByteArray) joined = g_byte_array_new ();

  /* One segment, as one writev. */
  for (gsize i = 0; i < n_vectors; i++)
    g_byte_array_append (joined, vectors[i].buffer, vectors[i].size);
  braid_sim_transport_write (transport, joined->data, joined->len);
}

static void
braid_sim_transport_lose_connection (BraidTransport *transport)
{
  BraidSimTransport *self = BRAID_SIM_TRANSPORT (transport);

  if (self->closed || self->disconnecting)
    return;
  self->disconnecting = TRUE;
  if (!self->write_closed && self->peer != NULL)
    {
      self->write_closed = TRUE;
      enqueue (self, SEGMENT_FIN, NULL, 0);
    }
  net_call (self->net, self->net->now, local_close, g_object_ref (self), g_object_unref);
}

static void
braid_sim_transport_abort_connection (BraidTransport *transport)
{
  BraidSimTransport *self = BRAID_SIM_TRANSPORT (transport);

  if (self->closed || self->rst_sent)
    return;
  self->disconnecting = TRUE;
  clear_out (self);
  if (self->peer != NULL && !self->peer->closed)
    send_reset (self);
  else
    self->rst_sent = TRUE;
  net_call (self->net, self->net->now, local_close, g_object_ref (self), g_object_unref);
}

static void
braid_sim_transport_lose_write_connection (BraidTransport *transport)
{
  BraidSimTransport *self = BRAID_SIM_TRANSPORT (transport);

  if (self->closed || self->disconnecting || self->write_closed || self->peer == NULL)
    return;
  self->write_closed = TRUE;
  enqueue (self, SEGMENT_FIN, NULL, 0);
  if (self->read_closed)
    net_call (self->net, self->net->now, local_close, g_object_ref (self), g_object_unref);
}

static GSocketAddress *
braid_sim_transport_get_peer (BraidTransport *transport)
{
  return BRAID_SIM_TRANSPORT (transport)->peer_address;
}

static GSocketAddress *
braid_sim_transport_get_host (BraidTransport *transport)
{
  return BRAID_SIM_TRANSPORT (transport)->host;
}

/* Pauses a streaming producer above the socket transport's high-water
 * mark, resumes it below its low-water mark; asks a pull producer for more
 * once everything it wrote has been delivered. */
static void
update_producer (BraidSimTransport *end)
{
  g_autoptr (BraidProducer) producer = NULL;

  if (end->producer == NULL || end->closed)
    return;
  producer = g_object_ref (end->producer);
  if (end->streaming)
    {
      if (!end->producer_paused && end->out_bytes > BRAID_SOCKET_TRANSPORT_HIGH_WATER)
        {
          end->producer_paused = TRUE;
          braid_producer_pause_producing (producer);
        }
      else if (end->producer_paused && end->out_bytes < BRAID_SOCKET_TRANSPORT_LOW_WATER)
        {
          end->producer_paused = FALSE;
          braid_producer_resume_producing (producer);
        }
    }
  else if (end->out.head == NULL && !end->disconnecting && !end->write_closed)
    braid_producer_resume_producing (producer);
}

static void
braid_sim_transport_register_producer (BraidTransport *transport,
                                       BraidProducer  *producer,
                                       gboolean        streaming)
{
  BraidSimTransport *self = BRAID_SIM_TRANSPORT (transport);

  if (self->producer != NULL)
    {
      g_critical ("A producer (%s) is already registered on this transport; "
                  "unregister it first", G_OBJECT_TYPE_NAME (self->producer));
      return;
    }
  if (self->closed)
    {
      braid_producer_stop_producing (producer);
      return;
    }
  self->producer = g_object_ref (producer);
  self->streaming = streaming != FALSE;
  self->producer_paused = FALSE;
  update_producer (self);
}

static void
braid_sim_transport_unregister_producer (BraidTransport *transport)
{
  BraidSimTransport *self = BRAID_SIM_TRANSPORT (transport);

  g_clear_object (&self->producer);
  self->producer_paused = FALSE;
}

static gboolean
braid_sim_transport_is_disconnecting (BraidTransport *transport)
{
  BraidSimTransport *self = BRAID_SIM_TRANSPORT (transport);

  return self->disconnecting || self->closed;
}

static void
braid_sim_transport_transport_iface_init (BraidTransportInterface *iface)
{
  iface->write = braid_sim_transport_write;
  iface->write_sequence = braid_sim_transport_write_sequence;
  iface->lose_connection = braid_sim_transport_lose_connection;
  iface->abort_connection = braid_sim_transport_abort_connection;
  iface->lose_write_connection = braid_sim_transport_lose_write_connection;
  iface->get_peer = braid_sim_transport_get_peer;
  iface->get_host = braid_sim_transport_get_host;
  iface->register_producer = braid_sim_transport_register_producer;
  iface->unregister_producer = braid_sim_transport_unregister_producer;
  iface->is_disconnecting = braid_sim_transport_is_disconnecting;
}

/* The transport as a producer: its protocol pausing it stops reading. */
static void
braid_sim_transport_pause_producing (BraidProducer *producer)
{
  BRAID_SIM_TRANSPORT (producer)->reading_paused = TRUE;
}

static void
braid_sim_transport_resume_producing (BraidProducer *producer)
{
  BraidSimTransport *self = BRAID_SIM_TRANSPORT (producer);

  self->reading_paused = FALSE;
  if (self->peer != NULL && self->peer->waiting_reader)
    {
      Segment *head = self->peer->out.head;

      self->peer->waiting_reader = FALSE;
      if (head != NULL)
        head->due = MAX (head->due, self->net->now);
      schedule_delivery (self->peer);
    }
}

static void
braid_sim_transport_stop_producing (BraidProducer *producer)
{
  braid_sim_transport_lose_connection (BRAID_TRANSPORT (producer));
}

static void
braid_sim_transport_producer_iface_init (BraidProducerInterface *iface)
{
  iface->pause_producing = braid_sim_transport_pause_producing;
  iface->resume_producing = braid_sim_transport_resume_producing;
  iface->stop_producing = braid_sim_transport_stop_producing;
}

static void
braid_sim_transport_finalize (GObject *object)
{
  BraidSimTransport *self = BRAID_SIM_TRANSPORT (object);

  segments_clear (&self->out);
  g_clear_object (&self->protocol);
  g_clear_object (&self->producer);
  g_clear_object (&self->connector);
  g_clear_object (&self->host);
  g_clear_object (&self->peer_address);
  G_OBJECT_CLASS (braid_sim_transport_parent_class)->finalize (object);
}

static void
braid_sim_transport_class_init (BraidSimTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_sim_transport_finalize;
}

static void
braid_sim_transport_init (BraidSimTransport *self)
{
}

static GSocketAddress *
node_address (BraidSimNode *node, guint16 port)
{
  return g_inet_socket_address_new_from_string (node->address, port);
}

static BraidSimTransport *
transport_new (BraidSimNode *node, guint conn, GSocketAddress *host, GSocketAddress *peer)
{
  BraidSimTransport *self = g_object_new (BRAID_TYPE_SIM_TRANSPORT, NULL);

  self->net = node->net;
  self->node = node;
  self->conn = conn;
  self->host = host;
  self->peer_address = peer;
  g_ptr_array_add (node->net->flows, self);   /* the net's reference */
  g_ptr_array_add (node->transports, g_object_ref (self));
  return self;
}

/* Forgets an end without telling anyone: the net is going away. */
static void
detach (BraidSimTransport *end)
{
  clear_out (end);
  end->closed = TRUE;
  end->peer = NULL;
  g_clear_object (&end->protocol);
  g_clear_object (&end->producer);
  g_clear_object (&end->connector);
}

/* ---------------------------------------------------------------------- */
/* The listening port.                                                     */

static GSocketAddress *
braid_sim_port_get_host (BraidListeningPort *port)
{
  return BRAID_SIM_PORT (port)->host;
}

static void
braid_sim_port_stop_listening (BraidListeningPort *port)
{
  BraidSimPort *self = BRAID_SIM_PORT (port);

  if (!self->listening)
    return;
  self->listening = FALSE;
  if (self->node != NULL)
    g_ptr_array_remove (self->node->ports, self);
  braid_factory_do_stop (self->factory);
}

static void
braid_sim_port_iface_init (BraidListeningPortInterface *iface)
{
  iface->get_host = braid_sim_port_get_host;
  iface->stop_listening = braid_sim_port_stop_listening;
}

static void
braid_sim_port_finalize (GObject *object)
{
  BraidSimPort *self = BRAID_SIM_PORT (object);

  g_clear_object (&self->factory);
  g_clear_object (&self->host);
  G_OBJECT_CLASS (braid_sim_port_parent_class)->finalize (object);
}

static void
braid_sim_port_class_init (BraidSimPortClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_sim_port_finalize;
}

static void
braid_sim_port_init (BraidSimPort *self)
{
}

static BraidSimPort *
find_port (BraidSimNode *node, guint16 port)
{
  for (guint i = 0; i < node->ports->len; i++)
    {
      BraidSimPort *candidate = g_ptr_array_index (node->ports, i);

      if (candidate->port == port)
        return candidate;
    }
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* The connector.                                                          */

static void
forget_connector (BraidSimConnector *self)
{
  if (self->state == CONNECTOR_IDLE && self->factory_started)
    {
      self->factory_started = FALSE;
      braid_factory_do_stop (BRAID_FACTORY (self->factory));
      if (self->node != NULL)
        g_ptr_array_remove (self->node->connectors, self);
    }
}

static void
deliver_failure (gpointer data)
{
  g_autoptr (BraidSimConnector) self = g_object_ref (data);
  g_autoptr (GError) failure = g_steal_pointer (&self->failure);

  g_clear_pointer (&self->failure_call, braid_delayed_call_unref);
  self->state = CONNECTOR_IDLE;
  braid_client_factory_client_connection_failed (self->factory, BRAID_CONNECTOR (self), failure);
  forget_connector (self);
}

/* How the journal names the host a connector was given: the node's name
 * when a node has it as its name or address (so a connection by address
 * is drawn on the node's lane, not on a lane of its own), else as given. */
static const char *
host_name (BraidSimNet *net, const char *host)
{
  BraidSimNode *node = g_hash_table_lookup (net->by_name, host);

  return node != NULL ? node->name : host;
}

/* Fails the attempt with @error (taken), from a call on the node's clock
 * as the real connector does. */
static void
connector_fail (BraidSimConnector *self, GError *error)
{
  BraidSimNet *net = self->node->net;

  journal (net, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? "timeout" : "refused",
           self->node->name, host_name (net, self->host), 0, -1, -1, error->message);
  if (self->timeout_call != NULL)
    {
      braid_delayed_call_cancel (self->timeout_call, NULL);
      g_clear_pointer (&self->timeout_call, braid_delayed_call_unref);
    }
  self->transport = NULL;
  self->state = CONNECTOR_FAILING;
  g_clear_error (&self->failure);
  self->failure = error;
  self->failure_call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (self->node), 0,
                                                                       deliver_failure, self, NULL));
}

static void
on_connect_timeout (gpointer data)
{
  BraidSimConnector *self = data;

  g_clear_pointer (&self->timeout_call, braid_delayed_call_unref);
  connector_fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                     "Connection to %s:%u timed out after %g seconds",
                                     self->host, self->port, self->timeout));
}

typedef struct {
  BraidSimConnector *connector;
  BraidSimNode *target;      /* not owned: nodes live as long as the net */
  guint attempt;
} Syn;

static void
syn_free (gpointer data)
{
  Syn *syn = data;

  g_object_unref (syn->connector);
  g_free (syn);
}

static gboolean
syn_current (Syn *syn)
{
  return syn->connector->attempt == syn->attempt
         && syn->connector->state == CONNECTOR_CONNECTING;
}

static void
syn_refused (gpointer data)
{
  Syn *syn = data;

  if (!syn_current (syn))
    return;
  connector_fail (syn->connector,
                  g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                               "Could not connect to %s:%u: Connection refused",
                               syn->connector->host, syn->connector->port));
}

/* The SYN reaches the server node. */
static void
syn_arrives (gpointer data)
{
  Syn *syn = data;
  BraidSimConnector *connector = syn->connector;
  BraidSimNode *client = connector->node;
  BraidSimNode *server = syn->target;
  BraidSimNet *net = server->net;
  BraidSimPort *port;
  g_autoptr (BraidProtocol) protocol = NULL;
  BraidSimTransport *server_end, *client_end;
  guint16 client_port;

  if (!syn_current (syn))
    return;
  port = server->up ? find_port (server, connector->port) : NULL;
  if (port != NULL)
    {
      client_port = client->next_port++;
      if (client->next_port == 0)
        client->next_port = 49152;
      g_autoptr (GSocketAddress) address = node_address (client, client_port);

      protocol = braid_factory_build_protocol (port->factory, address);
    }
  if (protocol == NULL)
    {
      BraidSimLink *back = link_between (net, server, client);

      /* Refused (no port, node down, or the factory built no protocol):
       * the reset travels back, unless the way back is cut. */
      if (link_blocked (back) == NULL)
        {
          Syn *copy = g_memdup2 (syn, sizeof *syn);

          g_object_ref (copy->connector);
          net_call (net, link_arrival (back, 0), syn_refused, copy, syn_free);
        }
      return;
    }

  /* Two ends; the client's has no protocol until the SYN-ACK arrives. */
  server_end = transport_new (server, ++net->next_conn, node_address (server, port->port),
                              node_address (client, client_port));
  client_end = transport_new (client, server_end->conn, node_address (client, client_port),
                              node_address (server, port->port));
  server_end->peer = client_end;
  client_end->peer = server_end;
  server_end->link = link_between (net, server, client);
  client_end->link = link_between (net, client, server);
  client_end->connector = g_object_ref (connector);
  connector->transport = client_end;
  journal (net, "accept", server->name, client->name, server_end->conn, -1, -1, NULL);
  /* The SYN-ACK goes first: what the server writes follows it. */
  enqueue (server_end, SEGMENT_ACCEPT, NULL, 0);
  server_end->protocol = g_object_ref (protocol);
  braid_protocol_make_connection (protocol, BRAID_TRANSPORT (server_end));
}

static void
connector_start (BraidSimConnector *self)
{
  BraidSimNode *node = self->node;
  BraidSimNet *net = node->net;
  BraidSimNode *target;
  BraidSimLink *link;
  Syn *syn;

  self->state = CONNECTOR_CONNECTING;
  self->attempt++;
  if (!self->factory_started)
    {
      self->factory_started = TRUE;
      braid_factory_do_start (BRAID_FACTORY (self->factory));
    }
  braid_client_factory_started_connecting (self->factory, BRAID_CONNECTOR (self));
  if (self->state != CONNECTOR_CONNECTING)
    return;   /* the factory stopped the attempt already */
  journal (net, "connect", node->name, host_name (net, self->host), 0, -1, -1, NULL);
  target = g_hash_table_lookup (net->by_name, self->host);
  if (target == NULL)
    {
      connector_fail (self, g_error_new (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                         "No node is called or has the address %s", self->host));
      return;
    }
  self->timeout_call = braid_delayed_call_ref (braid_clock_call_later (BRAID_CLOCK (node), self->timeout,
                                                                       on_connect_timeout, self, NULL));
  link = link_between (net, node, target);
  if (link_blocked (link) != NULL)
    {
      journal (net, "drop", node->name, target->name, 0, 0, -1, "SYN lost: the link is blocked");
      return;
    }
  syn = g_new0 (Syn, 1);
  syn->connector = g_object_ref (self);
  syn->target = target;
  syn->attempt = self->attempt;
  net_call (net, link_arrival (link, 0), syn_arrives, syn, syn_free);
}

static void
braid_sim_connector_connect (BraidConnector *connector)
{
  BraidSimConnector *self = BRAID_SIM_CONNECTOR (connector);

  if (self->state != CONNECTOR_IDLE || self->node == NULL || !self->node->up)
    {
      g_critical ("braid_connector_connect: the connector is busy, or its node is down");
      return;
    }
  if (!self->factory_started)
    g_ptr_array_add (self->node->connectors, g_object_ref (self));
  connector_start (self);
}

static void
braid_sim_connector_stop_connecting (BraidConnector *connector)
{
  BraidSimConnector *self = BRAID_SIM_CONNECTOR (connector);

  if (self->state != CONNECTOR_CONNECTING)
    {
      g_critical ("braid_connector_stop_connecting: the connector is not connecting");
      return;
    }
  connector_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             "The connection attempt was cancelled"));
}

static void
braid_sim_connector_disconnect (BraidConnector *connector)
{
  BraidSimConnector *self = BRAID_SIM_CONNECTOR (connector);

  if (self->state == CONNECTOR_CONNECTING)
    braid_sim_connector_stop_connecting (connector);
  else if (self->state == CONNECTOR_CONNECTED)
    braid_transport_lose_connection (BRAID_TRANSPORT (self->transport));
}

static GSocketConnectable *
braid_sim_connector_get_destination (BraidConnector *connector)
{
  return BRAID_SIM_CONNECTOR (connector)->destination;
}

static BraidReactor *
braid_sim_connector_get_reactor (BraidConnector *connector)
{
  BraidSimConnector *self = BRAID_SIM_CONNECTOR (connector);

  return self->node != NULL ? BRAID_REACTOR (self->node) : NULL;
}

static void
braid_sim_connector_iface_init (BraidConnectorInterface *iface)
{
  iface->connect = braid_sim_connector_connect;
  iface->stop_connecting = braid_sim_connector_stop_connecting;
  iface->disconnect = braid_sim_connector_disconnect;
  iface->get_destination = braid_sim_connector_get_destination;
  iface->get_reactor = braid_sim_connector_get_reactor;
}

static void
braid_sim_connector_finalize (GObject *object)
{
  BraidSimConnector *self = BRAID_SIM_CONNECTOR (object);

  g_free (self->host);
  g_clear_object (&self->factory);
  g_clear_object (&self->destination);
  g_clear_pointer (&self->timeout_call, braid_delayed_call_unref);
  g_clear_pointer (&self->failure_call, braid_delayed_call_unref);
  g_clear_error (&self->failure);
  G_OBJECT_CLASS (braid_sim_connector_parent_class)->finalize (object);
}

static void
braid_sim_connector_class_init (BraidSimConnectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_sim_connector_finalize;
}

static void
braid_sim_connector_init (BraidSimConnector *self)
{
}

/* The node crashed or the net is going: the attempt ends with no word to
 * the factory (the process is gone). */
static void
connector_abandon (BraidSimConnector *self)
{
  if (self->timeout_call != NULL)
    braid_delayed_call_cancel (self->timeout_call, NULL);
  if (self->failure_call != NULL)
    braid_delayed_call_cancel (self->failure_call, NULL);
  g_clear_pointer (&self->timeout_call, braid_delayed_call_unref);
  g_clear_pointer (&self->failure_call, braid_delayed_call_unref);
  g_clear_error (&self->failure);
  self->attempt++;
  self->state = CONNECTOR_IDLE;
  self->transport = NULL;
  self->factory_started = FALSE;
}

/* ---------------------------------------------------------------------- */
/* UDP: datagrams and their faults.                                        */

/* One datagram on its way. */
typedef struct {
  BraidSimNet *net;          /* not owned */
  BraidSimNode *from;        /* not owned: nodes live as long as the net */
  BraidSimNode *to;
  guint16 port;              /* the destination port */
  GSocketAddress *source;    /* the sending port's address */
  gboolean corrupted;
  gdouble sent;
  gsize len;
  guint8 data[];
} Datagram;

static Datagram *
datagram_new (BraidSimNode *from, BraidSimNode *to, guint16 port, GSocketAddress *source,
              const guint8 *data, gsize len)
{
  Datagram *datagram = g_malloc (sizeof (Datagram) + len);

  datagram->net = from->net;
  datagram->from = from;
  datagram->to = to;
  datagram->port = port;
  datagram->source = g_object_ref (source);
  datagram->corrupted = FALSE;
  datagram->sent = from->net->now;
  datagram->len = len;
  if (len > 0)
    memcpy (datagram->data, data, len);
  return datagram;
}

static Datagram *
datagram_copy (const Datagram *datagram)
{
  Datagram *copy = g_memdup2 (datagram, sizeof (Datagram) + datagram->len);

  g_object_ref (copy->source);
  return copy;
}

static void
datagram_free (gpointer data)
{
  Datagram *datagram = data;

  if (datagram == NULL)
    return;   /* taken out of a held list */
  g_object_unref (datagram->source);
  g_free (datagram);
}

static BraidSimUdpPort *
find_udp_port (BraidSimNode *node, guint16 port)
{
  for (guint i = 0; i < node->udp_ports->len; i++)
    {
      BraidSimUdpPort *candidate = g_ptr_array_index (node->udp_ports, i);

      if (candidate->port == port)
        return candidate;
    }
  return NULL;
}

/* A datagram reaches its node: the port listening there hears it, if
 * there is one and it is not connected to another peer; else it is lost
 * (no ICMP is simulated). A datagram bigger than the port's packet size is
 * cut to it, as recvfrom does. */
static void
datagram_arrives (gpointer data)
{
  Datagram *datagram = data;
  BraidSimNet *net = datagram->net;
  BraidSimUdpPort *port = datagram->to->up ? find_udp_port (datagram->to, datagram->port) : NULL;
  const char *why = NULL;

  if (port == NULL)
    why = "port unreachable";
  else if (port->peer != NULL && !braid_socket_address_equal (port->peer, datagram->source))
    why = "the port is connected to another peer";
  if (why != NULL)
    {
      journal (net, "drop", datagram->to->name, datagram->from->name, 0,
               (gssize) datagram->len, datagram->sent, why);
      return;
    }
  journal (net, "deliver", datagram->to->name, datagram->from->name, 0, (gssize) datagram->len,
           datagram->sent, datagram->corrupted ? "udp, corrupted" : "udp");
  braid_datagram_protocol_datagram_received (port->protocol, datagram->data,
                                             MIN (datagram->len, port->max_packet_size),
                                             datagram->source);
}

/* Rules 3 to 5 for a datagram that crosses @link: duplication,
 * corruption and reordering, each drawn from the seed, then bandwidth and
 * latency. Unlike a stream's segments, datagrams keep no order: jitter
 * alone may swap two of them. Takes @datagram. */
static void
datagram_travel (BraidSimLink *link, Datagram *datagram)
{
  BraidSimNet *net = link->net;
  guint copies = 1;

  if (link->duplication > 0 && g_rand_double (net->rand) < link->duplication)
    copies = 2;
  for (guint i = 0; i < copies; i++)
    {
      Datagram *copy = i + 1 < copies ? datagram_copy (datagram) : datagram;
      gdouble arrival;

      if (i > 0)
        journal (net, "send", copy->from->name, copy->to->name, 0, (gssize) copy->len, -1,
                 "udp, duplicated");
      if (link->corruption > 0 && copy->len > 0 && g_rand_double (net->rand) < link->corruption)
        {
          /* The wrapper keeps a datagram under 64 KiB. */
          gsize byte = g_rand_int_range (net->rand, 0, (gint32) copy->len);

          copy->data[byte] ^= (guint8) (1u << g_rand_int_range (net->rand, 0, 8));
          copy->corrupted = TRUE;
        }
      arrival = link_arrival (link, copy->len);
      if (link->reordering > 0 && g_rand_double (net->rand) < link->reordering)
        arrival += link->reorder_delay * g_rand_double (net->rand);
      net_call (net, arrival, datagram_arrives, copy, datagram_free);
    }
}

/* Rules 1 to 5 for a datagram written now. */
static void
datagram_send (BraidSimLink *link, Datagram *datagram)
{
  BraidSimNet *net = link->net;

  journal (net, "send", datagram->from->name, datagram->to->name, 0, (gssize) datagram->len, -1,
           "udp");
  /* A drop is written as a delivery is: on the receiver, from the sender. */
  if (link->partitioned)
    {
      journal (net, "drop", datagram->to->name, datagram->from->name, 0,
               (gssize) datagram->len, datagram->sent, "partition");
      datagram_free (datagram);
      return;
    }
  if (link->held)
    {
      if (link->held_datagrams == NULL)
        link->held_datagrams = g_ptr_array_new_with_free_func (datagram_free);
      g_ptr_array_add (link->held_datagrams, datagram);
      return;
    }
  if (link->loss > 0 && g_rand_double (net->rand) < link->loss)
    {
      journal (net, "drop", datagram->to->name, datagram->from->name, 0,
               (gssize) datagram->len, datagram->sent, "loss");
      datagram_free (datagram);
      return;
    }
  datagram_travel (link, datagram);
}

/* The link heals or is released: what it held leaves now, in the order
 * it was sent (the loss rule still applies). */
static void
release_datagrams (BraidSimLink *link)
{
  g_autoptr (GPtrArray) held = g_steal_pointer (&link->held_datagrams);

  if (held == NULL)
    return;
  for (guint i = 0; i < held->len; i++)
    {
      Datagram *datagram = g_ptr_array_index (held, i);

      g_ptr_array_index (held, i) = NULL;
      if (link->loss > 0 && g_rand_double (link->net->rand) < link->loss)
        {
          journal (link->net, "drop", datagram->to->name, datagram->from->name, 0,
                   (gssize) datagram->len, datagram->sent, "loss");
          datagram_free (datagram);
          continue;
        }
      datagram_travel (link, datagram);
    }
}

static GSocketAddress *
braid_sim_udp_port_get_host (BraidListeningPort *port)
{
  return BRAID_SIM_UDP_PORT (port)->host;
}

/* The port closes; @stop tells the protocol (not when its node crashed). */
static void
udp_port_close (BraidSimUdpPort *self, gboolean stop)
{
  BraidDatagramProtocol *protocol = g_steal_pointer (&self->protocol);

  self->listening = FALSE;
  if (stop)
    braid_datagram_protocol_do_stop (protocol);
  /* The protocol holds the port: dropping it after the event breaks the
   * cycle without freeing code that runs. A listening port's node is
   * alive (its wipe closes the port first). */
  net_release (self->node->net, protocol);
}

static void
braid_sim_udp_port_stop_listening (BraidListeningPort *port)
{
  BraidSimUdpPort *self = BRAID_SIM_UDP_PORT (port);
  G_GNUC_UNUSED g_autoptr (BraidSimUdpPort) hold = g_object_ref (self);

  if (!self->listening)
    return;
  g_ptr_array_remove (self->node->udp_ports, self);
  udp_port_close (self, TRUE);
}

static void
braid_sim_udp_port_port_iface_init (BraidListeningPortInterface *iface)
{
  iface->get_host = braid_sim_udp_port_get_host;
  iface->stop_listening = braid_sim_udp_port_stop_listening;
}

static gboolean
udp_is_listening (BraidDatagramTransport *transport)
{
  return BRAID_SIM_UDP_PORT (transport)->listening;
}

/* The wrapper checked the port is open and the address (or the peer). A
 * datagram to an address no node has is lost on the way, as on a network:
 * sending it succeeds. */
static gboolean
udp_write (BraidDatagramTransport *transport, const guint8 *data, gsize len,
           GSocketAddress *address, GError **error)
{
  BraidSimUdpPort *self = BRAID_SIM_UDP_PORT (transport);
  BraidSimNet *net = self->node->net;
  GInetSocketAddress *destination = G_INET_SOCKET_ADDRESS (address != NULL ? address : self->peer);
  g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (destination));
  BraidSimNode *to = g_hash_table_lookup (net->by_name, ip);

  if (to == NULL)
    {
      g_autofree char *why = g_strdup_printf ("no node has the address %s", ip);

      /* No peer: the viewer draws no lane for an address no node has. */
      journal (net, "drop", self->node->name, NULL, 0, (gssize) len, -1, why);
      return TRUE;
    }
  datagram_send (link_between (net, self->node, to),
                 datagram_new (self->node, to, g_inet_socket_address_get_port (destination),
                               self->host, data, len));
  return TRUE;
}

static gboolean
udp_connect (BraidDatagramTransport *transport, GSocketAddress *address, GError **error)
{
  BRAID_SIM_UDP_PORT (transport)->peer = g_object_ref (address);
  return TRUE;
}

static GSocketAddress *
udp_get_connected_address (BraidDatagramTransport *transport)
{
  return BRAID_SIM_UDP_PORT (transport)->peer;
}

static gsize
udp_get_max_packet_size (BraidDatagramTransport *transport)
{
  return BRAID_SIM_UDP_PORT (transport)->max_packet_size;
}

static gboolean
udp_group (BraidDatagramTransport *transport, GInetAddress *group, const char *interface,
           GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "A simulated node has no multicast");
  return FALSE;
}

static guint
udp_get_ttl (BraidDatagramTransport *transport)
{
  return BRAID_SIM_UDP_PORT (transport)->ttl;
}

static gboolean
udp_set_ttl (BraidDatagramTransport *transport, guint ttl, GError **error)
{
  BRAID_SIM_UDP_PORT (transport)->ttl = ttl;
  return TRUE;
}

static gboolean
udp_get_loopback (BraidDatagramTransport *transport)
{
  return BRAID_SIM_UDP_PORT (transport)->loopback;
}

static gboolean
udp_set_loopback (BraidDatagramTransport *transport, gboolean loopback, GError **error)
{
  BRAID_SIM_UDP_PORT (transport)->loopback = loopback;
  return TRUE;
}

static void
braid_sim_udp_port_iface_init (BraidDatagramTransportInterface *iface)
{
  iface->is_listening = udp_is_listening;
  iface->write = udp_write;
  iface->connect = udp_connect;
  iface->get_connected_address = udp_get_connected_address;
  iface->get_max_packet_size = udp_get_max_packet_size;
  iface->join_group = udp_group;
  iface->leave_group = udp_group;
  iface->get_ttl = udp_get_ttl;
  iface->set_ttl = udp_set_ttl;
  iface->get_loopback = udp_get_loopback;
  iface->set_loopback = udp_set_loopback;
}

static void
braid_sim_udp_port_finalize (GObject *object)
{
  BraidSimUdpPort *self = BRAID_SIM_UDP_PORT (object);

  g_clear_object (&self->protocol);
  g_clear_object (&self->host);
  g_clear_object (&self->peer);
  G_OBJECT_CLASS (braid_sim_udp_port_parent_class)->finalize (object);
}

static void
braid_sim_udp_port_class_init (BraidSimUdpPortClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_sim_udp_port_finalize;
}

static void
braid_sim_udp_port_init (BraidSimUdpPort *self)
{
  self->ttl = 1;
  self->loopback = TRUE;
}

/* ---------------------------------------------------------------------- */
/* The node: a reactor and a clock on the net's time.                      */

/**
 * BraidSimNode:
 *
 * One machine of a [class@Braid.SimNet]: a [iface@Braid.Reactor] and a
 * [iface@Braid.Clock] on the net's virtual time, made by
 * [method@Braid.SimNet.add_node] and owned by the net. Give it to a
 * program's setup code where the real reactor would go. `run` does not
 * loop (the net runs everything): it fires the `startup` triggers, and
 * `stop` the `shutdown` ones, as [class@Braid.MemoryReactor] does.
 * `call_from_thread` schedules the call with no delay; the node is not
 * thread-safe.
 */

/* The net caches each node's earliest timer. Every way a call is added to
 * a node's queue or moved in it asks the node for its queue (call_later)
 * or its time (reset and delay), so both mark the cache stale; a cancel
 * only makes the cached time early, which next_queue checks. */
static inline void
mark_dirty (BraidSimNode *self)
{
  if (!self->dirty && self->net != NULL)
    {
      self->dirty = TRUE;
      g_ptr_array_add (self->net->dirty, self);
    }
}

static gdouble
braid_sim_node_seconds (BraidClock *clock)
{
  BraidSimNode *self = (BraidSimNode *) clock;   /* hot: see the note at write */

  mark_dirty (self);
  return self->net != NULL ? self->net->now : 0;
}

static BraidTimerQueue *
braid_sim_node_get_timer_queue (BraidClock *clock)
{
  BraidSimNode *self = (BraidSimNode *) clock;

  mark_dirty (self);
  return self->queue;
}

static void
braid_sim_node_clock_iface_init (BraidClockInterface *iface)
{
  iface->seconds = braid_sim_node_seconds;
  iface->get_timer_queue = braid_sim_node_get_timer_queue;
}

static void
fire_event (BraidSimNode *self, const char *event)
{
  braid_trigger_list_fire (self->triggers, event, BRAID_TRIGGER_BEFORE);
  braid_trigger_list_fire (self->triggers, event, BRAID_TRIGGER_DURING);
  braid_trigger_list_fire (self->triggers, event, BRAID_TRIGGER_AFTER);
}

static void
braid_sim_node_run (BraidReactor *reactor)
{
  BraidSimNode *self = BRAID_SIM_NODE (reactor);

  if (self->running || self->has_run)
    {
      g_critical ("braid_reactor_run: this BraidSimNode ran already");
      return;
    }
  self->running = TRUE;
  self->has_run = TRUE;
  fire_event (self, "startup");
}

static void
braid_sim_node_stop (BraidReactor *reactor)
{
  BraidSimNode *self = BRAID_SIM_NODE (reactor);

  if (self->has_stopped)
    return;
  if (!self->running)
    {
      g_critical ("braid_reactor_stop: this BraidSimNode has not been run yet");
      return;
    }
  self->has_stopped = TRUE;
  fire_event (self, "shutdown");
  self->running = FALSE;
}

static gboolean
braid_sim_node_is_running (BraidReactor *reactor)
{
  BraidSimNode *self = BRAID_SIM_NODE (reactor);

  return self->running && !self->has_stopped;
}

static void
braid_sim_node_call_when_running (BraidReactor *reactor, BraidCallFunc func,
                                  gpointer user_data, GDestroyNotify destroy)
{
  BraidSimNode *self = BRAID_SIM_NODE (reactor);

  braid_trigger_list_call_when_running (self->triggers, self->running, func, user_data, destroy);
}

static guint
braid_sim_node_add_system_event_trigger (BraidReactor *reactor, BraidTriggerPhase phase,
                                         const char *event, BraidCallFunc func,
                                         gpointer user_data, GDestroyNotify destroy)
{
  return braid_trigger_list_add (BRAID_SIM_NODE (reactor)->triggers, phase, event,
                                 func, user_data, destroy);
}

static void
braid_sim_node_remove_system_event_trigger (BraidReactor *reactor, guint trigger_id)
{
  if (!braid_trigger_list_remove (BRAID_SIM_NODE (reactor)->triggers, trigger_id))
    g_critical ("braid_reactor_remove_system_event_trigger: no pending trigger has id %u "
                "(it was removed, or it already fired)", trigger_id);
}

static void
braid_sim_node_call_from_thread (BraidReactor *reactor, BraidCallFunc func,
                                 gpointer user_data, GDestroyNotify destroy)
{
  braid_clock_call_later (BRAID_CLOCK (reactor), 0, func, user_data, destroy);
}

static BraidListeningPort *
braid_sim_node_listen_tcp (BraidReactor *reactor, guint16 port, BraidFactory *factory,
                           int backlog, const char *interface, GError **error)
{
  BraidSimNode *self = BRAID_SIM_NODE (reactor);
  BraidSimPort *listening;

  if (!self->up)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "The node %s is down", self->name);
      return NULL;
    }
  if (port == 0)
    {
      while (find_port (self, self->next_port) != NULL)
        self->next_port++;
      port = self->next_port++;
    }
  else if (find_port (self, port) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   "Could not listen on %s:%u: Address already in use", self->address, port);
      return NULL;
    }
  listening = g_object_new (BRAID_TYPE_SIM_PORT, NULL);
  listening->node = self;
  listening->port = port;
  listening->factory = g_object_ref (factory);
  listening->host = node_address (self, port);
  listening->listening = TRUE;
  g_ptr_array_add (self->owned, listening);
  g_ptr_array_add (self->ports, g_object_ref (listening));
  journal (self->net, "listen", self->name, NULL, 0, -1, -1, NULL);   /* up: the net is there */
  braid_factory_do_start (factory);
  return BRAID_LISTENING_PORT (listening);
}

static BraidConnector *
braid_sim_node_connect_tcp (BraidReactor *reactor, const char *host, guint16 port,
                            BraidClientFactory *factory, gdouble timeout,
                            GSocketAddress *bind_address)
{
  BraidSimNode *self = BRAID_SIM_NODE (reactor);
  BraidSimConnector *connector;

  g_return_val_if_fail (self->net != NULL, NULL);
  connector = g_object_new (BRAID_TYPE_SIM_CONNECTOR, NULL);
  connector->node = self;
  connector->host = g_strdup (host);
  connector->port = port;
  connector->factory = g_object_ref (factory);
  connector->timeout = timeout;
  connector->destination = g_network_address_new (host, port);
  g_ptr_array_add (self->owned, connector);
  braid_sim_connector_connect (BRAID_CONNECTOR (connector));
  return BRAID_CONNECTOR (connector);
}

static BraidListeningPort *
braid_sim_node_listen_unix (BraidReactor *reactor, const char *path, BraidFactory *factory,
                            int backlog, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "A simulated node has no UNIX sockets (%s)", path);
  return NULL;
}

static BraidConnector *
braid_sim_node_connect_unix (BraidReactor *reactor, const char *path,
                             BraidClientFactory *factory, gdouble timeout)
{
  BraidSimNode *self = BRAID_SIM_NODE (reactor);
  BraidSimConnector *connector = g_object_new (BRAID_TYPE_SIM_CONNECTOR, NULL);

  connector->node = self;
  connector->host = g_strdup (path);
  connector->factory = g_object_ref (factory);
  connector->timeout = timeout;
  connector->destination = g_network_address_new (path, 0);
  g_ptr_array_add (self->owned, connector);
  g_ptr_array_add (self->connectors, g_object_ref (connector));
  connector->factory_started = TRUE;
  braid_factory_do_start (BRAID_FACTORY (factory));
  connector->state = CONNECTOR_CONNECTING;
  braid_client_factory_started_connecting (factory, BRAID_CONNECTOR (connector));
  connector_fail (connector, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                          "A simulated node has no UNIX sockets (%s)", path));
  return BRAID_CONNECTOR (connector);
}

static BraidDatagramTransport *
braid_sim_node_listen_udp (BraidReactor *reactor, guint16 port, BraidDatagramProtocol *protocol,
                           const char *interface, gsize max_packet_size, GError **error)
{
  BraidSimNode *self = BRAID_SIM_NODE (reactor);
  BraidSimUdpPort *listening;

  if (!self->up)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                   "The node %s is down", self->name);
      return NULL;
    }
  if (interface != NULL && !g_hostname_is_ip_address (interface))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot listen on UDP \"%s\": not an IP address", interface);
      return NULL;
    }
  if (port == 0)
    {
      while (find_udp_port (self, self->next_udp_port) != NULL)
        self->next_udp_port++;
      port = self->next_udp_port++;
    }
  else if (find_udp_port (self, port) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   "Could not listen on UDP %s:%u: Address already in use", self->address, port);
      return NULL;
    }
  listening = g_object_new (BRAID_TYPE_SIM_UDP_PORT, NULL);
  listening->node = self;
  listening->port = port;
  listening->host = node_address (self, port);
  listening->protocol = g_object_ref (protocol);
  listening->max_packet_size = max_packet_size != 0 ? max_packet_size
                                                    : BRAID_DEFAULT_MAX_PACKET_SIZE;
  listening->listening = TRUE;
  g_ptr_array_add (self->owned, listening);
  g_ptr_array_add (self->udp_ports, g_object_ref (listening));
  journal (self->net, "listen", self->name, NULL, 0, -1, -1, "udp");
  braid_datagram_protocol_make_connection (protocol, BRAID_DATAGRAM_TRANSPORT (listening));
  return BRAID_DATAGRAM_TRANSPORT (listening);
}

static void
braid_sim_node_reactor_iface_init (BraidReactorInterface *iface)
{
  iface->listen_udp = braid_sim_node_listen_udp;
  iface->run = braid_sim_node_run;
  iface->stop = braid_sim_node_stop;
  iface->is_running = braid_sim_node_is_running;
  iface->call_when_running = braid_sim_node_call_when_running;
  iface->listen_tcp = braid_sim_node_listen_tcp;
  iface->connect_tcp = braid_sim_node_connect_tcp;
  iface->listen_unix = braid_sim_node_listen_unix;
  iface->connect_unix = braid_sim_node_connect_unix;
  iface->add_system_event_trigger = braid_sim_node_add_system_event_trigger;
  iface->remove_system_event_trigger = braid_sim_node_remove_system_event_trigger;
  iface->call_from_thread = braid_sim_node_call_from_thread;
}

/* Everything the node's process had is gone, with no callback. */
static void
node_wipe (BraidSimNode *self)
{
  g_autoptr (GPtrArray) transports = g_steal_pointer (&self->transports);

  self->transports = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->ports->len; i++)
    BRAID_SIM_PORT (g_ptr_array_index (self->ports, i))->listening = FALSE;
  g_ptr_array_set_size (self->ports, 0);
  for (guint i = 0; i < self->udp_ports->len; i++)
    udp_port_close (g_ptr_array_index (self->udp_ports, i), FALSE);
  g_ptr_array_set_size (self->udp_ports, 0);
  for (guint i = 0; i < self->connectors->len; i++)
    connector_abandon (g_ptr_array_index (self->connectors, i));
  g_ptr_array_set_size (self->connectors, 0);
  for (guint i = 0; i < transports->len; i++)
    {
      BraidSimTransport *end = g_ptr_array_index (transports, i);

      if (end->closed)
        continue;
      end->closed = TRUE;
      end->disconnecting = TRUE;
      net_release (end->net, g_steal_pointer (&end->protocol));
      net_release (end->net, g_steal_pointer (&end->producer));
      clear_out (end);
      if (end->peer != NULL && self->net != NULL)
        send_reset (end);
      else
        maybe_retire (end);
    }
  braid_timer_queue_cancel_all (self->queue);
  mark_dirty (self);
  g_clear_pointer (&self->triggers, braid_trigger_list_free);
  self->triggers = braid_trigger_list_new ();
  self->running = self->has_run = self->has_stopped = FALSE;
}

static void
braid_sim_node_dispose (GObject *object)
{
  BraidSimNode *self = BRAID_SIM_NODE (object);

  if (self->queue != NULL)
    {
      /* A node kept past its net is down for good: its ports and
       * connections are gone with the net. */
      self->net = NULL;
      self->up = FALSE;
      node_wipe (self);
      g_clear_pointer (&self->queue, braid_timer_queue_free);
    }
  if (self->start_destroy != NULL)
    self->start_destroy (self->start_data);
  self->start_destroy = NULL;
  self->start_func = NULL;
  g_clear_pointer (&self->triggers, braid_trigger_list_free);
  g_clear_pointer (&self->ports, g_ptr_array_unref);
  g_clear_pointer (&self->connectors, g_ptr_array_unref);
  g_clear_pointer (&self->udp_ports, g_ptr_array_unref);
  g_clear_pointer (&self->transports, g_ptr_array_unref);
  if (self->owned != NULL)
    for (guint i = 0; i < self->owned->len; i++)
      {
        GObject *thing = g_ptr_array_index (self->owned, i);

        if (BRAID_IS_SIM_PORT (thing))
          BRAID_SIM_PORT (thing)->node = NULL;
        else if (BRAID_IS_SIM_UDP_PORT (thing))
          BRAID_SIM_UDP_PORT (thing)->node = NULL;
        else
          BRAID_SIM_CONNECTOR (thing)->node = NULL;
      }
  g_clear_pointer (&self->owned, g_ptr_array_unref);
  G_OBJECT_CLASS (braid_sim_node_parent_class)->dispose (object);
}

static void
braid_sim_node_finalize (GObject *object)
{
  g_free (BRAID_SIM_NODE (object)->address);
  G_OBJECT_CLASS (braid_sim_node_parent_class)->finalize (object);
}

static void
braid_sim_node_class_init (BraidSimNodeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_sim_node_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_sim_node_finalize;
}

static void
braid_sim_node_init (BraidSimNode *self)
{
  self->queue = braid_timer_queue_new ();
  self->triggers = braid_trigger_list_new ();
  self->ports = g_ptr_array_new_with_free_func (g_object_unref);
  self->connectors = g_ptr_array_new_with_free_func (g_object_unref);
  self->transports = g_ptr_array_new_with_free_func (g_object_unref);
  self->owned = g_ptr_array_new_with_free_func (g_object_unref);
  self->udp_ports = g_ptr_array_new_with_free_func (g_object_unref);
  self->next_port = 49152;
  self->next_udp_port = 49152;
  self->up = TRUE;
}

/**
 * braid_sim_node_get_name:
 * @self: a node
 *
 * Gets the node's name, as the journal writes it.
 *
 * Returns: the name given to [method@Braid.SimNet.add_node]
 */
const char *
braid_sim_node_get_name (BraidSimNode *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NODE (self), NULL);
  return self->name;
}

/**
 * braid_sim_node_get_address:
 * @self: a node
 *
 * Gets the node's IP address: its ports and connections have it, and
 * other nodes connect to it (or to its name).
 *
 * Returns: the address given to [method@Braid.SimNet.add_node]
 */
const char *
braid_sim_node_get_address (BraidSimNode *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NODE (self), NULL);
  return self->address;
}

/**
 * braid_sim_node_get_net:
 * @self: a node
 *
 * Gets the net the node is on.
 *
 * Returns: (transfer none) (nullable): the net, or %NULL once it is gone
 */
BraidSimNet *
braid_sim_node_get_net (BraidSimNode *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NODE (self), NULL);
  return self->net;
}

/**
 * braid_sim_node_is_up:
 * @self: a node
 *
 * Tells whether the node runs: %FALSE between a crash and a restart, and
 * for good once its net is gone.
 *
 * Returns: whether the node is up
 */
gboolean
braid_sim_node_is_up (BraidSimNode *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NODE (self), FALSE);
  return self->up;
}

/**
 * braid_sim_node_get_connection_count:
 * @self: a node
 *
 * Counts the node's open connections (accepted or connected, not yet
 * lost).
 *
 * Returns: how many connections are open on the node
 */
guint
braid_sim_node_get_connection_count (BraidSimNode *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NODE (self), 0);
  return self->transports->len;
}

/**
 * braid_sim_node_get_timer_count:
 * @self: a node
 *
 * Counts the delayed calls pending on the node's clock.
 *
 * Returns: how many timers are pending on the node
 */
guint
braid_sim_node_get_timer_count (BraidSimNode *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NODE (self), 0);
  return braid_timer_queue_get_length (self->queue);
}

/**
 * braid_sim_node_set_start_func:
 * @self: a node
 * @func: (scope notified) (nullable): builds the node's services
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data when the function is replaced or
 *   the node goes away
 *
 * Sets what [method@Braid.SimNode.restart] calls to bring the node's
 * services back after a crash. It is not called now: call your start
 * function yourself for the first start, as a program's `main` would.
 */
void
braid_sim_node_set_start_func (BraidSimNode *self, BraidSimNodeStartFunc func,
                               gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (BRAID_IS_SIM_NODE (self));

  if (self->start_destroy != NULL)
    self->start_destroy (self->start_data);
  self->start_func = func;
  self->start_data = user_data;
  self->start_destroy = destroy;
}

/**
 * braid_sim_node_crash:
 * @self: a node
 *
 * Kills the node's process: its protocols are dropped without
 * `connection_lost` (nothing of the process runs any more), its timers are
 * cancelled, its triggers forgotten, its ports stop listening and its
 * connection attempts end with no word to their factories. Each peer of
 * its connections gets a reset, carried by the link (so a partitioned
 * peer hears of it only after the partition heals). A crashed node takes
 * no connection until [method@Braid.SimNode.restart]. Crashing a node
 * that is down does nothing.
 */
void
braid_sim_node_crash (BraidSimNode *self)
{
  g_return_if_fail (BRAID_IS_SIM_NODE (self));
  g_return_if_fail (self->net != NULL);

  if (!self->up)
    return;
  self->up = FALSE;
  journal (self->net, "crash", self->name, NULL, 0, -1, -1, NULL);
  node_wipe (self);
}

/**
 * braid_sim_node_restart:
 * @self: a crashed node
 *
 * Brings the node up again, empty, and calls its start function
 * ([method@Braid.SimNode.set_start_func]) to rebuild its services.
 * Restarting a node that is up does nothing.
 */
void
braid_sim_node_restart (BraidSimNode *self)
{
  g_return_if_fail (BRAID_IS_SIM_NODE (self));
  g_return_if_fail (self->net != NULL);

  if (self->up)
    return;
  self->up = TRUE;
  journal (self->net, "restart", self->name, NULL, 0, -1, -1, NULL);
  if (self->start_func != NULL)
    self->start_func (self, self->start_data);
}

/* ---------------------------------------------------------------------- */
/* The link's public face.                                                 */

static void
braid_sim_link_finalize (GObject *object)
{
  g_clear_pointer (&BRAID_SIM_LINK (object)->held_datagrams, g_ptr_array_unref);
  G_OBJECT_CLASS (braid_sim_link_parent_class)->finalize (object);
}

static void
braid_sim_link_class_init (BraidSimLinkClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_sim_link_finalize;
}

static void
braid_sim_link_init (BraidSimLink *self)
{
}

/**
 * BraidSimLink:
 *
 * The rules of one direction between two nodes of a [class@Braid.SimNet]
 * (or the default for every pair): latency and jitter, bandwidth,
 * partition, hold. See the class description of [class@Braid.SimNet] for
 * the order in which they apply and what each does to a stream.
 */

/**
 * braid_sim_link_set_latency:
 * @self: a link
 * @latency: seconds every segment takes, zero or more
 * @jitter: each segment takes up to this many seconds more or less, drawn
 *   uniformly from the net's seed; zero or more
 *
 * Sets the link's delay: each segment takes `latency ± jitter` (never
 * less than zero), and never overtakes the segment before it.
 */
void
braid_sim_link_set_latency (BraidSimLink *self, gdouble latency, gdouble jitter)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));
  g_return_if_fail (latency >= 0 && jitter >= 0);
  self->latency = latency;
  self->jitter = jitter;
}

/**
 * braid_sim_link_set_bandwidth:
 * @self: a link
 * @bytes_per_second: how many bytes the link sends per second; 0 for no
 *   limit (the default)
 *
 * Limits the link's bandwidth: a segment of N bytes occupies the link for
 * N / @bytes_per_second seconds, after the segments before it.
 */
void
braid_sim_link_set_bandwidth (BraidSimLink *self, gdouble bytes_per_second)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));
  g_return_if_fail (bytes_per_second >= 0);
  self->bandwidth = bytes_per_second;
}

/**
 * braid_sim_link_set_partitioned:
 * @self: a link
 * @partitioned: whether nothing crosses the link
 *
 * Cuts the link or heals it. While it is cut, stream segments stall (TCP
 * retransmits them: they are late, never lost), and a connection attempt
 * is lost. Healing sends what stalled, one latency later, in order.
 */
void
braid_sim_link_set_partitioned (BraidSimLink *self, gboolean partitioned)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));

  partitioned = partitioned != FALSE;
  if (self->partitioned == partitioned)
    return;
  self->partitioned = partitioned;
  if (partitioned)
    journal (self->net, "partition", self->from, self->to, 0, -1, -1, NULL);
  else if (!self->held)
    unblock (self, "heal");
  else
    journal (self->net, "heal", self->from, self->to, 0, -1, -1, NULL);
}

/**
 * braid_sim_link_get_partitioned:
 * @self: a link
 *
 * Tells whether the link is cut.
 *
 * Returns: %TRUE while the link is partitioned
 */
gboolean
braid_sim_link_get_partitioned (BraidSimLink *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_LINK (self), FALSE);
  return self->partitioned;
}

/**
 * braid_sim_link_hold:
 * @self: a link
 *
 * Keeps everything sent over the link in flight until
 * [method@Braid.SimLink.release]: a test decides exactly when the bytes
 * arrive (turmoil's hold and release).
 */
void
braid_sim_link_hold (BraidSimLink *self)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));

  if (self->held)
    return;
  self->held = TRUE;
  journal (self->net, "hold", self->from, self->to, 0, -1, -1, NULL);
}

/**
 * braid_sim_link_release:
 * @self: a link
 *
 * Lets what the link held go, in order, one latency from now.
 */
void
braid_sim_link_release (BraidSimLink *self)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));

  if (!self->held)
    return;
  self->held = FALSE;
  if (!self->partitioned)
    unblock (self, "release");
  else
    journal (self->net, "release", self->from, self->to, 0, -1, -1, NULL);
}

/**
 * braid_sim_link_get_held:
 * @self: a link
 *
 * Tells whether the link holds its traffic.
 *
 * Returns: %TRUE between [method@Braid.SimLink.hold] and
 *   [method@Braid.SimLink.release]
 */
gboolean
braid_sim_link_get_held (BraidSimLink *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_LINK (self), FALSE);
  return self->held;
}

/**
 * braid_sim_link_set_loss:
 * @self: a link
 * @probability: the chance, from 0 to 1, that a datagram is lost
 *
 * Makes the link lose datagrams (UDP), each independently with
 * @probability drawn from the net's seed. Streams are not affected: TCP
 * retransmits, so loss shows on a stream as latency.
 */
void
braid_sim_link_set_loss (BraidSimLink *self, gdouble probability)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));
  g_return_if_fail (probability >= 0 && probability <= 1);
  self->loss = probability;
}

/**
 * braid_sim_link_set_duplication:
 * @self: a link
 * @probability: the chance, from 0 to 1, that a datagram arrives twice
 *
 * Makes the link duplicate datagrams: a duplicated one is delivered a
 * second time, with a latency of its own.
 */
void
braid_sim_link_set_duplication (BraidSimLink *self, gdouble probability)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));
  g_return_if_fail (probability >= 0 && probability <= 1);
  self->duplication = probability;
}

/**
 * braid_sim_link_set_reordering:
 * @self: a link
 * @probability: the chance, from 0 to 1, that a datagram is held back
 * @delay: the most seconds a held-back datagram is late, zero or more
 *
 * Makes the link reorder datagrams: a datagram held back arrives up to
 * @delay seconds (drawn uniformly) after its latency, so datagrams sent
 * after it overtake it. Datagrams keep no order anyway when the link has
 * jitter.
 */
void
braid_sim_link_set_reordering (BraidSimLink *self, gdouble probability, gdouble delay)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));
  g_return_if_fail (probability >= 0 && probability <= 1);
  g_return_if_fail (delay >= 0);
  self->reordering = probability;
  self->reorder_delay = delay;
}

/**
 * braid_sim_link_set_corruption:
 * @self: a link
 * @probability: the chance, from 0 to 1, that a datagram is corrupted
 *
 * Makes the link corrupt datagrams: one bit of a corrupted datagram is
 * flipped (a checksum that failed to catch it). Streams are not affected.
 */
void
braid_sim_link_set_corruption (BraidSimLink *self, gdouble probability)
{
  g_return_if_fail (BRAID_IS_SIM_LINK (self));
  g_return_if_fail (probability >= 0 && probability <= 1);
  self->corruption = probability;
}

/* ---------------------------------------------------------------------- */
/* The net.                                                                */

static gdouble
braid_sim_net_seconds (BraidClock *clock)
{
  return ((BraidSimNet *) clock)->now;   /* hot: see the note at write */
}

static BraidTimerQueue *
braid_sim_net_get_timer_queue (BraidClock *clock)
{
  return ((BraidSimNet *) clock)->queue;
}

static void
braid_sim_net_clock_iface_init (BraidClockInterface *iface)
{
  iface->seconds = braid_sim_net_seconds;
  iface->get_timer_queue = braid_sim_net_get_timer_queue;
}

static void
braid_sim_net_dispose (GObject *object)
{
  BraidSimNet *self = BRAID_SIM_NET (object);

  if (self->flows != NULL)
    {
      g_autoptr (GPtrArray) flows = g_steal_pointer (&self->flows);

      /* Each end is forgotten before anything is freed: cancelling a
       * delivery drops the last reference to its end. */
      for (guint i = 0; i < flows->len; i++)
        detach (g_ptr_array_index (flows, i));
      self->flows = g_ptr_array_new ();
    }
  g_clear_pointer (&self->queue, braid_timer_queue_free);
  for (guint i = 0; i < self->n_slots; i++)
    if (self->slots[i].where != SLOT_FREE)
      {
        NetCall *call = slot_call (&self->slots[i]);

        /* Every end was detached above, so only calls are left. */
        events_remove (self, i);
        call->destroy (call->data);
        g_free (call);
      }
  g_ptr_array_set_size (self->graveyard, 0);
  g_ptr_array_set_size (self->dirty, 0);
  if (self->nodes != NULL)
    for (guint i = 0; i < self->nodes->len; i++)
      g_object_run_dispose (g_ptr_array_index (self->nodes, i));
  g_clear_pointer (&self->nodes, g_ptr_array_unref);
  g_clear_pointer (&self->flows, g_ptr_array_unref);
  g_clear_pointer (&self->links, g_hash_table_unref);
  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_object (&self->default_link);
  G_OBJECT_CLASS (braid_sim_net_parent_class)->dispose (object);
}

static void
braid_sim_net_finalize (GObject *object)
{
  BraidSimNet *self = BRAID_SIM_NET (object);

  g_rand_free (self->rand);
  g_string_free (self->journal, TRUE);
  g_array_unref (self->heads);
  g_free (self->winners);
  g_ptr_array_unref (self->dirty);
  g_ptr_array_unref (self->graveyard);
  g_free (self->slots);
  g_free (self->buckets);
  g_free (self->nonempty);
  g_free (self->overflow);
  while (self->spare != NULL)
    {
      Segment *segment = self->spare;

      self->spare = segment->next;
      g_free (segment);
    }
  G_OBJECT_CLASS (braid_sim_net_parent_class)->finalize (object);
}

static void
braid_sim_net_class_init (BraidSimNetClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = braid_sim_net_dispose;
  G_OBJECT_CLASS (klass)->finalize = braid_sim_net_finalize;
}

static void
braid_sim_net_init (BraidSimNet *self)
{
  self->queue = braid_timer_queue_new ();
  self->nodes = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->links = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_object_unref);
  self->flows = g_ptr_array_new_with_free_func (g_object_unref);
  self->journal = g_string_new (NULL);
  self->journal_enabled = TRUE;
  self->default_link = link_new (self, "*", "*", NULL);
  self->max_steps_at_one_time = BRAID_SIM_NET_MAX_STEPS_AT_ONE_TIME;
  self->heads = g_array_new (FALSE, FALSE, sizeof (gdouble));
  self->dirty = g_ptr_array_new ();
  self->graveyard = g_ptr_array_new_with_free_func (g_object_unref);
  self->free_slots = SLOT_NONE;
  self->first = SLOT_NONE;
  events_reset (self, EVENTS_MIN_BUCKETS, EVENTS_FIRST_WIDTH);
}

/**
 * braid_sim_net_new:
 * @seed: drives every random choice of the simulation
 *
 * Creates an empty net at virtual time 0. Two nets made with the same
 * seed, given the same nodes and the same code, run identically and write
 * byte-identical journals.
 *
 * Returns: (transfer full): the net
 */
BraidSimNet *
braid_sim_net_new (guint32 seed)
{
  BraidSimNet *self = g_object_new (BRAID_TYPE_SIM_NET, NULL);

  self->seed = seed;
  self->rand = g_rand_new_with_seed (seed);
  /* Never zero, which xorshift would keep for ever. */
  self->jitter_state = ((guint64) g_rand_int (self->rand) << 32 | g_rand_int (self->rand)) | 1;
  return self;
}

/**
 * braid_sim_net_get_seed:
 * @self: a net
 *
 * Gets the seed the net was made with, to print with a failure.
 *
 * Returns: the seed
 */
guint32
braid_sim_net_get_seed (BraidSimNet *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NET (self), 0);
  return self->seed;
}

/**
 * braid_sim_net_add_node:
 * @self: a net
 * @name: the node's name, unique on the net
 * @address: the node's IPv4 or IPv6 address, unique on the net
 *
 * Adds a node: a reactor (cast it with `BRAID_REACTOR`) and a clock on the
 * net's virtual time, up and not yet running. Other nodes reach it by
 * @address or by @name.
 *
 * Returns: (transfer none): the node, owned by the net
 */
BraidSimNode *
braid_sim_net_add_node (BraidSimNet *self, const char *name, const char *address)
{
  BraidSimNode *node;

  g_return_val_if_fail (BRAID_IS_SIM_NET (self), NULL);
  g_return_val_if_fail (name != NULL && address != NULL, NULL);
  g_return_val_if_fail (g_hostname_is_ip_address (address), NULL);
  g_return_val_if_fail (self->nodes->len < G_MAXUINT16, NULL);

  if (g_hash_table_contains (self->by_name, name)
      || g_hash_table_contains (self->by_name, address))
    {
      g_critical ("braid_sim_net_add_node: a node is already called or has the address "
                  "%s or %s", name, address);
      return NULL;
    }
  node = g_object_new (BRAID_TYPE_SIM_NODE, NULL);
  node->net = self;
  node->index = self->nodes->len;
  node->name = g_intern_string (name);
  node->address = g_strdup (address);
  g_ptr_array_add (self->nodes, node);
  heads_add (self);
  g_hash_table_insert (self->by_name, (gpointer) node->name, node);
  g_hash_table_insert (self->by_name, node->address, node);
  journal (self, "node", name, NULL, 0, -1, -1, address);
  return node;
}

/**
 * braid_sim_net_get_node:
 * @self: a net
 * @name: a node's name or address
 *
 * Finds a node.
 *
 * Returns: (transfer none) (nullable): the node, or %NULL if none is
 *   called so or has that address
 */
BraidSimNode *
braid_sim_net_get_node (BraidSimNet *self, const char *name)
{
  g_return_val_if_fail (BRAID_IS_SIM_NET (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  return g_hash_table_lookup (self->by_name, name);
}

/**
 * braid_sim_net_get_default_link:
 * @self: a net
 *
 * Gets the link every pair of nodes starts from: a pair's own link is a
 * copy of it, made the first time the pair is used or its link asked for.
 * With no rule set, links deliver at once (zero latency).
 *
 * Returns: (transfer none): the default link
 */
BraidSimLink *
braid_sim_net_get_default_link (BraidSimNet *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NET (self), NULL);
  return self->default_link;
}

/**
 * braid_sim_net_get_link:
 * @self: a net
 * @from: the sending node's name or address
 * @to: the receiving node's name or address
 *
 * Gets the link one way between two nodes (from @to back to @from is
 * another link).
 *
 * Returns: (transfer none) (nullable): the link, or %NULL if a node is
 *   unknown
 */
BraidSimLink *
braid_sim_net_get_link (BraidSimNet *self, const char *from, const char *to)
{
  BraidSimNode *a, *b;

  g_return_val_if_fail (BRAID_IS_SIM_NET (self), NULL);
  a = braid_sim_net_get_node (self, from);
  b = braid_sim_net_get_node (self, to);
  if (a == NULL || b == NULL)
    {
      g_critical ("braid_sim_net_get_link: no node is called %s", a == NULL ? from : to);
      return NULL;
    }
  return link_between (self, a, b);
}

/**
 * braid_sim_net_partition:
 * @self: a net
 * @a: a node's name or address
 * @b: another node's name or address
 * @both_ways: cut (or heal) @b to @a as well as @a to @b
 * @partitioned: %TRUE to cut, %FALSE to heal
 *
 * Cuts or heals the link from @a to @b, and back if @both_ways: see
 * [method@Braid.SimLink.set_partitioned].
 */
void
braid_sim_net_partition (BraidSimNet *self, const char *a, const char *b,
                         gboolean both_ways, gboolean partitioned)
{
  BraidSimLink *link;

  g_return_if_fail (BRAID_IS_SIM_NET (self));
  link = braid_sim_net_get_link (self, a, b);
  if (link == NULL)
    return;
  braid_sim_link_set_partitioned (link, partitioned);
  if (both_ways)
    braid_sim_link_set_partitioned (braid_sim_net_get_link (self, b, a), partitioned);
}

typedef struct {
  BraidSimNet *net;
  char *a;
  char *b;
  gboolean both_ways;
  gboolean partitioned;
} PartitionChange;

static void
partition_change_free (gpointer data)
{
  PartitionChange *change = data;

  g_free (change->a);
  g_free (change->b);
  g_free (change);
}

static void
partition_change_run (gpointer data)
{
  PartitionChange *change = data;

  braid_sim_net_partition (change->net, change->a, change->b, change->both_ways,
                           change->partitioned);
}

static void
schedule_change (BraidSimNet *self, const char *a, const char *b, gboolean both_ways,
                 gboolean partitioned, gdouble at)
{
  PartitionChange *change = g_new0 (PartitionChange, 1);

  change->net = self;
  change->a = g_strdup (a);
  change->b = g_strdup (b);
  change->both_ways = both_ways;
  change->partitioned = partitioned;
  net_call (self, at, partition_change_run, change, partition_change_free);
}

/**
 * braid_sim_net_schedule_partition:
 * @self: a net
 * @a: a node's name or address
 * @b: another node's name or address
 * @both_ways: cut @b to @a as well
 * @start: when the partition starts, in seconds of virtual time from now
 * @duration: how long it lasts, in seconds; negative for ever
 *
 * Cuts the link from @a to @b (and back if @both_ways) at a chosen time,
 * and heals it @duration seconds later.
 */
void
braid_sim_net_schedule_partition (BraidSimNet *self, const char *a, const char *b,
                                  gboolean both_ways, gdouble start, gdouble duration)
{
  g_return_if_fail (BRAID_IS_SIM_NET (self));
  g_return_if_fail (start >= 0);
  g_return_if_fail (braid_sim_net_get_node (self, a) != NULL
                    && braid_sim_net_get_node (self, b) != NULL);

  schedule_change (self, a, b, both_ways, TRUE, self->now + start);
  if (duration >= 0)
    schedule_change (self, a, b, both_ways, FALSE, self->now + start + duration);
}

/**
 * braid_sim_net_random_double:
 * @self: a net
 *
 * Draws a number from the net's seeded generator, for a scenario's own
 * random choices (which node to crash, when): use it rather than
 * `g_random_*` so the seed replays the whole scenario.
 *
 * Returns: a number in [0, 1)
 */
gdouble
braid_sim_net_random_double (BraidSimNet *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NET (self), 0);
  return g_rand_double (self->rand);
}

/* The nodes' cached earliest times form a tournament tree: winners[1] is
 * the index of the earliest node, winners[k] the earliest of the nodes below
 * k (children 2k and 2k + 1), and winners[leaves + i] is node i itself
 * (G_MAXUINT past the last node). A tie goes to the left child, the node
 * added first, as a scan of the nodes in order would pick it. Finding the
 * earliest node costs nothing and updating one node's time a walk up the
 * tree, instead of a scan of every node for every event. */
static guint
heads_winner (BraidSimNet *self, guint a, guint b)
{
  const gdouble *heads = (const gdouble *) (gpointer) self->heads->data;

  /* Nodes fill the leaves from the left: when @a is past the last node,
   * so is @b, and either will do. */
  if (b == G_MAXUINT)
    return a;
  return heads[b] < heads[a] ? b : a;
}

static void
heads_set (BraidSimNet *self, guint index, gdouble time)
{
  g_array_index (self->heads, gdouble, index) = time;
  for (guint k = (self->leaves + index) / 2; k >= 1; k /= 2)
    self->winners[k] = heads_winner (self, self->winners[2 * k], self->winners[2 * k + 1]);
}

/* A node was added: its time is "never" until it has a timer. */
static void
heads_add (BraidSimNet *self)
{
  gdouble none = G_MAXDOUBLE;
  guint index = self->heads->len;

  g_array_append_val (self->heads, none);
  if (index >= self->leaves)
    {
      self->leaves = MAX (1, 2 * self->leaves);
      g_free (self->winners);
      self->winners = g_new (guint, 2 * self->leaves);
      for (guint i = 0; i < self->leaves; i++)
        self->winners[self->leaves + i] = i < self->heads->len ? i : G_MAXUINT;
      for (guint k = self->leaves - 1; k >= 1; k--)
        self->winners[k] = heads_winner (self, self->winners[2 * k], self->winners[2 * k + 1]);
      return;
    }
  self->winners[self->leaves + index] = index;
  heads_set (self, index, none);
}

/* The queue whose next call is the earliest: the network's first, then the
 * nodes' in the order they were added. */
static gdouble
queue_head (BraidTimerQueue *queue)
{
  gdouble t;

  return braid_timer_queue_peek_time (queue, &t) ? t : G_MAXDOUBLE;
}

/* Where the next event comes from. */
typedef enum {
  SOURCE_NONE,
  SOURCE_NETWORK,     /* net->events */
  SOURCE_NET_CLOCK,   /* a call scheduled on the net's own clock */
  SOURCE_NODE,
} Source;

/* The source whose next event is the earliest: the network's first, then
 * calls on the net's own clock, then the nodes' in the order they were
 * added. The nodes' earliest times are cached (see mark_dirty) in a
 * tournament tree (see heads_set): the earliest node is read at its root,
 * then the winner's time is checked against its queue. */
static Source
next_source (BraidSimNet *self, gdouble *when, BraidSimNode **node)
{
  gdouble *heads = (gdouble *) (gpointer) self->heads->data;
  gdouble clock_head = queue_head (self->queue);
  guint first = events_first (self);
  gdouble net_head = first != SLOT_NONE ? self->slots[first].time : G_MAXDOUBLE;
  Source net_source = SOURCE_NETWORK;

  if (clock_head < net_head)
    {
      net_head = clock_head;
      net_source = SOURCE_NET_CLOCK;
    }
  for (;;)
    {
      gdouble best = G_MAXDOUBLE;
      guint best_index;
      BraidSimNode *candidate;
      gdouble actual;

      if (self->dirty->len > 0)
        {
          for (guint i = 0; i < self->dirty->len; i++)
            {
              BraidSimNode *stale = g_ptr_array_index (self->dirty, i);

              stale->dirty = FALSE;
              heads_set (self, stale->index, queue_head (stale->queue));
            }
          g_ptr_array_set_size (self->dirty, 0);
        }
      best_index = self->leaves > 0 ? self->winners[1] : G_MAXUINT;
      if (best_index != G_MAXUINT)
        best = heads[best_index];
      if (best_index == G_MAXUINT || net_head <= best)
        {
          *node = NULL;
          *when = net_head;
          return net_head < G_MAXDOUBLE ? net_source : SOURCE_NONE;
        }
      candidate = g_ptr_array_index (self->nodes, best_index);
      actual = queue_head (candidate->queue);
      if (actual == best)
        {
          *node = candidate;
          *when = best;
          return SOURCE_NODE;
        }
      heads_set (self, best_index, actual);   /* a call was cancelled: look again */
    }
}

/* Runs the network's earliest event. */
static void
run_network_event (BraidSimNet *self)
{
  guint first = events_first (self);
  BraidSimTransport *end = slot_end (&self->slots[first]);
  NetCall *call = slot_call (&self->slots[first]);

  if (end != NULL && !end->slot_kept)
    {
      /* The slot stays first while the delivery runs, for
       * schedule_delivery to reuse; it is taken out if nothing did. */
      end->scheduled = FALSE;
      end->slot_kept = TRUE;
      deliver (end);
      if (end->slot_kept)
        {
          end->slot_kept = FALSE;
          events_remove (self, end->event_index);
        }
    }
  else
    {
      events_remove (self, first);
      if (end != NULL)
        {
          /* A step run from inside a delivery met that delivery's own
           * kept slot, still first: it is spent. */
          end->slot_kept = FALSE;
        }
      else
        {
          call->func (call->data);
          call->destroy (call->data);
          g_free (call);
        }
    }
  if (++self->n_popped == EVENTS_ADAPT_PERIOD)
    events_adapt (self);
}

static void
run_one (BraidSimNet *self, Source source, gdouble when, BraidSimNode *node)
{
  gboolean outer = self->in_event;

  self->now = MAX (self->now, when);
  self->events++;
  self->in_event = TRUE;
  if (source == SOURCE_NETWORK)
    run_network_event (self);
  else
    {
      BraidDelayedCall *call =
        braid_timer_queue_pop_due (node != NULL ? node->queue : self->queue, self->now,
                                   G_MAXUINT64);

      if (node != NULL)
        {
          mark_dirty (node);
          journal (self, "timer", node->name, NULL, 0, -1,
                   braid_delayed_call_get_scheduled_at (call),
                   braid_delayed_call_get_creator (call));
        }
      braid_delayed_call_run (call);
      braid_delayed_call_unref (call);
    }
  self->in_event = outer;
  if (!outer && self->graveyard->len > 0)
    g_ptr_array_set_size (self->graveyard, 0);
}

/**
 * braid_sim_net_step:
 * @self: a net
 *
 * Runs the next event, whichever node or link it belongs to, moving
 * virtual time to it (auto-advance: time jumps over the silence).
 *
 * Returns: %TRUE if an event ran, %FALSE if nothing is pending anywhere
 */
gboolean
braid_sim_net_step (BraidSimNet *self)
{
  Source source;
  BraidSimNode *node;
  gdouble when;

  g_return_val_if_fail (BRAID_IS_SIM_NET (self), FALSE);
  source = next_source (self, &when, &node);
  if (source == SOURCE_NONE)
    return FALSE;
  run_one (self, source, when, node);
  return TRUE;
}

/**
 * braid_sim_net_run_for:
 * @self: a net
 * @seconds: how much virtual time to run, zero or more
 *
 * Runs every event due within @seconds of now, in order, then leaves the
 * clock @seconds later. Code that keeps re-arming zero-delay calls is
 * stopped after %BRAID_SIM_NET_MAX_STEPS_AT_ONE_TIME events at one time,
 * with a critical.
 */
void
braid_sim_net_run_for (BraidSimNet *self, gdouble seconds)
{
  gdouble target, when, last = -1;
  guint64 same = 0;
  Source source;
  BraidSimNode *node;

  g_return_if_fail (BRAID_IS_SIM_NET (self));
  g_return_if_fail (seconds >= 0);

  target = self->now + seconds;
  while ((source = next_source (self, &when, &node)) != SOURCE_NONE && when <= target)
    {
      same = when == last ? same + 1 : 0;
      last = when;
      if (same >= self->max_steps_at_one_time)
        {
          g_critical ("braid_sim_net_run_for: %" G_GUINT64_FORMAT " events ran at %g s "
                      "without time moving", self->max_steps_at_one_time, when);
          return;
        }
      run_one (self, source, when, node);
    }
  self->now = MAX (self->now, target);
}

/**
 * braid_sim_net_run_until:
 * @self: a net
 * @predicate: (scope call): the goal, checked before each event
 * @user_data: data for @predicate
 * @budget: the most virtual seconds the run may take
 * @error: return location for the reason the goal was not reached
 *
 * Runs events until @predicate holds. Never hangs: when nothing is left
 * to happen and the predicate is still false, when the next event is
 * beyond the budget (time then stops at the budget), or when
 * %BRAID_SIM_NET_MAX_STEPS_AT_ONE_TIME events run without time moving,
 * the run fails with a %BRAID_ERROR_FAILED error whose message says why,
 * then gives the table of what is pending on each node
 * ([method@Braid.SimNet.describe_pending]).
 *
 * Returns: %TRUE once @predicate holds, %FALSE with @error set otherwise
 */
gboolean
braid_sim_net_run_until (BraidSimNet *self, BraidSimPredicate predicate, gpointer user_data,
                         gdouble budget, GError **error)
{
  gdouble deadline, when, last = -1;
  guint64 same = 0;
  Source source;
  BraidSimNode *node;
  g_autofree char *why = NULL;
  g_autofree char *table = NULL;

  g_return_val_if_fail (BRAID_IS_SIM_NET (self), FALSE);
  g_return_val_if_fail (predicate != NULL, FALSE);
  g_return_val_if_fail (budget >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  deadline = self->now + budget;
  for (;;)
    {
      if (predicate (user_data))
        return TRUE;
      source = next_source (self, &when, &node);
      if (source == SOURCE_NONE)
        {
          why = g_strdup_printf ("nothing is left to happen at %.6f s and the goal is "
                                 "not reached", self->now);
          break;
        }
      if (when > deadline)
        {
          self->now = MAX (self->now, deadline);
          why = g_strdup_printf ("the virtual time budget of %g s ran out at %.6f s and the "
                                 "goal is not reached", budget, self->now);
          break;
        }
      same = when == last ? same + 1 : 0;
      last = when;
      if (same >= self->max_steps_at_one_time)
        {
          why = g_strdup_printf ("%" G_GUINT64_FORMAT " events ran at %.6f s without time "
                                 "moving (a call that re-arms itself with no delay?)",
                                 self->max_steps_at_one_time, when);
          break;
        }
      run_one (self, source, when, node);
    }
  table = braid_sim_net_describe_pending (self);
  g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED, "Simulation (seed %u): %s\n%s",
               self->seed, why, table);
  return FALSE;
}

/**
 * braid_sim_net_set_max_steps_at_one_time:
 * @self: a net
 * @max_steps: how many events may run without virtual time moving before
 *   a run fails; at least 1 (%BRAID_SIM_NET_MAX_STEPS_AT_ONE_TIME unless set)
 *
 * Sets the guard against code that re-arms zero-delay calls for ever.
 */
void
braid_sim_net_set_max_steps_at_one_time (BraidSimNet *self, guint64 max_steps)
{
  g_return_if_fail (BRAID_IS_SIM_NET (self));
  g_return_if_fail (max_steps >= 1);
  self->max_steps_at_one_time = max_steps;
}

/**
 * braid_sim_net_get_event_count:
 * @self: a net
 *
 * Counts the events run so far (timers and network events), for
 * benchmarks.
 *
 * Returns: how many events ran
 */
guint64
braid_sim_net_get_event_count (BraidSimNet *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NET (self), 0);
  return self->events;
}

static const char *
end_state (BraidSimTransport *end)
{
  if (end->closed)
    return "closed";
  if (end->protocol == NULL)
    return "connecting";
  if (end->disconnecting)
    return "closing";
  if (end->write_closed)
    return "half-closed";
  return "open";
}

/**
 * braid_sim_net_describe_pending:
 * @self: a net
 *
 * Writes a table of what is pending on each node: whether it is up, its
 * listening ports, each connection (its peer, state and the bytes it has
 * in flight, and whether they are stalled), and each timer (when it is
 * due and where it was scheduled); then the network events in flight.
 * [method@Braid.SimNet.run_until] puts it in its error.
 *
 * Returns: (transfer full): the table, one line per item
 */
char *
braid_sim_net_describe_pending (BraidSimNet *self)
{
  GString *out;

  g_return_val_if_fail (BRAID_IS_SIM_NET (self), NULL);
  out = g_string_new (NULL);
  g_string_append_printf (out, "pending at %.6f s (seed %u):\n", self->now, self->seed);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      BraidSimNode *node = g_ptr_array_index (self->nodes, i);
      g_autoptr (GPtrArray) calls = braid_timer_queue_list (node->queue);

      g_string_append_printf (out, "  node %s (%s): %s, %u port(s), %u connection(s), "
                              "%u timer(s)\n", node->name, node->address,
                              node->up ? "up" : "down", node->ports->len,
                              node->transports->len, calls->len);
      for (guint j = 0; j < node->ports->len; j++)
        g_string_append_printf (out, "    listening on port %u\n",
                                BRAID_SIM_PORT (g_ptr_array_index (node->ports, j))->port);
      for (guint j = 0; j < self->flows->len; j++)
        {
          BraidSimTransport *end = g_ptr_array_index (self->flows, j);

          if (end->node != node)
            continue;
          g_string_append_printf (out, "    conn %u to %s: %s, %" G_GSIZE_FORMAT
                                  " byte(s) in %u segment(s) in flight%s\n",
                                  end->conn, end->peer != NULL ? end->peer->node->name : "-",
                                  end_state (end), end->out_bytes, end->out.length,
                                  end->stalled ? " (stalled on the link)"
                                  : end->waiting_reader ? " (the peer paused reading)" : "");
        }
      for (guint j = 0; j < calls->len; j++)
        {
          BraidDelayedCall *call = g_ptr_array_index (calls, j);

          g_string_append_printf (out, "    timer due at %.6f s, scheduled at %s\n",
                                  braid_delayed_call_get_time (call),
                                  braid_delayed_call_get_creator (call));
        }
    }
  g_string_append_printf (out, "  network: %u event(s) in flight\n",
                          self->n_events + braid_timer_queue_get_length (self->queue));
  return g_string_free (out, FALSE);
}

/**
 * braid_sim_net_set_journal_enabled:
 * @self: a net
 * @enabled: whether to write the journal (it is, by default)
 *
 * Turns the journal on or off: a long benchmark run need not keep it.
 */
void
braid_sim_net_set_journal_enabled (BraidSimNet *self, gboolean enabled)
{
  g_return_if_fail (BRAID_IS_SIM_NET (self));
  self->journal_enabled = enabled != FALSE;
}

/**
 * braid_sim_net_get_journal:
 * @self: a net
 *
 * Gets the journal so far: one JSON object per line, per event (see the
 * class description).
 *
 * Returns: (transfer none): the journal, valid until the next event
 */
const char *
braid_sim_net_get_journal (BraidSimNet *self)
{
  g_return_val_if_fail (BRAID_IS_SIM_NET (self), NULL);
  return self->journal->str;
}

/**
 * braid_sim_net_write_journal:
 * @self: a net
 * @path: the file to write (replaced)
 * @error: return location for an I/O error
 *
 * Writes the journal so far to @path, for `tools/braid-sim-view`.
 *
 * Returns: %TRUE on success
 */
gboolean
braid_sim_net_write_journal (BraidSimNet *self, const char *path, GError **error)
{
  g_return_val_if_fail (BRAID_IS_SIM_NET (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  return g_file_set_contents (path, self->journal->str, (gssize) self->journal->len, error);
}

/**
 * braid_sim_net_note:
 * @self: a net
 * @node: the node the note is about (a name, need not be a node)
 * @text: what to write
 *
 * Writes a `note` event in the journal: a scenario marks its own steps
 * ("client 2 sent message 7"), and the viewer shows them.
 */
void
braid_sim_net_note (BraidSimNet *self, const char *node, const char *text)
{
  g_return_if_fail (BRAID_IS_SIM_NET (self));
  g_return_if_fail (node != NULL && text != NULL);
  journal (self, "note", node, NULL, 0, -1, -1, text);
}
