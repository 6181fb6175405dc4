/* lossy-chat.c: lesson 14, a chat that survives a lossy network. */
#include <stdlib.h>
#include <string.h>

#include "lossy-chat.h"

/* ---- The server ---------------------------------------------------- */

/**
 * LossyServer:
 *
 * Lesson 10's room, with a memory: a client says `HELLO NAME` and hears
 * `WELCOME N`, N being the number of the last message the room took from
 * NAME (0 for none). Each message is `MSG SEQ TEXT`: the next number goes
 * to the room (the others hear `<NAME> TEXT`) and is acknowledged
 * (`ACK SEQ`); a number already taken is a resend, acknowledged again and
 * dropped; a number beyond the next is a gap, and the connection is
 * closed. The memory is per name, not per connection: that is what makes
 * a resend after a reconnect harmless.
 */
struct _LossyServer
{
  BraidFactory parent_instance;
  GHashTable *users;      /* name -> LossyServerProtocol*, borrowed */
  GHashTable *last;       /* name -> guint64* : the last number taken */
  GPtrArray *transcript;  /* "NAME: TEXT", in the order the room took them */
};

G_DEFINE_FINAL_TYPE (LossyServer, lossy_server, BRAID_TYPE_FACTORY)

struct _LossyServerProtocol
{
  BraidLineReceiver parent_instance;
  char *name;             /* set by HELLO */
};

G_DEFINE_FINAL_TYPE (LossyServerProtocol, lossy_server_protocol, BRAID_TYPE_LINE_RECEIVER)

static void
lossy_server_finalize (GObject *object)
{
  LossyServer *self = LOSSY_SERVER (object);

  g_hash_table_unref (self->users);
  g_hash_table_unref (self->last);
  g_ptr_array_unref (self->transcript);
  G_OBJECT_CLASS (lossy_server_parent_class)->finalize (object);
}

static void
lossy_server_class_init (LossyServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lossy_server_finalize;
}

static void
lossy_server_init (LossyServer *self)
{
  self->users = g_hash_table_new (g_str_hash, g_str_equal);
  self->last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->transcript = g_ptr_array_new_with_free_func (g_free);
}

/**
 * lossy_server_new:
 *
 * Returns: (transfer full): a server with an empty room and no memory
 */
LossyServer *
lossy_server_new (void)
{
  return g_object_new (LOSSY_TYPE_SERVER, "protocol-type", LOSSY_TYPE_SERVER_PROTOCOL, NULL);
}

/**
 * lossy_server_get_transcript:
 * @self: a server
 *
 * Returns: (transfer none) (element-type utf8): every message the room
 *   took, as "NAME: TEXT", in order
 */
GPtrArray *
lossy_server_get_transcript (LossyServer *self)
{
  g_return_val_if_fail (LOSSY_IS_SERVER (self), NULL);
  return self->transcript;
}

/**
 * lossy_server_get_last:
 * @self: a server
 * @name: a user's name
 *
 * Returns: the number of the last message the room took from @name; 0 for none
 */
guint64
lossy_server_get_last (LossyServer *self, const char *name)
{
  guint64 *last;

  g_return_val_if_fail (LOSSY_IS_SERVER (self), 0);
  last = g_hash_table_lookup (self->last, name);
  return last != NULL ? *last : 0;
}

static LossyServer *
server_of (LossyServerProtocol *self)
{
  return LOSSY_SERVER (braid_protocol_get_factory (BRAID_PROTOCOL (self)));
}

static void
server_send (LossyServerProtocol *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
server_send (LossyServerProtocol *self, const char *format, ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (self), line);
}

/* Says why, then hangs up: the reactor and the others carry on. */
static void
server_refuse (LossyServerProtocol *self, const char *reason)
{
  g_message ("lossy-chat: closing a connection: %s", reason);
  server_send (self, "ERROR %s", reason);
  braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (self)));
}

static gboolean
valid_name (const char *name)
{
  if (name[0] == '\0' || g_utf8_strlen (name, -1) > 20)
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)) || g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

