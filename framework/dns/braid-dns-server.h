#pragma once

#include "braid-types.h"
#include "core/braid-datagram-protocol.h"
#include "dns/braid-dns-hosts.h"

G_BEGIN_DECLS

/**
 * BRAID_DNS_HOSTS_TTL:
 *
 * Seconds a client may cache an answer from the hosts file: 3600, as
 * twisted.names' hosts resolver.
 */
#define BRAID_DNS_HOSTS_TTL 3600

/**
 * BRAID_DNS_DEFAULT_UPSTREAM_TIMEOUT:
 *
 * Seconds the server waits for its upstream before answering SERVFAIL: 5.
 */
#define BRAID_DNS_DEFAULT_UPSTREAM_TIMEOUT 5.0

/**
 * BRAID_DNS_MAX_PENDING:
 *
 * Queries forwarded upstream and not yet answered, at most: 4096. Beyond,
 * a query to forward is answered SERVFAIL at once.
 */
#define BRAID_DNS_MAX_PENDING 4096

#define BRAID_TYPE_DNS_SERVER (braid_dns_server_get_type ())
G_DECLARE_FINAL_TYPE (BraidDnsServer, braid_dns_server, BRAID, DNS_SERVER, BraidDatagramProtocol)

BraidDnsServer *braid_dns_server_new                  (BraidReactor   *reactor,
                                                       BraidDnsHosts  *hosts);
void            braid_dns_server_set_upstream         (BraidDnsServer *self,
                                                       GSocketAddress *upstream);
void            braid_dns_server_set_upstream_timeout (BraidDnsServer *self,
                                                       gdouble         seconds);
guint           braid_dns_server_get_pending_count    (BraidDnsServer *self);
BraidDatagramTransport *braid_dns_server_get_upstream_port (BraidDnsServer *self);

G_END_DECLS
