/* braid-http-parser.c: the incremental HTTP/1.x message parser. */
#include "config.h"

#include <string.h>

#include "web/braid-http-parser-private.h"

void
braid_http_parser_init (BraidHttpParser                *parser,
                        BraidHttpParseMode              mode,
                        const BraidHttpParserCallbacks *callbacks,
                        gpointer                        user_data)
{
  memset (parser, 0, sizeof *parser);
  parser->mode = mode;
  parser->callbacks = callbacks;
  parser->user_data = user_data;
  parser->max_request_line = BRAID_HTTP_DEFAULT_MAX_REQUEST_LINE;
  parser->max_head = BRAID_HTTP_DEFAULT_MAX_HEAD;
  parser->default_max_body = G_MAXUINT64;
  parser->max_body = G_MAXUINT64;
  parser->state = BRAID_HTTP_STATE_HEAD;
  parser->partial = g_byte_array_new ();
  parser->names = g_ptr_array_new ();
  parser->values = g_ptr_array_new ();
}

void
braid_http_parser_clear (BraidHttpParser *parser)
{
  g_clear_pointer (&parser->partial, g_byte_array_unref);
  g_clear_pointer (&parser->names, g_ptr_array_unref);
  g_clear_pointer (&parser->values, g_ptr_array_unref);
  g_clear_pointer (&parser->head, g_free);
}

static void
fail (BraidHttpParser *parser, guint status, const char *reason)
{
  parser->state = BRAID_HTTP_STATE_ERROR;
  g_byte_array_set_size (parser->partial, 0);
  if (parser->callbacks->error != NULL)
    parser->callbacks->error (parser, status, reason, parser->user_data);
}

/* RFC 9110 tchar. */
static const guint8 token_chars[256] = {
  ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1,
  ['+'] = 1, ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1,
  ['~'] = 1,
  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
  ['7'] = 1, ['8'] = 1, ['9'] = 1,
  ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
  ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
  ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
  ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
  ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
  ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
  ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
  ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

gboolean
braid_http_is_token (const char *text, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!token_chars[(guint8) text[i]])
      return FALSE;
  return TRUE;
}

/* Whether the comma-separated list @value holds @token (ASCII case
 * insensitive), as Connection and Transfer-Encoding are written. */
gboolean
braid_http_header_has_token (const char *value, const char *token)
{
  gsize tlen = strlen (token);
  const char *p = value;

  while (p != NULL && *p != '\0')
    {
      const char *end;
      gsize n;

      while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
      end = strchr (p, ',');
      n = end != NULL ? (gsize) (end - p) : strlen (p);
      while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
      if (n == tlen && g_ascii_strncasecmp (p, token, n) == 0)
        return TRUE;
      p = end;
    }
  return FALSE;
}

