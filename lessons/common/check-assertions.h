/* check-assertions.h: assertions for the exercises' checks, written for the
 * learner who reads their failure.
 *
 * `g_assert_cmpmem` says `(1 == 3)`; these say why the check exists, what it
 * sent, what it expected and what came back, with every byte visible
 * (`\0`, `\r\n`, `\xc3`), all on one line and in ASCII (GLib would turn
 * other characters into "?" in a C locale), at the line of the check that
 * called them (like GLib's g_assert_* macros, they pass __FILE__/__LINE__). */
#pragma once

#include <string.h>

#include <braid-fakes.h>

G_BEGIN_DECLS

/* @len bytes as C would write them in a string: printable ASCII as is,
 * everything else escaped. Unlike g_strescape, a NUL does not end it. */
static inline gchar *
check_escape_bytes (const guint8 *bytes, gsize len)
{
  GString *out = g_string_new ("\"");

  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = bytes[i];

      if (byte == '\n')
        g_string_append (out, "\\n");
      else if (byte == '\r')
        g_string_append (out, "\\r");
      else if (byte == '\t')
        g_string_append (out, "\\t");
      else if (byte == '"' || byte == '\\')
        g_string_append_printf (out, "\\%c", byte);
      else if (byte >= 0x20 && byte < 0x7f)
        g_string_append_c (out, (gchar) byte);
      else
        g_string_append_printf (out, "\\x%02x", byte);
    }
  g_string_append_c (out, '"');
  return g_string_free (out, FALSE);
}

static inline void
check_assert_wrote_at (BraidStringTransport *transport, const void *sent, gsize sent_len,
                       const void *expected, gsize expected_len, const char *reason,
                       const char *file, int line, const char *func)
{
  gsize got_len = 0;
  const char *got;

  got = braid_string_transport_peek (transport, &got_len);
  if (got_len != expected_len || memcmp (got, expected, got_len) != 0)
    {
      g_autofree gchar *sent_text = check_escape_bytes (sent, sent_len);
      g_autofree gchar *expected_text = check_escape_bytes (expected, expected_len);
      g_autofree gchar *got_text = check_escape_bytes ((const guint8 *) got, got_len);
      g_autofree gchar *message =
        g_strdup_printf ("%s: sent %s, expected %s back, got %s", reason, sent_text,
                         expected_text, got_text);

      g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
      return;
    }
  braid_string_transport_clear (transport);
}

static inline void
check_assert_answer_at (BraidProtocol *protocol, BraidStringTransport *transport,
                        const void *sent, gsize sent_len,
                        const void *expected, gsize expected_len, const char *reason,
                        const char *file, int line, const char *func)
{
  braid_protocol_data_received (protocol, sent, sent_len);
  check_assert_wrote_at (transport, sent, sent_len, expected, expected_len, reason,
                         file, line, func);
}

/**
 * check_assert_wrote:
 * @transport: a string transport
 * @sent: what the check delivered (however it delivered it), to show
 * @sent_len: how many bytes
 * @expected: the bytes the protocol must have written, and nothing more
 * @expected_len: how many
 * @reason: the check's one-line reason, shown when it fails
 *
 * Asserts that the protocol wrote exactly @expected since the last check,
 * then forgets it; a failure quotes @sent.
 */
#define check_assert_wrote(transport, sent, sent_len, expected, expected_len, reason)  \
  check_assert_wrote_at ((transport), (sent), (sent_len), (expected), (expected_len),   \
                         (reason), __FILE__, __LINE__, G_STRFUNC)

/**
 * check_assert_answer:
 * @protocol: a connected protocol
 * @transport: its string transport
 * @sent: the bytes to deliver (`data_received`)
 * @sent_len: how many
 * @expected: the bytes the protocol must write back, and nothing more
 * @expected_len: how many
 * @reason: the check's one-line reason, shown when it fails
 *
 * Delivers @sent to @protocol and asserts that it wrote exactly @expected,
 * then forgets what it wrote.
 */
#define check_assert_answer(protocol, transport, sent, sent_len, expected, expected_len, reason) \
  check_assert_answer_at ((protocol), (transport), (sent), (sent_len), (expected),              \
                          (expected_len), (reason), __FILE__, __LINE__, G_STRFUNC)

/**
 * check_assert_answer_str:
 * @protocol: a connected protocol
 * @transport: its string transport
 * @sent: the text to deliver (its NUL is not sent)
 * @expected: the text it must write back
 * @reason: the check's one-line reason
 *
 * check_assert_answer() for text without NULs.
 */
#define check_assert_answer_str(protocol, transport, sent, expected, reason)                \
  check_assert_answer_at ((protocol), (transport), (sent), strlen (sent), (expected),       \
                          strlen (expected), (reason), __FILE__, __LINE__, G_STRFUNC)

G_END_DECLS
