"""Issue 11, holes 4 and 5: a ledger entry's date cannot hide it from the disclosed periods, and no SQL path
rewrites a posted entry (docs/DESIGN.md §4.4, §6). The book/PDF/API side is in disclosure/tests/test_book_chain.py.
"""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gongzhi.core.excel import ColumnSpec, SheetSpec, build_workbook
from gongzhi.core.models import AuditEvent
from gongzhi.finance.importers import COLUMNS, ledgers_import
from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.rules import GENESIS, LedgerError, entry_hash, verify_lines
from gongzhi.finance.selectors import ledger_lines
from gongzhi.finance.services import disclosure_record, ledger_reverse

pytestmark = pytest.mark.django_db
D = dt.date


def today():
    return timezone.localdate()


def disclose(world, start, end, ledger="maintenance_fund"):
    return disclosure_record(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        ledger=ledger,
        period_start=start,
        period_end=end,
        posted_on=end,
        place="board",
    )


def counts():
    return LedgerEntry.objects.count(), AuditEvent.objects.count()


# ---- Dates a posting may carry (hole 4) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (D(1, 1, 1), "早于 1990-01-01"),
        (D(1899, 12, 31), "早于 1990-01-01"),
        (D(1989, 12, 31), "早于 1990-01-01"),
    ],
)
def test_dates_before_any_ledger_could_exist_are_refused(post, day, message):
    before = counts()
    with pytest.raises(LedgerError, match=message):
        post("in", "100.00", date=day)
    assert counts() == before


def test_a_future_date_is_refused(post):
    with pytest.raises(LedgerError, match="不能晚于今天"):
        post("in", "100.00", date=today() + dt.timedelta(days=1))
    assert LedgerEntry.objects.count() == 0


def test_an_entry_may_not_precede_the_ledgers_opening(post, day):
    post("in", "100.00", date=day)
    before = counts()
    with pytest.raises(LedgerError, match=f"早于该账本的第一笔记录.{day.isoformat()}."):
        post("in", "5.00", date=day - dt.timedelta(days=1))
    assert counts() == before
    # Another ledger of the same estate has its own opening.
    post("in", "5.00", date=day - dt.timedelta(days=1), ledger="public_income")


def test_an_entry_may_not_fall_in_a_disclosed_period(world, post):
    opening = today() - dt.timedelta(days=200)
    end = today() - dt.timedelta(days=20)
    post("in", "100.00", date=opening)
    disclose(world, opening, end)
    before = counts()
    for day in (opening, end - dt.timedelta(days=1), end):
        with pytest.raises(LedgerError, match=f"{end.isoformat()} 及以前的账目已经公示"):
            post("in", "5.00", date=day)
    assert counts() == before
    entry = post("in", "5.00", date=end + dt.timedelta(days=1))
    assert entry.seq == 2
    # The disclosure of another ledger does not close this one's period.
    post("in", "5.00", date=opening, ledger="public_income")


def test_a_correction_of_a_disclosed_period_is_dated_today_and_names_the_period(world, post):
    opening = today() - dt.timedelta(days=200)
    end = today() - dt.timedelta(days=20)
    post("in", "100.00", date=opening)
    disclose(world, opening, end)
    period = f"{opening.isoformat()}/{end.isoformat()}"
    with pytest.raises(LedgerError, match="更正记录的日期必须是今天"):
        post("out", "10.00", date=end + dt.timedelta(days=1), corrects=period)
    with pytest.raises(LedgerError, match="没有登记过"):
        post("out", "10.00", date=today(), corrects=f"{opening.isoformat()}/{today().isoformat()}")
    with pytest.raises(LedgerError, match="格式"):
        post("out", "10.00", date=today(), corrects="上半年")
    entry = post("out", "10.00", date=today(), corrects=period, summary="补记漏登的水泵维修")
    line = ledger_lines(world.estate_a1.pk, "maintenance_fund")[-1]
    assert line["corrects"] == period and line["hash"] == entry.hash == entry_hash(line)
    # Ordinary entries keep their §6 form: no new key, so chains hashed before this field still verify.
    assert "corrects" not in ledger_lines(world.estate_a1.pk, "maintenance_fund")[0]


def test_a_reversal_of_a_disclosed_entry_names_the_period_it_corrects(world, post):
    opening = today() - dt.timedelta(days=200)
    end = today() - dt.timedelta(days=20)
    first = post("in", "100.00", date=opening)
    later = post("in", "7.00", date=end + dt.timedelta(days=2))
    disclose(world, opening, end)
    fix = ledger_reverse(actor=world.user("oc_a1"), entry=first, reason="重复登记")
    assert fix.date == today() and fix.corrects == f"{opening.isoformat()}/{end.isoformat()}"
    undo = ledger_reverse(actor=world.user("oc_a1"), entry=later, reason="金额有误")
    assert undo.corrects == ""
    assert verify_lines(json.dumps(x) for x in ledger_lines(world.estate_a1.pk, "maintenance_fund")).ok


