/* web.c: lesson 12, the web -- the seeds' twisted.web pages in Braid: the
 * clock page, the busy page that blocks every client, the busy page that
 * does not (BRAID_NOT_DONE_YET and braid_defer_later), and a directory of
 * files, under one root served by a BraidSite. */
#include <math.h>
#include <string.h>

#include "web.h"

/**
 * web_time_for_clock:
 * @clock: the reactor (or any clock that runs in real time)
 *
 * Ties @clock to the wall clock: the epoch is now, in seconds since 1970,
 * minus what @clock reads now.
 *
 * Returns: the time the pages tell
 */
WebTime
web_time_for_clock (BraidClock *clock)
{
  WebTime time = { clock, 0 };

  time.epoch = g_get_real_time () / (gdouble) G_USEC_PER_SEC - braid_clock_seconds (clock);
  return time;
}

/**
 * web_time_format_now:
 * @time: a clock and its epoch
 *
 * Formats the time now, on @time's clock, as HTTP does (`Thu, 03 Dec 2026
 * 03:45:00 GMT`: English, and the same on every machine).
 *
 * Returns: (transfer full): the time
 */
char *
web_time_format_now (const WebTime *time)
{
  g_return_val_if_fail (time != NULL && time->clock != NULL, NULL);
  return braid_http_date ((gint64) floor (time->epoch + braid_clock_seconds (time->clock)));
}

/* What a page keeps: how to tell the time, and how long it is busy. The
 * clock is not kept alive: the reactor keeps its ports, the ports their
 * site, the site these pages; a reference back to the reactor would be a
 * cycle that nothing frees (BraidFactory's clock is weak for the same
 * reason). */
typedef struct
{
  WebTime time;
  gdouble seconds;
  WebSleepFunc sleep;
  gpointer sleep_data;
} Page;

static Page *
page_new (const WebTime *time, gdouble seconds)
{
  Page *page = g_new0 (Page, 1);

  page->time = *time;
  page->seconds = seconds;
  g_object_add_weak_pointer (G_OBJECT (page->time.clock), (gpointer *) &page->time.clock);
  return page;
}

static void
page_free (gpointer data)
{
  Page *page = data;

  if (page->time.clock != NULL)
    g_object_remove_weak_pointer (G_OBJECT (page->time.clock), (gpointer *) &page->time.clock);
  g_free (page);
}

static GBytes *
text_body (BraidRequest *request, char *text)
{
  braid_request_set_header (request, "Content-Type", "text/plain; charset=utf-8");
  return g_bytes_new_take (text, strlen (text));
}

/* Step 1: the clock page. */
static GBytes *
render_clock (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  Page *page = user_data;
  g_autofree char *now = web_time_format_now (&page->time);

  return text_body (request, g_strdup_printf ("The time is %s\n", now));
}

/**
 * web_clock_page_new:
 * @time: how to tell the time
 *
 * The seeds' `ClockPage`: a leaf whose GET answers the time now.
 *
 * Returns: (transfer full): the page
 */
BraidResource *
web_clock_page_new (const WebTime *time)
{
  BraidResource *clock_page = braid_resource_new ();

  braid_resource_set_is_leaf (clock_page, TRUE);
  braid_resource_set_render_func (clock_page, "GET", render_clock, page_new (time, 0), page_free);
  return clock_page;
}

static char *
finally_done (const WebTime *time)
{
  g_autofree char *now = web_time_format_now (time);

  return g_strdup_printf ("Finally done, at %s\n", now);
}

/* Step 2: the busy page, blocking. */
static GBytes *
render_busy_blocking (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  Page *page = user_data;

  /* The seeds' time.sleep(5): the reactor's only thread stops here, and
   * every other client waits with it. */
  page->sleep (page->seconds, page->sleep_data);
  return text_body (request, finally_done (&page->time));
}

static void
real_sleep (gdouble seconds, gpointer unused)
{
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
}

