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
void user_hears   (User *user, const char *expected);
void user_leave   (User *user);
void user_clear   (User *user);