static void
handle_hello (LossyServerProtocol *self, const char *name)
{
  LossyServer *server = server_of (self);
  LossyServerProtocol *old;

  if (self->name != NULL)
    {
      server_refuse (self, "HELLO twice");
      return;
    }
  if (!valid_name (name))
    {
      server_refuse (self, "a name is 1 to 20 characters, no spaces");
      return;
    }
  /* The same name again: its client gave its old connection up for dead
   * (it only reconnects then); the old one is a ghost, stalled somewhere.
   * A real server would check a password first. */
  old = g_hash_table_lookup (server->users, name);
  if (old != NULL)
    {
      g_hash_table_remove (server->users, name);
      braid_transport_abort_connection (braid_protocol_get_transport (BRAID_PROTOCOL (old)));
    }
  self->name = g_strdup (name);
  g_hash_table_insert (server->users, self->name, self);
  server_send (self, "WELCOME %" G_GUINT64_FORMAT, lossy_server_get_last (server, name));
}

static void
handle_msg (LossyServerProtocol *self, const char *arguments)
{
  LossyServer *server = server_of (self);
  const char *space = strchr (arguments, ' ');
  g_autofree char *number = NULL;
  guint64 seq;
  guint64 last;
  GHashTableIter iter;
  gpointer user;

  if (self->name == NULL)
    {
      server_refuse (self, "say HELLO NAME first");
      return;
    }
  number = space != NULL ? g_strndup (arguments, space - arguments) : NULL;
  if (number == NULL || !g_ascii_string_to_unsigned (number, 10, 1, G_MAXUINT64, &seq, NULL))
    {
      server_refuse (self, "usage: MSG SEQ TEXT");
      return;
    }
  last = lossy_server_get_last (server, self->name);
  if (seq > last + 1)
    {
      g_autofree char *reason = g_strdup_printf ("message %" G_GUINT64_FORMAT " before %"
                                                 G_GUINT64_FORMAT, seq, last + 1);
      server_refuse (self, reason);
      return;
    }
  if (seq == last + 1)
    {
      g_autofree char *line = g_strdup_printf ("<%s> %s", self->name, space + 1);

      g_hash_table_insert (server->last, g_strdup (self->name), g_memdup2 (&seq, sizeof seq));
      g_ptr_array_add (server->transcript, g_strdup_printf ("%s: %s", self->name, space + 1));
      g_hash_table_iter_init (&iter, server->users);
      while (g_hash_table_iter_next (&iter, NULL, &user))
        if (user != self)
          braid_line_receiver_send_line (user, line);
    }
  /* A resend (seq <= last) is acknowledged again: the first ACK was lost
   * with its connection. */
  server_send (self, "ACK %" G_GUINT64_FORMAT, seq);
}

static void
lossy_server_protocol_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  LossyServerProtocol *self = LOSSY_SERVER_PROTOCOL (receiver);

  if (strlen (line) != len || !g_utf8_validate (line, len, NULL))
    server_refuse (self, "a line must be UTF-8 text");
  else if (g_str_has_prefix (line, "HELLO "))
    handle_hello (self, line + strlen ("HELLO "));
  else if (g_str_has_prefix (line, "MSG "))
    handle_msg (self, line + strlen ("MSG "));
  else
    server_refuse (self, "unknown command (HELLO NAME, MSG SEQ TEXT)");
}

static void
server_leave (LossyServerProtocol *self)
{
  LossyServer *server = server_of (self);

  if (self->name != NULL && g_hash_table_lookup (server->users, self->name) == self)
    g_hash_table_remove (server->users, self->name);
}

static void
lossy_server_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  server_leave (LOSSY_SERVER_PROTOCOL (protocol));
}

static void
lossy_server_protocol_dispose (GObject *object)
{
  if (braid_protocol_get_factory (BRAID_PROTOCOL (object)) != NULL)
    server_leave (LOSSY_SERVER_PROTOCOL (object));
  G_OBJECT_CLASS (lossy_server_protocol_parent_class)->dispose (object);
}

static void
lossy_server_protocol_finalize (GObject *object)
{
  g_free (LOSSY_SERVER_PROTOCOL (object)->name);
  G_OBJECT_CLASS (lossy_server_protocol_parent_class)->finalize (object);
}

static void
lossy_server_protocol_class_init (LossyServerProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lossy_server_protocol_dispose;
  G_OBJECT_CLASS (klass)->finalize = lossy_server_protocol_finalize;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = lossy_server_protocol_connection_lost;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = lossy_server_protocol_line_received;
}

static void
lossy_server_protocol_init (LossyServerProtocol *self)
{
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (self), LOSSY_CHAT_MAX_LINE_LENGTH);
}

/* ---- The client ---------------------------------------------------- */

typedef struct
{
  guint64 seq;
  char *text;
} Outgoing;

static void
outgoing_free (gpointer data)
{
  Outgoing *out = data;

  g_free (out->text);
  g_free (out);
}

