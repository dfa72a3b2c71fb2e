"""Facts about the demo street's ledgers (gongzhi/finance/demo_data.py) and their purge on reset."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gongzhi.demo.generator import SMALL_SCALE, demo_street_ensure, street_fingerprint
from gongzhi.finance.demo_data import CATEGORY_INITIAL, CATEGORY_REPAIR, LOW_FUND_SHARE
from gongzhi.finance.maintenance import NotADemoStreet, purge_demo_ledgers
from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.rules import LEDGER_KINDS, verify_lines
from gongzhi.finance.selectors import ledger_chains, ledger_lines
from gongzhi.registry import models as r

DAY = dt.date(2026, 3, 1)
pytestmark = pytest.mark.demo(today=DAY)


def entries(street):
    return LedgerEntry.objects.filter(estate__area__street=street)


def fund_summary(street):
    """Per estate: (initial amount, last balance)."""
    fund = entries(street).filter(ledger="maintenance_fund")
    initial = dict(fund.filter(category=CATEGORY_INITIAL).values_list("estate_id", "amount"))
    last = {}
    for estate_id, balance in fund.order_by("estate_id", "seq").values_list("estate_id", "balance"):
        last[estate_id] = balance
    return initial, last


def test_every_demo_estate_has_the_three_ledgers_and_every_chain_verifies(demo):
    estates = set(r.Estate.objects.filter(area__street=demo.street).values_list("pk", flat=True))
    chains = ledger_chains()
    assert set(chains) == {(e, kind) for e in estates for kind in LEDGER_KINDS}
    for estate_id, ledger in chains:
        lines = [json.dumps(line, ensure_ascii=False) for line in ledger_lines(estate_id, ledger)]
        result = verify_lines(lines)
        assert result.ok, (estate_id, ledger, result.reason, result.seq)
        assert result.count >= 6
    assert demo.counts["ledger_entries"] == entries(demo.street).count()


def test_the_ledger_command_verifies_the_whole_demo(demo):
    call_command("ledger", "verify", "--database")  # raises CommandError on a bad chain


def test_history_spans_two_years_ends_before_today_and_never_goes_negative(demo):
    rows = entries(demo.street)
    assert not rows.filter(balance__lt=0).exists()
    assert not rows.filter(date__gte=DAY).exists()
    assert rows.order_by("date").first().date <= DAY - dt.timedelta(days=700)
    assert rows.filter(date__gte=DAY - dt.timedelta(days=40)).exists()
    for amount in rows.values_list("amount", flat=True)[:500]:
        assert isinstance(amount, Decimal) and amount == amount.quantize(Decimal("0.01")) and amount > 0


def test_fund_has_interest_repairs_with_decisions_and_some_without(demo):
    repairs = entries(demo.street).filter(ledger="maintenance_fund", category=CATEGORY_REPAIR)
    assert repairs.filter(direction="out").count() >= 76
    assert repairs.exclude(reference="").filter(reference__startswith="业主大会决议").count() > 100
    without = repairs.filter(reference="")
    assert without.values("estate").distinct().count() >= 3
    assert not repairs.filter(project="").exists()
    assert not repairs.filter(counterparty="").exists()
    assert entries(demo.street).filter(ledger="maintenance_fund", category="利息").count() >= 76


def test_a_few_estates_fall_under_30_percent_of_the_initial_fund(demo):
    initial, last = fund_summary(demo.street)
    assert len(initial) == 76
    low = [e for e, amount in initial.items() if last[e] < amount * LOW_FUND_SHARE]
    assert 3 <= len(low) <= 12


def test_public_income_transfers_match_fund_receipts(demo):
    rows = entries(demo.street)
    out = sorted(
        rows.filter(ledger="public_income", category="转入维修资金").values_list(
            "estate_id", "date", "amount"
        )
    )
    into = sorted(
        rows.filter(ledger="maintenance_fund", category="公共收益转入").values_list(
            "estate_id", "date", "amount"
        )
    )
    assert out and out == into
    assert rows.filter(ledger="public_income", category="停车收益").count() >= 76 * 20


def test_property_fee_income_follows_area_fee_and_collection_rate(demo):
    estate = r.Estate.objects.filter(area__street=demo.street).order_by("pk").first()
    contract = r.Contract.objects.active(on=DAY - dt.timedelta(days=20)).get(estate=estate)
    area = sum(r.Unit.objects.filter(building__estate=estate).values_list("area", flat=True))
    expected = area * contract.fee_standard * contract.collection_rate / 100
    last = entries(demo.street).filter(estate=estate, ledger="property_fee", category="物业费收入").last()
    assert abs(last.amount - expected) <= expected * Decimal("0.04")
    categories = set(entries(demo.street).filter(ledger="property_fee").values_list("category", flat=True))
    assert {"保洁", "绿化", "秩序维护", "维修养护", "人员费用"} <= categories


def test_a_couple_of_mistakes_are_corrected_by_reversing_entries(demo):
    reversals = entries(demo.street).filter(reverses__isnull=False).select_related("reverses")
    assert reversals.count() >= 2
    for entry in reversals:
        assert entry.summary.startswith(f"冲正第 {entry.reverses.seq} 条：")
        assert entry.amount == entry.reverses.amount
        assert entry.direction != entry.reverses.direction
        assert (entry.estate_id, entry.ledger) == (entry.reverses.estate_id, entry.reverses.ledger)


def test_same_seed_and_day_give_the_same_ledgers(demo):
    first = street_fingerprint(demo.street)
    latest = sorted(entries(demo.street).filter(ledger="property_fee").values_list("estate_name", "balance"))
    again = demo_street_ensure(scale=SMALL_SCALE, today=DAY, reset=True)
    assert street_fingerprint(again.street) == first
    assert sorted(
        entries(again.street).filter(ledger="property_fee").values_list("estate_name", "balance")
    ) == (latest)


def raw_update_fails(entry_id):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE finance_ledgerentry SET summary = 'x' WHERE id = %s", [entry_id])


def test_reset_purges_demo_ledgers_keeps_others_and_the_triggers(world, post, demo_copy):
    foreign = post("in", "500.00")
    demo = demo_copy(today=DAY)
    old_ids = list(entries(demo.street).values_list("pk", flat=True)[:5])
    again = demo_street_ensure(scale=SMALL_SCALE, today=DAY, reset=True)
    assert again.deleted["finance.LedgerEntry"] == demo.counts["ledger_entries"]
    assert not LedgerEntry.objects.filter(pk__in=old_ids).exists()
    assert entries(again.street).count() == demo.counts["ledger_entries"]
    kept = LedgerEntry.objects.get(pk=foreign.pk)
    assert (kept.hash, kept.amount) == (foreign.hash, foreign.amount)
    raw_update_fails(foreign.pk)
    raw_update_fails(entries(again.street).first().pk)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM finance_ledgerentry WHERE id = %s", [foreign.pk])
    assert LedgerEntry.objects.filter(pk=foreign.pk).exists()


def test_purge_refuses_a_street_that_is_not_a_demo_street(world, post):
    entry = post("in", "500.00")
    with pytest.raises(NotADemoStreet):
        purge_demo_ledgers(world.street)
    world.street.is_demo = True  # only the database's flag counts
    with pytest.raises(NotADemoStreet):
        purge_demo_ledgers(world.street)
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    raw_update_fails(entry.pk)


def test_purge_of_a_demo_street_leaves_the_triggers_active(demo):
    assert purge_demo_ledgers(demo.street) == demo.counts["ledger_entries"]
    assert not entries(demo.street).exists()
    assert purge_demo_ledgers(demo.street) == 0
    demo_street_ensure(scale=SMALL_SCALE, today=DAY, reset=True)
    raw_update_fails(LedgerEntry.objects.first().pk)