def test_the_posting_form_refuses_an_odd_date_with_a_message(as_user, world):
    client = as_user("oc_a1")
    url = f"/finance/{world.estate_a1.pk}/maintenance_fund/post/"
    response = client.post(
        url, {"date": "0001-01-01", "direction": "in", "amount": "10.00", "summary": "补记"}
    )
    assert response.status_code == 200
    assert "早于 1990-01-01" in response.content.decode()
    assert LedgerEntry.objects.count() == 0


# ---- The same rules in the historic import --------------------------------------------------------------


def _import(world, rows):
    data = build_workbook([SheetSpec("账目", [ColumnSpec(c.header) for c in COLUMNS], rows)])
    return ledgers_import(actor=world.user("oc_a1"), fileobj=io.BytesIO(data), filename="历史.xlsx")


def _row(day, amount="100.00", ledger="专项维修资金"):
    return ["甲一小区", ledger, day, "收入", amount, "历史记录", "", "", "", ""]


def test_the_import_refuses_rows_before_1990_or_in_a_disclosed_period(world, post):
    report = _import(world, [_row("1900-01-01"), _row(D(1989, 12, 31))])
    assert [(e.row, e.column) for e in report.errors] == [(2, "日期"), (3, "日期")]
    assert all("早于 1990-01-01" in e.message for e in report.errors)
    opening = today() - dt.timedelta(days=200)
    end = today() - dt.timedelta(days=20)
    disclose(world, opening, end)  # disclosed before any entry was stored: the period is closed all the same
    report = _import(world, [_row(end.isoformat()), _row((end + dt.timedelta(days=1)).isoformat())])
    assert [(e.row, e.column) for e in report.errors] == [(2, "日期")]
    assert f"{end.isoformat()} 及以前的账目已经公示" in report.errors[0].message
    assert LedgerEntry.objects.count() == 0
    report = _import(world, [_row((end + dt.timedelta(days=1)).isoformat())])
    assert report.written and LedgerEntry.objects.count() == 1


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "9" * 40])
def test_the_import_refuses_non_finite_and_huge_amounts_by_row(world, amount):
    report = _import(world, [_row("2024-01-05", amount=amount)])
    assert [(e.row, e.column) for e in report.errors] == [(2, "金额")]
    assert LedgerEntry.objects.count() == 0


# ---- Every SQL path that could rewrite a posted entry (hole 5) ------------------------------------------

COLUMNS_SQL = (
    "id, estate_id, estate_name, ledger, seq, date, direction, amount, balance, summary, category, "
    "counterparty, reference, project, corrects, reverses_id, prev_hash, hash, posted_by_id, posted_at"
)


def _forged_row(entry: LedgerEntry, *, new_id: bool) -> list:
    """The last entry rewritten as someone with SQL access would: amount 1.00, balance and hash
    recomputed, so that the chain still verifies if the rewrite lands."""
    line = ledger_lines(entry.estate_id, entry.ledger)[-1]
    prev_balance = Decimal(line["balance"]) - Decimal(line["amount"])
    line.update(amount="1.00", balance=str(prev_balance + 1))
    line["hash"] = entry_hash(line)
    return [
        None if new_id else entry.pk,
        entry.estate_id,
        entry.estate_name,
        entry.ledger,
        entry.seq,
        entry.date,
        entry.direction,
        Decimal("1.00"),
        Decimal(line["balance"]),
        entry.summary,
        entry.category,
        entry.counterparty,
        entry.reference,
        entry.project,
        entry.corrects,
        entry.reverses_id,
        entry.prev_hash,
        line["hash"],
        None,
        entry.posted_at,
    ]


_PLACEHOLDERS = ", ".join(["%s"] * 20)


def _insert(verb: str, tail: str = "") -> str:
    """A hand-written INSERT of a whole row (fixed column list, values as parameters)."""
    return f"{verb} finance_ledgerentry ({COLUMNS_SQL}) VALUES ({_PLACEHOLDERS}){tail}"  # noqa: S608


