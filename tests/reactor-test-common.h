/* reactor-test-common.h: what the real-reactor tests share.
 *
 * Every test gets its own GMainContext and BraidGLibReactor (TestEnv), a
 * protocol that records what happens to it (RecProtocol, and
 * HalfRecProtocol which supports half-close), and a client factory that
 * builds them and records its own events (RecFactory). WAIT_FOR iterates
 * the context until a condition holds, failing the test if it does not
 * within a few seconds. */
#pragma once

#include <braid-fakes.h>

#define WAIT_SECONDS 5.0

typedef struct
{
  GMainContext *context;
  BraidReactor *reactor;
  GSource *tick;       /* wakes the loop now and then so WAIT_FOR sees its deadline */
} TestEnv;

void test_env_init  (TestEnv *env);
void test_env_clear (TestEnv *env);
void test_env_iterate_for (TestEnv *env, gdouble seconds);

/* Iterates @env's context until @condition holds; fails after WAIT_SECONDS. */
#define WAIT_FOR(env, condition)                                              \
  G_STMT_START {                                                              \
    gint64 wait_deadline_ = g_get_monotonic_time ()                           \
                            + (gint64) (WAIT_SECONDS * G_USEC_PER_SEC);       \
    while (!(condition))                                                      \
      {                                                                       \
        if (g_get_monotonic_time () > wait_deadline_)                         \
          g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,   \
                               "timed out waiting for: " #condition);         \
        g_main_context_iteration ((env)->context, TRUE);                      \
      }                                                                       \
  } G_STMT_END

/* What a RecProtocol does, besides recording. */
typedef enum {
  REC_ECHO            = 1 << 0,  /* write back what arrives */
  REC_ABORT_ON_DATA   = 1 << 1,  /* abort, then misbehave (write, lose) */
  REC_SELF_PRODUCER   = 1 << 2,  /* register the transport as its own producer */
  REC_PAUSE_ON_MADE   = 1 << 3,  /* pause reading at once */
  REC_LOSE_ON_MADE    = 1 << 4,  /* write the greeting, then lose_connection */
  REC_BYE_ON_HALF     = 1 << 5,  /* on read_connection_lost: write "bye", lose */
  REC_NESTED_LOOP     = 1 << 6,  /* first data: poke the peer, iterate the context */
} RecFlags;

#define REC_TYPE_PROTOCOL (rec_protocol_get_type ())
G_DECLARE_DERIVABLE_TYPE (RecProtocol, rec_protocol, REC, PROTOCOL, BraidProtocol)
struct _RecProtocolClass { BraidProtocolClass parent_class; };

#define HALF_REC_TYPE_PROTOCOL (half_rec_protocol_get_type ())
G_DECLARE_FINAL_TYPE (HalfRecProtocol, half_rec_protocol, HALF_REC, PROTOCOL, RecProtocol)

typedef struct
{
  RecFlags flags;
  GString *received;
  guint made;
  guint lost_count;
  GError *lost;            /* the reason connection_lost got */
  gboolean read_lost;
  GBytes *greeting;        /* written in connection_made, if set */
  int poke_fd;             /* REC_NESTED_LOOP: written to before the nested loop */
  guint depth, max_depth;  /* data_received nesting */
  guint nested_timeouts;   /* GLib timeouts that fired in the nested loop */
} RecState;

RecState *rec_protocol_get_state (RecProtocol *self);

#define REC_TYPE_FACTORY (rec_factory_get_type ())
G_DECLARE_FINAL_TYPE (RecFactory, rec_factory, REC, FACTORY, BraidClientFactory)

struct _RecFactory
{
  BraidClientFactory parent_instance;

  GType protocol_type;
  RecFlags flags;
  GBytes *greeting;
  gboolean refuse;           /* build_protocol returns NULL */
  GPtrArray *protocols;      /* every protocol built, one ref each */
  guint started;             /* started_connecting */
  GError *failed;            /* client_connection_failed */
  guint failed_count;
  GError *client_lost;       /* client_connection_lost */
  BraidReactor *callback_reactor;  /* braid_connector_get_reactor () in the last callback */
  gboolean reconnect_on_failure;
};

RecFactory *rec_factory_new (GType protocol_type, RecFlags flags);
RecState   *rec_factory_state (RecFactory *factory, guint index);

guint16 listen_local (TestEnv *env, BraidFactory *factory);

/* Raw sockets on 127.0.0.1, outside the reactor, for peers that must
 * misbehave in ways a Braid protocol would not. All blocking. */
int raw_try_connect (guint16 port);   /* the socket, or -1 if refused */
int raw_connect     (guint16 port);   /* fails the test if refused */
int raw_listen      (guint16 *port);  /* listens on a free port; sets @port */
