"""争优评比: honour a company or an owners' committee of the street."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.evaluation import permissions
from gongzhi.evaluation.models import Award, AwardKind, Campaign
from gongzhi.evaluation.services.common import EvaluationError, _require
from gongzhi.registry.models import Company, OwnersCommittee, Street


@transaction.atomic
def award_grant(
    *,
    actor,
    street: Street,
    kind: str,
    title: str,
    year: int,
    company: Company | None = None,
    committee: OwnersCommittee | None = None,
    campaign: Campaign | None = None,
    citation: str = "",
) -> Award:
    """争优评比: honour a company or an owners' committee of this street."""
    _require(permissions.is_street_admin(actor, street.pk))
    errors = []
    if kind not in AwardKind.values:
        errors.append(_("请选择表彰类型。"))
    if not (title or "").strip():
        errors.append(_("请填写称号。"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.append(_("年度应在 2000 至 2100 之间。"))
    if kind == AwardKind.COMPANY and (company is None or committee is not None):
        errors.append(_("请选择获表彰的物业服务企业。"))
    if kind == AwardKind.OWNERS_COMMITTEE and (committee is None or company is not None):
        errors.append(_("请选择获表彰的业委会。"))
    if company is not None and company.street_id != street.pk:
        errors.append(_("该企业不属于本街道。"))
    if committee is not None and committee.estate.area.street_id != street.pk:
        errors.append(_("该业委会不属于本街道。"))
    if campaign is not None and campaign.street_id != street.pk:
        errors.append(_("所选测评活动不属于本街道。"))
    if errors:
        raise EvaluationError(" ".join(errors))
    award = Award.objects.create(
        street=street,
        campaign=campaign,
        kind=kind,
        company=company,
        committee=committee,
        title=title.strip(),
        year=year,
        citation=citation.strip(),
        granted_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=award,
        street_id=street.pk,
        changes={"kind": kind, "title": award.title, "year": year},
    )
    return award
