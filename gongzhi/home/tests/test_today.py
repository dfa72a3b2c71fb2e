"""今日待办: each role's landing page starts with what it must act on, most urgent first, each item
one click from the action; nothing outside the user's reach appears; the query count does not grow
with the data (core/today.py and the apps' today.py plug-ins)."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.core.models import Role
from gongzhi.core.scopes import forget_scope, holders_of
from gongzhi.core.today import TodayItem, more, today_for
from gongzhi.evaluation import services as evaluation_services
from gongzhi.evaluation.tests.factories import open_campaign
from gongzhi.problems.models import Problem
from gongzhi.problems.tests.office_helpers import accept, report

DAY = dt.date(2026, 12, 6)


def _item(title: str, due: dt.date | None = None, since: dt.date | None = None) -> TodayItem:
    return TodayItem(kind="test", label="测试", title=title, url="/", due=due, since=since, on=DAY)


# ---- the list's order and words ------------------------------------------------------------------------


def test_urgency_is_said_in_words_beside_the_colour():
    assert (
        _item("a", DAY - dt.timedelta(days=3)).urgency,
        _item("a", DAY - dt.timedelta(days=3)).colour,
    ) == (
        "已超期 3 天",
        "red",
    )
    assert (_item("b", DAY).urgency, _item("b", DAY).colour) == ("今天到期", "amber")
    assert (_item("c", DAY + dt.timedelta(days=7)).urgency, _item("c", DAY + dt.timedelta(days=7)).level) == (
        "剩 7 天",
        "soon",
    )
    assert _item("d", DAY + dt.timedelta(days=8)).level == "later"
    assert (_item("e").urgency, _item("e").level) == ("待办", "open")


def test_most_urgent_first_overdue_then_due_this_week_then_open_then_later():
    items = [
        _item("later", DAY + dt.timedelta(days=20)),
        _item("open, newer", since=DAY - dt.timedelta(days=1)),
        _item("soon", DAY + dt.timedelta(days=2)),
        _item("overdue 1 day", DAY - dt.timedelta(days=1)),
        _item("open, older", since=DAY - dt.timedelta(days=5)),
        _item("overdue 9 days", DAY - dt.timedelta(days=9)),
    ]
    assert [i.title for i in sorted(items, key=TodayItem.sort_key)] == [
        "overdue 9 days",
        "overdue 1 day",
        "soon",
        "open, older",
        "open, newer",
        "later",
    ]


def test_more_than_shown_becomes_one_summary_item_linking_to_the_list():
    shown = [_item("a", DAY), _item("b", DAY + dt.timedelta(days=1))]
    rows = more(shown, 9, kind="test", label="测试", url="/problems/?status=reported")
    assert [(i.title, i.count, i.url) for i in rows[2:]] == [("还有 7 项", 7, "/problems/?status=reported")]
    assert more(shown, 2, kind="test", label="测试", url="/x") == shown


# ---- per role, on the persona world ------------------------------------------------------------------


def _kinds_and_urls(user) -> list[tuple[str, str]]:
    forget_scope(user)
    return [(i.kind, i.url) for i in today_for(user)]


@pytest.fixture
def categories(world):
    from gongzhi.problems.services import category_defaults_ensure

    return {c.code: c for c in category_defaults_ensure(street=world.street)}


@pytest.fixture(autouse=True)
def _fresh_time_anchor():
    from gongzhi.problems.tests.office_helpers import anchor_reset

    anchor_reset()


def test_the_secretary_sees_reports_to_accept_in_their_area_only(world, categories):
    mine = report(world, categories, who="owner_a1")
    other = report(world, categories, who="secretary_b", estate=world.estate_b1)
    detail = reverse("problems:detail", args=[mine.pk])
    assert ("problems.accept", detail) in _kinds_and_urls(world.user("secretary_a"))
    assert ("problems.accept", reverse("problems:detail", args=[other.pk])) not in _kinds_and_urls(
        world.user("secretary_a")
    )
    assert ("problems.accept", detail) not in _kinds_and_urls(world.user("secretary_b"))
    # The owner follows the same report on the portal; the company has nothing to do yet.
    assert ("problems.mine", reverse("portal:problem", args=[mine.pk])) in _kinds_and_urls(
        world.user("owner_a1")
    )
    # (the yearly price meeting the company must prepare is another app's item, not this report's)
    assert [
        kind for kind, _url in _kinds_and_urls(world.user("staff_x")) if kind.startswith("problems.")
    ] == []


def test_a_company_sees_its_overdue_work_orders_and_never_another_companys(world, categories):
    ours = accept(world, report(world, categories, who="secretary_a", days_ago=40), days_ago=40)
    theirs = accept(
        world, report(world, categories, who="secretary_a", estate=world.estate_a2, days_ago=40), days_ago=40
    )
    assert ours.company_id == world.company_x.pk and theirs.company_id == world.company_y.pk
    assert ours.deadline < timezone.localdate()  # overdue
    items = {i.url: i for i in today_for(world.user("staff_x"))}
    item = items[reverse("problems:detail", args=[ours.pk])]
    assert (item.kind, item.level) == ("problems.overdue", "overdue")
    assert item.urgency == f"已超期 {(timezone.localdate() - ours.deadline).days} 天"
    assert reverse("problems:detail", args=[theirs.pk]) not in items
    # The street admin sees the street-wide count, linked to the filtered list.
    admin = {i.kind: i for i in today_for(world.user("admin"))}
    assert admin["problems.street_overdue"].count == 2
    assert admin["problems.street_overdue"].url == "/problems/?overdue=yes"


def test_the_evaluator_sees_estates_still_to_inspect_until_inspected(world):
    campaign = open_campaign(world)
    evaluator = world.user("evaluator_b1")
    url = reverse("evaluation:inspection_create", args=[campaign.pk, world.estate_b1.pk])
    assert _kinds_and_urls(evaluator) == [("evaluation.inspect", url)]  # 乙一 only, not 甲一 or 甲二
    evaluation_services.inspection_record(
        actor=evaluator,
        campaign=campaign,
        estate=world.estate_b1,
        inspected_on=timezone.localdate(),
        lines=[{"category": "cleaning", "label": "楼道无堆物", "score": "8", "max_score": "10"}],
    )
    assert _kinds_and_urls(evaluator) == []
    # The owner of 甲一 is asked to answer the same campaign's survey for their unit.
    survey = reverse("survey:answer_unit", args=[campaign.pk, world.unit_a1.pk])
    assert ("evaluation.survey", survey) in _kinds_and_urls(world.user("owner_a1"))


def _queries(user) -> int:
    forget_scope(user)
    with CaptureQueriesContext(connection) as captured:
        today_for(user)
    return len(captured)


def _add_problems(world, categories, n: int, offset: int) -> None:
    """``n`` overdue work orders (company X at 甲一) and ``n`` reports waiting to be accepted."""
    for i in range(n):
        accept(
            world,
            report(world, categories, who="owner_a1", days_ago=40 + offset + i),
            days_ago=40 + offset + i,
        )
        report(world, categories, who="secretary_a", days_ago=3 + (offset + i) / 10)


@pytest.mark.parametrize("persona", ["admin", "secretary_a", "staff_x", "owner_a1", "leader", "oc_a1"])
def test_the_query_count_does_not_grow_with_the_data(world, categories, persona):
    # Both sizes exceed the items shown per kind (LIMIT = 5): three times the data, the same queries.
    _add_problems(world, categories, 6, 0)
    smaller = _queries(world.user(persona))
    _add_problems(world, categories, 12, 6)
    assert Problem.objects.count() == 36
    assert _queries(world.user(persona)) == smaller
    assert smaller <= 25


# ---- on the demo street ---------------------------------------------------------------------------------


def test_the_leaders_home_page_starts_with_the_slate_awaiting_approval(demo, client):
    from gongzhi.elections.models import Slate, SlateStatus

    slate = Slate.objects.filter(status=SlateStatus.SUBMITTED, estate__area__street=demo.street).first()
    assert slate is not None, "the demo street has a slate awaiting the leadership group"
    leader = holders_of(Role.LEADERSHIP, street=demo.street).first()
    client.force_login(leader)
    html = client.get(reverse("home") + "?overview=1").content.decode()
    url = reverse("elections:detail", args=[slate.pk])
    assert f'href="{url}"' in html
    assert f"{slate.estate.name}业委会换届人选待领导小组审核" in html
    # The list comes first, above the figures that stay below it.
    assert html.index("今日待办") < html.index(url) < html.index("未办结问题")


def test_the_committee_is_told_how_many_owners_its_live_vote_lacks_and_the_days_left(demo, client):
    from gongzhi.voting.models import Ballot, Decision

    now = timezone.now()
    decision = (
        Decision.objects.filter(
            estate__area__street=demo.street, status="published", opens_at__lte=now, closes_at__gt=now
        )
        .select_related("estate")
        .first()
    )
    assert decision is not None, "the demo street has a live vote"
    # Independently of the code under test: the quorum is 2/3 of the owners (Civil Code art. 278).
    needed = math.ceil(Fraction(decision.total_owners) * Fraction(2, 3))
    missing = needed - Ballot.objects.filter(decision=decision).count()
    assert missing > 0, "the demo's live vote is short of quorum"
    days = (timezone.localtime(decision.closes_at).date() - timezone.localdate()).days
    member = holders_of(Role.OC_MEMBER, estate=decision.estate).first()
    client.force_login(member)
    html = client.get(reverse("home")).content.decode()
    assert f"还差 {missing} 户" in html
    assert f"剩 {days} 天" in html
    assert f"{decision.estate.name} · {decision.title}" in html


def test_the_company_sees_its_overdue_work_orders_and_none_of_another_company(demo):
    from gongzhi.core.models import RoleGrant

    today = timezone.localdate()
    staff = holders_of(Role.COMPANY_STAFF, company__street=demo.street).first()
    company = RoleGrant.objects.get(user=staff, role=Role.COMPANY_STAFF).company
    overdue = Problem.objects.overdue(today).filter(company=company, carriage="company")
    others = Problem.objects.overdue(today).exclude(company=company)
    assert overdue.exists() and others.exists()
    items = today_for(staff)
    urls = {i.url for i in items}
    first = overdue.order_by("deadline", "pk").first()
    assert reverse("problems:detail", args=[first.pk]) in urls
    assert not {reverse("problems:detail", args=[p.pk]) for p in others} & urls
    listed = [i for i in items if i.kind == "problems.overdue"]
    assert sum(i.count for i in listed) == overdue.count()


def test_the_street_admin_sees_the_street_wide_overdue_count_and_money_alerts(demo):
    admin = holders_of(Role.STREET_ADMIN, street=demo.street).first()
    items = {i.kind: i for i in today_for(admin)}
    overdue = Problem.objects.overdue(timezone.localdate()).filter(estate__area__street=demo.street).count()
    assert items["problems.street_overdue"].title == f"全街道 {overdue} 件问题已超期"
    assert items["finance.street_alerts"].url == reverse("finance:alerts")


def test_the_owner_portal_home_starts_with_open_reports_and_votes_as_big_targets(demo, client):
    owner = holders_of(Role.OWNER, unit__building__estate__area__street=demo.street).first()
    kinds = {i.kind for i in today_for(owner)}
    assert {"problems.mine", "voting.vote"} <= kinds
    client.force_login(owner)
    html = client.get(reverse("portal:home")).content.decode()
    assert 'class="panel today today-big"' in html
    assert html.index("今日待办") < html.index("我要报事")


def test_the_inbox_counts_todays_items_and_links_to_the_list(demo, client):
    leader = holders_of(Role.LEADERSHIP, street=demo.street).first()
    n = len(today_for(leader))
    assert n >= 1
    client.force_login(leader)
    html = client.get(reverse("inbox")).content.decode()
    assert f"今天有 {n} 项事务等您处理" in html


def test_the_branch_follows_votes_short_of_quorum_in_its_own_area_only(demo):
    from gongzhi.core.models import RoleGrant, User
    from gongzhi.core.testing import PASSWORD
    from gongzhi.registry.models import Area
    from gongzhi.voting.models import Decision

    now = timezone.now()
    decision = Decision.objects.filter(
        estate__area__street=demo.street, status="published", opens_at__lte=now, closes_at__gt=now
    ).first()
    assert decision is not None
    canvass = reverse("voting:canvass", args=[decision.pk])
    ours = holders_of(Role.AREA_SECRETARY, area=decision.estate.area_id).first()
    assert ("voting.short", canvass) in _kinds_and_urls(ours)
    # The demo has one secretary account; another area's secretary is made the way the persona world
    # makes its accounts (there is no service for role grants).
    other_area = Area.objects.filter(street=demo.street).exclude(pk=decision.estate.area_id).first()
    theirs = User.objects.create_user(username="other_secretary", password=PASSWORD, display_name="另一书记")
    RoleGrant.objects.create(user=theirs, role=Role.AREA_SECRETARY, area=other_area)
    assert canvass not in {url for _kind, url in _kinds_and_urls(theirs)}


def test_the_company_sees_its_rectification_period_and_the_leader_the_proposal_to_sign_off(world, client):
    from gongzhi.evaluation.models import EliminationCampaign
    from gongzhi.evaluation.tests import factories

    today = timezone.localdate()
    basis = factories.closed_and_recomputed(
        world, factories.open_campaign(world, name="上半年测评", period_end=today - dt.timedelta(days=60))
    )
    client.force_login(world.user("admin"))
    client.post(
        reverse("evaluation:elimination_create", args=[basis.pk]),
        {
            "name": "末尾淘汰",
            "bottom_n": 1,
            "final_m": 1,
            "min_responses": 2,
            "min_survey_weight": "0.5",
            "fault_opens_on": today,
            "fault_closes_on": today + dt.timedelta(days=7),
        },
    )
    elimination = EliminationCampaign.objects.get()
    url = reverse("evaluation:elimination", args=[elimination.pk])

    def act(action, **data):
        client.post(reverse("evaluation:elimination_act", args=[elimination.pk, action]), data)
        elimination.refresh_from_db()

    act(  # the window was announced to run 7 more days: ending it now is early, said and confirmed
        "start_rectification",
        rectification_until=today + dt.timedelta(days=15),
        note="统一进入整改期",
        confirm_early_end="1",
    )
    assert elimination.status == "rectification"
    rectify = [i for i in today_for(world.user("staff_x")) if i.kind == "evaluation.rectify"]
    assert [(i.url, i.due, i.urgency) for i in rectify] == [(url, today + dt.timedelta(days=15), "剩 15 天")]
    assert url not in {u for _k, u in _kinds_and_urls(world.user("leader"))}  # nothing to sign off yet

    again = factories.closed_and_recomputed(
        world, factories.open_campaign(world, name="复评测评", template=basis.template)
    )
    act("start_reevaluation", reevaluation_campaign=again.pk)
    act("propose")
    assert elimination.status == "proposed"
    assert ("evaluation.sign_off", url) in _kinds_and_urls(world.user("leader"))
    # The street admin proposes but does not sign off; the company's rectification is over.
    assert url not in {u for _k, u in _kinds_and_urls(world.user("admin"))}
    assert "evaluation.rectify" not in {k for k, _u in _kinds_and_urls(world.user("staff_x"))}