/**
 * LossyClient:
 *
 * A client factory that is also the user: its name, the messages it said
 * that the server has not acknowledged yet (the outbox, oldest first),
 * and the count of failed attempts in a row. Its protocol says HELLO on
 * connecting, sends on WELCOME (lossy_client_welcomed), and forgets what
 * each ACK acknowledges. A connection that waits LOSSY_CHAT_ACK_TIMEOUT
 * for an ACK is aborted. When a connection fails or is lost, the count
 * goes up and lossy_client_reconnect_later decides what next.
 */
struct _LossyClient
{
  BraidClientFactory parent_instance;
  BraidClock *clock;             /* borrowed: it outlives the client */
  char *name;
  GQueue outbox;                 /* of Outgoing*, oldest first */
  guint64 said;                  /* the number of the last message said */
  guint attempts;                /* failures since the last WELCOME */
  guint connections;             /* WELCOMEs heard */
  LossyClientProtocol *protocol; /* borrowed; set from WELCOME to connection_lost */
  gboolean stopped;
};

G_DEFINE_FINAL_TYPE (LossyClient, lossy_client, BRAID_TYPE_CLIENT_FACTORY)

struct _LossyClientProtocol
{
  BraidLineReceiver parent_instance;
  BraidDelayedCall *ack_timer;   /* a reference; NULL when not waiting */
};

G_DEFINE_FINAL_TYPE (LossyClientProtocol, lossy_client_protocol, BRAID_TYPE_LINE_RECEIVER)

static void
lossy_client_failed (BraidClientFactory *factory, BraidConnector *connector, const GError *reason)
{
  LossyClient *self = LOSSY_CLIENT (factory);

  if (self->stopped)
    return;
  /* Quietly: under 200 seeds this happens thousands of times; the
   * journal shows each one. */
  self->attempts++;
  lossy_client_reconnect_later (self, connector);
}

static void
lossy_client_finalize (GObject *object)
{
  LossyClient *self = LOSSY_CLIENT (object);

  g_queue_clear_full (&self->outbox, outgoing_free);
  g_free (self->name);
  G_OBJECT_CLASS (lossy_client_parent_class)->finalize (object);
}

static void
lossy_client_class_init (LossyClientClass *klass)
{
  BraidClientFactoryClass *factory_class = BRAID_CLIENT_FACTORY_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = lossy_client_finalize;
  factory_class->client_connection_failed = lossy_client_failed;
  factory_class->client_connection_lost = lossy_client_failed;
}

static void
lossy_client_init (LossyClient *self)
{
  g_queue_init (&self->outbox);
}

/**
 * lossy_client_new:
 * @clock: the clock its timers run on (its node); it must outlive the client
 * @name: the user's name
 *
 * Returns: (transfer full): a client with nothing said yet
 */
LossyClient *
lossy_client_new (BraidClock *clock, const char *name)
{
  LossyClient *self;

  g_return_val_if_fail (BRAID_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  self = g_object_new (LOSSY_TYPE_CLIENT, "protocol-type", LOSSY_TYPE_CLIENT_PROTOCOL, NULL);
  self->clock = clock;
  self->name = g_strdup (name);
  return self;
}

/**
 * lossy_client_get_name:
 * @self: a client
 *
 * Returns: (transfer none): its name
 */
const char *
lossy_client_get_name (LossyClient *self)
{
  g_return_val_if_fail (LOSSY_IS_CLIENT (self), NULL);
  return self->name;
}

/**
 * lossy_client_get_clock:
 * @self: a client
 *
 * Returns: (transfer none): the clock for its timers
 */
BraidClock *
lossy_client_get_clock (LossyClient *self)
{
  g_return_val_if_fail (LOSSY_IS_CLIENT (self), NULL);
  return self->clock;
}

/**
 * lossy_client_get_unacked:
 * @self: a client
 *
 * Returns: how many messages it said that are not acknowledged yet
 */
guint
lossy_client_get_unacked (LossyClient *self)
{
  g_return_val_if_fail (LOSSY_IS_CLIENT (self), 0);
  return self->outbox.length;
}

/**
 * lossy_client_get_said:
 * @self: a client
 *
 * Returns: how many messages it said
 */
guint64
lossy_client_get_said (LossyClient *self)
{
  g_return_val_if_fail (LOSSY_IS_CLIENT (self), 0);
  return self->said;
}

/**
 * lossy_client_get_attempts:
 * @self: a client
 *
 * Returns: how many connection attempts failed (or connections were lost)
 *   in a row, since the last WELCOME
 */
guint
lossy_client_get_attempts (LossyClient *self)
{
  g_return_val_if_fail (LOSSY_IS_CLIENT (self), 0);
  return self->attempts;
}

/**
 * lossy_client_get_connections:
 * @self: a client
 *
 * Returns: how many times a server welcomed it
 */
guint
lossy_client_get_connections (LossyClient *self)
{
  g_return_val_if_fail (LOSSY_IS_CLIENT (self), 0);
  return self->connections;
}

static void ack_timer_arm (LossyClientProtocol *protocol);

static void
send_one (LossyClient *self, Outgoing *out)
{
  g_autofree char *line = g_strdup_printf ("MSG %" G_GUINT64_FORMAT " %s", out->seq, out->text);

  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (self->protocol), line);
  ack_timer_arm (self->protocol);
}

