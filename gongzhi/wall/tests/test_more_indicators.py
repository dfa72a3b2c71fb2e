"""The three indicators of issue #13's trends that the wall lacked — median days to close a problem
(closure_days), resident satisfaction from the latest evaluation (satisfaction) and the maintenance fund's
balance against its initial amount (fund_ratio): pure measures with known answers, the gatherers with
known answers on a small street, and kept = recomputed after the writes that change them."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from gongzhi.core.models import User
from gongzhi.registry.models import Estate
from gongzhi.wall import facts as wall_facts
from gongzhi.wall import indicators as ind
from gongzhi.wall.models import EstateStatus
from gongzhi.wall.services import status_check, status_compute, status_refresh

D = Decimal


# ---- pure: facts → number → colour ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([3], "3"), ([1, 9, 4], "4"), ([1, 4, 5, 30], "4.5"), ([0, 0], "0"), ([2, 7], "4.5")],
)
def test_median_of_days(values, expected):
    assert wall_facts.median_text(values) == expected


def test_median_days_measure_and_colour():
    spec = ind.REGISTRY["closure_days"]
    assert spec.measure({"closed": 4, "on_time": 3, "closed_all": 4, "median_days": "4.5"}) == D("4.5")
    assert spec.measure({"closed": 0, "on_time": 0, "closed_all": 0, "median_days": None}) is None
    assert spec.colour(D("14.5")) == "green"
    assert spec.colour(D(15)) == "amber"
    assert spec.colour(D(30)) == "red"
    assert spec.colour(None) == "none"
    assert "中位数 4.5 天" in spec.describe({"closed_all": 4, "median_days": "4.5"})


def test_fund_ratio_measure_and_colour():
    spec = ind.REGISTRY["fund_ratio"]
    facts = {"fund_initial": "200000.00", "fund_balance": "59999.00"}
    assert spec.measure(facts) == D("30.0")  # 29.9995 % rounds half up to 30.0
    assert spec.measure({**facts, "fund_balance": "59800.00"}) == D("29.9")
    assert spec.colour(D("29.9")) == "red"
    assert spec.colour(D("30.0")) == "amber"
    assert spec.colour(D("49.9")) == "amber"
    assert spec.colour(D(50)) == "green"
    assert spec.measure({**facts, "fund_balance": "260000.00"}) == D("130.0")  # topped up: above 100 %
    assert spec.measure({"fund_initial": None, "fund_balance": "100.00"}) is None
    assert spec.measure({"fund_initial": "0.00", "fund_balance": "100.00"}) is None
    assert spec.measure({"fund_initial": "100.00", "fund_balance": None}) is None
    assert spec.measure({}) is None  # no finance facts at all
    assert spec.describe(facts) == "余额 59,999.00 元，初始金额 200,000.00 元"


def test_satisfaction_measure_and_colour():
    spec = ind.REGISTRY["satisfaction"]
    facts = {"campaign": "2026 年上半年测评", "satisfaction": "74.950", "responses": 37}
    assert spec.measure(facts) == D("75.0")
    assert spec.colour(D("75.0")) == "green"
    assert spec.colour(D("74.9")) == "amber"
    assert spec.colour(D("59.9")) == "red"
    assert spec.measure({**facts, "satisfaction": None}) is None
    assert spec.measure({"class": ""}) is None  # no campaign yet
    assert "37 份答卷" in spec.describe(facts)


# ---- the gatherers, known answers on a small street --------------------------------------------------------------


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def test_closure_days_of_known_problems(world):
    from gongzhi.problems.models import Category, Problem, Status
    from gongzhi.problems.services import category_defaults_ensure

    category_defaults_ensure(street=world.street)
    category = Category.objects.filter(street=world.street).first()
    today = timezone.localdate()
    # reported → closed: 2, 5 and 11 days; one closed 400 days ago (outside the 12 months); one still open
    lives = [(30, 28), (20, 15), (12, 1), (420, 400), (3, None)]
    for n, (reported, closed) in enumerate(lives):
        Problem.objects.create(
            number=f"T{n}",
            estate=world.estate_a1,
            category=category,
            description="测试问题",
            status=Status.CLOSED if closed is not None else Status.ASSIGNED,
            created_at=_at(today - dt.timedelta(days=reported), 23),
            submitted_at=None if closed is None else _at(today - dt.timedelta(days=closed + 1)),
            closed_at=None if closed is None else _at(today - dt.timedelta(days=closed), 9),
            deadline=today - dt.timedelta(days=5),
            carriage="company",
            company=world.company_x,
        )
    found = wall_facts.gather("closure", [world.estate_a1.pk, world.estate_a2.pk], today)
    assert found[world.estate_a1.pk]["closed_all"] == 3
    assert found[world.estate_a1.pk]["median_days"] == "5"
    assert found[world.estate_a2.pk] == {"closed": 0, "on_time": 0, "closed_all": 0, "median_days": None}
    computed = status_compute(estate_ids=[world.estate_a1.pk, world.estate_a2.pk], sources=["closure"])
    assert computed[world.estate_a1.pk, "closure_days"].value == D(5)
    assert computed[world.estate_a1.pk, "closure_days"].colour == "green"
    assert computed[world.estate_a2.pk, "closure_days"].colour == "none"
    # as of 16 days ago only the first problem (2 days) had been closed
    past = wall_facts.gather("closure", [world.estate_a1.pk], today - dt.timedelta(days=16))
    assert past[world.estate_a1.pk]["median_days"] == "2"


def test_fund_ratio_of_known_ledger(world):
    from gongzhi.finance.services import ledger_post

    admin = world.user("admin")
    today = timezone.localdate()
    estate = world.estate_a1
    ledger_post(
        actor=admin,
        estate=estate,
        ledger="maintenance_fund",
        date=today - dt.timedelta(days=40),
        direction="in",
        amount="200000.00",
        summary="首期归集",
        category="首期归集",
    )
    ledger_post(
        actor=admin,
        estate=estate,
        ledger="maintenance_fund",
        date=today - dt.timedelta(days=10),
        direction="out",
        amount="150000.00",
        summary="屋面防水维修",
    )
    ids = [estate.pk, world.estate_b1.pk]
    found = wall_facts.gather("finance", ids, today)
    assert found[estate.pk]["fund_initial"] == "200000.00"
    assert found[estate.pk]["fund_balance"] == "50000.00"
    assert found[world.estate_b1.pk]["fund_balance"] is None
    computed = status_compute(estate_ids=ids, sources=["finance"])
    assert computed[estate.pk, "fund_ratio"].value == D("25.0")
    assert computed[estate.pk, "fund_ratio"].colour == "red"
    assert computed[world.estate_b1.pk, "fund_ratio"].colour == "none"
    # before the repair the fund was whole
    before = status_compute(estate_ids=[estate.pk], sources=["finance"], today=today - dt.timedelta(days=20))
    assert before[estate.pk, "fund_ratio"].value == D("100.0")


# ---- kept = recomputed after the writes -----------------------------------------------------------------------------


def test_the_new_indicators_are_kept_for_every_estate(demo):
    ids = list(Estate.objects.filter(area__street=demo.street).values_list("pk", flat=True))
    for key in ("closure_days", "fund_ratio", "satisfaction"):
        rows = EstateStatus.objects.filter(estate_id__in=ids, indicator=key)
        assert rows.count() == len(ids)
        assert rows.exclude(colour="none").exists(), key  # the demo street has numbers for each


def test_a_close_is_kept(demo, django_capture_on_commit_callbacks):
    from gongzhi.core.models import Role, RoleGrant
    from gongzhi.problems.models import Problem, Status
    from gongzhi.problems.services import problem_close

    problem = (
        Problem.objects.filter(estate__area__street=demo.street, status=Status.SUBMITTED)
        .select_related("estate__area")
        .first()
    )
    secretary = User.objects.create(username="secretary_for_wall_test")
    RoleGrant.objects.create(user=secretary, role=Role.AREA_SECRETARY, area=problem.estate.area)
    with django_capture_on_commit_callbacks(execute=True):
        problem_close(actor=secretary, problem=problem, note="已现场验收")
    row = EstateStatus.objects.get(estate_id=problem.estate_id, indicator="closure_days")
    assert row.detail["closed_all"] >= 1
    assert status_check(estate_ids=[problem.estate_id]) == []


def test_a_fund_entry_is_kept(demo, django_capture_on_commit_callbacks):
    from gongzhi.finance.models import LedgerEntry
    from gongzhi.finance.services import ledger_post

    admin = User.objects.get(username="demo_admin")
    last = (
        LedgerEntry.objects.filter(
            estate__area__street=demo.street, ledger="maintenance_fund", balance__gt=Decimal("100000")
        )
        .order_by("-seq")
        .first()
    )
    estate = last.estate
    before = EstateStatus.objects.get(estate=estate, indicator="fund_ratio").value
    with django_capture_on_commit_callbacks(execute=True):
        ledger_post(
            actor=admin,
            estate=estate,
            ledger="maintenance_fund",
            date=timezone.localdate(),
            direction="out",
            amount="50000.00",
            summary="外墙修缮",
        )
    after = EstateStatus.objects.get(estate=estate, indicator="fund_ratio").value
    assert after < before
    assert status_check(estate_ids=[estate.pk]) == []


def test_satisfaction_is_the_latest_campaigns_estate_mean(demo):
    from gongzhi.evaluation.models import ScoreSnapshot

    row = EstateStatus.objects.filter(
        estate__area__street=demo.street, indicator="satisfaction", value__isnull=False
    ).first()
    snapshot = ScoreSnapshot.objects.get(
        campaign__name=row.detail["campaign"], campaign__street=demo.street, kind="estate", estate=row.estate
    )
    assert row.value == snapshot.survey_mean.quantize(D("0.1"), rounding=ROUND_HALF_UP)
    assert row.detail["responses"] == snapshot.responses
    status_refresh(estate_ids=[row.estate_id])
    assert status_check(estate_ids=[row.estate_id]) == []
