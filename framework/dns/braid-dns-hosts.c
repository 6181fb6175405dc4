/* braid-dns-hosts.c: names and addresses from a hosts(5) file. */
#include "config.h"

#include <string.h>

#include "dns/braid-dns-hosts.h"

/**
 * BraidDnsHosts:
 *
 * The names and addresses of a hosts file (hosts(5), `/etc/hosts`):
 * twisted.names' `hosts.Resolver` without the resolver around it. Each
 * line is an IP address followed by the names it answers for; `#` starts
 * a comment; blank lines are skipped:
 *
 * ```
 * # cutting out social media
 * 127.0.0.1   facebook.com www.facebook.com
 * ::1         facebook.com
 * ```
 *
 * Names are compared as DNS compares them (ASCII letters in any case, a
 * final dot or not). A line whose first field is not an IP address, or
 * that has no name, is skipped with a logged message giving its number
 * (Twisted skips it silently). Unlike Twisted, which reads the file again
 * on every query, the file is read once: make a new `BraidDnsHosts` to
 * reload it.
 */
struct _BraidDnsHosts
{
  GObject parent_instance;

  GHashTable *names;   /* lowercased name without final dot -> GPtrArray of GInetAddress */
};

G_DEFINE_FINAL_TYPE (BraidDnsHosts, braid_dns_hosts, G_TYPE_OBJECT)

static void
braid_dns_hosts_finalize (GObject *object)
{
  g_hash_table_unref (BRAID_DNS_HOSTS (object)->names);
  G_OBJECT_CLASS (braid_dns_hosts_parent_class)->finalize (object);
}

static void
braid_dns_hosts_class_init (BraidDnsHostsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = braid_dns_hosts_finalize;
}

static void
braid_dns_hosts_init (BraidDnsHosts *self)
{
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
}

static char *
key_for (const char *name)
{
  gsize len = strlen (name);

  if (len > 0 && name[len - 1] == '.')
    len--;
  return g_ascii_strdown (name, len);
}

/**
 * braid_dns_hosts_new:
 *
 * Creates an empty table of hosts.
 *
 * Returns: (transfer full): the table
 */
BraidDnsHosts *
braid_dns_hosts_new (void)
{
  return g_object_new (BRAID_TYPE_DNS_HOSTS, NULL);
}

/**
 * braid_dns_hosts_new_from_file:
 * @path: a hosts file
 * @error: return location for a #GError
 *
 * Reads a hosts file (see [class@Braid.DnsHosts] for the format).
 *
 * Returns: (transfer full) (nullable): the table, or %NULL with @error set
 *   if the file cannot be read
 */
BraidDnsHosts *
braid_dns_hosts_new_from_file (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  BraidDnsHosts *self;

  g_return_val_if_fail (path != NULL, NULL);
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  self = braid_dns_hosts_new ();
  braid_dns_hosts_load_data (self, text, path);
  return self;
}

/**
 * braid_dns_hosts_add:
 * @self: a table of hosts
 * @name: a name
 * @address: one of its addresses
 *
 * Adds an address to a name (after those it has, once).
 */
void
braid_dns_hosts_add (BraidDnsHosts *self, const char *name, GInetAddress *address)
{
  g_autofree char *key = NULL;
  GPtrArray *addresses;

  g_return_if_fail (BRAID_IS_DNS_HOSTS (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (G_IS_INET_ADDRESS (address));
  key = key_for (name);
  addresses = g_hash_table_lookup (self->names, key);
  if (addresses == NULL)
    {
      addresses = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->names, g_steal_pointer (&key), addresses);
    }
  for (guint i = 0; i < addresses->len; i++)
    if (g_inet_address_equal (g_ptr_array_index (addresses, i), address))
      return;
  g_ptr_array_add (addresses, g_object_ref (address));
}

/**
 * braid_dns_hosts_load_data:
 * @self: a table of hosts
 * @text: the text of a hosts file
 * @origin: (nullable): where it came from, for the messages about lines
 *   skipped
 *
 * Adds the names of a hosts file's text to the table.
 */
void
braid_dns_hosts_load_data (BraidDnsHosts *self, const char *text, const char *origin)
{
  g_auto (GStrv) lines = NULL;

  g_return_if_fail (BRAID_IS_DNS_HOSTS (self));
  g_return_if_fail (text != NULL);
  lines = g_strsplit (text, "\n", -1);
  for (guint n = 0; lines[n] != NULL; n++)
    {
      char *hash = strchr (lines[n], '#');
      g_auto (GStrv) fields = NULL;
      g_autoptr (GInetAddress) address = NULL;
      guint count = 0;

      if (hash != NULL)
        *hash = '\0';
      g_strdelimit (lines[n], "\t\r", ' ');
      fields = g_strsplit (lines[n], " ", -1);
      /* Drop the empty fields that runs of blanks make. */
      for (guint i = 0; fields[i] != NULL; i++)
        if (fields[i][0] != '\0')
          fields[count++] = fields[i];
        else
          g_free (fields[i]);
      fields[count] = NULL;
      if (count == 0)
        continue;
      address = g_inet_address_new_from_string (fields[0]);
      if (address == NULL || count < 2)
        {
          g_message ("%s line %u: skipped: %s", origin != NULL ? origin : "hosts", n + 1,
                     address == NULL ? "the first field is not an IP address"
                                     : "an address with no name");
          continue;
        }
      for (guint i = 1; i < count; i++)
        braid_dns_hosts_add (self, fields[i], address);
    }
}

/**
 * braid_dns_hosts_has_name:
 * @self: a table of hosts
 * @name: a name
 *
 * Tells whether @name is in the table, whatever its addresses.
 *
 * Returns: %TRUE if it is
 */
gboolean
braid_dns_hosts_has_name (BraidDnsHosts *self, const char *name)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (BRAID_IS_DNS_HOSTS (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  key = key_for (name);
  return g_hash_table_contains (self->names, key);
}

/**
 * braid_dns_hosts_lookup:
 * @self: a table of hosts
 * @name: a name
 * @family: %G_SOCKET_FAMILY_IPV4, %G_SOCKET_FAMILY_IPV6, or
 *   %G_SOCKET_FAMILY_INVALID for both
 *
 * Finds the addresses of @name, in the order of the file.
 *
 * Returns: (transfer container) (element-type GInetAddress): the
 *   addresses, maybe none
 */
GPtrArray *
braid_dns_hosts_lookup (BraidDnsHosts *self, const char *name, GSocketFamily family)
{
  g_autofree char *key = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *addresses;

  g_return_val_if_fail (BRAID_IS_DNS_HOSTS (self), found);
  g_return_val_if_fail (name != NULL, found);
  key = key_for (name);
  addresses = g_hash_table_lookup (self->names, key);
  for (guint i = 0; addresses != NULL && i < addresses->len; i++)
    {
      GInetAddress *address = g_ptr_array_index (addresses, i);

      if (family == G_SOCKET_FAMILY_INVALID || g_inet_address_get_family (address) == family)
        g_ptr_array_add (found, g_object_ref (address));
    }
  return found;
}

/**
 * braid_dns_hosts_get_name_count:
 * @self: a table of hosts
 *
 * Counts the names in the table.
 *
 * Returns: how many names
 */
guint
braid_dns_hosts_get_name_count (BraidDnsHosts *self)
{
  g_return_val_if_fail (BRAID_IS_DNS_HOSTS (self), 0);
  return g_hash_table_size (self->names);
}