const char *
braid_http_reason_phrase (guint status)
{
  switch (status)
    {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

const char *
braid_http_parser_header (BraidHttpParser *parser, const char *lower_name)
{
  for (guint i = 0; i < parser->names->len; i++)
    if (strcmp (parser->names->pdata[i], lower_name) == 0)
      return parser->values->pdata[i];
  return NULL;
}

/* Parses "HTTP/1.x" exactly; 505 for another well-formed version. */
static guint
parse_version (BraidHttpParser *parser, const char *text, gsize len)
{
  if (len == 8 && memcmp (text, "HTTP/", 5) == 0 && g_ascii_isdigit (text[5])
      && text[6] == '.' && g_ascii_isdigit (text[7]))
    {
      if (text[5] != '1')
        return 505;
      parser->version_minor = (guint) (text[7] - '0');
      return 0;
    }
  return 400;
}

static guint
parse_start_line (BraidHttpParser *parser, char *line, gsize len, const char **reason)
{
  char *sp1, *sp2;

  if (parser->mode == BRAID_HTTP_PARSE_RESPONSE)
    {
      guint status;

      if (len < 12 || line[8] != ' ' || parse_version (parser, line, 8) != 0
          || !g_ascii_isdigit (line[9]) || !g_ascii_isdigit (line[10])
          || !g_ascii_isdigit (line[11]) || (len > 12 && line[12] != ' '))
        {
          *reason = "malformed status line";
          return 400;
        }
      status = (guint) ((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
      if (status < 100)
        {
          *reason = "malformed status line";
          return 400;
        }
      parser->status = status;
      parser->reason = len > 12 ? line + 13 : line + len;
      line[8] = '\0';
      return 0;
    }

  sp1 = memchr (line, ' ', len);
  if (sp1 == NULL || !braid_http_is_token (line, (gsize) (sp1 - line)))
    {
      *reason = "malformed request line (method)";
      return 400;
    }
  sp2 = memchr (sp1 + 1, ' ', len - (gsize) (sp1 + 1 - line));
  if (sp2 == NULL || sp2 == sp1 + 1)
    {
      *reason = "malformed request line (target)";
      return 400;
    }
  for (const char *c = sp1 + 1; c < sp2; c++)
    if ((guint8) *c <= 0x20 || (guint8) *c == 0x7f)
      {
        *reason = "malformed request line (target)";
        return 400;
      }
  {
    guint status = parse_version (parser, sp2 + 1, len - (gsize) (sp2 + 1 - line));

    if (status != 0)
      {
        *reason = status == 505 ? "HTTP version not supported" : "malformed request line (version)";
        return status;
      }
  }
  *sp1 = '\0';
  *sp2 = '\0';
  parser->method = line;
  parser->target = sp1 + 1;
  return 0;
}

static gboolean
parse_length (const char *value, guint64 *out)
{
  guint64 n = 0;

  if (*value == '\0')
    return FALSE;
  for (const char *c = value; *c != '\0'; c++)
    {
      if (!g_ascii_isdigit (*c) || n > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      n = n * 10 + (guint64) (*c - '0');
    }
  *out = n;
  return TRUE;
}

/* Parses the head in parser->head (length @len, the blank line included);
 * returns 0 or the status of the error. */
static guint
parse_head (BraidHttpParser *parser, gsize len, const char **reason)
{
  char *p = parser->head;
  char *end = parser->head + len;
  gboolean first = TRUE;
  const char *connection = NULL;
  const char *te = NULL;

  g_ptr_array_set_size (parser->names, 0);
  g_ptr_array_set_size (parser->values, 0);
  parser->chunked = FALSE;
  parser->has_length = FALSE;
  parser->content_length = 0;
  parser->expect_continue = FALSE;
  parser->method = parser->target = parser->reason = NULL;
  parser->status = 0;

  if (memchr (p, '\0', len) != NULL)
    {
      *reason = "NUL byte in the head";
      return 400;
    }
  while (p < end)
    {
      char *nl = memchr (p, '\n', (gsize) (end - p));
      char *line_end = nl;
      gsize n;

      g_assert (nl != NULL);
      if (line_end > p && line_end[-1] == '\r')
        line_end--;
      n = (gsize) (line_end - p);
      *line_end = '\0';
      if (memchr (p, '\r', n) != NULL)
        {
          *reason = "bare CR in the head";
          return 400;
        }
      if (n == 0)
        break;   /* the blank line */
      if (first)
        {
          guint status = parse_start_line (parser, p, n, reason);

          if (status != 0)
            return status;
          first = FALSE;
        }
      else
        {
          char *colon, *v, *ve;

          if (*p == ' ' || *p == '\t')
            {
              *reason = "obsolete line folding in the head";
              return 400;
            }
          colon = memchr (p, ':', n);
          if (colon == NULL || !braid_http_is_token (p, (gsize) (colon - p)))
            {
              *reason = "malformed header line";
              return 400;
            }
          *colon = '\0';
          for (char *c = p; c < colon; c++)
            *c = g_ascii_tolower (*c);
          v = colon + 1;
          ve = line_end;
          while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
          while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
          *ve = '\0';
          g_ptr_array_add (parser->names, p);
          g_ptr_array_add (parser->values, v);

          if (strcmp (p, "content-length") == 0)
            {
              guint64 length;

              if (!parse_length (v, &length)
                  || (parser->has_length && length != parser->content_length))
                {
                  *reason = "bad Content-Length";
                  return 400;
                }
              parser->has_length = TRUE;
              parser->content_length = length;
            }
          else if (strcmp (p, "transfer-encoding") == 0)
            {
              if (te != NULL)
                {
                  *reason = "more than one Transfer-Encoding";
                  return 400;
                }
              te = v;
            }
          else if (strcmp (p, "connection") == 0)
            connection = v;
          else if (strcmp (p, "expect") == 0)
            parser->expect_continue = g_ascii_strcasecmp (v, "100-continue") == 0;
        }
      p = nl + 1;
    }

  if (te != NULL)
    {
      if (g_ascii_strcasecmp (te, "chunked") != 0)
        {
          *reason = "unsupported Transfer-Encoding";
          return parser->mode == BRAID_HTTP_PARSE_REQUEST ? 501 : 400;
        }
      if (parser->has_length)
        {
          *reason = "both Content-Length and Transfer-Encoding";
          return 400;
        }
      parser->chunked = TRUE;
    }
  if (parser->version_minor >= 1)
    parser->keep_alive = connection == NULL || !braid_http_header_has_token (connection, "close");
  else
    parser->keep_alive = connection != NULL && braid_http_header_has_token (connection, "keep-alive");
  if (parser->version_minor == 0)
    parser->expect_continue = FALSE;
  return 0;
}

static gboolean
message_end (BraidHttpParser *parser)
{
  parser->state = BRAID_HTTP_STATE_HEAD;
  parser->scanned = 0;
  return parser->callbacks->end (parser, parser->user_data);
}

/* The head was found: bytes [0, len) of @src. Parses it and picks the body
 * state. Returns FALSE to stop. */
static gboolean
head_complete (BraidHttpParser *parser, const guint8 *src, gsize len)
{
  const char *reason = NULL;
  guint status;

  if (parser->head_alloc < len + 1)
    {
      g_free (parser->head);
      parser->head_alloc = MAX (len + 1, 512);
      parser->head = g_malloc (parser->head_alloc);
    }
  memcpy (parser->head, src, len);
  parser->head[len] = '\0';
  status = parse_head (parser, len, &reason);
  if (status != 0)
    {
      fail (parser, status, reason);
      return FALSE;
    }

  parser->max_body = parser->default_max_body;
  parser->no_body = FALSE;
  parser->body_seen = 0;
  if (!parser->callbacks->head (parser, parser->user_data))
    {
      /* The callback may have stopped with an error; else it will resume
       * with the body. */
      if (parser->state == BRAID_HTTP_STATE_ERROR)
        return FALSE;
    }
  if (parser->state == BRAID_HTTP_STATE_ERROR)
    return FALSE;

  if (parser->mode == BRAID_HTTP_PARSE_RESPONSE
      && (parser->no_body || parser->status < 200 || parser->status == 204
          || parser->status == 304))
    return message_end (parser);
  if (parser->chunked)
    {
      parser->state = BRAID_HTTP_STATE_CHUNK_SIZE;
      return TRUE;
    }
  if (parser->has_length)
    {
      if (parser->content_length > parser->max_body)
        {
          fail (parser, 413, "request body larger than the limit");
          return FALSE;
        }
      if (parser->content_length == 0)
        return message_end (parser);
      parser->remaining = parser->content_length;
      parser->state = BRAID_HTTP_STATE_BODY_LENGTH;
      return TRUE;
    }
  if (parser->mode == BRAID_HTTP_PARSE_RESPONSE)
    {
      parser->keep_alive = FALSE;
      parser->state = BRAID_HTTP_STATE_UNTIL_CLOSE;
      return TRUE;
    }
  return message_end (parser);
}

/* Looks for the end of a head in @buf from @from: a line feed followed by
 * an empty line. Returns the head's length, or 0 with *resume set to where
 * to search again once more bytes arrive (or *error set: 414 for a first
 * line over max_request_line, 431 for a head over max_head). */
static gsize
find_head_end (BraidHttpParser *parser, const guint8 *buf, gsize len, gsize from,
               gsize *resume, guint *error)
{
  gsize i = from;

  *error = 0;
  while (i < len)
    {
      const guint8 *nl = memchr (buf + i, '\n', len - i);
      gsize at;

      if (nl == NULL)
        break;
      at = (gsize) (nl - buf);
      if (!parser->first_line_done)
        {
          gsize line_len = at - (at > 0 && buf[at - 1] == '\r' ? 1 : 0);

          if (line_len > parser->max_request_line)
            {
              *error = 414;
              return 0;
            }
          parser->first_line_done = TRUE;
        }
      if (at + 1 >= len || (buf[at + 1] == '\r' && at + 2 >= len))
        {
          *resume = at;
          goto incomplete;
        }
      if (buf[at + 1] == '\n' || (buf[at + 1] == '\r' && buf[at + 2] == '\n'))
        {
          gsize head_len = at + (buf[at + 1] == '\n' ? 2 : 3);

          if (head_len > parser->max_head)
            {
              *error = 431;
              return 0;
            }
          return head_len;
        }
      i = at + 1;
    }
  *resume = len;
  if (!parser->first_line_done && len > parser->max_request_line + 1)
    {
      *error = 414;
      return 0;
    }
incomplete:
  if (len > parser->max_head)
    *error = 431;
  return 0;
}

static gsize
feed_head (BraidHttpParser *parser, const guint8 *data, gsize len, gboolean *stop)
{
  gsize pos = 0;
  gsize head_len, resume = 0;
  guint error;

  if (parser->partial->len == 0)
    {
      /* Empty lines before a request line are ignored (RFC 9112 2.2). */
      while (pos < len && (data[pos] == '\r' || data[pos] == '\n'))
        pos++;
      if (pos == len)
        return len;
      parser->first_line_done = FALSE;
      head_len = find_head_end (parser, data + pos, len - pos, 0, &resume, &error);
      if (head_len > 0)
        {
          *stop = !head_complete (parser, data + pos, head_len);
          return pos + head_len;
        }
      if (error != 0)
        {
          fail (parser, error, error == 414 ? "request line too long" : "head too large");
          *stop = TRUE;
          return pos;
        }
      g_byte_array_append (parser->partial, data + pos, (guint) (len - pos));
      parser->scanned = resume;
      return len;
    }

  {
    gsize old = parser->partial->len;
    gsize take = MIN (len, parser->max_head + 4 - MIN (old, parser->max_head));

    g_byte_array_append (parser->partial, data, (guint) take);
    head_len = find_head_end (parser, parser->partial->data, parser->partial->len,
                              parser->scanned, &resume, &error);
    if (head_len > 0)
      {
        g_autoptr (GByteArray) held = g_steal_pointer (&parser->partial);

        parser->partial = g_byte_array_new ();
        g_assert (head_len > old);
        *stop = !head_complete (parser, held->data, head_len);
        return head_len - old;
      }
    if (error != 0)
      {
        fail (parser, error, error == 414 ? "request line too long" : "head too large");
        *stop = TRUE;
        return 0;
      }
    parser->scanned = resume;
    return take;
  }
}

/* A CRLF- (or LF-) terminated line for the chunked states, possibly
 * assembled in partial. Returns TRUE with *line / *line_len (without the
 * line end) once it is complete; *consumed says how much of @data went. */
static gboolean
take_line (BraidHttpParser *parser, const guint8 *data, gsize len, gsize limit,
           gsize *consumed, const char **line, gsize *line_len, gboolean *too_long)
{
  const guint8 *nl = memchr (data, '\n', len);
  gsize n;

  *too_long = FALSE;
  if (nl == NULL)
    {
      if (parser->partial->len + len > limit)
        {
          *too_long = TRUE;
          *consumed = 0;
          return FALSE;
        }
      g_byte_array_append (parser->partial, data, (guint) len);
      *consumed = len;
      return FALSE;
    }
  n = (gsize) (nl - data);
  *consumed = n + 1;
  if (parser->partial->len > 0)
    {
      if (parser->partial->len + n > limit)
        {
          *too_long = TRUE;
          return FALSE;
        }
      g_byte_array_append (parser->partial, data, (guint) n);
      *line = (const char *) parser->partial->data;
      *line_len = parser->partial->len;
    }
  else
    {
      if (n > limit)
        {
          *too_long = TRUE;
          return FALSE;
        }
      *line = (const char *) data;
      *line_len = n;
    }
  if (*line_len > 0 && (*line)[*line_len - 1] == '\r')
    (*line_len)--;
  return TRUE;
}

static gboolean
parse_chunk_size (const char *line, gsize len, guint64 *size)
{
  guint64 n = 0;
  gsize i = 0;

  for (; i < len && g_ascii_isxdigit (line[i]); i++)
    {
      if (i >= 15)
        return FALSE;
      n = n * 16 + (guint64) g_ascii_xdigit_value (line[i]);
    }
  if (i == 0)
    return FALSE;
  while (i < len && (line[i] == ' ' || line[i] == '\t'))
    i++;
  if (i < len && line[i] != ';')
    return FALSE;
  for (; i < len; i++)
    if (line[i] == '\r' || line[i] == '\0')
      return FALSE;
  *size = n;
  return TRUE;
}

/**
 * braid_http_parser_feed: (skip)
 * @parser: a parser
 * @data: bytes received
 * @len: how many
 *
 * Parses as much of @data as it can. Returns how many bytes it consumed:
 * all of them, unless a callback asked to stop or the input was bad.
 */
gsize
braid_http_parser_feed (BraidHttpParser *parser, const guint8 *data, gsize len)
{
  gsize pos = 0;
  gboolean stop = FALSE;

  while (pos < len && !stop)
    {
      const guint8 *d = data + pos;
      gsize avail = len - pos;
      gsize consumed = 0;
      const char *line = NULL;
      gsize line_len = 0;
      gboolean too_long;

      switch (parser->state)
        {
        case BRAID_HTTP_STATE_HEAD:
          pos += feed_head (parser, d, avail, &stop);
          break;

        case BRAID_HTTP_STATE_BODY_LENGTH:
        case BRAID_HTTP_STATE_CHUNK_DATA:
          {
            gsize n = (gsize) MIN ((guint64) avail, parser->remaining);

            parser->remaining -= n;
            pos += n;
            if (parser->callbacks->body != NULL)
              parser->callbacks->body (parser, d, n, parser->user_data);
            if (parser->state == BRAID_HTTP_STATE_ERROR)
              return pos;
            if (parser->remaining == 0)
              {
                if (parser->state == BRAID_HTTP_STATE_CHUNK_DATA)
                  parser->state = BRAID_HTTP_STATE_CHUNK_DATA_END;
                else
                  stop = !message_end (parser);
              }
          }
          break;

        case BRAID_HTTP_STATE_UNTIL_CLOSE:
          pos = len;
          if (parser->callbacks->body != NULL)
            parser->callbacks->body (parser, d, avail, parser->user_data);
          break;

        case BRAID_HTTP_STATE_CHUNK_SIZE:
        case BRAID_HTTP_STATE_CHUNK_DATA_END:
        case BRAID_HTTP_STATE_TRAILERS:
          {
            gsize limit = parser->state == BRAID_HTTP_STATE_TRAILERS
                          ? parser->max_head : BRAID_HTTP_MAX_CHUNK_LINE;
            gboolean complete = take_line (parser, d, avail, limit, &consumed,
                                           &line, &line_len, &too_long);
            guint64 size;

            if (too_long)
              {
                if (parser->state == BRAID_HTTP_STATE_TRAILERS)
                  fail (parser, 431, "trailers too large");
                else
                  fail (parser, 400, "chunk size line too long");
                return pos;
              }
            pos += consumed;
            if (!complete)
              break;
            if (parser->state == BRAID_HTTP_STATE_CHUNK_DATA_END)
              {
                g_byte_array_set_size (parser->partial, 0);
                if (line_len != 0)
                  {
                    fail (parser, 400, "chunk data not followed by CRLF");
                    return pos;
                  }
                parser->state = BRAID_HTTP_STATE_CHUNK_SIZE;
                break;
              }
            if (parser->state == BRAID_HTTP_STATE_TRAILERS)
              {
                parser->body_seen += line_len + 2;
                g_byte_array_set_size (parser->partial, 0);
                if (line_len == 0)
                  stop = !message_end (parser);
                else if (parser->body_seen > parser->max_head)
                  {
                    fail (parser, 431, "trailers too large");
                    return pos;
                  }
                break;
              }
            if (!parse_chunk_size (line, line_len, &size))
              {
                g_byte_array_set_size (parser->partial, 0);
                fail (parser, 400, "malformed chunk size");
                return pos;
              }
            g_byte_array_set_size (parser->partial, 0);
            if (size == 0)
              {
                parser->state = BRAID_HTTP_STATE_TRAILERS;
                parser->body_seen = 0;
                break;
              }
            if (size > parser->max_body || parser->body_seen > parser->max_body - size)
              {
                fail (parser, 413, "request body larger than the limit");
                return pos;
              }
            parser->body_seen += size;
            parser->remaining = size;
            parser->state = BRAID_HTTP_STATE_CHUNK_DATA;
          }
          break;

        case BRAID_HTTP_STATE_ERROR:
        default:
          return pos;
        }
    }
  return pos;
}

/**
 * braid_http_parser_eof: (skip)
 * @parser: a parser
 *
 * The connection closed: ends a body read until the close. Returns TRUE if
 * a message ended there, FALSE if a message was cut short (or none began).
 */
gboolean
braid_http_parser_eof (BraidHttpParser *parser)
{
  if (parser->state == BRAID_HTTP_STATE_UNTIL_CLOSE)
    {
      message_end (parser);
      return TRUE;
    }
  return FALSE;
}

/* Whether part of a message has been received and not all of it. */
gboolean
braid_http_parser_in_message (BraidHttpParser *parser)
{
  if (parser->state == BRAID_HTTP_STATE_HEAD)
    return parser->partial->len > 0;
  return parser->state != BRAID_HTTP_STATE_ERROR;
}
