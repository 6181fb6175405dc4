/* chat.c: lesson 10, the seeds' chat server: a protocol with two states. */
#include "chat.h"

#include "bomb.h"

/**
 * ChatFactory:
 *
 * Builds a [type@ChatProtocol] for each connection and keeps the room: the
 * registered users, by name. As in lesson 09 the table *borrows* its
 * protocols (each protocol holds a reference to the factory, so a
 * reference back would be a cycle): a protocol is in the table from its
 * registration to its `connection_lost`, while its transport keeps it
 * alive.
 *
 * The factory also keeps the clock its timers run on (the reactor in the
 * program, a fake clock in tests), borrowed too: the clock must outlive the
 * factory, as the reactor does (it owns the port that owns the factory).
 * It holds at most one armed bomb (the exercise); a bomb never outlives
 * the room: when the last user leaves, it is cancelled.
 */
struct _ChatFactory
{
  BraidFactory parent_instance;

  BraidClock *clock;          /* borrowed */
  GHashTable *users;          /* name (the protocol's own string) -> ChatProtocol*, borrowed */
  BraidDelayedCall *bomb;     /* a reference; NULL when none is ticking */
  gdouble idle_timeout;       /* seconds; 0: connections may stay silent */
};

G_DEFINE_FINAL_TYPE (ChatFactory, chat_factory, BRAID_TYPE_FACTORY)

static void
chat_factory_finalize (GObject *object)
{
  ChatFactory *self = CHAT_FACTORY (object);

  chat_factory_set_bomb (self, NULL);
  g_hash_table_unref (self->users);
  G_OBJECT_CLASS (chat_factory_parent_class)->finalize (object);
}

static void
chat_factory_class_init (ChatFactoryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = chat_factory_finalize;
}

static void
chat_factory_init (ChatFactory *self)
{
  /* No free functions: the table owns nothing. */
  self->users = g_hash_table_new (g_str_hash, g_str_equal);
}

/**
 * chat_factory_new:
 * @clock: the clock for timers (the reactor); it must outlive the factory
 *
 * Returns: (transfer full): a chat factory with an empty room
 */
ChatFactory *
chat_factory_new (BraidClock *clock)
{
  ChatFactory *self;

  g_return_val_if_fail (BRAID_IS_CLOCK (clock), NULL);
  self = g_object_new (CHAT_TYPE_FACTORY, "protocol-type", CHAT_TYPE_PROTOCOL, NULL);
  self->clock = clock;
  return self;
}

/**
 * chat_factory_get_clock:
 * @self: a chat factory
 *
 * Returns: (transfer none): the clock its timers run on
 */
BraidClock *
chat_factory_get_clock (ChatFactory *self)
{
  g_return_val_if_fail (CHAT_IS_FACTORY (self), NULL);
  return self->clock;
}

/**
 * chat_factory_set_idle_timeout:
 * @self: a chat factory
 * @seconds: how long a connection may send nothing before it is closed;
 *   0 (the default) for no limit
 *
 * Gives every connection made from now on an idle timeout on the
 * factory's clock. [func@chat_server_listen] sets
 * %CHAT_IDLE_TIMEOUT_SECONDS; tests choose.
 */
void
chat_factory_set_idle_timeout (ChatFactory *self, gdouble seconds)
{
  g_return_if_fail (CHAT_IS_FACTORY (self));
  g_return_if_fail (seconds >= 0);
  self->idle_timeout = seconds;
}

/**
 * chat_factory_get_idle_timeout:
 * @self: a chat factory
 *
 * Returns: the idle timeout of new connections, in seconds; 0 for none
 */
gdouble
chat_factory_get_idle_timeout (ChatFactory *self)
{
  g_return_val_if_fail (CHAT_IS_FACTORY (self), 0);
  return self->idle_timeout;
}

/**
 * chat_factory_get_num_users:
 * @self: a chat factory
 *
 * Returns: how many users are in the room (registered and connected)
 */
guint
chat_factory_get_num_users (ChatFactory *self)
{
  g_return_val_if_fail (CHAT_IS_FACTORY (self), 0);
  return g_hash_table_size (self->users);
}

/**
 * chat_factory_list_users:
 * @self: a chat factory
 *
 * Takes a snapshot of the room, safe to loop over even if the loop makes
 * users leave.
 *
 * Returns: (transfer full) (element-type ChatProtocol): the users in the
 *   room now, each with a reference, in no particular order
 */
