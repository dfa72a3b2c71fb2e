"""Facts about the demo street's fee and disclosure-book records (fees/demo_data.py, disclosure/demo_data.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count, Max, Min

from gongzhi.disclosure import demo_data as book_demo
from gongzhi.disclosure.models import EstateRules, MajorMatter, ServiceContent
from gongzhi.fees import demo_data as fee_demo
from gongzhi.fees.models import FeeStandard, MonthlyCollection
from gongzhi.fees.rules import percent, rolling_rate
from gongzhi.registry import models as r

DAY = dt.date(2026, 3, 1)
pytestmark = [pytest.mark.django_db, pytest.mark.demo(today=DAY)]


@pytest.fixture
def street(demo):
    return demo.street


def test_every_estate_has_24_months_and_standards(street):
    estates = r.Estate.objects.filter(area__street=street)
    assert estates.count() == 76
    months = MonthlyCollection.objects.filter(estate__in=estates).values("estate").annotate(n=Count("pk"))
    assert {row["n"] for row in months} == {24} and len(months) == 76
    span = MonthlyCollection.objects.filter(estate__in=estates).aggregate(
        first=Min("month"), last=Max("month")
    )
    assert span == {"first": dt.date(2024, 3, 1), "last": dt.date(2026, 2, 1)}  # complete months before DAY
    for estate in estates:
        kinds = set(FeeStandard.objects.filter(estate=estate).values_list("kind", flat=True))
        assert {"property_residential", "parking_monthly", "parking_hourly"} <= kinds


def test_rates_are_plausible_and_the_rolling_year_equals_the_registry_rate(street):
    rates = [row.rate_percent for row in MonthlyCollection.objects.filter(estate__area__street=street)]
    assert Decimal("45") <= min(rates) and max(rates) <= Decimal("100")
    assert min(rates) < Decimal("65") and max(rates) > Decimal("90")  # the seed's 50–99 % spread
    for contract in r.Contract.objects.active(DAY).filter(estate__area__street=street):
        rows = MonthlyCollection.objects.filter(estate=contract.estate).values_list(
            "month", "amount_billed", "amount_collected"
        )
        assert percent(rolling_rate(rows)) == contract.collection_rate, contract.estate.name


def test_residential_fee_in_force_is_the_contract_fee_about_08(street):
    from gongzhi.fees.selectors import standards_in_force

    estates = list(r.Estate.objects.filter(area__street=street).values_list("pk", flat=True))
    in_force = standards_in_force(estates, on=DAY)
    fees = []
    for contract in r.Contract.objects.active(DAY).filter(estate__area__street=street):
        (residential,) = [s for s in in_force[contract.estate_id] if s.kind == "property_residential"]
        assert residential.amount == contract.fee_standard
        fees.append(residential.amount)
    assert Decimal("0.7") < sum(fees) / len(fees) < Decimal("1.0")
    assert FeeStandard.objects.filter(estate__area__street=street, supersedes__isnull=False).exists()


def test_every_demo_standard_rests_on_a_checked_basis(street):
    standards = FeeStandard.objects.filter(estate__area__street=street).select_related(
        "basis_contract", "basis_document"
    )
    assert standards.exists() and all(s.basis_checked for s in standards)
    bases = {s.basis for s in standards}
    assert bases == {"contract", "price_bureau"}
    for s in standards:
        if s.basis_contract is not None:
            assert s.amount == s.basis_contract.fee_standard and s.basis_contract.estate_id == s.estate_id
        else:
            assert s.basis_document.low <= s.amount <= s.basis_document.high
            assert s.basis_document.estates.filter(pk=s.estate_id).exists()


def test_book_records_for_every_estate_and_a_richer_showcase(street):
    estates = r.Estate.objects.filter(area__street=street)
    assert ServiceContent.objects.filter(estate__in=estates).count() == 76 * 4
    assert EstateRules.objects.filter(estate__in=estates).count() == 76 * 2
    per_estate = MajorMatter.objects.filter(estate__in=estates).values("estate").annotate(n=Count("pk"))
    counts = sorted(row["n"] for row in per_estate)
    assert len(counts) == 76 and counts[0] >= 1 and counts[-1] >= 9


def test_the_published_service_text_says_what_the_company_committed(street):
    """One true story (issue 15): the book's words for a service name every committed item with its number,
    and no estate with a commitment keeps the generic text (“报修 30 分钟内响应” beside a 4-hour commitment)."""
    from gongzhi.fees.models import ServiceCommitment, StandardItem

    units = dict(StandardItem.objects.filter(street=street).values_list("code", "unit").distinct())
    titles = dict(StandardItem.objects.filter(street=street).values_list("code", "title").distinct())
    texts = {
        (c.estate_id, c.service): c.standard
        for c in ServiceContent.objects.filter(estate__area__street=street)
    }
    committed = ServiceCommitment.objects.filter(estate__area__street=street, value__isnull=False)
    assert committed.count() > 500
    services = dict(StandardItem.objects.filter(street=street).values_list("code", "service").distinct())
    for c in committed:
        text = texts[(c.estate_id, services[c.code])]
        number = f"{c.value.normalize():f}"
        phrase = book_demo.PHRASES[units[c.code]].format(title=titles[c.code], v=number)
        assert phrase in text, (
            c.estate_id,
            c.code,
            phrase,
            text,
        )  # e.g. 楼道清扫每周 5 次 / 急修到场不超过 1 小时
    assert not any(
        "30 分钟内响应" in texts[(c.estate_id, "repair")] for c in committed if services[c.code] == "repair"
    )


def test_fingerprints_are_deterministic_and_delete_removes_the_rows(street):
    assert fee_demo.demo_fingerprint(street) == fee_demo.demo_fingerprint(street)
    before = (fee_demo.demo_fingerprint(street), book_demo.demo_fingerprint(street))
    fee_demo.demo_delete(street=street)
    book_demo.demo_delete(street=street)
    assert not FeeStandard.objects.exists() and not MonthlyCollection.objects.exists()
    assert not MajorMatter.objects.exists() and not ServiceContent.objects.exists()
    fee_demo.demo_create(street=street, seed=2019, today=DAY, users={})  # the street's admin sets
    book_demo.demo_create(street=street, seed=2019, today=DAY, users={})
    after = (fee_demo.demo_fingerprint(street), book_demo.demo_fingerprint(street))
    assert after[0] == before[0]
    assert FeeStandard.objects.count() > 76
