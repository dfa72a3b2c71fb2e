"""The demo street shows every §5 alert kind and overdue disclosures (gongzhi/finance/demo_data.py)."""

import datetime as dt
from collections import Counter

import pytest

from gongzhi.demo.generator import SMALL_SCALE, demo_street_ensure
from gongzhi.finance.models import Disclosure, FinanceProfile, FundUseEvidence
from gongzhi.finance.selectors import AlertKind, disclosure_status, money_alerts
from gongzhi.registry import models as r

DAY = dt.date(2026, 3, 1)
pytestmark = pytest.mark.demo(today=DAY)


def test_the_demo_street_shows_every_alert_kind_and_some_overdue_disclosures(demo):
    ids = list(r.Estate.objects.filter(area__street=demo.street).values_list("pk", flat=True))
    alerts = money_alerts(estate_ids=ids, today=DAY)
    by_kind = Counter(a.kind for a in alerts)
    assert 3 <= by_kind[AlertKind.LOW_FUND] <= 12
    assert by_kind[AlertKind.TRANSFER_SHORT] >= 3
    assert by_kind[AlertKind.USE_NO_DECISION] >= 3
    assert by_kind[AlertKind.USE_NO_AUDIT] >= 5
    uses_flagged = {a.entry_id for a in alerts if a.kind == AlertKind.USE_NO_AUDIT}
    assert FundUseEvidence.objects.filter(kind="price_audit").count() > 5 * len(uses_flagged)  # most have it
    states = disclosure_status(estate_ids=ids, today=DAY)
    overdue = {e for (e, _ledger), s in states.items() if s.overdue}
    assert 4 <= len(overdue) <= 15
    on_time = [s for s in states.values() if s.due_date and not s.overdue]
    assert len(on_time) > 150
    assert FinanceProfile.objects.filter(income_tops_up_fund=True).count() >= 10
    assert demo.counts["disclosures"] == Disclosure.objects.count() > 76 * 8


def test_reset_removes_and_recreates_the_finance_rows(demo):
    counts = (Disclosure.objects.count(), FundUseEvidence.objects.count(), FinanceProfile.objects.count())
    again = demo_street_ensure(scale=SMALL_SCALE, today=DAY, reset=True)
    assert (
        Disclosure.objects.count(),
        FundUseEvidence.objects.count(),
        FinanceProfile.objects.count(),
    ) == counts
    assert again.counts["fund_use_evidence"] == counts[1]


def test_on_new_years_eve_no_disclosure_of_the_demo_is_one_day_late(db):
    """A half-year ending 30 Jun is due 31 Dec and a quarter ending 30 Sep too (issue 11): on 31 Dec 2026
    the demo street must not flag them overdue by one day."""
    demo = demo_street_ensure(scale=SMALL_SCALE, today=dt.date(2026, 12, 6))
    ids = list(r.Estate.objects.filter(area__street=demo.street).values_list("pk", flat=True))
    states = disclosure_status(estate_ids=ids, today=dt.date(2026, 12, 31))
    ending = {(s.ledger, s.last_period_end) for s in states.values()}
    assert ("maintenance_fund", dt.date(2026, 6, 30)) in ending
    assert ("public_income", dt.date(2026, 9, 30)) in ending
    ends_31_dec = {(dt.date(2026, 6, 30), 6), (dt.date(2026, 9, 30), 3)}
    checked = [s for s in states.values() if (s.last_period_end, s.interval_months) in ends_31_dec]
    assert len(checked) > 10
    assert all(s.due_date == dt.date(2026, 12, 31) and not s.overdue for s in checked)
    assert [s for s in states.values() if s.days_overdue == 1] == []
