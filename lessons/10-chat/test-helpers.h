/* test-helpers.h: what lesson 10's tests and its exercise's check share. */
#pragma once

#include <braid-fakes.h>

#include "chat.h"
#include "recording-protocol.h"

/* A user: the server's protocol for the connection, the client at the
 * other end of a loopback (it records what it hears). */
typedef struct
{
  BraidProtocol *server;
  RecordingProtocol *client;
  BraidLoopback *loopback;
} User;

void user_connect (User *user, ChatFactory *factory, gsize chunk_size);
void user_join    (User *user, ChatFactory *factory, const char *name, gsize chunk_size);
void user_say     (User *user, const char *text);
void user_hears_at (User *user, const char *expected,
                    const char *file, int line, const char *func);

/* Checks what @user heard since the last check. A macro, like GLib's
 * g_assert_*: a failure names the line of the test that called it, and the
 * input that was last said (the one that went wrong: "/bomb 5s"). */
#define user_hears(user, expected) \
  user_hears_at ((user), (expected), __FILE__, __LINE__, G_STRFUNC)
void user_leave   (User *user);
void user_clear   (User *user);
