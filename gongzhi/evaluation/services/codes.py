"""Household codes: issue single-use codes for the letters; only their hashes are stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditEvent
from gongzhi.core.ordering import sorted_by_name
from gongzhi.evaluation import permissions, rules
from gongzhi.evaluation.models import AccessCode, Campaign, CampaignStatus, HouseholdSubmission
from gongzhi.evaluation.services.common import EvaluationError, _require, _today
from gongzhi.registry.models import Estate, Unit


@dataclass(frozen=True)
class IssuedCode:
    """A plaintext code, handed out exactly once (for the letters PDF); only its hash is stored."""

    unit: Unit
    code: str

    @property
    def printed(self) -> str:
        return rules.format_code(self.code)


@transaction.atomic
def codes_issue(
    *,
    actor,
    campaign: Campaign,
    estate: Estate,
    units: Sequence[Unit] | None = None,
    reissue: bool = False,
    today: dt.date | None = None,
) -> list[IssuedCode]:
    """Issue single-use codes for the households of one estate (all units, or the ones given).

    Units that already answered are skipped; units with a live code are skipped unless ``reissue``
    (a lost letter), which revokes the old code. Returns the plaintext codes — the only time they exist."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    _require(permissions.may_issue_codes(actor, estate))
    if campaign.status == CampaignStatus.CLOSED:
        raise EvaluationError(_("测评活动已结束，不能再发放测评码。"))
    if not permissions.in_campaign(campaign, estate.pk):
        raise EvaluationError(_("该小区不在本次测评范围内。"))
    targets = (
        sorted_by_name(
            Unit.objects.filter(building__estate=estate).select_related("building"),
            "building.number",
            "number",
        )  # 2号楼 before 10号楼 on the printed code sheets
        if units is None
        else list(units)
    )
    wrong = [str(u) for u in targets if u.building.estate_id != estate.pk]
    if wrong:
        raise EvaluationError(_("以下房屋不在该小区：%(u)s。") % {"u": "、".join(wrong)})
    answered = set(HouseholdSubmission.objects.filter(campaign=campaign).values_list("unit_id", flat=True))
    live = set(
        AccessCode.objects.filter(campaign=campaign, revoked=False, estate=estate).values_list(
            "unit_id", flat=True
        )
    )
    chosen = [u for u in targets if u.pk not in answered and (reissue or u.pk not in live)]
    if reissue:
        AccessCode.objects.filter(campaign=campaign, unit__in=chosen, revoked=False).update(revoked=True)
    batch = (
        AccessCode.objects.filter(campaign=campaign)
        .order_by("-batch")
        .values_list("batch", flat=True)
        .first()
        or 0
    ) + 1
    issued = [IssuedCode(unit=u, code=rules.new_code()) for u in chosen]
    AccessCode.objects.bulk_create(
        AccessCode(
            campaign=campaign,
            estate=estate,
            unit=i.unit,
            code_hash=rules.hash_code(i.code),
            batch=batch,
            issued_on=_today(today),
        )
        for i in issued
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=campaign,
        street_id=campaign.street_id,
        changes={"codes_issued": len(issued), "estate": estate.name, "batch": batch, "reissue": reissue},
    )
    return issued
