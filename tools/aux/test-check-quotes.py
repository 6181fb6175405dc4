#!/usr/bin/env python3
"""test-check-quotes.py: tools/aux/check-quotes on made-up lessons. TAP output.

The docs mode's own tests are in tests/test-ci-tools.py."""
import os
import subprocess
import sys
import tempfile

CHECKER = os.path.join(os.path.dirname(os.path.realpath(__file__)), "check-quotes")
tests = []


def test(func):
    tests.append(func)
    return func


def lesson_tree(tmp, readme):
    """tmp/lessons/01-x with a README, its code and a check; lessons/common."""
    lesson = os.path.join(tmp, "lessons", "01-x")
    for folder in ("exercise", "check"):
        os.makedirs(os.path.join(lesson, folder))
    os.makedirs(os.path.join(tmp, "lessons", "common"))
    files = {
        "lessons/01-x/x.c": "int\nx (void)\n{\n  return 1;\n}\n",
        "lessons/01-x/check/check-x.c": "  g_assert_cmpint (x (), ==, 1);\n",
        "lessons/common/shared.h": "void shared (void);\n",
        "lessons/01-x/README.md": readme,
    }
    for path, text in files.items():
        with open(os.path.join(tmp, path), "w") as out:
            out.write(text)
    return lesson


def check_lesson(lesson):
    return subprocess.run([CHECKER, "lesson", lesson], capture_output=True, text=True)


@test
def a_lesson_quote_of_its_code_a_check_or_common_is_found():
    with tempfile.TemporaryDirectory() as tmp:
        lesson = lesson_tree(tmp, "Intro.\n\n```c\n  return 1;   \n}\n```\n\n"
                             "```c\n  g_assert_cmpint (x (), ==, 1);\n```\n\n"
                             "```c\nvoid shared (void);\n```\n")
        result = check_lesson(lesson)
        assert result.returncode == 0, result.stdout
        assert "3 of 3 quotes found" in result.stdout, result.stdout


@test
def a_lesson_quote_that_drifted_is_named_by_its_line():
    with tempfile.TemporaryDirectory() as tmp:
        lesson = lesson_tree(tmp, "Intro.\n\n```c\n  return 2;\n}\n```\n")
        result = check_lesson(lesson)
        assert result.returncode == 1, result.stdout
        assert "README.md:3" in result.stdout and "return 2" in result.stdout, result.stdout


@test
def a_sketch_and_other_languages_are_not_checked():
    with tempfile.TemporaryDirectory() as tmp:
        lesson = lesson_tree(tmp, "```c-sketch\nnot code\n```\n\n```sh\nnc 127.0.0.1 8000\n```\n")
        result = check_lesson(lesson)
        assert result.returncode == 0, result.stdout
        assert "0 of 0 quotes found" in result.stdout, result.stdout


@test
def a_lesson_may_name_the_file_it_quotes_as_the_guides_do():
    with tempfile.TemporaryDirectory() as tmp:
        lesson = lesson_tree(tmp, "<!-- quoted from lessons/01-x/x.c -->\n```c\n  return 2;\n```\n")
        result = check_lesson(lesson)
        assert result.returncode == 1, result.stdout
        assert "README.md:1: this block is no longer in lessons/01-x/x.c" in result.stdout, \
            result.stdout


@test
def a_lesson_without_a_readme_fails():
    with tempfile.TemporaryDirectory() as tmp:
        result = check_lesson(tmp)
        assert result.returncode == 1 and "missing" in result.stdout, result.stdout


print(f"1..{len(tests)}")
failed = 0
for number, func in enumerate(tests, 1):
    try:
        func()
    except Exception as error:
        failed += 1
        print(f"not ok {number} /check-quotes/{func.__name__} # {type(error).__name__}: {error}")
    else:
        print(f"ok {number} /check-quotes/{func.__name__}")
sys.exit(1 if failed else 0)
