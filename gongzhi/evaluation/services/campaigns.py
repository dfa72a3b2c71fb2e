"""Campaigns: create and edit a draft, weights, open (freezes the template), close (releases every box)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import BallotBox, Campaign, CampaignEstate, CampaignStatus, SurveyTemplate
from gongzhi.evaluation.services.common import EvaluationError, _require
from gongzhi.evaluation.services.responses import BALLOT_RNG, _release, release_k
from gongzhi.registry.models import Estate, Street, Unit


def _campaign_errors(
    *,
    street: Street,
    template: SurveyTemplate,
    name: str,
    period_start,
    period_end,
    opens_on,
    closes_on,
    estates: Sequence[Estate],
    weights: Mapping[str, object],
) -> list[str]:
    errors = []
    if not (name or "").strip():
        errors.append(_("请填写活动名称。"))
    if template.street_id != street.pk:
        errors.append(_("所选问卷不属于本街道。"))
    if period_start and period_end and period_end < period_start:
        errors.append(_("考核期结束日期不能早于开始日期。"))
    if opens_on and closes_on and closes_on < opens_on:
        errors.append(_("截止答卷日期不能早于开始答卷日期。"))
    if not estates:
        errors.append(_("请至少选择一个参评小区。"))
    foreign = [e.name for e in estates if e.area.street_id != street.pk]
    if foreign:
        errors.append(_("以下小区不属于本街道：%(names)s。") % {"names": "、".join(foreign)})
    errors += rules.composite_weight_errors(weights)
    return errors


DEFAULT_WEIGHTS = {
    "survey": Decimal("60"),
    "inspection": Decimal("20"),
    "branch": Decimal("10"),
    "problems": Decimal("10"),
}


@transaction.atomic
def campaign_create(
    *,
    actor,
    street: Street,
    template: SurveyTemplate,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    estates: Sequence[Estate],
    weights: Mapping[str, object] | None = None,
) -> Campaign:
    """A draft campaign over chosen estates; ``weights`` = {survey, inspection, branch, problems} in %,
    summing to 100 (default 60/20/10/10)."""
    _require(permissions.is_street_admin(actor, street.pk))
    return _create(
        actor=actor,
        street=street,
        template=template,
        name=name,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        estates=estates,
        weights=weights,
    )


def _create(
    *,
    actor,
    street: Street,
    template: SurveyTemplate,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    estates: Sequence[Estate],
    weights: Mapping[str, object] | None = None,
) -> Campaign:
    """The campaign's creation once the caller's right is checked: the street admin's
    (``campaign_create``) or the district admin's (``services.district.district_campaign_start``)."""
    weights = dict(weights or DEFAULT_WEIGHTS)
    estates = list(estates)
    errors = _campaign_errors(
        street=street,
        template=template,
        name=name,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        estates=estates,
        weights=weights,
    )
    if errors:
        raise EvaluationError(" ".join(errors))
    campaign = Campaign.objects.create(
        street=street,
        template=template,
        name=name.strip(),
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        **{f"weight_{k}": Decimal(str(weights[k])) for k in rules.COMPONENTS},
    )
    CampaignEstate.objects.bulk_create(CampaignEstate(campaign=campaign, estate=e) for e in estates)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=campaign,
        street_id=street.pk,
        changes={"estates": len(estates), "weights": {k: str(v) for k, v in weights.items()}},
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor,
    campaign: Campaign,
    name: str,
    template: SurveyTemplate,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    estates: Sequence[Estate],
    weights: Mapping[str, object],
) -> Campaign:
    """Edit a draft. Once open, only the closing date and the weights may change (campaign_set_weights)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.is_street_admin(actor, campaign.street_id))
    if campaign.status != CampaignStatus.DRAFT:
        raise EvaluationError(_("测评活动已开始，不能再修改问卷和参评小区。"))
    estates = list(estates)
    errors = _campaign_errors(
        street=campaign.street,
        template=template,
        name=name,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        estates=estates,
        weights=weights,
    )
    if errors:
        raise EvaluationError(" ".join(errors))
    campaign.name, campaign.template = name.strip(), template
    campaign.period_start, campaign.period_end, campaign.opens_on, campaign.closes_on = (
        period_start,
        period_end,
        opens_on,
        closes_on,
    )
    for k in rules.COMPONENTS:
        setattr(campaign, f"weight_{k}", Decimal(str(weights[k])))
    campaign.save()
    CampaignEstate.objects.filter(campaign=campaign).delete()
    CampaignEstate.objects.bulk_create(CampaignEstate(campaign=campaign, estate=e) for e in estates)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"estates": len(estates)},
    )
    return campaign


@transaction.atomic
def campaign_set_weights(*, actor, campaign: Campaign, weights: Mapping[str, object]) -> Campaign:
    """Change the composite weights (any status); recompute afterwards to apply them."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.is_street_admin(actor, campaign.street_id))
    errors = rules.composite_weight_errors(weights)
    if errors:
        raise EvaluationError(" ".join(errors))
    before = {k: str(v) for k, v in campaign.component_weights.items()}
    for k in rules.COMPONENTS:
        setattr(campaign, f"weight_{k}", Decimal(str(weights[k])))
    campaign.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"weights": [before, {k: str(weights[k]) for k in rules.COMPONENTS}]},
    )
    return campaign


@transaction.atomic
def campaign_open(*, actor, campaign: Campaign) -> Campaign:
    """Open for answers: freezes the template and records each estate's household count (the
    response-rate base) as it stands today."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.is_street_admin(actor, campaign.street_id))
    if campaign.status != CampaignStatus.DRAFT:
        raise EvaluationError(_("只有草稿状态的测评活动可以开始。"))
    counts = dict(
        Unit.objects.filter(building__estate__in=campaign.estates.all())
        .values("building__estate_id")
        .annotate(n=Count("id"))
        .values_list("building__estate_id", "n")
    )
    rows = list(CampaignEstate.objects.filter(campaign=campaign))
    for row in rows:
        row.households = counts.get(row.estate_id, 0)
    CampaignEstate.objects.bulk_update(rows, ["households"])
    SurveyTemplate.objects.filter(pk=campaign.template_id).update(frozen=True)
    campaign.status = CampaignStatus.OPEN
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"status": ["draft", "open"], "households": sum(counts.values())},
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign, rng=None) -> Campaign:
    """Close: from now on nothing is accepted (codes, owners, inspections, assessments), and every
    ballot still waiting in a box is released (``rng`` shuffles; tests inject a deterministic one)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.is_street_admin(actor, campaign.street_id))
    if campaign.status != CampaignStatus.OPEN:
        raise EvaluationError(_("只有进行中的测评活动可以结束。"))
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"status": ["open", "closed"]},
    )
    # Every waiting ballot is released now, each estate's box as one shuffled batch. The estate rows
    # are locked first: a submission that got past its status check before this commit finishes first
    # (its ballot is then released here); one that comes after sees the campaign closed.
    list(CampaignEstate.objects.select_for_update().filter(campaign=campaign).order_by("pk"))
    for box in BallotBox.objects.filter(campaign=campaign).order_by("pk"):
        if rules.release_due(len(box.ballots), release_k(), closing=True):
            _release(campaign, box, rng or BALLOT_RNG)
    return campaign
