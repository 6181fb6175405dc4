/* fuzz-lessons-output.c: libFuzzer target for the runner's readers of
 * untrusted text — the compiler's and the check's output (which a learner's
 * program writes) and hints files.
 *
 * The first byte picks the reader (modulo 5: 0 the compiler's output, 1 a
 * check's, 2 hints, 3 gdb's backtrace of a crash, 4 a check's output against
 * what was already shown) and, for a check's output, how the check ended;
 * the rest is the text. Every reader must return a result with a
 * one-line message, whatever the bytes. */
#include <stdint.h>

#include "lessons-check.h"
#include "lessons-hints.h"
#include "lessons-tests.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
read_as_check_output (const gchar *text, guint8 how)
{
  /* 0: exited 0; 1: exited 1; 2: killed by SIGABRT; 3: timed out. */
  static const gint statuses[] = { 0, 1 << 8, 6, 9 };
  const gchar *names[] = { "/a", "/b", NULL };
  LessonsCheckResult *result =
    lessons_summarize_test (text, statuses[how % 4], how % 4 == 3, 30, names, "/src/build", "/src");

  g_assert_nonnull (result->message);
  g_assert_cmpint (result->status, !=, LESSONS_STATUS_PENDING);
  lessons_check_result_free (result);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree gchar *text = NULL;
  guint8 selector;

  if (size == 0)
    return 0;
  selector = data[0];
  /* The runner hands these readers valid UTF-8 (g_utf8_make_valid). */
  text = g_utf8_make_valid ((const gchar *) data + 1, (gssize) size - 1);
  switch (selector % 5)
    {
    case 0:
      {
        LessonsCheckResult *result = lessons_summarize_build (text, "/src/build", "/src");

        g_assert_nonnull (result->message);
        lessons_check_result_free (result);
        break;
      }
    case 1:
      read_as_check_output (text, selector / 5);
      break;
    case 2:
      g_ptr_array_unref (lessons_hints_split (text));
      break;
    case 3:
      /* The learner's file does not exist here: the line's code is left out. */
      g_free (lessons_explain_crash (text, "/src/lessons/01-echo/exercise/shout.c",
                                     "/src/build", "/src"));
      break;
    default:
      g_free (lessons_output_not_yet_shown (text, "ERROR:x.c:1:f: shown\n"));
      g_free (lessons_test_reason (text, "/nonexistent/build"));
      break;
    }
  return 0;
}
