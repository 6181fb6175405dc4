/* lessons-hints.h: an exercise's hints file, split into hints that the
 * runner hands out one at a time. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GPtrArray *lessons_hints_split (const gchar *markdown);

G_END_DECLS
