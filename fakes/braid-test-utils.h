#pragma once

#include <braid.h>
#include "braid-string-transport.h"

G_BEGIN_DECLS

/**
 * braid_assert_transport_wrote:
 * @transport: a #BraidStringTransport
 * @expected: the NUL-terminated bytes expected
 *
 * Asserts that everything written to @transport since the last clear is
 * exactly @expected (printing both when they differ), then clears it, so
 * the next assertion reads only what comes next.
 */
#define braid_assert_transport_wrote(transport, expected) \
  braid_assert_transport_wrote_full ((transport), (expected), __FILE__, __LINE__, G_STRFUNC)

void braid_assert_transport_wrote_full (BraidStringTransport *transport,
                                        const char           *expected,
                                        const char           *file,
                                        int                   line,
                                        const char           *func);

void braid_test_receive         (BraidProtocol *protocol,
                                 const char    *text);
void braid_test_lose_connection (BraidProtocol *protocol,
                                 gboolean       clean);
GError *braid_test_new_close_reason (gboolean clean);

/**
 * BraidHygieneCheck:
 * @object: a watched object
 *
 * Describes what @object still holds that a finished test should not have
 * left behind.
 *
 * Returns: (transfer full) (nullable): one line per leftover, naming where
 *   each was created, or %NULL if @object is clean
 */
typedef char *(*BraidHygieneCheck) (GObject *object);

void  braid_hygiene_watch           (GObject           *object,
                                     BraidHygieneCheck  check);
void  braid_hygiene_report_leftover (const char        *what);
char *braid_hygiene_collect         (void);

/**
 * braid_assert_no_leftovers:
 *
 * Fails the running test if it left behind a delayed call pending on a
 * fake clock, a loopback connection still open (or either destroyed while
 * still busy), or an unhandled deferred error; names where each leftover
 * was created. [func@Braid.test_add_func] runs it after every test.
 */
#define braid_assert_no_leftovers() \
  braid_assert_no_leftovers_full (__FILE__, __LINE__, G_STRFUNC)

void braid_assert_no_leftovers_full (const char *file,
                                     int         line,
                                     const char *func);

void braid_test_add_func (const char     *testpath,
                          GTestFunc       test_func);

G_END_DECLS
