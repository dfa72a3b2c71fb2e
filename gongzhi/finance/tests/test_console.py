"""``gongzhi ledger verify FILE`` starts without Django (no settings, no database, no web stack: issue 17),
streams the file, and prints, word for word, what the management command prints, with the same exit
status."""

from __future__ import annotations

import pytest

from gongzhi.finance.tests.test_verify_short_path import chain, forged
from gongzhi.voting.tests.test_console import console


def write(tmp_path, lines: list[str], *, name: str = "ledger.jsonl") -> str:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def test_a_sound_file_is_verified_without_loading_django(tmp_path):
    lines = chain(12)
    code, out, err, loaded = console("ledger", "verify", write(tmp_path, lines))
    assert (code, err, loaded) == (0, "", [])
    assert out.startswith("链完整：共 12 条") and lines[-1][-80:] not in out


@pytest.mark.parametrize(
    "damage",
    [
        lambda lines: lines,
        lambda lines: [*lines[:3], lines[4], lines[3], *lines[5:]],  # swapped
        lambda lines: [*lines[:5], forged(lines[5], balance="1.00"), *lines[6:]],
        lambda lines: [*lines[:2], lines[2][:-1] + ',"amount":"9.00"}', *lines[3:]],  # duplicate key
        lambda lines: [*lines[:2], "[" * 50_000, *lines[3:]],  # nesting beyond the parser's stack
    ],
)
def test_the_console_and_the_management_command_answer_alike(tmp_path, damage):
    path = write(tmp_path, damage(chain(8)))
    light = console("ledger", "verify", path)
    django = console("ledger", "-v", "1", "verify", path)  # any other form goes through Django
    assert light[3] == [] and "django.db" in django[3]
    assert light[:3] == django[:3]


def test_unreadable_files_exit_1_alike(tmp_path):
    latin = tmp_path / "latin1.jsonl"
    latin.write_bytes(b'{"summary":"caf\xe9"}\n')
    for path in (str(tmp_path / "missing.jsonl"), str(latin)):
        light, django = console("ledger", "verify", path), console("ledger", "-v", "1", "verify", path)
        assert light[0] == 1 and "无法读取文件" in light[2]
        assert light[:3] == django[:3]


def test_standard_input_is_verified_without_loading_django():
    code, out, _err, loaded = console("ledger", "verify", "-", stdin="".join(f"{x}\n" for x in chain(4)))
    assert code == 0 and out.startswith("链完整：共 4 条") and loaded == []
