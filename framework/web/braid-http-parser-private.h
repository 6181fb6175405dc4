/* braid-http-parser-private.h: the incremental HTTP/1.x message parser
 * shared by the server (requests) and the client (responses).
 *
 * The parser is fed bytes in any split and calls back with each message's
 * head, its body in pieces and its end. It holds at most one message head
 * (bounded by max_head) and never buffers a body. A head that arrives whole
 * in one chunk is parsed from a single copy; the head's strings (method,
 * target, header names and values) live in that copy, NUL-terminated in
 * place, until the next head.
 *
 * Errors carry the HTTP status a server answers with (400, 413, 414, 431,
 * 501, 505); after one the parser consumes nothing more.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BRAID_HTTP_DEFAULT_MAX_REQUEST_LINE 8192
#define BRAID_HTTP_DEFAULT_MAX_HEAD (64 * 1024)
#define BRAID_HTTP_MAX_CHUNK_LINE 1024

typedef enum
{
  BRAID_HTTP_PARSE_REQUEST,
  BRAID_HTTP_PARSE_RESPONSE,
} BraidHttpParseMode;

typedef enum
{
  BRAID_HTTP_STATE_HEAD,
  BRAID_HTTP_STATE_BODY_LENGTH,
  BRAID_HTTP_STATE_CHUNK_SIZE,
  BRAID_HTTP_STATE_CHUNK_DATA,
  BRAID_HTTP_STATE_CHUNK_DATA_END,
  BRAID_HTTP_STATE_TRAILERS,
  BRAID_HTTP_STATE_UNTIL_CLOSE,
  BRAID_HTTP_STATE_ERROR,
} BraidHttpParseState;

typedef struct _BraidHttpParser BraidHttpParser;

typedef struct
{
  /* The head is parsed: the parser's method/target/status/headers are
   * valid. Return FALSE to stop (the rest is not consumed). The callback
   * may set parser->max_body and parser->no_body. */
  gboolean (*head) (BraidHttpParser *parser, gpointer user_data);
  /* A piece of the body. */
  void (*body) (BraidHttpParser *parser, const guint8 *data, gsize len, gpointer user_data);
  /* The message is complete. Return FALSE to stop after it. */
  gboolean (*end) (BraidHttpParser *parser, gpointer user_data);
  /* Bad input: @status is what a server answers. Nothing more is parsed. */
  void (*error) (BraidHttpParser *parser, guint status, const char *reason, gpointer user_data);
} BraidHttpParserCallbacks;

struct _BraidHttpParser
{
  BraidHttpParseMode mode;
  const BraidHttpParserCallbacks *callbacks;
  gpointer user_data;

  /* Limits. */
  gsize max_request_line;
  gsize max_head;
  guint64 max_body;         /* reset to default_max_body for each message */
  guint64 default_max_body;

  /* Set by the head callback of a response parser: no body follows
   * (a reply to HEAD, 1xx, 204, 304). */
  gboolean no_body;

  BraidHttpParseState state;
  GByteArray *partial;      /* a head (or chunk-size line) split across chunks */
  gsize scanned;            /* how much of partial has been searched */
  gboolean first_line_done; /* the head's first line has ended */

  /* The current head, valid from the head callback to the next head. */
  char *head;               /* the head's bytes, NUL-terminated in place */
  gsize head_alloc;
  const char *method;       /* requests */
  const char *target;
  guint status;             /* responses */
  const char *reason;
  guint version_minor;      /* HTTP/1.x */
  GPtrArray *names;         /* lower-cased names, const char *, into head */
  GPtrArray *values;        /* values, trimmed, into head */
  gboolean chunked;
  gboolean has_length;
  guint64 content_length;
  gboolean keep_alive;      /* what the head asks for (version + Connection) */
  gboolean expect_continue;

  guint64 remaining;        /* body or chunk bytes still to come */
  guint64 body_seen;        /* chunked: bytes so far */
};

void         braid_http_parser_init   (BraidHttpParser                *parser,
                                       BraidHttpParseMode              mode,
                                       const BraidHttpParserCallbacks *callbacks,
                                       gpointer                        user_data);
void         braid_http_parser_clear  (BraidHttpParser                *parser);
gsize        braid_http_parser_feed   (BraidHttpParser                *parser,
                                       const guint8                   *data,
                                       gsize                           len);
gboolean     braid_http_parser_eof    (BraidHttpParser                *parser);
gboolean     braid_http_parser_in_message (BraidHttpParser            *parser);
const char  *braid_http_parser_header (BraidHttpParser                *parser,
                                       const char                     *lower_name);

/* Helpers for the server and client. */
gboolean     braid_http_is_token      (const char                     *text,
                                       gsize                           len);
const char  *braid_http_reason_phrase (guint                           status);
gboolean     braid_http_header_has_token (const char                  *value,
                                          const char                  *token);

G_END_DECLS