/**
 * lossy_client_say:
 * @self: a client
 * @text: one line of text
 *
 * Numbers @text (1, 2, 3…), keeps it in the outbox until it is
 * acknowledged, and sends it now if a server has welcomed this
 * connection.
 */
void
lossy_client_say (LossyClient *self, const char *text)
{
  Outgoing *out;

  g_return_if_fail (LOSSY_IS_CLIENT (self));
  g_return_if_fail (text != NULL);
  out = g_new0 (Outgoing, 1);
  out->seq = ++self->said;
  out->text = g_strdup (text);
  g_queue_push_tail (&self->outbox, out);
  if (self->protocol != NULL)
    send_one (self, out);
}

static void
forget_acked (LossyClient *self, guint64 up_to)
{
  while (!g_queue_is_empty (&self->outbox)
         && ((Outgoing *) g_queue_peek_head (&self->outbox))->seq <= up_to)
    outgoing_free (g_queue_pop_head (&self->outbox));
}

/**
 * lossy_client_send_from:
 * @self: a client
 * @server_has: the number of the last message the server took from us
 *
 * Forgets the messages up to @server_has (the server has them: they are
 * acknowledged), then sends every message left in the outbox, oldest
 * first, on the welcomed connection.
 */
void
lossy_client_send_from (LossyClient *self, guint64 server_has)
{
  g_return_if_fail (LOSSY_IS_CLIENT (self));
  g_return_if_fail (self->protocol != NULL);
  forget_acked (self, server_has);
  for (GList *l = self->outbox.head; l != NULL; l = l->next)
    send_one (self, l->data);
}

/**
 * lossy_client_stop:
 * @self: a client
 *
 * From now on a lost or failed connection is not retried (the program is
 * ending).
 */
void
lossy_client_stop (LossyClient *self)
{
  g_return_if_fail (LOSSY_IS_CLIENT (self));
  self->stopped = TRUE;
}

static LossyClient *
client_of (LossyClientProtocol *self)
{
  return LOSSY_CLIENT (braid_protocol_get_factory (BRAID_PROTOCOL (self)));
}

static void
ack_timer_cancel (LossyClientProtocol *self)
{
  if (self->ack_timer != NULL && braid_delayed_call_active (self->ack_timer))
    braid_delayed_call_cancel (self->ack_timer, NULL);
  g_clear_pointer (&self->ack_timer, braid_delayed_call_unref);
}

static void
ack_timeout (gpointer data)
{
  LossyClientProtocol *self = data;

  g_clear_pointer (&self->ack_timer, braid_delayed_call_unref);
  braid_transport_abort_connection (braid_protocol_get_transport (BRAID_PROTOCOL (self)));
}

/* Waits for an ACK, unless it waits already: the timer measures how long
 * the oldest unacknowledged message has waited. */
static void
ack_timer_arm (LossyClientProtocol *self)
{
  if (self->ack_timer != NULL)
    return;
  self->ack_timer = braid_delayed_call_ref (braid_clock_call_later (client_of (self)->clock,
                                                                    LOSSY_CHAT_ACK_TIMEOUT,
                                                                    ack_timeout, self, NULL));
}

static void
lossy_client_protocol_connection_made (BraidProtocol *protocol)
{
  g_autofree char *hello = g_strdup_printf ("HELLO %s", client_of (LOSSY_CLIENT_PROTOCOL (protocol))->name);

  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (protocol), hello);
}

static gboolean
parse_number (const char *text, guint64 *value)
{
  return g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, value, NULL);
}

