/* lines.h: lesson 07's line protocols. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* Part 1: answers every line with its number: "1: hello". */
#define NUMBERED_TYPE_ECHO (numbered_echo_get_type ())
G_DECLARE_FINAL_TYPE (NumberedEcho, numbered_echo, NUMBERED, ECHO, BraidLineReceiver)

/* Part 2: the HTTP echo server: reads a request's lines up to the empty
 * line, answers "You said:" and the lines, with HTTP headers. */
#define HTTP_ECHO_MAX_LINES 100

#define HTTP_TYPE_ECHO (http_echo_get_type ())
G_DECLARE_FINAL_TYPE (HttpEcho, http_echo, HTTP, ECHO, BraidLineReceiver)

/* A client has this many seconds of silence to finish its request's head:
 * a head that never ends (a client that sends bare "\n" line ends, or
 * nothing at all) is closed, not kept forever. */
#define HTTP_ECHO_IDLE_TIMEOUT_SECONDS 10

#define HTTP_TYPE_ECHO_FACTORY (http_echo_factory_get_type ())
G_DECLARE_FINAL_TYPE (HttpEchoFactory, http_echo_factory, HTTP, ECHO_FACTORY, BraidFactory)

BraidFactory *http_echo_factory_new (BraidClock *clock);

G_END_DECLS
