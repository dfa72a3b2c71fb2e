"""The district tier of evaluation (区级): the district admin's district-wide round (one street campaign
per street, all or nothing, audited), and the district league table of companies and streets read
from those campaigns with the street's own machinery (known answers from the estates' scores)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import AuditEvent, Role, RoleGrant, User
from gongzhi.core.scopes import forget_scope
from gongzhi.evaluation import rules, selectors_district, services
from gongzhi.evaluation.models import (
    Campaign,
    CampaignStatus,
    DistrictCampaign,
    ScoreKind,
    ScoreSnapshot,
)
from gongzhi.evaluation.services.district import district_campaign_start
from gongzhi.evaluation.tests.factories import answers
from gongzhi.registry import models as r

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour_admin(district_world):
    user = User.objects.create_user(username="neighbour_admin", password="x", display_name="邻近街道管理员")
    RoleGrant.objects.create(user=user, role=Role.STREET_ADMIN, street=district_world.neighbour_street)
    return user


def _templates(world, district_world, neighbour_admin):
    services.template_create_default(actor=world.user("admin"), street=world.street)
    services.template_create_default(actor=neighbour_admin, street=district_world.neighbour_street)


def _start(world, district_world, **overrides):
    today = timezone.localdate()
    kwargs = {
        "actor": world.user("district_admin"),
        "district": district_world.district,
        "name": "2026年度区级物业服务测评",
        "period_start": today - dt.timedelta(days=364),
        "period_end": today,
        "opens_on": today - dt.timedelta(days=1),
        "closes_on": today + dt.timedelta(days=14),
    } | overrides
    return district_campaign_start(**kwargs)


@pytest.fixture
def scored_round(world, district_world, neighbour_admin):
    """A district round, run by each street: every household answers (A1 5, A2 4, B1 2, D1 3), closed,
    recomputed."""
    _templates(world, district_world, neighbour_admin)
    round_ = _start(world, district_world)
    values = {
        world.estate_a1.pk: 5,
        world.estate_a2.pk: 4,
        world.estate_b1.pk: 2,
        district_world.neighbour_estate.pk: 3,
    }
    for link in round_.links.select_related("campaign"):
        campaign = link.campaign
        admin = world.user("admin") if campaign.street_id == world.street.pk else neighbour_admin
        services.campaign_open(actor=admin, campaign=campaign)
        for estate in campaign.estates.all():
            for issued in services.codes_issue(actor=admin, campaign=campaign, estate=estate):
                services.response_submit_by_code(
                    code=issued.code, answers=answers(campaign, values[estate.pk])
                )
        services.campaign_close(actor=admin, campaign=campaign)
        services.campaign_recompute(campaign=campaign, actor=admin)
    return round_


# ---- the district-wide round -----------------------------------------------------------------------


def test_the_district_admin_starts_one_draft_campaign_in_every_street(world, district_world, neighbour_admin):
    _templates(world, district_world, neighbour_admin)
    round_ = _start(world, district_world)
    campaigns = list(
        Campaign.objects.filter(district_link__district_campaign=round_).order_by("street__name")
    )
    assert sorted(c.street.name for c in campaigns) == ["示例街道", "邻近街道"]
    assert {c.status for c in campaigns} == {CampaignStatus.DRAFT}
    assert {c.name for c in campaigns} == {"2026年度区级物业服务测评"}
    by_street = {c.street_id: set(c.estates.values_list("pk", flat=True)) for c in campaigns}
    assert by_street[world.street.pk] == {world.estate_a1.pk, world.estate_a2.pk, world.estate_b1.pk}
    assert by_street[district_world.neighbour_street.pk] == {district_world.neighbour_estate.pk}
    # The other district's street got nothing; each street's campaign uses its own questionnaire.
    assert not Campaign.objects.filter(street=world.other_street).exists()
    assert all(c.template.street_id == c.street_id for c in campaigns)
    # Audited: the round, and each street's campaign in that street's trail.
    round_event = AuditEvent.objects.get(object_type__icontains="districtcampaign", object_id=str(round_.pk))
    assert round_event.actor == world.user("district_admin")
    assert round_event.changes["streets"] == 2
    for c in campaigns:
        assert AuditEvent.objects.filter(
            object_id=str(c.pk), street_id=c.street_id, action=AuditEvent.Action.CREATE
        ).exists()


def test_a_street_without_a_questionnaire_refuses_the_whole_round(world, district_world):
    services.template_create_default(actor=world.user("admin"), street=world.street)  # the neighbour has none
    with pytest.raises(services.EvaluationError) as refused:
        _start(world, district_world)
    assert "邻近街道还没有测评问卷" in str(refused.value.message)
    assert not DistrictCampaign.objects.exists()
    assert not Campaign.objects.exists()


def test_bad_dates_refuse_the_whole_round(world, district_world, neighbour_admin):
    _templates(world, district_world, neighbour_admin)
    today = timezone.localdate()
    with pytest.raises(services.EvaluationError) as refused:
        _start(world, district_world, period_end=today - dt.timedelta(days=400))
    assert "考核期结束日期不能早于开始日期" in str(refused.value.message)
    assert not DistrictCampaign.objects.exists() and not Campaign.objects.exists()


@pytest.mark.parametrize("persona", ["district_office", "admin", "leader"])
def test_only_the_district_admin_starts_a_round(world, district_world, neighbour_admin, persona):
    _templates(world, district_world, neighbour_admin)
    with pytest.raises(PermissionDenied):
        _start(world, district_world, actor=world.user(persona))
    assert not Campaign.objects.exists()


def test_district_roles_cannot_run_a_street_campaign(world, district_world, neighbour_admin):
    """The round's campaigns are the streets': the district admin neither opens nor recomputes them."""
    _templates(world, district_world, neighbour_admin)
    round_ = _start(world, district_world)
    campaign = round_.links.first().campaign
    for persona in ("district_admin", "district_office"):
        with pytest.raises(PermissionDenied):
            services.campaign_open(actor=world.user(persona), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


# ---- the league ------------------------------------------------------------------------------------


def _expected_company(estate_ids, round_):
    """Known answer from the estate rows themselves: household-weighted mean of the composites."""
    rows = ScoreSnapshot.objects.filter(
        campaign__district_link__district_campaign=round_, kind=ScoreKind.ESTATE, estate_id__in=estate_ids
    )
    total = sum(s.households for s in rows)
    return sum(float(s.composite) * s.households for s in rows) / total


def test_the_league_merges_a_company_across_streets_by_its_credit_code(world, district_world, scored_round):
    league = selectors_district.league(world.user("district_office"), scored_round)
    names = [c["name"] for c in league["companies"]]
    # 星河物业 is registered in both streets with one credit code: one row; 月湾物业 serves A2 only.
    assert sorted(names) == ["星河物业", "月湾物业"]
    xinghe = next(c for c in league["companies"] if c["name"] == "星河物业")
    assert xinghe["key"] == world.company_x.credit_code
    assert xinghe["streets"] == ["示例街道", "邻近街道"]
    assert xinghe["estates"] == 3  # A1, B1 and D1
    expected = _expected_company(
        [world.estate_a1.pk, world.estate_b1.pk, district_world.neighbour_estate.pk], scored_round
    )
    assert xinghe["score"] == pytest.approx(round(expected, 3), abs=0.002)
    yuewan = next(c for c in league["companies"] if c["name"] == "月湾物业")
    assert yuewan["score"] == pytest.approx(_expected_company([world.estate_a2.pk], scored_round), abs=0.002)
    # A2 answered 4 (better than the mix of 5, 2 and 3), so 月湾 ranks first; ranks come from the rules.
    assert [c["name"] for c in league["companies"]] == ["月湾物业", "星河物业"]
    assert [c["rank"] for c in league["companies"]] == [1, 2]
    assert [c["klass"] for c in league["companies"]] == rules.classify([1, 2])


def test_the_league_ranks_the_streets_by_their_estates(world, district_world, scored_round):
    league = selectors_district.league(world.user("district_office"), scored_round)
    streets = {s["name"]: s for s in league["streets"]}
    assert set(streets) == {"示例街道", "邻近街道"}
    assert streets["示例街道"]["score"] == pytest.approx(
        _expected_company([world.estate_a1.pk, world.estate_a2.pk, world.estate_b1.pk], scored_round),
        abs=0.002,
    )
    assert streets["邻近街道"]["score"] == pytest.approx(
        _expected_company([district_world.neighbour_estate.pk], scored_round), abs=0.002
    )
    assert streets["示例街道"]["estates"] == 3 and streets["邻近街道"]["estates"] == 1


def test_a_blank_credit_code_falls_back_to_the_name(world, district_world, scored_round):
    r.Company.objects.filter(name="星河物业").update(credit_code="")
    league = selectors_district.league(world.user("district_office"), scored_round)
    xinghe = next(c for c in league["companies"] if c["name"] == "星河物业")
    assert xinghe["key"] == "name:星河物业" and xinghe["streets"] == ["示例街道", "邻近街道"]
    # A different code in the neighbour street: two companies of the same name.
    r.Company.objects.filter(pk=district_world.neighbour_company.pk).update(credit_code="91310104MA1K000009")
    league = selectors_district.league(world.user("district_office"), scored_round)
    assert sorted(c["name"] for c in league["companies"]) == ["星河物业", "星河物业", "月湾物业"]


def test_the_street_ranking_stays_the_street(world, district_world, scored_round):
    """The street's own company ranking counts only its own estates: 星河物业 there is A1 and B1."""
    campaign = Campaign.objects.get(district_link__district_campaign=scored_round, street=world.street)
    row = ScoreSnapshot.objects.get(campaign=campaign, kind=ScoreKind.COMPANY, company=world.company_x)
    assert sorted(row.detail["estates"]) == sorted([world.estate_a1.pk, world.estate_b1.pk])
    assert float(row.composite) == pytest.approx(
        _expected_company([world.estate_a1.pk, world.estate_b1.pk], scored_round), abs=0.002
    )


