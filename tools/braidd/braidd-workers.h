/* braidd-workers.h: `braidd --workers N` -- N worker processes share each
 * listening port (SO_REUSEPORT); the parent supervises them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A worker that dies within this long of its start failed "fast". */
#define BRAIDD_WORKER_FAST_FAILURE_SECONDS 2.0
/* Fast failures in a row, of one worker, after which the parent gives up. */
#define BRAIDD_WORKER_FAST_FAILURE_LIMIT 5
/* The restart delay: doubled after each fast failure, up to the maximum. */
#define BRAIDD_WORKER_FIRST_RESTART_DELAY 0.25
#define BRAIDD_WORKER_MAX_RESTART_DELAY 30.0

typedef struct _BraiddSupervisor BraiddSupervisor;

char             *braidd_worker_endpoint     (const char        *text,
                                              GArray            *reserved_fds,
                                              GError           **error);

BraiddSupervisor *braidd_supervisor_new      (const char * const *worker_argv,
                                              guint              n_workers,
                                              gdouble            stop_timeout);
void              braidd_supervisor_start    (BraiddSupervisor  *self);
int               braidd_supervisor_run      (BraiddSupervisor  *self);
void              braidd_supervisor_forward  (BraiddSupervisor  *self,
                                              int                signal_number);
void              braidd_supervisor_free     (BraiddSupervisor  *self);

G_END_DECLS
