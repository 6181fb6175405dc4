/* test-helpers.c: what lesson 12's tests (test-web.c) and its exercise's
 * check (check/check-greet.c) share. */
#include "check-assertions.h"
#include "test-helpers.h"

BraidFakeRequest *
web_test_get (BraidResource *root, const char *uri)
{
  BraidFakeRequest *request = braid_fake_request_new ("GET", uri);

  braid_request_process (BRAID_REQUEST (request), root);
  return request;
}

/* What @request has answered so far, for a message: "200 \"Hello\"". */
static char *
describe (BraidFakeRequest *request)
{
  BraidRequest *base = BRAID_REQUEST (request);
  g_autoptr (GBytes) written = braid_fake_request_get_written (request);
  gsize len;
  const guint8 *data = g_bytes_get_data (written, &len);
  g_autofree char *text = check_escape_bytes (data, len);

  if (!braid_request_is_finished (base) && len == 0)
    return g_strdup ("no answer yet");
  return g_strdup_printf ("%u %s%s", braid_request_get_response_code (base), text,
                          braid_request_is_finished (base) ? "" : " (not finished)");
}

static void
fail (BraidFakeRequest *request, const char *reason, const char *expected,
      const char *file, int line, const char *func)
{
  g_autofree char *got = describe (request);
  g_autofree char *message = g_strdup_printf ("%s: GET %s: expected %s, got %s", reason,
                                              braid_request_get_uri (BRAID_REQUEST (request)),
                                              expected, got);

  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
}

void
web_assert_answer_at (BraidFakeRequest *request, guint code, const char *body, const char *reason,
                      const char *file, int line, const char *func)
{
  BraidRequest *base = BRAID_REQUEST (request);
  g_autoptr (GBytes) written = braid_fake_request_get_written (request);
  g_autoptr (GBytes) expected = g_bytes_new_static (body, strlen (body));

  if (!braid_request_is_finished (base) || braid_request_get_response_code (base) != code
      || !g_bytes_equal (written, expected))
    {
      g_autofree char *text = check_escape_bytes ((const guint8 *) body, strlen (body));
      g_autofree char *want = g_strdup_printf ("%u %s", code, text);

      fail (request, reason, want, file, line, func);
    }
}

void
web_assert_waiting_at (BraidFakeRequest *request, const char *reason,
                       const char *file, int line, const char *func)
{
  g_autoptr (GBytes) written = braid_fake_request_get_written (request);

  if (braid_request_is_finished (BRAID_REQUEST (request)) || g_bytes_get_size (written) != 0)
    fail (request, reason, "no answer yet", file, line, func);
}