def test_the_league_page_shows_both_rankings_in_bounded_queries(client, world, district_world, scored_round):
    client.force_login(world.user("district_office"))
    url = reverse("evaluation:district_league", args=[district_world.district.pk])
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "星河物业" in page and "月湾物业" in page and "邻近街道" in page
    assert "另一街道" not in page

    # Three more streets in the district, each with an estate and a scored campaign: same queries.
    admin_more = User.objects.create_user(username="more_admin", password="x", display_name="更多街道")
    more_round_campaigns = []
    for i in range(3):
        street = r.Street.objects.create(name=f"新增街道{i}", district=district_world.district)
        RoleGrant.objects.create(user=admin_more, role=Role.STREET_ADMIN, street=street)
        forget_scope(admin_more)
        area = r.Area.objects.create(street=street, name=f"新增居民区{i}")
        estate = r.Estate.objects.create(area=area, name=f"新增小区{i}", build_year=1990, address="路1号")
        building = r.Building.objects.create(estate=estate, number="1号", floors=6)
        for n in range(6):
            r.Unit.objects.create(building=building, number=f"{n + 1}01", area=60)
        company = r.Company.objects.create(street=street, name=f"新增物业{i}")
        today = timezone.localdate()
        r.Contract.objects.create(
            company=company,
            estate=estate,
            fee_standard=1,
            start_date=today - dt.timedelta(days=365),
            end_date=today + dt.timedelta(days=365),
        )
        template = services.template_create_default(actor=admin_more, street=street)
        campaign = services.campaign_create(
            actor=admin_more,
            street=street,
            template=template,
            name="2026年度区级物业服务测评",
            period_start=today - dt.timedelta(days=364),
            period_end=today,
            opens_on=today - dt.timedelta(days=1),
            closes_on=today + dt.timedelta(days=14),
            estates=[estate],
        )
        services.campaign_open(actor=admin_more, campaign=campaign)
        for issued in services.codes_issue(actor=admin_more, campaign=campaign, estate=estate):
            services.response_submit_by_code(code=issued.code, answers=answers(campaign, 4))
        services.campaign_close(actor=admin_more, campaign=campaign)
        services.campaign_recompute(campaign=campaign, actor=admin_more)
        more_round_campaigns.append(campaign)
    from gongzhi.evaluation.models import DistrictCampaignStreet

    DistrictCampaignStreet.objects.bulk_create(
        DistrictCampaignStreet(district_campaign=scored_round, campaign=c) for c in more_round_campaigns
    )
    client.force_login(world.user("district_office"))  # a fresh scope: the district has more streets
    client.get(url)
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    page = response.content.decode()
    assert "新增街道2" in page and "新增物业2" in page
    assert len(more.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 12


def test_the_company_profile_lists_its_estates_in_every_street(client, world, district_world, scored_round):
    client.force_login(world.user("district_admin"))
    url = reverse(
        "evaluation:district_company", args=[district_world.district.pk, world.company_x.credit_code]
    )
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    for estate in ("甲一小区", "乙一小区", "丁一小区"):
        assert estate in page
    assert "甲二小区" not in page  # 月湾物业's
    profile = response.context["profile"]
    assert [s["name"] for s in profile["streets"]] == ["示例街道", "邻近街道"]
    # An unknown company in this round: 404.
    missing = reverse("evaluation:district_company", args=[district_world.district.pk, "NOSUCHCODE"])
    assert client.get(missing).status_code == 404


def test_the_league_export_holds_both_rankings(client, world, district_world, scored_round):
    from openpyxl import load_workbook

    client.force_login(world.user("district_office"))
    url = reverse("evaluation:district_league_export", args=[district_world.district.pk])
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    companies = [row for row in book["企业排名"].iter_rows(values_only=True)]
    assert companies[0][:3] == ("名次", "名次范围", "物业公司")
    assert [row[2] for row in companies[1:]] == ["月湾物业", "星河物业"]
    assert companies[2][4] == "示例街道、邻近街道"
    streets = [row for row in book["街道排名"].iter_rows(values_only=True)]
    assert sorted(row[2] for row in streets[1:]) == ["示例街道", "邻近街道"]


def test_the_district_admin_starts_a_round_from_the_page(client, world, district_world, neighbour_admin):
    _templates(world, district_world, neighbour_admin)
    today = timezone.localdate()
    url = reverse("evaluation:district_campaign_create", args=[district_world.district.pk])
    data = {
        "name": "区级测评",
        "period_start": (today - dt.timedelta(days=364)).isoformat(),
        "period_end": today.isoformat(),
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=14)).isoformat(),
        "weight_survey": "60",
        "weight_inspection": "20",
        "weight_branch": "10",
        "weight_problems": "10",
    }
    client.force_login(world.user("district_office"))
    assert client.post(url, data).status_code == 403
    assert not Campaign.objects.exists()
    client.force_login(world.user("district_admin"))
    response = client.post(url, data | {"weight_problems": "11"})  # 101 %: refused, nothing made
    assert response.status_code == 200 and not Campaign.objects.exists()
    assert "100" in response.content.decode()
    response = client.post(url, data)
    assert response.status_code == 302
    assert Campaign.objects.filter(name="区级测评").count() == 2


