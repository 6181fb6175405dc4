/* greet.c: lesson 12's exercise, the reference solution: a resource with a
 * child per path segment (/greet/NAME), and one asynchronous page
 * (/greet-later/NAME). */
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

static void
later_free (gpointer data)
{
  Later *later = data;

  g_object_unref (later->child);
  g_object_unref (later->request);
  g_free (later);
}

static void
greet_now (BraidResult *result, gpointer data)
{
  Later *later = data;
  g_autofree char *text = greeting (later->request, later->child->name);

  braid_request_write_string (later->request, text);
  braid_request_finish (later->request);
}

static void
greet_cancelled (BraidResult *result, gpointer data)
{
  braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
client_gone (BraidResult *result, gpointer timer)
{
  braid_result_trap (result, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  braid_deferred_cancel (timer);
}

static GBytes *
render_greeting (BraidResource *resource, BraidRequest *request, gpointer user_data)
{
  GreetResource *self = GREET_RESOURCE (resource);
  Later *later;
  g_autoptr (BraidDeferred) timer = NULL;
  g_autoptr (BraidDeferred) finished = NULL;
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
  later = g_new0 (Later, 1);
  later->child = g_object_ref (self);
  later->request = g_object_ref (request);
  timer = braid_defer_later (self->clock, self->delay, NULL, NULL, NULL);
  braid_deferred_add_callbacks (timer, greet_now, greet_cancelled, later, later_free);
  finished = braid_request_notify_finish (request);
  braid_deferred_add_errback (finished, client_gone, braid_deferred_ref (timer),
                              (GDestroyNotify) braid_deferred_unref);
  return BRAID_NOT_DONE_YET;
}

static BraidResource *
greet_resource_get_child (BraidResource *resource, const char *segment, BraidRequest *request)
{
  GreetResource *self = GREET_RESOURCE (resource);
  GreetResource *child;

  if (self->name != NULL || segment[0] == '\0')
    return NULL;    /* /greet/ and /greet/NAME/more: 404 */
  child = GREET_RESOURCE (greet_resource_new (self->clock, self->delay));
  child->name = g_strdup (segment);
  return BRAID_RESOURCE (child);
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
