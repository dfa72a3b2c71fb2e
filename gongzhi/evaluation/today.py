"""Evaluation in the "today" list (``core/today.py``): eliminations awaiting the leadership group's
sign-off, a company's rectification period, an evaluator's inspections still to do, an owner's open
surveys, an owners' committee's next step in a replacement after elimination. Read through the door; a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core.scopes import Scope, evaluated_estates, home_estates, own_units, staff_companies, visible
from gongzhi.core.today import TodayItem, first_and_total, more
from gongzhi.evaluation import permissions
from gongzhi.evaluation.models import (
    Campaign,
    CampaignEstate,
    CampaignStatus,
    EliminationCampaign,
    EliminationCandidate,
    EliminationStatus,
    HouseholdSubmission,
    Inspection,
)


def _sign_off(user) -> list[TodayItem]:
    # Proposals are few (one per elimination round); the leadership question is asked per round.
    rounds = [
        e
        for e in visible(user, EliminationCampaign).filter(status=EliminationStatus.PROPOSED).order_by("pk")
        if permissions.is_leadership(user, e.street_id)
    ]
    return [
        TodayItem(
            kind="evaluation.sign_off",
            label=_("待审定淘汰"),
            title=_("末尾淘汰“%(name)s”的拟淘汰名单待领导小组审定") % {"name": e.name},
            url=reverse("evaluation:elimination", args=[e.pk]),
            detail=_("拟淘汰 %(m)s 家，请审定或退回") % {"m": e.final_m},
        )
        for e in rounds
    ]


def _rectification(user) -> list[TodayItem]:
    candidates = (
        visible(user, EliminationCandidate)
        .filter(
            company__in=staff_companies(user),
            elimination__status=EliminationStatus.RECTIFICATION,
        )
        .select_related("elimination", "company")
        .order_by("elimination__rectification_until", "pk")
    )
    return [
        TodayItem(
            kind="evaluation.rectify",
            label=_("整改提质"),
            title=_("%(company)s列入末尾淘汰“%(name)s”，整改提质进行中")
            % {"company": c.company.name, "name": c.elimination.name},
            url=reverse("evaluation:elimination", args=[c.elimination_id]),
            due=c.elimination.rectification_until,
            detail=_("入选名次第 %(rank)s 名；整改期满后复评") % {"rank": c.basis_rank},
        )
        for c in candidates
    ]


def _inspections(user, today: dt.date) -> list[TodayItem]:
    """The evaluator's estates in open campaigns that have no inspection of theirs yet."""
    inspected = visible(user, Inspection).filter(
        campaign_id=OuterRef("campaign_id"), estate_id=OuterRef("estate_id")
    )
    rows, total = first_and_total(
        CampaignEstate.objects.filter(
            estate__in=evaluated_estates(user), campaign__status=CampaignStatus.OPEN
        )
        .exclude(Exists(inspected))
        .select_related("campaign", "estate")
        .order_by("campaign__closes_on", "estate__name", "pk")
    )
    shown = [
        TodayItem(
            kind="evaluation.inspect",
            label=_("待检查"),
            title=_("%(estate)s · %(campaign)s 第三方检查")
            % {"estate": link.estate.name, "campaign": link.campaign.name},
            url=reverse("evaluation:inspection_create", args=[link.campaign_id, link.estate_id]),
            due=link.campaign.closes_on,
        )
        for link in rows
    ]
    return more(
        shown, total, kind="evaluation.inspect", label=_("待检查"), url=reverse("evaluation:inspections")
    )


def _surveys(user, today: dt.date) -> list[TodayItem]:
    campaigns = list(
        visible(user, Campaign)
        .filter(
            status=CampaignStatus.OPEN,
            opens_on__lte=today,
            closes_on__gte=today,
            campaign_estates__estate__in=home_estates(user),
        )
        .distinct()
        .order_by("closes_on", "pk")
    )
    if not campaigns:
        return []
    units = list(own_units(user).select_related("building__estate"))
    estates_of = {
        (campaign_id, estate_id)
        for campaign_id, estate_id in CampaignEstate.objects.filter(campaign__in=campaigns).values_list(
            "campaign_id", "estate_id"
        )
    }
    answered = set(
        HouseholdSubmission.objects.filter(campaign__in=campaigns, unit__in=units).values_list(
            "campaign_id", "unit_id"
        )
    )
    result = []
    for campaign in campaigns:
        for unit in units:
            if (campaign.pk, unit.building.estate_id) not in estates_of or (campaign.pk, unit.pk) in answered:
                continue
            result.append(
                TodayItem(
                    kind="evaluation.survey",
                    label=_("物业测评"),
                    title=_("%(campaign)s：请为 %(unit)s 的物业服务打分")
                    % {
                        "campaign": campaign.name,
                        "unit": f"{unit.building.estate.name}{unit.building.number}{unit.number}",
                    },
                    url=reverse("survey:answer_unit", args=[campaign.pk, unit.pk]),
                    due=campaign.closes_on,
                )
            )
    return result


def _replacements(user, today: dt.date) -> list[TodayItem]:
    """The owners' committee's next step in a replacement after elimination (open the vote, choose the
    company); the count records the vote's result by itself, and the contract is the street admin's."""
    from gongzhi.evaluation import replacement as rules
    from gongzhi.evaluation.selectors_replacement import replacements_for_committee

    rows = [
        r
        for r in replacements_for_committee(user, today)
        # While the owners vote, the vote itself is on the list (voting); its count moves the replacement on.
        if rules.next_action(r.stage) in ("open_vote", "choose")
    ]
    return [
        TodayItem(
            kind="evaluation.replacement",
            label=_("选聘更换"),
            title=_("%(estate)s：%(company)s 经末尾淘汰移交业主大会决定")
            % {"estate": r.referral.estate.name, "company": r.referral.company.name},
            url=r.url,
            detail=_("%(stage)s；下一步：%(next)s") % {"stage": r.stage_label, "next": r.next_label},
        )
        for r in rows
    ]


def items(user, scope: Scope, today: dt.date) -> list[TodayItem]:
    result: list[TodayItem] = []
    if scope.is_street_wide():
        result += _sign_off(user)
    if scope.is_company_staff():
        result += _rectification(user)
    if scope.evaluates():
        result += _inspections(user, today)
    if scope.owns_unit():
        result += _surveys(user, today)
    if scope.on_committee():
        result += _replacements(user, today)
    return result
