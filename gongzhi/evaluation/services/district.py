"""District-wide campaigns (区级测评): the district admin starts one campaign in every street of the
district at once — all or nothing, audited. Each is an ordinary street campaign (a draft the
street then runs: letters, opening, closing, recompute); the district league reads them together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.core.scopes import scope_for
from gongzhi.evaluation.models import Campaign, DistrictCampaign, DistrictCampaignStreet, SurveyTemplate
from gongzhi.evaluation.services.campaigns import _create
from gongzhi.evaluation.services.common import EvaluationError, _require
from gongzhi.registry.models import District, Estate, Street


def street_template(street: Street) -> SurveyTemplate | None:
    """The street's current questionnaire: its newest template that no later version replaces."""
    replaced = SurveyTemplate.objects.filter(street=street, previous__isnull=False).values("previous_id")
    return (
        SurveyTemplate.objects.filter(street=street)
        .exclude(pk__in=replaced)
        .order_by("-created_at", "-pk")
        .first()
    )


@transaction.atomic
def district_campaign_start(
    *,
    actor,
    district: District,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    opens_on: dt.date,
    closes_on: dt.date,
    weights: Mapping[str, object] | None = None,
) -> DistrictCampaign:
    """One draft campaign in every street of the district, each over all the street's estates with
    the street's current questionnaire and the same dates and weights. A street without a
    questionnaire or without estates refuses the whole round (nothing is created)."""
    _require(scope_for(actor).is_district_admin(district.pk))
    name = (name or "").strip()
    streets = list(Street.objects.filter(district=district).order_by("name", "pk"))
    errors = []
    if not name:
        errors.append(_("请填写活动名称。"))
    if not streets:
        errors.append(_("本区还没有街道。"))
    plans = []
    for street in streets:
        template = street_template(street)
        estates = list(Estate.objects.filter(area__street=street).select_related("area").order_by("pk"))
        if template is None:
            errors.append(_("%(street)s还没有测评问卷，请街道管理员先建立问卷。") % {"street": street.name})
        if not estates:
            errors.append(_("%(street)s还没有小区。") % {"street": street.name})
        plans.append((street, template, estates))
    if errors:
        raise EvaluationError(" ".join(errors))
    round_ = DistrictCampaign.objects.create(
        district=district,
        name=name,
        period_start=period_start,
        period_end=period_end,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor,
    )
    campaigns: list[Campaign] = []
    for street, template, estates in plans:
        assert template is not None
        # The street campaign's own checks (dates, weights) refuse the whole round: atomic.
        campaigns.append(
            _create(
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
        )
    DistrictCampaignStreet.objects.bulk_create(
        DistrictCampaignStreet(district_campaign=round_, campaign=c) for c in campaigns
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=round_,
        changes={
            "district": district.name,
            "streets": len(campaigns),
            "campaigns": [c.pk for c in campaigns],
        },
    )
    return round_
