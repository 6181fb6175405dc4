/* test-applications.c: lesson 11's services on the memory reactor: the
 * chat plugin as braidd runs it, alone and beside a second service. */
#include <braid-fakes.h>

#include "chat.h"
#include "motd.h"
#include "test-helpers.h"

/* The chat plugin (tools/braidd/plugins/braidd-chat.c, linked in). */
extern const BraiddPlugin braidd_plugin;

/* `braidd chat --port 8010`: the service listens where braidd says, and
 * the room works through it; stopping the service stops listening. */
static void
test_chat_plugin_serves_the_room (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (BraidService) service = plugin_start (&braidd_plugin, reactor, braidd_plugin.default_endpoint, options);
  g_autoptr (BraidDeferred) stopped = NULL;
  BraidTcpServerRecord *record = find_server (reactor, 8010);
  Client alice, bob;
  g_autofree char *alice_heard = NULL;
  g_autofree char *bob_heard = NULL;
  g_autofree char *alice_hears_bob = NULL;

  g_assert_nonnull (record);
  g_assert_cmpstr (record->interface, ==, "127.0.0.1");
  g_assert_true (braid_service_is_running (service));

  client_connect (&alice, reactor, 8010);
  client_say (&alice, "alice\r\n");
  alice_heard = client_heard (&alice);
  g_assert_cmpstr (alice_heard, ==, "What's your name?\r\nWelcome, alice!\r\n");
  client_connect (&bob, reactor, 8010);
  client_say (&bob, "bob\r\n");
  bob_heard = client_heard (&bob);
  g_assert_cmpstr (bob_heard, ==, "What's your name?\r\nWelcome, bob!\r\n");
  alice_hears_bob = client_heard (&alice);
  g_assert_cmpstr (alice_hears_bob, ==, "bob has joined the channel.\r\n");

  stopped = braid_service_stop_service (service);
  braid_assert_success_result (stopped);
  g_assert_false (braid_service_is_running (service));
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (record->listening_port)));
  client_clear (&alice);
  client_clear (&bob);
}

/* Each service the plugin makes is a room of its own: two [service]
 * sections of the chat plugin are two chats, not one. */
static void
test_two_chat_services_are_two_rooms (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (BraidService) first = plugin_start (&braidd_plugin, reactor, "tcp:8010", options);
  g_autoptr (BraidService) second = plugin_start (&braidd_plugin, reactor, "tcp:8011", options);
  g_autoptr (BraidDeferred) first_stopped = NULL;
  g_autoptr (BraidDeferred) second_stopped = NULL;

  g_assert_nonnull (find_server (reactor, 8010));
  g_assert_nonnull (find_server (reactor, 8011));
  g_assert_true (find_server (reactor, 8010)->factory != find_server (reactor, 8011)->factory);
  first_stopped = braid_service_stop_service (first);
  second_stopped = braid_service_stop_service (second);
  braid_assert_success_result (first_stopped);
  braid_assert_success_result (second_stopped);
}

/* What braidd does with a config file of two sections: both services
 * under one parent, started and stopped together. The second is the
 * message of the day (the exercise's service). */
static void
test_config_starts_and_stops_both_services (void)
{
  g_autoptr (BraidMemoryReactor) reactor = braid_memory_reactor_new ();
  g_autoptr (GHashTable) options = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GError) error = NULL;
  g_autoptr (BraidServerEndpoint) chat_endpoint = braid_server_endpoint_new_for_string ("tcp:8010", &error);
  g_autoptr (BraidServerEndpoint) motd_endpoint = braid_server_endpoint_new_for_string ("tcp:8017", NULL);
  g_autoptr (BraidMultiService) application = braid_multi_service_new ("braidd");
  g_autoptr (BraidService) chat = braidd_plugin.make_service (BRAID_REACTOR (reactor), chat_endpoint, options, &error);
  g_autoptr (MotdFactory) motd_factory = motd_factory_new ("Closed for lunch");
  g_autoptr (BraidStreamServerService) motd = braid_stream_server_service_new (BRAID_REACTOR (reactor), motd_endpoint,
                                                                               BRAID_FACTORY (motd_factory));
  g_autoptr (BraidDeferred) stopped = NULL;
  g_autofree char *heard = NULL;
  Client visitor;

  g_assert_no_error (error);
  braid_service_set_name (chat, "chat");
  braid_service_set_name (BRAID_SERVICE (motd), "motd");
  g_assert_true (braid_multi_service_add_service (application, chat, &error));
  g_assert_true (braid_multi_service_add_service (application, BRAID_SERVICE (motd), &error));
  g_assert_cmpuint (braid_memory_reactor_get_tcp_servers (reactor)->len, ==, 0);

  braid_service_start_service (BRAID_SERVICE (application));
  g_assert_true (braid_service_is_running (chat));
  g_assert_true (braid_service_is_running (BRAID_SERVICE (motd)));
  client_connect (&visitor, reactor, 8017);
  heard = client_heard (&visitor);
  g_assert_cmpstr (heard, ==, "Closed for lunch\r\n");
  client_clear (&visitor);

  stopped = braid_service_stop_service (BRAID_SERVICE (application));
  braid_assert_success_result (stopped);
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (find_server (reactor, 8010)->listening_port)));
  g_assert_false (braid_fake_listening_port_get_listening (BRAID_FAKE_LISTENING_PORT (find_server (reactor, 8017)->listening_port)));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/applications/chat-plugin-serves-the-room", test_chat_plugin_serves_the_room);
  g_test_add_func ("/applications/two-chat-services-are-two-rooms", test_two_chat_services_are_two_rooms);
  g_test_add_func ("/applications/config-starts-and-stops-both-services", test_config_starts_and_stops_both_services);
  return g_test_run ();
}
