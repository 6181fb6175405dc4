#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

#define BRAID_TYPE_DNS_HOSTS (braid_dns_hosts_get_type ())
G_DECLARE_FINAL_TYPE (BraidDnsHosts, braid_dns_hosts, BRAID, DNS_HOSTS, GObject)

BraidDnsHosts *braid_dns_hosts_new            (void);
BraidDnsHosts *braid_dns_hosts_new_from_file  (const char    *path,
                                               GError       **error);
void           braid_dns_hosts_load_data      (BraidDnsHosts *self,
                                               const char    *text,
                                               const char    *origin);
void           braid_dns_hosts_add            (BraidDnsHosts *self,
                                               const char    *name,
                                               GInetAddress  *address);
gboolean       braid_dns_hosts_has_name       (BraidDnsHosts *self,
                                               const char    *name);
GPtrArray     *braid_dns_hosts_lookup         (BraidDnsHosts *self,
                                               const char    *name,
                                               GSocketFamily  family);
guint          braid_dns_hosts_get_name_count (BraidDnsHosts *self);

G_END_DECLS