/**
 * web_busy_blocking_page_new:
 * @time: how to tell the time
 * @seconds: how long a render blocks
 * @sleep: (nullable): what blocks: %NULL for g_usleep
 * @sleep_data: given to @sleep
 *
 * The seeds' blocking `BusyPage`: its render sleeps, then answers
 * "Finally done". Never do this in a server: while it sleeps, nobody is
 * served.
 *
 * Returns: (transfer full): the page
 */
BraidResource *
web_busy_blocking_page_new (const WebTime *time, gdouble seconds, WebSleepFunc sleep,
                            gpointer sleep_data)
{
  BraidResource *busy = braid_resource_new ();
  Page *page = page_new (time, seconds);

  page->sleep = sleep != NULL ? sleep : real_sleep;
  page->sleep_data = sleep_data;
  braid_resource_set_is_leaf (busy, TRUE);
  braid_resource_set_render_func (busy, "GET", render_busy_blocking, page, page_free);
  return busy;
}

/* Step 2 again: the busy page, asynchronous. One Busy per request waiting
 * for its answer. */
typedef struct
{
  BraidResource *resource;    /* keeps the page (and its Page) alive */
  BraidRequest *request;
  Page *page;
} Busy;

static void
busy_free (gpointer data)
{
  Busy *busy = data;

  g_object_unref (busy->request);
  g_object_unref (busy->resource);
  g_free (busy);
}

/* The seeds' _delayedRender: the time has come; answer, and finish. */
static void
busy_answer (BraidResult *result, gpointer data)
{
  Busy *busy = data;
  g_autofree char *text = finally_done (&busy->page->time);

  braid_request_set_header (busy->request, "Content-Type", "text/plain; charset=utf-8");
  braid_request_write_string (busy->request, text);
  braid_request_finish (busy->request);
}