static void
lossy_client_protocol_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  LossyClientProtocol *self = LOSSY_CLIENT_PROTOCOL (receiver);
  LossyClient *client = client_of (self);
  guint64 number;

  if (g_str_has_prefix (line, "WELCOME ") && parse_number (line + strlen ("WELCOME "), &number)
      && client->protocol == NULL)
    {
      client->protocol = self;
      client->attempts = 0;
      client->connections++;
      lossy_client_welcomed (client, number);
    }
  else if (g_str_has_prefix (line, "ACK ") && parse_number (line + strlen ("ACK "), &number)
           && client->protocol == self)
    {
      forget_acked (client, number);
      ack_timer_cancel (self);
      if (!g_queue_is_empty (&client->outbox))
        ack_timer_arm (self);
    }
  else if (line[0] != '<')   /* "<NAME> TEXT" is another user speaking */
    {
      g_message ("lossy-chat: %s: closing: the server said \"%s\"", client->name, line);
      braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (self)));
    }
}

static void
lossy_client_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  LossyClientProtocol *self = LOSSY_CLIENT_PROTOCOL (protocol);
  LossyClient *client = client_of (self);

  ack_timer_cancel (self);
  if (client->protocol == self)
    client->protocol = NULL;
}

static void
lossy_client_protocol_dispose (GObject *object)
{
  ack_timer_cancel (LOSSY_CLIENT_PROTOCOL (object));
  G_OBJECT_CLASS (lossy_client_protocol_parent_class)->dispose (object);
}

static void
lossy_client_protocol_class_init (LossyClientProtocolClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = lossy_client_protocol_dispose;
  BRAID_PROTOCOL_CLASS (klass)->connection_made = lossy_client_protocol_connection_made;
  BRAID_PROTOCOL_CLASS (klass)->connection_lost = lossy_client_protocol_connection_lost;
  BRAID_LINE_RECEIVER_CLASS (klass)->line_received = lossy_client_protocol_line_received;
}

static void
lossy_client_protocol_init (LossyClientProtocol *self)
{
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (self), LOSSY_CHAT_MAX_LINE_LENGTH);
}

/* ---- The scenario: a server and three clients on a SimNet ---------- */

static const char *const names[] = { "alice", "bob", "carol" };
#define N_CLIENTS G_N_ELEMENTS (names)

typedef struct
{
  LossyClient *client;   /* a reference */
  char *text;
} Saying;

static void
saying_free (gpointer data)
{
  Saying *saying = data;

  g_object_unref (saying->client);
  g_free (saying->text);
  g_free (saying);
}

static void
say_now (gpointer data)
{
  Saying *saying = data;

  lossy_client_say (saying->client, saying->text);
}

typedef struct
{
  LossyClient *clients[N_CLIENTS];
  guint messages;
} Goal;

static gboolean
all_acknowledged (gpointer data)
{
  Goal *goal = data;

  for (guint i = 0; i < N_CLIENTS; i++)
    if (lossy_client_get_said (goal->clients[i]) < goal->messages
        || lossy_client_get_unacked (goal->clients[i]) > 0)
      return FALSE;
  return TRUE;
}

/* Whether the room took each client's messages exactly once and in
 * order: "NAME: NAME #1", "NAME: NAME #2"… */
static gboolean
check_transcript (GPtrArray *transcript, guint messages, GError **error)
{
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("%s: %s #", names[i], names[i]);
      g_autoptr (GString) got = g_string_new (NULL);
      gboolean right = TRUE;
      guint seen = 0;

      for (guint j = 0; j < transcript->len; j++)
        {
          const char *line = g_ptr_array_index (transcript, j);

          if (!g_str_has_prefix (line, prefix))
            continue;
          g_string_append_printf (got, "%s%s", seen > 0 ? "," : "", line + strlen (prefix));
          seen++;
          right = right && (guint) atoi (line + strlen (prefix)) == seen;
        }
      if (!right || seen != messages)
        {
          g_set_error (error, BRAID_ERROR, BRAID_ERROR_FAILED,
                       "%s's %u messages reached the room as \"%s\" (each once, in order: 1..%u)",
                       names[i], messages, got->str, messages);
          return FALSE;
        }
    }
  return TRUE;
}

static void
note_cut (gpointer data)
{
  braid_sim_net_note (data, "carol", "carol is cut off from the server for 3 s");
}

