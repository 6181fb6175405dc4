#!/usr/bin/env python3
"""test-sim-view.py: tools/braid-sim-view on a SimNet journal.

The fixture (tests/fixtures/sim-view/journal.jsonl) is a server and three
clients, 20 ms +- 5 ms apart: each client says hello and gets its echo,
client-2 is partitioned from the server for 0.2 s, client-3 crashes. The
HTML is rendered by headless Chromium (bounded in time), and the rendered
DOM must hold the four lanes, the six arrows, the partition and the marks.
Usage: test-sim-view.py SOURCE_ROOT
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = sys.argv[1]
VIEW = os.path.join(ROOT, "tools", "braid-sim-view")
JOURNAL = os.path.join(ROOT, "tests", "fixtures", "sim-view", "journal.jsonl")
results = []


def case(name):
    def wrap(func):
        results.append((name, func))
        return func
    return wrap


def view(*args):
    return subprocess.run([sys.executable, VIEW, *args], capture_output=True, text=True, timeout=60)


@case("mermaid: participants, arrows, partition, crash")
def _():
    out = view(JOURNAL, "--mermaid")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("sequenceDiagram\n"), text
    for name in ("server", "client_1", "client_2", "client_3"):
        assert f"    participant {name}\n" in text, name
    assert len(re.findall(r"->>", text)) == 9, text  # 3 connects + 6 deliveries
    assert "Note over client_2,server: 0.100s partition" in text, text
    assert "Note over client_3: 0.100s crash" in text, text
    assert "Note over client_3: 0.100s about to crash" in text, text


@case("html: lanes, arrows, shading, filters, self-contained")
def _():
    out = view(JOURNAL)
    assert out.returncode == 0, out.stderr
    page = out.stdout
    assert page.count('class="lane"') == 4
    assert page.count('class="arrow"') == 6
    assert page.count('class="partition"') == 2
    assert 'class="node-filter"' in page and 'id="conn-filter"' in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', ""), "not self-contained"


@case("a line that is not JSON is named")
def _():
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as bad:
        bad.write('{"t":0,"seq":0,"event":"node","node":"a"}\nnot json\n')
    try:
        out = view(bad.name)
        assert out.returncode != 0
        assert f"{bad.name}:2: not a JSON line" in out.stderr, out.stderr
    finally:
        os.unlink(bad.name)


@case("chromium renders the lanes and arrows")
def _():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed (tools/install-deps installs it)"
    with tempfile.TemporaryDirectory() as home:
        page = os.path.join(home, "journal.html")
        out = view(JOURNAL, "-o", page)
        assert out.returncode == 0, out.stderr
        env = dict(os.environ, HOME=home)
        dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                              f"--user-data-dir={home}/profile", "--dump-dom", "file://" + page],
                             capture_output=True, text=True, timeout=90, env=env).stdout
    assert dom.count('class="lane"') == 4, dom[:2000]
    assert dom.count('class="arrow"') == 6, dom[:2000]
    assert "<svg" in dom and "</svg>" in dom


print(f"1..{len(results)}")
failed = 0
for number, (name, func) in enumerate(results, 1):
    try:
        func()
        print(f"ok {number} {name}")
    except Exception as error:  # a failed check, or a tool that broke
        failed += 1
        print(f"not ok {number} {name}")
        for line in str(error).splitlines()[:20]:
            print(f"# {line}")
sys.exit(1 if failed else 0)
