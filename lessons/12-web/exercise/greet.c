/* greet.c: lesson 12's exercise -- a resource with a child per path
 * segment, and one asynchronous page.
 *
 * The site puts two GreetResources in its tree, at /greet and at
 * /greet-later. Make them answer:
 *
 *   GET /greet/alice         Hello, alice!         (at once)
 *   GET /greet/J%C3%BCrgen   Hello, Jürgen!        (segments arrive decoded)
 *   GET /greet-later/bob     Hello, bob!           (one second later, on the clock)
 *   GET /greet/              404                   (no name)
 *
 * Today every name is a 404: /greet has no children. Your part, at the
 * three EXERCISE marks:
 *
 * 1. greet_resource_get_child: a child for each segment, which knows its
 *    name (Twisted's getChild);
 * 2. render_greeting: when the resource has a delay, answer later, as
 *    web.c's /busy page does (braid_defer_later, BRAID_NOT_DONE_YET);
 * 3. client_gone: when the client goes away first, cancel the timer, so
 *    nothing is left waiting for nobody.
 *
 * Check your work with `tools/start check 12` (by hand:
 * `ninja -C build lessons/check-12-web && build/lessons/check-12-web`).
 * Stuck? `tools/start hint 12`. */
#include <string.h>

#include "web.h"

struct _GreetResource
{
  BraidResource parent_instance;

  BraidClock *clock;    /* weak: the reactor keeps the site, not the other way */
  gdouble delay;        /* 0: greet at once; more: that many seconds later */
  char *name;           /* NULL for /greet itself; a child's segment */
};

G_DEFINE_FINAL_TYPE (GreetResource, greet_resource, BRAID_TYPE_RESOURCE)

#define WHOM "Whom shall I greet? Ask for /greet/NAME.\n"

/* "Hello, NAME!", as plain text: a name put in HTML would have to be escaped. */
static char *
greeting (BraidRequest *request, const char *name)
{
  braid_request_set_header (request, "Content-Type", "text/plain; charset=utf-8");
  return g_strdup_printf ("Hello, %s!\n", name);
}

/* One greeting on its way. */
typedef struct
{
  GreetResource *child;   /* keeps the name alive */
  BraidRequest *request;
} Later;

/* G_GNUC_UNUSED: until your code uses it. */
G_GNUC_UNUSED static void
later_free (gpointer data)
{
  Later *later = data;

  g_object_unref (later->child);
  g_object_unref (later->request);
  g_free (later);
}

/* G_GNUC_UNUSED: until your code uses it. */
G_GNUC_UNUSED static void
greet_now (BraidResult *result, gpointer data)
{
  Later *later = data;
  g_autofree char *text = greeting (later->request, later->child->name);

  braid_request_write_string (later->request, text);
  braid_request_finish (later->request);
}

/* G_GNUC_UNUSED: until your code uses it. */
G_GNUC_UNUSED static void
greet_cancelled (BraidResult *result, gpointer data)
{
  braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* G_GNUC_UNUSED: until your code uses it. */
G_GNUC_UNUSED static void
client_gone (BraidResult *result, gpointer timer)
{
  /* EXERCISE: the client went away before the greeting: handle the
   * error (braid_result_trap, G_IO_ERROR_CONNECTION_CLOSED) and cancel the
   * timer (braid_deferred_cancel). */
}

static GBytes *
render_greeting (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  GreetResource *self = GREET_RESOURCE (resource);
  char *text;

  if (self->name == NULL)
    {
      /* /greet itself: no name to greet. */
      braid_request_set_response_code (request, 404);
      braid_request_set_header (request, "Content-Type", "text/plain; charset=utf-8");
      return g_bytes_new_static (WHOM, strlen (WHOM));
    }
  if (self->delay == 0)
    {
      text = greeting (request, self->name);
      return g_bytes_new_take (text, strlen (text));
    }
  /* EXERCISE: self->delay is more than 0 here: answer self->delay seconds
   * later, not now. Make a Later (the child and the request, each with a
   * reference), a timer with braid_defer_later on self->clock, and give it
   * greet_now and greet_cancelled as callbacks (later_free frees the
   * Later). Then ask braid_request_notify_finish to call client_gone if
   * the client goes away first (it needs the timer: give it a reference),
   * and return BRAID_NOT_DONE_YET. */
  text = greeting (request, self->name);
  return g_bytes_new_take (text, strlen (text));
}

static BraidResource *
greet_resource_get_child (BraidResource *resource, const char *segment, BraidRequest *request)
{
  /* EXERCISE: this is /greet (self->name is NULL) and @segment the next
   * part of the path: return a new GreetResource for it, with the same
   * clock and delay, whose name is a copy of @segment. Return NULL (a 404)
   * for an empty segment (/greet/), and when self is already a name's
   * resource (/greet/alice/more). */
  return NULL;
}

static void
greet_resource_finalize (GObject *object)
{
  GreetResource *self = GREET_RESOURCE (object);

  if (self->clock != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->clock), (gpointer *) &self->clock);
  g_free (self->name);
  G_OBJECT_CLASS (greet_resource_parent_class)->finalize (object);
}

static void
greet_resource_class_init (GreetResourceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = greet_resource_finalize;
  BRAID_RESOURCE_CLASS (klass)->get_child = greet_resource_get_child;
}

static void
greet_resource_init (GreetResource *self)
{
}

BraidResource *
greet_resource_new (BraidClock *clock, gdouble delay)
{
  GreetResource *self = g_object_new (GREET_TYPE_RESOURCE, NULL);

  self->clock = clock;
  self->delay = delay;
  braid_resource_set_render_func (BRAID_RESOURCE (self), "GET", render_greeting, NULL, NULL);
  g_object_add_weak_pointer (G_OBJECT (clock), (gpointer *) &self->clock);
  return BRAID_RESOURCE (self);
}
