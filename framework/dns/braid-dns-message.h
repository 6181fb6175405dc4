#pragma once

#include "braid-types.h"

G_BEGIN_DECLS

/**
 * BraidDnsType:
 * @BRAID_DNS_TYPE_A: an IPv4 address
 * @BRAID_DNS_TYPE_NS: a name server
 * @BRAID_DNS_TYPE_CNAME: the canonical name of an alias
 * @BRAID_DNS_TYPE_SOA: the start of a zone of authority
 * @BRAID_DNS_TYPE_PTR: a domain name pointer
 * @BRAID_DNS_TYPE_MX: a mail exchanger
 * @BRAID_DNS_TYPE_TXT: text
 * @BRAID_DNS_TYPE_AAAA: an IPv6 address
 * @BRAID_DNS_TYPE_OPT: EDNS options (a pseudo-record)
 * @BRAID_DNS_TYPE_ANY: every type (in questions)
 *
 * Record types Braid names (twisted.names' `dns.A`, `dns.AAAA`...). A
 * record of any other type is kept as its raw data.
 */
typedef enum {
  BRAID_DNS_TYPE_A = 1,
  BRAID_DNS_TYPE_NS = 2,
  BRAID_DNS_TYPE_CNAME = 5,
  BRAID_DNS_TYPE_SOA = 6,
  BRAID_DNS_TYPE_PTR = 12,
  BRAID_DNS_TYPE_MX = 15,
  BRAID_DNS_TYPE_TXT = 16,
  BRAID_DNS_TYPE_AAAA = 28,
  BRAID_DNS_TYPE_OPT = 41,
  BRAID_DNS_TYPE_ANY = 255,
} BraidDnsType;

/**
 * BRAID_DNS_CLASS_IN:
 *
 * The Internet class, the only one in use.
 */
#define BRAID_DNS_CLASS_IN 1

/**
 * BraidDnsRcode:
 * @BRAID_DNS_RCODE_OK: no error
 * @BRAID_DNS_RCODE_FORMAT_ERROR: the server could not read the query
 * @BRAID_DNS_RCODE_SERVER_FAILURE: the server could not answer (an
 *   upstream that did not reply)
 * @BRAID_DNS_RCODE_NAME_ERROR: no such name (NXDOMAIN)
 * @BRAID_DNS_RCODE_NOT_IMPLEMENTED: the server does not do that opcode
 * @BRAID_DNS_RCODE_REFUSED: the server will not answer
 *
 * The response codes of a DNS reply.
 */
typedef enum {
  BRAID_DNS_RCODE_OK = 0,
  BRAID_DNS_RCODE_FORMAT_ERROR = 1,
  BRAID_DNS_RCODE_SERVER_FAILURE = 2,
  BRAID_DNS_RCODE_NAME_ERROR = 3,
  BRAID_DNS_RCODE_NOT_IMPLEMENTED = 4,
  BRAID_DNS_RCODE_REFUSED = 5,
} BraidDnsRcode;

/**
 * BRAID_DNS_MAX_NAME_LENGTH:
 *
 * The longest domain name on the wire: 255 bytes, length bytes included.
 */
#define BRAID_DNS_MAX_NAME_LENGTH 255

/**
 * BRAID_DNS_MAX_LABEL_LENGTH:
 *
 * The longest label of a domain name: 63 bytes.
 */
#define BRAID_DNS_MAX_LABEL_LENGTH 63

/**
 * BraidDnsQuestion:
 * @name: the name asked about, dotted, without the final dot (`""` is the
 *   root); bytes that are not printable, dots and backslashes inside a
 *   label are written `\DDD`, `\.` and `\\` as in zone files
 * @type: the record type asked for (a #BraidDnsType or any number)
 * @klass: the class, %BRAID_DNS_CLASS_IN
 *
 * One question of a DNS message.
 */
typedef struct {
  char *name;
  guint16 type;
  guint16 klass;
} BraidDnsQuestion;

/**
 * BraidDnsRecord:
 * @name: the name the record is about, written as a question's name
 * @type: the record type
 * @klass: the class
 * @ttl: seconds the record may be cached
 * @address: (nullable): for A and AAAA records, the address
 * @target: (nullable): for CNAME records, the canonical name
 * @rdata: (nullable): for every other type, the record's data as it was
 *   on the wire
 *
 * One resource record of a DNS message.
 */
typedef struct {
  char *name;
  guint16 type;
  guint16 klass;
  guint32 ttl;
  GInetAddress *address;
  char *target;
  GBytes *rdata;
} BraidDnsRecord;

/**
 * BraidDnsMessage:
 * @id: the query's identifier, copied into its reply
 * @response: %TRUE for a reply (QR)
 * @opcode: the kind of query (0 is a standard query)
 * @authoritative: the answer comes from the name's own server (AA)
 * @truncated: the reply did not fit (TC)
 * @recursion_desired: the client asks the server to resolve for it (RD)
 * @recursion_available: the server resolves for clients (RA)
 * @z: the three bits after RA (Z, AD, CD), kept as they were
 * @rcode: the response code, a #BraidDnsRcode
 * @questions: (element-type BraidDnsQuestion): the questions
 * @answers: (element-type BraidDnsRecord): the answer section
 * @authority: (element-type BraidDnsRecord): the authority section
 * @additional: (element-type BraidDnsRecord): the additional section
 *
 * A DNS message, query or reply: twisted.names' `dns.Message`.
 */
typedef struct {
  guint16 id;
  gboolean response;
  guint8 opcode;
  gboolean authoritative;
  gboolean truncated;
  gboolean recursion_desired;
  gboolean recursion_available;
  guint8 z;
  guint8 rcode;
  GPtrArray *questions;
  GPtrArray *answers;
  GPtrArray *authority;
  GPtrArray *additional;
} BraidDnsMessage;

#define BRAID_TYPE_DNS_MESSAGE (braid_dns_message_get_type ())
GType            braid_dns_message_get_type     (void) G_GNUC_CONST;
BraidDnsMessage *braid_dns_message_new          (void);
BraidDnsMessage *braid_dns_message_new_reply    (const BraidDnsMessage *query);
BraidDnsMessage *braid_dns_message_copy         (const BraidDnsMessage *self);
void             braid_dns_message_free         (BraidDnsMessage       *self);
BraidDnsMessage *braid_dns_message_parse        (const guint8          *data,
                                                 gsize                  len,
                                                 GError               **error);
GBytes          *braid_dns_message_encode       (const BraidDnsMessage *self,
                                                 GError               **error);
void             braid_dns_message_add_question (BraidDnsMessage       *self,
                                                 const char            *name,
                                                 guint16                type);
void             braid_dns_message_add_answer   (BraidDnsMessage       *self,
                                                 BraidDnsRecord        *record);

#define BRAID_TYPE_DNS_RECORD (braid_dns_record_get_type ())
GType            braid_dns_record_get_type      (void) G_GNUC_CONST;
BraidDnsRecord  *braid_dns_record_copy          (const BraidDnsRecord  *self);
BraidDnsRecord  *braid_dns_record_new_address   (const char            *name,
                                                 guint32                ttl,
                                                 GInetAddress          *address);
BraidDnsRecord  *braid_dns_record_new_cname     (const char            *name,
                                                 guint32                ttl,
                                                 const char            *target);
void             braid_dns_record_free          (BraidDnsRecord        *self);

gboolean         braid_dns_name_equal           (const char            *a,
                                                 const char            *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidDnsMessage, braid_dns_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BraidDnsRecord, braid_dns_record_free)

G_END_DECLS