/**
 * lossy_chat_run:
 * @run: the run's seed, size and faults; receives how long it took
 * @error: return location for why the run failed
 *
 * Runs the chat on a SimNet: a server (10.0.0.1) and alice, bob and carol
 * (10.0.0.2 to .4), 20 ms ± 10 ms apart. Each client says its messages
 * ("NAME #1"…), one about every half second; the run goes on until every
 * message is acknowledged (or 300 virtual seconds pass), then checks the
 * room's transcript: each client's messages exactly once, in order.
 *
 * Returns: %TRUE if every message reached the room exactly once, in order
 */
gboolean
lossy_chat_run (LossyChatRun *run, GError **error)
{
  g_autoptr (BraidSimNet) net = braid_sim_net_new (run->seed);
  g_autoptr (LossyServer) server = lossy_server_new ();
  BraidConnector *connectors[N_CLIENTS] = { NULL };
  BraidSimNode *nodes[N_CLIENTS];
  guint16 port = run->port != 0 ? run->port : LOSSY_CHAT_PORT;
  BraidSimNode *server_node;
  Goal goal = { .messages = run->messages };
  gboolean ok;

  braid_sim_net_set_journal_enabled (net, run->journal != NULL);
  braid_sim_link_set_latency (braid_sim_net_get_default_link (net), 0.020, 0.010);
  server_node = braid_sim_net_add_node (net, "server", "10.0.0.1");
  if (braid_reactor_listen_tcp (BRAID_REACTOR (server_node), port, BRAID_FACTORY (server),
                                NULL, error) == NULL)
    return FALSE;
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_autofree char *address = g_strdup_printf ("10.0.0.%u", i + 2);

      nodes[i] = braid_sim_net_add_node (net, names[i], address);
      goal.clients[i] = lossy_client_new (BRAID_CLOCK (nodes[i]), names[i]);
      connectors[i] = g_object_ref (braid_reactor_connect_tcp_full (
        BRAID_REACTOR (nodes[i]), "server", port, BRAID_CLIENT_FACTORY (goal.clients[i]),
        LOSSY_CHAT_CONNECT_TIMEOUT, NULL));
      for (guint m = 1; m <= run->messages; m++)
        {
          Saying *saying = g_new0 (Saying, 1);

          saying->client = g_object_ref (goal.clients[i]);
          saying->text = g_strdup_printf ("%s #%u", names[i], m);
          braid_clock_call_later (BRAID_CLOCK (nodes[i]),
                                  0.5 * m + 0.3 * braid_sim_net_random_double (net),
                                  say_now, saying, saying_free);
        }
      if (run->random_faults)
        {
          /* Up to two cuts per client, one way or both, anywhere in the
           * first eight seconds, from 0.2 to 4.2 seconds long. */
          guint cuts = (guint) (braid_sim_net_random_double (net) * 3);

          for (guint c = 0; c < cuts; c++)
            {
              gboolean both = braid_sim_net_random_double (net) < 0.5;
              gboolean inbound = braid_sim_net_random_double (net) < 0.5;
              gdouble start = braid_sim_net_random_double (net) * 8;
              gdouble length = 0.2 + braid_sim_net_random_double (net) * 4;

              braid_sim_net_schedule_partition (net, inbound ? names[i] : "server",
                                                inbound ? "server" : names[i],
                                                both, start, length);
            }
        }
    }
  if (!run->random_faults)
    {
      braid_clock_call_later (BRAID_CLOCK (server_node), 2.0, note_cut, net, NULL);
      braid_sim_net_schedule_partition (net, "server", "carol", TRUE, 2.0, 3.0);
    }

  ok = braid_sim_net_run_until (net, all_acknowledged, &goal, 300, error);
  run->finished_at = braid_clock_seconds (BRAID_CLOCK (server_node));
  if (ok)
    ok = check_transcript (lossy_server_get_transcript (server), run->messages, error);
  if (run->transcript != NULL)
    {
      GPtrArray *transcript = lossy_server_get_transcript (server);

      for (guint j = 0; j < transcript->len; j++)
        g_string_append_printf (run->transcript, "%s\n", (char *) g_ptr_array_index (transcript, j));
    }

  /* Hang up and let the closes play out, then let everything go. */
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      lossy_client_stop (goal.clients[i]);
      braid_connector_disconnect (connectors[i]);
    }
  braid_sim_net_run_for (net, 1.0);
  if (ok && run->journal != NULL)
    ok = braid_sim_net_write_journal (net, run->journal, error);
  for (guint i = 0; i < N_CLIENTS; i++)
    {
      g_object_unref (connectors[i]);
      g_object_unref (goal.clients[i]);
    }
  return ok;
}
