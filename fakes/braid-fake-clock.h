#pragma once

#include <braid.h>

G_BEGIN_DECLS

#define BRAID_TYPE_FAKE_CLOCK (braid_fake_clock_get_type ())
G_DECLARE_DERIVABLE_TYPE (BraidFakeClock, braid_fake_clock, BRAID, FAKE_CLOCK, GObject)

/**
 * BraidFakeClockClass:
 * @parent_class: the parent class
 *
 * The class of [class@Braid.FakeClock]; derivable so that
 * `BraidMemoryReactor` can be a fake clock too.
 */
struct _BraidFakeClockClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[4];
};

BraidFakeClock *braid_fake_clock_new               (void);
void            braid_fake_clock_advance           (BraidFakeClock *self,
                                                    gdouble         seconds);
void            braid_fake_clock_jump              (BraidFakeClock *self,
                                                    gdouble         seconds);
void            braid_fake_clock_pump              (BraidFakeClock *self,
                                                    const gdouble  *steps,
                                                    gsize           n_steps);
GPtrArray      *braid_fake_clock_get_delayed_calls (BraidFakeClock *self);
guint           braid_fake_clock_get_pending_count (BraidFakeClock *self);

G_END_DECLS