# ---- the league recomputed in one pass ---------------------------------------------------------------


def _scores(campaign_ids):
    return sorted(
        ScoreSnapshot.objects.filter(campaign_id__in=campaign_ids).values_list(
            "campaign_id", "kind", "estate_id", "company_id", "composite", "low", "high", "rank",
            "rank_best", "rank_worst", "score_class", "responses", "category_means", "detail",
        ),
        key=lambda row: (row[0], row[1], row[2] or 0, row[3] or 0),
    )  # fmt: skip


def test_one_pass_over_the_rounds_campaigns_gives_the_scores_each_gave_alone(
    world, district_world, scored_round
):
    """campaigns_recompute reads every campaign's inputs in the same GROUP BYs; each street's ranking is still
    computed within the street, so the rows are exactly those of the streets' own recomputes."""
    ids = list(scored_round.links.values_list("campaign_id", flat=True))
    assert len(ids) == 2
    alone = _scores(ids)
    assert len(alone) > 4
    with CaptureQueriesContext(connection) as together:
        results = services.campaigns_recompute(
            campaigns=list(Campaign.objects.filter(pk__in=ids).order_by("pk"))
        )
    assert _scores(ids) == alone
    assert [r.estates for r in results] == [Campaign.objects.get(pk=pk).estates.count() for pk in sorted(ids)]
    with CaptureQueriesContext(connection) as one:
        services.campaign_recompute(campaign=Campaign.objects.get(pk=ids[0]))
    # The second campaign costs its template and audit rows, not another set of aggregates.
    assert len(together) - len(one) <= 8


def test_one_pass_refuses_a_draft_and_changes_nothing(world, district_world, scored_round, neighbour_admin):
    ids = list(scored_round.links.values_list("campaign_id", flat=True))
    before = _scores(ids)
    draft = services.campaign_create(
        actor=neighbour_admin,
        street=district_world.neighbour_street,
        template=Campaign.objects.get(pk=ids[-1]).template,
        name="未开始的测评",
        period_start=timezone.localdate() - dt.timedelta(days=30),
        period_end=timezone.localdate(),
        opens_on=timezone.localdate() + dt.timedelta(days=1),
        closes_on=timezone.localdate() + dt.timedelta(days=10),
        estates=[district_world.neighbour_estate],
    )
    campaigns = [*Campaign.objects.filter(pk__in=ids), draft]
    with pytest.raises(services.EvaluationError, match="“未开始的测评”尚未开始"):
        services.campaigns_recompute(campaigns=campaigns)
    assert _scores(ids) == before