/* The timer was cancelled (the client went away): nothing to answer. */
static void
busy_cancelled (BraidResult *result, gpointer data)
{
  braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The client went away before the answer: stop waiting for the timer. */
static void
busy_client_gone (BraidResult *result, gpointer later)
{
  braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  braid_deferred_cancel (later);
}

static GBytes *
render_busy (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  Busy *busy = g_new0 (Busy, 1);
  g_autoptr (BraidDeferred) later = NULL;
  g_autoptr (BraidDeferred) finished = NULL;

  busy->resource = g_object_ref (resource);
  busy->request = g_object_ref (request);
  busy->page = user_data;
  later = braid_defer_later (busy->page->time.clock, busy->page->seconds, NULL, NULL, NULL);
  braid_deferred_add_callbacks (later, busy_answer, busy_cancelled, busy, busy_free);
  finished = braid_request_notify_finish (request);
  braid_deferred_add_errback (finished, busy_client_gone, braid_deferred_ref (later),
                              (GDestroyNotify) braid_deferred_unref);
  return BRAID_NOT_DONE_YET;
}

/**
 * web_busy_page_new:
 * @time: how to tell the time
 * @seconds: how long until the answer
 *
 * The seeds' non-blocking `BusyPage`: its render returns
 * %BRAID_NOT_DONE_YET at once, and answers @seconds later from
 * braid_defer_later(). If the client goes away first, the pending call is
 * cancelled.
 *
 * Returns: (transfer full): the page
 */
BraidResource *
web_busy_page_new (const WebTime *time, gdouble seconds)
{
  BraidResource *busy = braid_resource_new ();

  braid_resource_set_is_leaf (busy, TRUE);
  braid_resource_set_render_func (busy, "GET", render_busy, page_new (time, seconds), page_free);
  return busy;
}

/* The root page: where to go. */
static GBytes *
render_index (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  static const char index[] =
    "<!DOCTYPE html>\n<title>Lesson 12: the web</title>\n<ul>\n"
    "  <li><a href=\"/clock\">/clock</a>: the time</li>\n"
    "  <li><a href=\"/busy-blocking\">/busy-blocking</a>: busy, and everyone waits</li>\n"
    "  <li><a href=\"/busy\">/busy</a>: busy, and nobody else waits</li>\n"
    "  <li><a href=\"/files/\">/files/</a>: the files</li>\n"
    "  <li><a href=\"/greet/you\">/greet/NAME</a> and "
    "<a href=\"/greet-later/you\">/greet-later/NAME</a>: the exercise</li>\n"
    "</ul>\n";

  braid_request_set_header (request, "Content-Type", "text/html; charset=utf-8");
  return g_bytes_new_static (index, sizeof index - 1);
}

/**
 * web_options_init:
 * @options: the options to fill
 * @clock: the reactor
 * @files: the directory /files/ serves
 *
 * Fills @options as the program runs: the time on @clock, the seeds' 5
 * seconds of busy, a real sleep.
 */
void
web_options_init (WebOptions *options, BraidClock *clock, const char *files)
{
  memset (options, 0, sizeof *options);
  options->time = web_time_for_clock (clock);
  options->busy_seconds = WEB_BUSY_SECONDS;
  options->files = files;
}

/**
 * web_root_new:
 * @options: the pages' options
 *
 * The tree: `/` (an index), `/clock`, `/busy-blocking`, `/busy`,
 * `/files/` (the directory @options->files), and the exercise's
 * `/greet/NAME` and `/greet-later/NAME`.
 *
 * Returns: (transfer full): the root
 */
BraidResource *
web_root_new (const WebOptions *options)
{
  BraidResource *root = braid_resource_new ();
  g_autoptr (BraidResource) index = braid_resource_new ();
  g_autoptr (BraidResource) clock_page = web_clock_page_new (&options->time);
  g_autoptr (BraidResource) blocking = web_busy_blocking_page_new (&options->time, options->busy_seconds,
                                                                   options->sleep, options->sleep_data);
  g_autoptr (BraidResource) busy = web_busy_page_new (&options->time, options->busy_seconds);
  g_autoptr (BraidResource) files = braid_file_resource_new (options->files);
  g_autoptr (BraidResource) greet = greet_resource_new (options->time.clock, 0);
  g_autoptr (BraidResource) greet_later = greet_resource_new (options->time.clock, GREET_LATER_SECONDS);

  braid_resource_set_render_func (index, "GET", render_index, NULL, NULL);
  braid_resource_put_child (root, "", index);
  braid_resource_put_child (root, "clock", clock_page);
  braid_resource_put_child (root, "busy-blocking", blocking);
  braid_resource_put_child (root, "busy", busy);
  braid_resource_put_child (root, "files", files);
  braid_resource_put_child (root, "greet", greet);
  braid_resource_put_child (root, "greet-later", greet_later);
  return root;
}

/**
 * web_site_new:
 * @options: the pages' options
 *
 * A site over [func@web_root_new]'s tree, its timeouts on the pages'
 * clock.
 *
 * Returns: (transfer full): the site
 */
BraidSite *
web_site_new (const WebOptions *options)
{
  g_autoptr (BraidResource) root = web_root_new (options);
  BraidSite *site = braid_site_new (root);

  braid_factory_set_clock (BRAID_FACTORY (site), options->time.clock);
  return site;
}

/**
 * web_server_listen:
 * @reactor: the reactor to listen with (the pages' clock is in @options)
 * @port: the TCP port, or 0 to let the system choose one
 * @options: the pages' options
 * @error: return location for a #GError
 *
 * Listens on 127.0.0.1:@port with [func@web_site_new]'s site, logging a
 * line per request.
 *
 * Returns: (transfer none) (nullable): the listening port, owned by
 *   @reactor; %NULL with @error set if the port could not be opened
 */
BraidListeningPort *
web_server_listen (BraidReactor *reactor, guint16 port, const WebOptions *options, GError **error)
{
  g_autoptr (BraidSite) site = web_site_new (options);

  braid_site_set_access_log (site, TRUE);
  return braid_reactor_listen_tcp (reactor, port, BRAID_FACTORY (site), "127.0.0.1", error);
}
