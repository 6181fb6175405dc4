#!/usr/bin/env python3
"""test-ci-tools.py SOURCE_ROOT: the CI scripts count and classify correctly.

tools/aux/ci-summary (the line CI reads), tools/aux/check-quotes (the guide cannot
drift from its examples), and what tools/coverage counts (tests, tools,
headers and exercise starting files never count). TAP output.
"""
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.realpath(sys.argv[1])
tests = []


def test(func):
    tests.append(func)
    return func


def load(path, name):
    loader = importlib.machinery.SourceFileLoader(name, os.path.join(ROOT, path))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def write_log(path, results):
    with open(path, "w") as log:
        for i, result in enumerate(results):
            log.write(json.dumps({"name": f"t{i}", "result": result}) + "\n")


@test
def ci_summary_counts_every_result_and_ends_with_the_line_ci_reads():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "build", "meson-logs"))
        write_log(os.path.join(tmp, "build", "meson-logs", "testlog.json"),
                  ["OK", "EXPECTEDFAIL", "SKIP", "FAIL", "TIMEOUT"])
        write_log(os.path.join(tmp, "extra.json"), ["OK"])
        result = run(os.path.join(ROOT, "tools", "aux", "ci-summary"),
                     os.path.join(tmp, "build"), os.path.join(tmp, "extra.json"))
        last = result.stdout.strip().splitlines()[-1]
        assert last == "3 passed, 2 failed", result.stdout
        assert result.returncode == 1, result.returncode


@test
def ci_summary_counts_a_missing_log_as_a_failure():
    with tempfile.TemporaryDirectory() as tmp:
        write_log(os.path.join(tmp, "ok.json"), ["OK", "OK"])
        result = run(os.path.join(ROOT, "tools", "aux", "ci-summary"),
                     os.path.join(tmp, "ok.json"), os.path.join(tmp, "never-written"))
        assert result.stdout.strip().splitlines()[-1] == "2 passed, 1 failed", result.stdout
        assert result.returncode == 1


@test
def ci_summary_exits_zero_when_all_passed():
    with tempfile.TemporaryDirectory() as tmp:
        write_log(os.path.join(tmp, "ok.json"), ["OK", "SKIP"])
        result = run(os.path.join(ROOT, "tools", "aux", "ci-summary"), os.path.join(tmp, "ok.json"))
        assert result.stdout.strip().splitlines()[-1] == "1 passed, 0 failed", result.stdout
        assert result.returncode == 0


def quote_tree(tmp, example, quoted):
    os.makedirs(os.path.join(tmp, "docs", "examples"))
    with open(os.path.join(tmp, "docs", "examples", "e.c"), "w") as source:
        source.write(example)
    with open(os.path.join(tmp, "docs", "guide.md"), "w") as guide:
        guide.write("Intro.\n\n<!-- quoted from docs/examples/e.c -->\n```c\n"
                    + quoted + "```\n")


@test
def check_quotes_accepts_a_block_that_is_in_its_example():
    with tempfile.TemporaryDirectory() as tmp:
        quote_tree(tmp, "int\nmain (void)\n{\n  return 0;\n}\n", "  return 0;\n}\n")
        result = run(os.path.join(ROOT, "tools", "aux", "check-quotes"), "docs", tmp)
        assert result.returncode == 0, result.stdout


@test
def check_quotes_rejects_a_block_that_drifted():
    with tempfile.TemporaryDirectory() as tmp:
        quote_tree(tmp, "int\nmain (void)\n{\n  return 1;\n}\n", "  return 0;\n}\n")
        result = run(os.path.join(ROOT, "tools", "aux", "check-quotes"), "docs", tmp)
        assert result.returncode == 1, result.stdout
        assert "guide.md:3" in result.stdout, result.stdout


@test
def coverage_counts_sources_not_tests_tools_headers_or_exercises():
    coverage = load("tools/coverage", "coverage_tool")
    r = lambda p: os.path.join(coverage.SOURCE_ROOT, p)  # noqa: E731
    expected = {
        "framework/braid-error.c": "framework",
        "framework/time/braid-clock.c": "framework",
        "framework/time/braid-clock.h": None,
        "fakes/braid-loopback.c": "fakes",
        "lessons/06-framing/framing.c": "lessons/06-framing",
        "lessons/06-framing/solution/prefix.c": "lessons/06-framing",
        "lessons/06-framing/test-framing.c": None,
        "lessons/06-framing/exercise/prefix.c": None,
        "lessons/06-framing/exercise/check-prefix.c": None,
        "lessons/common/lesson-options.c": None,
        "tests/test-fake-clock.c": None,
        "tools/bench/loadgen.c": None,
        "docs/examples/example-loopback.c": None,
        "/usr/include/glib-2.0/glib/gstring.h": None,
    }
    for path, group in expected.items():
        got = coverage.counted(path if path.startswith("/") else r(path))
        assert got == group, f"{path}: {got!r}, expected {group!r}"
    # A lesson's view counts only that lesson's files.
    assert coverage.counted(r("lessons/06-framing/framing.c"), "06-framing") == "lessons/06-framing"
    assert coverage.counted(r("lessons/07-lines/lines.c"), "06-framing") is None
    assert coverage.counted(r("framework/time/braid-clock.c"), "06-framing") is None


@test
def coverage_sums_lcov_records_per_file():
    coverage = load("tools/coverage", "coverage_tool")
    with tempfile.TemporaryDirectory() as tmp:
        info = os.path.join(tmp, "t.info")
        with open(info, "w") as out:
            out.write("TN:\nSF:/a.c\nFNF:4\nFNH:3\nBRF:10\nBRH:5\nLF:20\nLH:19\nend_of_record\n"
                      "SF:/b.c\nFNF:1\nFNH:1\nBRF:0\nBRH:0\nLF:2\nLH:2\nend_of_record\n")
        records = coverage.parse_info(info)
        total = coverage.totals(records.values())
        assert total == {"LF": 22, "LH": 21, "FNF": 5, "FNH": 4, "BRF": 10, "BRH": 5}, total
        assert coverage.percent(0, 0) == 100.0


print(f"1..{len(tests)}")
failed = 0
for number, func in enumerate(tests, 1):
    try:
        func()
    except Exception as error:
        failed += 1
        print(f"not ok {number} /ci-tools/{func.__name__} # {type(error).__name__}: {error}")
    else:
        print(f"ok {number} /ci-tools/{func.__name__}")
sys.exit(1 if failed else 0)
