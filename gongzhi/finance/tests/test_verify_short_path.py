"""``verify_lines`` takes a short path for lines in gongzhi's export form (no parse, no re-serialisation) and
gives exactly the result of the full check on every input: sound chains, every kind of damage, and lines
that only look like the export form. Also: it streams (reads no further than the first bad line)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.finance.rules import GENESIS, _canonical_line, _verify, entry_hash, verify_lines

ODD_TEXTS = [
    "首期专项维修资金归集",
    'a "quoted" word',
    "back\\slash",
    "line\nbreak\ttab\r\x08\x0c",
    "control \x01\x1f and delete \x7f",
    "separators \u2028 \u2029 \x85 in a summary",
    "emoji 🏠 and 𠀋",
    "",
]


def chain(count: int = 8, *, estate: str = "7", texts=ODD_TEXTS) -> list[str]:
    """Lines exactly as `gongzhi ledger export` writes them (selectors.entry_line, sorted compact JSON)."""
    lines, prev, cents = [], GENESIS, 0
    for seq in range(1, count + 1):
        amount = 1000 + seq * 137
        direction = "out" if seq % 3 == 0 else "in"
        cents += amount if direction == "in" else -amount
        entry = {
            "seq": seq,
            "estate": estate,
            "estate_name": "泾北一村",
            "ledger": "public_income",
            "date": f"2025-0{1 + seq % 9}-1{seq % 10}",
            "direction": direction,
            "amount": f"{amount // 100}.{amount % 100:02d}",
            "balance": f"{cents // 100}.{cents % 100:02d}",
            "summary": texts[seq % len(texts)],
            "category": texts[(seq + 1) % len(texts)],
            "counterparty": "区住房维修资金管理中心",
            "reference": f"PZ-{seq}",
            "project": texts[(seq + 2) % len(texts)],
            "reverses": seq - 1 if seq % 4 == 0 else None,
            "prev_hash": prev,
        }
        if seq % 5 == 0:
            entry["corrects"] = "2025-01-01/2025-03-31"
        entry["hash"] = prev = entry_hash(entry)
        lines.append(json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    return lines


def both(lines: list[str]):
    short, full = verify_lines(lines), _verify(lines, short_path=False)
    assert short == full
    return short


def test_export_lines_take_the_short_path_and_verify():
    lines = chain()
    assert all(_canonical_line().fullmatch(line) for line in lines)
    result = both(lines)
    assert result.ok and result.count == 8
    assert (
        result.balance
        == f"{sum(1000 + s * 137 if s % 3 else -(1000 + s * 137) for s in range(1, 9)) / 100:.2f}"
    )


def test_lines_with_their_line_ends_read_as_without():
    lines = chain()
    assert verify_lines(line + "\n" for line in lines) == verify_lines(lines)
    damaged = [*lines[:3], lines[3].replace('"PZ-4"', '"PZ-9"'), *lines[4:]]
    assert verify_lines(line + "\n" for line in damaged) == both(damaged)


def forged(line: str, **changes) -> str:
    """The line with ``changes`` and a hash recomputed over them: only the chain rules can tell."""
    entry = {**json.loads(line), **changes}
    entry["hash"] = entry_hash(entry)
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_known_damage_is_named_the_same_way():
    lines = chain()
    cases = {
        "hash": lines[2].replace('"PZ-3"', '"PZ-X"'),  # content changed, hash kept
        "seq": lines[2].replace('"seq":3', '"seq":4'),
        "balance": forged(lines[2], balance="1.00"),
        "amount": forged(lines[2], amount="0.00"),
        "date": forged(lines[2], date="2025-02-30"),
        "prev_hash": forged(lines[2], prev_hash=GENESIS),
        "estate": forged(lines[2], estate="8"),
    }
    for reason, bad in cases.items():
        result = both([*lines[:2], bad, *lines[3:]])
        assert not result.ok and result.line == 3 and result.reason == reason, (reason, result)
    assert both(lines[:2] + lines[3:]).reason == "seq"  # a deleted entry
    assert both([lines[1], lines[0], *lines[2:]]).line == 1  # swapped


def test_a_line_in_another_form_is_checked_in_full():
    lines = chain()
    entry = json.loads(lines[1])
    spaced = json.dumps(entry, ensure_ascii=False)  # ", " and ": " — not the export form, same content
    escaped = json.dumps(entry, sort_keys=True, separators=(",", ":"))  # \u6cfe escapes
    for other in (spaced, escaped):
        assert _canonical_line().fullmatch(other) is None
        assert both([lines[0], other, *lines[2:]]).ok  # the hash is of the content, not of the line


def test_a_duplicate_key_or_a_float_is_refused_as_before():
    lines = chain()
    duplicated = lines[1][:-1] + ',"amount":"99999.00"}'
    assert both([lines[0], duplicated]).reason == "bad_json"
    floated = lines[1].replace('"reverses":null', '"reverses":1.0')
    assert not both([lines[0], floated]).ok


def test_estates_that_differ_only_in_form_are_compared_by_value():
    lines = chain(estate='7"a')  # an escaped quote in the estate
    assert both(lines).ok
    other = chain(estate="8")
    assert both([*lines[:2], other[2]]).reason in {"estate", "prev_hash"}


def test_hostile_lines_end_in_a_clean_refusal():
    lines = chain(3)
    deep = "[" * 100_000 + "]" * 100_000
    surrogate = lines[1].replace('"PZ-2"', '"\\ud800"')
    raw_surrogate = lines[1].replace("PZ-2", "\ud800")
    for bad in (deep, surrogate, raw_surrogate):
        result = both([lines[0], bad, lines[2]])
        assert not result.ok and result.line == 2


def test_verify_reads_no_further_than_the_first_bad_line():
    lines = chain()
    read: list[int] = []

    def stream():
        for number, line in enumerate([*lines[:3], "not json", *lines[3:]], start=1):
            read.append(number)
            yield line

    result = verify_lines(stream())
    assert not result.ok and result.line == 4
    assert read == [1, 2, 3, 4]


LINES = chain(6)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(LINES) - 1),
    st.integers(min_value=0, max_value=max(len(line) for line in LINES)),
    st.integers(min_value=0, max_value=3),
    st.text(max_size=3),
)
def test_any_edit_of_any_line_gives_the_full_checks_answer(index, position, cut, insert):
    line = LINES[index]
    position = min(position, len(line))
    edited = line[:position] + insert + line[position + cut :]
    both([*LINES[:index], edited, *LINES[index + 1 :]])


TRICKY = st.one_of(
    st.sampled_from(["0.00", "1.00", "01.00", "1.5", "１.００", "١.٠٠", "99999999999999.99", "2025-02-29"]),
    st.sampled_from(["2024-02-29", "20250101", "in", "out", "IN", "maintenance_fund", "", GENESIS, "7"]),
    st.text(max_size=4),
    st.integers(min_value=-2, max_value=10),
    st.none(),
    st.booleans(),
)
FIELDS = [
    "amount",
    "balance",
    "date",
    "direction",
    "estate",
    "ledger",
    "seq",
    "summary",
    "reverses",
    "prev_hash",
]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=len(LINES) - 1), st.sampled_from(FIELDS), TRICKY)
def test_any_forged_field_gives_the_full_checks_answer(index, field, value):
    lines = [*LINES[:index], forged(LINES[index], **{field: value}), *LINES[index + 1 :]]
    both(lines)
