/* motd.h: lesson 11's message of the day -- each client that connects is
 * sent one line, then the connection is closed. The exercise's plugin
 * (exercise/motd-plugin.c) makes a service of it. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* What a client is told when the plugin is given no --message. */
#define MOTD_DEFAULT_MESSAGE "Welcome to Braid!"

#define MOTD_TYPE_FACTORY (motd_factory_get_type ())
G_DECLARE_FINAL_TYPE (MotdFactory, motd_factory, MOTD, FACTORY, BraidFactory)

MotdFactory *motd_factory_new         (const char  *message);
const char  *motd_factory_get_message (MotdFactory *self);

G_END_DECLS