GPtrArray *
chat_factory_list_users (ChatFactory *self)
{
  GPtrArray *users;
  GHashTableIter iter;
  gpointer user;

  g_return_val_if_fail (CHAT_IS_FACTORY (self), NULL);
  users = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->users);
  while (g_hash_table_iter_next (&iter, NULL, &user))
    g_ptr_array_add (users, g_object_ref (user));
  return users;
}

static gboolean
is_hanging_up (ChatProtocol *user)
{
  return braid_transport_is_disconnecting (braid_protocol_get_transport (BRAID_PROTOCOL (user)));
}

/**
 * chat_factory_broadcast:
 * @self: a chat factory
 * @except: (nullable): a user who does not get the line (the sender)
 * @line: a line, without its delimiter
 *
 * Sends @line to every user in the room but @except, and but those the
 * server is already hanging up on.
 */
void
chat_factory_broadcast (ChatFactory *self, ChatProtocol *except, const char *line)
{
  GHashTableIter iter;
  gpointer user;

  g_return_if_fail (CHAT_IS_FACTORY (self));
  g_return_if_fail (line != NULL);

  /* Writing only buffers bytes: nothing leaves the table during this loop. */
  g_hash_table_iter_init (&iter, self->users);
  while (g_hash_table_iter_next (&iter, NULL, &user))
    if (user != except && !is_hanging_up (user))
      braid_line_receiver_send_line (user, line);
}

/**
 * chat_factory_get_bomb:
 * @self: a chat factory
 *
 * Returns: (transfer none) (nullable): the bomb ticking in the room, if any
 */
BraidDelayedCall *
chat_factory_get_bomb (ChatFactory *self)
{
  g_return_val_if_fail (CHAT_IS_FACTORY (self), NULL);
  return self->bomb;
}

/**
 * chat_factory_set_bomb:
 * @self: a chat factory
 * @bomb: (transfer none) (nullable): the delayed call of a newly armed bomb,
 *   or %NULL for none; the factory keeps a reference
 *
 * Replaces the room's bomb; a previous one still pending is cancelled, so
 * no timer is forgotten.
 */
void
chat_factory_set_bomb (ChatFactory *self, BraidDelayedCall *bomb)
{
  g_return_if_fail (CHAT_IS_FACTORY (self));

  if (self->bomb != NULL && braid_delayed_call_active (self->bomb))
    braid_delayed_call_cancel (self->bomb, NULL);
  g_clear_pointer (&self->bomb, braid_delayed_call_unref);
  self->bomb = bomb != NULL ? braid_delayed_call_ref (bomb) : NULL;
}

/* Takes @user out of the room. An empty room defuses its bomb: nobody is
 * left to warn, and no timer outlives the connections. */
static void
chat_factory_remove_user (ChatFactory *self, ChatProtocol *user)
{
  g_hash_table_remove (self->users, chat_protocol_get_name (user));
  if (g_hash_table_size (self->users) == 0)
    chat_factory_set_bomb (self, NULL);
}

/**
 * ChatProtocol:
 *
 * One connection to the chat. It starts in %CHAT_STATE_REGISTER and asks
 * "What's your name?"; each line is then a name, until one is accepted:
 * not taken, not empty, at most %CHAT_MAX_NAME_LENGTH characters of UTF-8
 * text without spaces, control characters, or invisible and
 * direction-changing ones (Unicode format characters such as zero-width
 * spaces and bidi overrides, and the Hangul fillers). A refused name gets a clear
 * answer and the question stays open. Once accepted ("Welcome, NAME!"),
 * the others hear "NAME has joined the channel." and the protocol is in
 * %CHAT_STATE_CHAT: each line goes to the others as `<NAME> line`, except
 * empty lines (ignored) and lines starting with '/' (commands: "/bomb").
 * When the connection ends, a registered user leaves the room and the
 * others hear "NAME has left the channel.". A connection that sends
 * nothing for the factory's idle timeout is closed.
 */
struct _ChatProtocol
{
  BraidLineReceiver parent_instance;

  ChatState state;
  char *name;         /* set on registration */
};

G_DEFINE_FINAL_TYPE (ChatProtocol, chat_protocol, BRAID_TYPE_LINE_RECEIVER)

static void
chat_protocol_connection_made (BraidProtocol *protocol)
{
  ChatFactory *factory = chat_protocol_get_chat_factory (CHAT_PROTOCOL (protocol));

  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (protocol), "What's your name?");
  if (factory->idle_timeout > 0)
    braid_protocol_set_idle_timeout (protocol, factory->clock, factory->idle_timeout);
}

