/* lossy-chat.h: lesson 14, lesson 10's chat made to survive a lossy
 * network: numbered messages, acknowledgements, a server that drops
 * duplicates, and a client that reconnects and resends (the exercise). */
#pragma once

#include <braid.h>
#include <braid-fakes.h>

G_BEGIN_DECLS

/* The port the server listens on, on its node. */
#define LOSSY_CHAT_PORT 8014
/* The longest line either side accepts, in bytes. */
#define LOSSY_CHAT_MAX_LINE_LENGTH 1024
/* A client that waits this long for an ACK presumes its connection dead
 * and aborts it: TCP never says that a peer went silent. */
#define LOSSY_CHAT_ACK_TIMEOUT 2.0
/* How long a client's connection attempt may take before it fails. */
#define LOSSY_CHAT_CONNECT_TIMEOUT 1.0
/* The backoff: the first retry after this many seconds, each next one
 * twice as late, never later than LOSSY_CHAT_MAX_DELAY. */
#define LOSSY_CHAT_INITIAL_DELAY 0.1
#define LOSSY_CHAT_MAX_DELAY 4.0

/* The server: the room and the transcript (what reached the room, in
 * order), and per name the last message number it took. */
#define LOSSY_TYPE_SERVER (lossy_server_get_type ())
G_DECLARE_FINAL_TYPE (LossyServer, lossy_server, LOSSY, SERVER, BraidFactory)

#define LOSSY_TYPE_SERVER_PROTOCOL (lossy_server_protocol_get_type ())
G_DECLARE_FINAL_TYPE (LossyServerProtocol, lossy_server_protocol, LOSSY, SERVER_PROTOCOL,
                      BraidLineReceiver)

/* The client: a name, the messages not yet acknowledged (the outbox),
 * and the connector it reconnects with. */
#define LOSSY_TYPE_CLIENT (lossy_client_get_type ())
G_DECLARE_FINAL_TYPE (LossyClient, lossy_client, LOSSY, CLIENT, BraidClientFactory)

#define LOSSY_TYPE_CLIENT_PROTOCOL (lossy_client_protocol_get_type ())
G_DECLARE_FINAL_TYPE (LossyClientProtocol, lossy_client_protocol, LOSSY, CLIENT_PROTOCOL,
                      BraidLineReceiver)

LossyServer *lossy_server_new            (void);
GPtrArray   *lossy_server_get_transcript (LossyServer  *self);
guint64      lossy_server_get_last       (LossyServer  *self,
                                          const char   *name);

LossyClient *lossy_client_new            (BraidClock   *clock,
                                          const char   *name);
const char  *lossy_client_get_name       (LossyClient  *self);
BraidClock  *lossy_client_get_clock      (LossyClient  *self);
void         lossy_client_say            (LossyClient  *self,
                                          const char   *text);
guint        lossy_client_get_unacked    (LossyClient  *self);
guint64      lossy_client_get_said       (LossyClient  *self);
guint        lossy_client_get_attempts   (LossyClient  *self);
guint        lossy_client_get_connections (LossyClient *self);
void         lossy_client_send_from      (LossyClient  *self,
                                          guint64       server_has);
void         lossy_client_stop           (LossyClient  *self);

/* The exercise (exercise/reconnect.c). */
gdouble      lossy_client_backoff        (guint         attempts);
void         lossy_client_reconnect_later (LossyClient    *self,
                                           BraidConnector *connector);
void         lossy_client_welcomed       (LossyClient  *self,
                                          guint64       server_has);

/* One run of the chat on a SimNet: a server and three clients (alice,
 * bob, carol), each saying `messages` lines; with `random_faults`,
 * partitions drawn from the seed; else the lesson's demo: latency, then
 * carol cut off for three seconds. */
typedef struct
{
  guint32 seed;
  guint16 port;            /* the server's port on its node; 0: LOSSY_CHAT_PORT */
  guint messages;
  gboolean random_faults;
  const char *journal;     /* nullable: where to write the journal */
  GString *transcript;     /* nullable: receives the room's transcript */
  gdouble finished_at;     /* out: virtual seconds the run took */
} LossyChatRun;

gboolean     lossy_chat_run              (LossyChatRun *run,
                                          GError      **error);

G_END_DECLS