_UPSERT = " DO UPDATE SET amount = excluded.amount, balance = excluded.balance, hash = excluded.hash"
SQLITE_PATHS = {
    "update": ("UPDATE finance_ledgerentry SET amount = 1 WHERE id = %s", "id"),
    "delete": ("DELETE FROM finance_ledgerentry WHERE id = %s", "id"),
    "update_or_replace": ("UPDATE OR REPLACE finance_ledgerentry SET seq = 1 WHERE id = %s", "id"),
    "insert_or_replace_same_id": (_insert("INSERT OR REPLACE INTO"), "same"),
    "insert_or_replace_same_seq": (_insert("INSERT OR REPLACE INTO"), "new"),
    "replace_into": (_insert("REPLACE INTO"), "same"),
    "replace_into_same_seq": (_insert("REPLACE INTO"), "new"),
    "upsert_do_update": (_insert("INSERT INTO", " ON CONFLICT(id)" + _UPSERT), "same"),
}
POSTGRES_PATHS = {
    "update": SQLITE_PATHS["update"],
    "delete": SQLITE_PATHS["delete"],
    "upsert_do_update": (_insert("INSERT INTO", " ON CONFLICT (id)" + _UPSERT), "same"),
    "upsert_on_seq_do_update": (
        _insert("INSERT INTO", " ON CONFLICT (estate_id, ledger, seq)" + _UPSERT),
        "new",
    ),
    "truncate": ("TRUNCATE finance_ledgerentry CASCADE", None),
}


def _paths():
    return POSTGRES_PATHS if connection.vendor == "postgresql" else SQLITE_PATHS


@pytest.mark.parametrize("path", sorted(set(SQLITE_PATHS) | set(POSTGRES_PATHS)))
def test_no_sql_path_rewrites_a_posted_entry(world, post, path):
    if path not in _paths():
        pytest.skip(f"{path} is not {connection.vendor} SQL")
    sql, args = _paths()[path]
    post("in", "100.00")
    last = post("in", "50.00")
    before = ledger_lines(world.estate_a1.pk, "maintenance_fund")
    if args == "id":
        params = [last.pk]
    elif args is None:
        params = None
    else:
        row = _forged_row(last, new_id=args == "new")
        if row[0] is None:  # a fresh id: the conflict is on (estate, ledger, seq) and the other unique keys
            row[0] = last.pk + 1000
        params = row
    if path == "truncate":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred FK check
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    assert ledger_lines(world.estate_a1.pk, "maintenance_fund") == before
    out = io.StringIO()
    call_command("ledger", "verify", "--database", stdout=out)
    assert "共校验 1 本账" in out.getvalue()


def test_ordinary_appends_and_reversals_pass_the_insert_trigger(world, post):
    first = post("in", "100.00")
    post("in", "100.00", ledger="public_income")  # same estate, another chain: also starts at GENESIS
    post("in", "100.00", estate=world.estate_b1, user="admin")
    ledger_reverse(actor=world.user("oc_a1"), entry=first, reason="重复登记")
    assert LedgerEntry.objects.count() == 4
    assert LedgerEntry.objects.filter(reverses=first).count() == 1


# ---- ledger verify: duplicate keys, non-finite and huge numbers (hole 5) --------------------------------


def _line(**changes):
    entry = {
        "seq": 1,
        "estate": "1",
        "ledger": "maintenance_fund",
        "date": "2024-01-05",
        "direction": "in",
        "amount": "10.00",
        "balance": "10.00",
        "summary": "首期归集",
        "prev_hash": GENESIS,
    }
    entry.update(changes)
    entry["hash"] = entry_hash(entry)
    return entry


def test_verify_refuses_a_line_with_duplicate_keys_naming_the_line(tmp_path):
    good = _line()
    text = json.dumps(good, ensure_ascii=False)
    # A second "amount" after the hashed one: json.loads would keep the last value silently.
    forged = text[:-1] + ',"amount":"99999.00"}'
    path = tmp_path / "dup.jsonl"
    path.write_text(text + "\n" + forged + "\n", encoding="utf-8")
    result = verify_lines(path.read_text(encoding="utf-8").splitlines())
    assert not result.ok and result.line == 2 and result.reason == "bad_json"
    assert "amount" in result.message and "重复" in result.message
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("ledger", "verify", str(path))


@pytest.mark.parametrize(
    "amount",
    ["9" * 40 + ".00", "9" * 5000 + ".00", "1e30", "NaN"],
)
def test_verify_gives_a_clean_error_on_huge_or_non_finite_amounts(amount):
    result = verify_lines([json.dumps(_line(amount=amount, balance=amount))])
    assert not result.ok and result.line == 1 and result.reason == "amount"


@pytest.mark.parametrize("raw", ['{"seq": NaN}', '{"seq": 1, "amount": Infinity}', '{"seq": -Infinity}'])
def test_verify_refuses_non_json_numbers(raw):
    result = verify_lines([raw])
    assert not result.ok and result.reason == "bad_json" and result.line == 1
