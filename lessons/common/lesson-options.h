/* lesson-options.h: the command line every lesson program shares.
 *
 * Every lesson program is started the same way: `--port N` (default: the
 * port its README uses) and `--help`. The parsing is GLib's GOptionContext;
 * lesson 01's README walks through it once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean lesson_parse_options (int          *argc,
                               char       ***argv,
                               const char   *summary,
                               guint16      *port,
                               GOptionEntry *extra_entries,
                               GError      **error);

G_END_DECLS
