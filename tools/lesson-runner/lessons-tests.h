/* lessons-tests.h: running a check one test at a time, so that a learner
 * sees every test's result ("2 of 4 passed") and not only the first failure;
 * explaining a crash by the line of the learner's file where it happened;
 * and keeping what a check printed that the summary did not already say. */
#pragma once

#include <glib.h>

#include "lessons-check.h"

G_BEGIN_DECLS

LessonsCheckResult *lessons_run_each_test       (LessonsBuild          *build,
                                                 const gchar           *program,
                                                 const gchar *const    *test_names,
                                                 const gchar           *learner_file,
                                                 GError               **error);

LessonsCheckResult *lessons_combine_results     (const gchar *const    *test_names,
                                                 LessonsCheckResult   **results,
                                                 guint                  count);

gchar              *lessons_explain_crash       (const gchar           *backtrace,
                                                 const gchar           *learner_file,
                                                 const gchar           *build_dir,
                                                 const gchar           *display_dir);

gchar              *lessons_test_reason         (const gchar           *output,
                                                 const gchar           *build_dir);

gchar              *lessons_output_not_yet_shown (const gchar          *output,
                                                  const gchar          *shown);

G_END_DECLS
