"""Records the quality gate reads, made on the persona world (plain functions for the fee tests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gongzhi.branchwork.models import Meeting, MeetingKind
from gongzhi.evaluation.models import Campaign, CampaignStatus, ScoreKind, ScoreSnapshot, SurveyTemplate
from gongzhi.fees.rules import month_add, month_start
from gongzhi.finance.models import Disclosure, LedgerKind
from gongzhi.problems.models import Problem
from gongzhi.problems.services import category_defaults_ensure

_numbers = iter(range(1, 10_000))


def four_services_problem(world, *, deadline: dt.date, code: str = "cleaning", status: str = "in_progress"):
    """A rectification item of the four services at estate A1, assigned to company X with ``deadline``."""
    category = next(c for c in category_defaults_ensure(street=world.street) if c.code == code)
    return Problem.objects.create(
        number=f"T{next(_numbers):05d}",
        estate=world.estate_a1,
        category=category,
        description="楼道垃圾未及时清运",
        status=status,
        carriage="company",
        company=world.company_x,
        deadline=deadline,
    )


def closed_evaluation(world, *, score: str, score_class: str = "keep", period_end: dt.date | None = None):
    """A closed campaign whose ranking gives estate A1 the composite ``score`` and ``score_class``."""
    end = period_end or timezone.localdate() - dt.timedelta(days=30)
    template = SurveyTemplate.objects.create(street=world.street, name="四保测评问卷")
    campaign = Campaign.objects.create(
        street=world.street,
        template=template,
        name=f"{end.year}年度物业服务测评",
        period_start=end - dt.timedelta(days=180),
        period_end=end,
        opens_on=end - dt.timedelta(days=20),
        closes_on=end,
        status=CampaignStatus.CLOSED,
    )
    value = Decimal(score)
    return ScoreSnapshot.objects.create(
        campaign=campaign,
        kind=ScoreKind.ESTATE,
        estate=world.estate_a1,
        composite=value,
        low=value - 2,
        high=value + 2,
        rank=1,
        rank_best=1,
        rank_worst=1,
        score_class=score_class,
    )


def disclose_months(world, months: int, *, today: dt.date | None = None):
    """The property-fee account of A1 disclosed for the ``months`` complete months before the current one."""
    current = month_start(today or timezone.localdate())
    start = month_add(current, -months)
    end = current - dt.timedelta(days=1)
    return Disclosure.objects.create(
        estate=world.estate_a1,
        ledger=LedgerKind.PROPERTY_FEE,
        period_start=start,
        period_end=end,
        posted_on=max(end, start),
        place="board",
    )


def price_meeting(world, *, day: dt.date, title: str = "年度议价会议"):
    """A price-negotiation meeting (议价会议) of branch A about estate A1, held on ``day`` at 19:00 (today: a
    minute ago)."""
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(19)))
    if day == timezone.localdate():
        starts = timezone.now() - dt.timedelta(minutes=1)
    extra = {"street": world.street} if any(f.name == "street" for f in Meeting._meta.fields) else {}
    meeting = Meeting.objects.create(
        branch=world.branch_a,
        kind=MeetingKind.PRICE,
        title=title,
        place="居委会会议室",
        starts_at=starts,
        agenda="1. 物业公司报告服务质量与收支\n2. 成本测算\n3. 议定收费标准",
        **extra,
    )
    meeting.estates.add(world.estate_a1)
    return meeting


def gate_met(world, *, today: dt.date | None = None):
    """Every condition of the default gate met for A1: a good evaluation, 12 months disclosed, a meeting."""
    day = today or timezone.localdate()
    closed_evaluation(world, score="86.5")
    disclose_months(world, 12, today=day)
    return price_meeting(world, day=day - dt.timedelta(days=30))