/* Whether @c is invisible or changes the direction of the text around it:
 * a name made with one can look exactly like another user's ("alice" and
 * "alice" followed by a zero-width space), or turn the line it appears in
 * around (U+202E, RIGHT-TO-LEFT OVERRIDE). Unicode's "format" category
 * (Cf) holds most of them; the explicit ranges keep the rule whatever
 * Unicode version GLib knows, and add the fillers, which are letters that
 * draw nothing. */
static gboolean
is_invisible_or_bidi (gunichar c)
{
  return g_unichar_type (c) == G_UNICODE_FORMAT
         || (c >= 0x200B && c <= 0x200F)     /* zero-widths, LRM, RLM */
         || (c >= 0x202A && c <= 0x202E)     /* bidi embeddings and overrides */
         || (c >= 0x2060 && c <= 0x206F)     /* word joiner, invisible operators, isolates */
         || c == 0x061C                      /* ARABIC LETTER MARK */
         || c == 0x180E                      /* MONGOLIAN VOWEL SEPARATOR */
         || c == 0xFEFF                      /* ZERO WIDTH NO-BREAK SPACE */
         || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0;   /* Hangul fillers */
}

/* Why @name cannot be a name, or NULL if it can. */
static const char *
check_name (const char *name, gsize len)
{
  if (len == 0)
    return "Name empty, please choose another.";
  if (!g_utf8_validate (name, len, NULL))
    return "Name invalid (it must be UTF-8 text), please choose another.";
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || g_unichar_isspace (c))
        return "Name invalid (no spaces or control characters), please choose another.";
      if (is_invisible_or_bidi (c))
        return "Name invalid (no invisible or direction-changing characters), "
               "please choose another.";
    }
  if (g_utf8_strlen (name, -1) > CHAT_MAX_NAME_LENGTH)
    return "Name too long (20 characters at most), please choose another.";
  return NULL;
}

static void
handle_register (ChatProtocol *self, const char *name, gsize len)
{
  BraidLineReceiver *receiver = BRAID_LINE_RECEIVER (self);
  ChatFactory *factory = chat_protocol_get_chat_factory (self);
  const char *refusal = check_name (name, len);
  g_autofree char *welcome = NULL;
  g_autofree char *joined = NULL;

  if (refusal == NULL && g_hash_table_contains (factory->users, name))
    refusal = "Name taken, please choose another.";
  if (refusal != NULL)
    {
      braid_line_receiver_send_line (receiver, refusal);
      return;
    }

  self->name = g_strdup (name);
  welcome = g_strdup_printf ("Welcome, %s!", name);
  braid_line_receiver_send_line (receiver, welcome);
  joined = g_strdup_printf ("%s has joined the channel.", name);
  chat_factory_broadcast (factory, self, joined);
  g_hash_table_insert (factory->users, self->name, self);
  self->state = CHAT_STATE_CHAT;
}

static void
handle_command (ChatProtocol *self, const char *line)
{
  g_auto (GStrv) words = g_strsplit (line, " ", 2);
  g_autofree char *unknown = NULL;

  if (g_strcmp0 (words[0], "/bomb") == 0)
    {
      chat_bomb_command (self, words[1] != NULL ? words[1] : "");
      return;
    }
  unknown = g_strdup_printf ("Unknown command: %s (try /bomb SECONDS)", words[0]);
  braid_line_receiver_send_line (BRAID_LINE_RECEIVER (self), unknown);
}

static void
handle_chat (ChatProtocol *self, const char *message, gsize len)
{
  g_autofree char *line = NULL;

  if (len == 0)
    return;
  if (message[0] == '/')
    {
      handle_command (self, message);
      return;
    }
  line = g_strdup_printf ("<%s> %s", self->name, message);
  chat_factory_broadcast (chat_protocol_get_chat_factory (self), self, line);
}

/* The state machine: one handler per state. */
static void
chat_protocol_line_received (BraidLineReceiver *receiver, const char *line, gsize len)
{
  ChatProtocol *self = CHAT_PROTOCOL (receiver);

  switch (self->state)
    {
    case CHAT_STATE_REGISTER:
      handle_register (self, line, len);
      break;
    case CHAT_STATE_CHAT:
      handle_chat (self, line, len);
      break;
    }
}

/* A line over CHAT_MAX_LINE_LENGTH: say why, then hang up (the default
 * would only hang up). The others hear that the user left, as usual. */
