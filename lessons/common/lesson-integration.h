/* lesson-integration.h: what the lessons' integration tests share.
 *
 * An integration test runs a lesson's real server on a real reactor, on
 * 127.0.0.1 and a port chosen by the system, and talks to it with real
 * clients: an AskingFactory connects, asks its question, and collects the
 * answer. lesson_run_until() runs the reactor until the test's condition
 * holds, and never longer than a timeout. */
#pragma once

#include <braid.h>

G_BEGIN_DECLS

/* How long an integration test may wait for the network, at most. */
#define LESSON_INTEGRATION_TIMEOUT 5.0

typedef gboolean (*LessonCondition) (gpointer data);

gboolean lesson_run_until (BraidReactor    *reactor,
                           LessonCondition  condition,
                           gpointer         data,
                           gdouble          timeout);

#define ASKING_TYPE_FACTORY (asking_factory_get_type ())
G_DECLARE_FINAL_TYPE (AskingFactory, asking_factory, ASKING, FACTORY, BraidClientFactory)

AskingFactory *asking_factory_new         (const char    *question,
                                           gsize          answer_length);
BraidConnector *asking_factory_connect    (AskingFactory *self,
                                           BraidReactor  *reactor,
                                           guint16        port);
const char    *asking_factory_get_answer  (AskingFactory *self);
const GError  *asking_factory_get_failure (AskingFactory *self);
gboolean       asking_factory_is_done     (gpointer       self);

G_END_DECLS
