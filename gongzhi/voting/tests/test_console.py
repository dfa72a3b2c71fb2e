"""``gongzhi tally FILE`` starts without Django (no settings, no database, no web stack: issue 17) and
prints, word for word, what the management command prints, with the same exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gongzhi.voting.tests.test_tally_command import GOOD

PROBE = """
import json, runpy, sys
sys.argv = ["gongzhi", *json.loads(sys.argv[1])]
code = 0  # a management command that succeeds returns without SystemExit
try:
    runpy.run_module("gongzhi.cli", run_name="__main__")
except SystemExit as exit:
    code = exit.code
sys.stdout.flush()
loaded = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
sys.stderr.write("\\nLOADED " + json.dumps(loaded) + " EXIT " + json.dumps(code) + "\\n")
"""


def console(*args: str, stdin: str | None = None) -> tuple[int, str, str, list[str]]:
    """(exit status, stdout, stderr, Django modules loaded) of ``gongzhi ARGS`` in a fresh interpreter."""
    done = subprocess.run(  # noqa: S603 (our own console entry)
        [sys.executable, "-c", PROBE, json.dumps(list(args))],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    stderr, _marker, tail = done.stderr.rpartition("\nLOADED ")
    loaded, _exit, code = tail.partition(" EXIT ")
    return json.loads(code), done.stdout, stderr, json.loads(loaded)


def write(tmp_path: Path, name: str, document) -> str:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return str(path)


def test_a_file_is_counted_without_loading_django(tmp_path):
    code, out, err, loaded = console("tally", write(tmp_path, "good.json", GOOD))
    assert (code, err) == (0, "")
    assert json.loads(out)["agreement_owners_ratio"] == "2/3"
    assert loaded == []  # not django.db, not django.conf: nothing of Django at all


def test_standard_input_is_counted_without_loading_django():
    code, out, _err, loaded = console("tally", "-", stdin=json.dumps(GOOD))
    assert code == 0 and json.loads(out)["total_area"] == "238.50"
    assert loaded == []


@pytest.mark.parametrize(
    "document",
    [
        GOOD,
        {**GOOD, "ballots": [{"owner": "ghost", "choice": "yes"}]},  # exit 2, names the owner
        '{"matter": 6, "units": [',  # bad JSON, names the line
        '{"matter": 6, "matter": 7, "units": [], "ballots": []}',  # duplicate key
        {**GOOD, "units": [*GOOD["units"], {"id": "9-901", "area": "1e30", "owner": "x"}]},
    ],
)
def test_the_console_and_the_management_command_answer_alike(tmp_path, document):
    path = write(tmp_path, "ballots.json", document)
    light = console("tally", path)
    django = console("tally", path, "-v", "1")  # any other form goes through Django
    assert light[3] == [] and "django.db" in django[3]
    assert light[:3] == django[:3]


def test_an_unreadable_file_exits_1_alike(tmp_path):
    missing = str(tmp_path / "missing.json")
    light, django = console("tally", missing), console("tally", missing, "-v", "1")
    assert light[0] == 1 and "无法读取文件" in light[2]
    assert light[:3] == django[:3]
