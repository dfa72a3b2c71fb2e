"""Fee × quality (质价相符, issue 14): the bands at their bounds, each estate placed from its records, the
page with its filters, and collection and complaints before and after an increase — known answers on the
persona world (street A: A1 0.80 元, A2 1.20 元, B1 0.65 元 by contract; median 0.80)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.evaluation.models import ScoreKind, ScoreSnapshot
from gongzhi.fees import selectors
from gongzhi.fees.rules import (
    BAND_MATCHED,
    BAND_OVERPRICED,
    BAND_UNDERPRICED,
    BAND_UNPLACED,
    fee_quality_band,
    median_fee,
    month_add,
    month_start,
)
from gongzhi.fees.services import fee_standard_create
from gongzhi.fees.tests.gate_helpers import closed_evaluation
from gongzhi.problems.models import Problem
from gongzhi.registry.models import Estate

D = Decimal


@pytest.mark.parametrize(
    ("fees", "median"),
    [
        ([D("0.80")], D("0.80")),
        ([D("1.20"), D("0.65"), D("0.80")], D("0.80")),
        ([D("0.60"), D("0.80"), D("1.00"), D("1.30")], D("0.90")),  # even: the mean of the middle two
        ([None, D("0.70"), None], D("0.70")),
        ([], None),
        ([None], None),
    ],
)
def test_the_median_fee_is_exact(fees, median):
    assert median_fee(fees) == median


@pytest.mark.parametrize(
    ("fee", "score", "band"),
    [
        (
            D("0.79"),
            D("80"),
            BAND_UNDERPRICED,
        ),  # the gate score is good quality (不低于), the fee below the median
        (D("0.80"), D("80"), BAND_MATCHED),  # at the median is not below it
        (D("0.80"), D("79.9"), BAND_OVERPRICED),
        (D("2.50"), D("10"), BAND_OVERPRICED),
        (D("0.79"), D("79.9"), BAND_MATCHED),  # poor and cheap: matched
        (D("1.50"), D("95"), BAND_MATCHED),  # good and dear: matched
        (None, D("95"), BAND_UNPLACED),
        (D("0.80"), None, BAND_UNPLACED),
    ],
)
def test_the_bands_at_their_bounds(fee, score, band):
    assert fee_quality_band(fee, score, median=D("0.80"), min_score=D("80")) == band


def _score(snapshot: ScoreSnapshot, estate: Estate, value: str) -> None:
    ScoreSnapshot.objects.create(
        campaign=snapshot.campaign,
        kind=ScoreKind.ESTATE,
        estate=estate,
        composite=D(value),
        low=D(value) - 2,
        high=D(value) + 2,
        rank=2,
        rank_best=1,
        rank_worst=3,
        score_class="keep",
    )


def test_each_estate_is_placed_by_its_fee_and_its_latest_score(world):
    snapshot = closed_evaluation(world, score="85.00")  # A1: good quality, 0.80 = the median → matched
    _score(snapshot, world.estate_b1, "90.00")  # B1: good, 0.65 < 0.80 → underpriced
    _score(snapshot, world.estate_a2, "70.00")  # A2: poor, 1.20 ≥ 0.80 → overpriced
    data = selectors.fee_quality(Estate.objects.filter(area__street=world.street))
    bands = {r["estate"].name: r["band"] for r in data["rows"]}
    assert bands == {"甲一小区": BAND_MATCHED, "乙一小区": BAND_UNDERPRICED, "甲二小区": BAND_OVERPRICED}
    assert data["median"] == D("0.80") and data["min_score"] == D("80")
    assert data["counts"] == {"underpriced": 1, "overpriced": 1, "matched": 1, "unplaced": 0}
    a1 = next(r for r in data["rows"] if r["estate"] == world.estate_a1)
    assert a1["fee"] == D("0.80") and a1["fee_from_contract"] and a1["score"] == D("85.0")
    companies = {c["company"]: c["bands"] for c in data["companies"]}
    assert companies["星河物业"] == {"underpriced": 1, "overpriced": 0, "matched": 1, "unplaced": 0}
    assert companies["月湾物业"]["overpriced"] == 1


def test_an_estate_without_a_closed_evaluation_is_not_placed(world):
    data = selectors.fee_quality(Estate.objects.filter(area__street=world.street))
    assert {r["band"] for r in data["rows"]} == {BAND_UNPLACED}
    assert data["placed"] == 0 and selectors.fee_quality_chart(data) is None


def test_the_page_filters_by_band_and_reads_a_bounded_number_of_queries(as_user, world):
    snapshot = closed_evaluation(world, score="85.00")
    _score(snapshot, world.estate_b1, "90.00")
    _score(snapshot, world.estate_a2, "70.00")
    client = as_user("admin")
    url = reverse("fees:quality")
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert "质优价低" in page and "价高质低" in page and 'data-chart="chart-quality"' in page
    assert page.index("甲二小区") < page.index("乙一小区") < page.index("甲一小区")  # most to act on first
    only = client.get(url, {"band": "underpriced"}).content.decode()
    table = only.split("<tbody>")[1]
    assert "乙一小区" in table and "甲二小区" not in table
    # Twice the estates, the same number of queries.
    for n in range(3):
        Estate.objects.create(area=world.estate_a1.area, name=f"甲{n + 3}小区", build_year=1990)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few), [q["sql"][:80] for q in more.captured_queries]


def test_collection_and_complaints_before_and_after_an_increase(world, record, decision_factory):
    today = timezone.localdate()
    start = world.contract_a1.start_date
    fee_standard_create(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        kind="property_residential",
        amount="0.80",
        unit="yuan_m2_month",
        effective_from=start,
        basis="contract",
        basis_contract=world.contract_a1,
    )
    decision = decision_factory(matter=4, closed_days_ago=120)
    effective = month_start(timezone.localdate(decision.closed_at)) + dt.timedelta(days=31)
    effective = month_start(effective)
    fee_standard_create(
        actor=world.user("oc_a1"),
        estate=world.estate_a1,
        kind="property_residential",
        amount="1.10",
        unit="yuan_m2_month",
        effective_from=effective,
        basis="owners_assembly",
        basis_decision=decision,
    )
    # Three months before at 80 %, two months after at 90 % (and one month outside both windows).
    for k, collected in ((-3, "800.00"), (-2, "800.00"), (-1, "800.00"), (0, "900.00"), (1, "900.00")):
        record(month_add(effective, k).strftime("%Y-%m"), "1000.00", collected)
    record(month_add(effective, -9).strftime("%Y-%m"), "1000.00", "100.00")
    for days, n in ((-40, 3), (10, 1)):
        moment = timezone.make_aware(dt.datetime.combine(effective + dt.timedelta(days=days), dt.time(10)))
        for i in range(n):
            Problem.objects.create(
                number=f"Q{days}{i}",
                estate=world.estate_a1,
                category=closed_category(world),
                description="楼道垃圾未及时清运",
                created_at=moment,
            )
    (row,) = selectors.increase_effects(Estate.objects.filter(pk=world.estate_a1.pk), today=today)
    assert (row["old"], row["new"]) == (D("0.8"), D("1.1"))
    assert (row["rate_before"], row["rate_after"]) == (D("80.00"), D("90.00"))
    assert (row["problems_before"], row["problems_after"]) == (3, 1)


def closed_category(world):
    from gongzhi.problems.services import category_defaults_ensure

    return next(c for c in category_defaults_ensure(street=world.street) if c.code == "cleaning")
