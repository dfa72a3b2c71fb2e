"""Facts about the synthetic city (``gongzhi demo --city``, issue 17 item 4).

The city is generated through PostgreSQL's bulk paths (INSERT … SELECT, COPY), so the generating tests
run in the suite's PostgreSQL pass and are skipped on SQLite — an honest skip: the feature itself refuses
SQLite, which the first tests prove on either database."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gongzhi.core.health import ERROR, run_health
from gongzhi.core.models import User
from gongzhi.demo.city import (
    DISTRICT_NAMES,
    CityError,
    CityPlan,
    city_counts,
    city_create,
    city_drop,
    city_streets,
)
from gongzhi.evaluation import rules as evaluation_rules
from gongzhi.evaluation.models import SurveyAnswer, SurveyCategory, SurveyResponse
from gongzhi.finance import rules as finance_rules
from gongzhi.finance.models import LedgerEntry
from gongzhi.finance.selectors import ledger_chains, ledger_lines
from gongzhi.registry import models as r
from gongzhi.voting.models import Ballot, BallotCast, ElectorateOwner, ElectorateUnit
from gongzhi.voting.sealing import CHOICES

PG_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the city is generated with PostgreSQL's bulk paths (COPY, INSERT … SELECT) and refuses SQLite; "
    "runs in the suite's PostgreSQL pass",
)
TINY = 0.0002  # one street of 3 estates, 72 units


def test_plan_at_full_scale_is_the_city_of_the_issue():
    plan = CityPlan.at(1.0)
    assert (plan.districts, plan.streets) == (16, 200)
    assert plan.streets * plan.estates_per_street == 13_000
    tenth = CityPlan.at(0.1)
    assert (tenth.streets, tenth.estates_per_street) == (20, 65)  # a smaller city of full-size streets
    tiny = CityPlan.at(TINY)
    assert (tiny.streets, tiny.estates_per_street) == (1, 3)


@pytest.mark.parametrize("scale", [0, -1, 1.5])
def test_plan_refuses_a_scale_out_of_range(scale):
    with pytest.raises(CityError, match="须大于 0 且不超过 1"):
        CityPlan.at(scale)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal on SQLite")
def test_sqlite_is_refused_in_chinese_and_nothing_is_written(db):
    with pytest.raises(CityError, match="只能在 PostgreSQL 上生成"):
        city_create(scale=TINY)
    with pytest.raises(CommandError, match="只能在 PostgreSQL 上生成"):
        call_command("demo", "--city", "--scale", str(TINY), stdout=StringIO())
    assert not r.District.objects.filter(name__in=DISTRICT_NAMES).exists()


@pytest.fixture
def city(db):
    out = StringIO()
    call_command("demo", "--city", "--scale", str(TINY), stdout=out)
    return out.getvalue()


@PG_ONLY
def test_city_rows_are_counted_and_related_as_planned(city):
    assert "开始：楼栋、房屋和业主" in city and "已生成合成城市" in city
    counts = city_counts()
    assert counts["districts"] == 1 and counts["streets"] == 1 and counts["estates"] == 3
    assert counts["buildings"] == 3 and counts["units"] == 3 * 24
    assert counts["owners"] == counts["units"] == counts["electorate_owners"]
    assert counts["decisions"] == 3
    assert counts["companies"] == 1
    responses = counts["survey_responses"]
    assert 0 < responses < counts["units"]
    assert counts["survey_answers"] == 10 * responses
    assert 0 < counts["ballots"] < counts["units"]
    assert BallotCast.objects.count() == Ballot.objects.count() == counts["ballots"]
    assert counts["problems"] >= 3
    assert counts["ledger_entries"] > 3 * 3
    street = city_streets().get()
    assert street.is_demo and street.district.is_demo
    # Every unit has its owner, of the same street; every voter's unit is in the decision's estate.
    units = r.Unit.objects.filter(building__estate__area__street=street)
    assert not units.filter(owner__isnull=True).exists()
    assert not units.exclude(owner__street=street).exists()
    assert not ElectorateUnit.objects.exclude(building__estate_id=models_f("decision__estate_id")).exists()
    assert not ElectorateUnit.objects.exclude(voter__decision_id=models_f("decision_id")).exists()
    assert not Ballot.objects.exclude(voter__decision_id=models_f("decision_id")).exists()


def models_f(name: str):
    from django.db.models import F

    return F(name)


@PG_ONLY
def test_city_ledgers_verify_and_ballots_open_with_the_application_key(city):
    chains = ledger_chains()
    assert len(chains) == 3 * 3
    for estate_id, ledger in chains:
        lines = [json.dumps(line, ensure_ascii=False) for line in ledger_lines(estate_id, ledger)]
        result = finance_rules.verify_lines(lines)
        assert result.ok, (estate_id, ledger, result)
    assert not LedgerEntry.objects.filter(balance__lt=0).exists()
    for ballot in Ballot.objects.all()[:20]:
        assert ballot.choice in CHOICES  # the seal opens under the application key
    assert ElectorateOwner.objects.filter(ballot__isnull=False).count() == Ballot.objects.count()


@PG_ONLY
def test_city_response_scores_are_the_rule_s(city):
    categories = list(
        SurveyCategory.objects.filter(template__street__in=city_streets()).prefetch_related("items")
    )
    structure = [(c.weight, [(item.pk, Decimal(item.weight)) for item in c.items.all()]) for c in categories]
    for response in SurveyResponse.objects.all()[:25]:
        answers = dict(SurveyAnswer.objects.filter(response=response).values_list("item_id", "score"))
        assert len(answers) == 10
        assert response.score == evaluation_rules.response_score(answers, structure, 5)


@PG_ONLY
def test_city_street_passes_the_data_health_check(city):
    report = run_health(street=city_streets().get())
    errors = {
        r.invariant.code: [f.message for f in r.findings if f.severity == ERROR] for r in report.results
    }
    assert not any(errors.values()), {k: v[:3] for k, v in errors.items() if v}


@PG_ONLY
def test_city_pages_render_for_the_city_street_admin(city, client):
    from gongzhi.wall.services import status_refresh

    street = city_streets().get()
    status_refresh(estate_ids=list(r.Estate.objects.filter(area__street=street).values_list("pk", flat=True)))
    admin = User.objects.get(username="city_admin_001")
    client.force_login(admin)
    for url in ["/registry/estates/", "/registry/units/", "/registry/owners/", "/problems/", "/wall/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/registry/estates/").content.decode()
    assert "第1小区" in page and "第3小区" in page


@PG_ONLY
def test_city_twice_is_refused_and_drop_removes_all_of_it(city):
    with pytest.raises(CommandError, match="合成城市已存在"):
        call_command("demo", "--city", "--scale", str(TINY), stdout=StringIO())
    out = StringIO()
    call_command("demo", "--city-drop", stdout=out)
    assert "已删除合成城市" in out.getvalue()
    assert all(n == 0 for n in city_counts().values())
    assert not LedgerEntry.objects.exists()
    assert not User.objects.filter(username__startswith="city_admin_").exists()
    assert city_drop() == {}  # nothing left: a second drop changes nothing
    # The append-only trigger is back on.
    from django.db import DatabaseError, transaction

    city_create(scale=TINY)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM finance_ledgerentry")
