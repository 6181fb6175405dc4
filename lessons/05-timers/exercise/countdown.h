/* countdown.h: lesson 05's exercise. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* Counts down from @from, one number per second, on @clock: writes
 * "3\n", "2\n", "1\n" (for @from = 3) into @out, one second apart (the
 * first one second after the start), then "liftoff!\n" one second after
 * the last number, and calls @done (with @done_data) once, when it is
 * all over. No timer may be left pending afterwards. */
BraidLoopingCall *countdown_start (BraidClock    *clock,
                                   guint          from,
                                   GString       *out,
                                   BraidCallFunc  done,
                                   gpointer       done_data);

G_END_DECLS
