/* blocker.h: lesson 15's DNS server that cuts out social media. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define BLOCKER_TYPE_PROTOCOL (blocker_protocol_get_type ())
G_DECLARE_FINAL_TYPE (BlockerProtocol, blocker_protocol, BLOCKER, PROTOCOL, BraidDatagramProtocol)

/* The address a blocked name gets: this machine, where nothing answers. */
#define BLOCKER_ADDRESS "127.0.0.1"
#define BLOCKER_TTL 3600

BlockerProtocol *blocker_protocol_new        (const char * const *blocklist);
guint            blocker_protocol_get_served (BlockerProtocol *self);

/* blocked.c, the exercise: whether @name is cut out by @blocklist. */
gboolean blocker_is_blocked (const char *name, const char * const *blocklist);

G_END_DECLS
