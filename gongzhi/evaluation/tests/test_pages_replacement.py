"""The replacement through its pages: the tracker on the elimination page, the per-estate page with each
step's form (committee: open the vote, choose; admin: the contract), bad input refused with a reason and
nothing changed, the registry's company page with the badge and the history — query counts bounded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongzhi.evaluation import services
from gongzhi.evaluation.models import Replacement
from gongzhi.evaluation.tests.test_replacement import count, referred
from gongzhi.registry.models import Company, Contract

pytestmark = pytest.mark.django_db


def logged_in(world, name: str) -> Client:
    client = Client()
    client.force_login(world.user(name))
    return client


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_the_replacement_through_its_pages(world):
    rep = referred(world)
    today = timezone.localdate()
    services.benchmark_name(
        actor=world.user("leader"),
        street=world.street,
        company=world.company_y,
        reason="测评第一，四保服务规范",
        starts_on=today,
        ends_on=today + dt.timedelta(days=364),
    )
    admin, committee = logged_in(world, "admin"), logged_in(world, "oc_a1")
    page = admin.get(reverse("evaluation:elimination", args=[rep.referral.elimination_id])).content.decode()
    assert (
        "甲一小区" in page
        and "已移交业主大会" in page
        and reverse("evaluation:replacement", args=[rep.pk]) in page
    )

    url = reverse("evaluation:replacement", args=[rep.pk])
    page = admin.get(url).content.decode()
    assert "等待该小区业主委员会发起业主表决" in page and 'name="opens_at"' not in page
    page = committee.get(url).content.decode()
    assert 'name="opens_at"' in page and "《民法典》第二百七十八条第一款第（四）项" in page
    # The committee finds it in its 今日待办 (it cannot read the elimination page).
    from gongzhi.core.today import today_for

    todo = [i for i in today_for(world.user("oc_a1")) if i.kind == "evaluation.replacement"]
    assert [i.url for i in todo] == [url] and "发起业主表决" in todo[0].detail

    act = lambda action: reverse("evaluation:replacement_act", args=[rep.pk, action])  # noqa: E731
    # Bad input: a refusal with a reason, nothing written.
    response = committee.post(act("open_vote"), {"opens_at": "不是时间", "closes_at": ""}, follow=True)
    assert "请填写投票开始和截止时间" in messages_of(response)
    assert Replacement.objects.get(pk=rep.pk).decision_id is None
    assert (
        admin.post(
            act("open_vote"), {"opens_at": "2026-01-01T09:00", "closes_at": "2026-01-08T09:00"}
        ).status_code
        == 403
    )
    closes = timezone.localtime() - dt.timedelta(days=2)
    opens = closes - dt.timedelta(days=7)
    committee.post(
        act("open_vote"),
        {"opens_at": opens.strftime("%Y-%m-%dT%H:%M"), "closes_at": closes.strftime("%Y-%m-%dT%H:%M")},
    )
    rep.refresh_from_db()
    assert rep.decision is not None and rep.decision.matter == 4
    count(world, rep.decision, "yes")  # the count records the outcome: no button to press
    rep.refresh_from_db()
    assert rep.outcome_passed is True
    assert "登记表决结果" not in committee.get(url).content.decode()

    # The selection: benchmarks first with their score and fees in other estates.
    third = Company.objects.create(street=world.street, name="晨光物业")
    page = committee.get(url).content.decode()
    assert page.index("月湾物业") < page.index("晨光物业") and "标杆企业" in page
    assert "甲二小区" not in page and "1.20" in page  # y's fee at 甲二 (its other estate)
    response = committee.post(act("choose"), {"company": third.pk, "reason": "好"}, follow=True)
    assert "至少 4 个字" in messages_of(response)
    committee.post(act("choose"), {"company": world.company_y.pk, "reason": "街道标杆企业，综合得分高"})
    rep.refresh_from_db()
    assert rep.chosen_company == world.company_y

    # The contract: the street admin; a gap refused, then the day after counting… today is allowed.
    assert committee.post(act("contract"), {}).status_code == 403
    old_end = world.contract_a1.end_date
    response = admin.post(
        act("contract"),
        {
            "start_date": (old_end + dt.timedelta(days=5)).isoformat(),
            "end_date": (old_end + dt.timedelta(days=900)).isoformat(),
            "fee_standard": "0.95",
        },
        follow=True,
    )
    assert "中间 4 天" in messages_of(response)
    assert Contract.objects.filter(estate=world.estate_a1).count() == 1
    admin.post(
        act("contract"),
        {
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=1095)).isoformat(),
            "fee_standard": "0.95",
        },
    )
    assert Contract.objects.active().get(estate=world.estate_a1).company == world.company_y
    page = committee.get(url).content.decode()
    assert "新合同已生效" in page and "已完成更换" in page

    # The registry's company pages: the badge on y, the history of x with its replaced contract.
    y_page = admin.get(reverse("registry:detail", args=["companies", world.company_y.pk])).content.decode()
    assert "标杆企业" in y_page and "业主大会决定解聘星河物业后选聘" in y_page
    x_page = admin.get(reverse("registry:detail", args=["companies", world.company_x.pk])).content.decode()
    assert "末尾淘汰后被解聘更换" in x_page and "历次测评排名" in x_page
    assert x_page.count('class="badge green" title=') == 0  # x is no benchmark


def test_company_history_query_count_is_independent_of_the_contracts(world, django_assert_max_num_queries):
    admin = logged_in(world, "admin")
    url = reverse("registry:detail", args=["companies", world.company_x.pk])
    admin.get(url)
    with django_assert_max_num_queries(40) as few:
        assert admin.get(url).status_code == 200
    # Twenty more past contracts of x at 乙一 (one after another): the same number of queries.
    start = world.contract_b1.start_date
    for _i in range(20):
        end = start - dt.timedelta(days=1)
        start = end - dt.timedelta(days=300)
        Contract.objects.create(
            company=world.company_x,
            estate=world.estate_b1,
            start_date=start,
            end_date=end,
            fee_standard=Decimal("0.60"),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin.get(url).content.decode()
    assert page.count("到期结束") == 20


def test_the_tracker_and_the_page_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    rep = referred(world)
    admin = logged_in(world, "admin")
    url = reverse("evaluation:elimination", args=[rep.referral.elimination_id])
    admin.get(url)
    with django_assert_max_num_queries(40) as few:
        admin.get(url)
    # Two more referred estates: the tracker costs no more.
    for estate in (world.estate_a2, world.estate_b1):
        services.replacement_for(
            rep.referral.__class__.objects.create(
                elimination=rep.referral.elimination, company=world.company_x, estate=estate
            )
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin.get(url).content.decode()
    assert page.count("已移交业主大会") == 3