static void
chat_protocol_line_length_exceeded (BraidLineReceiver *receiver, gsize length)
{
  g_autofree char *answer = g_strdup_printf ("Line too long (%d bytes at most). Goodbye.",
                                             CHAT_MAX_LINE_LENGTH);

  g_message ("chat: closing a connection: a line of %" G_GSIZE_FORMAT " bytes or more", length);
  braid_line_receiver_send_line (receiver, answer);
  braid_transport_lose_connection (braid_protocol_get_transport (BRAID_PROTOCOL (receiver)));
}

static void
chat_protocol_connection_lost (BraidProtocol *protocol, const GError *reason)
{
  ChatProtocol *self = CHAT_PROTOCOL (protocol);
  ChatFactory *factory = chat_protocol_get_chat_factory (self);
  g_autofree char *left = NULL;

  if (self->state != CHAT_STATE_CHAT)
    return;
  chat_factory_remove_user (factory, self);
  self->state = CHAT_STATE_REGISTER;
  left = g_strdup_printf ("%s has left the channel.", self->name);
  chat_factory_broadcast (factory, NULL, left);
}

/* A protocol destroyed while still in the room (a test that never ended
 * its connection) must not leave a dangling pointer in the table. */
static void
chat_protocol_dispose (GObject *object)
{
  ChatProtocol *self = CHAT_PROTOCOL (object);

  if (self->state == CHAT_STATE_CHAT)
    {
      chat_factory_remove_user (chat_protocol_get_chat_factory (self), self);
      self->state = CHAT_STATE_REGISTER;
    }
  G_OBJECT_CLASS (chat_protocol_parent_class)->dispose (object);
}

static void
chat_protocol_finalize (GObject *object)
{
  g_free (CHAT_PROTOCOL (object)->name);
  G_OBJECT_CLASS (chat_protocol_parent_class)->finalize (object);
}

static void
chat_protocol_class_init (ChatProtocolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  BraidProtocolClass *protocol_class = BRAID_PROTOCOL_CLASS (klass);
  BraidLineReceiverClass *line_class = BRAID_LINE_RECEIVER_CLASS (klass);

  object_class->dispose = chat_protocol_dispose;
  object_class->finalize = chat_protocol_finalize;
  protocol_class->connection_made = chat_protocol_connection_made;
  protocol_class->connection_lost = chat_protocol_connection_lost;
  line_class->line_received = chat_protocol_line_received;
  line_class->line_length_exceeded = chat_protocol_line_length_exceeded;
}

static void
chat_protocol_init (ChatProtocol *self)
{
  self->state = CHAT_STATE_REGISTER;
  braid_line_receiver_set_max_length (BRAID_LINE_RECEIVER (self), CHAT_MAX_LINE_LENGTH);
}

/**
 * chat_protocol_get_state:
 * @self: a chat protocol
 *
 * Returns: where the connection is in its conversation
 */
ChatState
chat_protocol_get_state (ChatProtocol *self)
{
  g_return_val_if_fail (CHAT_IS_PROTOCOL (self), CHAT_STATE_REGISTER);
  return self->state;
}

/**
 * chat_protocol_get_name:
 * @self: a chat protocol
 *
 * Returns: (transfer none) (nullable): the user's name; %NULL until registered
 */
const char *
chat_protocol_get_name (ChatProtocol *self)
{
  g_return_val_if_fail (CHAT_IS_PROTOCOL (self), NULL);
  return self->name;
}

/**
 * chat_protocol_get_chat_factory:
 * @self: a chat protocol
 *
 * Returns: (transfer none): the factory that built @self
 */
ChatFactory *
chat_protocol_get_chat_factory (ChatProtocol *self)
{
  g_return_val_if_fail (CHAT_IS_PROTOCOL (self), NULL);
  return CHAT_FACTORY (braid_protocol_get_factory (BRAID_PROTOCOL (self)));
}

/**
 * chat_server_listen:
 * @reactor: the reactor to listen with; also the factory's clock
 * @port: the TCP port, or 0 to let the system choose one
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1:@port with a new [type@ChatFactory] whose
 * connections close after %CHAT_IDLE_TIMEOUT_SECONDS of silence.
 *
 * Returns: (transfer none) (nullable): the listening port, owned by
 *   @reactor; %NULL with @error set if the port could not be opened
 */
BraidListeningPort *
chat_server_listen (BraidReactor *reactor, guint16 port, GError **error)
{
  g_autoptr (ChatFactory) factory = chat_factory_new (BRAID_CLOCK (reactor));

  chat_factory_set_idle_timeout (factory, CHAT_IDLE_TIMEOUT_SECONDS);
  return braid_reactor_listen_tcp (reactor, port, BRAID_FACTORY (factory), "127.0.0.1", error);
}
