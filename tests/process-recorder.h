/* process-recorder.h: a process protocol that logs its events, for the
 * process tests on fakes and on real children. */
#pragma once

#include <braid-fakes.h>

G_DECLARE_FINAL_TYPE (ProcessRecorder, process_recorder, PROCESS, RECORDER, BraidProcessProtocol)

struct _ProcessRecorder
{
  BraidProcessProtocol parent_instance;

  GString *log;           /* "made;out:hi;lost:1;exited:0;ended:0;" */
  GString *out;           /* everything from stdout */
  GString *err;           /* everything from stderr */
  GError *exited;         /* the reasons, once given */
  GError *ended;
  guint n_ended;
  /* Called from in_connection_lost, when set (writes after the loss). */
  void (*on_in_lost) (ProcessRecorder *self);
};

ProcessRecorder *process_recorder_new (void);
