"""Branch assessments: the area branch's 0–100 mark for the company serving an estate."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import BranchAssessment, Campaign
from gongzhi.evaluation.services.common import EvaluationError, _open_for_marks, _require, _serving_company
from gongzhi.registry.models import Estate


@transaction.atomic
def branch_assessment_record(
    *, actor, campaign: Campaign, estate: Estate, score, comment: str = ""
) -> BranchAssessment:
    """The area branch's mark (0–100) for the company serving the estate; recording again replaces it."""
    _require(permissions.may_assess(actor, estate))
    _open_for_marks(campaign)
    if not permissions.in_campaign(campaign, estate.pk):
        raise EvaluationError(_("该小区不在本次测评范围内。"))
    value = rules._decimal(score)
    if value is None or not 0 <= value <= 100:
        raise EvaluationError(_("考核得分应在 0 到 100 之间。"))
    existing = BranchAssessment.objects.select_for_update().filter(campaign=campaign, estate=estate).first()
    before = str(existing.score) if existing else None
    assessment, _created = BranchAssessment.objects.update_or_create(
        campaign=campaign,
        estate=estate,
        defaults={
            "score": value.quantize(Decimal("0.01")),
            "comment": comment.strip(),
            "assessor": actor,
            "company": _serving_company(estate, campaign.period_end),
            "assessed_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE if existing else AuditEvent.Action.CREATE,
        obj=assessment,
        street_id=campaign.street_id,
        changes={"score": [before, str(value)]},
    )
    return assessment
