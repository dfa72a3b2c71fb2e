"""Facts about posting, reversing, exporting and verifying the stored ledgers (docs/DESIGN.md §4.4, §6)."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import visible
from gongzhi.finance.models import AppendOnlyError, LedgerEntry
from gongzhi.finance.rules import GENESIS, LedgerError, entry_hash, verify_lines
from gongzhi.finance.selectors import ledger_lines
from gongzhi.finance.services import ledger_reverse

pytestmark = pytest.mark.django_db


def export_text(estate, ledger="maintenance_fund") -> str:
    out = io.StringIO()
    call_command("ledger", "export", "--estate", str(estate.pk), "--ledger", ledger, stdout=out)
    return out.getvalue()


# ---- Posting and the chain ------------------------------------------------------------------------


def test_posts_chain_with_running_balance_and_verify(world, post):
    first = post("in", "1000.00", reference="业大决〔2025〕3号")
    second = post("out", "250.40", counterparty="某某建筑公司", project="3号楼屋面防水")
    third = post("in", Decimal("0.40"))
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert third.balance == Decimal("750.00")
    lines = ledger_lines(world.estate_a1.pk, "maintenance_fund")
    assert lines[0]["estate"] == str(world.estate_a1.pk)
    assert lines[0]["estate_name"] == "甲一小区"
    assert lines[1]["amount"] == "250.40" and lines[1]["counterparty"] == "某某建筑公司"
    assert all(line["hash"] == entry_hash(line) for line in lines)
    assert verify_lines(json.dumps(line) for line in lines).ok


def test_ledgers_and_estates_chain_separately(world, post):
    post("in", "10.00")
    other = post("in", "20.00", ledger="public_income")
    fee = post("in", "30.00", user="staff_x", estate=world.estate_b1, ledger="property_fee")
    assert (other.seq, other.prev_hash, fee.seq, fee.prev_hash) == (1, GENESIS, 1, GENESIS)


def test_posting_writes_an_audit_row(world, post):
    entry = post("in", "88.00")
    event = AuditEvent.objects.get(object_type="finance.LedgerEntry", object_id=str(entry.pk))
    assert event.actor == world.user("oc_a1")
    assert event.street_id == world.street.pk
    assert event.changes["hash"] == entry.hash and event.changes["amount"] == "88.00"


def test_estate_rename_does_not_break_the_chain(world, post):
    post("in", "10.00")
    world.estate_a1.name = "甲一新村"
    world.estate_a1.save()
    post("in", "5.00")
    lines = ledger_lines(world.estate_a1.pk, "maintenance_fund")
    assert [line["estate_name"] for line in lines] == ["甲一小区", "甲一新村"]
    assert verify_lines(json.dumps(line) for line in lines).ok


# ---- Reversal ------------------------------------------------------------------------------------


def test_reversal_posts_the_opposite_entry_naming_the_original(world, post):
    wrong = post("in", "500.00")
    post("in", "100.00")
    fix = ledger_reverse(actor=world.user("oc_a1"), entry=wrong, reason="重复入账")
    assert (fix.seq, fix.direction, fix.amount, fix.balance) == (
        3,
        "out",
        Decimal("500.00"),
        Decimal("100.00"),
    )
    assert fix.reverses == wrong
    assert "第 1 条" in fix.summary and "重复入账" in fix.summary
    assert fix.date == timezone.localdate()
    lines = ledger_lines(world.estate_a1.pk, "maintenance_fund")
    assert lines[2]["reverses"] == 1 and lines[0]["reverses"] is None
    assert verify_lines(json.dumps(line) for line in lines).ok


def test_reversal_needs_a_reason_and_happens_once(world, post):
    wrong = post("in", "500.00")
    with pytest.raises(LedgerError):
        ledger_reverse(actor=world.user("oc_a1"), entry=wrong, reason="  ")
    fix = ledger_reverse(actor=world.user("oc_a1"), entry=wrong, reason="录错")
    with pytest.raises(LedgerError):
        ledger_reverse(actor=world.user("oc_a1"), entry=wrong, reason="再来一次")
    with pytest.raises(LedgerError):
        ledger_reverse(actor=world.user("oc_a1"), entry=fix, reason="冲正的冲正")
    assert LedgerEntry.objects.count() == 2


def test_reversal_follows_the_posting_rules(world, post):
    spent = post("in", "100.00")
    post("out", "80.00")
    with pytest.raises(LedgerError):  # reversing the deposit would overdraw the fund
        ledger_reverse(actor=world.user("oc_a1"), entry=spent, reason="退回")
    with pytest.raises(PermissionDenied):
        ledger_reverse(actor=world.user("staff_x"), entry=spent, reason="退回")
    assert LedgerEntry.objects.count() == 2


# ---- Append-only at every layer ------------------------------------------------------------------


def test_model_refuses_save_of_an_existing_entry_and_delete(post):
    entry = post("in", "100.00")
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("100.00")


def test_queryset_refuses_update_and_delete(post):
    entry = post("in", "100.00")
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.all().delete()
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError), transaction.atomic():  # bulk_update marks its atomic block
        LedgerEntry.objects.bulk_update([entry], ["amount"])
    assert LedgerEntry.objects.count() == 1


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE finance_ledgerentry SET amount = 1 WHERE id = %s",
        "UPDATE finance_ledgerentry SET summary = 'x' WHERE id = %s",
        "DELETE FROM finance_ledgerentry WHERE id = %s",
    ],
)
def test_database_refuses_raw_update_and_delete(post, sql):
    entry = post("in", "100.00")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("100.00")


def test_database_refuses_a_second_entry_at_the_same_place(world, post):
    entry = post("in", "100.00")
    clone = LedgerEntry(
        estate=entry.estate,
        estate_name=entry.estate_name,
        ledger=entry.ledger,
        seq=2,
        date=entry.date,
        direction="in",
        amount=Decimal("1.00"),
        balance=Decimal("101.00"),
        summary="分叉",
        prev_hash=entry.prev_hash,  # a fork: same predecessor as entry 1
        hash="f" * 64,
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        clone.save()


def test_estate_with_entries_cannot_be_deleted(world, post):
    post("in", "100.00")
    with pytest.raises(ProtectedError), transaction.atomic():
        world.estate_a1.delete()
    assert LedgerEntry.objects.count() == 1


# ---- Who may post ----------------------------------------------------------------------------------


@pytest.mark.parametrize("ledger", ["maintenance_fund", "public_income"])
def test_owners_ledgers_are_kept_by_the_oc_and_the_street_admin(world, post, ledger):
    assert post("in", "1.00", ledger=ledger).seq == 1
    assert post("in", "1.00", ledger=ledger, user="admin").seq == 2
    for user in ["staff_x", "outsider", "secretary_a", "owner_a1", "other_admin", "evaluator_b1"]:
        with pytest.raises(PermissionDenied):
            post("in", "1.00", ledger=ledger, user=user)
    with pytest.raises(PermissionDenied):  # another estate's committee
        post("in", "1.00", ledger=ledger, estate=world.estate_b1)
    assert LedgerEntry.objects.count() == 2


def test_fee_account_is_kept_by_the_managing_company(world, post):
    assert post("in", "1.00", ledger="property_fee", user="staff_x").seq == 1
    assert post("in", "1.00", ledger="property_fee", user="staff_x", estate=world.estate_b1).seq == 1
    for user in ["oc_a1", "admin", "outsider", "secretary_a"]:
        with pytest.raises(PermissionDenied):
            post("in", "1.00", ledger="property_fee", user=user)
    with pytest.raises(PermissionDenied):  # company Y manages A2, not X
        post("in", "1.00", ledger="property_fee", user="staff_x", estate=world.estate_a2)
    assert LedgerEntry.objects.count() == 2


def test_fee_account_needs_an_active_contract(world, post):
    world.contract_a1.end_date = timezone.localdate() - dt.timedelta(days=1)
    world.contract_a1.save()
    with pytest.raises(PermissionDenied):
        post("in", "1.00", ledger="property_fee", user="staff_x")


def test_entries_are_read_by_office_users_of_the_estate(world, post):
    entry = post("in", "1.00")
    readers = {
        name for name in world.users if visible(world.user(name), LedgerEntry).filter(pk=entry.pk).exists()
    }
    assert readers == {"admin", "leader", "secretary_a", "member_a", "oc_a1", "staff_x"}


# ---- Bad input changes nothing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "amount", "message"),
    [
        ("in", "-5.00", "大于零"),
        ("in", "0", "大于零"),
        ("in", "0.00", "大于零"),
        ("in", "1.005", "两位小数"),
        ("in", 12.5, "浮点数"),
        ("in", "十元", "不是有效的数字"),
        ("in", "1e20", "过大"),
        ("out", "0.01", "余额不能为负"),
        ("sideways", "1.00", "收入"),
    ],
)
def test_bad_postings_are_refused_and_write_nothing(post, direction, amount, message):
    with pytest.raises(LedgerError, match=message):
        post(direction, amount)
    assert LedgerEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="finance.LedgerEntry").exists()


def test_future_date_unknown_ledger_and_empty_summary_are_refused(post):
    with pytest.raises(LedgerError, match="晚于今天"):
        post("in", "1.00", date=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(LedgerError, match="未知的账本"):
        post("in", "1.00", ledger="slush_fund")
    with pytest.raises(LedgerError, match="摘要"):
        post("in", "1.00", summary="  ")
    assert post("in", "1.00", date=timezone.localdate()).seq == 1  # today is fine


def test_overdraft_by_one_cent_is_refused_but_exact_balance_may_be_spent(post):
    post("in", "100.00")
    with pytest.raises(LedgerError):
        post("out", "100.01")
    assert post("out", "100.00").balance == Decimal("0.00")


# ---- The command -------------------------------------------------------------------------------------


def test_export_then_verify_file(world, post, tmp_path):
    post("in", "1000.00")
    post("out", "10.10", summary="购买灭火器")
    path = tmp_path / "fund.jsonl"
    call_command(
        "ledger",
        "export",
        "--estate",
        str(world.estate_a1.pk),
        "--ledger",
        "maintenance_fund",
        "-o",
        str(path),
    )
    assert path.read_text(encoding="utf-8") == export_text(world.estate_a1)
    assert "购买灭火器" in path.read_text(encoding="utf-8")  # non-ASCII kept as is
    out = io.StringIO()
    call_command("ledger", "verify", str(path), stdout=out)
    assert "链完整" in out.getvalue() and "989.90" in out.getvalue()


def test_verify_file_names_the_first_bad_seq(world, post, tmp_path):
    for _ in range(3):
        post("in", "10.00")
    lines = export_text(world.estate_a1).splitlines()
    tampered = json.loads(lines[1])
    tampered["amount"] = "1.00"
    lines[1] = json.dumps(tampered, ensure_ascii=False)
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"第 2 条（seq=2"):
        call_command("ledger", "verify", str(path))


def test_verify_missing_file_and_unknown_estate_fail_clearly(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        call_command("ledger", "verify", str(tmp_path / "nope.jsonl"))
    with pytest.raises(CommandError, match="不存在"):
        call_command("ledger", "export", "--estate", "999999", "--ledger", "property_fee")
    with pytest.raises(CommandError):
        call_command("ledger", "verify")


def drop_triggers():
    # Simulates someone with direct database access who first disables the guard (DDL is
    # transactional on both databases, so the test's rollback brings the triggers back).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks may be pending
            cursor.execute("ALTER TABLE finance_ledgerentry DISABLE TRIGGER finance_ledgerentry_append_only")
        else:
            cursor.execute("DROP TRIGGER finance_ledgerentry_no_update")


def test_verify_database_detects_a_change_behind_the_applications_back(world, post):
    for _ in range(3):
        post("in", "10.00")
    post("in", "5.00", ledger="public_income")
    out = io.StringIO()
    call_command("ledger", "verify", "--database", stdout=out)
    assert "共校验 2 本账" in out.getvalue()

    drop_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE finance_ledgerentry SET amount = 1 WHERE estate_id = %s AND ledger = %s AND seq = 2",
            [world.estate_a1.pk, "maintenance_fund"],
        )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 本链条不完整"):
        call_command("ledger", "verify", "--database", stdout=io.StringIO(), stderr=err)
    assert "seq=2" in err.getvalue()
    assert "专项维修资金" in err.getvalue()
    # Only the touched estate is broken.
    call_command("ledger", "verify", "--database", "--estate", str(world.estate_b1.pk), stdout=out)
