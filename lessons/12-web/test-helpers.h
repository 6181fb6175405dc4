/* test-helpers.h: what lesson 12's tests (test-web.c) and its exercise's
 * check (check/check-greet.c) share: requests with no socket
 * (BraidFakeRequest, Twisted's DummyRequest), walked through a resource
 * tree as a site walks them, and assertions on their answers. */
#pragma once

#include <braid-fakes.h>

#include "web.h"

/* The wall-clock time the tests' fake clocks start at:
 * Thu, 03 Dec 2026 03:45:00 GMT. */
#define WEB_TEST_EPOCH 1796269500.0

/* A GET of @uri, answered from @root as a site would: the tree is walked
 * (braid_request_process) and the page found renders it. */
BraidFakeRequest *web_test_get (BraidResource *root,
                                const char    *uri);

/* Asserts that @request is finished with @code and exactly @body, and
 * explains it with @reason when it is not. */
#define web_assert_answer(request, code, body, reason) \
  web_assert_answer_at ((request), (code), (body), (reason), __FILE__, __LINE__, G_STRFUNC)
/* Asserts that @request is not finished and nothing was written. */
#define web_assert_waiting(request, reason) \
  web_assert_waiting_at ((request), (reason), __FILE__, __LINE__, G_STRFUNC)

void web_assert_answer_at  (BraidFakeRequest *request,
                            guint             code,
                            const char       *body,
                            const char       *reason,
                            const char       *file,
                            int               line,
                            const char       *func);
void web_assert_waiting_at (BraidFakeRequest *request,
                            const char       *reason,
                            const char       *file,
                            int               line,
                            const char       *func);
