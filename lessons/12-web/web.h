/* web.h: lesson 12's web pages, shared by the program, the tests and the
 * exercise: the seeds' clock page, their busy page twice (blocking, then
 * asynchronous), static files, and the site that holds them. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* How long the busy pages take, unless told otherwise: the seeds' 5 s. */
#define WEB_BUSY_SECONDS 5.0

/* How long /greet-later/NAME takes (the exercise). */
#define GREET_LATER_SECONDS 1.0

/* Blocks the thread for @seconds: g_usleep in the program; in a test, a
 * fake that moves the fake clock, since the test must not wait. */
typedef void (*WebSleepFunc) (gdouble seconds, gpointer user_data);

/* What the pages need to tell the time. Braid's reactor counts seconds on a
 * monotonic clock that starts anywhere; @epoch is the wall-clock time, in
 * seconds since 1970, when @clock read 0, so a page's "now" is
 * epoch + braid_clock_seconds (clock). */
typedef struct
{
  BraidClock *clock;
  gdouble epoch;
} WebTime;

WebTime        web_time_for_clock         (BraidClock     *clock);
char          *web_time_format_now        (const WebTime  *time);

BraidResource *web_clock_page_new         (const WebTime  *time);
BraidResource *web_busy_blocking_page_new (const WebTime  *time,
                                           gdouble         seconds,
                                           WebSleepFunc    sleep,
                                           gpointer        sleep_data);
BraidResource *web_busy_page_new          (const WebTime  *time,
                                           gdouble         seconds);

/* The whole site: what `web-server` serves. */
typedef struct
{
  WebTime time;
  gdouble busy_seconds;       /* how long the busy pages take */
  WebSleepFunc sleep;         /* NULL: g_usleep */
  gpointer sleep_data;
  const char *files;          /* the directory /files/ serves */
} WebOptions;

void                web_options_init  (WebOptions   *options,
                                       BraidClock   *clock,
                                       const char   *files);
BraidResource      *web_root_new      (const WebOptions *options);
BraidSite          *web_site_new      (const WebOptions *options);
BraidListeningPort *web_server_listen (BraidReactor     *reactor,
                                       guint16           port,
                                       const WebOptions *options,
                                       GError          **error);

/* The exercise (exercise/greet.c): a resource with a child per path
 * segment. /greet/NAME answers "Hello, NAME!" at once, /greet-later/NAME
 * the same after @delay seconds on @clock. */
#define GREET_TYPE_RESOURCE (greet_resource_get_type ())
G_DECLARE_FINAL_TYPE (GreetResource, greet_resource, GREET, RESOURCE, BraidResource)

BraidResource *greet_resource_new (BraidClock *clock,
                                   gdouble     delay);

G_END_DECLS
