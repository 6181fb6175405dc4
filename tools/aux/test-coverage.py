#!/usr/bin/env python3
"""test-coverage.py: what tools/coverage counts and how it says it (TAP).

Runs no build: it loads tools/coverage as a module and asks it about the
repository's own files."""
import importlib.machinery
import importlib.util
import os
import subprocess
import sys

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPT = os.path.join(ROOT, "tools", "coverage")
loader = importlib.machinery.SourceFileLoader("coverage_tool", SCRIPT)
spec = importlib.util.spec_from_loader("coverage_tool", loader)
coverage = importlib.util.module_from_spec(spec)
loader.exec_module(coverage)


def path(*parts):
    return os.path.join(ROOT, *parts)


checks = [
    ("a lesson's program (its main) is reported apart from its code",
     lambda: coverage.counted(path("lessons", "01-echo", "echo-server.c"))
     == "lessons/01-echo programs"
     and coverage.counted(path("lessons", "01-echo", "echo.c")) == "lessons/01-echo"),
    ("--lesson counts the learner's exercise file, not the solution",
     lambda: coverage.counted(path("lessons", "01-echo", "exercise", "shout.c"), "01-echo")
     == "lessons/01-echo"
     and coverage.counted(path("lessons", "01-echo", "solution", "shout.c"), "01-echo") is None),
    ("without --lesson the starting files are not counted",
     lambda: coverage.counted(path("lessons", "01-echo", "exercise", "shout.c")) is None),
    ("nothing to count reads n/a, not 100%",
     lambda: "n/a" in coverage.shown(0, 0) and "100.0%" not in coverage.shown(0, 0)
     and "branches     n/a (0/0)" in coverage.summary_line(
         "x", dict(LF=2, LH=1, FNF=1, FNH=1, BRF=0, BRH=0))),
    ("-j N is accepted, and the report's path is printed without --open",
     lambda: "--jobs" in subprocess.run([sys.executable, SCRIPT, "--help"], text=True,
                                        capture_output=True).stdout
     and 'print(f"report:' in open(SCRIPT).read()),
]

print(f"1..{len(checks)}")
failed = 0
for number, (name, check) in enumerate(checks, 1):
    try:
        ok = check()
    except Exception as error:  # an older tools/coverage: the check fails, with why
        print(f"# {type(error).__name__}: {error}")
        ok = False
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {number} {name}")
sys.exit(1 if failed else 0)
