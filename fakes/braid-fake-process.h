#pragma once

#include <braid.h>
#include "braid-string-transport.h"

G_BEGIN_DECLS

#define BRAID_TYPE_FAKE_PROCESS (braid_fake_process_get_type ())
G_DECLARE_FINAL_TYPE (BraidFakeProcess, braid_fake_process, BRAID, FAKE_PROCESS, GObject)

BraidFakeProcess *braid_fake_process_new                (GPid                  pid);
void              braid_fake_process_start              (BraidFakeProcess     *self,
                                                         BraidProcessProtocol *protocol);
const char       *braid_fake_process_peek_stdin         (BraidFakeProcess     *self,
                                                         gsize                *len);
void              braid_fake_process_clear_stdin        (BraidFakeProcess     *self);
gboolean          braid_fake_process_get_child_fd_closed (BraidFakeProcess    *self,
                                                          int                  child_fd);
GArray           *braid_fake_process_get_signals        (BraidFakeProcess     *self);
BraidProducer    *braid_fake_process_get_producer       (BraidFakeProcess     *self,
                                                         gboolean             *streaming);
void              braid_fake_process_write_stdout       (BraidFakeProcess     *self,
                                                         const char           *data,
                                                         gssize                len);
void              braid_fake_process_write_stderr       (BraidFakeProcess     *self,
                                                         const char           *data,
                                                         gssize                len);
void              braid_fake_process_child_closes       (BraidFakeProcess     *self,
                                                         int                   child_fd);
void              braid_fake_process_exit               (BraidFakeProcess     *self,
                                                         int                   exit_code);
void              braid_fake_process_exit_by_signal     (BraidFakeProcess     *self,
                                                         int                   signal_number);
void              braid_fake_process_finish             (BraidFakeProcess     *self,
                                                         int                   exit_code);
BraidProducerState braid_fake_process_get_reading_state (BraidFakeProcess    *self);
gboolean          braid_fake_process_get_ended          (BraidFakeProcess     *self);

G_END_DECLS
